/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mvgpu virtual GPU: the device as a guest driver or a VFIO client sees it.
 *
 * This header is the machine-readable half of
 * Documentation/mvgpu-device.rst, the vGPU programming manual.  The host
 * module, the guest driver and the tests all build against this one copy.
 *
 * All registers are little-endian, and so are the structures the device
 * reads from VRAM (__le32/__le64 fields: struct mvgpu_qsa, struct
 * mvgpu_cmd); the device-file ioctl structures are in CPU byte order.
 * Every structure is padded to a multiple of 8 bytes, and every reserved
 * field must be written as zero.
 */
#ifndef _UAPI_LINUX_MVGPU_H
#define _UAPI_LINUX_MVGPU_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* ---------------------------------------------------------------------- */
/* PCI identity                                                            */
/* ---------------------------------------------------------------------- */

/*
 * 0x1234 is the "unassigned" vendor ID also used by QEMU's Bochs display;
 * the device ID below does not collide with any device using it.  A
 * registered vendor ID replaces this before a stable release; the guest
 * driver matches on MVGPU_PCI_VENDOR_ID/MVGPU_PCI_DEVICE_ID only.
 */
#define MVGPU_PCI_VENDOR_ID		0x1234
#define MVGPU_PCI_DEVICE_ID		0x4d56	/* "MV" */
#define MVGPU_PCI_SUBSYS_VENDOR_ID	MVGPU_PCI_VENDOR_ID
/* The subsystem device ID is the profile number, see MVGPU_REG_PROFILE. */
#define MVGPU_PCI_REVISION		0x01
#define MVGPU_PCI_CLASS			0x030200 /* display, 3D controller */

/* Size of the emulated configuration space (PCI Express: 4 KiB). */
#define MVGPU_CFG_SIZE			0x1000

/* Capability list, fixed offsets (the manual, "Configuration space"). */
#define MVGPU_CFG_CAP_PCIE		0x40	/* PCI Express, version 2 */
#define MVGPU_CFG_CAP_MSI		0x80	/* MSI, 64-bit, 1 vector */

/* BARs. */
#define MVGPU_BAR_MMIO			0	/* 32-bit memory, registers */
#define MVGPU_BAR_VRAM			2	/* 64-bit prefetchable, VRAM */
#define MVGPU_MMIO_SIZE			0x4000	/* 16 KiB */

/* ---------------------------------------------------------------------- */
/* BAR0 registers                                                          */
/* ---------------------------------------------------------------------- */

/*
 * Every register is 32 bits wide and 4-byte aligned.  Reads of 1, 2 or 4
 * bytes return the corresponding bytes; an 8-byte read at an 8-byte
 * aligned offset returns two consecutive registers.  Writes narrower than
 * 4 bytes are ignored.  Offsets that name no register read as zero and
 * ignore writes.
 */

/* RO: identification, always MVGPU_ID_MAGIC. */
#define MVGPU_REG_ID			0x0000
#define   MVGPU_ID_MAGIC		0x4d564750	/* "MVGP" */

/*
 * RO: interface version, major in bits 31:16, minor in bits 15:0.
 * Minor 1 (ISA 1.1) added MVGPU_OP_GEMM_F32 and MVGPU_FEAT_GEMM_F32.
 */
#define MVGPU_REG_VERSION		0x0004
#define   MVGPU_VERSION_MAJOR		1
#define   MVGPU_VERSION_MINOR		2	/* 1.2: display engine */
#define   MVGPU_VERSION			((MVGPU_VERSION_MAJOR << 16) | \
					 MVGPU_VERSION_MINOR)

/*
 * RO: feature bits.  A driver must ignore bits it does not know; a device
 * never sets a bit whose feature changes the meaning of a register a
 * driver of the same major version already uses.
 */
#define MVGPU_REG_FEATURES		0x0008
#define   MVGPU_FEAT_MSI		(1u << 0)	/* MSI capability */
#define   MVGPU_FEAT_SOFT_IRQ		(1u << 1)	/* MVGPU_REG_IRQ_RAISE */
#define   MVGPU_FEAT_PARTITIONED	(1u << 2)	/* dedicated engines */
#define   MVGPU_FEAT_RING		(1u << 3)	/* command queues */
#define   MVGPU_FEAT_GEMM_F32		(1u << 4)	/* MVGPU_OP_GEMM_F32 */
#define   MVGPU_FEAT_DISPLAY		(1u << 5)	/* display engine */

/*
 * RO: profile.  Bits 15:0 are the profile number (also the PCI subsystem
 * device ID), bit 16 is set for a partitioned profile.  The profile number
 * encodes the profile: bit 15 partitioned, bits 11:8 dedicated engines of
 * a partitioned profile, bits 7:0 log2 of the VRAM slice in MiB.
 */
#define MVGPU_REG_PROFILE		0x000c
#define   MVGPU_PROFILE_ID_MASK		0xffffu
#define   MVGPU_PROFILE_F_PARTITIONED	(1u << 16)
#define   MVGPU_PROFILE_ID_PART		(1u << 15)
#define   MVGPU_PROFILE_ID_ENGINES(id)	(((id) >> 8) & 0xfu)
#define   MVGPU_PROFILE_ID_VRAM_LOG2(id) ((id) & 0xffu)

/* RO: size in bytes of the VRAM slice behind BAR2. */
#define MVGPU_REG_VRAM_SIZE_LO		0x0010
#define MVGPU_REG_VRAM_SIZE_HI		0x0014

/* RO: number of engines this vGPU may submit to. */
#define MVGPU_REG_ENGINES		0x0018

/* RW: scratch register without side effects, reset value 0. */
#define MVGPU_REG_SCRATCH		0x001c

/*
 * RW: device control.
 *   ENABLE       the driver has set the device up.  In version 1.0 it is
 *                only reflected in MVGPU_STATUS_ENABLED: interrupts depend
 *                on IRQ_STATUS and IRQ_MASK alone, queues run without it.
 *   QUEUE_RESET  write 1: engine reset.  Every queue stops and is
 *                disabled, in-flight commands are dropped, the error state
 *                is cleared; VRAM and interrupt state are kept.  Reads 0.
 *   RESET        write 1: device reset (see the manual, "Reset").  Reads 0.
 */
#define MVGPU_REG_CONTROL		0x0020
#define   MVGPU_CONTROL_ENABLE		(1u << 0)
#define   MVGPU_CONTROL_QUEUE_RESET	(1u << 30)
#define   MVGPU_CONTROL_RESET		(1u << 31)
#define   MVGPU_CONTROL_RW_MASK		MVGPU_CONTROL_ENABLE

/* RO: device status. */
#define MVGPU_REG_STATUS		0x0024
#define   MVGPU_STATUS_ENABLED		(1u << 0)
#define   MVGPU_STATUS_ERROR		(1u << 1)	/* see MVGPU_REG_ERROR */

/*
 * RO: the first error (enum mvgpu_error) since the vGPU last left the
 * error state or was reset, and its detail in MVGPU_REG_ERROR_INFO.
 * Further errors are not recorded until the error state ends (engine
 * reset, MVGPU_CONTROL_QUEUE_RESET, or device reset); entering it raises
 * MVGPU_IRQ_ERROR and signals the VFIO ERR interrupt (the manual,
 * "Errors").
 */
#define MVGPU_REG_ERROR			0x0028
#define MVGPU_REG_ERROR_INFO		0x002c

/*
 * Interrupts.  IRQ_STATUS is write-1-to-clear; IRQ_MASK enables a source
 * when its bit is set (reset value 0: everything masked).  The interrupt
 * is asserted while (IRQ_STATUS & IRQ_MASK) != 0.  With MSI, a message is
 * sent when that expression goes from zero to non-zero; with INTx the line
 * stays asserted until the driver clears the status bits.
 * Writing 1 bits to IRQ_RAISE sets the same bits in IRQ_STATUS (only
 * MVGPU_IRQ_SOFT may be raised this way); drivers use it to test their
 * interrupt path.
 */
#define MVGPU_REG_IRQ_STATUS		0x0030
#define MVGPU_REG_IRQ_MASK		0x0034
#define MVGPU_REG_IRQ_RAISE		0x0038
#define   MVGPU_IRQ_FENCE		(1u << 0)
#define   MVGPU_IRQ_ERROR		(1u << 1)
#define   MVGPU_IRQ_SOFT		(1u << 2)
#define   MVGPU_IRQ_VBLANK		(1u << 3)	/* MVGPU_FEAT_DISPLAY */
#define   MVGPU_IRQ_ALL			(MVGPU_IRQ_FENCE | MVGPU_IRQ_ERROR | \
					 MVGPU_IRQ_SOFT | MVGPU_IRQ_VBLANK)

/**
 * enum mvgpu_error - values of MVGPU_REG_ERROR
 * @MVGPU_ERR_NONE: no error since reset.
 * @MVGPU_ERR_HOST: host fault: the host could not read or write the
 *	vGPU's VRAM while running a queue (not the driver's doing).
 *	ERROR_INFO: queue number << 24 | the queue's head (low 24 bits).
 * @MVGPU_ERR_QUEUE_CONFIG: a queue was enabled with a ring or queue shared
 *	area that is misaligned, of a bad size, overlapping, or outside the
 *	vGPU's VRAM.  ERROR_INFO: the queue number.
 * @MVGPU_ERR_BAD_TAIL: qsa.tail is not a multiple of MVGPU_CMD_SIZE or not
 *	inside the ring.  ERROR_INFO: queue number << 24 | tail (low 24 bits).
 * @MVGPU_ERR_BAD_OPCODE: unknown opcode.  ERROR_INFO for this and every
 *	command error below: queue number << 24 | ring offset of the command.
 * @MVGPU_ERR_BAD_FLAGS: a flag the opcode does not define, or a non-zero
 *	reserved argument.
 * @MVGPU_ERR_BAD_RANGE: a VRAM range outside the vGPU's slice, wrapping,
 *	misaligned, or overlapping where the opcode forbids it.
 * @MVGPU_ERR_BAD_SIZE: a count of zero, or a GEMM dimension or SPIN time
 *	above its limit.  A count too large for the slice is BAD_RANGE.
 * @MVGPU_ERR_DMA: a guest-memory access failed (IOVA not mapped, or
 *	unmapped while the command ran).
 * @MVGPU_ERR_TIMEOUT: the host watchdog aborted a command that used more
 *	engine time than the host allows (module parameter watchdog_ms of
 *	mvgpu, 400 ms by default).  The command is dropped, VRAM is kept;
 *	MVGPU_CONTROL_QUEUE_RESET recovers without losing VRAM.
 */
enum mvgpu_error {
	MVGPU_ERR_NONE = 0,
	MVGPU_ERR_HOST = 1,
	MVGPU_ERR_QUEUE_CONFIG = 2,
	MVGPU_ERR_BAD_TAIL = 3,
	MVGPU_ERR_BAD_OPCODE = 4,
	MVGPU_ERR_BAD_FLAGS = 5,
	MVGPU_ERR_BAD_RANGE = 6,
	MVGPU_ERR_BAD_SIZE = 7,
	MVGPU_ERR_DMA = 8,
	MVGPU_ERR_TIMEOUT = 9,
};

#define MVGPU_ERROR_INFO(queue, offset)	(((queue) << 24) | ((offset) & 0xffffffu))

/* ---------------------------------------------------------------------- */
/* Command queues (present when MVGPU_FEAT_RING is set)                    */
/* ---------------------------------------------------------------------- */

/*
 * A vGPU has MVGPU_REG_ENGINES queues.  Queue q's registers start at
 * MVGPU_QUEUE_BASE(q).  A queue is a ring of fixed-size commands in the
 * vGPU's own VRAM plus a queue shared area (struct mvgpu_qsa) in VRAM
 * through which driver and device exchange the ring pointers without
 * trapping; see "Command submission" in the manual.
 */
#define MVGPU_QUEUE_BASE(q)		(0x1000 + (q) * 0x100)
#define MVGPU_MAX_QUEUES		16

/* RW while the queue is disabled: ring location and size. */
#define MVGPU_QREG_RING_LO		0x00	/* VRAM offset, 4 KiB aligned */
#define MVGPU_QREG_RING_HI		0x04
#define MVGPU_QREG_RING_SIZE		0x08	/* bytes: 2^n, 4 KiB..16 MiB */
#define MVGPU_QREG_QSA_LO		0x0c	/* VRAM offset, 64 B aligned */
#define MVGPU_QREG_QSA_HI		0x10
/* RW: bit 0 enables the queue; the device then reads struct mvgpu_qsa. */
#define MVGPU_QREG_CONTROL		0x14
#define   MVGPU_QCTL_ENABLE		(1u << 0)
/* WO: doorbell; any value.  Needed only when qsa.doorbell_needed != 0. */
#define MVGPU_QREG_DOORBELL		0x18
/* RO: byte offset of the next command the device will read. */
#define MVGPU_QREG_HEAD			0x1c
/* RO: last fence value the queue completed (low, high). */
#define MVGPU_QREG_FENCE_LO		0x20
#define MVGPU_QREG_FENCE_HI		0x24

/**
 * struct mvgpu_qsa - queue shared area, in VRAM, 64 bytes
 * @tail: driver: byte offset after the last command written.
 * @head: device: byte offset of the next command it will read.
 * @doorbell_needed: device: 1 when it has stopped reading the ring and
 *	needs MVGPU_QREG_DOORBELL to look again; 0 while it polls @tail.
 * @irq_wanted: driver: 1 when it waits for a fence interrupt, 0 while it
 *	polls @fence (fence interrupts are then suppressed).
 * @fence: device: last fence value completed on this queue.
 * @reserved: zero.
 */
struct mvgpu_qsa {
	__le32 tail;
	__le32 head;
	__le32 doorbell_needed;
	__le32 irq_wanted;
	__le64 fence;
	__le64 reserved[5];
};

/**
 * struct mvgpu_cmd - one command, 64 bytes
 * @opcode: enum mvgpu_opcode.
 * @flags: MVGPU_CMD_F_* bits; unknown bits make the command invalid.
 * @args: operands, per opcode (see the manual); unused ones must be 0.
 */
struct mvgpu_cmd {
	__le32 opcode;
	__le32 flags;
	__le64 args[7];
};

#define MVGPU_CMD_SIZE			64

/* Flags; each opcode accepts only the ones listed with it. */
#define MVGPU_CMD_F_IRQ			(1u << 0)	/* FENCE */
#define MVGPU_CMD_F_SRC_SYS		(1u << 1)	/* COPY: src is an IOVA */
#define MVGPU_CMD_F_DST_SYS		(1u << 2)	/* COPY: dst is an IOVA */

/* Limits (the manual, "Commands"). */
#define MVGPU_GEMM_MAX_DIM		4096
#define MVGPU_SPIN_MAX_NS		1000000000ull	/* 1 s */

/**
 * enum mvgpu_opcode - command opcodes
 *
 * Addresses are byte offsets into the vGPU's VRAM unless a _SYS flag makes
 * them guest I/O virtual addresses (IOVAs, as mapped into the vGPU's VFIO
 * container).  "elements" are little-endian 32-bit integers; arithmetic
 * wraps modulo 2^32.  Unused args must be zero.
 *
 * @MVGPU_OP_NOP: nothing.
 * @MVGPU_OP_FENCE: args[0] = value.  Once every earlier command of the
 *	queue is complete, store value in MVGPU_QREG_FENCE, then in
 *	qsa.fence (the register is never behind qsa.fence);
 *	with MVGPU_CMD_F_IRQ and qsa.irq_wanted set, raise MVGPU_IRQ_FENCE.
 * @MVGPU_OP_TIMESTAMP: args[0] = dst (8-byte aligned): store the host's
 *	CLOCK_MONOTONIC time in ns, 64-bit.
 * @MVGPU_OP_FILL: args[0] = dst, args[1] = bytes, args[2] = 32-bit
 *	pattern.  dst and bytes 4-byte aligned.
 * @MVGPU_OP_COPY: args[0] = dst, args[1] = src, args[2] = bytes.  Flags
 *	SRC_SYS or DST_SYS (not both) make that side an IOVA.  Two VRAM
 *	ranges must not overlap.
 * @MVGPU_OP_GEMM_I32: C = A x B, row-major elements.  args[0] = C,
 *	args[1] = A, args[2] = B, args[3] = M (rows of A and C),
 *	args[4] = N (columns of B and C), args[5] = K (columns of A, rows of
 *	B); each dimension 1..MVGPU_GEMM_MAX_DIM.  C must not overlap A or B.
 * @MVGPU_OP_AXPY_I32: y = a * x + y.  args[0] = y, args[1] = x,
 *	args[2] = elements, args[3] = a (32 bits).  x and y must not overlap
 *	unless they are the same range.
 * @MVGPU_OP_REDUCE_I32: args[0] = dst (8-byte aligned), args[1] = src,
 *	args[2] = elements: store the 64-bit sum of the unsigned elements.
 * @MVGPU_OP_SPIN: args[0] = ns, at most MVGPU_SPIN_MAX_NS: keep the
 *	engine busy that long (scheduler tests).
 * @MVGPU_OP_GEMM_F32: C = A x B on IEEE-754 binary32 elements (little-
 *	endian), with MVGPU_FEAT_GEMM_F32 (version 1.1).  Arguments, limits
 *	and range rules as MVGPU_OP_GEMM_I32.  Sums are accumulated in
 *	binary32, in any order; the manual ("GEMM_F32") bounds the error
 *	against an exact product and says what NaN, infinity and denormal
 *	elements give.
 */
enum mvgpu_opcode {
	MVGPU_OP_NOP = 0,
	MVGPU_OP_FENCE = 1,
	MVGPU_OP_TIMESTAMP = 2,
	MVGPU_OP_FILL = 3,
	MVGPU_OP_COPY = 4,
	MVGPU_OP_GEMM_I32 = 5,
	MVGPU_OP_AXPY_I32 = 6,
	MVGPU_OP_REDUCE_I32 = 7,
	MVGPU_OP_SPIN = 8,
	MVGPU_OP_GEMM_F32 = 9,
	/*
	 * Minor versions add opcodes: there is deliberately no count here, it
	 * would freeze the number of opcodes into every program built against
	 * this header.  A driver uses what MVGPU_REG_VERSION promises.
	 */
};

/* ---------------------------------------------------------------------- */
/* Display engine (present when MVGPU_FEAT_DISPLAY is set)                 */
/* ---------------------------------------------------------------------- */

/*
 * One scanout plane, read from the vGPU's own VRAM; see "Display" in the
 * manual.  The plane registers (BASE .. FORMAT) are staged: they take
 * effect when MVGPU_REG_DISP_CONTROL is written (a commit), which checks
 * them.  A plane that does not pass the checks is not shown: the engine
 * turns the plane off, sets MVGPU_DISP_STATUS_ERROR and the reason in
 * MVGPU_REG_DISP_ERROR.  While a plane is shown, the engine raises
 * MVGPU_IRQ_VBLANK at MVGPU_DISP_REFRESH_HZ.
 */
#define MVGPU_DISP_BASE			0x0800
#define MVGPU_DISP_END			0x0900

/* RW: bit 0 enables the plane; every write is a commit. */
#define MVGPU_REG_DISP_CONTROL		0x0800
#define   MVGPU_DISP_CTL_ENABLE		(1u << 0)
/* RO: display status. */
#define MVGPU_REG_DISP_STATUS		0x0804
#define   MVGPU_DISP_STATUS_ACTIVE	(1u << 0)	/* a plane is shown */
#define   MVGPU_DISP_STATUS_ERROR	(1u << 1)	/* last commit refused */
#define   MVGPU_DISP_STATUS_LINK_UP	(1u << 2)	/* a monitor is there */
/* RO: enum mvgpu_disp_error of the last commit. */
#define MVGPU_REG_DISP_ERROR		0x0808
/* RW, staged: the plane.  BASE is a byte offset in the vGPU's VRAM. */
#define MVGPU_REG_DISP_BASE_LO		0x080c
#define MVGPU_REG_DISP_BASE_HI		0x0810
#define MVGPU_REG_DISP_WIDTH		0x0814	/* pixels */
#define MVGPU_REG_DISP_HEIGHT		0x0818	/* lines */
#define MVGPU_REG_DISP_STRIDE		0x081c	/* bytes per line */
#define MVGPU_REG_DISP_FORMAT		0x0820	/* DRM fourcc code */
/* RO: vblanks since the device was reset (wraps). */
#define MVGPU_REG_DISP_FRAME		0x0824
/* RO: the largest plane the engine shows. */
#define MVGPU_REG_DISP_MAX_WIDTH	0x0828
#define MVGPU_REG_DISP_MAX_HEIGHT	0x082c
/*
 * The monitor's EDID, as the host provides it.  EDID_SIZE is its length
 * in bytes (0: none); EDID_GEN counts the EDIDs the host has provided,
 * so a driver sees a change (a "hotplug").  EDID_DATA returns the four
 * bytes at byte offset EDID_INDEX (little-endian, zero past EDID_SIZE)
 * and advances EDID_INDEX by 4; EDID_INDEX is a multiple of 4 below
 * MVGPU_DISP_EDID_MAX (other values are rounded down and wrapped).
 */
#define MVGPU_REG_DISP_EDID_SIZE	0x0830
#define MVGPU_REG_DISP_EDID_GEN		0x0834
#define MVGPU_REG_DISP_EDID_INDEX	0x0838
#define MVGPU_REG_DISP_EDID_DATA	0x083c

/* The engine's limits. */
#define MVGPU_DISP_MAX_WIDTH		1920
#define MVGPU_DISP_MAX_HEIGHT		1200
#define MVGPU_DISP_MAX_STRIDE		16384
#define MVGPU_DISP_STRIDE_ALIGN		64
#define MVGPU_DISP_BASE_ALIGN		4096
#define MVGPU_DISP_MAX_FRAME		(MVGPU_DISP_MAX_WIDTH * \
					 MVGPU_DISP_MAX_HEIGHT * 4)
#define MVGPU_DISP_REFRESH_HZ		60
#define MVGPU_DISP_EDID_MAX		512

/* The one pixel format: DRM_FORMAT_XRGB8888, fourcc "XR24". */
#define MVGPU_DISP_FMT_XRGB8888		0x34325258

/**
 * enum mvgpu_disp_error - values of MVGPU_REG_DISP_ERROR
 * @MVGPU_DISP_ERR_NONE: the last commit was accepted (or disabled the
 *	plane).
 * @MVGPU_DISP_ERR_FORMAT: FORMAT is not a supported format.
 * @MVGPU_DISP_ERR_SIZE: WIDTH or HEIGHT is 0 or above its maximum.
 * @MVGPU_DISP_ERR_STRIDE: STRIDE is below WIDTH times the pixel size,
 *	above MVGPU_DISP_MAX_STRIDE or not a multiple of
 *	MVGPU_DISP_STRIDE_ALIGN.
 * @MVGPU_DISP_ERR_RANGE: BASE is not a multiple of MVGPU_DISP_BASE_ALIGN,
 *	or the frame (STRIDE x HEIGHT bytes from BASE) does not fit in the
 *	vGPU's VRAM or in MVGPU_DISP_MAX_FRAME bytes.
 */
enum mvgpu_disp_error {
	MVGPU_DISP_ERR_NONE = 0,
	MVGPU_DISP_ERR_FORMAT = 1,
	MVGPU_DISP_ERR_SIZE = 2,
	MVGPU_DISP_ERR_STRIDE = 3,
	MVGPU_DISP_ERR_RANGE = 4,
};

/*
 * VFIO regions past the vfio-pci ones (VFIO_PCI_NUM_REGIONS = 9): the
 * display region, where VFIO_DEVICE_QUERY_GFX_PLANE's region planes are
 * (read-only, mmap-able; the frame starts at offset 0), and the EDID
 * region (VFIO_REGION_TYPE_GFX / VFIO_REGION_SUBTYPE_GFX_EDID).
 */
#define MVGPU_REGION_DISPLAY		9
#define MVGPU_REGION_EDID		10
#define MVGPU_NUM_REGIONS		11

/* ---------------------------------------------------------------------- */
/* Device files: /dev/mvgpu<N> (guest driver), /dev/mvgpu-host<N> (host)   */
/* ---------------------------------------------------------------------- */

/*
 * One uAPI for both, so a program runs unchanged in a guest (mvgpu_guest.ko
 * driving a vGPU) and on the host (mvgpu.ko submitting to a pGPU directly
 * as the host context).  Each open file is one client: it sees a VRAM
 * window of info.vram_size bytes, mmap-able at file offset 0, allocates
 * buffers in it, and submits commands to info.queues queues.  Addresses in
 * commands are offsets in that window.  Closing the file stops the
 * client's work and frees everything it had.
 */
#define MVGPU_IOC_TYPE			0xb7
#define MVGPU_SUBMIT_MAX		1024	/* commands per SUBMIT */

/**
 * struct mvgpu_ioc_info - MVGPU_IOC_INFO
 * @version: MVGPU_VERSION of the device or host module.
 * @features: MVGPU_FEAT_* bits.
 * @vram_size: bytes of the client's VRAM window.
 * @queues: number of queues.
 * @profile: profile number (MVGPU_REG_PROFILE bits 15:0).
 * @flags: MVGPU_INFO_HOST for the host path.
 * @pad: zero.
 */
struct mvgpu_ioc_info {
	__u32 version;
	__u32 features;
	__u64 vram_size;
	__u32 queues;
	__u32 profile;
	__u32 flags;
	__u32 pad;
};

#define MVGPU_INFO_HOST			(1u << 0)

/**
 * struct mvgpu_ioc_alloc - MVGPU_IOC_ALLOC / MVGPU_IOC_FREE
 * @size: in: bytes (rounded up to 64 KiB).
 * @offset: out (ALLOC) / in (FREE): offset of the buffer in the window.
 */
struct mvgpu_ioc_alloc {
	__u64 size;
	__u64 offset;
};

/**
 * struct mvgpu_ioc_submit - MVGPU_IOC_SUBMIT
 * @cmds: in: user pointer to @count struct mvgpu_cmd.
 * @count: in: 1..MVGPU_SUBMIT_MAX.
 * @queue: in: queue number.
 * @fence: out: the queue's fence value that completes after these
 *	commands (the driver appends the FENCE).
 * @flags: in: zero.
 * @pad: zero.
 */
struct mvgpu_ioc_submit {
	__u64 cmds;
	__u32 count;
	__u32 queue;
	__u64 fence;
	__u32 flags;
	__u32 pad;
};

/**
 * struct mvgpu_ioc_wait - MVGPU_IOC_WAIT
 * @fence: in: a value MVGPU_IOC_SUBMIT returned.
 * @queue: in: its queue.
 * @timeout_ms: in: 0 polls once.
 *
 * Returns 0 once the fence completed, -ETIMEDOUT, -EINTR, or -EIO when
 * the device is in its error state (MVGPU_IOC_INFO still works; the client
 * must be reopened, or the device reset, to submit again).
 */
struct mvgpu_ioc_wait {
	__u64 fence;
	__u32 queue;
	__u32 timeout_ms;
};

#define MVGPU_IOC_INFO		_IOR(MVGPU_IOC_TYPE, 0, struct mvgpu_ioc_info)
#define MVGPU_IOC_ALLOC		_IOWR(MVGPU_IOC_TYPE, 1, struct mvgpu_ioc_alloc)
#define MVGPU_IOC_FREE		_IOW(MVGPU_IOC_TYPE, 2, struct mvgpu_ioc_alloc)
#define MVGPU_IOC_SUBMIT	_IOWR(MVGPU_IOC_TYPE, 3, struct mvgpu_ioc_submit)
#define MVGPU_IOC_WAIT		_IOW(MVGPU_IOC_TYPE, 4, struct mvgpu_ioc_wait)

#endif /* _UAPI_LINUX_MVGPU_H */
