# SPDX-License-Identifier: GPL-2.0
#
# tap_lib.sh - TAP helpers the shell tests share (sourced, POSIX sh: the
# VM's busybox sh runs it as well as bash).
#
#   ok DESC                one passing result
#   not_ok DESC [DETAIL]   one failing result; DETAIL and the first lines
#                          of $OUT and $ERR (if set and present) follow as
#                          comments
#   skip DESC WHY          one result skipped
#   check DESC CMD...      ok if CMD succeeds, not_ok otherwise
#   run CMD...             run CMD with stdout in $OUT, stderr in $ERR;
#                          its status in $rc
#   expect DESC RC [STDOUT_SUBSTR [STDERR_SUBSTR]]
#                          one result on the last run: its status is RC
#                          and its output holds the substrings
#   tap_summary            "1..N" and "# N passed, N failed"; false if
#                          any result failed
#
# Counters: $n results so far, $failed of them failed.  $TAP_LABEL, if set,
# prefixes every description (a suite run once per binary).

n=0
failed=0
TAP_LABEL=${TAP_LABEL:-}

ok() {
	n=$((n + 1))
	echo "ok $n - $TAP_LABEL$1"
}

not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $TAP_LABEL$1"
	[ -z "${2:-}" ] || echo "#   $2"
	[ -z "${OUT:-}" ] || sed -n '1,8s/^/#   stdout: /p' "$OUT" 2>/dev/null
	[ -z "${ERR:-}" ] || sed -n '1,8s/^/#   stderr: /p' "$ERR" 2>/dev/null
	return 0
}

skip() {
	n=$((n + 1))
	echo "ok $n - $TAP_LABEL$1 # SKIP $2"
}

check() {
	tap_desc=$1
	shift
	if "$@"; then ok "$tap_desc"; else not_ok "$tap_desc" "failed: $*"; fi
}

run() {
	"$@" >"$OUT" 2>"$ERR"
	rc=$?
}

expect() {
	tap_why=""
	[ "$rc" -eq "$2" ] || tap_why="exit status $rc, expected $2"
	if [ -n "${3:-}" ] && ! grep -qF -- "$3" "$OUT"; then
		tap_why="$tap_why; stdout lacks '$3'"
	fi
	if [ -n "${4:-}" ] && ! grep -qF -- "$4" "$ERR"; then
		tap_why="$tap_why; stderr lacks '$4'"
	fi
	if [ -z "$tap_why" ]; then ok "$1"; else not_ok "$1" "${tap_why#; }"; fi
}

tap_summary() {
	echo "1..$n"
	echo "# $((n - failed)) passed, $failed failed"
	[ "$failed" -eq 0 ]
}
