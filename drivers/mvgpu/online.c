// SPDX-License-Identifier: GPL-2.0
/*
 * pGPU availability: a backend whose engines live outside the kernel (the
 * userspace engine server of mvgpu_user) can lose them while vGPUs exist.
 * It then takes its pGPU offline: every context on it enters its error
 * state with MVGPU_ERR_HOST at once, new contexts are refused with
 * -EHOSTDOWN, and whatever runs later fails in exec() the same way.  VRAM,
 * which the kernel owns, stays as it was.  When engines are back the
 * backend brings the pGPU online again and a device reset lets each vGPU
 * continue.
 *
 * Also here: the pGPU's descriptive sysfs attributes a backend provides
 * (model, pci_address) and "online".
 */
#include <linux/sysfs.h>

#include <mvgpu/backend.h>

#include "irq.h"
#include "online.h"
#include "pgpu.h"
#include "vgpu.h"

/* ERROR_INFO of the MVGPU_ERR_HOST a pGPU going offline raises. */
#define MVGPU_OFFLINE_ERROR_INFO	0xffffffu

/**
 * mvgpu_pgpu_set_online() - mark a pGPU's engines as usable or gone
 * @pgpu: the pGPU.
 * @online: false when the backend can no longer run commands.
 *
 * Going offline fails every vGPU and host client of @pgpu with
 * MVGPU_ERR_HOST (ERROR_INFO 0xffffff) before it returns, and makes new
 * vGPUs fail with -EHOSTDOWN until the pGPU is online again.  The backend
 * must itself make exec() fail (with -EIO) while it is offline.
 *
 * Context: process context; takes pgpu->lock.
 */
void mvgpu_pgpu_set_online(struct mvgpu_pgpu *pgpu, bool online)
{
	struct mvgpu_vgpu *vgpu;

	mutex_lock(&pgpu->lock);
	pgpu->offline = !online;
	if (!online)
		list_for_each_entry(vgpu, &pgpu->ctxs, pgpu_node)
			mvgpu_vgpu_fail(vgpu, MVGPU_ERR_HOST,
					MVGPU_OFFLINE_ERROR_INFO);
	mutex_unlock(&pgpu->lock);
	if (online)
		dev_info(&pgpu->dev, "online\n");
	else
		dev_warn(&pgpu->dev, "offline: its vGPUs fail with a host error until it is back\n");
}
EXPORT_SYMBOL_GPL(mvgpu_pgpu_set_online);

/**
 * mvgpu_pgpu_id() - the number N of a pGPU's name, mvgpu<N>
 * @pgpu: the pGPU.
 *
 * Return: N.
 */
int mvgpu_pgpu_id(struct mvgpu_pgpu *pgpu)
{
	return pgpu->id;
}
EXPORT_SYMBOL_GPL(mvgpu_pgpu_id);

static struct mvgpu_pgpu *dev_to_pgpu(struct device *dev)
{
	return container_of(dev, struct mvgpu_pgpu, dev);
}

static ssize_t online_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct mvgpu_pgpu *pgpu = dev_to_pgpu(dev);
	bool offline;

	mutex_lock(&pgpu->lock);
	offline = pgpu->offline;
	mutex_unlock(&pgpu->lock);
	return sysfs_emit(buf, "%d\n", !offline);
}
static DEVICE_ATTR_RO(online);

static ssize_t model_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n", dev_to_pgpu(dev)->model);
}
static DEVICE_ATTR_RO(model);

static ssize_t pci_address_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", dev_to_pgpu(dev)->pci_address);
}
static DEVICE_ATTR_RO(pci_address);

static struct attribute *mvgpu_pgpu_online_attrs[] = {
	&dev_attr_online.attr,
	&dev_attr_model.attr,
	&dev_attr_pci_address.attr,
	NULL,
};

const struct attribute_group mvgpu_pgpu_online_group = {
	.attrs = mvgpu_pgpu_online_attrs,
};
