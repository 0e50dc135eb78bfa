#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check-debug.sh - what `make check-debug` runs.
#
#   1. build (or reuse) the debug kernel: linux-source-6.1 with KASAN,
#      lockdep (PROVE_LOCKING), DEBUG_ATOMIC_SLEEP, kmemleak, failslab and
#      UBSAN, vfio/mdev built in (scripts/build-debug-kernel.sh)
#   2. build the modules against it and the test programs
#   3. boot it in a VM and run: kmemleak_clear.sh, every test program of
#      make check (stress and the device-fd fuzzer included; not the
#      nested guest), the fail-nth walk (tests/debug/failnth_test.c) and
#      kmemleak_test.sh, which scans for leaks last
#
# Any failed test, KASAN/UBSAN/lockdep report or other splat in the kernel
# log (tests/vm/run-vm.sh) or kmemleak report fails the run.  The last line
# is the total, as for make check:
#   N passed, N failed
#
# Environment: MVGPU_VM_TESTS (default: as above), MVGPU_VM_TIMEOUT
# (default 10800 s for the VM), MVGPU_TEST_TIMEOUT (default 3600 s per
# test; both grow with MVGPU_STRESS_CYCLES, see below);
# MVGPU_STRESS_CYCLES and MVGPU_FUZZ_ITERS are handed to the tests
# (long runs: MVGPU_VM_TESTS="kmemleak_clear.sh stress_test
# kmemleak_test.sh" MVGPU_STRESS_CYCLES=10000).

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
LOGS=$BUILD/check-debug
# Limits: an hour per test and three for the VM, raised with the stress
# cycles asked for so that a long run is not cut short by its own limit:
# 2 s a cycle plus 300 s, as make stress and stress_test's own alarm allow
# (the debug kernel takes 0.3-0.4 s a cycle under TCG).
cycles=${MVGPU_STRESS_CYCLES:-0}
[[ $cycles =~ ^[0-9]+$ ]] || cycles=0
limit=$((2 * cycles + 300))
TEST_TIMEOUT=${MVGPU_TEST_TIMEOUT:-$((limit > 3600 ? limit : 3600))}
VM_TIMEOUT=${MVGPU_VM_TIMEOUT:-$((TEST_TIMEOUT + 3600 > 10800 ? TEST_TIMEOUT + 3600 : 10800))}

passed=0
failed=0
mkdir -p "$LOGS"
start=$SECONDS

# shellcheck source=scripts/step.sh
. "$ROOT/scripts/step.sh"

# modules NAME KDIR: the modules-% rule of the Makefile, for a kernel that
# fetch-kernel.sh does not know: build in a copy of the sources.
modules() {
	local obj=$BUILD/obj/$1
	rm -rf "$obj" "$BUILD/ko/$1"
	mkdir -p "$obj" "$BUILD/ko/$1"
	cp -r "$ROOT/Kbuild" "$ROOT/drivers" "$ROOT/include" "$obj/"
	find "$obj" \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' \
		-o -name '*.mod' -o -name '*.mod.c' -o -name modules.order \) -delete
	nice -n 10 make -C "$2" M="$obj" modules
	cp "$obj"/drivers/*/*.ko "$BUILD/ko/$1/"
}

# The tests, in the order they run.
test_list() {
	local t n list="kmemleak_clear.sh lifecycle_test"

	for t in "$BUILD"/tests/*; do
		n=$(basename "$t")
		case $n in
		lifecycle_test | mvgpuctl | nested_guest_test.sh) continue ;;
		esac
		[[ -x $t ]] && list+=" $n"
	done
	echo "$list failnth_test kmemleak_test.sh"
}

finish() {
	echo "# make check-debug took $((SECONDS - start)) s"
	echo "$passed passed, $failed failed"
	[[ $failed -eq 0 ]]
}

echo "# mvgpu make check-debug"
kdir=$(BUILD=$BUILD "$ROOT/scripts/build-debug-kernel.sh" --print-kdir)
step debug-kernel env BUILD="$BUILD" "$ROOT/scripts/build-debug-kernel.sh" || { finish; exit 1; }
sed -n 's/^build-debug-kernel: \(built .*\|cached.*\)/# debug kernel: \1/p' \
	"$LOGS/debug-kernel.log"
step build-debug modules debug "$kdir" || { finish; exit 1; }
step tests-build make -C "$ROOT" BUILD="$BUILD" tests debug-tests || { finish; exit 1; }

# Everything the VM runs in one directory: make check's programs (and the
# mvgpuctl tool mvgpuctl_test.sh needs) plus ours.
bin=$BUILD/check-debug/bin
rm -rf "$bin"
mkdir -p "$bin"
cp "$BUILD"/tests/* "$BUILD"/debug-tests/* "$bin/"
tests=${MVGPU_VM_TESTS:-$(test_list)}
env_args=()
for v in MVGPU_STRESS_CYCLES MVGPU_FUZZ_ITERS; do
	[[ -z ${!v:-} ]] || env_args+=(--env "$v=${!v}")
done

# Two things of Linux 6.1's own, not mvgpu's, that the run must not count:
# - MVGPU_TEST_PIN=0: the tests leave guest-memory pinning off (as it is
#   by default).  With it on, lockdep reports vfio type1's own lock order
#   (device_list_lock and iommu->lock taken both ways; see dma_cache_mb in
#   Documentation/admin-guide.rst); make check covers the pinned path.
# - --known-splat: the fail-nth walk over mdev create makes
#   vfio_register_emulated_iommu_dev() fail inside vfio_create_group(),
#   whose error path puts a group that still holds its iommu_group and
#   WARNs in vfio_group_release() (drivers/vfio/vfio_main.c:179).  The
#   report is printed, marked as a known kernel bug; any other one fails.
echo "# booting the debug kernel: $tests"
t0=$SECONDS
rc=0
MVGPU_BUILD_DIR=$BUILD "$ROOT/tests/vm/run-vm.sh" --kernel debug \
	--kernel-image "$kdir/arch/x86/boot/bzImage" \
	--modules "$BUILD/ko/debug" --bin "$bin" --tests "$tests" \
	--timeout "$VM_TIMEOUT" --test-timeout "$TEST_TIMEOUT" --mem 2048 \
	--env MVGPU_TEST_PIN=0 "${env_args[@]}" \
	--known-splat 'at drivers/vfio/vfio_main\.c:[0-9]+ vfio_group_release' \
	--no-stream || rc=$?
echo "# vm-debug: $((SECONDS - t0)) s, exit $rc"
count_vm debug "$rc"
finish
