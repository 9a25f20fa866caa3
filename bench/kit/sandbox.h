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

#include "../../core/err.h"
#include "../../core/journal.h"
#include "../../core/sysinfo.h"

struct mt_cgroup {
	int version;	/* 1 or 2 */
	char path[512]; /* absolute directory of the cgroup */
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
int mt_cgroup_enter(const struct mt_cgroup *cg, pid_t pid, struct mt_err *err);

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

/* ---- additions: pure parts, taking text, so they can be unit-tested ---- */

/* One line of /proc/swaps. */
struct mt_swap_dev {
	char path[256];
	char type[16]; /* "file", "partition" or "zram" */
	uint64_t size_bytes, used_bytes;
	int priority;
};

/* Parses the text of /proc/swaps into devs[0..max) (the header line is
 * skipped; a /dev/zramN partition is typed "zram"; "\040" in a path is a
 * space). *n receives the number of devices. Returns 0, or -EINVAL when a
 * line is malformed. */
int mt_swaps_parse(const char *text, struct mt_swap_dev *devs, size_t max,
		   size_t *n);

/* Fills page[0..page_size) with a version-1 swap header for a swap area of
 * size_bytes (what mkswap writes): zeros, version 1 at byte 1024,
 * last_page = size_bytes / page_size - 1, no bad pages, uuid (16 bytes, may
 * be NULL) at 1036, "SWAPSPACE2" in the last 10 bytes. Returns 0, or
 * -EINVAL when the area is smaller than 10 pages, page_size is below 4096
 * or last_page does not fit in 32 bits. */
int mt_swap_header_fill(unsigned char *page, size_t page_size,
			uint64_t size_bytes, const unsigned char *uuid);

/* Pressure stall information of one memory.pressure or /proc/pressure
 * file. */
struct mt_psi {
	double some_avg10, full_avg10; /* percent */
	uint64_t some_total_us, full_total_us;
	bool has_full;
};

/* Parses PSI text ("some avg10=.. avg60=.. avg300=.. total=N" and "full
 * ..."). Returns 0, or -EINVAL when there is no "some" line. */
int mt_psi_parse(const char *text, struct mt_psi *out);

/* Adds the counters of a memory.stat text (cgroup version 1 or 2) to out
 * under version-neutral keys: anon_bytes (v2 anon, v1 rss), file_bytes
 * (file / cache), swap_bytes (v1 swap), pgfault, pgmajfault,
 * workingset_refault_anon, workingset_refault_file (v1 before 5.9:
 * workingset_refault), pgscan, pgsteal, pswpin, pswpout (v2, where the
 * kernel has them). Keys absent from the text are left out. Returns the
 * number of keys added. */
int mt_memory_stat_parse(const char *text, int version, json_t *out);

/* Adds every "key integer" line of text (v2 memory.events, v1
 * memory.oom_control) to out as an integer. Returns the number added. */
int mt_memory_events_parse(const char *text, json_t *out);

/* True when a kernel release string ("6.1.0-13-amd64") is at least
 * major.minor. */
bool mt_kernel_at_least(const char *release, int major, int minor);

/* The largest swappiness the kernel accepts: 200 from Linux 5.8, else 100
 * (reads /proc/sys/kernel/osrelease through MEMTUNE_FSROOT; 100 when it
 * cannot be read). */
int mt_swappiness_max(void);

/* The cgroup's memory.pressure (v2) or, on v1 where cgroups have no PSI,
 * the machine's /proc/pressure/memory; *scope receives "cgroup" or
 * "system". Returns 0 or -errno (-ENOENT: the kernel has no PSI). */
int mt_cgroup_psi(const struct mt_cgroup *cg, struct mt_psi *out,
		  const char **scope, struct mt_err *err);

#endif
