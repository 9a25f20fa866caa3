/* A benchmark's run history inside a sweep (history.h). */
#include "history.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../core/log.h"
#include "../../core/record.h"

/* The [global] keys that do not change what a benchmark measures. */
static const char *const not_config[] = { "output", "seed", "benchmarks",
					  NULL };

static bool skipped_key(const char *k)
{
	for (size_t i = 0; not_config[i]; i++)
		if (!strcmp(k, not_config[i]))
			return true;
	return false;
}

static json_t *params_json(const struct mt_params *p)
{
	json_t *o = json_object();

	for (size_t k = 0; o && p && k < p->n; k++) {
		const struct mt_pvalue *v = &p->v[k];

		if (!skipped_key(v->param->key))
			json_object_set_new(o, v->param->key,
					    json_string(v->text ? v->text :
								  ""));
	}
	return o;
}

/* What of the machine's settings a run's results depend on (meta.json's
 * system): the kernel, THP and the sysctls, but not the hugetlb pool's
 * size, which other programs move and which a benchmark that needs one
 * sets itself. */
static json_t *system_json(json_t *system)
{
	json_t *thp = json_object_get(system, "thp");
	json_t *sysctls = json_deep_copy(json_object_get(system, "sysctls"));
	json_t *o;

	json_object_del(sysctls, "vm.nr_hugepages");
	json_object_del(sysctls, "vm.nr_overcommit_hugepages");
	o = json_pack("{s:O?,s:O?,s:O?,s:o?}", "kernel",
		      json_object_get(system, "kernel"), "thp_enabled",
		      json_object_get(thp, "enabled"), "thp_defrag",
		      json_object_get(thp, "defrag"), "sysctls", sysctls);
	return o ? o : json_object();
}

void mt_job_hist_begin(struct mt_job_hist *h, const char *state_dir,
		       const char *section, const struct mt_params *global,
		       const struct mt_params *params, json_t *system,
		       bool enabled)
{
	struct mt_err err = { 0 };
	json_t *cfg;

	memset(h, 0, sizeof(*h));
	if (!state_dir || !enabled) {
		snprintf(h->why, sizeof(h->why), "%s",
			 enabled ? "no state directory" :
				   "[global] history = no");
		return;
	}
	cfg = json_pack("{s:o,s:o,s:o}", "global", params_json(global),
			"params", params_json(params), "system",
			system_json(system));
	mt_hist_config_id(cfg, h->id);
	json_decref(cfg);
	h->hist = mt_hist_load(state_dir, section, &err);
	h->points = json_object();
	if (!h->hist || !h->points) {
		mt_warn("%s: no run history: %s", section,
			err.msg[0] ? err.msg : "out of memory");
		snprintf(h->why, sizeof(h->why), "%s",
			 err.msg[0] ? err.msg : "out of memory");
		json_decref(h->hist);
		json_decref(h->points);
		h->hist = h->points = NULL;
		return;
	}
	mt_hist_shift_spread(h->hist, h->id, &h->shifts);
	h->on = true;
}

int mt_job_hist_record(struct mt_job_hist *h, json_t *rec)
{
	const char *unit = json_string_value(json_object_get(rec, "unit"));
	const char *st = json_string_value(json_object_get(rec, "status"));
	json_t *v = json_object_get(rec, "value");
	int sign = mt_hist_unit_sign(unit), ret;
	struct mt_hist_spread s;
	double *halves;
	char *key;

	if (!h->on || !sign || !json_is_number(v) ||
	    (st && strcmp(st, "ok") != 0 && strcmp(st, "untrustworthy") != 0))
		return 0;
	key = mt_record_point_key(rec);
	if (!key)
		return -ENOMEM;
	h->timed++;
	mt_hist_point_spread(h->hist, h->id, key, &s);
	if (s.half > 0) {
		halves = realloc(h->halves, (h->learnt + 1) * sizeof(*halves));
		if (!halves)
			goto nomem;
		h->halves = halves;
		halves[h->learnt++] = s.half;
		if (!h->runs_min || s.runs < h->runs_min)
			h->runs_min = s.runs;
	}
	ret = mt_hist_widen(rec, &s);
	if (ret < 0)
		goto nomem;
	if (ret > 0 &&
	    (json_number_value(json_object_get(rec, "ci95_lo")) <
		     json_number_value(json_array_get(
			     json_object_get(rec, "ci95_within_run"), 0)) ||
	     json_number_value(json_object_get(rec, "ci95_hi")) >
		     json_number_value(json_array_get(
			     json_object_get(rec, "ci95_within_run"), 1))))
		h->widened++;
	/* Only trusted values teach the history. */
	ret = 0;
	if (!st || !strcmp(st, "ok"))
		ret = json_object_set_new(h->points, key,
					  json_pack("[f,i]",
						    json_number_value(v),
						    sign));
	free(key);
	return ret < 0 ? -ENOMEM : 0;
nomem:
	free(key);
	return -ENOMEM;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

json_t *mt_job_hist_end(struct mt_job_hist *h, const char *state_dir,
			const char *section, const char *host, const char *run,
			bool complete)
{
	json_t *e = json_object();
	double shift = NAN;
	size_t n = 0;

	if (!e)
		goto out;
	if (!h->on) {
		json_object_set_new(e, "kept", json_false());
		json_object_set_new(e, "why", json_string(h->why));
		goto out;
	}
	json_object_set_new(e, "kept", json_true());
	json_object_set_new(e, "config_id", json_string(h->id));
	json_object_set_new(e, "earlier_shifts",
			    json_integer((json_int_t)h->shifts.runs));
	if (h->shifts.runs)
		json_object_set_new(e, "rms_shift", json_real(h->shifts.rms));
	json_object_set_new(e, "timed_records",
			    json_integer((json_int_t)h->timed));
	json_object_set_new(e, "learnt_records",
			    json_integer((json_int_t)h->learnt));
	json_object_set_new(e, "widened_records",
			    json_integer((json_int_t)h->widened));
	if (h->learnt) {
		/* The learnt half-widths (log terms) as exp(h) - 1: the
		 * relative width people read. */
		qsort(h->halves, h->learnt, sizeof(*h->halves), cmp_double);
		json_object_set_new(e, "half_median",
				    json_real(expm1(h->halves[h->learnt / 2])));
		json_object_set_new(e, "half_max",
				    json_real(expm1(h->halves[h->learnt - 1])));
		json_object_set_new(e, "changes_min",
				    json_integer((json_int_t)h->runs_min));
	}
	if (!complete || json_object_size(h->points) == 0) {
		json_object_set_new(e, "added", json_false());
		goto out;
	}
	{
		struct mt_err err = { 0 };

		if (mt_hist_add(h->hist, h->id, host, run, (double)time(NULL),
				h->points, &shift, &n) < 0 ||
		    mt_hist_save(state_dir, section, h->hist, &err) < 0) {
			mt_warn("%s: run history not saved: %s", section,
				err.msg[0] ? err.msg : "out of memory");
			json_object_set_new(e, "added", json_false());
			goto out;
		}
	}
	json_object_set_new(e, "added", json_true());
	json_object_set_new(e, "points", json_integer((json_int_t)n));
	if (isfinite(shift))
		json_object_set_new(e, "shift_from_last", json_real(shift));
out:
	json_decref(h->hist);
	json_decref(h->points);
	free(h->halves);
	h->hist = h->points = NULL;
	h->halves = NULL;
	return e;
}
