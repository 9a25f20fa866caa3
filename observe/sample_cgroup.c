/* A cgroup's series: memory.stat, memory.events, memory.pressure,
 * memory.current and memory.swap.current of cgroup v2; of cgroup v1 the
 * same series from its files (memory.stat's v1 names, memory.usage_in_bytes,
 * memory.oom_control, memory.failcnt). See sample.h and target.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/fsroot.h"
#include "sample.h"
#include "target.h"

/* The memory.stat keys of the contract, their unit, and the v1 name of
 * the same quantity (the hierarchical "total_" line is preferred, as v2's
 * memory.stat counts the whole subtree). */
static const struct {
	const char *key;
	const char *unit;
	const char *v1;
} memstat_keys[] = {
	{ "anon", "bytes", "rss" },
	{ "file", "bytes", "cache" },
	{ "shmem", "bytes", "shmem" },
	{ "file_mapped", "bytes", "mapped_file" },
	{ "file_dirty", "bytes", "dirty" },
	{ "swapcached", "bytes", "swapcached" },
	{ "pgfault", "count", "pgfault" },
	{ "pgmajfault", "count", "pgmajfault" },
	{ "workingset_refault_anon", "count", "workingset_refault_anon" },
	{ "workingset_refault_file", "count", "workingset_refault_file" },
	{ "pgscan", "count", NULL },
	{ "pgsteal", "count", NULL },
	{ "thp_fault_alloc", "count", NULL },
};

static const char *const event_keys[] = {
	"low", "high", "max", "oom", "oom_kill",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

void mt_obs_put_memstat(struct mt_obs_emit *em, const char *text, bool v1)
{
	char metric[80], key[80];
	int64_t v;

	for (size_t i = 0; i < N(memstat_keys); i++) {
		const char *name = v1 ? memstat_keys[i].v1 :
					memstat_keys[i].key;

		if (!name)
			continue;
		snprintf(key, sizeof(key), "total_%s", name);
		if ((!v1 || mt_text_key(text, key, &v) < 0) &&
		    mt_text_key(text, name, &v) < 0)
			continue;
		snprintf(metric, sizeof(metric), "memstat.%s",
			 memstat_keys[i].key);
		mt_obs_put(em, metric, memstat_keys[i].unit, (double)v);
	}
}

void mt_obs_put_events(struct mt_obs_emit *em, const char *text)
{
	char metric[64];
	int64_t v;

	for (size_t i = 0; i < N(event_keys); i++) {
		if (mt_text_key(text, event_keys[i], &v) < 0)
			continue;
		snprintf(metric, sizeof(metric), "events.%s", event_keys[i]);
		mt_obs_put(em, metric, "count", (double)v);
	}
}

/* Reads t->dir/NAME through the fsroot reader into *text. */
static int read_cg(const struct mt_obs_target *t, const char *name, char **text)
{
	char path[400];

	snprintf(path, sizeof(path), "%s/%s", t->dir, name);
	return mt_fs_read(path, text, NULL, NULL);
}

/* Puts metric, in unit, from the single number in t->dir/NAME. */
static void put_number(const struct mt_obs_target *t, struct mt_obs_emit *em,
		       const char *name, const char *metric, const char *unit)
{
	char path[400];
	int64_t v;

	snprintf(path, sizeof(path), "%s/%s", t->dir, name);
	if (mt_fs_read_i64(path, &v, NULL) == 0)
		mt_obs_put(em, metric, unit, (double)v);
}

bool mt_obs_sample_cgroup(struct mt_obs_target *t, struct mt_obs_emit *em)
{
	bool v1 = t->cg_version == 1;
	char *text;
	int64_t v;

	/* memory.stat is in both versions: without it the cgroup is gone. */
	if (read_cg(t, "memory.stat", &text) < 0)
		return false;
	mt_obs_put_memstat(em, text, v1);
	if (v1 && mt_text_key(text, "total_swap", &v) == 0)
		mt_obs_put(em, "memory.swap.current", "bytes", (double)v);
	free(text);
	if (v1) {
		put_number(t, em, "memory.usage_in_bytes", "memory.current",
			   "bytes");
		if (read_cg(t, "memory.oom_control", &text) == 0) {
			if (mt_text_key(text, "oom_kill", &v) == 0)
				mt_obs_put(em, "events.oom_kill", "count",
					   (double)v);
			free(text);
		}
		put_number(t, em, "memory.failcnt", "events.max", "count");
	} else {
		put_number(t, em, "memory.current", "memory.current", "bytes");
		put_number(t, em, "memory.swap.current", "memory.swap.current",
			   "bytes");
		if (read_cg(t, "memory.events", &text) == 0) {
			mt_obs_put_events(em, text);
			free(text);
		}
	}
	if (read_cg(t, "memory.pressure", &text) == 0) {
		mt_obs_put_psi(em, text);
		free(text);
	}
	return true;
}
