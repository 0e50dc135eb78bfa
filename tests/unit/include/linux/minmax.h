/* SPDX-License-Identifier: GPL-2.0 */
/* User-space stand-in for <linux/minmax.h> (tests/unit). */
#ifndef _MVGPU_UNIT_LINUX_MINMAX_H
#define _MVGPU_UNIT_LINUX_MINMAX_H

#define max(a, b) ({ typeof(a) _a = (a); typeof(b) _b = (b); _a > _b ? _a : _b; })
#define min(a, b) ({ typeof(a) _a = (a); typeof(b) _b = (b); _a < _b ? _a : _b; })

#endif /* _MVGPU_UNIT_LINUX_MINMAX_H */
