/* Latency samples (see latency.h). */
#include "latency.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "../../core/grow.h"
#include "../../core/rng.h"
#include "../../core/stats.h"

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
	if (mt_grow(&l->v, &l->cap, l->n, sizeof(*l->v), 4096) < 0)
		return -ENOMEM;
	l->v[l->n++] = ns;
	return 0;
}

void mt_lat_summary(struct mt_lat *l, double scale, double *p50, double *p99,
		    double *max)
{
	mt_tail_summary(l->v, l->n, scale, p50, p99, max);
	/* The reservoir may have dropped the largest sample. */
	if (l->n && l->max > l->v[l->n - 1])
		*max = l->max / scale;
}

void mt_lat_free(struct mt_lat *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
	l->seen = 0;
}
