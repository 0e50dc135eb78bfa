#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-extra.sh - QEMU 10 for the test VM, for qemu_migrate_test.sh.
#
# Usage: tests/vm/qemu10/build-extra.sh OUTDIR
#
# OUTDIR is meant for tests/vm/run-vm.sh --extra (copied into the VM's
# root).  It gets usr/lib/mvgpu-qemu10/ with qemu-system-x86_64 (QEMU 10
# from bookworm-backports, scripts/fetch-qemu10.sh), its module directory
# (for QEMU_MODULE_DIR) and the firmware a q35 machine with SeaBIOS loads,
# and the shared libraries the binary and its TCG module need, at the
# host's paths (Debian 12's, as for the nested test's QEMU 7.2).

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
OUT=${1:?usage: $0 OUTDIR}

QROOT=$("$ROOT/scripts/fetch-qemu10.sh" --print-root)
DEST=$OUT/usr/lib/mvgpu-qemu10
rm -rf "$OUT"
mkdir -p "$DEST/firmware" "$DEST/modules"

cp "$QROOT/usr/bin/qemu-system-x86_64" "$DEST/"
# TCG is built in; the module directory stays empty, so that QEMU never
# loads another version's modules (QEMU_MODULE_DIR points here).
# Firmware: SeaBIOS from Debian 12 (QEMU's own package does not carry it).
cp /usr/share/seabios/bios-256k.bin "$DEST/firmware/"
cp "$QROOT/usr/share/qemu/kvmvapic.bin" "$QROOT/usr/share/qemu/linuxboot_dma.bin" \
	"$DEST/firmware/"

ldd "$DEST/qemu-system-x86_64" |
	grep -o '/[^ ]*' | grep -v ':$' | sort -u |
	while read -r lib; do
		mkdir -p "$OUT$(dirname "$lib")"
		cp -L "$lib" "$OUT$lib"
	done
echo "qemu10 extra: $(du -sh "$OUT" | cut -f1) in $OUT"
