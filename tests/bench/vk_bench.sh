#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vk_bench.sh - make bench-vk, inside a Debian root VM with lavapipe: the
# cost of mvgpu's slicing on a Vulkan GPU.  The same work run
#   N  natively, by a Vulkan program without mvgpu (mvgpu-engined --bench:
#      the same shaders, one submission per command),
#   H  on the host path (/dev/mvgpu-host0) of a Vulkan-backed pGPU
#      (mvgpu_user + mvgpu-engined on the same device),
#   V  by a VFIO client on a vGPU of that pGPU (mvgpu-ts-64m),
# interleaved repetition by repetition (N, then H and V interleaved by
# mvgpu-bench), MVGPU_VK_REPS times; medians, min..max, ratios H/N, V/N.
# G (a QEMU guest) needs a nested guest inside this VM and is not run
# here (make bench-hvg measures G against H on mvgpu_sim).  Then two and
# four vGPUs side by side, weights 1:2 and 1:1:2:4, saturating GEMMs:
# engine-time shares against weights.  Prints TAP; reports, never fails
# on, speed.  Under lavapipe and TCG every number measures a CPU driver in
# an emulator, and says so.
dir=$(dirname "$0")
moddir=${MVGPU_MODDIR:-/lib/mvgpu}
reps=${MVGPU_VK_REPS:-5}
uuid=6b1d2c3e-4f50-4a61-8b72-9c8d7e6f5a40
log=/tmp/mvgpu-engined.log

echo "TAP version 13"
echo "1..3"
for m in vfio vfio_iommu_type1 vfio_virqfd mdev; do
	[ -d /sys/module/$m ] || modprobe -q $m 2>/dev/null
done
[ -d /sys/module/mvgpu ] || insmod "$moddir/mvgpu.ko"
[ -d /sys/module/mvgpu_user ] || insmod "$moddir/mvgpu_user.ko"
echo 600000 > /sys/module/mvgpu/parameters/watchdog_ms
setsid "$dir/mvgpu-engined" --name bench --chunk-us "${MVGPU_CHUNK_US:-1000}" \
	</dev/null >"$log" 2>&1 &
epid=$!
i=0
while ! grep -q "ready:" "$log" 2>/dev/null && [ $i -lt 1800 ]; do
	sleep 0.1
	i=$((i + 1))
done
if grep -q "ready:" "$log" && echo "$uuid" > \
	/sys/class/mdev_bus/mvgpu0/mdev_supported_types/mvgpu-ts-64m/create; then
	echo "ok 1 setup"
else
	sed 's/^/# /' "$log"
	echo "not ok 1 setup"
	exit 1
fi
sed 's/^/# engined: /' "$log"
echo "# accel: ${MVGPU_ACCEL:-unknown}; device: lavapipe (Mesa's CPU Vulkan driver) in a TCG VM:"
echo "# these numbers measure a CPU driver inside an emulator, not a GPU"

: >/tmp/n.txt
: >/tmp/hv.txt
r=0
while [ $r -lt "$reps" ]; do
	"$dir/mvgpu-engined" --bench 2>/dev/null >>/tmp/n.txt
	"$dir/mvgpu-bench" --dev /dev/mvgpu-host0 --compare-vfio "$uuid" \
		--reps 1 2>&1 | grep -E '^(gemm|copy|small) ' >>/tmp/hv.txt
	r=$((r + 1))
done

# median min max of the numbers on stdin
stats() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (!NR) { print "- - -"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.4f %.4f %.4f\n", m, v[1], v[NR] }'
}

ok=1
echo "# $reps interleaved repetitions; median (min..max); higher is better"
printf "# %-8s %-7s %-26s %-26s %-26s %6s %6s\n" workload unit N H V H/N V/N
for w in gemm copy small; do
	unit=$(awk -v w=$w '$2 == w { print $3; exit }' /tmp/n.txt)
	set -- $(awk -v w=$w '$2 == w { print $4 }' /tmp/n.txt | stats)
	n=$1 nlo=$2 nhi=$3
	set -- $(awk -v w=$w '$1 == w { print $3 }' /tmp/hv.txt | stats)
	h=$1 hlo=$2 hhi=$3
	set -- $(awk -v w=$w '$1 == w { print $5 }' /tmp/hv.txt | stats)
	v=$1 vlo=$2 vhi=$3
	[ "$n" != - ] && [ "$h" != - ] && [ "$v" != - ] || ok=0
	printf "# %-8s %-7s %-26s %-26s %-26s %6s %6s\n" $w "$unit" \
		"$n ($nlo..$nhi)" "$h ($hlo..$hhi)" "$v ($vlo..$vhi)" \
		"$(awk -v a="$h" -v b="$n" 'BEGIN { if (b > 0) printf "%.3f", a / b }')" \
		"$(awk -v a="$v" -v b="$n" 'BEGIN { if (b > 0) printf "%.3f", a / b }')"
done
set -- $(awk '$2 == "gemm_f32" { print $4 }' /tmp/n.txt | stats)
echo "# gemm_f32 GMAC/s N only: $1 ($2..$3) (mvgpu-bench gains GEMM_F32 with ISA 1.1)"
if [ $ok = 1 ]; then echo "ok 2 N, H, V interleaved"; else echo "not ok 2 N, H, V interleaved"; fi
echo 1 > "/sys/bus/mdev/devices/$uuid/remove"

# Shares against weights: 2 and 4 vGPUs saturating the pGPU's engines.
share_run() {	# weights...
	n=0 pids=""
	for w in "$@"; do
		u=$(printf '6b1d2c3e-4f50-4a61-8b72-%012d' $n)
		echo "$u" > /sys/class/mdev_bus/mvgpu0/mdev_supported_types/mvgpu-ts-32m/create || return 1
		echo "$w" > /sys/bus/mdev/devices/$u/mvgpu/weight
		n=$((n + 1))
	done
	n=0
	for w in "$@"; do
		u=$(printf '6b1d2c3e-4f50-4a61-8b72-%012d' $n)
		"$dir/mvgpu-bench" --vfio "$u" --saturate "${MVGPU_VK_SHARE_SECS:-20}" \
			>/tmp/share.$n 2>&1 &
		pids="$pids $!"
		n=$((n + 1))
	done
	wait $pids
	n=0 total=0 wsum=0
	for w in "$@"; do
		u=$(printf '6b1d2c3e-4f50-4a61-8b72-%012d' $n)
		b=$(cat /sys/bus/mdev/devices/$u/mvgpu_stats/busy_ns 2>/dev/null || echo 0)
		echo "$b" > /tmp/busy.$n
		total=$((total + b))
		wsum=$((wsum + w))
		n=$((n + 1))
	done
	n=0
	for w in "$@"; do
		u=$(printf '6b1d2c3e-4f50-4a61-8b72-%012d' $n)
		b=$(cat /tmp/busy.$n)
		awk -v b="$b" -v t="$total" -v w="$w" -v s="$wsum" -v c="$(cat /tmp/share.$n | tail -1)" \
			'BEGIN { printf "#   weight %-3d share %.3f (weight share %.3f), %s\n", w, t ? b / t : 0, w / s, c }'
		echo 1 > /sys/bus/mdev/devices/$u/remove
		n=$((n + 1))
	done
}
echo "# engine-time shares (mvgpu_stats/busy_ns) of vGPUs saturating the pGPU with GEMMs:"
echo "# 2 vGPUs, weights 1:2"
share_run 100 200
echo "# 4 vGPUs, weights 1:1:2:4"
share_run 100 100 200 400
echo "ok 3 shares against weights"
kill "$epid" 2>/dev/null
