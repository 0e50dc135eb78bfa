/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvgpu core: vGPU profiles (mdev types) and the pGPU resources a vGPU
 * of a profile takes (profile.c).
 */
#ifndef _MVGPU_PROFILE_H
#define _MVGPU_PROFILE_H

#include <linux/mdev.h>
#include <linux/types.h>

struct mvgpu_pgpu;
struct mvgpu_vgpu;

/**
 * enum mvgpu_profile_kind - how a profile gets its engine time
 * @MVGPU_PROFILE_TIMESLICED: shares the pGPU's engine pool by weight.
 * @MVGPU_PROFILE_PARTITIONED: owns dedicated engines; no other context
 *	ever runs on them.
 */
enum mvgpu_profile_kind {
	MVGPU_PROFILE_TIMESLICED,
	MVGPU_PROFILE_PARTITIONED,
};

/**
 * struct mvgpu_profile - one vGPU type of a pGPU
 * @mtype: the mdev core's view of the type.
 * @pgpu: the pGPU the type belongs to.
 * @sysfs_name: directory suffix, "ts-64m" or "part-1e-128m".
 * @pretty_name: the type's "name" attribute.
 * @id: profile number: PCI subsystem ID and MVGPU_REG_PROFILE bits 15:0.
 * @kind: time-sliced or partitioned.
 * @vram_units: VRAM slice in %MVGPU_VRAM_UNIT units, a power of two.
 * @engines: engines the vGPU owns (partitioned) or may use (time-sliced).
 */
struct mvgpu_profile {
	struct mdev_type mtype;
	struct mvgpu_pgpu *pgpu;
	char sysfs_name[24];
	char pretty_name[64];
	u16 id;
	enum mvgpu_profile_kind kind;
	unsigned int vram_units;
	unsigned int engines;
};

static inline struct mvgpu_profile *mtype_to_profile(struct mdev_type *mtype)
{
	return container_of(mtype, struct mvgpu_profile, mtype);
}

int mvgpu_profiles_init(struct mvgpu_pgpu *pgpu);
void mvgpu_profiles_fini(struct mvgpu_pgpu *pgpu);
unsigned int mvgpu_profile_available(struct mdev_type *mtype);
ssize_t mvgpu_profile_description(struct mdev_type *mtype, char *buf);
int mvgpu_resources_reserve(struct mvgpu_vgpu *vgpu);
void mvgpu_resources_release(struct mvgpu_vgpu *vgpu);

#endif /* _MVGPU_PROFILE_H */
