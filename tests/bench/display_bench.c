// SPDX-License-Identifier: GPL-2.0
/*
 * display_bench - what a full-screen update costs the host on the path
 * QEMU's display=on takes, at 1024x768 and 1920x1080.
 *
 * This program is both sides, as a VFIO user: the "guest" draws a new
 * full frame into BAR2 (a shared mapping of the vGPU's VRAM) and commits
 * the plane through BAR0; the "VMM" then does what QEMU 7.2 does on each
 * display refresh: VFIO_DEVICE_QUERY_GFX_PLANE (the device copies the
 * frame into the display region) and reads the frame from its read-only
 * mapping of the display region (what QEMU's VNC server or screendump
 * does with the surface).  Each update is checked to be picked up (the
 * region shows the new frame's first and last pixels).
 *
 * Measured per update, interleaved between the two sizes (one round of
 * UPDATES updates of each, ROUNDS times), medians with min..max:
 *   query     wall time of the QUERY_GFX_PLANE ioctl (the scanout copy)
 *   host CPU  this thread's CPU time in that ioctl (CLOCK_THREAD_CPUTIME_ID:
 *             the copy runs in the ioctl), i.e. host CPU per frame the
 *             device path adds; cross-checked with the vGPU's
 *             mvgpu_stats/display_scanout_ns
 *   read      the VMM's pass over the frame in the region
 *   updates/s 1 / (query + read): the most full-screen updates per second
 *             this path can pick up; QEMU itself asks once per display
 *             refresh (30 ms by default), so it shows at most ~33
 * The guest's drawing is not counted.  Under TCG every number is the
 * emulator's and says so.  Output is TAP diagnostics plus one "ok" line
 * per size; nothing is asserted about speed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "mvgpu_test.h"

#define ROUNDS		5
#define UPDATES		10
#define MMIO_INDEX	(VFIO_PCI_BAR0_REGION_INDEX + MVGPU_BAR_MMIO)
#define VRAM_INDEX	(VFIO_PCI_BAR0_REGION_INDEX + MVGPU_BAR_VRAM)
#define VRAM_SIZE	(32u << 20)

struct size {
	unsigned int w, h;
	uint64_t query[ROUNDS * UPDATES], cpu[ROUNDS * UPDATES],
		 read[ROUNDS * UPDATES];
	unsigned int n, missed;
};

static uint64_t now(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* "median (min..max)" in ms of @n samples, sorted in place. */
static double stat(uint64_t *v, unsigned int n, double *lo, double *hi)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	*lo = v[0] / 1e6;
	*hi = v[n - 1] / 1e6;
	return v[n / 2] / 1e6;
}

static int wr(int fd, unsigned int reg, uint32_t val)
{
	return vfio_region_write(fd, MMIO_INDEX, reg, &val, 4) == 4 ? 0 : -EIO;
}

static int commit(int fd, unsigned int w, unsigned int h)
{
	return wr(fd, MVGPU_REG_DISP_BASE_LO, 0) ?:
	       wr(fd, MVGPU_REG_DISP_BASE_HI, 0) ?:
	       wr(fd, MVGPU_REG_DISP_WIDTH, w) ?:
	       wr(fd, MVGPU_REG_DISP_HEIGHT, h) ?:
	       wr(fd, MVGPU_REG_DISP_STRIDE, w * 4) ?:
	       wr(fd, MVGPU_REG_DISP_FORMAT, MVGPU_DISP_FMT_XRGB8888) ?:
	       wr(fd, MVGPU_REG_DISP_CONTROL, MVGPU_DISP_CTL_ENABLE);
}

/* What the VMM's pass over the frame adds up, so that it is not skipped. */
uint64_t bench_sink;

static int round_of(int fd, uint32_t *vram, const uint32_t *shown,
		    struct size *s, unsigned int seq)
{
	struct vfio_device_gfx_plane_info p;
	size_t px = (size_t)s->w * s->h, i;
	uint64_t sink = 0;
	uint64_t t0, c0;
	unsigned int u;

	if (commit(fd, s->w, s->h))
		return -EIO;
	for (u = 0; u < UPDATES; u++) {
		uint32_t v = (seq * UPDATES + u) * 0x01010101u;

		/* The guest draws a new frame. */
		for (i = 0; i < px; i++)
			vram[i] = v + i;
		memset(&p, 0, sizeof(p));
		p.argsz = sizeof(p);
		p.flags = VFIO_GFX_PLANE_TYPE_REGION;
		t0 = now(CLOCK_MONOTONIC);
		c0 = now(CLOCK_THREAD_CPUTIME_ID);
		if (ioctl(fd, VFIO_DEVICE_QUERY_GFX_PLANE, &p))
			return -errno;
		s->cpu[s->n] = now(CLOCK_THREAD_CPUTIME_ID) - c0;
		s->query[s->n] = now(CLOCK_MONOTONIC) - t0;
		if (p.width != s->w || p.height != s->h)
			return -EPROTO;
		/* The VMM reads the surface. */
		t0 = now(CLOCK_MONOTONIC);
		for (i = 0; i < px; i += 2)
			sink += (uint64_t)shown[i] + shown[i + 1];
		s->read[s->n] = now(CLOCK_MONOTONIC) - t0;
		if (shown[0] != v || shown[px - 1] != v + px - 1)
			s->missed++;
		s->n++;
	}
	bench_sink += sink;
	return 0;
}

static uint64_t stat_file(const char *uuid, const char *name)
{
	char path[256];
	uint64_t v = 0;

	snprintf(path, sizeof(path), "%s/%s/mvgpu_stats/%s", MDEV_BUS_DEVICES,
		 uuid, name);
	sysfs_read_u64(path, &v);
	return v;
}

int main(void)
{
	static struct size sizes[] = { { 1024, 768 }, { 1920, 1080 } };
	const char *accel = getenv("MVGPU_ACCEL");
	char uuid[MVGPU_UUID_LEN];
	struct vfio_dev vd;
	uint32_t *vram;
	const uint32_t *shown;
	uint64_t ns0, n0;
	unsigned int r, k;
	double med[2] = { 0 };
	int ret;

	printf("TAP version 13\n1..2\n");
	printf("# display_bench: accel %s%s; full-screen updates through QUERY_GFX_PLANE\n",
	       accel ? accel : "unknown",
	       accel && strstr(accel, "tcg") ? " (TCG: every number is the emulator's)" : "");
	ret = mvgpu_load(NULL);
	mvgpu_uuid_gen(uuid);
	ret = ret ?: mdev_create("mvgpu-ts-32m", uuid);
	ret = ret ?: vfio_dev_open(uuid, &vd);
	if (ret) {
		printf("Bail out! setup failed: %s\n", strerror(-ret));
		return 1;
	}
	vram = mmap(NULL, VRAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		    vd.device, MVGPU_REGION_OFFSET(VRAM_INDEX));
	shown = mmap(NULL, MVGPU_DISP_MAX_FRAME, PROT_READ, MAP_SHARED,
		     vd.device, MVGPU_REGION_OFFSET(MVGPU_REGION_DISPLAY));
	if (vram == MAP_FAILED || shown == MAP_FAILED) {
		printf("Bail out! mmap: %s\n", strerror(errno));
		return 1;
	}
	ns0 = stat_file(uuid, "display_scanout_ns");
	n0 = stat_file(uuid, "display_scanouts");
	for (r = 0; r < ROUNDS; r++)
		for (k = 0; k < 2; k++) {
			ret = round_of(vd.device, vram, shown, &sizes[k],
				       r * 2 + k);
			if (ret) {
				printf("Bail out! %ux%u: %s\n", sizes[k].w,
				       sizes[k].h, strerror(-ret));
				return 1;
			}
		}
	printf("# %u rounds x %u updates per size, interleaved; median (min..max)\n",
	       ROUNDS, UPDATES);
	for (k = 0; k < 2; k++) {
		struct size *s = &sizes[k];
		double q, ql, qh, c, cl, ch, rd, rl, rh;

		q = stat(s->query, s->n, &ql, &qh);
		c = stat(s->cpu, s->n, &cl, &ch);
		rd = stat(s->read, s->n, &rl, &rh);
		med[k] = q;
		printf("# %ux%u (%.1f MB): query %.2f ms (%.2f..%.2f), ",
		       s->w, s->h, s->w * s->h * 4 / 1e6, q, ql, qh);
		printf("host CPU per frame %.2f ms (%.2f..%.2f), ", c, cl, ch);
		printf("VMM read %.2f ms (%.2f..%.2f), picked up %u/%u, ",
		       rd, rl, rh, s->n - s->missed, s->n);
		printf("<= %.0f updates/s\n", 1e3 / (q + rd));
		printf("%s %u - display %ux%u: %u of %u updates picked up\n",
		       s->missed ? "not ok" : "ok", k + 1, s->w, s->h,
		       s->n - s->missed, s->n);
	}
	printf("# ratio 1920x1080 / 1024x768 query time: %.2f (pixels: %.2f)\n",
	       med[1] / med[0], 1920.0 * 1080 / (1024 * 768));
	n0 = stat_file(uuid, "display_scanouts") - n0;
	printf("# mvgpu_stats: %llu scanouts, mean %.2f ms of copy each\n",
	       (unsigned long long)n0,
	       n0 ? (stat_file(uuid, "display_scanout_ns") - ns0) / 1e6 / n0 : 0);
	munmap(vram, VRAM_SIZE);
	munmap((void *)shown, MVGPU_DISP_MAX_FRAME);
	vfio_dev_close(&vd);
	mdev_remove(uuid);
	return 0;
}
