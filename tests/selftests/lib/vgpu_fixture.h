/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixture shared by device_test, irq_test and vram_test: one open vGPU
 * per test, variants over a time-sliced and two partitioned types, and
 * region access helpers that assert.  Include after kselftest_harness.h
 * and mvgpu_test.h; a test file includes it once.  Defining
 * VGPU_FIXTURE_BUS_MASTER first makes the setup turn Bus Master on.
 */
#ifndef _MVGPU_VGPU_FIXTURE_H
#define _MVGPU_VGPU_FIXTURE_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define CFG_INDEX	VFIO_PCI_CONFIG_REGION_INDEX
#define MMIO_INDEX	(VFIO_PCI_BAR0_REGION_INDEX + MVGPU_BAR_MMIO)
#define VRAM_INDEX	(VFIO_PCI_BAR0_REGION_INDEX + MVGPU_BAR_VRAM)
#define DISP_INDEX	MVGPU_REGION_DISPLAY
#define EDID_INDEX	MVGPU_REGION_EDID
#define NUM_REGIONS	((unsigned int)MVGPU_NUM_REGIONS)
#define NUM_IRQS	((unsigned int)VFIO_PCI_NUM_IRQS)
#define REGION_SPAN	MVGPU_REGION_OFFSET(1)

/* ---------------------------------------------------------------------- */
/* Fixture: one open vGPU per test                                         */
/* ---------------------------------------------------------------------- */

FIXTURE(vgpu) {
	bool ready;			/* set up; tests return early if not */
	char uuid[MVGPU_UUID_LEN];	/* the vGPU under test */
	char uuid2[MVGPU_UUID_LEN];	/* a second vGPU some tests create */
	struct vfio_dev dev, dev2;
	int fd;				/* dev.device */
	void *map;			/* BAR2 mapping, undone before close */
	size_t map_len;
};

FIXTURE_VARIANT(vgpu) {
	const char *type;
	uint64_t vram;
	unsigned int engines;		/* dedicated engines; 0: time-sliced */
};

FIXTURE_VARIANT_ADD(vgpu, ts_32m) {
	.type = "mvgpu-ts-32m", .vram = 32ULL << 20,
};

FIXTURE_VARIANT_ADD(vgpu, part_1e_64m) {
	.type = "mvgpu-part-1e-64m", .vram = 64ULL << 20, .engines = 1,
};

FIXTURE_VARIANT_ADD(vgpu, part_2e_128m) {
	.type = "mvgpu-part-2e-128m", .vram = 128ULL << 20, .engines = 2,
};

FIXTURE_SETUP(vgpu)
{
	char path[PATH_MAX];
	int ret;

	self->fd = -1;
	self->dev.container = -1;
	self->dev.group = -1;
	self->dev.device = -1;
	self->dev2 = self->dev;
	if (!mvgpu_test_selected(_metadata->name))
		SKIP(return, "not selected by MVGPU_TEST_ONLY");
	MVGPU_HOST_CHECK(false);
	if (geteuid())
		SKIP(return, "needs root");
	ret = mvgpu_load(NULL);
	if (ret == -ENOENT)
		SKIP(return, "no mvgpu modules in $MVGPU_MODDIR");
	ASSERT_EQ(0, ret) TH_LOG("loading the modules: %s", strerror(-ret));
	if (mvgpu_type_path(variant->type, "create", path, sizeof(path)) ||
	    !path_exists(path))
		SKIP(return, "mvgpu0 has no type %s", variant->type);

	mvgpu_uuid_gen(self->uuid);
	ret = mdev_create(variant->type, self->uuid);
	if (ret == -ENOSPC) {
		/* A test killed by its timeout cannot tear down. */
		TH_LOG("no room for a %s: removing stale vGPUs", variant->type);
		mdev_remove_all();
		ret = mdev_create(variant->type, self->uuid);
	}
	ASSERT_EQ(0, ret) TH_LOG("creating a %s: %s", variant->type,
				 strerror(-ret));
	ret = vfio_dev_open(self->uuid, &self->dev);
	if (ret)
		mdev_remove(self->uuid);
	ASSERT_EQ(0, ret) TH_LOG("opening %s: %s", self->uuid, strerror(-ret));
	self->fd = self->dev.device;
#ifdef VGPU_FIXTURE_BUS_MASTER
	/* As a driver would before it enables MSI. */
	ASSERT_EQ(0, vfio_bus_master(self->fd, true));
#endif
	self->ready = true;
}

FIXTURE_TEARDOWN(vgpu)
{
	/* A mapping holds the device open: mdev removal would wait forever. */
	if (self->map)
		munmap(self->map, self->map_len);
	vfio_dev_close(&self->dev);
	vfio_dev_close(&self->dev2);
	if (self->uuid[0] && mdev_exists(self->uuid))
		EXPECT_EQ(0, mdev_remove(self->uuid));
	if (self->uuid2[0] && mdev_exists(self->uuid2))
		EXPECT_EQ(0, mdev_remove(self->uuid2));
}

/* ---------------------------------------------------------------------- */
/* Helpers                                                                 */
/* ---------------------------------------------------------------------- */

/* Read @len (1 to 8) bytes of a region as a little-endian number. */
static uint64_t region_rd(struct __test_metadata *_metadata, int fd,
			  unsigned int index, uint64_t off, size_t len)
{
	uint64_t val = 0;
	ssize_t n = vfio_region_read(fd, index, off, &val, len);

	ASSERT_EQ((ssize_t)len, n)
		TH_LOG("read %zu bytes at 0x%llx of region %u: %s", len,
		       (unsigned long long)off, index,
		       n < 0 ? strerror(-n) : "short");
	return val;
}

static void region_wr(struct __test_metadata *_metadata, int fd,
		      unsigned int index, uint64_t off, size_t len,
		      uint64_t val)
{
	ssize_t n = vfio_region_write(fd, index, off, &val, len);

	ASSERT_EQ((ssize_t)len, n)
		TH_LOG("write %zu bytes at 0x%llx of region %u: %s", len,
		       (unsigned long long)off, index,
		       n < 0 ? strerror(-n) : "short");
}

#define CFG_RD(off, len)	region_rd(_metadata, self->fd, CFG_INDEX, off, len)
#define CFG_WR(off, len, v)	region_wr(_metadata, self->fd, CFG_INDEX, off, len, v)
#define MMIO_RD(reg)		((uint32_t)region_rd(_metadata, self->fd, MMIO_INDEX, reg, 4))
#define MMIO_WR(reg, v)		region_wr(_metadata, self->fd, MMIO_INDEX, reg, 4, v)

/*
 * main() of a fixture user: run the tests, then unload the modules if the
 * program loaded them (MVGPU_KEEP_MODULES=1 keeps them).  On a host,
 * mvgpu_host_preflight() sees to that.
 */
static bool modules_were_loaded;

static inline void vgpu_fixture_unload(void)
{
	if (!modules_were_loaded && !getenv("MVGPU_KEEP_MODULES") &&
	    mvgpu_modules_in_dir())
		mvgpu_unload();
}

static inline int vgpu_fixture_main(int argc, char **argv)
{
	mvgpu_host_preflight();
	modules_were_loaded = mvgpu_module_loaded("mvgpu_sim");
	atexit(vgpu_fixture_unload);
	return test_harness_run(argc, argv);
}

#endif /* _MVGPU_VGPU_FIXTURE_H */
