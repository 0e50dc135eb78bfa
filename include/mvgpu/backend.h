/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvgpu backend interface: how a physical GPU driver plugs into mvgpu.ko.
 *
 * A backend (mvgpu_sim today, real GPU drivers later) describes one
 * physical GPU with struct mvgpu_pgpu_info, supplies struct mvgpu_pgpu_ops,
 * and calls mvgpu_pgpu_register().  The core then owns everything a host
 * administrator and a VFIO user see: the pGPU device in sysfs, its mdev
 * types, the vGPUs and their VFIO device model.  The core never touches
 * VRAM or engines directly; it asks the backend through the ops.
 */
#ifndef _MVGPU_BACKEND_H
#define _MVGPU_BACKEND_H

#include <linux/types.h>

struct device;
struct module;
struct mvgpu_pgpu;

/*
 * VRAM is handed out to vGPUs in units of this size, aligned to their own
 * size; a backend's VRAM size must be a multiple of it.
 */
#define MVGPU_VRAM_UNIT		(16ULL << 20)
/* Upper bounds the core relies on (bitmap sizes in struct mvgpu_pgpu). */
#define MVGPU_MAX_VRAM_UNITS	256
#define MVGPU_MAX_ENGINES	16

/**
 * struct mvgpu_pgpu_info - static description of a physical GPU
 * @backend: short backend name shown in sysfs ("sim").
 * @parent: the hardware device (a PCI device), or NULL for a software pGPU,
 *	which then appears under /sys/devices/virtual/mvgpu/.
 * @vram_size: VRAM bytes available to vGPUs, a multiple of
 *	%MVGPU_VRAM_UNIT, at most %MVGPU_MAX_VRAM_UNITS units.
 * @nr_engines: number of engines, 1 to %MVGPU_MAX_ENGINES.
 */
struct mvgpu_pgpu_info {
	const char *backend;
	struct device *parent;
	u64 vram_size;
	unsigned int nr_engines;
};

/**
 * struct mvgpu_pgpu_ops - what the core asks of a backend
 * @owner: the backend module; the core pins it while any vGPU is open.
 * @vram_rw: copy @len bytes between VRAM at @offset and @buf.  The core
 *	has checked that the range lies inside the pGPU's VRAM.  May sleep.
 *	Return: 0 or a negative errno.
 * @vram_pfn: the page frame number backing the VRAM page at @offset
 *	(page aligned, inside VRAM), for mapping VRAM into a VFIO user's
 *	address space.  Called from a page fault handler.
 * @vram_clear: zero @len bytes of VRAM at @offset (both unit aligned).
 *	Must not return before the memory reads as zero.  May sleep.
 */
struct mvgpu_pgpu_ops {
	struct module *owner;
	int (*vram_rw)(struct mvgpu_pgpu *pgpu, u64 offset, void *buf,
		       size_t len, bool write);
	unsigned long (*vram_pfn)(struct mvgpu_pgpu *pgpu, u64 offset);
	void (*vram_clear)(struct mvgpu_pgpu *pgpu, u64 offset, u64 len);
};

struct mvgpu_pgpu *mvgpu_pgpu_register(const struct mvgpu_pgpu_info *info,
				       const struct mvgpu_pgpu_ops *ops,
				       void *priv);
void mvgpu_pgpu_unregister(struct mvgpu_pgpu *pgpu);
void *mvgpu_pgpu_priv(struct mvgpu_pgpu *pgpu);

#endif /* _MVGPU_BACKEND_H */
