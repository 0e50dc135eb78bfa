#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check-install.sh - what `make check-install` runs: mvgpu installed on a
# Debian 12 host the way the administrator's guide says, on 6.1 and 6.12.
#
# Usage:
#   scripts/check-install.sh [--kernels "6.1 6.12"]
#
# 1. Builds what is installed: `make deb` (mvgpu-dkms and mvgpu-tools),
#    the tree for each kernel (`make install-build`, which `make install`
#    in the VM then finds up to date) and the VFIO client
#    build/install-tests/vfio_open.
# 2. For each kernel, a Debian 12 root image with that kernel's image and
#    headers, dkms, gcc, mdevctl and udev (scripts/roots/
#    install-bookworm-<k>.recipe; built by debootstrap the first time and
#    cached under build/roots/ by the recipe: scripts/mkroot.sh --image).
# 3. Boots it (tests/vm/run-vm.sh --rootfs; the image is a snapshot, never
#    changed) and runs tests/install/install_test.sh in it: apt-get install
#    of the two packages, DKMS, modprobe, a vGPU from mvgpuctl opened
#    through VFIO, an mdevctl --auto vGPU surviving a module reload,
#    apt-get purge leaving no file behind; then make install / make
#    uninstall the same way.
# 4. Prints each step's time and the totals line "N passed, N failed" last;
#    logs in build/install-vm/.
#
# Needs root (debootstrap), debootstrap, mke2fs and QEMU: make deps.
# Why separate from make check: the first run builds two images (minutes
# each), and every run builds mvgpu with DKMS inside an emulated VM.

set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
WORK=$BUILD/install-vm
LOGS=$WORK/logs
passed=0 failed=0
# shellcheck source=scripts/step.sh
. "$ROOT/scripts/step.sh"

fail() {
	echo "check-install: $*" >&2
	echo "$passed passed, $((failed + 1)) failed"
	exit 1
}

# payload K KREL -> $WORK/K/{bin,extra,modules} for run-vm.sh
payload() {
	local k=$1 krel=$2 dir=$WORK/$1 src
	rm -rf "$dir"
	mkdir -p "$dir/bin" "$dir/modules" "$dir/extra/root/mvgpu-install"
	install -m 0755 "$ROOT/tests/install/install_test.sh" \
		"$BUILD/install-tests/vfio_open" "$dir/bin/"
	if ((have_deb)); then
		cp "$BUILD"/deb/mvgpu-dkms_*_all.deb "$BUILD"/deb/mvgpu-tools_*_amd64.deb \
			"$dir/extra/root/mvgpu-install/"
	fi
	if ((have_install)); then
		# The committed sources with their times, and the objects
		# make install-build made for this kernel: make install in the
		# VM finds them up to date and installs them.
		src=$dir/extra/root/mvgpu-install/src
		mkdir -p "$src/build/obj"
		(cd "$ROOT" && git ls-files -z | cpio -0 -pdm --quiet "$src")
		cp -a "$BUILD/obj/kver-$krel" "$src/build/obj/"
		cp -a "$BUILD/install" "$BUILD/mvgpuctl" "$src/build/"
	fi
}

main() {
	local kernels="6.1 6.12" k krel t0=$SECONDS image result p f s t

	while (($#)); do
		case "$1" in
		--kernels)
			kernels=${2-}
			shift
			;;
		*) fail "usage: $0 [--kernels \"6.1 6.12\"]" ;;
		esac
		shift
	done
	[[ $EUID -eq 0 ]] || fail "needs root (debootstrap, the VM's image)"
	for tool in debootstrap mke2fs qemu-system-x86_64 cpio; do
		command -v "$tool" >/dev/null || fail "missing $tool: run 'make deps'"
	done
	mkdir -p "$LOGS"

	# What the pkg work provides; until it is there, the parts are skipped
	# in the VM (and say so).
	have_deb=0 have_install=0
	grep -q '^deb:' "$ROOT/Makefile" && have_deb=1
	grep -q '^install-build:' "$ROOT/Makefile" && have_install=1
	step build-vfio-client make -C "$ROOT" BUILD="$BUILD" \
		"$BUILD/install-tests/vfio_open" || fail "cannot build the VFIO client"
	if ((have_deb)); then
		rm -rf "$BUILD/deb"
		step make-deb make -C "$ROOT" BUILD="$BUILD" deb || fail "make deb failed"
	fi

	for k in $kernels; do
		krel=$(MVGPU_BUILD_DIR=$BUILD "$ROOT/scripts/fetch-kernel.sh" "$k") ||
			fail "no $k kernel"
		if ((have_install)); then
			# 6.1's headers are installed on this machine; 6.12's are in
			# the cache (scripts/fetch-kernel.sh), so name them.
			step "install-build-$k" make -C "$ROOT" BUILD="$BUILD" \
				KDIR="$("$ROOT/scripts/fetch-kernel.sh" --print-kdir "$k")" \
				install-build || continue
		fi
		step "image-$k" "$ROOT/scripts/mkroot.sh" --image \
			"$ROOT/scripts/roots/install-bookworm-$k.recipe" || continue
		image=$(tail -n 1 "$LOGS/image-$k.log")
		echo "# $k: image $image ($(du -m "$image" | cut -f1) MiB used)"
		[[ -n ${MVGPU_ACCEL_DECISION:-} ]] || accel_once "$k" ||
			fail "cannot decide on an accelerator"
		payload "$k" "$krel"

		# The VM's own results, one per check, count in the totals.
		p=0 f=1 s=0 t=$SECONDS
		rm -f "$BUILD/vm/$k/result"
		MVGPU_BUILD_DIR="$BUILD" nice -n 10 "$ROOT/tests/vm/run-vm.sh" --kernel "$k" \
			--rootfs "$ROOT/scripts/roots/install-bookworm-$k.recipe" \
			--modules "$WORK/$k/modules" --bin "$WORK/$k/bin" \
			--extra "$WORK/$k/extra" --tests install_test.sh \
			--mem 2048 --timeout 1800 --test-timeout 1700 \
			--log "$WORK/$k/console.log" --no-stream >"$LOGS/install-vm-$k.log" 2>&1
		echo "# $k: install VM: $((SECONDS - t)) s (log $LOGS/install-vm-$k.log)"
		result=$(cat "$BUILD/vm/$k/result" 2>/dev/null || true)
		if [[ $result =~ passed=([0-9]+)\ failed=([0-9]+)\ skipped=([0-9]+) ]]; then
			p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]} s=${BASH_REMATCH[3]}
		fi
		grep -E '^(not )?ok [0-9]+ ' "$LOGS/install-vm-$k.log" | sed "s/^/# $k: /"
		echo "# $k: $p passed, $f failed, $s skipped in the VM"
		passed=$((passed + p)) failed=$((failed + f))
	done

	echo "# check-install: $((SECONDS - t0)) s in all; logs in $LOGS"
	echo "$passed passed, $failed failed"
	((failed == 0))
}

main "$@"
