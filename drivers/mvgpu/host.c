// SPDX-License-Identifier: GPL-2.0
/*
 * The host path: /dev/mvgpu-host<N>, one per pGPU.
 *
 * It speaks the device-file uAPI of include/uapi/linux/mvgpu.h, the same
 * one mvgpu_guest.ko offers inside a guest, so one program runs unchanged
 * on either side and guest-vs-host comparisons measure only mediation.
 *
 * Each open file is a host client: an execution context built exactly
 * like a vGPU's (mvgpu_ctx_init(): queues, a VRAM slice, weight), taking
 * part in scheduling like any vGPU, but without VFIO: commands go into its
 * rings by plain memory writes and the "doorbell" is a direct scheduler
 * kick, so the path has no traps.  The slice has the size of the pGPU's
 * middle time-sliced profile; its top MVGPU_HOST_RESERVED bytes hold the
 * rings and queue shared areas, the rest is the client's window.
 *
 * The node is root-only (0600).  An open client pins the backend module,
 * so the pGPU cannot go away under it.
 */
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <mvgpu/bufpool.h>
#include <mvgpu/submit.h>
#include <uapi/linux/mvgpu.h>

#include "host.h"
#include "irq.h"
#include "main.h"
#include "pgpu.h"
#include "profile.h"
#include "queue.h"
#include "vgpu.h"
#include "vram.h"

/* A ring holds a whole submission: MVGPU_SUBMIT_MAX commands and a fence. */
#define MVGPU_HOST_RING_SIZE	SZ_128K
#define MVGPU_HOST_RESERVED	SZ_4M	/* rings + QSAs, top of the slice */

/**
 * struct mvgpu_host_client - one open /dev/mvgpu-host<N>
 * @ctx: its execution context.
 * @lock: serialises ring writes, allocation and teardown of this client.
 * @bufs: its buffers in the window.
 * @window: bytes of VRAM the client may use and map.
 * @tail: per queue, the ring offset after the last command written.
 * @seq: per queue, the last fence value submitted.
 */
struct mvgpu_host_client {
	struct mvgpu_vgpu *ctx;
	struct mutex lock;	/* see above */
	struct mvgpu_bufpool bufs;
	u64 window;
	u32 tail[MVGPU_MAX_QUEUES];
	u64 seq[MVGPU_MAX_QUEUES];
};

static struct mvgpu_pgpu *mvgpu_host_pgpu(struct file *file)
{
	struct miscdevice *misc = file->private_data;

	return container_of(misc, struct mvgpu_pgpu, host_dev);
}

/*
 * The host context takes the middle time-sliced profile's resources: of
 * the time-sliced profiles, smallest first (profile.c), number (n - 1) / 2,
 * so ts-64m of ts-32m, ts-64m and ts-128m, and with two the smaller one.
 * Never the half-VRAM one while a smaller exists: two host clients must
 * leave room for vGPUs.
 */
static const struct mvgpu_profile *mvgpu_host_profile(struct mvgpu_pgpu *pgpu)
{
	unsigned int i, n = 0, want;

	for (i = 0; i < pgpu->nr_profiles; i++)
		if (pgpu->profiles[i].kind == MVGPU_PROFILE_TIMESLICED)
			n++;
	if (!n)
		return NULL;
	want = (n - 1) / 2;
	for (i = 0; i < pgpu->nr_profiles; i++) {
		if (pgpu->profiles[i].kind != MVGPU_PROFILE_TIMESLICED)
			continue;
		if (!want--)
			return &pgpu->profiles[i];
	}
	return NULL;
}

static u64 mvgpu_host_ring(struct mvgpu_host_client *c, unsigned int q)
{
	return c->ctx->vram_size - MVGPU_HOST_RESERVED + q * MVGPU_HOST_RING_SIZE;
}

static u64 mvgpu_host_qsa(struct mvgpu_host_client *c, unsigned int q)
{
	return c->ctx->vram_size - MVGPU_HOST_RESERVED +
	       MVGPU_MAX_QUEUES * MVGPU_HOST_RING_SIZE +
	       q * sizeof(struct mvgpu_qsa);
}

/* As queue.c's VRAM access: a backend failure fails the context. */
static int mvgpu_host_slice_rw(struct mvgpu_vgpu *ctx, u64 off, void *buf,
			       size_t len, bool write)
{
	int ret;

	ret = ctx->pgpu->ops->vram_rw(ctx->pgpu, ctx->vram_base + off, buf,
				      len, write);
	if (ret)
		mvgpu_vgpu_fail(ctx, MVGPU_ERR_HOST, 0);
	return ret;
}

/* Program and enable every queue, through the same registers a guest uses. */
static void mvgpu_host_queues_setup(struct mvgpu_host_client *c)
{
	struct mvgpu_vgpu *ctx = c->ctx;
	unsigned int q;

	mutex_lock(&ctx->lock);
	for (q = 0; q < ctx->nr_queues; q++) {
		unsigned int base = MVGPU_QUEUE_BASE(q);
		u64 ring = mvgpu_host_ring(c, q), qsa = mvgpu_host_qsa(c, q);

		mvgpu_queue_write32(ctx, base + MVGPU_QREG_RING_LO, lower_32_bits(ring));
		mvgpu_queue_write32(ctx, base + MVGPU_QREG_RING_HI, upper_32_bits(ring));
		mvgpu_queue_write32(ctx, base + MVGPU_QREG_RING_SIZE,
				    MVGPU_HOST_RING_SIZE);
		mvgpu_queue_write32(ctx, base + MVGPU_QREG_QSA_LO, lower_32_bits(qsa));
		mvgpu_queue_write32(ctx, base + MVGPU_QREG_QSA_HI, upper_32_bits(qsa));
		mvgpu_queue_write32(ctx, base + MVGPU_QREG_CONTROL,
				    MVGPU_QCTL_ENABLE);
	}
	mutex_unlock(&ctx->lock);
}

static int mvgpu_host_open(struct inode *inode, struct file *file)
{
	struct mvgpu_pgpu *pgpu = mvgpu_host_pgpu(file);
	const struct mvgpu_profile *profile = mvgpu_host_profile(pgpu);
	struct mvgpu_host_client *c;
	int ret;

	if (!profile)
		return -ENODEV;
	if (!try_module_get(pgpu->ops->owner))
		return -ENODEV;

	ret = -ENOMEM;
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		goto err_put_module;
	mutex_init(&c->lock);

	c->ctx = kzalloc(sizeof(*c->ctx), GFP_KERNEL);
	if (!c->ctx)
		goto err_free_client;
	ret = mvgpu_ctx_init(c->ctx, profile, true);
	if (ret)
		goto err_free_ctx;
	c->window = c->ctx->vram_size - MVGPU_HOST_RESERVED;

	ret = mvgpu_bufpool_init(&c->bufs, c->window);
	if (ret)
		goto err_fini_ctx;

	mvgpu_host_queues_setup(c);
	file->private_data = c;
	return nonseekable_open(inode, file);

err_fini_ctx:
	mvgpu_ctx_fini(c->ctx);
err_free_ctx:
	kfree(c->ctx);
err_free_client:
	kfree(c);
err_put_module:
	module_put(pgpu->ops->owner);
	return ret;
}

static int mvgpu_host_release(struct inode *inode, struct file *file)
{
	struct mvgpu_host_client *c = file->private_data;
	struct mvgpu_pgpu *pgpu = c->ctx->pgpu;

	mutex_lock(&c->ctx->lock);
	mvgpu_queues_reset(c->ctx);
	mutex_unlock(&c->ctx->lock);

	mvgpu_bufpool_fini(&c->bufs);
	mvgpu_ctx_fini(c->ctx);
	kfree(c->ctx);
	mutex_destroy(&c->lock);
	kfree(c);
	module_put(pgpu->ops->owner);
	return 0;
}

static long mvgpu_host_info(struct mvgpu_host_client *c, void __user *arg)
{
	struct mvgpu_ioc_info info = {
		.version = MVGPU_VERSION,
		.features = MVGPU_FEAT_RING,
		.vram_size = c->window,
		.queues = c->ctx->nr_queues,
		.profile = c->ctx->profile->id,
		.flags = MVGPU_INFO_HOST,
	};

	return copy_to_user(arg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long mvgpu_host_alloc(struct mvgpu_host_client *c, void __user *arg,
			     bool alloc)
{
	long ret;

	mutex_lock(&c->lock);
	ret = mvgpu_bufpool_ioctl(&c->bufs, arg, alloc);
	mutex_unlock(&c->lock);
	return ret;
}

static bool mvgpu_host_fence_done(struct mvgpu_queue *q, u64 seq)
{
	return (s64)(READ_ONCE(q->fence) - seq) >= 0;
}

/* Free bytes in @q's ring: the engine publishes head in q->head. */
static u32 mvgpu_host_ring_free(struct mvgpu_host_client *c, unsigned int q)
{
	u32 head = READ_ONCE(c->ctx->queues[q].head);

	return (head - c->tail[q] - MVGPU_CMD_SIZE) & (MVGPU_HOST_RING_SIZE - 1);
}

static long mvgpu_host_submit(struct mvgpu_host_client *c, void __user *arg)
{
	struct mvgpu_vgpu *ctx = c->ctx;
	struct mvgpu_ioc_submit req;
	struct mvgpu_cmd *cmds;
	u32 bytes, first, doorbell;
	unsigned int q;
	__le32 tail;
	long ret;

	cmds = mvgpu_submit_copy_in(arg, &req, ctx->nr_queues);
	if (IS_ERR(cmds))
		return PTR_ERR(cmds);
	q = req.queue;

	mutex_lock(&c->lock);
	mvgpu_submit_fence(&cmds[req.count], c->seq[q] + 1, 0);
	bytes = (req.count + 1) * MVGPU_CMD_SIZE;

	/*
	 * Wait until the whole submission fits.  Everything ahead of it in
	 * the ring ends with a fence, and fences wake fence_wq.
	 */
	ret = wait_event_interruptible(ctx->fence_wq,
				       mvgpu_host_ring_free(c, q) >= bytes ||
				       READ_ONCE(ctx->failed));
	if (ret)
		goto out_unlock;
	if (READ_ONCE(ctx->failed)) {
		ret = -EIO;
		goto out_unlock;
	}

	/* A failed VRAM access fails the context: -EIO, as below. */
	ret = -EIO;
	first = min(bytes, MVGPU_HOST_RING_SIZE - c->tail[q]);
	if (mvgpu_host_slice_rw(ctx, mvgpu_host_ring(c, q) + c->tail[q], cmds,
				first, true))
		goto out_unlock;
	if (first < bytes &&
	    mvgpu_host_slice_rw(ctx, mvgpu_host_ring(c, q),
				(u8 *)cmds + first, bytes - first, true))
		goto out_unlock;
	c->tail[q] = (c->tail[q] + bytes) & (MVGPU_HOST_RING_SIZE - 1);

	/* Publish, then kick only if the engine asked for it (the manual). */
	tail = cpu_to_le32(c->tail[q]);
	smp_wmb();	/* commands before the tail that publishes them */
	if (mvgpu_host_slice_rw(ctx, mvgpu_host_qsa(c, q) +
				offsetof(struct mvgpu_qsa, tail),
				&tail, sizeof(tail), true))
		goto out_unlock;
	smp_mb();	/* tail before doorbell_needed: pairs with the engine */
	if (mvgpu_host_slice_rw(ctx, mvgpu_host_qsa(c, q) +
				offsetof(struct mvgpu_qsa, doorbell_needed),
				&doorbell, sizeof(doorbell), false))
		goto out_unlock;
	if (doorbell) {
		mutex_lock(&ctx->lock);
		mvgpu_queue_write32(ctx, MVGPU_QUEUE_BASE(q) +
				    MVGPU_QREG_DOORBELL, 1);
		mutex_unlock(&ctx->lock);
	}
	req.fence = ++c->seq[q];
	ret = copy_to_user(arg, &req, sizeof(req)) ? -EFAULT : 0;
out_unlock:
	mutex_unlock(&c->lock);
	kvfree(cmds);
	return ret;
}

static long mvgpu_host_wait(struct mvgpu_host_client *c, void __user *arg)
{
	struct mvgpu_vgpu *ctx = c->ctx;
	struct mvgpu_ioc_wait req;
	struct mvgpu_queue *q;
	long ret;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.queue >= ctx->nr_queues)
		return -EINVAL;
	q = &ctx->queues[req.queue];

	ret = wait_event_interruptible_timeout(ctx->fence_wq,
					       mvgpu_host_fence_done(q, req.fence) ||
					       READ_ONCE(ctx->failed),
					       msecs_to_jiffies(req.timeout_ms));
	if (mvgpu_host_fence_done(q, req.fence))
		return 0;
	if (READ_ONCE(ctx->failed))
		return -EIO;
	return ret < 0 ? ret : -ETIMEDOUT;
}

static long mvgpu_host_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	struct mvgpu_host_client *c = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case MVGPU_IOC_INFO:
		return mvgpu_host_info(c, uarg);
	case MVGPU_IOC_ALLOC:
		return mvgpu_host_alloc(c, uarg, true);
	case MVGPU_IOC_FREE:
		return mvgpu_host_alloc(c, uarg, false);
	case MVGPU_IOC_SUBMIT:
		return mvgpu_host_submit(c, uarg);
	case MVGPU_IOC_WAIT:
		return mvgpu_host_wait(c, uarg);
	}
	return -ENOTTY;
}

static int mvgpu_host_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mvgpu_host_client *c = file->private_data;
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	u64 len = vma->vm_end - vma->vm_start;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (off >= c->window || len > c->window - off)
		return -EINVAL;
	return mvgpu_vram_mmap(c->ctx, vma, off);
}

static const struct file_operations mvgpu_host_fops = {
	.owner = THIS_MODULE,
	.open = mvgpu_host_open,
	.release = mvgpu_host_release,
	.unlocked_ioctl = mvgpu_host_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = mvgpu_host_mmap,
};

/**
 * mvgpu_host_register() - create /dev/mvgpu-host<id> for a pGPU
 * @pgpu: a registered pGPU (its device added).
 *
 * Return: 0 or the error of misc_register().
 */
int mvgpu_host_register(struct mvgpu_pgpu *pgpu)
{
	snprintf(pgpu->host_name, sizeof(pgpu->host_name), MVGPU_NAME "-host%d",
		 pgpu->id);
	pgpu->host_dev.minor = MISC_DYNAMIC_MINOR;
	pgpu->host_dev.name = pgpu->host_name;
	pgpu->host_dev.fops = &mvgpu_host_fops;
	pgpu->host_dev.parent = &pgpu->dev;
	pgpu->host_dev.mode = 0600;
	return misc_register(&pgpu->host_dev);
}

/**
 * mvgpu_host_unregister() - remove the host path's device node
 * @pgpu: the pGPU.  Open clients pin the backend, so none exists here.
 */
void mvgpu_host_unregister(struct mvgpu_pgpu *pgpu)
{
	misc_deregister(&pgpu->host_dev);
}
