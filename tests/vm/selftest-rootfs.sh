#!/usr/bin/env bash
# shellcheck disable=SC2034 # check's eval reads RESULT, rc, *_before
# SPDX-License-Identifier: GPL-2.0
#
# selftest-rootfs.sh - self-check of tests/vm/run-vm.sh --rootfs (not part
# of `make check`): boots a Debian root file system image and checks that
#
#   1. the tests run on it: / is ext4 on /dev/vda (label mvgpu-root), the
#      shell is Debian's (dash), /etc/debian_version is there and `dpkg -l`
#      lists installed packages, --modules and --bin arrived, /lib/modules
#      of the running kernel lets modprobe load vfio and mdev, and a file
#      written by the test stays in the VM;
#   2. run-vm.sh counts those results (passed=N failed=0) and exits 0;
#   3. the cached image is unchanged by the run: same sha256 and mtime
#      before and after, and the file the test wrote is not in it.
#
# Usage: tests/vm/selftest-rootfs.sh [FLAVOUR] [RECIPE]
#        (default 6.1 and scripts/roots/vm-bookworm.recipe; needs root and
#        make deps: the first run builds the image with debootstrap)
# Last line: "N passed, N failed".

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${MVGPU_BUILD_DIR:-$ROOT/build}
FLAVOUR=${1:-6.1}
RECIPE=${2:-$ROOT/scripts/roots/vm-bookworm.recipe}
RESULT="$BUILD/vm/$FLAVOUR/result"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/bin" "$WORK/modules"
PASS=0 FAIL=0

check() {
	if eval "$2"; then
		echo "ok - $1"
		PASS=$((PASS + 1))
	else
		echo "not ok - $1"
		FAIL=$((FAIL + 1))
	fi
}

for tool in debugfs sha256sum; do
	command -v "$tool" >/dev/null || { echo "missing $tool: run make deps" >&2; exit 2; }
done

# The test, run by the VM's /bin/sh.  Plan and numbering as TAP.
cat >"$WORK/bin/rootfs_check" <<'EOF'
#!/bin/sh
n=0
t() {
	n=$((n + 1))
	if eval "$2" >/tmp/out 2>&1; then echo "ok $n - $1"; else echo "not ok $n - $1"; sed 's/^/# /' /tmp/out; fi
}
echo "TAP version 13"
echo "1..9"
t "/ is ext4 on /dev/vda" 'awk '\''$2 == "/" && $1 == "/dev/vda" && $3 == "ext4" { f = 1 } END { exit !f }'\'' /proc/mounts'
t "the root's label is mvgpu-root" '[ "$(blkid -s LABEL -o value /dev/vda)" = mvgpu-root ]'
t "/bin/sh is Debian's dash" '[ "$(readlink -f /bin/sh)" = /usr/bin/dash ]'
t "/etc/debian_version says 12" 'grep -q "^12" /etc/debian_version'
t "dpkg -l lists installed packages" 'dpkg -l | grep -q "^ii  dpkg "'
t "the test and its module payload arrived" '[ -x /tests/rootfs_check ] && [ -f /lib/mvgpu/payload.ko ]'
t "modprobe loads vfio and mdev from /lib/modules/$(uname -r)" 'modprobe vfio && modprobe mdev && grep -q "^mdev " /proc/modules'
t "the root is writable (a snapshot)" 'echo scribble >/mvgpu-selftest-scribble && [ -s /mvgpu-selftest-scribble ]'
t "init is the test runner" 'grep -q "mvgpu/init" /proc/1/cmdline'
EOF
chmod +x "$WORK/bin/rootfs_check"
echo "not a module" >"$WORK/modules/payload.ko"

image=$(BUILD=$BUILD "$ROOT/scripts/mkroot.sh" --image "$RECIPE")
sum_before=$(sha256sum <"$image")
mtime_before=$(stat -c %Y "$image")

rc=0
"$ROOT/tests/vm/run-vm.sh" --kernel "$FLAVOUR" --rootfs "$RECIPE" \
	--modules "$WORK/modules" --bin "$WORK/bin" --tests rootfs_check \
	--no-stream --timeout 300 >"$WORK/out" 2>&1 || rc=$?
sed 's/^/  | /' "$WORK/out"

check "run-vm.sh --rootfs exits 0" '((rc == 0))'
check "every check in the VM passed (passed=9 failed=0)" \
	'[[ $(cat "$RESULT" 2>/dev/null) == "passed=9 failed=0 skipped=0" ]]'
check "the image's sha256 is unchanged" '[[ $(sha256sum <"$image") == "$sum_before" ]]'
check "the image's mtime is unchanged" '[[ $(stat -c %Y "$image") == "$mtime_before" ]]'
check "the file the test wrote is not in the image" \
	'! debugfs -R "stat /mvgpu-selftest-scribble" "$image" 2>&1 | grep -q "^Inode:"'

echo "$PASS passed, $FAIL failed"
((FAIL == 0))
