/* The operator's own workload as a measurement (issue 15: `memtune tune
 * --workload CMD --metric REGEX`).
 *
 * The command runs with `sh -c` in its own process group (a timeout or a
 * dying memtune takes the whole group), stdin from /dev/null. Its metric is
 * the first capture group of a POSIX extended regular expression at its
 * first match in the command's standard output (for example
 * 'tps = ([0-9.]+)'); without an expression, the wall time in seconds.
 * An optional second expression reads a p99 the command prints, for the
 * guardrails. */
#ifndef MT_WORKLOAD_H
#define MT_WORKLOAD_H

#include <regex.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"

struct mt_workload_result {
	int status; /* wait status of sh */
	bool timed_out;
	double wall_s;	/* from fork to the group's end */
	double metric;	/* the capture, or wall_s without a regex */
	bool matched;	/* the metric regex matched a number */
	double p99;	/* the p99 capture, NAN without one */
	char tail[512]; /* the end of stderr (or stdout), for a
				 * failure message */
};

/* Compiles an extended regular expression that must hold at least one
 * capture group; what names it (e.g. "--metric") goes into the message.
 * Returns 0 or -EINVAL with err set. Free with regfree. */
int mt_workload_regex(regex_t *re, const char *text, const char *what,
		      struct mt_err *err);

/* Runs cmd (`sh -c cmd`) for at most timeout_ns (0: no limit) and reads
 * its figures; metric_re and p99_re may be NULL. A command that fails,
 * times out or prints no match is a result, not an error: the caller
 * judges it (status, timed_out, matched). Returns 0, or -errno with err
 * set when the command could not be run at all. */
int mt_workload_run(const char *cmd, const regex_t *metric_re,
		    const regex_t *p99_re, uint64_t timeout_ns,
		    struct mt_workload_result *out, struct mt_err *err);

/* The same, with the command (and all it starts) inside the cgroup whose
 * membership file is cgroup_procs (NULL: where memtune is): a command
 * that cannot enter it fails with status 126 and the reason in tail. */
int mt_workload_run_in(const char *cmd, const char *cgroup_procs,
		       const regex_t *metric_re, const regex_t *p99_re,
		       uint64_t timeout_ns, struct mt_workload_result *out,
		       struct mt_err *err);

/* True when the result is a success: exit status 0 in time, and the
 * metric's regex (if any) matched. */
bool mt_workload_ok(const struct mt_workload_result *r, bool want_match);

#endif
