/* The huge-page benchmark: what each page backing (4 KiB, THP, hugetlb 2 MiB
 * and 1 GiB) costs on first touch, and what it gives to sequential reads,
 * sequential writes and independent random loads over one region.
 *
 * Cases are backing x op. touch maps a fresh region before every sample
 * (prepare) and faults it in (run), so the runner's getrusage counts the
 * faults of exactly one first touch; the other ops map and touch the region
 * once in setup and then stream over it or load from it at random. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "../core/clock.h"
#include "../core/fsroot.h"
#include "bench.h"
#include "kit/chase.h"
#include "kit/region.h"
#include "runner/runner.h"
#include "kit/stream.h"

#define LINE 64u /* bytes one streaming step moves */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SMALL_PAGE 4096u

enum hp_op { HP_TOUCH, HP_SEQREAD, HP_SEQWRITE, HP_RANDOM, HP_N_OPS };

static const char *const hp_op_names[] = { "touch", "seqread", "seqwrite",
					   "random", NULL };

/* The keys of [hugepage], rows of hp_params. */
enum hp_param { HP_SIZE, HP_BACKINGS, HP_OPS, HP_HUGETLB_RESERVE, HP_NPARAMS };

static const struct mt_param hp_params[] = {
	[HP_SIZE] = { .key = "size",
		      .type = MT_P_SIZE,
		      .def = "1G",
		      .help = "bytes of the region of each case (rounded up to the page "
			      "size of the backing)",
		      .min = 2 << 20 },
	[HP_BACKINGS] = { .key = "backings",
			  .type = MT_P_WORDS,
			  .def = "4k,thp,2m,1g",
			  .help = "page backings to compare: 4k, thp, 2m, 1g, system "
				  "(no madvise: the THP mode decides)",
			  .choices = mt_backing_names },
	[HP_OPS] = { .key = "ops",
		     .type = MT_P_WORDS,
		     .def = "touch,seqread,seqwrite,random",
		     .help = "what to measure: touch (first-touch faults), seqread, "
			     "seqwrite, random (independent 8-byte loads)",
		     .choices = hp_op_names },
	[HP_HUGETLB_RESERVE] = { .key = "hugetlb_reserve",
				 .type = MT_P_BOOL,
				 .def = "yes",
				 .help = "as root, reserve the hugetlb pages the 2m and 1g cases "
					 "need (through the journal, at most 1/4 of MemTotal per "
					 "page size; undone after the benchmark)" },
	[HP_NPARAMS] = MT_PARAMS_END,
};

static const struct mt_metric touch_metrics[] = {
	{ "touch_ns_per_4k", "ns", MT_NS_PER_OP, 0, false },
	{ "fault_ns", "ns", MT_NS_PER_FAULT, 0, false },
	{ "faults_per_4k", "faults", MT_FAULTS_PER_OP, 0, false },
	{ "thp_coverage", "fraction", MT_VALUE, 0, true },
};

static const struct mt_metric read_metrics[] = {
	{ "read_bw", "MB/s", MT_MB_PER_S, 0, true },
};

static const struct mt_metric write_metrics[] = {
	{ "write_bw", "MB/s", MT_MB_PER_S, 0, true },
};

static const struct mt_metric random_metrics[] = {
	{ "random_rate", "accesses/s", MT_OPS_PER_S, 0, true },
};

static const struct {
	const struct mt_metric *metrics;
	size_t n;
	enum mt_case_mode mode;
} hp_op_kind[HP_N_OPS] = {
	[HP_TOUCH] = { touch_metrics, ARRAY_SIZE(touch_metrics),
		       MT_CASE_FIXED },
	[HP_SEQREAD] = { read_metrics, ARRAY_SIZE(read_metrics),
			 MT_CASE_CALIBRATE },
	[HP_SEQWRITE] = { write_metrics, ARRAY_SIZE(write_metrics),
			  MT_CASE_CALIBRATE },
	[HP_RANDOM] = { random_metrics, ARRAY_SIZE(random_metrics),
			MT_CASE_CALIBRATE },
};

/* 16 bytes, the SSE2 width every x86-64 has: the streaming loops are
 * written with vectors so that they move full vector widths whatever the
 * optimisation level (gcc 12 at -O2 does not vectorise a loop that needs a
 * scalar epilogue). may_alias because the same memory is also read as
 * uint64_t and written as bytes. */

struct hp_state {
	enum mt_backing backing;
	enum hp_op op;
	size_t size; /* requested bytes */
	struct mt_region r;
	bool fresh;		/* mapped and not yet touched */
	uint64_t lines;		/* r.size / LINE */
	uint64_t pos;		/* next line of the stream */
	uint64_t rng;		/* xorshift state for random */
	uint64_t write_value;	/* varies the stored data */
	uint64_t touches;	/* touch samples so far */
	double first_ns_per_4k; /* the first touch sample, ns */
	bool first_excluded;	/* it was a warm-up sample */
	volatile uint64_t sink; /* keeps the loads live */
};

/* Index of an op name, or -1. */
static int op_parse(const char *s)
{
	for (int i = 0; i < HP_N_OPS; i++)
		if (s && strcmp(s, hp_op_names[i]) == 0)
			return i;
	return -1;
}

/* Expands backings x ops into cases; each case's params are
 * {"backing", "op", "size_bytes"}. */
static int hp_plan(const struct mt_env *env, struct mt_plan *plan,
		   struct mt_err *err)
{
	uint64_t size = mt_p_size(env->params, HP_SIZE);
	char *const *backings, *const *ops;
	size_t nb, no;
	int ret;

	backings = mt_p_words(env->params, HP_BACKINGS, &nb);
	ops = mt_p_words(env->params, HP_OPS, &no);
	for (size_t b = 0; b < nb; b++) {
		enum mt_backing bk;

		if (mt_backing_parse(backings[b], &bk) < 0)
			return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
					  "hugepage: unknown backing '%s' "
					  "(expected 4k, thp, 2m or 1g)",
					  backings[b]);
		for (size_t o = 0; o < no; o++) {
			int op = op_parse(ops[o]);
			json_t *p;

			if (op < 0)
				return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
						  "hugepage: unknown op '%s' "
						  "(expected touch, seqread, "
						  "seqwrite or random)",
						  ops[o]);
			p = json_pack("{s:s, s:s, s:I}", "backing",
				      mt_backing_name(bk), "op",
				      hp_op_names[op], "size_bytes",
				      (json_int_t)size);
			if (!p)
				return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
						  "hugepage: out of memory");
			ret = mt_plan_add(plan, p, hp_op_kind[op].metrics,
					  hp_op_kind[op].n,
					  hp_op_kind[op].mode);
			if (ret < 0)
				return mt_err_set(err, ret, MT_ERR_RUNTIME,
						  "hugepage: out of memory");
		}
	}
	return 0;
}

/* Reserves hugetlb pages for the 2m and 1g backings that are configured;
 * notes gets "hugetlb_2m" / "hugetlb_1g" objects saying what was there,
 * what was asked and what the kernel gave. Always returns 0. */
static int hp_sys_setup(const struct mt_env *env, json_t *notes,
			struct mt_err *err)
{
	static const struct {
		enum mt_backing b;
		const char *key;
	} pools[] = {
		{ MT_BACK_2M, "hugetlb_2m" },
		{ MT_BACK_1G, "hugetlb_1g" },
	};
	uint64_t size = mt_p_size(env->params, HP_SIZE);

	(void)err;
	for (size_t i = 0; i < ARRAY_SIZE(pools); i++) {
		json_t *note;

		if (!mt_p_has_word(env->params, HP_BACKINGS,
				   mt_backing_name(pools[i].b)))
			continue;
		note = json_object();
		if (!note)
			continue;
		mt_hugetlb_reserve(env, "hugepage", HP_HUGETLB_RESERVE,
				   pools[i].b,
				   (size + mt_backing_page_size(pools[i].b) -
				    1) / mt_backing_page_size(pools[i].b),
				   note);
		json_object_set_new(notes, pools[i].key, note);
	}
	return 0;
}

/* Maps the case's region; for every op but touch also faults it in, so the
 * samples see memory that is already there. A hugetlb backing whose pool is
 * short is a skip with the command that reserves pages. */
static enum mt_status hp_setup(const struct mt_env *env,
			       const struct mt_case *c, void **state,
			       struct mt_err *err)
{
	struct hp_state *st;
	enum mt_backing b;
	int op;
	json_t *size;

	if (mt_backing_parse(json_string_value(json_object_get(c->params,
							       "backing")),
			     &b) < 0 ||
	    (op = op_parse(json_string_value(json_object_get(c->params,
							     "op")))) < 0 ||
	    !json_is_integer(size = json_object_get(c->params, "size_bytes")) ||
	    json_integer_value(size) <= 0) {
		mt_err_why(err, "hugepage: malformed case parameters");
		return MT_FAILED;
	}
	st = calloc(1, sizeof(*st));
	if (!st) {
		mt_err_why(err, "hugepage: out of memory");
		return MT_FAILED;
	}
	st->backing = b;
	st->op = (enum hp_op)op;
	st->size = (size_t)json_integer_value(size);
	st->rng = mt_rand_seed(env->seed);
	if (env->global && op == HP_TOUCH)
		st->first_excluded = mt_p_int(env->global,
					      MT_G_WARMUP_SAMPLES) > 0;

	if ((b == MT_BACK_4K || b == MT_BACK_THP || b == MT_BACK_SYS) &&
	    !mt_region_fits(st->size, "hugepage.size", err->msg,
			    sizeof(err->msg))) {
		free(st);
		return MT_SKIPPED;
	}
	if (mt_region_map(&st->r, b, st->size, err) < 0) {
		free(st);
		return b == MT_BACK_2M || b == MT_BACK_1G ? MT_SKIPPED :
							    MT_FAILED;
	}
	st->lines = st->r.size / LINE;
	st->fresh = true;
	if (st->op != HP_TOUCH) {
		mt_region_touch(&st->r);
		st->fresh = false;
	}
	*state = st;
	return MT_OK;
}

/* For touch: replaces the touched region with a fresh one, so the next
 * sample faults everything in again. Other ops keep their region. */
static int hp_prepare(void *state, struct mt_err *err)
{
	struct hp_state *st = state;
	int ret;

	if (st->op != HP_TOUCH || st->fresh)
		return 0;
	mt_region_unmap(&st->r);
	ret = mt_region_map(&st->r, st->backing, st->size, err);
	if (ret < 0)
		return ret;
	st->fresh = true;
	return 0;
}

/* Fraction of the region the kernel backs with huge pages: AnonHugePages
 * for 4k and thp; for hugetlb every resident page is huge, so the resident
 * fraction (1.0 once touched). Negative if smaps cannot be read. */
static double huge_fraction(const struct hp_state *st, uint64_t *huge_out,
			    uint64_t *rss_out)
{
	uint64_t huge, rss;

	if (mt_region_smaps(&st->r, &huge, &rss, NULL) < 0)
		return -1.0;
	if (huge_out)
		*huge_out = huge;
	if (rss_out)
		*rss_out = rss;
	if (st->backing == MT_BACK_2M || st->backing == MT_BACK_1G)
		return (double)rss / (double)st->r.size;
	return (double)huge / (double)st->r.size;
}

/* Streams `iters` lines from the current position, wrapping at the end of
 * the region. */
static void stream(struct hp_state *st, uint64_t iters)
{
	unsigned char *base = st->r.addr;
	uint64_t acc = 0;

	while (iters) {
		uint64_t n = st->lines - st->pos;
		unsigned char *p = base + st->pos * LINE;

		if (n > iters)
			n = iters;
		if (st->op == HP_SEQREAD)
			acc += mt_stream_read(p, n);
		else
			mt_stream_write(p, n, st->write_value++);
		st->pos += n;
		if (st->pos == st->lines)
			st->pos = 0;
		iters -= n;
	}
	st->sink += acc;
}

/* iters independent 8-byte loads at uniformly random words of the region:
 * each address comes from the generator, never from a loaded value, so
 * many misses are in flight at once (a throughput, unlike the tlb
 * benchmark's dependent chase). */
static void random_loads(struct hp_state *st, uint64_t iters)
{
	const uint64_t *w = st->r.addr;
	uint64_t nw = st->r.size / sizeof(uint64_t), rng = st->rng, acc = 0;

	for (uint64_t i = 0; i < iters; i++)
		acc += w[mt_rand_below(&rng, nw)];
	st->rng = rng;
	st->sink += acc;
}

/* The timed work. touch: one store per 4 KiB page of a fresh region
 * (ops = 4 KiB pages, bytes = region size), then the huge-page fraction
 * into values[0]. smaps has to be read inside the timed window, because
 * the runner has no untimed hook after run(): for thp and hugetlb regions
 * the walk is short (one entry per 2 MiB, ~0.2 ms per GiB, under 0.5% of
 * the touch). seqread/seqwrite: iters cache lines of 64 bytes. random:
 * iters loads. */
static int hp_run(void *state, uint64_t iters, struct mt_sample *s,
		  struct mt_err *err)
{
	struct hp_state *st = state;

	switch (st->op) {
	case HP_TOUCH: {
		struct rusage r0, r1;
		uint64_t t0, t1;
		double cov;

		if (!st->fresh)
			return mt_err_set(err, -EINVAL, MT_ERR_RUNTIME,
					  "hugepage: touch sample without a "
					  "fresh region (prepare not called)");
		getrusage(RUSAGE_SELF, &r0);
		t0 = mt_now_ns();
		mt_region_touch(&st->r);
		t1 = mt_now_ns();
		getrusage(RUSAGE_SELF, &r1);
		st->fresh = false;
		s->ops = st->r.size / SMALL_PAGE;
		s->bytes = st->r.size;
		if (st->touches++ == 0)
			st->first_ns_per_4k = (double)(t1 - t0) /
					      (double)s->ops;
		/* A 4k region that took a fault per 4 KiB page has no huge
		 * page (a huge page is mapped by one fault), so smaps, whose
		 * walk costs ~40 ns per 4 KiB page (11 ms per GiB, ~3% of
		 * the touch), is read only when that proof fails. */
		if (st->backing == MT_BACK_4K &&
		    (uint64_t)(r1.ru_minflt - r0.ru_minflt) >= s->ops) {
			s->values[0] = 0.0;
			break;
		}
		cov = huge_fraction(st, NULL, NULL);
		if (cov >= 0)
			s->values[0] = cov;
		break;
	}
	case HP_SEQREAD:
	case HP_SEQWRITE:
		stream(st, iters);
		s->ops = iters;
		s->bytes = iters * LINE;
		break;
	case HP_RANDOM:
		random_loads(st, iters);
		s->ops = iters;
		s->bytes = iters * sizeof(uint64_t);
		break;
	case HP_N_OPS: break;
	}
	return 0;
}

/* Records what the kernel gave: the backing obtained and its page size,
 * the THP coverage and residency from smaps, the THP modes, and for touch
 * the first sample (the first time this process touched that much memory;
 * the host may not have backed it yet, which costs host faults).
 * Untrustworthy when a thp region is mostly 4 KiB pages or a 4k region got
 * huge pages. */
static enum mt_status hp_verify(void *state, json_t *obtained,
				struct mt_err *err)
{
	struct hp_state *st = state;
	uint64_t huge = 0, rss = 0, page;
	const char *got;
	char mode[32];
	double cov;

	if (!st->r.addr) {
		mt_err_why(err, "hugepage: no region to verify");
		return MT_UNTRUSTWORTHY;
	}
	if (mt_fs_read_choice("/sys/kernel/mm/transparent_hugepage/enabled",
			      mode, sizeof(mode), NULL) == 0)
		json_object_set_new(obtained, "thp_enabled", json_string(mode));
	if (mt_fs_read_choice("/sys/kernel/mm/transparent_hugepage/defrag",
			      mode, sizeof(mode), NULL) == 0)
		json_object_set_new(obtained, "thp_defrag", json_string(mode));
	json_object_set_new(obtained, "region_bytes",
			    json_integer((json_int_t)st->r.size));
	if (st->op == HP_TOUCH) {
		json_object_set_new(obtained, "first_sample_ns_per_4k",
				    json_real(st->first_ns_per_4k));
		json_object_set_new(obtained,
				    "first_sample_first_touch_of_process",
				    json_true());
		json_object_set_new(obtained, "first_sample_excluded",
				    json_boolean(st->first_excluded));
	}

	cov = huge_fraction(st, &huge, &rss);
	if (cov < 0) {
		mt_err_why(err, "hugepage: cannot read /proc/self/smaps "
				"to check the backing");
		return MT_UNTRUSTWORTHY;
	}
	json_object_set_new(obtained, "thp_coverage", json_real(cov));
	json_object_set_new(obtained, "anon_huge_bytes",
			    json_integer((json_int_t)huge));
	json_object_set_new(obtained, "rss_bytes",
			    json_integer((json_int_t)rss));

	switch (st->backing) {
	case MT_BACK_2M:
	case MT_BACK_1G:
		/* MAP_HUGETLB either gives pages of that size or fails */
		got = mt_backing_name(st->backing);
		page = mt_backing_page_size(st->backing);
		break;
	default:
		got = cov >= 0.9 ? "thp" : cov <= 0.01 ? "4k" : "mixed";
		page = cov >= 0.5 ? 2u << 20 : SMALL_PAGE;
		break;
	}
	json_object_set_new(obtained, "backing_obtained", json_string(got));
	json_object_set_new(obtained, "page_size_bytes",
			    json_integer((json_int_t)page));

	if (st->backing == MT_BACK_THP && cov < 0.5) {
		mt_err_why(err,
			   "hugepage: only %.0f%% of the thp region "
			   "is backed by huge pages (AnonHugePages); check "
			   "/sys/kernel/mm/transparent_hugepage/enabled is "
			   "madvise or always, and compact memory: echo 1 > "
			   "/proc/sys/vm/compact_memory",
			   cov * 100);
		return MT_UNTRUSTWORTHY;
	}
	if (st->backing == MT_BACK_4K && cov > 0.01) {
		mt_err_why(err,
			   "hugepage: %.0f%% of the 4k region is "
			   "backed by huge pages despite MADV_NOHUGEPAGE",
			   cov * 100);
		return MT_UNTRUSTWORTHY;
	}
	return MT_OK;
}

static void hp_teardown(void *state)
{
	struct hp_state *st = state;

	if (!st)
		return;
	mt_region_unmap(&st->r);
	free(st);
}

const struct mt_bench mt_bench_hugepage = {
	.name = "hugepage",
	.summary = "first-touch fault cost, bandwidth and random-load rate "
		   "of 4 KiB, THP, 2 MiB and 1 GiB pages",
	.params = hp_params,
	.needs = 0,
	/* The 2m and 1g backings; their cases skip themselves without a
	 * pool, the 4k and thp cases run. */
	.wants = MT_NEED_HUGETLB,
	.plan = hp_plan,
	.sys_setup = hp_sys_setup,
	.setup = hp_setup,
	.prepare = hp_prepare,
	.run = hp_run,
	.verify = hp_verify,
	.teardown = hp_teardown,
};
