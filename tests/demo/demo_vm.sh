#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# demo_vm.sh - the mvgpu story, run inside the host VM by `make demo`:
# list the pGPU and its profiles with mvgpuctl, create two vGPUs of
# different profiles, benchmark the host path, attach one vGPU to a QEMU
# guest that loads mvgpu_guest.ko and runs the same benchmark, and print
# the guest-vs-host table.  Needs the nested-guest files (--extra) built
# with the demo payload (scripts/demo.sh does all of that).
dir=$(dirname "$0")
ctl="$dir/mvgpuctl"
bench="$dir/mvgpu-bench"
moddir=${MVGPU_MODDIR:-/lib/mvgpu}
nested=/usr/lib/mvgpu-nested
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
echo 60000 > /sys/module/mvgpu/parameters/watchdog_ms

progress "the pGPU and its profiles (mvgpuctl list, mvgpuctl types)"
"$ctl" list
"$ctl" types

progress "creating two vGPUs of different profiles"
a=$("$ctl" create mvgpu-ts-64m --weight 200) || fail "create ts-64m"
b=$("$ctl" create mvgpu-part-1e-64m) || fail "create part-1e-64m"
"$ctl" list

progress "host path benchmark (H: /dev/mvgpu-host0)"
"$bench" --dev /dev/mvgpu-host0 --reps 3 --json > "$log/h.out" 2>&1 ||
	fail "host benchmark: $(cat "$log/h.out")"
cat "$log/h.out" | grep -v '^{'

[ -f "$nested/nested.conf" ] || fail "no nested-guest files (run via make demo)"
. "$nested/nested.conf"
progress "starting a QEMU guest with vGPU $a: $("$ctl" qemu-args "$a")"
progress "the guest boots under nested TCG: this takes several minutes"
QEMU_MODULE_DIR=$NESTED_QEMU_MODULE_DIR timeout -s KILL 2400 \
	"$NESTED_QEMU" -L "$NESTED_FIRMWARE" -machine q35 -accel tcg -m 256 -cpu max \
	-nographic -no-reboot -nic none -vga none -serial "file:$log/guest.log" \
	-monitor none -kernel "$NESTED_KERNEL" -initrd "$NESTED_INITRD" \
	-append "console=ttyS0 quiet panic=-1 cryptomgr.notests mitigations=off mvgpu.run=bench" \
	$("$ctl" qemu-args "$a") </dev/null >"$log/qemu.err" 2>&1 ||
	fail "QEMU: $(cat "$log/qemu.err")"
progress "guest finished"
sed -n '/### L2-BENCH-BEGIN/,/### L2-BENCH-END/p' "$log/guest.log" |
	grep -v '###' > "$log/g.out"
grep -q '"workload":"gemm"' "$log/g.out" ||
	fail "no benchmark output from the guest: $(tail -20 "$log/guest.log")"
grep -v '^{' "$log/g.out"

progress "guest vs host (G/H; latency: G/H, lower is better)"
printf '%-8s %-8s %12s %12s %8s\n' workload unit host guest G/H
for w in gemm copy small latency; do
	h=$(grep "\"workload\":\"$w\"" "$log/h.out")
	g=$(grep "\"workload\":\"$w\"" "$log/g.out")
	hm=$(echo "$h" | sed 's/.*"median":\([0-9.]*\).*/\1/')
	gm=$(echo "$g" | sed 's/.*"median":\([0-9.]*\).*/\1/')
	unit=$(echo "$h" | sed 's/.*"unit":"\([^"]*\)".*/\1/' | tr ' ' _)
	echo "$w $unit $hm $gm" | awk '{ printf "%-8s %-8s %12.3f %12.3f %8.3f\n", $1, $2, $3, $4, $4 / $3 }'
done
echo "# accel: host VM ${MVGPU_ACCEL:-unknown}, guest nested TCG: ratios of submission-bound work measure the emulator, not mvgpu"
"$ctl" stats "$a"

"$ctl" destroy "$a"
"$ctl" destroy "$b"
echo 500 > /sys/module/mvgpu/parameters/watchdog_ms
progress "done"
echo "ok 1 demo"
