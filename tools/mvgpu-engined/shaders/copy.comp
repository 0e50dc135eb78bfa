// SPDX-License-Identifier: GPL-2.0
// COPY: count bytes from byte src of binding 1 to byte dst of binding 0,
// any alignment; the ranges do not overlap.  Each invocation owns whole
// destination words.  A word only partly inside the range (at most the
// first and the last) is merged with atomics, so the bytes next to the
// range, which another queue may be writing, are never rewritten.
#version 450
layout(local_size_x = 256) in;
layout(std430, set = 0, binding = 0) buffer Dst { uint d[]; };
layout(std430, set = 0, binding = 1) readonly buffer Src { uint s[]; };
layout(push_constant) uniform P {
	uint dst;	// byte offset in binding 0
	uint src;	// byte offset in binding 1
	uint src2;
	uint count;	// bytes, > 0
	uint value;
} p;

uint src_byte(uint b)
{
	return (s[b >> 2] >> ((b & 3u) * 8u)) & 0xffu;
}

void main()
{
	uint first = p.dst >> 2;
	uint last = (p.dst + p.count - 1u) >> 2;
	uint words = last - first + 1u;
	uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;

	for (uint i = gl_GlobalInvocationID.x; i < words; i += stride) {
		uint w = first + i;
		uint lo = max(w * 4u, p.dst);
		uint hi = min(w * 4u + 4u, p.dst + p.count);

		if (lo == w * 4u && hi == w * 4u + 4u) {
			uint sb = p.src + (lo - p.dst);
			uint sh = (sb & 3u) * 8u;
			uint v = s[sb >> 2];

			if (sh != 0u)
				v = (v >> sh) | (s[(sb >> 2) + 1u] << (32u - sh));
			d[w] = v;
		} else {
			uint mask = 0u, v = 0u;

			for (uint b = lo; b < hi; b++) {
				uint sh = (b & 3u) * 8u;

				mask |= 0xffu << sh;
				v |= src_byte(p.src + (b - p.dst)) << sh;
			}
			atomicAnd(d[w], ~mask);
			atomicOr(d[w], v);
		}
	}
}
