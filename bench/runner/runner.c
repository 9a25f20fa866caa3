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
#include "../../core/rundir.h"
#include "../../core/signals.h"
#include "../../core/sysinfo.h"
#include "../../core/topo.h"
#include "casejob.h"
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
			       .help = "most samples per case",
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
	[MT_G_ALLOW_SYSTEM_CHANGES] = { .key = "allow_system_changes",
					.type = MT_P_BOOL,
					.def = "yes",
					.help = "let benchmarks change sysctls, hugetlb pools, swap and "
						"cgroups through the journal (root only)" },
	[MT_G_OUTPUT] = { .key = "output",
			  .type = MT_P_STRING,
			  .def = "results",
			  .help = "directory that new run directories are created in" },
	[MT_G_NPARAMS] = MT_PARAMS_END,
};

/* One benchmark section to run: "tlb" or "tlb:variant". */
struct job {
	const struct mt_bench *bench;
	char *section;
	const char *variant; /* points into section, or NULL */
	struct mt_params *params;
	/* Planned once, by check_plans: the cases run_job runs. */
	struct mt_plan plan;
	int plan_ret;		/* plan()'s return */
	struct mt_err plan_err; /* its error when plan_ret < 0 */
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
	int cpu;
	uint64_t case_timeout_ns;
};

static bool selected(const struct mt_run_opts *o, const char *name)
{
	if (!o->only)
		return true;
	for (size_t i = 0; o->only[i]; i++)
		if (strcmp(o->only[i], name) == 0)
			return true;
	return false;
}

static void free_jobs(struct job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(jobs[i].section);
		mt_params_free(jobs[i].params);
		mt_plan_free(&jobs[i].plan);
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
	ret = mt_params_resolve(cfg, section, b->params, &j->params, err);
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

/* Builds the job list: the benchmark sections of the configuration in the
 * order they appear (all benchmarks when there are none), filtered by -b.
 * A -b name that has no section runs with its defaults. */
static int plan_jobs(const struct mt_cfg *cfg, const char *const *only,
		     struct job **jobs_out, size_t *n_out, struct mt_err *err)
{
	struct job *jobs = NULL;
	size_t n = 0, nb;
	const struct mt_bench *const *t = mt_benchmarks(&nb);
	bool any_section = false;
	char names[512];
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
		if (!b) {
			char at[300];

			/* "x.ini:3" or "--set #2", as every message says */
			mt_cfg_where(at, sizeof(at), cfg->section_files[s],
				     cfg->section_lines[s]);
			ret = mt_err_set(err, -EINVAL, MT_ERR_INPUT,
					 "%s: unknown section [%s]; expected "
					 "[global] or a benchmark: %s",
					 at, sec, names);
			goto out;
		}
		any_section = true;
		if (!selected(&(struct mt_run_opts){ .only = only }, b->name))
			continue;
		ret = add_job(&jobs, &n, cfg, sec, b, err);
		if (ret < 0)
			goto out;
	}
	for (size_t i = 0; i < nb; i++) {
		bool have = false;

		for (size_t k = 0; k < n; k++)
			if (jobs[k].bench == t[i])
				have = true;
		if (have)
			continue;
		/* With no benchmark sections, every benchmark runs; with -b,
		 * a named benchmark without a section runs on defaults. */
		if ((only && selected(&(struct mt_run_opts){ .only = only },
				      t[i]->name)) ||
		    (!only && !any_section)) {
			ret = add_job(&jobs, &n, cfg, t[i]->name, t[i], err);
			if (ret < 0)
				goto out;
		}
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

/* Runs case i of job j in a fresh worker (mt_bench_run_case) and appends
 * its records to results.jsonl; *failed counts those with status
 * "failed". Returns 0, -EINTR on a signal (the records that came are
 * kept), or -errno when results cannot be written. */
static int run_case(struct sweep *sw, const struct job *j,
		    const struct mt_env *env, size_t i, int *failed,
		    struct mt_err *err)
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
		if (mt_rundir_append(sw->rd, rec, err) < 0) {
			ret = -EIO;
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
	return mt_env_make(&sw->caps, sw->global, j->params,
			   sw->rd ? mt_rundir_path(sw->rd) : NULL, sw->journal,
			   sw->cpu, sw->opts->quick, i);
}

/* Refuses a job whose settings leave it no case to run on a machine that
 * can run it ([tlb] sizes = 0 ran "ok" and measured nothing), naming each
 * key the configuration set. All defaults and no case is the benchmark's
 * business, not a configuration error. Returns 0 or -EINVAL. */
static int check_some_case(const struct sweep *sw, const struct job *j,
			   struct mt_err *err)
{
	struct mt_env env = job_env(sw, j, 0);
	struct mt_err why = { 0 };
	char set[700] = "", first[300] = "", at[300];
	size_t off = 0;

	if (!mt_needs_met(j->bench->needs, &sw->caps, why.msg,
			  sizeof(why.msg)) ||
	    (j->bench->supported && j->bench->supported(&env, &why) != MT_OK))
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
	for (size_t i = 0; i < plan->n; i++) {
		struct mt_case *c = &plan->cases[i];
		size_t case_mark = mt_journal_mark(sw->journal);
		char *desc = json_dumps(c->params,
					JSON_COMPACT | JSON_PRESERVE_ORDER);

		mt_progress("%s [%zu/%zu] %s", j->section, i + 1, plan->n,
			    desc ? desc : "");
		free(desc);
		env = job_env(sw, j, i);
		if (j->bench->case_sys_setup) {
			json_t *obt = json_object(), *hand = json_object();

			ret = j->bench->case_sys_setup(&env, c, obt, hand,
						       &berr);
			if (ret == 0 && json_object_size(obt))
				c->system = json_incref(obt);
			if (ret == 0 && json_object_size(hand))
				c->handoff = json_incref(hand);
			json_decref(obt);
			json_decref(hand);
			if (ret < 0) {
				json_t *rec = mt_record_status(j->bench->name,
							       j->variant,
							       c->params,
							       "failed",
							       berr.msg);

				ret = mt_rundir_append(sw->rd, rec, err);
				json_decref(rec);
				failed++;
				mt_journal_rollback_to(sw->journal, case_mark,
						       &berr);
				if (ret < 0)
					goto out_rollback;
				continue;
			}
		}
		ret = run_case(sw, j, &env, i, &failed, err);
		if (mt_journal_rollback_to(sw->journal, case_mark, &berr) < 0)
			mt_warn("%s: could not undo a case's changes: %s",
				j->section, berr.msg);
		if (ret < 0)
			goto out_rollback;
	}
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
	json_object_set_new(entry, "seconds",
			    json_real((double)(mt_now_ns() - t0) / 1e9));
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
	ret = plan_jobs(opts->cfg, opts->only, &sw.jobs, &sw.n_jobs, err);
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
	json_object_set_new(sw.meta, "argv", argv_json(opts));
	json_object_set_new(sw.meta, "measure_cpu", json_integer(sw.cpu));
	json_object_set_new(sw.meta, "cgroup_version",
			    json_integer(sw.caps.cgroup_version));
	json_object_set_new(sw.meta, "start", json_string(now));
	json_object_set(sw.meta, "benchmarks", sw.bench_status);
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
	mt_params_free(sw.global);
	return ret;
}
