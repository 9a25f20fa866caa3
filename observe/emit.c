/* The records of one sample: see sample.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../core/fsroot.h"
#include "../core/record.h"
#include "../core/stats.h"
#include "sample.h"

/* Fields of core/record's measured record that a sample's record leaves
 * out. */
static const char *const dropped[] = { "samples", "obtained", "cpu", "time" };

void mt_obs_put(struct mt_obs_emit *em, const char *metric, const char *unit,
		double value)
{
	struct mt_stats st;
	json_t *kase, *rec;

	if (!isfinite(value) || mt_stats_compute(&value, 1, &st) < 0)
		return;
	kase = json_pack("{s:s, s:f, s:I}", "target", em->target, "t",
			 round(em->t * 1000.0) / 1000.0, "sample",
			 (json_int_t)em->sample);
	rec = kase ? mt_record_measured("observe", NULL, kase, metric, unit,
					false, &st, &value, 1, NULL) :
		     NULL;
	json_decref(kase);
	/* The contract's shape: one value needs no samples array, and the
	 * sample's t (with meta.json's start) says when; dropping them
	 * keeps an hour of samples about a quarter smaller. */
	for (size_t i = 0; rec && i < sizeof(dropped) / sizeof(dropped[0]); i++)
		json_object_del(rec, dropped[i]);
	if (!rec || json_array_append_new(em->batch, rec) < 0)
		em->nomem = true;
}

void mt_obs_put_keys(struct mt_obs_emit *em, const char *text,
		     const char *prefix, const char *const *fields, size_t n)
{
	char key[40], metric[64];
	int64_t v;

	for (size_t i = 0; i < n; i++) {
		/* "Key:" so that "Cached" does not match "SwapCached". */
		snprintf(key, sizeof(key), "%s:", fields[i]);
		if (mt_text_key(text, key, &v) < 0)
			continue;
		snprintf(metric, sizeof(metric), "%s.%s", prefix, fields[i]);
		mt_obs_put(em, metric, "bytes", (double)v);
	}
}

bool mt_obs_batch_get(json_t *batch, const char *target, const char *metric,
		      double *out)
{
	json_t *rec;
	size_t i;

	json_array_foreach(batch, i, rec) {
		const char *m = json_string_value(json_object_get(rec,
								  "metric"));
		const char *t = json_string_value(json_object_get(
			json_object_get(rec, "case"), "target"));

		if (m && t && !strcmp(m, metric) && !strcmp(t, target)) {
			*out = json_number_value(json_object_get(rec, "value"));
			return true;
		}
	}
	return false;
}
