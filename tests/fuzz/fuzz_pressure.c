/* libFuzzer target: the cgroup and PSI files the pressure sandbox reads
 * (bench/kit/sandbox.c): memory.pressure and /proc/pressure/memory
 * (mt_psi_parse), memory.stat of cgroup v1 and v2 and memory.events, all
 * on the same input. */
#include <stdint.h>
#include <stdlib.h>

#include "../../bench/kit/sandbox.h"
#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fz_str(data, size);
	struct mt_psi psi;
	json_t *o = json_object();

	if (!o)
		abort();
	mt_psi_parse(text, &psi);
	mt_memory_stat_parse(text, 1, o);
	mt_memory_stat_parse(text, 2, o);
	mt_memory_events_parse(text, o);
	json_decref(o);
	free(text);
	return 0;
}
