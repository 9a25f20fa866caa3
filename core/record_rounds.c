/* Combining the records of a case measured in rounds (`repeat = N`): one
 * record per variant, case and metric whose value is the median of the
 * rounds and whose interval accounts for the spread between them (see
 * mt_rounds_combine in stats.c and record.h for the fields). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "stats.h"

/* A group of records that are the same point in different rounds. */
struct group {
	char *key;	/* "m\t" or "s\t", variant, case, metric */
	char *case_key; /* variant and case only */
	bool measured;
	json_t *recs[]; /* one per round, NULL where the round gave none */
};

static bool is_measured(json_t *rec)
{
	const char *s = json_string_value(json_object_get(rec, "status"));

	return mt_record_valid(rec, NULL, 0) &&
	       (!s || !strcmp(s, "ok") || !strcmp(s, "untrustworthy"));
}

/* The variant and case of rec (keys sorted, without the "system" older
 * runs kept there), and with the metric for a measured record;
 * malloc'ed, NULL when memory runs out. */
static char *key_of(json_t *rec, bool measured, bool with_metric)
{
	json_t *c = json_deep_copy(json_object_get(rec, "case"));
	const char *v = json_string_value(json_object_get(rec, "variant"));
	const char *m = json_string_value(json_object_get(rec, "metric"));
	char *kase = NULL, *k = NULL;

	if (c) {
		json_object_del(c, "system");
		kase = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(c);
	}
	if (asprintf(&k, "%s\t%s\t%s\t%s", measured ? "m" : "s", v ? v : "",
		     kase ? kase : "{}", with_metric && m ? m : "") < 0)
		k = NULL;
	free(kase);
	return k;
}

char *mt_record_point_key(json_t *rec)
{
	char *k = key_of(rec, true, true);

	/* Without the "m\t" that sets measured groups apart here. */
	if (k)
		memmove(k, k + 2, strlen(k + 2) + 1);
	return k;
}

static double num(json_t *rec, const char *key)
{
	json_t *v = json_object_get(rec, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* Sets key in obj to the new reference v; -1 when v is NULL or setting
 * fails. */
static int set_new(json_t *obj, const char *key, json_t *v)
{
	if (!v)
		return -1;
	return json_object_set_new(obj, key, v);
}

/* The pooled statistics of the rounds' records rs[0..k): total n, min,
 * max, the mean and the standard deviation of all their samples (by the
 * law of total variance, from each round's n, mean and stddev), and their
 * samples one after the other. Returns 0 or -1. */
static int pool(json_t *out, json_t *const *rs, size_t k)
{
	double n = 0, mean = 0, ss = 0, lo = INFINITY, hi = -INFINITY;
	json_t *samples = json_array();
	json_int_t total = 0;

	if (!samples)
		return -1;
	for (size_t i = 0; i < k; i++) {
		double ni = (double)json_integer_value(json_object_get(rs[i],
								       "n"));

		total += json_integer_value(json_object_get(rs[i], "n"));
		n += ni;
		mean += ni * num(rs[i], "mean");
		lo = fmin(lo, num(rs[i], "min"));
		hi = fmax(hi, num(rs[i], "max"));
		if (json_array_extend(samples,
				      json_object_get(rs[i], "samples")) < 0 &&
		    json_object_get(rs[i], "samples")) {
			json_decref(samples);
			return -1;
		}
	}
	mean /= n;
	for (size_t i = 0; i < k; i++) {
		double ni = (double)json_integer_value(json_object_get(rs[i],
								       "n"));
		double sd = num(rs[i], "stddev"), d = num(rs[i], "mean") - mean;

		ss += (ni - 1) * sd * sd + ni * d * d;
	}
	if (set_new(out, "samples", samples) ||
	    set_new(out, "n", json_integer(total)) ||
	    set_new(out, "min", json_real(lo)) ||
	    set_new(out, "max", json_real(hi)) ||
	    set_new(out, "mean", json_real(mean)) ||
	    set_new(out, "stddev", json_real(n > 1 ? sqrt(ss / (n - 1)) : 0)))
		return -1;
	return 0;
}

/* One record from the rounds of g (n rounds, at least one measured): a
 * copy of the first with the fields record.h lists for rounds. A round
 * whose numbers cannot be combined (not finite) leaves the first round's
 * record as it is. NULL when memory runs out. */
static json_t *combine(const struct group *g, size_t n)
{
	json_t *rs[n], *out, *vals, *cis, *last = NULL;
	double v[n], lo[n], hi[n];
	const char *why = NULL;
	bool untrusted = false;
	struct mt_rounds_ci ci;
	size_t k = 0;

	for (size_t r = 0; r < n; r++) {
		const char *s;

		if (!g->recs[r])
			continue;
		rs[k] = g->recs[r];
		v[k] = num(rs[k], "value");
		lo[k] = num(rs[k], "ci95_lo");
		hi[k] = num(rs[k], "ci95_hi");
		s = json_string_value(json_object_get(rs[k], "status"));
		if (s && !strcmp(s, "untrustworthy") && !untrusted) {
			untrusted = true;
			why = json_string_value(json_object_get(rs[k],
								"reason"));
		}
		last = rs[k];
		k++;
	}
	if (mt_rounds_combine(v, lo, hi, k, &ci) < 0)
		return json_incref(rs[0]);
	out = json_deep_copy(rs[0]);
	if (!out || set_new(out, "rounds", vals = json_array()) ||
	    set_new(out, "round_ci95", cis = json_array()))
		goto fail;
	for (size_t i = 0; i < k; i++)
		if (json_array_append_new(vals, json_real(v[i])) < 0 ||
		    json_array_append_new(cis,
					  json_pack("[f,f]", lo[i], hi[i])) < 0)
			goto fail;
	if (set_new(out, "value", json_real(ci.value)) || pool(out, rs, k) ||
	    set_new(out, "ci95_lo", json_real(ci.lo)) ||
	    set_new(out, "ci95_hi", json_real(ci.hi)) ||
	    set_new(out, "ci_level", json_real(0.95)))
		goto fail;
	if (k < n &&
	    set_new(out, "rounds_missing", json_integer((json_int_t)(n - k))))
		goto fail;
	/* One untrustworthy round makes the point untrustworthy. */
	if (untrusted &&
	    (set_new(out, "status", json_string("untrustworthy")) ||
	     (why && set_new(out, "reason", json_string(why)))))
		goto fail;
	if (json_object_get(last, "time") &&
	    json_object_set(out, "time", json_object_get(last, "time")) < 0)
		goto fail;
	return out;
fail:
	json_decref(out);
	return NULL;
}

static void free_groups(struct group **gs, size_t ng)
{
	for (size_t i = 0; i < ng; i++) {
		free(gs[i]->key);
		free(gs[i]->case_key);
		free(gs[i]);
	}
	free(gs);
}

/* Adds rec of round r to its group in gs[0..*ng), making the group when
 * it is new. A second record with the same key in one round (a benchmark
 * that repeats a point) makes a group of its own. Returns 0 or -1. */
static int add(struct group ***gs, size_t *ng, size_t n, size_t r, json_t *rec)
{
	bool m = is_measured(rec);
	char *key = key_of(rec, m, true), *ck = key_of(rec, true, false);
	struct group **ngs, *g;

	if (!key || !ck)
		goto fail;
	for (size_t i = 0; i < *ng; i++) {
		if (!strcmp((*gs)[i]->key, key) && !(*gs)[i]->recs[r]) {
			(*gs)[i]->recs[r] = rec;
			free(key);
			free(ck);
			return 0;
		}
	}
	ngs = realloc(*gs, (*ng + 1) * sizeof(*ngs));
	if (!ngs)
		goto fail;
	*gs = ngs;
	g = calloc(1, sizeof(*g) + n * sizeof(g->recs[0]));
	if (!g)
		goto fail;
	g->key = key;
	g->case_key = ck;
	g->measured = m;
	g->recs[r] = rec;
	ngs[(*ng)++] = g;
	return 0;
fail:
	free(key);
	free(ck);
	return -1;
}

/* True when some measured group has the case of the status group s. */
static bool case_measured(struct group *const *gs, size_t ng,
			  const struct group *s)
{
	for (size_t i = 0; i < ng; i++)
		if (gs[i]->measured && !strcmp(gs[i]->case_key, s->case_key))
			return true;
	return false;
}

json_t *mt_records_combine_rounds(json_t *const *rounds, size_t n)
{
	struct group **gs = NULL;
	size_t ng = 0, i;
	json_t *out = json_array(), *rec;

	if (!out)
		return NULL;
	if (n == 1) {
		if (rounds[0] && json_array_extend(out, rounds[0]) < 0)
			goto fail;
		return out;
	}
	for (size_t r = 0; r < n; r++)
		json_array_foreach(rounds[r], i, rec)
			if (add(&gs, &ng, n, r, rec) < 0)
				goto fail;
	for (size_t g = 0; g < ng; g++) {
		json_t *c = NULL;

		if (gs[g]->measured) {
			c = combine(gs[g], n);
			if (!c)
				goto fail;
		} else if (!case_measured(gs, ng, gs[g])) {
			for (size_t r = 0; !c && r < n; r++)
				c = json_incref(gs[g]->recs[r]);
		}
		if (c && json_array_append_new(out, c) < 0)
			goto fail;
	}
	free_groups(gs, ng);
	return out;
fail:
	free_groups(gs, ng);
	json_decref(out);
	return NULL;
}
