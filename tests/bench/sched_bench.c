// SPDX-License-Identifier: GPL-2.0
/*
 * sched_bench - the engine scheduler against its targets.
 *
 * Every tenant is a time-sliced (or partitioned) vGPU opened through VFIO
 * with a helper thread that keeps its ring non-empty: it submits a batch
 * of commands and a fence with MVGPU_CMD_F_IRQ, keeps a bounded number of
 * batches in flight (never more than ~half the ring), and sleeps on the
 * vGPU's MSI eventfd until a fence (or an error) arrives, so the helpers
 * cost the guest CPUs almost nothing.
 *
 * Measurements are windows: the kernel's counters of every tenant
 * (mvgpu_stats/busy_ns, completions, fences, context_switches, ...) are
 * read before and after a sleep of WINDOW seconds.  Shares come from
 * busy_ns (engine time), throughput from completed work commands
 * (completions - fences) per wall-clock second.  Where two configurations
 * are compared they alternate window by window (A B, B A, ...), so a
 * slow drift of the host affects both; every figure is the median over
 * REPS windows or episodes, with min-max.
 *
 * The throughput work is 1 ms SPINs (MVGPU_BENCH_WORK=gemm for GEMM): a
 * SPIN completes by wall-clock time, so it shows what scheduling costs,
 * where compute-bound work under TCG would mostly measure the emulator
 * and the host's load.  A monitor thread records VM stalls (a 2 ms sleep
 * overslept by more than 3 ms: QEMU did not run the guest), and every
 * target prints the stalls inside its windows next to its figures.
 *
 *   1     weighted share error, weights 100:200:400, all saturating
 *   2-4   Jain fairness index, equal weights, short and long jobs, N=2,4,8
 *   5     aggregate throughput, 4 tenants / 1 tenant alone (A/B)
 *   6     context-switch overhead at a 2 ms timeslice: engine time outside
 *         any run (A/B against 100 ms as a second estimate)
 *   7     noisy neighbour: victim's loss beyond its fair share (A/B)
 *   8-9   hostile command (SPIN past the watchdog): how long others wait
 *         for the engine, and how long until the offender is failed
 *   10    partitioned vGPU: throughput change from a time-sliced neighbour
 *
 * Shared-engine targets load mvgpu_sim with engines=1, so every tenant
 * competes for one engine; the partition target uses engines=2.
 *
 * The program reports; it never fails on a missed target.  "not ok" means
 * a measurement could not be made (an errno, a vGPU error, a timeout).
 * MVGPU_BENCH_QUICK=1 shrinks windows and repetitions for a smoke run;
 * MVGPU_BENCH_ONLY=1,5,8 runs only those targets.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "mvgpu_test.h"

#define MAX_TENANTS	8
#define MAX_BATCHES	64
/* Commands in flight per queue, fences included: under half the ring. */
#define RING_BUDGET	(MVGPU_CTX_RING_SIZE / MVGPU_CMD_SIZE / 2 - 32)
#define MAX_SAMPLES	8192
#define NR_TARGETS	10

#define MS		1000000ull
#define US		1000ull

/* VRAM layout of a tenant (the library puts the ring and QSA at the end). */
#define GEMM_A		0x000000ull
#define GEMM_B		0x100000ull
#define GEMM_C		0x200000ull
#define FILL_DST	0x400000ull
#define FILL_BYTES	(2ull << 20)
#define STAMP_BASE	0x1000000ull	/* 16 MiB: a stamped victim's ring */
#define STAMP_SLOTS	16384u
#define TS_SLOT		0x1800000ull	/* 24 MiB: probe timestamps */

#define GEMM_DIM	32
#define SPIN_CHUNK_NS	(100 * US)	/* SIM_CHUNK_NS of mvgpu_sim */

static struct {
	int reps;		/* windows/episodes per figure (odd) */
	int hostile_reps;
	uint64_t window_ns;
	uint64_t settle_ns;
	bool quick;
} cfg = {
	.reps = 5,
	.hostile_reps = 3,
	.window_ns = 1000 * MS,
	.settle_ns = 300 * MS,
};

static void sleep_ns(uint64_t ns)
{
	struct timespec t = { .tv_sec = ns / 1000000000ull,
			      .tv_nsec = ns % 1000000000ull };

	while (nanosleep(&t, &t) && errno == EINTR)
		;
}

/* ---------------------------------------------------------------------- */
/* Statistics                                                              */
/* ---------------------------------------------------------------------- */

/* No libm: the test programs link with -static -pthread only. */
static double dabs(double x)
{
	return x < 0 ? -x : x;
}

static double dmax(double x, double y)
{
	return x > y ? x : y;
}

static double dmin(double x, double y)
{
	return x < y ? x : y;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct stat3 {
	double med, lo, hi;
};

static struct stat3 stat3(const double *v, int n)
{
	double s[64];
	struct stat3 r = { 0, 0, 0 };

	if (n <= 0 || n > 64)
		return r;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	r.lo = s[0];
	r.hi = s[n - 1];
	r.med = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	return r;
}

/* "median [min..max]" of @s times @scale with @prec decimals, in @buf. */
static const char *s3(char *buf, struct stat3 s, double scale, int prec)
{
	snprintf(buf, 64, "%.*f [%.*f..%.*f]", prec, s.med * scale, prec,
		 s.lo * scale, prec, s.hi * scale);
	return buf;
}

/* ---------------------------------------------------------------------- */
/* Results: TAP lines as we go, the human table at the end                 */
/* ---------------------------------------------------------------------- */

struct result {
	char name[48];
	char measured[112];
	char target[32];
	const char *verdict;	/* "met", "MISSED", "FAILED" */
};

static struct result results[NR_TARGETS];
static int nr_results;
static bool any_failed;

/* Print "ok N name # ..." for a measured value and record it. */
static void report(const char *name, const char *unit, double scale,
		   struct stat3 s, bool lower_is_better, double target,
		   const char *target_str, const char *fmt)
{
	struct result *r = &results[nr_results++];
	double med = s.med * scale;
	bool met = lower_is_better ? med <= target : med >= target;
	char m[32], lo[32], hi[32];

	snprintf(m, sizeof(m), fmt, med);
	snprintf(lo, sizeof(lo), fmt, s.lo * scale);
	snprintf(hi, sizeof(hi), fmt, s.hi * scale);
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->measured, sizeof(r->measured), "%s%s [%s..%s]", m, unit,
		 lo, hi);
	snprintf(r->target, sizeof(r->target), "%s", target_str);
	r->verdict = met ? "met" : "MISSED";

	printf("ok %d %s # %s%s (median of %d; min %s max %s) target %s: %s\n",
	       nr_results, name, m, unit, cfg.reps, lo, hi, target_str,
	       r->verdict);
	if (!met)
		printf("# MISSED target: %s = %s%s, target %s\n", name, m, unit,
		       target_str);
	fflush(stdout);
}

static void report_failed(const char *name, const char *target_str,
			  const char *fmt, ...)
{
	struct result *r = &results[nr_results++];
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->measured, sizeof(r->measured), "-");
	snprintf(r->target, sizeof(r->target), "%s", target_str);
	r->verdict = "FAILED";
	any_failed = true;
	printf("not ok %d %s # measurement failed: %s\n", nr_results, name,
	       why);
	fflush(stdout);
}

static void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

/* ---------------------------------------------------------------------- */
/* Tenants                                                                 */
/* ---------------------------------------------------------------------- */

enum counter {
	C_BUSY, C_COMPL, C_FENCES, C_RUNS, C_PREEMPT, C_WAIT_MAX, C_WAIT,
	C_SUBM, C_NR
};

static const char *const counter_names[C_NR] = {
	"busy_ns", "completions", "fences", "context_switches",
	"preemptions", "queue_wait_max_ns", "queue_wait_ns", "submissions",
};

enum tenant_mode { MODE_WORK, MODE_PROBE };

struct tenant {
	bool live;
	char uuid[MVGPU_UUID_LEN];
	struct mvgpu_ctx c;
	int efd;
	int cfd[C_NR];

	/* Workload; changed by the main thread only while drained. */
	enum tenant_mode mode;
	struct mvgpu_cmd cmd;
	unsigned int batch;		/* work commands per fence */
	unsigned int max_batches;	/* batches in flight */
	bool stamped;			/* a TIMESTAMP before each command */

	/* Helper state (helper only). */
	uint64_t seqs[MAX_BATCHES];
	unsigned int head, n;
	unsigned int stamps;		/* TIMESTAMPs submitted */

	/* Shared with the main thread under @lock. */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cv;
	bool want_run, stop, drained;
	int err;			/* -errno, or 0 */
	uint32_t dev_err;		/* MVGPU_REG_ERROR when err == -EIO */
	uint64_t err_ns;		/* when the helper or main saw it */

	/* Probe samples: submission time and dispatch latency (ns). */
	uint64_t sample_t[MAX_SAMPLES];
	int64_t sample_lat[MAX_SAMPLES];
	int nr_samples;			/* atomic */
};

static struct tenant tenants[MAX_TENANTS + 1];

static void vgpu_path(const char *uuid, const char *attr, char *buf,
		      size_t len)
{
	snprintf(buf, len, "%s/%s/%s", MDEV_BUS_DEVICES, uuid, attr);
}

static int vgpu_set(struct tenant *t, const char *attr, unsigned int val)
{
	char path[PATH_MAX], v[16];

	vgpu_path(t->uuid, attr, path, sizeof(path));
	snprintf(v, sizeof(v), "%u", val);
	return sysfs_write_str(path, v);
}

static uint64_t read_fd_u64(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtoull(buf, NULL, 10);
}

static struct mvgpu_cmd spin_cmd(uint64_t ns)
{
	return (struct mvgpu_cmd){ .opcode = MVGPU_OP_SPIN, .args = { ns } };
}

/* TIMESTAMP into slot @n of a stamped tenant's ring of stamps. */
static struct mvgpu_cmd stamp_cmd(unsigned int n)
{
	return (struct mvgpu_cmd){
		.opcode = MVGPU_OP_TIMESTAMP,
		.args = { STAMP_BASE + (n % STAMP_SLOTS) * sizeof(uint64_t) },
	};
}

static struct mvgpu_cmd gemm_cmd(unsigned int d)
{
	return (struct mvgpu_cmd){
		.opcode = MVGPU_OP_GEMM_I32,
		.args = { GEMM_C, GEMM_A, GEMM_B, d, d, d },
	};
}

static struct mvgpu_cmd fill_cmd(uint64_t bytes)
{
	return (struct mvgpu_cmd){
		.opcode = MVGPU_OP_FILL,
		.args = { FILL_DST, bytes, 0x5a5a5a5a },
	};
}

static bool fence_done(struct tenant *t, uint64_t seq)
{
	struct mvgpu_qsa *qsa = mvgpu_ctx_qsa(&t->c);

	return (int64_t)(__atomic_load_n(&qsa->fence, __ATOMIC_ACQUIRE) -
			 seq) >= 0;
}

/*
 * Wait for fence @seq, sleeping on the MSI eventfd.  Returns 0, -EIO when
 * the vGPU reports an error (t->dev_err, t->err_ns set), -ETIMEDOUT.
 */
static int wait_fence(struct tenant *t, uint64_t seq, int timeout_ms)
{
	struct pollfd pfd = { .fd = t->efd, .events = POLLIN };
	uint64_t deadline = mvgpu_now_ns() + (uint64_t)timeout_ms * MS, val;
	uint32_t st, info;
	int64_t left;
	int r;

	for (;;) {
		if (fence_done(t, seq))
			return 0;
		left = (int64_t)(deadline - mvgpu_now_ns());
		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&pfd, 1, left / MS > 50 ? 50 : left / MS + 1);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r > 0 && read(t->efd, &val, sizeof(val)) < 0 &&
		    errno != EAGAIN)
			return -errno;
		/* Clear what is pending, then look at the fence again. */
		if (vfio_mmio_read32(t->c.vd.device, MVGPU_REG_IRQ_STATUS, &st))
			return -EIO;
		if (st & MVGPU_IRQ_ERROR || (r == 0 && mvgpu_ctx_error(&t->c,
								       NULL))) {
			t->err_ns = mvgpu_now_ns();
			t->dev_err = mvgpu_ctx_error(&t->c, &info);
			return -EIO;
		}
		if (st && vfio_mmio_write32(t->c.vd.device,
					    MVGPU_REG_IRQ_STATUS, st))
			return -EIO;
	}
}

/* Interrupt setup for the library's queue 0: MSI on fences and errors. */
static int tenant_irq_setup(struct tenant *t)
{
	int ret;

	mvgpu_ctx_qsa(&t->c)->irq_wanted = 1;
	ret = vfio_set_irq_eventfd(t->c.vd.device, VFIO_PCI_MSI_IRQ_INDEX,
				   t->efd);
	ret = ret ?: vfio_mmio_write32(t->c.vd.device, MVGPU_REG_IRQ_MASK,
				       MVGPU_IRQ_FENCE | MVGPU_IRQ_ERROR);
	ret = ret ?: vfio_mmio_write32(t->c.vd.device, MVGPU_REG_IRQ_STATUS,
				       MVGPU_IRQ_ALL);
	return ret;
}

static int submit_batch(struct tenant *t)
{
	struct mvgpu_cmd cmds[RING_BUDGET];
	unsigned int i, k = 0;
	uint64_t seq;
	int ret;

	for (i = 0; i < t->batch; i++) {
		if (t->stamped)
			cmds[k++] = stamp_cmd(t->stamps++);
		cmds[k++] = t->cmd;
	}
	ret = mvgpu_ctx_submit(&t->c, cmds, k);
	if (ret)
		return ret;
	seq = mvgpu_ctx_fence(&t->c, MVGPU_CMD_F_IRQ);
	if (!seq)
		return -EIO;
	t->seqs[(t->head + t->n) % MAX_BATCHES] = seq;
	t->n++;
	return 0;
}

/* One latency probe: a TIMESTAMP right after an idle gap. */
static int probe_once(struct tenant *t)
{
	uint64_t *ts = (uint64_t *)(t->c.vram + TS_SLOT);
	struct mvgpu_cmd cmd = { .opcode = MVGPU_OP_TIMESTAMP,
				 .args = { TS_SLOT } };
	uint64_t sub, seq;
	int ret, i;

	/* 1.5-4.5 ms apart: the queue is idle (doorbell armed) each time. */
	sleep_ns(1500 * US + (uint64_t)(rand() % 3000) * US);
	__atomic_store_n(ts, 0, __ATOMIC_RELAXED);
	sub = mvgpu_now_ns();
	ret = mvgpu_ctx_submit(&t->c, &cmd, 1);
	if (ret)
		return ret;
	seq = mvgpu_ctx_fence(&t->c, MVGPU_CMD_F_IRQ);
	if (!seq)
		return -EIO;
	ret = wait_fence(t, seq, 20000);
	if (ret)
		return ret;
	i = __atomic_fetch_add(&t->nr_samples, 1, __ATOMIC_RELAXED);
	if (i < MAX_SAMPLES) {
		t->sample_t[i] = sub;
		t->sample_lat[i] = (int64_t)(__atomic_load_n(ts, __ATOMIC_RELAXED) -
					     sub);
	}
	return 0;
}

static void *helper(void *arg)
{
	struct tenant *t = arg;
	unsigned int timeouts = 0;
	bool run;
	int ret;

	pthread_mutex_lock(&t->lock);
	for (;;) {
		while (!t->stop && t->n == 0 && (!t->want_run || t->err)) {
			t->drained = true;
			pthread_cond_broadcast(&t->cv);
			pthread_cond_wait(&t->cv, &t->lock);
		}
		if (t->stop)
			break;
		t->drained = false;
		run = t->want_run && !t->err;
		pthread_mutex_unlock(&t->lock);

		if (t->mode == MODE_PROBE) {
			ret = probe_once(t);
		} else if (run && t->n < t->max_batches) {
			ret = submit_batch(t);
		} else {
			ret = wait_fence(t, t->seqs[t->head], 200);
			if (!ret) {
				t->head = (t->head + 1) % MAX_BATCHES;
				t->n--;
				timeouts = 0;
			} else if (ret == -ETIMEDOUT && ++timeouts < 100) {
				ret = 0;	/* 20 s without progress fails */
			}
		}

		pthread_mutex_lock(&t->lock);
		if (ret && !t->err) {
			t->err = ret;
			if (!t->err_ns)
				t->err_ns = mvgpu_now_ns();
		}
		if (t->err)
			t->n = 0;	/* nothing will complete any more */
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

static int tenant_create(struct tenant *t, const char *type)
{
	char path[PATH_MAX];
	int ret, i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < C_NR; i++)
		t->cfd[i] = -1;
	t->efd = -1;
	mvgpu_uuid_gen(t->uuid);
	ret = mdev_create(type, t->uuid);
	if (ret)
		return ret;
	ret = mvgpu_ctx_open(t->uuid, &t->c);
	if (ret) {
		mdev_remove(t->uuid);
		return ret;
	}
	t->live = true;
	t->efd = eventfd_new();
	if (t->efd < 0)
		return -errno;
	ret = tenant_irq_setup(t);
	if (ret)
		return ret;
	for (i = 0; i < C_NR; i++) {
		snprintf(path, sizeof(path), "%s/%s/mvgpu_stats/%s",
			 MDEV_BUS_DEVICES, t->uuid, counter_names[i]);
		t->cfd[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (t->cfd[i] < 0)
			return -errno;
	}
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->cv, NULL);
	t->batch = 1;
	t->max_batches = 1;
	t->cmd = spin_cmd(SPIN_CHUNK_NS);
	ret = -pthread_create(&t->thread, NULL, helper, t);
	if (ret) {
		pthread_mutex_destroy(&t->lock);
		pthread_cond_destroy(&t->cv);
		return ret;
	}
	return 0;
}

static void tenant_destroy(struct tenant *t)
{
	int i;

	if (!t->live)
		return;
	if (t->thread) {
		pthread_mutex_lock(&t->lock);
		t->stop = true;
		pthread_cond_broadcast(&t->cv);
		pthread_mutex_unlock(&t->lock);
		pthread_join(t->thread, NULL);
		pthread_mutex_destroy(&t->lock);
		pthread_cond_destroy(&t->cv);
	}
	for (i = 0; i < C_NR; i++)
		if (t->cfd[i] >= 0)
			close(t->cfd[i]);
	mvgpu_ctx_close(&t->c);
	if (t->efd >= 0)
		close(t->efd);
	mdev_remove(t->uuid);
	t->live = false;
}

static void tenant_run(struct tenant *t, bool on)
{
	pthread_mutex_lock(&t->lock);
	t->want_run = on;
	pthread_cond_broadcast(&t->cv);
	pthread_mutex_unlock(&t->lock);
}

static int tenant_err(struct tenant *t)
{
	int err;

	pthread_mutex_lock(&t->lock);
	err = t->err;
	pthread_mutex_unlock(&t->lock);
	return err;
}

/* Wait until every tenant in @mask that should not run has drained. */
static int tenants_settle(unsigned int mask)
{
	uint64_t deadline = mvgpu_now_ns() + 30000 * MS;
	int i, err = 0;

	for (i = 0; i < MAX_TENANTS + 1; i++) {
		struct tenant *t = &tenants[i];

		if (!(mask & 1u << i) || !t->live)
			continue;
		pthread_mutex_lock(&t->lock);
		while (!t->want_run && !t->drained && !t->err &&
		       mvgpu_now_ns() < deadline) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 20 * MS;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&t->cv, &t->lock, &ts);
		}
		if (!err)
			err = t->err ?: (!t->want_run && !t->drained ?
					 -ETIMEDOUT : 0);
		pthread_mutex_unlock(&t->lock);
	}
	return err;
}

/* Describe the first error among @mask, for a "not ok" line. */
static const char *tenants_error(unsigned int mask, char *buf, size_t len)
{
	int i;

	for (i = 0; i < MAX_TENANTS + 1; i++) {
		struct tenant *t = &tenants[i];

		if (!(mask & 1u << i) || !t->live || !tenant_err(t))
			continue;
		if (t->err == -EIO)
			snprintf(buf, len, "tenant %d: vGPU error %u", i,
				 t->dev_err);
		else
			snprintf(buf, len, "tenant %d: %s", i,
				 strerror(-t->err));
		return buf;
	}
	snprintf(buf, len, "no tenant error");
	return buf;
}

/*
 * Set a saturating workload: batches of about 5 ms of work, @depth_ms of
 * work in flight, both bounded by the ring budget.  @cmd_ns: engine time
 * of one command (known for SPIN, calibrated otherwise).  A stamped
 * tenant (set before) puts a TIMESTAMP before every command.
 */
static void tenant_work(struct tenant *t, struct mvgpu_cmd cmd,
			uint64_t cmd_ns, uint64_t depth_ms)
{
	uint64_t batch = (5 * MS + cmd_ns - 1) / cmd_ns, nb;
	unsigned int per = t->stamped ? 2 : 1;

	if (batch > 100)
		batch = 100;
	if (batch < 1)
		batch = 1;
	nb = (depth_ms * MS + batch * cmd_ns - 1) / (batch * cmd_ns);
	if (nb < 3)
		nb = 3;
	if (nb > MAX_BATCHES)
		nb = MAX_BATCHES;
	while (nb * (batch * per + 1) > RING_BUDGET && nb > 2)
		nb--;
	while (nb * (batch * per + 1) > RING_BUDGET)
		batch = (RING_BUDGET / nb - 1) / per;
	t->mode = MODE_WORK;
	t->cmd = cmd;
	t->batch = batch;
	t->max_batches = nb;
}

/* ---------------------------------------------------------------------- */
/* VM stalls                                                               */
/* ---------------------------------------------------------------------- */

/*
 * A thread sleeping 2 ms at a time records every oversleep beyond 3 ms.
 * When QEMU does not run the guest (the host is busy; single-threaded TCG
 * runs the other vCPU), every guest thread and the engine see that much
 * time pass at once, and the engine time is charged to whichever queue
 * runs meanwhile.  Waits and shares are reported as measured; the stalls
 * that overlap them are reported next to them.
 */
#define MAX_STALLS	16384
/* Shorter oversleeps are the guest's own timer and wake-up latency. */
#define STALL_MIN_NS	(3 * MS)

static struct {
	uint64_t start, len;
} stalls[MAX_STALLS];
static int nr_stalls;		/* atomic; entries below it are complete */
static bool stall_stop;
static pthread_t stall_thread;
static pid_t stall_tid;		/* the monitor's thread id */

static void *stall_monitor(void *arg)
{
	uint64_t t, over;
	int i;

	__atomic_store_n(&stall_tid, gettid(), __ATOMIC_RELAXED);
	while (!__atomic_load_n(&stall_stop, __ATOMIC_RELAXED)) {
		t = mvgpu_now_ns();
		sleep_ns(2 * MS);
		over = mvgpu_now_ns() - t - 2 * MS;
		if (over < STALL_MIN_NS)
			continue;
		i = __atomic_load_n(&nr_stalls, __ATOMIC_RELAXED);
		if (i >= MAX_STALLS)
			continue;
		stalls[i].start = t + 2 * MS;
		stalls[i].len = over;
		__atomic_store_n(&nr_stalls, i + 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* Stall time overlapping [a, b): the longest one and the sum. */
static void stall_in(uint64_t a, uint64_t b, uint64_t *max, uint64_t *sum)
{
	int i, n = __atomic_load_n(&nr_stalls, __ATOMIC_ACQUIRE);
	uint64_t lo, hi;

	*max = *sum = 0;
	for (i = n - 1; i >= 0; i--) {
		if (stalls[i].start + stalls[i].len <= a)
			break;
		lo = stalls[i].start > a ? stalls[i].start : a;
		hi = stalls[i].start + stalls[i].len < b ?
		     stalls[i].start + stalls[i].len : b;
		if (hi <= lo)
			continue;
		*sum += hi - lo;
		if (hi - lo > *max)
			*max = hi - lo;
	}
}

/* ---------------------------------------------------------------------- */
/* Windows                                                                 */
/* ---------------------------------------------------------------------- */

struct snap {
	uint64_t t;
	uint64_t v[MAX_TENANTS + 1][C_NR];
	uint64_t engine_busy;
};

struct delta {
	double wall;				/* s */
	double busy[MAX_TENANTS + 1];		/* s of engine time */
	double work[MAX_TENANTS + 1];		/* work commands */
	double runs[MAX_TENANTS + 1];
	double idle_ends[MAX_TENANTS + 1];	/* runs not ended by preemption */
	double wait[MAX_TENANTS + 1];		/* s runnable, not running */
	double subm[MAX_TENANTS + 1];		/* commands taken off the ring */
	double engine_busy;			/* s, sum over engines */
	double stall_max, stall_sum;		/* s of VM stalls in the window */
};

static uint64_t engine_busy_sum(void)
{
	char buf[512], *p = buf, *end;
	uint64_t sum = 0, v;

	if (sysfs_read_str(MVGPU_SYSFS_CLASS "/mvgpu0/engine_busy_ns", buf,
			   sizeof(buf)))
		return 0;
	for (;;) {
		v = strtoull(p, &end, 10);
		if (end == p)
			break;
		sum += v;
		p = end;
	}
	return sum;
}

static void snapshot(unsigned int mask, struct snap *s)
{
	uint64_t t0 = mvgpu_now_ns();
	int i, c;

	for (i = 0; i < MAX_TENANTS + 1; i++)
		if (mask & 1u << i)
			for (c = 0; c < C_NR; c++)
				s->v[i][c] = read_fd_u64(tenants[i].cfd[c]);
	s->engine_busy = engine_busy_sum();
	s->t = (t0 + mvgpu_now_ns()) / 2;
}

static void snap_delta(unsigned int mask, const struct snap *a,
		       const struct snap *b, struct delta *d)
{
	int i;

	memset(d, 0, sizeof(*d));
	d->wall = (b->t - a->t) / 1e9;
	d->engine_busy = (b->engine_busy - a->engine_busy) / 1e9;
	for (i = 0; i < MAX_TENANTS + 1; i++) {
		if (!(mask & 1u << i))
			continue;
		d->busy[i] = (b->v[i][C_BUSY] - a->v[i][C_BUSY]) / 1e9;
		d->work[i] = (double)(b->v[i][C_COMPL] - a->v[i][C_COMPL]) -
			     (double)(b->v[i][C_FENCES] - a->v[i][C_FENCES]);
		d->runs[i] = b->v[i][C_RUNS] - a->v[i][C_RUNS];
		d->idle_ends[i] = d->runs[i] -
			(double)(b->v[i][C_PREEMPT] - a->v[i][C_PREEMPT]);
		d->wait[i] = (b->v[i][C_WAIT] - a->v[i][C_WAIT]) / 1e9;
		d->subm[i] = b->v[i][C_SUBM] - a->v[i][C_SUBM];
	}
}

/* Called every 50 ms during a window when set (partition diagnostics). */
static void (*window_tick)(void);

/*
 * Make exactly the tenants in @run saturate (those in @all but not in
 * @run drain), let the engine settle, and measure one window over @run.
 */
static int window(unsigned int all, unsigned int run, struct delta *d)
{
	struct snap a, b;
	int i, err;

	for (i = 0; i < MAX_TENANTS + 1; i++)
		if (all & 1u << i)
			tenant_run(&tenants[i], run & 1u << i);
	err = tenants_settle(all);
	if (err)
		return err;
	sleep_ns(cfg.settle_ns);
	snapshot(all, &a);
	if (window_tick) {
		uint64_t end = a.t + cfg.window_ns;

		while (mvgpu_now_ns() + 50 * MS < end) {
			sleep_ns(50 * MS);
			window_tick();
		}
		if (mvgpu_now_ns() < end)
			sleep_ns(end - mvgpu_now_ns());
	} else {
		sleep_ns(cfg.window_ns);
	}
	snapshot(all, &b);
	for (i = 0; i < MAX_TENANTS + 1; i++)
		if (all & 1u << i && tenant_err(&tenants[i]))
			return tenant_err(&tenants[i]);
	snap_delta(all, &a, &b, d);
	{
		uint64_t mx, sum;

		stall_in(a.t, b.t, &mx, &sum);
		d->stall_max = mx / 1e9;
		d->stall_sum = sum / 1e9;
	}
	return 0;
}

/* One diagnostic line: VM stalls during the windows of a target. */
static void stall_diag(const char *what, const struct delta *d, int nd)
{
	double mx[64], sum[64];
	char b1[64], b2[64];
	int k;

	for (k = 0; k < nd; k++) {
		mx[k] = d[k].stall_max * 1e3;
		sum[k] = d[k].stall_sum / d[k].wall * 100;
	}
	diag("  %s: VM stalls > 3 ms per window: longest %s ms, total %s %%",
	     what, s3(b1, stat3(mx, nd), 1, 1), s3(b2, stat3(sum, nd), 1, 1));
}

static void stop_all(unsigned int mask)
{
	int i;

	for (i = 0; i < MAX_TENANTS + 1; i++)
		if (mask & 1u << i && tenants[i].live)
			tenant_run(&tenants[i], false);
	tenants_settle(mask);
}

/* Saturation check: a saturating queue's runs end by preemption. */
static void check_saturated(const char *what, unsigned int mask,
			    const struct delta *d, int nd)
{
	double runs = 0, idle = 0;
	int i, k;

	for (k = 0; k < nd; k++)
		for (i = 0; i < MAX_TENANTS + 1; i++)
			if (mask & 1u << i) {
				runs += d[k].runs[i];
				idle += d[k].idle_ends[i];
			}
	/* Partitions run rarely and long: a few empty rings cost nothing. */
	if (runs && idle / runs > 0.02 && idle > nd)
		diag("warning: %s: %.0f of %.0f runs ended with an empty ring",
		     what, idle, runs);
}

static unsigned int mask_n(int n)
{
	return (1u << n) - 1;
}

static int load_sim(const char *params)
{
	int ret;

	ret = mvgpu_unload();
	if (ret)
		return ret;
	ret = mvgpu_insmod("mvgpu", NULL);
	return ret ?: mvgpu_insmod("mvgpu_sim", params);
}

static void destroy_all(void)
{
	int i;

	for (i = 0; i < MAX_TENANTS + 1; i++)
		tenant_destroy(&tenants[i]);
}

static uint64_t param_u64(const char *path, uint64_t def)
{
	uint64_t v;

	return sysfs_read_u64(path, &v) ? def : v;
}

/*
 * Engine time of one command of @cmd on tenant @i running alone, for
 * batch sizing: at least a quarter window and 4 commands.  0 on failure.
 */
static uint64_t calibrate(int i, struct mvgpu_cmd cmd)
{
	uint64_t deadline = mvgpu_now_ns() + 20000 * MS;
	struct tenant *t = &tenants[i];
	struct snap a, b;
	struct delta d;

	t->mode = MODE_WORK;
	t->cmd = cmd;
	t->batch = 2;
	t->max_batches = 3;
	tenant_run(t, true);
	sleep_ns(cfg.settle_ns / 2);
	snapshot(1u << i, &a);
	do {
		sleep_ns(50 * MS);
		snapshot(1u << i, &b);
		snap_delta(1u << i, &a, &b, &d);
	} while ((d.work[i] < 4 || d.wall < cfg.window_ns / 4e9) &&
		 !tenant_err(t) && mvgpu_now_ns() < deadline);
	stop_all(1u << i);
	if (tenant_err(t) || d.work[i] < 1)
		return 0;
	return d.busy[i] * 1e9 / d.work[i];
}

/* ---------------------------------------------------------------------- */
/* Targets                                                                 */
/* ---------------------------------------------------------------------- */

#define NAME_WEIGHTED	"weighted_share_error_1_2_4"
#define NAME_JAIN	"jain_index_mixed_n%d"
#define NAME_TPUT	"throughput_4_sliced_vs_alone"
#define NAME_CTXSW	"context_switch_overhead_2ms"
#define NAME_NOISY	"noisy_neighbour_victim_loss"
#define NAME_REGAIN	"hostile_others_regain_engine"
#define NAME_RESET	"hostile_offender_failed"
#define NAME_PART	"partition_throughput_change"

/* 1: weights 1:2:4 (100, 200, 400), all saturating with 1 ms SPINs. */
static void target_weighted(void)
{
	static const unsigned int w[3] = { 100, 200, 400 };
	double err[64], abs_err[64], wsum = 700, total;
	struct delta d[64];
	struct stat3 a;
	char buf[96];
	int r, i, ret = 0;

	for (i = 0; i < 3 && !ret; i++) {
		ret = vgpu_set(&tenants[i], "mvgpu/weight", w[i]);
		tenant_work(&tenants[i], spin_cmd(SPIN_CHUNK_NS),
			    SPIN_CHUNK_NS, 40);
	}
	for (r = 0; r < cfg.reps && !ret; r++) {
		ret = window(mask_n(3), mask_n(3), &d[r]);
		if (ret)
			break;
		total = d[r].busy[0] + d[r].busy[1] + d[r].busy[2];

		err[r] = 0;
		abs_err[r] = 0;
		for (i = 0; i < 3; i++) {
			double share = d[r].busy[i] / total, want = w[i] / wsum;

			err[r] = dmax(err[r], dabs(share / want - 1));
			abs_err[r] = dmax(abs_err[r], dabs(share - want));
		}
		diag("  window %d: shares %.4f %.4f %.4f, runs %.0f %.0f %.0f",
		     r, d[r].busy[0] / total, d[r].busy[1] / total,
		     d[r].busy[2] / total, d[r].runs[0], d[r].runs[1],
		     d[r].runs[2]);
	}
	stop_all(mask_n(3));
	for (i = 0; i < 3; i++)
		vgpu_set(&tenants[i], "mvgpu/weight", 100);
	if (ret) {
		report_failed(NAME_WEIGHTED, "<= 1 %", "%s (%s)",
			      strerror(-ret), tenants_error(mask_n(3), buf,
							    sizeof(buf)));
		return;
	}
	check_saturated(NAME_WEIGHTED, mask_n(3), d, cfg.reps);
	a = stat3(abs_err, cfg.reps);
	stall_diag(NAME_WEIGHTED, d, cfg.reps);
	{
		double b[3] = { 0, 0, 0 }, tot = 0, ce = 0;

		for (r = 1; r < cfg.reps; r++)
			for (i = 0; i < 3; i++) {
				b[i] += d[r].busy[i];
				tot += d[r].busy[i];
			}
		for (i = 0; i < 3 && tot > 0; i++)
			ce = dmax(ce, dabs(b[i] / tot / (w[i] / wsum) - 1));
		diag("  windows 1..%d taken as one: error %.2f %% (window edges matter less)",
		     cfg.reps - 1, ce * 100);
	}

	diag("weighted: entitled shares %.4f %.4f %.4f (weights 100 200 400)",
	     w[0] / wsum, w[1] / wsum, w[2] / wsum);
	diag("  error = max over tenants of |share / entitled - 1| per window");
	diag("  as absolute share: %s percentage points",
	     s3(buf, a, 100, 3));
	diag("  one 2 ms run is %.1f %% of the weight-100 share per window edge",
	     0.002 / (cfg.window_ns / 1e9 * w[0] / wsum) * 100);
	report(NAME_WEIGHTED, " %", 100, stat3(err, cfg.reps), true, 1.0,
	       "<= 1 %", "%.2f");
}

/* Per-window detail; every tenant's counters when the index is poor. */
static void jain_window_diag(int r, int n, double j, const struct delta *d)
{
	double lo = 1, hi = 0, s = 0;
	int i;

	for (i = 0; i < n; i++)
		s += d->busy[i];
	for (i = 0; i < n; i++) {
		lo = dmin(lo, d->busy[i] / s);
		hi = dmax(hi, d->busy[i] / s);
	}
	diag("  window %d: J %.4f, shares %.4f..%.4f (fair %.4f)", r, j, lo,
	     hi, 1.0 / n);
	for (i = 0; i < n && j < 0.99; i++)
		diag("    tenant %d: share %.4f, runs %.0f (%.0f empty), waited %.3f s, %.0f cmds",
		     i, d->busy[i] / s, d->runs[i], d->idle_ends[i],
		     d->wait[i], d->subm[i]);
}

/* 2-4: equal weights, even tenants 50 us SPINs, odd ones 20 ms SPINs. */
static void target_jain(int n)
{
	double jain[64], s, s2, short_share[64];
	struct delta d[64];
	struct stat3 ss;
	char name[48], buf[96];
	int r, i, ret = 0;

	snprintf(name, sizeof(name), NAME_JAIN, n);
	for (i = 0; i < n; i++) {
		if (i % 2)
			tenant_work(&tenants[i], spin_cmd(20 * MS), 20 * MS, 60);
		else
			tenant_work(&tenants[i], spin_cmd(50 * US), 50 * US, 20);
	}
	for (r = 0; r < cfg.reps; r++) {
		ret = window(mask_n(n), mask_n(n), &d[r]);
		if (ret)
			break;
		s = 0;
		s2 = 0;
		short_share[r] = 0;
		for (i = 0; i < n; i++) {
			s += d[r].busy[i];
			s2 += d[r].busy[i] * d[r].busy[i];
			if (!(i % 2))
				short_share[r] += d[r].busy[i];
		}
		jain[r] = s * s / (n * s2);
		short_share[r] /= s;
		jain_window_diag(r, n, jain[r], &d[r]);
	}
	stop_all(mask_n(n));
	if (ret) {
		report_failed(name, ">= 0.995", "%s (%s)", strerror(-ret),
			      tenants_error(mask_n(n), buf, sizeof(buf)));
		return;
	}
	check_saturated(name, mask_n(n), d, cfg.reps);
	ss = stat3(short_share, cfg.reps);

	diag("jain N=%d: engine share of the short-job half %s (fair 0.5)",
	     n, s3(buf, ss, 1, 4));
	stall_diag(name, d, cfg.reps);
	report(name, "", 1, stat3(jain, cfg.reps), false, 0.995, ">= 0.995",
	       "%.4f");
}

/*
 * A/B windows: @a and @b are run masks within @all.  Rep r runs A then B
 * when r is even, B then A when odd.
 */
static int ab_windows(unsigned int all, unsigned int a, unsigned int b,
		      struct delta *da, struct delta *db,
		      void (*setup)(bool is_b))
{
	int r, k, ret;

	for (r = 0; r < cfg.reps; r++) {
		for (k = 0; k < 2; k++) {
			bool is_b = (r % 2) ^ k;

			if (setup)
				setup(is_b);
			ret = window(all, is_b ? b : a, is_b ? &db[r] : &da[r]);
			if (ret)
				return ret;
		}
	}
	return 0;
}

static double work_sum(const struct delta *d, unsigned int mask)
{
	double w = 0;
	int i;

	for (i = 0; i < MAX_TENANTS + 1; i++)
		if (mask & 1u << i)
			w += d->work[i];
	return w;
}

static double busy_sum(const struct delta *d, unsigned int mask)
{
	double w = 0;
	int i;

	for (i = 0; i < MAX_TENANTS + 1; i++)
		if (mask & 1u << i)
			w += d->busy[i];
	return w;
}

static uint64_t gemm_ns;

/*
 * Work of the throughput targets (5, 7, 10): 1 ms SPINs by default.  A
 * SPIN completes by wall-clock time, so work per wall second shows what
 * the scheduler costs and nothing else; compute-bound work under TCG also
 * measures the emulator and how much CPU the host gives QEMU (both vCPUs
 * share one host thread with tcg,thread=single).  MVGPU_BENCH_WORK=gemm
 * uses GEMM instead, for KVM hosts.
 */
static struct mvgpu_cmd tput_cmd;
static uint64_t tput_ns;
static bool tput_gemm;
static char tput_desc[48];

/* 5: work per wall second, 4 tenants against tenant 0 alone (A/B). */
static void target_throughput(void)
{
	struct delta da[64], db[64];
	double ratio[64], ua[64], ub[64];
	char buf[96], buf2[64];
	struct stat3 a, b;
	int r, i, ret;

	for (i = 0; i < 4; i++)
		tenant_work(&tenants[i], tput_cmd, tput_ns, 40);
	ret = ab_windows(mask_n(4), 1, mask_n(4), da, db, NULL);
	stop_all(mask_n(4));
	if (ret) {
		report_failed(NAME_TPUT, ">= 0.97", "%s (%s)", strerror(-ret),
			      tenants_error(mask_n(4), buf, sizeof(buf)));
		return;
	}
	for (r = 0; r < cfg.reps; r++) {
		ua[r] = work_sum(&da[r], 1) / da[r].wall;
		ub[r] = work_sum(&db[r], mask_n(4)) / db[r].wall;
		ratio[r] = ub[r] / ua[r];
	}
	check_saturated(NAME_TPUT, mask_n(4), db, cfg.reps);
	a = stat3(ua, cfg.reps);
	b = stat3(ub, cfg.reps);
	diag("throughput: %s per wall second: alone %s, 4 tenants %s",
	     tput_desc, s3(buf, a, 1, 0), s3(buf2, b, 1, 0));
	if (!tput_gemm)
		diag("  SPIN time done per wall second: alone %.2f %%, 4 tenants %.2f %%",
		     a.med * tput_ns / 1e7, b.med * tput_ns / 1e7);
	for (r = 0; r < cfg.reps; r++) {
		ua[r] = busy_sum(&da[r], 1) / da[r].wall;
		ub[r] = busy_sum(&db[r], mask_n(4)) / db[r].wall;
	}
	a = stat3(ua, cfg.reps);
	b = stat3(ub, cfg.reps);
	diag("  busy_ns per wall second: alone %s %%, 4 tenants %s %%",
	     s3(buf, a, 100, 2), s3(buf2, b, 100, 2));
	stall_diag("4 tenants", db, cfg.reps);
	report(NAME_TPUT, "", 1, stat3(ratio, cfg.reps), false, 0.97,
	       ">= 0.97", "%.4f");
}

static void set_timeslice_all(bool is_b)
{
	int i;

	for (i = 0; i < 4; i++)
		vgpu_set(&tenants[i], "mvgpu/timeslice_us", is_b ? 100000 : 2000);
}

/*
 * 6: 4 saturating tenants of 100 us SPINs at a 2 ms timeslice.  The
 * overhead is the engine time spent outside any queue's run (picking,
 * accounting, the engine thread's own wake-ups and cond_resched()):
 * 1 - sum(busy_ns) / wall, from the kernel's counters.  The same tenants
 * at a 100 ms timeslice alternate with it, for a second estimate from
 * completed work: c = (U_100 - U_2) / (S_2 - S_100) per switch, with U the
 * SPIN time completed per wall second and S the switches per second.
 */
static void target_ctxsw(void)
{
	struct delta da[64], db[64];
	double ovh[64], cost[64], gap[64], est[64], sa = 0, swa, swb;
	double uas[64], ubs[64];
	struct stat3 c, g, u1, u2, e;
	char buf[96];
	int r, i, ret;

	for (i = 0; i < 4; i++)
		tenant_work(&tenants[i], spin_cmd(SPIN_CHUNK_NS),
			    SPIN_CHUNK_NS, 250);
	ret = ab_windows(mask_n(4), mask_n(4), mask_n(4), da, db,
			 set_timeslice_all);
	stop_all(mask_n(4));
	set_timeslice_all(false);
	if (ret) {
		report_failed(NAME_CTXSW, "<= 0.5 %", "%s (%s)", strerror(-ret),
			      tenants_error(mask_n(4), buf, sizeof(buf)));
		return;
	}
	for (r = 0; r < cfg.reps; r++) {
		uas[r] = work_sum(&da[r], mask_n(4)) * SPIN_CHUNK_NS / 1e9 /
			 da[r].wall;
		ubs[r] = work_sum(&db[r], mask_n(4)) * SPIN_CHUNK_NS / 1e9 /
			 db[r].wall;
		swa = 0;
		swb = 0;
		for (i = 0; i < 4; i++) {
			swa += da[r].runs[i];
			swb += db[r].runs[i];
		}
		ovh[r] = 1 - busy_sum(&da[r], mask_n(4)) / da[r].wall;
		gap[r] = ovh[r] * da[r].wall / swa;
		swa /= da[r].wall;
		swb /= db[r].wall;
		sa += swa / cfg.reps;
		cost[r] = (ubs[r] - uas[r]) / (swa - swb);
		est[r] = cost[r] * swa;
	}
	check_saturated(NAME_CTXSW " (2 ms)", mask_n(4), da, cfg.reps);
	check_saturated(NAME_CTXSW " (100 ms)", mask_n(4), db, cfg.reps);
	c = stat3(cost, cfg.reps);
	g = stat3(gap, cfg.reps);
	e = stat3(est, cfg.reps);
	u1 = stat3(uas, cfg.reps);
	u2 = stat3(ubs, cfg.reps);
	diag("ctxsw: %.0f switches/s at 2 ms; between runs per switch %s us",
	     sa, s3(buf, g, 1e6, 1));
	diag("  from completed work, 2 ms vs 100 ms: %s %% (%.1f us per switch)",
	     s3(buf, e, 100, 2), c.med * 1e6);
	diag("  SPIN time done per wall second: 2 ms %.1f %%, 100 ms %.1f %%",
	     u1.med * 100, u2.med * 100);
	stall_diag("2 ms windows", da, cfg.reps);
	report(NAME_CTXSW, " %", 100, stat3(ovh, cfg.reps), true, 0.5,
	       "<= 0.5 %", "%.3f");
}

static uint64_t fill_ns;

/*
 * 7: victim (tenant 0, the throughput work) alone against victim plus an
 * equal-weight neighbour (tenant 1) filling 2 MiB per command (A/B).
 * Loss beyond the fair share: 1 - T_with / (T_alone / 2), T in work per
 * wall second.  The same with a neighbour running the victim's own work
 * follows as a diagnostic.
 */
static int noisy_ab(struct mvgpu_cmd ncmd, uint64_t ncmd_ns, double *loss,
		    double *share, struct delta *db)
{
	struct delta da[64];
	int r, ret;

	tenant_work(&tenants[0], tput_cmd, tput_ns, 40);
	tenant_work(&tenants[1], ncmd, ncmd_ns, 40);
	ret = ab_windows(mask_n(2), 1, mask_n(2), da, db, NULL);
	stop_all(mask_n(2));
	if (ret)
		return ret;
	for (r = 0; r < cfg.reps; r++) {
		loss[r] = 1 - (db[r].work[0] / db[r].wall) /
			      (0.5 * da[r].work[0] / da[r].wall);
		share[r] = db[r].busy[0] / busy_sum(&db[r], mask_n(2));
	}
	check_saturated(NAME_NOISY, mask_n(2), db, cfg.reps);
	return 0;
}

static void target_noisy(void)
{
	double loss[64], share[64], loss2[64], share2[64];
	struct delta db[64];
	struct stat3 s, l2;
	char buf[96];
	int ret;

	ret = noisy_ab(fill_cmd(FILL_BYTES), fill_ns, loss, share, db);
	if (ret) {
		report_failed(NAME_NOISY, "<= 3 %", "%s (%s)", strerror(-ret),
			      tenants_error(mask_n(2), buf, sizeof(buf)));
		return;
	}
	s = stat3(share, cfg.reps);
	diag("noisy: victim %s, neighbour FILL %llu MiB (%.1f ms)", tput_desc,
	     FILL_BYTES >> 20, fill_ns / 1e6);
	diag("  victim's engine share with the neighbour %s (fair 0.5)",
	     s3(buf, s, 1, 4));
	stall_diag("with neighbour", db, cfg.reps);
	ret = noisy_ab(tput_cmd, tput_ns, loss2, share2, db);
	if (!ret) {
		l2 = stat3(loss2, cfg.reps);
		s = stat3(share2, cfg.reps);
		diag("  neighbour running the victim's work instead: loss %s %%",
		     s3(buf, l2, 100, 2));
		diag("    victim's engine share %s", s3(buf, s, 1, 4));
	}
	report(NAME_NOISY, " %", 100, stat3(loss, cfg.reps), true, 3.0,
	       "<= 3 %", "%.2f");
}

/*
 * Engine threads' placement on the guest CPUs: engines are kernel threads,
 * so a partition is only as isolated as the CPU its engine thread gets.
 */
static int eng_pid[2];
static unsigned int coloc_same, coloc_samples;

static int kthread_cpu(int pid)
{
	char path[64], buf[1024], *p;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (sysfs_read_str(path, buf, sizeof(buf)))
		return -1;
	p = strrchr(buf, ')');
	/* Field 39 (processor); p points at the end of field 2. */
	for (i = 2; p && i < 39; i++)
		p = strchr(p + 1, ' ');
	return p ? atoi(p + 1) : -1;
}

static void find_engine_threads(void)
{
	char path[300], comm[64];
	struct dirent *de;
	int pid, e;
	DIR *d;

	eng_pid[0] = 0;
	eng_pid[1] = 0;
	d = opendir("/proc");
	while (d && (de = readdir(d))) {
		pid = atoi(de->d_name);
		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		if (sysfs_read_str(path, comm, sizeof(comm)))
			continue;
		for (e = 0; e < 2; e++) {
			char want[16];

			snprintf(want, sizeof(want), "mvgpu0-e%d", e);
			if (!strcmp(comm, want))
				eng_pid[e] = pid;
		}
	}
	if (d)
		closedir(d);
}

/*
 * Stalls are per guest CPU: with tcg,thread=single QEMU runs one vCPU at a
 * time, so while the monitor's CPU runs, the other one stands still, and
 * the monitor sees nothing.  For the hostile target the engine thread and
 * the monitor share CPU 1, so the stalls subtracted are the engine's own.
 */
static bool pin_to(pid_t tid, int cpu)
{
	cpu_set_t set;
	int i;

	CPU_ZERO(&set);
	if (cpu >= 0)
		CPU_SET(cpu, &set);
	else
		for (i = 0; i < CPU_SETSIZE; i++)
			CPU_SET(i, &set);
	return !sched_setaffinity(tid, sizeof(set), &set);
}

static bool pin_engine_and_monitor(bool on)
{
	int cpu = on ? 1 : -1;

	if (!eng_pid[0] || sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return false;
	return pin_to(eng_pid[0], cpu) && pin_to(stall_tid, cpu);
}

/*
 * 8-9: offender (tenant 0) submits one SPIN of MVGPU_SPIN_MAX_NS, past
 * the watchdog, while tenant 1 saturates with one-chunk SPINs, each after
 * a TIMESTAMP (a stamped tenant), and tenant 2 probes dispatch latency
 * with a TIMESTAMP every 1.5-4.5 ms.  Every episode uses fresh vGPUs.
 *
 * Regain: the longest any victim waited for the engine while the
 * offender lived, less the VM stalls inside that wait (time in which the
 * emulator ran no guest CPU is no scheduler's doing): for the saturating
 * victim the longest gap between two of its stamps less the SPIN between
 * them, for the probe its submission-to-TIMESTAMP latency.  The raw
 * waits, and the kernel's queue_wait_max_ns of both victims (wall time,
 * stalls included, not correctable), are printed next to it.
 * Failed: from the offender's submission until its vGPU reports
 * MVGPU_ERR_TIMEOUT.
 */
struct hostile_ep {
	double regain, probe_max, probe_p99, wait_a, wait_p, failed, recover;
	double stall, probe_corr, offender_share, run_len;
	double victim_max, victim_corr, victim_p99;
	int probes, stamps;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * A stamped tenant's longest wait for the engine within [@a, @b): the
 * longest gap between consecutive stamps less the command between them,
 * as measured (@h->victim_max) and less the VM stalls inside the gap
 * (@h->victim_corr, and its 99th percentile @h->victim_p99).  Returns the
 * number of gaps looked at.
 */
static int stamped_waits(struct tenant *t, uint64_t cmd_ns, uint64_t a,
			 uint64_t b, struct hostile_ep *h)
{
	uint64_t *slot = (uint64_t *)(t->c.vram + STAMP_BASE), v;
	static uint64_t s[STAMP_SLOTS];
	static double corr[STAMP_SLOTS];
	uint64_t gap, mx, sum;
	unsigned int i, n = 0;
	int gaps = 0;

	for (i = 0; i < STAMP_SLOTS; i++) {
		v = __atomic_load_n(&slot[i], __ATOMIC_RELAXED);
		if (v)
			s[n++] = v;
	}
	qsort(s, n, sizeof(s[0]), cmp_u64);
	h->victim_max = 0;
	h->victim_corr = 0;
	for (i = 0; i + 1 < n; i++) {
		if (s[i + 1] <= a || s[i] >= b)
			continue;
		gap = s[i + 1] - s[i];
		gap = gap > cmd_ns ? gap - cmd_ns : 0;
		stall_in(s[i], s[i + 1], &mx, &sum);
		h->victim_max = dmax(h->victim_max, gap / 1e9);
		corr[gaps++] = (gap > sum ? gap - sum : 0) / 1e9;
		h->victim_corr = dmax(h->victim_corr, corr[gaps - 1]);
	}
	if (gaps) {
		qsort(corr, gaps, sizeof(corr[0]), cmp_double);
		h->victim_p99 = corr[(gaps * 99) / 100];
	}
	return gaps;
}

static int hostile_episode(struct hostile_ep *h)
{
	struct tenant *o = &tenants[0], *v = &tenants[1], *p = &tenants[2];
	struct mvgpu_cmd spin = spin_cmd(MVGPU_SPIN_MAX_NS);
	static double lat[MAX_SAMPLES];
	uint64_t t0, seq, tr, mx, sum, l, busy0, runs0, runs;
	int i, n = 0, ns, ret;

	for (i = 0; i < 3; i++) {
		ret = tenant_create(&tenants[i], "mvgpu-ts-32m");
		if (ret)
			return ret;
	}
	v->stamped = true;
	tenant_work(v, spin_cmd(SPIN_CHUNK_NS), SPIN_CHUNK_NS, 40);
	p->mode = MODE_PROBE;
	tenant_run(v, true);
	tenant_run(p, true);
	sleep_ns(cfg.settle_ns);

	__atomic_store_n(&p->nr_samples, 0, __ATOMIC_RELAXED);
	busy0 = read_fd_u64(v->cfd[C_BUSY]) + read_fd_u64(o->cfd[C_BUSY]);
	runs0 = read_fd_u64(v->cfd[C_RUNS]) + read_fd_u64(o->cfd[C_RUNS]);
	t0 = mvgpu_now_ns();
	ret = mvgpu_ctx_submit(&o->c, &spin, 1);
	seq = ret ? 0 : mvgpu_ctx_fence(&o->c, MVGPU_CMD_F_IRQ);
	if (!seq)
		return ret ?: -EIO;
	ret = wait_fence(o, seq, 10000);
	if (ret != -EIO || o->dev_err != MVGPU_ERR_TIMEOUT) {
		diag("hostile: offender ended with %d, vGPU error %u", ret,
		     o->dev_err);
		return ret ?: -EPROTO;
	}
	h->wait_a = read_fd_u64(v->cfd[C_WAIT_MAX]) / 1e9;
	h->wait_p = read_fd_u64(p->cfd[C_WAIT_MAX]) / 1e9;
	h->failed = (o->err_ns - t0) / 1e9;
	h->stamps = stamped_waits(v, SPIN_CHUNK_NS, t0, o->err_ns, h);
	if (!h->stamps)
		return -ENODATA;	/* the victim never ran */
	h->offender_share = read_fd_u64(o->cfd[C_BUSY]) / 1e9 / h->failed;
	/* Average run of the two saturating queues, in wall time. */
	runs = read_fd_u64(v->cfd[C_RUNS]) + read_fd_u64(o->cfd[C_RUNS]) -
	       runs0;
	h->run_len = runs ? (read_fd_u64(v->cfd[C_BUSY]) +
			     read_fd_u64(o->cfd[C_BUSY]) - busy0) / 1e9 / runs :
			    0;
	stall_in(t0, o->err_ns, &mx, &sum);
	h->stall = mx / 1e9;

	/* Probes submitted while the offender's command was alive. */
	ns = __atomic_load_n(&p->nr_samples, __ATOMIC_RELAXED);
	h->probe_corr = 0;
	for (i = 0; i < ns && i < MAX_SAMPLES; i++) {
		if (p->sample_t[i] < t0 || p->sample_t[i] >= o->err_ns)
			continue;
		lat[n++] = p->sample_lat[i] / 1e9;
		/* The same wait less the VM stalls inside it. */
		l = p->sample_lat[i] > 0 ? p->sample_lat[i] : 0;
		stall_in(p->sample_t[i], p->sample_t[i] + l, &mx, &sum);
		h->probe_corr = dmax(h->probe_corr, (l - sum) / 1e9);
	}
	if (!n)
		return -ENODATA;
	qsort(lat, n, sizeof(lat[0]), cmp_double);
	h->probes = n;
	h->probe_max = lat[n - 1];
	h->probe_p99 = lat[(n * 99) / 100];
	h->regain = dmax(h->probe_corr, h->victim_corr);

	/* Recovery: engine reset, queue back up, one fence. */
	tr = mvgpu_now_ns();
	ret = vfio_mmio_write32(o->c.vd.device, MVGPU_REG_CONTROL,
				MVGPU_CONTROL_QUEUE_RESET);
	ret = ret ?: mvgpu_ctx_queue_setup(&o->c, 0, o->c.ring,
					   o->c.ring_size, o->c.qsa);
	ret = ret ?: tenant_irq_setup(o);
	if (ret)
		return ret;
	seq = mvgpu_ctx_fence(&o->c, MVGPU_CMD_F_IRQ);
	ret = seq ? wait_fence(o, seq, 10000) : -EIO;
	h->recover = (mvgpu_now_ns() - tr) / 1e9;
	return ret ?: tenant_err(v) ?: tenant_err(p);
}

static void hostile_diag(int e, const struct hostile_ep *h)
{
	diag("  episode %d: offender failed after %.3f s with %.1f %% of the engine",
	     e, h->failed, h->offender_share * 100);
	diag("    %d probes: longest %.2f ms, p99 %.2f ms; less VM stalls %.2f ms",
	     h->probes, h->probe_max * 1e3, h->probe_p99 * 1e3,
	     h->probe_corr * 1e3);
	diag("    saturating victim, %d gaps between stamps: longest wait %.2f ms",
	     h->stamps, h->victim_max * 1e3);
	diag("      less VM stalls: longest %.2f ms, p99 %.2f ms",
	     h->victim_corr * 1e3, h->victim_p99 * 1e3);
	diag("    queue_wait_max_ns (stalls included): saturating victim %.2f ms, probe %.2f ms",
	     h->wait_a * 1e3, h->wait_p * 1e3);
	diag("    longest VM stall %.1f ms; runs of 2 ms slices took %.2f ms on average",
	     h->stall * 1e3, h->run_len * 1e3);
	diag("    offender recovered (engine reset, queue set up, a fence) in %.1f ms",
	     h->recover * 1e3);
}

static void target_hostile(void)
{
	double regain[64], failed[64], wd_ms, bound_ms;
	struct hostile_ep h;
	char buf[96], bound[32];
	int e, ret = 0, saved = cfg.reps;
	bool pinned;

	wd_ms = param_u64("/sys/module/mvgpu/parameters/watchdog_ms", 500);
	bound_ms = (2 * 2000 * US + SPIN_CHUNK_NS) / 1e6;
	snprintf(bound, sizeof(bound), "<= %.1f ms", bound_ms);
	find_engine_threads();
	pinned = pin_engine_and_monitor(true);

	for (e = 0; e < cfg.hostile_reps && !ret; e++) {
		memset(&h, 0, sizeof(h));
		ret = hostile_episode(&h);
		if (ret) {
			tenants_error(mask_n(3), buf, sizeof(buf));
		} else {
			regain[e] = h.regain;
			failed[e] = h.failed;
			hostile_diag(e, &h);
		}
		stop_all(mask_n(3));
		destroy_all();
	}
	if (pinned)
		pin_engine_and_monitor(false);
	if (ret) {
		report_failed(NAME_REGAIN, bound, "%s (%s)", strerror(-ret),
			      buf);
		report_failed(NAME_RESET, "<= 1 s", "%s", strerror(-ret));
		return;
	}
	diag("hostile: regain = the longest victim wait less the VM stalls inside it");
	diag("hostile: stalls seen from %s",
	     pinned ? "CPU 1, where the engine thread was pinned" :
		      "any CPU (engine thread not pinned)");
	diag("hostile: watchdog_ms %.0f counts the command's own engine time,", wd_ms);
	diag("  and the offender shares the engine with a saturating equal-weight victim");
	cfg.reps = cfg.hostile_reps;
	report(NAME_REGAIN, " ms", 1e3, stat3(regain, cfg.hostile_reps), true,
	       bound_ms, bound, "%.2f");
	report(NAME_RESET, " s", 1, stat3(failed, cfg.hostile_reps), true, 1.0,
	       "<= 1 s", "%.3f");
	cfg.reps = saved;
}

static void coloc_tick(void)
{
	int c0 = kthread_cpu(eng_pid[0]), c1 = kthread_cpu(eng_pid[1]);

	if (c0 < 0 || c1 < 0)
		return;
	coloc_samples++;
	coloc_same += c0 == c1;
}

static void coloc_setup(bool is_b)
{
	window_tick = is_b && eng_pid[0] && eng_pid[1] ? coloc_tick : NULL;
}

/*
 * 10: engines=2.  The partition (tenant 8, part-1e, engine 1) alone (A)
 * and with a saturating time-sliced neighbour (tenant 0) on engine 0 (B),
 * both running the throughput work; then the same A/B with GEMM as a
 * diagnostic (with tcg,thread=single both engines' CPUs are one host
 * thread, so a busy neighbour halves everyone's compute).
 */
static int part_ab(uint64_t cmd_ns, struct mvgpu_cmd cmd, double *chg)
{
	unsigned int all = 1u << 8 | 1, a = 1u << 8;
	struct delta da[64], db[64];
	int r, ret;

	stop_all(all);
	tenant_work(&tenants[8], cmd, cmd_ns, 40);
	tenant_work(&tenants[0], cmd, cmd_ns, 40);
	ret = ab_windows(all, a, all, da, db, coloc_setup);
	window_tick = NULL;
	stop_all(all);
	if (ret)
		return ret;
	for (r = 0; r < cfg.reps; r++)
		chg[r] = dabs((db[r].work[8] / db[r].wall) /
			      (da[r].work[8] / da[r].wall) - 1);
	check_saturated(NAME_PART, all, db, cfg.reps);
	stall_diag("partition with neighbour", db, cfg.reps);
	return 0;
}

static void target_partition(void)
{
	unsigned int all = 1u << 8 | 1;
	double chg[64], gchg[64];
	struct stat3 g;
	uint64_t pg;
	char buf[96];
	int ret;

	find_engine_threads();
	coloc_same = 0;
	coloc_samples = 0;
	ret = part_ab(tput_ns, tput_cmd, chg);
	if (ret) {
		report_failed(NAME_PART, "<= 2 %", "%s (%s)", strerror(-ret),
			      tenants_error(all, buf, sizeof(buf)));
		return;
	}
	if (coloc_samples)
		diag("partition: engine threads on one guest CPU in %.0f %% of %u samples",
		     100.0 * coloc_same / coloc_samples, coloc_samples);
	if (!tput_gemm) {
		pg = calibrate(8, gemm_cmd(GEMM_DIM));
		ret = pg ? part_ab(pg, gemm_cmd(GEMM_DIM), gchg) : -EIO;
		if (ret) {
			diag("partition: GEMM diagnostic failed: %s",
			     strerror(-ret));
		} else {
			g = stat3(gchg, cfg.reps);
			diag("partition: the same A/B with GEMM %ux%ux%u (%.0f us): change %s %%",
			     GEMM_DIM, GEMM_DIM, GEMM_DIM, pg / 1e3,
			     s3(buf, g, 100, 2));
		}
	}
	report(NAME_PART, " %", 100, stat3(chg, cfg.reps), true, 2.0, "<= 2 %",
	       "%.2f");
}

/* ---------------------------------------------------------------------- */

static const char *const all_names[NR_TARGETS] = {
	NAME_WEIGHTED, "jain_index_mixed_n2", "jain_index_mixed_n4",
	"jain_index_mixed_n8", NAME_TPUT, NAME_CTXSW, NAME_NOISY,
	NAME_REGAIN, NAME_RESET, NAME_PART,
};

static const char *const all_targets[NR_TARGETS] = {
	"<= 1 %", ">= 0.995", ">= 0.995", ">= 0.995", ">= 0.97", "<= 0.5 %",
	"<= 3 %", "<= 2 timeslices + 1 chunk", "<= 1 s", "<= 2 %",
};

/* MVGPU_BENCH_ONLY="1,5,8": run only those targets (TAP numbers). */
static unsigned int only_mask = ~0u;

static bool want(int n)
{
	return only_mask & 1u << n;
}

static bool want_any(int from, int to)
{
	while (from <= to)
		if (want(from++))
			return true;
	return false;
}

/* Run target @n (its TAP number must be the next one) or skip it. */
static void run_or_skip(int n, void (*fn)(void))
{
	if (want(n)) {
		fn();
		return;
	}
	nr_results++;
	snprintf(results[n - 1].name, sizeof(results[0].name), "%s",
		 all_names[n - 1]);
	snprintf(results[n - 1].measured, sizeof(results[0].measured), "-");
	snprintf(results[n - 1].target, sizeof(results[0].target), "%s",
		 all_targets[n - 1]);
	results[n - 1].verdict = "skipped";
	printf("ok %d %s # SKIP not in MVGPU_BENCH_ONLY\n", n, all_names[n - 1]);
}

static void jain2(void)
{
	target_jain(2);
}

static void jain4(void)
{
	target_jain(4);
}

static void jain8(void)
{
	target_jain(8);
}

static void fail_rest(int upto, const char *fmt, int err)
{
	while (nr_results < upto)
		report_failed(all_names[nr_results], all_targets[nr_results],
			      fmt, strerror(-err));
}

static void phase_shared(void)
{
	char type[] = "mvgpu-ts-32m";
	int i, ret;

	if (!want_any(1, 7)) {
		for (i = 1; i <= 7; i++)
			run_or_skip(i, NULL);
		return;
	}
	ret = load_sim("engines=1 vram_mb=256");
	if (ret) {
		fail_rest(7, "loading mvgpu, mvgpu_sim engines=1: %s", ret);
		return;
	}
	for (i = 0; i < MAX_TENANTS; i++) {
		ret = tenant_create(&tenants[i], type);
		if (ret) {
			fail_rest(7, "creating 8 ts-32m vGPUs: %s", ret);
			destroy_all();
			return;
		}
	}
	if (tput_gemm) {
		gemm_ns = calibrate(0, gemm_cmd(GEMM_DIM));
		tput_cmd = gemm_cmd(GEMM_DIM);
		tput_ns = gemm_ns;
		snprintf(tput_desc, sizeof(tput_desc), "GEMM %ux%ux%u",
			 GEMM_DIM, GEMM_DIM, GEMM_DIM);
	} else {
		gemm_ns = 1;
		tput_cmd = spin_cmd(MS);
		tput_ns = MS;
		snprintf(tput_desc, sizeof(tput_desc), "SPIN 1 ms");
	}
	fill_ns = calibrate(1, fill_cmd(FILL_BYTES));
	diag("calibration (engine time per command, engines=1): %s %.1f us, FILL %llu MiB %.1f us",
	     tput_desc, tput_ns / 1e3, FILL_BYTES >> 20, fill_ns / 1e3);
	if (!gemm_ns || !fill_ns) {
		fail_rest(7, "calibration: %s", -EIO);
		destroy_all();
		return;
	}

	run_or_skip(1, target_weighted);
	run_or_skip(2, jain2);
	run_or_skip(3, jain4);
	run_or_skip(4, jain8);
	run_or_skip(5, target_throughput);
	run_or_skip(6, target_ctxsw);
	run_or_skip(7, target_noisy);
	destroy_all();
}

static void phase_hostile(void)
{
	int ret;

	if (!want_any(8, 9)) {
		run_or_skip(8, NULL);
		run_or_skip(9, NULL);
		return;
	}
	ret = load_sim("engines=1 vram_mb=256");
	if (ret) {
		fail_rest(9, "loading mvgpu, mvgpu_sim engines=1: %s", ret);
		return;
	}
	only_mask |= 1u << 8 | 1u << 9;	/* one experiment, two figures */
	target_hostile();
}

static void phase_partition(void)
{
	int ret;

	if (!want(10)) {
		run_or_skip(10, NULL);
		return;
	}
	ret = load_sim("engines=2 vram_mb=256");
	if (ret) {
		fail_rest(10, "loading mvgpu, mvgpu_sim engines=2: %s", ret);
		return;
	}

	ret = tenant_create(&tenants[8], "mvgpu-part-1e-128m");
	ret = ret ?: tenant_create(&tenants[0], "mvgpu-ts-32m");
	if (ret) {
		fail_rest(10, "creating part-1e-128m and ts-32m: %s", ret);
		destroy_all();
		return;
	}
	target_partition();
	destroy_all();
}

static const char *accel(void)
{
	const char *a = getenv("MVGPU_ACCEL");

	return a && *a ? a : "unknown";
}

int main(void)
{
	struct utsname u;
	int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (getenv("MVGPU_BENCH_QUICK") &&
	    strcmp(getenv("MVGPU_BENCH_QUICK"), "0")) {
		cfg.quick = true;
		cfg.reps = 3;
		cfg.hostile_reps = 1;
		cfg.window_ns = 250 * MS;
		cfg.settle_ns = 100 * MS;
	}
	if (getenv("MVGPU_BENCH_ONLY")) {
		char *p = getenv("MVGPU_BENCH_ONLY"), *end;
		long n;

		only_mask = 0;
		for (;;) {
			n = strtol(p, &end, 10);
			if (end == p)
				break;
			if (n > 0 && n <= NR_TARGETS)
				only_mask |= 1u << n;
			p = *end ? end + 1 : end;
		}
	}
	tput_gemm = getenv("MVGPU_BENCH_WORK") &&
		    !strcmp(getenv("MVGPU_BENCH_WORK"), "gemm");
	srand(getpid());
	uname(&u);

	printf("TAP version 13\n1..%d\n", NR_TARGETS);
	pthread_create(&stall_thread, NULL, stall_monitor, NULL);
	diag("sched_bench: kernel %s, accel %s, %d x %.2f s windows, throughput work %s%s",
	     u.release, accel(), cfg.reps, cfg.window_ns / 1e9,
	     tput_gemm ? "GEMM" : "SPIN",
	     cfg.quick ? " (MVGPU_BENCH_QUICK)" : "");

	phase_shared();
	phase_hostile();
	phase_partition();
	mvgpu_unload();
	__atomic_store_n(&stall_stop, true, __ATOMIC_RELAXED);
	pthread_join(stall_thread, NULL);

	diag("");
	diag("%-30s %-30s %-26s %-7s %-22s %s", "target", "measured [min..max]",
	     "target", "result", "kernel", "accel");
	for (i = 0; i < nr_results; i++)
		diag("%-30s %-30s %-26s %-7s %-22s %s", results[i].name,
		     results[i].measured, results[i].target,
		     results[i].verdict, u.release, accel());
	return any_failed ? 1 : 0;
}
