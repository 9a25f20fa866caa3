/* memtune tune: A/B trials of the advice on this machine (tune/tune.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/statedir.h"
#include "../core/units.h"
#include "../tune/tune.h"
#include "cli.h"

#define MAX_NAMES 32

static const struct option tune_opts[] = {
	{ "only", required_argument, NULL, 'o' },
	{ "workload", required_argument, NULL, 'w' },
	{ "metric", required_argument, NULL, 'm' },
	{ "p99", required_argument, NULL, '9' },
	{ "lower-is-better", no_argument, NULL, 'l' },
	{ "pairs", required_argument, NULL, 'p' },
	{ "max-time", required_argument, NULL, 't' },
	{ "trial-timeout", required_argument, NULL, 'T' },
	{ "keep", required_argument, NULL, 'k' },
	{ "persist", no_argument, NULL, 'P' },
	{ "aa", no_argument, NULL, 'a' },
	{ "json", no_argument, NULL, 'j' },
	{ "force", required_argument, NULL, 'f' },
	{ "seed", required_argument, NULL, 's' },
	{ "force-container", no_argument, NULL, 'C' },
	{ "no-bench", no_argument, NULL, 'N' },
	{ "memory-max", required_argument, NULL, 'M' },
	{ "swap-file", required_argument, NULL, 'S' },
	{ "swap-dir", required_argument, NULL, 'D' },
	{ 0 }
};

static size_t split(char *s, const char **names, size_t n, size_t max)
{
	for (char *tok = strtok(s, ","); tok && n < max;
	     tok = strtok(NULL, ","))
		names[n++] = tok;
	return n;
}

static int duration(const char *opt, const char *s, uint64_t *ns)
{
	char why[200];

	if (mt_parse_duration(s, ns, why, sizeof(why)) < 0 || !*ns)
		return mt_cli_usage_error(&mt_cmd_tune, "%s '%s': %s", opt, s,
					  *ns ? why :
						"expected a "
						"duration above 0, e.g. 30m");
	return -1;
}

/* Parses option opt's integer s in [lo, hi] into *v: -1 when it is one,
 * else the usage error's exit status (as duration()). */
static int integer(const char *opt, const char *s, int64_t lo, int64_t hi,
		   int64_t *v)
{
	char why[200];

	if (mt_parse_int(s, lo, hi, v, why, sizeof(why)) < 0)
		return mt_cli_usage_error(&mt_cmd_tune, "%s '%s': %s", opt, s,
					  why);
	return -1;
}

static int tune_main(int argc, char **argv)
{
	const char *only[MAX_NAMES], *force[MAX_NAMES];
	struct mt_tune_opts o = { .pairs = 8,
				  .trial_timeout_ns = 600000000000ull,
				  .seed = (uint64_t)time(NULL) };
	struct mt_err err = { 0 };
	bool only_given = false;
	int c, lock, fd = -1, rc;
	int64_t v;
	char why[200];

	while ((c = mt_cli_getopt(&mt_cmd_tune, argc, argv)) != -1) {
		switch (c) {
		case 'o':
			only_given = true;
			o.n_only = split(optarg, only, o.n_only, MAX_NAMES);
			break;
		case 'f':
			o.n_force = split(optarg, force, o.n_force, MAX_NAMES);
			break;
		case 'w': o.workload = optarg; break;
		case 'm': o.metric = optarg; break;
		case '9': o.p99 = optarg; break;
		case 'l': o.lower_is_better = true; break;
		case 'P': o.persist = true; break;
		case 'a': o.aa = true; break;
		case 'j': o.json = true; break;
		case 'C': o.force_container = true; break;
		case 'N': o.no_bench = true; break;
		case 'D': o.swap_dir = optarg; break;
		case 'M':
		case 'S':
			if (mt_parse_size(optarg,
					  c == 'M' ? &o.memory_max :
						     &o.swap_file,
					  why, sizeof(why)) < 0 ||
			    (c == 'M' ? o.memory_max : o.swap_file) <
				    (16u << 20))
				return mt_cli_usage_error(
					&mt_cmd_tune,
					"%s '%s': expected a size of at least "
					"16M, e.g. 512M",
					c == 'M' ? "--memory-max" :
						   "--swap-file",
					optarg);
			break;
		case 'p':
			rc = integer("--pairs", optarg, 1, 1000, &v);
			if (rc >= 0)
				return rc;
			o.pairs = (int)v;
			break;
		case 's':
			rc = integer("--seed", optarg, 0, INT64_MAX, &v);
			if (rc >= 0)
				return rc;
			o.seed = (uint64_t)v;
			break;
		case 't':
			rc = duration("--max-time", optarg, &o.max_time_ns);
			if (rc >= 0)
				return rc;
			break;
		case 'T':
			rc = duration("--trial-timeout", optarg,
				      &o.trial_timeout_ns);
			if (rc >= 0)
				return rc;
			break;
		case 'k':
			if (strcmp(optarg, "verified") &&
			    strcmp(optarg, "none"))
				return mt_cli_usage_error(
					&mt_cmd_tune,
					"--keep '%s': expected verified or "
					"none",
					optarg);
			o.keep_verified = !strcmp(optarg, "verified");
			break;
		default: return MT_EXIT_USAGE;
		}
	}
	o.only = only_given ? only : NULL;
	o.force = force;
	if (o.n_only == MAX_NAMES || o.n_force == MAX_NAMES)
		return mt_cli_usage_error(&mt_cmd_tune,
					  "at most %d names in "
					  "--only and in --force",
					  MAX_NAMES - 1);
	if (only_given && !o.n_only)
		return mt_cli_usage_error(&mt_cmd_tune, "--only needs at "
							"least one item id");
	if (optind + 1 != argc)
		return mt_cli_usage_error(&mt_cmd_tune,
					  "expected one run "
					  "directory holding advice.json");
	if (o.persist && !o.keep_verified)
		return mt_cli_usage_error(&mt_cmd_tune, "--persist goes with "
							"--keep verified");
	if (o.aa && o.keep_verified)
		return mt_cli_usage_error(&mt_cmd_tune,
					  "--aa changes "
					  "nothing, so it keeps nothing: drop "
					  "--keep verified");
	if ((o.metric || o.p99 || o.lower_is_better) && !o.workload)
		return mt_cli_usage_error(&mt_cmd_tune,
					  "--metric, --p99 and "
					  "--lower-is-better go with "
					  "--workload");
	o.dir = argv[optind];
	lock = mt_cli_state_lock("tune", &fd);
	if (lock >= 0)
		return lock;
	rc = mt_tune(&o, stdout, &err);
	mt_state_unlock(fd);
	if (rc < 0)
		return mt_cli_fail(&err);
	return mt_cli_finish(MT_EXIT_OK);
}

const struct mt_command mt_cmd_tune = {
	.name = "tune",
	.summary = "A/B-verify each recommended change on this machine",
	.usage =
		"usage: memtune tune DIR [--workload CMD [--metric REGEX [--lower-is-better]]\n"
		"                    [--p99 REGEX]] [--no-bench] [--only ID,...] [--pairs N] [--aa]\n"
		"                    [--max-time DURATION] [--trial-timeout DURATION]\n"
		"                    [--keep verified|none [--persist]] [--force RULE,...]\n"
		"                    [--memory-max SIZE] [--swap-file SIZE [--swap-dir DIR]]\n"
		"                    [--seed N] [--json] [--force-container]\n"
		"\n"
		"Tries each change of DIR/advice.json (memtune advise DIR writes it) on this\n"
		"machine before anything is kept: trials alternate the current value (A) and\n"
		"the recommended one (B) in ABBA blocks of random orientation, after one\n"
		"warm-up trial of each item. Each change goes through the journal and is\n"
		"undone after its trial; if memtune dies meanwhile (kill -9, the OOM killer, a\n"
		"dropped ssh session) a watchdog runs memtune restore. Each trial runs the\n"
		"benchmark cases the item's rule rests on (swappiness: the swap benchmark's\n"
		"sweep case at the value in force; the watermarks: the reclaim bursts; THP:\n"
		"the huge-page cases on the system's own THP mode), as a run directory under\n"
		"DIR/tune-TIME/, and the workload, and reads the guardrails: OOM kills,\n"
		"direct-reclaim stalls (allocstall), swap-ins (pswpin), full memory pressure\n"
		"(PSI), the workload failing, its p99.\n"
		"\n"
		"The verdict rests on the primary figures: the workload's and the benchmark\n"
		"score (the mean relative change of the benchmark's figures, each in its\n"
		"better direction). Each gets the median paired effect with a signed-rank\n"
		"interval (Hodges-Lehmann) at 95%, or 97.5% when there are two (Bonferroni:\n"
		"6 pairs reach 95%, 7 reach 97.5%). The verdict is improves, no_effect,\n"
		"harms (also when a guardrail is worse beyond its noise, named; the\n"
		"guardrails are a family of their own, judged the same way) or inconclusive\n"
		"(too few pairs for the interval). Each benchmark figure alone is shown\n"
		"beside, at 95%, and does not decide. The verdicts go into DIR/advice.json\n"
		"as each item's \"verification\".\n"
		"\n"
		"  --workload CMD       run with sh -c in its own process group, once a trial\n"
		"                       (an item without a benchmark trial needs it)\n"
		"  --no-bench           the workload only: no benchmark trials\n"
		"  --memory-max SIZE    run the workload in a memory cgroup of this limit,\n"
		"                       made for the session through the journal\n"
		"  --swap-file SIZE     when no swap is active, make a swap file of this size\n"
		"                       in --swap-dir (default /var/tmp) for the session\n"
		"  --metric REGEX       the workload's figure: the first capture group of\n"
		"                       REGEX in its stdout, e.g. 'tps = ([0-9.]+)';\n"
		"                       higher is better unless --lower-is-better. Without\n"
		"                       it, the wall time (lower is better)\n"
		"  --p99 REGEX          a p99 the workload prints, a guardrail\n"
		"  --only ID,...        these items only (ids as in advice.json)\n"
		"  --pairs N            A/B pairs per item (default 8)\n"
		"  --aa                 B equals A: the false-positive check of this machine;\n"
		"                       it must come out no_effect. Run it first on a new\n"
		"                       machine\n"
		"  --max-time DURATION  stop starting trials after this (e.g. 30m); verdicts\n"
		"                       rest on the pairs done\n"
		"  --trial-timeout D    kill a workload run after D (default 10m)\n"
		"  --keep verified      at the end apply the items that improved (through\n"
		"                       apply's journal: memtune rollback undoes them);\n"
		"                       --persist also installs the sysctl.d file. Default:\n"
		"                       none\n"
		"  --force RULE,...     allow a value apply's guard refuses (see apply --help)\n"
		"  --seed N             the blocks' orientation (default: the time)\n"
		"  --json               also print the verification objects as JSON\n"
		"  --force-container    as apply --force-container\n"
		"\n"
		"Needs root. The cost (items x pairs x 2 trials x the warm-up's time) is\n"
		"printed before the first trial.\n",
	.fn = tune_main,
	.shortopts = "",
	.longopts = tune_opts,
};
