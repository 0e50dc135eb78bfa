/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvgpuctl - administer mvgpu pGPUs and vGPUs.
 *
 * sysfs.c   the sysfs tree mvgpu exposes (root configurable for tests)
 * pci.c     PCI names and topology, with libpci or a built-in fallback
 * output.c  messages, exit codes, sizes, and the JSON writer
 * cmds.c    the read commands: list, types, stats
 * vgpu.c    the commands that act on one vGPU
 * main.c    argument parsing, help and dispatch
 */
#ifndef _MVGPUCTL_H
#define _MVGPUCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* mvgpu's version (scripts/version.sh), passed in by the Makefile */
#ifndef MVGPUCTL_VERSION
#define MVGPUCTL_VERSION	"unknown"
#endif

/* The kernel's helpers that userspace lacks. */
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define mv_attribute(x)		__attribute__(x)
#define __printf(a, b)		mv_attribute((format(printf, a, b)))
#define __noreturn		mv_attribute((noreturn))
#define __maybe_unused		mv_attribute((unused))

/* Exit codes, documented in mvgpuctl.8 (EXIT STATUS). */
enum mv_exit {
	MV_OK = 0,
	MV_EFAIL = 1,		/* anything else: I/O errors, kernel errors */
	MV_EUSAGE = 2,		/* bad command line */
	MV_ENOMODULE = 3,	/* mvgpu not loaded, or no pGPU */
	MV_ENOTFOUND = 4,	/* no such vGPU, type or pGPU */
	MV_ENOSPACE = 5,	/* no instances of the type left */
	MV_EPERM = 6,		/* permission denied: not root */
	MV_EINVAL = 7,		/* invalid value */
	MV_EEXIST = 8,		/* UUID already in use */
};

/* Limits of the scheduling controls, as drivers/mvgpu/sysfs.c checks them. */
#define MV_WEIGHT_MIN		1
#define MV_WEIGHT_MAX		10000
#define MV_CAP_MIN		0
#define MV_CAP_MAX		100
#define MV_TIMESLICE_MIN_US	100
#define MV_TIMESLICE_MAX_US	100000

/* What a guest sees of a vGPU (include/uapi/linux/mvgpu.h). */
#define MV_PCI_VENDOR_ID	0x1234
#define MV_PCI_DEVICE_ID	0x4d56
#define MV_PCI_CLASS		0x0302	/* base class and subclass */
#define MV_PCI_REVISION		0x01

#define MV_MAX_ENGINES		64
#define MV_UUID_LEN		37	/* 36 characters and NUL */
#define MV_NAME_LEN		64
#define MV_PATH_LEN		4096

struct mv_type {
	char name[MV_NAME_LEN];		/* "mvgpu-ts-64m" */
	char pretty[128];		/* the type's "name" file */
	char description[256];
	char device_api[32];
	bool partitioned;
	bool parsed;			/* description understood */
	uint64_t vram_bytes;
	unsigned int engines;		/* shared: all of the pGPU's */
	unsigned int profile_id;
	unsigned int available;
};

struct mv_vgpu {
	char uuid[MV_UUID_LEN];
	char parent[MV_NAME_LEN];	/* "mvgpu0" */
	char type[MV_NAME_LEN];		/* "mvgpu-ts-64m" */
	char profile[MV_NAME_LEN];	/* "ts-64m" */
	uint64_t vram_bytes;
	uint64_t engine_mask;
	unsigned int weight;
	unsigned int cap;
	unsigned int timeslice_us;
	int iommu_group;		/* -1 if there is none */
	bool has_profile_id;
	unsigned int profile_id;
	char migration[MV_NAME_LEN];	/* "running", "stop_copy"; "" if unknown */
	char display[128];		/* mvgpu/display; "" without one */
};

struct mv_pci_info {
	bool present;
	char slot[32];			/* "0000:01:00.0" */
	char path[MV_PATH_LEN];		/* "pci0000:00/0000:00:01.0/..." */
	unsigned int vendor_id;
	unsigned int device_id;
	unsigned int class_id;		/* base class and subclass */
	int numa_node;			/* -1 if unknown */
	char vendor[128];		/* names; "" if unknown */
	char device[128];
	char class_name[128];
};

struct mv_pgpu {
	char name[MV_NAME_LEN];		/* "mvgpu0" */
	char backend[MV_NAME_LEN];
	char model[128];		/* the backend's GPU name, or "" */
	char pci_address[32];		/* the GPU's, when not the parent */
	int online;			/* 0: engines gone; -1: no attribute */
	uint64_t vram_bytes;
	uint64_t vram_free_bytes;
	unsigned int engines;
	unsigned int engines_shared;
	unsigned int nr_vgpus_attr;	/* the "vgpus" attribute */
	unsigned int nr_busy;
	uint64_t busy_ns[MV_MAX_ENGINES];
	struct mv_pci_info pci;
	struct mv_type *types;
	size_t nr_types;
	struct mv_vgpu *vgpus;
	size_t nr_vgpus;
};

/* The counter files of mvgpu_stats/, in this order. */
enum mv_stat {
	MV_STAT_SUBMISSIONS,
	MV_STAT_COMPLETIONS,
	MV_STAT_FENCES,
	MV_STAT_BUSY_NS,
	MV_STAT_CONTEXT_SWITCHES,
	MV_STAT_PREEMPTIONS,
	MV_STAT_QUEUE_WAIT_NS,
	MV_STAT_QUEUE_WAIT_MAX_NS,
	MV_STAT_DOORBELLS,
	MV_STAT_IRQS,
	MV_STAT_ERRORS,
	MV_STAT_RESETS,
	MV_NR_STATS
};

extern const char *const mv_stat_names[MV_NR_STATS];

struct mv_stats {
	uint64_t v[MV_NR_STATS];
};

/* Copy string SRC into DST of LEN bytes, truncating; always terminated. */
static inline void mv_strscpy(char *dst, const char *src, size_t len)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* sysfs.c */
const char *mv_root(void);
int mv_path(char *buf, size_t len, const char *fmt, ...)
	__printf(3, 4);
int mv_read_str(const char *path, char *buf, size_t len);
int mv_read_u64(const char *path, uint64_t *val);
int mv_write_str(const char *path, const char *val);
bool mv_exists(const char *path);
int mv_check_loaded(void);
int mv_load_pgpus(struct mv_pgpu **pgpus, size_t *nr, bool with_vgpus);
void mv_free_pgpus(struct mv_pgpu *pgpus, size_t nr);
int mv_read_busy(const char *pgpu, uint64_t *busy, unsigned int *nr);
int mv_parse_description(struct mv_type *t);
int mv_load_vgpu(const char *uuid, struct mv_vgpu *v);
int mv_read_stats(const char *uuid, struct mv_stats *s);
bool mv_uuid_valid(const char *uuid);
int mv_uuid_generate(char uuid[MV_UUID_LEN]);

/* pci.c */
void mv_pci_describe_parent(const char *pgpu, struct mv_pci_info *info);
const char *mv_pci_class_name(unsigned int class_id, char *buf, size_t len);
const char *mv_pci_backend(void);
void mv_pci_cleanup(void);

/* output.c */
extern const char *mv_prog;
void mv_err(const char *fmt, ...) __printf(1, 2);
void mv_hint(const char *fmt, ...) __printf(1, 2);
int mv_err_module(void);
int mv_err_errno(int err, const char *what, const char *path);
int mv_err_no_vgpu(const char *uuid, int err);
const char *mv_size(char *buf, size_t len, uint64_t bytes);
const char *mv_engine_list(char *buf, size_t len, uint64_t mask);
int mv_finish_output(void);

struct mv_json {
	FILE *f;
	bool pretty;
	int depth;
	bool first[32];
};

void json_init(struct mv_json *j, FILE *f, bool pretty);
void json_obj_begin(struct mv_json *j, const char *key);
void json_obj_end(struct mv_json *j);
void json_arr_begin(struct mv_json *j, const char *key);
void json_arr_end(struct mv_json *j);
void json_str(struct mv_json *j, const char *key, const char *val);
void json_u64(struct mv_json *j, const char *key, uint64_t val);
void json_int(struct mv_json *j, const char *key, long long val);
void json_double(struct mv_json *j, const char *key, double val);
void json_bool(struct mv_json *j, const char *key, bool val);
void json_null(struct mv_json *j, const char *key);
void json_finish(struct mv_json *j);
void json_doc_begin(struct mv_json *j, const char *key);
void json_doc_end(struct mv_json *j);

/* Command-line parsing (main.c), shared by the commands. */
enum mv_arg { MV_ARG_NONE, MV_ARG_REQUIRED, MV_ARG_OPTIONAL_NUM };

struct mv_opt {
	const char *name;	/* long name without "--" */
	char short_name;	/* 0 if none */
	enum mv_arg arg;
	int id;
};

struct mv_parser {
	const char *cmd;
	int argc;
	char **argv;
	int i;
	bool no_more_opts;
	const struct mv_opt *opts;
	const char **arg;	/* the positional argument; NULL: none */
	char short_buf[3];
};

#define MV_OPT_END	-1	/* no more arguments */
#define MV_OPT_ERROR	-2	/* message printed: exit MV_EUSAGE */
#define MV_OPT_HELP	-4	/* --help or -h */

void mv_parser_init(struct mv_parser *p, const char *cmd, int argc,
		    char **argv, const struct mv_opt *opts, const char **arg);
int mv_parser_next(struct mv_parser *p, const char **val);
int mv_parser_exit(const struct mv_parser *p, int opt);
int mv_usage_error(const char *cmd, const char *fmt, ...)
	__printf(2, 3);
int mv_help(const char *cmd);
int mv_parse_uint(const char *cmd, const char *opt, const char *s,
		  unsigned int min, unsigned int max, unsigned int *val);

/* cmds.c: helpers shared by the commands. */
int mv_load_or_fail(struct mv_pgpu **pgpus, size_t *nr, bool with_vgpus);
int mv_find_pgpu(const struct mv_pgpu *pgpus, size_t nr, const char *name);
int mv_err_no_pgpu(const struct mv_pgpu *pgpus, size_t nr, const char *name);
int mv_load_parent(struct mv_pgpu **pgpus, size_t *nr, bool with_vgpus,
		   const char *parent, size_t *first, size_t *last);

/* The commands; argv[0] is the command name. */
int cmd_list(int argc, char **argv);
int cmd_types(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_destroy(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_qemu_args(int argc, char **argv);
int cmd_libvirt_xml(int argc, char **argv);

#endif /* _MVGPUCTL_H */
