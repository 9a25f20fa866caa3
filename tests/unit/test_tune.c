/* Unit tests for memtune tune's parts: the ABBA schedule, the guardrails'
 * judgement and the item's verdict (tune/schedule.c, tune/guard.c,
 * tune/verdict.c). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../tune/tune_internal.h"

/* Every pair gets one A and one B; blocks of four are ABBA or BAAB; an
 * odd pair count ends with AB or BA; both orientations occur. */
static void test_schedule(void **state)
{
	struct mt_trial_slot s[64];
	size_t seen[2] = { 0, 0 };

	(void)state;
	for (size_t pairs = 1; pairs <= 9; pairs++) {
		for (uint64_t seed = 0; seed < 20; seed++) {
			size_t n = mt_abba_schedule(pairs, seed, s, 64);
			int a[16] = { 0 }, b[16] = { 0 };

			assert_int_equal(n, 2 * pairs);
			for (size_t i = 0; i < n; i++) {
				assert_true(s[i].pair < pairs);
				(s[i].b ? b : a)[s[i].pair]++;
			}
			for (size_t p = 0; p < pairs; p++)
				assert_true(a[p] == 1 && b[p] == 1);
			for (size_t k = 0; k + 4 <= n && k / 4 < pairs / 2;
			     k += 4) {
				assert_true(s[k].b == s[k + 3].b);
				assert_true(s[k + 1].b == s[k + 2].b);
				assert_true(s[k].b != s[k + 1].b);
				seen[s[k].b]++;
			}
		}
	}
	assert_true(seen[0] > 0 && seen[1] > 0);
	assert_int_equal(mt_abba_schedule(10, 1, s, 19), 0);
}

/* Counters that rise under B in every pair (more than noise) are worse;
 * a B that fails or OOM-kills once where A never did is worse at once;
 * equal behaviour is not. */
static void test_guard_worse(void **state)
{
	double a[8][MT_N_GUARDS], b[8][MT_N_GUARDS];
	char why[256];

	(void)state;
	for (int i = 0; i < 8; i++)
		for (int g = 0; g < MT_N_GUARDS; g++) {
			a[i][g] = 10 + i % 3;
			b[i][g] = 10 + (i + 1) % 3;
		}
	for (int i = 0; i < 8; i++)
		a[i][MT_GUARD_FAILED] = b[i][MT_GUARD_FAILED] =
			a[i][MT_GUARD_OOM_KILL] = b[i][MT_GUARD_OOM_KILL] = 0;
	assert_false(mt_guard_worse((const double(*)[MT_N_GUARDS])a,
				    (const double(*)[MT_N_GUARDS])b, 8, why,
				    sizeof(why)));
	for (int i = 0; i < 8; i++)
		b[i][MT_GUARD_ALLOCSTALL] = a[i][MT_GUARD_ALLOCSTALL] + 50 + i;
	assert_true(mt_guard_worse((const double(*)[MT_N_GUARDS])a,
				   (const double(*)[MT_N_GUARDS])b, 8, why,
				   sizeof(why)));
	assert_string_equal(why, "allocstall");
	/* Five pairs cannot show a counter worse beyond noise... */
	assert_false(mt_guard_worse((const double(*)[MT_N_GUARDS])a,
				    (const double(*)[MT_N_GUARDS])b, 5, why,
				    sizeof(why)));
	/* ...but one failure or one OOM kill is enough. */
	b[2][MT_GUARD_FAILED] = 1;
	b[4][MT_GUARD_OOM_KILL] = 1;
	assert_true(mt_guard_worse((const double(*)[MT_N_GUARDS])a,
				   (const double(*)[MT_N_GUARDS])b, 5, why,
				   sizeof(why)));
	assert_string_equal(why, "oom_kill, workload_failed");
	/* A failing as often as B is not B's doing. */
	a[1][MT_GUARD_FAILED] = 1;
	a[3][MT_GUARD_OOM_KILL] = 1;
	assert_false(mt_guard_worse((const double(*)[MT_N_GUARDS])a,
				    (const double(*)[MT_N_GUARDS])b, 5, why,
				    sizeof(why)));
	/* A guardrail never read (NAN) is left out. */
	for (int i = 0; i < 8; i++)
		a[i][MT_GUARD_P99] = b[i][MT_GUARD_P99] = NAN;
	assert_false(mt_guard_worse((const double(*)[MT_N_GUARDS])a,
				    (const double(*)[MT_N_GUARDS])b, 5, why,
				    sizeof(why)));
}

static void test_guard_delta(void **state)
{
	struct mt_guard_snap x = { { 1, 2, 3, 4 } }, y = { { 1, 7, NAN, 10 } };
	double g[MT_N_GUARDS];

	(void)state;
	mt_guard_delta(&x, &y, true, 2.5, g);
	assert_true(g[MT_GUARD_OOM_KILL] == 0);
	assert_true(g[MT_GUARD_ALLOCSTALL] == 5);
	assert_true(isnan(g[MT_GUARD_PSWPIN]));
	assert_true(g[MT_GUARD_PSI_FULL] == 6);
	assert_true(g[MT_GUARD_FAILED] == 1);
	assert_true(g[MT_GUARD_P99] == 2.5);
}

/* n pairs of a benchmark with `figs` figures (higher is better) and,
 * when wl, a workload figure (lower is better). Figure f of pair i is
 * base * (1 + noise) under A and base * (1 + noise') * (1 + effect) under
 * B, with noise from a fixed generator; a figure whose base is 0 stays 0
 * under A. */
struct judge_case {
	size_t n, figs;
	bool wl;
	double bench_effect, wl_effect, noise;
	int zero_base; /* index of a figure with A = 0, or -1 */
};

static double noise(uint64_t *s, double amp)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return amp * ((double)(*s >> 11) / 9007199254740992.0 * 2 - 1);
}

static json_t *judge(const struct judge_case *c, uint64_t seed)
{
	json_t *oa[16], *ob[16], *better = json_object(), *v;
	bool have[16];
	double ga[16][MT_N_GUARDS] = { { 0 } }, gb[16][MT_N_GUARDS] = { { 0 } };
	uint64_t s = seed;
	struct mt_tune_obs o = { .n = c->n,
				 .oa = oa,
				 .ob = ob,
				 .have_a = have,
				 .have_b = have,
				 .ga = (const double(*)[MT_N_GUARDS])ga,
				 .gb = (const double(*)[MT_N_GUARDS])gb,
				 .better = better };

	for (size_t i = 0; i < c->n; i++) {
		oa[i] = json_object();
		ob[i] = json_object();
		have[i] = true;
		for (size_t f = 0; f < c->figs; f++) {
			char key[32];
			double base = (int)f == c->zero_base ? 0 : 100 + 10 * f;

			snprintf(key, sizeof(key), "bench.m%zu {}", f);
			json_object_set_new(better, key, json_true());
			json_object_set_new(
				oa[i], key,
				json_real(base * (1 + noise(&s, c->noise))));
			json_object_set_new(ob[i], key,
					    json_real((base ? base : 1) *
						      (1 + noise(&s, c->noise)) *
						      (1 + c->bench_effect)));
		}
		if (c->wl) {
			json_object_set(better, "workload", json_false());
			json_object_set_new(
				oa[i], "workload",
				json_real(5 * (1 + noise(&s, c->noise))));
			json_object_set_new(
				ob[i], "workload",
				json_real(5 * (1 + noise(&s, c->noise)) *
					  (1 + c->wl_effect)));
		}
	}
	v = mt_tune_judge(&o);
	for (size_t i = 0; i < c->n; i++) {
		json_decref(oa[i]);
		json_decref(ob[i]);
	}
	json_decref(better);
	return v;
}

static const char *verdict_of(json_t *v)
{
	return json_string_value(json_object_get(v, "verdict"));
}

/* A/A with ten noisy benchmark figures: judged one by one at 95% some
 * figure would often "move"; the benchmark score keeps the false-positive
 * rate near 5% (here: at most 3 of 40 seeds). */
static void test_judge_aa(void **state)
{
	struct judge_case c = {
		.n = 8, .figs = 10, .noise = 0.05, .zero_base = -1
	};
	int moved = 0, any_figure = 0;

	(void)state;
	for (uint64_t seed = 1; seed <= 40; seed++) {
		json_t *v = judge(&c, seed), *f;
		size_t k;
		bool fig = false;

		assert_non_null(v);
		moved += strcmp(verdict_of(v), "no_effect") != 0;
		json_array_foreach(json_object_get(v, "figures"), k, f)
			fig |= strcmp(json_string_value(
					      json_object_get(f, "verdict")),
				      "no_effect") != 0;
		any_figure += fig;
		json_decref(v);
	}
	assert_true(moved <= 3);
	/* The figures alone would have called more of them. */
	assert_true(any_figure > moved);
}

/* A real gain in every figure improves; with a workload made worse the
 * verdict is harms, naming it; two primary figures need 7 pairs; a figure
 * whose A is 0 still counts in the score. */
static void test_judge_verdicts(void **state)
{
	struct judge_case c = { .n = 8,
				.figs = 4,
				.bench_effect = 0.10,
				.noise = 0.02,
				.zero_base = -1 };
	json_t *v;

	(void)state;
	v = judge(&c, 5);
	assert_string_equal(verdict_of(v), "improves");
	assert_string_equal(json_string_value(json_object_get(v, "metric")),
			    "benchmark score");
	assert_int_equal(json_array_size(json_object_get(v, "primary_pairs")),
			 8);
	json_decref(v);

	c.wl = true;
	c.wl_effect = 0.2; /* lower is better: 20% slower */
	v = judge(&c, 5);
	assert_string_equal(verdict_of(v), "harms");
	assert_non_null(strstr(json_string_value(json_object_get(v, "why")),
			       "the workload"));
	assert_string_equal(json_string_value(json_object_get(v, "metric")),
			    "workload");
	json_decref(v);

	c.n = 6;
	c.wl_effect = 0;
	v = judge(&c, 5);
	assert_string_equal(verdict_of(v), "inconclusive");
	assert_non_null(strstr(json_string_value(json_object_get(v, "why")),
			       "at least 7 pairs"));
	json_decref(v);

	c.n = 8;
	c.wl = false;
	c.figs = 1;
	c.zero_base = 0;
	v = judge(&c, 9);
	assert_string_equal(verdict_of(v), "improves");
	json_decref(v);
	assert_true(fabs(mt_tune_change(0, 0, true)) < 1e-12);
	assert_true(fabs(mt_tune_change(100, 110, true) - 10.0 / 105) < 1e-12);
	assert_true(mt_tune_change(100, 110, false) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schedule),
		cmocka_unit_test(test_guard_worse),
		cmocka_unit_test(test_guard_delta),
		cmocka_unit_test(test_judge_aa),
		cmocka_unit_test(test_judge_verdicts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
