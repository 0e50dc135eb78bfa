#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-kernel.sh - provide a Debian kernel for the test VMs.
#
# Usage:
#   scripts/fetch-kernel.sh FLAVOUR              download + unpack, print release
#   scripts/fetch-kernel.sh --print-release FLAVOUR   print the kernel release
#   scripts/fetch-kernel.sh --print-kdir FLAVOUR      print the headers (build) dir
#   scripts/fetch-kernel.sh --check FLAVOUR           verify image/headers match
#   scripts/fetch-kernel.sh --print-build-deps FLAVOUR  packages deps.sh must
#                                                       install for the headers
#   scripts/fetch-kernel.sh --print-package FLAVOUR   image package=version
#
# FLAVOUR is 6.1 (Debian 12's linux-image-amd64) or 6.12 (linux-image-6.12-amd64),
# or one of Debian 13's, whose headers and compiler only run in a Debian 13
# userland (the chroot of scripts/roots/build-trixie.recipe, which
# scripts/check-kernels.sh builds and compiles in):
#   trixie-6.12  trixie's own kernel (linux-headers-amd64 of trixie), to
#                build against; --print-kdir prints its path in the chroot
#   trixie-bpo   trixie-backports' newest kernel (7.3 in December 2026):
#                built against in the chroot and booted in the VMs
#
# The image package that the image metapackage depends on must be the same
# kernel release (ABI) and the same package version as the headers package
# that the installed headers metapackage depends on; otherwise modules built
# against the headers would not load into the VM kernel (vermagic/modversions).
#
# The .deb is cached outside the tree, keyed by package version, in
#   ${MVGPU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mvgpu}/debs/
# and only what the VMs need is unpacked into build/kernels/<release>/:
#   vmlinuz, config, lib/modules/<release>/{kernel/drivers/vfio/**,
#   kernel/virt/lib/**, what mounts a virtio disk's ext4 root (virtio,
#   virtio_pci, virtio_blk, ext4, crc32c: tests/vm/run-vm.sh --rootfs), plus
#   their dependencies, modules.dep (regenerated with depmod -b),
#   modules.order, modules.builtin}
# Compressed modules (.ko.xz/.ko.zst) are decompressed so busybox insmod can
# load them.
#
# Headers: 6.1's linux-headers-*-amd64 is installed with apt.  6.12's cannot
# be: it hard-depends on its linux-image package, and no kernel image may be
# installed on the host.  So for 6.12 apt installs only the -common and
# linux-kbuild packages it builds with, and the small arch-specific headers
# package is unpacked into the cache, ${CACHE}/headers/<release>/, with its
# scripts/ and tools/ links pointed at the installed linux-kbuild.
#
# Debian 13's packages come through a private apt configuration in
# ${CACHE}/apt-trixie/ (its own sources.list, lists and cache; refreshed
# when a day old): the host's apt sources are never touched and nothing is
# installed on the host.  Since 7.x Debian splits a kernel into
# linux-image (a metapackage), linux-binary (vmlinuz), linux-modules and
# linux-base (config, System.map); they are all fetched and unpacked
# together.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${MVGPU_BUILD_DIR:-$ROOT/build}
CACHE_DIR=${MVGPU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mvgpu}

# The modules unpacked (path prefixes under lib/modules/<release>/), with
# their dependencies: the vfio stack (with mdev and the vfio-pci family)
# and irqbypass for the tests; virtio, the virtio disk, ext4 and the crc32c
# it needs (through the crypto API, so no modules.dep entry) for the
# --rootfs VMs' initramfs; the GEM VRAM helpers (and with them DRM) for
# the nested guest's mvgpu_guest_kms.ko (nested_display_test.sh).  A
# change here re-unpacks (UNPACK_STAMP).
UNPACK_MODULES=(kernel/drivers/vfio/ kernel/virt/lib/ kernel/drivers/virtio/virtio_pci.
	kernel/drivers/block/virtio_blk. kernel/fs/ext4/ kernel/crypto/crc32c_generic.
	kernel/drivers/gpu/drm/drm_vram_helper.)
UNPACK_STAMP="modules: ${UNPACK_MODULES[*]}"

# A temporary directory to remove if we exit early.
CLEANUP=""
trap '[[ -z $CLEANUP ]] || rm -rf "$CLEANUP"' EXIT

# apt's download sandbox user (_apt) cannot write into root's cache.
APT_OPTS=()
[[ $EUID -ne 0 ]] || APT_OPTS=(-o APT::Sandbox::User=root)
# More apt options for downloads: Debian 13's private configuration.
APT_EXTRA=()

die() {
	echo "fetch-kernel: error: $*" >&2
	exit 1
}

log() {
	echo "fetch-kernel: $*" >&2
}

usage() {
	sed -n '4,12s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
	exit 2
}

# meta_packages FLAVOUR -> sets IMAGE_META and HEADERS_META
meta_packages() {
	case "$1" in
	6.1)
		IMAGE_META=linux-image-amd64
		HEADERS_META=linux-headers-amd64
		;;
	6.12)
		IMAGE_META=linux-image-6.12-amd64
		HEADERS_META=linux-headers-6.12-amd64
		UNPACK_HEADERS=1
		;;
	trixie-6.12 | trixie-bpo)
		TRIXIE=1
		;;
	*)
		die "unknown flavour '$1' (expected 6.1, 6.12, trixie-6.12 or trixie-bpo)"
		;;
	esac
}

# Debian 13 through a private apt configuration (see the header).
TRIXIE_APT=$CACHE_DIR/apt-trixie
TRIXIE_APT_OPTS=(-o "Dir::Etc::sourcelist=$TRIXIE_APT/sources.list"
	-o Dir::Etc::sourceparts=- -o "Dir::State::Lists=$TRIXIE_APT/lists"
	-o "Dir::State::status=$TRIXIE_APT/status" -o "Dir::Cache=$TRIXIE_APT/cache")

# trixie_lists -> Debian 13's package lists, fetched when missing or a
# day old (MVGPU_TRIXIE_REFRESH=1 forces it)
trixie_lists() {
	local mirror=${MVGPU_MIRROR:-http://deb.debian.org/debian}
	local security=${MVGPU_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
	local key=/usr/share/keyrings/debian-archive-keyring.gpg stamp=$TRIXIE_APT/lists/.updated
	mkdir -p "$TRIXIE_APT/lists/partial" "$TRIXIE_APT/cache/archives/partial"
	[[ -f $TRIXIE_APT/status ]] || : >"$TRIXIE_APT/status"
	cat >"$TRIXIE_APT/sources.list.new" <<-EOF
		deb [signed-by=$key] $mirror trixie main
		deb [signed-by=$key] $mirror trixie-updates main
		deb [signed-by=$key] $security trixie-security main
		deb [signed-by=$key] $mirror trixie-backports main
	EOF
	if cmp -s "$TRIXIE_APT/sources.list.new" "$TRIXIE_APT/sources.list" &&
		[[ ${MVGPU_TRIXIE_REFRESH:-0} != 1 && -n $(find "$stamp" -mmin -1440 2>/dev/null) ]]; then
		rm -f "$TRIXIE_APT/sources.list.new"
		return
	fi
	mv "$TRIXIE_APT/sources.list.new" "$TRIXIE_APT/sources.list"
	log "updating Debian 13's package lists in $TRIXIE_APT"
	apt-get "${APT_OPTS[@]}" "${TRIXIE_APT_OPTS[@]}" update -q >&2 ||
		die "apt-get update of Debian 13's lists failed"
	touch "$stamp"
}

# trixie_resolve FLAVOUR -> RELEASE, HEADERS_PKG, HEADERS_VER, IMAGE_PKG and
# IMAGE_DEBS (the packages to unpack for the VM; none for trixie-6.12)
trixie_resolve() {
	local suite ver deps
	trixie_lists
	APT_EXTRA=("${TRIXIE_APT_OPTS[@]}")
	case "$1" in
	trixie-6.12) suite='trixie(-security|-updates)?' ;;
	trixie-bpo) suite='trixie-backports' ;;
	esac
	# "linux-image-amd64 | 7.3.4-1~bpo13+1 | http://... trixie-backports/main amd64 Packages"
	ver=$(apt-cache "${TRIXIE_APT_OPTS[@]}" madison linux-image-amd64 |
		awk -F' *[|] *' -v s="^$suite/" '{ split($3, w, " ") } w[2] ~ s { print $2 }' |
		sort -V | tail -n 1)
	[[ -n $ver ]] || die "no linux-image-amd64 in Debian 13's $suite lists"
	deps=$(apt-cache "${TRIXIE_APT_OPTS[@]}" show "linux-image-amd64=$ver" |
		awk '$1 == "Depends:" { sub(/^Depends: /, ""); print; exit }')
	IMAGE_PKG=$(tr ',' '\n' <<<"$deps" | awk '$1 ~ /^linux-image-/ { print $1; exit }')
	[[ -n $IMAGE_PKG ]] || die "cannot resolve linux-image-amd64=$ver"
	RELEASE=${IMAGE_PKG#linux-image-}
	HEADERS_PKG=linux-headers-$RELEASE
	HEADERS_VER=$ver
	IMAGE_DEBS=()
	[[ $1 == trixie-bpo ]] || return 0
	# 7.x: the image is a metapackage over linux-{binary,modules,base}-RELEASE
	deps=$(apt-cache "${TRIXIE_APT_OPTS[@]}" show "$IMAGE_PKG=$ver" |
		awk '$1 == "Depends:" { sub(/^Depends: /, ""); print; exit }')
	IMAGE_DEBS=("$IMAGE_PKG")
	while read -r p; do
		[[ -n $p ]] && IMAGE_DEBS+=("$p")
	done < <(tr ',|' '\n' <<<"$deps" |
		awk -v r="-$RELEASE" '$1 ~ /^linux-(binary|modules|base)-/ &&
			substr($1, length($1) - length(r) + 1) == r { print $1 }' |
		sort -u)
}

# installed_version PKG -> version if PKG is installed, else nothing
installed_version() {
	local status
	status=$(dpkg-query -W -f='${db:Status-Abbrev} ${Version}' "$1" 2>/dev/null) || return 0
	case "$status" in
	"ii "*) echo "${status#ii  }" ;;
	esac
}

# meta_dependency META PREFIX -> the first dependency of META named PREFIX*.
# Uses the installed metapackage if there is one, else apt's candidate.
meta_dependency() {
	local meta=$1 prefix=$2 deps
	if [[ -n $(installed_version "$meta") ]]; then
		deps=$(dpkg-query -W -f='${Depends}' "$meta")
	else
		deps=$(apt-cache depends --important "$meta" 2>/dev/null |
			awk '$1 == "Depends:" || $1 == "|Depends:" { printf "%s, ", $2 }')
	fi
	# "linux-headers-6.1.0-56-amd64 (= 6.1.158-1), foo" -> first match
	awk -v p="$prefix" 'BEGIN { RS = "[,|\n]" }
		{ sub(/^[ \t]+/, ""); split($0, w, /[ (]/) }
		index(w[1], p) == 1 { print w[1]; exit }' <<<"$deps"
}

# candidate_version PKG -> the version apt would install
candidate_version() {
	apt-cache show --no-all-versions "$1" 2>/dev/null |
		awk '$1 == "Version:" { print $2; exit }'
}

# resolve FLAVOUR -> sets RELEASE, HEADERS_PKG, HEADERS_VER, IMAGE_PKG and,
# for unpacked headers, HEADERS_DIR
resolve() {
	local stamp
	UNPACK_HEADERS="" TRIXIE=""
	meta_packages "$1"
	if [[ -n $TRIXIE ]]; then
		trixie_resolve "$1"
		return
	fi
	if [[ -n $UNPACK_HEADERS ]]; then
		# The release is remembered next to the unpacked headers, so that
		# --print-kdir needs no apt-cache call once they are there.
		stamp="$CACHE_DIR/headers/$1.release"
		if [[ -f $stamp ]]; then
			read -r HEADERS_PKG HEADERS_VER <"$stamp"
		else
			HEADERS_PKG=$(meta_dependency "$HEADERS_META" linux-headers-)
			HEADERS_VER=$(candidate_version "$HEADERS_PKG")
		fi
	else
		HEADERS_PKG=$(meta_dependency "$HEADERS_META" linux-headers-)
		HEADERS_VER=$(installed_version "$HEADERS_PKG")
	fi
	[[ -n $HEADERS_PKG ]] ||
		die "cannot resolve $HEADERS_META (run 'make deps' / scripts/deps.sh)"
	RELEASE=${HEADERS_PKG#linux-headers-}
	HEADERS_DIR="$CACHE_DIR/headers/$RELEASE"
	IMAGE_PKG=""
}

# build_deps -> the installable packages the headers need (6.12: the
# -common headers and linux-kbuild that the arch package depends on)
build_deps() {
	if [[ -z $UNPACK_HEADERS ]]; then
		echo "$HEADERS_PKG"
		return
	fi
	apt-cache depends --important "$HEADERS_PKG" 2>/dev/null |
		awk '$1 == "Depends:" && ($2 ~ /^linux-headers-.*-common$/ || $2 ~ /^linux-kbuild-/) { print $2 }'
}

# unpack_headers FLAVOUR -> the arch headers package, unpacked into the cache
unpack_headers() {
	local deb tmp kbuild link
	[[ -f $HEADERS_DIR/.package && $(<"$HEADERS_DIR/.package") == "$HEADERS_PKG=$HEADERS_VER" ]] &&
		return
	deb=$(fetch_deb "$HEADERS_PKG" "$HEADERS_VER")
	log "unpacking $HEADERS_PKG into $HEADERS_DIR"
	rm -rf "$HEADERS_DIR"
	mkdir -p "$CACHE_DIR/headers"
	tmp=$(mktemp -d "$CACHE_DIR/headers/.unpack.XXXXXX")
	CLEANUP=$tmp
	dpkg-deb -x "$deb" "$tmp"
	mv "$tmp/usr/src/linux-headers-$RELEASE" "$HEADERS_DIR"
	rm -rf "$tmp"
	CLEANUP=""
	# scripts -> ../../lib/linux-kbuild-X/scripts only resolves under /usr/src.
	for link in scripts tools; do
		kbuild=$(readlink "$HEADERS_DIR/$link")
		ln -sfn "/usr/lib/${kbuild#../../lib/}" "$HEADERS_DIR/$link"
		[[ -d $HEADERS_DIR/$link/ ]] ||
			die "$HEADERS_DIR/$link -> missing $(readlink "$HEADERS_DIR/$link"); run 'make deps'"
	done
	echo "$HEADERS_PKG=$HEADERS_VER" >"$HEADERS_DIR/.package"
	echo "$HEADERS_PKG $HEADERS_VER" >"$CACHE_DIR/headers/$1.release"
}

# verify -> checks the image metapackage points at the headers' release and
# that the image exists in that exact version. Needs resolve() first.
verify() {
	local image_ver info
	[[ -n $HEADERS_VER ]] ||
		die "$HEADERS_PKG is not installed (run 'make deps' / scripts/deps.sh)"
	# One apt-cache call (each costs ~1 s): apt's candidate stanzas of the
	# image metapackage and of the image the headers' release implies.
	info=$(apt-cache show --no-all-versions "$IMAGE_META" "linux-image-$RELEASE" 2>/dev/null |
		awk '$1 == "Package:" { p = $2 } $1 == "Version:" || $1 == "Depends:" { print p, $0 }' || true)
	IMAGE_PKG=$(awk -v m="$IMAGE_META" '$1 == m && $2 == "Depends:" {
			for (i = 3; i <= NF; i++) if ($i ~ /^linux-image-/) { sub(/,$/, "", $i); print $i; exit }
		}' <<<"$info")
	[[ -n $IMAGE_PKG ]] ||
		die "cannot resolve $IMAGE_META through apt (apt-get update needed?)"
	if [[ $IMAGE_PKG != "linux-image-$RELEASE" ]]; then
		die "ABI mismatch: $IMAGE_META -> $IMAGE_PKG but $HEADERS_META -> $HEADERS_PKG;" \
			"modules built against these headers would not load (vermagic)." \
			"Upgrade the headers: apt-get update && apt-get install $HEADERS_META"
	fi
	image_ver=$(awk -v p="$IMAGE_PKG" '$1 == p && $2 == "Version:" { print $3 }' <<<"$info")
	if [[ $image_ver != "$HEADERS_VER" ]]; then
		# Same ABI name but another upload: we want the image of the exact
		# version the headers come from; apt may still offer it.
		if ! apt-cache madison "$IMAGE_PKG" | awk -v v="$HEADERS_VER" '$3 == v { f = 1 } END { exit !f }'; then
			die "version mismatch: $IMAGE_PKG candidate is $image_ver, headers" \
				"$HEADERS_PKG are $HEADERS_VER and that image version is not" \
				"in the archive. Upgrade: apt-get install $HEADERS_META"
		fi
	fi
}

# fetch_deb PKG VER -> path of the cached .deb of PKG at VER
fetch_deb() {
	local pkg=$1 ver=$2 deb tmp apt_deb
	deb="$CACHE_DIR/debs/${pkg}_${ver//:/%3a}_amd64.deb"

	if [[ -s $deb ]]; then
		echo "$deb"
		return
	fi
	mkdir -p "$CACHE_DIR/debs"
	# apt may have the package already (e.g. installed as a dependency).
	apt_deb="/var/cache/apt/archives/${pkg}_${ver//:/%3a}_amd64.deb"
	if [[ -s $apt_deb ]]; then
		log "copying $apt_deb to the cache"
		cp "$apt_deb" "$deb.tmp"
		mv "$deb.tmp" "$deb"
		echo "$deb"
		return
	fi
	tmp=$(mktemp -d "$CACHE_DIR/debs/.dl.XXXXXX")
	CLEANUP=$tmp
	log "downloading $pkg=$ver into $CACHE_DIR/debs"
	if ! (cd "$tmp" && apt-get "${APT_OPTS[@]}" "${APT_EXTRA[@]}" download -q "$pkg=$ver" >&2); then
		log "download failed; refreshing apt lists and retrying once"
		apt-get "${APT_OPTS[@]}" "${APT_EXTRA[@]}" update -q >&2 || true
		(cd "$tmp" && apt-get "${APT_OPTS[@]}" "${APT_EXTRA[@]}" download -q "$pkg=$ver" >&2) || {
			rm -rf "$tmp"
			die "apt-get download $pkg=$ver failed"
		}
	fi
	mv "$tmp"/*.deb "$deb"
	rm -rf "$tmp"
	CLEANUP=""
	echo "$deb"
}

# module_closure MODDIR WANTED... -> wanted modules (relative paths as in
# modules.dep, e.g. kernel/drivers/vfio/vfio.ko) plus all dependencies.
module_closure() {
	local moddir=$1
	shift
	awk -v wanted="$*" '
		BEGIN { n = split(wanted, w, " "); for (i = 1; i <= n; i++) want[w[i]] = 1 }
		{
			mod = $1; sub(/:$/, "", mod)
			deps[mod] = ""
			for (i = 2; i <= NF; i++) deps[mod] = deps[mod] " " $i
			all[++cnt] = mod
		}
		function add(m,   d, k, i) {
			if (m in seen) return
			seen[m] = 1; print m
			k = split(deps[m], d, " ")
			for (i = 1; i <= k; i++) add(d[i])
		}
		END {
			for (i = 1; i <= cnt; i++) {
				m = all[i]
				for (p in want) if (index(m, p) == 1) add(m)
			}
		}' "$moddir/modules.dep"
}

# unpack DEB... -> build/kernels/RELEASE with only what the VMs need (the
# DEBs of one kernel: one image package, or 7.x's binary/modules/base)
unpack() {
	local deb dest="$BUILD_DIR/kernels/$RELEASE" stamp tmp moddir m
	stamp="$IMAGE_PKG=$HEADERS_VER"$'\n'"$UNPACK_STAMP"
	if [[ -f $dest/.package && $(<"$dest/.package") == "$stamp" ]]; then
		return
	fi
	log "unpacking $IMAGE_PKG into $dest"
	rm -rf "$dest"
	mkdir -p "$BUILD_DIR/kernels"
	tmp=$(mktemp -d "$BUILD_DIR/kernels/.unpack.XXXXXX")
	CLEANUP=$tmp
	# Only the kernel and its module tree; skip /usr/share/doc etc.
	# ('*lib/modules/*' covers both /lib and merged /usr/lib layouts.)
	if (($# == 1)); then
		dpkg-deb --fsys-tarfile "$1" |
			tar -x -C "$tmp" --wildcards './boot/vmlinuz-*' './boot/config-*' '*lib/modules/*'
	else
		# split packages: each holds a part, so no pattern may be required
		for deb in "$@"; do
			dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --exclude='./usr/share/*'
		done
	fi
	moddir="$tmp/lib/modules/$RELEASE"
	[[ -d $moddir ]] || moddir="$tmp/usr/lib/modules/$RELEASE"
	# 7.x keeps vmlinuz and config in the module directory, not in /boot
	for m in vmlinuz config; do
		[[ -e $tmp/boot/$m-$RELEASE || ! -f $moddir/$m ]] || {
			mkdir -p "$tmp/boot"
			mv "$moddir/$m" "$tmp/boot/$m-$RELEASE"
		}
	done
	[[ -f $tmp/boot/vmlinuz-$RELEASE && -d $moddir/kernel ]] ||
		die "$* do not contain vmlinuz and modules for $RELEASE"
	# The package ships no modules.dep (its postinst runs depmod): make one
	# for the whole tree so the dependency closure below is complete.
	depmod -b "${moddir%/lib/modules/*}" "$RELEASE"

	mkdir -p "$dest/lib/modules/$RELEASE"
	cp "$tmp/boot/vmlinuz-$RELEASE" "$dest/vmlinuz"
	cp "$tmp/boot/config-$RELEASE" "$dest/config" 2>/dev/null || true
	for m in modules.order modules.builtin modules.builtin.modinfo; do
		[[ -f $moddir/$m ]] && cp "$moddir/$m" "$dest/lib/modules/$RELEASE/"
	done
	# UNPACK_MODULES, plus whatever they depend on according to the
	# package's own modules.dep.
	(cd "$moddir" && module_closure "$moddir" "${UNPACK_MODULES[@]}" |
		cpio -pdm --quiet "$dest/lib/modules/$RELEASE")
	# busybox insmod cannot load compressed modules.
	find "$dest/lib/modules" -name '*.ko.xz' -exec xz -d {} +
	find "$dest/lib/modules" -name '*.ko.zst' -exec zstd -q -d --rm {} +
	find "$dest/lib/modules" -name '*.ko.gz' -exec gzip -d {} +
	depmod -b "$dest" "$RELEASE"
	rm -rf "$tmp"
	CLEANUP=""
	echo "$stamp" >"$dest/.package"
}

main() {
	local mode=fetch deb
	case "${1:-}" in
	--print-release | --print-kdir | --check | --print-build-deps | --print-package)
		mode=${1#--}
		shift
		;;
	-h | --help | "") usage ;;
	esac
	[[ $# -eq 1 ]] || usage
	resolve "$1"
	case "$mode" in
	print-release)
		echo "$RELEASE"
		;;
	print-package)
		[[ -n $IMAGE_PKG ]] || verify
		echo "$IMAGE_PKG=$HEADERS_VER"
		;;
	print-kdir)
		if [[ -n $TRIXIE ]]; then
			# inside the Debian 13 chroot
			echo "/usr/src/linux-headers-$RELEASE"
		elif [[ -n $UNPACK_HEADERS ]]; then
			echo "$HEADERS_DIR"
		else
			echo "/usr/src/linux-headers-$RELEASE"
		fi
		;;
	print-build-deps)
		[[ -n $TRIXIE ]] || build_deps
		;;
	check)
		[[ -n $TRIXIE ]] || verify
		log "$1: $IMAGE_PKG matches $HEADERS_PKG ($HEADERS_VER)"
		;;
	fetch)
		if [[ -n $TRIXIE ]]; then
			((${#IMAGE_DEBS[@]})) ||
				die "$1 is a kernel to build against only; no image for the VMs"
			# cached .debs cost nothing; unpack() returns early
			# when build/kernels/RELEASE is already this version
			local debs=() p
			for p in "${IMAGE_DEBS[@]}"; do
				debs+=("$(fetch_deb "$p" "$HEADERS_VER")")
			done
			unpack "${debs[@]}"
			echo "$RELEASE"
			return
		fi
		# Quick path: already unpacked for the installed headers' version.
		if [[ -n $HEADERS_VER && -f $BUILD_DIR/kernels/$RELEASE/.package &&
			$(<"$BUILD_DIR/kernels/$RELEASE/.package") == "linux-image-$RELEASE=$HEADERS_VER"$'\n'"$UNPACK_STAMP" ]] &&
			{ [[ -z $UNPACK_HEADERS ]] || [[ -f $HEADERS_DIR/.package ]]; }; then
			echo "$RELEASE"
			return
		fi
		verify
		[[ -z $UNPACK_HEADERS ]] || unpack_headers "$1"
		deb=$(fetch_deb "$IMAGE_PKG" "$HEADERS_VER")
		unpack "$deb"
		echo "$RELEASE"
		;;
	esac
}

main "$@"
