// SPDX-License-Identifier: GPL-2.0
/*
 * Engine time: the clock the watchdog, the scheduler's accounting and a
 * software backend's SPIN all measure with.
 *
 * An engine of the software backend is its engine thread, so its time is
 * the time that thread had a CPU; a host busy with other work preempts the
 * thread, and that time is nobody's engine time.  The engine clock of an
 * engine is CLOCK_MONOTONIC minus the time its thread spent preempted:
 * switched out while still runnable (preemption, cond_resched() yielding
 * to others).  A thread that sleeps of its own accord (waiting for the DMA
 * worker inside exec()) keeps its clock running: the engine is busy with
 * the command, as the manual says for guest-memory waits.
 *
 * Preempt notifiers, called by the scheduler on every switch of the
 * thread, keep the account; they exist where the kernel has
 * CONFIG_PREEMPT_NOTIFIERS (KVM selects it; Debian's kernels have it).
 * Without it the engine clock is CLOCK_MONOTONIC.
 *
 * A pause the host kernel does not see (a virtual machine whose vCPU its
 * own host stopped) looks like running time.  So the clock advances at
 * most MVGPU_ECLOCK_GAP_MAX_NS between two readings: the engine thread
 * reads it around every exec() call and a SPIN many times per call, so a
 * gap longer than that is such a stop, and the watchdog, the scheduler's
 * accounting and SPIN all leave it out alike (the manual, "SPIN").
 *
 * Locking: eng->preempted_ns, switched_out, eclock_last and eclock_gaps
 * belong to the engine's thread: its notifiers run in its context during its own context switch,
 * and it reads them with preemption disabled.
 */
#include <linux/preempt.h>
#include <linux/sched.h>

#include "eclock.h"
#include "pgpu.h"
#include "sched.h"

#ifdef CONFIG_PREEMPT_NOTIFIERS
static void mvgpu_eclock_sched_in(struct preempt_notifier *pn, int cpu)
{
	struct mvgpu_engine *eng = container_of(pn, struct mvgpu_engine, pn);

	if (eng->switched_out) {
		eng->preempted_ns += ktime_get_ns() - eng->switched_out;
		eng->switched_out = 0;
	}
}

static void mvgpu_eclock_sched_out(struct preempt_notifier *pn,
				   struct task_struct *next)
{
	struct mvgpu_engine *eng = container_of(pn, struct mvgpu_engine, pn);

	/* Still runnable: preempted, not sleeping. */
	eng->switched_out = task_is_running(current) ? ktime_get_ns() : 0;
}

static struct preempt_ops mvgpu_eclock_ops = {
	.sched_in = mvgpu_eclock_sched_in,
	.sched_out = mvgpu_eclock_sched_out,
};
#endif

/**
 * mvgpu_eclock_start() - start an engine's clock
 * @eng: the engine, from its own thread.
 */
void mvgpu_eclock_start(struct mvgpu_engine *eng)
{
	eng->preempted_ns = 0;
	eng->switched_out = 0;
	eng->eclock_gaps = 0;
	eng->eclock_last = ktime_get_ns();
#ifdef CONFIG_PREEMPT_NOTIFIERS
	preempt_notifier_inc();
	preempt_notifier_init(&eng->pn, &mvgpu_eclock_ops);
	preempt_disable();
	preempt_notifier_register(&eng->pn);
	preempt_enable();
#endif
}

/**
 * mvgpu_eclock_stop() - stop it, before the thread exits
 * @eng: the engine, from its own thread.
 */
void mvgpu_eclock_stop(struct mvgpu_engine *eng)
{
#ifdef CONFIG_PREEMPT_NOTIFIERS
	preempt_disable();
	preempt_notifier_unregister(&eng->pn);
	preempt_enable();
	preempt_notifier_dec();
#endif
}

/**
 * mvgpu_eclock_now() - the engine clock of @eng, in ns
 * @eng: the engine, from its own thread.
 *
 * Return: CLOCK_MONOTONIC minus the time the thread was preempted so far,
 * and minus what gaps between readings had beyond MVGPU_ECLOCK_GAP_MAX_NS.
 */
u64 mvgpu_eclock_now(struct mvgpu_engine *eng)
{
	u64 t;

	preempt_disable();
	t = ktime_get_ns() - eng->preempted_ns;
	if (t - eng->eclock_last > MVGPU_ECLOCK_GAP_MAX_NS)
		eng->eclock_gaps += t - eng->eclock_last -
				    MVGPU_ECLOCK_GAP_MAX_NS;
	eng->eclock_last = t;
	t -= eng->eclock_gaps;
	preempt_enable();
	return t;
}

/**
 * mvgpu_engine_time_ns() - an engine's clock, for its backend's exec()
 * @pgpu: the pGPU.
 * @engine: the engine exec() was called for.
 *
 * Context: only in exec(), on the engine's own thread.
 * Return: the engine clock (see eclock.c): differences of two readings
 * are engine time.
 */
u64 mvgpu_engine_time_ns(struct mvgpu_pgpu *pgpu, unsigned int engine)
{
	struct mvgpu_engine *eng;

	if (WARN_ON_ONCE(engine >= pgpu->nr_engines))
		return ktime_get_ns();
	eng = &pgpu->sched.engines[engine];
	if (WARN_ON_ONCE(current != eng->thread))
		return ktime_get_ns();
	return mvgpu_eclock_now(eng);
}
EXPORT_SYMBOL_GPL(mvgpu_engine_time_ns);
