/* Guardrails of a trial: see tune_internal.h. */
#include "tune_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../core/psi.h"
#include "../core/vmstat.h"

const char *const mt_guard_names[MT_N_GUARDS] = {
	[MT_GUARD_OOM_KILL] = "oom_kill",
	[MT_GUARD_ALLOCSTALL] = "allocstall",
	[MT_GUARD_PSWPIN] = "pswpin",
	[MT_GUARD_PSI_FULL] = "psi_memory_full_us",
	[MT_GUARD_FAILED] = "workload_failed",
	[MT_GUARD_P99] = "workload_p99",
};

static double num(json_t *o)
{
	return json_is_number(o) ? json_number_value(o) : NAN;
}

void mt_guard_read(struct mt_guard_snap *s)
{
	json_t *vm = mt_vmstat_json(), *psi = mt_psi_json();

	s->v[MT_GUARD_OOM_KILL] = num(json_object_get(vm, "oom_kill"));
	s->v[MT_GUARD_ALLOCSTALL] = num(json_object_get(vm, "allocstall"));
	s->v[MT_GUARD_PSWPIN] = num(json_object_get(vm, "pswpin"));
	s->v[MT_GUARD_PSI_FULL] = num(json_object_get(
		json_object_get(json_object_get(psi, "memory"), "full"),
		"total"));
	json_decref(vm);
	json_decref(psi);
}

void mt_guard_delta(const struct mt_guard_snap *before,
		    const struct mt_guard_snap *after, bool failed, double p99,
		    double out[MT_N_GUARDS])
{
	for (int g = 0; g <= MT_GUARD_PSI_FULL; g++)
		out[g] = after->v[g] - before->v[g];
	out[MT_GUARD_FAILED] = failed ? 1 : 0;
	out[MT_GUARD_P99] = p99;
}

/* The paired values of guardrail g where both sides were read. */
static size_t column(const double (*a)[MT_N_GUARDS],
		     const double (*b)[MT_N_GUARDS], size_t n, int g,
		     double *ca, double *cb)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		if (isnan(a[i][g]) || isnan(b[i][g]))
			continue;
		ca[m] = a[i][g];
		cb[m] = b[i][g];
		m++;
	}
	return m;
}

/* The paired interval of b - a over the pairs read, at confidence want
 * (absolute: counters are often 0 on one side). Returns false when fewer
 * than 1 pair. */
static bool diff(const double *ca, const double *cb, size_t m, double want,
		 struct mt_paired *p)
{
	double ones[m ? m : 1], d[m ? m : 1];
	struct mt_err err = { 0 };

	for (size_t i = 0; i < m; i++) {
		/* b - a as the relative effect of (1, 1 + b - a). */
		ones[i] = 1.0;
		d[i] = 1.0 + cb[i] - ca[i];
	}
	return m && mt_paired_compute_at(ones, d, m, false, want, p, &err) == 0;
}

static bool counted(int g)
{
	return g == MT_GUARD_FAILED || g == MT_GUARD_OOM_KILL;
}

double mt_guard_level(const double (*a)[MT_N_GUARDS],
		      const double (*b)[MT_N_GUARDS], size_t n)
{
	double ca[n ? n : 1], cb[n ? n : 1];
	int k = 0;

	for (int g = 0; g < MT_N_GUARDS; g++) {
		size_t m = column(a, b, n, g, ca, cb);
		bool moved = false;

		for (size_t i = 0; i < m && !counted(g); i++)
			moved |= ca[i] != cb[i];
		k += moved;
	}
	return 1.0 - 0.05 / (k ? k : 1);
}

/* Whether guardrail g is worse under B over the m pairs (ca, cb): a
 * failure or an OOM kill in more B trials than A trials (not a matter of
 * noise: a trial that failed or killed a process did), a counter whose
 * paired interval at `want` lies above 0. */
static bool guard_worse(int g, const double *ca, const double *cb, size_t m,
			double want, struct mt_paired *p, bool *have_p)
{
	size_t worse_a = 0, worse_b = 0;

	*have_p = false;
	if (counted(g)) {
		for (size_t i = 0; i < m; i++) {
			worse_a += ca[i] > 0;
			worse_b += cb[i] > 0;
		}
		return worse_b > worse_a;
	}
	*have_p = diff(ca, cb, m, want, p);
	return *have_p && mt_paired_verdict(p, false) == MT_VERDICT_HARMS;
}

bool mt_guard_worse(const double (*a)[MT_N_GUARDS],
		    const double (*b)[MT_N_GUARDS], size_t n, char *why,
		    size_t len)
{
	double ca[n ? n : 1], cb[n ? n : 1];
	double want = mt_guard_level(a, b, n);
	size_t off = 0;

	why[0] = '\0';
	for (int g = 0; g < MT_N_GUARDS; g++) {
		size_t m = column(a, b, n, g, ca, cb);
		struct mt_paired p;
		bool have_p;

		if (guard_worse(g, ca, cb, m, want, &p, &have_p) && off < len)
			off += (size_t)snprintf(why + off, len - off, "%s%s",
						off ? ", " : "",
						mt_guard_names[g]);
	}
	return off > 0;
}

json_t *mt_guard_json(const double (*a)[MT_N_GUARDS],
		      const double (*b)[MT_N_GUARDS], size_t n)
{
	double ca[n ? n : 1], cb[n ? n : 1];
	double want = mt_guard_level(a, b, n);
	json_t *o = json_object();

	for (int g = 0; o && g < MT_N_GUARDS; g++) {
		size_t m = column(a, b, n, g, ca, cb);
		double sa = 0, sb = 0;
		struct mt_paired p;
		bool have_p, worse;
		json_t *x;

		if (!m)
			continue;
		for (size_t i = 0; i < m; i++) {
			sa += ca[i];
			sb += cb[i];
		}
		worse = guard_worse(g, ca, cb, m, want, &p, &have_p);
		x = json_pack("{s:f, s:f, s:i, s:b}", "a_mean", sa / (double)m,
			      "b_mean", sb / (double)m, "pairs", (int)m,
			      "worse", worse);
		if (x && have_p) {
			json_object_set_new(x, "diff", json_real(p.effect));
			json_object_set_new(x, "diff_lo", json_real(p.lo));
			json_object_set_new(x, "diff_hi", json_real(p.hi));
			json_object_set_new(x, "level", json_real(p.level));
			json_object_set_new(x, "level_wanted", json_real(want));
		}
		json_object_set_new(o, mt_guard_names[g], x);
	}
	return o;
}
