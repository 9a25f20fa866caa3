/* The observe analysis and the advice it leads to (issue 18), on the
 * fixture observations of tests/fixtures/observe (make_fixtures.py): the
 * Theil-Sen trend, the leak verdict (a leak at a known rate, a steady
 * process, a warm-up that levels off), the swap-in rate and the advice
 * for the service that pays it, direct-reclaim stalls and the watermark
 * advice, the page cache refault share as stated, and malformed observe
 * records as warnings. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../advisor/advisor.h"
#include "../../analyzer/analysis.h"
#include "../../analyzer/compare.h"
#include "../../analyzer/observe.h"
#include "../../analyzer/trend.h"
#include "../../core/json_safe.h"
#include "helpers/assert_close.h"
#include "helpers/fixtures.h"

/* The leak fixture's true rate: 256 KiB/s. */
#define LEAK_RATE (256.0 * 1024)

static const char *fixture(const char *name)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/tests/fixtures/observe/%s",
		 mt_test_srcdir(), name);
	return path;
}

/* The analysis of fixture name (a new reference). */
static json_t *analyze(const char *name)
{
	struct mt_run *run = mt_test_run_load(fixture(name));
	json_t *a = mt_analyze_run(run);

	assert_non_null(a);
	mt_run_free(run);
	return a;
}

static struct mt_fact fact(json_t *a, const char *id)
{
	struct mt_fact f;

	if (!mt_fact_get(a, id, &f))
		fail_msg("no fact %s", id);
	return f;
}

static const char *verdict(json_t *a, size_t target)
{
	json_t *t = json_array_get(
		json_object_get(mt_analysis_derived(a, "observe"), "targets"),
		target);

	return json_string_value(json_object_get(json_object_get(t, "growth"),
						 "verdict"));
}

/* The advice on fixture name, as `memtune advise DIR` gives it with the
 * neutral profile. */
static void advise(const char *name, struct mt_advice *a)
{
	struct mt_err err = { 0 };
	struct mt_profile p;
	struct mt_advise_ctx ctx;

	assert_int_equal(mt_profile_load_string("balanced", "[profile]\n", &p,
						&err),
			 0);
	if (mt_advise_ctx_init(&ctx, fixture(name), &p, &err) < 0)
		fail_msg("%s: %s", name, err.msg);
	assert_false(ctx.live);
	assert_int_equal(mt_signals_gather(&ctx, 0, &err), 0);
	memset(a, 0, sizeof(*a));
	assert_int_equal(mt_advise(&ctx, a, &err), 0);
	mt_advise_ctx_free(&ctx);
	mt_profile_free(&p);
}

static bool cites(const struct mt_item *it, const char *id)
{
	json_t *v;
	size_t i;

	json_array_foreach(it->facts, i, v)
		if (!strcmp(json_string_value(v), id))
			return true;
	return false;
}

static void test_trend_exact(void **state)
{
	double x[20], y[20];
	struct mt_trend t;

	(void)state;
	for (int i = 0; i < 20; i++) {
		x[i] = i;
		y[i] = 2 * i + 1;
	}
	assert_int_equal(mt_trend_fit(x, y, 20, &t), 0);
	assert_close(t.slope, 2, 1e-12);
	assert_close(t.lo, 2, 1e-12);
	assert_close(t.hi, 2, 1e-12);
	assert_close(t.intercept, 1, 1e-12);
	/* Too few points for an interval; one point, nothing to fit. */
	assert_int_equal(mt_trend_fit(x, y, 3, &t), 0);
	assert_true(isnan(t.lo));
	assert_int_equal(mt_trend_fit(x, y, 1, &t), -EINVAL);
}

/* Sen's interval holds the true slope in about 95% of noisy series. */
static void test_trend_coverage(void **state)
{
	double x[40], y[40];
	unsigned seed = 12345;
	int hit = 0;

	(void)state;
	for (int rep = 0; rep < 200; rep++) {
		struct mt_trend t;

		for (int i = 0; i < 40; i++) {
			double u = 0;

			for (int k = 0; k < 12; k++)
				u += (double)rand_r(&seed) / RAND_MAX;
			x[i] = i;
			y[i] = 3 * i + 10 * (u - 6);
		}
		assert_int_equal(mt_trend_fit(x, y, 40, &t), 0);
		hit += t.lo <= 3 && 3 <= t.hi;
	}
	assert_in_range(hit, 180, 200);
}

static void test_leak(void **state)
{
	json_t *a = analyze("leak");
	struct mt_fact g = fact(a, "observe.t0.growth");

	(void)state;
	assert_string_equal(verdict(a, 0), "leak");
	assert_true(g.lo <= LEAK_RATE && LEAK_RATE <= g.hi);
	assert_true(g.lo > 0);
	assert_string_equal(verdict(a, 1), "steady");
	json_decref(a);
}

static void test_warmup_not_leak(void **state)
{
	json_t *a = analyze("warmup");

	(void)state;
	assert_string_not_equal(verdict(a, 0), "leak");
	json_decref(a);
}

/* The rule itself: short windows are inconclusive. */
static void test_leak_rule_window(void **state)
{
	double t[25], y[25];
	struct mt_leak lk;

	(void)state;
	for (int i = 0; i < 25; i++) {
		t[i] = i * 0.5; /* 12 s */
		y[i] = 1e8 + 1e6 * i;
	}
	assert_int_equal(mt_leak_judge(t, y, 25, &lk), 0);
	assert_int_equal(lk.verdict, MT_LEAK_INCONCLUSIVE);
	for (int i = 0; i < 25; i++)
		t[i] = i * 2.0; /* 48 s */
	assert_int_equal(mt_leak_judge(t, y, 25, &lk), 0);
	assert_int_equal(lk.verdict, MT_LEAK_LEAK);
	assert_string_equal(mt_leak_verdict_name(lk.verdict), "leak");
}

static void test_leak_advice(void **state)
{
	struct mt_advice a;
	struct mt_item *it;

	(void)state;
	advise("leak", &a);
	it = mt_test_item(&a, "workload.leak.leaky");
	assert_false(it->change);
	assert_string_equal(it->knob, "application:leaky");
	assert_string_equal(it->sysctl, "");
	assert_true(cites(it, "observe.t0.growth"));
	assert_non_null(strstr(it->reason, "No sysctl fixes a leak"));
	assert_int_equal(it->ground, MT_GROUND_MEASURED);
	assert_null(mt_advice_find(&a, "workload.leak.calm"));
	mt_advice_free(&a);
}

static void test_swapin(void **state)
{
	json_t *a = analyze("swapin");
	struct mt_fact s = fact(a, "observe.swapin_bytes_per_s");
	struct mt_fact sw = fact(a, "observe.t1.swap_bytes");
	struct mt_advice adv;
	struct mt_item *it;

	(void)state;
	/* 500 pages/s of 4 KiB. */
	assert_true(s.lo <= 500 * 4096.0 && 500 * 4096.0 <= s.hi);
	assert_true(sw.value > 280.0 * 1024 * 1024);
	json_decref(a);

	advise("swapin", &adv);
	it = mt_test_item(&adv, "swappiness");
	assert_true(cites(it, "observe.swapin_bytes_per_s"));
	assert_true(cites(it, "observe.t0.refault_anon_per_s"));
	assert_false(it->change);
	assert_non_null(strstr(it->reason, "memory.low"));
	/* A unit: the reason points at the item written for it. */
	assert_non_null(strstr(it->reason, "MemoryLow= for its unit"));
	it = mt_test_item(&adv,
			  "cgroup.observe.redis-server.service.memory_low");
	assert_string_equal(it->knob, "memory.low:redis-server.service");
	assert_true(it->change);
	assert_true(cites(it, "observe.t0.refault_anon_per_s"));
	assert_non_null(strstr(it->apply, "systemctl set-property "
					  "redis-server.service MemoryLow="));
	mt_advice_free(&adv);
}

static void test_stall_watermark(void **state)
{
	json_t *a = analyze("stall");
	struct mt_fact st = fact(a, "observe.allocstall_per_s");
	struct mt_advice adv;
	struct mt_item *it;

	(void)state;
	assert_true(st.lo <= 40 && 40 <= st.hi);
	assert_close(fact(a, "observe.psi_some_pct").value, 12, 0.5);
	json_decref(a);
	advise("stall", &adv);
	it = mt_test_item(&adv, "watermark_scale_factor");
	assert_true(it->change);
	assert_string_equal(it->recommended, "100");
	assert_true(cites(it, "observe.allocstall_per_s"));
	assert_non_null(mt_test_cited(it, "the observation in"));
	mt_advice_free(&adv);
}

/* The refault share is workingset_refault_file / (pgpgin / 4 - pswpin),
 * as analysis.json's page_cache.estimator states. */
static void test_cache_refault_share(void **state)
{
	json_t *a = analyze("cachemiss");
	json_t *pc = json_object_get(mt_analysis_derived(a, "observe"),
				     "page_cache");
	struct mt_fact in = fact(a, "observe.pgpgin_kib_per_s");
	struct mt_fact rf = fact(a, "observe.refault_file_per_s");
	struct mt_fact share = fact(a, "observe.cache_refault_share");
	struct mt_advice adv;
	struct mt_item *it;

	(void)state;
	assert_true(json_is_null(json_object_get(pc, "hit_ratio")));
	assert_non_null(strstr(
		json_string_value(json_object_get(pc, "estimator")), "pgpgin"));
	assert_close(share.value, rf.value / (in.value / 4), 1e-3);
	assert_close(share.value, 0.75, 0.05);
	assert_close(fact(a, "observe.t0.cache_resident").value, 0.2, 0.01);
	json_decref(a);

	advise("cachemiss", &adv);
	it = mt_test_item(&adv, "workload.page_cache.reader");
	assert_false(it->change);
	assert_string_equal(it->recommended, "more memory or O_DIRECT");
	assert_true(cites(it, "observe.t0.cache_resident"));
	mt_advice_free(&adv);
}

/* Without a target's file set, the machine's refault share alone gives
 * the same finding at the system's scale, with a low confidence. */
static void test_system_refaults(void **state)
{
	struct mt_run *run = mt_test_run_load(fixture("cachemiss"));
	json_t *recs = json_array(), *r;
	struct mt_err err = { 0 };
	struct mt_advise_ctx ctx;
	struct mt_profile p;
	struct mt_advice a;
	struct mt_item *it;
	size_t i;

	(void)state;
	json_array_foreach(run->records, i, r)
		if (strncmp(mt_rec_metric(r), "cachestat.", 10))
			json_array_append(recs, r);
	assert_int_equal(mt_profile_load_string("balanced", "[profile]\n", &p,
						&err),
			 0);
	assert_int_equal(
		mt_advise_ctx_from(&ctx, json_object_get(run->meta, "system"),
				   recs, &p, false),
		0);
	memset(&a, 0, sizeof(a));
	assert_int_equal(mt_advise(&ctx, &a, &err), 0);
	assert_null(mt_advice_find(&a, "workload.page_cache.reader"));
	it = mt_test_item(&a, "workload.page_cache");
	assert_false(it->change);
	assert_int_equal(it->confidence, MT_CONF_LOW);
	assert_true(cites(it, "observe.cache_refault_share"));
	mt_advice_free(&a);
	mt_advise_ctx_free(&ctx);
	mt_profile_free(&p);
	json_decref(recs);
	mt_run_free(run);
}

static void test_healthy(void **state)
{
	json_t *a = analyze("healthy");
	struct mt_advice adv;

	(void)state;
	assert_close(fact(a, "observe.thp_fallback_ratio").value, 0.1, 0.02);
	assert_close(fact(a, "observe.numa.node1.miss_fraction").value,
		     900.0 / 4900, 0.02);
	assert_string_equal(verdict(a, 0), "steady");
	json_decref(a);
	advise("healthy", &adv);
	for (size_t i = 0; i < adv.n; i++)
		assert_string_not_equal(adv.items[i].rule, "workload");
	assert_false(mt_test_item(&adv, "watermark_scale_factor")->change);
	mt_advice_free(&adv);
}

/* compare on two observations matches the facts, not the samples: the
 * stalls of the stall fixture are beyond the noise against the healthy
 * one, and no row compares a sample. */
static void test_compare_observations(void **state)
{
	struct mt_run *a = mt_test_run_load(fixture("healthy"));
	struct mt_run *b = mt_test_run_load(fixture("stall"));
	json_t *cmp = mt_compare_runs(a, b), *r;
	bool stall = false;
	size_t i;

	(void)state;
	assert_non_null(cmp);
	assert_true(json_array_size(json_object_get(cmp, "rows")) > 0);
	json_array_foreach(json_object_get(cmp, "rows"), i, r) {
		const char *m = json_string_value(json_object_get(r, "metric"));

		assert_string_equal(json_string_value(json_object_get(r,
								      "bench")),
				    "observe");
		assert_null(json_object_get(json_object_get(r, "case"), "t"));
		if (!strcmp(m, "allocstall_per_s")) {
			stall = true;
			assert_true(json_is_true(
				json_object_get(r, "significant")));
			assert_string_equal(
				json_string_value(json_object_get(r, "better")),
				"higher");
		}
	}
	assert_true(stall);
	/* Two windows are not repeats: no coverage from them. */
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(cmp, "coverage"), "points")),
			 0);
	json_decref(cmp);
	mt_run_free(a);
	mt_run_free(b);
}

/* A run directory without observe records has no observe analysis and
 * no advice from it. */
static void test_normal_run_unaffected(void **state)
{
	char dir[4096];
	struct mt_run *run;
	json_t *a;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/tests/fixtures/runs/swap-quick",
		 mt_test_srcdir());
	run = mt_test_run_load(dir);
	a = mt_analyze_run(run);
	assert_non_null(a);
	assert_null(mt_analysis_derived(a, "observe"));
	json_decref(a);
	mt_run_free(run);
}

static json_t *obs_rec(const char *target, double t, const char *metric,
		       double v)
{
	json_t *c = json_object();

	if (target)
		json_object_set_new(c, "target", json_string(target));
	if (isfinite(t))
		json_object_set_new(c, "t", json_real(t));
	else
		json_object_set_new(c, "t", json_string("soon"));
	return json_pack("{s:s, s:o, s:s, s:s, s:f, s:i, s:s}", "bench",
			 "observe", "case", c, "metric", metric, "unit",
			 "bytes", "value", v, "n", 1, "status", "ok");
}

/* Malformed observe records are left out with a warning, never fatal. */
static void test_malformed_records(void **state)
{
	json_t *recs = json_array(), *a, *d, *w;
	struct mt_run *run;

	(void)state;
	for (int i = 0; i < 10; i++)
		json_array_append_new(recs, obs_rec("system", i,
						    "meminfo.MemAvailable",
						    1e9 - 1e6 * i));
	json_array_append_new(recs, obs_rec(NULL, 3, "meminfo.MemFree", 1));
	json_array_append_new(recs, obs_rec("system", NAN, "vmstat.pswpin", 1));
	json_array_append_new(recs, obs_rec("pid:1", 2, "nodot", 1));
	json_array_append_new(recs, obs_rec("pid:1", 3, "status.VmRSS", 1));
	assert_int_equal(mt_run_from_records("(malformed)", NULL, recs, &run),
			 0);
	a = mt_analyze_run(run);
	assert_non_null(a);
	d = mt_analysis_derived(a, "observe");
	assert_non_null(d);
	w = json_object_get(d, "warnings");
	assert_int_equal(json_array_size(w), 3);
	assert_close(fact(a, "observe.mem_available_min").value, 991e6, 1);
	/* One sample of pid:1: no verdict but inconclusive. */
	assert_string_equal(verdict(a, 0), "inconclusive");
	json_decref(a);
	mt_run_free(run);

	/* Nothing usable: the benchmark has no analysis, the run does. */
	json_array_clear(recs);
	json_array_append_new(recs, obs_rec(NULL, 1, "meminfo.MemFree", 1));
	assert_int_equal(mt_run_from_records("(bad)", NULL, recs, &run), 0);
	a = mt_analyze_run(run);
	assert_non_null(a);
	assert_null(mt_analysis_derived(a, "observe"));
	json_decref(a);
	mt_run_free(run);
	json_decref(recs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trend_exact),
		cmocka_unit_test(test_trend_coverage),
		cmocka_unit_test(test_leak),
		cmocka_unit_test(test_warmup_not_leak),
		cmocka_unit_test(test_leak_rule_window),
		cmocka_unit_test(test_leak_advice),
		cmocka_unit_test(test_swapin),
		cmocka_unit_test(test_stall_watermark),
		cmocka_unit_test(test_cache_refault_share),
		cmocka_unit_test(test_system_refaults),
		cmocka_unit_test(test_healthy),
		cmocka_unit_test(test_compare_observations),
		cmocka_unit_test(test_normal_run_unaffected),
		cmocka_unit_test(test_malformed_records),
	};

	setenv("MEMTUNE_PROGRESS", "0", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
