// SPDX-License-Identifier: GPL-2.0
/*
 * vGPU interrupts: the VFIO IRQ indexes and the emulated interrupt line.
 *
 * VFIO index   count  use
 * INTx         1      device interrupt, level, AUTOMASKED like vfio-pci
 * MSI          1      device interrupt, one message per 0 -> 1 edge
 * MSI-X        0      (no MSI-X capability)
 * ERR          1      signalled when the vGPU enters its error state
 * REQ          1      the host asks the user to release the device
 *
 * IRQ_STATUS, IRQ_MASK and the error registers live under irq_lock, so
 * engines can raise interrupts without vgpu->lock.
 *
 * The device interrupt is asserted while IRQ_STATUS & IRQ_MASK is non-zero
 * (and, for INTx, the PCI command register does not disable INTx).  INTx
 * and MSI are exclusive, as on a physical function: enabling one while the
 * other has a trigger fails with -EINVAL.
 *
 * Interrupt moderation: every device interrupt costs the host an eventfd
 * signal and the hypervisor an injection, and a guest can ask for them as
 * fast as it can trap (IRQ_RAISE and IRQ_STATUS writes, a ring full of
 * FENCE + IRQ commands, INTx unmask loops).  So a vGPU sends device
 * interrupts (MSI messages or INTx assertions) at a sustained rate of at
 * most one per irq_moderation_us (T), with bursts of up to
 * MVGPU_IRQ_BURST: over any time t at most MVGPU_IRQ_BURST + t / T.
 * That is a generic cell rate algorithm: irq.tat is the theoretical
 * arrival time of the next interrupt, and one may go out once the clock
 * has reached tat - (MVGPU_IRQ_BURST - 1) * T.  An interrupt that is due
 * sooner is deferred, not dropped: irq.moderation fires at that time and
 * sends it if the interrupt is still asserted (and, for INTx, unmasked).
 * Its status bits stay set meanwhile, so the driver sees every event when
 * the message arrives; if the driver cleared them first, it has seen the
 * events and no message is owed.  ERR and REQ are host events, rare by
 * construction, and not moderated.
 *
 * Locking: vgpu->irq_lock (a spinlock, IRQ-safe: engines and the
 * moderation timer take it) protects struct mvgpu_irq, IRQ_STATUS,
 * IRQ_MASK, the error registers, vgpu->failed and the irq counters.  The
 * timer callback takes irq_lock, so hrtimer_cancel() is called only
 * without it, under vgpu->lock, after every source that could arm the
 * timer again is gone (mvgpu_irq_reset(), mvgpu_irq_teardown()).  The
 * timer only ever reads triggers under irq_lock, so it never signals an
 * eventfd whose context was released.
 */
#include <linux/eventfd.h>
#include <linux/hrtimer.h>
#include <linux/moduleparam.h>
#include <linux/pci_regs.h>
#include <linux/slab.h>

#include <uapi/linux/mvgpu.h>

#include "cfg.h"
#include "compat.h"
#include "irq.h"
#include "vgpu.h"

/* Upper bound of irq_moderation_us: 10 ms, i.e. at least 100 interrupts/s. */
#define MVGPU_IRQ_MODERATION_MAX_US	10000
/* Interrupts a vGPU may send back to back before moderation holds one. */
#define MVGPU_IRQ_BURST			8

static unsigned int mvgpu_irq_moderation_us = 50;
module_param_named(irq_moderation_us, mvgpu_irq_moderation_us, uint, 0644);
MODULE_PARM_DESC(irq_moderation_us,
		 "Interrupt moderation: after a burst of 8, one vGPU sends at most one device interrupt (MSI message or INTx assertion) per this many us; earlier ones are deferred and coalesced (default 50, at most 10000, 0 disables)");

/**
 * mvgpu_irq_info() - fill VFIO_DEVICE_GET_IRQ_INFO for one index
 * @vgpu: the vGPU.
 * @info: in: ->index; out: ->flags and ->count.
 *
 * Return: 0, or -EINVAL for an index >= VFIO_PCI_NUM_IRQS.
 */
int mvgpu_irq_info(struct mvgpu_vgpu *vgpu, struct vfio_irq_info *info)
{
	switch (info->index) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		info->count = 1;
		info->flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE |
			      VFIO_IRQ_INFO_AUTOMASKED;
		return 0;
	case VFIO_PCI_MSI_IRQ_INDEX:
	case VFIO_PCI_ERR_IRQ_INDEX:
	case VFIO_PCI_REQ_IRQ_INDEX:
		info->count = 1;
		break;
	case VFIO_PCI_MSIX_IRQ_INDEX:
		info->count = 0;
		break;
	default:
		return -EINVAL;
	}
	info->flags = VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE;
	return 0;
}

/* Signal @index's eventfd, if any.  Caller holds irq_lock. */
static void mvgpu_irq_fire(struct mvgpu_vgpu *vgpu, unsigned int index)
{
	lockdep_assert_held(&vgpu->irq_lock);

	if (vgpu->irq.trigger[index])
		mvgpu_eventfd_signal(vgpu->irq.trigger[index]);
}

/* The moderation interval T in ns; 0 when moderation is off. */
static u64 mvgpu_irq_interval_ns(void)
{
	return (u64)min(READ_ONCE(mvgpu_irq_moderation_us),
			MVGPU_IRQ_MODERATION_MAX_US) * NSEC_PER_USEC;
}

/* Send the device interrupt on the configured index.  irq_lock held. */
static void mvgpu_irq_send(struct mvgpu_vgpu *vgpu, ktime_t now)
{
	lockdep_assert_held(&vgpu->irq_lock);

	vgpu->irq.tat = ktime_add_ns(ktime_after(vgpu->irq.tat, now) ?
				     vgpu->irq.tat : now,
				     mvgpu_irq_interval_ns());
	mvgpu_irq_fire(vgpu, vgpu->irq.type);
	vgpu->stats.irqs++;
	if (vgpu->irq.type == VFIO_PCI_INTX_IRQ_INDEX)
		vgpu->irq.intx_masked = true;
}

/*
 * A device interrupt is due and none is deferred: send it now if the
 * moderation budget allows, else defer it to the moment it does.
 * irq_lock held.
 */
static void mvgpu_irq_deliver(struct mvgpu_vgpu *vgpu)
{
	u64 t = mvgpu_irq_interval_ns();
	ktime_t now = ktime_get();
	ktime_t earliest = ktime_sub_ns(vgpu->irq.tat,
					(MVGPU_IRQ_BURST - 1) * t);

	lockdep_assert_held(&vgpu->irq_lock);

	if (!t || !ktime_before(now, earliest)) {
		mvgpu_irq_send(vgpu, now);
		return;
	}
	vgpu->irq.deferred = true;
	vgpu->stats.irqs_coalesced++;
	hrtimer_start(&vgpu->irq.moderation, earliest, HRTIMER_MODE_ABS);
}

/*
 * Re-evaluate the device interrupt and deliver it.  Caller holds irq_lock.
 * The PCI command register is read without vgpu->lock: a racing write to
 * INTX_DISABLE is seen by the update that write itself triggers.
 *
 * While an interrupt is deferred, nothing is sent: an MSI edge merges into
 * the deferred message (and is counted), an INTx line stays unmasked for
 * the timer to assert.  Either way the work per call is O(1).
 */
static void __mvgpu_irq_update(struct mvgpu_vgpu *vgpu)
{
	bool pending = vgpu->regs.irq_status & vgpu->regs.irq_mask;

	lockdep_assert_held(&vgpu->irq_lock);

	switch (vgpu->irq.type) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		vgpu->irq.level = pending && !(mvgpu_cfg_command(vgpu) &
					       PCI_COMMAND_INTX_DISABLE);
		if (vgpu->irq.level && !vgpu->irq.intx_masked &&
		    !vgpu->irq.deferred)
			mvgpu_irq_deliver(vgpu);
		break;
	case VFIO_PCI_MSI_IRQ_INDEX:
		if (pending && !vgpu->irq.level) {
			if (vgpu->irq.deferred)
				vgpu->stats.irqs_coalesced++;
			else
				mvgpu_irq_deliver(vgpu);
		}
		vgpu->irq.level = pending;
		break;
	default:
		vgpu->irq.level = false;
		break;
	}
}

/*
 * irq.moderation expired: send the deferred interrupt if the device
 * interrupt is still asserted (for INTx: and unmasked).  If the driver
 * cleared or masked the status meanwhile, it has seen the events and no
 * message is owed.  Hard or soft interrupt context.
 */
static enum hrtimer_restart mvgpu_irq_moderation_fn(struct hrtimer *timer)
{
	struct mvgpu_vgpu *vgpu = container_of(timer, struct mvgpu_vgpu,
					       irq.moderation);
	unsigned long flags;
	ktime_t now;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	now = ktime_get();
	/*
	 * Not deferred: reset or teardown cleared it.  Too early: the timer
	 * was restarted while this callback waited for the lock; the new
	 * expiry sends it.
	 */
	if (!vgpu->irq.deferred ||
	    ktime_before(now, hrtimer_get_expires(timer)))
		goto out_unlock;
	vgpu->irq.deferred = false;
	switch (vgpu->irq.type) {
	case VFIO_PCI_INTX_IRQ_INDEX:
		if (vgpu->irq.level && !vgpu->irq.intx_masked)
			mvgpu_irq_send(vgpu, now);
		break;
	case VFIO_PCI_MSI_IRQ_INDEX:
		if (vgpu->irq.level)
			mvgpu_irq_send(vgpu, now);
		break;
	}
out_unlock:
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
	return HRTIMER_NORESTART;
}

/**
 * mvgpu_irq_init() - set up a new context's interrupt state
 * @vgpu: the zeroed context.
 */
void mvgpu_irq_init(struct mvgpu_vgpu *vgpu)
{
	spin_lock_init(&vgpu->irq_lock);
	vgpu->irq.type = VFIO_PCI_NUM_IRQS;
	mvgpu_hrtimer_setup(&vgpu->irq.moderation, mvgpu_irq_moderation_fn,
			    CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
}

/**
 * mvgpu_irq_reset() - forget any deferred interrupt (device reset)
 * @vgpu: the vGPU, with ->lock held and its queues stopped.
 *
 * Waits for a running timer callback.  The caller resets IRQ_STATUS, so
 * nothing is owed.
 */
void mvgpu_irq_reset(struct mvgpu_vgpu *vgpu)
{
	unsigned long flags;

	lockdep_assert_held(&vgpu->lock);

	/* Not under irq_lock: the callback takes it. */
	hrtimer_cancel(&vgpu->irq.moderation);

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	vgpu->irq.deferred = false;
	vgpu->irq.level = false;
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
}

/**
 * mvgpu_irq_update() - re-evaluate the device interrupt
 * @vgpu: the vGPU.
 *
 * Call after a change to the PCI command register or to the interrupt
 * configuration; register writes through mvgpu_irq_reg_write() and
 * mvgpu_irq_raise() update it themselves.
 */
void mvgpu_irq_update(struct mvgpu_vgpu *vgpu)
{
	unsigned long flags;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	__mvgpu_irq_update(vgpu);
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
}

/**
 * mvgpu_irq_raise() - set interrupt status bits, from any context
 * @vgpu: the vGPU.
 * @bits: MVGPU_IRQ_* bits.
 */
void mvgpu_irq_raise(struct mvgpu_vgpu *vgpu, u32 bits)
{
	unsigned long flags;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	vgpu->regs.irq_status |= bits;
	__mvgpu_irq_update(vgpu);
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
}

/**
 * mvgpu_irq_reg_read() - read an interrupt or error register
 * @vgpu: the vGPU.
 * @reg: MVGPU_REG_IRQ_STATUS, _IRQ_MASK, _ERROR or _ERROR_INFO.
 *
 * Return: the register's value.
 */
u32 mvgpu_irq_reg_read(struct mvgpu_vgpu *vgpu, unsigned int reg)
{
	unsigned long flags;
	u32 val = 0;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	switch (reg) {
	case MVGPU_REG_IRQ_STATUS:
		val = vgpu->regs.irq_status;
		break;
	case MVGPU_REG_IRQ_MASK:
		val = vgpu->regs.irq_mask;
		break;
	case MVGPU_REG_ERROR:
		val = vgpu->regs.error;
		break;
	case MVGPU_REG_ERROR_INFO:
		val = vgpu->regs.error_info;
		break;
	}
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
	return val;
}

/**
 * mvgpu_irq_reg_write() - write IRQ_STATUS (W1C), IRQ_MASK or IRQ_RAISE
 * @vgpu: the vGPU.
 * @reg: the register.
 * @val: the value written.
 */
void mvgpu_irq_reg_write(struct mvgpu_vgpu *vgpu, unsigned int reg, u32 val)
{
	unsigned long flags;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	switch (reg) {
	case MVGPU_REG_IRQ_STATUS:
		vgpu->regs.irq_status &= ~val;
		break;
	case MVGPU_REG_IRQ_MASK:
		vgpu->regs.irq_mask = val & MVGPU_IRQ_ALL;
		break;
	case MVGPU_REG_IRQ_RAISE:
		vgpu->regs.irq_status |= val & MVGPU_IRQ_SOFT;
		break;
	}
	__mvgpu_irq_update(vgpu);
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
}

/**
 * mvgpu_irq_intx_status() - the INTx Interrupt Status bit
 * @vgpu: the vGPU.
 *
 * Return: true while INTx is the device interrupt and the interrupt is
 * asserted, whether or not PCI_COMMAND_INTX_DISABLE holds the line down
 * (the PCI spec: Interrupt Disable has no effect on the status bit);
 * config space shows it as PCI_STATUS_INTERRUPT.
 */
bool mvgpu_irq_intx_status(struct mvgpu_vgpu *vgpu)
{
	unsigned long flags;
	bool status;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	status = vgpu->irq.type == VFIO_PCI_INTX_IRQ_INDEX &&
		 (vgpu->regs.irq_status & vgpu->regs.irq_mask);
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
	return status;
}

/**
 * mvgpu_vgpu_fail() - put a vGPU into its error state
 * @vgpu: the vGPU.
 * @error: enum mvgpu_error.
 * @info: MVGPU_REG_ERROR_INFO.
 *
 * The first error since reset is recorded; the vGPU's queues stop at their
 * next check, MVGPU_IRQ_ERROR is raised and the VFIO ERR eventfd
 * signalled.  Only a reset leaves the state.  Any context.
 */
void mvgpu_vgpu_fail(struct mvgpu_vgpu *vgpu, u32 error, u32 info)
{
	unsigned long flags;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	if (!vgpu->failed) {
		WRITE_ONCE(vgpu->failed, true);
		vgpu->regs.error = error;
		vgpu->regs.error_info = info;
		vgpu->regs.irq_status |= MVGPU_IRQ_ERROR;
		vgpu->stats.errors++;
		mvgpu_irq_fire(vgpu, VFIO_PCI_ERR_IRQ_INDEX);
		__mvgpu_irq_update(vgpu);
	}
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
	wake_up_all(&vgpu->fence_wq);
}

/**
 * mvgpu_vgpu_clear_error() - leave the error state (engine reset)
 * @vgpu: the vGPU, its queues stopped.
 */
void mvgpu_vgpu_clear_error(struct mvgpu_vgpu *vgpu)
{
	unsigned long flags;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	vgpu->regs.error = MVGPU_ERR_NONE;
	vgpu->regs.error_info = 0;
	WRITE_ONCE(vgpu->failed, false);
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
}

/**
 * mvgpu_irq_request() - vfio_device_ops.request: ask the user to let go
 * @vdev: the vGPU's VFIO device, being removed.
 * @count: how many times the core has asked so far.
 */
void mvgpu_irq_request(struct vfio_device *vdev, unsigned int count)
{
	struct mvgpu_vgpu *vgpu = vdev_to_vgpu(vdev);
	unsigned long flags;
	bool sent;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	sent = vgpu->irq.trigger[VFIO_PCI_REQ_IRQ_INDEX];
	mvgpu_irq_fire(vgpu, VFIO_PCI_REQ_IRQ_INDEX);
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);

	if (!sent && !count)
		dev_notice(vdev->dev,
			   "no request channel registered; removal waits until the user closes the device\n");
}

/* INTx and MSI carry the device interrupt; ERR and REQ are host events. */
static bool mvgpu_irq_is_device(unsigned int index)
{
	return index == VFIO_PCI_INTX_IRQ_INDEX ||
	       index == VFIO_PCI_MSI_IRQ_INDEX;
}

/* Stop the INTx unmask eventfd, if any; waits for a running callback. */
static void mvgpu_irq_intx_unmask_off(struct mvgpu_vgpu *vgpu)
{
#ifdef MVGPU_HAVE_VIRQFD
	lockdep_assert_held(&vgpu->lock);
	vfio_virqfd_disable(&vgpu->irq.intx_unmask);
#endif
}

/*
 * Install @fd (or nothing, for fd < 0) as @index's trigger.  Caller holds
 * vgpu->lock.
 */
static int mvgpu_irq_set_trigger(struct mvgpu_vgpu *vgpu, unsigned int index,
				 s32 fd)
{
	struct eventfd_ctx *ctx = NULL, *old;
	bool intx_off = false;
	unsigned long flags;

	lockdep_assert_held(&vgpu->lock);

	if (fd >= 0) {
		ctx = eventfd_ctx_fdget(fd);
		if (IS_ERR(ctx))
			return PTR_ERR(ctx);
	}

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	old = vgpu->irq.trigger[index];
	vgpu->irq.trigger[index] = ctx;
	if (ctx && mvgpu_irq_is_device(index)) {
		vgpu->irq.type = index;
	} else if (!ctx && vgpu->irq.type == index) {
		vgpu->irq.type = VFIO_PCI_NUM_IRQS;
		vgpu->irq.intx_masked = false;
		intx_off = index == VFIO_PCI_INTX_IRQ_INDEX;
	}
	__mvgpu_irq_update(vgpu);
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);

	if (intx_off)
		mvgpu_irq_intx_unmask_off(vgpu);
	if (old)
		eventfd_ctx_put(old);
	return 0;
}

static int mvgpu_irq_set_action_trigger(struct mvgpu_vgpu *vgpu,
					struct vfio_irq_set *hdr, void *data)
{
	unsigned int index = hdr->index;
	unsigned long flags;
	bool fire;

	/* Only DATA_NONE may come without a payload. */
	if (!hdr->count && !(hdr->flags & VFIO_IRQ_SET_DATA_NONE))
		return -EINVAL;

	/* INTx and MSI exclude each other, as on vfio-pci. */
	if (mvgpu_irq_is_device(index) &&
	    vgpu->irq.type != VFIO_PCI_NUM_IRQS && vgpu->irq.type != index)
		return -EINVAL;

	if (hdr->flags & VFIO_IRQ_SET_DATA_EVENTFD)
		return mvgpu_irq_set_trigger(vgpu, index, *(s32 *)data);

	/*
	 * DATA_NONE (count 0 disables, 1 loops back) needs a trigger to act
	 * on; so does a DATA_BOOL loopback on INTx or MSI, as on vfio-pci.
	 */
	if (!vgpu->irq.trigger[index] &&
	    (mvgpu_irq_is_device(index) ||
	     (hdr->flags & VFIO_IRQ_SET_DATA_NONE)))
		return -EINVAL;
	if (!hdr->count)
		return mvgpu_irq_set_trigger(vgpu, index, -1);

	/* DATA_NONE or DATA_BOOL: loopback trigger, as vfio-pci offers. */
	fire = (hdr->flags & VFIO_IRQ_SET_DATA_BOOL) ? *(u8 *)data : true;
	if (fire) {
		spin_lock_irqsave(&vgpu->irq_lock, flags);
		mvgpu_irq_fire(vgpu, index);
		spin_unlock_irqrestore(&vgpu->irq_lock, flags);
	}
	return 0;
}

/* Mask or unmask INTx; unmasking a still-asserted line fires it again. */
static void mvgpu_irq_intx_mask(struct mvgpu_vgpu *vgpu, bool mask)
{
	unsigned long flags;

	spin_lock_irqsave(&vgpu->irq_lock, flags);
	if (vgpu->irq.type == VFIO_PCI_INTX_IRQ_INDEX) {
		vgpu->irq.intx_masked = mask;
		__mvgpu_irq_update(vgpu);
	}
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
}

#ifdef MVGPU_HAVE_VIRQFD
/*
 * The unmask eventfd was signalled (vfio_virqfd's worker, process
 * context).  There is no handler for the wake-up itself: it runs under
 * the eventfd's wait-queue lock, and taking irq_lock there would invert
 * irq_lock -> eventfd, the order in which the trigger is signalled (and
 * deadlock outright if one eventfd is both trigger and unmask).
 */
static void mvgpu_irq_intx_unmask_fn(void *opaque, void *unused)
{
	mvgpu_irq_intx_mask(opaque, false);
}
#endif

/*
 * ACTION_UNMASK with DATA_EVENTFD: @fd >= 0 unmasks INTx each time it is
 * signalled, replacing an earlier one; a negative one stops that.  An fd
 * that is not an eventfd leaves the earlier one in place; a failure after
 * that check (out of memory, the fd closed meanwhile) leaves none.
 * Caller holds vgpu->lock and has checked that INTx is enabled.
 */
static int mvgpu_irq_set_intx_unmask_fd(struct mvgpu_vgpu *vgpu, s32 fd)
{
#ifdef MVGPU_HAVE_VIRQFD
	if (fd >= 0) {
		struct eventfd_ctx *ctx = eventfd_ctx_fdget(fd);

		if (IS_ERR(ctx))
			return PTR_ERR(ctx);
		eventfd_ctx_put(ctx);
	}
	mvgpu_irq_intx_unmask_off(vgpu);
	if (fd < 0)
		return 0;
	return vfio_virqfd_enable(vgpu, NULL, mvgpu_irq_intx_unmask_fn, NULL,
				  &vgpu->irq.intx_unmask, fd);
#else
	return -ENOTTY;
#endif
}

static int mvgpu_irq_set_intx_mask(struct mvgpu_vgpu *vgpu,
				   struct vfio_irq_set *hdr, void *data)
{
	bool mask = (hdr->flags & VFIO_IRQ_SET_ACTION_MASK) != 0;

	/*
	 * Only an enabled INTx has a mask: one set before would outlive the
	 * user that set it and silence the next one's line.
	 */
	if (vgpu->irq.type != VFIO_PCI_INTX_IRQ_INDEX || hdr->count != 1)
		return -EINVAL;
	if (hdr->flags & VFIO_IRQ_SET_DATA_EVENTFD)
		return mask ? -ENOTTY :
			      mvgpu_irq_set_intx_unmask_fd(vgpu, *(s32 *)data);
	if ((hdr->flags & VFIO_IRQ_SET_DATA_BOOL) && !*(u8 *)data)
		return 0;

	mvgpu_irq_intx_mask(vgpu, mask);
	return 0;
}

/**
 * mvgpu_irq_set() - apply a validated VFIO_DEVICE_SET_IRQS
 * @vgpu: the vGPU, with @vgpu->lock held.
 * @hdr: header checked by vfio_set_irqs_validate_and_prepare() against
 *	mvgpu_irq_info(): index exists, start + count within its count.
 * @data: hdr->count payload entries (s32 fds or u8 bools), or NULL.
 *
 * Return: 0; -EINVAL for a combination the index does not support, for
 * an eventfd or bool action without a payload (count 0), for any trigger
 * action on INTx while MSI is on (and vice versa), for DATA_NONE or a
 * loopback on an index without a trigger, or for masking INTx while it
 * is not enabled; -ENOTTY for masking a non-maskable index, masking
 * through an eventfd (or unmasking through one without vfio_virqfd), or
 * no single action; -EBADF/-EINVAL for an fd that is not an eventfd.
 */
int mvgpu_irq_set(struct mvgpu_vgpu *vgpu, struct vfio_irq_set *hdr,
		  void *data)
{
	lockdep_assert_held(&vgpu->lock);

	switch (hdr->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) {
	case VFIO_IRQ_SET_ACTION_TRIGGER:
		return mvgpu_irq_set_action_trigger(vgpu, hdr, data);
	case VFIO_IRQ_SET_ACTION_MASK:
	case VFIO_IRQ_SET_ACTION_UNMASK:
		if (hdr->index != VFIO_PCI_INTX_IRQ_INDEX)
			return -ENOTTY;
		return mvgpu_irq_set_intx_mask(vgpu, hdr, data);
	}
	return -ENOTTY;		/* no action, or more than one */
}

/**
 * mvgpu_irq_teardown() - drop every trigger; the user is going away
 * @vgpu: the vGPU, with @vgpu->lock held.
 */
void mvgpu_irq_teardown(struct mvgpu_vgpu *vgpu)
{
	unsigned long flags;
	unsigned int i;

	lockdep_assert_held(&vgpu->lock);

	for (i = 0; i < VFIO_PCI_NUM_IRQS; i++)
		mvgpu_irq_set_trigger(vgpu, i, -1);

	/*
	 * With no device trigger nothing arms the moderation timer again;
	 * wait for a pending one (not under irq_lock: the callback takes it),
	 * so none outlives the user that configured it.
	 */
	hrtimer_cancel(&vgpu->irq.moderation);
	spin_lock_irqsave(&vgpu->irq_lock, flags);
	vgpu->irq.deferred = false;
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
}
