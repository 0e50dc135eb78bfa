// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of command decoding: drivers/mvgpu/cmd.c, compiled in user
 * space with the stand-ins in tests/unit/include.  Every rule of the
 * manual's "Commands" section that decoding enforces, the error it gives,
 * the order the checks run in, and the op an accepted command becomes.
 */
#include <stdint.h>
#include <string.h>

#include "kselftest_harness.h"

#include "cmd.h"

#define BASE	(3ull << 30)		/* the slice's place in the pGPU */
#define S	(32ull << 20)		/* ts-32m */

static const struct mvgpu_cmd_ctx vm = { .base = BASE, .size = S, .sys = true };
static const struct mvgpu_cmd_ctx host = { .base = BASE, .size = S };

struct tcase {
	const char *what;
	uint32_t opcode, flags;
	uint64_t args[7];
	uint32_t error;
};

static uint32_t decode(const struct mvgpu_cmd_ctx *ctx, const struct tcase *t,
		       struct mvgpu_op *op)
{
	struct mvgpu_cmd cmd = {
		.opcode = htole32(t->opcode),
		.flags = htole32(t->flags),
	};
	unsigned int i;

	for (i = 0; i < 7; i++)
		cmd.args[i] = htole64(t->args[i]);
	return mvgpu_cmd_decode(ctx, &cmd, op);
}

/* Expect error @want from case @t, naming the case when it differs. */
#define EXPECT_DECODE(want, ctx, t, op) do {				\
		const struct tcase *_t = (t);				\
		uint32_t _want = (want);				\
		uint32_t _got = decode(ctx, _t, op);			\
									\
		if (_got != _want)					\
			fprintf(stderr, "# %s: error %u, expected %u\n",	\
				_t->what, _got, _want);			\
		EXPECT_EQ(_want, _got);					\
	} while (0)

#define SRC	MVGPU_CMD_F_SRC_SYS
#define DST	MVGPU_CMD_F_DST_SYS

static const struct tcase cases[] = {
	/* The opcode first, whatever the rest says. */
	{ "unknown opcode", 77, 0, {}, MVGPU_ERR_BAD_OPCODE },
	{ "huge opcode", 0xffffffff, 0xff, { 1 }, MVGPU_ERR_BAD_OPCODE },
	{ "opcode 2^31", 0x80000000u, 0, {}, MVGPU_ERR_BAD_OPCODE },
	/* NOP */
	{ "NOP", MVGPU_OP_NOP, 0, {}, 0 },
	{ "NOP flags", MVGPU_OP_NOP, 8, {}, MVGPU_ERR_BAD_FLAGS },
	{ "NOP IRQ flag", MVGPU_OP_NOP, MVGPU_CMD_F_IRQ, {}, MVGPU_ERR_BAD_FLAGS },
	{ "NOP arg 6", MVGPU_OP_NOP, 0, { 0, 0, 0, 0, 0, 0, 1 },
	  MVGPU_ERR_BAD_FLAGS },
	{ "NOP arg 0", MVGPU_OP_NOP, 0, { 1 }, MVGPU_ERR_BAD_FLAGS },
	/* FENCE */
	{ "FENCE", MVGPU_OP_FENCE, 0, { ~0ull }, 0 },
	{ "FENCE IRQ", MVGPU_OP_FENCE, MVGPU_CMD_F_IRQ, { 5 }, 0 },
	{ "FENCE SRC_SYS", MVGPU_OP_FENCE, SRC, { 5 }, MVGPU_ERR_BAD_FLAGS },
	{ "FENCE arg 1", MVGPU_OP_FENCE, 0, { 5, 1 }, MVGPU_ERR_BAD_FLAGS },
	/* TIMESTAMP */
	{ "TIMESTAMP", MVGPU_OP_TIMESTAMP, 0, { S - 8 }, 0 },
	{ "TIMESTAMP past slice", MVGPU_OP_TIMESTAMP, 0, { S },
	  MVGPU_ERR_BAD_RANGE },
	{ "TIMESTAMP misaligned", MVGPU_OP_TIMESTAMP, 0, { 4 },
	  MVGPU_ERR_BAD_RANGE },
	{ "TIMESTAMP flags", MVGPU_OP_TIMESTAMP, MVGPU_CMD_F_IRQ, { 0 },
	  MVGPU_ERR_BAD_FLAGS },
	{ "TIMESTAMP arg 1", MVGPU_OP_TIMESTAMP, 0, { 0, 8 },
	  MVGPU_ERR_BAD_FLAGS },
	/* FILL */
	{ "FILL whole slice", MVGPU_OP_FILL, 0, { 0, S, 0xffffffff }, 0 },
	{ "FILL past slice", MVGPU_OP_FILL, 0, { S - 4, 8 },
	  MVGPU_ERR_BAD_RANGE },
	{ "FILL wrapping", MVGPU_OP_FILL, 0, { 0xfffffffffffff000ull, 0x2000 },
	  MVGPU_ERR_BAD_RANGE },
	{ "FILL huge", MVGPU_OP_FILL, 0, { 0, 1ull << 62 }, MVGPU_ERR_BAD_RANGE },
	{ "FILL slice + 4", MVGPU_OP_FILL, 0, { 0, S + 4 }, MVGPU_ERR_BAD_RANGE },
	{ "FILL misaligned dst", MVGPU_OP_FILL, 0, { 2, 8 }, MVGPU_ERR_BAD_RANGE },
	{ "FILL misaligned len", MVGPU_OP_FILL, 0, { 0, 6 }, MVGPU_ERR_BAD_RANGE },
	{ "FILL zero", MVGPU_OP_FILL, 0, { 0, 0 }, MVGPU_ERR_BAD_SIZE },
	{ "FILL wide pattern", MVGPU_OP_FILL, 0, { 0, 4, 1ull << 32 },
	  MVGPU_ERR_BAD_FLAGS },
	{ "FILL wide pattern, zero size", MVGPU_OP_FILL, 0, { 0, 0, 1ull << 32 },
	  MVGPU_ERR_BAD_FLAGS },
	{ "FILL arg 3", MVGPU_OP_FILL, 0, { 0, 4, 0, 1 }, MVGPU_ERR_BAD_FLAGS },
	/* COPY */
	{ "COPY", MVGPU_OP_COPY, 0, { 0, 4096, 4096 }, 0 },
	{ "COPY odd", MVGPU_OP_COPY, 0, { 1, 4099, 3 }, 0 },
	{ "COPY overlap", MVGPU_OP_COPY, 0, { 0, 100, 4096 },
	  MVGPU_ERR_BAD_RANGE },
	{ "COPY beyond slice", MVGPU_OP_COPY, 0, { 0, S - 100, 4096 },
	  MVGPU_ERR_BAD_RANGE },
	{ "COPY both sys", MVGPU_OP_COPY, SRC | DST, { 0, 0, 64 },
	  MVGPU_ERR_BAD_FLAGS },
	{ "COPY IRQ flag", MVGPU_OP_COPY, MVGPU_CMD_F_IRQ, { 0, 64, 64 },
	  MVGPU_ERR_BAD_FLAGS },
	{ "COPY sys wrap", MVGPU_OP_COPY, SRC,
	  { 0, 0xffffffffffffff00ull, 4096 }, MVGPU_ERR_BAD_RANGE },
	{ "COPY sys dst wrap", MVGPU_OP_COPY, DST,
	  { 0xffffffffffffff00ull, 0, 4096 }, MVGPU_ERR_BAD_RANGE },
	{ "COPY to guest", MVGPU_OP_COPY, DST, { 0x123456000ull, 0, 65536 }, 0 },
	{ "COPY from guest", MVGPU_OP_COPY, SRC, { 0, 0x123456000ull, S }, 0 },
	{ "COPY zero", MVGPU_OP_COPY, 0, { 0, 64, 0 }, MVGPU_ERR_BAD_SIZE },
	/* A count too large for the slice: BAD_RANGE, as for every opcode. */
	{ "COPY larger than VRAM", MVGPU_OP_COPY, 0, { 0, 0, S + 4096 },
	  MVGPU_ERR_BAD_RANGE },
	{ "COPY huge", MVGPU_OP_COPY, 0, { 0, 0, 1ull << 62 },
	  MVGPU_ERR_BAD_RANGE },
	{ "COPY huge from guest", MVGPU_OP_COPY, SRC, { 0, 0, 1ull << 62 },
	  MVGPU_ERR_BAD_RANGE },
	{ "COPY huge to guest", MVGPU_OP_COPY, DST, { 0, 0, S + 1 },
	  MVGPU_ERR_BAD_RANGE },
	{ "COPY arg 3", MVGPU_OP_COPY, 0, { 0, 64, 64, 1 }, MVGPU_ERR_BAD_FLAGS },
	/* GEMM_I32 */
	{ "GEMM", MVGPU_OP_GEMM_I32, 0, { 0, 1 << 20, 2 << 20, 16, 16, 16 }, 0 },
	{ "GEMM dim 0", MVGPU_OP_GEMM_I32, 0, { 0, 1 << 20, 2 << 20, 0, 4, 4 },
	  MVGPU_ERR_BAD_SIZE },
	{ "GEMM K 0", MVGPU_OP_GEMM_I32, 0, { 0, 1 << 20, 2 << 20, 4, 4, 0 },
	  MVGPU_ERR_BAD_SIZE },
	{ "GEMM dim huge", MVGPU_OP_GEMM_I32, 0,
	  { 0, 1 << 20, 2 << 20, 4097, 4, 4 }, MVGPU_ERR_BAD_SIZE },
	{ "GEMM C past slice", MVGPU_OP_GEMM_I32, 0,
	  { S - 64, 0, 1 << 20, 4096, 4096, 1 }, MVGPU_ERR_BAD_RANGE },
	{ "GEMM C overlaps A", MVGPU_OP_GEMM_I32, 0,
	  { 0, 64, 2 << 20, 16, 16, 16 }, MVGPU_ERR_BAD_RANGE },
	{ "GEMM C overlaps B", MVGPU_OP_GEMM_I32, 0,
	  { 2 << 20, 0, 2 << 20, 16, 16, 16 }, MVGPU_ERR_BAD_RANGE },
	{ "GEMM A is B", MVGPU_OP_GEMM_I32, 0,
	  { 0, 1 << 20, 1 << 20, 16, 16, 16 }, 0 },
	{ "GEMM misaligned", MVGPU_OP_GEMM_I32, 0,
	  { 2, 1 << 20, 2 << 20, 16, 16, 16 }, MVGPU_ERR_BAD_RANGE },
	{ "GEMM arg 6", MVGPU_OP_GEMM_I32, 0,
	  { 0, 1 << 20, 2 << 20, 16, 16, 16, 1 }, MVGPU_ERR_BAD_FLAGS },
	/* AXPY_I32 */
	{ "AXPY", MVGPU_OP_AXPY_I32, 0, { 0, 4096, 1024, 3 }, 0 },
	{ "AXPY in place", MVGPU_OP_AXPY_I32, 0, { 64, 64, 100, 3 }, 0 },
	{ "AXPY partial overlap", MVGPU_OP_AXPY_I32, 0, { 0, 4, 100, 2 },
	  MVGPU_ERR_BAD_RANGE },
	{ "AXPY count overflow", MVGPU_OP_AXPY_I32, 0,
	  { 0, 1 << 20, 0x4000000000000001ull, 2 }, MVGPU_ERR_BAD_RANGE },
	{ "AXPY slice + 1 elements", MVGPU_OP_AXPY_I32, 0, { 0, 0, S / 4 + 1 },
	  MVGPU_ERR_BAD_RANGE },
	{ "AXPY zero", MVGPU_OP_AXPY_I32, 0, { 0, 64, 0, 2 }, MVGPU_ERR_BAD_SIZE },
	{ "AXPY wide a", MVGPU_OP_AXPY_I32, 0, { 0, 64, 4, 1ull << 32 },
	  MVGPU_ERR_BAD_FLAGS },
	{ "AXPY arg 4", MVGPU_OP_AXPY_I32, 0, { 0, 64, 4, 1, 1 },
	  MVGPU_ERR_BAD_FLAGS },
	/* REDUCE_I32 */
	{ "REDUCE", MVGPU_OP_REDUCE_I32, 0, { 0, 1 << 20, 16 }, 0 },
	{ "REDUCE dst in src", MVGPU_OP_REDUCE_I32, 0, { 8, 0, 16 }, 0 },
	{ "REDUCE dst misaligned", MVGPU_OP_REDUCE_I32, 0, { 4, 1 << 20, 16 },
	  MVGPU_ERR_BAD_RANGE },
	{ "REDUCE slice + 1 elements", MVGPU_OP_REDUCE_I32, 0,
	  { 0, 0, S / 4 + 1 }, MVGPU_ERR_BAD_RANGE },
	{ "REDUCE zero", MVGPU_OP_REDUCE_I32, 0, { 0, 64, 0 },
	  MVGPU_ERR_BAD_SIZE },
	{ "REDUCE arg 3", MVGPU_OP_REDUCE_I32, 0, { 0, 64, 4, 1 },
	  MVGPU_ERR_BAD_FLAGS },
	/* SPIN */
	{ "SPIN", MVGPU_OP_SPIN, 0, { MVGPU_SPIN_MAX_NS }, 0 },
	{ "SPIN too long", MVGPU_OP_SPIN, 0, { MVGPU_SPIN_MAX_NS + 1 },
	  MVGPU_ERR_BAD_SIZE },
	{ "SPIN zero", MVGPU_OP_SPIN, 0, { 0 }, MVGPU_ERR_BAD_SIZE },
	{ "SPIN flags", MVGPU_OP_SPIN, MVGPU_CMD_F_IRQ, { 1 },
	  MVGPU_ERR_BAD_FLAGS },
	{ "SPIN arg 1", MVGPU_OP_SPIN, 0, { 1, 1 }, MVGPU_ERR_BAD_FLAGS },
};

/* Each command of the corpus gets its documented error, or none. */
TEST(corpus)
{
	struct mvgpu_op op;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		EXPECT_DECODE(cases[i].error, &vm, &cases[i], &op);
}

/* The host path has no guest memory: the _SYS flags are refused there. */
TEST(host_has_no_guest_memory)
{
	static const struct tcase sys[] = {
		{ "to guest", MVGPU_OP_COPY, DST, { 0x1000, 0, 64 } },
		{ "from guest", MVGPU_OP_COPY, SRC, { 0, 0x1000, 64 } },
	};
	const struct tcase plain = { "plain", MVGPU_OP_COPY, 0, { 0, 64, 64 } };
	struct mvgpu_op op;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sys); i++) {
		EXPECT_EQ(MVGPU_ERR_BAD_FLAGS, decode(&host, &sys[i], &op));
		EXPECT_EQ(0, decode(&vm, &sys[i], &op));
	}
	EXPECT_EQ(0, decode(&host, &plain, &op));
}

/* BAD_FLAGS before BAD_SIZE before BAD_RANGE, as the manual orders them. */
TEST(check_order)
{
	static const struct tcase order[] = {
		{ "flags and size", MVGPU_OP_FILL, 1, { 2, 0 },
		  MVGPU_ERR_BAD_FLAGS },
		{ "arg and size", MVGPU_OP_SPIN, 0, { 0, 1 },
		  MVGPU_ERR_BAD_FLAGS },
		{ "size and range", MVGPU_OP_GEMM_I32, 0, { 2, 2, 2, 0, 1, 1 },
		  MVGPU_ERR_BAD_SIZE },
		{ "both sys and size", MVGPU_OP_COPY, SRC | DST, { 0, 0, 0 },
		  MVGPU_ERR_BAD_FLAGS },
	};
	struct mvgpu_op op;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(order); i++)
		EXPECT_DECODE(order[i].error, &vm, &order[i], &op);
}

/* An accepted command becomes an op with absolute VRAM offsets. */
TEST(op_fields)
{
	const struct tcase fill = { "", MVGPU_OP_FILL, 0, { 64, 128, 0xabcd } };
	const struct tcase copy = { "", MVGPU_OP_COPY, SRC, { 64, 0x5000, 12 } };
	const struct tcase gemm = { "", MVGPU_OP_GEMM_I32, 0,
				    { 0, 4096, 8192, 2, 3, 4 } };
	const struct tcase ts = { "", MVGPU_OP_TIMESTAMP, 0, { 4096 } };
	const struct tcase fence = { "", MVGPU_OP_FENCE, MVGPU_CMD_F_IRQ,
				     { 42 } };
	struct mvgpu_op op;

	ASSERT_EQ(0, decode(&vm, &fill, &op));
	EXPECT_EQ(MVGPU_OP_FILL, op.opcode);
	EXPECT_EQ(BASE + 64, op.dst);
	EXPECT_EQ(128, op.len);
	EXPECT_EQ(0xabcd, op.value);
	EXPECT_EQ(0, op.progress);

	ASSERT_EQ(0, decode(&vm, &copy, &op));
	EXPECT_EQ(BASE + 64, op.dst);
	EXPECT_EQ(0x5000, op.src);	/* an IOVA: not moved */
	EXPECT_EQ(12, op.len);
	EXPECT_EQ(SRC, op.flags);

	ASSERT_EQ(0, decode(&vm, &gemm, &op));
	EXPECT_EQ(BASE, op.dst);
	EXPECT_EQ(BASE + 4096, op.src);
	EXPECT_EQ(BASE + 8192, op.src2);
	EXPECT_EQ(2, op.m);
	EXPECT_EQ(3, op.n);
	EXPECT_EQ(4, op.k);

	/* The core writes TIMESTAMP itself, slice-relative. */
	ASSERT_EQ(0, decode(&vm, &ts, &op));
	EXPECT_EQ(4096, op.dst);

	ASSERT_EQ(0, decode(&vm, &fence, &op));
	EXPECT_EQ(42, op.value);
	EXPECT_EQ(MVGPU_CMD_F_IRQ, op.flags);
}

/* A command that names the slice's last byte fits; one more does not. */
TEST(slice_edges)
{
	const struct tcase last = { "", MVGPU_OP_COPY, 0, { S - 1, 0, 1 } };
	const struct tcase over = { "", MVGPU_OP_COPY, 0, { S, 0, 1 } };
	const struct mvgpu_cmd_ctx big = { .base = 0, .size = 1ull << 40 };
	const struct tcase gemm_max = { "", MVGPU_OP_GEMM_I32, 0,
		{ 0, 64ull << 20, 128ull << 20, 4096, 4096, 4096 } };
	struct mvgpu_op op;

	EXPECT_EQ(0, decode(&vm, &last, &op));
	EXPECT_EQ(MVGPU_ERR_BAD_RANGE, decode(&vm, &over, &op));
	/* Three 64 MiB matrices fit a large slice. */
	EXPECT_EQ(0, decode(&big, &gemm_max, &op));
}

TEST_HARNESS_MAIN
