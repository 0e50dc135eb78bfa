/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvgpu core: the module-wide objects main.c defines.
 */
#ifndef _MVGPU_MAIN_H
#define _MVGPU_MAIN_H

struct class;
struct mdev_driver;

#define MVGPU_NAME		"mvgpu"

/* Engine-time limit of one command, in ms (module parameter). */
extern unsigned int mvgpu_watchdog_ms;

extern struct class mvgpu_class;
extern struct mdev_driver mvgpu_mdev_driver;

#endif /* _MVGPU_MAIN_H */
