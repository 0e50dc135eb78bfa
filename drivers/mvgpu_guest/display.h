/* SPDX-License-Identifier: GPL-2.0 */
/* mvgpu_guest: the display's auxiliary device (display.c). */
#ifndef _MVGPU_GUEST_DISPLAY_LOCAL_H
#define _MVGPU_GUEST_DISPLAY_LOCAL_H

#include <linux/io.h>
#include <linux/types.h>

struct mvgpu_guest_disp;
struct pci_dev;

struct mvgpu_guest_disp *mvgpu_guest_disp_add(struct pci_dev *pdev, int id,
					      void __iomem *regs,
					      phys_addr_t vram_phys, u64 base,
					      u64 size);
void mvgpu_guest_disp_del(struct mvgpu_guest_disp *disp);

#endif /* _MVGPU_GUEST_DISPLAY_LOCAL_H */
