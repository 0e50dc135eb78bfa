/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvgpu core: a vGPU's interrupts, its error state and their VFIO
 * interface (irq.c).
 */
#ifndef _MVGPU_IRQ_H
#define _MVGPU_IRQ_H

#include <linux/hrtimer.h>
#include <linux/types.h>
#include <linux/vfio.h>

struct eventfd_ctx;
struct mvgpu_vgpu;
struct virqfd;

/**
 * struct mvgpu_irq - interrupt delivery state of a vGPU
 * @type: VFIO IRQ index in use for device interrupts (INTx or MSI), or
 *	VFIO_PCI_NUM_IRQS when none is configured.
 * @trigger: eventfd per VFIO IRQ index, NULL when not set.
 * @intx_masked: INTx masked through VFIO (AUTOMASKED semantics).
 * @intx_unmask: the eventfd that unmasks INTx when signalled, or NULL;
 *	owned by vfio_virqfd, which clears it under its own lock (also
 *	when the user closes the eventfd).  mvgpu enables and disables it
 *	with vgpu->lock held, only while INTx is enabled, and never reads
 *	it.
 * @level: the device interrupt as last evaluated: the INTx line, or the
 *	MSI edge detector's previous input.
 * @moderation: sends a device interrupt that interrupt moderation held
 *	back (irq.c); armed only while @deferred is set.
 * @tat: moderation's theoretical arrival time of the next device
 *	interrupt (CLOCK_MONOTONIC; see irq.c).
 * @deferred: a device interrupt is due and waits for @moderation.
 *
 * All fields but @intx_unmask are protected by vgpu->irq_lock;
 * @moderation's callback takes it, so the timer is never cancelled under
 * it.  @type and @trigger change with vgpu->lock held as well, so a
 * holder of either lock may read them.
 */
struct mvgpu_irq {
	unsigned int type;
	struct eventfd_ctx *trigger[VFIO_PCI_NUM_IRQS];
	bool intx_masked;
	struct virqfd *intx_unmask;
	bool level;
	struct hrtimer moderation;
	ktime_t tat;
	bool deferred;
};

int mvgpu_irq_info(struct mvgpu_vgpu *vgpu, struct vfio_irq_info *info);
int mvgpu_irq_set(struct mvgpu_vgpu *vgpu, struct vfio_irq_set *hdr,
		  void *data);
void mvgpu_irq_update(struct mvgpu_vgpu *vgpu);
void mvgpu_irq_init(struct mvgpu_vgpu *vgpu);
void mvgpu_irq_reset(struct mvgpu_vgpu *vgpu);
void mvgpu_irq_raise(struct mvgpu_vgpu *vgpu, u32 bits);
u32 mvgpu_irq_reg_read(struct mvgpu_vgpu *vgpu, unsigned int reg);
void mvgpu_irq_reg_write(struct mvgpu_vgpu *vgpu, unsigned int reg, u32 val);
bool mvgpu_irq_intx_status(struct mvgpu_vgpu *vgpu);
void mvgpu_vgpu_fail(struct mvgpu_vgpu *vgpu, u32 error, u32 info);
void mvgpu_vgpu_clear_error(struct mvgpu_vgpu *vgpu);
void mvgpu_irq_request(struct vfio_device *vdev, unsigned int count);
void mvgpu_irq_teardown(struct mvgpu_vgpu *vgpu);

#endif /* _MVGPU_IRQ_H */
