/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvgpu core: guest-memory access of a vGPU's queues and its pin cache
 * (dma.c).
 */
#ifndef _MVGPU_DMA_H
#define _MVGPU_DMA_H

#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

struct mvgpu_queue;
struct mvgpu_vgpu;
struct vfio_device;

/* A range of IOVA page frame numbers, both ends included. */
struct mvgpu_dma_range {
	unsigned long first;
	unsigned long last;
};

/* Ranges one open session may revoke before its pin cache turns off. */
#define MVGPU_DMA_REVOKED_MAX	8

/**
 * struct mvgpu_dma_cache - a vGPU's pinned guest pages (see dma.c)
 * @vgpu: the vGPU.
 * @lock: protects every field below it; see dma.c.
 * @pages: IOVA pfn -> the pinned page backing it.
 * @nr_pinned: pages in @pages (sysfs mvgpu_stats/dma_pinned_pages).
 * @revoked: ranges the cache must not pin again in this session.
 * @nr_revoked: entries in @revoked.
 * @pin_off: the cache is off for this session (vfio_dma_rw() only).
 * @pins: pages pinned, ever (mvgpu_stats/dma_pins).
 * @unmaps: dma_unmap callbacks (mvgpu_stats/dma_unmaps).
 */
struct mvgpu_dma_cache {
	struct mvgpu_vgpu *vgpu;
	struct mutex lock;		/* see dma.c */
	struct xarray pages;
	u64 nr_pinned;
	struct mvgpu_dma_range revoked[MVGPU_DMA_REVOKED_MAX];
	unsigned int nr_revoked;
	bool pin_off;
	u64 pins;
	u64 unmaps;
};

/* State of a queue's DMA request (struct mvgpu_dma). */
enum mvgpu_dma_state {
	MVGPU_DMA_IDLE,		/* none */
	MVGPU_DMA_BUSY,		/* posted to the DMA worker */
	MVGPU_DMA_DONE,		/* finished, @ret not yet taken */
};

/**
 * struct mvgpu_dma - a queue's channel to guest memory (see dma.c)
 * @cache: its vGPU's pin cache.
 * @work: runs the request on the DMA workqueue.
 * @done_wq: the engine waits here for the worker.
 * @lock: protects @state and the request (@iova .. @ret).
 * @state: enum mvgpu_dma_state.
 * @iova: the request: guest address,
 * @buf: kernel buffer (VRAM),
 * @len: bytes,
 * @write: direction (true: to guest memory),
 * @ret: and its result, 0 or -EFAULT.
 *
 * The engine running the queue posts a request and waits briefly; the
 * worker may block (on the VFIO container, or on the VMM's memory) without
 * holding up the engine.  Quiesced by mvgpu_dma_quiesce() whenever the
 * queue is stopped.
 */
struct mvgpu_dma {
	struct mvgpu_dma_cache *cache;
	struct work_struct work;
	wait_queue_head_t done_wq;
	spinlock_t lock;		/* see above */
	enum mvgpu_dma_state state;
	u64 iova;
	void *buf;
	size_t len;
	bool write;
	int ret;
};

int mvgpu_dma_module_init(void);
void mvgpu_dma_module_exit(void);
void mvgpu_dma_init(struct mvgpu_vgpu *vgpu);
void mvgpu_dma_quiesce(struct mvgpu_queue *q);
void mvgpu_dma_flush(struct mvgpu_vgpu *vgpu);
void mvgpu_dma_close(struct mvgpu_vgpu *vgpu);
void mvgpu_dma_fini(struct mvgpu_vgpu *vgpu);
void mvgpu_dma_unmap(struct vfio_device *vdev, u64 iova, u64 length);

#endif /* _MVGPU_DMA_H */
