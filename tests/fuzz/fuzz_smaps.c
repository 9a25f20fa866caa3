/* libFuzzer target: the two /proc/self/smaps parsers (bench/kit/region.c):
 * the THP and resident sums over a range, and the page size of the VMA
 * holding an address. The first 16 bytes of the input choose the range;
 * the rest is the smaps text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../bench/kit/region.h"
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t lo = 0x7f0000000000ull, hi = 0x7f0000400000ull, huge, rss,
		 page;
	char *text;

	if (size >= 16) {
		memcpy(&lo, data, 8);
		memcpy(&hi, data + 8, 8);
		data += 16;
		size -= 16;
	}
	text = fz_str(data, size);
	mt_smaps_sum(text, (uintptr_t)lo, (uintptr_t)hi, &huge, &rss);
	free(text);
	text = fz_str(data, size);
	mt_smaps_page_size(text, (uintptr_t)lo, &page);
	free(text);
	return 0;
}
