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

/* The rows of bench with both values positive, into a new array. */
static json_t *rows_of(json_t *rows, const char *bench)
{
	json_t *out = json_array(), *row;
	size_t i;

	json_array_foreach(rows, i, row) {
		const char *rb = json_string_value(json_object_get(row,
								   "bench"));

		if (out && rb && !strcmp(rb, bench) && mt_jnum(row, "a") > 0 &&
		    mt_jnum(row, "b") > 0 && json_array_append(out, row) < 0) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

/* One benchmark's shift from its rows; NULL when there is none to name
 * (or memory ran out: the comparison goes on without it). */
static json_t *bench_shift(json_t *all, const char *bench)
{
	json_t *rows = rows_of(all, bench), *row, *out = NULL;
	size_t k = json_array_size(rows), up = 0, held_a = 0, held_b = 0, i;
	double *r = malloc((k + 1) * sizeof(*r)), m;

	if (!rows || !r || k < SHIFT_MIN_POINTS)
		goto done;
	json_array_foreach(rows, i, row) {
		r[i] = mt_jnum(row, "b") / mt_jnum(row, "a");
		up += r[i] > 1;
	}
	m = mt_median(r, k);
	if (fabs(m - 1) * 100 < SHIFT_MIN_PCT ||
	    (double)(m > 1 ? up : k - up) < SHIFT_SAME_WAY * (double)k)
		goto done;
	/* The coverage with B's values divided by the common factor (and
	 * A's multiplied, the other way round). */
	json_array_foreach(rows, i, row) {
		double a = mt_jnum(row, "a") * m, b = mt_jnum(row, "b") / m;

		held_a += mt_jnum(row, "a_lo") <= b &&
			  b <= mt_jnum(row, "a_hi");
		held_b += mt_jnum(row, "b_lo") <= a &&
			  a <= mt_jnum(row, "b_hi");
	}
	out = json_pack("{s:s, s:I, s:f, s:I, s:f, s:f}", "bench", bench,
			"points", (json_int_t)k, "change_pct", (m - 1) * 100,
			"same_way", (json_int_t)(m > 1 ? up : k - up),
			"fraction_after", (double)held_a / (double)k,
			"fraction_b_after", (double)held_b / (double)k);
done:
	free(r);
	json_decref(rows);
	return out;
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
