/* memtune apply and rollback on a fixture tree, for fault injection.
 *
 * `memtune apply` and `memtune rollback` need root, and under
 * MEMTUNE_FSROOT memtune never counts as root (caps.root is false for a
 * captured tree), so the commands themselves cannot run against a copied
 * fixture. This program is the same code path as cli/cmd_apply.c and
 * cli/cmd_rollback.c — mt_apply and mt_rollback with the command layer's
 * exit statuses and its check of stdout — with the privilege check skipped
 * the way tests/unit/test_advisor.c skips it, and an explicit journal.
 *
 *   fi_apply apply DIR JOURNAL [--persist]
 *   fi_apply rollback JOURNAL
 *
 * Exit status as memtune's: 0 done, 1 failure or a refused item, 2 bad
 * usage or input. Never run it without MEMTUNE_FSROOT: run.sh does. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../advisor/advisor.h"
#include "../../core/json_safe.h"

/* The command layer's end (cli/main.c mt_cli_finish): stdout is flushed
 * and checked, so a full disk is an error. */
static int finish(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr,
			"fi_apply: error: cannot write standard "
			"output: %s\n",
			strerror(errno));
		return 1;
	}
	return status;
}

/* cli/main.c mt_cli_fail. */
static int fail(const struct mt_err *err)
{
	fprintf(stderr, "fi_apply: error: %s\n",
		err->msg[0] ? err->msg : "unknown error");
	return err->kind == MT_ERR_INPUT ? 2 : 1;
}

int main(int argc, char **argv)
{
	struct mt_err err = { 0 };
	const char *root = getenv("MEMTUNE_FSROOT");

	mt_json_init(); /* as cli/main.c */
	if (!root || !root[0] || strcmp(root, "/") == 0) {
		fprintf(stderr, "fi_apply: refusing without MEMTUNE_FSROOT set "
				"to a copied fixture tree\n");
		return 2;
	}
	if (argc >= 4 && strcmp(argv[1], "apply") == 0) {
		struct mt_apply_opts ao = {
			.force_container = true,
			.skip_privilege_check = true,
			.journal_path = argv[3],
			.persist = argc > 4 &&
				   strcmp(argv[4], "--persist") == 0,
		};
		int problems = 0;

		if (mt_apply(argv[2], &ao, stdout, &problems, &err) < 0)
			return fail(&err);
		if (problems)
			fprintf(stderr,
				"fi_apply: %d item%s refused, clamped, "
				"skipped or overridden\n",
				problems, problems == 1 ? "" : "s");
		return finish(problems ? 1 : 0);
	}
	if (argc == 3 && strcmp(argv[1], "rollback") == 0) {
		if (mt_rollback(argv[2], stdout, &err) < 0)
			return fail(&err);
		return finish(0);
	}
	fprintf(stderr, "usage: fi_apply apply DIR JOURNAL [--persist] | "
			"fi_apply rollback JOURNAL\n");
	return 2;
}
