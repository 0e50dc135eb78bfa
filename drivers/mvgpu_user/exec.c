// SPDX-License-Identifier: GPL-2.0
/*
 * mvgpu_user engines: the kernel half of MVGPU_ENGINE_COMMIT_AND_FETCH.
 *
 * Each engine has a mailbox (struct mvu_engine) and a read-only
 * descriptor page the server maps.  The core's engine thread calls
 * mvu_exec() for one chunk of a validated command: it writes the chunk
 * into the descriptor, posts its sequence number, wakes the server and
 * waits, at most exec_timeout_ms, for the server's commit.  A server
 * thread loops in MVGPU_ENGINE_COMMIT_AND_FETCH: commit the result of the
 * chunk it ran, wait (at most its own timeout) for the next.
 *
 * What the server controls is one ioctl argument, copied once: the
 * engine index and status are checked, a commit counts only for the
 * chunk outstanding on that engine, and a REDUCE partial sum is just a
 * number.  A server that does not answer in time is taken to be hung:
 * the pGPU goes offline, so a server can delay a vGPU's command by at
 * most exec_timeout_ms and never forever.
 *
 * SPIN and copies to or from guest memory never reach the server: the
 * core runs them here (mvgpu_exec_in_kernel()).
 */
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>

#include "user.h"

static unsigned int exec_timeout_ms = 5000;
module_param(exec_timeout_ms, uint, 0644);
MODULE_PARM_DESC(exec_timeout_ms,
		 "How long a chunk may take in the engine server before its pGPU goes offline, 10-600000 ms (default 5000)");

#define MVU_FETCH_TIMEOUT_MAX_MS	60000

/**
 * mvu_engines_init() - set up a new pGPU's mailboxes, all offline
 * @gpu: the pGPU, its descriptor pages allocated.
 */
void mvu_engines_init(struct mvu_gpu *gpu)
{
	unsigned int i;

	for (i = 0; i < gpu->nr_engines; i++) {
		struct mvu_engine *eng = &gpu->engines[i];

		eng->gpu = gpu;
		eng->index = i;
		eng->desc = gpu->descs + (size_t)i * PAGE_SIZE;
		spin_lock_init(&eng->lock);
		init_waitqueue_head(&eng->work_wq);
		init_waitqueue_head(&eng->done_wq);
	}
}

/**
 * mvu_engines_online() - hand every engine to a server
 * @gpu: the pGPU, with gpu->state_lock held.
 * @mf: the server's file.
 *
 * Whatever an earlier server left unanswered is forgotten: the exec()
 * that posted it has failed already.
 */
void mvu_engines_online(struct mvu_gpu *gpu, struct mvu_file *mf)
{
	unsigned int i;

	lockdep_assert_held(&gpu->state_lock);
	for (i = 0; i < gpu->nr_engines; i++) {
		struct mvu_engine *eng = &gpu->engines[i];

		spin_lock(&eng->lock);
		eng->server = mf;
		eng->fetched = eng->posted;
		eng->done = eng->posted;
		spin_unlock(&eng->lock);
	}
}

/**
 * mvu_engines_offline() - take every engine from its server
 * @gpu: the pGPU, with gpu->state_lock held.
 *
 * Wakes exec() calls waiting for a result (they fail with -EIO) and
 * server threads waiting for work (they get ESHUTDOWN).
 */
void mvu_engines_offline(struct mvu_gpu *gpu)
{
	unsigned int i;

	lockdep_assert_held(&gpu->state_lock);
	for (i = 0; i < gpu->nr_engines; i++) {
		struct mvu_engine *eng = &gpu->engines[i];

		spin_lock(&eng->lock);
		eng->server = NULL;
		eng->epoch++;
		spin_unlock(&eng->lock);
		wake_up_all(&eng->done_wq);
		wake_up_all(&eng->work_wq);
	}
}

/* The units of @op and how many make a chunk (see the uAPI header). */
static u64 mvu_op_units(struct mvu_gpu *gpu, const struct mvgpu_op *op,
			u64 *per_chunk)
{
	u64 macs_per_row, rows;
	u32 align;

	switch (op->opcode) {
	case MVGPU_OP_FILL:
	case MVGPU_OP_COPY:
		*per_chunk = READ_ONCE(gpu->chunk_bytes);
		return op->len;
	case MVGPU_OP_AXPY_I32:
	case MVGPU_OP_REDUCE_I32:
		*per_chunk = READ_ONCE(gpu->chunk_elems);
		return op->len;
	default:
		/* GEMM_I32 and ISA 1.1's GEMM_F32: rows of C. */
		macs_per_row = (u64)op->n * op->k;
		align = max_t(u32, READ_ONCE(gpu->gemm_rows), 1);
		rows = READ_ONCE(gpu->chunk_macs) / max_t(u64, 1, macs_per_row);
		*per_chunk = max_t(u64, align, rounddown(rows, align));
		return op->m;
	}
}

static bool mvu_exec_done(struct mvu_engine *eng, u64 seq, u64 epoch)
{
	bool done;

	spin_lock(&eng->lock);
	done = eng->done >= seq || eng->epoch != epoch;
	spin_unlock(&eng->lock);
	return done;
}

/**
 * mvu_exec() - the pgpu_ops exec(): run one chunk in the engine server
 * @pgpu: the pGPU.
 * @engine: the engine.
 * @op: the validated command.
 *
 * Context: the core's engine thread; sleeps up to exec_timeout_ms.
 * Return: 0 (command complete), -EINPROGRESS (more chunks), -EFAULT
 * (guest memory, from the in-kernel part), or -EIO when the pGPU is
 * offline, goes offline, or the server failed the chunk.
 */
int mvu_exec(struct mvgpu_pgpu *pgpu, unsigned int engine,
	     struct mvgpu_op *op)
{
	struct mvu_gpu *gpu = mvgpu_pgpu_priv(pgpu);
	struct mvu_engine *eng = &gpu->engines[engine];
	unsigned int tmo = clamp(READ_ONCE(exec_timeout_ms), 10U, 600000U);
	u64 total, per_chunk, end, seq, epoch, result;
	struct mvgpu_engine_desc *d = eng->desc;
	__le64 sum;
	u32 status;
	long left;

	if (mvgpu_op_in_kernel(op))
		return mvgpu_exec_in_kernel(pgpu, engine, op, gpu->vram);

	total = mvu_op_units(gpu, op, &per_chunk);
	if (WARN_ON_ONCE(op->progress >= total))
		return -EIO;
	end = op->progress + min(per_chunk, total - op->progress);

	spin_lock(&eng->lock);
	if (!eng->server) {
		spin_unlock(&eng->lock);
		return -EIO;
	}
	seq = ++eng->posted;
	epoch = eng->epoch;
	memset(d, 0, sizeof(*d));
	d->opcode = op->opcode;
	d->dst = op->dst;
	d->src = op->src;
	d->src2 = op->src2;
	d->len = op->len;
	d->m = op->m;
	d->n = op->n;
	d->k = op->k;
	d->value = op->value;
	d->begin = op->progress;
	d->end = end;
	/* Last, so that a server never sees a new seq with old fields. */
	WRITE_ONCE(d->seq, seq);
	spin_unlock(&eng->lock);
	wake_up(&eng->work_wq);

	left = wait_event_timeout(eng->done_wq, mvu_exec_done(eng, seq, epoch),
				  msecs_to_jiffies(tmo));

	spin_lock(&eng->lock);
	if (eng->epoch != epoch || eng->done < seq) {
		spin_unlock(&eng->lock);
		if (!left)
			mvu_gpu_offline(gpu, NULL,
					"the engine server did not answer in time");
		return -EIO;
	}
	status = eng->status;
	result = eng->result;
	spin_unlock(&eng->lock);

	if (status != MVGPU_ENGINE_ST_OK) {
		pr_warn_ratelimited("mvgpu_user: %s: engine %u: the server failed opcode %u (status %u)\n",
				    gpu->name, engine, op->opcode, status);
		return -EIO;
	}
	if (op->opcode == MVGPU_OP_REDUCE_I32) {
		op->acc += result;
		if (end == total) {
			sum = cpu_to_le64(op->acc);
			memcpy(gpu->vram + op->dst, &sum, sizeof(sum));
		}
	}
	op->progress = end;
	return end < total ? -EINPROGRESS : 0;
}

static bool mvu_has_work(struct mvu_engine *eng, struct mvu_file *mf)
{
	bool ret;

	spin_lock(&eng->lock);
	ret = eng->server != mf ||
	      (eng->posted > eng->fetched && eng->posted > eng->done);
	spin_unlock(&eng->lock);
	return ret;
}

/**
 * mvu_commit_and_fetch() - MVGPU_ENGINE_COMMIT_AND_FETCH
 * @mf: the server's file.
 * @gpu: the pGPU it is attached to (a reference held by @mf).
 * @arg: the user's struct mvgpu_engine_fetch.
 *
 * Return: 0 with a chunk, or -EINVAL, -EFAULT, -ETIMEDOUT, -EINTR,
 * -ESHUTDOWN as the uAPI header describes.
 */
long mvu_commit_and_fetch(struct mvu_file *mf, struct mvu_gpu *gpu,
			  struct mvgpu_engine_fetch __user *arg)
{
	struct mvgpu_engine_fetch f;
	struct mvu_engine *eng;
	long left;
	u64 seq;

	if (copy_from_user(&f, arg, sizeof(f)))
		return -EFAULT;
	if (f.engine >= gpu->nr_engines ||
	    f.status > MVGPU_ENGINE_ST_BAD_RANGE ||
	    f.timeout_ms > MVU_FETCH_TIMEOUT_MAX_MS || f.pad)
		return -EINVAL;
	eng = &gpu->engines[f.engine];

	spin_lock(&eng->lock);
	if (eng->server != mf) {
		spin_unlock(&eng->lock);
		return -ESHUTDOWN;
	}
	/* Only the chunk outstanding counts; anything else is stale. */
	if (f.seq && f.seq == eng->posted && f.seq == eng->fetched &&
	    eng->done < f.seq) {
		eng->status = f.status;
		eng->result = f.result;
		eng->done = f.seq;
		spin_unlock(&eng->lock);
		wake_up(&eng->done_wq);
	} else {
		spin_unlock(&eng->lock);
	}

	left = wait_event_interruptible_timeout(eng->work_wq,
						mvu_has_work(eng, mf),
						msecs_to_jiffies(f.timeout_ms));
	if (left < 0)
		return -EINTR;

	spin_lock(&eng->lock);
	if (eng->server != mf) {
		spin_unlock(&eng->lock);
		return -ESHUTDOWN;
	}
	if (!(eng->posted > eng->fetched && eng->posted > eng->done)) {
		spin_unlock(&eng->lock);
		return -ETIMEDOUT;
	}
	seq = eng->posted;
	eng->fetched = seq;
	spin_unlock(&eng->lock);

	return put_user(seq, &arg->seq) ? -EFAULT : 0;
}
