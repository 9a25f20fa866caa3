/* Memory regions with a chosen page backing, and checks of what the kernel
 * really gave (DESIGN §6): shared by every benchmark that maps memory.
 *
 * Backings:
 *   4k   anonymous mmap with MADV_NOHUGEPAGE
 *   thp  anonymous mmap aligned to 2 MiB with MADV_HUGEPAGE
 *   2m   MAP_HUGETLB | MAP_HUGE_2MB
 *   1g   MAP_HUGETLB | MAP_HUGE_1GB
 */
#ifndef MT_REGION_H
#define MT_REGION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../core/err.h"

/* 4k: MADV_NOHUGEPAGE; thp: MADV_HUGEPAGE; 2m and 1g: hugetlb; system: no
 * advice at all, so the system's THP mode (enabled = always, madvise or
 * never) decides what a program that never asks gets; memtune tune tries
 * a THP change on it. */
enum mt_backing {
	MT_BACK_4K,
	MT_BACK_THP,
	MT_BACK_2M,
	MT_BACK_1G,
	MT_BACK_SYS
};

extern const char *const mt_backing_names[]; /* NULL-terminated */

/* Parses "4k", "thp", "2m", "1g", "system". Returns 0 or -EINVAL. */
int mt_backing_parse(const char *s, enum mt_backing *out);
const char *mt_backing_name(enum mt_backing b);
/* The page size the backing asks for (4096 for 4k, thp and system). */
uint64_t mt_backing_page_size(enum mt_backing b);

struct mt_region {
	void *addr;  /* start of the usable region */
	size_t size; /* usable bytes, rounded up to the page size */
	enum mt_backing backing;
	void *map_addr; /* what mmap returned (for munmap) */
	size_t map_size;
};

/* Maps size bytes with the backing, without touching it. For hugetlb,
 * returns -ENOMEM with a message saying how many pages are free and the
 * command that reserves more. Returns 0 or -errno. */
int mt_region_map(struct mt_region *r, enum mt_backing b, size_t size,
		  struct mt_err *err);

/* Writes one byte per 4 KiB page (first touch, faults everything in). */
void mt_region_touch(struct mt_region *r);

void mt_region_unmap(struct mt_region *r);

/* Bytes of [addr, addr+size) that /proc/self/smaps says are backed by
 * transparent huge pages (AnonHugePages) and resident (Rss). Sums every VMA
 * overlapping the region, each counted at most for its overlap; for hugetlb
 * VMAs resident means Private_Hugetlb + Shared_Hugetlb (their Rss is 0).
 * Either pointer may be NULL. Costs a page-table walk: ~11 ms per GiB of
 * 4 KiB pages, ~0.2 ms per GiB of huge pages. Returns 0 or -errno. */
int mt_region_smaps(const struct mt_region *r, uint64_t *anon_huge,
		    uint64_t *rss, struct mt_err *err);

/* The parse step of mt_region_smaps, on smaps text already read (split in
 * place, so text is changed): the sums for the range [lo, hi). */
void mt_smaps_sum(char *text, uintptr_t lo, uintptr_t hi, uint64_t *anon_huge,
		  uint64_t *rss);

/* KernelPageSize in bytes of the VMA of smaps text (split in place) that
 * holds addr. Returns 0, or -ENOENT when no VMA holds it. */
int mt_smaps_page_size(char *text, uintptr_t addr, uint64_t *out);

/* Fraction (0..1) of the region backed by THP; negative on error. */
double mt_region_thp_coverage(const struct mt_region *r);

/* The hugetlb pool of one page size, as
 * /sys/kernel/mm/hugepages/hugepages-<kB>kB says. */
struct mt_hugetlb_pool {
	uint64_t page_size; /* bytes */
	uint64_t nr;	    /* nr_hugepages: pages in the pool */
	uint64_t free;	    /* free_hugepages: not faulted in */
	uint64_t resv;	    /* resv_hugepages: promised to mappings */
	uint64_t surplus;   /* surplus_hugepages */
};

/* Writes the logical path of a pool file ("nr_hugepages",
 * "free_hugepages"...) of the page size into buf:
 * /sys/kernel/mm/hugepages/hugepages-2048kB/<file>. Returns 0 or
 * -ENAMETOOLONG. */
int mt_hugetlb_pool_path(uint64_t page_size, const char *file, char *buf,
			 size_t len);

/* Reads the pool of the page size through the fsroot reader. Returns 0, or
 * -ENOENT when the kernel has no pool of that size, or -errno. */
int mt_hugetlb_pool_read(uint64_t page_size, struct mt_hugetlb_pool *p,
			 struct mt_err *err);

/* Pages a new mapping can still get: free minus reserved. */
uint64_t mt_hugetlb_pool_available(const struct mt_hugetlb_pool *p);

/* True when an anonymous region of `bytes` (4k or thp backing) fits
 * comfortably: at most 60% of MemAvailable, so that the worker is not
 * OOM-killed and the rest of the machine keeps working. Otherwise false,
 * with a reason naming the size, what is available and what to lower
 * (key, e.g. "tlb.sizes"). Hugetlb backings draw on their pool instead and
 * are not checked here. */
bool mt_region_fits(uint64_t bytes, const char *key, char *why, size_t len);

struct mt_env;
typedef struct json_t json_t;

/* Makes sure the hugetlb pool of backing b (2m or 1g) has `need` pages
 * available: grows nr_hugepages through env->journal when allowed
 * (env->allow_changes and the benchmark's hugetlb_reserve key, row
 * reserve_key of its schema, named in messages as BENCH.hugetlb_reserve), never beyond 1/4 of MemTotal, and
 * records in `note` what it found, did and what the kernel gave (it may
 * give fewer pages than asked). Never fails: a pool that stays short makes
 * that backing's cases skip with the command that fixes it. */
void mt_hugetlb_reserve(const struct mt_env *env, const char *bench,
			int reserve_key, enum mt_backing b, uint64_t need,
			json_t *note);

#endif
