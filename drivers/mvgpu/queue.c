// SPDX-License-Identifier: GPL-2.0
/*
 * Command queues: the device side of the submission protocol described in
 * the manual ("Command submission"), and command validation.
 *
 * A queue is a ring of 64-byte commands and a queue shared area (QSA) in
 * the vGPU's own VRAM.  The guest moves qsa.tail; an engine moves the head.
 * Everything the guest controls is read from VRAM exactly once into host
 * memory and checked there:
 *
 *   tail      read once per catch-up, checked against the ring, cached;
 *   command   copied whole into a local struct, then decoded into a
 *             struct mvgpu_op whose every range has been bounded by the
 *             vGPU's slice;
 *
 * so the guest rewriting its ring while the engine works cannot change a
 * command after it was checked.  Any violation puts the vGPU in its error
 * state (mvgpu_vgpu_fail()): it alone stops, until a reset.
 *
 * Queue registers are written under vgpu->lock and only while the queue
 * is stopped; the execution state is the running engine's.
 */
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/sizes.h>
#include <linux/ktime.h>

#include <mvgpu/backend.h>
#include <uapi/linux/mvgpu.h>

#include "dma.h"
#include "irq.h"
#include "main.h"
#include "pgpu.h"
#include "profile.h"
#include "queue.h"
#include "sched.h"
#include "vgpu.h"

#define MVGPU_RING_MIN		SZ_4K
#define MVGPU_RING_MAX		SZ_16M
#define MVGPU_QSA_SIZE		sizeof(struct mvgpu_qsa)
#define MVGPU_QUEUE_STRIDE	(MVGPU_QUEUE_BASE(1) - MVGPU_QUEUE_BASE(0))

static_assert(sizeof(struct mvgpu_qsa) == 64);
static_assert(sizeof(struct mvgpu_cmd) == MVGPU_CMD_SIZE);

/*
 * @q's access to VRAM, relative to the vGPU's slice; offsets already
 * bounded.  The backend may fail it (a real GPU's memory can become
 * unreachable): the vGPU then enters its error state with
 * MVGPU_ERR_HOST, ERROR_INFO naming the queue and its head, and the caller
 * stops.  Nothing a failed read returned is used.
 */
static int mvgpu_queue_vram_rw(struct mvgpu_queue *q, u64 off, void *buf,
			       size_t len, bool write)
{
	struct mvgpu_vgpu *vgpu = q->vgpu;
	struct mvgpu_pgpu *pgpu = vgpu->pgpu;
	int ret;

	if (write)
		set_bit(MVGPU_VRAM_DIRTY, &vgpu->vram_flags);
	ret = pgpu->ops->vram_rw(pgpu, vgpu->vram_base + off, buf, len, write);
	if (ret)
		mvgpu_vgpu_fail(vgpu, MVGPU_ERR_HOST,
				MVGPU_ERROR_INFO(q->index, q->head));
	return ret;
}

/* The QSA helpers return 0 or, the vGPU failed, the backend's error. */
static int mvgpu_qsa_read32(struct mvgpu_queue *q, size_t field, u32 *v)
{
	__le32 val = 0;
	int ret;

	ret = mvgpu_queue_vram_rw(q, q->qsa + field, &val, sizeof(val), false);
	*v = ret ? 0 : le32_to_cpu(val);
	return ret;
}

static int mvgpu_qsa_write32(struct mvgpu_queue *q, size_t field, u32 v)
{
	__le32 val = cpu_to_le32(v);

	return mvgpu_queue_vram_rw(q, q->qsa + field, &val, sizeof(val), true);
}

static int mvgpu_qsa_write64(struct mvgpu_queue *q, size_t field, u64 v)
{
	__le64 val = cpu_to_le64(v);

	return mvgpu_queue_vram_rw(q, q->qsa + field, &val, sizeof(val), true);
}

/**
 * mvgpu_queues_init() - set up the queues of a new vGPU
 * @vgpu: the vGPU; ->profile and ->pgpu set.
 *
 * A partitioned vGPU has one queue per dedicated engine; a time-sliced one
 * has one per engine of the pGPU, served by the shared pool.
 */
void mvgpu_queues_init(struct mvgpu_vgpu *vgpu)
{
	const struct mvgpu_profile *p = vgpu->profile;
	unsigned int i;

	vgpu->nr_queues = p->kind == MVGPU_PROFILE_PARTITIONED ?
			  p->engines : vgpu->pgpu->nr_engines;
	for (i = 0; i < vgpu->nr_queues; i++) {
		struct mvgpu_queue *q = &vgpu->queues[i];

		q->vgpu = vgpu;
		q->index = i;
		q->state = MVGPU_Q_IDLE;
		INIT_LIST_HEAD(&q->node);
	}
}

static void mvgpu_queue_clear(struct mvgpu_queue *q)
{
	q->ring = 0;
	q->ring_size = 0;
	q->qsa = 0;
	q->enabled = false;
	q->op_active = false;
	WRITE_ONCE(q->head, 0);
	WRITE_ONCE(q->fence, 0);
}

/**
 * mvgpu_queues_reset() - stop every queue and clear its registers
 * @vgpu: the vGPU, with ->lock held.
 *
 * Returns once no engine runs any of the vGPU's queues and no DMA request
 * of theirs is in flight.
 */
void mvgpu_queues_reset(struct mvgpu_vgpu *vgpu)
{
	unsigned int i;

	lockdep_assert_held(&vgpu->lock);

	for (i = 0; i < vgpu->nr_queues; i++) {
		mvgpu_sched_stop(&vgpu->queues[i]);
		mvgpu_dma_quiesce(&vgpu->queues[i]);
		mvgpu_queue_clear(&vgpu->queues[i]);
	}
}

static bool mvgpu_queue_config_ok(struct mvgpu_queue *q)
{
	u64 vram = q->vgpu->vram_size;

	if (!is_power_of_2(q->ring_size) || q->ring_size < MVGPU_RING_MIN ||
	    q->ring_size > MVGPU_RING_MAX || !IS_ALIGNED(q->ring, SZ_4K))
		return false;
	if (q->ring > vram || q->ring_size > vram - q->ring)
		return false;
	if (!IS_ALIGNED(q->qsa, MVGPU_QSA_SIZE) || q->qsa > vram - MVGPU_QSA_SIZE)
		return false;
	/* The QSA must not sit inside the ring. */
	return q->qsa + MVGPU_QSA_SIZE <= q->ring || q->qsa >= q->ring + q->ring_size;
}

static void mvgpu_queue_enable(struct mvgpu_queue *q)
{
	if (!mvgpu_queue_config_ok(q)) {
		mvgpu_vgpu_fail(q->vgpu, MVGPU_ERR_QUEUE_CONFIG, q->index);
		return;
	}
	WRITE_ONCE(q->head, 0);
	WRITE_ONCE(q->fence, 0);
	q->tail = 0;
	q->op_active = false;
	/* If VRAM fails us, the vGPU failed and the queue stays disabled. */
	if (mvgpu_qsa_write32(q, offsetof(struct mvgpu_qsa, head), 0) ||
	    mvgpu_qsa_write64(q, offsetof(struct mvgpu_qsa, fence), 0) ||
	    mvgpu_qsa_write32(q, offsetof(struct mvgpu_qsa, doorbell_needed), 1))
		return;
	q->armed = true;
	q->enabled = true;
}

static void mvgpu_queue_disable(struct mvgpu_queue *q)
{
	mvgpu_sched_stop(q);
	mvgpu_dma_quiesce(q);
	q->enabled = false;
	q->op_active = false;
}

/*
 * The queue whose register block holds BAR0 offset @reg, or NULL if that
 * queue does not exist (the block reads 0 and ignores writes).  The one
 * place a queue number from a guest offset is checked: the index is
 * clamped with array_index_nospec() as well, so that a mispredicted
 * bounds check cannot index vgpu->queues[] speculatively out of range
 * (Spectre v1; as vfio_ops.c does for the region index).
 */
static struct mvgpu_queue *mvgpu_queue_of_reg(struct mvgpu_vgpu *vgpu,
					      unsigned int reg)
{
	unsigned int idx;

	if (reg < MVGPU_QUEUE_BASE(0))
		return NULL;
	idx = (reg - MVGPU_QUEUE_BASE(0)) / MVGPU_QUEUE_STRIDE;
	if (idx >= vgpu->nr_queues)
		return NULL;
	return &vgpu->queues[array_index_nospec(idx, vgpu->nr_queues)];
}

/*
 * QREG_FENCE's value.  Whatever the reader (guest or VFIO user) read of
 * qsa.fence before this trap is read before q->fence: pairs with the
 * smp_wmb() in mvgpu_queue_fence(), so the register is never behind a
 * fence already seen in the QSA.
 */
static u64 mvgpu_queue_fence_reg(struct mvgpu_queue *q)
{
	smp_rmb();	/* pairs with mvgpu_queue_fence() */
	return READ_ONCE(q->fence);
}

/**
 * mvgpu_queue_read32() - read a queue register
 * @vgpu: the vGPU, with ->lock held.
 * @reg: BAR0 offset from MVGPU_QUEUE_BASE(0) on.
 *
 * Return: the register's value; 0 for holes and queues that do not exist.
 */
u32 mvgpu_queue_read32(struct mvgpu_vgpu *vgpu, unsigned int reg)
{
	struct mvgpu_queue *q = mvgpu_queue_of_reg(vgpu, reg);

	lockdep_assert_held(&vgpu->lock);

	if (!q)
		return 0;

	switch ((reg - MVGPU_QUEUE_BASE(0)) % MVGPU_QUEUE_STRIDE) {
	case MVGPU_QREG_RING_LO:
		return lower_32_bits(q->ring);
	case MVGPU_QREG_RING_HI:
		return upper_32_bits(q->ring);
	case MVGPU_QREG_RING_SIZE:
		return q->ring_size;
	case MVGPU_QREG_QSA_LO:
		return lower_32_bits(q->qsa);
	case MVGPU_QREG_QSA_HI:
		return upper_32_bits(q->qsa);
	case MVGPU_QREG_CONTROL:
		return q->enabled ? MVGPU_QCTL_ENABLE : 0;
	case MVGPU_QREG_HEAD:
		return READ_ONCE(q->head);
	case MVGPU_QREG_FENCE_LO:
		return lower_32_bits(mvgpu_queue_fence_reg(q));
	case MVGPU_QREG_FENCE_HI:
		return upper_32_bits(mvgpu_queue_fence_reg(q));
	}
	return 0;
}

/*
 * A doorbell write, a trap each: a guest ringing in a loop gets O(1) work
 * per ring.  A queue that is runnable or running is only marked
 * (mvgpu_sched_kick()).  A queue whose ring holds nothing an engine has
 * not taken (qsa.tail equals head, no command in progress) is not kicked
 * at all, so a spurious doorbell wakes no engine.  That loses nothing:
 * the driver stores qsa.tail before its doorbell write traps, so the tail
 * read here is at least that new, and head only ever moves up to a tail
 * an engine read.  vgpu->lock held.
 */
static void mvgpu_queue_doorbell(struct mvgpu_queue *q)
{
	u32 tail;

	q->vgpu->stats.doorbells++;
	if (!q->enabled)
		return;
	if (mvgpu_qsa_read32(q, offsetof(struct mvgpu_qsa, tail), &tail))
		return;
	if (tail == READ_ONCE(q->head) && !READ_ONCE(q->op_active))
		return;
	mvgpu_sched_kick(q);
}

/**
 * mvgpu_queue_write32() - write a queue register
 * @vgpu: the vGPU, with ->lock held.
 * @reg: BAR0 offset from MVGPU_QUEUE_BASE(0) on.
 * @val: the value.
 *
 * Ring and QSA registers are read-only while the queue is enabled; writes
 * to the blocks of queues that do not exist are ignored.
 */
void mvgpu_queue_write32(struct mvgpu_vgpu *vgpu, unsigned int reg, u32 val)
{
	struct mvgpu_queue *q = mvgpu_queue_of_reg(vgpu, reg);
	unsigned int r = (reg - MVGPU_QUEUE_BASE(0)) % MVGPU_QUEUE_STRIDE;

	lockdep_assert_held(&vgpu->lock);

	if (!q)
		return;

	if (r == MVGPU_QREG_DOORBELL) {
		mvgpu_queue_doorbell(q);
		return;
	}
	if (r == MVGPU_QREG_CONTROL) {
		if ((val & MVGPU_QCTL_ENABLE) && !q->enabled)
			mvgpu_queue_enable(q);
		else if (!(val & MVGPU_QCTL_ENABLE) && q->enabled)
			mvgpu_queue_disable(q);
		return;
	}
	if (q->enabled)
		return;

	switch (r) {
	case MVGPU_QREG_RING_LO:
		q->ring = (q->ring & GENMASK_ULL(63, 32)) | val;
		break;
	case MVGPU_QREG_RING_HI:
		q->ring = (q->ring & GENMASK_ULL(31, 0)) | (u64)val << 32;
		break;
	case MVGPU_QREG_RING_SIZE:
		q->ring_size = val;
		break;
	case MVGPU_QREG_QSA_LO:
		q->qsa = (q->qsa & GENMASK_ULL(63, 32)) | val;
		break;
	case MVGPU_QREG_QSA_HI:
		q->qsa = (q->qsa & GENMASK_ULL(31, 0)) | (u64)val << 32;
		break;
	}
}

/* [off, off + len) inside the slice, aligned, non-empty. */
static bool mvgpu_range_ok(struct mvgpu_vgpu *vgpu, u64 off, u64 len,
			   unsigned int align)
{
	return len && IS_ALIGNED(off, align) && IS_ALIGNED(len, align) &&
	       off <= vgpu->vram_size && len <= vgpu->vram_size - off;
}

static bool mvgpu_overlap(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

/* Bytes of @count 32-bit elements, or 0 if that cannot fit any slice. */
static u64 mvgpu_elem_bytes(struct mvgpu_vgpu *vgpu, u64 count)
{
	return count <= vgpu->vram_size / 4 ? count * 4 : 0;
}

static bool mvgpu_args_zero(const u64 *args, unsigned int from)
{
	unsigned int i;

	for (i = from; i < ARRAY_SIZE(((struct mvgpu_cmd *)0)->args); i++)
		if (args[i])
			return false;
	return true;
}

/*
 * Decode and check one command (already copied out of the ring).  On
 * success @op holds absolute VRAM offsets; returns 0 or an mvgpu_error.
 */
static u32 mvgpu_cmd_decode(struct mvgpu_vgpu *vgpu,
			    const struct mvgpu_cmd *cmd, struct mvgpu_op *op)
{
	u64 a[ARRAY_SIZE(cmd->args)];
	u64 base = vgpu->vram_base;
	u64 bytes, abytes, bbytes, cbytes;
	unsigned int i;
	u32 flags = le32_to_cpu(cmd->flags);

	for (i = 0; i < ARRAY_SIZE(a); i++)
		a[i] = le64_to_cpu(cmd->args[i]);

	memset(op, 0, sizeof(*op));
	op->opcode = le32_to_cpu(cmd->opcode);
	op->flags = flags;

	switch (op->opcode) {
	case MVGPU_OP_NOP:
		if (flags || !mvgpu_args_zero(a, 0))
			return MVGPU_ERR_BAD_FLAGS;
		return 0;

	case MVGPU_OP_FENCE:
		if (flags & ~MVGPU_CMD_F_IRQ || !mvgpu_args_zero(a, 1))
			return MVGPU_ERR_BAD_FLAGS;
		op->value = a[0];
		return 0;

	case MVGPU_OP_TIMESTAMP:
		if (flags || !mvgpu_args_zero(a, 1))
			return MVGPU_ERR_BAD_FLAGS;
		if (!mvgpu_range_ok(vgpu, a[0], 8, 8))
			return MVGPU_ERR_BAD_RANGE;
		op->dst = a[0];		/* slice-relative: the core writes it */
		return 0;

	case MVGPU_OP_FILL:
		if (flags || a[2] > U32_MAX || !mvgpu_args_zero(a, 3))
			return MVGPU_ERR_BAD_FLAGS;
		if (!a[1])
			return MVGPU_ERR_BAD_SIZE;
		if (!mvgpu_range_ok(vgpu, a[0], a[1], 4))
			return MVGPU_ERR_BAD_RANGE;
		op->dst = base + a[0];
		op->len = a[1];
		op->value = a[2];
		return 0;

	case MVGPU_OP_COPY:
		/* The host path has no guest memory to name. */
		if (vgpu->host && flags)
			return MVGPU_ERR_BAD_FLAGS;
		if (flags & ~(MVGPU_CMD_F_SRC_SYS | MVGPU_CMD_F_DST_SYS) ||
		    (flags & MVGPU_CMD_F_SRC_SYS && flags & MVGPU_CMD_F_DST_SYS) ||
		    !mvgpu_args_zero(a, 3))
			return MVGPU_ERR_BAD_FLAGS;
		bytes = a[2];
		if (!bytes || bytes > vgpu->vram_size)
			return MVGPU_ERR_BAD_SIZE;
		if (flags & MVGPU_CMD_F_DST_SYS) {
			if (a[0] + bytes < a[0] ||
			    !mvgpu_range_ok(vgpu, a[1], bytes, 1))
				return MVGPU_ERR_BAD_RANGE;
			op->dst = a[0];
			op->src = base + a[1];
		} else if (flags & MVGPU_CMD_F_SRC_SYS) {
			if (a[1] + bytes < a[1] ||
			    !mvgpu_range_ok(vgpu, a[0], bytes, 1))
				return MVGPU_ERR_BAD_RANGE;
			op->dst = base + a[0];
			op->src = a[1];
		} else {
			if (!mvgpu_range_ok(vgpu, a[0], bytes, 1) ||
			    !mvgpu_range_ok(vgpu, a[1], bytes, 1) ||
			    mvgpu_overlap(a[0], bytes, a[1], bytes))
				return MVGPU_ERR_BAD_RANGE;
			op->dst = base + a[0];
			op->src = base + a[1];
		}
		op->len = bytes;
		return 0;

	case MVGPU_OP_GEMM_I32:
		if (flags || a[6])
			return MVGPU_ERR_BAD_FLAGS;
		for (i = 3; i <= 5; i++)
			if (!a[i] || a[i] > MVGPU_GEMM_MAX_DIM)
				return MVGPU_ERR_BAD_SIZE;
		cbytes = mvgpu_elem_bytes(vgpu, a[3] * a[4]);
		abytes = mvgpu_elem_bytes(vgpu, a[3] * a[5]);
		bbytes = mvgpu_elem_bytes(vgpu, a[5] * a[4]);
		if (!mvgpu_range_ok(vgpu, a[0], cbytes, 4) ||
		    !mvgpu_range_ok(vgpu, a[1], abytes, 4) ||
		    !mvgpu_range_ok(vgpu, a[2], bbytes, 4) ||
		    mvgpu_overlap(a[0], cbytes, a[1], abytes) ||
		    mvgpu_overlap(a[0], cbytes, a[2], bbytes))
			return MVGPU_ERR_BAD_RANGE;
		op->dst = base + a[0];
		op->src = base + a[1];
		op->src2 = base + a[2];
		op->m = a[3];
		op->n = a[4];
		op->k = a[5];
		return 0;

	case MVGPU_OP_AXPY_I32:
		if (flags || a[3] > U32_MAX || !mvgpu_args_zero(a, 4))
			return MVGPU_ERR_BAD_FLAGS;
		bytes = mvgpu_elem_bytes(vgpu, a[2]);
		if (!a[2])
			return MVGPU_ERR_BAD_SIZE;
		if (!mvgpu_range_ok(vgpu, a[0], bytes, 4) ||
		    !mvgpu_range_ok(vgpu, a[1], bytes, 4) ||
		    (a[0] != a[1] && mvgpu_overlap(a[0], bytes, a[1], bytes)))
			return MVGPU_ERR_BAD_RANGE;
		op->dst = base + a[0];
		op->src = base + a[1];
		op->len = a[2];
		op->value = a[3];
		return 0;

	case MVGPU_OP_REDUCE_I32:
		if (flags || !mvgpu_args_zero(a, 3))
			return MVGPU_ERR_BAD_FLAGS;
		bytes = mvgpu_elem_bytes(vgpu, a[2]);
		if (!a[2])
			return MVGPU_ERR_BAD_SIZE;
		if (!mvgpu_range_ok(vgpu, a[0], 8, 8) ||
		    !mvgpu_range_ok(vgpu, a[1], bytes, 4))
			return MVGPU_ERR_BAD_RANGE;
		op->dst = base + a[0];
		op->src = base + a[1];
		op->len = a[2];
		return 0;

	case MVGPU_OP_SPIN:
		if (flags || !mvgpu_args_zero(a, 1))
			return MVGPU_ERR_BAD_FLAGS;
		if (!a[0] || a[0] > MVGPU_SPIN_MAX_NS)
			return MVGPU_ERR_BAD_SIZE;
		op->value = a[0];
		return 0;
	}
	return MVGPU_ERR_BAD_OPCODE;
}

/* Complete a fence.  Returns 0, or an error when the vGPU failed. */
static int mvgpu_queue_fence(struct mvgpu_queue *q, const struct mvgpu_op *op)
{
	struct mvgpu_vgpu *vgpu = q->vgpu;
	u32 irq_wanted;

	/*
	 * The register's value first, then the QSA's (the manual, "Fences"):
	 * a driver that sees the fence in the QSA and then reads
	 * QREG_FENCE_LO/HI must read it there too, even if this thread is
	 * preempted between the two stores.  Pairs with the smp_rmb() in
	 * mvgpu_queue_read32().
	 */
	WRITE_ONCE(q->fence, op->value);
	smp_wmb();	/* q->fence before qsa.fence */
	if (mvgpu_qsa_write64(q, offsetof(struct mvgpu_qsa, fence), op->value))
		return -EIO;
	q->stats.fences++;
	wake_up_all(&vgpu->fence_wq);
	if (!(op->flags & MVGPU_CMD_F_IRQ))
		return 0;
	/*
	 * The fence store before the irq_wanted load: pairs with the driver
	 * setting irq_wanted and then re-reading the fence before it sleeps.
	 */
	smp_mb();
	if (mvgpu_qsa_read32(q, offsetof(struct mvgpu_qsa, irq_wanted),
			     &irq_wanted))
		return -EIO;
	if (irq_wanted)
		mvgpu_irq_raise(vgpu, MVGPU_IRQ_FENCE);
	return 0;
}

/* Read qsa.tail once and check it.  Returns false (vGPU failed) if bad. */
static bool mvgpu_queue_read_tail(struct mvgpu_queue *q)
{
	u32 tail;

	if (mvgpu_qsa_read32(q, offsetof(struct mvgpu_qsa, tail), &tail))
		return false;
	if (tail >= q->ring_size || !IS_ALIGNED(tail, MVGPU_CMD_SIZE)) {
		mvgpu_vgpu_fail(q->vgpu, MVGPU_ERR_BAD_TAIL,
				MVGPU_ERROR_INFO(q->index, tail));
		return false;
	}
	q->tail = tail;
	return true;
}

/*
 * Take the next command off the ring.  Returns 1 when a command was taken
 * (executed already if the core does it itself, else left in q->op), 0
 * when the ring is empty and the doorbell is armed, -EIO if the vGPU
 * failed.
 */
static int mvgpu_queue_next(struct mvgpu_queue *q)
{
	struct mvgpu_vgpu *vgpu = q->vgpu;
	struct mvgpu_cmd cmd = {};
	struct mvgpu_op op;
	u32 err;

	if (q->head == q->tail) {
		if (!mvgpu_queue_read_tail(q))
			return -EIO;
		if (q->head == q->tail) {
			/* Arm the doorbell, then look once more (the manual). */
			if (mvgpu_qsa_write32(q, offsetof(struct mvgpu_qsa,
							  doorbell_needed), 1))
				return -EIO;
			/*
			 * Pairs with the driver's barrier between storing
			 * qsa.tail and loading qsa.doorbell_needed: either it
			 * sees the flag and rings, or we see its new tail.
			 */
			smp_mb();
			if (!mvgpu_queue_read_tail(q))
				return -EIO;
			if (q->head == q->tail) {
				q->armed = true;
				return 0;
			}
			if (mvgpu_qsa_write32(q, offsetof(struct mvgpu_qsa,
							  doorbell_needed), 0))
				return -EIO;
		}
	}

	q->stats.submissions++;
	/*
	 * The one read of the command; from here on only our copy counts.
	 * If it fails, head stays at the command (ERROR_INFO names it).
	 */
	if (mvgpu_queue_vram_rw(q, q->ring + q->head, &cmd, sizeof(cmd), false))
		return -EIO;
	q->cmd_offset = q->head;
	WRITE_ONCE(q->head, (q->head + MVGPU_CMD_SIZE) & (q->ring_size - 1));
	if (mvgpu_qsa_write32(q, offsetof(struct mvgpu_qsa, head), q->head))
		return -EIO;

	err = mvgpu_cmd_decode(vgpu, &cmd, &op);
	if (err) {
		mvgpu_vgpu_fail(vgpu, err,
				MVGPU_ERROR_INFO(q->index, q->cmd_offset));
		return -EIO;
	}

	switch (op.opcode) {
	case MVGPU_OP_NOP:
		break;
	case MVGPU_OP_FENCE:
		/*
		 * Counted before it is published: a reader that sees the
		 * fence sees every command up to it in mvgpu_stats (the
		 * smp_wmb() in mvgpu_queue_fence() orders this store too).
		 */
		q->stats.commands++;
		if (mvgpu_queue_fence(q, &op))
			return -EIO;
		return 1;
	case MVGPU_OP_TIMESTAMP: {
		__le64 now = cpu_to_le64(ktime_get_ns());

		if (mvgpu_queue_vram_rw(q, op.dst, &now, sizeof(now), true))
			return -EIO;
		break;
	}
	default:
		op.dma = &q->dma;
		q->op = op;
		q->op_active = true;
		q->op_ns = 0;
		set_bit(MVGPU_VRAM_DIRTY, &vgpu->vram_flags);
		return 1;
	}
	q->stats.commands++;
	return 1;
}

/**
 * mvgpu_queue_run() - run a queue on an engine
 * @eng: the engine, from its thread.
 * @q: a queue the scheduler gave it.
 * @slice_end: when its timeslice ends (ktime_get_ns()).
 *
 * Executes commands, one chunk at a time, until the ring is empty, the
 * scheduler wants the engine back, or the queue must stop.  A command in
 * progress stays in q->op and resumes next time.  The watchdog: a command
 * that has used more than watchdog_ms of engine time is dropped and its
 * vGPU fails with MVGPU_ERR_TIMEOUT.  A chunk is charged at most
 * MVGPU_CHUNK_CHARGE_MAX_NS: longer means the engine thread did not run
 * (the host preempted it, or a VM stalled), which is not the command's
 * doing.
 *
 * Return: why the engine comes back.
 */
enum mvgpu_run_result mvgpu_queue_run(struct mvgpu_engine *eng,
				      struct mvgpu_queue *q, u64 slice_end)
{
	struct mvgpu_vgpu *vgpu = q->vgpu;
	struct mvgpu_pgpu *pgpu = vgpu->pgpu;
	u64 watchdog_ns = max(READ_ONCE(mvgpu_watchdog_ms), 10U) * NSEC_PER_MSEC;
	enum mvgpu_run_result res;
	u64 start;
	int ret;

	if (q->armed) {
		q->armed = false;
		if (mvgpu_qsa_write32(q, offsetof(struct mvgpu_qsa,
						  doorbell_needed), 0))
			return MVGPU_RUN_STOP;
	}

	for (;;) {
		res = mvgpu_sched_check(eng, q, &slice_end);
		if (res != MVGPU_RUN_CONTINUE)
			return res;

		if (!q->op_active) {
			ret = mvgpu_queue_next(q);
			if (ret < 0)
				return MVGPU_RUN_STOP;
			if (!ret)
				return MVGPU_RUN_IDLE;
			if (!q->op_active)
				continue;
		}

		start = ktime_get_ns();
		ret = pgpu->ops->exec(pgpu, eng->index, &q->op);
		q->op_ns += min(ktime_get_ns() - start, MVGPU_CHUNK_CHARGE_MAX_NS);
		if (ret == -EINPROGRESS) {
			if (q->op_ns <= watchdog_ns)
				continue;
			/* The watchdog: drop the command, keep VRAM. */
			q->op_active = false;
			mvgpu_vgpu_fail(vgpu, MVGPU_ERR_TIMEOUT,
					MVGPU_ERROR_INFO(q->index, q->cmd_offset));
			return MVGPU_RUN_STOP;
		}
		q->op_active = false;
		if (ret) {
			/* Guest memory (-EFAULT), or the GPU itself. */
			mvgpu_vgpu_fail(vgpu, ret == -EFAULT ? MVGPU_ERR_DMA :
					MVGPU_ERR_HOST,
					MVGPU_ERROR_INFO(q->index, q->cmd_offset));
			return MVGPU_RUN_STOP;
		}
		q->stats.commands++;
	}
}

/**
 * mvgpu_queue_stats_sum() - add up the counters of a vGPU's queues
 * @vgpu: the vGPU.
 * @sum: out: the totals (wait_max_ns: the maximum).
 */
void mvgpu_queue_stats_sum(struct mvgpu_vgpu *vgpu,
			   struct mvgpu_queue_stats *sum)
{
	unsigned int i;

	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < vgpu->nr_queues; i++) {
		const struct mvgpu_queue_stats *st = &vgpu->queues[i].stats;

		sum->commands += READ_ONCE(st->commands);
		sum->fences += READ_ONCE(st->fences);
		sum->runs += READ_ONCE(st->runs);
		sum->preemptions += READ_ONCE(st->preemptions);
		sum->busy_ns += READ_ONCE(st->busy_ns);
		sum->submissions += READ_ONCE(st->submissions);
		sum->wait_ns += READ_ONCE(st->wait_ns);
		sum->wait_max_ns = max(sum->wait_max_ns,
				       READ_ONCE(st->wait_max_ns));
	}
}
