/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvgpu core: the host path, /dev/mvgpu-host<N> (host.c).
 */
#ifndef _MVGPU_HOST_H
#define _MVGPU_HOST_H

struct mvgpu_pgpu;

int mvgpu_host_register(struct mvgpu_pgpu *pgpu);
void mvgpu_host_unregister(struct mvgpu_pgpu *pgpu);

#endif /* _MVGPU_HOST_H */
