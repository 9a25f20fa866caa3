/* Unit tests for memtune tune's parts: the ABBA schedule and the
 * guardrails' judgement (tune/schedule.c, tune/guard.c). */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schedule),
		cmocka_unit_test(test_guard_worse),
		cmocka_unit_test(test_guard_delta),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
