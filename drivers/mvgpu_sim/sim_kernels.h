/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The compute kernels of the software pGPU, shared by mvgpu_sim.ko and the
 * userspace benchmark (tools/bench), which runs the very same code to
 * measure what the engine achieves against it.  Plain C on __u32/__u64;
 * arithmetic wraps modulo 2^32 as the device manual specifies.
 */
#ifndef _MVGPU_SIM_KERNELS_H
#define _MVGPU_SIM_KERNELS_H

#include <linux/types.h>

/*
 * GEMM blocking: a block of SIM_GEMM_RB rows of C is computed against a
 * SIM_GEMM_KB x SIM_GEMM_JB block of B (64 KiB), which stays in cache
 * while it is reused for every row of the block.
 */
#define SIM_GEMM_RB	4
#define SIM_GEMM_KB	64
#define SIM_GEMM_JB	256

static inline __u32 sim_min_u32(__u32 a, __u32 b)
{
	return a < b ? a : b;
}

/* One block: rows [r0, r1) of C += A x B over k in [k0, k1), j in [j0, j1). */
static inline void sim_gemm_i32_block(__u32 *c, const __u32 *a,
				      const __u32 *b, __u32 n, __u32 k,
				      __u32 r0, __u32 r1, __u32 k0, __u32 k1,
				      __u32 j0, __u32 j1)
{
	__u32 i, p, j;

	for (i = r0; i < r1; i++) {
		__u32 *crow = c + (__u64)i * n;
		const __u32 *arow = a + (__u64)i * k;

		for (p = k0; p < k1; p++) {
			const __u32 *brow = b + (__u64)p * n;
			__u32 av = arow[p];

			for (j = j0; j < j1; j++)
				crow[j] += av * brow[j];
		}
	}
}

/*
 * C[r0..r1) = A[r0..r1) x B, row-major; A is m x k, B is k x n, C is m x n.
 */
static inline void sim_gemm_i32_rows(__u32 *c, const __u32 *a, const __u32 *b,
				     __u32 n, __u32 k, __u32 r0, __u32 r1)
{
	__u32 i, j, rb, kk, jj;

	for (i = r0; i < r1; i++)
		for (j = 0; j < n; j++)
			c[(__u64)i * n + j] = 0;

	for (rb = r0; rb < r1; rb += SIM_GEMM_RB)
		for (kk = 0; kk < k; kk += SIM_GEMM_KB)
			for (jj = 0; jj < n; jj += SIM_GEMM_JB)
				sim_gemm_i32_block(c, a, b, n, k, rb,
						   sim_min_u32(rb + SIM_GEMM_RB, r1),
						   kk, sim_min_u32(kk + SIM_GEMM_KB, k),
						   jj, sim_min_u32(jj + SIM_GEMM_JB, n));
}

/* y[i] = a * x[i] + y[i] */
static inline void sim_axpy_i32(__u32 *y, const __u32 *x, __u32 a, __u64 n)
{
	__u64 i;

	for (i = 0; i < n; i++)
		y[i] = a * x[i] + y[i];
}

/* Sum of n unsigned 32-bit elements. */
static inline __u64 sim_reduce_u32(const __u32 *x, __u64 n)
{
	__u64 sum = 0, i;

	for (i = 0; i < n; i++)
		sum += x[i];
	return sum;
}

#endif /* _MVGPU_SIM_KERNELS_H */
