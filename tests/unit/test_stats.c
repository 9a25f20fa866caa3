/* Unit tests for core/stats.c: medians, the binomial confidence interval of
 * the median, percentiles and Welch's t-test.
 *
 * Reference p-values were computed independently in Python by integrating
 * the Student t density numerically (Simpson's rule, 400000 intervals),
 * not with the incomplete beta function under test; the first Welch case is
 * the worked example on Wikipedia's "Welch's t-test" page (p = 0.021).
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "../../core/stats.h"
#include "helpers/assert_close.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Computes the stats of x[0..n) into s and checks its 95% interval
 * [lo, hi] (exactly) and the coverage it reaches, level (within tol). */
static void expect_ci(const double *x, size_t n, struct mt_stats *s, double lo,
		      double hi, double level, double tol)
{
	assert_int_equal(mt_stats_compute(x, n, s), 0);
	assert_close(s->ci95_lo, lo, 0);
	assert_close(s->ci95_hi, hi, 0);
	assert_close(s->ci_level, level, tol);
}

static void test_median_odd_even(void **state)
{
	const double odd[] = { 3, 1, 2 };
	const double even[] = { 4, 1, 3, 2 };
	const double one[] = { 7.5 };
	struct mt_stats s;

	(void)state;
	assert_int_equal(mt_stats_compute(odd, 3, &s), 0);
	assert_int_equal(s.n, 3);
	assert_close(s.median, 2, 0);
	assert_close(s.min, 1, 0);
	assert_close(s.max, 3, 0);
	assert_close(s.mean, 2, 1e-15);
	assert_close(s.stddev, 1, 1e-15);

	assert_int_equal(mt_stats_compute(even, 4, &s), 0);
	assert_close(s.median, 2.5, 0);
	assert_close(s.mean, 2.5, 1e-15);
	/* sample variance of 1..4 is 5/3 */
	assert_close(s.stddev, sqrt(5.0 / 3.0), 1e-15);

	assert_int_equal(mt_stats_compute(one, 1, &s), 0);
	assert_close(s.median, 7.5, 0);
	assert_close(s.stddev, 0, 0);
	assert_close(s.ci95_lo, 7.5, 0);
	assert_close(s.ci95_hi, 7.5, 0);
	assert_close(s.ci_level, 0, 1e-15);
}

static void test_input_not_modified(void **state)
{
	double x[] = { 5, 4, 3, 2, 1 };
	struct mt_stats s;

	(void)state;
	assert_int_equal(mt_stats_compute(x, 5, &s), 0);
	for (size_t i = 0; i < ARRAY_SIZE(x); i++)
		assert_close(x[i], 5.0 - (double)i, 0);
}

/* n = 10: ranks 2 and 9 (1-based), coverage 1 - 2 * 11/1024. */
static void test_ci_n10(void **state)
{
	/* 10..100 shuffled, so rank r holds 10 * r */
	const double x[] = { 70, 20, 100, 50, 10, 90, 30, 60, 80, 40 };
	struct mt_stats s;

	(void)state;
	expect_ci(x, 10, &s, 20, 90, 0.978515625, 1e-12);
	assert_close(s.median, 55, 0);
}

/* n = 30: ranks 10 and 21, coverage 0.957226... (exact binomial). */
static void test_ci_n30(void **state)
{
	double x[30];
	struct mt_stats s;

	(void)state;
	/* a permutation of 1..30: 7 is coprime with 30 */
	for (int i = 0; i < 30; i++)
		x[i] = (double)((i * 7) % 30 + 1);
	expect_ci(x, 30, &s, 10, 21, 0.9572260547429323, 1e-12);
	assert_close(s.median, 15.5, 0);
}

/* Larger n use the log-space binomial: n = 1000 gives ranks 469 and 532. */
static void test_ci_n1000(void **state)
{
	double *x = malloc(1000 * sizeof(*x));
	struct mt_stats s;

	(void)state;
	assert_non_null(x);
	for (int i = 0; i < 1000; i++)
		x[i] = (double)((i * 3) % 1000 + 1);
	expect_ci(x, 1000, &s, 469, 532, 0.9537088026395019, 1e-9);
	free(x);
}

/* Below 6 samples no pair of ranks reaches 95%: min..max with the coverage
 * actually reached; at 6, min..max does reach it (0.96875). */
static void test_ci_small_n(void **state)
{
	const double x[] = { 4, 8, 1, 9, 6, 3 };
	struct mt_stats s;

	(void)state;
	expect_ci(x, 5, &s, 1, 9, 0.9375, 1e-15);
	assert_false(mt_stats_converged(&s, 100));

	expect_ci(x, 2, &s, 4, 8, 0.5, 1e-15);

	expect_ci(x, 6, &s, 1, 9, 0.96875, 1e-15);
}

static void test_rejects_bad_input(void **state)
{
	const double nan_in[] = { 1, NAN, 3 };
	const double inf_in[] = { 1, 2, INFINITY };
	const double ok[] = { 1 };
	struct mt_stats s;

	(void)state;
	assert_int_equal(mt_stats_compute(nan_in, 3, &s), -EINVAL);
	assert_int_equal(mt_stats_compute(inf_in, 3, &s), -EINVAL);
	assert_int_equal(mt_stats_compute(ok, 0, &s), -EINVAL);
}

static void test_converged(void **state)
{
	double x[10];
	struct mt_stats s;

	(void)state;
	/* 98.75 .. 101 in steps of 0.25: ranks 2 and 9 are 99 and 100.75 */
	for (int i = 0; i < 10; i++)
		x[i] = 98.75 + 0.25 * i;
	assert_int_equal(mt_stats_compute(x, 10, &s), 0);
	assert_close(s.ci95_lo, 99.0, 0);
	assert_close(s.ci95_hi, 100.75, 0);
	/* half-width 0.875 against median 99.875 */
	assert_true(mt_stats_converged(&s, 0.01));
	assert_false(mt_stats_converged(&s, 0.008));
	assert_false(mt_stats_converged(NULL, 1));

	/* negative medians compare against |median| */
	for (int i = 0; i < 10; i++)
		x[i] = -x[i];
	assert_int_equal(mt_stats_compute(x, 10, &s), 0);
	assert_true(mt_stats_converged(&s, 0.01));
}

/* Values from numpy.percentile (linear interpolation). */
static void test_percentiles(void **state)
{
	const double sorted[] = { 1, 2, 3, 4 };
	const double unsorted[] = { 15, 20, 35, 40, 50 };
	const double shuffled[] = { 40, 15, 50, 35, 20 };

	(void)state;
	assert_close(mt_percentile_sorted(sorted, 4, 0), 1, 0);
	assert_close(mt_percentile_sorted(sorted, 4, 100), 4, 0);
	assert_close(mt_percentile_sorted(sorted, 4, 50), 2.5, 1e-15);
	assert_close(mt_percentile_sorted(sorted, 4, 25), 1.75, 1e-15);
	assert_close(mt_percentile_sorted(sorted, 4, 90), 3.7, 1e-12);
	assert_close(mt_percentile_sorted(sorted, 4, 150), 4, 0);
	assert_close(mt_percentile_sorted(sorted, 4, -5), 1, 0);
	assert_close(mt_percentile_sorted(sorted, 1, 37), 1, 0);
	assert_close(mt_percentile(unsorted, 5, 40), 29, 1e-12);
	assert_close(mt_percentile(shuffled, 5, 40), 29, 1e-12);
	assert_close(mt_percentile(shuffled, 5, 99), 49.6, 1e-12);
	assert_true(isnan(mt_percentile(shuffled, 0, 50)));
	assert_true(isnan(mt_percentile(shuffled, 5, NAN)));
	/* mt_percentile must not sort the caller's array */
	assert_close(shuffled[0], 40, 0);
}

static void test_welch_known_values(void **state)
{
	/* Wikipedia, "Welch's t-test", example 1: t = -2.46, df = 24.99 */
	const double a1[] = { 27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1,
			      21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4 };
	const double b1[] = { 27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0,
			      24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4 };
	const double a2[] = { 1, 2, 3, 4 };
	const double b2[] = { 2, 4, 6, 8, 10, 12 };
	const double a3[] = { 10.1, 10.3, 9.9, 10.0, 10.2 };
	const double b3[] = { 10.35, 10.5, 10.2, 10.4, 10.3, 10.45, 10.25 };
	const double a4[] = { 5.0, 5.1, 4.9, 5.2, 4.8, 5.05, 4.95, 5.15 };
	const double b4[] = { 5.0, 6.0, 4.0, 5.5, 4.5, 5.2 };

	(void)state;
	assert_close(mt_welch_p(a1, 15, b1, 15), 0.021378001462866312, 1e-9);
	assert_close(mt_welch_p(b1, 15, a1, 15), 0.021378001462866312, 1e-9);
	assert_close(mt_welch_p(a2, 4, b2, 6), 0.031824443780842426, 1e-9);
	assert_close(mt_welch_p(a3, 5, b3, 7), 0.019584477240709566, 1e-9);
	assert_close(mt_welch_p(a4, 8, b4, 6), 0.9623171090776929, 1e-9);
	/* identical sets: no evidence of a difference */
	assert_close(mt_welch_p(a1, 15, a1, 15), 1, 1e-12);
}

/* With 2 samples each and equal variances Welch's df is 2, where the t
 * distribution has the closed form p = 1 - |t| / sqrt(2 + t^2). */
static void test_welch_closed_form(void **state)
{
	const double a[] = { 0, 2 }; /* mean 1, variance 2 */
	const double b[] = { 4, 6 }; /* mean 5, variance 2 */
	double t = -4 / sqrt(2.0 / 2 + 2.0 / 2);

	(void)state;
	assert_close(mt_welch_p(a, 2, b, 2), 1 - fabs(t) / sqrt(2 + t * t),
		     1e-12);
}

static void test_welch_edge_cases(void **state)
{
	const double a[] = { 1, 2, 3 };
	const double c[] = { 5, 5, 5 };
	const double d[] = { 7, 7 };
	const double bad[] = { 1, NAN, 3 };

	(void)state;
	assert_true(isnan(mt_welch_p(a, 1, a, 3)));
	assert_true(isnan(mt_welch_p(a, 3, a, 1)));
	assert_true(isnan(mt_welch_p(a, 3, bad, 3)));
	/* zero variance on both sides: certain or nothing */
	assert_close(mt_welch_p(c, 3, d, 2), 0, 0);
	assert_close(mt_welch_p(c, 3, c, 2), 1, 0);
	/* one constant side still gives a proper p-value */
	assert_true(mt_welch_p(a, 3, c, 3) > 0 && mt_welch_p(a, 3, c, 3) < 1);
}

static void test_latency_summary(void **state)
{
	double ns[] = { 5000, 1000, 4000, 2000, 3000 };
	double p50, p99, max;

	(void)state;
	mt_latency_summary(ns, 5, &p50, &p99, &max);
	assert_true(fabs(p50 - 3.0) < 1e-9);
	/* Linear interpolation: rank 0.99 * 4 = 3.96 between 4 and 5 us. */
	assert_true(fabs(p99 - 4.96) < 1e-9);
	assert_true(fabs(max - 5.0) < 1e-9);
	/* Sorted in place. */
	assert_true(ns[0] == 1000 && ns[4] == 5000);
	mt_latency_summary(ns, 0, &p50, &p99, &max);
	assert_true(isnan(p50) && isnan(p99) && isnan(max));
}

/* Student's t critical values against the tables (scipy.stats.t.ppf). */
static void test_t_crit(void **state)
{
	(void)state;
	assert_close(mt_t_crit(1, 0.95), 12.706204736, 1e-6);
	assert_close(mt_t_crit(2, 0.95), 4.302652730, 1e-6);
	assert_close(mt_t_crit(4, 0.95), 2.776445105, 1e-6);
	assert_close(mt_t_crit(30, 0.95), 2.042272456, 1e-6);
	assert_close(mt_t_crit(1e6, 0.95), 1.959966, 1e-5);
	assert_close(mt_t_crit(1, 0.90), 6.313751515, 1e-6);
	assert_true(isnan(mt_t_crit(0, 0.95)));
	assert_true(isnan(mt_t_crit(3, 1.0)));
	assert_true(isnan(mt_t_crit(3, 0)));
}

/* Rounds combined: the median of the rounds, Student's interval of their
 * spread, never narrower than a round's own interval, stopped at 0 for
 * quantities that cannot be negative; one round is itself. */
static void test_rounds_combine(void **state)
{
	const double v3[] = { 12, 10, 11 }, lo3[] = { 11.8, 9.8, 10.8 },
		     hi3[] = { 12.2, 10.2, 11.2 };
	const double same[] = { 10, 10, 10 }, slo[] = { 9.5, 9.7, 9.6 },
		     shi[] = { 10.5, 10.3, 10.4 };
	const double v2[] = { 1, 3 }, lo2[] = { 0.9, 2.9 },
		     hi2[] = { 1.1, 3.1 };
	const double neg[] = { -1, 1 }, nlo[] = { -1.1, 0.9 },
		     nhi[] = { -0.9, 1.1 };
	const double bad[] = { 1, NAN };
	struct mt_rounds_ci c;

	(void)state;
	/* s = 1, t(2) = 4.3027: half 4.3027 * sqrt(2 / 3) = 3.51310 */
	assert_int_equal(mt_rounds_combine(v3, lo3, hi3, 3, &c), 0);
	assert_close(c.value, 11, 0);
	assert_close(c.between, 3.513101, 1e-6);
	assert_close(c.within, 0.2, 1e-12);
	assert_close(c.lo, 11 - 3.513101, 1e-6);
	assert_close(c.hi, 11 + 3.513101, 1e-6);
	/* Rounds that agree: the median round half-width (0.4) is the floor. */
	assert_int_equal(mt_rounds_combine(same, slo, shi, 3, &c), 0);
	assert_close(c.between, 0, 0);
	assert_close(c.lo, 9.6, 1e-12);
	assert_close(c.hi, 10.4, 1e-12);
	/* Without round intervals there is no floor. */
	assert_int_equal(mt_rounds_combine(same, NULL, NULL, 3, &c), 0);
	assert_close(c.lo, 10, 0);
	assert_close(c.hi, 10, 0);
	/* Two rounds: t(1) = 12.706 * s * sqrt(2 / 2) = 17.969 (s = sqrt 2);
	 * the lower end stops at 0. */
	assert_int_equal(mt_rounds_combine(v2, lo2, hi2, 2, &c), 0);
	assert_close(c.value, 2, 0);
	assert_close(c.hi, 2 + 17.969287, 1e-6);
	assert_close(c.lo, 0, 0);
	/* ...but not for a quantity that is negative. */
	assert_int_equal(mt_rounds_combine(neg, nlo, nhi, 2, &c), 0);
	assert_close(c.lo, -17.969287, 1e-6);
	/* One round: its own interval. */
	assert_int_equal(mt_rounds_combine(v3, lo3, hi3, 1, &c), 0);
	assert_close(c.value, 12, 0);
	assert_close(c.lo, 11.8, 0);
	assert_close(c.hi, 12.2, 0);
	assert_int_equal(mt_rounds_combine(v3, lo3, hi3, 0, &c), -EINVAL);
	assert_int_equal(mt_rounds_combine(bad, NULL, NULL, 2, &c), -EINVAL);
	assert_int_equal(mt_rounds_combine(v2, lo2, bad, 2, &c), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_median_odd_even),
		cmocka_unit_test(test_input_not_modified),
		cmocka_unit_test(test_ci_n10),
		cmocka_unit_test(test_ci_n30),
		cmocka_unit_test(test_ci_n1000),
		cmocka_unit_test(test_ci_small_n),
		cmocka_unit_test(test_rejects_bad_input),
		cmocka_unit_test(test_converged),
		cmocka_unit_test(test_percentiles),
		cmocka_unit_test(test_latency_summary),
		cmocka_unit_test(test_welch_known_values),
		cmocka_unit_test(test_welch_closed_form),
		cmocka_unit_test(test_welch_edge_cases),
		cmocka_unit_test(test_t_crit),
		cmocka_unit_test(test_rounds_combine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
