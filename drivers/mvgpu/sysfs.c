// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs attributes of pGPUs (/sys/class/mvgpu/mvgpu<N>/) and vGPUs
 * (/sys/bus/mdev/devices/<uuid>/mvgpu/ and .../mvgpu_stats/).
 *
 * Read-only attributes describe resources and counters, never guest data,
 * and are world-readable.  The scheduling controls (weight, cap,
 * timeslice_us) are writable by root only; a write takes effect at the
 * next scheduling decision, and a bad value fails with -EINVAL and leaves
 * the old one.  mdevctl sets them with --addattr=mvgpu/weight etc.
 */
#include <linux/bitmap.h>
#include <linux/math64.h>
#include <linux/sysfs.h>

#include <mvgpu/backend.h>

#include "display.h"
#include "dma.h"
#include "main.h"
#include "migrate.h"
#include "pgpu.h"
#include "profile.h"
#include "queue.h"
#include "sched.h"
#include "online.h"
#include "sysfs.h"
#include "vgpu.h"

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

static ssize_t engine_busy_ns_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	struct mvgpu_pgpu *pgpu = dev_to_pgpu(dev);
	unsigned int i;
	int len = 0;

	for (i = 0; i < pgpu->nr_engines; i++)
		len += sysfs_emit_at(buf, len, "%s%llu", i ? " " : "",
				     READ_ONCE(pgpu->sched.engines[i].busy_ns));
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}
static DEVICE_ATTR_RO(engine_busy_ns);

static struct attribute *mvgpu_pgpu_attrs[] = {
	&dev_attr_backend.attr,
	&dev_attr_vram_bytes.attr,
	&dev_attr_vram_free_bytes.attr,
	&dev_attr_engines.attr,
	&dev_attr_engines_shared.attr,
	&dev_attr_vgpus.attr,
	&dev_attr_engine_busy_ns.attr,
	NULL,
};

static const struct attribute_group mvgpu_pgpu_group = {
	.attrs = mvgpu_pgpu_attrs,
};

const struct attribute_group *mvgpu_pgpu_groups[] = {
	&mvgpu_pgpu_group,
	&mvgpu_pgpu_online_group,
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

static ssize_t migration_state_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  mvgpu_mig_state_name(dev_get_drvdata(dev)));
}
static DEVICE_ATTR_RO(migration_state);

static ssize_t display_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return mvgpu_disp_status_show(dev_get_drvdata(dev), buf);
}
static DEVICE_ATTR_RO(display);

static ssize_t display_mode_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	return mvgpu_disp_mode_show(dev_get_drvdata(dev), buf);
}

static ssize_t display_mode_store(struct device *dev,
				  struct device_attribute *attr,
				  const char *buf, size_t count)
{
	int ret = mvgpu_disp_mode_store(dev_get_drvdata(dev), buf);

	return ret ? ret : count;
}
static DEVICE_ATTR_RW(display_mode);

/*
 * The runtime knobs: weight, cap and timeslice_us.  One show and one store
 * serve all three; the table gives each its range.  Each takes effect at
 * the scheduler's next decision (it reads them with READ_ONCE()).
 */
enum mvgpu_knob { MVGPU_KNOB_WEIGHT, MVGPU_KNOB_CAP, MVGPU_KNOB_TIMESLICE_US };

struct mvgpu_knob_attr {
	struct device_attribute attr;
	enum mvgpu_knob knob;
	unsigned int min;
	unsigned int max;
};

static unsigned int mvgpu_knob_get(struct mvgpu_vgpu *vgpu, enum mvgpu_knob k)
{
	switch (k) {
	case MVGPU_KNOB_WEIGHT:
		return READ_ONCE(vgpu->weight);
	case MVGPU_KNOB_CAP:
		return READ_ONCE(vgpu->cap);
	default:
		return div_u64(READ_ONCE(vgpu->timeslice_ns), NSEC_PER_USEC);
	}
}

static void mvgpu_knob_set(struct mvgpu_vgpu *vgpu, enum mvgpu_knob k,
			   unsigned int val)
{
	switch (k) {
	case MVGPU_KNOB_WEIGHT:
		WRITE_ONCE(vgpu->weight, val);
		break;
	case MVGPU_KNOB_CAP:
		WRITE_ONCE(vgpu->cap, val);
		break;
	default:
		WRITE_ONCE(vgpu->timeslice_ns, (u64)val * NSEC_PER_USEC);
		break;
	}
}

static ssize_t mvgpu_knob_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct mvgpu_knob_attr *ka = container_of(attr, struct mvgpu_knob_attr,
						  attr);

	return sysfs_emit(buf, "%u\n", mvgpu_knob_get(dev_get_drvdata(dev),
						      ka->knob));
}

/* A decimal in [min, max]; anything else is -EINVAL, old value kept. */
static ssize_t mvgpu_knob_store(struct device *dev,
				struct device_attribute *attr, const char *buf,
				size_t count)
{
	struct mvgpu_knob_attr *ka = container_of(attr, struct mvgpu_knob_attr,
						  attr);
	unsigned int val;

	if (kstrtouint(buf, 10, &val) || val < ka->min || val > ka->max)
		return -EINVAL;
	mvgpu_knob_set(dev_get_drvdata(dev), ka->knob, val);
	return count;
}

#define MVGPU_KNOB(_name, _knob, _min, _max)				\
	static struct mvgpu_knob_attr mvgpu_knob_##_name = {		\
		.attr = __ATTR(_name, 0644, mvgpu_knob_show,		\
			       mvgpu_knob_store),			\
		.knob = _knob,						\
		.min = _min,						\
		.max = _max,						\
	}

MVGPU_KNOB(weight, MVGPU_KNOB_WEIGHT, 1, MVGPU_WEIGHT_MAX);
MVGPU_KNOB(cap, MVGPU_KNOB_CAP, 0, 100);
MVGPU_KNOB(timeslice_us, MVGPU_KNOB_TIMESLICE_US, MVGPU_TIMESLICE_MIN_US,
	   MVGPU_TIMESLICE_MAX_US);

static struct attribute *mvgpu_vgpu_attrs[] = {
	&dev_attr_profile.attr,
	&dev_attr_vgpu_vram_bytes.attr,
	&dev_attr_engine_mask.attr,
	&dev_attr_migration_state.attr,
	&dev_attr_display.attr,
	&dev_attr_display_mode.attr,
	&mvgpu_knob_weight.attr.attr,
	&mvgpu_knob_cap.attr.attr,
	&mvgpu_knob_timeslice_us.attr.attr,
	NULL,
};

static const struct attribute_group mvgpu_vgpu_group = {
	.name = MVGPU_NAME,
	.attrs = mvgpu_vgpu_attrs,
};

/*
 * Statistics: one counter per file, summed over the vGPU's queues.  The
 * table maps each file to where its value comes from.
 */
enum mvgpu_stat_src {
	MVGPU_STAT_QUEUE, MVGPU_STAT_VGPU, MVGPU_STAT_DMA, MVGPU_STAT_DISP,
};

struct mvgpu_stat_attr {
	struct device_attribute attr;
	enum mvgpu_stat_src src;
	size_t offset;
};

static ssize_t mvgpu_stat_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct mvgpu_stat_attr *sa = container_of(attr, struct mvgpu_stat_attr,
						  attr);
	struct mvgpu_vgpu *vgpu = dev_get_drvdata(dev);
	struct mvgpu_queue_stats sum;
	u64 val;

	switch (sa->src) {
	case MVGPU_STAT_QUEUE:
		mvgpu_queue_stats_sum(vgpu, &sum);
		val = *(u64 *)((u8 *)&sum + sa->offset);
		break;
	case MVGPU_STAT_DMA:
		val = READ_ONCE(*(u64 *)((u8 *)&vgpu->dma + sa->offset));
		break;
	case MVGPU_STAT_DISP:
		val = READ_ONCE(*(u64 *)((u8 *)&vgpu->disp + sa->offset));
		break;
	default:
		val = READ_ONCE(*(u64 *)((u8 *)&vgpu->stats + sa->offset));
		break;
	}
	return sysfs_emit(buf, "%llu\n", val);
}

#define MVGPU_STAT(_name, _src, _type, _field)				\
	static struct mvgpu_stat_attr mvgpu_stat_##_name = {		\
		.attr = __ATTR(_name, 0444, mvgpu_stat_show, NULL),	\
		.src = _src,						\
		.offset = offsetof(_type, _field),			\
	}

MVGPU_STAT(submissions, MVGPU_STAT_QUEUE, struct mvgpu_queue_stats, submissions);
MVGPU_STAT(completions, MVGPU_STAT_QUEUE, struct mvgpu_queue_stats, commands);
MVGPU_STAT(fences, MVGPU_STAT_QUEUE, struct mvgpu_queue_stats, fences);
MVGPU_STAT(busy_ns, MVGPU_STAT_QUEUE, struct mvgpu_queue_stats, busy_ns);
MVGPU_STAT(context_switches, MVGPU_STAT_QUEUE, struct mvgpu_queue_stats, runs);
MVGPU_STAT(preemptions, MVGPU_STAT_QUEUE, struct mvgpu_queue_stats, preemptions);
MVGPU_STAT(queue_wait_ns, MVGPU_STAT_QUEUE, struct mvgpu_queue_stats, wait_ns);
MVGPU_STAT(queue_wait_max_ns, MVGPU_STAT_QUEUE, struct mvgpu_queue_stats,
	   wait_max_ns);
MVGPU_STAT(doorbells, MVGPU_STAT_VGPU, struct mvgpu_stats, doorbells);
MVGPU_STAT(irqs, MVGPU_STAT_VGPU, struct mvgpu_stats, irqs);
MVGPU_STAT(irqs_coalesced, MVGPU_STAT_VGPU, struct mvgpu_stats,
	   irqs_coalesced);
MVGPU_STAT(errors, MVGPU_STAT_VGPU, struct mvgpu_stats, errors);
MVGPU_STAT(resets, MVGPU_STAT_VGPU, struct mvgpu_stats, resets);
MVGPU_STAT(vram_cleared_bytes, MVGPU_STAT_VGPU, struct mvgpu_stats,
	   vram_cleared_bytes);
MVGPU_STAT(vram_clear_wait_ns, MVGPU_STAT_VGPU, struct mvgpu_stats,
	   vram_clear_wait_ns);
MVGPU_STAT(migrations_out, MVGPU_STAT_VGPU, struct mvgpu_stats, mig_out);
MVGPU_STAT(migrations_in, MVGPU_STAT_VGPU, struct mvgpu_stats, mig_in);
MVGPU_STAT(migration_bytes_out, MVGPU_STAT_VGPU, struct mvgpu_stats,
	   mig_bytes_out);
MVGPU_STAT(migration_bytes_in, MVGPU_STAT_VGPU, struct mvgpu_stats,
	   mig_bytes_in);
MVGPU_STAT(dma_pinned_pages, MVGPU_STAT_DMA, struct mvgpu_dma_cache,
	   nr_pinned);
MVGPU_STAT(dma_pins, MVGPU_STAT_DMA, struct mvgpu_dma_cache, pins);
MVGPU_STAT(dma_unmaps, MVGPU_STAT_DMA, struct mvgpu_dma_cache, unmaps);
MVGPU_STAT(display_scanouts, MVGPU_STAT_DISP, struct mvgpu_disp, scanouts);
MVGPU_STAT(display_scanout_ns, MVGPU_STAT_DISP, struct mvgpu_disp,
	   scanout_ns);

static struct attribute *mvgpu_stats_attrs[] = {
	&mvgpu_stat_submissions.attr.attr,
	&mvgpu_stat_completions.attr.attr,
	&mvgpu_stat_fences.attr.attr,
	&mvgpu_stat_busy_ns.attr.attr,
	&mvgpu_stat_context_switches.attr.attr,
	&mvgpu_stat_preemptions.attr.attr,
	&mvgpu_stat_queue_wait_ns.attr.attr,
	&mvgpu_stat_queue_wait_max_ns.attr.attr,
	&mvgpu_stat_doorbells.attr.attr,
	&mvgpu_stat_irqs.attr.attr,
	&mvgpu_stat_irqs_coalesced.attr.attr,
	&mvgpu_stat_errors.attr.attr,
	&mvgpu_stat_resets.attr.attr,
	&mvgpu_stat_vram_cleared_bytes.attr.attr,
	&mvgpu_stat_vram_clear_wait_ns.attr.attr,
	&mvgpu_stat_migrations_out.attr.attr,
	&mvgpu_stat_migrations_in.attr.attr,
	&mvgpu_stat_migration_bytes_out.attr.attr,
	&mvgpu_stat_migration_bytes_in.attr.attr,
	&mvgpu_stat_dma_pinned_pages.attr.attr,
	&mvgpu_stat_dma_pins.attr.attr,
	&mvgpu_stat_dma_unmaps.attr.attr,
	&mvgpu_stat_display_scanouts.attr.attr,
	&mvgpu_stat_display_scanout_ns.attr.attr,
	NULL,
};

static const struct attribute_group mvgpu_stats_group = {
	.name = "mvgpu_stats",
	.attrs = mvgpu_stats_attrs,
};

const struct attribute_group *mvgpu_vgpu_groups[] = {
	&mvgpu_vgpu_group,
	&mvgpu_stats_group,
	NULL,
};
