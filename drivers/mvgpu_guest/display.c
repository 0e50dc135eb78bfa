// SPDX-License-Identifier: GPL-2.0
/*
 * mvgpu_guest: the auxiliary device that hands the vGPU's display engine
 * to mvgpu_guest_kms.ko (see include/mvgpu/guest_display.h).
 */
#include <linux/pci.h>
#include <linux/slab.h>

#include <mvgpu/guest_display.h>

#include "display.h"

static void mvgpu_guest_disp_release(struct device *dev)
{
	kfree(to_mvgpu_guest_disp(to_auxiliary_dev(dev)));
}

/**
 * mvgpu_guest_disp_add() - add the display's auxiliary device
 * @pdev: the vGPU's PCI function, its parent.
 * @id: the vGPU's instance number (the device is "display.<id>").
 * @regs: BAR0, mapped.
 * @vram_phys: bus address of the scanout VRAM.
 * @base: its offset in the vGPU's VRAM.
 * @size: its size.
 *
 * Return: the device, or an ERR_PTR().
 */
struct mvgpu_guest_disp *mvgpu_guest_disp_add(struct pci_dev *pdev, int id,
					      void __iomem *regs,
					      phys_addr_t vram_phys, u64 base,
					      u64 size)
{
	struct mvgpu_guest_disp *disp;
	int ret;

	disp = kzalloc(sizeof(*disp), GFP_KERNEL);
	if (!disp)
		return ERR_PTR(-ENOMEM);
	disp->regs = regs;
	disp->vram_phys = vram_phys;
	disp->base = base;
	disp->size = size;
	disp->adev.name = MVGPU_GUEST_DISPLAY_NAME;
	disp->adev.id = id;
	disp->adev.dev.parent = &pdev->dev;
	disp->adev.dev.release = mvgpu_guest_disp_release;

	ret = auxiliary_device_init(&disp->adev);
	if (ret) {
		kfree(disp);
		return ERR_PTR(ret);
	}
	ret = auxiliary_device_add(&disp->adev);
	if (ret) {
		auxiliary_device_uninit(&disp->adev);
		return ERR_PTR(ret);
	}
	return disp;
}

/**
 * mvgpu_guest_disp_del() - remove the display's auxiliary device
 * @disp: the device, or NULL.
 *
 * Unbinds the KMS driver, which unplugs its DRM device (open DRM files
 * stay valid and fail with -ENODEV); the BARs may go away afterwards.
 */
void mvgpu_guest_disp_del(struct mvgpu_guest_disp *disp)
{
	if (!disp)
		return;
	auxiliary_device_delete(&disp->adev);
	auxiliary_device_uninit(&disp->adev);
}
