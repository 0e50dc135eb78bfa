/* SPDX-License-Identifier: GPL-2.0 */
/* User-space stand-in for the <linux/log2.h> helpers of tests/unit. */
#ifndef _MVGPU_UNIT_LINUX_LOG2_H
#define _MVGPU_UNIT_LINUX_LOG2_H

#define ilog2(n)	(63 - __builtin_clzll((unsigned long long)(n)))
#define rounddown_pow_of_two(n)	(1ull << ilog2(n))

#endif /* _MVGPU_UNIT_LINUX_LOG2_H */
