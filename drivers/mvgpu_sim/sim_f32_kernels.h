/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The float32 GEMM of the software pGPU (MVGPU_OP_GEMM_F32), shared, like
 * sim_kernels.h, by mvgpu_sim.ko and userspace programs that run the same
 * code.  Elements are IEEE-754 binary32 in CPU byte order (the device's
 * little-endian, on the hosts mvgpu_sim runs on).
 *
 * This header uses floating point in C.  In the kernel, only sim_f32.c
 * includes it: that file alone is built with SSE enabled (Kbuild), and
 * its functions run only between kernel_fpu_begin() and kernel_fpu_end(),
 * which sim.c calls.
 *
 * Each element of C is accumulated in binary32 in increasing k order,
 * starting from +0.0: c = c + a * b with two roundings in the portable C
 * loop, c = fma(a, b, c) with one in the x86-64 FMA kernels.  Either way
 * the result lies within the bound the manual gives for GEMM_F32.  The
 * units, blocks and tiles are those of the int32 GEMM (sim_kernels.h), so
 * an engine can stop between any two units, keeping partial sums in C.
 */
#ifndef _MVGPU_SIM_F32_KERNELS_H
#define _MVGPU_SIM_F32_KERNELS_H

#include <linux/types.h>

#include "sim_kernels.h"

#if defined(__x86_64__)
/*
 * FMA inner kernels: c[0, w) = fma(a[p], b[p][0, w), c[0, w)) for p in
 * [0, kn), in that order, for w = 32, 8 or 1 columns; row p of B starts
 * @bstride bytes after row p - 1; @kn >= 1.  They need FMA and AVX2
 * enabled by the OS (the caller checks the CPU).  As in sim_kernels.h,
 * the registers are named in the text and the ones used are among those
 * SIM_VEC_CLOBBERS lists.
 */
static inline void sim_gemm_f32_x32_fma(float *c, const float *a,
					const float *b, __u64 bstride,
					__u32 kn)
{
	asm volatile("vmovups (%[c]), %%ymm0\n\t"
		     "vmovups 32(%[c]), %%ymm1\n\t"
		     "vmovups 64(%[c]), %%ymm2\n\t"
		     "vmovups 96(%[c]), %%ymm3\n\t"
		     "1:\n\t"
		     "vbroadcastss (%[a]), %%ymm4\n\t"
		     "vfmadd231ps (%[b]), %%ymm4, %%ymm0\n\t"
		     "vfmadd231ps 32(%[b]), %%ymm4, %%ymm1\n\t"
		     "vfmadd231ps 64(%[b]), %%ymm4, %%ymm2\n\t"
		     "vfmadd231ps 96(%[b]), %%ymm4, %%ymm3\n\t"
		     "add $4, %[a]\n\t"
		     "add %[bs], %[b]\n\t"
		     "dec %[kn]\n\t"
		     "jnz 1b\n\t"
		     "vmovups %%ymm0, (%[c])\n\t"
		     "vmovups %%ymm1, 32(%[c])\n\t"
		     "vmovups %%ymm2, 64(%[c])\n\t"
		     "vmovups %%ymm3, 96(%[c])\n\t"
		     "vzeroupper"
		     : [a] "+r" (a), [b] "+r" (b), [kn] "+r" (kn)
		     : [c] "r" (c), [bs] "r" (bstride)
		     : SIM_VEC_CLOBBERS);
}

static inline void sim_gemm_f32_x8_fma(float *c, const float *a,
				       const float *b, __u64 bstride,
				       __u32 kn)
{
	asm volatile("vmovups (%[c]), %%ymm0\n\t"
		     "1:\n\t"
		     "vbroadcastss (%[a]), %%ymm4\n\t"
		     "vfmadd231ps (%[b]), %%ymm4, %%ymm0\n\t"
		     "add $4, %[a]\n\t"
		     "add %[bs], %[b]\n\t"
		     "dec %[kn]\n\t"
		     "jnz 1b\n\t"
		     "vmovups %%ymm0, (%[c])\n\t"
		     "vzeroupper"
		     : [a] "+r" (a), [b] "+r" (b), [kn] "+r" (kn)
		     : [c] "r" (c), [bs] "r" (bstride)
		     : SIM_VEC_CLOBBERS);
}

/* The last columns, one at a time, fused like the others. */
static inline void sim_gemm_f32_x1_fma(float *c, const float *a,
				       const float *b, __u64 bstride,
				       __u32 kn)
{
	asm volatile("vmovss (%[c]), %%xmm0\n\t"
		     "1:\n\t"
		     "vmovss (%[a]), %%xmm4\n\t"
		     "vfmadd231ss (%[b]), %%xmm4, %%xmm0\n\t"
		     "add $4, %[a]\n\t"
		     "add %[bs], %[b]\n\t"
		     "dec %[kn]\n\t"
		     "jnz 1b\n\t"
		     "vmovss %%xmm0, (%[c])\n\t"
		     "vzeroupper"
		     : [a] "+r" (a), [b] "+r" (b), [kn] "+r" (kn)
		     : [c] "r" (c), [bs] "r" (bstride)
		     : SIM_VEC_CLOBBERS);
}
#endif /* __x86_64__ */

/*
 * One block: rows [r0, r1) of C += A x B over k in [k0, k1), j in [j0, j1),
 * with the FMA kernels if @fma (x86-64 only; the caller has checked the
 * CPU and, in the kernel, called kernel_fpu_begin()).
 */
static inline void sim_gemm_f32_block(float *__restrict c,
				      const float *__restrict a,
				      const float *__restrict b, __u32 n,
				      __u32 k, __u32 r0, __u32 r1, __u32 k0,
				      __u32 k1, __u32 j0, __u32 j1, int fma)
{
	__u32 i, p, j;

#if defined(__x86_64__)
	if (fma) {
		for (i = r0; i < r1; i++) {
			float *crow = c + (__u64)i * n;
			const float *arow = a + (__u64)i * k + k0;
			const float *bblk = b + (__u64)k0 * n;

			for (j = j0; j + 32 <= j1; j += 32)
				sim_gemm_f32_x32_fma(crow + j, arow, bblk + j,
						     (__u64)n * 4, k1 - k0);
			for (; j + 8 <= j1; j += 8)
				sim_gemm_f32_x8_fma(crow + j, arow, bblk + j,
						    (__u64)n * 4, k1 - k0);
			for (; j < j1; j++)
				sim_gemm_f32_x1_fma(crow + j, arow, bblk + j,
						    (__u64)n * 4, k1 - k0);
		}
		return;
	}
#endif
	for (i = r0; i < r1; i++) {
		float *__restrict crow = c + (__u64)i * n;
		const float *arow = a + (__u64)i * k;

		for (p = k0; p < k1; p++) {
			const float *__restrict brow = b + (__u64)p * n;
			float av = arow[p];

			for (j = j0; j < j1; j++)
				crow[j] += av * brow[j];
		}
	}
}

/*
 * Run unit @u of C = A x B (units as sim_gemm_units() counts them; @fma
 * as for sim_gemm_f32_block()); return its multiply-adds.  The first unit
 * of a row block sets its rows of C to +0.0 (all bits zero).
 */
static inline __u64 sim_gemm_f32_unit(float *c, const float *a,
				      const float *b, __u32 m, __u32 n,
				      __u32 k, __u64 u, int fma)
{
	struct sim_gemm_unit g = sim_gemm_unit_of(m, k, u);
	__u32 i, j, jj;

	if (!g.k0)
		for (i = g.r0; i < g.r1; i++)
			for (j = 0; j < n; j++)
				c[(__u64)i * n + j] = 0.0f;

	for (jj = 0; jj < n; jj += SIM_GEMM_JB)
		sim_gemm_f32_block(c, a, b, n, k, g.r0, g.r1, g.k0, g.k1, jj,
				   sim_min_u32(jj + SIM_GEMM_JB, n), fma);
	return (__u64)(g.r1 - g.r0) * (g.k1 - g.k0) * n;
}

/* The whole product, unit by unit (for userspace). */
static inline void sim_gemm_f32(float *c, const float *a, const float *b,
				__u32 m, __u32 n, __u32 k, int fma)
{
	__u64 u, units = sim_gemm_units(m, k);

	for (u = 0; u < units; u++)
		sim_gemm_f32_unit(c, a, b, m, n, k, u, fma);
}

#endif /* _MVGPU_SIM_F32_KERNELS_H */
