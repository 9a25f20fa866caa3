/* The OOM killer's badness rule (see oom_badness.h). */
#include "oom_badness.h"

int64_t mt_oom_badness(uint64_t rss, uint64_t swap, uint64_t pgtables,
		       uint64_t totalpages, int adj)
{
	int64_t points;

	if (adj <= -1000)
		return MT_OOM_UNKILLABLE;
	points = (int64_t)(rss + swap + pgtables);
	/* The kernel divides first: adj *= totalpages / 1000. */
	points += (int64_t)adj * (int64_t)(totalpages / 1000);
	return points;
}

int mt_oom_expected(const int64_t *points, size_t n, bool *tie)
{
	int best = -1;

	if (tie)
		*tie = false;
	for (size_t i = 0; i < n; i++) {
		if (points[i] == MT_OOM_UNKILLABLE)
			continue;
		if (best >= 0 && points[i] == points[best]) {
			if (tie)
				*tie = true;
			best = (int)i;
		} else if (best < 0 || points[i] > points[best]) {
			if (tie)
				*tie = false;
			best = (int)i;
		}
	}
	return best;
}
