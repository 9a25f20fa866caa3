/* memtune compare: two runs metric by metric. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>

#include "../analyzer/compare.h"
#include "../analyzer/run.h"
#include "../core/log.h"
#include "cli.h"

static int compare_main(int argc, char **argv)
{
	struct mt_run *a = NULL, *b = NULL;
	struct mt_err err = { 0 };
	bool json = false;
	json_t *cmp, *w;
	size_t i;
	int o, status = MT_EXIT_OK;

	while ((o = mt_cli_getopt(&mt_cmd_compare, argc, argv)) != -1) {
		if (o == 'j')
			json = true;
		else
			return MT_EXIT_USAGE;
	}
	if (argc - optind != 2)
		return mt_cli_usage_error(&mt_cmd_compare,
					  "expected two run directories, "
					  "DIR_A and DIR_B");
	if (mt_run_load(argv[optind], MT_RUN_KEEP_SAMPLES, &a, &err) < 0 ||
	    mt_run_load(argv[optind + 1], MT_RUN_KEEP_SAMPLES, &b, &err) < 0) {
		status = mt_cli_fail(&err);
		goto out_runs;
	}
	json_array_foreach(a->warnings, i, w)
		mt_warn("%s", json_string_value(w));
	json_array_foreach(b->warnings, i, w)
		mt_warn("%s", json_string_value(w));
	cmp = mt_compare_runs(a, b);
	if (!cmp) {
		mt_error("compare: out of memory");
		status = MT_EXIT_FAIL;
		goto out_runs;
	}
	if (json) {
		json_dumpf(cmp, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else {
		mt_compare_print(stdout, cmp, a->label, b->label);
	}
	json_decref(cmp);
out_runs:
	mt_run_free(a);
	mt_run_free(b);
	return status;
}

const struct mt_command mt_cmd_compare = {
	.name = "compare",
	.summary = "compare two runs metric by metric, beyond the noise or not",
	.usage = "usage: memtune compare DIR_A DIR_B [--json]\n"
		 "\n"
		 "Matches the measured records of two run directories by "
		 "benchmark, case\nand metric and prints, for each metric in "
		 "both: both values, the change\nin percent, the p-value of "
		 "Welch's two-sided t-test on the records'\nsamples (for "
		 "reference), and whether the change is beyond the noise\n"
		 "(better or worse by the metric's direction; those first): "
		 "for runs with\nrepeat > 1, whose intervals are meant to "
		 "hold another run's value, when\nneither record's interval "
		 "holds the other's value; for records of one\nround, when "
		 "the intervals do not overlap. Then the coverage: how many\n"
		 "points of A have an interval that holds B's value, and the "
		 "other way\nround (two runs of one configuration with rounds "
		 "should see about 95%).\n"
		 "When nearly every point of a benchmark moved the same way "
		 "(a common\nshift of 2% or more at 80% of its points), the "
		 "machine changed between\nthe runs: compare says so, with "
		 "the coverage that change taken out.\n"
		 "\n"
		 "Two observations (memtune observe) are compared by the "
		 "figures the\nanalyzer derives from them (rates with their "
		 "intervals, trends), not\nsample by sample; a figure has no "
		 "better direction, so the verdict says\nhigher or lower; "
		 "coverage leaves them out (two windows are not repeats).\n"
		 "\n"
		 "  --json   one JSON object on stdout\n"
		 "\n"
		 "Exit status: 0 ok, 2 bad usage or a DIR that is not a "
		 "readable run.\n",
	.fn = compare_main,
	.shortopts = "",
	.longopts = mt_cli_json_opts,
};
