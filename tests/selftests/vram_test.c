// SPDX-License-Identifier: GPL-2.0
/*
 * vram_test - a vGPU's VRAM behind BAR2: zero on creation, pread/pwrite,
 * mmap, clearing on reset and close, isolation between vGPUs, and
 * clearing while a write is in flight.
 *
 * The "vgpu" fixture is the one of device_test.c (see there for the
 * environment variables MVGPU_TEST_ONLY and MVGPU_KEEP_MODULES).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/pci_regs.h>

#include "kselftest_harness.h"
#include "mvgpu_test.h"

#include "vgpu_fixture.h"

#define VRAM_POS(off)	(MVGPU_REGION_OFFSET(VRAM_INDEX) + (off))
#define CHUNK		0x100000U	/* 1 MiB */
#define CANARY		0x4d5643414e415259ULL	/* "MVCANARY" */
#define NOT_FOUND	(-1LL)
#define READ_FAILED	(-2LL)

static uint64_t chunk_buf[CHUNK / 8];

/*
 * Offset of the first 8-byte word of BAR2 [off, off + len) that is not
 * zero (@want_zero) or that equals @pattern (!@want_zero); NOT_FOUND;
 * READ_FAILED.  @off and @len are multiples of 8.
 */
static long long vram_scan(int fd, uint64_t off, uint64_t len,
			   bool want_zero, uint64_t pattern)
{
	uint64_t done, n, i;

	for (done = 0; done < len; done += n) {
		n = len - done < CHUNK ? len - done : CHUNK;
		if (pread(fd, chunk_buf, n, VRAM_POS(off + done)) != (ssize_t)n)
			return READ_FAILED;
		for (i = 0; i < n / 8; i++)
			if (want_zero ? chunk_buf[i] != 0 :
					chunk_buf[i] == pattern)
				return off + done + 8 * i;
	}
	return NOT_FOUND;
}

static long long vram_nonzero(int fd, uint64_t off, uint64_t len)
{
	return vram_scan(fd, off, len, true, 0);
}

static int vram_fill(int fd, uint64_t off, uint64_t len, uint64_t pattern)
{
	uint64_t done, n, i;

	for (i = 0; i < CHUNK / 8; i++)
		chunk_buf[i] = pattern;
	for (done = 0; done < len; done += n) {
		n = len - done < CHUNK ? len - done : CHUNK;
		if (pwrite(fd, chunk_buf, n, VRAM_POS(off + done)) != (ssize_t)n)
			return -errno;
	}
	return 0;
}

/* First non-zero byte of a mapping, or NOT_FOUND. */
static long long map_nonzero(const void *map, size_t len)
{
	const uint64_t *p = map;
	size_t i;

	for (i = 0; i < len / 8; i++)
		if (p[i])
			return 8 * i;
	return NOT_FOUND;
}

/* Close the device (undoing a mapping first) and open it again. */
#define REOPEN() ({						\
	if (self->map)						\
		munmap(self->map, self->map_len);		\
	self->map = NULL;					\
	vfio_dev_close(&self->dev);				\
	ASSERT_EQ(0, vfio_dev_open(self->uuid, &self->dev));	\
	self->fd = self->dev.device;				\
})

/* Map BAR2 [0, len) shared; teardown unmaps it. */
#define MAP_VRAM(len) ({					\
	size_t __len = (len);					\
	void *__p = mmap(NULL, __len, PROT_READ | PROT_WRITE,	\
			 MAP_SHARED, self->fd, VRAM_POS(0));	\
	ASSERT_NE(MAP_FAILED, __p) TH_LOG("mmap: %s", strerror(errno)); \
	self->map = __p;					\
	self->map_len = __len;					\
	(uint8_t *)__p;						\
})

/* ---------------------------------------------------------------------- */

TEST_F_TIMEOUT(vgpu, vram_fresh_zero, 120)
{
	if (!self->ready)
		return;
	EXPECT_EQ(NOT_FOUND, vram_nonzero(self->fd, 0, variant->vram));
}

TEST_F(vgpu, vram_rw_roundtrip)
{
	const uint64_t size = variant->vram;
	const uint64_t where[] = { 0, 1, size / 2 - 3, size / 2, size - 4096,
				   size - 8, size - 3, size - 1 };
	uint8_t buf[4096], back[4096];
	unsigned int i, j;
	size_t len;

	if (!self->ready)
		return;
	for (i = 0; i < ARRAY_SIZE(where); i++) {
		len = size - where[i] < sizeof(buf) ? size - where[i] : sizeof(buf);
		for (j = 0; j < len; j++)
			buf[j] = i * 31 + j * 7 + 1;
		ASSERT_EQ((ssize_t)len, pwrite(self->fd, buf, len,
					       VRAM_POS(where[i])));
		memset(back, 0, sizeof(back));
		ASSERT_EQ((ssize_t)len, pread(self->fd, back, len,
					      VRAM_POS(where[i])));
		EXPECT_EQ(0, memcmp(buf, back, len))
			TH_LOG("at 0x%llx", (unsigned long long)where[i]);
	}
	/* The last byte alone, and the last 8 across two earlier writes. */
	buf[0] = 0x7e;
	ASSERT_EQ(1, pwrite(self->fd, buf, 1, VRAM_POS(size - 1)));
	ASSERT_EQ(1, pread(self->fd, back, 1, VRAM_POS(size - 1)));
	EXPECT_EQ(0x7e, back[0]);

	/* Out of bounds: EINVAL and nothing written. */
	memset(buf, 0xee, sizeof(buf));
	EXPECT_EQ(-1, pwrite(self->fd, buf, 2, VRAM_POS(size - 1)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pwrite(self->fd, buf, 1, VRAM_POS(size)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, pwrite(self->fd, buf, 0, VRAM_POS(0)));	/* no-op */
	EXPECT_EQ(-1, pread(self->fd, back, 4096, VRAM_POS(size - 4095)));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pread(self->fd, back, 1, VRAM_POS(MVGPU_REGION_OFFSET(1) - 1)));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(1, pread(self->fd, back, 1, VRAM_POS(size - 1)));
	EXPECT_EQ(0x7e, back[0]);
	/* The next region index starts right after: BAR3 has no size. */
	EXPECT_EQ(-1, pread(self->fd, back, 1, MVGPU_REGION_OFFSET(VRAM_INDEX + 1)));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(vgpu, vram_rw_large)
{
	const size_t len = 3 * CHUNK + 4093;
	uint8_t *buf = malloc(len), *back = malloc(len);
	size_t i;

	if (!self->ready)
		return;
	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, back);
	for (i = 0; i < len; i++)
		buf[i] = (i * 2654435761u) >> 13;
	ASSERT_EQ((ssize_t)len, pwrite(self->fd, buf, len, VRAM_POS(4097)));
	ASSERT_EQ((ssize_t)len, pread(self->fd, back, len, VRAM_POS(4097)));
	EXPECT_EQ(0, memcmp(buf, back, len));
	/* Bytes around it are untouched. */
	EXPECT_EQ(NOT_FOUND, vram_nonzero(self->fd, 0, 4096));
	EXPECT_EQ(NOT_FOUND, vram_nonzero(self->fd, 4097 + len + 7, 4096));
	free(buf);
	free(back);
}

TEST_F(vgpu, vram_mmap)
{
	const uint64_t size = variant->vram;
	uint8_t *map, b[8];
	uint64_t v;

	if (!self->ready)
		return;
	ASSERT_EQ(8, pwrite(self->fd, "pwrite-0", 8, VRAM_POS(0)));
	ASSERT_EQ(8, pwrite(self->fd, "pwrite-m", 8, VRAM_POS(size / 2)));
	ASSERT_EQ(8, pwrite(self->fd, "pwrite-e", 8, VRAM_POS(size - 8)));
	map = MAP_VRAM(size);
	EXPECT_EQ(0, memcmp(map, "pwrite-0", 8));
	EXPECT_EQ(0, memcmp(map + size / 2, "pwrite-m", 8));
	EXPECT_EQ(0, memcmp(map + size - 8, "pwrite-e", 8));

	memcpy(map + 4096, "mmaped-1", 8);
	memcpy(map + size - 16, "mmaped-e", 8);
	ASSERT_EQ(8, pread(self->fd, b, 8, VRAM_POS(4096)));
	EXPECT_EQ(0, memcmp(b, "mmaped-1", 8));
	ASSERT_EQ(8, pread(self->fd, b, 8, VRAM_POS(size - 16)));
	EXPECT_EQ(0, memcmp(b, "mmaped-e", 8));

	/* A second, partial mapping at an offset sees the same memory. */
	uint8_t *tail = mmap(NULL, 8192, PROT_READ, MAP_SHARED, self->fd,
			     VRAM_POS(size - 8192));
	ASSERT_NE(MAP_FAILED, tail);
	EXPECT_EQ(0, memcmp(tail + 8192 - 8, "pwrite-e", 8));
	memcpy(&v, map + size - 8192, 8);
	EXPECT_EQ(0, memcmp(tail, &v, 8));
	munmap(tail, 8192);
}

TEST_F(vgpu, vram_mmap_errors)
{
	const uint64_t size = variant->vram;
	static const struct { int index; uint64_t off, len; int flags; } bad[] = {
		{ VRAM_INDEX, 0, 4096, MAP_PRIVATE },
		{ MMIO_INDEX, 0, 4096, MAP_SHARED },
		{ MMIO_INDEX, 0, MVGPU_MMIO_SIZE, MAP_SHARED },
		{ CFG_INDEX, 0, 4096, MAP_SHARED },
		{ VFIO_PCI_BAR3_REGION_INDEX, 0, 4096, MAP_SHARED },
		{ VFIO_PCI_ROM_REGION_INDEX, 0, 4096, MAP_SHARED },
		{ 9, 0, 4096, MAP_SHARED },
	};
	unsigned int i;
	void *p;

	if (!self->ready)
		return;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		p = mmap(NULL, bad[i].len, PROT_READ | PROT_WRITE, bad[i].flags,
			 self->fd, MVGPU_REGION_OFFSET(bad[i].index) + bad[i].off);
		EXPECT_EQ(MAP_FAILED, p) TH_LOG("case %u", i);
		EXPECT_EQ(EINVAL, errno) TH_LOG("case %u", i);
		if (p != MAP_FAILED)
			munmap(p, bad[i].len);
	}
	/* Beyond the slice. */
	p = mmap(NULL, size + 4096, PROT_READ, MAP_SHARED, self->fd, VRAM_POS(0));
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, 8192, PROT_READ, MAP_SHARED, self->fd, VRAM_POS(size - 4096));
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd, VRAM_POS(size));
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	/* Read-only shared mapping is fine. */
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd, VRAM_POS(0));
	EXPECT_NE(MAP_FAILED, p);
	if (p != MAP_FAILED)
		munmap(p, 4096);
}

TEST_F_TIMEOUT(vgpu, vram_reset_clears, 120)
{
	const uint64_t size = variant->vram;
	uint8_t *map;

	if (!self->ready)
		return;
	/* pwrite, then VFIO_DEVICE_RESET. */
	ASSERT_EQ(0, vram_fill(self->fd, 0, 8192, CANARY));
	ASSERT_EQ(0, vram_fill(self->fd, size - 8192, 8192, CANARY));
	ASSERT_EQ(0, ioctl(self->fd, VFIO_DEVICE_RESET));
	EXPECT_EQ(NOT_FOUND, vram_nonzero(self->fd, 0, size));

	/* pwrite, then CONTROL.RESET. */
	ASSERT_EQ(0, vram_fill(self->fd, size / 2, 8192, CANARY));
	MMIO_WR(MVGPU_REG_CONTROL, MVGPU_CONTROL_RESET);
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_CONTROL));
	EXPECT_EQ(NOT_FOUND, vram_nonzero(self->fd, 0, size));

	/* Stores through a mapping, then either reset; seen in the mapping. */
	map = MAP_VRAM(size);
	memset(map, 0x5a, 4096);
	memset(map + size - 4096, 0x5a, 4096);
	ASSERT_EQ(0, ioctl(self->fd, VFIO_DEVICE_RESET));
	EXPECT_EQ(NOT_FOUND, map_nonzero(map, size));
	memset(map + size / 2, 0xa5, 4096);
	MMIO_WR(MVGPU_REG_CONTROL, MVGPU_CONTROL_RESET);
	EXPECT_EQ(NOT_FOUND, map_nonzero(map, size));
	EXPECT_EQ(NOT_FOUND, vram_nonzero(self->fd, 0, size));
}

/* A vGPU's mvgpu_stats counter; ~0 if it cannot be read. */
#define VGPU_STAT(name) mvgpu_vgpu_u64(self->uuid, "mvgpu_stats/" name)
#define CLEAR_RATE	"/sys/module/mvgpu/parameters/reset_clear_mb_per_s"

/*
 * A reset clears what was written since the last clear, in 64 KiB
 * chunks, not the whole slice: a client that has not mapped BAR2 and
 * wrote one word makes the next reset clear 64 KiB, the one after that
 * nothing; what was written reads zero afterwards.
 */
TEST_F_TIMEOUT(vgpu, vram_reset_clears_written, 120)
{
	const uint64_t size = variant->vram;
	uint64_t c0, c1, c2;

	if (!self->ready)
		return;
	ASSERT_EQ(0, vram_fill(self->fd, size / 2 + 4096, 8, CANARY));
	c0 = VGPU_STAT("vram_cleared_bytes");
	ASSERT_EQ(0, ioctl(self->fd, VFIO_DEVICE_RESET));
	c1 = VGPU_STAT("vram_cleared_bytes");
	MMIO_WR(MVGPU_REG_CONTROL, MVGPU_CONTROL_RESET);
	c2 = VGPU_STAT("vram_cleared_bytes");
	EXPECT_EQ(64 << 10, c1 - c0);
	EXPECT_EQ(0, c2 - c1);
	EXPECT_EQ(NOT_FOUND, vram_nonzero(self->fd, 0, size));
}

/*
 * With BAR2 mapped (as QEMU always has it), a reset cannot know what the
 * mapping wrote and clears the whole slice; a guest resetting in a loop
 * gets at most reset_clear_mb_per_s of clearing after a burst of four
 * slices (the rest of the time its resets wait), and every reset still
 * leaves the slice reading zero.  Checked from the counters.
 */
TEST_F_TIMEOUT(vgpu, vram_reset_loop_bounded, 180)
{
	const uint64_t size = variant->vram, rate_mb = 256;
	uint64_t c0, c1, w0, w1, t0, t1, limit;
	char old[32] = "1024";
	uint8_t *map;
	int i;

	if (!self->ready)
		return;
	sysfs_read_str(CLEAR_RATE, old, sizeof(old));
	ASSERT_EQ(0, sysfs_write_str(CLEAR_RATE, "256"));
	map = MAP_VRAM(size);
	c0 = VGPU_STAT("vram_cleared_bytes");
	w0 = VGPU_STAT("vram_clear_wait_ns");
	t0 = mvgpu_now_ns();
	for (i = 0; i < 12; i++) {
		map[(i * 4099) % size] = 0x5a;
		MMIO_WR(MVGPU_REG_CONTROL, MVGPU_CONTROL_RESET);
		EXPECT_EQ(0, map[(i * 4099) % size]);
	}
	t1 = mvgpu_now_ns();
	c1 = VGPU_STAT("vram_cleared_bytes");
	w1 = VGPU_STAT("vram_clear_wait_ns");
	sysfs_write_str(CLEAR_RATE, old);
	TH_LOG("12 resets: %.0f MiB cleared, %.0f ms waited, %.0f ms wall",
	       (c1 - c0) / 1048576.0, (w1 - w0) / 1e6, (t1 - t0) / 1e6);
	EXPECT_EQ(12 * size, c1 - c0);
	/* The budget: four slices, then rate_mb MiB/s (one slice of slack). */
	limit = 4 * size + (rate_mb << 20) * (t1 - t0) / 1000000000ull + size;
	EXPECT_LE(c1 - c0, limit);
	EXPECT_EQ(NOT_FOUND, map_nonzero(map, size));
}

TEST_F_TIMEOUT(vgpu, vram_close_clears, 120)
{
	const uint64_t size = variant->vram;
	uint8_t *map;

	if (!self->ready)
		return;
	/* Written with pwrite: the next user sees zeros. */
	ASSERT_EQ(0, vram_fill(self->fd, size - CHUNK, CHUNK, CANARY));
	REOPEN();
	EXPECT_EQ(NOT_FOUND, vram_nonzero(self->fd, 0, size));

	/* Written only through a mapping. */
	map = MAP_VRAM(size);
	memset(map + 12345, 0x42, 100);
	REOPEN();
	EXPECT_EQ(NOT_FOUND, vram_nonzero(self->fd, 0, size));
}

TEST_F_TIMEOUT(vgpu, vram_isolation, 180)
{
	const uint64_t size = variant->vram;
	const char *type2 = variant->type;
	uint64_t avail = 0;
	long long at;
	int ret;

	if (!self->ready)
		return;
	/* Fill A completely. */
	ASSERT_EQ(0, vram_fill(self->fd, 0, size, CANARY));

	/* B: the same type if it fits, else the smallest. */
	if (mvgpu_type_available(type2, &avail) || !avail)
		type2 = "mvgpu-ts-32m";
	mvgpu_uuid_gen(self->uuid2);
	ASSERT_EQ(0, mdev_create(type2, self->uuid2)) TH_LOG("a %s", type2);
	ASSERT_EQ(0, vfio_dev_open(self->uuid2, &self->dev2));
	struct vfio_region_info info;

	ASSERT_EQ(0, vfio_region_info(self->dev2.device, VRAM_INDEX, &info));
	at = vram_scan(self->dev2.device, 0, info.size, false, CANARY);
	EXPECT_EQ(NOT_FOUND, at) TH_LOG("A's canary in B (%s) at 0x%llx",
					type2, at);
	EXPECT_EQ(NOT_FOUND, vram_nonzero(self->dev2.device, 0, info.size));
	/* B's writes, at both ends, do not reach A. */
	ASSERT_EQ(0, vram_fill(self->dev2.device, 0, 4096, 0));
	ASSERT_EQ(0, vram_fill(self->dev2.device, 0, 8, 0x1111111111111111ULL));
	ASSERT_EQ(0, vram_fill(self->dev2.device, info.size - 8, 8,
			       0x2222222222222222ULL));
	at = vram_scan(self->fd, 0, size, true, 0);
	EXPECT_EQ(0, at);	/* A's first word is non-zero: the canary */
	EXPECT_EQ(NOT_FOUND, vram_scan(self->fd, 0, size, false,
				       0x1111111111111111ULL));
	EXPECT_EQ(NOT_FOUND, vram_scan(self->fd, 0, size, false,
				       0x2222222222222222ULL));

	/* Destroy A; a new vGPU of its type (first fit: A's slice) is zero. */
	vfio_dev_close(&self->dev);
	ASSERT_EQ(0, mdev_remove(self->uuid));
	mvgpu_uuid_gen(self->uuid);
	ret = mdev_create(variant->type, self->uuid);
	ASSERT_EQ(0, ret) TH_LOG("re-creating a %s: %s", variant->type,
				 strerror(-ret));
	ASSERT_EQ(0, vfio_dev_open(self->uuid, &self->dev));
	self->fd = self->dev.device;
	at = vram_scan(self->fd, 0, size, false, CANARY);
	EXPECT_EQ(NOT_FOUND, at) TH_LOG("old canary at 0x%llx", at);
	EXPECT_EQ(NOT_FOUND, vram_nonzero(self->fd, 0, size));
}

struct writer {
	int fd;
	const void *buf;
	size_t len;
	int started, done;
	ssize_t ret;
	double secs;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *vram_writer(void *arg)
{
	struct writer *w = arg;
	double t0 = now();

	__atomic_store_n(&w->started, 1, __ATOMIC_SEQ_CST);
	w->ret = pwrite(w->fd, w->buf, w->len, VRAM_POS(0));
	w->secs = now() - t0;
	__atomic_store_n(&w->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/*
 * Resets racing with a large pwrite: once the write has returned, a reset
 * with nothing in flight must leave the slice zero, and so must closing
 * the device (the next user of the vGPU must not see this one's data).
 */
TEST_F_TIMEOUT(vgpu, vram_reset_during_write, 180)
{
	const size_t len = variant->vram < (32U << 20) ? variant->vram : 32U << 20;
	struct writer w = { .fd = self->fd, .len = len };
	long long at = NOT_FOUND;
	unsigned int round, resets;
	void *buf = malloc(len);
	pthread_t t;

	if (!self->ready)
		return;
	ASSERT_NE(NULL, buf);
	memset(buf, 0x5a, len);
	w.buf = buf;
	for (round = 0; round < 4 && at == NOT_FOUND; round++) {
		w.started = 0;
		w.done = 0;
		ASSERT_EQ(0, pthread_create(&t, NULL, vram_writer, &w));
		while (!__atomic_load_n(&w.started, __ATOMIC_SEQ_CST))
			usleep(100);
		for (resets = 0; !__atomic_load_n(&w.done, __ATOMIC_SEQ_CST);
		     resets++) {
			ASSERT_EQ(0, ioctl(self->fd, VFIO_DEVICE_RESET));
			usleep(500);
		}
		pthread_join(t, NULL);
		ASSERT_EQ((ssize_t)len, w.ret);
		ASSERT_EQ(0, ioctl(self->fd, VFIO_DEVICE_RESET));
		at = vram_nonzero(self->fd, 0, len);
		TH_LOG("round %u: %zu MiB written in %.3f s, %u resets during it",
		       round, len >> 20, w.secs, resets);
	}
	EXPECT_EQ(NOT_FOUND, at)
		TH_LOG("VRAM at 0x%llx not cleared by a reset after the write", at);
	if (at != NOT_FOUND) {
		REOPEN();
		at = vram_nonzero(self->fd, 0, len);
		EXPECT_EQ(NOT_FOUND, at)
			TH_LOG("and still there for the next user, at 0x%llx", at);
	}
	free(buf);
}

int main(int argc, char **argv)
{
	return vgpu_fixture_main(argc, argv);
}
