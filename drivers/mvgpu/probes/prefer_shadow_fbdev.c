// SPDX-License-Identifier: GPL-2.0
/*
 * drm_mode_config.prefer_shadow_fbdev: read in Debian's 6.1 headers, gone
 * from 6.12's, where the TTM fbdev emulation (drm_fbdev_ttm_setup())
 * always draws into a shadow buffer.  Without the shadow, 6.1's generic
 * fbdev keeps its GEM VRAM buffer pinned wherever it was created (system
 * memory), where it cannot be scanned out.
 */
#include <drm/drm_device.h>
#include <drm/drm_mode_config.h>

void mvgpu_probe(struct drm_device *dev);
void mvgpu_probe(struct drm_device *dev)
{
	dev->mode_config.prefer_shadow_fbdev = true;
}
