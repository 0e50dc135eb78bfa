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
 * VRAM is handed out in MVGPU_VRAM_UNIT units, each slice a power of two
 * aligned to its size (so BAR2 can be exactly the slice).  Allocation is
 * first fit over a bitmap, and available_instances replays that same first
 * fit on a copy of the bitmap: the number shown is exactly the number of
 * further vGPUs of the type that creation would accept right now.
 */
#include <linux/log2.h>
#include <linux/slab.h>

#include <mvgpu/backend.h>

#include "pgpu.h"
#include "profile.h"
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
	/* 3 time-sliced sizes, partitions of 1, 2, 4 ... engines. */
	unsigned int max = 3 + ilog2(MVGPU_MAX_ENGINES) + 1;
	unsigned int units, prev = 0, n = 0, e, i;

	pgpu->profiles = kcalloc(max, sizeof(*pgpu->profiles), GFP_KERNEL);
	if (!pgpu->profiles)
		return -ENOMEM;

	for (i = 8; i >= 2; i /= 2) {
		units = rounddown_pow_of_two(max(pgpu->vram_units / i, 1U));
		if (units == prev)
			continue;
		mvgpu_profile_fill(pgpu, &pgpu->profiles[n++],
				   MVGPU_PROFILE_TIMESLICED, units, 0);
		prev = units;
	}

	for (e = 1; e < pgpu->nr_engines; e *= 2) {
		units = pgpu->vram_units * e / pgpu->nr_engines;
		if (!units)
			continue;
		mvgpu_profile_fill(pgpu, &pgpu->profiles[n++],
				   MVGPU_PROFILE_PARTITIONED,
				   rounddown_pow_of_two(units), e);
	}

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

/* First fit of @units VRAM units aligned to their size; -1 if none. */
static long mvgpu_vram_fit(unsigned long *map, unsigned int total,
			   unsigned int units)
{
	unsigned long start;

	start = bitmap_find_next_zero_area(map, total, 0, units, units - 1);
	return start >= total ? -1 : start;
}

/* Partitions never take engine 0: it is the shared pool's. */
static long mvgpu_engine_fit(unsigned long *map, unsigned int total,
			     unsigned int engines)
{
	unsigned long start;

	start = bitmap_find_next_zero_area(map, total, 1, engines, 0);
	return start >= total ? -1 : start;
}

static unsigned int mvgpu_count_fits(unsigned long *map, unsigned int total,
				     unsigned int size,
				     long (*fit)(unsigned long *,
						 unsigned int, unsigned int))
{
	unsigned int count = 0;
	long start;

	while ((start = fit(map, total, size)) >= 0) {
		bitmap_set(map, start, size);
		count++;
	}
	return count;
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
