// SPDX-License-Identifier: GPL-2.0
/*
 * bc292ab00f6c ("mm: introduce vma->vm_flags wrapper functions"), v6.3:
 * vm_flags is set through vm_flags_set()/vm_flags_mod() and read-only
 * otherwise.
 */
#include <linux/mm.h>

void mvgpu_probe(struct vm_area_struct *vma);
void mvgpu_probe(struct vm_area_struct *vma)
{
	vm_flags_set(vma, VM_IO | VM_DONTEXPAND);
}
