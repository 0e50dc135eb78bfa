/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The MVGPU_IOC_SUBMIT steps the host path (mvgpu.ko) and the guest driver
 * (mvgpu_guest.ko) share: copying the request and its commands in, checked
 * once here, and the FENCE each submission ends with.
 */
#ifndef _MVGPU_SUBMIT_H
#define _MVGPU_SUBMIT_H

#include <linux/err.h>
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

#endif /* _MVGPU_SUBMIT_H */
