/* memtune observe (issue 18): samples what the running workload does to
 * memory and writes an observation directory in the run-directory format
 * (/work/notes/observe-contract.md: meta.json with "kind": "observation",
 * results.jsonl with one record per sample per series, snapshots/ before
 * and after), which analyze, report, compare and advise read.
 *
 * observe/ is the collector's layer: cli/ calls it, it uses core/ only.
 */
#ifndef MT_OBSERVE_H
#define MT_OBSERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/err.h"

/* One target of the command line: kind "pid", "cgroup" or "unit" and what
 * followed the option. */
struct mt_obs_spec {
	const char *kind;
	const char *spec;
};

struct mt_obs_opts {
	uint64_t duration_ns; /* how long to observe */
	uint64_t interval_ns; /* between samples */
	const struct mt_obs_spec *targets;
	size_t n_targets;
	const char *outdir; /* exactly this new directory, or NULL */
	const char *parent; /* else a new HOST-DATE directory in it */
	bool live;	    /* the live view (a terminal) */
	int argc;	    /* the command line, for meta.json */
	char **argv;
};

/* Observes until the duration has passed, a signal (SIGINT, SIGTERM,
 * SIGHUP) comes or 'q' is typed in the live view; each ends the
 * observation cleanly (state "complete", "stopped" says which). Writes the
 * directory's path into dir (also on failure once it exists, "" before).
 * Returns 0, or -errno with err set (MT_ERR_INPUT: a target that does
 * not exist, an output directory that exists). */
int mt_observe(const struct mt_obs_opts *o, char *dir, size_t len,
	       struct mt_err *err);

#endif
