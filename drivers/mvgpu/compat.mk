# SPDX-License-Identifier: GPL-2.0
#
# Kernel API probes for compat.h.  Each probe greps the headers of the
# kernel we build against and, if the API is there, defines a capability
# macro; compat.h says which upstream commit each one follows.  Probing the
# API itself rather than comparing version numbers also gets distribution
# backports right.
#
# $(call mvgpu_probe,HEADER,EXTENDED-REGEX,MACRO)
# (make counts parentheses inside $(call): write a literal one as '.'.)
mvgpu_probe = $(if $(shell grep -qsE '$(2)' $(srctree)/include/$(1) && echo y),-D$(3)=1)

ccflags-y += $(call mvgpu_probe,linux/vfio.h,void vfio_free_device.struct vfio_device,MVGPU_HAVE_VFIO_FREE_DEVICE)
ccflags-y += $(call mvgpu_probe,linux/vfio.h,vfio_iommufd_emulated_bind,MVGPU_HAVE_IOMMUFD_EMULATED)
ccflags-y += $(call mvgpu_probe,linux/vfio.h,vfio_iommufd_emulated_detach_ioas,MVGPU_HAVE_DETACH_IOAS)
ccflags-y += $(call mvgpu_probe,linux/vfio.h,[*]get_region_info_caps.struct vfio_device,MVGPU_HAVE_GET_REGION_INFO_CAPS)
ccflags-y += $(call mvgpu_probe,linux/eventfd.h,void eventfd_signal.struct eventfd_ctx [*]ctx.$$,MVGPU_HAVE_EVENTFD_SIGNAL_NOCOUNT)
ccflags-y += $(call mvgpu_probe,linux/mm.h,void vm_flags_set.struct vm_area_struct,MVGPU_HAVE_VM_FLAGS_SET)
