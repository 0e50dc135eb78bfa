// SPDX-License-Identifier: GPL-2.0
/*
 * Emulated PCI configuration space of a vGPU.
 *
 * The layout is one table, mvgpu_cfg_fields[]: every field that is not
 * read-only zero has an entry with its reset value, its guest-writable bits
 * and its write-1-to-clear bits.  mvgpu_cfg_init() expands the table into
 * three byte arrays (value, writable mask, W1C mask) and patches in the
 * per-vGPU values (BAR2 size, subsystem ID).  Reads and writes then work
 * byte by byte against those arrays, so any size and alignment is handled
 * the same way, and no access can reach a bit the table does not allow.
 *
 * Callers have bounded the access to MVGPU_CFG_SIZE and hold vgpu->lock.
 */
#include <linux/pci_regs.h>

#include <uapi/linux/mvgpu.h>

#include "cfg.h"
#include "irq.h"
#include "profile.h"
#include "vgpu.h"

/**
 * struct mvgpu_cfg_field - one register of the config space
 * @off: byte offset.
 * @len: width in bytes (1, 2 or 4).
 * @reset: value after reset.
 * @wmask: bits a VFIO user may change.
 * @w1c: bits cleared by writing 1.
 */
struct mvgpu_cfg_field {
	u16 off;
	u8 len;
	u32 reset;
	u32 wmask;
	u32 w1c;
};

#define PCIE(reg)	(MVGPU_CFG_CAP_PCIE + (reg))
#define MSI(reg)	(MVGPU_CFG_CAP_MSI + (reg))

static const struct mvgpu_cfg_field mvgpu_cfg_fields[] = {
	/* Type 0 header. */
	{ PCI_VENDOR_ID, 2, MVGPU_PCI_VENDOR_ID },
	{ PCI_DEVICE_ID, 2, MVGPU_PCI_DEVICE_ID },
	{ PCI_COMMAND, 2, 0,
	  PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |
	  PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE },
	{ PCI_STATUS, 2, PCI_STATUS_CAP_LIST, 0,
	  PCI_STATUS_PARITY | PCI_STATUS_SIG_TARGET_ABORT |
	  PCI_STATUS_REC_TARGET_ABORT | PCI_STATUS_REC_MASTER_ABORT |
	  PCI_STATUS_SIG_SYSTEM_ERROR | PCI_STATUS_DETECTED_PARITY },
	{ PCI_REVISION_ID, 1, MVGPU_PCI_REVISION },
	{ PCI_CLASS_PROG, 1, MVGPU_PCI_CLASS & 0xff },
	{ PCI_CLASS_DEVICE, 2, MVGPU_PCI_CLASS >> 8 },
	{ PCI_CACHE_LINE_SIZE, 1, 0, 0xff },
	{ PCI_HEADER_TYPE, 1, PCI_HEADER_TYPE_NORMAL },
	{ PCI_BASE_ADDRESS_0, 4,
	  PCI_BASE_ADDRESS_SPACE_MEMORY | PCI_BASE_ADDRESS_MEM_TYPE_32,
	  ~(MVGPU_MMIO_SIZE - 1) },
	/* BAR2/3 writable masks depend on the VRAM size: mvgpu_cfg_init(). */
	{ PCI_BASE_ADDRESS_2, 4,
	  PCI_BASE_ADDRESS_SPACE_MEMORY | PCI_BASE_ADDRESS_MEM_TYPE_64 |
	  PCI_BASE_ADDRESS_MEM_PREFETCH },
	{ PCI_SUBSYSTEM_VENDOR_ID, 2, MVGPU_PCI_SUBSYS_VENDOR_ID },
	/* PCI_SUBSYSTEM_ID is the profile number: mvgpu_cfg_init(). */
	{ PCI_CAPABILITY_LIST, 1, MVGPU_CFG_CAP_PCIE },
	{ PCI_INTERRUPT_LINE, 1, 0, 0xff },
	{ PCI_INTERRUPT_PIN, 1, 1 },	/* INTA# */

	/* PCI Express capability, version 2, endpoint, x1 at 2.5 GT/s. */
	{ PCIE(PCI_CAP_LIST_ID), 1, PCI_CAP_ID_EXP },
	{ PCIE(PCI_CAP_LIST_NEXT), 1, MVGPU_CFG_CAP_MSI },
	{ PCIE(PCI_EXP_FLAGS), 2, 2 | (PCI_EXP_TYPE_ENDPOINT << 4) },
	/* Role-based error reporting: required of every PCIe 1.1+ function. */
	{ PCIE(PCI_EXP_DEVCAP), 4, PCI_EXP_DEVCAP_RBER },
	{ PCIE(PCI_EXP_DEVCTL), 2,
	  PCI_EXP_DEVCTL_RELAX_EN | PCI_EXP_DEVCTL_NOSNOOP_EN |
	  PCI_EXP_DEVCTL_READRQ_512B,
	  PCI_EXP_DEVCTL_CERE | PCI_EXP_DEVCTL_NFERE | PCI_EXP_DEVCTL_FERE |
	  PCI_EXP_DEVCTL_URRE | PCI_EXP_DEVCTL_RELAX_EN |
	  PCI_EXP_DEVCTL_PAYLOAD | PCI_EXP_DEVCTL_NOSNOOP_EN |
	  PCI_EXP_DEVCTL_READRQ },
	{ PCIE(PCI_EXP_DEVSTA), 2, 0, 0,
	  PCI_EXP_DEVSTA_CED | PCI_EXP_DEVSTA_NFED | PCI_EXP_DEVSTA_FED |
	  PCI_EXP_DEVSTA_URD },
	{ PCIE(PCI_EXP_LNKCAP), 4,
	  PCI_EXP_LNKCAP_SLS_2_5GB | (1 << 4) /* x1 */ },
	{ PCIE(PCI_EXP_LNKCTL), 2, 0,
	  PCI_EXP_LNKCTL_ASPMC | PCI_EXP_LNKCTL_CCC | PCI_EXP_LNKCTL_ES },
	{ PCIE(PCI_EXP_LNKSTA), 2,
	  PCI_EXP_LNKSTA_CLS_2_5GB | (1 << PCI_EXP_LNKSTA_NLW_SHIFT) },
	{ PCIE(PCI_EXP_LNKCAP2), 4, PCI_EXP_LNKCAP2_SLS_2_5GB },
	{ PCIE(PCI_EXP_LNKCTL2), 2, PCI_EXP_LNKCTL2_TLS_2_5GT },

	/* MSI: one vector, 64-bit address, no per-vector masking. */
	{ MSI(PCI_CAP_LIST_ID), 1, PCI_CAP_ID_MSI },
	{ MSI(PCI_MSI_FLAGS), 2, PCI_MSI_FLAGS_64BIT, PCI_MSI_FLAGS_ENABLE },
	{ MSI(PCI_MSI_ADDRESS_LO), 4, 0, 0xfffffffc },
	{ MSI(PCI_MSI_ADDRESS_HI), 4, 0, 0xffffffff },
	{ MSI(PCI_MSI_DATA_64), 2, 0, 0xffff },
};

static void mvgpu_cfg_put(u8 *array, unsigned int off, unsigned int len,
			  u32 val)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		array[off + i] = val >> (8 * i);
}

/**
 * mvgpu_cfg_init() - reset the config space of a vGPU
 * @vgpu: the vGPU; ->profile and ->vram_size are set.
 */
void mvgpu_cfg_init(struct mvgpu_vgpu *vgpu)
{
	u64 bar2_mask = ~(vgpu->vram_size - 1);
	unsigned int i;

	memset(vgpu->cfg, 0, sizeof(vgpu->cfg));
	memset(vgpu->cfg_wmask, 0, sizeof(vgpu->cfg_wmask));
	memset(vgpu->cfg_w1c, 0, sizeof(vgpu->cfg_w1c));

	for (i = 0; i < ARRAY_SIZE(mvgpu_cfg_fields); i++) {
		const struct mvgpu_cfg_field *f = &mvgpu_cfg_fields[i];

		mvgpu_cfg_put(vgpu->cfg, f->off, f->len, f->reset);
		mvgpu_cfg_put(vgpu->cfg_wmask, f->off, f->len, f->wmask);
		mvgpu_cfg_put(vgpu->cfg_w1c, f->off, f->len, f->w1c);
	}

	mvgpu_cfg_put(vgpu->cfg, PCI_SUBSYSTEM_ID, 2, vgpu->profile->id);
	mvgpu_cfg_put(vgpu->cfg_wmask, PCI_BASE_ADDRESS_2, 4,
		      lower_32_bits(bar2_mask) & PCI_BASE_ADDRESS_MEM_MASK);
	mvgpu_cfg_put(vgpu->cfg_wmask, PCI_BASE_ADDRESS_3, 4,
		      upper_32_bits(bar2_mask));
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
	memcpy(buf, vgpu->cfg + off, len);

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
 * bits keep theirs.
 */
void mvgpu_cfg_write(struct mvgpu_vgpu *vgpu, unsigned int off,
		     const u8 *buf, unsigned int len)
{
	unsigned int i;

	lockdep_assert_held(&vgpu->lock);

	for (i = off; i < off + len; i++) {
		u8 val = buf[i - off];

		vgpu->cfg[i] = (vgpu->cfg[i] & ~vgpu->cfg_wmask[i]) |
			       (val & vgpu->cfg_wmask[i]);
		vgpu->cfg[i] &= ~(val & vgpu->cfg_w1c[i]);
	}

	/* INTx disable gates the interrupt line. */
	if (off <= PCI_COMMAND + 1 && off + len > PCI_COMMAND)
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
	return READ_ONCE(vgpu->cfg[PCI_COMMAND]) |
	       READ_ONCE(vgpu->cfg[PCI_COMMAND + 1]) << 8;
}
