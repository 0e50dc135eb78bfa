/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mvgpu live migration stream, version 1.
 *
 * What a vGPU's VFIO migration data file produces in the saving states
 * (PRE_COPY, STOP_COPY) and accepts in RESUMING.  Documented in
 * Documentation/mvgpu-device.rst, "Migration stream".  Every field is
 * little-endian.  A stream is one struct mvgpu_mig_hdr followed by
 * records, each a struct mvgpu_mig_rec and its payload; the last record
 * is MVGPU_MIG_REC_END, after which nothing may follow.
 *
 * Checksums are CRC-32 (IEEE 802.3, reflected, as zlib's crc32()).
 */
#ifndef _UAPI_LINUX_MVGPU_MIG_H
#define _UAPI_LINUX_MVGPU_MIG_H

#include <linux/types.h>

/* "MVGPUMIG" as bytes. */
#define MVGPU_MIG_MAGIC		0x47494d555047564dULL
#define MVGPU_MIG_VERSION	1
/* VRAM travels in records of whole 4 KiB pages, at most this many bytes. */
#define MVGPU_MIG_PAGE		4096u
#define MVGPU_MIG_CHUNK		(16 * MVGPU_MIG_PAGE)

/**
 * struct mvgpu_mig_hdr - the first 64 bytes of a stream
 * @magic: %MVGPU_MIG_MAGIC.
 * @version: %MVGPU_MIG_VERSION.
 * @hdr_size: sizeof(struct mvgpu_mig_hdr).
 * @profile: the source's profile number (MVGPU_REG_PROFILE bits 15:0).
 * @kind: 0 time-sliced, 1 partitioned.
 * @vram_size: the source's VRAM slice in bytes.
 * @nr_queues: the source's queues (MVGPU_REG_ENGINES).
 * @features: the source's MVGPU_REG_FEATURES; a target must have all.
 * @isa_version: the source's MVGPU_REG_VERSION.
 * @reserved: zero.
 * @crc: CRC-32 of the bytes before it.
 */
struct mvgpu_mig_hdr {
	__le64 magic;
	__le32 version;
	__le32 hdr_size;
	__le32 profile;
	__le32 kind;
	__le64 vram_size;
	__le32 nr_queues;
	__le32 features;
	__le32 isa_version;
	__le32 reserved[4];
	__le32 crc;
};

/* Record types. */
#define MVGPU_MIG_REC_VRAM	1	/* payload: @len bytes of VRAM at @offset */
#define MVGPU_MIG_REC_ZERO	2	/* no payload: @len zero bytes at @offset */
#define MVGPU_MIG_REC_STATE	3	/* payload: struct mvgpu_mig_state */
#define MVGPU_MIG_REC_END	4	/* payload: struct mvgpu_mig_end */

/**
 * struct mvgpu_mig_rec - a record header
 * @type: MVGPU_MIG_REC_*.
 * @len: VRAM and ZERO: bytes, a multiple of %MVGPU_MIG_PAGE, at most
 *	%MVGPU_MIG_CHUNK; STATE and END: the payload's size.
 * @offset: VRAM and ZERO: slice offset, %MVGPU_MIG_PAGE aligned; else 0.
 * @payload_crc: CRC-32 of the payload (0 for none).
 * @crc: CRC-32 of the bytes of this header before it.
 */
struct mvgpu_mig_rec {
	__le32 type;
	__le32 len;
	__le64 offset;
	__le32 payload_crc;
	__le32 crc;
};

/**
 * struct mvgpu_mig_queue - one queue's registers and execution state
 * @ring: MVGPU_QREG_RING_*.
 * @qsa: MVGPU_QREG_QSA_*.
 * @fence: the last completed fence.
 * @progress: the command in progress: the engine's progress through it.
 * @acc: and its running accumulator (REDUCE).
 * @op_ns: and the engine time it used (the watchdog's count).
 * @ring_size: MVGPU_QREG_RING_SIZE.
 * @flags: MVGPU_MIG_Q_* bits.
 * @head: next ring offset the engine reads.
 * @tail: qsa.tail as the engine last read and checked it.
 * @cmd_offset: ring offset of the command in progress.
 * @reserved: zero.
 * @cmd: the command in progress, as the engine copied it off the ring.
 */
struct mvgpu_mig_queue {
	__le64 ring;
	__le64 qsa;
	__le64 fence;
	__le64 progress;
	__le64 acc;
	__le64 op_ns;
	__le32 ring_size;
	__le32 flags;
	__le32 head;
	__le32 tail;
	__le32 cmd_offset;
	__le32 reserved;
	__u8 cmd[64];
};

#define MVGPU_MIG_Q_ENABLED	(1u << 0)
#define MVGPU_MIG_Q_ARMED	(1u << 1)	/* doorbell_needed is 1 */
#define MVGPU_MIG_Q_OP_ACTIVE	(1u << 2)	/* @cmd is in progress */

/* struct mvgpu_mig_state.irq_flags */
#define MVGPU_MIG_IRQ_LEVEL	(1u << 0)	/* interrupt asserted */
#define MVGPU_MIG_IRQ_DEFERRED	(1u << 1)	/* one owed (moderation) */
#define MVGPU_MIG_IRQ_INTX_MASKED (1u << 2)	/* INTx auto-masked */
#define MVGPU_MIG_IRQ_FAILED	(1u << 3)	/* the vGPU's error state */

/**
 * struct mvgpu_mig_state - the device state besides VRAM
 * @cfg: PCI configuration space (only guest-writable bits are restored).
 * @scratch: MVGPU_REG_SCRATCH.
 * @control: MVGPU_REG_CONTROL.
 * @error: MVGPU_REG_ERROR.
 * @error_info: MVGPU_REG_ERROR_INFO.
 * @irq_status: MVGPU_REG_IRQ_STATUS.
 * @irq_mask: MVGPU_REG_IRQ_MASK.
 * @irq_flags: MVGPU_MIG_IRQ_* bits.
 * @weight: scheduling weight.
 * @cap: engine cap in percent, 0 for none.
 * @nr_queues: entries of @queues used (the rest are zero).
 * @timeslice_ns: timeslice.
 * @queues: the queues.
 */
struct mvgpu_mig_state {
	__u8 cfg[4096];
	__le32 scratch;
	__le32 control;
	__le32 error;
	__le32 error_info;
	__le32 irq_status;
	__le32 irq_mask;
	__le32 irq_flags;
	__le32 weight;
	__le32 cap;
	__le32 nr_queues;
	__le64 timeslice_ns;
	struct mvgpu_mig_queue queues[16];
};

/**
 * struct mvgpu_mig_end - the last record's payload
 * @records: records before this one.
 * @bytes: stream bytes before this record's header.
 * @stream_crc: CRC-32 of those bytes.
 * @reserved: zero.
 */
struct mvgpu_mig_end {
	__le64 records;
	__le64 bytes;
	__le32 stream_crc;
	__le32 reserved;
};

#endif /* _UAPI_LINUX_MVGPU_MIG_H */
