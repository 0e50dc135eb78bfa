// SPDX-License-Identifier: GPL-2.0
/*
 * storm_test - guests that ask for interrupts or ring doorbells as fast as
 * they can (reliability class B4, test 8).
 *
 * Interrupt storms (IRQ_RAISE + IRQ_STATUS loops, a stream of FENCE + IRQ
 * commands with a handler clearing as fast as it can, INTx unmask loops)
 * must be held to the moderation rate of section 6 of
 * Documentation/mvgpu-device.rst: over t seconds at most
 * BURST + t / irq_moderation_us messages, each one counted in
 * mvgpu_stats/irqs, and no event lost: after the storm the status bits
 * are set and a message arrives.  A doorbell storm on one vGPU must wake no
 * engine (its queue has no work) and leave a second vGPU's work correct;
 * the victim's latency with and without the storm is reported, not
 * asserted (wall-clock numbers under TCG are noise).  Each test ends by
 * closing a device while a deferred interrupt is pending; run-vm.sh fails
 * the run on any splat that leaves in the kernel log.
 *
 * The tests change the mvgpu module parameter irq_moderation_us and put
 * the old value back.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mvgpu_test.h"

#define MODERATION_PARAM "/sys/module/mvgpu/parameters/irq_moderation_us"
#define BURST		8	/* MVGPU_IRQ_BURST: the manual, section 6 */
#define MAX_US		10000	/* the parameter's upper bound */
#define STORM_US	1000	/* interval of the bounded-count storms */
#define STORM_MS	1000	/* length of one storm */
#define MSI		VFIO_PCI_MSI_IRQ_INDEX
#define INTX		VFIO_PCI_INTX_IRQ_INDEX
#define SOFT		MVGPU_IRQ_SOFT
#define FENCE		MVGPU_IRQ_FENCE
#define REG_DOORBELL(q)	(MVGPU_QUEUE_BASE(q) + MVGPU_QREG_DOORBELL)

/* One of the vGPU's mvgpu_stats counters. */
#define vgpu_stat(uuid, name) mvgpu_vgpu_u64(uuid, "mvgpu_stats/" name)

static int set_moderation(unsigned int us)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", us);
	return sysfs_write_str(MODERATION_PARAM, buf);
}

/* Most messages moderation lets through in @ns at @us per message. */
static uint64_t irq_bound(uint64_t ns, unsigned int us)
{
	return BURST + ns / (us * 1000ull) + 1;
}

/* ---------------------------------------------------------------------- */
/* Storm threads                                                           */
/* ---------------------------------------------------------------------- */

enum storm_kind {
	STORM_SOFT,		/* IRQ_RAISE SOFT, then clear it */
	STORM_CLEAR,		/* clear IRQ_STATUS.FENCE (a busy handler) */
	STORM_UNMASK,		/* VFIO_DEVICE_SET_IRQS INTx UNMASK */
	STORM_DOORBELL,		/* ->active: see enum storm_arm */
};

/* What a STORM_DOORBELL thread does meanwhile. */
enum storm_arm {
	ARM_IDLE,		/* sleep */
	ARM_DOORBELL,		/* ring queue 0's doorbell */
	ARM_CONTROL,		/* burn CPU in syscalls that skip mvgpu */
	NR_ARMS,
};

struct storm {
	enum storm_kind kind;
	int fd;
	int stop;		/* __atomic */
	int active;		/* __atomic; STORM_DOORBELL: enum storm_arm */
	uint64_t ops;		/* __atomic */
	uint64_t control_ops;	/* ARM_CONTROL syscalls */
	uint64_t sys_ns;	/* the thread's system time, when stopped */
	int err;
	pthread_t thread;
};

static void *storm_fn(void *arg)
{
	struct storm *s = arg;
	struct rusage ru;
	int ret = 0;

	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
		switch (s->kind) {
		case STORM_SOFT:
			ret = vfio_mmio_write32(s->fd, MVGPU_REG_IRQ_RAISE, SOFT);
			ret = ret ?: vfio_mmio_write32(s->fd,
						       MVGPU_REG_IRQ_STATUS,
						       SOFT);
			break;
		case STORM_CLEAR:
			ret = vfio_mmio_write32(s->fd, MVGPU_REG_IRQ_STATUS,
						FENCE);
			break;
		case STORM_UNMASK:
			ret = vfio_set_irq_action(s->fd, INTX,
						  VFIO_IRQ_SET_ACTION_UNMASK);
			break;
		case STORM_DOORBELL:
			switch (__atomic_load_n(&s->active, __ATOMIC_RELAXED)) {
			case ARM_IDLE:
				usleep(200);
				continue;
			case ARM_CONTROL:
				syscall(SYS_getppid);
				s->control_ops++;
				continue;
			}
			ret = vfio_mmio_write32(s->fd, REG_DOORBELL(0), 1);
			break;
		}
		if (ret) {
			s->err = ret;
			break;
		}
		__atomic_add_fetch(&s->ops, 1, __ATOMIC_RELAXED);
	}
	if (!getrusage(RUSAGE_THREAD, &ru))
		s->sys_ns = ru.ru_stime.tv_sec * 1000000000ull +
			    ru.ru_stime.tv_usec * 1000ull;
	return NULL;
}

static int storm_start(struct storm *s, enum storm_kind kind, int fd)
{
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->fd = fd;
	return pthread_create(&s->thread, NULL, storm_fn, s);
}

static void storm_stop(struct storm *s)
{
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELAXED);
	pthread_join(s->thread, NULL);
}

/*
 * The end of an interrupt storm: stop the thread, wait two moderation
 * intervals of US microseconds (and 20 ms) so that a deferred message
 * goes out, and return how many messages the eventfd EFD counted since
 * it was last read.  *T1 is when the wait ended.
 */
static uint64_t storm_drain(struct __test_metadata *_metadata,
			    struct storm *s, int efd, unsigned int us,
			    uint64_t *t1)
{
	storm_stop(s);
	ASSERT_EQ(0, s->err);
	usleep(2 * us + 20000);
	*t1 = mvgpu_now_ns();
	return eventfd_wait(efd, 0);
}

/* ---------------------------------------------------------------------- */
/* Fixture: a vGPU opened for submission, optionally a victim              */
/* ---------------------------------------------------------------------- */

FIXTURE(storm) {
	char uuid[MVGPU_UUID_LEN], vuuid[MVGPU_UUID_LEN];
	struct mvgpu_ctx c, v;
	bool c_open, v_open;
	char saved[32];		/* irq_moderation_us before the test */
	int efd;
	int fd;			/* c.vd.device */
};

FIXTURE_SETUP(storm)
{
	int ret;

	self->efd = -1;
	MVGPU_HOST_CHECK(false);
	if (geteuid())
		SKIP(return, "needs root");
	ret = mvgpu_load(NULL);
	if (ret == -ENOENT)
		SKIP(return, "no mvgpu modules in $MVGPU_MODDIR");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, sysfs_read_str(MODERATION_PARAM, self->saved,
				    sizeof(self->saved)))
		TH_LOG("mvgpu has no irq_moderation_us parameter");
	mvgpu_uuid_gen(self->uuid);
	ret = mdev_create("mvgpu-ts-32m", self->uuid);
	if (ret == -ENOSPC) {
		mdev_remove_all();
		ret = mdev_create("mvgpu-ts-32m", self->uuid);
	}
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, mvgpu_ctx_open(self->uuid, &self->c));
	self->c_open = true;
	self->fd = self->c.vd.device;
	self->efd = eventfd_new();
	ASSERT_LE(0, self->efd);
}

FIXTURE_TEARDOWN(storm)
{
	if (self->c_open)
		mvgpu_ctx_close(&self->c);
	if (self->v_open)
		mvgpu_ctx_close(&self->v);
	if (self->efd >= 0)
		close(self->efd);
	if (self->saved[0])
		EXPECT_EQ(0, sysfs_write_str(MODERATION_PARAM, self->saved));
	if (self->uuid[0] && mdev_exists(self->uuid))
		EXPECT_EQ(0, mdev_remove(self->uuid));
	if (self->vuuid[0] && mdev_exists(self->vuuid))
		EXPECT_EQ(0, mdev_remove(self->vuuid));
}

static void mmio_wr(struct __test_metadata *_metadata, int fd,
		    unsigned int reg, uint32_t val)
{
	ASSERT_EQ(0, vfio_mmio_write32(fd, reg, val)) TH_LOG("reg 0x%x", reg);
}

static uint32_t mmio_rd(struct __test_metadata *_metadata, int fd,
			unsigned int reg)
{
	uint32_t val = 0;

	EXPECT_EQ(0, vfio_mmio_read32(fd, reg, &val)) TH_LOG("reg 0x%x", reg);
	return val;
}

/*
 * With the moderation budget full (the interval at its maximum and the
 * device quiet for longer than a burst takes to refill), send 12 SOFT
 * edges back to back (the last one left set): BURST go out, the next is
 * deferred to one interval after the first.  Returns true if all of it
 * took less than that interval, so a deferred message is surely pending.
 */
static bool defer_one(struct __test_metadata *_metadata, int fd,
		      uint64_t *t_first)
{
	int i;

	EXPECT_EQ(0, set_moderation(MAX_US));
	usleep((BURST + 2) * MAX_US);
	mmio_wr(_metadata, fd, MVGPU_REG_IRQ_STATUS, MVGPU_IRQ_ALL);
	*t_first = mvgpu_now_ns();
	for (i = 0; i < 12; i++) {
		mmio_wr(_metadata, fd, MVGPU_REG_IRQ_RAISE, SOFT);
		if (i < 11)
			mmio_wr(_metadata, fd, MVGPU_REG_IRQ_STATUS, SOFT);
	}
	return mvgpu_now_ns() - *t_first < MAX_US * 1000ull;
}

/*
 * The end of every storm: close the device with a deferred MSI message
 * pending, and remove the vGPU at once.  The close must cancel the timer:
 * one that fired later would touch a freed vGPU or a released eventfd.
 */
static void close_deferred(struct __test_metadata *_metadata,
			   struct mvgpu_ctx *c, bool *open, const char *uuid)
{
	uint64_t t_first, t_close;
	bool sure;

	/* Unmap first: the mapping holds the device open, and is slow to go. */
	munmap(c->vram, c->vram_size);
	c->vram = NULL;
	mmio_wr(_metadata, c->vd.device, MVGPU_REG_IRQ_MASK, SOFT);
	sure = defer_one(_metadata, c->vd.device, &t_first);
	/* The release tears interrupts down first, before the slow parts. */
	t_close = mvgpu_now_ns() - t_first;
	mvgpu_ctx_close(c);
	*open = false;
	EXPECT_EQ(0, mdev_remove(uuid));
	TH_LOG("closed %s a deferred interrupt was pending; removed %.1f ms after it was deferred",
	       sure && t_close < MAX_US * 1000ull ? "while" :
	       "(TCG too slow to be sure)", (mvgpu_now_ns() - t_first) / 1e6);
	usleep(3 * MAX_US);
}

/* ---------------------------------------------------------------------- */
/* Interrupt storms                                                        */
/* ---------------------------------------------------------------------- */

/*
 * IRQ_RAISE + IRQ_STATUS as fast as one thread can, with MSI on: at the
 * default interval and at STORM_US.  Messages stay within the bound, each
 * is counted, and the event after the storm still arrives.
 */
TEST_F(storm, soft_irq_storm)
{
	unsigned int intervals[2] = { atoi(self->saved), STORM_US };
	unsigned int i, us;
	uint64_t t0, t1, n, irqs, co;
	struct storm s;

	ASSERT_EQ(0, vfio_set_irq_eventfd(self->fd, MSI, self->efd));
	mmio_wr(_metadata, self->fd, MVGPU_REG_IRQ_MASK, SOFT);
	for (i = 0; i < 2; i++) {
		us = intervals[i];
		if (!us)
			continue;	/* moderation off by the admin */
		ASSERT_EQ(0, set_moderation(us));
		eventfd_wait(self->efd, 0);
		irqs = vgpu_stat(self->uuid, "irqs");
		co = vgpu_stat(self->uuid, "irqs_coalesced");

		t0 = mvgpu_now_ns();
		ASSERT_EQ(0, storm_start(&s, STORM_SOFT, self->fd));
		usleep(STORM_MS * 1000);
		n = storm_drain(_metadata, &s, self->efd, us, &t1);
		irqs = vgpu_stat(self->uuid, "irqs") - irqs;
		co = vgpu_stat(self->uuid, "irqs_coalesced") - co;

		TH_LOG("%u us: %llu edges (%.1f us system time each) in %.2f s",
		       us, (unsigned long long)s.ops,
		       s.ops ? s.sys_ns / 1e3 / s.ops : 0, (t1 - t0) / 1e9);
		TH_LOG("%u us: %llu messages (bound %llu), %llu coalesced", us,
		       (unsigned long long)n,
		       (unsigned long long)irq_bound(t1 - t0, us),
		       (unsigned long long)co);
		EXPECT_LE(n, irq_bound(t1 - t0, us));
		EXPECT_EQ(irqs, n);
		EXPECT_LE(1, n);
		if (s.ops > 2 * irq_bound(t1 - t0, us))
			EXPECT_LT(0, co);

		/* The storm left the status clear: the next event is seen. */
		mmio_wr(_metadata, self->fd, MVGPU_REG_IRQ_RAISE, SOFT);
		EXPECT_LE(1, eventfd_wait(self->efd, 1000));
		EXPECT_EQ(SOFT, mmio_rd(_metadata, self->fd,
					MVGPU_REG_IRQ_STATUS));
		mmio_wr(_metadata, self->fd, MVGPU_REG_IRQ_STATUS, SOFT);
	}
	close_deferred(_metadata, &self->c, &self->c_open, self->uuid);
}

/*
 * The rules of a deferred message, at the largest interval: a burst goes
 * out, the next edge is deferred and later edges merge into it; it arrives
 * with the status still set.  A driver that clears the status before the
 * deferred message is due has seen the events and gets no message.  A
 * reset drops a deferred message with the status it would report.
 */
TEST_F(storm, deferred_not_lost)
{
	uint64_t irqs, t_first;
	bool sure;

	ASSERT_EQ(0, vfio_set_irq_eventfd(self->fd, MSI, self->efd));
	mmio_wr(_metadata, self->fd, MVGPU_REG_IRQ_MASK, SOFT);

	/* Deferred and delivered. */
	irqs = vgpu_stat(self->uuid, "irqs");
	sure = defer_one(_metadata, self->fd, &t_first);
	usleep(3 * MAX_US);
	EXPECT_EQ(SOFT, mmio_rd(_metadata, self->fd, MVGPU_REG_IRQ_STATUS));
	if (sure) {
		EXPECT_EQ(BURST + 1, eventfd_wait(self->efd, 1000));
		EXPECT_EQ(BURST + 1, vgpu_stat(self->uuid, "irqs") - irqs);
	} else {
		TH_LOG("TCG too slow for exact counts");
		EXPECT_LE(1, eventfd_wait(self->efd, 1000));
	}

	/* Deferred, then made moot by the driver clearing the status. */
	irqs = vgpu_stat(self->uuid, "irqs");
	sure = defer_one(_metadata, self->fd, &t_first);
	mmio_wr(_metadata, self->fd, MVGPU_REG_IRQ_STATUS, SOFT);
	sure = sure && mvgpu_now_ns() - t_first < MAX_US * 1000ull;
	usleep(3 * MAX_US);
	if (sure) {
		EXPECT_EQ(BURST, eventfd_wait(self->efd, 1000));
		EXPECT_EQ(BURST, vgpu_stat(self->uuid, "irqs") - irqs);
	} else {
		eventfd_wait(self->efd, 1000);
	}

	/* Deferred, then reset. */
	irqs = vgpu_stat(self->uuid, "irqs");
	sure = defer_one(_metadata, self->fd, &t_first);
	ASSERT_EQ(0, ioctl(self->fd, VFIO_DEVICE_RESET));
	sure = sure && mvgpu_now_ns() - t_first < MAX_US * 1000ull;
	usleep(3 * MAX_US);
	EXPECT_EQ(0U, mmio_rd(_metadata, self->fd, MVGPU_REG_IRQ_STATUS));
	if (sure) {
		EXPECT_EQ(BURST, eventfd_wait(self->efd, 1000));
		EXPECT_EQ(BURST, vgpu_stat(self->uuid, "irqs") - irqs);
	}
	/* The eventfd survives the reset (section 8); Bus Master does not. */
	ASSERT_EQ(0, vfio_bus_master(self->fd, true));
	ASSERT_EQ(0, set_moderation(STORM_US));
	mmio_wr(_metadata, self->fd, MVGPU_REG_IRQ_MASK, SOFT);
	mmio_wr(_metadata, self->fd, MVGPU_REG_IRQ_RAISE, SOFT);
	EXPECT_LE(1, eventfd_wait(self->efd, 1000));
	close_deferred(_metadata, &self->c, &self->c_open, self->uuid);
}

/* A ring of FENCE + IRQ commands while the handler clears as fast as it can. */
TEST_F(storm, fence_irq_storm)
{
	enum { NR = 32768, CHUNK = 512 };
	struct mvgpu_qsa *qsa = mvgpu_ctx_qsa(&self->c);
	struct mvgpu_cmd cmds[CHUNK];
	uint64_t t0, t1, n, irqs, fences, seq;
	unsigned int i, j;
	struct storm s;

	ASSERT_EQ(0, set_moderation(STORM_US));
	ASSERT_EQ(0, vfio_set_irq_eventfd(self->fd, MSI, self->efd));
	mmio_wr(_metadata, self->fd, MVGPU_REG_IRQ_MASK, FENCE);
	__atomic_store_n(&qsa->irq_wanted, 1, __ATOMIC_SEQ_CST);
	irqs = vgpu_stat(self->uuid, "irqs");
	fences = vgpu_stat(self->uuid, "fences");

	t0 = mvgpu_now_ns();
	ASSERT_EQ(0, storm_start(&s, STORM_CLEAR, self->fd));
	for (i = 0; i < NR; i += CHUNK) {
		for (j = 0; j < CHUNK; j++)
			cmds[j] = (struct mvgpu_cmd){
				.opcode = MVGPU_OP_FENCE,
				.flags = MVGPU_CMD_F_IRQ,
				.args = { ++self->c.seq },
			};
		ASSERT_EQ(0, mvgpu_ctx_submit(&self->c, cmds, CHUNK));
	}
	EXPECT_EQ(0, mvgpu_ctx_wait(&self->c, self->c.seq, 30000));
	n = storm_drain(_metadata, &s, self->efd, STORM_US, &t1);
	irqs = vgpu_stat(self->uuid, "irqs") - irqs;

	TH_LOG("%u fences in %.2f s, %llu status clears: %llu messages (bound %llu)",
	       NR, (t1 - t0) / 1e9, (unsigned long long)s.ops,
	       (unsigned long long)n,
	       (unsigned long long)irq_bound(t1 - t0, STORM_US));
	EXPECT_LE(n, irq_bound(t1 - t0, STORM_US));
	EXPECT_EQ(irqs, n);
	EXPECT_EQ(NR, vgpu_stat(self->uuid, "fences") - fences);
	EXPECT_EQ(self->c.seq, __atomic_load_n(&qsa->fence, __ATOMIC_ACQUIRE));

	/* The next fence after the storm is signalled and its bit is set. */
	mmio_wr(_metadata, self->fd, MVGPU_REG_IRQ_STATUS, FENCE);
	seq = mvgpu_ctx_fence(&self->c, MVGPU_CMD_F_IRQ);
	ASSERT_NE(0, seq);
	EXPECT_EQ(0, mvgpu_ctx_wait(&self->c, seq, 10000));
	EXPECT_LE(1, eventfd_wait(self->efd, 1000));
	EXPECT_EQ(FENCE, mmio_rd(_metadata, self->fd, MVGPU_REG_IRQ_STATUS));
	close_deferred(_metadata, &self->c, &self->c_open, self->uuid);
}

/* An asserted INTx line and a VFIO user unmasking it in a loop. */
TEST_F(storm, intx_unmask_storm)
{
	uint64_t t0, t1, n, irqs, t_first;
	struct storm s;
	int i;

	ASSERT_EQ(0, set_moderation(STORM_US));
	ASSERT_EQ(0, vfio_set_irq_eventfd(self->fd, INTX, self->efd));
	mmio_wr(_metadata, self->fd, MVGPU_REG_IRQ_MASK, SOFT);
	irqs = vgpu_stat(self->uuid, "irqs");

	t0 = mvgpu_now_ns();
	mmio_wr(_metadata, self->fd, MVGPU_REG_IRQ_RAISE, SOFT);
	ASSERT_EQ(0, storm_start(&s, STORM_UNMASK, self->fd));
	usleep(STORM_MS * 1000);
	n = storm_drain(_metadata, &s, self->efd, STORM_US, &t1);
	irqs = vgpu_stat(self->uuid, "irqs") - irqs;

	TH_LOG("%llu unmasks in %.2f s: %llu assertions (bound %llu)",
	       (unsigned long long)s.ops, (t1 - t0) / 1e9,
	       (unsigned long long)n,
	       (unsigned long long)irq_bound(t1 - t0, STORM_US));
	EXPECT_LE(n, irq_bound(t1 - t0, STORM_US));
	EXPECT_EQ(irqs, n);
	EXPECT_LE(1, n);

	/* The line is still up: the next unmask (EOI) signals again. */
	EXPECT_EQ(SOFT, mmio_rd(_metadata, self->fd, MVGPU_REG_IRQ_STATUS));
	ASSERT_EQ(0, vfio_set_irq_action(self->fd, INTX,
					 VFIO_IRQ_SET_ACTION_UNMASK));
	EXPECT_LE(1, eventfd_wait(self->efd, 1000));

	/* Close with a deferred INTx assertion pending. */
	munmap(self->c.vram, self->c.vram_size);
	self->c.vram = NULL;
	ASSERT_EQ(0, set_moderation(MAX_US));
	usleep((BURST + 2) * MAX_US);
	t_first = mvgpu_now_ns();
	for (i = 0; i < 12; i++)
		ASSERT_EQ(0, vfio_set_irq_action(self->fd, INTX,
						 VFIO_IRQ_SET_ACTION_UNMASK));
	t_first = mvgpu_now_ns() - t_first;
	mvgpu_ctx_close(&self->c);
	self->c_open = false;
	EXPECT_EQ(0, mdev_remove(self->uuid));
	TH_LOG("closed %s a deferred INTx assertion was pending",
	       t_first < MAX_US * 1000ull ? "while" :
	       "(TCG too slow to be sure)");
	usleep(3 * MAX_US);
}

/* ---------------------------------------------------------------------- */
/* Doorbell storm                                                          */
/* ---------------------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * One vGPU rings its empty queue's doorbell as fast as it can; a victim
 * vGPU fills and copies 1 MiB each round and checks the bytes.  The
 * stormer's queue never has work, so its doorbells must not make an engine
 * pick it; the victim's results are always right.  The rounds cycle
 * through three arms: the stormer idle, ringing, and burning as much CPU
 * in plain syscalls (the control: under TCG the VM's two vCPUs share one
 * host thread, so any busy thread slows the victim).  The victim's median
 * latency per arm is reported, not asserted.
 */
TEST_F(storm, doorbell_storm_victim)
{
	enum { PER_ARM = 14, ROUNDS = NR_ARMS * PER_ARM, LEN = 1 << 20 };
	static const char * const arm_name[NR_ARMS] = {
		"alone", "doorbell storm", "CPU control",
	};
	uint64_t lat[NR_ARMS][PER_ARM], p50[NR_ARMS];
	uint64_t t0, bells, runs, done, seq;
	unsigned int r, k, bad, arm;
	struct storm s;
	uint32_t *dst;

	mvgpu_uuid_gen(self->vuuid);
	ASSERT_EQ(0, mdev_create("mvgpu-ts-32m", self->vuuid));
	ASSERT_EQ(0, mvgpu_ctx_open(self->vuuid, &self->v));
	self->v_open = true;
	dst = (uint32_t *)(self->v.vram + 2 * LEN);

	bells = vgpu_stat(self->uuid, "doorbells");
	runs = vgpu_stat(self->uuid, "context_switches");
	done = vgpu_stat(self->vuuid, "completions");
	ASSERT_EQ(0, storm_start(&s, STORM_DOORBELL, self->fd));

	for (r = 0; r < ROUNDS; r++) {
		uint32_t pat = 0x9e3779b9u * (r + 1);
		struct mvgpu_cmd cmds[2] = {
			{ .opcode = MVGPU_OP_FILL, .args = { 0, LEN, pat } },
			{ .opcode = MVGPU_OP_COPY, .args = { 2 * LEN, 0, LEN } },
		};

		arm = r % NR_ARMS;
		__atomic_store_n(&s.active, arm, __ATOMIC_RELAXED);
		usleep(2000);	/* let the stormer switch arms */
		t0 = mvgpu_now_ns();
		ASSERT_EQ(0, mvgpu_ctx_submit(&self->v, cmds, 2));
		seq = mvgpu_ctx_fence(&self->v, 0);
		ASSERT_NE(0, seq);
		ASSERT_EQ(0, mvgpu_ctx_wait(&self->v, seq, 30000));
		lat[arm][r / NR_ARMS] = mvgpu_now_ns() - t0;

		for (k = 0, bad = 0; k < LEN / 4; k++)
			bad += dst[k] != pat;
		ASSERT_EQ(0, bad) TH_LOG("round %u: %u words wrong", r, bad);
	}
	storm_stop(&s);
	ASSERT_EQ(0, s.err);

	bells = vgpu_stat(self->uuid, "doorbells") - bells;
	runs = vgpu_stat(self->uuid, "context_switches") - runs;
	done = vgpu_stat(self->vuuid, "completions") - done;
	TH_LOG("stormer: %llu doorbells, %llu engine picks, %llu control syscalls",
	       (unsigned long long)bells, (unsigned long long)runs,
	       (unsigned long long)s.control_ops);
	for (arm = 0; arm < NR_ARMS; arm++) {
		qsort(lat[arm], PER_ARM, sizeof(lat[arm][0]), cmp_u64);
		p50[arm] = lat[arm][PER_ARM / 2];
		TH_LOG("victim p50 %s: %.2f ms", arm_name[arm], p50[arm] / 1e6);
	}
	TH_LOG("victim p50 ratio (TCG): storm/alone %.2f, storm/control %.2f",
	       (double)p50[ARM_DOORBELL] / p50[ARM_IDLE],
	       (double)p50[ARM_DOORBELL] / p50[ARM_CONTROL]);
	EXPECT_EQ(s.ops, bells);
	EXPECT_LT(0, bells);
	/* A doorbell on an empty ring wakes nothing. */
	EXPECT_EQ(0, runs);
	EXPECT_EQ(3 * ROUNDS, done);

	/* The stormer's queue still works. */
	seq = mvgpu_ctx_fence(&self->c, 0);
	ASSERT_NE(0, seq);
	EXPECT_EQ(0, mvgpu_ctx_wait(&self->c, seq, 10000));

	ASSERT_EQ(0, vfio_set_irq_eventfd(self->fd, MSI, self->efd));
	close_deferred(_metadata, &self->c, &self->c_open, self->uuid);
}

int main(int argc, char **argv)
{
	mvgpu_host_preflight();
	return test_harness_run(argc, argv);
}
