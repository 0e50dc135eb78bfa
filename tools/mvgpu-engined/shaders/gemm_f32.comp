// SPDX-License-Identifier: GPL-2.0
// GEMM_F32: rows [0, rows) of C = A x B, row-major; binding 0 holds
// the chunk's rows of C, binding 1 the same rows of A, binding 2 all of
// B.  Sums in binary32, k in order.  16 x 16 tiles through shared memory.
#version 450
layout(local_size_x = 16, local_size_y = 16) in;
layout(std430, set = 0, binding = 0) buffer C { float c[]; };
layout(std430, set = 0, binding = 1) readonly buffer A { float a[]; };
layout(std430, set = 0, binding = 2) readonly buffer B { float b[]; };
layout(push_constant) uniform P {
	uint dst;	// word offsets in bindings 0, 1, 2
	uint src;
	uint src2;
	uint rows;	// rows of this chunk
	uint value;
	uint n;
	uint k;
} p;

shared float ta[16][16];
shared float tb[16][16];

void main()
{
	uint col = gl_GlobalInvocationID.x;
	uint row = gl_GlobalInvocationID.y;
	uint lx = gl_LocalInvocationID.x;
	uint ly = gl_LocalInvocationID.y;
	float sum = 0.0;

	for (uint k0 = 0u; k0 < p.k; k0 += 16u) {
		ta[ly][lx] = row < p.rows && k0 + lx < p.k ?
			a[p.src + row * p.k + k0 + lx] : 0.0;
		tb[ly][lx] = k0 + ly < p.k && col < p.n ?
			b[p.src2 + (k0 + ly) * p.n + col] : 0.0;
		barrier();
		for (uint kk = 0u; kk < 16u; kk++)
			sum += ta[ly][kk] * tb[kk][lx];
		barrier();
	}
	if (row < p.rows && col < p.n)
		c[p.dst + row * p.n + col] = sum;
}
