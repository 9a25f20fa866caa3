/* The one pseudo-random generator of memtune: xorshift64* for the
 * benchmarks' random orders and offsets (fast, good enough for access
 * patterns, reproducible from a seed; not for anything secret), and the
 * splitmix64 finaliser to turn any seed or index into a well-mixed
 * 64-bit value. */
#ifndef MT_RNG_H
#define MT_RNG_H

#include <stdint.h>

/* splitmix64 finaliser: a well-mixed hash of x (also one step of the
 * splitmix64 generator from state x). */
static inline uint64_t mt_mix64(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

/* A generator state from any seed (0 included): mixed, so that seeds 1, 2,
 * 3 give unrelated sequences, and never 0, where xorshift would stick. */
static inline uint64_t mt_rand_seed(uint64_t seed)
{
	return mt_mix64(seed) | 1;
}

/* xorshift64* step: the next value of the generator in *s (*s != 0). */
static inline uint64_t mt_rand_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1Dull;
}

/* Uniform in [0, n) without modulo bias worth caring about (n < 2^32). */
static inline uint64_t mt_rand_below(uint64_t *s, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)mt_rand_next(s) * n) >> 64);
}

#endif
