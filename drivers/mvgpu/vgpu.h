/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvgpu core: a mediated vGPU and its lifetime (vgpu.c).
 */
#ifndef _MVGPU_VGPU_H
#define _MVGPU_VGPU_H

#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/vfio.h>
#include <linux/wait.h>

#include <uapi/linux/mvgpu.h>

#include "cfg_space.h"
#include "display.h"
#include "dma.h"
#include "irq.h"
#include "queue.h"

struct mvgpu_mig;
struct mvgpu_pgpu;
struct mvgpu_profile;

/**
 * struct mvgpu_regs - BAR0 register state that is not derived
 * @scratch: MVGPU_REG_SCRATCH.
 * @control: MVGPU_REG_CONTROL (only MVGPU_CONTROL_RW_MASK bits).
 * @error: MVGPU_REG_ERROR.
 * @error_info: MVGPU_REG_ERROR_INFO.
 * @irq_status: MVGPU_REG_IRQ_STATUS.
 * @irq_mask: MVGPU_REG_IRQ_MASK.
 */
struct mvgpu_regs {
	u32 scratch;
	u32 control;
	u32 error;
	u32 error_info;
	u32 irq_status;
	u32 irq_mask;
};

/**
 * struct mvgpu_stats - per-vGPU counters, always on
 * @doorbells: doorbell writes, each one a trap (vgpu->lock).
 * @irqs: device interrupts delivered (irq_lock).
 * @irqs_coalesced: device interrupts interrupt moderation held back and
 *	merged into a later one (irq_lock).
 * @errors: times the vGPU entered the error state (irq_lock).
 * @resets: device resets (vgpu->lock).
 * @vram_cleared_bytes: VRAM zeroed by resets, create and close
 *	(vgpu->lock; vram.c).
 * @vram_clear_wait_ns: time those waited for the clear budget
 *	(vgpu->lock).
 * @mig_out: migrations whose stream was read to its end (the data
 *	file's lock).
 * @mig_in: migrations restored (vgpu->lock).
 * @mig_bytes_out: migration stream bytes read (the data file's lock).
 * @mig_bytes_in: migration stream bytes written (the data file's lock).
 *
 * Counters are updated under the lock named; readers take none (64-bit
 * loads do not tear).  Engine-side counters are per queue.
 */
struct mvgpu_stats {
	u64 doorbells;
	u64 irqs;
	u64 irqs_coalesced;
	u64 errors;
	u64 resets;
	u64 vram_cleared_bytes;
	u64 vram_clear_wait_ns;
	u64 mig_out;
	u64 mig_in;
	u64 mig_bytes_out;
	u64 mig_bytes_in;
};

/**
 * struct mvgpu_vgpu - one mediated vGPU
 * @vdev: VFIO device; first member, as vfio_alloc_device() requires.
 * @pgpu: the pGPU the vGPU lives on.
 * @profile: its type.
 * @vram_base: offset of its VRAM slice in the pGPU's VRAM.
 * @vram_size: size of the slice, a power of two.
 * @engine_mask: engines dedicated to it (partitioned profiles), else 0.
 * @vram_flags: MVGPU_VRAM_* bits, atomic bitops (see vram.c).
 * @vram_dirty: bitmap, one bit per MVGPU_VRAM_CHUNK of the slice that may
 *	hold data (vram.c).
 * @clear_budget: bytes the vGPU may have cleared now (@lock; vram.c).
 * @clear_budget_at: when @clear_budget was computed (@lock).
 * @lock: see "Locking".
 * @cfg: emulated PCI configuration space and its write masks.
 * @regs: BAR0 register state.
 * @irq_lock: see "Locking".
 * @irq: interrupt state.
 * @failed: the vGPU is in its error state (@irq_lock).
 * @queues: command queues, @nr_queues of them.
 * @nr_queues: MVGPU_REG_ENGINES.
 * @weight: scheduling weight, 1..MVGPU_WEIGHT_MAX (READ_ONCE).
 * @cap: maximum share of the shared engine pool in percent, 0 for none
 *	(READ_ONCE).
 * @timeslice_ns: how long one of its queues may hold an engine while
 *	others wait (READ_ONCE).
 * @vruntime: weighted virtual runtime of all its queues (sched.lock).
 * @cap_used_ns: engine time used in the current cap period (sched.lock).
 * @cap_period_end: end of the current cap period (sched.lock).
 * @dma: guest-memory access.
 * @disp: the display engine (display.c).
 * @stats: counters.
 * @host: a host-path client (host.c), not a VFIO device; only @vdev is
 *	unused then, and commands may not name guest memory.
 * @fence_wq: woken when a fence completes or the context fails.
 * @mig: live migration state (migrate.c), NULL for a host client.
 * @mig_stopped: a migration stopped the device: doorbells kick no engine
 *	(@lock).
 * @pgpu_node: link in pgpu->ctxs while the context holds resources
 *	(pgpu->lock).
 *
 * Locking: @lock serialises every VFIO user access: region reads and
 * writes, ioctls, reset, open and close.  It protects @cfg, the queue
 * registers, @regs.scratch and @regs.control, and the configuration half
 * of @irq (which triggers are set).  Engines never take it.
 * @irq_lock (a spinlock: engines raise interrupts and errors) protects
 * @irq, @regs.irq_status, @regs.irq_mask, @regs.error, @regs.error_info
 * and @failed.
 * Order: @lock, then @irq_lock; pgpu->sched.lock is never held with
 * @irq_lock.
 */
struct mvgpu_vgpu {
	struct vfio_device vdev;
	struct mvgpu_pgpu *pgpu;
	const struct mvgpu_profile *profile;
	u64 vram_base;
	u64 vram_size;
	unsigned long engine_mask;
	unsigned long vram_flags;
	unsigned long *vram_dirty;
	u64 clear_budget;
	u64 clear_budget_at;

	struct mutex lock;		/* see "Locking" above */
	struct mvgpu_cfg_space cfg;
	struct mvgpu_regs regs;

	spinlock_t irq_lock;		/* see "Locking" above */
	struct mvgpu_irq irq;
	bool failed;

	struct mvgpu_queue queues[MVGPU_MAX_QUEUES];
	unsigned int nr_queues;
	unsigned int weight;
	unsigned int cap;
	u64 timeslice_ns;
	u64 vruntime;
	u64 cap_used_ns;
	u64 cap_period_end;
	struct mvgpu_dma_cache dma;
	struct mvgpu_disp disp;
	struct mvgpu_stats stats;
	bool host;
	wait_queue_head_t fence_wq;
	struct mvgpu_mig *mig;
	bool mig_stopped;
	struct list_head pgpu_node;
};

/* vgpu->vram_flags bits */
#define MVGPU_VRAM_DIRTY	0	/* clear the whole slice next time */
#define MVGPU_VRAM_MAPPED	1	/* a VFIO user may have it mapped */

static inline struct mvgpu_vgpu *vdev_to_vgpu(struct vfio_device *vdev)
{
	return container_of(vdev, struct mvgpu_vgpu, vdev);
}

extern const struct vfio_device_ops mvgpu_vfio_ops;
int mvgpu_ctx_init(struct mvgpu_vgpu *vgpu,
		   const struct mvgpu_profile *profile, bool host);
void mvgpu_ctx_fini(struct mvgpu_vgpu *vgpu);
void mvgpu_vgpu_reset(struct mvgpu_vgpu *vgpu);

#endif /* _MVGPU_VGPU_H */
