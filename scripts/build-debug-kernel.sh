#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-debug-kernel.sh - the debug kernel of `make check-debug`.
#
# Usage:
#   scripts/build-debug-kernel.sh [DIR]      build (or reuse) it, print its KDIR
#   scripts/build-debug-kernel.sh --print-kdir [DIR]
#
# DIR defaults to $BUILD/debug-kernel (BUILD defaults to build/).  Debian's
# linux-source-6.1 (/usr/src/linux-source-6.1.tar.xz) is unpacked into
# DIR/linux-source-6.1 and built out of tree in DIR/obj, which is then the
# KDIR for the out-of-tree modules (bzImage, modules_prepare, and modules
# for Module.symvers; everything is built in):
#
#   x86_64 tinyconfig + tests/vm/debug/debug.config, make olddefconfig
#
# Every CONFIG_X=y of the fragment must be =y afterwards (and every
# "is not set" must stay unset), else the script fails: Kconfig silently
# drops options whose dependencies are missing.
#
# The result is cached: DIR/stamp holds the hash of the fragment and the
# version of the linux-source-6.1 package; if it matches, nothing is
# rebuilt.  The kernel image is DIR/obj/arch/x86/boot/bzImage.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARBALL=/usr/src/linux-source-6.1.tar.xz
FRAGMENT=$ROOT/tests/vm/debug/debug.config

die() {
	echo "build-debug-kernel: error: $*" >&2
	exit 1
}

log() {
	echo "build-debug-kernel: $*" >&2
}

print_kdir=0
if [[ ${1:-} == --print-kdir ]]; then
	print_kdir=1
	shift
fi
DIR=${1:-${BUILD:-$ROOT/build}/debug-kernel}
SRC=$DIR/linux-source-6.1
OBJ=$DIR/obj
if ((print_kdir)); then
	echo "$OBJ"
	exit 0
fi

[[ -r $TARBALL ]] || die "missing $TARBALL: run 'make deps'"
for tool in flex bison bc; do
	command -v "$tool" >/dev/null || die "missing $tool: run 'make deps'"
done

# The cache key: what we build from.
key="$(sha256sum <"$FRAGMENT" | cut -d' ' -f1) linux-source-6.1=$(dpkg-query -W -f='${Version}' linux-source-6.1)"
if [[ -f $DIR/stamp && $(<"$DIR/stamp") == "$key" && -f $OBJ/arch/x86/boot/bzImage &&
	-f $OBJ/Module.symvers ]]; then
	log "cached: $OBJ ($key)"
	echo "$OBJ"
	exit 0
fi

start=$SECONDS
rm -f "$DIR/stamp"
mkdir -p "$DIR"
if [[ ! -f $SRC/Makefile ]]; then
	log "unpacking $TARBALL into $DIR"
	rm -rf "$SRC"
	tar -xJf "$TARBALL" -C "$DIR"
fi

log "configuring: tinyconfig + $FRAGMENT"
mkdir -p "$OBJ"
make -s -C "$SRC" O="$OBJ" ARCH=x86_64 tinyconfig >/dev/null
"$SRC/scripts/kconfig/merge_config.sh" -m -O "$OBJ" "$OBJ/.config" "$FRAGMENT" >/dev/null
make -s -C "$SRC" O="$OBJ" ARCH=x86_64 olddefconfig

# Fail loudly on any option Kconfig did not take.
bad=0
while read -r line; do
	if [[ $line =~ ^(CONFIG_[A-Z0-9_]+)=(.*)$ ]]; then
		grep -qxF "$line" "$OBJ/.config" && continue
		log "$line did not survive olddefconfig: $(grep -E "^(# )?${BASH_REMATCH[1]}[= ]" "$OBJ/.config" || echo "${BASH_REMATCH[1]} unknown")"
		bad=1
	elif [[ $line =~ ^#\ (CONFIG_[A-Z0-9_]+)\ is\ not\ set$ ]]; then
		grep -q "^${BASH_REMATCH[1]}=" "$OBJ/.config" || continue
		log "${BASH_REMATCH[1]} should be unset: $(grep "^${BASH_REMATCH[1]}=" "$OBJ/.config")"
		bad=1
	fi
done <"$FRAGMENT"
((bad == 0)) || die "the config does not have what $FRAGMENT asks for"

log "building bzImage, modules_prepare and modules in $OBJ (log: $DIR/build.log)"
if ! nice -n 10 make -C "$OBJ" ARCH=x86_64 -j"$(($(nproc) + 1))" \
	bzImage modules_prepare modules >"$DIR/build.log" 2>&1; then
	tail -n 30 "$DIR/build.log" >&2
	die "kernel build failed (see $DIR/build.log)"
fi
echo "$key" >"$DIR/stamp"
# CPU time of everything we ran (second line of `times`: children's user
# and system time): on a shared machine the wall time says little.
times >"$DIR/cpu-time"
log "built $(cat "$OBJ/include/config/kernel.release") in $((SECONDS - start)) s" \
	"(CPU: $(sed -n 2p "$DIR/cpu-time") user/sys, $(nproc) cores)"
echo "$OBJ"
