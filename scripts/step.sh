# SPDX-License-Identifier: GPL-2.0
#
# step.sh - sourced by check.sh, check-debug.sh and demo.sh.
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

# accel_once FLAVOUR: decide once, for every VM of this run, whether they
# run on KVM or TCG (a probe guest on FLAVOUR's kernel: scripts/qemu-accel.sh),
# export the decision for tests/vm/run-vm.sh and print it with its reason.
accel_once() {
	local krel accel cpu reason
	krel=$(MVGPU_BUILD_DIR=$BUILD "$ROOT/scripts/fetch-kernel.sh" "$1") || return 1
	MVGPU_ACCEL_DECISION=$("$ROOT/scripts/qemu-accel.sh" \
		--kernel "$BUILD/kernels/$krel/vmlinuz") || return 1
	export MVGPU_ACCEL_DECISION
	IFS=$'\t' read -r accel cpu reason <<<"$MVGPU_ACCEL_DECISION"
	echo "# accel: ${accel%%,*} ($reason)"
}

# count_vm FLAVOUR RC: add the VM run's results (tests/vm/run-vm.sh writes
# "passed=P failed=F skipped=S" to $BUILD/vm/FLAVOUR/result) to $passed
# and $failed; a run that failed (RC != 0) without a failed test, or left
# no result, counts as one failure.
count_vm() {
	local result=$BUILD/vm/$1/result rc=$2 kv p=0 f=0
	if [ ! -r "$result" ]; then
		failed=$((failed + 1))
		return
	fi
	for kv in $(cat "$result"); do
		case $kv in
		passed=[0-9]*) p=${kv#passed=} ;;
		failed=[0-9]*) f=${kv#failed=} ;;
		esac
	done
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		failed=$((failed + 1))
	fi
}
