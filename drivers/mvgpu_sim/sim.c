// SPDX-License-Identifier: GPL-2.0
/*
 * mvgpu_sim: a software physical GPU for mvgpu.
 *
 * VRAM is host memory (vmalloc), engines will run on host CPUs.  It is the
 * backend mvgpu uses where no supported GPU is present, and the one the
 * test suite exercises: everything above the backend interface runs for
 * real on it.
 */
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/sizes.h>
#include <linux/vmalloc.h>

#include <mvgpu/backend.h>

static unsigned int vram_mb = 256;
module_param(vram_mb, uint, 0444);
MODULE_PARM_DESC(vram_mb,
		 "VRAM of the simulated pGPU in MiB, a multiple of 16 (default 256)");

static unsigned int engines = 4;
module_param(engines, uint, 0444);
MODULE_PARM_DESC(engines, "Engines of the simulated pGPU, 1-16 (default 4)");

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

	if (write)
		memcpy(sim->vram + offset, buf, len);
	else
		memcpy(buf, sim->vram + offset, len);
	return 0;
}

static unsigned long mvgpu_sim_vram_pfn(struct mvgpu_pgpu *pgpu, u64 offset)
{
	struct mvgpu_sim *sim = mvgpu_pgpu_priv(pgpu);

	return vmalloc_to_pfn(sim->vram + offset);
}

static void mvgpu_sim_vram_clear(struct mvgpu_pgpu *pgpu, u64 offset, u64 len)
{
	struct mvgpu_sim *sim = mvgpu_pgpu_priv(pgpu);
	u64 done, n;

	if (WARN_ON_ONCE(offset > sim->vram_size ||
			 len > sim->vram_size - offset))
		return;

	/* In 1 MiB steps, so that clearing a large slice stays preemptible. */
	for (done = 0; done < len; done += n) {
		n = min_t(u64, len - done, SZ_1M);
		memset(sim->vram + offset + done, 0, n);
		cond_resched();
	}
}

static const struct mvgpu_pgpu_ops mvgpu_sim_ops = {
	.owner = THIS_MODULE,
	.vram_rw = mvgpu_sim_vram_rw,
	.vram_pfn = mvgpu_sim_vram_pfn,
	.vram_clear = mvgpu_sim_vram_clear,
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
