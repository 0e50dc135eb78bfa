// SPDX-License-Identifier: GPL-2.0
/*
 * mvgpu scheduling controls and their effects: runtime weight, cap and
 * timeslice attributes (validation, mdevctl-style paths), statistics, the
 * watchdog, engine reset, partitions, and caps.
 *
 * Shares are checked from the kernel's own engine-time counters
 * (mvgpu_stats/busy_ns), never from wall-clock speed; the bounds are wide
 * on purpose, the benchmark (make bench-sched) reports the precise numbers.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mvgpu_test.h"

static void vgpu_attr(const char *uuid, const char *attr, char *path,
		      size_t len)
{
	snprintf(path, len, "%s/%s/%s", MDEV_BUS_DEVICES, uuid, attr);
}

static int vgpu_set(const char *uuid, const char *attr, const char *val)
{
	char path[PATH_MAX];

	vgpu_attr(uuid, attr, path, sizeof(path));
	return sysfs_write_str(path, val);
}

static int pgpu_shared_engines(void)
{
	uint64_t v = 0;

	sysfs_read_u64(MVGPU_SYSFS_CLASS "/mvgpu0/engines_shared", &v);
	return v;
}

/* Per-engine busy time of mvgpu0; returns the number of engines read. */
static int engine_busy(uint64_t *busy, int max)
{
	char buf[512], *p = buf, *end;
	int n = 0;

	if (sysfs_read_str(MVGPU_SYSFS_CLASS "/mvgpu0/engine_busy_ns", buf,
			   sizeof(buf)))
		return 0;
	while (n < max) {
		busy[n] = strtoull(p, &end, 10);
		if (end == p)
			break;
		n++;
		p = end;
	}
	return n;
}

static struct mvgpu_cmd spin_cmd(uint64_t ns)
{
	struct mvgpu_cmd c = { .opcode = MVGPU_OP_SPIN, .args = { ns } };

	return c;
}

FIXTURE(sched) {
	char uuid[MVGPU_UUID_LEN];
};

FIXTURE_SETUP(sched)
{
	MVGPU_HOST_CHECK(false);
	ASSERT_EQ(0, mvgpu_load(NULL));
	mvgpu_uuid_gen(self->uuid);
	ASSERT_EQ(0, mdev_create("mvgpu-ts-32m", self->uuid));
}

FIXTURE_TEARDOWN(sched)
{
	EXPECT_EQ(0, mdev_remove_all());
}

TEST_F(sched, attribute_defaults_and_validation)
{
	static const struct {
		const char *attr, *bad[6], *good;
		uint64_t def, good_val;
	} t[] = {
		{ "mvgpu/weight", { "0", "10001", "abc", "-1", "1.5", "" },
		  "250", 100, 250 },
		{ "mvgpu/cap", { "101", "-5", "x", "4294967296", "", "" },
		  "30", 0, 30 },
		{ "mvgpu/timeslice_us", { "99", "100001", "0", "2ms", "", "" },
		  "5000", 2000, 5000 },
	};
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		EXPECT_EQ(t[i].def, mvgpu_vgpu_u64(self->uuid, t[i].attr))
			TH_LOG("%s", t[i].attr);
		ASSERT_EQ(0, vgpu_set(self->uuid, t[i].attr, t[i].good));
		EXPECT_EQ(t[i].good_val, mvgpu_vgpu_u64(self->uuid, t[i].attr));
		for (j = 0; j < ARRAY_SIZE(t[i].bad) && t[i].bad[j][0]; j++) {
			EXPECT_EQ(-EINVAL, vgpu_set(self->uuid, t[i].attr,
						    t[i].bad[j]))
				TH_LOG("%s <- '%s'", t[i].attr, t[i].bad[j]);
			EXPECT_EQ(t[i].good_val,
				  mvgpu_vgpu_u64(self->uuid, t[i].attr));
		}
	}
}

/* Counters move with the work done; doorbells match what the client rang. */
TEST_F(sched, statistics)
{
	struct mvgpu_cmd nop = { .opcode = MVGPU_OP_NOP };
	struct mvgpu_ctx c;
	uint64_t seq, i;

	ASSERT_EQ(0, mvgpu_ctx_open(self->uuid, &c));
	c.doorbells = 0;
	for (i = 0; i < 200; i++)
		ASSERT_EQ(0, mvgpu_ctx_submit(&c, &nop, 1));
	ASSERT_EQ(0, mvgpu_ctx_submit(&c, (struct mvgpu_cmd[]){
		spin_cmd(5 * 1000 * 1000) }, 1));
	seq = mvgpu_ctx_fence(&c, 0);
	ASSERT_EQ(0, mvgpu_ctx_wait(&c, seq, 20000));

	EXPECT_EQ(202, mvgpu_vgpu_u64(self->uuid, "mvgpu_stats/completions"));
	EXPECT_EQ(202, mvgpu_vgpu_u64(self->uuid, "mvgpu_stats/submissions"));
	EXPECT_EQ(1, mvgpu_vgpu_u64(self->uuid, "mvgpu_stats/fences"));
	EXPECT_GE(mvgpu_vgpu_u64(self->uuid, "mvgpu_stats/busy_ns"), 5000000);
	EXPECT_EQ(c.doorbells, mvgpu_vgpu_u64(self->uuid, "mvgpu_stats/doorbells"));
	EXPECT_GE(mvgpu_vgpu_u64(self->uuid, "mvgpu_stats/context_switches"), 1);
	EXPECT_EQ(0, mvgpu_vgpu_u64(self->uuid, "mvgpu_stats/errors"));
	mvgpu_ctx_close(&c);
}

/*
 * The watchdog drops a command that runs past watchdog_ms of engine time:
 * the vGPU reports MVGPU_ERR_TIMEOUT, keeps its VRAM, and an engine reset
 * (CONTROL.QUEUE_RESET) brings it back without losing VRAM.  Another vGPU
 * keeps working meanwhile.
 */
TEST_F(sched, watchdog_and_queue_reset)
{
	char other[MVGPU_UUID_LEN];
	struct mvgpu_ctx c, o;
	uint32_t info = 0;
	uint64_t seq, oseq;
	int i;

	ASSERT_EQ(0, mvgpu_ctx_open(self->uuid, &c));
	mvgpu_uuid_gen(other);
	ASSERT_EQ(0, mdev_create("mvgpu-ts-32m", other));
	ASSERT_EQ(0, mvgpu_ctx_open(other, &o));

	memset(c.vram, 0x5a, 4096);
	ASSERT_EQ(0, mvgpu_ctx_submit(&c, (struct mvgpu_cmd[]){
		spin_cmd(MVGPU_SPIN_MAX_NS) }, 1));
	seq = mvgpu_ctx_fence(&c, 0);

	/* The victim finishes work while the offender spins. */
	for (i = 0; i < 20; i++) {
		ASSERT_EQ(0, mvgpu_ctx_submit(&o, (struct mvgpu_cmd[]){
			spin_cmd(1000 * 1000) }, 1));
		oseq = mvgpu_ctx_fence(&o, 0);
		ASSERT_EQ(0, mvgpu_ctx_wait(&o, oseq, 20000));
	}

	EXPECT_EQ(-EIO, mvgpu_ctx_wait(&c, seq, 30000));
	EXPECT_EQ(MVGPU_ERR_TIMEOUT, mvgpu_ctx_error(&c, &info));
	EXPECT_EQ(0, info & 0xffffff);	/* the first command of the ring */
	EXPECT_EQ(0x5a, c.vram[100]);
	EXPECT_EQ(1, mvgpu_vgpu_u64(self->uuid, "mvgpu_stats/errors"));

	ASSERT_EQ(0, vfio_mmio_write32(c.vd.device, MVGPU_REG_CONTROL,
				       MVGPU_CONTROL_QUEUE_RESET));
	EXPECT_EQ(0, mvgpu_ctx_error(&c, NULL));
	EXPECT_EQ(0x5a, c.vram[4095]);
	ASSERT_EQ(0, mvgpu_ctx_queue_setup(&c, 0, c.ring, c.ring_size, c.qsa));
	seq = mvgpu_ctx_fence(&c, 0);
	EXPECT_EQ(0, mvgpu_ctx_wait(&c, seq, 10000));
	EXPECT_EQ(0, mvgpu_ctx_error(&o, NULL));

	mvgpu_ctx_close(&o);
	mvgpu_ctx_close(&c);
}

/*
 * A partition owns its engines: a time-sliced vGPU's work (on all of its
 * queues) never runs on them, and the partition's work runs only there.
 */
TEST_F(sched, partition_engines)
{
	uint64_t before[4], after[4], seq;
	char part[MVGPU_UUID_LEN];
	struct mvgpu_ctx p, t;
	unsigned int q;

	mvgpu_uuid_gen(part);
	ASSERT_EQ(0, mdev_create("mvgpu-part-2e-128m", part));
	EXPECT_EQ(0x6, mvgpu_vgpu_u64(part, "mvgpu/engine_mask"));
	EXPECT_EQ(0, mvgpu_vgpu_u64(self->uuid, "mvgpu/engine_mask"));
	EXPECT_EQ(2, pgpu_shared_engines());

	/* Time-sliced work on every queue: engines 1 and 2 stay idle. */
	ASSERT_EQ(0, mvgpu_ctx_open(self->uuid, &t));
	ASSERT_EQ(4, engine_busy(before, 4));
	for (q = 0; q < 4; q++) {
		uint64_t ring = (8u << 20) + q * MVGPU_CTX_RING_SIZE;

		ASSERT_EQ(0, mvgpu_ctx_queue_setup(&t, q, ring,
						   MVGPU_CTX_RING_SIZE,
						   (4u << 20) + q * 64));
		ASSERT_EQ(0, mvgpu_ctx_submit(&t, (struct mvgpu_cmd[]){
			spin_cmd(3 * 1000 * 1000) }, 1));
		seq = mvgpu_ctx_fence(&t, 0);
		ASSERT_EQ(0, mvgpu_ctx_wait(&t, seq, 20000));
	}
	ASSERT_EQ(4, engine_busy(after, 4));
	EXPECT_EQ(before[1], after[1]);
	EXPECT_EQ(before[2], after[2]);
	EXPECT_GE(after[0] + after[3] - before[0] - before[3], 12000000);
	mvgpu_ctx_close(&t);

	/* The partition's work runs on its own engines only. */
	ASSERT_EQ(0, mvgpu_ctx_open(part, &p));
	ASSERT_EQ(4, engine_busy(before, 4));
	ASSERT_EQ(0, mvgpu_ctx_submit(&p, (struct mvgpu_cmd[]){
		spin_cmd(5 * 1000 * 1000) }, 1));
	seq = mvgpu_ctx_fence(&p, 0);
	ASSERT_EQ(0, mvgpu_ctx_wait(&p, seq, 20000));
	ASSERT_EQ(4, engine_busy(after, 4));
	EXPECT_EQ(before[0], after[0]);
	EXPECT_EQ(before[3], after[3]);
	EXPECT_GE(after[1] + after[2] - before[1] - before[2], 5000000);
	mvgpu_ctx_close(&p);
}

/*
 * A cap is a ceiling even on an idle pool: cap 5 on a 4-engine pool
 * allows 0.2 engine of time, so a saturating single queue (which could
 * use a whole engine) gets about a fifth of the wall time; the bound is
 * twice that, for chunk granularity and emulated CPUs.  Engine time
 * comes from busy_ns; only an upper bound is asserted (a loaded host can
 * only lower it).
 */
TEST_F(sched, cap_is_a_ceiling)
{
	struct mvgpu_cmd spins[8];
	uint64_t busy0, busy1, t0, t1, seq = 0;
	struct mvgpu_ctx c;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(spins); i++)
		spins[i] = spin_cmd(5 * 1000 * 1000);
	ASSERT_EQ(0, vgpu_set(self->uuid, "mvgpu/cap", "5"));
	ASSERT_EQ(0, mvgpu_ctx_open(self->uuid, &c));

	busy0 = mvgpu_vgpu_u64(self->uuid, "mvgpu_stats/busy_ns");
	t0 = mvgpu_now_ns();
	for (i = 0; i < 6; i++) {
		ASSERT_EQ(0, mvgpu_ctx_submit(&c, spins, ARRAY_SIZE(spins)));
		seq = mvgpu_ctx_fence(&c, 0);
	}
	ASSERT_EQ(0, mvgpu_ctx_wait(&c, seq, 60000));
	t1 = mvgpu_now_ns();
	busy1 = mvgpu_vgpu_u64(self->uuid, "mvgpu_stats/busy_ns");

	TH_LOG("capped at 5%%: busy %.1f ms over %.1f ms wall",
	       (busy1 - busy0) / 1e6, (t1 - t0) / 1e6);
	EXPECT_GE(busy1 - busy0, 6 * 8 * 5000000ull);
	EXPECT_LT((double)(busy1 - busy0) / (t1 - t0), 0.4);
	EXPECT_GE(mvgpu_vgpu_u64(self->uuid, "mvgpu_stats/preemptions"), 1);
	mvgpu_ctx_close(&c);
}

/*
 * GEMM_F32 runs in chunks like GEMM_I32, and the watchdog, which looks
 * between chunks, stops a long one: 1600^3 multiply-adds (about 0.2 s on
 * a current CPU with FMA, minutes under TCG) against a 20 ms limit.  A
 * and B are kept, QUEUE_RESET recovers, and the next GEMM_F32 is right.
 * A GPU backend may finish the product within the limit: then there is
 * nothing to see, and the test is skipped, but never on mvgpu_sim.
 */
TEST_F(sched, gemm_f32_watchdog)
{
	const unsigned int d = 1600;
	const uint64_t bytes = (uint64_t)d * d * 4;
	char old[32] = "400", backend[32] = "";
	int ret;
	uint32_t info = 0, i, bad = 0;
	struct mvgpu_ctx c;
	float *a, *cm;
	uint64_t seq;

	ASSERT_EQ(0, mvgpu_ctx_open(self->uuid, &c));
	ASSERT_LE(3 * bytes, c.ring);
	a = (float *)c.vram;
	cm = (float *)(c.vram + 2 * bytes);
	for (i = 0; i < 2 * d * d; i++)
		a[i] = 1.0f;
	sysfs_read_str("/sys/module/mvgpu/parameters/watchdog_ms", old,
		       sizeof(old));
	ASSERT_EQ(0, sysfs_write_str("/sys/module/mvgpu/parameters/watchdog_ms",
				     "20"));
	ASSERT_EQ(0, mvgpu_ctx_submit(&c, (struct mvgpu_cmd[]){ {
		.opcode = MVGPU_OP_GEMM_F32,
		.args = { 2 * bytes, 0, bytes, d, d, d } } }, 1));
	seq = mvgpu_ctx_fence(&c, 0);
	ret = mvgpu_ctx_wait(&c, seq, 30000);
	EXPECT_EQ(0, sysfs_write_str("/sys/module/mvgpu/parameters/watchdog_ms",
				     old));
	sysfs_read_str(MVGPU_SYSFS_CLASS "/mvgpu0/backend", backend,
		       sizeof(backend));
	if (!ret && strncmp(backend, "sim", 3)) {
		mvgpu_ctx_close(&c);
		SKIP(return, "backend %.8s ran 1600^3 within 20 ms", backend);
	}
	EXPECT_EQ(-EIO, ret);
	EXPECT_EQ(MVGPU_ERR_TIMEOUT, mvgpu_ctx_error(&c, &info));
	EXPECT_EQ(0, info & 0xffffff);
	for (i = 0; i < 2 * d * d; i++)
		if (a[i] != 1.0f)
			bad++;
	EXPECT_EQ(0, bad);

	ASSERT_EQ(0, vfio_mmio_write32(c.vd.device, MVGPU_REG_CONTROL,
				       MVGPU_CONTROL_QUEUE_RESET));
	ASSERT_EQ(0, mvgpu_ctx_queue_setup(&c, 0, c.ring, c.ring_size, c.qsa));
	/* 16 x 16 x 16 of ones: every element of C is 16. */
	ASSERT_EQ(0, mvgpu_ctx_submit(&c, (struct mvgpu_cmd[]){ {
		.opcode = MVGPU_OP_GEMM_F32,
		.args = { 2 * bytes, 0, bytes, 16, 16, 16 } } }, 1));
	seq = mvgpu_ctx_fence(&c, 0);
	ASSERT_EQ(0, mvgpu_ctx_wait(&c, seq, 20000));
	for (i = 0, bad = 0; i < 16 * 16; i++)
		if (cm[i] != 16.0f)
			bad++;
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, mvgpu_ctx_error(&c, NULL));
	mvgpu_ctx_close(&c);
}

int main(int argc, char **argv)
{
	mvgpu_host_preflight();
	return test_harness_run(argc, argv);
}
