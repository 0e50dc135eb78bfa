// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile guests: a corpus of invalid commands and ring states, a guest
 * rewriting its ring while the device reads it, DMA unmapped under a
 * running copy, and a VMM that never supplies the guest memory a copy
 * needs.  Each offender must fail closed with the documented error
 * (or finish harmlessly), recover by reset, and never disturb a second
 * vGPU, which keeps computing and checking its own results meanwhile.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mvgpu_test.h"

#define VRAM		(32ull << 20)	/* ts-32m */

/* The victim: fills and checks its own VRAM in a loop until told to stop. */
struct victim {
	struct mvgpu_ctx c;
	pthread_t thread;
	int stop;	/* __atomic */
	unsigned long rounds;
	int failed;
};

static void *victim_loop(void *arg)
{
	struct victim *v = arg;
	uint32_t *p = (uint32_t *)v->c.vram;
	uint32_t pat;
	unsigned int i;

	while (!__atomic_load_n(&v->stop, __ATOMIC_RELAXED)) {
		struct mvgpu_cmd fill = {
			.opcode = MVGPU_OP_FILL,
			.args = { 0, 1 << 20, 0 },
		};
		uint64_t seq;

		pat = 0x9e3779b9u * (uint32_t)(v->rounds + 1);
		fill.args[2] = pat;
		if (mvgpu_ctx_submit(&v->c, &fill, 1)) {
			v->failed = 1;
			break;
		}
		seq = mvgpu_ctx_fence(&v->c, 0);
		if (!seq || mvgpu_ctx_wait(&v->c, seq, 30000)) {
			v->failed = 2;
			break;
		}
		for (i = 0; i < (1 << 18); i += 4099)
			if (p[i] != pat) {
				v->failed = 3;
				return NULL;
			}
		v->rounds++;
	}
	return NULL;
}

FIXTURE(hostile) {
	char uuid[MVGPU_UUID_LEN], vuuid[MVGPU_UUID_LEN];
	struct mvgpu_ctx c;
	struct victim v;
};

FIXTURE_SETUP(hostile)
{
	MVGPU_HOST_CHECK(false);
	ASSERT_EQ(0, mvgpu_load(NULL));
	mvgpu_uuid_gen(self->uuid);
	mvgpu_uuid_gen(self->vuuid);
	ASSERT_EQ(0, mdev_create("mvgpu-ts-32m", self->uuid));
	ASSERT_EQ(0, mdev_create("mvgpu-ts-32m", self->vuuid));
	ASSERT_EQ(0, mvgpu_ctx_open(self->uuid, &self->c));
	ASSERT_EQ(0, mvgpu_ctx_open(self->vuuid, &self->v.c));
	ASSERT_EQ(0, pthread_create(&self->v.thread, NULL, victim_loop,
				    &self->v));
}

FIXTURE_TEARDOWN(hostile)
{
	__atomic_store_n(&self->v.stop, 1, __ATOMIC_RELAXED);
	pthread_join(self->v.thread, NULL);
	EXPECT_EQ(0, self->v.failed);
	EXPECT_GT(self->v.rounds, 0);
	mvgpu_ctx_close(&self->v.c);
	mvgpu_ctx_close(&self->c);
	EXPECT_EQ(0, mdev_remove_all());
}

/*
 * Reset the offender and set it up again: the function reset cleared the
 * command register, so Bus Master first, as a driver does after one.
 */
static int recover(struct mvgpu_ctx *c)
{
	int ret;

	if (ioctl(c->vd.device, VFIO_DEVICE_RESET))
		return -errno;
	ret = vfio_bus_master(c->vd.device, true);
	if (ret)
		return ret;
	return mvgpu_ctx_queue_setup(c, 0, c->ring, c->ring_size, c->qsa);
}

/*
 * Bus Master Enable off: the device touches no guest memory.  A copy to
 * or from guest memory fails with MVGPU_ERR_DMA and moves nothing, and
 * clearing the bit under a long copy stops it: once the config write has
 * returned, no byte of guest memory changes.  With the bit on again (and
 * a reset) copies work.
 */
TEST_F(hostile, bus_master_off_stops_dma)
{
	const uint64_t iova = 0x200000000ull;
	size_t len = 16 << 20, i;
	uint8_t *buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *snap = malloc(len);
	struct mvgpu_cmd to_sys = {
		.opcode = MVGPU_OP_COPY, .flags = MVGPU_CMD_F_DST_SYS,
		.args = { iova, 0, 64 << 10 },
	};
	struct mvgpu_cmd from_sys = {
		.opcode = MVGPU_OP_COPY, .flags = MVGPU_CMD_F_SRC_SYS,
		.args = { 0, iova, 64 << 10 },
	};
	int dev = self->c.vd.device, err;
	uint64_t seq;

	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_NE(NULL, snap);
	memset(buf, 0x11, len);
	memset(self->c.vram, 0x77, len);
	ASSERT_EQ(0, mvgpu_ctx_dma_map(&self->c, buf, len, iova));

	ASSERT_EQ(0, vfio_bus_master(dev, false));
	ASSERT_EQ(0, mvgpu_ctx_submit(&self->c, &to_sys, 1));
	seq = mvgpu_ctx_fence(&self->c, 0);
	EXPECT_EQ(-EIO, mvgpu_ctx_wait(&self->c, seq, 20000));
	EXPECT_EQ(MVGPU_ERR_DMA, mvgpu_ctx_error(&self->c, NULL));
	EXPECT_EQ(0x11, buf[0]);
	EXPECT_EQ(0x11, buf[(64 << 10) - 1]);
	ASSERT_EQ(0, recover(&self->c));
	ASSERT_EQ(0, vfio_bus_master(dev, false));
	memset(self->c.vram, 0x77, len);	/* the reset cleared VRAM */
	ASSERT_EQ(0, mvgpu_ctx_submit(&self->c, &from_sys, 1));
	seq = mvgpu_ctx_fence(&self->c, 0);
	EXPECT_EQ(-EIO, mvgpu_ctx_wait(&self->c, seq, 20000));
	EXPECT_EQ(MVGPU_ERR_DMA, mvgpu_ctx_error(&self->c, NULL));
	EXPECT_EQ(0x77, self->c.vram[0]);
	ASSERT_EQ(0, recover(&self->c));
	memset(self->c.vram, 0x77, len);

	/* A long copy, Bus Master cleared under it. */
	ASSERT_EQ(0, vfio_bus_master(dev, true));
	to_sys.args[2] = len;
	ASSERT_EQ(0, mvgpu_ctx_submit(&self->c, &to_sys, 1));
	seq = mvgpu_ctx_fence(&self->c, 0);
	usleep(2000);
	ASSERT_EQ(0, vfio_bus_master(dev, false));
	memcpy(snap, buf, len);
	err = mvgpu_ctx_wait(&self->c, seq, 30000);
	for (i = 0; i < len && buf[i] == snap[i]; i++)
		;
	EXPECT_EQ(len, i) TH_LOG("byte %zu changed after Bus Master went off", i);
	ksft_print_msg("long copy: %s\n", err ? "stopped (MVGPU_ERR_DMA)" :
		       "had finished before the write");
	if (err) {
		EXPECT_EQ(-EIO, err);
		EXPECT_EQ(MVGPU_ERR_DMA, mvgpu_ctx_error(&self->c, NULL));
	}

	/* On again (recover() sets it): copies work. */
	ASSERT_EQ(0, recover(&self->c));
	memset(self->c.vram, 0x77, 64 << 10);
	memset(buf, 0x11, 64 << 10);
	to_sys.args[2] = 64 << 10;
	ASSERT_EQ(0, mvgpu_ctx_submit(&self->c, &to_sys, 1));
	seq = mvgpu_ctx_fence(&self->c, 0);
	EXPECT_EQ(0, mvgpu_ctx_wait(&self->c, seq, 20000));
	EXPECT_EQ(0x77, buf[0]);
	EXPECT_EQ(0x77, buf[(64 << 10) - 1]);
	ASSERT_EQ(0, mvgpu_ctx_dma_unmap(&self->c, len, iova));
	free(snap);
	munmap(buf, len);
}

static const struct bad_cmd {
	const char *what;
	struct mvgpu_cmd cmd;
	uint32_t error;
} corpus[] = {
	{ "unknown opcode", { .opcode = 77 }, MVGPU_ERR_BAD_OPCODE },
	{ "huge opcode", { .opcode = 0xffffffff }, MVGPU_ERR_BAD_OPCODE },
	{ "first unassigned opcode", { .opcode = MVGPU_OP_GEMM_F32 + 1 },
	  MVGPU_ERR_BAD_OPCODE },
	{ "NOP with flags", { .opcode = MVGPU_OP_NOP, .flags = 8 },
	  MVGPU_ERR_BAD_FLAGS },
	{ "NOP with args", { .opcode = MVGPU_OP_NOP, .args = { 0, 0, 0, 0, 0, 0, 1 } },
	  MVGPU_ERR_BAD_FLAGS },
	{ "FENCE bad flag", { .opcode = MVGPU_OP_FENCE, .flags = 2 },
	  MVGPU_ERR_BAD_FLAGS },
	{ "FILL past slice", { .opcode = MVGPU_OP_FILL, .args = { VRAM - 4, 8 } },
	  MVGPU_ERR_BAD_RANGE },
	{ "FILL wrapping", { .opcode = MVGPU_OP_FILL,
	  .args = { 0xfffffffffffff000ull, 0x2000 } }, MVGPU_ERR_BAD_RANGE },
	{ "FILL huge", { .opcode = MVGPU_OP_FILL, .args = { 0, 1ull << 62 } },
	  MVGPU_ERR_BAD_RANGE },
	{ "FILL misaligned", { .opcode = MVGPU_OP_FILL, .args = { 2, 8 } },
	  MVGPU_ERR_BAD_RANGE },
	{ "FILL zero", { .opcode = MVGPU_OP_FILL, .args = { 0, 0 } },
	  MVGPU_ERR_BAD_SIZE },
	{ "FILL wide pattern", { .opcode = MVGPU_OP_FILL,
	  .args = { 0, 4, 1ull << 32 } }, MVGPU_ERR_BAD_FLAGS },
	{ "COPY overlap", { .opcode = MVGPU_OP_COPY, .args = { 0, 100, 4096 } },
	  MVGPU_ERR_BAD_RANGE },
	{ "COPY beyond slice", { .opcode = MVGPU_OP_COPY,
	  .args = { 0, VRAM - 100, 4096 } }, MVGPU_ERR_BAD_RANGE },
	{ "COPY both sys", { .opcode = MVGPU_OP_COPY,
	  .flags = MVGPU_CMD_F_SRC_SYS | MVGPU_CMD_F_DST_SYS,
	  .args = { 0, 0, 64 } }, MVGPU_ERR_BAD_FLAGS },
	{ "COPY sys wrap", { .opcode = MVGPU_OP_COPY,
	  .flags = MVGPU_CMD_F_SRC_SYS,
	  .args = { 0, 0xffffffffffffff00ull, 4096 } }, MVGPU_ERR_BAD_RANGE },
	{ "COPY unmapped IOVA", { .opcode = MVGPU_OP_COPY,
	  .flags = MVGPU_CMD_F_DST_SYS,
	  .args = { 0x123456000ull, 0, 65536 } }, MVGPU_ERR_DMA },
	{ "COPY larger than VRAM", { .opcode = MVGPU_OP_COPY,
	  .args = { 0, 0, VRAM + 4096 } }, MVGPU_ERR_BAD_RANGE },
	{ "GEMM dim 0", { .opcode = MVGPU_OP_GEMM_I32,
	  .args = { 0, 1 << 20, 2 << 20, 0, 4, 4 } }, MVGPU_ERR_BAD_SIZE },
	{ "GEMM dim huge", { .opcode = MVGPU_OP_GEMM_I32,
	  .args = { 0, 1 << 20, 2 << 20, 4097, 4, 4 } }, MVGPU_ERR_BAD_SIZE },
	{ "GEMM C past slice", { .opcode = MVGPU_OP_GEMM_I32,
	  .args = { VRAM - 64, 0, 1 << 20, 4096, 4096, 1 } },
	  MVGPU_ERR_BAD_RANGE },
	{ "GEMM C overlaps A", { .opcode = MVGPU_OP_GEMM_I32,
	  .args = { 0, 64, 2 << 20, 16, 16, 16 } }, MVGPU_ERR_BAD_RANGE },
	{ "GEMM_F32 N 0", { .opcode = MVGPU_OP_GEMM_F32,
	  .args = { 0, 1 << 20, 2 << 20, 4, 0, 4 } }, MVGPU_ERR_BAD_SIZE },
	{ "GEMM_F32 K huge", { .opcode = MVGPU_OP_GEMM_F32,
	  .args = { 0, 1 << 20, 2 << 20, 4, 4, MVGPU_GEMM_MAX_DIM + 1 } },
	  MVGPU_ERR_BAD_SIZE },
	{ "GEMM_F32 C past slice", { .opcode = MVGPU_OP_GEMM_F32,
	  .args = { VRAM - 64, 0, 1 << 20, 4096, 4096, 1 } },
	  MVGPU_ERR_BAD_RANGE },
	{ "GEMM_F32 B past slice", { .opcode = MVGPU_OP_GEMM_F32,
	  .args = { 0, 1 << 20, VRAM - 4096, 4, 4096, 4 } },
	  MVGPU_ERR_BAD_RANGE },
	{ "GEMM_F32 A wrapping", { .opcode = MVGPU_OP_GEMM_F32,
	  .args = { 0, 0xfffffffffffff000ull, 2 << 20, 4, 4, 4096 } },
	  MVGPU_ERR_BAD_RANGE },
	{ "GEMM_F32 C overlaps B", { .opcode = MVGPU_OP_GEMM_F32,
	  .args = { 0, 1 << 20, 60, 4, 4, 4 } }, MVGPU_ERR_BAD_RANGE },
	{ "GEMM_F32 A misaligned", { .opcode = MVGPU_OP_GEMM_F32,
	  .args = { 0, (1 << 20) + 2, 2 << 20, 4, 4, 4 } },
	  MVGPU_ERR_BAD_RANGE },
	{ "GEMM_F32 with a flag", { .opcode = MVGPU_OP_GEMM_F32,
	  .flags = MVGPU_CMD_F_IRQ, .args = { 0, 1 << 20, 2 << 20, 4, 4, 4 } },
	  MVGPU_ERR_BAD_FLAGS },
	{ "GEMM_F32 args[6]", { .opcode = MVGPU_OP_GEMM_F32,
	  .args = { 0, 1 << 20, 2 << 20, 4, 4, 4, 1 } }, MVGPU_ERR_BAD_FLAGS },
	/* Flags are checked before sizes. */
	{ "GEMM_F32 flag and M 0", { .opcode = MVGPU_OP_GEMM_F32,
	  .flags = MVGPU_CMD_F_SRC_SYS, .args = { 0, 1 << 20, 2 << 20, 0, 4, 4 } },
	  MVGPU_ERR_BAD_FLAGS },
	{ "AXPY partial overlap", { .opcode = MVGPU_OP_AXPY_I32,
	  .args = { 0, 4, 100, 2 } }, MVGPU_ERR_BAD_RANGE },
	{ "AXPY count overflow", { .opcode = MVGPU_OP_AXPY_I32,
	  .args = { 0, 1 << 20, 0x4000000000000001ull, 2 } },
	  MVGPU_ERR_BAD_RANGE },
	{ "REDUCE dst misaligned", { .opcode = MVGPU_OP_REDUCE_I32,
	  .args = { 4, 1 << 20, 16 } }, MVGPU_ERR_BAD_RANGE },
	{ "SPIN too long", { .opcode = MVGPU_OP_SPIN,
	  .args = { MVGPU_SPIN_MAX_NS + 1 } }, MVGPU_ERR_BAD_SIZE },
	{ "TIMESTAMP past slice", { .opcode = MVGPU_OP_TIMESTAMP,
	  .args = { VRAM } }, MVGPU_ERR_BAD_RANGE },
};

/* Every corpus entry fails closed within its own submission. */
TEST_F(hostile, command_corpus)
{
	uint32_t info = 0, scratch;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(corpus); i++) {
		uint64_t seq;

		ASSERT_EQ(0, mvgpu_ctx_submit(&self->c, &corpus[i].cmd, 1));
		seq = mvgpu_ctx_fence(&self->c, 0);
		EXPECT_EQ(-EIO, mvgpu_ctx_wait(&self->c, seq, 20000))
			TH_LOG("%s", corpus[i].what);
		EXPECT_EQ(corpus[i].error, mvgpu_ctx_error(&self->c, &info))
			TH_LOG("%s", corpus[i].what);
		/* The command's ring offset is reported: the first slot. */
		EXPECT_EQ(0, info) TH_LOG("%s", corpus[i].what);
		/* The next command after it never ran. */
		EXPECT_EQ(0, mvgpu_ctx_qsa(&self->c)->fence)
			TH_LOG("%s", corpus[i].what);
		ASSERT_EQ(0, recover(&self->c));
	}
	/* And the offender works again. */
	ASSERT_EQ(0, vfio_mmio_write32(self->c.vd.device, MVGPU_REG_SCRATCH, 7));
	ASSERT_EQ(0, vfio_mmio_read32(self->c.vd.device, MVGPU_REG_SCRATCH,
				      &scratch));
	EXPECT_EQ(7, scratch);
	EXPECT_EQ(0, mvgpu_ctx_wait(&self->c, mvgpu_ctx_fence(&self->c, 0),
				    20000));
}

/* Ring states that lie: a tail outside the ring or not on a command. */
TEST_F(hostile, bad_tails)
{
	static const uint32_t tails[] = { 1, 63, MVGPU_CTX_RING_SIZE,
					  0xffffffc0, 0x80000000 };
	struct mvgpu_qsa *qsa = mvgpu_ctx_qsa(&self->c);
	uint32_t info = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tails); i++) {
		__atomic_store_n(&qsa->tail, tails[i], __ATOMIC_SEQ_CST);
		ASSERT_EQ(0, vfio_mmio_write32(self->c.vd.device,
					       MVGPU_QUEUE_BASE(0) +
					       MVGPU_QREG_DOORBELL, 1));
		usleep(100 * 1000);
		EXPECT_EQ(MVGPU_ERR_BAD_TAIL, mvgpu_ctx_error(&self->c, &info))
			TH_LOG("tail 0x%x", tails[i]);
		EXPECT_EQ(tails[i] & 0xffffff, info & 0xffffff);
		ASSERT_EQ(0, recover(&self->c));
	}
}

/* Queue setups that point outside the slice or overlap themselves. */
TEST_F(hostile, bad_queue_config)
{
	static const struct {
		uint64_t ring, qsa;
		uint32_t size;
	} cfg[] = {
		{ VRAM, 0, 4096 },			/* ring past slice */
		{ VRAM - 4096, 0, 8192 },		/* ring crosses end */
		{ 4096, 8192, 3000 },			/* size not 2^n */
		{ 4096, 8192, 2048 },			/* size too small */
		{ 100, 8192, 4096 },			/* ring misaligned */
		{ 4096, 4096 + 64, 4096 },		/* QSA inside ring */
		{ 4096, VRAM - 32, 4096 },		/* QSA crosses end */
		{ 1ull << 40, 0, 4096 },		/* far away */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cfg); i++) {
		uint32_t r[MVGPU_QREG_FENCE_HI / 4 + 1];
		unsigned int j;

		EXPECT_EQ(0, mvgpu_ctx_queue_setup(&self->c, 0, cfg[i].ring,
						   cfg[i].size, cfg[i].qsa));
		EXPECT_EQ(MVGPU_ERR_QUEUE_CONFIG, mvgpu_ctx_error(&self->c, NULL))
			TH_LOG("config %u", i);
		/* The manual, "Enabling a queue": what the registers read. */
		for (j = 0; j < ARRAY_SIZE(r); j++)
			ASSERT_EQ(0, vfio_mmio_read32(self->c.vd.device,
						      MVGPU_QUEUE_BASE(0) + 4 * j,
						      &r[j]));
		EXPECT_EQ((uint32_t)cfg[i].ring, r[MVGPU_QREG_RING_LO / 4]);
		EXPECT_EQ(cfg[i].ring >> 32, r[MVGPU_QREG_RING_HI / 4]);
		EXPECT_EQ(cfg[i].size, r[MVGPU_QREG_RING_SIZE / 4]);
		EXPECT_EQ((uint32_t)cfg[i].qsa, r[MVGPU_QREG_QSA_LO / 4]);
		EXPECT_EQ(cfg[i].qsa >> 32, r[MVGPU_QREG_QSA_HI / 4]);
		EXPECT_EQ(0, r[MVGPU_QREG_CONTROL / 4]) TH_LOG("config %u", i);
		EXPECT_EQ(0, r[MVGPU_QREG_HEAD / 4]);
		EXPECT_EQ(0, r[MVGPU_QREG_FENCE_LO / 4]);
		EXPECT_EQ(0, r[MVGPU_QREG_FENCE_HI / 4]);
		/* Nothing was written to VRAM: doorbell_needed stays 0. */
		if (cfg[i].qsa + sizeof(struct mvgpu_qsa) <= VRAM)
			EXPECT_EQ(0, ((struct mvgpu_qsa *)(self->c.vram +
					cfg[i].qsa))->doorbell_needed);
		ASSERT_EQ(0, recover(&self->c));
	}
}

struct scribbler {
	uint8_t *ring;
	size_t len;
	int stop;	/* __atomic */
};

static void *scribble(void *arg)
{
	struct scribbler *s = arg;
	unsigned int x = 1;

	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED)) {
		size_t i;

		for (i = 0; i < s->len; i += 8) {
			x = x * 1103515245 + 12345;
			*(uint64_t *)(s->ring + i) = (uint64_t)x << 32 | x;
		}
	}
	return NULL;
}

/*
 * A guest that rewrites its whole ring while the device reads it gets
 * whatever each 64-byte copy decodes to: commands run or the vGPU fails
 * with a command error.  Nothing else happens, and the victim is fine.
 */
TEST_F(hostile, ring_rewritten_while_read)
{
	struct scribbler s = {
		.ring = self->c.vram + self->c.ring,
		.len = self->c.ring_size,
	};
	struct mvgpu_qsa *qsa = mvgpu_ctx_qsa(&self->c);
	pthread_t thread;
	int round, err;

	ASSERT_EQ(0, pthread_create(&thread, NULL, scribble, &s));
	for (round = 0; round < 20; round++) {
		uint32_t tail = ((round * 37) % (self->c.ring_size / 64)) * 64;

		__atomic_store_n(&qsa->tail, tail, __ATOMIC_SEQ_CST);
		vfio_mmio_write32(self->c.vd.device, MVGPU_QUEUE_BASE(0) +
				  MVGPU_QREG_DOORBELL, 1);
		usleep(20 * 1000);
		err = mvgpu_ctx_error(&self->c, NULL);
		EXPECT_TRUE(err == 0 || (err >= MVGPU_ERR_BAD_OPCODE &&
					 err <= MVGPU_ERR_TIMEOUT))
			TH_LOG("error %d", err);
		if (err)
			ASSERT_EQ(0, recover(&self->c));
	}
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELAXED);
	pthread_join(thread, NULL);
	ASSERT_EQ(0, recover(&self->c));
	memset(self->c.vram + self->c.ring, 0, self->c.ring_size);
	EXPECT_EQ(0, mvgpu_ctx_wait(&self->c, mvgpu_ctx_fence(&self->c, 0),
				    20000));
}

/*
 * Unmapping guest memory under a running copy (16 MiB: the pinned path,
 * with pinning on):
 * the copy either finished first, or fails with MVGPU_ERR_DMA; nothing
 * stays pinned and the host stays clean.
 */
TEST_F(hostile, dma_unmap_mid_copy)
{
	size_t len = 16 << 20;
	uint8_t *buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct mvgpu_cmd copy = {
		.opcode = MVGPU_OP_COPY, .flags = MVGPU_CMD_F_SRC_SYS,
		.args = { 0, 0x200000000ull, 16 << 20 },
	};
	int round, err;
	uint64_t seq;

	ASSERT_NE(MAP_FAILED, buf);
	memset(buf, 0xab, len);
	for (round = 0; round < 5; round++) {
		ASSERT_EQ(0, mvgpu_ctx_dma_map(&self->c, buf, len,
					       0x200000000ull));
		ASSERT_EQ(0, mvgpu_ctx_submit(&self->c, &copy, 1));
		seq = mvgpu_ctx_fence(&self->c, 0);
		usleep(round * 2000);
		ASSERT_EQ(0, mvgpu_ctx_dma_unmap(&self->c, len, 0x200000000ull));
		/* dma_unmap returned only after the engine let go of it all. */
		EXPECT_EQ(0, mvgpu_vgpu_u64(self->uuid,
					    "mvgpu_stats/dma_pinned_pages"));
		err = mvgpu_ctx_wait(&self->c, seq, 30000);
		if (err) {
			EXPECT_EQ(-EIO, err);
			EXPECT_EQ(MVGPU_ERR_DMA, mvgpu_ctx_error(&self->c, NULL));
			ASSERT_EQ(0, recover(&self->c));
		}
		ksft_print_msg("round %d: copy %s\n", round,
			       err ? "failed with MVGPU_ERR_DMA" : "finished first");
	}
	munmap(buf, len);
}

/*
 * A VMM that never supplies guest memory: the offender's COPY reads an
 * IOVA whose pages fault into a userfaultfd nobody serves, so the access
 * blocks for as long as the VMM likes.  With one engine for both vGPUs,
 * the engine must not wait for it: the victim keeps computing, the
 * offender fails with MVGPU_ERR_TIMEOUT, and once the VMM resolves the
 * fault (here: closes the userfaultfd) the offender recovers by reset.
 */
TEST(dma_stalled_by_vmm)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	char ou[MVGPU_UUID_LEN], vu[MVGPU_UUID_LEN];
	size_t len = 2 << 20;
	struct mvgpu_cmd copy = {
		.opcode = MVGPU_OP_COPY, .flags = MVGPU_CMD_F_SRC_SYS,
		.args = { 0, 0x400000000ull, 8192 },
	};
	struct mvgpu_cmd fill = {
		.opcode = MVGPU_OP_FILL, .args = { 0, 1 << 20, 0x5a5a5a5a },
	};
	struct mvgpu_ctx o, v;
	uint64_t seq, fills = 0;
	uint32_t info = 0;
	uint8_t *buf;
	int uffd, ret;

	MVGPU_HOST_CHECK(true);
	ASSERT_EQ(0, mvgpu_unload());
	ASSERT_EQ(0, mvgpu_load("engines=1"));
	mvgpu_uuid_gen(ou);
	mvgpu_uuid_gen(vu);
	ASSERT_EQ(0, mdev_create("mvgpu-ts-32m", ou));
	ASSERT_EQ(0, mdev_create("mvgpu-ts-32m", vu));
	ASSERT_EQ(0, mvgpu_ctx_open(ou, &o));
	ASSERT_EQ(0, mvgpu_ctx_open(vu, &v));

	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0)
		SKIP(goto out_close, "no userfaultfd: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_API, &api));
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	reg.range.start = (uintptr_t)buf;
	reg.range.len = len;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_REGISTER, &reg));
	ASSERT_EQ(0, mvgpu_ctx_dma_map(&o, buf, len, 0x400000000ull));

	ASSERT_EQ(0, mvgpu_ctx_submit(&o, &copy, 1));
	seq = mvgpu_ctx_fence(&o, 0);
	ASSERT_NE(0, seq);

	/* The victim shares the only engine and keeps getting it. */
	while (!mvgpu_ctx_error(&o, NULL) && fills < 2000) {
		ASSERT_EQ(0, mvgpu_ctx_submit(&v, &fill, 1));
		ASSERT_EQ(0, mvgpu_ctx_wait(&v, mvgpu_ctx_fence(&v, 0), 20000))
			TH_LOG("victim stuck after %lu fills", (unsigned long)fills);
		fills++;
	}
	ksft_print_msg("victim completed %lu fills meanwhile\n",
		       (unsigned long)fills);
	EXPECT_EQ(0x5a5a5a5a, *(uint32_t *)v.vram);
	ret = mvgpu_ctx_wait(&o, seq, 30000);
	EXPECT_EQ(-EIO, ret);
	EXPECT_EQ(MVGPU_ERR_TIMEOUT, mvgpu_ctx_error(&o, &info));
	EXPECT_EQ(0, mvgpu_ctx_error(&v, NULL));

	/* The VMM lets go; the stuck access completes, reset recovers. */
	close(uffd);
	ASSERT_EQ(0, recover(&o));
	EXPECT_EQ(0, mvgpu_ctx_wait(&o, mvgpu_ctx_fence(&o, 0), 20000));
	ASSERT_EQ(0, mvgpu_ctx_dma_unmap(&o, len, 0x400000000ull));
	munmap(buf, len);
out_close:
	mvgpu_ctx_close(&v);
	mvgpu_ctx_close(&o);
	EXPECT_EQ(0, mvgpu_unload());
}

int main(int argc, char **argv)
{
	mvgpu_host_preflight();
	return test_harness_run(argc, argv);
}
