#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kmemleak_test.sh - the last test of a make check-debug VM: any object
# kmemleak reports as unreferenced (since kmemleak_clear.sh) fails it.
#
# An object only counts as a leak once it has been found unreferenced by
# two scans and has been allocated for at least 5 s, hence the two scans
# with pauses.
KMEMLEAK=/sys/kernel/debug/kmemleak

echo "TAP version 13"
echo "1..1"
if [ ! -w "$KMEMLEAK" ]; then
	echo "ok 1 no kmemleak reports # SKIP no $KMEMLEAK"
	exit 0
fi
sleep 6
echo scan >"$KMEMLEAK"
sleep 6
echo scan >"$KMEMLEAK"
n=$(grep -c '^unreferenced object' "$KMEMLEAK")
if [ "$n" -eq 0 ]; then
	echo "ok 1 no kmemleak reports"
	exit 0
fi
echo "# kmemleak: $n unreferenced object(s):"
sed 's/^/# /' "$KMEMLEAK"
echo "not ok 1 no kmemleak reports"
exit 1
