/* The worker side of the runner: see worker.h. */
#include "worker.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/json_safe.h"
#include "../core/log.h"
#include "../core/record.h"
#include "../core/topo.h"
#include "registry.h"
#include "runner.h"

/* Rebuilds a configuration from the resolved {section: {key: text}}. */
static int rebuild_config(json_t *config, struct mt_cfg *cfg,
			  struct mt_err *err)
{
	const char *sec, *key;
	json_t *keys, *val;
	int i = 0;

	json_object_foreach(config, sec, keys) {
		json_object_foreach(keys, key, val) {
			const char *text = json_string_value(val);
			size_t len = strlen(sec) + strlen(key) +
				     (text ? strlen(text) : 0) + 3;
			char *a = malloc(len);
			int ret;

			if (!a)
				return -ENOMEM;
			snprintf(a, len, "%s.%s=%s", sec, key,
				 text ? text : "");
			ret = mt_cfg_set(cfg, a, ++i, err);
			free(a);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

static json_t *read_job(int fd)
{
	json_error_t jerr;
	FILE *f = fdopen(fd, "r");
	json_t *job;

	if (!f)
		return NULL;
	job = mt_json_loadf(f, 0, &jerr);
	fclose(f);
	return job;
}

/* Fails the case with a record, so the runner shows why. */
static int fail_job(int out_fd, const char *bench, json_t *kase,
		    const char *why)
{
	json_t *rec = mt_record_status(bench, NULL, kase, "failed", why);
	char *line = rec ? mt_json_dumps(rec, JSON_COMPACT) : NULL;
	int ret = 1;

	if (line && dprintf(out_fd, "%s\n", line) > 0)
		ret = 0;
	free(line);
	json_decref(rec);
	return ret;
}

int mt_worker_main(int job_fd, int out_fd)
{
	json_t *job = read_job(job_fd), *kase, *s;
	struct mt_cfg cfg;
	struct mt_params *global = NULL, *params = NULL;
	struct mt_plan plan = { 0 };
	struct mt_caps caps;
	struct mt_err err = { 0 };
	struct mt_topo *topo = NULL;
	const struct mt_bench *b;
	const char *bench, *section, *variant;
	size_t idx;
	int status = 1;

	mt_cfg_init(&cfg);
	if (!job)
		return fail_job(out_fd, "unknown", NULL, "worker: no job on "
				"its input (is this 'memtune __worker' run by "
				"hand? it is internal)");
	bench = json_string_value(json_object_get(job, "bench"));
	section = json_string_value(json_object_get(job, "section"));
	kase = json_object_get(job, "case");
	idx = (size_t)json_integer_value(json_object_get(job, "case_index"));
	b = bench ? mt_bench_find(bench) : NULL;
	if (!b || !section || !kase) {
		status = fail_job(out_fd, bench ? bench : "unknown", kase,
				  "worker: malformed job");
		goto out;
	}
	variant = strchr(section, ':');
	if (variant)
		variant++;
	if (rebuild_config(json_object_get(job, "config"), &cfg, &err) < 0 ||
	    mt_params_resolve(&cfg, "global", mt_global_params, &global,
			      &err) < 0 ||
	    mt_params_resolve(&cfg, section, b->params, &params, &err) < 0 ||
	    mt_caps_read(&caps, &err) < 0) {
		status = fail_job(out_fd, b->name, kase, err.msg);
		goto out;
	}
	s = json_object_get(job, "sampling");
	struct mt_sampling sp = {
		.sample_ns = (uint64_t)json_integer_value(
			json_object_get(s, "sample_ns")),
		.min_samples = (int)json_integer_value(
			json_object_get(s, "min_samples")),
		.max_samples = (int)json_integer_value(
			json_object_get(s, "max_samples")),
		.warmup_samples = (int)json_integer_value(
			json_object_get(s, "warmup_samples")),
		.ci_fraction = json_real_value(json_object_get(s,
							       "ci_fraction")),
		.max_case_ns = (uint64_t)json_integer_value(
			json_object_get(s, "max_case_ns")),
	};
	struct mt_env env = {
		.caps = &caps,
		.global = global,
		.params = params,
		.rundir = json_string_value(json_object_get(job, "rundir")),
		.journal = NULL,
		.cpu = (int)json_integer_value(json_object_get(job, "cpu")),
		.seed = (uint64_t)json_integer_value(json_object_get(job,
								     "seed")),
		.quick = json_is_true(json_object_get(job, "quick")),
		.allow_changes = json_is_true(json_object_get(job,
							      "allow_changes")),
	};

	/* Pin before re-planning, so nothing runs on another CPU. */
	if (mt_topo_load(&topo, &err) == 0 &&
	    mt_topo_pin(topo, env.cpu, &err) < 0)
		mt_warn("%s: %s", section, err.msg);
	mt_topo_destroy(topo);

	if (b->plan(&env, &plan, &err) < 0 || idx >= plan.n) {
		status = fail_job(out_fd, b->name, kase, err.msg[0] ? err.msg :
				  "worker: the case is not in the plan");
		goto out;
	}
	/* The parent planned with the same configuration; a different case
	 * here would measure the wrong thing under the right label. */
	{
		json_t *mine = json_deep_copy(plan.cases[idx].params);
		json_t *theirs = json_deep_copy(kase);
		bool same;

		json_object_del(theirs, "system");
		same = json_equal(mine, theirs);
		json_decref(mine);
		json_decref(theirs);
		if (!same) {
			status = fail_job(out_fd, b->name, kase, "worker: "
					  "the case planned here differs from "
					  "the runner's (a bug: please report "
					  "it)");
			goto out;
		}
	}
	/* The runner's copy carries what case_sys_setup obtained. */
	json_decref(plan.cases[idx].params);
	plan.cases[idx].params = json_incref(kase);
	status = mt_measure_case(b, variant, &env, &plan.cases[idx], &sp,
				 out_fd) < 0 ? 1 : 0;
out:
	mt_plan_free(&plan);
	mt_params_free(params);
	mt_params_free(global);
	mt_cfg_free(&cfg);
	json_decref(job);
	return status;
}
