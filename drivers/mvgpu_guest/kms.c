// SPDX-License-Identifier: GPL-2.0
/*
 * mvgpu_guest_kms: the DRM/KMS driver of the mvgpu vGPU's display engine
 * (Documentation/mvgpu-device.rst, section 13), bound to the auxiliary
 * device mvgpu_guest.ko adds for it (include/mvgpu/guest_display.h).
 *
 * One CRTC, one primary plane, one virtual connector: a simple display
 * pipe with atomic modesetting.  Buffers are GEM VRAM objects in the part
 * of the vGPU's VRAM mvgpu_guest.ko set aside for scanout (TTM moves them
 * to system memory when they are not shown and VRAM runs short, and pins
 * the shown one in VRAM).  The plane's base is that object's offset;
 * dumb buffers get a pitch aligned as the device requires.  fbdev
 * emulation gives the console a framebuffer.  Modes come from the EDID
 * the host provides; without one, the standard modes up to the engine's
 * maximum, 1024x768 preferred.  The connector is polled: a new EDID
 * (MVGPU_REG_DISP_EDID_GEN changed) or a link change is a hotplug.
 *
 * The engine's vblank interrupt is not used yet: page-flip events are
 * sent at commit time (DRM's fake vblank for drivers without one).
 *
 * Removal: mvgpu_guest.ko deletes the auxiliary device before it lets go
 * of the BARs; remove() unplugs the DRM device first, so open DRM files
 * stay valid (their ioctls fail with -ENODEV, their mappings are zapped
 * and TTM gives later faults a dummy page) and every hardware access
 * below runs inside drm_dev_enter()/drm_dev_exit().
 *
 * Locking: none of our own.  DRM serialises modesets (modeset locks) and
 * probes (mode_config.mutex); the registers are written only from those
 * paths.
 */
#define MVGPU_COMPAT_DRM

#include <linux/module.h>
#include <linux/slab.h>

#include <drm/drm_atomic_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_edid.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_gem_ttm_helper.h>
#include <drm/drm_gem_vram_helper.h>
#include <drm/drm_managed.h>
#include <drm/drm_print.h>
#include <drm/drm_probe_helper.h>
#include <drm/drm_simple_kms_helper.h>

#include <mvgpu/guest_display.h>
#include <uapi/linux/mvgpu.h>

#include "../mvgpu/compat.h"

#define MVGPU_KMS_DEF_WIDTH	1024
#define MVGPU_KMS_DEF_HEIGHT	768

/**
 * struct mvgpu_kms - the DRM device of one vGPU's display
 * @drm: the DRM device.
 * @disp: the display mvgpu_guest.ko described.
 * @pipe: CRTC, primary plane and encoder.
 * @conn: the virtual connector.
 * @edid_gen: MVGPU_REG_DISP_EDID_GEN when the modes were last read.
 */
struct mvgpu_kms {
	struct drm_device drm;
	struct mvgpu_guest_disp *disp;
	struct drm_simple_display_pipe pipe;
	struct drm_connector conn;
	u32 edid_gen;
};

static struct mvgpu_kms *to_kms(struct drm_device *drm)
{
	return container_of(drm, struct mvgpu_kms, drm);
}

static u32 mvgpu_kms_rd(struct mvgpu_kms *k, unsigned int reg)
{
	return readl(k->disp->regs + reg);
}

static void mvgpu_kms_wr(struct mvgpu_kms *k, unsigned int reg, u32 val)
{
	writel(val, k->disp->regs + reg);
}

/* The frame's line pitch: what the engine accepts. */
static u32 mvgpu_kms_pitch(u32 width)
{
	return ALIGN(width * 4, MVGPU_DISP_STRIDE_ALIGN);
}

/* ------------------------------------------------------------------ */
/* Connector                                                            */
/* ------------------------------------------------------------------ */

/* The EDID as the device shows it, or NULL. */
static struct edid *mvgpu_kms_read_edid(struct mvgpu_kms *k)
{
	u32 size = mvgpu_kms_rd(k, MVGPU_REG_DISP_EDID_SIZE);
	struct edid *edid;
	u32 i, v;

	if (size < EDID_LENGTH || size > MVGPU_DISP_EDID_MAX)
		return NULL;
	edid = kzalloc(ALIGN(size, 4), GFP_KERNEL);
	if (!edid)
		return NULL;
	mvgpu_kms_wr(k, MVGPU_REG_DISP_EDID_INDEX, 0);
	for (i = 0; i < size; i += 4) {
		v = mvgpu_kms_rd(k, MVGPU_REG_DISP_EDID_DATA);
		memcpy((u8 *)edid + i, &v, 4);
	}
	/* Only as many extension blocks as were provided. */
	if (EDID_LENGTH * (1 + edid->extensions) > size ||
	    !drm_edid_is_valid(edid)) {
		kfree(edid);
		return NULL;
	}
	return edid;
}

static int mvgpu_kms_get_modes(struct drm_connector *conn)
{
	struct mvgpu_kms *k = to_kms(conn->dev);
	struct edid *edid = NULL;
	int idx, count = 0;

	if (drm_dev_enter(&k->drm, &idx)) {
		k->edid_gen = mvgpu_kms_rd(k, MVGPU_REG_DISP_EDID_GEN);
		edid = mvgpu_kms_read_edid(k);
		drm_dev_exit(idx);
	}
	drm_connector_update_edid_property(conn, edid);
	if (edid)
		count = drm_add_edid_modes(conn, edid);
	kfree(edid);
	if (!count) {
		count = drm_add_modes_noedid(conn, MVGPU_DISP_MAX_WIDTH,
					     MVGPU_DISP_MAX_HEIGHT);
		drm_set_preferred_mode(conn, MVGPU_KMS_DEF_WIDTH,
				       MVGPU_KMS_DEF_HEIGHT);
	}
	return count;
}

static enum drm_connector_status
mvgpu_kms_detect(struct drm_connector *conn, bool force)
{
	struct mvgpu_kms *k = to_kms(conn->dev);
	enum drm_connector_status status = connector_status_disconnected;
	int idx;

	if (!drm_dev_enter(&k->drm, &idx))
		return status;
	if (mvgpu_kms_rd(k, MVGPU_REG_DISP_STATUS) & MVGPU_DISP_STATUS_LINK_UP)
		status = connector_status_connected;
	/* A new EDID with the link up all along is a hotplug too. */
	if (mvgpu_kms_rd(k, MVGPU_REG_DISP_EDID_GEN) != k->edid_gen)
		conn->epoch_counter++;
	drm_dev_exit(idx);
	return status;
}

static const struct drm_connector_helper_funcs mvgpu_kms_conn_helpers = {
	.get_modes = mvgpu_kms_get_modes,
};

static const struct drm_connector_funcs mvgpu_kms_conn_funcs = {
	.detect = mvgpu_kms_detect,
	.fill_modes = drm_helper_probe_single_connector_modes,
	.destroy = drm_connector_cleanup,
	.reset = drm_atomic_helper_connector_reset,
	.atomic_duplicate_state = drm_atomic_helper_connector_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_connector_destroy_state,
};

/* ------------------------------------------------------------------ */
/* The pipe: CRTC and primary plane                                     */
/* ------------------------------------------------------------------ */

static const u32 mvgpu_kms_formats[] = { DRM_FORMAT_XRGB8888 };

/* Program and commit the plane; the device checks it again. */
static void mvgpu_kms_show(struct mvgpu_kms *k, struct drm_plane_state *state)
{
	struct drm_framebuffer *fb = state->fb;
	struct drm_crtc_state *crtc_state = k->pipe.crtc.state;
	s64 off;
	u64 base;
	int idx;

	if (!fb || !crtc_state)
		return;
	off = drm_gem_vram_offset(drm_gem_vram_of_gem(fb->obj[0]));
	if (off < 0)
		return;
	base = k->disp->base + off + fb->offsets[0];
	if (!drm_dev_enter(&k->drm, &idx))
		return;
	mvgpu_kms_wr(k, MVGPU_REG_DISP_BASE_LO, lower_32_bits(base));
	mvgpu_kms_wr(k, MVGPU_REG_DISP_BASE_HI, upper_32_bits(base));
	mvgpu_kms_wr(k, MVGPU_REG_DISP_WIDTH, crtc_state->mode.hdisplay);
	mvgpu_kms_wr(k, MVGPU_REG_DISP_HEIGHT, crtc_state->mode.vdisplay);
	mvgpu_kms_wr(k, MVGPU_REG_DISP_STRIDE, fb->pitches[0]);
	mvgpu_kms_wr(k, MVGPU_REG_DISP_FORMAT, MVGPU_DISP_FMT_XRGB8888);
	mvgpu_kms_wr(k, MVGPU_REG_DISP_CONTROL, MVGPU_DISP_CTL_ENABLE);
	if (mvgpu_kms_rd(k, MVGPU_REG_DISP_STATUS) & MVGPU_DISP_STATUS_ERROR)
		drm_err_once(&k->drm, "device refused the plane: error %u\n",
			     mvgpu_kms_rd(k, MVGPU_REG_DISP_ERROR));
	drm_dev_exit(idx);
}

static enum drm_mode_status
mvgpu_kms_mode_valid(struct drm_simple_display_pipe *pipe,
		     const struct drm_display_mode *mode)
{
	if (mode->hdisplay > MVGPU_DISP_MAX_WIDTH ||
	    mode->vdisplay > MVGPU_DISP_MAX_HEIGHT)
		return MODE_BAD;
	if ((u64)mvgpu_kms_pitch(mode->hdisplay) * mode->vdisplay >
	    MVGPU_DISP_MAX_FRAME)
		return MODE_MEM;
	return MODE_OK;
}

static void mvgpu_kms_enable(struct drm_simple_display_pipe *pipe,
			     struct drm_crtc_state *crtc_state,
			     struct drm_plane_state *plane_state)
{
	mvgpu_kms_show(to_kms(pipe->crtc.dev), plane_state);
}

static void mvgpu_kms_disable(struct drm_simple_display_pipe *pipe)
{
	struct mvgpu_kms *k = to_kms(pipe->crtc.dev);
	int idx;

	if (!drm_dev_enter(&k->drm, &idx))
		return;
	mvgpu_kms_wr(k, MVGPU_REG_DISP_CONTROL, 0);
	drm_dev_exit(idx);
}

static void mvgpu_kms_update(struct drm_simple_display_pipe *pipe,
			     struct drm_plane_state *old_state)
{
	struct mvgpu_kms *k = to_kms(pipe->crtc.dev);

	if (pipe->crtc.state && pipe->crtc.state->active)
		mvgpu_kms_show(k, pipe->plane.state);
}

/* Pin the buffer in VRAM for the scanout (the plane helpers do it). */
static int mvgpu_kms_prepare_fb(struct drm_simple_display_pipe *pipe,
				struct drm_plane_state *state)
{
	return drm_gem_vram_plane_helper_prepare_fb(&pipe->plane, state);
}

static void mvgpu_kms_cleanup_fb(struct drm_simple_display_pipe *pipe,
				 struct drm_plane_state *state)
{
	drm_gem_vram_plane_helper_cleanup_fb(&pipe->plane, state);
}

static const struct drm_simple_display_pipe_funcs mvgpu_kms_pipe_funcs = {
	.mode_valid = mvgpu_kms_mode_valid,
	.enable = mvgpu_kms_enable,
	.disable = mvgpu_kms_disable,
	.update = mvgpu_kms_update,
	.prepare_fb = mvgpu_kms_prepare_fb,
	.cleanup_fb = mvgpu_kms_cleanup_fb,
};

/* ------------------------------------------------------------------ */
/* Framebuffers and dumb buffers                                        */
/* ------------------------------------------------------------------ */

/* Only framebuffers the engine can show: no plane the device refuses. */
static struct drm_framebuffer *mvgpu_kms_fb_create(MVGPU_FB_CREATE_ARGS)
{
	if (cmd->pixel_format != DRM_FORMAT_XRGB8888 ||
	    cmd->pitches[0] % MVGPU_DISP_STRIDE_ALIGN ||
	    cmd->pitches[0] > MVGPU_DISP_MAX_STRIDE ||
	    cmd->offsets[0] % MVGPU_DISP_BASE_ALIGN)
		return ERR_PTR(-EINVAL);
	return mvgpu_gem_fb_create();
}

static const struct drm_mode_config_funcs mvgpu_kms_mode_funcs = {
	.fb_create = mvgpu_kms_fb_create,
	.mode_valid = drm_vram_helper_mode_valid,
	.atomic_check = drm_atomic_helper_check,
	.atomic_commit = drm_atomic_helper_commit,
};

static int mvgpu_kms_dumb_create(struct drm_file *file, struct drm_device *drm,
				 struct drm_mode_create_dumb *args)
{
	return drm_gem_vram_fill_create_dumb(file, drm, 0,
					     MVGPU_DISP_STRIDE_ALIGN, args);
}

DEFINE_DRM_GEM_FOPS(mvgpu_kms_fops);

static const struct drm_driver mvgpu_kms_driver = {
	.driver_features = DRIVER_GEM | DRIVER_MODESET | DRIVER_ATOMIC,
	.fops = &mvgpu_kms_fops,
	.name = "mvgpu",
	.desc = "mvgpu virtual GPU display",
	MVGPU_DRM_DRIVER_DATE("20261207")
	.major = 1,
	.minor = 0,
	.debugfs_init = drm_vram_mm_debugfs_init,
	.dumb_create = mvgpu_kms_dumb_create,
	.dumb_map_offset = drm_gem_ttm_dumb_map_offset,
	MVGPU_DRM_FBDEV_OPS
};

/* ------------------------------------------------------------------ */
/* The auxiliary driver                                                 */
/* ------------------------------------------------------------------ */

static int mvgpu_kms_modeset_init(struct mvgpu_kms *k)
{
	struct drm_device *drm = &k->drm;
	int ret;

	ret = drmm_mode_config_init(drm);
	if (ret)
		return ret;
	drm->mode_config.min_width = 1;
	drm->mode_config.min_height = 1;
	drm->mode_config.max_width = MVGPU_DISP_MAX_WIDTH;
	drm->mode_config.max_height = MVGPU_DISP_MAX_HEIGHT;
	drm->mode_config.preferred_depth = 24;
	/* fbdev's buffer must not stay pinned where it cannot be shown. */
	mvgpu_fbdev_prefer_shadow(drm);
	drm->mode_config.funcs = &mvgpu_kms_mode_funcs;

	ret = drm_connector_init(drm, &k->conn, &mvgpu_kms_conn_funcs,
				 DRM_MODE_CONNECTOR_VIRTUAL);
	if (ret)
		return ret;
	drm_connector_helper_add(&k->conn, &mvgpu_kms_conn_helpers);
	drm_connector_attach_edid_property(&k->conn);
	k->conn.polled = DRM_CONNECTOR_POLL_CONNECT |
			 DRM_CONNECTOR_POLL_DISCONNECT;

	ret = drm_simple_display_pipe_init(drm, &k->pipe, &mvgpu_kms_pipe_funcs,
					   mvgpu_kms_formats,
					   ARRAY_SIZE(mvgpu_kms_formats), NULL,
					   &k->conn);
	if (ret)
		return ret;
	drm_mode_config_reset(drm);
	return 0;
}

static int mvgpu_kms_probe(struct auxiliary_device *adev,
			   const struct auxiliary_device_id *id)
{
	struct mvgpu_guest_disp *disp = to_mvgpu_guest_disp(adev);
	struct mvgpu_kms *k;
	int ret;

	k = devm_drm_dev_alloc(&adev->dev, &mvgpu_kms_driver, struct mvgpu_kms,
			       drm);
	if (IS_ERR(k))
		return PTR_ERR(k);
	k->disp = disp;

	ret = drmm_vram_helper_init(&k->drm, disp->vram_phys, disp->size);
	if (ret)
		return ret;
	ret = mvgpu_kms_modeset_init(k);
	if (ret)
		return ret;
	drm_kms_helper_poll_init(&k->drm);
	auxiliary_set_drvdata(adev, k);

	ret = drm_dev_register(&k->drm, 0);
	if (ret) {
		drm_kms_helper_poll_fini(&k->drm);
		return ret;
	}
	mvgpu_fbdev_setup(&k->drm, 32);
	drm_info(&k->drm, "%llu MiB of VRAM at 0x%llx for scanout, up to %ux%u\n",
		 disp->size >> 20, disp->base, MVGPU_DISP_MAX_WIDTH,
		 MVGPU_DISP_MAX_HEIGHT);
	return 0;
}

static void mvgpu_kms_remove(struct auxiliary_device *adev)
{
	struct mvgpu_kms *k = auxiliary_get_drvdata(adev);

	drm_kms_helper_poll_fini(&k->drm);
	drm_dev_unplug(&k->drm);
	drm_atomic_helper_shutdown(&k->drm);
}

static const struct auxiliary_device_id mvgpu_kms_ids[] = {
	{ .name = "mvgpu_guest." MVGPU_GUEST_DISPLAY_NAME },
	{ }
};
MODULE_DEVICE_TABLE(auxiliary, mvgpu_kms_ids);

static struct auxiliary_driver mvgpu_kms_aux_driver = {
	.name = "kms",
	.probe = mvgpu_kms_probe,
	.remove = mvgpu_kms_remove,
	.id_table = mvgpu_kms_ids,
};
module_auxiliary_driver(mvgpu_kms_aux_driver);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("mvgpu_guest_kms: DRM/KMS driver for the mvgpu vGPU's display");
MODULE_AUTHOR("The mvgpu authors");
