/* Helpers shared by the memory-pressure benchmarks reclaim, oom and mlock:
 * parsing zone watermarks, the OOM killer's badness rule, latency buffers,
 * /proc/vmstat deltas, the per-case cgroup handed from the parent to the
 * worker through the case's "system" object, and the child processes that
 * make pressure (a page-cache streamer, an anonymous thrasher).
 *
 * The pure parts (zoneinfo text, badness, latency buffers) take no global
 * state so the unit tests pin them without a machine. */
#ifndef MT_PRESSURE_UTIL_H
#define MT_PRESSURE_UTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../core/err.h"
#include "../core/zoneinfo.h"
#include "bench.h"
#include "sandbox.h"

/* The zones of the live machine as JSON: {zones: [{node, zone, free_pages,
 * min_pages, low_pages, high_pages, managed_pages}], min_kb, low_kb,
 * high_kb, free_kb} (sums over zones with managed pages). NULL with err set
 * when /proc/zoneinfo cannot be read or parsed. */
json_t *mt_zoneinfo_json(struct mt_err *err);

/* The OOM killer's badness of a task (mm/oom_kill.c oom_badness(), as
 * Documentation/filesystems/proc.rst describes it): rss + swap entries +
 * page-table pages, plus oom_score_adj / 1000 of `totalpages` (the memory
 * the OOM is about: the cgroup's limit, plus its swap allowance). All in
 * pages. adj -1000 makes a task unkillable: returns MT_OOM_UNKILLABLE. */
#define MT_OOM_UNKILLABLE INT64_MIN
int64_t mt_oom_badness(uint64_t rss, uint64_t swap, uint64_t pgtables,
		       uint64_t totalpages, int adj);

/* The index of the task the kernel should pick among points[0..n): the
 * highest badness; on a tie the later one (the kernel replaces its choice
 * when a later task scores the same). Returns -1 when every task is
 * unkillable. *tie (if not NULL) is set when the top score is shared, in
 * which case the choice depends on the kernel's iteration order. */
int mt_oom_expected(const int64_t *points, size_t n, bool *tie);

/* Latency samples (ns): a growable array, or with a `limit` a uniform
 * reservoir of at most `limit` samples (Algorithm R) so a long run keeps
 * bounded memory; the maximum is always exact. Zero-initialize, then
 * optionally set limit and seed. */
struct mt_lat {
	double *v;
	size_t n, cap;
	size_t limit;		/* 0: keep every sample */
	uint64_t seen;		/* samples offered */
	uint64_t seed;		/* reservoir PRNG state (0: fixed default) */
	double max;		/* largest sample offered */
};

/* Offers one sample; returns 0 or -ENOMEM (the sample is then lost but
 * the buffer stays valid). */
int mt_lat_add(struct mt_lat *l, double ns);
/* Sorts and summarizes: p50, p99 and max in the unit of the samples
 * divided by `scale` (1 for ns, 1000 for us). NAN each when empty. */
void mt_lat_summary(struct mt_lat *l, double scale, double *p50, double *p99,
		    double *max);
void mt_lat_free(struct mt_lat *l);

/* Reads the named /proc/vmstat counters into out[0..n) (0 for a counter
 * this kernel lacks). Returns 0 or -errno with err set. */
int mt_vmstat_read(const char *const *keys, size_t n, uint64_t *out,
		   struct mt_err *err);

/* Parent side, for case_sys_setup: creates the cgroup "memtune-NAME-PID"
 * (sandbox.h) with limit `max` and swap allowance swap_max (bytes, < 0
 * unlimited), and records {cgroup, cgroup_version, limit_bytes,
 * swap_max_bytes} in obtained so the worker finds it. Returns 0 or -errno. */
int mt_pressure_cgroup(const struct mt_env *env, const char *name,
		       uint64_t max, int64_t swap_max, json_t *obtained,
		       struct mt_err *err);

/* Worker side: the cgroup that case_sys_setup recorded in the case's
 * "system" object. Returns 0, or -ENOENT with a reason in why. */
int mt_pressure_case_cgroup(const struct mt_case *c, struct mt_cgroup *cg,
			    char *why, size_t len);

/* Creates a sparse file of `bytes` at path through the journal (noted
 * first, so playback deletes it; O_EXCL so nothing existing is touched).
 * Reading its holes fills the page cache with clean pages at memory speed,
 * without disk I/O, which is how the benchmarks fill a cgroup or the
 * machine with reclaimable cache in seconds. Returns 0 or -errno. */
int mt_pressure_sparse_file(struct mt_journal *j, const char *path,
			    uint64_t bytes, struct mt_err *err);

/* Forks a child that joins cg (when not NULL), runs on every CPU but
 * `avoid_cpu` (when another exists), dies with its parent, and reads the
 * file at path from start to end in 1 MiB preads, over and over, until
 * killed. `rate_mb_s` > 0 caps its speed. Returns the pid or -errno. */
pid_t mt_pressure_streamer(const struct mt_cgroup *cg, const char *path,
			   int avoid_cpu, double rate_mb_s,
			   struct mt_err *err);

/* Forks a child like the streamer that maps `bytes` of anonymous memory,
 * writes to every page, and then (when `loop`) keeps writing one byte per
 * page in sequence until killed; with !loop it sleeps holding the memory.
 * It writes one byte to ready_fd (when >= 0) once the first pass is done.
 * Returns the pid or -errno. */
pid_t mt_pressure_anon(const struct mt_cgroup *cg, uint64_t bytes, bool loop,
		       int avoid_cpu, int ready_fd, struct mt_err *err);

/* Kills (SIGKILL) and reaps a child started by the functions above; a
 * pid <= 0 is ignored. */
void mt_pressure_stop(pid_t pid);

/* Runs the calling process on every CPU but avoid_cpu when there are
 * others. Best effort. */
void mt_pressure_avoid_cpu(int avoid_cpu);

/* Sums allocstall_* of a vmstat read made with mt_pressure_vmstat_keys. */
extern const char *const mt_pressure_vmstat_keys[];
#define MT_PV_ALLOCSTALL_FIRST 0
#define MT_PV_ALLOCSTALL_N 5
enum {
	MT_PV_PGSCAN_KSWAPD = 5,
	MT_PV_PGSCAN_DIRECT,
	MT_PV_PGSTEAL_KSWAPD,
	MT_PV_PGSTEAL_DIRECT,
	MT_PV_PGSCAN_ANON,
	MT_PV_PGSCAN_FILE,
	MT_PV_COMPACT_STALL,
	MT_PV_PGMAJFAULT,
	MT_PV_PSWPIN,
	MT_PV_PSWPOUT,
	MT_PV_WS_REFAULT_FILE,
	MT_PV_WS_REFAULT_ANON,
	MT_PV_N,
};

#endif
