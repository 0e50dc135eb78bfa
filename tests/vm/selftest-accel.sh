#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# selftest-accel.sh - checks scripts/qemu-accel.sh's decision, as TAP
# (`make check` runs it as the accel-probe step).
#
#   1. MVGPU_QEMU_ACCEL overrides: no probe, the reason says so;
#   2. no /dev/kvm: TCG, "no /dev/kvm";
#   3. a /dev/kvm that opens read-write but runs no guest (here /dev/null
#      bound over it, which a broken KVM resembles from QEMU's side): TCG,
#      with QEMU's first error line in the reason;
#   4. the probe itself: a probe guest booted under TCG in place of KVM
#      (the MVGPU_ACCEL_PROBE_WITH test hook) prints its marker, and a
#      limit of 1 s makes the same probe fail with "printed nothing";
#   5. on this machine: whatever it decides, with the CPU model that goes
#      with it (a KVM decision must come with -cpu max).
#
# Cases 2 and 3 run in a private mount namespace (unshare), so they need
# root; elsewhere they are skipped.
#
# Usage: tests/vm/selftest-accel.sh [FLAVOUR]    (default 6.1)

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD_DIR=${MVGPU_BUILD_DIR:-$ROOT/build}
ACCEL="$ROOT/scripts/qemu-accel.sh"
n=0 failures=0

release=$(MVGPU_BUILD_DIR=$BUILD_DIR "$ROOT/scripts/fetch-kernel.sh" "${1:-6.1}")
VMLINUZ=$BUILD_DIR/kernels/$release/vmlinuz

# check DESCRIPTION LINE ERE: LINE (qemu-accel's output) must match ERE
check() {
	n=$((n + 1))
	if [[ $2 =~ $3 ]]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		echo "#   got:  $2"
		echo "#   want: $3"
		failures=$((failures + 1))
	fi
}

skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

# in_ns KVM_NODE: qemu-accel.sh in a private mount namespace whose /dev
# is a small tmpfs (the host's devtmpfs is never written); KVM_NODE "none"
# leaves /dev/kvm out, "null" makes it /dev/null's device: it opens
# read-write, and QEMU's first KVM ioctl fails.
in_ns() {
	unshare --mount --propagation private -- bash -c '
		set -e
		mount -t tmpfs -o mode=755 tmpfs /dev
		mknod -m 666 /dev/null c 1 3
		mknod -m 666 /dev/zero c 1 5
		mknod -m 666 /dev/urandom c 1 9
		ln -s /proc/self/fd /dev/fd
		[[ $2 == none ]] || mknod -m 666 /dev/kvm c 1 3
		exec "$0" --kernel "$1"' "$ACCEL" "$VMLINUZ" "$1"
}

echo "TAP version 13"
echo "1..6"

check "MVGPU_QEMU_ACCEL overrides the probe" \
	"$(MVGPU_QEMU_ACCEL=tcg,thread=multi "$ACCEL" --kernel "$VMLINUZ")" \
	$'^tcg,thread=multi\tmax,-erms,-fsrm\tset by MVGPU_QEMU_ACCEL$'

if [[ $EUID -eq 0 ]] && unshare --mount true 2>/dev/null; then
	check "no /dev/kvm: TCG" "$(in_ns none)" \
		$'^tcg,thread=single\tmax,-erms,-fsrm\tno /dev/kvm$'
	check "a /dev/kvm that opens but runs no guest: TCG, with QEMU's reason" \
		"$(in_ns null)" \
		$'^tcg,thread=single\tmax,-erms,-fsrm\tKVM present, but a probe guest failed: .+'
else
	skip "no /dev/kvm: TCG" "needs root and unshare"
	skip "a /dev/kvm that opens but runs no guest" "needs root and unshare"
fi

check "a probe guest that boots is seen (TCG in place of KVM)" \
	"$(MVGPU_ACCEL_PROBE_WITH=tcg,thread=single "$ACCEL" --kernel "$VMLINUZ")" \
	$'^tcg,thread=single\tmax,-erms,-fsrm\tTCG works \\(a probe guest booted in [0-9]+ s\\)$'
check "a probe guest that prints nothing in time fails the probe" \
	"$(MVGPU_ACCEL_PROBE_WITH=tcg,thread=single MVGPU_ACCEL_PROBE_TIMEOUT=1 "$ACCEL" --kernel "$VMLINUZ")" \
	$'^tcg,thread=single\tmax,-erms,-fsrm\tTCG present, but a probe guest printed nothing in 1 s$'

line=$("$ACCEL" --kernel "$VMLINUZ")
echo "# this machine: $line"
check "this machine's decision comes with its CPU model" "$line" \
	$'^(kvm\tmax\t.*|tcg,thread=single\tmax,-erms,-fsrm\t.*)$'

echo "# $((n - failures)) passed, $failures failed"
((failures == 0))
