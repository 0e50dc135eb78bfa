// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-memory access for engines (COPY with an IOVA side).
 *
 * Two paths, chosen per piece an engine asks for:
 *
 * - Pieces shorter than MVGPU_DMA_PIN_MIN go through vfio_dma_rw(), in
 *   pieces of at most MVGPU_DMA_PIECE bytes.  Type1 does each under its own
 *   lock against the mapping as it is at that moment, and nothing stays
 *   pinned.
 *
 * - Longer pieces go through the vGPU's pin cache: guest pages pinned with
 *   vfio_pin_pages() in runs of up to MVGPU_DMA_PIN_BATCH pages, kept in an
 *   xarray indexed by IOVA page frame number, and copied with
 *   kmap_local_page().  A page is pinned once and reused by every later
 *   command until the cache is flushed: when it is full (dma_cache_mb), on
 *   device reset and on close.
 *
 * VFIO_IOMMU_UNMAP_DMA: before type1 removes a mapping that has pinned
 * pages, it calls mvgpu_dma_unmap() for the whole mapping, then checks
 * that no pins remain and gives up with a BUG() after ten rounds.  The
 * callback therefore (1) takes the cache lock, which every cached copy
 * holds for its whole duration, so no engine is still using the range
 * when it returns; (2) unpins every cached page in the range; and (3)
 * *revokes* the range: for the rest of this open session the cache never
 * pins inside it again, and engines reach it only through vfio_dma_rw(),
 * which fails cleanly once the mapping is gone and works again if the
 * range is mapped anew.  Without (3) an engine could re-pin the range
 * between the callback and type1's check, and a guest looping on that
 * could make type1 panic the host.  The revoked ranges live in a small
 * table; when it overflows, the cache turns itself off for the session.
 * A copy whose pages are unpinned under it never happens: (1) makes the
 * callback wait for the copy, and the next piece sees the revocation.
 *
 * A command that reaches an unmapped IOVA on either path fails with
 * MVGPU_ERR_DMA (-EFAULT from here).  Pinning that fails for any other
 * reason (RLIMIT_MEMLOCK, a read-only mapping, an allocation) is not an
 * error: the piece falls back to vfio_dma_rw().
 *
 * Locking: dma->lock (a mutex) protects the cache: @pages, @nr_pinned,
 * @revoked, @nr_revoked and @pin_off.  Order: vgpu->lock, then dma->lock,
 * then type1's iommu->lock (taken inside vfio_pin_pages() and
 * vfio_unpin_pages()).  Type1 calls mvgpu_dma_unmap() holding only its
 * device_list_lock, never its iommu->lock.
 */
#include <linux/highmem.h>
#include <linux/iommu.h>
#include <linux/moduleparam.h>
#include <linux/sizes.h>
#include <linux/vfio.h>

#include "mvgpu.h"

/* Largest single vfio_dma_rw() call. */
#define MVGPU_DMA_PIECE		SZ_64K
/* Pieces at least this long use the pin cache. */
#define MVGPU_DMA_PIN_MIN	SZ_16K
/* Pages pinned by one vfio_pin_pages() call (type1 allows PAGE_SIZE / 8). */
#define MVGPU_DMA_PIN_BATCH	64

static unsigned int dma_cache_mb = 64;
module_param(dma_cache_mb, uint, 0644);
MODULE_PARM_DESC(dma_cache_mb,
		 "Guest memory each vGPU keeps pinned for large DMA transfers, in MiB (default 64; 0 = always use vfio_dma_rw)");

/**
 * mvgpu_dma_init() - set up guest-memory access for a new context
 * @vgpu: the vGPU.
 */
void mvgpu_dma_init(struct mvgpu_vgpu *vgpu)
{
	struct mvgpu_dma *dma = &vgpu->dma;

	dma->vgpu = vgpu;
	mutex_init(&dma->lock);
	xa_init(&dma->pages);
}

/* Unpin and forget cached pages with IOVA pfns in [first, last]. */
static void mvgpu_dma_unpin_range(struct mvgpu_dma *dma, unsigned long first,
				  unsigned long last)
{
	struct vfio_device *vdev = &dma->vgpu->vdev;
	unsigned long index, run_start = 0, run_len = 0;
	struct page *page;

	lockdep_assert_held(&dma->lock);

	/* Unpin runs of consecutive IOVA pages with one call each. */
	xa_for_each_range(&dma->pages, index, page, first, last) {
		if (run_len && (index != run_start + run_len ||
				run_len == MVGPU_DMA_PIN_BATCH)) {
			vfio_unpin_pages(vdev, run_start << PAGE_SHIFT, run_len);
			run_len = 0;
		}
		if (!run_len)
			run_start = index;
		run_len++;
		xa_erase(&dma->pages, index);
		dma->nr_pinned--;
	}
	if (run_len)
		vfio_unpin_pages(vdev, run_start << PAGE_SHIFT, run_len);
}

/**
 * mvgpu_dma_flush() - unpin everything the pin cache holds
 * @vgpu: the vGPU, its engines stopped, the device still open.
 *
 * Called on device reset; revoked ranges stay revoked (see dma.c).
 */
void mvgpu_dma_flush(struct mvgpu_vgpu *vgpu)
{
	struct mvgpu_dma *dma = &vgpu->dma;

	mutex_lock(&dma->lock);
	mvgpu_dma_unpin_range(dma, 0, ULONG_MAX);
	mutex_unlock(&dma->lock);
}

/**
 * mvgpu_dma_close() - end of an open session: empty and re-arm the cache
 * @vgpu: the vGPU, its engines stopped, still open for VFIO.
 */
void mvgpu_dma_close(struct mvgpu_vgpu *vgpu)
{
	struct mvgpu_dma *dma = &vgpu->dma;

	mutex_lock(&dma->lock);
	mvgpu_dma_unpin_range(dma, 0, ULONG_MAX);
	dma->nr_revoked = 0;
	dma->pin_off = false;
	mutex_unlock(&dma->lock);
}

/**
 * mvgpu_dma_fini() - counterpart of mvgpu_dma_init()
 * @vgpu: the vGPU, closed (the cache is empty).
 */
void mvgpu_dma_fini(struct mvgpu_vgpu *vgpu)
{
	WARN_ON(vgpu->dma.nr_pinned);
	xa_destroy(&vgpu->dma.pages);
	mutex_destroy(&vgpu->dma.lock);
}

/* Does [first, last] (IOVA pfns) overlap a revoked range? */
static bool mvgpu_dma_revoked(struct mvgpu_dma *dma, unsigned long first,
			      unsigned long last)
{
	unsigned int i;

	for (i = 0; i < dma->nr_revoked; i++)
		if (first <= dma->revoked[i].last &&
		    last >= dma->revoked[i].first)
			return true;
	return false;
}

/* Record [first, last] as revoked, merging with an overlapping entry. */
static void mvgpu_dma_revoke(struct mvgpu_dma *dma, unsigned long first,
			     unsigned long last)
{
	struct mvgpu_dma_range *r;
	unsigned int i;

	for (i = 0; i < dma->nr_revoked; i++) {
		r = &dma->revoked[i];
		if (first <= r->last + 1 && last + 1 >= r->first) {
			r->first = min(r->first, first);
			r->last = max(r->last, last);
			return;
		}
	}
	if (dma->nr_revoked == ARRAY_SIZE(dma->revoked)) {
		dma->pin_off = true;
		return;
	}
	dma->revoked[dma->nr_revoked++] = (struct mvgpu_dma_range){
		.first = first, .last = last,
	};
}

/**
 * mvgpu_dma_unmap() - vfio_device_ops.dma_unmap: a mapping goes away
 * @vdev: the vGPU's VFIO device.
 * @iova: start of the range.
 * @length: its length in bytes.
 *
 * Returns only when no engine uses the range and none of it is pinned;
 * the cache never pins inside it again in this session.
 */
void mvgpu_dma_unmap(struct vfio_device *vdev, u64 iova, u64 length)
{
	struct mvgpu_dma *dma = &vdev_to_vgpu(vdev)->dma;
	unsigned long first, last;

	if (!length || iova + length - 1 < iova)
		return;
	first = iova >> PAGE_SHIFT;
	last = (iova + length - 1) >> PAGE_SHIFT;

	mutex_lock(&dma->lock);
	mvgpu_dma_revoke(dma, first, last);
	mvgpu_dma_unpin_range(dma, first, last);
	dma->unmaps++;
	mutex_unlock(&dma->lock);
}

/*
 * Pin the missing pages of the run that starts at IOVA pfn @pfn, up to
 * @last and at most MVGPU_DMA_PIN_BATCH pages.  Return: 0, or a negative
 * errno (the caller falls back to vfio_dma_rw()).
 */
static int mvgpu_dma_pin(struct mvgpu_dma *dma, unsigned long pfn,
			 unsigned long last, unsigned long max_pages)
{
	struct page *pages[MVGPU_DMA_PIN_BATCH];
	unsigned long n, i;
	int ret;

	lockdep_assert_held(&dma->lock);

	for (n = 0; n < MVGPU_DMA_PIN_BATCH && pfn + n <= last; n++)
		if (xa_load(&dma->pages, pfn + n))
			break;
	if (n > max_pages)
		return -ENOSPC;
	if (dma->nr_pinned + n > max_pages)
		mvgpu_dma_unpin_range(dma, 0, ULONG_MAX);

	ret = vfio_pin_pages(&dma->vgpu->vdev, (dma_addr_t)pfn << PAGE_SHIFT,
			     n, IOMMU_READ | IOMMU_WRITE, pages);
	if (ret < 0)
		return ret;
	if (WARN_ON_ONCE(ret != n)) {
		vfio_unpin_pages(&dma->vgpu->vdev,
				 (dma_addr_t)pfn << PAGE_SHIFT, ret);
		return -EFAULT;
	}

	for (i = 0; i < n; i++) {
		ret = xa_err(xa_store(&dma->pages, pfn + i, pages[i],
				      GFP_KERNEL));
		if (ret) {
			/* Keep the ones stored, give back the rest. */
			vfio_unpin_pages(&dma->vgpu->vdev,
					 (dma_addr_t)(pfn + i) << PAGE_SHIFT,
					 n - i);
			return ret;
		}
		dma->nr_pinned++;
		dma->pins++;
	}
	return 0;
}

/*
 * Copy through the pin cache.  Return: the bytes copied; fewer than @len
 * when a page could not be pinned (the caller continues unpinned).
 */
static size_t mvgpu_dma_rw_pinned(struct mvgpu_dma *dma, u64 iova, void *buf,
				  size_t len, bool write)
{
	unsigned long max_pages = (unsigned long)READ_ONCE(dma_cache_mb) <<
				  (20 - PAGE_SHIFT);
	unsigned long first = iova >> PAGE_SHIFT;
	unsigned long last = (iova + len - 1) >> PAGE_SHIFT;
	size_t done = 0, off, n;
	struct page *page;
	void *kaddr;
	int ret;

	mutex_lock(&dma->lock);
	if (dma->pin_off || mvgpu_dma_revoked(dma, first, last))
		goto out_unlock;

	while (done < len) {
		u64 at = iova + done;

		page = xa_load(&dma->pages, at >> PAGE_SHIFT);
		if (!page) {
			ret = mvgpu_dma_pin(dma, at >> PAGE_SHIFT, last,
					    max_pages);
			/* Over RLIMIT_MEMLOCK: stop trying for this session. */
			if (ret == -ENOMEM)
				dma->pin_off = true;
			if (ret)
				break;
			page = xa_load(&dma->pages, at >> PAGE_SHIFT);
		}
		off = offset_in_page(at);
		n = min_t(size_t, len - done, PAGE_SIZE - off);
		kaddr = kmap_local_page(page);
		if (write)
			memcpy(kaddr + off, buf + done, n);
		else
			memcpy(buf + done, kaddr + off, n);
		kunmap_local(kaddr);
		done += n;
	}

out_unlock:
	mutex_unlock(&dma->lock);
	return done;
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
 * Return: 0, or -EFAULT when part of the range is not mapped (the part
 * before it may have been copied).
 */
int mvgpu_dma_rw(struct mvgpu_dma *dma, u64 iova, void *buf, size_t len,
		 bool write)
{
	struct vfio_device *vdev = &dma->vgpu->vdev;
	size_t done = 0, n;

	if (!len || iova + len - 1 < iova)
		return len ? -EFAULT : 0;
	if (len >= MVGPU_DMA_PIN_MIN && READ_ONCE(dma_cache_mb))
		done = mvgpu_dma_rw_pinned(dma, iova, buf, len, write);

	for (; done < len; done += n) {
		n = min_t(size_t, len - done, MVGPU_DMA_PIECE);
		if (vfio_dma_rw(vdev, iova + done, buf + done, n, write))
			return -EFAULT;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(mvgpu_dma_rw);
