/* A common shift between two runs (see compare.h): when nearly every point
 * of a benchmark moved the same way by about the same factor, L1-resident
 * sizes included, the machine changed between the runs (a virtual CPU's
 * clock, a neighbour on the host), not the points. Rounds within one run
 * cannot see such a change, so the intervals do not promise to hold it;
 * compare says so, with the coverage the points would have without it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/json_safe.h"
#include "../core/stats.h"
#include "compare.h"

/* At least this many points, this share of them moved the same way, and
 * a median change at least this large, for a shift to be named. */
#define SHIFT_MIN_POINTS 10
#define SHIFT_SAME_WAY 0.8
#define SHIFT_MIN_PCT 2.0

/* One benchmark's shift from its rows; NULL when there is none to name
 * (or memory ran out: the comparison goes on without it). */
static json_t *bench_shift(json_t *rows, const char *bench)
{
	size_t n = json_array_size(rows), k = 0, up = 0, held_a = 0, held_b = 0,
	       i;
	double *r = malloc((n + 1) * sizeof(*r)), m;
	json_t *row;

	if (!r)
		return NULL;
	json_array_foreach(rows, i, row) {
		double a = mt_jnum(row, "a"), b = mt_jnum(row, "b");
		const char *rb = json_string_value(json_object_get(row,
								   "bench"));

		if (!rb || strcmp(rb, bench) || !(a > 0) || !(b > 0))
			continue;
		r[k++] = b / a;
		up += b > a;
	}
	if (k < SHIFT_MIN_POINTS) {
		free(r);
		return NULL;
	}
	m = mt_median(r, k);
	free(r);
	if (fabs(m - 1) * 100 < SHIFT_MIN_PCT ||
	    (double)(m > 1 ? up : k - up) < SHIFT_SAME_WAY * (double)k)
		return NULL;
	/* The coverage with B's values divided by the common factor (and
	 * A's multiplied, the other way round). */
	json_array_foreach(rows, i, row) {
		double a = mt_jnum(row, "a"), b = mt_jnum(row, "b");
		const char *rb = json_string_value(json_object_get(row,
								   "bench"));

		if (!rb || strcmp(rb, bench) || !(a > 0) || !(b > 0))
			continue;
		held_a += mt_jnum(row, "a_lo") <= b / m &&
			  b / m <= mt_jnum(row, "a_hi");
		held_b += mt_jnum(row, "b_lo") <= a * m &&
			  a * m <= mt_jnum(row, "b_hi");
	}
	return json_pack("{s:s, s:I, s:f, s:I, s:f, s:f}", "bench", bench,
			 "points", (json_int_t)k, "change_pct", (m - 1) * 100,
			 "same_way", (json_int_t)(m > 1 ? up : k - up),
			 "fraction_after", (double)held_a / (double)k,
			 "fraction_b_after", (double)held_b / (double)k);
}

json_t *mt_compare_shifts(json_t *rows)
{
	json_t *out = json_array(), *seen = json_object(), *row;
	size_t i;

	if (!out || !seen)
		goto fail;
	json_array_foreach(rows, i, row) {
		const char *b = json_string_value(json_object_get(row,
								  "bench"));
		json_t *s;

		if (!b || json_object_get(seen, b) || mt_compare_is_series(b))
			continue;
		if (json_object_set_new(seen, b, json_true()) < 0)
			goto fail;
		if ((s = bench_shift(rows, b)) &&
		    json_array_append_new(out, s) < 0)
			goto fail;
	}
	json_decref(seen);
	return out;
fail:
	json_decref(out);
	json_decref(seen);
	return NULL;
}
