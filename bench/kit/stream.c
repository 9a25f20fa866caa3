/* Streaming kernels: see stream.h. */
#include "stream.h"

/* may_alias: the region is also written byte-wise (first touch). */
typedef uint64_t mt_vec __attribute__((vector_size(16), may_alias));

uint64_t mt_stream_read(const void *p, uint64_t lines)
{
	const mt_vec *v = p;
	mt_vec a0 = { 0, 0 }, a1 = { 0, 0 }, a2 = { 0, 0 }, a3 = { 0, 0 };

	for (uint64_t i = 0; i < lines * 4; i += 4) {
		a0 += v[i];
		a1 += v[i + 1];
		a2 += v[i + 2];
		a3 += v[i + 3];
	}
	a0 += a1 + a2 + a3;
	return a0[0] + a0[1];
}

void mt_stream_write(void *p, uint64_t lines, uint64_t v)
{
	mt_vec *w = p;
	mt_vec x = { v, ~v };
	const mt_vec step = { 1, 1 };

	for (uint64_t i = 0; i < lines * 4; i += 4) {
		w[i] = x;
		w[i + 1] = x;
		w[i + 2] = x;
		w[i + 3] = x;
		x += step;
	}
	/* The stores are observed: the compiler may not drop them. */
	__asm__ __volatile__("" : : "r"(w) : "memory");
}
