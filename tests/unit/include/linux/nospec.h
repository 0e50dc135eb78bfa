/* SPDX-License-Identifier: GPL-2.0 */
/* User-space stand-in: no speculation barrier is needed in the tests. */
#ifndef _MVGPU_UNIT_LINUX_NOSPEC_H
#define _MVGPU_UNIT_LINUX_NOSPEC_H

#define array_index_nospec(index, size)	(index)

#endif /* _MVGPU_UNIT_LINUX_NOSPEC_H */
