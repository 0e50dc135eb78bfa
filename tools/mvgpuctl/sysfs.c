// SPDX-License-Identifier: GPL-2.0
/*
 * mvgpuctl: the sysfs tree of mvgpu.
 *
 *   <root>/class/mvgpu/mvgpu<N>/                      pGPUs
 *   <root>/class/mdev_bus/mvgpu<N>/mdev_supported_types/<type>/
 *   <root>/bus/mdev/devices/<uuid>/{mvgpu,mvgpu_stats}/  vGPUs
 *
 * <root> is $MVGPUCTL_SYSFS_ROOT, or /sys: the tests run mvgpuctl against
 * a fake tree.  Every function returns 0 or a negative errno.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mvgpuctl.h"

const char *const mv_stat_names[MV_NR_STATS] = {
	"submissions", "completions", "fences", "busy_ns",
	"context_switches", "preemptions", "queue_wait_ns",
	"queue_wait_max_ns", "doorbells", "irqs", "errors", "resets",
};

const char *mv_root(void)
{
	const char *root = getenv("MVGPUCTL_SYSFS_ROOT");

	return root && *root ? root : "/sys";
}

int mv_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n, m;

	n = snprintf(buf, len, "%s/", mv_root());
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	va_start(ap, fmt);
	m = vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)m >= len - n)
		return -ENAMETOOLONG;
	return 0;
}

int mv_read_str(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	buf[n] = '\0';
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	return 0;
}

int mv_read_u64(const char *path, uint64_t *val)
{
	char buf[64], *end;
	int ret;

	ret = mv_read_str(path, buf, sizeof(buf));
	if (ret)
		return ret;
	errno = 0;
	*val = strtoull(buf, &end, 0);
	if (errno || end == buf || *end)
		return -EINVAL;
	return 0;
}

static int mv_read_uint(const char *path, unsigned int *val)
{
	uint64_t v;
	int ret;

	ret = mv_read_u64(path, &v);
	if (ret)
		return ret;
	if (v > UINT_MAX)
		return -ERANGE;
	*val = v;
	return 0;
}

int mv_write_str(const char *path, const char *val)
{
	char buf[128];
	ssize_t n;
	int fd, len, err = 0;

	len = snprintf(buf, sizeof(buf), "%s\n", val);
	if (len < 0 || (size_t)len >= sizeof(buf))
		return -EINVAL;
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	if (n < 0)
		err = -errno;
	else if (n != len)
		err = -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

bool mv_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* 0 if /sys/class/mvgpu exists, else -ENOENT (or another errno). */
int mv_check_loaded(void)
{
	char path[MV_PATH_LEN];
	struct stat st;
	int ret;

	ret = mv_path(path, sizeof(path), "class/mvgpu");
	if (ret)
		return ret;
	if (stat(path, &st))
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/*
 * Names in DIR that match FILTER (if not NULL), sorted by NAME_CMP.
 * Return: the number of names, or a negative errno.
 */
static int mv_list_dir(const char *dir, bool (*filter)(const char *),
		       int (*name_cmp)(const void *, const void *),
		       char (**names)[MV_NAME_LEN])
{
	char (*v)[MV_NAME_LEN] = NULL, (*tmp)[MV_NAME_LEN];
	size_t nr = 0, cap = 0;
	struct dirent *de;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (filter && !filter(de->d_name))
			continue;
		if (strlen(de->d_name) >= MV_NAME_LEN)
			continue;
		if (nr == cap) {
			cap = cap ? cap * 2 : 16;
			tmp = realloc(v, cap * sizeof(*v));
			if (!tmp) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = tmp;
		}
		strcpy(v[nr++], de->d_name);
	}
	closedir(d);
	if (nr)
		qsort(v, nr, sizeof(*v), name_cmp);
	*names = v;
	return nr;
}

static bool mv_is_pgpu_name(const char *name)
{
	const char *p = name + strlen("mvgpu");

	if (strncmp(name, "mvgpu", strlen("mvgpu")) || !*p)
		return false;
	for (; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	return true;
}

/* mvgpu2 before mvgpu10. */
static int mv_pgpu_cmp(const void *a, const void *b)
{
	unsigned long x = strtoul((const char *)a + 5, NULL, 10);
	unsigned long y = strtoul((const char *)b + 5, NULL, 10);

	return x < y ? -1 : x > y;
}

static int mv_name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Time-sliced first, then by VRAM and engines; unknown ones by name. */
static int mv_type_cmp(const void *a, const void *b)
{
	const struct mv_type *x = a, *y = b;

	if (x->parsed != y->parsed)
		return x->parsed ? -1 : 1;
	if (!x->parsed)
		return strcmp(x->name, y->name);
	if (x->partitioned != y->partitioned)
		return x->partitioned ? 1 : -1;
	if (x->vram_bytes != y->vram_bytes)
		return x->vram_bytes < y->vram_bytes ? -1 : 1;
	if (x->engines != y->engines)
		return x->engines < y->engines ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int mv_vgpu_cmp(const void *a, const void *b)
{
	return strcmp(((const struct mv_vgpu *)a)->uuid,
		      ((const struct mv_vgpu *)b)->uuid);
}

/*
 * "time-sliced: vram=64 MiB, engines=4 shared, profile=0x0006" or
 * "partitioned: vram=64 MiB, engines=1 dedicated, profile=0x8106".
 */
int mv_parse_description(struct mv_type *t)
{
	static const char *const formats[] = {
		"time-sliced: vram=%llu MiB, engines=%u shared, profile=0x%x%n",
		"partitioned: vram=%llu MiB, engines=%u dedicated, profile=0x%x%n",
	};
	const char *d = t->description;
	unsigned long long vram;
	unsigned int engines, id, k;
	int n;

	t->parsed = false;
	for (k = 0; k < ARRAY_SIZE(formats); k++) {
		n = -1;
		if (sscanf(d, formats[k], &vram, &engines, &id, &n) == 3 &&
		    n > 0 && !d[n])
			break;
	}
	if (k == ARRAY_SIZE(formats))
		return -EINVAL;
	t->partitioned = k == 1;
	t->vram_bytes = (uint64_t)vram << 20;
	t->engines = engines;
	t->profile_id = id;
	t->parsed = true;
	return 0;
}

static int mv_load_type(const char *pgpu, const char *name, struct mv_type *t)
{
	char path[MV_PATH_LEN];
	const char *base = "class/mdev_bus/%s/mdev_supported_types/%s/%s";
	int ret;

	memset(t, 0, sizeof(*t));
	mv_strscpy(t->name, name, sizeof(t->name));
	ret = mv_path(path, sizeof(path), base, pgpu, name, "description");
	if (!ret)
		ret = mv_read_str(path, t->description, sizeof(t->description));
	if (ret)
		return ret;
	mv_parse_description(t);
	ret = mv_path(path, sizeof(path), base, pgpu, name, "available_instances");
	if (!ret)
		ret = mv_read_uint(path, &t->available);
	if (ret)
		return ret;
	/* Informational: tolerate their absence. */
	if (!mv_path(path, sizeof(path), base, pgpu, name, "name"))
		mv_read_str(path, t->pretty, sizeof(t->pretty));
	if (!mv_path(path, sizeof(path), base, pgpu, name, "device_api"))
		mv_read_str(path, t->device_api, sizeof(t->device_api));
	return 0;
}

static int mv_load_types(struct mv_pgpu *p)
{
	char path[MV_PATH_LEN], (*names)[MV_NAME_LEN] = NULL;
	int nr, i, ret;

	ret = mv_path(path, sizeof(path), "class/mdev_bus/%s/mdev_supported_types",
		      p->name);
	if (ret)
		return ret;
	nr = mv_list_dir(path, NULL, mv_name_cmp, &names);
	if (nr == -ENOENT)
		return 0;	/* not (yet) an mdev parent */
	if (nr <= 0)
		return nr;
	p->types = calloc(nr, sizeof(*p->types));
	if (!p->types) {
		free(names);
		return -ENOMEM;
	}
	for (i = 0; i < nr; i++) {
		ret = mv_load_type(p->name, names[i], &p->types[p->nr_types]);
		if (ret == -ENOENT)
			continue;	/* went away */
		if (ret) {
			free(names);
			return ret;
		}
		p->nr_types++;
	}
	free(names);
	qsort(p->types, p->nr_types, sizeof(*p->types), mv_type_cmp);
	return 0;
}

static int mv_load_vgpus(struct mv_pgpu *p)
{
	char path[MV_PATH_LEN], (*names)[MV_NAME_LEN];
	struct mv_vgpu *tmp;
	size_t t;
	int nr, i, ret;

	for (t = 0; t < p->nr_types; t++) {
		ret = mv_path(path, sizeof(path),
			      "class/mdev_bus/%s/mdev_supported_types/%s/devices",
			      p->name, p->types[t].name);
		if (ret)
			return ret;
		names = NULL;
		nr = mv_list_dir(path, NULL, mv_name_cmp, &names);
		if (nr == -ENOENT)
			continue;
		if (nr < 0)
			return nr;
		tmp = realloc(p->vgpus, (p->nr_vgpus + nr + 1) * sizeof(*tmp));
		if (!tmp) {
			free(names);
			return -ENOMEM;
		}
		p->vgpus = tmp;
		for (i = 0; i < nr; i++) {
			ret = mv_load_vgpu(names[i], &p->vgpus[p->nr_vgpus]);
			/* Removed meanwhile, or not ours: leave it out. */
			if (ret == -ENOENT || ret == -ENODEV || ret == -EINVAL)
				continue;
			if (ret) {
				free(names);
				return ret;
			}
			p->nr_vgpus++;
		}
		free(names);
	}
	if (p->nr_vgpus)
		qsort(p->vgpus, p->nr_vgpus, sizeof(*p->vgpus), mv_vgpu_cmp);
	return 0;
}

int mv_read_busy(const char *pgpu, uint64_t *busy, unsigned int *nr)
{
	char path[MV_PATH_LEN], buf[MV_MAX_ENGINES * 24], *s, *end;
	int ret;

	*nr = 0;
	ret = mv_path(path, sizeof(path), "class/mvgpu/%s/engine_busy_ns", pgpu);
	if (!ret)
		ret = mv_read_str(path, buf, sizeof(buf));
	if (ret)
		return ret;
	for (s = buf; *s && *nr < MV_MAX_ENGINES; s = end) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		errno = 0;
		busy[*nr] = strtoull(s, &end, 10);
		if (errno || end == s || (*end && *end != ' '))
			return -EINVAL;
		(*nr)++;
	}
	return 0;
}

static int mv_load_pgpu(const char *name, struct mv_pgpu *p, bool with_vgpus)
{
	static const struct {
		const char *file;
		size_t offset;
		bool is_u64;
	} attrs[] = {
		{ "vram_bytes", offsetof(struct mv_pgpu, vram_bytes), true },
		{ "vram_free_bytes", offsetof(struct mv_pgpu, vram_free_bytes), true },
		{ "engines", offsetof(struct mv_pgpu, engines), false },
		{ "engines_shared", offsetof(struct mv_pgpu, engines_shared), false },
		{ "vgpus", offsetof(struct mv_pgpu, nr_vgpus_attr), false },
	};
	char path[MV_PATH_LEN];
	size_t i;
	int ret;

	mv_strscpy(p->name, name, sizeof(p->name));
	ret = mv_path(path, sizeof(path), "class/mvgpu/%s/backend", name);
	if (!ret)
		ret = mv_read_str(path, p->backend, sizeof(p->backend));
	if (ret)
		return ret;
	/* Optional (mvgpu_user's pGPUs): model, pci_address, online. */
	p->online = -1;
	if (!mv_path(path, sizeof(path), "class/mvgpu/%s/model", name))
		mv_read_str(path, p->model, sizeof(p->model));
	if (!mv_path(path, sizeof(path), "class/mvgpu/%s/pci_address", name))
		mv_read_str(path, p->pci_address, sizeof(p->pci_address));
	if (!mv_path(path, sizeof(path), "class/mvgpu/%s/online", name)) {
		char on[8] = "";

		if (!mv_read_str(path, on, sizeof(on)))
			p->online = on[0] == '1';
	}
	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		void *field = (char *)p + attrs[i].offset;

		ret = mv_path(path, sizeof(path), "class/mvgpu/%s/%s", name,
			      attrs[i].file);
		if (ret)
			return ret;
		if (attrs[i].is_u64)
			ret = mv_read_u64(path, field);
		else
			ret = mv_read_uint(path, field);
		if (ret)
			return ret;
	}
	/* Older modules have no engine_busy_ns: no utilisation then. */
	if (mv_read_busy(name, p->busy_ns, &p->nr_busy))
		p->nr_busy = 0;
	mv_pci_describe_parent(name, &p->pci);
	ret = mv_load_types(p);
	if (!ret && with_vgpus)
		ret = mv_load_vgpus(p);
	return ret;
}

void mv_free_pgpus(struct mv_pgpu *pgpus, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		free(pgpus[i].types);
		free(pgpus[i].vgpus);
	}
	free(pgpus);
}

/*
 * Every pGPU, in number order.  -ENOENT: mvgpu is not loaded.  Zero pGPUs
 * is not an error here.
 */
int mv_load_pgpus(struct mv_pgpu **pgpus, size_t *nr, bool with_vgpus)
{
	char path[MV_PATH_LEN], (*names)[MV_NAME_LEN] = NULL;
	struct mv_pgpu *v;
	int n, i, ret;

	*pgpus = NULL;
	*nr = 0;
	ret = mv_check_loaded();
	if (ret)
		return ret;
	ret = mv_path(path, sizeof(path), "class/mvgpu");
	if (ret)
		return ret;
	n = mv_list_dir(path, mv_is_pgpu_name, mv_pgpu_cmp, &names);
	if (n < 0)
		return n;
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v) {
		free(names);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		ret = mv_load_pgpu(names[i], &v[*nr], with_vgpus);
		if (ret == -ENOENT) {	/* unregistered meanwhile */
			free(v[*nr].types);
			free(v[*nr].vgpus);
			memset(&v[*nr], 0, sizeof(v[*nr]));
			continue;
		}
		(*nr)++;
		if (ret) {
			free(names);
			mv_free_pgpus(v, *nr);
			*nr = 0;
			return ret;
		}
	}
	free(names);
	*pgpus = v;
	return 0;
}

bool mv_uuid_valid(const char *uuid)
{
	int i;

	if (strlen(uuid) != MV_UUID_LEN - 1)
		return false;
	for (i = 0; i < MV_UUID_LEN - 1; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (uuid[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)uuid[i])) {
			return false;
		}
	}
	return true;
}

/* A random (version 4) UUID. */
int mv_uuid_generate(char uuid[MV_UUID_LEN])
{
	unsigned char b[16];
	ssize_t n;

	n = getrandom(b, sizeof(b), 0);
	if (n != (ssize_t)sizeof(b))
		return n < 0 ? -errno : -EIO;
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(uuid, MV_UUID_LEN,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
	return 0;
}

/* Basename of the target of symlink PATH, into BUF. */
static int mv_link_base(const char *path, char *buf, size_t len)
{
	char target[MV_PATH_LEN];
	ssize_t n;
	char *slash;

	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	slash = strrchr(target, '/');
	mv_strscpy(buf, slash ? slash + 1 : target, len);
	return 0;
}

/* Attribute FILE of vGPU UUID's mvgpu/ group; -ENODEV if it is missing. */
static int mv_vgpu_attr(const char *uuid, const char *file, uint64_t *val)
{
	char path[MV_PATH_LEN];
	int ret;

	*val = 0;
	ret = mv_path(path, sizeof(path), "bus/mdev/devices/%s/mvgpu/%s", uuid, file);
	if (!ret)
		ret = mv_read_u64(path, val);
	return ret == -ENOENT ? -ENODEV : ret;
}

/*
 * A vGPU by UUID.  -EINVAL: not a UUID; -ENOENT: no such mdev device;
 * -ENODEV: an mdev device, but not an mvgpu vGPU.
 */
int mv_load_vgpu(const char *uuid, struct mv_vgpu *v)
{
	char path[MV_PATH_LEN], real[PATH_MAX], buf[64], *type_dir;
	uint64_t val = 0;
	int ret;

	if (!mv_uuid_valid(uuid))
		return -EINVAL;
	memset(v, 0, sizeof(*v));
	mv_strscpy(v->uuid, uuid, sizeof(v->uuid));
	v->iommu_group = -1;

	ret = mv_path(path, sizeof(path), "bus/mdev/devices/%s", uuid);
	if (ret)
		return ret;
	if (!mv_exists(path))
		return -ENOENT;
	ret = mv_path(path, sizeof(path), "bus/mdev/devices/%s/mvgpu/weight", uuid);
	if (ret)
		return ret;
	if (!mv_exists(path))
		return -ENODEV;

	/* .../mvgpu0/mdev_supported_types/mvgpu-ts-64m */
	ret = mv_path(path, sizeof(path), "bus/mdev/devices/%s/mdev_type", uuid);
	if (ret)
		return ret;
	if (!realpath(path, real))
		return errno == ENOENT ? -ENODEV : -errno;
	mv_strscpy(v->type, basename(real), sizeof(v->type));
	type_dir = dirname(real);		/* .../mdev_supported_types */
	mv_strscpy(v->parent, basename(dirname(type_dir)), sizeof(v->parent));

	ret = mv_vgpu_attr(uuid, "vram_bytes", &v->vram_bytes);
	if (!ret)
		ret = mv_vgpu_attr(uuid, "engine_mask", &v->engine_mask);
	if (!ret)
		ret = mv_vgpu_attr(uuid, "weight", &val);
	v->weight = val;
	if (!ret)
		ret = mv_vgpu_attr(uuid, "cap", &val);
	v->cap = val;
	if (!ret)
		ret = mv_vgpu_attr(uuid, "timeslice_us", &val);
	v->timeslice_us = val;
	if (ret)
		return ret;

	ret = mv_path(path, sizeof(path), "bus/mdev/devices/%s/mvgpu/profile", uuid);
	if (!ret)
		ret = mv_read_str(path, v->profile, sizeof(v->profile));
	if (ret)
		return ret == -ENOENT ? -ENODEV : ret;

	/* Live migration state: kernels without it have no attribute. */
	ret = mv_path(path, sizeof(path), "bus/mdev/devices/%s/mvgpu/migration_state",
		      uuid);
	if (ret || mv_read_str(path, v->migration, sizeof(v->migration)))
		v->migration[0] = '\0';

	ret = mv_path(path, sizeof(path), "bus/mdev/devices/%s/iommu_group", uuid);
	if (!ret && !mv_link_base(path, buf, sizeof(buf)))
		v->iommu_group = atoi(buf);

	/* The profile number is in the type's description. */
	ret = mv_path(path, sizeof(path), "bus/mdev/devices/%s/mdev_type/description",
		      uuid);
	if (!ret) {
		struct mv_type t = { 0 };

		if (!mv_read_str(path, t.description, sizeof(t.description)) &&
		    !mv_parse_description(&t)) {
			v->has_profile_id = true;
			v->profile_id = t.profile_id;
		}
	}

	/* The display engine's state ("off", "on 1024x768 ..."), if any. */
	ret = mv_path(path, sizeof(path), "bus/mdev/devices/%s/mvgpu/display", uuid);
	if (ret || mv_read_str(path, v->display, sizeof(v->display)))
		v->display[0] = 0;
	return 0;
}

int mv_read_stats(const char *uuid, struct mv_stats *s)
{
	char path[MV_PATH_LEN];
	unsigned int i;
	int ret;

	for (i = 0; i < MV_NR_STATS; i++) {
		ret = mv_path(path, sizeof(path), "bus/mdev/devices/%s/mvgpu_stats/%s",
			      uuid, mv_stat_names[i]);
		if (!ret)
			ret = mv_read_u64(path, &s->v[i]);
		if (ret)
			return ret;
	}
	return 0;
}
