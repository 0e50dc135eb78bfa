/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvgpu guest: how mvgpu_guest.ko hands the vGPU's display engine to the
 * KMS driver, mvgpu_guest_kms.ko, over the auxiliary bus.
 *
 * mvgpu_guest.ko owns the PCI function, its BARs and its interrupt.  When
 * the device has MVGPU_FEAT_DISPLAY it sets the top of the clients' VRAM
 * window aside for scanout buffers and adds an auxiliary device
 * "mvgpu_guest.display.<N>" describing it; mvgpu_guest_kms.ko binds to
 * that.  So a compute-only guest needs no DRM modules, and the PCI driver
 * removes the display (the auxiliary device, whose driver unplugs its DRM
 * device) before it lets go of the BARs.
 */
#ifndef _MVGPU_GUEST_DISPLAY_H
#define _MVGPU_GUEST_DISPLAY_H

#include <linux/auxiliary_bus.h>
#include <linux/io.h>
#include <linux/types.h>

#define MVGPU_GUEST_DISPLAY_NAME	"display"

/**
 * struct mvgpu_guest_disp - the display part of one vGPU
 * @adev: the auxiliary device; its parent is the vGPU's PCI function.
 * @regs: BAR0, for the display registers only (MVGPU_DISP_BASE..END).
 * @vram_phys: bus address of the VRAM set aside for scanout buffers.
 * @base: its offset in the vGPU's VRAM (what MVGPU_REG_DISP_BASE counts
 *	from).
 * @size: its size in bytes.
 *
 * Valid from the auxiliary device's probe to its remove.
 */
struct mvgpu_guest_disp {
	struct auxiliary_device adev;
	void __iomem *regs;
	phys_addr_t vram_phys;
	u64 base;
	u64 size;
};

static inline struct mvgpu_guest_disp *
to_mvgpu_guest_disp(struct auxiliary_device *adev)
{
	return container_of(adev, struct mvgpu_guest_disp, adev);
}

#endif /* _MVGPU_GUEST_DISPLAY_H */
