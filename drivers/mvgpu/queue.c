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

#include "cmd.h"
#include "dma.h"
#include "eclock.h"
#include "irq.h"
#include "main.h"
#include "migrate.h"
#include "pgpu.h"
#include "profile.h"
#include "queue.h"
#include "sched.h"
#include "vgpu.h"
#include "vram.h"

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
		mvgpu_vram_dirty(vgpu, off, len);
	ret = pgpu->ops->vram_rw(pgpu, vgpu->vram_base + off, buf, len, write);
	if (write)
		mvgpu_mig_dirty(vgpu, off, len);
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

/**
 * mvgpu_queue_config_ok() - are a queue's ring and QSA registers valid?
 * @q: the queue.
 *
 * Return: true when the ring and the QSA lie inside the slice, aligned,
 * and apart.
 */
bool mvgpu_queue_config_ok(struct mvgpu_queue *q)
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
	/* A stopped device changes no state; resuming kicks every queue. */
	if (!q->enabled || q->vgpu->mig_stopped)
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

/* Mark the VRAM @op will write as holding data (vram.c), before it runs. */
static void mvgpu_op_dirty(struct mvgpu_vgpu *vgpu, const struct mvgpu_op *op)
{
	u64 dst, len;

	if (!mvgpu_op_writes(op, &dst, &len))
		set_bit(MVGPU_VRAM_DIRTY, &vgpu->vram_flags);
	else if (len)
		mvgpu_vram_dirty(vgpu, dst - vgpu->vram_base, len);
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
	const struct mvgpu_cmd_ctx ctx = {
		.base = vgpu->vram_base,
		.size = vgpu->vram_size,
		.sys = !vgpu->host,
	};
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

	err = mvgpu_cmd_decode(&ctx, &cmd, &op);
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
		q->cmd = cmd;
		q->op = op;
		q->op_active = true;
		q->op_ns = 0;
		mvgpu_op_dirty(vgpu, &op);
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
 * vGPU fails with MVGPU_ERR_TIMEOUT.  Engine time is the engine clock's
 * (eclock.c): time the host preempted the engine thread is not charged,
 * nor a stop the host kernel could not see (a VM stalled) beyond
 * MVGPU_ECLOCK_GAP_MAX_NS; SPIN counts its progress with the same clock,
 * so no SPIN longer than the limit escapes it.
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

		start = mvgpu_eclock_now(eng);
		ret = pgpu->ops->exec(pgpu, eng->index, &q->op);
		q->op_ns += mvgpu_eclock_now(eng) - start;
		mvgpu_mig_op_dirty(vgpu, &q->op);
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
