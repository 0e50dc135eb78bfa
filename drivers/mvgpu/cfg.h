/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvgpu core: a vGPU's emulated PCI configuration space (cfg.c).
 */
#ifndef _MVGPU_CFG_H
#define _MVGPU_CFG_H

#include <linux/types.h>

struct mvgpu_vgpu;

void mvgpu_cfg_init(struct mvgpu_vgpu *vgpu);
void mvgpu_cfg_read(struct mvgpu_vgpu *vgpu, unsigned int off, u8 *buf,
		    unsigned int len);
void mvgpu_cfg_write(struct mvgpu_vgpu *vgpu, unsigned int off,
		     const u8 *buf, unsigned int len);
u16 mvgpu_cfg_command(struct mvgpu_vgpu *vgpu);

#endif /* _MVGPU_CFG_H */
