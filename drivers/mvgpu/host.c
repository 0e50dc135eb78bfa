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
 * The node is root-only (0600).
 *
 * Revocation: the pGPU can go away while files are open (the backend
 * unregisters it: module unload, PCI remove, a userspace server's exit).
 * mvgpu_host_unregister() then removes the node, marks the host path gone,
 * wakes every client's waiters, waits (SRCU) until no ioctl, mmap or VRAM
 * fault is inside, zaps every client's VRAM mappings and tears down every
 * client's context (queues, slice).  The open files stay valid: every
 * ioctl and mmap fails with -ENODEV, a touch of an old mapping gets
 * SIGBUS, close succeeds.  struct mvgpu_host, which holds the SRCU and the
 * client list, is reference counted (one for the pGPU, one per open file),
 * so it outlives the pGPU for as long as a file is open; nothing else of
 * the pGPU is touched once it is gone.
 *
 * Locking, outermost first:
 * - host->srcu (read side) around every ioctl, mmap and fault, which check
 *   host->gone first.  SRCU: an ioctl's user copy may fault on a VRAM
 *   mapping of the same device, nesting a second read section.
 * - mvgpu_host_client.lock: ring writes, buffers.
 * - host->lock: the client list and every client's teardown (release and
 *   revocation); never taken inside the SRCU read side.
 * - the context's own vgpu->lock, inside either of the last two.
 */
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/srcu.h>
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
 * struct mvgpu_host - the host path of one pGPU (see "Revocation")
 * @ref: one reference for the pGPU, one per open file.
 * @pgpu: the pGPU; used only while !@gone.
 * @srcu: read side around every use of a client's context.
 * @gone: the pGPU is going away; set once, never cleared.
 * @lock: protects @clients and each client's @ctx teardown.
 * @clients: open files.
 */
struct mvgpu_host {
	struct kref ref;
	struct mvgpu_pgpu *pgpu;
	struct srcu_struct srcu;
	bool gone;
	struct mutex lock;	/* see above */
	struct list_head clients;
};

/**
 * struct mvgpu_host_client - one open /dev/mvgpu-host<N>
 * @host: the host path it was opened on.
 * @node: link in host->clients.
 * @mapping: the file's address space, whose VRAM mappings revocation zaps.
 * @ctx: its execution context; NULL once torn down (host->lock).
 * @lock: serialises ring writes (@submit) and allocation of this client;
 *	never held while waiting for the engines.
 * @bufs: its buffers in the window.
 * @window: bytes of VRAM the client may use and map.
 * @submit: its rings as the shared submit path sees them.
 */
struct mvgpu_host_client {
	struct mvgpu_host *host;
	struct list_head node;
	struct address_space *mapping;
	struct mvgpu_vgpu *ctx;
	struct mutex lock;	/* see above */
	struct mvgpu_bufpool bufs;
	u64 window;
	struct mvgpu_submit submit;
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

	if (write)
		mvgpu_vram_dirty(ctx, off, len);
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

static void mvgpu_host_free(struct kref *ref)
{
	struct mvgpu_host *host = container_of(ref, struct mvgpu_host, ref);

	cleanup_srcu_struct(&host->srcu);
	mutex_destroy(&host->lock);
	kfree(host);
}

/* Give back the client's context and slice.  host->lock held. */
static void mvgpu_host_client_teardown(struct mvgpu_host_client *c)
{
	lockdep_assert_held(&c->host->lock);

	mutex_lock(&c->ctx->lock);
	mvgpu_queues_reset(c->ctx);
	mutex_unlock(&c->ctx->lock);

	mvgpu_bufpool_fini(&c->bufs);
	mvgpu_ctx_fini(c->ctx);
	kfree(c->ctx);
	c->ctx = NULL;
}

/*
 * Open runs under misc_mtx, which misc_deregister() in
 * mvgpu_host_unregister() takes too: the pGPU is there and not gone.
 */

static const struct mvgpu_submit_ops mvgpu_host_submit_ops;

static int mvgpu_host_open(struct inode *inode, struct file *file)
{
	struct mvgpu_pgpu *pgpu = mvgpu_host_pgpu(file);
	const struct mvgpu_profile *profile = mvgpu_host_profile(pgpu);
	struct mvgpu_host_client *c;
	int ret;

	if (!profile)
		return -ENODEV;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	mutex_init(&c->lock);
	c->host = pgpu->host;
	c->mapping = file->f_mapping;

	ret = -ENOMEM;
	c->ctx = kzalloc(sizeof(*c->ctx), GFP_KERNEL);
	if (!c->ctx)
		goto err_free_client;
	ret = mvgpu_ctx_init(c->ctx, profile, true);
	if (ret)
		goto err_free_ctx;
	c->window = c->ctx->vram_size - MVGPU_HOST_RESERVED;
	c->submit = (struct mvgpu_submit){
		.ops = &mvgpu_host_submit_ops,
		.dev = c,
		.lock = &c->lock,
		.queues = c->ctx->nr_queues,
		.ring_size = MVGPU_HOST_RING_SIZE,
		/* As long as the work ahead takes (an interrupt ends it). */
		.space_timeout_ms = UINT_MAX,
	};

	ret = mvgpu_bufpool_init(&c->bufs, c->window);
	if (ret)
		goto err_fini_ctx;

	mvgpu_host_queues_setup(c);
	kref_get(&c->host->ref);
	mutex_lock(&c->host->lock);
	list_add(&c->node, &c->host->clients);
	mutex_unlock(&c->host->lock);
	file->private_data = c;
	return nonseekable_open(inode, file);

err_fini_ctx:
	mvgpu_ctx_fini(c->ctx);
err_free_ctx:
	kfree(c->ctx);
err_free_client:
	mutex_destroy(&c->lock);
	kfree(c);
	return ret;
}

static int mvgpu_host_release(struct inode *inode, struct file *file)
{
	struct mvgpu_host_client *c = file->private_data;
	struct mvgpu_host *host = c->host;

	/* Unless revocation already did it. */
	mutex_lock(&host->lock);
	list_del(&c->node);
	if (c->ctx)
		mvgpu_host_client_teardown(c);
	mutex_unlock(&host->lock);

	mutex_destroy(&c->lock);
	kfree(c);
	kref_put(&host->ref, mvgpu_host_free);
	return 0;
}

/* The host path is gone: ioctls and mmap fail, waits end. */
static bool mvgpu_host_gone(struct mvgpu_host_client *c)
{
	return READ_ONCE(c->host->gone);
}

static long mvgpu_host_info(struct mvgpu_host_client *c, void __user *arg)
{
	struct mvgpu_ioc_info info = {
		.version = MVGPU_VERSION,
		.features = MVGPU_FEAT_RING | MVGPU_FEAT_GEMM_F32,
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

/* The shared submit path's view of the context: struct mvgpu_submit_ops. */
static int mvgpu_host_check(void *dev)
{
	struct mvgpu_host_client *c = dev;

	if (mvgpu_host_gone(c))
		return -ENODEV;
	return READ_ONCE(c->ctx->failed) ? -EIO : 0;
}

/* The engine publishes head in q->head. */
static u32 mvgpu_host_head(void *dev, unsigned int q)
{
	struct mvgpu_host_client *c = dev;

	return READ_ONCE(c->ctx->queues[q].head);
}

static u64 mvgpu_host_fence(void *dev, unsigned int q)
{
	struct mvgpu_host_client *c = dev;

	return READ_ONCE(c->ctx->queues[q].fence);
}

/*
 * A failed VRAM access fails the context: -EIO.  vram_rw() takes one
 * buffer type for both directions; a write only reads @buf.
 */
static int mvgpu_host_ring_write(void *dev, unsigned int q, u32 off,
				 const void *buf, u32 len)
{
	struct mvgpu_host_client *c = dev;

	if (mvgpu_host_slice_rw(c->ctx, mvgpu_host_ring(c, q) + off,
				(void *)buf, len, true))
		return -EIO;
	return 0;
}

/* Publish, then kick only if the engine asked for it (the manual). */
static int mvgpu_host_publish(void *dev, unsigned int q, u32 tail)
{
	struct mvgpu_host_client *c = dev;
	struct mvgpu_vgpu *ctx = c->ctx;
	__le32 val = cpu_to_le32(tail);
	u32 doorbell;

	smp_wmb();	/* commands before the tail that publishes them */
	if (mvgpu_host_slice_rw(ctx, mvgpu_host_qsa(c, q) +
				offsetof(struct mvgpu_qsa, tail),
				&val, sizeof(val), true))
		return -EIO;
	smp_mb();	/* tail before doorbell_needed: pairs with the engine */
	if (mvgpu_host_slice_rw(ctx, mvgpu_host_qsa(c, q) +
				offsetof(struct mvgpu_qsa, doorbell_needed),
				&doorbell, sizeof(doorbell), false))
		return -EIO;
	if (doorbell) {
		mutex_lock(&ctx->lock);
		mvgpu_queue_write32(ctx, MVGPU_QUEUE_BASE(q) +
				    MVGPU_QREG_DOORBELL, 1);
		mutex_unlock(&ctx->lock);
	}
	return 0;
}

/* Fences and the context's failure wake fence_wq. */
static int mvgpu_host_wait(void *dev, unsigned int q, u64 seq,
			   unsigned int timeout_ms)
{
	struct mvgpu_host_client *c = dev;
	struct mvgpu_vgpu *ctx = c->ctx;
	struct mvgpu_queue *queue = &ctx->queues[q];
	long ret;

	ret = wait_event_interruptible_timeout(ctx->fence_wq,
					       mvgpu_host_fence_done(queue, seq) ||
					       READ_ONCE(ctx->failed) ||
					       mvgpu_host_gone(c),
					       msecs_to_jiffies(timeout_ms));
	if (mvgpu_host_gone(c))
		return -ENODEV;
	if (mvgpu_host_fence_done(queue, seq))
		return 0;
	if (READ_ONCE(ctx->failed))
		return -EIO;
	return ret < 0 ? ret : -ETIMEDOUT;
}

static const struct mvgpu_submit_ops mvgpu_host_submit_ops = {
	.check = mvgpu_host_check,
	.head = mvgpu_host_head,
	.fence = mvgpu_host_fence,
	.write = mvgpu_host_ring_write,
	.publish = mvgpu_host_publish,
	.wait = mvgpu_host_wait,
};

static long mvgpu_host_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	struct mvgpu_host_client *c = file->private_data;
	void __user *uarg = (void __user *)arg;
	long ret = -ENOTTY;
	int idx;

	idx = srcu_read_lock(&c->host->srcu);
	if (mvgpu_host_gone(c)) {
		ret = -ENODEV;
		goto out_unlock;
	}
	switch (cmd) {
	case MVGPU_IOC_INFO:
		ret = mvgpu_host_info(c, uarg);
		break;
	case MVGPU_IOC_ALLOC:
		ret = mvgpu_host_alloc(c, uarg, true);
		break;
	case MVGPU_IOC_FREE:
		ret = mvgpu_host_alloc(c, uarg, false);
		break;
	case MVGPU_IOC_SUBMIT:
		ret = mvgpu_submit_ioctl(&c->submit, uarg);
		break;
	case MVGPU_IOC_WAIT:
		ret = mvgpu_submit_wait_ioctl(&c->submit, uarg);
		break;
	}
out_unlock:
	srcu_read_unlock(&c->host->srcu, idx);
	return ret;
}

/* VRAM faults of a client's mapping: SIGBUS once the host path is gone. */
static vm_fault_t mvgpu_host_fault(struct vm_fault *vmf)
{
	struct mvgpu_host_client *c = vmf->vma->vm_private_data;
	vm_fault_t ret = VM_FAULT_SIGBUS;
	int idx;

	idx = srcu_read_lock(&c->host->srcu);
	if (!mvgpu_host_gone(c))
		ret = mvgpu_vram_fault_pfn(c->ctx, vmf,
					   (u64)vmf->pgoff << PAGE_SHIFT);
	srcu_read_unlock(&c->host->srcu, idx);
	return ret;
}

static const struct vm_operations_struct mvgpu_host_vm_ops = {
	.fault = mvgpu_host_fault,
};

static int mvgpu_host_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mvgpu_host_client *c = file->private_data;
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	u64 len = vma->vm_end - vma->vm_start;
	int idx, ret;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (off >= c->window || len > c->window - off)
		return -EINVAL;
	idx = srcu_read_lock(&c->host->srcu);
	if (mvgpu_host_gone(c)) {
		ret = -ENODEV;
	} else {
		ret = mvgpu_vram_mmap(c->ctx, vma, off);
		/* Our faults, which check that the pGPU is still there. */
		vma->vm_ops = &mvgpu_host_vm_ops;
		vma->vm_private_data = c;
	}
	srcu_read_unlock(&c->host->srcu, idx);
	return ret;
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
	struct mvgpu_host *host;
	int ret;

	host = kzalloc(sizeof(*host), GFP_KERNEL);
	if (!host)
		return -ENOMEM;
	ret = init_srcu_struct(&host->srcu);
	if (ret) {
		kfree(host);
		return ret;
	}
	kref_init(&host->ref);
	host->pgpu = pgpu;
	mutex_init(&host->lock);
	INIT_LIST_HEAD(&host->clients);
	pgpu->host = host;

	snprintf(pgpu->host_name, sizeof(pgpu->host_name), MVGPU_NAME "-host%d",
		 pgpu->id);
	pgpu->host_dev.minor = MISC_DYNAMIC_MINOR;
	pgpu->host_dev.name = pgpu->host_name;
	pgpu->host_dev.fops = &mvgpu_host_fops;
	pgpu->host_dev.parent = &pgpu->dev;
	pgpu->host_dev.mode = 0600;
	ret = misc_register(&pgpu->host_dev);
	if (ret) {
		pgpu->host = NULL;
		kref_put(&host->ref, mvgpu_host_free);
	}
	return ret;
}

/**
 * mvgpu_host_unregister() - remove the host path, revoking open clients
 * @pgpu: the pGPU, going away.
 *
 * Removes the node, then takes every open client's context away (see
 * "Revocation" above); the files stay open and get -ENODEV.  Returns once
 * no client uses the pGPU any more.
 *
 * Context: process; may sleep until every ioctl in progress has returned
 * (waits end at once).
 */
void mvgpu_host_unregister(struct mvgpu_pgpu *pgpu)
{
	struct mvgpu_host *host = pgpu->host;
	struct mvgpu_host_client *c;

	misc_deregister(&pgpu->host_dev);

	WRITE_ONCE(host->gone, true);
	mutex_lock(&host->lock);
	list_for_each_entry(c, &host->clients, node)
		wake_up_all(&c->ctx->fence_wq);
	mutex_unlock(&host->lock);
	synchronize_srcu(&host->srcu);

	/* No ioctl, mmap or fault uses a context now, and none will. */
	mutex_lock(&host->lock);
	list_for_each_entry(c, &host->clients, node) {
		unmap_mapping_range(c->mapping, 0, 0, 1);
		if (c->ctx)
			mvgpu_host_client_teardown(c);
	}
	mutex_unlock(&host->lock);

	pgpu->host = NULL;
	kref_put(&host->ref, mvgpu_host_free);
}
