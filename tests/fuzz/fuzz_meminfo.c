/* libFuzzer target: /proc/meminfo, read through MEMTUNE_FSROOT by the
 * fsroot key reader (core/fsroot.c) and by sysinfo (core/sysinfo.c: the
 * capabilities, the snapshot and its printout). */
#include <stdint.h>
#include <stdlib.h>

#include "../../core/fsroot.h"
#include "harness.h"

static const char *const keys[] = {
	"MemTotal",	"MemFree",	 "MemAvailable", "SwapTotal",
	"Hugepagesize", "AnonHugePages", "Mem",		 "",
	NULL,
};

FZ_INIT_TREE("qemu-2node")

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fz_str(data, size);
	int64_t v;

	for (size_t i = 0; keys[i]; i++)
		mt_text_key(text, keys[i], &v);
	free(text);
	fz_sysinfo_with("proc/meminfo", data, size);
	mt_fs_read_key("/proc/meminfo", "MemTotal", &v, NULL);
	return 0;
}
