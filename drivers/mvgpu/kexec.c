// SPDX-License-Identifier: GPL-2.0
/*
 * Commands every backend runs the same way, on host CPUs in the engine
 * thread: SPIN, and COPY with a guest-memory (_SYS) side.  Guest memory
 * is reachable only from the kernel (mvgpu_dma_rw()), so a backend whose
 * engines are elsewhere (a GPU, a userspace server) still runs these
 * here, on VRAM it can address from the kernel.
 */
#include <linux/ktime.h>
#include <linux/sizes.h>

#include <mvgpu/backend.h>
#include <uapi/linux/mvgpu.h>

/* Work per call, as for mvgpu_sim's chunks: about 100 us. */
#define MVGPU_KEXEC_CHUNK_BYTES	SZ_256K
#define MVGPU_KEXEC_CHUNK_NS	(100 * NSEC_PER_USEC)

/**
 * mvgpu_op_in_kernel() - whether an op must run in the kernel
 * @op: a validated op.
 *
 * Return: true for SPIN and for COPY to or from guest memory.
 */
bool mvgpu_op_in_kernel(const struct mvgpu_op *op)
{
	return op->opcode == MVGPU_OP_SPIN ||
	       (op->opcode == MVGPU_OP_COPY &&
		(op->flags & (MVGPU_CMD_F_DST_SYS | MVGPU_CMD_F_SRC_SYS)));
}
EXPORT_SYMBOL_GPL(mvgpu_op_in_kernel);

/*
 * SPIN counts engine time (the manual): the engine clock stands still
 * while the host preempts this thread, and the core charges the call by
 * the same clock, so the watchdog always sees at least the progress made.
 */
static void mvgpu_kexec_spin(struct mvgpu_pgpu *pgpu, unsigned int engine,
			     struct mvgpu_op *op)
{
	u64 want = min_t(u64, op->value - op->progress, MVGPU_KEXEC_CHUNK_NS);
	u64 start = mvgpu_engine_time_ns(pgpu, engine), now;

	do {
		cpu_relax();
		now = mvgpu_engine_time_ns(pgpu, engine);
	} while (now - start < want);
	op->progress += now - start;
}

/**
 * mvgpu_exec_in_kernel() - run one chunk of an op mvgpu_op_in_kernel() names
 * @pgpu: the pGPU, as exec() got it.
 * @engine: the engine, as exec() got it.
 * @op: the op, as exec() got it.
 * @vram: the kernel address of the pGPU's VRAM (all of it).
 *
 * Context: an engine thread, from the backend's exec().
 * Return: as for exec(): 0, -EINPROGRESS or -EFAULT; -EINVAL for an op
 * that is not one of these.
 */
int mvgpu_exec_in_kernel(struct mvgpu_pgpu *pgpu, unsigned int engine,
			 struct mvgpu_op *op, void *vram)
{
	u64 at = op->progress, n;
	int ret;

	if (op->opcode == MVGPU_OP_SPIN) {
		mvgpu_kexec_spin(pgpu, engine, op);
		return op->progress < op->value ? -EINPROGRESS : 0;
	}
	if (WARN_ON_ONCE(!mvgpu_op_in_kernel(op)))
		return -EINVAL;

	n = min_t(u64, op->len - at, MVGPU_KEXEC_CHUNK_BYTES);
	if (op->flags & MVGPU_CMD_F_DST_SYS)
		ret = mvgpu_dma_rw(op->dma, op->dst + at, vram + op->src + at,
				   n, true);
	else
		ret = mvgpu_dma_rw(op->dma, op->src + at, vram + op->dst + at,
				   n, false);
	if (ret)
		return ret;
	op->progress += n;
	return op->progress < op->len ? -EINPROGRESS : 0;
}
EXPORT_SYMBOL_GPL(mvgpu_exec_in_kernel);
