/* Measuring one case: calibration, warm-up, repeated samples until the
 * confidence interval converges, verification, records. */
#include "measure.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../../core/clock.h"
#include "../../core/json_safe.h"
#include "../../core/record.h"
#include "../../core/stats.h"
#include "runner.h"

double mt_derive_metric(const struct mt_metric *m, const struct mt_sample *s)
{
	double ns = (double)s->elapsed_ns;
	double faults = (double)(s->minflt + s->majflt);

	switch (m->derive) {
	case MT_NS_PER_OP: return s->ops ? ns / (double)s->ops : NAN;
	case MT_MB_PER_S:
		return s->bytes && ns > 0 ? (double)s->bytes * 1e3 / ns : NAN;
	case MT_OPS_PER_S:
		return s->ops && ns > 0 ? (double)s->ops * 1e9 / ns : NAN;
	case MT_NS_PER_FAULT: return faults > 0 ? ns / faults : NAN;
	case MT_FAULTS_PER_OP: return s->ops ? faults / (double)s->ops : NAN;
	case MT_MAJFLT_PER_OP:
		return s->ops ? (double)s->majflt / (double)s->ops : NAN;
	case MT_VALUE:
		if (m->slot < 0 || m->slot >= MT_SAMPLE_VALUES)
			return NAN;
		return s->values[m->slot];
	}
	return NAN;
}

struct mt_sampling mt_sampling_from(const struct mt_params *global)
{
	return (struct mt_sampling){
		.sample_ns = mt_p_duration(global, MT_G_SAMPLE_TIME),
		.min_samples = (int)mt_p_int(global, MT_G_MIN_SAMPLES),
		.max_samples = (int)mt_p_int(global, MT_G_MAX_SAMPLES),
		.warmup_samples = (int)mt_p_int(global, MT_G_WARMUP_SAMPLES),
		.ci_fraction = mt_p_double(global, MT_G_CI_FRACTION),
		.max_case_ns = mt_p_duration(global, MT_G_MAX_CASE_TIME),
	};
}

int mt_emit_record(struct mt_emit *out, const struct mt_case *c, json_t *obj)
{
	const char *st;
	bool failed;
	char *text;
	size_t len, off = 0;
	int ret = 0, fd = out->fd;

	if (!obj)
		return -ENOMEM;
	if (c && c->system && json_object_set(obj, "system", c->system) < 0) {
		json_decref(obj);
		return -ENOMEM;
	}
	st = json_string_value(json_object_get(obj, "status"));
	failed = st && strcmp(st, "failed") == 0;
	text = mt_json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(obj);
	if (!text)
		return -ENOMEM;
	len = strlen(text);
	text[len++] = '\n'; /* replaces the NUL; we write len bytes */
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		off += (size_t)w;
	}
	free(text);
	if (ret == 0) {
		out->records++;
		out->failed += failed;
	}
	return ret;
}

static int emit_status(struct mt_emit *out, const struct mt_bench *b,
		       const char *variant, const struct mt_case *c,
		       const char *status, const char *reason)
{
	return mt_emit_record(out, c,
			      mt_record_status(b->name, variant, c->params,
					       status, reason));
}

/* One timed call of run(), with prepare() before it (untimed) and the
 * faults of the call counted by getrusage. */
static int one_sample(const struct mt_bench *b, void *state, uint64_t iters,
		      struct mt_sample *s, struct mt_err *err)
{
	struct rusage r0, r1;
	uint64_t t0, t1;
	int ret;

	memset(s, 0, sizeof(*s));
	for (int i = 0; i < MT_SAMPLE_VALUES; i++)
		s->values[i] = NAN;
	if (b->prepare) {
		ret = b->prepare(state, err);
		if (ret < 0)
			return ret;
	}
	getrusage(RUSAGE_SELF, &r0);
	t0 = mt_now_ns();
	ret = b->run(state, iters, s, err);
	t1 = mt_now_ns();
	getrusage(RUSAGE_SELF, &r1);
	if (ret < 0)
		return ret;
	s->elapsed_ns = t1 - t0;
	s->minflt = (uint64_t)(r1.ru_minflt - r0.ru_minflt);
	s->majflt = (uint64_t)(r1.ru_majflt - r0.ru_majflt);
	s->nivcsw = (uint64_t)(r1.ru_nivcsw - r0.ru_nivcsw);
	return 0;
}

/* Finds the iteration count that makes one sample last sp->sample_ns:
 * grows it geometrically while samples are short, then scales it once.
 * The calibration calls double as warm-up. */
static int calibrate(const struct mt_bench *b, void *state,
		     const struct mt_sampling *sp, uint64_t *iters_out,
		     struct mt_err *err)
{
	uint64_t iters = 64;
	struct mt_sample s;
	int ret;

	for (int round = 0; round < 40; round++) {
		ret = one_sample(b, state, iters, &s, err);
		if (ret < 0)
			return ret;
		if (s.elapsed_ns >= sp->sample_ns / 4 || iters >= (1ull << 40))
			break;
		if (s.elapsed_ns < sp->sample_ns / 64)
			iters *= 16;
		else
			iters *= 2;
	}
	if (s.elapsed_ns > 0) {
		double scale = (double)sp->sample_ns / (double)s.elapsed_ns;
		double want = (double)iters * scale;

		iters = want < 1 ? 1 : (uint64_t)want;
	}
	*iters_out = iters;
	return 0;
}

/* True when more samples will not bring the interval within fraction of
 * the median by max samples: its half-width, shrinking as 1/sqrt(n), would
 * still be FUTILE_MARGIN times too wide. Judged from FUTILE_MIN_N samples
 * on, where the interval no longer rests on the extreme samples alone
 * (below 9 it is min..max). The samples such a case would take cannot buy
 * convergence; they go to the cases that can use them. */
#define FUTILE_MIN_N 9
#define FUTILE_MARGIN 2.0

static bool futile(const struct mt_stats *s, int max, double fraction)
{
	double hw = (s->ci95_hi - s->ci95_lo) / 2;

	if (s->n < FUTILE_MIN_N || (int)s->n >= max || !(s->ci_level > 0))
		return false;
	return hw * sqrt((double)s->n / (double)max) >
	       FUTILE_MARGIN * fraction * fabs(s->median);
}

int mt_measure_case(const struct mt_bench *b, const char *variant,
		    const struct mt_env *env, const struct mt_case *c,
		    const struct mt_sampling *sp, struct mt_emit *out)
{
	struct mt_err err = { 0 };
	enum mt_status st;
	void *state = NULL;
	double *vals = NULL;
	size_t *nvals = NULL;
	uint64_t iters = 0, t_start;
	int max = sp->max_samples, min = sp->min_samples, warm;
	int taken = 0, ret = 0, disturbed = 0;
	uint64_t switches = 0;
	bool converged = false;
	const char *stop = "max_samples";
	json_t *obtained = NULL;

	if (c->mode == MT_CASE_ONCE) {
		max = min = 1;
		warm = 0;
	} else {
		warm = sp->warmup_samples;
	}
	if (min > max)
		min = max;

	st = b->setup(env, c, &state, &err);
	if (st == MT_SKIPPED || st == MT_FAILED) {
		/* A setup that got part of the way leaves *state set for
		 * teardown to release (bench.h). */
		if (state && b->teardown)
			b->teardown(state);
		return emit_status(out, b, variant, c,
				   st == MT_SKIPPED ? "skipped" : "failed",
				   err.msg[0] ? err.msg : "setup failed");
	}

	vals = calloc((size_t)max * c->n_metrics, sizeof(*vals));
	nvals = calloc(c->n_metrics, sizeof(*nvals));
	obtained = json_object();
	if (!vals || !nvals || !obtained) {
		ret = emit_status(out, b, variant, c, "failed",
				  "out of memory");
		goto out_teardown;
	}

	if (c->mode == MT_CASE_CALIBRATE) {
		ret = calibrate(b, state, sp, &iters, &err);
		if (ret < 0)
			goto out_failed;
		/* Its calls ran the work, the last for at least a quarter
		 * of a sample: they are the first warm-up sample. */
		if (warm > 0)
			warm--;
	}
	for (int i = 0; i < warm; i++) {
		struct mt_sample s;

		ret = one_sample(b, state, iters, &s, &err);
		if (ret < 0)
			goto out_failed;
	}

	t_start = mt_now_ns();
	for (taken = 0; taken < max;) {
		struct mt_sample s;
		struct mt_stats stats;

		ret = one_sample(b, state, iters, &s, &err);
		if (ret < 0)
			goto out_failed;
		for (size_t m = 0; m < c->n_metrics; m++) {
			double v = mt_derive_metric(&c->metrics[m], &s);

			if (isfinite(v))
				vals[m * (size_t)max + nvals[m]++] = v;
		}
		taken++;
		switches += s.nivcsw;
		disturbed += s.nivcsw > 0;
		if (taken < min || nvals[0] == 0)
			continue;
		if (mt_stats_compute(vals, nvals[0], &stats) == 0) {
			if (mt_stats_converged(&stats, sp->ci_fraction)) {
				converged = true;
				stop = "converged";
				break;
			}
			if (futile(&stats, max, sp->ci_fraction)) {
				stop = "futile";
				break;
			}
		}
		if (mt_now_ns() - t_start > sp->max_case_ns) {
			stop = "max_case_time";
			break;
		}
	}

	if (c->mode == MT_CASE_ONCE)
		stop = "once"; /* one sample, whatever it took */
	st = MT_OK;
	mt_err_clear(&err);
	if (b->verify)
		st = b->verify(state, obtained, &err);
	json_object_set_new(obtained, "samples_taken", json_integer(taken));
	json_object_set_new(obtained, "converged", json_boolean(converged));
	json_object_set_new(obtained, "stopped", json_string(stop));
	/* Another task on the measuring CPU inflates every time metric:
	 * say how often it happened, so a reader can discount the case. */
	json_object_set_new(obtained, "involuntary_switches",
			    json_integer((json_int_t)switches));
	json_object_set_new(obtained, "samples_disturbed",
			    json_integer(disturbed));
	if (iters)
		json_object_set_new(obtained, "iterations_per_sample",
				    json_integer((json_int_t)iters));
	/* A benchmark that re-pins itself (numa) says where it ran. */
	if (!json_object_get(obtained, "cpu"))
		json_object_set_new(obtained, "cpu", json_integer(env->cpu));

	for (size_t m = 0; m < c->n_metrics; m++) {
		const struct mt_metric *mt = &c->metrics[m];
		struct mt_stats stats;
		json_t *rec;

		if (nvals[m] == 0 || mt_stats_compute(&vals[m * (size_t)max],
						      nvals[m], &stats) < 0) {
			char why[256];

			snprintf(why, sizeof(why),
				 "metric '%s' could not be derived from any "
				 "sample",
				 mt->name);
			json_t *r = mt_record_status(b->name, variant,
						     c->params, "failed", why);
			if (r)
				json_object_set_new(r, "metric",
						    json_string(mt->name));
			ret = mt_emit_record(out, c, r);
			if (ret < 0)
				goto out_teardown;
			continue;
		}
		rec = mt_record_measured(b->name, variant, c->params, mt->name,
					 mt->unit, mt->higher_is_better, &stats,
					 &vals[m * (size_t)max], nvals[m],
					 obtained);
		if (rec && st == MT_UNTRUSTWORTHY) {
			json_object_set_new(rec, "status",
					    json_string("untrustworthy"));
			json_object_set_new(rec, "reason",
					    json_string(err.msg));
		}
		ret = mt_emit_record(out, c, rec);
		if (ret < 0)
			goto out_teardown;
	}
	goto out_teardown;

out_failed:
	ret = emit_status(out, b, variant, c, "failed",
			  err.msg[0] ? err.msg : strerror(-ret));
out_teardown:
	if (b->teardown)
		b->teardown(state);
	json_decref(obtained);
	free(vals);
	free(nvals);
	return ret;
}
