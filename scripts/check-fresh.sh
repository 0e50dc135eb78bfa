#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check-fresh.sh - what `make check-fresh` runs: the README's test command
# on a new minimal Debian 12 machine.
#
# Usage:
#   scripts/check-fresh.sh [--no-kvm] [--target "deps check"]
#
# 1. A minimal Debian 12 root (debootstrap --variant=minbase plus make and
#    git: scripts/roots/fresh-bookworm.recipe), cached under build/roots/
#    and rebuilt when its recipe changes (scripts/mkroot.sh).
# 2. A copy of it in build/fresh/root (the cached root stays pristine).
# 3. The committed tree (HEAD, not uncommitted changes) cloned into the
#    copy's /root/mvgpu.
# 4. `make deps && make check` (or the make targets of --target, in order)
#    inside, as root in a chroot with /proc, /sys and /dev
#    (scripts/in-root.sh): nothing of this machine's packages, caches or
#    environment is seen.  --no-kvm leaves /dev/kvm out of the root.
# 5. The totals line "N passed, N failed" last (make check's; a run
#    without one, such as --target "deps demo", counts as one result);
#    exit status non-zero if anything failed.  The whole log:
#    build/fresh/check.log.
#
# Needs root and debootstrap (make deps installs it).

set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
FRESH=$BUILD/fresh
RECIPE=$ROOT/scripts/roots/fresh-bookworm.recipe
TOTALS_RE='^([A-Za-z0-9_-]+: )?([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?$'

fail() {
	echo "check-fresh: $*" >&2
	echo "0 passed, 1 failed"
	exit 1
}

main() {
	local nokvm=() targets="deps check" base head cmd rc=0 totals t0=$SECONDS t

	while (($#)); do
		case "$1" in
		--no-kvm) nokvm=(--no-kvm) ;;
		--target)
			targets=${2-}
			shift
			;;
		*) fail "usage: $0 [--no-kvm] [--target \"TARGET...\"]" ;;
		esac
		shift
	done
	[[ $EUID -eq 0 ]] || fail "needs root (debootstrap, chroot)"
	command -v debootstrap >/dev/null || fail "missing debootstrap: run 'make deps'"

	head=$(git -C "$ROOT" rev-parse HEAD) || fail "$ROOT is not a git checkout"
	[[ -z $(git -C "$ROOT" status --porcelain --untracked-files=no) ]] ||
		echo "check-fresh: note: uncommitted changes are not checked (HEAD $head is)" >&2

	t=$SECONDS
	base=$(BUILD=$BUILD "$ROOT/scripts/mkroot.sh" "$RECIPE") || fail "no minimal root"
	echo "# check-fresh: minimal Debian 12 root ready in $((SECONDS - t)) s ($base)"

	t=$SECONDS
	rm -rf --one-file-system "$FRESH/root"
	mkdir -p "$FRESH"
	cp -a "$base" "$FRESH/root" || fail "cannot copy $base"
	git clone -q --no-hardlinks "$ROOT" "$FRESH/root/root/mvgpu" &&
		git -C "$FRESH/root/root/mvgpu" checkout -q "$head" ||
		fail "cannot clone $ROOT into the root"
	echo "# check-fresh: copied the root and cloned $head in $((SECONDS - t)) s"

	cmd="cd /root/mvgpu"
	for t in $targets; do
		cmd+=" && make $t"
	done
	echo "# check-fresh: in the new machine${nokvm:+ (no /dev/kvm)}: $cmd"
	"$ROOT/scripts/in-root.sh" "${nokvm[@]}" "$FRESH/root" sh -c "$cmd" </dev/null 2>&1 |
		tee "$FRESH/check.log"
	rc=${PIPESTATUS[0]}
	echo "# check-fresh: $((SECONDS - t0)) s in all, exit $rc; log: $FRESH/check.log"

	# Targets without a totals line of their own (make demo) count as
	# one result: their exit status.
	totals=$(grep -E "$TOTALS_RE" "$FRESH/check.log" | tail -n 1)
	if [[ -z $totals ]]; then
		if ((rc == 0)); then
			echo "1 passed, 0 failed"
		else
			echo "0 passed, 1 failed"
		fi
		exit "$rc"
	fi
	if ((rc != 0)); then
		[[ $totals =~ $TOTALS_RE ]]
		if ((BASH_REMATCH[3] == 0)); then
			echo "${BASH_REMATCH[2]} passed, 1 failed"
			exit 1
		fi
	fi
	echo "$totals"
	exit "$rc"
}

main "$@"
