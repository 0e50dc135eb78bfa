// SPDX-License-Identifier: GPL-2.0
/*
 * mvgpu core: helpers for backends whose VRAM is one vmalloc area in the
 * kernel (mvgpu_sim's, and mvgpu_user's, which its engine server maps):
 * the page behind an offset, and clearing a range without holding the CPU.
 */
#include <linux/export.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include <mvgpu/backend.h>

/**
 * mvgpu_vmem_pfn() - the page frame behind an offset of vmalloc VRAM
 * @vram: the VRAM's vmalloc area.
 * @offset: a page-aligned offset inside it (the core has checked it).
 *
 * For &struct mvgpu_pgpu_ops.vram_pfn.
 *
 * Return: the page frame number.
 */
unsigned long mvgpu_vmem_pfn(void *vram, u64 offset)
{
	return vmalloc_to_pfn(vram + offset);
}
EXPORT_SYMBOL_GPL(mvgpu_vmem_pfn);

/**
 * mvgpu_vmem_clear() - zero a range of vmalloc VRAM
 * @vram: the VRAM's vmalloc area.
 * @size: its size in bytes.
 * @offset: start of the range.
 * @len: bytes in the range.
 *
 * For &struct mvgpu_pgpu_ops.vram_clear: in 1 MiB steps with a
 * cond_resched() between them, so that clearing a large slice stays
 * preemptible.  A range outside the area is a bug of the core: warned
 * about and ignored.
 *
 * Context: process context; may sleep.
 */
void mvgpu_vmem_clear(void *vram, u64 size, u64 offset, u64 len)
{
	u64 done, n;

	if (WARN_ON_ONCE(offset > size || len > size - offset))
		return;
	for (done = 0; done < len; done += n) {
		n = min_t(u64, len - done, SZ_1M);
		memset(vram + offset + done, 0, n);
		cond_resched();
	}
}
EXPORT_SYMBOL_GPL(mvgpu_vmem_clear);
