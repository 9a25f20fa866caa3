/* NUMA placement through libnuma; the only file that includes libnuma's
 * headers (DESIGN §1). All functions work on a machine without NUMA support
 * as a single node 0. */
#ifndef MT_NUMA_H
#define MT_NUMA_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Number of nodes that have memory (1 when the kernel has no NUMA). */
int mt_numa_nodes_with_memory(void);

/* Highest node number + 1 (node numbers may have holes). */
int mt_numa_node_count(void);

/* True when node has memory. */
int mt_numa_node_has_memory(int node);

/* The ACPI SLIT distance from node a to node b (10 = local), or -1. */
int mt_numa_distance(int a, int b);

/* Total and free bytes of node (from libnuma); returns 0 or -errno. */
int mt_numa_node_memory(int node, int64_t *total, int64_t *free_bytes);

/* Fills cpus[0..max) with the OS indexes of node's CPUs; returns how many
 * (0 for a memory-only node), or -errno. */
int mt_numa_node_cpus(int node, int *cpus, int max);

/* The node of cpu, or -1. */
int mt_numa_cpu_node(int cpu);

enum mt_numa_policy {
	MT_NUMA_BIND,	    /* all pages on one node */
	MT_NUMA_INTERLEAVE, /* pages round-robin over every node with
				 * memory */
	MT_NUMA_LOCAL,	    /* the default: first touch decides */
};

/* Sets the memory policy of [addr, addr+len) (page aligned, not yet
 * touched) with mbind. node is used by MT_NUMA_BIND. Returns 0 or -errno
 * with err set. */
int mt_numa_set_policy(void *addr, size_t len, enum mt_numa_policy p, int node,
		       struct mt_err *err);

/* Asks the kernel where each page of [addr, addr+len) is (move_pages with
 * no target) and adds the page counts per node into counts[0..max_nodes).
 * Pages not present or on a node >= max_nodes count in *other. Returns 0
 * or -errno. page is the page size to step by (4096 unless huge). */
int mt_numa_where(void *addr, size_t len, size_t page, uint64_t *counts,
		  int max_nodes, uint64_t *other, struct mt_err *err);

#endif
