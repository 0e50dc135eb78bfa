// SPDX-License-Identifier: GPL-2.0
/*
 * engine_bench - how fast the software pGPU's engines execute, against the
 * same work done by plain userspace code on the same memory.
 *
 * What each side runs:
 *
 *   copy/memcpy   engine: COPY within VRAM, which on a CPU without ERMS
 *                 (as under TCG with -cpu max,-erms,-fsrm) is mvgpu_sim's
 *                 AVX2 loop (SSE2 without AVX2) with non-temporal stores
 *                 for commands larger than the CPU's reported cache size
 *                 (512 KiB in the TCG VM), and the kernel's memcpy()
 *                 (rep movsb) with ERMS;
 *                 user: glibc's memcpy() between the same two VRAM ranges
 *                 through the BAR2 mapping (its own SIMD and non-temporal
 *                 choices)
 *   copy/scalar   engine: the same COPY;
 *                 user: a loop of 8-byte moves, the code the kernel's
 *                 memcpy runs where it cannot use string instructions
 *                 well, i.e. what the engine ran before it had vector loops
 *   fill/memset   engine: FILL, the same choice as COPY between a vector
 *                 loop and memset32() (with ERMS), never non-temporal;
 *                 user: glibc's memset()
 *   gemm/user     engine: GEMM_I32;
 *                 user: the very same blocked kernel, sim_gemm_i32() from
 *                 drivers/mvgpu_sim/sim_kernels.h: its AVX2 inline-assembly
 *                 inner kernel where the CPU and OS support AVX2 (the engine
 *                 checks the same CPUID features), else the same scalar C,
 *                 compiled without vectorisation as the kernel is
 *   gemm_f32/user engine: GEMM_F32;
 *                 user: sim_gemm_f32() from sim_f32_kernels.h, with the
 *                 FMA kernels where the CPU has FMA and AVX2 (the engine's
 *                 choice too), else the portable C loop.  Both sum in the
 *                 same order with the same fusing, so the two products
 *                 must be bit-identical: the one assertion here, a check
 *                 of the engine's float path against its userspace twin
 *
 * Engine time is taken on the device by TIMESTAMP commands around the
 * measured command, so submission overhead is not counted.  While the
 * engine runs, this program sleeps instead of polling the fence: under
 * single-threaded TCG all vCPUs share one host thread, and a polling
 * waiter would take emulator time from the engine it is timing.  Each
 * pair is run interleaved (engine, user, engine, user, ...) REPS times;
 * the ratio of medians is printed with the spread of each side.  Results
 * are TAP diagnostics plus one "ok" line per measurement; nothing is
 * asserted about speed.  Under TCG every number is the emulator's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mvgpu_test.h"
#include "sim_f32_kernels.h"
#include "sim_kernels.h"

#define REPS		7
#define COPY_BYTES	(32u << 20)
#define GEMM_DIM	128

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct sample {
	uint64_t ns[REPS];
};

static uint64_t median(struct sample *s)
{
	qsort(s->ns, REPS, sizeof(s->ns[0]), cmp_u64);
	return s->ns[REPS / 2];
}

/*
 * Wait for fence @seq without using the CPU: sleep, look, sleep.  The naps
 * are long because every wake-up takes emulator time from the engine too;
 * the wake-up latency does not count, the engine's time comes from its
 * timestamps.
 */
static int fence_wait_sleeping(struct mvgpu_ctx *c, uint64_t seq)
{
	const struct timespec nap = { .tv_nsec = 5000000 };
	struct mvgpu_qsa *qsa = mvgpu_ctx_qsa(c);
	uint64_t deadline = mvgpu_now_ns() + 120000000000ull;
	unsigned int polls = 0;

	while ((int64_t)(__atomic_load_n(&qsa->fence, __ATOMIC_ACQUIRE) -
			 seq) < 0) {
		if (!(++polls % 16)) {
			if (mvgpu_ctx_error(c, NULL))
				return -EIO;
			if (mvgpu_now_ns() > deadline)
				return -ETIMEDOUT;
		}
		nanosleep(&nap, NULL);
	}
	return 0;
}

/* Engine time of one command, bracketed by device timestamps. */
static int engine_ns(struct mvgpu_ctx *c, struct mvgpu_cmd cmd, uint64_t *ns)
{
	uint64_t ts_off = c->vram_size - (2u << 20);
	uint64_t *ts = (uint64_t *)(c->vram + ts_off);
	struct mvgpu_cmd cmds[3] = {
		{ .opcode = MVGPU_OP_TIMESTAMP, .args = { ts_off } },
		cmd,
		{ .opcode = MVGPU_OP_TIMESTAMP, .args = { ts_off + 8 } },
	};
	uint64_t seq;
	int ret;

	ret = mvgpu_ctx_submit(c, cmds, 3);
	if (ret)
		return ret;
	seq = mvgpu_ctx_fence(c, 0);
	ret = fence_wait_sleeping(c, seq);
	if (ret)
		return ret;
	*ns = ts[1] - ts[0];
	return 0;
}

/* 8-byte moves, unrolled like the kernel's memcpy_orig; not vectorised. */
static void __attribute__((noinline, optimize("no-tree-vectorize")))
copy_scalar(uint64_t *d, const uint64_t *s, size_t n)
{
	size_t i;

	for (i = 0; i + 4 <= n; i += 4) {
		uint64_t a = s[i], b = s[i + 1], c = s[i + 2], e = s[i + 3];

		__asm__ volatile("" : "+r"(a), "+r"(b), "+r"(c), "+r"(e));
		d[i] = a;
		d[i + 1] = b;
		d[i + 2] = c;
		d[i + 3] = e;
	}
}

/*
 * noipa: the engine gets the dimensions at run time, so the compiler must
 * not specialise this side for the constant GEMM_DIM.
 */
static void __attribute__((noipa))
gemm_user(uint32_t *c, const uint32_t *a, const uint32_t *b, unsigned int n,
	  int avx2)
{
	sim_gemm_i32(c, a, b, n, n, n, avx2);
}

static void __attribute__((noipa))
gemm_f32_user(float *c, const float *a, const float *b, unsigned int n,
	      int fma)
{
	sim_gemm_f32(c, a, b, n, n, n, fma);
}

static void report(int *test, const char *name, const char *unit,
		   double work, struct sample *eng, struct sample *user)
{
	uint64_t me = median(eng), mu = median(user);

	printf("ok %d %s %.3f\n", ++*test, name, (double)mu / me);
	printf("#   engine: median %.3f %s (min %.3f, max %.3f)\n",
	       work / me, unit, work / eng->ns[REPS - 1], work / eng->ns[0]);
	printf("#   user:   median %.3f %s (min %.3f, max %.3f)\n",
	       work / mu, unit, work / user->ns[REPS - 1], work / user->ns[0]);
}

int main(void)
{
	struct sample eng_copy, usr_copy, eng_copy2, usr_scalar, eng_fill,
		      usr_fill, eng_gemm, usr_gemm, eng_f32, usr_f32;
	char uuid[MVGPU_UUID_LEN];
	const char *accel = getenv("MVGPU_ACCEL");
	const unsigned int n = GEMM_DIM;
	int avx2 = 0, fma = 0;
	uint32_t *a, *b, *cg;
	float *af, *bf, *cfe, *cfu;
	struct mvgpu_ctx c;
	int i, ret, test = 0;
	uint64_t t;

	printf("TAP version 13\n1..6\n");
	printf("# engine_bench: accel %s; engine vs userspace on the same memory\n",
	       accel ? accel : "unknown");
#if defined(__x86_64__)
	__builtin_cpu_init();
	avx2 = __builtin_cpu_supports("avx2");
	fma = avx2 && __builtin_cpu_supports("fma");
#endif
	printf("# gemm/user: user side runs sim_gemm_i32() %s\n",
	       avx2 ? "with AVX2" : "in scalar C");
	printf("# gemm_f32/user: user side runs sim_gemm_f32() %s\n",
	       fma ? "with FMA" : "in portable C");
	ret = mvgpu_load(NULL);
	/* Emulated CPUs are slow: keep the watchdog out of the measurement. */
	ret = ret ?: sysfs_write_str("/sys/module/mvgpu/parameters/watchdog_ms",
				     "60000");
	mvgpu_uuid_gen(uuid);
	ret = ret ?: mdev_create("mvgpu-ts-128m", uuid);
	ret = ret ?: mvgpu_ctx_open(uuid, &c);
	if (ret) {
		printf("Bail out! setup failed: %s\n", strerror(-ret));
		return 1;
	}

	memset(c.vram, 0x11, COPY_BYTES);
	a = (uint32_t *)(c.vram + (96u << 20));
	b = a + n * n;
	cg = b + n * n;
	for (i = 0; i < (int)(n * n); i++) {
		a[i] = i * 2654435761u;
		b[i] = i ^ 0x5bd1e995;
	}
	af = (float *)(cg + n * n);
	bf = af + n * n;
	cfe = bf + n * n;
	cfu = cfe + n * n;
	for (i = 0; i < (int)(n * n); i++) {
		af[i] = (float)(int)(i * 2654435761u >> 20) / 1024.0f - 2.0f;
		bf[i] = (float)(int)((i ^ 0x5bd1e995) & 0xfff) / 4096.0f - 0.5f;
	}

	for (i = 0; i < REPS; i++) {
		struct mvgpu_cmd copy = {
			.opcode = MVGPU_OP_COPY,
			.args = { 64u << 20, 0, COPY_BYTES },
		};
		struct mvgpu_cmd fill = {
			.opcode = MVGPU_OP_FILL,
			.args = { 64u << 20, COPY_BYTES, 0x01010101 },
		};
		struct mvgpu_cmd gemm = {
			.opcode = MVGPU_OP_GEMM_I32,
			.args = { (uint8_t *)cg - c.vram, (uint8_t *)a - c.vram,
				  (uint8_t *)b - c.vram, n, n, n },
		};
		struct mvgpu_cmd gemm_f32 = {
			.opcode = MVGPU_OP_GEMM_F32,
			.args = { (uint8_t *)cfe - c.vram,
				  (uint8_t *)af - c.vram,
				  (uint8_t *)bf - c.vram, n, n, n },
		};

		if (engine_ns(&c, copy, &eng_copy.ns[i]) ||
		    engine_ns(&c, copy, &eng_copy2.ns[i]) ||
		    engine_ns(&c, fill, &eng_fill.ns[i]) ||
		    engine_ns(&c, gemm, &eng_gemm.ns[i]) ||
		    engine_ns(&c, gemm_f32, &eng_f32.ns[i])) {
			printf("Bail out! engine command failed (error %d)\n",
			       mvgpu_ctx_error(&c, NULL));
			return 1;
		}

		t = mvgpu_now_ns();
		memcpy(c.vram + (64u << 20), c.vram, COPY_BYTES);
		usr_copy.ns[i] = mvgpu_now_ns() - t;
		t = mvgpu_now_ns();
		copy_scalar((uint64_t *)(c.vram + (64u << 20)),
			    (uint64_t *)c.vram, COPY_BYTES / 8);
		usr_scalar.ns[i] = mvgpu_now_ns() - t;
		t = mvgpu_now_ns();
		memset(c.vram + (64u << 20), 0x01, COPY_BYTES);
		usr_fill.ns[i] = mvgpu_now_ns() - t;
		t = mvgpu_now_ns();
		gemm_user(cg, a, b, n, avx2);
		usr_gemm.ns[i] = mvgpu_now_ns() - t;
		t = mvgpu_now_ns();
		gemm_f32_user(cfu, af, bf, n, fma);
		usr_f32.ns[i] = mvgpu_now_ns() - t;
	}

	report(&test, "copy/memcpy", "GB/s", COPY_BYTES, &eng_copy, &usr_copy);
	report(&test, "copy/scalar", "GB/s", COPY_BYTES, &eng_copy2, &usr_scalar);
	report(&test, "fill/memset", "GB/s", COPY_BYTES, &eng_fill, &usr_fill);
	report(&test, "gemm/user", "GMAC/s", (double)n * n * n, &eng_gemm,
	       &usr_gemm);
	report(&test, "gemm_f32/user", "GMAC/s", (double)n * n * n, &eng_f32,
	       &usr_f32);
	printf("%s %d gemm_f32: engine product bit-identical to sim_gemm_f32() %s\n",
	       memcmp(cfe, cfu, (size_t)n * n * 4) ? "not ok" : "ok", ++test,
	       fma ? "with FMA" : "in portable C");
	printf("# ratios are userspace time / engine time (1.0 = as fast as userspace)%s\n",
	       accel && strstr(accel, "tcg") ?
	       "; TCG: these are emulated-CPU numbers" : "");

	mvgpu_ctx_close(&c);
	mdev_remove(uuid);
	sysfs_write_str("/sys/module/mvgpu/parameters/watchdog_ms", "500");
	return 0;
}
