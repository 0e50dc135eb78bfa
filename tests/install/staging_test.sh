#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# staging_test.sh - make install / make uninstall into a staging DESTDIR,
# and make install's refusal without root.  `make check` runs it.
#
# Usage: tests/install/staging_test.sh        (BUILD=<dir>, default build/)
#
# Why: the real install runs in a Debian VM (the install tests); this
# checks on the build machine, in well under a minute, what can be checked
# without installing anything: the exact list of files `make install`
# stages for Debian's 6.1 kernel (KDIR of the fetched headers, KVER given),
# their modes, the modules' vermagic, depmod skipped without a depmod base
# and run with one, `make uninstall` leaving no file behind, that a failed
# build (no headers, tools that do not compile) stages nothing, that
# dkms.conf's build command builds the modules it names, and that as an
# ordinary user without DESTDIR both targets refuse and change nothing.
# Prints TAP; exits non-zero if anything failed.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}

# shellcheck source=scripts/need.sh
. "$ROOT/scripts/need.sh"
need make modinfo depmod setpriv

KDIR=$("$ROOT/scripts/fetch-kernel.sh" --print-kdir 6.1)
KVER=$("$ROOT/scripts/fetch-kernel.sh" --print-release 6.1)
[[ -f $KDIR/Makefile ]] || {
	echo "staging_test: no 6.1 headers in '$KDIR': run make deps" >&2
	exit 2
}

T=$(mktemp -d "${TMPDIR:-/tmp}/mvgpu-staging.XXXXXX")
trap 'rm -rf "$T"' EXIT

n=0
failed=0
# check DESC COMMAND...: one TAP line for COMMAND's success
check() {
	local desc=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		failed=$((failed + 1))
	fi
}

# run LOG make-args...: make in the tree, output to $T/LOG.log
run() {
	local log=$T/$1.log
	shift
	if make -C "$ROOT" --no-print-directory BUILD="$BUILD" "$@" >"$log" 2>&1; then
		return 0
	fi
	sed 's/^/#   /' "$log" | tail -n 20
	return 1
}

run_quiet() {
	"$@" >/dev/null
}

files_in() {
	(cd "$1" && find . \( -type f -o -type l \) -printf '%P\n' | sort)
}

same_files() {
	if ! diff -u "$2" <(files_in "$1") >"$T/diff"; then
		sed 's/^/#   /' "$T/diff"
		return 1
	fi
}

P=usr/local
cat >"$T/expected" <<EOL
lib/modules/$KVER/updates/mvgpu/mvgpu.ko
lib/modules/$KVER/updates/mvgpu/mvgpu_guest.ko
lib/modules/$KVER/updates/mvgpu/mvgpu_sim.ko
lib/modules/$KVER/updates/mvgpu/mvgpu_user.ko
$P/bin/mvgpu-bench
$P/sbin/mvgpuctl
$P/share/bash-completion/completions/mvgpu-bench
$P/share/bash-completion/completions/mvgpuctl
$P/share/doc/mvgpu/examples/modprobe.d/mvgpu.conf
$P/share/doc/mvgpu/examples/modules-load.d/mvgpu.conf
$P/share/man/man1/mvgpu-bench.1
$P/share/man/man8/mvgpuctl.8
EOL
sort -o "$T/expected" "$T/expected"

modes_ok() {
	local d=$1 f bad=0 want
	while read -r f; do
		case $f in
		*/bin/* | */sbin/*) want=755 ;;
		*) want=644 ;;
		esac
		if [[ $(stat -c %a "$d/$f") != "$want" ]]; then
			echo "#   $f: mode $(stat -c %a "$d/$f"), expected $want"
			bad=1
		fi
	done <"$T/expected"
	return $bad
}

vermagic_ok() {
	local m v
	for m in "$1"/lib/modules/"$KVER"/updates/mvgpu/*.ko; do
		v=$(modinfo -F vermagic "$m")
		[[ $v == "$KVER "* ]] || { echo "#   $m: vermagic '$v'"; return 1; }
	done
}

# 1. A staging directory without a depmod base.
S=$T/stage
check "make install DESTDIR (6.1, KVER=$KVER)" \
	run install install DESTDIR="$S" KDIR="$KDIR" KVER="$KVER"
check "install: exactly the expected files" same_files "$S" "$T/expected"
check "install: tools 0755, everything else 0644" modes_ok "$S"
check "install: the modules are built for $KVER" vermagic_ok "$S"
check "install: mvgpuctl runs (--version)" run_quiet "$S/$P/sbin/mvgpuctl" --version
check "install: depmod skipped, and says why" \
	grep -q "depmod skipped: .* has no modules\.\*" "$T/install.log"
check "make uninstall DESTDIR" \
	run uninstall uninstall DESTDIR="$S" KDIR="$KDIR" KVER="$KVER"
check "uninstall: no file left behind" same_files "$S" /dev/null

# A kernel without headers: make install says so and stages nothing.
no_headers() {
	local d=$T/noheaders
	if make -C "$ROOT" --no-print-directory BUILD="$BUILD" install \
		DESTDIR="$d" KVER=0.0.0-no-such-kernel >"$T/noheaders.log" 2>&1; then
		echo "#   make install succeeded"
		return 1
	fi
	grep -q "make install: no headers for kernel 0.0.0-no-such-kernel" \
		"$T/noheaders.log" || { sed 's/^/#   /' "$T/noheaders.log"; return 1; }
	[[ ! -e $d ]] || { echo "#   $d was created"; return 1; }
}
check "install for a kernel without headers: says so, stages nothing" \
	no_headers

# A tools build that fails (a bad CPPFLAGS) after the modules built: make
# install must not have copied the modules before it found out.  The
# modules come from the build above, copied with their times.
half_install() {
	local d=$T/half b=$T/half-build
	mkdir -p "$b/obj"
	cp -a "$BUILD/obj/kver-$KVER" "$b/obj/"
	if make -C "$ROOT" --no-print-directory BUILD="$b" install \
		DESTDIR="$d" KDIR="$KDIR" KVER="$KVER" \
		CPPFLAGS=-include/nonexistent.h >"$T/half.log" 2>&1; then
		echo "#   make install succeeded"
		return 1
	fi
	[[ ! -e $d ]] || { files_in "$d" | sed 's/^/#   staged: /'; return 1; }
}
check "install whose tools do not build: stages nothing" half_install

# 2. A staging directory with a depmod base: depmod -b runs both times.
B=$T/base
mkdir -p "$B/lib/modules/$KVER"
: >"$B/lib/modules/$KVER/modules.order"
: >"$B/lib/modules/$KVER/modules.builtin"
check "make install DESTDIR with a depmod base" \
	run install-base install DESTDIR="$B" KDIR="$KDIR" KVER="$KVER"
check "install: depmod -b resolved mvgpu_sim's dependency on mvgpu" \
	grep -q "^updates/mvgpu/mvgpu_sim.ko: updates/mvgpu/mvgpu.ko" \
	"$B/lib/modules/$KVER/modules.dep"
check "make uninstall DESTDIR with a depmod base" \
	run uninstall-base uninstall DESTDIR="$B" KDIR="$KDIR" KVER="$KVER"
no_mvgpu_in() {
	! grep -q mvgpu "$1"
}
check "uninstall: depmod -b ran again (no mvgpu in modules.dep)" \
	no_mvgpu_in "$B/lib/modules/$KVER/modules.dep"

# 3. make dkms-source, and its dkms.conf's MAKE run as DKMS runs it (its
# variables set by hand: dkms itself is not needed) against the 6.1
# headers: the four modules must appear where BUILT_MODULE_* say.
version=$("$ROOT/scripts/version.sh")
DS=$BUILD/dkms/mvgpu-$version
check "make dkms-source" run dkms-source dkms-source
check "dkms-source: dkms.conf's PACKAGE_VERSION is $version" \
	grep -qx "PACKAGE_VERSION=\"$version\"" "$DS/dkms.conf"
check "dkms-source: 6.1 passes dkms.conf's BUILD_EXCLUSIVE_CONFIG" \
	grep -qE "^CONFIG_VFIO_MDEV=[ym]$" "$KDIR/.config"

dkms_make() {
	# what DKMS defines before it reads dkms.conf, and what that sets
	# shellcheck disable=SC2034
	local kernel_source_dir=$KDIR dkms_tree=$T/dkms kernelver=$KVER
	# shellcheck disable=SC2034
	local PACKAGE_NAME PACKAGE_VERSION CLEAN BUILD_EXCLUSIVE_CONFIG AUTOINSTALL
	# shellcheck disable=SC2034
	local -a MAKE BUILT_MODULE_NAME BUILT_MODULE_LOCATION DEST_MODULE_LOCATION
	local build=$dkms_tree/mvgpu/$version/build i
	mkdir -p "$(dirname "$build")"
	cp -r "$DS" "$build"
	# shellcheck source=/dev/null
	. "$DS/dkms.conf"
	# DKMS puts -jN KERNELRELEASE=<kver> after the leading "make"
	if ! (cd "$build" && eval "${MAKE[0]/#make/make KERNELRELEASE=$kernelver}") \
		>"$T/dkms-make.log" 2>&1; then
		sed 's/^/#   /' "$T/dkms-make.log" | tail -n 20
		return 1
	fi
	((${#BUILT_MODULE_NAME[@]} == 4)) || {
		echo "#   ${#BUILT_MODULE_NAME[@]} modules in dkms.conf, expected 4"
		return 1
	}
	for i in "${!BUILT_MODULE_NAME[@]}"; do
		[[ -f $build/${BUILT_MODULE_LOCATION[i]}${BUILT_MODULE_NAME[i]}.ko ]] || {
			echo "#   no ${BUILT_MODULE_LOCATION[i]}${BUILT_MODULE_NAME[i]}.ko"
			return 1
		}
	done
}
check "dkms-source: dkms.conf's MAKE builds the four modules for $KVER" \
	dkms_make

# 4. An ordinary user without DESTDIR: refused, nothing changed.  As root
# the test becomes nobody, on a copy of the tree that nobody can read (the
# checkout may be in a private home directory); otherwise it is the user
# running it, on the tree itself.  Anything newer than the stamp in that
# tree (check.sh's logs aside), /lib/modules or /usr/local is a change.
if ((EUID == 0)); then
	TREE=$T/tree
	TREE_BUILD=$TREE/build
	chmod 755 "$T"
	mkdir "$TREE"
	cp -r "$ROOT"/{Makefile,Kbuild,drivers,include,scripts,tools,packaging} "$TREE/"
	as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	who=nobody
else
	TREE=$ROOT
	TREE_BUILD=$BUILD
	as_user=()
	who=$(id -un)
fi

refused() {
	local verb=$1 rc=0
	"${as_user[@]}" make -C "$TREE" --no-print-directory \
		BUILD="$TREE_BUILD" "$verb" >"$T/user-$verb.log" 2>&1 || rc=$?
	if ((rc == 0)); then
		echo "#   make $verb as $who succeeded"
		return 1
	fi
	grep -qx "make $verb: needs root (or DESTDIR=...)" "$T/user-$verb.log" || {
		sed 's/^/#   /' "$T/user-$verb.log"
		return 1
	}
}

unchanged_since() {
	find "$TREE" /lib/modules /usr/local -newer "$1" \
		-not -path "$BUILD/check/*" -not -path "$BUILD/check" \
		-print 2>/dev/null >"$T/changed" || true
	if [[ -s $T/changed ]]; then
		sed 's/^/#   changed: /' "$T/changed" | head -n 20
		return 1
	fi
}

touch "$T/stamp"
sleep 1
check "make install as $who: refused with 'needs root (or DESTDIR=...)'" \
	refused install
check "make uninstall as $who: refused likewise" refused uninstall
check "as $who: nothing changed in the tree, /lib/modules, /usr/local" \
	unchanged_since "$T/stamp"

echo "1..$n"
echo "# staging_test: $((n - failed)) passed, $failed failed"
((failed == 0))
