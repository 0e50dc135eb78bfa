// SPDX-License-Identifier: GPL-2.0
/*
 * migrate_test - live migration of a vGPU through VFIO migration v2, with
 * this program as the VMM: two vGPUs of one profile, the source and the
 * target, each in its own container (as two QEMUs would have them).  The
 * test drives VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE on both, copies the
 * stream, and compares VRAM, registers, fences and scheduling attributes.
 *
 * Also: a command in flight resumed on the target, cancelled migrations
 * (the source runs on), a target of another profile, corrupted,
 * truncated, oversized and unknown-version streams (refused with their
 * errno; the target works after a reset), resets during a transfer,
 * pre-copy with VRAM dirtied through the mapping and by engines (where
 * the kernel offers PRE_COPY), and a short fuzzer of random streams
 * (MVGPU_MIG_FUZZ_ITER iterations, default 300; `make fuzz` runs 10^5).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mvgpu_test.h"
#include <linux/mvgpu_mig.h>

/* 6.2+ uAPI that Debian 12's userspace headers (6.1) lack. */
#ifndef VFIO_MIGRATION_PRE_COPY
#define VFIO_MIGRATION_PRE_COPY		4
#define VFIO_DEVICE_STATE_PRE_COPY	6
#define VFIO_DEVICE_STATE_PRE_COPY_P2P	7
struct vfio_precopy_info {
	__u32 argsz;
	__u32 flags;
	__aligned_u64 initial_bytes;
	__aligned_u64 dirty_bytes;
};

#define VFIO_MIG_GET_PRECOPY_INFO	_IO(VFIO_TYPE, VFIO_BASE + 21)
#endif

#define VRAM_INDEX	(VFIO_PCI_BAR0_REGION_INDEX + MVGPU_BAR_VRAM)
#define TYPE		"mvgpu-ts-32m"
#define OTHER_TYPE	"mvgpu-part-1e-64m"

/* ---- helpers ---- */

static uint32_t crc_table[256];

static uint32_t crc32_buf(uint32_t crc, const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	if (!crc_table[1]) {
		for (i = 0; i < 256; i++) {
			uint32_t c = i;
			int k;

			for (k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			crc_table[i] = c;
		}
	}
	crc = ~crc;
	for (i = 0; i < len; i++)
		crc = crc_table[(crc ^ b[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static int mig_feature(int fd, uint32_t flags, void *data, size_t len)
{
	uint8_t buf[sizeof(struct vfio_device_feature) + 64] = {};
	struct vfio_device_feature *f = (void *)buf;
	int ret;

	f->argsz = sizeof(*f) + len;
	f->flags = flags;
	memcpy(f->data, data, len);
	ret = ioctl(fd, VFIO_DEVICE_FEATURE, f);
	memcpy(data, f->data, len);
	return ret ? -errno : 0;
}

static uint64_t mig_flags_of(int fd)
{
	struct vfio_device_feature_migration m = {};

	if (mig_feature(fd, VFIO_DEVICE_FEATURE_GET |
			VFIO_DEVICE_FEATURE_MIGRATION, &m, sizeof(m)))
		return 0;
	return m.flags;
}

/* Go to @state; *@data_fd gets a new data fd or -1.  0 or -errno. */
static int mig_set(int fd, uint32_t state, int *data_fd)
{
	struct vfio_device_feature_mig_state m = { .device_state = state };
	int ret;

	ret = mig_feature(fd, VFIO_DEVICE_FEATURE_SET |
			  VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, &m, sizeof(m));
	if (data_fd)
		*data_fd = ret ? -1 : m.data_fd;
	else if (!ret && m.data_fd >= 0)
		close(m.data_fd);
	return ret;
}

static int mig_get(int fd)
{
	struct vfio_device_feature_mig_state m = {};
	int ret;

	ret = mig_feature(fd, VFIO_DEVICE_FEATURE_GET |
			  VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE, &m, sizeof(m));
	return ret ? ret : (int)m.device_state;
}

static int dev_reset(int fd)
{
	return ioctl(fd, VFIO_DEVICE_RESET) ? -errno : 0;
}

struct stream {
	uint8_t *buf;
	size_t len;
	size_t cap;
};

static void stream_free(struct stream *s)
{
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

/*
 * Read a data fd until end of stream (0) or, in pre-copy, until -ENOMSG.
 * Returns 0, or -errno of the read that failed otherwise.
 */
static int stream_read(int dfd, struct stream *s, bool precopy)
{
	for (;;) {
		ssize_t n;

		if (s->cap - s->len < (1u << 20)) {
			s->cap = s->cap ? 2 * s->cap : (8u << 20);
			s->buf = realloc(s->buf, s->cap);
			if (!s->buf)
				return -ENOMEM;
		}
		n = read(dfd, s->buf + s->len, s->cap - s->len);
		if (n < 0)
			return precopy && errno == ENOMSG ? 0 : -errno;
		if (!n)
			return 0;
		s->len += n;
	}
}

/* Write all of @len in @chunk pieces; -errno of the first failure. */
static int stream_write(int dfd, const uint8_t *buf, size_t len, size_t chunk)
{
	size_t done = 0;

	while (done < len) {
		size_t n = len - done < chunk ? len - done : chunk;
		ssize_t r = write(dfd, buf + done, n);

		if (r < 0)
			return -errno;
		if (!r)
			return -EIO;
		done += r;
	}
	return 0;
}

/* Save @fd (RUNNING) with stop-and-copy; leaves it in STOP. */
static int save(int fd, struct stream *s)
{
	int dfd, ret;

	ret = mig_set(fd, VFIO_DEVICE_STATE_STOP_COPY, &dfd);
	if (ret)
		return ret;
	ret = stream_read(dfd, s, false);
	close(dfd);
	if (ret)
		return ret;
	return mig_set(fd, VFIO_DEVICE_STATE_STOP, NULL);
}

/*
 * Load @buf into @fd (RUNNING): RESUMING, write, STOP.  *@werr gets the
 * write's result; returns the RESUMING -> STOP result.
 */
static int load(int fd, const uint8_t *buf, size_t len, int *werr)
{
	int dfd, ret, w;

	ret = mig_set(fd, VFIO_DEVICE_STATE_RESUMING, &dfd);
	if (ret)
		return ret;
	w = stream_write(dfd, buf, len, 1u << 20);
	if (werr)
		*werr = w;
	ret = mig_set(fd, VFIO_DEVICE_STATE_STOP, NULL);
	close(dfd);
	return ret;
}

/* The record at @off of a stream, or NULL past its end. */
static struct mvgpu_mig_rec *rec_at(struct stream *s, size_t off)
{
	return off + sizeof(struct mvgpu_mig_rec) <= s->len ?
	       (void *)(s->buf + off) : NULL;
}

static size_t rec_size(const struct mvgpu_mig_rec *r)
{
	return sizeof(*r) + (r->type == MVGPU_MIG_REC_ZERO ? 0 : r->len);
}

/* Offset of the first record of @type, or 0. */
static size_t rec_find(struct stream *s, uint32_t type)
{
	size_t off = sizeof(struct mvgpu_mig_hdr);
	struct mvgpu_mig_rec *r;

	while ((r = rec_at(s, off))) {
		if (r->type == type)
			return off;
		off += rec_size(r);
	}
	return 0;
}

/* Recompute every checksum of a (modified) stream. */
static void stream_reseal(struct stream *s)
{
	struct mvgpu_mig_hdr *h = (void *)s->buf;
	size_t off = sizeof(*h);
	struct mvgpu_mig_rec *r;
	uint32_t crc;
	uint64_t n = 0;

	h->crc = crc32_buf(0, h, offsetof(struct mvgpu_mig_hdr, crc));
	crc = crc32_buf(0, h, sizeof(*h));
	while ((r = rec_at(s, off))) {
		size_t pl = rec_size(r) - sizeof(*r);

		if (off + sizeof(*r) + pl > s->len)
			break;
		if (r->type == MVGPU_MIG_REC_END) {
			struct mvgpu_mig_end *e = (void *)(r + 1);

			e->records = n;
			e->bytes = off;
			e->stream_crc = crc;
		}
		r->payload_crc = pl ? crc32_buf(0, r + 1, pl) : 0;
		r->crc = crc32_buf(0, r, offsetof(struct mvgpu_mig_rec, crc));
		crc = crc32_buf(crc, r, sizeof(*r) + pl);
		n++;
		off += sizeof(*r) + pl;
	}
}

static bool kernel_has_precopy(void)
{
	struct utsname u;

	return !uname(&u) && strncmp(u.release, "6.1.", 4);
}

static uint64_t vgpu_attr(const char *uuid, const char *attr)
{
	return mvgpu_vgpu_u64(uuid, attr);
}

static int vgpu_attr_set(const char *uuid, const char *attr, const char *v)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), MDEV_BUS_DEVICES "/%s/%s", uuid, attr);
	return sysfs_write_str(path, v);
}

static void vgpu_attr_str(const char *uuid, const char *attr, char *buf,
			  size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), MDEV_BUS_DEVICES "/%s/%s", uuid, attr);
	if (sysfs_read_str(path, buf, len))
		snprintf(buf, len, "?");
	buf[strcspn(buf, "\n")] = 0;
}

/*
 * A context on the open device @vd: with @src, the target of a migrated
 * context (same queue, same layout, nothing set up); without, a new one.
 * Undo with ctx_detach() (the device stays open).
 */
static int ctx_attach(const struct vfio_dev *vd, const struct mvgpu_ctx *src,
		      struct mvgpu_ctx *c)
{
	struct vfio_region_info info;
	void *map;
	int ret;

	if (src)
		*c = *src;
	else
		memset(c, 0, sizeof(*c));
	c->vd = *vd;
	c->vram = NULL;
	ret = vfio_region_info(c->vd.device, VRAM_INDEX, &info);
	if (ret)
		return ret;
	map = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   c->vd.device, info.offset);
	if (map == MAP_FAILED)
		return -errno;
	c->vram = map;
	c->vram_size = info.size;
	if (src)
		return 0;
	return mvgpu_ctx_queue_setup(c, 0, info.size - (1u << 20),
				     MVGPU_CTX_RING_SIZE, info.size - 4096);
}

static void ctx_detach(struct mvgpu_ctx *c)
{
	if (c->vram)
		munmap(c->vram, c->vram_size);
	c->vram = NULL;
}

static void fill_pattern(uint8_t *p, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i + 4 <= len; i += 4) {
		seed = seed * 1103515245u + 12345u;
		memcpy(p + i, &seed, 4);
	}
}

/* ---- fixture: source and target of one profile, source set up ---- */

FIXTURE(mig) {
	bool ready;
	char src_uuid[MVGPU_UUID_LEN];
	char dst_uuid[MVGPU_UUID_LEN];
	char other_uuid[MVGPU_UUID_LEN];
	struct mvgpu_ctx src;
	struct vfio_dev dst;
	struct mvgpu_ctx dctx;		/* the target after a migration */
	bool have_dctx;
	struct stream s;
};

FIXTURE_SETUP(mig)
{
	int ret;

	self->dst.container = -1;
	self->dst.group = -1;
	self->dst.device = -1;
	/*
	 * 6.1's harness runs the test body after a SKIP in the setup: leave
	 * through its jump out of the test instead (see MVGPU_HOST_CHECK).
	 */
	if (!mvgpu_test_selected(_metadata->name))
		SKIP(longjmp(_metadata->env, 1), "not selected by MVGPU_TEST_ONLY");
	MVGPU_HOST_CHECK(false);
	if (geteuid())
		SKIP(longjmp(_metadata->env, 1), "needs root");
	ret = mvgpu_load(NULL);
	if (ret == -ENOENT)
		SKIP(longjmp(_metadata->env, 1),
		     "no mvgpu modules in $MVGPU_MODDIR");
	ASSERT_EQ(0, ret);
	mdev_remove_all();
	mvgpu_uuid_gen(self->src_uuid);
	mvgpu_uuid_gen(self->dst_uuid);
	ASSERT_EQ(0, mdev_create(TYPE, self->src_uuid));
	ASSERT_EQ(0, mdev_create(TYPE, self->dst_uuid));
	ASSERT_EQ(0, mvgpu_ctx_open(self->src_uuid, &self->src));
	ASSERT_EQ(0, vfio_dev_open(self->dst_uuid, &self->dst));
	self->ready = true;
}

FIXTURE_TEARDOWN(mig)
{
	stream_free(&self->s);
	if (self->have_dctx)
		ctx_detach(&self->dctx);
	if (self->src.vram)
		mvgpu_ctx_close(&self->src);
	vfio_dev_close(&self->dst);
	if (self->src_uuid[0])
		mdev_remove(self->src_uuid);
	if (self->dst_uuid[0])
		mdev_remove(self->dst_uuid);
	if (self->other_uuid[0])
		mdev_remove(self->other_uuid);
}

/*
 * Migrate @src to @dst: save into @s, load, target to RUNNING, and
 * attach @dctx to the target.
 */
static void migrate(struct __test_metadata *_metadata, struct mvgpu_ctx *src,
		    struct vfio_dev *dst, struct stream *s,
		    struct mvgpu_ctx *dctx)
{
	int werr = 0;

	ASSERT_EQ(0, save(src->vd.device, s));
	ASSERT_EQ(0, load(dst->device, s->buf, s->len, &werr));
	ASSERT_EQ(0, werr);
	ASSERT_EQ(0, mig_set(dst->device, VFIO_DEVICE_STATE_RUNNING, NULL));
	ASSERT_EQ(0, ctx_attach(dst, src, dctx));
}

TEST_F(mig, flags)
{
	uint64_t want = VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P;

	if (kernel_has_precopy())
		want |= VFIO_MIGRATION_PRE_COPY;
	ASSERT_EQ(want, mig_flags_of(self->src.vd.device));
	ASSERT_EQ(VFIO_DEVICE_STATE_RUNNING, mig_get(self->src.vd.device));
}

/* Every arc the core may hand out, and back to RUNNING. */
TEST_F(mig, all_arcs)
{
	static const uint32_t seq[] = {
		VFIO_DEVICE_STATE_RUNNING_P2P, VFIO_DEVICE_STATE_STOP,
		VFIO_DEVICE_STATE_STOP_COPY, VFIO_DEVICE_STATE_STOP,
		VFIO_DEVICE_STATE_RUNNING_P2P, VFIO_DEVICE_STATE_RUNNING,
		VFIO_DEVICE_STATE_STOP_COPY, VFIO_DEVICE_STATE_RUNNING,
		VFIO_DEVICE_STATE_STOP, VFIO_DEVICE_STATE_RESUMING,
		VFIO_DEVICE_STATE_RUNNING,
	};
	int fd = self->dst.device;
	unsigned int i;
	int dfd;

	for (i = 0; i < ARRAY_SIZE(seq); i++) {
		int ret = mig_set(fd, seq[i], &dfd);

		/* RESUMING -> RUNNING with no stream: refused, then reset. */
		if (i && seq[i - 1] == VFIO_DEVICE_STATE_RESUMING) {
			EXPECT_EQ(-ENODATA, ret);
			EXPECT_EQ(VFIO_DEVICE_STATE_RESUMING, mig_get(fd));
			EXPECT_EQ(0, dev_reset(fd));
		} else {
			ASSERT_EQ(0, ret) TH_LOG("arc %u to %u", i, seq[i]);
		}
		if (dfd >= 0)
			close(dfd);
		EXPECT_EQ(seq[i], mig_get(fd));
	}
	if (kernel_has_precopy()) {
		ASSERT_EQ(0, mig_set(fd, VFIO_DEVICE_STATE_PRE_COPY, &dfd));
		ASSERT_LE(0, dfd);
		ASSERT_EQ(0, mig_set(fd, VFIO_DEVICE_STATE_PRE_COPY_P2P, NULL));
		ASSERT_EQ(0, mig_set(fd, VFIO_DEVICE_STATE_PRE_COPY, NULL));
		ASSERT_EQ(0, mig_set(fd, VFIO_DEVICE_STATE_PRE_COPY_P2P, NULL));
		ASSERT_EQ(0, mig_set(fd, VFIO_DEVICE_STATE_STOP_COPY, NULL));
		/* Not allowed back into pre-copy. */
		ASSERT_EQ(-EINVAL, mig_set(fd, VFIO_DEVICE_STATE_PRE_COPY,
					   NULL));
		ASSERT_EQ(0, mig_set(fd, VFIO_DEVICE_STATE_RUNNING, NULL));
		close(dfd);
	}
}

/* VRAM, registers, fences and attributes travel; the target runs on. */
TEST_F(mig, roundtrip)
{
	struct mvgpu_ctx *c = &self->src;
	uint32_t v = 0, mask = 0;
	uint64_t fence, src_in;
	char state[32];
	uint8_t *want;
	struct mvgpu_cmd fill = {
		.opcode = MVGPU_OP_FILL,
		.args = { 8u << 20, 4u << 20, 0x5a5aa5a5 },
	};
	struct mvgpu_cmd fill2 = {
		.opcode = MVGPU_OP_FILL,
		.args = { 0, 4096, 0x11223344 },
	};

	want = malloc(c->vram_size);
	ASSERT_NE(NULL, want);
	/* Data through the mapping, a FILL by the engine, a fence. */
	fill_pattern(c->vram, 4u << 20, 1);
	ASSERT_EQ(0, mvgpu_ctx_submit(c, &fill, 1));
	fence = mvgpu_ctx_fence(c, 0);
	ASSERT_EQ(0, mvgpu_ctx_wait(c, fence, 10000));
	ASSERT_EQ(0, vfio_mmio_write32(c->vd.device, MVGPU_REG_SCRATCH,
				       0xc0ffee11));
	ASSERT_EQ(0, vfio_mmio_write32(c->vd.device, MVGPU_REG_IRQ_MASK,
				       MVGPU_IRQ_FENCE));
	ASSERT_EQ(0, vgpu_attr_set(self->src_uuid, "mvgpu/weight", "300"));
	ASSERT_EQ(0, vgpu_attr_set(self->src_uuid, "mvgpu/timeslice_us",
				   "700"));
	src_in = vgpu_attr(self->dst_uuid, "mvgpu_stats/migrations_in");

	ASSERT_EQ(0, mig_set(c->vd.device, VFIO_DEVICE_STATE_STOP, NULL));
	vgpu_attr_str(self->src_uuid, "mvgpu/migration_state", state,
		      sizeof(state));
	EXPECT_STREQ("stop", state);
	memcpy(want, c->vram, c->vram_size);
	ASSERT_EQ(0, mig_set(c->vd.device, VFIO_DEVICE_STATE_RUNNING, NULL));

	self->have_dctx = true;
	migrate(_metadata, c, &self->dst, &self->s, &self->dctx);
	EXPECT_EQ(0, memcmp(want, self->dctx.vram, c->vram_size));
	ASSERT_EQ(0, vfio_mmio_read32(self->dst.device, MVGPU_REG_SCRATCH, &v));
	EXPECT_EQ(0xc0ffee11, v);
	ASSERT_EQ(0, vfio_mmio_read32(self->dst.device, MVGPU_REG_IRQ_MASK, &mask));
	EXPECT_EQ(MVGPU_IRQ_FENCE, mask);
	ASSERT_EQ(0, vfio_mmio_read32(self->dst.device, MVGPU_QUEUE_BASE(0) +
				      MVGPU_QREG_FENCE_LO, &v));
	EXPECT_EQ(fence, v);
	EXPECT_EQ(300, vgpu_attr(self->dst_uuid, "mvgpu/weight"));
	EXPECT_EQ(700, vgpu_attr(self->dst_uuid, "mvgpu/timeslice_us"));
	EXPECT_EQ(src_in + 1,
		  vgpu_attr(self->dst_uuid, "mvgpu_stats/migrations_in"));
	EXPECT_EQ(self->s.len,
		  vgpu_attr(self->src_uuid, "mvgpu_stats/migration_bytes_out"));
	EXPECT_LE(1, vgpu_attr(self->src_uuid, "mvgpu_stats/migrations_out"));

	/* The same queue goes on at the target. */
	ASSERT_EQ(0, mvgpu_ctx_submit(&self->dctx, &fill2, 1));
	fence = mvgpu_ctx_fence(&self->dctx, 0);
	ASSERT_EQ(0, mvgpu_ctx_wait(&self->dctx, fence, 10000));
	EXPECT_EQ(0x11223344, *(uint32_t *)self->dctx.vram);
	free(want);
}

/* A SPIN in progress, and a GEMM behind it, finish on the target. */
TEST_F(mig, in_flight)
{
	struct mvgpu_ctx *c = &self->src;
	const uint32_t m = 64, n = 64, k = 64;
	uint32_t *a = (uint32_t *)c->vram, *b = a + m * k, *cm = b + k * n;
	const struct mvgpu_mig_state *st;
	uint64_t fence, i, j, p;
	size_t off;
	struct mvgpu_cmd cmds[2] = {
		{ .opcode = MVGPU_OP_SPIN, .args = { 250000000 } },
		{ .opcode = MVGPU_OP_GEMM_I32,
		  .args = { (uint8_t *)cm - c->vram, 0, (uint8_t *)b - c->vram,
			    m, n, k } },
	};

	fill_pattern(c->vram, (m * k + k * n) * 4, 7);
	ASSERT_EQ(0, mvgpu_ctx_submit(c, cmds, 2));
	fence = mvgpu_ctx_fence(c, 0);
	usleep(50000);
	ASSERT_EQ(0, save(c->vd.device, &self->s));

	/* The stream carries the SPIN, part done. */
	off = rec_find(&self->s, MVGPU_MIG_REC_STATE);
	ASSERT_NE(0, off);
	st = (void *)(self->s.buf + off + sizeof(struct mvgpu_mig_rec));
	ASSERT_TRUE(st->queues[0].flags & MVGPU_MIG_Q_OP_ACTIVE);
	EXPECT_EQ(MVGPU_OP_SPIN, ((struct mvgpu_cmd *)st->queues[0].cmd)->opcode);
	EXPECT_LT(0, st->queues[0].progress);
	EXPECT_GT(250000000, st->queues[0].progress);
	EXPECT_GT(fence, st->queues[0].fence);

	ASSERT_EQ(0, load(self->dst.device, self->s.buf, self->s.len, NULL));
	ASSERT_EQ(0, mig_set(self->dst.device, VFIO_DEVICE_STATE_RUNNING,
			     NULL));
	ASSERT_EQ(0, ctx_attach(&self->dst, c, &self->dctx));
	self->have_dctx = true;
	ASSERT_EQ(0, mvgpu_ctx_wait(&self->dctx, fence, 20000));
	a = (uint32_t *)self->dctx.vram;
	b = a + m * k;
	cm = b + k * n;
	for (i = 0; i < m; i++)
		for (j = 0; j < n; j++) {
			uint32_t sum = 0;

			for (p = 0; p < k; p++)
				sum += a[i * k + p] * b[p * n + j];
			ASSERT_EQ(sum, cm[i * n + j]);
		}
	EXPECT_EQ(0, mvgpu_ctx_error(&self->dctx, NULL));
}

/* Cancelled migrations: the source runs on; the data fd is dead. */
TEST_F(mig, cancel)
{
	struct mvgpu_ctx *c = &self->src;
	uint8_t buf[4096];
	uint64_t fence;
	int dfd;

	ASSERT_EQ(0, mig_set(c->vd.device, VFIO_DEVICE_STATE_STOP_COPY, &dfd));
	ASSERT_EQ((ssize_t)sizeof(buf), read(dfd, buf, sizeof(buf)));
	ASSERT_EQ(0, mig_set(c->vd.device, VFIO_DEVICE_STATE_RUNNING, NULL));
	ASSERT_EQ(-1, read(dfd, buf, sizeof(buf)));
	EXPECT_EQ(ENODEV, errno);
	close(dfd);
	fence = mvgpu_ctx_fence(c, 0);
	ASSERT_EQ(0, mvgpu_ctx_wait(c, fence, 10000));

	if (kernel_has_precopy()) {
		ASSERT_EQ(0, mig_set(c->vd.device, VFIO_DEVICE_STATE_PRE_COPY,
				     &dfd));
		ASSERT_EQ((ssize_t)sizeof(buf), read(dfd, buf, sizeof(buf)));
		fence = mvgpu_ctx_fence(c, 0);
		ASSERT_EQ(0, mvgpu_ctx_wait(c, fence, 10000));
		ASSERT_EQ(0, mig_set(c->vd.device, VFIO_DEVICE_STATE_RUNNING,
				     NULL));
		ASSERT_EQ(-1, read(dfd, buf, sizeof(buf)));
		EXPECT_EQ(ENODEV, errno);
		close(dfd);
		fence = mvgpu_ctx_fence(c, 0);
		ASSERT_EQ(0, mvgpu_ctx_wait(c, fence, 10000));
	}
}

/* The target works after a refused stream and a reset. */
static void target_usable(struct __test_metadata *_metadata,
			  const struct vfio_dev *vd)
{
	struct mvgpu_ctx t;
	int ret;

	ASSERT_EQ(0, dev_reset(vd->device));
	ASSERT_EQ(VFIO_DEVICE_STATE_RUNNING, mig_get(vd->device));
	ASSERT_EQ(0, ctx_attach(vd, NULL, &t));
	ret = mvgpu_ctx_wait(&t, mvgpu_ctx_fence(&t, 0), 10000);
	ctx_detach(&t);
	ASSERT_EQ(0, ret);
}

/* A stream for another profile is refused, and the source runs on. */
TEST_F(mig, other_profile)
{
	struct vfio_dev o = { -1, -1, -1 };
	int werr = 0;

	mvgpu_uuid_gen(self->other_uuid);
	if (mdev_create(OTHER_TYPE, self->other_uuid)) {
		self->other_uuid[0] = 0;
		SKIP(return, "no room for a " OTHER_TYPE);
	}
	ASSERT_EQ(0, save(self->src.vd.device, &self->s));
	ASSERT_EQ(0, vfio_dev_open(self->other_uuid, &o));
	EXPECT_EQ(-EINVAL, load(o.device, self->s.buf, self->s.len, &werr));
	EXPECT_EQ(-EINVAL, werr);
	EXPECT_EQ(VFIO_DEVICE_STATE_RESUMING, mig_get(o.device));
	vfio_dev_close(&o);
	target_usable(_metadata, &self->dst);
	/* Cancel on the source: back to RUNNING, work goes on. */
	ASSERT_EQ(0, mig_set(self->src.vd.device, VFIO_DEVICE_STATE_RUNNING,
			     NULL));
	ASSERT_EQ(0, mvgpu_ctx_wait(&self->src,
				    mvgpu_ctx_fence(&self->src, 0), 10000));
}

/* Bad streams: each refused with its errno; the target recovers. */
TEST_F(mig, bad_streams)
{
	struct stream *s = &self->s;
	struct mvgpu_mig_hdr *h;
	struct mvgpu_mig_state *st;
	uint8_t *copy;
	size_t off, sz;
	int fd = self->dst.device, werr, ret;

	fill_pattern(self->src.vram, 1u << 20, 3);
	ASSERT_EQ(0, save(self->src.vd.device, s));
	copy = malloc(s->len + 4096);
	ASSERT_NE(NULL, copy);
	memcpy(copy, s->buf, s->len);
	h = (void *)s->buf;

	/* Truncated: no END record. */
	ret = load(fd, s->buf, s->len - 10, &werr);
	EXPECT_EQ(0, werr);
	EXPECT_EQ(-ENODATA, ret);
	target_usable(_metadata, &self->dst);

	/* Oversized: data after END. */
	memset(copy + s->len, 0xab, 4096);
	ret = load(fd, copy, s->len + 4096, &werr);
	EXPECT_EQ(-EFBIG, werr);
	EXPECT_EQ(-EFBIG, ret);
	target_usable(_metadata, &self->dst);

	/* A bit flipped in the header, in VRAM data, in the state. */
	for (off = 0; off < 3; off++) {
		size_t at = off == 0 ? 20 : off == 1 ?
			    rec_find(s, MVGPU_MIG_REC_VRAM) + 100 :
			    rec_find(s, MVGPU_MIG_REC_STATE) + 300;

		memcpy(s->buf, copy, s->len);
		s->buf[at] ^= 0x10;
		ret = load(fd, s->buf, s->len, &werr);
		EXPECT_EQ(-EBADMSG, werr) TH_LOG("flip at %zu", at);
		EXPECT_EQ(-EBADMSG, ret);
		target_usable(_metadata, &self->dst);
	}

	/* A record dropped (checksums all valid otherwise). */
	memcpy(s->buf, copy, s->len);
	off = rec_find(s, MVGPU_MIG_REC_VRAM);
	sz = rec_size(rec_at(s, off));
	memmove(s->buf + off, s->buf + off + sz, s->len - off - sz);
	ret = load(fd, s->buf, s->len - sz, &werr);
	EXPECT_EQ(-EBADMSG, werr);
	target_usable(_metadata, &self->dst);

	/* An unknown version, properly sealed. */
	memcpy(s->buf, copy, s->len);
	h->version = 99;
	stream_reseal(s);
	ret = load(fd, s->buf, s->len, &werr);
	EXPECT_EQ(-EPROTONOSUPPORT, werr);
	EXPECT_EQ(-EPROTONOSUPPORT, ret);
	target_usable(_metadata, &self->dst);

	/* Another VRAM size in the header, sealed. */
	memcpy(s->buf, copy, s->len);
	h->vram_size *= 2;
	stream_reseal(s);
	EXPECT_EQ(-EINVAL, load(fd, s->buf, s->len, &werr));
	EXPECT_EQ(-EINVAL, werr);
	target_usable(_metadata, &self->dst);

	/* A sealed state with a queue ring outside the slice. */
	memcpy(s->buf, copy, s->len);
	off = rec_find(s, MVGPU_MIG_REC_STATE);
	st = (void *)(s->buf + off + sizeof(struct mvgpu_mig_rec));
	st->queues[0].ring = 1ull << 40;
	stream_reseal(s);
	EXPECT_EQ(-EINVAL, load(fd, s->buf, s->len, &werr));
	EXPECT_EQ(0, werr);
	target_usable(_metadata, &self->dst);

	/* And the original still loads. */
	EXPECT_EQ(0, load(fd, copy, s->len, &werr));
	EXPECT_EQ(0, werr);
	EXPECT_EQ(0, memcmp(copy + rec_find(s, MVGPU_MIG_REC_VRAM) +
			    sizeof(struct mvgpu_mig_rec), self->src.vram,
			    MVGPU_MIG_PAGE));
	free(copy);
}

/* Reset in the middle of a transfer kills the data fds. */
TEST_F(mig, reset_during_transfer)
{
	uint8_t buf[8192];
	int sfd, dfd;

	ASSERT_EQ(0, mig_set(self->src.vd.device, VFIO_DEVICE_STATE_STOP_COPY,
			     &sfd));
	ASSERT_EQ((ssize_t)sizeof(buf), read(sfd, buf, sizeof(buf)));
	ASSERT_EQ(0, mig_set(self->dst.device, VFIO_DEVICE_STATE_RESUMING,
			     &dfd));
	ASSERT_EQ((ssize_t)sizeof(buf), write(dfd, buf, sizeof(buf)));

	ASSERT_EQ(0, dev_reset(self->src.vd.device));
	ASSERT_EQ(0, dev_reset(self->dst.device));
	EXPECT_EQ(VFIO_DEVICE_STATE_RUNNING, mig_get(self->src.vd.device));
	EXPECT_EQ(VFIO_DEVICE_STATE_RUNNING, mig_get(self->dst.device));
	EXPECT_EQ(-1, read(sfd, buf, sizeof(buf)));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, write(dfd, buf, sizeof(buf)));
	EXPECT_EQ(ENODEV, errno);
	close(sfd);
	close(dfd);
	target_usable(_metadata, &self->dst);
}

/*
 * Pre-copy: VRAM goes while the source runs; pages written afterwards
 * through the mapping and by the engine go again; the stop-and-copy part
 * carries only those.
 */
TEST_F(mig, precopy)
{
	struct mvgpu_ctx *c = &self->src;
	struct vfio_precopy_info info = { .argsz = sizeof(info) };
	struct stream *s = &self->s;
	size_t first, second;
	uint64_t fence;
	uint8_t *want;
	int dfd, werr;
	struct mvgpu_cmd fill = {
		.opcode = MVGPU_OP_FILL,
		.args = { 4u << 20, 16 * 4096, 0x77 },
	};

	if (!kernel_has_precopy())
		SKIP(return, "no PRE_COPY in this kernel");
	want = malloc(c->vram_size);
	ASSERT_NE(NULL, want);
	fill_pattern(c->vram, 2u << 20, 5);

	ASSERT_EQ(0, mig_set(c->vd.device, VFIO_DEVICE_STATE_PRE_COPY, &dfd));
	ASSERT_EQ(0, ioctl(dfd, VFIO_MIG_GET_PRECOPY_INFO, &info));
	EXPECT_LE(c->vram_size, info.initial_bytes);
	ASSERT_EQ(0, stream_read(dfd, s, true));
	ASSERT_EQ(0, ioctl(dfd, VFIO_MIG_GET_PRECOPY_INFO, &info));
	EXPECT_EQ(0, info.initial_bytes);
	EXPECT_EQ(0, info.dirty_bytes);
	first = s->len;

	/* Dirty 3 pages through the mapping, 16 by a FILL. */
	c->vram[4096 * 10] ^= 1;
	c->vram[4096 * 11 + 5] ^= 1;
	c->vram[4096 * 500 + 7] ^= 1;
	ASSERT_EQ(0, mvgpu_ctx_submit(c, &fill, 1));
	fence = mvgpu_ctx_fence(c, 0);
	ASSERT_EQ(0, mvgpu_ctx_wait(c, fence, 10000));
	ASSERT_EQ(0, ioctl(dfd, VFIO_MIG_GET_PRECOPY_INFO, &info));
	/* The three pages, the FILL, the ring and QSA pages. */
	EXPECT_LE(19 * 4096, info.dirty_bytes);
	EXPECT_GE(64 * 4096, info.dirty_bytes) TH_LOG("%llu dirty bytes",
						      info.dirty_bytes);

	ASSERT_EQ(0, mig_set(c->vd.device, VFIO_DEVICE_STATE_PRE_COPY_P2P,
			     NULL));
	ASSERT_EQ(0, mig_set(c->vd.device, VFIO_DEVICE_STATE_STOP_COPY, NULL));
	memcpy(want, c->vram, c->vram_size);
	ASSERT_EQ(0, stream_read(dfd, s, false));
	close(dfd);
	second = s->len - first;
	TH_LOG("pre-copy %zu bytes, stop-and-copy %zu bytes", first, second);
	EXPECT_GT(first / 8, second);
	ASSERT_EQ(0, mig_set(c->vd.device, VFIO_DEVICE_STATE_STOP, NULL));

	ASSERT_EQ(0, load(self->dst.device, s->buf, s->len, &werr));
	ASSERT_EQ(0, werr);
	ASSERT_EQ(0, mig_set(self->dst.device, VFIO_DEVICE_STATE_RUNNING,
			     NULL));
	ASSERT_EQ(0, ctx_attach(&self->dst, c, &self->dctx));
	self->have_dctx = true;
	EXPECT_EQ(0, memcmp(want, self->dctx.vram, c->vram_size));
	free(want);
}

/*
 * Random streams into RESUMING: garbage, mutated real streams, and
 * sealed streams with random records and state.  Nothing may be
 * accepted that is not a real stream, and nothing may splat.
 */
/* make fuzz runs 10^5 iterations: 15 to 30 ms each under TCG. */
TEST_F_TIMEOUT(mig, fuzz, 7200)
{
	const char *env = getenv("MVGPU_MIG_FUZZ_ITER");
	unsigned long iters = env ? strtoul(env, NULL, 0) : 100;
	struct stream *s = &self->s;
	int fd = self->dst.device;
	unsigned long i, refused = 0;
	size_t base_len;
	uint8_t *base, *buf;

	uint64_t t0 = mvgpu_now_ns();

	srandom(1234);
	ASSERT_EQ(0, save(self->src.vd.device, s));
	base_len = s->len;
	base = malloc(base_len);
	buf = malloc(base_len + 65536);
	ASSERT_NE(NULL, base);
	ASSERT_NE(NULL, buf);
	memcpy(base, s->buf, base_len);

	for (i = 0; i < iters; i++) {
		size_t len, j, n;
		int werr = 0, ret, dfd;

		switch (random() % 4) {
		case 0:	/* garbage */
			len = random() % 8192;
			for (j = 0; j < len; j++)
				buf[j] = random();
			break;
		case 1:	/* a real stream, a few bytes changed, maybe cut */
			len = base_len;
			memcpy(buf, base, len);
			for (n = 1 + random() % 4; n; n--)
				buf[random() % len] ^= 1 << (random() % 8);
			if (random() % 2)
				len = random() % len;
			break;
		default: /* sealed: the state (or a record) randomised */
			len = base_len;
			memcpy(s->buf, base, len);
			s->len = len;
			j = rec_find(s, random() % 3 ? MVGPU_MIG_REC_STATE :
				     random() % 2 ? MVGPU_MIG_REC_VRAM :
				     MVGPU_MIG_REC_END);
			if (j) {
				struct mvgpu_mig_rec *r = rec_at(s, j);
				size_t pl = rec_size(r) - sizeof(*r);

				if (random() % 3 == 0) {
					r->offset = random() % (64u << 20);
					r->len = (random() % 20) * 4096;
				}
				for (n = 1 + random() % 16; n && pl; n--)
					((uint8_t *)(r + 1))[random() % pl] =
						random();
			}
			stream_reseal(s);
			memcpy(buf, s->buf, len);
			break;
		}
		ret = mig_set(fd, VFIO_DEVICE_STATE_RESUMING, &dfd);
		ASSERT_EQ(0, ret);
		werr = stream_write(dfd, buf, len, 1 + random() % 70000);
		ret = mig_set(fd, VFIO_DEVICE_STATE_STOP, NULL);
		close(dfd);
		if (ret) {
			refused++;
			ASSERT_TRUE(ret == -EBADMSG || ret == -EINVAL ||
				    ret == -ENODATA || ret == -EFBIG ||
				    ret == -EPROTONOSUPPORT)
				TH_LOG("iteration %lu: %s", i, strerror(-ret));
			ASSERT_TRUE(!werr || werr == ret);
			ASSERT_EQ(0, dev_reset(fd));
		} else {
			ASSERT_EQ(0, mig_set(fd, VFIO_DEVICE_STATE_RUNNING,
					     NULL));
		}
	}
	TH_LOG("%lu streams, %lu refused, %llu us each", iters, refused,
	       (unsigned long long)(mvgpu_now_ns() - t0) / 1000 /
	       (iters ? iters : 1));
	target_usable(_metadata, &self->dst);
	free(base);
	free(buf);
}

TEST_HARNESS_MAIN
