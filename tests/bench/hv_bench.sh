#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# hv_bench.sh - guest-side-free half of the guest-vs-host comparison, run
# inside the test VM: the host path (H, /dev/mvgpu-host0) against a VFIO
# client on a vGPU of the same size (V, the mediation cost alone), the two
# interleaved by mvgpu-bench.  Prints TAP; reports, never fails on, speed.
dir=$(dirname "$0")
moddir=${MVGPU_MODDIR:-/lib/mvgpu}
uuid=5e1f0b6e-8d2a-4c1b-9a47-3c0d2b9e6f10

echo "TAP version 13"
echo "1..2"
[ -d /sys/module/mvgpu ] || insmod "$moddir/mvgpu.ko"
[ -d /sys/module/mvgpu_sim ] || insmod "$moddir/mvgpu_sim.ko"
wd=$(cat /sys/module/mvgpu/parameters/watchdog_ms)
echo 60000 > /sys/module/mvgpu/parameters/watchdog_ms
types=/sys/class/mdev_bus/mvgpu0/mdev_supported_types
if echo "$uuid" > "$types/mvgpu-ts-64m/create"; then
	echo "ok 1 setup"
else
	echo "not ok 1 setup"
	exit 1
fi
echo "# accel: ${MVGPU_ACCEL:-unknown}${MVGPU_ACCEL:+ (TCG numbers measure the emulator; submission-bound ratios most of all)}"
echo "# H = host path, V = VFIO client on mvgpu-ts-64m; ratio = V/H (latency: V/H, lower is better)"
if "$dir/mvgpu-bench" --dev /dev/mvgpu-host0 --compare-vfio "$uuid" --reps 5 --json > /tmp/hv.out 2>&1; then
	sed 's/^/# /' /tmp/hv.out
	echo "ok 2 host vs vfio"
else
	sed 's/^/# /' /tmp/hv.out
	echo "not ok 2 host vs vfio"
fi
echo 1 > "/sys/bus/mdev/devices/$uuid/remove"
echo "$wd" > /sys/module/mvgpu/parameters/watchdog_ms
