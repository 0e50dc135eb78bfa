// SPDX-License-Identifier: GPL-2.0
// GEMM_F32: rows [0, rows) of C = A x B, row-major; binding 0 holds
// the chunk's rows of C, binding 1 the same rows of A, binding 2 all of
// B.  One invocation per element of C, sums in binary32, k in ascending order.  No shared
// memory and no barriers: lavapipe runs barriers as coroutine switches,
// which made a 16 x 16 tiled version some ten times slower there, and a
// GPU's caches serve the re-reads of A's row and B's column.
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

void main()
{
	uint col = gl_GlobalInvocationID.x;
	uint row = gl_GlobalInvocationID.y;
	uint ai = p.src + row * p.k;
	uint bi = p.src2 + col;
	float sum = 0.0;

	if (row >= p.rows || col >= p.n)
		return;
	for (uint l = 0u; l < p.k; l++, bi += p.n)
		sum += a[ai + l] * b[bi];
	c[p.dst + row * p.n + col] = sum;
}
