/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvgpu core: the engine scheduler of a pGPU (sched.c): engines, the run
 * list and the per-vGPU scheduling knobs' bounds.
 */
#ifndef _MVGPU_SCHED_H
#define _MVGPU_SCHED_H

#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/time64.h>
#include <linux/types.h>
#include <linux/wait.h>

#include <mvgpu/backend.h>

struct mvgpu_pgpu;
struct mvgpu_queue;
struct mvgpu_vgpu;

/* Scheduling defaults (runtime-tunable per vGPU). */
#define MVGPU_WEIGHT_DEFAULT	100
#define MVGPU_WEIGHT_MAX	10000
#define MVGPU_TIMESLICE_NS	(2 * NSEC_PER_MSEC)
#define MVGPU_TIMESLICE_MIN_US	100
#define MVGPU_TIMESLICE_MAX_US	100000
/* Caps are enforced over periods of this length. */
#define MVGPU_CAP_PERIOD_NS	(20 * NSEC_PER_MSEC)
/*
 * A queue that wakes up may preempt the running one once that has had the
 * engine this long, if it is behind in virtual runtime (sched.c).
 */
#define MVGPU_WAKEUP_GRAN_NS	(500 * NSEC_PER_USEC)

/**
 * struct mvgpu_engine - one engine of a pGPU and the thread that feeds it
 * @pgpu: the pGPU.
 * @index: engine number.
 * @thread: the engine's kthread, "mvgpu<N>-e<index>".
 * @current_q: the queue it runs, or NULL (sched.lock).
 * @owner: the partitioned vGPU the engine is dedicated to, or NULL when it
 *	is in the shared pool (written under pgpu->lock and sched.lock).
 * @busy_ns: time spent running queues (sched.lock).
 * @run_start: when @current_q got the engine (engine thread only).
 * @seen_wakeups: sched.wakeups when this engine last looked for a queue
 *	to preempt for (engine thread only).
 */
struct mvgpu_engine {
	struct mvgpu_pgpu *pgpu;
	unsigned int index;
	struct task_struct *thread;
	struct mvgpu_queue *current_q;
	struct mvgpu_vgpu *owner;
	u64 busy_ns;
	u64 run_start;
	u64 seen_wakeups;
};

/**
 * struct mvgpu_sched - the engine scheduler of a pGPU
 * @lock: see "Locking" in struct mvgpu_pgpu.
 * @runnable: queues with work, waiting for an engine.
 * @engine_wq: idle engine threads wait here for work.
 * @stop_wq: mvgpu_queue_stop() waits here for an engine to let go.
 * @min_vruntime: the smallest virtual runtime of any time-sliced vGPU with
 *	work; a vGPU whose queue wakes up starts no lower, so sleeping earns no credit.
 * @cap_timer: wakes the engines when a capped vGPU's period ends.
 * @wakeups: time-sliced queues that woke up (went from idle to runnable)
 *	so far; engines compare it with their @seen_wakeups without the lock.
 * @engines: the engines; pgpu->nr_engines of them are used.
 */
struct mvgpu_sched {
	spinlock_t lock;		/* see "Locking" in struct mvgpu_pgpu */
	struct list_head runnable;
	wait_queue_head_t engine_wq;
	wait_queue_head_t stop_wq;
	u64 min_vruntime;
	struct hrtimer cap_timer;
	u64 wakeups;
	struct mvgpu_engine engines[MVGPU_MAX_ENGINES];
};

/* Why mvgpu_queue_run() gave its engine back. */
enum mvgpu_run_result {
	MVGPU_RUN_IDLE,		/* ring empty, doorbell armed */
	MVGPU_RUN_PREEMPT,	/* timeslice over and others wait */
	MVGPU_RUN_STOP,		/* stop requested or vGPU failed */
	MVGPU_RUN_CONTINUE,	/* (mvgpu_sched_check() only) keep going */
};

int mvgpu_sched_init(struct mvgpu_pgpu *pgpu);
void mvgpu_sched_fini(struct mvgpu_pgpu *pgpu);
void mvgpu_sched_kick(struct mvgpu_queue *q);
void mvgpu_sched_stop(struct mvgpu_queue *q);
enum mvgpu_run_result mvgpu_sched_check(struct mvgpu_engine *eng,
					struct mvgpu_queue *q, u64 *slice_end);
void mvgpu_sched_set_owner(struct mvgpu_pgpu *pgpu, unsigned long engines,
			   struct mvgpu_vgpu *owner);

#endif /* _MVGPU_SCHED_H */
