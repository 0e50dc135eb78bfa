// SPDX-License-Identifier: GPL-2.0
// REDUCE_I32: the 64-bit sum of count unsigned 32-bit elements, as one
// (low, high) pair per workgroup in binding 2; the server adds those up.
// 32-bit arithmetic with carries: shaderInt64 is optional in Vulkan.
#version 450
layout(local_size_x = 256) in;
layout(std430, set = 0, binding = 1) readonly buffer Src { uint s[]; };
layout(std430, set = 0, binding = 2) buffer Part { uvec2 part[]; };
layout(push_constant) uniform P {
	uint dst;
	uint src;	// word offset in binding 1
	uint src2;
	uint count;
	uint value;
} p;

shared uvec2 acc[256];

uvec2 add64(uvec2 a, uvec2 b)
{
	uint carry;
	uint lo = uaddCarry(a.x, b.x, carry);

	return uvec2(lo, a.y + b.y + carry);
}

void main()
{
	uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
	uint l = gl_LocalInvocationID.x;
	uvec2 sum = uvec2(0u);

	for (uint i = gl_GlobalInvocationID.x; i < p.count; i += stride)
		sum = add64(sum, uvec2(s[p.src + i], 0u));
	acc[l] = sum;
	barrier();
	for (uint n = 128u; n > 0u; n >>= 1) {
		if (l < n)
			acc[l] = add64(acc[l], acc[l + n]);
		barrier();
	}
	if (l == 0u)
		part[gl_WorkGroupID.x] = acc[0];
}
