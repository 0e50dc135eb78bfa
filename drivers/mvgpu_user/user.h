/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvgpu_user: a pGPU whose engines run in a userspace engine server
 * (tools/mvgpu-engined) speaking include/uapi/linux/mvgpu_engine.h.
 *
 * Object model
 *   struct mvu_gpu     one pGPU: kernel-owned VRAM, per-engine descriptor
 *                      pages and mailboxes, its mvgpu_pgpu registration.
 *                      Lives from the first ATTACH of its name until
 *                      MVGPU_ENGINE_REMOVE or module unload, across any
 *                      number of servers; refcounted (kref) because an
 *                      open server file keeps using it after a REMOVE.
 *   struct mvu_engine  one engine's mailbox: the kernel posts a chunk
 *                      (exec.c), a server thread fetches it and commits
 *                      its result.
 *   struct mvu_file    one open /dev/mvgpu-engine.
 *
 * Locking (outermost first)
 *   mvu_lock           (main.c) the list of pGPUs.
 *   gpu->state_lock    gpu->server and whether the pGPU is online; held
 *                      across mvgpu_pgpu_set_online(), so pgpu->lock nests
 *                      inside it.  Never held while waiting for a server.
 *   eng->lock          (spinlock) the mailbox: every field of struct
 *                      mvu_engine below it, and the descriptor page.
 */
#ifndef _MVGPU_USER_H
#define _MVGPU_USER_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>

#include <mvgpu/backend.h>
#include <uapi/linux/mvgpu.h>
#include <uapi/linux/mvgpu_engine.h>

struct mvu_file;
struct mvu_gpu;

/**
 * struct mvu_engine - one engine's mailbox
 * @gpu: its pGPU.
 * @index: engine number.
 * @desc: its descriptor, in the server-readable descriptor pages.
 * @lock: protects the fields below and *@desc.
 * @server: the file serving it, NULL while offline.
 * @epoch: incremented whenever the engine goes offline, so an exec()
 *	waiting across an offline/online pair notices.
 * @posted: sequence number of the last chunk posted.
 * @fetched: the last one a server fetched.
 * @done: the last one committed.
 * @status: MVGPU_ENGINE_ST_* of chunk @done.
 * @result: the REDUCE partial sum of chunk @done.
 * @work_wq: server threads wait here for a chunk.
 * @done_wq: exec() waits here for the commit.
 */
struct mvu_engine {
	struct mvu_gpu *gpu;
	unsigned int index;
	struct mvgpu_engine_desc *desc;
	spinlock_t lock;		/* see above */
	struct mvu_file *server;
	u64 epoch;
	u64 posted;
	u64 fetched;
	u64 done;
	u32 status;
	u64 result;
	wait_queue_head_t work_wq;
	wait_queue_head_t done_wq;
};

/**
 * struct mvu_gpu - one pGPU served from userspace
 * @ref: references: the pGPU list and each attached file.
 * @node: link in the pGPU list (mvu_lock).
 * @name: identity, from ATTACH.
 * @pgpu: the core's pGPU.
 * @vram: VRAM, vmalloc_user() memory: ordinary pages, mappable with
 *	remap_vmalloc_range() and pinnable by a GPU driver.
 * @vram_size: bytes at @vram.
 * @descs: nr_engines descriptor pages, vmalloc_user() too.
 * @nr_engines: engines.
 * @state_lock: see user.h "Locking".
 * @server: the attached server's file, or NULL: the pGPU is offline.
 * @chunk_bytes: FILL/COPY bytes per chunk (READ_ONCE; set at ATTACH).
 * @chunk_elems: AXPY/REDUCE elements per chunk (likewise).
 * @chunk_macs: GEMM multiply-adds per chunk (likewise).
 * @gemm_rows: GEMM rows per chunk are a multiple of this (likewise).
 * @removed: MVGPU_ENGINE_REMOVE took it off the list (mvu_lock).
 * @engines: the mailboxes.
 */
struct mvu_gpu {
	struct kref ref;
	struct list_head node;
	char name[MVGPU_ENGINE_NAME_LEN];
	struct mvgpu_pgpu *pgpu;
	void *vram;
	u64 vram_size;
	void *descs;
	unsigned int nr_engines;
	struct mutex state_lock;	/* see above */
	struct mvu_file *server;
	u64 chunk_bytes;
	u64 chunk_elems;
	u64 chunk_macs;
	u32 gemm_rows;
	bool removed;
	struct mvu_engine engines[MVGPU_MAX_ENGINES];
};

/**
 * struct mvu_file - one open /dev/mvgpu-engine
 * @lock: serialises ATTACH, DETACH and mmap of this file; protects @gpu.
 * @gpu: the pGPU this file attached to (holding a reference), or NULL.
 */
struct mvu_file {
	struct mutex lock;		/* see above */
	struct mvu_gpu *gpu;
};

/* vram.c */
int mvu_vram_alloc(struct mvu_gpu *gpu);
void mvu_vram_free(struct mvu_gpu *gpu);
int mvu_mmap(struct mvu_gpu *gpu, struct vm_area_struct *vma);
extern const struct mvgpu_pgpu_ops mvu_pgpu_ops;

/* exec.c */
void mvu_engines_init(struct mvu_gpu *gpu);
void mvu_engines_online(struct mvu_gpu *gpu, struct mvu_file *mf);
void mvu_engines_offline(struct mvu_gpu *gpu);
long mvu_commit_and_fetch(struct mvu_file *mf, struct mvu_gpu *gpu,
			  struct mvgpu_engine_fetch __user *arg);
int mvu_exec(struct mvgpu_pgpu *pgpu, unsigned int engine,
	     struct mvgpu_op *op);

/* main.c */
void mvu_gpu_offline(struct mvu_gpu *gpu, struct mvu_file *mf,
		     const char *why);

#endif /* _MVGPU_USER_H */
