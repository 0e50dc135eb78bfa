// SPDX-License-Identifier: GPL-2.0
/*
 * Profile fitting: which profiles a pGPU of a given size offers, and where
 * a vGPU of a profile goes in the pGPU's VRAM and engines.  Pure logic on
 * sizes and bitmaps, no locks (profile.c holds pgpu->lock around it), so
 * the user-space unit tests (tests/unit) compile this file as it is.
 *
 * VRAM is handed out in MVGPU_VRAM_UNIT units, each slice a power of two
 * aligned to its size (so BAR2 can be exactly the slice).  Allocation is
 * first fit over a bitmap, and available_instances replays that same first
 * fit on a copy of the bitmap (mvgpu_count_fits()): the number shown is
 * exactly the number of further vGPUs of the type creation would accept.
 */
#include <linux/bitmap.h>
#include <linux/build_bug.h>
#include <linux/log2.h>
#include <linux/minmax.h>

#include <mvgpu/backend.h>

#include "profile_fit.h"

/* Partitions have 1, 2, 4 ... engines, fewer than the pGPU's. */
static_assert(MVGPU_MAX_PROFILES >= 3 + 4 && MVGPU_MAX_ENGINES <= 16,
	      "MVGPU_MAX_PROFILES: 3 time-sliced, up to 4 partitioned");

/**
 * mvgpu_profile_shapes() - the profiles of a pGPU
 * @vram_units: its VRAM in %MVGPU_VRAM_UNIT units, at least 1.
 * @nr_engines: its engines, 1 to %MVGPU_MAX_ENGINES.
 * @shapes: out: up to %MVGPU_MAX_PROFILES profiles, time-sliced ones first,
 *	smallest first.
 *
 * Time-sliced: 1/8, 1/4 and 1/2 of the VRAM rounded down to a power of
 * two, without repeats.  Partitioned: 1, 2, 4 ... engines, fewer than the
 * pGPU has (engine 0 stays in the shared pool), each with the same share
 * of the VRAM rounded down to a power of two, if that is at least a unit.
 *
 * Return: the number of profiles.
 */
unsigned int mvgpu_profile_shapes(unsigned int vram_units,
				  unsigned int nr_engines,
				  struct mvgpu_profile_shape *shapes)
{
	unsigned int units, prev = 0, n = 0, e, i;

	for (i = 8; i >= 2; i /= 2) {
		units = rounddown_pow_of_two(max(vram_units / i, 1U));
		if (units == prev)
			continue;
		shapes[n++] = (struct mvgpu_profile_shape){
			MVGPU_PROFILE_TIMESLICED, units, 0 };
		prev = units;
	}

	for (e = 1; e < nr_engines; e *= 2) {
		units = vram_units * e / nr_engines;
		if (!units)
			continue;
		shapes[n++] = (struct mvgpu_profile_shape){
			MVGPU_PROFILE_PARTITIONED, rounddown_pow_of_two(units),
			e };
	}
	return n;
}

/**
 * mvgpu_vram_fit() - first fit of a VRAM slice
 * @map: allocated VRAM units.
 * @total: units of the pGPU.
 * @units: the slice, a power of two; it is aligned to its size.
 *
 * Return: the first unit of the slice, or -1 if none fits.
 */
long mvgpu_vram_fit(unsigned long *map, unsigned int total,
		    unsigned int units)
{
	unsigned long start;

	start = bitmap_find_next_zero_area(map, total, 0, units, units - 1);
	return start >= total ? -1 : start;
}

/**
 * mvgpu_engine_fit() - first fit of a partition's engines
 * @map: dedicated engines.
 * @total: engines of the pGPU.
 * @engines: engines of the partition.
 *
 * Partitions never take engine 0: it is the shared pool's.
 *
 * Return: the first engine of the partition, or -1 if none fits.
 */
long mvgpu_engine_fit(unsigned long *map, unsigned int total,
		      unsigned int engines)
{
	unsigned long start;

	start = bitmap_find_next_zero_area(map, total, 1, engines, 0);
	return start >= total ? -1 : start;
}

/**
 * mvgpu_count_fits() - how many more of one size fit
 * @map: a copy of the allocation bitmap; filled in as it counts.
 * @total: bits of the bitmap in use.
 * @size: bits each one takes.
 * @fit: mvgpu_vram_fit() or mvgpu_engine_fit().
 *
 * Return: the number of further allocations @fit would make.
 */
unsigned int mvgpu_count_fits(unsigned long *map, unsigned int total,
			      unsigned int size, mvgpu_fit_t fit)
{
	unsigned int count = 0;
	long start;

	while ((start = fit(map, total, size)) >= 0) {
		bitmap_set(map, start, size);
		count++;
	}
	return count;
}
