// SPDX-License-Identifier: GPL-2.0
/*
 * Command decoding: one struct mvgpu_cmd, already copied out of a ring, is
 * checked against the rules of the manual ("Commands") and turned into the
 * struct mvgpu_op an engine runs.  Pure logic on the command and the
 * slice's geometry: no locks, no device state, nothing that sleeps, so the
 * user-space unit tests (tests/unit) compile this very file.
 *
 * The checks run in the order the manual documents: the opcode
 * (MVGPU_ERR_BAD_OPCODE), flags and unused or too wide arguments
 * (MVGPU_ERR_BAD_FLAGS), counts and dimensions (MVGPU_ERR_BAD_SIZE),
 * ranges (MVGPU_ERR_BAD_RANGE).  mvgpu_cmds[] holds what every opcode has
 * (the flags it accepts, the arguments it uses); each opcode's check
 * function does the rest and fills in the op.
 */
#include <linux/kernel.h>
#include <linux/nospec.h>
#include <linux/string.h>

#include "cmd.h"

/* [off, off + len) inside the slice, aligned, non-empty. */
static bool mvgpu_range_ok(const struct mvgpu_cmd_ctx *ctx, u64 off, u64 len,
			   unsigned int align)
{
	return len && IS_ALIGNED(off, align) && IS_ALIGNED(len, align) &&
	       off <= ctx->size && len <= ctx->size - off;
}

static bool mvgpu_overlap(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

/* Bytes of @count 32-bit elements, or 0 if that cannot fit any slice. */
static u64 mvgpu_elem_bytes(const struct mvgpu_cmd_ctx *ctx, u64 count)
{
	return count <= ctx->size / 4 ? count * 4 : 0;
}

/*
 * One opcode's own checks, after the common ones: @a holds the arguments
 * in CPU order, @op has its opcode and flags set.  Returns 0 (@op filled
 * in) or an enum mvgpu_error.
 */
typedef u32 (*mvgpu_cmd_check_t)(const struct mvgpu_cmd_ctx *ctx,
				 const u64 *a, struct mvgpu_op *op);

static u32 mvgpu_cmd_nop(const struct mvgpu_cmd_ctx *ctx, const u64 *a,
			 struct mvgpu_op *op)
{
	return 0;
}

static u32 mvgpu_cmd_fence(const struct mvgpu_cmd_ctx *ctx, const u64 *a,
			   struct mvgpu_op *op)
{
	op->value = a[0];
	return 0;
}

static u32 mvgpu_cmd_timestamp(const struct mvgpu_cmd_ctx *ctx, const u64 *a,
			       struct mvgpu_op *op)
{
	if (!mvgpu_range_ok(ctx, a[0], 8, 8))
		return MVGPU_ERR_BAD_RANGE;
	op->dst = a[0];		/* slice-relative: the core writes it */
	return 0;
}

static u32 mvgpu_cmd_fill(const struct mvgpu_cmd_ctx *ctx, const u64 *a,
			  struct mvgpu_op *op)
{
	if (a[2] > U32_MAX)
		return MVGPU_ERR_BAD_FLAGS;
	if (!a[1])
		return MVGPU_ERR_BAD_SIZE;
	if (!mvgpu_range_ok(ctx, a[0], a[1], 4))
		return MVGPU_ERR_BAD_RANGE;
	op->dst = ctx->base + a[0];
	op->len = a[1];
	op->value = a[2];
	return 0;
}

static u32 mvgpu_cmd_copy(const struct mvgpu_cmd_ctx *ctx, const u64 *a,
			  struct mvgpu_op *op)
{
	u32 flags = op->flags;
	u64 bytes = a[2];

	if (flags & MVGPU_CMD_F_SRC_SYS && flags & MVGPU_CMD_F_DST_SYS)
		return MVGPU_ERR_BAD_FLAGS;
	/* Too large for the slice: BAD_RANGE below, as for every opcode. */
	if (!bytes)
		return MVGPU_ERR_BAD_SIZE;
	if (flags & MVGPU_CMD_F_DST_SYS) {
		if (a[0] + bytes < a[0] || !mvgpu_range_ok(ctx, a[1], bytes, 1))
			return MVGPU_ERR_BAD_RANGE;
		op->dst = a[0];
		op->src = ctx->base + a[1];
	} else if (flags & MVGPU_CMD_F_SRC_SYS) {
		if (a[1] + bytes < a[1] || !mvgpu_range_ok(ctx, a[0], bytes, 1))
			return MVGPU_ERR_BAD_RANGE;
		op->dst = ctx->base + a[0];
		op->src = a[1];
	} else {
		if (!mvgpu_range_ok(ctx, a[0], bytes, 1) ||
		    !mvgpu_range_ok(ctx, a[1], bytes, 1) ||
		    mvgpu_overlap(a[0], bytes, a[1], bytes))
			return MVGPU_ERR_BAD_RANGE;
		op->dst = ctx->base + a[0];
		op->src = ctx->base + a[1];
	}
	op->len = bytes;
	return 0;
}

static u32 mvgpu_cmd_gemm(const struct mvgpu_cmd_ctx *ctx, const u64 *a,
			  struct mvgpu_op *op)
{
	u64 abytes, bbytes, cbytes;
	unsigned int i;

	for (i = 3; i <= 5; i++)
		if (!a[i] || a[i] > MVGPU_GEMM_MAX_DIM)
			return MVGPU_ERR_BAD_SIZE;
	cbytes = mvgpu_elem_bytes(ctx, a[3] * a[4]);
	abytes = mvgpu_elem_bytes(ctx, a[3] * a[5]);
	bbytes = mvgpu_elem_bytes(ctx, a[5] * a[4]);
	if (!mvgpu_range_ok(ctx, a[0], cbytes, 4) ||
	    !mvgpu_range_ok(ctx, a[1], abytes, 4) ||
	    !mvgpu_range_ok(ctx, a[2], bbytes, 4) ||
	    mvgpu_overlap(a[0], cbytes, a[1], abytes) ||
	    mvgpu_overlap(a[0], cbytes, a[2], bbytes))
		return MVGPU_ERR_BAD_RANGE;
	op->dst = ctx->base + a[0];
	op->src = ctx->base + a[1];
	op->src2 = ctx->base + a[2];
	op->m = a[3];
	op->n = a[4];
	op->k = a[5];
	return 0;
}

static u32 mvgpu_cmd_axpy(const struct mvgpu_cmd_ctx *ctx, const u64 *a,
			  struct mvgpu_op *op)
{
	u64 bytes;

	if (a[3] > U32_MAX)
		return MVGPU_ERR_BAD_FLAGS;
	if (!a[2])
		return MVGPU_ERR_BAD_SIZE;
	bytes = mvgpu_elem_bytes(ctx, a[2]);
	if (!mvgpu_range_ok(ctx, a[0], bytes, 4) ||
	    !mvgpu_range_ok(ctx, a[1], bytes, 4) ||
	    (a[0] != a[1] && mvgpu_overlap(a[0], bytes, a[1], bytes)))
		return MVGPU_ERR_BAD_RANGE;
	op->dst = ctx->base + a[0];
	op->src = ctx->base + a[1];
	op->len = a[2];
	op->value = a[3];
	return 0;
}

static u32 mvgpu_cmd_reduce(const struct mvgpu_cmd_ctx *ctx, const u64 *a,
			    struct mvgpu_op *op)
{
	if (!a[2])
		return MVGPU_ERR_BAD_SIZE;
	if (!mvgpu_range_ok(ctx, a[0], 8, 8) ||
	    !mvgpu_range_ok(ctx, a[1], mvgpu_elem_bytes(ctx, a[2]), 4))
		return MVGPU_ERR_BAD_RANGE;
	op->dst = ctx->base + a[0];
	op->src = ctx->base + a[1];
	op->len = a[2];
	return 0;
}

static u32 mvgpu_cmd_spin(const struct mvgpu_cmd_ctx *ctx, const u64 *a,
			  struct mvgpu_op *op)
{
	if (!a[0] || a[0] > MVGPU_SPIN_MAX_NS)
		return MVGPU_ERR_BAD_SIZE;
	op->value = a[0];
	return 0;
}

/**
 * struct mvgpu_cmd_desc - the rules every opcode has
 * @check: the opcode's own checks; NULL for a value that is no opcode.
 * @flags: the MVGPU_CMD_F_* flags it accepts.
 * @sys_flags: those of @flags that name guest memory, refused where there
 *	is none (struct mvgpu_cmd_ctx.sys).
 * @nargs: arguments it uses; args[@nargs..6] must be zero.
 */
struct mvgpu_cmd_desc {
	mvgpu_cmd_check_t check;
	u32 flags;
	u32 sys_flags;
	unsigned int nargs;
};

#define MVGPU_SYS_FLAGS	(MVGPU_CMD_F_SRC_SYS | MVGPU_CMD_F_DST_SYS)

static const struct mvgpu_cmd_desc mvgpu_cmds[] = {
	[MVGPU_OP_NOP] = { mvgpu_cmd_nop, 0, 0, 0 },
	[MVGPU_OP_FENCE] = { mvgpu_cmd_fence, MVGPU_CMD_F_IRQ, 0, 1 },
	[MVGPU_OP_TIMESTAMP] = { mvgpu_cmd_timestamp, 0, 0, 1 },
	[MVGPU_OP_FILL] = { mvgpu_cmd_fill, 0, 0, 3 },
	[MVGPU_OP_COPY] = { mvgpu_cmd_copy, MVGPU_SYS_FLAGS, MVGPU_SYS_FLAGS, 3 },
	[MVGPU_OP_GEMM_I32] = { mvgpu_cmd_gemm, 0, 0, 6 },
	/* The same operands as GEMM_I32, binary32 elements. */
	[MVGPU_OP_GEMM_F32] = { mvgpu_cmd_gemm, 0, 0, 6 },
	[MVGPU_OP_AXPY_I32] = { mvgpu_cmd_axpy, 0, 0, 4 },
	[MVGPU_OP_REDUCE_I32] = { mvgpu_cmd_reduce, 0, 0, 3 },
	[MVGPU_OP_SPIN] = { mvgpu_cmd_spin, 0, 0, 1 },
};

/**
 * mvgpu_cmd_decode() - check one command and decode it
 * @ctx: the slice and abilities of the context whose ring held it.
 * @cmd: the command, already copied out of the ring (read once).
 * @op: out: the command for an engine; VRAM offsets in it are absolute
 *	(@ctx->base added), except TIMESTAMP's slice-relative dst, which the
 *	core writes itself.
 *
 * Return: 0, or the enum mvgpu_error of the first check that fails.
 */
u32 mvgpu_cmd_decode(const struct mvgpu_cmd_ctx *ctx,
		     const struct mvgpu_cmd *cmd, struct mvgpu_op *op)
{
	const struct mvgpu_cmd_desc *desc;
	u64 a[ARRAY_SIZE(cmd->args)];
	unsigned int i;

	memset(op, 0, sizeof(*op));
	op->opcode = le32_to_cpu(cmd->opcode);
	op->flags = le32_to_cpu(cmd->flags);
	for (i = 0; i < ARRAY_SIZE(a); i++)
		a[i] = le64_to_cpu(cmd->args[i]);

	if (op->opcode >= ARRAY_SIZE(mvgpu_cmds))
		return MVGPU_ERR_BAD_OPCODE;
	/* The opcode is the guest's: no speculative read past the table. */
	desc = &mvgpu_cmds[array_index_nospec(op->opcode,
					      ARRAY_SIZE(mvgpu_cmds))];
	if (!desc->check)
		return MVGPU_ERR_BAD_OPCODE;

	if (op->flags & ~desc->flags ||
	    (!ctx->sys && op->flags & desc->sys_flags))
		return MVGPU_ERR_BAD_FLAGS;
	for (i = desc->nargs; i < ARRAY_SIZE(a); i++)
		if (a[i])
			return MVGPU_ERR_BAD_FLAGS;
	return desc->check(ctx, a, op);
}

/**
 * mvgpu_op_writes() - the VRAM a decoded command writes
 * @op: a command mvgpu_cmd_decode() accepted.
 * @dst: out: absolute VRAM offset of the range it writes.
 * @len: out: bytes of that range, 0 if it writes no VRAM.
 *
 * Return: true, or false for a command whose writes are not one known
 * range (the caller then takes the whole slice as written).
 */
bool mvgpu_op_writes(const struct mvgpu_op *op, u64 *dst, u64 *len)
{
	*dst = op->dst;
	switch (op->opcode) {
	case MVGPU_OP_NOP:
	case MVGPU_OP_FENCE:
	case MVGPU_OP_SPIN:
	case MVGPU_OP_TIMESTAMP:	/* the core's own write, marked there */
		*len = 0;
		return true;
	case MVGPU_OP_COPY:
		*len = op->flags & MVGPU_CMD_F_DST_SYS ? 0 : op->len;
		return true;
	case MVGPU_OP_FILL:
		*len = op->len;
		return true;
	case MVGPU_OP_GEMM_I32:
	case MVGPU_OP_GEMM_F32:
		*len = (u64)op->m * op->n * 4;
		return true;
	case MVGPU_OP_AXPY_I32:
		*len = op->len * 4;
		return true;
	case MVGPU_OP_REDUCE_I32:
		*len = 8;
		return true;
	default:
		return false;
	}
}
