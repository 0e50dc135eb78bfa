#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# qemu-accel.sh - decide how the test VMs run: KVM only where it works.
#
# Usage:
#   scripts/qemu-accel.sh --kernel VMLINUZ
#
# Prints one line, tab-separated:  ACCEL <TAB> CPU <TAB> REASON
#   kvm                max                 KVM works (a probe guest booted in 2 s)
#   tcg,thread=single  max,-erms,-fsrm     no /dev/kvm
#
# /dev/kvm existing, even opening read-write, proves nothing: on some
# machines QEMU aborts at the first vCPU start ("failed to set MSR 0x10a")
# or the guest hangs after the firmware.  So the decision is a probe: the
# kernel the tests boot, with exactly the machine, CPU model and
# accelerator they use, and an initramfs whose /init prints a marker and
# powers off.  No marker within MVGPU_ACCEL_PROBE_TIMEOUT seconds (default
# 20) means TCG, and REASON carries QEMU's first line of complaint.
#
# MVGPU_QEMU_ACCEL overrides the decision (no probe; REASON says so).
#
# The CPU model goes with the accelerator: TCG emulates "rep movsb" one
# byte per step, so under TCG the guest must not see ERMS/FSRM (its memcpy
# would use them and run ~100x slower).  One TCG thread for both vCPUs:
# multi-threaded TCG in QEMU 7.2 occasionally ran a stale translation of
# kernel text another vCPU had just live-patched ("Oops: int3" at boot).
#
# Callers that boot several VMs (make check, make demo) probe once and
# export the line as MVGPU_ACCEL_DECISION; tests/vm/run-vm.sh uses that
# instead of probing again.

set -euo pipefail

TCG_ACCEL=tcg,thread=single
TCG_CPU=max,-erms,-fsrm
KVM_CPU=max
MARKER=MVGPU-ACCEL-PROBE-OK
PROBE_TIMEOUT=${MVGPU_ACCEL_PROBE_TIMEOUT:-20}
# Test hook (tests/vm/selftest-accel.sh): probe with this accelerator
# instead of kvm, to exercise the probe where KVM does not work.
PROBE_ACCEL=${MVGPU_ACCEL_PROBE_WITH:-kvm}
PROBE_DIR=""
trap '[[ -z $PROBE_DIR ]] || rm -rf "$PROBE_DIR"' EXIT

die() {
	echo "qemu-accel: error: $*" >&2
	exit 2
}

# decide ACCEL REASON -> the output line, with the CPU model for ACCEL
decide() {
	local cpu=$TCG_CPU
	[[ $1 != kvm* ]] || cpu=$KVM_CPU
	printf '%s\t%s\t%s\n' "$1" "$cpu" "$2"
}

# probe VMLINUZ -> 0 if a KVM guest printed the marker; else 1 with the
# reason in $PROBE_WHY
probe() {
	local vmlinuz=$1 tmp rc=0 t0 busybox
	PROBE_WHY=""
	busybox=$(command -v busybox) || die "missing busybox: run 'make deps'"
	command -v cpio >/dev/null || die "missing cpio: run 'make deps'"
	tmp=$(mktemp -d)
	PROBE_DIR=$tmp
	mkdir -p "$tmp/root/bin" "$tmp/root/dev" "$tmp/root/proc"
	cp "$busybox" "$tmp/root/bin/busybox"
	ln -s busybox "$tmp/root/bin/sh"
	printf '#!/bin/sh\n/bin/busybox echo %s\n/bin/busybox poweroff -f\n' \
		"$MARKER" >"$tmp/root/init"
	chmod 755 "$tmp/root/init"
	(cd "$tmp/root" && find . | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$tmp/initrd"

	t0=$SECONDS
	# In a subshell that waits for QEMU itself (the exit keeps bash from
	# exec'ing it), so that its "Aborted" line for a QEMU that asserts
	# goes to /dev/null, not to our caller's output.
	(timeout --kill-after=5 "$PROBE_TIMEOUT" qemu-system-x86_64 \
		-machine q35 -cpu "$KVM_CPU" -accel "$PROBE_ACCEL" -m 256 -smp 2 \
		-nographic -no-reboot -monitor none -nic none \
		-serial "file:$tmp/console" -kernel "$vmlinuz" -initrd "$tmp/initrd" \
		-append "console=ttyS0 quiet panic=-1" \
		</dev/null >"$tmp/stderr" 2>&1
	exit $?) 2>/dev/null || rc=$?
	if grep -q "$MARKER" "$tmp/console" 2>/dev/null; then
		PROBE_WHY="a probe guest booted in $((SECONDS - t0)) s"
		return 0
	fi
	if ((rc == 124 || rc == 137)); then
		PROBE_WHY="a probe guest printed nothing in ${PROBE_TIMEOUT} s"
	else
		PROBE_WHY="a probe guest failed: $(grep -m1 . "$tmp/stderr" || echo "exit status $rc")"
	fi
	return 1
}

main() {
	local vmlinuz="" name
	while (($#)); do
		case "$1" in
		--kernel)
			vmlinuz=${2-}
			shift 2 || die "--kernel needs a file"
			;;
		*) die "usage: $0 --kernel VMLINUZ" ;;
		esac
	done

	if [[ -n ${MVGPU_QEMU_ACCEL:-} ]]; then
		decide "$MVGPU_QEMU_ACCEL" "set by MVGPU_QEMU_ACCEL"
		return
	fi
	if [[ $PROBE_ACCEL == kvm ]]; then
		if [[ ! -e /dev/kvm ]]; then
			decide "$TCG_ACCEL" "no /dev/kvm"
			return
		fi
		if ! (exec 3<>/dev/kvm) 2>/dev/null; then
			decide "$TCG_ACCEL" "/dev/kvm cannot be opened read-write"
			return
		fi
	fi
	[[ -f $vmlinuz ]] || die "--kernel: no kernel image '$vmlinuz'"
	command -v qemu-system-x86_64 >/dev/null ||
		die "missing qemu-system-x86_64: run 'make deps'"
	name=${PROBE_ACCEL%%,*}
	if probe "$vmlinuz"; then
		decide "$PROBE_ACCEL" "${name^^} works ($PROBE_WHY)"
	else
		decide "$TCG_ACCEL" "${name^^} present, but $PROBE_WHY"
	fi
}

main "$@"
