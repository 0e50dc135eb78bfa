// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-memory access for engines (COPY with an IOVA side).
 *
 * Engines are shared by every vGPU of a pGPU, so an engine thread must
 * never wait on anything a single VFIO user controls.  Reaching guest
 * memory can wait on exactly that: on the VFIO container's locks, which
 * that user's own ioctls hold (and which vfio type1 can even deadlock
 * between two concurrent unmaps of pinned memory), and on page faults in
 * the VMM's address space, which the VMM may leave unresolved (for
 * example with userfaultfd).  So the engine only ever does what cannot
 * block, and hands everything else to a DMA worker:
 *
 * - Engine (mvgpu_dma_rw()): when every page of the piece is in the
 *   vGPU's pin cache and the cache lock is free (mutex_trylock()), it
 *   copies at once with kmap_local_page() and memcpy().  Otherwise it posts
 *   the piece to its queue's channel (struct mvgpu_dma), waits for the
 *   worker for at most a tick, and returns -EINPROGRESS if it is not done:
 *   the backend gives the engine back and asks again later, the scheduler
 *   runs other queues meanwhile, and the waiting counts as the command's
 *   engine time, so a request stuck for good ends in the watchdog's
 *   MVGPU_ERR_TIMEOUT for that vGPU alone.
 *
 * - Worker (mvgpu_dma_work(), on the unbound mvgpu_dma workqueue): pieces
 *   shorter than MVGPU_DMA_PIN_MIN go through vfio_dma_rw(), in pieces of
 *   at most MVGPU_DMA_PIECE bytes, against the mapping as it is at that
 *   moment.  Longer pieces pin their pages with vfio_pin_pages(), in runs
 *   of up to MVGPU_DMA_PIN_BATCH pages, into the pin cache (an xarray
 *   indexed by IOVA page frame number), and copy from there.  A page stays
 *   pinned for later commands until the cache is emptied: when it is full
 *   (dma_cache_mb), on device reset and on close.
 *
 * A stopped queue is quiesced (mvgpu_dma_quiesce()): whoever stops it
 * waits for the worker, so no request outlives the command it served and
 * nothing touches VRAM or guest memory after a reset.
 *
 * VFIO_IOMMU_UNMAP_DMA: before type1 removes a mapping that has pinned
 * pages, it calls mvgpu_dma_unmap() for the whole mapping, then checks
 * that no pins remain and gives up with a BUG() after ten rounds.  The
 * callback therefore (1) takes the cache lock, which every copy from the
 * cache holds for its whole duration, so nothing uses the range when it
 * returns; (2) unpins every cached page in the range; and (3) *revokes*
 * the range: for the rest of this open session the cache never pins
 * inside it again, and the worker reaches it only through vfio_dma_rw(),
 * which fails cleanly once the mapping is gone and works again if the
 * range is mapped anew.  Without (3) the worker could re-pin the range
 * between the callback and type1's check, and a guest looping on that
 * could make type1 panic the host.  The revoked ranges live in a small
 * table; when it overflows, the cache turns itself off for the session.
 *
 * A command that reaches an unmapped IOVA on either path fails with
 * MVGPU_ERR_DMA (-EFAULT from here).  Pinning that fails for any other
 * reason (RLIMIT_MEMLOCK, a read-only mapping, an allocation) is not an
 * error: the piece falls back to vfio_dma_rw().
 *
 * Locking:
 * - cache->lock (a mutex) protects the cache: @pages, @nr_pinned,
 *   @revoked, @nr_revoked and @pin_off.  Order: vgpu->lock, then
 *   cache->lock, then type1's locks (inside vfio_pin_pages(),
 *   vfio_unpin_pages() and vfio_dma_rw()).  Type1 calls mvgpu_dma_unmap()
 *   with its device_list_lock held.  Engines only ever trylock it.
 * - dma->lock (a spinlock, per queue) protects the channel's state and
 *   request; nothing is taken under it.
 */
#include <linux/highmem.h>
#include <linux/iommu.h>
#include <linux/moduleparam.h>
#include <linux/sizes.h>
#include <linux/vfio.h>
#include <linux/workqueue.h>

#include <mvgpu/backend.h>
#include <uapi/linux/mvgpu.h>

#include "dma.h"
#include "queue.h"
#include "vgpu.h"

/* Largest single vfio_dma_rw() call. */
#define MVGPU_DMA_PIECE		SZ_64K
/* Pieces at least this long are pinned into the cache. */
#define MVGPU_DMA_PIN_MIN	SZ_16K
/* Pages pinned by one vfio_pin_pages() call (type1 allows PAGE_SIZE / 8). */
#define MVGPU_DMA_PIN_BATCH	64
/*
 * The cache indexes pages by IOVA page frame number in an unsigned long,
 * which holds every IOVA only on 64-bit kernels; elsewhere it stays empty.
 */
#define MVGPU_DMA_CACHE		IS_ENABLED(CONFIG_64BIT)
/* How long an engine waits for the worker before it moves on. */
#define MVGPU_DMA_WAIT_JIFFIES	max(1UL, usecs_to_jiffies(2000))

/*
 * Off by default.  vfio type1 (6.1 to at least 6.12) takes its
 * device_list_lock under its iommu->lock when a device opens and when it
 * notifies an unmap, but a dma_unmap callback that unpins, as every pinning
 * driver must, takes iommu->lock under device_list_lock: lockdep reports
 * the inversion on the first unmap of pinned memory, and a VMM that opens
 * a device or unmaps concurrently with such an unmap can deadlock its own
 * container.  The engines never wait on that (see above), so only that
 * VMM's vGPU would stall; an administrator who trusts the VMMs may turn
 * pinning on for the throughput.
 */
static unsigned int dma_cache_mb;
module_param(dma_cache_mb, uint, 0644);
MODULE_PARM_DESC(dma_cache_mb,
		 "Guest memory each vGPU keeps pinned for large DMA transfers, in MiB (default 0: off, every access through vfio_dma_rw; see the administrator's guide before turning it on)");

static struct workqueue_struct *mvgpu_dma_wq;

/**
 * mvgpu_dma_module_init() - create the DMA workqueue
 *
 * Return: 0 or -ENOMEM.
 */
int mvgpu_dma_module_init(void)
{
	mvgpu_dma_wq = alloc_workqueue("mvgpu_dma", WQ_UNBOUND, 0);
	return mvgpu_dma_wq ? 0 : -ENOMEM;
}

/**
 * mvgpu_dma_module_exit() - destroy the DMA workqueue (no vGPU is left)
 */
void mvgpu_dma_module_exit(void)
{
	destroy_workqueue(mvgpu_dma_wq);
}

/* Unpin and forget cached pages with IOVA pfns in [first, last]. */
static void mvgpu_dma_unpin_range(struct mvgpu_dma_cache *cache,
				  unsigned long first, unsigned long last)
{
	struct vfio_device *vdev = &cache->vgpu->vdev;
	unsigned long index, run_start = 0, run_len = 0;
	struct page *page;

	lockdep_assert_held(&cache->lock);

	/* Unpin runs of consecutive IOVA pages with one call each. */
	xa_for_each_range(&cache->pages, index, page, first, last) {
		if (run_len && (index != run_start + run_len ||
				run_len == MVGPU_DMA_PIN_BATCH)) {
			vfio_unpin_pages(vdev, run_start << PAGE_SHIFT, run_len);
			run_len = 0;
		}
		if (!run_len)
			run_start = index;
		run_len++;
		xa_erase(&cache->pages, index);
		cache->nr_pinned--;
	}
	if (run_len)
		vfio_unpin_pages(vdev, run_start << PAGE_SHIFT, run_len);
}

/**
 * mvgpu_dma_flush() - unpin everything the pin cache holds
 * @vgpu: the vGPU, its queues quiesced, the device still open.
 *
 * Called on device reset; revoked ranges stay revoked (see dma.c).
 */
void mvgpu_dma_flush(struct mvgpu_vgpu *vgpu)
{
	struct mvgpu_dma_cache *cache = &vgpu->dma;

	mutex_lock(&cache->lock);
	mvgpu_dma_unpin_range(cache, 0, ULONG_MAX);
	mutex_unlock(&cache->lock);
}

/**
 * mvgpu_dma_close() - end of an open session: empty and re-arm the cache
 * @vgpu: the vGPU, its queues quiesced, still open for VFIO.
 */
void mvgpu_dma_close(struct mvgpu_vgpu *vgpu)
{
	struct mvgpu_dma_cache *cache = &vgpu->dma;

	mutex_lock(&cache->lock);
	mvgpu_dma_unpin_range(cache, 0, ULONG_MAX);
	cache->nr_revoked = 0;
	cache->pin_off = false;
	mutex_unlock(&cache->lock);
}

/* Does [first, last] (IOVA pfns) overlap a revoked range? */
static bool mvgpu_dma_revoked(struct mvgpu_dma_cache *cache,
			      unsigned long first, unsigned long last)
{
	unsigned int i;

	for (i = 0; i < cache->nr_revoked; i++)
		if (first <= cache->revoked[i].last &&
		    last >= cache->revoked[i].first)
			return true;
	return false;
}

/* Record [first, last] as revoked, merging with an overlapping entry. */
static void mvgpu_dma_revoke(struct mvgpu_dma_cache *cache,
			     unsigned long first, unsigned long last)
{
	struct mvgpu_dma_range *r;
	unsigned int i;

	for (i = 0; i < cache->nr_revoked; i++) {
		r = &cache->revoked[i];
		if (first <= r->last + 1 && last + 1 >= r->first) {
			r->first = min(r->first, first);
			r->last = max(r->last, last);
			return;
		}
	}
	if (cache->nr_revoked == ARRAY_SIZE(cache->revoked)) {
		cache->pin_off = true;
		return;
	}
	cache->revoked[cache->nr_revoked++] = (struct mvgpu_dma_range){
		.first = first, .last = last,
	};
}

/**
 * mvgpu_dma_unmap() - vfio_device_ops.dma_unmap: a mapping goes away
 * @vdev: the vGPU's VFIO device.
 * @iova: start of the range.
 * @length: its length in bytes.
 *
 * Returns only when nothing uses the range and none of it is pinned; the
 * cache never pins inside it again in this session.
 */
void mvgpu_dma_unmap(struct vfio_device *vdev, u64 iova, u64 length)
{
	struct mvgpu_dma_cache *cache = &vdev_to_vgpu(vdev)->dma;
	unsigned long first, last;

	if (!length)
		return;
	first = iova >> PAGE_SHIFT;
	/* A range that wraps goes to the end of the address space. */
	last = iova + length - 1 < iova ? ULONG_MAX :
	       (iova + length - 1) >> PAGE_SHIFT;

	mutex_lock(&cache->lock);
	mvgpu_dma_revoke(cache, first, last);
	mvgpu_dma_unpin_range(cache, first, last);
	cache->unmaps++;
	mutex_unlock(&cache->lock);
}

/*
 * Pin the missing pages of the run that starts at IOVA pfn @pfn, up to
 * @last and at most MVGPU_DMA_PIN_BATCH pages.  Return: 0, or a negative
 * errno (the caller falls back to vfio_dma_rw()).
 */
static int mvgpu_dma_pin(struct mvgpu_dma_cache *cache, unsigned long pfn,
			 unsigned long last, unsigned long max_pages)
{
	struct vfio_device *vdev = &cache->vgpu->vdev;
	struct page *pages[MVGPU_DMA_PIN_BATCH];
	unsigned long n, i;
	int ret;

	lockdep_assert_held(&cache->lock);

	for (n = 0; n < MVGPU_DMA_PIN_BATCH && pfn + n <= last; n++)
		if (xa_load(&cache->pages, pfn + n))
			break;
	if (n > max_pages)
		return -ENOSPC;
	if (cache->nr_pinned + n > max_pages)
		mvgpu_dma_unpin_range(cache, 0, ULONG_MAX);

	ret = vfio_pin_pages(vdev, (dma_addr_t)pfn << PAGE_SHIFT, n,
			     IOMMU_READ | IOMMU_WRITE, pages);
	if (ret < 0)
		return ret;
	if (WARN_ON_ONCE(ret != n)) {
		vfio_unpin_pages(vdev, (dma_addr_t)pfn << PAGE_SHIFT, ret);
		return -EFAULT;
	}

	for (i = 0; i < n; i++) {
		ret = xa_err(xa_store(&cache->pages, pfn + i, pages[i],
				      GFP_KERNEL));
		if (ret) {
			/* Keep the ones stored, give back the rest. */
			vfio_unpin_pages(vdev,
					 (dma_addr_t)(pfn + i) << PAGE_SHIFT,
					 n - i);
			return ret;
		}
		cache->nr_pinned++;
		cache->pins++;
	}
	return 0;
}

/* Copy @n bytes at page offset @off of cached @page.  cache->lock held. */
static void mvgpu_dma_copy_page(struct page *page, size_t off, void *buf,
				size_t n, bool write)
{
	void *kaddr = kmap_local_page(page);

	if (write)
		memcpy(kaddr + off, buf, n);
	else
		memcpy(buf, kaddr + off, n);
	kunmap_local(kaddr);
}

/*
 * Worker: copy through the pin cache, pinning what is missing.  Return:
 * the bytes copied; fewer than @len when a page could not be pinned (the
 * caller continues with vfio_dma_rw()).
 */
static size_t mvgpu_dma_rw_pinned(struct mvgpu_dma_cache *cache, u64 iova,
				  void *buf, size_t len, bool write)
{
	unsigned long max_pages = (unsigned long)READ_ONCE(dma_cache_mb) <<
				  (20 - PAGE_SHIFT);
	unsigned long first = iova >> PAGE_SHIFT;
	unsigned long last = (iova + len - 1) >> PAGE_SHIFT;
	size_t done = 0, n;
	struct page *page;
	int ret;

	mutex_lock(&cache->lock);
	if (cache->pin_off || mvgpu_dma_revoked(cache, first, last))
		goto out_unlock;

	while (done < len) {
		u64 at = iova + done;

		page = xa_load(&cache->pages, at >> PAGE_SHIFT);
		if (!page) {
			ret = mvgpu_dma_pin(cache, at >> PAGE_SHIFT, last,
					    max_pages);
			/* Over RLIMIT_MEMLOCK: stop trying for this session. */
			if (ret == -ENOMEM)
				cache->pin_off = true;
			if (ret)
				break;
			page = xa_load(&cache->pages, at >> PAGE_SHIFT);
		}
		n = min_t(size_t, len - done, PAGE_SIZE - offset_in_page(at));
		mvgpu_dma_copy_page(page, offset_in_page(at), buf + done, n,
				    write);
		done += n;
	}

out_unlock:
	mutex_unlock(&cache->lock);
	return done;
}

/* Worker: the whole request, by whichever path.  Return: 0 or -EFAULT. */
static int mvgpu_dma_rw_blocking(struct mvgpu_dma_cache *cache, u64 iova,
				 void *buf, size_t len, bool write)
{
	struct vfio_device *vdev = &cache->vgpu->vdev;
	size_t done = 0, n;

	if (MVGPU_DMA_CACHE && len >= MVGPU_DMA_PIN_MIN &&
	    READ_ONCE(dma_cache_mb))
		done = mvgpu_dma_rw_pinned(cache, iova, buf, len, write);

	for (; done < len; done += n) {
		n = min_t(size_t, len - done, MVGPU_DMA_PIECE);
		if (vfio_dma_rw(vdev, iova + done, buf + done, n, write))
			return -EFAULT;
	}
	return 0;
}

static void mvgpu_dma_work(struct work_struct *work)
{
	struct mvgpu_dma *dma = container_of(work, struct mvgpu_dma, work);
	int ret;

	/* The request stays unchanged while the channel is busy. */
	ret = mvgpu_dma_rw_blocking(dma->cache, dma->iova, dma->buf, dma->len,
				    dma->write);

	spin_lock(&dma->lock);
	dma->ret = ret;
	dma->state = MVGPU_DMA_DONE;
	spin_unlock(&dma->lock);
	wake_up(&dma->done_wq);
}

/*
 * Engine: copy at once if every page is in the cache and the cache is
 * free.  Never blocks.  Return: true if copied.
 */
static bool mvgpu_dma_rw_cached(struct mvgpu_dma_cache *cache, u64 iova,
				void *buf, size_t len, bool write)
{
	unsigned long pfn, last = (iova + len - 1) >> PAGE_SHIFT;
	size_t done, n;

	if (!READ_ONCE(cache->nr_pinned) || !mutex_trylock(&cache->lock))
		return false;
	for (pfn = iova >> PAGE_SHIFT; pfn <= last; pfn++) {
		if (!xa_load(&cache->pages, pfn)) {
			mutex_unlock(&cache->lock);
			return false;
		}
	}
	for (done = 0; done < len; done += n) {
		u64 at = iova + done;

		n = min_t(size_t, len - done, PAGE_SIZE - offset_in_page(at));
		mvgpu_dma_copy_page(xa_load(&cache->pages, at >> PAGE_SHIFT),
				    offset_in_page(at), buf + done, n, write);
	}
	mutex_unlock(&cache->lock);
	return true;
}

/*
 * Take the result of a finished request for exactly this piece.  Return:
 * 1 with *@ret set, or 0 if there is none.  dma->lock held.
 */
static int mvgpu_dma_take(struct mvgpu_dma *dma, u64 iova, void *buf,
			  size_t len, bool write, int *ret)
{
	lockdep_assert_held(&dma->lock);

	if (dma->state != MVGPU_DMA_DONE)
		return 0;
	dma->state = MVGPU_DMA_IDLE;
	/* A leftover from another piece is dropped; the caller asks anew. */
	if (dma->iova != iova || dma->buf != buf || dma->len != len ||
	    dma->write != write)
		return 0;
	*ret = dma->ret;
	return 1;
}

/**
 * mvgpu_dma_rw() - copy between a kernel buffer and guest memory
 * @dma: the queue's channel (struct mvgpu_op.dma).
 * @iova: guest I/O virtual address, as mapped in the vGPU's container.
 * @buf: kernel buffer.
 * @len: bytes.
 * @write: true to write guest memory.
 *
 * Context: an engine thread; does not block for long.  When it returns
 * -EINPROGRESS, the backend returns -EINPROGRESS from exec() without
 * counting progress, and calls again with the same arguments next time.
 *
 * Return: 0 when done, -EINPROGRESS when not done yet, or -EFAULT when
 * part of the range is not mapped (the part before it may have been
 * copied).
 */
int mvgpu_dma_rw(struct mvgpu_dma *dma, u64 iova, void *buf, size_t len,
		 bool write)
{
	int ret;

	if (!len)
		return 0;
	if (iova + len - 1 < iova)
		return -EFAULT;

	spin_lock(&dma->lock);
	if (mvgpu_dma_take(dma, iova, buf, len, write, &ret)) {
		spin_unlock(&dma->lock);
		return ret;
	}
	if (dma->state == MVGPU_DMA_BUSY) {
		spin_unlock(&dma->lock);
		goto wait;
	}
	spin_unlock(&dma->lock);

	if (mvgpu_dma_rw_cached(dma->cache, iova, buf, len, write))
		return 0;

	spin_lock(&dma->lock);
	dma->iova = iova;
	dma->buf = buf;
	dma->len = len;
	dma->write = write;
	dma->state = MVGPU_DMA_BUSY;
	spin_unlock(&dma->lock);
	queue_work(mvgpu_dma_wq, &dma->work);

wait:
	wait_event_timeout(dma->done_wq,
			   READ_ONCE(dma->state) != MVGPU_DMA_BUSY,
			   MVGPU_DMA_WAIT_JIFFIES);
	spin_lock(&dma->lock);
	if (!mvgpu_dma_take(dma, iova, buf, len, write, &ret))
		ret = -EINPROGRESS;
	spin_unlock(&dma->lock);
	return ret;
}
EXPORT_SYMBOL_GPL(mvgpu_dma_rw);

/**
 * mvgpu_dma_quiesce() - wait for a stopped queue's DMA request to finish
 * @q: the queue, off its engine (mvgpu_sched_stop()).
 *
 * Afterwards the channel is idle.  Waits as long as the request takes:
 * if the VMM keeps its memory or container blocked, stopping its own
 * queue waits for it, never anyone else's.
 */
void mvgpu_dma_quiesce(struct mvgpu_queue *q)
{
	struct mvgpu_dma *dma = &q->dma;

	flush_work(&dma->work);
	spin_lock(&dma->lock);
	dma->state = MVGPU_DMA_IDLE;
	spin_unlock(&dma->lock);
}

/**
 * mvgpu_dma_init() - set up guest-memory access for a new context
 * @vgpu: the vGPU, its queues initialised.
 */
void mvgpu_dma_init(struct mvgpu_vgpu *vgpu)
{
	struct mvgpu_dma_cache *cache = &vgpu->dma;
	unsigned int i;

	cache->vgpu = vgpu;
	mutex_init(&cache->lock);
	xa_init(&cache->pages);
	for (i = 0; i < vgpu->nr_queues; i++) {
		struct mvgpu_dma *dma = &vgpu->queues[i].dma;

		dma->cache = cache;
		INIT_WORK(&dma->work, mvgpu_dma_work);
		init_waitqueue_head(&dma->done_wq);
		spin_lock_init(&dma->lock);
		dma->state = MVGPU_DMA_IDLE;
	}
}

/**
 * mvgpu_dma_fini() - counterpart of mvgpu_dma_init()
 * @vgpu: the vGPU, closed (the cache is empty, no request in flight).
 */
void mvgpu_dma_fini(struct mvgpu_vgpu *vgpu)
{
	WARN_ON(vgpu->dma.nr_pinned);
	xa_destroy(&vgpu->dma.pages);
	mutex_destroy(&vgpu->dma.lock);
}
