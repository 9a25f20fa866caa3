/* Unit tests for the analyzer: loading run directories (truncated
 * results.jsonl, missing meta.json, unknown benchmark, no results) and the
 * derived figures of the tlb and hugepage modules on the fixture run in
 * tests/fixtures/runs (run from the repository root, as tests/run-unit.sh
 * does). */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../analyzer/analysis.h"
#include "../../analyzer/compare.h"
#include "../../analyzer/run.h"

#define FIX "tests/fixtures/runs/"

static struct mt_run *load(const char *dir)
{
	struct mt_err err = { 0 };
	struct mt_run *run = NULL;

	assert_int_equal(mt_run_load(dir, 0, &run, &err), 0);
	return run;
}

/* The entry of bench in an analysis. */
static json_t *entry(json_t *a, const char *bench)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(a, "benchmarks"), i, v)
		if (!strcmp(json_string_value(json_object_get(v, "bench")),
			    bench))
			return v;
	return NULL;
}

static double num(json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

static void test_tlb_figures(void **state)
{
	struct mt_run *run = load(FIX "tlb-hugepage");
	json_t *a = mt_analyze_run(run), *d, *pen, *c;
	size_t i;
	bool seen_line_4k = false;

	(void)state;
	assert_int_equal(json_array_size(run->warnings), 0);
	assert_string_equal(run->host, "vm");
	d = mt_analysis_derived(a, "tlb");
	assert_non_null(d);
	pen = json_object_get(d, "page_walk_penalty");
	/* 4k 266.18 ns against thp 58.22 ns at 64 MiB. */
	assert_string_equal(json_string_value(json_object_get(pen,
							      "best_huge")),
			    "thp");
	assert_true(fabs(num(pen, "penalty_ns") - 207.96) < 0.05);
	assert_true(num(pen, "at_bytes") == 64 << 20);
	json_array_foreach(json_object_get(d, "curves"), i, c) {
		json_t *k;

		if (strcmp(json_string_value(json_object_get(c, "pattern")),
			   "line") ||
		    strcmp(json_string_value(json_object_get(c, "backing")),
			   "4k"))
			continue;
		seen_line_4k = true;
		k = json_array_get(json_object_get(c, "knees"), 0);
		assert_int_equal(json_array_size(json_object_get(c, "knees")),
				 1);
		assert_true(num(k, "bytes_below") == 1 << 20);
		assert_true(num(k, "bytes_above") == 8 << 20);
	}
	assert_true(seen_line_4k);
	assert_false(json_is_true(json_object_get(json_object_get(
		d, "cpu_tlb"), "exposed")));
	json_decref(a);
	mt_run_free(run);
}

static void test_hugepage_figures(void **state)
{
	struct mt_run *run = load(FIX "tlb-hugepage");
	json_t *a = mt_analyze_run(run), *d, *thp, *g;

	(void)state;
	d = mt_analysis_derived(a, "hugepage");
	assert_non_null(d);
	thp = json_object_get(json_object_get(d, "backings"), "thp");
	assert_true(fabs(num(thp, "touch_ns_per_4k") - 591.586) < 0.01);
	assert_true(num(thp, "thp_coverage") == 1.0);
	/* 2m was skipped: no entry, and the reason is kept. */
	assert_null(json_object_get(json_object_get(d, "backings"), "2m"));
	assert_non_null(strstr(json_string_value(json_object_get(
		entry(a, "hugepage"), "partly_skipped")), "hugetlb"));
	g = json_object_get(json_object_get(d, "gain_vs_4k_pct"), "thp");
	/* 8575.8 against 15423.1 MB/s. */
	assert_true(fabs(num(g, "read_bw") - (8575.823 / 15423.072 - 1) *
			 100) < 0.01);
	json_decref(a);
	mt_run_free(run);
}

static void test_truncated(void **state)
{
	struct mt_run *run = load(FIX "truncated");
	json_t *a = mt_analyze_run(run);
	const char *w;

	(void)state;
	assert_int_equal(json_array_size(run->warnings), 1);
	w = json_string_value(json_array_get(run->warnings, 0));
	assert_non_null(strstr(w, "truncated/results.jsonl:21: "));
	assert_int_equal(json_array_size(run->records), 20);
	assert_string_equal(json_string_value(json_object_get(
		entry(a, "tlb"), "status")), "analyzed");
	json_decref(a);
	mt_run_free(run);
}

static void test_missing_meta(void **state)
{
	struct mt_run *run = load(FIX "missing-meta");
	json_t *a = mt_analyze_run(run);
	const char *w;

	(void)state;
	assert_null(run->meta);
	w = json_string_value(json_array_get(run->warnings, 0));
	assert_non_null(strstr(w, "missing-meta/meta.json: No such file"));
	assert_string_equal(run->host, "missing-meta");
	assert_string_equal(json_string_value(json_object_get(
		entry(a, "tlb"), "status")), "analyzed");
	json_decref(a);
	mt_run_free(run);
}

static void test_unknown_bench(void **state)
{
	struct mt_run *run = load(FIX "unknown-bench");
	json_t *a = mt_analyze_run(run), *e = entry(a, "frobnicate");

	(void)state;
	assert_non_null(e);
	assert_string_equal(json_string_value(json_object_get(e, "status")),
			    "no analysis yet");
	assert_string_equal(json_string_value(json_object_get(
		entry(a, "tlb"), "status")), "analyzed");
	json_decref(a);
	mt_run_free(run);
}

static void test_not_a_run(void **state)
{
	struct mt_err err = { 0 };
	struct mt_run *run = NULL;
	char dir[] = "/tmp/mt-test-analyzer-XXXXXX";

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(mt_run_load(dir, 0, &run, &err), -ENOENT);
	assert_int_equal(err.kind, MT_ERR_INPUT);
	assert_non_null(strstr(err.msg, "results.jsonl"));
	assert_non_null(strstr(err.msg, dir));
	assert_null(run);
	rmdir(dir);
	assert_int_equal(mt_run_load(dir, 0, &run, &err), -ENOENT);
	assert_int_equal(err.kind, MT_ERR_INPUT);
}

/* A run compared with itself: every metric matched, none significant. */
static void test_compare_self(void **state)
{
	struct mt_err err = { 0 };
	struct mt_run *a, *b;
	json_t *c, *r;
	size_t i;

	(void)state;
	assert_int_equal(mt_run_load(FIX "tlb-hugepage", MT_RUN_KEEP_SAMPLES,
				     &a, &err), 0);
	assert_int_equal(mt_run_load(FIX "tlb-hugepage", MT_RUN_KEEP_SAMPLES,
				     &b, &err), 0);
	c = mt_compare_runs(a, b);
	assert_int_equal(json_integer_value(json_object_get(c, "only_in_a")),
			 0);
	assert_true(json_array_size(json_object_get(c, "rows")) > 40);
	json_array_foreach(json_object_get(c, "rows"), i, r)
		assert_false(json_is_true(json_object_get(r, "significant")));
	json_decref(c);
	mt_run_free(a);
	mt_run_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tlb_figures),
		cmocka_unit_test(test_hugepage_figures),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_missing_meta),
		cmocka_unit_test(test_unknown_bench),
		cmocka_unit_test(test_not_a_run),
		cmocka_unit_test(test_compare_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
