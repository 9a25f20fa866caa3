/* The one table of benchmarks, expanded from benchmarks.def. */
#ifndef MT_REGISTRY_H
#define MT_REGISTRY_H

#include <stddef.h>

#include "bench.h"

#define MT_BENCH(n) extern const struct mt_bench mt_bench_##n;
#include "benchmarks.def"
#undef MT_BENCH

/* The table, in run order, and its length. */
const struct mt_bench *const *mt_benchmarks(size_t *n);

/* The benchmark called name (a section name "tlb:variant" finds "tlb"), or
 * NULL. */
const struct mt_bench *mt_bench_find(const char *name);

/* Describes needs bits as text: "root, swap" or "nothing special". */
void mt_needs_text(unsigned needs, char *buf, size_t len);

/* Checks needs against the machine; false with a reason a person can act
 * on (what is missing and the command that provides it). */
bool mt_needs_met(unsigned needs, const struct mt_caps *caps, char *why,
		  size_t len);

#endif
