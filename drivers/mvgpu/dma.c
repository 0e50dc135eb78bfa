// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-memory access for engines (COPY with an IOVA side).
 *
 * Small transfers go through vfio_dma_rw(), which maps and unmaps as it
 * goes.  Larger ones work page by page on pinned pages: a per-vGPU pin
 * cache (an xarray by IOVA page number) keeps pages pinned across
 * commands, up to MVGPU_PIN_CACHE_PAGES; beyond that a page is pinned for
 * the one access and unpinned right after.
 *
 * dma.sem makes dma_unmap safe: every access holds it for reading, and
 * mvgpu_dma_unmap() takes it for writing, so when it returns no access to
 * the range is in flight and none of its pages is pinned.  A command that
 * reaches the range later fails to pin it and the vGPU reports
 * MVGPU_ERR_DMA.  (The vfio type1 backend calls dma_unmap without its own
 * lock held, so pinning under dma.sem cannot deadlock against it.)
 */
#include <linux/highmem.h>
#include <linux/iommu.h>
#include <linux/sizes.h>
#include <linux/vfio.h>

#include "mvgpu.h"

/* Transfers up to this size use vfio_dma_rw(). */
#define MVGPU_DMA_RW_MAX	SZ_16K
/* At most this many pages stay pinned per vGPU (64 MiB with 4K pages). */
#define MVGPU_PIN_CACHE_PAGES	(SZ_64M >> PAGE_SHIFT)

/**
 * mvgpu_dma_init() - set up guest-memory access for a new vGPU
 * @vgpu: the vGPU.
 */
void mvgpu_dma_init(struct mvgpu_vgpu *vgpu)
{
	struct mvgpu_dma *dma = &vgpu->dma;

	dma->vgpu = vgpu;
	init_rwsem(&dma->sem);
	mutex_init(&dma->pin_lock);
	xa_init(&dma->pins);
	dma->nr_pinned = 0;
}

/*
 * The page at IOVA page @pfn, pinned for reading and writing.  *@cached
 * says whether the pin cache keeps it; if not, the caller unpins it after
 * use.  dma->sem held for reading.
 */
static struct page *mvgpu_dma_page(struct mvgpu_dma *dma, unsigned long pfn,
				   bool *cached)
{
	struct vfio_device *vdev = &dma->vgpu->vdev;
	struct page *page;
	int ret;

	mutex_lock(&dma->pin_lock);
	page = xa_load(&dma->pins, pfn);
	if (page) {
		*cached = true;
		goto out_unlock;
	}

	ret = vfio_pin_pages(vdev, (dma_addr_t)pfn << PAGE_SHIFT, 1,
			     IOMMU_READ | IOMMU_WRITE, &page);
	if (ret != 1) {
		page = NULL;
		goto out_unlock;
	}

	*cached = dma->nr_pinned < MVGPU_PIN_CACHE_PAGES &&
		  !xa_is_err(xa_store(&dma->pins, pfn, page, GFP_KERNEL));
	if (*cached)
		dma->nr_pinned++;
out_unlock:
	mutex_unlock(&dma->pin_lock);
	return page;
}

static int mvgpu_dma_rw_pinned(struct mvgpu_dma *dma, u64 iova, void *buf,
			       size_t len, bool write)
{
	struct vfio_device *vdev = &dma->vgpu->vdev;
	size_t done, n;

	for (done = 0; done < len; done += n) {
		u64 pos = iova + done;
		unsigned int in_page = offset_in_page(pos);
		struct page *page;
		bool cached;
		void *kaddr;

		n = min_t(size_t, len - done, PAGE_SIZE - in_page);
		page = mvgpu_dma_page(dma, pos >> PAGE_SHIFT, &cached);
		if (!page)
			return -EFAULT;

		kaddr = kmap_local_page(page);
		if (write)
			memcpy(kaddr + in_page, buf + done, n);
		else
			memcpy(buf + done, kaddr + in_page, n);
		kunmap_local(kaddr);

		if (!cached)
			vfio_unpin_pages(vdev, pos & PAGE_MASK, 1);
	}
	return 0;
}

/**
 * mvgpu_dma_rw() - copy between a kernel buffer and guest memory
 * @dma: the vGPU's accessor (struct mvgpu_op.dma).
 * @iova: guest I/O virtual address, as mapped in the vGPU's container.
 * @buf: kernel buffer.
 * @len: bytes.
 * @write: true to write guest memory.
 *
 * Context: process (an engine thread); may sleep.
 * Return: 0, or -EFAULT when part of the range is not mapped.
 */
int mvgpu_dma_rw(struct mvgpu_dma *dma, u64 iova, void *buf, size_t len,
		 bool write)
{
	int ret;

	down_read(&dma->sem);
	if (len <= MVGPU_DMA_RW_MAX)
		ret = vfio_dma_rw(&dma->vgpu->vdev, iova, buf, len, write);
	else
		ret = mvgpu_dma_rw_pinned(dma, iova, buf, len, write);
	up_read(&dma->sem);

	return ret ? -EFAULT : 0;
}
EXPORT_SYMBOL_GPL(mvgpu_dma_rw);

/* Unpin every cached page in [first, last].  dma->sem held for writing. */
static void mvgpu_dma_unpin_range(struct mvgpu_dma *dma, unsigned long first,
				  unsigned long last)
{
	struct vfio_device *vdev = &dma->vgpu->vdev;
	unsigned long pfn;
	struct page *page;

	lockdep_assert_held_write(&dma->sem);

	mutex_lock(&dma->pin_lock);
	xa_for_each_range(&dma->pins, pfn, page, first, last) {
		xa_erase(&dma->pins, pfn);
		vfio_unpin_pages(vdev, (dma_addr_t)pfn << PAGE_SHIFT, 1);
		dma->nr_pinned--;
	}
	mutex_unlock(&dma->pin_lock);
}

/**
 * mvgpu_dma_unmap() - vfio_device_ops.dma_unmap
 * @vdev: the vGPU's VFIO device.
 * @iova: start of the range the container unmaps.
 * @length: its length.
 *
 * Waits for guest-memory accesses in flight, then unpins the range.
 */
void mvgpu_dma_unmap(struct vfio_device *vdev, u64 iova, u64 length)
{
	struct mvgpu_dma *dma = &vdev_to_vgpu(vdev)->dma;

	u64 last = length > U64_MAX - iova ? U64_MAX : iova + length - 1;

	if (!length)
		return;
	down_write(&dma->sem);
	mvgpu_dma_unpin_range(dma, iova >> PAGE_SHIFT, last >> PAGE_SHIFT);
	up_write(&dma->sem);
}

/**
 * mvgpu_dma_unpin_all() - drop the pin cache (device closing)
 * @vgpu: the vGPU, its queues stopped.
 */
void mvgpu_dma_unpin_all(struct mvgpu_vgpu *vgpu)
{
	down_write(&vgpu->dma.sem);
	mvgpu_dma_unpin_range(&vgpu->dma, 0, ULONG_MAX);
	up_write(&vgpu->dma.sem);
}

/**
 * mvgpu_dma_pinned() - pages the pin cache holds
 * @vgpu: the vGPU.
 *
 * Return: the number of pinned pages.
 */
unsigned long mvgpu_dma_pinned(struct mvgpu_vgpu *vgpu)
{
	unsigned long n;

	mutex_lock(&vgpu->dma.pin_lock);
	n = vgpu->dma.nr_pinned;
	mutex_unlock(&vgpu->dma.pin_lock);
	return n;
}
