// SPDX-License-Identifier: GPL-2.0
/*
 * v6.13, "drm: Add client-agnostic setup helper" (Thomas Zimmermann):
 * drm_client_setup_with_color_mode() in <drm/drm_client_setup.h> starts
 * the fbdev client of a driver whose struct drm_driver names its fbdev
 * probe (DRM_FBDEV_TTM_DRIVER_OPS); drm_fbdev_ttm_setup() then goes away.
 * Used by the guest's KMS driver (kms.c).
 */
#include <drm/drm_client_setup.h>

void mvgpu_probe(struct drm_device *dev);
void mvgpu_probe(struct drm_device *dev)
{
	drm_client_setup_with_color_mode(dev, 32);
}
