/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The compute kernels of the software pGPU, shared by mvgpu_sim.ko and the
 * userspace benchmark (tests/bench/engine_bench.c), which runs the very
 * same code to measure what the engine achieves against it.  Plain C on
 * __u32/__u64, plus x86-64 vector loops in inline assembly (copy, fill, the
 * GEMM inner kernel); arithmetic wraps modulo 2^32 as the device manual
 * specifies.
 *
 * The vector loops name their registers in the assembly text instead of
 * using operands, because the kernel is built with -mno-sse and its
 * compiler cannot allocate vector registers.  A caller in the kernel must
 * bracket them with kernel_fpu_begin()/kernel_fpu_end() and check the CPU
 * features first (sim.c does both); the AVX2 ones need AVX2 enabled by the
 * OS (AVX2, AVX and OSXSAVE).
 */
#ifndef _MVGPU_SIM_KERNELS_H
#define _MVGPU_SIM_KERNELS_H

#include <linux/types.h>

/*
 * GEMM blocking: a block of SIM_GEMM_RB rows of C is computed against a
 * SIM_GEMM_KB x SIM_GEMM_JB block of B (64 KiB), which stays in cache
 * while it is reused for every row of the block.  The vector kernel walks
 * the block in tiles of SIM_GEMM_KB x 32 elements of B (8 KiB, in L1),
 * keeping one row's 32 sums in registers over the whole tile.
 */
#define SIM_GEMM_RB	4
#define SIM_GEMM_KB	64
#define SIM_GEMM_JB	256

static inline __u32 sim_min_u32(__u32 a, __u32 b)
{
	return a < b ? a : b;
}

#if defined(__x86_64__)
/*
 * Userspace compilers keep their own values in vector registers, so there
 * the assembly declares the ones it overwrites.  The kernel's compiler
 * never uses them (-mno-sse) and rejects such clobbers; kernel_fpu_begin()
 * is what protects the interrupted context's vector state.
 */
#ifdef __SSE__
#define SIM_VEC_CLOBBERS "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", \
			 "xmm5", "xmm6", "xmm7"
#else
#define SIM_VEC_CLOBBERS "memory"
#endif

/* Bytes per iteration of the vector copy and fill loops. */
#define SIM_VEC_BLOCK	128
/* Alignment the vector copy and fill loops need of their destination. */
#define SIM_VEC_ALIGN	32

/*
 * The assembly text of the copy loops, 128 bytes per iteration.  They come
 * in two flavours that differ only in the store instruction @st and
 * @fence: plain aligned stores, or non-temporal ones (which bypass the
 * caches and skip reading the destination lines first; for data that will
 * not fit in the cache anyway) followed by the sfence that orders them
 * before whatever the caller publishes next.
 */
#define SIM_COPY_AVX2_LOOP(st, fence)					\
	"1:\n\t"							\
	"vmovdqu (%[src]), %%ymm0\n\t"					\
	"vmovdqu 32(%[src]), %%ymm1\n\t"				\
	"vmovdqu 64(%[src]), %%ymm2\n\t"				\
	"vmovdqu 96(%[src]), %%ymm3\n\t"				\
	#st " %%ymm0, (%[dst])\n\t"					\
	#st " %%ymm1, 32(%[dst])\n\t"					\
	#st " %%ymm2, 64(%[dst])\n\t"					\
	#st " %%ymm3, 96(%[dst])\n\t"					\
	"add $128, %[src]\n\t"						\
	"add $128, %[dst]\n\t"						\
	"sub $128, %[len]\n\t"						\
	"jnz 1b\n\t"							\
	fence								\
	"vzeroupper"

#define SIM_COPY_SSE2_LOOP(st, fence)					\
	"1:\n\t"							\
	"movdqu (%[src]), %%xmm0\n\t"					\
	"movdqu 16(%[src]), %%xmm1\n\t"					\
	"movdqu 32(%[src]), %%xmm2\n\t"					\
	"movdqu 48(%[src]), %%xmm3\n\t"					\
	"movdqu 64(%[src]), %%xmm4\n\t"					\
	"movdqu 80(%[src]), %%xmm5\n\t"					\
	"movdqu 96(%[src]), %%xmm6\n\t"					\
	"movdqu 112(%[src]), %%xmm7\n\t"				\
	#st " %%xmm0, (%[dst])\n\t"					\
	#st " %%xmm1, 16(%[dst])\n\t"					\
	#st " %%xmm2, 32(%[dst])\n\t"					\
	#st " %%xmm3, 48(%[dst])\n\t"					\
	#st " %%xmm4, 64(%[dst])\n\t"					\
	#st " %%xmm5, 80(%[dst])\n\t"					\
	#st " %%xmm6, 96(%[dst])\n\t"					\
	#st " %%xmm7, 112(%[dst])\n\t"					\
	"add $128, %[src]\n\t"						\
	"add $128, %[dst]\n\t"						\
	"sub $128, %[len]\n\t"						\
	"jnz 1b\n\t"							\
	fence

/*
 * Copy @n bytes, a non-zero multiple of SIM_VEC_BLOCK, from @src (any
 * alignment) to @dst (SIM_VEC_ALIGN aligned); the ranges must not overlap.
 * @nt: non-temporal stores.
 */
static inline void sim_copy_avx2(void *dst, const void *src, __u64 n, int nt)
{
	if (nt)
		asm volatile(SIM_COPY_AVX2_LOOP(vmovntdq, "sfence\n\t")
			     : [dst] "+r" (dst), [src] "+r" (src), [len] "+r" (n)
			     : : SIM_VEC_CLOBBERS);
	else
		asm volatile(SIM_COPY_AVX2_LOOP(vmovdqa, "")
			     : [dst] "+r" (dst), [src] "+r" (src), [len] "+r" (n)
			     : : SIM_VEC_CLOBBERS);
}

static inline void sim_copy_sse2(void *dst, const void *src, __u64 n, int nt)
{
	if (nt)
		asm volatile(SIM_COPY_SSE2_LOOP(movntdq, "sfence\n\t")
			     : [dst] "+r" (dst), [src] "+r" (src), [len] "+r" (n)
			     : : SIM_VEC_CLOBBERS);
	else
		asm volatile(SIM_COPY_SSE2_LOOP(movdqa, "")
			     : [dst] "+r" (dst), [src] "+r" (src), [len] "+r" (n)
			     : : SIM_VEC_CLOBBERS);
}

/*
 * Store the 32-bit pattern @v, in CPU byte order as memset32() does, over
 * @n bytes at @dst: @n a non-zero multiple of SIM_VEC_BLOCK, @dst
 * SIM_VEC_ALIGN aligned.  Plain stores only: streaming stores did not make
 * a fill faster where measured (on an AMD EPYC host no faster for 32 MiB,
 * under QEMU TCG slower), unlike a copy, which they made twice as fast on
 * that host.
 */
static inline void sim_fill_avx2(void *dst, __u32 v, __u64 n)
{
	asm volatile("vmovd %[val], %%xmm0\n\t"
		     "vpbroadcastd %%xmm0, %%ymm0\n\t"
		     "1:\n\t"
		     "vmovdqa %%ymm0, (%[dst])\n\t"
		     "vmovdqa %%ymm0, 32(%[dst])\n\t"
		     "vmovdqa %%ymm0, 64(%[dst])\n\t"
		     "vmovdqa %%ymm0, 96(%[dst])\n\t"
		     "add $128, %[dst]\n\t"
		     "sub $128, %[len]\n\t"
		     "jnz 1b\n\t"
		     "vzeroupper"
		     : [dst] "+r" (dst), [len] "+r" (n)
		     : [val] "r" (v) : SIM_VEC_CLOBBERS);
}

static inline void sim_fill_sse2(void *dst, __u32 v, __u64 n)
{
	asm volatile("movd %[val], %%xmm0\n\t"
		     "pshufd $0, %%xmm0, %%xmm0\n\t"
		     "1:\n\t"
		     "movdqa %%xmm0, (%[dst])\n\t"
		     "movdqa %%xmm0, 16(%[dst])\n\t"
		     "movdqa %%xmm0, 32(%[dst])\n\t"
		     "movdqa %%xmm0, 48(%[dst])\n\t"
		     "movdqa %%xmm0, 64(%[dst])\n\t"
		     "movdqa %%xmm0, 80(%[dst])\n\t"
		     "movdqa %%xmm0, 96(%[dst])\n\t"
		     "movdqa %%xmm0, 112(%[dst])\n\t"
		     "add $128, %[dst]\n\t"
		     "sub $128, %[len]\n\t"
		     "jnz 1b"
		     : [dst] "+r" (dst), [len] "+r" (n)
		     : [val] "r" (v) : SIM_VEC_CLOBBERS);
}

/*
 * GEMM inner kernels: c[0, w) += sum over p in [0, kn) of a[p] * b[p][0, w)
 * for w = 32 or 8 columns, where row p of B starts @bstride bytes after
 * row p - 1; @kn >= 1.  The sums stay in registers for the whole of B's
 * tile: C is read and written once per tile, not once per row of B.
 */
static inline void sim_gemm_i32_x32_avx2(__u32 *c, const __u32 *a,
					 const __u32 *b, __u64 bstride,
					 __u32 kn)
{
	asm volatile("vmovdqu (%[c]), %%ymm0\n\t"
		     "vmovdqu 32(%[c]), %%ymm1\n\t"
		     "vmovdqu 64(%[c]), %%ymm2\n\t"
		     "vmovdqu 96(%[c]), %%ymm3\n\t"
		     "1:\n\t"
		     "vpbroadcastd (%[a]), %%ymm4\n\t"
		     "vpmulld (%[b]), %%ymm4, %%ymm5\n\t"
		     "vpmulld 32(%[b]), %%ymm4, %%ymm6\n\t"
		     "vpaddd %%ymm5, %%ymm0, %%ymm0\n\t"
		     "vpaddd %%ymm6, %%ymm1, %%ymm1\n\t"
		     "vpmulld 64(%[b]), %%ymm4, %%ymm5\n\t"
		     "vpmulld 96(%[b]), %%ymm4, %%ymm6\n\t"
		     "vpaddd %%ymm5, %%ymm2, %%ymm2\n\t"
		     "vpaddd %%ymm6, %%ymm3, %%ymm3\n\t"
		     "add $4, %[a]\n\t"
		     "add %[bs], %[b]\n\t"
		     "dec %[kn]\n\t"
		     "jnz 1b\n\t"
		     "vmovdqu %%ymm0, (%[c])\n\t"
		     "vmovdqu %%ymm1, 32(%[c])\n\t"
		     "vmovdqu %%ymm2, 64(%[c])\n\t"
		     "vmovdqu %%ymm3, 96(%[c])\n\t"
		     "vzeroupper"
		     : [a] "+r" (a), [b] "+r" (b), [kn] "+r" (kn)
		     : [c] "r" (c), [bs] "r" (bstride)
		     : SIM_VEC_CLOBBERS);
}

static inline void sim_gemm_i32_x8_avx2(__u32 *c, const __u32 *a,
					const __u32 *b, __u64 bstride,
					__u32 kn)
{
	asm volatile("vmovdqu (%[c]), %%ymm0\n\t"
		     "1:\n\t"
		     "vpbroadcastd (%[a]), %%ymm4\n\t"
		     "vpmulld (%[b]), %%ymm4, %%ymm5\n\t"
		     "vpaddd %%ymm5, %%ymm0, %%ymm0\n\t"
		     "add $4, %[a]\n\t"
		     "add %[bs], %[b]\n\t"
		     "dec %[kn]\n\t"
		     "jnz 1b\n\t"
		     "vmovdqu %%ymm0, (%[c])\n\t"
		     "vzeroupper"
		     : [a] "+r" (a), [b] "+r" (b), [kn] "+r" (kn)
		     : [c] "r" (c), [bs] "r" (bstride)
		     : SIM_VEC_CLOBBERS);
}
#endif /* __x86_64__ */

/*
 * One block: rows [r0, r1) of C += A x B over k in [k0, k1), j in [j0, j1),
 * with the AVX2 kernels if @avx2 (x86-64 only; the caller has checked the
 * CPU and, in the kernel, called kernel_fpu_begin()).  Both ways compute
 * the same sums modulo 2^32, only in a different order.
 */
static inline void sim_gemm_i32_block(__u32 *__restrict c,
				      const __u32 *__restrict a,
				      const __u32 *__restrict b, __u32 n, __u32 k,
				      __u32 r0, __u32 r1, __u32 k0, __u32 k1,
				      __u32 j0, __u32 j1, int avx2)
{
	__u32 i, p, j;

#if defined(__x86_64__)
	if (avx2) {
		for (i = r0; i < r1; i++) {
			__u32 *crow = c + (__u64)i * n;
			const __u32 *arow = a + (__u64)i * k + k0;
			const __u32 *bblk = b + (__u64)k0 * n;

			for (j = j0; j + 32 <= j1; j += 32)
				sim_gemm_i32_x32_avx2(crow + j, arow, bblk + j,
						      (__u64)n * 4, k1 - k0);
			for (; j + 8 <= j1; j += 8)
				sim_gemm_i32_x8_avx2(crow + j, arow, bblk + j,
						     (__u64)n * 4, k1 - k0);
			for (; j < j1; j++)
				for (p = k0; p < k1; p++)
					crow[j] += arow[p - k0] *
						   b[(__u64)p * n + j];
		}
		return;
	}
#endif
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

/* The rows [r0, r1) of A and C and the k range [k0, k1) unit @u covers. */
struct sim_gemm_unit {
	__u32 r0, r1, k0, k1;
};

static inline struct sim_gemm_unit sim_gemm_unit_of(__u32 m, __u32 k, __u64 u)
{
	__u32 kblocks = (k + SIM_GEMM_KB - 1) / SIM_GEMM_KB;
	struct sim_gemm_unit g;

	g.r0 = (__u32)(u / kblocks) * SIM_GEMM_RB;
	g.k0 = (__u32)(u % kblocks) * SIM_GEMM_KB;
	g.r1 = sim_min_u32(g.r0 + SIM_GEMM_RB, m);
	g.k1 = sim_min_u32(g.k0 + SIM_GEMM_KB, k);
	return g;
}

/* Run unit @u (@avx2 as for sim_gemm_i32_block()); return its multiply-adds. */
static inline __u64 sim_gemm_i32_unit(__u32 *c, const __u32 *a,
				      const __u32 *b, __u32 m, __u32 n,
				      __u32 k, __u64 u, int avx2)
{
	struct sim_gemm_unit g = sim_gemm_unit_of(m, k, u);
	__u32 i, j, jj;

	if (!g.k0)
		for (i = g.r0; i < g.r1; i++)
			for (j = 0; j < n; j++)
				c[(__u64)i * n + j] = 0;

	for (jj = 0; jj < n; jj += SIM_GEMM_JB)
		sim_gemm_i32_block(c, a, b, n, k, g.r0, g.r1, g.k0, g.k1, jj,
				   sim_min_u32(jj + SIM_GEMM_JB, n), avx2);
	return (__u64)(g.r1 - g.r0) * (g.k1 - g.k0) * n;
}

/* The whole product, unit by unit (the userspace reference). */
static inline void sim_gemm_i32(__u32 *c, const __u32 *a, const __u32 *b,
				__u32 m, __u32 n, __u32 k, int avx2)
{
	__u64 u, units = sim_gemm_units(m, k);

	for (u = 0; u < units; u++)
		sim_gemm_i32_unit(c, a, b, m, n, k, u, avx2);
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
