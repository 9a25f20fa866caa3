/* libFuzzer target: the value parsers of core/units.c (sizes, durations,
 * integers, reals, booleans, size lists and ranges, word lists) over one
 * string each. A size or duration that parses must survive a round trip
 * through its formatter (units.h promises that for durations; sizes are
 * printed exactly too), and a size list must hold at most
 * MT_SIZE_LIST_MAX values. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/units.h"
#include "harness.h"

static const char *const words[] = { "4k", "thp", "2m", "1g", NULL };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fz_str(data, size), why[256], buf[64];
	uint64_t u, back, *list = NULL;
	int64_t i;
	double d;
	int b;
	char **w = NULL;
	size_t n = 0;

	if (mt_parse_size(s, &u, why, sizeof(why)) == 0) {
		mt_format_size(u, buf, sizeof(buf));
		if (mt_parse_size(buf, &back, why, sizeof(why)) != 0 ||
		    back != u)
			abort();
	}
	if (mt_parse_duration(s, &u, why, sizeof(why)) == 0) {
		mt_format_duration(u, buf, sizeof(buf));
		if (mt_parse_duration(buf, &back, why, sizeof(why)) != 0 ||
		    back != u)
			abort();
	}
	mt_parse_int(s, INT64_MIN, INT64_MAX, &i, why, sizeof(why));
	mt_parse_int(s, -5, 4096, &i, why, sizeof(why));
	mt_parse_double(s, -1e300, 1e300, &d, why, sizeof(why));
	mt_parse_double(s, 0, 1, &d, why, sizeof(why));
	mt_parse_bool(s, &b, why, sizeof(why));
	if (mt_parse_size_list(s, &list, &n, why, sizeof(why)) == 0) {
		if (n > MT_SIZE_LIST_MAX)
			abort();
		free(list);
	}
	if (mt_parse_word_list(s, NULL, &w, &n, why, sizeof(why)) == 0)
		mt_free_words(w, n);
	if (mt_parse_word_list(s, words, &w, &n, why, sizeof(why)) == 0)
		mt_free_words(w, n);
	free(s);
	return 0;
}
