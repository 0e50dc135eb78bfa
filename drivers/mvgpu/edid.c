// SPDX-License-Identifier: GPL-2.0
/*
 * The EDID of the monitor a vGPU starts with: one 128-byte EDID 1.4 base
 * block whose preferred (first detailed) timing is the vGPU's
 * display_mode (sysfs; 1024x768 by default), with reduced-blanking timings
 * at 60 Hz, the established and standard modes up to the display engine's
 * limit, a range-limits and a name descriptor.  QEMU gives region-plane
 * devices no EDID of their own, so this is what a guest sees unless its
 * VFIO user provides one through the EDID region.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/time64.h>

#include <uapi/linux/mvgpu.h>

#include "edid.h"

#define EDID_BLOCK		128
/* Reduced blanking, as in VESA CVT-RB: fixed horizontal blanking, at least
 * 460 us of vertical blanking.
 */
#define RB_HBLANK		160
#define RB_HFRONT		48
#define RB_HSYNC		32
#define RB_VFRONT		3
#define RB_VSYNC		6
#define RB_VBLANK_US		460
#define EDID_REFRESH		60
/* The monitor's size: 96 dpi. */
#define EDID_MM(px)		((px) * 254 / 960)

static void mvgpu_edid_dtd(u8 *d, unsigned int w, unsigned int h)
{
	unsigned int vblank, htotal, vtotal, clk, wmm = EDID_MM(w),
		     hmm = EDID_MM(h);

	vblank = DIV_ROUND_UP(h * RB_VBLANK_US * EDID_REFRESH,
			      USEC_PER_SEC - RB_VBLANK_US * EDID_REFRESH);
	vblank = max(vblank, (unsigned int)(RB_VFRONT + RB_VSYNC + 6));
	htotal = w + RB_HBLANK;
	vtotal = h + vblank;
	clk = DIV_ROUND_UP(htotal * vtotal * EDID_REFRESH, 10000); /* 10 kHz */

	d[0] = clk & 0xff;
	d[1] = clk >> 8;
	d[2] = w & 0xff;
	d[3] = RB_HBLANK & 0xff;
	d[4] = (w >> 8) << 4 | RB_HBLANK >> 8;
	d[5] = h & 0xff;
	d[6] = vblank & 0xff;
	d[7] = (h >> 8) << 4 | vblank >> 8;
	d[8] = RB_HFRONT;
	d[9] = RB_HSYNC;
	d[10] = RB_VFRONT << 4 | RB_VSYNC;
	d[11] = 0;
	d[12] = wmm & 0xff;
	d[13] = hmm & 0xff;
	d[14] = (wmm >> 8) << 4 | hmm >> 8;
	d[15] = 0;
	d[16] = 0;
	d[17] = 0x1a;	/* digital separate sync, hsync +, vsync - */
}

/*
 * Standard timings (byte 1: aspect in bits 7:6, refresh - 60): modes a
 * guest may switch to, all within MVGPU_DISP_MAX_WIDTH x _HEIGHT.
 */
static const u8 mvgpu_edid_std[8][2] = {
	{ 1280 / 8 - 31, 0x00 },	/* 1280x800, 16:10 */
	{ 1280 / 8 - 31, 0xc0 },	/* 1280x720, 16:9 */
	{ 1280 / 8 - 31, 0x80 },	/* 1280x1024, 5:4 */
	{ 1440 / 8 - 31, 0x00 },	/* 1440x900 */
	{ 1600 / 8 - 31, 0x40 },	/* 1600x1200, 4:3 */
	{ 1680 / 8 - 31, 0x00 },	/* 1680x1050 */
	{ 1920 / 8 - 31, 0xc0 },	/* 1920x1080 */
	{ 1920 / 8 - 31, 0x00 },	/* 1920x1200 */
};

/**
 * mvgpu_edid_build() - the EDID of a monitor whose preferred mode is given
 * @edid: MVGPU_DISP_EDID_MAX bytes; the first 128 are written, the rest
 *	zeroed.
 * @width: preferred width, within the display engine's limits.
 * @height: preferred height.
 *
 * Return: the EDID's size, 128.
 */
unsigned int mvgpu_edid_build(u8 *edid, unsigned int width,
			      unsigned int height)
{
	static const u8 header[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
	/* The sRGB primaries and white point. */
	static const u8 chroma[10] = {
		0xee, 0x91, 0xa3, 0x54, 0x4c, 0x99, 0x26, 0x0f, 0x50, 0x54,
	};
	/* "MVG": three 5-bit letters, big-endian. */
	const u16 vendor = ('M' - '@') << 10 | ('V' - '@') << 5 | ('G' - '@');
	u8 *d;
	unsigned int i;
	u8 sum = 0;

	memset(edid, 0, MVGPU_DISP_EDID_MAX);
	memcpy(edid, header, sizeof(header));
	edid[8] = vendor >> 8;
	edid[9] = vendor & 0xff;
	edid[10] = MVGPU_PCI_DEVICE_ID & 0xff;
	edid[11] = MVGPU_PCI_DEVICE_ID >> 8;
	edid[17] = 2026 - 1990;		/* model year */
	edid[18] = 1;			/* EDID 1.4 */
	edid[19] = 4;
	edid[20] = 0xa0;		/* digital, 8 bits per colour */
	edid[21] = DIV_ROUND_UP(EDID_MM(MVGPU_DISP_MAX_WIDTH), 10);
	edid[22] = DIV_ROUND_UP(EDID_MM(MVGPU_DISP_MAX_HEIGHT), 10);
	edid[23] = 120;			/* gamma 2.2 */
	edid[24] = 0x06;		/* sRGB, preferred timing is native */
	memcpy(edid + 25, chroma, sizeof(chroma));
	edid[35] = 0x21;		/* 640x480@60, 800x600@60 */
	edid[36] = 0x08;		/* 1024x768@60 */
	memcpy(edid + 38, mvgpu_edid_std, sizeof(mvgpu_edid_std));

	mvgpu_edid_dtd(edid + 54, width, height);

	d = edid + 72;			/* range limits */
	d[3] = 0xfd;
	d[5] = 50;			/* vertical Hz, min and max */
	d[6] = 75;
	d[7] = 30;			/* horizontal kHz, min and max */
	d[8] = 100;
	d[9] = 20;			/* pixel clock, 10 MHz units: 200 MHz */
	d[10] = 0x01;			/* range limits only */
	d[11] = 0x0a;
	memset(d + 12, ' ', 6);

	d = edid + 90;			/* name */
	d[3] = 0xfc;
	memcpy(d + 5, "mvgpu\n       ", 13);

	d = edid + 108;			/* dummy descriptor */
	d[3] = 0x10;

	for (i = 0; i < EDID_BLOCK - 1; i++)
		sum += edid[i];
	edid[EDID_BLOCK - 1] = -sum;
	return EDID_BLOCK;
}
