/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mvgpu-engined: the Vulkan side.  One struct vk_gpu per process: the
 * device, the imported VRAM, the pipelines; one struct vk_engine per
 * mvgpu engine: a command buffer, a fence and a descriptor set, used by
 * that engine's thread only.
 */
#ifndef MVGPU_ENGINED_VK_H
#define MVGPU_ENGINED_VK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <vulkan/vulkan.h>

#include <linux/mvgpu_engine.h>

enum vk_pipe {
	VK_PIPE_FILL,
	VK_PIPE_COPY,
	VK_PIPE_GEMM_I32,
	VK_PIPE_AXPY_I32,
	VK_PIPE_REDUCE_I32,
	VK_PIPE_GEMM_F32,
	VK_PIPE_COUNT
};

/* REDUCE: at most this many workgroups, one partial sum each. */
#define VK_REDUCE_GROUPS	1024

/* One queue of the compute family; engines share queues round-robin. */
struct vk_queue {
	VkQueue queue;
	pthread_mutex_t lock;	/* vkQueueSubmit needs external sync */
};

struct vk_engine {
	struct vk_gpu *gpu;
	unsigned int index;
	struct vk_queue *q;
	VkCommandPool pool;
	VkCommandBuffer cmd;
	VkFence fence;
	VkDescriptorSet set;
	/* REDUCE partial sums: host-visible, VK_REDUCE_GROUPS uvec2s. */
	VkBuffer part_buf;
	VkDeviceMemory part_mem;
	uint32_t *part;
	bool part_coherent;
	VkDeviceSize part_atom;
};

/* What a device offers, for the listing and for picking one. */
struct vk_dev_info {
	unsigned int index;
	char name[VK_MAX_PHYSICAL_DEVICE_NAME_SIZE];
	VkPhysicalDeviceType type;
	bool has_pci;
	uint32_t pci_domain, pci_bus, pci_dev, pci_func;
	bool has_host_mem;
	VkDeviceSize host_align;
	uint32_t api;
};

struct vk_gpu {
	VkInstance inst;
	VkPhysicalDevice phys;
	struct vk_dev_info info;
	VkDevice dev;
	uint32_t family;
	struct vk_queue queues[16];
	unsigned int nr_queues;
	VkPhysicalDeviceProperties props;
	VkDeviceSize max_alloc;

	/* VRAM, as mapped from the kernel and imported. */
	void *vram;
	uint64_t vram_size;
	VkBuffer vram_buf;
	VkDeviceMemory vram_mem;
	bool vram_coherent;
	void *vram_map;		/* vkMapMemory, for flushes when not coherent */

	VkDescriptorSetLayout set_layout;
	VkPipelineLayout layout;
	VkDescriptorPool desc_pool;
	VkPipeline pipes[VK_PIPE_COUNT];

	struct vk_engine engines[16];
	unsigned int nr_engines;
	bool verbose;
};

int vk_init(struct vk_gpu *g);
int vk_list(struct vk_gpu *g, struct vk_dev_info **out, unsigned int *n);
int vk_open(struct vk_gpu *g, const struct vk_dev_info *info,
	    unsigned int nr_engines);
int vk_import_vram(struct vk_gpu *g, void *vram, uint64_t size);
int vk_engines_init(struct vk_gpu *g);
void vk_release_vram(struct vk_gpu *g);
/*
 * Run one chunk; returns MVGPU_ENGINE_ST_*, or -1 when the device is lost
 * (or any other error that makes the device unusable).
 */
int vk_run(struct vk_engine *e, const struct mvgpu_engine_desc *d,
	   uint64_t *result);
void vk_fini(struct vk_gpu *g);
const char *vk_result_str(VkResult r);

/* selftest.c: every opcode against the CPU on 32 MiB at @mem. */
int self_test(struct vk_gpu *g, void *mem);

/* bench.c: the native baseline of make bench-vk, one repetition. */
int bench(struct vk_gpu *g);

#endif /* MVGPU_ENGINED_VK_H */
