/* Latency samples (see latency.h). */
#include "latency.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "../core/stats.h"
#include "chase.h"

int mt_lat_add(struct mt_lat *l, double ns)
{
	if (!l->seen || ns > l->max)
		l->max = ns;
	l->seen++;
	if (l->limit && l->n >= l->limit) {
		uint64_t j;

		if (!l->seed)
			l->seed = 0x9E3779B97F4A7C15ull;
		j = mt_rand_below(&l->seed, l->seen);
		if (j < l->n)
			l->v[j] = ns;
		return 0;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4096;
		double *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = ns;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void mt_lat_summary(struct mt_lat *l, double scale, double *p50, double *p99,
		    double *max)
{
	if (!l->n) {
		*p50 = *p99 = *max = NAN;
		return;
	}
	qsort(l->v, l->n, sizeof(*l->v), cmp_double);
	*p50 = mt_percentile_sorted(l->v, l->n, 50) / scale;
	*p99 = mt_percentile_sorted(l->v, l->n, 99) / scale;
	*max = (l->max > l->v[l->n - 1] ? l->max : l->v[l->n - 1]) / scale;
}

void mt_lat_free(struct mt_lat *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
	l->seen = 0;
}
