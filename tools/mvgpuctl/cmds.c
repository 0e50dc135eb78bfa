// SPDX-License-Identifier: GPL-2.0
/*
 * mvgpuctl: the read commands, list, types and stats, as text or JSON.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mvgpuctl.h"

enum {
	OPT_JSON = 1,
	OPT_NO_SAMPLE,
	OPT_INTERVAL,
	OPT_PARENT,
	OPT_WATCH,
	OPT_COUNT,
};

#define MV_NSEC_PER_SEC	1000000000ULL

/*
 * Every pGPU, or an error message and exit code: the module not loaded, or
 * loaded with no pGPU.
 */
int mv_load_or_fail(struct mv_pgpu **pgpus, size_t *nr, bool with_vgpus)
{
	char path[MV_PATH_LEN];
	int ret;

	ret = mv_load_pgpus(pgpus, nr, with_vgpus);
	if (ret == -ENOENT && mv_check_loaded())
		return mv_err_module();
	if (ret) {
		mv_path(path, sizeof(path), "class/mvgpu");
		return mv_err_errno(ret, "reading the pGPUs", path);
	}
	if (!*nr) {
		mv_free_pgpus(*pgpus, *nr);
		*pgpus = NULL;
		mv_err("mvgpu is loaded, but no pGPU is registered");
		mv_hint("load a pGPU backend, e.g. 'modprobe mvgpu_sim' (as root)");
		return MV_ENOMODULE;
	}
	return MV_OK;
}

int mv_find_pgpu(const struct mv_pgpu *pgpus, size_t nr, const char *name)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (!strcmp(pgpus[i].name, name))
			return i;
	return -1;
}

int mv_err_no_pgpu(const struct mv_pgpu *pgpus, size_t nr, const char *name)
{
	char list[512];
	size_t i, n = 0;

	list[0] = '\0';
	for (i = 0; i < nr && n < sizeof(list); i++)
		n += snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "",
			      pgpus[i].name);
	mv_err("no such pGPU: %s", name);
	mv_hint("the pGPUs are: %s", list);
	return MV_ENOTFOUND;
}

/*
 * Every pGPU, as mv_load_or_fail(), and the range [*first, *last) of them
 * that a command with --parent PARENT acts on: that one, or all of them if
 * PARENT is NULL.
 * Return: 0, or an exit code after a message (with nothing to free).
 */
int mv_load_parent(struct mv_pgpu **pgpus, size_t *nr, bool with_vgpus,
		   const char *parent, size_t *first, size_t *last)
{
	int ret, i;

	ret = mv_load_or_fail(pgpus, nr, with_vgpus);
	if (ret)
		return ret;
	*first = 0;
	*last = *nr;
	if (!parent)
		return MV_OK;
	i = mv_find_pgpu(*pgpus, *nr, parent);
	if (i < 0) {
		ret = mv_err_no_pgpu(*pgpus, *nr, parent);
		mv_free_pgpus(*pgpus, *nr);
		return ret;
	}
	*first = i;
	*last = i + 1;
	return MV_OK;
}

static uint64_t mv_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * MV_NSEC_PER_SEC + ts.tv_nsec;
}

static void mv_sleep_ns(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = ns / MV_NSEC_PER_SEC,
		.tv_nsec = ns % MV_NSEC_PER_SEC,
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static uint64_t mv_delta(uint64_t now, uint64_t then)
{
	return now >= then ? now - then : 0;
}

static double mv_percent(uint64_t delta, uint64_t interval)
{
	return interval ? 100.0 * (double)delta / (double)interval : 0.0;
}

/* 1234 ns as "1.2us", "3.4ms" or "1.50s". */
static const char *mv_ns(char *buf, size_t len, uint64_t ns)
{
	if (ns < 1000)
		snprintf(buf, len, "%lluns", (unsigned long long)ns);
	else if (ns < 1000000)
		snprintf(buf, len, "%.1fus", ns / 1e3);
	else if (ns < MV_NSEC_PER_SEC)
		snprintf(buf, len, "%.1fms", ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", ns / 1e9);
	return buf;
}

/* The options of list, types and stats: each takes those in its table. */
struct mv_read_args {
	bool help;			/* --help: answered, nothing to do */
	bool json;
	bool sample;			/* list: not --no-sample */
	unsigned int interval_ms;	/* list --interval */
	const char *parent;		/* list, types --parent */
	const char *uuid;		/* stats [UUID] */
	bool watch;			/* stats --watch [SECS] */
	double secs;
	unsigned int count;		/* stats --count; 0: no end */
};

static int mv_parse_secs(const char *s, double *secs)
{
	char *end;

	errno = 0;
	*secs = strtod(s, &end);
	if (errno || end == s || *end || !(*secs >= 0.1 && *secs <= 3600)) {
		mv_err("stats: invalid value '%s' for --watch: it must be a number of seconds from 0.1 to 3600",
		       s);
		return MV_EINVAL;
	}
	return 0;
}

/*
 * The options OPTS of read command argv[0] into A, with the defaults of
 * those not given, and its UUID argument if WITH_UUID.
 * Return: 0, or an exit code after a message or after --help (a->help).
 */
static int mv_read_args(int argc, char **argv, const struct mv_opt *opts,
			bool with_uuid, struct mv_read_args *a)
{
	static const struct mv_read_args defaults = {
		.sample = true,
		.interval_ms = 250,
		.secs = 1.0,
	};
	struct mv_parser p;
	const char *val;
	int opt, ret = 0;

	*a = defaults;
	mv_parser_init(&p, argv[0], argc, argv, opts,
		       with_uuid ? &a->uuid : NULL);
	while ((opt = mv_parser_next(&p, &val)) != MV_OPT_END) {
		switch (opt) {
		case OPT_JSON:
			a->json = true;
			break;
		case OPT_NO_SAMPLE:
			a->sample = false;
			break;
		case OPT_INTERVAL:
			ret = mv_parse_uint(argv[0], "--interval", val, 1, 60000,
					    &a->interval_ms);
			break;
		case OPT_PARENT:
			a->parent = val;
			break;
		case OPT_WATCH:
			a->watch = true;
			if (val)
				ret = mv_parse_secs(val, &a->secs);
			break;
		case OPT_COUNT:
			ret = mv_parse_uint(argv[0], "--count", val, 1, 1000000,
					    &a->count);
			break;
		default:
			a->help = opt == MV_OPT_HELP;
			return mv_parser_exit(&p, opt);
		}
		if (ret)
			return ret;
	}
	return MV_OK;
}

/* list ------------------------------------------------------------------ */

struct mv_util {
	unsigned int nr;
	uint64_t busy_ns[MV_MAX_ENGINES];	/* cumulative, or over the sample */
	double percent[MV_MAX_ENGINES];
};

/* What list or types shows. */
struct mv_show {
	struct mv_read_args a;
	struct mv_pgpu *pgpus;
	size_t nr;
	size_t first, last;		/* the ones shown: all, or --parent */
	struct mv_util *util;		/* list: their utilisation */
};

/* How list or types shows the pGPUs. */
struct mv_show_ops {
	const struct mv_opt *opts;
	bool with_vgpus;
	/* What SHOW needs besides the pGPUs: 0, or an exit code. */
	int (*prepare)(struct mv_show *s);
	/* pGPU I, as JSON into J, or as text if J is NULL. */
	void (*show)(struct mv_json *j, const struct mv_show *s, size_t i);
};

/* list or types with OPS: the pGPUs, as JSON or text. */
static int mv_show_command(int argc, char **argv,
			   const struct mv_show_ops *ops)
{
	struct mv_show s = { 0 };
	struct mv_json j;
	size_t i;
	int ret;

	ret = mv_read_args(argc, argv, ops->opts, false, &s.a);
	if (ret || s.a.help)
		return ret;
	ret = mv_load_parent(&s.pgpus, &s.nr, ops->with_vgpus, s.a.parent,
			     &s.first, &s.last);
	if (ret)
		return ret;
	if (ops->prepare) {
		ret = ops->prepare(&s);
		if (ret)
			goto out;
	}
	if (s.a.json) {
		json_doc_begin(&j, "pgpus");
		for (i = s.first; i < s.last; i++)
			ops->show(&j, &s, i);
		json_doc_end(&j);
	} else {
		for (i = s.first; i < s.last; i++) {
			if (i > s.first)
				printf("\n");
			ops->show(NULL, &s, i);
		}
	}
out:
	free(s.util);
	mv_free_pgpus(s.pgpus, s.nr);
	return ret;
}

static void mv_list_sample(struct mv_pgpu *p, size_t nr, struct mv_util *u,
			   unsigned int interval_ms, bool sample)
{
	uint64_t t0, t1, busy[MV_MAX_ENGINES];
	unsigned int n, e;
	size_t i;

	for (i = 0; i < nr; i++) {
		u[i].nr = p[i].nr_busy;
		memcpy(u[i].busy_ns, p[i].busy_ns, sizeof(u[i].busy_ns));
	}
	if (!sample)
		return;
	t0 = mv_now_ns();
	for (i = 0; i < nr; i++)
		if (mv_read_busy(p[i].name, u[i].busy_ns, &u[i].nr))
			u[i].nr = 0;
	mv_sleep_ns((uint64_t)interval_ms * 1000000);
	t1 = mv_now_ns();
	for (i = 0; i < nr; i++) {
		if (mv_read_busy(p[i].name, busy, &n) || n != u[i].nr) {
			u[i].nr = 0;
			continue;
		}
		for (e = 0; e < n; e++) {
			u[i].busy_ns[e] = mv_delta(busy[e], u[i].busy_ns[e]);
			u[i].percent[e] = mv_percent(u[i].busy_ns[e], t1 - t0);
		}
	}
}

static void mv_list_text(const struct mv_pgpu *p, const struct mv_util *u,
			 bool sample, unsigned int interval_ms)
{
	char a[32], b[32], c[32], cls[128];
	const struct mv_pci_info *pci = &p->pci;
	unsigned int e;
	size_t i;

	printf("%s: %s backend\n", p->name, p->backend);
	if (*p->model)
		printf("  device:      %s%s%s\n", p->model,
		       *p->pci_address ? ", PCI " : "", p->pci_address);
	if (!p->online)
		printf("  state:       offline (no engine server): its vGPUs fail\n");
	if (pci->present) {
		printf("  parent:      PCI %s [%04x:%04x]", pci->slot,
		       pci->vendor_id, pci->device_id);
		if (*pci->vendor)
			printf(" %s", pci->vendor);
		if (*pci->device)
			printf(" %s", pci->device);
		printf(", %s [%04x]\n", *pci->class_name ? pci->class_name : "class",
		       pci->class_id);
		printf("  topology:    %s", pci->path);
		if (pci->numa_node >= 0)
			printf(", NUMA node %d", pci->numa_node);
		printf("\n");
	} else {
		printf("  parent:      none (software pGPU)\n");
	}
	printf("  engines:     %u (%u shared, %u dedicated to partitions)\n",
	       p->engines, p->engines_shared,
	       p->engines >= p->engines_shared ? p->engines - p->engines_shared : 0);
	printf("  vram:        %s used of %s (%s free)\n",
	       mv_size(a, sizeof(a), p->vram_bytes - p->vram_free_bytes),
	       mv_size(b, sizeof(b), p->vram_bytes),
	       mv_size(c, sizeof(c), p->vram_free_bytes));
	if (!u->nr) {
		printf("  utilisation: unknown (no engine_busy_ns)\n");
	} else if (sample) {
		printf("  utilisation:");
		for (e = 0; e < u->nr; e++)
			printf(" e%u %.1f%%", e, u->percent[e]);
		printf(" (over %u ms)\n", interval_ms);
	} else {
		printf("  busy time:  ");
		for (e = 0; e < u->nr; e++)
			printf(" e%u %s", e, mv_ns(a, sizeof(a), u->busy_ns[e]));
		printf(" (cumulative)\n");
	}
	if (!mv_pci_class_name(MV_PCI_CLASS, cls, sizeof(cls)))
		snprintf(cls, sizeof(cls), "class");
	printf("  guest view:  [%04x:%04x] %s [%04x] rev %02x, subsystem [%04x:<profile>]\n",
	       MV_PCI_VENDOR_ID, MV_PCI_DEVICE_ID, cls, MV_PCI_CLASS,
	       MV_PCI_REVISION, MV_PCI_VENDOR_ID);
	printf("  vgpus:       %zu\n", p->nr_vgpus);
	if (!p->nr_vgpus)
		return;
	printf("    %-36s  %-18s %8s  %-8s %6s %5s %9s  %s\n", "UUID", "TYPE",
	       "VRAM", "ENGINES", "WEIGHT", "CAP", "SLICE_US", "SUBSYSTEM");
	for (i = 0; i < p->nr_vgpus; i++) {
		const struct mv_vgpu *v = &p->vgpus[i];

		if (v->cap)
			snprintf(b, sizeof(b), "%u%%", v->cap);
		else
			snprintf(b, sizeof(b), "none");
		if (v->has_profile_id)
			snprintf(c, sizeof(c), "%04x:%04x", MV_PCI_VENDOR_ID,
				 v->profile_id);
		else
			snprintf(c, sizeof(c), "?");
		printf("    %-36s  %-18s %8s  %-8s %6u %5s %9u  %s\n", v->uuid,
		       v->type, mv_size(a, sizeof(a), v->vram_bytes),
		       mv_engine_list(cls, sizeof(cls), v->engine_mask),
		       v->weight, b, v->timeslice_us, c);
		/* Only while a live migration holds it. */
		if (*v->migration && strcmp(v->migration, "running"))
			printf("      migration: %s\n", v->migration);
		if (v->display[0])
			printf("      display: %s\n", v->display);
	}
}

static void mv_json_hex(struct mv_json *j, const char *key, unsigned int v)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "0x%04x", v);
	json_str(j, key, buf);
}

static void mv_json_vgpu(struct mv_json *j, const struct mv_vgpu *v)
{
	char buf[MV_PATH_LEN];
	unsigned int e;

	json_obj_begin(j, NULL);
	json_str(j, "uuid", v->uuid);
	json_str(j, "parent", v->parent);
	json_str(j, "type", v->type);
	json_str(j, "profile", v->profile);
	json_u64(j, "vram_bytes", v->vram_bytes);
	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v->engine_mask);
	json_str(j, "engine_mask", buf);
	json_arr_begin(j, "dedicated_engines");
	for (e = 0; e < 64; e++)
		if (v->engine_mask & (1ULL << e))
			json_u64(j, NULL, e);
	json_arr_end(j);
	json_u64(j, "weight", v->weight);
	json_u64(j, "cap", v->cap);
	json_u64(j, "timeslice_us", v->timeslice_us);
	if (*v->migration)
		json_str(j, "migration_state", v->migration);
	if (v->iommu_group >= 0)
		json_int(j, "iommu_group", v->iommu_group);
	else
		json_null(j, "iommu_group");
	json_obj_begin(j, "guest_pci");
	mv_json_hex(j, "vendor_id", MV_PCI_VENDOR_ID);
	mv_json_hex(j, "device_id", MV_PCI_DEVICE_ID);
	mv_json_hex(j, "subsystem_vendor_id", MV_PCI_VENDOR_ID);
	if (v->has_profile_id)
		mv_json_hex(j, "subsystem_id", v->profile_id);
	else
		json_null(j, "subsystem_id");
	mv_json_hex(j, "class", MV_PCI_CLASS);
	json_obj_end(j);
	mv_path(buf, sizeof(buf), "bus/mdev/devices/%s", v->uuid);
	json_str(j, "sysfs_path", buf);
	if (v->display[0])
		json_str(j, "display", v->display);
	json_obj_end(j);
}

static void mv_json_parent(struct mv_json *j, const struct mv_pci_info *pci)
{
	if (!pci->present) {
		json_null(j, "parent");
		return;
	}
	json_obj_begin(j, "parent");
	json_str(j, "bus", "pci");
	json_str(j, "slot", pci->slot);
	json_str(j, "path", pci->path);
	mv_json_hex(j, "vendor_id", pci->vendor_id);
	mv_json_hex(j, "device_id", pci->device_id);
	mv_json_hex(j, "class", pci->class_id);
	json_str(j, "vendor", *pci->vendor ? pci->vendor : NULL);
	json_str(j, "device", *pci->device ? pci->device : NULL);
	json_str(j, "class_name", *pci->class_name ? pci->class_name : NULL);
	if (pci->numa_node >= 0)
		json_int(j, "numa_node", pci->numa_node);
	else
		json_null(j, "numa_node");
	json_obj_end(j);
}

static void mv_list_json(struct mv_json *j, const struct mv_pgpu *p,
			 const struct mv_util *u, bool sample,
			 unsigned int interval_ms)
{
	char cls[128];
	unsigned int e;
	size_t i;

	json_obj_begin(j, NULL);
	json_str(j, "name", p->name);
	json_str(j, "backend", p->backend);
	if (*p->model)
		json_str(j, "model", p->model);
	if (*p->pci_address)
		json_str(j, "pci_address", p->pci_address);
	if (p->online >= 0)
		json_u64(j, "online", p->online);
	mv_json_parent(j, &p->pci);
	json_u64(j, "engines", p->engines);
	json_u64(j, "engines_shared", p->engines_shared);
	json_u64(j, "vram_bytes", p->vram_bytes);
	json_u64(j, "vram_used_bytes", p->vram_bytes - p->vram_free_bytes);
	json_u64(j, "vram_free_bytes", p->vram_free_bytes);
	json_obj_begin(j, "utilisation");
	json_bool(j, "sampled", sample);
	if (sample)
		json_u64(j, "interval_ms", interval_ms);
	else
		json_null(j, "interval_ms");
	json_arr_begin(j, "engines");
	for (e = 0; e < u->nr; e++) {
		json_obj_begin(j, NULL);
		json_u64(j, "engine", e);
		json_u64(j, "busy_ns", u->busy_ns[e]);
		if (sample)
			json_double(j, "percent", u->percent[e]);
		else
			json_null(j, "percent");
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
	json_obj_begin(j, "guest_pci");
	mv_json_hex(j, "vendor_id", MV_PCI_VENDOR_ID);
	mv_json_hex(j, "device_id", MV_PCI_DEVICE_ID);
	mv_json_hex(j, "class", MV_PCI_CLASS);
	json_str(j, "class_name", mv_pci_class_name(MV_PCI_CLASS, cls, sizeof(cls)));
	mv_json_hex(j, "revision", MV_PCI_REVISION);
	json_obj_end(j);
	json_u64(j, "vgpu_count", p->nr_vgpus);
	json_arr_begin(j, "vgpus");
	for (i = 0; i < p->nr_vgpus; i++)
		mv_json_vgpu(j, &p->vgpus[i]);
	json_arr_end(j);
	json_obj_end(j);
}

/* Sample the utilisation of the pGPUs list shows, or copy the totals. */
static int mv_list_prepare(struct mv_show *s)
{
	s->util = calloc(s->nr, sizeof(*s->util));
	if (!s->util) {
		mv_err("out of memory");
		return MV_EFAIL;
	}
	mv_list_sample(s->pgpus + s->first, s->last - s->first,
		       s->util + s->first, s->a.interval_ms, s->a.sample);
	return MV_OK;
}

static void mv_list_one(struct mv_json *j, const struct mv_show *s, size_t i)
{
	if (j)
		mv_list_json(j, &s->pgpus[i], &s->util[i], s->a.sample,
			     s->a.interval_ms);
	else
		mv_list_text(&s->pgpus[i], &s->util[i], s->a.sample,
			     s->a.interval_ms);
}

int cmd_list(int argc, char **argv)
{
	static const struct mv_opt opts[] = {
		{ "json", 'j', MV_ARG_NONE, OPT_JSON },
		{ "no-sample", 'n', MV_ARG_NONE, OPT_NO_SAMPLE },
		{ "interval", 'i', MV_ARG_REQUIRED, OPT_INTERVAL },
		{ "parent", 'p', MV_ARG_REQUIRED, OPT_PARENT },
		{ NULL, 0, MV_ARG_NONE, 0 },
	};
	static const struct mv_show_ops ops = {
		.opts = opts,
		.with_vgpus = true,
		.prepare = mv_list_prepare,
		.show = mv_list_one,
	};

	return mv_show_command(argc, argv, &ops);
}

/* types ----------------------------------------------------------------- */

static const char *mv_profile_name(const char *type)
{
	return strncmp(type, "mvgpu-", 6) ? type : type + 6;
}

static void mv_types_text(const struct mv_pgpu *p)
{
	char size[32], eng[32], id[16];
	size_t i;

	printf("%s: %s backend, %s VRAM, %u engines\n", p->name, p->backend,
	       mv_size(size, sizeof(size), p->vram_bytes), p->engines);
	if (!p->nr_types) {
		printf("  no types (not an mdev parent)\n");
		return;
	}
	printf("  %-20s %-12s %8s  %-12s %-7s %9s  %s\n", "TYPE", "KIND", "VRAM",
	       "ENGINES", "PROFILE", "AVAILABLE", "API");
	for (i = 0; i < p->nr_types; i++) {
		const struct mv_type *t = &p->types[i];

		if (!t->parsed) {
			printf("  %-20s %-12s %8s  %-12s %-7s %9u  %s (%s)\n",
			       t->name, "?", "?", "?", "?", t->available,
			       t->device_api, t->description);
			continue;
		}
		snprintf(eng, sizeof(eng), "%u %s", t->engines,
			 t->partitioned ? "dedicated" : "shared");
		snprintf(id, sizeof(id), "0x%04x", t->profile_id);
		printf("  %-20s %-12s %8s  %-12s %-7s %9u  %s\n", t->name,
		       t->partitioned ? "partitioned" : "time-sliced",
		       mv_size(size, sizeof(size), t->vram_bytes), eng, id,
		       t->available, t->device_api);
	}
}

static void mv_types_json(struct mv_json *j, const struct mv_pgpu *p)
{
	size_t i;

	json_obj_begin(j, NULL);
	json_str(j, "name", p->name);
	json_str(j, "backend", p->backend);
	json_u64(j, "vram_bytes", p->vram_bytes);
	json_u64(j, "engines", p->engines);
	json_arr_begin(j, "types");
	for (i = 0; i < p->nr_types; i++) {
		const struct mv_type *t = &p->types[i];

		json_obj_begin(j, NULL);
		json_str(j, "type", t->name);
		json_str(j, "profile", mv_profile_name(t->name));
		json_str(j, "name", t->pretty);
		json_str(j, "description", t->description);
		json_str(j, "device_api", t->device_api);
		if (t->parsed) {
			json_str(j, "kind", t->partitioned ? "partitioned" : "time-sliced");
			json_u64(j, "vram_bytes", t->vram_bytes);
			json_u64(j, "engines", t->engines);
			json_bool(j, "dedicated_engines", t->partitioned);
			mv_json_hex(j, "profile_id", t->profile_id);
		} else {
			json_null(j, "kind");
		}
		json_u64(j, "available_instances", t->available);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

static void mv_types_one(struct mv_json *j, const struct mv_show *s,
			 size_t i)
{
	if (j)
		mv_types_json(j, &s->pgpus[i]);
	else
		mv_types_text(&s->pgpus[i]);
}

int cmd_types(int argc, char **argv)
{
	static const struct mv_opt opts[] = {
		{ "json", 'j', MV_ARG_NONE, OPT_JSON },
		{ "parent", 'p', MV_ARG_REQUIRED, OPT_PARENT },
		{ NULL, 0, MV_ARG_NONE, 0 },
	};
	static const struct mv_show_ops ops = {
		.opts = opts,
		.show = mv_types_one,
	};

	return mv_show_command(argc, argv, &ops);
}

/* stats ----------------------------------------------------------------- */

struct mv_st_vgpu {
	struct mv_vgpu v;
	struct mv_stats s;
};

struct mv_frame {
	struct mv_pgpu *pgpus;
	size_t nr_pgpus;
	struct mv_st_vgpu *vgpus;
	size_t nr;
	uint64_t t;
};

static void mv_frame_free(struct mv_frame *f)
{
	mv_free_pgpus(f->pgpus, f->nr_pgpus);
	free(f->vgpus);
	memset(f, 0, sizeof(*f));
}

/* One sample of every vGPU (or of UUID); exit code after a message. */
static int mv_frame_collect(const char *uuid, struct mv_frame *f)
{
	char path[MV_PATH_LEN];
	size_t i, k, total = 0;
	int ret;

	memset(f, 0, sizeof(*f));
	ret = mv_load_or_fail(&f->pgpus, &f->nr_pgpus, true);
	if (ret)
		return ret;
	f->t = mv_now_ns();
	for (i = 0; i < f->nr_pgpus; i++)
		total += f->pgpus[i].nr_vgpus;
	f->vgpus = calloc(uuid ? 1 : total + 1, sizeof(*f->vgpus));
	if (!f->vgpus) {
		mv_frame_free(f);
		mv_err("out of memory");
		return MV_EFAIL;
	}
	if (uuid) {
		ret = mv_load_vgpu(uuid, &f->vgpus[0].v);
		if (!ret)
			ret = mv_read_stats(uuid, &f->vgpus[0].s);
		if (ret) {
			mv_frame_free(f);
			if (ret != -ENOENT && ret != -ENODEV && ret != -EINVAL) {
				mv_path(path, sizeof(path), "bus/mdev/devices/%s/mvgpu_stats",
					uuid);
				return mv_err_errno(ret, "reading the statistics", path);
			}
			return mv_err_no_vgpu(uuid, ret);
		}
		f->nr = 1;
		return MV_OK;
	}
	for (i = 0; i < f->nr_pgpus; i++) {
		for (k = 0; k < f->pgpus[i].nr_vgpus; k++) {
			struct mv_st_vgpu *sv = &f->vgpus[f->nr];

			sv->v = f->pgpus[i].vgpus[k];
			ret = mv_read_stats(sv->v.uuid, &sv->s);
			if (ret == -ENOENT)
				continue;	/* removed meanwhile */
			if (ret) {
				mv_path(path, sizeof(path), "bus/mdev/devices/%s/mvgpu_stats",
					sv->v.uuid);
				mv_frame_free(f);
				return mv_err_errno(ret, "reading the statistics", path);
			}
			f->nr++;
		}
	}
	return MV_OK;
}

static const struct mv_st_vgpu *mv_frame_find(const struct mv_frame *f,
					      const char *uuid)
{
	size_t i;

	for (i = 0; f && i < f->nr; i++)
		if (!strcmp(f->vgpus[i].v.uuid, uuid))
			return &f->vgpus[i];
	return NULL;
}

static const struct mv_pgpu *mv_frame_pgpu(const struct mv_frame *f,
					   const char *name)
{
	int i = mv_find_pgpu(f->pgpus, f->nr_pgpus, name);

	return i < 0 ? NULL : &f->pgpus[i];
}

/* Counters that get a rate per second (the others are times). */
static bool mv_stat_is_count(unsigned int i)
{
	return i != MV_STAT_BUSY_NS && i != MV_STAT_QUEUE_WAIT_NS &&
	       i != MV_STAT_QUEUE_WAIT_MAX_NS;
}

struct mv_rates {
	double per_s[MV_NR_STATS];
	double busy_percent;
	uint64_t wait_avg_ns;
};

static void mv_rates(const struct mv_st_vgpu *cur, const struct mv_st_vgpu *prev,
		     uint64_t interval, struct mv_rates *r)
{
	uint64_t d[MV_NR_STATS];
	unsigned int i;

	for (i = 0; i < MV_NR_STATS; i++) {
		d[i] = mv_delta(cur->s.v[i], prev->s.v[i]);
		r->per_s[i] = interval ? d[i] * 1e9 / interval : 0;
	}
	r->busy_percent = mv_percent(d[MV_STAT_BUSY_NS], interval);
	r->wait_avg_ns = d[MV_STAT_CONTEXT_SWITCHES] ?
			 d[MV_STAT_QUEUE_WAIT_NS] / d[MV_STAT_CONTEXT_SWITCHES] : 0;
}

static void mv_stats_text_once(const struct mv_frame *f)
{
	unsigned int i;
	size_t k;

	if (!f->nr) {
		printf("no vGPUs\n");
		return;
	}
	for (k = 0; k < f->nr; k++) {
		const struct mv_st_vgpu *sv = &f->vgpus[k];

		if (k)
			printf("\n");
		printf("%s  %s/%s\n", sv->v.uuid, sv->v.parent, sv->v.type);
		for (i = 0; i < MV_NR_STATS; i++)
			printf("  %-20s %20llu\n", mv_stat_names[i],
			       (unsigned long long)sv->s.v[i]);
	}
}

static void mv_stats_json_vgpu(struct mv_json *j, const struct mv_st_vgpu *sv,
			       const struct mv_rates *r)
{
	unsigned int i;

	json_obj_begin(j, NULL);
	json_str(j, "uuid", sv->v.uuid);
	json_str(j, "parent", sv->v.parent);
	json_str(j, "type", sv->v.type);
	json_obj_begin(j, "counters");
	for (i = 0; i < MV_NR_STATS; i++)
		json_u64(j, mv_stat_names[i], sv->s.v[i]);
	json_obj_end(j);
	if (r) {
		json_obj_begin(j, "rates");
		json_double(j, "busy_percent", r->busy_percent);
		json_u64(j, "queue_wait_avg_ns", r->wait_avg_ns);
		json_obj_begin(j, "per_second");
		for (i = 0; i < MV_NR_STATS; i++)
			if (mv_stat_is_count(i))
				json_double(j, mv_stat_names[i], r->per_s[i]);
		json_obj_end(j);
		json_obj_end(j);
	}
	json_obj_end(j);
}

static void mv_stats_watch_json(const struct mv_frame *f,
				const struct mv_frame *prev)
{
	uint64_t interval = f->t - prev->t;
	const struct mv_st_vgpu *old;
	const struct mv_pgpu *op;
	struct mv_rates r;
	struct mv_json j;
	unsigned int e;
	size_t i;

	json_init(&j, stdout, false);
	json_obj_begin(&j, NULL);
	json_int(&j, "time", (long long)time(NULL));
	json_double(&j, "interval_s", interval / 1e9);
	json_arr_begin(&j, "pgpus");
	for (i = 0; i < f->nr_pgpus; i++) {
		const struct mv_pgpu *p = &f->pgpus[i];

		op = mv_frame_pgpu(prev, p->name);
		json_obj_begin(&j, NULL);
		json_str(&j, "name", p->name);
		json_u64(&j, "vram_free_bytes", p->vram_free_bytes);
		json_arr_begin(&j, "engine_busy_percent");
		for (e = 0; op && e < p->nr_busy && e < op->nr_busy; e++)
			json_double(&j, NULL,
				    mv_percent(mv_delta(p->busy_ns[e], op->busy_ns[e]), interval));
		json_arr_end(&j);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_arr_begin(&j, "vgpus");
	for (i = 0; i < f->nr; i++) {
		old = mv_frame_find(prev, f->vgpus[i].v.uuid);
		if (old)
			mv_rates(&f->vgpus[i], old, interval, &r);
		mv_stats_json_vgpu(&j, &f->vgpus[i], old ? &r : NULL);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_finish(&j);
}

/* The rates shown by 'stats --watch', after BUSY%. */
static const enum mv_stat mv_rate_columns[] = {
	MV_STAT_SUBMISSIONS, MV_STAT_COMPLETIONS, MV_STAT_FENCES, MV_STAT_IRQS,
	MV_STAT_CONTEXT_SWITCHES, MV_STAT_PREEMPTIONS,
};

static void mv_stats_watch_text(const struct mv_frame *f,
				const struct mv_frame *prev, double secs,
				bool tty)
{
	uint64_t interval = f->t - prev->t;
	char a[32], b[32], tbuf[32];
	const struct mv_st_vgpu *old;
	const struct mv_pgpu *op;
	struct mv_rates r;
	time_t now = time(NULL);
	unsigned int e;
	size_t i;

	strftime(tbuf, sizeof(tbuf), "%H:%M:%S", localtime(&now));
	if (tty)
		printf("\033[H\033[2J");
	printf("%s stats - every %.1f s - %s%s\n", mv_prog, secs, tbuf,
	       tty ? " - Ctrl-C quits" : "");
	for (i = 0; i < f->nr_pgpus; i++) {
		const struct mv_pgpu *p = &f->pgpus[i];

		op = mv_frame_pgpu(prev, p->name);
		printf("%s: busy", p->name);
		for (e = 0; op && e < p->nr_busy && e < op->nr_busy; e++)
			printf(" e%u %.1f%%", e,
			       mv_percent(mv_delta(p->busy_ns[e], op->busy_ns[e]), interval));
		printf("  vram %s/%s  vgpus %zu\n",
		       mv_size(a, sizeof(a), p->vram_bytes - p->vram_free_bytes),
		       mv_size(b, sizeof(b), p->vram_bytes), p->nr_vgpus);
	}
	printf("\n%-36s  %-18s %6s %9s %9s %9s %9s %9s %9s %8s %8s %6s %6s\n",
	       "UUID", "TYPE", "BUSY%", "SUBMIT/s", "DONE/s", "FENCE/s",
	       "IRQ/s", "CTXSW/s", "PREEMPT/s", "WAIT_AVG", "WAIT_MAX",
	       "ERRORS", "RESETS");
	for (i = 0; i < f->nr; i++) {
		const struct mv_st_vgpu *sv = &f->vgpus[i];
		const uint64_t *v = sv->s.v;

		old = mv_frame_find(prev, sv->v.uuid);
		if (old)
			mv_rates(sv, old, interval, &r);
		printf("%-36s  %-18s", sv->v.uuid, sv->v.type);
		if (old)
			printf(" %6.1f", r.busy_percent);
		else
			printf(" %6s", "-");
		for (e = 0; e < ARRAY_SIZE(mv_rate_columns); e++) {
			if (old)
				printf(" %9.1f", r.per_s[mv_rate_columns[e]]);
			else
				printf(" %9s", "-");
		}
		printf(" %8s %8s %6llu %6llu\n",
		       old ? mv_ns(a, sizeof(a), r.wait_avg_ns) : "-",
		       mv_ns(b, sizeof(b), v[MV_STAT_QUEUE_WAIT_MAX_NS]),
		       (unsigned long long)v[MV_STAT_ERRORS],
		       (unsigned long long)v[MV_STAT_RESETS]);
	}
	if (!f->nr)
		printf("no vGPUs\n");
	if (!tty)
		printf("\n");
}

int cmd_stats(int argc, char **argv)
{
	static const struct mv_opt opts[] = {
		{ "json", 'j', MV_ARG_NONE, OPT_JSON },
		{ "watch", 'W', MV_ARG_OPTIONAL_NUM, OPT_WATCH },
		{ "count", 'n', MV_ARG_REQUIRED, OPT_COUNT },
		{ NULL, 0, MV_ARG_NONE, 0 },
	};
	struct mv_frame cur, prev;
	struct mv_read_args a;
	struct mv_json j;
	unsigned int n;
	bool tty;
	int ret;
	size_t i;

	ret = mv_read_args(argc, argv, opts, true, &a);
	if (ret || a.help)
		return ret;
	if (a.count && !a.watch)
		return mv_usage_error(argv[0], "--count needs --watch");

	ret = mv_frame_collect(a.uuid, &cur);
	if (ret)
		return ret;
	if (!a.watch) {
		if (a.json) {
			json_doc_begin(&j, "vgpus");
			for (i = 0; i < cur.nr; i++)
				mv_stats_json_vgpu(&j, &cur.vgpus[i], NULL);
			json_doc_end(&j);
		} else {
			mv_stats_text_once(&cur);
		}
		mv_frame_free(&cur);
		return MV_OK;
	}

	tty = !a.json && isatty(STDOUT_FILENO);
	for (n = 0; !a.count || n < a.count; n++) {
		prev = cur;
		mv_sleep_ns((uint64_t)(a.secs * 1e9));
		ret = mv_frame_collect(a.uuid, &cur);
		if (ret) {
			mv_frame_free(&prev);
			return ret;
		}
		if (a.json)
			mv_stats_watch_json(&cur, &prev);
		else
			mv_stats_watch_text(&cur, &prev, a.secs, tty);
		mv_frame_free(&prev);
		if (fflush(stdout) || ferror(stdout))
			break;	/* reported by mv_finish_output() */
	}
	mv_frame_free(&cur);
	return MV_OK;
}
