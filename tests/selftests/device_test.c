// SPDX-License-Identifier: GPL-2.0
/*
 * device_test - the vGPU device model as a VFIO client sees it: device
 * and region info, PCI config space, BAR0 registers, reset, malformed
 * ioctls and a bounded random fuzz of all of them.
 *
 * Interrupts are in irq_test.c and VRAM (BAR2) in vram_test.c; the three
 * share the "vgpu" fixture below (kept identical in each file): load the
 * modules, create one vGPU of the variant's type, open it through VFIO.
 *
 * Environment:
 *   MVGPU_TEST_ONLY=a,b   run only the tests whose name contains a or b
 *   MVGPU_FUZZ_ITERS=N    fuzz operations per variant (default 20000)
 *   MVGPU_FUZZ_SEED=N     fuzz seed (default fixed, printed)
 *   MVGPU_KEEP_MODULES=1  do not unload modules this program loaded
 *
 * Expected values come from include/uapi/linux/mvgpu.h and
 * Documentation/mvgpu-device.rst (section numbers below refer to it).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/pci_regs.h>

#include "kselftest_harness.h"
#include "mvgpu_test.h"

#include "vgpu_fixture.h"

/* The argsz each ioctl needs at least: its structure up to these fields. */
#define DEVICE_INFO_MINSZ \
	(offsetof(struct vfio_device_info, num_irqs) + sizeof(__u32))
#define REGION_INFO_MINSZ \
	(offsetof(struct vfio_region_info, offset) + sizeof(__u64))
#define IRQ_INFO_MINSZ	(offsetof(struct vfio_irq_info, count) + sizeof(__u32))

/* -errno of a failed access, 0 if it transferred all @len bytes. */
static int access_err(int fd, bool write, uint64_t pos, size_t len)
{
	static char buf[2 * MVGPU_MMIO_SIZE];
	ssize_t n;

	if (len > sizeof(buf))
		return -E2BIG;
	n = write ? pwrite(fd, buf, len, pos) : pread(fd, buf, len, pos);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static int ioctl_err(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

/* The profile number the type's description attribute states. */
static long type_profile_id(const char *type)
{
	char path[PATH_MAX], buf[256], *p;

	if (mvgpu_type_path(type, "description", path, sizeof(path)) ||
	    sysfs_read_str(path, buf, sizeof(buf)))
		return -1;
	p = strstr(buf, "profile=");
	return p ? strtol(p + strlen("profile="), NULL, 0) : -1;
}

static uint64_t pgpu_attr_u64(const char *attr)
{
	char path[PATH_MAX];
	uint64_t val = 0;

	snprintf(path, sizeof(path), "%s/mvgpu0/%s", MVGPU_SYSFS_CLASS, attr);
	sysfs_read_u64(path, &val);
	return val;
}

/* ---------------------------------------------------------------------- */
/* 1, 2: device and region info                                            */
/* ---------------------------------------------------------------------- */

TEST_F(vgpu, device_info)
{
	struct vfio_device_info info;

	if (!self->ready)
		return;
	/* No capability chain: cap_offset comes back 0, not as sent. */
	memset(&info, 0xa5, sizeof(info));
	info.argsz = sizeof(info);
	ASSERT_EQ(0, ioctl_err(self->fd, VFIO_DEVICE_GET_INFO, &info));
	EXPECT_EQ(sizeof(info), info.argsz);
	EXPECT_EQ(VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET, info.flags);
	EXPECT_EQ(NUM_REGIONS, info.num_regions);
	EXPECT_EQ(NUM_IRQS, info.num_irqs);
	EXPECT_EQ(0U, info.cap_offset);

	info.argsz = DEVICE_INFO_MINSZ - 1;
	EXPECT_EQ(-EINVAL, ioctl_err(self->fd, VFIO_DEVICE_GET_INFO, &info));
	info.argsz = 0;
	EXPECT_EQ(-EINVAL, ioctl_err(self->fd, VFIO_DEVICE_GET_INFO, &info));
}

TEST_F(vgpu, region_info)
{
	char path[PATH_MAX];
	struct vfio_region_info info;
	uint64_t sysfs_vram = 0, size;
	uint32_t rw = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
	uint32_t flags;
	unsigned int i;

	if (!self->ready)
		return;
	for (i = 0; i < NUM_REGIONS; i++) {
		ASSERT_EQ(0, vfio_region_info(self->fd, i, &info));
		switch (i) {
		case CFG_INDEX:
			size = MVGPU_CFG_SIZE, flags = rw;
			break;
		case MMIO_INDEX:
			size = MVGPU_MMIO_SIZE, flags = rw;
			break;
		case VRAM_INDEX:
			size = variant->vram;
			flags = rw | VFIO_REGION_INFO_FLAG_MMAP;
			break;
		case DISP_INDEX:
			size = MVGPU_DISP_MAX_FRAME;
			flags = VFIO_REGION_INFO_FLAG_READ |
				VFIO_REGION_INFO_FLAG_MMAP;
			break;
		case EDID_INDEX:
			/* display_test checks its size and capability. */
			size = info.size;
			flags = rw | VFIO_REGION_INFO_FLAG_CAPS;
			break;
		default:
			size = 0, flags = 0;
		}
		EXPECT_EQ(size, info.size) TH_LOG("region %u", i);
		EXPECT_EQ(flags, info.flags) TH_LOG("region %u", i);
		EXPECT_EQ(MVGPU_REGION_OFFSET(i), info.offset)
			TH_LOG("region %u", i);
		/* The EDID region's capability did not fit: argsz grew. */
		EXPECT_EQ(0U, info.cap_offset) TH_LOG("region %u", i);
	}

	/* BAR2 == the type's VRAM == VRAM_SIZE == the vGPU's sysfs. */
	ASSERT_EQ(0, vfio_region_info(self->fd, VRAM_INDEX, &info));
	snprintf(path, sizeof(path), "%s/%s/mvgpu/vram_bytes",
		 MDEV_BUS_DEVICES, self->uuid);
	ASSERT_EQ(0, sysfs_read_u64(path, &sysfs_vram));
	EXPECT_EQ(sysfs_vram, info.size);
	EXPECT_EQ(info.size, MMIO_RD(MVGPU_REG_VRAM_SIZE_LO) |
		  (uint64_t)MMIO_RD(MVGPU_REG_VRAM_SIZE_HI) << 32);

	EXPECT_EQ(-EINVAL, vfio_region_info(self->fd, NUM_REGIONS, &info));
	EXPECT_EQ(-EINVAL, vfio_region_info(self->fd, 0xffffffff, &info));

	memset(&info, 0, sizeof(info));
	info.index = VRAM_INDEX;
	info.argsz = REGION_INFO_MINSZ - 1;
	EXPECT_EQ(-EINVAL, ioctl_err(self->fd, VFIO_DEVICE_GET_REGION_INFO,
				     &info));
	info.argsz = 0;
	EXPECT_EQ(-EINVAL, ioctl_err(self->fd, VFIO_DEVICE_GET_REGION_INFO,
				     &info));
}

/* ---------------------------------------------------------------------- */
/* 3: PCI configuration space                                              */
/* ---------------------------------------------------------------------- */

TEST_F(vgpu, cfg_identity)
{
	uint32_t profile;

	if (!self->ready)
		return;
	profile = MMIO_RD(MVGPU_REG_PROFILE);
	EXPECT_EQ(MVGPU_PCI_VENDOR_ID, CFG_RD(PCI_VENDOR_ID, 2));
	EXPECT_EQ(MVGPU_PCI_DEVICE_ID, CFG_RD(PCI_DEVICE_ID, 2));
	EXPECT_EQ(MVGPU_PCI_REVISION, CFG_RD(PCI_REVISION_ID, 1));
	EXPECT_EQ(MVGPU_PCI_CLASS, CFG_RD(PCI_CLASS_REVISION, 4) >> 8);
	EXPECT_EQ(MVGPU_PCI_SUBSYS_VENDOR_ID,
		  CFG_RD(PCI_SUBSYSTEM_VENDOR_ID, 2));
	EXPECT_EQ(profile & MVGPU_PROFILE_ID_MASK,
		  CFG_RD(PCI_SUBSYSTEM_ID, 2));
	EXPECT_EQ(PCI_HEADER_TYPE_NORMAL, CFG_RD(PCI_HEADER_TYPE, 1));
	EXPECT_EQ(1, CFG_RD(PCI_INTERRUPT_PIN, 1));	/* INTA# */
	/* Unaligned and mixed-width reads return the same bytes. */
	EXPECT_EQ((MVGPU_PCI_VENDOR_ID >> 8) |
		  ((MVGPU_PCI_DEVICE_ID & 0xff) << 8), CFG_RD(1, 2));
	EXPECT_EQ(MVGPU_PCI_VENDOR_ID | (MVGPU_PCI_DEVICE_ID << 16),
		  CFG_RD(0, 8) & 0xffffffff);
}

TEST_F(vgpu, cfg_capabilities)
{
	static const struct { uint8_t off, id; } chain[] = {
		{ MVGPU_CFG_CAP_PCIE, PCI_CAP_ID_EXP },
		{ MVGPU_CFG_CAP_MSI, PCI_CAP_ID_MSI },
	};
	unsigned int n = 0, ptr;
	uint16_t msi;

	if (!self->ready)
		return;
	EXPECT_TRUE(CFG_RD(PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
	for (ptr = CFG_RD(PCI_CAPABILITY_LIST, 1); ptr;
	     ptr = CFG_RD(ptr + PCI_CAP_LIST_NEXT, 1)) {
		ASSERT_LT(n, 2U) TH_LOG("capability list too long (a loop?)");
		ASSERT_GE(ptr, 0x40U);
		ASSERT_EQ(0U, ptr & 3);
		EXPECT_EQ(chain[n].off, ptr);
		EXPECT_EQ(chain[n].id, CFG_RD(ptr + PCI_CAP_LIST_ID, 1));
		n++;
	}
	EXPECT_EQ(2U, n);

	EXPECT_EQ(2U, CFG_RD(MVGPU_CFG_CAP_PCIE + PCI_EXP_FLAGS, 2) &
		      PCI_EXP_FLAGS_VERS);
	EXPECT_EQ(PCI_EXP_TYPE_ENDPOINT,
		  (CFG_RD(MVGPU_CFG_CAP_PCIE + PCI_EXP_FLAGS, 2) &
		   PCI_EXP_FLAGS_TYPE) >> 4);

	msi = CFG_RD(MVGPU_CFG_CAP_MSI + PCI_MSI_FLAGS, 2);
	EXPECT_TRUE(msi & PCI_MSI_FLAGS_64BIT);
	EXPECT_EQ(0, msi & PCI_MSI_FLAGS_QMASK);	/* 1 vector */
	EXPECT_EQ(0, msi & PCI_MSI_FLAGS_ENABLE);
	/* Enable, address and data are writable; the rest is not. */
	CFG_WR(MVGPU_CFG_CAP_MSI + PCI_MSI_FLAGS, 2, 0xffff);
	EXPECT_EQ(msi | PCI_MSI_FLAGS_ENABLE,
		  CFG_RD(MVGPU_CFG_CAP_MSI + PCI_MSI_FLAGS, 2));
	CFG_WR(MVGPU_CFG_CAP_MSI + PCI_MSI_ADDRESS_LO, 4, 0xfee01004);
	CFG_WR(MVGPU_CFG_CAP_MSI + PCI_MSI_ADDRESS_HI, 4, 0x12345678);
	CFG_WR(MVGPU_CFG_CAP_MSI + PCI_MSI_DATA_64, 2, 0x4041);
	EXPECT_EQ(0xfee01004, CFG_RD(MVGPU_CFG_CAP_MSI + PCI_MSI_ADDRESS_LO, 4));
	EXPECT_EQ(0x12345678, CFG_RD(MVGPU_CFG_CAP_MSI + PCI_MSI_ADDRESS_HI, 4));
	EXPECT_EQ(0x4041, CFG_RD(MVGPU_CFG_CAP_MSI + PCI_MSI_DATA_64, 2));

	/* No extended capabilities. */
	EXPECT_EQ(0, CFG_RD(PCI_CFG_SPACE_SIZE, 4));
}

/* The manual's section 3 table: offset, width, reset, writable, W1C. */
static const struct cfg_field {
	uint16_t off;
	uint8_t len;
	uint32_t reset, wmask, w1c;
} cfg_manual[] = {
	{ 0x00, 2, MVGPU_PCI_VENDOR_ID }, { 0x02, 2, MVGPU_PCI_DEVICE_ID },
	{ 0x04, 2, 0, 0x0546 }, { 0x06, 2, 0x0010, 0, 0xf900 },
	{ 0x08, 1, MVGPU_PCI_REVISION }, { 0x0a, 2, MVGPU_PCI_CLASS >> 8 },
	{ 0x0c, 1, 0, 0xff }, { 0x10, 4, 0, 0xffffc000 },
	{ 0x18, 4, 0xc },	/* BAR2/3 masks and the subsystem ID: per vGPU */
	{ 0x2c, 2, MVGPU_PCI_SUBSYS_VENDOR_ID },
	{ 0x34, 1, MVGPU_CFG_CAP_PCIE }, { 0x3c, 1, 0, 0xff }, { 0x3d, 1, 1 },
	{ 0x40, 1, PCI_CAP_ID_EXP }, { 0x41, 1, MVGPU_CFG_CAP_MSI },
	{ 0x42, 2, 0x0002 }, { 0x44, 4, 0x00008000 },
	{ 0x48, 2, 0x2810, 0x78ff },
	{ 0x4a, 2, 0, 0, 0x000f }, { 0x4c, 4, 0x00000011 },
	{ 0x50, 2, 0, 0x00c3 }, { 0x52, 2, 0x0011 }, { 0x6c, 4, 0x00000002 },
	{ 0x70, 2, 0x0001 },
	{ 0x80, 1, PCI_CAP_ID_MSI }, { 0x81, 1, 0 }, { 0x82, 2, 0x0080, 0x0001 },
	{ 0x84, 4, 0, 0xfffffffc }, { 0x88, 4, 0, 0xffffffff },
	{ 0x8c, 2, 0, 0xffff },
};

/* The profile number the manual's section 2 gives the variant's type. */
static uint16_t profile_number(uint64_t vram, unsigned int engines)
{
	uint16_t id = __builtin_ctzll(vram >> 20);

	if (engines)
		id |= MVGPU_PROFILE_ID_PART | engines << 8;
	return id;
}

static void cfg_put(uint8_t *a, unsigned int off, unsigned int len,
		    uint32_t val)
{
	for (unsigned int i = 0; i < len; i++)
		a[off + i] = val >> (8 * i);
}

/* Index of the first byte where @a and @b differ, or -1. */
static int first_diff(const uint8_t *a, const uint8_t *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (a[i] != b[i])
			return i;
	return -1;
}

/*
 * Every byte of config space against the manual: reset values, what
 * writing all ones and then all zeros leaves, and VFIO_DEVICE_RESET
 * bringing back the reset values.  Unlisted bytes are zero and read-only.
 */
TEST_F(vgpu, cfg_table)
{
	uint8_t reset[MVGPU_CFG_SIZE] = {}, wmask[MVGPU_CFG_SIZE] = {};
	uint8_t w1c[MVGPU_CFG_SIZE] = {}, want[MVGPU_CFG_SIZE];
	uint8_t got[MVGPU_CFG_SIZE], ones[MVGPU_CFG_SIZE];
	const uint64_t bar2 = ~(variant->vram - 1);
	const uint64_t cfg = MVGPU_REGION_OFFSET(CFG_INDEX);
	unsigned int i;
	int at;

	if (!self->ready)
		return;
	for (i = 0; i < ARRAY_SIZE(cfg_manual); i++) {
		const struct cfg_field *f = &cfg_manual[i];

		cfg_put(reset, f->off, f->len, f->reset);
		cfg_put(wmask, f->off, f->len, f->wmask);
		cfg_put(w1c, f->off, f->len, f->w1c);
	}
	cfg_put(wmask, PCI_BASE_ADDRESS_2, 4, (uint32_t)bar2 & ~0xfU);
	cfg_put(wmask, PCI_BASE_ADDRESS_3, 4, bar2 >> 32);
	cfg_put(reset, PCI_SUBSYSTEM_ID, 2, profile_number(variant->vram, variant->engines));

	ASSERT_EQ(MVGPU_CFG_SIZE, pread(self->fd, got, sizeof(got), cfg));
	at = first_diff(reset, got, sizeof(got));
	EXPECT_EQ(-1, at) TH_LOG("reset: 0x%x reads 0x%02x, manual: 0x%02x",
				 at, got[at], reset[at]);

	memset(ones, 0xff, sizeof(ones));
	ASSERT_EQ(MVGPU_CFG_SIZE, pwrite(self->fd, ones, sizeof(ones), cfg));
	ASSERT_EQ(MVGPU_CFG_SIZE, pread(self->fd, got, sizeof(got), cfg));
	for (i = 0; i < MVGPU_CFG_SIZE; i++)
		want[i] = ((reset[i] & ~wmask[i]) | wmask[i]) & ~w1c[i];
	at = first_diff(want, got, sizeof(got));
	EXPECT_EQ(-1, at) TH_LOG("all ones: 0x%x reads 0x%02x, manual: 0x%02x",
				 at, got[at], want[at]);

	memset(ones, 0, sizeof(ones));
	ASSERT_EQ(MVGPU_CFG_SIZE, pwrite(self->fd, ones, sizeof(ones), cfg));
	ASSERT_EQ(MVGPU_CFG_SIZE, pread(self->fd, got, sizeof(got), cfg));
	for (i = 0; i < MVGPU_CFG_SIZE; i++)
		want[i] = reset[i] & ~wmask[i] & ~w1c[i];
	at = first_diff(want, got, sizeof(got));
	EXPECT_EQ(-1, at) TH_LOG("all zeros: 0x%x reads 0x%02x, manual: 0x%02x",
				 at, got[at], want[at]);

	/* Section 8: VFIO_DEVICE_RESET resets config space. */
	CFG_WR(PCI_COMMAND, 2, 0xffff);
	CFG_WR(PCI_BASE_ADDRESS_0, 4, 0xfe000000);
	CFG_WR(MVGPU_CFG_CAP_MSI + PCI_MSI_ADDRESS_LO, 4, 0xfee00000);
	ASSERT_EQ(0, ioctl(self->fd, VFIO_DEVICE_RESET));
	ASSERT_EQ(MVGPU_CFG_SIZE, pread(self->fd, got, sizeof(got), cfg));
	at = first_diff(reset, got, sizeof(got));
	EXPECT_EQ(-1, at) TH_LOG("after reset: 0x%x reads 0x%02x, manual: 0x%02x",
				 at, got[at], reset[at]);
}

TEST_F(vgpu, cfg_bar_sizing)
{
	uint64_t lo, hi, size;

	if (!self->ready)
		return;
	/* BAR0: 32-bit memory, MVGPU_MMIO_SIZE. */
	EXPECT_EQ(0, CFG_RD(PCI_BASE_ADDRESS_0, 4) & ~PCI_BASE_ADDRESS_MEM_MASK);
	CFG_WR(PCI_BASE_ADDRESS_0, 4, 0xffffffff);
	EXPECT_EQ((uint32_t)~(MVGPU_MMIO_SIZE - 1), CFG_RD(PCI_BASE_ADDRESS_0, 4));
	CFG_WR(PCI_BASE_ADDRESS_0, 4, 0xfebfc000);
	EXPECT_EQ(0xfebfc000, CFG_RD(PCI_BASE_ADDRESS_0, 4));

	/* BAR2/3: 64-bit prefetchable, the VRAM region's size. */
	EXPECT_EQ(PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH,
		  CFG_RD(PCI_BASE_ADDRESS_2, 4) & ~PCI_BASE_ADDRESS_MEM_MASK);
	CFG_WR(PCI_BASE_ADDRESS_2, 4, 0xffffffff);
	CFG_WR(PCI_BASE_ADDRESS_3, 4, 0xffffffff);
	lo = CFG_RD(PCI_BASE_ADDRESS_2, 4);
	hi = CFG_RD(PCI_BASE_ADDRESS_3, 4);
	EXPECT_EQ(PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH,
		  lo & ~PCI_BASE_ADDRESS_MEM_MASK);
	size = ~((hi << 32) | (lo & PCI_BASE_ADDRESS_MEM_MASK)) + 1;
	EXPECT_EQ(variant->vram, size);
	CFG_WR(PCI_BASE_ADDRESS_2, 4, 0);
	CFG_WR(PCI_BASE_ADDRESS_3, 4, 0x1);
	EXPECT_EQ(0x1U, CFG_RD(PCI_BASE_ADDRESS_3, 4));

	/* Unimplemented BARs and the expansion ROM read as zero. */
	CFG_WR(PCI_BASE_ADDRESS_1, 4, 0xffffffff);
	CFG_WR(PCI_BASE_ADDRESS_4, 4, 0xffffffff);
	CFG_WR(PCI_BASE_ADDRESS_5, 4, 0xffffffff);
	CFG_WR(PCI_ROM_ADDRESS, 4, 0xffffffff);
	EXPECT_EQ(0, CFG_RD(PCI_BASE_ADDRESS_1, 4));
	EXPECT_EQ(0, CFG_RD(PCI_BASE_ADDRESS_4, 4));
	EXPECT_EQ(0, CFG_RD(PCI_BASE_ADDRESS_5, 4));
	EXPECT_EQ(0, CFG_RD(PCI_ROM_ADDRESS, 4));
}

TEST_F(vgpu, cfg_command_status)
{
	uint16_t cmd, status;

	if (!self->ready)
		return;
	EXPECT_EQ(0, CFG_RD(PCI_COMMAND, 2));
	CFG_WR(PCI_COMMAND, 2, 0xffff);
	cmd = CFG_RD(PCI_COMMAND, 2);
	EXPECT_TRUE(cmd & PCI_COMMAND_MEMORY);
	EXPECT_TRUE(cmd & PCI_COMMAND_MASTER);
	EXPECT_TRUE(cmd & PCI_COMMAND_INTX_DISABLE);
	EXPECT_EQ(0, cmd & PCI_COMMAND_IO);	/* no I/O BAR */
	CFG_WR(PCI_COMMAND, 2, 0);
	EXPECT_EQ(0, CFG_RD(PCI_COMMAND, 2));

	/* Status: capability list, nothing else; RW1C bits cannot be set. */
	status = CFG_RD(PCI_STATUS, 2);
	EXPECT_EQ(PCI_STATUS_CAP_LIST, status);
	CFG_WR(PCI_STATUS, 2, 0xffff);
	EXPECT_EQ(status, CFG_RD(PCI_STATUS, 2));
	/* One dword write reaches the command and the status register. */
	CFG_WR(PCI_COMMAND, 4, 0xffff0000 | PCI_COMMAND_MEMORY |
	       PCI_COMMAND_MASTER);
	EXPECT_EQ(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER,
		  CFG_RD(PCI_COMMAND, 2));
	EXPECT_EQ(status, CFG_RD(PCI_STATUS, 2));
	/* Section 3: exactly these are writable. */
	CFG_WR(PCI_COMMAND, 2, 0xffff);
	EXPECT_EQ(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |
		  PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE,
		  CFG_RD(PCI_COMMAND, 2));
}

TEST_F(vgpu, cfg_bounds)
{
	const uint64_t cfg = MVGPU_REGION_OFFSET(CFG_INDEX);
	uint8_t all[MVGPU_CFG_SIZE];
	uint32_t dw;
	unsigned int off;

	if (!self->ready)
		return;
	/* One read of everything equals 1024 dword reads. */
	ASSERT_EQ(MVGPU_CFG_SIZE, pread(self->fd, all, sizeof(all), cfg));
	for (off = 0; off < MVGPU_CFG_SIZE; off += 4) {
		dw = CFG_RD(off, 4);
		ASSERT_EQ(0, memcmp(&dw, all + off, 4)) TH_LOG("at 0x%x", off);
	}

	for (int w = 0; w < 2; w++) {
		EXPECT_EQ(0, access_err(self->fd, w, cfg + 4095, 1));
		EXPECT_EQ(-EINVAL, access_err(self->fd, w, cfg + 4095, 2));
		EXPECT_EQ(-EINVAL, access_err(self->fd, w, cfg + 4094, 4));
		EXPECT_EQ(-EINVAL, access_err(self->fd, w, cfg + 4096, 1));
		EXPECT_EQ(-EINVAL, access_err(self->fd, w, cfg, 4097));
		/* A zero-length access does nothing, as read(2) has it. */
		EXPECT_EQ(0, access_err(self->fd, w, cfg, 0));
		EXPECT_EQ(0, access_err(self->fd, w, cfg + 0x1000000, 0));
		EXPECT_EQ(-EINVAL, access_err(self->fd, w, cfg + 0x1000000, 4));
		/* Past the region into the next index (VGA, size 0). */
		EXPECT_EQ(-EINVAL, access_err(self->fd, w, cfg + REGION_SPAN, 4));
		EXPECT_EQ(-EINVAL, access_err(self->fd, w, cfg + REGION_SPAN - 1, 1));
	}
}

/*
 * Regions without a size, and indexes past the last, reject everything
 * (9 and 10, the display and EDID regions, are display_test's).
 */
TEST_F(vgpu, unused_regions)
{
	static const unsigned int idx[] = {
		VFIO_PCI_BAR1_REGION_INDEX, VFIO_PCI_BAR3_REGION_INDEX,
		VFIO_PCI_BAR4_REGION_INDEX, VFIO_PCI_BAR5_REGION_INDEX,
		VFIO_PCI_ROM_REGION_INDEX, VFIO_PCI_VGA_REGION_INDEX,
		NUM_REGIONS, 15, 255, 0x7fffff,
	};
	unsigned int i;
	void *p;

	if (!self->ready)
		return;
	for (i = 0; i < ARRAY_SIZE(idx); i++) {
		uint64_t pos = MVGPU_REGION_OFFSET(idx[i]);

		for (int w = 0; w < 2; w++) {
			EXPECT_EQ(-EINVAL, access_err(self->fd, w, pos, 1))
				TH_LOG("region %u", idx[i]);
			EXPECT_EQ(-EINVAL, access_err(self->fd, w, pos + 0x3c0, 4))
				TH_LOG("region %u", idx[i]);
		}
		p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd, pos);
		EXPECT_EQ(MAP_FAILED, p) TH_LOG("mmap of region %u", idx[i]);
		if (p != MAP_FAILED)
			munmap(p, 4096);
	}
}

/* ---------------------------------------------------------------------- */
/* 4: BAR0 registers                                                       */
/* ---------------------------------------------------------------------- */

TEST_F(vgpu, mmio_identity)
{
	uint32_t features, profile;
	bool part = variant->engines != 0;
	long id = type_profile_id(variant->type);

	if (!self->ready)
		return;
	EXPECT_EQ(MVGPU_ID_MAGIC, MMIO_RD(MVGPU_REG_ID));
	EXPECT_EQ((uint32_t)MVGPU_VERSION, MMIO_RD(MVGPU_REG_VERSION));
	EXPECT_EQ(1, MVGPU_VERSION_MAJOR);

	features = MMIO_RD(MVGPU_REG_FEATURES);
	EXPECT_TRUE(features & MVGPU_FEAT_MSI);
	EXPECT_TRUE(features & MVGPU_FEAT_SOFT_IRQ);
	EXPECT_EQ(part, !!(features & MVGPU_FEAT_PARTITIONED));

	profile = MMIO_RD(MVGPU_REG_PROFILE);
	EXPECT_EQ(part, !!(profile & MVGPU_PROFILE_F_PARTITIONED));
	EXPECT_EQ(0U, profile & ~(MVGPU_PROFILE_ID_MASK |
				  MVGPU_PROFILE_F_PARTITIONED));
	EXPECT_EQ(id, (long)(profile & MVGPU_PROFILE_ID_MASK))
		TH_LOG("the type's description names profile 0x%lx", id);
	/* Section 2: the profile number's layout. */
	EXPECT_EQ(profile_number(variant->vram, variant->engines), profile & MVGPU_PROFILE_ID_MASK);
	EXPECT_EQ(part, !!(profile & MVGPU_PROFILE_ID_PART));
	EXPECT_EQ(variant->engines, MVGPU_PROFILE_ID_ENGINES(profile));
	EXPECT_EQ(variant->vram >> 20,
		  1ULL << MVGPU_PROFILE_ID_VRAM_LOG2(profile));
	EXPECT_EQ(0U, profile & 0x7000);

	EXPECT_EQ(variant->vram, MMIO_RD(MVGPU_REG_VRAM_SIZE_LO) |
		  (uint64_t)MMIO_RD(MVGPU_REG_VRAM_SIZE_HI) << 32);
	if (part) {
		EXPECT_EQ(variant->engines, MMIO_RD(MVGPU_REG_ENGINES));
	} else {
		EXPECT_EQ(pgpu_attr_u64("engines"), MMIO_RD(MVGPU_REG_ENGINES));
		EXPECT_EQ(4U, MMIO_RD(MVGPU_REG_ENGINES));	/* mvgpu_sim */
	}

	/* Fresh device: everything else at its reset value. */
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_SCRATCH));
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_CONTROL));
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_STATUS));
	EXPECT_EQ((uint32_t)MVGPU_ERR_NONE, MMIO_RD(MVGPU_REG_ERROR));
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_ERROR_INFO));
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_IRQ_STATUS));
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_IRQ_MASK));
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_IRQ_RAISE));
}

TEST_F(vgpu, mmio_scratch_and_readonly)
{
	static const unsigned int ro[] = {
		MVGPU_REG_ID, MVGPU_REG_VERSION, MVGPU_REG_FEATURES,
		MVGPU_REG_PROFILE, MVGPU_REG_VRAM_SIZE_LO,
		MVGPU_REG_VRAM_SIZE_HI, MVGPU_REG_ENGINES, MVGPU_REG_STATUS,
		MVGPU_REG_ERROR, MVGPU_REG_ERROR_INFO,
	};
	uint32_t before[ARRAY_SIZE(ro)];
	unsigned int i;

	if (!self->ready)
		return;
	MMIO_WR(MVGPU_REG_SCRATCH, 0xdeadbeef);
	EXPECT_EQ(0xdeadbeef, MMIO_RD(MVGPU_REG_SCRATCH));
	MMIO_WR(MVGPU_REG_SCRATCH, 0);
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_SCRATCH));
	MMIO_WR(MVGPU_REG_SCRATCH, 0xffffffff);
	EXPECT_EQ(0xffffffff, MMIO_RD(MVGPU_REG_SCRATCH));

	for (i = 0; i < ARRAY_SIZE(ro); i++)
		before[i] = MMIO_RD(ro[i]);
	for (i = 0; i < ARRAY_SIZE(ro); i++) {
		MMIO_WR(ro[i], 0xffffffff);
		MMIO_WR(ro[i], 0);
	}
	for (i = 0; i < ARRAY_SIZE(ro); i++) {
		EXPECT_EQ(before[i], MMIO_RD(ro[i]))
			TH_LOG("register 0x%x changed", ro[i]);
	}
	/* IRQ_RAISE is write-only, CONTROL.RESET reads as 0. */
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_IRQ_RAISE));
	MMIO_WR(MVGPU_REG_CONTROL, 0x7ffffffe);	/* reserved bits only */
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_CONTROL));
}

TEST_F(vgpu, mmio_access_widths)
{
	uint64_t q;

	if (!self->ready)
		return;
	MMIO_WR(MVGPU_REG_SCRATCH, 0x11223344);
	/* Narrow reads return the register's bytes. */
	for (unsigned int b = 0; b < 4; b++) {
		EXPECT_EQ((0x11223344U >> (8 * b)) & 0xff,
			  region_rd(_metadata, self->fd, MMIO_INDEX,
				    MVGPU_REG_SCRATCH + b, 1));
	}
	EXPECT_EQ(0x3344U, region_rd(_metadata, self->fd, MMIO_INDEX,
				     MVGPU_REG_SCRATCH, 2));
	EXPECT_EQ(0x1122U, region_rd(_metadata, self->fd, MMIO_INDEX,
				     MVGPU_REG_SCRATCH + 2, 2));
	EXPECT_EQ((MVGPU_ID_MAGIC >> 8) & 0xffff,
		  region_rd(_metadata, self->fd, MMIO_INDEX, 1, 2));
	/* An 8-byte read returns two registers. */
	q = region_rd(_metadata, self->fd, MMIO_INDEX, 0, 8);
	EXPECT_EQ(MVGPU_ID_MAGIC | (uint64_t)MVGPU_VERSION << 32, q);
	q = region_rd(_metadata, self->fd, MMIO_INDEX, MVGPU_REG_ENGINES, 8);
	EXPECT_EQ(0x11223344ULL, q >> 32);

	/* Writes narrower than 4 bytes are ignored. */
	for (unsigned int b = 0; b < 4; b++)
		region_wr(_metadata, self->fd, MMIO_INDEX,
			  MVGPU_REG_SCRATCH + b, 1, 0xaa);
	region_wr(_metadata, self->fd, MMIO_INDEX, MVGPU_REG_SCRATCH, 2, 0xbbbb);
	region_wr(_metadata, self->fd, MMIO_INDEX, MVGPU_REG_SCRATCH + 2, 2,
		  0xcccc);
	EXPECT_EQ(0x11223344U, MMIO_RD(MVGPU_REG_SCRATCH));
	region_wr(_metadata, self->fd, MMIO_INDEX, MVGPU_REG_CONTROL, 1,
		  MVGPU_CONTROL_ENABLE);
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_CONTROL));

	/* An aligned 8-byte write writes two registers (RO one ignored). */
	q = MMIO_RD(MVGPU_REG_ENGINES);
	region_wr(_metadata, self->fd, MMIO_INDEX, MVGPU_REG_ENGINES, 8,
		  0xcafef00dULL << 32 | 0xffffffff);
	EXPECT_EQ(q, MMIO_RD(MVGPU_REG_ENGINES));
	EXPECT_EQ(0xcafef00dU, MMIO_RD(MVGPU_REG_SCRATCH));
	region_wr(_metadata, self->fd, MMIO_INDEX, MVGPU_REG_CONTROL, 8,
		  (uint64_t)0xffffffff << 32 | MVGPU_CONTROL_ENABLE);
	EXPECT_EQ(MVGPU_CONTROL_ENABLE, MMIO_RD(MVGPU_REG_CONTROL));
	EXPECT_EQ(MVGPU_STATUS_ENABLED, MMIO_RD(MVGPU_REG_STATUS));
}

TEST_F(vgpu, mmio_unknown_and_bounds)
{
	const uint64_t bar0 = MVGPU_REGION_OFFSET(MMIO_INDEX);
	static uint32_t all[MVGPU_MMIO_SIZE / 4];
	/* 0x1000 + q * 0x100: queue registers with MVGPU_FEAT_RING. */
	static const unsigned int unknown[] = {
		0x3c, 0x40, 0x100, 0xffc, 0x2000, MVGPU_MMIO_SIZE - 4,
	};
	unsigned int i, qend;

	if (!self->ready)
		return;
	qend = MMIO_RD(MVGPU_REG_FEATURES) & MVGPU_FEAT_RING ?
	       0x1000 + 0x100 * MMIO_RD(MVGPU_REG_ENGINES) : 0x1000;
	for (i = 0; i < ARRAY_SIZE(unknown); i++) {
		MMIO_WR(unknown[i], 0xffffffff);
		EXPECT_EQ(0U, MMIO_RD(unknown[i])) TH_LOG("at 0x%x", unknown[i]);
	}
	/*
	 * The blocks of queues that do not exist ignore writes, an enable
	 * included (queue.c checks the queue number, under speculation too).
	 */
	for (i = qend; i < MVGPU_QUEUE_BASE(MVGPU_MAX_QUEUES); i += 0x100) {
		MMIO_WR(i + MVGPU_QREG_RING_SIZE, 0x1000);
		MMIO_WR(i + MVGPU_QREG_CONTROL, MVGPU_QCTL_ENABLE);
		EXPECT_EQ(0U, MMIO_RD(i + MVGPU_QREG_RING_SIZE)) TH_LOG("at 0x%x", i);
		EXPECT_EQ(0U, MMIO_RD(i + MVGPU_QREG_CONTROL)) TH_LOG("at 0x%x", i);
	}
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_STATUS) & MVGPU_STATUS_ERROR);
	/* The whole BAR in one read: registers, then zeros. */
	ASSERT_EQ(MVGPU_MMIO_SIZE, pread(self->fd, all, sizeof(all), bar0));
	EXPECT_EQ(MVGPU_ID_MAGIC, all[MVGPU_REG_ID / 4]);
	EXPECT_EQ((uint32_t)MVGPU_VERSION, all[MVGPU_REG_VERSION / 4]);
	/* The display registers are display_test's. */
	for (i = 0x3c / 4; i < MVGPU_MMIO_SIZE / 4; i++)
		if (all[i] && (i * 4 < MVGPU_DISP_BASE ||
			       (i * 4 >= MVGPU_DISP_END && i * 4 < 0x1000) ||
			       i * 4 >= qend)) {
			EXPECT_EQ(0U, all[i]) TH_LOG("at 0x%x", i * 4);
			break;
		}

	for (int w = 0; w < 2; w++) {
		EXPECT_EQ(0, access_err(self->fd, w, bar0 + MVGPU_MMIO_SIZE - 1, 1));
		EXPECT_EQ(-EINVAL, access_err(self->fd, w, bar0 + MVGPU_MMIO_SIZE, 4));
		EXPECT_EQ(-EINVAL, access_err(self->fd, w, bar0 + MVGPU_MMIO_SIZE, 1));
		EXPECT_EQ(0, access_err(self->fd, w, bar0, 0));
		EXPECT_EQ(-EINVAL, access_err(self->fd, w, bar0 + MVGPU_MMIO_SIZE - 4, 8));
		EXPECT_EQ(-EINVAL, access_err(self->fd, w, bar0, MVGPU_MMIO_SIZE + 1));
		EXPECT_EQ(-EINVAL, access_err(self->fd, w, bar0 + REGION_SPAN - 1, 1));
	}
	/* The failed accesses changed nothing. */
	EXPECT_EQ(MVGPU_ID_MAGIC, MMIO_RD(MVGPU_REG_ID));
}

TEST_F(vgpu, mmio_control)
{
	if (!self->ready)
		return;
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_STATUS) & MVGPU_STATUS_ENABLED);
	MMIO_WR(MVGPU_REG_CONTROL, MVGPU_CONTROL_ENABLE);
	EXPECT_EQ(MVGPU_CONTROL_ENABLE, MMIO_RD(MVGPU_REG_CONTROL));
	EXPECT_EQ(MVGPU_STATUS_ENABLED, MMIO_RD(MVGPU_REG_STATUS));
	MMIO_WR(MVGPU_REG_CONTROL, 0);
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_STATUS));

	/* CONTROL.RESET: registers back to their reset values. */
	MMIO_WR(MVGPU_REG_CONTROL, MVGPU_CONTROL_ENABLE);
	MMIO_WR(MVGPU_REG_SCRATCH, 0x5a5a5a5a);
	MMIO_WR(MVGPU_REG_IRQ_MASK, MVGPU_IRQ_ALL);
	MMIO_WR(MVGPU_REG_IRQ_RAISE, MVGPU_IRQ_SOFT);
	EXPECT_EQ(MVGPU_IRQ_ALL, MMIO_RD(MVGPU_REG_IRQ_MASK));
	EXPECT_EQ(MVGPU_IRQ_SOFT, MMIO_RD(MVGPU_REG_IRQ_STATUS));
	MMIO_WR(MVGPU_REG_CONTROL, MVGPU_CONTROL_RESET);
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_CONTROL));
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_STATUS));
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_SCRATCH));
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_IRQ_MASK));
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_IRQ_STATUS));
	EXPECT_EQ(MVGPU_ID_MAGIC, MMIO_RD(MVGPU_REG_ID));
	EXPECT_EQ(variant->vram, MMIO_RD(MVGPU_REG_VRAM_SIZE_LO) |
		  (uint64_t)MMIO_RD(MVGPU_REG_VRAM_SIZE_HI) << 32);
	/* A write with RESET ignores its other bits. */
	MMIO_WR(MVGPU_REG_CONTROL, MVGPU_CONTROL_RESET | MVGPU_CONTROL_ENABLE);
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_CONTROL));
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_STATUS));
}

/* ---------------------------------------------------------------------- */
/* 7: VFIO_DEVICE_RESET (its interrupt side is in irq_test.c)              */
/* ---------------------------------------------------------------------- */

TEST_F(vgpu, device_reset)
{
	if (!self->ready)
		return;
	/* Section 8: CONTROL.RESET keeps config space ... */
	CFG_WR(PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	CFG_WR(PCI_BASE_ADDRESS_0, 4, 0xfebf0000);
	MMIO_WR(MVGPU_REG_CONTROL, MVGPU_CONTROL_RESET);
	EXPECT_EQ(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER,
		  CFG_RD(PCI_COMMAND, 2));
	EXPECT_EQ(0xfebf0000, CFG_RD(PCI_BASE_ADDRESS_0, 4));
	MMIO_WR(MVGPU_REG_CONTROL, MVGPU_CONTROL_ENABLE);
	MMIO_WR(MVGPU_REG_SCRATCH, 0x12345678);
	MMIO_WR(MVGPU_REG_IRQ_MASK, MVGPU_IRQ_SOFT);
	MMIO_WR(MVGPU_REG_IRQ_RAISE, MVGPU_IRQ_SOFT);

	/* ... VFIO_DEVICE_RESET does not: BARs unassigned, decoding off. */
	ASSERT_EQ(0, ioctl_err(self->fd, VFIO_DEVICE_RESET, NULL));
	EXPECT_EQ(0, CFG_RD(PCI_COMMAND, 2));
	EXPECT_EQ(0, CFG_RD(PCI_BASE_ADDRESS_0, 4));
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_CONTROL));
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_STATUS));
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_SCRATCH));
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_IRQ_MASK));
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_IRQ_STATUS));
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_ERROR));
	EXPECT_EQ(MVGPU_ID_MAGIC, MMIO_RD(MVGPU_REG_ID));
	EXPECT_EQ(MVGPU_PCI_DEVICE_ID, CFG_RD(PCI_DEVICE_ID, 2));
	/* Twice in a row is fine too. */
	EXPECT_EQ(0, ioctl_err(self->fd, VFIO_DEVICE_RESET, NULL));
	EXPECT_EQ(0, ioctl_err(self->fd, VFIO_DEVICE_RESET, NULL));
}

/* ---------------------------------------------------------------------- */
/* 8: malformed ioctls                                                     */
/* ---------------------------------------------------------------------- */

TEST_F(vgpu, bad_ioctls)
{
	static const unsigned long unknown[] = {
		_IO(VFIO_TYPE, VFIO_BASE + 0), _IO(VFIO_TYPE, VFIO_BASE + 6),
		_IO(VFIO_TYPE, VFIO_BASE + 12), _IO(VFIO_TYPE, VFIO_BASE + 13),
		_IO(VFIO_TYPE, VFIO_BASE + 16), _IO(VFIO_TYPE, VFIO_BASE + 21),
		_IO(VFIO_TYPE, VFIO_BASE + 99), _IO(VFIO_TYPE, 0),
		_IOWR(VFIO_TYPE, VFIO_BASE + 7, struct vfio_device_info),
		_IOR('M', 1, int),
	};
	uint8_t buf[8192];
	struct vfio_region_info *ri = (void *)buf;
	void *bad;
	unsigned int i, j;

	if (!self->ready)
		return;
	memset(buf, 0, sizeof(buf));
	for (i = 0; i < ARRAY_SIZE(unknown); i++) {
		EXPECT_EQ(-ENOTTY, ioctl_err(self->fd, unknown[i], buf))
			TH_LOG("ioctl 0x%lx", unknown[i]);
	}

	srand(1);
	for (i = 0; i < 200; i++) {
		uint32_t argsz = i % 3 == 0 ? 0 : i % 3 == 1 ? 0xffffffff :
				 (uint32_t)rand();
		uint32_t index = i < 100 ? i % 12 : (uint32_t)rand();
		bool region = i & 1;
		size_t minsz = region ? REGION_INFO_MINSZ :
				       IRQ_INFO_MINSZ;
		unsigned int n = region ? NUM_REGIONS : NUM_IRQS;
		int want, ret;

		for (j = 0; j < sizeof(buf); j++)
			buf[j] = rand();
		/* argsz and index are at the same offsets in both. */
		ri->argsz = argsz;
		ri->index = index;
		want = argsz < minsz || index >= n ? -EINVAL : 0;
		ret = ioctl_err(self->fd, region ? VFIO_DEVICE_GET_REGION_INFO :
				VFIO_DEVICE_GET_IRQ_INFO, buf);
		EXPECT_EQ(want, ret) TH_LOG("%s info, argsz %u, index %u",
					    region ? "region" : "irq", argsz,
					    index);
		if (!want && region) {
			EXPECT_EQ(MVGPU_REGION_OFFSET(index), ri->offset);
			EXPECT_EQ(argsz, ri->argsz);
		}
	}

	/* Nothing is written past the fields the kernel fills in. */
	memset(buf, 0xa5, sizeof(buf));
	ri->argsz = sizeof(buf);
	ri->index = VRAM_INDEX;
	ASSERT_EQ(0, ioctl_err(self->fd, VFIO_DEVICE_GET_REGION_INFO, buf));
	EXPECT_EQ(variant->vram, ri->size);
	for (j = sizeof(*ri); j < sizeof(buf); j++)
		if (buf[j] != 0xa5) {
			EXPECT_EQ(0xa5, buf[j]) TH_LOG("byte %u written", j);
			break;
		}

	/* Bad user pointers. */
	EXPECT_EQ(-EFAULT, ioctl_err(self->fd, VFIO_DEVICE_GET_INFO, NULL));
	EXPECT_EQ(-EFAULT, ioctl_err(self->fd, VFIO_DEVICE_GET_REGION_INFO,
				     (void *)8));
	EXPECT_EQ(-EFAULT, ioctl_err(self->fd, VFIO_DEVICE_GET_IRQ_INFO, NULL));
	EXPECT_EQ(-EFAULT, ioctl_err(self->fd, VFIO_DEVICE_SET_IRQS, NULL));
	bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, bad);
	EXPECT_EQ(-EFAULT, vfio_region_read(self->fd, MMIO_INDEX, 0, bad, 4));
	EXPECT_EQ(-EFAULT, vfio_region_write(self->fd, CFG_INDEX, 0, bad, 4));
	EXPECT_EQ(-EFAULT, ioctl_err(self->fd, VFIO_DEVICE_GET_INFO, bad));
	munmap(bad, 4096);
	EXPECT_EQ(MVGPU_ID_MAGIC, MMIO_RD(MVGPU_REG_ID));
}

/* ---------------------------------------------------------------------- */
/* 9: bounded random fuzz                                                  */
/* ---------------------------------------------------------------------- */

static uint64_t fuzz_state;

static uint64_t fuzz_rand(void)
{
	/* xorshift64* */
	fuzz_state ^= fuzz_state >> 12;
	fuzz_state ^= fuzz_state << 25;
	fuzz_state ^= fuzz_state >> 27;
	return fuzz_state * 0x2545f4914f6cdd1dULL;
}

static uint64_t fuzz_below(uint64_t n)
{
	return n ? fuzz_rand() % n : 0;
}

static unsigned long env_ulong(const char *name, unsigned long def)
{
	const char *s = getenv(name);

	return s && *s ? strtoul(s, NULL, 0) : def;
}

static uint64_t fuzz_offset(uint64_t size)
{
	switch (fuzz_below(9)) {
	case 0:
		return 0;
	case 1:
		return size ? size - 1 : 0;
	case 2:
		return size;
	case 3:
		return size + fuzz_below(64);
	case 4:
		return REGION_SPAN - 1 - fuzz_below(8);
	case 5:
		return size ? size - 1 - fuzz_below(size < 16 ? size : 16) : 0;
	case 6:
		return fuzz_below(REGION_SPAN);
	default:
		return size ? fuzz_below(size) : fuzz_below(1 << 20);
	}
}

/* Half the time a region that has a size, else any index up to 15. */
static unsigned int fuzz_region(void)
{
	static const unsigned int sized[] = { CFG_INDEX, MMIO_INDEX, VRAM_INDEX };

	switch (fuzz_below(4)) {
	case 0:
	case 1:
		return sized[fuzz_below(3)];
	case 2:
		return fuzz_below(NUM_REGIONS);
	default:
		return fuzz_below(16);
	}
}

static size_t fuzz_len(void)
{
	static const size_t small[] = { 0, 1, 2, 3, 4, 8, 16, 4096 };

	if (fuzz_below(2))
		return small[fuzz_below(8)];
	return fuzz_below(9001);
}

/* Where the EDID region's blob starts (its edid_offset field). */
static uint32_t fuzz_edid_blob;

/*
 * What the driver must answer for an access, from the region table: the
 * display region is read-only; the EDID region takes blob bytes, and only
 * whole, valid edid_size and link_state fields (the manual, "Display").
 */
static int expect_rw(const uint64_t *sizes, unsigned int index, uint64_t off,
		     size_t len, bool write, const uint8_t *buf)
{
	uint64_t size = index < NUM_REGIONS ? sizes[index] : 0;
	uint32_t val;

	if (!len)
		return 0;
	if (off >= size || len > size - off)
		return -EINVAL;
	if (!write || (index != DISP_INDEX && index != EDID_INDEX))
		return 0;
	if (index == DISP_INDEX)
		return -EINVAL;
	if (off >= fuzz_edid_blob)
		return 0;
	if (len != 4)
		return -EINVAL;
	memcpy(&val, buf, 4);
	if (off == offsetof(struct vfio_region_gfx_edid, edid_size))
		return val <= MVGPU_DISP_EDID_MAX ? 0 : -EINVAL;
	if (off == offsetof(struct vfio_region_gfx_edid, link_state))
		return val == VFIO_DEVICE_GFX_LINK_STATE_UP ||
		       val == VFIO_DEVICE_GFX_LINK_STATE_DOWN ? 0 : -EINVAL;
	return -EINVAL;
}

struct fuzz_ctx {
	int fd;
	int efd[3];
	int notefd;
	unsigned long resets;
	uint8_t buf[16384];
};

/* SET_IRQS may succeed or fail with -EINVAL, -EBADF or -ENOTTY. */
#define ANY_IRQ_ERR	INT_MIN

/* One random ioctl: its result, the allowed one, and what it was. */
static int fuzz_ioctl(struct fuzz_ctx *c, int *allowed, char *what,
		      size_t wlen)
{
	struct vfio_irq_set *set = (void *)c->buf;
	uint32_t argsz, index;
	unsigned long cmd;
	unsigned int i;
	int32_t fd;

	for (i = 0; i < 64; i++)
		c->buf[i] = fuzz_rand();
	switch (fuzz_below(5)) {
	case 0:
		argsz = 0;
		break;
	case 1:
		argsz = 0xffffffff;
		break;
	case 2:
		argsz = fuzz_below(40);
		break;
	default:
		argsz = 32 + fuzz_below(64);
	}
	index = fuzz_below(4) ? fuzz_below(12) : (uint32_t)fuzz_rand();
	memcpy(c->buf, &argsz, 4);

	/*
	 * A reset clears the VRAM slice (~2 ms/MiB under TCG): keep them to
	 * about one in 800 operations.
	 */
	switch (fuzz_below(256) ? fuzz_below(6) : 6) {
	case 0:
		cmd = VFIO_DEVICE_GET_INFO;
		*allowed = argsz < DEVICE_INFO_MINSZ ? -EINVAL : 0;
		break;
	case 1:
		cmd = VFIO_DEVICE_GET_REGION_INFO;
		memcpy(c->buf + 8, &index, 4);
		*allowed = argsz < REGION_INFO_MINSZ ||
			   index >= NUM_REGIONS ? -EINVAL : 0;
		break;
	case 2:
		cmd = VFIO_DEVICE_GET_IRQ_INFO;
		memcpy(c->buf + 8, &index, 4);
		*allowed = argsz < IRQ_INFO_MINSZ ||
			   index >= NUM_IRQS ? -EINVAL : 0;
		break;
	case 3:
	case 4: {
		static const uint32_t data[] = {
			VFIO_IRQ_SET_DATA_NONE, VFIO_IRQ_SET_DATA_BOOL,
			VFIO_IRQ_SET_DATA_EVENTFD,
		};
		static const uint32_t action[] = {
			VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_IRQ_SET_ACTION_MASK,
			VFIO_IRQ_SET_ACTION_UNMASK,
		};

		cmd = VFIO_DEVICE_SET_IRQS;
		set->index = fuzz_below(4) ? fuzz_below(6) : index;
		set->flags = data[fuzz_below(3)] | action[fuzz_below(3)];
		if (!fuzz_below(8))
			set->flags ^= 1u << fuzz_below(32);
		set->start = fuzz_below(4) ? 0 : fuzz_below(3);
		set->count = fuzz_below(3);
		if (!fuzz_below(8))
			set->count = fuzz_rand();
		if (argsz >= 16 && argsz < 0xffffffff && fuzz_below(4))
			argsz = sizeof(*set) + 4;
		set->argsz = argsz;
		switch (fuzz_below(6)) {
		case 0:
			fd = -1;
			break;
		case 1:
			fd = c->notefd;
			break;
		case 2:
			fd = 4000 + fuzz_below(10);	/* not open */
			break;
		default:
			fd = c->efd[fuzz_below(3)];
		}
		memcpy(set->data, &fd, 4);
		*allowed = ANY_IRQ_ERR;
		snprintf(what, wlen,
			 "SET_IRQS argsz %u flags 0x%x index %u start %u count %u fd %d",
			 set->argsz, set->flags, set->index, set->start,
			 set->count, fd);
		return ioctl_err(c->fd, cmd, set);
	}
	case 6:
		*allowed = 0;
		snprintf(what, wlen, "VFIO_DEVICE_RESET");
		c->resets++;
		return ioctl_err(c->fd, VFIO_DEVICE_RESET, NULL);
	default:
		/* A command nobody implements: ENOTTY. */
		i = fuzz_below(2) ? fuzz_below(VFIO_BASE) :
				    VFIO_BASE + 21 + fuzz_below(135);
		cmd = _IOC(fuzz_below(4), VFIO_TYPE, i, fuzz_below(64));
		*allowed = -ENOTTY;
		break;
	}
	snprintf(what, wlen, "ioctl 0x%lx argsz %u index %u", cmd, argsz, index);
	return ioctl_err(c->fd, cmd, c->buf);
}

TEST_F_TIMEOUT(vgpu, fuzz, 240)
{
	unsigned long iters = env_ulong("MVGPU_FUZZ_ITERS", 20000);
	uint64_t seed = env_ulong("MVGPU_FUZZ_SEED", 0x6d76677075ULL);
	uint64_t sizes[NUM_REGIONS];
	struct vfio_region_info info;
	struct fuzz_ctx *c;
	unsigned long i, nok = 0, nerr = 0;
	uint64_t t0;
	char what[160];
	int allowed, ret, j;

	if (!self->ready)
		return;
	TH_LOG("seed 0x%llx, %lu operations (MVGPU_FUZZ_SEED, MVGPU_FUZZ_ITERS)",
	       (unsigned long long)seed, iters);
	t0 = mvgpu_now_ns();
	fuzz_state = seed ? seed : 1;
	for (i = 0; i < NUM_REGIONS; i++) {
		ASSERT_EQ(0, vfio_region_info(self->fd, i, &info));
		sizes[i] = info.size;
	}
	ASSERT_EQ(4, vfio_region_read(self->fd, EDID_INDEX, 0,
				      &fuzz_edid_blob, 4));
	c = calloc(1, sizeof(*c));
	ASSERT_NE(NULL, c);
	c->fd = self->fd;
	for (j = 0; j < 3; j++)
		c->efd[j] = eventfd_new();
	c->notefd = open("/dev/null", O_RDWR | O_CLOEXEC);

	for (i = 0; i < iters; i++) {
		unsigned int index;
		uint64_t off;
		size_t len;
		bool write;
		ssize_t n;
		void *p;

		switch (fuzz_below(16)) {
		case 0 ... 10:
			index = fuzz_region();
			off = fuzz_offset(index < NUM_REGIONS ? sizes[index] : 0);
			len = fuzz_len();
			write = fuzz_below(2);
			if (write)
				for (j = 0; j < 8; j++)
					c->buf[fuzz_below(sizeof(c->buf))] =
						fuzz_rand();
			n = write ? pwrite(self->fd, c->buf, len,
					   MVGPU_REGION_OFFSET(index) + off) :
				    pread(self->fd, c->buf, len,
					  MVGPU_REGION_OFFSET(index) + off);
			ret = n < 0 ? -errno : (size_t)n == len ? 0 : -EIO;
			allowed = expect_rw(sizes, index, off, len, write,
					    c->buf);
			snprintf(what, sizeof(what), "%s region %u off 0x%llx len %zu",
				 write ? "pwrite" : "pread", index,
				 (unsigned long long)off, len);
			break;
		case 11:
			index = fuzz_below(NUM_REGIONS);
			off = fuzz_below(4) ? 0 : fuzz_offset(sizes[index]);
			len = fuzz_below(2) ? sizes[index] : 4096 * fuzz_below(4);
			write = fuzz_below(4);	/* shared */
			p = mmap(NULL, len, PROT_READ | PROT_WRITE,
				 write ? MAP_SHARED : MAP_PRIVATE, self->fd,
				 MVGPU_REGION_OFFSET(index) + off);
			ret = p == MAP_FAILED ? -errno : 0;
			if (p != MAP_FAILED)
				munmap(p, len);
			allowed = index == VRAM_INDEX && write && len &&
				  !(off & 4095) && off < sizes[index] &&
				  len <= sizes[index] - off ? 0 : -EINVAL;
			snprintf(what, sizeof(what), "mmap %s region %u off 0x%llx len %zu",
				 write ? "shared" : "private", index,
				 (unsigned long long)off, len);
			break;
		default:
			ret = fuzz_ioctl(c, &allowed, what, sizeof(what));
		}

		if (allowed == ANY_IRQ_ERR) {
			ASSERT_TRUE(ret == 0 || ret == -EINVAL ||
				    ret == -EBADF || ret == -ENOTTY)
				TH_LOG("op %lu: %s: %s", i, what, strerror(-ret));
		} else {
			ASSERT_EQ(allowed, ret)
				TH_LOG("op %lu: %s: got %s", i, what,
				       ret ? strerror(-ret) : "success");
		}
		if (ret)
			nerr++;
		else
			nok++;
	}
	TH_LOG("%lu succeeded, %lu failed as expected, %lu device resets, %.0f operations/s",
	       nok, nerr, c->resets, iters / ((mvgpu_now_ns() - t0) / 1e9));

	/* The device still works. */
	EXPECT_EQ(MVGPU_ID_MAGIC, MMIO_RD(MVGPU_REG_ID));
	MMIO_WR(MVGPU_REG_SCRATCH, 0xfeedf00d);
	EXPECT_EQ(0xfeedf00d, MMIO_RD(MVGPU_REG_SCRATCH));
	EXPECT_EQ(MVGPU_PCI_VENDOR_ID, CFG_RD(PCI_VENDOR_ID, 2));
	EXPECT_EQ(0, ioctl_err(self->fd, VFIO_DEVICE_RESET, NULL));
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_SCRATCH));
	for (j = 0; j < 3; j++)
		close(c->efd[j]);
	close(c->notefd);
	free(c);
}

/*
 * The harness's alarm is fixed per test, and make fuzz ITER=N runs far more
 * operations than make check's 20000: allow 10 ms per operation, twenty
 * times what one takes under TCG (the fuzzer prints its rate).  The
 * object is the one TEST_F_TIMEOUT() defines (kselftest_harness.h).
 */
static void __attribute__((constructor)) fuzz_timeout(void)
{
	unsigned long iters = env_ulong("MVGPU_FUZZ_ITERS", 0);

	if (iters / 100 > (unsigned long)_vgpu_fuzz_object.timeout)
		_vgpu_fuzz_object.timeout = iters / 100;
}

int main(int argc, char **argv)
{
	return vgpu_fixture_main(argc, argv);
}
