#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# mvgpuctl_test.sh - mvgpuctl and mdevctl against the real modules, in the
# test VM (busybox sh).  Output is TAP.
#
# mvgpuctl (the static build) must be next to this script, or installed
# (mvgpu-tools, make install); without it the test is skipped (exit 4).
# Loads mvgpu.ko and mvgpu_sim.ko from $MVGPU_MODDIR if they are not loaded
# (the VM harness), or the installed modules with modprobe where that
# directory has none (a host; Documentation/selftests.rst), and unloads
# what it loaded.  On a host it is skipped where mvgpu is not installed,
# where mvgpu0 is not the default software pGPU (mvgpu_sim, 256 MiB, 4
# engines), and where vGPUs exist already.
#
# Covers: the module-not-loaded error, types, create with weight and cap,
# list, set, stats (once and --watch), qemu-args, libvirt-xml, destroy,
# and every error case (bad type, no instances left, bad value, UUID in
# use, malformed UUID, no such vGPU) with its exit status and message; then
# mdevctl 1.2 on mvgpu: types, start/stop of a transient vGPU, and a
# defined one with attributes (modify --addattr=mvgpu/weight --value=300).
#
# Environment:
#   MVGPU_MODDIR   where mvgpu.ko and mvgpu_sim.ko are (/lib/mvgpu)
#   MVGPUCTL       the mvgpuctl to test ($(dirname $0)/mvgpuctl, else the
#                  one in $PATH)

MODDIR=${MVGPU_MODDIR:-/lib/mvgpu}
CTL=${MVGPUCTL:-$(dirname "$0")/mvgpuctl}
OUT=/tmp/mvgpuctl_test.out
ERR=/tmp/mvgpuctl_test.err
DEVS=/sys/bus/mdev/devices
TYPES=/sys/class/mdev_bus/mvgpu0/mdev_supported_types

U1=4d564750-4354-4c00-8000-000000000001
U5=4d564750-4354-4c00-8000-000000000005
U6=4d564750-4354-4c00-8000-000000000006
NOPE=4d564750-4354-4c00-8000-0000000000ff

# shellcheck source=tests/selftests/tap_lib.sh
. "$(dirname "$0")/tap_lib.sh"
loaded_core=0
loaded_sim=0
created=""

# attr_is UUID FILE VALUE: the vGPU's mvgpu/FILE reads VALUE
attr_is() {
	[ "$(cat "$DEVS/$1/mvgpu/$2" 2>/dev/null)" = "$3" ]
}

cleanup() {
	for u in $created; do
		[ -e "$DEVS/$u" ] && echo 1 >"$DEVS/$u/remove" 2>/dev/null
	done
	if command -v mdevctl >/dev/null; then
		mdevctl undefine -u "$U6" >/dev/null 2>&1
	fi
	[ "$loaded_sim" -eq 0 ] || rmmod mvgpu_sim 2>/dev/null
	[ "$loaded_core" -eq 0 ] || rmmod mvgpu 2>/dev/null
}

# modload NAME: from $MODDIR in the VM harness, else the installed module
modload() {
	if [ -e "$MODDIR/mvgpu.ko" ]; then
		insmod "$MODDIR/$1.ko"
	else
		modprobe "$1"
	fi
}

# host_skip: why this host cannot run the test (nothing in the VM harness)
host_skip() {
	[ -e "$MODDIR/mvgpu.ko" ] && return
	if [ "$(id -u)" != 0 ]; then
		echo "needs root"
	elif [ ! -d /sys/module/mvgpu_sim ] &&
		modprobe -n mvgpu_sim 2>&1 | grep -q "not found"; then
		echo "mvgpu is not installed here (modprobe finds no mvgpu_sim)"
	elif [ -d /sys/class/mvgpu/mvgpu0 ] &&
		[ "$(cat /sys/class/mvgpu/mvgpu0/backend /sys/class/mvgpu/mvgpu0/vram_bytes \
			/sys/class/mvgpu/mvgpu0/engines 2>/dev/null | tr '\n' ' ')" != "sim 268435456 4 " ]; then
		echo "mvgpu0 is not the default software pGPU (mvgpu_sim, 256 MiB, 4 engines)"
	elif has_vgpus; then
		echo "vGPUs of mvgpu exist already: this test runs only where there is none"
	fi
}

has_vgpus() {
	for d in "$TYPES"/*/devices/*; do
		[ -e "$d" ] && return 0
	done
	return 1
}

why=$(host_skip)
if [ -n "$why" ]; then
	echo "1..0 # SKIP $why"
	exit 4
fi
[ -x "$CTL" ] || CTL=$(command -v mvgpuctl) || CTL=${MVGPUCTL:-$(dirname "$0")/mvgpuctl}
if [ ! -x "$CTL" ]; then
	echo "1..0 # SKIP no mvgpuctl at $CTL"
	exit 4
fi
echo "# $("$CTL" --version)"

# --- before the module is loaded ----------------------------------------
if [ -d /sys/class/mvgpu ]; then
	skip "module not loaded: exit 3" "mvgpu was already loaded"
else
	run "$CTL" list
	expect "module not loaded: exit 3, suggests modprobe mvgpu_sim" 3 "" "modprobe mvgpu_sim"
	modload mvgpu && loaded_core=1
fi
if [ ! -d /sys/class/mvgpu/mvgpu0 ]; then
	run "$CTL" types
	expect "mvgpu loaded without a pGPU: exit 3" 3 "" "no pGPU is registered"
	modload mvgpu_sim && loaded_sim=1
fi
trap cleanup EXIT
check "modules loaded, mvgpu0 present" test -d "$TYPES"

# --- types --------------------------------------------------------------
run "$CTL" types
expect "types: exit 0" 0 "mvgpu0: sim backend, 256 MiB VRAM, 4 engines"
for t in ts-32m ts-64m ts-128m part-1e-64m part-2e-128m; do
	check "types: mvgpu-$t listed with its available instances" \
		grep -Eq "mvgpu-$t .* $(cat "$TYPES/mvgpu-$t/available_instances") +vfio-pci\$" "$OUT"
done
run "$CTL" types --json
expect "types --json: available_instances" 0 '"available_instances": 8'

# --- create, list, set --------------------------------------------------
run "$CTL" create ts-64m --uuid "$U1" --weight 200 --cap 50
expect "create --weight 200 --cap 50: prints the UUID" 0 "$U1"
created="$created $U1"
check "create: the vGPU exists" test -d "$DEVS/$U1/mvgpu"
check "create: weight 200" attr_is "$U1" weight 200
check "create: cap 50" attr_is "$U1" cap 50
run "$CTL" create part-1e-64m
expect "create without --uuid: exit 0" 0 "-"
U2=$(cat "$OUT")
created="$created $U2"
check "create without --uuid: the printed UUID exists" test -d "$DEVS/$U2/mvgpu"
run "$CTL" list --interval 50
expect "list: exit 0, VRAM used" 0 "128 MiB used of 256 MiB"
sed 's/^/#   /' "$OUT"
check "list: the vGPU with weight, cap, subsystem" \
	grep -Eq "$U1 +mvgpu-ts-64m +64 MiB +shared +200 +50% +2000 +1234:0006" "$OUT"
check "list: the partitioned vGPU owns engine 1" grep -Eq "$U2 +mvgpu-part-1e-64m +64 MiB +1 " "$OUT"
check "list: engines shared and dedicated" grep -q "engines:     4 (3 shared, 1 dedicated" "$OUT"
check "list: guest view" grep -q "\[1234:4d56\] 3D controller \[0302\]" "$OUT"
run "$CTL" list --json --no-sample
expect "list --json: the weight" 0 '"weight": 200'
run "$CTL" set "$U1" --weight 300 --timeslice-us 5000
expect "set --weight 300 --timeslice-us 5000: exit 0" 0
check "set: weight 300" attr_is "$U1" weight 300
check "set: timeslice_us 5000" attr_is "$U1" timeslice_us 5000
run "$CTL" set "$U1" --cap 0
check "set --cap 0: cap 0" attr_is "$U1" cap 0

# --- stats, qemu-args, libvirt-xml ---------------------------------------
run "$CTL" stats "$U1"
expect "stats UUID: counters" 0 "submissions"
run "$CTL" stats --json
expect "stats --json: both vGPUs" 0 "$U2"
run "$CTL" stats --watch 0.2 --count 2
expect "stats --watch 0.2 --count 2: a rates table" 0 "SUBMIT/s"
check "stats --watch: two refreshes" test "$(grep -c '^UUID' "$OUT")" -eq 2
run "$CTL" stats --watch 0.2 --count 1 --json
expect "stats --watch --json: rates" 0 '"per_second"'
run "$CTL" qemu-args "$U1"
check "qemu-args: exactly the vfio-pci option" \
	test "$(cat "$OUT")" = "-device vfio-pci,sysfsdev=/sys/bus/mdev/devices/$U1"
run "$CTL" libvirt-xml "$U1"
expect "libvirt-xml: the hostdev element" 0 "<hostdev mode='subsystem' type='mdev' model='vfio-pci'>"
check "libvirt-xml: the uuid" grep -q "<address uuid='$U1'/>" "$OUT"

# --- errors ---------------------------------------------------------------
run "$CTL" create ts-3g
expect "bad type: exit 4, valid types listed" 4 "" "mvgpu-ts-32m, mvgpu-ts-64m, mvgpu-ts-128m"
run "$CTL" create ts-64m --uuid "$U1"
expect "UUID in use: exit 8" 8 "" "already in use"
run "$CTL" create ts-64m --uuid not-a-uuid
expect "malformed UUID: exit 7" 7 "" "invalid UUID"
run "$CTL" set "$U1" --cap 101
expect "bad value (cap 101): exit 7, range 0 to 100" 7 "" "from 0 to 100"
check "bad value: cap unchanged" attr_is "$U1" cap 0
run "$CTL" set "$U1" --weight 0
expect "bad value (weight 0): exit 7, range 1 to 10000" 7 "" "from 1 to 10000"
run "$CTL" set "$U1" --timeslice-us 100001
expect "bad value (timeslice 100001): exit 7" 7 "" "from 100 to 100000"
check "bad values: weight and timeslice unchanged" sh -c \
	"[ \"\$(cat $DEVS/$U1/mvgpu/weight)\" = 300 ] && [ \"\$(cat $DEVS/$U1/mvgpu/timeslice_us)\" = 5000 ]"
run "$CTL" create ts-64m --weight 10001
expect "create with a bad value: exit 7" 7 "" "from 1 to 10000"
run "$CTL" set "$U1"
expect "set without a control: usage, exit 2" 2 "" "usage: mvgpuctl set"
run "$CTL" list --bogus
expect "unknown option: usage, exit 2" 2 "" "unknown option"

# no instances left: create ts-32m until the pGPU is full
avail=$(cat "$TYPES/mvgpu-ts-32m/available_instances")
made=0
while [ $made -le 16 ]; do
	run "$CTL" create ts-32m
	[ "$rc" -eq 0 ] || break
	created="$created $(cat "$OUT")"
	made=$((made + 1))
done
check "created exactly available_instances ($avail) ts-32m vGPUs" test "$made" -eq "$avail"
expect "no instances left: exit 5" 5 "" "no instances of mvgpu-ts-32m left on mvgpu0"
run "$CTL" create ts-32m
check "no instances left, again: exit 5" test "$rc" -eq 5
run "$CTL" types
check "types: ts-32m shows 0 available" grep -Eq "mvgpu-ts-32m .* 0 +vfio-pci\$" "$OUT"

# --- destroy --------------------------------------------------------------
run "$CTL" destroy "$U1"
expect "destroy: exit 0" 0
check "destroy: the vGPU is gone" test ! -e "$DEVS/$U1"
run "$CTL" destroy "$U1"
expect "destroy again: no such vGPU, exit 4" 4 "" "no such vGPU: $U1"
run "$CTL" set "$U1" --weight 5
expect "set on no such vGPU: exit 4" 4 "" "no such vGPU"
run "$CTL" stats "$U1"
expect "stats on no such vGPU: exit 4" 4 "" "no such vGPU"
run "$CTL" qemu-args "$NOPE"
expect "qemu-args on no such vGPU: exit 4" 4 "" "no such vGPU"
rc_all=0
for u in $created; do
	[ -e "$DEVS/$u" ] || continue
	"$CTL" destroy "$u" || rc_all=1
done
created=""
check "destroy every vGPU" test "$rc_all" -eq 0
run "$CTL" list --no-sample
expect "list: no vGPUs left" 0 "vgpus:       0"

# --- mdevctl ----------------------------------------------------------------
if ! command -v mdevctl >/dev/null; then
	skip "mdevctl" "no mdevctl in this VM"
else
	run mdevctl types
	expect "mdevctl types: lists mvgpu0's types" 0 "mvgpu-ts-32m"
	check "mdevctl types: with the description" grep -q "time-sliced: vram=32 MiB" "$OUT"

	run mdevctl start -u "$U5" -p mvgpu0 -t mvgpu-ts-32m
	expect "mdevctl start -u -p -t: exit 0" 0
	created="$U5"
	run "$CTL" list --no-sample
	check "mvgpuctl list shows the vGPU mdevctl started" grep -Eq "$U5 +mvgpu-ts-32m" "$OUT"
	run mdevctl list
	expect "mdevctl list: the vGPU" 0 "$U5 mvgpu0 mvgpu-ts-32m"
	run "$CTL" set "$U5" --weight 150
	check "mvgpuctl set on an mdevctl vGPU" attr_is "$U5" weight 150
	run mdevctl stop -u "$U5"
	expect "mdevctl stop: exit 0" 0
	check "mdevctl stop: the vGPU is gone" test ! -e "$DEVS/$U5"
	created=""

	run mdevctl define --auto -u "$U6" -p mvgpu0 -t mvgpu-ts-64m
	expect "mdevctl define --auto -u -p -t: exit 0" 0
	run mdevctl modify -u "$U6" --addattr=mvgpu/weight --value=300
	expect "mdevctl modify --addattr=mvgpu/weight --value=300: exit 0" 0
	run mdevctl modify -u "$U6" --addattr=mvgpu/cap --value=40
	expect "mdevctl modify --addattr=mvgpu/cap --value=40: exit 0" 0
	run mdevctl list --defined -v
	expect "mdevctl list --defined -v: the attributes" 0 "mvgpu/weight"
	run mdevctl start -u "$U6"
	expect "mdevctl start of the defined vGPU: exit 0" 0
	created="$U6"
	check "mdevctl start: weight 300 from the definition" attr_is "$U6" weight 300
	check "mdevctl start: cap 40 from the definition" attr_is "$U6" cap 40
	run "$CTL" list --no-sample
	check "mvgpuctl list: the defined vGPU, weight 300, cap 40" \
		grep -Eq "$U6 +mvgpu-ts-64m +64 MiB +shared +300 +40%" "$OUT"
	run mdevctl stop -u "$U6"
	expect "mdevctl stop of the defined vGPU: exit 0" 0
	check "mdevctl stop: gone" test ! -e "$DEVS/$U6"
	created=""
	run "$CTL" qemu-args "$U6"
	expect "mvgpuctl on a defined but stopped vGPU: exit 4, start hint" 4 "" "mdevctl start -u $U6"
	run mdevctl undefine -u "$U6"
	expect "mdevctl undefine: exit 0" 0

	# A definition with its attributes in a JSON file, started by UUID.
	cat >/tmp/mvgpuctl_test.json <<-JSON
	{"mdev_type": "mvgpu-ts-32m", "start": "auto",
	 "attrs": [{"mvgpu/weight": "250"}, {"mvgpu/timeslice_us": "4000"}]}
	JSON
	run mdevctl define -u "$U6" -p mvgpu0 --jsonfile /tmp/mvgpuctl_test.json
	expect "mdevctl define --jsonfile (start auto, attrs): exit 0" 0
	run mdevctl list --defined
	expect "mdevctl list --defined: auto" 0 "$U6 mvgpu0 mvgpu-ts-32m auto"
	run mdevctl start -u "$U6"
	expect "mdevctl start of the JSON definition: exit 0" 0
	created="$U6"
	check "mdevctl start: weight 250 from the JSON" attr_is "$U6" weight 250
	check "mdevctl start: timeslice_us 4000 from the JSON" attr_is "$U6" timeslice_us 4000
	run "$CTL" destroy "$U6"
	expect "mvgpuctl destroy of an mdevctl-started vGPU: exit 0" 0
	created=""
	run mdevctl undefine -u "$U6"
	expect "mdevctl undefine: exit 0" 0
fi

cleanup
trap - EXIT
tap_summary
