/* memtune __worker: internal; the runner execs it to measure one case in
 * a fresh process (see bench/runner/worker.h). Not listed in --help. */
#include <stdlib.h>

#include "../bench/runner/worker.h"
#include "cli.h"

static int worker_main(int argc, char **argv)
{
	if (argc != 3)
		return mt_cli_usage_error(&mt_cmd_worker,
					  "internal command: "
					  "memtune __worker JOB_FD OUT_FD");
	return mt_worker_main(atoi(argv[1]), atoi(argv[2]));
}

const struct mt_command mt_cmd_worker = {
	.name = "__worker",
	.summary = NULL,
	.usage = "usage: memtune __worker JOB_FD OUT_FD\n\nInternal: measures "
		 "one case for 'memtune run'.\n",
	.fn = worker_main,
};
