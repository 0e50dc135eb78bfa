/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvgpu core: checking and decoding one command of a ring (cmd.c).
 */
#ifndef _MVGPU_CMD_H
#define _MVGPU_CMD_H

#include <linux/types.h>

#include <mvgpu/backend.h>
#include <uapi/linux/mvgpu.h>

/**
 * struct mvgpu_cmd_ctx - what decoding needs to know of the command's context
 * @base: offset of the context's VRAM slice in the pGPU's VRAM.
 * @size: size of the slice in bytes.
 * @sys: commands may name guest memory (the _SYS flags); false for a
 *	host-path context, which has none.
 */
struct mvgpu_cmd_ctx {
	u64 base;
	u64 size;
	bool sys;
};

u32 mvgpu_cmd_decode(const struct mvgpu_cmd_ctx *ctx,
		     const struct mvgpu_cmd *cmd, struct mvgpu_op *op);
bool mvgpu_op_writes(const struct mvgpu_op *op, u64 *dst, u64 *len);

#endif /* _MVGPU_CMD_H */
