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

#include "../core/err.h"

enum mt_backing { MT_BACK_4K, MT_BACK_THP, MT_BACK_2M, MT_BACK_1G };

extern const char *const mt_backing_names[];	/* NULL-terminated */

/* Parses "4k", "thp", "2m", "1g". Returns 0 or -EINVAL. */
int mt_backing_parse(const char *s, enum mt_backing *out);
const char *mt_backing_name(enum mt_backing b);
/* The page size the backing asks for (4096 for 4k and thp). */
uint64_t mt_backing_page_size(enum mt_backing b);

struct mt_region {
	void *addr;		/* start of the usable region */
	size_t size;		/* usable bytes, rounded up to the page size */
	enum mt_backing backing;
	void *map_addr;		/* what mmap returned (for munmap) */
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
 * transparent huge pages (AnonHugePages) and resident (Rss). Returns 0 or
 * -errno. */
int mt_region_smaps(const struct mt_region *r, uint64_t *anon_huge,
		    uint64_t *rss, struct mt_err *err);

/* Fraction (0..1) of the region backed by THP; negative on error. */
double mt_region_thp_coverage(const struct mt_region *r);

#endif
