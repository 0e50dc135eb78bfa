// SPDX-License-Identifier: GPL-2.0
/*
 * The emulated PCI configuration space of a vGPU, as data.
 *
 * The layout is one table, mvgpu_cfg_fields[]: every field that is not
 * read-only zero has an entry with its reset value, its guest-writable bits
 * and its write-1-to-clear bits.  mvgpu_cfg_space_reset() expands the table
 * into three byte arrays (value, writable mask, W1C mask) and patches in the
 * per-vGPU values (BAR2 size, subsystem ID).  Writes then work byte by byte
 * against those arrays, so any size and alignment is handled the same way,
 * and no access can reach a bit the table does not allow.  Pure logic, no
 * locks: the caller serialises (cfg.c), and the user-space unit tests
 * (tests/unit) compile this file as it is.
 */
#include <linux/kernel.h>
#include <linux/pci_regs.h>
#include <linux/string.h>

#include "cfg_space.h"

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
 * mvgpu_cfg_space_reset() - the config space of a vGPU after reset
 * @cs: the config space.
 * @subsys_id: PCI_SUBSYSTEM_ID: the profile number.
 * @vram_size: BAR2's size, a power of two.
 */
void mvgpu_cfg_space_reset(struct mvgpu_cfg_space *cs, u16 subsys_id,
			   u64 vram_size)
{
	u64 bar2_mask = ~(vram_size - 1);
	unsigned int i;

	memset(cs, 0, sizeof(*cs));
	for (i = 0; i < ARRAY_SIZE(mvgpu_cfg_fields); i++) {
		const struct mvgpu_cfg_field *f = &mvgpu_cfg_fields[i];

		mvgpu_cfg_put(cs->val, f->off, f->len, f->reset);
		mvgpu_cfg_put(cs->wmask, f->off, f->len, f->wmask);
		mvgpu_cfg_put(cs->w1c, f->off, f->len, f->w1c);
	}

	mvgpu_cfg_put(cs->val, PCI_SUBSYSTEM_ID, 2, subsys_id);
	mvgpu_cfg_put(cs->wmask, PCI_BASE_ADDRESS_2, 4,
		      lower_32_bits(bar2_mask) & PCI_BASE_ADDRESS_MEM_MASK);
	mvgpu_cfg_put(cs->wmask, PCI_BASE_ADDRESS_3, 4,
		      upper_32_bits(bar2_mask));
}

/**
 * mvgpu_cfg_space_write() - write config space bytes
 * @cs: the config space.
 * @off: offset, with @off + @len <= MVGPU_CFG_SIZE.
 * @buf: source.
 * @len: bytes.
 *
 * Writable bits take the new value, W1C bits written as 1 clear, all other
 * bits keep theirs.
 */
void mvgpu_cfg_space_write(struct mvgpu_cfg_space *cs, unsigned int off,
			   const u8 *buf, unsigned int len)
{
	unsigned int i;

	for (i = off; i < off + len; i++) {
		u8 val = buf[i - off];

		cs->val[i] = (cs->val[i] & ~cs->wmask[i]) |
			     (val & cs->wmask[i]);
		cs->val[i] &= ~(val & cs->w1c[i]);
	}
}

/**
 * mvgpu_cfg_space_restore() - take the bits a user could write from a copy
 * @cs: the config space, in its reset state.
 * @saved: %MVGPU_CFG_SIZE bytes read from a config space of the same
 *	layout (a live migration's source).
 *
 * Bits a VFIO user may write (writable or write-1-to-clear) take their
 * value in @saved; every other bit keeps the device's own, so a stream
 * cannot change what the device is.
 */
void mvgpu_cfg_space_restore(struct mvgpu_cfg_space *cs, const u8 *saved)
{
	unsigned int i;

	for (i = 0; i < MVGPU_CFG_SIZE; i++) {
		u8 m = cs->wmask[i] | cs->w1c[i];

		cs->val[i] = (cs->val[i] & ~m) | (saved[i] & m);
	}
}
