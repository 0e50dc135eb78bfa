#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh - what `make check` runs.
#
#   1. build the modules against Debian's 6.1 and 6.12 headers (-Werror)
#   2. build the test programs; unit tests of mvgpuctl and of the driver
#   3. the accelerator probe's self-test, checkpatch --strict and sparse (C=2)
#   4. boot a VM on each kernel and run every test program in it
#
# Each static step counts as one test; each VM run contributes the TAP
# results of its test programs (see tests/vm/run-vm.sh), and a splat in a
# VM's kernel log counts as a failure.  The last line is the total:
#   N passed, N failed
# Exit status is non-zero if anything failed.
#
# Environment: MVGPU_FLAVOURS (default "6.1 6.12"), MVGPU_VM_TESTS
# (default: every program in build/tests, lifecycle first),
# MVGPU_VM_TIMEOUT (default 1800 s per VM).

set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
LOGS=$BUILD/check
FLAVOURS=${MVGPU_FLAVOURS:-6.1 6.12}
VM_TIMEOUT=${MVGPU_VM_TIMEOUT:-1800}

passed=0
failed=0
mkdir -p "$LOGS"
start=$SECONDS

# shellcheck source=scripts/step.sh
. "$ROOT/scripts/step.sh"
# shellcheck source=scripts/need.sh
. "$ROOT/scripts/need.sh"
need make gcc perl git sparse qemu-system-x86_64 busybox cpio python3

echo "# mvgpu make check: kernels $FLAVOURS"
for fl in $FLAVOURS; do
	step "build-$fl" make -C "$ROOT" BUILD="$BUILD" "modules-$fl"
done
step tests-build make -C "$ROOT" BUILD="$BUILD" tests
step mvgpuctl-unit make -C "$ROOT" BUILD="$BUILD" check-mvgpuctl
step driver-unit make -C "$ROOT" BUILD="$BUILD" check-unit
step install-staging env BUILD="$BUILD" "$ROOT/tests/install/staging_test.sh"
step accel-probe env MVGPU_BUILD_DIR="$BUILD" "$ROOT/tests/vm/selftest-accel.sh"
step selftests-install env BUILD="$BUILD" "$ROOT/tests/selftests/install_check.sh"
step checkpatch make -C "$ROOT" BUILD="$BUILD" checkpatch
step sparse make -C "$ROOT" BUILD="$BUILD" sparse
# QEMU and a guest image for the nested-guest test inside the VMs.
step nested-extra env MVGPU_BUILD_DIR="$BUILD" \
	"$ROOT/tests/vm/nested/build-extra.sh" "$BUILD/nested-extra"

tests=${MVGPU_VM_TESTS:-}
if [ -z "$tests" ] && [ -d "$BUILD/tests" ]; then
	tests="lifecycle_test"
	for t in "$BUILD"/tests/*; do
		n=$(basename "$t")
		# mvgpuctl is the tool mvgpuctl_test.sh runs, not a test; the
		# nested guest (minutes under TCG) goes last; the nested display
		# guest is make check-display's (5-6 min more per kernel)
		case $n in
		lifecycle_test | mvgpuctl | nested_guest_test.sh) continue ;;
		nested_display_test.sh) continue ;;
		esac
		[ -x "$t" ] && tests+=" $n"
	done
	[ -x "$BUILD/tests/nested_guest_test.sh" ] && tests+=" nested_guest_test.sh"
fi

accel_once "${FLAVOURS%% *}" || {
	echo "not ok - accel: cannot boot a probe guest"
	failed=$((failed + 1))
}

for fl in $FLAVOURS; do
	result=$BUILD/vm/$fl/result
	rm -f "$result"
	if [ ! -d "$BUILD/ko/$fl" ] || [ -z "$tests" ]; then
		echo "not ok - vm-$fl: nothing to run (build failed)"
		failed=$((failed + 1))
		continue
	fi
	echo "# booting the $fl VM: $tests"
	t0=$SECONDS
	extra=()
	[ -d "$BUILD/nested-extra" ] && extra=(--extra "$BUILD/nested-extra" --mem 3072)
	MVGPU_BUILD_DIR=$BUILD "$ROOT/tests/vm/run-vm.sh" --kernel "$fl" \
		--modules "$BUILD/ko/$fl" --bin "$BUILD/tests" \
		--tests "$tests" --timeout "$VM_TIMEOUT" --test-timeout 900 \
		"${extra[@]}" --no-stream
	rc=$?
	echo "# vm-$fl: $((SECONDS - t0)) s, exit $rc"
	count_vm "$fl" "$rc"
done

echo "# make check took $((SECONDS - start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
