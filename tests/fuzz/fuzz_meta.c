/* libFuzzer target: a run directory's meta.json as `memtune analyze` and
 * `memtune advise DIR` read it. The input is meta.json beside a fixed
 * results.jsonl (tests/fixtures/runs/numa-1node); the run is loaded and
 * analyzed (analyzer/run.c: host, start and labels come from meta.json),
 * then advised on through mt_advise_ctx_init, which takes the system
 * snapshot from meta.json's "system" when the run was made on another host
 * (the live system is a copy of the qemu-2node fixture tree). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../advisor/advisor.h"
#include "../../analyzer/analysis.h"
#include "../../analyzer/run.h"
#include "harness.h"

static char run_dir[4096];
static struct mt_profile profile;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[4096];
	FILE *in, *out;
	int c;

	(void)argc;
	(void)argv;
	fz_tree("qemu-2node");
	snprintf(run_dir, sizeof(run_dir), "%s/run", fz_tmpdir());
	fz_put(fz_tmpdir(), "run/results.jsonl", (const uint8_t *)"", 0, path,
	       sizeof(path));
	out = fopen(path, "w");
	snprintf(path, sizeof(path),
		 "%s/tests/fixtures/runs/numa-1node/"
		 "results.jsonl",
		 fz_srcdir());
	in = fopen(path, "r");
	if (!in || !out)
		abort();
	while ((c = getc(in)) != EOF)
		putc(c, out);
	fclose(in);
	if (fclose(out) != 0)
		abort();
	fz_profile("database", &profile);
	return 0;
}

/* `memtune advise DIR` without writing anything. */
static void advise(void)
{
	struct mt_advise_ctx ctx;
	struct mt_err err = { 0 };

	if (mt_advise_ctx_init(&ctx, run_dir, &profile, &err) < 0)
		return;
	fz_advise(&ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mt_err err = { 0 };
	struct mt_run *run;
	json_t *analysis;

	fz_put(run_dir, "meta.json", data, size, NULL, 0);
	if (mt_run_load(run_dir, 0, &run, &err) == 0) {
		analysis = mt_analyze_run(run);
		if (analysis)
			mt_analysis_print(fz_null(), analysis);
		json_decref(analysis);
		mt_run_free(run);
	}
	advise();
	return 0;
}
