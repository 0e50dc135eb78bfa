// SPDX-License-Identifier: GPL-2.0
// AXPY_I32: y = a * x + y over count elements, modulo 2^32.  x and y are
// the same range or disjoint.
#version 450
layout(local_size_x = 256) in;
layout(std430, set = 0, binding = 0) buffer Y { uint y[]; };
layout(std430, set = 0, binding = 1) readonly buffer X { uint x[]; };
layout(push_constant) uniform P {
	uint dst;	// word offset of y in binding 0
	uint src;	// word offset of x in binding 1
	uint src2;
	uint count;
	uint value;	// a
} p;

void main()
{
	uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;

	for (uint i = gl_GlobalInvocationID.x; i < p.count; i += stride)
		y[p.dst + i] = p.value * x[p.src + i] + y[p.dst + i];
}
