/* Where things are in a JSON text, for messages that name a line: jansson
 * parses values but keeps no positions. */
#ifndef MT_JSONPOS_H
#define MT_JSONPOS_H

#include <stddef.h>

/* Finds the array under `key` of the top-level object of `text` and
 * stores the 1-based line on which each of its elements starts in
 * lines[0..max). Returns the number of elements found (which may exceed
 * max), or 0 when there is no such array. Strings and escapes are
 * skipped properly; the text need not be valid past the array. */
size_t mt_json_array_lines(const char *text, size_t len, const char *key,
			   int *lines, size_t max);

#endif
