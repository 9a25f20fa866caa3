/* memtune restore: plays back what a killed run left in the journal. */
#include <getopt.h>
#include <stdio.h>

#include "../core/journal.h"
#include "../core/statedir.h"
#include "cli.h"

static void say(const char *line)
{
	printf("%s\n", line);
}

/* The journals restore plays back, the most recent layer first: a run's
 * (also one that memtune tune started for a trial), then tune's own. */
static const char *const journals[] = { "run.journal", "tune.journal" };

static int restore_main(int argc, char **argv)
{
	char path[4096];
	struct mt_err err = { 0 };
	int lock, fd, had = 0;
	bool failed = false;

	if (mt_cli_getopt(&mt_cmd_restore, argc, argv) != -1)
		return MT_EXIT_USAGE;
	if (optind < argc)
		return mt_cli_usage_error(&mt_cmd_restore,
					  "unexpected argument '%s'",
					  argv[optind]);
	lock = mt_cli_state_lock("restore", &fd);
	if (lock >= 0)
		return lock;
	/* Every journal is played back even when one has an entry that
	 * fails: the first failure is reported at the end. */
	for (size_t i = 0; i < sizeof(journals) / sizeof(journals[0]); i++) {
		struct mt_err e = { 0 };
		int rc = mt_journal_default_path(journals[i], path,
						 sizeof(path), &e);

		if (rc == 0 && !mt_journal_pending(path))
			continue;
		if (rc == 0) {
			had++;
			rc = mt_journal_playback(path, say, &e);
		}
		if (rc < 0) {
			if (!failed)
				err = e;
			failed = true;
			continue;
		}
		printf("restored: every change in %s was undone\n", path);
	}
	mt_state_unlock(fd);
	if (failed)
		return mt_cli_fail(&err);
	if (!had) {
		mt_journal_default_path("run.journal", path, sizeof(path),
					&err);
		printf("nothing to restore: no pending journal at %s\n", path);
	}
	return MT_EXIT_OK;
}

const struct mt_command mt_cmd_restore = {
	.name = "restore",
	.summary = "undo the system changes a killed run left behind",
	.usage = "usage: memtune restore\n"
		 "\n"
		 "Plays back the state journal of a run that was killed before "
		 "it could clean\nup (kill -9, a crash, a power cut): puts "
		 "sysctls, THP modes and hugetlb pools\nback, turns off and "
		 "deletes swap files, removes cgroups and test files, in\n"
		 "reverse order. The journals are $MEMTUNE_STATE_DIR/"
		 "run.journal and\ntune.journal (memtune tune's trial "
		 "settings; its watchdog runs restore\nitself when tune dies) "
		 "(default /var/lib/memtune as root,\n~/.local/state/memtune "
		 "otherwise). 'memtune run' refuses to start while a\n"
		 "journal is pending.\n",
	.fn = restore_main,
	.shortopts = "",
};
