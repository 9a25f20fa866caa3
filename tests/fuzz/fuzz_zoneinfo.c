/* libFuzzer target: /proc/zoneinfo (core/zoneinfo.c): the parser
 * into a roomy and a two-zone array, and the JSON the reclaim benchmark
 * records, read through MEMTUNE_FSROOT. */
#include <stdint.h>
#include <stdlib.h>

#include "../../bench/kit/watermarks.h"
#include "harness.h"

FZ_INIT_TREE("qemu-2node")

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mt_zone_wmark z[32];
	struct mt_err err = { 0 };
	char *text = fz_str(data, size);
	size_t n;
	json_t *j;

	if (mt_zoneinfo_parse(text, z, 32, &n) == 0 && n == 0)
		abort();
	mt_zoneinfo_parse(text, z, 2, &n);
	free(text);
	fz_put(fz_tree("qemu-2node"), "proc/zoneinfo", data, size, NULL, 0);
	j = mt_zoneinfo_json(&err);
	json_decref(j);
	return 0;
}
