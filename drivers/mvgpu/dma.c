// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-memory access for engines (COPY with an IOVA side).
 *
 * Every access goes through vfio_dma_rw(), in pieces of at most
 * MVGPU_DMA_PIECE bytes.  The vfio type1 backend does each piece under its
 * own lock, against the mapping as it is at that moment, so an access can
 * never reach a range after VFIO_IOMMU_UNMAP_DMA has removed it: a command
 * that gets there later fails with MVGPU_ERR_DMA.  Because nothing stays
 * pinned, the vGPU needs no dma_unmap callback.
 *
 * Why no pin cache (vfio_pin_pages): type1 unmaps by notifying every
 * device, then checking that no pins remain in the range, and gives up
 * with a BUG_ON after ten rounds.  Engines running between our dma_unmap
 * callback and that check would re-pin the range (a second vGPU in the
 * same container widens the window to a whole callback), so a guest could
 * panic the host; and pinning under a lock that dma_unmap waited for would
 * close a cycle with type1's iommu->lock and device_list_lock.  The bounded
 * piece size keeps type1's lock hold time short instead.
 */
#include <linux/sizes.h>
#include <linux/vfio.h>

#include "mvgpu.h"

/* Largest single vfio_dma_rw() call. */
#define MVGPU_DMA_PIECE		SZ_64K

/**
 * mvgpu_dma_init() - set up guest-memory access for a new vGPU
 * @vgpu: the vGPU.
 */
void mvgpu_dma_init(struct mvgpu_vgpu *vgpu)
{
	vgpu->dma.vgpu = vgpu;
}

/**
 * mvgpu_dma_rw() - copy between a kernel buffer and guest memory
 * @dma: the vGPU's accessor (struct mvgpu_op.dma).
 * @iova: guest I/O virtual address, as mapped in the vGPU's container.
 * @buf: kernel buffer.
 * @len: bytes.
 * @write: true to write guest memory.
 *
 * Context: process (an engine thread); may sleep.
 * Return: 0, or -EFAULT when part of the range is not mapped (the part
 * before it may have been copied).
 */
int mvgpu_dma_rw(struct mvgpu_dma *dma, u64 iova, void *buf, size_t len,
		 bool write)
{
	struct vfio_device *vdev = &dma->vgpu->vdev;
	size_t done, n;

	for (done = 0; done < len; done += n) {
		n = min_t(size_t, len - done, MVGPU_DMA_PIECE);
		if (vfio_dma_rw(vdev, iova + done, buf + done, n, write))
			return -EFAULT;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(mvgpu_dma_rw);
