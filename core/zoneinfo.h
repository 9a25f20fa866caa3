/* /proc/zoneinfo, parsed once for everyone: the reclaim benchmark's
 * watermarks and the min_free_kbytes rule's low-memory zones. */
#ifndef MT_ZONEINFO_H
#define MT_ZONEINFO_H

#include <stddef.h>
#include <stdint.h>

/* One zone of /proc/zoneinfo: its watermarks and free pages, in pages. */
struct mt_zone_wmark {
	int node;
	char zone[16];		 /* "DMA", "DMA32", "Normal", ... */
	uint64_t free;		 /* pages free */
	uint64_t min, low, high; /* watermarks, pages */
	uint64_t present;	 /* pages physically present */
	uint64_t managed;	 /* pages the buddy allocator manages */
};

/* Parses /proc/zoneinfo text into z[0..max): one entry per "Node N, zone
 * NAME" block, in file order. Stores the count in *n (zones past max are
 * counted but not stored). Returns 0, or -EINVAL when the text holds no
 * zone block or a block lacks its min/low/high lines. */
int mt_zoneinfo_parse(const char *text, struct mt_zone_wmark *z, size_t max,
		      size_t *n);

#endif
