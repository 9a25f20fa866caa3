/* One sample of `memtune observe` (issue 18, the observation directory
 * contract): every series read at one time becomes one record
 *   {"bench": "observe", "case": {"target": T, "t": t, "sample": k},
 *    "metric": "<source>.<name>", "unit": U, "value": V, "n": 1, ...}
 * appended to a batch that the loop writes to results.jsonl at once.
 * The samplers of observe/sample_*.c take a struct mt_obs_emit and call
 * mt_obs_put for each value they read; cumulative kernel counters are put
 * as read (raw), the analyzer takes differences.
 */
#ifndef MT_OBS_SAMPLE_H
#define MT_OBS_SAMPLE_H

#include <jansson.h>
#include <stdbool.h>

#include "../core/err.h"

struct mt_obs_emit {
	json_t *batch;	    /* the records of this sample (an array) */
	const char *target; /* "system", "pid:N", "cgroup:/path" */
	double t;	    /* seconds since the observation started */
	long sample;	    /* sample number, from 0 */
	bool nomem;	    /* a record could not be made */
};

/* Appends the record of metric = value (in unit) for em's target to
 * em->batch; sets em->nomem when memory runs out. */
void mt_obs_put(struct mt_obs_emit *em, const char *metric, const char *unit,
		double value);

/* Puts PREFIX.Field in bytes for each of fields that text ("Field: N kB",
 * as /proc/meminfo and /proc/PID/status write) holds. */
void mt_obs_put_keys(struct mt_obs_emit *em, const char *text,
		     const char *prefix, const char *const *fields, size_t n);

/* The value of metric for target in batch (a sample's records), into
 * *out; false when the batch has none. For the live view and tests. */
bool mt_obs_batch_get(json_t *batch, const char *target, const char *metric,
		      double *out);

/* --- the system (observe/sample_system.c) ------------------------------- */

/* What the system sampler found missing at its first sample (no PSI, no
 * NUMA sysfs), for meta.json; "" when nothing. */
struct mt_obs_system {
	int nodes[256]; /* node ids with a numastat file */
	int n_nodes;
	bool probed;
	char psi_missing[256]; /* why psi.* is not written, or "" */
};

/* meminfo.*, vmstat.*, psi.* and numastat.node<N>.* of MEMTUNE_FSROOT's
 * /proc and /sys. Returns 0, or -errno when /proc/meminfo or /proc/vmstat
 * cannot be read (err set). */
int mt_obs_sample_system(struct mt_obs_system *sys, struct mt_obs_emit *em,
			 struct mt_err *err);

/* Parsers of one file's text each, putting its series (for tests). */
void mt_obs_put_meminfo(struct mt_obs_emit *em, const char *text);
void mt_obs_put_vmstat(struct mt_obs_emit *em, const char *text);
void mt_obs_put_psi(struct mt_obs_emit *em, const char *text);
void mt_obs_put_numastat(struct mt_obs_emit *em, int node, const char *text);

/* --- a process (observe/sample_pid.c) ----------------------------------- */

/* status.* from /proc/PID/status text. Returns false when the text has
 * no VmRSS (a kernel thread, a zombie). */
bool mt_obs_put_status(struct mt_obs_emit *em, const char *text);
/* smaps.* from /proc/PID/smaps_rollup text; false when it has no Rss. */
bool mt_obs_put_smaps(struct mt_obs_emit *em, const char *text);
/* stat.minflt and stat.majflt from /proc/PID/stat text (fields 10 and 12,
 * after the ")" that ends comm); false when malformed. */
bool mt_obs_put_stat(struct mt_obs_emit *em, const char *text);

/* --- a cgroup (observe/sample_cgroup.c) --------------------------------- */

/* memstat.* from memory.stat text: the cgroup v2 keys of the contract;
 * v1 = true maps cgroup v1's names (rss -> anon, cache -> file,
 * mapped_file -> file_mapped, dirty -> file_dirty). */
void mt_obs_put_memstat(struct mt_obs_emit *em, const char *text, bool v1);
/* events.* from memory.events text (v2). */
void mt_obs_put_events(struct mt_obs_emit *em, const char *text);

#endif
