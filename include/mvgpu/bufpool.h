/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VRAM buffer allocation for device-file clients (MVGPU_IOC_ALLOC/FREE),
 * shared by the host path (mvgpu.ko) and the guest driver (mvgpu_guest.ko),
 * which offer the same uAPI.  A gen_pool hands out 64 KiB granules of the
 * client's window; an xarray remembers each buffer's size by offset, so a
 * FREE of anything that was not allocated is refused instead of corrupting
 * the pool.  The caller serialises calls.
 */
#ifndef _MVGPU_BUFPOOL_H
#define _MVGPU_BUFPOOL_H

#include <linux/genalloc.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include <uapi/linux/mvgpu.h>

#define MVGPU_BUFPOOL_ORDER	16	/* 64 KiB granules */
/* gen_pool cannot hand out address 0: offsets are biased by this. */
#define MVGPU_BUFPOOL_BASE	BIT(MVGPU_BUFPOOL_ORDER)

/**
 * struct mvgpu_bufpool - a client's buffers
 * @pool: allocator over [0, @window), biased by MVGPU_BUFPOOL_BASE.
 * @bufs: size of each allocated buffer, by offset.
 * @window: bytes the client may allocate from.
 */
struct mvgpu_bufpool {
	struct gen_pool *pool;
	struct xarray bufs;
	u64 window;
};

static inline int mvgpu_bufpool_init(struct mvgpu_bufpool *bp, u64 window)
{
	bp->window = window;
	xa_init(&bp->bufs);
	bp->pool = gen_pool_create(MVGPU_BUFPOOL_ORDER, -1);
	if (!bp->pool)
		return -ENOMEM;
	if (gen_pool_add(bp->pool, MVGPU_BUFPOOL_BASE, window, -1)) {
		gen_pool_destroy(bp->pool);
		return -ENOMEM;
	}
	return 0;
}

static inline void mvgpu_bufpool_fini(struct mvgpu_bufpool *bp)
{
	unsigned long off;
	void *entry;

	xa_for_each(&bp->bufs, off, entry)
		gen_pool_free(bp->pool, off + MVGPU_BUFPOOL_BASE,
			      xa_to_value(entry));
	xa_destroy(&bp->bufs);
	gen_pool_destroy(bp->pool);
}

/* Allocate *@size bytes (rounded up, updated); the offset in *@offset. */
static inline int mvgpu_bufpool_alloc(struct mvgpu_bufpool *bp, u64 *size,
				      u64 *offset)
{
	unsigned long addr;
	int ret;

	if (!*size || *size > bp->window)
		return -EINVAL;
	*size = round_up(*size, MVGPU_BUFPOOL_BASE);
	addr = gen_pool_alloc(bp->pool, *size);
	if (!addr)
		return -ENOSPC;
	*offset = addr - MVGPU_BUFPOOL_BASE;
	ret = xa_err(xa_store(&bp->bufs, *offset, xa_mk_value(*size),
			      GFP_KERNEL));
	if (ret)
		gen_pool_free(bp->pool, addr, *size);
	return ret;
}

static inline int mvgpu_bufpool_free(struct mvgpu_bufpool *bp, u64 offset)
{
	void *entry = offset < bp->window ? xa_erase(&bp->bufs, offset) : NULL;

	if (!entry)
		return -EINVAL;
	gen_pool_free(bp->pool, offset + MVGPU_BUFPOOL_BASE, xa_to_value(entry));
	return 0;
}

/*
 * MVGPU_IOC_ALLOC (@alloc) or MVGPU_IOC_FREE on @bp; the caller serialises.
 * A buffer whose offset cannot be copied out stays allocated until close.
 */
static inline long mvgpu_bufpool_ioctl(struct mvgpu_bufpool *bp,
				       void __user *arg, bool alloc)
{
	struct mvgpu_ioc_alloc req;
	long ret;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (!alloc)
		return mvgpu_bufpool_free(bp, req.offset);
	ret = mvgpu_bufpool_alloc(bp, &req.size, &req.offset);
	if (!ret && copy_to_user(arg, &req, sizeof(req)))
		ret = -EFAULT;
	return ret;
}

#endif /* _MVGPU_BUFPOOL_H */
