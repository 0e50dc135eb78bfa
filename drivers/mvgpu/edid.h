/* SPDX-License-Identifier: GPL-2.0 */
/* mvgpu: the EDID a vGPU's monitor starts with (edid.c). */
#ifndef _MVGPU_EDID_H
#define _MVGPU_EDID_H

#include <linux/types.h>

unsigned int mvgpu_edid_build(u8 *edid, unsigned int width,
			      unsigned int height);

#endif /* _MVGPU_EDID_H */
