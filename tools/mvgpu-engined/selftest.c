// SPDX-License-Identifier: GPL-2.0
/*
 * mvgpu-engined --self-test: every opcode on the chosen device against a
 * CPU reference, on scratch host memory imported the way VRAM is, in
 * chunks the way the kernel hands them out.  Needs no kernel module, so
 * a new driver or GPU can be checked before any pGPU exists.  Integer
 * results must be bit-identical; GEMM_F32 within the bound of
 * Documentation/mvgpu-engine-protocol.rst against a double reference.
 */
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/mvgpu.h>

#include "vk.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define ULP_HALF	(1.0 / 16777216)	/* 2^-24 */
#define SELF_SIZE	(32u << 20)
#define ENGINED_OP_GEMM_F32	9

static uint32_t rng = 0x12345678;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static int fails;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		fails++;						\
		printf("not ok: " __VA_ARGS__);				\
		printf("\n");						\
	}								\
} while (0)

/* Run [0, total) in chunks of @chunk units. */
static int run_chunked(struct vk_engine *e, struct mvgpu_engine_desc *d,
		       uint64_t total, uint64_t chunk, uint64_t *sum)
{
	uint64_t at, res;
	int st;

	*sum = 0;
	for (at = 0; at < total; at += chunk) {
		d->begin = at;
		d->end = at + chunk < total ? at + chunk : total;
		st = vk_run(e, d, &res);
		if (st != MVGPU_ENGINE_ST_OK)
			return st;
		*sum += res;
	}
	return 0;
}

static void fill_random(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = rnd();
}

static void test_copy(struct vk_engine *e, uint8_t *m)
{
	static const uint32_t lens[] = { 1, 3, 4, 5, 255, 4096, 65537, 1 << 20 };
	uint8_t *ref = malloc(SELF_SIZE);
	struct mvgpu_engine_desc d;
	unsigned int i, so, dof;
	uint64_t sum;
	int st;

	for (i = 0; i < ARRAY_SIZE(lens); i++)
		for (so = 0; so < 4; so++)
			for (dof = 0; dof < 4; dof++) {
				fill_random(m, 4 << 20);
				memcpy(ref, m, 4 << 20);
				memset(&d, 0, sizeof(d));
				d.opcode = MVGPU_OP_COPY;
				d.src = 64 + so;
				d.dst = (2 << 20) + 64 + dof;
				d.len = lens[i];
				memcpy(ref + d.dst, ref + d.src, d.len);
				st = run_chunked(e, &d, d.len, 4096, &sum);
				CHECK(!st && !memcmp(m, ref, 4 << 20),
				      "COPY %u bytes, src+%u dst+%u (st %d)",
				      lens[i], so, dof, st);
			}
	free(ref);
}

static void test_fill_axpy_reduce(struct vk_engine *e, uint8_t *m)
{
	uint32_t *w = (uint32_t *)m, ref[4096], a = rnd();
	struct mvgpu_engine_desc d;
	uint64_t sum, want = 0;
	unsigned int i;
	int st;

	fill_random(m, 1 << 20);
	memcpy(ref, w + 1, sizeof(ref));
	memset(&d, 0, sizeof(d));
	d.opcode = MVGPU_OP_FILL;
	d.dst = 4;
	d.len = 4 * 1000;
	d.value = 0xdeadbeef;
	for (i = 0; i < 1000; i++)
		ref[i] = 0xdeadbeef;
	st = run_chunked(e, &d, d.len, 4096, &sum);
	CHECK(!st && !memcmp(w + 1, ref, sizeof(ref)), "FILL (st %d)", st);

	fill_random(m, 1 << 20);
	memset(&d, 0, sizeof(d));
	d.opcode = MVGPU_OP_AXPY_I32;
	d.dst = 4;
	d.src = 65536;
	d.len = 4096;
	d.value = a;
	for (i = 0; i < 4096; i++)
		ref[i] = a * w[65536 / 4 + i] + w[1 + i];
	st = run_chunked(e, &d, d.len, 1000, &sum);
	CHECK(!st && !memcmp(w + 1, ref, sizeof(ref)), "AXPY_I32 (st %d)", st);

	/* y == x: the same range */
	for (i = 0; i < 4096; i++)
		ref[i] = a * w[1 + i] + w[1 + i];
	d.src = 4;
	st = run_chunked(e, &d, d.len, 1000, &sum);
	CHECK(!st && !memcmp(w + 1, ref, sizeof(ref)), "AXPY_I32 in place (st %d)", st);

	for (i = 0; i < 262144; i++) {
		w[i] = rnd();
		want += w[i];
	}
	memset(&d, 0, sizeof(d));
	d.opcode = MVGPU_OP_REDUCE_I32;
	d.src = 0;
	d.len = 262144 - 3;
	want -= (uint64_t)w[262141] + w[262142] + w[262143];
	st = run_chunked(e, &d, d.len, 70000, &sum);
	CHECK(!st && sum == want, "REDUCE_I32: %" PRIu64 " != %" PRIu64 " (st %d)",
	      sum, want, st);
}

static void test_gemm(struct vk_engine *e, uint8_t *m, unsigned int M,
		      unsigned int N, unsigned int K, uint64_t rows)
{
	uint32_t *A = (uint32_t *)m, *B = A + (4 << 20) / 4,
		 *C = A + (8 << 20) / 4;
	float *Af = (float *)A, *Bf = (float *)B, *Cf = (float *)C;
	struct mvgpu_engine_desc d;
	unsigned int i, j, k, bad = 0;
	double worst = 0;
	uint64_t sum;
	int st;

	for (i = 0; i < M * K; i++)
		A[i] = rnd();
	for (i = 0; i < K * N; i++)
		B[i] = rnd();
	memset(&d, 0, sizeof(d));
	d.opcode = MVGPU_OP_GEMM_I32;
	d.dst = 8 << 20;
	d.src = 0;
	d.src2 = 4 << 20;
	d.m = M;
	d.n = N;
	d.k = K;
	st = run_chunked(e, &d, M, rows, &sum);
	for (i = 0; i < M && !st; i++)
		for (j = 0; j < N; j++) {
			uint32_t s = 0;

			for (k = 0; k < K; k++)
				s += A[i * K + k] * B[k * N + j];
			bad += s != C[i * N + j];
		}
	CHECK(!st && !bad, "GEMM_I32 %ux%ux%u by %" PRIu64 " rows: %u wrong (st %d)",
	      M, N, K, rows, bad, st);

	for (i = 0; i < M * K; i++)
		Af[i] = (int32_t)(rnd() % 2001) / 1000.0f - 1.0f;
	for (i = 0; i < K * N; i++)
		Bf[i] = (int32_t)(rnd() % 2001) / 1000.0f - 1.0f;
	d.opcode = ENGINED_OP_GEMM_F32;
	st = run_chunked(e, &d, M, rows, &sum);
	for (i = 0; i < M && !st; i++)
		for (j = 0; j < N; j++) {
			double s = 0, abs_s = 0, err;

			for (k = 0; k < K; k++) {
				s += (double)Af[i * K + k] * Bf[k * N + j];
				abs_s += fabs((double)Af[i * K + k] * Bf[k * N + j]);
			}
			/* K * 2^-24 * sum |a b|: the documented bound. */
			err = fabs(Cf[i * N + j] - s);
			if (err > K * ULP_HALF * abs_s + DBL_MIN)
				bad++;
			if (abs_s > 0 && err / abs_s > worst)
				worst = err / abs_s;
		}
	CHECK(!st && !bad, "GEMM_F32 %ux%ux%u: %u beyond the bound (st %d)",
	      M, N, K, bad, st);
	printf("# GEMM_F32 %ux%ux%u: worst |error| / sum|a*b| = %.3g\n", M, N,
	       K, worst);
}

static void test_bad(struct vk_engine *e, uint64_t size)
{
	struct mvgpu_engine_desc d;
	uint64_t res;

	memset(&d, 0, sizeof(d));
	d.opcode = MVGPU_OP_FILL;
	d.dst = size - 4;
	d.len = 8;
	d.end = 8;
	CHECK(vk_run(e, &d, &res) == MVGPU_ENGINE_ST_BAD_RANGE,
	      "FILL past the end is refused");
	d.opcode = 77;
	d.dst = 0;
	CHECK(vk_run(e, &d, &res) == MVGPU_ENGINE_ST_UNSUPPORTED,
	      "unknown opcode is refused");
	memset(&d, 0, sizeof(d));
	d.opcode = MVGPU_OP_GEMM_I32;
	d.m = 4096;
	d.n = 4096;
	d.k = 4096;
	d.src = size - 4;
	d.end = 1;
	CHECK(vk_run(e, &d, &res) == MVGPU_ENGINE_ST_BAD_RANGE,
	      "GEMM past the end is refused");
}

int self_test(struct vk_gpu *g, void *mem)
{
	struct vk_engine *e = &g->engines[0];

	printf("# self-test on %s\n", g->info.name);
	test_copy(e, mem);
	test_fill_axpy_reduce(e, mem);
	test_gemm(e, mem, 64, 48, 80, 7);
	test_gemm(e, mem, 33, 17, 129, 33);
	test_gemm(e, mem, 1, 1, 1, 1);
	test_bad(e, SELF_SIZE);
	printf("%s: %d failure(s)\n", fails ? "FAIL" : "PASS", fails);
	return fails ? 1 : 0;
}
