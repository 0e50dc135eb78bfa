// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_open UUID: open the vGPU UUID as a VFIO client does (type1
 * container, group, device fd) and read its PCI vendor and device ID
 * through the config-space region.  Exit 0 and print "vendor:device" if
 * that worked, 1 with the errno otherwise.
 *
 * The install tests (tests/install/install_test.sh) use it to show that a
 * vGPU made by the installed mvgpuctl is usable; it is static, so it runs
 * on any root the VM boots.
 */
#include <stdio.h>
#include <string.h>

#include "mvgpu_test.h"

int main(int argc, char **argv)
{
	struct vfio_dev vd;
	uint32_t id;
	int ret;

	if (argc != 2) {
		fprintf(stderr, "usage: %s UUID\n", argv[0]);
		return 2;
	}
	ret = vfio_dev_open(argv[1], &vd);
	if (ret) {
		fprintf(stderr, "vfio_open: %s: %s\n", argv[1], strerror(-ret));
		return 1;
	}
	ret = vfio_cfg_read32(vd.device, 0, &id);
	vfio_dev_close(&vd);
	if (ret) {
		fprintf(stderr, "vfio_open: %s: config read: %s\n", argv[1],
			strerror(-ret));
		return 1;
	}
	printf("%04x:%04x\n", id & 0xffff, id >> 16);
	return 0;
}
