/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvgpu core: pGPU availability and its sysfs attributes (online.c).
 * mvgpu_pgpu_set_online() and mvgpu_pgpu_id() are for backends, in
 * <mvgpu/backend.h>.
 */
#ifndef _MVGPU_ONLINE_H
#define _MVGPU_ONLINE_H

struct attribute_group;

extern const struct attribute_group mvgpu_pgpu_online_group;

#endif /* _MVGPU_ONLINE_H */
