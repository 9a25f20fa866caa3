/* Pointer chasing over a random single cycle built in place (Sattolo).
 *
 * The region itself holds the permutation while it is built: the first 8
 * bytes of element i start as the index i, Sattolo's shuffle permutes those
 * slots, and one sequential pass then turns each index into the address of
 * the element it names. No side array is needed, so a 1 GiB region costs
 * nothing beyond itself. Each swap touches one random element; the random
 * indices do not depend on the data, so they are drawn PREFETCH_AHEAD steps
 * early and their lines prefetched, which lets many cache and TLB misses
 * overlap and keeps the build of a 1 GiB chain to a second or two.
 */
#include "chase.h"

#include <stdbool.h>

#define LINE_SIZE 64u
#define PAGE_SIZE_4K 4096u
#define LINES_PER_PAGE (PAGE_SIZE_4K / LINE_SIZE)

/* How many swaps ahead the random element is prefetched: enough to cover a
 * TLB miss plus a DRAM access (~300 ns) at a few ns per swap. Power of 2. */
#define PREFETCH_AHEAD 32u

/* Layout of one build: where element i lives. */
struct layout {
	char *base;
	size_t stride;
	bool page;
	uint64_t seed;
};

/* Address of element i. For PAGE, the line inside page i is a hash of
 * (seed, i): deterministic, so nothing needs remembering, and random, so
 * the elements do not all share the same cache sets. */
static inline uint64_t *elem(const struct layout *l, size_t i)
{
	char *p = l->base + i * l->stride;

	if (l->page)
		p += (mt_mix64(l->seed ^
			       ((uint64_t)i * 0xD6E8FEB86659FD93ull)) %
		      LINES_PER_PAGE) *
		     LINE_SIZE;
	return (uint64_t *)(void *)p;
}

void **mt_chase_build(void *base, size_t size, enum mt_chase_pattern p,
		      uint64_t seed, size_t *count)
{
	struct layout l = {
		.base = base,
		.stride = p == MT_CHASE_PAGE ? PAGE_SIZE_4K : LINE_SIZE,
		.page = p == MT_CHASE_PAGE,
		.seed = seed,
	};
	size_t js[PREFETCH_AHEAD];
	uint64_t rng;
	size_t n, i, k, pre;

	if (count)
		*count = 0;
	if (!base || size / l.stride < 2)
		return NULL;
	n = size / l.stride;
	rng = mt_rand_seed(seed);

	for (i = 0; i < n; i++)
		*elem(&l, i) = i;

	/* Sattolo: for i = n-1 down to 1, swap a[i] with a[j], j uniform in
	 * [0, i). The j of step i is drawn when step i + PREFETCH_AHEAD runs,
	 * so js[] is a ring indexed by i mod PREFETCH_AHEAD. */
	pre = n - 1 < PREFETCH_AHEAD ? n - 1 : PREFETCH_AHEAD;
	for (k = 0; k < pre; k++) {
		i = n - 1 - k;
		js[i % PREFETCH_AHEAD] = (size_t)mt_rand_below(&rng, i);
		__builtin_prefetch(elem(&l, js[i % PREFETCH_AHEAD]), 1, 0);
	}
	for (i = n - 1; i >= 1; i--) {
		size_t j = js[i % PREFETCH_AHEAD];
		uint64_t *ai = elem(&l, i), *aj = elem(&l, j);
		uint64_t t = *ai;

		if (i > PREFETCH_AHEAD) {
			size_t f = i - PREFETCH_AHEAD; /* a future step */

			js[f % PREFETCH_AHEAD] = (size_t)mt_rand_below(&rng, f);
			__builtin_prefetch(elem(&l, js[f % PREFETCH_AHEAD]), 1,
					   0);
			__builtin_prefetch(elem(&l, f), 1, 0);
		}
		*ai = *aj;
		*aj = t;
	}

	/* Sequential pass: slot i holds the index of its successor. */
	for (i = 0; i < n; i++) {
		uint64_t *e = elem(&l, i);

		*(void **)e = elem(&l, (size_t)*e);
	}
	if (count)
		*count = n;
	return (void **)(void *)elem(&l, 0);
}

/* The step is a macro so that the unrolled body stays one dependent chain
 * of loads that the compiler can neither reorder nor merge. */
#define CHASE_STEP(p) ((p) = (void **)*(p))
#define CHASE_STEP4(p) \
	do { \
		CHASE_STEP(p); \
		CHASE_STEP(p); \
		CHASE_STEP(p); \
		CHASE_STEP(p); \
	} while (0)

void *mt_chase_run(void **cursor, uint64_t n)
{
	void **p = (void **)*cursor;

	while (n >= 16) {
		CHASE_STEP4(p);
		CHASE_STEP4(p);
		CHASE_STEP4(p);
		CHASE_STEP4(p);
		n -= 16;
	}
	while (n--)
		CHASE_STEP(p);
	*cursor = p;
	return p;
}
