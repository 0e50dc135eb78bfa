// SPDX-License-Identifier: GPL-2.0
/*
 * v6.11, "drm/fbdev-generic: Rename to fbdev-ttm" (Thomas Zimmermann):
 * drm_fbdev_generic_setup() becomes drm_fbdev_ttm_setup() in
 * <drm/drm_fbdev_ttm.h>; 6.1 has only the old name, in
 * <drm/drm_fb_helper.h>.  Used by the guest's KMS driver (kms.c).
 */
#include <drm/drm_fbdev_ttm.h>

void mvgpu_probe(struct drm_device *dev);
void mvgpu_probe(struct drm_device *dev)
{
	drm_fbdev_ttm_setup(dev, 32);
}
