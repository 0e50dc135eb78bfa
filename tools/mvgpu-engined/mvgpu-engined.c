// SPDX-License-Identifier: GPL-2.0
/*
 * mvgpu-engined: run an mvgpu pGPU's engines on a real GPU through Vulkan.
 *
 * Attaches to /dev/mvgpu-engine (mvgpu_user.ko), which registers a pGPU
 * whose VRAM the kernel owns; maps that VRAM, imports it into the chosen
 * Vulkan device, and runs one thread per engine: fetch a chunk from the
 * kernel, run it as one compute submission, commit the result.  The
 * protocol is include/uapi/linux/mvgpu_engine.h and
 * Documentation/mvgpu-engine-protocol.rst; usage is mvgpu-engined(8).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/mvgpu.h>
#include <linux/mvgpu_engine.h>

#include "vk.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define LOG(...)	fprintf(stderr, "mvgpu-engined: " __VA_ARGS__)

#define DEFAULT_DEV	"/dev/mvgpu-engine"
#define FETCH_TIMEOUT_MS	1000
#define SCRATCH_SIZE		(32u << 20)

struct opts {
	const char *device;	/* index, name or PCI address */
	const char *name;
	const char *node;
	const char *remove;
	unsigned int vram_mb;
	unsigned int engines;
	unsigned int chunk_us;
	bool list;
	bool self_test;
	bool bench;
	bool verbose;
};

static struct vk_gpu gpu;
static int efd = -1;
static atomic_bool stopping;
/* Exit status: 0 for a requested stop, 1 when the device or kernel failed. */
static atomic_int exit_status;
static pthread_t main_thread;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: mvgpu-engined [OPTION]...\n"
		"Run the engines of an mvgpu pGPU on a Vulkan GPU (needs mvgpu_user.ko).\n"
		"\n"
		"  -l, --list             list the Vulkan devices and whether they can serve\n"
		"  -d, --device SEL       the GPU: an index from --list, a PCI address\n"
		"                         (0000:01:00.0) or a part of its name (default 0)\n"
		"  -n, --name NAME        the pGPU's identity; a server started with the name\n"
		"                         of an offline pGPU takes it over (default: the PCI\n"
		"                         address, else vk<index>)\n"
		"  -m, --vram-mb MB       VRAM of the pGPU, a multiple of 16 (default 256)\n"
		"  -e, --engines N        engines, 1-16 (default 4)\n"
		"  -c, --chunk-us US      target GPU time per chunk, the preemption\n"
		"                         granularity (default 1000)\n"
		"      --node PATH        the kernel's device file (default %s)\n"
		"      --remove NAME      unregister the offline pGPU NAME and its vGPUs, exit\n"
		"      --bench            one repetition of make bench-vk's native baseline\n"
		"                         (mvgpu-bench's workloads, without mvgpu), exit\n"
		"      --self-test        run every opcode on the device against the CPU\n"
		"                         (no kernel module needed), exit 0 if all match\n"
		"  -v, --verbose          log every chunk\n"
		"  -h, --help             this text\n"
		"\n"
		"Logs go to stderr.  SIGTERM or SIGINT detach cleanly: the pGPU goes\n"
		"offline and its vGPUs fail with a host error until a server attaches\n"
		"again with the same name.  Exit status: 0 after a requested stop, 1 on\n"
		"an error (device lost, kernel gave up on us), 2 on bad command lines.\n",
		DEFAULT_DEV);
}

static bool parse_uint(const char *s, unsigned int *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || end == s || *end || x > 1u << 30)
		return false;
	*v = x;
	return true;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "list", no_argument, NULL, 'l' },
		{ "device", required_argument, NULL, 'd' },
		{ "name", required_argument, NULL, 'n' },
		{ "vram-mb", required_argument, NULL, 'm' },
		{ "engines", required_argument, NULL, 'e' },
		{ "chunk-us", required_argument, NULL, 'c' },
		{ "node", required_argument, NULL, 'N' },
		{ "remove", required_argument, NULL, 'R' },
		{ "self-test", no_argument, NULL, 'T' },
		{ "bench", no_argument, NULL, 'B' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct opts){ .device = "0", .node = DEFAULT_DEV,
			    .vram_mb = 256, .engines = 4, .chunk_us = 1000 };
	while ((c = getopt_long(argc, argv, "ld:n:m:e:c:vh", lo, NULL)) != -1) {
		switch (c) {
		case 'l':
			o->list = true;
			break;
		case 'd':
			o->device = optarg;
			break;
		case 'n':
			o->name = optarg;
			break;
		case 'N':
			o->node = optarg;
			break;
		case 'R':
			o->remove = optarg;
			break;
		case 'T':
			o->self_test = true;
			break;
		case 'B':
			o->bench = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'm':
			if (!parse_uint(optarg, &o->vram_mb) || !o->vram_mb ||
			    o->vram_mb % 16) {
				LOG("--vram-mb: a multiple of 16, not %s\n", optarg);
				return -1;
			}
			break;
		case 'e':
			if (!parse_uint(optarg, &o->engines) || !o->engines ||
			    o->engines > 16) {
				LOG("--engines: 1-16, not %s\n", optarg);
				return -1;
			}
			break;
		case 'c':
			if (!parse_uint(optarg, &o->chunk_us) || !o->chunk_us) {
				LOG("--chunk-us: a positive number, not %s\n", optarg);
				return -1;
			}
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return -1;
	}
	return 0;
}

static const char *type_str(VkPhysicalDeviceType t)
{
	switch (t) {
	case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return "integrated";
	case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return "discrete";
	case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return "virtual";
	case VK_PHYSICAL_DEVICE_TYPE_CPU: return "cpu";
	default: return "other";
	}
}

static void pci_str(const struct vk_dev_info *d, char *buf, size_t len)
{
	if (d->has_pci)
		snprintf(buf, len, "%04x:%02x:%02x.%x", d->pci_domain,
			 d->pci_bus, d->pci_dev, d->pci_func);
	else
		snprintf(buf, len, "-");
}

static void list(const struct vk_dev_info *d, unsigned int n)
{
	unsigned int i;
	char pci[32];

	printf("%-3s %-12s %-10s %-8s %s\n", "#", "PCI", "TYPE", "SERVES",
	       "NAME");
	for (i = 0; i < n; i++) {
		pci_str(&d[i], pci, sizeof(pci));
		printf("%-3u %-12s %-10s %-8s %s\n", d[i].index, pci,
		       type_str(d[i].type),
		       d[i].has_host_mem && d[i].api >= VK_API_VERSION_1_1 ?
		       "yes" : "no", d[i].name);
	}
}

/* The device @sel names: index, PCI address, or a part of the name. */
static const struct vk_dev_info *pick(const struct vk_dev_info *d,
				      unsigned int n, const char *sel)
{
	unsigned int i, idx;
	char pci[32];

	if (parse_uint(sel, &idx))
		return idx < n ? &d[idx] : NULL;
	for (i = 0; i < n; i++) {
		pci_str(&d[i], pci, sizeof(pci));
		if (!strcasecmp(pci, sel) ||
		    (!strncmp(sel, "0000:", 5) ? 0 : !strcasecmp(pci + 5, sel)))
			return &d[i];
	}
	for (i = 0; i < n; i++)
		if (strcasestr(d[i].name, sel))
			return &d[i];
	return NULL;
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/*
 * Run every pipeline once, small: some drivers (lavapipe among them)
 * compile a shader at its first dispatch, which must not count against
 * the kernel's exec_timeout_ms for a guest's command.
 */
static int warm_up(struct vk_engine *e)
{
	static const uint32_t ops[] = {
		MVGPU_OP_FILL, MVGPU_OP_COPY, MVGPU_OP_GEMM_I32,
		MVGPU_OP_AXPY_I32, MVGPU_OP_REDUCE_I32, 9 /* GEMM_F32 */,
	};
	struct mvgpu_engine_desc d;
	uint64_t res;
	unsigned int i;
	double t0 = now_us();

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		memset(&d, 0, sizeof(d));
		d.opcode = ops[i];
		d.dst = 0;
		d.src = 4096;
		d.src2 = 8192;
		d.len = 64;
		d.m = 4;
		d.n = 4;
		d.k = 4;
		d.end = ops[i] == MVGPU_OP_GEMM_I32 || ops[i] == 9 ? 4 : 64;
		if (vk_run(e, &d, &res) != MVGPU_ENGINE_ST_OK) {
			LOG("opcode %u fails on this device\n", ops[i]);
			return -1;
		}
	}
	LOG("every shader ran once in %.2f s\n", (now_us() - t0) / 1e6);
	return 0;
}

/*
 * Chunk sizes for about @us of GPU time each, measured with the real
 * shaders on @scratch (host memory imported like VRAM): FILL of 4 MiB,
 * AXPY of 1 Mi elements, a 128^3 GEMM; each the median of 3 runs.
 * The kernel clamps what we ask for; we keep every binding of a chunk
 * within maxStorageBufferRange.
 */
static void calibrate(struct vk_engine *e, unsigned int us,
		      struct mvgpu_engine_attach *a)
{
	const uint64_t bytes = 4ull << 20;
	uint64_t range = gpu.props.limits.maxStorageBufferRange;
	struct mvgpu_engine_desc d;
	double t[3], tmp;
	uint64_t res;
	int i, j, kind;

	for (kind = 0; kind < 3; kind++) {
		for (i = 0; i < 3; i++) {
			memset(&d, 0, sizeof(d));
			if (kind == 0) {		/* FILL, bytes */
				d.opcode = MVGPU_OP_FILL;
				d.len = bytes;
				d.end = bytes;
			} else if (kind == 1) {		/* AXPY, elements */
				d.opcode = MVGPU_OP_AXPY_I32;
				d.src = bytes;
				d.len = bytes / 4;
				d.end = bytes / 4;
			} else {			/* GEMM 256^3 */
				d.opcode = MVGPU_OP_GEMM_I32;
				d.src = bytes;
				d.src2 = 2 * bytes;
				d.m = 128;
				d.n = 128;
				d.k = 128;
				d.end = 128;
			}
			t[i] = now_us();
			if (vk_run(e, &d, &res) != MVGPU_ENGINE_ST_OK) {
				LOG("calibration failed: the kernel's default chunk sizes\n");
				a->chunk_bytes = 0;
				a->chunk_elems = 0;
				a->chunk_macs = 0;
				return;
			}
			t[i] = now_us() - t[i];
		}
		for (i = 0; i < 3; i++)
			for (j = i + 1; j < 3; j++)
				if (t[j] < t[i]) {
					tmp = t[i];
					t[i] = t[j];
					t[j] = tmp;
				}
		if (kind == 0)
			a->chunk_bytes = bytes * us / t[1];
		else if (kind == 1)
			a->chunk_elems = bytes / 4 * us / t[1];
		else
			a->chunk_macs = 128.0 * 128 * 128 * us / t[1];
		LOG("calibration: %s: %.0f us\n",
		    kind == 0 ? "FILL 4 MiB" : kind == 1 ? "AXPY 1 Mi" :
		    "GEMM 128^3", t[1]);
	}
	if (a->chunk_bytes > range / 2)
		a->chunk_bytes = range / 2;
	if (a->chunk_elems > range / 8)
		a->chunk_elems = range / 8;
	if (a->chunk_macs > range / 8)
		a->chunk_macs = range / 8;
	if (!a->chunk_bytes)
		a->chunk_bytes = 1;
	if (!a->chunk_elems)
		a->chunk_elems = 1;
	if (!a->chunk_macs)
		a->chunk_macs = 1;
	LOG("chunks for ~%u us, before the kernel's bounds: %" PRIu64
	    " bytes (FILL, COPY), %" PRIu64 " elements (AXPY, REDUCE), %"
	    PRIu64 " multiply-adds (GEMM)\n", us,
	    (uint64_t)a->chunk_bytes, (uint64_t)a->chunk_elems,
	    (uint64_t)a->chunk_macs);
}

static void stop(int status)
{
	int expected = 0;

	atomic_compare_exchange_strong(&exit_status, &expected, status);
	atomic_store(&stopping, true);
	pthread_kill(main_thread, SIGTERM);
}

/*
 * The engines' descriptors, mapped read-only from the kernel, which
 * writes one only while no chunk of that engine is out: a thread copies
 * its descriptor once after each fetch.
 */
static const char *descs;
static size_t desc_size;

static void *engine_thread(void *arg)
{
	struct vk_engine *e = arg;
	struct mvgpu_engine_fetch f = { .engine = e->index };
	struct mvgpu_engine_desc d;
	uint64_t result;
	int st;

	while (!atomic_load(&stopping)) {
		f.timeout_ms = FETCH_TIMEOUT_MS;
		if (ioctl(efd, MVGPU_ENGINE_COMMIT_AND_FETCH, &f)) {
			if (errno == ETIMEDOUT || errno == EINTR) {
				f.seq = 0;
				f.status = 0;
				f.result = 0;
				continue;
			}
			if (errno == ESHUTDOWN && atomic_load(&stopping))
				break;
			LOG("engine %u: COMMIT_AND_FETCH: %s%s\n", e->index,
			    strerror(errno), errno == ESHUTDOWN ?
			    " (the kernel took the pGPU offline)" : "");
			stop(1);
			break;
		}
		/* One copy of the descriptor: everything below uses it. */
		memcpy(&d, descs + e->index * desc_size, sizeof(d));
		if (d.seq != f.seq) {
			LOG("engine %u: descriptor seq %" PRIu64 ", expected %" PRIu64 "\n",
			    e->index, (uint64_t)d.seq, (uint64_t)f.seq);
			st = MVGPU_ENGINE_ST_ERROR;
			result = 0;
		} else {
			st = vk_run(e, &d, &result);
		}
		if (st < 0) {
			LOG("engine %u: the device is lost or unusable: detaching\n",
			    e->index);
			stop(1);
			break;
		}
		if (gpu.verbose)
			LOG("engine %u: seq %" PRIu64 " op %u [%" PRIu64 ", %" PRIu64 ") -> %d\n",
			    e->index, (uint64_t)d.seq, d.opcode,
			    (uint64_t)d.begin, (uint64_t)d.end, st);
		f.status = st;
		f.result = result;
	}
	return NULL;
}

static int do_remove(const struct opts *o)
{
	struct mvgpu_engine_remove r = { { 0 } };
	int fd;

	if (strlen(o->remove) >= sizeof(r.name)) {
		LOG("--remove: name too long\n");
		return 2;
	}
	strcpy(r.name, o->remove);
	fd = open(o->node, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		LOG("%s: %s\n", o->node, strerror(errno));
		return 1;
	}
	if (ioctl(fd, MVGPU_ENGINE_REMOVE, &r)) {
		LOG("remove %s: %s%s\n", o->remove, strerror(errno),
		    errno == EBUSY ? " (a server is attached to it)" : "");
		close(fd);
		return 1;
	}
	close(fd);
	LOG("removed %s\n", o->remove);
	return 0;
}

/* Map @len bytes of @fd at @off, aligned to @align (a power of two). */
static void *map_aligned(int fd, uint64_t off, size_t len, size_t align,
			 int prot)
{
	size_t page = sysconf(_SC_PAGESIZE);
	char *res, *at, *p;

	int flags = fd < 0 ? MAP_PRIVATE | MAP_ANONYMOUS : MAP_SHARED;

	if (align <= page)
		return mmap(NULL, len, prot, flags, fd, off);
	res = mmap(NULL, len + align, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == MAP_FAILED)
		return MAP_FAILED;
	at = (char *)(((uintptr_t)res + align - 1) & ~(uintptr_t)(align - 1));
	p = mmap(at, len, prot, flags | MAP_FIXED, fd, off);
	if (p == MAP_FAILED) {
		munmap(res, len + align);
		return MAP_FAILED;
	}
	if (at > res)
		munmap(res, at - res);
	munmap(at + len, res + len + align - (at + len));
	return p;
}

int main(int argc, char **argv)
{
	struct mvgpu_engine_attach a = { .argsz = sizeof(a) };
	const struct vk_dev_info *dev;
	struct vk_dev_info *devs = NULL;
	pthread_t threads[16];
	unsigned int ndev = 0, i;
	struct opts o;
	sigset_t set;
	void *vram, *scratch;
	double t0;
	int sig;

	if (parse_args(argc, argv, &o))
		return 2;
	if (o.remove)
		return do_remove(&o);

	if (vk_init(&gpu) || vk_list(&gpu, &devs, &ndev))
		return 1;
	if (o.list) {
		list(devs, ndev);
		return 0;
	}
	dev = pick(devs, ndev, o.device);
	if (!dev) {
		LOG("no Vulkan device matches \"%s\" (mvgpu-engined --list)\n",
		    o.device);
		return 1;
	}
	gpu.verbose = o.verbose;
	t0 = now_us();
	if (vk_open(&gpu, dev, o.engines) || vk_engines_init(&gpu))
		return 1;
	LOG("device ready in %.2f s (pipelines built)\n", (now_us() - t0) / 1e6);

	/* Measure chunk sizes on scratch memory imported like VRAM. */
	scratch = map_aligned(-1, 0, SCRATCH_SIZE, dev->host_align,
			      PROT_READ | PROT_WRITE);
	if (scratch == MAP_FAILED ||
	    vk_import_vram(&gpu, scratch, SCRATCH_SIZE))
		return 1;
	if (o.self_test)
		return self_test(&gpu, scratch);
	if (warm_up(&gpu.engines[0]))
		return 1;
	if (o.bench)
		return bench(&gpu);
	calibrate(&gpu.engines[0], o.chunk_us, &a);
	vk_release_vram(&gpu);
	munmap(scratch, SCRATCH_SIZE);

	/* Signals go to the main thread only, which waits for them. */
	main_thread = pthread_self();
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	efd = open(o.node, O_RDWR | O_CLOEXEC);
	if (efd < 0) {
		LOG("%s: %s%s\n", o.node, strerror(errno),
		    errno == ENOENT ? " (modprobe mvgpu_user)" : "");
		return 1;
	}

	a.version = MVGPU_ENGINE_VERSION_CURRENT;
	a.gemm_rows = 16;	/* the GEMM shaders' workgroup height */
	a.nr_engines = o.engines;
	a.vram_size = (uint64_t)o.vram_mb << 20;
	if (o.name)
		snprintf(a.name, sizeof(a.name), "%s", o.name);
	else if (dev->has_pci)
		pci_str(dev, a.name, sizeof(a.name));
	else
		snprintf(a.name, sizeof(a.name), "vk%u", dev->index);
	snprintf(a.model, sizeof(a.model), "%.*s", (int)sizeof(a.model) - 1,
		 dev->name);
	for (i = 0; a.model[i]; i++)
		if (a.model[i] < 0x20 || a.model[i] > 0x7e)
			a.model[i] = '?';
	if (dev->has_pci) {
		a.flags |= MVGPU_ENGINE_ATTACH_PCI;
		a.pci_domain = dev->pci_domain;
		a.pci_bus = dev->pci_bus;
		a.pci_dev = dev->pci_dev;
		a.pci_func = dev->pci_func;
	}
	if (ioctl(efd, MVGPU_ENGINE_ATTACH, &a)) {
		LOG("attach %s: %s%s\n", a.name, strerror(errno),
		    errno == EBUSY ? " (another server serves it)" :
		    errno == EINVAL ? " (see the kernel log)" : "");
		return 1;
	}
	LOG("%s pGPU mvgpu%u \"%s\" on %s: protocol %u.%u, %u MiB, %u engines\n",
	    a.takeover ? "took over" : "attached", a.pgpu_id, a.name,
	    dev->name, a.version >> 16, a.version & 0xffff, o.vram_mb,
	    o.engines);

	vram = map_aligned(efd, MVGPU_ENGINE_MMAP_VRAM, a.vram_size,
			   dev->host_align, PROT_READ | PROT_WRITE);
	desc_size = a.desc_size;
	descs = mmap(NULL, desc_size * o.engines, PROT_READ, MAP_SHARED, efd,
		     MVGPU_ENGINE_MMAP_DESC);
	if (vram == MAP_FAILED || descs == MAP_FAILED) {
		LOG("cannot map the pGPU: %s\n", strerror(errno));
		return 1;
	}
	if (vk_import_vram(&gpu, vram, a.vram_size))
		return 1;

	for (i = 0; i < o.engines; i++)
		if (pthread_create(&threads[i], NULL, engine_thread,
				   &gpu.engines[i])) {
			LOG("cannot start engine threads\n");
			return 1;
		}

	LOG("ready: %u engine threads on %s\n", o.engines, dev->name);
	sigwait(&set, &sig);
	atomic_store(&stopping, true);
	if (!atomic_load(&exit_status))
		LOG("%s: detaching\n", strsignal(sig));
	ioctl(efd, MVGPU_ENGINE_DETACH);
	for (i = 0; i < o.engines; i++)
		pthread_join(threads[i], NULL);
	vk_fini(&gpu);
	close(efd);
	free(devs);
	return atomic_load(&exit_status);
}
