/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvgpu core: internal structures shared by the files of mvgpu.ko.
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
#ifndef _MVGPU_H
#define _MVGPU_H

#include <linux/bitmap.h>
#include <linux/device.h>
#include <linux/hrtimer.h>
#include <linux/mdev.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/vfio.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <mvgpu/backend.h>
#include <uapi/linux/mvgpu.h>

#define MVGPU_NAME		"mvgpu"

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
/* The most one chunk counts towards the watchdog (queue.c). */
#define MVGPU_CHUNK_CHARGE_MAX_NS	(10 * NSEC_PER_MSEC)

extern unsigned int mvgpu_watchdog_ms;

/*
 * VFIO region offsets: the region index lives in bits 40 and up of the
 * file offset, as in vfio-pci, so a region may be up to 1 TiB.
 */
#define MVGPU_REGION_SHIFT	40
#define MVGPU_REGION_OFFSET(i)	((u64)(i) << MVGPU_REGION_SHIFT)
#define MVGPU_REGION_MASK	(MVGPU_REGION_OFFSET(1) - 1)

/**
 * enum mvgpu_profile_kind - how a profile gets its engine time
 * @MVGPU_PROFILE_TIMESLICED: shares the pGPU's engine pool by weight.
 * @MVGPU_PROFILE_PARTITIONED: owns dedicated engines; no other context
 *	ever runs on them.
 */
enum mvgpu_profile_kind {
	MVGPU_PROFILE_TIMESLICED,
	MVGPU_PROFILE_PARTITIONED,
};

/**
 * struct mvgpu_profile - one vGPU type of a pGPU
 * @mtype: the mdev core's view of the type.
 * @pgpu: the pGPU the type belongs to.
 * @sysfs_name: directory suffix, "ts-64m" or "part-1e-128m".
 * @pretty_name: the type's "name" attribute.
 * @id: profile number: PCI subsystem ID and MVGPU_REG_PROFILE bits 15:0.
 * @kind: time-sliced or partitioned.
 * @vram_units: VRAM slice in %MVGPU_VRAM_UNIT units, a power of two.
 * @engines: engines the vGPU owns (partitioned) or may use (time-sliced).
 */
struct mvgpu_profile {
	struct mdev_type mtype;
	struct mvgpu_pgpu *pgpu;
	char sysfs_name[24];
	char pretty_name[64];
	u16 id;
	enum mvgpu_profile_kind kind;
	unsigned int vram_units;
	unsigned int engines;
};

struct mvgpu_queue;
struct mvgpu_vgpu;

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
	char model[64];
	char pci_address[16];
	bool offline;
	struct list_head ctxs;
};

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

/* A range of IOVA page frame numbers, both ends included. */
struct mvgpu_dma_range {
	unsigned long first;
	unsigned long last;
};

/* Ranges one open session may revoke before its pin cache turns off. */
#define MVGPU_DMA_REVOKED_MAX	8

/**
 * struct mvgpu_dma_cache - a vGPU's pinned guest pages (see dma.c)
 * @vgpu: the vGPU.
 * @lock: protects every field below it; see dma.c.
 * @pages: IOVA pfn -> the pinned page backing it.
 * @nr_pinned: pages in @pages (sysfs mvgpu_stats/dma_pinned_pages).
 * @revoked: ranges the cache must not pin again in this session.
 * @nr_revoked: entries in @revoked.
 * @pin_off: the cache is off for this session (vfio_dma_rw() only).
 * @pins: pages pinned, ever (mvgpu_stats/dma_pins).
 * @unmaps: dma_unmap callbacks (mvgpu_stats/dma_unmaps).
 */
struct mvgpu_dma_cache {
	struct mvgpu_vgpu *vgpu;
	struct mutex lock;		/* see dma.c */
	struct xarray pages;
	u64 nr_pinned;
	struct mvgpu_dma_range revoked[MVGPU_DMA_REVOKED_MAX];
	unsigned int nr_revoked;
	bool pin_off;
	u64 pins;
	u64 unmaps;
};

/* State of a queue's DMA request (struct mvgpu_dma). */
enum mvgpu_dma_state {
	MVGPU_DMA_IDLE,		/* none */
	MVGPU_DMA_BUSY,		/* posted to the DMA worker */
	MVGPU_DMA_DONE,		/* finished, @ret not yet taken */
};

/**
 * struct mvgpu_dma - a queue's channel to guest memory (see dma.c)
 * @cache: its vGPU's pin cache.
 * @work: runs the request on the DMA workqueue.
 * @done_wq: the engine waits here for the worker.
 * @lock: protects @state and the request (@iova .. @ret).
 * @state: enum mvgpu_dma_state.
 * @iova: the request: guest address,
 * @buf: kernel buffer (VRAM),
 * @len: bytes,
 * @write: direction (true: to guest memory),
 * @ret: and its result, 0 or -EFAULT.
 *
 * The engine running the queue posts a request and waits briefly; the
 * worker may block (on the VFIO container, or on the VMM's memory) without
 * holding up the engine.  Quiesced by mvgpu_dma_quiesce() whenever the
 * queue is stopped.
 */
struct mvgpu_dma {
	struct mvgpu_dma_cache *cache;
	struct work_struct work;
	wait_queue_head_t done_wq;
	spinlock_t lock;		/* see above */
	enum mvgpu_dma_state state;
	u64 iova;
	void *buf;
	size_t len;
	bool write;
	int ret;
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

/**
 * struct mvgpu_stats - per-vGPU counters, always on
 * @doorbells: doorbell writes, each one a trap (vgpu->lock).
 * @irqs: device interrupts delivered (irq_lock).
 * @irqs_coalesced: device interrupts interrupt moderation held back and
 *	merged into a later one (irq_lock).
 * @errors: times the vGPU entered the error state (irq_lock).
 * @resets: device resets (vgpu->lock).
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
};

/**
 * struct mvgpu_irq - interrupt delivery state of a vGPU
 * @type: VFIO IRQ index in use for device interrupts (INTx or MSI), or
 *	VFIO_PCI_NUM_IRQS when none is configured.
 * @trigger: eventfd per VFIO IRQ index, NULL when not set.
 * @intx_masked: INTx masked through VFIO (AUTOMASKED semantics).
 * @intx_unmask: the eventfd that unmasks INTx when signalled, or NULL;
 *	owned by vfio_virqfd, which clears it under its own lock (also
 *	when the user closes the eventfd).  mvgpu enables and disables it
 *	with vgpu->lock held, only while INTx is enabled, and never reads
 *	it.
 * @level: the device interrupt as last evaluated: the INTx line, or the
 *	MSI edge detector's previous input.
 * @moderation: sends a device interrupt that interrupt moderation held
 *	back (irq.c); armed only while @deferred is set.
 * @tat: moderation's theoretical arrival time of the next device
 *	interrupt (CLOCK_MONOTONIC; see irq.c).
 * @deferred: a device interrupt is due and waits for @moderation.
 *
 * All fields but @intx_unmask are protected by vgpu->irq_lock;
 * @moderation's callback takes it, so the timer is never cancelled under
 * it.  @type and @trigger change with vgpu->lock held as well, so a
 * holder of either lock may read them.
 */
struct mvgpu_irq {
	unsigned int type;
	struct eventfd_ctx *trigger[VFIO_PCI_NUM_IRQS];
	bool intx_masked;
	struct virqfd *intx_unmask;
	bool level;
	struct hrtimer moderation;
	ktime_t tat;
	bool deferred;
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
 * @lock: see "Locking".
 * @cfg: emulated PCI configuration space.
 * @cfg_wmask: per-byte mask of guest-writable bits of @cfg.
 * @cfg_w1c: per-byte mask of write-1-to-clear bits of @cfg.
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
 * @stats: counters.
 * @host: a host-path client (host.c), not a VFIO device; only @vdev is
 *	unused then, and commands may not name guest memory.
 * @fence_wq: woken when a fence completes or the context fails.
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

	struct mutex lock;		/* see "Locking" above */
	u8 cfg[MVGPU_CFG_SIZE];
	u8 cfg_wmask[MVGPU_CFG_SIZE];
	u8 cfg_w1c[MVGPU_CFG_SIZE];
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
	struct mvgpu_stats stats;
	bool host;
	wait_queue_head_t fence_wq;
	struct list_head pgpu_node;
};

/* vgpu->vram_flags bits */
#define MVGPU_VRAM_DIRTY	0	/* the slice may hold non-zero data */
#define MVGPU_VRAM_MAPPED	1	/* a VFIO user may have it mapped */

static inline struct mvgpu_vgpu *vdev_to_vgpu(struct vfio_device *vdev)
{
	return container_of(vdev, struct mvgpu_vgpu, vdev);
}

static inline struct mvgpu_pgpu *mtype_to_pgpu(struct mdev_type *mtype)
{
	return container_of(mtype->parent, struct mvgpu_pgpu, parent);
}

static inline struct mvgpu_profile *mtype_to_profile(struct mdev_type *mtype)
{
	return container_of(mtype, struct mvgpu_profile, mtype);
}

/* main.c */
extern struct class mvgpu_class;
extern struct mdev_driver mvgpu_mdev_driver;

/* profile.c */
int mvgpu_profiles_init(struct mvgpu_pgpu *pgpu);
void mvgpu_profiles_fini(struct mvgpu_pgpu *pgpu);
unsigned int mvgpu_profile_available(struct mdev_type *mtype);
ssize_t mvgpu_profile_description(struct mdev_type *mtype, char *buf);
int mvgpu_resources_reserve(struct mvgpu_vgpu *vgpu);
void mvgpu_resources_release(struct mvgpu_vgpu *vgpu);

/* sysfs.c */
extern const struct attribute_group *mvgpu_pgpu_groups[];

/* online.c */
extern const struct attribute_group mvgpu_pgpu_online_group;
extern const struct attribute_group *mvgpu_vgpu_groups[];

/* vgpu.c */
extern const struct vfio_device_ops mvgpu_vfio_ops;
int mvgpu_ctx_init(struct mvgpu_vgpu *vgpu,
		   const struct mvgpu_profile *profile, bool host);
void mvgpu_ctx_fini(struct mvgpu_vgpu *vgpu);
void mvgpu_vgpu_reset(struct mvgpu_vgpu *vgpu);

/* queue.c */
void mvgpu_queues_init(struct mvgpu_vgpu *vgpu);
void mvgpu_queues_reset(struct mvgpu_vgpu *vgpu);
void mvgpu_queue_stats_sum(struct mvgpu_vgpu *vgpu,
			   struct mvgpu_queue_stats *sum);
u32 mvgpu_queue_read32(struct mvgpu_vgpu *vgpu, unsigned int reg);
void mvgpu_queue_write32(struct mvgpu_vgpu *vgpu, unsigned int reg, u32 val);

/* Why mvgpu_queue_run() gave its engine back. */
enum mvgpu_run_result {
	MVGPU_RUN_IDLE,		/* ring empty, doorbell armed */
	MVGPU_RUN_PREEMPT,	/* timeslice over and others wait */
	MVGPU_RUN_STOP,		/* stop requested or vGPU failed */
	MVGPU_RUN_CONTINUE,	/* (mvgpu_sched_check() only) keep going */
};

enum mvgpu_run_result mvgpu_queue_run(struct mvgpu_engine *eng,
				      struct mvgpu_queue *q, u64 slice_end);

/* sched.c */
int mvgpu_sched_init(struct mvgpu_pgpu *pgpu);
void mvgpu_sched_fini(struct mvgpu_pgpu *pgpu);
void mvgpu_sched_kick(struct mvgpu_queue *q);
void mvgpu_sched_stop(struct mvgpu_queue *q);
enum mvgpu_run_result mvgpu_sched_check(struct mvgpu_engine *eng,
					struct mvgpu_queue *q, u64 *slice_end);
void mvgpu_sched_set_owner(struct mvgpu_pgpu *pgpu, unsigned long engines,
			   struct mvgpu_vgpu *owner);

/* dma.c */
int mvgpu_dma_module_init(void);
void mvgpu_dma_module_exit(void);
void mvgpu_dma_init(struct mvgpu_vgpu *vgpu);
void mvgpu_dma_quiesce(struct mvgpu_queue *q);
void mvgpu_dma_flush(struct mvgpu_vgpu *vgpu);
void mvgpu_dma_close(struct mvgpu_vgpu *vgpu);
void mvgpu_dma_fini(struct mvgpu_vgpu *vgpu);
void mvgpu_dma_unmap(struct vfio_device *vdev, u64 iova, u64 length);

/* host.c */
int mvgpu_host_register(struct mvgpu_pgpu *pgpu);
void mvgpu_host_unregister(struct mvgpu_pgpu *pgpu);

/* vfio_ops.c */
long mvgpu_vfio_ioctl(struct vfio_device *vdev, unsigned int cmd,
		      unsigned long arg);
ssize_t mvgpu_vfio_read(struct vfio_device *vdev, char __user *buf,
			size_t count, loff_t *ppos);
ssize_t mvgpu_vfio_write(struct vfio_device *vdev, const char __user *buf,
			 size_t count, loff_t *ppos);
int mvgpu_vfio_mmap(struct vfio_device *vdev, struct vm_area_struct *vma);
int mvgpu_region_info(struct mvgpu_vgpu *vgpu, struct vfio_region_info *info);

/* cfg.c */
void mvgpu_cfg_init(struct mvgpu_vgpu *vgpu);
void mvgpu_cfg_read(struct mvgpu_vgpu *vgpu, unsigned int off, u8 *buf,
		    unsigned int len);
void mvgpu_cfg_write(struct mvgpu_vgpu *vgpu, unsigned int off,
		     const u8 *buf, unsigned int len);
u16 mvgpu_cfg_command(struct mvgpu_vgpu *vgpu);

/* mmio.c */
void mvgpu_mmio_reset(struct mvgpu_vgpu *vgpu);
u32 mvgpu_mmio_read32(struct mvgpu_vgpu *vgpu, unsigned int reg);
void mvgpu_mmio_write32(struct mvgpu_vgpu *vgpu, unsigned int reg, u32 val);

/* irq.c */
int mvgpu_irq_info(struct mvgpu_vgpu *vgpu, struct vfio_irq_info *info);
int mvgpu_irq_set(struct mvgpu_vgpu *vgpu, struct vfio_irq_set *hdr,
		  void *data);
void mvgpu_irq_update(struct mvgpu_vgpu *vgpu);
void mvgpu_irq_init(struct mvgpu_vgpu *vgpu);
void mvgpu_irq_reset(struct mvgpu_vgpu *vgpu);
void mvgpu_irq_raise(struct mvgpu_vgpu *vgpu, u32 bits);
u32 mvgpu_irq_reg_read(struct mvgpu_vgpu *vgpu, unsigned int reg);
void mvgpu_irq_reg_write(struct mvgpu_vgpu *vgpu, unsigned int reg, u32 val);
bool mvgpu_irq_intx_status(struct mvgpu_vgpu *vgpu);
void mvgpu_vgpu_fail(struct mvgpu_vgpu *vgpu, u32 error, u32 info);
void mvgpu_vgpu_clear_error(struct mvgpu_vgpu *vgpu);
void mvgpu_irq_request(struct vfio_device *vdev, unsigned int count);
void mvgpu_irq_teardown(struct mvgpu_vgpu *vgpu);

/* vram.c */
int mvgpu_vram_rw(struct mvgpu_vgpu *vgpu, char __user *ubuf, size_t count,
		  u64 off, bool write);
int mvgpu_vram_mmap(struct mvgpu_vgpu *vgpu, struct vm_area_struct *vma,
		    u64 off);
void mvgpu_vram_clear(struct mvgpu_vgpu *vgpu);
void mvgpu_vram_unmapped(struct mvgpu_vgpu *vgpu);

#endif /* _MVGPU_H */
