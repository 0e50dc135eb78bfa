/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvgpu core: live migration of a vGPU, VFIO migration v2 (migrate.c).
 */
#ifndef _MVGPU_MIGRATE_H
#define _MVGPU_MIGRATE_H

#include <linux/types.h>

struct mvgpu_op;
struct mvgpu_vgpu;

int mvgpu_mig_init(struct mvgpu_vgpu *vgpu);
void mvgpu_mig_fini(struct mvgpu_vgpu *vgpu);
void mvgpu_mig_close(struct mvgpu_vgpu *vgpu);
void mvgpu_mig_reset(struct mvgpu_vgpu *vgpu);
void mvgpu_mig_dirty(struct mvgpu_vgpu *vgpu, u64 off, u64 len);
void mvgpu_mig_op_dirty(struct mvgpu_vgpu *vgpu, const struct mvgpu_op *op);
const char *mvgpu_mig_state_name(struct mvgpu_vgpu *vgpu);

#endif /* _MVGPU_MIGRATE_H */
