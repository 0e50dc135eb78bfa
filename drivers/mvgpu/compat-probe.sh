#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# compat-probe.sh - compile each kernel API probe of probes/ against the
# kernel being built for, and write what compiled into a header.
#
# Usage (from compat.mk, while Kbuild reads the Makefile):
#   compat-probe.sh RELEASE DIR CC [CFLAGS...]
#
# Each probes/<name>.c uses one API exactly as the driver will (function,
# argument types, struct member); if it compiles with the kernel's own
# flags and -Werror, the header gets "#define MVGPU_HAVE_<NAME> 1".  The
# probe file's comment names the upstream commit.  probes/base.c uses
# nothing new and must compile: if it does not, the flags are wrong, and
# every probe would fail for that reason instead of its API's, so the
# script fails rather than guess.
#
# The header also defines MVGPU_PROBED, which compat.h requires.  It is
# cached as DIR/.compat-probes-RELEASE-SUM.h (SUM: the checksum of the
# probes, this script and the compiler command), so each kernel is
# probed once; the path is printed on stdout.
# Errors go to stderr and exit non-zero.

set -euo pipefail

[ $# -ge 3 ] || {
	echo "usage: $0 RELEASE DIR CC [CFLAGS...]" >&2
	exit 2
}
release=$1
dir=$2
shift 2

sum=$( (cat "$dir"/probes/*.c "$0" && echo "$*") | cksum | cut -d' ' -f1)
out=$dir/.compat-probes-$release-$sum.h
if [ -s "$out" ]; then
	echo "$out"
	exit 0
fi

tmp=$(mktemp "$dir/.compat-probes.XXXXXX")
trap 'rm -f "$tmp" "$tmp.o" "$tmp.o.err"' EXIT

probe() {
	"$@" -Werror -c -o "$tmp.o" "$probe_file" 2>"$tmp.o.err"
}

probe_file=$dir/probes/base.c
if ! probe "$@"; then
	echo "mvgpu compat-probe: probes/base.c does not compile against $release:" >&2
	cat "$tmp.o.err" >&2
	rm -f "$tmp.o.err"
	exit 1
fi

{
	echo "/* Kernel API probes for $release (drivers/mvgpu/compat-probe.sh). */"
	echo "#define MVGPU_PROBED 1"
	for probe_file in "$dir"/probes/*.c; do
		name=$(basename "$probe_file" .c)
		[ "$name" != base ] || continue
		macro=MVGPU_HAVE_$(echo "$name" | tr "[:lower:]" "[:upper:]")
		if probe "$@"; then
			echo "#define $macro 1"
		else
			echo "/* $macro: no */"
		fi
	done
} >"$tmp"
rm -f "$tmp.o.err"
mv "$tmp" "$out"
echo "$out"
