// SPDX-License-Identifier: GPL-2.0
/*
 * mvgpu_user VRAM: kernel-owned host memory in ordinary pages.
 *
 * VRAM and the descriptor pages are vmalloc_user() memory.  The core
 * reads, writes, clears and maps VRAM through the ops below exactly as it
 * does mvgpu_sim's; the engine server maps the same pages with
 * remap_vmalloc_range(), which inserts them one by one (vm_insert_page()),
 * not as a PFN map, so that a GPU driver can import the server's mapping
 * (VK_EXT_external_memory_host) and pin its pages.  The descriptor pages
 * are mapped read-only.  Pages stay allocated while anyone maps them: a
 * mapping holds its own page references.
 */
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "user.h"

/**
 * mvu_vram_alloc() - allocate a pGPU's VRAM and descriptor pages
 * @gpu: the pGPU, with @vram_size and @nr_engines set.
 *
 * Return: 0 or -ENOMEM.
 */
int mvu_vram_alloc(struct mvu_gpu *gpu)
{
	gpu->vram = vmalloc_user(gpu->vram_size);
	if (!gpu->vram)
		return -ENOMEM;
	gpu->descs = vmalloc_user((size_t)gpu->nr_engines * PAGE_SIZE);
	if (!gpu->descs) {
		vfree(gpu->vram);
		gpu->vram = NULL;
		return -ENOMEM;
	}
	return 0;
}

/**
 * mvu_vram_free() - free what mvu_vram_alloc() allocated
 * @gpu: the pGPU, unregistered from the core.
 */
void mvu_vram_free(struct mvu_gpu *gpu)
{
	vfree(gpu->descs);
	vfree(gpu->vram);
}

/**
 * mvu_mmap() - map VRAM or the descriptor pages into an engine server
 * @gpu: the pGPU the file is attached to.
 * @vma: the mapping: at MVGPU_ENGINE_MMAP_VRAM shared and at most the
 *	VRAM's size, or at MVGPU_ENGINE_MMAP_DESC read-only and at most
 *	the descriptor pages' size.
 *
 * Return: 0, -EINVAL for a bad offset, size or VRAM mapping that is not
 * shared, or -EPERM for a writable descriptor mapping.
 */
int mvu_mmap(struct mvu_gpu *gpu, struct vm_area_struct *vma)
{
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	u64 len = vma->vm_end - vma->vm_start;
	u64 desc_size = (u64)gpu->nr_engines * PAGE_SIZE;

	if (off >= MVGPU_ENGINE_MMAP_DESC) {
		off -= MVGPU_ENGINE_MMAP_DESC;
		if (off > desc_size || len > desc_size - off)
			return -EINVAL;
		if (vma->vm_flags & VM_WRITE)
			return -EPERM;
		mvgpu_vm_flags_clear(vma, VM_MAYWRITE);
		return remap_vmalloc_range(vma, gpu->descs, off >> PAGE_SHIFT);
	}
	if (off > gpu->vram_size || len > gpu->vram_size - off)
		return -EINVAL;
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	return remap_vmalloc_range(vma, gpu->vram, off >> PAGE_SHIFT);
}

static int mvu_vram_rw(struct mvgpu_pgpu *pgpu, u64 offset, void *buf,
		       size_t len, bool write)
{
	struct mvu_gpu *gpu = mvgpu_pgpu_priv(pgpu);

	if (WARN_ON_ONCE(offset > gpu->vram_size ||
			 len > gpu->vram_size - offset))
		return -EINVAL;
	if (write)
		memcpy(gpu->vram + offset, buf, len);
	else
		memcpy(buf, gpu->vram + offset, len);
	return 0;
}

static unsigned long mvu_vram_pfn(struct mvgpu_pgpu *pgpu, u64 offset)
{
	struct mvu_gpu *gpu = mvgpu_pgpu_priv(pgpu);

	return mvgpu_vmem_pfn(gpu->vram, offset);
}

static void mvu_vram_clear(struct mvgpu_pgpu *pgpu, u64 offset, u64 len)
{
	struct mvu_gpu *gpu = mvgpu_pgpu_priv(pgpu);

	mvgpu_vmem_clear(gpu->vram, gpu->vram_size, offset, len);
}

const struct mvgpu_pgpu_ops mvu_pgpu_ops = {
	.owner = THIS_MODULE,
	.vram_rw = mvu_vram_rw,
	.vram_pfn = mvu_vram_pfn,
	.vram_clear = mvu_vram_clear,
	.exec = mvu_exec,
};
