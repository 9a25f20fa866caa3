/* /proc/vmstat counters (see vmstat_counters.h). */
#include "vmstat_counters.h"

#include <stdlib.h>

#include "../../core/fsroot.h"

const char *const mt_pressure_vmstat_keys[] = {
	"allocstall_dma",
	"allocstall_dma32",
	"allocstall_normal",
	"allocstall_movable",
	"allocstall_device",
	"pgscan_kswapd",
	"pgscan_direct",
	"pgsteal_kswapd",
	"pgsteal_direct",
	"pgscan_anon",
	"pgscan_file",
	"compact_stall",
	"pgmajfault",
	"pswpin",
	"pswpout",
	"workingset_refault_file",
	"workingset_refault_anon",
};

int mt_vmstat_read(const char *const *keys, size_t n, uint64_t *out,
		   struct mt_err *err)
{
	char *text;
	int ret;

	ret = mt_fs_read("/proc/vmstat", &text, NULL, err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		int64_t v = 0;

		out[i] = mt_text_key(text, keys[i], &v) == 0 && v > 0 ?
				 (uint64_t)v :
				 0;
	}
	free(text);
	return 0;
}
