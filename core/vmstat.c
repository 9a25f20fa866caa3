/* /proc/vmstat and /proc/uptime: see vmstat.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsroot.h"
#include "vmstat.h"

/* Counters that old kernels split by zone (or that new kernels split by
 * type): the value is the exact line when present, else the sum of the
 * "NAME_*" lines (not *_throttle, a different counter). */
static const char *const summed[] = {
	"allocstall",	  "pgscan_kswapd",  "pgscan_direct",
	"pgsteal_kswapd", "pgsteal_direct", "workingset_refault",
};

const char *const mt_vmstat_counters[] = {
	"allocstall",
	"pgscan_kswapd",
	"pgscan_direct",
	"pgsteal_kswapd",
	"pgsteal_direct",
	"workingset_refault",
	"allocstall_dma",
	"allocstall_dma32",
	"allocstall_normal",
	"allocstall_movable",
	"pswpin",
	"pswpout",
	"pgmajfault",
	"oom_kill",
	"compact_stall",
	"compact_fail",
	"compact_success",
	"thp_fault_alloc",
	"thp_fault_fallback",
	"thp_collapse_alloc",
	"workingset_refault_anon",
	"workingset_refault_file",
	"pgpgin",
	"pgpgout",
	"kswapd_low_wmark_hit_quickly",
	"kswapd_high_wmark_hit_quickly",
	"zone_reclaim_failed",
	"numa_hit",
	"numa_miss",
	NULL,
};

#define N_SUMMED (sizeof(summed) / sizeof(summed[0]))

json_t *mt_vmstat_parse(const char *text)
{
	json_t *o = json_object();
	long long sum[N_SUMMED] = { 0 };
	bool exact[N_SUMMED] = { false }, parts[N_SUMMED] = { false };
	const char *p = text;

	if (!o)
		return NULL;
	while (p && *p) {
		char name[64];
		long long v;
		size_t nlen;

		if (sscanf(p, "%63s %lld", name, &v) == 2) {
			nlen = strlen(name);
			for (size_t i = 0; i < N_SUMMED; i++) {
				size_t sl = strlen(summed[i]);

				if (!strcmp(name, summed[i])) {
					exact[i] = true;
					sum[i] = v;
				} else if (!exact[i] && nlen > sl + 1 &&
					   !strncmp(name, summed[i], sl) &&
					   name[sl] == '_' &&
					   !strstr(name + sl, "throttle")) {
					parts[i] = true;
					sum[i] += v;
				}
			}
			for (size_t i = N_SUMMED; mt_vmstat_counters[i]; i++)
				if (!strcmp(name, mt_vmstat_counters[i]) &&
				    json_object_set_new(o, name,
							json_integer(v)) < 0)
					goto nomem;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	for (size_t i = 0; i < N_SUMMED; i++)
		if ((exact[i] || parts[i]) &&
		    json_object_set_new(o, summed[i], json_integer(sum[i])) < 0)
			goto nomem;
	return o;
nomem:
	json_decref(o);
	return NULL;
}

json_t *mt_vmstat_json(void)
{
	char *text;
	json_t *o;

	if (mt_fs_read("/proc/vmstat", &text, NULL, NULL) < 0)
		return NULL;
	o = mt_vmstat_parse(text);
	free(text);
	return o;
}

bool mt_uptime_read(double *out)
{
	char line[128];
	double up;

	if (mt_fs_read_line("/proc/uptime", line, sizeof(line), NULL) < 0 ||
	    sscanf(line, "%lf", &up) != 1 || !(up > 0))
		return false;
	*out = up;
	return true;
}
