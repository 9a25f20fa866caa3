/* memtune observe: samples what the running workload does to memory and
 * prints the observation directory as its last line (issue 18). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/units.h"
#include "../observe/live.h"
#include "../observe/observe.h"
#include "cli.h"

#define MAX_TARGETS 64

static const struct option observe_opts[] = {
	{ "duration", required_argument, NULL, 'd' },
	{ "interval", required_argument, NULL, 'i' },
	{ "pid", required_argument, NULL, 'p' },
	{ "cgroup", required_argument, NULL, 'g' },
	{ "unit", required_argument, NULL, 'u' },
	{ "output", required_argument, NULL, 'o' },
	{ 0 }
};

/* Parses a duration option into *ns (above 0). Returns 0, or the exit
 * status of the usage error it printed. */
static int duration_arg(const char *opt, const char *arg, uint64_t *ns)
{
	char why[128];

	if (mt_parse_duration(arg, ns, why, sizeof(why)) < 0 || *ns == 0)
		return mt_cli_usage_error(&mt_cmd_observe,
					  "%s '%s': expected %s, above 0", opt,
					  arg, MT_FORM_DURATION);
	return 0;
}

static int observe_main(int argc, char **argv)
{
	struct mt_obs_spec specs[MAX_TARGETS];
	struct mt_obs_opts oo = {
		.duration_ns = 60ull * 1000000000ull,
		.interval_ns = 1000000000ull,
		.targets = specs,
		.parent = "results",
		.argc = argc,
		.argv = argv,
	};
	struct mt_err err = { 0 };
	const char *out = NULL;
	char dir[4096];
	int o, rc;

	while ((o = mt_cli_getopt(&mt_cmd_observe, argc, argv)) != -1) {
		const char *kind = NULL;

		switch (o) {
		case 'd':
			if ((rc = duration_arg("--duration", optarg,
					       &oo.duration_ns)))
				return rc;
			break;
		case 'i':
			if ((rc = duration_arg("--interval", optarg,
					       &oo.interval_ns)))
				return rc;
			break;
		case 'p': kind = "pid"; break;
		case 'g': kind = "cgroup"; break;
		case 'u': kind = "unit"; break;
		case 'o':
			if (mt_cli_once(&mt_cmd_observe, &out, "-o", optarg,
					"give one observation directory"))
				return MT_EXIT_USAGE;
			break;
		default: return MT_EXIT_USAGE;
		}
		if (!kind)
			continue;
		if (oo.n_targets == MAX_TARGETS)
			return mt_cli_usage_error(&mt_cmd_observe,
						  "more than %d targets",
						  MAX_TARGETS);
		specs[oo.n_targets].kind = kind;
		specs[oo.n_targets++].spec = optarg;
	}
	if (optind < argc)
		return mt_cli_usage_error(&mt_cmd_observe,
					  "unexpected argument '%s'",
					  argv[optind]);
	if (oo.interval_ns > oo.duration_ns)
		return mt_cli_usage_error(&mt_cmd_observe,
					  "--interval is longer than "
					  "--duration: expected an interval "
					  "no longer than the duration");
	oo.outdir = out;
	oo.live = mt_obs_live_possible();
	rc = mt_observe(&oo, dir, sizeof(dir), &err);
	if (dir[0])
		printf("%s\n", dir);
	return rc < 0 ? mt_cli_fail(&err) : MT_EXIT_OK;
}

const struct mt_command mt_cmd_observe = {
	.name = "observe",
	.summary = "sample what the running workload does to memory",
	.usage = "usage: memtune observe [--duration D] [--interval I] "
		 "[--pid PID]... [--cgroup PATH]...\n"
		 "                       [--unit NAME]... [-o DIR]\n"
		 "\n"
		 "Samples, every interval, /proc/meminfo, /proc/vmstat, PSI "
		 "and each node's\nnumastat; for each --pid its "
		 "/proc/PID/status, smaps_rollup and stat and the\npage "
		 "cache state (cachestat, or mincore where the kernel lacks "
		 "it) of the\nfiles it maps or holds open; for each --cgroup "
		 "or --unit its memory.stat,\nmemory.events, memory.pressure "
		 "and memory.current. Writes an observation\ndirectory in "
		 "the run-directory format (meta.json, results.jsonl with "
		 "one\nrecord per sample and series, cumulative counters as "
		 "the kernel gives them,\nsnapshots/ before and after) that "
		 "analyze, report, compare and advise read,\nand prints it "
		 "as the last line. On a terminal a live view is redrawn "
		 "each\nsample (q quits); elsewhere a progress line goes to "
		 "stderr every 10 s.\nSIGINT or SIGTERM ends the observation "
		 "cleanly, like q.\n"
		 "\n"
		 "  -d, --duration D    how long to observe (default 60s), "
		 "a duration such as\n"
		 "                      90s or 1.5s\n"
		 "  -i, --interval I    between samples (default 1s)\n"
		 "  -p, --pid PID       a process to watch (repeatable); its "
		 "memory cgroup goes\n"
		 "                      into meta.json\n"
		 "  -g, --cgroup PATH   a cgroup to watch, its path below the "
		 "memory cgroup\n"
		 "                      hierarchy (/system.slice/x.service) "
		 "or under\n"
		 "                      /sys/fs/cgroup (repeatable)\n"
		 "  -u, --unit NAME     a systemd unit's cgroup, "
		 "system.slice/NAME (.service\n"
		 "                      added when NAME has no suffix; "
		 "repeatable)\n"
		 "  -o, --output DIR    the new directory to write (default: "
		 "results/HOST-DATE)\n"
		 "\n"
		 "Exit status: 0 observed (also when stopped early), 1 a "
		 "runtime failure, 2 bad\nusage, a process or cgroup that "
		 "does not exist, or an existing DIR.\n",
	.fn = observe_main,
	.shortopts = "d:i:p:g:u:o:",
	.longopts = observe_opts,
};
