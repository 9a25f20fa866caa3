/* Unit tests for core/paired.c: the signed-rank null distribution, the
 * Hodges-Lehmann effect, its interval and the verdict.
 *
 * Reference values: the cumulative counts of W+ for n = 10 (1, 2, 3, 5, 7,
 * 10, 14, 19, 25, 33, 43 for w = 0..10, out of 1024) and n = 6 (1, 2, 3, 5
 * for w = 0..3, out of 64), as in the signed-rank tables (Hollander, Wolfe
 * & Chicken, Table A.4: n = 10 has P(W+ <= 8) = 0.024). */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../core/paired.h"
#include "helpers/assert_close.h"

static void test_signed_rank_cdf(void **state)
{
	static const int c10[] = { 1, 2, 3, 5, 7, 10, 14, 19, 25, 33, 43 };

	(void)state;
	for (long w = 0; w <= 10; w++)
		assert_close(mt_signed_rank_cdf(10, w), c10[w] / 1024.0, 1e-12);
	assert_close(mt_signed_rank_cdf(6, 0), 1 / 64.0, 1e-12);
	assert_close(mt_signed_rank_cdf(6, 3), 5 / 64.0, 1e-12);
	assert_close(mt_signed_rank_cdf(6, 21), 1.0, 1e-12);
	/* Symmetric about n(n+1)/4. */
	assert_close(mt_signed_rank_cdf(30, 200) + mt_signed_rank_cdf(30, 264),
		     1.0, 1e-9);
	assert_true(isnan(mt_signed_rank_cdf(10, -1)));
}

/* Three pairs: the estimate is right, the interval is min..max of the
 * Walsh averages at 75%, and no verdict is drawn from it. */
static void test_three_pairs_inconclusive(void **state)
{
	const double a[] = { 100, 100, 100 }, b[] = { 110, 120, 130 };
	struct mt_paired p;
	struct mt_err err = { 0 };

	(void)state;
	assert_int_equal(mt_paired_compute(a, b, 3, true, &p, &err), 0);
	assert_close(p.effect, 0.2, 1e-12);
	assert_close(p.lo, 0.1, 1e-12);
	assert_close(p.hi, 0.3, 1e-12);
	assert_close(p.level, 0.75, 1e-12);
	assert_close(p.median_a, 100, 0);
	assert_close(p.median_b, 120, 0);
	assert_int_equal(p.b_better, 3);
	assert_int_equal(mt_paired_verdict(&p, true), MT_VERDICT_INCONCLUSIVE);
	assert_string_equal(mt_verdict_name(MT_VERDICT_INCONCLUSIVE),
			    "inconclusive");
}

/* Eight pairs all better by 1..8%: k = 4 (P(W+ <= 3) = 5/256), the
 * interval's lower end is the fourth Walsh average, 2%. */
static void test_eight_pairs_direction(void **state)
{
	double a[8], b[8];
	struct mt_paired p;
	struct mt_err err = { 0 };

	(void)state;
	for (int i = 0; i < 8; i++) {
		a[i] = 200;
		b[i] = 200 * (1 + 0.01 * (i + 1));
	}
	assert_int_equal(mt_paired_compute(a, b, 8, true, &p, &err), 0);
	assert_close(p.level, 1 - 2 * 5 / 256.0, 1e-12);
	assert_close(p.lo, 0.02, 1e-12);
	assert_close(p.hi, 0.07, 1e-12);
	assert_close(p.effect, 0.045, 1e-12);
	assert_int_equal(mt_paired_verdict(&p, true), MT_VERDICT_IMPROVES);
	assert_int_equal(mt_paired_verdict(&p, false), MT_VERDICT_HARMS);
	/* The same, the other way round. */
	assert_int_equal(mt_paired_compute(b, a, 8, false, &p, &err), 0);
	assert_true(p.hi < 0);
	assert_int_equal(p.b_better, 8);
	assert_int_equal(mt_paired_verdict(&p, false), MT_VERDICT_IMPROVES);
	assert_string_equal(mt_verdict_name(MT_VERDICT_IMPROVES), "improves");
}

/* A/A: noise symmetric about 0 gives an interval that holds 0. */
static void test_aa_no_effect(void **state)
{
	const double a[] = { 100, 101, 99, 100.5, 99.5, 100, 102, 98 };
	const double b[] = {
		100.7, 100.2, 99.4, 99.9, 100.4, 99.3, 101.1, 98.9
	};
	struct mt_paired p;
	struct mt_err err = { 0 };

	(void)state;
	assert_int_equal(mt_paired_compute(a, b, 8, true, &p, &err), 0);
	assert_true(p.lo < 0 && p.hi > 0);
	assert_int_equal(mt_paired_verdict(&p, true), MT_VERDICT_NO_EFFECT);
	assert_string_equal(mt_verdict_name(MT_VERDICT_NO_EFFECT), "no_effect");
}

static void test_bad_input(void **state)
{
	const double a[] = { 100, 0 }, b[] = { 1, 2 }, c[] = { 1, NAN };
	struct mt_paired p;
	struct mt_err err = { 0 };

	(void)state;
	assert_int_equal(mt_paired_compute(a, b, 0, true, &p, &err), -EINVAL);
	assert_int_equal(mt_paired_compute(a, b, 2, true, &p, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "pair 2"));
	assert_int_equal(mt_paired_compute(b, c, 2, true, &p, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "pair 2"));
}

/* Asked at 97.5% (one of two figures, Bonferroni), six pairs cannot reach
 * it (their widest interval is 1 - 2/64 = 96.9%) and seven can; the
 * interval asked at 97.5% holds the 95% one. */
static void test_level_asked(void **state)
{
	const double a[] = { 100, 101, 99, 100, 102, 98, 100 };
	const double b[] = { 110, 109, 108, 112, 111, 107, 113 };
	struct mt_paired p, q;
	struct mt_err err = { 0 };

	(void)state;
	assert_int_equal(mt_paired_min_pairs(0.95), 6);
	assert_int_equal(mt_paired_min_pairs(0.975), 7);
	assert_int_equal(mt_paired_min_pairs(0.9875), 8);
	assert_int_equal(mt_paired_compute_at(a, b, 6, true, 0.975, &p, &err),
			 0);
	assert_true(p.level < 0.975);
	assert_int_equal(mt_paired_verdict(&p, true), MT_VERDICT_INCONCLUSIVE);
	assert_int_equal(mt_paired_compute_at(a, b, 7, true, 0.975, &p, &err),
			 0);
	assert_true(p.level >= 0.975);
	assert_int_equal(mt_paired_verdict(&p, true), MT_VERDICT_IMPROVES);
	assert_int_equal(mt_paired_compute(a, b, 7, true, &q, &err), 0);
	assert_true(p.lo <= q.lo && p.hi >= q.hi);
	assert_int_equal(mt_paired_compute_at(a, b, 7, true, 1.0, &p, &err),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signed_rank_cdf),
		cmocka_unit_test(test_three_pairs_inconclusive),
		cmocka_unit_test(test_eight_pairs_direction),
		cmocka_unit_test(test_aa_no_effect),
		cmocka_unit_test(test_level_asked),
		cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
