/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvgpu core: a vGPU's VRAM slice, BAR2 (vram.c).
 */
#ifndef _MVGPU_VRAM_H
#define _MVGPU_VRAM_H

#include <linux/compiler.h>
#include <linux/types.h>

struct mvgpu_vgpu;
struct vm_area_struct;

int mvgpu_vram_rw(struct mvgpu_vgpu *vgpu, char __user *ubuf, size_t count,
		  u64 off, bool write);
int mvgpu_vram_mmap(struct mvgpu_vgpu *vgpu, struct vm_area_struct *vma,
		    u64 off);
void mvgpu_vram_clear(struct mvgpu_vgpu *vgpu);
void mvgpu_vram_unmapped(struct mvgpu_vgpu *vgpu);

#endif /* _MVGPU_VRAM_H */
