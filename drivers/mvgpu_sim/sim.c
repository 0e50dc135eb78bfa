// SPDX-License-Identifier: GPL-2.0
/*
 * mvgpu_sim: a software physical GPU for mvgpu.
 *
 * VRAM is host memory (vmalloc); engines compute on host CPUs, in the
 * engine threads of the core's scheduler, one bounded chunk per exec()
 * call so that the scheduler can preempt between chunks.  It is the
 * backend mvgpu uses where no supported GPU is present, and the one the
 * test suite exercises: everything above the backend interface runs for
 * real on it.
 */
#include <linux/atomic.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/sizes.h>
#include <linux/sysfs.h>
#include <linux/vmalloc.h>

#include <linux/delay.h>
#include <linux/string.h>
#include <linux/ktime.h>
#ifdef CONFIG_X86_64
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/processor.h>
#endif

#include <mvgpu/backend.h>
#include <uapi/linux/mvgpu.h>

#include "sim_f32.h"
#include "sim_kernels.h"

/*
 * Work per exec() call: about 100 us or less on a current CPU, so that a
 * long command gives the scheduler a preemption point that often.  The
 * vector paths run a whole chunk inside one kernel_fpu_begin() section,
 * which disables preemption: 256 KiB of COPY or FILL takes 10-30 us at
 * memory speed, 2^18 AVX2 multiply-adds about as long.
 */
#define SIM_CHUNK_BYTES		SZ_256K		/* FILL, COPY */
#define SIM_CHUNK_ELEMS		(SZ_256K / 4)	/* AXPY, REDUCE */
#define SIM_CHUNK_MACS		BIT(18)		/* GEMM multiply-adds */

static unsigned int vram_mb = 256;
module_param(vram_mb, uint, 0444);
MODULE_PARM_DESC(vram_mb,
		 "VRAM of the simulated pGPU in MiB, a multiple of 16 (default 256)");

static unsigned int engines = 4;
module_param(engines, uint, 0444);
MODULE_PARM_DESC(engines, "Engines of the simulated pGPU, 1-16 (default 4)");

/*
 * Fault injection for the tests: fail_vram_rw=N makes the Nth vram_rw()
 * call from now on fail with -EIO, once (N counts down and reads 0 once
 * that call has failed), so a test can walk every VRAM access of a path
 * the way fail-nth walks allocations.  A failed read fills the buffer
 * with 0xa5 bytes, which the core must not use.  0, the default, injects nothing.
 * Root only; it has no use outside testing.
 */
static atomic_t fail_vram_rw = ATOMIC_INIT(0);

static int fail_vram_rw_set(const char *val, const struct kernel_param *kp)
{
	int n, ret;

	ret = kstrtoint(val, 0, &n);
	if (ret)
		return ret;
	if (n < 0)
		return -EINVAL;
	atomic_set(&fail_vram_rw, n);
	return 0;
}

static int fail_vram_rw_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&fail_vram_rw));
}

static const struct kernel_param_ops fail_vram_rw_ops = {
	.set = fail_vram_rw_set,
	.get = fail_vram_rw_get,
};

module_param_cb(fail_vram_rw, &fail_vram_rw_ops, NULL, 0600);
MODULE_PARM_DESC(fail_vram_rw,
		 "Testing: fail the Nth VRAM access from now with -EIO, once (default 0: never)");

/*
 * Also for the tests: vram_write_delay_us makes each VRAM write of the
 * core take that much longer, after the data is stored, as a slow
 * backend or a preempted engine thread would.  It widens the window
 * between a store to VRAM and whatever the core does next, so ordering
 * bugs show every time instead of once in a while.
 */
#define SIM_WRITE_DELAY_MAX_US	10000
static unsigned int vram_write_delay_us;
module_param(vram_write_delay_us, uint, 0600);
MODULE_PARM_DESC(vram_write_delay_us,
		 "Testing: busy-wait this long after each VRAM write, at most 10000 (default 0)");

static void mvgpu_sim_write_delay(void)
{
	unsigned int us = min_t(unsigned int, READ_ONCE(vram_write_delay_us),
				SIM_WRITE_DELAY_MAX_US);
	u64 end;

	if (!us)
		return;
	end = ktime_get_ns() + (u64)us * NSEC_PER_USEC;
	while (ktime_get_ns() < end)
		cpu_relax();
}

/* True for the one vram_rw() call fail_vram_rw picks. */
static bool mvgpu_sim_vram_rw_fails(void)
{
	return atomic_read(&fail_vram_rw) > 0 &&
	       atomic_dec_if_positive(&fail_vram_rw) == 0;
}

/**
 * struct mvgpu_sim - the simulated pGPU
 * @pgpu: its registration with the core.
 * @vram: VRAM, vram_mb MiB of vmalloc memory.
 * @vram_size: bytes at @vram.
 */
struct mvgpu_sim {
	struct mvgpu_pgpu *pgpu;
	void *vram;
	u64 vram_size;
};

static struct mvgpu_sim mvgpu_sim_gpu;

static int mvgpu_sim_vram_rw(struct mvgpu_pgpu *pgpu, u64 offset, void *buf,
			     size_t len, bool write)
{
	struct mvgpu_sim *sim = mvgpu_pgpu_priv(pgpu);

	if (WARN_ON_ONCE(offset > sim->vram_size ||
			 len > sim->vram_size - offset))
		return -EINVAL;
	if (mvgpu_sim_vram_rw_fails()) {
		/* As a transfer that broke off might: the buffer is junk. */
		if (!write)
			memset(buf, 0xa5, len);
		return -EIO;
	}

	if (write) {
		memcpy(sim->vram + offset, buf, len);
		mvgpu_sim_write_delay();
	} else {
		memcpy(buf, sim->vram + offset, len);
	}
	return 0;
}

static unsigned long mvgpu_sim_vram_pfn(struct mvgpu_pgpu *pgpu, u64 offset)
{
	struct mvgpu_sim *sim = mvgpu_pgpu_priv(pgpu);

	return mvgpu_vmem_pfn(sim->vram, offset);
}

static void mvgpu_sim_vram_clear(struct mvgpu_pgpu *pgpu, u64 offset, u64 len)
{
	struct mvgpu_sim *sim = mvgpu_pgpu_priv(pgpu);

	mvgpu_vmem_clear(sim->vram, sim->vram_size, offset, len);
}

#ifdef CONFIG_X86_64
/*
 * How COPY and FILL within VRAM and GEMM run, decided once at load time
 * from the CPU's features.
 *
 * With ERMS the kernel's memcpy() is "rep movsb" and memset32() a fast
 * "rep stosl": microcoded fast strings, which for large sizes move data
 * within a few per cent of an AVX2 loop and need no FPU section (so no
 * preemption-off time), hence mvgpu_sim keeps them there.  Without ERMS
 * (older CPUs; emulators, which run string instructions one element per
 * step) memcpy() is a loop of 8-byte moves and memset32() is slow, and
 * an SSE2 (always present on x86-64) or AVX2 loop is several times faster.
 */
static bool sim_vec_copy __read_mostly;
static bool sim_avx2 __read_mostly;
/* GEMM_F32 uses the FMA kernels (FMA on top of everything AVX2 needs). */
static bool sim_fma __read_mostly;
/* COPY commands at least this long use non-temporal stores. */
static u64 sim_nt_bytes __read_mostly;

/* Vector loops only pay for their FPU section beyond this many bytes. */
#define SIM_VEC_MIN_BYTES	512

static void __init mvgpu_sim_cpu_init(void)
{
	/* The checks the kernel's own AVX code makes (xor_avx.h). */
	sim_avx2 = boot_cpu_has(X86_FEATURE_AVX2) &&
		   boot_cpu_has(X86_FEATURE_AVX) &&
		   boot_cpu_has(X86_FEATURE_OSXSAVE);
	sim_fma = sim_avx2 && boot_cpu_has(X86_FEATURE_FMA);
	sim_vec_copy = !boot_cpu_has(X86_FEATURE_ERMS);
	/*
	 * A copy that writes more than the cache holds evicts its own
	 * destination before anyone reads it: stream it past the cache,
	 * saving the read of each destination line.  Smaller ones keep the
	 * result in cache for the next command.  (FILL never streams; see
	 * sim_fill_avx2().)  The size is the one /proc/cpuinfo shows: the
	 * last-level cache on Intel, but L2 on AMD, where copies therefore
	 * stream from a smaller size than the L3 would allow.
	 */
	if (boot_cpu_data.x86_cache_size > 0)
		sim_nt_bytes = (u64)boot_cpu_data.x86_cache_size * SZ_1K;
	else
		sim_nt_bytes = SZ_8M;
	pr_debug("mvgpu_sim: copy/fill: %s%s, non-temporal copies from %llu bytes; gemm: %s, gemm_f32: %s\n",
		 sim_vec_copy ? "vector " : "string instructions",
		 sim_vec_copy ? (sim_avx2 ? "AVX2" : "SSE2") : "", sim_nt_bytes,
		 sim_avx2 ? "AVX2" : "scalar", sim_fma ? "FMA" : "SSE2");
}

/* The part of @dst's first @n bytes before a vector-aligned address. */
static u64 mvgpu_sim_vec_head(const void *dst, u64 n)
{
	return min_t(u64, n, PTR_ALIGN(dst, SIM_VEC_ALIGN) - dst);
}

/*
 * VRAM to VRAM, @n bytes, non-overlapping; @nt: the command is large
 * enough for non-temporal stores.  The head up to an aligned destination
 * and the tail under a whole vector block go through memcpy(), outside
 * the FPU section.
 */
static void mvgpu_sim_memcpy(void *dst, const void *src, u64 n, bool nt)
{
	u64 head, body;

	if (sim_vec_copy && n >= SIM_VEC_MIN_BYTES) {
		head = mvgpu_sim_vec_head(dst, n);
		memcpy(dst, src, head);
		dst += head;
		src += head;
		n -= head;
		body = round_down(n, SIM_VEC_BLOCK);
		kernel_fpu_begin();
		if (sim_avx2)
			sim_copy_avx2(dst, src, body, nt);
		else
			sim_copy_sse2(dst, src, body, nt);
		kernel_fpu_end();
		dst += body;
		src += body;
		n -= body;
	}
	memcpy(dst, src, n);
}

/* FILL: @n bytes at @dst, both multiples of 4 (the core checks that). */
static void mvgpu_sim_fill(void *dst, u32 value, u64 n)
{
	u64 head, body;

	if (sim_vec_copy && n >= SIM_VEC_MIN_BYTES) {
		head = mvgpu_sim_vec_head(dst, n);
		memset32(dst, value, head / 4);
		dst += head;
		n -= head;
		body = round_down(n, SIM_VEC_BLOCK);
		kernel_fpu_begin();
		if (sim_avx2)
			sim_fill_avx2(dst, value, body);
		else
			sim_fill_sse2(dst, value, body);
		kernel_fpu_end();
		dst += body;
		n -= body;
	}
	memset32(dst, value, n / 4);
}

/* Bracket vector GEMM work; no-ops where GEMM runs scalar. */
static void mvgpu_sim_gemm_begin(void)
{
	if (sim_avx2)
		kernel_fpu_begin();
}

static void mvgpu_sim_gemm_end(void)
{
	if (sim_avx2)
		kernel_fpu_end();
}

/*
 * GEMM_F32: units from op->progress on, up to a chunk's multiply-adds; the
 * number that ran goes to *units.  Always in one FPU section, even without
 * FMA: sim_f32.c is compiled with SSE, so its portable loop uses vector
 * registers too.  Where measured (AMD EPYC, the kernels in userspace),
 * 2^18 multiply-adds took 15-20 us with FMA and 45-110 us in the SSE
 * loop, the preemption-off time of a chunk.
 */
static int mvgpu_sim_gemm_f32(void *vram, const struct mvgpu_op *op,
			      u64 total, u64 *units)
{
	u64 n, macs;

	kernel_fpu_begin();
	for (n = 0, macs = 0; op->progress + n < total &&
	     macs < SIM_CHUNK_MACS; n++)
		macs += mvgpu_sim_gemm_f32_unit(vram + op->dst, vram + op->src,
						vram + op->src2, op->m, op->n,
						op->k, op->progress + n,
						sim_fma);
	kernel_fpu_end();
	*units = n;
	return 0;
}
#else /* !CONFIG_X86_64: the portable C library routines and kernels. */
#define sim_avx2	false
#define sim_nt_bytes	U64_MAX

static void __init mvgpu_sim_cpu_init(void)
{
}

static void mvgpu_sim_memcpy(void *dst, const void *src, u64 n, bool nt)
{
	memcpy(dst, src, n);
}

static void mvgpu_sim_fill(void *dst, u32 value, u64 n)
{
	memset32(dst, value, n / 4);
}

static void mvgpu_sim_gemm_begin(void)
{
}

static void mvgpu_sim_gemm_end(void)
{
}

/* No float code in this build (see Kbuild): the command fails. */
static int mvgpu_sim_gemm_f32(void *vram, const struct mvgpu_op *op,
			      u64 total, u64 *units)
{
	return -EOPNOTSUPP;
}
#endif /* CONFIG_X86_64 */

/*
 * Run one chunk of @op.  The core has bounded every range by the vGPU's
 * slice; op->progress counts bytes, elements or GEMM units done.  SPIN
 * and copies to or from guest memory are the core's (kexec.c).
 */
static int mvgpu_sim_exec(struct mvgpu_pgpu *pgpu, unsigned int engine,
			  struct mvgpu_op *op)
{
	struct mvgpu_sim *sim = mvgpu_pgpu_priv(pgpu);
	void *vram = sim->vram;
	u64 total, n, macs;
	__le64 sum;
	int ret;

	if (mvgpu_op_in_kernel(op))
		return mvgpu_exec_in_kernel(pgpu, engine, op, vram);

	switch (op->opcode) {
	case MVGPU_OP_FILL:
		total = op->len;
		n = min_t(u64, total - op->progress, SIM_CHUNK_BYTES);
		mvgpu_sim_fill(vram + op->dst + op->progress, op->value, n);
		break;
	case MVGPU_OP_COPY:
		total = op->len;
		n = min_t(u64, total - op->progress, SIM_CHUNK_BYTES);
		mvgpu_sim_memcpy(vram + op->dst + op->progress,
				 vram + op->src + op->progress, n,
				 op->len >= sim_nt_bytes);
		break;
	case MVGPU_OP_GEMM_I32:
		/* Units of at most SIM_GEMM_RB x SIM_GEMM_KB x n MACs. */
		total = sim_gemm_units(op->m, op->k);
		mvgpu_sim_gemm_begin();
		for (n = 0, macs = 0; op->progress + n < total &&
		     macs < SIM_CHUNK_MACS; n++)
			macs += sim_gemm_i32_unit(vram + op->dst, vram + op->src,
						  vram + op->src2, op->m, op->n,
						  op->k, op->progress + n,
						  sim_avx2);
		mvgpu_sim_gemm_end();
		break;
	case MVGPU_OP_GEMM_F32:
		/* The same units as GEMM_I32, in binary32. */
		total = sim_gemm_units(op->m, op->k);
		ret = mvgpu_sim_gemm_f32(vram, op, total, &n);
		if (ret)
			return ret;
		break;
	case MVGPU_OP_AXPY_I32:
		total = op->len;
		n = min_t(u64, total - op->progress, SIM_CHUNK_ELEMS);
		sim_axpy_i32(vram + op->dst + op->progress * 4,
			     vram + op->src + op->progress * 4, op->value, n);
		break;
	case MVGPU_OP_REDUCE_I32:
		total = op->len;
		n = min_t(u64, total - op->progress, SIM_CHUNK_ELEMS);
		op->acc += sim_reduce_u32(vram + op->src + op->progress * 4, n);
		if (op->progress + n == total) {
			sum = cpu_to_le64(op->acc);
			memcpy(vram + op->dst, &sum, sizeof(sum));
		}
		break;
	default:
		WARN_ON_ONCE(1);
		return -EINVAL;
	}

	op->progress += n;
	return op->progress < total ? -EINPROGRESS : 0;
}

/*
 * A command in progress that came in a migration stream: its progress
 * must not pass the end exec() counts to (ranges are the core's).
 */
static bool mvgpu_sim_op_check(struct mvgpu_pgpu *pgpu,
			       const struct mvgpu_op *op)
{
	switch (op->opcode) {
	case MVGPU_OP_FILL:
	case MVGPU_OP_COPY:
	case MVGPU_OP_AXPY_I32:
	case MVGPU_OP_REDUCE_I32:
		return op->progress < op->len;
	case MVGPU_OP_GEMM_I32:
	case MVGPU_OP_GEMM_F32:
		return op->progress < sim_gemm_units(op->m, op->k);
	case MVGPU_OP_SPIN:
		return op->progress < op->value;
	}
	return false;
}

static const struct mvgpu_pgpu_ops mvgpu_sim_ops = {
	.owner = THIS_MODULE,
	.vram_rw = mvgpu_sim_vram_rw,
	.vram_pfn = mvgpu_sim_vram_pfn,
	.vram_clear = mvgpu_sim_vram_clear,
	.exec = mvgpu_sim_exec,
	.op_check = mvgpu_sim_op_check,
};

static int __init mvgpu_sim_init(void)
{
	struct mvgpu_sim *sim = &mvgpu_sim_gpu;
	struct mvgpu_pgpu_info info = {
		.backend = "sim",
		.vram_size = (u64)vram_mb << 20,
		.nr_engines = engines,
	};
	int ret;

	if (!vram_mb || info.vram_size % MVGPU_VRAM_UNIT ||
	    info.vram_size / MVGPU_VRAM_UNIT > MVGPU_MAX_VRAM_UNITS) {
		pr_err("mvgpu_sim: vram_mb=%u: need a multiple of %llu up to %llu\n",
		       vram_mb, MVGPU_VRAM_UNIT >> 20,
		       (MVGPU_VRAM_UNIT >> 20) * MVGPU_MAX_VRAM_UNITS);
		return -EINVAL;
	}
	if (!engines || engines > MVGPU_MAX_ENGINES) {
		pr_err("mvgpu_sim: engines=%u: need 1-%u\n", engines,
		       MVGPU_MAX_ENGINES);
		return -EINVAL;
	}

	mvgpu_sim_cpu_init();
	sim->vram_size = info.vram_size;
	sim->vram = vzalloc(sim->vram_size);
	if (!sim->vram)
		return -ENOMEM;

	sim->pgpu = mvgpu_pgpu_register(&info, &mvgpu_sim_ops, sim);
	if (IS_ERR(sim->pgpu)) {
		ret = PTR_ERR(sim->pgpu);
		goto err_free_vram;
	}
	return 0;

err_free_vram:
	vfree(sim->vram);
	return ret;
}

static void __exit mvgpu_sim_exit(void)
{
	struct mvgpu_sim *sim = &mvgpu_sim_gpu;

	mvgpu_pgpu_unregister(sim->pgpu);
	vfree(sim->vram);
}

module_init(mvgpu_sim_init);
module_exit(mvgpu_sim_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mvgpu_sim: software physical GPU backend for mvgpu");
MODULE_AUTHOR("The mvgpu authors");
MODULE_SOFTDEP("pre: mvgpu");
