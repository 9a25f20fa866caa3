/* Change points of a measured curve: where a latency curve steps up.
 *
 * The curve y(x) (for latency: x = log2 of the working set, y = log of the
 * latency) is split into segments by optimal partitioning (dynamic
 * programming over every split, exact), each segment modelled as a
 * constant or as a line. The number of segments is chosen by a penalized
 * likelihood (BIC with unknown noise variance), so a split must explain
 * more of the spread than the noise would by chance: there is no fixed
 * step threshold, and the same curve with more noise yields fewer knees.
 */
#ifndef MT_CHANGEPOINT_H
#define MT_CHANGEPOINT_H

#include <stddef.h>

#define MT_CP_MAX_SEGMENTS 16

enum mt_cp_model {
	MT_CP_CONSTANT, /* plateaus: each segment a level (>= 2 points) */
	MT_CP_LINEAR,	/* ramps: each segment a line (>= 3 points) */
};

struct mt_cp_segment {
	size_t first, last; /* indexes into x/y, inclusive */
	double a, b;	    /* fit y = a + b * x (b = 0 when constant) */
};

struct mt_cp_result {
	size_t n_segments;
	struct mt_cp_segment seg[MT_CP_MAX_SEGMENTS];
	double rss;	  /* residual sum of squares of the fit */
	double criterion; /* the penalized cost that chose n_segments */
};

/* A boundary where the curve steps up: the points either side. */
struct mt_cp_knee {
	size_t below; /* last index of the lower segment */
	size_t above; /* first index of the upper segment */
	double step;  /* rise of y across the boundary (fit, > 0) */
};

/* Segments y[0..n) over x[0..n) (x strictly increasing) with the given
 * model. noise_var is a floor on the residual variance, in y's units
 * squared (the measurement noise, e.g. from the records' confidence
 * intervals; 0 means none): it keeps a perfect fit of few points from
 * looking infinitely likely. Returns 0, or -EINVAL when n is 0, x is not
 * increasing or a value is not finite, or -ENOMEM. */
int mt_cp_segment(const double *x, const double *y, size_t n,
		  enum mt_cp_model model, double noise_var,
		  struct mt_cp_result *out);

/* Lists the boundaries of r where the curve rises: the upper segment ends
 * above the lower one continued. Writes at most max knees, returns how
 * many there are. */
size_t mt_cp_knees(const double *x, const struct mt_cp_result *r,
		   struct mt_cp_knee *knees, size_t max);

#endif
