// SPDX-License-Identifier: GPL-2.0
/*
 * mvgpu-peek: look at an mvgpu vGPU from inside a guest, without a driver.
 *
 * Runs in the nested guest (L2) of tests/selftests/nested_guest_test.sh,
 * where the vGPU is a PCI device passed through by QEMU's vfio-pci.  Finds
 * the device by vendor/device ID in sysfs, enables it, maps BAR0 and BAR2
 * through the sysfs resource files (memory BARs have no read()), and checks
 * what the device manual promises:
 *
 *   id        MVGPU_REG_ID is MVGPU_ID_MAGIC
 *   version   MVGPU_REG_VERSION is MVGPU_VERSION
 *   profile   MVGPU_REG_PROFILE bits 15:0 equal the PCI subsystem ID
 *   vram_size MVGPU_REG_VRAM_SIZE_HI:LO equals the size of BAR2
 *   scratch   MVGPU_REG_SCRATCH reads 0 after reset and keeps what is written
 *   vram      BAR2 reads zero after the device was opened and keeps what is
 *             written, at its first, middle and last bytes
 *
 * Prints "key=value" lines, then one summary line
 *   mvgpu-peek: id=0x4d564750 version=0x00010002 scratch=ok vram=ok
 * Exit status: 0 if everything matched, 1 on a mismatch, 2 if the device
 * could not be found or mapped.
 *
 * Usage: mvgpu-peek [SYSFS_PCI_DEVICES_DIR]   (default /sys/bus/pci/devices)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/mvgpu.h>

#define PEEK_DEVICES	"/sys/bus/pci/devices"
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Device memory accesses: one load or store of exactly this width, never
 * merged, split or left out by the compiler.
 */
#define mmio_read(p)		__atomic_load_n((p), __ATOMIC_RELAXED)
#define mmio_write(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELAXED)

static int failures;

/* Read a sysfs file holding one number ("0x1234\n"); -1 on error. */
static long read_hex(const char *dir, const char *name)
{
	char path[PATH_MAX], buf[32], *end;
	ssize_t n;
	long val;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	errno = 0;
	val = strtol(buf, &end, 0);
	if (errno || end == buf)
		return -1;
	return val;
}

static int write_str(const char *dir, const char *name, const char *val)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	return 0;
}

/* Find the vGPU; fills @dir with its sysfs directory. */
static int find_device(const char *devices, char dir[PATH_MAX])
{
	struct dirent *de;
	int found = 0;
	DIR *d;

	d = opendir(devices);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char path[PATH_MAX];

		if (de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", devices,
			     de->d_name) >= sizeof(path))
			continue;
		if (read_hex(path, "vendor") != MVGPU_PCI_VENDOR_ID ||
		    read_hex(path, "device") != MVGPU_PCI_DEVICE_ID)
			continue;
		if (!found++)
			memcpy(dir, path, sizeof(path));
	}
	closedir(d);
	if (found > 1)
		printf("# %d mvgpu devices, using %s\n", found, dir);
	return found ? 0 : -ENODEV;
}

/* Map a whole resourceN file; returns its size in @size. */
static void *map_resource(const char *dir, int bar, size_t *size)
{
	char path[PATH_MAX];
	struct stat st;
	void *p;
	int fd;

	if (snprintf(path, sizeof(path), "%s/resource%d", dir, bar) >=
	    sizeof(path))
		return NULL;
	fd = open(path, O_RDWR | O_SYNC | O_CLOEXEC);
	if (fd < 0) {
		printf("# open %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) || st.st_size <= 0) {
		printf("# %s: no size\n", path);
		close(fd);
		return NULL;
	}
	p = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		printf("# mmap %s: %s\n", path, strerror(errno));
		return NULL;
	}
	*size = st.st_size;
	return p;
}

static uint32_t reg_read(uint32_t *mmio, unsigned int reg)
{
	return mmio_read(&mmio[reg / 4]);
}

static void reg_write(uint32_t *mmio, unsigned int reg, uint32_t val)
{
	mmio_write(&mmio[reg / 4], val);
}

/* Print one result and count it. */
static const char *verdict(const char *key, bool ok)
{
	printf("%s=%s\n", key, ok ? "ok" : "bad");
	if (!ok)
		failures++;
	return ok ? "ok" : "bad";
}

static const char *check_scratch(uint32_t *mmio)
{
	static const uint32_t patterns[] = { 0xa5a55a5a, 0x00000001,
					     0x80000000, 0xffffffff, 0 };
	uint32_t val = reg_read(mmio, MVGPU_REG_SCRATCH);
	bool ok = true;
	unsigned int i;

	printf("scratch_reset=0x%08x\n", val);
	if (val)
		ok = false;
	for (i = 0; i < ARRAY_SIZE(patterns); i++) {
		reg_write(mmio, MVGPU_REG_SCRATCH, patterns[i]);
		val = reg_read(mmio, MVGPU_REG_SCRATCH);
		if (val != patterns[i]) {
			printf("# scratch: wrote 0x%08x, read 0x%08x\n",
			       patterns[i], val);
			ok = false;
		}
	}
	return verdict("scratch", ok);
}

static const char *check_vram(uint8_t *vram, size_t size)
{
	size_t offs[] = { 0, size / 2, size - 8 };
	bool zero = true, ok = true;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		uint64_t *q = (uint64_t *)(vram + offs[i]);
		uint32_t *d = (uint32_t *)(vram + offs[i]);
		unsigned long long pattern = 0x0123456789abcdefULL ^ offs[i];
		unsigned long long val = mmio_read(q);

		if (val) {
			printf("# vram[0x%zx] = 0x%016llx before any write\n",
			       offs[i], val);
			zero = false;
		}
		mmio_write(q, pattern);
		val = mmio_read(q);
		if (val != pattern) {
			printf("# vram[0x%zx]: wrote 0x%016llx, read 0x%016llx\n",
			       offs[i], pattern, val);
			ok = false;
		}
		/* A narrower write must land in the same bytes. */
		mmio_write(&d[1], 0xfeedf00d);
		val = mmio_read(q);
		pattern = (pattern & 0xffffffffULL) | (0xfeedf00dULL << 32);
		if (val != pattern) {
			printf("# vram[0x%zx]: after a 32-bit write read 0x%016llx\n",
			       offs[i], val);
			ok = false;
		}
		mmio_write(q, 0);
	}
	verdict("vram_zero", zero);
	return verdict("vram", ok);
}

/*
 * Config-space fuzz from inside the guest: @iters random writes of 1, 2 or
 * 4 bytes at random (aligned) offsets of the device's config space, through
 * the guest kernel's sysfs "config" file, so through QEMU's vfio-pci and
 * VFIO into the host's emulation.  Then the header (command, BARs) is put
 * back and the device must still answer: MVGPU_REG_ID and the scratch
 * register through BAR0.  Seeded: the seed is printed, so a run replays.
 */
static void fuzz_config(const char *dir, uint32_t *mmio, unsigned int iters,
			unsigned int seed)
{
	uint8_t saved[64];
	char path[PATH_MAX];
	unsigned int i, writes = 0;
	uint32_t id;
	int fd;

	snprintf(path, sizeof(path), "%s/config", dir);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 || pread(fd, saved, sizeof(saved), 0) != sizeof(saved)) {
		printf("# cfgfuzz: %s: %s\n", path, strerror(errno));
		verdict("cfgfuzz", false);
		if (fd >= 0)
			close(fd);
		return;
	}
	srand(seed);
	for (i = 0; i < iters; i++) {
		unsigned int size = 1u << (rand() % 3);
		unsigned int off = (rand() % 4096) & ~(size - 1);
		uint32_t val = (uint32_t)rand() ^ ((uint32_t)rand() << 16);

		if (pwrite(fd, &val, size, off) == size)
			writes++;
	}
	/* The BARs and BIST..cache line, then the command register. */
	if (pwrite(fd, saved + 0x0c, 0x40 - 0x0c, 0x0c) != 0x40 - 0x0c ||
	    pwrite(fd, saved + 0x04, 2, 0x04) != 2)
		printf("# cfgfuzz: restoring the header: %s\n", strerror(errno));
	close(fd);

	id = reg_read(mmio, MVGPU_REG_ID);
	printf("cfgfuzz: iters=%u seed=%u writes=%u id_after=0x%08x scratch_after=%s\n",
	       iters, seed, writes, id, check_scratch(mmio));
	verdict("cfgfuzz", id == MVGPU_ID_MAGIC);
}

int main(int argc, char **argv)
{
	const char *devices = argc > 1 ? argv[1] : PEEK_DEVICES;
	const char *fuzz = getenv("MVGPU_PEEK_CFGFUZZ");
	const char *scratch, *vram_ok;
	char dir[PATH_MAX];
	uint32_t *mmio;
	size_t mmio_size, vram_size;
	uint32_t id, version, profile;
	unsigned long long vram_reg;
	long subsys;
	void *vram;
	int ret;

	ret = find_device(devices, dir);
	if (ret) {
		printf("mvgpu-peek: no device %04x:%04x under %s\n",
		       MVGPU_PCI_VENDOR_ID, MVGPU_PCI_DEVICE_ID, devices);
		return 2;
	}
	printf("device=%s\n", strrchr(dir, '/') + 1);

	ret = write_str(dir, "enable", "1");
	if (ret) {
		printf("mvgpu-peek: cannot enable %s: %s\n", dir, strerror(-ret));
		return 2;
	}

	mmio = map_resource(dir, MVGPU_BAR_MMIO, &mmio_size);
	vram = map_resource(dir, MVGPU_BAR_VRAM, &vram_size);
	if (!mmio || !vram) {
		printf("mvgpu-peek: cannot map the BARs of %s\n", dir);
		return 2;
	}
	printf("bar0_size=0x%zx\nbar2_size=0x%zx\n", mmio_size, vram_size);
	verdict("bar0_size_ok", mmio_size == MVGPU_MMIO_SIZE);

	id = reg_read(mmio, MVGPU_REG_ID);
	version = reg_read(mmio, MVGPU_REG_VERSION);
	profile = reg_read(mmio, MVGPU_REG_PROFILE);
	vram_reg = reg_read(mmio, MVGPU_REG_VRAM_SIZE_LO) |
		   (unsigned long long)reg_read(mmio, MVGPU_REG_VRAM_SIZE_HI) << 32;
	subsys = read_hex(dir, "subsystem_device");

	printf("id=0x%08x\n", id);
	printf("version=0x%08x\n", version);
	printf("features=0x%08x\n", reg_read(mmio, MVGPU_REG_FEATURES));
	printf("profile=0x%08x\n", profile);
	printf("subsystem_device=0x%04lx\n", subsys);
	printf("engines=%u\n", reg_read(mmio, MVGPU_REG_ENGINES));
	printf("vram_size=0x%llx\n", vram_reg);
	verdict("id_ok", id == MVGPU_ID_MAGIC);
	verdict("version_ok", version == MVGPU_VERSION);
	verdict("profile_ok", (profile & MVGPU_PROFILE_ID_MASK) == subsys);
	verdict("vram_size_ok", vram_reg == vram_size);

	scratch = check_scratch(mmio);
	vram_ok = check_vram(vram, vram_size);
	if (fuzz)
		fuzz_config(dir, mmio, strtoul(fuzz, NULL, 0),
			    (unsigned int)time(NULL));

	printf("mvgpu-peek: id=0x%08x version=0x%08x scratch=%s vram=%s result=%s\n",
	       id, version, scratch, vram_ok, failures ? "FAIL" : "PASS");
	return failures ? 1 : 0;
}
