/* memtune report: plots and one self-contained HTML page. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "../analyzer/analysis.h"
#include "../analyzer/report.h"
#include "../analyzer/run.h"
#include "../core/log.h"
#include "cli.h"

static const struct option report_opts[] = { { "output", required_argument,
					       NULL, 'o' },
					     { 0 } };

static int report_main(int argc, char **argv)
{
	struct mt_err err = { 0 };
	struct mt_run **runs = NULL;
	json_t **an = NULL;
	const char *out = NULL;
	char def[4200];
	size_t n = 0;
	int o, status = MT_EXIT_OK;

	while ((o = mt_cli_getopt(&mt_cmd_report, argc, argv)) != -1) {
		if (o != 'o')
			return MT_EXIT_USAGE;
		if (mt_cli_once(&mt_cmd_report, &out, "-o", optarg,
				"give one output directory"))
			return MT_EXIT_USAGE;
	}
	if (optind >= argc)
		return mt_cli_usage_error(&mt_cmd_report,
					  "expected at least one run "
					  "directory");
	if (!out && argc - optind > 1)
		return mt_cli_usage_error(&mt_cmd_report,
					  "with several run directories, "
					  "-o OUT is required");
	if (!out) {
		snprintf(def, sizeof(def), "%s/report", argv[optind]);
		out = def;
	}
	runs = calloc((size_t)(argc - optind), sizeof(*runs));
	an = calloc((size_t)(argc - optind), sizeof(*an));
	if (!runs || !an) {
		mt_error("report: out of memory");
		status = MT_EXIT_FAIL;
		goto out_free;
	}
	for (int i = optind; i < argc; i++) {
		json_t *w;
		size_t k;

		if (mt_run_load(argv[i], 0, &runs[n], &err) < 0) {
			status = mt_cli_fail(&err);
			goto out_free;
		}
		json_array_foreach(runs[n]->warnings, k, w)
			mt_warn("%s", json_string_value(w));
		an[n] = mt_analyze_run(runs[n]);
		if (!an[n]) {
			mt_error("report: out of memory");
			status = MT_EXIT_FAIL;
			goto out_free;
		}
		n++;
	}
	if (mt_report_write(runs, an, n, out, &err) < 0) {
		status = mt_cli_fail(&err);
		goto out_free;
	}
	printf("%s/index.html\n", out);
out_free:
	for (size_t i = 0; i < n + 1 && runs && i < (size_t)(argc - optind);
	     i++) {
		mt_run_free(runs[i]);
		json_decref(an ? an[i] : NULL);
	}
	free(runs);
	free(an);
	return status;
}

const struct mt_command mt_cmd_report = {
	.name = "report",
	.summary = "plots (SVG, PNG) and one HTML page from run directories",
	.usage = "usage: memtune report DIR... [-o OUT]\n"
		 "\n"
		 "Analyzes each run directory and draws its figures with "
		 "gnuplot (run as a\nprogram): latency against working set "
		 "with the knees marked, fault costs,\nbandwidth by block "
		 "size. Each figure is OUT/NAME.svg and .png, with the\n.dat "
		 "and .gp files to restyle it. OUT/index.html is one "
		 "self-contained\npage (SVGs inline, no network): the machine, "
		 "each figure with a reading\nof what it shows, skipped "
		 "benchmarks with their reasons, every record.\nSeveral DIRs "
		 "are drawn on shared axes, one line per run (host and "
		 "time).\n"
		 "\n"
		 "  -o, --output OUT   output directory (default DIR/report; "
		 "required with\n                     several DIRs); memtune "
		 "creates it, or it must be\n                     yours and "
		 "not writable by others (no symlink)\n"
		 "\n"
		 "Prints the path of index.html. Exit status: 0 ok, 1 gnuplot "
		 "or a write\nfailed, 2 bad usage or a DIR that is not a "
		 "readable run.\n",
	.fn = report_main,
	.shortopts = "o:",
	.longopts = report_opts,
};
