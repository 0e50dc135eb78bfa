// SPDX-License-Identifier: GPL-2.0
// FILL: count 32-bit words at word dst of binding 0 get value.
#version 450
layout(local_size_x = 256) in;
layout(std430, set = 0, binding = 0) buffer Dst { uint d[]; };
layout(push_constant) uniform P {
	uint dst;	// word offset in binding 0
	uint src;
	uint src2;
	uint count;	// words
	uint value;
} p;

void main()
{
	uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;

	for (uint i = gl_GlobalInvocationID.x; i < p.count; i += stride)
		d[p.dst + i] = p.value;
}
