#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# nested_display_test.sh - the vGPU's display seen through QEMU: a nested
# guest (L2) with -device vfio-pci,...,display=on draws known patterns
# through mvgpu_guest_kms.ko (tests/guest/mvgpu-draw.c),
# and the test VM (L1) takes QEMU's screendump over QMP at each step and
# compares it pixel for pixel (display-check):
#
#   drm      a DRM dumb buffer in the preferred mode of the vGPU's EDID,
#            800x600, set on the host through sysfs mvgpu/display_mode
#            (QEMU gives region-plane devices no EDID and refuses
#            xres=/yres= for them: Documentation/admin-guide.rst, "The
#            display")
#   mode     a guest mode change to 640x480
#   fbdev    the pattern written to /dev/fb0 once the DRM client is gone
#   remove   the driver unbound under an open DRM client with a mapped
#            dumb buffer: ENODEV afterwards, no splat
#   hostile  impossible planes programmed into the registers from L2: each
#            refused with the error the manual names, and QEMU shows black,
#            nothing from outside the slice
#
# Then QEMU must exit cleanly without a VFIO display error, L2's kernel
# log must be clean, and the vGPU and modules must go away.  Output is
# TAP.  Needs the files of tests/vm/nested/build-extra.sh in L1 (run-vm.sh
# --extra DIR), else it is skipped (exit 4).  Not part of make check: it
# boots a nested guest (minutes under TCG); `make check-display` runs it.
#
# Environment: as nested_guest_test.sh (MVGPU_MODDIR, MVGPU_NESTED_CONF,
# MVGPU_NESTED_TIMEOUT, MVGPU_NESTED_MEM, MVGPU_NESTED_CPU,
# MVGPU_NESTED_LOGDIR).

MODDIR=${MVGPU_MODDIR:-/lib/mvgpu}
CONF=${MVGPU_NESTED_CONF:-/usr/lib/mvgpu-nested/nested.conf}
L2_TIMEOUT=${MVGPU_NESTED_TIMEOUT:-900}
if [ -n "${MVGPU_TEST_TIMEOUT:-}" ] && [ "$L2_TIMEOUT" -gt $((MVGPU_TEST_TIMEOUT - 60)) ]; then
	L2_TIMEOUT=$((MVGPU_TEST_TIMEOUT - 60))
fi
L2_MEM=${MVGPU_NESTED_MEM:-192}
L2_CPU=${MVGPU_NESTED_CPU:-max}
LOGDIR=${MVGPU_NESTED_LOGDIR:-/tmp}
XRES=800
YRES=600

TYPE=mvgpu-ts-32m
UUID=4d564750-4e53-4754-8000-0000000000d1
PARENT=/sys/class/mdev_bus/mvgpu0
MDEV=/sys/bus/mdev/devices/$UUID
# No cursor on the framebuffer console: its blinking would change pixels.
L2_APPEND="console=ttyS0 quiet panic=-1 cryptomgr.notests mitigations=off mvgpu.run=display vt.global_cursor_default=0"

CONSOLE=$LOGDIR/display-l2-console.log
CLEAN=$LOGDIR/display-l2-console.txt
QEMU_ERR=$LOGDIR/display-l2-qemu.stderr
QMP=$LOGDIR/display-l2-qmp.sock
RESULTS=$LOGDIR/display-results.txt

# shellcheck source=tests/selftests/tap_lib.sh
. "$(dirname "$0")/tap_lib.sh"
qemu_pid=""

diag() {
	sed 's/^/# /'
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
CHECKER=$(dirname "$NESTED_KERNEL")/display-check
echo "# L1 $(uname -r), L2 kernel ${NESTED_KREL:-?}, display=on, timeout ${L2_TIMEOUT}s"

modload() {
	if [ -e "$MODDIR/mvgpu.ko" ]; then
		insmod "$MODDIR/$1.ko"
	else
		modprobe "$1"
	fi
}
load_modules() {
	for m in mvgpu mvgpu_sim; do
		[ -d "/sys/module/$m" ] || modload "$m" || return 1
	done
	[ -d "$PARENT/mdev_supported_types/$TYPE" ]
}
check "load mvgpu and mvgpu_sim" load_modules

create_mdev() {
	[ ! -e "$MDEV" ] || echo 1 >"$MDEV/remove" || return 1
	echo "$UUID" >"$PARENT/mdev_supported_types/$TYPE/create" &&
		[ -e "$MDEV/iommu_group" ]
}
check "create $TYPE vGPU $UUID" create_mdev
check "set the vGPU's EDID mode to ${XRES}x$YRES (mvgpu/display_mode)" \
	sh -c "echo ${XRES}x$YRES >$MDEV/mvgpu/display_mode"

# Boot L2; at each "### L2-SHOW <step> <w>x<h> seed=<n>" take a screendump.
: >"$CONSOLE"
: >"$RESULTS"
rm -f "$QMP"
start=$(date +%s)
rc=""
if [ -e "$MDEV" ]; then
	QEMU_MODULE_DIR=$NESTED_QEMU_MODULE_DIR \
		timeout -s KILL "$L2_TIMEOUT" "$NESTED_QEMU" \
		-L "$NESTED_FIRMWARE" -machine q35 -accel tcg -cpu "$L2_CPU" -m "$L2_MEM" \
		-display none -no-reboot -nic none -vga none -monitor none \
		-qmp "unix:$QMP,server=on,wait=off" \
		-serial "file:$CONSOLE" \
		-kernel "$NESTED_KERNEL" -initrd "$NESTED_INITRD" \
		-append "$L2_APPEND" \
		-device pcie-root-port,id=rp0,chassis=1 \
		-device "vfio-pci,sysfsdev=$MDEV,bus=rp0,display=on" \
		</dev/null >"$QEMU_ERR" 2>&1 &
	qemu_pid=$!
	seen=0
	while kill -0 "$qemu_pid" 2>/dev/null; do
		tr -d '\r' <"$CONSOLE" | grep '^### L2-SHOW ' >"$LOGDIR/display-shows.txt"
		count=$(wc -l <"$LOGDIR/display-shows.txt")
		while [ "$seen" -lt "$count" ]; do
			seen=$((seen + 1))
			set -- $(sed -n "${seen}p" "$LOGDIR/display-shows.txt")
			step=$3 w=${4%x*} h=${4#*x} seed=${5#seed=}
			t0=$(date +%s)
			out=$("$CHECKER" "$QMP" "$LOGDIR/display-$step.ppm" "$w" "$h" "$seed" 2>&1)
			echo "$step $? $out ($(($(date +%s) - t0)) s)" >>"$RESULTS"
		done
		sleep 1
	done
	wait "$qemu_pid"
	rc=$?
	qemu_pid=""
fi
elapsed=$(($(date +%s) - start))
tr -d '\r' <"$CONSOLE" >"$CLEAN"
echo "# whole L2 run ${elapsed}s; screendumps:"
diag <"$RESULTS"
check "L2 booted, drew and powered off" grep -q '^### L2-DISPLAY-END' "$CLEAN"
if [ "$rc" = 0 ]; then
	ok "QEMU exited with status 0"
else
	not_ok "QEMU exited with status 0 (got ${rc:-nothing})"
	tail -n 20 "$CLEAN" | diag
fi
echo "# L2's display log:"
sed -n '/^### L2-DISPLAY-BEGIN/,/^### L2-DISPLAY-END/p' "$CLEAN" | diag

check "L2 loaded DRM, mvgpu_guest and mvgpu_guest_kms" grep -q '^insmod=ok' "$CLEAN"
check "the guest's preferred mode is the EDID's, ${XRES}x$YRES" \
	grep -q "^preferred=${XRES}x$YRES\$" "$CLEAN"
shown() {
	grep -q "^$1 0 size=$2 mismatches=0 " "$RESULTS"
}
check "screendump: DRM dumb buffer, ${XRES}x$YRES, every pixel" shown drm "${XRES}x$YRES"
check "screendump: after the guest's mode change, 640x480, every pixel" shown mode 640x480
check "screendump: fbdev, ${XRES}x$YRES, every pixel" shown fbdev "${XRES}x$YRES"
check "removal under an open DRM client: unbound, later ioctls ENODEV" \
	eval "grep -q '^remove: unbound\$' '$CLEAN' && grep -q '^remove: GETRESOURCES after removal: -19\$' '$CLEAN'"
check "a valid plane from L2's registers is shown (ACTIVE)" \
	grep -q '^hostile valid-plane status=0x5$' "$CLEAN"
check "hostile planes from L2: each refused with its error code" \
	grep -q '^hostile refused=all$' "$CLEAN"
check "screendump after the hostile planes: black, nothing from outside the slice" \
	grep -q '^hostile 0 size=[0-9x]* mismatches=0 ' "$RESULTS"
check "mvgpu-draw passed" grep -q '^mvgpu-draw: PASS$' "$CLEAN"
check "L2 kernel log without splats" grep -q '^dmesg=clean$' "$CLEAN"
no_vfio_errors() {
	! grep -Ei 'vfio|display|error' "$QEMU_ERR"
}
check "QEMU reported no VFIO or display errors" no_vfio_errors
[ ! -s "$QEMU_ERR" ] || diag <"$QEMU_ERR"
check "remove the vGPU" sh -c "echo 1 >$MDEV/remove"

tap_summary
