#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# version.sh - print mvgpu's version: the one place every consumer asks.
#
# Usage: scripts/version.sh
#
# The release is the VERSION file at the top of the tree (e.g. 0.9.0).  In
# a git checkout, a development build appends what `git describe` says
# about it, in a form that dpkg orders after the release:
#   0.9.0                      HEAD is the release (tag v0.9.0, or the
#                              commit that set VERSION) and the tree is clean
#   0.9.0+git12.g1a2b3c4       12 commits after it
#   0.9.0+git12.g1a2b3c4.dirty ... with uncommitted changes to tracked files
# Without a tag v<VERSION>, "after it" counts from the last commit that
# changed VERSION.  Outside git (a DKMS source tree, a Debian build tree,
# a tarball) VERSION is printed as it is: the exports that make those
# (`make dkms-source`, `make deb`) write the full version into it.
#
# The Makefile (install, dkms-source, deb), dkms.conf and debian/changelog
# all take the version from here.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

base=$(tr -d '[:space:]' <"$ROOT/VERSION")
if ! [[ $base =~ ^[0-9][0-9A-Za-z.+~]*$ ]]; then
	echo "version.sh: VERSION holds '$base', not a version" >&2
	exit 1
fi

# Not a git checkout of this tree (or no git): the file is the version.
if ! command -v git >/dev/null ||
	[[ $(git -C "$ROOT" rev-parse --show-toplevel 2>/dev/null) != "$ROOT" ]]; then
	echo "$base"
	exit 0
fi

dirty=""
git -C "$ROOT" diff-index --quiet HEAD -- 2>/dev/null || dirty=.dirty

if desc=$(git -C "$ROOT" describe --long --abbrev=7 --match "v$base" HEAD 2>/dev/null); then
	# v0.9.0-12-g1a2b3c4
	hash=${desc##*-}
	desc=${desc%-*}
	count=${desc##*-}
else
	since=$(git -C "$ROOT" log -1 --format=%H -- VERSION)
	if [[ -z $since ]]; then
		# VERSION not committed yet: count the whole history
		count=$(git -C "$ROOT" rev-list --count HEAD)
	else
		count=$(git -C "$ROOT" rev-list --count "$since..HEAD")
	fi
	hash=g$(git -C "$ROOT" rev-parse --short=7 HEAD)
fi

if [[ $count == 0 && -z $dirty ]]; then
	echo "$base"
else
	echo "$base+git$count.$hash$dirty"
fi
