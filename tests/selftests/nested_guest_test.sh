#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# nested_guest_test.sh - a QEMU guest (L2) with an mvgpu vGPU, inside the
# test VM (L1).
#
# Creates a vGPU of type mvgpu-ts-32m, boots a nested guest with it attached
# through vfio-pci (-device vfio-pci,sysfsdev=...), and checks from the
# guest's console what the guest saw: lspci -vv -nn (IDs, class, subsystem,
# BARs, capabilities), mvgpu-peek (registers and VRAM through the BARs) and
# mvgpu-guest-test on the guest driver mvgpu_guest.ko: COPY and FILL through
# /dev/mvgpu0, then the vGPU's PCI function removed in L2's sysfs while a
# file is open, VRAM mapped and a fence waited for (ENODEV for the waiter
# and every later ioctl, SIGBUS on the old mapping), a rescan that brings
# /dev/mvgpu0 back, rmmod, and an L2 kernel log without splats.
# Then checks that QEMU exited cleanly without complaining about the device,
# and that the vGPU and both modules can be removed.  Output is TAP.
#
# Needs the files of tests/vm/nested/build-extra.sh in L1 (run-vm.sh
# --extra DIR); without them the test is skipped (exit 4).  L1's default
# 1 GB is enough.  L2 boots under nested TCG (2-6 minutes on a loaded
# 2-core host): give the test --test-timeout 900.
#
# Environment:
#   MVGPU_MODDIR           where mvgpu.ko and mvgpu_sim.ko are (/lib/mvgpu;
#                          without them there, modprobe loads the installed
#                          ones)
#   MVGPU_NESTED_CONF      the build-extra config
#                          (/usr/lib/mvgpu-nested/nested.conf)
#   MVGPU_NESTED_TIMEOUT   seconds for the whole L2 run (780, but at most
#                          MVGPU_TEST_TIMEOUT - 60 when the harness says
#                          how long this test may take)
#   MVGPU_NESTED_MEM       L2 memory in MiB (128)
#   MVGPU_NESTED_OPTS      L2 kernel options after "console=ttyS0 quiet
#                          panic=-1" (cryptomgr.notests mitigations=off)
#   MVGPU_NESTED_CPU       L2 CPU model (max)
#   MVGPU_NESTED_ROOT_PORT 1: the vGPU sits behind a pcie-root-port, where
#                          QEMU shows its PCIe capability as the device
#                          reports it (Endpoint, link x1 2.5GT/s); 0: on the
#                          root bus, where QEMU turns it into a Root Complex
#                          Integrated Endpoint without link registers (1)
#   MVGPU_NESTED_QEMU_ARGS extra QEMU options
#   MVGPU_NESTED_KERNEL, MVGPU_NESTED_INITRD, MVGPU_NESTED_FIRMWARE
#                          override the L2 kernel, initramfs, firmware dir
#   MVGPU_NESTED_LOGDIR    where L2's console and QEMU's stderr go (/tmp)

MODDIR=${MVGPU_MODDIR:-/lib/mvgpu}
CONF=${MVGPU_NESTED_CONF:-/usr/lib/mvgpu-nested/nested.conf}
L2_TIMEOUT=${MVGPU_NESTED_TIMEOUT:-780}
# Fail with TAP output of our own rather than being killed by the harness.
if [ -n "${MVGPU_TEST_TIMEOUT:-}" ] && [ "$L2_TIMEOUT" -gt $((MVGPU_TEST_TIMEOUT - 60)) ]; then
	L2_TIMEOUT=$((MVGPU_TEST_TIMEOUT - 60))
fi
L2_MEM=${MVGPU_NESTED_MEM:-128}
LOGDIR=${MVGPU_NESTED_LOGDIR:-/tmp}

TYPE=mvgpu-ts-32m
# The profile number of ts-32m (the PCI subsystem ID): log2(32 MiB / 1 MiB).
SUBSYS=0005
UUID=4d564750-4e53-4754-8000-0000000000a2
PARENT=/sys/class/mdev_bus/mvgpu0
MDEV=/sys/bus/mdev/devices/$UUID
# L2 boots under nested TCG; what shortens that is measured in
# tests/vm/nested/README.  "quiet" keeps the slow serial console short,
# cryptomgr.notests skips the crypto self-tests, and -cpu max with
# mitigations=off roughly halves the kernel's boot.
L2_APPEND="console=ttyS0 quiet panic=-1 ${MVGPU_NESTED_OPTS-cryptomgr.notests mitigations=off}"
L2_CPU=${MVGPU_NESTED_CPU:-max}
ROOT_PORT=${MVGPU_NESTED_ROOT_PORT:-1}
if [ "$ROOT_PORT" = 1 ]; then
	DEVICE_ARGS="-device pcie-root-port,id=rp0,chassis=1 -device vfio-pci,sysfsdev=$MDEV,bus=rp0"
else
	DEVICE_ARGS="-device vfio-pci,sysfsdev=$MDEV"
fi

CONSOLE=$LOGDIR/nested-l2-console.log
QEMU_ERR=$LOGDIR/nested-l2-qemu.stderr
CLEAN=$LOGDIR/nested-l2-console.txt

NTESTS=30
# shellcheck source=tests/selftests/tap_lib.sh
. "$(dirname "$0")/tap_lib.sh"
qemu_pid=""

diag() {
	sed 's/^/# /'
}

# section NAME -> the console lines between ### L2-NAME-BEGIN and -END
section() {
	sed -n "/^### L2-$1-BEGIN/,/^### L2-$1-END/p" "$CLEAN" | sed '1d;$d'
}

cleanup() {
	if [ -n "$qemu_pid" ]; then
		kill -9 "$qemu_pid" 2>/dev/null
		qemu_pid=""
	fi
}
trap 'cleanup; exit 143' TERM INT

echo "TAP version 13"

if [ ! -r "$CONF" ]; then
	echo "1..0 # SKIP no nested guest files ($CONF): run-vm.sh --extra <tests/vm/nested/build-extra.sh OUTDIR>"
	exit 4
fi
# shellcheck disable=SC1090
. "$CONF"
NESTED_KERNEL=${MVGPU_NESTED_KERNEL:-$NESTED_KERNEL}
NESTED_INITRD=${MVGPU_NESTED_INITRD:-$NESTED_INITRD}
NESTED_FIRMWARE=${MVGPU_NESTED_FIRMWARE:-$NESTED_FIRMWARE}
NESTED_KREL=${NESTED_KREL:-unknown}
echo "1..$NTESTS"
echo "# L1 $(uname -r), L2 kernel $NESTED_KREL ($NESTED_KERNEL), L2 memory ${L2_MEM} MiB, timeout ${L2_TIMEOUT}s"
echo "# L2 CPU $L2_CPU, command line: $L2_APPEND${MVGPU_NESTED_QEMU_ARGS:+; extra QEMU options: $MVGPU_NESTED_QEMU_ARGS}"

# 1: modules: from $MODDIR in the VM harness, else the installed ones
modload() {
	if [ -e "$MODDIR/mvgpu.ko" ]; then
		insmod "$MODDIR/$1.ko"
	else
		modprobe "$1"
	fi
}
load_modules() {
	for m in mvgpu mvgpu_sim; do
		[ -d "/sys/module/$m" ] && continue
		modload "$m" || return 1
	done
	[ -d "$PARENT/mdev_supported_types/$TYPE" ] && return 0
	# An earlier test may have left the sim loaded with other parameters.
	echo "# no $TYPE; types:" "$PARENT"/mdev_supported_types/*
	rmmod mvgpu_sim && modload mvgpu_sim &&
		[ -d "$PARENT/mdev_supported_types/$TYPE" ]
}
check "load mvgpu and mvgpu_sim" load_modules

# 2: the vGPU
create_mdev() {
	[ ! -e "$MDEV" ] || echo 1 >"$MDEV/remove" || return 1
	echo "$UUID" >"$PARENT/mdev_supported_types/$TYPE/create" || return 1
	[ -e "$MDEV/iommu_group" ]
}
check "create $TYPE vGPU $UUID" create_mdev

# 3-4: boot L2 and wait for it to power off
# milestone VAR PATTERN -> set VAR to the seconds since start when PATTERN
# first shows up on L2's console
milestone() {
	eval "[ -z \"\$$1\" ]" && grep -q "$2" "$CONSOLE" &&
		eval "$1=$(($(date +%s) - start))"
}
start=$(date +%s)
t_bios="" t_rom="" t_init="" rc=""
: >"$CONSOLE"
if [ -e "$MDEV" ]; then
	# shellcheck disable=SC2086
	QEMU_MODULE_DIR=$NESTED_QEMU_MODULE_DIR \
		timeout -s KILL "$L2_TIMEOUT" "$NESTED_QEMU" \
		-L "$NESTED_FIRMWARE" -machine q35 -accel tcg -cpu "$L2_CPU" -m "$L2_MEM" \
		-nographic -no-reboot -nic none -vga none -monitor none \
		-serial "file:$CONSOLE" \
		-kernel "$NESTED_KERNEL" -initrd "$NESTED_INITRD" \
		-append "$L2_APPEND" \
		$DEVICE_ARGS ${MVGPU_NESTED_QEMU_ARGS:-} \
		</dev/null >"$QEMU_ERR" 2>&1 &
	qemu_pid=$!
	# When the firmware starts, when it hands over to the kernel, and
	# when L2's /init runs: where the boot time goes.
	while kill -0 "$qemu_pid" 2>/dev/null; do
		milestone t_bios 'SeaBIOS'
		milestone t_rom 'Booting from ROM'
		milestone t_init '### L2-BOOTED'
		sleep 1
	done
	wait "$qemu_pid"
	rc=$?
	qemu_pid=""
fi
elapsed=$(($(date +%s) - start))
tr -d '\r' <"$CONSOLE" >"$CLEAN"
milestone t_init '### L2-BOOTED'
echo "# L2 boot: ${t_init:-never}s from QEMU start to L2's /init (firmware" \
	"banner ${t_bios:-?}s, kernel entry ${t_rom:-?}s, kernel uptime at /init" \
	"$(sed -n 's/.*L2-BOOTED uptime=\([0-9.]*\).*/\1/p' "$CLEAN")s); whole L2 run ${elapsed}s"
check "L2 booted, ran its checks and powered off" grep -q '^### L2-DONE' "$CLEAN"
if [ "$rc" = 0 ]; then
	ok "QEMU exited with status 0"
else
	not_ok "QEMU exited with status 0 (got ${rc:-nothing}${rc:+; 137 = killed after ${L2_TIMEOUT}s})"
	echo "# last lines of L2's console ($CONSOLE):"
	tail -n 20 "$CLEAN" | diag
fi

# 5-13: lspci in L2.  The vGPU's stanza: from its header line to a blank line.
section LSPCI >"$LOGDIR/nested-l2-lspci.txt"
stanza=$(awk '/\[1234:4d56\]/ { p = 1 } p && /^$/ { exit } p' "$LOGDIR/nested-l2-lspci.txt")
echo "# lspci -vv -nn of the vGPU in L2:"
echo "$stanza" | diag

has() {
	echo "$stanza" | grep -Eq "$1"
}
check "lspci: vGPU [1234:4d56] present" has '^[0-9a-f:.]+ .*\[1234:4d56\]'
check "lspci: class [0302] (3D controller)" has '^[0-9a-f:.]+ .*\[0302\]: .*\[1234:4d56\]'
check "lspci: revision 01" has '\[1234:4d56\] \(rev 01\)'
check "lspci: Subsystem [1234:$SUBSYS]" has "^[[:space:]]+Subsystem: .*\[1234:$SUBSYS\]"
check "lspci: Region 0 32-bit non-prefetchable 16K" \
	has '^[[:space:]]+Region 0: Memory at [0-9a-f]+ \(32-bit, non-prefetchable\) \[size=16K\]'
check "lspci: Region 2 64-bit prefetchable 32M" \
	has '^[[:space:]]+Region 2: Memory at [0-9a-f]+ \(64-bit, prefetchable\) \[size=32M\]'
if [ "$ROOT_PORT" = 1 ]; then
	check "lspci: PCI Express capability at 0x40, Endpoint" \
		has '^[[:space:]]+Capabilities: \[40\] Express \(v2\) Endpoint'
	check "lspci: link x1 at 2.5GT/s (LnkCap, LnkSta)" eval \
		"has 'LnkCap:.*Speed 2\.5GT/s, Width x1,' && has 'LnkSta:[[:space:]]+Speed 2\.5GT/s( \(ok\))?, Width x1'"
else
	check "lspci: PCI Express capability at 0x40" \
		has '^[[:space:]]+Capabilities: \[40\] Express \(v2\) Root Complex Integrated Endpoint'
	ok "lspci: link x1 at 2.5GT/s # SKIP QEMU hides the link of a device on the root bus"
fi
check "lspci: MSI capability at 0x80" has '^[[:space:]]+Capabilities: \[80\] MSI: .*64bit\+'

# 14-18: mvgpu-peek in L2
section PEEK >"$LOGDIR/nested-l2-peek.txt"
echo "# mvgpu-peek in L2:"
diag <"$LOGDIR/nested-l2-peek.txt"
peek() {
	grep -q "^$1\$" "$LOGDIR/nested-l2-peek.txt"
}
check "mvgpu-peek: id=0x4d564750" peek 'id=0x4d564750'
check "mvgpu-peek: version=0x00010000" peek 'version=0x00010000'
check "mvgpu-peek: scratch register" peek 'scratch=ok'
check "mvgpu-peek: VRAM zero after open, write/read round trip" \
	eval 'peek vram=ok && peek vram_zero=ok'
check "config-space fuzz from L2 (2000 writes), then the device still answers" \
	peek cfgfuzz=ok
check "mvgpu-peek: all checks passed (exit 0)" \
	grep -q '^### L2-PEEK-END rc=0' "$CLEAN"
if [ -s "$CLEAN" ] && section DMESG | grep -q .; then
	echo "# L2 kernel messages about the vGPU:"
	section DMESG | diag
fi

# 19-26: the guest driver and mvgpu-guest-test in L2
section GUEST >"$LOGDIR/nested-l2-guest.txt"
echo "# mvgpu_guest.ko and mvgpu-guest-test in L2 ($(awk '
	/^### L2-GUEST-BEGIN/ { sub(/.*uptime=/, ""); t0 = $0 }
	/^### L2-GUEST-END/ { sub(/.*uptime=/, ""); printf "%.0f s", $0 - t0 }' "$CLEAN")):"
diag <"$LOGDIR/nested-l2-guest.txt"
guest() {
	for kv in "$@"; do
		grep -q "^$kv\$" "$LOGDIR/nested-l2-guest.txt" || return 1
	done
}
check "guest driver: insmod mvgpu_guest, MVGPU_IOC_INFO on /dev/mvgpu0" \
	guest insmod=ok info=ok
check "guest driver: COPY and FILL, results read back through the VRAM mapping" \
	guest copy=ok fill=ok
check "guest driver: PCI remove in sysfs wakes a fence waiter with ENODEV" \
	guest remove_sysfs=ok remove_waiter=ok
check "guest driver: after the removal every ioctl and mmap fails with ENODEV" \
	guest remove_ioctls=ok remove_mmap=ok
check "guest driver: the old VRAM mapping raises SIGBUS; munmap and close succeed" \
	guest remove_mapping=ok remove_close=ok
check "guest driver: PCI rescan brings /dev/mvgpu0 back; a fresh FILL works" \
	guest rescan_fill=ok
check "guest driver: rmmod mvgpu_guest with no file open" guest rmmod=ok
check "guest driver: no BUG/WARNING/Oops/KASAN in L2's kernel log" guest dmesg=clean

# 27: QEMU said nothing about the device
if [ -s "$QEMU_ERR" ]; then
	echo "# QEMU stderr:"
	diag <"$QEMU_ERR"
fi
# shellcheck disable=SC2016
check "QEMU: no 'Cannot reset device' / 'Could not enable error recovery'" \
	eval '! grep -Eq "Cannot reset device|Could not enable error recovery" "$QEMU_ERR"'

# 28-29: remove the vGPU, unload the modules
remove_mdev() {
	[ -e "$MDEV" ] && echo 1 >"$MDEV/remove" && [ ! -e "$MDEV" ]
}
check "remove vGPU $UUID" remove_mdev
check "rmmod mvgpu_sim mvgpu" eval 'rmmod mvgpu_sim && rmmod mvgpu && [ ! -d /sys/module/mvgpu ]'

echo "# logs: $CONSOLE $QEMU_ERR"
[ "$n" -eq "$NTESTS" ] || echo "# BUG: planned $NTESTS results, printed $n"
[ "$failed" -eq 0 ]
