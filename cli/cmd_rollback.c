/* memtune rollback: undoes the last apply from apply.journal. */
#include <getopt.h>
#include <stdio.h>

#include "../advisor/advisor.h"
#include "../core/fsroot.h"
#include "../core/statedir.h"
#include "../core/sysinfo.h"
#include "cli.h"

static const struct option rollback_opts[] = { { "force-container", no_argument,
						 NULL, 'C' },
					       { 0 } };

static int rollback_main(int argc, char **argv)
{
	struct mt_err err = { 0 };
	struct mt_caps caps;
	bool force_container = false;
	int o, lock, fd;

	while ((o = mt_cli_getopt(&mt_cmd_rollback, argc, argv)) != -1) {
		if (o == 'C')
			force_container = true;
		else
			return MT_EXIT_USAGE;
	}
	if (optind < argc)
		return mt_cli_usage_error(&mt_cmd_rollback,
					  "unexpected argument '%s'",
					  argv[optind]);
	if (mt_caps_read(&caps, &err) < 0)
		return mt_cli_fail(&err);
	/* Under MEMTUNE_FSROOT the journal names files of that tree. */
	if (!mt_fsroot_is_live())
		caps.root = true, caps.in_container = false;
	if (!caps.root) {
		mt_err_set(&err, -1, MT_ERR_RUNTIME,
			   "rollback: needs root: "
			   "it writes /proc/sys, /sys and /etc/sysctl.d (run "
			   "it with sudo)");
		return mt_cli_fail(&err);
	}
	if (caps.in_container && !force_container) {
		mt_err_set(&err, -1, MT_ERR_RUNTIME,
			   "rollback: refusing "
			   "inside a container; pass --force-container if "
			   "apply was run with it");
		return mt_cli_fail(&err);
	}
	lock = mt_cli_state_lock("rollback", &fd);
	if (lock >= 0)
		return lock;
	if (mt_rollback(NULL, stdout, &err) < 0) {
		mt_state_unlock(fd);
		return mt_cli_fail(&err);
	}
	mt_state_unlock(fd);
	return mt_cli_finish(MT_EXIT_OK);
}

const struct mt_command mt_cmd_rollback = {
	.name = "rollback",
	.summary = "undo the last apply",
	.usage = "usage: memtune rollback [--force-container]\n"
		 "\n"
		 "Restores every value and file that memtune apply changed "
		 "since the last\nrollback, from apply.journal "
		 "($MEMTUNE_STATE_DIR, else /var/lib/memtune as\nroot), "
		 "also after a reboot or a crash in between. Needs root.\n",
	.fn = rollback_main,
	.shortopts = "",
	.longopts = rollback_opts,
};
