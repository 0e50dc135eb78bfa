#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-extra.sh - the files a nested guest (L2) needs inside the test VM (L1).
#
# Usage: tests/vm/nested/build-extra.sh [--force] OUTDIR
#
# OUTDIR is meant for tests/vm/run-vm.sh --extra (copied verbatim into L1's
# initramfs root).  It gets:
#
#   usr/bin/qemu-system-x86_64 and its shared libraries (ldd closure)
#   usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so   (Debian builds TCG
#                       as a module; QEMU_MODULE_DIR must point here)
#   usr/lib/mvgpu-nested/
#     firmware/         for qemu -L: only what -machine q35 -nographic
#                       -nic none -vga none with a PVH kernel loads
#                       (bios-256k.bin, kvmvapic.bin, pvh.bin)
#     vmlinux           the L2 kernel: Debian's 6.1 kernel, decompressed
#                       from its vmlinuz and booted through its PVH entry
#     initrd.cpio       the L2 initramfs (uncompressed): busybox-static,
#                       lspci (pciutils) with its libraries and pci.ids,
#                       mvgpu-peek (tests/guest/mvgpu-peek.c), mvgpu_guest.ko
#                       built for the L2 kernel with mvgpu-guest-test
#                       (tests/guest/mvgpu-guest-test.c), and an /init that
#                       prints the vGPU's lspci -vv, runs mvgpu-peek, loads
#                       the driver, runs mvgpu-guest-test (which removes and
#                       rescans the vGPU's PCI function), unloads the driver,
#                       checks the kernel log and powers off
#                       With "mvgpu.run=display" on L2's command line, /init
#                       instead loads DRM, mvgpu_guest.ko and
#                       mvgpu_guest_kms.ko and runs mvgpu-draw
#                       (tests/guest/mvgpu-draw.c) for
#                       tests/selftests/nested_display_test.sh
#     display-check     that test's screendump comparison, for L1
#                       (tests/vm/nested/display-check.c)
#     nested.conf       shell variables for tests/selftests/nested_guest_test.sh
#     inputs.sha256     the cache key
#
# Why PVH and no compression: under nested TCG every guest instruction costs
# two levels of translation, and decompressing the xz'd 6.1 bzImage alone
# is most of a nested boot.  The decompressed ELF is booted through its Xen
# PVH note (CONFIG_PVH=y in Debian's kernels), and the small initramfs is
# not compressed either.
#
# The result is cached: the inputs (this script, the sources of the L2
# programs and of mvgpu_guest.ko with the headers they include, and
# name/size/mtime of every file copied in) are hashed, and nothing is
# rebuilt when the hash matches OUTDIR's.  --force rebuilds.
#
# Guest payload: when MVGPU_NESTED_PAYLOAD names a directory holding
# mvgpu_guest.ko (built for the L2 kernel) and mvgpu-bench, they go into the
# L2 initramfs under /payload, and an L2 booted with "mvgpu.run=bench" on
# its command line loads the driver and runs the benchmark on /dev/mvgpu0,
# printing its JSON lines between ### L2-BENCH-BEGIN/END; with
# "mvgpu.run=serve" it runs mvgpu-bench --serve on the console for
# tests/bench/hvg_bench.sh.  An L2 booted with any mvgpu.run=... skips
# mvgpu-guest-test, which would take the vGPU away from the payload.
#
# Environment: MVGPU_BUILD_DIR (as for run-vm.sh; the L2 kernel comes from
# its kernels/ directory, fetched with scripts/fetch-kernel.sh if missing),
# MVGPU_NESTED_L2_FLAVOUR (default 6.1), CC (default gcc).

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
SELF="$ROOT/tests/vm/nested/build-extra.sh"
BUILD_DIR=${MVGPU_BUILD_DIR:-$ROOT/build}
L2_FLAVOUR=${MVGPU_NESTED_L2_FLAVOUR:-6.1}
CC=${CC:-gcc}

QEMU=/usr/bin/qemu-system-x86_64
QEMU_MODDIR=/usr/lib/x86_64-linux-gnu/qemu
ACCEL=$QEMU_MODDIR/accel-tcg-x86_64.so
# Firmware for q35 -nographic -nic none -vga none -kernel <PVH ELF>:
# SeaBIOS, the vapic option ROM every PC machine loads, the PVH boot ROM.
FIRMWARE=(/usr/share/seabios/bios-256k.bin /usr/share/qemu/kvmvapic.bin
	/usr/share/qemu/pvh.bin)
BUSYBOX=/bin/busybox
LSPCI=/usr/bin/lspci
PCI_IDS=/usr/share/misc/pci.ids
PEEK_SRC="$ROOT/tests/guest/mvgpu-peek.c"
GUEST_TEST_SRC="$ROOT/tests/guest/mvgpu-guest-test.c"
DRAW_SRC="$ROOT/tests/guest/mvgpu-draw.c"
CHECK_SRC="$ROOT/tests/vm/nested/display-check.c"
# mvgpu_guest.ko and mvgpu_guest_kms.ko are built from these, laid out as
# in the tree.
GUEST_KO_SRCS=(drivers/mvgpu_guest/Kbuild drivers/mvgpu_guest/guest.c
	drivers/mvgpu_guest/display.c drivers/mvgpu_guest/display.h
	drivers/mvgpu_guest/kms.c include/mvgpu/guest_display.h
	drivers/mvgpu/compat.h drivers/mvgpu/compat.mk include/mvgpu/bufpool.h
	include/mvgpu/submit.h include/uapi/linux/mvgpu.h)
PAYLOAD=${MVGPU_NESTED_PAYLOAD:-}
PAYLOAD_FILES=(mvgpu_guest.ko mvgpu-bench)
UAPI="$ROOT/include/uapi/linux/mvgpu.h"
NESTED=usr/lib/mvgpu-nested

die() {
	echo "build-extra: error: $*" >&2
	exit 1
}

# shellcheck source=scripts/need.sh
. "$ROOT/scripts/need.sh"
need qemu-system-x86_64 busybox lspci cpio xz strip ldd sha256sum "$CC"

log() {
	echo "build-extra: $*" >&2
}

# libs BIN... -> the shared libraries BIN needs (absolute paths, unique)
libs() {
	ldd "$@" 2>/dev/null | grep -o '/[^ ]*' | grep -v ':$' | sort -u
}

# copy_files ROOT FILE... -> each FILE (symlinks resolved) at its path in ROOT
copy_files() {
	local root=$1 f
	shift
	for f in "$@"; do
		[[ -e $root$f ]] || cp -L --parents "$f" "$root"
	done
}

# input_list -> every file the result is made of, one a line
input_list() {
	[[ -z $PAYLOAD ]] || printf "$PAYLOAD/%s\n" "${PAYLOAD_FILES[@]}"
	printf '%s\n' "$SELF" "$PEEK_SRC" "$UAPI" "$QEMU" "$ACCEL" "${FIRMWARE[@]}" \
		"$BUSYBOX" "$LSPCI" "$L2_VMLINUZ"
	[[ ! -e $PCI_IDS ]] || echo "$PCI_IDS"
	libs "$QEMU" "$ACCEL" "$LSPCI"
}

# cache_key -> hash over the inputs' contents (small files) or identity
cache_key() {
	{
		echo "flavour=$L2_FLAVOUR cc=$($CC -dumpfullversion 2>/dev/null) payload=$PAYLOAD"
		sha256sum "$SELF" "$PEEK_SRC" "$GUEST_TEST_SRC" "$DRAW_SRC" \
			"$CHECK_SRC" "$UAPI"
		(cd "$ROOT" && sha256sum "${GUEST_KO_SRCS[@]}")
		echo "l2-kdir=$L2_KDIR"
		input_list | sort -u | xargs stat -L -c '%n %s %Y'
	} | sha256sum | cut -d' ' -f1
}

# extract_vmlinux VMLINUZ OUT -> the ELF kernel inside a bzImage
extract_vmlinux() {
	local img=$1 out=$2 magic cmd off
	for magic in 'xz:\xfd7zXZ\x00' 'zstd:\x28\xb5\x2f\xfd' 'gzip:\x1f\x8b\x08'; do
		cmd=${magic%%:*}
		# grep -b gives byte offsets of every match; try each in turn
		# (cut first: bash's read mangles the binary match in UTF-8).
		while read -r off; do
			tail -c +$((off + 1)) "$img" | $cmd -dc >"$out" 2>/dev/null || true
			if [[ $(head -c 4 "$out" | od -An -tx1 | tr -d ' ') == 7f454c46 ]]; then
				return 0
			fi
		done < <(LC_ALL=C grep -aboP "${magic#*:}" "$img" | cut -d: -f1)
	done
	die "no compressed ELF kernel found in $img"
}

# l2_init FILE -> the L2 guest's /init
l2_init() {
	cat >"$1" <<'EOF'
#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /init of the nested (L2) guest, generated by tests/vm/nested/build-extra.sh.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
read -r up _ </proc/uptime
echo "### L2-BOOTED uptime=$up kernel=$(uname -r)"

# The display test: DRM and the two drivers, then mvgpu-draw (its steps
# are announced on the console for the host's screendumps).
if grep -q mvgpu.run=display /proc/cmdline; then
	echo "### L2-DISPLAY-BEGIN"
	for m in $(cat /guest/drm.order); do
		insmod "/guest/drm/$m" || echo "insmod $m failed"
	done
	insmod /guest/mvgpu_guest.ko && insmod /guest/mvgpu_guest_kms.ko &&
		echo insmod=ok
	/bin/mvgpu-draw
	rc=$?
	dmesg >/tmp/dmesg.txt
	grep -E 'mvgpu|drm' /tmp/dmesg.txt | sed 's/^/# /'
	splat='BUG:|WARNING:|Oops|KASAN|UBSAN|general protection|Call Trace|refcount_t:|list_(add|del) corruption'
	if grep -Eq "$splat" /tmp/dmesg.txt; then
		echo dmesg=splat
		grep -E -A 12 "$splat" /tmp/dmesg.txt | head -n 60 | sed 's/^/# /'
	else
		echo dmesg=clean
	fi
	echo "### L2-DISPLAY-END rc=$rc"
	echo "### L2-DONE"
	poweroff -f
fi

echo "### L2-LSPCI-BEGIN"
lspci -vv -nn
echo "### L2-LSPCI-END"

# mvgpu-peek, then 2000 random config-space writes through sysfs (QEMU,
# VFIO, the host's emulation), after which the device must still answer.
echo "### L2-PEEK-BEGIN"
MVGPU_PEEK_CFGFUZZ=2000 /bin/mvgpu-peek
echo "### L2-PEEK-END rc=$?"

# The kernel's view of the vGPU (its BDF as lspci prints it).
bdf=$(lspci -n -d 1234:4d56 | cut -d' ' -f1)
echo "### L2-DMESG-BEGIN"
[ -z "$bdf" ] || dmesg | grep -F "$bdf"
echo "### L2-DMESG-END"

# The guest driver: load it, let mvgpu-guest-test remove the vGPU under an
# open file and bring it back, unload it, and look for splats.
if [ -f /guest/mvgpu_guest.ko ] && ! grep -q mvgpu.run= /proc/cmdline; then
	read -r up _ </proc/uptime
	echo "### L2-GUEST-BEGIN uptime=$up"
	if insmod /guest/mvgpu_guest.ko; then echo insmod=ok; else echo insmod=failed; fi
	read -r up _ </proc/uptime
	echo "# insmod done: uptime=$up"
	/bin/mvgpu-guest-test
	rc=$?
	read -r up _ </proc/uptime
	echo "# mvgpu-guest-test done: uptime=$up"
	if rmmod mvgpu_guest && [ ! -d /sys/module/mvgpu_guest ]; then
		echo rmmod=ok
	else
		echo rmmod=failed
	fi
	read -r up _ </proc/uptime
	echo "# rmmod done: uptime=$up"
	dmesg >/tmp/dmesg.txt
	grep -F mvgpu_guest /tmp/dmesg.txt | sed 's/^/# /'
	splat='BUG:|WARNING:|Oops|KASAN|UBSAN|general protection|Call Trace|refcount_t:|list_(add|del) corruption'
	if grep -Eq "$splat" /tmp/dmesg.txt; then
		echo dmesg=splat
		grep -E -A 12 "$splat" /tmp/dmesg.txt | head -n 60 | sed 's/^/# /'
	else
		echo dmesg=clean
	fi
	read -r up _ </proc/uptime
	echo "### L2-GUEST-END rc=$rc uptime=$up"
fi

if grep -q mvgpu.run=bench /proc/cmdline && [ -f /payload/mvgpu_guest.ko ]; then
	insmod /payload/mvgpu_guest.ko
	dmesg | grep -F mvgpu_guest | tail -n 3
	echo "### L2-BENCH-BEGIN"
	/payload/mvgpu-bench --dev /dev/mvgpu0 --reps 3 --json
	echo "### L2-BENCH-END rc=$?"
fi

# Interleaved with the host VM's own runs (tests/bench/hvg_bench.sh): one
# repetition per "rep" line on the console.
if grep -q mvgpu.run=serve /proc/cmdline && [ -f /payload/mvgpu_guest.ko ]; then
	insmod /payload/mvgpu_guest.ko
	/payload/mvgpu-bench --dev /dev/mvgpu0 --serve
	echo "### L2-SERVE-END rc=$?"
fi

read -r up _ </proc/uptime
echo "### L2-DONE uptime=$up"
poweroff -f
EOF
	chmod 755 "$1"
}

# build_guest_ko OUT [NAME] -> NAME.ko (mvgpu_guest) for the L2 kernel:
# the one `make modules-<L2 flavour>` left in MVGPU_BUILD_DIR (make check
# has just built it) if it is newer than every source, else built here in
# a copy of its sources (kbuild writes next to them)
build_guest_ko() {
	local name=${2:-mvgpu_guest}
	local src=$TMP/guest-ko ko=$BUILD_DIR/ko/$L2_FLAVOUR/$name.ko f
	if [[ -f $ko ]]; then
		for f in "${GUEST_KO_SRCS[@]}"; do
			[[ $ko -nt $ROOT/$f ]] || ko=""
		done
		if [[ -n $ko ]]; then
			log "$name.ko: $ko"
			strip --strip-debug -o "$1" "$ko"
			return 0
		fi
	fi
	if [[ -f $src/drivers/mvgpu_guest/$name.ko ]]; then
		strip --strip-debug -o "$1" "$src/drivers/mvgpu_guest/$name.ko"
		return 0
	fi
	mkdir -p "$src"
	(cd "$ROOT" && cp --parents "${GUEST_KO_SRCS[@]}" "$src/")
	make -s -C "$L2_KDIR" M="$src/drivers/mvgpu_guest" modules \
		>"$TMP/guest-ko.log" 2>&1 || {
		cat "$TMP/guest-ko.log" >&2
		die "building mvgpu_guest.ko for $L2_KREL failed"
	}
	# Without its debug info the module loads faster under nested TCG.
	strip --strip-debug -o "$1" "$src/drivers/mvgpu_guest/$name.ko"
}

# drm_modules STAGE -> DRM and the GEM VRAM helpers of the L2 kernel in
# STAGE/guest/drm/, and STAGE/guest/drm.order, the order to insmod them in
# (every module after its dependencies, from modules.dep)
drm_modules() {
	local stage=$1 moddir="$BUILD_DIR/kernels/$L2_KREL/lib/modules/$L2_KREL"
	local -A done=()
	local m
	mkdir -p "$stage/guest/drm"
	: >"$stage/guest/drm.order"
	visit() {
		local mod=$1 dep
		[[ -z ${done[$mod]:-} ]] || return 0
		done[$mod]=1
		for dep in $(sed -n "s|^$mod: *||p" "$moddir/modules.dep"); do
			visit "$dep"
		done
		[[ -f $moddir/$mod ]] || die "$mod is not unpacked (scripts/fetch-kernel.sh)"
		cp "$moddir/$mod" "$stage/guest/drm/"
		basename "$mod" >>"$stage/guest/drm.order"
	}
	m=$(grep -o '^kernel/drivers/gpu/drm/drm_vram_helper\.ko[^:]*' "$moddir/modules.dep") ||
		die "no drm_vram_helper in $moddir/modules.dep"
	visit "$m"
}

# build_l2_initrd OUT PEEK GUEST_TEST GUEST_KO -> uncompressed newc cpio for L2
build_l2_initrd() {
	local out=$1 peek=$2 guest_test=$3 guest_ko=$4 stage applet lib
	stage=$(mktemp -d "$TMP/l2root.XXXXXX")
	mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp}
	cp "$BUSYBOX" "$stage/bin/busybox"
	for applet in $("$BUSYBOX" --list-full); do
		[[ -e $stage/$applet ]] || ln -s /bin/busybox "$stage/$applet"
	done
	# The real lspci (busybox has one, without -vv): replace the applet.
	rm -f "$stage$LSPCI"
	mapfile -t lib < <(libs "$LSPCI")
	copy_files "$stage" "$LSPCI" "${lib[@]}"
	[[ ! -e $PCI_IDS ]] || copy_files "$stage" "$PCI_IDS"
	cp "$peek" "$stage/bin/mvgpu-peek"
	cp "$guest_test" "$stage/bin/mvgpu-guest-test"
	mkdir -p "$stage/guest"
	cp "$guest_ko" "$stage/guest/mvgpu_guest.ko"
	cp "$TMP/mvgpu_guest_kms.ko" "$stage/guest/mvgpu_guest_kms.ko"
	cp "$TMP/mvgpu-draw" "$stage/bin/mvgpu-draw"
	drm_modules "$stage"
	if [[ -n $PAYLOAD ]]; then
		mkdir -p "$stage/payload"
		for f in "${PAYLOAD_FILES[@]}"; do
			cp "$PAYLOAD/$f" "$stage/payload/" || die "payload: no $PAYLOAD/$f"
		done
	fi
	# No modules, but empty indexes: lspci -v asks libkmod about drivers and
	# complains without them.
	mkdir -p "$stage/lib/modules/$L2_KREL"
	(cd "$stage/lib/modules/$L2_KREL" && touch modules.order modules.builtin modules.builtin.modinfo)
	depmod -b "$stage" "$L2_KREL"
	l2_init "$stage/init"
	(cd "$stage" && find . -print | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) >"$out"
}

main() {
	local force=0 out key nd lib

	while (($#)); do
		case "$1" in
		--force) force=1 ;;
		-h | --help)
			sed -n '4,/^$/s/^# \{0,1\}//p' "$SELF" >&2
			exit 2
			;;
		-*) die "unknown option $1" ;;
		*) break ;;
		esac
		shift
	done
	(($# == 1)) || die "usage: $0 [--force] OUTDIR"
	out=$1

	for f in "$QEMU" "$ACCEL" "${FIRMWARE[@]}" "$BUSYBOX" "$LSPCI"; do
		[[ -e $f ]] || die "missing $f (run 'make deps'; needs qemu-system-x86, seabios, busybox-static, pciutils)"
	done
	! ldd "$BUSYBOX" >/dev/null 2>&1 ||
		die "$BUSYBOX is not statically linked (install busybox-static)"

	# The L2 kernel: what fetch-kernel.sh unpacked (quick when it is there).
	L2_KREL=$("$ROOT/scripts/fetch-kernel.sh" "$L2_FLAVOUR") ||
		die "no $L2_FLAVOUR kernel (scripts/fetch-kernel.sh $L2_FLAVOUR)"
	L2_VMLINUZ="$BUILD_DIR/kernels/$L2_KREL/vmlinuz"
	[[ -f $L2_VMLINUZ ]] || die "missing $L2_VMLINUZ"
	L2_KDIR=$("$ROOT/scripts/fetch-kernel.sh" --print-kdir "$L2_FLAVOUR") ||
		die "no $L2_FLAVOUR kernel headers (scripts/fetch-kernel.sh)"

	key=$(cache_key)
	if ((!force)) && [[ -f $out/$NESTED/inputs.sha256 &&
		$(<"$out/$NESTED/inputs.sha256") == "$key" ]]; then
		log "$out is up to date ($(du -sh "$out" | cut -f1))"
		return 0
	fi

	mkdir -p "$(dirname "$out")"
	TMPOUT=$(mktemp -d "$out.tmp.XXXXXX")
	TMP=$(mktemp -d)
	trap 'rm -rf "$TMPOUT" "$TMP"' EXIT
	nd="$TMPOUT/$NESTED"
	mkdir -p "$nd/firmware"

	# QEMU for L1, with its TCG module.
	mapfile -t lib < <(libs "$QEMU" "$ACCEL")
	copy_files "$TMPOUT" "$QEMU" "$ACCEL" "${lib[@]}"
	cp "${FIRMWARE[@]}" "$nd/firmware/"

	# L2: kernel, peek program, initramfs.
	extract_vmlinux "$L2_VMLINUZ" "$nd/vmlinux"
	$CC -static -O2 -Wall -Werror -I "$ROOT/include/uapi" -o "$TMP/mvgpu-peek" "$PEEK_SRC"
	$CC -static -O2 -Wall -Werror -pthread -I "$ROOT/include/uapi" \
		-o "$TMP/mvgpu-guest-test" "$GUEST_TEST_SRC"
	# mvgpu-draw uses the DRM uapi, from the L2 kernel's headers.
	mkdir -p "$TMP/drm-inc/drm"
	cp "$(sed -n 's|^include \(.*\)/Makefile$|\1|p' "$L2_KDIR/Makefile")"/include/uapi/drm/{drm.h,drm_mode.h} \
		"$TMP/drm-inc/drm/"
	# (uapi headers as they are in the tree: __user is for the kernel)
	$CC -static -O2 -Wall -Werror -D__user= -I "$ROOT/include/uapi" -I "$TMP/drm-inc" \
		-o "$TMP/mvgpu-draw" "$DRAW_SRC"
	$CC -static -O2 -Wall -Werror -o "$nd/display-check" "$CHECK_SRC"
	strip "$TMP/mvgpu-peek" "$TMP/mvgpu-guest-test" "$TMP/mvgpu-draw" \
		"$nd/display-check"
	build_guest_ko "$TMP/mvgpu_guest.ko"
	build_guest_ko "$TMP/mvgpu_guest_kms.ko" mvgpu_guest_kms
	build_l2_initrd "$nd/initrd.cpio" "$TMP/mvgpu-peek" "$TMP/mvgpu-guest-test" \
		"$TMP/mvgpu_guest.ko"

	cat >"$nd/nested.conf" <<EOF
# Generated by tests/vm/nested/build-extra.sh; paths inside L1.
NESTED_QEMU=$QEMU
NESTED_QEMU_MODULE_DIR=$QEMU_MODDIR
NESTED_FIRMWARE=/$NESTED/firmware
NESTED_KERNEL=/$NESTED/vmlinux
NESTED_INITRD=/$NESTED/initrd.cpio
NESTED_KREL=$L2_KREL
EOF
	echo "$key" >"$nd/inputs.sha256"

	rm -rf "$out"
	mv "$TMPOUT" "$out"
	TMPOUT=""
	chmod 755 "$out"
	log "built $out: $(du -sh "$out" | cut -f1) (L2 kernel $L2_KREL" \
		"$(du -h --apparent-size "$out/$NESTED/vmlinux" | cut -f1), L2 initrd" \
		"$(du -h "$out/$NESTED/initrd.cpio" | cut -f1), QEMU and libraries" \
		"$(du -shc "$out/usr/bin" "$out/lib"* "$out/usr/lib/x86_64-linux-gnu" 2>/dev/null | tail -1 | cut -f1))"
}

main "$@"
