/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvgpu core: engine time, the clock of the watchdog and the scheduler's
 * accounting (eclock.c).
 */
#ifndef _MVGPU_ECLOCK_H
#define _MVGPU_ECLOCK_H

#include <linux/time64.h>
#include <linux/types.h>

struct mvgpu_engine;

/*
 * The most the engine clock advances between two readings: a longer gap
 * is a stop the host kernel could not see (a VM whose vCPU its host
 * stopped), not engine time.
 */
#define MVGPU_ECLOCK_GAP_MAX_NS	(10 * NSEC_PER_MSEC)

void mvgpu_eclock_start(struct mvgpu_engine *eng);
void mvgpu_eclock_stop(struct mvgpu_engine *eng);
u64 mvgpu_eclock_now(struct mvgpu_engine *eng);

#endif /* _MVGPU_ECLOCK_H */
