// SPDX-License-Identifier: GPL-2.0
/*
 * Live migration of a vGPU: VFIO migration v2 (vfio_migration_ops).
 *
 * States and arcs
 *   A vGPU offers STOP_COPY and P2P everywhere, and PRE_COPY where the
 *   kernel has it (compat.h, MVGPU_MIG_FLAGS).  mvgpu_mig_set_state()
 *   walks vfio_mig_get_next_state() one arc at a time; mvgpu_mig_arc()
 *   implements every arc the core may hand a driver with these flags.
 *   The P2P states behave as running: a vGPU never does peer-to-peer DMA.
 *
 *   RUNNING_P2P -> STOP     quiesce: every queue off its engine at a chunk
 *                           boundary, its DMA finished, the interrupt
 *                           moderation timer cancelled (an owed interrupt
 *                           stays owed); doorbells kick nothing.
 *   STOP -> RUNNING_P2P     resume: owed interrupt sent, queues kicked;
 *                           a command in progress continues.
 *   STOP -> STOP_COPY       saving file; the whole slice to send.
 *   RUNNING(_P2P) -> PRE_COPY(_P2P)
 *                           saving file while running: VRAM is sent, and
 *                           what engines, region writes and the mapped
 *                           BAR write afterwards is tracked and sent again.
 *   PRE_COPY_P2P -> STOP_COPY
 *                           quiesce; the rest, then the device state.
 *   STOP -> RESUMING        device reset (still stopped); resuming file.
 *   RESUMING -> STOP        the stream must be complete and valid: its
 *                           state is applied, else the arc fails and the
 *                           vGPU stays in RESUMING until a reset.
 *   leaving a saving state for a non-saving one, and every RESUMING ->
 *   STOP, tears the data file down: it answers -ENODEV from then on.
 *
 * Dirty tracking (pre-copy)
 *   One bit per 4 KiB page of the slice.  Writers set bits after their
 *   data landed (mvgpu_mig_dirty(): engines per chunk for the command's
 *   destination, queue bookkeeping, region writes, resets, and the BAR
 *   mapping's write faults); the reader clears a bit, write-protects the
 *   page's mappings, and only then reads the page.  So a page is either
 *   read with the newest data or marked again.
 *
 * Locking
 *   mig->state_mutex protects the migration state and the file pointers;
 *   order: state_mutex, then a data file's lock, then vgpu->lock.  Reset
 *   (VFIO_DEVICE_RESET) must not wait for state_mutex while it holds
 *   vgpu->lock, and a reset may come while an arc runs: the reset of the
 *   migration state is deferred to whoever holds state_mutex
 *   (mvgpu_mig_unlock(); mig->reset_lock protects the flag), as the vfio
 *   mtty sample does.  A data file's lock protects its stream state; the
 *   file never touches the vGPU once disabled, so it may outlive it.
 */
#include <linux/anon_inodes.h>
#include <linux/crc32.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <mvgpu/backend.h>
#include <uapi/linux/mvgpu.h>
#include <uapi/linux/mvgpu_mig.h>

#include "cfg.h"
#include "cmd.h"
#include "compat.h"
#include "dma.h"
#include "irq.h"
#include "migrate.h"
#include "mmio.h"
#include "pgpu.h"
#include "profile.h"
#include "queue.h"
#include "sched.h"
#include "vfio_ops.h"
#include "vgpu.h"

#define MVGPU_MIG_PAGE_SHIFT	12
static_assert(MVGPU_MIG_PAGE == 1u << MVGPU_MIG_PAGE_SHIFT);
static_assert(sizeof(struct mvgpu_mig_hdr) == 64);
static_assert(sizeof(struct mvgpu_mig_rec) == 24);
static_assert(sizeof(struct mvgpu_mig_queue) == 136);
static_assert(sizeof(((struct mvgpu_mig_state *)0)->cfg) == MVGPU_CFG_SIZE);
static_assert(ARRAY_SIZE(((struct mvgpu_mig_state *)0)->queues) ==
	      MVGPU_MAX_QUEUES);
static_assert(sizeof(struct mvgpu_cmd) == 64);

/* The largest payload of any record. */
#define MVGPU_MIG_PAYLOAD_MAX	max_t(size_t, MVGPU_MIG_CHUNK, \
				      sizeof(struct mvgpu_mig_state))
#define MVGPU_MIG_BUF_SIZE	(sizeof(struct mvgpu_mig_rec) + \
				 MVGPU_MIG_PAYLOAD_MAX)

/* Where a saving file's stream is. */
enum mvgpu_mig_phase {
	MVGPU_MIG_HDR,		/* header not produced yet / being parsed */
	MVGPU_MIG_VRAM,		/* saving: dirty VRAM; resuming: records */
	MVGPU_MIG_STATE,	/* saving: device state next */
	MVGPU_MIG_END,		/* saving: END record next */
	MVGPU_MIG_DONE,		/* END produced / consumed */
};

/**
 * struct mvgpu_mig_file - one data transfer session (a VFIO data fd)
 * @filp: its file.
 * @mig: the vGPU's migration state; not used once @disabled.
 * @lock: protects every field below.
 * @disabled: torn down: reads and writes fail with -ENODEV.
 * @saving: a saving session (else resuming).
 * @stop_copy: saving: the device is stopped, the stream will end.
 * @phase: enum mvgpu_mig_phase.
 * @err: resuming: the first error; every later call returns it.
 * @buf: saving: the record being read out; resuming: the one being
 *	parsed (its header, then its payload).
 * @buf_len: bytes in @buf.
 * @buf_pos: saving: bytes of @buf already read.
 * @rec: resuming: the header of the record whose payload is parsed.
 * @state: saving: the device state, captured when the device stopped;
 *	resuming: the state received, @have_state set.
 * @have_state: resuming: a STATE record arrived.
 * @cursor: saving: next page to look at.
 * @first_pass: saving: @cursor has not wrapped yet.
 * @records: records so far (not counting END).
 * @bytes: stream bytes so far.
 * @crc: CRC-32 of those bytes.
 */
struct mvgpu_mig_file {
	struct file *filp;
	struct mvgpu_mig *mig;
	struct mutex lock;		/* see above */
	bool disabled;
	bool saving;
	bool stop_copy;
	enum mvgpu_mig_phase phase;
	int err;
	u8 *buf;
	size_t buf_len;
	size_t buf_pos;
	struct mvgpu_mig_rec rec;
	struct mvgpu_mig_state *state;
	bool have_state;
	unsigned long cursor;
	bool first_pass;
	u64 records;
	u64 bytes;
	u32 crc;
};

/**
 * struct mvgpu_mig - a vGPU's migration state
 * @vgpu: the vGPU.
 * @state_mutex: see "Locking" above.
 * @state: the VFIO migration state (@state_mutex).
 * @saving: the saving session's file, or NULL (@state_mutex).
 * @resuming: the resuming session's file, or NULL (@state_mutex).
 * @reset_lock: protects @deferred_reset.
 * @deferred_reset: a reset came while @state_mutex was held.
 * @tracking: pre-copy: writers mark @dirty (READ_ONCE).
 * @dirty: one bit per page of the slice; atomic bitops.
 * @npages: bits in @dirty.
 */
struct mvgpu_mig {
	struct mvgpu_vgpu *vgpu;
	struct mutex state_mutex;	/* see "Locking" above */
	enum vfio_device_mig_state state;
	struct mvgpu_mig_file *saving;
	struct mvgpu_mig_file *resuming;
	spinlock_t reset_lock;		/* protects @deferred_reset */
	bool deferred_reset;
	bool tracking;
	unsigned long *dirty;
	unsigned long npages;
};

static struct device *mvgpu_mig_dev(struct mvgpu_mig *mig)
{
	return mig->vgpu->vdev.dev;
}

static u32 mvgpu_mig_crc(const void *p, size_t len)
{
	return ~crc32_le(~0u, p, len);
}

/* Continue a CRC-32 (as zlib's crc32(crc, p, len)). */
static u32 mvgpu_mig_crc_add(u32 crc, const void *p, size_t len)
{
	return ~crc32_le(~crc, p, len);
}

/**
 * mvgpu_mig_dirty() - VRAM was written: send it again if pre-copy runs
 * @vgpu: the vGPU.
 * @off: slice offset.
 * @len: bytes; the range is clamped to the slice.
 *
 * Called after the data landed.  Any context; no locks.
 */
void mvgpu_mig_dirty(struct mvgpu_vgpu *vgpu, u64 off, u64 len)
{
	struct mvgpu_mig *mig = vgpu->mig;
	unsigned long first, last;

	if (!mig || !READ_ONCE(mig->tracking) || !len ||
	    off >= vgpu->vram_size)
		return;
	len = min(len, vgpu->vram_size - off);
	first = off >> MVGPU_MIG_PAGE_SHIFT;
	last = (off + len - 1) >> MVGPU_MIG_PAGE_SHIFT;
	/* The data before the bits: pairs with mvgpu_mig_take_pages(). */
	smp_mb__before_atomic();
	if (first == last)
		set_bit(first, mig->dirty);
	else
		bitmap_set(mig->dirty, first, last - first + 1);
}

/**
 * mvgpu_mig_op_dirty() - an engine ran a chunk of @op: mark what it wrote
 * @vgpu: the vGPU.
 * @op: the command (absolute VRAM offsets).
 *
 * The whole destination of the command, whatever the chunk covered; an
 * opcode this file does not know marks the whole slice.
 */
void mvgpu_mig_op_dirty(struct mvgpu_vgpu *vgpu, const struct mvgpu_op *op)
{
	u64 dst, len;

	if (!vgpu->mig || !READ_ONCE(vgpu->mig->tracking))
		return;
	if (!mvgpu_op_writes(op, &dst, &len))
		mvgpu_mig_dirty(vgpu, 0, vgpu->vram_size);
	else if (len)
		mvgpu_mig_dirty(vgpu, dst - vgpu->vram_base, len);
}

/* ---- the device side: stop, resume, save, restore ---- */

/* Quiesce the device: vgpu->lock held. */
static void mvgpu_mig_stop_device(struct mvgpu_vgpu *vgpu)
{
	unsigned int i;

	lockdep_assert_held(&vgpu->lock);

	vgpu->mig_stopped = true;
	for (i = 0; i < vgpu->nr_queues; i++) {
		mvgpu_sched_stop(&vgpu->queues[i]);
		mvgpu_dma_quiesce(&vgpu->queues[i]);
	}
	/*
	 * Every source that could arm the timer is gone (engines stopped,
	 * register writes need vgpu->lock); irq.deferred stays: the
	 * interrupt is owed and goes out on resume, here or on the target.
	 */
	hrtimer_cancel(&vgpu->irq.moderation);
}

/* Resume the device: vgpu->lock held. */
static void mvgpu_mig_start_device(struct mvgpu_vgpu *vgpu)
{
	unsigned long flags;
	unsigned int i;

	lockdep_assert_held(&vgpu->lock);

	vgpu->mig_stopped = false;
	spin_lock_irqsave(&vgpu->irq_lock, flags);
	if (vgpu->irq.deferred) {
		/* Owed: re-evaluating sees it as new. */
		vgpu->irq.deferred = false;
		vgpu->irq.level = false;
	}
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
	mvgpu_irq_update(vgpu);

	for (i = 0; i < vgpu->nr_queues; i++)
		if (vgpu->queues[i].enabled)
			mvgpu_sched_kick(&vgpu->queues[i]);
}

/* The stream header this vGPU writes and expects. */
static void mvgpu_mig_make_hdr(struct mvgpu_vgpu *vgpu,
			       struct mvgpu_mig_hdr *hdr)
{
	memset(hdr, 0, sizeof(*hdr));
	hdr->magic = cpu_to_le64(MVGPU_MIG_MAGIC);
	hdr->version = cpu_to_le32(MVGPU_MIG_VERSION);
	hdr->hdr_size = cpu_to_le32(sizeof(*hdr));
	hdr->profile = cpu_to_le32(vgpu->profile->id);
	hdr->kind = cpu_to_le32(vgpu->profile->kind);
	hdr->vram_size = cpu_to_le64(vgpu->vram_size);
	hdr->nr_queues = cpu_to_le32(vgpu->nr_queues);
	hdr->features = cpu_to_le32(mvgpu_mmio_read32(vgpu,
						      MVGPU_REG_FEATURES));
	hdr->isa_version = cpu_to_le32(mvgpu_mmio_read32(vgpu,
							 MVGPU_REG_VERSION));
	hdr->crc = cpu_to_le32(mvgpu_mig_crc(hdr, offsetof(typeof(*hdr), crc)));
}

/* Capture the stopped device's state: vgpu->lock held. */
static void mvgpu_mig_save_state(struct mvgpu_vgpu *vgpu,
				 struct mvgpu_mig_state *st)
{
	unsigned long flags;
	unsigned int i;
	u32 irqf = 0;

	lockdep_assert_held(&vgpu->lock);

	memset(st, 0, sizeof(*st));
	memcpy(st->cfg, vgpu->cfg.val, sizeof(st->cfg));
	st->scratch = cpu_to_le32(vgpu->regs.scratch);
	st->control = cpu_to_le32(vgpu->regs.control);

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	st->error = cpu_to_le32(vgpu->regs.error);
	st->error_info = cpu_to_le32(vgpu->regs.error_info);
	st->irq_status = cpu_to_le32(vgpu->regs.irq_status);
	st->irq_mask = cpu_to_le32(vgpu->regs.irq_mask);
	if (vgpu->irq.level)
		irqf |= MVGPU_MIG_IRQ_LEVEL;
	if (vgpu->irq.deferred)
		irqf |= MVGPU_MIG_IRQ_DEFERRED;
	if (vgpu->irq.intx_masked)
		irqf |= MVGPU_MIG_IRQ_INTX_MASKED;
	if (vgpu->failed)
		irqf |= MVGPU_MIG_IRQ_FAILED;
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
	st->irq_flags = cpu_to_le32(irqf);

	st->weight = cpu_to_le32(READ_ONCE(vgpu->weight));
	st->cap = cpu_to_le32(READ_ONCE(vgpu->cap));
	st->timeslice_ns = cpu_to_le64(READ_ONCE(vgpu->timeslice_ns));
	st->nr_queues = cpu_to_le32(vgpu->nr_queues);

	for (i = 0; i < vgpu->nr_queues; i++) {
		struct mvgpu_queue *q = &vgpu->queues[i];
		struct mvgpu_mig_queue *mq = &st->queues[i];
		u32 qf = 0;

		mq->ring = cpu_to_le64(q->ring);
		mq->ring_size = cpu_to_le32(q->ring_size);
		mq->qsa = cpu_to_le64(q->qsa);
		mq->head = cpu_to_le32(q->head);
		mq->tail = cpu_to_le32(q->tail);
		mq->fence = cpu_to_le64(q->fence);
		if (q->enabled)
			qf |= MVGPU_MIG_Q_ENABLED;
		if (q->armed)
			qf |= MVGPU_MIG_Q_ARMED;
		if (q->enabled && q->op_active) {
			qf |= MVGPU_MIG_Q_OP_ACTIVE;
			mq->cmd_offset = cpu_to_le32(q->cmd_offset);
			memcpy(mq->cmd, &q->cmd, sizeof(mq->cmd));
			mq->progress = cpu_to_le64(q->op.progress);
			mq->acc = cpu_to_le64(q->op.acc);
			mq->op_ns = cpu_to_le64(q->op_ns);
		}
		mq->flags = cpu_to_le32(qf);
	}
}

static bool mvgpu_mig_ring_off_ok(u32 off, u32 ring_size)
{
	return off < ring_size && IS_ALIGNED(off, MVGPU_CMD_SIZE);
}

/*
 * Check a received state against this vGPU, as it would be restored into
 * @scratch (a copy of the vGPU's queues).  Returns 0 or -EINVAL with a
 * reason in *@why.
 */
static int mvgpu_mig_check_state(struct mvgpu_vgpu *vgpu,
				 const struct mvgpu_mig_state *st,
				 struct mvgpu_queue *scratch,
				 const char **why)
{
	const struct mvgpu_pgpu_ops *ops = vgpu->pgpu->ops;
	const struct mvgpu_cmd_ctx ctx = {
		.base = vgpu->vram_base,
		.size = vgpu->vram_size,
		.sys = true,
	};
	u64 ts = le64_to_cpu(st->timeslice_ns);
	u32 weight = le32_to_cpu(st->weight);
	unsigned int i;

	*why = "scheduling attributes out of range";
	if (weight < 1 || weight > MVGPU_WEIGHT_MAX ||
	    le32_to_cpu(st->cap) > 100 ||
	    ts < MVGPU_TIMESLICE_MIN_US * NSEC_PER_USEC ||
	    ts > MVGPU_TIMESLICE_MAX_US * NSEC_PER_USEC)
		return -EINVAL;
	*why = "queue count differs";
	if (le32_to_cpu(st->nr_queues) != vgpu->nr_queues)
		return -EINVAL;
	*why = "register value out of range";
	if (le32_to_cpu(st->control) & ~MVGPU_CONTROL_RW_MASK ||
	    le32_to_cpu(st->irq_flags) & ~(MVGPU_MIG_IRQ_LEVEL |
					   MVGPU_MIG_IRQ_DEFERRED |
					   MVGPU_MIG_IRQ_INTX_MASKED |
					   MVGPU_MIG_IRQ_FAILED))
		return -EINVAL;

	for (i = 0; i < MVGPU_MAX_QUEUES; i++) {
		const struct mvgpu_mig_queue *mq = &st->queues[i];
		struct mvgpu_queue *q = &scratch[i];
		u32 qf = le32_to_cpu(mq->flags);
		struct mvgpu_cmd cmd;

		*why = "queue state invalid";
		if (i >= vgpu->nr_queues) {
			if (memchr_inv(mq, 0, sizeof(*mq)))
				return -EINVAL;
			continue;
		}
		if (qf & ~(MVGPU_MIG_Q_ENABLED | MVGPU_MIG_Q_ARMED |
			   MVGPU_MIG_Q_OP_ACTIVE) || mq->reserved)
			return -EINVAL;
		q->vgpu = vgpu;
		q->ring = le64_to_cpu(mq->ring);
		q->ring_size = le32_to_cpu(mq->ring_size);
		q->qsa = le64_to_cpu(mq->qsa);
		/*
		 * A disabled queue's registers may hold any value, and head,
		 * tail and fence what it had (enabling resets them).
		 */
		if (qf & MVGPU_MIG_Q_ENABLED &&
		    (!mvgpu_queue_config_ok(q) ||
		     !mvgpu_mig_ring_off_ok(le32_to_cpu(mq->head),
					    q->ring_size) ||
		     !mvgpu_mig_ring_off_ok(le32_to_cpu(mq->tail),
					    q->ring_size)))
			return -EINVAL;
		if (!(qf & MVGPU_MIG_Q_ENABLED) && qf & MVGPU_MIG_Q_OP_ACTIVE)
			return -EINVAL;
		if (!(qf & MVGPU_MIG_Q_OP_ACTIVE)) {
			if (mq->cmd_offset || mq->progress || mq->acc ||
			    mq->op_ns || memchr_inv(mq->cmd, 0, sizeof(mq->cmd)))
				return -EINVAL;
			continue;
		}
		*why = "command in progress invalid";
		if (!mvgpu_mig_ring_off_ok(le32_to_cpu(mq->cmd_offset),
					   q->ring_size))
			return -EINVAL;
		memcpy(&cmd, mq->cmd, sizeof(cmd));
		if (mvgpu_cmd_decode(&ctx, &cmd, &q->op))
			return -EINVAL;
		switch (q->op.opcode) {
		case MVGPU_OP_NOP:
		case MVGPU_OP_FENCE:
		case MVGPU_OP_TIMESTAMP:
			return -EINVAL;	/* never in progress */
		}
		q->op.progress = le64_to_cpu(mq->progress);
		q->op.acc = le64_to_cpu(mq->acc);
		if (!ops->op_check || !ops->op_check(vgpu->pgpu, &q->op))
			return -EINVAL;
		q->cmd = cmd;
	}
	return 0;
}

/*
 * Apply a checked state to the stopped, reset vGPU: vgpu->lock held.
 * @scratch holds the decoded commands in progress.
 */
static void mvgpu_mig_apply_state(struct mvgpu_vgpu *vgpu,
				  const struct mvgpu_mig_state *st,
				  const struct mvgpu_queue *scratch)
{
	u32 irqf = le32_to_cpu(st->irq_flags);
	unsigned long flags;
	unsigned int i;

	lockdep_assert_held(&vgpu->lock);

	/* Config space: only what the guest could have written. */
	mvgpu_cfg_space_restore(&vgpu->cfg, st->cfg);
	vgpu->regs.scratch = le32_to_cpu(st->scratch);
	vgpu->regs.control = le32_to_cpu(st->control);

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	vgpu->regs.error = le32_to_cpu(st->error);
	vgpu->regs.error_info = le32_to_cpu(st->error_info);
	vgpu->regs.irq_status = le32_to_cpu(st->irq_status);
	vgpu->regs.irq_mask = le32_to_cpu(st->irq_mask);
	vgpu->irq.level = irqf & MVGPU_MIG_IRQ_LEVEL;
	vgpu->irq.deferred = irqf & MVGPU_MIG_IRQ_DEFERRED;
	vgpu->irq.intx_masked = irqf & MVGPU_MIG_IRQ_INTX_MASKED;
	WRITE_ONCE(vgpu->failed, irqf & MVGPU_MIG_IRQ_FAILED);
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);

	WRITE_ONCE(vgpu->weight, le32_to_cpu(st->weight));
	WRITE_ONCE(vgpu->cap, le32_to_cpu(st->cap));
	WRITE_ONCE(vgpu->timeslice_ns, le64_to_cpu(st->timeslice_ns));

	for (i = 0; i < vgpu->nr_queues; i++) {
		const struct mvgpu_mig_queue *mq = &st->queues[i];
		struct mvgpu_queue *q = &vgpu->queues[i];
		u32 qf = le32_to_cpu(mq->flags);

		q->ring = le64_to_cpu(mq->ring);
		q->ring_size = le32_to_cpu(mq->ring_size);
		q->qsa = le64_to_cpu(mq->qsa);
		q->enabled = qf & MVGPU_MIG_Q_ENABLED;
		q->armed = qf & MVGPU_MIG_Q_ARMED;
		q->tail = le32_to_cpu(mq->tail);
		WRITE_ONCE(q->head, le32_to_cpu(mq->head));
		WRITE_ONCE(q->fence, le64_to_cpu(mq->fence));
		q->op_active = qf & MVGPU_MIG_Q_OP_ACTIVE;
		if (q->op_active) {
			q->cmd = scratch[i].cmd;
			q->op = scratch[i].op;
			q->op.dma = &q->dma;
			q->cmd_offset = le32_to_cpu(mq->cmd_offset);
			q->op_ns = le64_to_cpu(mq->op_ns);
		}
	}
	/* The slice now holds the source's data. */
	set_bit(MVGPU_VRAM_DIRTY, &vgpu->vram_flags);
	vgpu->stats.mig_in++;
}

/* ---- data files ---- */

static void mvgpu_mig_file_disable(struct mvgpu_mig_file *mf)
{
	mutex_lock(&mf->lock);
	mf->disabled = true;
	mf->mig = NULL;
	mutex_unlock(&mf->lock);
}

static void mvgpu_mig_file_free(struct mvgpu_mig_file *mf)
{
	mutex_destroy(&mf->lock);
	kvfree(mf->state);
	kvfree(mf->buf);
	kfree(mf);
}

static int mvgpu_mig_file_release(struct inode *inode, struct file *filp)
{
	/* The vGPU dropped its pointer when it disabled the file. */
	mvgpu_mig_file_free(filp->private_data);
	return 0;
}

/*
 * Saving: find up to MVGPU_MIG_CHUNK of contiguous dirty pages, clear
 * their bits, write-protect their mappings and read them.  Returns the
 * number of pages (0: none dirty), or an error with the bits set again.
 */
static long mvgpu_mig_take_pages(struct mvgpu_mig_file *mf, u8 *dst,
				 u64 *off)
{
	struct mvgpu_mig *mig = mf->mig;
	struct mvgpu_vgpu *vgpu = mig->vgpu;
	struct address_space *mapping = mvgpu_vdev_mapping(&vgpu->vdev);
	unsigned long start, n;
	int ret;

	start = find_next_bit(mig->dirty, mig->npages, mf->cursor);
	if (start >= mig->npages) {
		mf->first_pass = false;
		start = find_first_bit(mig->dirty, mig->npages);
		if (start >= mig->npages)
			return 0;
	}
	for (n = 0; n < MVGPU_MIG_CHUNK / MVGPU_MIG_PAGE &&
	     start + n < mig->npages; n++)
		if (!test_and_clear_bit(start + n, mig->dirty))
			break;
	mf->cursor = start + n;
	*off = (u64)start << MVGPU_MIG_PAGE_SHIFT;

	/*
	 * While the device runs, the mapped BAR must fault on its next
	 * write to these pages, which marks them again.
	 */
	if (!mf->stop_copy && mapping)
		unmap_mapping_range(mapping,
				    MVGPU_REGION_OFFSET(VFIO_PCI_BAR0_REGION_INDEX +
							MVGPU_BAR_VRAM) + *off,
				    n << MVGPU_MIG_PAGE_SHIFT, 1);

	ret = vgpu->pgpu->ops->vram_rw(vgpu->pgpu, vgpu->vram_base + *off, dst,
				       n << MVGPU_MIG_PAGE_SHIFT, false);
	if (ret) {
		bitmap_set(mig->dirty, start, n);
		return ret;
	}
	return n;
}

/* Saving: finish the record in mf->buf (header + @len payload bytes). */
static void mvgpu_mig_emit(struct mvgpu_mig_file *mf, u32 type, u32 len,
			   u64 offset, size_t payload)
{
	struct mvgpu_mig_rec *rec = (struct mvgpu_mig_rec *)mf->buf;

	rec->type = cpu_to_le32(type);
	rec->len = cpu_to_le32(len);
	rec->offset = cpu_to_le64(offset);
	rec->payload_crc = cpu_to_le32(payload ?
				       mvgpu_mig_crc(rec + 1, payload) : 0);
	rec->crc = cpu_to_le32(mvgpu_mig_crc(rec, offsetof(typeof(*rec), crc)));
	mf->buf_len = sizeof(*rec) + payload;
	mf->buf_pos = 0;
	if (type != MVGPU_MIG_REC_END) {
		mf->crc = mvgpu_mig_crc_add(mf->crc, mf->buf, mf->buf_len);
		mf->bytes += mf->buf_len;
		mf->records++;
	}
}

/*
 * Saving: refill mf->buf.  Returns 1 when it holds new bytes, 0 at the
 * end of the stream, -ENOMSG when pre-copy has nothing to send now, or
 * an error.
 */
static int mvgpu_mig_produce(struct mvgpu_mig_file *mf)
{
	struct mvgpu_vgpu *vgpu = mf->mig->vgpu;
	struct mvgpu_mig_end *end;
	u8 *payload = mf->buf + sizeof(struct mvgpu_mig_rec);
	u64 off;
	long n;

	switch (mf->phase) {
	case MVGPU_MIG_HDR:
		mvgpu_mig_make_hdr(vgpu, (struct mvgpu_mig_hdr *)mf->buf);
		mf->buf_len = sizeof(struct mvgpu_mig_hdr);
		mf->buf_pos = 0;
		mf->crc = mvgpu_mig_crc(mf->buf, mf->buf_len);
		mf->bytes = mf->buf_len;
		mf->phase = MVGPU_MIG_VRAM;
		return 1;
	case MVGPU_MIG_VRAM:
		/*
		 * The target starts from a reset, zeroed slice: zeros need
		 * sending only for pages that were sent before.
		 */
		while ((n = mvgpu_mig_take_pages(mf, payload, &off)) > 0) {
			size_t len = n << MVGPU_MIG_PAGE_SHIFT;

			if (memchr_inv(payload, 0, len)) {
				mvgpu_mig_emit(mf, MVGPU_MIG_REC_VRAM, len, off,
					       len);
				return 1;
			}
			if (!mf->first_pass) {
				mvgpu_mig_emit(mf, MVGPU_MIG_REC_ZERO, len, off,
					       0);
				return 1;
			}
			cond_resched();
		}
		if (n < 0)
			return n;
		if (!mf->stop_copy)
			return -ENOMSG;
		memcpy(payload, mf->state, sizeof(*mf->state));
		mvgpu_mig_emit(mf, MVGPU_MIG_REC_STATE, sizeof(*mf->state), 0,
			       sizeof(*mf->state));
		mf->phase = MVGPU_MIG_END;
		return 1;
	case MVGPU_MIG_END:
		end = (struct mvgpu_mig_end *)payload;
		memset(end, 0, sizeof(*end));
		end->records = cpu_to_le64(mf->records);
		end->bytes = cpu_to_le64(mf->bytes);
		end->stream_crc = cpu_to_le32(mf->crc);
		mvgpu_mig_emit(mf, MVGPU_MIG_REC_END, sizeof(*end), 0,
			       sizeof(*end));
		mf->phase = MVGPU_MIG_DONE;
		return 1;
	default:
		return 0;
	}
}

static ssize_t mvgpu_mig_read(struct file *filp, char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct mvgpu_mig_file *mf = filp->private_data;
	ssize_t done = 0;
	int ret = 0;

	mutex_lock(&mf->lock);
	if (mf->disabled) {
		ret = -ENODEV;
		goto out_unlock;
	}
	while (count) {
		size_t n;

		if (mf->buf_pos == mf->buf_len) {
			ret = mvgpu_mig_produce(mf);
			if (ret <= 0)
				break;
			ret = 0;
		}
		n = min(count, mf->buf_len - mf->buf_pos);
		if (copy_to_user(ubuf + done, mf->buf + mf->buf_pos, n)) {
			ret = -EFAULT;
			break;
		}
		mf->buf_pos += n;
		done += n;
		count -= n;
		if (mf->phase == MVGPU_MIG_DONE && mf->buf_pos == mf->buf_len)
			mf->mig->vgpu->stats.mig_out++;
	}
	mf->mig->vgpu->stats.mig_bytes_out += done;
out_unlock:
	mutex_unlock(&mf->lock);
	return done ? done : ret;
}

/* Resuming: refuse the stream; logged once per reason, ratelimited. */
static int mvgpu_mig_refuse(struct mvgpu_mig_file *mf, int err,
			    const char *why)
{
	dev_warn_ratelimited(mvgpu_mig_dev(mf->mig),
			     "migration stream refused: %s (%d)\n", why, err);
	mf->err = err;
	return err;
}

static int mvgpu_mig_check_hdr(struct mvgpu_mig_file *mf)
{
	struct mvgpu_vgpu *vgpu = mf->mig->vgpu;
	const struct mvgpu_mig_hdr *hdr = (void *)mf->buf;
	struct mvgpu_mig_hdr mine;

	mvgpu_mig_make_hdr(vgpu, &mine);
	if (hdr->magic != mine.magic)
		return mvgpu_mig_refuse(mf, -EBADMSG, "not an mvgpu stream");
	if (le32_to_cpu(hdr->crc) !=
	    mvgpu_mig_crc(hdr, offsetof(typeof(*hdr), crc)))
		return mvgpu_mig_refuse(mf, -EBADMSG, "header checksum");
	if (hdr->version != mine.version || hdr->hdr_size != mine.hdr_size)
		return mvgpu_mig_refuse(mf, -EPROTONOSUPPORT,
					"unknown stream version");
	if (hdr->profile != mine.profile || hdr->kind != mine.kind ||
	    hdr->vram_size != mine.vram_size ||
	    hdr->nr_queues != mine.nr_queues) {
		dev_warn_ratelimited(mvgpu_mig_dev(mf->mig),
				     "migration stream is for profile %#x with %llu MiB VRAM and %u queues; this vGPU is %#x, %llu MiB, %u\n",
				     le32_to_cpu(hdr->profile),
				     le64_to_cpu(hdr->vram_size) >> 20,
				     le32_to_cpu(hdr->nr_queues),
				     vgpu->profile->id, vgpu->vram_size >> 20,
				     vgpu->nr_queues);
		return mvgpu_mig_refuse(mf, -EINVAL, "another profile");
	}
	if (le32_to_cpu(hdr->features) & ~le32_to_cpu(mine.features) ||
	    hdr->isa_version != mine.isa_version)
		return mvgpu_mig_refuse(mf, -EINVAL,
					"device features or ISA version differ");
	if (memchr_inv(hdr->reserved, 0, sizeof(hdr->reserved)))
		return mvgpu_mig_refuse(mf, -EBADMSG, "reserved header bits");
	return 0;
}

static int mvgpu_mig_check_rec(struct mvgpu_mig_file *mf)
{
	const struct mvgpu_mig_rec *rec = &mf->rec;
	u64 vram = mf->mig->vgpu->vram_size;
	u64 off = le64_to_cpu(rec->offset);
	u32 len = le32_to_cpu(rec->len);

	if (le32_to_cpu(rec->crc) !=
	    mvgpu_mig_crc(rec, offsetof(typeof(*rec), crc)))
		return mvgpu_mig_refuse(mf, -EBADMSG, "record checksum");
	switch (le32_to_cpu(rec->type)) {
	case MVGPU_MIG_REC_VRAM:
	case MVGPU_MIG_REC_ZERO:
		if (len > MVGPU_MIG_CHUNK)
			return mvgpu_mig_refuse(mf, -EFBIG,
						"VRAM record too long");
		if (!len || !IS_ALIGNED(len, MVGPU_MIG_PAGE) ||
		    !IS_ALIGNED(off, MVGPU_MIG_PAGE) || off >= vram ||
		    len > vram - off)
			return mvgpu_mig_refuse(mf, -EBADMSG,
						"VRAM record outside the slice");
		if (le32_to_cpu(rec->type) == MVGPU_MIG_REC_ZERO &&
		    rec->payload_crc)
			return mvgpu_mig_refuse(mf, -EBADMSG, "bad ZERO record");
		return 0;
	case MVGPU_MIG_REC_STATE:
		if (len != sizeof(struct mvgpu_mig_state) || off)
			return mvgpu_mig_refuse(mf, len > sizeof(struct mvgpu_mig_state) ?
						-EFBIG : -EBADMSG,
						"bad STATE record");
		if (mf->have_state)
			return mvgpu_mig_refuse(mf, -EBADMSG, "second STATE record");
		return 0;
	case MVGPU_MIG_REC_END:
		if (len != sizeof(struct mvgpu_mig_end) || off)
			return mvgpu_mig_refuse(mf, len > sizeof(struct mvgpu_mig_end) ?
						-EFBIG : -EBADMSG,
						"bad END record");
		return 0;
	}
	return mvgpu_mig_refuse(mf, -EBADMSG, "unknown record type");
}

/* Resuming: a record (header in mf->rec, payload in mf->buf) is whole. */
static int mvgpu_mig_consume(struct mvgpu_mig_file *mf)
{
	struct mvgpu_vgpu *vgpu = mf->mig->vgpu;
	const struct mvgpu_mig_rec *rec = &mf->rec;
	u32 type = le32_to_cpu(rec->type);
	u32 len = le32_to_cpu(rec->len);
	size_t payload = type == MVGPU_MIG_REC_ZERO ? 0 : len;
	const struct mvgpu_mig_end *end = (void *)mf->buf;
	u64 off = le64_to_cpu(rec->offset);
	int ret;

	if (le32_to_cpu(rec->payload_crc) !=
	    (payload ? mvgpu_mig_crc(mf->buf, payload) : 0))
		return mvgpu_mig_refuse(mf, -EBADMSG, "payload checksum");

	switch (type) {
	case MVGPU_MIG_REC_VRAM:
	case MVGPU_MIG_REC_ZERO:
		if (type == MVGPU_MIG_REC_ZERO)
			memset(mf->buf, 0, len);
		/* A refused stream's data must not survive the reset. */
		set_bit(MVGPU_VRAM_DIRTY, &vgpu->vram_flags);
		ret = vgpu->pgpu->ops->vram_rw(vgpu->pgpu, vgpu->vram_base + off,
					       mf->buf, len, true);
		if (ret)
			return mvgpu_mig_refuse(mf, ret, "VRAM write failed");
		break;
	case MVGPU_MIG_REC_STATE:
		memcpy(mf->state, mf->buf, sizeof(*mf->state));
		mf->have_state = true;
		break;
	case MVGPU_MIG_REC_END:
		if (le64_to_cpu(end->records) != mf->records ||
		    le64_to_cpu(end->bytes) != mf->bytes ||
		    le32_to_cpu(end->stream_crc) != mf->crc || end->reserved)
			return mvgpu_mig_refuse(mf, -EBADMSG,
						"records missing or reordered");
		if (!mf->have_state)
			return mvgpu_mig_refuse(mf, -EBADMSG,
						"no device state");
		mf->phase = MVGPU_MIG_DONE;
		return 0;
	}
	mf->crc = mvgpu_mig_crc_add(mf->crc, rec, sizeof(*rec));
	mf->crc = mvgpu_mig_crc_add(mf->crc, mf->buf, payload);
	mf->bytes += sizeof(*rec) + payload;
	mf->records++;
	return 0;
}

/*
 * Resuming: take bytes into mf->buf until it holds @want.  Returns the
 * bytes taken from the user.
 */
static ssize_t mvgpu_mig_fill(struct mvgpu_mig_file *mf, u8 *dst,
			      size_t want, const char __user *ubuf,
			      size_t count)
{
	size_t n = min(count, want - mf->buf_len);

	if (copy_from_user(dst + mf->buf_len, ubuf, n))
		return -EFAULT;
	mf->buf_len += n;
	return n;
}

static ssize_t mvgpu_mig_write(struct file *filp, const char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	struct mvgpu_mig_file *mf = filp->private_data;
	size_t done = 0;
	ssize_t n;
	int ret = 0;

	mutex_lock(&mf->lock);
	if (mf->disabled) {
		ret = -ENODEV;
		goto out_unlock;
	}
	if (mf->err) {
		ret = mf->err;
		goto out_unlock;
	}
	while (done < count && !ret) {
		size_t len;

		switch (mf->phase) {
		case MVGPU_MIG_HDR:
			n = mvgpu_mig_fill(mf, mf->buf,
					   sizeof(struct mvgpu_mig_hdr),
					   ubuf + done, count - done);
			if (n < 0) {
				ret = n;
				break;
			}
			done += n;
			if (mf->buf_len < sizeof(struct mvgpu_mig_hdr))
				break;
			ret = mvgpu_mig_check_hdr(mf);
			if (ret)
				break;
			mf->crc = mvgpu_mig_crc(mf->buf, mf->buf_len);
			mf->bytes = mf->buf_len;
			mf->buf_len = 0;
			mf->phase = MVGPU_MIG_VRAM;
			break;
		case MVGPU_MIG_VRAM:
			n = mvgpu_mig_fill(mf, (u8 *)&mf->rec, sizeof(mf->rec),
					   ubuf + done, count - done);
			if (n < 0) {
				ret = n;
				break;
			}
			done += n;
			if (mf->buf_len < sizeof(mf->rec))
				break;
			ret = mvgpu_mig_check_rec(mf);
			if (ret)
				break;
			mf->buf_len = 0;
			mf->phase = MVGPU_MIG_STATE;	/* the payload */
			fallthrough;
		case MVGPU_MIG_STATE:
			len = le32_to_cpu(mf->rec.type) == MVGPU_MIG_REC_ZERO ?
			      0 : le32_to_cpu(mf->rec.len);
			if (len) {
				n = mvgpu_mig_fill(mf, mf->buf, len,
						   ubuf + done, count - done);
				if (n < 0) {
					ret = n;
					break;
				}
				done += n;
				if (mf->buf_len < len)
					break;
			}
			mf->buf_len = 0;
			mf->phase = MVGPU_MIG_VRAM;
			ret = mvgpu_mig_consume(mf);
			break;
		default:
			ret = mvgpu_mig_refuse(mf, -EFBIG,
					       "data after the end of the stream");
			break;
		}
	}
	mf->mig->vgpu->stats.mig_bytes_in += done;
	if (ret && !mf->err)
		mf->err = ret;
out_unlock:
	mutex_unlock(&mf->lock);
	return ret ? ret : done;
}

#ifdef MVGPU_HAVE_MIG_PRECOPY
static long mvgpu_mig_precopy_info(struct mvgpu_mig_file *mf,
				   void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_precopy_info,
					  dirty_bytes);
	struct vfio_precopy_info info;
	struct mvgpu_mig *mig;
	u64 all, before;
	int ret = 0;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;

	mutex_lock(&mf->lock);
	mig = mf->mig;
	if (mf->disabled || mf->stop_copy) {
		ret = -EINVAL;
		goto out_unlock;
	}
	all = (u64)bitmap_weight(mig->dirty, mig->npages) << MVGPU_MIG_PAGE_SHIFT;
	before = mf->first_pass ?
		 (u64)bitmap_weight(mig->dirty, mf->cursor) << MVGPU_MIG_PAGE_SHIFT :
		 all;
	info.initial_bytes = all - before + mf->buf_len - mf->buf_pos;
	if (mf->phase == MVGPU_MIG_HDR)
		info.initial_bytes += sizeof(struct mvgpu_mig_hdr);
	info.dirty_bytes = before;
	info.flags = 0;
out_unlock:
	mutex_unlock(&mf->lock);
	if (ret)
		return ret;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}
#endif

static long mvgpu_mig_ioctl(struct file *filp, unsigned int cmd,
			    unsigned long arg)
{
#ifdef MVGPU_HAVE_MIG_PRECOPY
	struct mvgpu_mig_file *mf = filp->private_data;

	if (cmd == VFIO_MIG_GET_PRECOPY_INFO && mf->saving)
		return mvgpu_mig_precopy_info(mf, (void __user *)arg);
#endif
	return -ENOTTY;
}

static const struct file_operations mvgpu_mig_fops = {
	.owner		= THIS_MODULE,
	.read		= mvgpu_mig_read,
	.write		= mvgpu_mig_write,
	.unlocked_ioctl	= mvgpu_mig_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.release	= mvgpu_mig_file_release,
};

static struct mvgpu_mig_file *mvgpu_mig_file_new(struct mvgpu_mig *mig,
						 bool saving)
{
	struct mvgpu_mig_file *mf;
	struct file *filp;

	mf = kzalloc(sizeof(*mf), GFP_KERNEL);
	if (!mf)
		return ERR_PTR(-ENOMEM);
	mutex_init(&mf->lock);
	mf->buf = kvzalloc(MVGPU_MIG_BUF_SIZE, GFP_KERNEL);
	mf->state = kvzalloc(sizeof(*mf->state), GFP_KERNEL);
	if (!mf->buf || !mf->state) {
		mvgpu_mig_file_free(mf);
		return ERR_PTR(-ENOMEM);
	}
	mf->mig = mig;
	mf->saving = saving;
	mf->first_pass = true;

	filp = anon_inode_getfile("mvgpu_mig", &mvgpu_mig_fops, mf,
				  saving ? O_RDONLY : O_WRONLY);
	if (IS_ERR(filp)) {
		mvgpu_mig_file_free(mf);
		return ERR_CAST(filp);
	}
	stream_open(filp->f_inode, filp);
	mf->filp = filp;
	return mf;
}

/* Tear down both data files: state_mutex held. */
static void mvgpu_mig_files_disable(struct mvgpu_mig *mig)
{
	WRITE_ONCE(mig->tracking, false);
	if (mig->saving) {
		mvgpu_mig_file_disable(mig->saving);
		fput(mig->saving->filp);
		mig->saving = NULL;
	}
	if (mig->resuming) {
		mvgpu_mig_file_disable(mig->resuming);
		fput(mig->resuming->filp);
		mig->resuming = NULL;
	}
}

/* A saving session: mig->saving, whose file goes to the user. */
static struct file *mvgpu_mig_start_saving(struct mvgpu_mig *mig,
					   bool stop_copy)
{
	struct mvgpu_vgpu *vgpu = mig->vgpu;
	struct address_space *mapping = mvgpu_vdev_mapping(&vgpu->vdev);
	struct mvgpu_mig_file *mf;

	mf = mvgpu_mig_file_new(mig, true);
	if (IS_ERR(mf))
		return ERR_CAST(mf);

	bitmap_fill(mig->dirty, mig->npages);
	if (stop_copy) {
		mutex_lock(&vgpu->lock);
		mvgpu_mig_save_state(vgpu, mf->state);
		mutex_unlock(&vgpu->lock);
		mf->stop_copy = true;
	} else {
		/*
		 * Tracking first, then write-protect the whole BAR: every
		 * later write is marked.  Without a per-device mapping the
		 * BAR's writes cannot be seen: STOP_COPY sends all again.
		 */
		WRITE_ONCE(mig->tracking, true);
		smp_mb();	/* tracking before the zap */
		if (mapping)
			unmap_mapping_range(mapping,
					    MVGPU_REGION_OFFSET(VFIO_PCI_BAR0_REGION_INDEX +
								MVGPU_BAR_VRAM),
					    vgpu->vram_size, 1);
	}
	get_file(mf->filp);
	mig->saving = mf;
	return mf->filp;
}

/* PRE_COPY_P2P -> STOP_COPY: the stream goes on to its end. */
static int mvgpu_mig_precopy_to_stop_copy(struct mvgpu_mig *mig)
{
	struct mvgpu_vgpu *vgpu = mig->vgpu;
	struct mvgpu_mig_file *mf = mig->saving;

	mutex_lock(&mf->lock);
	mutex_lock(&vgpu->lock);
	mvgpu_mig_stop_device(vgpu);
	mvgpu_mig_save_state(vgpu, mf->state);
	mutex_unlock(&vgpu->lock);
	WRITE_ONCE(mig->tracking, false);
	if (!mvgpu_vdev_mapping(&vgpu->vdev) &&
	    test_bit(MVGPU_VRAM_MAPPED, &vgpu->vram_flags))
		bitmap_fill(mig->dirty, mig->npages);
	mf->stop_copy = true;
	mutex_unlock(&mf->lock);
	return 0;
}

static struct file *mvgpu_mig_start_resuming(struct mvgpu_mig *mig)
{
	struct mvgpu_vgpu *vgpu = mig->vgpu;
	struct mvgpu_mig_file *mf;

	mf = mvgpu_mig_file_new(mig, false);
	if (IS_ERR(mf))
		return ERR_CAST(mf);

	/* Whatever the stream does not overwrite reads as after a reset. */
	mutex_lock(&vgpu->lock);
	mvgpu_cfg_init(vgpu);
	mvgpu_vgpu_reset(vgpu);
	mutex_unlock(&vgpu->lock);

	get_file(mf->filp);
	mig->resuming = mf;
	return mf->filp;
}

/* RESUMING -> STOP: apply the stream's state, or fail the arc. */
static int mvgpu_mig_finish_resuming(struct mvgpu_mig *mig)
{
	struct mvgpu_vgpu *vgpu = mig->vgpu;
	struct mvgpu_mig_file *mf = mig->resuming;
	struct mvgpu_queue *scratch;
	const char *why;
	int ret;

	scratch = kcalloc(MVGPU_MAX_QUEUES, sizeof(*scratch), GFP_KERNEL);
	if (!scratch)
		return -ENOMEM;

	mutex_lock(&mf->lock);
	ret = mf->err;
	if (!ret && mf->phase != MVGPU_MIG_DONE)
		ret = mvgpu_mig_refuse(mf, -ENODATA,
				       "stream truncated (no END record)");
	if (ret)
		goto out_unlock;

	mutex_lock(&vgpu->lock);
	ret = mvgpu_mig_check_state(vgpu, mf->state, scratch, &why);
	if (ret)
		mvgpu_mig_refuse(mf, ret, why);
	else
		mvgpu_mig_apply_state(vgpu, mf->state, scratch);
	mutex_unlock(&vgpu->lock);
out_unlock:
	mutex_unlock(&mf->lock);
	kfree(scratch);
	return ret;
}

/*
 * One arc of the FSM, from mig->state to @next.  Returns the new data
 * file, NULL, or an error (the state is unchanged).
 */
static struct file *mvgpu_mig_arc(struct mvgpu_mig *mig,
				  enum vfio_device_mig_state next)
{
	struct mvgpu_vgpu *vgpu = mig->vgpu;
	unsigned int cur = mig->state, new = next;
	int ret;

	if ((cur == VFIO_DEVICE_STATE_RUNNING &&
	     new == VFIO_DEVICE_STATE_RUNNING_P2P) ||
	    (cur == VFIO_DEVICE_STATE_RUNNING_P2P &&
	     new == VFIO_DEVICE_STATE_RUNNING) ||
	    (cur == MVGPU_MIG_PRE_COPY && new == MVGPU_MIG_PRE_COPY_P2P) ||
	    (cur == MVGPU_MIG_PRE_COPY_P2P && new == MVGPU_MIG_PRE_COPY))
		return NULL;	/* no peer-to-peer DMA to stop or allow */

	if (cur == VFIO_DEVICE_STATE_RUNNING_P2P &&
	    new == VFIO_DEVICE_STATE_STOP) {
		mutex_lock(&vgpu->lock);
		mvgpu_mig_stop_device(vgpu);
		mutex_unlock(&vgpu->lock);
		return NULL;
	}
	if (cur == VFIO_DEVICE_STATE_STOP &&
	    new == VFIO_DEVICE_STATE_RUNNING_P2P) {
		mutex_lock(&vgpu->lock);
		mvgpu_mig_start_device(vgpu);
		mutex_unlock(&vgpu->lock);
		return NULL;
	}
	if (cur == VFIO_DEVICE_STATE_STOP &&
	    new == VFIO_DEVICE_STATE_STOP_COPY)
		return mvgpu_mig_start_saving(mig, true);
	if (cur == VFIO_DEVICE_STATE_STOP_COPY &&
	    new == VFIO_DEVICE_STATE_STOP) {
		mvgpu_mig_files_disable(mig);
		return NULL;
	}
	if (cur == VFIO_DEVICE_STATE_STOP &&
	    new == VFIO_DEVICE_STATE_RESUMING)
		return mvgpu_mig_start_resuming(mig);
	if (cur == VFIO_DEVICE_STATE_RESUMING &&
	    new == VFIO_DEVICE_STATE_STOP) {
		ret = mvgpu_mig_finish_resuming(mig);
		if (ret)
			return ERR_PTR(ret);
		mvgpu_mig_files_disable(mig);
		return NULL;
	}
	if ((cur == VFIO_DEVICE_STATE_RUNNING && new == MVGPU_MIG_PRE_COPY) ||
	    (cur == VFIO_DEVICE_STATE_RUNNING_P2P &&
	     new == MVGPU_MIG_PRE_COPY_P2P))
		return mvgpu_mig_start_saving(mig, false);
	if ((cur == MVGPU_MIG_PRE_COPY && new == VFIO_DEVICE_STATE_RUNNING) ||
	    (cur == MVGPU_MIG_PRE_COPY_P2P &&
	     new == VFIO_DEVICE_STATE_RUNNING_P2P)) {
		mvgpu_mig_files_disable(mig);
		return NULL;
	}
	if (cur == MVGPU_MIG_PRE_COPY_P2P &&
	    new == VFIO_DEVICE_STATE_STOP_COPY) {
		ret = mvgpu_mig_precopy_to_stop_copy(mig);
		return ret ? ERR_PTR(ret) : NULL;
	}
	/* vfio_mig_get_next_state() hands out no other arc. */
	WARN_ON_ONCE(1);
	return ERR_PTR(-EINVAL);
}

/*
 * Drop state_mutex, first running a reset that came meanwhile (see
 * "Locking"): the device itself was reset by the ioctl.
 */
static void mvgpu_mig_unlock(struct mvgpu_mig *mig)
{
	struct mvgpu_vgpu *vgpu = mig->vgpu;

again:
	spin_lock(&mig->reset_lock);
	if (mig->deferred_reset) {
		mig->deferred_reset = false;
		spin_unlock(&mig->reset_lock);
		mvgpu_mig_files_disable(mig);
		mig->state = VFIO_DEVICE_STATE_RUNNING;
		mutex_lock(&vgpu->lock);
		vgpu->mig_stopped = false;
		mutex_unlock(&vgpu->lock);
		goto again;
	}
	mutex_unlock(&mig->state_mutex);
	spin_unlock(&mig->reset_lock);
}

static struct file *mvgpu_mig_set_state(struct vfio_device *vdev,
					enum vfio_device_mig_state new)
{
	struct mvgpu_mig *mig = vdev_to_vgpu(vdev)->mig;
	enum vfio_device_mig_state next;
	struct file *res = NULL;
	int ret;

	mutex_lock(&mig->state_mutex);
	while (mig->state != new) {
		ret = vfio_mig_get_next_state(vdev, mig->state, new, &next);
		if (ret) {
			res = ERR_PTR(ret);
			break;
		}
		res = mvgpu_mig_arc(mig, next);
		if (IS_ERR(res))
			break;
		mig->state = next;
		if (WARN_ON(res && new != next)) {
			fput(res);
			res = ERR_PTR(-EINVAL);
			break;
		}
	}
	mvgpu_mig_unlock(mig);
	return res;
}

static int mvgpu_mig_get_state(struct vfio_device *vdev,
			       enum vfio_device_mig_state *state)
{
	struct mvgpu_mig *mig = vdev_to_vgpu(vdev)->mig;

	mutex_lock(&mig->state_mutex);
	*state = mig->state;
	mvgpu_mig_unlock(mig);
	return 0;
}

static __maybe_unused int mvgpu_mig_data_size(struct vfio_device *vdev,
					      unsigned long *len)
{
	struct mvgpu_mig *mig = vdev_to_vgpu(vdev)->mig;
	unsigned long pages;

	mutex_lock(&mig->state_mutex);
	pages = mig->saving ? bitmap_weight(mig->dirty, mig->npages) :
		mig->npages;
	mvgpu_mig_unlock(mig);
	*len = sizeof(struct mvgpu_mig_hdr) +
	       (pages << MVGPU_MIG_PAGE_SHIFT) +
	       DIV_ROUND_UP(pages, MVGPU_MIG_CHUNK / MVGPU_MIG_PAGE) *
	       sizeof(struct mvgpu_mig_rec) +
	       2 * sizeof(struct mvgpu_mig_rec) +
	       sizeof(struct mvgpu_mig_state) + sizeof(struct mvgpu_mig_end);
	return 0;
}

static const struct vfio_migration_ops mvgpu_mig_ops = {
	.migration_set_state	= mvgpu_mig_set_state,
	.migration_get_state	= mvgpu_mig_get_state,
	MVGPU_MIG_DATA_SIZE_OP(mvgpu_mig_data_size)
};

/**
 * mvgpu_mig_init() - give a new vGPU its migration state
 * @vgpu: the vGPU, its context set up, not yet registered with VFIO.
 *
 * Return: 0 or -ENOMEM.
 */
int mvgpu_mig_init(struct mvgpu_vgpu *vgpu)
{
	struct mvgpu_mig *mig;

	mig = kzalloc(sizeof(*mig), GFP_KERNEL);
	if (!mig)
		return -ENOMEM;
	mig->npages = vgpu->vram_size >> MVGPU_MIG_PAGE_SHIFT;
	mig->dirty = bitmap_zalloc(mig->npages, GFP_KERNEL);
	if (!mig->dirty) {
		kfree(mig);
		return -ENOMEM;
	}
	mig->vgpu = vgpu;
	mutex_init(&mig->state_mutex);
	spin_lock_init(&mig->reset_lock);
	mig->state = VFIO_DEVICE_STATE_RUNNING;
	vgpu->mig = mig;

	vgpu->vdev.migration_flags = MVGPU_MIG_FLAGS;
	vgpu->vdev.mig_ops = &mvgpu_mig_ops;
	return 0;
}

/**
 * mvgpu_mig_fini() - free a vGPU's migration state
 * @vgpu: the vGPU, closed (no data file refers to it).
 */
void mvgpu_mig_fini(struct mvgpu_vgpu *vgpu)
{
	struct mvgpu_mig *mig = vgpu->mig;

	if (!mig)
		return;
	vgpu->mig = NULL;
	mutex_destroy(&mig->state_mutex);
	bitmap_free(mig->dirty);
	kfree(mig);
}

/**
 * mvgpu_mig_close() - the VFIO user closes the device
 * @vgpu: the vGPU; vgpu->lock not held.
 *
 * Tears the data files down and returns to RUNNING, so that the next
 * user starts from scratch (close resets the device itself).
 */
void mvgpu_mig_close(struct mvgpu_vgpu *vgpu)
{
	struct mvgpu_mig *mig = vgpu->mig;

	mutex_lock(&mig->state_mutex);
	mvgpu_mig_files_disable(mig);
	mig->state = VFIO_DEVICE_STATE_RUNNING;
	mutex_lock(&vgpu->lock);
	vgpu->mig_stopped = false;
	mutex_unlock(&vgpu->lock);
	mvgpu_mig_unlock(mig);
}

/**
 * mvgpu_mig_reset() - VFIO_DEVICE_RESET: back to RUNNING
 * @vgpu: the vGPU, just reset; vgpu->lock not held.
 *
 * If an arc holds the state lock, the holder finishes the reset when it
 * lets go (mvgpu_mig_unlock()).
 */
void mvgpu_mig_reset(struct mvgpu_vgpu *vgpu)
{
	struct mvgpu_mig *mig = vgpu->mig;

	spin_lock(&mig->reset_lock);
	mig->deferred_reset = true;
	if (!mutex_trylock(&mig->state_mutex)) {
		spin_unlock(&mig->reset_lock);
		return;
	}
	spin_unlock(&mig->reset_lock);
	mvgpu_mig_unlock(mig);
}

/**
 * mvgpu_mig_state_name() - a vGPU's migration state, for sysfs
 * @vgpu: the vGPU.
 *
 * Return: "running", "stop", "stop_copy", "resuming", "running_p2p",
 * "pre_copy", "pre_copy_p2p" or "error"; "none" for a host client.
 */
const char *mvgpu_mig_state_name(struct mvgpu_vgpu *vgpu)
{
	static const char * const names[] = {
		[VFIO_DEVICE_STATE_ERROR] = "error",
		[VFIO_DEVICE_STATE_STOP] = "stop",
		[VFIO_DEVICE_STATE_RUNNING] = "running",
		[VFIO_DEVICE_STATE_STOP_COPY] = "stop_copy",
		[VFIO_DEVICE_STATE_RESUMING] = "resuming",
		[VFIO_DEVICE_STATE_RUNNING_P2P] = "running_p2p",
		[MVGPU_MIG_PRE_COPY] = "pre_copy",
		[MVGPU_MIG_PRE_COPY_P2P] = "pre_copy_p2p",
	};
	unsigned int state;

	if (!vgpu->mig)
		return "none";
	state = READ_ONCE(vgpu->mig->state);
	return state < ARRAY_SIZE(names) && names[state] ? names[state] :
	       "unknown";
}
