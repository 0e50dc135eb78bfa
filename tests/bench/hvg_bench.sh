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
# Then tenants side by side: the guest's vGPU, V's and three more VFIO
# clients' (mvgpu-ts-32m) all saturate the shared engines with GEMMs
# (mvgpu-bench --saturate) -- five tenants on four engines -- first with
# equal weights, then with the guest's weight half the others'.  Each
# tenant's share of the engine time over a common window comes from its
# mvgpu_stats/busy_ns; printed with the Jain index of share/entitlement
# and the largest share error.  Reported, not judged.
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
# The extra tenants of the side-by-side runs.
tuuids="5d2e8c41-7a3b-4f6e-9d10-2b8c4e6f1a01 5d2e8c41-7a3b-4f6e-9d10-2b8c4e6f1a02 5d2e8c41-7a3b-4f6e-9d10-2b8c4e6f1a03"
guuid=${MVGPU_HVG_G:-}
made_g=
qpid=

echo "TAP version 13"
echo "1..3"
bail() {
	echo "not ok 1 setup: $*"
	echo "not ok 2 interleaved H/V/G # SKIP setup failed"
	echo "not ok 3 tenants side by side # SKIP setup failed"
	cleanup
	exit 1
}
cleanup() {
	[ -z "$qpid" ] || kill -9 "$qpid" 2>/dev/null
	[ -z "$wd" ] || echo "$wd" >"$wdp"
	for u in $vuuid $tuuids; do
		echo 1 >"/sys/bus/mdev/devices/$u/remove" 2>/dev/null
	done
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

# busy_ns and queue_wait_ns of every tenant, in the order G V T1 T2 T3,
# on one line.
busy() {
	for u in $guuid $vuuid $tuuids; do
		cat "/sys/bus/mdev/devices/$u/mvgpu_stats/busy_ns" \
		    "/sys/bus/mdev/devices/$u/mvgpu_stats/queue_wait_ns"
	done | tr '\n' ' '
}
# tenants LABEL GWEIGHT WEIGHT: all five saturate; shares over a 10 s
# window that starts 3 s after the guest has started.
tenants() {
	echo "$2" >"/sys/bus/mdev/devices/$guuid/mvgpu/weight" || return 1
	for u in $vuuid $tuuids; do
		echo "$3" >"/sys/bus/mdev/devices/$u/mvgpu/weight" || return 1
	done
	pids=
	for u in $vuuid $tuuids; do
		"$bench" --vfio "$u" --saturate 60 >"$log/sat.$u" 2>&1 &
		pids="$pids $!"
	done
	echo "saturate 25" >&3
	wait_for "### SAT-START" 300 || return 1
	sleep 3
	b0=$(busy)
	t0=$(ts)
	sleep 10
	b1=$(busy)
	t1=$(ts)
	wait_for "### SAT-DONE" 600 || return 1
	# Every client must have saturated to the end of the window.
	for p in $pids; do
		kill -0 "$p" 2>/dev/null || return 1
	done
	# shellcheck disable=SC2086 # a list of pids
	kill $pids 2>/dev/null
	# shellcheck disable=SC2086
	wait $pids 2>/dev/null
	echo "$b0 | $b1 | $t0 $t1 $2 $3" | awk -v label="$1" '
	{
		n = 5; split("G V T1 T2 T3", name, " ")
		secs = $(4 * n + 4) - $(4 * n + 3)
		for (i = 1; i <= n; i++) {
			d[i] = $(2 * n + 2 * i) - $(2 * i - 1); sum += d[i]
			ready[i] = (d[i] + $(2 * n + 2 * i + 1) - $(2 * i)) / 1e9 / secs
			w[i] = i == 1 ? $(4 * n + 5) : $(4 * n + 6); wsum += w[i]
		}
		line = ""; rl = ""
		for (i = 1; i <= n; i++) {
			sh[i] = d[i] / sum; ent = w[i] / wsum
			x = sh[i] / ent; err = x - 1; if (err < 0) err = -err
			if (err > maxerr) maxerr = err
			s1 += x; s2 += x * x
			line = line sprintf(" %s %.3f", name[i], sh[i])
			rl = rl sprintf(" %s %.0f %%", name[i], ready[i] * 100)
		}
		printf "# tenants, %s: engine shares%s (entitled: G %.3f, others %.3f each)\n",
			label, line, w[1] / wsum, w[2] / wsum
		printf "#   %.2f engines busy over %.1f s; Jain index of share/entitled %.4f; largest share error %.1f %%\n",
			sum / 1e9 / secs, secs, s1 * s1 / (n * s2), maxerr * 100
		printf "#   had work queued (busy or waiting; files read in turn, +-1 %%):%s\n", rl
	}' >>"$log/tenants.out"
}
tok=
if [ -n "$ok" ]; then
	progress "tenants side by side: G, V and three more VFIO clients"
	echo "# tenants: G (the guest), V and T1-T3 (VFIO clients) saturate the 4 engines with GEMMs;" >"$log/tenants.out"
	echo "#   shares of the engine time the scheduler charged them in a common 10 s window" >>"$log/tenants.out"
	tok=1
	for u in $tuuids; do
		echo "$u" >"$types/mvgpu-ts-32m/create" || tok=
	done
	if [ -n "$tok" ]; then
		tenants "equal weights" 100 100 || tok=
	fi
	if [ -n "$tok" ]; then
		tenants "guest at half weight" 100 200 || tok=
	fi
fi
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
[ -z "$tok" ] || cat "$log/tenants.out"
if [ -n "$ok" ]; then
	echo "ok 2 interleaved H/V/G, $reps repetitions"
else
	echo "not ok 2 interleaved H/V/G"
	tail -n 30 "$log/guest.log" | sed 's/^/# guest: /'
fi
if [ -n "$tok" ]; then
	echo "ok 3 tenants side by side: the guest and four VFIO clients on four engines"
else
	echo "not ok 3 tenants side by side"
	for u in $tuuids $vuuid; do
		[ -s "$log/sat.$u" ] && sed "s/^/# $u: /" "$log/sat.$u"
	done
fi
cleanup
[ -n "$ok" ] && [ -n "$tok" ]
