/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvgpu kernel compatibility layer.
 *
 * Every difference between the kernels mvgpu supports (6.1 and later) is
 * handled here and nowhere else.  compat.mk compiles one probe per API
 * (probes/<name>.c) against the target kernel and defines
 * MVGPU_HAVE_<NAME> for each that compiles; this file turns those
 * capabilities into the wrappers the driver uses.  Each entry names the
 * upstream commit that made the change and the first release that
 * carries it (the probe file says the same).
 */
#ifndef _MVGPU_COMPAT_H
#define _MVGPU_COMPAT_H

/* Without the probes' header every MVGPU_HAVE_* would silently be off. */
#ifndef MVGPU_PROBED
#error "kernel API probes missing: build through Kbuild (drivers/mvgpu/compat.mk)"
#endif

#include <linux/eventfd.h>
#include <linux/hrtimer.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/vfio.h>

/*
 * 913447d06f03 ("vfio: Remove vfio_free_device"), v6.2: the vfio core frees
 * the vfio_device itself.  Before it, ops->release must end by calling
 * vfio_free_device().
 */
static inline void mvgpu_vfio_free_device(struct vfio_device *vdev)
{
#ifdef MVGPU_HAVE_VFIO_FREE_DEVICE
	vfio_free_device(vdev);
#endif
}

/*
 * a4d1f91db502 ("vfio-iommufd: Add helper functions for emulated devices"),
 * v6.2, added bind/unbind/attach; 8cfa71860233 ("vfio-iommufd: Add
 * detach_ioas support for emulated VFIO devices"), v6.6, added
 * detach_ioas, and the same series made all four mandatory when
 * CONFIG_IOMMUFD is set.  Without CONFIG_IOMMUFD the helpers are NULL
 * macros.
 */
#if defined(MVGPU_HAVE_DETACH_IOAS)
#define MVGPU_VFIO_IOMMUFD_OPS						\
	.bind_iommufd	= vfio_iommufd_emulated_bind,			\
	.unbind_iommufd	= vfio_iommufd_emulated_unbind,			\
	.attach_ioas	= vfio_iommufd_emulated_attach_ioas,		\
	.detach_ioas	= vfio_iommufd_emulated_detach_ioas,
#elif defined(MVGPU_HAVE_IOMMUFD_EMULATED)
#define MVGPU_VFIO_IOMMUFD_OPS						\
	.bind_iommufd	= vfio_iommufd_emulated_bind,			\
	.unbind_iommufd	= vfio_iommufd_emulated_unbind,			\
	.attach_ioas	= vfio_iommufd_emulated_attach_ioas,
#else
#define MVGPU_VFIO_IOMMUFD_OPS
#endif

/*
 * 775f726a742a and f97859503859, v6.19: the vfio core decodes
 * VFIO_DEVICE_GET_REGION_INFO itself and calls ops->get_region_info_caps;
 * a driver without the op gets -EINVAL.  Before it, the driver's ioctl
 * handles the command.  The probe uses the op's exact signature, so a
 * kernel whose op differs builds the ioctl path and fails loudly at run
 * time in the VM tests rather than silently at build time.
 */

/*
 * 3652117f8548 ("eventfd: simplify eventfd_signal()"), v6.8: the count
 * argument is gone.
 */
static inline void mvgpu_eventfd_signal(struct eventfd_ctx *ctx)
{
#ifdef MVGPU_HAVE_EVENTFD_SIGNAL_NOCOUNT
	eventfd_signal(ctx);
#else
	eventfd_signal(ctx, 1);
#endif
}

/*
 * bc292ab00f6c ("mm: introduce vma->vm_flags wrapper functions"), v6.3:
 * vm_flags becomes read-only outside these helpers.
 */
static inline void mvgpu_vm_flags_set(struct vm_area_struct *vma,
				      vm_flags_t flags)
{
#ifdef MVGPU_HAVE_VM_FLAGS_SET
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

/* The same commit: set @set and clear @clear in one update. */
static inline void mvgpu_vm_flags_mod(struct vm_area_struct *vma,
				      vm_flags_t set, vm_flags_t clear)
{
#ifdef MVGPU_HAVE_VM_FLAGS_SET
	vm_flags_mod(vma, set, clear);
#else
	vma->vm_flags = (vma->vm_flags | set) & ~clear;
#endif
}

/* The same commit: vm_flags_clear() (mvgpu_user's read-only mappings). */
static inline void mvgpu_vm_flags_clear(struct vm_area_struct *vma,
					vm_flags_t flags)
{
#ifdef MVGPU_HAVE_VM_FLAGS_SET
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

/*
 * 908a1d775422 ("hrtimers: Introduce hrtimer_setup() to replace
 * hrtimer_init()"), v6.13: the callback is set with the clock and mode;
 * 9779489a31d7 ("hrtimers: Delete hrtimer_init()"), v6.15, removed the
 * old way.
 */
static inline void
mvgpu_hrtimer_setup(struct hrtimer *timer,
		    enum hrtimer_restart (*fn)(struct hrtimer *),
		    clockid_t clock_id, enum hrtimer_mode mode)
{
#ifdef MVGPU_HAVE_HRTIMER_SETUP
	hrtimer_setup(timer, fn, clock_id, mode);
#else
	hrtimer_init(timer, clock_id, mode);
	timer->function = fn;
#endif
}

/*
 * vfio_virqfd (an eventfd that calls back into the driver) is built only
 * when a driver selects CONFIG_VFIO_VIRQFD.  Debian's kernels have it: on
 * 6.1 as the module vfio_virqfd.ko, inside vfio.ko since e2d55709398e
 * ("vfio: Fold vfio_virqfd.ko into vfio.ko"), v6.2.  A kernel without it
 * cannot unmask INTx through an eventfd.
 */
#if IS_ENABLED(CONFIG_VFIO_VIRQFD)
#define MVGPU_HAVE_VIRQFD 1
#endif

/*
 * "PCI: Introduce PCI_IRQ_INTX" (Damien Le Moal), v6.8, renamed the INTx
 * flag of pci_alloc_irq_vectors(); the old name went away in v6.10.  Used
 * by mvgpu_guest.
 */
#ifndef PCI_IRQ_INTX
#define PCI_IRQ_INTX	PCI_IRQ_LEGACY
#endif

/*
 * 4db52602a607 ("vfio: Extend the device migration protocol with
 * PRE_COPY"), v6.2: the PRE_COPY states and VFIO_MIG_GET_PRECOPY_INFO.
 * Without it a vGPU offers STOP_COPY and P2P only.  The state numbers
 * are those of the uAPI; without the probe no arc ever reaches them,
 * since vfio_mig_get_next_state() refuses states whose flag is not set.
 */
#ifdef MVGPU_HAVE_MIG_PRECOPY
#define MVGPU_MIG_FLAGS		(VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P | \
				 VFIO_MIGRATION_PRE_COPY)
#define MVGPU_MIG_PRE_COPY	VFIO_DEVICE_STATE_PRE_COPY
#define MVGPU_MIG_PRE_COPY_P2P	VFIO_DEVICE_STATE_PRE_COPY_P2P
#else
#define MVGPU_MIG_FLAGS		(VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P)
#define MVGPU_MIG_PRE_COPY	6
#define MVGPU_MIG_PRE_COPY_P2P	7
#endif

/*
 * 4e016f969529 ("vfio: Add an option to get migration data size"), v6.2:
 * vfio_migration_ops.migration_get_data_size.  The core calls it without
 * a NULL check (VFIO_DEVICE_FEATURE_MIG_DATA_SIZE), so it is always set
 * where it exists.
 */
#ifdef MVGPU_HAVE_MIG_DATA_SIZE
#define MVGPU_MIG_DATA_SIZE_OP(fn)	.migration_get_data_size = (fn),
#else
#define MVGPU_MIG_DATA_SIZE_OP(fn)
#endif

/*
 * "vfio: Create vfio_fs_type with inode per device" (Alex Williamson),
 * v6.10: a vfio_device's files share its own address space, so the
 * driver can zap its users' mappings with unmap_mapping_range().  Before
 * it they share an anonymous inode with unrelated files: NULL, and
 * pre-copy cannot write-protect the VRAM mapping.
 */
static inline struct address_space *
mvgpu_vdev_mapping(struct vfio_device *vdev)
{
#ifdef MVGPU_HAVE_VFIO_DEVICE_INODE
	return vdev->inode->i_mapping;
#else
	return NULL;
#endif
}

/*
 * v6.11, "drm/fbdev-generic: Rename to fbdev-ttm": the fbdev emulation of
 * TTM-based drivers is drm_fbdev_ttm_setup() (<drm/drm_fbdev_ttm.h>); 6.1
 * has it as drm_fbdev_generic_setup() (<drm/drm_fb_helper.h>).  Only the
 * guest's KMS driver (which defines MVGPU_COMPAT_DRM) includes DRM.
 */
#ifdef MVGPU_COMPAT_DRM
#include <drm/drm_device.h>
#include <drm/drm_mode_config.h>
/*
 * From v6.13 (probes/drm_client_setup*.c) a TTM driver names its fbdev
 * probe in struct drm_driver (MVGPU_DRM_FBDEV_OPS) and starts the client
 * with drm_client_setup_with_color_mode().
 */
#if defined(MVGPU_HAVE_DRM_CLIENT_SETUP) || \
	defined(MVGPU_HAVE_DRM_CLIENT_SETUP_CLIENTS)
#ifdef MVGPU_HAVE_DRM_CLIENT_SETUP_CLIENTS
#include <drm/clients/drm_client_setup.h>
#else
#include <drm/drm_client_setup.h>
#endif
#include <drm/drm_fbdev_ttm.h>
#define MVGPU_DRM_FBDEV_OPS	DRM_FBDEV_TTM_DRIVER_OPS,
static inline void mvgpu_fbdev_setup(struct drm_device *dev, unsigned int bpp)
{
	drm_client_setup_with_color_mode(dev, bpp);
}
#elif defined(MVGPU_HAVE_FBDEV_TTM_SETUP)
#include <drm/drm_fbdev_ttm.h>
#define MVGPU_DRM_FBDEV_OPS
static inline void mvgpu_fbdev_setup(struct drm_device *dev, unsigned int bpp)
{
	drm_fbdev_ttm_setup(dev, bpp);
}
#else
#include <drm/drm_fb_helper.h>
#define MVGPU_DRM_FBDEV_OPS
static inline void mvgpu_fbdev_setup(struct drm_device *dev, unsigned int bpp)
{
	drm_fbdev_generic_setup(dev, bpp);
}
#endif

/* probes/drm_driver_date.c: struct drm_driver.date, gone in v6.14. */
#ifdef MVGPU_HAVE_DRM_DRIVER_DATE
#define MVGPU_DRM_DRIVER_DATE(d)	.date = (d),
#else
#define MVGPU_DRM_DRIVER_DATE(d)
#endif

/*
 * probes/gem_fb_create_info.c: .fb_create and drm_gem_fb_create() take
 * the format's info on newer kernels.  A driver's fb_create is written
 * MVGPU_FB_CREATE_ARGS, and calls drm_gem_fb_create() through
 * mvgpu_gem_fb_create(), so one body serves both.
 */
#ifdef MVGPU_HAVE_GEM_FB_CREATE_INFO
#define MVGPU_FB_CREATE_ARGS	struct drm_device *dev, struct drm_file *file, \
				const struct drm_format_info *info, \
				const struct drm_mode_fb_cmd2 *cmd
#define mvgpu_gem_fb_create()	drm_gem_fb_create(dev, file, info, cmd)
#else
#define MVGPU_FB_CREATE_ARGS	struct drm_device *dev, struct drm_file *file, \
				const struct drm_mode_fb_cmd2 *cmd
#define mvgpu_gem_fb_create()	drm_gem_fb_create(dev, file, cmd)
#endif

/* See probes/prefer_shadow_fbdev.c: fbdev draws into a shadow buffer. */
static inline void mvgpu_fbdev_prefer_shadow(struct drm_device *dev)
{
#ifdef MVGPU_HAVE_PREFER_SHADOW_FBDEV
	dev->mode_config.prefer_shadow_fbdev = true;
#endif
}
#endif /* MVGPU_COMPAT_DRM */

#endif /* _MVGPU_COMPAT_H */
