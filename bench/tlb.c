/* TLB reach: latency of a dependent random chase against working-set size,
 * per page backing (4k, thp, 2m, 1g) and pattern (line: every cache line;
 * page: one line per 4 KiB page, so the TLB footprint grows while the cache
 * footprint stays small). Where the 4k curve leaves the huge-page curves is
 * the reach of the last-level TLB with 4 KiB pages.
 *
 * The working set is the size asked for. A hugetlb or THP mapping is
 * rounded up to whole huge pages and the chase runs over the first
 * size_bytes of it, as multichase does, so that every backing has a point
 * at every size and the curves can be compared size by size; verify records
 * the bytes actually mapped (mapped_bytes) and the page size obtained.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/fsroot.h"
#include "../core/log.h"
#include "../core/units.h"
#include "bench.h"
#include "kit/chase.h"
#include "kit/region.h"

#define LINE_STRIDE 64ull
#define PAGE_STRIDE 4096ull
#define THP_SIZE (2ull << 20)

/* Sizes of `memtune run --quick` when the configuration does not set
 * tlb.sizes: the caches (64K, 1M), every 1.25 to 1.5 times between 2 and
 * 32 MiB (the reach of an L2 TLB of 2048 or 3072 entries with 4 KiB pages,
 * 8 or 12 MiB, with points either side), and two sizes past it where page
 * walks start to miss the caches. */
#define TLB_QUICK_SIZES "64K,1M,2M,3M,4M,5M,6M,8M,10M,12M,16M,24M,32M,64M,256M"

/* THP coverage below this fraction makes a thp case untrustworthy, for
 * working sets of at least THP_CHECK_MIN bytes (smaller ones may
 * legitimately sit in one partly huge region). */
#define THP_MIN_COVERAGE 0.5
#define THP_CHECK_MIN (4ull << 20)

static const char *const tlb_patterns[] = { "line", "page", NULL };

/* The keys of [tlb], rows of tlb_params. */
enum tlb_param {
	TLB_SIZES,
	TLB_BACKINGS,
	TLB_PATTERNS,
	TLB_HUGETLB_RESERVE,
	TLB_MAX_SIZE,
	TLB_NPARAMS
};

static const struct mt_param tlb_params[] = {
	[TLB_SIZES] = { .key = "sizes",
			.type = MT_P_SIZE_LIST,
			.def = "4K..1G*2,3M,6M,12M,24M",
			.help = "working-set sizes to chase (--quick without this key: " TLB_QUICK_SIZES
				")" },
	[TLB_BACKINGS] = { .key = "backings",
			   .type = MT_P_WORDS,
			   .def = "4k,thp,2m,1g",
			   .help = "page backings: 4k, thp (madvise), 2m and 1g (hugetlb), "
				   "system (no madvise: the THP mode decides)",
			   .choices = mt_backing_names },
	[TLB_PATTERNS] = { .key = "patterns",
			   .type = MT_P_WORDS,
			   .def = "line,page",
			   .help = "line: every 64 B line in random order; page: one line "
				   "per 4 KiB page",
			   .choices = tlb_patterns },
	[TLB_HUGETLB_RESERVE] = { .key = "hugetlb_reserve",
				  .type = MT_P_BOOL,
				  .def = "yes",
				  .help = "as root, grow the 2M/1G hugetlb pools for the largest "
					  "size (at most 1/4 of MemTotal; undone afterwards)" },
	[TLB_MAX_SIZE] = { .key = "max_size",
			   .type = MT_P_STRING,
			   .def = "none",
			   .help = "leave out sizes above this: a size, none, or auto: the "
				   "smaller of half of MemTotal and 4 x the 2 MiB L2 TLB "
				   "reach of a large server (4 x 3072 x 2 MiB = 24 GiB)" },
	[TLB_NPARAMS] = MT_PARAMS_END,
};

/* The 2 MiB entries of a large server's L2 TLB, for max_size = auto: AMD
 * Zen 4 and 5 hold 3072 (Intel Sapphire Rapids 2048, shared with 4 KiB
 * pages). A guest's CPU often reports none, so auto assumes the larger
 * rather than reading this machine's. */
#define TLB_SERVER_L2_2M_ENTRIES 3072ull

static const struct mt_metric tlb_metrics[] = {
	{ .name = "latency",
	  .unit = "ns",
	  .derive = MT_NS_PER_OP,
	  .higher_is_better = false },
};

/* One prepared case, in the worker. */
struct tlb_state {
	struct mt_region region;
	void *cursor; /* where the chase stands */
	enum mt_chase_pattern pattern;
	uint64_t working_set;	     /* bytes chased */
	size_t elements;	     /* elements in the cycle */
	uint64_t touch_ns, build_ns; /* set-up costs, for the record */
};

/* x rounded up to a multiple of to (to > 0). */
static uint64_t round_up(uint64_t x, uint64_t to)
{
	return (x + to - 1) / to * to;
}

/* The element spacing of a pattern. */
static uint64_t pattern_stride(enum mt_chase_pattern p)
{
	return p == MT_CHASE_PAGE ? PAGE_STRIDE : LINE_STRIDE;
}

/* Parses "line" or "page". Returns 0 or -EINVAL. */
static int pattern_parse(const char *s, enum mt_chase_pattern *out)
{
	if (strcmp(s, "line") == 0)
		*out = MT_CHASE_LINE;
	else if (strcmp(s, "page") == 0)
		*out = MT_CHASE_PAGE;
	else
		return -EINVAL;
	return 0;
}

/* Bytes to map for a working set: whole huge pages for 2m and 1g, whole
 * 2 MiB units for thp (a region smaller than 2 MiB can never be huge), and
 * whole 4 KiB pages otherwise. */
static uint64_t mapped_size(enum mt_backing b, uint64_t ws)
{
	if (b == MT_BACK_THP || b == MT_BACK_SYS)
		return round_up(ws, THP_SIZE);
	return round_up(ws, mt_backing_page_size(b));
}

/* The size list to use: tlb.sizes, or the quick list when --quick was
 * given and the key was left at its default. *owned is set when the list
 * was allocated here and must be freed. Returns 0 or -errno. */
static int tlb_sizes(const struct mt_env *env, const uint64_t **sizes,
		     size_t *n, uint64_t **owned, struct mt_err *err)
{
	char why[256];
	int ret;

	*owned = NULL;
	if (env->quick && mt_p_is_default(env->params, TLB_SIZES)) {
		ret = mt_parse_size_list(TLB_QUICK_SIZES, owned, n, why,
					 sizeof(why));
		if (ret < 0)
			return mt_err_set(err, ret, MT_ERR_RUNTIME,
					  "tlb: quick size list '%s': %s",
					  TLB_QUICK_SIZES, why);
		*sizes = *owned;
		return 0;
	}
	*sizes = mt_p_sizes(env->params, TLB_SIZES, n);
	return 0;
}

/* The largest size to chase, from max_size: *cap is UINT64_MAX for none;
 * for auto and a size, note says what it is and why (the plan prints it).
 * Returns 0 or -EINVAL (MT_ERR_INPUT) for a value that is none of these. */
static int tlb_cap(const struct mt_env *env, uint64_t *cap, char *note,
		   size_t len, struct mt_err *err)
{
	const char *v = mt_p_string(env->params, TLB_MAX_SIZE);
	uint64_t reach = 4 * TLB_SERVER_L2_2M_ENTRIES * THP_SIZE;
	uint64_t half = env->caps->mem_total / 2;
	char why[256], at[300], a[32], b[32], r[32];

	*cap = UINT64_MAX;
	note[0] = '\0';
	if (!v || strcmp(v, "none") == 0)
		return 0;
	if (strcmp(v, "auto") == 0) {
		*cap = half && half < reach ? half : reach;
		mt_format_bytes((double)*cap, a, sizeof(a));
		mt_format_bytes((double)half, b, sizeof(b));
		mt_format_bytes((double)reach, r, sizeof(r));
		snprintf(note, len,
			 "max_size = auto: sizes above %s left out (the "
			 "smaller of half of MemTotal, %s, and 4 x the L2 "
			 "TLB reach of %llu 2 MiB pages, %s)",
			 a, half ? b : "unknown",
			 (unsigned long long)TLB_SERVER_L2_2M_ENTRIES, r);
		return 0;
	}
	if (mt_parse_size(v, cap, why, sizeof(why)) < 0) {
		mt_p_where(env->params, TLB_MAX_SIZE, at, sizeof(at));
		return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				  "%s: [tlb] key 'max_size': bad value '%s': "
				  "expected none, auto or %s",
				  at, v, why);
	}
	mt_format_bytes((double)*cap, a, sizeof(a));
	snprintf(note, len, "max_size = %s: sizes above %s left out", v, a);
	return 0;
}

/* One case per backing x pattern x size, in that order; sizes holding fewer
 * than two elements of the pattern are left out (a cycle needs two). */
static int tlb_plan(const struct mt_env *env, struct mt_plan *plan,
		    struct mt_err *err)
{
	char *const *backings, *const *patterns;
	size_t nb, np, ns;
	const uint64_t *sizes;
	uint64_t *owned, cap;
	int ret;

	ret = tlb_cap(env, &cap, plan->note, sizeof(plan->note), err);
	if (ret < 0)
		return ret;
	ret = tlb_sizes(env, &sizes, &ns, &owned, err);
	if (ret < 0)
		return ret;
	backings = mt_p_words(env->params, TLB_BACKINGS, &nb);
	patterns = mt_p_words(env->params, TLB_PATTERNS, &np);
	for (size_t b = 0; b < nb; b++) {
		enum mt_backing back;

		if (mt_backing_parse(backings[b], &back) < 0) {
			ret = mt_err_set(err, -EINVAL, MT_ERR_INPUT,
					 "tlb: unknown backing '%s' (expected "
					 "4k, thp, 2m or 1g)",
					 backings[b]);
			goto out_free;
		}
		for (size_t p = 0; p < np; p++) {
			enum mt_chase_pattern pat;

			if (pattern_parse(patterns[p], &pat) < 0) {
				ret = mt_err_set(err, -EINVAL, MT_ERR_INPUT,
						 "tlb: unknown pattern '%s' "
						 "(expected line or page)",
						 patterns[p]);
				goto out_free;
			}
			for (size_t s = 0; s < ns; s++) {
				json_t *params;

				if (sizes[s] < 2 * pattern_stride(pat) ||
				    sizes[s] > cap)
					continue;
				params = json_pack("{s:s, s:s, s:I}", "backing",
						   mt_backing_name(back),
						   "pattern", patterns[p],
						   "size_bytes",
						   (json_int_t)sizes[s]);
				if (!params) {
					ret = mt_err_set(err, -ENOMEM,
							 MT_ERR_RUNTIME,
							 "tlb: out of memory");
					goto out_free;
				}
				ret = mt_plan_add(plan, params, tlb_metrics, 1,
						  MT_CASE_CALIBRATE);
				if (ret < 0) {
					mt_err_set(err, ret, MT_ERR_RUNTIME,
						   "tlb: out of memory");
					goto out_free;
				}
			}
		}
	}
	ret = 0;
out_free:
	free(owned);
	return ret;
}

/* Reserves the hugetlb pages the largest 2m and 1g cases need. */
static int tlb_sys_setup(const struct mt_env *env, json_t *notes,
			 struct mt_err *err)
{
	const uint64_t *sizes;
	uint64_t *owned, largest = 0, cap;
	size_t ns;
	char capped[256];
	int ret;

	ret = tlb_cap(env, &cap, capped, sizeof(capped), err);
	if (ret < 0)
		return ret;
	ret = tlb_sizes(env, &sizes, &ns, &owned, err);
	if (ret < 0)
		return ret;
	for (size_t s = 0; s < ns; s++)
		if (sizes[s] >= 2 * LINE_STRIDE && sizes[s] <= cap &&
		    sizes[s] > largest)
			largest = sizes[s];
	free(owned);
	if (!largest)
		return 0;
	for (enum mt_backing b = MT_BACK_2M; b <= MT_BACK_1G; b++) {
		uint64_t page = mt_backing_page_size(b);
		char key[32];
		json_t *note;

		if (!mt_p_has_word(env->params, TLB_BACKINGS,
				   mt_backing_name(b)))
			continue;
		note = json_object();
		if (!note)
			return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
					  "tlb: out of memory");
		mt_hugetlb_reserve(env, "tlb", TLB_HUGETLB_RESERVE, b,
				   round_up(largest, page) / page, note);
		snprintf(key, sizeof(key), "hugetlb_%s", mt_backing_name(b));
		json_object_set_new(notes, key, note);
	}
	return 0;
}

/* Turns err, the error of a failed hugetlb mapping, into the reason: how
 * many pages are free and the command that reserves enough. */
static void hugetlb_reason(enum mt_backing b, uint64_t map, int e,
			   struct mt_err *err)
{
	uint64_t page = mt_backing_page_size(b), need = map / page, avail;
	struct mt_hugetlb_pool pool;
	struct mt_err perr = { 0 };
	char sz[32], pg[32], path[160];

	mt_format_bytes((double)map, sz, sizeof(sz));
	mt_format_bytes((double)page, pg, sizeof(pg));
	if (mt_hugetlb_pool_read(page, &pool, &perr) < 0) {
		mt_err_why(err,
			   "tlb: cannot map %s of %s "
			   "pages: %s",
			   sz, pg, perr.msg);
		return;
	}
	if (e != ENOMEM) {
		mt_err_prefix(err, "tlb: cannot map %s of %s pages", sz, pg);
		return;
	}
	avail = mt_hugetlb_pool_available(&pool);
	mt_hugetlb_pool_path(page, "nr_hugepages", path, sizeof(path));
	mt_err_why(err,
		   "tlb: cannot map %s of %s pages: only %" PRIu64 " free "
		   "(reserve more with: echo %" PRIu64 " > %s, or run as root "
		   "with hugetlb_reserve = yes)",
		   sz, pg, avail, pool.nr + (need > avail ? need - avail : 0),
		   path);
}

/* Maps the case's region, faults it in and builds the chase. Hugetlb
 * regions the pool cannot hold are skipped with the command that fixes
 * that. */
static enum mt_status tlb_setup(const struct mt_env *env,
				const struct mt_case *c, void **state,
				struct mt_err *err)
{
	const char *bname = json_string_value(json_object_get(c->params,
							      "backing"));
	const char *pname = json_string_value(json_object_get(c->params,
							      "pattern"));
	json_int_t ws = json_integer_value(json_object_get(c->params,
							   "size_bytes"));
	enum mt_chase_pattern pat;
	struct tlb_state *s;
	enum mt_backing b;
	uint64_t t0, t1;
	void **start;
	int ret;

	if (!bname || !pname || mt_backing_parse(bname, &b) < 0 ||
	    pattern_parse(pname, &pat) < 0 ||
	    ws < (json_int_t)(2 * pattern_stride(pat))) {
		mt_err_why(err, "tlb: malformed case (backing, pattern "
				"or size_bytes missing or too small)");
		return MT_FAILED;
	}
	if ((b == MT_BACK_4K || b == MT_BACK_THP || b == MT_BACK_SYS) &&
	    !mt_region_fits(mapped_size(b, (uint64_t)ws), "tlb.sizes", err->msg,
			    sizeof(err->msg)))
		return MT_SKIPPED;
	s = calloc(1, sizeof(*s));
	if (!s) {
		mt_err_why(err, "tlb: out of memory");
		return MT_FAILED;
	}
	s->pattern = pat;
	s->working_set = (uint64_t)ws;
	ret = mt_region_map(&s->region, b, mapped_size(b, (uint64_t)ws), err);
	if (ret < 0) {
		enum mt_status st = MT_FAILED;

		if (b == MT_BACK_2M || b == MT_BACK_1G) {
			hugetlb_reason(b, mapped_size(b, (uint64_t)ws), -ret,
				       err);
			st = MT_SKIPPED;
		} else {
			mt_err_prefix(err, "tlb");
		}
		free(s);
		return st;
	}
	t0 = mt_now_ns();
	mt_region_touch(&s->region);
	t1 = mt_now_ns();
	start = mt_chase_build(s->region.addr, s->working_set, pat, env->seed,
			       &s->elements);
	s->touch_ns = t1 - t0;
	s->build_ns = mt_now_ns() - t1;
	if (!start) {
		mt_err_why(err,
			   "tlb: %lld bytes hold fewer than two "
			   "elements",
			   (long long)ws);
		mt_region_unmap(&s->region);
		free(s);
		return MT_FAILED;
	}
	s->cursor = start;
	*state = s;
	return MT_OK;
}

/* Takes iters dependent steps; the end of the chain stays in the state so
 * that the loads are live. */
static int tlb_run(void *state, uint64_t iters, struct mt_sample *smp,
		   struct mt_err *err)
{
	struct tlb_state *s = state;

	(void)err;
	mt_chase_run(&s->cursor, iters);
	smp->ops = iters;
	return 0;
}

/* KernelPageSize of the VMA that holds addr, from /proc/self/smaps.
 * Returns 0 or -errno (-ENOENT if no VMA holds it). */
static int kernel_page_size(const void *addr, uint64_t *out)
{
	char *text;
	int ret;

	if (mt_fs_read("/proc/self/smaps", &text, NULL, NULL) < 0)
		return -EIO;
	ret = mt_smaps_page_size(text, (uintptr_t)addr, out);
	free(text);
	return ret;
}

/* Records what the kernel gave: the page size really backing the region,
 * THP coverage, residency, the mapping's size and the set-up costs. A thp
 * region of 4 MiB or more that is mostly 4 KiB pages, a 4k region that got
 * huge pages, or a hugetlb region with the wrong page size is
 * untrustworthy. */
static enum mt_status tlb_verify(void *state, json_t *obtained,
				 struct mt_err *err)
{
	struct tlb_state *s = state;
	const struct mt_region *r = &s->region;
	uint64_t huge = 0, rss = 0, kps = 0, page;
	enum mt_status st = MT_OK;
	double cov;
	char sz[32];

	json_object_set_new(obtained, "elements",
			    json_integer((json_int_t)s->elements));
	json_object_set_new(obtained, "mapped_bytes",
			    json_integer((json_int_t)r->size));
	json_object_set_new(obtained, "touch_ms",
			    json_real((double)s->touch_ns / 1e6));
	json_object_set_new(obtained, "build_ms",
			    json_real((double)s->build_ns / 1e6));
	if (mt_region_smaps(r, &huge, &rss, err) < 0) {
		mt_err_prefix(err, "tlb: cannot check the region");
		return MT_UNTRUSTWORTHY;
	}
	cov = r->size ? (double)huge / (double)r->size : 0;
	json_object_set_new(obtained, "resident_bytes",
			    json_integer((json_int_t)rss));
	mt_format_bytes((double)s->working_set, sz, sizeof(sz));

	switch (r->backing) {
	case MT_BACK_4K:
	case MT_BACK_THP:
	case MT_BACK_SYS:
		json_object_set_new(obtained, "thp_bytes",
				    json_integer((json_int_t)huge));
		json_object_set_new(obtained, "thp_coverage", json_real(cov));
		page = cov >= 0.5 ? THP_SIZE : 4096;
		json_object_set_new(obtained, "page_size_bytes",
				    json_integer((json_int_t)page));
		if (r->backing == MT_BACK_THP &&
		    s->working_set >= THP_CHECK_MIN && cov < THP_MIN_COVERAGE) {
			mt_err_why(err,
				   "tlb: only %.0f%% of the %s thp region is "
				   "backed by huge pages (check that "
				   "/sys/kernel/mm/transparent_hugepage/enabled "
				   "is madvise or always and that .../defrag "
				   "allows direct compaction for madvised "
				   "regions; memory may be too fragmented)",
				   cov * 100, sz);
			st = MT_UNTRUSTWORTHY;
		} else if (r->backing == MT_BACK_4K && huge > 0) {
			mt_err_why(err,
				   "tlb: %.0f%% of the %s 4k region is backed "
				   "by transparent huge pages despite "
				   "MADV_NOHUGEPAGE",
				   cov * 100, sz);
			st = MT_UNTRUSTWORTHY;
		}
		break;
	case MT_BACK_2M:
	case MT_BACK_1G:
		json_object_set_new(obtained, "hugetlb_mapped",
				    json_boolean(true));
		page = mt_backing_page_size(r->backing);
		if (kernel_page_size(r->addr, &kps) == 0) {
			json_object_set_new(obtained, "page_size_bytes",
					    json_integer((json_int_t)kps));
			if (kps != page) {
				mt_err_why(err,
					   "tlb: the %s hugetlb region has "
					   "%" PRIu64
					   " byte pages, not %" PRIu64,
					   sz, kps, page);
				st = MT_UNTRUSTWORTHY;
			}
		} else {
			json_object_set_new(obtained, "page_size_bytes",
					    json_integer((json_int_t)page));
		}
		break;
	}
	return st;
}

/* Unmaps the region and frees the state (NULL is harmless). */
static void tlb_teardown(void *state)
{
	struct tlb_state *s = state;

	if (!s)
		return;
	mt_region_unmap(&s->region);
	free(s);
}

const struct mt_bench mt_bench_tlb = {
	.name = "tlb",
	.summary = "load latency against working-set size per page backing "
		   "(TLB reach, cache and page-walk costs)",
	.params = tlb_params,
	.needs = 0,
	/* The 2m and 1g backings; their cases skip themselves without a
	 * pool, the 4k and thp cases run. */
	.wants = MT_NEED_HUGETLB,
	.plan = tlb_plan,
	.sys_setup = tlb_sys_setup,
	.setup = tlb_setup,
	.run = tlb_run,
	.verify = tlb_verify,
	.teardown = tlb_teardown,
};
