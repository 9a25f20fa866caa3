/* The effect of a change measured as paired trials (issue 15: A/B trials
 * of a recommended setting against the current one).
 *
 * Each pair i holds a measurement a[i] under the current setting and b[i]
 * under the changed one, taken next to each other in time, so the noise a
 * machine's drift adds cancels within the pair. The effect is the relative
 * difference d = b/a - 1; its estimate is the Hodges-Lehmann estimator (the
 * median of the Walsh averages (d_i + d_j)/2, i <= j), and its interval the
 * one that inverts the Wilcoxon signed-rank test, from the exact null
 * distribution (Hollander, Wolfe & Chicken, Nonparametric Statistical
 * Methods, 3rd ed., 3.2). Neither assumes the differences are normal; both
 * assume they are symmetric about the effect.
 *
 * With fewer than six pairs no signed-rank interval reaches 95%: the widest
 * one (the smallest to the largest Walsh average) is reported with the
 * confidence it does reach, and the verdict is "inconclusive". */
#ifndef MT_PAIRED_H
#define MT_PAIRED_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

enum mt_verdict {
	MT_VERDICT_INCONCLUSIVE, /* too few pairs for a 95% interval */
	MT_VERDICT_NO_EFFECT,	 /* the 95% interval holds 0 */
	MT_VERDICT_IMPROVES,	 /* ... lies wholly on the better side */
	MT_VERDICT_HARMS,	 /* ... lies wholly on the worse side */
};

struct mt_paired {
	size_t n;		   /* pairs */
	double median_a, median_b; /* of the raw measurements */
	double effect;		   /* Hodges-Lehmann estimate of b/a - 1 */
	double lo, hi;		   /* its interval */
	double level;		   /* the confidence [lo, hi] reaches */
	double want;		   /* the confidence asked for */
	size_t b_better;	   /* pairs in which b was better */
};

/* The fewest pairs whose signed-rank interval reaches 95%. */
#define MT_PAIRED_MIN_N 6

/* Computes the paired effect of a[0..n) -> b[0..n). Every value must be
 * finite and every a[i] > 0 (the effect is relative). higher_is_better
 * says which way "better" is for b_better. Returns 0, -EINVAL with err
 * set (naming what) for n == 0 or a bad value, -ENOMEM. */
int mt_paired_compute(const double *a, const double *b, size_t n,
		      bool higher_is_better, struct mt_paired *out,
		      struct mt_err *err);

/* The same with the interval asked at confidence `want` (0.5 to 0.9999),
 * e.g. 1 - 0.05/k for one of k comparisons judged together (Bonferroni).
 * When n pairs cannot reach `want`, the widest interval is kept with the
 * level it reaches, and the verdict is "inconclusive". */
int mt_paired_compute_at(const double *a, const double *b, size_t n,
			 bool higher_is_better, double want,
			 struct mt_paired *out, struct mt_err *err);

/* The fewest pairs whose signed-rank interval can reach `want`. */
size_t mt_paired_min_pairs(double want);

/* The verdict of p for a metric where higher_is_better says which way
 * improves: the interval must reach the level asked for (p->want) and lie
 * wholly on one side of 0. */
enum mt_verdict mt_paired_verdict(const struct mt_paired *p,
				  bool higher_is_better);

/* "improves", "no_effect", "harms", "inconclusive". */
const char *mt_verdict_name(enum mt_verdict v);

/* P(W+ <= k) under the null for n pairs (the signed-rank statistic's
 * exact distribution), for tests and for the interval. NAN when n > 1000
 * or k < 0. */
double mt_signed_rank_cdf(size_t n, long k);

#endif
