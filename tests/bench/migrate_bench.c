// SPDX-License-Identifier: GPL-2.0
/*
 * migrate_bench - live migration of a vGPU: total time, downtime and bytes
 * sent, for 32, 64 and 128 MiB slices, with an idle guest and with a guest
 * writing VRAM, stop-and-copy against pre-copy (where the kernel has it).
 *
 * This program is the VMM on both sides, as migrate_test is: the source's
 * stream is read in 1 MiB pieces and written into the target as it comes,
 * so the stream's bandwidth is a memory copy through two system calls.
 * The bound printed next to each figure is the bytes sent at the memcpy()
 * bandwidth measured here: what a migration of that many bytes could not
 * beat.  The source's VRAM is filled with non-zero data first (zero pages
 * are not sent on the first pass).
 *
 *   downtime  from the source's stop (a VMM stops the vCPUs here) to the
 *             target running
 *   total     from the start of the migration to the target running
 *
 * The "writer" guest is a thread writing one word per 4 KiB page through
 * the BAR mapping over an 8 MiB window, a page every 20 us, until the
 * source stops.  Pre-copy iterates until less than 1 MiB is dirty or five
 * passes have run.  Modes alternate repetition by repetition; figures are
 * median [min..max] of MVGPU_BENCH_REPS (3).
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "mvgpu_test.h"
#include <linux/mvgpu_mig.h>

#ifndef VFIO_MIGRATION_PRE_COPY
#define VFIO_DEVICE_STATE_PRE_COPY	6
#define VFIO_DEVICE_STATE_PRE_COPY_P2P	7
struct vfio_precopy_info {
	__u32 argsz;
	__u32 flags;
	__aligned_u64 initial_bytes;
	__aligned_u64 dirty_bytes;
};

#define VFIO_MIG_GET_PRECOPY_INFO	_IO(VFIO_TYPE, VFIO_BASE + 21)
#endif

#define CHUNK		(1024u * 1024u)
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#define MAX_REPS	15

static int mig_set(int fd, uint32_t state, int *data_fd)
{
	uint8_t buf[sizeof(struct vfio_device_feature) +
		    sizeof(struct vfio_device_feature_mig_state)] = {};
	struct vfio_device_feature *f = (void *)buf;
	struct vfio_device_feature_mig_state *m = (void *)f->data;

	f->argsz = sizeof(buf);
	f->flags = VFIO_DEVICE_FEATURE_SET |
		   VFIO_DEVICE_FEATURE_MIG_DEVICE_STATE;
	m->device_state = state;
	if (ioctl(fd, VFIO_DEVICE_FEATURE, f))
		return -errno;
	if (data_fd)
		*data_fd = m->data_fd;
	else if (m->data_fd >= 0)
		close(m->data_fd);
	return 0;
}

/*
 * Copy from @src to @dst until end of stream (or ENOMSG with @precopy).
 * Returns bytes copied or -errno.
 */
static long long pump(int src, int dst, uint8_t *buf, bool precopy)
{
	long long total = 0;

	for (;;) {
		ssize_t n = read(src, buf, CHUNK), w = 0;

		if (n < 0)
			return precopy && errno == ENOMSG ? total : -errno;
		if (!n)
			return total;
		while (w < n) {
			ssize_t r = write(dst, buf + w, n - w);

			if (r <= 0)
				return r < 0 ? -errno : -EIO;
			w += r;
		}
		total += n;
	}
}

struct writer {
	uint8_t *vram;
	bool stop;			/* __atomic */
	uint64_t pages;
};

static void *writer_fn(void *arg)
{
	struct writer *w = arg;
	uint64_t i = 0;

	while (!__atomic_load_n(&w->stop, __ATOMIC_RELAXED)) {
		w->vram[(i % 2048) * 4096] = (uint8_t)i;
		i++;
		usleep(20);
	}
	w->pages = i;
	return NULL;
}

struct result {
	double total_ms, down_ms;
	double bytes, stop_bytes;
};

/* One migration of @src to @dst (a fresh target); 0 or -errno. */
static int migrate_once(struct mvgpu_ctx *src, struct vfio_dev *dst,
			bool precopy, bool writer, struct result *r)
{
	struct writer w = { .vram = src->vram };
	pthread_t th;
	uint8_t *buf = malloc(CHUNK);
	uint64_t t0, tstop, tend;
	long long n, sent = 0;
	int sfd = -1, dfd = -1, ret, pass;

	if (!buf)
		return -ENOMEM;
	if (writer)
		pthread_create(&th, NULL, writer_fn, &w);
	usleep(20000);

	t0 = mvgpu_now_ns();
	ret = mig_set(dst->device, VFIO_DEVICE_STATE_RESUMING, &dfd);
	if (ret)
		goto out;
	if (precopy) {
		struct vfio_precopy_info info = { .argsz = sizeof(info) };

		ret = mig_set(src->vd.device, VFIO_DEVICE_STATE_PRE_COPY, &sfd);
		if (ret)
			goto out;
		for (pass = 0; pass < 5; pass++) {
			n = pump(sfd, dfd, buf, true);
			if (n < 0) {
				ret = n;
				goto out;
			}
			sent += n;
			if (ioctl(sfd, VFIO_MIG_GET_PRECOPY_INFO, &info)) {
				ret = -errno;
				goto out;
			}
			if (info.dirty_bytes < CHUNK)
				break;
		}
	}
	/* The VMM stops the vCPUs: the writer stops with them. */
	tstop = mvgpu_now_ns();
	if (writer) {
		__atomic_store_n(&w.stop, true, __ATOMIC_RELAXED);
		pthread_join(th, NULL);
		writer = false;
	}
	if (precopy) {
		ret = mig_set(src->vd.device, VFIO_DEVICE_STATE_PRE_COPY_P2P,
			      NULL);
		if (!ret)
			ret = mig_set(src->vd.device,
				      VFIO_DEVICE_STATE_STOP_COPY, NULL);
	} else {
		ret = mig_set(src->vd.device, VFIO_DEVICE_STATE_STOP_COPY, &sfd);
	}
	if (ret)
		goto out;
	n = pump(sfd, dfd, buf, false);
	if (n < 0) {
		ret = n;
		goto out;
	}
	r->stop_bytes = n;
	sent += n;
	ret = mig_set(dst->device, VFIO_DEVICE_STATE_RUNNING, NULL);
	tend = mvgpu_now_ns();
	r->total_ms = (tend - t0) / 1e6;
	r->down_ms = (tend - tstop) / 1e6;
	r->bytes = sent;
	/* The source runs on, for the next repetition. */
	if (!ret)
		ret = mig_set(src->vd.device, VFIO_DEVICE_STATE_RUNNING, NULL);
out:
	if (writer) {
		__atomic_store_n(&w.stop, true, __ATOMIC_RELAXED);
		pthread_join(th, NULL);
	}
	if (sfd >= 0)
		close(sfd);
	if (dfd >= 0)
		close(dfd);
	free(buf);
	return ret;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* "median [min..max]" of @v (sorted in place). */
static const char *fmt_stat(char *out, size_t len, double *v, int n,
			    const char *fmt)
{
	char a[32], b[32], c[32];

	qsort(v, n, sizeof(*v), cmp_double);
	snprintf(a, sizeof(a), fmt, v[n / 2]);
	snprintf(b, sizeof(b), fmt, v[0]);
	snprintf(c, sizeof(c), fmt, v[n - 1]);
	snprintf(out, len, "%s [%s..%s]", a, b, c);
	return out;
}

/* memcpy() bandwidth over 64 MiB, bytes per ns (best of 3). */
static double memcpy_bw(void)
{
	size_t len = 64u << 20;
	uint8_t *a = malloc(len), *b = malloc(len);
	double best = 0;
	int i;

	if (!a || !b)
		return 1;
	memset(a, 1, len);
	memset(b, 2, len);
	for (i = 0; i < 3; i++) {
		uint64_t t = mvgpu_now_ns();

		memcpy(b, a, len);
		t = mvgpu_now_ns() - t;
		if (len / (double)t > best)
			best = len / (double)t;
	}
	free(a);
	free(b);
	return best;
}

int main(void)
{
	static const unsigned int sizes[] = { 32, 64, 128 };
	const char *e = getenv("MVGPU_BENCH_REPS");
	int reps = e ? atoi(e) : 3;
	struct utsname u;
	bool has_pre;
	double bw;
	unsigned int s;
	int ret;

	if (reps < 1 || reps > MAX_REPS)
		reps = 3;
	uname(&u);
	has_pre = strncmp(u.release, "6.1.", 4);
	printf("TAP version 13\n1..1\n");
	printf("# migrate_bench on %s: %s; %d repetitions, modes interleaved\n",
	       u.release, has_pre ? "pre-copy and stop-and-copy" :
	       "stop-and-copy only (no PRE_COPY before 6.2)", reps);
	printf("# Under TCG (the test VM) every copy runs emulated: absolute times are\n"
	       "# several times a real host's, and the writer thread competes with\n"
	       "# the VMM for the VM's CPUs.  Compare modes and the bound, not hosts.\n");
	ret = mvgpu_load(NULL);
	if (ret) {
		printf("not ok 1 migrate_bench # loading the modules: %s\n",
		       strerror(-ret));
		return 1;
	}
	bw = memcpy_bw();
	printf("# memcpy bandwidth here: %.0f MB/s (the stream's bound)\n",
	       bw * 1e3);

	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		char type[32], us[MVGPU_UUID_LEN], ud[MVGPU_UUID_LEN];
		struct mvgpu_ctx src;
		struct vfio_dev dst;
		int load, m, i;

		snprintf(type, sizeof(type), "mvgpu-ts-%um", sizes[s]);
		mdev_remove_all();
		mvgpu_uuid_gen(us);
		mvgpu_uuid_gen(ud);
		if (mdev_create(type, us) || mdev_create(type, ud) ||
		    mvgpu_ctx_open(us, &src) || vfio_dev_open(ud, &dst)) {
			printf("# %s: cannot set up two vGPUs\n", type);
			continue;
		}
		/* Non-zero data everywhere but the ring and QSA. */
		for (i = 0; i < (int)((src.vram_size - (1u << 20)) / 4); i++)
			((uint32_t *)src.vram)[i] = i * 2654435761u + 1;

		for (load = 0; load < 2; load++) {
			struct result r[2][MAX_REPS];
			int nmodes = has_pre ? 2 : 1;

			for (i = 0; i < reps; i++)
				for (m = 0; m < nmodes; m++) {
					int mm = i % 2 ? nmodes - 1 - m : m;

					ret = migrate_once(&src, &dst, mm == 1,
							   load, &r[mm][i]);
					if (ret) {
						printf("# %s: migration failed: %s\n",
						       type, strerror(-ret));
						goto next;
					}
				}
			for (m = 0; m < nmodes; m++) {
				double tot[MAX_REPS], down[MAX_REPS],
				       bytes[MAX_REPS], sb[MAX_REPS];
				char a[128], b[128], c[128], d[128];
				double med;

				for (i = 0; i < reps; i++) {
					tot[i] = r[m][i].total_ms;
					down[i] = r[m][i].down_ms;
					bytes[i] = r[m][i].bytes / 1048576;
					sb[i] = r[m][i].stop_bytes / 1024;
				}
				fmt_stat(c, sizeof(c), bytes, reps, "%.1f");
				med = bytes[reps / 2];
				printf("# %3u MiB %-6s %-13s total %s ms, downtime %s ms, ",
				       sizes[s], load ? "writer" : "idle",
				       m ? "pre-copy" : "stop-and-copy",
				       fmt_stat(a, sizeof(a), tot, reps, "%.0f"),
				       fmt_stat(b, sizeof(b), down, reps, "%.0f"));
				printf("sent %s MiB (%s KiB at the stop); bound %.0f ms\n",
				       c, fmt_stat(d, sizeof(d), sb, reps, "%.0f"),
				       med * 1048576 / bw / 1e6);
			}
		}
next:
		mvgpu_ctx_close(&src);
		vfio_dev_close(&dst);
		mdev_remove(us);
		mdev_remove(ud);
	}
	printf("ok 1 migrate_bench\n");
	return 0;
}
