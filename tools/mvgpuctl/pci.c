// SPDX-License-Identifier: GPL-2.0
/*
 * mvgpuctl: PCI names and topology.
 *
 * A pGPU backed by hardware has a "device" link to its parent; when that
 * is a PCI device, libpci reads its IDs (through sysfs, so a fake root
 * works too) and names them from the PCI ID database.  The vGPU's class
 * as a guest sees it is named the same way.
 *
 * Built with HAVE_LIBPCI=0 (the static binary for the test VM: Debian has
 * no static libpci), the IDs come straight from sysfs and only PCI class
 * names are known, from a small built-in table; vendor and device names
 * are then left out.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mvgpuctl.h"

#ifndef HAVE_LIBPCI
#define HAVE_LIBPCI 1
#endif

#if HAVE_LIBPCI
#include <pci/pci.h>

static struct pci_access *mv_pacc;
static char mv_pci_sysfs_path[MV_PATH_LEN];

static void __noreturn mv_pci_error(char *msg, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: error: libpci: ", mv_prog);
	va_start(ap, msg);
	vfprintf(stderr, msg, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(MV_EFAIL);
}

static void mv_pci_quiet(char *msg __maybe_unused, ...)
{
}

static struct pci_access *mv_pci_access(void)
{
	if (mv_pacc)
		return mv_pacc;
	mv_pacc = pci_alloc();
	if (!mv_pacc)
		return NULL;
	mv_pacc->error = mv_pci_error;
	mv_pacc->warning = mv_pci_quiet;
	mv_pacc->debug = mv_pci_quiet;
	mv_pacc->method = PCI_ACCESS_SYS_BUS_PCI;
	/* Follow MVGPUCTL_SYSFS_ROOT; libpci keeps the pointer. */
	if (mv_path(mv_pci_sysfs_path, sizeof(mv_pci_sysfs_path), "bus/pci"))
		snprintf(mv_pci_sysfs_path, sizeof(mv_pci_sysfs_path), "/sys/bus/pci");
	pci_set_param(mv_pacc, "sysfs.path", mv_pci_sysfs_path);
	pci_init(mv_pacc);
	return mv_pacc;
}

const char *mv_pci_backend(void)
{
	return "libpci";
}

void mv_pci_cleanup(void)
{
	if (mv_pacc)
		pci_cleanup(mv_pacc);
	mv_pacc = NULL;
}
#else
const char *mv_pci_backend(void)
{
	return "built-in class table (built without libpci)";
}

void mv_pci_cleanup(void)
{
}
#endif

/* Class names for when the database has none (or there is no libpci). */
static const struct {
	unsigned int id;	/* subclass in the low byte, or 0xff: any */
	const char *name;
} mv_pci_classes[] = {
	{ 0x0300, "VGA compatible controller" },
	{ 0x0301, "XGA compatible controller" },
	{ 0x0302, "3D controller" },
	{ 0x0380, "Display controller" },
	{ 0x1200, "Processing accelerators" },
	{ 0x00ff, "Unclassified device" },
	{ 0x01ff, "Mass storage controller" },
	{ 0x02ff, "Network controller" },
	{ 0x03ff, "Display controller" },
	{ 0x04ff, "Multimedia controller" },
	{ 0x05ff, "Memory controller" },
	{ 0x06ff, "Bridge" },
	{ 0x07ff, "Communication controller" },
	{ 0x08ff, "Generic system peripheral" },
	{ 0x0bff, "Processor" },
	{ 0x0cff, "Serial bus controller" },
	{ 0x12ff, "Processing accelerators" },
};

static const char *mv_pci_builtin_class(unsigned int class_id)
{
	size_t i, n = ARRAY_SIZE(mv_pci_classes);

	for (i = 0; i < n; i++)
		if (mv_pci_classes[i].id == class_id)
			return mv_pci_classes[i].name;
	for (i = 0; i < n; i++)
		if ((mv_pci_classes[i].id & 0xff) == 0xff &&
		    mv_pci_classes[i].id >> 8 == class_id >> 8)
			return mv_pci_classes[i].name;
	return NULL;
}

/* The name of a class (base class and subclass), or NULL if unknown. */
const char *mv_pci_class_name(unsigned int class_id, char *buf, size_t len)
{
	const char *name;

#if HAVE_LIBPCI
	struct pci_access *pacc = mv_pci_access();

	if (pacc) {
		name = pci_lookup_name(pacc, buf, len,
				       PCI_LOOKUP_CLASS | PCI_LOOKUP_NO_NUMBERS,
				       class_id);
		if (name)
			return name;
	}
#endif
	name = mv_pci_builtin_class(class_id);
	if (!name)
		return NULL;
	mv_strscpy(buf, name, len);
	return buf;
}

static int mv_pci_read_hex(const char *dir, const char *file, unsigned int *val)
{
	char path[MV_PATH_LEN];
	uint64_t v;
	int ret;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	ret = mv_read_u64(path, &v);
	if (!ret)
		*val = v;
	return ret;
}

/* DIR/SUBSYSTEM_LINK points at a bus called NAME. */
static bool mv_on_bus(const char *dir, const char *name)
{
	char path[MV_PATH_LEN], real[PATH_MAX], *slash;

	if (snprintf(path, sizeof(path), "%s/subsystem", dir) >= (int)sizeof(path))
		return false;
	if (!realpath(path, real))
		return false;
	slash = strrchr(real, '/');
	return slash && !strcmp(slash + 1, name);
}

/*
 * Describe the parent of pGPU PGPU: info->present is true only for a PCI
 * parent.  Never fails: what cannot be read is left out.
 */
void mv_pci_describe_parent(const char *pgpu, struct mv_pci_info *info)
{
	char path[MV_PATH_LEN], real[PATH_MAX], root[PATH_MAX], *p, *slash;
	unsigned int domain, bus, dev, fn, class_raw = 0;
	uint64_t node;

	memset(info, 0, sizeof(*info));
	info->numa_node = -1;
	if (mv_path(path, sizeof(path), "class/mvgpu/%s/device", pgpu) ||
	    !realpath(path, real) || !mv_on_bus(real, "pci"))
		return;
	slash = strrchr(real, '/');
	if (!slash || sscanf(slash + 1, "%x:%x:%x.%x", &domain, &bus, &dev, &fn) != 4)
		return;
	mv_strscpy(info->slot, slash + 1, sizeof(info->slot));

	/* Topology: the path below <root>/devices/, bridges first. */
	p = real;
	if (realpath(mv_root(), root)) {
		size_t n = strlen(root);

		if (!strncmp(real, root, n) && !strncmp(real + n, "/devices/", 9))
			p = real + n + 9;
	}
	mv_strscpy(info->path, p, sizeof(info->path));

	if (mv_pci_read_hex(real, "vendor", &info->vendor_id) ||
	    mv_pci_read_hex(real, "device", &info->device_id) ||
	    mv_pci_read_hex(real, "class", &class_raw))
		return;
	info->present = true;
	info->class_id = class_raw >> 8;
	if (snprintf(path, sizeof(path), "%s/numa_node", real) < (int)sizeof(path) &&
	    !mv_read_u64(path, &node))
		info->numa_node = (int)node;

#if HAVE_LIBPCI
	{
		struct pci_access *pacc = mv_pci_access();
		struct pci_dev *d;
		const char *name;

		/*
		 * libpci's sysfs method reads the same vendor, device and
		 * class files (which exist, see above: a missing one would be
		 * fatal in libpci); it is the kernel's view of the device.
		 */
		d = pacc ? pci_get_dev(pacc, domain, bus, dev, fn) : NULL;
		if (d) {
			pci_fill_info(d, PCI_FILL_IDENT | PCI_FILL_CLASS);
			info->vendor_id = d->vendor_id;
			info->device_id = d->device_id;
			info->class_id = d->device_class;
			pci_free_dev(d);
		}
		if (pacc) {
			name = pci_lookup_name(pacc, info->vendor, sizeof(info->vendor),
					       PCI_LOOKUP_VENDOR | PCI_LOOKUP_NO_NUMBERS,
					       info->vendor_id);
			if (!name)
				info->vendor[0] = '\0';
			name = pci_lookup_name(pacc, info->device, sizeof(info->device),
					       PCI_LOOKUP_DEVICE | PCI_LOOKUP_NO_NUMBERS,
					       info->vendor_id, info->device_id);
			if (!name)
				info->device[0] = '\0';
		}
	}
#endif
	if (!mv_pci_class_name(info->class_id, info->class_name,
			       sizeof(info->class_name)))
		info->class_name[0] = '\0';
}
