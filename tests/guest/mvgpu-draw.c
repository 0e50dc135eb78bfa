// SPDX-License-Identifier: GPL-2.0
/*
 * mvgpu-draw - the nested guest's half of nested_display_test.sh: draws
 * known patterns on the vGPU's display through mvgpu_guest_kms.ko, for
 * the host (L1) to compare with QEMU's screendump.
 *
 * Steps, each announced on the console as
 *   ### L2-SHOW <step> <width>x<height> seed=<n>
 * and held for MVGPU_DRAW_HOLD seconds (default 20) so the host can take
 * its screendump:
 *   drm     a DRM dumb buffer in the connector's preferred mode (from the
 *           EDID, or the driver's default), set with SETCRTC
 *   mode    a mode change to 640x480 with a second dumb buffer
 *   fbdev   the DRM file closed (fbdev takes the display back), the
 *           pattern written to /dev/fb0
 *   remove  with a DRM file open and a dumb buffer mapped, the vGPU's
 *           driver is unbound (mvgpu_guest's remove unplugs the DRM
 *           device): later ioctls fail with ENODEV, the mapping stays
 *           harmless, close works (no step for the host)
 *   hostile with the driver gone (its BAR is then mappable through sysfs
 *           resource0), a valid 64x64 plane, then planes the device must
 *           refuse, programmed straight into the display registers; each
 *           must be refused with its error code; expected screen: black
 *           (seed=0), as nothing may remain shown
 * Pixel (x, y) of pattern n is mvgpu_draw_pixel(n, x, y), XRGB8888; the
 * host computes the same function.  Build: gcc -static, with the
 * kernel's uapi drm.h/drm_mode.h on the include path.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/fb.h>
#include <drm/drm.h>
#include <drm/drm_mode.h>

#include <linux/mvgpu.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
/* Register accesses: one 32-bit load or store each, as mvgpu-peek does. */
#define rd(r, reg)	__atomic_load_n(&(r)[(reg) / 4], __ATOMIC_RELAXED)
#define wr(r, reg, v)	__atomic_store_n(&(r)[(reg) / 4], (v), __ATOMIC_RELAXED)

static unsigned int hold = 20;

/* The pattern, shared with tests/selftests/nested_display_check.c. */
static uint32_t mvgpu_draw_pixel(unsigned int seed, unsigned int x,
				 unsigned int y)
{
	return ((seed * 0x9e3779b9u) ^ (x * 0x01000193u) ^ (y << 9) ^
		(x * y)) & 0xffffff;
}

static int xioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret && errno == EINTR);
	return ret ? -errno : 0;
}

static void show(const char *step, unsigned int w, unsigned int h,
		 unsigned int seed)
{
	/* Let fbdev's damage worker and the device settle first. */
	sleep(3);
	printf("### L2-SHOW %s %ux%u seed=%u\n", step, w, h, seed);
	fflush(stdout);
	sleep(hold);
}

struct dumb {
	uint32_t handle, pitch, fb;
	uint64_t size;
	uint32_t *map;
};

static int dumb_draw(int fd, struct dumb *d, unsigned int w, unsigned int h,
		     unsigned int seed)
{
	struct drm_mode_create_dumb c = { .width = w, .height = h, .bpp = 32 };
	struct drm_mode_map_dumb m = { 0 };
	struct drm_mode_fb_cmd f = { 0 };
	unsigned int x, y;
	int ret;

	ret = xioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &c);
	if (ret)
		return ret;
	d->handle = c.handle;
	d->pitch = c.pitch;
	d->size = c.size;
	m.handle = c.handle;
	ret = xioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &m);
	if (ret)
		return ret;
	d->map = mmap(NULL, d->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		      m.offset);
	if (d->map == MAP_FAILED)
		return -errno;
	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			d->map[y * (d->pitch / 4) + x] =
				mvgpu_draw_pixel(seed, x, y);
	f.width = w;
	f.height = h;
	f.pitch = d->pitch;
	f.bpp = 32;
	f.depth = 24;
	f.handle = d->handle;
	ret = xioctl(fd, DRM_IOCTL_MODE_ADDFB, &f);
	d->fb = f.fb_id;
	printf("dumb %ux%u pitch=%u size=%llu addfb=%d\n", w, h, d->pitch,
	       (unsigned long long)d->size, ret);
	return ret;
}

static int drm_steps(void)
{
	struct drm_mode_card_res res = { 0 };
	struct drm_mode_get_connector conn = { 0 };
	struct drm_mode_modeinfo *modes, *pref = NULL, *vga = NULL;
	struct drm_mode_crtc crtc = { 0 };
	uint32_t crtc_id, conn_id;
	struct dumb d1 = { 0 }, d2 = { 0 };
	unsigned int i;
	int fd, ret, tries;

	for (tries = 0; (fd = open("/dev/dri/card0", O_RDWR)) < 0; tries++) {
		if (tries == 30) {
			printf("drm: no /dev/dri/card0: %s\n", strerror(errno));
			return 1;
		}
		sleep(1);
	}
	if (xioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &res) ||
	    !res.count_crtcs || !res.count_connectors)
		return printf("drm: no CRTC or connector\n"), 1;
	res.crtc_id_ptr = (uintptr_t)&crtc_id;
	res.connector_id_ptr = (uintptr_t)&conn_id;
	res.count_crtcs = 1;
	res.count_connectors = 1;
	res.count_fbs = 0;
	res.count_encoders = 0;
	if (xioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &res))
		return printf("drm: GETRESOURCES failed\n"), 1;

	conn.connector_id = conn_id;
	if (xioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, &conn) ||
	    !conn.count_modes)
		return printf("drm: connector has no modes\n"), 1;
	modes = calloc(conn.count_modes, sizeof(*modes));
	conn.modes_ptr = (uintptr_t)modes;
	conn.count_props = 0;
	conn.count_encoders = 0;
	if (xioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, &conn))
		return printf("drm: GETCONNECTOR failed\n"), 1;
	printf("connector %u: %s, %u modes:", conn_id,
	       conn.connection == 1 ? "connected" : "not connected",
	       conn.count_modes);
	for (i = 0; i < conn.count_modes; i++) {
		printf(" %ux%u%s", modes[i].hdisplay, modes[i].vdisplay,
		       modes[i].type & DRM_MODE_TYPE_PREFERRED ? "*" : "");
		if (!pref && modes[i].type & DRM_MODE_TYPE_PREFERRED)
			pref = &modes[i];
		if (!vga && modes[i].hdisplay == 640 && modes[i].vdisplay == 480)
			vga = &modes[i];
	}
	printf("\n");
	if (!pref)
		pref = &modes[0];
	printf("preferred=%ux%u\n", pref->hdisplay, pref->vdisplay);

	ret = dumb_draw(fd, &d1, pref->hdisplay, pref->vdisplay, 1);
	crtc.crtc_id = crtc_id;
	crtc.fb_id = d1.fb;
	crtc.set_connectors_ptr = (uintptr_t)&conn_id;
	crtc.count_connectors = 1;
	crtc.mode = *pref;
	crtc.mode_valid = 1;
	if (!ret)
		ret = xioctl(fd, DRM_IOCTL_MODE_SETCRTC, &crtc);
	printf("setcrtc drm=%d\n", ret);
	if (ret)
		return 1;
	show("drm", pref->hdisplay, pref->vdisplay, 1);

	if (!vga)
		return printf("drm: no 640x480 mode\n"), 1;
	ret = dumb_draw(fd, &d2, 640, 480, 2);
	crtc.fb_id = d2.fb;
	crtc.mode = *vga;
	if (!ret)
		ret = xioctl(fd, DRM_IOCTL_MODE_SETCRTC, &crtc);
	printf("setcrtc mode=%d\n", ret);
	if (ret)
		return 1;
	show("mode", 640, 480, 2);
	/* A mapping holds the DRM file: unmap, so that close is its last. */
	munmap(d1.map, d1.size);
	munmap(d2.map, d2.size);
	close(fd);
	return 0;
}

/* Unbind the vGPU's driver while a DRM client holds it. */
static int remove_step(void)
{
	struct drm_mode_card_res res = { 0 };
	char path[300], bdf[256] = "";
	struct dumb d = { 0 };
	struct dirent *de;
	DIR *dir;
	int fd, wfd, ret, rc = 0;

	fd = open("/dev/dri/card0", O_RDWR);
	if (fd < 0 || dumb_draw(fd, &d, 64, 64, 5))
		return printf("remove: no DRM client\n"), 1;
	dir = opendir("/sys/bus/pci/drivers/mvgpu_guest");
	while (dir && (de = readdir(dir)))
		if (strchr(de->d_name, ':'))
			snprintf(bdf, sizeof(bdf), "%s", de->d_name);
	if (dir)
		closedir(dir);
	wfd = open("/sys/bus/pci/drivers/mvgpu_guest/unbind", O_WRONLY);
	ret = wfd < 0 || write(wfd, bdf, strlen(bdf)) < 0 ? -errno : 0;
	if (wfd >= 0)
		close(wfd);
	printf("remove: unbind %s: %d\n", bdf, ret);
	rc |= !!ret;
	ret = xioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &res);
	printf("remove: GETRESOURCES after removal: %d\n", ret);
	rc |= ret != -ENODEV;
	/* TTM's dummy page now: no fault, and not the device. */
	(void)__atomic_load_n(&d.map[0], __ATOMIC_RELAXED);
	ret = munmap(d.map, d.size) | close(fd);
	printf("remove: munmap+close: %d\n", ret);
	rc |= !!ret;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%.32s/driver", bdf);
	printf("remove: %s\n", access(path, F_OK) ? "unbound" : "still bound");
	return rc;
}

static int fbdev_step(void)
{
	struct fb_var_screeninfo var;
	struct fb_fix_screeninfo fix;
	uint32_t *line;
	unsigned int x, y;
	int fd = open("/dev/fb0", O_RDWR);

	if (fd < 0 || ioctl(fd, FBIOGET_VSCREENINFO, &var) ||
	    ioctl(fd, FBIOGET_FSCREENINFO, &fix) || var.bits_per_pixel != 32)
		return printf("fbdev: no usable /dev/fb0\n"), 1;
	printf("fbdev %ux%u line_length=%u id=%s\n", var.xres, var.yres,
	       fix.line_length, fix.id);
	/*
	 * One write of the whole frame.  Not line by line: 6.1's fbdev turns
	 * a write of exactly one whole line into an empty damage rectangle
	 * (drm_fb_helper_memory_range_to_clip(): the end column computes as
	 * 0), so nothing of it would reach the device.
	 */
	line = calloc(var.yres, fix.line_length);
	for (y = 0; y < var.yres; y++)
		for (x = 0; x < var.xres; x++)
			line[y * (fix.line_length / 4) + x] =
				mvgpu_draw_pixel(3, x, y);
	if (pwrite(fd, line, (size_t)var.yres * fix.line_length, 0) !=
	    (ssize_t)var.yres * fix.line_length)
		return printf("fbdev: write failed\n"), 1;
	show("fbdev", var.xres, var.yres, 3);
	close(fd);
	return 0;
}

/* BAR0 of the vGPU, through sysfs. */
static uint32_t *map_bar0(void)
{
	char path[300], buf[16];
	struct dirent *de;
	DIR *dir = opendir("/sys/bus/pci/devices");
	void *p = MAP_FAILED;
	int fd;

	while (dir && (de = readdir(dir))) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device",
			 de->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		buf[read(fd, buf, sizeof(buf) - 1) > 0 ? 6 : 0] = 0;
		close(fd);
		if (strcmp(buf, "0x4d56"))
			continue;
		snprintf(path, sizeof(path),
			 "/sys/bus/pci/devices/%s/resource0", de->d_name);
		fd = open(path, O_RDWR | O_SYNC);
		if (fd >= 0)
			p = mmap(NULL, MVGPU_MMIO_SIZE, PROT_READ | PROT_WRITE,
				 MAP_SHARED, fd, 0);
		break;
	}
	if (dir)
		closedir(dir);
	return p == MAP_FAILED ? NULL : p;
}

static int hostile_step(void)
{
	static const struct {
		const char *what;
		uint64_t base;
		uint32_t w, h, stride, fmt, err;
	} bad[] = {
		{ "past-slice", 32ULL << 20, 64, 64, 256, MVGPU_DISP_FMT_XRGB8888,
		  MVGPU_DISP_ERR_RANGE },
		{ "straddles-end", (32ULL << 20) - 4096, 1024, 8, 4096,
		  MVGPU_DISP_FMT_XRGB8888, MVGPU_DISP_ERR_RANGE },
		{ "odd-stride", 0, 64, 64, 257, MVGPU_DISP_FMT_XRGB8888,
		  MVGPU_DISP_ERR_STRIDE },
		{ "huge-stride", 0, 64, 64, 0xffffffc0, MVGPU_DISP_FMT_XRGB8888,
		  MVGPU_DISP_ERR_STRIDE },
		{ "zero-size", 0, 0, 64, 256, MVGPU_DISP_FMT_XRGB8888,
		  MVGPU_DISP_ERR_SIZE },
		{ "bad-format", 0, 64, 64, 256, 0x36314752, MVGPU_DISP_ERR_FORMAT },
	};
	uint32_t *r = map_bar0();
	unsigned int i, fails = 0;
	uint32_t f;

	if (!r)
		return printf("hostile: cannot map BAR0: %s\n", strerror(errno)), 1;
	/* Something shown first, which a refused plane must take away. */
	wr(r, MVGPU_REG_DISP_BASE_LO, 0);
	wr(r, MVGPU_REG_DISP_BASE_HI, 0);
	wr(r, MVGPU_REG_DISP_WIDTH, 64);
	wr(r, MVGPU_REG_DISP_HEIGHT, 64);
	wr(r, MVGPU_REG_DISP_STRIDE, 256);
	wr(r, MVGPU_REG_DISP_FORMAT, MVGPU_DISP_FMT_XRGB8888);
	wr(r, MVGPU_REG_DISP_CONTROL, MVGPU_DISP_CTL_ENABLE);
	printf("hostile valid-plane status=0x%x\n", rd(r, MVGPU_REG_DISP_STATUS));
	if (!(rd(r, MVGPU_REG_DISP_STATUS) & MVGPU_DISP_STATUS_ACTIVE))
		fails++;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		wr(r, MVGPU_REG_DISP_BASE_LO, (uint32_t)bad[i].base);
		wr(r, MVGPU_REG_DISP_BASE_HI, bad[i].base >> 32);
		wr(r, MVGPU_REG_DISP_WIDTH, bad[i].w);
		wr(r, MVGPU_REG_DISP_HEIGHT, bad[i].h);
		wr(r, MVGPU_REG_DISP_STRIDE, bad[i].stride);
		wr(r, MVGPU_REG_DISP_FORMAT, bad[i].fmt);
		wr(r, MVGPU_REG_DISP_CONTROL, MVGPU_DISP_CTL_ENABLE);
		printf("hostile %s status=0x%x error=%u\n", bad[i].what,
		       rd(r, MVGPU_REG_DISP_STATUS), rd(r, MVGPU_REG_DISP_ERROR));
		if (!(rd(r, MVGPU_REG_DISP_STATUS) & MVGPU_DISP_STATUS_ERROR) ||
		    (rd(r, MVGPU_REG_DISP_STATUS) & MVGPU_DISP_STATUS_ACTIVE) ||
		    rd(r, MVGPU_REG_DISP_ERROR) != bad[i].err)
			fails++;
	}
	/* Every format value but XRGB8888 is refused (a sample of them). */
	for (f = 1; f < 0xffff0000u; f += 0x00fedcbau) {
		if (f == MVGPU_DISP_FMT_XRGB8888)
			continue;
		wr(r, MVGPU_REG_DISP_WIDTH, 64);
		wr(r, MVGPU_REG_DISP_STRIDE, 256);
		wr(r, MVGPU_REG_DISP_BASE_LO, 0);
		wr(r, MVGPU_REG_DISP_BASE_HI, 0);
		wr(r, MVGPU_REG_DISP_FORMAT, f);
		wr(r, MVGPU_REG_DISP_CONTROL, MVGPU_DISP_CTL_ENABLE);
		if (rd(r, MVGPU_REG_DISP_ERROR) != MVGPU_DISP_ERR_FORMAT)
			fails++;
	}
	printf("hostile refused=%s\n", fails ? "no" : "all");
	show("hostile", 0, 0, 0);
	return !!fails;
}

int main(void)
{
	const char *h = getenv("MVGPU_DRAW_HOLD");
	int rc = 0;

	if (h)
		hold = atoi(h);
	setvbuf(stdout, NULL, _IOLBF, 0);
	rc |= drm_steps();
	rc |= fbdev_step();
	rc |= remove_step();
	rc |= hostile_step();
	printf("mvgpu-draw: %s\n", rc ? "FAIL" : "PASS");
	return rc;
}
