// SPDX-License-Identifier: GPL-2.0
/*
 * Engine scheduler.
 *
 * Each engine of a pGPU has a kernel thread that runs queues, one chunk of
 * work at a time (the backend's exec()).  Between chunks it asks
 * mvgpu_sched_check() whether to go on; that is the preemption point, so
 * a queue holds an engine at most one chunk past its timeslice.
 *
 * Which queue an engine runs next: among the runnable queues it may serve,
 * one whose vGPU has the smallest virtual runtime.  A vGPU's virtual
 * runtime grows by the engine time any of its queues used, scaled by
 * MVGPU_WEIGHT_DEFAULT/weight, so over time each busy vGPU gets engine
 * time in proportion to its weight, however many queues it keeps busy.
 * An idle vGPU takes nothing, and on waking starts at the pool's minimum
 * so that sleeping earns no credit (work-conserving, fair).
 *
 * Wakeup preemption: a time-sliced queue that wakes up does not wait for
 * the running queue's timeslice to end if it is behind in virtual runtime:
 * once the running queue has had the engine for MVGPU_WAKEUP_GRAN_NS, it
 * is preempted at the next chunk boundary.  Interactive work (a guest that
 * submits a little and waits for it) thus waits about half a millisecond
 * behind a saturating neighbour instead of a whole timeslice, and since a
 * woken vGPU is charged like any other, it gains no share by it.  The
 * preempted queue keeps the rest of its timeslice for its next run: were
 * it handed a fresh one, it could hold the engine for a timeslice and a
 * half in one stretch, and its neighbour would then need two slices in a
 * row to catch up in virtual runtime -- the other vGPUs' wait would double.
 *
 * Engines dedicated to a partitioned vGPU (engine->owner) run only that
 * vGPU's queues; the others form the shared pool for time-sliced vGPUs.
 *
 * Virtual runtime orders time-sliced queues only: a partitioned vGPU's
 * queues compete with nobody but each other on its own engines, so they
 * neither feed nor follow the pool's min_vruntime.
 *
 * Caps (time-sliced vGPUs): a vGPU with a cap may use at most cap percent
 * of the shared
 * pool's engine time in each MVGPU_CAP_PERIOD_NS period.  Once it has, its
 * queues are not picked (even by idle engines: a cap is not
 * work-conserving) and a running one is preempted; cap_timer wakes the
 * engines when the period ends.
 *
 * Locking: sched->lock protects the run list, each queue's state, node,
 * kicked and stopping, every vGPU's vruntime and cap accounting, and each
 * engine's current_q.  Nothing
 * else is taken under it, and engine threads hold no lock while they run
 * a chunk (vfio_dma_rw() takes the vfio container's own).
 */
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/sched.h>

#include "compat.h"
#include "main.h"
#include "pgpu.h"
#include "profile.h"
#include "queue.h"
#include "sched.h"
#include "vgpu.h"

static bool mvgpu_is_timesliced(const struct mvgpu_queue *q)
{
	return q->vgpu->profile->kind == MVGPU_PROFILE_TIMESLICED;
}

/* Caps apply to time-sliced vGPUs; a partition owns its engines. */
static bool mvgpu_vgpu_capped(struct mvgpu_vgpu *vgpu)
{
	return vgpu->profile->kind == MVGPU_PROFILE_TIMESLICED &&
	       READ_ONCE(vgpu->cap);
}

/* Engine time per cap period the vGPU may use.  sched.lock held. */
static u64 mvgpu_cap_budget(struct mvgpu_sched *sched,
			    struct mvgpu_vgpu *vgpu)
{
	unsigned int i, shared = 0;

	for (i = 0; i < vgpu->pgpu->nr_engines; i++)
		if (!READ_ONCE(sched->engines[i].owner))
			shared++;
	return div_u64((u64)READ_ONCE(vgpu->cap) * MVGPU_CAP_PERIOD_NS *
		       shared, 100);
}

/*
 * Has @vgpu used up its cap for this period?  Starts a new period when the
 * last one is over; arms cap_timer for the end of a throttled period.
 * sched.lock held.
 */
static bool mvgpu_cap_throttled(struct mvgpu_sched *sched,
				struct mvgpu_vgpu *vgpu, u64 now)
{
	ktime_t end;

	if (!mvgpu_vgpu_capped(vgpu))
		return false;
	if (now >= vgpu->cap_period_end) {
		vgpu->cap_period_end = now + MVGPU_CAP_PERIOD_NS;
		vgpu->cap_used_ns = 0;
		return false;
	}
	if (vgpu->cap_used_ns < mvgpu_cap_budget(sched, vgpu))
		return false;

	end = ns_to_ktime(vgpu->cap_period_end);
	if (!hrtimer_active(&sched->cap_timer) ||
	    ktime_before(end, hrtimer_get_expires(&sched->cap_timer)))
		hrtimer_start(&sched->cap_timer, end, HRTIMER_MODE_ABS);
	return true;
}

/*
 * Charge the engine time @q used since it was last charged to its vGPU's
 * cap period.  Time that straddles the end of a period is charged to the
 * next one in full, so none escapes the cap.  sched.lock held.  Return:
 * true if the cap is now reached.
 */
static bool mvgpu_cap_charge(struct mvgpu_sched *sched, struct mvgpu_queue *q,
			     u64 now)
{
	struct mvgpu_vgpu *vgpu = q->vgpu;

	if (now >= vgpu->cap_period_end) {
		vgpu->cap_period_end = now + MVGPU_CAP_PERIOD_NS;
		vgpu->cap_used_ns = now - q->charged_at;
	} else {
		vgpu->cap_used_ns += now - q->charged_at;
	}
	q->charged_at = now;
	return mvgpu_vgpu_capped(vgpu) &&
	       vgpu->cap_used_ns >= mvgpu_cap_budget(sched, vgpu);
}

static enum hrtimer_restart mvgpu_cap_timer_fn(struct hrtimer *timer)
{
	struct mvgpu_sched *sched = container_of(timer, struct mvgpu_sched,
						 cap_timer);

	wake_up_all(&sched->engine_wq);
	return HRTIMER_NORESTART;
}

static bool mvgpu_engine_may_run(struct mvgpu_engine *eng,
				 struct mvgpu_queue *q)
{
	struct mvgpu_vgpu *owner = READ_ONCE(eng->owner);

	if (owner)
		return q->vgpu == owner;
	return mvgpu_is_timesliced(q);
}

/* The runnable queue @eng should run next, or NULL.  sched->lock held. */
static struct mvgpu_queue *mvgpu_sched_best(struct mvgpu_engine *eng)
{
	struct mvgpu_sched *sched = &eng->pgpu->sched;
	struct mvgpu_queue *q, *best = NULL;
	u64 now = ktime_get_ns();

	lockdep_assert_held(&sched->lock);

	list_for_each_entry(q, &sched->runnable, node)
		if (mvgpu_engine_may_run(eng, q) &&
		    (!best || q->vgpu->vruntime < best->vgpu->vruntime) &&
		    !mvgpu_cap_throttled(sched, q->vgpu, now))
			best = q;
	return best;
}

static bool mvgpu_sched_has_work(struct mvgpu_engine *eng)
{
	struct mvgpu_sched *sched = &eng->pgpu->sched;
	bool work;

	spin_lock(&sched->lock);
	work = mvgpu_sched_best(eng);
	spin_unlock(&sched->lock);
	return work;
}

/*
 * Put @q on the run list.  A queue that just woke up goes first: it
 * starts at min_vruntime, level with the queue furthest behind, and among
 * equals mvgpu_sched_best() takes the first, so a wakeup preemption hands
 * the engine to the queue that woke rather than to a saturating one.
 * sched->lock held.
 */
static void mvgpu_sched_enqueue(struct mvgpu_sched *sched,
				struct mvgpu_queue *q, bool woken)
{
	lockdep_assert_held(&sched->lock);

	q->state = MVGPU_Q_RUNNABLE;
	q->runnable_since = ktime_get_ns();
	if (woken)
		list_add(&q->node, &sched->runnable);
	else
		list_add_tail(&q->node, &sched->runnable);
	wake_up_all(&sched->engine_wq);
}

/**
 * mvgpu_sched_kick() - a queue may have new work (doorbell)
 * @q: an enabled queue.
 *
 * Context: process context (the doorbell, under vgpu->lock); takes
 * sched->lock, which is not interrupt-safe: no caller may be in hard or
 * soft interrupt context.
 */
void mvgpu_sched_kick(struct mvgpu_queue *q)
{
	struct mvgpu_sched *sched = &q->vgpu->pgpu->sched;

	spin_lock(&sched->lock);
	if (q->stopping || READ_ONCE(q->vgpu->failed))
		goto out_unlock;

	switch (q->state) {
	case MVGPU_Q_IDLE:
		if (mvgpu_is_timesliced(q)) {
			q->vgpu->vruntime = max(q->vgpu->vruntime,
						sched->min_vruntime);
			WRITE_ONCE(sched->wakeups, sched->wakeups + 1);
		}
		mvgpu_sched_enqueue(sched, q, true);
		break;
	case MVGPU_Q_RUNNING:
		q->kicked = true;
		break;
	case MVGPU_Q_RUNNABLE:
		break;
	}
out_unlock:
	spin_unlock(&sched->lock);
}

static bool mvgpu_queue_running(struct mvgpu_queue *q)
{
	struct mvgpu_sched *sched = &q->vgpu->pgpu->sched;
	bool running;

	spin_lock(&sched->lock);
	running = q->state == MVGPU_Q_RUNNING;
	spin_unlock(&sched->lock);
	return running;
}

/**
 * mvgpu_sched_stop() - take a queue off the scheduler and wait for it
 * @q: the queue.
 *
 * On return no engine runs @q, and it is on no list; it runs again only
 * after the next mvgpu_sched_kick().  The engine notices the request at
 * its next chunk boundary, so this waits at most about one chunk.
 *
 * Context: process; the caller holds q->vgpu->lock, which keeps doorbells
 * away meanwhile.
 */
void mvgpu_sched_stop(struct mvgpu_queue *q)
{
	struct mvgpu_sched *sched = &q->vgpu->pgpu->sched;

	spin_lock(&sched->lock);
	WRITE_ONCE(q->stopping, true);
	if (q->state == MVGPU_Q_RUNNABLE) {
		list_del_init(&q->node);
		q->state = MVGPU_Q_IDLE;
	}
	spin_unlock(&sched->lock);

	wait_event(sched->stop_wq, !mvgpu_queue_running(q));

	spin_lock(&sched->lock);
	WRITE_ONCE(q->stopping, false);
	q->kicked = false;
	q->slice_left = 0;
	spin_unlock(&sched->lock);
}

/*
 * Charge @q's engine time since q->run_start to the statistics, the
 * engine's busy time and its vGPU's virtual runtime.  sched.lock held.
 */
static void mvgpu_sched_account(struct mvgpu_engine *eng,
				struct mvgpu_queue *q, u64 now)
{
	struct mvgpu_vgpu *vgpu = q->vgpu;
	u64 delta = now - q->run_start;

	eng->busy_ns += delta;
	q->stats.busy_ns += delta;
	vgpu->vruntime += div_u64(delta * MVGPU_WEIGHT_DEFAULT,
				  max(READ_ONCE(vgpu->weight), 1U));
	q->run_start = now;
}

static void mvgpu_sched_update_min(struct mvgpu_pgpu *pgpu,
				   struct mvgpu_queue *last);

/*
 * Has a time-sliced queue woken up since @eng last looked, while @q has
 * had the engine for at least MVGPU_WAKEUP_GRAN_NS?  No lock: a wakeup
 * missed here is seen at the next chunk boundary.
 */
static bool mvgpu_sched_wakeup_due(struct mvgpu_engine *eng,
				   struct mvgpu_queue *q, u64 now)
{
	return READ_ONCE(eng->pgpu->sched.wakeups) != eng->seen_wakeups &&
	       mvgpu_is_timesliced(q) &&
	       now - eng->run_start >= MVGPU_WAKEUP_GRAN_NS;
}

/*
 * Wakeup preemption: should @q give the engine to a queue that woke up?
 * Only to one behind it in virtual runtime.  sched->lock held, @q's
 * engine time accounted up to now.
 */
static bool mvgpu_sched_wakeup_preempt(struct mvgpu_engine *eng,
				       struct mvgpu_queue *q)
{
	struct mvgpu_queue *best;

	lockdep_assert_held(&eng->pgpu->sched.lock);

	eng->seen_wakeups = eng->pgpu->sched.wakeups;
	best = mvgpu_sched_best(eng);
	return best && best->vgpu != q->vgpu &&
	       best->vgpu->vruntime < q->vgpu->vruntime;
}

/**
 * mvgpu_sched_check() - the preemption point between two chunks
 * @eng: the engine, from its thread.
 * @q: the queue it runs.
 * @slice_end: end of the current timeslice (ns); extended when nobody
 *	else wants the engine.
 *
 * Return: MVGPU_RUN_CONTINUE, MVGPU_RUN_STOP (the queue must stop or its
 * vGPU failed) or MVGPU_RUN_PREEMPT (the slice is over and another queue
 * waits for this engine, a queue behind in virtual runtime woke up, the
 * vGPU reached its cap, or the engine was dedicated to a partition).
 */
enum mvgpu_run_result mvgpu_sched_check(struct mvgpu_engine *eng,
					struct mvgpu_queue *q, u64 *slice_end)
{
	struct mvgpu_sched *sched = &eng->pgpu->sched;
	enum mvgpu_run_result res = MVGPU_RUN_CONTINUE;
	bool wakeup;
	u64 now;

	if (READ_ONCE(q->stopping) || READ_ONCE(q->vgpu->failed) ||
	    kthread_should_stop())
		return MVGPU_RUN_STOP;
	if (!mvgpu_engine_may_run(eng, q))
		return MVGPU_RUN_PREEMPT;

	now = ktime_get_ns();
	wakeup = mvgpu_sched_wakeup_due(eng, q, now);
	if (now < *slice_end && !mvgpu_vgpu_capped(q->vgpu) && !wakeup) {
		cond_resched();
		return MVGPU_RUN_CONTINUE;
	}

	spin_lock(&sched->lock);
	if (now >= *slice_end || wakeup) {
		/*
		 * A queue alone on its engine extends its slice and is not
		 * put back while it has work: account as it goes, so that
		 * its statistics, its vGPU's vruntime and min_vruntime do
		 * not stand still meanwhile.
		 */
		mvgpu_sched_account(eng, q, now);
		mvgpu_sched_update_min(eng->pgpu, NULL);
	}
	if (mvgpu_vgpu_capped(q->vgpu) && mvgpu_cap_charge(sched, q, now)) {
		res = MVGPU_RUN_PREEMPT;
	} else if (now >= *slice_end && mvgpu_sched_best(eng)) {
		res = MVGPU_RUN_PREEMPT;
	} else if (wakeup && mvgpu_sched_wakeup_preempt(eng, q) &&
		   now < *slice_end) {
		q->slice_left = *slice_end - now;
		res = MVGPU_RUN_PREEMPT;
	}
	spin_unlock(&sched->lock);
	if (now < *slice_end)
		return res;

	*slice_end = now + READ_ONCE(q->vgpu->timeslice_ns);
	cond_resched();
	return res;
}

/*
 * min_vruntime follows the smallest virtual runtime among the time-sliced
 * queues that are runnable or running, or, when there are none, that of
 * @last, the queue just put back; it never goes back.  sched.lock held.
 */
static void mvgpu_sched_update_min(struct mvgpu_pgpu *pgpu,
				   struct mvgpu_queue *last)
{
	struct mvgpu_sched *sched = &pgpu->sched;
	struct mvgpu_queue *q;
	u64 min = U64_MAX;
	unsigned int i;

	list_for_each_entry(q, &sched->runnable, node)
		if (mvgpu_is_timesliced(q))
			min = min(min, q->vgpu->vruntime);
	for (i = 0; i < pgpu->nr_engines; i++) {
		q = sched->engines[i].current_q;
		if (q && mvgpu_is_timesliced(q))
			min = min(min, q->vgpu->vruntime);
	}
	if (min == U64_MAX && last && mvgpu_is_timesliced(last))
		min = last->vgpu->vruntime;
	if (min != U64_MAX)
		sched->min_vruntime = max(sched->min_vruntime, min);
}

/* Account the run and decide where @q goes next.  Engine thread. */
static void mvgpu_sched_put(struct mvgpu_engine *eng, struct mvgpu_queue *q,
			    enum mvgpu_run_result res, u64 end)
{
	struct mvgpu_sched *sched = &eng->pgpu->sched;

	spin_lock(&sched->lock);
	mvgpu_sched_account(eng, q, end);
	eng->current_q = NULL;
	mvgpu_cap_charge(sched, q, end);

	if (q->stopping || res == MVGPU_RUN_STOP) {
		q->state = MVGPU_Q_IDLE;
	} else if (res == MVGPU_RUN_PREEMPT || q->kicked) {
		if (res == MVGPU_RUN_PREEMPT)
			q->stats.preemptions++;
		mvgpu_sched_enqueue(sched, q, false);
	} else {
		q->state = MVGPU_Q_IDLE;
	}
	q->kicked = false;
	mvgpu_sched_update_min(eng->pgpu, q);
	spin_unlock(&sched->lock);

	wake_up_all(&sched->stop_wq);
}

static int mvgpu_engine_thread(void *data)
{
	struct mvgpu_engine *eng = data;
	struct mvgpu_sched *sched = &eng->pgpu->sched;
	enum mvgpu_run_result res;
	struct mvgpu_queue *q;
	u64 start, slice;

	while (!kthread_should_stop()) {
		wait_event_idle(sched->engine_wq,
				kthread_should_stop() || mvgpu_sched_has_work(eng));

		spin_lock(&sched->lock);
		q = mvgpu_sched_best(eng);
		if (q) {
			start = ktime_get_ns();
			list_del_init(&q->node);
			q->state = MVGPU_Q_RUNNING;
			q->run_start = start;
			q->charged_at = start;
			q->stats.runs++;
			q->stats.wait_ns += start - q->runnable_since;
			q->stats.wait_max_ns = max(q->stats.wait_max_ns,
						   start - q->runnable_since);
			eng->current_q = q;
			eng->run_start = start;
			eng->seen_wakeups = sched->wakeups;
			slice = q->slice_left ?: READ_ONCE(q->vgpu->timeslice_ns);
			q->slice_left = 0;
		}
		spin_unlock(&sched->lock);
		if (!q)
			continue;

		res = mvgpu_queue_run(eng, q, start + slice);
		mvgpu_sched_put(eng, q, res, ktime_get_ns());
	}
	return 0;
}

/**
 * mvgpu_sched_set_owner() - dedicate engines to a vGPU, or give them back
 * @pgpu: the pGPU, with pgpu->lock held.
 * @engines: mask of engines.
 * @owner: the partitioned vGPU, or NULL to return them to the pool.
 *
 * A time-sliced queue running on a newly dedicated engine leaves it at its
 * next chunk boundary.
 */
void mvgpu_sched_set_owner(struct mvgpu_pgpu *pgpu, unsigned long engines,
			   struct mvgpu_vgpu *owner)
{
	struct mvgpu_sched *sched = &pgpu->sched;
	unsigned long bit;

	lockdep_assert_held(&pgpu->lock);

	spin_lock(&sched->lock);
	for_each_set_bit(bit, &engines, MVGPU_MAX_ENGINES)
		WRITE_ONCE(sched->engines[bit].owner, owner);
	spin_unlock(&sched->lock);
	wake_up_all(&sched->engine_wq);
}

/**
 * mvgpu_sched_init() - start the engine threads of a pGPU
 * @pgpu: the pGPU; ->id and ->nr_engines set.
 *
 * Return: 0, or the error of kthread_run().
 */
int mvgpu_sched_init(struct mvgpu_pgpu *pgpu)
{
	struct mvgpu_sched *sched = &pgpu->sched;
	unsigned int i;

	spin_lock_init(&sched->lock);
	INIT_LIST_HEAD(&sched->runnable);
	init_waitqueue_head(&sched->engine_wq);
	init_waitqueue_head(&sched->stop_wq);
	mvgpu_hrtimer_setup(&sched->cap_timer, mvgpu_cap_timer_fn,
			    CLOCK_MONOTONIC, HRTIMER_MODE_ABS);

	for (i = 0; i < pgpu->nr_engines; i++) {
		struct mvgpu_engine *eng = &sched->engines[i];
		struct task_struct *t;

		eng->pgpu = pgpu;
		eng->index = i;
		t = kthread_run(mvgpu_engine_thread, eng, MVGPU_NAME "%d-e%u",
				pgpu->id, i);
		if (IS_ERR(t)) {
			while (i--)
				kthread_stop(sched->engines[i].thread);
			hrtimer_cancel(&sched->cap_timer);
			return PTR_ERR(t);
		}
		eng->thread = t;
	}
	return 0;
}

/**
 * mvgpu_sched_fini() - stop the engine threads
 * @pgpu: the pGPU, with no vGPUs left.
 */
void mvgpu_sched_fini(struct mvgpu_pgpu *pgpu)
{
	unsigned int i;

	for (i = 0; i < pgpu->nr_engines; i++)
		kthread_stop(pgpu->sched.engines[i].thread);
	hrtimer_cancel(&pgpu->sched.cap_timer);
}
