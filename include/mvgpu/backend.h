/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvgpu backend interface: how a physical GPU driver plugs into mvgpu.ko.
 *
 * A backend (mvgpu_sim today, real GPU drivers later) describes one
 * physical GPU with struct mvgpu_pgpu_info, supplies struct mvgpu_pgpu_ops,
 * and calls mvgpu_pgpu_register().  The core then owns everything a host
 * administrator and a VFIO user see: the pGPU device in sysfs, its mdev
 * types, the vGPUs and their VFIO device model.  The core never touches
 * VRAM or engines directly; it asks the backend through the ops.
 */
#ifndef _MVGPU_BACKEND_H
#define _MVGPU_BACKEND_H

#include <linux/types.h>

struct device;
struct module;
struct mvgpu_dma;
struct mvgpu_pgpu;

/*
 * VRAM is handed out to vGPUs in units of this size, aligned to their own
 * size; a backend's VRAM size must be a multiple of it.
 */
#define MVGPU_VRAM_UNIT		(16ULL << 20)
/* The core tracks writes, and clears, in chunks of this size. */
#define MVGPU_VRAM_CHUNK	(64ULL << 10)
/* Upper bounds the core relies on (bitmap sizes in struct mvgpu_pgpu). */
#define MVGPU_MAX_VRAM_UNITS	256
#define MVGPU_MAX_ENGINES	16

/**
 * struct mvgpu_pgpu_info - static description of a physical GPU
 * @backend: short backend name shown in sysfs ("sim").
 * @parent: the hardware device (a PCI device), or NULL for a software pGPU,
 *	which then appears under /sys/devices/virtual/mvgpu/.
 * @vram_size: VRAM bytes available to vGPUs, a multiple of
 *	%MVGPU_VRAM_UNIT, at most %MVGPU_MAX_VRAM_UNITS units.
 * @nr_engines: number of engines, 1 to %MVGPU_MAX_ENGINES.
 * @model: optional: the GPU's name, shown in sysfs as "model" (copied,
 *	truncated to 63 bytes); NULL for none.
 * @pci_address: optional: the GPU's PCI address ("0000:01:00.0"), shown
 *	in sysfs as "pci_address" when @parent is not that device itself
 *	(copied); NULL for none.
 */
struct mvgpu_pgpu_info {
	const char *backend;
	struct device *parent;
	u64 vram_size;
	unsigned int nr_engines;
	const char *model;
	const char *pci_address;
};

/**
 * struct mvgpu_op - one validated command, as the core hands it to an engine
 * @opcode: enum mvgpu_opcode (never NOP, FENCE or TIMESTAMP: the core
 *	completes those itself).  "GEMM" below means both GEMM_I32 and
 *	GEMM_F32, which have the same operands.
 * @flags: MVGPU_CMD_F_* flags of the command.
 * @dst: destination: absolute offset in the pGPU's VRAM, or an IOVA when
 *	MVGPU_CMD_F_DST_SYS is set.
 * @src: source, likewise (MVGPU_CMD_F_SRC_SYS); GEMM: matrix A.
 * @src2: GEMM: matrix B.
 * @len: bytes (FILL, COPY) or elements (AXPY, REDUCE).
 * @m: GEMM rows of A and C.
 * @n: GEMM columns of B and C.
 * @k: GEMM columns of A, rows of B.
 * @value: FILL pattern, AXPY multiplier, SPIN nanoseconds.
 * @dma: the queue's guest-memory channel for _SYS sides (mvgpu_dma_rw()).
 * @progress: owned by the backend: how far execution got.  Zero when the
 *	op is first handed over; kept across preemption, so a later call
 *	resumes where the last one stopped.
 * @acc: backend scratch kept across chunks (REDUCE's running sum).
 *
 * Every VRAM range has been checked against the vGPU's slice, and every
 * size against its limit; a backend may trust them.
 */
struct mvgpu_op {
	u32 opcode;
	u32 flags;
	u64 dst;
	u64 src;
	u64 src2;
	u64 len;
	u32 m;
	u32 n;
	u32 k;
	u64 value;
	struct mvgpu_dma *dma;
	u64 progress;
	u64 acc;
};

/**
 * struct mvgpu_pgpu_ops - what the core asks of a backend
 * @owner: the backend module; the core pins it while any vGPU is open.
 * @vram_rw: copy @len bytes between VRAM at @offset and @buf.  The core
 *	has checked that the range lies inside the pGPU's VRAM.  May sleep.
 *	Return: 0 or a negative errno.
 * @vram_pfn: the page frame number backing the VRAM page at @offset
 *	(page aligned, inside VRAM), for mapping VRAM into a VFIO user's
 *	address space.  Called from a page fault handler.
 * @vram_clear: zero @len bytes of VRAM at @offset (both multiples of
 *	%MVGPU_VRAM_CHUNK).  Must not return before the memory reads as
 *	zero.  May sleep.
 * @exec: run one chunk of @op on @engine: at most about 100 us of work,
 *	so that the scheduler can preempt at chunk boundaries.  Called from
 *	the engine's thread, which may sleep.  Return: 0 when @op is
 *	complete, -EINPROGRESS when it needs more calls (progress saved in
 *	@op), or -EFAULT when guest memory could not be accessed.  A chunk
 *	that touches guest memory calls mvgpu_dma_rw() for at most a chunk's
 *	bytes; when that returns -EINPROGRESS, exec() returns -EINPROGRESS
 *	with no progress and repeats the same call next time.
 *	The core charges each call the engine time it took, by the
 *	engine's clock (mvgpu_engine_time_ns(): time the engine's thread
 *	was preempted does not count); a SPIN counts its progress with the
 *	same clock, so it is never charged less than it counts.
 * @op_check: optional: may @op, decoded and bounded by the core, resume
 *	with the @progress and @acc a live migration stream carries (from
 *	a backend of the same kind)?  Return: true if exec() can continue
 *	it without leaving its ranges.  Without it, a vGPU refuses incoming
 *	streams with a command in progress.
 */
struct mvgpu_pgpu_ops {
	struct module *owner;
	int (*vram_rw)(struct mvgpu_pgpu *pgpu, u64 offset, void *buf,
		       size_t len, bool write);
	unsigned long (*vram_pfn)(struct mvgpu_pgpu *pgpu, u64 offset);
	void (*vram_clear)(struct mvgpu_pgpu *pgpu, u64 offset, u64 len);
	int (*exec)(struct mvgpu_pgpu *pgpu, unsigned int engine,
		    struct mvgpu_op *op);
	bool (*op_check)(struct mvgpu_pgpu *pgpu, const struct mvgpu_op *op);
};

struct mvgpu_pgpu *mvgpu_pgpu_register(const struct mvgpu_pgpu_info *info,
				       const struct mvgpu_pgpu_ops *ops,
				       void *priv);
void mvgpu_pgpu_unregister(struct mvgpu_pgpu *pgpu);
void *mvgpu_pgpu_priv(struct mvgpu_pgpu *pgpu);
void mvgpu_pgpu_set_online(struct mvgpu_pgpu *pgpu, bool online);
int mvgpu_pgpu_id(struct mvgpu_pgpu *pgpu);
bool mvgpu_op_in_kernel(const struct mvgpu_op *op);
int mvgpu_exec_in_kernel(struct mvgpu_pgpu *pgpu, unsigned int engine,
			 struct mvgpu_op *op, void *vram);
int mvgpu_dma_rw(struct mvgpu_dma *dma, u64 iova, void *buf, size_t len,
		 bool write);
u64 mvgpu_engine_time_ns(struct mvgpu_pgpu *pgpu, unsigned int engine);
unsigned long mvgpu_vmem_pfn(void *vram, u64 offset);
void mvgpu_vmem_clear(void *vram, u64 size, u64 offset, u64 len);

#endif /* _MVGPU_BACKEND_H */
