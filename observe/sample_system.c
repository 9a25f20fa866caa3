/* The system's series of a sample: /proc/meminfo, /proc/vmstat,
 * /proc/pressure/memory and each node's numastat (see sample.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/fsroot.h"
#include "../core/psi.h"
#include "../core/vmstat.h"
#include "sample.h"

static const char *const meminfo_fields[] = {
	"MemTotal",	 "MemFree",	   "MemAvailable", "Buffers",
	"Cached",	 "SwapCached",	   "Active(file)", "Inactive(file)",
	"Active(anon)",	 "Inactive(anon)", "AnonPages",	   "Shmem",
	"SwapTotal",	 "SwapFree",	   "Dirty",	   "Writeback",
	"AnonHugePages", "Mapped",
};

/* The kernel's vmstat lines and their units ("pages" for counts of
 * pages, "count" for events); "allocstall" is core/vmstat's sum of
 * allocstall_*, pgscan_* and pgsteal_* its node-or-zone sums. pgpgin and
 * pgpgout count KiB read and written (the kernel's unit), as "count". */
static const struct {
	const char *name;
	const char *unit;
} vmstat_fields[] = {
	{ "pgfault", "count" },
	{ "pgmajfault", "count" },
	{ "pswpin", "pages" },
	{ "pswpout", "pages" },
	{ "pgpgin", "count" },
	{ "pgpgout", "count" },
	{ "pgscan_kswapd", "pages" },
	{ "pgscan_direct", "pages" },
	{ "pgsteal_kswapd", "pages" },
	{ "pgsteal_direct", "pages" },
	{ "allocstall", "count" },
	{ "workingset_refault_file", "pages" },
	{ "workingset_refault_anon", "pages" },
	{ "workingset_activate_file", "pages" },
	{ "compact_stall", "count" },
	{ "compact_fail", "count" },
	{ "compact_success", "count" },
	{ "thp_fault_alloc", "count" },
	{ "thp_fault_fallback", "count" },
	{ "thp_collapse_alloc", "count" },
	{ "oom_kill", "count" },
	{ "numa_hit", "pages" },
	{ "numa_miss", "pages" },
	{ "numa_foreign", "pages" },
	{ "numa_local", "pages" },
	{ "numa_other", "pages" },
};

static const char *const numastat_fields[] = {
	"numa_hit", "numa_miss", "numa_foreign", "local_node", "other_node",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

void mt_obs_put_meminfo(struct mt_obs_emit *em, const char *text)
{
	mt_obs_put_keys(em, text, "meminfo", meminfo_fields, N(meminfo_fields));
}

void mt_obs_put_vmstat(struct mt_obs_emit *em, const char *text)
{
	json_t *kept = mt_vmstat_parse(text);
	char metric[64];

	if (!kept) {
		em->nomem = true;
		return;
	}
	for (size_t i = 0; i < N(vmstat_fields); i++) {
		json_t *k = json_object_get(kept, vmstat_fields[i].name);
		int64_t v;

		if (json_is_integer(k))
			v = json_integer_value(k);
		else if (mt_text_key(text, vmstat_fields[i].name, &v) < 0)
			continue;
		snprintf(metric, sizeof(metric), "vmstat.%s",
			 vmstat_fields[i].name);
		mt_obs_put(em, metric, vmstat_fields[i].unit, (double)v);
	}
	json_decref(kept);
}

void mt_obs_put_psi(struct mt_obs_emit *em, const char *text)
{
	static const char *const kinds[] = { "some", "full" };
	json_t *psi = mt_psi_text_json(text);
	char metric[64];

	if (!psi) {
		em->nomem = true;
		return;
	}
	for (size_t i = 0; i < N(kinds); i++) {
		json_t *k = json_object_get(psi, kinds[i]);

		if (!k)
			continue;
		snprintf(metric, sizeof(metric), "psi.%s_avg10", kinds[i]);
		mt_obs_put(em, metric, "percent",
			   json_number_value(json_object_get(k, "avg10")));
		snprintf(metric, sizeof(metric), "psi.%s_total", kinds[i]);
		mt_obs_put(em, metric, "us",
			   json_number_value(json_object_get(k, "total")));
	}
	json_decref(psi);
}

void mt_obs_put_numastat(struct mt_obs_emit *em, int node, const char *text)
{
	char metric[80];
	int64_t v;

	for (size_t i = 0; i < N(numastat_fields); i++) {
		if (mt_text_key(text, numastat_fields[i], &v) < 0)
			continue;
		snprintf(metric, sizeof(metric), "numastat.node%d.%s", node,
			 numastat_fields[i]);
		mt_obs_put(em, metric, "pages", (double)v);
	}
}

/* Finds the nodes with a numastat file once (node ids may have holes). */
static void probe_nodes(struct mt_obs_system *sys)
{
	char path[96];

	sys->n_nodes = 0;
	for (int i = 0; i < 1024 && sys->n_nodes < (int)N(sys->nodes); i++) {
		snprintf(path, sizeof(path),
			 "/sys/devices/system/node/node%d/numastat", i);
		if (mt_fs_exists(path))
			sys->nodes[sys->n_nodes++] = i;
	}
	sys->probed = true;
}

/* Reads path into *text through the fsroot reader; err set on failure. */
static int read_text(const char *path, char **text, struct mt_err *err)
{
	return mt_fs_read(path, text, NULL, err);
}

int mt_obs_sample_system(struct mt_obs_system *sys, struct mt_obs_emit *em,
			 struct mt_err *err)
{
	struct mt_err perr = { 0 };
	char *text, path[96];
	int ret;

	if (!sys->probed)
		probe_nodes(sys);
	ret = read_text("/proc/meminfo", &text, err);
	if (ret < 0)
		return ret;
	mt_obs_put_meminfo(em, text);
	free(text);
	ret = read_text("/proc/vmstat", &text, err);
	if (ret < 0)
		return ret;
	mt_obs_put_vmstat(em, text);
	free(text);
	if (read_text("/proc/pressure/memory", &text, &perr) == 0) {
		mt_obs_put_psi(em, text);
		free(text);
		sys->psi_missing[0] = '\0';
	} else {
		snprintf(sys->psi_missing, sizeof(sys->psi_missing), "%.240s",
			 perr.msg);
	}
	for (int i = 0; i < sys->n_nodes; i++) {
		snprintf(path, sizeof(path),
			 "/sys/devices/system/node/node%d/numastat",
			 sys->nodes[i]);
		if (read_text(path, &text, NULL) < 0)
			continue;
		mt_obs_put_numastat(em, sys->nodes[i], text);
		free(text);
	}
	return 0;
}
