/* memtune apply: applies DIR/advice.json through the journal. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../advisor/advisor.h"
#include "../core/statedir.h"
#include "cli.h"

#define MAX_NAMES 32

/* Splits a comma list into names[] (pointers into s). */
static size_t split(char *s, const char **names, size_t n, size_t max)
{
	for (char *tok = strtok(s, ","); tok && n < max;
	     tok = strtok(NULL, ","))
		names[n++] = tok;
	return n;
}

static const struct option apply_opts[] = {
	{ "dry-run", no_argument, NULL, 'n' },
	{ "persist", no_argument, NULL, 'P' },
	{ "force", required_argument, NULL, 'f' },
	{ "only", required_argument, NULL, 'o' },
	{ "force-container", no_argument, NULL, 'C' },
	{ "verified-only", no_argument, NULL, 'V' },
	{ 0 }
};

static int apply_main(int argc, char **argv)
{
	const char *force[MAX_NAMES], *only[MAX_NAMES];
	struct mt_apply_opts ao = { 0 };
	struct mt_err err = { 0 };
	int o, problems = 0, lock = -1, fd = -1;
	bool only_given = false;

	while ((o = mt_cli_getopt(&mt_cmd_apply, argc, argv)) != -1) {
		switch (o) {
		case 'n': ao.dry_run = true; break;
		case 'P': ao.persist = true; break;
		case 'C': ao.force_container = true; break;
		case 'V': ao.verified_only = true; break;
		case 'f':
			ao.n_force = split(optarg, force, ao.n_force,
					   MAX_NAMES);
			break;
		case 'o':
			only_given = true;
			ao.n_only = split(optarg, only, ao.n_only, MAX_NAMES);
			break;
		default: return MT_EXIT_USAGE;
		}
	}
	ao.force = force;
	ao.only = only_given ? only : NULL;
	if (ao.n_only == MAX_NAMES || ao.n_force == MAX_NAMES)
		return mt_cli_usage_error(&mt_cmd_apply,
					  "at most %d names "
					  "in --only and in --force",
					  MAX_NAMES - 1);
	if (optind + 1 != argc)
		return mt_cli_usage_error(&mt_cmd_apply,
					  "expected one run "
					  "directory holding advice.json");
	if (!ao.dry_run) {
		lock = mt_cli_state_lock("apply", &fd);
		if (lock >= 0)
			return lock;
	}
	if (mt_apply(argv[optind], &ao, stdout, &problems, &err) < 0) {
		mt_state_unlock(fd);
		return mt_cli_fail(&err);
	}
	mt_state_unlock(fd);
	if (problems)
		fprintf(stderr,
			"memtune apply: %d item%s refused, clamped, "
			"skipped or overridden (see above)\n",
			problems, problems == 1 ? "" : "s");
	return mt_cli_finish(problems ? MT_EXIT_FAIL : MT_EXIT_OK);
}

const struct mt_command mt_cmd_apply = {
	.name = "apply",
	.summary = "apply the advice through the journal (rollback undoes it)",
	.usage = "usage: memtune apply DIR [--dry-run] [--persist] "
		 "[--only ID,...] [--force RULE,...]\n"
		 "                     [--force-container] [--verified-only]\n"
		 "\n"
		 "Applies the changes in DIR/advice.json (memtune advise DIR "
		 "writes it) to the\nrunning kernel through the state "
		 "journal (apply.journal), reading each value\nback: the "
		 "kernel may clamp or refuse, and that is reported. Process "
		 "settings\n(oom_score_adj, mlock, malloc) are printed for "
		 "you to install. memtune\nrollback undoes everything, also "
		 "after a reboot or a crash.\n"
		 "\n"
		 "  --dry-run          print exactly what would change; "
		 "change nothing\n"
		 "  --persist          also install /etc/sysctl.d/"
		 "99-memtune.conf with exactly the\n"
		 "                     sysctls applied (atomically, the old "
		 "file kept in the\n"
		 "                     journal); warns when a later sysctl.d "
		 "file overrides it;\n"
		 "                     says how to keep THP modes and 1 GiB "
		 "pools, which have\n"
		 "                     no sysctl.d line\n"
		 "  --only ID,...      apply only these items (ids as in "
		 "advice.json)\n"
		 "  --force RULE,...   allow a guarded value (the knob "
		 "table's danger\n"
		 "                     thresholds, core/knobs.c): "
		 "swappiness=0,\n"
		 "                     zone_reclaim_mode!=0, "
		 "overcommit_memory=2, min_free_kbytes\n"
		 "                     above 2% of memory, "
		 "vfs_cache_pressure=0,\n"
		 "                     dirty_writeback_centisecs=0, "
		 "max_map_count below 65530,\n"
		 "                     watermark_boost_factor above 15000, "
		 "THP shmem_enabled\n"
		 "                     force or deny\n"
		 "  --verified-only    only the items memtune tune found "
		 "improving (their\n"
		 "                     verification.verdict is "
		 "\"improves\")\n"
		 "  --force-container  apply although the machine looks like "
		 "a container (for a\n"
		 "                     VM with a stray /.dockerenv)\n"
		 "\n"
		 "Every path comes from memtune's own table of knobs, never "
		 "from advice.json;\nan item whose knob is unknown or whose "
		 "value is out of the knob's range\nstops apply before it "
		 "changes anything (exit 2, naming advice.json:LINE).\n"
		 "Needs root (except --dry-run). Exit status 1 if any item "
		 "was refused,\nclamped, skipped or is overridden.\n",
	.fn = apply_main,
	.shortopts = "",
	.longopts = apply_opts,
};
