// SPDX-License-Identifier: GPL-2.0
/*
 * vGPU lifetime: the vfio_device callbacks that create, open, close, reset
 * and free a vGPU, and the vfio_device_ops table that ties the device
 * model together.
 *
 * init    takes the profile's resources, clears the VRAM slice, builds the
 *         config space and resets the registers.
 * open    pins the backend module (rmmod of the backend then fails) and
 *         resets the device for the new user.
 * close   stops the queues, unpins guest memory, tears down interrupts and
 *         resets the device, so nothing of one user's session is visible
 *         to the next.
 * release clears the VRAM slice and returns the resources (mirror of init).
 */
#include <linux/module.h>

#include <uapi/linux/mvgpu.h>

#include "cfg.h"
#include "compat.h"
#include "dma.h"
#include "irq.h"
#include "mmio.h"
#include "pgpu.h"
#include "profile.h"
#include "queue.h"
#include "sched.h"
#include "vfio_ops.h"
#include "vgpu.h"
#include "vram.h"

/**
 * mvgpu_vgpu_reset() - return a vGPU to its power-on state
 * @vgpu: the vGPU, with @vgpu->lock held.
 *
 * Used for VFIO_DEVICE_RESET, MVGPU_CONTROL_RESET, open and close.  Stops
 * the queues (waiting for engines to let go of them), unpins the guest
 * memory the DMA cache holds, then clears the registers, the error state
 * and the VRAM slice and deasserts interrupts.
 * Interrupt *configuration* (the eventfds a VFIO user set) is not device
 * state and survives, as with vfio-pci's function reset.
 */
void mvgpu_vgpu_reset(struct mvgpu_vgpu *vgpu)
{
	lockdep_assert_held(&vgpu->lock);

	mvgpu_queues_reset(vgpu);
	mvgpu_dma_flush(vgpu);
	mvgpu_mmio_reset(vgpu);
	mvgpu_vram_clear(vgpu);
	mvgpu_irq_update(vgpu);
}

/**
 * mvgpu_ctx_init() - set up an execution context: a vGPU or a host client
 * @vgpu: zeroed context.
 * @profile: the profile whose resources it takes.
 * @host: true for a host-path client (no VFIO device behind it).
 *
 * Takes the profile's resources, clears the VRAM slice, builds the config
 * space and resets the registers.  mvgpu_ctx_fini() undoes it.
 *
 * Return: 0, or -ENOSPC when the pGPU has no room for the profile.
 */
int mvgpu_ctx_init(struct mvgpu_vgpu *vgpu,
		   const struct mvgpu_profile *profile, bool host)
{
	int ret;

	vgpu->profile = profile;
	vgpu->pgpu = profile->pgpu;
	vgpu->host = host;
	mutex_init(&vgpu->lock);
	mvgpu_irq_init(vgpu);
	init_waitqueue_head(&vgpu->fence_wq);
	vgpu->weight = MVGPU_WEIGHT_DEFAULT;
	vgpu->timeslice_ns = MVGPU_TIMESLICE_NS;
	mvgpu_queues_init(vgpu);
	mvgpu_dma_init(vgpu);

	ret = mvgpu_resources_reserve(vgpu);
	if (ret)
		goto err_dma_fini;

	/* Whoever had this VRAM last, the new context starts from zeros. */
	set_bit(MVGPU_VRAM_DIRTY, &vgpu->vram_flags);
	mvgpu_cfg_init(vgpu);
	mutex_lock(&vgpu->lock);
	mvgpu_vgpu_reset(vgpu);
	mutex_unlock(&vgpu->lock);
	return 0;

err_dma_fini:
	mvgpu_dma_fini(vgpu);
	mutex_destroy(&vgpu->lock);
	return ret;
}

/**
 * mvgpu_ctx_fini() - give back what mvgpu_ctx_init() took
 * @vgpu: the context, its queues stopped.
 */
void mvgpu_ctx_fini(struct mvgpu_vgpu *vgpu)
{
	/* Nothing of this context reaches the next owner of its VRAM. */
	set_bit(MVGPU_VRAM_DIRTY, &vgpu->vram_flags);
	mvgpu_vram_clear(vgpu);
	mvgpu_resources_release(vgpu);
	mvgpu_dma_fini(vgpu);
	mutex_destroy(&vgpu->lock);
}

static int mvgpu_vgpu_init(struct vfio_device *vdev)
{
	struct mdev_device *mdev = to_mdev_device(vdev->dev);

	return mvgpu_ctx_init(vdev_to_vgpu(vdev), mtype_to_profile(mdev->type),
			      false);
}

static void mvgpu_vgpu_release(struct vfio_device *vdev)
{
	mvgpu_ctx_fini(vdev_to_vgpu(vdev));
	mvgpu_vfio_free_device(vdev);
}

static int mvgpu_vgpu_open(struct vfio_device *vdev)
{
	struct mvgpu_vgpu *vgpu = vdev_to_vgpu(vdev);

	if (!try_module_get(vgpu->pgpu->ops->owner))
		return -ENODEV;

	mutex_lock(&vgpu->lock);
	mvgpu_cfg_init(vgpu);
	mvgpu_vgpu_reset(vgpu);
	mutex_unlock(&vgpu->lock);
	return 0;
}

static void mvgpu_vgpu_close(struct vfio_device *vdev)
{
	struct mvgpu_vgpu *vgpu = vdev_to_vgpu(vdev);

	mutex_lock(&vgpu->lock);
	mvgpu_queues_reset(vgpu);
	mvgpu_dma_close(vgpu);
	mvgpu_irq_teardown(vgpu);
	mvgpu_vram_unmapped(vgpu);
	mvgpu_vgpu_reset(vgpu);
	mutex_unlock(&vgpu->lock);

	module_put(vgpu->pgpu->ops->owner);
}

#ifdef MVGPU_HAVE_GET_REGION_INFO_CAPS
static int mvgpu_vgpu_get_region_info_caps(struct vfio_device *vdev,
					   struct vfio_region_info *info,
					   struct vfio_info_cap *caps)
{
	return mvgpu_region_info(vdev_to_vgpu(vdev), info);
}
#endif

const struct vfio_device_ops mvgpu_vfio_ops = {
	.name		= "mvgpu",
	.init		= mvgpu_vgpu_init,
	.release	= mvgpu_vgpu_release,
	.open_device	= mvgpu_vgpu_open,
	.close_device	= mvgpu_vgpu_close,
	.read		= mvgpu_vfio_read,
	.write		= mvgpu_vfio_write,
	.ioctl		= mvgpu_vfio_ioctl,
	.mmap		= mvgpu_vfio_mmap,
	.request	= mvgpu_irq_request,
	.dma_unmap	= mvgpu_dma_unmap,
#ifdef MVGPU_HAVE_GET_REGION_INFO_CAPS
	.get_region_info_caps = mvgpu_vgpu_get_region_info_caps,
#endif
	MVGPU_VFIO_IOMMUFD_OPS
};
