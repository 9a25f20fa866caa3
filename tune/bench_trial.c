/* A rule's benchmark cases as one trial of memtune tune: see
 * tune_internal.h. */
#include "tune_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../advisor/advisor.h"
#include "../bench/bench.h"
#include "../bench/runner/casejob.h"
#include "../bench/runner/registry.h"
#include "../bench/runner/runner.h"
#include "../core/config.h"
#include "../core/json_safe.h"
#include "../core/safefile.h"

/* decl's settings as a configuration of its section. */
static int trial_cfg(const struct mt_rule_trial *decl, struct mt_cfg *cfg,
		     struct mt_err *err)
{
	char a[256];
	int rc = 0;

	mt_cfg_init(cfg);
	for (int i = 0; rc == 0 && decl->set && decl->set[i]; i++) {
		snprintf(a, sizeof(a), "%s.%s", decl->bench, decl->set[i]);
		rc = mt_cfg_set(cfg, a, i + 1, err);
	}
	if (rc < 0)
		mt_cfg_free(cfg);
	return rc;
}

int mt_bench_trial_check(const struct mt_rule_trial *decl, char *why,
			 size_t len, struct mt_err *err)
{
	const struct mt_bench *b = mt_bench_find(decl->bench);
	struct mt_plan plan = { 0 };
	struct mt_cfg cfg;
	struct mt_caps caps;
	int rc;

	if (!b)
		return mt_err_set(err, -EINVAL, MT_ERR_RUNTIME,
				  "tune: a "
				  "rule's trial names benchmark '%s', which "
				  "is not one (a bug: please report it)",
				  decl->bench);
	rc = mt_caps_read(&caps, err);
	if (rc < 0)
		return rc;
	/* What the benchmark needs, and what its cases want: a trial runs
	 * chosen cases, which would only skip themselves. */
	if (!mt_needs_met(b->needs | b->wants, &caps, why, len))
		return 0;
	rc = trial_cfg(decl, &cfg, err);
	if (rc < 0)
		return rc;
	rc = mt_bench_plan(&cfg, decl->bench, true, &plan, err);
	mt_cfg_free(&cfg);
	if (rc == 0) {
		rc = (int)plan.n;
		if (!rc)
			snprintf(why, len, "%s plans no case here",
				 decl->bench);
	}
	mt_plan_free(&plan);
	return rc;
}

static bool declared(const struct mt_rule_trial *decl, const char *metric)
{
	for (int i = 0; metric && decl->metrics[i]; i++)
		if (strcmp(decl->metrics[i], metric) == 0)
			return true;
	return false;
}

/* Adds the declared metrics of the records in dir/results.jsonl. */
static int read_records(const struct mt_rule_trial *decl, const char *dir,
			json_t *obs, json_t *better, struct mt_err *err)
{
	char path[4200], *text = NULL, *line, *save = NULL;
	size_t len = 0;
	int rc, found = 0;

	snprintf(path, sizeof(path), "%s/results.jsonl", dir);
	rc = mt_file_read_untrusted(path, 64 << 20, &text, &len);
	if (rc < 0)
		return mt_err_set(err, rc, MT_ERR_RUNTIME,
				  "tune: cannot read "
				  "%s: %s",
				  path, strerror(-rc));
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		json_t *r = mt_json_loadb(line, strlen(line), 0, NULL);
		const char *m = json_string_value(json_object_get(r, "metric"));
		json_t *v = json_object_get(r, "value");
		char key[1024], *c;

		const char *st = json_string_value(json_object_get(r,
								   "status"));

		if (r && declared(decl, m) && json_is_number(v) &&
		    (!st || strcmp(st, "ok") == 0)) {
			c = mt_json_dumps(json_object_get(r, "case"),
					  JSON_COMPACT | JSON_SORT_KEYS);
			snprintf(key, sizeof(key), "%s.%s %s", decl->bench, m,
				 c ? c : "{}");
			free(c);
			json_object_set_new(obs, key,
					    json_real(json_number_value(v)));
			json_object_set_new(
				better, key,
				json_boolean(json_is_true(json_object_get(
					r, "higher_is_better"))));
			found++;
		}
		json_decref(r);
	}
	free(text);
	if (!found)
		return mt_err_set(err, -ENODATA, MT_ERR_RUNTIME,
				  "tune: the "
				  "%s trial in %s measured none of its "
				  "metrics (see its results.jsonl)",
				  decl->bench, dir);
	return 0;
}

int mt_bench_trial_run(const struct mt_rule_trial *decl, const char *outdir,
		       const char *journal_path, json_t *obs, json_t *better,
		       struct mt_err *err)
{
	const char *only[] = { decl->bench, NULL };
	struct mt_run_opts ro = { .only = only,
				  .outdir = outdir,
				  .journal_path = journal_path,
				  .quick = true };
	char rundir[4096] = "";
	struct mt_cfg cfg;
	int rc;

	rc = trial_cfg(decl, &cfg, err);
	if (rc < 0)
		return rc;
	ro.cfg = &cfg;
	rc = mt_run(&ro, rundir, sizeof(rundir), err);
	mt_cfg_free(&cfg);
	if (rc == -EINTR)
		return rc;
	if (rc < 0 && err->kind == MT_ERR_INPUT)
		return rc;
	if (rc == 0)
		rc = read_records(decl, rundir[0] ? rundir : outdir, obs,
				  better, err);
	return rc < 0 ? 1 : 0;
}
