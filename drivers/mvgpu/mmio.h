/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvgpu core: a vGPU's BAR0 registers (mmio.c).
 */
#ifndef _MVGPU_MMIO_H
#define _MVGPU_MMIO_H

#include <linux/types.h>

struct mvgpu_vgpu;

void mvgpu_mmio_reset(struct mvgpu_vgpu *vgpu);
u32 mvgpu_mmio_read32(struct mvgpu_vgpu *vgpu, unsigned int reg);
void mvgpu_mmio_write32(struct mvgpu_vgpu *vgpu, unsigned int reg, u32 val);

#endif /* _MVGPU_MMIO_H */
