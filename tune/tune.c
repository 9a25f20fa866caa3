/* memtune tune: see tune.h. */
#include "tune.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/clock.h"
#include "../core/deadman.h"
#include "../core/fsroot.h"
#include "../core/json_safe.h"
#include "../core/log.h"
#include "../core/safefile.h"
#include "../core/signals.h"
#include "../core/workload.h"
#include "session.h"

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

		if (mt_tune_arm_alloc(r, pairs) < 0 || !rec || !obs) {
			json_decref(rec);
			json_decref(obs);
			rc = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
					"tune: out of memory");
			goto out_journal;
		}
		mt_progress("tune: warm-up trial of %s", r->it->id);
		rc = mt_tune_trial(&t, r, false, 0, obs, g, rec, err);
		json_decref(rec);
		json_decref(obs);
		if (rc < 0)
			goto out_journal;
		trial_s += (double)(mt_now_ns() - w0) / 1e9;
	}
	trial_s /= (double)n;
	t.trial_s = trial_s;
	pairs = (size_t)o->pairs;
	mt_tune_fmt_duration((double)n * 2.0 * (double)pairs * trial_s, est,
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
		rc = mt_tune_run_item(&t, &runs[i], i, n, err);
		if (rc == -EINTR)
			rc = mt_err_set(err, -EINTR, MT_ERR_RUNTIME,
					"tune: interrupted by signal %d; the "
					"trial's change was undone",
					mt_signal_pending());
		if (rc < 0)
			goto out_journal;
		verifs[i] = mt_tune_verification(&t, &runs[i]);
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
		mt_tune_print_table(out, runs, verifs, n);
		rc = mt_tune_write_back(&t, runs, n, verifs, err);
		if (rc == 0)
			fprintf(out,
				"\nwrote the verification into "
				"%s/advice.json\n",
				o->dir);
	}
	if (rc == 0 && n && o->keep_verified)
		rc = mt_tune_keep_verified(&t, runs, verifs, n, out, err);
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
		mt_tune_arm_free(&runs[i]);
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
