// SPDX-License-Identifier: GPL-2.0
/*
 * BAR0 register emulation.  The register set and its semantics are those
 * of include/uapi/linux/mvgpu.h and Documentation/mvgpu-device.rst; the
 * caller (vfio_ops.c) has split the access into aligned 32-bit registers
 * inside BAR0 and holds vgpu->lock.
 */
#include <uapi/linux/mvgpu.h>

#include "irq.h"
#include "mmio.h"
#include "profile.h"
#include "queue.h"
#include "vgpu.h"

static u32 mvgpu_mmio_features(struct mvgpu_vgpu *vgpu)
{
	u32 features = MVGPU_FEAT_MSI | MVGPU_FEAT_SOFT_IRQ | MVGPU_FEAT_RING;

	if (vgpu->profile->kind == MVGPU_PROFILE_PARTITIONED)
		features |= MVGPU_FEAT_PARTITIONED;
	return features;
}

static u32 mvgpu_mmio_status(struct mvgpu_vgpu *vgpu)
{
	u32 status = 0;

	if (vgpu->regs.control & MVGPU_CONTROL_ENABLE)
		status |= MVGPU_STATUS_ENABLED;
	if (mvgpu_irq_reg_read(vgpu, MVGPU_REG_ERROR) != MVGPU_ERR_NONE)
		status |= MVGPU_STATUS_ERROR;
	return status;
}

/**
 * mvgpu_mmio_reset() - put every register at its reset value
 * @vgpu: the vGPU, with ->lock held and its queues stopped.
 *
 * A device interrupt that interrupt moderation deferred is dropped with
 * the status bits it would have reported.
 */
void mvgpu_mmio_reset(struct mvgpu_vgpu *vgpu)
{
	unsigned long flags;

	lockdep_assert_held(&vgpu->lock);

	mvgpu_irq_reset(vgpu);
	spin_lock_irqsave(&vgpu->irq_lock, flags);
	memset(&vgpu->regs, 0, sizeof(vgpu->regs));
	WRITE_ONCE(vgpu->failed, false);
	vgpu->irq.level = false;
	spin_unlock_irqrestore(&vgpu->irq_lock, flags);
}

/**
 * mvgpu_mmio_read32() - read one register
 * @vgpu: the vGPU, with ->lock held.
 * @reg: 4-byte aligned offset inside BAR0.
 *
 * Return: the register's value; 0 for offsets that name no register.
 */
u32 mvgpu_mmio_read32(struct mvgpu_vgpu *vgpu, unsigned int reg)
{
	const struct mvgpu_profile *p = vgpu->profile;

	lockdep_assert_held(&vgpu->lock);

	switch (reg) {
	case MVGPU_REG_ID:
		return MVGPU_ID_MAGIC;
	case MVGPU_REG_VERSION:
		return MVGPU_VERSION;
	case MVGPU_REG_FEATURES:
		return mvgpu_mmio_features(vgpu);
	case MVGPU_REG_PROFILE:
		return p->id | (p->kind == MVGPU_PROFILE_PARTITIONED ?
				MVGPU_PROFILE_F_PARTITIONED : 0);
	case MVGPU_REG_VRAM_SIZE_LO:
		return lower_32_bits(vgpu->vram_size);
	case MVGPU_REG_VRAM_SIZE_HI:
		return upper_32_bits(vgpu->vram_size);
	case MVGPU_REG_ENGINES:
		return vgpu->nr_queues;
	case MVGPU_REG_SCRATCH:
		return vgpu->regs.scratch;
	case MVGPU_REG_CONTROL:
		return vgpu->regs.control;
	case MVGPU_REG_STATUS:
		return mvgpu_mmio_status(vgpu);
	case MVGPU_REG_ERROR:
	case MVGPU_REG_ERROR_INFO:
	case MVGPU_REG_IRQ_STATUS:
	case MVGPU_REG_IRQ_MASK:
		return mvgpu_irq_reg_read(vgpu, reg);
	}
	/* queue.c checks (and clamps) the queue number. */
	if (reg >= MVGPU_QUEUE_BASE(0))
		return mvgpu_queue_read32(vgpu, reg);
	return 0;
}

/**
 * mvgpu_mmio_write32() - write one register
 * @vgpu: the vGPU, with ->lock held.
 * @reg: 4-byte aligned offset inside BAR0.
 * @val: the value.
 *
 * Writes to read-only or unknown offsets are ignored.
 */
void mvgpu_mmio_write32(struct mvgpu_vgpu *vgpu, unsigned int reg, u32 val)
{
	lockdep_assert_held(&vgpu->lock);

	switch (reg) {
	case MVGPU_REG_SCRATCH:
		vgpu->regs.scratch = val;
		break;
	case MVGPU_REG_CONTROL:
		if (val & MVGPU_CONTROL_RESET) {
			mvgpu_vgpu_reset(vgpu);
			vgpu->stats.resets++;
			break;
		}
		if (val & MVGPU_CONTROL_QUEUE_RESET) {
			mvgpu_queues_reset(vgpu);
			mvgpu_vgpu_clear_error(vgpu);
			vgpu->stats.resets++;
		}
		vgpu->regs.control = val & MVGPU_CONTROL_RW_MASK;
		break;
	case MVGPU_REG_IRQ_STATUS:
	case MVGPU_REG_IRQ_MASK:
	case MVGPU_REG_IRQ_RAISE:
		mvgpu_irq_reg_write(vgpu, reg, val);
		break;
	default:
		/* queue.c checks (and clamps) the queue number. */
		if (reg >= MVGPU_QUEUE_BASE(0))
			mvgpu_queue_write32(vgpu, reg, val);
		break;
	}
}
