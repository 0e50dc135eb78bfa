// SPDX-License-Identifier: GPL-2.0
/*
 * The probes' baseline: only what every supported kernel (6.1 and later)
 * has.  compat-probe.sh refuses to go on when this does not compile, since
 * then no probe's result would mean anything.
 */
#include <linux/eventfd.h>
#include <linux/hrtimer.h>
#include <linux/mm.h>
#include <linux/vfio.h>

int mvgpu_probe(struct vfio_device *vdev);
int mvgpu_probe(struct vfio_device *vdev)
{
	return vfio_register_emulated_iommu_dev(vdev);
}
