// SPDX-License-Identifier: GPL-2.0
/*
 * mvgpu lifecycle tests: module load and unload, the pGPU and its mdev
 * types in sysfs, vGPU create and remove with exact instance accounting,
 * the errors of bad requests, and removal or unload while a VFIO user
 * holds a vGPU open.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mvgpu_test.h"

#define MAX_TYPES	16
#define MAX_VGPUS	64

FIXTURE(mvgpu) {
	char types[MAX_TYPES][64];
	int nr_types;
};

FIXTURE_SETUP(mvgpu)
{
	MVGPU_HOST_CHECK(false);
	ASSERT_EQ(0, mvgpu_load(NULL));
	self->nr_types = mvgpu_type_names(self->types, MAX_TYPES);
	ASSERT_GE(self->nr_types, 2);
}

FIXTURE_TEARDOWN(mvgpu)
{
	EXPECT_EQ(0, mdev_remove_all());
}

static uint64_t available(struct __test_metadata *_metadata, const char *type)
{
	uint64_t n = 0;

	EXPECT_EQ(0, mvgpu_type_available(type, &n));
	return n;
}

static uint64_t pgpu_u64(struct __test_metadata *_metadata, const char *attr)
{
	char path[PATH_MAX];
	uint64_t v = 0;

	EXPECT_EQ(0, mvgpu_pgpu_path(path, sizeof(path)));
	strncat(path, "/", sizeof(path) - strlen(path) - 1);
	strncat(path, attr, sizeof(path) - strlen(path) - 1);
	EXPECT_EQ(0, sysfs_read_u64(path, &v));
	return v;
}

/* The pGPU and its types look the way the documentation says. */
TEST_F(mvgpu, sysfs_layout)
{
	char path[PATH_MAX], buf[256];
	int i;

	ASSERT_EQ(0, mvgpu_pgpu_path(path, sizeof(path)));
	ASSERT_EQ(0, sysfs_read_str("/sys/class/mvgpu/mvgpu0/backend", buf,
				    sizeof(buf)));
	EXPECT_STREQ("sim", buf);
	/* A software pGPU is a virtual device. */
	ASSERT_TRUE(path_exists("/sys/devices/virtual/mvgpu/mvgpu0"));
	EXPECT_EQ(256ull << 20, pgpu_u64(_metadata, "vram_bytes"));
	EXPECT_EQ(256ull << 20, pgpu_u64(_metadata, "vram_free_bytes"));
	EXPECT_EQ(4, pgpu_u64(_metadata, "engines"));
	EXPECT_EQ(4, pgpu_u64(_metadata, "engines_shared"));
	EXPECT_EQ(0, pgpu_u64(_metadata, "vgpus"));

	for (i = 0; i < self->nr_types; i++) {
		const char *t = self->types[i];

		EXPECT_EQ(0, strncmp(t, "mvgpu-", 6)) TH_LOG("type %s", t);
		ASSERT_EQ(0, mvgpu_type_path(t, "device_api", path,
					     sizeof(path)));
		ASSERT_EQ(0, sysfs_read_str(path, buf, sizeof(buf)));
		EXPECT_STREQ("vfio-pci", buf);
		ASSERT_EQ(0, mvgpu_type_path(t, "description", path,
					     sizeof(path)));
		ASSERT_EQ(0, sysfs_read_str(path, buf, sizeof(buf)));
		EXPECT_NE(NULL, strstr(buf, "vram=")) TH_LOG("%s", buf);
		EXPECT_GT(available(_metadata, t), 0);
	}
	EXPECT_TRUE(path_exists("/sys/class/mdev_bus/mvgpu0"));
}

/* Profiles derived from a 256 MiB, 4-engine pGPU. */
TEST_F(mvgpu, profile_table)
{
	static const struct {
		const char *type;
		uint64_t available;
	} expect[] = {
		{ "mvgpu-part-1e-64m", 3 },
		{ "mvgpu-part-2e-128m", 1 },
		{ "mvgpu-ts-128m", 2 },
		{ "mvgpu-ts-32m", 8 },
		{ "mvgpu-ts-64m", 4 },
	};
	unsigned int i;

	ASSERT_EQ(ARRAY_SIZE(expect), self->nr_types);
	for (i = 0; i < ARRAY_SIZE(expect); i++) {
		EXPECT_STREQ(expect[i].type, self->types[i]);
		EXPECT_EQ(expect[i].available,
			  available(_metadata, self->types[i]))
			TH_LOG("%s", self->types[i]);
	}
}

TEST_F(mvgpu, create_remove)
{
	const char *type = "mvgpu-ts-64m";
	char uuid[MVGPU_UUID_LEN], path[PATH_MAX], buf[64];
	uint64_t before = available(_metadata, type);

	mvgpu_uuid_gen(uuid);
	ASSERT_EQ(0, mdev_create(type, uuid));
	ASSERT_TRUE(mdev_exists(uuid));
	EXPECT_EQ(before - 1, available(_metadata, type));
	EXPECT_EQ(1, pgpu_u64(_metadata, "vgpus"));
	EXPECT_EQ(192ull << 20, pgpu_u64(_metadata, "vram_free_bytes"));

	snprintf(path, sizeof(path), "%s/%s/mvgpu/profile", MDEV_BUS_DEVICES,
		 uuid);
	ASSERT_EQ(0, sysfs_read_str(path, buf, sizeof(buf)));
	EXPECT_STREQ("ts-64m", buf);
	snprintf(path, sizeof(path), "%s/%s/mdev_type/name", MDEV_BUS_DEVICES,
		 uuid);
	ASSERT_EQ(0, sysfs_read_str(path, buf, sizeof(buf)));
	EXPECT_STREQ("mvgpu time-sliced 64m", buf);

	ASSERT_EQ(0, mdev_remove(uuid));
	EXPECT_FALSE(mdev_exists(uuid));
	EXPECT_EQ(before, available(_metadata, type));
	EXPECT_EQ(0, pgpu_u64(_metadata, "vgpus"));
	EXPECT_EQ(256ull << 20, pgpu_u64(_metadata, "vram_free_bytes"));
}

TEST_F(mvgpu, duplicate_uuid)
{
	const char *type = "mvgpu-ts-32m";
	char uuid[MVGPU_UUID_LEN];
	uint64_t before;

	mvgpu_uuid_gen(uuid);
	ASSERT_EQ(0, mdev_create(type, uuid));
	before = available(_metadata, type);
	EXPECT_EQ(-EEXIST, mdev_create(type, uuid));
	/* The same UUID on another type is a duplicate too. */
	EXPECT_EQ(-EEXIST, mdev_create("mvgpu-ts-64m", uuid));
	EXPECT_EQ(before, available(_metadata, type));
	EXPECT_EQ(1, pgpu_u64(_metadata, "vgpus"));
}

TEST_F(mvgpu, bad_uuid)
{
	static const char * const bad[] = {
		"-", "not-a-uuid", "12345678-1234-1234-1234-12345678901",
		"12345678-1234-1234-1234+123456789012",
		"g2345678-1234-1234-1234-123456789012",
	};
	uint64_t before = available(_metadata, "mvgpu-ts-32m");
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int ret = mdev_create("mvgpu-ts-32m", bad[i]);

		if (ret != -EINVAL)
			ksft_print_msg("uuid #%u gave %d\n", i, ret);
		EXPECT_EQ(-EINVAL, ret);
	}
	EXPECT_EQ(before, available(_metadata, "mvgpu-ts-32m"));
	EXPECT_EQ(0, pgpu_u64(_metadata, "vgpus"));
}

/*
 * For every type on an empty pGPU: exactly available_instances creations
 * succeed, the next fails with ENOSPC and changes nothing, and removing
 * them all restores every type's count.
 */
TEST_F(mvgpu, exhaust_each_type)
{
	char uuids[MAX_VGPUS][MVGPU_UUID_LEN], extra[MVGPU_UUID_LEN];
	uint64_t base[MAX_TYPES];
	int t, i, j;

	for (t = 0; t < self->nr_types; t++)
		base[t] = available(_metadata, self->types[t]);

	for (t = 0; t < self->nr_types; t++) {
		const char *type = self->types[t];
		uint64_t n = base[t];

		ASSERT_LE(n, MAX_VGPUS);
		for (i = 0; i < (int)n; i++) {
			mvgpu_uuid_gen(uuids[i]);
			ASSERT_EQ(0, mdev_create(type, uuids[i]))
				TH_LOG("%s #%d", type, i);
			EXPECT_EQ(n - i - 1, available(_metadata, type));
		}
		mvgpu_uuid_gen(extra);
		EXPECT_EQ(-ENOSPC, mdev_create(type, extra)) TH_LOG("%s", type);
		EXPECT_FALSE(mdev_exists(extra));
		EXPECT_EQ(n, pgpu_u64(_metadata, "vgpus"));

		for (i = 0; i < (int)n; i++)
			ASSERT_EQ(0, mdev_remove(uuids[i]));
		for (j = 0; j < self->nr_types; j++)
			EXPECT_EQ(base[j], available(_metadata, self->types[j]))
				TH_LOG("after %s: %s", type, self->types[j]);
	}
	EXPECT_EQ(256ull << 20, pgpu_u64(_metadata, "vram_free_bytes"));
}

/*
 * Mixed types: after every creation, each type's available_instances is
 * exactly what creation then accepts (checked by filling a copy: create
 * that many of the type, expect the next to fail, roll back).
 */
TEST_F(mvgpu, available_exact_mixed)
{
	static const char * const seq[] = {
		"mvgpu-part-1e-64m", "mvgpu-ts-32m", "mvgpu-ts-64m",
		"mvgpu-part-1e-64m", "mvgpu-ts-32m",
	};
	char held[ARRAY_SIZE(seq)][MVGPU_UUID_LEN];
	char probe[MAX_VGPUS][MVGPU_UUID_LEN], extra[MVGPU_UUID_LEN];
	unsigned int s;
	int t, i;

	for (s = 0; s < ARRAY_SIZE(seq); s++) {
		mvgpu_uuid_gen(held[s]);
		ASSERT_EQ(0, mdev_create(seq[s], held[s])) TH_LOG("%s", seq[s]);

		for (t = 0; t < self->nr_types; t++) {
			const char *type = self->types[t];
			uint64_t n = available(_metadata, type);

			ASSERT_LE(n, MAX_VGPUS);
			for (i = 0; i < (int)n; i++) {
				mvgpu_uuid_gen(probe[i]);
				ASSERT_EQ(0, mdev_create(type, probe[i]))
					TH_LOG("step %u: %s #%d of %lu", s,
					       type, i, (unsigned long)n);
			}
			mvgpu_uuid_gen(extra);
			EXPECT_EQ(-ENOSPC, mdev_create(type, extra))
				TH_LOG("step %u: %s beyond %lu", s, type,
				       (unsigned long)n);
			for (i = 0; i < (int)n; i++)
				ASSERT_EQ(0, mdev_remove(probe[i]));
		}
	}
	/* Engines: two partitions own engines 1 and 2. */
	EXPECT_EQ(2, pgpu_u64(_metadata, "engines_shared"));
}

TEST_F(mvgpu, vfio_open)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	char uuid[MVGPU_UUID_LEN];
	struct vfio_dev vd, vd2;
	uint32_t id;

	mvgpu_uuid_gen(uuid);
	ASSERT_EQ(0, mdev_create("mvgpu-ts-32m", uuid));
	ASSERT_EQ(0, vfio_dev_open(uuid, &vd));

	ASSERT_EQ(0, ioctl(vd.device, VFIO_DEVICE_GET_INFO, &info));
	EXPECT_TRUE(info.flags & VFIO_DEVICE_FLAGS_PCI);
	EXPECT_TRUE(info.flags & VFIO_DEVICE_FLAGS_RESET);
	EXPECT_EQ(MVGPU_NUM_REGIONS, info.num_regions);
	EXPECT_EQ(VFIO_PCI_NUM_IRQS, info.num_irqs);

	ASSERT_EQ(0, vfio_cfg_read32(vd.device, 0, &id));
	EXPECT_EQ(MVGPU_PCI_VENDOR_ID | MVGPU_PCI_DEVICE_ID << 16, id);

	/* A second open of the same group is refused while it is in use. */
	EXPECT_EQ(-EBUSY, vfio_dev_open(uuid, &vd2));
	vfio_dev_close(&vd);

	/* And works again once closed. */
	ASSERT_EQ(0, vfio_dev_open(uuid, &vd));
	vfio_dev_close(&vd);
}

struct remover {
	char uuid[MVGPU_UUID_LEN];
	int ret;
	struct timespec done;
};

static void *remove_thread(void *arg)
{
	struct remover *r = arg;

	r->ret = mdev_remove(r->uuid);
	clock_gettime(CLOCK_MONOTONIC, &r->done);
	return NULL;
}

/*
 * Removing a vGPU that a VFIO user holds open: the user gets the REQ
 * interrupt, releases the device, and only then does removal complete.
 */
TEST_F(mvgpu, remove_while_open_with_request)
{
	struct remover r = { .ret = 1 };
	struct timespec closed;
	struct vfio_dev vd;
	pthread_t thread;
	int efd;

	mvgpu_uuid_gen(r.uuid);
	ASSERT_EQ(0, mdev_create("mvgpu-ts-32m", r.uuid));
	ASSERT_EQ(0, vfio_dev_open(r.uuid, &vd));
	efd = eventfd_new();
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, vfio_set_irq_eventfd(vd.device, VFIO_PCI_REQ_IRQ_INDEX,
					  efd));

	ASSERT_EQ(0, pthread_create(&thread, NULL, remove_thread, &r));
	/*
	 * The request arrives promptly, and removal waits for us: the vGPU
	 * still holds its resources.  (Its /sys/bus/mdev/devices link goes
	 * at once; the driver core unlinks it before unbinding.)
	 */
	EXPECT_EQ(1, eventfd_wait(efd, 5000));
	usleep(200 * 1000);
	EXPECT_EQ(1, r.ret);
	EXPECT_EQ(1, pgpu_u64(_metadata, "vgpus"));

	clock_gettime(CLOCK_MONOTONIC, &closed);
	vfio_dev_close(&vd);
	close(efd);
	pthread_join(thread, NULL);
	EXPECT_EQ(0, r.ret);
	EXPECT_FALSE(mdev_exists(r.uuid));
	EXPECT_TRUE(r.done.tv_sec > closed.tv_sec ||
		    (r.done.tv_sec == closed.tv_sec &&
		     r.done.tv_nsec >= closed.tv_nsec));
}

/* Without a request channel removal still waits for the close. */
TEST_F(mvgpu, remove_while_open_no_request)
{
	struct remover r = { .ret = 1 };
	struct vfio_dev vd;
	pthread_t thread;

	mvgpu_uuid_gen(r.uuid);
	ASSERT_EQ(0, mdev_create("mvgpu-ts-32m", r.uuid));
	ASSERT_EQ(0, vfio_dev_open(r.uuid, &vd));
	ASSERT_EQ(0, pthread_create(&thread, NULL, remove_thread, &r));
	usleep(500 * 1000);
	EXPECT_EQ(1, r.ret);
	EXPECT_EQ(1, pgpu_u64(_metadata, "vgpus"));
	vfio_dev_close(&vd);
	pthread_join(thread, NULL);
	EXPECT_EQ(0, r.ret);
	EXPECT_FALSE(mdev_exists(r.uuid));
	EXPECT_EQ(0, pgpu_u64(_metadata, "vgpus"));
	EXPECT_EQ(256ull << 20, pgpu_u64(_metadata, "vram_free_bytes"));
}

/*
 * Unloading while a vGPU is open is refused.  Linux reports a module that
 * is in use from delete_module() as EWOULDBLOCK (EAGAIN); kmod's rmmod
 * prints "Module mvgpu_sim is in use".  Both modules stay loaded and the
 * vGPU keeps working.
 */
TEST_F(mvgpu, rmmod_while_open)
{
	char uuid[MVGPU_UUID_LEN];
	struct vfio_dev vd;
	uint32_t id;

	mvgpu_uuid_gen(uuid);
	ASSERT_EQ(0, mdev_create("mvgpu-ts-32m", uuid));
	ASSERT_EQ(0, vfio_dev_open(uuid, &vd));

	EXPECT_EQ(-EWOULDBLOCK, mvgpu_rmmod("mvgpu_sim"));
	EXPECT_EQ(-EWOULDBLOCK, mvgpu_rmmod("mvgpu"));
	EXPECT_TRUE(mvgpu_module_loaded("mvgpu_sim"));
	EXPECT_TRUE(mvgpu_module_loaded("mvgpu"));
	ASSERT_EQ(0, vfio_mmio_read32(vd.device, MVGPU_REG_ID, &id));
	EXPECT_EQ(MVGPU_ID_MAGIC, id);

	vfio_dev_close(&vd);
	ASSERT_EQ(0, mdev_remove(uuid));
}

/*
 * Unloading with vGPUs that nobody holds open removes them; after unload
 * nothing of mvgpu is left in sysfs, and a reload starts from scratch.
 */
TEST_F(mvgpu, unload_reload)
{
	char uuid[2][MVGPU_UUID_LEN];
	struct vfio_dev vd;

	MVGPU_HOST_CHECK(true);
	mvgpu_uuid_gen(uuid[0]);
	mvgpu_uuid_gen(uuid[1]);
	ASSERT_EQ(0, mdev_create("mvgpu-ts-32m", uuid[0]));
	ASSERT_EQ(0, mdev_create("mvgpu-part-1e-64m", uuid[1]));
	/* Used once, then closed. */
	ASSERT_EQ(0, vfio_dev_open(uuid[0], &vd));
	vfio_dev_close(&vd);

	ASSERT_EQ(0, mvgpu_rmmod("mvgpu_sim"));
	EXPECT_FALSE(mdev_exists(uuid[0]));
	EXPECT_FALSE(mdev_exists(uuid[1]));
	EXPECT_FALSE(path_exists("/sys/class/mvgpu/mvgpu0"));
	EXPECT_FALSE(path_exists("/sys/class/mdev_bus/mvgpu0"));
	ASSERT_EQ(0, mvgpu_rmmod("mvgpu"));
	EXPECT_FALSE(path_exists("/sys/class/mvgpu"));
	EXPECT_FALSE(path_exists("/sys/module/mvgpu"));

	ASSERT_EQ(0, mvgpu_load(NULL));
	EXPECT_EQ(256ull << 20, pgpu_u64(_metadata, "vram_free_bytes"));
	EXPECT_EQ(0, pgpu_u64(_metadata, "vgpus"));
	EXPECT_EQ(3, available(_metadata, "mvgpu-part-1e-64m"));
}

/* Module parameters shape the pGPU; invalid ones are refused. */
TEST(sim_params)
{
	char names[MAX_TYPES][64];

	MVGPU_HOST_CHECK(true);
	ASSERT_EQ(0, mvgpu_unload());
	ASSERT_EQ(0, mvgpu_insmod("mvgpu", NULL));
	EXPECT_EQ(-EINVAL, mvgpu_insmod("mvgpu_sim", "vram_mb=24"));
	EXPECT_EQ(-EINVAL, mvgpu_insmod("mvgpu_sim", "engines=0"));
	EXPECT_EQ(-EINVAL, mvgpu_insmod("mvgpu_sim", "engines=17"));
	EXPECT_FALSE(mvgpu_module_loaded("mvgpu_sim"));

	ASSERT_EQ(0, mvgpu_insmod("mvgpu_sim", "vram_mb=128 engines=1"));
	/* One engine: no partitions; 16/32/64 MiB time-sliced types. */
	ASSERT_EQ(3, mvgpu_type_names(names, MAX_TYPES));
	EXPECT_STREQ("mvgpu-ts-16m", names[0]);
	EXPECT_STREQ("mvgpu-ts-32m", names[1]);
	EXPECT_STREQ("mvgpu-ts-64m", names[2]);
	ASSERT_EQ(0, mvgpu_unload());
	ASSERT_EQ(0, mvgpu_load(NULL));
}

/*
 * dma_cache_mb (guest-memory pinning) is set at load time only: root
 * cannot switch it at run time, under open vGPUs (issue 17, item 9), and
 * a load-time value is what the module reports.
 */
TEST(dma_cache_mb_load_time)
{
	const char *param = "/sys/module/mvgpu/parameters/dma_cache_mb";
	uint64_t mb = ~0ull;

	MVGPU_HOST_CHECK(true);
	ASSERT_EQ(0, mvgpu_unload());
	ASSERT_EQ(0, mvgpu_insmod("mvgpu", "dma_cache_mb=32"));
	ASSERT_EQ(0, mvgpu_insmod("mvgpu_sim", NULL));
	ASSERT_EQ(0, sysfs_read_u64(param, &mb));
	EXPECT_EQ(32, mb);
	EXPECT_EQ(-EACCES, sysfs_write_str(param, "0"));
	EXPECT_EQ(-EACCES, sysfs_write_str(param, "64"));
	ASSERT_EQ(0, sysfs_read_u64(param, &mb));
	EXPECT_EQ(32, mb);
	ASSERT_EQ(0, mvgpu_unload());
	ASSERT_EQ(0, mvgpu_load(NULL));
}

int main(int argc, char **argv)
{
	mvgpu_host_preflight();
	return test_harness_run(argc, argv);
}
