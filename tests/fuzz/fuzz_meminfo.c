/* libFuzzer target: /proc/meminfo, read through MEMTUNE_FSROOT by the
 * fsroot key reader (core/fsroot.c) and by sysinfo (core/sysinfo.c: the
 * capabilities, the snapshot and its printout). */
#include <stdint.h>
#include <stdlib.h>

#include "../../core/fsroot.h"
#include "harness.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const keys[] = {
	"MemTotal", "MemFree", "MemAvailable", "SwapTotal", "Hugepagesize",
	"AnonHugePages", "Mem", "", NULL,
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_tree("qemu-2node");
	return 0;
}

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
