// SPDX-License-Identifier: GPL-2.0
/*
 * "vfio: Create vfio_fs_type with inode per device" (Alex Williamson),
 * v6.10: every vfio_device has its own inode, whose address space is the
 * f_mapping of its device files, so a driver can zap its users' mmaps
 * with unmap_mapping_range().
 */
#include <linux/fs.h>
#include <linux/vfio.h>

struct address_space *mvgpu_probe(struct vfio_device *vdev);
struct address_space *mvgpu_probe(struct vfio_device *vdev)
{
	return vdev->inode->i_mapping;
}
