/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvgpu core: sysfs attributes of pGPUs and vGPUs (sysfs.c).
 */
#ifndef _MVGPU_SYSFS_H
#define _MVGPU_SYSFS_H

struct attribute_group;

extern const struct attribute_group *mvgpu_pgpu_groups[];
extern const struct attribute_group *mvgpu_vgpu_groups[];

#endif /* _MVGPU_SYSFS_H */
