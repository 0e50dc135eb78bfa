/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvgpu core: the emulated PCI configuration space as data (cfg_space.c).
 */
#ifndef _MVGPU_CFG_SPACE_H
#define _MVGPU_CFG_SPACE_H

#include <linux/types.h>

#include <uapi/linux/mvgpu.h>

/**
 * struct mvgpu_cfg_space - a config space and the rules for writing it
 * @val: the bytes as they read (before the live Interrupt Status bit).
 * @wmask: per byte, the bits a VFIO user may change.
 * @w1c: per byte, the bits a write of 1 clears.
 */
struct mvgpu_cfg_space {
	u8 val[MVGPU_CFG_SIZE];
	u8 wmask[MVGPU_CFG_SIZE];
	u8 w1c[MVGPU_CFG_SIZE];
};

void mvgpu_cfg_space_reset(struct mvgpu_cfg_space *cs, u16 subsys_id,
			   u64 vram_size);
void mvgpu_cfg_space_write(struct mvgpu_cfg_space *cs, unsigned int off,
			   const u8 *buf, unsigned int len);
void mvgpu_cfg_space_restore(struct mvgpu_cfg_space *cs, const u8 *saved);

#endif /* _MVGPU_CFG_SPACE_H */
