/* libFuzzer target: results.jsonl as `memtune analyze`, `compare` and
 * `advise` read it. The input is a run directory's results.jsonl beside a
 * fixed meta.json (tests/fixtures/runs/numa-1node); the run is loaded
 * (core/record.c, analyzer/run.c), analyzed and printed (every analyzer
 * module), drawn (each module's .dat and .gp files, without running
 * gnuplot), compared with itself (analyzer/compare.c), and advised on
 * (every advisor rule) with the meta.json's system snapshot, the way
 * `memtune advise` treats a run made on another host. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../advisor/advisor.h"
#include "../../analyzer/analysis.h"
#include "../../analyzer/compare.h"
#include "../../analyzer/figure.h"
#include "../../analyzer/run.h"
#include "harness.h"

static char run_dir[4096];
static json_t *meta;
static struct mt_profile profile;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[4096];
	json_error_t jerr;

	(void)argc;
	(void)argv;
	fz_tree("qemu-2node");
	snprintf(run_dir, sizeof(run_dir), "%s/run", fz_tmpdir());
	snprintf(path, sizeof(path),
		 "%s/tests/fixtures/runs/numa-1node/"
		 "meta.json",
		 fz_srcdir());
	meta = json_load_file(path, 0, &jerr);
	if (!meta)
		abort();
	fz_put(fz_tmpdir(), "run/meta.json", (const uint8_t *)"", 0, path,
	       sizeof(path));
	if (json_dump_file(meta, path, 0) != 0)
		abort();
	fz_profile("database", &profile);
	return 0;
}

/* Writes every module's figure files of the run into a scratch report
 * directory (the part of `memtune report` before gnuplot runs). */
static void plots(struct mt_run *run, json_t *analysis)
{
	struct mt_report rep = { .png_terminal = "png" };
	const struct mt_analysis *m;

	char path[4096];
	struct mt_err derr = { 0 };

	snprintf(path, sizeof(path), "%s/report", fz_tmpdir());
	if (mt_outdir_open(&rep.dir, "report", path, MT_DIR_CREATE, &derr) < 0)
		abort();
	rep.figures = json_array();
	for (size_t i = 0; (m = mt_analysis_at(i)); i++) {
		json_t *d = mt_analysis_derived(analysis, m->bench);
		struct mt_err err = { 0 };

		if (d && m->plots)
			m->plots(&rep, &run, &d, 1, &err);
	}
	json_decref(rep.figures);
	mt_outdir_close(&rep.dir);
}

/* Runs every advisor rule over the run's records. */
static void advise(const struct mt_run *run)
{
	struct mt_advise_ctx ctx;
	json_t *sys = json_object_get(meta, "system");

	if (mt_advise_ctx_from(&ctx, sys, run->records, &profile, false) < 0)
		return;
	fz_advise(&ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mt_err err = { 0 };
	struct mt_run *run;
	json_t *analysis, *cmp;

	fz_put(run_dir, "results.jsonl", data, size, NULL, 0);
	if (mt_run_load(run_dir, MT_RUN_KEEP_SAMPLES, &run, &err) != 0)
		return 0;
	analysis = mt_analyze_run(run);
	if (analysis) {
		mt_analysis_print(fz_null(), analysis);
		plots(run, analysis);
	}
	json_decref(analysis);
	cmp = mt_compare_runs(run, run);
	if (cmp)
		mt_compare_print(fz_null(), cmp, "a", "b");
	json_decref(cmp);
	advise(run);
	mt_run_free(run);
	return 0;
}
