#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# selftest-vm.sh - manual self-check of tests/vm/run-vm.sh (not part of
# `make check`). Boots the VM kernel three times with tiny shell "tests":
#
#   1. a clean run (TAP ok, ok # SKIP, exit 4 without TAP): run-vm.sh must
#      exit 0 and count passed=1 failed=0 skipped=2;
#   2. a failing run: a mixed TAP test (ok, ok # SKIP, not ok), a test that
#      prints "ok" but writes "WARNING: fake" to /dev/kmsg (a fake kernel
#      splat), a test exiting 1 without TAP, and a test that hangs past the
#      in-guest timeout: run-vm.sh must exit non-zero with
#      passed=3 failed=4 skipped=1; the failing and the hanging test each
#      leave a process behind (in a session of its own) that would touch a
#      file later, and a last test checks that neither outlived its test;
#   3. a crash: a test that panics the guest through sysrq, followed by a
#      test that therefore never starts: run-vm.sh must exit non-zero and
#      count at least 2 failures.
#
# Usage: tests/vm/selftest-vm.sh [FLAVOUR]     (default 6.1; needs make deps)

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FLAVOUR=${1:-6.1}
RESULT="${MVGPU_BUILD_DIR:-$ROOT/build}/vm/$FLAVOUR/result"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/bin" "$WORK/modules"
FAILURES=0

# mktest NAME BODY -> an executable /bin/sh test in the --bin dir
mktest() {
	printf '#!/bin/sh\n%s\n' "$2" >"$WORK/bin/$1"
	chmod +x "$WORK/bin/$1"
}

# expect DESCRIPTION WANT_STATUS(pass|fail) RESULT_REGEX -- run-vm args...
expect() {
	local what=$1 want=$2 re=$3 rc=0 got
	shift 4
	echo "## selftest: $what"
	"$ROOT/tests/vm/run-vm.sh" --kernel "$FLAVOUR" --modules "$WORK/modules" \
		--bin "$WORK/bin" --no-stream "$@" >"$WORK/out" 2>&1 || rc=$?
	got=$(cat "$RESULT" 2>/dev/null || echo "no result file")
	if [[ ($want == pass && $rc -eq 0) || ($want == fail && $rc -eq 1) ]] &&
		[[ $got =~ $re ]]; then
		echo "ok - $what: exit $rc, $got"
	else
		echo "FAILED - $what: exit $rc, $got (wanted $want, /$re/); run-vm output:"
		sed 's/^/  | /' "$WORK/out"
		FAILURES=$((FAILURES + 1))
	fi
}

mktest tap_ok 'echo "TAP version 13"; echo "1..2"; echo "ok 1 one"; echo "ok 2 two # SKIP not here"'
mktest skip_rc4 'echo "# nothing to test"; exit 4'
mktest tap_mixed 'echo "TAP version 13"; echo "1..3"; echo "ok 1 a"; echo "ok 2 b # SKIP"; echo "not ok 3 c"; exit 1'
mktest fake_warning 'echo "1..1"; echo "WARNING: fake" >/dev/kmsg; echo "ok 1 wrote a fake splat"'
mktest exit_fail 'setsid sh -c "sleep 5; touch /tmp/left" &
echo "# failing without TAP"; exit 1'
mktest hang 'setsid sh -c "sleep 15; touch /tmp/orphan" &
echo "# sleeping past the in-guest timeout"; sleep 60'
mktest no_orphans 'sleep 8; echo "1..1"
if [ -e /tmp/left ] || [ -e /tmp/orphan ]; then echo "not ok 1 a process outlived its test"
else echo "ok 1 no process outlived its test"; fi'
mktest crash 'echo "1..1"; echo c >/proc/sysrq-trigger; echo "ok 1 survived?"'

expect "clean run passes" pass '^passed=1 failed=0 skipped=2$' -- \
	--tests "tap_ok skip_rc4"
expect "failures, fake splat and in-guest timeout are counted, no leftovers" fail \
	'^passed=3 failed=4 skipped=1$' -- \
	--tests "tap_mixed fake_warning exit_fail hang no_orphans" --test-timeout 10
expect "guest crash fails the run" fail '^passed=0 failed=([2-9]|[1-9][0-9]+) ' -- \
	--tests "crash tap_ok" --timeout 120

if ((FAILURES)); then
	echo "selftest-vm: $FAILURES check(s) FAILED"
	exit 1
fi
echo "selftest-vm: all checks passed on $FLAVOUR"
