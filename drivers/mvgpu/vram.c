// SPDX-License-Identifier: GPL-2.0
/*
 * A vGPU's VRAM slice: BAR2 reads and writes, BAR2 mmap, and clearing.
 *
 * The slice is [vram_base, vram_base + vram_size) of the pGPU's VRAM.
 * Every offset here is relative to the slice and has been bounded by the
 * caller (vfio_ops.c) or by the VMA (the fault handler re-checks), so no
 * path can reach another vGPU's memory.
 *
 * Clearing costs time proportional to the bytes cleared, and a guest can
 * ask for it in a loop (every reset clears), so the vGPU remembers what
 * may hold data, per MVGPU_VRAM_CHUNK of its slice: every write the core
 * sees (BAR2 writes, engine commands, the host path) sets the bits of the
 * chunks it touches first (mvgpu_vram_dirty()), and a clear zeroes only
 * those chunks.  Writes the core does not see need the whole slice: a
 * VFIO user that has BAR2 mapped (MVGPU_VRAM_MAPPED; the flag drops on
 * close, when no mapping can remain) and a new owner (MVGPU_VRAM_DIRTY:
 * create, remove, close).
 *
 * QEMU always maps BAR2, so a guest's reset normally clears its whole
 * slice.  The cost of that is bounded per vGPU by a budget: a vGPU may
 * have reset_clear_mb_per_s MiB cleared per second on average, in bursts
 * of up to MVGPU_VRAM_CLEAR_BURST slices; a clear beyond it waits (with
 * vgpu->lock held: only that vGPU waits) until the budget allows it.  A
 * guest resetting in a loop thus gets no more of the host's memory
 * bandwidth than that, and every reset still leaves the slice reading
 * zero.  Counted in mvgpu_stats/vram_cleared_bytes and
 * vram_clear_wait_ns.
 *
 * Locking: the chunk bitmap is set with atomic bitops by any writer and
 * cleared under vgpu->lock with the queues stopped; the budget and the
 * clear counters are vgpu->lock's.
 */
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <mvgpu/backend.h>

#include "compat.h"
#include "migrate.h"
#include "pgpu.h"
#include "vfio_ops.h"
#include "vgpu.h"
#include "vram.h"

/* Full slices a vGPU may have cleared back to back. */
#define MVGPU_VRAM_CLEAR_BURST	4

static unsigned int reset_clear_mb_per_s = 1024;
module_param(reset_clear_mb_per_s, uint, 0644);
MODULE_PARM_DESC(reset_clear_mb_per_s,
		 "VRAM each vGPU may have cleared by resets, in MiB per second on average, after a burst of 4 slices; a reset beyond it waits (default 1024, 0: no limit)");

/**
 * mvgpu_vram_dirty() - note that a range of the slice may now hold data
 * @vgpu: the vGPU.
 * @off: slice offset.
 * @len: bytes, with @off + @len <= vgpu->vram_size.
 *
 * Call before the write (and, where a reset may race with it, after it
 * too).  Any context.
 */
void mvgpu_vram_dirty(struct mvgpu_vgpu *vgpu, u64 off, u64 len)
{
	u64 c, last;

	if (!len || !vgpu->vram_dirty)
		return;
	last = div64_u64(off + len - 1, MVGPU_VRAM_CHUNK);
	for (c = div64_u64(off, MVGPU_VRAM_CHUNK); c <= last; c++)
		if (!test_bit(c, vgpu->vram_dirty))
			set_bit(c, vgpu->vram_dirty);
}

/**
 * mvgpu_vram_track_init() - set up the chunk bitmap of a context
 * @vgpu: the context, its slice reserved.
 *
 * Return: 0 or -ENOMEM.
 */
int mvgpu_vram_track_init(struct mvgpu_vgpu *vgpu)
{
	vgpu->vram_dirty = bitmap_zalloc(vgpu->vram_size / MVGPU_VRAM_CHUNK,
					 GFP_KERNEL);
	vgpu->clear_budget = MVGPU_VRAM_CLEAR_BURST * vgpu->vram_size;
	vgpu->clear_budget_at = ktime_get_ns();
	return vgpu->vram_dirty ? 0 : -ENOMEM;
}

/**
 * mvgpu_vram_track_fini() - free the chunk bitmap
 * @vgpu: the context.
 */
void mvgpu_vram_track_fini(struct mvgpu_vgpu *vgpu)
{
	bitmap_free(vgpu->vram_dirty);
	vgpu->vram_dirty = NULL;
}

/*
 * Take @bytes from the clear budget, waiting until it has them.  A fatal
 * signal ends the wait early (the process is going away; the clear is
 * done anyway).  vgpu->lock held.
 */
static void mvgpu_vram_clear_charge(struct mvgpu_vgpu *vgpu, u64 bytes)
{
	u64 rate = (u64)READ_ONCE(reset_clear_mb_per_s) << 20;
	u64 burst = MVGPU_VRAM_CLEAR_BURST * vgpu->vram_size;
	u64 now = ktime_get_ns(), elapsed, wait;

	lockdep_assert_held(&vgpu->lock);

	if (!rate) {
		vgpu->clear_budget = burst;
		vgpu->clear_budget_at = now;
		return;
	}
	elapsed = now - vgpu->clear_budget_at;
	if (elapsed >= div64_u64(burst * NSEC_PER_SEC, rate))
		vgpu->clear_budget = burst;
	else
		vgpu->clear_budget = min(burst, vgpu->clear_budget +
					 mul_u64_u64_div_u64(elapsed, rate,
							     NSEC_PER_SEC));
	vgpu->clear_budget_at = now;
	if (vgpu->clear_budget >= bytes) {
		vgpu->clear_budget -= bytes;
		return;
	}

	wait = mul_u64_u64_div_u64(bytes - vgpu->clear_budget, NSEC_PER_SEC,
				   rate);
	vgpu->clear_budget = 0;
	vgpu->clear_budget_at = now + wait;
	vgpu->stats.vram_clear_wait_ns += wait;
	while (!fatal_signal_pending(current) && ktime_get_ns() < now + wait) {
		u64 left = now + wait - ktime_get_ns();

		schedule_timeout_killable(max(1UL, nsecs_to_jiffies(left)));
	}
}

/**
 * mvgpu_vram_rw() - BAR2 region read or write
 * @vgpu: the vGPU.
 * @ubuf: user buffer.
 * @count: bytes, with @off + @count <= vgpu->vram_size.
 * @off: offset in the slice.
 * @write: direction.
 *
 * Return: 0, -ENOMEM, -EFAULT, or the backend's error.
 */
int mvgpu_vram_rw(struct mvgpu_vgpu *vgpu, char __user *ubuf, size_t count,
		  u64 off, bool write)
{
	const struct mvgpu_pgpu_ops *ops = vgpu->pgpu->ops;
	size_t chunk = min_t(size_t, count, PAGE_SIZE);
	size_t done, n;
	void *buf;
	int ret = 0;

	buf = kmalloc(chunk, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;

	if (write)
		mvgpu_vram_dirty(vgpu, off, count);

	for (done = 0; done < count; done += n) {
		u64 pos = vgpu->vram_base + off + done;

		n = min(count - done, chunk);
		if (write) {
			if (copy_from_user(buf, ubuf + done, n)) {
				ret = -EFAULT;
				break;
			}
			ret = ops->vram_rw(vgpu->pgpu, pos, buf, n, true);
			mvgpu_mig_dirty(vgpu, off + done, n);
			/*
			 * Again after the data landed: a reset that cleared
			 * the bits (and the chunks) meanwhile must not leave
			 * these bytes marked clean.  Data, then the bits'
			 * test: pairs with mvgpu_vram_clear().
			 */
			smp_mb();
			mvgpu_vram_dirty(vgpu, off + done, n);
			if (ret)
				break;
		} else {
			ret = ops->vram_rw(vgpu->pgpu, pos, buf, n, false);
			if (ret)
				break;
			if (copy_to_user(ubuf + done, buf, n)) {
				ret = -EFAULT;
				break;
			}
		}
		cond_resched();
	}

	kfree(buf);
	return ret;
}

/**
 * mvgpu_vram_fault_pfn() - map the VRAM page a fault asks for
 * @vgpu: the vGPU (or host context) whose slice is mapped.
 * @vmf: the fault.
 * @off: slice offset of the faulting page.
 *
 * Return: the result of vmf_insert_pfn(), or VM_FAULT_SIGBUS past the
 * slice.
 */
vm_fault_t mvgpu_vram_fault_pfn(struct mvgpu_vgpu *vgpu, struct vm_fault *vmf,
				u64 off)
{
	unsigned long pfn;

	if (off >= vgpu->vram_size)
		return VM_FAULT_SIGBUS;

	if (vmf->flags & FAULT_FLAG_WRITE)
		mvgpu_mig_dirty(vgpu, off, PAGE_SIZE);
	pfn = vgpu->pgpu->ops->vram_pfn(vgpu->pgpu, vgpu->vram_base + off);
	return vmf_insert_pfn(vmf->vma, vmf->address, pfn);
}

static vm_fault_t mvgpu_vram_fault(struct vm_fault *vmf)
{
	return mvgpu_vram_fault_pfn(vmf->vma->vm_private_data, vmf,
				    ((u64)vmf->pgoff << PAGE_SHIFT) &
				    MVGPU_REGION_MASK);
}

/*
 * The first write through a page's mapping.  Having this op makes the
 * kernel map shared writable pages read-only at first (write notify), so
 * every page's first write after a fault comes here: migration's dirty
 * tracking (migrate.c zaps a page after sending it, so the next write
 * comes here again).
 */
static vm_fault_t mvgpu_vram_pfn_mkwrite(struct vm_fault *vmf)
{
	struct mvgpu_vgpu *vgpu = vmf->vma->vm_private_data;
	u64 off = ((u64)vmf->pgoff << PAGE_SHIFT) & MVGPU_REGION_MASK;

	if (off >= vgpu->vram_size)
		return VM_FAULT_SIGBUS;
	mvgpu_mig_dirty(vgpu, off, PAGE_SIZE);
	return 0;
}

static const struct vm_operations_struct mvgpu_vram_vm_ops = {
	.fault = mvgpu_vram_fault,
	.pfn_mkwrite = mvgpu_vram_pfn_mkwrite,
};

/**
 * mvgpu_vram_mmap() - map BAR2 into a VFIO user's address space
 * @vgpu: the vGPU.
 * @vma: a shared mapping whose range lies inside the slice.
 * @off: slice offset of the mapping's first page.
 *
 * Pages are inserted on fault.  The VMA holds the device file open, so the
 * vGPU and its slice outlive every mapping.
 *
 * Return: 0.
 */
int mvgpu_vram_mmap(struct mvgpu_vgpu *vgpu, struct vm_area_struct *vma,
		    u64 off)
{
	set_bit(MVGPU_VRAM_MAPPED, &vgpu->vram_flags);
	mvgpu_vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND |
				VM_DONTDUMP);
	vma->vm_private_data = vgpu;
	vma->vm_ops = &mvgpu_vram_vm_ops;
	return 0;
}

/* Mark chunks [start, end) clean, before they are zeroed. */
static void mvgpu_vram_clean(struct mvgpu_vgpu *vgpu, unsigned long start,
			     unsigned long end)
{
	unsigned long c;

	for (c = start; c < end; c++)
		clear_bit(c, vgpu->vram_dirty);
	smp_mb__after_atomic();	/* bits, then data: pairs with vram_rw */
}

/**
 * mvgpu_vram_clear() - zero what the slice may hold
 * @vgpu: the vGPU, with ->lock held (or not yet visible to anyone), its
 *	queues stopped.
 *
 * Zeroes the chunks written since the last clear, or the whole slice when
 * writes may have gone unseen, after taking the bytes from the vGPU's
 * clear budget (which may wait).
 */
void mvgpu_vram_clear(struct mvgpu_vgpu *vgpu)
{
	const struct mvgpu_pgpu_ops *ops = vgpu->pgpu->ops;
	unsigned long nbits = vgpu->vram_size / MVGPU_VRAM_CHUNK;
	unsigned long start, end;
	bool full;
	u64 bytes;

	full = test_and_clear_bit(MVGPU_VRAM_DIRTY, &vgpu->vram_flags) ||
	       test_bit(MVGPU_VRAM_MAPPED, &vgpu->vram_flags);
	bytes = full ? vgpu->vram_size :
		(u64)bitmap_weight(vgpu->vram_dirty, nbits) * MVGPU_VRAM_CHUNK;
	if (!bytes)
		return;
	mvgpu_vram_clear_charge(vgpu, bytes);
	vgpu->stats.vram_cleared_bytes += bytes;

	/*
	 * The queues are stopped, but a BAR2 write (no vgpu->lock) may run
	 * meanwhile: bits are cleared atomically and before their chunks
	 * are zeroed; mvgpu_vram_rw() marks its chunks again after its data
	 * landed, so a write this clear misses stays marked.
	 */
	if (full) {
		mvgpu_vram_clean(vgpu, 0, nbits);
		ops->vram_clear(vgpu->pgpu, vgpu->vram_base, vgpu->vram_size);
		mvgpu_mig_dirty(vgpu, 0, vgpu->vram_size);
		return;
	}
	for_each_set_bitrange(start, end, vgpu->vram_dirty, nbits) {
		mvgpu_vram_clean(vgpu, start, end);
		ops->vram_clear(vgpu->pgpu,
				vgpu->vram_base + (u64)start * MVGPU_VRAM_CHUNK,
				(u64)(end - start) * MVGPU_VRAM_CHUNK);
		mvgpu_mig_dirty(vgpu, (u64)start * MVGPU_VRAM_CHUNK,
				(u64)(end - start) * MVGPU_VRAM_CHUNK);
	}
}

/**
 * mvgpu_vram_unmapped() - the user can no longer have the slice mapped
 * @vgpu: the vGPU, its device file released.
 *
 * Marks the slice dirty (the mappings may have written it) and forgets
 * that it was mapped.
 */
void mvgpu_vram_unmapped(struct mvgpu_vgpu *vgpu)
{
	if (test_and_clear_bit(MVGPU_VRAM_MAPPED, &vgpu->vram_flags))
		set_bit(MVGPU_VRAM_DIRTY, &vgpu->vram_flags);
}
