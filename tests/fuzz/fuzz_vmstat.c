/* libFuzzer target: /proc/vmstat, read through MEMTUNE_FSROOT by the
 * counters reader of the pressure benchmarks (bench/kit/vmstat_counters.c) and
 * the fsroot key reader. */
#include <stdint.h>

#include "../../bench/kit/vmstat_counters.h"
#include "../../core/fsroot.h"
#include "harness.h"

FZ_INIT_TREE("qemu-2node")

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t v[MT_PV_N];
	int64_t one;

	fz_put(fz_tree("qemu-2node"), "proc/vmstat", data, size, NULL, 0);
	mt_vmstat_read(mt_pressure_vmstat_keys, MT_PV_N, v, NULL);
	mt_fs_read_key("/proc/vmstat", "pgmajfault", &one, NULL);
	return 0;
}
