// SPDX-License-Identifier: GPL-2.0
/*
 * Before 913447d06f03 ("vfio: Remove vfio_free_device"), v6.2,
 * ops->release must end with vfio_free_device(); since then the vfio core
 * frees the device itself and the function is gone.
 */
#include <linux/vfio.h>

void mvgpu_probe(struct vfio_device *vdev);
void mvgpu_probe(struct vfio_device *vdev)
{
	vfio_free_device(vdev);
}
