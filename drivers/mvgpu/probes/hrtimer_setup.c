// SPDX-License-Identifier: GPL-2.0
/*
 * 908a1d775422 ("hrtimers: Introduce hrtimer_setup() to replace
 * hrtimer_init()"), v6.13: the callback is given with the timer's clock
 * and mode.  9779489a31d7 ("hrtimers: Delete hrtimer_init()"), v6.15,
 * removed the old way.
 */
#include <linux/hrtimer.h>

static enum hrtimer_restart mvgpu_probe_fn(struct hrtimer *timer)
{
	return HRTIMER_NORESTART;
}

void mvgpu_probe(struct hrtimer *timer);
void mvgpu_probe(struct hrtimer *timer)
{
	hrtimer_setup(timer, mvgpu_probe_fn, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
}
