/* The robust outlier score of the fleet report.
 *
 * Within a group of hosts, a figure's value x on one host scores
 *   |x - median| / (1.4826 * MAD)
 * where median and MAD (the median of |x_i - median|) are the group's.
 * 1.4826 * MAD estimates the standard deviation of normal data without
 * letting the odd hosts inflate it (Iglewicz and Hoaglin's modified
 * z-score). A host is flagged when its score exceeds 3.5 and the group has
 * at least 3 hosts with the figure. When MAD is 0 (most of the group agree
 * exactly) a value that differs from the median scores infinity and is
 * flagged; one equal to it scores 0. Values within a relative 1e-9 of
 * the median count as equal to it (rounding, not a difference).
 */
#ifndef MT_OUTLIER_H
#define MT_OUTLIER_H

#include <stdbool.h>
#include <stddef.h>

#define MT_OUTLIER_MAD_SCALE 1.4826
#define MT_OUTLIER_THRESHOLD 3.5
#define MT_OUTLIER_MIN_HOSTS 3
#define MT_OUTLIER_EQUAL 1e-9
#define MT_OUTLIER_RULE \
	"within a group of at least 3 hosts, a figure's value x is odd when " \
	"|x - median| / (1.4826 MAD) > 3.5 (median and MAD, the median " \
	"absolute deviation, over the group's hosts having the figure; with " \
	"MAD 0, any value other than the median, beyond a relative 1e-9)"

/* Scores x[0..n) (not modified; every value finite): fills *median, *mad
 * and score[0..n) (INFINITY: differs while MAD is 0). Returns 0, -EINVAL
 * when n is 0, -ENOMEM. */
int mt_outlier_scores(const double *x, size_t n, double *median, double *mad,
		      double *score);

/* True when a score among n hosts flags its host. */
bool mt_outlier_flagged(double score, size_t n);

#endif
