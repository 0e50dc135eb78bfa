#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# demo_vm.sh - the mvgpu story, run inside the host VM by `make demo`:
# list the pGPU and its profiles with mvgpuctl, create two vGPUs of
# different profiles, attach one vGPU to a QEMU guest that loads
# mvgpu_guest.ko, run the same benchmark in the guest, on the host path
# and through a VFIO client, interleaved (tests/bench/hvg_bench.sh), and
# print the guest-vs-host table.  Needs the nested-guest files (--extra) built
# with the demo payload (scripts/demo.sh does all of that).
dir=$(dirname "$0")
ctl="$dir/mvgpuctl"
moddir=${MVGPU_MODDIR:-/lib/mvgpu}
log=/tmp/demo
mkdir -p "$log"
t0=$(cut -d' ' -f1 /proc/uptime)

progress() {
	now=$(cut -d' ' -f1 /proc/uptime)
	echo "### DEMO [$(echo "$now $t0" | awk '{ printf "%6.1f", $1 - $2 }') s] $*"
}

fail() {
	echo "not ok 1 demo: $*"
	exit 1
}

echo "TAP version 13"
echo "1..1"
progress "loading mvgpu and the software pGPU (mvgpu_sim)"
[ -d /sys/module/mvgpu ] || insmod "$moddir/mvgpu.ko" || fail "insmod mvgpu"
[ -d /sys/module/mvgpu_sim ] || insmod "$moddir/mvgpu_sim.ko" || fail "insmod mvgpu_sim"
# Emulated CPUs are slow: give commands room before the watchdog.
wd=$(cat /sys/module/mvgpu/parameters/watchdog_ms)
echo 60000 > /sys/module/mvgpu/parameters/watchdog_ms

progress "the pGPU and its profiles (mvgpuctl list, mvgpuctl types)"
"$ctl" list
"$ctl" types

progress "creating two vGPUs of different profiles"
a=$("$ctl" create mvgpu-ts-64m --weight 200) || fail "create ts-64m"
b=$("$ctl" create mvgpu-part-1e-64m) || fail "create part-1e-64m"
"$ctl" list

# The benchmark's VFIO client and the host path need VRAM of their own.
progress "destroying the partitioned vGPU again, to make room for the benchmark"
"$ctl" destroy "$b" || fail "destroy part-1e-64m"

progress "guest vs host: the same benchmark on the host path (H), through a"
progress "VFIO client (V) and in a QEMU guest (G) with vGPU $a, interleaved"
progress "guest's QEMU: $("$ctl" qemu-args "$a")"
MVGPU_HVG_G=$a MVGPU_HVG_REPS=${MVGPU_DEMO_REPS:-3} MVGPU_HVG_PROGRESS="### DEMO" \
	sh "$dir/hvg_bench.sh" >"$log/hvg.out" ||
	fail "benchmark: $(grep -v -e '^ok' -e '^# guest: ' "$log/hvg.out" | tail -n 30)"
progress "guest vs host (medians of interleaved repetitions, min..max)"
sed -n 's/^# //p' "$log/hvg.out"
"$ctl" stats "$a"

"$ctl" destroy "$a"
echo "$wd" > /sys/module/mvgpu/parameters/watchdog_ms
progress "done"
echo "ok 1 demo"
