// SPDX-License-Identifier: GPL-2.0
/*
 * mvgpu_user: pGPUs whose engines run in a userspace engine server.
 *
 * /dev/mvgpu-engine (root only) speaks include/uapi/linux/mvgpu_engine.h.
 * A server ATTACHes with a name: a new name registers a new pGPU with the
 * core (VRAM allocated and owned here), the name of an offline pGPU takes
 * it over.  DETACH, closing the file (a server killed with SIGKILL closes
 * it too) or a server that leaves a chunk unanswered for exec_timeout_ms
 * takes the pGPU offline: the core fails every vGPU on it with
 * MVGPU_ERR_HOST and refuses new ones with -EHOSTDOWN, VRAM stays as it
 * was, and the pGPU waits for the next server.  MVGPU_ENGINE_REMOVE (or
 * unloading the module) unregisters an offline pGPU for good.
 *
 * This file: the device file, ATTACH/DETACH/REMOVE and the pGPU list.
 * vram.c: VRAM and mappings; exec.c: the engines' mailboxes.
 */
#include <linux/capability.h>
#include <linux/ctype.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "user.h"

/* Chunk size defaults and bounds (struct mvgpu_engine_attach). */
#define MVU_CHUNK_BYTES_DEF	((u64)SZ_4M)
#define MVU_CHUNK_BYTES_MIN	((u64)SZ_4K)
#define MVU_CHUNK_BYTES_MAX	((u64)SZ_64M)
#define MVU_CHUNK_ELEMS_DEF	((u64)SZ_1M)
#define MVU_CHUNK_ELEMS_MIN	((u64)SZ_1K)
#define MVU_CHUNK_ELEMS_MAX	((u64)SZ_16M)
#define MVU_CHUNK_MACS_DEF	((u64)SZ_4M)
#define MVU_CHUNK_MACS_MIN	((u64)SZ_64K)
#define MVU_CHUNK_MACS_MAX	((u64)SZ_1G)
#define MVU_GEMM_ROWS_MAX	256

static unsigned int max_vram_mb = 4096;
module_param(max_vram_mb, uint, 0644);
MODULE_PARM_DESC(max_vram_mb,
		 "Largest VRAM a server may ask for, in MiB (default 4096, at most 4096)");

/* The pGPUs, attached or not; see user.h "Locking". */
static DEFINE_MUTEX(mvu_lock);
static LIST_HEAD(mvu_gpus);

static void mvu_gpu_free(struct kref *ref)
{
	struct mvu_gpu *gpu = container_of(ref, struct mvu_gpu, ref);

	mvu_vram_free(gpu);
	mutex_destroy(&gpu->state_lock);
	kfree(gpu);
}

static void mvu_gpu_put(struct mvu_gpu *gpu)
{
	kref_put(&gpu->ref, mvu_gpu_free);
}

/**
 * mvu_gpu_offline() - take a pGPU away from its server
 * @gpu: the pGPU.
 * @mf: only if this file is its server; NULL for whichever it is.
 * @why: for the kernel log.
 *
 * Context: process context, no mvgpu_user lock held.
 */
void mvu_gpu_offline(struct mvu_gpu *gpu, struct mvu_file *mf,
		     const char *why)
{
	mutex_lock(&gpu->state_lock);
	if (gpu->server && (!mf || gpu->server == mf)) {
		gpu->server = NULL;
		mvu_engines_offline(gpu);
		pr_warn("mvgpu_user: %s: %s\n", gpu->name, why);
		mvgpu_pgpu_set_online(gpu->pgpu, false);
	}
	mutex_unlock(&gpu->state_lock);
}

static struct mvu_gpu *mvu_gpu_find(const char *name)
{
	struct mvu_gpu *gpu;

	lockdep_assert_held(&mvu_lock);
	list_for_each_entry(gpu, &mvu_gpus, node)
		if (!strcmp(gpu->name, name))
			return gpu;
	return NULL;
}

/* Names: [A-Za-z0-9._:-]+, NUL-terminated in the array. */
static bool mvu_name_ok(const char *s, size_t size)
{
	size_t i, len = strnlen(s, size);

	if (!len || len == size)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum(s[i]) && !strchr("._:-", s[i]))
			return false;
	return true;
}

static bool mvu_model_ok(const char *s, size_t size)
{
	size_t i, len = strnlen(s, size);

	if (len == size)
		return false;
	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

/* Every check of ATTACH's input, in one place. */
static int mvu_attach_check(struct mvgpu_engine_attach *a)
{
	unsigned int i;

	if (a->argsz < sizeof(*a))
		return -EINVAL;
	if (a->version >> 16 != MVGPU_ENGINE_VERSION_MAJOR)
		return -EPROTONOSUPPORT;
	if (a->flags & ~MVGPU_ENGINE_ATTACH_PCI || a->pad0 ||
	    a->pgpu_id || a->takeover || a->desc_size ||
	    a->gemm_rows > MVU_GEMM_ROWS_MAX)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(a->reserved); i++)
		if (a->reserved[i])
			return -EINVAL;
	if (!a->nr_engines || a->nr_engines > MVGPU_MAX_ENGINES)
		return -EINVAL;
	if (!a->vram_size || a->vram_size % MVGPU_VRAM_UNIT ||
	    a->vram_size / MVGPU_VRAM_UNIT > MVGPU_MAX_VRAM_UNITS ||
	    a->vram_size > (u64)min(READ_ONCE(max_vram_mb), 4096U) << 20)
		return -EINVAL;
	if (!mvu_name_ok(a->name, sizeof(a->name)) ||
	    !mvu_model_ok(a->model, sizeof(a->model)))
		return -EINVAL;
	if (a->flags & MVGPU_ENGINE_ATTACH_PCI &&
	    (a->pci_domain > 0xffff || a->pci_dev > 31 || a->pci_func > 7))
		return -EINVAL;

	a->chunk_bytes = a->chunk_bytes ?
		round_down(clamp(a->chunk_bytes, MVU_CHUNK_BYTES_MIN,
				 MVU_CHUNK_BYTES_MAX), MVU_CHUNK_BYTES_MIN) :
		MVU_CHUNK_BYTES_DEF;
	a->chunk_elems = a->chunk_elems ?
		clamp(a->chunk_elems, MVU_CHUNK_ELEMS_MIN, MVU_CHUNK_ELEMS_MAX) :
		MVU_CHUNK_ELEMS_DEF;
	a->gemm_rows = max(a->gemm_rows, 1U);
	a->chunk_macs = a->chunk_macs ?
		clamp(a->chunk_macs, MVU_CHUNK_MACS_MIN, MVU_CHUNK_MACS_MAX) :
		MVU_CHUNK_MACS_DEF;
	return 0;
}

/* A new pGPU for @a, registered with the core, on the list. */
static struct mvu_gpu *mvu_gpu_create(const struct mvgpu_engine_attach *a)
{
	char pci[16] = "";
	struct mvgpu_pgpu_info info = {
		.backend = "user",
		.vram_size = a->vram_size,
		.nr_engines = a->nr_engines,
		.model = a->model,
		.pci_address = pci,
	};
	struct mvu_gpu *gpu;
	int ret;

	lockdep_assert_held(&mvu_lock);
	if (a->flags & MVGPU_ENGINE_ATTACH_PCI)
		snprintf(pci, sizeof(pci), "%04x:%02x:%02x.%x", a->pci_domain,
			 a->pci_bus, a->pci_dev, a->pci_func);

	gpu = kzalloc(sizeof(*gpu), GFP_KERNEL);
	if (!gpu)
		return ERR_PTR(-ENOMEM);
	kref_init(&gpu->ref);
	mutex_init(&gpu->state_lock);
	strscpy(gpu->name, a->name, sizeof(gpu->name));
	gpu->vram_size = a->vram_size;
	gpu->nr_engines = a->nr_engines;
	ret = mvu_vram_alloc(gpu);
	if (ret)
		goto err_free;
	mvu_engines_init(gpu);

	gpu->pgpu = mvgpu_pgpu_register(&info, &mvu_pgpu_ops, gpu);
	if (IS_ERR(gpu->pgpu)) {
		ret = PTR_ERR(gpu->pgpu);
		goto err_vram;
	}
	list_add_tail(&gpu->node, &mvu_gpus);
	return gpu;

err_vram:
	mvu_vram_free(gpu);
err_free:
	mutex_destroy(&gpu->state_lock);
	kfree(gpu);
	return ERR_PTR(ret);
}

static long mvu_attach(struct mvu_file *mf,
		       struct mvgpu_engine_attach __user *arg)
{
	struct mvgpu_engine_attach a;
	struct mvu_gpu *gpu;
	bool takeover = false;
	int ret;

	if (copy_from_user(&a, arg, sizeof(a)))
		return -EFAULT;
	ret = mvu_attach_check(&a);
	if (ret)
		return ret;

	mutex_lock(&mf->lock);
	if (mf->gpu) {
		ret = -EALREADY;
		goto out_unlock_file;
	}
	mutex_lock(&mvu_lock);
	gpu = mvu_gpu_find(a.name);
	if (gpu) {
		if (gpu->vram_size != a.vram_size ||
		    gpu->nr_engines != a.nr_engines) {
			pr_warn("mvgpu_user: %s: a take-over must keep %llu MiB and %u engines\n",
				gpu->name, gpu->vram_size >> 20,
				gpu->nr_engines);
			ret = -EINVAL;
			goto out_unlock;
		}
		takeover = true;
	} else {
		gpu = mvu_gpu_create(&a);
		if (IS_ERR(gpu)) {
			ret = PTR_ERR(gpu);
			goto out_unlock;
		}
	}

	mutex_lock(&gpu->state_lock);
	if (gpu->server) {
		mutex_unlock(&gpu->state_lock);
		ret = -EBUSY;
		goto out_unlock;
	}
	WRITE_ONCE(gpu->chunk_bytes, a.chunk_bytes);
	WRITE_ONCE(gpu->chunk_elems, a.chunk_elems);
	WRITE_ONCE(gpu->chunk_macs, a.chunk_macs);
	WRITE_ONCE(gpu->gemm_rows, a.gemm_rows);
	gpu->server = mf;
	mvu_engines_online(gpu, mf);
	if (takeover)
		mvgpu_pgpu_set_online(gpu->pgpu, true);
	mutex_unlock(&gpu->state_lock);
	kref_get(&gpu->ref);
	mf->gpu = gpu;
	mutex_unlock(&mvu_lock);
	pr_info("mvgpu_user: %s: %s server (protocol %u.%u): %llu MiB, %u engines\n",
		gpu->name, takeover ? "taken over by a new" : "attached a",
		MVGPU_ENGINE_VERSION_MAJOR, MVGPU_ENGINE_VERSION_MINOR,
		gpu->vram_size >> 20, gpu->nr_engines);

	/* out: the negotiated version and where things are */
	a.version = MVGPU_ENGINE_VERSION(MVGPU_ENGINE_VERSION_MAJOR,
					 min_t(u32, a.version & 0xffff,
					       MVGPU_ENGINE_VERSION_MINOR));
	a.pgpu_id = mvgpu_pgpu_id(gpu->pgpu);
	a.takeover = takeover;
	a.desc_size = PAGE_SIZE;
	ret = copy_to_user(arg, &a, sizeof(a)) ? -EFAULT : 0;
	goto out_unlock_file;

out_unlock:
	mutex_unlock(&mvu_lock);
out_unlock_file:
	mutex_unlock(&mf->lock);
	return ret;
}

/* DETACH and close(): the pGPU goes offline; the file lets go of it. */
static void mvu_detach(struct mvu_file *mf, const char *why)
{
	struct mvu_gpu *gpu;

	mutex_lock(&mf->lock);
	gpu = mf->gpu;
	mf->gpu = NULL;
	mutex_unlock(&mf->lock);
	if (!gpu)
		return;
	mvu_gpu_offline(gpu, mf, why);
	mvu_gpu_put(gpu);
}

static long mvu_remove(struct mvgpu_engine_remove __user *arg)
{
	struct mvgpu_engine_remove r;
	struct mvu_gpu *gpu;
	int ret = 0;

	if (copy_from_user(&r, arg, sizeof(r)))
		return -EFAULT;
	if (!mvu_name_ok(r.name, sizeof(r.name)))
		return -EINVAL;

	mutex_lock(&mvu_lock);
	gpu = mvu_gpu_find(r.name);
	if (!gpu) {
		ret = -ENOENT;
	} else {
		mutex_lock(&gpu->state_lock);
		if (gpu->server)
			ret = -EBUSY;
		mutex_unlock(&gpu->state_lock);
		if (!ret)
			list_del(&gpu->node);
	}
	mutex_unlock(&mvu_lock);
	if (ret)
		return ret;

	/* Off the list, so nobody can attach: waits for VFIO users. */
	mvgpu_pgpu_unregister(gpu->pgpu);
	pr_info("mvgpu_user: %s: removed\n", gpu->name);
	mvu_gpu_put(gpu);
	return 0;
}

/* The attached pGPU with a reference, or NULL. */
static struct mvu_gpu *mvu_file_gpu(struct mvu_file *mf)
{
	struct mvu_gpu *gpu;

	mutex_lock(&mf->lock);
	gpu = mf->gpu;
	if (gpu)
		kref_get(&gpu->ref);
	mutex_unlock(&mf->lock);
	return gpu;
}

static long mvu_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct mvu_file *mf = file->private_data;
	void __user *uarg = (void __user *)arg;
	struct mvu_gpu *gpu;
	long ret;

	switch (cmd) {
	case MVGPU_ENGINE_ATTACH:
		return mvu_attach(mf, uarg);
	case MVGPU_ENGINE_COMMIT_AND_FETCH:
		gpu = mvu_file_gpu(mf);
		if (!gpu)
			return -ESHUTDOWN;
		ret = mvu_commit_and_fetch(mf, gpu, uarg);
		mvu_gpu_put(gpu);
		return ret;
	case MVGPU_ENGINE_DETACH:
		mvu_detach(mf, "the engine server detached");
		return 0;
	case MVGPU_ENGINE_REMOVE:
		return mvu_remove(uarg);
	default:
		return -ENOTTY;
	}
}

static int mvu_mmap_file(struct file *file, struct vm_area_struct *vma)
{
	struct mvu_file *mf = file->private_data;
	int ret = -ENODEV;

	mutex_lock(&mf->lock);
	if (mf->gpu)
		ret = mvu_mmap(mf->gpu, vma);
	mutex_unlock(&mf->lock);
	return ret;
}

static int mvu_open(struct inode *inode, struct file *file)
{
	struct mvu_file *mf;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	mf = kzalloc(sizeof(*mf), GFP_KERNEL);
	if (!mf)
		return -ENOMEM;
	mutex_init(&mf->lock);
	file->private_data = mf;
	return 0;
}

static int mvu_release(struct inode *inode, struct file *file)
{
	struct mvu_file *mf = file->private_data;

	mvu_detach(mf, "the engine server exited");
	mutex_destroy(&mf->lock);
	kfree(mf);
	return 0;
}

static const struct file_operations mvu_fops = {
	.owner = THIS_MODULE,
	.open = mvu_open,
	.release = mvu_release,
	.unlocked_ioctl = mvu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = mvu_mmap_file,
	.llseek = noop_llseek,
};

static struct miscdevice mvu_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "mvgpu-engine",
	.fops = &mvu_fops,
	.mode = 0600,
};

static int __init mvu_init(void)
{
	return misc_register(&mvu_misc);
}

static void __exit mvu_exit(void)
{
	struct mvu_gpu *gpu, *tmp;

	/* No file is open (they pin the module), so every pGPU is offline. */
	misc_deregister(&mvu_misc);
	list_for_each_entry_safe(gpu, tmp, &mvu_gpus, node) {
		list_del(&gpu->node);
		mvgpu_pgpu_unregister(gpu->pgpu);
		mvu_gpu_put(gpu);
	}
}

module_init(mvu_init);
module_exit(mvu_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mvgpu_user: pGPUs whose engines run in a userspace server (mvgpu-engined)");
MODULE_AUTHOR("The mvgpu authors");
MODULE_SOFTDEP("pre: mvgpu");
