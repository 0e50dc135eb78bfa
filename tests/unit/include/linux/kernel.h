/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for the few <linux/kernel.h> helpers the driver's
 * pure-logic files use (tests/unit).  Little-endian hosts only, as the
 * driver itself (x86-64).
 */
#ifndef _MVGPU_UNIT_LINUX_KERNEL_H
#define _MVGPU_UNIT_LINUX_KERNEL_H

#include <endian.h>
#include <stdint.h>
#include <linux/types.h>

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define IS_ALIGNED(x, a)	(((x) & ((typeof(x))(a) - 1)) == 0)
#define U32_MAX			UINT32_MAX
#define lower_32_bits(n)	((u32)((n) & 0xffffffff))
#define upper_32_bits(n)	((u32)((n) >> 32))

#define le32_to_cpu(x)		le32toh(x)
#define le64_to_cpu(x)		le64toh(x)
#define cpu_to_le32(x)		htole32(x)
#define cpu_to_le64(x)		htole64(x)

#endif /* _MVGPU_UNIT_LINUX_KERNEL_H */
