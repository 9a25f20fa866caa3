/* memtune analyze: derived figures of run directories (analysis.json). */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "../analyzer/analysis.h"
#include "../analyzer/run.h"
#include "../core/log.h"
#include "cli.h"

/* Prints run's loading warnings on stderr. */
static void print_warnings(const struct mt_run *run)
{
	json_t *w;
	size_t i;

	json_array_foreach(run->warnings, i, w)
		mt_warn("%s", json_string_value(w));
}

static const struct option analyze_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "output", required_argument, NULL, 'o' },
	{ 0 }
};

static int analyze_main(int argc, char **argv)
{
	json_t *all = NULL;
	const char *outdir = NULL;
	bool json = false;
	int o, status = MT_EXIT_OK;

	while ((o = mt_cli_getopt(&mt_cmd_analyze, argc, argv)) != -1) {
		if (o == 'j') {
			json = true;
		} else if (o == 'o' && !outdir) {
			outdir = optarg;
		} else if (o == 'o') {
			return mt_cli_usage_error(&mt_cmd_analyze,
						  "-o given "
						  "twice ('%s' and '%s')",
						  outdir, optarg);
		} else {
			return MT_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return mt_cli_usage_error(&mt_cmd_analyze,
					  "expected at least one run "
					  "directory");
	if (outdir && argc - optind > 1)
		return mt_cli_usage_error(&mt_cmd_analyze,
					  "-o writes one analysis.json: give "
					  "one run directory with it");
	if (outdir &&
	    (status = mt_cli_output_dir(&mt_cmd_analyze, outdir)) != 0)
		return status;
	if (json && argc - optind > 1)
		all = json_array();
	/* One run at a time: 1,000 directories never sit in memory at
	 * once. */
	for (int i = optind; i < argc; i++) {
		struct mt_err err = { 0 };
		struct mt_run *run;
		json_t *a;
		int ret;

		if (mt_run_load(argv[i], 0, &run, &err) < 0) {
			int st = mt_cli_fail(&err);

			status = st > status ? st : status;
			continue;
		}
		print_warnings(run);
		a = mt_analyze_run(run);
		if (!a) {
			mt_error("analyze: out of memory");
			mt_run_free(run);
			json_decref(all);
			return MT_EXIT_FAIL;
		}
		if (!outdir && mt_cli_unwritable(run->dir, &err)) {
			/* Someone else's (or a read-only) run: the figures
			 * are still worth printing. */
			mt_warn("analyze: not writing %s/analysis.json: %s; "
				"printing only (-o DIR writes it elsewhere)",
				run->dir, err.msg);
			ret = 0;
		} else {
			ret = mt_analysis_write(outdir ? outdir : run->dir, a,
						&err);
		}
		if (ret < 0) {
			mt_cli_fail(&err);
			status = MT_EXIT_FAIL;
		}
		if (all)
			json_array_append(all, a);
		else if (json)
			json_dumpf(a, stdout,
				   JSON_INDENT(2) | JSON_PRESERVE_ORDER |
					   JSON_REAL_PRECISION(10));
		else
			mt_analysis_print(stdout, a);
		if (json && !all)
			putchar('\n');
		json_decref(a);
		mt_run_free(run);
	}
	if (all) {
		json_dumpf(all, stdout,
			   JSON_INDENT(2) | JSON_PRESERVE_ORDER |
				   JSON_REAL_PRECISION(10));
		putchar('\n');
		json_decref(all);
	}
	return status;
}

const struct mt_command mt_cmd_analyze = {
	.name = "analyze",
	.summary = "derive figures from run directories (analysis.json)",
	.usage =
		"usage: memtune analyze DIR... [--json] [-o OUT]\n"
		"\n"
		"Reads each run directory (results.jsonl, and meta.json when "
		"present),\nderives the figures of every benchmark that has "
		"an analysis module\n(TLB knees and reach, page-walk penalty, "
		"fault costs, bandwidth gains,\nthe brk/mmap crossover, page "
		"cache and O_DIRECT ratios), writes them to\nDIR/analysis.json "
		"and prints a summary. A benchmark without a module is\n"
		"listed as \"no analysis yet\". Truncated lines and a missing "
		"meta.json are\nreported (file:line) and the rest is "
		"analyzed.\n"
		"\n"
		"An observation directory (memtune observe) is analyzed the "
		"same way:\nrates of swapping, reclaim, stalls and faults with "
		"their intervals, the\ntrend of available memory, and each "
		"target's growth with a leak verdict.\n"
		"\n"
		"  --json          print the analysis as JSON instead (an "
		"array with several\n"
		"                  DIRs)\n"
		"  -o, --output OUT  write analysis.json into OUT (made if "
		"missing) instead of\n"
		"                  DIR; one DIR only\n"
		"\n"
		"A run directory you may not write (another user's, a "
		"read-only copy) is\nanalyzed and printed all the same, with "
		"a warning that analysis.json was not\nwritten; -o OUT says "
		"where to write it.\n"
		"\n"
		"Exit status: 0 ok (also when DIR was not writable and no -o "
		"was given),\n1 out of memory or analysis.json could not be "
		"written, 2 a directory is\nnot a readable run.\n",
	.fn = analyze_main,
	.shortopts = "o:",
	.longopts = analyze_opts,
};
