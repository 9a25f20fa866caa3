/* Change points by optimal partitioning with a BIC penalty (see
 * changepoint.h).
 *
 * For each number of segments K the best split is found exactly by dynamic
 * programming over prefix sums (O(K n^2), n is a few dozen sizes). K is then
 * chosen by minimizing
 *
 *	n * ln(max(RSS_K / n, noise_var)) + K * (p + 3) * ln(n)
 *
 * the Gaussian log-likelihood with unknown variance plus a BIC penalty of
 * the p fitted parameters of each segment and its location. The location
 * is charged as three parameters, not one: a change point is the best of
 * many positions, so a split of pure noise gains more than one parameter's
 * worth (the idea of Zhang and Siegmund's modified BIC). Charged as one,
 * 20 points of flat noise are split 6% of the time; charged as three, 1%,
 * while steps of 8 noise widths are still all found (tests/unit pin both).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "changepoint.h"

/* Prefix sums of 1, x, y, x^2, xy, y^2. */
struct sums {
	double *x, *y, *xx, *xy, *yy;
};

/* Least-squares fit of segment [i, j] (inclusive) from prefix sums: stores
 * the line in *a, *b (b = 0 for the constant model) and returns its RSS. */
static double seg_fit(const struct sums *s, size_t i, size_t j,
		      enum mt_cp_model model, double *a, double *b)
{
	double n = (double)(j - i + 1);
	double sx = s->x[j + 1] - s->x[i], sy = s->y[j + 1] - s->y[i];
	double sxx = s->xx[j + 1] - s->xx[i], sxy = s->xy[j + 1] - s->xy[i];
	double syy = s->yy[j + 1] - s->yy[i];
	double vyy = syy - sy * sy / n, rss;

	*b = 0;
	if (model == MT_CP_LINEAR) {
		double vxx = sxx - sx * sx / n, vxy = sxy - sx * sy / n;

		if (vxx > 0) {
			*b = vxy / vxx;
			vyy -= vxy * vxy / vxx;
		}
	}
	*a = (sy - *b * sx) / n;
	rss = vyy;
	/* Cancellation in the prefix sums can leave a tiny negative. */
	return rss > 0 ? rss : 0;
}

/* Segments y over x (see changepoint.h). */
int mt_cp_segment(const double *x, const double *y, size_t n,
		  enum mt_cp_model model, double noise_var,
		  struct mt_cp_result *out)
{
	size_t min_len = model == MT_CP_LINEAR ? 3 : 2;
	size_t p = model == MT_CP_LINEAR ? 2 : 1, kmax, best_k = 1;
	double *cost = NULL, *buf = NULL, best = INFINITY, a, b;
	size_t *from = NULL;
	struct sums s;
	int ret = -ENOMEM;

	memset(out, 0, sizeof(*out));
	if (n == 0 || !x || !y)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i]) || !isfinite(y[i]) ||
		    (i && x[i] <= x[i - 1]))
			return -EINVAL;
	if (!(noise_var > 0))
		noise_var = 1e-12;

	buf = calloc(5 * (n + 1), sizeof(double));
	if (!buf)
		return -ENOMEM;
	s.x = buf;
	s.y = s.x + n + 1;
	s.xx = s.y + n + 1;
	s.xy = s.xx + n + 1;
	s.yy = s.xy + n + 1;
	for (size_t i = 0; i < n; i++) {
		s.x[i + 1] = s.x[i] + x[i];
		s.y[i + 1] = s.y[i] + y[i];
		s.xx[i + 1] = s.xx[i] + x[i] * x[i];
		s.xy[i + 1] = s.xy[i] + x[i] * y[i];
		s.yy[i + 1] = s.yy[i] + y[i] * y[i];
	}

	kmax = n / min_len;
	if (kmax < 1)
		kmax = 1;
	if (kmax > MT_CP_MAX_SEGMENTS)
		kmax = MT_CP_MAX_SEGMENTS;
	/* cost[k * (n + 1) + j]: least RSS of the first j points in k + 1
	 * segments; from[...]: where the last of those segments starts. */
	cost = malloc(kmax * (n + 1) * sizeof(*cost));
	from = malloc(kmax * (n + 1) * sizeof(*from));
	if (!cost || !from)
		goto out_free;
	for (size_t j = 0; j <= n; j++) {
		cost[j] = j >= min_len ? seg_fit(&s, 0, j - 1, model, &a, &b) :
					 INFINITY;
		from[j] = 0;
	}
	for (size_t k = 1; k < kmax; k++) {
		for (size_t j = 0; j <= n; j++) {
			double bestc = INFINITY;
			size_t arg = 0;

			for (size_t i = (k * min_len); i + min_len <= j; i++) {
				double c = cost[(k - 1) * (n + 1) + i];

				if (!isfinite(c))
					continue;
				c += seg_fit(&s, i, j - 1, model, &a, &b);
				if (c < bestc) {
					bestc = c;
					arg = i;
				}
			}
			cost[k * (n + 1) + j] = bestc;
			from[k * (n + 1) + j] = arg;
		}
	}
	for (size_t k = 0; k < kmax; k++) {
		double rss = cost[k * (n + 1) + n], v, crit;

		if (!isfinite(rss))
			continue;
		v = rss / (double)n;
		if (v < noise_var)
			v = noise_var;
		crit = (double)n * log(v) +
		       (double)((k + 1) * (p + 3)) * log((double)n);
		/* Strictly better only: on a tie, fewer segments. */
		if (crit < best) {
			best = crit;
			best_k = k + 1;
		}
	}
	if (!isfinite(best)) {
		/* Fewer points than one segment needs: one segment anyway. */
		out->n_segments = 1;
		out->seg[0].first = 0;
		out->seg[0].last = n - 1;
		out->rss = seg_fit(&s, 0, n - 1, MT_CP_CONSTANT, &out->seg[0].a,
				   &out->seg[0].b);
		out->criterion = NAN;
		ret = 0;
		goto out_free;
	}
	out->n_segments = best_k;
	out->criterion = best;
	out->rss = cost[(best_k - 1) * (n + 1) + n];
	for (size_t k = best_k, j = n; k-- > 0;) {
		size_t i = k ? from[k * (n + 1) + j] : 0;
		struct mt_cp_segment *sg = &out->seg[k];

		sg->first = i;
		sg->last = j - 1;
		seg_fit(&s, i, j - 1, model, &sg->a, &sg->b);
		j = i;
	}
	ret = 0;
out_free:
	free(from);
	free(cost);
	free(buf);
	return ret;
}

/* The boundaries of r where the curve rises (see changepoint.h). */
size_t mt_cp_knees(const double *x, const struct mt_cp_result *r,
		   struct mt_cp_knee *knees, size_t max)
{
	size_t count = 0;

	for (size_t k = 1; k < r->n_segments; k++) {
		const struct mt_cp_segment *lo = &r->seg[k - 1];
		const struct mt_cp_segment *hi = &r->seg[k];
		/* Compare at the upper segment's end: a jump up and a
		 * steeper slope both leave the curve above the lower
		 * segment's continuation there. */
		double xe = x[hi->last];
		double rise = (hi->a + hi->b * xe) - (lo->a + lo->b * xe);
		double xb = x[hi->first];
		double jump = (hi->a + hi->b * xb) - (lo->a + lo->b * xb);

		if (rise <= 0)
			continue;
		if (count < max) {
			knees[count].below = lo->last;
			knees[count].above = hi->first;
			knees[count].step = jump > 0 ? jump : rise;
		}
		count++;
	}
	return count;
}
