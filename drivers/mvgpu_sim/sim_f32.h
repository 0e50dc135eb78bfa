/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvgpu_sim's float32 GEMM (sim_f32.c), as sim.c calls it: the one entry
 * point into the only file of the module that is compiled with floating
 * point enabled.
 */
#ifndef _MVGPU_SIM_F32_H
#define _MVGPU_SIM_F32_H

#include <linux/types.h>

u64 mvgpu_sim_gemm_f32_unit(void *c, const void *a, const void *b, u32 m,
			    u32 n, u32 k, u64 unit, bool fma);

#endif /* _MVGPU_SIM_F32_H */
