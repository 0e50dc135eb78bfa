// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of profile fitting: drivers/mvgpu/profile_fit.c, compiled in
 * user space.  The profiles a pGPU offers (the manual, section 1; the
 * administrator's guide), first fit of aligned VRAM slices and of
 * partitions' engines, and available_instances counting exactly what
 * creation would accept.
 */
#include <linux/bitmap.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"

#include "profile_fit.h"

#define TS	MVGPU_PROFILE_TIMESLICED
#define PART	MVGPU_PROFILE_PARTITIONED

/* mvgpu_sim's default pGPU: 256 MiB (16 units), 4 engines. */
TEST(default_sim_profiles)
{
	static const struct mvgpu_profile_shape want[] = {
		{ TS, 2, 0 }, { TS, 4, 0 }, { TS, 8, 0 },	/* ts-32m..128m */
		{ PART, 4, 1 }, { PART, 8, 2 },		/* part-1e-64m, 2e-128m */
	};
	struct mvgpu_profile_shape got[MVGPU_MAX_PROFILES];
	unsigned int i;

	ASSERT_EQ(ARRAY_SIZE(want), mvgpu_profile_shapes(16, 4, got));
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		EXPECT_EQ(want[i].kind, got[i].kind);
		EXPECT_EQ(want[i].vram_units, got[i].vram_units);
		EXPECT_EQ(want[i].engines, got[i].engines);
	}
}

TEST(smallest_and_largest_pgpu)
{
	struct mvgpu_profile_shape got[MVGPU_MAX_PROFILES];

	/* One unit, one engine: ts-16m only, no partition. */
	ASSERT_EQ(1, mvgpu_profile_shapes(1, 1, got));
	EXPECT_EQ(TS, got[0].kind);
	EXPECT_EQ(1, got[0].vram_units);
	/* 4 GiB, 16 engines: three time-sliced, partitions of 1 to 8. */
	ASSERT_EQ(MVGPU_MAX_PROFILES, mvgpu_profile_shapes(256, 16, got));
	EXPECT_EQ(32, got[0].vram_units);
	EXPECT_EQ(128, got[2].vram_units);
	EXPECT_EQ(8, got[6].engines);
	EXPECT_EQ(128, got[6].vram_units);
}

/* Every pGPU size: powers of two that fit, never too many profiles. */
TEST(every_pgpu_size)
{
	struct mvgpu_profile_shape got[MVGPU_MAX_PROFILES + 1];
	unsigned int units, engines, n, i;

	for (units = 1; units <= 256; units++)
		for (engines = 1; engines <= 16; engines++) {
			n = mvgpu_profile_shapes(units, engines, got);
			ASSERT_GE(MVGPU_MAX_PROFILES, n);
			ASSERT_LE(1, n);
			for (i = 0; i < n; i++) {
				unsigned int u = got[i].vram_units;

				EXPECT_EQ(0, u & (u - 1));
				EXPECT_GE(units, u);
				if (got[i].kind == PART) {
					EXPECT_GT(engines, got[i].engines);
					EXPECT_GE(units * got[i].engines,
						  u * engines);
				}
			}
		}
}

TEST(vram_first_fit_is_aligned)
{
	unsigned long map[4] = {};

	bitmap_set(map, 0, 1);
	EXPECT_EQ(1, mvgpu_vram_fit(map, 16, 1));
	EXPECT_EQ(2, mvgpu_vram_fit(map, 16, 2));
	EXPECT_EQ(4, mvgpu_vram_fit(map, 16, 4));
	EXPECT_EQ(8, mvgpu_vram_fit(map, 16, 8));
	EXPECT_EQ(-1, mvgpu_vram_fit(map, 16, 16));
	bitmap_set(map, 9, 1);
	EXPECT_EQ(-1, mvgpu_vram_fit(map, 16, 8));
	EXPECT_EQ(2, mvgpu_vram_fit(map, 16, 2));
	bitmap_set(map, 2, 6);
	EXPECT_EQ(1, mvgpu_vram_fit(map, 16, 1));
	EXPECT_EQ(10, mvgpu_vram_fit(map, 16, 2));	/* not 8: 9 is taken */
	EXPECT_EQ(12, mvgpu_vram_fit(map, 16, 4));
}

TEST(engine_zero_is_never_dedicated)
{
	unsigned long map[1] = {};

	EXPECT_EQ(1, mvgpu_engine_fit(map, 4, 1));
	EXPECT_EQ(1, mvgpu_engine_fit(map, 4, 2));
	EXPECT_EQ(1, mvgpu_engine_fit(map, 4, 3));
	EXPECT_EQ(-1, mvgpu_engine_fit(map, 4, 4));
	bitmap_set(map, 1, 2);
	EXPECT_EQ(3, mvgpu_engine_fit(map, 4, 1));
	EXPECT_EQ(-1, mvgpu_engine_fit(map, 4, 2));
}

/*
 * available_instances replays first fit on a copy: after any history of
 * creations and removals, the count equals the number of creations that
 * then succeed.
 */
TEST(count_equals_what_creation_accepts)
{
	static const unsigned int sizes[] = { 1, 2, 4, 8 };
	unsigned int round, step;

	srandom(17);
	for (round = 0; round < 2000; round++) {
		unsigned long map[4] = {}, copy[4];
		unsigned int total = 1 + random() % 64, size, count, made = 0;
		long at;

		for (step = 0; step < 20; step++) {
			size = sizes[random() % 4];
			if (random() % 3) {
				at = mvgpu_vram_fit(map, total, size);
				if (at >= 0)
					bitmap_set(map, at, size);
			} else {
				bitmap_clear(map, random() % total, 1 + random() % 4);
			}
		}
		size = sizes[random() % 4];
		memcpy(copy, map, sizeof(map));
		count = mvgpu_count_fits(copy, total, size, mvgpu_vram_fit);
		while ((at = mvgpu_vram_fit(map, total, size)) >= 0) {
			ASSERT_GE(total, at + size);
			bitmap_set(map, at, size);
			made++;
		}
		ASSERT_EQ(made, count);
	}
}

TEST_HARNESS_MAIN
