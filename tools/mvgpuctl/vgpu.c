// SPDX-License-Identifier: GPL-2.0
/*
 * mvgpuctl: the commands that act on one vGPU: create, destroy, set,
 * qemu-args and libvirt-xml.
 *
 * Values are checked here before anything is written, so a bad one never
 * leaves a half-configured vGPU; the kernel checks them again (-EINVAL).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mvgpuctl.h"

enum {
	OPT_PARENT = 1,
	OPT_UUID,
	OPT_WEIGHT,
	OPT_CAP,
	OPT_TIMESLICE,
};

/* The scheduling controls, in the order they are written. */
static const struct mv_control {
	const char *opt;
	const char *attr;
	unsigned int min;
	unsigned int max;
	const char *what;
} mv_controls[] = {
	{ "--weight", "weight", MV_WEIGHT_MIN, MV_WEIGHT_MAX,
	  "scheduling weight" },
	{ "--cap", "cap", MV_CAP_MIN, MV_CAP_MAX,
	  "engine time cap in percent (0: none)" },
	{ "--timeslice-us", "timeslice_us", MV_TIMESLICE_MIN_US, MV_TIMESLICE_MAX_US,
	  "timeslice in microseconds" },
};

#define MV_NR_CONTROLS	ARRAY_SIZE(mv_controls)

struct mv_settings {
	bool given[MV_NR_CONTROLS];
	unsigned int val[MV_NR_CONTROLS];
};

static const struct mv_opt mv_create_opts[] = {
	{ "weight", 'w', MV_ARG_REQUIRED, OPT_WEIGHT },
	{ "cap", 'c', MV_ARG_REQUIRED, OPT_CAP },
	{ "timeslice-us", 't', MV_ARG_REQUIRED, OPT_TIMESLICE },
	{ "parent", 'p', MV_ARG_REQUIRED, OPT_PARENT },
	{ "uuid", 'u', MV_ARG_REQUIRED, OPT_UUID },
	{ NULL, 0, MV_ARG_NONE, 0 },
};

static const struct mv_opt mv_set_opts[] = {
	{ "weight", 'w', MV_ARG_REQUIRED, OPT_WEIGHT },
	{ "cap", 'c', MV_ARG_REQUIRED, OPT_CAP },
	{ "timeslice-us", 't', MV_ARG_REQUIRED, OPT_TIMESLICE },
	{ NULL, 0, MV_ARG_NONE, 0 },
};

/* Option OPT (one of the controls) with value VAL into S. */
static int mv_settings_parse(const char *cmd, struct mv_settings *s, int opt,
			     const char *val)
{
	unsigned int i = opt - OPT_WEIGHT;

	s->given[i] = true;
	return mv_parse_uint(cmd, mv_controls[i].opt, val, mv_controls[i].min,
			     mv_controls[i].max, &s->val[i]);
}

/* Write the given controls of vGPU UUID; exit code after a message. */
static int mv_settings_apply(const char *uuid, const struct mv_settings *s)
{
	char path[MV_PATH_LEN], val[16], what[64];
	const struct mv_control *c;
	unsigned int i;
	int ret;

	for (i = 0; i < MV_NR_CONTROLS; i++) {
		if (!s->given[i])
			continue;
		c = &mv_controls[i];
		ret = mv_path(path, sizeof(path), "bus/mdev/devices/%s/mvgpu/%s",
			      uuid, c->attr);
		if (!ret) {
			snprintf(val, sizeof(val), "%u", s->val[i]);
			ret = mv_write_str(path, val);
		}
		if (ret == -EINVAL) {
			mv_err("the kernel rejected %s=%u for %s: the %s must be from %u to %u",
			       c->attr, s->val[i], uuid, c->what, c->min, c->max);
			return MV_EINVAL;
		}
		if (ret) {
			snprintf(what, sizeof(what), "setting %s", c->attr);
			return mv_err_errno(ret, what, path);
		}
	}
	return MV_OK;
}

/* The options and argument of a command on one vGPU. */
struct mv_vgpu_args {
	const char *arg;		/* TYPE or UUID; NULL after --help */
	const char *parent;		/* create --parent */
	const char *uuid;		/* create --uuid */
	struct mv_settings set;		/* the controls given */
};

/*
 * The one argument of a command on one vGPU, WHAT (named if it is missing),
 * and its options OPTS (NULL: none) into A.
 * Return: 0 or an exit code after a message; a->arg is NULL after --help.
 */
static int mv_vgpu_args(int argc, char **argv, const struct mv_opt *opts,
			const char *what, struct mv_vgpu_args *a)
{
	struct mv_parser p;
	const char *val;
	int opt, ret;

	memset(a, 0, sizeof(*a));
	mv_parser_init(&p, argv[0], argc, argv, opts, &a->arg);
	while ((opt = mv_parser_next(&p, &val)) != MV_OPT_END) {
		switch (opt) {
		case OPT_PARENT:
			a->parent = val;
			break;
		case OPT_UUID:
			a->uuid = val;
			break;
		case OPT_WEIGHT:
		case OPT_CAP:
		case OPT_TIMESLICE:
			ret = mv_settings_parse(argv[0], &a->set, opt, val);
			if (ret)
				return ret;
			break;
		default:
			a->arg = NULL;
			return mv_parser_exit(&p, opt);
		}
	}
	if (!a->arg)
		return mv_usage_error(argv[0], "missing %s", what);
	return MV_OK;
}

/* The argument of the commands on an existing vGPU. */
static const char mv_uuid_arg[] = "UUID (see 'mvgpuctl list')";

/* Look up vGPU UUID; exit code after a message. */
static int mv_get_vgpu(const char *uuid, struct mv_vgpu *v)
{
	int ret;

	if (mv_check_loaded() && mv_uuid_valid(uuid))
		return mv_err_module();
	ret = mv_load_vgpu(uuid, v);
	return ret ? mv_err_no_vgpu(uuid, ret) : MV_OK;
}

/*
 * A command on the existing vGPU that its one argument names.  OPTS are the
 * controls it takes, and needs one of (NULL: none); they are written to
 * the vGPU, then ACT (if not NULL) does the rest.
 * Return: the exit code, after a message if it is not 0.
 */
static int mv_on_vgpu(int argc, char **argv, const struct mv_opt *opts,
		      int (*act)(const struct mv_vgpu *v))
{
	struct mv_vgpu_args a;
	struct mv_vgpu v;
	unsigned int i;
	int ret;

	ret = mv_vgpu_args(argc, argv, opts, mv_uuid_arg, &a);
	if (ret || !a.arg)
		return ret;
	for (i = 0; i < MV_NR_CONTROLS && !a.set.given[i]; i++)
		;
	if (opts && i == MV_NR_CONTROLS)
		return mv_usage_error(argv[0], "nothing to set: give %s",
				      "--weight, --cap or --timeslice-us");
	ret = mv_get_vgpu(a.arg, &v);
	if (!ret)
		ret = mv_settings_apply(a.arg, &a.set);
	if (!ret && act)
		ret = act(&v);
	return ret;
}

/*
 * No TYPE on PGPUS[0..NR), the pGPUs searched (PARENT, if --parent named
 * it): say so, and which types they have.
 */
static void mv_err_no_type(const struct mv_pgpu *pgpus, size_t nr,
			   const char *parent, const char *type)
{
	char list[1024];
	size_t i, k, n = 0;

	list[0] = '\0';
	for (i = 0; i < nr; i++) {
		for (k = 0; k < pgpus[i].nr_types && n < sizeof(list); k++) {
			/* The same types on several pGPUs: name each once. */
			if (strstr(list, pgpus[i].types[k].name))
				continue;
			n += snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "",
				      pgpus[i].types[k].name);
		}
	}
	if (parent)
		mv_err("no such type on %s: %s", parent, type);
	else
		mv_err("no such type: %s", type);
	mv_hint("the types are: %s ('%s types' shows their resources)",
		*list ? list : "none", mv_prog);
}

static int mv_err_exists(const char *uuid)
{
	mv_err("UUID %s is already in use", uuid);
	mv_hint("choose another UUID, or leave out --uuid for a random one");
	return MV_EEXIST;
}

static int mv_err_no_instances(const char *type, const char *pgpu)
{
	mv_err("no instances of %s left on %s", type, pgpu);
	mv_hint("destroy a vGPU ('%s list' shows them), or choose a type", mv_prog);
	mv_hint("with instances available ('%s types' shows them)", mv_prog);
	return MV_ENOSPACE;
}

int cmd_create(int argc, char **argv)
{
	char uuid[MV_UUID_LEN], full[MV_NAME_LEN], path[MV_PATH_LEN];
	const struct mv_pgpu *chosen = NULL, *with_type = NULL;
	const struct mv_type *t, *chosen_type = NULL;
	size_t nr, first, last, i, k;
	struct mv_vgpu_args a;
	struct mv_pgpu *pgpus;
	const char *type;
	int ret;

	ret = mv_vgpu_args(argc, argv, mv_create_opts,
			   "TYPE (see 'mvgpuctl types')", &a);
	if (ret || !a.arg)
		return ret;
	type = a.arg;
	if (a.uuid && !mv_uuid_valid(a.uuid))
		return mv_err_no_vgpu(a.uuid, -EINVAL);
	if (strlen(type) + 7 > sizeof(full)) {
		mv_err("no such type: %s", type);
		return MV_ENOTFOUND;
	}
	snprintf(full, sizeof(full), "%s%s", strncmp(type, "mvgpu-", 6) ? "mvgpu-" : "",
		 type);

	ret = mv_load_parent(&pgpus, &nr, false, a.parent, &first, &last);
	if (ret)
		return ret;
	for (i = first; i < last && !chosen; i++) {
		for (k = 0; k < pgpus[i].nr_types; k++) {
			t = &pgpus[i].types[k];
			if (strcmp(t->name, full))
				continue;
			if (!with_type) {
				with_type = &pgpus[i];
				chosen_type = t;
			}
			if (t->available) {
				chosen = &pgpus[i];
				chosen_type = t;
			}
			break;
		}
	}
	if (!with_type) {
		mv_err_no_type(pgpus + first, last - first, a.parent, type);
		ret = MV_ENOTFOUND;
		goto out;
	}
	if (!chosen) {
		ret = mv_err_no_instances(full, with_type->name);
		goto out;
	}

	if (a.uuid) {
		mv_strscpy(uuid, a.uuid, sizeof(uuid));
		ret = mv_path(path, sizeof(path), "bus/mdev/devices/%s", uuid);
		if (!ret && mv_exists(path)) {
			ret = mv_err_exists(uuid);
			goto out;
		}
	} else {
		ret = mv_uuid_generate(uuid);
		if (ret) {
			mv_err("cannot generate a UUID: %s", strerror(-ret));
			ret = MV_EFAIL;
			goto out;
		}
	}

	ret = mv_path(path, sizeof(path), "class/mdev_bus/%s/mdev_supported_types/%s/create",
		      chosen->name, chosen_type->name);
	if (!ret)
		ret = mv_write_str(path, uuid);
	switch (-ret) {
	case 0:
		break;
	case ENOSPC:
		ret = mv_err_no_instances(full, chosen->name);
		goto out;
	case EEXIST:
		ret = mv_err_exists(uuid);
		goto out;
	case EINVAL:
		mv_err("the kernel rejected UUID %s for a new %s", uuid, full);
		ret = MV_EINVAL;
		goto out;
	default:
		ret = mv_err_errno(ret, "creating a vGPU", path);
		goto out;
	}

	ret = mv_settings_apply(uuid, &a.set);
	if (ret) {
		/* Do not leave a vGPU configured other than asked. */
		if (!mv_path(path, sizeof(path), "bus/mdev/devices/%s/remove", uuid) &&
		    !mv_write_str(path, "1"))
			mv_hint("vGPU %s was created, and removed again", uuid);
		else
			mv_hint("vGPU %s was created; remove it with '%s destroy %s'",
				uuid, mv_prog, uuid);
		goto out;
	}
	printf("%s\n", uuid);
out:
	mv_free_pgpus(pgpus, nr);
	return ret;
}

static int mv_destroy(const struct mv_vgpu *v)
{
	char path[MV_PATH_LEN];
	int ret;

	ret = mv_path(path, sizeof(path), "bus/mdev/devices/%s/remove", v->uuid);
	if (!ret)
		ret = mv_write_str(path, "1");
	if (ret == -ENOENT)
		return mv_err_no_vgpu(v->uuid, ret);	/* removed meanwhile */
	if (ret)
		return mv_err_errno(ret, "destroying the vGPU", path);
	return MV_OK;
}

int cmd_destroy(int argc, char **argv)
{
	return mv_on_vgpu(argc, argv, NULL, mv_destroy);
}

int cmd_set(int argc, char **argv)
{
	return mv_on_vgpu(argc, argv, mv_set_opts, NULL);
}

static int mv_qemu_args(const struct mv_vgpu *v)
{
	char path[MV_PATH_LEN];
	int ret;

	ret = mv_path(path, sizeof(path), "bus/mdev/devices/%s", v->uuid);
	if (ret)
		return mv_err_errno(ret, "building the path", v->uuid);
	printf("-device vfio-pci,sysfsdev=%s\n", path);
	return MV_OK;
}

int cmd_qemu_args(int argc, char **argv)
{
	return mv_on_vgpu(argc, argv, NULL, mv_qemu_args);
}

static int mv_libvirt_xml(const struct mv_vgpu *v)
{
	printf("<hostdev mode='subsystem' type='mdev' model='vfio-pci'>\n"
	       "  <source>\n"
	       "    <address uuid='%s'/>\n"
	       "  </source>\n"
	       "</hostdev>\n", v->uuid);
	return MV_OK;
}

int cmd_libvirt_xml(int argc, char **argv)
{
	return mv_on_vgpu(argc, argv, NULL, mv_libvirt_xml);
}
