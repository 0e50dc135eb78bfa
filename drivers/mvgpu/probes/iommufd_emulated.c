// SPDX-License-Identifier: GPL-2.0
/*
 * a4d1f91db502 ("vfio-iommufd: Add helper functions for emulated
 * devices"), v6.2: the bind/unbind/attach_ioas ops and their helpers for
 * an emulated-IOMMU device (NULL when CONFIG_IOMMUFD is off).
 */
#include <linux/vfio.h>

const struct vfio_device_ops mvgpu_probe_ops;
const struct vfio_device_ops mvgpu_probe_ops = {
	.bind_iommufd	= vfio_iommufd_emulated_bind,
	.unbind_iommufd	= vfio_iommufd_emulated_unbind,
	.attach_ioas	= vfio_iommufd_emulated_attach_ioas,
};
