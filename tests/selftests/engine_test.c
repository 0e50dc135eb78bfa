// SPDX-License-Identifier: GPL-2.0
/*
 * engine_test: the Vulkan-backed pGPU (mvgpu_user + mvgpu-engined), run
 * with MVGPU_BACKEND=user (make check-vk); skipped otherwise.
 *
 *   protocol      /dev/mvgpu-engine refuses what a bad server sends:
 *                 wrong major version, bad names and sizes, a second
 *                 server for an online pGPU, fetches for engines that do
 *                 not exist or without ATTACH, a writable descriptor
 *                 mapping, REMOVE of an online pGPU.
 *   results       every opcode through a vGPU matches the CPU bit for bit
 *                 (integers), with chunks split across several engines'
 *                 submissions.
 *   kill          SIGKILL of the server during a long GEMM: every vGPU
 *                 of the pGPU shows MVGPU_ERR_HOST within the stated
 *                 bound (2 s after the kill, under TCG), VRAM is untouched, a new
 *                 vGPU is refused with EHOSTDOWN; a restarted server
 *                 takes the pGPU over and a reset brings the vGPUs back.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/mvgpu_engine.h>

#include "kselftest_harness.h"
#include "mvgpu_test.h"

#define ENGINE_NODE	"/dev/mvgpu-engine"
#define TYPE		"mvgpu-ts-64m"
/*
 * Every vGPU is in MVGPU_ERR_HOST this long after the server died: the
 * kernel fails them all as soon as the dying process closes its file,
 * which the exit of a Vulkan process under TCG delays by a few hundred ms.
 */
#define OFFLINE_BOUND_MS	2000

static uint32_t rng = 0x2545f491;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static struct mvgpu_cmd mkcmd(uint32_t op, uint64_t a0, uint64_t a1,
			      uint64_t a2, uint64_t a3, uint64_t a4,
			      uint64_t a5)
{
	struct mvgpu_cmd c = {
		.opcode = op,
		.args = { a0, a1, a2, a3, a4, a5, 0 },
	};

	return c;
}

static int run1(struct mvgpu_ctx *c, struct mvgpu_cmd cmd, int timeout_ms)
{
	uint64_t seq;
	int ret;

	ret = mvgpu_ctx_submit(c, &cmd, 1);
	if (ret)
		return ret;
	seq = mvgpu_ctx_fence(c, 0);
	return seq ? mvgpu_ctx_wait(c, seq, timeout_ms) : -EIO;
}

static const char *user_skip(void)
{
	if (!mvgpu_backend_user())
		return "needs MVGPU_BACKEND=user (make check-vk)";
	if (geteuid())
		return "needs root";
	return NULL;
}

/* An ATTACH argument that the kernel accepts, under @name. */
static void attach_arg(struct mvgpu_engine_attach *a, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->argsz = sizeof(*a);
	a->version = MVGPU_ENGINE_VERSION_CURRENT;
	a->nr_engines = 2;
	a->vram_size = 16 << 20;
	snprintf(a->name, sizeof(a->name), "%s", name);
	snprintf(a->model, sizeof(a->model), "engine_test");
}

TEST(protocol)
{
	struct mvgpu_engine_fetch f = { .engine = 0, .timeout_ms = 10 };
	struct mvgpu_engine_remove r = { "engine-test-p" };
	struct mvgpu_engine_attach a;
	int fd, fd2;
	void *p;

	if (user_skip())
		SKIP(return, "%s", user_skip());
	ASSERT_EQ(0, mvgpu_load(NULL));
	fd = open(ENGINE_NODE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);

	/* Nothing works before ATTACH. */
	EXPECT_EQ(-1, ioctl(fd, MVGPU_ENGINE_COMMIT_AND_FETCH, &f));
	EXPECT_EQ(ESHUTDOWN, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0));

	attach_arg(&a, "engine-test-p");
	a.version = MVGPU_ENGINE_VERSION(2, 0);
	EXPECT_EQ(-1, ioctl(fd, MVGPU_ENGINE_ATTACH, &a));
	EXPECT_EQ(EPROTONOSUPPORT, errno);
	attach_arg(&a, "bad/name");
	EXPECT_EQ(-1, ioctl(fd, MVGPU_ENGINE_ATTACH, &a));
	EXPECT_EQ(EINVAL, errno);
	attach_arg(&a, "engine-test-p");
	a.vram_size = 24 << 20;
	EXPECT_EQ(-1, ioctl(fd, MVGPU_ENGINE_ATTACH, &a));
	EXPECT_EQ(EINVAL, errno);
	attach_arg(&a, "engine-test-p");
	a.nr_engines = 17;
	EXPECT_EQ(-1, ioctl(fd, MVGPU_ENGINE_ATTACH, &a));
	EXPECT_EQ(EINVAL, errno);
	attach_arg(&a, "engine-test-p");
	a.reserved[3] = 1;
	EXPECT_EQ(-1, ioctl(fd, MVGPU_ENGINE_ATTACH, &a));
	EXPECT_EQ(EINVAL, errno);
	attach_arg(&a, "engine-test-p");
	a.model[0] = '\n';
	EXPECT_EQ(-1, ioctl(fd, MVGPU_ENGINE_ATTACH, &a));
	EXPECT_EQ(EINVAL, errno);

	/* A good one: version negotiated down to what the kernel has. */
	attach_arg(&a, "engine-test-p");
	a.version = MVGPU_ENGINE_VERSION(MVGPU_ENGINE_VERSION_MAJOR, 99);
	ASSERT_EQ(0, ioctl(fd, MVGPU_ENGINE_ATTACH, &a));
	EXPECT_EQ(MVGPU_ENGINE_VERSION_CURRENT, a.version);
	EXPECT_EQ(0, a.takeover);
	attach_arg(&a, "engine-test-p");
	EXPECT_EQ(-1, ioctl(fd, MVGPU_ENGINE_ATTACH, &a));
	EXPECT_EQ(EALREADY, errno);

	/* A second server for the same, online, pGPU. */
	fd2 = open(ENGINE_NODE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	attach_arg(&a, "engine-test-p");
	EXPECT_EQ(-1, ioctl(fd2, MVGPU_ENGINE_ATTACH, &a));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, ioctl(fd2, MVGPU_ENGINE_REMOVE, &r));
	EXPECT_EQ(EBUSY, errno);

	/* Fetches: bad engine, bad padding, bad timeout; then a timeout. */
	f.engine = 2;
	EXPECT_EQ(-1, ioctl(fd, MVGPU_ENGINE_COMMIT_AND_FETCH, &f));
	EXPECT_EQ(EINVAL, errno);
	f.engine = 0;
	f.pad = 1;
	EXPECT_EQ(-1, ioctl(fd, MVGPU_ENGINE_COMMIT_AND_FETCH, &f));
	EXPECT_EQ(EINVAL, errno);
	f.pad = 0;
	f.timeout_ms = 60001;
	EXPECT_EQ(-1, ioctl(fd, MVGPU_ENGINE_COMMIT_AND_FETCH, &f));
	EXPECT_EQ(EINVAL, errno);
	f.timeout_ms = 10;
	f.seq = 12345;		/* a commit for nothing outstanding: ignored */
	EXPECT_EQ(-1, ioctl(fd, MVGPU_ENGINE_COMMIT_AND_FETCH, &f));
	EXPECT_EQ(ETIMEDOUT, errno);

	/* Mappings: VRAM shared only and within size, descriptors read-only. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				   MAP_SHARED, fd, MVGPU_ENGINE_MMAP_DESC));
	EXPECT_EQ(EPERM, errno);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, MVGPU_ENGINE_MMAP_DESC);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mprotect(p, 4096, PROT_READ | PROT_WRITE));
	munmap(p, 4096);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 32 << 20, PROT_READ, MAP_SHARED, fd,
				   MVGPU_ENGINE_MMAP_VRAM));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd,
				   MVGPU_ENGINE_MMAP_VRAM));
	p = mmap(NULL, 16 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 MVGPU_ENGINE_MMAP_VRAM);
	ASSERT_NE(MAP_FAILED, p);
	munmap(p, 16 << 20);

	/* DETACH: offline; the second server takes over; then REMOVE. */
	ASSERT_EQ(0, ioctl(fd, MVGPU_ENGINE_DETACH));
	EXPECT_EQ(-1, ioctl(fd, MVGPU_ENGINE_COMMIT_AND_FETCH, &f));
	EXPECT_EQ(ESHUTDOWN, errno);
	attach_arg(&a, "engine-test-p");
	a.nr_engines = 3;	/* a take-over keeps the shape */
	EXPECT_EQ(-1, ioctl(fd2, MVGPU_ENGINE_ATTACH, &a));
	EXPECT_EQ(EINVAL, errno);
	attach_arg(&a, "engine-test-p");
	ASSERT_EQ(0, ioctl(fd2, MVGPU_ENGINE_ATTACH, &a));
	EXPECT_EQ(1, a.takeover);
	close(fd2);		/* server exit: offline again */
	EXPECT_EQ(0, ioctl(fd, MVGPU_ENGINE_REMOVE, &r));
	EXPECT_EQ(-1, ioctl(fd, MVGPU_ENGINE_REMOVE, &r));
	EXPECT_EQ(ENOENT, errno);
	close(fd);
}

FIXTURE(vk)
{
	char uuid[2][MVGPU_UUID_LEN];
	struct mvgpu_ctx c[2];
	bool open[2];
	char old_watchdog[16];
};

FIXTURE_SETUP(vk)
{
	unsigned int i;

	/*
	 * 6.1's harness runs the body after a SKIP here: leave the way a
	 * failed ASSERT does (see MVGPU_HOST_CHECK).
	 */
	if (user_skip())
		SKIP(longjmp(_metadata->env, 1), "%s", user_skip());
	ASSERT_EQ(0, mvgpu_load(NULL));
	/* Long GEMMs on lavapipe under TCG outlast the default watchdog. */
	sysfs_read_str("/sys/module/mvgpu/parameters/watchdog_ms",
		       self->old_watchdog, sizeof(self->old_watchdog));
	sysfs_write_str("/sys/module/mvgpu/parameters/watchdog_ms", "600000");
	for (i = 0; i < 2; i++) {
		mvgpu_uuid_gen(self->uuid[i]);
		ASSERT_EQ(0, mdev_create(TYPE, self->uuid[i]));
		ASSERT_EQ(0, mvgpu_ctx_open(self->uuid[i], &self->c[i]));
		self->open[i] = true;
	}
}

FIXTURE_TEARDOWN(vk)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		if (self->open[i])
			mvgpu_ctx_close(&self->c[i]);
		if (self->uuid[i][0] && mdev_exists(self->uuid[i]))
			EXPECT_EQ(0, mdev_remove(self->uuid[i]));
	}
	if (self->old_watchdog[0])
		sysfs_write_str("/sys/module/mvgpu/parameters/watchdog_ms",
				self->old_watchdog);
}

static void gemm_ref(const uint32_t *a, const uint32_t *b, uint32_t *c,
		     unsigned int m, unsigned int n, unsigned int k)
{
	unsigned int i, j, l;

	for (i = 0; i < m; i++)
		for (j = 0; j < n; j++) {
			uint32_t s = 0;

			for (l = 0; l < k; l++)
				s += a[i * k + l] * b[l * n + j];
			c[i * n + j] = s;
		}
}

TEST_F_TIMEOUT(vk, results, 600)
{
	struct mvgpu_ctx *c = &self->c[0];
	uint32_t *w = (uint32_t *)c->vram, *ref;
	const unsigned int M = 96, N = 80, K = 72;
	uint64_t sum = 0, got;
	uint32_t a = rnd();
	unsigned int i;

	ref = malloc(4 << 20);
	ASSERT_NE(NULL, ref);

	/* FILL and COPY at odd offsets and sizes. */
	for (i = 0; i < (4 << 20) / 4; i++)
		w[i] = rnd();
	memcpy(ref, w, 4 << 20);
	ASSERT_EQ(0, run1(c, mkcmd(MVGPU_OP_FILL, 4096, 40000, 0xa5a55a5a,
				   0, 0, 0), 60000));
	for (i = 0; i < 10000; i++)
		ref[1024 + i] = 0xa5a55a5a;
	ASSERT_EQ(0, run1(c, mkcmd(MVGPU_OP_COPY, (2 << 20) + 3, 1,
				   (1 << 20) + 5, 0, 0, 0), 60000));
	memcpy((uint8_t *)ref + (2 << 20) + 3, (uint8_t *)ref + 1,
	       (1 << 20) + 5);
	EXPECT_EQ(0, memcmp(ref, w, 4 << 20));

	/* AXPY and REDUCE over 1 Mi elements. */
	for (i = 0; i < (1 << 20) / 4; i++)
		ref[i] = a * w[(2 << 20) / 4 + i] + w[i];
	ASSERT_EQ(0, run1(c, mkcmd(MVGPU_OP_AXPY_I32, 0, 2 << 20,
				   (1 << 20) / 4, a, 0, 0), 60000));
	EXPECT_EQ(0, memcmp(ref, w, 1 << 20));
	for (i = 0; i < (1 << 20) / 4; i++)
		sum += w[i];
	ASSERT_EQ(0, run1(c, mkcmd(MVGPU_OP_REDUCE_I32, 3 << 20, 0,
				   (1 << 20) / 4, 0, 0, 0), 60000));
	memcpy(&got, c->vram + (3 << 20), 8);
	EXPECT_EQ(sum, got);

	/* GEMM_I32, wrapping arithmetic, against the CPU. */
	for (i = 0; i < M * K; i++)
		w[i] = rnd();
	for (i = 0; i < K * N; i++)
		w[(1 << 20) / 4 + i] = rnd();
	gemm_ref(w, w + (1 << 20) / 4, ref, M, N, K);
	ASSERT_EQ(0, run1(c, mkcmd(MVGPU_OP_GEMM_I32, 2 << 20, 0, 1 << 20,
				   M, N, K), 60000));
	EXPECT_EQ(0, memcmp(ref, c->vram + (2 << 20), M * N * 4));
	EXPECT_EQ(0, mvgpu_ctx_error(c, NULL));
	free(ref);
}

TEST_F_TIMEOUT(vk, kill_mid_gemm, 600)
{
	struct mvgpu_ctx *c = &self->c[0], *idle = &self->c[1];
	const unsigned int D = 512;
	char uuid[MVGPU_UUID_LEN], online[8] = "";
	uint64_t t0, seq, t_err = 0;
	struct mvgpu_cmd cmd;
	uint32_t info = 0, *ref;
	unsigned int i;
	pid_t pid;

	pid = mvgpu_user_server_pid();
	ASSERT_NE(0, pid);
	/* The idle vGPU's VRAM: a pattern that must survive the kill. */
	for (i = 0; i < (1 << 20) / 4; i++)
		((uint32_t *)idle->vram)[i] = i * 2654435761u;

	for (i = 0; i < 2 * D * D; i++)
		((uint32_t *)c->vram)[i] = rnd();
	cmd = mkcmd(MVGPU_OP_GEMM_I32, 8 << 20, 0, D * D * 4, D, D, D);
	ASSERT_EQ(0, mvgpu_ctx_submit(c, &cmd, 1));
	seq = mvgpu_ctx_fence(c, 0);
	ASSERT_NE(0, seq);
	/* Mid-GEMM: the engine has started on it. */
	usleep(300 * 1000);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	t0 = mvgpu_now_ns();
	while (mvgpu_now_ns() - t0 < 30ull * 1000000000ull) {
		if (mvgpu_ctx_error(c, NULL) == MVGPU_ERR_HOST &&
		    mvgpu_ctx_error(idle, NULL) == MVGPU_ERR_HOST) {
			t_err = mvgpu_now_ns() - t0;
			break;
		}
		usleep(1000);
	}
	ASSERT_NE(0, t_err) TH_LOG("no MVGPU_ERR_HOST after the kill");
	TH_LOG("both vGPUs in MVGPU_ERR_HOST %.1f ms after SIGKILL",
	       t_err / 1e6);
	EXPECT_GE(OFFLINE_BOUND_MS * 1000000ull, t_err);
	EXPECT_EQ(MVGPU_ERR_HOST, mvgpu_ctx_error(idle, &info));
	EXPECT_EQ(0xffffffu, info);
	ASSERT_EQ(0, sysfs_read_str(MVGPU_SYSFS_CLASS "/mvgpu0/online", online,
				    sizeof(online)));
	EXPECT_EQ('0', online[0]);
	for (i = 0; i < (1 << 20) / 4; i++)
		if (((uint32_t *)idle->vram)[i] != i * 2654435761u)
			break;
	EXPECT_EQ((1u << 20) / 4, i) TH_LOG("VRAM changed at word %u", i);

	/* No new vGPU on an offline pGPU. */
	mvgpu_uuid_gen(uuid);
	EXPECT_EQ(-EHOSTDOWN, mdev_create(TYPE, uuid));

	/* A new server takes over; a reset brings both vGPUs back. */
	ASSERT_EQ(0, mvgpu_user_server_start(256, 4));
	ASSERT_EQ(0, sysfs_read_str(MVGPU_SYSFS_CLASS "/mvgpu0/online", online,
				    sizeof(online)));
	EXPECT_EQ('1', online[0]);
	for (i = 0; i < 2; i++) {
		struct mvgpu_ctx *x = &self->c[i];

		ASSERT_EQ(0, ioctl(x->vd.device, VFIO_DEVICE_RESET));
		EXPECT_EQ(0, mvgpu_ctx_error(x, NULL));
		ASSERT_EQ(0, mvgpu_ctx_queue_setup(x, 0, x->ring, x->ring_size,
						   x->qsa));
	}
	ref = malloc(64 * 64 * 4);
	ASSERT_NE(NULL, ref);
	for (i = 0; i < 2 * 64 * 64; i++)
		((uint32_t *)c->vram)[i] = rnd();
	gemm_ref((uint32_t *)c->vram, (uint32_t *)c->vram + 64 * 64, ref,
		 64, 64, 64);
	ASSERT_EQ(0, run1(c, mkcmd(MVGPU_OP_GEMM_I32, 8 << 20, 0, 64 * 64 * 4,
				   64, 64, 64), 60000));
	EXPECT_EQ(0, memcmp(ref, c->vram + (8 << 20), 64 * 64 * 4));
	EXPECT_EQ(0, run1(idle, mkcmd(MVGPU_OP_FILL, 0, 4096, 7, 0, 0, 0),
			  60000));
	EXPECT_EQ(7u, ((uint32_t *)idle->vram)[1023]);
	free(ref);
}

int main(int argc, char **argv)
{
	int ret;

	ret = test_harness_run(argc, argv);
	if (mvgpu_backend_user() && !getenv("MVGPU_KEEP_MODULES"))
		mvgpu_unload();
	return ret;
}
