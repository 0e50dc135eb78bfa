// SPDX-License-Identifier: GPL-2.0
/*
 * mvgpu-bench: the same workloads on the three paths to an mvgpu engine.
 *
 *   H  the host path, /dev/mvgpu-host<N> (no mediation)
 *   G  a guest's /dev/mvgpu<N> (mvgpu_guest.ko on a vGPU: the full stack)
 *   V  a VFIO client on a vGPU (--vfio UUID): the mediation cost alone
 *
 * H and G use the one device-file uAPI of include/uapi/linux/mvgpu.h, so
 * this binary runs unchanged on both sides.
 *
 * Workloads: gemm (long kernels), gemm_f32 (the same GEMM in float32, on
 * devices with MVGPU_FEAT_GEMM_F32), copy (VRAM bandwidth), small (many
 * small submissions: submission-bound), latency (submit-to-completion,
 * p50/p99).
 * Output: a table, and with --json one JSON object per workload.  With
 * --compare DEV2 (or --compare-vfio UUID) two paths run interleaved,
 * REPS times each, and the table shows both medians, spreads and the ratio.
 *
 * --serve runs one repetition of every workload each time a line "rep"
 * arrives on standard input, prints it as with --reps 1 --json followed by
 * "### REP-DONE", and stops at "quit" or end of input.  A driver on the
 * other side of a console (tests/bench/hvg_bench.sh) interleaves these
 * repetitions in a guest with its own on the host.
 *
 * --saturate SECONDS keeps the engine busy that long (128x128x128 GEMMs,
 * two batches in flight, so that the queue never runs dry while the
 * program waits) and prints the commands it completed; a served line
 * "saturate SECONDS" does the same between "### SAT-START" and
 * "### SAT-DONE".  hvg_bench.sh runs tenants side by side this way and
 * reads their engine shares from sysfs.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/mvgpu.h>

#include "mvgpu_test.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#define MAX_REPS	32
#define LAT_SAMPLES	200
#define SAT_BATCH	32	/* GEMMs per fence in --saturate */

struct path {
	const char *name;
	/* device file */
	int fd;
	/* VFIO client */
	struct mvgpu_ctx ctx;
	int efd;		/* MSI eventfd of the VFIO client */
	bool vfio;
	char uuid[MVGPU_UUID_LEN];
	uint8_t *vram;
	uint64_t vram_size;
	uint64_t doorbells;
	uint32_t features;	/* MVGPU_FEAT_* */
};

static int path_open_dev(struct path *p, const char *dev)
{
	struct mvgpu_ioc_info info;

	p->name = dev;
	p->fd = open(dev, O_RDWR | O_CLOEXEC);
	if (p->fd < 0)
		return -errno;
	if (ioctl(p->fd, MVGPU_IOC_INFO, &info))
		return -errno;
	p->vram_size = info.vram_size;
	p->features = info.features;
	p->vram = mmap(NULL, info.vram_size, PROT_READ | PROT_WRITE,
		       MAP_SHARED, p->fd, 0);
	return p->vram == MAP_FAILED ? -errno : 0;
}

static int path_open_vfio(struct path *p, const char *uuid)
{
	int ret;

	p->name = "vfio";
	p->vfio = true;
	snprintf(p->uuid, sizeof(p->uuid), "%s", uuid);
	ret = mvgpu_ctx_open(uuid, &p->ctx);
	if (ret)
		return ret;
	/* Fence interrupts through MSI, as a guest driver would use them. */
	p->efd = eventfd_new();
	if (p->efd < 0)
		return -errno;
	ret = vfio_set_irq_eventfd(p->ctx.vd.device, VFIO_PCI_MSI_IRQ_INDEX,
				   p->efd);
	ret = ret ?: vfio_mmio_write32(p->ctx.vd.device, MVGPU_REG_IRQ_MASK,
				       MVGPU_IRQ_FENCE);
	if (ret)
		return ret;
	ret = vfio_mmio_read32(p->ctx.vd.device, MVGPU_REG_FEATURES,
			       &p->features);
	if (ret)
		return ret;
	p->vram = p->ctx.vram;
	/* Keep clear of the ring and QSA the client put at the top. */
	p->vram_size = p->ctx.ring;
	return 0;
}

/* Submit @n commands followed by a fence; return the fence or 0. */
static uint64_t path_submit(struct path *p, const struct mvgpu_cmd *cmds,
			    unsigned int n)
{
	struct mvgpu_ioc_submit s = {
		.cmds = (uintptr_t)cmds, .count = n, .queue = 0,
	};

	if (p->vfio) {
		if (mvgpu_ctx_submit(&p->ctx, cmds, n))
			return 0;
		return mvgpu_ctx_fence(&p->ctx, MVGPU_CMD_F_IRQ);
	}
	return ioctl(p->fd, MVGPU_IOC_SUBMIT, &s) ? 0 : s.fence;
}

static bool vfio_done(struct path *p, uint64_t fence)
{
	struct mvgpu_qsa *qsa = mvgpu_ctx_qsa(&p->ctx);

	return (int64_t)(__atomic_load_n(&qsa->fence, __ATOMIC_ACQUIRE) -
			 fence) >= 0;
}

/*
 * The VFIO client waits the way mvgpu_guest does: poll 20 us, then ask
 * for the fence interrupt (qsa.irq_wanted), look once more, and sleep on
 * the MSI eventfd; acknowledge with a write to IRQ_STATUS.
 */
static int vfio_wait(struct path *p, uint64_t fence)
{
	struct mvgpu_qsa *qsa = mvgpu_ctx_qsa(&p->ctx);
	uint64_t start = mvgpu_now_ns();
	int ret = 0;

	while (mvgpu_now_ns() - start < 20000)
		if (vfio_done(p, fence))
			return 0;
	__atomic_store_n(&qsa->irq_wanted, 1, __ATOMIC_SEQ_CST);
	while (!vfio_done(p, fence)) {
		if (mvgpu_ctx_error(&p->ctx, NULL)) {
			ret = -EIO;
			break;
		}
		if (eventfd_wait(p->efd, 100))
			vfio_mmio_write32(p->ctx.vd.device, MVGPU_REG_IRQ_STATUS,
					  MVGPU_IRQ_FENCE);
		if (mvgpu_now_ns() - start > 60000000000ull) {
			ret = -ETIMEDOUT;
			break;
		}
	}
	__atomic_store_n(&qsa->irq_wanted, 0, __ATOMIC_RELAXED);
	return ret;
}

static int path_wait(struct path *p, uint64_t fence)
{
	struct mvgpu_ioc_wait w = { .fence = fence, .timeout_ms = 60000 };

	if (p->vfio)
		return vfio_wait(p, fence);
	return ioctl(p->fd, MVGPU_IOC_WAIT, &w) ? -errno : 0;
}

static int run1(struct path *p, struct mvgpu_cmd cmd, uint64_t *ns)
{
	uint64_t t = mvgpu_now_ns(), f = path_submit(p, &cmd, 1);

	if (!f || path_wait(p, f))
		return -EIO;
	*ns = mvgpu_now_ns() - t;
	return 0;
}

#define GEMM_N	128

/* C (at 2 MiB) = A (at 0) x B (at 1 MiB), GEMM_N cubed. */
static struct mvgpu_cmd gemm_cmd(void)
{
	return (struct mvgpu_cmd){
		.opcode = MVGPU_OP_GEMM_I32,
		.args = { 2u << 20, 0, 1u << 20, GEMM_N, GEMM_N, GEMM_N },
	};
}

/*
 * GEMM_F32 works on its own matrices, which seed_vram() fills with small
 * binary32 values (no NaN, infinity or denormal, which would measure the
 * CPU's slow paths instead): A at 3 MiB, B 64 KiB later, C at 3.5 MiB.
 */
#define F32_A		(3u << 20)
#define F32_B		(F32_A + GEMM_N * GEMM_N * 4)
#define F32_C		(F32_A + (512u << 10))

/* Workloads return their figure of merit (higher is better) in *val. */

static int wl_gemm(struct path *p, double *val)
{
	uint64_t ns;

	if (run1(p, gemm_cmd(), &ns))
		return -EIO;
	*val = (double)GEMM_N * GEMM_N * GEMM_N / ns;	/* GMAC/s */
	return 0;
}

static int wl_gemm_f32(struct path *p, double *val)
{
	struct mvgpu_cmd c = {
		.opcode = MVGPU_OP_GEMM_F32,
		.args = { F32_C, F32_A, F32_B, GEMM_N, GEMM_N, GEMM_N },
	};
	uint64_t ns;

	if (run1(p, c, &ns))
		return -EIO;
	*val = (double)GEMM_N * GEMM_N * GEMM_N / ns;	/* GMAC/s */
	return 0;
}

static int wl_copy(struct path *p, double *val)
{
	const uint64_t len = 8u << 20;
	struct mvgpu_cmd c = {
		.opcode = MVGPU_OP_COPY, .args = { 8u << 20, 0, len },
	};
	uint64_t ns;

	if (run1(p, c, &ns))
		return -EIO;
	*val = (double)len / ns;		/* GB/s */
	return 0;
}

static int wl_small(struct path *p, double *val)
{
	const unsigned int subs = 500;
	struct mvgpu_cmd c = {
		.opcode = MVGPU_OP_FILL, .args = { 0, 4096, 1 },
	};
	uint64_t t = mvgpu_now_ns(), f = 0;
	unsigned int i;

	for (i = 0; i < subs; i++) {
		c.args[0] = (i % 256) * 4096;
		f = path_submit(p, &c, 1);
		if (!f)
			return -EIO;
	}
	if (path_wait(p, f))
		return -EIO;
	*val = subs / ((mvgpu_now_ns() - t) / 1e9);	/* submissions/s */
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t lat_p99;

static int wl_latency(struct path *p, double *val)
{
	struct mvgpu_cmd nop = { .opcode = MVGPU_OP_NOP };
	uint64_t s[LAT_SAMPLES];
	unsigned int i;

	for (i = 0; i < LAT_SAMPLES; i++)
		if (run1(p, nop, &s[i]))
			return -EIO;
	qsort(s, LAT_SAMPLES, sizeof(s[0]), cmp_u64);
	lat_p99 = s[LAT_SAMPLES * 99 / 100];
	*val = s[LAT_SAMPLES / 2] / 1000.0;	/* p50 in us (lower is better) */
	return 0;
}

/* @feature: MVGPU_FEAT_* bits a path needs for the workload. */
static const struct workload {
	const char *name, *unit;
	int (*fn)(struct path *p, double *val);
	bool lower_better;
	uint32_t feature;
} workloads[] = {
	{ "gemm", "GMAC/s", wl_gemm, false, 0 },
	{ "gemm_f32", "GMAC/s", wl_gemm_f32, false, MVGPU_FEAT_GEMM_F32 },
	{ "copy", "GB/s", wl_copy, false, 0 },
	{ "small", "subm/s", wl_small, false, 0 },
	{ "latency", "us p50", wl_latency, true, 0 },
};

/*
 * Whether every path has what @wl needs.  A workload named with
 * --workload that cannot run is an error; otherwise it is skipped.
 */
static bool workload_supported(const struct workload *wl,
			       const struct path *paths, int npaths)
{
	int i;

	for (i = 0; i < npaths; i++)
		if ((paths[i].features & wl->feature) != wl->feature) {
			printf("# %s: skipped: %s lacks feature 0x%x (features 0x%x)\n",
			       wl->name, paths[i].name, wl->feature,
			       paths[i].features);
			return false;
		}
	return true;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct result {
	double v[MAX_REPS];
	double p99[MAX_REPS];
};

static double med(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static void print_usage(FILE *f)
{
	fprintf(f,
		"usage: mvgpu-bench [--dev PATH | --vfio UUID] [--compare PATH | --compare-vfio UUID]\n"
		"                   [--reps N] [--workload NAME] [--json]\n"
		"  --dev PATH         device file (default /dev/mvgpu0, or /dev/mvgpu-host0)\n"
		"  --vfio UUID        a vGPU through VFIO instead\n"
		"  --compare ...      run a second path interleaved with the first\n"
		"  --reps N           repetitions, median and spread reported (default 5)\n"
		"  --workload NAME    gemm, gemm_f32, copy, small or latency (default: all)\n"
		"  --serve            one repetition per \"rep\" line on stdin (implies --json)\n"
		"  --saturate SECS    keep the engine busy with GEMMs for SECS, print the count\n");
}

static int open_path(struct path *p, const char *dev, const char *uuid)
{
	memset(p, 0, sizeof(*p));
	p->fd = -1;
	if (uuid)
		return path_open_vfio(p, uuid);
	if (dev)
		return path_open_dev(p, dev);
	if (!path_open_dev(p, "/dev/mvgpu0"))
		return 0;
	return path_open_dev(p, "/dev/mvgpu-host0");
}

static void seed_vram(struct path *p)
{
	uint32_t *w = (uint32_t *)p->vram;
	unsigned int i;

	for (i = 0; i < (2u << 20) / 4; i++)
		w[i] = i * 2654435761u;
	/* Multiples of 1/512 in [-1, 1): exact in binary32. */
	for (i = 0; i < 2 * GEMM_N * GEMM_N; i++)
		((float *)(p->vram + F32_A))[i] =
			(float)((i * 2654435761u) >> 22) / 512.0f - 1.0f;
}

/*
 * Every workload (or @only) on @npaths paths, interleaved @reps times;
 * prints the table and, with @json, one JSON object per workload.
 * Return: 0, or 1 when a workload failed.
 */
static int run_all(struct path *paths, int npaths, int reps, const char *only,
		   bool json)
{
	int i, r, w;

	printf("%-8s %-8s %12s %22s", "workload", "unit", paths[0].name,
	       "(min..max)");
	if (npaths == 2)
		printf(" %12s %22s %7s", paths[1].name, "(min..max)", "ratio");
	printf("\n");

	for (w = 0; w < (int)ARRAY_SIZE(workloads); w++) {
		const struct workload *wl = &workloads[w];
		struct result res[2];
		double m[2], lo[2], hi[2];

		if (only && strcmp(only, wl->name))
			continue;
		if (!workload_supported(wl, paths, npaths)) {
			if (only)
				return 1;
			continue;
		}
		/* Interleaved: path 0, path 1, path 0, ... */
		for (r = 0; r < reps; r++)
			for (i = 0; i < npaths; i++) {
				if (wl->fn(&paths[i], &res[i].v[r])) {
					fprintf(stderr, "mvgpu-bench: %s failed on %s\n",
						wl->name, paths[i].name);
					return 1;
				}
				res[i].p99[r] = lat_p99 / 1000.0;
			}
		for (i = 0; i < npaths; i++) {
			m[i] = med(res[i].v, reps);
			lo[i] = res[i].v[0];
			hi[i] = res[i].v[reps - 1];
		}
		printf("%-8s %-8s %12.3f %10.3f..%-10.3f", wl->name, wl->unit,
		       m[0], lo[0], hi[0]);
		if (npaths == 2)
			printf(" %12.3f %10.3f..%-10.3f %7.3f", m[1], lo[1],
			       hi[1], m[1] / m[0]);
		printf("\n");
		if (json) {
			printf("{\"workload\":\"%s\",\"unit\":\"%s\",\"reps\":%d,",
			       wl->name, wl->unit, reps);
			printf("\"%s\":{\"median\":%.4f,\"min\":%.4f,\"max\":%.4f",
			       paths[0].name, m[0], lo[0], hi[0]);
			if (!strcmp(wl->name, "latency"))
				printf(",\"p99_us\":%.3f", med(res[0].p99, reps));
			printf("}");
			if (npaths == 2) {
				printf(",\"%s\":{\"median\":%.4f,\"min\":%.4f,\"max\":%.4f",
				       paths[1].name, m[1], lo[1], hi[1]);
				if (!strcmp(wl->name, "latency"))
					printf(",\"p99_us\":%.3f",
					       med(res[1].p99, reps));
				printf("},\"ratio\":%.4f", m[1] / m[0]);
			}
			printf("}\n");
		}
	}
	for (i = 0; i < npaths; i++)
		if (paths[i].vfio)
			printf("# %s: %lu doorbells (traps) rung for all submissions\n",
			       paths[i].name, (unsigned long)paths[i].ctx.doorbells);
	return 0;
}

/*
 * --saturate: GEMM batches for @secs, the next batch submitted before
 * waiting for the previous one; one JSON line with what completed.
 */
static int run_saturate(struct path *p, double secs)
{
	struct mvgpu_cmd cmds[SAT_BATCH];
	uint64_t t0 = mvgpu_now_ns(), prev, next, done = 0;
	unsigned int i;

	for (i = 0; i < SAT_BATCH; i++)
		cmds[i] = gemm_cmd();
	prev = path_submit(p, cmds, SAT_BATCH);
	while (prev && mvgpu_now_ns() - t0 < secs * 1e9) {
		next = path_submit(p, cmds, SAT_BATCH);
		if (!next || path_wait(p, prev))
			return 1;
		done += SAT_BATCH;
		prev = next;
	}
	if (!prev || path_wait(p, prev))
		return 1;
	done += SAT_BATCH;
	printf("{\"workload\":\"saturate\",\"commands\":%llu,\"seconds\":%.3f}\n",
	       (unsigned long long)done, (mvgpu_now_ns() - t0) / 1e9);
	return 0;
}

/*
 * --serve: a repetition per "rep" line on stdin, "saturate SECONDS" runs
 * --saturate; until "quit" or EOF.
 */
static int serve(struct path *p, const char *only)
{
	char line[64];
	double secs;

	printf("### SERVE-READY\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		if (!strncmp(line, "quit", 4))
			break;
		if (sscanf(line, "saturate %lf", &secs) == 1) {
			printf("### SAT-START\n");
			fflush(stdout);
			if (run_saturate(p, secs))
				return 1;
			printf("### SAT-DONE\n");
		} else if (!strncmp(line, "rep", 3)) {
			if (run_all(p, 1, 1, only, true))
				return 1;
			printf("### REP-DONE\n");
		}
		if (fflush(stdout))
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "vfio", required_argument, NULL, 'v' },
		{ "compare", required_argument, NULL, 'c' },
		{ "compare-vfio", required_argument, NULL, 'C' },
		{ "reps", required_argument, NULL, 'r' },
		{ "workload", required_argument, NULL, 'w' },
		{ "json", no_argument, NULL, 'j' },
		{ "serve", no_argument, NULL, 's' },
		{ "saturate", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const char *dev = NULL, *uuid = NULL, *dev2 = NULL, *uuid2 = NULL;
	const char *only = NULL;
	struct path paths[2];
	int reps = 5, npaths, opt, i, ret = 0;
	bool json = false, serving = false;
	double sat_secs = 0;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			dev = optarg;
			break;
		case 'v':
			uuid = optarg;
			break;
		case 'c':
			dev2 = optarg;
			break;
		case 'C':
			uuid2 = optarg;
			break;
		case 'r':
			reps = atoi(optarg);
			break;
		case 'w':
			only = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 's':
			serving = true;
			break;
		case 'S':
			sat_secs = atof(optarg);
			if (sat_secs <= 0) {
				fprintf(stderr, "mvgpu-bench: --saturate needs seconds > 0\n");
				return 2;
			}
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			print_usage(stderr);
			return 2;
		}
	}
	if (reps < 1 || reps > MAX_REPS) {
		fprintf(stderr, "mvgpu-bench: --reps must be 1-%d\n", MAX_REPS);
		return 2;
	}

	npaths = (dev2 || uuid2) ? 2 : 1;
	for (i = 0; i < npaths; i++) {
		ret = i ? open_path(&paths[1], dev2, uuid2) :
			  open_path(&paths[0], dev, uuid);
		if (ret) {
			fprintf(stderr, "mvgpu-bench: cannot open %s: %s\n",
				i ? (dev2 ?: uuid2) : (dev ?: uuid ?: "a device"),
				strerror(-ret));
			return 1;
		}
		seed_vram(&paths[i]);
	}

	if (serving)
		ret = serve(&paths[0], only);
	else if (sat_secs)
		ret = run_saturate(&paths[0], sat_secs);
	else
		ret = run_all(paths, npaths, reps, only, json);
	if (ret)
		return ret;
	if (fflush(stdout) || ferror(stdout))
		return 1;
	return 0;
}
