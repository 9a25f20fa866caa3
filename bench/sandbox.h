/* The sandbox that memory-pressure benchmarks run in (issue 4): a memory
 * cgroup per case (v2 where the memory controller is there, else v1), swap
 * (the machine's, or a swap file created through the journal), and
 * protection of the runner from the OOM killer.
 *
 * Parent side (sys_setup / case_sys_setup) functions take the journal:
 * every directory, limit, sysctl and swap area they create or change is
 * undone by the runner's rollback or by `memtune restore`. Worker side
 * functions only join and read. */
#ifndef MT_SANDBOX_H
#define MT_SANDBOX_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "../core/err.h"
#include "../core/journal.h"
#include "../core/sysinfo.h"

struct mt_cgroup {
	int version;		/* 1 or 2 */
	char path[512];		/* absolute directory of the cgroup */
};

/* Creates the cgroup "memtune-NAME-PID" under the v2 root (with the memory
 * controller enabled in the parent's cgroup.subtree_control, journaled) or
 * the v1 memory mount, journaling its removal (playback kills what is left
 * in it). Returns 0 or -errno; -ENOTSUP when there is no usable controller
 * (message names the mount to create). */
int mt_cgroup_create(struct mt_journal *j, const struct mt_caps *caps,
		     const char *name, struct mt_cgroup *cg,
		     struct mt_err *err);

/* Sets the memory limit (bytes), an optional soft limit `high` (0 = none;
 * v2 memory.high, v1 memory.soft_limit_in_bytes) and the swap allowance
 * (swap_max < 0: unlimited; v2 memory.swap.max, v1 memory.memsw.limit_in_
 * bytes = max + swap_max when the kernel has memsw accounting). */
int mt_cgroup_set_limits(struct mt_journal *j, const struct mt_cgroup *cg,
			 uint64_t max, uint64_t high, int64_t swap_max,
			 struct mt_err *err);

/* Per-cgroup swappiness: v1's memory.swappiness (journaled). On v2 there is
 * none: returns -ENOTSUP so the caller sets vm.swappiness instead. */
int mt_cgroup_set_swappiness(struct mt_journal *j, const struct mt_cgroup *cg,
			     int swappiness, struct mt_err *err);

/* Moves process pid into the cgroup (cgroup.procs, or v1 tasks/procs).
 * Worker side; nothing to undo (the cgroup's removal covers it). */
int mt_cgroup_enter(const struct mt_cgroup *cg, pid_t pid,
		    struct mt_err *err);

/* Reads the cgroup's counters into a new object: v2 memory.events (oom,
 * oom_kill, high, max), memory.stat (anon, file, pgmajfault, workingset_
 * refault_anon/file, pgscan, pgsteal), memory.pressure (some/full avg10 and
 * total us), memory.current, memory.swap.current; v1 the equivalents
 * (memory.stat, memory.oom_control, memory.usage_in_bytes, memory.failcnt).
 * Keys are the same on both versions where the meaning is. */
json_t *mt_cgroup_counters(const struct mt_cgroup *cg, struct mt_err *err);

/* The swap this run can use. When none is active and `allow_create`,
 * creates a swap file of `size` bytes in `dir` (journaled: deleted after;
 * written with real blocks, no holes; the swap header written by us so no
 * mkswap is needed), swapon through the journal. `info` receives {device,
 * type: file|partition|zram, size_bytes, created: bool}. Returns 0,
 * -ENOENT when there is no swap and none may be created (the message says
 * how to allow it), or -errno. */
int mt_swap_ensure(struct mt_journal *j, const struct mt_caps *caps,
		   bool allow_create, uint64_t size, const char *dir,
		   json_t *info, struct mt_err *err);

/* Random 4 KiB read latency of the swap device (O_DIRECT preads of the
 * file or block device, n reads): stores p50 and p99 in microseconds. */
int mt_swap_read_latency(const char *device, int n, double *p50_us,
			 double *p99_us, struct mt_err *err);

/* Protects the calling process (the runner) from the OOM killer
 * (oom_score_adj -1000, root only); workers set their own positive value
 * with mt_oom_score_adj_set. Process attributes, not system state, so not
 * journaled. */
int mt_oom_protect_self(struct mt_err *err);
int mt_oom_score_adj_set(pid_t pid, int adj, struct mt_err *err);

#endif
