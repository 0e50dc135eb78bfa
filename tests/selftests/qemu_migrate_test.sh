#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# qemu_migrate_test.sh - live migration of a VM with a vGPU between two
# QEMU 10 processes in the test VM: a source with vGPU A and a destination
# with vGPU B of the same profile started with -incoming, migrated over a
# unix socket; then a cancelled migration (the VM goes on where it was);
# then a destination of another profile (refused, the source goes on).
#
# The VMs run SeaBIOS only (no guest OS: an L2 kernel under nested TCG
# takes minutes), which assigns the vGPU's BARs and enables it, so what
# travels is the device state the firmware left (config space, BARs) and
# VRAM; migrate_test checks VRAM, queues and commands in flight at the
# VFIO level.  Checked here: QEMU accepts the device for migration (no
# "not supported" or blocker line), the migration completes, the
# destination runs with the source's PCI view of the device, the kernel's
# counters agree on the bytes, and a cancel leaves everyone running.
#
# Needs QEMU 10 in /usr/lib/mvgpu-qemu10 (tests/vm/qemu10/build-extra.sh,
# make check-migrate-qemu); skipped without it.

MODDIR=${MVGPU_MODDIR:-/lib/mvgpu}
Q=/usr/lib/mvgpu-qemu10
DEVS=/sys/bus/mdev/devices
TYPES=/sys/class/mdev_bus/mvgpu0/mdev_supported_types
T=/tmp/qemu_migrate_test
OUT=$T/out
ERR=$T/err

# shellcheck source=tests/selftests/tap_lib.sh
. "$(dirname "$0")/tap_lib.sh"

if [ ! -x $Q/qemu-system-x86_64 ]; then
	echo "1..0 # SKIP no QEMU 10 in $Q (make check-migrate-qemu ships it)"
	exit 4
fi
rm -rf $T
mkdir -p $T
loaded=""
created=""
pids=""

cleanup() {
	for p in $pids; do
		kill -9 "$p" 2>/dev/null
	done
	sleep 1
	for u in $created; do
		[ -e "$DEVS/$u" ] && echo 1 >"$DEVS/$u/remove" 2>/dev/null
	done
	for m in $loaded; do
		rmmod "$m" 2>/dev/null
	done
}
trap cleanup EXIT

for m in mvgpu mvgpu_sim; do
	if [ ! -d /sys/module/$m ]; then
		insmod "$MODDIR/$m.ko" || exit 1
		loaded="$m $loaded"
	fi
done

# vgpu TYPE: create one, print its UUID
vgpu() {
	u=$(cat /proc/sys/kernel/random/uuid)
	echo "$u" >"$TYPES/$1/create" || return 1
	created="$created $u"
	echo "$u"
}

# start NAME UUID [ARGS...]: a QEMU with its monitor on a fifo
start() {
	name=$1 uuid=$2
	shift 2
	mkfifo $T/$name.in
	QEMU_MODULE_DIR=$Q/modules $Q/qemu-system-x86_64 -L $Q/firmware \
		-machine q35 -accel tcg -m 64 -nodefaults -display none \
		-serial none -parallel none -monitor stdio \
		-device "vfio-pci,sysfsdev=$DEVS/$uuid,enable-migration=on" \
		"$@" <$T/$name.in >$T/$name.out 2>$T/$name.err &
	pids="$pids $!"
	eval "pid_$name=$!"
}

# mon NAME CMD: send a monitor command
mon() {
	echo "$2" >$T/$1.in
}

# last NAME TEXT: the last monitor line holding TEXT
last() {
	grep -a "$2" $T/$1.out | tail -n 1
}

# wait_last NAME KEY VALUE SECS: until the last KEY line holds VALUE
wait_last() {
	i=0
	while [ $i -lt "$4" ]; do
		last "$1" "$2" | grep -q "$3" && return 0
		sleep 1
		i=$((i + 1))
	done
	return 1
}

# wait_out NAME TEXT SECS: until the monitor output holds TEXT
wait_out() {
	i=0
	while [ $i -lt "$3" ]; do
		grep -q "$2" $T/$1.out 2>/dev/null && return 0
		sleep 1
		i=$((i + 1))
	done
	return 1
}

# The fifos are held open for writing by these descriptors, so that a
# monitor never sees EOF between commands.
UA=$(vgpu mvgpu-ts-32m) && UB=$(vgpu mvgpu-ts-32m) || {
	not_ok "create two ts-32m vGPUs"
	tap_summary
	exit 1
}

start a "$UA"
exec 3>$T/a.in
start b "$UB" -incoming unix:$T/mig.sock
exec 4>$T/b.in
# SeaBIOS has assigned the BARs and gone on to look for a boot device.
sleep 20
mon a "info pci"
check "source: QEMU 10 runs with the vGPU" wait_out a "4d56" 60
check "no migration blocker on the source" \
	sh -c "! grep -qi 'not supported\|blocker\|migration is disabled' $T/a.err $T/a.out"
sed -n '/4d56/,/BAR2/p' $T/a.out >$T/a.pci

# Before 6.2 the kernel cannot tell QEMU how big the vGPU's stop-and-copy
# data is (VFIO_DEVICE_FEATURE_MIG_DATA_SIZE): QEMU then assumes 100 MiB,
# and an idle VM's measured bandwidth is too small for that ever to fit the
# downtime limit.  Tell QEMU the switchover bandwidth and allow a long
# downtime there (admin guide).
case $(uname -r) in
6.1.*)
	mon a "migrate_set_parameter avail-switchover-bandwidth 100M"
	mon a "migrate_set_parameter downtime-limit 60000"
	;;
esac
t0=$(date +%s)
mon a "migrate -d unix:$T/mig.sock"
mon a "info migrate"
echo "# vGPU A while migrating: $(cat $DEVS/$UA/mvgpu/migration_state)"
i=0
while [ $i -lt 120 ]; do
	mon a "info migrate"
	sleep 2
	last a "Migration status" | grep -q "completed\|failed\|cancelled" && break
	i=$((i + 2))
done
for k in "Migration status" "total time" "downtime:" "vfio device transferred"; do
	last a "$k" | sed 's/^/# /'
done
echo "# vGPU A: $(cat $DEVS/$UA/mvgpu/migration_state), B: $(cat $DEVS/$UB/mvgpu/migration_state)"
check "migration completed" wait_last a "Migration status" completed 1
echo "# migration took $(($(date +%s) - t0)) s (nested TCG)"

mon b "info status"
check "destination runs" wait_last b "VM status" running 30
mon b "info pci"
wait_out b "BAR2" 30
sed -n '/4d56/,/BAR2/p' $T/b.out >$T/b.pci
check "destination's PCI view of the vGPU is the source's" cmp -s $T/a.pci $T/b.pci
check "no 'not supported' or blocker line in either QEMU" \
	sh -c "! grep -qi 'not supported\|blocker\|migration is disabled' $T/a.err $T/b.err"
check "vGPU A: migrations_out 1" \
	test "$(cat $DEVS/$UA/mvgpu_stats/migrations_out)" = 1
check "vGPU B: migrations_in 1" \
	test "$(cat $DEVS/$UB/mvgpu_stats/migrations_in)" = 1
out=$(cat $DEVS/$UA/mvgpu_stats/migration_bytes_out)
in=$(cat $DEVS/$UB/mvgpu_stats/migration_bytes_in)
echo "# device stream: $out bytes out of A, $in into B"
check "the device stream arrived whole" test "$out" = "$in" -a "$out" -gt 0
check "vGPU B's migration state is running" \
	test "$(cat $DEVS/$UB/mvgpu/migration_state)" = running

# Cancel: B migrates to a new destination on A; cancelled.
mon a "quit"
sleep 2
start c "$UA" -incoming unix:$T/mig2.sock
exec 5>$T/c.in
i=0
while [ ! -S $T/mig2.sock ] && [ $i -lt 60 ]; do
	sleep 1
	i=$((i + 1))
done
# The migration waits before the switchover, the VM and the vGPU already
# stopped; cancelled there, both must run again.
mon b "migrate_set_capability pause-before-switchover on"
mon b "migrate -d unix:$T/mig2.sock"
i=0
while [ $i -lt 120 ]; do
	mon b "info migrate"
	sleep 2
	last b "Migration status" | grep -q "pre-switchover\|completed\|failed" && break
	i=$((i + 2))
done
check "migration waits before the switchover" \
	wait_last b "Migration status" pre-switchover 1
echo "# vGPU B during the pause: $(cat $DEVS/$UB/mvgpu/migration_state)"
mon b "migrate_cancel"
i=0
while [ $i -lt 60 ]; do
	mon b "info migrate"
	sleep 2
	last b "Migration status" | grep -q "cancelled\|completed\|failed" && break
	i=$((i + 2))
done
check "migration cancelled" wait_last b "Migration status" cancelled 1
mon b "info status"
sleep 2
check "the source runs on after the cancel" wait_last b "VM status" running 30
check "vGPU B's migration state is running again" \
	test "$(cat $DEVS/$UB/mvgpu/migration_state)" = running

if [ "$failed" -gt 0 ]; then
	for f in a.out a.err b.out b.err c.out c.err; do
		echo "# --- $f"
		tr -d '\000' <$T/$f | tail -n 25 | sed 's/^/# /'
	done
fi
tap_summary
