/* Unit tests for analyzer/changepoint.c: knees of synthetic curves with
 * known change points and seeded noise, the false-alarm rate on pure
 * noise, and the error paths. Every random number comes from a fixed seed,
 * so the tests are deterministic.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../analyzer/changepoint.h"

/* xorshift64* and Box-Muller: a seeded normal deviate. */
static uint64_t rng_state;

static double uniform(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return ((rng_state * 2685821657736338717ull) >> 11) * 0x1.0p-53;
}

static double gauss(void)
{
	double u = uniform(), v = uniform();

	if (u < 1e-300)
		u = 1e-300;
	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/* Fills x = 0..n-1 and y = level steps: y[i] = levels[s] for the segment s
 * that i falls in (starts[s] <= i), plus sigma * N(0,1). */
static void step_curve(double *x, double *y, size_t n, const size_t *starts,
		       const double *levels, size_t n_steps, double sigma)
{
	for (size_t i = 0; i < n; i++) {
		size_t s = 0;

		while (s + 1 < n_steps && i >= starts[s + 1])
			s++;
		x[i] = (double)i;
		y[i] = levels[s] + sigma * gauss();
	}
}

/* Runs the constant model and returns the knees found (up to 8). */
static size_t knees_of(const double *x, const double *y, size_t n,
		       enum mt_cp_model m, struct mt_cp_knee *k)
{
	struct mt_cp_result r;

	assert_int_equal(mt_cp_segment(x, y, n, m, 1e-6, &r), 0);
	return mt_cp_knees(x, &r, k, 8);
}

/* A clean three-plateau curve: both knees, at the exact boundaries. */
static void test_clean_steps(void **state)
{
	static const size_t starts[] = { 0, 6, 13 };
	static const double levels[] = { 0.3, 1.4, 4.5 };
	struct mt_cp_knee k[8];
	double x[20], y[20];

	(void)state;
	step_curve(x, y, 20, starts, levels, 3, 0);
	assert_int_equal(knees_of(x, y, 20, MT_CP_CONSTANT, k), 2);
	assert_int_equal(k[0].below, 5);
	assert_int_equal(k[0].above, 6);
	assert_int_equal(k[1].above, 13);
	assert_true(fabs(k[0].step - 1.1) < 1e-9);
	assert_true(fabs(k[1].step - 3.1) < 1e-9);
}

/* Steps of 0.4 in log latency (a 50% rise) under 5% noise: over 100 seeds
 * the three knees are found (a fourth, spurious one at most twice), each
 * within one point of the truth, mostly exactly. */
static void test_noisy_steps(void **state)
{
	static const size_t starts[] = { 0, 7, 12, 18 };
	static const double levels[] = { 1.0, 1.4, 1.8, 3.0 };
	size_t exact = 0, extra = 0;

	(void)state;
	for (uint64_t seed = 1; seed <= 100; seed++) {
		struct mt_cp_knee k[8];
		double x[24], y[24];
		size_t nk;

		rng_state = seed * 0x9E3779B97F4A7C15ull;
		step_curve(x, y, 24, starts, levels, 4, 0.05);
		nk = knees_of(x, y, 24, MT_CP_CONSTANT, k);
		assert_true(nk >= 3);
		if (nk > 3) {
			extra++;
			continue;
		}
		for (size_t i = 0; i < 3; i++)
			assert_true(labs((long)k[i].above -
					 (long)starts[i + 1]) <= 1);
		exact += k[0].above == 7 && k[1].above == 12 &&
			 k[2].above == 18;
	}
	assert_true(extra <= 2);
	/* Off by one only rarely at this noise. */
	assert_true(exact >= 90);
}

/* Flat curves of pure noise: a knee in at most 6 of 200 (the penalty
 * counts where the change is, not only its level). */
static void test_flat_noise_no_knee(void **state)
{
	size_t false_alarms = 0;

	(void)state;
	for (uint64_t seed = 1; seed <= 200; seed++) {
		static const size_t starts[] = { 0 };
		static const double levels[] = { 2.0 };
		struct mt_cp_knee k[8];
		double x[20], y[20];

		rng_state = seed * 0xD1B54A32D192ED03ull;
		step_curve(x, y, 20, starts, levels, 1, 0.1);
		false_alarms += knees_of(x, y, 20, MT_CP_CONSTANT, k) > 0;
	}
	assert_true(false_alarms <= 6);
}

/* The same small step is a knee under little noise and not under a lot:
 * no fixed threshold decides, the noise does. */
static void test_noise_decides(void **state)
{
	static const size_t starts[] = { 0, 10 };
	static const double levels[] = { 1.0, 1.2 };
	struct mt_cp_knee k[8];
	double x[20], y[20];

	(void)state;
	rng_state = 42;
	step_curve(x, y, 20, starts, levels, 2, 0.01);
	assert_int_equal(knees_of(x, y, 20, MT_CP_CONSTANT, k), 1);
	assert_int_equal(k[0].above, 10);
	rng_state = 42;
	step_curve(x, y, 20, starts, levels, 2, 0.3);
	assert_int_equal(knees_of(x, y, 20, MT_CP_CONSTANT, k), 0);
}

/* A step down is a change but not a knee. */
static void test_step_down_not_knee(void **state)
{
	static const size_t starts[] = { 0, 8 };
	static const double levels[] = { 3.0, 1.0 };
	struct mt_cp_result r;
	struct mt_cp_knee k[8];
	double x[16], y[16];

	(void)state;
	step_curve(x, y, 16, starts, levels, 2, 0);
	assert_int_equal(mt_cp_segment(x, y, 16, MT_CP_CONSTANT, 0, &r), 0);
	assert_int_equal(r.n_segments, 2);
	assert_int_equal(mt_cp_knees(x, &r, k, 8), 0);
}

/* A single wild point is not a plateau of its own (segments need two
 * points), so it does not make two knees. */
static void test_outlier(void **state)
{
	static const size_t starts[] = { 0, 10 };
	static const double levels[] = { 1.0, 2.0 };
	struct mt_cp_knee k[8];
	double x[20], y[20];

	(void)state;
	rng_state = 7;
	step_curve(x, y, 20, starts, levels, 2, 0.02);
	y[4] += 0.6;
	assert_int_equal(knees_of(x, y, 20, MT_CP_CONSTANT, k), 1);
	assert_int_equal(k[0].above, 10);
}

/* A latency curve like a real one, x = log2(bytes) from 4K to 1G:
 * L1 to 32K, L2 to 512K, L3 to 16M, then DRAM, with 3% noise and a ramp
 * point at each transition. Knees within one point of each level change. */
static void test_latency_like(void **state)
{
	double x[19], y[19];
	struct mt_cp_knee k[8];
	size_t nk;

	(void)state;
	rng_state = 2024;
	for (size_t i = 0; i < 19; i++) {
		int lg = 12 + (int)i;
		double ns = lg <= 15 ? 1.2 :
			    lg <= 19 ? 4.0 :
			    lg <= 24 ? 12.0 :
				       95.0;

		/* The point just past each level is half way up. */
		if (lg == 16)
			ns = 2.6;
		else if (lg == 25)
			ns = 50.0;
		x[i] = lg;
		y[i] = log(ns) + 0.03 * gauss();
	}
	nk = knees_of(x, y, 19, MT_CP_CONSTANT, k);
	assert_int_equal(nk, 3);
	assert_true(fabs(x[k[0].above] - 16) <= 1);
	assert_true(fabs(x[k[1].above] - 20) <= 1);
	assert_true(fabs(x[k[2].above] - 25) <= 1);
}

/* The linear model finds a hinge: flat, then rising with slope 0.5. */
static void test_linear_hinge(void **state)
{
	double x[24], y[24];
	struct mt_cp_knee k[8];
	size_t nk;

	(void)state;
	rng_state = 99;
	for (size_t i = 0; i < 24; i++) {
		x[i] = (double)i;
		y[i] = (i < 12 ? 1.0 : 1.0 + 0.5 * (double)(i - 11)) +
		       0.05 * gauss();
	}
	nk = knees_of(x, y, 24, MT_CP_LINEAR, k);
	assert_int_equal(nk, 1);
	assert_true(labs((long)k[0].above - 12) <= 1);
}

/* Bad input is refused; a curve shorter than a segment is one segment. */
static void test_errors_and_tiny(void **state)
{
	double x[3] = { 1, 2, 2 }, y[3] = { 1, 2, 3 };
	struct mt_cp_result r;

	(void)state;
	assert_int_equal(mt_cp_segment(x, y, 0, MT_CP_CONSTANT, 0, &r),
			 -EINVAL);
	assert_int_equal(mt_cp_segment(x, y, 3, MT_CP_CONSTANT, 0, &r),
			 -EINVAL);
	x[2] = 3;
	y[1] = NAN;
	assert_int_equal(mt_cp_segment(x, y, 3, MT_CP_CONSTANT, 0, &r),
			 -EINVAL);
	y[1] = 2;
	assert_int_equal(mt_cp_segment(x, y, 1, MT_CP_CONSTANT, 0, &r), 0);
	assert_int_equal(r.n_segments, 1);
	assert_int_equal(mt_cp_segment(x, y, 2, MT_CP_LINEAR, 0, &r), 0);
	assert_int_equal(r.n_segments, 1);
	assert_int_equal(r.seg[0].last, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_steps),
		cmocka_unit_test(test_noisy_steps),
		cmocka_unit_test(test_flat_noise_no_knee),
		cmocka_unit_test(test_noise_decides),
		cmocka_unit_test(test_step_down_not_knee),
		cmocka_unit_test(test_outlier),
		cmocka_unit_test(test_latency_like),
		cmocka_unit_test(test_linear_hinge),
		cmocka_unit_test(test_errors_and_tiny),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
