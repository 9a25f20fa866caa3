/* Pointer chasing: dependent loads over a random single cycle (Sattolo's
 * algorithm), so that neither the prefetcher nor out-of-order execution can
 * hide latency, and the loop cannot be deleted by the compiler (DESIGN §6).
 */
#ifndef MT_CHASE_H
#define MT_CHASE_H

#include <stddef.h>
#include <stdint.h>

#include "../../core/rng.h"

enum mt_chase_pattern {
	MT_CHASE_LINE, /* every cache line of the region, random order */
	MT_CHASE_PAGE, /* one line per 4 KiB page at a random line offset,
			 * pages in random order: TLB footprint grows while
			 * the cache footprint stays 64 B per page */
};

/* Builds the cycle in place in [base, base+size): each element stores the
 * address of the next. stride is the element spacing (64 for LINE, 4096 for
 * PAGE). Returns the start pointer, or NULL if size < 2 * stride. The number
 * of elements is written to *count. seed makes it reproducible. */
void **mt_chase_build(void *base, size_t size, enum mt_chase_pattern p,
		      uint64_t seed, size_t *count);

/* Follows the chain for n steps from *cursor, stores the end in *cursor and
 * returns it (so the loads are live). */
void *mt_chase_run(void **cursor, uint64_t n);

#endif
