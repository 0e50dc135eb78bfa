// SPDX-License-Identifier: GPL-2.0
/*
 * mvgpu host path tests: /dev/mvgpu-host<N> takes the pGPU's middle
 * time-sliced profile (the module's host.c says so), so host clients
 * leave room for vGPUs of the same pGPU; a failed VRAM access fails the
 * client's submission instead of losing it; the backend going away
 * revokes open clients; a submission waiting for ring space holds up no
 * other caller.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mvgpu_test.h"

#define HOST_DEV	"/dev/mvgpu-host0"
#define MIB(n)		((uint64_t)(n) << 20)
#define HOST_RESERVED	MIB(4)		/* rings and QSAs: host.c */

FIXTURE(host) {
	int fd[2];
};

FIXTURE_SETUP(host)
{
	self->fd[0] = -1;
	self->fd[1] = -1;
	MVGPU_HOST_CHECK(false);
	ASSERT_EQ(0, mvgpu_load(NULL));
	ASSERT_TRUE(path_exists(HOST_DEV));
}

FIXTURE_TEARDOWN(host)
{
	if (self->fd[0] >= 0)
		close(self->fd[0]);
	if (self->fd[1] >= 0)
		close(self->fd[1]);
	EXPECT_EQ(0, mdev_remove_all());
}

static uint64_t vram_free(struct __test_metadata *_metadata)
{
	uint64_t v = 0;

	EXPECT_EQ(0, sysfs_read_u64(MVGPU_SYSFS_CLASS "/mvgpu0/vram_free_bytes",
				    &v));
	return v;
}

/*
 * The default pGPU (256 MiB) offers ts-32m, ts-64m and ts-128m: a host
 * client takes ts-64m, the middle one, and its window is that slice less
 * the reserved top.  Two clients leave 128 MiB, room for a ts-64m vGPU.
 */
TEST_F(host, middle_profile)
{
	struct mvgpu_ioc_info info;
	char uuid[MVGPU_UUID_LEN];
	uint64_t before;
	int i;

	before = vram_free(_metadata);
	ASSERT_EQ(MIB(256), before);

	for (i = 0; i < 2; i++) {
		self->fd[i] = open(HOST_DEV, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, self->fd[i]) TH_LOG("open: %s", strerror(errno));
		memset(&info, 0xff, sizeof(info));
		ASSERT_EQ(0, ioctl(self->fd[i], MVGPU_IOC_INFO, &info));
		EXPECT_EQ(MVGPU_INFO_HOST, info.flags);
		EXPECT_EQ((uint32_t)MVGPU_VERSION, info.version);
		EXPECT_EQ(MVGPU_FEAT_RING | MVGPU_FEAT_GEMM_F32, info.features);
		EXPECT_EQ(0U, info.profile & MVGPU_PROFILE_ID_PART);
		EXPECT_EQ(6U, MVGPU_PROFILE_ID_VRAM_LOG2(info.profile))
			TH_LOG("profile 0x%x: log2(MiB) should be 6 (ts-64m)",
			       info.profile);
		EXPECT_EQ(MIB(64) - HOST_RESERVED, info.vram_size);
		EXPECT_EQ(before - (i + 1) * MIB(64), vram_free(_metadata));
	}

	mvgpu_uuid_gen(uuid);
	EXPECT_EQ(0, mdev_create("mvgpu-ts-64m", uuid));
	EXPECT_EQ(MIB(64), vram_free(_metadata));
}

#define FAIL_VRAM_RW	"/sys/module/mvgpu_sim/parameters/fail_vram_rw"

/*
 * A host client whose VRAM access fails (mvgpu_sim's fail_vram_rw): the
 * first access of a submission is writing its commands into the ring.
 * The submission fails with EIO, and so does waiting, rather than the
 * commands being lost and the wait running into its timeout.
 */
TEST_F(host, vram_rw_failure)
{
	struct mvgpu_cmd nop = { .opcode = MVGPU_OP_NOP };
	struct mvgpu_ioc_submit sub = {
		.cmds = (uintptr_t)&nop, .count = 1, .queue = 0,
	};
	struct mvgpu_ioc_wait wait = { .queue = 0, .timeout_ms = 2000 };
	uint64_t left = ~0ull;

	if (!path_exists(FAIL_VRAM_RW))
		SKIP(return, "mvgpu_sim has no fail_vram_rw");
	self->fd[0] = open(HOST_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd[0]);
	/* A working submission first. */
	ASSERT_EQ(0, ioctl(self->fd[0], MVGPU_IOC_SUBMIT, &sub));
	wait.fence = sub.fence;
	ASSERT_EQ(0, ioctl(self->fd[0], MVGPU_IOC_WAIT, &wait));

	ASSERT_EQ(0, sysfs_write_str(FAIL_VRAM_RW, "1"));
	EXPECT_EQ(-1, ioctl(self->fd[0], MVGPU_IOC_SUBMIT, &sub));
	EXPECT_EQ(EIO, errno);
	EXPECT_EQ(0, sysfs_read_u64(FAIL_VRAM_RW, &left));
	EXPECT_EQ(0, left);
	wait.fence = sub.fence + 1;
	EXPECT_EQ(-1, ioctl(self->fd[0], MVGPU_IOC_WAIT, &wait));
	EXPECT_EQ(EIO, errno) TH_LOG("wait: %s", strerror(errno));
	sysfs_write_str(FAIL_VRAM_RW, "0");
	/* A new client works. */
	close(self->fd[0]);
	self->fd[0] = open(HOST_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd[0]);
	ASSERT_EQ(0, ioctl(self->fd[0], MVGPU_IOC_SUBMIT, &sub));
	wait.fence = sub.fence;
	EXPECT_EQ(0, ioctl(self->fd[0], MVGPU_IOC_WAIT, &wait));
}

struct waiter {
	int fd;
	uint64_t fence;
	int ret;		/* 0 or errno of MVGPU_IOC_WAIT */
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;
	struct mvgpu_ioc_wait wait = {
		.fence = w->fence, .queue = 0, .timeout_ms = 60000,
	};

	w->ret = ioctl(w->fd, MVGPU_IOC_WAIT, &wait) ? errno : 0;
	return NULL;
}

/*
 * The backend unregisters its pGPU (here: mvgpu_sim unloaded) while host
 * clients are open, busy, and blocked in MVGPU_IOC_WAIT: the unload is not
 * held up by them; the waits return ENODEV at once, every later ioctl and
 * mmap fails with ENODEV, a touch of an old VRAM mapping raises SIGBUS,
 * close works, and the reloaded backend's host path works again.
 */
TEST(revoke_on_backend_unload)
{
	struct mvgpu_cmd spins[4];
	struct mvgpu_ioc_submit sub = {
		.cmds = (uintptr_t)spins, .count = 4, .queue = 0,
	};
	struct mvgpu_ioc_alloc al = { .size = 1 << 20 };
	struct mvgpu_ioc_info info;
	struct waiter w[2];
	pthread_t th[2];
	uint8_t *map;
	int fd[2], i, status;
	pid_t pid;

	MVGPU_HOST_CHECK(true);
	ASSERT_EQ(0, mvgpu_load(NULL));
	for (i = 0; i < 4; i++)
		spins[i] = (struct mvgpu_cmd){
			.opcode = MVGPU_OP_SPIN, .args = { 250 * 1000 * 1000 },
		};
	for (i = 0; i < 2; i++) {
		fd[i] = open(HOST_DEV, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fd[i]) TH_LOG("open: %s", strerror(errno));
		ASSERT_EQ(0, ioctl(fd[i], MVGPU_IOC_SUBMIT, &sub));
		w[i] = (struct waiter){ .fd = fd[i], .fence = sub.fence, .ret = -1 };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, wait_thread, &w[i]));
	}
	ASSERT_EQ(0, ioctl(fd[0], MVGPU_IOC_ALLOC, &al));
	map = mmap(NULL, al.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd[0],
		   al.offset);
	ASSERT_NE(MAP_FAILED, map);
	map[0] = 0x5a;
	usleep(100 * 1000);

	ASSERT_EQ(0, mvgpu_rmmod("mvgpu_sim"));
	for (i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		EXPECT_EQ(ENODEV, w[i].ret) TH_LOG("waiter %d: %s", i,
						   strerror(w[i].ret));
	}
	EXPECT_EQ(-1, ioctl(fd[1], MVGPU_IOC_INFO, &info));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, ioctl(fd[1], MVGPU_IOC_SUBMIT, &sub));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd[1], 0));
	EXPECT_EQ(ENODEV, errno);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		__atomic_store_n(map, 1, __ATOMIC_RELAXED);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS)
		TH_LOG("status 0x%x", status);
	EXPECT_EQ(0, munmap(map, al.size));
	EXPECT_EQ(0, close(fd[0]));
	EXPECT_EQ(0, close(fd[1]));

	/* The backend back: a new pGPU, its host path works. */
	ASSERT_EQ(0, mvgpu_load(NULL));
	fd[0] = open(HOST_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd[0]);
	EXPECT_EQ(0, ioctl(fd[0], MVGPU_IOC_INFO, &info));
	close(fd[0]);
}

/* A submitter that fills queue 0's ring and then has to wait for room. */
struct filler {
	int fd;
	int entered;	/* __atomic: the submission that must wait began */
	int returned;	/* __atomic: and it returned */
	int ret, err;
	uint64_t fence;
};

#define SPINS		8
#define SPIN_NS		250000000ull	/* under the 400 ms watchdog */

static void *fill_ring(void *arg)
{
	struct filler *f = arg;
	static struct mvgpu_cmd cmds[MVGPU_SUBMIT_MAX];
	struct mvgpu_ioc_submit sub = {
		.cmds = (uintptr_t)cmds, .count = MVGPU_SUBMIT_MAX, .queue = 0,
	};
	unsigned int i;

	/* 2 s of engine time at the head, then NOPs: 1025 slots. */
	for (i = 0; i < MVGPU_SUBMIT_MAX; i++)
		cmds[i].opcode = MVGPU_OP_NOP;
	for (i = 0; i < SPINS; i++) {
		cmds[i].opcode = MVGPU_OP_SPIN;
		cmds[i].args[0] = SPIN_NS;
	}
	f->ret = ioctl(f->fd, MVGPU_IOC_SUBMIT, &sub);
	if (f->ret) {
		f->err = errno;
		__atomic_store_n(&f->returned, 1, __ATOMIC_SEQ_CST);
		return NULL;
	}
	/* Another 1025 do not fit the 2048-slot ring (host.c): this waits. */
	memset(cmds, 0, sizeof(cmds));
	__atomic_store_n(&f->entered, 1, __ATOMIC_SEQ_CST);
	f->ret = ioctl(f->fd, MVGPU_IOC_SUBMIT, &sub);
	f->err = errno;
	f->fence = sub.fence;
	__atomic_store_n(&f->returned, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/*
 * One thread's submission waits for room in a full ring; meanwhile
 * another thread of the same client allocates, submits to another queue
 * and gets its fence.  The client's lock must not be held through the
 * wait (it was: every other call of the client blocked until the work
 * ahead drained).
 */
TEST_F(host, full_ring_blocks_no_other)
{
	struct mvgpu_cmd nop = { .opcode = MVGPU_OP_NOP };
	struct mvgpu_ioc_submit sub = {
		.cmds = (uintptr_t)&nop, .count = 1, .queue = 1,
	};
	struct mvgpu_ioc_wait wait = { .queue = 1, .timeout_ms = 20000 };
	struct mvgpu_ioc_alloc buf = { .size = 65536 };
	struct mvgpu_ioc_info info;
	struct filler f = {};
	pthread_t thread;

	self->fd[0] = open(HOST_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd[0]);
	ASSERT_EQ(0, ioctl(self->fd[0], MVGPU_IOC_INFO, &info));
	if (info.queues < 2)
		SKIP(return, "the host client has one queue");
	f.fd = self->fd[0];
	ASSERT_EQ(0, pthread_create(&thread, NULL, fill_ring, &f));
	while (!__atomic_load_n(&f.entered, __ATOMIC_SEQ_CST) &&
	       !__atomic_load_n(&f.returned, __ATOMIC_SEQ_CST))
		usleep(1000);
	usleep(50 * 1000);	/* let it reach the wait */
	ASSERT_EQ(0, __atomic_load_n(&f.returned, __ATOMIC_SEQ_CST))
		TH_LOG("the filler did not block (ret %d, %s)", f.ret,
		       strerror(f.err));

	/* The same client, meanwhile: allocation, submission, its fence. */
	EXPECT_EQ(0, ioctl(self->fd[0], MVGPU_IOC_ALLOC, &buf));
	EXPECT_EQ(0, ioctl(self->fd[0], MVGPU_IOC_FREE, &buf));
	ASSERT_EQ(0, ioctl(self->fd[0], MVGPU_IOC_SUBMIT, &sub));
	wait.fence = sub.fence;
	EXPECT_EQ(0, ioctl(self->fd[0], MVGPU_IOC_WAIT, &wait));
	/* ... all while the filler still waited for room. */
	EXPECT_EQ(0, __atomic_load_n(&f.returned, __ATOMIC_SEQ_CST));

	pthread_join(thread, NULL);
	EXPECT_EQ(0, f.ret) TH_LOG("filler: %s", strerror(f.err));
	wait.queue = 0;
	wait.fence = f.fence;
	EXPECT_EQ(0, ioctl(self->fd[0], MVGPU_IOC_WAIT, &wait));
}

int main(int argc, char **argv)
{
	mvgpu_host_preflight();
	return test_harness_run(argc, argv);
}
