// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs attributes of pGPUs (/sys/class/mvgpu/mvgpu<N>/) and vGPUs
 * (/sys/bus/mdev/devices/<uuid>/mvgpu/).  All are read-only and
 * world-readable: they describe resources, not guest data.
 */
#include <linux/bitmap.h>
#include <linux/sysfs.h>

#include "mvgpu.h"

static struct mvgpu_pgpu *dev_to_pgpu(struct device *dev)
{
	return container_of(dev, struct mvgpu_pgpu, dev);
}

static ssize_t backend_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", dev_to_pgpu(dev)->backend);
}
static DEVICE_ATTR_RO(backend);

static ssize_t vram_bytes_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", dev_to_pgpu(dev)->vram_size);
}
static DEVICE_ATTR_RO(vram_bytes);

static ssize_t vram_free_bytes_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	struct mvgpu_pgpu *pgpu = dev_to_pgpu(dev);
	unsigned int used;

	mutex_lock(&pgpu->lock);
	used = bitmap_weight(pgpu->vram_map, pgpu->vram_units);
	mutex_unlock(&pgpu->lock);

	return sysfs_emit(buf, "%llu\n",
			  (u64)(pgpu->vram_units - used) * MVGPU_VRAM_UNIT);
}
static DEVICE_ATTR_RO(vram_free_bytes);

static ssize_t engines_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%u\n", dev_to_pgpu(dev)->nr_engines);
}
static DEVICE_ATTR_RO(engines);

static ssize_t engines_shared_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	struct mvgpu_pgpu *pgpu = dev_to_pgpu(dev);
	unsigned int dedicated;

	mutex_lock(&pgpu->lock);
	dedicated = bitmap_weight(pgpu->engine_map, pgpu->nr_engines);
	mutex_unlock(&pgpu->lock);

	return sysfs_emit(buf, "%u\n", pgpu->nr_engines - dedicated);
}
static DEVICE_ATTR_RO(engines_shared);

static ssize_t vgpus_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct mvgpu_pgpu *pgpu = dev_to_pgpu(dev);
	unsigned int n;

	mutex_lock(&pgpu->lock);
	n = pgpu->nr_vgpus;
	mutex_unlock(&pgpu->lock);

	return sysfs_emit(buf, "%u\n", n);
}
static DEVICE_ATTR_RO(vgpus);

static struct attribute *mvgpu_pgpu_attrs[] = {
	&dev_attr_backend.attr,
	&dev_attr_vram_bytes.attr,
	&dev_attr_vram_free_bytes.attr,
	&dev_attr_engines.attr,
	&dev_attr_engines_shared.attr,
	&dev_attr_vgpus.attr,
	NULL,
};

static const struct attribute_group mvgpu_pgpu_group = {
	.attrs = mvgpu_pgpu_attrs,
};

const struct attribute_group *mvgpu_pgpu_groups[] = {
	&mvgpu_pgpu_group,
	NULL,
};

/* vGPU attributes live on the mdev device, whose drvdata is the vGPU. */

static ssize_t profile_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct mvgpu_vgpu *vgpu = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%s\n", vgpu->profile->sysfs_name);
}
static DEVICE_ATTR_RO(profile);

static ssize_t vgpu_vram_bytes_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	struct mvgpu_vgpu *vgpu = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%llu\n", vgpu->vram_size);
}

static struct device_attribute dev_attr_vgpu_vram_bytes =
	__ATTR(vram_bytes, 0444, vgpu_vram_bytes_show, NULL);

static ssize_t engine_mask_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct mvgpu_vgpu *vgpu = dev_get_drvdata(dev);

	return sysfs_emit(buf, "0x%lx\n", vgpu->engine_mask);
}
static DEVICE_ATTR_RO(engine_mask);

static struct attribute *mvgpu_vgpu_attrs[] = {
	&dev_attr_profile.attr,
	&dev_attr_vgpu_vram_bytes.attr,
	&dev_attr_engine_mask.attr,
	NULL,
};

static const struct attribute_group mvgpu_vgpu_group = {
	.name = MVGPU_NAME,
	.attrs = mvgpu_vgpu_attrs,
};

const struct attribute_group *mvgpu_vgpu_groups[] = {
	&mvgpu_vgpu_group,
	NULL,
};
