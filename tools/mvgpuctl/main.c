// SPDX-License-Identifier: GPL-2.0
/*
 * mvgpuctl: command-line parsing, help and dispatch.
 *
 *   mvgpuctl COMMAND [ARGS] [OPTIONS]
 *
 * Options may come before or after a command's arguments; "--" ends them.
 * A bad command line prints a usage line and exits with MV_EUSAGE (2).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mvgpuctl.h"

struct mv_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;
	const char *summary;
	const char *help;
};

static const struct mv_cmd mv_cmds[] = {
	{
		"list", cmd_list,
		"[--json] [--no-sample] [--interval MS] [--parent PGPU]",
		"list pGPUs (engines, VRAM, utilisation) and their vGPUs",
		"  -j, --json           print JSON\n"
		"  -n, --no-sample      show cumulative engine busy time instead of\n"
		"                       sampling utilisation\n"
		"  -i, --interval MS    sample utilisation over MS milliseconds\n"
		"                       (1-60000, default 250)\n"
		"  -p, --parent PGPU    only this pGPU (mvgpu0, ...)\n",
	},
	{
		"types", cmd_types,
		"[--json] [--parent PGPU]",
		"list the vGPU types (profiles) with resources and available instances",
		"  -j, --json           print JSON\n"
		"  -p, --parent PGPU    only this pGPU (mvgpu0, ...)\n",
	},
	{
		"create", cmd_create,
		"TYPE [--parent PGPU] [--uuid UUID] [--weight W] [--cap C] [--timeslice-us T]",
		"create a vGPU of TYPE and print its UUID",
		"  TYPE                 a type from 'mvgpuctl types', with or without\n"
		"                       the \"mvgpu-\" prefix (mvgpu-ts-64m or ts-64m)\n"
		"  -p, --parent PGPU    create it on this pGPU (default: the first one\n"
		"                       with an instance of TYPE available)\n"
		"  -u, --uuid UUID      use this UUID (default: a random one)\n"
		"  -w, --weight W       scheduling weight, 1-10000 (default 100)\n"
		"  -c, --cap C          engine time cap in percent, 0-100 (0: none)\n"
		"  -t, --timeslice-us T timeslice in microseconds, 100-100000\n",
	},
	{
		"destroy", cmd_destroy,
		"UUID",
		"remove a vGPU (waits until a VM using it lets it go)",
		"",
	},
	{
		"set", cmd_set,
		"UUID [--weight W] [--cap C] [--timeslice-us T]",
		"change a vGPU's scheduling controls (effective at once)",
		"  -w, --weight W       scheduling weight, 1-10000\n"
		"  -c, --cap C          engine time cap in percent, 0-100 (0: none)\n"
		"  -t, --timeslice-us T timeslice in microseconds, 100-100000\n",
	},
	{
		"stats", cmd_stats,
		"[UUID] [--json] [--watch [SECS]] [--count N]",
		"show vGPU statistics, once or refreshing like top",
		"  UUID                 only this vGPU (default: all)\n"
		"  -j, --json           print JSON (with --watch: one line per refresh)\n"
		"  -W, --watch [SECS]   refresh every SECS seconds (0.1-3600, default 1)\n"
		"                       and show rates per second\n"
		"  -n, --count N        with --watch: stop after N refreshes\n",
	},
	{
		"qemu-args", cmd_qemu_args,
		"UUID",
		"print the QEMU options that give a VM the vGPU",
		"",
	},
	{
		"libvirt-xml", cmd_libvirt_xml,
		"UUID",
		"print a libvirt <hostdev> element for the vGPU",
		"",
	},
};

#define MV_NR_CMDS ARRAY_SIZE(mv_cmds)

static const struct mv_cmd *mv_find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < MV_NR_CMDS; i++)
		if (!strcmp(mv_cmds[i].name, name))
			return &mv_cmds[i];
	return NULL;
}

static void mv_main_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: %s COMMAND [ARGS] [OPTIONS]\n\n", mv_prog);
	fprintf(f, "Administer mvgpu virtual GPUs.\n\nCommands:\n");
	for (i = 0; i < MV_NR_CMDS; i++)
		fprintf(f, "  %-12s %s\n", mv_cmds[i].name, mv_cmds[i].summary);
	fprintf(f, "  %-12s %s\n", "help", "show help for a command");
	fprintf(f, "\n'%s help COMMAND' or '%s COMMAND --help' describes a command.\n",
		mv_prog, mv_prog);
	fprintf(f, "Environment: MVGPUCTL_SYSFS_ROOT (default /sys).\n");
	fprintf(f, "See mvgpuctl(8).\n");
}

int mv_help(const char *name)
{
	const struct mv_cmd *c = mv_find_cmd(name);

	if (!c) {
		mv_err("unknown command '%s'", name);
		mv_main_usage(stderr);
		return MV_EUSAGE;
	}
	printf("usage: %s %s %s\n\n%s.\n", mv_prog, c->name, c->args, c->summary);
	if (*c->help)
		printf("\n%s", c->help);
	printf("  -h, --help           show this help\n");
	return MV_OK;
}

int mv_usage_error(const char *cmd, const char *fmt, ...)
{
	const struct mv_cmd *c = mv_find_cmd(cmd);
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s %s: ", mv_prog, cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (c)
		fprintf(stderr, "usage: %s %s %s\n", mv_prog, c->name, c->args);
	fprintf(stderr, "Try '%s help %s' for more information.\n", mv_prog, cmd);
	return MV_EUSAGE;
}

/*
 * Parse ARGV, the ARGC arguments of command CMD (argv[0]), for its options
 * OPTS.  ARG is where its one positional argument goes: NULL if it takes
 * none, else *arg is NULL until mv_parser_next() finds it.
 */
void mv_parser_init(struct mv_parser *p, const char *cmd, int argc,
		    char **argv, const struct mv_opt *opts, const char **arg)
{
	memset(p, 0, sizeof(*p));
	p->cmd = cmd;
	p->argc = argc;
	p->argv = argv;
	p->i = 1;		/* argv[0] is the command */
	p->opts = opts;
	p->arg = arg;
	if (arg)
		*arg = NULL;
}

/* A plain number (for an optional option argument): digits and a dot. */
static bool mv_is_number(const char *s)
{
	bool digit = false;

	for (; *s; s++) {
		if (isdigit((unsigned char)*s))
			digit = true;
		else if (*s != '.')
			return false;
	}
	return digit;
}

/*
 * The next option (its id, *val its argument or NULL), MV_OPT_HELP,
 * MV_OPT_END, or MV_OPT_ERROR after printing a usage error.  The positional
 * argument goes where mv_parser_init() was told; another one is an error.
 */
int mv_parser_next(struct mv_parser *p, const char **val)
{
	const struct mv_opt *o;
	const char *a, *name, *eq = NULL;
	size_t len;

	*val = NULL;
	if (p->i >= p->argc)
		return MV_OPT_END;
	a = p->argv[p->i++];
	if (p->no_more_opts || a[0] != '-' || !a[1]) {
		if (!p->arg || *p->arg) {
			mv_usage_error(p->cmd, "unexpected argument '%s'", a);
			return MV_OPT_ERROR;
		}
		*p->arg = a;
		return mv_parser_next(p, val);
	}
	if (!strcmp(a, "--")) {
		p->no_more_opts = true;
		return mv_parser_next(p, val);
	}
	if (!strcmp(a, "--help") || !strcmp(a, "-h"))
		return MV_OPT_HELP;

	if (a[1] == '-') {
		name = a + 2;
		eq = strchr(name, '=');
		len = eq ? (size_t)(eq - name) : strlen(name);
		for (o = p->opts; o && o->name; o++)
			if (strlen(o->name) == len && !strncmp(o->name, name, len))
				break;
	} else {
		for (o = p->opts; o && o->name; o++)
			if (o->short_name && o->short_name == a[1] && !a[2])
				break;
	}
	if (!o || !o->name) {
		mv_usage_error(p->cmd, "unknown option '%s'", a);
		return MV_OPT_ERROR;
	}

	switch (o->arg) {
	case MV_ARG_NONE:
		if (eq) {
			mv_usage_error(p->cmd, "option '--%s' takes no value", o->name);
			return MV_OPT_ERROR;
		}
		break;
	case MV_ARG_REQUIRED:
		if (eq) {
			*val = eq + 1;
		} else if (p->i < p->argc) {
			*val = p->argv[p->i++];
		} else {
			mv_usage_error(p->cmd, "option '%s' needs a value", a);
			return MV_OPT_ERROR;
		}
		break;
	case MV_ARG_OPTIONAL_NUM:
		if (eq)
			*val = eq + 1;
		else if (p->i < p->argc && mv_is_number(p->argv[p->i]))
			*val = p->argv[p->i++];
		break;
	}
	return o->id;
}

/*
 * What a command returns when mv_parser_next() gives OPT, which is none of
 * its options: after --help, mv_help()'s exit code; after an error, the
 * usage error's.
 */
int mv_parser_exit(const struct mv_parser *p, int opt)
{
	return opt == MV_OPT_HELP ? mv_help(p->cmd) : MV_EUSAGE;
}

/*
 * A decimal number in [MIN, MAX] given to option OPT of command CMD.
 * Return: 0, or MV_EINVAL after an error message that gives the range.
 */
int mv_parse_uint(const char *cmd, const char *opt, const char *s,
		  unsigned int min, unsigned int max, unsigned int *val)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!isdigit((unsigned char)*s) || *end || errno || v < min || v > max) {
		mv_err("%s: invalid value '%s' for %s: it must be an integer from %u to %u",
		       cmd, s, opt, min, max);
		return MV_EINVAL;
	}
	*val = v;
	return 0;
}

int main(int argc, char **argv)
{
	const struct mv_cmd *c;
	int ret, out;

	if (argc < 2) {
		mv_main_usage(stderr);
		return MV_EUSAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		mv_main_usage(stdout);
		return mv_finish_output();
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("%s %s (PCI names: %s)\n", mv_prog, MVGPUCTL_VERSION,
		       mv_pci_backend());
		return mv_finish_output();
	}
	if (!strcmp(argv[1], "help")) {
		if (argc > 3) {
			fprintf(stderr, "%s help: too many arguments\n", mv_prog);
			fprintf(stderr, "usage: %s help [COMMAND]\n", mv_prog);
			return MV_EUSAGE;
		}
		ret = MV_OK;
		if (argc == 3 && strcmp(argv[2], "--help") && strcmp(argv[2], "-h"))
			ret = mv_help(argv[2]);
		else
			mv_main_usage(stdout);
		out = mv_finish_output();
		return ret ? ret : out;
	}

	c = mv_find_cmd(argv[1]);
	if (!c) {
		fprintf(stderr, "%s: unknown command '%s'\n\n", mv_prog, argv[1]);
		mv_main_usage(stderr);
		return MV_EUSAGE;
	}
	ret = c->fn(argc - 1, argv + 1);
	out = mv_finish_output();
	mv_pci_cleanup();
	return ret ? ret : out;
}
