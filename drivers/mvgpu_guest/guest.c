// SPDX-License-Identifier: GPL-2.0
/*
 * mvgpu_guest: the in-guest driver of the mvgpu virtual GPU, written from
 * Documentation/mvgpu-device.rst.
 *
 * It binds the vGPU's PCI function, maps BAR0 (registers) and BAR2 (VRAM),
 * sets up every queue with its ring and queue shared area (QSA) at the top
 * of VRAM, and offers /dev/mvgpu<N> with the device-file uAPI of
 * include/uapi/linux/mvgpu.h -- the same one the host offers as
 * /dev/mvgpu-host<N>, so one program runs on both sides.
 *
 * Submission follows the manual: commands are written into the ring in
 * VRAM, qsa.tail is published, and the doorbell register (a trap) is
 * written only when the device set qsa.doorbell_needed.  Fences are
 * polled for a short while, then waited for with qsa.irq_wanted set and
 * the FENCE interrupt (MSI, or INTx) waking the waiter.
 *
 * Errors: when the device reports its error state, waiters get -EIO; the
 * driver recovers with an engine reset (CONTROL.QUEUE_RESET, VRAM kept)
 * once no client has the device open.
 *
 * Lifetime: struct mvgpu_guest is reference counted.  Probe holds one
 * reference, dropped at the end of remove(); every open file holds one,
 * dropped at its release.  So the structure outlives remove() for as long
 * as a file is open, but the hardware does not: remove() marks the device
 * gone, wakes every fence waiter, waits (SRCU) until no ioctl, mmap or
 * fault uses the hardware any more, zaps every user mapping of VRAM, and
 * only then frees the interrupt and unmaps the BARs.  From then on every
 * ioctl and mmap fails with -ENODEV and a touch of an old VRAM mapping gets
 * SIGBUS; the last close frees the structure.  VRAM reaches user space
 * page by page through a fault handler that checks the device is still
 * there, so no mapping can be set up behind remove()'s back.
 *
 * Locking, outermost first:
 *
 * - mvgpu_guest.srcu (read side): every path that touches the hardware
 *   (ioctls, mmap, VRAM faults, release) runs inside it and checks
 *   mvgpu_guest.gone first; remove() sets gone and waits for the readers
 *   with synchronize_srcu().  SRCU rather than a rwsem: an ioctl may fault
 *   on a VRAM mapping of its own device while it copies user memory, and
 *   the fault handler then nests a second read section, which SRCU allows
 *   with no lock order against mmap_lock.
 * - mvgpu_guest.lock (mutex): ring writes, fence sequence numbers
 *   (mvgpu_guest.submit), buffer allocation, the count of open files and
 *   recovery.  Taken inside the SRCU read side; mmap_lock (user copies)
 *   may be taken inside it.  Never held while waiting for the device: a
 *   submission that waits for ring space drops it (include/mvgpu/submit.h),
 *   so one client on a full ring holds up no other.
 * - mvgpu_guest.files_lock (mutex): the list of open files, whose mappings
 *   remove() zaps; i_mmap_rwsem (unmap_mapping_range()) nests inside it.
 *   Never held together with mvgpu_guest.lock.
 * - mvgpu_guest.waiters_lock (spinlock): the count of fence waiters per
 *   queue and the qsa.irq_wanted flag it drives, so that one waiter
 *   leaving does not disarm the interrupt another still sleeps on.
 *   Innermost; taken inside the SRCU read side, with or without
 *   mvgpu_guest.lock.
 *
 * The interrupt handler takes no lock: it only acknowledges the device and
 * wakes fence_wq.  Open needs no lock of ours to find the device:
 * misc_open() calls mvgpu_guest_open() under misc_mtx, which
 * misc_deregister() in remove() also takes, so an open either takes its
 * reference before remove() starts or does not find the device at all.
 */
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/srcu.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include <mvgpu/bufpool.h>
#include <mvgpu/guest_display.h>
#include <mvgpu/submit.h>
#include <uapi/linux/mvgpu.h>

#include "../mvgpu/compat.h"
#include "display.h"

#define MVGPU_GUEST_RING_SIZE	SZ_128K
#define MVGPU_GUEST_RESERVED	SZ_4M	/* rings + QSAs, top of VRAM */
/* Poll a fence this long before sleeping for its interrupt. */
#define MVGPU_GUEST_POLL_NS	(20 * NSEC_PER_USEC)
/* A submission waits at most this long at a time for ring space. */
#define MVGPU_GUEST_SPACE_TIMEOUT_MS	10000
/* A VRAM fault maps this many pages from the faulting one on. */
#define MVGPU_GUEST_FAULT_PAGES	16

static DEFINE_IDA(mvgpu_guest_ida);

/*
 * VRAM set aside for scanout buffers on a vGPU with a display engine, at
 * the top of the clients' window; at most half the window.
 */
static unsigned int display_mb = 16;
module_param(display_mb, uint, 0444);
MODULE_PARM_DESC(display_mb,
		 "MiB of VRAM for the display (mvgpu_guest_kms), at most half the clients' window; 0: no display (default 16)");

/**
 * struct mvgpu_guest - one vGPU
 * @ref: probe's reference and one per open file.
 * @srcu: read side around every use of the hardware; see the top of the file.
 * @gone: set by remove(): the hardware is no longer ours.
 * @pdev: its PCI function (valid while !@gone).
 * @regs: BAR0.
 * @vram: BAR2, mapped write-combining for ring writes.
 * @vram_phys: BAR2's bus address, for user mappings.
 * @vram_size: BAR2 size.
 * @window: bytes of VRAM offered to clients.
 * @disp_size: bytes of VRAM after @window set aside for the display.
 * @disp: the display's auxiliary device, or NULL.
 * @queues: MVGPU_REG_ENGINES.
 * @profile: MVGPU_REG_PROFILE.
 * @misc: /dev/mvgpu<id>.
 * @name: its name.
 * @id: instance number.
 * @lock: see the top of the file.
 * @bufs: buffers allocated in the window.
 * @submit: the rings as the shared submit path sees them: per queue our
 *	copy of qsa.tail and the last fence submitted (@lock).
 * @users: open files.
 * @fence_wq: woken by the FENCE and ERROR interrupts, and by remove().
 * @files_lock: see the top of the file.
 * @files: open files (struct mvgpu_guest_file), for remove() to zap their
 *	VRAM mappings.
 * @waiters_lock: see the top of the file.
 * @waiters: per queue, fence waiters asleep with qsa.irq_wanted set; the
 *	last one to leave clears it.
 */
struct mvgpu_guest {
	struct kref ref;
	struct srcu_struct srcu;
	bool gone;
	struct pci_dev *pdev;
	void __iomem *regs;
	void __iomem *vram;
	phys_addr_t vram_phys;
	u64 vram_size;
	u64 window;
	u64 disp_size;
	struct mvgpu_guest_disp *disp;
	unsigned int queues;
	u32 profile;
	struct miscdevice misc;
	char name[16];
	int id;
	struct mutex lock;	/* see the top of the file */
	struct mvgpu_bufpool bufs;
	struct mvgpu_submit submit;
	unsigned int users;
	wait_queue_head_t fence_wq;
	struct mutex files_lock;	/* see the top of the file */
	struct list_head files;
	spinlock_t waiters_lock;	/* see the top of the file */
	unsigned int waiters[MVGPU_MAX_QUEUES];
};

/**
 * struct mvgpu_guest_file - one open file of /dev/mvgpu<N>
 * @g: its device, referenced.
 * @mapping: where its VRAM mappings live, for unmap_mapping_range().
 * @node: in mvgpu_guest.files.
 */
struct mvgpu_guest_file {
	struct mvgpu_guest *g;
	struct address_space *mapping;
	struct list_head node;
};

static u64 mvgpu_guest_ring(struct mvgpu_guest *g, unsigned int q)
{
	return g->window + q * MVGPU_GUEST_RING_SIZE;
}

static u64 mvgpu_guest_qsa(struct mvgpu_guest *g, unsigned int q)
{
	return g->window + MVGPU_MAX_QUEUES * MVGPU_GUEST_RING_SIZE +
	       q * sizeof(struct mvgpu_qsa);
}

static void __iomem *mvgpu_guest_qsa_field(struct mvgpu_guest *g,
					   unsigned int q, size_t field)
{
	return g->vram + mvgpu_guest_qsa(g, q) + field;
}

static u32 mvgpu_guest_rd(struct mvgpu_guest *g, unsigned int reg)
{
	return readl(g->regs + reg);
}

static void mvgpu_guest_wr(struct mvgpu_guest *g, unsigned int reg, u32 val)
{
	writel(val, g->regs + reg);
}

static bool mvgpu_guest_failed(struct mvgpu_guest *g)
{
	return mvgpu_guest_rd(g, MVGPU_REG_STATUS) & MVGPU_STATUS_ERROR;
}

/* Program and enable every queue.  g->lock held or probe time. */
static void mvgpu_guest_queues_setup(struct mvgpu_guest *g)
{
	unsigned int q;

	for (q = 0; q < g->queues; q++) {
		unsigned int base = MVGPU_QUEUE_BASE(q);
		u64 ring = mvgpu_guest_ring(g, q), qsa = mvgpu_guest_qsa(g, q);

		memset_io(g->vram + qsa, 0, sizeof(struct mvgpu_qsa));
		mvgpu_guest_wr(g, base + MVGPU_QREG_CONTROL, 0);
		mvgpu_guest_wr(g, base + MVGPU_QREG_RING_LO, lower_32_bits(ring));
		mvgpu_guest_wr(g, base + MVGPU_QREG_RING_HI, upper_32_bits(ring));
		mvgpu_guest_wr(g, base + MVGPU_QREG_RING_SIZE,
			       MVGPU_GUEST_RING_SIZE);
		mvgpu_guest_wr(g, base + MVGPU_QREG_QSA_LO, lower_32_bits(qsa));
		mvgpu_guest_wr(g, base + MVGPU_QREG_QSA_HI, upper_32_bits(qsa));
		mvgpu_guest_wr(g, base + MVGPU_QREG_CONTROL, MVGPU_QCTL_ENABLE);
		g->submit.tail[q] = 0;
		g->submit.seq[q] = 0;
	}
}

/* Engine reset after an error; VRAM (the clients' data) is kept. */
static void mvgpu_guest_recover(struct mvgpu_guest *g)
{
	u32 err = mvgpu_guest_rd(g, MVGPU_REG_ERROR);

	dev_warn(&g->pdev->dev, "device error %u (info 0x%x): resetting engines\n",
		 err, mvgpu_guest_rd(g, MVGPU_REG_ERROR_INFO));
	mvgpu_guest_wr(g, MVGPU_REG_CONTROL,
		       MVGPU_CONTROL_ENABLE | MVGPU_CONTROL_QUEUE_RESET);
	mvgpu_guest_queues_setup(g);
}

static irqreturn_t mvgpu_guest_irq(int irq, void *data)
{
	struct mvgpu_guest *g = data;
	u32 status = mvgpu_guest_rd(g, MVGPU_REG_IRQ_STATUS);

	if (!status)
		return IRQ_NONE;
	mvgpu_guest_wr(g, MVGPU_REG_IRQ_STATUS, status);
	wake_up_all(&g->fence_wq);
	return IRQ_HANDLED;
}

static u64 mvgpu_guest_fence(struct mvgpu_guest *g, unsigned int q)
{
	return readq(mvgpu_guest_qsa_field(g, q,
					   offsetof(struct mvgpu_qsa, fence)));
}

static bool mvgpu_guest_done(struct mvgpu_guest *g, unsigned int q, u64 seq)
{
	return (s64)(mvgpu_guest_fence(g, q) - seq) >= 0;
}

/*
 * Wait for a fence: poll briefly (cheap when work is short), then arm the
 * interrupt through qsa.irq_wanted, re-check (closing the race with a
 * completion in between, as the manual asks), and sleep.  remove() ends
 * the sleep with -ENODEV.  Inside the SRCU read side.
 */
static int mvgpu_guest_wait_fence(struct mvgpu_guest *g, unsigned int q,
				  u64 seq, unsigned long timeout_ms)
{
	void __iomem *wanted = mvgpu_guest_qsa_field(g, q,
			offsetof(struct mvgpu_qsa, irq_wanted));
	u64 start = ktime_get_ns();
	long ret;

	while (ktime_get_ns() - start < MVGPU_GUEST_POLL_NS) {
		if (mvgpu_guest_done(g, q, seq))
			return 0;
		cpu_relax();
	}

	spin_lock(&g->waiters_lock);
	if (!g->waiters[q]++)
		writel(1, wanted);
	spin_unlock(&g->waiters_lock);
	mb();	/* irq_wanted visible before we look at the fence again */
	ret = wait_event_interruptible_timeout(g->fence_wq,
					       READ_ONCE(g->gone) ||
					       mvgpu_guest_done(g, q, seq) ||
					       mvgpu_guest_failed(g),
					       msecs_to_jiffies(timeout_ms));
	spin_lock(&g->waiters_lock);
	if (!--g->waiters[q])
		writel(0, wanted);
	spin_unlock(&g->waiters_lock);
	if (READ_ONCE(g->gone))
		return -ENODEV;
	if (mvgpu_guest_done(g, q, seq))
		return 0;
	if (mvgpu_guest_failed(g))
		return -EIO;
	return ret < 0 ? ret : -ETIMEDOUT;
}

/* The shared submit path's view of the device: struct mvgpu_submit_ops. */
static int mvgpu_guest_submit_check(void *dev)
{
	struct mvgpu_guest *g = dev;

	/* remove() may have begun while we waited for the lock. */
	if (READ_ONCE(g->gone))
		return -ENODEV;
	return mvgpu_guest_failed(g) ? -EIO : 0;
}

static u32 mvgpu_guest_head(void *dev, unsigned int q)
{
	return readl(mvgpu_guest_qsa_field(dev, q,
					   offsetof(struct mvgpu_qsa, head)));
}

static u64 mvgpu_guest_submit_fence(void *dev, unsigned int q)
{
	return mvgpu_guest_fence(dev, q);
}

static int mvgpu_guest_ring_write(void *dev, unsigned int q, u32 off,
				  const void *buf, u32 len)
{
	struct mvgpu_guest *g = dev;

	memcpy_toio(g->vram + mvgpu_guest_ring(g, q) + off, buf, len);
	return 0;
}

/* The manual's "Submission (driver)": tail, barrier, doorbell if asked. */
static int mvgpu_guest_publish(void *dev, unsigned int q, u32 tail)
{
	struct mvgpu_guest *g = dev;
	void __iomem *doorbell = mvgpu_guest_qsa_field(g, q,
			offsetof(struct mvgpu_qsa, doorbell_needed));

	wmb();	/* commands before the tail that publishes them */
	writel(tail, mvgpu_guest_qsa_field(g, q,
					   offsetof(struct mvgpu_qsa, tail)));
	mb();	/* tail before doorbell_needed: pairs with the device */
	if (readl(doorbell))
		mvgpu_guest_wr(g, MVGPU_QUEUE_BASE(q) + MVGPU_QREG_DOORBELL, 1);
	return 0;
}

static int mvgpu_guest_submit_wait(void *dev, unsigned int q, u64 seq,
				   unsigned int timeout_ms)
{
	return mvgpu_guest_wait_fence(dev, q, seq, timeout_ms);
}

static const struct mvgpu_submit_ops mvgpu_guest_submit_ops = {
	.check = mvgpu_guest_submit_check,
	.head = mvgpu_guest_head,
	.fence = mvgpu_guest_submit_fence,
	.write = mvgpu_guest_ring_write,
	.publish = mvgpu_guest_publish,
	.wait = mvgpu_guest_submit_wait,
};

static long mvgpu_guest_alloc(struct mvgpu_guest *g, void __user *arg,
			      bool alloc)
{
	long ret;

	mutex_lock(&g->lock);
	ret = mvgpu_bufpool_ioctl(&g->bufs, arg, alloc);
	mutex_unlock(&g->lock);
	return ret;
}

static struct mvgpu_guest *mvgpu_guest_from_file(struct file *file)
{
	struct mvgpu_guest_file *f = file->private_data;

	return f->g;
}

/* One ioctl on a present device, inside the SRCU read side. */
static long mvgpu_guest_do_ioctl(struct mvgpu_guest *g, unsigned int cmd,
				 void __user *uarg)
{
	struct mvgpu_ioc_info info = {};

	switch (cmd) {
	case MVGPU_IOC_INFO:
		info.version = mvgpu_guest_rd(g, MVGPU_REG_VERSION);
		info.features = mvgpu_guest_rd(g, MVGPU_REG_FEATURES);
		info.vram_size = g->window;
		info.queues = g->queues;
		info.profile = g->profile & MVGPU_PROFILE_ID_MASK;
		return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
	case MVGPU_IOC_ALLOC:
		return mvgpu_guest_alloc(g, uarg, true);
	case MVGPU_IOC_FREE:
		return mvgpu_guest_alloc(g, uarg, false);
	case MVGPU_IOC_SUBMIT:
		return mvgpu_submit_ioctl(&g->submit, uarg);
	case MVGPU_IOC_WAIT:
		return mvgpu_submit_wait_ioctl(&g->submit, uarg);
	}
	return -ENOTTY;
}

static long mvgpu_guest_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	struct mvgpu_guest *g = mvgpu_guest_from_file(file);
	long ret;
	int idx;

	idx = srcu_read_lock(&g->srcu);
	if (READ_ONCE(g->gone))
		ret = -ENODEV;
	else
		ret = mvgpu_guest_do_ioctl(g, cmd, (void __user *)arg);
	srcu_read_unlock(&g->srcu, idx);
	return ret;
}

/*
 * A fault on a VRAM mapping: map the page, and a few after it, unless
 * remove() has begun, which zaps every mapping once this has returned.
 */
static vm_fault_t mvgpu_guest_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mvgpu_guest *g = vma->vm_private_data;
	unsigned long addr = vmf->address & PAGE_MASK, end;
	vm_fault_t ret = VM_FAULT_SIGBUS;
	u64 off;
	int idx;

	end = min(vma->vm_end, addr + MVGPU_GUEST_FAULT_PAGES * PAGE_SIZE);
	idx = srcu_read_lock(&g->srcu);
	if (READ_ONCE(g->gone))
		goto out_unlock;
	for (; addr < end; addr += PAGE_SIZE) {
		off = ((u64)vma->vm_pgoff << PAGE_SHIFT) + addr - vma->vm_start;
		if (off >= g->window)
			break;
		ret = vmf_insert_pfn(vma, addr,
				     (g->vram_phys + off) >> PAGE_SHIFT);
		/* Only the faulting page has to be there. */
		if (ret != VM_FAULT_NOPAGE)
			break;
	}
	if (addr > (vmf->address & PAGE_MASK))
		ret = VM_FAULT_NOPAGE;
out_unlock:
	srcu_read_unlock(&g->srcu, idx);
	return ret;
}

static const struct vm_operations_struct mvgpu_guest_vm_ops = {
	.fault = mvgpu_guest_fault,
};

static int mvgpu_guest_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mvgpu_guest *g = mvgpu_guest_from_file(file);
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	u64 len = vma->vm_end - vma->vm_start;
	int idx, ret = 0;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (off >= g->window || len > g->window - off)
		return -EINVAL;
	idx = srcu_read_lock(&g->srcu);
	if (READ_ONCE(g->gone)) {
		ret = -ENODEV;
	} else {
		/* Nothing is mapped yet: mvgpu_guest_fault() does that. */
		vma->vm_page_prot = pgprot_writecombine(vma->vm_page_prot);
		mvgpu_vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND |
				   VM_DONTDUMP);
		vma->vm_ops = &mvgpu_guest_vm_ops;
		vma->vm_private_data = g;
	}
	srcu_read_unlock(&g->srcu, idx);
	return ret;
}

static void mvgpu_guest_free(struct kref *ref)
{
	struct mvgpu_guest *g = container_of(ref, struct mvgpu_guest, ref);

	cleanup_srcu_struct(&g->srcu);
	mutex_destroy(&g->files_lock);
	mutex_destroy(&g->lock);
	kfree(g);
}

static int mvgpu_guest_open(struct inode *inode, struct file *file)
{
	struct miscdevice *misc = file->private_data;
	struct mvgpu_guest *g = container_of(misc, struct mvgpu_guest, misc);
	struct mvgpu_guest_file *f;

	/* Under misc_mtx: remove() has not begun, g holds probe's reference. */
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	kref_get(&g->ref);
	f->g = g;
	f->mapping = file->f_mapping;

	mutex_lock(&g->files_lock);
	list_add(&f->node, &g->files);
	mutex_unlock(&g->files_lock);
	mutex_lock(&g->lock);
	g->users++;
	mutex_unlock(&g->lock);

	file->private_data = f;
	return nonseekable_open(inode, file);
}

static int mvgpu_guest_release(struct inode *inode, struct file *file)
{
	struct mvgpu_guest_file *f = file->private_data;
	struct mvgpu_guest *g = f->g;
	int idx;

	mutex_lock(&g->files_lock);
	list_del(&f->node);
	mutex_unlock(&g->files_lock);

	idx = srcu_read_lock(&g->srcu);
	mutex_lock(&g->lock);
	/* The last user gone, a failed device gets its engines back. */
	if (!--g->users && !READ_ONCE(g->gone) && mvgpu_guest_failed(g))
		mvgpu_guest_recover(g);
	mutex_unlock(&g->lock);
	srcu_read_unlock(&g->srcu, idx);

	kfree(f);
	kref_put(&g->ref, mvgpu_guest_free);
	return 0;
}

static const struct file_operations mvgpu_guest_fops = {
	.owner = THIS_MODULE,
	.open = mvgpu_guest_open,
	.release = mvgpu_guest_release,
	.unlocked_ioctl = mvgpu_guest_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = mvgpu_guest_mmap,
};

static int mvgpu_guest_check(struct mvgpu_guest *g)
{
	u32 version = mvgpu_guest_rd(g, MVGPU_REG_VERSION);

	if (mvgpu_guest_rd(g, MVGPU_REG_ID) != MVGPU_ID_MAGIC ||
	    version >> 16 != MVGPU_VERSION_MAJOR ||
	    !(mvgpu_guest_rd(g, MVGPU_REG_FEATURES) & MVGPU_FEAT_RING))
		return -ENODEV;
	g->queues = min(mvgpu_guest_rd(g, MVGPU_REG_ENGINES), MVGPU_MAX_QUEUES);
	g->profile = mvgpu_guest_rd(g, MVGPU_REG_PROFILE);
	if (!g->queues || g->vram_size < 2 * MVGPU_GUEST_RESERVED)
		return -ENODEV;
	g->window = g->vram_size - MVGPU_GUEST_RESERVED;
	g->submit.queues = g->queues;
	if (mvgpu_guest_rd(g, MVGPU_REG_FEATURES) & MVGPU_FEAT_DISPLAY) {
		g->disp_size = min_t(u64, (u64)display_mb << 20,
				     round_down(g->window / 2, SZ_1M));
		g->window -= g->disp_size;
	}
	return 0;
}

static struct mvgpu_guest *mvgpu_guest_alloc_dev(struct pci_dev *pdev)
{
	struct mvgpu_guest *g;

	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g)
		return NULL;
	if (init_srcu_struct(&g->srcu)) {
		kfree(g);
		return NULL;
	}
	kref_init(&g->ref);
	g->pdev = pdev;
	mutex_init(&g->lock);
	g->submit.ops = &mvgpu_guest_submit_ops;
	g->submit.dev = g;
	g->submit.lock = &g->lock;
	g->submit.ring_size = MVGPU_GUEST_RING_SIZE;
	g->submit.fence_flags = MVGPU_CMD_F_IRQ;
	g->submit.space_timeout_ms = MVGPU_GUEST_SPACE_TIMEOUT_MS;
	mutex_init(&g->files_lock);
	INIT_LIST_HEAD(&g->files);
	spin_lock_init(&g->waiters_lock);
	init_waitqueue_head(&g->fence_wq);
	return g;
}

static int mvgpu_guest_probe(struct pci_dev *pdev,
			     const struct pci_device_id *id)
{
	struct mvgpu_guest *g;
	int ret;

	g = mvgpu_guest_alloc_dev(pdev);
	if (!g)
		return -ENOMEM;

	ret = pci_enable_device_mem(pdev);
	if (ret)
		goto err_put;
	ret = pci_request_mem_regions(pdev, "mvgpu_guest");
	if (ret)
		goto err_disable;
	pci_set_master(pdev);
	g->regs = pci_iomap(pdev, MVGPU_BAR_MMIO, 0);
	if (!g->regs) {
		ret = -ENOMEM;
		goto err_release_regions;
	}
	g->vram_phys = pci_resource_start(pdev, MVGPU_BAR_VRAM);
	g->vram_size = pci_resource_len(pdev, MVGPU_BAR_VRAM);
	g->vram = ioremap_wc(g->vram_phys, g->vram_size);
	if (!g->vram) {
		ret = -ENOMEM;
		goto err_unmap_regs;
	}

	ret = mvgpu_guest_check(g);
	if (ret) {
		dev_err(&pdev->dev, "not an mvgpu device this driver knows\n");
		goto err_unmap_vram;
	}

	ret = mvgpu_bufpool_init(&g->bufs, g->window);
	if (ret)
		goto err_unmap_vram;

	/* One vector: MSI if we can, INTx otherwise. */
	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (ret < 0)
		goto err_fini_bufs;
	ret = request_irq(pci_irq_vector(pdev, 0), mvgpu_guest_irq,
			  IRQF_SHARED, "mvgpu_guest", g);
	if (ret)
		goto err_free_vectors;

	mvgpu_guest_wr(g, MVGPU_REG_CONTROL, MVGPU_CONTROL_RESET);
	mvgpu_guest_wr(g, MVGPU_REG_IRQ_MASK, MVGPU_IRQ_FENCE | MVGPU_IRQ_ERROR);
	mvgpu_guest_wr(g, MVGPU_REG_CONTROL, MVGPU_CONTROL_ENABLE);
	mvgpu_guest_queues_setup(g);

	ret = ida_alloc(&mvgpu_guest_ida, GFP_KERNEL);
	if (ret < 0)
		goto err_reset;
	g->id = ret;
	snprintf(g->name, sizeof(g->name), "mvgpu%d", g->id);
	g->misc.minor = MISC_DYNAMIC_MINOR;
	g->misc.name = g->name;
	g->misc.fops = &mvgpu_guest_fops;
	g->misc.parent = &pdev->dev;
	g->misc.mode = 0600;
	ret = misc_register(&g->misc);
	if (ret)
		goto err_free_id;
	pci_set_drvdata(pdev, g);

	/* Without its display the vGPU still computes: not fatal. */
	if (g->disp_size) {
		g->disp = mvgpu_guest_disp_add(pdev, g->id, g->regs,
					       g->vram_phys + g->window,
					       g->window, g->disp_size);
		if (IS_ERR(g->disp)) {
			dev_warn(&pdev->dev, "no display: %pe\n", g->disp);
			g->disp = NULL;
		}
	}

	dev_info(&pdev->dev, "%s: %llu MiB VRAM (%llu for the display), %u queues, profile 0x%04x, %s\n",
		 g->name, g->vram_size >> 20, g->disp ? g->disp_size >> 20 : 0,
		 g->queues, g->profile & MVGPU_PROFILE_ID_MASK,
		 pdev->msi_enabled ? "MSI" : "INTx");
	return 0;

err_free_id:
	ida_free(&mvgpu_guest_ida, g->id);
err_reset:
	mvgpu_guest_wr(g, MVGPU_REG_CONTROL, MVGPU_CONTROL_RESET);
	free_irq(pci_irq_vector(pdev, 0), g);
err_free_vectors:
	pci_free_irq_vectors(pdev);
err_fini_bufs:
	mvgpu_bufpool_fini(&g->bufs);
err_unmap_vram:
	iounmap(g->vram);
err_unmap_regs:
	pci_iounmap(pdev, g->regs);
err_release_regions:
	pci_clear_master(pdev);
	pci_release_mem_regions(pdev);
err_disable:
	pci_disable_device(pdev);
err_put:
	kref_put(&g->ref, mvgpu_guest_free);
	return ret;
}

/*
 * Unbind, hot-unplug or "remove" in sysfs, possibly with files open: take
 * the hardware away from them (see the top of the file), then undo probe.
 */
static void mvgpu_guest_remove(struct pci_dev *pdev)
{
	struct mvgpu_guest *g = pci_get_drvdata(pdev);
	struct mvgpu_guest_file *f;

	/* The KMS driver lets go of the display while the BARs are there. */
	mvgpu_guest_disp_del(g->disp);
	misc_deregister(&g->misc);

	WRITE_ONCE(g->gone, true);
	wake_up_all(&g->fence_wq);
	synchronize_srcu(&g->srcu);
	/* No fault can map VRAM again: zap what is mapped. */
	mutex_lock(&g->files_lock);
	list_for_each_entry(f, &g->files, node)
		unmap_mapping_range(f->mapping, 0, 0, 1);
	mutex_unlock(&g->files_lock);

	ida_free(&mvgpu_guest_ida, g->id);
	mvgpu_guest_wr(g, MVGPU_REG_CONTROL, MVGPU_CONTROL_RESET);
	free_irq(pci_irq_vector(pdev, 0), g);
	pci_free_irq_vectors(pdev);
	mvgpu_bufpool_fini(&g->bufs);
	iounmap(g->vram);
	pci_iounmap(pdev, g->regs);
	pci_clear_master(pdev);
	pci_release_mem_regions(pdev);
	pci_disable_device(pdev);
	kref_put(&g->ref, mvgpu_guest_free);
}

static const struct pci_device_id mvgpu_guest_ids[] = {
	{ PCI_DEVICE(MVGPU_PCI_VENDOR_ID, MVGPU_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, mvgpu_guest_ids);

static struct pci_driver mvgpu_guest_driver = {
	.name = "mvgpu_guest",
	.id_table = mvgpu_guest_ids,
	.probe = mvgpu_guest_probe,
	.remove = mvgpu_guest_remove,
};
module_pci_driver(mvgpu_guest_driver);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mvgpu_guest: driver for the mvgpu virtual GPU inside a guest");
MODULE_AUTHOR("The mvgpu authors");
