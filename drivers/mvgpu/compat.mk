# SPDX-License-Identifier: GPL-2.0
#
# Kernel API probes for compat.h.  Each probes/<name>.c uses one API the
# way the driver does; compat-probe.sh compiles each against the kernel
# we build for, with that kernel's own compiler and flags and -Werror,
# and writes "#define MVGPU_HAVE_<NAME> 1" for each that compiles into a
# header cached per kernel release, which every object includes first.
# compat.h says which upstream commit each probe follows.  Compiling the
# use itself, rather than grepping headers or comparing version numbers,
# cannot match a comment or a different signature, and gets distribution
# backports right.
#
# Only Kbuild's build pass probes (not clean).  The flags are those
# scripts/Makefile.lib gives a module's C file, minus dependency output.

mvgpu_compat_dir := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))

ifneq ($(filter %scripts/Makefile.build,$(MAKEFILE_LIST)),)
mvgpu_probe_flags := $(KBUILD_CPPFLAGS) $(NOSTDINC_FLAGS) $(LINUXINCLUDE) \
	-include $(srctree)/include/linux/compiler_types.h \
	$(KBUILD_CFLAGS) $(KBUILD_CFLAGS_MODULE) -DMODULE \
	-DKBUILD_BASENAME='"mvgpu_probe"' -DKBUILD_MODNAME='"mvgpu_probe"' \
	-D__KBUILD_MODNAME=kmod_mvgpu_probe
mvgpu_probes_h := $(shell bash $(mvgpu_compat_dir)/compat-probe.sh \
	$(KERNELRELEASE) $(mvgpu_compat_dir) $(CC) $(mvgpu_probe_flags))
ifeq ($(mvgpu_probes_h),)
$(error mvgpu: the kernel API probes failed (drivers/mvgpu/compat-probe.sh))
endif
ccflags-y += -include $(mvgpu_probes_h)
endif
