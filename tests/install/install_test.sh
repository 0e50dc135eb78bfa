#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# install_test.sh - installing mvgpu on a Debian 12 host, as the
# administrator's guide says, command for command; prints TAP.
#
# Runs as root in the Debian root VM of scripts/check-install.sh
# (tests/vm/run-vm.sh --rootfs scripts/roots/install-bookworm-<k>.recipe):
# the kernel's headers, dkms, gcc, mdevctl and udev are installed, there
# is no network.  What it installs comes in /root/mvgpu-install/:
#   mvgpu-dkms_*.deb mvgpu-tools_*.deb   the packages (make deb)
#   src/                                 the source tree, built for this
#                                        kernel (make install-build)
# and the VFIO client /tests/vfio_open.  A part whose input is missing is
# skipped.
#
# 1. Packages: apt-get install ./mvgpu-dkms_*.deb ./mvgpu-tools_*.deb;
#    DKMS built and installed mvgpu for the running kernel; modprobe
#    mvgpu_sim; mvgpuctl creates a vGPU that a VFIO client opens; a vGPU
#    defined with mdevctl define --auto comes back after the module is
#    reloaded; apt-get purge leaves no file of the packages behind (the
#    root's file list before and after compared).
# 2. make install / make uninstall: the same checks, the modules from
#    /lib/modules/<kver>/updates/mvgpu/.
#
# Usage (in the VM): /tests/install_test.sh

PAYLOAD=/root/mvgpu-install
VFIO_OPEN=/tests/vfio_open
KREL=$(uname -r)
N=0
FAILED=0
START=$(cut -d. -f1 /proc/uptime)

# t DESCRIPTION COMMAND: one TAP result; COMMAND's output as diagnostics
# when it fails.
t() {
	N=$((N + 1))
	if (eval "$2") >/tmp/t.out 2>&1; then
		echo "ok $N - $1"
	else
		echo "not ok $N - $1"
		sed 's/^/# /' /tmp/t.out | tail -n 40
		FAILED=$((FAILED + 1))
	fi
	echo "# at $(($(cut -d. -f1 /proc/uptime) - START)) s"
}

skip() {
	N=$((N + 1))
	echo "ok $N - $1 # SKIP $2"
}

# files: every path on the root file system (directories marked with a
# trailing /) but the kernel's and the
# test's own (proc, sys, dev, run, tmp), /root (the payload), /tests,
# /mvgpu (the runner), and what apt and dpkg log or cache (/var/log,
# /var/cache): what a package leaves behind shows up here.
files() {
	find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /run \
		-o -path /tmp -o -path /var/tmp -o -path /root -o -path /tests \
		-o -path /mvgpu -o -path /var/log -o -path /var/cache \) -prune \
		-o -type d -printf '%p/\n' -o -printf '%p\n' | LC_ALL=C sort
}

# Paths that others make while mvgpu is in use, and keep, by design:
# DKMS's module-signing key (made at its first build, kept for Secure
# Boot enrolment) and the per-parent directory that mdevctl define makes
# and mdevctl undefine leaves.
NOT_OURS='^> (/var/lib/dkms/mok\.(key|pub)|/etc/mdevctl\.d/mvgpu[0-9]+/)$'

# same_files BEFORE AFTER DIRS: the file lists are the same (but for
# NOT_OURS, which are listed); with
# DIRS=dirs-ok, only files count, and directories left empty are listed
# (make uninstall, as automake's, leaves the directories it made).
same_files() {
	diff "$1" "$2" | grep '^[<>]' >/tmp/diff
	grep -E "$NOT_OURS" /tmp/diff | sed 's/^> /# left by others: /' >/tmp/notes
	grep -vE "$NOT_OURS" /tmp/diff >/tmp/diff.ours
	if [ "$3" = dirs-ok ]; then
		sed -n 's/^> \(.*\/\)$/# left, empty: \1/p' /tmp/diff.ours >>/tmp/notes
		! grep -v '/$' /tmp/diff.ours
	else
		! cat /tmp/diff.ours | grep .
	fi
}

# wait_for COMMAND SECONDS: until COMMAND succeeds, at most SECONDS
wait_for() {
	i=0
	while ! sh -c "$1" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -le $(($2 * 5)) ] || return 1
		sleep 0.2
	done
}

# vgpu_checks WHERE: the module loads, a vGPU is made and opened, removed,
# the module unloads; WHERE is the directory the modules must come from.
vgpu_checks() {
	t "modinfo finds mvgpu_sim in $1" \
		"modinfo -n mvgpu_sim | grep -q '^$1/mvgpu_sim.ko'"
	t "modprobe mvgpu_sim" "modprobe mvgpu_sim"
	t "the software pGPU is there (/sys/class/mdev_bus/mvgpu0)" \
		"wait_for 'test -d /sys/class/mdev_bus/mvgpu0' 10"
	t "mvgpuctl types lists ts-64m" "mvgpuctl types | grep -q ts-64m"
	uuid=$(mvgpuctl create ts-64m 2>/tmp/create.err)
	t "mvgpuctl create ts-64m made a vGPU (${uuid:-none})" \
		"cat /tmp/create.err; test -n '$uuid' && test -d '/sys/bus/mdev/devices/$uuid'"
	t "a VFIO client opens it" \
		"wait_for 'grep -q ^vfio_iommu_type1 /proc/modules' 10 || modprobe vfio_iommu_type1; $VFIO_OPEN $uuid"
	t "mvgpuctl destroy removes it" \
		"mvgpuctl destroy $uuid && ! test -e /sys/bus/mdev/devices/$uuid"
}

unload() {
	modprobe -r mvgpu_sim mvgpu_guest mvgpu 2>/dev/null
	! grep -q '^mvgpu' /proc/modules
}

echo "TAP version 13"
echo "# kernel $KREL"
# Debian 12's mdevctl (1.2.0-3) installs /usr/bin/mdevctl, but its udev
# rule runs /usr/sbin/mdevctl: vGPUs defined with --auto never start by
# themselves.  The guide's fix, a corrected copy of the rule in /etc/udev
# (which overrides the package's):
rule=/usr/lib/udev/rules.d/60-mdevctl.rules
if grep -q /usr/sbin/mdevctl $rule && ! [ -e /usr/sbin/mdevctl ]; then
	t "mdevctl's udev rule fixed in /etc/udev/rules.d (Debian 12 bug)" \
		"sed 's|/usr/sbin/mdevctl|/usr/bin/mdevctl|' $rule >/etc/udev/rules.d/60-mdevctl.rules &&
		 udevadm control --reload"
fi
files >/tmp/files.before
echo "# at $(($(cut -d. -f1 /proc/uptime) - START)) s: file list taken"

# --- 1. the Debian packages ---
dkms=$(ls $PAYLOAD/mvgpu-dkms_*.deb 2>/dev/null | head -n 1)
tools=$(ls $PAYLOAD/mvgpu-tools_*.deb 2>/dev/null | head -n 1)
if [ -n "$dkms" ] && [ -n "$tools" ]; then
	cd $PAYLOAD || exit 1
	t "apt-get install ./${dkms##*/} ./${tools##*/} (offline)" \
		"apt-get install -y --no-install-recommends ./${dkms##*/} ./${tools##*/}"
	cd /
	t "dkms status: mvgpu installed for $KREL" \
		"dkms status mvgpu | tee /dev/stderr | grep -q '$KREL.*installed'"
	vgpu_checks "/lib/modules/$KREL/updates/dkms"

	uuid=$(cat /proc/sys/kernel/random/uuid)
	t "mdevctl define --auto, mdevctl start" \
		"mdevctl define -u $uuid -p mvgpu0 -t mvgpu-ts-64m --auto && mdevctl start -u $uuid &&
		 test -d /sys/bus/mdev/devices/$uuid"
	t "modprobe -r mvgpu_sim; modprobe mvgpu_sim" \
		"modprobe -r mvgpu_sim && ! test -e /sys/bus/mdev/devices/$uuid && modprobe mvgpu_sim"
	t "the defined vGPU comes back (udev runs mdevctl)" \
		"wait_for 'test -d /sys/bus/mdev/devices/$uuid' 30; mdevctl list | grep $uuid"
	t "a VFIO client opens it" "$VFIO_OPEN $uuid"
	t "mdevctl stop, mdevctl undefine" \
		"mdevctl stop -u $uuid; mdevctl undefine -u $uuid && ! test -e /etc/mdevctl.d/mvgpu0/$uuid"

	t "modprobe -r mvgpu_sim mvgpu" unload
	t "apt-get purge mvgpu-dkms mvgpu-tools" \
		"apt-get purge -y mvgpu-dkms mvgpu-tools"
	t "no mvgpu module, DKMS tree or tool is left" \
		"! modinfo mvgpu_sim && ! test -e /var/lib/dkms/mvgpu && ! ls -d /usr/src/mvgpu-* &&
		 ! command -v mvgpuctl && ! command -v mvgpu-bench"
	files >/tmp/files.after
	t "purge leaves the file list as before the install" \
		"same_files /tmp/files.before /tmp/files.after"
	cat /tmp/notes
else
	skip "the Debian packages" "no mvgpu-dkms/mvgpu-tools .deb in $PAYLOAD"
fi

# --- 2. make install / make uninstall ---
if [ -f $PAYLOAD/src/Makefile ]; then
	files >/tmp/files.before
	cd $PAYLOAD/src || exit 1
	t "make install" "make install"
	cd /
	vgpu_checks "/lib/modules/$KREL/updates/mvgpu"
	t "mvgpuctl and mvgpu-bench are in /usr/local" \
		"test -x /usr/local/sbin/mvgpuctl || test -x /usr/local/bin/mvgpuctl; test -x /usr/local/bin/mvgpu-bench"
	t "modprobe -r mvgpu_sim mvgpu" unload
	cd $PAYLOAD/src || exit 1
	t "make uninstall" "make uninstall"
	cd /
	files >/tmp/files.after
	t "uninstall leaves no file behind" \
		"same_files /tmp/files.before /tmp/files.after dirs-ok"
	cat /tmp/notes
else
	skip "make install" "no source tree in $PAYLOAD/src"
fi

echo "1..$N"
[ "$FAILED" -eq 0 ]
