/* The sweep: resolves the configuration, checks each benchmark's needs,
 * makes its system changes through the journal, runs each case in a pinned
 * worker process, and collects the records into the run directory. */
#include "runner.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../core/clock.h"
#include "../../core/journal.h"
#include "../../core/json_safe.h"
#include "../../core/log.h"
#include "../../core/record.h"
#include "../../core/rng.h"
#include "../../core/rundir.h"
#include "../../core/signals.h"
#include "../../core/sysinfo.h"
#include "../../core/topo.h"
#include "casejob.h"
#include "history.h"
#include "registry.h"

const struct mt_param mt_global_params[] = {
	[MT_G_SAMPLE_TIME] = { .key = "sample_time",
			       .type = MT_P_DURATION,
			       .def = "20ms",
			       .help = "target duration of one calibrated sample",
			       .min = 1000000,
			       .max = 10000000000 },
	[MT_G_MIN_SAMPLES] = { .key = "min_samples",
			       .type = MT_P_INT,
			       .def = "5",
			       .help = "samples taken before convergence is checked",
			       .min = 1,
			       .max = 1000 },
	[MT_G_MAX_SAMPLES] = { .key = "max_samples",
			       .type = MT_P_INT,
			       .def = "30",
			       .help = "most samples per case (one whose interval "
				       "cannot reach ci_fraction by then stops "
				       "sooner)",
			       .min = 1,
			       .max = 10000 },
	[MT_G_WARMUP_SAMPLES] = { .key = "warmup_samples",
				  .type = MT_P_INT,
				  .def = "1",
				  .help = "samples run and discarded before measuring",
				  .min = 0,
				  .max = 100 },
	[MT_G_CI_FRACTION] = { .key = "ci_fraction",
			       .type = MT_P_DOUBLE,
			       .def = "0.02",
			       .help = "stop when the 95% CI of the median is within this "
				       "fraction of it",
			       .dmin = 0.0001,
			       .dmax = 1.0 },
	[MT_G_MAX_CASE_TIME] = { .key = "max_case_time",
				 .type = MT_P_DURATION,
				 .def = "10s",
				 .help = "stop repeating samples of one case after this long",
				 .min = 1000000,
				 .max = 3600000000000 },
	[MT_G_CASE_TIMEOUT] = { .key = "case_timeout",
				.type = MT_P_DURATION,
				.def = "600s",
				.help = "kill a case's worker that runs longer than this",
				.min = 1000000000,
				.max = 86400000000000 },
	[MT_G_CPU] = { .key = "cpu",
		       .type = MT_P_INT,
		       .def = "-1",
		       .help = "CPU (OS index) to pin measurements to; -1 picks the "
			       "last one",
		       .min = -1,
		       .max = 65535 },
	[MT_G_SEED] = { .key = "seed",
			.type = MT_P_INT,
			.def = "1",
			.help = "seed of the random permutations",
			.min = 0,
			.max = INT64_MAX },
	[MT_G_REPEAT] = { .key = "repeat",
			  .type = MT_P_INT,
			  .def = "1",
			  .help = "rounds of each benchmark's cases, in a fresh random "
				  "order each round; a record's value is the median of "
				  "the rounds and its interval holds their spread; "
				  "a benchmark section may set its own",
			  .min = 1,
			  .max = 100 },
	[MT_G_ALLOW_SYSTEM_CHANGES] = { .key = "allow_system_changes",
					.type = MT_P_BOOL,
					.def = "yes",
					.help = "let benchmarks change sysctls, hugetlb pools, swap and "
						"cgroups through the journal (root only)" },
	[MT_G_OUTPUT] = { .key = "output",
			  .type = MT_P_STRING,
			  .def = "results",
			  .help = "directory that new run directories are created in" },
	[MT_G_BENCHMARKS] = { .key = "benchmarks",
			      .type = MT_P_WORDS,
			      .def = "",
			      .help = "run only these benchmarks (empty: every one; "
				      "-b replaces this list); a benchmark's "
				      "section sets its parameters and never "
				      "limits the run",
			      .choices = mt_bench_names },
	[MT_G_HISTORY] = { .key = "history",
			   .type = MT_P_BOOL,
			   .def = "yes",
			   .help = "learn from this machine's earlier runs (kept in "
				   "the state directory) how far each benchmark's "
				   "times and rates move between runs, and widen "
				   "their intervals by it so that they hold the "
				   "next run's values; no: intervals from this run "
				   "alone, and the run is not added",
			   },
	[MT_G_NPARAMS] = MT_PARAMS_END,
};

const char *const mt_section_overrides[] = {
	"repeat",	  "sample_time", "min_samples",	  "max_samples",
	"warmup_samples", "ci_fraction", "max_case_time", NULL,
};

int mt_section_params(const struct mt_cfg *cfg, const char *section,
		      const struct mt_param *schema, struct mt_params **global,
		      struct mt_params **params, struct mt_err *err)
{
	int ret;

	*params = NULL;
	ret = mt_params_resolve(cfg, "global", mt_global_params, global, err);
	if (ret == 0)
		ret = mt_params_overlay(*global, cfg, section,
					mt_section_overrides, err);
	if (ret == 0)
		ret = mt_params_resolve_also(cfg, section, schema,
					     mt_section_overrides, params, err);
	if (ret < 0) {
		mt_params_free(*global);
		*global = NULL;
	}
	return ret;
}

/* One benchmark section to run: "tlb" or "tlb:variant". */
struct job {
	const struct mt_bench *bench;
	char *section;
	const char *variant;	  /* points into section, or NULL */
	struct mt_params *global; /* [global] with the section's overrides */
	struct mt_params *params;
	size_t repeat; /* its rounds: [global] repeat or its own */
	/* Planned once, by check_plans: the cases run_job runs. */
	struct mt_plan plan;
	int plan_ret;		 /* plan()'s return */
	struct mt_err plan_err;	 /* its error when plan_ret < 0 */
	json_t *round_orders;	 /* repeat > 1: each round's order of cases */
	struct mt_job_hist hist; /* its run history, while it runs */
	char why[400];		 /* why it runs: its section, or none */
};

struct sweep {
	const struct mt_run_opts *opts;
	struct mt_params *global;
	struct job *jobs;
	size_t n_jobs;
	struct mt_topo *topo;
	struct mt_caps caps;
	json_t *system;
	struct mt_rundir *rd;
	struct mt_journal *journal;
	json_t *meta;
	json_t *bench_status;
	json_t *selection; /* meta.json "selection": what runs and why */
	int cpu;
	uint64_t case_timeout_ns;
	size_t repeat; /* [global] repeat: rounds of each job's cases */
};

/* Whether benchmark `name` runs: it is named by -b when -b was given, else
 * by [global] benchmarks when that is set, else every benchmark runs. A
 * benchmark's section sets its parameters and never limits the run. */
static bool selected(const char *const *only, const struct mt_params *global,
		     const char *name)
{
	if (only) {
		for (size_t i = 0; only[i]; i++)
			if (strcmp(only[i], name) == 0)
				return true;
		return false;
	}
	size_t n;

	mt_p_words(global, MT_G_BENCHMARKS, &n);
	return n == 0 || mt_p_has_word(global, MT_G_BENCHMARKS, name);
}

static void free_jobs(struct job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(jobs[i].section);
		mt_params_free(jobs[i].global);
		mt_params_free(jobs[i].params);
		mt_plan_free(&jobs[i].plan);
		json_decref(jobs[i].round_orders);
	}
	free(jobs);
}

static int add_job(struct job **jobs, size_t *n, const struct mt_cfg *cfg,
		   const char *section, const struct mt_bench *b,
		   struct mt_err *err)
{
	struct job *j = realloc(*jobs, (*n + 1) * sizeof(**jobs));
	int ret;

	if (!j)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "run: out of memory");
	*jobs = j;
	j = &j[*n];
	memset(j, 0, sizeof(*j));
	j->bench = b;
	j->section = strdup(section);
	if (!j->section)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "run: out of memory");
	j->variant = strchr(j->section, ':');
	if (j->variant)
		j->variant++;
	(*n)++;
	ret = mt_section_params(cfg, section, b->params, &j->global, &j->params,
				err);
	if (ret == 0)
		j->repeat = (size_t)mt_p_int(j->global, MT_G_REPEAT);
	return ret;
}

static void list_names(char *buf, size_t len)
{
	size_t n, off = 0;
	const struct mt_bench *const *t = mt_benchmarks(&n);

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0,
					"%s%s", i ? ", " : "", t[i]->name);
}

/* Adds to sel (the "selection" of meta.json) one benchmark section that is
 * left out or runs, and why. */
static void select_note(json_t *sel, const char *bench, const char *section,
			bool runs, const char *why)
{
	json_t *o = json_pack("{s:s, s:b, s:s}", "bench", bench, "runs", runs,
			      "why", why);

	if (o && section)
		json_object_set_new(o, "section", json_string(section));
	json_array_append_new(sel, o);
}

/* Writes why benchmark b is left out of the run: the rule that left it out
 * (-b, or [global] benchmarks and where it was set). */
static void left_out_why(const char *const *only,
			 const struct mt_params *global, char *buf, size_t len)
{
	char at[300];

	if (only) {
		snprintf(buf, len, "skipped: not named by -b");
		return;
	}
	mt_p_where(global, MT_G_BENCHMARKS, at, sizeof(at));
	snprintf(buf, len, "skipped: not in [global] benchmarks (%s)", at);
}

/* Builds the job list: every selected benchmark (selected()) runs once per
 * section of it in the configuration, in the order the sections appear,
 * then once on its defaults for those that have none, in table order.
 * Notes every benchmark, run or left out, with the reason in *sel. */
static int plan_jobs(const struct mt_cfg *cfg, const struct mt_params *global,
		     const char *const *only, struct job **jobs_out,
		     size_t *n_out, json_t *sel, struct mt_err *err)
{
	struct job *jobs = NULL;
	size_t n = 0, nb;
	const struct mt_bench *const *t = mt_benchmarks(&nb);
	char names[512], why[400], at[300];
	int ret = 0;

	list_names(names, sizeof(names));
	if (only) {
		for (size_t i = 0; only[i]; i++) {
			if (!mt_bench_find(only[i]) || strchr(only[i], ':')) {
				ret = mt_err_set(err, -EINVAL, MT_ERR_INPUT,
						 "run: unknown benchmark '%s' "
						 "in -b; expected one of: %s",
						 only[i], names);
				goto out;
			}
		}
	}
	for (size_t s = 0; s < cfg->n_sections; s++) {
		const char *sec = cfg->sections[s];
		const struct mt_bench *b;

		if (strcmp(sec, "global") == 0)
			continue;
		b = mt_bench_find(sec);
		/* "x.ini:3" or "--set #2", as every message says */
		mt_cfg_where(at, sizeof(at), cfg->section_files[s],
			     cfg->section_lines[s]);
		if (!b) {
			ret = mt_err_set(err, -EINVAL, MT_ERR_INPUT,
					 "%s: unknown section [%s]; expected "
					 "[global] or a benchmark: %s",
					 at, sec, names);
			goto out;
		}
		if (!selected(only, global, b->name))
			continue;
		ret = add_job(&jobs, &n, cfg, sec, b, err);
		if (ret < 0)
			goto out;
		snprintf(jobs[n - 1].why, sizeof(jobs[n - 1].why),
			 "section [%s] at %s", sec, at);
	}
	for (size_t i = 0; i < nb; i++) {
		bool have = false;

		for (size_t k = 0; k < n; k++)
			if (jobs[k].bench == t[i])
				have = true;
		if (have)
			continue;
		if (!selected(only, global, t[i]->name)) {
			left_out_why(only, global, why, sizeof(why));
			select_note(sel, t[i]->name, NULL, false, why);
			continue;
		}
		ret = add_job(&jobs, &n, cfg, t[i]->name, t[i], err);
		if (ret < 0)
			goto out;
		snprintf(jobs[n - 1].why, sizeof(jobs[n - 1].why),
			 "no [%s] section: its defaults", t[i]->name);
	}
out:
	if (ret < 0) {
		free_jobs(jobs, n);
		return ret;
	}
	*jobs_out = jobs;
	*n_out = n;
	return 0;
}

/* Adds to sec the [global] keys job j's section sets for itself. */
static void overrides_json(json_t *sec, const struct mt_params *g,
			   const struct job *j)
{
	for (size_t k = 0; k < j->global->n; k++) {
		const struct mt_pvalue *v = &j->global->v[k], *w = &g->v[k];

		if (v->line == w->line && v->file && w->file &&
		    strcmp(v->file, w->file) == 0)
			continue;
		json_object_set_new(sec, v->param->key,
				    json_string(v->text ? v->text : ""));
	}
}

/* The resolved configuration, section by section, as text values. */
static json_t *config_json(const struct mt_params *g, const struct job *jobs,
			   size_t n)
{
	json_t *cfg = json_object();
	const struct mt_params *all[1 + n];

	all[0] = g;
	for (size_t i = 0; i < n; i++)
		all[i + 1] = jobs[i].params;
	for (size_t i = 0; i < n + 1; i++) {
		json_t *sec = json_object();

		for (size_t k = 0; k < all[i]->n; k++) {
			const struct mt_pvalue *v = &all[i]->v[k];

			json_object_set_new(sec, v->param->key,
					    json_string(v->text ? v->text :
								  ""));
		}
		if (i > 0)
			overrides_json(sec, g, &jobs[i - 1]);
		json_object_set_new(cfg, all[i]->section, sec);
	}
	return cfg;
}

static int write_meta(struct sweep *sw, const char *state, struct mt_err *err)
{
	char now[40];

	mt_wallclock_iso(now, sizeof(now));
	json_object_set_new(sw->meta, "state", json_string(state));
	if (strcmp(state, "running") != 0)
		json_object_set_new(sw->meta, "end", json_string(now));
	return mt_rundir_write_meta(sw->rd, sw->meta, err);
}

static json_t *status_entry(const struct job *j, const char *status,
			    const char *reason)
{
	json_t *o = json_object();

	json_object_set_new(o, "bench", json_string(j->bench->name));
	json_object_set_new(o, "section", json_string(j->section));
	json_object_set_new(o, "status", json_string(status));
	if (reason)
		json_object_set_new(o, "reason", json_string(reason));
	return o;
}

/* Appends a record of job j to results.jsonl, its interval widened by
 * the job's run history (history.h). */
static int final_record(struct sweep *sw, struct job *j, json_t *rec,
			struct mt_err *err)
{
	if (mt_job_hist_record(&j->hist, rec) < 0)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "run: out of memory");
	return mt_rundir_append(sw->rd, rec, err);
}

/* Appends rec to results.jsonl (final_record), or to held (a round's
 * records of one case, combined when every round has run) when it is not
 * NULL. */
static int keep_record(struct sweep *sw, struct job *j, json_t *held,
		       json_t *rec, struct mt_err *err)
{
	if (!held)
		return final_record(sw, j, rec, err);
	if (json_array_append(held, rec) < 0)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "run: out of memory");
	return 0;
}

/* Runs case i of job j in a fresh worker (mt_bench_run_case) and keeps
 * its records (keep_record); *failed counts those with status "failed".
 * Returns 0, -EINTR on a signal (the records that came are kept), or
 * -errno when results cannot be written. */
static int run_case(struct sweep *sw, struct job *j, const struct mt_env *env,
		    size_t i, json_t *held, int *failed, struct mt_err *err)
{
	struct mt_case_job cj = {
		.bench = j->bench,
		.section = j->section,
		.env = env,
		.c = &j->plan.cases[i],
		.index = i,
		.timeout_ns = sw->case_timeout_ns,
	};
	json_t *records = NULL, *rec;
	int ret, nfailed = 0;
	size_t k;

	ret = mt_bench_run_case(&cj, &records, &nfailed, err);
	json_array_foreach(records, k, rec) {
		if (keep_record(sw, j, held, rec, err) < 0) {
			ret = held ? -ENOMEM : -EIO;
			break;
		}
	}
	json_decref(records);
	*failed += nfailed;
	return ret;
}

static int append_status(struct sweep *sw, const struct job *j,
			 const char *status, const char *reason,
			 struct mt_err *err)
{
	json_t *rec = mt_record_status(j->bench->name, j->variant, NULL, status,
				       reason);
	int ret = mt_rundir_append(sw->rd, rec, err);

	json_decref(rec);
	return ret;
}

/* What a benchmark of job j sees of the sweep, for case i. Before the run
 * directory and the journal exist (check_plans), rundir and journal are
 * NULL. */
static struct mt_env job_env(const struct sweep *sw, const struct job *j,
			     size_t i)
{
	return mt_env_make(&sw->caps, j->global, j->params,
			   sw->rd ? mt_rundir_path(sw->rd) : NULL, sw->journal,
			   sw->cpu, sw->opts->quick, i);
}

/* Whether job j can run on this machine: its needs and supported(); false
 * with the reason in why (what is missing and the command that provides
 * it). */
static bool runnable(const struct sweep *sw, const struct job *j, char *why,
		     size_t len)
{
	struct mt_env env = job_env(sw, j, 0);
	struct mt_err e = { 0 };

	if (!mt_needs_met(j->bench->needs, &sw->caps, why, len))
		return false;
	if (j->bench->supported && j->bench->supported(&env, &e) != MT_OK) {
		snprintf(why, len, "%s", e.msg);
		return false;
	}
	return true;
}

/* Refuses a job whose settings leave it no case to run on a machine that
 * can run it ([tlb] sizes = 0 ran "ok" and measured nothing), naming each
 * key the configuration set. All defaults and no case is the benchmark's
 * business, not a configuration error. Returns 0 or -EINVAL. */
static int check_some_case(const struct sweep *sw, const struct job *j,
			   struct mt_err *err)
{
	struct mt_err why = { 0 };
	char set[700] = "", first[300] = "", at[300];
	size_t off = 0;

	if (!runnable(sw, j, why.msg, sizeof(why.msg)))
		return 0;
	for (size_t k = 0; k < j->params->n && off < sizeof(set); k++) {
		const struct mt_pvalue *v = &j->params->v[k];

		if (mt_p_is_default(j->params, (int)k))
			continue;
		mt_p_where(j->params, (int)k, at, sizeof(at));
		if (!first[0])
			snprintf(first, sizeof(first), "%s", at);
		off += (size_t)snprintf(set + off, sizeof(set) - off,
					"%s%s = %s (%s)", off ? ", " : "",
					v->param->key, v->text ? v->text : "",
					at);
	}
	if (!first[0])
		return 0;
	return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
			  "%s: [%s] gives no case to run with %s: expected "
			  "settings that leave at least one case (see "
			  "'memtune config-doc')",
			  first, j->section, set);
}

/* Plans every job, once, before anything is created or run, so that
 * settings that each parse but do not fit together or with the machine (a
 * block larger than the file, a test directory on tmpfs, blocks larger
 * than half of memory, no case at all) stop the run with exit status 2 and
 * the file and line, rather than minutes into the sweep when that
 * benchmark's turn comes. Other plan failures are kept for run_job, which
 * records them. */
static int check_plans(struct sweep *sw, struct mt_err *err)
{
	for (size_t i = 0; i < sw->n_jobs; i++) {
		struct job *j = &sw->jobs[i];
		struct mt_env env = job_env(sw, j, 0);

		j->plan_ret = j->bench->plan(&env, &j->plan, &j->plan_err);
		if (j->plan_ret < 0) {
			mt_plan_free(&j->plan);
			if (j->plan_err.kind == MT_ERR_INPUT) {
				*err = j->plan_err;
				return j->plan_ret;
			}
		}
		if (j->plan_ret == 0 && j->plan.n == 0 &&
		    check_some_case(sw, j, err) < 0)
			return -EINVAL;
	}
	return 0;
}

/* Prints, before anything runs, which benchmarks will run and why (the
 * rule that picked them, the section each runs from and its cases), and
 * which will not and why; keeps the same in sw->selection for meta.json. */
static void print_plan(struct sweep *sw)
{
	json_t *left = sw->selection, *e;
	struct mt_err skip = { 0 };
	char at[300], why[2048];
	size_t n, i;

	sw->selection = json_array();
	mt_p_words(sw->global, MT_G_BENCHMARKS, &n);
	mt_p_where(sw->global, MT_G_BENCHMARKS, at, sizeof(at));
	if (sw->opts->only)
		mt_progress("plan: the benchmarks named by -b run");
	else if (n)
		mt_progress("plan: the benchmarks in [global] benchmarks (%s) "
			    "run",
			    at);
	else
		mt_progress("plan: every benchmark runs (a section sets "
			    "parameters; -b or [global] benchmarks limits "
			    "the run)");
	for (i = 0; i < sw->n_jobs; i++) {
		const struct job *j = &sw->jobs[i];
		bool runs = runnable(sw, j, skip.msg, sizeof(skip.msg));

		if (!runs)
			snprintf(why, sizeof(why), "skipped: %s", skip.msg);
		else if (j->plan_ret < 0)
			snprintf(why, sizeof(why), "fails: %s",
				 j->plan_err.msg);
		else
			snprintf(why, sizeof(why), "runs: %s; %zu case%s%s%s",
				 j->why, j->plan.n, j->plan.n == 1 ? "" : "s",
				 j->plan.note[0] ? "; " : "", j->plan.note);
		mt_progress("  %s: %s", j->section, why);
		select_note(sw->selection, j->bench->name, j->section,
			    runs && j->plan_ret >= 0, why);
	}
	json_array_foreach(left, i, e) {
		mt_progress("  %s: %s",
			    json_string_value(json_object_get(e, "bench")),
			    json_string_value(json_object_get(e, "why")));
		json_array_append(sw->selection, e);
	}
	json_decref(left);
}

/* Fails a run in which some benchmark measured nothing because every one
 * of its cases failed (status "failed"): its records are kept, but exit
 * status 0 would read as success. Returns 0 or -EIO with err set. */
static int check_failed(const struct sweep *sw, struct mt_err *err)
{
	char names[512] = "";
	size_t off = 0, i;
	json_t *e;

	json_array_foreach(sw->bench_status, i, e) {
		const char *st = json_string_value(json_object_get(e,
								   "status"));
		const char *sec = json_string_value(json_object_get(e,
								    "section"));

		if (st && strcmp(st, "failed") == 0 && off < sizeof(names))
			off += (size_t)snprintf(names + off,
						sizeof(names) - off, "%s%s",
						off ? ", " : "",
						sec ? sec : "?");
	}
	if (!off)
		return 0;
	return mt_err_set(err, -EIO, MT_ERR_RUNTIME,
			  "run: every case of %s failed, so nothing was "
			  "measured there; the reasons are in %s/results.jsonl "
			  "(status \"failed\")",
			  names, mt_rundir_path(sw->rd));
}

/* Sets up, runs and undoes case i of job j (round `round` of j->repeat),
 * keeping its records (keep_record: to results.jsonl when held is NULL).
 * *failed counts the failed records kept. Returns 0, -EINTR, or -errno
 * when records cannot be kept. */
static int run_one(struct sweep *sw, struct job *j, size_t i, size_t round,
		   json_t *held, int *failed, struct mt_err *err)
{
	struct mt_plan *plan = &j->plan;
	struct mt_case *c = &plan->cases[i];
	size_t case_mark = mt_journal_mark(sw->journal);
	char *desc = json_dumps(c->params, JSON_COMPACT | JSON_PRESERVE_ORDER);
	struct mt_env env = job_env(sw, j, i);
	struct mt_err berr = { 0 };
	int ret;

	if (j->repeat > 1)
		mt_progress("%s [%zu/%zu] round %zu/%zu %s", j->section, i + 1,
			    plan->n, round + 1, j->repeat, desc ? desc : "");
	else
		mt_progress("%s [%zu/%zu] %s", j->section, i + 1, plan->n,
			    desc ? desc : "");
	free(desc);
	if (j->bench->case_sys_setup) {
		json_t *obt = json_object(), *hand = json_object();

		/* A round after the first sets the case up again: what the
		 * last round obtained is replaced. */
		json_decref(c->system);
		json_decref(c->handoff);
		c->system = c->handoff = NULL;
		ret = j->bench->case_sys_setup(&env, c, obt, hand, &berr);
		if (ret == 0 && json_object_size(obt))
			c->system = json_incref(obt);
		if (ret == 0 && json_object_size(hand))
			c->handoff = json_incref(hand);
		json_decref(obt);
		json_decref(hand);
		if (ret < 0) {
			json_t *rec = mt_record_status(j->bench->name,
						       j->variant, c->params,
						       "failed", berr.msg);

			ret = keep_record(sw, j, held, rec, err);
			json_decref(rec);
			(*failed)++;
			mt_journal_rollback_to(sw->journal, case_mark, &berr);
			return ret;
		}
	}
	ret = run_case(sw, j, &env, i, held, failed, err);
	if (mt_journal_rollback_to(sw->journal, case_mark, &berr) < 0)
		mt_warn("%s: could not undo a case's changes: %s", j->section,
			berr.msg);
	return ret;
}

/* Runs job j's cases once, in plan order, each record written as it
 * comes (repeat = 1). */
static int run_cases(struct sweep *sw, struct job *j, int *failed,
		     struct mt_err *err)
{
	for (size_t i = 0; i < j->plan.n; i++) {
		int ret = run_one(sw, j, i, 0, NULL, failed, err);

		if (ret < 0)
			return ret;
	}
	return 0;
}

/* order[0..n) := a permutation of 0..n-1 for round r of the job at
 * position job in the sweep, from the [global] seed (Fisher-Yates). */
static void round_order(size_t *order, size_t n, int64_t seed, size_t job,
			size_t r)
{
	uint64_t s = mt_rand_seed(mt_mix64((uint64_t)seed) ^
				  mt_mix64(((uint64_t)job << 32) | r));

	for (size_t i = 0; i < n; i++)
		order[i] = i;
	for (size_t i = n; i > 1; i--) {
		size_t k = (size_t)mt_rand_below(&s, i), t = order[i - 1];

		order[i - 1] = order[k];
		order[k] = t;
	}
}

/* Runs job j's cases j->repeat times, in a fresh random order each round
 * (so that no case always runs first, or after the same neighbour, or at
 * the same point of a drift), and then writes one record per point that
 * combines its rounds (mt_records_combine_rounds). Interrupted, it still
 * writes what the rounds so far gave, each record saying how many rounds
 * it holds. The orders go into the job's meta.json entry. */
static int run_rounds(struct sweep *sw, struct job *j, int *failed,
		      struct mt_err *err)
{
	size_t n = j->plan.n, nr = j->repeat, i, k;
	json_t **held = calloc(n * nr + 1, sizeof(*held)), *orders, *rec;
	size_t *order = calloc(n + 1, sizeof(*order));
	int ret = 0, ignored = 0;

	orders = json_array();
	if (!held || !order || !orders) {
		ret = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				 "run: out of memory");
		goto out;
	}
	for (size_t r = 0; r < nr && ret == 0; r++) {
		json_t *o = json_array();

		round_order(order, n, mt_p_int(sw->global, MT_G_SEED),
			    (size_t)(j - sw->jobs), r);
		for (i = 0; i < n; i++)
			json_array_append_new(
				o, json_integer((json_int_t)order[i]));
		json_array_append_new(orders, o);
		for (i = 0; i < n && ret == 0; i++) {
			json_t **h = &held[order[i] * nr + r];

			*h = json_array();
			ret = *h ? run_one(sw, j, order[i], r, *h, &ignored,
					   err) :
				   mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
					      "run: out of memory");
			if (ret == 0 && mt_signal_pending())
				ret = -EINTR;
		}
	}
	for (i = 0; i < n; i++) {
		json_t *all = mt_records_combine_rounds(&held[i * nr], nr);
		struct mt_err werr = { 0 };

		if (!all) {
			ret = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
					 "run: out of memory");
			break;
		}
		json_array_foreach(all, k, rec) {
			const char *st = json_string_value(
				json_object_get(rec, "status"));

			if (st && !strcmp(st, "failed"))
				(*failed)++;
			if (final_record(sw, j, rec, &werr) < 0) {
				if (ret == 0 || ret == -EINTR)
					*err = werr;
				ret = -EIO;
				break;
			}
		}
		json_decref(all);
		if (ret == -EIO)
			break;
	}
out:
	if (held)
		for (i = 0; i < n * nr; i++)
			json_decref(held[i]);
	free(held);
	free(order);
	j->round_orders = orders;
	return ret;
}

/* The run directory's name (its last component). */
static const char *run_name(const struct sweep *sw)
{
	const char *p = mt_rundir_path(sw->rd), *s = strrchr(p, '/');

	return s ? s + 1 : p;
}

/* Runs every case of one benchmark section. Returns 0 (whatever the
 * benchmark's status), -EINTR on a signal, or -errno on a runner failure. */
static int run_job(struct sweep *sw, struct job *j, struct mt_err *err)
{
	struct mt_env env = job_env(sw, j, 0);
	struct mt_plan *plan = &j->plan;
	struct mt_err berr = { 0 }, why = { 0 };
	json_t *notes = json_object(), *entry;
	size_t mark = mt_journal_mark(sw->journal);
	int ret = 0, failed = 0;
	uint64_t t0 = mt_now_ns();

	if (!mt_needs_met(j->bench->needs, &sw->caps, why.msg,
			  sizeof(why.msg)) ||
	    (j->bench->supported && j->bench->supported(&env, &why) != MT_OK)) {
		mt_progress("%s: skipped: %s", j->section, why.msg);
		json_array_append_new(sw->bench_status,
				      status_entry(j, "skipped", why.msg));
		json_decref(notes);
		return append_status(sw, j, "skipped", why.msg, err);
	}
	if (j->plan_ret < 0) {
		berr = j->plan_err;
		json_decref(notes);
		json_array_append_new(sw->bench_status,
				      status_entry(j, "failed", berr.msg));
		return append_status(sw, j, "failed", berr.msg, err);
	}
	mt_rundir_snapshot(sw->rd, j->section, "before", &berr);
	mt_job_hist_begin(&j->hist, sw->opts->state_dir, j->section, j->global,
			  j->params, sw->system,
			  mt_p_bool(sw->global, MT_G_HISTORY));
	if (j->bench->sys_setup) {
		ret = j->bench->sys_setup(&env, notes, &berr);
		if (ret < 0) {
			mt_warn("%s: system setup failed: %s", j->section,
				berr.msg);
			json_array_append_new(sw->bench_status,
					      status_entry(j, "failed",
							   berr.msg));
			ret = append_status(sw, j, "failed", berr.msg, err);
			goto out_rollback;
		}
	}
	ret = j->repeat > 1 ? run_rounds(sw, j, &failed, err) :
			      run_cases(sw, j, &failed, err);
out_rollback:
	if (mt_journal_rollback_to(sw->journal, mark, &berr) < 0)
		mt_warn("%s: could not undo its system changes: %s "
			"(run memtune restore)",
			j->section, berr.msg);
	mt_rundir_snapshot(sw->rd, j->section, "after", &berr);
	/* ok: every case measured (or skipped); partial: some cases
	 * failed; failed: none produced a measurement. */
	entry = status_entry(j,
			     ret == -EINTR	       ? "interrupted" :
			     !failed		       ? "ok" :
			     (size_t)failed >= plan->n ? "failed" :
							 "partial",
			     NULL);
	if (failed)
		json_object_set_new(entry, "failed_records",
				    json_integer(failed));
	json_object_set_new(entry, "cases", json_integer((json_int_t)plan->n));
	if (j->repeat > 1) {
		json_object_set_new(entry, "rounds",
				    json_integer((json_int_t)j->repeat));
		if (j->round_orders)
			json_object_set(entry, "round_orders", j->round_orders);
	}
	json_object_set_new(entry, "seconds",
			    json_real((double)(mt_now_ns() - t0) / 1e9));
	/* A benchmark that ran to its end teaches the history; an
	 * interrupted one, or one with a failed case, does not. */
	json_object_set_new(
		entry, "history",
		mt_job_hist_end(&j->hist, sw->opts->state_dir, j->section,
				json_string_value(json_object_get(sw->meta,
								  "host")),
				run_name(sw), ret == 0 && !failed));
	json_object_set_new(entry, "notes", notes);
	json_array_append_new(sw->bench_status, entry);
	return ret;
}

static json_t *argv_json(const struct mt_run_opts *o)
{
	json_t *a = json_array();

	for (int i = 0; i < o->argc; i++)
		json_array_append_new(a, json_string(o->argv[i]));
	return a;
}

int mt_run(const struct mt_run_opts *opts, char *rundir_out, size_t len,
	   struct mt_err *err)
{
	struct sweep sw = { .opts = opts };
	char now[40];
	int ret, ret2;

	ret = mt_bench_check_all(err);
	if (ret < 0)
		return ret;
	ret = mt_params_resolve(opts->cfg, "global", mt_global_params,
				&sw.global, err);
	if (ret < 0)
		return ret;
	/* A max_samples below the default min_samples lowers the minimum
	 * with it (measure.c); a min_samples set above max_samples is a
	 * contradiction. */
	if (!mt_p_is_default(sw.global, MT_G_MIN_SAMPLES) &&
	    mt_p_int(sw.global, MT_G_MIN_SAMPLES) >
		    mt_p_int(sw.global, MT_G_MAX_SAMPLES)) {
		char at_min[300], at_max[300];

		mt_p_where(sw.global, MT_G_MIN_SAMPLES, at_min, sizeof(at_min));
		mt_p_where(sw.global, MT_G_MAX_SAMPLES, at_max, sizeof(at_max));
		ret = mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				 "%s: [global] min_samples = %lld is above "
				 "max_samples = %lld (%s): expected "
				 "min_samples no larger than max_samples",
				 at_min,
				 (long long)mt_p_int(sw.global,
						     MT_G_MIN_SAMPLES),
				 (long long)mt_p_int(sw.global,
						     MT_G_MAX_SAMPLES),
				 mt_p_is_default(sw.global, MT_G_MAX_SAMPLES) ?
					 "the default" :
					 at_max);
		goto out_global;
	}
	sw.selection = json_array();
	ret = plan_jobs(opts->cfg, sw.global, opts->only, &sw.jobs, &sw.n_jobs,
			sw.selection, err);
	if (ret < 0)
		goto out_global;
	if (mt_journal_pending(opts->journal_path)) {
		ret = mt_err_set(err, -EBUSY, MT_ERR_RUNTIME,
				 "run: a journal of system changes from an "
				 "earlier run is pending at '%s'; run "
				 "'memtune restore' to put the machine back "
				 "first",
				 opts->journal_path);
		goto out_jobs;
	}
	ret = mt_caps_read(&sw.caps, err);
	if (ret < 0)
		goto out_jobs;
	sw.case_timeout_ns = mt_p_duration(sw.global, MT_G_CASE_TIMEOUT);
	sw.repeat = (size_t)mt_p_int(sw.global, MT_G_REPEAT);
	ret = mt_topo_load(&sw.topo, err);
	if (ret < 0)
		goto out_jobs;
	sw.cpu = (int)mt_p_int(sw.global, MT_G_CPU);
	if (sw.cpu < 0)
		sw.cpu = mt_topo_default_cpu(sw.topo);
	else if (sw.cpu >= mt_topo_npus(sw.topo)) {
		char at[300];

		mt_p_where(sw.global, MT_G_CPU, at, sizeof(at));
		ret = mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				 "%s: [global] cpu = %d, but this machine has "
				 "CPUs 0 to %d: expected one of them, or -1 to "
				 "pick one",
				 at, sw.cpu, mt_topo_npus(sw.topo) - 1);
		goto out_topo;
	}
	ret = check_plans(&sw, err);
	if (ret < 0)
		goto out_topo;
	sw.system = mt_sysinfo_collect(sw.topo, err);
	if (!sw.system) {
		ret = -EIO;
		goto out_topo;
	}
	ret = mt_rundir_create(mt_p_string(sw.global, MT_G_OUTPUT),
			       opts->outdir, &sw.rd, err);
	if (ret < 0)
		goto out_system;
	ret = mt_journal_open(opts->journal_path, true, &sw.journal, err);
	if (ret < 0)
		goto out_rundir;
	ret = mt_signals_install();
	if (ret < 0) {
		mt_err_set(err, ret, MT_ERR_RUNTIME,
			   "run: cannot install signal handlers: %s",
			   strerror(-ret));
		goto out_journal;
	}

	{
		struct mt_err terr = { 0 };

		if (mt_topo_export_xml(sw.topo, mt_rundir_dir(sw.rd),
				       "topology.xml", &terr) < 0)
			mt_warn("%s", terr.msg);
	}
	mt_wallclock_iso(now, sizeof(now));
	sw.meta = json_object();
	sw.bench_status = json_array();
	json_object_set_new(sw.meta, "schema_version",
			    json_integer(MT_META_SCHEMA_VERSION));
	json_object_set_new(sw.meta, "tool",
			    json_pack("{s:s,s:s}", "name", "memtune", "version",
				      MT_VERSION));
	json_object_set(sw.meta, "host", json_object_get(sw.system, "host"));
	if (opts->label)
		json_object_set_new(sw.meta, "label", json_string(opts->label));
	json_object_set(sw.meta, "kernel",
			json_object_get(sw.system, "kernel"));
	json_object_set(sw.meta, "cpu_model",
			json_object_get(sw.system, "cpu_model"));
	json_object_set_new(sw.meta, "topology", mt_topo_summary(sw.topo));
	json_object_set(sw.meta, "system", sw.system);
	json_object_set_new(sw.meta, "config",
			    config_json(sw.global, sw.jobs, sw.n_jobs));
	json_object_set_new(sw.meta, "quick", json_boolean(opts->quick));
	/* The rounds (DESIGN §3 records with "rounds"): their number and
	 * the seed of their random orders (each benchmark's entry in
	 * "benchmarks" lists the orders). */
	json_object_set_new(sw.meta, "repeat",
			    json_integer((json_int_t)sw.repeat));
	json_object_set_new(sw.meta, "round_seed",
			    json_integer(mt_p_int(sw.global, MT_G_SEED)));
	json_object_set_new(sw.meta, "argv", argv_json(opts));
	json_object_set_new(sw.meta, "measure_cpu", json_integer(sw.cpu));
	json_object_set_new(sw.meta, "cgroup_version",
			    json_integer(sw.caps.cgroup_version));
	json_object_set_new(sw.meta, "start", json_string(now));
	json_object_set(sw.meta, "benchmarks", sw.bench_status);
	print_plan(&sw);
	json_object_set(sw.meta, "selection", sw.selection);
	ret = write_meta(&sw, "running", err);
	if (ret < 0)
		goto out_meta;

	for (size_t i = 0; i < sw.n_jobs; i++) {
		ret = run_job(&sw, &sw.jobs[i], err);
		if (ret < 0)
			break;
		if (mt_signal_pending()) {
			ret = -EINTR;
			break;
		}
		write_meta(&sw, "running", err);
	}
	if (ret == -EINTR)
		mt_err_set(err, -EINTR, MT_ERR_RUNTIME,
			   "run: interrupted by signal %d; system changes "
			   "were undone; the records so far are in %s",
			   mt_signal_pending(), mt_rundir_path(sw.rd));

	{
		struct mt_err ferr = { 0 };

		ret2 = mt_journal_finish(sw.journal, &ferr);
		sw.journal = NULL;
		if (ret2 < 0) {
			mt_error("%s (run memtune restore)", ferr.msg);
			if (ret == 0) {
				*err = ferr;
				ret = ret2;
			}
		}
	}
	ret2 = write_meta(&sw,
			  ret == -EINTR ? "interrupted" :
			  ret < 0	? "failed" :
					  "complete",
			  ret < 0 ? &(struct mt_err){ 0 } : err);
	if (ret == 0 && ret2 < 0)
		ret = ret2;
	if (ret == 0)
		ret = check_failed(&sw, err);
	snprintf(rundir_out, len, "%s", mt_rundir_path(sw.rd));
out_meta:
	json_decref(sw.bench_status);
	json_decref(sw.meta);
out_journal:
	if (sw.journal) {
		struct mt_err ferr = { 0 };

		if (mt_journal_finish(sw.journal, &ferr) < 0)
			mt_error("%s (run memtune restore)", ferr.msg);
	}
out_rundir:
	mt_rundir_close(sw.rd);
out_system:
	json_decref(sw.system);
out_topo:
	mt_topo_destroy(sw.topo);
out_jobs:
	free_jobs(sw.jobs, sw.n_jobs);
out_global:
	json_decref(sw.selection);
	mt_params_free(sw.global);
	return ret;
}
