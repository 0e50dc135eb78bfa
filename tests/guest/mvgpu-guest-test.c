// SPDX-License-Identifier: GPL-2.0
/*
 * mvgpu-guest-test: /dev/mvgpu0 of mvgpu_guest.ko, and what its clients see
 * when the device goes away under them.
 *
 * Runs in the nested guest (L2) of tests/selftests/nested_guest_test.sh
 * with the driver loaded.  In order:
 *
 *   info        MVGPU_IOC_INFO answers with the device's version and a
 *               VRAM window
 *   copy, fill  a buffer is allocated and mapped, a pattern written through
 *               the mapping, a COPY and a FILL submitted and waited for,
 *               and the bytes read back through the mapping
 *   gemm_f32    MVGPU_IOC_INFO reports MVGPU_FEAT_GEMM_F32, and a GEMM_F32
 *               of small integers, exact in float32, gives the exact product
 *   full_ring   while one file's submission waits for room in queue 0's
 *               full ring, a second open file allocates, submits to
 *               queue 1 and gets its fence: a client on a full ring holds
 *               up no other
 *   removal     with the file open, the buffer mapped and a second thread
 *               waiting for the fence of a long run of SPIN commands, the
 *               PCI function is removed through sysfs:
 *     waiter    the waiting MVGPU_IOC_WAIT fails with ENODEV
 *     ioctls    INFO, ALLOC, SUBMIT and WAIT fail with ENODEV afterwards
 *     mmap      a new mapping fails with ENODEV
 *     mapping   touching the old mapping raises SIGBUS (caught here)
 *     close     munmap() and close() succeed
 *   rescan      /sys/bus/pci/rescan brings /dev/mvgpu0 back, and a fresh
 *               open, ALLOC, mmap and FILL work
 *
 * Prints one "key=value" line per step ("ok" when it behaved as the device
 * manual says) and "# ..." details; exit status 0 if every step was ok, 1
 * otherwise, 2 if there was no /dev/mvgpu0 to start with.
 *
 * Usage: mvgpu-guest-test [DEVICE]   (default /dev/mvgpu0)
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/mvgpu.h>

#define BUF_PART	(64 * 1024)	/* source, copy, fill: one each */
#define BUF_SIZE	(3 * BUF_PART)
#define FILL_VALUE	0x5aa5c33cu
/*
 * The removal runs while the device works through this many SPINs of this
 * length (25 s, which the removal cuts short): long enough to be sure the
 * waiter still sleeps when the device goes, each well under the host's
 * 400 ms watchdog.
 */
#define SPIN_COUNT	250
#define SPIN_NS		100000000ull
#define WAIT_MS		60000
#define APPEAR_MS	20000

/*
 * VRAM accesses through the mapping: one load or store of exactly this
 * width, never merged, split or left out by the compiler.
 */
#define vram_read(p)		__atomic_load_n((p), __ATOMIC_RELAXED)
#define vram_write(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELAXED)

/* full_ring: 2 s of SPINs at the head of a ring two submissions overfill. */
#define FULL_SPINS	8
#define FULL_SPIN_NS	250000000ull

static const char *dev_path = "/dev/mvgpu0";
static int failures;

static void report(const char *key, bool ok, const char *what)
{
	printf("%s=%s\n", key, ok ? "ok" : what);
	if (!ok)
		failures++;
	fflush(stdout);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int write_sysfs(const char *path, const char *val)
{
	ssize_t len = strlen(val), n;
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n != len) {
		n = n < 0 ? -errno : -EIO;
		close(fd);
		return n;
	}
	return close(fd) ? -errno : 0;
}

/* Open DEV, waiting up to APPEAR_MS for it to show up. */
static int open_dev(void)
{
	double end = now() + APPEAR_MS / 1000.0;
	int fd;

	for (;;) {
		fd = open(dev_path, O_RDWR | O_CLOEXEC);
		if (fd >= 0 || errno != ENOENT || now() > end)
			return fd;
		usleep(20000);
	}
}

static struct mvgpu_cmd cmd(uint32_t opcode, uint64_t a0, uint64_t a1,
			    uint64_t a2)
{
	struct mvgpu_cmd c = { .opcode = opcode };

	c.args[0] = a0;
	c.args[1] = a1;
	c.args[2] = a2;
	return c;
}

/* Submit COUNT commands to queue 0; the fence in *FENCE.  -errno or 0. */
static int submit(int fd, struct mvgpu_cmd *cmds, uint32_t count,
		  uint64_t *fence)
{
	struct mvgpu_ioc_submit req = {
		.cmds = (uintptr_t)cmds, .count = count, .queue = 0,
	};

	if (ioctl(fd, MVGPU_IOC_SUBMIT, &req))
		return -errno;
	*fence = req.fence;
	return 0;
}

static int wait_fence(int fd, uint64_t fence, uint32_t timeout_ms)
{
	struct mvgpu_ioc_wait req = {
		.fence = fence, .queue = 0, .timeout_ms = timeout_ms,
	};

	return ioctl(fd, MVGPU_IOC_WAIT, &req) ? -errno : 0;
}

struct filler {
	int fd;
	int entered;	/* __atomic: the submission that must wait began */
	int returned;	/* __atomic: and it returned */
	int ret;
	uint64_t fence;
};

static struct mvgpu_cmd fill_cmds[MVGPU_SUBMIT_MAX];

/* Fill queue 0's ring, then submit what has to wait for room. */
static void *filler_main(void *arg)
{
	struct filler *f = arg;
	unsigned int i;

	for (i = 0; i < MVGPU_SUBMIT_MAX; i++)
		fill_cmds[i] = cmd(i < FULL_SPINS ? MVGPU_OP_SPIN : MVGPU_OP_NOP,
				   i < FULL_SPINS ? FULL_SPIN_NS : 0, 0, 0);
	f->ret = submit(f->fd, fill_cmds, MVGPU_SUBMIT_MAX, &f->fence);
	if (!f->ret) {
		for (i = 0; i < FULL_SPINS; i++)
			fill_cmds[i] = cmd(MVGPU_OP_NOP, 0, 0, 0);
		__atomic_store_n(&f->entered, 1, __ATOMIC_SEQ_CST);
		f->ret = submit(f->fd, fill_cmds, MVGPU_SUBMIT_MAX, &f->fence);
	}
	__atomic_store_n(&f->returned, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/*
 * Two submissions of MVGPU_SUBMIT_MAX commands (and their fences) overfill
 * the driver's 2048-slot ring, so the filler's second one waits behind 2 s
 * of SPINs.  Meanwhile a second file of the same device must get its
 * allocation, submission and fence (the driver held its device lock
 * through that wait, for up to 10 s, blocking every other client).
 */
static void check_full_ring(unsigned int queues)
{
	struct mvgpu_cmd nop = cmd(MVGPU_OP_NOP, 0, 0, 0);
	struct mvgpu_ioc_alloc buf = { .size = BUF_PART };
	struct mvgpu_ioc_submit sub = {
		.cmds = (uintptr_t)&nop, .count = 1, .queue = 1,
	};
	struct mvgpu_ioc_wait wait = { .queue = 1, .timeout_ms = WAIT_MS };
	struct filler f = { .fd = open_dev() };
	bool ok = true, blocked;
	pthread_t thread;
	int fd2 = open_dev();

	if (queues < 2 || f.fd < 0 || fd2 < 0) {
		printf("# full_ring: %u queues, open: %s\n", queues,
		       strerror(errno));
		report("full_ring", false, "setup");
		goto out;
	}
	if (pthread_create(&thread, NULL, filler_main, &f)) {
		report("full_ring", false, "thread");
		goto out;
	}
	while (!__atomic_load_n(&f.entered, __ATOMIC_SEQ_CST) &&
	       !__atomic_load_n(&f.returned, __ATOMIC_SEQ_CST))
		usleep(1000);
	usleep(50000);	/* let it reach the wait */
	blocked = !__atomic_load_n(&f.returned, __ATOMIC_SEQ_CST);
	if (!blocked)
		printf("# full_ring: the filler did not wait (%s)\n",
		       strerror(-f.ret));

	if (ioctl(fd2, MVGPU_IOC_ALLOC, &buf) ||
	    ioctl(fd2, MVGPU_IOC_FREE, &buf) ||
	    ioctl(fd2, MVGPU_IOC_SUBMIT, &sub)) {
		printf("# full_ring: ALLOC, FREE, SUBMIT: %s\n", strerror(errno));
		ok = false;
	}
	wait.fence = sub.fence;
	if (ok && ioctl(fd2, MVGPU_IOC_WAIT, &wait)) {
		printf("# full_ring: WAIT: %s\n", strerror(errno));
		ok = false;
	}
	if (__atomic_load_n(&f.returned, __ATOMIC_SEQ_CST)) {
		printf("# full_ring: the second client was served only after the filler\n");
		ok = false;
	}
	pthread_join(thread, NULL);
	if (f.ret)
		printf("# full_ring: filler: %s\n", strerror(-f.ret));
	else if (wait_fence(f.fd, f.fence, WAIT_MS))
		printf("# full_ring: filler's fence: %s\n", strerror(errno));
	report("full_ring", blocked && ok && !f.ret &&
	       !wait_fence(f.fd, f.fence, 0), "blocked");
out:
	if (fd2 >= 0)
		close(fd2);
	if (f.fd >= 0)
		close(f.fd);
}

/*
 * A buffer of BUF_SIZE, mapped: its offset in *OFF, NULL on failure (with
 * the reason printed).
 */
static uint32_t *alloc_map(int fd, uint64_t *off)
{
	struct mvgpu_ioc_alloc req = { .size = BUF_SIZE };
	void *p;

	if (ioctl(fd, MVGPU_IOC_ALLOC, &req)) {
		printf("# ALLOC: %s\n", strerror(errno));
		return NULL;
	}
	p = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 req.offset);
	if (p == MAP_FAILED) {
		printf("# mmap: %s\n", strerror(errno));
		return NULL;
	}
	*off = req.offset;
	return p;
}

/* Words of BUF at WORD..WORD+COUNT equal VAL (or VAL + index if INC). */
static bool check_words(uint32_t *buf, size_t word, size_t count,
			uint32_t val, bool inc, const char *what)
{
	size_t i;

	for (i = 0; i < count; i++) {
		uint32_t want = inc ? val + i : val;

		uint32_t got = vram_read(&buf[word + i]);

		if (got != want) {
			printf("# %s: word %zu is 0x%08x, not 0x%08x\n", what,
			       i, got, want);
			return false;
		}
	}
	return true;
}

/* FILL the third part of the buffer, wait, check: the "fill" step. */
static bool fill_check(int fd, uint32_t *buf, uint64_t off,
		       uint32_t val)
{
	struct mvgpu_cmd c = cmd(MVGPU_OP_FILL, off + 2 * BUF_PART, BUF_PART,
				 val);
	uint64_t fence;
	int ret;

	ret = submit(fd, &c, 1, &fence);
	if (!ret)
		ret = wait_fence(fd, fence, WAIT_MS);
	if (ret) {
		printf("# FILL: %s\n", strerror(-ret));
		return false;
	}
	return check_words(buf, 2 * BUF_PART / 4, BUF_PART / 4, val, false,
			   "fill");
}

/*
 * The "gemm_f32" step: C (the second part of the buffer) = A x B (both in
 * the first part), 16 x 16 x 16 small integers, so that the product is
 * exact in float32 whatever the order of the additions.
 */
#define GF_DIM	16

static bool gemm_f32_check(int fd, uint32_t *buf, uint64_t off)
{
	const uint32_t a_w = 0, b_w = GF_DIM * GF_DIM, c_w = BUF_PART / 4;
	struct mvgpu_cmd c = cmd(MVGPU_OP_GEMM_F32, off + c_w * 4,
				 off + a_w * 4, off + b_w * 4);
	unsigned int i, j, p;
	uint64_t fence;
	float f;
	int ret;

	c.args[3] = GF_DIM;
	c.args[4] = GF_DIM;
	c.args[5] = GF_DIM;
	for (i = 0; i < 2 * GF_DIM * GF_DIM; i++) {
		uint32_t u;

		f = (float)((int)(i % 7) - 3);
		memcpy(&u, &f, sizeof(u));
		vram_write(&buf[a_w + i], u);
	}
	ret = submit(fd, &c, 1, &fence);
	if (!ret)
		ret = wait_fence(fd, fence, WAIT_MS);
	if (ret) {
		printf("# GEMM_F32: %s\n", strerror(-ret));
		return false;
	}
	for (i = 0; i < GF_DIM; i++)
		for (j = 0; j < GF_DIM; j++) {
			int want = 0;
			uint32_t u = vram_read(&buf[c_w + i * GF_DIM + j]);

			for (p = 0; p < GF_DIM; p++)
				want += ((int)((i * GF_DIM + p) % 7) - 3) *
					((int)((b_w + p * GF_DIM + j) % 7) - 3);
			memcpy(&f, &u, sizeof(f));
			if (f != (float)want) {
				printf("# GEMM_F32: C[%u][%u] is %g, not %d\n",
				       i, j, f, want);
				return false;
			}
		}
	return true;
}

/* The thread that sleeps in MVGPU_IOC_WAIT while the device goes away. */
struct waiter {
	int fd;
	uint64_t fence;
	int ret;
	double done_at;
	bool done;
};

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;

	w->ret = wait_fence(w->fd, w->fence, WAIT_MS);
	w->done_at = now();
	__atomic_store_n(&w->done, true, __ATOMIC_RELEASE);
	return NULL;
}

static sigjmp_buf sigbus_jmp;

static void on_sigbus(int sig)
{
	siglongjmp(sigbus_jmp, 1);
}

/* Read a word of the old mapping: true if that raised SIGBUS. */
static bool touch_raises_sigbus(uint32_t *p, uint32_t *val)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	bool bus = false;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(sigbus_jmp, 1))
		bus = true;
	else
		*val = vram_read(p);
	sigaction(SIGBUS, &old, NULL);
	return bus;
}

/* What follows the last '/' of PATH. */
static const char *last_part(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static const char *err_name(int err)
{
	switch (err) {
	case 0: return "0";
	case ENODEV: return "ENODEV";
	case EIO: return "EIO";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EINTR: return "EINTR";
	default: return strerror(err);
	}
}

/* The device goes away under an open file: the "removal" steps. */
static void removal(int fd, uint32_t *buf, uint64_t off,
		    const char *remove_path)
{
	static struct mvgpu_cmd spins[SPIN_COUNT];
	struct mvgpu_ioc_alloc areq = { .size = BUF_SIZE };
	struct mvgpu_ioc_info info;
	struct waiter w = { .fd = fd };
	int i, ret, bad = 0;
	pthread_t thread;
	uint64_t fence;
	uint32_t val;
	double t0;
	void *p;

	for (i = 0; i < SPIN_COUNT; i++)
		spins[i] = cmd(MVGPU_OP_SPIN, SPIN_NS, 0, 0);
	ret = submit(fd, spins, SPIN_COUNT, &w.fence);
	if (ret) {
		printf("# SUBMIT of the SPINs: %s\n", strerror(-ret));
		report("remove_waiter", false, "no-submit");
		return;
	}
	if (pthread_create(&thread, NULL, waiter_main, &w)) {
		report("remove_waiter", false, "no-thread");
		return;
	}
	/* Let it reach its sleep (the fence is seconds away). */
	usleep(300000);
	ret = wait_fence(fd, w.fence, 0);
	t0 = now();
	printf("# when the device is removed: fence %s, waiter %s\n",
	       ret == -ETIMEDOUT ? "pending" :
	       ret ? err_name(-ret) : "already complete",
	       __atomic_load_n(&w.done, __ATOMIC_ACQUIRE) ? "already done" :
	       "waiting");
	fflush(stdout);
	ret = write_sysfs(remove_path, "1");
	printf("# echo 1 > %s: %s, %.2f s\n", remove_path,
	       ret ? strerror(-ret) : "done", now() - t0);
	report("remove_sysfs", !ret, "failed");
	pthread_join(thread, NULL);
	printf("# waiter: %s after %.2f s\n", err_name(-w.ret), w.done_at - t0);
	report("remove_waiter", w.ret == -ENODEV, err_name(-w.ret));

	/* Every later ioctl: ENODEV. */
	if (!ioctl(fd, MVGPU_IOC_INFO, &info) || errno != ENODEV) {
		printf("# INFO: %s\n", err_name(errno));
		bad++;
	}
	if (!ioctl(fd, MVGPU_IOC_ALLOC, &areq) || errno != ENODEV) {
		printf("# ALLOC: %s\n", err_name(errno));
		bad++;
	}
	ret = submit(fd, spins, 1, &fence);
	if (ret != -ENODEV) {
		printf("# SUBMIT: %s\n", err_name(-ret));
		bad++;
	}
	ret = wait_fence(fd, w.fence, 0);
	if (ret != -ENODEV) {
		printf("# WAIT: %s\n", err_name(-ret));
		bad++;
	}
	report("remove_ioctls", !bad, "bad");

	p = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	printf("# new mmap: %s\n", p == MAP_FAILED ? err_name(errno) : "mapped");
	report("remove_mmap", p == MAP_FAILED && errno == ENODEV, "bad");
	if (p != MAP_FAILED)
		munmap(p, BUF_SIZE);

	if (touch_raises_sigbus(buf, &val)) {
		printf("# old mapping: SIGBUS\n");
		report("remove_mapping", true, "");
	} else {
		printf("# old mapping: read 0x%08x, no SIGBUS\n", val);
		report("remove_mapping", false, "readable");
	}

	ret = munmap((void *)buf, BUF_SIZE) ? -errno : 0;
	if (close(fd) && !ret)
		ret = -errno;
	report("remove_close", !ret, err_name(-ret));
}

int main(int argc, char **argv)
{
	char link[PATH_MAX], remove_path[PATH_MAX], sysdev[PATH_MAX];
	struct mvgpu_ioc_info info = { 0 };
	uint32_t *buf;
	struct mvgpu_cmd copy;
	uint64_t off, fence;
	ssize_t n;
	double start = now(), t0;
	int fd, ret;
	size_t i;

	if (argc > 1)
		dev_path = argv[1];
	fd = open_dev();
	if (fd < 0) {
		printf("# open %s: %s\n", dev_path, strerror(errno));
		return 2;
	}
	/* Its PCI function, while it is there: /sys/class/misc/<name>/device. */
	snprintf(sysdev, sizeof(sysdev), "/sys/class/misc/%s/device",
		 last_part(dev_path));
	n = readlink(sysdev, link, sizeof(link) - 1);
	if (n <= 0) {
		printf("# readlink %s: %s\n", sysdev, strerror(errno));
		return 2;
	}
	link[n] = '\0';
	snprintf(remove_path, sizeof(remove_path),
		 "/sys/bus/pci/devices/%s/remove", last_part(link));
	printf("# %s is PCI function %s\n", dev_path, last_part(link));

	ret = ioctl(fd, MVGPU_IOC_INFO, &info) ? -errno : 0;
	if (!ret)
		printf("# info: version 0x%08x features 0x%x vram %llu queues %u profile %u\n",
		       info.version, info.features,
		       (unsigned long long)info.vram_size, info.queues,
		       info.profile);
	report("info", !ret && info.version >> 16 == MVGPU_VERSION_MAJOR &&
	       info.vram_size >= BUF_SIZE && info.queues, "bad");

	buf = alloc_map(fd, &off);
	if (!buf) {
		report("copy", false, "no-buffer");
		return 1;
	}
	for (i = 0; i < BUF_PART / 4; i++)
		vram_write(&buf[i], 0xc0de0000u + i);
	copy = cmd(MVGPU_OP_COPY, off + BUF_PART, off, BUF_PART);
	ret = submit(fd, &copy, 1, &fence);
	if (!ret)
		ret = wait_fence(fd, fence, WAIT_MS);
	if (ret)
		printf("# COPY: %s\n", strerror(-ret));
	report("copy", !ret && check_words(buf, BUF_PART / 4, BUF_PART / 4,
					   0xc0de0000u, true, "copy"), "bad");
	report("fill", fill_check(fd, buf, off, FILL_VALUE), "bad");
	if (!(info.features & MVGPU_FEAT_GEMM_F32))
		report("gemm_f32", false, "no-feature");
	else
		report("gemm_f32", gemm_f32_check(fd, buf, off), "bad");

	check_full_ring(ret ? 0 : info.queues);

	removal(fd, buf, off, remove_path);

	t0 = now();
	ret = write_sysfs("/sys/bus/pci/rescan", "1");
	if (ret)
		printf("# rescan: %s\n", strerror(-ret));
	fd = open_dev();
	printf("# rescan: %s %s after %.2f s\n", dev_path,
	       fd < 0 ? "not there" : "back", now() - t0);
	if (fd < 0) {
		printf("# open %s after the rescan: %s\n", dev_path,
		       strerror(errno));
		report("rescan_fill", false, "no-device");
	} else {
		buf = alloc_map(fd, &off);
		report("rescan_fill", buf &&
		       fill_check(fd, buf, off, ~FILL_VALUE), "bad");
		if (buf)
			munmap((void *)buf, BUF_SIZE);
		close(fd);
	}

	printf("mvgpu-guest-test: %s (%.1f s)\n", failures ? "FAILED" : "all ok",
	       now() - start);
	return failures ? 1 : 0;
}
