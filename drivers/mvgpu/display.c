// SPDX-License-Identifier: GPL-2.0
/*
 * The display engine of a vGPU: one scanout plane in the vGPU's VRAM, a
 * vblank interrupt, the monitor's EDID, and how a VFIO user (QEMU with
 * display=on) sees them: VFIO_DEVICE_QUERY_GFX_PLANE with region planes,
 * the display region and the EDID region.
 *
 * The plane registers are checked in one place, mvgpu_disp_check(), when
 * the guest commits them; a plane that fails is never shown.  Scanout is a
 * copy: each VFIO_DEVICE_QUERY_GFX_PLANE copies the committed frame, and
 * only it, from the vGPU's slice into the display region (a buffer of
 * MVGPU_DISP_MAX_FRAME bytes that QEMU maps once), the way a display
 * engine reads its framebuffer on every refresh.  So a page flip (a new
 * base) or a mode change is picked up on the next query, and the region
 * never holds a byte from outside the slice: it starts zeroed, is zeroed
 * again whenever the plane goes off, and receives only checked frames.
 *
 * The guest reads its monitor's EDID through the EDID registers.  A
 * vGPU starts with one of its own (edid.c) whose preferred mode is the
 * sysfs attribute mvgpu/display_mode; the EDID region follows
 * VFIO_REGION_SUBTYPE_GFX_EDID: a VFIO user writes a blob and edid_size
 * while the link is down and sets the link up, and the guest then sees
 * that blob instead.  Either way MVGPU_REG_DISP_EDID_GEN advances.
 */
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>
#include <linux/vmalloc.h>

#include <mvgpu/backend.h>
#include <uapi/linux/mvgpu.h>

#include "compat.h"
#include "display.h"
#include "edid.h"
#include "irq.h"
#include "pgpu.h"
#include "vfio_ops.h"
#include "vgpu.h"

#define MVGPU_DISP_BPP		4	/* XRGB8888 */
#define MVGPU_DISP_PERIOD_NS	(NSEC_PER_SEC / MVGPU_DISP_REFRESH_HZ)
#define MVGPU_DISP_REGION_SIZE	PAGE_ALIGN(MVGPU_DISP_MAX_FRAME)
/* Scanout copies this much between reschedule points. */
#define MVGPU_DISP_COPY_CHUNK	SZ_1M

/* EDID region: struct vfio_region_gfx_edid, then the blob. */
#define MVGPU_EDID_BLOB_OFFSET	0x100
#define MVGPU_EDID_REGION_SIZE	(MVGPU_EDID_BLOB_OFFSET + MVGPU_DISP_EDID_MAX)

/* vfio_device_gfx_plane_info.drm_plane_type: DRM_PLANE_TYPE_CURSOR. */
#define MVGPU_DRM_PLANE_TYPE_CURSOR	2

static struct mvgpu_vgpu *disp_to_vgpu(struct mvgpu_disp *disp)
{
	return container_of(disp, struct mvgpu_vgpu, disp);
}

static enum hrtimer_restart mvgpu_disp_vblank_fn(struct hrtimer *timer)
{
	struct mvgpu_disp *disp = container_of(timer, struct mvgpu_disp,
					       vblank);

	atomic_inc(&disp->frame);
	mvgpu_irq_raise(disp_to_vgpu(disp), MVGPU_IRQ_VBLANK);
	hrtimer_forward_now(timer, ns_to_ktime(MVGPU_DISP_PERIOD_NS));
	return HRTIMER_RESTART;
}

/**
 * mvgpu_disp_init() - set up a new context's display state
 * @vgpu: the zeroed context.
 */
void mvgpu_disp_init(struct mvgpu_vgpu *vgpu)
{
	struct mvgpu_disp *disp = &vgpu->disp;

	mutex_init(&disp->shadow_lock);
	mvgpu_hrtimer_setup(&disp->vblank, mvgpu_disp_vblank_fn,
			    CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	disp->mode_w = MVGPU_DISP_DEF_WIDTH;
	disp->mode_h = MVGPU_DISP_DEF_HEIGHT;
	mvgpu_disp_open(vgpu);
}

/**
 * mvgpu_disp_fini() - free what the display engine holds
 * @vgpu: the context; no VFIO user is left and the device was reset.
 */
void mvgpu_disp_fini(struct mvgpu_vgpu *vgpu)
{
	hrtimer_cancel(&vgpu->disp.vblank);
	mvgpu_disp_close(vgpu);
	mutex_destroy(&vgpu->disp.shadow_lock);
}

/**
 * mvgpu_disp_open() - the host side of the display for a new VFIO user
 * @vgpu: the vGPU.
 *
 * A monitor is connected (link up) with the vGPU's own EDID (generation
 * 1), until the user provides another through the EDID region.
 */
void mvgpu_disp_open(struct mvgpu_vgpu *vgpu)
{
	struct mvgpu_disp *disp = &vgpu->disp;

	disp->edid_size = mvgpu_edid_build(disp->edid, disp->mode_w,
					   disp->mode_h);
	memset(disp->region_edid, 0, sizeof(disp->region_edid));
	disp->edid_gen = 1;
	disp->link_up = true;
	disp->region_edid_size = 0;
	disp->region_link = VFIO_DEVICE_GFX_LINK_STATE_UP;
}

/**
 * mvgpu_disp_close() - free the display region
 * @vgpu: the vGPU; its last VFIO user has gone, so nothing maps the region.
 */
void mvgpu_disp_close(struct mvgpu_vgpu *vgpu)
{
	struct mvgpu_disp *disp = &vgpu->disp;

	mutex_lock(&disp->shadow_lock);
	vfree(disp->shadow);
	disp->shadow = NULL;
	disp->shadow_dirty = false;
	mutex_unlock(&disp->shadow_lock);
}

static void mvgpu_disp_set_on(struct mvgpu_disp *disp, bool on)
{
	if (on && !disp->on)
		hrtimer_start(&disp->vblank, ns_to_ktime(MVGPU_DISP_PERIOD_NS),
			      HRTIMER_MODE_REL);
	else if (!on && disp->on)
		hrtimer_cancel(&disp->vblank);
	disp->on = on;
}

/**
 * mvgpu_disp_reset() - put the display registers at their reset values
 * @vgpu: the vGPU, with ->lock held.
 *
 * The plane goes off and the vblank interrupt stops.  The EDID is the
 * host's and survives, as a monitor stays connected through a reset.
 */
void mvgpu_disp_reset(struct mvgpu_vgpu *vgpu)
{
	struct mvgpu_disp *disp = &vgpu->disp;

	lockdep_assert_held(&vgpu->lock);

	mvgpu_disp_set_on(disp, false);
	disp->control = 0;
	memset(&disp->staged, 0, sizeof(disp->staged));
	memset(&disp->active, 0, sizeof(disp->active));
	disp->error = MVGPU_DISP_ERR_NONE;
	disp->edid_index = 0;
	atomic_set(&disp->frame, 0);
}

/*
 * The one check of a plane the guest commits: enum mvgpu_disp_error.
 * Everything is computed in 64 bits, so no product wraps.
 */
static u32 mvgpu_disp_check(const struct mvgpu_vgpu *vgpu,
			    const struct mvgpu_disp_plane *p)
{
	u64 bytes;

	if (p->format != MVGPU_DISP_FMT_XRGB8888)
		return MVGPU_DISP_ERR_FORMAT;
	if (!p->width || p->width > MVGPU_DISP_MAX_WIDTH ||
	    !p->height || p->height > MVGPU_DISP_MAX_HEIGHT)
		return MVGPU_DISP_ERR_SIZE;
	if ((u64)p->stride < (u64)p->width * MVGPU_DISP_BPP ||
	    p->stride > MVGPU_DISP_MAX_STRIDE ||
	    p->stride % MVGPU_DISP_STRIDE_ALIGN)
		return MVGPU_DISP_ERR_STRIDE;
	bytes = (u64)p->stride * p->height;
	if (p->base % MVGPU_DISP_BASE_ALIGN || bytes > MVGPU_DISP_MAX_FRAME ||
	    p->base > vgpu->vram_size || bytes > vgpu->vram_size - p->base)
		return MVGPU_DISP_ERR_RANGE;
	return MVGPU_DISP_ERR_NONE;
}

static void mvgpu_disp_commit(struct mvgpu_vgpu *vgpu, u32 val)
{
	struct mvgpu_disp *disp = &vgpu->disp;

	disp->control = val & MVGPU_DISP_CTL_ENABLE;
	disp->error = MVGPU_DISP_ERR_NONE;
	if (disp->control & MVGPU_DISP_CTL_ENABLE)
		disp->error = mvgpu_disp_check(vgpu, &disp->staged);
	if (!(disp->control & MVGPU_DISP_CTL_ENABLE) || disp->error) {
		mvgpu_disp_set_on(disp, false);
		return;
	}
	disp->active = disp->staged;
	mvgpu_disp_set_on(disp, true);
}

static u32 mvgpu_disp_edid_data(struct mvgpu_disp *disp)
{
	unsigned int i = disp->edid_index % MVGPU_DISP_EDID_MAX;
	u32 val = 0;
	unsigned int b;

	for (b = 0; b < 4; b++)
		if (i + b < disp->edid_size)
			val |= (u32)disp->edid[i + b] << (8 * b);
	disp->edid_index = (i + 4) % MVGPU_DISP_EDID_MAX;
	return val;
}

/**
 * mvgpu_disp_read32() - read a display register
 * @vgpu: the vGPU, with ->lock held.
 * @reg: 4-byte aligned offset in [MVGPU_DISP_BASE, MVGPU_DISP_END).
 *
 * Return: the register's value, 0 for offsets that name none.
 */
u32 mvgpu_disp_read32(struct mvgpu_vgpu *vgpu, unsigned int reg)
{
	struct mvgpu_disp *disp = &vgpu->disp;
	u32 status = 0;

	lockdep_assert_held(&vgpu->lock);

	switch (reg) {
	case MVGPU_REG_DISP_CONTROL:
		return disp->control;
	case MVGPU_REG_DISP_STATUS:
		if (disp->on)
			status |= MVGPU_DISP_STATUS_ACTIVE;
		if (disp->error)
			status |= MVGPU_DISP_STATUS_ERROR;
		if (disp->link_up)
			status |= MVGPU_DISP_STATUS_LINK_UP;
		return status;
	case MVGPU_REG_DISP_ERROR:
		return disp->error;
	case MVGPU_REG_DISP_BASE_LO:
		return lower_32_bits(disp->staged.base);
	case MVGPU_REG_DISP_BASE_HI:
		return upper_32_bits(disp->staged.base);
	case MVGPU_REG_DISP_WIDTH:
		return disp->staged.width;
	case MVGPU_REG_DISP_HEIGHT:
		return disp->staged.height;
	case MVGPU_REG_DISP_STRIDE:
		return disp->staged.stride;
	case MVGPU_REG_DISP_FORMAT:
		return disp->staged.format;
	case MVGPU_REG_DISP_FRAME:
		return atomic_read(&disp->frame);
	case MVGPU_REG_DISP_MAX_WIDTH:
		return MVGPU_DISP_MAX_WIDTH;
	case MVGPU_REG_DISP_MAX_HEIGHT:
		return MVGPU_DISP_MAX_HEIGHT;
	case MVGPU_REG_DISP_EDID_SIZE:
		return disp->edid_size;
	case MVGPU_REG_DISP_EDID_GEN:
		return disp->edid_gen;
	case MVGPU_REG_DISP_EDID_INDEX:
		return disp->edid_index;
	case MVGPU_REG_DISP_EDID_DATA:
		return mvgpu_disp_edid_data(disp);
	}
	return 0;
}

/**
 * mvgpu_disp_write32() - write a display register
 * @vgpu: the vGPU, with ->lock held.
 * @reg: 4-byte aligned offset in [MVGPU_DISP_BASE, MVGPU_DISP_END).
 * @val: the value.
 *
 * Plane registers only stage a value; MVGPU_REG_DISP_CONTROL commits.
 * Writes to read-only or unknown offsets are ignored.
 */
void mvgpu_disp_write32(struct mvgpu_vgpu *vgpu, unsigned int reg, u32 val)
{
	struct mvgpu_disp *disp = &vgpu->disp;

	lockdep_assert_held(&vgpu->lock);

	switch (reg) {
	case MVGPU_REG_DISP_CONTROL:
		mvgpu_disp_commit(vgpu, val);
		break;
	case MVGPU_REG_DISP_BASE_LO:
		disp->staged.base = (disp->staged.base & ~0xffffffffULL) | val;
		break;
	case MVGPU_REG_DISP_BASE_HI:
		disp->staged.base = lower_32_bits(disp->staged.base) |
				    (u64)val << 32;
		break;
	case MVGPU_REG_DISP_WIDTH:
		disp->staged.width = val;
		break;
	case MVGPU_REG_DISP_HEIGHT:
		disp->staged.height = val;
		break;
	case MVGPU_REG_DISP_STRIDE:
		disp->staged.stride = val;
		break;
	case MVGPU_REG_DISP_FORMAT:
		disp->staged.format = val;
		break;
	case MVGPU_REG_DISP_EDID_INDEX:
		disp->edid_index = round_down(val, 4) % MVGPU_DISP_EDID_MAX;
		break;
	}
}

/* ---------------------------------------------------------------------- */
/* The VFIO side: regions and VFIO_DEVICE_QUERY_GFX_PLANE                  */
/* ---------------------------------------------------------------------- */

/**
 * mvgpu_disp_region_info() - describe the display or the EDID region
 * @vgpu: the vGPU.
 * @info: in: ->index (MVGPU_REGION_DISPLAY or MVGPU_REGION_EDID); out:
 *	->size, ->flags, ->offset.
 * @caps: where the EDID region's type capability goes, or NULL.
 *
 * Return: 0, -EINVAL for another index, or -ENOMEM.
 */
int mvgpu_disp_region_info(struct mvgpu_vgpu *vgpu,
			   struct vfio_region_info *info,
			   struct vfio_info_cap *caps)
{
	struct vfio_region_info_cap_type cap = {
		.header.id = VFIO_REGION_INFO_CAP_TYPE,
		.header.version = 1,
		.type = VFIO_REGION_TYPE_GFX,
		.subtype = VFIO_REGION_SUBTYPE_GFX_EDID,
	};

	info->offset = MVGPU_REGION_OFFSET(info->index);
	switch (info->index) {
	case MVGPU_REGION_DISPLAY:
		info->size = MVGPU_DISP_REGION_SIZE;
		info->flags = VFIO_REGION_INFO_FLAG_READ |
			      VFIO_REGION_INFO_FLAG_MMAP;
		return 0;
	case MVGPU_REGION_EDID:
		info->size = MVGPU_EDID_REGION_SIZE;
		info->flags = VFIO_REGION_INFO_FLAG_READ |
			      VFIO_REGION_INFO_FLAG_WRITE;
		return caps ? vfio_info_add_capability(caps, &cap.header,
						       sizeof(cap)) : 0;
	}
	return -EINVAL;
}

/* Called with shadow_lock held. */
static int mvgpu_disp_shadow_get(struct mvgpu_disp *disp)
{
	lockdep_assert_held(&disp->shadow_lock);

	if (!disp->shadow)
		disp->shadow = vmalloc_user(MVGPU_DISP_REGION_SIZE);
	return disp->shadow ? 0 : -ENOMEM;
}

/*
 * Copy the committed plane into the display region.  Returns false, with
 * the region zeroed, when there is nothing to show.
 */
static bool mvgpu_disp_scanout(struct mvgpu_vgpu *vgpu,
			       struct mvgpu_disp_plane *p)
{
	struct mvgpu_disp *disp = &vgpu->disp;
	const struct mvgpu_pgpu_ops *ops = vgpu->pgpu->ops;
	u64 bytes, done, n, start;
	bool on;
	int ret = 0;

	lockdep_assert_held(&disp->shadow_lock);

	mutex_lock(&vgpu->lock);
	on = disp->on;
	*p = disp->active;
	mutex_unlock(&vgpu->lock);

	if (on) {
		/* mvgpu_disp_check() bounded it by the slice and the region. */
		bytes = (u64)p->stride * p->height;
		start = ktime_get_ns();
		for (done = 0; done < bytes; done += n) {
			n = min_t(u64, bytes - done, MVGPU_DISP_COPY_CHUNK);
			ret = ops->vram_rw(vgpu->pgpu,
					   vgpu->vram_base + p->base + done,
					   disp->shadow + done, n, false);
			if (ret)
				break;
			cond_resched();
		}
		disp->scanouts++;
		disp->scanout_ns += ktime_get_ns() - start;
		disp->shadow_dirty = true;
		if (ret)
			on = false;
	}
	if (!on && disp->shadow_dirty) {
		memset(disp->shadow, 0, MVGPU_DISP_REGION_SIZE);
		disp->shadow_dirty = false;
	}
	return on;
}

/**
 * mvgpu_disp_query_plane() - VFIO_DEVICE_QUERY_GFX_PLANE
 * @vgpu: the vGPU.
 * @arg: user pointer to struct vfio_device_gfx_plane_info.
 *
 * Region planes only: a probe for them succeeds, one for dma-buf planes
 * fails with -EINVAL.  A query scans the committed plane out into the
 * display region and describes it; with no plane shown (or for the cursor
 * plane) drm_format and size are 0, which QEMU takes as "no display".
 *
 * Return: 0, -EINVAL, -EFAULT or -ENOMEM.
 */
long mvgpu_disp_query_plane(struct mvgpu_vgpu *vgpu, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_device_gfx_plane_info,
					  region_index);
	struct mvgpu_disp *disp = &vgpu->disp;
	struct vfio_device_gfx_plane_info plane;
	struct mvgpu_disp_plane p;
	int ret;

	if (copy_from_user(&plane, arg, minsz))
		return -EFAULT;
	if (plane.argsz < minsz)
		return -EINVAL;
	if (plane.flags & VFIO_GFX_PLANE_TYPE_PROBE)
		return plane.flags == (VFIO_GFX_PLANE_TYPE_PROBE |
				       VFIO_GFX_PLANE_TYPE_REGION) ? 0 : -EINVAL;
	if (plane.flags != VFIO_GFX_PLANE_TYPE_REGION ||
	    plane.drm_plane_type > MVGPU_DRM_PLANE_TYPE_CURSOR)
		return -EINVAL;

	/* Every output field starts at 0. */
	plane = (struct vfio_device_gfx_plane_info) {
		.argsz = plane.argsz,
		.flags = plane.flags,
		.drm_plane_type = plane.drm_plane_type,
		.region_index = MVGPU_REGION_DISPLAY,
	};

	if (plane.drm_plane_type != MVGPU_DRM_PLANE_TYPE_CURSOR) {
		mutex_lock(&disp->shadow_lock);
		ret = mvgpu_disp_shadow_get(disp);
		if (!ret && mvgpu_disp_scanout(vgpu, &p)) {
			plane.drm_format = p.format;
			plane.width = p.width;
			plane.height = p.height;
			plane.stride = p.stride;
			plane.size = PAGE_ALIGN((u64)p.stride * p.height);
		}
		mutex_unlock(&disp->shadow_lock);
		if (ret)
			return ret;
	}
	return copy_to_user(arg, &plane, minsz) ? -EFAULT : 0;
}

static vm_fault_t mvgpu_disp_fault(struct vm_fault *vmf)
{
	struct mvgpu_vgpu *vgpu = vmf->vma->vm_private_data;
	u64 off = ((u64)vmf->pgoff << PAGE_SHIFT) & MVGPU_REGION_MASK;
	struct page *page;

	/* Set before the mapping existed, freed only after it is gone. */
	if (off >= MVGPU_DISP_REGION_SIZE || !vgpu->disp.shadow)
		return VM_FAULT_SIGBUS;
	page = vmalloc_to_page(vgpu->disp.shadow + off);
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct mvgpu_disp_vm_ops = {
	.fault = mvgpu_disp_fault,
};

/**
 * mvgpu_disp_mmap() - map the display region, read-only
 * @vgpu: the vGPU.
 * @vma: the mapping; the caller checked it lies in the region.
 * @off: region offset of its first page.
 *
 * Return: 0, -EINVAL for a writable mapping, -ENOMEM.
 */
int mvgpu_disp_mmap(struct mvgpu_vgpu *vgpu, struct vm_area_struct *vma,
		    u64 off)
{
	struct mvgpu_disp *disp = &vgpu->disp;
	int ret;

	if (vma->vm_flags & VM_WRITE)
		return -EINVAL;

	mutex_lock(&disp->shadow_lock);
	ret = mvgpu_disp_shadow_get(disp);
	mutex_unlock(&disp->shadow_lock);
	if (ret)
		return ret;

	mvgpu_vm_flags_mod(vma, VM_DONTEXPAND | VM_DONTDUMP, VM_MAYWRITE);
	vma->vm_private_data = vgpu;
	vma->vm_ops = &mvgpu_disp_vm_ops;
	return 0;
}

static int mvgpu_disp_shadow_read(struct mvgpu_vgpu *vgpu, char __user *ubuf,
				  size_t count, u64 off)
{
	struct mvgpu_disp *disp = &vgpu->disp;
	int ret;

	mutex_lock(&disp->shadow_lock);
	ret = mvgpu_disp_shadow_get(disp);
	if (!ret && copy_to_user(ubuf, disp->shadow + off, count))
		ret = -EFAULT;
	mutex_unlock(&disp->shadow_lock);
	return ret;
}

static int mvgpu_edid_link(struct mvgpu_disp *disp, u32 state)
{
	switch (state) {
	case VFIO_DEVICE_GFX_LINK_STATE_UP:
		/* The guest sees the new monitor's EDID and its generation. */
		memset(disp->edid, 0, sizeof(disp->edid));
		memcpy(disp->edid, disp->region_edid, disp->region_edid_size);
		disp->edid_size = disp->region_edid_size;
		disp->edid_gen++;
		disp->link_up = true;
		break;
	case VFIO_DEVICE_GFX_LINK_STATE_DOWN:
		disp->link_up = false;
		break;
	default:
		return -EINVAL;
	}
	disp->region_link = state;
	return 0;
}

/*
 * EDID region writes: a whole edid_size or link_state field, or bytes of
 * the blob.  Anything else (read-only fields, partial fields, the gap) is
 * refused with -EINVAL.
 */
static int mvgpu_edid_write(struct mvgpu_disp *disp, const char __user *ubuf,
			    size_t count, u64 off)
{
	u32 val;

	if (off >= MVGPU_EDID_BLOB_OFFSET) {
		off -= MVGPU_EDID_BLOB_OFFSET;
		return copy_from_user(disp->region_edid + off, ubuf, count) ?
		       -EFAULT : 0;
	}
	if (count != sizeof(val))
		return -EINVAL;
	if (copy_from_user(&val, ubuf, sizeof(val)))
		return -EFAULT;
	switch (off) {
	case offsetof(struct vfio_region_gfx_edid, edid_size):
		if (val > MVGPU_DISP_EDID_MAX)
			return -EINVAL;
		disp->region_edid_size = val;
		return 0;
	case offsetof(struct vfio_region_gfx_edid, link_state):
		return mvgpu_edid_link(disp, val);
	}
	return -EINVAL;
}

static int mvgpu_edid_read(struct mvgpu_disp *disp, char __user *ubuf,
			   size_t count, u64 off)
{
	struct vfio_region_gfx_edid regs = {
		.edid_offset = MVGPU_EDID_BLOB_OFFSET,
		.edid_max_size = MVGPU_DISP_EDID_MAX,
		.edid_size = disp->region_edid_size,
		.max_xres = MVGPU_DISP_MAX_WIDTH,
		.max_yres = MVGPU_DISP_MAX_HEIGHT,
		.link_state = disp->region_link,
	};
	size_t n;

	/* The header, then zeros up to the blob, then the blob. */
	if (off < MVGPU_EDID_BLOB_OFFSET) {
		n = min_t(u64, count, MVGPU_EDID_BLOB_OFFSET - off);
		if (off < sizeof(regs) &&
		    copy_to_user(ubuf, (u8 *)&regs + off,
				 min_t(u64, n, sizeof(regs) - off)))
			return -EFAULT;
		if (off + n > sizeof(regs)) {
			u64 z = max_t(u64, off, sizeof(regs));

			if (clear_user(ubuf + (z - off), off + n - z))
				return -EFAULT;
		}
		ubuf += n;
		count -= n;
		off += n;
	}
	if (count && copy_to_user(ubuf, disp->region_edid +
				  (off - MVGPU_EDID_BLOB_OFFSET), count))
		return -EFAULT;
	return 0;
}

/**
 * mvgpu_disp_region_rw() - read or write the display or EDID region
 * @vgpu: the vGPU.
 * @index: MVGPU_REGION_DISPLAY or MVGPU_REGION_EDID.
 * @ubuf: user buffer.
 * @count: bytes; the caller checked [@off, @off + @count) is in the region.
 * @off: region offset.
 * @write: direction.
 *
 * Return: 0, -EINVAL (the display region is read-only; see
 * mvgpu_edid_write()), -EFAULT or -ENOMEM.
 */
int mvgpu_disp_region_rw(struct mvgpu_vgpu *vgpu, unsigned int index,
			 char __user *ubuf, size_t count, u64 off, bool write)
{
	int ret;

	if (index == MVGPU_REGION_DISPLAY)
		return write ? -EINVAL :
			       mvgpu_disp_shadow_read(vgpu, ubuf, count, off);

	mutex_lock(&vgpu->lock);
	if (write)
		ret = mvgpu_edid_write(&vgpu->disp, ubuf, count, off);
	else
		ret = mvgpu_edid_read(&vgpu->disp, ubuf, count, off);
	mutex_unlock(&vgpu->lock);
	return ret;
}

/**
 * mvgpu_disp_status_show() - the vGPU's sysfs mvgpu/display
 * @vgpu: the vGPU.
 * @buf: the sysfs page.
 *
 * "on <width>x<height> XRGB8888 stride <bytes> base 0x<offset>" while a
 * plane is shown, "error <enum mvgpu_disp_error>" after a refused commit,
 * "off" otherwise; then " link up" or " link down" and " edid <bytes>".
 *
 * Return: the length written.
 */
ssize_t mvgpu_disp_status_show(struct mvgpu_vgpu *vgpu, char *buf)
{
	struct mvgpu_disp *disp = &vgpu->disp;
	struct mvgpu_disp_plane p;
	u32 error, edid_size;
	bool on, link;
	int n;

	mutex_lock(&vgpu->lock);
	on = disp->on;
	p = disp->active;
	error = disp->error;
	link = disp->link_up;
	edid_size = disp->edid_size;
	mutex_unlock(&vgpu->lock);

	if (on)
		/* XRGB8888 is the one format a shown plane can have. */
		n = sysfs_emit(buf, "on %ux%u XRGB8888 stride %u base 0x%llx",
			       p.width, p.height, p.stride, p.base);
	else if (error)
		n = sysfs_emit(buf, "error %u", error);
	else
		n = sysfs_emit(buf, "off");
	return n + sysfs_emit_at(buf, n, " link %s edid %u\n",
				 link ? "up" : "down", edid_size);
}

/**
 * mvgpu_disp_mode_show() - the vGPU's sysfs mvgpu/display_mode
 * @vgpu: the vGPU.
 * @buf: the sysfs page.
 *
 * Return: the length written, "<width>x<height>\n".
 */
ssize_t mvgpu_disp_mode_show(struct mvgpu_vgpu *vgpu, char *buf)
{
	unsigned int w, h;

	mutex_lock(&vgpu->lock);
	w = vgpu->disp.mode_w;
	h = vgpu->disp.mode_h;
	mutex_unlock(&vgpu->lock);
	return sysfs_emit(buf, "%ux%u\n", w, h);
}

/**
 * mvgpu_disp_mode_store() - set the preferred mode of the vGPU's own EDID
 * @vgpu: the vGPU.
 * @buf: "<width>x<height>", from MVGPU_DISP_MIN_WIDTH x _HEIGHT to the
 *	engine's maximum.
 *
 * The guest sees a new monitor at once (EDID_GEN advances), even if the
 * VFIO user had provided an EDID; a new VFIO user starts with this one.
 *
 * Return: 0 or -EINVAL.
 */
int mvgpu_disp_mode_store(struct mvgpu_vgpu *vgpu, const char *buf)
{
	struct mvgpu_disp *disp = &vgpu->disp;
	unsigned int w, h;
	int n = 0;

	if (sscanf(buf, "%ux%u%n", &w, &h, &n) != 2 ||
	    (buf[n] && strcmp(buf + n, "\n")) ||
	    w < MVGPU_DISP_MIN_WIDTH || w > MVGPU_DISP_MAX_WIDTH ||
	    h < MVGPU_DISP_MIN_HEIGHT || h > MVGPU_DISP_MAX_HEIGHT)
		return -EINVAL;

	mutex_lock(&vgpu->lock);
	disp->mode_w = w;
	disp->mode_h = h;
	disp->edid_size = mvgpu_edid_build(disp->edid, w, h);
	disp->edid_gen++;
	disp->link_up = true;
	mutex_unlock(&vgpu->lock);
	return 0;
}
