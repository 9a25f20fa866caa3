/* The /proc/vmstat counters the pressure benchmarks read before and after
 * a measurement (allocation stalls, scans, steals, refaults, swap traffic),
 * by name into an array indexed by MT_PV_*. */
#ifndef MT_VMSTAT_COUNTERS_H
#define MT_VMSTAT_COUNTERS_H

#include <stddef.h>
#include <stdint.h>

#include "../../core/err.h"

/* Reads the named /proc/vmstat counters into out[0..n) (0 for a counter
 * this kernel lacks). Returns 0 or -errno with err set. */
int mt_vmstat_read(const char *const *keys, size_t n, uint64_t *out,
		   struct mt_err *err);

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
