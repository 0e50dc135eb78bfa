/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for the <linux/bitmap.h> calls of the driver's pure
 * logic (tests/unit): the kernel's semantics, written plainly.
 */
#ifndef _MVGPU_UNIT_LINUX_BITMAP_H
#define _MVGPU_UNIT_LINUX_BITMAP_H

#include <linux/kernel.h>

#define BITS_PER_LONG		(8 * sizeof(long))
#define BITS_TO_LONGS(n)	(((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define DECLARE_BITMAP(name, bits)	unsigned long name[BITS_TO_LONGS(bits)]

static inline int unit_test_bit(const unsigned long *map, unsigned long bit)
{
	return (map[bit / BITS_PER_LONG] >> (bit % BITS_PER_LONG)) & 1;
}

static inline void bitmap_set(unsigned long *map, unsigned int start,
			      unsigned int nr)
{
	for (; nr; nr--, start++)
		map[start / BITS_PER_LONG] |= 1ul << (start % BITS_PER_LONG);
}

static inline void bitmap_clear(unsigned long *map, unsigned int start,
				unsigned int nr)
{
	for (; nr; nr--, start++)
		map[start / BITS_PER_LONG] &= ~(1ul << (start % BITS_PER_LONG));
}

/*
 * The first area of @nr clear bits at or after @start whose index is a
 * multiple of @align_mask + 1; a value above @size - @nr if there is none
 * (lib/bitmap.c, bitmap_find_next_zero_area_off() with no offset).
 */
static inline unsigned long
bitmap_find_next_zero_area(unsigned long *map, unsigned long size,
			   unsigned long start, unsigned int nr,
			   unsigned long align_mask)
{
	unsigned long index, end, i;

	for (;;) {
		while (start < size && unit_test_bit(map, start))
			start++;
		index = (start + align_mask) & ~align_mask;
		end = index + nr;
		if (end > size)
			return end;
		for (i = index; i < end; i++)
			if (unit_test_bit(map, i))
				break;
		if (i == end)
			return index;
		start = i + 1;
	}
}

#endif /* _MVGPU_UNIT_LINUX_BITMAP_H */
