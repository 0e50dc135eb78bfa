#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# install_check.sh - check the selftests' kselftest install (a step of
# make check).
#
# Usage: tests/selftests/install_check.sh        (BUILD=<dir>, default build)
#
# A host runs the selftests from an installed tree, as any kselftest
# collection (make -C tests/selftests install INSTALL_PATH=DIR, or
# /usr/lib/mvgpu/selftests from the mvgpu-tools package), not through the VM
# harness.  This checks that install, and that the suite skips cleanly where
# it cannot run:
#
#   1. builds the programs (dynamic, in $BUILD/selftests) and installs them
#      into a temporary INSTALL_PATH;
#   2. run_kselftest.sh, kselftest/runner.sh, kselftest-list.txt and
#      mvgpu/settings (with a timeout) are there;
#   3. run_kselftest.sh --list names every test of tests/selftests
#      (mvgpu:<name>, each *_test.c and *_test.sh) and nothing else, and
#      each is installed and executable;
#   4. where mvgpu is neither loaded nor installed (a machine whose kernel
#      cannot load it, like the one make check runs on), runs the installed
#      run_kselftest.sh as a host would: within 120 s, TAP output, every
#      test ok (passed or # SKIP), none "not ok".  Where mvgpu is loaded or
#      installed, that would run the suite against the machine's own
#      modules: the step says so and leaves it out.
#
# Output is TAP; the exit status is 0 only if every check passed.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
SELF=$ROOT/tests/selftests

for tool in make gcc timeout; do
	command -v "$tool" >/dev/null || {
		echo "install_check: missing $tool: run make deps" >&2
		exit 1
	}
done

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
DEST=$WORK/install

# shellcheck source=tests/selftests/tap_lib.sh
. "$SELF/tap_lib.sh"

echo "TAP version 13"

# 1: build and install
if make -s -C "$SELF" install INSTALL_PATH="$DEST" OUTPUT="$BUILD/selftests" \
	KSFT_DIR="$BUILD/kselftest" >"$WORK/make.log" 2>&1; then
	ok "make -C tests/selftests install INSTALL_PATH=$DEST"
else
	not_ok "make -C tests/selftests install INSTALL_PATH=..."
	sed 's/^/#   /' "$WORK/make.log" | tail -n 20
	echo "1..$n"
	exit 1
fi

# 2: the runner's files and the settings
check "run_kselftest.sh installed, executable" test -x "$DEST/run_kselftest.sh"
check "kselftest/runner.sh and prefix.pl installed" \
	test -r "$DEST/kselftest/runner.sh" -a -x "$DEST/kselftest/prefix.pl"
check "kselftest-list.txt installed" test -s "$DEST/kselftest-list.txt"
timeout=$(sed -n 's/^timeout=\([0-9][0-9]*\)$/\1/p' "$DEST/mvgpu/settings" 2>/dev/null || true)
check "mvgpu/settings sets a timeout (${timeout:-none} s)" test -n "$timeout"

# 3: the list names every test, each installed
want=$(cd "$SELF" && for f in *_test.c *_test.sh; do
	echo "mvgpu:${f%.c}"
done | sort)
got=$("$DEST/run_kselftest.sh" --list | sort)
if [ "$want" = "$got" ]; then
	ok "run_kselftest.sh --list: the $(echo "$got" | wc -l) tests of tests/selftests"
else
	not_ok "run_kselftest.sh --list: the tests of tests/selftests"
	diff <(echo "$want") <(echo "$got") | sed 's/^/#   /' || true
fi
missing=""
for t in $got; do
	[ -x "$DEST/mvgpu/${t#mvgpu:}" ] || missing+=" ${t#mvgpu:}"
done
check "every listed test installed in mvgpu/, executable${missing:+ (missing:$missing)}" \
	test -z "$missing"

# 4: a host without mvgpu: everything skips, nothing fails or hangs
if [ -d /sys/module/mvgpu ] || modprobe -n -q mvgpu_sim 2>/dev/null; then
	ok "run_kselftest.sh without mvgpu # SKIP mvgpu is loaded or installed here; run it by hand"
else
	mkdir -p "$WORK/no-modules"
	# An empty $MVGPU_MODDIR: the tests take the host's modules (none).
	# Through a pipe: runner.sh appends to /dev/stdout, which on a
	# regular file would write over the lines before.
	MVGPU_MODDIR=$WORK/no-modules timeout 120 "$DEST/run_kselftest.sh" 2>&1 |
		cat >"$WORK/run.log"
	rc=${PIPESTATUS[0]}
	sed 's/^/# | /' "$WORK/run.log"
	total=$(echo "$got" | wc -l)
	oks=$(grep -cE '^ok [0-9]+ selftests: mvgpu: ' "$WORK/run.log" || true)
	bad=$(grep -cE '^not ok [0-9]+ selftests: mvgpu: ' "$WORK/run.log" || true)
	check "run_kselftest.sh without mvgpu: finished (exit $rc; 124 = hung)" \
		test "$rc" -eq 0
	check "run_kselftest.sh without mvgpu: TAP plan 1..$total" \
		grep -qx "1..$total" "$WORK/run.log"
	check "run_kselftest.sh without mvgpu: $oks of $total ok (passed or skipped), $bad not ok" \
		test "$oks" -eq "$total" -a "$bad" -eq 0
fi

echo "1..$n"
[ "$failed" -eq 0 ]
