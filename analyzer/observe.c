/* Series, rates and the leak verdict of an observation (observe.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/json_safe.h"
#include "../core/stats.h"
#include "facts.h"
#include "observe.h"

int mt_obs_get(const struct mt_run *run, const char *target, const char *metric,
	       struct mt_obs_series *s)
{
	size_t max = json_array_size(run->records);

	memset(s, 0, sizeof(*s));
	if (max == 0)
		return 0;
	s->t = malloc(max * sizeof(*s->t));
	s->y = malloc(max * sizeof(*s->y));
	if (!s->t || !s->y) {
		mt_obs_free(s);
		return -ENOMEM;
	}
	s->n = mt_run_curve(run, "observe", metric, "t", s->t, s->y, max,
			    "target", target, NULL);
	return 0;
}

void mt_obs_free(struct mt_obs_series *s)
{
	free(s->t);
	free(s->y);
	memset(s, 0, sizeof(*s));
}

bool mt_obs_rate(const struct mt_obs_series *s, struct mt_obs_rate *r)
{
	double inc = 0, span = 0, sum = 0, sum2 = 0;
	size_t k = 0;

	r->per_s = r->lo = r->hi = NAN;
	r->n = s->n;
	if (s->n < 2)
		return false;
	r->t0 = s->t[0];
	r->t1 = s->t[s->n - 1];
	for (size_t i = 1; i < s->n; i++) {
		double dt = s->t[i] - s->t[i - 1], dy = s->y[i] - s->y[i - 1];

		/* A counter that went back was reset: that interval says
		 * nothing of the rate. */
		if (!(dt > 0) || dy < 0)
			continue;
		inc += dy;
		span += dt;
		sum += dy / dt;
		sum2 += (dy / dt) * (dy / dt);
		k++;
	}
	if (!(span > 0))
		return false;
	r->per_s = inc / span;
	if (k >= 3) {
		double mean = sum / (double)k;
		double var = (sum2 - (double)k * mean * mean) / (double)(k - 1);
		double half = mt_t_crit((double)(k - 1), 0.95) *
			      sqrt(var > 0 ? var : 0) / sqrt((double)k);

		r->lo = fmax(0, r->per_s - half);
		r->hi = r->per_s + half;
	}
	return true;
}

const char *mt_leak_verdict_name(enum mt_leak_verdict v)
{
	switch (v) {
	case MT_LEAK_LEAK: return "leak";
	case MT_LEAK_STEADY: return "steady";
	default: return "inconclusive";
	}
}

int mt_leak_judge(const double *t, const double *y, size_t n,
		  struct mt_leak *out)
{
	double mid, w, floor_rise = MT_LEAK_MIN_RISE;
	size_t h;
	int rc;

	memset(out, 0, sizeof(*out));
	out->verdict = MT_LEAK_INCONCLUSIVE;
	out->all.slope = out->all.lo = out->all.hi = NAN;
	out->half2 = out->all;
	out->rise = NAN;
	if (n < 2) {
		snprintf(out->reason, sizeof(out->reason),
			 "%zu sample(s): nothing to fit", n);
		return 0;
	}
	w = out->window_s = t[n - 1] - t[0];
	rc = mt_trend_fit(t, y, n, &out->all);
	if (rc == -ENOMEM)
		return rc;
	if (rc < 0) {
		snprintf(out->reason, sizeof(out->reason),
			 "no two samples at distinct times: nothing to fit");
		return 0;
	}
	out->rise = out->all.slope * w;
	mid = t[0] + w / 2;
	for (h = 0; h < n && t[h] < mid; h++)
		;
	rc = mt_trend_fit(t + h, y + h, n - h, &out->half2);
	if (rc == -ENOMEM)
		return rc;
	out->have_half2 = rc == 0 && isfinite(out->half2.lo);
	if (w < MT_LEAK_MIN_WINDOW_S || n < MT_LEAK_MIN_SAMPLES ||
	    !isfinite(out->all.lo)) {
		snprintf(out->reason, sizeof(out->reason),
			 "window %.0f s with %zu samples: a verdict needs at "
			 "least %.0f s and %d samples",
			 w, n, MT_LEAK_MIN_WINDOW_S, MT_LEAK_MIN_SAMPLES);
		return 0;
	}
	if (out->all.lo > 0 && out->have_half2 && out->half2.lo > 0 &&
	    out->rise >= floor_rise) {
		out->verdict = MT_LEAK_LEAK;
		snprintf(out->reason, sizeof(out->reason),
			 "rises over the whole window and over its second "
			 "half (both 95%% intervals above 0), %.3g bytes "
			 "fitted",
			 out->rise);
		return 0;
	}
	if (out->all.hi * w < floor_rise ||
	    (out->have_half2 && out->half2.hi * w < floor_rise)) {
		out->verdict = MT_LEAK_STEADY;
		snprintf(out->reason, sizeof(out->reason),
			 "%s rise allowed at the interval's upper bound is "
			 "below %.0f MiB over the window%s",
			 out->all.hi * w < floor_rise ? "the" :
							"the second half's",
			 floor_rise / (1024 * 1024),
			 out->all.lo > 0 ? " (it grew early: a warm-up that "
					   "levelled off)" :
					   "");
		return 0;
	}
	snprintf(out->reason, sizeof(out->reason),
		 "%s: neither a sustained rise nor shown flat",
		 out->all.lo > 0 ? "rises, but not shown over the second half" :
				   "the interval allows a rise of more than "
				   "1 MiB");
	return 0;
}

void mt_obs_fact(struct mt_obs_ctx *o, const char *id, double v, double lo,
		 double hi, const char *unit, size_t n, const char *what)
{
	if (isfinite(v) &&
	    mt_fact_add(o->out, id, v, isfinite(lo) ? lo : NAN,
			isfinite(hi) ? hi : NAN, unit,
			n > 1000000 ? 1000000 : (int)n, what) == -ENOMEM)
		o->rc = -ENOMEM;
}

void mt_obs_set(struct mt_obs_ctx *o, json_t *obj, const char *key, json_t *v)
{
	if (!v || json_object_set_new(obj, key, v) < 0)
		o->rc = -ENOMEM;
}

/* {per_s, lo, hi, window_s} of a rate, scaled. */
json_t *mt_obs_rate_json(const struct mt_obs_rate *r, double scale)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:I}", "per_s",
			 mt_jreal(r->per_s * scale), "lo",
			 mt_jreal(r->lo * scale), "hi", mt_jreal(r->hi * scale),
			 "window_s", mt_jreal(r->t1 - r->t0), "samples",
			 (json_int_t)r->n);
}

/* The rate of target's counter into *r; false when absent. */
bool mt_obs_get_rate(struct mt_obs_ctx *o, const char *target,
		     const char *metric, struct mt_obs_rate *r)
{
	struct mt_obs_series s;
	bool ok;

	if (mt_obs_get(o->run, target, metric, &s) < 0) {
		o->rc = -ENOMEM;
		return false;
	}
	ok = mt_obs_rate(&s, r);
	mt_obs_free(&s);
	return ok;
}

/* {first, last, min, max, t_min, window_s, samples} of a gauge. */
json_t *mt_obs_gauge_json(const struct mt_obs_series *s)
{
	size_t imin = 0, imax = 0;

	for (size_t i = 1; i < s->n; i++) {
		if (s->y[i] < s->y[imin])
			imin = i;
		if (s->y[i] > s->y[imax])
			imax = i;
	}
	return json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:I}", "first",
			 s->y[0], "last", s->y[s->n - 1], "min", s->y[imin],
			 "max", s->y[imax], "t_min", s->t[imin], "window_s",
			 s->t[s->n - 1] - s->t[0], "samples", (json_int_t)s->n);
}

/* The gauge's last value, or NAN. */
double mt_obs_last(struct mt_obs_ctx *o, const char *target, const char *metric)
{
	struct mt_obs_series s;
	double v;

	if (mt_obs_get(o->run, target, metric, &s) < 0) {
		o->rc = -ENOMEM;
		return NAN;
	}
	v = s.n ? s.y[s.n - 1] : NAN;
	mt_obs_free(&s);
	return v;
}
