/* Latency samples of the pressure benchmarks: a growable buffer or a
 * bounded uniform reservoir, and its p50, p99 and maximum. */
#ifndef MT_LATENCY_H
#define MT_LATENCY_H

#include <stddef.h>
#include <stdint.h>

/* Latency samples (ns): a growable array, or with a `limit` a uniform
 * reservoir of at most `limit` samples (Algorithm R) so a long run keeps
 * bounded memory; the maximum is always exact. Zero-initialize, then
 * optionally set limit and seed. */
struct mt_lat {
	double *v;
	size_t n, cap;
	size_t limit;  /* 0: keep every sample */
	uint64_t seen; /* samples offered */
	uint64_t seed; /* reservoir PRNG state (0: fixed default) */
	double max;    /* largest sample offered */
};

/* Offers one sample; returns 0 or -ENOMEM (the sample is then lost but
 * the buffer stays valid). */
int mt_lat_add(struct mt_lat *l, double ns);
/* Sorts and summarizes: p50, p99 and max in the unit of the samples
 * divided by `scale` (1 for ns, 1000 for us). NAN each when empty. */
void mt_lat_summary(struct mt_lat *l, double scale, double *p50, double *p99,
		    double *max);
void mt_lat_free(struct mt_lat *l);

#endif
