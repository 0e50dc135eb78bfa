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
static inline void sim_gemm_i32_block(__u32 *__restrict c,
				      const __u32 *__restrict a,
				      const __u32 *__restrict b, __u32 n, __u32 k,
				      __u32 r0, __u32 r1, __u32 k0, __u32 k1,
				      __u32 j0, __u32 j1)
{
	__u32 i, p, j;

	for (i = r0; i < r1; i++) {
		__u32 *__restrict crow = c + (__u64)i * n;
		const __u32 *arow = a + (__u64)i * k;

		for (p = k0; p < k1; p++) {
			const __u32 *__restrict brow = b + (__u64)p * n;
			__u32 av = arow[p];

			for (j = j0; j < j1; j++)
				crow[j] += av * brow[j];
		}
	}
}

/*
 * C = A x B, row-major; A is m x k, B is k x n, C is m x n, is computed as
 * a sequence of units: unit u covers the rows of row block u / kblocks
 * against k block u % kblocks, at most SIM_GEMM_RB * SIM_GEMM_KB * n
 * multiply-adds, so an engine can stop between any two units.
 */
static inline __u64 sim_gemm_units(__u32 m, __u32 k)
{
	__u64 rblocks = (m + SIM_GEMM_RB - 1) / SIM_GEMM_RB;

	return rblocks * ((k + SIM_GEMM_KB - 1) / SIM_GEMM_KB);
}

/* Run unit @u; return the multiply-adds it did. */
static inline __u64 sim_gemm_i32_unit(__u32 *c, const __u32 *a,
				      const __u32 *b, __u32 m, __u32 n,
				      __u32 k, __u64 u)
{
	__u32 kblocks = (k + SIM_GEMM_KB - 1) / SIM_GEMM_KB;
	__u32 r0 = (__u32)(u / kblocks) * SIM_GEMM_RB;
	__u32 k0 = (__u32)(u % kblocks) * SIM_GEMM_KB;
	__u32 r1 = sim_min_u32(r0 + SIM_GEMM_RB, m);
	__u32 k1 = sim_min_u32(k0 + SIM_GEMM_KB, k);
	__u32 i, j, jj;

	if (!k0)
		for (i = r0; i < r1; i++)
			for (j = 0; j < n; j++)
				c[(__u64)i * n + j] = 0;

	for (jj = 0; jj < n; jj += SIM_GEMM_JB)
		sim_gemm_i32_block(c, a, b, n, k, r0, r1, k0, k1, jj,
				   sim_min_u32(jj + SIM_GEMM_JB, n));
	return (__u64)(r1 - r0) * (k1 - k0) * n;
}

/* The whole product, unit by unit (the userspace reference). */
static inline void sim_gemm_i32(__u32 *c, const __u32 *a, const __u32 *b,
				__u32 m, __u32 n, __u32 k)
{
	__u64 u, units = sim_gemm_units(m, k);

	for (u = 0; u < units; u++)
		sim_gemm_i32_unit(c, a, b, m, n, k, u);
}

/*
 * Copy n 8-byte words with plain loads and stores, four at a time.  For
 * CPUs whose string instructions are slow (emulated ones in particular).
 */
static inline void sim_copy_words(__u64 *__restrict d,
				  const __u64 *__restrict s, __u64 n)
{
	__u64 i;

	for (i = 0; i + 4 <= n; i += 4) {
		__u64 w0 = s[i], w1 = s[i + 1], w2 = s[i + 2], w3 = s[i + 3];

		d[i] = w0;
		d[i + 1] = w1;
		d[i + 2] = w2;
		d[i + 3] = w3;
	}
	for (; i < n; i++)
		d[i] = s[i];
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
