/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space stand-in for the kernel's <linux/types.h>, so that the unit
 * tests compile the driver's pure-logic files unchanged: the uAPI types
 * of the real header plus the kernel's short names.
 */
#ifndef _MVGPU_UNIT_LINUX_TYPES_H
#define _MVGPU_UNIT_LINUX_TYPES_H

#include_next <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;

#endif /* _MVGPU_UNIT_LINUX_TYPES_H */
