/* memtune fleet: groups, odd hosts and differing advice (fleet.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/json_safe.h"
#include "fleet.h"
#include "fleet_group.h"
#include "outlier.h"

/* Scratch arrays for one group's figure. */
struct scratch {
	double *x, *score;
	size_t *who; /* index into the group's hosts */
};

/* Flags the outliers of figure id among hosts[0..n): appends the
 * figure's entry to gfigs and each flagged host's entry to its "odd". */
static int mark_figure(json_t *const *hosts, size_t n, const char *id,
		       json_t *gfigs, struct scratch *s)
{
	double median, mad;
	size_t m = 0;
	json_t *fig, *outl;

	for (size_t i = 0; i < n; i++) {
		double v = mt_jnum(json_object_get(hosts[i], "figures"), id);

		if (isfinite(v)) {
			s->x[m] = v;
			s->who[m++] = i;
		}
	}
	if (m == 0 || mt_outlier_scores(s->x, m, &median, &mad, s->score) < 0)
		return m == 0 ? 0 : -ENOMEM;
	outl = json_array();
	fig = json_pack("{s:s,s:i,s:o,s:o,s:o}", "id", id, "n", (int)m,
			"median", mt_jreal(median), "mad", mt_jreal(mad),
			"outliers", outl);
	if (!fig || json_array_append_new(gfigs, fig))
		return -ENOMEM;
	for (size_t k = 0; k < m; k++) {
		json_t *h = hosts[s->who[k]];
		json_t *score = mt_jreal(s->score[k]);

		if (!mt_outlier_flagged(s->score[k], m)) {
			json_decref(score);
			continue;
		}
		json_array_append_new(outl,
				      json_pack("{s:O,s:o,s:O}", "host",
						json_object_get(h, "host"),
						"value", mt_jreal(s->x[k]),
						"score", score));
		json_array_append_new(json_object_get(h, "odd"),
				      json_pack("{s:s,s:o,s:o,s:o}", "figure",
						id, "value", mt_jreal(s->x[k]),
						"median", mt_jreal(median),
						"score", score));
	}
	return 0;
}

/* The advice items whose recommended value is not the same on every host
 * of hosts[0..n) (a host without the item counts as "(none)"). */
static json_t *advice_differs(json_t *const *hosts, size_t n)
{
	json_t *ids = json_object(), *out = json_array(), *v;
	const char *id;

	if (!ids || !out)
		goto fail;
	for (size_t i = 0; i < n; i++)
		json_object_foreach(json_object_get(hosts[i], "advice"), id, v)
			json_object_set(ids, id, json_object_get(v, "knob"));
	json_object_foreach(ids, id, v) {
		json_t *vals = json_array();
		const char *first = NULL;
		bool differ = false;

		if (!vals)
			goto fail;
		for (size_t i = 0; i < n; i++) {
			json_t *it = json_object_get(json_object_get(hosts[i],
								     "advice"),
						     id);
			const char *r = it ? json_string_value(json_object_get(
						     it, "recommended")) :
					     NULL;

			r = r ? r : "(none)";
			if (first && strcmp(first, r) != 0)
				differ = true;
			first = first ? first : r;
			json_array_append_new(
				vals,
				json_pack("{s:O,s:s}", "host",
					  json_object_get(hosts[i], "host"),
					  "recommended", r));
		}
		if (!differ) {
			json_decref(vals);
			continue;
		}
		json_array_append_new(out,
				      json_pack("{s:s,s:O,s:o}", "id", id,
						"knob", v, "values", vals));
	}
	json_decref(ids);
	return out;
fail:
	json_decref(ids);
	json_decref(out);
	return NULL;
}

/* Fills one group of hosts[0..n) into groups. */
static int mark_group(json_t *const *hosts, size_t n, json_t *figures,
		      json_t *groups, struct scratch *s)
{
	json_t *h0 = hosts[0], *g, *names = json_array(), *gfigs = json_array();
	const char *id;
	json_t *v;

	g = json_pack("{s:O,s:O,s:O,s:O,s:o,s:o}", "key",
		      json_object_get(h0, "group"), "cpu_model",
		      json_object_get(h0, "cpu_model"), "memory_gib",
		      json_object_get(h0, "memory_gib"), "kernel",
		      json_object_get(h0, "kernel"), "hosts", names, "figures",
		      gfigs);
	if (!g || json_array_append_new(groups, g))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		json_array_append(names, json_object_get(hosts[i], "host"));
	json_object_foreach(figures, id, v)
		if (mark_figure(hosts, n, id, gfigs, s) < 0)
			return -ENOMEM;
	v = advice_differs(hosts, n);
	return v && !json_object_set_new(g, "advice_differs", v) ? 0 : -ENOMEM;
}

int mt_fleet_mark(json_t *fleet)
{
	json_t *hosts = json_object_get(fleet, "hosts");
	json_t *groups = json_array(), **sorted = NULL;
	size_t n = json_array_size(hosts), *idx = NULL;
	const char **keys = NULL, **names = NULL;
	unsigned long fails = mt_json_alloc_failures();
	struct scratch s = { 0 };
	int rc = -ENOMEM;

	if (!groups || json_object_set_new(fleet, "groups", groups))
		return -ENOMEM;
	if (n == 0)
		return 0;
	idx = malloc(n * sizeof(*idx));
	sorted = malloc(n * sizeof(*sorted));
	keys = malloc(n * sizeof(*keys));
	names = malloc(n * sizeof(*names));
	s.x = malloc(n * sizeof(*s.x));
	s.score = malloc(n * sizeof(*s.score));
	s.who = malloc(n * sizeof(*s.who));
	if (!idx || !sorted || !keys || !names || !s.x || !s.score || !s.who)
		goto out;
	for (size_t i = 0; i < n; i++) {
		json_t *h = json_array_get(hosts, i);

		idx[i] = i;
		keys[i] = json_string_value(json_object_get(h, "group")) ?: "";
		names[i] = json_string_value(json_object_get(h, "host")) ?: "";
		json_object_set_new(h, "odd", json_array());
	}
	mt_fleet_group_sort(idx, n, keys, names);
	for (size_t i = 0; i < n; i++)
		sorted[i] = json_array_get(hosts, idx[i]);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1;
		     j < n && strcmp(keys[idx[j]], keys[idx[i]]) == 0; j++)
			;
		if (mark_group(sorted + i, j - i,
			       json_object_get(fleet, "figures"), groups,
			       &s) < 0)
			goto out;
	}
	rc = mt_json_alloc_failures() == fails ? 0 : -ENOMEM;
out:
	free(idx);
	free(sorted);
	free(keys);
	free(names);
	free(s.x);
	free(s.score);
	free(s.who);
	return rc;
}
