/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mvgpu engine protocol: how a userspace engine server (mvgpu-engined)
 * runs a physical GPU's engines for mvgpu, through /dev/mvgpu-engine of
 * the mvgpu_user module.
 *
 * This header is the machine-readable half of
 * Documentation/mvgpu-engine-protocol.rst.  In short:
 *
 *   open("/dev/mvgpu-engine")       root only (CAP_SYS_ADMIN)
 *   MVGPU_ENGINE_ATTACH             negotiate the version, register (or
 *                                   take over) a pGPU: VRAM size, engine
 *                                   count, names, chunk sizes
 *   mmap(MVGPU_ENGINE_MMAP_VRAM)    the pGPU's VRAM, read-write, shared:
 *                                   kernel-owned ordinary pages that a GPU
 *                                   driver can import and pin
 *   mmap(MVGPU_ENGINE_MMAP_DESC)    one read-only descriptor page per
 *                                   engine (struct mvgpu_engine_desc)
 *   MVGPU_ENGINE_COMMIT_AND_FETCH   per engine, in a loop: report the
 *                                   result of the last chunk, wait (with a
 *                                   timeout) for the next one
 *   MVGPU_ENGINE_DETACH / close()   the pGPU goes offline: every vGPU on
 *                                   it fails with MVGPU_ERR_HOST until a
 *                                   server attaches again
 *
 * The kernel validates every command against the vGPU's slice before a
 * descriptor is written; the server checks the ranges against the VRAM
 * size once more and only executes.  Guest memory never reaches the
 * server: COPY with a _SYS side and SPIN run in the kernel.
 *
 * Structures are in CPU byte order and padded to multiples of 8 bytes;
 * reserved fields and flags must be zero.  VRAM contents are little-endian,
 * as on every mvgpu device.
 */
#ifndef _UAPI_LINUX_MVGPU_ENGINE_H
#define _UAPI_LINUX_MVGPU_ENGINE_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * Protocol version, major << 16 | minor.  A server passes the highest
 * version it speaks; the kernel answers with the version both use: the
 * same major and the smaller minor.  A different major is refused with
 * EPROTONOSUPPORT.  Minor versions only add: new opcodes a server may
 * decline (MVGPU_ENGINE_ST_UNSUPPORTED), new fields in space that was
 * reserved and zero.
 */
#define MVGPU_ENGINE_VERSION_MAJOR	1
#define MVGPU_ENGINE_VERSION_MINOR	0
#define MVGPU_ENGINE_VERSION(major, minor)	(((major) << 16) | (minor))
#define MVGPU_ENGINE_VERSION_CURRENT \
	MVGPU_ENGINE_VERSION(MVGPU_ENGINE_VERSION_MAJOR, \
			     MVGPU_ENGINE_VERSION_MINOR)

#define MVGPU_ENGINE_NAME_LEN		32	/* identity, with its NUL */
#define MVGPU_ENGINE_MODEL_LEN		64	/* device name, with its NUL */

/* mmap offsets (page aligned): VRAM, and the descriptor pages after it. */
#define MVGPU_ENGINE_MMAP_VRAM		0x0ull
#define MVGPU_ENGINE_MMAP_DESC		(1ull << 40)

/* ATTACH flags. */
#define MVGPU_ENGINE_ATTACH_PCI		(1u << 0)	/* @pci_* are valid */

/**
 * struct mvgpu_engine_attach - MVGPU_ENGINE_ATTACH
 * @argsz: in: sizeof(struct mvgpu_engine_attach).
 * @version: in: the highest version the server speaks; out: the one in use.
 * @flags: in: MVGPU_ENGINE_ATTACH_*.
 * @nr_engines: in: engines, 1..16; each needs a server thread calling
 *	MVGPU_ENGINE_COMMIT_AND_FETCH.
 * @vram_size: in: VRAM bytes, a multiple of 16 MiB, at most the module's
 *	max_vram_mb.  A take-over must give the size and engine count the
 *	pGPU has.
 * @name: in: the pGPU's identity, NUL-terminated, [A-Za-z0-9._:-]+.  A
 *	server attaching with the name of an offline pGPU takes it over (its
 *	vGPUs and VRAM contents stay); the name of an online one is EBUSY.
 * @model: in: the device name shown in sysfs ("llvmpipe (LLVM 15.0.6,
 *	256 bits)"), NUL-terminated; printable ASCII.
 * @pci_domain: in: the GPU's PCI address, with MVGPU_ENGINE_ATTACH_PCI
 * @pci_bus: (VK_EXT_pci_bus_info); shown in sysfs as pci_address.
 * @pci_dev:
 * @pci_func:
 * @chunk_bytes: in: bytes of FILL or COPY per chunk, 0 for the default;
 *	clamped to 4 KiB..64 MiB and rounded down to 4 KiB.
 * @chunk_elems: in: AXPY/REDUCE elements per chunk, 0 for the default;
 *	clamped to 1 Ki..16 Mi.
 * @chunk_macs: in: GEMM multiply-adds per chunk, 0 for the default;
 *	clamped to 64 Ki..1 Gi.  A GEMM chunk is whole rows of C: about
 *	chunk_macs / (N * K), a multiple of @gemm_rows, at least @gemm_rows
 *	(the last chunk takes what is left).
 * @gemm_rows: in: GEMM rows per chunk are a multiple of this, 1..256, 0
 *	for 1: the height of the server's GEMM workgroup, so that no chunk
 *	leaves most of a workgroup idle.
 * @pgpu_id: out: the pGPU is /sys/class/mvgpu/mvgpu<pgpu_id>.
 * @takeover: out: 1 when an offline pGPU was taken over, else 0.
 * @desc_size: out: bytes between two engines' descriptors in the
 *	MVGPU_ENGINE_MMAP_DESC mapping (the page size).
 * @reserved: zero.
 */
struct mvgpu_engine_attach {
	__u32 argsz;
	__u32 version;
	__u32 flags;
	__u32 nr_engines;
	__u64 vram_size;
	char name[MVGPU_ENGINE_NAME_LEN];
	char model[MVGPU_ENGINE_MODEL_LEN];
	__u32 pci_domain;
	__u8 pci_bus;
	__u8 pci_dev;
	__u8 pci_func;
	__u8 pad0;
	__u64 chunk_bytes;
	__u64 chunk_elems;
	__u64 chunk_macs;
	__u32 pgpu_id;
	__u32 takeover;
	__u32 desc_size;
	__u32 gemm_rows;
	__u64 reserved[4];
};

/*
 * Descriptor flags: the command's MVGPU_CMD_F_* bits that matter to the
 * server.  None today: _SYS sides never reach the server.
 */

/**
 * struct mvgpu_engine_desc - the chunk an engine is to run (read-only)
 * @seq: sequence number of the chunk, counting from 1 per engine; the
 *	descriptor is valid once MVGPU_ENGINE_COMMIT_AND_FETCH returned it.
 * @opcode: enum mvgpu_opcode of include/uapi/linux/mvgpu.h: FILL, COPY,
 *	GEMM_I32, AXPY_I32, REDUCE_I32 and, from ISA 1.1, GEMM_F32 (9).  A
 *	server answers MVGPU_ENGINE_ST_UNSUPPORTED for any other.
 * @flags: zero (see above).
 * @dst: absolute VRAM byte offset: FILL/COPY destination, AXPY y,
 *	GEMM C.  (REDUCE: unused, the kernel stores the sum.)
 * @src: absolute VRAM byte offset: COPY source, AXPY x, REDUCE input,
 *	GEMM A.
 * @src2: absolute VRAM byte offset: GEMM B.
 * @len: the whole command: bytes (FILL, COPY) or elements (AXPY, REDUCE).
 * @m: GEMM: rows of A and C.
 * @n: GEMM: columns of B and C.
 * @k: GEMM: columns of A, rows of B.
 * @value: FILL: 32-bit pattern; AXPY: 32-bit multiplier a.
 * @begin: the chunk's first unit: byte (FILL, COPY), element (AXPY,
 *	REDUCE) or row of C (GEMM), counted from the start of the command.
 * @end: one past its last unit; begin < end <= len (GEMM: m).
 * @reserved: zero.
 *
 * The kernel writes a descriptor only while its engine's server thread
 * has no chunk outstanding, so a server reads it once after the ioctl.
 */
struct mvgpu_engine_desc {
	__u64 seq;
	__u32 opcode;
	__u32 flags;
	__u64 dst;
	__u64 src;
	__u64 src2;
	__u64 len;
	__u32 m;
	__u32 n;
	__u32 k;
	__u32 pad;
	__u64 value;
	__u64 begin;
	__u64 end;
	__u64 reserved[4];
};

/* Chunk results (struct mvgpu_engine_fetch.status). */
#define MVGPU_ENGINE_ST_OK		0	/* done, VRAM updated */
#define MVGPU_ENGINE_ST_ERROR		1	/* failed: vGPU gets ERR_HOST */
#define MVGPU_ENGINE_ST_UNSUPPORTED	2	/* opcode not implemented */
#define MVGPU_ENGINE_ST_BAD_RANGE	3	/* server's range check failed */

/**
 * struct mvgpu_engine_fetch - MVGPU_ENGINE_COMMIT_AND_FETCH
 * @engine: in: engine index.
 * @status: in: MVGPU_ENGINE_ST_* of chunk @seq.
 * @seq: in: the chunk whose result this is, or 0 for none (the first
 *	call, or after a timeout); out: the chunk now in the engine's
 *	descriptor.
 * @result: in: REDUCE: the chunk's sum of elements, modulo 2^64; else 0.
 * @timeout_ms: in: how long to wait for a chunk, at most 60000.
 * @pad: zero.
 *
 * Return: 0 with a new chunk; -1 with errno ETIMEDOUT (no chunk in
 * @timeout_ms: call again with @seq 0), EINTR (a signal), ESHUTDOWN (the
 * pGPU was detached), EINVAL (bad @engine, @status, @timeout_ms or padding).
 * A commit for a chunk the kernel no longer waits for (it gave up after
 * its own exec_timeout_ms) is ignored.
 */
struct mvgpu_engine_fetch {
	__u32 engine;
	__u32 status;
	__u64 seq;
	__u64 result;
	__u32 timeout_ms;
	__u32 pad;
};

/**
 * struct mvgpu_engine_remove - MVGPU_ENGINE_REMOVE
 * @name: in: the name of an offline pGPU to unregister for good, with
 *	its vGPUs (their VFIO users are asked to let go, as on rmmod).
 */
struct mvgpu_engine_remove {
	char name[MVGPU_ENGINE_NAME_LEN];
};

#define MVGPU_ENGINE_IOC_TYPE		0xb8
#define MVGPU_ENGINE_ATTACH \
	_IOWR(MVGPU_ENGINE_IOC_TYPE, 0, struct mvgpu_engine_attach)
#define MVGPU_ENGINE_COMMIT_AND_FETCH \
	_IOWR(MVGPU_ENGINE_IOC_TYPE, 1, struct mvgpu_engine_fetch)
#define MVGPU_ENGINE_DETACH		_IO(MVGPU_ENGINE_IOC_TYPE, 2)
#define MVGPU_ENGINE_REMOVE \
	_IOW(MVGPU_ENGINE_IOC_TYPE, 3, struct mvgpu_engine_remove)

#endif /* _UAPI_LINUX_MVGPU_ENGINE_H */
