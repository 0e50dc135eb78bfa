// SPDX-License-Identifier: GPL-2.0
/*
 * pGPU registry: the backend-facing half of mvgpu.ko.
 *
 * A backend registers a physical GPU; the core gives it a device of class
 * "mvgpu" (mvgpu<N>, under the backend's hardware device or under
 * /sys/devices/virtual/mvgpu/), builds its profiles and makes it an mdev
 * parent, so that its types appear under
 * /sys/class/mdev_bus/mvgpu<N>/mdev_supported_types/.
 */
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/slab.h>

#include <mvgpu/backend.h>

#include "host.h"
#include "main.h"
#include "pgpu.h"
#include "profile.h"
#include "sched.h"

static DEFINE_IDA(mvgpu_pgpu_ida);

static void mvgpu_pgpu_dev_release(struct device *dev)
{
	struct mvgpu_pgpu *pgpu = container_of(dev, struct mvgpu_pgpu, dev);

	mvgpu_profiles_fini(pgpu);
	ida_free(&mvgpu_pgpu_ida, pgpu->id);
	mutex_destroy(&pgpu->lock);
	kfree(pgpu);
}

static int mvgpu_pgpu_check_info(const struct mvgpu_pgpu_info *info,
				 const struct mvgpu_pgpu_ops *ops)
{
	if (!info->backend || !ops->vram_rw || !ops->vram_pfn ||
	    !ops->vram_clear || !ops->exec)
		return -EINVAL;
	if (!info->vram_size || info->vram_size % MVGPU_VRAM_UNIT ||
	    info->vram_size / MVGPU_VRAM_UNIT > MVGPU_MAX_VRAM_UNITS)
		return -EINVAL;
	if (!info->nr_engines || info->nr_engines > MVGPU_MAX_ENGINES)
		return -EINVAL;
	return 0;
}

/**
 * mvgpu_pgpu_register() - make a physical GPU available for vGPUs
 * @info: what the pGPU has; copied, need not outlive the call.
 * @ops: backend operations; must stay valid until mvgpu_pgpu_unregister().
 * @priv: backend data, returned by mvgpu_pgpu_priv().
 *
 * Context: process context; may sleep.
 * Return: the new pGPU, or an ERR_PTR(): -EINVAL for an invalid @info or
 * incomplete @ops, -ENOMEM, or an error from the driver core.
 */
struct mvgpu_pgpu *mvgpu_pgpu_register(const struct mvgpu_pgpu_info *info,
				       const struct mvgpu_pgpu_ops *ops,
				       void *priv)
{
	struct mvgpu_pgpu *pgpu;
	int ret;

	ret = mvgpu_pgpu_check_info(info, ops);
	if (ret)
		return ERR_PTR(ret);

	pgpu = kzalloc(sizeof(*pgpu), GFP_KERNEL);
	if (!pgpu)
		return ERR_PTR(-ENOMEM);

	pgpu->ops = ops;
	pgpu->priv = priv;
	pgpu->backend = info->backend;
	pgpu->vram_size = info->vram_size;
	pgpu->vram_units = info->vram_size / MVGPU_VRAM_UNIT;
	pgpu->nr_engines = info->nr_engines;
	if (info->model)
		strscpy(pgpu->model, info->model, sizeof(pgpu->model));
	if (info->pci_address)
		strscpy(pgpu->pci_address, info->pci_address,
			sizeof(pgpu->pci_address));
	INIT_LIST_HEAD(&pgpu->ctxs);
	mutex_init(&pgpu->lock);

	ret = ida_alloc(&mvgpu_pgpu_ida, GFP_KERNEL);
	if (ret < 0)
		goto err_free_pgpu;
	pgpu->id = ret;

	ret = mvgpu_profiles_init(pgpu);
	if (ret)
		goto err_free_id;

	ret = mvgpu_sched_init(pgpu);
	if (ret)
		goto err_fini_profiles;

	/* From here on, the device's release callback frees everything. */
	device_initialize(&pgpu->dev);
	pgpu->dev.class = &mvgpu_class;
	pgpu->dev.parent = info->parent;
	pgpu->dev.release = mvgpu_pgpu_dev_release;
	ret = dev_set_name(&pgpu->dev, MVGPU_NAME "%d", pgpu->id);
	if (ret)
		goto err_put_dev;

	ret = device_add(&pgpu->dev);
	if (ret)
		goto err_put_dev;

	ret = mdev_register_parent(&pgpu->parent, &pgpu->dev,
				   &mvgpu_mdev_driver, pgpu->mtypes,
				   pgpu->nr_profiles);
	if (ret)
		goto err_del_dev;

	ret = mvgpu_host_register(pgpu);
	if (ret)
		goto err_unregister_parent;

	dev_info(&pgpu->dev, "%s pGPU: %llu MiB VRAM, %u engines, %u profiles\n",
		 pgpu->backend, pgpu->vram_size >> 20, pgpu->nr_engines,
		 pgpu->nr_profiles);
	return pgpu;

err_unregister_parent:
	mdev_unregister_parent(&pgpu->parent);
err_del_dev:
	device_del(&pgpu->dev);
err_put_dev:
	mvgpu_sched_fini(pgpu);
	put_device(&pgpu->dev);
	return ERR_PTR(ret);

err_fini_profiles:
	mvgpu_profiles_fini(pgpu);
err_free_id:
	ida_free(&mvgpu_pgpu_ida, pgpu->id);
err_free_pgpu:
	mutex_destroy(&pgpu->lock);
	kfree(pgpu);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(mvgpu_pgpu_register);

/**
 * mvgpu_pgpu_unregister() - withdraw a physical GPU
 * @pgpu: a pGPU returned by mvgpu_pgpu_register().
 *
 * Removes the host path first, revoking its open clients (their files
 * stay open and get -ENODEV; host.c), then every vGPU of @pgpu.  A vGPU
 * that a VFIO user holds open is asked to be released (the VFIO "request"
 * interrupt) and this call waits until it is.  The backend cannot be
 * unloaded while a vGPU is open (the core holds a reference on
 * ops->owner), so in practice this waits only for users racing with the
 * unload; host clients do not hold that reference.
 *
 * Context: process context; may sleep for as long as users keep vGPUs.
 */
void mvgpu_pgpu_unregister(struct mvgpu_pgpu *pgpu)
{
	mvgpu_host_unregister(pgpu);
	mdev_unregister_parent(&pgpu->parent);
	WARN_ON_ONCE(pgpu->nr_vgpus);
	mvgpu_sched_fini(pgpu);
	device_unregister(&pgpu->dev);
}
EXPORT_SYMBOL_GPL(mvgpu_pgpu_unregister);

/**
 * mvgpu_pgpu_priv() - the backend data given to mvgpu_pgpu_register()
 * @pgpu: the pGPU.
 *
 * Return: the @priv pointer registered with @pgpu.
 */
void *mvgpu_pgpu_priv(struct mvgpu_pgpu *pgpu)
{
	return pgpu->priv;
}
EXPORT_SYMBOL_GPL(mvgpu_pgpu_priv);
