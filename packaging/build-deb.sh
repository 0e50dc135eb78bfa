#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-deb.sh - what `make deb` runs: mvgpu's two Debian packages.
#
# Usage: packaging/build-deb.sh        (BUILD=<dir>, default build/)
#
# Output:
#   $BUILD/deb/mvgpu-dkms_<version>_all.deb
#   $BUILD/deb/mvgpu-tools_<version>_<arch>.deb
# <version> is scripts/version.sh's.
#
# Why an export: dpkg-buildpackage builds in the tree it is given and
# cleans it, so the tracked files (as they are in the work tree, uncommitted
# changes included, which the version then says: ".dirty") are copied into
# $BUILD/deb/mvgpu-<version>/ and the packages are built there, without
# touching the developer's tree.  The export's VERSION holds the full
# version; a development build gets a debian/changelog entry of its own,
# dated by the HEAD commit so that two builds of one commit give the same
# packages: in place of the committed entry for VERSION before the release
# (0.9.0~git...), on top of it after (0.9.0+git...).  Last, lintian checks both packages:
# an error fails the build, warnings are printed.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
OUT=$BUILD/deb

# shellcheck source=scripts/need.sh
. "$ROOT/scripts/need.sh"
need git dpkg-buildpackage dpkg-parsechangelog dpkg-architecture dh dh_dkms lintian

version=$("$ROOT/scripts/version.sh")
release=$(tr -d '[:space:]' <"$ROOT/VERSION")
top=$(dpkg-parsechangelog -l "$ROOT/debian/changelog" -S Version)
if [[ $top != "$release" ]]; then
	echo "build-deb: debian/changelog's last entry is $top, VERSION says $release: add an entry for $release" >&2
	exit 1
fi

src=$OUT/mvgpu-$version
rm -rf "$OUT"
mkdir -p "$src"
echo "build-deb: exporting the tree to $src"
(cd "$ROOT" && git ls-files -z) | while IFS= read -r -d '' f; do
	# a tracked file deleted in the work tree is not part of the build
	[[ -e $ROOT/$f || -L $ROOT/$f ]] || continue
	mkdir -p "$src/$(dirname "$f")"
	cp -P "$ROOT/$f" "$src/$f"
done
echo "$version" >"$src/VERSION"

if [[ $version != "$release" ]]; then
	maint=$(dpkg-parsechangelog -l "$ROOT/debian/changelog" -S Maintainer)
	when=$(date -R -u -d "@$(git -C "$ROOT" log -1 --format=%ct)")
	{
		printf 'mvgpu (%s) unstable; urgency=medium\n\n' "$version"
		printf '  * Development build of %s, %s.\n\n' \
			"$(git -C "$ROOT" rev-parse --short=12 HEAD)" \
			"$([[ $version == *.dirty ]] && echo "with uncommitted changes" || echo "as committed")"
		printf ' -- %s  %s\n\n' "$maint" "$when"
		if [[ $version == *"~"* ]]; then
			# before the release: its entry, on top of the committed
			# changelog, is not history yet; the older ones are
			awk '/^mvgpu \(/ { n++ } n > 1' "$ROOT/debian/changelog"
		else
			cat "$ROOT/debian/changelog"
		fi
	} >"$src/debian/changelog"
fi

echo "build-deb: dpkg-buildpackage -us -uc -b in $src"
(cd "$src" && nice -n 10 dpkg-buildpackage -us -uc -b)

arch=$(dpkg-architecture -qDEB_HOST_ARCH)
debs=("$OUT/mvgpu-dkms_${version}_all.deb" "$OUT/mvgpu-tools_${version}_${arch}.deb")
for d in "${debs[@]}"; do
	[[ -f $d ]] || { echo "build-deb: $d was not built" >&2; exit 1; }
done

echo "build-deb: lintian"
status=0
lintian --fail-on error "${debs[@]}" | tee "$OUT/lintian.txt" || status=$?
if ((status)); then
	echo "build-deb: lintian reports errors (above, and in $OUT/lintian.txt)" >&2
	exit 1
fi
printf 'build-deb: %s\n' "${debs[@]}"
