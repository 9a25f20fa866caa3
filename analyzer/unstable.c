/* Points whose rounds disagree by a factor (analysis.json "unstable"): a
 * working set on the edge of what a cache holds for this run, a page the
 * kernel gives in one round and not the next. Their median is one of two
 * values and their interval is wide; analyze and the report name them so
 * that a reader knows why, instead of reading the median as a level. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../core/json_safe.h"
#include "../core/units.h"
#include "analysis.h"
#include "run.h"

/* A factor between a point's lowest and highest round that no sampling
 * noise of a converged case comes near (its rounds agree to a few
 * percent); a point this far apart is at two levels, not one. */
#define UNSTABLE_FACTOR 2.0
#define NAMED 4 /* points named in the text */

/* "line 4k 5 MiB" from a case: its values in key order, sizes as people
 * write them. */
static void case_words(json_t *kase, char *buf, size_t len)
{
	const char *keys[16], *k;
	size_t n = 0, off = 0;
	json_t *v;

	buf[0] = '\0';
	if (!json_is_object(kase) || json_object_size(kase) > 16)
		return;
	json_object_foreach(kase, k, v) {
		size_t i = n++;

		while (i > 0 && strcmp(keys[i - 1], k) > 0) {
			keys[i] = keys[i - 1];
			i--;
		}
		keys[i] = k;
	}
	for (size_t i = 0; i < n && off < len; i++) {
		char w[64];

		v = json_object_get(kase, keys[i]);
		if (json_is_string(v))
			snprintf(w, sizeof(w), "%s", json_string_value(v));
		else if (json_is_number(v) && strstr(keys[i], "bytes"))
			mt_format_bytes(json_number_value(v), w, sizeof(w));
		else if (json_is_number(v))
			mt_format_num(json_number_value(v), 3, w, sizeof(w));
		else
			continue;
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					off ? " " : "", w);
	}
}

json_t *mt_analysis_unstable(const struct mt_run *run, const char *bench)
{
	char text[900], lo[48], hi[48], c[160];
	size_t n = 0, off = 0, i;
	json_t *r;

	text[0] = '\0';
	json_array_foreach(run->records, i, r) {
		json_t *rounds = json_object_get(r, "rounds"), *v;
		double mn = INFINITY, mx = -INFINITY;
		const char *unit;
		size_t k;

		if (strcmp(mt_rec_bench(r), bench) || !mt_rec_ok(r) ||
		    json_array_size(rounds) < 2)
			continue;
		json_array_foreach(rounds, k, v) {
			mn = fmin(mn, mt_jnum_value(v));
			mx = fmax(mx, mt_jnum_value(v));
		}
		if (!(mn > 0) || !isfinite(mx) || mx < UNSTABLE_FACTOR * mn)
			continue;
		if (n++ >= NAMED)
			continue;
		unit = json_string_value(json_object_get(r, "unit"));
		mt_format_quantity(mn, unit ? unit : "", lo, sizeof(lo));
		mt_format_quantity(mx, unit ? unit : "", hi, sizeof(hi));
		case_words(json_object_get(r, "case"), c, sizeof(c));
		if (off < sizeof(text))
			off += (size_t)snprintf(text + off, sizeof(text) - off,
						"%s%s %s: %s to %s",
						off ? "; " : "", c,
						mt_rec_metric(r), lo, hi);
	}
	if (n == 0)
		return NULL;
	{
		char all[1200];

		snprintf(all, sizeof(all),
			 "%zu point%s at two levels, their rounds a factor of "
			 "2 or more apart (%s%s): each run may land on either, "
			 "and the interval spans both",
			 n, n == 1 ? "" : "s", text, n > NAMED ? "; ..." : "");
		return json_pack("{s:I,s:s}", "points", (json_int_t)n, "text",
				 all);
	}
}
