/* What memtune tune makes of its trials: see session.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../core/json_safe.h"
#include "../core/safefile.h"
#include "session.h"

/* The verification object of r: the verdict of its pairs (verdict.c) and
 * what the item was: both values, the benchmark, the trials. */
json_t *mt_tune_verification(const struct tune *t, struct arm_run *r)
{
	struct mt_tune_obs obs = {
		.n = r->n_pairs,
		.oa = r->oa,
		.ob = r->ob,
		.have_a = r->have_a,
		.have_b = r->have_b,
		.ga = (const double(*)[MT_N_GUARDS])r->ga,
		.gb = (const double(*)[MT_N_GUARDS])r->gb,
		.better = r->better,
	};
	json_t *v = mt_tune_judge(&obs);

	if (!v)
		return NULL;
	json_object_set_new(v, "a_value", json_string(r->current));
	json_object_set_new(v, "b_value",
			    json_string(t->o->aa ? r->current : r->it->value));
	json_object_set_new(v, "aa", json_boolean(t->o->aa));
	json_object_set_new(v, "pairs_planned",
			    json_integer((json_int_t)r->n_pairs));
	if (t->o->workload)
		json_object_set_new(v, "workload_metric",
				    json_string(t->o->metric ?
							t->o->metric :
							"wall time (s)"));
	if (r->bench)
		json_object_set_new(v, "benchmark",
				    json_string(r->bench->bench));
	if (r->bench && r->it->ground != MT_GROUND_MEASURED &&
	    r->it->ground != MT_GROUND_INCONCLUSIVE)
		/* A vendor's word or a documented rule: the benchmark shows
		 * what the change does to it, which is not the item's
		 * reason. */
		json_object_set_new(
			v, "note",
			json_sprintf("the item rests on %s grounds, not on "
				     "the %s benchmark: its score says what "
				     "the change does to that benchmark; "
				     "--workload says what it does to yours",
				     mt_ground_name(r->it->ground),
				     r->bench->bench));
	if (r->no_bench[0])
		json_object_set_new(v, "benchmark_not_run",
				    json_string(r->no_bench));
	if (r->stopped[0])
		json_object_set_new(v, "stopped", json_string(r->stopped));
	json_object_set_new(v, "trials", json_incref(r->trials));
	return v;
}

/* Writes each run's verification into DIR/advice.json, keeping every
 * other field as it was (the file is re-read, not rebuilt). */
int mt_tune_write_back(const struct tune *t, struct arm_run *runs, size_t n,
		       json_t **verifs, struct mt_err *err)
{
	char path[4096], *text = NULL, *out = NULL;
	struct mt_outdir d = { .fd = -1 };
	json_t *root, *items, *o;
	json_error_t jerr;
	size_t len = 0, i;
	int rc;

	snprintf(path, sizeof(path), "%s/advice.json", t->o->dir);
	rc = mt_file_read_untrusted(path, 16 << 20, &text, &len);
	if (rc < 0)
		return mt_err_set(err, rc, MT_ERR_RUNTIME,
				  "tune: cannot read "
				  "%s again: %s",
				  path, strerror(-rc));
	root = mt_json_loadb(text, len, 0, &jerr);
	free(text);
	items = json_object_get(root, "items");
	if (!json_is_array(items)) {
		json_decref(root);
		return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				  "tune: %s "
				  "changed under us (no items array)",
				  path);
	}
	json_array_foreach(items, i, o) {
		const char *id = json_string_value(json_object_get(o, "id"));

		for (size_t k = 0; id && k < n; k++)
			if (verifs[k] && !strcmp(id, runs[k].it->id))
				json_object_set(o, "verification", verifs[k]);
	}
	out = mt_json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!out)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "tune: out of memory");
	rc = mt_outdir_open(&d, "tune", t->o->dir, 0, err);
	if (rc == 0)
		rc = mt_outdir_replace(&d, "tune", "advice.json", out,
				       strlen(out), 0644, 0, err);
	mt_outdir_close(&d);
	free(out);
	return rc;
}

/* --keep verified: applies (and with --persist persists) the items that
 * improved, through apply's own journal so that rollback undoes them. */
int mt_tune_keep_verified(struct tune *t, struct arm_run *runs, json_t **v,
			  size_t n, FILE *out, struct mt_err *err)
{
	const char *ids[n + 1];
	struct mt_apply_opts ao = t->ao;
	size_t k = 0;
	int problems = 0, rc;

	for (size_t i = 0; i < n; i++)
		if (!strcmp(json_string_value(json_object_get(v[i], "verdict")),
			    "improves") &&
		    !t->o->aa)
			ids[k++] = runs[i].it->id;
	if (!k) {
		fprintf(out, "\n--keep verified: no item improved; nothing "
			     "is kept\n");
		return 0;
	}
	ao.only = ids;
	ao.n_only = k;
	ao.persist = t->o->persist;
	ao.journal_path = NULL;
	fprintf(out,
		"\n--keep verified: applying the %zu item%s that "
		"improved\n",
		k, k == 1 ? "" : "s");
	rc = mt_apply(t->o->dir, &ao, out, &problems, err);
	if (rc == 0 && problems)
		fprintf(out,
			"tune: %d of them refused or clamped (see "
			"above)\n",
			problems);
	return rc;
}

/* One line of the table: a figure's verdict, medians, effect and its
 * interval with the confidence it reaches. */
static void print_figure(FILE *out, const char *name, const char *verdict,
			 json_t *x)
{
	char iv[48] = "-";

	if (json_object_get(x, "effect_lo"))
		snprintf(iv, sizeof(iv), "[%+.1f%%, %+.1f%%] %.1f%%",
			 100 * json_real_value(json_object_get(x, "effect_lo")),
			 100 * json_real_value(json_object_get(x, "effect_hi")),
			 100 * json_real_value(json_object_get(x, "level")));
	fprintf(out, "%-32s %-12s %12.4g %12.4g %+8.1f%%  %s\n", name, verdict,
		json_real_value(json_object_get(x, "median_a")),
		json_real_value(json_object_get(x, "median_b")),
		100 * json_real_value(json_object_get(x, "effect")), iv);
}

/* The figures of one list, indented, under a heading. */
static void print_figures(FILE *out, json_t *list, bool primary)
{
	json_t *fig;
	size_t k;

	json_array_foreach(list, k, fig) {
		char name[64];
		const char *key = json_string_value(json_object_get(fig,
								    "key"));

		/* "swap.worker_accesses {case}": the name here, the case
		 * in the verification object. */
		snprintf(name, sizeof(name), "  %s%.*s", primary ? "" : "  ",
			 primary ? (int)strlen(key ? key : "") :
				   (int)strcspn(key ? key : "", " {"),
			 key ? key : "");
		if (primary && json_is_integer(json_object_get(fig, "figures")))
			snprintf(name + strlen(name),
				 sizeof(name) - strlen(name), " (%d)",
				 (int)json_integer_value(
					 json_object_get(fig, "figures")));
		print_figure(out, name,
			     json_string_value(json_object_get(fig, "verdict")),
			     fig);
	}
}

/* The item's verdict, its primary figures (which decide it, at the
 * confidence their number asks), each figure alone (at 95%, for reading),
 * then why when there is a reason to give. */
void mt_tune_print_table(FILE *out, struct arm_run *runs, json_t **v, size_t n)
{
	fprintf(out, "\n%-32s %-12s %12s %12s %9s  %s\n", "item / figure",
		"verdict", "median A", "median B", "effect",
		"interval, confidence");
	for (size_t i = 0; i < n; i++) {
		json_t *x = v[i];

		fprintf(out, "%s: %s -> %s: %s\n", runs[i].it->id,
			json_string_value(json_object_get(x, "a_value")),
			json_string_value(json_object_get(x, "b_value")),
			json_string_value(json_object_get(x, "verdict")));
		print_figures(out, json_object_get(x, "primary"), true);
		if (json_array_size(json_object_get(x, "figures")) > 1) {
			fprintf(out, "    each figure alone (95%%, not "
				     "deciding):\n");
			print_figures(out, json_object_get(x, "figures"),
				      false);
		}
		if (json_string_length(json_object_get(x, "why")))
			fprintf(out, "  %s\n",
				json_string_value(json_object_get(x, "why")));
		if (json_string_length(json_object_get(x, "note")))
			fprintf(out, "  note: %s\n",
				json_string_value(json_object_get(x, "note")));
	}
}
