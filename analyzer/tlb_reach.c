/* TLB reach from the gap between two latency curves (tlb_reach.h). */
#include <math.h>
#include <stdbool.h>

#include "tlb_reach.h"

/* The first index from which every gap lies above base by more than its
 * noise (n when the largest does not). */
static size_t sustained_from(const double *gap, const double *noise, size_t n,
			     size_t start, double base)
{
	size_t i = n;

	while (i > start && gap[i - 1] - base > noise[i - 1])
		i--;
	return i;
}

void mt_reach_find(const double *size, const double *gap, const double *noise,
		   size_t n, double l1_max_bytes, struct mt_reach *out)
{
	double base = 0;
	size_t start = 0;
	bool beyond = false;

	out->n_levels = 0;
	if (n < MT_REACH_MIN_RUN + 1) {
		out->state = MT_REACH_TOO_FEW;
		return;
	}
	for (size_t i = 0; i < n; i++)
		beyond |= gap[i] > noise[i];
	while (out->n_levels < MT_REACH_MAX_LEVELS) {
		size_t i = sustained_from(gap, noise, n, start, base), k;
		struct mt_reach_level *l = &out->level[out->n_levels];
		double sum;

		if (n - i < MT_REACH_MIN_RUN)
			break;
		l->lo = NAN;
		for (size_t j = i; j > start; j--)
			if (fabs(gap[j - 1] - base) <= noise[j - 1]) {
				l->lo = size[j - 1];
				break;
			}
		/* A further level must rise from a plateau it was seen on. */
		if (out->n_levels > 0 && isnan(l->lo))
			break;
		l->hi = size[i];
		out->n_levels++;
		if (l->hi > l1_max_bytes)
			break;
		/* The plateau the gap rose to: the sizes from i on whose gap
		 * stays within the noise of the gap at i. */
		sum = gap[i];
		for (k = i; k + 1 < n && fabs(gap[k + 1] - gap[i]) <=
						 fmax(noise[k + 1], noise[i]);
		     k++)
			sum += gap[k + 1];
		if (k == i || k + 1 >= n)
			break;
		base = sum / (double)(k - i + 1);
		start = i;
	}
	if (out->n_levels)
		out->state = MT_REACH_FOUND;
	else if (gap[n - 1] > noise[n - 1] && !(gap[n - 2] > noise[n - 2]))
		out->state = MT_REACH_LAST_ONLY;
	else
		out->state = beyond ? MT_REACH_UNSTEADY : MT_REACH_NEVER;
}

const char *mt_reach_state_name(enum mt_reach_state s)
{
	switch (s) {
	case MT_REACH_FOUND: return "found";
	case MT_REACH_NEVER: return "never";
	case MT_REACH_UNSTEADY: return "unsteady";
	case MT_REACH_LAST_ONLY: return "largest_only";
	case MT_REACH_TOO_FEW: return "too_few_sizes";
	}
	return "?";
}
