// SPDX-License-Identifier: GPL-2.0
/*
 * 4e016f969529 ("vfio: Add an option to get migration data size"), v6.2:
 * vfio_migration_ops.migration_get_data_size, behind
 * VFIO_DEVICE_FEATURE_MIG_DATA_SIZE.  The core calls it without a NULL
 * check, so a driver with migration ops must provide it.
 */
#include <linux/vfio.h>

static int mvgpu_probe_size(struct vfio_device *vdev, unsigned long *len)
{
	*len = 0;
	return 0;
}

const struct vfio_migration_ops mvgpu_probe_ops;
const struct vfio_migration_ops mvgpu_probe_ops = {
	.migration_get_data_size = mvgpu_probe_size,
};
