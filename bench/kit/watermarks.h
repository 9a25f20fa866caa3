/* Zone watermarks: the live machine's as JSON (what reclaim records as
 * the watermarks in force), from core/zoneinfo's parser (which takes text,
 * so the unit tests and the fuzzer pin it without a machine). */
#ifndef MT_WATERMARKS_H
#define MT_WATERMARKS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../../core/err.h"
#include "../../core/zoneinfo.h"

/* The zones of the live machine as JSON: {zones: [{node, zone, free_pages,
 * min_pages, low_pages, high_pages, managed_pages}], min_kb, low_kb,
 * high_kb, free_kb} (sums over zones with managed pages). NULL with err set
 * when /proc/zoneinfo cannot be read or parsed. */
json_t *mt_zoneinfo_json(struct mt_err *err);

#endif
