/* Zone watermarks from /proc/zoneinfo (see watermarks.h). */
#include "watermarks.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../core/fsroot.h"
#include "../../core/zoneinfo.h"

json_t *mt_zoneinfo_json(struct mt_err *err)
{
	struct mt_zone_wmark z[32];
	/* The sums over the managed zones, in pages. */
	static const char *const keys[] = { "min_kb", "low_kb", "high_kb",
					    "free_kb" };
	uint64_t sum[4] = { 0 };
	long page = sysconf(_SC_PAGESIZE);
	json_t *o, *arr;
	char *text;
	size_t n;
	int ret;

	ret = mt_fs_read("/proc/zoneinfo", &text, NULL, err);
	if (ret < 0)
		return NULL;
	ret = mt_zoneinfo_parse(text, z, 32, &n);
	free(text);
	if (ret < 0) {
		mt_err_set(err, ret, MT_ERR_RUNTIME,
			   "cannot parse "
			   "/proc/zoneinfo: a zone lacks min/low/high lines");
		return NULL;
	}
	o = json_object();
	arr = json_array();
	for (size_t i = 0; i < n && i < 32; i++) {
		if (!z[i].managed)
			continue;
		json_array_append_new(
			arr,
			json_pack("{s:i, s:s, s:I, s:I, s:I, s:I, s:I}", "node",
				  z[i].node, "zone", z[i].zone, "free_pages",
				  (json_int_t)z[i].free, "min_pages",
				  (json_int_t)z[i].min, "low_pages",
				  (json_int_t)z[i].low, "high_pages",
				  (json_int_t)z[i].high, "managed_pages",
				  (json_int_t)z[i].managed));
		sum[0] += z[i].min;
		sum[1] += z[i].low;
		sum[2] += z[i].high;
		sum[3] += z[i].free;
	}
	json_object_set_new(o, "zones", arr);
	for (size_t k = 0; k < 4; k++)
		json_object_set_new(o, keys[k],
				    json_integer((json_int_t)(sum[k] *
							      (uint64_t)page /
							      1024)));
	return o;
}
