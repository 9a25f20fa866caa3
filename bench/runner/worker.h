/* The worker process that measures one case. The runner does not measure
 * in a plain fork of itself: a fork inherits the runner's heap, and glibc's
 * malloc state with it (its mmap threshold moves up after large frees), so
 * an allocation benchmark would measure the runner, not a fresh process.
 * mt_bench_run_case (casejob.h) therefore forks and execs `memtune
 * __worker`, and hands it the case as one JSON value on a pipe. The worker
 * rebuilds the case and its environment from that value (it does not plan),
 * pins itself, and writes its records to the output pipe, one per line,
 * then one summary line {"worker": {"records": N, "failed": F}} (F of the
 * N records have status "failed"), and exits with one of the statuses
 * below. */
#ifndef MT_WORKER_H
#define MT_WORKER_H

#include <jansson.h>

#include "../bench.h"
#include "measure.h"

/* A worker's exit status. */
enum mt_worker_exit {
	MT_WORKER_OK = 0,    /* its records and the summary were written */
	MT_WORKER_WRITE = 1, /* the output pipe failed: records lost */
	/* 2 is the command line's usage error (cli) */
	MT_WORKER_BAD_JOB = 3,	 /* no job or a malformed one (the one
				 * record says why) */
	MT_WORKER_ORPHAN = 4,	 /* the runner died before the exec */
	MT_WORKER_NO_EXEC = 127, /* exec of /proc/self/exe failed */
};

/* What an exit status of a worker means, for messages. */
const char *mt_worker_exit_text(int status);

/* Runs a job read from job_fd, writing records to out_fd. Returns the exit
 * status for the worker process (enum mt_worker_exit). */
int mt_worker_main(int job_fd, int out_fd);

#endif
