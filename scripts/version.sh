#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# version.sh - print mvgpu's version: the one place every consumer asks.
#
# Usage: scripts/version.sh
#
# VERSION at the top of the tree (e.g. 0.9.0) is the release being worked
# toward; a tag v<VERSION> marks that release.  A development build says
# what `git describe` says about it, in a form dpkg orders correctly:
#   0.9.0                        HEAD is tagged v0.9.0 and the tree is clean
#   0.9.0+git12.g1a2b3c4         12 commits after the tag v0.9.0 (a fix on
#                                top of the release: newer than it)
#   0.9.0~git12.g1a2b3c4         no tag v0.9.0 yet: 12 commits after the
#                                last change of VERSION, older than 0.9.0
#   ...(either).dirty            with uncommitted changes to tracked files
# So a development build is never mistaken for the release: apt upgrades
# it to 0.9.0 when that comes, and after tagging, VERSION moves on to the
# next release.  Outside git (a DKMS source tree, a Debian build tree, a
# tarball) VERSION is printed as it is: the exports that make those
# (`make dkms-source`, `make deb`) write the full version into it.
#
# The Makefile (install, dkms-source, deb), dkms.conf, debian/changelog and
# mvgpuctl --version all take the version from here.

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
# (git diff, not diff-index: it looks past stale stat data in the index,
# as after a chown or a copy, to the contents)
git -C "$ROOT" diff --quiet HEAD -- 2>/dev/null || dirty=.dirty

if desc=$(git -C "$ROOT" describe --tags --long --abbrev=7 --match "v$base" HEAD 2>/dev/null); then
	# v0.9.0-12-g1a2b3c4
	hash=${desc##*-}
	desc=${desc%-*}
	count=${desc##*-}
	sep=+
else
	since=$(git -C "$ROOT" log -1 --format=%H -- VERSION)
	if [[ -z $since ]]; then
		# VERSION not committed yet: count the whole history
		count=$(git -C "$ROOT" rev-list --count HEAD)
	else
		count=$(git -C "$ROOT" rev-list --count "$since..HEAD")
	fi
	hash=g$(git -C "$ROOT" rev-parse --short=7 HEAD)
	sep="~"
fi

if [[ $sep == + && $count == 0 && -z $dirty ]]; then
	echo "$base"
else
	echo "$base${sep}git$count.$hash$dirty"
fi
