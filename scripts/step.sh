# SPDX-License-Identifier: GPL-2.0
#
# step.sh - sourced by check.sh and check-debug.sh.
#
# step NAME COMMAND...: run COMMAND with its output in $LOGS/NAME.log,
# count it in $passed or $failed, print "ok - NAME (T s)" or the log's
# last lines.  Returns COMMAND's success, for callers that stop on failure.
step() {
	local name=$1
	shift
	local t0=$SECONDS
	if "$@" >"$LOGS/$name.log" 2>&1; then
		passed=$((passed + 1))
		echo "ok - $name ($((SECONDS - t0)) s)"
	else
		failed=$((failed + 1))
		echo "not ok - $name ($((SECONDS - t0)) s); last lines of $LOGS/$name.log:"
		tail -n 30 "$LOGS/$name.log" | sed 's/^/#   /'
		return 1
	fi
}
