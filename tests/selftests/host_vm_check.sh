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
# the same tests in make check.  Not part of make check: one VM run, 1-2
# minutes under TCG.

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

MVGPU_BUILD_DIR=$BUILD "$ROOT/tests/vm/run-vm.sh" --kernel "$FLAVOUR" \
	--modules "$BUILD/ko/$FLAVOUR" --bin "$BUILD/tests" --tests "$TESTS" \
	--extra "$WORK/extra" --env MVGPU_MODDIR=/nonexistent \
	--timeout 1500 --test-timeout 900 --no-stream
