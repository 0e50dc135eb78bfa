#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# in-root.sh - run a command in a Debian root (scripts/mkroot.sh) with
# /proc, /sys and a small /dev, as on a machine of its own.
#
# Usage:
#   scripts/in-root.sh [--no-kvm] [--bind HOSTDIR:DIR]... ROOT COMMAND [ARG...]
#
# The mounts live in a private mount namespace (unshare), so they vanish
# when COMMAND ends, however it ends: nothing is left mounted in ROOT.
# /dev is a fresh tmpfs with the usual character devices, a private devpts
# and /dev/kvm when the host has one; --no-kvm leaves /dev/kvm out, as on
# a machine without it.  The host's /etc/resolv.conf is copied in for apt.
# --bind mounts HOSTDIR at DIR inside the root for COMMAND's lifetime, so a
# build can work on the host's files while the cached root stays unchanged.
#
# COMMAND starts as root in /root with a clean environment (HOME, PATH,
# TERM, LANG and CI only), as a new login would: nothing of the caller's
# environment leaks into a check that wants a new machine.

set -euo pipefail

die() {
	echo "in-root: error: $*" >&2
	exit 2
}

# In the namespace: mount, then chroot.  $1 is ROOT, $2 is 0/1 for kvm,
# $3 the --bind pairs, one a line.
inner() {
	local root=$1 kvm=$2 binds=$3 name type major minor mode src dest
	shift 3
	mount -t proc proc "$root/proc"
	mount -t sysfs sysfs "$root/sys"
	mount -t tmpfs -o mode=755,size=64m tmpfs "$root/dev"
	# name type major minor mode
	while read -r name type major minor mode; do
		mknod -m "$mode" "$root/dev/$name" "$type" "$major" "$minor"
	done <<-'EOF'
		null c 1 3 666
		zero c 1 5 666
		full c 1 7 666
		random c 1 8 666
		urandom c 1 9 666
		tty c 5 0 666
		console c 5 1 600
	EOF
	if ((kvm)) && [[ -c /dev/kvm ]]; then
		mknod -m 660 "$root/dev/kvm" c 10 232
	fi
	mkdir -p "$root/dev/pts" "$root/dev/shm"
	mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$root/dev/pts"
	ln -s pts/ptmx "$root/dev/ptmx"
	mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm"
	ln -s /proc/self/fd "$root/dev/fd"
	ln -s /proc/self/fd/0 "$root/dev/stdin"
	ln -s /proc/self/fd/1 "$root/dev/stdout"
	ln -s /proc/self/fd/2 "$root/dev/stderr"
	cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
	# --bind SRC:DEST pairs, newline-separated
	while IFS=: read -r src dest; do
		[[ -n $src ]] || continue
		mkdir -p "$root$dest"
		mount --bind "$src" "$root$dest"
	done <<<"$binds"
	exec chroot "$root" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" \
		LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		${CI:+CI="$CI"} sh -c 'cd /root 2>/dev/null || cd /; exec "$@"' in-root "$@"
}

main() {
	local kvm=1 root binds=""
	if [[ ${1:-} == --inner ]]; then
		shift
		inner "$@"
	fi
	while (($#)); do
		case "$1" in
		--no-kvm) kvm=0 ;;
		--bind)
			[[ ${2-} == /*:/* && -d ${2%%:*} ]] ||
				die "--bind needs HOSTDIR:DIR, both absolute, HOSTDIR existing"
			binds+="$2"$'\n'
			shift
			;;
		*) break ;;
		esac
		shift
	done
	(($# >= 2)) || die "usage: $0 [--no-kvm] [--bind HOSTDIR:DIR]... ROOT COMMAND [ARG...]"
	root=$(cd "$1" && pwd) || die "no root at '$1'"
	shift
	[[ -x $root/usr/bin/env ]] || die "$root is not a root file system"
	[[ $EUID -eq 0 ]] || die "needs root (chroot and mounts)"
	exec unshare --mount --propagation private -- \
		bash "${BASH_SOURCE[0]}" --inner "$root" "$kvm" "$binds" "$@"
}

main "$@"
