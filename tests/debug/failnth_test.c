// SPDX-License-Identifier: GPL-2.0
/*
 * failnth_test - a systematic allocation-failure walk (make check-debug).
 *
 * For each operation below and N = 1, 2, ...: arm /proc/thread-self/fail-nth
 * with N, so that the N-th fault-injection point this thread reaches in the
 * kernel (slab allocations through failslab, order >= 1 page allocations
 * through fail_page_alloc) fails, run the operation once, and read the file
 * back: 0 means the failure was injected, non-zero means the operation
 * reached fewer than N points, which ends the walk for that operation.
 *
 * An injected failure must make the operation return an errno (or be
 * absorbed: the operation succeeds anyway), must leave no half-made state
 * behind, and the same operation must work again right after, without
 * injection.  Kernel splats, KASAN reports and leaks are caught by the VM
 * run around us (tests/vm/run-vm.sh, tests/debug/kmemleak_test.sh).
 *
 * Needs a kernel with CONFIG_FAULT_INJECTION_DEBUG_FS, CONFIG_FAILSLAB and
 * CONFIG_FAIL_PAGE_ALLOC (skips otherwise).  TAP output, one result per
 * operation.  $MVGPU_FAILNTH_MAX bounds N (default 2000).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/pci_regs.h>

#include "kselftest.h"
#include "mvgpu_test.h"

#define MMIO_INDEX	(VFIO_PCI_BAR0_REGION_INDEX + MVGPU_BAR_MMIO)
#define VRAM_INDEX	(VFIO_PCI_BAR0_REGION_INDEX + MVGPU_BAR_VRAM)
#define HOST_DEV	"/dev/mvgpu-host0"

/* Everything an operation works on; -1 / NULL when not held. */
struct walk {
	char type[64];
	char uuid[MVGPU_UUID_LEN];	/* the vGPU the device operations use */
	char uuid2[MVGPU_UUID_LEN];	/* one that mdev-create/-remove make */
	struct vfio_dev vd;		/* open on uuid for device operations */
	struct vfio_dev vd2;		/* vfio-open/-close */
	int efd;			/* eventfd for SET_IRQS */
	int pipe[2];			/* write(pipe, map): faults in the kernel */
	void *map;
	size_t map_len;
	int host;			/* HOST_DEV */
	struct mvgpu_ioc_alloc buf;	/* a buffer allocated on it */
};

/*
 * One operation.  setup() and teardown() run without injection around every
 * run(), which runs with it and returns 0 or a negative errno; teardown()
 * gets run()'s result and returns non-zero if it finds half-made state.
 */
struct op {
	const char *name;
	int (*setup)(struct walk *w);
	int (*run)(struct walk *w);
	int (*teardown)(struct walk *w, int ret);
};

static int nth_fd = -1;

static int nth_write(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(nth_fd, buf, len, 0) == len ? 0 : -errno;
}

/* Disarm fail-nth; true if the armed failure was injected. */
static bool nth_disarm(void)
{
	char buf[16] = "";
	ssize_t n = pread(nth_fd, buf, sizeof(buf) - 1, 0);

	nth_write(0);
	return n > 0 && strtoul(buf, NULL, 10) == 0;
}

static int write_file(const char *path, const char *val)
{
	return sysfs_write_str(path, val);
}

/* ---- mdev lifecycle ---- */

static int mdev2_new(struct walk *w)
{
	mvgpu_uuid_gen(w->uuid2);
	return 0;
}

static int mdev2_make(struct walk *w)
{
	mvgpu_uuid_gen(w->uuid2);
	return mdev_create(w->type, w->uuid2);
}

static int mdev2_create(struct walk *w)
{
	return mdev_create(w->type, w->uuid2);
}

static int mdev2_remove(struct walk *w)
{
	return mdev_remove(w->uuid2);
}

/* A failed create must not leave the device behind. */
static int mdev2_created(struct walk *w, int ret)
{
	bool exists = mdev_exists(w->uuid2);

	if (exists && mdev_remove(w->uuid2))
		return -EIO;
	return ret && exists ? -EEXIST : 0;
}

/* A successful remove must not leave it behind. */
static int mdev2_removed(struct walk *w, int ret)
{
	bool exists = mdev_exists(w->uuid2);

	if (exists && mdev_remove(w->uuid2))
		return -EIO;
	return !ret && exists ? -EEXIST : 0;
}

/* ---- the VFIO device file ---- */

static int vd2_open(struct walk *w)
{
	return vfio_dev_open(w->uuid, &w->vd2);
}

static int vd2_close(struct walk *w, int ret)
{
	vfio_dev_close(&w->vd2);
	return 0;
}

static int vd2_close_run(struct walk *w)
{
	vfio_dev_close(&w->vd2);
	return 0;
}

static int nothing(struct walk *w)
{
	return 0;
}

static int nothing_after(struct walk *w, int ret)
{
	return 0;
}

static int ioctl_ret(int fd, unsigned long req, void *arg)
{
	return ioctl(fd, req, arg) < 0 ? -errno : 0;
}

static int get_info(struct walk *w)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };

	return ioctl_ret(w->vd.device, VFIO_DEVICE_GET_INFO, &info);
}

/* Every region, with room for its capability chain. */
static int get_region_info(struct walk *w)
{
	static uint64_t buf[512];
	struct vfio_region_info *info = (void *)buf;
	unsigned int i;
	int ret;

	for (i = 0; i < VFIO_PCI_NUM_REGIONS; i++) {
		memset(buf, 0, sizeof(buf));
		info->argsz = sizeof(buf);
		info->index = i;
		ret = ioctl_ret(w->vd.device, VFIO_DEVICE_GET_REGION_INFO, info);
		if (ret)
			return ret;
	}
	return 0;
}

static int get_irq_info(struct walk *w)
{
	struct vfio_irq_info info;
	unsigned int i;
	int ret;

	for (i = 0; i < VFIO_PCI_NUM_IRQS; i++) {
		info = (struct vfio_irq_info){ .argsz = sizeof(info), .index = i };
		ret = ioctl_ret(w->vd.device, VFIO_DEVICE_GET_IRQ_INFO, &info);
		if (ret)
			return ret;
	}
	return 0;
}

/* An eventfd trigger on one IRQ index (INTx and MSI are exclusive). */
static int set_irq(struct walk *w, unsigned int index)
{
	return vfio_set_irq_eventfd(w->vd.device, index, w->efd);
}

static int set_intx(struct walk *w)
{
	return set_irq(w, VFIO_PCI_INTX_IRQ_INDEX);
}

static int set_msi(struct walk *w)
{
	return set_irq(w, VFIO_PCI_MSI_IRQ_INDEX);
}

static int set_err(struct walk *w)
{
	return set_irq(w, VFIO_PCI_ERR_IRQ_INDEX);
}

static int set_req(struct walk *w)
{
	return set_irq(w, VFIO_PCI_REQ_IRQ_INDEX);
}

/* Every trigger off again: DATA_NONE with count 0 disables an index. */
static int irqs_off(struct walk *w, int ret)
{
	struct vfio_irq_set set = {
		.argsz = sizeof(set),
		.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
	};

	for (set.index = 0; set.index < VFIO_PCI_NUM_IRQS; set.index++)
		ioctl(w->vd.device, VFIO_DEVICE_SET_IRQS, &set);
	return 0;
}

static int reset(struct walk *w)
{
	return ioctl(w->vd.device, VFIO_DEVICE_RESET) < 0 ? -errno : 0;
}

static int rw_ret(ssize_t n, size_t len)
{
	if (n < 0)
		return n;
	return (size_t)n == len ? 0 : -EIO;
}

/* Config space: the ID dword, and the command register written back. */
static int cfg_rw(struct walk *w)
{
	uint32_t id;
	uint16_t cmd;
	int ret;

	ret = rw_ret(vfio_region_read(w->vd.device, VFIO_PCI_CONFIG_REGION_INDEX,
				      0, &id, 4), 4);
	if (!ret)
		ret = rw_ret(vfio_region_read(w->vd.device,
					      VFIO_PCI_CONFIG_REGION_INDEX,
					      PCI_COMMAND, &cmd, 2), 2);
	if (!ret)
		ret = rw_ret(vfio_region_write(w->vd.device,
					       VFIO_PCI_CONFIG_REGION_INDEX,
					       PCI_COMMAND, &cmd, 2), 2);
	return ret;
}

static int mmio_rw(struct walk *w)
{
	uint32_t val;
	int ret = vfio_mmio_read32(w->vd.device, MVGPU_REG_ID, &val);

	return ret ? ret : vfio_mmio_write32(w->vd.device, MVGPU_REG_SCRATCH,
					     val);
}

static int vram_rw(struct walk *w)
{
	static char buf[4096];
	int ret;

	ret = rw_ret(vfio_region_read(w->vd.device, VRAM_INDEX, 0, buf,
				      sizeof(buf)), sizeof(buf));
	return ret ? ret : rw_ret(vfio_region_write(w->vd.device, VRAM_INDEX,
						    0, buf, sizeof(buf)),
				  sizeof(buf));
}

/*
 * mmap BAR2 and fault its first page in from the kernel (write() of the
 * mapping into a pipe): a failure there is an errno, where a fault in
 * userspace would be a signal.
 */
static int vram_mmap(struct walk *w)
{
	struct vfio_region_info info;
	void *map;
	int ret;

	ret = vfio_region_info(w->vd.device, VRAM_INDEX, &info);
	if (ret)
		return ret;
	map = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   w->vd.device, info.offset);
	if (map == MAP_FAILED)
		return -errno;
	w->map = map;
	w->map_len = info.size;
	return rw_ret(write(w->pipe[1], map, 64), 64);
}

static int vram_munmap(struct walk *w, int ret)
{
	char buf[64];

	if (w->map)
		munmap(w->map, w->map_len);
	w->map = NULL;
	while (read(w->pipe[0], buf, sizeof(buf)) > 0)
		;
	return 0;
}

/* ---- the host path, /dev/mvgpu-host0 ---- */

static int host_open(struct walk *w)
{
	w->host = open(HOST_DEV, O_RDWR | O_CLOEXEC);
	return w->host < 0 ? -errno : 0;
}

static int host_close(struct walk *w, int ret)
{
	if (w->host >= 0)
		close(w->host);
	w->host = -1;
	return 0;
}

static int host_info(struct walk *w)
{
	struct mvgpu_ioc_info info;

	return ioctl_ret(w->host, MVGPU_IOC_INFO, &info);
}

static int host_alloc(struct walk *w)
{
	w->buf = (struct mvgpu_ioc_alloc){ .size = 64 << 10 };
	return ioctl_ret(w->host, MVGPU_IOC_ALLOC, &w->buf);
}

static int host_open_alloc(struct walk *w)
{
	int ret = host_open(w);

	return ret ? ret : host_alloc(w);
}

static int host_free(struct walk *w)
{
	return ioctl_ret(w->host, MVGPU_IOC_FREE, &w->buf);
}

/* A FENCE after a NOP on queue 0, then waiting for it. */
static int host_submit_wait(struct walk *w)
{
	struct mvgpu_cmd cmd = { .opcode = MVGPU_OP_NOP };
	struct mvgpu_ioc_submit sub = {
		.cmds = (uintptr_t)&cmd,
		.count = 1,
	};
	struct mvgpu_ioc_wait wait = { .timeout_ms = 10000 };
	int ret;

	ret = ioctl_ret(w->host, MVGPU_IOC_SUBMIT, &sub);
	if (ret)
		return ret;
	wait.fence = sub.fence;
	return ioctl_ret(w->host, MVGPU_IOC_WAIT, &wait);
}

/* Operations on the VFIO device expect w->vd open; on the host, w->host. */
static const struct op mdev_ops[] = {
	{ "mdev-create", mdev2_new, mdev2_create, mdev2_created },
	{ "mdev-remove", mdev2_make, mdev2_remove, mdev2_removed },
	{ "vfio-open", nothing, vd2_open, vd2_close },
	{ "vfio-close", vd2_open, vd2_close_run, vd2_close },
};

static const struct op device_ops[] = {
	{ "GET_INFO", nothing, get_info, nothing_after },
	{ "GET_REGION_INFO", nothing, get_region_info, nothing_after },
	{ "GET_IRQ_INFO", nothing, get_irq_info, nothing_after },
	{ "SET_IRQS-INTx", nothing, set_intx, irqs_off },
	{ "SET_IRQS-MSI", nothing, set_msi, irqs_off },
	{ "SET_IRQS-ERR", nothing, set_err, irqs_off },
	{ "SET_IRQS-REQ", nothing, set_req, irqs_off },
	{ "RESET", nothing, reset, nothing_after },
	{ "config-rw", nothing, cfg_rw, nothing_after },
	{ "mmio-rw", nothing, mmio_rw, nothing_after },
	{ "vram-rw", nothing, vram_rw, nothing_after },
	{ "vram-mmap", nothing, vram_mmap, vram_munmap },
};

static const struct op host_ops[] = {
	{ "host-open", nothing, host_open, host_close },
	{ "host-INFO", host_open, host_info, host_close },
	{ "host-ALLOC", host_open, host_alloc, host_close },
	{ "host-FREE", host_open_alloc, host_free, host_close },
	{ "host-SUBMIT+WAIT", host_open, host_submit_wait, host_close },
};

static unsigned int max_n = 2000;

/* Walk one operation; one TAP result. */
static void walk_op(struct walk *w, const struct op *op)
{
	unsigned int n, failed_errno = 0, absorbed = 0;
	char why[160] = "";
	bool injected;
	int ret, r2;

	for (n = 1; n <= max_n; n++) {
		ret = op->setup(w);
		if (ret) {
			snprintf(why, sizeof(why), "N=%u: setup: %s", n,
				 strerror(-ret));
			break;
		}
		ret = nth_write(n);
		if (ret) {
			snprintf(why, sizeof(why), "arming fail-nth: %s",
				 strerror(-ret));
			break;
		}
		ret = op->run(w);
		injected = nth_disarm();
		r2 = op->teardown(w, ret);
		if (r2) {
			snprintf(why, sizeof(why),
				 "N=%u: run returned %d, then: %s", n, ret,
				 strerror(-r2));
			break;
		}
		if (!injected) {
			/* fewer than n points: the walk is complete */
			if (ret)
				snprintf(why, sizeof(why),
					 "fails without injection: %s",
					 strerror(-ret));
			break;
		}
		if (ret < -4095 || ret > 0) {
			snprintf(why, sizeof(why), "N=%u: returned %d", n, ret);
			break;
		}
		if (ret)
			failed_errno++;
		else
			absorbed++;
		/* still usable: the same operation without injection */
		ret = op->setup(w);
		if (!ret) {
			ret = op->run(w);
			r2 = op->teardown(w, ret);
			ret = ret ? ret : r2;
		}
		if (ret) {
			snprintf(why, sizeof(why),
				 "N=%u: afterwards, without injection: %s", n,
				 strerror(-ret));
			break;
		}
	}
	if (!why[0] && n > max_n)
		snprintf(why, sizeof(why), "more than %u points (MVGPU_FAILNTH_MAX)",
			 max_n);
	ksft_print_msg("%s: %u injection points: %u errno, %u absorbed\n",
		       op->name, n - 1, failed_errno, absorbed);
	if (why[0])
		ksft_test_result_fail("%s: %s\n", op->name, why);
	else
		ksft_test_result_pass("%s\n", op->name);
}

static void walk_ops(struct walk *w, const struct op *ops, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		walk_op(w, &ops[i]);
}

/* failslab and fail_page_alloc: sleeping allocations too, quietly. */
static int setup_failure_types(void)
{
	static const char * const types[] = { "failslab", "fail_page_alloc" };
	char path[PATH_MAX];
	unsigned int i;
	int ret;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/%s/ignore-gfp-wait",
			 types[i]);
		ret = write_file(path, "N");
		if (ret)
			return ret;
		snprintf(path, sizeof(path), "/sys/kernel/debug/%s/verbose",
			 types[i]);
		ret = write_file(path, "0");
		if (ret)
			return ret;
	}
	return 0;
}

/* Keep our own memory from faulting while armed (page faults inject too). */
static void prefault(void)
{
	char stack[256 << 10];

	memset(stack, 0, sizeof(stack));
	/* keep the compiler from dropping the memset */
	__asm__ __volatile__("" : : "r"(stack) : "memory");
	mlockall(MCL_CURRENT);
}

#define N_OPS(a)	((unsigned int)(sizeof(a) / sizeof((a)[0])))

int main(void)
{
	unsigned int plan = N_OPS(mdev_ops) + N_OPS(device_ops) +
			    N_OPS(host_ops);
	struct walk w = { .efd = -1, .host = -1, .pipe = { -1, -1 } };
	char names[16][64];
	const char *env;
	bool loaded;
	int ret;

	w.vd = (struct vfio_dev){ .container = -1, .group = -1, .device = -1 };
	w.vd2 = w.vd;
	ksft_print_header();
	if (geteuid())
		ksft_exit_skip("needs root\n");
	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (nth_fd < 0 || setup_failure_types())
		ksft_exit_skip("no fail-nth or failslab in this kernel\n");
	env = getenv("MVGPU_FAILNTH_MAX");
	if (env && atoi(env) > 0)
		max_n = atoi(env);

	loaded = mvgpu_module_loaded("mvgpu_sim");
	ret = mvgpu_load(NULL);
	if (ret)
		ksft_exit_fail_msg("loading the modules: %s\n", strerror(-ret));
	ret = mvgpu_type_names(names, 16);
	if (ret <= 0)
		ksft_exit_fail_msg("no vGPU types\n");
	snprintf(w.type, sizeof(w.type), "%s", names[0]);
	mvgpu_uuid_gen(w.uuid);
	ret = mdev_create(w.type, w.uuid);
	if (ret)
		ksft_exit_fail_msg("creating a %s: %s\n", w.type, strerror(-ret));
	w.efd = eventfd_new();
	if (w.efd < 0 || pipe2(w.pipe, O_NONBLOCK | O_CLOEXEC))
		ksft_exit_fail_msg("eventfd/pipe: %s\n", strerror(errno));
	ksft_print_msg("type %s, fail-nth up to %u\n", w.type, max_n);
	ksft_set_plan(plan);
	prefault();

	walk_ops(&w, mdev_ops, N_OPS(mdev_ops));

	ret = vfio_dev_open(w.uuid, &w.vd);
	if (ret) {
		ksft_print_msg("opening %s: %s\n", w.uuid, strerror(-ret));
		ksft_exit_fail();
	}
	walk_ops(&w, device_ops, N_OPS(device_ops));
	vfio_dev_close(&w.vd);

	if (path_exists(HOST_DEV)) {
		walk_ops(&w, host_ops, N_OPS(host_ops));
	} else {
		for (ret = 0; ret < (int)N_OPS(host_ops); ret++)
			ksft_test_result_skip("%s: no %s\n", host_ops[ret].name,
					      HOST_DEV);
	}

	mdev_remove(w.uuid);
	if (!loaded)
		mvgpu_unload();
	ksft_finished();
}
