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

static const struct mv_opt mv_control_opts[] = {
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

static void mv_err_no_type(const struct mv_pgpu *pgpus, size_t nr,
			   const char *parent, const char *type)
{
	char list[1024];
	size_t i, k, n = 0;

	list[0] = '\0';
	for (i = 0; i < nr; i++) {
		if (parent && strcmp(parent, pgpus[i].name))
			continue;
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
	const char *val, *type = NULL, *parent = NULL, *uuid_arg = NULL;
	char uuid[MV_UUID_LEN], full[MV_NAME_LEN], path[MV_PATH_LEN];
	const struct mv_pgpu *chosen = NULL, *with_type = NULL;
	const struct mv_type *t, *chosen_type = NULL;
	struct mv_settings set = { 0 };
	struct mv_pgpu *pgpus;
	struct mv_parser p;
	size_t nr, i, k;
	int opt, ret;

	mv_parser_init(&p, argv[0], argc, argv, mv_control_opts);
	while ((opt = mv_parser_next(&p, &val)) != MV_OPT_END) {
		switch (opt) {
		case OPT_PARENT:
			parent = val;
			break;
		case OPT_UUID:
			uuid_arg = val;
			break;
		case OPT_WEIGHT:
		case OPT_CAP:
		case OPT_TIMESLICE:
			ret = mv_settings_parse(argv[0], &set, opt, val);
			if (ret)
				return ret;
			break;
		case MV_OPT_HELP:
			return mv_help(argv[0]);
		case MV_OPT_ARG:
			if (type)
				return mv_usage_error(argv[0], "unexpected argument '%s'", val);
			type = val;
			break;
		default:
			return MV_EUSAGE;
		}
	}
	if (!type)
		return mv_usage_error(argv[0], "missing TYPE (see 'mvgpuctl types')");
	if (uuid_arg && !mv_uuid_valid(uuid_arg))
		return mv_err_no_vgpu(uuid_arg, -EINVAL);
	if (strlen(type) + 7 > sizeof(full)) {
		mv_err("no such type: %s", type);
		return MV_ENOTFOUND;
	}
	snprintf(full, sizeof(full), "%s%s", strncmp(type, "mvgpu-", 6) ? "mvgpu-" : "",
		 type);

	ret = mv_load_or_fail(&pgpus, &nr, false);
	if (ret)
		return ret;
	if (parent && mv_find_pgpu(pgpus, nr, parent) < 0) {
		ret = mv_err_no_pgpu(pgpus, nr, parent);
		goto out;
	}
	for (i = 0; i < nr && !chosen; i++) {
		if (parent && strcmp(parent, pgpus[i].name))
			continue;
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
		mv_err_no_type(pgpus, nr, parent, type);
		ret = MV_ENOTFOUND;
		goto out;
	}
	if (!chosen) {
		ret = mv_err_no_instances(full, with_type->name);
		goto out;
	}

	if (uuid_arg) {
		mv_strscpy(uuid, uuid_arg, sizeof(uuid));
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

	ret = mv_settings_apply(uuid, &set);
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

/*
 * The one UUID argument of a command, and its options OPTS (NULL: none),
 * which can only be controls, into SET.  *uuid is NULL after --help.
 * Return: 0 or an exit code after a message.
 */
static int mv_uuid_command(int argc, char **argv, const struct mv_opt *opts,
			   struct mv_settings *set, const char **uuid)
{
	struct mv_parser p;
	const char *val;
	int opt, ret;

	*uuid = NULL;
	mv_parser_init(&p, argv[0], argc, argv, opts);
	while ((opt = mv_parser_next(&p, &val)) != MV_OPT_END) {
		switch (opt) {
		case OPT_WEIGHT:
		case OPT_CAP:
		case OPT_TIMESLICE:
			ret = mv_settings_parse(argv[0], set, opt, val);
			if (ret)
				return ret;
			break;
		case MV_OPT_HELP:
			*uuid = NULL;
			return mv_help(argv[0]);
		case MV_OPT_ARG:
			if (*uuid)
				return mv_usage_error(argv[0], "unexpected argument '%s'", val);
			*uuid = val;
			break;
		default:
			return MV_EUSAGE;
		}
	}
	if (!*uuid)
		return mv_usage_error(argv[0], "missing UUID (see 'mvgpuctl list')");
	return MV_OK;
}

/* Look up vGPU UUID; exit code after a message. */
static int mv_get_vgpu(const char *uuid, struct mv_vgpu *v)
{
	int ret;

	if (mv_check_loaded() && mv_uuid_valid(uuid))
		return mv_err_module();
	ret = mv_load_vgpu(uuid, v);
	return ret ? mv_err_no_vgpu(uuid, ret) : MV_OK;
}

int cmd_destroy(int argc, char **argv)
{
	char path[MV_PATH_LEN];
	const char *uuid;
	struct mv_vgpu v;
	int ret;

	ret = mv_uuid_command(argc, argv, NULL, NULL, &uuid);
	if (ret || !uuid)
		return ret;
	ret = mv_get_vgpu(uuid, &v);
	if (ret)
		return ret;
	ret = mv_path(path, sizeof(path), "bus/mdev/devices/%s/remove", uuid);
	if (!ret)
		ret = mv_write_str(path, "1");
	if (ret == -ENOENT)
		return mv_err_no_vgpu(uuid, ret);	/* removed meanwhile */
	if (ret)
		return mv_err_errno(ret, "destroying the vGPU", path);
	return MV_OK;
}

int cmd_set(int argc, char **argv)
{
	struct mv_settings set = { 0 };
	const char *uuid;
	struct mv_vgpu v;
	unsigned int i;
	int ret;

	ret = mv_uuid_command(argc, argv, mv_set_opts, &set, &uuid);
	if (ret || !uuid)
		return ret;
	for (i = 0; i < MV_NR_CONTROLS && !set.given[i]; i++)
		;
	if (i == MV_NR_CONTROLS)
		return mv_usage_error(argv[0], "nothing to set: give %s",
				      "--weight, --cap or --timeslice-us");
	ret = mv_get_vgpu(uuid, &v);
	if (ret)
		return ret;
	return mv_settings_apply(uuid, &set);
}

int cmd_qemu_args(int argc, char **argv)
{
	char path[MV_PATH_LEN];
	const char *uuid;
	struct mv_vgpu v;
	int ret;

	ret = mv_uuid_command(argc, argv, NULL, NULL, &uuid);
	if (ret || !uuid)
		return ret;
	ret = mv_get_vgpu(uuid, &v);
	if (ret)
		return ret;
	ret = mv_path(path, sizeof(path), "bus/mdev/devices/%s", v.uuid);
	if (ret)
		return mv_err_errno(ret, "building the path", v.uuid);
	printf("-device vfio-pci,sysfsdev=%s\n", path);
	return MV_OK;
}

int cmd_libvirt_xml(int argc, char **argv)
{
	const char *uuid;
	struct mv_vgpu v;
	int ret;

	ret = mv_uuid_command(argc, argv, NULL, NULL, &uuid);
	if (ret || !uuid)
		return ret;
	ret = mv_get_vgpu(uuid, &v);
	if (ret)
		return ret;
	printf("<hostdev mode='subsystem' type='mdev' model='vfio-pci'>\n"
	       "  <source>\n"
	       "    <address uuid='%s'/>\n"
	       "  </source>\n"
	       "</hostdev>\n", v.uuid);
	return MV_OK;
}
