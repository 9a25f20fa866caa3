/* What makes memory pressure: child processes that stream a file through
 * the page cache or keep anonymous memory hot, inside a cgroup and off the
 * measuring CPU, and the sparse file that fills the cache at memory speed. */
#ifndef MT_PRESSURE_LOAD_H
#define MT_PRESSURE_LOAD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../../core/err.h"
#include "../../core/journal.h"
#include "sandbox.h"

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
			   int avoid_cpu, double rate_mb_s, struct mt_err *err);

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

#endif
