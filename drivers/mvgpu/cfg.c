// SPDX-License-Identifier: GPL-2.0
/*
 * Emulated PCI configuration space of a vGPU: the VFIO side of
 * cfg_space.c, which holds the layout and the write rules.  Reads and
 * writes work byte by byte, so any size and alignment is handled the same
 * way; this file adds what depends on the rest of the vGPU (the live
 * Interrupt Status bit, Interrupt Disable gating INTx).
 *
 * Callers have bounded the access to MVGPU_CFG_SIZE and hold vgpu->lock.
 */
#include <linux/pci_regs.h>

#include "cfg.h"
#include "cfg_space.h"
#include "dma.h"
#include "irq.h"
#include "profile.h"
#include "vgpu.h"

/**
 * mvgpu_cfg_init() - reset the config space of a vGPU
 * @vgpu: the vGPU; ->profile and ->vram_size are set.
 */
void mvgpu_cfg_init(struct mvgpu_vgpu *vgpu)
{
	mvgpu_cfg_space_reset(&vgpu->cfg, vgpu->profile->id, vgpu->vram_size);
}

/**
 * mvgpu_cfg_read() - read config space bytes
 * @vgpu: the vGPU, with ->lock held.
 * @off: offset, with @off + @len <= MVGPU_CFG_SIZE.
 * @buf: destination.
 * @len: bytes.
 */
void mvgpu_cfg_read(struct mvgpu_vgpu *vgpu, unsigned int off, u8 *buf,
		    unsigned int len)
{
	lockdep_assert_held(&vgpu->lock);
	memcpy(buf, vgpu->cfg.val + off, len);

	/* Interrupt Status: the INTx interrupt, before Interrupt Disable. */
	if (off <= PCI_STATUS && off + len > PCI_STATUS &&
	    mvgpu_irq_intx_status(vgpu))
		buf[PCI_STATUS - off] |= PCI_STATUS_INTERRUPT;
}

/**
 * mvgpu_cfg_write() - write config space bytes
 * @vgpu: the vGPU, with ->lock held.
 * @off: offset, with @off + @len <= MVGPU_CFG_SIZE.
 * @buf: source.
 * @len: bytes.
 *
 * Writable bits take the new value, W1C bits written as 1 clear, all other
 * bits keep theirs.  Clearing Bus Master waits for the vGPU's guest-memory
 * access in flight (mvgpu_dma_bus_master_off()).
 */
void mvgpu_cfg_write(struct mvgpu_vgpu *vgpu, unsigned int off,
		     const u8 *buf, unsigned int len)
{
	bool master = mvgpu_cfg_bus_master(vgpu);

	lockdep_assert_held(&vgpu->lock);

	mvgpu_cfg_space_write(&vgpu->cfg, off, buf, len);

	if (off > PCI_COMMAND + 1 || off + len <= PCI_COMMAND)
		return;
	/*
	 * Bus Master off: no DMA from here on, none still in flight when
	 * the write returns.  INTx Disable gates the line, Bus Master the
	 * MSI message: re-evaluate the interrupt either way.
	 */
	if (master && !mvgpu_cfg_bus_master(vgpu))
		mvgpu_dma_bus_master_off(vgpu);
	mvgpu_irq_update(vgpu);
}

/**
 * mvgpu_cfg_command() - the PCI command register
 * @vgpu: the vGPU; callers without ->lock (the interrupt path) may see a
 *	value a concurrent write is replacing, and that write re-evaluates
 *	the interrupt itself.
 *
 * Return: the current value of PCI_COMMAND.
 */
u16 mvgpu_cfg_command(struct mvgpu_vgpu *vgpu)
{
	return READ_ONCE(vgpu->cfg.val[PCI_COMMAND]) |
	       READ_ONCE(vgpu->cfg.val[PCI_COMMAND + 1]) << 8;
}

/**
 * mvgpu_cfg_bus_master() - may the vGPU master the bus?
 * @vgpu: the vGPU; read without ->lock by engines and the DMA worker.
 *
 * Bus Master Enable gates the device's own memory requests: guest-memory
 * DMA (dma.c) and MSI messages (irq.c).  A reader racing with a write
 * that clears it is waited for by that write (guest memory) or sees the
 * interrupt re-evaluated by it (MSI).
 *
 * Return: true while PCI_COMMAND_MASTER is set.
 */
bool mvgpu_cfg_bus_master(struct mvgpu_vgpu *vgpu)
{
	return mvgpu_cfg_command(vgpu) & PCI_COMMAND_MASTER;
}
