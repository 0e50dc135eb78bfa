/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvgpu core: which profiles a pGPU offers and how vGPUs fit into its
 * VRAM and engines, as pure logic (profile_fit.c).
 */
#ifndef _MVGPU_PROFILE_FIT_H
#define _MVGPU_PROFILE_FIT_H

#include <linux/types.h>

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

/* 3 time-sliced sizes and partitions of 1, 2, 4 and 8 engines. */
#define MVGPU_MAX_PROFILES	7

/**
 * struct mvgpu_profile_shape - what one profile takes
 * @kind: time-sliced or partitioned.
 * @vram_units: VRAM slice in %MVGPU_VRAM_UNIT units, a power of two.
 * @engines: dedicated engines (partitioned), else 0.
 */
struct mvgpu_profile_shape {
	enum mvgpu_profile_kind kind;
	unsigned int vram_units;
	unsigned int engines;
};

typedef long (*mvgpu_fit_t)(unsigned long *map, unsigned int total,
			    unsigned int size);

unsigned int mvgpu_profile_shapes(unsigned int vram_units,
				  unsigned int nr_engines,
				  struct mvgpu_profile_shape *shapes);
long mvgpu_vram_fit(unsigned long *map, unsigned int total,
		    unsigned int units);
long mvgpu_engine_fit(unsigned long *map, unsigned int total,
		      unsigned int engines);
unsigned int mvgpu_count_fits(unsigned long *map, unsigned int total,
			      unsigned int size, mvgpu_fit_t fit);

#endif /* _MVGPU_PROFILE_FIT_H */
