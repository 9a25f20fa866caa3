/* The kernel's reclaim counters (/proc/vmstat) and uptime (/proc/uptime),
 * read through the fsroot reader, for the system snapshot and the advisor's
 * live signals (issue 13).
 *
 * The snapshot keeps only the counters that matter to memory tuning, under
 * the kernel's own names, plus sums that hide the kernel's renamings:
 *   allocstall          sum of allocstall_dma/dma32/normal/movable/device
 *                       (4.10+), or the single "allocstall" line of older
 *                       kernels
 *   pgscan_kswapd, pgscan_direct, pgsteal_kswapd, pgsteal_direct
 *                       the node counter (4.8+), or the sum of the per-zone
 *                       lines (pgscan_direct_normal...) of older kernels
 *   workingset_refault  workingset_refault_anon + _file (5.9+), or the
 *                       single line of older kernels
 * A counter the kernel does not have is left out, never set to 0.
 */
#ifndef MT_VMSTAT_H
#define MT_VMSTAT_H

#include <jansson.h>
#include <stdbool.h>

/* The counters mt_vmstat_parse keeps, NULL-terminated (the sums above
 * first, then the kernel's own lines). */
extern const char *const mt_vmstat_counters[];

/* The kept counters of /proc/vmstat text as a new JSON object of integers
 * ({} when none is there), or NULL when memory runs out. */
json_t *mt_vmstat_parse(const char *text);

/* mt_vmstat_parse of MEMTUNE_FSROOT's /proc/vmstat; NULL when the file
 * cannot be read (a tree captured without it). */
json_t *mt_vmstat_json(void);

/* Seconds since boot from /proc/uptime (its first field) into *out.
 * Returns false when the file is absent or malformed. */
bool mt_uptime_read(double *out);

#endif
