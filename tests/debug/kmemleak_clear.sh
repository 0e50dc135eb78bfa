#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kmemleak_clear.sh - the first test of a make check-debug VM: scan once
# and forget what kmemleak suspects so far (boot-time objects that are not
# ours), so that kmemleak_test.sh at the end reports only new leaks.
KMEMLEAK=/sys/kernel/debug/kmemleak

echo "TAP version 13"
echo "1..1"
if [ ! -w "$KMEMLEAK" ]; then
	echo "ok 1 kmemleak baseline # SKIP no $KMEMLEAK"
	exit 0
fi
echo scan >"$KMEMLEAK"
n=$(grep -c '^unreferenced object' "$KMEMLEAK")
echo clear >"$KMEMLEAK"
echo "# kmemleak: $n boot-time suspects cleared"
echo "ok 1 kmemleak baseline"
