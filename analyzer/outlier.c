/* The robust outlier score: see outlier.h. */
#include "outlier.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/stats.h"

/* |x - med|, 0 when within rounding of the median (MT_OUTLIER_EQUAL): a
 * ratio of figures all scaled alike must not differ by its last bit. */
static double deviation(double x, double med)
{
	double d = fabs(x - med);

	return d <= MT_OUTLIER_EQUAL * fabs(med) ? 0 : d;
}

int mt_outlier_scores(const double *x, size_t n, double *median, double *mad,
		      double *score)
{
	double *dev, med, m;

	if (n == 0)
		return -EINVAL;
	dev = malloc(n * sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	memcpy(dev, x, n * sizeof(*dev));
	med = mt_median(dev, n);
	for (size_t i = 0; i < n; i++)
		dev[i] = deviation(x[i], med);
	m = mt_median(dev, n);
	free(dev);
	for (size_t i = 0; i < n; i++) {
		double d = deviation(x[i], med);

		if (m > 0)
			score[i] = d / (MT_OUTLIER_MAD_SCALE * m);
		else
			score[i] = d > 0 ? INFINITY : 0;
	}
	*median = med;
	*mad = m;
	return 0;
}

bool mt_outlier_flagged(double score, size_t n)
{
	return n >= MT_OUTLIER_MIN_HOSTS && score > MT_OUTLIER_THRESHOLD;
}
