// SPDX-License-Identifier: GPL-2.0
/*
 * mvgpu_sim: MVGPU_OP_GEMM_F32, the float32 GEMM.
 *
 * The kernel is built without floating point (-mno-sse and friends on
 * x86), so that no compiler-generated vector code touches the user's FPU
 * state.  This file is the exception: Kbuild builds it, and nothing else
 * of mvgpu_sim, with SSE2 enabled, as amdgpu does for its display code.
 * The compiler may then use vector registers anywhere in this file, so
 * every function here must be called between kernel_fpu_begin() and
 * kernel_fpu_end(), and those calls live outside this file (sim.c), where
 * the compiler cannot have touched a vector register before them.
 */
#include <linux/types.h>

#include "sim_f32.h"
#include "sim_f32_kernels.h"

/**
 * mvgpu_sim_gemm_f32_unit() - run one unit of C = A x B in float32
 * @c: C, @m x @n binary32 elements, in VRAM.
 * @a: A, @m x @k elements.
 * @b: B, @k x @n elements.
 * @m: rows of A and C.
 * @n: columns of B and C.
 * @k: columns of A, rows of B.
 * @unit: the unit, below sim_gemm_units(@m, @k).
 * @fma: use the FMA/AVX2 kernels (the CPU has FMA, AVX2 and OS support).
 *
 * Context: inside kernel_fpu_begin() (on x86-64: the whole of it, since
 * this file is built with SSE enabled).
 * Return: the multiply-adds the unit took.
 */
u64 mvgpu_sim_gemm_f32_unit(void *c, const void *a, const void *b, u32 m,
			    u32 n, u32 k, u64 unit, bool fma)
{
	return sim_gemm_f32_unit(c, a, b, m, n, k, unit, fma);
}
