// SPDX-License-Identifier: GPL-2.0
/*
 * The same helper as drm_client_setup.c, after "drm/client: Move client
 * setup header to clients/" (Debian 13's 7.3 has it there): the header is
 * <drm/clients/drm_client_setup.h>.  Used by the guest's KMS driver.
 */
#include <drm/clients/drm_client_setup.h>

void mvgpu_probe(struct drm_device *dev);
void mvgpu_probe(struct drm_device *dev)
{
	drm_client_setup_with_color_mode(dev, 32);
}
