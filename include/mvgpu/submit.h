/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MVGPU_IOC_SUBMIT and MVGPU_IOC_WAIT for the host path (mvgpu.ko) and the
 * guest driver (mvgpu_guest.ko), which offer the same uAPI: copying the
 * request and its commands in, checked once here; waiting for ring space
 * without the client's lock; writing the commands and the FENCE each
 * submission ends with into the ring; publishing the tail.  The two
 * modules differ only in how they reach their rings and fences, which
 * they supply as struct mvgpu_submit_ops.
 */
#ifndef _MVGPU_SUBMIT_H
#define _MVGPU_SUBMIT_H

#include <linux/err.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <uapi/linux/mvgpu.h>

/**
 * mvgpu_submit_copy_in() - copy in and check a submission
 * @arg: the user's struct mvgpu_ioc_submit.
 * @req: out: the request.
 * @queues: the device's queue count.
 *
 * Return: req->count commands followed by one free slot for the fence
 * (kvfree() it), or ERR_PTR(-EFAULT, -EINVAL, -ENOMEM).
 */
static inline struct mvgpu_cmd *
mvgpu_submit_copy_in(void __user *arg, struct mvgpu_ioc_submit *req,
		     unsigned int queues)
{
	struct mvgpu_cmd *cmds;

	if (copy_from_user(req, arg, sizeof(*req)))
		return ERR_PTR(-EFAULT);
	if (!req->count || req->count > MVGPU_SUBMIT_MAX || req->flags ||
	    req->pad || req->queue >= queues)
		return ERR_PTR(-EINVAL);

	cmds = kvmalloc_array(req->count + 1, sizeof(*cmds), GFP_KERNEL);
	if (!cmds)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(cmds, u64_to_user_ptr(req->cmds),
			   req->count * sizeof(*cmds))) {
		kvfree(cmds);
		return ERR_PTR(-EFAULT);
	}
	return cmds;
}

/* Make @cmd the FENCE that completes a submission with @value. */
static inline void mvgpu_submit_fence(struct mvgpu_cmd *cmd, u64 value,
				      u32 flags)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->opcode = cpu_to_le32(MVGPU_OP_FENCE);
	cmd->flags = cpu_to_le32(flags);
	cmd->args[0] = cpu_to_le64(value);
}

/**
 * struct mvgpu_submit_ops - how a client reaches its device's rings
 * @check: whether the device takes commands now: 0, -EIO (error state)
 *	or -ENODEV (gone).  Called with the client's lock held.
 * @head: the device's read offset in ring @q, in bytes.
 * @fence: the last fence value queue @q has completed.
 * @write: copy @len bytes of commands into ring @q at offset @off (the
 *	range does not wrap).  Return: 0, or -EIO (the device failed).
 * @publish: make @tail the tail of queue @q (after the commands before
 *	it) and ring its doorbell if the device asked for one.  Return: 0,
 *	or -EIO.
 * @wait: wait until fence @seq of queue @q has completed, at most
 *	@timeout_ms.  Called without the client's lock.  Return: 0,
 *	-ETIMEDOUT, -ERESTARTSYS, -EIO (error state) or -ENODEV (gone).
 */
struct mvgpu_submit_ops {
	int (*check)(void *dev);
	u32 (*head)(void *dev, unsigned int q);
	u64 (*fence)(void *dev, unsigned int q);
	int (*write)(void *dev, unsigned int q, u32 off, const void *buf,
		     u32 len);
	int (*publish)(void *dev, unsigned int q, u32 tail);
	int (*wait)(void *dev, unsigned int q, u64 seq,
		    unsigned int timeout_ms);
};

/**
 * struct mvgpu_submit - a client's rings, as the submit path sees them
 * @ops: how to reach them.
 * @dev: the argument of every op.
 * @lock: the client's lock: serialises writes to the rings and protects
 *	@tail and @seq.  Never held while waiting for the device.
 * @queues: number of queues.
 * @ring_size: bytes of every ring, a power of two.
 * @fence_flags: flags of the FENCE each submission ends with.
 * @space_timeout_ms: the longest one wait for ring space may take.
 * @tail: per queue, the ring offset after the last command written.
 * @seq: per queue, the last fence value submitted.
 */
struct mvgpu_submit {
	const struct mvgpu_submit_ops *ops;
	void *dev;
	struct mutex *lock;		/* see above */
	unsigned int queues;
	u32 ring_size;
	u32 fence_flags;
	unsigned int space_timeout_ms;
	u32 tail[MVGPU_MAX_QUEUES];
	u64 seq[MVGPU_MAX_QUEUES];
};

/* Free bytes in ring @q (one slot always stays empty); @s->lock held. */
static inline u32 mvgpu_submit_ring_free(struct mvgpu_submit *s,
					 unsigned int q)
{
	return (s->ops->head(s->dev, q) - s->tail[q] - MVGPU_CMD_SIZE) &
	       (s->ring_size - 1);
}

/*
 * Write @bytes of @cmds into ring @q, wrapping at its end, and publish
 * them.  @s->lock held.
 */
static inline int mvgpu_submit_write(struct mvgpu_submit *s, unsigned int q,
				     const struct mvgpu_cmd *cmds, u32 bytes)
{
	u32 first = min(bytes, s->ring_size - s->tail[q]);
	int ret;

	ret = s->ops->write(s->dev, q, s->tail[q], cmds, first);
	if (!ret && first < bytes)
		ret = s->ops->write(s->dev, q, 0, (const u8 *)cmds + first,
				    bytes - first);
	if (ret)
		return ret;
	s->tail[q] = (s->tail[q] + bytes) & (s->ring_size - 1);
	return s->ops->publish(s->dev, q, s->tail[q]);
}

/**
 * mvgpu_submit_ioctl() - MVGPU_IOC_SUBMIT
 * @s: the client.
 * @arg: the user's struct mvgpu_ioc_submit.
 *
 * When the ring is too full for the submission, waits with @s->lock
 * dropped, so that a client stuck on a full ring holds up no other, for
 * the next fence in the ring (everything in it ends with a fence), and
 * looks again.  Each wait may take @s->space_timeout_ms.
 *
 * Return: 0 (the fence value copied out), or a negative errno.
 */
static inline long mvgpu_submit_ioctl(struct mvgpu_submit *s,
				      void __user *arg)
{
	struct mvgpu_ioc_submit req;
	struct mvgpu_cmd *cmds;
	unsigned int q;
	u32 bytes;
	u64 next;
	long ret;

	cmds = mvgpu_submit_copy_in(arg, &req, s->queues);
	if (IS_ERR(cmds))
		return PTR_ERR(cmds);
	q = req.queue;
	bytes = (req.count + 1) * MVGPU_CMD_SIZE;

	mutex_lock(s->lock);
	for (;;) {
		ret = s->ops->check(s->dev);
		if (ret)
			goto out_unlock;
		if (mvgpu_submit_ring_free(s, q) >= bytes)
			break;
		next = s->ops->fence(s->dev, q) + 1;
		if ((s64)(next - s->seq[q]) > 0)
			next = s->seq[q];
		mutex_unlock(s->lock);
		ret = s->ops->wait(s->dev, q, next, s->space_timeout_ms);
		if (ret)
			goto out_free;
		mutex_lock(s->lock);
	}

	mvgpu_submit_fence(&cmds[req.count], s->seq[q] + 1, s->fence_flags);
	ret = mvgpu_submit_write(s, q, cmds, bytes);
	if (ret)
		goto out_unlock;
	req.fence = ++s->seq[q];
	ret = copy_to_user(arg, &req, sizeof(req)) ? -EFAULT : 0;
out_unlock:
	mutex_unlock(s->lock);
out_free:
	kvfree(cmds);
	return ret;
}

/**
 * mvgpu_submit_wait_ioctl() - MVGPU_IOC_WAIT
 * @s: the client.
 * @arg: the user's struct mvgpu_ioc_wait.
 *
 * Return: 0 once the fence has completed, or the errno of
 * struct mvgpu_submit_ops.wait (or -EFAULT, -EINVAL).
 */
static inline long mvgpu_submit_wait_ioctl(struct mvgpu_submit *s,
					   void __user *arg)
{
	struct mvgpu_ioc_wait req;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.queue >= s->queues)
		return -EINVAL;
	return s->ops->wait(s->dev, req.queue, req.fence, req.timeout_ms);
}

#endif /* _MVGPU_SUBMIT_H */
