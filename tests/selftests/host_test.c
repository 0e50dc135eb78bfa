// SPDX-License-Identifier: GPL-2.0
/*
 * mvgpu host path tests: /dev/mvgpu-host<N> takes the pGPU's middle
 * time-sliced profile (the module's host.c says so), so host clients
 * leave room for vGPUs of the same pGPU; a failed VRAM access fails the
 * client's submission instead of losing it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
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

int main(int argc, char **argv)
{
	mvgpu_host_preflight();
	return test_harness_run(argc, argv);
}
