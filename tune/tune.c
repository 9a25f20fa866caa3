/* memtune tune: see tune.h. */
#include "tune.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../advisor/advisor.h"
#include "../bench/kit/sandbox.h"
#include "../core/clock.h"
#include "../core/deadman.h"
#include "../core/fsroot.h"
#include "../core/journal.h"
#include "../core/json_safe.h"
#include "../core/log.h"
#include "../core/paired.h"
#include "../core/safefile.h"
#include "../core/signals.h"
#include "../core/workload.h"
#include "tune_internal.h"

#define MAX_SLOTS 4096

/* One item under trial. */
struct arm_run {
	struct mt_item *it;		   /* as advised (arm B's value) */
	struct mt_item a;		   /* the current value, for A/A */
	char current[128];		   /* what the knob held before tune */
	size_t index;			   /* among the items tried */
	const struct mt_rule_trial *bench; /* its benchmark trial */
	size_t n_pairs;
	json_t **oa, **ob; /* each pair's A and B: {key: value} */
	json_t *better;	   /* {key: true when higher is better} */
	double (*ga)[MT_N_GUARDS], (*gb)[MT_N_GUARDS];
	bool *have_a, *have_b;
	json_t *trials;	    /* one object per trial */
	char stopped[256];  /* why trials stopped early, or "" */
	char no_bench[512]; /* why its benchmark trial is not run */
};

struct tune {
	const struct mt_tune_opts *o;
	struct mt_apply_opts ao;
	struct mt_advice advice;
	uint64_t mem;
	struct mt_journal *j;
	regex_t metric_re, p99_re;
	bool have_metric_re, have_p99_re;
	bool higher_is_better;
	uint64_t t0, deadline;
	char run_journal[4096]; /* the benchmark trials' journal */
	char trial_dir[4096];	/* their run directories, or "" */
	char procs[600];	/* the workload's cgroup, or "" */
	struct mt_cgroup cg;	/* that cgroup (when procs is set) */
	size_t done, total;	/* trials, for the time left */
	double trial_s;		/* the warm-up trial's time */
};

/* The value a knob holds now, as apply compares it. */
static int read_current(const char *path, char *buf, size_t len,
			struct mt_err *err)
{
	char line[256];

	if (mt_fs_read_line(path, line, sizeof(line), err) < 0)
		return -EIO;
	mt_apply_selected(line, buf, len);
	return 0;
}

/* Runs one trial of arm b (or A) of r: applies B through the journal,
 * runs the item's benchmark trial and the workload between two readings
 * of the guardrails, undoes B. Fills obs ({key: value}), r->better and
 * guards. Returns 0, or -errno with err set when the trial could not be
 * made (B not applied, the journal not undone, a signal). */
static int trial(struct tune *t, struct arm_run *r, bool b, size_t seq,
		 json_t *obs, double guards[MT_N_GUARDS], json_t *rec,
		 struct mt_err *err)
{
	size_t mark = mt_journal_mark(t->j);
	struct mt_guard_snap before, after;
	struct mt_workload_result w = { .p99 = NAN };
	struct mt_err te = { 0 };
	char *log = NULL, dir[4200] = "";
	size_t log_len = 0;
	FILE *lf = open_memstream(&log, &log_len);
	const struct mt_item *set = b ? (t->o->aa ? &r->a : r->it) : NULL;
	bool failed = false;
	int rc = 0;

	if (!lf)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "tune: out of memory");
	if (set && mt_apply_item(set, &t->ao, t->mem, t->j, lf) != 0) {
		fclose(lf);
		rc = mt_err_set(err, -EPERM, MT_ERR_RUNTIME,
				"tune: %s: cannot apply %s=%s for a trial: %s",
				r->it->id, set->knob, set->value,
				log ? log : "");
		free(log);
		mt_journal_rollback_to(t->j, mark, NULL);
		return rc;
	}
	fclose(lf);
	free(log);
	/* A cgroup v1 memcg keeps the swappiness it was made with: the
	 * workload's cgroup follows the arm's vm.swappiness. */
	if (set && t->procs[0] && t->cg.version == 1 &&
	    strcmp(set->knob, "vm.swappiness") == 0) {
		rc = mt_cgroup_set_swappiness(t->j, &t->cg, atoi(set->value),
					      err);
		if (rc < 0) {
			mt_journal_rollback_to(t->j, mark, NULL);
			return rc;
		}
	}
	mt_guard_read(&before);
	if (r->bench) {
		/* Named by position, never by the item's id: advice.json
		 * is not a source of paths. */
		snprintf(dir, sizeof(dir), "%s/item%zu-%zu%c", t->trial_dir,
			 r->index + 1, seq, b ? 'B' : 'A');
		rc = mt_bench_trial_run(r->bench, dir, t->run_journal, obs,
					r->better, &te);
		if (rc == 1) {
			failed = true;
			json_object_set_new(rec, "failed", json_string(te.msg));
			rc = 0;
		} else if (rc < 0) {
			*err = te;
		}
		json_object_set_new(rec, "run_dir", json_string(dir));
	}
	if (rc == 0 && t->o->workload) {
		rc = mt_workload_run_in(t->o->workload,
					t->procs[0] ? t->procs : NULL,
					t->have_metric_re ? &t->metric_re :
							    NULL,
					t->have_p99_re ? &t->p99_re : NULL,
					t->o->trial_timeout_ns, &w, err);
		if (rc == 0 && mt_workload_ok(&w, t->have_metric_re)) {
			json_object_set_new(obs, "workload",
					    json_real(w.metric));
			json_object_set_new(r->better, "workload",
					    json_boolean(t->higher_is_better));
		} else if (rc == 0) {
			failed = true;
			json_object_set_new(
				rec, "failed",
				json_string(
					w.timed_out ?
						"the workload timed out" :
					!w.matched ?
						"no metric in the workload's "
						"output" :
						w.tail));
		}
		json_object_set_new(rec, "wall_s", json_real(w.wall_s));
	}
	mt_guard_read(&after);
	if (mt_journal_rollback_to(t->j, mark, rc < 0 ? NULL : err) < 0 &&
	    rc == 0)
		return -EIO;
	if (rc < 0)
		return rc;
	mt_guard_delta(&before, &after, failed, w.p99, guards);
	json_object_set_new(rec, "arm", json_string(b ? "B" : "A"));
	json_object_set_new(rec, "value",
			    json_string(set ? set->value : r->current));
	json_object_set_new(rec, "observed", json_incref(obs));
	for (int g = 0; g < MT_N_GUARDS; g++)
		if (!isnan(guards[g]))
			json_object_set_new(rec, mt_guard_names[g],
					    json_real(guards[g]));
	return 0;
}

static int arm_alloc(struct arm_run *r, size_t pairs)
{
	r->n_pairs = pairs;
	r->oa = calloc(pairs, sizeof(*r->oa));
	r->ob = calloc(pairs, sizeof(*r->ob));
	r->ga = calloc(pairs, sizeof(*r->ga));
	r->gb = calloc(pairs, sizeof(*r->gb));
	r->have_a = calloc(pairs, sizeof(*r->have_a));
	r->have_b = calloc(pairs, sizeof(*r->have_b));
	r->trials = json_array();
	r->better = json_object();
	return r->oa && r->ob && r->ga && r->gb && r->have_a && r->have_b &&
			       r->trials && r->better ?
		       0 :
		       -ENOMEM;
}

static void arm_free(struct arm_run *r)
{
	for (size_t i = 0; i < r->n_pairs; i++) {
		json_decref(r->oa ? r->oa[i] : NULL);
		json_decref(r->ob ? r->ob[i] : NULL);
	}
	free(r->oa);
	free(r->ob);
	free(r->ga);
	free(r->gb);
	free(r->have_a);
	free(r->have_b);
	json_decref(r->trials);
	json_decref(r->better);
}

static void fmt_duration(double s, char *buf, size_t len)
{
	if (s < 120)
		snprintf(buf, len, "%.0f s", s);
	else if (s < 7200)
		snprintf(buf, len, "%.0f min", s / 60);
	else
		snprintf(buf, len, "%.1f h", s / 3600);
}

/* Runs the schedule of one item. Returns 0 (trials may have stopped
 * early: r->stopped says why), -EINTR on a signal, or -errno. */
static int run_item(struct tune *t, struct arm_run *r, size_t idx,
		    size_t n_items, struct mt_err *err)
{
	struct mt_trial_slot slots[MAX_SLOTS];
	size_t n = mt_abba_schedule(r->n_pairs, t->o->seed + idx, slots,
				    MAX_SLOTS);

	for (size_t s = 0; s < n; s++) {
		double g[MT_N_GUARDS];
		json_t *rec = json_object(), *obs = json_object();
		uint64_t now = mt_now_ns();
		size_t p = slots[s].pair;
		int rc;

		if (!rec || !obs) {
			json_decref(rec);
			json_decref(obs);
			return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
					  "tune: out of memory");
		}
		if (mt_signal_pending()) {
			json_decref(rec);
			json_decref(obs);
			return -EINTR;
		}
		if (t->deadline && now > t->deadline) {
			snprintf(r->stopped, sizeof(r->stopped),
				 "--max-time "
				 "reached after %zu of %zu trials",
				 s, n);
			json_decref(rec);
			json_decref(obs);
			break;
		}
		{
			double each = t->done ? (double)(now - t->t0) / 1e9 /
							(double)t->done :
						t->trial_s;
			char left[32];

			fmt_duration(each * (double)(t->total - t->done), left,
				     sizeof(left));
			mt_progress("tune: item %zu/%zu %s, trial %zu/%zu "
				    "(%s), about %s left",
				    idx + 1, n_items, r->it->id, s + 1, n,
				    slots[s].b ? "B" : "A", left);
		}
		rc = trial(t, r, slots[s].b, s + 1, obs, g, rec, err);
		if (rc < 0) {
			json_decref(rec);
			json_decref(obs);
			return rc;
		}
		json_object_set_new(rec, "pair", json_integer((json_int_t)p));
		json_object_set_new(rec, "seconds",
				    json_real((double)(mt_now_ns() - now) /
					      1e9));
		json_array_append_new(r->trials, rec);
		t->done++;
		if (slots[s].b) {
			json_decref(r->ob[p]);
			r->ob[p] = obs;
			memcpy(r->gb[p], g, sizeof(g));
			r->have_b[p] = true;
		} else {
			json_decref(r->oa[p]);
			r->oa[p] = obs;
			memcpy(r->ga[p], g, sizeof(g));
			r->have_a[p] = true;
		}
	}
	return 0;
}

/* The verification object of r: the verdict of its pairs (verdict.c) and
 * what the item was: both values, the benchmark, the trials. */
static json_t *verification(const struct tune *t, struct arm_run *r)
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
static int write_back(const struct tune *t, struct arm_run *runs, size_t n,
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
static int keep_verified(struct tune *t, struct arm_run *runs, json_t **v,
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
			 (int)strcspn(key ? key : "", " {"), key ? key : "");
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
static void print_table(FILE *out, struct arm_run *runs, json_t **v, size_t n)
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

/* What the whole session runs in, through tune's journal (undone at its
 * end, or by the dead-man): a swap file when none is active, and the
 * workload's memory cgroup. */
static int session_setup(struct tune *t, FILE *out, struct mt_err *err)
{
	const struct mt_tune_opts *o = t->o;
	struct mt_caps caps;
	struct mt_cgroup cg;
	int rc;

	if (!o->memory_max && !o->swap_file)
		return 0;
	rc = mt_caps_read(&caps, err);
	if (rc == 0 && o->swap_file) {
		json_t *info = json_object();

		rc = mt_swap_ensure(t->j, &caps, true, o->swap_file,
				    o->swap_dir ? o->swap_dir : "/var/tmp",
				    info, err);
		if (rc == 0)
			fprintf(out, "tune: swap %s (%s, %s)\n",
				json_string_value(json_object_get(info,
								  "device")),
				json_string_value(json_object_get(info,
								  "type")),
				json_is_true(json_object_get(info, "created")) ?
					"made for this session" :
					"already active");
		json_decref(info);
	}
	if (rc == 0 && o->memory_max) {
		rc = mt_cgroup_create(t->j, &caps, "tune", &cg, err);
		if (rc == 0)
			rc = mt_cgroup_set_limits(t->j, &cg, o->memory_max, 0,
						  -1, err);
		if (rc == 0) {
			t->cg = cg;
			snprintf(t->procs, sizeof(t->procs),
				 "%.580s/cgroup.procs", cg.path);
			fprintf(out,
				"tune: the workload runs in %s (memory "
				"limit %" PRIu64 " bytes)\n",
				cg.path, o->memory_max);
		}
	}
	return rc;
}

/* True when some item has a benchmark trial. */
static bool any_bench(const struct arm_run *runs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (runs[i].bench)
			return true;
	return false;
}

/* DIR/tune-YYYYmmdd-HHMMSS for the benchmark trials' run directories,
 * when some item has one. */
static int make_trial_dir(struct tune *t, const struct arm_run *runs, size_t n,
			  struct mt_err *err)
{
	struct mt_outdir d = { .fd = -1 }, sub = { .fd = -1 };
	char name[64];
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	if (!any_bench(runs, n))
		return 0;
	localtime_r(&now, &tm);
	strftime(name, sizeof(name), "tune-%Y%m%d-%H%M%S", &tm);
	rc = mt_outdir_open(&d, "tune", t->o->dir, 0, err);
	if (rc == 0)
		rc = mt_outdir_sub(&sub, &d, "tune", name, MT_DIR_NEW, err);
	mt_outdir_close(&sub);
	mt_outdir_close(&d);
	if (rc == 0)
		snprintf(t->trial_dir, sizeof(t->trial_dir), "%s/%s", t->o->dir,
			 name);
	return rc;
}

/* Picks the items to try: changes with a file to write (process settings
 * are installed by hand and cannot be tried here). */
static size_t select_items(struct tune *t, struct arm_run *runs, FILE *out,
			   struct mt_err *err)
{
	size_t n = 0;

	for (size_t i = 0; i < t->advice.n; i++) {
		struct mt_item *it = &t->advice.items[i];
		bool named = false;

		for (size_t k = 0; k < t->o->n_only; k++)
			named |= !strcmp(t->o->only[k], it->id);
		if (!it->change || (t->o->only && !named))
			continue;
		/* apply's guard holds for trials too: a dangerous value is
		 * tried only when the operator names its rule. */
		if (it->path[0] && !t->o->aa) {
			char why[256];
			bool forced = false;

			for (size_t k = 0; k < t->o->n_force; k++)
				forced |= !strcmp(t->o->force[k], it->rule) ||
					  !strcmp(t->o->force[k], it->id);
			if (!forced &&
			    mt_apply_guarded(it->knob, it->value, t->mem, why,
					     sizeof(why))) {
				fprintf(out,
					"not tried %s: %s=%s: %s (pass --force "
					"%s to try it)\n",
					it->id, it->knob, it->value, why,
					it->rule);
				continue;
			}
		}
		if (!it->path[0]) {
			fprintf(out,
				"not tried %s: %s is installed by hand "
				"(%s)\n",
				it->id, it->knob, it->apply);
			continue;
		}
		runs[n].it = it;
		runs[n].index = n;
		{
			const struct mt_rule *rule = mt_rule_find(it->rule);
			int c = 0;

			if (rule && rule->trial && !t->o->no_bench) {
				c = mt_bench_trial_check(
					rule->trial, runs[n].no_bench,
					sizeof(runs[n].no_bench), err);
				if (c < 0)
					return (size_t)-1;
			} else {
				snprintf(runs[n].no_bench,
					 sizeof(runs[n].no_bench), "%s",
					 t->o->no_bench ?
						 "--no-bench" :
					 rule && rule->no_trial ?
						 rule->no_trial :
						 "its rule declares no "
						 "benchmark trial");
			}
			if (c > 0) {
				runs[n].bench = rule->trial;
				runs[n].no_bench[0] = '\0';
			}
		}
		if (!runs[n].bench && !t->o->workload) {
			fprintf(out,
				"not tried %s: %s; give --workload CMD "
				"to try it on your own workload\n",
				it->id, runs[n].no_bench);
			continue;
		}
		if (read_current(it->path, runs[n].current,
				 sizeof(runs[n].current), err) < 0)
			return (size_t)-1;
		runs[n].a = *it;
		runs[n].a.evidence = NULL;
		runs[n].a.facts = NULL;
		snprintf(runs[n].a.value, sizeof(runs[n].a.value), "%.*s",
			 (int)sizeof(runs[n].a.value) - 1, runs[n].current);
		n++;
	}
	return n;
}

static int check_opts(const struct mt_tune_opts *o, struct tune *t,
		      struct mt_err *err)
{
	int rc;

	if (o->pairs < 1 || o->pairs > MAX_SLOTS / 2)
		return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				  "tune: --pairs "
				  "%d: expected 1 to %d",
				  o->pairs, MAX_SLOTS / 2);
	if (o->metric) {
		rc = mt_workload_regex(&t->metric_re, o->metric, "--metric",
				       err);
		if (rc < 0)
			return rc;
		t->have_metric_re = true;
	}
	if (o->p99) {
		rc = mt_workload_regex(&t->p99_re, o->p99, "--p99", err);
		if (rc < 0)
			return rc;
		t->have_p99_re = true;
	}
	t->higher_is_better = o->metric && !o->lower_is_better;
	return 0;
}

int mt_tune(const struct mt_tune_opts *o, FILE *out, struct mt_err *err)
{
	struct tune t = { .o = o };
	struct arm_run *runs = NULL;
	json_t **verifs = NULL;
	struct mt_deadman dm = { .pid = 0, .fd = -1 };
	char jpath[4096], est[32];
	char *restore_argv[] = { "/proc/self/exe", "restore", NULL };
	size_t n = 0, pairs;
	double trial_s;
	int rc;

	rc = check_opts(o, &t, err);
	if (rc < 0)
		goto out;
	t.ao.only = o->only;
	t.ao.n_only = o->n_only;
	t.ao.force = o->force;
	t.ao.n_force = o->n_force;
	t.ao.skip_privilege_check = o->skip_privilege_check;
	t.ao.force_container = o->force_container;
	rc = mt_advice_load_checked("tune", o->dir, &t.ao, &t.advice, &t.mem,
				    err);
	if (rc == 0)
		rc = mt_apply_check_privilege(&t.ao, "tune", err);
	if (rc < 0)
		goto out;
	runs = calloc(t.advice.n + 1, sizeof(*runs));
	verifs = calloc(t.advice.n + 1, sizeof(*verifs));
	if (!runs || !verifs) {
		rc = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				"tune: out of memory");
		goto out;
	}
	n = select_items(&t, runs, out, err);
	if (n == (size_t)-1) {
		n = 0;
		rc = -EIO;
		goto out;
	}
	if (!n) {
		fprintf(out,
			"tune: nothing to try in %s/advice.json: no "
			"change%s with a knob memtune writes and a trial "
			"that can run here (see above)\n",
			o->dir, o->only ? " among --only" : "");
		goto out;
	}
	/* The knob's changes go to tune.journal, the benchmark trials' own
	 * to run.journal: `memtune restore` plays back both. */
	if (o->journal_path)
		snprintf(jpath, sizeof(jpath), "%s", o->journal_path);
	else if ((rc = mt_journal_default_path("tune.journal", jpath,
					       sizeof(jpath), err)) < 0)
		goto out;
	rc = mt_journal_default_path("run.journal", t.run_journal,
				     sizeof(t.run_journal), err);
	if (rc == 0 && mt_journal_pending(t.run_journal))
		rc = mt_err_set(err, -EEXIST, MT_ERR_RUNTIME,
				"tune: a "
				"journal of system changes from an earlier "
				"run is pending at %s; run memtune restore "
				"first",
				t.run_journal);
	if (rc == 0)
		rc = make_trial_dir(&t, runs, n, err);
	if (rc == 0)
		rc = mt_journal_open(jpath, true, &t.j, err);
	if (rc < 0)
		goto out;
	/* From here a death of memtune restores the machine. */
	rc = mt_deadman_arm(&dm, restore_argv, err);
	if (rc < 0)
		goto out_journal;
	mt_signals_install();
	rc = session_setup(&t, out, err);
	if (rc < 0)
		goto out_journal;
	/* The warm-up: one untimed A trial of each item, which also prices
	 * its trials. */
	pairs = (size_t)o->pairs;
	trial_s = 0;
	for (size_t i = 0; i < n; i++) {
		struct arm_run *r = &runs[i];
		double g[MT_N_GUARDS];
		json_t *rec = json_object(), *obs = json_object();
		uint64_t w0 = mt_now_ns();

		if (arm_alloc(r, pairs) < 0 || !rec || !obs) {
			json_decref(rec);
			json_decref(obs);
			rc = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
					"tune: out of memory");
			goto out_journal;
		}
		mt_progress("tune: warm-up trial of %s", r->it->id);
		rc = trial(&t, r, false, 0, obs, g, rec, err);
		json_decref(rec);
		json_decref(obs);
		if (rc < 0)
			goto out_journal;
		trial_s += (double)(mt_now_ns() - w0) / 1e9;
	}
	trial_s /= (double)n;
	t.trial_s = trial_s;
	pairs = (size_t)o->pairs;
	fmt_duration((double)n * 2.0 * (double)pairs * trial_s, est,
		     sizeof(est));
	fprintf(out,
		"tune: %zu item%s x %zu pairs x 2 trials x %.1f s a "
		"trial (the warm-ups' mean) = about %s%s\n",
		n, n == 1 ? "" : "s", pairs, trial_s, est,
		o->max_time_ns ? " (capped by --max-time)" : "");
	{
		/* Two primary figures (the workload and the benchmark
		 * score) are each judged at 97.5%: see verdict.c. */
		bool two = o->workload && any_bench(runs, n);
		double want = two ? 0.975 : 0.95;

		if (pairs < mt_paired_min_pairs(want))
			fprintf(out,
				"tune: %zu pairs cannot reach the %.1f%% "
				"interval %s needs (%zu can): verdicts will be "
				"\"inconclusive\"\n",
				pairs, 100 * want,
				two ? "each of two primary figures" :
				      "one primary figure",
				mt_paired_min_pairs(want));
	}
	fflush(out);
	t.t0 = mt_now_ns();
	t.total = n * 2 * pairs;
	t.deadline = o->max_time_ns ? t.t0 + o->max_time_ns : 0;
	for (size_t i = 0; i < n; i++) {
		rc = run_item(&t, &runs[i], i, n, err);
		if (rc == -EINTR)
			rc = mt_err_set(err, -EINTR, MT_ERR_RUNTIME,
					"tune: interrupted by signal %d; the "
					"trial's change was undone",
					mt_signal_pending());
		if (rc < 0)
			goto out_journal;
		verifs[i] = verification(&t, &runs[i]);
	}
out_journal : {
	struct mt_err fe = { 0 };

	if (t.j && mt_journal_finish(t.j, &fe) < 0) {
		mt_warn("tune: could not undo every trial change: %s "
			"(run memtune restore)",
			fe.msg);
		if (rc == 0) {
			*err = fe;
			rc = -EIO;
		}
	}
	t.j = NULL;
	/* Only a clean journal disarms: otherwise the watchdog
		 * restores as we exit. */
	if (rc != -EIO)
		mt_deadman_disarm(&dm, &fe);
}
	if (rc == 0 && n) {
		print_table(out, runs, verifs, n);
		rc = write_back(&t, runs, n, verifs, err);
		if (rc == 0)
			fprintf(out,
				"\nwrote the verification into "
				"%s/advice.json\n",
				o->dir);
	}
	if (rc == 0 && n && o->keep_verified)
		rc = keep_verified(&t, runs, verifs, n, out, err);
	if (rc == 0 && o->json && n) {
		json_t *arr = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append(arr, verifs[i]);
		char *txt = mt_json_dumps(arr, JSON_INDENT(2));

		if (txt)
			fprintf(out, "%s\n", txt);
		free(txt);
		json_decref(arr);
	}
out:
	for (size_t i = 0; runs && i < n; i++) {
		arm_free(&runs[i]);
		json_decref(verifs[i]);
	}
	free(runs);
	free(verifs);
	mt_advice_free(&t.advice);
	if (t.have_metric_re)
		regfree(&t.metric_re);
	if (t.have_p99_re)
		regfree(&t.p99_re);
	return rc;
}
