#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# hvg_bench.sh - the guest-vs-host benchmark in three places, interleaved,
# run inside the host VM (make bench-hvg; make demo uses it too):
#
#   H  the host path, /dev/mvgpu-host0
#   V  a VFIO client on a vGPU (mvgpu-ts-64m): the mediation cost alone
#   G  a QEMU guest (L2) with another mvgpu-ts-64m vGPU attached and
#      mvgpu_guest.ko loaded: the full stack
#
# One repetition of every workload runs on H, then V, then G, and again,
# MVGPU_HVG_REPS times (default 3): the guest waits on its serial console
# (mvgpu-bench --serve) while the host VM measures, and the host VM waits
# while the guest does, so no two measurements overlap.  Prints each
# path's median and spread and the ratios V/H and G/H as TAP diagnostics;
# reports, never fails on, speed.
#
# Needs the nested-guest files built with the payload (mvgpu_guest.ko and
# mvgpu-bench for the guest): tests/vm/nested/build-extra.sh with
# MVGPU_NESTED_PAYLOAD (the Makefile's bench-hvg and scripts/demo.sh do
# that).  MVGPU_HVG_G names an existing vGPU to use for G (the demo's);
# otherwise one is created.
dir=$(dirname "$0")
bench="$dir/mvgpu-bench"
moddir=${MVGPU_MODDIR:-/lib/mvgpu}
nested=/usr/lib/mvgpu-nested
reps=${MVGPU_HVG_REPS:-3}
types=/sys/class/mdev_bus/mvgpu0/mdev_supported_types
wdp=/sys/module/mvgpu/parameters/watchdog_ms
log=/tmp/hvg
vuuid=3a7c1e52-6f0d-4b8e-9c21-5d4f0e7a9b13
guuid=${MVGPU_HVG_G:-}
made_g=
qpid=

echo "TAP version 13"
echo "1..2"
bail() {
	echo "not ok 1 setup: $*"
	echo "not ok 2 interleaved H/V/G # SKIP setup failed"
	cleanup
	exit 1
}
cleanup() {
	[ -z "$qpid" ] || kill -9 "$qpid" 2>/dev/null
	[ -z "$wd" ] || echo "$wd" >"$wdp"
	echo 1 >"/sys/bus/mdev/devices/$vuuid/remove" 2>/dev/null
	[ -z "$made_g" ] || echo 1 >"/sys/bus/mdev/devices/$guuid/remove" 2>/dev/null
}
ts() { cut -d' ' -f1 /proc/uptime; }
# Progress lines go to stderr, so that a caller capturing the report still
# shows them as they come (make demo gives its own prefix).
progress() { echo "${MVGPU_HVG_PROGRESS:-### HVG} [$(ts) s] $*" >&2; }

mkdir -p "$log"
rm -f "$log"/*
[ -d /sys/module/mvgpu ] || insmod "$moddir/mvgpu.ko" || bail "insmod mvgpu"
[ -d /sys/module/mvgpu_sim ] || insmod "$moddir/mvgpu_sim.ko" || bail "insmod mvgpu_sim"
# Emulated CPUs are slow: give legitimate commands room before the watchdog.
wd=$(cat "$wdp")
echo 60000 >"$wdp"
echo "$vuuid" >"$types/mvgpu-ts-64m/create" || bail "create V's vGPU"
if [ -z "$guuid" ]; then
	guuid=6b0e2d94-1c3f-4a7e-8d52-9e1f3a6c0b27
	echo "$guuid" >"$types/mvgpu-ts-64m/create" || bail "create G's vGPU"
	made_g=1
fi
[ -f "$nested/nested.conf" ] || bail "no nested-guest files (--extra)"
. "$nested/nested.conf"

# The guest's console is a pair of FIFOs: we write "rep" lines into
# .in, its mvgpu-bench --serve answers on .out.
mkfifo "$log/con.in" "$log/con.out" || bail "mkfifo"
progress "starting the guest with vGPU $guuid (nested TCG: several minutes)"
QEMU_MODULE_DIR=$NESTED_QEMU_MODULE_DIR \
	"$NESTED_QEMU" -L "$NESTED_FIRMWARE" -machine q35 -accel tcg -m 256 \
	-cpu max -nographic -no-reboot -nic none -vga none -monitor none \
	-chardev "pipe,id=con,path=$log/con" -serial chardev:con \
	-kernel "$NESTED_KERNEL" -initrd "$NESTED_INITRD" \
	-append "console=ttyS0 quiet panic=-1 cryptomgr.notests mitigations=off mvgpu.run=serve" \
	-device "vfio-pci,sysfsdev=/sys/bus/mdev/devices/$guuid" \
	</dev/null >"$log/qemu.err" 2>&1 &
qpid=$!
# Read-write opens of a FIFO do not wait for the other side.
exec 3<>"$log/con.in" 4<>"$log/con.out"

# wait_for MARK SECS: copy the guest's lines to guest.log until MARK.
wait_for() {
	end=$(($(cut -d. -f1 /proc/uptime) + $2))
	while [ "$(cut -d. -f1 /proc/uptime)" -lt "$end" ]; do
		if ! read -r -t 10 line <&4; then
			kill -0 "$qpid" 2>/dev/null || return 1
			continue
		fi
		line=$(printf '%s' "$line" | tr -d '\r')
		echo "$line" >>"$log/guest.log"
		case $line in "$1"*) return 0 ;; esac
	done
	return 1
}
wait_for "### SERVE-READY" 2400 ||
	bail "the guest did not start serving: $(tail -n 20 "$log/guest.log" "$log/qemu.err" 2>/dev/null)"
echo "ok 1 setup: H /dev/mvgpu-host0, V $vuuid, G $guuid in a guest"

# One JSON line per workload and path: {"workload":..,"path":"H",..}.
record() {
	grep '^{' | sed "s/^{/{\"path\":\"$1\",/" >>"$log/all.json"
}
ok=1
r=1
while [ "$r" -le "$reps" ]; do
	progress "repetition $r of $reps: H (host path)"
	"$bench" --dev /dev/mvgpu-host0 --reps 1 --json >"$log/h.out" 2>&1 ||
		{ ok=; sed 's/^/# H: /' "$log/h.out"; }
	record H <"$log/h.out"
	progress "repetition $r of $reps: V (VFIO client)"
	"$bench" --vfio "$vuuid" --reps 1 --json >"$log/v.out" 2>&1 ||
		{ ok=; sed 's/^/# V: /' "$log/v.out"; }
	record V <"$log/v.out"
	progress "repetition $r of $reps: G (the guest)"
	echo rep >&3
	mark=$(wc -l <"$log/guest.log")
	wait_for "### REP-DONE" 1800 || { ok=; break; }
	tail -n +"$((mark + 1))" "$log/guest.log" | record G
	r=$((r + 1))
done
echo quit >&3
wait_for "### L2-DONE" 300
wait "$qpid"
qpid=

# Median and spread per workload and path, and the ratios to H.
echo "# workload unit          H (min..max)            V (min..max)            G (min..max)     V/H    G/H"
for w in gemm copy small latency; do
	grep "\"workload\":\"$w\"" "$log/all.json" |
	sed 's/.*"path":"\([HVG]\)".*"unit":"\([^"]*\)".*"median":\([0-9.]*\).*/\1|\2|\3/' |
	awk -F'|' -v w="$w" '
	{ unit = $2; n[$1]++; v[$1, n[$1]] = $3 }
	function med(p,   i, j, t, a) {
		for (i = 1; i <= n[p]; i++) a[i] = v[p, i]
		for (i = 1; i <= n[p]; i++) for (j = i + 1; j <= n[p]; j++)
			if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		lo[p] = a[1]; hi[p] = a[n[p]]
		return a[int((n[p] + 1) / 2)]
	}
	END {
		if (!n["H"] || !n["V"] || !n["G"]) { printf "# %-8s incomplete\n", w; exit }
		h = med("H"); vv = med("V"); g = med("G")
		printf "# %-8s %-8s %10.3f (%.3f..%.3f) %10.3f (%.3f..%.3f) %10.3f (%.3f..%.3f) %6.3f %6.3f  n=%d\n",
			w, unit, h, lo["H"], hi["H"], vv, lo["V"], hi["V"], g, lo["G"], hi["G"],
			vv / h, g / h, n["H"]
	}'
done
echo "# latency is us p50: lower is better, so ratios above 1 are a cost there"
echo "# accel: host VM ${MVGPU_ACCEL:-unknown}; the guest runs nested under TCG inside it:"
echo "#   G/H of submission-bound work (small, latency) measures the emulator, not mvgpu"
echo "# traps: V rang $(cat "/sys/bus/mdev/devices/$vuuid/mvgpu_stats/doorbells") doorbells, G $(cat "/sys/bus/mdev/devices/$guuid/mvgpu_stats/doorbells") (mvgpu_stats/doorbells) for $(cat "/sys/bus/mdev/devices/$guuid/mvgpu_stats/submissions") G submissions"
if [ -n "$ok" ]; then
	echo "ok 2 interleaved H/V/G, $reps repetitions"
else
	echo "not ok 2 interleaved H/V/G"
	tail -n 30 "$log/guest.log" | sed 's/^/# guest: /'
fi
cleanup
[ -n "$ok" ]
