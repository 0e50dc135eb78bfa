#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# unit_test.sh - mvgpuctl against fake sysfs trees (no module needed).
#
# Usage: unit_test.sh MVGPUCTL [MVGPUCTL...]
#
# Runs the whole suite once per binary given (e.g. the libpci build and
# the static one), each against fresh trees built with fake_sysfs.sh under
# a temporary directory (MVGPUCTL_SYSFS_ROOT).  Prints TAP and, last,
# "N passed, N failed"; exits non-zero if anything failed.

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tools/mvgpuctl/tests/fake_sysfs.sh
. "$HERE/fake_sysfs.sh"

[ $# -ge 1 ] || { echo "usage: $0 MVGPUCTL..." >&2; exit 2; }
command -v python3 >/dev/null || { echo "unit_test.sh: needs python3" >&2; exit 2; }

T=$(mktemp -d "${TMPDIR:-/tmp}/mvgpuctl-test.XXXXXX") || exit 2
chmod 755 "$T"
trap 'rm -rf "$T"' EXIT
OUT=$T/out
ERR=$T/err
# shellcheck source=tests/selftests/tap_lib.sh
. "$HERE/../../../tests/selftests/tap_lib.sh"

# run CMD...: run with the fake root; rc, $OUT, $ERR
run() {
	MVGPUCTL_SYSFS_ROOT=$ROOT "$@" >"$OUT" 2>"$ERR"
	rc=$?
}

# check DESC COMMAND...: ok if COMMAND succeeds
check() {
	d=$1
	shift
	if "$@" >/dev/null 2>"$T/check.err"; then
		ok "$d"
	else
		not_ok "$d" "failed: $* ($(head -c 300 "$T/check.err" | tr '\n' ' '))"
	fi
}

# json_check PYTHON_EXPRESSION: true if the JSON on stdout makes it true (d)
json_check() {
	python3 -c "import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if ($1) else 1)" "$T/out"
}

# file_is PATH VALUE
file_is() {
	[ "$(cat "$1")" = "$2" ]
}

U1=11111111-2222-4333-8444-555555555555
U2=22222222-2222-4333-8444-555555555555
U3=33333333-2222-4333-8444-555555555555
UF=ffffffff-2222-4333-8444-555555555555
NOPE=deadbeef-0000-4000-8000-000000000000

# The standard tree: mvgpu0 (sim, 256 MiB, 4 engines) with two vGPUs, and
# mvgpu1 on a PCI parent, with one type and none available.
build_tree() {
	ROOT=$T/sys
	rm -rf "$ROOT"
	fake_root "$ROOT"
	D0=$(fake_pgpu "$ROOT" 0)
	fake_default_types "$D0"
	fake_vgpu "$ROOT" "$D0" mvgpu-ts-64m "$U1" 64 0x0 200 50 5000
	fake_vgpu "$ROOT" "$D0" mvgpu-part-1e-64m "$U2" 64 0x2 100 0 2000
	# U1's display is on; U2 has no mvgpu/display (a module before 1.2).
	fake_file "$D0/$U1/mvgpu/display" "on 1024x768 XRGB8888 stride 4096 base 0x100000 link up edid 256"
	fake_file "$D0/vram_free_bytes" $((128 * 1048576))
	fake_file "$D0/engines_shared" 3
	fake_file "$D0/vgpus" 2
	fake_file "$D0/engine_busy_ns" "1500000000 0 2000000 0"
	fake_file "$D0/$U1/mvgpu_stats/submissions" 42
	fake_file "$D0/$U1/mvgpu_stats/context_switches" 10
	fake_file "$D0/$U1/mvgpu_stats/queue_wait_ns" 5000
	fake_file "$D0/$U1/mvgpu/migration_state" stop_copy
	fake_file "$D0/$U2/mvgpu/migration_state" running
	D1=$(fake_pgpu "$ROOT" 1 1024 8 hw 0000:01:00.0)
	fake_pci_ids "$ROOT" 0000:01:00.0 0x10de 0x2204 0x030000
	fake_type "$D1" mvgpu-ts-128m "time-sliced: vram=128 MiB, engines=8 shared, profile=0x0007" 0
	fake_foreign_mdev "$ROOT" "$UF"
}

suite() {
	bin=$1
	TAP_LABEL="[$(basename "$bin")] "
	build_tree

	# --- command line --------------------------------------------------
	run "$bin"
	expect "no arguments: usage, exit 2" 2 "" "usage: mvgpuctl COMMAND"
	run "$bin" frobnicate
	expect "unknown command: exit 2" 2 "" "unknown command 'frobnicate'"
	run "$bin" --help
	expect "--help lists the commands" 0 "libvirt-xml"
	run "$bin" help create
	expect "help create: the create synopsis" 0 "usage: mvgpuctl create TYPE"
	run "$bin" create --help
	expect "create --help: the same" 0 "--timeslice-us T"
	run "$bin" help nosuch
	expect "help for an unknown command: exit 2" 2 "" "unknown command 'nosuch'"
	run "$bin" list --bogus
	expect "unknown option: usage, exit 2" 2 "" "unknown option '--bogus'"
	run "$bin" list extra
	expect "unexpected argument: exit 2" 2 "" "usage: mvgpuctl list"
	run "$bin" list --interval
	expect "option without its value: exit 2" 2 "" "needs a value"
	run "$bin" list --json=yes
	expect "value for a flag: exit 2" 2 "" "takes no value"
	run "$bin" create
	expect "create without TYPE: exit 2" 2 "" "missing TYPE"
	run "$bin" set "$U1"
	expect "set without a control: exit 2" 2 "" "nothing to set"
	run "$bin" destroy
	expect "destroy without UUID: exit 2" 2 "" "missing UUID"
	run "$bin" stats --count 2
	expect "stats --count without --watch: exit 2" 2 "" "--count needs --watch"
	run "$bin" --version
	expect "--version" 0 "mvgpuctl "

	# --- module state --------------------------------------------------
	saved=$ROOT
	ROOT=$T/empty
	rm -rf "$ROOT"
	mkdir -p "$ROOT"
	run "$bin" list
	expect "module not loaded: exit 3 and modprobe hint" 3 "" "modprobe mvgpu_sim"
	run "$bin" create ts-64m
	expect "create, module not loaded: exit 3" 3 "" "not loaded"
	run "$bin" set "$U1" --weight 5
	expect "set, module not loaded: exit 3" 3 "" "not loaded"
	mkdir -p "$ROOT/class/mvgpu"
	run "$bin" types
	expect "module loaded without pGPU: exit 3" 3 "" "no pGPU is registered"
	ROOT=$saved

	# --- types ---------------------------------------------------------
	run "$bin" types
	expect "types: a time-sliced type" 0 "mvgpu-ts-64m"
	check "types: ts-32m has 8 available, profile 0x0005" \
		grep -Eq 'mvgpu-ts-32m +time-sliced +32 MiB +4 shared +0x0005 +8' "$T/out"
	check "types: part-2e-128m: 2 dedicated engines" \
		grep -Eq 'mvgpu-part-2e-128m +partitioned +128 MiB +2 dedicated +0x8207 +1' "$T/out"
	check "types: time-sliced listed before partitioned" \
		sh -c "grep -n ts-128m '$T/out' | cut -d: -f1 | { read a; b=\$(grep -n part-1e '$T/out' | cut -d: -f1); [ \$a -lt \$b ]; }"
	run "$bin" types --json
	check "types --json is valid JSON" python3 -m json.tool "$T/out"
	check "types --json: ts-32m, 8 available, 32 MiB" json_check \
		'[t for t in d["pgpus"][0]["types"] if t["type"] == "mvgpu-ts-32m" and t["available_instances"] == 8 and t["vram_bytes"] == 32 << 20 and t["profile_id"] == "0x0005"]'
	check "types --json: both pGPUs" json_check \
		'[p["name"] for p in d["pgpus"]] == ["mvgpu0", "mvgpu1"]'
	run "$bin" types --parent mvgpu1
	expect "types --parent: only that pGPU" 0 "mvgpu1: hw backend"
	check "types --parent: not the other" sh -c "! grep -q mvgpu0 '$T/out'"
	run "$bin" types --parent mvgpu7
	expect "types --parent of no pGPU: exit 4, the pGPUs listed" 4 "" "mvgpu0, mvgpu1"

	# --- list ----------------------------------------------------------
	run "$bin" list --interval 20
	expect "list: VRAM used and total" 0 "128 MiB used of 256 MiB (128 MiB free)"
	check "list: engines, shared and dedicated" grep -q "4 (3 shared, 1 dedicated" "$T/out"
	check "list: vGPU row with weight, cap, timeslice, subsystem" \
		grep -Eq "$U1 +mvgpu-ts-64m +64 MiB +shared +200 +50% +5000 +1234:0006" "$T/out"
	check "list: partitioned vGPU owns engine 1" \
		grep -Eq "$U2 +mvgpu-part-1e-64m +64 MiB +1 +100 +none" "$T/out"
	check "list: a vGPU being migrated shows its state" \
		grep -q "      migration: stop_copy" "$T/out"
	check "list: a running vGPU shows no migration line" \
		test "$(grep -c "migration:" "$T/out")" = 1
	check "list: sampled utilisation (idle: 0.0%)" \
		grep -q "utilisation: e0 0.0% e1 0.0% e2 0.0% e3 0.0% (over 20 ms)" "$T/out"
	check "list: the guest's PCI IDs and class name" \
		grep -q "guest view:  \[1234:4d56\] 3D controller \[0302\]" "$T/out"
	check "list: the display's state and mode under its vGPU" \
		grep -q "^      display: on 1024x768 XRGB8888 stride 4096" "$T/out"
	check "list: no display line for a vGPU without one" \
		eval "[ \$(grep -c '^      display:' '$T/out') = 1 ]"
	check "list: software pGPU has no parent" grep -q "parent:      none (software pGPU)" "$T/out"
	check "list: PCI parent slot and IDs" grep -q "PCI 0000:01:00.0 \[10de:2204\]" "$T/out"
	check "list: PCI topology" grep -q "topology:    pci0000:00/0000:00:01.0/0000:01:00.0, NUMA node 0" "$T/out"
	check "list: PCI parent class" grep -q "VGA compatible controller \[0300\]" "$T/out"
	if "$bin" --version | grep -q "PCI names: libpci"; then
		check "list: libpci names the parent's vendor" grep -q "NVIDIA" "$T/out"
	fi
	check "list: mdev device of another driver left out" sh -c "! grep -q $UF '$T/out'"
	run "$bin" list --no-sample
	expect "list --no-sample: cumulative busy time" 0 "e0 1.50s e1 0ns e2 2.0ms e3 0ns (cumulative)"
	run "$bin" list --json --interval 10
	check "list --json is valid JSON" python3 -m json.tool "$T/out"
	check "list --json: vGPUs, weights, caps" json_check \
		'[(v["uuid"], v["weight"], v["cap"], v["timeslice_us"]) for v in d["pgpus"][0]["vgpus"]] == [("'$U1'", 200, 50, 5000), ("'$U2'", 100, 0, 2000)]'
	check "list --json: migration states" json_check \
		'[v["migration_state"] for v in d["pgpus"][0]["vgpus"]] == ["stop_copy", "running"]'
	check "list --json: VRAM and utilisation" json_check \
		'd["pgpus"][0]["vram_used_bytes"] == 128 << 20 and d["pgpus"][0]["utilisation"]["sampled"] and len(d["pgpus"][0]["utilisation"]["engines"]) == 4'
	check "list --json: guest PCI subsystem, iommu group, dedicated engines" json_check \
		'd["pgpus"][0]["vgpus"][0]["guest_pci"]["subsystem_id"] == "0x0006" and d["pgpus"][0]["vgpus"][0]["iommu_group"] == 7 and d["pgpus"][0]["vgpus"][1]["dedicated_engines"] == [1]'
	check "list --json: display state where the module reports one" json_check \
		'd["pgpus"][0]["vgpus"][0]["display"].startswith("on 1024x768 ") and "display" not in d["pgpus"][0]["vgpus"][1]'
	check "list --json: PCI parent" json_check \
		'd["pgpus"][1]["parent"]["slot"] == "0000:01:00.0" and d["pgpus"][1]["parent"]["vendor_id"] == "0x10de" and d["pgpus"][0]["parent"] is None'
	run "$bin" list --json --no-sample
	check "list --json --no-sample: cumulative busy_ns" json_check \
		'd["pgpus"][0]["utilisation"]["engines"][0]["busy_ns"] == 1500000000 and d["pgpus"][0]["utilisation"]["engines"][0]["percent"] is None'
	run "$bin" list --interval 0
	expect "list --interval 0: invalid value, range given" 7 "" "from 1 to 60000"
	# utilisation over a sample: engine 2 busy half of the time
	( sleep 0.1; fake_file "$D0/engine_busy_ns" "1500000000 0 502000000 0" ) &
	run "$bin" list --interval 1000 --json
	wait
	check "list: sampled utilisation of a busy engine (~40-50%)" json_check \
		'30 < d["pgpus"][0]["utilisation"]["engines"][2]["percent"] <= 51'

	# --- stats ---------------------------------------------------------
	run "$bin" stats
	expect "stats: every vGPU's counters" 0 "$U2"
	check "stats: submissions counter" grep -Eq "submissions +42" "$T/out"
	run "$bin" stats "$U1" --json
	check "stats UUID --json is valid JSON" python3 -m json.tool "$T/out"
	check "stats --json: the counters" json_check \
		'len(d["vgpus"]) == 1 and d["vgpus"][0]["counters"]["submissions"] == 42 and len(d["vgpus"][0]["counters"]) == 12'
	run "$bin" stats "$NOPE"
	expect "stats of no such vGPU: exit 4" 4 "" "no such vGPU: $NOPE"
	run "$bin" stats not-a-uuid
	expect "stats of a malformed UUID: exit 7" 7 "" "invalid UUID"
	run "$bin" stats --watch 0.1 --count 2 --json
	check "stats --watch --json: one JSON document per refresh" \
		python3 -m json.tool --json-lines "$T/out"
	check "stats --watch --count 2: two refreshes" test "$(wc -l <"$T/out")" -eq 2
	run "$bin" stats --watch 0.1 --count 2
	expect "stats --watch (text): rates table" 0 "SUBMIT/s"
	run "$bin" stats --watch 0 --count 1
	expect "stats --watch 0: invalid value, range given" 7 "" "from 0.1 to 3600"
	( sleep 0.2; fake_file "$D0/$U1/mvgpu_stats/submissions" 142
	  fake_file "$D0/$U1/mvgpu_stats/busy_ns" 250000000 ) &
	run "$bin" stats "$U1" --watch 1 --count 1 --json
	wait
	check "stats --watch: submissions per second and busy percent" json_check \
		'60 < d["vgpus"][0]["rates"]["per_second"]["submissions"] <= 101 and 15 < d["vgpus"][0]["rates"]["busy_percent"] <= 26'
	fake_file "$D0/$U1/mvgpu_stats/submissions" 42

	# --- create --------------------------------------------------------
	run "$bin" create ts-64m
	expect "create: prints a UUID" 0 "-"
	check "create: the UUID it printed went to the type's create file" \
		file_is "$D0/mdev_supported_types/mvgpu-ts-64m/create" "$(cat "$T/out")"
	check "create: a version 4 UUID" grep -Eqx \
		'[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}' "$T/out"
	run "$bin" create mvgpu-ts-32m --uuid "$U3"
	expect "create --uuid: prints that UUID" 0 "$U3"
	check "create --uuid: written to create" file_is "$D0/mdev_supported_types/mvgpu-ts-32m/create" "$U3"
	run "$bin" create ts-1g
	expect "create of no such type: exit 4" 4 "" "no such type: ts-1g"
	check "create of no such type: the valid types listed" \
		grep -q "mvgpu-ts-32m, mvgpu-ts-64m, mvgpu-ts-128m, mvgpu-part-1e-64m, mvgpu-part-2e-128m" "$T/err"
	fake_file "$D0/mdev_supported_types/mvgpu-part-2e-128m/available_instances" 0
	: >"$D0/mdev_supported_types/mvgpu-part-2e-128m/create"
	run "$bin" create part-2e-128m
	expect "create with no instances left: exit 5" 5 "" "no instances of mvgpu-part-2e-128m left on mvgpu0"
	check "create with no instances left: nothing written" test ! -s "$D0/mdev_supported_types/mvgpu-part-2e-128m/create"
	run "$bin" create ts-128m
	expect "create: picks the pGPU with instances left" 0 ""
	check "create: mvgpu0 (mvgpu1 has none left)" test -s "$D0/mdev_supported_types/mvgpu-ts-128m/create"
	run "$bin" create ts-128m --parent mvgpu1
	expect "create --parent with none left there: exit 5" 5 "" "left on mvgpu1"
	: >"$D0/mdev_supported_types/mvgpu-ts-64m/create"
	run "$bin" create ts-64m --weight 0
	expect "create --weight 0: exit 7, range given" 7 "" "from 1 to 10000"
	run "$bin" create ts-64m --cap 101
	expect "create --cap 101: exit 7, range given" 7 "" "from 0 to 100"
	run "$bin" create ts-64m --timeslice-us 99
	expect "create --timeslice-us 99: exit 7, range given" 7 "" "from 100 to 100000"
	run "$bin" create ts-64m --weight abc
	expect "create --weight abc: exit 7" 7 "" "invalid value 'abc'"
	check "create with a bad value: nothing created" test ! -s "$D0/mdev_supported_types/mvgpu-ts-64m/create"
	run "$bin" create ts-64m --uuid "$U1"
	expect "create with a UUID in use: exit 8" 8 "" "already in use"
	run "$bin" create ts-64m --uuid 1234
	expect "create with a malformed UUID: exit 7" 7 "" "invalid UUID '1234'"
	# No kernel here to make the device: setting its controls fails, and
	# mvgpuctl says what it left behind.
	U4=44444444-2222-4333-8444-555555555555
	run "$bin" create ts-64m --uuid "$U4" --weight 300
	expect "create whose device does not appear: exit 4, says so" 4 "" "mvgpuctl destroy $U4"
	fake_vgpu "$ROOT" "$D0" mvgpu-ts-64m "$U4"

	# --- set -----------------------------------------------------------
	run "$bin" set "$U4" --weight 300 --cap 25 --timeslice-us 10000
	expect "set: exit 0" 0
	check "set: weight written" file_is "$D0/$U4/mvgpu/weight" 300
	check "set: cap written" file_is "$D0/$U4/mvgpu/cap" 25
	check "set: timeslice_us written" file_is "$D0/$U4/mvgpu/timeslice_us" 10000
	run "$bin" set "$U1" -w 7
	check "set -w: weight written" file_is "$D0/$U1/mvgpu/weight" 7
	run "$bin" set "$U1" --weight 10001
	expect "set --weight 10001: exit 7, range given" 7 "" "it must be an integer from 1 to 10000"
	check "set with a bad value: weight unchanged" file_is "$D0/$U1/mvgpu/weight" 7
	run "$bin" set "$NOPE" --weight 5
	expect "set on no such vGPU: exit 4" 4 "" "no such vGPU"
	run "$bin" set "$UF" --weight 5
	expect "set on another driver's mdev: exit 4" 4 "" "not an mvgpu vGPU"

	# --- destroy, qemu-args, libvirt-xml --------------------------------
	run "$bin" destroy "$U2"
	expect "destroy: exit 0" 0
	check "destroy: wrote remove" file_is "$D0/$U2/remove" 1
	run "$bin" destroy "$NOPE"
	expect "destroy of no such vGPU: exit 4" 4 "" "no such vGPU: $NOPE"
	run "$bin" qemu-args "$U1"
	expect "qemu-args: exit 0" 0
	check "qemu-args: the exact option" \
		file_is "$T/out" "-device vfio-pci,sysfsdev=$ROOT/bus/mdev/devices/$U1"
	run "$bin" qemu-args "$NOPE"
	expect "qemu-args of no such vGPU: exit 4" 4 "" "no such vGPU"
	run "$bin" libvirt-xml "$U1"
	expect "libvirt-xml: a hostdev element" 0 "<hostdev mode='subsystem' type='mdev' model='vfio-pci'>"
	check "libvirt-xml: well-formed, with the uuid" python3 -c "
import sys, xml.etree.ElementTree as E
h = E.parse(sys.argv[1]).getroot()
assert h.tag == 'hostdev' and h.get('type') == 'mdev' and h.get('model') == 'vfio-pci'
assert h.find('source/address').get('uuid') == sys.argv[2]" "$T/out" "$U1"
	run "$bin" libvirt-xml "$NOPE"
	expect "libvirt-xml of no such vGPU: exit 4" 4 "" "no such vGPU"

	# --- permissions, output errors, JSON escaping ----------------------
	if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
		chmod 644 "$D0/$U1/mvgpu/weight"
		chmod -R a+rX "$T"
		run setpriv --reuid=65534 --regid=65534 --clear-groups "$bin" set "$U1" --weight 9
		expect "set as an ordinary user: exit 6, run as root" 6 "" "sudo"
		chmod 644 "$D0/mdev_supported_types/mvgpu-ts-64m/create"
		run setpriv --reuid=65534 --regid=65534 --clear-groups "$bin" create ts-64m
		expect "create as an ordinary user: exit 6" 6 "" "permission denied"
	elif [ "$(id -u)" -ne 0 ]; then
		chmod 444 "$D0/$U1/mvgpu/weight"
		run "$bin" set "$U1" --weight 9
		expect "set without write permission: exit 6, run as root" 6 "" "sudo"
	fi
	if [ -w /dev/full ]; then
		run sh -c "'$bin' types >/dev/full"
		expect "stdout write error (/dev/full): exit 1" 1 "" "writing to standard output"
	fi
	fake_file "$D0/backend" 'sim "quoted" \ back'
	run "$bin" list --json --no-sample
	check "JSON strings escaped" json_check 'd["pgpus"][0]["backend"] == "sim \"quoted\" \\ back"'

	# A Vulkan-backed pGPU (mvgpu_user): model, pci_address, online.
	fake_file "$D0/model" "llvmpipe (LLVM 15.0.6, 256 bits)"
	fake_file "$D0/pci_address" "0000:03:00.0"
	fake_file "$D0/online" 0
	run "$bin" list --no-sample
	expect "list: a pGPU's model and PCI address" 0 "device:      llvmpipe (LLVM 15.0.6, 256 bits), PCI 0000:03:00.0"
	expect "list: an offline pGPU says so" 0 "offline (no engine server)"
	run "$bin" list --json --no-sample
	check "JSON: model, pci_address, online" json_check \
		'd["pgpus"][0]["model"].startswith("llvmpipe") and d["pgpus"][0]["pci_address"] == "0000:03:00.0" and d["pgpus"][0]["online"] == 0 and "model" not in d["pgpus"][1]'
}

# complete WORD...: the bash completions of the last WORD, one a line
complete_words() {
	MVGPUCTL_SYSFS_ROOT=$ROOT bash -c '
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_mvgpuctl; printf "%s\n" "${COMPREPLY[@]}"' \
		sh "$HERE/../mvgpuctl.bash-completion" "$@" >"$T/out" 2>"$T/err"
}

completion_suite() {
	TAP_LABEL="[bash-completion] "
	build_tree
	complete_words mvgpuctl qemu
	check "completes commands" file_is "$T/out" qemu-args
	complete_words mvgpuctl create mvgpu-ts-1
	check "create: completes types" file_is "$T/out" mvgpu-ts-128m
	complete_words mvgpuctl set 1
	check "set: completes vGPU UUIDs (not other mdevs)" file_is "$T/out" "$U1"
	complete_words mvgpuctl set "$U1" --w
	check "set: completes options" file_is "$T/out" --weight
	complete_words mvgpuctl list --parent mvgpu
	check "--parent: completes pGPUs" file_is "$T/out" "$(printf 'mvgpu0\nmvgpu1')"
}

for b in "$@"; do
	suite "$b"
done
if command -v bash >/dev/null; then
	completion_suite
fi
echo "1..$n"
echo "$((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
