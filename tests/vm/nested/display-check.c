// SPDX-License-Identifier: GPL-2.0
/*
 * display-check - the host (L1) half of nested_display_test.sh: asks the
 * nested guest's QEMU for a screendump over QMP and compares it, pixel
 * for pixel, with the pattern tests/guest/mvgpu-draw.c drew.
 *
 * Usage: display-check QMP_SOCKET OUT.ppm WIDTH HEIGHT SEED
 *   SEED 0 expects a black screen of any size (WIDTH and HEIGHT ignored).
 * Prints "size=<w>x<h> mismatches=<n> first=<x>,<y>" and exits 0 when the
 * screen is as expected, 1 when not, 2 on errors.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* The pattern; the same function as in tests/guest/mvgpu-draw.c. */
static uint32_t mvgpu_draw_pixel(unsigned int seed, unsigned int x,
				 unsigned int y)
{
	return ((seed * 0x9e3779b9u) ^ (x * 0x01000193u) ^ (y << 9) ^
		(x * y)) & 0xffffff;
}

/* Send one QMP command and read until its "return" or "error". */
static int qmp(FILE *f, const char *cmd)
{
	char line[4096];

	fprintf(f, "%s\n", cmd);
	fflush(f);
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "\"return\""))
			return 0;
		if (strstr(line, "\"error\"")) {
			fprintf(stderr, "display-check: %s -> %s", cmd, line);
			return -1;
		}
	}
	return -1;
}

static int dump_screen(const char *sock, const char *out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char cmd[512], line[4096];
	FILE *f;
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("display-check: connect");
		return -1;
	}
	f = fdopen(fd, "r+");
	if (!f || !fgets(line, sizeof(line), f))	/* the greeting */
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "{\"execute\":\"screendump\",\"arguments\":{\"filename\":\"%s\"}}",
		 out);
	if (qmp(f, "{\"execute\":\"qmp_capabilities\"}") || qmp(f, cmd))
		return -1;
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int w, h, seed, pw, ph, maxv, x, y;
	unsigned long bad = 0, fx = 0, fy = 0;
	uint8_t *px;
	FILE *f;

	if (argc != 6) {
		fprintf(stderr, "usage: %s QMP_SOCKET OUT.ppm WIDTH HEIGHT SEED\n",
			argv[0]);
		return 2;
	}
	w = atoi(argv[3]);
	h = atoi(argv[4]);
	seed = atoi(argv[5]);
	if (dump_screen(argv[1], argv[2]))
		return 2;
	f = fopen(argv[2], "rb");
	if (!f || fscanf(f, "P6 %u %u %u", &pw, &ph, &maxv) != 3 ||
	    fgetc(f) == EOF || maxv != 255) {
		fprintf(stderr, "display-check: %s is not a PPM\n", argv[2]);
		return 2;
	}
	px = malloc((size_t)pw * ph * 3);
	if (!px || fread(px, 3, (size_t)pw * ph, f) != (size_t)pw * ph)
		return 2;
	for (y = 0; y < ph; y++)
		for (x = 0; x < pw; x++) {
			const uint8_t *p = px + ((size_t)y * pw + x) * 3;
			uint32_t got = p[0] << 16 | p[1] << 8 | p[2];
			uint32_t want = seed ? mvgpu_draw_pixel(seed, x, y) : 0;

			if (got != want && !bad++) {
				fx = x;
				fy = y;
			}
		}
	printf("size=%ux%u mismatches=%lu first=%lu,%lu\n", pw, ph, bad, fx, fy);
	return (seed && (pw != w || ph != h)) || bad ? 1 : 0;
}
