/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvgpu display engine: the state of one vGPU's scanout plane, its EDID
 * and the VFIO display and EDID regions (display.c).
 */
#ifndef _MVGPU_DISPLAY_H
#define _MVGPU_DISPLAY_H

#include <linux/atomic.h>
#include <linux/hrtimer.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include <uapi/linux/mvgpu.h>

/* The vGPU's own EDID: preferred mode by default, and its limits. */
#define MVGPU_DISP_DEF_WIDTH	1024
#define MVGPU_DISP_DEF_HEIGHT	768
#define MVGPU_DISP_MIN_WIDTH	640
#define MVGPU_DISP_MIN_HEIGHT	480

struct mvgpu_vgpu;
struct vfio_info_cap;
struct vfio_region_info;
struct vm_area_struct;

/**
 * struct mvgpu_disp_plane - a scanout plane as the registers describe it
 * @base: byte offset of the first line in the vGPU's VRAM.
 * @width: pixels per line.
 * @height: lines.
 * @stride: bytes from one line to the next.
 * @format: DRM fourcc code.
 */
struct mvgpu_disp_plane {
	u64 base;
	u32 width;
	u32 height;
	u32 stride;
	u32 format;
};

/**
 * struct mvgpu_disp - display engine state of a vGPU
 * @control: MVGPU_REG_DISP_CONTROL.
 * @staged: the plane registers as last written.
 * @active: the plane shown, valid while @on.
 * @on: a checked plane is being shown (MVGPU_DISP_STATUS_ACTIVE).
 * @error: MVGPU_REG_DISP_ERROR.
 * @edid_index: MVGPU_REG_DISP_EDID_INDEX.
 * @edid: the EDID the guest sees, @edid_size bytes of it.
 * @edid_size: MVGPU_REG_DISP_EDID_SIZE.
 * @edid_gen: MVGPU_REG_DISP_EDID_GEN.
 * @link_up: MVGPU_DISP_STATUS_LINK_UP.
 * @mode_w: the preferred mode of the EDID the vGPU starts with (sysfs
 *	mvgpu/display_mode), width,
 * @mode_h: and height.
 * @region_edid: the EDID blob the VFIO user writes into the EDID region;
 *	the guest sees it once the user sets the link up.
 * @region_edid_size: vfio_region_gfx_edid.edid_size as written.
 * @region_link: vfio_region_gfx_edid.link_state as written.
 * @vblank: raises MVGPU_IRQ_VBLANK at MVGPU_DISP_REFRESH_HZ while @on.
 * @frame: vblanks since reset (MVGPU_REG_DISP_FRAME).
 * @shadow_lock: see "Locking".
 * @shadow: the display region: the frame as last scanned out for the
 *	VFIO user, MVGPU_DISP_MAX_FRAME bytes, or NULL until first used.
 * @shadow_dirty: @shadow may hold a frame (it is zeroed when the plane
 *	goes off, so the VFIO user never keeps an old one).
 * @scanouts: frames copied into @shadow (sysfs mvgpu_stats).
 * @scanout_ns: time spent copying them.
 *
 * Locking: vgpu->lock protects everything above @vblank (register and
 * EDID region accesses hold it already).  @vblank's callback takes only
 * vgpu->irq_lock (through mvgpu_irq_raise()), so it is cancelled under
 * vgpu->lock.  @shadow_lock protects @shadow's contents, @shadow_dirty
 * and the counters; it is taken before vgpu->lock, never under it.
 * @shadow itself is set under @shadow_lock and freed only when no VFIO
 * user is left (close, release), so the mmap fault handler reads it
 * without the lock.
 */
struct mvgpu_disp {
	u32 control;
	struct mvgpu_disp_plane staged;
	struct mvgpu_disp_plane active;
	bool on;
	u32 error;
	u32 edid_index;
	u8 edid[MVGPU_DISP_EDID_MAX];
	u32 edid_size;
	u32 edid_gen;
	bool link_up;
	u16 mode_w;
	u16 mode_h;
	u8 region_edid[MVGPU_DISP_EDID_MAX];
	u32 region_edid_size;
	u32 region_link;

	struct hrtimer vblank;
	atomic_t frame;

	struct mutex shadow_lock;	/* see "Locking" above */
	void *shadow;
	bool shadow_dirty;
	u64 scanouts;
	u64 scanout_ns;
};

void mvgpu_disp_init(struct mvgpu_vgpu *vgpu);
void mvgpu_disp_fini(struct mvgpu_vgpu *vgpu);
void mvgpu_disp_open(struct mvgpu_vgpu *vgpu);
void mvgpu_disp_close(struct mvgpu_vgpu *vgpu);
void mvgpu_disp_reset(struct mvgpu_vgpu *vgpu);
u32 mvgpu_disp_read32(struct mvgpu_vgpu *vgpu, unsigned int reg);
void mvgpu_disp_write32(struct mvgpu_vgpu *vgpu, unsigned int reg, u32 val);
int mvgpu_disp_region_info(struct mvgpu_vgpu *vgpu,
			   struct vfio_region_info *info,
			   struct vfio_info_cap *caps);
int mvgpu_disp_region_rw(struct mvgpu_vgpu *vgpu, unsigned int index,
			 char __user *ubuf, size_t count, u64 off, bool write);
int mvgpu_disp_mmap(struct mvgpu_vgpu *vgpu, struct vm_area_struct *vma,
		    u64 off);
long mvgpu_disp_query_plane(struct mvgpu_vgpu *vgpu, void __user *arg);
ssize_t mvgpu_disp_status_show(struct mvgpu_vgpu *vgpu, char *buf);
ssize_t mvgpu_disp_mode_show(struct mvgpu_vgpu *vgpu, char *buf);
int mvgpu_disp_mode_store(struct mvgpu_vgpu *vgpu, const char *buf);

#endif /* _MVGPU_DISPLAY_H */
