// SPDX-License-Identifier: GPL-2.0
/*
 * Lifecycle stress: cycles of create, open, DMA map, submit, then one of
 * close / remove while open / rmmod while open / reset / DMA unmap mid-job,
 * then destroy -- while a reader thread walks every sysfs attribute and a
 * busy vGPU keeps computing.  After every cycle no guest page stays
 * pinned, and at the end every counter is back at its baseline.
 * MVGPU_STRESS_CYCLES sets the number of cycles (default 40).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mvgpu_test.h"

#define IOVA	0x300000000ull
#define BUFLEN	(4u << 20)

static int stop;	/* __atomic */

/* Read every attribute of the pGPU, its types and its vGPUs, forever. */
static void *reader(void *arg)
{
	static const char * const globs[] = {
		"/sys/class/mvgpu/mvgpu0",
		"/sys/class/mdev_bus/mvgpu0/mdev_supported_types",
		MDEV_BUS_DEVICES,
	};
	unsigned long *reads = arg;
	char buf[4096];

	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		unsigned int g;

		for (g = 0; g < ARRAY_SIZE(globs); g++) {
			struct dirent *de;
			DIR *d = opendir(globs[g]);

			while (d && (de = readdir(d))) {
				char path[PATH_MAX];
				static const char * const sub[] = {
					"", "/available_instances",
					"/mvgpu/weight", "/mvgpu_stats/busy_ns",
				};
				unsigned int i;

				for (i = 0; i < ARRAY_SIZE(sub); i++) {
					snprintf(path, sizeof(path), "%s/%.64s%s",
						 globs[g], de->d_name, sub[i]);
					if (!sysfs_read_str(path, buf, sizeof(buf)))
						(*reads)++;
				}
			}
			if (d)
				closedir(d);
		}
	}
	return NULL;
}

struct remover {
	char uuid[MVGPU_UUID_LEN];
	int ret;
};

static void *remove_thread(void *arg)
{
	struct remover *r = arg;

	r->ret = mdev_remove(r->uuid);
	return NULL;
}

static uint64_t pgpu_attr(const char *attr)
{
	char path[PATH_MAX];
	uint64_t v = ~0ull;

	snprintf(path, sizeof(path), "/sys/class/mvgpu/mvgpu0/%s", attr);
	sysfs_read_u64(path, &v);
	return v;
}

/*
 * Guest pages the vGPUs hold pinned, host-wide for this process: type1
 * charges every page vfio_pin_pages() pins to the pinning task's locked
 * memory (no IOMMU domain in an mdev-only container), shown as VmLck.
 */
static long locked_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

TEST(lifecycle_stress)
{
	const char *env = getenv("MVGPU_STRESS_CYCLES");
	int cycles = env ? atoi(env) : 40;
	uint64_t base_free, base_avail, avail;
	long base_locked;
	uint64_t t0 = mvgpu_now_ns();
	char busy[MVGPU_UUID_LEN];
	unsigned long reads = 0;
	struct mvgpu_ctx b;
	pthread_t rthread;
	uint8_t *buf;
	int i;

	MVGPU_HOST_CHECK(false);
	ASSERT_EQ(0, mvgpu_load(NULL));
	ASSERT_EQ(0, mdev_remove_all());
	base_free = pgpu_attr("vram_free_bytes");
	ASSERT_EQ(0, mvgpu_type_available("mvgpu-ts-32m", &base_avail));
	base_locked = locked_kb();
	ASSERT_LE(0, base_locked);
	/* mvgpu_load() turned pinning on: the cycles exercise its teardown. */
	buf = mmap(NULL, BUFLEN, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);

	/* A busy neighbour for the whole run. */
	mvgpu_uuid_gen(busy);
	ASSERT_EQ(0, mdev_create("mvgpu-ts-32m", busy));
	ASSERT_EQ(0, mvgpu_ctx_open(busy, &b));
	ASSERT_EQ(0, pthread_create(&rthread, NULL, reader, &reads));

	for (i = 0; i < cycles; i++) {
		struct mvgpu_cmd copy = {
			.opcode = MVGPU_OP_COPY, .flags = MVGPU_CMD_F_SRC_SYS,
			.args = { 0, IOVA, BUFLEN },
		};
		struct mvgpu_cmd spin = {
			.opcode = MVGPU_OP_SPIN, .args = { 2000000 },
		};
		struct remover r = { .ret = 1 };
		pthread_t rm;
		struct mvgpu_ctx c;
		int how = i % 5;

		ASSERT_EQ(0, mvgpu_ctx_submit(&b, &spin, 1));
		mvgpu_uuid_gen(r.uuid);
		ASSERT_EQ(0, mdev_create(i % 2 ? "mvgpu-ts-32m" :
					 "mvgpu-part-1e-64m", r.uuid));
		ASSERT_EQ(0, mvgpu_ctx_open(r.uuid, &c));
		ASSERT_EQ(0, mvgpu_ctx_dma_map(&c, buf, BUFLEN, IOVA));
		ASSERT_EQ(0, mvgpu_ctx_submit(&c, &copy, 1));
		mvgpu_ctx_fence(&c, 0);

		switch (how) {
		case 0:		/* close with work in flight */
			break;
		case 1:		/* remove while open */
			ASSERT_EQ(0, pthread_create(&rm, NULL, remove_thread, &r));
			usleep(20000);
			break;
		case 2:		/* rmmod while open is refused */
			EXPECT_EQ(-EWOULDBLOCK, mvgpu_rmmod("mvgpu_sim"));
			EXPECT_EQ(-EWOULDBLOCK, mvgpu_rmmod("mvgpu"));
			break;
		case 3:		/* reset with work in flight */
			EXPECT_EQ(0, ioctl(c.vd.device, VFIO_DEVICE_RESET));
			break;
		case 4:		/* unmap guest memory under the copy */
			EXPECT_EQ(0, mvgpu_ctx_dma_unmap(&c, BUFLEN, IOVA));
			break;
		}
		mvgpu_ctx_close(&c);
		if (how == 1) {
			pthread_join(rm, NULL);
			EXPECT_EQ(0, r.ret);
		} else {
			EXPECT_EQ(0, mdev_remove(r.uuid));
		}
		EXPECT_FALSE(mdev_exists(r.uuid));
		EXPECT_EQ(base_locked, locked_kb()) TH_LOG("cycle %d", i);
	}

	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	pthread_join(rthread, NULL);
	EXPECT_EQ(0, mvgpu_ctx_error(&b, NULL));
	EXPECT_EQ(0, mvgpu_ctx_wait(&b, mvgpu_ctx_fence(&b, 0), 60000));
	mvgpu_ctx_close(&b);
	ASSERT_EQ(0, mdev_remove(busy));

	/* Back at baseline. */
	EXPECT_EQ(base_free, pgpu_attr("vram_free_bytes"));
	EXPECT_EQ(0, pgpu_attr("vgpus"));
	EXPECT_EQ(4, pgpu_attr("engines_shared"));
	ASSERT_EQ(0, mvgpu_type_available("mvgpu-ts-32m", &avail));
	EXPECT_EQ(base_avail, avail);
	ksft_print_msg("%d cycles (%d of each kind) in %.0f s, %lu sysfs reads meanwhile\n",
		       cycles, cycles / 5, (mvgpu_now_ns() - t0) / 1e9, reads);
	munmap(buf, BUFLEN);
}

/*
 * The harness's alarm is fixed per test (30 s for TEST()), and
 * MVGPU_STRESS_CYCLES can ask for thousands of cycles: allow 2 s a cycle,
 * ten times what one takes under TCG.  The object is the one TEST()
 * defines (kselftest_harness.h).
 */
static void __attribute__((constructor)) stress_timeout(void)
{
	const char *env = getenv("MVGPU_STRESS_CYCLES");
	int cycles = env ? atoi(env) : 0;

	if (cycles * 2 > _lifecycle_stress_object.timeout)
		_lifecycle_stress_object.timeout = cycles * 2;
}

int main(int argc, char **argv)
{
	mvgpu_host_preflight();
	return test_harness_run(argc, argv);
}
