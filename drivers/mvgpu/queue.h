/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvgpu core: a vGPU's command queues: registers, ring, commands (queue.c).
 */
#ifndef _MVGPU_QUEUE_H
#define _MVGPU_QUEUE_H

#include <linux/list.h>
#include <linux/time64.h>
#include <linux/types.h>

#include <mvgpu/backend.h>

#include "dma.h"
#include "sched.h"

struct mvgpu_vgpu;

/* The most one chunk counts towards the watchdog (queue.c). */
#define MVGPU_CHUNK_CHARGE_MAX_NS	(10 * NSEC_PER_MSEC)

/**
 * struct mvgpu_queue_stats - per-queue counters, summed per vGPU in sysfs
 * @commands: commands completed.
 * @fences: fences completed.
 * @runs: times an engine picked the queue (context switches to it).
 * @preemptions: times it lost an engine with work left.
 * @busy_ns: engine time it used.
 * @submissions: commands taken off the ring.
 * @wait_ns: time spent runnable, waiting for an engine.
 * @wait_max_ns: the longest such wait.
 */
struct mvgpu_queue_stats {
	u64 commands;
	u64 fences;
	u64 runs;
	u64 preemptions;
	u64 busy_ns;
	u64 submissions;
	u64 wait_ns;
	u64 wait_max_ns;
};

/* Queue scheduling states (mvgpu_queue.state). */
enum mvgpu_queue_state {
	MVGPU_Q_IDLE,		/* no work known, on no list */
	MVGPU_Q_RUNNABLE,	/* on sched.runnable */
	MVGPU_Q_RUNNING,	/* an engine runs it */
};

/**
 * struct mvgpu_queue - one command queue of a vGPU, the unit of scheduling
 * @vgpu: its vGPU.
 * @index: queue number.
 * @ring: VRAM offset of the ring in the slice (MVGPU_QREG_RING_*).
 * @ring_size: ring bytes.
 * @qsa: VRAM offset of the queue shared area in the slice.
 * @enabled: MVGPU_QCTL_ENABLE.
 * @head: next command offset (engine; read locklessly by MMIO).
 * @tail: qsa.tail as last read and checked (engine).
 * @armed: qsa.doorbell_needed is 1 (engine).
 * @fence: last completed fence (engine; read locklessly by MMIO).
 * @cmd_offset: ring offset of the command in @op.
 * @op: the command being executed, valid while @op_active.
 * @op_active: an op is in progress (possibly preempted).
 * @state: enum mvgpu_queue_state (sched.lock).
 * @node: link in sched.runnable (sched.lock).
 * @kicked: a doorbell arrived while the queue ran (sched.lock).
 * @stopping: mvgpu_queue_stop() wants it off its engine (sched.lock).
 * @runnable_since: when it last became runnable (sched.lock).
 * @run_start: the current run's engine time is accounted up to here
 *	(sched.lock).
 * @charged_at: engine time up to here is charged to the cap (sched.lock).
 * @slice_left: the rest of the timeslice a wakeup preempted, for the
 *	queue's next run; 0 for a full one (sched.lock).
 * @op_ns: engine time the command in @op has used so far (engine).
 * @dma: the queue's guest-memory channel.
 * @stats: counters: the engine running the queue updates the command
 *	counters, sched.lock holders the scheduling ones.
 *
 * Registers change only under vgpu->lock and only while the queue is
 * stopped; the execution fields belong to the engine that runs the queue,
 * or to vgpu->lock holders while it is stopped.
 */
struct mvgpu_queue {
	struct mvgpu_vgpu *vgpu;
	unsigned int index;
	u64 ring;
	u32 ring_size;
	u64 qsa;
	bool enabled;

	u32 head;
	u32 tail;
	bool armed;
	u64 fence;
	u32 cmd_offset;
	struct mvgpu_op op;
	bool op_active;

	enum mvgpu_queue_state state;
	struct list_head node;
	bool kicked;
	bool stopping;
	u64 runnable_since;
	u64 run_start;
	u64 charged_at;
	u64 slice_left;
	u64 op_ns;
	struct mvgpu_dma dma;
	struct mvgpu_queue_stats stats;
};

void mvgpu_queues_init(struct mvgpu_vgpu *vgpu);
void mvgpu_queues_reset(struct mvgpu_vgpu *vgpu);
void mvgpu_queue_stats_sum(struct mvgpu_vgpu *vgpu,
			   struct mvgpu_queue_stats *sum);
u32 mvgpu_queue_read32(struct mvgpu_vgpu *vgpu, unsigned int reg);
void mvgpu_queue_write32(struct mvgpu_vgpu *vgpu, unsigned int reg, u32 val);

enum mvgpu_run_result mvgpu_queue_run(struct mvgpu_engine *eng,
				      struct mvgpu_queue *q, u64 slice_end);

#endif /* _MVGPU_QUEUE_H */
