/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvgpu selftest library: module loading, mdev sysfs, and a minimal VFIO
 * client (type1 container, group, device fd) for mediated vGPUs.
 *
 * Functions return 0 or a negative errno, so tests can assert the exact
 * error the kernel gave.
 */
#ifndef _MVGPU_TEST_H
#define _MVGPU_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/vfio.h>
#include <linux/mvgpu.h>

#define MVGPU_SYSFS_CLASS	"/sys/class/mvgpu"
#define MDEV_BUS_DEVICES	"/sys/bus/mdev/devices"
#define MVGPU_UUID_LEN		37	/* 36 characters and NUL */
#define MVGPU_REGION_OFFSET(i)	((uint64_t)(i) << 40)

/* CLOCK_MONOTONIC in ns, the clock of MVGPU_OP_TIMESTAMP. */
uint64_t mvgpu_now_ns(void);

/*
 * Modules.  The VM harness puts mvgpu*.ko in $MVGPU_MODDIR (default
 * /lib/mvgpu) and the tests insmod them from there.  On a host where mvgpu
 * is installed (packages, DKMS, make install) that directory holds no
 * mvgpu.ko: the tests then load the installed modules with modprobe, and
 * check first that the host can give them what they need (see
 * mvgpu_host_skip()).  Unloading is delete_module() either way, as rmmod.
 */
bool mvgpu_modules_in_dir(void);
int mvgpu_insmod(const char *name, const char *params);
int mvgpu_rmmod(const char *name);
bool mvgpu_module_loaded(const char *name);
int mvgpu_load(const char *sim_params);
int mvgpu_unload(void);

/*
 * MVGPU_BACKEND=user: the pGPU is mvgpu_user's, served by mvgpu-engined
 * (user_backend.c); mvgpu_load() and mvgpu_unload() then start and stop
 * the server too.  Its parameters: vram_mb= and engines= as mvgpu_sim's.
 */
bool mvgpu_backend_user(void);
int mvgpu_user_load(const char *params);
int mvgpu_user_unload(void);
int mvgpu_user_server_start(unsigned int vram_mb, unsigned int engines);
int mvgpu_user_server_stop(int sig);
pid_t mvgpu_user_server_pid(void);
int mvgpu_user_remove(void);

/*
 * On a host (no mvgpu.ko in $MVGPU_MODDIR): why a test cannot run here, or
 * NULL.  The tests assume the software pGPU as mvgpu0 with its defaults
 * (mvgpu_sim, 256 MiB, 4 engines), loaded or loadable, and no other
 * mediated device: they remove every vGPU they find.  @reload: the test
 * also unloads and reloads the modules, which a module in use forbids.
 * Loads the modules if they are not loaded.  Always NULL in the VM harness.
 */
const char *mvgpu_host_skip(bool reload);

/*
 * Called first in main(): on a host where the tests cannot run at all
 * (not root, mvgpu not installed), print a TAP plan that skips the whole
 * program and exit with KSFT_SKIP (4).
 */
void mvgpu_host_preflight(void);

/*
 * Whether the test called @name runs: MVGPU_TEST_ONLY=a,b selects the
 * tests whose names contain a or b; unset or empty selects every test.
 */
bool mvgpu_test_selected(const char *name);

/*
 * MVGPU_HOST_CHECK(reload), first in a FIXTURE_SETUP or TEST: skip the
 * test where mvgpu_host_skip() gives a reason.  6.1's harness runs the
 * test body and teardown after a SKIP in FIXTURE_SETUP, and those remove
 * vGPUs and unload modules; so the skip leaves through the harness's own
 * jump out of the test (what a failed ASSERT uses), which runs neither.
 */
#define MVGPU_HOST_CHECK(reload) do {					\
	const char *why_ = mvgpu_host_skip(reload);			\
									\
	if (why_)							\
		SKIP(longjmp(_metadata->env, 1), "%s", why_);		\
} while (0)

/* sysfs helpers. */
int sysfs_read_str(const char *path, char *buf, size_t len);
int sysfs_read_u64(const char *path, uint64_t *val);
int sysfs_write_str(const char *path, const char *val);
bool path_exists(const char *path);

/* pGPU and types.  The first pGPU is mvgpu0. */
int mvgpu_pgpu_path(char *buf, size_t len);
int mvgpu_type_names(char names[][64], int max);
int mvgpu_type_path(const char *type, const char *attr, char *buf,
		    size_t len);
int mvgpu_type_available(const char *type, uint64_t *avail);

/* mdev lifecycle. */
void mvgpu_uuid_gen(char uuid[MVGPU_UUID_LEN]);
/*
 * Is mvgpu's guest-memory pinning (dma_cache_mb, load time only) on?
 * mvgpu_load() loads mvgpu with dma_cache_mb=64 unless MVGPU_TEST_PIN=0
 * is in the environment; installed modules keep their own setting.
 */
bool mvgpu_pin_cache(void);
/* A vGPU's numeric attribute ("mvgpu_stats/irqs"), ~0 if unreadable. */
uint64_t mvgpu_vgpu_u64(const char *uuid, const char *attr);
int mdev_create(const char *type, const char *uuid);
int mdev_remove(const char *uuid);
bool mdev_exists(const char *uuid);
int mdev_remove_all(void);

/* VFIO client. */
struct vfio_dev {
	int container;
	int group;
	int device;
};

int vfio_dev_open(const char *uuid, struct vfio_dev *vd);
void vfio_dev_close(struct vfio_dev *vd);
int vfio_region_info(int device, unsigned int index,
		     struct vfio_region_info *info);
ssize_t vfio_region_read(int device, unsigned int index, uint64_t off,
			 void *buf, size_t len);
ssize_t vfio_region_write(int device, unsigned int index, uint64_t off,
			  const void *buf, size_t len);
int vfio_cfg_read32(int device, unsigned int off, uint32_t *val);
int vfio_cfg_write32(int device, unsigned int off, uint32_t val);
/*
 * Set Memory Space and Bus Master Enable in PCI_COMMAND (@on), or clear
 * Bus Master; the other bits are kept.  mvgpu_ctx_open() sets them.
 */
int vfio_bus_master(int device, bool on);
int vfio_mmio_read32(int device, unsigned int reg, uint32_t *val);
int vfio_mmio_write32(int device, unsigned int reg, uint32_t val);
int vfio_set_irq_eventfd(int device, unsigned int index, int fd);
int vfio_set_irq_action(int device, unsigned int index, uint32_t action);

/*
 * A vGPU opened for command submission: Bus Master on, BAR2 mapped, one
 * queue set up.
 * The test's VRAM layout: data from 0, the ring in the last MiB but one
 * 64 KiB, the QSA in the last page (see mvgpu_ctx_open()).
 */
struct mvgpu_ctx {
	struct vfio_dev vd;
	uint8_t *vram;			/* BAR2, mapped shared */
	uint64_t vram_size;
	unsigned int queue;
	uint64_t ring;			/* ring offset in VRAM */
	uint32_t ring_size;
	uint64_t qsa;			/* QSA offset in VRAM */
	uint32_t tail;			/* our copy of qsa.tail */
	uint64_t seq;			/* last fence value emitted */
	uint64_t doorbells;		/* doorbells we rang */
};

#define MVGPU_CTX_RING_SIZE	(64u << 10)

int mvgpu_ctx_open(const char *uuid, struct mvgpu_ctx *c);
void mvgpu_ctx_close(struct mvgpu_ctx *c);
int mvgpu_ctx_queue_setup(struct mvgpu_ctx *c, unsigned int queue,
			  uint64_t ring, uint32_t ring_size, uint64_t qsa);
struct mvgpu_qsa *mvgpu_ctx_qsa(struct mvgpu_ctx *c);
int mvgpu_ctx_submit(struct mvgpu_ctx *c, const struct mvgpu_cmd *cmds,
		     unsigned int n);
uint64_t mvgpu_ctx_fence(struct mvgpu_ctx *c, uint32_t flags);
int mvgpu_ctx_wait(struct mvgpu_ctx *c, uint64_t seq, int timeout_ms);
int mvgpu_ctx_error(struct mvgpu_ctx *c, uint32_t *info);
int mvgpu_ctx_dma_map(struct mvgpu_ctx *c, void *buf, size_t len,
		      uint64_t iova);
int mvgpu_ctx_dma_unmap(struct mvgpu_ctx *c, size_t len, uint64_t iova);

/* eventfd helpers: counter value, or 0 after @timeout_ms without one. */
int eventfd_new(void);
uint64_t eventfd_wait(int fd, int timeout_ms);

#endif /* _MVGPU_TEST_H */
