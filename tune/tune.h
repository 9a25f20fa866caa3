/* memtune tune: each recommended change A/B-verified on this machine
 * before it is kept (issue 15).
 *
 * For each selected item of DIR/advice.json, trials alternate the current
 * value (A) and the recommended one (B) in ABBA blocks of random
 * orientation, after one warm-up trial; every change goes through the run
 * journal and is undone after its trial, and a dead-man switch plays the
 * journal back if memtune dies meanwhile. Each trial runs the item's
 * probes (the operator's workload; the benchmark cases the evidence rests
 * on) and reads the guardrails (OOM kills, direct-reclaim stalls, swap-ins,
 * full memory pressure, the workload failing, its p99). The paired results
 * give each probe's effect with its interval (core/paired.h) and the
 * item's verdict, written into advice.json as "verification". */
#ifndef MT_TUNE_H
#define MT_TUNE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../core/err.h"

struct mt_tune_opts {
	const char *dir;	 /* the run directory with advice.json */
	const char *const *only; /* item ids (NULL: every change) */
	size_t n_only;
	const char *const *force; /* rules allowed past apply's guard */
	size_t n_force;
	const char *workload;	   /* sh -c command, or NULL */
	const char *metric;	   /* regex with a capture group, or NULL:
					 * the workload's wall time */
	const char *p99;	   /* regex of a p99 it prints, or NULL */
	bool lower_is_better;	   /* for --metric */
	int pairs;		   /* at least this many (even) pairs */
	uint64_t max_time_ns;	   /* 0: no cap */
	uint64_t trial_timeout_ns; /* per workload run; 0: none */
	bool aa;		   /* B = A: the false-positive check */
	bool no_bench;		   /* the workload only, no benchmark */
	uint64_t memory_max;	   /* run the workload in a memory cgroup
					 * of this limit (0: where we are) */
	uint64_t swap_file;	   /* make a swap file of this size for
					 * the session when none is active */
	const char *swap_dir;	   /* where (NULL: /var/tmp) */
	bool keep_verified;	   /* apply the improving items at the end */
	bool persist;		   /* ... and install the sysctl.d file */
	bool json;		   /* print the verification as JSON */
	uint64_t seed;
	const char *journal_path;  /* the knob changes' journal; NULL:
					 * the state dir's tune.journal */
	bool force_container;	   /* as apply --force-container */
	bool skip_privilege_check; /* tests on a fixture tree */
};

/* Runs the trials and writes the verification into DIR/advice.json;
 * prints the cost first and a table at the end to out, progress to
 * stderr. Returns 0 (whatever the verdicts), or -errno with err set
 * (MT_ERR_INPUT for bad options or a bad advice.json). */
int mt_tune(const struct mt_tune_opts *o, FILE *out, struct mt_err *err);

#endif
