/* Pressure stall information (Documentation/accounting/psi.rst): the share
 * of wall time in which some (or all non-idle) tasks waited for memory, CPU
 * or I/O, read through the fsroot reader; and one cgroup's memory state
 * (memory.stat, memory.events, memory.pressure of cgroup v2,
 * Documentation/admin-guide/cgroup-v2.rst).
 *
 * A PSI file as JSON:
 *   {"some": {"avg10": 4.5, "avg60": 3.1, "avg300": 1.2, "total": 123},
 *    "full": {...}}
 * avgN are percentages over the last N seconds; total is microseconds
 * stalled since boot (or since the cgroup was made). A line the kernel
 * does not write (cpu "full" before 5.13) is left out.
 */
#ifndef MT_PSI_H
#define MT_PSI_H

#include <jansson.h>

/* Parses the text of a pressure file. Returns a new object (with neither
 * "some" nor "full" when the text has no valid line), or NULL when memory
 * runs out. */
json_t *mt_psi_text_json(const char *text);

/* {"memory": PSI, "cpu": PSI, "io": PSI} from /proc/pressure, each
 * resource only when its file can be read; NULL when none can (no
 * CONFIG_PSI, psi=0 on the command line, or a kernel before 4.20). */
json_t *mt_psi_json(void);

/* One cgroup v2's memory state: cgroup_path is the cgroup's path below
 * the cgroup2 mount ("/system.slice/postgresql.service") or an absolute
 * path under /sys/fs/cgroup. Returns
 *   {"path": P, "stat": {memory.stat, integers},
 *    "events": {memory.events: low, high, max, oom, oom_kill...},
 *    "pressure": PSI of memory.pressure, "current": bytes}
 * with each part only when its file can be read, or NULL when the cgroup
 * has none of them (no such cgroup, or cgroup v1) or the path has a ".."
 * component. */
json_t *mt_cgroup_memory_json(const char *cgroup_path);

#endif
