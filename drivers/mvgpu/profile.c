// SPDX-License-Identifier: GPL-2.0
/*
 * Profiles (mdev types) and the pGPU resources they consume.
 *
 * Every pGPU offers two kinds of profile, derived from its resources:
 *
 *   ts-<vram>          time-sliced: a VRAM slice of 1/8, 1/4 or 1/2 of the
 *                      pGPU, engine time shared by weight with every other
 *                      time-sliced vGPU and the host.
 *   part-<n>e-<vram>   partitioned: n dedicated engines and VRAM in the same
 *                      proportion (n/engines of the pGPU); no other context
 *                      runs on those engines.
 *
 * <vram> is the slice size, "64m" or "2g".  Engine 0 always stays in the
 * shared pool, so partitions can own at most engines 1..N-1.
 *
 * Which profiles a pGPU offers and how vGPUs fit into its VRAM and engines
 * is pure logic in profile_fit.c; this file turns it into mdev types and
 * takes and gives back the resources under pgpu->lock.
 */
#include <linux/log2.h>
#include <linux/slab.h>

#include <mvgpu/backend.h>

#include "pgpu.h"
#include "profile.h"
#include "profile_fit.h"
#include "sched.h"
#include "vgpu.h"

static void mvgpu_format_size(char *buf, size_t len, u64 bytes)
{
	if (bytes >= SZ_1G && !(bytes % SZ_1G))
		snprintf(buf, len, "%llug", bytes / SZ_1G);
	else
		snprintf(buf, len, "%llum", bytes / SZ_1M);
}

static void mvgpu_profile_fill(struct mvgpu_pgpu *pgpu,
			       struct mvgpu_profile *p,
			       enum mvgpu_profile_kind kind,
			       unsigned int vram_units, unsigned int engines)
{
	u64 bytes = (u64)vram_units * MVGPU_VRAM_UNIT;
	char size[16];

	p->pgpu = pgpu;
	p->kind = kind;
	p->vram_units = vram_units;
	p->engines = engines;
	p->id = ilog2(bytes >> 20);
	mvgpu_format_size(size, sizeof(size), bytes);

	if (kind == MVGPU_PROFILE_PARTITIONED) {
		p->id |= MVGPU_PROFILE_ID_PART | engines << 8;
		snprintf(p->sysfs_name, sizeof(p->sysfs_name), "part-%ue-%s",
			 engines, size);
		snprintf(p->pretty_name, sizeof(p->pretty_name),
			 "mvgpu partitioned %ue %s", engines, size);
	} else {
		snprintf(p->sysfs_name, sizeof(p->sysfs_name), "ts-%s", size);
		snprintf(p->pretty_name, sizeof(p->pretty_name),
			 "mvgpu time-sliced %s", size);
	}
	p->mtype.sysfs_name = p->sysfs_name;
	p->mtype.pretty_name = p->pretty_name;
}

/**
 * mvgpu_profiles_init() - build the profile table of a pGPU
 * @pgpu: a pGPU whose resources are filled in.
 *
 * Return: 0, or -ENOMEM.
 */
int mvgpu_profiles_init(struct mvgpu_pgpu *pgpu)
{
	struct mvgpu_profile_shape shapes[MVGPU_MAX_PROFILES];
	unsigned int n, i;

	n = mvgpu_profile_shapes(pgpu->vram_units, pgpu->nr_engines, shapes);
	pgpu->profiles = kcalloc(n, sizeof(*pgpu->profiles), GFP_KERNEL);
	if (!pgpu->profiles)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		mvgpu_profile_fill(pgpu, &pgpu->profiles[i], shapes[i].kind,
				   shapes[i].vram_units, shapes[i].engines);

	pgpu->mtypes = kcalloc(n, sizeof(*pgpu->mtypes), GFP_KERNEL);
	if (!pgpu->mtypes) {
		kfree(pgpu->profiles);
		pgpu->profiles = NULL;
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		pgpu->mtypes[i] = &pgpu->profiles[i].mtype;
	pgpu->nr_profiles = n;
	return 0;
}

/**
 * mvgpu_profiles_fini() - free what mvgpu_profiles_init() built
 * @pgpu: the pGPU, no longer an mdev parent.
 */
void mvgpu_profiles_fini(struct mvgpu_pgpu *pgpu)
{
	kfree(pgpu->mtypes);
	kfree(pgpu->profiles);
}

/**
 * mvgpu_profile_available() - the mdev core's get_available callback
 * @mtype: a type of one of our pGPUs.
 *
 * Return: how many more vGPUs of @mtype can be created now.
 */
unsigned int mvgpu_profile_available(struct mdev_type *mtype)
{
	struct mvgpu_profile *p = mtype_to_profile(mtype);
	struct mvgpu_pgpu *pgpu = p->pgpu;
	DECLARE_BITMAP(vram, MVGPU_MAX_VRAM_UNITS);
	DECLARE_BITMAP(engines, MVGPU_MAX_ENGINES);
	unsigned int n;

	mutex_lock(&pgpu->lock);
	bitmap_copy(vram, pgpu->vram_map, MVGPU_MAX_VRAM_UNITS);
	bitmap_copy(engines, pgpu->engine_map, MVGPU_MAX_ENGINES);
	mutex_unlock(&pgpu->lock);

	n = mvgpu_count_fits(vram, pgpu->vram_units, p->vram_units,
			     mvgpu_vram_fit);
	if (p->kind == MVGPU_PROFILE_PARTITIONED)
		n = min(n, mvgpu_count_fits(engines, pgpu->nr_engines,
					    p->engines, mvgpu_engine_fit));
	return n;
}

/**
 * mvgpu_profile_description() - the mdev core's show_description callback
 * @mtype: a type of one of our pGPUs.
 * @buf: sysfs page buffer.
 *
 * Return: bytes written to @buf.
 */
ssize_t mvgpu_profile_description(struct mdev_type *mtype, char *buf)
{
	struct mvgpu_profile *p = mtype_to_profile(mtype);
	u64 vram = (u64)p->vram_units * MVGPU_VRAM_UNIT;

	if (p->kind == MVGPU_PROFILE_PARTITIONED)
		return sysfs_emit(buf,
				  "partitioned: vram=%llu MiB, engines=%u dedicated, profile=0x%04x\n",
				  vram >> 20, p->engines, p->id);
	return sysfs_emit(buf,
			  "time-sliced: vram=%llu MiB, engines=%u shared, profile=0x%04x\n",
			  vram >> 20, p->pgpu->nr_engines, p->id);
}

/**
 * mvgpu_resources_reserve() - take a vGPU's VRAM slice and engines
 * @vgpu: a vGPU being created; ->pgpu and ->profile set.
 *
 * Fills in ->vram_base, ->vram_size and ->engine_mask.
 * Return: 0, -ENOSPC when the pGPU cannot fit another vGPU of this
 * profile (available_instances is 0), or -EHOSTDOWN when the pGPU is
 * offline (its engine server is gone; see online.c).
 */
int mvgpu_resources_reserve(struct mvgpu_vgpu *vgpu)
{
	const struct mvgpu_profile *p = vgpu->profile;
	struct mvgpu_pgpu *pgpu = vgpu->pgpu;
	long vram, engine = -1;
	int ret = -ENOSPC;

	mutex_lock(&pgpu->lock);
	if (pgpu->offline) {
		ret = -EHOSTDOWN;
		goto out_unlock;
	}
	vram = mvgpu_vram_fit(pgpu->vram_map, pgpu->vram_units, p->vram_units);
	if (vram < 0)
		goto out_unlock;
	if (p->kind == MVGPU_PROFILE_PARTITIONED) {
		engine = mvgpu_engine_fit(pgpu->engine_map, pgpu->nr_engines,
					  p->engines);
		if (engine < 0)
			goto out_unlock;
		bitmap_set(pgpu->engine_map, engine, p->engines);
		vgpu->engine_mask = GENMASK(engine + p->engines - 1, engine);
		mvgpu_sched_set_owner(pgpu, vgpu->engine_mask, vgpu);
	}
	bitmap_set(pgpu->vram_map, vram, p->vram_units);
	pgpu->nr_vgpus++;
	list_add_tail(&vgpu->pgpu_node, &pgpu->ctxs);
	ret = 0;
out_unlock:
	mutex_unlock(&pgpu->lock);
	if (ret)
		return ret;

	vgpu->vram_base = (u64)vram * MVGPU_VRAM_UNIT;
	vgpu->vram_size = (u64)p->vram_units * MVGPU_VRAM_UNIT;
	return 0;
}

/**
 * mvgpu_resources_release() - give back what mvgpu_resources_reserve() took
 * @vgpu: the vGPU; its queues stopped and its VRAM slice cleared.
 */
void mvgpu_resources_release(struct mvgpu_vgpu *vgpu)
{
	struct mvgpu_pgpu *pgpu = vgpu->pgpu;
	unsigned long bit;

	mutex_lock(&pgpu->lock);
	bitmap_clear(pgpu->vram_map, vgpu->vram_base / MVGPU_VRAM_UNIT,
		     vgpu->profile->vram_units);
	mvgpu_sched_set_owner(pgpu, vgpu->engine_mask, NULL);
	for_each_set_bit(bit, &vgpu->engine_mask, MVGPU_MAX_ENGINES)
		clear_bit(bit, pgpu->engine_map);
	pgpu->nr_vgpus--;
	list_del(&vgpu->pgpu_node);
	mutex_unlock(&pgpu->lock);
}
