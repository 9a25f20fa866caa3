/* Zone watermarks: /proc/zoneinfo parsed into each zone's free pages and
 * min/low/high watermarks, and the live machine's as JSON (what reclaim
 * records as the watermarks in force). The parser takes text, so the unit
 * tests and the fuzzer pin it without a machine. */
#ifndef MT_WATERMARKS_H
#define MT_WATERMARKS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/err.h"

/* One zone of /proc/zoneinfo: its watermarks and free pages, in pages. */
struct mt_zone_wmark {
	int node;
	char zone[16];		/* "DMA", "DMA32", "Normal", ... */
	uint64_t free;		/* pages free */
	uint64_t min, low, high;	/* watermarks, pages */
	uint64_t managed;	/* pages the buddy allocator manages */
};

/* Parses /proc/zoneinfo text into z[0..max): one entry per "Node N, zone
 * NAME" block, in file order. Stores the count in *n (zones past max are
 * counted but not stored). Returns 0, or -EINVAL when the text holds no
 * zone block or a block lacks its min/low/high lines. */
int mt_zoneinfo_parse(const char *text, struct mt_zone_wmark *z, size_t max,
		      size_t *n);

/* The zones of the live machine as JSON: {zones: [{node, zone, free_pages,
 * min_pages, low_pages, high_pages, managed_pages}], min_kb, low_kb,
 * high_kb, free_kb} (sums over zones with managed pages). NULL with err set
 * when /proc/zoneinfo cannot be read or parsed. */
json_t *mt_zoneinfo_json(struct mt_err *err);

#endif
