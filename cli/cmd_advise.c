/* memtune advise: recommendations with evidence. */
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../advisor/advisor.h"
#include "../analyzer/analysis.h"
#include "../core/log.h"
#include "../core/units.h"
#include "cli.h"

static const struct option advise_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "profile", required_argument, NULL, 'p' },
	{ "output", required_argument, NULL, 'o' },
	{ "window", required_argument, NULL, 'w' },
	{ 0 }
};

static int advise_main(int argc, char **argv)
{
	const char *profile_name = "balanced", *dir = NULL, *outdir = NULL;
	const char *dest;
	struct mt_profile profile = { 0 };
	struct mt_advise_ctx ctx;
	struct mt_advice advice = { 0 };
	struct mt_err err = { 0 };
	char configs[PATH_MAX];
	bool json = false, have_profile = false, written = false;
	uint64_t window_ns = 5000000000ull; /* --window: 5 s */
	char why[160];
	int o, ret, status = MT_EXIT_OK;

	while ((o = mt_cli_getopt(&mt_cmd_advise, argc, argv)) != -1) {
		if (o == 'j')
			json = true;
		else if (o == 'p')
			profile_name = optarg, have_profile = true;
		else if (o == 'o' && outdir)
			return mt_cli_usage_error(&mt_cmd_advise,
						  "-o given "
						  "twice ('%s' and '%s')",
						  outdir, optarg);
		else if (o == 'o')
			outdir = optarg;
		else if (o == 'w' && mt_parse_duration(optarg, &window_ns, why,
						       sizeof(why)) < 0)
			return mt_cli_usage_error(&mt_cmd_advise,
						  "--window "
						  "'%s': expected %s",
						  optarg, why);
		else if (o == 'w' && window_ns > 3600000000000ull)
			return mt_cli_usage_error(&mt_cmd_advise,
						  "--window "
						  "'%s': at most 1h (3600s)",
						  optarg);
		else if (o == 'w')
			continue;
		else
			return MT_EXIT_USAGE;
	}
	if (optind < argc)
		dir = argv[optind++];
	if (optind < argc)
		return mt_cli_usage_error(&mt_cmd_advise,
					  "unexpected argument '%s'",
					  argv[optind]);
	if (outdir && (status = mt_cli_output_dir(&mt_cmd_advise, outdir)) != 0)
		return status;
	dest = outdir ? outdir : dir;
	if (mt_cli_configs_dir(configs, sizeof(configs)) != 0)
		snprintf(configs, sizeof(configs), "configs");
	if (!have_profile) {
		/* No profile named: a neutral one, no processes. */
		snprintf(profile.name, sizeof(profile.name), "balanced");
		snprintf(profile.goal, sizeof(profile.goal), "balanced");
		snprintf(profile.page_cache, sizeof(profile.page_cache),
			 "normal");
		profile.hugetlb_page_bytes = 2u << 20;
	} else if (mt_profile_load(profile_name, configs, &profile, &err)) {
		return mt_cli_fail(&err);
	}
	if (mt_advise_ctx_init(&ctx, dir, &profile, &err) < 0) {
		status = mt_cli_fail(&err);
		goto free_profile;
	}
	if (mt_signals_gather(&ctx, window_ns, &err) < 0 ||
	    mt_advise(&ctx, &advice, &err) < 0) {
		status = mt_cli_fail(&err);
		goto free_advice;
	}
	if (dest && !outdir && mt_cli_unwritable(dest, &err)) {
		/* Someone else's (or a read-only) run: the advice is still
		 * worth printing. */
		mt_warn("advise: not writing advice.json into %s: %s; "
			"printing only (-o DIR writes it elsewhere)",
			dir, err.msg);
		ret = 0;
		dest = NULL;
	} else {
		ret = dest ? mt_advice_write(dest, &advice, &err) : 0;
	}
	if (ret < 0) {
		status = mt_cli_fail(&err);
		goto free_advice;
	} else {
		written = dest != NULL;
	}
	/* The analysis the advice rests on goes beside it, so that the
	 * report and analysis.json print the advice's figures. */
	if (written && ctx.analysis_stale &&
	    mt_analysis_write(dest, ctx.analysis, &err) < 0) {
		status = mt_cli_fail(&err);
		goto free_advice;
	}
	if (json) {
		json_t *root = mt_advice_json(&advice);

		/* What the live reclaim signals said, and from where. */
		if (root && ctx.signals)
			json_object_set(root, "signals", ctx.signals);
		json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(root);
	} else {
		mt_advice_print(stdout, &advice);
		if (ctx.signals)
			printf("\nlive reclaim signals: %s\n",
			       json_string_value(json_object_get(ctx.signals, "from")) ?:
				       "");
		if (written)
			printf("\nwrote %s/advice.json and %s/%s\n", dest, dest,
			       MT_SYSCTL_D_NAME);
	}
free_advice:
	mt_advice_free(&advice);
	mt_advise_ctx_free(&ctx);
free_profile:
	mt_profile_free(&profile);
	return mt_cli_finish(status);
}

const struct mt_command mt_cmd_advise = {
	.name = "advise",
	.summary = "recommend kernel and process settings, with evidence",
	.usage = "usage: memtune advise [DIR] [--profile NAME|FILE] [--json] "
		 "[-o OUT]\n"
		 "                      [--window DURATION]\n"
		 "\n"
		 "Recommends vm sysctls, THP modes, hugetlb pools, OOM "
		 "adjustments, mlock and\nmalloc tunables from the run "
		 "directory DIR's measurements and the system\nstate. "
		 "Each item says what it changes, why, what it rests on and "
		 "where the\nrule comes from. With DIR it writes "
		 "DIR/advice.json and DIR/99-memtune.conf\n(sysctl.d "
		 "format); without DIR the advice rests on the live system "
		 "state\nalone (MEMTUNE_FSROOT=TREE reads a captured one) "
		 "and each item says so.\n"
		 "\n"
		 "  --profile NAME  database, latency, throughput, batch, "
		 "desktop\n"
		 "                  (configs/profiles/NAME.ini) or a path to "
		 "an .ini file\n"
		 "  --json          the advice as JSON on stdout\n"
		 "  -o, --output OUT  write advice.json and 99-memtune.conf "
		 "into OUT (made if\n"
		 "                  missing) instead of DIR (also without "
		 "DIR)\n"
		 "  --window DURATION  without DIR, the live reclaim signals "
		 "(/proc/vmstat\n"
		 "                  rates, PSI) are two snapshots this far "
		 "apart (default 5s;\n"
		 "                  0: one snapshot, counters since boot over "
		 "the uptime). With\n"
		 "                  DIR they come from the run's snapshots; "
		 "under\n"
		 "                  MEMTUNE_FSROOT from the counters since "
		 "boot.\n"
		 "\n"
		 "A run directory you may not write (another user's, a "
		 "read-only copy) is\nadvised on all the same: the advice is "
		 "printed with a warning that nothing\nwas written (exit "
		 "status 0); -o OUT says where to write it. Exit status:\n0 "
		 "ok, 1 the advice could not be made or written where -o "
		 "says, 2 bad\nusage or input.\n",
	.fn = advise_main,
	.shortopts = "p:o:", /* --window has no short form */
	.longopts = advise_opts,
};
