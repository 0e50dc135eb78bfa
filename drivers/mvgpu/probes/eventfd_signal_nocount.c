// SPDX-License-Identifier: GPL-2.0
/*
 * 3652117f8548 ("eventfd: simplify eventfd_signal()"), v6.8: the count
 * argument is gone.
 */
#include <linux/eventfd.h>

void mvgpu_probe(struct eventfd_ctx *ctx);
void mvgpu_probe(struct eventfd_ctx *ctx)
{
	eventfd_signal(ctx);
}
