/* The one table of benchmarks, expanded from benchmarks.def. */
#ifndef MT_REGISTRY_H
#define MT_REGISTRY_H

#include <stddef.h>

#include "../bench.h"

#define MT_BENCH(n) extern const struct mt_bench mt_bench_##n;
#include "../benchmarks.def"
#undef MT_BENCH

/* The benchmarks' names, in run order, NULL-terminated (the choices of
 * [global] benchmarks). */
extern const char *const mt_bench_names[];

/* The table, in run order, and its length. */
const struct mt_bench *const *mt_benchmarks(size_t *n);

/* The benchmark called name (a section name "tlb:variant" finds "tlb"), or
 * NULL. */
const struct mt_bench *mt_bench_find(const char *name);

/* Describes needs and wants bits as text: "root, swap", ">=2 NUMA nodes
 * (some cases)" or "nothing special". */
void mt_needs_text(unsigned needs, unsigned wants, char *buf, size_t len);

/* Checks needs against the machine; false with a reason a person can act
 * on (what is missing and the command that provides it). */
bool mt_needs_met(unsigned needs, const struct mt_caps *caps, char *why,
		  size_t len);

/* Checks a parameter table: keys unique, named a-z/0-9/_, each with help
 * and a known type, and every default resolves. Returns 0 or -EINVAL with
 * err saying what is wrong. */
int mt_bench_check_params(const char *section, const struct mt_param *schema,
			  struct mt_err *err);

/* Checks one descriptor: a valid name, a summary, plan/setup/run/teardown,
 * known needs bits, a well-formed parameter table, and (planning with the
 * defaults) cases whose metrics have a name, a unit, a known derive and a
 * valid slot. Returns 0 or -EINVAL with err set. */
int mt_bench_check(const struct mt_bench *b, struct mt_err *err);

/* mt_bench_check on every benchmark, names unique, and the [global]
 * table. Called at the start of `memtune run` and `list`. */
int mt_bench_check_all(struct mt_err *err);

#endif
