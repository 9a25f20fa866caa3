/* A fitted rise: the Theil-Sen slope of a time series and its
 * distribution-free 95% interval (Sen 1968, "Estimates of the regression
 * coefficient based on Kendall's tau", JASA 63:1379-1389; the interval as
 * in Gilbert 1987, "Statistical Methods for Environmental Pollution
 * Monitoring", 16.5). The slope is the median of the pairwise slopes
 * (y_j - y_i) / (x_j - x_i), i < j; the interval takes the order
 * statistics of those slopes that invert Kendall's S test. It assumes
 * independent errors: samples of a counter taken a second apart are
 * autocorrelated, which makes the interval too narrow, so callers judge a
 * rise over a long window and over its second half too (an_observe's leak
 * rule). Ties in y are not corrected for (a flat series gives a zero-width
 * interval at 0, the right answer).
 *
 * Long series are first averaged into at most MT_TREND_MAX_BINS bins of
 * consecutive points (the pairwise slopes are quadratic in the points). */
#ifndef MT_TREND_H
#define MT_TREND_H

#include <stdbool.h>
#include <stddef.h>

#define MT_TREND_MAX_BINS 400
/* The fewest points with an interval (Kendall's S normal approximation
 * is poor below). */
#define MT_TREND_MIN_N 6

struct mt_trend {
	size_t n;	  /* points fitted (after binning) */
	double slope;	  /* Theil-Sen: median pairwise slope, y per x */
	double lo, hi;	  /* its 95% interval; NAN below MT_TREND_MIN_N */
	double intercept; /* median of y - slope * x */
	double x0, x1;	  /* the window: first and last x */
};

/* Fits y over x (x ascending, finite values; NAN points are skipped).
 * Returns 0, -EINVAL when fewer than 2 usable points with distinct x,
 * -ENOMEM. */
int mt_trend_fit(const double *x, const double *y, size_t n,
		 struct mt_trend *out);

#endif
