// SPDX-License-Identifier: GPL-2.0
/*
 * 775f726a742a and f97859503859, v6.19: the vfio core decodes
 * VFIO_DEVICE_GET_REGION_INFO itself and calls ops->get_region_info_caps
 * (a driver without it gets -EINVAL); the driver's ioctl no longer sees
 * the command.  Probed with the exact signature mvgpu implements.
 */
#include <linux/vfio.h>

static int mvgpu_probe_caps(struct vfio_device *vdev,
			    struct vfio_region_info *info,
			    struct vfio_info_cap *caps)
{
	return 0;
}

const struct vfio_device_ops mvgpu_probe_ops;
const struct vfio_device_ops mvgpu_probe_ops = {
	.get_region_info_caps = mvgpu_probe_caps,
};
