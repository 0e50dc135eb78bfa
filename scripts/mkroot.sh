#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# mkroot.sh - a Debian root file system made by debootstrap from a recipe,
# cached under build/roots/.
#
# Usage:
#   scripts/mkroot.sh RECIPE          build (or reuse) the root, print its path
#   scripts/mkroot.sh --print RECIPE  print the path only (no build)
#   scripts/mkroot.sh --image RECIPE  build (or reuse) an ext4 disk image of
#                                     the root, print the image's path
#
# RECIPE is a file of shell assignments (scripts/roots/*.recipe):
#   SUITE=bookworm          the Debian suite debootstrap installs
#   VARIANT=minbase         debootstrap's --variant (default minbase)
#   SECURITY=yes            add SUITE-security and SUITE-updates to apt's
#                           sources (default yes), so the root sees the same
#                           package versions as an up-to-date Debian machine
#   BACKPORTS=no            add SUITE-backports (default no)
#   PACKAGES="make git"     installed with apt-get after debootstrap
#                           (--no-install-recommends)
#   BACKPORTS_PACKAGES=""   installed after PACKAGES from SUITE-backports
#                           (apt-get -t SUITE-backports; needs BACKPORTS=yes)
#   KERNEL=6.1              also install linux-image-<release> and
#                           linux-headers-<release> of the VM kernel of that
#                           flavour (scripts/fetch-kernel.sh), at exactly the
#                           version the VMs boot: the root's /lib/modules is
#                           then the running kernel's whole tree, and DKMS
#                           in it builds for that kernel (default: none)
#   POST="commands"         run with sh in the root after the packages
#                           (default: nothing)
# The root is rebuilt whenever the recipe or this script changes (a hash
# of both, and of KERNEL's resolved release and version, names the cache
# entry), or MVGPU_ROOT_KEY does: a caller that wants a root per archive
# state (e.g. the newest backports kernel) puts that state there.  Building
# takes a temporary directory and a rename, so an interrupted build never
# leaves a half root behind.
#
# --image makes build/roots/<name>-<hash>.ext4 from the root with
# `mke2fs -t ext4 -d` (no loop mount; label mvgpu-root; size: the root's
# size plus room for installing and building in it), then removes the root
# directory: the image is the cache entry.  tests/vm/run-vm.sh --rootfs
# boots it read-only (snapshot=on), so no run ever changes it.
#
# Callers never change the cached root: scripts/in-root.sh --copy works on
# a copy, and disk images are made from it read-only.
#
# The mirror is the host's Debian mirror (from /etc/apt), or MVGPU_MIRROR;
# the security mirror likewise, or MVGPU_SECURITY_MIRROR.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
ROOTS=$BUILD/roots
CLEANUP=""
trap '[[ -z $CLEANUP ]] || rm -rf --one-file-system "$CLEANUP"' EXIT

die() {
	echo "mkroot: error: $*" >&2
	exit 1
}

log() {
	echo "mkroot: $*" >&2
}

# host_mirror PATTERN -> the first apt source URI of the host matching
# PATTERN (deb822 .sources or one-line .list), if any
host_mirror() {
	local f
	for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[[ -r $f ]] || continue
		awk -v pat="$1" '
			/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ pat) { print $i; exit } }
			/^deb / { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($i ~ pat) { print $i; exit } break } }
		' "$f"
	done | head -n 1
}

# recipe_kernel RECIPE -> "<release> <version>" of the VM kernel the
# recipe's KERNEL names (unpacking it if needed), or nothing without KERNEL
recipe_kernel() {
	local KERNEL="" rel stamp
	# shellcheck source=/dev/null
	KERNEL=$(. "$1" && echo "${KERNEL:-}")
	[[ -n $KERNEL ]] || return 0
	rel=$(MVGPU_BUILD_DIR=$BUILD "$ROOT/scripts/fetch-kernel.sh" "$KERNEL") ||
		die "no VM kernel for KERNEL=$KERNEL"
	# fetch-kernel.sh records the package it unpacked: linux-image-REL=VER
	stamp=$(head -n 1 "$BUILD/kernels/$rel/.package")
	echo "$rel ${stamp#*=}"
}

# recipe_path RECIPE -> the cache directory for RECIPE's current contents
recipe_path() {
	local name hash
	name=$(basename "$1" .recipe)
	hash=$({
		cat "$1" "${BASH_SOURCE[0]}"
		recipe_kernel "$1"
		printf '%s' "${MVGPU_ROOT_KEY:-}"
	} | sha256sum | cut -c1-16)
	echo "$ROOTS/$name-$hash"
}

build_root() {
	local recipe=$1 dest=$2 tmp mirror security rel ver
	local SUITE="" VARIANT=minbase SECURITY=yes BACKPORTS=no PACKAGES=""
	local BACKPORTS_PACKAGES="" bpo_install="" KERNEL="" POST=""

	# shellcheck source=/dev/null
	. "$recipe"
	[[ -n $SUITE ]] || die "$recipe: no SUITE"
	[[ -z $BACKPORTS_PACKAGES || $BACKPORTS == yes ]] ||
		die "$recipe: BACKPORTS_PACKAGES needs BACKPORTS=yes"
	# Package lists may span lines in the recipe; the command is one line.
	PACKAGES=$(tr -s ' \t\n' '   ' <<<"$PACKAGES")
	BACKPORTS_PACKAGES=$(tr -s ' \t\n' '   ' <<<"$BACKPORTS_PACKAGES")
	[[ -z ${BACKPORTS_PACKAGES// /} ]] ||
		bpo_install="&& apt-get install -y -q --no-install-recommends -t $SUITE-backports $BACKPORTS_PACKAGES"
	[[ $EUID -eq 0 ]] || die "debootstrap needs root"
	command -v debootstrap >/dev/null || die "missing debootstrap: run 'make deps'"

	mirror=${MVGPU_MIRROR:-$(host_mirror 'debian/?$' | grep -v security || true)}
	mirror=${mirror:-http://deb.debian.org/debian}
	security=${MVGPU_SECURITY_MIRROR:-$(host_mirror 'debian-security/?$' || true)}
	security=${security:-http://deb.debian.org/debian-security}

	mkdir -p "$ROOTS"
	tmp=$(mktemp -d "$ROOTS/.build.XXXXXX")
	CLEANUP=$tmp
	# mktemp's 0700 would become the root's "/": no user but root could
	# reach any file in it.
	chmod 755 "$tmp"
	log "debootstrap --variant=$VARIANT $SUITE from $mirror into $tmp (a few minutes)"
	debootstrap --variant="$VARIANT" "$SUITE" "$tmp" "$mirror" >"$tmp.log" 2>&1 || {
		tail -n 20 "$tmp.log" >&2
		die "debootstrap failed (log: $tmp.log)"
	}
	rm -f "$tmp.log"

	{
		echo "deb $mirror $SUITE main"
		if [[ $SECURITY == yes ]]; then
			echo "deb $mirror $SUITE-updates main"
			echo "deb $security $SUITE-security main"
		fi
		[[ $BACKPORTS != yes ]] || echo "deb $mirror $SUITE-backports main"
	} >"$tmp/etc/apt/sources.list"
	# No daemon starts inside the root (package scripts ask policy-rc.d).
	printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
	chmod 755 "$tmp/usr/sbin/policy-rc.d"

	if [[ -n $KERNEL ]]; then
		read -r rel ver < <(recipe_kernel "$recipe")
		[[ -n $rel && -n $ver ]] || die "cannot resolve KERNEL=$KERNEL"
		PACKAGES+=" linux-image-$rel=$ver linux-headers-$rel=$ver"
		# The kernel package's hook builds an initramfs nobody boots
		# (run-vm.sh brings its own): keep it small, remove it below.
		mkdir -p "$tmp/etc/initramfs-tools/conf.d"
		echo "MODULES=list" >"$tmp/etc/initramfs-tools/conf.d/mvgpu-small"
		POST="rm -f /boot/initrd.img-*${POST:+; $POST}"
	fi

	if [[ -n $PACKAGES ]] || [[ $SECURITY == yes ]]; then
		log "installing into the root: ${PACKAGES:-(updates only)}${BACKPORTS_PACKAGES:+ + $SUITE-backports: $BACKPORTS_PACKAGES}"
		# shellcheck disable=SC2086 # PACKAGES is a word list
		"$ROOT/scripts/in-root.sh" "$tmp" sh -c \
			"apt-get update -q && apt-get -y -q upgrade &&
			 apt-get install -y -q --no-install-recommends $PACKAGES $bpo_install &&
			 apt-get clean" >"$tmp.log" 2>&1 || {
			tail -n 20 "$tmp.log" >&2
			die "installing packages failed (log: $tmp.log)"
		}
		rm -f "$tmp.log"
	fi
	if [[ -n $POST ]]; then
		log "running the recipe's POST commands in the root"
		"$ROOT/scripts/in-root.sh" "$tmp" sh -ec "$POST" >"$tmp.log" 2>&1 || {
			tail -n 20 "$tmp.log" >&2
			die "POST failed (log: $tmp.log)"
		}
		rm -f "$tmp.log"
	fi
	cp "$recipe" "$tmp/.mvgpu-recipe"
	mv "$tmp" "$dest"
	CLEANUP=""
}

# make_image ROOTDIR IMAGE -> an ext4 image of ROOTDIR, made without a loop
# mount; written to a temporary name and renamed.
make_image() {
	local dir=$1 img=$2 used size
	command -v mke2fs >/dev/null || die "missing mke2fs: run 'make deps'"
	# MiB in use, plus a third and 768 MiB: room for apt, DKMS builds and
	# tests in the VM (writes go to QEMU's snapshot, not to this file).
	used=$(du -sm --one-file-system "$dir" | cut -f1)
	size=$((used + used / 3 + 768))
	log "making the ext4 image $img (${size} MiB, from ${used} MiB)"
	rm -f "$img.tmp"
	# (stdout too: mke2fs says "Creating regular file" there, and our
	# stdout is the image's path alone)
	mke2fs -q -F -t ext4 -L mvgpu-root -d "$dir" "$img.tmp" "${size}M" >&2 ||
		die "mke2fs -d failed"
	mv "$img.tmp" "$img"
}

# remove_outdated NAME KEEP -> remove the roots and images of NAME other
# than those of the current hash KEEP (a path without extension).
remove_outdated() {
	local old
	for old in "$ROOTS/$1"-*; do
		# only NAME-<hash>[.ext4]: not another recipe whose name starts so
		[[ ${old##*/} =~ ^$1-[0-9a-f]{16}(\.ext4)?$ ]] || continue
		[[ $old != "$2" && $old != "$2.ext4" ]] || continue
		log "removing the outdated $old"
		rm -rf --one-file-system "$old"
	done
}

main() {
	local print=0 image=0 recipe dest
	case "${1:-}" in
	--print)
		print=1
		shift
		;;
	--image)
		image=1
		shift
		;;
	esac
	[[ $# -eq 1 && -f $1 ]] || die "usage: $0 [--print | --image] RECIPE"
	recipe=$1
	dest=$(recipe_path "$recipe")
	if ((image)); then
		if [[ ! -f $dest.ext4 ]]; then
			remove_outdated "$(basename "$recipe" .recipe)" "$dest"
			[[ -f $dest/.mvgpu-recipe ]] || build_root "$recipe" "$dest"
			make_image "$dest" "$dest.ext4"
			# The image is the cache entry; the directory is as large.
			rm -rf --one-file-system "$dest"
			log "image ready: $dest.ext4"
		fi
		echo "$dest.ext4"
		return
	fi
	if ((print)) || [[ -f $dest/.mvgpu-recipe ]]; then
		echo "$dest"
		return
	fi
	# Roots of older versions of this recipe go: they are large.
	remove_outdated "$(basename "$recipe" .recipe)" "$dest"
	build_root "$recipe" "$dest"
	log "root ready: $dest"
	echo "$dest"
}

main "$@"
