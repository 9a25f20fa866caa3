/* The module table and the analysis of a whole run (see analysis.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/safefile.h"
#include "../core/record.h"
#include "analysis.h"
#include "facts.h"

#ifndef MT_VERSION
#define MT_VERSION "unknown"
#endif

static const struct mt_analysis *const modules[] = {
#define MT_ANALYSIS(name) &mt_an_##name,
#include "modules.def"
#undef MT_ANALYSIS
};
#define N_MODULES (sizeof(modules) / sizeof(modules[0]))

const struct mt_analysis *mt_analysis_find(const char *bench)
{
	for (size_t i = 0; i < N_MODULES; i++)
		if (bench && strcmp(modules[i]->bench, bench) == 0)
			return modules[i];
	return NULL;
}

const struct mt_analysis *mt_analysis_at(size_t i)
{
	return i < N_MODULES ? modules[i] : NULL;
}

/* One benchmark's entry of analysis.json, or NULL when memory runs out
 * (in the module too: that is no "no usable records"). */
static json_t *analyze_bench(const struct mt_run *run, const char *bench)
{
	const struct mt_analysis *m = mt_analysis_find(bench);
	size_t ok, untrusted, skipped, failed;
	const char *status, *reason = NULL;
	json_t *e, *derived = NULL;
	struct mt_err err = { 0 };
	char why[1100];

	mt_run_count(run, bench, &ok, &untrusted, &skipped, &failed);
	if (!m) {
		status = "no analysis yet";
		snprintf(why, sizeof(why),
			 "memtune has no analysis module "
			 "for '%s' yet; its %zu records are in the record "
			 "table",
			 bench, ok + untrusted);
		reason = why;
	} else if (ok == 0) {
		const char *r = mt_run_skip_reason(run, bench);

		status = failed	      ? "failed" :
			 skipped || r ? "skipped" :
					"no usable records";
		if (r) {
			reason = r;
		} else {
			snprintf(why, sizeof(why),
				 "%s: no measured record "
				 "(%zu untrustworthy)",
				 bench, untrusted);
			reason = why;
		}
	} else {
		derived = m->analyze(run, &err);
		if (derived) {
			status = "analyzed";
		} else if (err.kind != MT_ERR_INPUT) {
			/* The modules' only runtime error is memory (their
			 * contract: MT_ERR_INPUT when no record is usable),
			 * and one that set nothing failed an allocation. */
			return NULL;
		} else {
			status = "no usable records";
			snprintf(why, sizeof(why), "%s", err.msg);
			reason = why;
		}
	}
	e = json_pack("{s:s, s:s, s:{s:I, s:I, s:I, s:I}}", "bench", bench,
		      "status", status, "records", "ok", (json_int_t)ok,
		      "untrustworthy", (json_int_t)untrusted, "skipped",
		      (json_int_t)skipped, "failed", (json_int_t)failed);
	if (!e) {
		json_decref(derived);
		return NULL;
	}
	if (reason)
		json_object_set_new(e, "reason", json_string(reason));
	/* A benchmark partly skipped still says why, beside its figures. */
	else if (skipped || failed)
		json_object_set_new(
			e, "partly_skipped",
			json_string(mt_run_skip_reason(run, bench) ?
					    mt_run_skip_reason(run, bench) :
					    ""));
	if (ok + untrusted > 0) {
		json_t *iv = mt_analysis_intervals(run, bench);

		if (iv)
			json_object_set_new(e, "intervals", iv);
		iv = mt_analysis_unstable(run, bench);
		if (iv)
			json_object_set_new(e, "unstable", iv);
	}
	if (derived)
		json_object_set_new(e, "derived", derived);
	return e;
}

/* Builds analysis.json for run (see analysis.h). */
json_t *mt_analyze_run(const struct mt_run *run)
{
	json_t *a, *names, *list, *v, *facts;
	size_t i;

	/* Modules skip a figure whose json_pack failed; an allocation that
	 * failed anywhere makes the whole analysis fail instead. */
	mt_json_oom_clear();
	names = mt_run_bench_names(run);
	a = json_pack("{s:i, s:s, s:s, s:s, s:s, s:O, s:[]}", "schema_version",
		      MT_ANALYSIS_SCHEMA_VERSION, "memtune_version", MT_VERSION,
		      "dir", run->dir, "host", run->host, "start", run->start,
		      "warnings", run->warnings, "benchmarks");
	if (!a || !names)
		goto out_nomem;
	list = json_object_get(a, "benchmarks");
	facts = json_array();
	if (!facts || json_object_set_new(a, "facts", facts) < 0)
		goto out_nomem;
	json_array_foreach(names, i, v) {
		json_t *e = analyze_bench(run, json_string_value(v));
		json_t *d = json_object_get(e, "derived");

		if (!e || json_array_append_new(list, e))
			goto out_nomem;
		/* The facts move to the top level, where the advisor and
		 * the report find them by id (facts.h). */
		if (json_is_array(json_object_get(d, "facts"))) {
			if (json_array_extend(facts,
					      json_object_get(d, "facts")))
				goto out_nomem;
			json_object_del(d, "facts");
		}
	}
	if (mt_json_oom())
		goto out_nomem;
	json_decref(names);
	return a;

out_nomem:
	json_decref(names);
	json_decref(a);
	return NULL;
}

/* Writes DIR/analysis.json atomically through core/safefile: a reader
 * never sees half a file, and a link planted in the run directory (as
 * analysis.json or under any temporary name) is never written through.
 * A run directory memtune may not write (someone else's, or one others
 * can write) is refused with the reason; that is a runtime failure (exit
 * 1), the analysis is still printed. */
int mt_analysis_write(const char *dir, json_t *analysis, struct mt_err *err)
{
	struct mt_outdir d;
	char *text;
	int ret;

	ret = mt_outdir_open(&d, "analyze", dir, MT_DIR_CREATE, err);
	if (ret < 0) {
		if (err)
			err->kind = MT_ERR_RUNTIME;
		return ret;
	}
	text = json_dumps(analysis, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
					    JSON_REAL_PRECISION(10));
	if (!text) {
		ret = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				 "analyze: cannot serialize '%s/analysis."
				 "json': out of memory",
				 d.path);
		goto out_dir;
	}
	/* No fsync: analysis.json is derived and the next analyze writes it
	 * again; readers need the atomic rename, not durability, and an
	 * fsync per directory would dominate analyzing 1,000 of them. */
	ret = mt_outdir_replace(&d, "analyze", "analysis.json", text,
				strlen(text), 0644, MT_FILE_NOSYNC, err);
	free(text);
out_dir:
	mt_outdir_close(&d);
	return ret;
}

json_t *mt_analysis_derived(json_t *analysis, const char *bench)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(analysis, "benchmarks"), i, v)
		if (!strcmp(json_string_value(json_object_get(v, "bench")),
			    bench))
			return json_object_get(v, "derived");
	return NULL;
}

/* Prints the summary of one run's analysis: a header line, then per
 * benchmark its status and the module's lines. */
void mt_analysis_print(FILE *out, json_t *analysis)
{
	json_t *v;
	size_t i;

	fprintf(out, "== %s (%s%s%s)\n",
		json_string_value(json_object_get(analysis, "dir")),
		json_string_value(json_object_get(analysis, "host")),
		*json_string_value(json_object_get(analysis, "start")) ? ", " :
									 "",
		json_string_value(json_object_get(analysis, "start")));
	json_array_foreach(json_object_get(analysis, "benchmarks"), i, v) {
		const char *b = json_string_value(json_object_get(v, "bench"));
		const char *s = json_string_value(json_object_get(v, "status"));
		const char *r = json_string_value(json_object_get(v, "reason"));
		const struct mt_analysis *m = mt_analysis_find(b);
		json_t *d = json_object_get(v, "derived");

		fprintf(out, "%-10s %s%s%s\n", b, s, r ? ": " : "", r ? r : "");
		if (json_object_get(v, "intervals"))
			fprintf(out, "           intervals: %s\n",
				json_string_value(json_object_get(
					json_object_get(v, "intervals"),
					"text")));
		if (json_object_get(v, "unstable"))
			fprintf(out, "           unstable: %s\n",
				json_string_value(json_object_get(
					json_object_get(v, "unstable"),
					"text")));
		if (m && d)
			m->print(out, d);
	}
	mt_analysis_print_facts(out, analysis);
}

void mt_analysis_print_facts(FILE *out, json_t *analysis)
{
	json_t *v;
	size_t i;

	if (!json_array_size(json_object_get(analysis, "facts")))
		return;
	fprintf(out, "facts the advice rests on (id: value [95%% interval] "
		     "unit):\n");
	json_array_foreach(json_object_get(analysis, "facts"), i, v) {
		struct mt_fact f;
		char buf[160];

		if (!mt_fact_from_json(v, &f))
			continue;
		fprintf(out, "  %-32s %s  %s\n", f.id,
			mt_fact_format(&f, buf, sizeof(buf)), f.what);
	}
}

const char *mt_analysis_version(void)
{
	return MT_VERSION;
}
