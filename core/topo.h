/* Topology and CPU pinning through hwloc; the only file that includes
 * hwloc headers (DESIGN §1). Honors MEMTUNE_FSROOT by pointing hwloc at the
 * same root (then binding is not possible: it is another machine). */
#ifndef MT_TOPO_H
#define MT_TOPO_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "safefile.h"

struct mt_topo;

/* Loads the topology. Returns 0 or -errno with err set. */
int mt_topo_load(struct mt_topo **out, struct mt_err *err);
void mt_topo_destroy(struct mt_topo *t);

/* Number of processing units (logical CPUs) and NUMA nodes. */
int mt_topo_npus(const struct mt_topo *t);
int mt_topo_nnodes(const struct mt_topo *t);

/* The CPU (OS index) measurements run on by default: the last PU, which on
 * most systems takes fewer interrupts than CPU 0. */
int mt_topo_default_cpu(const struct mt_topo *t);

/* Binds the calling process (all threads) to the PU with OS index cpu.
 * Returns 0, -EINVAL for an unknown CPU, or -errno. */
int mt_topo_pin(struct mt_topo *t, int cpu, struct mt_err *err);

/* Writes hwloc's XML export of the machine to dir/name (replaced
 * atomically through core/safefile). Returns 0 or -errno with err set. */
int mt_topo_export_xml(struct mt_topo *t, const struct mt_outdir *dir,
		       const char *name, struct mt_err *err);

/* A summary: {"packages","cores","pus","numa_nodes","caches":[{"level",
 * "type","size_bytes","line_bytes","count"}],"node_memory_bytes":[..]}.
 * Returns a new object or NULL. */
json_t *mt_topo_summary(const struct mt_topo *t);

/* The size in bytes of the data cache at `level` (1..3), 0 if unknown. */
uint64_t mt_topo_cache_size(const struct mt_topo *t, int level);

#endif
