#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# host_vm_check.sh - the selftests as on a host with mvgpu installed,
# simulated in the test VM.
#
# Usage: tests/selftests/host_vm_check.sh [FLAVOUR [TESTS]]
#        (FLAVOUR 6.1 or 6.12, default 6.1; TESTS default
#        "lifecycle_test hostile_test mvgpuctl_test.sh vram_test";
#        needs `make modules-FLAVOUR tests` first)
#
# Why: in the VM harness the tests insmod mvgpu*.ko from $MVGPU_MODDIR; on
# a host (packages, DKMS, make install) that directory holds no mvgpu.ko
# and they take the other path: modprobe, the module's errors read back
# from modprobe's messages, and their checks of what the host offers
# (Documentation/selftests.rst).  make check never takes that path.  This
# boots the usual test VM with mvgpu.ko and mvgpu_sim.ko installed under
# /lib/modules/<release>/updates/mvgpu/ (modules.dep from depmod) and
# MVGPU_MODDIR pointing nowhere, so every load goes through the VM's
# (busybox) modprobe, and runs TESTS there.  The counts must be those of
# the same tests in make check.  Then two hosts the tests must refuse,
# each followed by lifecycle_test, whose every case must skip: one with a
# vGPU of its own (which must survive the run), one with mvgpu_sim loaded
# with engines=1.  Exit status 0 only if run-vm.sh passed and both
# lifecycle_test runs skipped every case.  Not part of make check: one VM
# run, 1-2 minutes under TCG.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${MVGPU_BUILD_DIR:-$ROOT/build}
FLAVOUR=${1:-6.1}
TESTS=${2:-lifecycle_test hostile_test mvgpuctl_test.sh vram_test}

command -v depmod >/dev/null || {
	echo "host_vm_check: missing depmod: run make deps" >&2
	exit 1
}
for f in mvgpu.ko mvgpu_sim.ko; do
	[[ -r $BUILD/ko/$FLAVOUR/$f ]] || {
		echo "host_vm_check: no $BUILD/ko/$FLAVOUR/$f: run make modules-$FLAVOUR tests" >&2
		exit 1
	}
done
KREL=$("$ROOT/scripts/fetch-kernel.sh" --print-release "$FLAVOUR")
KMODS=$BUILD/kernels/$KREL/lib/modules/$KREL
[[ -d $KMODS ]] || {
	echo "host_vm_check: no $KMODS: run make deps" >&2
	exit 1
}

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/extra/lib/modules"
cp -a "$KMODS" "$WORK/extra/lib/modules/"
mkdir -p "$WORK/extra/lib/modules/$KREL/updates/mvgpu"
cp "$BUILD/ko/$FLAVOUR/mvgpu.ko" "$BUILD/ko/$FLAVOUR/mvgpu_sim.ko" \
	"$WORK/extra/lib/modules/$KREL/updates/mvgpu/"
depmod -b "$WORK/extra" "$KREL"

# The tests, and the two hosts to refuse (busybox sh scripts).
mkdir -p "$WORK/bin"
cp "$BUILD"/tests/* "$WORK/bin/"
cp "$BUILD/tests/lifecycle_test" "$WORK/bin/lifecycle_test.host_vgpu"
cp "$BUILD/tests/lifecycle_test" "$WORK/bin/lifecycle_test.host_engines1"
UUID=4d564750-484f-5354-8000-000000000001
printf '%s\n' '#!/bin/sh' 'echo "1..1"' \
	'modprobe mvgpu_sim &&' \
	"	echo $UUID >/sys/class/mdev_bus/mvgpu0/mdev_supported_types/mvgpu-ts-32m/create &&" \
	'	echo "ok 1 the host has a vGPU of its own" || echo "not ok 1 setting up"' \
	>"$WORK/bin/host_vgpu.sh"
printf '%s\n' '#!/bin/sh' 'echo "1..2"' \
	"echo 1 >/sys/bus/mdev/devices/$UUID/remove &&" \
	'	echo "ok 1 the host'\''s vGPU survived lifecycle_test" ||' \
	'	echo "not ok 1 the host'\''s vGPU survived lifecycle_test"' \
	'rmmod mvgpu_sim && modprobe mvgpu_sim engines=1 &&' \
	'	echo "ok 2 mvgpu_sim loaded with engines=1" || echo "not ok 2 mvgpu_sim engines=1"' \
	>"$WORK/bin/host_engines1.sh"
printf '%s\n' '#!/bin/sh' 'echo "1..1"' \
	'rmmod mvgpu_sim && rmmod mvgpu &&' \
	'	echo "ok 1 lifecycle_test left mvgpu_sim engines=1 loaded" || echo "not ok 1 unloading"' \
	>"$WORK/bin/host_restore.sh"
chmod +x "$WORK/bin/host_vgpu.sh" "$WORK/bin/host_engines1.sh" "$WORK/bin/host_restore.sh"

rc=0
MVGPU_BUILD_DIR=$BUILD "$ROOT/tests/vm/run-vm.sh" --kernel "$FLAVOUR" \
	--modules "$BUILD/ko/$FLAVOUR" --bin "$WORK/bin" \
	--tests "$TESTS host_vgpu.sh lifecycle_test.host_vgpu host_engines1.sh lifecycle_test.host_engines1 host_restore.sh" \
	--extra "$WORK/extra" --env MVGPU_MODDIR=/nonexistent \
	--timeout 1500 --test-timeout 900 --no-stream | tee "$WORK/out" || rc=$?
for t in host_vgpu host_engines1; do
	if ! grep -Eq "^# --- $FLAVOUR: lifecycle_test\.$t: 0 passed, 0 failed, [1-9][0-9]* skipped" "$WORK/out"; then
		echo "host_vm_check: lifecycle_test did not skip every case on the $t host" >&2
		rc=1
	fi
done
exit "$rc"
