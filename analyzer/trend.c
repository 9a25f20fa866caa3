/* The Theil-Sen slope and Sen's interval (see trend.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/stats.h"
#include "trend.h"

/* Averages the finite points of x/y into at most MT_TREND_MAX_BINS bins
 * of consecutive points into bx/by; returns how many. */
static size_t bin_points(const double *x, const double *y, size_t n, double *bx,
			 double *by)
{
	size_t usable = 0, per, k = 0, in = 0;
	double sx = 0, sy = 0;

	for (size_t i = 0; i < n; i++)
		if (isfinite(x[i]) && isfinite(y[i]))
			usable++;
	per = (usable + MT_TREND_MAX_BINS - 1) / MT_TREND_MAX_BINS;
	if (per < 1)
		per = 1;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(x[i]) || !isfinite(y[i]))
			continue;
		sx += x[i];
		sy += y[i];
		if (++in == per) {
			bx[k] = sx / (double)in;
			by[k++] = sy / (double)in;
			sx = sy = 0;
			in = 0;
		}
	}
	if (in) {
		bx[k] = sx / (double)in;
		by[k++] = sy / (double)in;
	}
	return k;
}

int mt_trend_fit(const double *x, const double *y, size_t n,
		 struct mt_trend *out)
{
	double *bx, *by, *s = NULL, *r = NULL;
	size_t m, ns = 0, nn = n < MT_TREND_MAX_BINS ? n : MT_TREND_MAX_BINS;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->slope = out->lo = out->hi = out->intercept = NAN;
	bx = malloc((nn + 1) * sizeof(*bx));
	by = malloc((nn + 1) * sizeof(*by));
	if (!bx || !by) {
		rc = -ENOMEM;
		goto out;
	}
	m = bin_points(x, y, n, bx, by);
	if (m < 2) {
		rc = -EINVAL;
		goto out;
	}
	s = malloc(m * (m - 1) / 2 * sizeof(*s));
	r = malloc(m * sizeof(*r));
	if (!s || !r) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < m; i++)
		for (size_t j = i + 1; j < m; j++)
			if (bx[j] != bx[i])
				s[ns++] = (by[j] - by[i]) / (bx[j] - bx[i]);
	if (ns == 0) {
		rc = -EINVAL;
		goto out;
	}
	qsort(s, ns, sizeof(*s), mt_cmp_double);
	out->n = m;
	out->slope = mt_median_sorted(s, ns);
	out->x0 = bx[0];
	out->x1 = bx[m - 1];
	for (size_t i = 0; i < m; i++)
		r[i] = by[i] - out->slope * bx[i];
	out->intercept = mt_median(r, m);
	if (m >= MT_TREND_MIN_N) {
		/* Var(S) of Kendall's statistic without ties; the bounds are
		 * the M1-th and (M2 + 1)-th ordered slopes (1-based). */
		double var = (double)m * (double)(m - 1) * (2.0 * m + 5) / 18;
		double c = 1.959963985 * sqrt(var);
		double m1 = ((double)ns - c) / 2, m2 = ((double)ns + c) / 2;
		long i1 = lround(m1), i2 = lround(m2) + 1;

		if (i1 < 1)
			i1 = 1;
		if (i2 > (long)ns)
			i2 = (long)ns;
		out->lo = s[i1 - 1];
		out->hi = s[i2 - 1];
	}
out:
	free(bx);
	free(by);
	free(s);
	free(r);
	return rc;
}
