/* A snapshot of the machine's memory configuration, read through the fsroot
 * reader (so it works on captured trees), and the capabilities benchmarks
 * need. Used by `memtune sysinfo` (which prints it for a person),
 * meta.json, the runner's needs check and the advisor. */
#ifndef MT_SYSINFO_H
#define MT_SYSINFO_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

struct mt_topo;

/* What this machine offers to benchmarks that need more than plain memory. */
struct mt_caps {
	bool root; /* effective uid 0 (and not in MEMTUNE_FSROOT) */
	bool in_container;
	int cgroup_version;	    /* 2 if cgroup2 has the memory controller,
				 * 1 if only the v1 memory controller, 0 none */
	char cgroup_v1_memory[256]; /* mount point of v1 memory, or "" */
	char cgroup_v2_root[256];   /* mount point of cgroup2, or "" */
	uint64_t swap_total;	    /* bytes of active swap */
	uint64_t mem_total;	    /* bytes, from /proc/meminfo */
	int numa_nodes;		    /* nodes with memory, from sysfs */
	bool hugetlb_2m;	  /* the kernel supports 2 MiB hugetlb pages */
	bool hugetlb_1g;	  /* the kernel supports 1 GiB hugetlb pages */
	uint64_t hugetlb_free_2m; /* free pages in the pools */
	uint64_t hugetlb_free_1g;
	char thp_enabled[16]; /* always / madvise / never / "" (no THP) */
	char thp_defrag[32];
};

/* Fills caps from the machine (through MEMTUNE_FSROOT). Returns 0 or -errno. */
int mt_caps_read(struct mt_caps *caps, struct mt_err *err);

/* The snapshot as JSON: host, kernel, cpu_model, memory (meminfo fields in
 * bytes), swap devices (path, type file/partition/zram, size, used,
 * priority), thp {enabled, defrag, khugepaged}, hugetlb pools per size
 * {nr, free, resv, surplus}, numa nodes (memory, distances), cgroup,
 * sysctls (vm.*), container, root. topo may be NULL. Returns a new object,
 * or NULL with err set. */
json_t *mt_sysinfo_collect(struct mt_topo *topo, struct mt_err *err);

/* The keys of the snapshot (schema_version 1); a key whose source file is
 * missing is left out rather than guessed:
 *   schema_version, fsroot, host, kernel, cpu_model, topology (when given),
 *   tlb {source, reported, entries_4k} (when the CPU reports a TLB size:
 *        /proc/cpuinfo "TLB size", AMD only),
 *   cpuid_tlb {source, vendor, hypervisor, reported, note, leaves, tlbs,
 *        entries_4k_l1, entries_4k_l2} (core/cpuid_tlb.h; only when fsroot
 *        is "/", since cpuid describes the CPU this runs on),
 *   memory {mem_total_bytes, mem_free_bytes, mem_available_bytes,
 *           cached_bytes, anon_huge_pages_bytes, swap_total_bytes, ...,
 *           hugepages_total, hugepages_free, hugepagesize_bytes, ...},
 *   swap {total_bytes, free_bytes, devices [{path, type, size_bytes,
 *         used_bytes, priority}]},
 *   thp {available, enabled, defrag, shmem_enabled, pmd_size_bytes,
 *        khugepaged {defrag, pages_to_scan, scan_sleep_millisecs,
 *        max_ptes_none}},
 *   hugetlb [{page_size_bytes, nr, free, resv, surplus, overcommit}]
 *           smallest page size first,
 *   numa {nodes_with_memory, nodes [{id, has_memory, memory_bytes,
 *         free_bytes, cpus, distances [..]}]},
 *   cgroup {version, v2_root, v2_controllers [..], v1_memory},
 *   sysctls {"vm.swappiness": 60, ..., "kernel.numa_balancing": 1},
 *   zswap {enabled "Y"/"N", max_pool_percent, compressor, zpool} (when the
 *         kernel has zswap), lru_gen {enabled "0x0007", min_ttl_ms} (when
 *         it has the multi-gen LRU), container, container_evidence,
 *   root,
 *   vmstat {allocstall, pgscan_direct, ...} (core/vmstat.h),
 *   psi {memory, cpu, io: {some, full: {avg10, avg60, avg300, total}}}
 *       (core/psi.h), uptime_seconds. */

/* Names the i-th sysctl the snapshot reads, as its key in "sysctls"
 * ("vm.swappiness", ..., "kernel.numa_balancing"), in the order it reads
 * them (`memtune sysinfo` prints them in that order). Writes the key into
 * buf (len bytes) and returns true; false past the last. */
bool mt_sysinfo_sysctl_key(size_t i, char *buf, size_t len);

#endif
