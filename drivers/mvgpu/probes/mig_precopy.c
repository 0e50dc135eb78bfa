// SPDX-License-Identifier: GPL-2.0
/*
 * 4db52602a607 ("vfio: Extend the device migration protocol with
 * PRE_COPY"), v6.2: the PRE_COPY and PRE_COPY_P2P states,
 * VFIO_MIGRATION_PRE_COPY and VFIO_MIG_GET_PRECOPY_INFO on the data file.
 */
#include <linux/vfio.h>

int mvgpu_probe(void);
int mvgpu_probe(void)
{
	struct vfio_precopy_info info = { .argsz = sizeof(info) };

	return VFIO_MIG_GET_PRECOPY_INFO + VFIO_MIGRATION_PRE_COPY +
	       VFIO_DEVICE_STATE_PRE_COPY_P2P + (int)info.initial_bytes;
}
