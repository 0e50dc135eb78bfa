// SPDX-License-Identifier: GPL-2.0
/*
 * mvgpu-engined: Vulkan 1.1 compute through the system loader.
 *
 * VRAM is the kernel's (mvgpu_user): the server maps it and imports the
 * mapping with VK_EXT_external_memory_host as one VkDeviceMemory bound to
 * one VkBuffer.  A chunk binds only the ranges it uses, each at most
 * maxStorageBufferRange and at an offset aligned to
 * minStorageBufferOffsetAlignment; the shader gets the rest of the offset
 * as a push constant.  One submission per chunk, one fence per engine;
 * results reach the host through a shader-to-host barrier, and through
 * explicit flushes and invalidations when the imported memory type is
 * not host-coherent.  Nothing here assumes lavapipe's unified memory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/mvgpu.h>

#include "vk.h"

#include "spv_fill.h"
#include "spv_copy.h"
#include "spv_gemm_i32.h"
#include "spv_axpy_i32.h"
#include "spv_reduce_i32.h"
#include "spv_gemm_f32.h"

/* ISA 1.1's GEMM_F32 (the shared opcode numbering). */
#define ENGINED_OP_GEMM_F32	9

/* How long one chunk may take on the device before we give up on it. */
#define VK_FENCE_TIMEOUT_NS	(30ull * 1000000000ull)

struct push {
	uint32_t dst, src, src2, count, value, n, k, pad;
};

#define LOG(...)	fprintf(stderr, "mvgpu-engined: " __VA_ARGS__)

const char *vk_result_str(VkResult r)
{
	switch (r) {
	case VK_SUCCESS: return "VK_SUCCESS";
	case VK_TIMEOUT: return "VK_TIMEOUT";
	case VK_ERROR_OUT_OF_HOST_MEMORY: return "VK_ERROR_OUT_OF_HOST_MEMORY";
	case VK_ERROR_OUT_OF_DEVICE_MEMORY: return "VK_ERROR_OUT_OF_DEVICE_MEMORY";
	case VK_ERROR_INITIALIZATION_FAILED: return "VK_ERROR_INITIALIZATION_FAILED";
	case VK_ERROR_DEVICE_LOST: return "VK_ERROR_DEVICE_LOST";
	case VK_ERROR_EXTENSION_NOT_PRESENT: return "VK_ERROR_EXTENSION_NOT_PRESENT";
	case VK_ERROR_FEATURE_NOT_PRESENT: return "VK_ERROR_FEATURE_NOT_PRESENT";
	case VK_ERROR_INCOMPATIBLE_DRIVER: return "VK_ERROR_INCOMPATIBLE_DRIVER";
	case VK_ERROR_INVALID_EXTERNAL_HANDLE: return "VK_ERROR_INVALID_EXTERNAL_HANDLE";
	default: return "VkResult (other)";
	}
}

int vk_init(struct vk_gpu *g)
{
	VkApplicationInfo app = {
		.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
		.pApplicationName = "mvgpu-engined",
		.apiVersion = VK_API_VERSION_1_1,
	};
	VkInstanceCreateInfo ci = {
		.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
		.pApplicationInfo = &app,
	};
	VkResult r;

	r = vkCreateInstance(&ci, NULL, &g->inst);
	if (r != VK_SUCCESS) {
		LOG("cannot create a Vulkan 1.1 instance: %s (is a Vulkan driver installed?)\n",
		    vk_result_str(r));
		return -1;
	}
	return 0;
}

static bool has_ext(VkPhysicalDevice p, const char *name)
{
	VkExtensionProperties *e;
	uint32_t n = 0, i;
	bool found = false;

	vkEnumerateDeviceExtensionProperties(p, NULL, &n, NULL);
	e = calloc(n ? n : 1, sizeof(*e));
	if (!e)
		return false;
	vkEnumerateDeviceExtensionProperties(p, NULL, &n, e);
	for (i = 0; i < n && !found; i++)
		found = !strcmp(e[i].extensionName, name);
	free(e);
	return found;
}

static void describe(VkPhysicalDevice p, unsigned int index,
		     struct vk_dev_info *d)
{
	VkPhysicalDevicePCIBusInfoPropertiesEXT pci = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PCI_BUS_INFO_PROPERTIES_EXT,
	};
	VkPhysicalDeviceExternalMemoryHostPropertiesEXT hm = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_MEMORY_HOST_PROPERTIES_EXT,
	};
	VkPhysicalDeviceProperties2 p2 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
	};
	void **next = &p2.pNext;

	memset(d, 0, sizeof(*d));
	d->index = index;
	d->has_pci = has_ext(p, VK_EXT_PCI_BUS_INFO_EXTENSION_NAME);
	d->has_host_mem = has_ext(p, VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME);
	if (d->has_pci) {
		*next = &pci;
		next = &pci.pNext;
	}
	if (d->has_host_mem)
		*next = &hm;
	vkGetPhysicalDeviceProperties2(p, &p2);
	snprintf(d->name, sizeof(d->name), "%s", p2.properties.deviceName);
	d->type = p2.properties.deviceType;
	d->api = p2.properties.apiVersion;
	if (d->has_pci) {
		d->pci_domain = pci.pciDomain;
		d->pci_bus = pci.pciBus;
		d->pci_dev = pci.pciDevice;
		d->pci_func = pci.pciFunction;
	}
	d->host_align = d->has_host_mem ? hm.minImportedHostPointerAlignment : 0;
}

int vk_list(struct vk_gpu *g, struct vk_dev_info **out, unsigned int *n)
{
	VkPhysicalDevice *p;
	uint32_t cnt = 0, i;

	if (vkEnumeratePhysicalDevices(g->inst, &cnt, NULL) != VK_SUCCESS)
		return -1;
	p = calloc(cnt ? cnt : 1, sizeof(*p));
	*out = calloc(cnt ? cnt : 1, sizeof(**out));
	if (!p || !*out) {
		free(p);
		return -1;
	}
	vkEnumeratePhysicalDevices(g->inst, &cnt, p);
	for (i = 0; i < cnt; i++)
		describe(p[i], i, &(*out)[i]);
	free(p);
	*n = cnt;
	return 0;
}

static VkPhysicalDevice phys_by_index(struct vk_gpu *g, unsigned int index)
{
	VkPhysicalDevice p[64], ret = VK_NULL_HANDLE;
	uint32_t cnt = 64;

	if (vkEnumeratePhysicalDevices(g->inst, &cnt, p) >= 0 && index < cnt)
		ret = p[index];
	return ret;
}

static int make_pipelines(struct vk_gpu *g)
{
	static const struct {
		const uint32_t *code;
		size_t size;
	} spv[VK_PIPE_COUNT] = {
		[VK_PIPE_FILL] = { spv_fill, sizeof(spv_fill) },
		[VK_PIPE_COPY] = { spv_copy, sizeof(spv_copy) },
		[VK_PIPE_GEMM_I32] = { spv_gemm_i32, sizeof(spv_gemm_i32) },
		[VK_PIPE_AXPY_I32] = { spv_axpy_i32, sizeof(spv_axpy_i32) },
		[VK_PIPE_REDUCE_I32] = { spv_reduce_i32, sizeof(spv_reduce_i32) },
		[VK_PIPE_GEMM_F32] = { spv_gemm_f32, sizeof(spv_gemm_f32) },
	};
	VkDescriptorSetLayoutBinding b[3];
	VkDescriptorSetLayoutCreateInfo sl = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
		.bindingCount = 3,
		.pBindings = b,
	};
	VkPushConstantRange pc = {
		.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
		.size = sizeof(struct push),
	};
	VkPipelineLayoutCreateInfo pl = {
		.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
		.setLayoutCount = 1,
		.pSetLayouts = &g->set_layout,
		.pushConstantRangeCount = 1,
		.pPushConstantRanges = &pc,
	};
	unsigned int i;

	for (i = 0; i < 3; i++)
		b[i] = (VkDescriptorSetLayoutBinding) {
			.binding = i,
			.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
			.descriptorCount = 1,
			.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
		};
	if (vkCreateDescriptorSetLayout(g->dev, &sl, NULL, &g->set_layout) ||
	    vkCreatePipelineLayout(g->dev, &pl, NULL, &g->layout))
		return -1;

	for (i = 0; i < VK_PIPE_COUNT; i++) {
		VkShaderModuleCreateInfo sm = {
			.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
			.codeSize = spv[i].size,
			.pCode = spv[i].code,
		};
		VkComputePipelineCreateInfo cp = {
			.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
			.stage = {
				.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
				.stage = VK_SHADER_STAGE_COMPUTE_BIT,
				.pName = "main",
			},
			.layout = g->layout,
		};
		VkResult r;

		if (vkCreateShaderModule(g->dev, &sm, NULL, &cp.stage.module))
			return -1;
		r = vkCreateComputePipelines(g->dev, VK_NULL_HANDLE, 1, &cp,
					     NULL, &g->pipes[i]);
		vkDestroyShaderModule(g->dev, cp.stage.module, NULL);
		if (r != VK_SUCCESS) {
			LOG("cannot build compute pipeline %u: %s\n", i,
			    vk_result_str(r));
			return -1;
		}
	}
	return 0;
}

int vk_open(struct vk_gpu *g, const struct vk_dev_info *info,
	    unsigned int nr_engines)
{
	static const char *const exts[] = {
		VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME,
	};
	VkPhysicalDeviceMaintenance3Properties m3 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES,
	};
	VkPhysicalDeviceProperties2 p2 = {
		.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
		.pNext = &m3,
	};
	VkQueueFamilyProperties qf[32];
	uint32_t nqf = 32, i;
	float prio[16];
	VkDeviceQueueCreateInfo qci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
		.pQueuePriorities = prio,
	};
	VkDeviceCreateInfo dci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
		.queueCreateInfoCount = 1,
		.pQueueCreateInfos = &qci,
		.enabledExtensionCount = 1,
		.ppEnabledExtensionNames = exts,
	};
	VkDescriptorPoolSize ps = {
		.type = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
		.descriptorCount = 3 * nr_engines,
	};
	VkDescriptorPoolCreateInfo dp = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
		.maxSets = nr_engines,
		.poolSizeCount = 1,
		.pPoolSizes = &ps,
	};
	bool found = false;
	VkResult r;

	g->info = *info;
	if (info->api < VK_API_VERSION_1_1) {
		LOG("%s: Vulkan %u.%u, needs 1.1\n", info->name,
		    VK_API_VERSION_MAJOR(info->api),
		    VK_API_VERSION_MINOR(info->api));
		return -1;
	}
	if (!info->has_host_mem) {
		LOG("%s: no VK_EXT_external_memory_host to import VRAM with\n",
		    info->name);
		return -1;
	}
	g->phys = phys_by_index(g, info->index);
	if (!g->phys)
		return -1;
	vkGetPhysicalDeviceProperties2(g->phys, &p2);
	g->props = p2.properties;
	g->max_alloc = m3.maxMemoryAllocationSize;

	/* A compute family; prefer one without graphics (async compute). */
	vkGetPhysicalDeviceQueueFamilyProperties(g->phys, &nqf, qf);
	for (i = 0; i < nqf; i++) {
		if (!(qf[i].queueFlags & VK_QUEUE_COMPUTE_BIT))
			continue;
		if (!found || !(qf[i].queueFlags & VK_QUEUE_GRAPHICS_BIT)) {
			g->family = i;
			found = true;
		}
	}
	if (!found) {
		LOG("%s: no compute queue family\n", info->name);
		return -1;
	}
	g->nr_queues = qf[g->family].queueCount;
	if (g->nr_queues > nr_engines)
		g->nr_queues = nr_engines;
	if (g->nr_queues > 16)
		g->nr_queues = 16;
	for (i = 0; i < g->nr_queues; i++)
		prio[i] = 1.0f;
	qci.queueFamilyIndex = g->family;
	qci.queueCount = g->nr_queues;

	r = vkCreateDevice(g->phys, &dci, NULL, &g->dev);
	if (r != VK_SUCCESS) {
		LOG("%s: cannot create the device: %s\n", info->name,
		    vk_result_str(r));
		return -1;
	}
	for (i = 0; i < g->nr_queues; i++) {
		vkGetDeviceQueue(g->dev, g->family, i, &g->queues[i].queue);
		pthread_mutex_init(&g->queues[i].lock, NULL);
	}
	if (make_pipelines(g))
		return -1;
	if (vkCreateDescriptorPool(g->dev, &dp, NULL, &g->desc_pool))
		return -1;
	g->nr_engines = nr_engines;
	if (g->nr_queues < nr_engines)
		/* The device, not mvgpu, then divides a queue's time. */
		LOG("warning: %u engines on %u queue(s): weights hold with --engines %u\n",
		    nr_engines, g->nr_queues, g->nr_queues);
	LOG("%s: queue family %u, %u queue(s) for %u engines\n",
	    info->name, g->family, g->nr_queues, nr_engines);
	LOG("maxStorageBufferRange %u, offset alignment %llu, host pointer alignment %llu\n",
	    g->props.limits.maxStorageBufferRange,
	    (unsigned long long)g->props.limits.minStorageBufferOffsetAlignment,
	    (unsigned long long)info->host_align);
	return 0;
}

/* A memory type in @bits with @want, preferring @prefer too; -1 if none. */
static int pick_type(struct vk_gpu *g, uint32_t bits,
		     VkMemoryPropertyFlags want, VkMemoryPropertyFlags prefer,
		     VkMemoryPropertyFlags *got)
{
	VkPhysicalDeviceMemoryProperties mp;
	int best = -1;
	uint32_t i;

	vkGetPhysicalDeviceMemoryProperties(g->phys, &mp);
	for (i = 0; i < mp.memoryTypeCount; i++) {
		VkMemoryPropertyFlags f = mp.memoryTypes[i].propertyFlags;

		if (!(bits & (1u << i)) || (f & want) != want)
			continue;
		if (best < 0 || ((f & prefer) == prefer &&
				 (mp.memoryTypes[best].propertyFlags & prefer) != prefer))
			best = i;
	}
	if (best >= 0)
		*got = mp.memoryTypes[best].propertyFlags;
	return best;
}

int vk_import_vram(struct vk_gpu *g, void *vram, uint64_t size)
{
	PFN_vkGetMemoryHostPointerPropertiesEXT get_props =
		(PFN_vkGetMemoryHostPointerPropertiesEXT)
		vkGetDeviceProcAddr(g->dev, "vkGetMemoryHostPointerPropertiesEXT");
	VkMemoryHostPointerPropertiesEXT hp = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_HOST_POINTER_PROPERTIES_EXT,
	};
	VkExternalMemoryBufferCreateInfo ext = {
		.sType = VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO,
		.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT,
	};
	VkBufferCreateInfo bci = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
		.pNext = &ext,
		.size = size,
		.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
		.sharingMode = VK_SHARING_MODE_EXCLUSIVE,
	};
	VkImportMemoryHostPointerInfoEXT imp = {
		.sType = VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT,
		.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT,
		.pHostPointer = vram,
	};
	VkMemoryAllocateInfo mai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
		.pNext = &imp,
		.allocationSize = size,
	};
	VkMemoryRequirements req;
	VkMemoryPropertyFlags flags = 0;
	VkResult r;
	int type;

	if (!get_props)
		return -1;
	if ((uintptr_t)vram % g->info.host_align ||
	    size % g->info.host_align) {
		LOG("VRAM at %p + %llu: not minImportedHostPointerAlignment (%llu)\n",
		    vram, (unsigned long long)size,
		    (unsigned long long)g->info.host_align);
		return -1;
	}
	if (g->max_alloc && size > g->max_alloc) {
		LOG("VRAM of %llu MiB > maxMemoryAllocationSize (%llu MiB): lower --vram-mb\n",
		    (unsigned long long)(size >> 20),
		    (unsigned long long)(g->max_alloc >> 20));
		return -1;
	}
	r = get_props(g->dev, VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT,
		      vram, &hp);
	if (r != VK_SUCCESS) {
		LOG("vkGetMemoryHostPointerPropertiesEXT: %s\n", vk_result_str(r));
		return -1;
	}
	r = vkCreateBuffer(g->dev, &bci, NULL, &g->vram_buf);
	if (r != VK_SUCCESS) {
		LOG("cannot create the VRAM buffer: %s\n", vk_result_str(r));
		return -1;
	}
	vkGetBufferMemoryRequirements(g->dev, g->vram_buf, &req);
	type = pick_type(g, req.memoryTypeBits & hp.memoryTypeBits, 0,
			 VK_MEMORY_PROPERTY_HOST_COHERENT_BIT, &flags);
	if (type < 0) {
		LOG("no memory type can hold both a storage buffer and imported host memory\n");
		return -1;
	}
	mai.memoryTypeIndex = type;
	r = vkAllocateMemory(g->dev, &mai, NULL, &g->vram_mem);
	if (r != VK_SUCCESS) {
		LOG("cannot import the VRAM mapping: %s\n", vk_result_str(r));
		return -1;
	}
	r = vkBindBufferMemory(g->dev, g->vram_buf, g->vram_mem, 0);
	if (r != VK_SUCCESS)
		return -1;
	g->vram = vram;
	g->vram_size = size;
	g->vram_coherent = flags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
	if (!g->vram_coherent && (flags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT)) {
		r = vkMapMemory(g->dev, g->vram_mem, 0, VK_WHOLE_SIZE, 0,
				&g->vram_map);
		if (r != VK_SUCCESS)
			g->vram_map = NULL;
	}
	LOG("imported %llu MiB of VRAM as memory type %d (%s)\n",
	    (unsigned long long)(size >> 20), type,
	    g->vram_coherent ? "host-coherent" :
	    g->vram_map ? "not coherent: flushed and invalidated per chunk" :
	    "not host-visible: relying on the import's own coherence");
	return 0;
}

void vk_release_vram(struct vk_gpu *g)
{
	vkDeviceWaitIdle(g->dev);
	if (g->vram_map)
		vkUnmapMemory(g->dev, g->vram_mem);
	vkDestroyBuffer(g->dev, g->vram_buf, NULL);
	vkFreeMemory(g->dev, g->vram_mem, NULL);
	g->vram_buf = VK_NULL_HANDLE;
	g->vram_mem = VK_NULL_HANDLE;
	g->vram_map = NULL;
	g->vram = NULL;
	g->vram_size = 0;
}

static int engine_init(struct vk_gpu *g, struct vk_engine *e, unsigned int i)
{
	VkCommandPoolCreateInfo cp = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
		.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
		.queueFamilyIndex = g->family,
	};
	VkCommandBufferAllocateInfo cb = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
		.commandBufferCount = 1,
		.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
	};
	VkFenceCreateInfo fc = {
		.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO,
	};
	VkDescriptorSetAllocateInfo ds = {
		.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
		.descriptorPool = g->desc_pool,
		.descriptorSetCount = 1,
		.pSetLayouts = &g->set_layout,
	};
	VkBufferCreateInfo bci = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
		.size = VK_REDUCE_GROUPS * 8,
		.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
		.sharingMode = VK_SHARING_MODE_EXCLUSIVE,
	};
	VkMemoryAllocateInfo mai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
	};
	VkMemoryPropertyFlags flags = 0;
	VkMemoryRequirements req;
	void *p;
	int type;

	e->gpu = g;
	e->index = i;
	e->q = &g->queues[i % g->nr_queues];
	e->part_atom = g->props.limits.nonCoherentAtomSize;
	if (vkCreateCommandPool(g->dev, &cp, NULL, &e->pool))
		return -1;
	cb.commandPool = e->pool;
	if (vkAllocateCommandBuffers(g->dev, &cb, &e->cmd) ||
	    vkCreateFence(g->dev, &fc, NULL, &e->fence) ||
	    vkAllocateDescriptorSets(g->dev, &ds, &e->set) ||
	    vkCreateBuffer(g->dev, &bci, NULL, &e->part_buf))
		return -1;
	vkGetBufferMemoryRequirements(g->dev, e->part_buf, &req);
	type = pick_type(g, req.memoryTypeBits,
			 VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT,
			 VK_MEMORY_PROPERTY_HOST_COHERENT_BIT, &flags);
	if (type < 0)
		return -1;
	mai.allocationSize = req.size;
	mai.memoryTypeIndex = type;
	if (vkAllocateMemory(g->dev, &mai, NULL, &e->part_mem) ||
	    vkBindBufferMemory(g->dev, e->part_buf, e->part_mem, 0) ||
	    vkMapMemory(g->dev, e->part_mem, 0, VK_WHOLE_SIZE, 0, &p))
		return -1;
	e->part = p;
	e->part_coherent = flags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
	return 0;
}

int vk_engines_init(struct vk_gpu *g)
{
	unsigned int i;

	for (i = 0; i < g->nr_engines; i++)
		if (engine_init(g, &g->engines[i], i)) {
			LOG("cannot set up engine %u\n", i);
			return -1;
		}
	return 0;
}

/*
 * A binding for VRAM [off, off + len): *bi covers it from the aligned
 * offset below; returns the remainder in bytes, or -1 if the range is
 * outside VRAM or longer than maxStorageBufferRange allows.
 */
static int64_t bind_range(struct vk_gpu *g, uint64_t off, uint64_t len,
			  VkDescriptorBufferInfo *bi)
{
	uint64_t align = g->props.limits.minStorageBufferOffsetAlignment;
	uint64_t start, end;

	if (!align)
		align = 1;
	if (off > g->vram_size || len > g->vram_size - off || !len)
		return -1;
	start = off - off % align;
	/* Whole 32-bit words: VRAM is a multiple of 16 MiB, so this fits. */
	end = (off + len + 3) & ~3ull;
	if (end - start > g->props.limits.maxStorageBufferRange)
		return -1;
	bi->buffer = g->vram_buf;
	bi->offset = start;
	bi->range = end - start;
	return off - start;
}

static uint32_t groups_for(uint64_t items, uint32_t per_group, uint32_t max)
{
	uint64_t n = (items + per_group - 1) / per_group;

	if (n > max)
		n = max;
	return n ? n : 1;
}

/* The ranges a chunk touches, for flushes of non-coherent memory. */
struct touched {
	uint64_t off[3], len[3];
	unsigned int n;
	int write;	/* index of the written range, or -1 */
};

static void touch(struct touched *t, uint64_t off, uint64_t len, bool write)
{
	if (write)
		t->write = t->n;
	t->off[t->n] = off;
	t->len[t->n] = len;
	t->n++;
}

static void sync_ranges(struct vk_gpu *g, const struct touched *t, bool before)
{
	uint64_t atom = g->props.limits.nonCoherentAtomSize ?
			g->props.limits.nonCoherentAtomSize : 1;
	VkMappedMemoryRange r[3];
	unsigned int i, n = 0;

	if (g->vram_coherent || !g->vram_map)
		return;
	for (i = 0; i < t->n; i++) {
		uint64_t s = t->off[i] - t->off[i] % atom;
		uint64_t e = (t->off[i] + t->len[i] + atom - 1) / atom * atom;

		if (!before && (int)i != t->write)
			continue;
		if (e > g->vram_size)
			e = g->vram_size;
		r[n++] = (VkMappedMemoryRange) {
			.sType = VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE,
			.memory = g->vram_mem,
			.offset = s,
			.size = e - s,
		};
	}
	if (before)
		vkFlushMappedMemoryRanges(g->dev, n, r);
	else if (n)
		vkInvalidateMappedMemoryRanges(g->dev, n, r);
}

int vk_run(struct vk_engine *e, const struct mvgpu_engine_desc *d,
	   uint64_t *result)
{
	struct vk_gpu *g = e->gpu;
	VkDescriptorBufferInfo bi[3];
	VkWriteDescriptorSet w[3];
	struct touched t = { .write = -1 };
	struct push pc = { 0 };
	uint64_t units = d->end - d->begin, n;
	uint32_t gx = 1, gy = 1;
	enum vk_pipe pipe;
	int64_t r0, r1 = 0, r2 = 0;
	unsigned int i;
	VkResult r;

	*result = 0;
	if (d->begin >= d->end)
		return MVGPU_ENGINE_ST_BAD_RANGE;

	/* The server's own range checks: everything inside VRAM. */
	switch (d->opcode) {
	case MVGPU_OP_FILL:
		if (d->end > d->len || d->dst % 4 || d->begin % 4 || units % 4 ||
		    units / 4 > UINT32_MAX)
			return MVGPU_ENGINE_ST_BAD_RANGE;
		pipe = VK_PIPE_FILL;
		r0 = bind_range(g, d->dst + d->begin, units, &bi[0]);
		if (r0 < 0)
			return MVGPU_ENGINE_ST_BAD_RANGE;
		touch(&t, d->dst + d->begin, units, true);
		bi[1] = bi[0];
		bi[2] = bi[0];
		pc.dst = r0 / 4;
		pc.count = units / 4;
		pc.value = d->value;
		gx = groups_for(pc.count, 256, 65535);
		break;
	case MVGPU_OP_COPY:
		if (d->end > d->len || units > UINT32_MAX)
			return MVGPU_ENGINE_ST_BAD_RANGE;
		pipe = VK_PIPE_COPY;
		r0 = bind_range(g, d->dst + d->begin, units, &bi[0]);
		r1 = bind_range(g, d->src + d->begin, units, &bi[1]);
		if (r0 < 0 || r1 < 0)
			return MVGPU_ENGINE_ST_BAD_RANGE;
		touch(&t, d->dst + d->begin, units, true);
		touch(&t, d->src + d->begin, units, false);
		bi[2] = bi[0];
		pc.dst = r0;
		pc.src = r1;
		pc.count = units;
		gx = groups_for(units / 4 + 2, 256, 65535);
		break;
	case MVGPU_OP_AXPY_I32:
		if (d->end > d->len || d->dst % 4 || d->src % 4 ||
		    units > UINT32_MAX)
			return MVGPU_ENGINE_ST_BAD_RANGE;
		pipe = VK_PIPE_AXPY_I32;
		r0 = bind_range(g, d->dst + d->begin * 4, units * 4, &bi[0]);
		r1 = bind_range(g, d->src + d->begin * 4, units * 4, &bi[1]);
		if (r0 < 0 || r1 < 0)
			return MVGPU_ENGINE_ST_BAD_RANGE;
		touch(&t, d->dst + d->begin * 4, units * 4, true);
		touch(&t, d->src + d->begin * 4, units * 4, false);
		bi[2] = bi[0];
		pc.dst = r0 / 4;
		pc.src = r1 / 4;
		pc.count = units;
		pc.value = d->value;
		gx = groups_for(units, 256, 65535);
		break;
	case MVGPU_OP_REDUCE_I32:
		if (d->end > d->len || d->src % 4 || units > UINT32_MAX)
			return MVGPU_ENGINE_ST_BAD_RANGE;
		pipe = VK_PIPE_REDUCE_I32;
		r1 = bind_range(g, d->src + d->begin * 4, units * 4, &bi[1]);
		if (r1 < 0)
			return MVGPU_ENGINE_ST_BAD_RANGE;
		touch(&t, d->src + d->begin * 4, units * 4, false);
		bi[0] = bi[1];
		bi[2] = (VkDescriptorBufferInfo) { e->part_buf, 0,
						  VK_REDUCE_GROUPS * 8 };
		pc.src = r1 / 4;
		pc.count = units;
		gx = groups_for(units, 256, VK_REDUCE_GROUPS);
		break;
	case MVGPU_OP_GEMM_I32:
	case ENGINED_OP_GEMM_F32:
		if (!d->m || !d->n || !d->k || d->m > MVGPU_GEMM_MAX_DIM ||
		    d->n > MVGPU_GEMM_MAX_DIM || d->k > MVGPU_GEMM_MAX_DIM ||
		    d->end > d->m || d->dst % 4 || d->src % 4 || d->src2 % 4)
			return MVGPU_ENGINE_ST_BAD_RANGE;
		pipe = d->opcode == MVGPU_OP_GEMM_I32 ? VK_PIPE_GEMM_I32 :
						      VK_PIPE_GEMM_F32;
		n = (uint64_t)d->n * 4;
		r0 = bind_range(g, d->dst + d->begin * n, units * n, &bi[0]);
		r1 = bind_range(g, d->src + d->begin * d->k * 4,
				units * d->k * 4, &bi[1]);
		r2 = bind_range(g, d->src2, (uint64_t)d->k * n, &bi[2]);
		if (r0 < 0 || r1 < 0 || r2 < 0)
			return MVGPU_ENGINE_ST_BAD_RANGE;
		touch(&t, d->dst + d->begin * n, units * n, true);
		touch(&t, d->src + d->begin * d->k * 4, units * d->k * 4, false);
		touch(&t, d->src2, (uint64_t)d->k * n, false);
		pc.dst = r0 / 4;
		pc.src = r1 / 4;
		pc.src2 = r2 / 4;
		pc.count = units;
		pc.n = d->n;
		pc.k = d->k;
		gx = groups_for(d->n, 16, 65535);
		gy = groups_for(units, 16, 65535);
		break;
	default:
		return MVGPU_ENGINE_ST_UNSUPPORTED;
	}

	for (i = 0; i < 3; i++)
		w[i] = (VkWriteDescriptorSet) {
			.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
			.dstSet = e->set,
			.dstBinding = i,
			.descriptorCount = 1,
			.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
			.pBufferInfo = &bi[i],
		};
	vkUpdateDescriptorSets(g->dev, 3, w, 0, NULL);

	{
		VkCommandBufferBeginInfo begin = {
			.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
			.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
		};
		VkMemoryBarrier to_host = {
			.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
			.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT,
			.dstAccessMask = VK_ACCESS_HOST_READ_BIT,
		};
		VkSubmitInfo si = {
			.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
			.commandBufferCount = 1,
			.pCommandBuffers = &e->cmd,
		};

		vkResetCommandBuffer(e->cmd, 0);
		vkBeginCommandBuffer(e->cmd, &begin);
		vkCmdBindPipeline(e->cmd, VK_PIPELINE_BIND_POINT_COMPUTE,
				  g->pipes[pipe]);
		vkCmdBindDescriptorSets(e->cmd, VK_PIPELINE_BIND_POINT_COMPUTE,
					g->layout, 0, 1, &e->set, 0, NULL);
		vkCmdPushConstants(e->cmd, g->layout,
				   VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(pc),
				   &pc);
		vkCmdDispatch(e->cmd, gx, gy, 1);
		vkCmdPipelineBarrier(e->cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
				     VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &to_host,
				     0, NULL, 0, NULL);
		r = vkEndCommandBuffer(e->cmd);
		if (r != VK_SUCCESS)
			goto fail;

		sync_ranges(g, &t, true);
		pthread_mutex_lock(&e->q->lock);
		r = vkQueueSubmit(e->q->queue, 1, &si, e->fence);
		pthread_mutex_unlock(&e->q->lock);
		if (r != VK_SUCCESS)
			goto fail;
		r = vkWaitForFences(g->dev, 1, &e->fence, VK_TRUE,
				    VK_FENCE_TIMEOUT_NS);
		if (r != VK_SUCCESS)
			goto fail;
		vkResetFences(g->dev, 1, &e->fence);
		sync_ranges(g, &t, false);
	}

	if (pipe == VK_PIPE_REDUCE_I32) {
		uint64_t sum = 0;

		if (!e->part_coherent) {
			VkMappedMemoryRange mr = {
				.sType = VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE,
				.memory = e->part_mem,
				.size = VK_WHOLE_SIZE,
			};
			vkInvalidateMappedMemoryRanges(g->dev, 1, &mr);
		}
		for (i = 0; i < gx; i++)
			sum += e->part[2 * i] |
			       (uint64_t)e->part[2 * i + 1] << 32;
		*result = sum;
	}
	return MVGPU_ENGINE_ST_OK;

fail:
	LOG("engine %u: %s\n", e->index, vk_result_str(r));
	return -1;
}

void vk_fini(struct vk_gpu *g)
{
	unsigned int i;

	if (g->dev) {
		vkDeviceWaitIdle(g->dev);
		for (i = 0; i < g->nr_engines; i++) {
			struct vk_engine *e = &g->engines[i];

			if (e->part_mem)
				vkFreeMemory(g->dev, e->part_mem, NULL);
			if (e->part_buf)
				vkDestroyBuffer(g->dev, e->part_buf, NULL);
			if (e->fence)
				vkDestroyFence(g->dev, e->fence, NULL);
			if (e->pool)
				vkDestroyCommandPool(g->dev, e->pool, NULL);
		}
		for (i = 0; i < VK_PIPE_COUNT; i++)
			if (g->pipes[i])
				vkDestroyPipeline(g->dev, g->pipes[i], NULL);
		if (g->desc_pool)
			vkDestroyDescriptorPool(g->dev, g->desc_pool, NULL);
		if (g->layout)
			vkDestroyPipelineLayout(g->dev, g->layout, NULL);
		if (g->set_layout)
			vkDestroyDescriptorSetLayout(g->dev, g->set_layout, NULL);
		if (g->vram_buf)
			vkDestroyBuffer(g->dev, g->vram_buf, NULL);
		if (g->vram_mem)
			vkFreeMemory(g->dev, g->vram_mem, NULL);
		vkDestroyDevice(g->dev, NULL);
	}
	if (g->inst)
		vkDestroyInstance(g->inst, NULL);
}
