#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-qemu10.sh - QEMU 10 from Debian's bookworm-backports, unpacked into
# the cache, never installed: Debian 12's QEMU 7.2 speaks only VFIO
# migration v1, and the live-migration test (tests/selftests/
# qemu_migrate_test.sh) needs v2 (QEMU >= 8.0).
#
# Usage: scripts/fetch-qemu10.sh [--print-root]
#
# Downloads qemu-system-x86, qemu-system-common and qemu-system-data with
# apt-get download through a private apt directory (its own sources.list,
# lists and cache under ${CACHE}/apt-bpo12: the host's apt sources are not
# touched) and unpacks them with dpkg -x into ${CACHE}/qemu10/root.  QEMU
# runs from there with only Debian 12's installed libraries, given
# QEMU_MODULE_DIR=<root>/usr/lib/x86_64-linux-gnu/qemu (otherwise it loads
# 7.2's modules and aborts).  Idempotent: a root holding the pinned version
# is kept.  --print-root prints the root (after fetching if needed).
#
# Environment: MVGPU_CACHE (default ~/.cache/mvgpu), QEMU10_VERSION.

set -euo pipefail

CACHE=${MVGPU_CACHE:-$HOME/.cache/mvgpu}
VERSION=${QEMU10_VERSION:-1:10.0.2+ds-2+deb13u1~bpo12+1}
APT=$CACHE/apt-bpo12
OUT=$CACHE/qemu10
PKGS=(qemu-system-x86 qemu-system-common qemu-system-data)

die() {
	echo "fetch-qemu10: $*" >&2
	exit 1
}

if [ -x "$OUT/root/usr/bin/qemu-system-x86_64" ] &&
	[ "$(cat "$OUT/version" 2>/dev/null)" = "$VERSION" ]; then
	[ "${1-}" = --print-root ] && echo "$OUT/root"
	exit 0
fi

mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$OUT"
echo "deb http://deb.debian.org/debian bookworm-backports main" >"$APT/sources.list"
touch "$APT/status"
opts=(-o "Dir::Etc::sourcelist=$APT/sources.list" -o Dir::Etc::sourceparts=-
	-o "Dir::State::Lists=$APT/lists" -o "Dir::State::status=$APT/status"
	-o "Dir::Cache=$APT/cache" -o APT::Sandbox::User=root)
apt-get "${opts[@]}" update -q >&2 || die "apt-get update of bookworm-backports failed"

tmp=$(mktemp -d "$OUT/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get "${opts[@]}" download -q \
	"${PKGS[@]/%/=$VERSION}" >&2) || die "apt-get download ${PKGS[*]}=$VERSION failed"
mkdir "$tmp/root"
for deb in "$tmp"/*.deb; do
	dpkg -x "$deb" "$tmp/root"
done
QEMU_MODULE_DIR=$tmp/root/usr/lib/x86_64-linux-gnu/qemu \
	"$tmp/root/usr/bin/qemu-system-x86_64" --version >&2 ||
	die "the unpacked QEMU does not run here"
rm -rf "$OUT/root"
mv "$tmp/root" "$OUT/root"
echo "$VERSION" >"$OUT/version"
[ "${1-}" = --print-root ] && echo "$OUT/root"
exit 0
