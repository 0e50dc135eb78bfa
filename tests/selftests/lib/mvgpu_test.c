// SPDX-License-Identifier: GPL-2.0
/*
 * mvgpu selftest library.  See mvgpu_test.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/pci_regs.h>

#include "mvgpu_test.h"

uint64_t mvgpu_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ull + t.tv_nsec;
}

static const char *moddir(void)
{
	const char *dir = getenv("MVGPU_MODDIR");

	return dir ? dir : "/lib/mvgpu";
}

bool mvgpu_modules_in_dir(void)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/mvgpu.ko", moddir());
	return path_exists(path);
}

/*
 * modprobe [-n] NAME PARAMS...: 0, or the errno its message names ("could
 * not insert 'mvgpu_sim': Invalid argument"); -ENOENT for a module it
 * cannot find or no modprobe at all; -EIO for anything else.
 */
static int run_modprobe(const char *name, const char *params, bool dry_run)
{
	char args[256], out[1024], msg[128], *argv[16], *save, *tok;
	int pfd[2], status, argc = 0, e;
	ssize_t n, len = 0;
	pid_t pid;

	argv[argc++] = "modprobe";
	if (dry_run)
		argv[argc++] = "-n";
	argv[argc++] = (char *)name;
	snprintf(args, sizeof(args), "%s", params ? params : "");
	for (tok = strtok_r(args, " ", &save); tok && argc < 15;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;

	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		e = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return e;
	}
	if (!pid) {
		/* Its messages in English, as strerror() below. */
		setenv("LC_ALL", "C", 1);
		dup2(pfd[1], STDOUT_FILENO);
		dup2(pfd[1], STDERR_FILENO);
		execvp("modprobe", argv);
		execv("/usr/sbin/modprobe", argv);
		execv("/sbin/modprobe", argv);
		_exit(127);
	}
	close(pfd[1]);
	while (len < (ssize_t)sizeof(out) - 1 &&
	       (n = read(pfd[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += n;
	out[len] = '\0';
	close(pfd[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	if ((WIFEXITED(status) && WEXITSTATUS(status) == 127) ||
	    strstr(out, "not found"))
		return -ENOENT;
	for (e = 1; e < 134; e++) {
		snprintf(msg, sizeof(msg), ": %s\n", strerror(e));
		if (strstr(out, msg))
			return -e;
	}
	return -EIO;
}

int mvgpu_insmod(const char *name, const char *params)
{
	char path[PATH_MAX];
	int fd, ret = 0;

	if (!mvgpu_modules_in_dir())
		return run_modprobe(name, params, false);
	snprintf(path, sizeof(path), "%s/%s.ko", moddir(), name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, params ? params : "", 0))
		ret = -errno;
	close(fd);
	return ret;
}

int mvgpu_rmmod(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

bool mvgpu_module_loaded(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/module/%s/initstate", name);
	return path_exists(path);
}

/*
 * dma_cache_mb is a load-time parameter: the tests load mvgpu with
 * guest-memory pinning on (64 MiB) so that the pinned path is exercised,
 * unless MVGPU_TEST_PIN=0 (make check-debug: see scripts/check-debug.sh).
 */
static const char *mvgpu_pin_param(void)
{
	const char *env = getenv("MVGPU_TEST_PIN");

	return env && !strcmp(env, "0") ? NULL : "dma_cache_mb=64";
}

int mvgpu_load(const char *sim_params)
{
	int ret;

	if (mvgpu_backend_user())
		return mvgpu_user_load(sim_params);
	if (!mvgpu_module_loaded("mvgpu")) {
		ret = mvgpu_insmod("mvgpu", mvgpu_pin_param());
		if (ret)
			return ret;
	}
	if (!mvgpu_module_loaded("mvgpu_sim"))
		return mvgpu_insmod("mvgpu_sim", sim_params);
	return 0;
}

int mvgpu_unload(void)
{
	int ret;

	if (mvgpu_backend_user())
		return mvgpu_user_unload();
	mdev_remove_all();
	if (mvgpu_module_loaded("mvgpu_sim")) {
		ret = mvgpu_rmmod("mvgpu_sim");
		if (ret)
			return ret;
	}
	if (mvgpu_module_loaded("mvgpu"))
		return mvgpu_rmmod("mvgpu");
	return 0;
}

/* mvgpu's own vGPUs: those whose type is an mvgpu- type. */
static bool mdev_is_mvgpu(const char *uuid)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s/mdev_type", MDEV_BUS_DEVICES, uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	base = strrchr(link, '/');
	return !strncmp(base ? base + 1 : link, "mvgpu-", 6);
}

/* Count mvgpu's vGPUs, removing them if @remove; -errno on failure. */
static int mvgpu_mdevs(bool remove)
{
	struct dirent *de;
	int n = 0, ret = 0;
	DIR *d;

	d = opendir(MDEV_BUS_DEVICES);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !mdev_is_mvgpu(de->d_name))
			continue;
		n++;
		if (remove && mdev_remove(de->d_name))
			ret = -EIO;
	}
	closedir(d);
	return ret ? ret : n;
}

/* The pGPU is the default software pGPU: "" if so, else what it is. */
static const char *pgpu_not_default(char *buf, size_t len)
{
	char backend[32] = "?";
	uint64_t vram = 0, engines = 0;

	sysfs_read_str(MVGPU_SYSFS_CLASS "/mvgpu0/backend", backend,
		       sizeof(backend));
	sysfs_read_u64(MVGPU_SYSFS_CLASS "/mvgpu0/vram_bytes", &vram);
	sysfs_read_u64(MVGPU_SYSFS_CLASS "/mvgpu0/engines", &engines);
	if (!strcmp(backend, mvgpu_backend_user() ? "user" : "sim") &&
	    vram == 256ull << 20 && engines == 4)
		return "";
	snprintf(buf, len,
		 "mvgpu0 is not the default software pGPU (backend %s, %llu MiB, %llu engines): the tests need mvgpu_sim with vram_mb=256 engines=4",
		 backend, (unsigned long long)(vram >> 20),
		 (unsigned long long)engines);
	return buf;
}

/* The modules that hold mvgpu other than mvgpu_sim: "" if none. */
static const char *other_holders(char *buf, size_t len)
{
	struct dirent *de;
	DIR *d;

	buf[0] = '\0';
	d = opendir("/sys/module/mvgpu/holders");
	if (!d)
		return buf;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && strcmp(de->d_name, "mvgpu_sim"))
			snprintf(buf, len, "%.64s", de->d_name);
	closedir(d);
	return buf;
}

const char *mvgpu_host_skip(bool reload)
{
	static char why[320];
	char buf[256];
	uint64_t refcnt = 0;
	int ret;

	if (mvgpu_modules_in_dir())
		return NULL;
	if (geteuid())
		return "needs root";
	if (!mvgpu_module_loaded("mvgpu_sim") &&
	    path_exists(MVGPU_SYSFS_CLASS "/mvgpu0")) {
		sysfs_read_str(MVGPU_SYSFS_CLASS "/mvgpu0/backend", buf,
			       sizeof(buf));
		snprintf(why, sizeof(why),
			 "mvgpu0 is a pGPU of the %.32s backend: the tests need the software pGPU (mvgpu_sim) as mvgpu0",
			 buf);
		return why;
	}
	ret = mvgpu_mdevs(false);
	if (ret) {
		snprintf(why, sizeof(why),
			 "%d vGPU(s) of mvgpu exist already: the tests remove every vGPU they find, so they run only where there is none",
			 ret);
		return why;
	}
	ret = mvgpu_load(NULL);
	if (ret) {
		snprintf(why, sizeof(why), "cannot load mvgpu_sim here: %s",
			 ret == -ENOENT ? "mvgpu is not installed" :
			 strerror(-ret));
		return why;
	}
	if (*pgpu_not_default(why, sizeof(why)))
		return why;
	if (!reload)
		return NULL;
	sysfs_read_u64("/sys/module/mvgpu_sim/refcnt", &refcnt);
	if (refcnt) {
		snprintf(why, sizeof(why),
			 "mvgpu_sim is in use (refcnt %llu): this test unloads and reloads it",
			 (unsigned long long)refcnt);
		return why;
	}
	if (*other_holders(buf, sizeof(buf))) {
		snprintf(why, sizeof(why),
			 "%.64s uses mvgpu: this test unloads and reloads mvgpu",
			 buf);
		return why;
	}
	return NULL;
}

/* Whether mvgpu was loaded before the program started (on a host). */
static bool host_had_core;

static void host_unload(void)
{
	if (getenv("MVGPU_KEEP_MODULES"))
		return;
	mdev_remove_all();
	if (mvgpu_module_loaded("mvgpu_sim"))
		mvgpu_rmmod("mvgpu_sim");
	if (!host_had_core && mvgpu_module_loaded("mvgpu"))
		mvgpu_rmmod("mvgpu");
}

/* MVGPU_TEST_ONLY=a,b: run only the tests whose names contain a or b. */
bool mvgpu_test_selected(const char *name)
{
	const char *only = getenv("MVGPU_TEST_ONLY");
	char buf[256], *tok, *save;

	if (!only || !*only)
		return true;
	snprintf(buf, sizeof(buf), "%s", only);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		if (strstr(name, tok))
			return true;
	return false;
}

void mvgpu_host_preflight(void)
{
	const char *why = NULL;

	if (mvgpu_modules_in_dir())
		return;
	if (geteuid())
		why = "needs root";
	else if (!mvgpu_module_loaded("mvgpu_sim") &&
		 run_modprobe("mvgpu_sim", NULL, true) == -ENOENT)
		why = "mvgpu is not installed here (modprobe finds no mvgpu_sim)";
	if (why) {
		printf("TAP version 13\n1..0 # SKIP %s\n", why);
		fflush(stdout);
		exit(4);	/* KSFT_SKIP */
	}
	/* Leave the host as it was: unload what the tests loaded. */
	host_had_core = mvgpu_module_loaded("mvgpu");
	if (!mvgpu_module_loaded("mvgpu_sim"))
		atexit(host_unload);
}

int sysfs_read_str(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return 0;
}

int sysfs_read_u64(const char *path, uint64_t *val)
{
	char buf[64], *end;
	int ret;

	ret = sysfs_read_str(path, buf, sizeof(buf));
	if (ret)
		return ret;
	errno = 0;
	*val = strtoull(buf, &end, 0);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

int sysfs_write_str(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	return (size_t)n == len ? 0 : -EIO;
}

bool path_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

int mvgpu_pgpu_path(char *buf, size_t len)
{
	snprintf(buf, len, "%s/mvgpu0", MVGPU_SYSFS_CLASS);
	return path_exists(buf) ? 0 : -ENODEV;
}

#define TYPES_DIR "/sys/class/mdev_bus/mvgpu0/mdev_supported_types"

static int cmp_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

int mvgpu_type_names(char names[][64], int max)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir(TYPES_DIR);
	if (!d)
		return errno == ENOENT ? -ENODEV : -errno;
	while ((de = readdir(d)) && n < max) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(names[n++], 64, "%.63s", de->d_name);
	}
	closedir(d);
	qsort(names, n, 64, cmp_names);
	return n;
}

int mvgpu_type_path(const char *type, const char *attr, char *buf,
		    size_t len)
{
	if (!path_exists(TYPES_DIR))
		return -ENODEV;
	snprintf(buf, len, TYPES_DIR "/%s/%s", type, attr);
	return 0;
}

int mvgpu_type_available(const char *type, uint64_t *avail)
{
	char path[PATH_MAX];
	int ret;

	ret = mvgpu_type_path(type, "available_instances", path, sizeof(path));
	return ret ? ret : sysfs_read_u64(path, avail);
}

bool mvgpu_pin_cache(void)
{
	uint64_t mb = 0;

	return !sysfs_read_u64("/sys/module/mvgpu/parameters/dma_cache_mb",
			       &mb) && mb;
}

uint64_t mvgpu_vgpu_u64(const char *uuid, const char *attr)
{
	char path[PATH_MAX];
	uint64_t v = ~0ull;

	snprintf(path, sizeof(path), "%s/%s/%s", MDEV_BUS_DEVICES, uuid, attr);
	sysfs_read_u64(path, &v);
	return v;
}

void mvgpu_uuid_gen(char uuid[MVGPU_UUID_LEN])
{
	if (sysfs_read_str("/proc/sys/kernel/random/uuid", uuid,
			   MVGPU_UUID_LEN))
		snprintf(uuid, MVGPU_UUID_LEN,
			 "%08x-0000-4000-8000-%012x", rand(), rand());
}

int mdev_create(const char *type, const char *uuid)
{
	char path[PATH_MAX];
	int ret;

	ret = mvgpu_type_path(type, "create", path, sizeof(path));
	return ret ? ret : sysfs_write_str(path, uuid);
}

int mdev_remove(const char *uuid)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s/remove", MDEV_BUS_DEVICES, uuid);
	return sysfs_write_str(path, "1");
}

bool mdev_exists(const char *uuid)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", MDEV_BUS_DEVICES, uuid);
	return path_exists(path);
}

int mdev_remove_all(void)
{
	int ret = mvgpu_mdevs(true);

	return ret < 0 ? ret : 0;
}

static int mdev_group(const char *uuid)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s/iommu_group", MDEV_BUS_DEVICES,
		 uuid);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	base = strrchr(link, '/');
	return atoi(base ? base + 1 : link);
}

int vfio_dev_open(const char *uuid, struct vfio_dev *vd)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[64];
	int group, ret;

	*vd = (struct vfio_dev){ .container = -1, .group = -1, .device = -1 };

	group = mdev_group(uuid);
	if (group < 0)
		return group;

	vd->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (vd->container < 0)
		goto err;
	if (ioctl(vd->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
		errno = EINVAL;
		goto err;
	}
	if (ioctl(vd->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) <= 0) {
		errno = ENODEV;
		goto err;
	}

	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	vd->group = open(path, O_RDWR | O_CLOEXEC);
	if (vd->group < 0)
		goto err;
	if (ioctl(vd->group, VFIO_GROUP_GET_STATUS, &status))
		goto err;
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		errno = EBUSY;
		goto err;
	}
	if (ioctl(vd->group, VFIO_GROUP_SET_CONTAINER, &vd->container))
		goto err;
	if (ioctl(vd->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		goto err;

	vd->device = ioctl(vd->group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (vd->device < 0)
		goto err;
	return 0;

err:
	ret = -errno;
	vfio_dev_close(vd);
	return ret;
}

void vfio_dev_close(struct vfio_dev *vd)
{
	if (vd->device >= 0)
		close(vd->device);
	if (vd->group >= 0)
		close(vd->group);
	if (vd->container >= 0)
		close(vd->container);
	*vd = (struct vfio_dev){ .container = -1, .group = -1, .device = -1 };
}

int vfio_region_info(int device, unsigned int index,
		     struct vfio_region_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	return ioctl(device, VFIO_DEVICE_GET_REGION_INFO, info) ? -errno : 0;
}

ssize_t vfio_region_read(int device, unsigned int index, uint64_t off,
			 void *buf, size_t len)
{
	ssize_t n = pread(device, buf, len, MVGPU_REGION_OFFSET(index) + off);

	return n < 0 ? -errno : n;
}

ssize_t vfio_region_write(int device, unsigned int index, uint64_t off,
			  const void *buf, size_t len)
{
	ssize_t n = pwrite(device, buf, len, MVGPU_REGION_OFFSET(index) + off);

	return n < 0 ? -errno : n;
}

static int rw32(int device, unsigned int index, unsigned int off,
		uint32_t *val, bool write)
{
	ssize_t n;

	if (write)
		n = vfio_region_write(device, index, off, val, 4);
	else
		n = vfio_region_read(device, index, off, val, 4);
	if (n < 0)
		return n;
	return n == 4 ? 0 : -EIO;
}

int vfio_cfg_read32(int device, unsigned int off, uint32_t *val)
{
	return rw32(device, VFIO_PCI_CONFIG_REGION_INDEX, off, val, false);
}

int vfio_cfg_write32(int device, unsigned int off, uint32_t val)
{
	return rw32(device, VFIO_PCI_CONFIG_REGION_INDEX, off, &val, true);
}

int vfio_bus_master(int device, bool on)
{
	uint32_t cmd;
	int ret;

	ret = vfio_cfg_read32(device, PCI_COMMAND, &cmd);
	if (ret)
		return ret;
	/* The upper half is Status: writing 0 there clears nothing. */
	cmd &= 0xffff;
	if (on)
		cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	else
		cmd &= ~PCI_COMMAND_MASTER;
	return vfio_cfg_write32(device, PCI_COMMAND, cmd);
}

int vfio_mmio_read32(int device, unsigned int reg, uint32_t *val)
{
	return rw32(device, VFIO_PCI_BAR0_REGION_INDEX + MVGPU_BAR_MMIO, reg,
		    val, false);
}

int vfio_mmio_write32(int device, unsigned int reg, uint32_t val)
{
	return rw32(device, VFIO_PCI_BAR0_REGION_INDEX + MVGPU_BAR_MMIO, reg,
		    &val, true);
}

int vfio_set_irq_eventfd(int device, unsigned int index, int fd)
{
	struct {
		struct vfio_irq_set hdr;
		int32_t fd;
	} set = {
		.hdr = {
			.argsz = sizeof(set),
			.flags = VFIO_IRQ_SET_DATA_EVENTFD |
				 VFIO_IRQ_SET_ACTION_TRIGGER,
			.index = index,
			.start = 0,
			.count = 1,
		},
		.fd = fd,
	};

	return ioctl(device, VFIO_DEVICE_SET_IRQS, &set) ? -errno : 0;
}

int vfio_set_irq_action(int device, unsigned int index, uint32_t action)
{
	struct vfio_irq_set set = {
		.argsz = sizeof(set),
		.flags = VFIO_IRQ_SET_DATA_NONE | action,
		.index = index,
		.start = 0,
		.count = 1,
	};

	return ioctl(device, VFIO_DEVICE_SET_IRQS, &set) ? -errno : 0;
}

int eventfd_new(void)
{
	return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

uint64_t eventfd_wait(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint64_t val = 0;

	if (poll(&pfd, 1, timeout_ms) != 1)
		return 0;
	if (read(fd, &val, sizeof(val)) != sizeof(val))
		return 0;
	return val;
}

int mvgpu_ctx_queue_setup(struct mvgpu_ctx *c, unsigned int queue,
			  uint64_t ring, uint32_t ring_size, uint64_t qsa)
{
	unsigned int base = MVGPU_QUEUE_BASE(queue);
	int ret;

	c->queue = queue;
	c->ring = ring;
	c->ring_size = ring_size;
	c->qsa = qsa;
	c->tail = 0;
	c->seq = 0;
	/* (Tests also set up queues the device must refuse.) */
	if (qsa <= c->vram_size - sizeof(struct mvgpu_qsa))
		memset(c->vram + qsa, 0, sizeof(struct mvgpu_qsa));

	ret = vfio_mmio_write32(c->vd.device, base + MVGPU_QREG_CONTROL, 0);
	ret = ret ?: vfio_mmio_write32(c->vd.device, base + MVGPU_QREG_RING_LO,
				       (uint32_t)ring);
	ret = ret ?: vfio_mmio_write32(c->vd.device, base + MVGPU_QREG_RING_HI,
				       ring >> 32);
	ret = ret ?: vfio_mmio_write32(c->vd.device,
				       base + MVGPU_QREG_RING_SIZE, ring_size);
	ret = ret ?: vfio_mmio_write32(c->vd.device, base + MVGPU_QREG_QSA_LO,
				       (uint32_t)qsa);
	ret = ret ?: vfio_mmio_write32(c->vd.device, base + MVGPU_QREG_QSA_HI,
				       qsa >> 32);
	ret = ret ?: vfio_mmio_write32(c->vd.device, base + MVGPU_QREG_CONTROL,
				       MVGPU_QCTL_ENABLE);
	return ret;
}

int mvgpu_ctx_open(const char *uuid, struct mvgpu_ctx *c)
{
	struct vfio_region_info info;
	void *map;
	int ret;

	memset(c, 0, sizeof(*c));
	ret = vfio_dev_open(uuid, &c->vd);
	if (ret)
		return ret;
	/* As a driver does: guest-memory copies and MSIs need Bus Master. */
	ret = vfio_bus_master(c->vd.device, true);
	if (ret)
		goto err_close;
	ret = vfio_region_info(c->vd.device,
			       VFIO_PCI_BAR0_REGION_INDEX + MVGPU_BAR_VRAM, &info);
	if (ret)
		goto err_close;
	map = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   c->vd.device, info.offset);
	if (map == MAP_FAILED) {
		ret = -errno;
		goto err_close;
	}
	c->vram = map;
	c->vram_size = info.size;
	ret = mvgpu_ctx_queue_setup(c, 0, info.size - (1u << 20),
				    MVGPU_CTX_RING_SIZE, info.size - 4096);
	if (ret)
		goto err_unmap;
	return 0;

err_unmap:
	munmap(c->vram, c->vram_size);
err_close:
	vfio_dev_close(&c->vd);
	return ret;
}

void mvgpu_ctx_close(struct mvgpu_ctx *c)
{
	if (c->vram)
		munmap(c->vram, c->vram_size);
	c->vram = NULL;
	vfio_dev_close(&c->vd);
}

struct mvgpu_qsa *mvgpu_ctx_qsa(struct mvgpu_ctx *c)
{
	return (struct mvgpu_qsa *)(c->vram + c->qsa);
}

/*
 * The driver side of the submission protocol: copy commands in, publish
 * the tail, and ring the doorbell only if the device asks for it.
 */
int mvgpu_ctx_submit(struct mvgpu_ctx *c, const struct mvgpu_cmd *cmds,
		     unsigned int n)
{
	struct mvgpu_qsa *qsa = mvgpu_ctx_qsa(c);
	unsigned int i;
	int spins = 0;

	for (i = 0; i < n; i++) {
		uint32_t next = (c->tail + MVGPU_CMD_SIZE) & (c->ring_size - 1);

		/* Ring full: wait for the device to move on. */
		while (next == __atomic_load_n(&qsa->head, __ATOMIC_ACQUIRE)) {
			if (mvgpu_ctx_error(c, NULL))
				return -EIO;
			if (++spins > 2000000)
				return -ETIMEDOUT;
			sched_yield();
		}
		memcpy(c->vram + c->ring + c->tail, &cmds[i], MVGPU_CMD_SIZE);
		c->tail = next;
		/* Publish in batches, at least when the ring half fills up. */
		if (i + 1 == n || !(c->tail % (c->ring_size / 2))) {
			__atomic_store_n(&qsa->tail, c->tail, __ATOMIC_RELEASE);
			/* Pairs with the device's barrier (the manual). */
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			if (__atomic_load_n(&qsa->doorbell_needed,
					    __ATOMIC_RELAXED)) {
				c->doorbells++;
				if (vfio_mmio_write32(c->vd.device,
						      MVGPU_QUEUE_BASE(c->queue) +
						      MVGPU_QREG_DOORBELL, 1))
					return -EIO;
			}
		}
	}
	return 0;
}

uint64_t mvgpu_ctx_fence(struct mvgpu_ctx *c, uint32_t flags)
{
	struct mvgpu_cmd cmd = {
		.opcode = MVGPU_OP_FENCE,
		.flags = flags,
		.args = { ++c->seq },
	};

	return mvgpu_ctx_submit(c, &cmd, 1) ? 0 : c->seq;
}

int mvgpu_ctx_error(struct mvgpu_ctx *c, uint32_t *info)
{
	uint32_t status = 0, err = 0;

	if (vfio_mmio_read32(c->vd.device, MVGPU_REG_STATUS, &status))
		return -EIO;
	if (!(status & MVGPU_STATUS_ERROR))
		return 0;
	vfio_mmio_read32(c->vd.device, MVGPU_REG_ERROR, &err);
	if (info)
		vfio_mmio_read32(c->vd.device, MVGPU_REG_ERROR_INFO, info);
	return err;
}

int mvgpu_ctx_wait(struct mvgpu_ctx *c, uint64_t seq, int timeout_ms)
{
	struct mvgpu_qsa *qsa = mvgpu_ctx_qsa(c);
	struct timespec t0, t;
	unsigned int polls = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((int64_t)(__atomic_load_n(&qsa->fence, __ATOMIC_ACQUIRE) - seq) < 0) {
		if (!(++polls % 64)) {
			if (mvgpu_ctx_error(c, NULL))
				return -EIO;
			clock_gettime(CLOCK_MONOTONIC, &t);
			if ((t.tv_sec - t0.tv_sec) * 1000 +
			    (t.tv_nsec - t0.tv_nsec) / 1000000 > timeout_ms)
				return -ETIMEDOUT;
		}
		sched_yield();
	}
	return 0;
}

int mvgpu_ctx_dma_map(struct mvgpu_ctx *c, void *buf, size_t len,
		      uint64_t iova)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)buf,
		.iova = iova,
		.size = len,
	};

	return ioctl(c->vd.container, VFIO_IOMMU_MAP_DMA, &map) ? -errno : 0;
}

int mvgpu_ctx_dma_unmap(struct mvgpu_ctx *c, size_t len, uint64_t iova)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.iova = iova,
		.size = len,
	};

	return ioctl(c->vd.container, VFIO_IOMMU_UNMAP_DMA, &unmap) ? -errno : 0;
}
