/* The worker process that measures one case. The runner does not measure
 * in a plain fork of itself: a fork inherits the runner's heap, and glibc's
 * malloc state with it (its mmap threshold moves up after large frees), so
 * an allocation benchmark would measure the runner, not a fresh process.
 * The runner therefore forks and execs `memtune __worker`, and hands it the
 * job as one JSON object on a pipe:
 *   {"bench", "section", "case_index", "case" (with "system"),
 *    "config": {SECTION: {KEY: TEXT}} (resolved), "rundir", "cpu", "seed",
 *    "quick", "allow_changes", "sampling": {...}}
 * The worker rebuilds the environment, re-plans to find the case's metrics,
 * pins itself and writes its records to the output pipe. */
#ifndef MT_WORKER_H
#define MT_WORKER_H

#include <jansson.h>

#include "bench.h"
#include "measure.h"

/* Runs a job read from job_fd, writing records to out_fd. Returns the exit
 * status for the worker process: 0 when records were written. */
int mt_worker_main(int job_fd, int out_fd);

#endif
