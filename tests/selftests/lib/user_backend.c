// SPDX-License-Identifier: GPL-2.0
/*
 * The tests on a Vulkan-backed pGPU: with MVGPU_BACKEND=user in the
 * environment, mvgpu_load() loads mvgpu_user instead of mvgpu_sim and
 * starts the engine server, mvgpu-engined, as the pGPU "mvgpu-test"
 * (mvgpu0); mvgpu_unload() stops it and removes the pGPU.  The server is
 * $MVGPU_ENGINED, else /tests/mvgpu-engined (the VM harness's --bin);
 * it runs in its own session, logging to /tmp/mvgpu-engined.log, so that
 * it outlives the test process that started it, as a daemon would.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/mvgpu_engine.h>

#include "mvgpu_test.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define USER_NAME	"mvgpu-test"
#define USER_PIDFILE	"/tmp/mvgpu-engined.pid"
#define USER_LOG	"/tmp/mvgpu-engined.log"
/* lavapipe's start, calibration included, under TCG: tens of seconds. */
#define USER_START_MS	180000

bool mvgpu_backend_user(void)
{
	const char *b = getenv("MVGPU_BACKEND");

	return b && !strcmp(b, "user");
}

static const char *engined_path(void)
{
	const char *p = getenv("MVGPU_ENGINED");

	return p && *p ? p : "/tests/mvgpu-engined";
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* A process that exists and is not a zombie. */
static bool pid_alive(pid_t pid)
{
	char path[64], buf[256], *p;
	FILE *f;
	bool alive = false;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (fgets(buf, sizeof(buf), f)) {
		p = strrchr(buf, ')');
		alive = p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
	}
	fclose(f);
	return alive;
}

pid_t mvgpu_user_server_pid(void)
{
	char buf[32] = "";
	pid_t pid;

	if (sysfs_read_str(USER_PIDFILE, buf, sizeof(buf)))
		return 0;
	pid = atoi(buf);
	return pid > 0 && pid_alive(pid) ? pid : 0;
}

/* The log lines the server wrote since @from, on stderr, for diagnosis. */
static void show_log(void)
{
	char line[512];
	FILE *f = fopen(USER_LOG, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		fprintf(stderr, "# engined: %s", line);
	fclose(f);
}

/* Whether the server's log says it is ready (after the last start). */
static bool log_ready(void)
{
	char line[512];
	bool ready = false;
	FILE *f = fopen(USER_LOG, "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "starting"))
			ready = false;
		if (strstr(line, "ready:"))
			ready = true;
	}
	fclose(f);
	return ready;
}

int mvgpu_user_server_start(unsigned int vram_mb, unsigned int engines)
{
	char vram[16], eng[16], pidbuf[16];
	const char *chunk_us = getenv("MVGPU_CHUNK_US");
	pid_t pid, child;
	int i, fd, status;
	uint64_t t0;

	snprintf(vram, sizeof(vram), "%u", vram_mb);
	snprintf(eng, sizeof(eng), "%u", engines);
	unlink(USER_LOG);
	child = fork();
	if (child < 0)
		return -errno;
	if (!child) {
		/* Double fork: the server is nobody's child but init's. */
		setsid();
		pid = fork();
		if (pid)
			_exit(pid < 0 ? 1 : 0);
		fd = open(USER_LOG, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		fd = open("/dev/null", O_RDONLY);
		if (fd >= 0)
			dup2(fd, 0);
		fprintf(stderr, "mvgpu-engined: starting\n");
		snprintf(pidbuf, sizeof(pidbuf), "%d", (int)getpid());
		fd = open(USER_PIDFILE, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			if (write(fd, pidbuf, strlen(pidbuf)) < 0)
				_exit(127);
			close(fd);
		}
		execl(engined_path(), "mvgpu-engined", "--name", USER_NAME,
		      "--vram-mb", vram, "--engines", eng, "--chunk-us",
		      chunk_us && *chunk_us ? chunk_us : "1000", (char *)NULL);
		fprintf(stderr, "exec %s: %s\n", engined_path(),
			strerror(errno));
		_exit(127);
	}
	waitpid(child, &status, 0);

	t0 = mvgpu_now_ns();
	for (i = 0; i < USER_START_MS / 50; i++) {
		if (log_ready()) {
			fprintf(stderr, "# mvgpu-engined ready after %.1f s\n",
				(mvgpu_now_ns() - t0) / 1e9);
			if (getenv("MVGPU_ENGINED_LOG"))
				show_log();
			return 0;
		}
		if (i > 20 && !mvgpu_user_server_pid())
			break;
		sleep_ms(50);
	}
	fprintf(stderr, "# mvgpu-engined did not become ready:\n");
	show_log();
	return -EIO;
}

int mvgpu_user_server_stop(int sig)
{
	pid_t pid = mvgpu_user_server_pid();
	int i;

	if (!pid)
		return 0;
	if (kill(pid, sig))
		return -errno;
	for (i = 0; i < 600 && pid_alive(pid); i++)
		sleep_ms(50);
	if (pid_alive(pid))
		return -ETIMEDOUT;
	unlink(USER_PIDFILE);
	return 0;
}

int mvgpu_user_remove(void)
{
	struct mvgpu_engine_remove r = { USER_NAME };
	int fd, ret = 0;

	fd = open("/dev/mvgpu-engine", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (ioctl(fd, MVGPU_ENGINE_REMOVE, &r) && errno != ENOENT)
		ret = -errno;
	close(fd);
	return ret;
}

/* "vram_mb=N engines=N", as mvgpu_sim takes them. */
static void parse_params(const char *params, unsigned int *vram,
			 unsigned int *engines)
{
	const char *p;

	*vram = 256;
	*engines = 4;
	if (!params)
		return;
	p = strstr(params, "vram_mb=");
	if (p)
		*vram = atoi(p + 8);
	p = strstr(params, "engines=");
	if (p)
		*engines = atoi(p + 8);
}

/*
 * In a Debian root VM nothing preloads the vfio stack (run-vm.sh
 * --rootfs): modprobe it as a host would.  Best effort: where it is
 * loaded or built in, this does nothing.
 */
static void modprobe_vfio(void)
{
	static const char *const mods[] = {
		"vfio", "vfio_iommu_type1", "vfio_virqfd", "mdev",
	};
	char path[64];
	unsigned int i;
	pid_t pid;

	for (i = 0; i < ARRAY_SIZE(mods); i++) {
		snprintf(path, sizeof(path), "/sys/module/%s", mods[i]);
		if (path_exists(path))
			continue;
		pid = fork();
		if (!pid) {
			int fd = open("/dev/null", O_WRONLY);

			if (fd >= 0) {
				dup2(fd, 1);
				dup2(fd, 2);
			}
			execlp("modprobe", "modprobe", "-q", mods[i],
			       (char *)NULL);
			_exit(127);
		}
		if (pid > 0)
			waitpid(pid, NULL, 0);
	}
}

int mvgpu_user_load(const char *params)
{
	unsigned int vram, engines;
	char online[8] = "";
	int ret;

	modprobe_vfio();
	if (!mvgpu_module_loaded("mvgpu")) {
		ret = mvgpu_insmod("mvgpu", NULL);
		if (ret)
			return ret;
	}
	if (!mvgpu_module_loaded("mvgpu_user")) {
		ret = mvgpu_insmod("mvgpu_user", getenv("MVGPU_USER_PARAMS"));
		if (ret)
			return ret;
	}
	if (mvgpu_user_server_pid() &&
	    !sysfs_read_str(MVGPU_SYSFS_CLASS "/mvgpu0/online", online,
			    sizeof(online)) && online[0] == '1')
		return 0;
	parse_params(params, &vram, &engines);
	return mvgpu_user_server_start(vram, engines);
}

int mvgpu_user_unload(void)
{
	int ret;

	mdev_remove_all();
	ret = mvgpu_user_server_stop(SIGTERM);
	if (ret)
		return ret;
	ret = mvgpu_user_remove();
	if (ret)
		return ret;
	if (mvgpu_module_loaded("mvgpu_user")) {
		ret = mvgpu_rmmod("mvgpu_user");
		if (ret)
			return ret;
	}
	if (mvgpu_module_loaded("mvgpu"))
		return mvgpu_rmmod("mvgpu");
	return 0;
}

/*
 * Every test program starts the server before its first test, so that
 * lavapipe's start (pipeline compilation under TCG takes seconds) counts
 * against no test's time limit.  A failure here is left to the first
 * mvgpu_load() to report.
 */
__attribute__((constructor)) static void mvgpu_user_preload(void)
{
	if (mvgpu_backend_user() && !geteuid() && mvgpu_modules_in_dir())
		mvgpu_user_load(NULL);
}
