/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvgpu core: the VFIO device interface of a vGPU: regions and ioctls
 * (vfio_ops.c).
 */
#ifndef _MVGPU_VFIO_OPS_H
#define _MVGPU_VFIO_OPS_H

#include <linux/compiler.h>
#include <linux/types.h>

struct mvgpu_vgpu;
struct vfio_device;
struct vfio_region_info;
struct vm_area_struct;

/*
 * VFIO region offsets: the region index lives in bits 40 and up of the
 * file offset, as in vfio-pci, so a region may be up to 1 TiB.
 */
#define MVGPU_REGION_SHIFT	40
#define MVGPU_REGION_OFFSET(i)	((u64)(i) << MVGPU_REGION_SHIFT)
#define MVGPU_REGION_MASK	(MVGPU_REGION_OFFSET(1) - 1)

long mvgpu_vfio_ioctl(struct vfio_device *vdev, unsigned int cmd,
		      unsigned long arg);
ssize_t mvgpu_vfio_read(struct vfio_device *vdev, char __user *buf,
			size_t count, loff_t *ppos);
ssize_t mvgpu_vfio_write(struct vfio_device *vdev, const char __user *buf,
			 size_t count, loff_t *ppos);
int mvgpu_vfio_mmap(struct vfio_device *vdev, struct vm_area_struct *vma);
int mvgpu_region_info(struct mvgpu_vgpu *vgpu, struct vfio_region_info *info);

#endif /* _MVGPU_VFIO_OPS_H */
