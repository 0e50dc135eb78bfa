// SPDX-License-Identifier: GPL-2.0
/*
 * mvgpu command execution: every opcode produces the bytes the manual
 * promises (compared with the same computation in userspace), fences and
 * the doorbell protocol behave, and guest-memory copies work through both
 * the small (vfio_dma_rw) and the pinned path.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mvgpu_test.h"

#define IOVA_BASE	0x100000000ull

FIXTURE(cmd) {
	char uuid[MVGPU_UUID_LEN];
	struct mvgpu_ctx c;
};

FIXTURE_VARIANT(cmd) {
	const char *type;
};

FIXTURE_VARIANT_ADD(cmd, ts) {
	.type = "mvgpu-ts-64m",
};

FIXTURE_VARIANT_ADD(cmd, part) {
	.type = "mvgpu-part-1e-64m",
};

FIXTURE_SETUP(cmd)
{
	MVGPU_HOST_CHECK(false);
	ASSERT_EQ(0, mvgpu_load(NULL));
	mvgpu_uuid_gen(self->uuid);
	ASSERT_EQ(0, mdev_create(variant->type, self->uuid));
	ASSERT_EQ(0, mvgpu_ctx_open(self->uuid, &self->c));
}

FIXTURE_TEARDOWN(cmd)
{
	mvgpu_ctx_close(&self->c);
	/* Nothing stays pinned once the device is closed. */
	EXPECT_EQ(0, mvgpu_vgpu_u64(self->uuid,
				    "mvgpu_stats/dma_pinned_pages"));
	EXPECT_EQ(0, mdev_remove(self->uuid));
}

/* One of the vGPU's mvgpu_stats counters. */
#define vgpu_stat(self, name) mvgpu_vgpu_u64((self)->uuid, "mvgpu_stats/" name)
#define pinned(self) vgpu_stat(self, "dma_pinned_pages")

static struct mvgpu_cmd mkcmd(uint32_t op, uint32_t flags, uint64_t a0,
			      uint64_t a1, uint64_t a2, uint64_t a3,
			      uint64_t a4, uint64_t a5)
{
	struct mvgpu_cmd c = {
		.opcode = op, .flags = flags,
		.args = { a0, a1, a2, a3, a4, a5, 0 },
	};

	return c;
}

/* Submit one command plus a fence and wait for it. */
static int run1(struct mvgpu_ctx *c, struct mvgpu_cmd cmd)
{
	uint64_t seq;
	int ret;

	ret = mvgpu_ctx_submit(c, &cmd, 1);
	if (ret)
		return ret;
	seq = mvgpu_ctx_fence(c, 0);
	return seq ? mvgpu_ctx_wait(c, seq, 20000) : -EIO;
}

TEST_F(cmd, features_and_fence)
{
	uint32_t feat, lo;
	uint64_t seq;

	ASSERT_EQ(0, vfio_mmio_read32(self->c.vd.device, MVGPU_REG_FEATURES,
				      &feat));
	EXPECT_TRUE(feat & MVGPU_FEAT_RING);
	/* Interface 1.1: GEMM_F32. */
	EXPECT_TRUE(feat & MVGPU_FEAT_GEMM_F32);
	ASSERT_EQ(0, vfio_mmio_read32(self->c.vd.device, MVGPU_REG_VERSION,
				      &lo));
	EXPECT_EQ(0x00010002, lo);	/* 1.2: GEMM_F32 (1.1), display */
	seq = mvgpu_ctx_fence(&self->c, 0);
	ASSERT_EQ(1, seq);
	ASSERT_EQ(0, mvgpu_ctx_wait(&self->c, seq, 10000));
	ASSERT_EQ(0, vfio_mmio_read32(self->c.vd.device,
				      MVGPU_QUEUE_BASE(0) + MVGPU_QREG_FENCE_LO,
				      &lo));
	EXPECT_EQ(1, lo);
	EXPECT_EQ(0, mvgpu_ctx_error(&self->c, NULL));
}

TEST_F(cmd, fill)
{
	uint32_t *p = (uint32_t *)self->c.vram;
	unsigned int i;

	ASSERT_EQ(0, run1(&self->c, mkcmd(MVGPU_OP_FILL, 0, 4096, 1 << 20,
					  0xdeadbeef, 0, 0, 0)));
	EXPECT_EQ(0, p[1023]);
	for (i = 1024; i < 1024 + (1 << 18); i++)
		if (p[i] != 0xdeadbeef)
			break;
	EXPECT_EQ(1024 + (1 << 18), i);
	EXPECT_EQ(0, p[i]);
}

TEST_F(cmd, copy_vram)
{
	uint8_t *v = self->c.vram;
	size_t len = 3 << 20;
	unsigned int i;

	for (i = 0; i < len; i++)
		v[i] = i * 7 + 3;
	ASSERT_EQ(0, run1(&self->c, mkcmd(MVGPU_OP_COPY, 0, 8 << 20, 0, len,
					  0, 0, 0)));
	EXPECT_EQ(0, memcmp(v, v + (8 << 20), len));
}

/*
 * The engines copy and fill with vector stores where the CPU has them:
 * unaligned heads and tails, lengths around the vector and chunk sizes,
 * and bytes just outside the range, which must stay untouched.  (VRAM
 * ranges of one COPY may not overlap.)
 */
TEST_F(cmd, copy_fill_unaligned)
{
	static const struct { uint64_t dst, src, len; } copies[] = {
		{ 1, 3, 1 }, { 5, 70, 31 }, { 33, 200, 63 },
		{ 4099, 9001, 4097 }, { 65536 + 7, 400013, 262144 + 33 },
		{ 1000001, 3000003, 1 << 20 },
	};
	static const struct { uint64_t dst, len; } fills[] = {
		{ 4, 4 }, { 12, 28 }, { 36, 60 }, { 4100, 8188 },
		{ 131076, 262144 + 12 },
	};
	uint8_t *v = self->c.vram;
	size_t area = 6 << 20;
	unsigned int i, t;
	uint8_t *ref = malloc(area);

	ASSERT_NE(NULL, ref);
	for (t = 0; t < ARRAY_SIZE(copies); t++) {
		for (i = 0; i < area; i++)
			v[i] = i * 131 + t;
		memcpy(ref, v, area);
		memmove(ref + copies[t].dst, ref + copies[t].src, copies[t].len);
		ASSERT_EQ(0, run1(&self->c, mkcmd(MVGPU_OP_COPY, 0,
						  copies[t].dst, copies[t].src,
						  copies[t].len, 0, 0, 0)));
		EXPECT_EQ(0, memcmp(ref, v, area))
			TH_LOG("COPY %llu <- %llu, %llu bytes",
			       (unsigned long long)copies[t].dst,
			       (unsigned long long)copies[t].src,
			       (unsigned long long)copies[t].len);
	}
	for (t = 0; t < ARRAY_SIZE(fills); t++) {
		uint32_t pat = 0x01020304u * (t + 1);

		memset(v, 0xee, area);
		memset(ref, 0xee, area);
		for (i = 0; i < fills[t].len; i += 4)
			memcpy(ref + fills[t].dst + i, &pat, 4);
		ASSERT_EQ(0, run1(&self->c, mkcmd(MVGPU_OP_FILL, 0, fills[t].dst,
						  fills[t].len, pat, 0, 0, 0)));
		EXPECT_EQ(0, memcmp(ref, v, area))
			TH_LOG("FILL at %llu, %llu bytes",
			       (unsigned long long)fills[t].dst,
			       (unsigned long long)fills[t].len);
	}
	free(ref);
}

static void gemm_ref(uint32_t *c, const uint32_t *a, const uint32_t *b,
		     unsigned int m, unsigned int n, unsigned int k)
{
	unsigned int i, j, p;

	for (i = 0; i < m; i++)
		for (j = 0; j < n; j++) {
			uint32_t s = 0;

			for (p = 0; p < k; p++)
				s += a[i * k + p] * b[p * n + j];
			c[i * n + j] = s;
		}
}

TEST_F(cmd, gemm)
{
	const unsigned int m = 67, n = 300, k = 129;
	uint32_t *a = (uint32_t *)self->c.vram;
	uint32_t *b = a + m * k;
	uint32_t *cv = (uint32_t *)(self->c.vram + (4 << 20));
	uint32_t *ref = malloc(m * n * 4);
	unsigned int i;

	ASSERT_NE(NULL, ref);
	srand(1);
	for (i = 0; i < m * k; i++)
		a[i] = rand();
	for (i = 0; i < k * n; i++)
		b[i] = rand();
	gemm_ref(ref, a, b, m, n, k);
	ASSERT_EQ(0, run1(&self->c, mkcmd(MVGPU_OP_GEMM_I32, 0, 4 << 20, 0,
					  m * k * 4, m, n, k)));
	EXPECT_EQ(0, memcmp(ref, cv, m * n * 4));
	free(ref);
}

/*
 * GEMM_F32 against a double-precision reference, within the manual's
 * bound: |c - ref| <= K * 2^-23 * sum over p of |a[i][p] * b[p][j]|
 * + K * 2^-124.
 */
static float f32_from_bits(uint32_t u)
{
	float f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

/* 2^-23 and 2^-124, exactly: binary32 with biased exponents 104 and 3. */
#define F32_2_M23	((double)f32_from_bits(104u << 23))
#define F32_2_M124	((double)f32_from_bits(3u << 23))

static double absd(double x)
{
	return x < 0 ? -x : x;
}

/* Either sign, exponent in [-8, 8], any mantissa: no overflow, no underflow. */
static float f32_rand(void)
{
	uint32_t e = 127 - 8 + rand() % 17;

	return f32_from_bits((uint32_t)(rand() & 1) << 31 | e << 23 |
			     (rand() & 0x7fffff));
}

/*
 * Elements of the m x n matrix @c outside the bound; *worst: the largest
 * error as a fraction of the bound.
 */
static unsigned int gemm_f32_check(const float *c, const float *a,
				   const float *b, unsigned int m,
				   unsigned int n, unsigned int k,
				   double *worst)
{
	unsigned int i, j, p, bad = 0;

	*worst = 0;
	for (i = 0; i < m; i++)
		for (j = 0; j < n; j++) {
			double s = 0, sabs = 0, err, bound;

			for (p = 0; p < k; p++) {
				double x = (double)a[(size_t)i * k + p] *
					   b[(size_t)p * n + j];

				s += x;
				sabs += absd(x);
			}
			bound = k * F32_2_M23 * sabs + k * F32_2_M124;
			err = absd(c[(size_t)i * n + j] - s);
			/* !(err <= bound): a NaN result fails too. */
			if (!(err <= bound))
				bad++;
			else if (err / bound > *worst)
				*worst = err / bound;
		}
	return bad;
}

/*
 * Shapes around the engine's vector width (8 and 32 columns) and tile
 * sizes (4 rows, 64 of K), the one-row, one-column and K = 1 edges up to
 * MVGPU_GEMM_MAX_DIM, and products of several chunks (2^18 multiply-adds
 * with mvgpu_sim), each command under 1.2 M multiply-adds: emulated float
 * is slow (about 20 M/s under TCG), and the watchdog stops a command at
 * 400 ms.  A and B are read, never written; C's surroundings stay
 * untouched.
 */
TEST_F(cmd, gemm_f32_shapes)
{
	static const struct { unsigned int m, n, k; } shapes[] = {
		{ 1, 1, 1 }, { 1, 7, 5 }, { 3, 9, 63 }, { 4, 31, 65 },
		{ 5, 33, 129 }, { 1, 37, 129 }, { 7, 257, 70 },
		{ 67, 100, 129 }, { 70, 130, 100 },
		{ 1, 4096, 1 }, { 4096, 1, 1 }, { 1, 1, 4096 },
		{ 1, 4096, 16 }, { 4096, 2, 64 }, { 9, 31, 4096 },
	};
	const size_t cbase = 32 << 20, guard = 4096;
	uint8_t *v = self->c.vram;
	float *a = (float *)v;
	unsigned int t, i, bad;
	double worst;

	srand(2);
	for (t = 0; t < ARRAY_SIZE(shapes); t++) {
		unsigned int m = shapes[t].m, n = shapes[t].n, k = shapes[t].k;
		size_t abytes = (size_t)m * k * 4, bbytes = (size_t)k * n * 4;
		size_t cbytes = (size_t)m * n * 4;
		float *b = (float *)(v + abytes);
		uint8_t *ref = malloc(abytes + bbytes);

		ASSERT_NE(NULL, ref);
		for (i = 0; i < m * k; i++)
			a[i] = f32_rand();
		for (i = 0; i < k * n; i++)
			b[i] = f32_rand();
		memcpy(ref, v, abytes + bbytes);
		memset(v + cbase - guard, 0xa5, cbytes + 2 * guard);
		ASSERT_EQ(0, run1(&self->c, mkcmd(MVGPU_OP_GEMM_F32, 0, cbase,
						  0, abytes, m, n, k)))
			TH_LOG("%ux%ux%u", m, n, k);
		bad = gemm_f32_check((float *)(v + cbase), a, b, m, n, k,
				     &worst);
		EXPECT_EQ(0, bad) TH_LOG("%ux%ux%u: %u elements outside the bound",
					 m, n, k, bad);
		TH_LOG("%ux%ux%u: largest error %.3f of the bound", m, n, k,
		       worst);
		EXPECT_EQ(0, memcmp(ref, v, abytes + bbytes))
			TH_LOG("%ux%ux%u: A or B changed", m, n, k);
		for (i = 0; i < guard; i++)
			if (v[cbase - guard + i] != 0xa5 ||
			    v[cbase + cbytes + i] != 0xa5)
				break;
		EXPECT_EQ(guard, i) TH_LOG("%ux%ux%u: wrote outside C", m, n, k);
		free(ref);
	}
}

/*
 * Small integers: every product and partial sum is exact in binary32, so
 * any order gives the exact result, which GEMM_I32 computes from the same
 * integers.  A and B may be the same matrix.
 */
TEST_F(cmd, gemm_f32_exact)
{
	const unsigned int m = 37, n = 41, k = 700, d = 48;
	uint8_t *v = self->c.vram;
	float *af = (float *)v, *bf = af + m * k, *cf;
	int32_t *ai = (int32_t *)(v + (8 << 20)), *bi = ai + m * k, *ci;
	size_t c_off = 16 << 20, ci_off = 24 << 20;
	unsigned int i, bad = 0;

	for (i = 0; i < m * k; i++) {
		ai[i] = (int32_t)(i * 2654435761u >> 28) - 8;	/* -8..7 */
		af[i] = (float)ai[i];
	}
	for (i = 0; i < k * n; i++) {
		bi[i] = (int32_t)(i * 2246822519u >> 28) - 8;
		bf[i] = (float)bi[i];
	}
	ASSERT_EQ(0, run1(&self->c, mkcmd(MVGPU_OP_GEMM_F32, 0, c_off, 0,
					  m * k * 4, m, n, k)));
	ASSERT_EQ(0, run1(&self->c, mkcmd(MVGPU_OP_GEMM_I32, 0, ci_off,
					  8 << 20, (8 << 20) + m * k * 4,
					  m, n, k)));
	cf = (float *)(v + c_off);
	ci = (int32_t *)(v + ci_off);
	for (i = 0; i < m * n; i++)
		if (cf[i] != (float)ci[i])
			bad++;
	EXPECT_EQ(0, bad);

	/* C = A x A, square, the same range as both operands. */
	for (i = 0; i < d * d; i++)
		af[i] = (float)ai[i];
	ASSERT_EQ(0, run1(&self->c, mkcmd(MVGPU_OP_GEMM_F32, 0, c_off, 0, 0,
					  d, d, d)));
	ASSERT_EQ(0, run1(&self->c, mkcmd(MVGPU_OP_GEMM_I32, 0, ci_off,
					  8 << 20, 8 << 20, d, d, d)));
	for (i = 0, bad = 0; i < d * d; i++)
		if (cf[i] != (float)ci[i])
			bad++;
	EXPECT_EQ(0, bad);
}

/*
 * NaN, infinities, overflow and denormals, as the manual states them
 * for every backend.  A is 4 x 2, B is 2 x 4:
 *   B = [ 2  -2  0     1 ]
 *       [ 1   1  1  -inf ]
 */
TEST_F(cmd, gemm_f32_special)
{
	const float inf = __builtin_inff(), nan = __builtin_nanf("");
	/* The largest binary32, and the denormal 2^-140. */
	const float big = f32_from_bits(0x7f7fffff);
	const float tiny = f32_from_bits(1u << 9);
	const float a[4][2] = {
		{ nan, 1 },	/* a NaN operand: NaN everywhere */
		{ inf, 1 },	/* inf x 0 = NaN, inf - inf = NaN */
		{ big, big },	/* finite products, sums beyond the range */
		{ tiny, 0 },	/* a denormal (may be flushed); 0 x inf */
	};
	const float b[2][4] = { { 2, -2, 0, 1 }, { 1, 1, 1, -inf } };
	float *c = (float *)(self->c.vram + (1 << 20));
	unsigned int j;

	memcpy(self->c.vram, a, sizeof(a));
	memcpy(self->c.vram + 4096, b, sizeof(b));
	ASSERT_EQ(0, run1(&self->c, mkcmd(MVGPU_OP_GEMM_F32, 0, 1 << 20, 0,
					  4096, 4, 4, 2)));
	for (j = 0; j < 4; j++)
		EXPECT_TRUE(__builtin_isnan(c[j])) TH_LOG("C[0][%u] %a", j, c[j]);
	EXPECT_TRUE(c[4] == inf) TH_LOG("C[1][0] %a", c[4]);
	EXPECT_TRUE(c[5] == -inf) TH_LOG("C[1][1] %a", c[5]);
	EXPECT_TRUE(__builtin_isnan(c[6])) TH_LOG("C[1][2] %a", c[6]);
	EXPECT_TRUE(__builtin_isnan(c[7])) TH_LOG("C[1][3] %a", c[7]);
	/*
	 * One sign, sum of magnitudes >= 2^129: that infinity.  C[2][1]
	 * (-2 big + big) and C[2][2] depend on the order of the additions.
	 */
	EXPECT_TRUE(c[8] == inf) TH_LOG("C[2][0] %a", c[8]);
	EXPECT_TRUE(c[11] == -inf) TH_LOG("C[2][3] %a", c[11]);
	/* 2^-139 exactly, or zero where denormals flush. */
	EXPECT_TRUE(c[12] == 2 * tiny || c[12] == 0) TH_LOG("C[3][0] %a", c[12]);
	EXPECT_TRUE(c[13] == -2 * tiny || c[13] == 0)
		TH_LOG("C[3][1] %a", c[13]);
	EXPECT_TRUE(c[14] == 0) TH_LOG("C[3][2] %a", c[14]);
	EXPECT_TRUE(__builtin_isnan(c[15])) TH_LOG("C[3][3] %a", c[15]);
	EXPECT_EQ(0, mvgpu_ctx_error(&self->c, NULL));
}

TEST_F(cmd, axpy_reduce)
{
	const unsigned int n = 100000;
	uint32_t *x = (uint32_t *)self->c.vram;
	uint32_t *y = x + n;
	uint64_t *sum = (uint64_t *)(self->c.vram + (2 << 20));
	uint64_t want = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		x[i] = i * 2654435761u;
		y[i] = i;
	}
	ASSERT_EQ(0, run1(&self->c, mkcmd(MVGPU_OP_AXPY_I32, 0, n * 4, 0, n,
					  3, 0, 0)));
	for (i = 0; i < n; i++) {
		uint32_t v = 3 * (i * 2654435761u) + i;

		want += v;
		if (y[i] != v)
			break;
	}
	EXPECT_EQ(n, i);
	ASSERT_EQ(0, run1(&self->c, mkcmd(MVGPU_OP_REDUCE_I32, 0, 2 << 20,
					  n * 4, n, 0, 0, 0)));
	EXPECT_EQ(want, *sum);
}

TEST_F(cmd, timestamp_and_spin)
{
	uint64_t *ts = (uint64_t *)self->c.vram;
	struct mvgpu_cmd cmds[3] = {
		mkcmd(MVGPU_OP_TIMESTAMP, 0, 0, 0, 0, 0, 0, 0),
		mkcmd(MVGPU_OP_SPIN, 0, 20 * 1000 * 1000, 0, 0, 0, 0, 0),
		mkcmd(MVGPU_OP_TIMESTAMP, 0, 8, 0, 0, 0, 0, 0),
	};
	uint64_t seq;

	ASSERT_EQ(0, mvgpu_ctx_submit(&self->c, cmds, 3));
	seq = mvgpu_ctx_fence(&self->c, 0);
	ASSERT_EQ(0, mvgpu_ctx_wait(&self->c, seq, 20000));
	EXPECT_GE(ts[1] - ts[0], 20 * 1000 * 1000);
}

/*
 * Guest memory <-> VRAM, small (vfio_dma_rw) and large sizes (pinned, with
 * pinning on; MVGPU_TEST_PIN=0 runs them through vfio_dma_rw as well).
 */
TEST_F(cmd, copy_sys)
{
	static const size_t sizes[] = { 64, 4096, 12345, 1 << 20, 5 << 20 };
	size_t buflen = 8 << 20;
	uint8_t *buf = mmap(NULL, buflen, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bool pin = mvgpu_pin_cache();
	unsigned int s, i;

	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_EQ(0, mvgpu_ctx_dma_map(&self->c, buf, buflen, IOVA_BASE));
	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		size_t len = sizes[s];

		for (i = 0; i < len; i++)
			buf[100 + i] = i * 13 + s;
		memset(self->c.vram, 0, len + 200);
		/* guest memory -> VRAM at offset 7 */
		ASSERT_EQ(0, run1(&self->c, mkcmd(MVGPU_OP_COPY,
						  MVGPU_CMD_F_SRC_SYS, 7,
						  IOVA_BASE + 100, len, 0, 0, 0)));
		EXPECT_EQ(0, memcmp(self->c.vram + 7, buf + 100, len))
			TH_LOG("to VRAM, %zu bytes", len);
		/* VRAM -> guest memory elsewhere */
		memset(buf + (6 << 20) - 4096, 0, 4096);
		ASSERT_EQ(0, run1(&self->c, mkcmd(MVGPU_OP_COPY,
						  MVGPU_CMD_F_DST_SYS,
						  IOVA_BASE + 3, 7, len, 0, 0, 0)));
		EXPECT_EQ(0, memcmp(buf + 3, self->c.vram + 7, len))
			TH_LOG("from VRAM, %zu bytes", len);
	}
	/* The large copies went through the pin cache, and it holds them. */
	if (pin) {
		EXPECT_GT(pinned(self), 0);
		EXPECT_GT(vgpu_stat(self, "dma_pins"), 0);
	} else {
		EXPECT_EQ(0, vgpu_stat(self, "dma_pins"));
	}
	/* Unmapping unpins: type1 called dma_unmap, nothing stays pinned. */
	ASSERT_EQ(0, mvgpu_ctx_dma_unmap(&self->c, buflen, IOVA_BASE));
	EXPECT_EQ(0, pinned(self));
	if (pin)
		EXPECT_GE(vgpu_stat(self, "dma_unmaps"), 1);
	munmap(buf, buflen);
}

/*
 * The pin cache never serves stale pages: after an unmap and a new
 * mapping of other memory at the same IOVA, a copy reads the new memory,
 * and a repeated copy from a mapping reuses its pins.
 */
TEST_F(cmd, copy_sys_remap)
{
	size_t len = 2 << 20;
	uint8_t *a = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *b = mmap(NULL, len, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct mvgpu_cmd in = mkcmd(MVGPU_OP_COPY, MVGPU_CMD_F_SRC_SYS, 0,
				    IOVA_BASE, len, 0, 0, 0);
	bool pin = mvgpu_pin_cache();
	uint64_t pins;

	ASSERT_NE(MAP_FAILED, a);
	ASSERT_NE(MAP_FAILED, b);
	memset(a, 0xa5, len);
	memset(b, 0x5b, len);

	ASSERT_EQ(0, mvgpu_ctx_dma_map(&self->c, a, len, IOVA_BASE));
	ASSERT_EQ(0, run1(&self->c, in));
	EXPECT_EQ(0, memcmp(self->c.vram, a, len));
	pins = vgpu_stat(self, "dma_pins");
	EXPECT_EQ(pin ? len / 4096 : 0, pinned(self));
	ASSERT_EQ(0, run1(&self->c, in));
	EXPECT_EQ(pins, vgpu_stat(self, "dma_pins")) TH_LOG("pages pinned again");

	ASSERT_EQ(0, mvgpu_ctx_dma_unmap(&self->c, len, IOVA_BASE));
	EXPECT_EQ(0, pinned(self));
	ASSERT_EQ(0, mvgpu_ctx_dma_map(&self->c, b, len, IOVA_BASE));
	ASSERT_EQ(0, run1(&self->c, in));
	EXPECT_EQ(0, memcmp(self->c.vram, b, len)) TH_LOG("stale pages");
	/* A revoked range is served unpinned until the device is closed. */
	EXPECT_EQ(0, pinned(self));

	ASSERT_EQ(0, mvgpu_ctx_dma_unmap(&self->c, len, IOVA_BASE));
	munmap(a, len);
	munmap(b, len);
}

/* A command naming an unmapped IOVA fails that vGPU with MVGPU_ERR_DMA. */
TEST_F(cmd, copy_unmapped_iova)
{
	uint32_t info = 0;

	EXPECT_EQ(-EIO, run1(&self->c, mkcmd(MVGPU_OP_COPY, MVGPU_CMD_F_SRC_SYS,
					     0, 0x7000000000ull, 1 << 20,
					     0, 0, 0)));
	EXPECT_EQ(MVGPU_ERR_DMA, mvgpu_ctx_error(&self->c, &info));
	EXPECT_EQ(0, info >> 24);
	/* Reset brings it back. */
	ASSERT_EQ(0, ioctl(self->c.vd.device, VFIO_DEVICE_RESET));
	EXPECT_EQ(0, mvgpu_ctx_error(&self->c, NULL));
	ASSERT_EQ(0, mvgpu_ctx_queue_setup(&self->c, 0, self->c.ring,
					   self->c.ring_size, self->c.qsa));
	EXPECT_EQ(0, run1(&self->c, mkcmd(MVGPU_OP_NOP, 0, 0, 0, 0, 0, 0, 0)));
}

/* Many small submissions while the ring stays busy ring few doorbells. */
TEST_F(cmd, doorbell_suppression)
{
	struct mvgpu_cmd cmds[64];
	unsigned int i, round;
	uint64_t seq = 0;

	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		cmds[i] = mkcmd(MVGPU_OP_FILL, 0, i * 4096, 4096, i, 0, 0, 0);
	self->c.doorbells = 0;
	for (round = 0; round < 50; round++) {
		ASSERT_EQ(0, mvgpu_ctx_submit(&self->c, cmds, ARRAY_SIZE(cmds)));
		seq = mvgpu_ctx_fence(&self->c, 0);
	}
	ASSERT_EQ(0, mvgpu_ctx_wait(&self->c, seq, 60000));
	TH_LOG("%u commands, %lu doorbells", 50 * 65,
	       (unsigned long)self->c.doorbells);
	EXPECT_LT(self->c.doorbells, 50 * 65 / 4);
}

#define FAIL_VRAM_RW	"/sys/module/mvgpu_sim/parameters/fail_vram_rw"

static uint64_t fail_vram_rw_left(struct __test_metadata *_metadata)
{
	uint64_t v = ~0ull;

	EXPECT_EQ(0, sysfs_read_u64(FAIL_VRAM_RW, &v));
	return v;
}

/*
 * The QSA holds only what the protocol allows after @seq was submitted
 * behind @ncmds commands: head a slot at or before the tail, the fence 0
 * or @seq, the flags 0 or 1, the rest zero.  Anything else would be bytes
 * the device made up (an unread command decoded from the host's stack).
 */
static void expect_sane_qsa(struct __test_metadata *_metadata,
			    struct mvgpu_ctx *c, uint64_t seq, unsigned int n)
{
	struct mvgpu_qsa *qsa = mvgpu_ctx_qsa(c);
	unsigned int i;

	EXPECT_EQ(c->tail, qsa->tail);
	EXPECT_EQ(0U, qsa->head % MVGPU_CMD_SIZE);
	EXPECT_LE(qsa->head, n * MVGPU_CMD_SIZE);
	EXPECT_LE(qsa->doorbell_needed, 1U);
	EXPECT_EQ(0U, qsa->irq_wanted);
	EXPECT_TRUE(qsa->fence == 0 || qsa->fence == seq)
		TH_LOG("qsa.fence 0x%llx", (unsigned long long)qsa->fence);
	for (i = 0; i < ARRAY_SIZE(qsa->reserved); i++)
		EXPECT_EQ(0U, qsa->reserved[i]);
}

/*
 * A VRAM access the backend fails, at each step of enabling a queue and
 * running NOP, TIMESTAMP, FENCE in turn (mvgpu_sim's fail_vram_rw, the
 * way fail-nth walks allocations): the vGPU enters its error state with
 * MVGPU_ERR_HOST, and the QSA holds nothing but protocol values.
 */
TEST_F(cmd, vram_rw_failure)
{
	struct mvgpu_cmd cmds[3] = {
		mkcmd(MVGPU_OP_NOP, 0, 0, 0, 0, 0, 0, 0),
		mkcmd(MVGPU_OP_TIMESTAMP, 0, 0, 0, 0, 0, 0, 0),
	};
	struct mvgpu_ctx *c = &self->c;
	unsigned int nth, fired = 0;
	uint32_t err, info;
	uint64_t seq;
	char val[16];
	int i, ret;

	if (!path_exists(FAIL_VRAM_RW))
		SKIP(return, "mvgpu_sim has no fail_vram_rw");
	for (nth = 1; nth < 64; nth++) {
		/* A fresh queue, then the fault armed for its enable on. */
		ASSERT_EQ(0, vfio_mmio_write32(c->vd.device, MVGPU_REG_CONTROL,
					       MVGPU_CONTROL_QUEUE_RESET |
					       MVGPU_CONTROL_ENABLE));
		ASSERT_EQ(0, mvgpu_ctx_error(c, NULL));
		snprintf(val, sizeof(val), "%u", nth);
		ASSERT_EQ(0, sysfs_write_str(FAIL_VRAM_RW, val));
		ASSERT_EQ(0, mvgpu_ctx_queue_setup(c, 0, c->ring, c->ring_size,
						   c->qsa));
		seq = 1;
		cmds[2] = mkcmd(MVGPU_OP_FENCE, 0, seq, 0, 0, 0, 0, 0);
		c->seq = seq;
		ret = mvgpu_ctx_submit(c, cmds, ARRAY_SIZE(cmds));
		EXPECT_TRUE(ret == 0 || ret == -EIO) TH_LOG("submit: %d", ret);
		ret = mvgpu_ctx_wait(c, seq, 5000);
		/*
		 * Let the engine finish: it stops on an error, or re-arms the
		 * doorbell when the ring is empty and reads the tail once
		 * more; give that last read time too.
		 */
		for (i = 0; i < 200 && !mvgpu_ctx_error(c, NULL) &&
		     !mvgpu_ctx_qsa(c)->doorbell_needed; i++)
			usleep(10000);
		usleep(100000);
		if (fail_vram_rw_left(_metadata)) {
			/* The path makes fewer than nth accesses: done. */
			EXPECT_EQ(0, ret);
			EXPECT_EQ(0, mvgpu_ctx_error(c, NULL));
			ASSERT_EQ(0, sysfs_write_str(FAIL_VRAM_RW, "0"));
			break;
		}
		fired++;
		err = mvgpu_ctx_error(c, &info);
		EXPECT_EQ(MVGPU_ERR_HOST, err)
			TH_LOG("access %u failed: error %u info 0x%x, wait %d",
			       nth, err, info, ret);
		EXPECT_EQ(0U, info >> 24);	/* queue 0 */
		expect_sane_qsa(_metadata, c, seq, ARRAY_SIZE(cmds));
		ASSERT_EQ(0, vfio_mmio_write32(c->vd.device, MVGPU_REG_IRQ_STATUS,
					       MVGPU_IRQ_ALL));
	}
	TH_LOG("%u VRAM accesses failed in turn", fired);
	/* Enable, doorbell, three commands and the fence: at least 10. */
	EXPECT_GE(fired, 10U);
	/* And the device works again after an engine reset. */
	ASSERT_EQ(0, vfio_mmio_write32(c->vd.device, MVGPU_REG_CONTROL,
				       MVGPU_CONTROL_QUEUE_RESET |
				       MVGPU_CONTROL_ENABLE));
	ASSERT_EQ(0, mvgpu_ctx_queue_setup(c, 0, c->ring, c->ring_size, c->qsa));
	EXPECT_EQ(0, run1(c, mkcmd(MVGPU_OP_NOP, 0, 0, 0, 0, 0, 0, 0)));
}

#define WRITE_DELAY	"/sys/module/mvgpu_sim/parameters/vram_write_delay_us"

/* Load: another vGPU's queue kept busy until *stop. */
struct load_arg {
	char uuid[MVGPU_UUID_LEN];
	int stop;			/* __atomic */
	unsigned long rounds;
	int err;
};

static void *load_thread(void *p)
{
	struct load_arg *l = p;
	struct mvgpu_cmd fill = mkcmd(MVGPU_OP_FILL, 0, 0, 256 << 10, 7,
				      0, 0, 0);
	struct mvgpu_ctx c;
	uint64_t seq;

	l->err = mvgpu_ctx_open(l->uuid, &c);
	if (l->err)
		return NULL;
	while (!__atomic_load_n(&l->stop, __ATOMIC_RELAXED)) {
		l->err = mvgpu_ctx_submit(&c, &fill, 1);
		seq = l->err ? 0 : mvgpu_ctx_fence(&c, 0);
		l->err = seq ? mvgpu_ctx_wait(&c, seq, 20000) : -EIO;
		if (l->err)
			break;
		l->rounds++;
	}
	mvgpu_ctx_close(&c);
	return NULL;
}

/*
 * Submit a NOP and a FENCE on @c and spin until the fence is in the QSA,
 * as a polling driver sees it.  Returns the fence, 0 on failure.
 */
static uint64_t nop_fence_seen(struct __test_metadata *_metadata,
			       struct mvgpu_ctx *c)
{
	struct mvgpu_cmd nop = mkcmd(MVGPU_OP_NOP, 0, 0, 0, 0, 0, 0, 0);
	struct mvgpu_qsa *qsa = mvgpu_ctx_qsa(c);
	uint64_t seq;

	if (mvgpu_ctx_submit(c, &nop, 1))
		return 0;
	seq = mvgpu_ctx_fence(c, 0);
	if (!seq)
		return 0;
	while (__atomic_load_n(&qsa->fence, __ATOMIC_ACQUIRE) < seq)
		if (mvgpu_ctx_error(c, NULL))
			return 0;
	return seq;
}

/*
 * QREG_FENCE_LO/HI is never behind qsa.fence (the manual, "Fences"): once
 * a driver sees a fence in the QSA, the register it reads next shows that
 * fence or a later one.  Many times, with a second vGPU keeping the
 * engines and the host busy, and, where mvgpu_sim offers it, every VRAM
 * write made slow so that the two stores are far apart.
 */
TEST_F(cmd, fence_register_not_behind)
{
	struct load_arg load = { 0 };
	unsigned int i, behind = 0, rounds = 300;
	bool delay = path_exists(WRITE_DELAY);
	uint32_t lo, hi;
	pthread_t thr;
	uint64_t seq, reg;

	mvgpu_uuid_gen(load.uuid);
	ASSERT_EQ(0, mdev_create("mvgpu-ts-32m", load.uuid));
	ASSERT_EQ(0, pthread_create(&thr, NULL, load_thread, &load));
	if (delay)
		ASSERT_EQ(0, sysfs_write_str(WRITE_DELAY, "2000"));

	for (i = 0; i < rounds; i++) {
		/* The driver's view: the fence in memory, then the register. */
		seq = nop_fence_seen(_metadata, &self->c);
		ASSERT_NE(0, seq);
		ASSERT_EQ(0, vfio_mmio_read32(self->c.vd.device,
					      MVGPU_QUEUE_BASE(0) +
					      MVGPU_QREG_FENCE_LO, &lo));
		ASSERT_EQ(0, vfio_mmio_read32(self->c.vd.device,
					      MVGPU_QUEUE_BASE(0) +
					      MVGPU_QREG_FENCE_HI, &hi));
		reg = (uint64_t)hi << 32 | lo;
		if (reg < seq && !behind++)
			TH_LOG("round %u: qsa.fence %llu, QREG_FENCE %llu", i,
			       (unsigned long long)seq,
			       (unsigned long long)reg);
	}
	if (delay)
		EXPECT_EQ(0, sysfs_write_str(WRITE_DELAY, "0"));
	__atomic_store_n(&load.stop, 1, __ATOMIC_RELAXED);
	pthread_join(thr, NULL);
	TH_LOG("QREG_FENCE behind qsa.fence %u times of %u; load: %lu rounds",
	       behind, rounds, load.rounds);
	EXPECT_EQ(0U, behind);
	EXPECT_EQ(0, load.err);
	EXPECT_GT(load.rounds, 0);
	EXPECT_EQ(0, mdev_remove(load.uuid));
}

/*
 * A fence covers the statistics too: once the fence is in the QSA, the
 * completions counter includes every command up to and including that
 * FENCE.  vram_write_delay_us widens the window after the QSA's fence
 * store, where the FENCE itself used to be counted only afterwards (a
 * host under load showed it as sched.statistics reading 201 of 202).
 */
TEST_F(cmd, fence_counts_its_commands)
{
	unsigned int i, behind = 0, rounds = 20;
	uint64_t seq, base, done;

	if (!path_exists(WRITE_DELAY))
		SKIP(return, "mvgpu_sim has no vram_write_delay_us");
	base = vgpu_stat(self, "completions");
	ASSERT_EQ(0, sysfs_write_str(WRITE_DELAY, "2000"));
	for (i = 0; i < rounds; i++) {
		seq = nop_fence_seen(_metadata, &self->c);
		ASSERT_NE(0, seq);
		done = vgpu_stat(self, "completions");
		if (done != base + 2 * (i + 1) && !behind++)
			TH_LOG("round %u: fence %llu seen, completions %llu of %llu",
			       i, (unsigned long long)seq,
			       (unsigned long long)(done - base),
			       (unsigned long long)(2 * (i + 1)));
	}
	EXPECT_EQ(0, sysfs_write_str(WRITE_DELAY, "0"));
	TH_LOG("completions behind the fence %u times of %u", behind, rounds);
	EXPECT_EQ(0U, behind);
}

/*
 * The manual's way to sleep until a fence ("Fences"), as a VFIO client
 * on the MSI eventfd does it: irq_wanted, then per round clear
 * IRQ_STATUS.FENCE, check the fence, wait on the eventfd.  First the
 * reason for the clear: a FENCE interrupt nobody cleared (a waiter that
 * found its fence done and did not sleep) leaves the status set, and the
 * next fence then sends no message at all.
 */
TEST_F(cmd, fence_sleep_pattern)
{
	struct mvgpu_qsa *qsa = mvgpu_ctx_qsa(&self->c);
	int dev = self->c.vd.device, efd = eventfd_new(), rounds = 0;
	struct mvgpu_cmd spin = {
		.opcode = MVGPU_OP_SPIN, .args = { 50 * 1000 * 1000 },
	};
	uint64_t seq, wakes = 0;

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, vfio_set_irq_eventfd(dev, VFIO_PCI_MSI_IRQ_INDEX, efd));
	ASSERT_EQ(0, vfio_mmio_write32(dev, MVGPU_REG_IRQ_MASK, MVGPU_IRQ_FENCE));
	__atomic_store_n(&qsa->irq_wanted, 1, __ATOMIC_SEQ_CST);

	/* A fence found done by polling: its interrupt stays pending. */
	seq = mvgpu_ctx_fence(&self->c, MVGPU_CMD_F_IRQ);
	ASSERT_EQ(0, mvgpu_ctx_wait(&self->c, seq, 10000));
	EXPECT_EQ(1, eventfd_wait(efd, 1000));
	/* The next one: no new edge, no message (sleeping would hang). */
	seq = mvgpu_ctx_fence(&self->c, MVGPU_CMD_F_IRQ);
	ASSERT_EQ(0, mvgpu_ctx_wait(&self->c, seq, 10000));
	EXPECT_EQ(0, eventfd_wait(efd, 200));

	/* The pattern: a fence behind 50 ms of work wakes the sleeper. */
	ASSERT_EQ(0, mvgpu_ctx_submit(&self->c, &spin, 1));
	seq = mvgpu_ctx_fence(&self->c, MVGPU_CMD_F_IRQ);
	ASSERT_NE(0, seq);
	for (;;) {
		ASSERT_EQ(0, vfio_mmio_write32(dev, MVGPU_REG_IRQ_STATUS,
					       MVGPU_IRQ_FENCE));
		if (__atomic_load_n(&qsa->fence, __ATOMIC_ACQUIRE) >= seq)
			break;
		ASSERT_GT(20, ++rounds);
		wakes += eventfd_wait(efd, 10000);
	}
	EXPECT_LE(1, wakes);
	__atomic_store_n(&qsa->irq_wanted, 0, __ATOMIC_SEQ_CST);
	close(efd);
}

int main(int argc, char **argv)
{
	mvgpu_host_preflight();
	return test_harness_run(argc, argv);
}
