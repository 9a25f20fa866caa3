/* Statistics of repeated samples: median and spread, the distribution-free
 * confidence interval of the median, percentiles and Welch's t-test.
 *
 * Benchmark samples are rarely normal (a long right tail from interrupts and
 * page faults), so the interval that decides convergence comes from order
 * statistics and the exact binomial distribution, which assumes nothing about
 * the shape of the distribution.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/* The confidence the median's interval aims for. */
#define MT_CI_TARGET 0.95

/* qsort comparator for doubles in ascending order; NaN sorts last so that a
 * NaN never breaks the ordering of the finite values. */
int mt_cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	if (isnan(a) || isnan(b))
		return isnan(a) - isnan(b);
	return (a > b) - (a < b);
}

/* Returns P(B = i) for B ~ Binomial(n, 0.5), i <= n, computed in
 * logarithms so that large n neither overflows the binomial coefficient
 * nor underflows 0.5^n before the multiplication. */
static double binom_half_pmf(size_t n, size_t i)
{
	int sign;
	double lc = lgamma_r((double)n + 1, &sign) -
		    lgamma_r((double)i + 1, &sign) -
		    lgamma_r((double)(n - i) + 1, &sign);

	return exp(lc - (double)n * M_LN2);
}

/* Finds the 1-based rank j of the lower end of the narrowest symmetric pair
 * of order statistics (j, n + 1 - j) whose coverage of the median,
 * P(j <= B <= n - j) = 1 - 2 P(B <= j - 1) for B ~ Binomial(n, 0.5), is at
 * least MT_CI_TARGET. Stores that coverage in *level. Returns 0 when no pair
 * reaches the target (n < 6); *level is then the coverage of min..max. */
static size_t median_ci_rank(size_t n, double *level)
{
	double cdf = 0, next;
	size_t j = 0;

	/* Grow j while the tail below rank j + 1 stays within 2.5%; the
	 * tail probabilities are multiples of 2^-n, never exactly 0.025, so
	 * the comparison has no tie to break. */
	for (size_t i = 0; i < n / 2; i++) {
		next = cdf + binom_half_pmf(n, i);
		if (1 - 2 * next < MT_CI_TARGET)
			break;
		cdf = next;
		j = i + 1;
	}
	if (j == 0) {
		*level = 1 - 2 * pow(0.5, (double)n);
		return 0;
	}
	*level = 1 - 2 * cdf;
	return j;
}

/* Computes the statistics of samples[0..n) into *out: median, min, max,
 * mean, sample standard deviation (0 when n is 1), and the exact
 * order-statistic confidence interval of the median with the level it
 * reached. Returns 0, -EINVAL when n is 0 or a sample is not finite, or
 * -ENOMEM. */
int mt_stats_compute(const double *samples, size_t n, struct mt_stats *out)
{
	double *s, sum = 0, ss = 0, level;
	size_t j;

	if (n == 0 || !samples || !out)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(samples[i]))
			return -EINVAL;
	s = malloc(n * sizeof(*s));
	if (!s)
		return -ENOMEM;
	memcpy(s, samples, n * sizeof(*s));
	qsort(s, n, sizeof(*s), mt_cmp_double);

	memset(out, 0, sizeof(*out));
	out->n = n;
	out->min = s[0];
	out->max = s[n - 1];
	out->median = mt_median_sorted(s, n);
	for (size_t i = 0; i < n; i++)
		sum += s[i];
	out->mean = sum / (double)n;
	/* Two passes: summing squares of deviations from the mean keeps
	 * precision when the spread is tiny compared with the values. */
	for (size_t i = 0; i < n; i++)
		ss += (s[i] - out->mean) * (s[i] - out->mean);
	out->stddev = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;

	j = median_ci_rank(n, &level);
	if (j == 0) {
		out->ci95_lo = s[0];
		out->ci95_hi = s[n - 1];
	} else {
		out->ci95_lo = s[j - 1];
		out->ci95_hi = s[n - j];
	}
	out->ci_level = level;
	free(s);
	return 0;
}

double mt_median_sorted(const double *sorted, size_t n)
{
	if (n == 0)
		return NAN;
	return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

double mt_median(double *v, size_t n)
{
	if (n == 0)
		return NAN;
	qsort(v, n, sizeof(*v), mt_cmp_double);
	return mt_median_sorted(v, n);
}

/* Returns the percentile p (clamped to 0..100) of sorted[0..n) by linear
 * interpolation between the closest ranks, as numpy.percentile does by
 * default. NAN when n is 0 or p is NaN. */
double mt_percentile_sorted(const double *sorted, size_t n, double p)
{
	double h, frac;
	size_t lo;

	if (n == 0 || !sorted || isnan(p))
		return NAN;
	if (p < 0)
		p = 0;
	if (p > 100)
		p = 100;
	h = (double)(n - 1) * p / 100;
	lo = (size_t)floor(h);
	if (lo >= n - 1)
		return sorted[n - 1];
	frac = h - (double)lo;
	return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

/* Returns the percentile p of samples[0..n), which it copies and sorts;
 * NAN when n is 0 or memory runs out. */
double mt_percentile(const double *samples, size_t n, double p)
{
	double *s, r;

	if (n == 0 || !samples)
		return NAN;
	s = malloc(n * sizeof(*s));
	if (!s)
		return NAN;
	memcpy(s, samples, n * sizeof(*s));
	qsort(s, n, sizeof(*s), mt_cmp_double);
	r = mt_percentile_sorted(s, n, p);
	free(s);
	return r;
}

/* True when s reached a 95% interval and its half-width is within
 * fraction * |median|. */
bool mt_stats_converged(const struct mt_stats *s, double fraction)
{
	if (!s || s->n == 0 || !(s->ci_level >= MT_CI_TARGET))
		return false;
	return (s->ci95_hi - s->ci95_lo) / 2 <= fraction * fabs(s->median);
}

/* One step of the modified Lentz method with partial numerator aa:
 * updates c and d (each kept away from 0 by tiny) and returns the factor
 * c * d the continued fraction's value is multiplied by. */
static double lentz_step(double aa, double *c, double *d, double tiny)
{
	*d = 1 + aa * *d;
	if (fabs(*d) < tiny)
		*d = tiny;
	*c = 1 + aa / *c;
	if (fabs(*c) < tiny)
		*c = tiny;
	*d = 1 / *d;
	return *d * *c;
}

/* Continued fraction of the incomplete beta function, evaluated with the
 * modified Lentz method (Numerical Recipes, betacf). Converges quickly for
 * x < (a + 1) / (a + b + 2), which the caller ensures. */
static double beta_cf(double a, double b, double x)
{
	const double tiny = 1e-300, eps = 1e-15;
	double qab = a + b, qap = a + 1, qam = a - 1;
	double c = 1, d = 1 - qab * x / qap, h;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (int m = 1; m <= 1000; m++) {
		int m2 = 2 * m;
		double del;

		h *= lentz_step(m * (b - m) * x / ((qam + m2) * (a + m2)), &c,
				&d, tiny);
		del = lentz_step(-(a + m) * (qab + m) * x /
					 ((a + m2) * (qap + m2)),
				 &c, &d, tiny);
		h *= del;
		if (fabs(del - 1) < eps)
			break;
	}
	return h;
}

/* The regularized incomplete beta function I_x(a, b) for a, b > 0 and
 * x in [0, 1]. */
static double beta_inc(double a, double b, double x)
{
	double front;
	int sign;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma_r(a + b, &sign) - lgamma_r(a, &sign) -
		    lgamma_r(b, &sign) + a * log(x) + b * log1p(-x));
	/* Use the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) where the continued
	 * fraction converges fast. */
	if (x < (a + 1) / (a + b + 2))
		return front * beta_cf(a, b, x) / a;
	return 1 - front * beta_cf(b, a, 1 - x) / b;
}

/* Two-sided tail probability P(|T| >= |t|) of Student's t distribution
 * with df degrees of freedom (df > 0, not necessarily an integer). */
static double student_t_two_sided(double t, double df)
{
	return beta_inc(df / 2, 0.5, df / (df + t * t));
}

/* Mean and sample variance of x[0..n), n >= 2. */
static void mean_var(const double *x, size_t n, double *mean, double *var)
{
	double sum = 0, ss = 0;

	for (size_t i = 0; i < n; i++)
		sum += x[i];
	*mean = sum / (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (x[i] - *mean) * (x[i] - *mean);
	*var = ss / (double)(n - 1);
}

/* Welch's unequal-variance t-test of a[0..na) against b[0..nb): returns the
 * two-sided p-value (what scipy.stats.ttest_ind(equal_var=False) gives), or
 * NAN when either set has fewer than 2 samples or holds a non-finite value.
 * When both sets have zero variance the answer is 1 for equal means and 0
 * otherwise: the difference is then either nothing or certain. */
double mt_welch_p(const double *a, size_t na, const double *b, size_t nb)
{
	double ma, va, mb, vb, sa, sb, se2, t, df;

	if (!a || !b || na < 2 || nb < 2)
		return NAN;
	for (size_t i = 0; i < na; i++)
		if (!isfinite(a[i]))
			return NAN;
	for (size_t i = 0; i < nb; i++)
		if (!isfinite(b[i]))
			return NAN;
	mean_var(a, na, &ma, &va);
	mean_var(b, nb, &mb, &vb);
	sa = va / (double)na;
	sb = vb / (double)nb;
	se2 = sa + sb;
	if (se2 <= 0)
		return ma == mb ? 1 : 0;
	t = (ma - mb) / sqrt(se2);
	/* Welch–Satterthwaite degrees of freedom. */
	df = se2 * se2 /
	     (sa * sa / (double)(na - 1) + sb * sb / (double)(nb - 1));
	return student_t_two_sided(t, df);
}

void mt_tail_summary(double *v, size_t n, double scale, double *p50,
		     double *p99, double *max)
{
	if (n == 0) {
		*p50 = *p99 = *max = NAN;
		return;
	}
	qsort(v, n, sizeof(*v), mt_cmp_double);
	*p50 = mt_percentile_sorted(v, n, 50.0) / scale;
	*p99 = mt_percentile_sorted(v, n, 99.0) / scale;
	*max = v[n - 1] / scale;
}

void mt_latency_summary(double *ns, size_t n, double *p50_us, double *p99_us,
			double *max_us)
{
	mt_tail_summary(ns, n, 1e3, p50_us, p99_us, max_us);
}

/* Bisection on the two-sided tail of Student's t: the tail falls from 1
 * at t = 0 towards 0, and 2^-80 of the bracket is far below the digits
 * anyone reads. */
double mt_t_crit(double df, double level)
{
	double lo = 0, hi = 1;

	if (!(df > 0) || !(level > 0 && level < 1))
		return NAN;
	while (student_t_two_sided(hi, df) > 1 - level && hi < 1e12)
		hi *= 2;
	for (int i = 0; i < 80; i++) {
		double mid = (lo + hi) / 2;

		if (student_t_two_sided(mid, df) > 1 - level)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/* True when values[0..n) and lo[0..n) (when given) are all >= 0. */
static bool nonnegative(const double *values, const double *lo, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (values[i] < 0 || (lo && lo[i] < 0))
			return false;
	return true;
}

/* The interval of a case measured in rounds. One run's samples tell only
 * how noisy a sample is within that run; the value moves more than that
 * from run to run (each round starts a fresh worker: new physical pages,
 * other neighbours, another moment of the machine). So the interval is
 * built from the round values, each a draw of that run-to-run variation,
 * and it is meant to hold what a person checks an error bar against: the
 * value the next run of the same configuration gives.
 *
 *   between = t(0.975, n - 1) * s * sqrt(1/n + 1/n), s the rounds' sample
 *             stddev: Student's 95% prediction interval for the centre of
 *             another n rounds (the difference of two such centres has
 *             variance s^2 (1/n + 1/n)). A confidence interval of this
 *             run's centre (s / sqrt(n)) would hold the next run's value
 *             only about 85-90% of the time, as it ignores the next run's
 *             own noise: measured here, 87.5% with 3 rounds, against 92%
 *             with this one. Student's t stays honest at the few rounds a
 *             sweep can afford (t is 12.7 at n = 2, 4.3 at n = 3), where
 *             an order-statistic interval cannot reach 95% (min..max of
 *             3 rounds is a 75% interval);
 *   within  = the median of the rounds' own half-widths: with few rounds
 *             s can come out near 0 by chance (two rounds that happen to
 *             agree), and the interval must never be narrower than what
 *             one round's samples already say;
 *   half    = max(between, within), centred on the median of the rounds
 *             (the record's value, robust to one odd round); the lower
 *             end stops at 0 when every round and its interval are at or
 *             above 0 (a latency or a bandwidth is never negative, and
 *             two rounds far apart give a wide t interval).
 *
 * With n = 1 there is no spread to measure: the round's own interval. */
int mt_rounds_combine(const double *values, const double *lo, const double *hi,
		      size_t n, struct mt_rounds_ci *out)
{
	double *v, *w, mean, var;

	if (!values || !out || n == 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(values[i]) ||
		    (lo && hi && (!isfinite(lo[i]) || !isfinite(hi[i]))))
			return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (n == 1) {
		out->value = values[0];
		out->lo = lo && hi ? lo[0] : values[0];
		out->hi = lo && hi ? hi[0] : values[0];
		out->within = (out->hi - out->lo) / 2;
		out->half = out->within;
		return 0;
	}
	v = malloc(2 * n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	w = v + n;
	memcpy(v, values, n * sizeof(*v));
	out->value = mt_median(v, n);
	for (size_t i = 0; lo && hi && i < n; i++)
		w[i] = fabs(hi[i] - lo[i]) / 2;
	out->within = lo && hi ? mt_median(w, n) : 0;
	mean_var(values, n, &mean, &var);
	out->between = mt_t_crit((double)(n - 1), MT_CI_TARGET) * sqrt(var) *
		       sqrt(2.0 / (double)n);
	out->half = fmax(out->between, out->within);
	out->lo = out->value - out->half;
	out->hi = out->value + out->half;
	if (out->lo < 0 && nonnegative(values, lo, n))
		out->lo = 0;
	free(v);
	return 0;
}
