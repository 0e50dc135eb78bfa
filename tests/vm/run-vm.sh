#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run-vm.sh - run mvgpu tests inside a QEMU VM booting a Debian kernel.
#
# Usage:
#   tests/vm/run-vm.sh --kernel FLAVOUR --modules DIR --bin DIR --tests "T1 T2 ..."
#                      [--timeout SECS] [--test-timeout SECS] [--mem MB]
#                      [--log FILE] [--extra DIR] [--no-stream]
#                      [--kernel-image FILE] [--known-splat ERE]
#                      [--rootfs RECIPE]
#
#   --kernel FLAVOUR    6.1 or 6.12 (see scripts/fetch-kernel.sh); with
#                       --kernel-image, any name for the logs (e.g. debug)
#   --kernel-image FILE boot FILE (a bzImage) instead of a Debian kernel;
#                       its vfio stack must be built in (make check-debug)
#   --modules DIR       every *.ko in DIR goes to /lib/mvgpu/ in the guest;
#                       they are NOT loaded: tests insmod/rmmod them using
#                       $MVGPU_MODDIR (= /lib/mvgpu)
#   --bin DIR           every executable in DIR goes to /tests/, with the
#                       shell library the tests source (*_lib.sh)
#   --tests "..."       test names, run in this order as /tests/<name>
#   --timeout SECS      host-side limit for the whole VM run (default 600)
#   --test-timeout SECS in-guest limit per test (default: 300, at most
#                       the host timeout minus 60 s)
#   --mem MB            guest memory (default 1024)
#   --log FILE          console log (default build/vm/<flavour>/console.log)
#   --extra DIR         copied verbatim into the initramfs root
#   --env NAME=VALUE    exported to the tests (repeatable)
#   --no-stream         do not echo the console while the VM runs
#   --known-splat ERE   a splat whose first line matches ERE is a known bug
#                       of the kernel under test, not of mvgpu: it is shown
#                       as such and does not fail the run (repeatable; only
#                       make check-debug uses it, for bugs it names)
#   --rootfs RECIPE     boot a Debian userland instead of the busybox
#                       initramfs (RECIPE: a file, or a name in
#                       scripts/roots/; see "Debian root" below)
#
# The guest loads the kernel's vfio stack (vfio, vfio_iommu_type1,
# vfio_virqfd where it exists, mdev, and their dependencies such as
# irqbypass) with insmod in modules.dep order, then runs each test with
# cwd /tests and prints
#   ### MVGPU-TEST-BEGIN <name>
#   ... test output (kselftest TAP) ...
#   ### MVGPU-TEST-END <name> rc=<exit status>
# and finally the whole kernel log between ### MVGPU-DMESG-BEGIN/END.
#
# Afterwards each test's output is printed under "# === <flavour>: <test>
# (rc=N)", TAP results are counted (ok / ok # SKIP / not ok), the kernel
# log is searched for splats (WARNING:, BUG:, Oops, lockdep, hung tasks,
# ...), a summary "# <flavour>: P passed, F failed, S skipped" is printed and
# build/vm/<flavour>/result gets "passed=P failed=F skipped=S".
#
# Accelerator: KVM where a probe guest shows that it works, else TCG
# (scripts/qemu-accel.sh, which also picks the CPU model); MVGPU_QEMU_ACCEL
# overrides it, and a caller that boots several VMs passes its one
# decision in MVGPU_ACCEL_DECISION.
#
# Debian root (--rootfs): scripts/mkroot.sh --image makes (or reuses) an
# ext4 image of the recipe's debootstrap root, cached under build/roots/ by
# the recipe's hash.  It is the VM's virtio disk with snapshot=on: writes
# go to a temporary overlay, the cached image never changes.  A small
# busybox initramfs loads virtio_pci, virtio_blk and ext4 from the kernel's
# modules, mounts /dev/vda, copies in the tests (/tests), --modules
# (/lib/mvgpu), --extra (into the root) and the test runner (/mvgpu/init),
# and switch_root's to it: the tests then run on Debian's userland and
# /bin/sh, with the same markers and report.  The vfio stack is not
# preloaded there: tests modprobe what they need, as on a host, from the
# root's /lib/modules/<release> (the whole tree when the recipe sets
# KERNEL; else run-vm.sh puts in the modules it has: the vfio stack).
# systemd-udevd runs when the root has it (mdevctl's udev rules start
# defined vGPUs when their parent appears).
#
# Exit status: 0 only if every test passed (or skipped) and the kernel log
# is clean; 1 on any failure, timeout, missing END marker or splat; 2 on a
# usage or setup error.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD_DIR=${MVGPU_BUILD_DIR:-$ROOT/build}

# The vfio stack loaded at boot, by module name; missing ones are skipped
# (vfio_virqfd is a module on 6.1 only, folded into vfio.ko later).
VFIO_MODULES=(irqbypass vfio vfio_iommu_type1 vfio_virqfd mdev)

# Kernel log lines that fail a run (extended regular expressions).
SPLAT_RE='Oops|BUG:|WARNING:|KASAN|UBSAN|possible circular locking|possible recursive locking'
SPLAT_RE+='|INFO: task .* blocked|general protection fault|Kernel panic|kernel BUG at'
SPLAT_RE+='|unreferenced object|RCU stall|rcu: INFO|soft lockup'
# lockdep's one report without "WARNING:"; kmemleak giving up (debug kernel)
SPLAT_RE+='|INFO: trying to register non-static key|memory leak detector disabled'

FLAVOUR="" MODULES_DIR="" BIN_DIR="" TESTS="" EXTRA_DIR="" LOG="" KERNEL_IMAGE=""
KNOWN_RE="" ROOTFS="" IMAGE=""
# What the --rootfs initramfs loads, by module name, to mount the root
# (missing ones are built in: virtio_pci is on 6.12).
ROOTFS_MODULES=(virtio_pci virtio_blk crc32c_generic ext4)
GUEST_ENV=()
TIMEOUT=600 TEST_TIMEOUT="" MEM=1024 STREAM=1
qemu_pid="" stream_pid=""

die() {
	echo "run-vm: error: $*" >&2
	exit 2
}

usage() {
	sed -n '4,36s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
	exit 2
}

parse_args() {
	while (($#)); do
		case "$1" in
		--kernel) FLAVOUR=${2-} ;;
		--kernel-image) KERNEL_IMAGE=${2-} ;;
		--modules) MODULES_DIR=${2-} ;;
		--bin) BIN_DIR=${2-} ;;
		--tests) TESTS=${2-} ;;
		--timeout) TIMEOUT=${2-} ;;
		--test-timeout) TEST_TIMEOUT=${2-} ;;
		--mem) MEM=${2-} ;;
		--log) LOG=${2-} ;;
		--extra) EXTRA_DIR=${2-} ;;
		--env) GUEST_ENV+=("${2-}") ;;
		--no-stream) STREAM=0 && shift && continue ;;
		--known-splat) KNOWN_RE+="${KNOWN_RE:+|}${2-}" ;;
		--rootfs) ROOTFS=${2-} ;;
		-h | --help) usage ;;
		*) die "unknown argument '$1' (see --help)" ;;
		esac
		(($# >= 2)) || die "$1 needs a value"
		shift 2
	done
	[[ -n $FLAVOUR && -n $MODULES_DIR && -n $BIN_DIR && -n $TESTS ]] ||
		die "--kernel, --modules, --bin and --tests are required (see --help)"
	[[ -d $MODULES_DIR ]] || die "--modules $MODULES_DIR is not a directory"
	[[ -d $BIN_DIR ]] || die "--bin $BIN_DIR is not a directory"
	[[ -z $EXTRA_DIR || -d $EXTRA_DIR ]] || die "--extra $EXTRA_DIR is not a directory"
	[[ -z $KERNEL_IMAGE || -f $KERNEL_IMAGE ]] || die "--kernel-image $KERNEL_IMAGE is not a file"
	if [[ -n $ROOTFS ]]; then
		[[ -f $ROOTFS ]] || ROOTFS="$ROOT/scripts/roots/$ROOTFS.recipe"
		[[ -f $ROOTFS ]] || die "--rootfs: no recipe '$ROOTFS'"
		[[ -z $KERNEL_IMAGE ]] || die "--rootfs boots Debian's kernels only, not --kernel-image"
	fi
	[[ $TIMEOUT =~ ^[0-9]+$ && $MEM =~ ^[0-9]+$ ]] || die "--timeout/--mem need numbers"
	if [[ -z $TEST_TIMEOUT ]]; then
		TEST_TIMEOUT=$((TIMEOUT - 60 < 300 ? TIMEOUT - 60 : 300))
		((TEST_TIMEOUT >= 30)) || TEST_TIMEOUT=30
	fi
	[[ $TEST_TIMEOUT =~ ^[0-9]+$ ]] || die "--test-timeout needs a number"
}

# load_order MODDIR NAMES... -> module paths (relative to MODDIR) in an
# order insmod can load them: each module after all of its dependencies.
load_order() {
	local moddir=$1
	shift
	awk -v names="$*" '
		{
			mod = $1; sub(/:$/, "", mod)
			deps[mod] = ""
			for (i = 2; i <= NF; i++) deps[mod] = deps[mod] " " $i
			base = mod; sub(/.*\//, "", base); sub(/\.ko.*$/, "", base)
			gsub(/-/, "_", base)
			path[base] = mod
		}
		function visit(m,   d, k, i) {
			if (m in done) return
			done[m] = 1
			k = split(deps[m], d, " ")
			for (i = k; i >= 1; i--) visit(d[i])
			print m
		}
		END {
			n = split(names, w, " ")
			for (i = 1; i <= n; i++) if (w[i] in path) visit(path[w[i]])
		}' "$moddir/modules.dep"
}

# copy_with_libs BIN DESTROOT -> BIN and its shared libraries into DESTROOT
copy_with_libs() {
	local bin=$1 root=$2 lib
	cp -L --parents "$bin" "$root"
	for lib in $(ldd "$bin" 2>/dev/null | grep -o '/[^ ]*'); do
		[[ -e $root$lib ]] || cp -L --parents "$lib" "$root"
	done
}

# The guest's /init. Settings come from /etc/mvgpu-vm.conf.
write_init() {
	cat >"$1" <<'EOF'
#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /init of the mvgpu test VM, generated by tests/vm/run-vm.sh.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mkdir -p /dev/pts /dev/shm /tmp /run /root
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
. /etc/mvgpu-vm.conf

# start_udev: in a Debian root, systemd-udevd if it has one (again after
# a test's end killed it), so that udev rules run as on a host.
start_udev() {
	[ -n "$ROOTFS" ] && [ -x /lib/systemd/systemd-udevd ] || return 0
	udevadm control --ping 2>/dev/null || /lib/systemd/systemd-udevd --daemon
}
# In a Debian root: root's PATH as Debian sets it, with busybox's
# poweroff and sysctl last (minbase has neither), and the /dev links that
# udev or systemd would make (bash's <(...), which dkms uses, needs /dev/fd).
if [ -n "$ROOTFS" ]; then
	export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/mvgpu/bin
	ln -sf /proc/self/fd /dev/fd
	ln -sf /proc/self/fd/0 /dev/stdin
	ln -sf /proc/self/fd/1 /dev/stdout
	ln -sf /proc/self/fd/2 /dev/stderr
fi

# "quiet" hides boot noise; from now on show warnings and worse live.
dmesg -n 5
if [ -w /proc/sys/kernel/hung_task_timeout_secs ]; then
	sysctl -q -w kernel.hung_task_timeout_secs=30
fi
echo "### MVGPU-VM-BOOTED $(uname -r)"

loaded=""
while read -r mod; do
	if insmod "/lib/modules/$KREL/$mod"; then
		loaded="$loaded ${mod##*/}"
	else
		echo "### MVGPU-MODULE-FAILED $mod"
	fi
done </etc/mvgpu-modules
echo "# vfio stack loaded:$loaded"

mkdir -p /etc/mdevctl.d/scripts.d/callouts /etc/mdevctl.d/scripts.d/notifiers
export MVGPU_MODDIR=/lib/mvgpu MVGPU_KERNEL_FLAVOUR="$FLAVOUR" MVGPU_ACCEL="$ACCEL" \
	MVGPU_TEST_TIMEOUT="$TEST_TIMEOUT"
[ ! -f /etc/mvgpu-env ] || . /etc/mvgpu-env

# run_test NAME: run /tests/NAME and return its exit status.  At the time
# limit every process but init gets SIGTERM, then SIGKILL 10 s later, and
# whatever is left when the test ends is killed as well: a kselftest
# harness runs each test in a child in a process group of its own, so
# killing the harness alone left that child running into the next test (a
# stress loop outlived its limit and churned vGPUs through the scans of
# kmemleak_test.sh).  Nothing but the tests runs in this VM, and init is
# exempt from kill(-1).
run_test() {
	local pid dog rc

	start_udev
	"/tests/$1" </dev/null 2>&1 &
	pid=$!
	sh -c 'sleep "$1"; kill -TERM -1; sleep 10; kill -KILL -1' \
		watchdog "$TEST_TIMEOUT" >/dev/null 2>&1 &
	dog=$!
	wait "$pid"
	rc=$?
	kill -KILL -1 2>/dev/null
	wait "$dog" 2>/dev/null
	return "$rc"
}

for t in $TESTS; do
	echo "### MVGPU-TEST-BEGIN $t"
	cd /tests
	run_test "$t"
	rc=$?
	cd /
	echo
	echo "### MVGPU-TEST-END $t rc=$rc"
done

echo "### MVGPU-DMESG-BEGIN"
dmesg
echo "### MVGPU-DMESG-END"
echo "### MVGPU-VM-DONE"
poweroff -f
EOF
	chmod 755 "$1"
}

# The --rootfs initramfs's /init: mount the Debian root, put the payload
# in, switch_root to the test runner.
write_stage1() {
	cat >"$1" <<'EOF'
#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /init of the mvgpu --rootfs initramfs, generated by tests/vm/run-vm.sh:
# mounts the Debian root from /dev/vda and starts the test runner in it.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
. /etc/mvgpu-vm.conf

fail() {
	echo "### MVGPU-ROOTFS-FAILED $*"
	echo "### MVGPU-DMESG-BEGIN"
	dmesg
	echo "### MVGPU-DMESG-END"
	poweroff -f
}

while read -r mod; do
	insmod "/lib/modules/$KREL/$mod" || fail "insmod $mod"
done </etc/mvgpu-modules
i=0
while [ ! -b /dev/vda ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
mkdir -p /newroot
mount -t ext4 /dev/vda /newroot || fail "cannot mount /dev/vda"

# The payload: the runner and busybox for it, tests, our modules, the
# settings, --extra; the kernel's modules if the root has none for it.
r=/newroot
mkdir -p $r/mvgpu/bin $r/tests $r/etc
cp /init.rootfs $r/mvgpu/init
cp /bin/busybox $r/mvgpu/bin/busybox
ln -sf busybox $r/mvgpu/bin/poweroff
ln -sf busybox $r/mvgpu/bin/sysctl
cp -a /tests/. $r/tests/
# /lib/mvgpu only if there are --modules: a package may own that directory
if [ -n "$(ls /lib/mvgpu)" ]; then
	mkdir -p $r/lib/mvgpu
	cp -a /lib/mvgpu/. $r/lib/mvgpu/
fi
cp /etc/mvgpu-vm.conf /etc/mvgpu-env $r/etc/
: >$r/etc/mvgpu-modules	# the runner preloads nothing here
[ ! -d /extra ] || cp -a /extra/. $r/
if [ ! -d "$r/lib/modules/$KREL/kernel" ]; then
	mkdir -p $r/lib/modules
	cp -a "/lib/modules/$KREL" $r/lib/modules/
fi
umount /proc /sys /dev
exec switch_root /newroot /mvgpu/init
EOF
	chmod 755 "$1"
}

# build_initramfs OUT -> gzip'd newc cpio with busybox, vfio stack, tests
build_initramfs() {
	local out=$1 stage="$VM_DIR/root" kmods="$KDIR_VM/lib/modules/$KREL" f name applet mdevctl

	rm -rf "$stage"
	mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,root,etc,tests,lib/mvgpu}
	mkdir -p "$stage/lib/modules"

	# busybox and its applets
	cp /bin/busybox "$stage/bin/busybox"
	for applet in $(/bin/busybox --list-full); do
		[[ -e $stage/$applet ]] || ln -s /bin/busybox "$stage/$applet"
	done
	# The kernel opens /dev/console before /init runs (root can make it;
	# otherwise /init reopens it from devtmpfs).
	[[ $EUID -ne 0 ]] || mknod -m 600 "$stage/dev/console" c 5 1

	# mdevctl (a dynamically linked binary) for tests that want it; a
	# Debian root brings its own, if its recipe installs it
	mdevctl=$(command -v mdevctl || true)
	if [[ -n $mdevctl && -z $ROOTFS ]]; then
		copy_with_libs "$mdevctl" "$stage"
		ln -sf mdevctl "$stage${mdevctl%/*}/lsmdev"
	fi

	# the kernel's vfio/mdev modules (the subset fetch-kernel.sh unpacked);
	# none for a --kernel-image, which has them built in
	: >"$stage/etc/mvgpu-modules"
	if [[ -n $ROOTFS ]]; then
		# here: what mounts the root (the test runner preloads nothing)
		cp -a "$kmods" "$stage/lib/modules/"
		load_order "$kmods" "${ROOTFS_MODULES[@]}" >"$stage/etc/mvgpu-modules"
	elif [[ -z $KERNEL_IMAGE ]]; then
		cp -a "$kmods" "$stage/lib/modules/"
		load_order "$kmods" "${VFIO_MODULES[@]}" >"$stage/etc/mvgpu-modules"
	fi

	# our modules (loaded by the tests) and the tests
	for f in "$MODULES_DIR"/*.ko; do
		if [[ -e $f ]]; then cp "$f" "$stage/lib/mvgpu/"; fi
	done
	for f in "$BIN_DIR"/*; do
		if [[ -f $f && ( -x $f || $f == *_lib.sh ) ]]; then
			cp "$f" "$stage/tests/"
		fi
	done
	if [[ -n $EXTRA_DIR && -n $ROOTFS ]]; then
		mkdir -p "$stage/extra"
		cp -a "$EXTRA_DIR/." "$stage/extra/"
	elif [[ -n $EXTRA_DIR ]]; then
		cp -a "$EXTRA_DIR/." "$stage/"
	fi
	for name in $TESTS; do
		[[ -x $stage/tests/$name ]] || die "test '$name' is not an executable in $BIN_DIR"
	done

	cat >"$stage/etc/mvgpu-vm.conf" <<EOF
KREL='$KREL'
FLAVOUR='$FLAVOUR'
ACCEL='$ACCEL'
TESTS='$TESTS'
TEST_TIMEOUT=$TEST_TIMEOUT
ROOTFS='${ROOTFS:+${ROOTFS##*/}}'
EOF
	# --env NAME=VALUE settings for the tests (validated names only).
	: >"$stage/etc/mvgpu-env"
	for kv in "${GUEST_ENV[@]}"; do
		[[ $kv =~ ^[A-Z_][A-Z0-9_]*=[A-Za-z0-9_.,:/-]*$ ]] ||
			die "--env '$kv': want NAME=VALUE with a plain value"
		echo "export $kv" >>"$stage/etc/mvgpu-env"
	done
	if [[ -n $ROOTFS ]]; then
		write_init "$stage/init.rootfs"
		write_stage1 "$stage/init"
	else
		write_init "$stage/init"
	fi

	(cd "$stage" && find . -print | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$out"
}

# clean_console -> stdin to stdout without CRs and terminal escape
# sequences (SeaBIOS clears the screen).
clean_console() {
	sed -u -e 's/\r$//' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1b[()][0-9A-Za-z]//g' -e 's/\x1b[c78=>]//g'
}

# stream_console LOG PID -> follow LOG until PID exits, as TAP comments
# ("#| ..."), leaving out the kernel log dump at the end.
stream_console() {
	tail -n +1 -s 0.5 -F --pid="$2" "$1" 2>/dev/null | clean_console | awk '
		/### MVGPU-DMESG-BEGIN/ { skip = 1; n = 0; next }
		/### MVGPU-DMESG-END/ { skip = 0; printf "#| (kernel log: %d lines, in the console log)\n", n; fflush(); next }
		skip { n++; next }
		{ print "#| " $0; fflush() }'
}

# report -> per-test output and counts, splat check, summary, result file.
# Sets FAILED, PASSED, SKIPPED.
report() {
	local clean="$VM_DIR/console.txt" counts splat_src splats
	clean_console <"$LOG" >"$clean"

	# Per-test sections. Output for awk: test output lines, then one
	# "@@COUNTS p f s" line at the end.
	counts=$(awk -v tests="$TESTS" -v flavour="$FLAVOUR" '
		BEGIN { n = split(tests, t, " ") }
		{ line[++nl] = $0 }
		# ends_with(S, SUFFIX): kernel messages may precede a marker
		function ends_with(str, suffix) {
			return length(str) >= length(suffix) &&
				substr(str, length(str) - length(suffix) + 1) == suffix
		}
		END {
			P = F = S = 0
			from = 1	# tests run in order: search after the previous one
			for (i = 1; i <= n; i++) {
				name = t[i]; begin = 0; end = 0; rc = ""
				for (j = from; j <= nl; j++) {
					if (!begin && ends_with(line[j], "### MVGPU-TEST-BEGIN " name)) begin = j
					else if (begin && index(line[j], "### MVGPU-TEST-END " name " rc=")) {
						end = j; rc = line[j]; sub(/.*rc=/, "", rc); rc += 0; break
					}
				}
				if (end) from = end + 1
				p = f = s = 0; plan = -1
				if (!begin) {
					printf "# === %s: %s (not started)\n", flavour, name
					f = 1
				} else {
					printf "# === %s: %s (rc=%s)\n", flavour, name, (end ? rc : "none")
					last = end ? end - 1 : nl
					for (j = begin + 1; j <= last; j++) {
						l = line[j]
						if (j == end - 1 && l == "") continue  # marker spacer
						if (index(l, "### MVGPU-") == 1) break   # crash: next section
						print l
						if (l ~ /^ok [0-9]+/) { if (l ~ /#[ \t]*[Ss][Kk][Ii][Pp]/) s++; else p++ }
						else if (l ~ /^not ok [0-9]+/) f++
						else if (l ~ /^1\.\.[0-9]+/) { plan = l; sub(/^1\.\./, "", plan); plan += 0 }
					}
					if (!end) {
						printf "# %s: %s: no END marker (VM crashed or timed out)\n", flavour, name
						f++
					} else if (rc != 0 && rc != 4 && f == 0) {
						printf "# %s: %s: exit status %s%s\n", flavour, name, rc,
							(rc == 143 ? " (killed by the in-guest timeout)" : "")
						f++
					} else if (rc == 4 && p + f + s == 0) {
						s++
					} else if (rc == 0 && p + f + s == 0 && plan < 0) {
						p++
					} else if (plan > p + f + s && rc != 4) {
						printf "# %s: %s: planned %d results, got %d\n", flavour, name, plan, p + f + s
						f++
					}
				}
				printf "# --- %s: %s: %d passed, %d failed, %d skipped\n", flavour, name, p, f, s
				P += p; F += f; S += s
			}
			printf "@@COUNTS %d %d %d\n", P, F, S
		}' "$clean")
	grep -v '^@@COUNTS ' <<<"$counts"
	read -r _ PASSED FAILED SKIPPED < <(grep '^@@COUNTS ' <<<"$counts")

	if grep -q '### MVGPU-ROOTFS-FAILED' "$clean"; then
		echo "# $FLAVOUR: could not start the Debian root:"
		grep '### MVGPU-ROOTFS-FAILED' "$clean"
		FAILED=$((FAILED + 1))
	fi
	if grep -q '### MVGPU-MODULE-FAILED' "$clean"; then
		echo "# $FLAVOUR: could not load the vfio stack:"
		grep '### MVGPU-MODULE-FAILED' "$clean"
		FAILED=$((FAILED + 1))
	fi

	# Splats: the complete kernel log dumped at the end if we got that
	# far (not confused by test output), else the whole console.
	splat_src="$VM_DIR/kernel.log"
	if grep -q '### MVGPU-DMESG-END' "$clean"; then
		sed -n '/### MVGPU-DMESG-BEGIN/,/### MVGPU-DMESG-END/p' "$clean" | sed '1d;$d' >"$splat_src"
	else
		cp "$clean" "$splat_src"
	fi
	splats=$(awk -v re="$SPLAT_RE" -v known="$KNOWN_RE" -v flavour="$FLAVOUR" '
		$0 ~ re {
			if (left <= 0) {
				if (known != "" && $0 ~ known) {
					k++
					printf "# ======== %s: known kernel bug #%d (not counted) ========\n", flavour, k
				} else {
					n++
					printf "# ======== %s: kernel splat #%d ========\n", flavour, n
				}
			}
			left = 41
		}
		left > 0 { print; if (--left == 0) printf "# ======== end of splat ========\n" }
		END {
			if (left > 0) printf "# ======== end of splat ========\n"
			if (k) printf "# %s: %d report(s) of known kernel bugs (--known-splat)\n", flavour, k
			printf "@@SPLATS %d\n", n
		}
		' "$splat_src")
	grep -v '^@@SPLATS ' <<<"$splats" || true
	splats=$(grep '^@@SPLATS ' <<<"$splats" | cut -d' ' -f2)
	if ((splats > 0)); then
		echo "# $FLAVOUR: $splats kernel splat(s) in the kernel log ($splat_src)"
		FAILED=$((FAILED + splats))
	fi
}

main() {
	local initrd start qemu_rc=0 accel elapsed decision reason disk
	local cmdline="console=ttyS0 quiet panic=-1 panic_on_warn=0 softlockup_panic=0 printk.devkmsg=on log_buf_len=4M"

	parse_args "$@"
	VM_DIR="$BUILD_DIR/vm/$FLAVOUR"
	mkdir -p "$VM_DIR"
	LOG=${LOG:-$VM_DIR/console.log}
	rm -f "$VM_DIR/result"

	# Fetch/unpack the kernel (quick if already there).
	if [[ -n $KERNEL_IMAGE ]]; then
		KREL=$FLAVOUR KDIR_VM=""
		VMLINUZ=$KERNEL_IMAGE
	else
		KREL=$("$ROOT/scripts/fetch-kernel.sh" "$FLAVOUR") || die "no kernel for $FLAVOUR"
		KDIR_VM="$BUILD_DIR/kernels/$KREL"
		VMLINUZ=$KDIR_VM/vmlinuz
	fi

	initrd="$VM_DIR/initramfs.cpio.gz"
	# KVM only where a probe guest shows it works (scripts/qemu-accel.sh,
	# which also picks the CPU model); a caller that boots several VMs
	# probes once and passes its decision in MVGPU_ACCEL_DECISION.
	decision=${MVGPU_ACCEL_DECISION:-}
	[[ -n $decision ]] ||
		decision=$("$ROOT/scripts/qemu-accel.sh" --kernel "$VMLINUZ") ||
		die "cannot decide on an accelerator"
	IFS=$'\t' read -r accel CPU reason <<<"$decision"
	[[ -n $accel && -n $CPU ]] || die "bad accelerator decision '$decision'"
	ACCEL=$accel
	disk=()
	if [[ -n $ROOTFS ]]; then
		IMAGE=$(BUILD=$BUILD_DIR "$ROOT/scripts/mkroot.sh" --image "$ROOTFS") ||
			die "no root file system image for $ROOTFS"
		# snapshot=on: the guest's writes go to a temporary overlay
		disk=(-drive "file=$IMAGE,format=raw,if=virtio,snapshot=on")
		cmdline+=" root=/dev/vda"
	fi
	build_initramfs "$initrd"

	echo "# $FLAVOUR: kernel $KREL, accel: $accel ($reason), tests: $TESTS"
	[[ -z $IMAGE ]] || echo "# $FLAVOUR: root file system: $IMAGE (snapshot)"

	: >"$LOG"
	start=$SECONDS
	# -nographic with the serial port going to the log file and no monitor:
	# nothing reads our stdin.
	timeout --kill-after=10 "$TIMEOUT" qemu-system-x86_64 \
		-machine q35 -cpu "$CPU" -accel "$accel" -m "$MEM" -smp 2 \
		-nographic -no-reboot -monitor none -nic none \
		-serial "file:$LOG" \
		-kernel "$VMLINUZ" -initrd "$initrd" "${disk[@]}" \
		-append "$cmdline" \
		</dev/null 2>"$VM_DIR/qemu.stderr" &
	qemu_pid=$!
	# If we are interrupted, do not leave QEMU (or the log follower) behind.
	trap 'kill "$qemu_pid" ${stream_pid:+"$stream_pid"} 2>/dev/null' EXIT
	trap 'exit 130' INT TERM
	stream_pid=""
	if ((STREAM)); then
		stream_console "$LOG" "$qemu_pid" &
		stream_pid=$!
	fi
	wait "$qemu_pid" || qemu_rc=$?
	[[ -z $stream_pid ]] || wait "$stream_pid" || true
	trap - EXIT INT TERM
	elapsed=$((SECONDS - start))

	report
	if ((qemu_rc == 124 || qemu_rc == 137)); then
		echo "# $FLAVOUR: TIMEOUT: QEMU killed after ${TIMEOUT}s"
		FAILED=$((FAILED + 1))
	elif ((qemu_rc != 0)); then
		echo "# $FLAVOUR: QEMU exited with status $qemu_rc"
		FAILED=$((FAILED + 1))
	fi
	if [[ -s $VM_DIR/qemu.stderr ]]; then
		echo "# qemu stderr:"
		sed 's/^/#   /' "$VM_DIR/qemu.stderr"
	fi
	if ! grep -q '### MVGPU-VM-DONE' "$LOG"; then
		echo "# $FLAVOUR: the VM did not finish its run"
		((FAILED > 0)) || FAILED=1
	fi

	echo "passed=$PASSED failed=$FAILED skipped=$SKIPPED" >"$VM_DIR/result"
	echo "# $FLAVOUR: VM run took ${elapsed}s (accel $accel), console log: $LOG"
	echo "# $FLAVOUR: $PASSED passed, $FAILED failed, $SKIPPED skipped"
	((FAILED == 0))
}

main "$@"
