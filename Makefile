# SPDX-License-Identifier: GPL-2.0
#
# mvgpu top-level Makefile.
#
#   make                 build the kernel modules against Debian's 6.1 headers
#   make KDIR=<dir>      ... against any other kernel build directory
#   make tests           build the VM test programs (static, into build/)
#   make mvgpuctl        the admin tool (tools/mvgpuctl, with libpci)
#   make check-mvgpuctl  its unit tests, against fake sysfs trees
#   make check-unit      unit tests of the driver's pure logic, in user space
#   make checkpatch      checkpatch --strict over every source file
#   make sparse          the modules through sparse (C=2)
#   make check           all of the above on 6.1 and 6.12 plus the VM tests
#   make check-kernels   -Werror builds against Debian 12's 6.1 and 6.12 and
#                        Debian 13's 6.12 and trixie-backports' newest (in a
#                        Debian 13 chroot), the VM tests on the newest
#   make modules-trixie-6.12, make modules-trixie-bpo
#                        one Debian 13 build (in the chroot), build/ko/<flavour>
#   make check-debug     the VM tests, a fail-nth walk and kmemleak on a debug
#                        kernel (KASAN, lockdep, UBSAN) built from source
#   make fuzz ITER=N     device-fd fuzzer, N operations per type, both kernels,
#                        then MIG_ITER (10^5) random migration streams
#   make check-migrate-qemu  two QEMU 10s in a VM migrate a VM with a vGPU
#                        (QEMU 10 from bookworm-backports, make deps)
#   make stress CYCLES=N lifecycle stress, N cycles, both kernels
#                        (either: KERNELS=6.1 for one)
#   make bench           host path vs VFIO client (mvgpu-bench), in a VM
#   make bench-engine    engine speed vs userspace, in a VM (KERNEL=6.1|6.12)
#   make bench-sched     scheduler targets, in a VM (KERNEL=6.1|6.12;
#                        BENCH_ENV=MVGPU_BENCH_QUICK=1 for a short run)
#   make bench-hvg       host path, VFIO client and a QEMU guest, interleaved
#                        (KERNEL=6.1|6.12, HVG_REPS=N)
#   make check-display   a nested guest with display=on draws through
#                        mvgpu_guest_kms; QMP screendumps compared
#                        (KERNEL=6.1|6.12 for the test VM)
#   make mvgpu-engined   the Vulkan engine server (tools/mvgpu-engined)
#   make bench-vk        N (native Vulkan) vs H (host path) vs V (VFIO client)
#                        on a Vulkan-backed pGPU, and vGPU shares vs weights,
#                        on lavapipe in a Debian root VM (VK_REPS=N)
#   make check-vk        the selftests on a Vulkan-backed pGPU (mvgpu_user +
#                        mvgpu-engined on Mesa's lavapipe) in a Debian root
#                        VM (KERNEL=6.1|6.12, VK_TESTS="...")
#   make deps            install what the build and the VMs need (apt-get)
#   make check-fresh     make deps && make check on a new minimal Debian 12
#                        (debootstrap, chroot; NO_KVM=1 hides /dev/kvm)
#   make check-install   the Debian packages and make install/uninstall in a
#                        Debian 12 VM on 6.1 and 6.12 (run-vm.sh --rootfs)
#   make demo            the whole story: host VM, vGPUs, a guest, benchmarks
#   make install         modules for one kernel, depmod, the tools, their man
#                        pages, bash completion and configuration examples
#                        (root, or DESTDIR=<staging dir>; PREFIX=/usr/local)
#   make install-build   build what `make install` installs, as a user, so
#                        that `sudo make install` only copies
#   make uninstall       remove exactly what `make install` put there
#   make dkms-source     build/dkms/mvgpu-<version>/: a DKMS source tree
#   make deb             build/deb/mvgpu-dkms_<v>_all.deb and
#                        build/deb/mvgpu-tools_<v>_amd64.deb (debian/)
#   make version         the version all of these use (scripts/version.sh)
#                        ("Installing" below has every path and variable)
#
# Kbuild itself reads ./Kbuild; this file only drives it.  Everything that
# is generated lands in build/ (git-ignored) or next to the sources as
# ordinary kbuild artifacts.

SRC	:= $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
BUILD	?= $(SRC)/build

# The kernel flavours we support and test: Debian 12's two kernels.
FLAVOURS := 6.1 6.12
KDIR	?= $(shell $(SRC)/scripts/fetch-kernel.sh --print-kdir 6.1)

CC	?= gcc
# Test programs run in a busybox initramfs: link them statically.
TEST_CFLAGS := -O2 -g -Wall -Werror -std=gnu11 -D_GNU_SOURCE \
	       -I$(BUILD)/kselftest -I$(SRC)/include/uapi \
	       -I$(SRC)/tests/selftests/lib
TEST_LDFLAGS := -static -pthread

TEST_LIB := $(wildcard $(SRC)/tests/selftests/lib/*.c)
TEST_LIB_H := $(wildcard $(SRC)/tests/selftests/lib/*.h)
TEST_SCRIPTS := $(wildcard $(SRC)/tests/selftests/*_test.sh)
# The selftests build with their own kselftest-style Makefile; the VM
# harness takes them static, in build/tests.
SELFTESTS_MAKE = $(MAKE) -C $(SRC)/tests/selftests OUTPUT=$(BUILD)/tests \
		 KSFT_DIR=$(BUILD)/kselftest STATIC=1

KSELFTEST_HDRS := kselftest.h kselftest_harness.h
LINUX_SOURCE_TAR := /usr/src/linux-source-6.1.tar.xz

.PHONY: all modules clean deps tests checkpatch sparse check check-vm \
	modules-% help bench bench-% bench-hvg tools fuzz stress demo check-debug \
	check-display \
	check-fresh check-kernels check-install check-migrate-qemu check-unit \
	check-vk bench-vk \
	debug-tests

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(SRC) modules

help:
	@sed -n '5,/^#$$/{/^#$$/d;p}' $(SRC)/Makefile

deps:
	$(SRC)/scripts/deps.sh

# Per-flavour builds happen in a copy of the sources, so that 6.1 and 6.12
# objects never mix and the developer's in-tree build is left alone.
modules-%:
	@rm -rf $(BUILD)/obj/$*
	@mkdir -p $(BUILD)/obj/$*
	@cp -r $(SRC)/Kbuild $(SRC)/drivers $(SRC)/include $(BUILD)/obj/$*/
	@find $(BUILD)/obj/$* \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' \
		-o -name '*.mod' -o -name '*.mod.c' -o -name modules.order \) -delete
	$(MAKE) -C $$($(SRC)/scripts/fetch-kernel.sh --print-kdir $*) \
		M=$(BUILD)/obj/$* modules
	@mkdir -p $(BUILD)/ko/$*
	@cp $(BUILD)/obj/$*/drivers/*/*.ko $(BUILD)/ko/$*/

# Debian 13's kernels (trixie-6.12, trixie-bpo) need Debian 13's compiler
# and glibc: they build in a cached debootstrap chroot.
modules-trixie-%:
	BUILD=$(BUILD) $(SRC)/scripts/check-kernels.sh --build trixie-$*

# kselftest headers come from Debian's linux-source-6.1 at build time.
$(BUILD)/kselftest/kselftest_harness.h: | $(LINUX_SOURCE_TAR)
	@mkdir -p $(BUILD)/kselftest
	tar -xJf $(LINUX_SOURCE_TAR) -C $(BUILD)/kselftest --strip-components=4 \
		$(addprefix linux-source-6.1/tools/testing/selftests/,$(KSELFTEST_HDRS))
	@touch $@

$(LINUX_SOURCE_TAR):
	@echo "missing $@: run 'make deps'" >&2; exit 1

# Benchmarks: VM programs that report, never fail on, performance.  The
# engine benchmark compiles the sim's kernels for userspace without
# vectorisation, as the kernel builds them, so both sides run the same code.
BENCH_SRCS := $(wildcard $(SRC)/tests/bench/*_bench.c)
BENCH_BINS := $(patsubst $(SRC)/tests/bench/%.c,$(BUILD)/bench/%,$(BENCH_SRCS))
KERNEL ?= 6.1

$(BUILD)/bench/%: $(SRC)/tests/bench/%.c $(TEST_LIB) $(TEST_LIB_H) \
		  $(SRC)/include/uapi/linux/mvgpu.h \
		  $(BUILD)/kselftest/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -fno-tree-vectorize -I$(SRC)/drivers/mvgpu_sim \
		-o $@ $< $(TEST_LIB) $(TEST_LDFLAGS)

# mvgpu-bench: one binary for the host path, a guest and a VFIO client.
MVGPU_BENCH := $(BUILD)/tools/mvgpu-bench
$(MVGPU_BENCH): $(SRC)/tools/mvgpu-bench/mvgpu-bench.c $(TEST_LIB) \
		$(TEST_LIB_H) $(SRC)/include/uapi/linux/mvgpu.h \
		$(BUILD)/kselftest/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $< $(TEST_LIB) $(TEST_LDFLAGS)

tools: $(MVGPU_BENCH)

# make bench: host path vs VFIO client, interleaved, in a VM.
bench: modules-$(KERNEL) $(MVGPU_BENCH)
	@rm -rf $(BUILD)/bench/run-hv && mkdir -p $(BUILD)/bench/run-hv
	@cp $(MVGPU_BENCH) $(SRC)/tests/bench/hv_bench.sh $(BUILD)/bench/run-hv/
	MVGPU_BUILD_DIR=$(BUILD) $(SRC)/tests/vm/run-vm.sh --kernel $(KERNEL) \
		--modules $(BUILD)/ko/$(KERNEL) --bin $(BUILD)/bench/run-hv \
		--tests hv_bench.sh --timeout 1200 --test-timeout 1100

# make fuzz ITER=N: the device-fd fuzzer, N operations per vGPU type, on
# both kernels (make check runs it with the default 20000); then the
# migration stream fuzzer, MIG_ITER random streams into RESUMING (make
# check runs 100; 15 to 30 ms each under TCG).
# make stress CYCLES=N: the lifecycle stress test, N cycles (a fifth of
# them of each kind: close, remove while open, rmmod while open, reset,
# DMA unmap mid-job; make check runs 40).
# The VM's time limits allow 10 ms an operation and 2 s a cycle.
ITER ?= 100000
MIG_ITER ?= 100000
CYCLES ?= 1000
KERNELS ?= $(FLAVOURS)
# long-run TEST ENV SECONDS: TEST with ENV on each of KERNELS.
define long-run
	@for k in $(KERNELS); do \
		$(MAKE) -s modules-$$k && \
		MVGPU_BUILD_DIR=$(BUILD) $(SRC)/tests/vm/run-vm.sh --kernel $$k \
			--modules $(BUILD)/ko/$$k --bin $(BUILD)/tests \
			--tests $(1) $(foreach e,$(2),--env $(e)) \
			--timeout $$((600 + $(3))) \
			--test-timeout $$((300 + $(3))) || exit 1; \
	done
endef

# make check-migrate-qemu: two QEMU 10 processes in the VM migrate a VM
# with a vGPU (tests/selftests/qemu_migrate_test.sh), on KERNELS.
check-migrate-qemu: tests
	MVGPU_BUILD_DIR=$(BUILD) $(SRC)/tests/vm/qemu10/build-extra.sh \
		$(BUILD)/qemu10-extra
	@for k in $(KERNELS); do \
		$(MAKE) -s modules-$$k && \
		MVGPU_BUILD_DIR=$(BUILD) $(SRC)/tests/vm/run-vm.sh --kernel $$k \
			--modules $(BUILD)/ko/$$k --bin $(BUILD)/tests \
			--extra $(BUILD)/qemu10-extra --mem 2048 \
			--tests qemu_migrate_test.sh --timeout 1500 \
			--test-timeout 1200 || exit 1; \
	done

fuzz: tests
	$(call long-run,device_test,MVGPU_TEST_ONLY=fuzz MVGPU_FUZZ_ITERS=$(ITER),$(ITER) * 3 / 100)
	$(call long-run,migrate_test,MVGPU_TEST_ONLY=fuzz MVGPU_MIG_FUZZ_ITER=$(MIG_ITER),$(MIG_ITER) / 20)

stress: tests
	$(call long-run,stress_test,MVGPU_STRESS_CYCLES=$(CYCLES),$(CYCLES) * 2)

# make bench-hvg: host path, VFIO client and a QEMU guest (nested in the
# VM), interleaved repetition by repetition (tests/bench/hvg_bench.sh).
# The guest runs Debian 6.1 with mvgpu_guest.ko; HVG_REPS repetitions.
HVG_REPS ?= 3
bench-hvg: modules-6.1 modules-$(KERNEL) $(MVGPU_BENCH)
	@rm -rf $(BUILD)/hvg/payload $(BUILD)/hvg/bin
	@mkdir -p $(BUILD)/hvg/payload $(BUILD)/hvg/bin
	@cp $(BUILD)/ko/6.1/mvgpu_guest.ko $(MVGPU_BENCH) $(BUILD)/hvg/payload/
	MVGPU_BUILD_DIR=$(BUILD) MVGPU_NESTED_PAYLOAD=$(BUILD)/hvg/payload \
		$(SRC)/tests/vm/nested/build-extra.sh $(BUILD)/hvg/extra
	@cp $(MVGPU_BENCH) $(SRC)/tests/bench/hvg_bench.sh $(BUILD)/hvg/bin/
	MVGPU_BUILD_DIR=$(BUILD) $(SRC)/tests/vm/run-vm.sh --kernel $(KERNEL) \
		--modules $(BUILD)/ko/$(KERNEL) --bin $(BUILD)/hvg/bin \
		--tests hvg_bench.sh --extra $(BUILD)/hvg/extra --mem 3072 \
		--env MVGPU_HVG_REPS=$(HVG_REPS) --timeout 5400 --test-timeout 5300

# make check-display: the nested guest with display=on (not in make check:
# a nested boot under TCG); L1 on KERNEL, L2 on Debian 6.1.
check-display: modules-6.1 modules-$(KERNEL)
	@rm -rf $(BUILD)/display/bin && mkdir -p $(BUILD)/display/bin
	MVGPU_BUILD_DIR=$(BUILD) $(SRC)/tests/vm/nested/build-extra.sh \
		$(BUILD)/nested-extra
	@cp $(SRC)/tests/selftests/nested_display_test.sh \
		$(SRC)/tests/selftests/tap_lib.sh $(BUILD)/display/bin/
	MVGPU_BUILD_DIR=$(BUILD) $(SRC)/tests/vm/run-vm.sh --kernel $(KERNEL) \
		--modules $(BUILD)/ko/$(KERNEL) --bin $(BUILD)/display/bin \
		--tests nested_display_test.sh --extra $(BUILD)/nested-extra \
		--mem 3072 --timeout 1500 --test-timeout 1400

bench-%: modules-$(KERNEL) $(BUILD)/bench/%_bench
	@rm -rf $(BUILD)/bench/run-$* && mkdir -p $(BUILD)/bench/run-$*
	@cp $(BUILD)/bench/$*_bench $(BUILD)/bench/run-$*/
	MVGPU_BUILD_DIR=$(BUILD) $(SRC)/tests/vm/run-vm.sh --kernel $(KERNEL) \
		--modules $(BUILD)/ko/$(KERNEL) --bin $(BUILD)/bench/run-$* \
		--tests $*_bench --timeout 1200 --test-timeout 1100 \
		$(foreach e,$(BENCH_ENV),--env $(e))

# mvgpu-engined, the Vulkan engine server: dynamic (the system's Vulkan
# loader), so its VM tests boot a Debian root with lavapipe
# (scripts/roots/vk-bookworm.recipe) rather than the busybox initramfs.
ENGINED := $(BUILD)/engined/mvgpu-engined
ENGINED_MAKE = $(MAKE) -C $(SRC)/tools/mvgpu-engined O=$(BUILD)/engined
.PHONY: mvgpu-engined $(ENGINED)
mvgpu-engined $(ENGINED):
	$(ENGINED_MAKE) all

# make check-vk: the selftests with MVGPU_BACKEND=user, i.e. against
# mvgpu_user.ko and mvgpu-engined on lavapipe (LP_NUM_THREADS=2: the VM's
# CPUs), in a Debian root VM.  Not part of make check: lavapipe under TCG
# is slow (README, "Slicing a real GPU", gives the time).
VK_TESTS ?= engine_test command_test hostile_test sched_test vram_test
VK_TIMEOUT ?= 3600
# Under TCG a chunk's round trip (ioctl, wake-up, submission, fence) costs
# more than a 1 ms chunk's work: 20 ms chunks keep the tests' commands
# within their time limits.
VK_ENV ?= MVGPU_CHUNK_US=20000
check-vk: modules-$(KERNEL) tests $(ENGINED)
	@rm -rf $(BUILD)/vk/bin && mkdir -p $(BUILD)/vk/bin
	@cp $(addprefix $(BUILD)/tests/,$(VK_TESTS)) $(ENGINED) $(BUILD)/vk/bin/
	MVGPU_BUILD_DIR=$(BUILD) $(SRC)/tests/vm/run-vm.sh --kernel $(KERNEL) \
		--rootfs vk-bookworm --modules $(BUILD)/ko/$(KERNEL) \
		--bin $(BUILD)/vk/bin --tests "$(VK_TESTS)" --mem 2048 \
		--env MVGPU_BACKEND=user --env LP_NUM_THREADS=2 \
		$(foreach e,$(VK_ENV),--env $(e)) \
		--timeout $(VK_TIMEOUT) --test-timeout $$(($(VK_TIMEOUT) - 120))

# make bench-vk: N (a native Vulkan program), H (host path) and V (VFIO
# client) on a Vulkan-backed pGPU, interleaved; then shares of 2 and 4
# vGPUs against their weights (tests/bench/vk_bench.sh), on lavapipe in a
# Debian root VM.  On a host with a GPU, run vk_bench.sh there instead
# (README, "Slicing a real GPU").
VK_REPS ?= 5
bench-vk: modules-$(KERNEL) $(MVGPU_BENCH) $(ENGINED)
	@rm -rf $(BUILD)/vk/bench && mkdir -p $(BUILD)/vk/bench
	@cp $(MVGPU_BENCH) $(ENGINED) $(SRC)/tests/bench/vk_bench.sh $(BUILD)/vk/bench/
	MVGPU_BUILD_DIR=$(BUILD) $(SRC)/tests/vm/run-vm.sh --kernel $(KERNEL) \
		--rootfs vk-bookworm --modules $(BUILD)/ko/$(KERNEL) \
		--bin $(BUILD)/vk/bench --tests vk_bench.sh --mem 2048 \
		--env LP_NUM_THREADS=2 --env MVGPU_VK_REPS=$(VK_REPS) \
		$(foreach e,$(BENCH_ENV),--env $(e)) \
		--timeout 3600 --test-timeout 3500

tests: $(BUILD)/tests/mvgpuctl
	$(SELFTESTS_MAKE) all
	@mkdir -p $(BUILD)/tests
	@for s in $(TEST_SCRIPTS); do install -m 0755 $$s $(BUILD)/tests/; done
	@install -m 0644 $(SRC)/tests/selftests/tap_lib.sh $(BUILD)/tests/

# mvgpuctl: the admin tool.  The VM gets the static build next to
# mvgpuctl_test.sh (Debian has no static libpci: that build names PCI
# classes from a built-in table; see tools/mvgpuctl/pci.c).
MVGPUCTL_MAKE = $(MAKE) -C $(SRC)/tools/mvgpuctl O=$(BUILD)/mvgpuctl

mvgpuctl:
	$(MVGPUCTL_MAKE) all

check-mvgpuctl:
	$(MVGPUCTL_MAKE) check

$(BUILD)/tests/mvgpuctl: $(wildcard $(SRC)/tools/mvgpuctl/*.[ch] $(SRC)/tools/mvgpuctl/Makefile)
	$(MVGPUCTL_MAKE) static
	@mkdir -p $(dir $@)
	@install -m 0755 $(BUILD)/mvgpuctl/mvgpuctl.static $@

# Unit tests of the driver's pure logic (command decoding, config space,
# profile fitting):
# Debian's kernels do not build KUnit, so the same .c files compile in user
# space against the stand-ins in tests/unit/include.
UNIT_SRCS := $(wildcard $(SRC)/tests/unit/*_test.c)
UNIT_TESTS := $(patsubst $(SRC)/tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRCS))
UNIT_CFLAGS := -O2 -g -Wall -Werror -std=gnu11 -D_GNU_SOURCE \
	       -I$(SRC)/tests/unit/include -I$(SRC)/include \
	       -I$(SRC)/drivers/mvgpu -I$(BUILD)/kselftest
UNIT_DEPS := $(wildcard $(SRC)/tests/unit/include/linux/*.h \
		$(SRC)/drivers/mvgpu/*.h $(SRC)/include/mvgpu/*.h) \
	     $(SRC)/include/uapi/linux/mvgpu.h \
	     $(BUILD)/kselftest/kselftest_harness.h

# Each test and the driver file(s) it tests.
$(BUILD)/unit/cmd_test: $(SRC)/drivers/mvgpu/cmd.c
$(BUILD)/unit/cfg_test: $(SRC)/drivers/mvgpu/cfg_space.c
$(BUILD)/unit/profile_test: $(SRC)/drivers/mvgpu/profile_fit.c

$(BUILD)/unit/%_test: $(SRC)/tests/unit/%_test.c $(UNIT_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -o $@ $(filter %.c,$^)

check-unit: $(UNIT_TESTS)
	@for t in $(UNIT_TESTS); do $$t || exit 1; done

# checkpatch.pl and its data files, also from linux-source-6.1.
CHECKPATCH := $(BUILD)/checkpatch/scripts/checkpatch.pl
$(CHECKPATCH): | $(LINUX_SOURCE_TAR)
	@mkdir -p $(BUILD)/checkpatch
	tar -xJf $(LINUX_SOURCE_TAR) -C $(BUILD)/checkpatch --strip-components=1 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
	@touch $@

# Kernel code gets every --strict check; userspace (tests, tools) uses the
# C library's fixed-width types and attributes, so PREFER_KERNEL_TYPES and
# PREFER_DEFINED_ATTRIBUTE_MACRO do not apply.
CHECKPATCH_KERNEL = $(shell cd $(SRC) && git ls-files -co --exclude-standard \
	'drivers/*.[ch]' 'include/*.h')
CHECKPATCH_USER = $(filter-out tools/mvgpu-engined/%,$(shell cd $(SRC) && \
	git ls-files -co --exclude-standard 'tests/*.[ch]' 'tools/*.[ch]'))
# mvgpu-engined calls Vulkan, whose names are CamelCase.
CHECKPATCH_VK = $(shell cd $(SRC) && git ls-files -co --exclude-standard \
	'tools/mvgpu-engined/*.[ch]')
CHECKPATCH_RUN = $(CHECKPATCH) --strict --no-tree --quiet --terse --show-types

checkpatch: $(CHECKPATCH)
	cd $(SRC) && $(CHECKPATCH_RUN) -f $(CHECKPATCH_KERNEL) && \
		$(CHECKPATCH_RUN) --ignore PREFER_KERNEL_TYPES,PREFER_DEFINED_ATTRIBUTE_MACRO \
			-f $(CHECKPATCH_USER) && \
		$(CHECKPATCH_RUN) --ignore PREFER_KERNEL_TYPES,PREFER_DEFINED_ATTRIBUTE_MACRO,CAMELCASE \
			-f $(CHECKPATCH_VK) && \
		echo "checkpatch: clean"

sparse: modules-6.1-sparse
modules-6.1-sparse:
	@rm -rf $(BUILD)/obj/sparse && mkdir -p $(BUILD)/obj/sparse
	@cp -r $(SRC)/Kbuild $(SRC)/drivers $(SRC)/include $(BUILD)/obj/sparse/
	@find $(BUILD)/obj/sparse \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' \) -delete
	$(MAKE) -C $(KDIR) M=$(BUILD)/obj/sparse C=2 modules 2>&1 | \
		tee $(BUILD)/sparse.log
	@! grep -E '(warning|error):' $(BUILD)/sparse.log && echo "sparse: clean"

check:
	$(SRC)/scripts/check.sh

check-kernels:
	@command -v debootstrap >/dev/null || $(SRC)/scripts/deps.sh
	BUILD=$(BUILD) $(SRC)/scripts/check-kernels.sh

# make check-debug: tests/debug/ holds what only the debug kernel runs.
DEBUG_TEST_SRCS := $(wildcard $(SRC)/tests/debug/*_test.c)
DEBUG_TEST_BINS := $(patsubst $(SRC)/tests/debug/%.c,$(BUILD)/debug-tests/%,$(DEBUG_TEST_SRCS))
DEBUG_TEST_SCRIPTS := $(wildcard $(SRC)/tests/debug/*.sh)

$(BUILD)/debug-tests/%: $(SRC)/tests/debug/%.c $(TEST_LIB) $(TEST_LIB_H) \
			$(SRC)/include/uapi/linux/mvgpu.h \
			$(BUILD)/kselftest/kselftest_harness.h
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $< $(TEST_LIB) $(TEST_LDFLAGS)

debug-tests: $(DEBUG_TEST_BINS)
	@mkdir -p $(BUILD)/debug-tests
	@for s in $(DEBUG_TEST_SCRIPTS); do install -m 0755 $$s $(BUILD)/debug-tests/; done

check-debug:
	BUILD=$(BUILD) $(SRC)/scripts/check-debug.sh

demo:
	BUILD=$(BUILD) $(SRC)/scripts/demo.sh

check-fresh:
	@command -v debootstrap >/dev/null || $(SRC)/scripts/deps.sh
	BUILD=$(BUILD) $(SRC)/scripts/check-fresh.sh $(if $(NO_KVM),--no-kvm)

# make check-install: tests/install/ in a Debian root VM on both kernels.
$(BUILD)/install-tests/vfio_open: $(SRC)/tests/install/vfio_open.c $(TEST_LIB) \
				  $(TEST_LIB_H) $(SRC)/include/uapi/linux/mvgpu.h
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $< $(TEST_LIB) $(TEST_LDFLAGS)

check-install:
	BUILD=$(BUILD) $(SRC)/scripts/check-install.sh

clean:
	$(MAKE) -C $(KDIR) M=$(SRC) clean 2>/dev/null || true
	rm -rf $(BUILD)/obj $(BUILD)/ko $(BUILD)/tests $(BUILD)/vm $(BUILD)/mvgpuctl
	rm -f $(SRC)/drivers/mvgpu/.compat-probes*

# ---------------------------------------------------------------------------
# Installing.
#
# make install [DESTDIR=<dir>] [PREFIX=/usr/local] [KDIR=<dir> | KVER=<release>]
#
#   $(DESTDIR)/lib/modules/<kver>/updates/mvgpu/   mvgpu.ko mvgpu_sim.ko
#                                                  mvgpu_guest.ko mvgpu_user.ko
#   (mvgpu-engined, which needs the Vulkan headers and glslang, installs
#   with its own make -C tools/mvgpu-engined install)
#   $(DESTDIR)$(PREFIX)/sbin/mvgpuctl              the administrator's tool
#   $(DESTDIR)$(PREFIX)/bin/mvgpu-bench            the benchmark (dynamic)
#   $(DESTDIR)$(PREFIX)/share/man/man8/mvgpuctl.8, .../man1/mvgpu-bench.1
#   $(DESTDIR)$(PREFIX)/share/bash-completion/completions/{mvgpuctl,mvgpu-bench}
#   $(DESTDIR)$(PREFIX)/share/doc/mvgpu/examples/modprobe.d/mvgpu.conf
#   $(DESTDIR)$(PREFIX)/share/doc/mvgpu/examples/modules-load.d/mvgpu.conf
#
# Modules always go under /lib/modules, whatever PREFIX says: that is where
# modprobe looks, and "updates/" takes precedence over the kernel's own
# directory.  The kernel: KDIR=<build dir> installs for the kernel those
# headers belong to (<kver> from its utsrelease.h); without KDIR, KVER
# (default: the running kernel, `uname -r`) with /lib/modules/<kver>/build.
# The in-tree `make` builds against the VM's 6.1 headers; install builds its
# own copy for <kver> under build/obj/kver-<kver>/.
#
# The modprobe.d and modules-load.d files are examples, not configuration:
# installed into /etc they would set options or load a software pGPU at boot
# on a host that may not want it, and a package must not do that behind the
# administrator's back.  Copy them into /etc/modprobe.d/ and
# /etc/modules-load.d/ and edit them.
#
# depmod: after installing or removing modules, `depmod -a <kver>` when
# DESTDIR is empty (and that kernel is installed); with DESTDIR,
# `depmod -b $(DESTDIR) <kver>` only if $(DESTDIR)/lib/modules/<kver>
# already has a depmod base (modules.*), else it says that it skipped and
# why (run depmod on the target).
#
# Without root and without DESTDIR, install and uninstall refuse before
# building or changing anything.  Modules keep their debug information, as
# kbuild's modules_install does, unless INSTALL_MOD_STRIP=1.  They are not
# signed (DKMS signs them where Secure Boot needs it: prefer the packages
# or dkms-source there).  Do not mix this with the DKMS packages: both
# install into updates/, and which mvgpu.ko modprobe finds is then unclear.

PREFIX	?= /usr/local
DESTDIR	?=
BINDIR	?= $(PREFIX)/bin
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DOCDIR	?= $(PREFIX)/share/doc/mvgpu
EXAMPLEDIR ?= $(DOCDIR)/examples

# KDIR given (command line or environment): its kernel.  Otherwise KVER,
# by default the running kernel, and its build link.
ifeq ($(origin KDIR),file)
KVER	?= $(shell uname -r)
INSTALL_KDIR := /lib/modules/$(KVER)/build
else
INSTALL_KDIR := $(KDIR)
KVER	?= $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' \
		$(KDIR)/include/generated/utsrelease.h 2>/dev/null)
endif

MODULES	:= mvgpu mvgpu_sim mvgpu_guest mvgpu_user
MODDIR	= /lib/modules/$(KVER)/updates/mvgpu
INSTALL_OBJ = $(BUILD)/obj/kver-$(KVER)
MODULE_SRCS := $(SRC)/Kbuild $(wildcard $(SRC)/drivers/*/Kbuild \
	$(SRC)/drivers/*/*.[ch] $(SRC)/drivers/*/*.mk $(SRC)/drivers/*/*.sh \
	$(SRC)/drivers/*/probes/*.c $(SRC)/include/*/*.h $(SRC)/include/*/*/*.h)

EXAMPLES := modprobe.d/mvgpu.conf modules-load.d/mvgpu.conf

# The installed mvgpu-bench: a normal dynamic build that honours the
# distribution's CFLAGS, CPPFLAGS and LDFLAGS (the VMs keep the static one).
BENCH_INST := $(BUILD)/install/mvgpu-bench
BENCH_INST_CFLAGS := -std=gnu11 -D_GNU_SOURCE -Wall -Werror \
	-I$(SRC)/include/uapi -I$(SRC)/tests/selftests/lib

INSTALL_TOOLS_VARS = DESTDIR=$(DESTDIR) PREFIX=$(PREFIX) SBINDIR=$(SBINDIR) \
	MANDIR=$(MANDIR) BASHCOMPDIR=$(BASHCOMPDIR)

# need-root VERB: refuse, before anything else, to touch a live system
# without root.
define need-root
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" -ne 0 ]; then \
		echo "make $(1): needs root (or DESTDIR=...)" >&2; exit 1; \
	fi
endef

# run-depmod VERB: see the header of this section.
define run-depmod
	@if [ -z "$(DESTDIR)" ] && [ -d /lib/modules/$(KVER)/kernel ]; then \
		echo "depmod -a $(KVER)"; depmod -a $(KVER); \
	elif [ -z "$(DESTDIR)" ]; then \
		echo "make $(1): depmod skipped: no kernel $(KVER) in /lib/modules"; \
	elif ls $(DESTDIR)/lib/modules/$(KVER)/modules.* >/dev/null 2>&1; then \
		echo "depmod -b $(DESTDIR) -a $(KVER)"; \
		depmod -b $(DESTDIR) -a $(KVER); \
	else \
		echo "make $(1): depmod skipped: $(DESTDIR)/lib/modules/$(KVER) has no modules.* (run 'depmod -a $(KVER)' on the target)"; \
	fi
endef

.PHONY: install install-build install-build-tools install-modules install-tools uninstall \
	uninstall-modules uninstall-tools dkms-source deb version

version:
	@$(SRC)/scripts/version.sh

$(INSTALL_OBJ)/.built: $(MODULE_SRCS)
	@[ -n "$(KVER)" ] || { echo "make install: cannot tell the kernel release of KDIR=$(KDIR) (no include/generated/utsrelease.h): set KVER" >&2; exit 1; }
	@[ -f $(INSTALL_KDIR)/Makefile ] || { echo "make install: no headers for kernel $(KVER) in $(INSTALL_KDIR): install linux-headers-$(KVER), or set KDIR=<kernel build dir>" >&2; exit 1; }
	@rm -rf $(INSTALL_OBJ)
	@mkdir -p $(INSTALL_OBJ)
	@cp -r $(SRC)/Kbuild $(SRC)/drivers $(SRC)/include $(INSTALL_OBJ)/
	@find $(INSTALL_OBJ) \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' \
		-o -name '*.mod' -o -name '*.mod.c' -o -name modules.order \) -delete
	$(MAKE) -C $(INSTALL_KDIR) M=$(INSTALL_OBJ) modules
	@touch $@

$(BENCH_INST): $(SRC)/tools/mvgpu-bench/mvgpu-bench.c $(TEST_LIB) \
	       $(TEST_LIB_H) $(SRC)/include/uapi/linux/mvgpu.h
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(or $(CFLAGS),-O2 -g) $(BENCH_INST_CFLAGS) $(LDFLAGS) \
		-o $@ $< $(TEST_LIB)

install-build: $(INSTALL_OBJ)/.built install-build-tools

install-build-tools: $(BENCH_INST)
	$(MVGPUCTL_MAKE) all

# Everything is built before anything is copied: a build that fails
# leaves no half-installed mvgpu behind.
install:
	$(call need-root,install)
	@$(MAKE) --no-print-directory install-build
	@$(MAKE) --no-print-directory install-modules install-tools

install-modules:
	$(call need-root,install)
	@$(MAKE) --no-print-directory $(INSTALL_OBJ)/.built
	install -d -m 0755 $(DESTDIR)$(MODDIR)
	install -m 0644 $(foreach m,$(MODULES),$(INSTALL_OBJ)/drivers/$(m)/$(m).ko) \
		$(DESTDIR)$(MODDIR)/
	$(if $(INSTALL_MOD_STRIP),strip --strip-debug \
		$(foreach m,$(MODULES),$(DESTDIR)$(MODDIR)/$(m).ko))
	$(call run-depmod,install)

install-tools:
	$(call need-root,install)
	@$(MAKE) --no-print-directory $(BENCH_INST)
	$(MVGPUCTL_MAKE) $(INSTALL_TOOLS_VARS) install
	install -D -m 0755 $(BENCH_INST) $(DESTDIR)$(BINDIR)/mvgpu-bench
	install -D -m 0644 $(SRC)/tools/mvgpu-bench/mvgpu-bench.1 \
		$(DESTDIR)$(MANDIR)/man1/mvgpu-bench.1
	install -D -m 0644 $(SRC)/tools/mvgpu-bench/mvgpu-bench.bash-completion \
		$(DESTDIR)$(BASHCOMPDIR)/mvgpu-bench
	$(foreach e,$(EXAMPLES),install -D -m 0644 $(SRC)/packaging/$(e) \
		$(DESTDIR)$(EXAMPLEDIR)/$(e) &&) true

uninstall:
	$(call need-root,uninstall)
	@$(MAKE) --no-print-directory uninstall-modules uninstall-tools

uninstall-modules:
	$(call need-root,uninstall)
	rm -f $(foreach m,$(MODULES),$(DESTDIR)$(MODDIR)/$(m).ko)
	@! [ -d $(DESTDIR)$(MODDIR) ] || rmdir --ignore-fail-on-non-empty $(DESTDIR)$(MODDIR)
	$(call run-depmod,uninstall)

uninstall-tools:
	$(call need-root,uninstall)
	$(MVGPUCTL_MAKE) $(INSTALL_TOOLS_VARS) uninstall
	rm -f $(DESTDIR)$(BINDIR)/mvgpu-bench \
		$(DESTDIR)$(MANDIR)/man1/mvgpu-bench.1 \
		$(DESTDIR)$(BASHCOMPDIR)/mvgpu-bench \
		$(addprefix $(DESTDIR)$(EXAMPLEDIR)/,$(EXAMPLES))
	@for d in $(sort $(dir $(addprefix $(DESTDIR)$(EXAMPLEDIR)/,$(EXAMPLES)))) \
		$(DESTDIR)$(EXAMPLEDIR) $(DESTDIR)$(DOCDIR); do \
		! [ -d $$d ] || rmdir --ignore-fail-on-non-empty $$d; done

# make dkms-source: build/dkms/mvgpu-<version>/, the module sources and a
# dkms.conf with the version put in; then, as root:
#   dkms add build/dkms/mvgpu-<version>     (copies it to /usr/src/)
#   dkms install mvgpu/<version> [-k <kver>]
dkms-source:
	@v=$$($(SRC)/scripts/version.sh) && d=$(BUILD)/dkms/mvgpu-$$v && \
	rm -rf $(BUILD)/dkms && mkdir -p $$d && \
	cp -r $(SRC)/Kbuild $(SRC)/drivers $(SRC)/include $$d/ && \
	find $$d \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' -o -name '*.mod' \
		-o -name '*.mod.c' -o -name modules.order -o -name Module.symvers \
		-o -name '*.o.d' -o -name '.compat-probes*' \) -delete && \
	echo $$v >$$d/VERSION && \
	sed "s/#MODULE_VERSION#/$$v/" $(SRC)/dkms.conf.in >$$d/dkms.conf && \
	echo "dkms-source: $$d"

# make deb: see packaging/build-deb.sh.
deb:
	BUILD=$(BUILD) $(SRC)/packaging/build-deb.sh
