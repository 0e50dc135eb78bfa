// SPDX-License-Identifier: GPL-2.0
/*
 * drm_gem_fb_create() and drm_mode_config_funcs.fb_create take the
 * format's struct drm_format_info since "drm: Pass along the format info
 * from .fb_create() to drm_helper_mode_fill_fb_struct()" (Ville
 * Syrjälä, Debian 13's 7.3 has it; 6.1 and 6.12 do not).  Used by the
 * guest's KMS driver (kms.c).
 */
#include <drm/drm_gem_framebuffer_helper.h>

struct drm_framebuffer *mvgpu_probe(struct drm_device *dev,
				    struct drm_file *file,
				    const struct drm_format_info *info,
				    const struct drm_mode_fb_cmd2 *cmd);
struct drm_framebuffer *mvgpu_probe(struct drm_device *dev,
				    struct drm_file *file,
				    const struct drm_format_info *info,
				    const struct drm_mode_fb_cmd2 *cmd)
{
	return drm_gem_fb_create(dev, file, info, cmd);
}
