#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh - what `make demo` runs: the whole mvgpu story from a fresh
# Debian 12 machine.  Installs what is missing, builds the modules, the
# tools and the guest driver, boots a host VM on Debian's 6.1 kernel with
# mvgpu_sim, and inside it (tests/demo/demo_vm.sh) lists the profiles with
# mvgpuctl, creates two vGPUs of different profiles, starts a QEMU guest
# with one vGPU that loads mvgpu_guest.ko, runs the same benchmark in the
# guest, on the host path and through a VFIO client, interleaved, and
# prints the guest-vs-host table.
#
# Every long step prints a progress line.  The host VM runs on KVM where a
# probe guest shows KVM works, else under TCG (the choice and its reason
# are printed); the guest then runs nested-emulated and takes several
# minutes.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
start=$SECONDS

progress() {
	printf '[demo %4ds] %s\n' $((SECONDS - start)) "$*"
}

progress "installing what is missing (make deps)"
make -C "$ROOT" -s deps

progress "building mvgpu, mvgpu_sim and mvgpu_guest for Debian 6.1"
make -C "$ROOT" -s BUILD="$BUILD" modules-6.1 >/dev/null
progress "building mvgpuctl and mvgpu-bench"
make -C "$ROOT" -s BUILD="$BUILD" tests tools >/dev/null

progress "building the guest: QEMU for the host VM, the guest kernel and initramfs"
payload=$BUILD/demo/payload
rm -rf "$BUILD/demo/bin" "$payload"
mkdir -p "$BUILD/demo/bin" "$payload"
cp "$BUILD/ko/6.1/mvgpu_guest.ko" "$BUILD/tools/mvgpu-bench" "$payload/"
MVGPU_BUILD_DIR=$BUILD MVGPU_NESTED_PAYLOAD=$payload \
	"$ROOT/tests/vm/nested/build-extra.sh" "$BUILD/demo/extra"
cp "$ROOT/tests/demo/demo_vm.sh" "$ROOT/tests/bench/hvg_bench.sh" \
	"$BUILD/tests/mvgpuctl" "$BUILD/tools/mvgpu-bench" "$BUILD/demo/bin/"

# shellcheck source=scripts/step.sh
. "$ROOT/scripts/step.sh"
accel_once 6.1

progress "booting the host VM (Debian 6.1, mvgpu_sim); its progress lines follow"
# The VM's console streams with a "#| " prefix: show its progress lines as
# they come, then the demo's whole output once the VM is done.
MVGPU_BUILD_DIR=$BUILD "$ROOT/tests/vm/run-vm.sh" --kernel 6.1 \
	--modules "$BUILD/ko/6.1" --bin "$BUILD/demo/bin" --tests demo_vm.sh \
	--extra "$BUILD/demo/extra" --mem 3072 --timeout 3000 \
	--test-timeout 2900 |
	awk '/^#\| ### DEMO / { sub(/^#\| ### DEMO /, "  vm "); print; fflush(); next }
	     /^# === 6.1: demo_vm.sh/ { out = 1; print ""; next }
	     /^# --- 6.1: demo_vm.sh/ { out = 0 }
	     out && !/^### DEMO|^TAP|^1\.\./ { print }
	     /^# 6.1: [0-9]+ passed/ { print }'
progress "done"
