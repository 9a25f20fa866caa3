/* Comparing the figures of benchmarks whose records are a time series (see
 * compare.h): matching their records sample by sample compares nothing
 * (two observations share no sample), so compare matches the figures the
 * analyzer derives from them instead (analyzer/facts.h), by id. */
#include <math.h>
#include <string.h>

#include "../core/json_safe.h"
#include "analysis.h"
#include "compare.h"
#include "facts.h"

static const char *const series_benches[] = { "observe" };

bool mt_compare_is_series(const char *bench)
{
	for (size_t i = 0; i < sizeof(series_benches) / sizeof(*series_benches);
	     i++)
		if (bench && !strcmp(bench, series_benches[i]))
			return true;
	return false;
}

/* The facts of bench that run's module derives, {id: fact}; NULL when it
 * derives none (no records, or memory ran out). */
static json_t *facts_of(const struct mt_analysis *m, const struct mt_run *run)
{
	struct mt_err err = { 0 };
	json_t *d = m->analyze(run, &err), *idx, *f;
	size_t i;

	if (!d)
		return NULL;
	idx = json_object();
	json_array_foreach(json_object_get(d, "facts"), i, f) {
		const char *id = json_string_value(json_object_get(f, "id"));

		if (idx && id)
			json_object_set(idx, id, f);
	}
	json_decref(d);
	return idx;
}

/* One row: both facts' values and intervals; beyond the noise when both
 * have an interval and they do not overlap (the facts' intervals are those
 * of one window, as a record's of one round). */
static json_t *fact_row(const char *bench, const struct mt_fact *fa,
			const struct mt_fact *fb)
{
	double ch = fa->value != 0 ?
			    (fb->value - fa->value) / fabs(fa->value) * 100 :
			    NAN;
	bool sig = isfinite(fa->lo) && isfinite(fa->hi) && isfinite(fb->lo) &&
		   isfinite(fb->hi) && (fa->hi < fb->lo || fb->hi < fa->lo);
	json_t *row = json_pack("{s:s, s:{s:s}, s:s, s:s, s:f, s:f}", "bench",
				bench, "case", "what", fa->what, "metric",
				fa->id + strlen(bench) + 1, "unit", fa->unit,
				"a", fa->value, "b", fb->value);

	if (!row)
		return NULL;
	json_object_set_new(row, "a_lo", mt_jreal(fa->lo));
	json_object_set_new(row, "a_hi", mt_jreal(fa->hi));
	json_object_set_new(row, "b_lo", mt_jreal(fb->lo));
	json_object_set_new(row, "b_hi", mt_jreal(fb->hi));
	json_object_set_new(row, "change_pct", mt_jreal(ch));
	json_object_set_new(row, "p", json_null());
	json_object_set_new(row, "significant", json_boolean(sig));
	/* A fact has no better direction: say which way it went. */
	json_object_set_new(row, "better",
			    json_string(!sig		      ? "same" :
					fb->value > fa->value ? "higher" :
								"lower"));
	return row;
}

int mt_compare_series_facts(const struct mt_run *a, const struct mt_run *b,
			    json_t *rows, size_t *only_a, size_t *only_b)
{
	for (size_t i = 0; i < sizeof(series_benches) / sizeof(*series_benches);
	     i++) {
		const struct mt_analysis *m =
			mt_analysis_find(series_benches[i]);
		json_t *fa, *fb, *x;
		const char *id;

		if (!m)
			continue;
		fa = facts_of(m, a);
		fb = facts_of(m, b);
		json_object_foreach(fa, id, x) {
			struct mt_fact f1, f2;
			json_t *y = fb ? json_object_get(fb, id) : NULL;

			if (!mt_fact_from_json(x, &f1))
				continue;
			/* A target's facts are numbered by its place in
			 * the observation: the same id names another
			 * process when what it says differs. */
			if (!y || !mt_fact_from_json(y, &f2) ||
			    strcmp(f1.what, f2.what)) {
				(*only_a)++;
				*only_b += y != NULL;
				continue;
			}
			if (json_array_append_new(rows,
						  fact_row(series_benches[i],
							   &f1, &f2)) < 0) {
				json_decref(fa);
				json_decref(fb);
				return -1;
			}
		}
		json_object_foreach(fb, id, x)
			if (!fa || !json_object_get(fa, id))
				(*only_b)++;
		json_decref(fa);
		json_decref(fb);
	}
	return 0;
}
