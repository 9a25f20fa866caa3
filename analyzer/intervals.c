/* What a benchmark's intervals account for (analysis.json "intervals"):
 * its rounds, and the spread between runs learned from the machine's
 * earlier runs (core/run_history.h), from its meta.json entry. Written
 * once here; analyze and the report print the same text. */
#include <math.h>
#include <stdio.h>

#include "analysis.h"
#include "../core/json_safe.h"
#include "run.h"

json_t *mt_analysis_intervals(const struct mt_run *run, const char *bench)
{
	json_t *m = mt_run_bench_meta(run, bench), *h, *out;
	double rounds, med, max, learnt, timed, widened, shifts, cmin;
	const char *rs;
	char text[400];

	h = json_object_get(m, "history");
	if (!json_is_object(h))
		return NULL; /* a run from before run histories */
	rounds = mt_jnum(m, "rounds");
	/* meta.json is someone else's file: figures outside what the
	 * runner writes (repeat 1..100, finite half-widths) count as
	 * absent. */
	if (!(rounds >= 1 && rounds <= 100))
		rounds = 1;
	rs = rounds == 1 ? "" : "s";
	med = mt_jnum(h, "half_median");
	max = mt_jnum(h, "half_max");
	learnt = mt_jnum(h, "learnt_records");
	timed = mt_jnum(h, "timed_records");
	widened = mt_jnum(h, "widened_records");
	shifts = mt_jnum(h, "earlier_shifts");
	cmin = mt_jnum(h, "changes_min");
	if (!(isfinite(med) && isfinite(max) && med >= 0 && max >= med &&
	      cmin >= 3 && cmin <= 1000 && timed >= learnt &&
	      learnt >= widened && widened >= 0 && timed <= 1e9))
		learnt = 0;
	if (!(shifts >= 0 && shifts <= 1000))
		shifts = 0;
	if (!json_is_true(json_object_get(h, "kept")))
		snprintf(text, sizeof(text),
			 "%.0f round%s; this run alone (no run history: %s)",
			 rounds, rs,
			 json_string_value(json_object_get(h, "why")) ?
				 json_string_value(json_object_get(h, "why")) :
				 "none kept");
	else if (learnt > 0) {
		char widest[64];

		/* A point that lands on either side of a cache's edge from
		 * run to run (a VM's share of the L3) moves by a factor:
		 * said as one, not as a percentage below -100%. */
		if (max >= 1)
			snprintf(widest, sizeof(widest),
				 "the widest a factor of %.3g either way",
				 1 + max);
		else
			snprintf(widest, sizeof(widest), "up to ±%.0f%%",
				 100 * max);
		snprintf(text, sizeof(text),
			 "%.0f round%s and this machine's change between runs "
			 "(±%.1f%% at the median point, %s, from %.0f or more "
			 "earlier run-to-run changes) at %.0f of %.0f times "
			 "and rates; %.0f intervals widened by it",
			 rounds, rs, 100 * med, widest, cmin, learnt, timed,
			 widened);
	} else
		snprintf(text, sizeof(text),
			 "%.0f round%s; this run alone: %.0f change%s between "
			 "earlier runs of this configuration known here, 3 are "
			 "needed to learn how far this machine moves between "
			 "runs",
			 rounds, rs, shifts >= 0 ? shifts : 0,
			 shifts == 1 ? "" : "s");
	out = json_pack("{s:f,s:s}", "rounds", rounds, "text", text);
	if (out && learnt > 0) {
		json_object_set_new(out, "between_runs_median", json_real(med));
		json_object_set_new(out, "between_runs_max", json_real(max));
		json_object_set_new(out, "learnt", json_real(learnt));
		json_object_set_new(out, "widened", json_real(widened));
	}
	return out;
}
