// SPDX-License-Identifier: GPL-2.0
/*
 * struct drm_driver.date: present in 6.1 and 6.12, removed in v6.14 by
 * "drm: remove driver date from struct drm_driver and all drivers" (Jani
 * Nikula).  Used by the guest's KMS driver (kms.c).
 */
#include <drm/drm_drv.h>

const struct drm_driver mvgpu_probe_drv;
const struct drm_driver mvgpu_probe_drv = {
	.date = "20261207",
};
