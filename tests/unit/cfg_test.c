// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the config space table: drivers/mvgpu/cfg_space.c,
 * compiled in user space.  The reset values section 3 of the manual lists,
 * BAR sizing, write-1-to-clear bits, and that no write of any size or
 * alignment changes a bit the table does not let it change.
 */
#include <linux/pci_regs.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"

#include "cfg_space.h"

#define VRAM		(32ull << 20)
#define PROFILE		0x0005	/* ts-32m */

static uint32_t rd(const struct mvgpu_cfg_space *cs, unsigned int off,
		   unsigned int len)
{
	uint32_t v = 0;
	unsigned int i;

	for (i = 0; i < len; i++)
		v |= (uint32_t)cs->val[off + i] << (8 * i);
	return v;
}

static void wr(struct mvgpu_cfg_space *cs, unsigned int off, unsigned int len,
	       uint32_t v)
{
	uint8_t buf[4];
	unsigned int i;

	for (i = 0; i < len; i++)
		buf[i] = v >> (8 * i);
	mvgpu_cfg_space_write(cs, off, buf, len);
}

TEST(reset_values)
{
	static struct mvgpu_cfg_space cs;
	unsigned int cap;

	mvgpu_cfg_space_reset(&cs, PROFILE, VRAM);
	EXPECT_EQ(MVGPU_PCI_VENDOR_ID, rd(&cs, PCI_VENDOR_ID, 2));
	EXPECT_EQ(MVGPU_PCI_DEVICE_ID, rd(&cs, PCI_DEVICE_ID, 2));
	EXPECT_EQ(0, rd(&cs, PCI_COMMAND, 2));
	EXPECT_EQ(PCI_STATUS_CAP_LIST, rd(&cs, PCI_STATUS, 2));
	EXPECT_EQ(MVGPU_PCI_REVISION, rd(&cs, PCI_REVISION_ID, 1));
	EXPECT_EQ(MVGPU_PCI_CLASS, rd(&cs, PCI_CLASS_PROG, 3));
	EXPECT_EQ(PCI_HEADER_TYPE_NORMAL, rd(&cs, PCI_HEADER_TYPE, 1));
	EXPECT_EQ(0, rd(&cs, PCI_BASE_ADDRESS_0, 4));
	EXPECT_EQ(PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH,
		  rd(&cs, PCI_BASE_ADDRESS_2, 4));
	EXPECT_EQ(0, rd(&cs, PCI_BASE_ADDRESS_1, 4));
	EXPECT_EQ(0, rd(&cs, PCI_BASE_ADDRESS_4, 4));
	EXPECT_EQ(MVGPU_PCI_SUBSYS_VENDOR_ID, rd(&cs, PCI_SUBSYSTEM_VENDOR_ID, 2));
	EXPECT_EQ(PROFILE, rd(&cs, PCI_SUBSYSTEM_ID, 2));
	EXPECT_EQ(0, rd(&cs, PCI_ROM_ADDRESS, 4));
	EXPECT_EQ(1, rd(&cs, PCI_INTERRUPT_PIN, 1));

	/* The capability list: PCIe at 0x40, then MSI at 0x80, the end. */
	cap = rd(&cs, PCI_CAPABILITY_LIST, 1);
	ASSERT_EQ(MVGPU_CFG_CAP_PCIE, cap);
	EXPECT_EQ(PCI_CAP_ID_EXP, rd(&cs, cap, 1));
	EXPECT_EQ(2 | PCI_EXP_TYPE_ENDPOINT << 4, rd(&cs, cap + PCI_EXP_FLAGS, 2));
	cap = rd(&cs, cap + PCI_CAP_LIST_NEXT, 1);
	ASSERT_EQ(MVGPU_CFG_CAP_MSI, cap);
	EXPECT_EQ(PCI_CAP_ID_MSI, rd(&cs, cap, 1));
	EXPECT_EQ(PCI_MSI_FLAGS_64BIT, rd(&cs, cap + PCI_MSI_FLAGS, 2));
	EXPECT_EQ(0, rd(&cs, cap + PCI_CAP_LIST_NEXT, 1));
	/* No extended capabilities. */
	EXPECT_EQ(0, rd(&cs, PCI_CFG_SPACE_SIZE, 4));
}

/* Sizing: all ones written to a BAR read back as its size mask. */
TEST(bar_sizing)
{
	static const uint64_t sizes[] = { 16ull << 20, 32ull << 20, 2ull << 30,
					  1ull << 34 };
	static struct mvgpu_cfg_space cs;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		uint64_t mask = ~(sizes[i] - 1);

		mvgpu_cfg_space_reset(&cs, PROFILE, sizes[i]);
		wr(&cs, PCI_BASE_ADDRESS_0, 4, 0xffffffff);
		EXPECT_EQ(~(MVGPU_MMIO_SIZE - 1), rd(&cs, PCI_BASE_ADDRESS_0, 4));
		wr(&cs, PCI_BASE_ADDRESS_2, 4, 0xffffffff);
		wr(&cs, PCI_BASE_ADDRESS_3, 4, 0xffffffff);
		EXPECT_EQ(((uint32_t)mask & PCI_BASE_ADDRESS_MEM_MASK) |
			  PCI_BASE_ADDRESS_MEM_TYPE_64 |
			  PCI_BASE_ADDRESS_MEM_PREFETCH,
			  rd(&cs, PCI_BASE_ADDRESS_2, 4));
		EXPECT_EQ((uint32_t)(mask >> 32), rd(&cs, PCI_BASE_ADDRESS_3, 4));
		/* Unimplemented BARs and the ROM stay 0. */
		wr(&cs, PCI_BASE_ADDRESS_1, 4, 0xffffffff);
		wr(&cs, PCI_ROM_ADDRESS, 4, 0xffffffff);
		EXPECT_EQ(0, rd(&cs, PCI_BASE_ADDRESS_1, 4));
		EXPECT_EQ(0, rd(&cs, PCI_ROM_ADDRESS, 4));
	}
}

/* Write-1-to-clear bits: 1 clears, 0 keeps, nothing sets them. */
TEST(write_one_to_clear)
{
	static struct mvgpu_cfg_space cs;
	unsigned int devsta = MVGPU_CFG_CAP_PCIE + PCI_EXP_DEVSTA;

	mvgpu_cfg_space_reset(&cs, PROFILE, VRAM);
	wr(&cs, devsta, 2, 0xffff);
	EXPECT_EQ(0, rd(&cs, devsta, 2));
	/* As if the device had reported errors. */
	cs.val[devsta] = PCI_EXP_DEVSTA_CED | PCI_EXP_DEVSTA_URD;
	wr(&cs, devsta, 2, 0);
	EXPECT_EQ(PCI_EXP_DEVSTA_CED | PCI_EXP_DEVSTA_URD, rd(&cs, devsta, 2));
	wr(&cs, devsta, 2, PCI_EXP_DEVSTA_URD);
	EXPECT_EQ(PCI_EXP_DEVSTA_CED, rd(&cs, devsta, 2));
	/* PCI_STATUS: Capabilities List is read-only, error bits W1C. */
	cs.val[PCI_STATUS + 1] |= PCI_STATUS_SIG_SYSTEM_ERROR >> 8;
	wr(&cs, PCI_STATUS, 2, 0xffff);
	EXPECT_EQ(PCI_STATUS_CAP_LIST, rd(&cs, PCI_STATUS, 2));
}

/* The command register: the bits section 3 lists, and only those. */
TEST(command_register)
{
	static struct mvgpu_cfg_space cs;
	const uint32_t rw = PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
			    PCI_COMMAND_PARITY | PCI_COMMAND_SERR |
			    PCI_COMMAND_INTX_DISABLE;

	mvgpu_cfg_space_reset(&cs, PROFILE, VRAM);
	wr(&cs, PCI_COMMAND, 2, 0xffff);
	EXPECT_EQ(rw, rd(&cs, PCI_COMMAND, 2));
	/* One byte at a time, the high byte alone. */
	wr(&cs, PCI_COMMAND + 1, 1, 0);
	EXPECT_EQ(rw & 0xff, rd(&cs, PCI_COMMAND, 2));
	wr(&cs, PCI_COMMAND, 1, 0);
	EXPECT_EQ(0, rd(&cs, PCI_COMMAND, 2));
}

/*
 * Random writes of any length and alignment: every bit outside the
 * writable mask keeps its value unless it is write-1-to-clear and was
 * written as 1; writable bits take the value written.
 */
TEST(random_writes_keep_the_rules)
{
	static struct mvgpu_cfg_space cs, before;
	unsigned int n, i, bad = 0;

	srandom(17);
	mvgpu_cfg_space_reset(&cs, PROFILE, VRAM);
	for (n = 0; n < 100000; n++) {
		unsigned int len = 1 + random() % 8;
		unsigned int off = random() % (MVGPU_CFG_SIZE - len + 1);
		uint8_t buf[8];

		for (i = 0; i < len; i++)
			buf[i] = random();
		/* Let W1C bits be set now and then, as the device would. */
		if (!(n % 64))
			for (i = 0; i < MVGPU_CFG_SIZE; i++)
				cs.val[i] |= cs.w1c[i] & random();
		before = cs;
		mvgpu_cfg_space_write(&cs, off, buf, len);
		for (i = 0; i < MVGPU_CFG_SIZE; i++) {
			uint8_t want = before.val[i];

			if (i >= off && i < off + len) {
				uint8_t v = buf[i - off];

				want = (want & ~cs.wmask[i]) | (v & cs.wmask[i]);
				want &= ~(v & cs.w1c[i]);
			}
			if (cs.val[i] != want && bad++ < 5)
				fprintf(stderr, "# byte 0x%x: 0x%02x, expected 0x%02x\n",
					i, cs.val[i], want);
		}
		/* The masks never change. */
		if (memcmp(cs.wmask, before.wmask, sizeof(cs.wmask)) ||
		    memcmp(cs.w1c, before.w1c, sizeof(cs.w1c)))
			bad++;
	}
	EXPECT_EQ(0, bad);
	/* And the identity survived all of it. */
	EXPECT_EQ(MVGPU_PCI_VENDOR_ID, rd(&cs, PCI_VENDOR_ID, 2));
	EXPECT_EQ(PROFILE, rd(&cs, PCI_SUBSYSTEM_ID, 2));
	EXPECT_EQ(MVGPU_CFG_CAP_PCIE, rd(&cs, PCI_CAPABILITY_LIST, 1));
}

TEST_HARNESS_MAIN
