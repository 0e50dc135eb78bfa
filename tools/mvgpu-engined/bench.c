// SPDX-License-Identifier: GPL-2.0
/*
 * mvgpu-engined --bench: the native baseline (N) of make bench-vk.  The
 * workloads of mvgpu-bench (tools/mvgpu-bench), run by this process
 * straight on the Vulkan device with the same shaders, without mvgpu:
 * each command one submission of the whole command, waited for with a
 * fence, on host memory imported as the server imports VRAM.  One
 * repetition per run, one line per workload:
 *   N <workload> <unit> <value>
 * so that the benchmark script can interleave N with mvgpu's paths.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <linux/mvgpu.h>

#include "vk.h"

#define BENCH_GEMM_N	128
#define BENCH_OP_GEMM_F32	9

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int run(struct vk_engine *e, struct mvgpu_engine_desc *d, double *ns)
{
	uint64_t res;
	double t = now_ns();

	if (vk_run(e, d, &res) != MVGPU_ENGINE_ST_OK)
		return -1;
	*ns = now_ns() - t;
	return 0;
}

static void gemm_desc(struct mvgpu_engine_desc *d, uint32_t op)
{
	memset(d, 0, sizeof(*d));
	d->opcode = op;
	d->dst = 2u << 20;
	d->src = 0;
	d->src2 = 1u << 20;
	d->m = BENCH_GEMM_N;
	d->n = BENCH_GEMM_N;
	d->k = BENCH_GEMM_N;
	d->end = BENCH_GEMM_N;
}

int bench(struct vk_gpu *g)
{
	const double macs = (double)BENCH_GEMM_N * BENCH_GEMM_N * BENCH_GEMM_N;
	struct vk_engine *e = &g->engines[0];
	struct mvgpu_engine_desc d;
	double ns, t;
	unsigned int i;

	gemm_desc(&d, MVGPU_OP_GEMM_I32);
	if (run(e, &d, &ns))
		return 1;
	printf("N gemm GMAC/s %.4f\n", macs / ns);

	gemm_desc(&d, BENCH_OP_GEMM_F32);
	if (run(e, &d, &ns))
		return 1;
	printf("N gemm_f32 GMAC/s %.4f\n", macs / ns);

	memset(&d, 0, sizeof(d));
	d.opcode = MVGPU_OP_COPY;
	d.dst = 8u << 20;
	d.len = 8u << 20;
	d.end = d.len;
	if (run(e, &d, &ns))
		return 1;
	printf("N copy GB/s %.4f\n", d.len / ns);

	/* 500 FILLs of 4 KiB, each its own submission, as mvgpu-bench's. */
	t = now_ns();
	for (i = 0; i < 500; i++) {
		memset(&d, 0, sizeof(d));
		d.opcode = MVGPU_OP_FILL;
		d.dst = (i % 256) * 4096;
		d.len = 4096;
		d.end = 4096;
		d.value = 1;
		if (run(e, &d, &ns))
			return 1;
	}
	printf("N small subm/s %.4f\n", 500 / ((now_ns() - t) / 1e9));
	return 0;
}
