/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvgpu core: internal structures shared by the files of mvgpu.ko.
 *
 * Object model
 *   struct mvgpu_pgpu     one physical GPU registered by a backend; a device
 *                         of class "mvgpu" and the mdev parent of its vGPUs.
 *   struct mvgpu_profile  one mdev type of a pGPU (a vGPU "size").
 *   struct mvgpu_vgpu     one mediated device; embeds its vfio_device.
 *
 * Lifetimes
 *   A pGPU lives from mvgpu_pgpu_register() to the release of its struct
 *   device; mdev_unregister_parent() in mvgpu_pgpu_unregister() removes
 *   every vGPU first, waiting for VFIO users to let go.  A vGPU's memory is
 *   the vfio_device's; resources taken in mvgpu_vgpu_init() are given back
 *   in mvgpu_vgpu_release(), in the reverse order.
 */
#ifndef _MVGPU_H
#define _MVGPU_H

#include <linux/bitmap.h>
#include <linux/device.h>
#include <linux/mdev.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/vfio.h>

#include <mvgpu/backend.h>
#include <uapi/linux/mvgpu.h>

#define MVGPU_NAME		"mvgpu"

/*
 * VFIO region offsets: the region index lives in bits 40 and up of the
 * file offset, as in vfio-pci, so a region may be up to 1 TiB.
 */
#define MVGPU_REGION_SHIFT	40
#define MVGPU_REGION_OFFSET(i)	((u64)(i) << MVGPU_REGION_SHIFT)
#define MVGPU_REGION_MASK	(MVGPU_REGION_OFFSET(1) - 1)

/**
 * enum mvgpu_profile_kind - how a profile gets its engine time
 * @MVGPU_PROFILE_TIMESLICED: shares the pGPU's engine pool by weight.
 * @MVGPU_PROFILE_PARTITIONED: owns dedicated engines; no other context
 *	ever runs on them.
 */
enum mvgpu_profile_kind {
	MVGPU_PROFILE_TIMESLICED,
	MVGPU_PROFILE_PARTITIONED,
};

/**
 * struct mvgpu_profile - one vGPU type of a pGPU
 * @mtype: the mdev core's view of the type.
 * @pgpu: the pGPU the type belongs to.
 * @sysfs_name: directory suffix, "ts-64m" or "part-1e-128m".
 * @pretty_name: the type's "name" attribute.
 * @id: profile number: PCI subsystem ID and MVGPU_REG_PROFILE bits 15:0.
 * @kind: time-sliced or partitioned.
 * @vram_units: VRAM slice in %MVGPU_VRAM_UNIT units, a power of two.
 * @engines: engines the vGPU owns (partitioned) or may use (time-sliced).
 */
struct mvgpu_profile {
	struct mdev_type mtype;
	struct mvgpu_pgpu *pgpu;
	char sysfs_name[24];
	char pretty_name[64];
	u16 id;
	enum mvgpu_profile_kind kind;
	unsigned int vram_units;
	unsigned int engines;
};

/**
 * struct mvgpu_pgpu - a physical GPU as the core sees it
 * @dev: our class device; parent of the mdev devices.
 * @parent: mdev parent state, owned by the mdev core.
 * @ops: backend operations.
 * @priv: backend private data.
 * @backend: backend name.
 * @id: index in the pGPU IDA; the device is named mvgpu<id>.
 * @vram_size: VRAM bytes managed by the core.
 * @vram_units: @vram_size in %MVGPU_VRAM_UNIT units.
 * @nr_engines: engines of the pGPU.
 * @profiles: the pGPU's types; @mtypes points into it for the mdev core.
 * @mtypes: array of @nr_profiles pointers for mdev_register_parent().
 * @nr_profiles: number of profiles.
 * @lock: see "Locking" below.
 * @vram_map: allocated VRAM units.
 * @engine_map: engines dedicated to partitioned vGPUs.
 * @nr_vgpus: vGPUs that hold resources.
 *
 * Locking: @lock protects @vram_map, @engine_map and @nr_vgpus.  It is a
 * leaf lock: nothing else is taken while it is held, and it is never taken
 * under a vGPU's locks.
 */
struct mvgpu_pgpu {
	struct device dev;
	struct mdev_parent parent;
	const struct mvgpu_pgpu_ops *ops;
	void *priv;
	const char *backend;
	int id;
	u64 vram_size;
	unsigned int vram_units;
	unsigned int nr_engines;
	struct mvgpu_profile *profiles;
	struct mdev_type **mtypes;
	unsigned int nr_profiles;

	struct mutex lock;		/* see "Locking" above */
	DECLARE_BITMAP(vram_map, MVGPU_MAX_VRAM_UNITS);
	DECLARE_BITMAP(engine_map, MVGPU_MAX_ENGINES);
	unsigned int nr_vgpus;
};

/**
 * struct mvgpu_regs - BAR0 register state that is not derived
 * @scratch: MVGPU_REG_SCRATCH.
 * @control: MVGPU_REG_CONTROL (only MVGPU_CONTROL_RW_MASK bits).
 * @error: MVGPU_REG_ERROR.
 * @error_info: MVGPU_REG_ERROR_INFO.
 * @irq_status: MVGPU_REG_IRQ_STATUS.
 * @irq_mask: MVGPU_REG_IRQ_MASK.
 */
struct mvgpu_regs {
	u32 scratch;
	u32 control;
	u32 error;
	u32 error_info;
	u32 irq_status;
	u32 irq_mask;
};

/**
 * struct mvgpu_irq - interrupt delivery state of a vGPU
 * @type: VFIO IRQ index in use for device interrupts (INTx or MSI), or
 *	VFIO_PCI_NUM_IRQS when none is configured.
 * @trigger: eventfd per VFIO IRQ index, NULL when not set.
 * @intx_masked: INTx masked through VFIO (AUTOMASKED semantics).
 * @level: the device interrupt as last evaluated: the INTx line, or the
 *	MSI edge detector's previous input.
 */
struct mvgpu_irq {
	unsigned int type;
	struct eventfd_ctx *trigger[VFIO_PCI_NUM_IRQS];
	bool intx_masked;
	bool level;
};

/**
 * struct mvgpu_vgpu - one mediated vGPU
 * @vdev: VFIO device; first member, as vfio_alloc_device() requires.
 * @pgpu: the pGPU the vGPU lives on.
 * @profile: its type.
 * @vram_base: offset of its VRAM slice in the pGPU's VRAM.
 * @vram_size: size of the slice, a power of two.
 * @engine_mask: engines dedicated to it (partitioned profiles), else 0.
 * @vram_flags: MVGPU_VRAM_* bits, atomic bitops (see vram.c).
 * @lock: see "Locking".
 * @cfg: emulated PCI configuration space.
 * @cfg_wmask: per-byte mask of guest-writable bits of @cfg.
 * @cfg_w1c: per-byte mask of write-1-to-clear bits of @cfg.
 * @regs: BAR0 register state.
 * @irq_lock: see "Locking".
 * @irq: interrupt state.
 *
 * Locking: @lock serialises every VFIO user access: region reads and
 * writes, ioctls, reset, open and close.  It protects @cfg, @regs and the
 * configuration half of @irq (@irq.type, which triggers are set).
 * @irq_lock (a spinlock, so interrupts can be raised from any context)
 * protects @irq against concurrent signalling.
 * Order: @lock, then @irq_lock.  pgpu->lock is never taken under either.
 */
struct mvgpu_vgpu {
	struct vfio_device vdev;
	struct mvgpu_pgpu *pgpu;
	const struct mvgpu_profile *profile;
	u64 vram_base;
	u64 vram_size;
	unsigned long engine_mask;
	unsigned long vram_flags;

	struct mutex lock;		/* see "Locking" above */
	u8 cfg[MVGPU_CFG_SIZE];
	u8 cfg_wmask[MVGPU_CFG_SIZE];
	u8 cfg_w1c[MVGPU_CFG_SIZE];
	struct mvgpu_regs regs;

	spinlock_t irq_lock;		/* see "Locking" above */
	struct mvgpu_irq irq;
};

/* vgpu->vram_flags bits */
#define MVGPU_VRAM_DIRTY	0	/* the slice may hold non-zero data */
#define MVGPU_VRAM_MAPPED	1	/* a VFIO user may have it mapped */

static inline struct mvgpu_vgpu *vdev_to_vgpu(struct vfio_device *vdev)
{
	return container_of(vdev, struct mvgpu_vgpu, vdev);
}

static inline struct mvgpu_pgpu *mtype_to_pgpu(struct mdev_type *mtype)
{
	return container_of(mtype->parent, struct mvgpu_pgpu, parent);
}

static inline struct mvgpu_profile *mtype_to_profile(struct mdev_type *mtype)
{
	return container_of(mtype, struct mvgpu_profile, mtype);
}

/* main.c */
extern struct class mvgpu_class;
extern struct mdev_driver mvgpu_mdev_driver;

/* profile.c */
int mvgpu_profiles_init(struct mvgpu_pgpu *pgpu);
void mvgpu_profiles_fini(struct mvgpu_pgpu *pgpu);
unsigned int mvgpu_profile_available(struct mdev_type *mtype);
ssize_t mvgpu_profile_description(struct mdev_type *mtype, char *buf);
int mvgpu_resources_reserve(struct mvgpu_vgpu *vgpu);
void mvgpu_resources_release(struct mvgpu_vgpu *vgpu);

/* sysfs.c */
extern const struct attribute_group *mvgpu_pgpu_groups[];
extern const struct attribute_group *mvgpu_vgpu_groups[];

/* vgpu.c */
extern const struct vfio_device_ops mvgpu_vfio_ops;
void mvgpu_vgpu_reset(struct mvgpu_vgpu *vgpu);

/* vfio_ops.c */
long mvgpu_vfio_ioctl(struct vfio_device *vdev, unsigned int cmd,
		      unsigned long arg);
ssize_t mvgpu_vfio_read(struct vfio_device *vdev, char __user *buf,
			size_t count, loff_t *ppos);
ssize_t mvgpu_vfio_write(struct vfio_device *vdev, const char __user *buf,
			 size_t count, loff_t *ppos);
int mvgpu_vfio_mmap(struct vfio_device *vdev, struct vm_area_struct *vma);
int mvgpu_region_info(struct mvgpu_vgpu *vgpu, struct vfio_region_info *info);

/* cfg.c */
void mvgpu_cfg_init(struct mvgpu_vgpu *vgpu);
void mvgpu_cfg_read(struct mvgpu_vgpu *vgpu, unsigned int off, u8 *buf,
		    unsigned int len);
void mvgpu_cfg_write(struct mvgpu_vgpu *vgpu, unsigned int off,
		     const u8 *buf, unsigned int len);
u16 mvgpu_cfg_command(struct mvgpu_vgpu *vgpu);

/* mmio.c */
void mvgpu_mmio_reset(struct mvgpu_vgpu *vgpu);
u32 mvgpu_mmio_read32(struct mvgpu_vgpu *vgpu, unsigned int reg);
void mvgpu_mmio_write32(struct mvgpu_vgpu *vgpu, unsigned int reg, u32 val);

/* irq.c */
int mvgpu_irq_info(struct mvgpu_vgpu *vgpu, struct vfio_irq_info *info);
int mvgpu_irq_set(struct mvgpu_vgpu *vgpu, struct vfio_irq_set *hdr,
		  void *data);
void mvgpu_irq_update(struct mvgpu_vgpu *vgpu);
void mvgpu_irq_signal_err(struct mvgpu_vgpu *vgpu);
void mvgpu_irq_request(struct vfio_device *vdev, unsigned int count);
void mvgpu_irq_teardown(struct mvgpu_vgpu *vgpu);

/* vram.c */
int mvgpu_vram_rw(struct mvgpu_vgpu *vgpu, char __user *ubuf, size_t count,
		  u64 off, bool write);
int mvgpu_vram_mmap(struct mvgpu_vgpu *vgpu, struct vm_area_struct *vma,
		    u64 off);
void mvgpu_vram_clear(struct mvgpu_vgpu *vgpu);
void mvgpu_vram_unmapped(struct mvgpu_vgpu *vgpu);

#endif /* _MVGPU_H */
