/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvgpu core: a physical GPU as the core sees it (pgpu.c).
 *
 * Object model
 *   struct mvgpu_pgpu     one physical GPU registered by a backend; a device
 *                         of class "mvgpu" and the mdev parent of its vGPUs.
 *   struct mvgpu_profile  one mdev type of a pGPU (a vGPU "size").
 *   struct mvgpu_vgpu     one mediated device; embeds its vfio_device.
 *
 * Lifetimes
 *   A pGPU lives from mvgpu_pgpu_register() to the release of its struct
 *   device; mdev_unregister_parent() in mvgpu_pgpu_unregister() removes
 *   every vGPU first, waiting for VFIO users to let go.  A vGPU's memory is
 *   the vfio_device's; resources taken in mvgpu_vgpu_init() are given back
 *   in mvgpu_vgpu_release(), in the reverse order.
 */
#ifndef _MVGPU_PGPU_H
#define _MVGPU_PGPU_H

#include <linux/bitmap.h>
#include <linux/device.h>
#include <linux/mdev.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include <mvgpu/backend.h>

#include "sched.h"

struct mvgpu_host;

struct mvgpu_profile;

/**
 * struct mvgpu_pgpu - a physical GPU as the core sees it
 * @dev: our class device; parent of the mdev devices.
 * @parent: mdev parent state, owned by the mdev core.
 * @ops: backend operations.
 * @priv: backend private data.
 * @backend: backend name.
 * @id: index in the pGPU IDA; the device is named mvgpu<id>.
 * @vram_size: VRAM bytes managed by the core.
 * @vram_units: @vram_size in %MVGPU_VRAM_UNIT units.
 * @nr_engines: engines of the pGPU.
 * @profiles: the pGPU's types; @mtypes points into it for the mdev core.
 * @mtypes: array of @nr_profiles pointers for mdev_register_parent().
 * @nr_profiles: number of profiles.
 * @lock: see "Locking" below.
 * @vram_map: allocated VRAM units.
 * @engine_map: engines dedicated to partitioned vGPUs.
 * @nr_vgpus: vGPUs that hold resources.
 * @sched: the engine scheduler.
 * @host_dev: /dev/mvgpu-host<id>, the host path.
 * @host_name: its name.
 * @host: the host path's state (host.c), which open files share.
 * @model: the backend's name for the GPU, or "".
 * @pci_address: the GPU's PCI address, or "".
 * @offline: the backend cannot run commands (online.c).
 * @ctxs: every context (vGPU or host client) holding resources, linked by
 *	their @pgpu_node.
 *
 * Locking: @lock protects @vram_map, @engine_map, @nr_vgpus, @offline and
 * @ctxs; it is never
 * taken under a vGPU's locks, and only @sched.lock nests inside it.
 * @sched.lock (a spinlock) protects the run list, every queue's scheduling
 * fields and the engines' @current_q; it is innermost: nothing is taken
 * under it.
 */
struct mvgpu_pgpu {
	struct device dev;
	struct mdev_parent parent;
	const struct mvgpu_pgpu_ops *ops;
	void *priv;
	const char *backend;
	int id;
	u64 vram_size;
	unsigned int vram_units;
	unsigned int nr_engines;
	struct mvgpu_profile *profiles;
	struct mdev_type **mtypes;
	unsigned int nr_profiles;

	struct mutex lock;		/* see "Locking" above */
	DECLARE_BITMAP(vram_map, MVGPU_MAX_VRAM_UNITS);
	DECLARE_BITMAP(engine_map, MVGPU_MAX_ENGINES);
	unsigned int nr_vgpus;

	struct mvgpu_sched sched;
	struct miscdevice host_dev;
	char host_name[24];
	struct mvgpu_host *host;
	char model[64];
	char pci_address[16];
	bool offline;
	struct list_head ctxs;
};

static inline struct mvgpu_pgpu *mtype_to_pgpu(struct mdev_type *mtype)
{
	return container_of(mtype->parent, struct mvgpu_pgpu, parent);
}

#endif /* _MVGPU_PGPU_H */
