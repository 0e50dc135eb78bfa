// SPDX-License-Identifier: GPL-2.0
/*
 * 8cfa71860233 ("vfio-iommufd: Add detach_ioas support for emulated VFIO
 * devices"), v6.6: the detach_ioas op, which the vfio core requires with
 * the other three iommufd ops when CONFIG_IOMMUFD is set.
 */
#include <linux/vfio.h>

const struct vfio_device_ops mvgpu_probe_ops;
const struct vfio_device_ops mvgpu_probe_ops = {
	.detach_ioas	= vfio_iommufd_emulated_detach_ioas,
};
