#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh - install what building and testing mvgpu needs (`make deps`).
#
# Usage: scripts/deps.sh
#
# Idempotent: asks dpkg what is installed and only runs `apt-get update` and
# `apt-get install` for what is missing, so a second run takes seconds.
# Then makes sure the two VM kernels (Debian 6.1 and 6.12) are fetched and
# unpacked under build/kernels/ (scripts/fetch-kernel.sh).
#
# No linux-image package is installed: the VM kernels are downloaded and
# unpacked.  Debian's linux-headers-6.12.*-amd64 hard-depends on its
# linux-image package, so for 6.12 only the -common headers and
# linux-kbuild are installed and fetch-kernel.sh unpacks the rest.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

PACKAGES=(
	# toolchain; kmod for depmod/modinfo on the unpacked VM kernels
	gcc make libc6-dev pkg-config kmod
	# headers of 6.1 (metapackage: follows Debian's ABI); 6.12: see above
	linux-headers-amd64
	# kernel source for the kselftest headers; sparse for `make C=1`;
	# pahole for 6.12's BTF step when building modules
	linux-source-6.1 sparse dwarves
	# the test VMs
	qemu-system-x86 busybox-static cpio xz-utils
	# tools: libpci for mvgpuctl, lspci and mdevctl for tests; python3
	# checks mvgpuctl's JSON and XML output in its unit tests
	libpci-dev pciutils mdevctl python3
	# make check-debug builds a kernel from linux-source-6.1
	flex bison bc libelf-dev libssl-dev
	# make check-fresh: a minimal Debian 12 root, used through a chroot
	debootstrap
	# make deb: dpkg-buildpackage, debhelper with dh_dkms, lintian
	dpkg-dev debhelper dh-dkms lintian
	# mvgpu-engined: the Vulkan loader's headers, glslangValidator for
	# its shaders; lavapipe and vulkaninfo to run and inspect it on a
	# host without a GPU (its VM tests bring their own, from
	# scripts/roots/vk-bookworm.recipe)
	libvulkan-dev glslang-tools mesa-vulkan-drivers vulkan-tools
)

# The programs the build, the tests and the scripts call, which the
# packages above provide; checked after installing (scripts/need.sh).
TOOLS=(gcc make pkg-config depmod modinfo perl git tar xz gzip cpio sparse
	pahole qemu-system-x86_64 busybox lspci mdevctl python3 debootstrap
	apt-get dpkg-deb sha256sum timeout dpkg-buildpackage dh dh_dkms lintian
	glslangValidator vulkaninfo)

export DEBIAN_FRONTEND=noninteractive

# shellcheck source=scripts/need.sh
. "$ROOT/scripts/need.sh"

# is_installed PKG -> true if dpkg has PKG fully installed
is_installed() {
	[[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null) == "ii " ]]
}

die() {
	echo "deps: error: $*" >&2
	exit 1
}

apt_install() {
	local sudo=()
	[[ $EUID -eq 0 ]] || sudo=(sudo)
	echo "deps: installing: $*" >&2
	"${sudo[@]}" apt-get update -q
	"${sudo[@]}" apt-get install -y -q --no-install-recommends "$@"
}

main() {
	local missing=() pkg flavour release

	for pkg in "${PACKAGES[@]}"; do
		is_installed "$pkg" || missing+=("$pkg")
	done
	if ((${#missing[@]})); then
		apt_install "${missing[@]}"
	else
		echo "deps: all ${#PACKAGES[@]} packages present" >&2
	fi

	# 6.12 builds with its -common headers and linux-kbuild from apt.
	missing=()
	for pkg in $("$ROOT/scripts/fetch-kernel.sh" --print-build-deps 6.12); do
		is_installed "$pkg" || missing+=("$pkg")
	done
	((${#missing[@]} == 0)) || apt_install "${missing[@]}"

	# The image a metapackage points at can move ahead of the installed
	# 6.1 headers after an `apt-get update` (a new Debian kernel ABI).
	# Upgrade the headers metapackage then, so headers and VM kernel stay
	# in step.  (6.12's headers are unpacked at the image's version.)
	if ! "$ROOT/scripts/fetch-kernel.sh" --check 6.1 2>/dev/null; then
		apt_install linux-headers-amd64
		"$ROOT/scripts/fetch-kernel.sh" --check 6.1
	fi

	# What the scripts run: all of it must be there now.
	need "${TOOLS[@]}"

	# (A failure inside "$(...)" in an echo would not stop the script:
	# the release goes into a variable first.)
	for flavour in 6.1 6.12; do
		release=$("$ROOT/scripts/fetch-kernel.sh" "$flavour") ||
			die "no VM kernel for $flavour (see the lines above)"
		echo "deps: VM kernel $flavour: $release" >&2
	done

	# QEMU 10 (VFIO migration v2) for the live-migration test, unpacked
	# into the cache from bookworm-backports, never installed.
	"$ROOT/scripts/fetch-qemu10.sh" ||
		die "no QEMU 10 for the live-migration test (see above)"
}

main "$@"
