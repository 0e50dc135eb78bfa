// SPDX-License-Identifier: GPL-2.0
/*
 * irq_test - vGPU interrupts through VFIO: GET_IRQ_INFO, MSI edges,
 * INTx level/automask/PCI_COMMAND_INTX_DISABLE, SET_IRQS validation,
 * ERR/REQ loopback, interrupt configuration across resets and reopen,
 * and the REQ interrupt on mdev removal.
 *
 * The "vgpu" fixture is the one of device_test.c (see there for the
 * environment variables MVGPU_TEST_ONLY and MVGPU_KEEP_MODULES).  The
 * rules are sections 6 and 10 of Documentation/mvgpu-device.rst.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/pci_regs.h>

#include "kselftest_harness.h"
#include "mvgpu_test.h"

/* irq_test's vGPUs have Bus Master on, as a driver's would: MSI needs it. */
#define VGPU_FIXTURE_BUS_MASTER
#include "vgpu_fixture.h"

#define INTX	VFIO_PCI_INTX_IRQ_INDEX
#define MSI	VFIO_PCI_MSI_IRQ_INDEX
#define MSIX	VFIO_PCI_MSIX_IRQ_INDEX
#define ERR	VFIO_PCI_ERR_IRQ_INDEX
#define REQ	VFIO_PCI_REQ_IRQ_INDEX

/* A signal arrives within the ioctl or write that causes it. */
#define SIGNAL_MS	1000
#define SILENCE_MS	20

#define TRIGGER		VFIO_IRQ_SET_ACTION_TRIGGER
#define MASK		VFIO_IRQ_SET_ACTION_MASK
#define UNMASK		VFIO_IRQ_SET_ACTION_UNMASK
#define D_NONE		VFIO_IRQ_SET_DATA_NONE
#define D_BOOL		VFIO_IRQ_SET_DATA_BOOL
#define D_EVENTFD	VFIO_IRQ_SET_DATA_EVENTFD

/*
 * VFIO_DEVICE_SET_IRQS with @len payload bytes; @argsz 0 means "exactly
 * header plus payload".  Returns 0 or -errno.
 */
static int set_irqs(int fd, uint32_t argsz, uint32_t flags, uint32_t index,
		    uint32_t start, uint32_t count, const void *data,
		    size_t len)
{
	struct {
		struct vfio_irq_set hdr;
		uint8_t data[16];
	} s;

	memset(&s, 0, sizeof(s));
	s.hdr.argsz = argsz ? argsz : sizeof(s.hdr) + len;
	s.hdr.flags = flags;
	s.hdr.index = index;
	s.hdr.start = start;
	s.hdr.count = count;
	if (len)
		memcpy(s.data, data, len);
	return ioctl(fd, VFIO_DEVICE_SET_IRQS, &s) ? -errno : 0;
}

static int set_eventfd(int fd, uint32_t index, int32_t efd)
{
	return set_irqs(fd, 0, D_EVENTFD | TRIGGER, index, 0, 1, &efd, 4);
}

static int set_bool(int fd, uint32_t index, uint32_t action, uint8_t val)
{
	return set_irqs(fd, 0, D_BOOL | action, index, 0, 1, &val, 1);
}

/* DATA_NONE: @count 1 performs @action, @count 0 (TRIGGER) disables. */
static int set_none(int fd, uint32_t index, uint32_t action, uint32_t count)
{
	return set_irqs(fd, 0, D_NONE | action, index, 0, count, NULL, 0);
}

static uint64_t signals(int efd, int ms)
{
	return eventfd_wait(efd, ms);
}

#define PCI_STATUS_RD()	((uint16_t)CFG_RD(PCI_STATUS, 2))
#define SOFT		MVGPU_IRQ_SOFT

/* ---------------------------------------------------------------------- */

TEST_F(vgpu, irq_info)
{
	static const struct { uint32_t count, flags; } want[] = {
		[INTX] = { 1, VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE |
			      VFIO_IRQ_INFO_AUTOMASKED },
		[MSI] = { 1, VFIO_IRQ_INFO_EVENTFD },
		[MSIX] = { 0, VFIO_IRQ_INFO_EVENTFD },
		[ERR] = { 1, VFIO_IRQ_INFO_EVENTFD },
		[REQ] = { 1, VFIO_IRQ_INFO_EVENTFD },
	};
	struct vfio_irq_info info;
	uint32_t i;

	if (!self->ready)
		return;
	for (i = 0; i < VFIO_PCI_NUM_IRQS; i++) {
		memset(&info, 0, sizeof(info));
		info.argsz = sizeof(info);
		info.index = i;
		ASSERT_EQ(0, ioctl(self->fd, VFIO_DEVICE_GET_IRQ_INFO, &info))
			TH_LOG("index %u: %s", i, strerror(errno));
		EXPECT_EQ(i, info.index);
		EXPECT_EQ(want[i].count, info.count) TH_LOG("index %u", i);
		EXPECT_EQ(want[i].flags, info.flags & want[i].flags)
			TH_LOG("index %u: flags 0x%x", i, info.flags);
		if (i != INTX) {
			EXPECT_EQ(0U, info.flags & (VFIO_IRQ_INFO_MASKABLE |
						    VFIO_IRQ_INFO_AUTOMASKED))
				TH_LOG("index %u: flags 0x%x", i, info.flags);
		}
	}
	for (i = VFIO_PCI_NUM_IRQS; i < VFIO_PCI_NUM_IRQS + 3; i++) {
		info.argsz = sizeof(info);
		info.index = i;
		EXPECT_EQ(-1, ioctl(self->fd, VFIO_DEVICE_GET_IRQ_INFO, &info));
		EXPECT_EQ(EINVAL, errno);
	}
	info.index = 0xffffffff;
	EXPECT_EQ(-1, ioctl(self->fd, VFIO_DEVICE_GET_IRQ_INFO, &info));
	EXPECT_EQ(EINVAL, errno);
	info.index = MSI;
	info.argsz = sizeof(info) - 1;
	EXPECT_EQ(-1, ioctl(self->fd, VFIO_DEVICE_GET_IRQ_INFO, &info));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(vgpu, msi_edge)
{
	int efd = eventfd_new();
	int i;

	if (!self->ready)
		return;
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, set_eventfd(self->fd, MSI, efd));
	MMIO_WR(MVGPU_REG_IRQ_MASK, SOFT);
	EXPECT_EQ(0U, signals(efd, SILENCE_MS));

	MMIO_WR(MVGPU_REG_IRQ_RAISE, SOFT);
	EXPECT_EQ(1U, signals(efd, SIGNAL_MS));
	EXPECT_EQ(SOFT, MMIO_RD(MVGPU_REG_IRQ_STATUS));
	/* Still pending: no new edge, no new message. */
	MMIO_WR(MVGPU_REG_IRQ_RAISE, SOFT);
	EXPECT_EQ(0U, signals(efd, SILENCE_MS));
	MMIO_WR(MVGPU_REG_IRQ_STATUS, 0);	/* clears nothing */
	EXPECT_EQ(SOFT, MMIO_RD(MVGPU_REG_IRQ_STATUS));
	EXPECT_EQ(0U, signals(efd, SILENCE_MS));
	/* W1C, then a new edge. */
	MMIO_WR(MVGPU_REG_IRQ_STATUS, SOFT);
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_IRQ_STATUS));
	EXPECT_EQ(0U, signals(efd, SILENCE_MS));
	MMIO_WR(MVGPU_REG_IRQ_RAISE, SOFT);
	EXPECT_EQ(1U, signals(efd, SIGNAL_MS));

	/* One message per edge. */
	for (i = 0; i < 5; i++) {
		MMIO_WR(MVGPU_REG_IRQ_STATUS, SOFT);
		MMIO_WR(MVGPU_REG_IRQ_RAISE, SOFT);
	}
	EXPECT_EQ(5U, signals(efd, SIGNAL_MS));

	/* Only SOFT can be raised by software. */
	MMIO_WR(MVGPU_REG_IRQ_STATUS, MVGPU_IRQ_ALL);
	MMIO_WR(MVGPU_REG_IRQ_MASK, 0xffffffff);
	EXPECT_EQ(MVGPU_IRQ_ALL, MMIO_RD(MVGPU_REG_IRQ_MASK));
	MMIO_WR(MVGPU_REG_IRQ_RAISE, ~SOFT);
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_IRQ_STATUS));
	EXPECT_EQ(0U, signals(efd, SILENCE_MS));
	close(efd);
}

/*
 * An MSI is a memory write: with Bus Master Enable clear the device sends
 * none.  An interrupt still pending when the bit is set again sends its
 * message then; one the driver cleared meanwhile is owed nothing.
 */
TEST_F(vgpu, msi_needs_bus_master)
{
	int efd = eventfd_new();

	if (!self->ready)
		return;
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, set_eventfd(self->fd, MSI, efd));
	MMIO_WR(MVGPU_REG_IRQ_MASK, SOFT);

	ASSERT_EQ(0, vfio_bus_master(self->fd, false));
	MMIO_WR(MVGPU_REG_IRQ_RAISE, SOFT);
	EXPECT_EQ(SOFT, MMIO_RD(MVGPU_REG_IRQ_STATUS));
	EXPECT_EQ(0U, signals(efd, SILENCE_MS));
	ASSERT_EQ(0, vfio_bus_master(self->fd, true));
	EXPECT_EQ(1U, signals(efd, SIGNAL_MS));

	/* Raised and cleared while off: no message afterwards. */
	MMIO_WR(MVGPU_REG_IRQ_STATUS, SOFT);
	ASSERT_EQ(0, vfio_bus_master(self->fd, false));
	MMIO_WR(MVGPU_REG_IRQ_RAISE, SOFT);
	MMIO_WR(MVGPU_REG_IRQ_STATUS, SOFT);
	ASSERT_EQ(0, vfio_bus_master(self->fd, true));
	EXPECT_EQ(0U, signals(efd, SILENCE_MS));

	/* Bus Master on again: messages as before. */
	MMIO_WR(MVGPU_REG_IRQ_RAISE, SOFT);
	EXPECT_EQ(1U, signals(efd, SIGNAL_MS));
	close(efd);
}

TEST_F(vgpu, msi_mask)
{
	int efd = eventfd_new();

	if (!self->ready)
		return;
	ASSERT_EQ(0, set_eventfd(self->fd, MSI, efd));
	/* Masked source: status set, no message. */
	MMIO_WR(MVGPU_REG_IRQ_RAISE, SOFT);
	EXPECT_EQ(SOFT, MMIO_RD(MVGPU_REG_IRQ_STATUS));
	EXPECT_EQ(0U, signals(efd, SILENCE_MS));
	MMIO_WR(MVGPU_REG_IRQ_MASK, MVGPU_IRQ_FENCE | MVGPU_IRQ_ERROR);
	EXPECT_EQ(0U, signals(efd, SILENCE_MS));
	/* Unmasking a pending source is a 0 -> 1 edge. */
	MMIO_WR(MVGPU_REG_IRQ_MASK, SOFT);
	EXPECT_EQ(1U, signals(efd, SIGNAL_MS));
	MMIO_WR(MVGPU_REG_IRQ_MASK, SOFT);
	EXPECT_EQ(0U, signals(efd, SILENCE_MS));
	MMIO_WR(MVGPU_REG_IRQ_MASK, 0);
	EXPECT_EQ(0U, signals(efd, SILENCE_MS));
	MMIO_WR(MVGPU_REG_IRQ_MASK, SOFT);
	EXPECT_EQ(1U, signals(efd, SIGNAL_MS));
	/* Disabling MSI: raising is silent; re-enabling a pending source fires. */
	MMIO_WR(MVGPU_REG_IRQ_STATUS, SOFT);
	ASSERT_EQ(0, set_none(self->fd, MSI, TRIGGER, 0));
	MMIO_WR(MVGPU_REG_IRQ_RAISE, SOFT);
	EXPECT_EQ(0U, signals(efd, SILENCE_MS));
	ASSERT_EQ(0, set_eventfd(self->fd, MSI, efd));
	EXPECT_EQ(1U, signals(efd, SIGNAL_MS));
	close(efd);
}

TEST_F(vgpu, intx_automask)
{
	int msi = eventfd_new(), efd = eventfd_new();

	if (!self->ready)
		return;
	/* MSI on, then off with count 0 DATA_NONE. */
	ASSERT_EQ(0, set_eventfd(self->fd, MSI, msi));
	ASSERT_EQ(0, set_none(self->fd, MSI, TRIGGER, 0));
	ASSERT_EQ(0, set_eventfd(self->fd, INTX, efd));
	MMIO_WR(MVGPU_REG_IRQ_MASK, SOFT);
	EXPECT_EQ(0, PCI_STATUS_RD() & PCI_STATUS_INTERRUPT);

	MMIO_WR(MVGPU_REG_IRQ_RAISE, SOFT);
	EXPECT_EQ(1U, signals(efd, SIGNAL_MS));
	EXPECT_EQ(0U, signals(msi, SILENCE_MS));
	EXPECT_EQ(PCI_STATUS_INTERRUPT, PCI_STATUS_RD() & PCI_STATUS_INTERRUPT);
	/* Automasked: a new assertion is not signalled ... */
	MMIO_WR(MVGPU_REG_IRQ_STATUS, SOFT);
	EXPECT_EQ(0, PCI_STATUS_RD() & PCI_STATUS_INTERRUPT);
	MMIO_WR(MVGPU_REG_IRQ_RAISE, SOFT);
	EXPECT_EQ(0U, signals(efd, SILENCE_MS));
	EXPECT_EQ(PCI_STATUS_INTERRUPT, PCI_STATUS_RD() & PCI_STATUS_INTERRUPT);
	/* ... until the user unmasks, and then at once: still asserted. */
	ASSERT_EQ(0, set_none(self->fd, INTX, UNMASK, 1));
	EXPECT_EQ(1U, signals(efd, SIGNAL_MS));
	/* Unmasking a deasserted line signals nothing; the next raise does. */
	MMIO_WR(MVGPU_REG_IRQ_STATUS, SOFT);
	ASSERT_EQ(0, set_none(self->fd, INTX, UNMASK, 1));
	EXPECT_EQ(0U, signals(efd, SILENCE_MS));
	MMIO_WR(MVGPU_REG_IRQ_RAISE, SOFT);
	EXPECT_EQ(1U, signals(efd, SIGNAL_MS));
	/* Explicit MASK, and DATA_BOOL forms. */
	MMIO_WR(MVGPU_REG_IRQ_STATUS, SOFT);
	ASSERT_EQ(0, set_bool(self->fd, INTX, UNMASK, 1));
	ASSERT_EQ(0, set_none(self->fd, INTX, MASK, 1));
	MMIO_WR(MVGPU_REG_IRQ_RAISE, SOFT);
	EXPECT_EQ(0U, signals(efd, SILENCE_MS));
	ASSERT_EQ(0, set_bool(self->fd, INTX, UNMASK, 0));	/* no-op */
	EXPECT_EQ(0U, signals(efd, SILENCE_MS));
	ASSERT_EQ(0, set_bool(self->fd, INTX, UNMASK, 1));
	EXPECT_EQ(1U, signals(efd, SIGNAL_MS));
	close(efd);
	close(msi);
}

TEST_F(vgpu, intx_disable)
{
	int efd = eventfd_new();

	if (!self->ready)
		return;
	ASSERT_EQ(0, set_eventfd(self->fd, INTX, efd));
	MMIO_WR(MVGPU_REG_IRQ_MASK, SOFT);
	CFG_WR(PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_DISABLE);
	MMIO_WR(MVGPU_REG_IRQ_RAISE, SOFT);
	EXPECT_EQ(0U, signals(efd, SILENCE_MS));
	/*
	 * Section 3: Interrupt Disable gates the line, not the status bit
	 * (the PCI spec; Linux's DisINTx masking reads it while disabled).
	 */
	EXPECT_EQ(PCI_STATUS_INTERRUPT, PCI_STATUS_RD() & PCI_STATUS_INTERRUPT);
	/* Enabling INTx with the source pending asserts the line. */
	CFG_WR(PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
	EXPECT_EQ(1U, signals(efd, SIGNAL_MS));
	EXPECT_EQ(PCI_STATUS_INTERRUPT, PCI_STATUS_RD() & PCI_STATUS_INTERRUPT);
	/* Pending while disabled, cleared, then enabled: nothing. */
	ASSERT_EQ(0, set_none(self->fd, INTX, UNMASK, 1));
	EXPECT_EQ(1U, signals(efd, SIGNAL_MS));
	CFG_WR(PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE);
	ASSERT_EQ(0, set_none(self->fd, INTX, UNMASK, 1));
	EXPECT_EQ(0U, signals(efd, SILENCE_MS));
	MMIO_WR(MVGPU_REG_IRQ_STATUS, SOFT);
	CFG_WR(PCI_COMMAND, 2, 0);
	EXPECT_EQ(0U, signals(efd, SILENCE_MS));
	EXPECT_EQ(0, PCI_STATUS_RD() & PCI_STATUS_INTERRUPT);
	close(efd);
}

TEST_F(vgpu, intx_msi_exclusive)
{
	int efd = eventfd_new(), msi = eventfd_new();

	if (!self->ready)
		return;
	ASSERT_EQ(0, set_eventfd(self->fd, MSI, msi));
	EXPECT_EQ(-EINVAL, set_eventfd(self->fd, INTX, efd));
	MMIO_WR(MVGPU_REG_IRQ_MASK, SOFT);
	MMIO_WR(MVGPU_REG_IRQ_RAISE, SOFT);
	EXPECT_EQ(1U, signals(msi, SIGNAL_MS));
	EXPECT_EQ(0U, signals(efd, SILENCE_MS));
	/* No INTx line with MSI: the status bit stays 0. */
	EXPECT_EQ(0, PCI_STATUS_RD() & PCI_STATUS_INTERRUPT);
	/* No INTx trigger action of any kind while MSI is on. */
	EXPECT_EQ(-EINVAL, set_eventfd(self->fd, INTX, -1));
	EXPECT_EQ(-EINVAL, set_none(self->fd, INTX, TRIGGER, 0));
	EXPECT_EQ(-EINVAL, set_none(self->fd, INTX, TRIGGER, 1));

	/* Replacing the MSI eventfd is fine; disabling with fd -1 too. */
	ASSERT_EQ(0, set_eventfd(self->fd, MSI, efd));
	ASSERT_EQ(0, set_eventfd(self->fd, MSI, -1));
	ASSERT_EQ(0, set_eventfd(self->fd, INTX, efd));
	EXPECT_EQ(1U, signals(efd, SIGNAL_MS));		/* still pending */
	EXPECT_EQ(-EINVAL, set_eventfd(self->fd, MSI, msi));
	EXPECT_EQ(-EINVAL, set_eventfd(self->fd, MSI, -1));
	EXPECT_EQ(-EINVAL, set_none(self->fd, MSI, TRIGGER, 0));
	ASSERT_EQ(0, set_none(self->fd, INTX, TRIGGER, 0));
	ASSERT_EQ(0, set_eventfd(self->fd, MSI, msi));
	EXPECT_EQ(1U, signals(msi, SIGNAL_MS));
	close(efd);
	close(msi);
}

static int set_unmask_fd(int fd, int32_t ufd)
{
	return set_irqs(fd, 0, D_EVENTFD | UNMASK, INTX, 0, 1, &ufd, 4);
}

/* Write 1 to eventfd @efd, as a VMM's irqfd resampler does. */
static void kick(int efd)
{
	uint64_t one = 1;

	if (write(efd, &one, sizeof(one)) != sizeof(one))
		perror("eventfd write");
}

/*
 * INTx unmask through an eventfd (vfio_virqfd, as KVM's resampling irqfd
 * uses it): each signal unmasks, re-firing a line still asserted; fd -1,
 * disabling INTx and closing the device stop it.  The debug kernel has
 * no vfio_virqfd: there it is refused with -ENOTTY.
 */
TEST_F(vgpu, intx_unmask_eventfd)
{
	int efd = eventfd_new(), ufd = eventfd_new(), tmp, ret;

	if (!self->ready)
		return;
	EXPECT_EQ(-EINVAL, set_unmask_fd(self->fd, ufd));	/* INTx off */
	ASSERT_EQ(0, set_eventfd(self->fd, INTX, efd));
	ret = set_unmask_fd(self->fd, ufd);
	if (ret == -ENOTTY)
		SKIP(goto out, "no vfio_virqfd in this kernel");
	ASSERT_EQ(0, ret);
	/* Not an eventfd: refused, and the one set stays. */
	EXPECT_EQ(-EBADF, set_unmask_fd(self->fd, 999));
	EXPECT_EQ(-EINVAL, set_unmask_fd(self->fd, self->fd));

	MMIO_WR(MVGPU_REG_IRQ_MASK, SOFT);
	MMIO_WR(MVGPU_REG_IRQ_RAISE, SOFT);
	EXPECT_EQ(1U, signals(efd, SIGNAL_MS));		/* and automasked */
	EXPECT_EQ(0U, signals(efd, SILENCE_MS));
	kick(ufd);					/* still asserted */
	EXPECT_EQ(1U, signals(efd, SIGNAL_MS));
	MMIO_WR(MVGPU_REG_IRQ_STATUS, SOFT);
	kick(ufd);					/* deasserted */
	EXPECT_EQ(0U, signals(efd, SILENCE_MS));
	MMIO_WR(MVGPU_REG_IRQ_RAISE, SOFT);		/* unmasked: fires */
	EXPECT_EQ(1U, signals(efd, SIGNAL_MS));

	/* fd -1: the eventfd no longer unmasks; the ioctl still does. */
	ASSERT_EQ(0, set_unmask_fd(self->fd, -1));
	kick(ufd);
	EXPECT_EQ(0U, signals(efd, SILENCE_MS));
	ASSERT_EQ(0, set_none(self->fd, INTX, UNMASK, 1));
	EXPECT_EQ(1U, signals(efd, SIGNAL_MS));

	/* Disabling INTx drops it too (ufd's count drained: it would unmask). */
	signals(ufd, 0);
	ASSERT_EQ(0, set_unmask_fd(self->fd, ufd));
	ASSERT_EQ(0, set_none(self->fd, INTX, TRIGGER, 0));
	ASSERT_EQ(0, set_eventfd(self->fd, INTX, efd));
	EXPECT_EQ(1U, signals(efd, SIGNAL_MS));		/* still asserted */
	kick(ufd);
	EXPECT_EQ(0U, signals(efd, SILENCE_MS));

	/*
	 * One eventfd as trigger and unmask: every signal unmasks again, a
	 * loop the moderation bounds.  The device stays usable.
	 */
	ASSERT_EQ(0, set_unmask_fd(self->fd, efd));
	ASSERT_EQ(0, set_none(self->fd, INTX, UNMASK, 1));
	usleep(200 * 1000);
	MMIO_WR(MVGPU_REG_IRQ_STATUS, SOFT);
	EXPECT_EQ(MVGPU_ID_MAGIC, MMIO_RD(MVGPU_REG_ID));
	ASSERT_EQ(0, set_none(self->fd, INTX, TRIGGER, 0));

	/*
	 * The user closes an unmask eventfd while it is set (vfio_virqfd
	 * drops it itself), sets another, and closes the device with that
	 * one set: the close stops it, and a late signal finds nothing.
	 */
	ASSERT_EQ(0, set_eventfd(self->fd, INTX, efd));
	tmp = eventfd_new();
	ASSERT_EQ(0, set_unmask_fd(self->fd, tmp));
	close(tmp);
	ASSERT_EQ(0, set_unmask_fd(self->fd, ufd));
	vfio_dev_close(&self->dev);
	kick(ufd);
	ASSERT_EQ(0, vfio_dev_open(self->uuid, &self->dev));
	self->fd = self->dev.device;
	kick(ufd);
	EXPECT_EQ(MVGPU_ID_MAGIC, MMIO_RD(MVGPU_REG_ID));
	EXPECT_EQ(0U, signals(efd, SILENCE_MS));
out:
	close(efd);
	close(ufd);
}

/*
 * INTx can be masked only while enabled, with count 1 and not through an
 * eventfd.  A mask never outlives the INTx enable it was set under: the
 * next enable, or the next user, starts unmasked.
 */
TEST_F(vgpu, intx_mask_needs_intx)
{
	int efd = eventfd_new();
	int32_t fd = efd;

	if (!self->ready)
		return;
	EXPECT_EQ(-EINVAL, set_none(self->fd, INTX, MASK, 1));
	EXPECT_EQ(-EINVAL, set_bool(self->fd, INTX, UNMASK, 1));

	ASSERT_EQ(0, set_eventfd(self->fd, INTX, efd));
	EXPECT_EQ(-EINVAL, set_none(self->fd, INTX, MASK, 0));
	EXPECT_EQ(-ENOTTY, set_irqs(self->fd, 0, D_EVENTFD | MASK, INTX, 0, 1,
				    &fd, 4));

	/* Masked, disabled, enabled again: unmasked. */
	ASSERT_EQ(0, set_none(self->fd, INTX, MASK, 1));
	MMIO_WR(MVGPU_REG_IRQ_MASK, SOFT);
	MMIO_WR(MVGPU_REG_IRQ_RAISE, SOFT);
	EXPECT_EQ(0U, signals(efd, SILENCE_MS));
	ASSERT_EQ(0, set_none(self->fd, INTX, TRIGGER, 0));
	ASSERT_EQ(0, set_eventfd(self->fd, INTX, efd));
	EXPECT_EQ(1U, signals(efd, SIGNAL_MS));

	/* Closed while automasked: the next user's INTx is unmasked. */
	vfio_dev_close(&self->dev);
	ASSERT_EQ(0, vfio_dev_open(self->uuid, &self->dev));
	self->fd = self->dev.device;
	ASSERT_EQ(0, set_eventfd(self->fd, INTX, efd));
	MMIO_WR(MVGPU_REG_IRQ_MASK, SOFT);
	MMIO_WR(MVGPU_REG_IRQ_RAISE, SOFT);
	EXPECT_EQ(1U, signals(efd, SIGNAL_MS));
	close(efd);
}

TEST_F(vgpu, set_irqs_errors)
{
	int efd = eventfd_new();
	int32_t fd = efd, fds[2] = { efd, efd };
	uint8_t one = 1;
	uint32_t hdr = sizeof(struct vfio_irq_set);

	if (!self->ready)
		return;
	ASSERT_EQ(0, set_eventfd(self->fd, MSI, efd));
	/* argsz */
	EXPECT_EQ(-EINVAL, set_irqs(self->fd, hdr - 1, D_NONE | TRIGGER, ERR,
				    0, 1, NULL, 0));
	EXPECT_EQ(-EINVAL, set_irqs(self->fd, hdr, D_EVENTFD | TRIGGER, MSI,
				    0, 1, &fd, 4));	/* no room for fd */
	EXPECT_EQ(-EINVAL, set_irqs(self->fd, hdr, D_BOOL | TRIGGER, ERR,
				    0, 1, &one, 1));
	/* flags */
	EXPECT_EQ(-EINVAL, set_irqs(self->fd, 0, D_EVENTFD | TRIGGER | 1u << 6,
				    MSI, 0, 1, &fd, 4));
	EXPECT_EQ(-EINVAL, set_irqs(self->fd, 0, D_NONE | TRIGGER | 1u << 31,
				    ERR, 0, 1, NULL, 0));
	EXPECT_EQ(-EINVAL, set_irqs(self->fd, 0, TRIGGER, ERR, 0, 1, NULL, 0));
	EXPECT_EQ(-EINVAL, set_irqs(self->fd, 0, D_NONE | D_BOOL | TRIGGER,
				    ERR, 0, 1, &one, 1));
	/* No action, or two: not an operation the device has (vfio-pci too). */
	EXPECT_EQ(-ENOTTY, set_irqs(self->fd, 0, D_NONE, ERR, 0, 1, NULL, 0));
	EXPECT_EQ(-ENOTTY, set_irqs(self->fd, 0, D_NONE | MASK | UNMASK,
				    INTX, 0, 1, NULL, 0));
	/* start + count */
	EXPECT_EQ(-EINVAL, set_irqs(self->fd, 0, D_EVENTFD | TRIGGER, MSI, 0,
				    2, fds, sizeof(fds)));
	EXPECT_EQ(-EINVAL, set_irqs(self->fd, 0, D_EVENTFD | TRIGGER, MSI, 1,
				    1, &fd, 4));
	EXPECT_EQ(-EINVAL, set_irqs(self->fd, 0, D_NONE | TRIGGER, ERR,
				    0xffffffff, 1, NULL, 0));
	EXPECT_EQ(-EINVAL, set_irqs(self->fd, 0, D_NONE | TRIGGER, ERR, 1,
				    0xffffffff, NULL, 0));
	EXPECT_EQ(-EINVAL, set_irqs(self->fd, 0, D_NONE | TRIGGER, INTX, 0,
				    0xffffffff, NULL, 0));
	/* index */
	EXPECT_EQ(-EINVAL, set_irqs(self->fd, 0, D_NONE | TRIGGER, 5, 0, 1,
				    NULL, 0));
	EXPECT_EQ(-EINVAL, set_irqs(self->fd, 0, D_NONE | TRIGGER, 0xffffffff,
				    0, 1, NULL, 0));
	EXPECT_EQ(-EINVAL, set_irqs(self->fd, 0, D_EVENTFD | TRIGGER, MSIX, 0,
				    1, &fd, 4));
	EXPECT_EQ(-EINVAL, set_irqs(self->fd, 0, D_NONE | TRIGGER, MSIX, 0, 0,
				    NULL, 0));
	/* Only INTx is maskable, and only while enabled (MSI is, here). */
	EXPECT_EQ(-ENOTTY, set_none(self->fd, MSI, MASK, 1));
	EXPECT_EQ(-ENOTTY, set_none(self->fd, MSI, UNMASK, 1));
	EXPECT_EQ(-ENOTTY, set_none(self->fd, ERR, MASK, 1));
	EXPECT_EQ(-ENOTTY, set_bool(self->fd, REQ, UNMASK, 1));
	EXPECT_EQ(-EINVAL, set_none(self->fd, INTX, MASK, 1));
	EXPECT_EQ(-EINVAL, set_irqs(self->fd, 0, D_EVENTFD | UNMASK, INTX, 0, 1,
				    &fd, 4));

	/* None of that touched the MSI trigger. */
	MMIO_WR(MVGPU_REG_IRQ_MASK, SOFT);
	MMIO_WR(MVGPU_REG_IRQ_RAISE, SOFT);
	EXPECT_EQ(1U, signals(efd, SIGNAL_MS));
	close(efd);
}

TEST_F(vgpu, set_irqs_not_eventfd)
{
	int efd = eventfd_new(), null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int closed = dup(efd), ret;

	if (!self->ready)
		return;
	ASSERT_LE(0, null);
	close(closed);
	ASSERT_EQ(0, set_eventfd(self->fd, MSI, efd));
	ret = set_eventfd(self->fd, MSI, null);
	EXPECT_TRUE(ret == -EINVAL || ret == -EBADF) TH_LOG("/dev/null: %d", ret);
	EXPECT_EQ(-EBADF, set_eventfd(self->fd, MSI, closed));
	ret = set_eventfd(self->fd, MSI, self->fd);
	EXPECT_TRUE(ret == -EINVAL || ret == -EBADF) TH_LOG("device fd: %d", ret);
	ret = set_eventfd(self->fd, ERR, null);
	EXPECT_TRUE(ret == -EINVAL || ret == -EBADF) TH_LOG("ERR: %d", ret);
	/* The old trigger still works. */
	MMIO_WR(MVGPU_REG_IRQ_MASK, SOFT);
	MMIO_WR(MVGPU_REG_IRQ_RAISE, SOFT);
	EXPECT_EQ(1U, signals(efd, SIGNAL_MS));
	close(efd);
	close(null);
}

TEST_F(vgpu, loopback_triggers)
{
	static const uint32_t idx[] = { ERR, REQ, MSI };
	unsigned int i;

	if (!self->ready)
		return;
	for (i = 0; i < ARRAY_SIZE(idx); i++) {
		int efd = eventfd_new();

		ASSERT_EQ(0, set_eventfd(self->fd, idx[i], efd));
		EXPECT_EQ(0U, signals(efd, SILENCE_MS));
		ASSERT_EQ(0, set_none(self->fd, idx[i], TRIGGER, 1));
		EXPECT_EQ(1U, signals(efd, SIGNAL_MS)) TH_LOG("index %u", idx[i]);
		ASSERT_EQ(0, set_bool(self->fd, idx[i], TRIGGER, 0));
		EXPECT_EQ(0U, signals(efd, SILENCE_MS)) TH_LOG("index %u", idx[i]);
		ASSERT_EQ(0, set_bool(self->fd, idx[i], TRIGGER, 1));
		EXPECT_EQ(1U, signals(efd, SIGNAL_MS)) TH_LOG("index %u", idx[i]);
		/*
		 * Disabled: DATA_NONE has no trigger to act on; a true
		 * DATA_BOOL signals nothing on ERR and REQ and is refused on
		 * MSI, which is no longer enabled (as on vfio-pci).
		 */
		ASSERT_EQ(0, set_eventfd(self->fd, idx[i], -1));
		EXPECT_EQ(-EINVAL, set_none(self->fd, idx[i], TRIGGER, 1));
		EXPECT_EQ(-EINVAL, set_none(self->fd, idx[i], TRIGGER, 0));
		EXPECT_EQ(idx[i] == MSI ? -EINVAL : 0,
			  set_bool(self->fd, idx[i], TRIGGER, 1));
		EXPECT_EQ(0U, signals(efd, SILENCE_MS)) TH_LOG("index %u", idx[i]);
		/* ERR and REQ are not device interrupts: MSI is unaffected. */
		close(efd);
	}
}

TEST_F(vgpu, reset_keeps_irq_config)
{
	int efd = eventfd_new(), err = eventfd_new();

	if (!self->ready)
		return;
	ASSERT_EQ(0, set_eventfd(self->fd, MSI, efd));
	ASSERT_EQ(0, set_eventfd(self->fd, ERR, err));
	MMIO_WR(MVGPU_REG_IRQ_MASK, SOFT);
	MMIO_WR(MVGPU_REG_IRQ_RAISE, SOFT);
	EXPECT_EQ(1U, signals(efd, SIGNAL_MS));

	ASSERT_EQ(0, ioctl(self->fd, VFIO_DEVICE_RESET));
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_IRQ_MASK));
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_IRQ_STATUS));
	EXPECT_EQ(0U, signals(efd, SILENCE_MS));
	/* The function reset cleared Bus Master; the driver sets it again. */
	EXPECT_EQ(0, CFG_RD(PCI_COMMAND, 2) & PCI_COMMAND_MASTER);
	ASSERT_EQ(0, vfio_bus_master(self->fd, true));
	MMIO_WR(MVGPU_REG_IRQ_RAISE, SOFT);	/* masked again */
	EXPECT_EQ(0U, signals(efd, SILENCE_MS));
	MMIO_WR(MVGPU_REG_IRQ_MASK, SOFT);
	EXPECT_EQ(1U, signals(efd, SIGNAL_MS));
	ASSERT_EQ(0, set_none(self->fd, ERR, TRIGGER, 1));
	EXPECT_EQ(1U, signals(err, SIGNAL_MS));

	/* The same across the device's own reset. */
	MMIO_WR(MVGPU_REG_CONTROL, MVGPU_CONTROL_RESET);
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_IRQ_MASK));
	MMIO_WR(MVGPU_REG_IRQ_MASK, SOFT);
	MMIO_WR(MVGPU_REG_IRQ_RAISE, SOFT);
	EXPECT_EQ(1U, signals(efd, SIGNAL_MS));
	/* And MSI stays the mode: INTx cannot be enabled. */
	EXPECT_EQ(-EINVAL, set_eventfd(self->fd, INTX, err));

	/* INTx's automask state is configuration too: kept. */
	ASSERT_EQ(0, set_eventfd(self->fd, MSI, -1));
	MMIO_WR(MVGPU_REG_IRQ_STATUS, SOFT);
	ASSERT_EQ(0, set_eventfd(self->fd, INTX, efd));
	MMIO_WR(MVGPU_REG_IRQ_RAISE, SOFT);
	EXPECT_EQ(1U, signals(efd, SIGNAL_MS));		/* now masked */
	ASSERT_EQ(0, ioctl(self->fd, VFIO_DEVICE_RESET));
	EXPECT_EQ(0, PCI_STATUS_RD() & PCI_STATUS_INTERRUPT);
	MMIO_WR(MVGPU_REG_IRQ_MASK, SOFT);
	MMIO_WR(MVGPU_REG_IRQ_RAISE, SOFT);
	EXPECT_EQ(0U, signals(efd, SILENCE_MS));
	ASSERT_EQ(0, set_none(self->fd, INTX, UNMASK, 1));
	EXPECT_EQ(1U, signals(efd, SIGNAL_MS));
	close(efd);
	close(err);
}

TEST_F(vgpu, close_drops_irq_config)
{
	int efd = eventfd_new(), efd2 = eventfd_new();

	if (!self->ready)
		return;
	ASSERT_EQ(0, set_eventfd(self->fd, MSI, efd));
	MMIO_WR(MVGPU_REG_SCRATCH, 0x600d);
	vfio_dev_close(&self->dev);
	ASSERT_EQ(0, vfio_dev_open(self->uuid, &self->dev));
	self->fd = self->dev.device;

	/* The next user gets a device in its reset state, no triggers. */
	EXPECT_EQ(0U, MMIO_RD(MVGPU_REG_SCRATCH));
	MMIO_WR(MVGPU_REG_IRQ_MASK, SOFT);
	MMIO_WR(MVGPU_REG_IRQ_RAISE, SOFT);
	EXPECT_EQ(0U, signals(efd, SILENCE_MS));
	/* INTx is free again (MSI was dropped). */
	ASSERT_EQ(0, set_eventfd(self->fd, INTX, efd2));
	EXPECT_EQ(1U, signals(efd2, SIGNAL_MS));
	EXPECT_EQ(0U, signals(efd, SILENCE_MS));
	close(efd);
	close(efd2);
}

struct remover {
	const char *uuid;
	int ret;
	int done;
};

static void *remove_thread(void *arg)
{
	struct remover *r = arg;

	r->ret = mdev_remove(r->uuid);
	__atomic_store_n(&r->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* Removing an open vGPU asks its user to let go through REQ. */
TEST_F(vgpu, req_on_remove)
{
	struct remover r = { .uuid = self->uuid };
	pthread_t t;
	int efd = eventfd_new();

	if (!self->ready)
		return;
	ASSERT_EQ(0, set_eventfd(self->fd, REQ, efd));
	ASSERT_EQ(0, pthread_create(&t, NULL, remove_thread, &r));
	EXPECT_LE(1U, signals(efd, 10000)) TH_LOG("no REQ within 10 s");
	/* Removal waits for us; the device keeps working meanwhile. */
	usleep(100 * 1000);
	EXPECT_EQ(0, __atomic_load_n(&r.done, __ATOMIC_SEQ_CST));
	EXPECT_EQ(MVGPU_ID_MAGIC, MMIO_RD(MVGPU_REG_ID));
	vfio_dev_close(&self->dev);
	pthread_join(t, NULL);
	EXPECT_EQ(0, r.ret);
	EXPECT_FALSE(mdev_exists(self->uuid));
	close(efd);
}

/*
 * Section 10: only DATA_NONE may have count 0 (it removes the trigger).
 * DATA_EVENTFD or DATA_BOOL with count 0 pass the VFIO core's checks with
 * no payload; before b075990 the driver then read the fd through a NULL
 * pointer.
 */
TEST_F(vgpu, set_irqs_count0)
{
	static const uint32_t idx[] = { MSI, INTX, ERR, REQ };
	const uint32_t hdr = sizeof(struct vfio_irq_set);
	int efd = eventfd_new();
	unsigned int i;

	if (!self->ready)
		return;
	ASSERT_EQ(0, set_eventfd(self->fd, MSI, efd));
	for (i = 0; i < ARRAY_SIZE(idx); i++) {
		EXPECT_EQ(-EINVAL, set_irqs(self->fd, hdr, D_EVENTFD | TRIGGER,
					    idx[i], 0, 0, NULL, 0))
			TH_LOG("index %u", idx[i]);
		EXPECT_EQ(-EINVAL, set_irqs(self->fd, hdr, D_BOOL | TRIGGER,
					    idx[i], 0, 0, NULL, 0))
			TH_LOG("index %u", idx[i]);
	}
	/* The MSI trigger survived; DATA_NONE count 0 removes it. */
	MMIO_WR(MVGPU_REG_IRQ_MASK, SOFT);
	MMIO_WR(MVGPU_REG_IRQ_RAISE, SOFT);
	EXPECT_EQ(1U, signals(efd, SIGNAL_MS));
	EXPECT_EQ(0, set_none(self->fd, MSI, TRIGGER, 0));
	MMIO_WR(MVGPU_REG_IRQ_STATUS, SOFT);
	MMIO_WR(MVGPU_REG_IRQ_RAISE, SOFT);
	EXPECT_EQ(0U, signals(efd, SILENCE_MS));
	EXPECT_EQ(MVGPU_ID_MAGIC, MMIO_RD(MVGPU_REG_ID));
	close(efd);
}

int main(int argc, char **argv)
{
	return vgpu_fixture_main(argc, argv);
}
