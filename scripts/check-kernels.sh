#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check-kernels.sh - what `make check-kernels` runs: mvgpu on every kernel a
# Debian user runs, from Debian 12's 6.1 to trixie-backports' newest.
#
# Usage:
#   scripts/check-kernels.sh                  the whole check (below)
#   scripts/check-kernels.sh --build FLAVOUR  build the modules for one of
#                                             Debian 13's kernels into
#                                             build/ko/FLAVOUR (make
#                                             modules-trixie-6.12 and
#                                             modules-trixie-bpo)
#
# 1. The modules built with -Werror against four header sets: Debian 12's
#    6.1 and 6.12 on this machine (make modules-6.1, modules-6.12), and
#    Debian 13's 6.12 (gcc 14) and trixie-backports' newest kernel in a
#    Debian 13 chroot.  Those headers and compilers need Debian 13's
#    glibc, so they live in a debootstrap root cached under build/roots/
#    (scripts/roots/build-trixie.recipe, scripts/mkroot.sh), keyed by the
#    newest backports kernel: when trixie-backports moves on, the next run
#    builds a new root.  The sources are bind-mounted into the root at
#    /root/src (scripts/in-root.sh --bind); the root itself never changes.
# 2. The test programs (static, as for make check).
# 3. A VM booting trixie-backports' newest kernel (scripts/fetch-kernel.sh
#    trixie-bpo) runs the test programs, as make check does on 6.1 and
#    6.12: every program in build/tests, lifecycle first, the nested
#    guest last.
# The last line is "N passed, N failed"; exit status non-zero on failure.
#
# Environment: MVGPU_VM_TESTS (the VM's test list), MVGPU_VM_TIMEOUT
# (default 1800 s), MVGPU_TRIXIE_REFRESH=1 (re-read Debian 13's package
# lists now rather than once a day).  Needs root (debootstrap, chroot) and
# debootstrap; missing tools: run 'make deps'.

set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
LOGS=$BUILD/check-kernels
RECIPE=$ROOT/scripts/roots/build-trixie.recipe
VM_TIMEOUT=${MVGPU_VM_TIMEOUT:-1800}
FETCH=("$ROOT/scripts/fetch-kernel.sh")

die() {
	echo "check-kernels: error: $*" >&2
	exit 1
}

# trixie_root -> the Debian 13 build root's path (built if missing),
# checked to carry the headers of both Debian 13 flavours at the versions
# the VM kernel will have
trixie_root() {
	local key root fl pkg ver have
	[[ $EUID -eq 0 ]] || die "needs root (debootstrap, chroot)"
	command -v debootstrap >/dev/null || die "missing debootstrap: run 'make deps'"
	key=$(MVGPU_BUILD_DIR=$BUILD "${FETCH[@]}" --print-package trixie-bpo) ||
		die "cannot resolve trixie-backports' newest kernel"
	root=$(MVGPU_ROOT_KEY=$key BUILD=$BUILD "$ROOT/scripts/mkroot.sh" "$RECIPE") ||
		die "no Debian 13 build root"
	for fl in trixie-6.12 trixie-bpo; do
		pkg=$("${FETCH[@]}" --print-package "$fl") || die "cannot resolve $fl"
		ver=${pkg#*=}
		pkg=linux-headers-${pkg%%=*}
		pkg=${pkg/linux-headers-linux-image-/linux-headers-}
		have=$(dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${Version}' "$pkg" 2>/dev/null || true)
		[[ $have == "$ver" ]] ||
			die "$root has $pkg '${have:-none}', Debian 13 now has $ver: remove $root to rebuild it"
	done
	echo "$root"
}

# build FLAVOUR -> build/ko/FLAVOUR, compiled in the Debian 13 root
build() {
	local fl=$1 root kdir obj=$BUILD/obj/$1
	case "$fl" in
	trixie-6.12 | trixie-bpo) ;;
	*) die "--build takes trixie-6.12 or trixie-bpo (6.1, 6.12: make modules-FLAVOUR)" ;;
	esac
	root=$(trixie_root) || exit 1
	kdir=$("${FETCH[@]}" --print-kdir "$fl") || exit 1
	[[ -f $root$kdir/Makefile ]] || die "no headers at $kdir in $root"
	# A fresh copy of the sources, as make modules-FLAVOUR does.
	rm -rf "$obj"
	mkdir -p "$obj"
	cp -r "$ROOT/Kbuild" "$ROOT/drivers" "$ROOT/include" "$obj/"
	find "$obj" \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' -o -name '*.mod' \
		-o -name '*.mod.c' -o -name modules.order -o -name '.compat-probes*' \) -delete
	"$ROOT/scripts/in-root.sh" --no-kvm --bind "$obj:/root/src" "$root" \
		make -C "$kdir" M=/root/src modules || die "the $fl build failed"
	rm -rf "$BUILD/ko/$fl"
	mkdir -p "$BUILD/ko/$fl"
	cp "$obj"/drivers/*/*.ko "$BUILD/ko/$fl/"
}

# the default VM test list, as make check's (scripts/check.sh)
vm_tests() {
	local t n tests=lifecycle_test
	for t in "$BUILD"/tests/*; do
		n=$(basename "$t")
		case $n in
		lifecycle_test | mvgpuctl | nested_guest_test.sh) continue ;;
		esac
		[[ -x $t ]] && tests+=" $n"
	done
	[[ -x $BUILD/tests/nested_guest_test.sh ]] && tests+=" nested_guest_test.sh"
	echo "$tests"
}

main() {
	local passed=0 failed=0 start=$SECONDS fl tests result rc p f kv extra=() t0
	if [[ ${1:-} == --build ]]; then
		(($# == 2)) || die "usage: $0 [--build FLAVOUR]"
		build "$2"
		return
	fi
	(($# == 0)) || die "usage: $0 [--build FLAVOUR]"
	mkdir -p "$LOGS"
	# shellcheck source=scripts/step.sh
	. "$ROOT/scripts/step.sh"

	echo "# mvgpu make check-kernels: 6.1, 6.12, trixie-6.12, trixie-bpo" \
		"($("${FETCH[@]}" --print-release trixie-bpo 2>/dev/null || echo '?'))"
	t0=$SECONDS
	step build-trixie-root trixie_root
	echo "# Debian 13 build root ready in $((SECONDS - t0)) s"
	for fl in 6.1 6.12 trixie-6.12 trixie-bpo; do
		step "build-$fl" make -C "$ROOT" BUILD="$BUILD" "modules-$fl"
	done
	step tests-build make -C "$ROOT" BUILD="$BUILD" tests
	step nested-extra env MVGPU_BUILD_DIR="$BUILD" \
		"$ROOT/tests/vm/nested/build-extra.sh" "$BUILD/nested-extra"

	tests=${MVGPU_VM_TESTS:-$(vm_tests)}
	fl=trixie-bpo
	result=$BUILD/vm/$fl/result
	rm -f "$result"
	if accel_once "$fl" && [[ -d $BUILD/ko/$fl && -n $tests ]]; then
		[[ -d $BUILD/nested-extra ]] && extra=(--extra "$BUILD/nested-extra" --mem 3072)
		echo "# booting the $fl VM: $tests"
		t0=$SECONDS
		MVGPU_BUILD_DIR=$BUILD "$ROOT/tests/vm/run-vm.sh" --kernel "$fl" \
			--modules "$BUILD/ko/$fl" --bin "$BUILD/tests" \
			--tests "$tests" --timeout "$VM_TIMEOUT" --test-timeout 900 \
			"${extra[@]}" --no-stream
		rc=$?
		echo "# vm-$fl: $((SECONDS - t0)) s, exit $rc"
		count_vm "$fl" "$rc"
	else
		echo "not ok - vm-$fl: no kernel, accelerator or modules"
		failed=$((failed + 1))
	fi

	echo "# make check-kernels took $((SECONDS - start)) s"
	echo "$passed passed, $failed failed"
	((failed == 0))
}

main "$@"
