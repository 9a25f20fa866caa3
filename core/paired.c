/* Paired effects: see paired.h. */
#include "paired.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

#define MAX_PAIRS 1000

/* The null distribution of W+ for n pairs: p[w] = P(W+ = w), w in
 * 0..n(n+1)/2. Built rank by rank (each rank is in W+ with probability
 * 1/2), which keeps every value a probability: no 2^n counts to overflow.
 * Returns a malloc'd array or NULL. */
static double *signed_rank_pmf(size_t n)
{
	size_t m = n * (n + 1) / 2;
	double *p = calloc(m + 1, sizeof(*p));

	if (!p)
		return NULL;
	p[0] = 1.0;
	for (size_t i = 1; i <= n; i++) {
		size_t top = i * (i + 1) / 2;

		for (size_t w = top; w >= i; w--)
			p[w] = 0.5 * (p[w] + p[w - i]);
		for (size_t w = i; w-- > 0;)
			p[w] *= 0.5;
	}
	return p;
}

double mt_signed_rank_cdf(size_t n, long k)
{
	size_t m = n * (n + 1) / 2;
	double *p, sum = 0;

	if (n > MAX_PAIRS || k < 0)
		return NAN;
	p = signed_rank_pmf(n);
	if (!p)
		return NAN;
	for (size_t w = 0; w <= m && w <= (size_t)k; w++)
		sum += p[w];
	free(p);
	return sum > 1.0 ? 1.0 : sum;
}

int mt_paired_compute(const double *a, const double *b, size_t n,
		      bool higher_is_better, struct mt_paired *out,
		      struct mt_err *err)
{
	return mt_paired_compute_at(a, b, n, higher_is_better, 0.95, out, err);
}

size_t mt_paired_min_pairs(double want)
{
	/* The widest interval of n pairs reaches 1 - 2 / 2^n. */
	for (size_t n = 1; n < 40; n++)
		if (1.0 - 2.0 / (double)(1ull << n) >= want - 1e-12)
			return n;
	return 40;
}

int mt_paired_compute_at(const double *a, const double *b, size_t n,
			 bool higher_is_better, double want,
			 struct mt_paired *out, struct mt_err *err)
{
	size_t m = n * (n + 1) / 2, k = 1, w = 0;
	double *d, *walsh, *pmf, cdf = 0;

	if (n == 0)
		return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				  "paired effect: no pairs");
	if (!(want >= 0.5 && want <= 0.9999))
		return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				  "paired effect: confidence %g, expected 0.5 "
				  "to 0.9999",
				  want);
	if (n > MAX_PAIRS)
		return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				  "paired effect: %zu pairs, expected at most "
				  "%d",
				  n, MAX_PAIRS);
	for (size_t i = 0; i < n; i++)
		if (!isfinite(a[i]) || !isfinite(b[i]) || a[i] <= 0)
			return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
					  "paired effect: pair %zu is (%g, %g): "
					  "expected finite values and a "
					  "positive first one",
					  i + 1, a[i], b[i]);
	d = malloc(n * sizeof(*d));
	walsh = malloc(m * sizeof(*walsh));
	pmf = signed_rank_pmf(n);
	if (!d || !walsh || !pmf) {
		free(d);
		free(walsh);
		free(pmf);
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "paired effect: out of memory");
	}
	out->n = n;
	out->b_better = 0;
	for (size_t i = 0; i < n; i++) {
		d[i] = b[i] / a[i] - 1.0;
		if (higher_is_better ? b[i] > a[i] : b[i] < a[i])
			out->b_better++;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = i; j < n; j++)
			walsh[w++] = 0.5 * (d[i] + d[j]);
	qsort(walsh, m, sizeof(*walsh), mt_cmp_double);
	out->effect = m % 2 ? walsh[m / 2] :
			      0.5 * (walsh[m / 2 - 1] + walsh[m / 2]);
	/* The largest k with P(W+ <= k - 1) <= (1 - want) / 2: [W(k),
	 * W(m-k+1)] is then a (1 - 2 P(W+ <= k - 1)) interval. With too few
	 * pairs (below six for 95%) even k = 1 falls short; it is kept, with
	 * the level it reaches. */
	out->want = want;
	for (size_t c = 0; c < m / 2; c++) {
		if (cdf + pmf[c] > (1.0 - want) / 2 + 1e-12)
			break;
		cdf += pmf[c];
		k = c + 1;
	}
	if (k == 1)
		cdf = pmf[0];
	out->lo = walsh[k - 1];
	out->hi = walsh[m - k];
	out->level = 1.0 - 2.0 * cdf;
	/* The raw medians, for the table (d is free to reuse). */
	memcpy(d, a, n * sizeof(*d));
	out->median_a = mt_median(d, n);
	memcpy(d, b, n * sizeof(*d));
	out->median_b = mt_median(d, n);
	free(d);
	free(walsh);
	free(pmf);
	return 0;
}

enum mt_verdict mt_paired_verdict(const struct mt_paired *p,
				  bool higher_is_better)
{
	double want = p->want > 0 ? p->want : 0.95;

	if (p->level < want - 1e-9)
		return MT_VERDICT_INCONCLUSIVE;
	if (p->lo > 0)
		return higher_is_better ? MT_VERDICT_IMPROVES :
					  MT_VERDICT_HARMS;
	if (p->hi < 0)
		return higher_is_better ? MT_VERDICT_HARMS :
					  MT_VERDICT_IMPROVES;
	return MT_VERDICT_NO_EFFECT;
}

const char *mt_verdict_name(enum mt_verdict v)
{
	switch (v) {
	case MT_VERDICT_NO_EFFECT: return "no_effect";
	case MT_VERDICT_IMPROVES: return "improves";
	case MT_VERDICT_HARMS: return "harms";
	case MT_VERDICT_INCONCLUSIVE: break;
	}
	return "inconclusive";
}
