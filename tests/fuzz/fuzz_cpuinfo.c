/* libFuzzer target: /proc/cpuinfo as sysinfo reads it (core/sysinfo.c: the
 * CPU model and the TLB size AMD CPUs report), through MEMTUNE_FSROOT. */
#include <stdint.h>

#include "harness.h"

FZ_INIT_TREE("qemu-2node")

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_sysinfo_with("proc/cpuinfo", data, size);
	return 0;
}
