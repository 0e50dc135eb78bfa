// SPDX-License-Identifier: GPL-2.0
/*
 * display_test - the vGPU's display engine, driven the way a guest drives
 * it (BAR0 display registers, frames in BAR2) and seen the way QEMU with
 * display=on sees it (VFIO_DEVICE_QUERY_GFX_PLANE, the display region,
 * the EDID region): pixels compared byte for byte, page flips, hostile
 * planes refused with the error bit and nothing of them shown, the vblank
 * interrupt, the EDID round trip, reset.
 *
 * The "vgpu" fixture is the one of device_test.c (see there for the
 * environment variables MVGPU_TEST_ONLY and MVGPU_KEEP_MODULES).
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mvgpu_test.h"

#include "vgpu_fixture.h"

#define XRGB		MVGPU_DISP_FMT_XRGB8888
#define FRAME_MAX	MVGPU_DISP_MAX_FRAME
/* argsz must cover region_index (a __u32 in a union). */
#define PLANE_MINSZ	(offsetof(struct vfio_device_gfx_plane_info, \
				  region_index) + sizeof(__u32))
#define DRM_PLANE_PRIMARY	1
#define DRM_PLANE_CURSOR	2

static uint32_t frame_buf[FRAME_MAX / 4];
static uint32_t shown_buf[FRAME_MAX / 4];

static int ioctl_err(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/* VFIO_DEVICE_QUERY_GFX_PLANE as QEMU sends it. */
static int query(int fd, uint32_t flags, uint32_t type,
		 struct vfio_device_gfx_plane_info *p)
{
	memset(p, 0xa5, sizeof(*p));
	p->argsz = sizeof(*p);
	p->flags = flags;
	p->drm_plane_type = type;
	return ioctl_err(fd, VFIO_DEVICE_QUERY_GFX_PLANE, p);
}

/* A pixel of test pattern @seed at (x, y): every pixel differs. */
static uint32_t pattern(unsigned int seed, unsigned int x, unsigned int y)
{
	return (seed * 0x9e3779b9u) ^ (y << 12) ^ x ^ 0x00ff0000u * (x & 1);
}

/* Draw pattern @seed into BAR2 at @base, as a guest draws its frame. */
static void draw(struct __test_metadata *_metadata, int fd, uint64_t base,
		 unsigned int w, unsigned int h, unsigned int stride,
		 unsigned int seed)
{
	unsigned int x, y;

	memset(frame_buf, 0, (size_t)stride * h);
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			frame_buf[y * (stride / 4) + x] = pattern(seed, x, y);
	ASSERT_EQ((ssize_t)stride * h,
		  vfio_region_write(fd, VRAM_INDEX, base, frame_buf,
				    (size_t)stride * h));
}

/* Stage a plane and commit it with ENABLE. */
static void program(struct __test_metadata *_metadata, int fd, uint64_t base,
		    uint32_t w, uint32_t h, uint32_t stride, uint32_t format)
{
	region_wr(_metadata, fd, MMIO_INDEX, MVGPU_REG_DISP_BASE_LO, 4,
		  (uint32_t)base);
	region_wr(_metadata, fd, MMIO_INDEX, MVGPU_REG_DISP_BASE_HI, 4,
		  base >> 32);
	region_wr(_metadata, fd, MMIO_INDEX, MVGPU_REG_DISP_WIDTH, 4, w);
	region_wr(_metadata, fd, MMIO_INDEX, MVGPU_REG_DISP_HEIGHT, 4, h);
	region_wr(_metadata, fd, MMIO_INDEX, MVGPU_REG_DISP_STRIDE, 4, stride);
	region_wr(_metadata, fd, MMIO_INDEX, MVGPU_REG_DISP_FORMAT, 4, format);
	region_wr(_metadata, fd, MMIO_INDEX, MVGPU_REG_DISP_CONTROL, 4,
		  MVGPU_DISP_CTL_ENABLE);
}

/* Number of pixels of the shown plane that differ from pattern @seed. */
static unsigned long compare(const uint32_t *shown, unsigned int w,
			     unsigned int h, unsigned int stride,
			     unsigned int seed)
{
	unsigned long bad = 0;
	unsigned int x, y;

	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			bad += shown[y * (stride / 4) + x] != pattern(seed, x, y);
	return bad;
}

static bool all_zero(const uint32_t *buf, size_t bytes)
{
	size_t i;

	for (i = 0; i < bytes / 4; i++)
		if (buf[i])
			return false;
	return true;
}

/* Query the plane and read the display region the way QEMU would. */
static void shown(struct __test_metadata *_metadata, int fd,
		  struct vfio_device_gfx_plane_info *p)
{
	ASSERT_EQ(0, query(fd, VFIO_GFX_PLANE_TYPE_REGION, DRM_PLANE_PRIMARY,
			   p));
	ASSERT_EQ((ssize_t)FRAME_MAX,
		  vfio_region_read(fd, DISP_INDEX, 0, shown_buf, FRAME_MAX));
}

TEST_F(vgpu, identity_and_reset_values)
{
	if (!self->ready)
		return;
	EXPECT_EQ(1U << 16 | 2, MMIO_RD(MVGPU_REG_VERSION));
	EXPECT_TRUE(MMIO_RD(MVGPU_REG_FEATURES) & MVGPU_FEAT_DISPLAY);
	EXPECT_EQ(MVGPU_DISP_MAX_WIDTH, MMIO_RD(MVGPU_REG_DISP_MAX_WIDTH));
	EXPECT_EQ(MVGPU_DISP_MAX_HEIGHT, MMIO_RD(MVGPU_REG_DISP_MAX_HEIGHT));
	EXPECT_EQ(MVGPU_DISP_STATUS_LINK_UP, MMIO_RD(MVGPU_REG_DISP_STATUS));
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_DISP_CONTROL));
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_DISP_ERROR));
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_DISP_FRAME));
	/* The vGPU's own monitor (default_edid checks it). */
	EXPECT_EQ(128U, MMIO_RD(MVGPU_REG_DISP_EDID_SIZE));
	EXPECT_EQ(1U, MMIO_RD(MVGPU_REG_DISP_EDID_GEN));
	/* The staged registers read back; reserved offsets read 0. */
	MMIO_WR(MVGPU_REG_DISP_WIDTH, 1234);
	EXPECT_EQ(1234U, MMIO_RD(MVGPU_REG_DISP_WIDTH));
	MMIO_WR(MVGPU_REG_DISP_BASE_HI, 0xabcd);
	EXPECT_EQ(0xabcdU, MMIO_RD(MVGPU_REG_DISP_BASE_HI));
	MMIO_WR(MVGPU_DISP_END - 4, 0xffffffff);
	EXPECT_EQ(0U, MMIO_RD(MVGPU_DISP_END - 4));
	MMIO_WR(MVGPU_REG_DISP_FRAME, 77);
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_DISP_FRAME));
	ASSERT_EQ(0, ioctl_err(self->fd, VFIO_DEVICE_RESET, NULL));
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_DISP_WIDTH));
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_DISP_BASE_HI));
}

TEST_F(vgpu, query_plane_interface)
{
	struct vfio_device_gfx_plane_info p;

	if (!self->ready)
		return;
	/* Region planes, not dma-buf ones. */
	EXPECT_EQ(0, query(self->fd, VFIO_GFX_PLANE_TYPE_PROBE |
			   VFIO_GFX_PLANE_TYPE_REGION, 0, &p));
	EXPECT_EQ(-EINVAL, query(self->fd, VFIO_GFX_PLANE_TYPE_PROBE |
				 VFIO_GFX_PLANE_TYPE_DMABUF, 0, &p));
	EXPECT_EQ(-EINVAL, query(self->fd, VFIO_GFX_PLANE_TYPE_DMABUF, 0, &p));
	EXPECT_EQ(-EINVAL, query(self->fd, 0, 0, &p));
	EXPECT_EQ(-EINVAL, query(self->fd, VFIO_GFX_PLANE_TYPE_REGION | 8,
				 0, &p));
	EXPECT_EQ(-EINVAL, query(self->fd, VFIO_GFX_PLANE_TYPE_REGION, 3, &p));
	memset(&p, 0, sizeof(p));
	p.argsz = PLANE_MINSZ - 1;
	p.flags = VFIO_GFX_PLANE_TYPE_REGION;
	EXPECT_EQ(-EINVAL, ioctl_err(self->fd, VFIO_DEVICE_QUERY_GFX_PLANE,
				     &p));

	/* Nothing shown yet: QEMU's "no display" (format and size 0). */
	ASSERT_EQ(0, query(self->fd, VFIO_GFX_PLANE_TYPE_REGION, 0, &p));
	EXPECT_EQ(0U, p.drm_format);
	EXPECT_EQ(0U, p.size);
	EXPECT_EQ(0U, p.width);
	EXPECT_EQ((uint32_t)DISP_INDEX, p.region_index);
}

TEST_F(vgpu, scanout_pixels)
{
	const unsigned int w = 640, h = 480, stride = 640 * 4;
	struct vfio_device_gfx_plane_info p;
	const uint32_t *map;

	if (!self->ready)
		return;
	draw(_metadata, self->fd, 1 << 20, w, h, stride, 1);
	program(_metadata, self->fd, 1 << 20, w, h, stride, XRGB);
	EXPECT_EQ(MVGPU_DISP_STATUS_ACTIVE | MVGPU_DISP_STATUS_LINK_UP,
		  MMIO_RD(MVGPU_REG_DISP_STATUS));
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_DISP_ERROR));

	shown(_metadata, self->fd, &p);
	EXPECT_EQ(XRGB, p.drm_format);
	EXPECT_EQ(0ULL, p.drm_format_mod);
	EXPECT_EQ(w, p.width);
	EXPECT_EQ(h, p.height);
	EXPECT_EQ(stride, p.stride);
	EXPECT_EQ((uint32_t)stride * h, p.size);
	EXPECT_EQ((uint32_t)DISP_INDEX, p.region_index);
	EXPECT_EQ(0UL, compare(shown_buf, w, h, stride, 1));
	/* Past the frame, the region holds zeros. */
	EXPECT_TRUE(all_zero(shown_buf + stride / 4 * h,
			     FRAME_MAX - (size_t)stride * h));
	/* The cursor plane: none. */
	ASSERT_EQ(0, query(self->fd, VFIO_GFX_PLANE_TYPE_REGION,
			   DRM_PLANE_CURSOR, &p));
	EXPECT_EQ(0U, p.drm_format);

	/* QEMU maps the region read-only; it may not map it writable. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, FRAME_MAX, PROT_READ | PROT_WRITE,
				   MAP_SHARED, self->fd,
				   MVGPU_REGION_OFFSET(DISP_INDEX)));
	EXPECT_EQ(-EINVAL, vfio_region_write(self->fd, DISP_INDEX, 0,
					     frame_buf, 4));
	map = mmap(NULL, FRAME_MAX, PROT_READ, MAP_SHARED, self->fd,
		   MVGPU_REGION_OFFSET(DISP_INDEX));
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(0UL, compare(map, w, h, stride, 1));

	/* A page flip: the next query shows the other frame, in the map. */
	draw(_metadata, self->fd, 4 << 20, w, h, stride, 2);
	MMIO_WR(MVGPU_REG_DISP_BASE_LO, 4 << 20);
	MMIO_WR(MVGPU_REG_DISP_CONTROL, MVGPU_DISP_CTL_ENABLE);
	ASSERT_EQ(0, query(self->fd, VFIO_GFX_PLANE_TYPE_REGION, 0, &p));
	EXPECT_EQ(0UL, compare(map, w, h, stride, 2));

	/* A mode change with a padded stride. */
	draw(_metadata, self->fd, 8 << 20, 1024, 768, 4352, 3);
	program(_metadata, self->fd, 8 << 20, 1024, 768, 4352, XRGB);
	ASSERT_EQ(0, query(self->fd, VFIO_GFX_PLANE_TYPE_REGION, 0, &p));
	EXPECT_EQ(1024U, p.width);
	EXPECT_EQ(768U, p.height);
	EXPECT_EQ(4352U, p.stride);
	EXPECT_EQ(0UL, compare(map, 1024, 768, 4352, 3));

	/* Disabled: no display, and the region is zeroed. */
	MMIO_WR(MVGPU_REG_DISP_CONTROL, 0);
	EXPECT_EQ(MVGPU_DISP_STATUS_LINK_UP, MMIO_RD(MVGPU_REG_DISP_STATUS));
	ASSERT_EQ(0, query(self->fd, VFIO_GFX_PLANE_TYPE_REGION, 0, &p));
	EXPECT_EQ(0U, p.drm_format);
	EXPECT_EQ(0U, p.size);
	EXPECT_TRUE(all_zero(map, FRAME_MAX));
	munmap((void *)map, FRAME_MAX);
}

/* The largest plane, at the very end of the slice. */
TEST_F(vgpu, scanout_largest_at_end)
{
	const unsigned int w = MVGPU_DISP_MAX_WIDTH, h = MVGPU_DISP_MAX_HEIGHT;
	const unsigned int stride = w * 4;
	uint64_t base = variant->vram - (uint64_t)stride * h;
	struct vfio_device_gfx_plane_info p;

	if (!self->ready)
		return;
	base &= ~(uint64_t)(MVGPU_DISP_BASE_ALIGN - 1);
	draw(_metadata, self->fd, base, w, h, stride, 4);
	program(_metadata, self->fd, base, w, h, stride, XRGB);
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_DISP_ERROR));
	shown(_metadata, self->fd, &p);
	EXPECT_EQ(w, p.width);
	EXPECT_EQ(0UL, compare(shown_buf, w, h, stride, 4));
}

struct bad_plane {
	const char *what;
	uint64_t base;		/* ~0: the slice's size */
	uint32_t w, h, stride, format;
	uint32_t err;
};

#define AT_END		(~0ULL)
#define AT_END_M4K	(~0ULL - 1)

static const struct bad_plane bad_planes[] = {
	{ "format 0", 0, 64, 64, 256, 0, MVGPU_DISP_ERR_FORMAT },
	{ "format ARGB8888", 0, 64, 64, 256, 0x34325241, MVGPU_DISP_ERR_FORMAT },
	{ "format ~0", 0, 64, 64, 256, ~0U, MVGPU_DISP_ERR_FORMAT },
	{ "width 0", 0, 0, 64, 256, XRGB, MVGPU_DISP_ERR_SIZE },
	{ "height 0", 0, 64, 0, 256, XRGB, MVGPU_DISP_ERR_SIZE },
	{ "width max+1", 0, MVGPU_DISP_MAX_WIDTH + 1, 8, 16384, XRGB,
	  MVGPU_DISP_ERR_SIZE },
	{ "height max+1", 0, 64, MVGPU_DISP_MAX_HEIGHT + 1, 256, XRGB,
	  MVGPU_DISP_ERR_SIZE },
	{ "width ~0", 0, ~0U, 1, 256, XRGB, MVGPU_DISP_ERR_SIZE },
	{ "stride 0", 0, 64, 64, 0, XRGB, MVGPU_DISP_ERR_STRIDE },
	{ "stride odd", 0, 64, 64, 257, XRGB, MVGPU_DISP_ERR_STRIDE },
	{ "stride misaligned", 0, 64, 64, 288, XRGB, MVGPU_DISP_ERR_STRIDE },
	{ "stride below a line", 0, 640, 64, 2496, XRGB,
	  MVGPU_DISP_ERR_STRIDE },
	{ "stride huge", 0, 64, 64, MVGPU_DISP_MAX_STRIDE + 64, XRGB,
	  MVGPU_DISP_ERR_STRIDE },
	{ "stride ~0 aligned", 0, 64, 64, 0xffffffc0, XRGB,
	  MVGPU_DISP_ERR_STRIDE },
	{ "base misaligned", 0x800, 64, 64, 256, XRGB, MVGPU_DISP_ERR_RANGE },
	{ "base at the slice's end", AT_END, 64, 1, 256, XRGB,
	  MVGPU_DISP_ERR_RANGE },
	{ "frame past the slice", AT_END_M4K, 64, 17, 256, XRGB,
	  MVGPU_DISP_ERR_RANGE },
	{ "base 2^32", 1ULL << 32, 64, 64, 256, XRGB, MVGPU_DISP_ERR_RANGE },
	{ "base wraps", 0xfffffffffffff000ULL, 64, 64, 256, XRGB,
	  MVGPU_DISP_ERR_RANGE },
	{ "frame above the engine's", 0, 1024, MVGPU_DISP_MAX_HEIGHT, 16384,
	  XRGB, MVGPU_DISP_ERR_RANGE },
};

static void expect_refused(struct __test_metadata *_metadata, int fd,
			   uint32_t err, const char *what)
{
	struct vfio_device_gfx_plane_info p;

	EXPECT_EQ(MVGPU_DISP_STATUS_ERROR | MVGPU_DISP_STATUS_LINK_UP,
		  (uint32_t)region_rd(_metadata, fd, MMIO_INDEX,
				      MVGPU_REG_DISP_STATUS, 4))
		TH_LOG("%s", what);
	EXPECT_EQ(err, (uint32_t)region_rd(_metadata, fd, MMIO_INDEX,
					   MVGPU_REG_DISP_ERROR, 4))
		TH_LOG("%s", what);
	ASSERT_EQ(0, query(fd, VFIO_GFX_PLANE_TYPE_REGION, 0, &p));
	EXPECT_EQ(0U, p.drm_format) TH_LOG("%s", what);
	EXPECT_EQ(0U, p.size) TH_LOG("%s", what);
	EXPECT_EQ(0U, p.width) TH_LOG("%s", what);
}

TEST_F(vgpu, hostile_planes)
{
	const unsigned int w = 256, h = 64, stride = 1024;
	struct vfio_device_gfx_plane_info p;
	unsigned int i;

	if (!self->ready)
		return;
	for (i = 0; i < ARRAY_SIZE(bad_planes); i++) {
		const struct bad_plane *b = &bad_planes[i];
		uint64_t base = b->base;

		if (base == AT_END)
			base = variant->vram;
		else if (base == AT_END_M4K)
			base = variant->vram - 4096;
		/* A good frame first, so a refusal must take it away. */
		draw(_metadata, self->fd, 0, w, h, stride, 5);
		program(_metadata, self->fd, 0, w, h, stride, XRGB);
		shown(_metadata, self->fd, &p);
		ASSERT_EQ(0UL, compare(shown_buf, w, h, stride, 5));

		program(_metadata, self->fd, base, b->w, b->h, b->stride,
			b->format);
		expect_refused(_metadata, self->fd, b->err, b->what);
		ASSERT_EQ((ssize_t)FRAME_MAX,
			  vfio_region_read(self->fd, DISP_INDEX, 0, shown_buf,
					   FRAME_MAX));
		EXPECT_TRUE(all_zero(shown_buf, FRAME_MAX)) TH_LOG("%s", b->what);
		/* Disabling clears the error. */
		MMIO_WR(MVGPU_REG_DISP_CONTROL, 0);
		EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_DISP_ERROR));
	}
}

/*
 * Every format value but XRGB8888 is refused: all 2^32 would take hours
 * under TCG, so each single bit, each byte value in each byte, the DRM
 * fourccs nearest to it, and 4096 pseudo-random values.
 */
TEST_F(vgpu, hostile_formats)
{
	uint32_t formats[4096 + 32 + 4 * 256 + 8];
	unsigned int n = 0, i, b;
	uint32_t x = 0x12345678;

	if (!self->ready)
		return;
	for (b = 0; b < 32; b++)
		formats[n++] = 1u << b;
	for (b = 0; b < 4; b++)
		for (i = 0; i < 256; i++)
			formats[n++] = (XRGB & ~(0xffu << (8 * b))) |
				       i << (8 * b);
	formats[n++] = 0;
	formats[n++] = ~0U;
	formats[n++] = 0x34324258;	/* XBGR8888 */
	formats[n++] = 0x34325241;	/* ARGB8888 */
	formats[n++] = 0x36314752;	/* RGB565 */
	formats[n++] = 0x34324752;	/* RGB888 */
	for (i = 0; i < 4096; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		formats[n++] = x;
	}
	MMIO_WR(MVGPU_REG_DISP_WIDTH, 64);
	MMIO_WR(MVGPU_REG_DISP_HEIGHT, 64);
	MMIO_WR(MVGPU_REG_DISP_STRIDE, 256);
	for (i = 0; i < n; i++) {
		if (formats[i] == XRGB)
			continue;
		MMIO_WR(MVGPU_REG_DISP_FORMAT, formats[i]);
		MMIO_WR(MVGPU_REG_DISP_CONTROL, MVGPU_DISP_CTL_ENABLE);
		ASSERT_EQ(MVGPU_DISP_ERR_FORMAT, MMIO_RD(MVGPU_REG_DISP_ERROR))
			TH_LOG("format 0x%08x", formats[i]);
	}
	EXPECT_EQ(MVGPU_DISP_STATUS_ERROR | MVGPU_DISP_STATUS_LINK_UP,
		  MMIO_RD(MVGPU_REG_DISP_STATUS));
	MMIO_WR(MVGPU_REG_DISP_FORMAT, XRGB);
	MMIO_WR(MVGPU_REG_DISP_CONTROL, MVGPU_DISP_CTL_ENABLE);
	EXPECT_EQ(MVGPU_DISP_STATUS_ACTIVE | MVGPU_DISP_STATUS_LINK_UP,
		  MMIO_RD(MVGPU_REG_DISP_STATUS));
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

TEST_F(vgpu, vblank)
{
	uint32_t f0, f1;

	if (!self->ready)
		return;
	/* No vblank while the plane is off. */
	sleep_ms(100);
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_DISP_FRAME));
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_IRQ_STATUS) & MVGPU_IRQ_VBLANK);

	program(_metadata, self->fd, 0, 64, 64, 256, XRGB);
	sleep_ms(300);
	f0 = MMIO_RD(MVGPU_REG_DISP_FRAME);
	/* 60 Hz: 18 in 300 ms; a loaded TCG host may lose some. */
	EXPECT_GE(f0, 3U);
	EXPECT_LE(f0, 30U);
	EXPECT_TRUE(MMIO_RD(MVGPU_REG_IRQ_STATUS) & MVGPU_IRQ_VBLANK);
	MMIO_WR(MVGPU_REG_IRQ_STATUS, MVGPU_IRQ_VBLANK);

	/* A refused plane stops it too. */
	MMIO_WR(MVGPU_REG_DISP_STRIDE, 3);
	MMIO_WR(MVGPU_REG_DISP_CONTROL, MVGPU_DISP_CTL_ENABLE);
	f0 = MMIO_RD(MVGPU_REG_DISP_FRAME);
	MMIO_WR(MVGPU_REG_IRQ_STATUS, MVGPU_IRQ_VBLANK);
	sleep_ms(200);
	f1 = MMIO_RD(MVGPU_REG_DISP_FRAME);
	EXPECT_EQ(f0, f1);
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_IRQ_STATUS) & MVGPU_IRQ_VBLANK);

	/* Reset: off, counter 0. */
	program(_metadata, self->fd, 0, 64, 64, 256, XRGB);
	ASSERT_EQ(0, ioctl_err(self->fd, VFIO_DEVICE_RESET, NULL));
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_DISP_FRAME));
	EXPECT_EQ(MVGPU_DISP_STATUS_LINK_UP, MMIO_RD(MVGPU_REG_DISP_STATUS));
	sleep_ms(100);
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_DISP_FRAME));
}

/* The EDID region's header, with its type capability found. */
static void edid_region(struct __test_metadata *_metadata, int fd,
			struct vfio_region_gfx_edid *regs)
{
	struct {
		struct vfio_region_info info;
		struct vfio_region_info_cap_type cap;
	} r;

	memset(&r, 0, sizeof(r));
	r.info.argsz = sizeof(r.info);
	r.info.index = EDID_INDEX;
	ASSERT_EQ(0, ioctl_err(fd, VFIO_DEVICE_GET_REGION_INFO, &r));
	ASSERT_TRUE(r.info.flags & VFIO_REGION_INFO_FLAG_CAPS);
	ASSERT_EQ(sizeof(r), r.info.argsz);
	ASSERT_EQ(0, ioctl_err(fd, VFIO_DEVICE_GET_REGION_INFO, &r));
	ASSERT_EQ(sizeof(r.info), r.info.cap_offset);
	EXPECT_EQ(VFIO_REGION_INFO_CAP_TYPE, r.cap.header.id);
	EXPECT_EQ(1, r.cap.header.version);
	EXPECT_EQ(0U, r.cap.header.next);
	EXPECT_EQ(VFIO_REGION_TYPE_GFX, r.cap.type);
	EXPECT_EQ(VFIO_REGION_SUBTYPE_GFX_EDID, r.cap.subtype);
	ASSERT_EQ((ssize_t)sizeof(*regs),
		  vfio_region_read(fd, EDID_INDEX, 0, regs, sizeof(*regs)));
	EXPECT_EQ(r.info.size, (uint64_t)regs->edid_offset +
		  regs->edid_max_size);
}

#define EDID_FIELD(f)	offsetof(struct vfio_region_gfx_edid, f)

static int edid_wr32(int fd, unsigned int off, uint32_t val)
{
	ssize_t n = vfio_region_write(fd, EDID_INDEX, off, &val, 4);

	return n < 0 ? n : 0;
}

TEST_F(vgpu, edid_region)
{
	struct vfio_region_gfx_edid regs;
	uint8_t blob[256], got[256];
	unsigned int i;
	uint32_t v;

	if (!self->ready)
		return;
	edid_region(_metadata, self->fd, &regs);
	EXPECT_EQ(MVGPU_DISP_EDID_MAX, regs.edid_max_size);
	EXPECT_EQ(MVGPU_DISP_MAX_WIDTH, regs.max_xres);
	EXPECT_EQ(MVGPU_DISP_MAX_HEIGHT, regs.max_yres);
	EXPECT_EQ(0U, regs.edid_size);
	EXPECT_EQ(VFIO_DEVICE_GFX_LINK_STATE_UP, regs.link_state);
	EXPECT_GE(regs.edid_offset, sizeof(regs));

	/* What QEMU does: link down, blob, size, link up. */
	for (i = 0; i < sizeof(blob); i++)
		blob[i] = i * 7 + 3;
	ASSERT_EQ(0, edid_wr32(self->fd, EDID_FIELD(link_state),
			       VFIO_DEVICE_GFX_LINK_STATE_DOWN));
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_DISP_STATUS) &
		  MVGPU_DISP_STATUS_LINK_UP);
	ASSERT_EQ(0, edid_wr32(self->fd, EDID_FIELD(edid_size), sizeof(blob)));
	ASSERT_EQ((ssize_t)sizeof(blob),
		  vfio_region_write(self->fd, EDID_INDEX, regs.edid_offset,
				    blob, sizeof(blob)));
	/* Not visible to the guest before the link is up. */
	EXPECT_EQ(128U, MMIO_RD(MVGPU_REG_DISP_EDID_SIZE));
	EXPECT_EQ(1U, MMIO_RD(MVGPU_REG_DISP_EDID_GEN));
	ASSERT_EQ(0, edid_wr32(self->fd, EDID_FIELD(link_state),
			       VFIO_DEVICE_GFX_LINK_STATE_UP));
	EXPECT_TRUE(MMIO_RD(MVGPU_REG_DISP_STATUS) &
		    MVGPU_DISP_STATUS_LINK_UP);
	EXPECT_EQ(sizeof(blob), MMIO_RD(MVGPU_REG_DISP_EDID_SIZE));
	EXPECT_EQ(2U, MMIO_RD(MVGPU_REG_DISP_EDID_GEN));

	/* The guest reads it through EDID_INDEX/EDID_DATA. */
	MMIO_WR(MVGPU_REG_DISP_EDID_INDEX, 0);
	for (i = 0; i < sizeof(got); i += 4) {
		v = MMIO_RD(MVGPU_REG_DISP_EDID_DATA);
		memcpy(got + i, &v, 4);
	}
	EXPECT_EQ(0, memcmp(blob, got, sizeof(blob)));
	/* Zero past the size; the index wraps at the maximum. */
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_DISP_EDID_DATA));
	MMIO_WR(MVGPU_REG_DISP_EDID_INDEX, MVGPU_DISP_EDID_MAX + 6);
	EXPECT_EQ(4U, MMIO_RD(MVGPU_REG_DISP_EDID_INDEX));
	v = MMIO_RD(MVGPU_REG_DISP_EDID_DATA);
	EXPECT_EQ(0, memcmp(blob + 4, &v, 4));

	/* The header and blob read back. */
	ASSERT_EQ((ssize_t)sizeof(regs),
		  vfio_region_read(self->fd, EDID_INDEX, 0, &regs, sizeof(regs)));
	EXPECT_EQ(sizeof(blob), regs.edid_size);
	EXPECT_EQ(VFIO_DEVICE_GFX_LINK_STATE_UP, regs.link_state);
	ASSERT_EQ((ssize_t)sizeof(got),
		  vfio_region_read(self->fd, EDID_INDEX, regs.edid_offset,
				   got, sizeof(got)));
	EXPECT_EQ(0, memcmp(blob, got, sizeof(blob)));

	/* Refused: RO fields, bad values, partial fields, the gap. */
	EXPECT_EQ(-EINVAL, edid_wr32(self->fd, EDID_FIELD(max_xres), 4096));
	EXPECT_EQ(-EINVAL, edid_wr32(self->fd, EDID_FIELD(edid_offset), 0));
	EXPECT_EQ(-EINVAL, edid_wr32(self->fd, EDID_FIELD(edid_size),
				     MVGPU_DISP_EDID_MAX + 1));
	EXPECT_EQ(-EINVAL, edid_wr32(self->fd, EDID_FIELD(link_state), 0));
	EXPECT_EQ(-EINVAL, edid_wr32(self->fd, EDID_FIELD(link_state), 3));
	EXPECT_EQ(-EINVAL, vfio_region_write(self->fd, EDID_INDEX,
					     EDID_FIELD(link_state), &v, 2));
	EXPECT_EQ(-EINVAL, edid_wr32(self->fd, sizeof(regs), 0));
	EXPECT_EQ(-EINVAL, vfio_region_write(self->fd, EDID_INDEX,
					     regs.edid_offset +
					     regs.edid_max_size - 2, &v, 4));
	EXPECT_EQ(sizeof(blob), MMIO_RD(MVGPU_REG_DISP_EDID_SIZE));

	/* A device reset keeps the monitor; a new VFIO user gets the own. */
	ASSERT_EQ(0, ioctl_err(self->fd, VFIO_DEVICE_RESET, NULL));
	EXPECT_EQ(sizeof(blob), MMIO_RD(MVGPU_REG_DISP_EDID_SIZE));
	EXPECT_EQ(2U, MMIO_RD(MVGPU_REG_DISP_EDID_GEN));
	vfio_dev_close(&self->dev);
	ASSERT_EQ(0, vfio_dev_open(self->uuid, &self->dev));
	self->fd = self->dev.device;
	EXPECT_EQ(128U, MMIO_RD(MVGPU_REG_DISP_EDID_SIZE));
	EXPECT_EQ(1U, MMIO_RD(MVGPU_REG_DISP_EDID_GEN));
}

/* The guest's view of the EDID, through the registers. */
static void read_edid(struct __test_metadata *_metadata, int fd, uint8_t *e)
{
	unsigned int i;
	uint32_t v;

	region_wr(_metadata, fd, MMIO_INDEX, MVGPU_REG_DISP_EDID_INDEX, 4, 0);
	for (i = 0; i < 128; i += 4) {
		v = region_rd(_metadata, fd, MMIO_INDEX,
			      MVGPU_REG_DISP_EDID_DATA, 4);
		memcpy(e + i, &v, 4);
	}
}

/* A valid EDID 1.4 base block whose first detailed timing is w x h. */
static void expect_edid(struct __test_metadata *_metadata, const uint8_t *e,
			unsigned int w, unsigned int h)
{
	static const uint8_t header[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff,
					   0xff, 0 };
	unsigned int i, clk, ht, vt;
	uint8_t sum = 0;

	EXPECT_EQ(0, memcmp(e, header, 8));
	for (i = 0; i < 128; i++)
		sum += e[i];
	EXPECT_EQ(0, sum);
	EXPECT_EQ(1, e[18]);
	EXPECT_EQ(4, e[19]);
	EXPECT_EQ(0, e[126]);				/* no extensions */
	EXPECT_NE(0, e[54] | e[55]);			/* a pixel clock */
	EXPECT_EQ(w, e[56] | (e[58] >> 4) << 8);	/* hactive */
	EXPECT_EQ(h, e[59] | (e[61] >> 4) << 8);	/* vactive */
	/* About 60 Hz: clock / (htotal * vtotal). */
	clk = (e[54] | e[55] << 8) * 10000;
	ht = w + (e[57] | (e[58] & 15) << 8);
	vt = h + (e[60] | (e[61] & 15) << 8);
	EXPECT_GE(clk / ht / vt, 59U);
	EXPECT_LE(clk / ht / vt, 61U);
}

TEST_F(vgpu, default_edid)
{
	char path[PATH_MAX], buf[32];
	static const char *const bad[] = {
		"0x0", "639x480", "640x479", "1921x1080", "1920x1201", "abc",
		"1024x768x", "1024 768",
	};
	uint8_t e[128];
	unsigned int i;

	if (!self->ready)
		return;
	snprintf(path, sizeof(path), "%s/%s/mvgpu/display_mode",
		 MDEV_BUS_DEVICES, self->uuid);
	ASSERT_EQ(0, sysfs_read_str(path, buf, sizeof(buf)));
	EXPECT_STREQ("1024x768", buf);
	read_edid(_metadata, self->fd, e);
	expect_edid(_metadata, e, 1024, 768);

	/* The administrator picks the mode: a hotplug for the guest. */
	ASSERT_EQ(0, sysfs_write_str(path, "800x600\n"));
	EXPECT_EQ(2U, MMIO_RD(MVGPU_REG_DISP_EDID_GEN));
	read_edid(_metadata, self->fd, e);
	expect_edid(_metadata, e, 800, 600);
	ASSERT_EQ(0, sysfs_write_str(path, "1920x1200"));
	read_edid(_metadata, self->fd, e);
	expect_edid(_metadata, e, 1920, 1200);
	EXPECT_EQ(3U, MMIO_RD(MVGPU_REG_DISP_EDID_GEN));
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT_EQ(-EINVAL, sysfs_write_str(path, bad[i]))
			TH_LOG("value %u", i);
	ASSERT_EQ(0, sysfs_read_str(path, buf, sizeof(buf)));
	EXPECT_STREQ("1920x1200", buf);
	EXPECT_EQ(3U, MMIO_RD(MVGPU_REG_DISP_EDID_GEN));

	/* It outlives the VFIO user: the next one starts with it. */
	vfio_dev_close(&self->dev);
	ASSERT_EQ(0, vfio_dev_open(self->uuid, &self->dev));
	self->fd = self->dev.device;
	EXPECT_EQ(1U, MMIO_RD(MVGPU_REG_DISP_EDID_GEN));
	read_edid(_metadata, self->fd, e);
	expect_edid(_metadata, e, 1920, 1200);
}

/* Two vGPUs: each region shows its own VRAM, never the other's. */
TEST_F(vgpu, isolation)
{
	struct vfio_device_gfx_plane_info p;
	int fd2;

	if (!self->ready)
		return;
	mvgpu_uuid_gen(self->uuid2);
	if (mdev_create("mvgpu-ts-32m", self->uuid2))
		SKIP(return, "no room for a second vGPU");
	ASSERT_EQ(0, vfio_dev_open(self->uuid2, &self->dev2));
	fd2 = self->dev2.device;

	draw(_metadata, self->fd, 0, 320, 200, 1280, 6);
	draw(_metadata, fd2, 0, 320, 200, 1280, 7);
	program(_metadata, self->fd, 0, 320, 200, 1280, XRGB);
	shown(_metadata, fd2, &p);
	EXPECT_EQ(0U, p.drm_format);
	EXPECT_TRUE(all_zero(shown_buf, FRAME_MAX));
	shown(_metadata, self->fd, &p);
	EXPECT_EQ(0UL, compare(shown_buf, 320, 200, 1280, 6));
	program(_metadata, fd2, 0, 320, 200, 1280, XRGB);
	shown(_metadata, fd2, &p);
	EXPECT_EQ(0UL, compare(shown_buf, 320, 200, 1280, 7));
}

int main(int argc, char **argv)
{
	return vgpu_fixture_main(argc, argv);
}
