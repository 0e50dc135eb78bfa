// SPDX-License-Identifier: GPL-2.0
/*
 * mvgpuctl: error messages and exit codes, human-readable sizes, and a
 * small JSON writer.
 *
 * Every error is one "mvgpuctl: error: ..." line telling what went wrong,
 * usually followed by a "mvgpuctl: hint: ..." line telling what to do.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "mvgpuctl.h"

const char *mv_prog = "mvgpuctl";

void mv_err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: error: ", mv_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void mv_hint(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: hint: ", mv_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int mv_err_module(void)
{
	mv_err("the mvgpu module is not loaded (%s/class/mvgpu does not exist)",
	       mv_root());
	mv_hint("load it with a pGPU backend, e.g. 'modprobe mvgpu_sim' (as root)");
	return MV_ENOMODULE;
}

/*
 * A failed sysfs access: WHAT is what we were doing ("writing weight"),
 * PATH the file.  Return: the exit code for ERR (a negative errno).
 */
int mv_err_errno(int err, const char *what, const char *path)
{
	switch (-err) {
	case EACCES:
	case EPERM:
	case EROFS:
		mv_err("%s: permission denied (%s)", what, path);
		mv_hint("changing vGPUs needs root: run 'sudo %s ...'", mv_prog);
		return MV_EPERM;
	case ENOENT:
		mv_err("%s: %s does not exist", what, path);
		return MV_ENOTFOUND;
	default:
		mv_err("%s: %s (%s)", what, strerror(-err), path);
		return MV_EFAIL;
	}
}

int mv_err_no_vgpu(const char *uuid, int err)
{
	char path[MV_PATH_LEN];

	switch (-err) {
	case ENOENT:
		mv_err("no such vGPU: %s", uuid);
		mv_hint("'%s list' shows the vGPUs", mv_prog);
		mv_hint("one defined with mdevctl must be started first: 'mdevctl start -u %s'",
			uuid);
		return MV_ENOTFOUND;
	case ENODEV:
		mv_err("%s is a mediated device, but not an mvgpu vGPU", uuid);
		mv_hint("'%s list' shows the vGPUs; 'mdevctl list' shows all mediated devices",
			mv_prog);
		return MV_ENOTFOUND;
	case EINVAL:
		mv_err("invalid UUID '%s'", uuid);
		mv_hint("a UUID is 32 hex digits, grouped 8-4-4-4-12: %s",
			"4d564750-0000-4000-8000-000000000001");
		return MV_EINVAL;
	default:
		mv_path(path, sizeof(path), "bus/mdev/devices/%s", uuid);
		return mv_err_errno(err, "reading the vGPU", path);
	}
}

const char *mv_size(char *buf, size_t len, uint64_t bytes)
{
	const uint64_t mib = 1ULL << 20, gib = 1ULL << 30;

	if (bytes && !(bytes % gib))
		snprintf(buf, len, "%llu GiB", (unsigned long long)(bytes / gib));
	else if (!(bytes % mib))
		snprintf(buf, len, "%llu MiB", (unsigned long long)(bytes / mib));
	else if (bytes >= mib)
		snprintf(buf, len, "%.1f MiB", (double)bytes / mib);
	else
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
	return buf;
}

/* "1,2" for engines 1 and 2; "shared" for none of its own. */
const char *mv_engine_list(char *buf, size_t len, uint64_t mask)
{
	size_t n = 0;
	unsigned int i;

	if (!mask) {
		snprintf(buf, len, "shared");
		return buf;
	}
	buf[0] = '\0';
	for (i = 0; i < 64 && n < len; i++)
		if (mask & (1ULL << i))
			n += snprintf(buf + n, len - n, "%s%u", n ? "," : "", i);
	return buf;
}

/* Flush stdout and tell whether everything written reached it. */
int mv_finish_output(void)
{
	int err = 0;

	if (fflush(stdout))
		err = errno;
	if (ferror(stdout) || err) {
		fprintf(stderr, "%s: error: writing to standard output: %s\n",
			mv_prog, strerror(err ? err : EIO));
		return MV_EFAIL;
	}
	return MV_OK;
}

/* JSON ------------------------------------------------------------------ */

void json_init(struct mv_json *j, FILE *f, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->pretty = pretty;
	j->first[0] = true;
}

static void json_string(struct mv_json *j, const char *s)
{
	const unsigned char *p;

	fputc('"', j->f);
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", j->f);
			break;
		case '\\':
			fputs("\\\\", j->f);
			break;
		case '\n':
			fputs("\\n", j->f);
			break;
		case '\t':
			fputs("\\t", j->f);
			break;
		default:
			if (*p < 0x20)
				fprintf(j->f, "\\u%04x", *p);
			else
				fputc(*p, j->f);
		}
	}
	fputc('"', j->f);
}

static void json_newline(struct mv_json *j)
{
	int i;

	if (!j->pretty)
		return;
	fputc('\n', j->f);
	for (i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Separator, indentation and key before a value. */
static void json_key(struct mv_json *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
	if (j->depth)
		json_newline(j);
	if (key) {
		json_string(j, key);
		fputs(j->pretty ? ": " : ":", j->f);
	}
}

static void json_open(struct mv_json *j, const char *key, char c)
{
	json_key(j, key);
	fputc(c, j->f);
	if (j->depth < (int)ARRAY_SIZE(j->first) - 1)
		j->depth++;
	j->first[j->depth] = true;
}

static void json_close(struct mv_json *j, char c)
{
	bool empty = j->first[j->depth];

	if (j->depth)
		j->depth--;
	if (!empty)
		json_newline(j);
	fputc(c, j->f);
}

void json_obj_begin(struct mv_json *j, const char *key)
{
	json_open(j, key, '{');
}

void json_obj_end(struct mv_json *j)
{
	json_close(j, '}');
}

void json_arr_begin(struct mv_json *j, const char *key)
{
	json_open(j, key, '[');
}

void json_arr_end(struct mv_json *j)
{
	json_close(j, ']');
}

void json_str(struct mv_json *j, const char *key, const char *val)
{
	json_key(j, key);
	if (val)
		json_string(j, val);
	else
		fputs("null", j->f);
}

void json_u64(struct mv_json *j, const char *key, uint64_t val)
{
	json_key(j, key);
	fprintf(j->f, "%llu", (unsigned long long)val);
}

void json_int(struct mv_json *j, const char *key, long long val)
{
	json_key(j, key);
	fprintf(j->f, "%lld", val);
}

void json_double(struct mv_json *j, const char *key, double val)
{
	json_key(j, key);
	if (isfinite(val))
		fprintf(j->f, "%.2f", val);
	else
		fputs("null", j->f);
}

void json_bool(struct mv_json *j, const char *key, bool val)
{
	json_key(j, key);
	fputs(val ? "true" : "false", j->f);
}

void json_null(struct mv_json *j, const char *key)
{
	json_key(j, key);
	fputs("null", j->f);
}

/* End of one JSON document: a newline. */
void json_finish(struct mv_json *j)
{
	fputc('\n', j->f);
	j->depth = 0;
	j->first[0] = true;
}

/*
 * Begin a pretty-printed document on stdout that is one object with one
 * array, KEY: the values written next are the array's.
 */
void json_doc_begin(struct mv_json *j, const char *key)
{
	json_init(j, stdout, true);
	json_obj_begin(j, NULL);
	json_arr_begin(j, key);
}

/* End a document that json_doc_begin() began. */
void json_doc_end(struct mv_json *j)
{
	json_arr_end(j);
	json_obj_end(j);
	json_finish(j);
}
