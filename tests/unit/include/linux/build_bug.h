/* SPDX-License-Identifier: GPL-2.0 */
/* User-space stand-in for <linux/build_bug.h>: C11's static_assert. */
#ifndef _MVGPU_UNIT_LINUX_BUILD_BUG_H
#define _MVGPU_UNIT_LINUX_BUILD_BUG_H

#include <assert.h>

#endif /* _MVGPU_UNIT_LINUX_BUILD_BUG_H */
