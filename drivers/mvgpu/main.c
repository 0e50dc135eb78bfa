// SPDX-License-Identifier: GPL-2.0
/*
 * mvgpu core module: registers the "mvgpu" device class and the mdev
 * driver that binds every vGPU.  pGPUs come and go through
 * mvgpu_pgpu_register() (pgpu.c), called by backend modules.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "dma.h"
#include "main.h"
#include "profile.h"
#include "sysfs.h"
#include "vgpu.h"

unsigned int mvgpu_watchdog_ms = 400;
module_param_named(watchdog_ms, mvgpu_watchdog_ms, uint, 0644);
MODULE_PARM_DESC(watchdog_ms,
		 "Engine time one command may use before the watchdog aborts it and fails its vGPU with MVGPU_ERR_TIMEOUT, in ms (default 400, minimum 10)");

struct class mvgpu_class = {
	.name = MVGPU_NAME,
	.dev_groups = mvgpu_pgpu_groups,
};

static int mvgpu_mdev_probe(struct mdev_device *mdev);
static void mvgpu_mdev_remove(struct mdev_device *mdev);

struct mdev_driver mvgpu_mdev_driver = {
	.device_api = VFIO_DEVICE_API_PCI_STRING,
	.driver = {
		.name = MVGPU_NAME,
		.owner = THIS_MODULE,
		.mod_name = KBUILD_MODNAME,
	},
	.probe = mvgpu_mdev_probe,
	.remove = mvgpu_mdev_remove,
	.get_available = mvgpu_profile_available,
	.show_description = mvgpu_profile_description,
};

/*
 * Creating a vGPU: vfio_alloc_device() runs mvgpu_vgpu_init(), which takes
 * the profile's resources; a failure there (-ENOSPC when the pGPU is full)
 * makes the write to "create" fail with that errno and leaves nothing
 * behind.
 *
 * The vGPU's attribute groups (mvgpu/, mvgpu_stats/) are added here, not
 * through the driver's dev_groups: when adding those fails, Linux 6.1's
 * really_probe() removes groups it never added and WARNs (found by the
 * fail-nth walk of make check-debug).
 */
static int mvgpu_mdev_probe(struct mdev_device *mdev)
{
	struct mvgpu_vgpu *vgpu;
	int ret;

	vgpu = vfio_alloc_device(mvgpu_vgpu, vdev, &mdev->dev, &mvgpu_vfio_ops);
	if (IS_ERR(vgpu))
		return PTR_ERR(vgpu);

	dev_set_drvdata(&mdev->dev, vgpu);
	ret = device_add_groups(&mdev->dev, mvgpu_vgpu_groups);
	if (ret)
		goto err_put_vdev;
	ret = vfio_register_emulated_iommu_dev(&vgpu->vdev);
	if (ret)
		goto err_remove_groups;
	return 0;

err_remove_groups:
	device_remove_groups(&mdev->dev, mvgpu_vgpu_groups);
err_put_vdev:
	vfio_put_device(&vgpu->vdev);
	return ret;
}

/*
 * Removing a vGPU blocks in vfio_unregister_group_dev() until every user
 * has closed the device; the core asks them to through ops->request.
 */
static void mvgpu_mdev_remove(struct mdev_device *mdev)
{
	struct mvgpu_vgpu *vgpu = dev_get_drvdata(&mdev->dev);

	vfio_unregister_group_dev(&vgpu->vdev);
	device_remove_groups(&mdev->dev, mvgpu_vgpu_groups);
	vfio_put_device(&vgpu->vdev);
}

static int __init mvgpu_init(void)
{
	int ret;

	ret = mvgpu_dma_module_init();
	if (ret)
		return ret;

	ret = class_register(&mvgpu_class);
	if (ret)
		goto err_dma_exit;

	ret = mdev_register_driver(&mvgpu_mdev_driver);
	if (ret)
		goto err_unregister_class;

	return 0;

err_unregister_class:
	class_unregister(&mvgpu_class);
err_dma_exit:
	mvgpu_dma_module_exit();
	return ret;
}

static void __exit mvgpu_exit(void)
{
	mdev_unregister_driver(&mvgpu_mdev_driver);
	class_unregister(&mvgpu_class);
	mvgpu_dma_module_exit();
}

module_init(mvgpu_init);
module_exit(mvgpu_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mvgpu: mediated virtual GPUs (vfio-mdev) on a physical GPU");
MODULE_AUTHOR("The mvgpu authors");
