// SPDX-License-Identifier: GPL-2.0
/*
 * The VFIO device interface of a vGPU: ioctls, region reads and writes,
 * and mmap.  Every value a VFIO user controls is checked here, once, before
 * it reaches config space (cfg.c), registers (mmio.c), interrupts (irq.c)
 * or VRAM (vram.c); those files trust their arguments.
 *
 * Regions follow vfio-pci: BAR0..BAR5, ROM, config, VGA, each at
 * MVGPU_REGION_OFFSET(index).  Only BAR0 (registers), BAR2 (VRAM) and
 * config space have a size; the others report size 0 and reject access.
 */
#include <linux/nospec.h>
#include <linux/uaccess.h>

#include <uapi/linux/mvgpu.h>

#include "cfg.h"
#include "compat.h"
#include "irq.h"
#include "mmio.h"
#include "vfio_ops.h"
#include "vgpu.h"
#include "vram.h"

/* Largest single register access; wider requests are split. */
#define MVGPU_MMIO_ACCESS_MAX	8

/**
 * mvgpu_region_info() - describe one VFIO region
 * @vgpu: the vGPU.
 * @info: in: ->index; out: ->size, ->flags, ->offset.  Nothing else is
 *	written.
 *
 * Return: 0, or -EINVAL for an index that is not a vfio-pci region.
 */
int mvgpu_region_info(struct mvgpu_vgpu *vgpu, struct vfio_region_info *info)
{
	if (info->index >= VFIO_PCI_NUM_REGIONS)
		return -EINVAL;

	info->offset = MVGPU_REGION_OFFSET(info->index);
	info->size = 0;
	info->flags = 0;

	switch (info->index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		info->size = MVGPU_CFG_SIZE;
		info->flags = VFIO_REGION_INFO_FLAG_READ |
			      VFIO_REGION_INFO_FLAG_WRITE;
		break;
	case VFIO_PCI_BAR0_REGION_INDEX + MVGPU_BAR_MMIO:
		info->size = MVGPU_MMIO_SIZE;
		info->flags = VFIO_REGION_INFO_FLAG_READ |
			      VFIO_REGION_INFO_FLAG_WRITE;
		break;
	case VFIO_PCI_BAR0_REGION_INDEX + MVGPU_BAR_VRAM:
		info->size = vgpu->vram_size;
		info->flags = VFIO_REGION_INFO_FLAG_READ |
			      VFIO_REGION_INFO_FLAG_WRITE |
			      VFIO_REGION_INFO_FLAG_MMAP;
		break;
	default:
		break;
	}
	return 0;
}

static u64 mvgpu_region_size(struct mvgpu_vgpu *vgpu, unsigned int index)
{
	struct vfio_region_info info = { .index = index };

	return mvgpu_region_info(vgpu, &info) ? 0 : info.size;
}

static int mvgpu_cfg_rw(struct mvgpu_vgpu *vgpu, char __user *ubuf,
			size_t count, unsigned int off, bool write)
{
	u8 buf[64];
	size_t done, n;

	for (done = 0; done < count; done += n) {
		n = min(count - done, sizeof(buf));
		if (write) {
			if (copy_from_user(buf, ubuf + done, n))
				return -EFAULT;
			mvgpu_cfg_write(vgpu, off + done, buf, n);
		} else {
			mvgpu_cfg_read(vgpu, off + done, buf, n);
			if (copy_to_user(ubuf + done, buf, n))
				return -EFAULT;
		}
	}
	return 0;
}

/*
 * BAR0 accesses are split into naturally aligned pieces of at most 8 bytes.
 * A piece covers one or two 32-bit registers; reads return the bytes of the
 * registers it overlaps, writes reach a register only when they cover all
 * of it (narrower writes are ignored, as the manual says).
 */
static int mvgpu_mmio_rw(struct mvgpu_vgpu *vgpu, char __user *ubuf,
			 size_t count, unsigned int off, bool write)
{
	size_t done, n;

	for (done = 0; done < count; done += n) {
		unsigned int pos = off + done;
		__le32 regs[2];
		unsigned int base, i;

		n = MVGPU_MMIO_ACCESS_MAX;
		while (n > 1 && (pos % n || n > count - done))
			n /= 2;

		base = round_down(pos, 4);
		if (write) {
			if (copy_from_user((u8 *)regs + (pos - base),
					   ubuf + done, n))
				return -EFAULT;
			for (i = 0; n >= 4 && i < n / 4; i++)
				mvgpu_mmio_write32(vgpu, base + 4 * i,
						   le32_to_cpu(regs[i]));
		} else {
			for (i = 0; i < DIV_ROUND_UP(pos - base + n, 4); i++) {
				u32 val = mvgpu_mmio_read32(vgpu, base + 4 * i);

				regs[i] = cpu_to_le32(val);
			}
			if (copy_to_user(ubuf + done,
					 (u8 *)regs + (pos - base), n))
				return -EFAULT;
		}
	}
	return 0;
}

/*
 * The one place where a region access is bounded: the region must exist,
 * and [off, off + count) must lie inside it.  A zero-length access does
 * nothing and returns 0, as read(2) and vfio-pci have it.
 */
static ssize_t mvgpu_region_rw(struct vfio_device *vdev, char __user *ubuf,
			       size_t count, loff_t *ppos, bool write)
{
	struct mvgpu_vgpu *vgpu = vdev_to_vgpu(vdev);
	u64 pos = *ppos;
	unsigned int index = pos >> MVGPU_REGION_SHIFT;
	u64 off = pos & MVGPU_REGION_MASK;
	u64 size;
	int ret;

	if (!count)
		return 0;
	if (index >= VFIO_PCI_NUM_REGIONS)
		return -EINVAL;
	index = array_index_nospec(index, VFIO_PCI_NUM_REGIONS);

	size = mvgpu_region_size(vgpu, index);
	if (off >= size || count > size - off)
		return -EINVAL;

	switch (index) {
	case VFIO_PCI_CONFIG_REGION_INDEX:
		mutex_lock(&vgpu->lock);
		ret = mvgpu_cfg_rw(vgpu, ubuf, count, off, write);
		mutex_unlock(&vgpu->lock);
		break;
	case VFIO_PCI_BAR0_REGION_INDEX + MVGPU_BAR_MMIO:
		mutex_lock(&vgpu->lock);
		ret = mvgpu_mmio_rw(vgpu, ubuf, count, off, write);
		mutex_unlock(&vgpu->lock);
		break;
	case VFIO_PCI_BAR0_REGION_INDEX + MVGPU_BAR_VRAM:
		ret = mvgpu_vram_rw(vgpu, ubuf, count, off, write);
		break;
	default:
		ret = -EINVAL;
	}
	if (ret)
		return ret;

	*ppos += count;
	return count;
}

/**
 * mvgpu_vfio_read() - vfio_device_ops.read: read from a region
 * @vdev: the vGPU's VFIO device.
 * @buf: user buffer.
 * @count: bytes to read.
 * @ppos: region offset (index in bits 40+); advanced on success.
 *
 * Return: @count, or -EINVAL for an access outside a region, -EFAULT.
 */
ssize_t mvgpu_vfio_read(struct vfio_device *vdev, char __user *buf,
			size_t count, loff_t *ppos)
{
	return mvgpu_region_rw(vdev, buf, count, ppos, false);
}

/**
 * mvgpu_vfio_write() - vfio_device_ops.write: write to a region
 * @vdev: the vGPU's VFIO device.
 * @buf: user buffer.
 * @count: bytes to write.
 * @ppos: region offset (index in bits 40+); advanced on success.
 *
 * Return: @count, or -EINVAL for an access outside a region, -EFAULT.
 */
ssize_t mvgpu_vfio_write(struct vfio_device *vdev, const char __user *buf,
			 size_t count, loff_t *ppos)
{
	return mvgpu_region_rw(vdev, (char __user *)buf, count, ppos, true);
}

/**
 * mvgpu_vfio_mmap() - vfio_device_ops.mmap: map the VRAM BAR
 * @vdev: the vGPU's VFIO device.
 * @vma: the mapping; vm_pgoff encodes region index and offset.
 *
 * Only BAR2 can be mapped, shared, and only inside the vGPU's slice.
 * Return: 0, or -EINVAL.
 */
int mvgpu_vfio_mmap(struct vfio_device *vdev, struct vm_area_struct *vma)
{
	struct mvgpu_vgpu *vgpu = vdev_to_vgpu(vdev);
	u64 pos = (u64)vma->vm_pgoff << PAGE_SHIFT;
	u64 len = vma->vm_end - vma->vm_start;
	u64 off = pos & MVGPU_REGION_MASK;

	if (pos >> MVGPU_REGION_SHIFT !=
	    VFIO_PCI_BAR0_REGION_INDEX + MVGPU_BAR_VRAM)
		return -EINVAL;
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (off >= vgpu->vram_size || len > vgpu->vram_size - off)
		return -EINVAL;

	return mvgpu_vram_mmap(vgpu, vma, off);
}

static long mvgpu_ioctl_get_info(struct mvgpu_vgpu *vgpu, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info = {};

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;

	/* No capabilities: cap_offset (and what follows) goes out as 0. */
	info.flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
	info.num_regions = VFIO_PCI_NUM_REGIONS;
	info.num_irqs = VFIO_PCI_NUM_IRQS;

	return copy_to_user(arg, &info, min_t(size_t, info.argsz,
					      sizeof(info))) ? -EFAULT : 0;
}

#ifndef MVGPU_HAVE_GET_REGION_INFO_CAPS
static long mvgpu_ioctl_get_region_info(struct mvgpu_vgpu *vgpu,
					void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_region_info info;
	int ret;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;

	ret = mvgpu_region_info(vgpu, &info);
	if (ret)
		return ret;
	info.cap_offset = 0;	/* no capability chains */

	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}
#endif

static long mvgpu_ioctl_get_irq_info(struct mvgpu_vgpu *vgpu,
				     void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_info, count);
	struct vfio_irq_info info;
	int ret;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;

	ret = mvgpu_irq_info(vgpu, &info);
	if (ret)
		return ret;

	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

static long mvgpu_ioctl_set_irqs(struct mvgpu_vgpu *vgpu, void __user *arg)
{
	unsigned long minsz = offsetofend(struct vfio_irq_set, count);
	struct vfio_irq_set hdr;
	struct vfio_irq_info info;
	size_t data_size = 0;
	void *data = NULL;
	int ret;

	if (copy_from_user(&hdr, arg, minsz))
		return -EFAULT;

	/* Counts per index come from the same table GET_IRQ_INFO reports. */
	info.index = hdr.index;
	if (mvgpu_irq_info(vgpu, &info))
		return -EINVAL;
	ret = vfio_set_irqs_validate_and_prepare(&hdr, info.count,
						 VFIO_PCI_NUM_IRQS, &data_size);
	if (ret)
		return ret;

	if (data_size) {
		data = memdup_user(arg + minsz, data_size);
		if (IS_ERR(data))
			return PTR_ERR(data);
	}

	mutex_lock(&vgpu->lock);
	ret = mvgpu_irq_set(vgpu, &hdr, data);
	mutex_unlock(&vgpu->lock);

	kfree(data);
	return ret;
}

/**
 * mvgpu_vfio_ioctl() - vfio_device_ops.ioctl
 * @vdev: the vGPU's VFIO device.
 * @cmd: VFIO_DEVICE_* command.
 * @arg: user pointer to the command's structure.
 *
 * Return: 0 or a negative errno; -ENOTTY for commands we do not implement.
 */
long mvgpu_vfio_ioctl(struct vfio_device *vdev, unsigned int cmd,
		      unsigned long arg)
{
	struct mvgpu_vgpu *vgpu = vdev_to_vgpu(vdev);
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VFIO_DEVICE_GET_INFO:
		return mvgpu_ioctl_get_info(vgpu, uarg);
#ifndef MVGPU_HAVE_GET_REGION_INFO_CAPS
	case VFIO_DEVICE_GET_REGION_INFO:
		return mvgpu_ioctl_get_region_info(vgpu, uarg);
#endif
	case VFIO_DEVICE_GET_IRQ_INFO:
		return mvgpu_ioctl_get_irq_info(vgpu, uarg);
	case VFIO_DEVICE_SET_IRQS:
		return mvgpu_ioctl_set_irqs(vgpu, uarg);
	case VFIO_DEVICE_RESET:
		/* A function-level reset: config space too. */
		mutex_lock(&vgpu->lock);
		mvgpu_cfg_init(vgpu);
		mvgpu_vgpu_reset(vgpu);
		vgpu->stats.resets++;
		mutex_unlock(&vgpu->lock);
		return 0;
	}
	return -ENOTTY;
}
