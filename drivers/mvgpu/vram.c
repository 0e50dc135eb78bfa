// SPDX-License-Identifier: GPL-2.0
/*
 * A vGPU's VRAM slice: BAR2 reads and writes, BAR2 mmap, and clearing.
 *
 * The slice is [vram_base, vram_base + vram_size) of the pGPU's VRAM.
 * Every offset here is relative to the slice and has been bounded by the
 * caller (vfio_ops.c) or by the VMA (the fault handler re-checks), so no
 * path can reach another vGPU's memory.
 *
 * Clearing a slice costs time proportional to its size, so the vGPU
 * remembers whether its VRAM may hold data: MVGPU_VRAM_DIRTY is set before
 * any write, MVGPU_VRAM_MAPPED while the VFIO user may have it mapped (it
 * can then write without us seeing it; the flag drops on close, when no
 * mapping can remain).  A clean slice is not cleared again.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <mvgpu/backend.h>

#include "compat.h"
#include "pgpu.h"
#include "vfio_ops.h"
#include "vgpu.h"
#include "vram.h"

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
		set_bit(MVGPU_VRAM_DIRTY, &vgpu->vram_flags);

	for (done = 0; done < count; done += n) {
		u64 pos = vgpu->vram_base + off + done;

		n = min(count - done, chunk);
		if (write) {
			if (copy_from_user(buf, ubuf + done, n)) {
				ret = -EFAULT;
				break;
			}
			ret = ops->vram_rw(vgpu->pgpu, pos, buf, n, true);
			/*
			 * Again after the data landed: a reset that cleared
			 * the flag (and the slice) meanwhile must not leave
			 * these bytes marked clean.
			 */
			smp_mb__before_atomic();
			set_bit(MVGPU_VRAM_DIRTY, &vgpu->vram_flags);
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

static vm_fault_t mvgpu_vram_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mvgpu_vgpu *vgpu = vma->vm_private_data;
	u64 off = ((u64)vmf->pgoff << PAGE_SHIFT) & MVGPU_REGION_MASK;
	unsigned long pfn;

	if (off >= vgpu->vram_size)
		return VM_FAULT_SIGBUS;

	pfn = vgpu->pgpu->ops->vram_pfn(vgpu->pgpu, vgpu->vram_base + off);
	return vmf_insert_pfn(vma, vmf->address, pfn);
}

static const struct vm_operations_struct mvgpu_vram_vm_ops = {
	.fault = mvgpu_vram_fault,
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

/**
 * mvgpu_vram_clear() - zero the slice if it may hold data
 * @vgpu: the vGPU.
 */
void mvgpu_vram_clear(struct mvgpu_vgpu *vgpu)
{
	bool dirty = test_and_clear_bit(MVGPU_VRAM_DIRTY, &vgpu->vram_flags);

	if (!dirty && !test_bit(MVGPU_VRAM_MAPPED, &vgpu->vram_flags))
		return;
	vgpu->pgpu->ops->vram_clear(vgpu->pgpu, vgpu->vram_base,
				    vgpu->vram_size);
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
