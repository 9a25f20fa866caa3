/* What an observation of the workload (memtune observe, issue 18) finds
 * that no kernel knob fixes: a process or service whose memory only grows
 * (a leak: fix the application; a memory.max contains it meanwhile), and a
 * file working set larger than memory (more memory, or O_DIRECT for data
 * the application caches itself). Each item changes nothing (no sysctl)
 * and names the facts it rests on. The knobs an observation does inform
 * are advised by their own rules: swappiness (swap-ins), cgroup_limits
 * (memory.low for the service that swaps), min_free_kbytes
 * (watermark_scale_factor for direct-reclaim stalls). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../analyzer/analysis.h"
#include "../core/json_safe.h"
#include "advisor.h"

#define SOURCE \
	"https://docs.kernel.org/admin-guide/cgroup-v2.html (memory.max, " \
	"read 2026-12-03); analyzer/observe.h (the leak rule)"
#define CACHE_SOURCE \
	"cachestat(2) (https://man7.org/linux/man-pages/man2/" \
	"cachestat.2.html, man-pages 6.15: evicted and recently evicted " \
	"pages); mm/workingset.c (refaults of pages evicted while in the " \
	"working set); open(2) O_DIRECT"

/* A resident share below this, with a file set larger than the memory
 * available, is a working set that does not fit: practice, no primary
 * source gives a number. */
#define LOW_RESIDENT 0.5

/* The target's name for an id: its comm, else the last part of its id. */
static const char *target_name(json_t *t, char *buf, size_t len)
{
	const char *comm = json_string_value(json_object_get(t, "comm"));
	const char *id = json_string_value(json_object_get(t, "id"));
	const char *slash;

	if (comm && comm[0]) {
		snprintf(buf, len, "%s", comm);
	} else if (id) {
		slash = strrchr(id, '/');
		snprintf(buf, len, "%s", slash ? slash + 1 : id);
	} else {
		snprintf(buf, len, "target");
	}
	for (char *p = buf; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
		      *p == '.'))
			*p = '_';
	return buf;
}

static int leak_item(const struct mt_advise_ctx *ctx, struct mt_advice *out,
		     json_t *t, size_t idx)
{
	json_t *g = json_object_get(t, "growth");
	char name[64], unit[160], id[96], b1[32], b2[32];
	struct mt_fact growth, peak;
	struct mt_item *it;
	bool have_peak;

	snprintf(id, sizeof(id), "observe.t%zu.growth", idx);
	if (!mt_ev_fact(ctx, id, &growth))
		return 0;
	target_name(t, name, sizeof(name));
	mt_ev_observed_unit(t, unit, sizeof(unit));
	snprintf(id, sizeof(id), "workload.leak.%s", name);
	if (mt_advice_find(out, id))
		return 0;
	it = mt_advice_add(out, &mt_rule_workload, id);
	if (!it)
		return -ENOMEM;
	snprintf(it->knob, sizeof(it->knob), "%s:%.100s",
		 unit[0] ? "memory.max" : "application", unit[0] ? unit : name);
	snprintf(it->current, sizeof(it->current), "leaking");
	snprintf(it->recommended, sizeof(it->recommended),
		 "fix the application");
	it->change = false;
	mt_item_cite(it, &growth);
	snprintf(id, sizeof(id), "observe.t%zu.rss_max", idx);
	have_peak = mt_ev_fact(ctx, id, &peak);
	if (have_peak)
		mt_item_cite(it, &peak);
	mt_item_evidence(it, "leak verdict: %s",
			 json_string_value(json_object_get(g, "reason")) ?: "");
	mt_item_ground(it, MT_GROUND_MEASURED, SOURCE);
	mt_item_reason(
		it,
		"%s's memory (%s) rose by %s/s over the whole %.0f s "
		"observed and over its second half, each 95%% interval "
		"above zero: a leak, not a warm-up. No sysctl fixes a leak: "
		"reclaim, swap and the OOM killer only move the day it "
		"runs out. Fix the application (a heap profiler: valgrind "
		"massif, heaptrack, bpftrace or memleak of bcc on its "
		"allocations).",
		name, json_string_value(json_object_get(g, "series")) ?: "?",
		mt_ev_bytes((uint64_t)fmax(0, growth.value), b1, sizeof(b1)),
		mt_jnum(g, "window_s"));
	if (unit[0] && have_peak) {
		uint64_t cap = (uint64_t)(peak.value * 1.5) >> 20;

		mt_item_reason(it,
			       "Meanwhile a memory.max contains it: the "
			       "kernel reclaims and then OOM-kills inside "
			       "%s instead of pushing everything else out. "
			       "The bound, 1.5 times the highest seen (%s), "
			       "is practice.",
			       unit,
			       mt_ev_bytes((uint64_t)peak.value, b2,
					   sizeof(b2)));
		snprintf(it->apply, sizeof(it->apply),
			 "systemctl set-property %s MemoryMax=%" PRIu64 "M",
			 unit, cap ? cap : 1);
	} else {
		mt_item_reason(it, "Meanwhile run it in a cgroup with a "
				   "memory.max (systemd-run -p MemoryMax=...) "
				   "so that it runs out alone.");
	}
	return 0;
}

/* A target whose file set does not fit. */
static int cache_item(const struct mt_advise_ctx *ctx, struct mt_advice *out,
		      json_t *t, size_t idx)
{
	struct mt_fact res, touched, rf;
	char name[64], id[96], b1[32], b2[32];
	struct mt_item *it;
	bool have_rf;

	snprintf(id, sizeof(id), "observe.t%zu.cache_resident", idx);
	if (!mt_ev_fact(ctx, id, &res) || !(res.value < LOW_RESIDENT))
		return 0;
	snprintf(id, sizeof(id), "observe.t%zu.cache_touched_bytes", idx);
	if (!mt_ev_fact(ctx, id, &touched) ||
	    !(touched.value > (double)ctx->mem_available))
		return 0;
	have_rf = mt_ev_fact(ctx, "observe.refault_file_per_s", &rf);
	target_name(t, name, sizeof(name));
	snprintf(id, sizeof(id), "workload.page_cache.%s", name);
	it = mt_advice_add(out, &mt_rule_workload, id);
	if (!it)
		return -ENOMEM;
	snprintf(it->knob, sizeof(it->knob), "page cache:%.100s", name);
	snprintf(it->current, sizeof(it->current), "%.0f%% resident",
		 res.value * 100);
	snprintf(it->recommended, sizeof(it->recommended),
		 "more memory or O_DIRECT");
	it->change = false;
	mt_item_cite(it, &res);
	mt_item_cite(it, &touched);
	if (have_rf)
		mt_item_cite(it, &rf);
	mt_item_ground(it,
		       have_rf && rf.lo > 0 ? MT_GROUND_MEASURED :
					      MT_GROUND_INCONCLUSIVE,
		       CACHE_SOURCE);
	mt_item_reason(it,
		       "%s's files (%s touched) are larger than the memory "
		       "available (%s), and only %.0f%% of what it has had "
		       "in the page cache is still there (an estimate from "
		       "cachestat's cached and evicted pages).%s No knob "
		       "makes a working set fit: give the machine more "
		       "memory, or, when the application caches the data "
		       "itself (a database's buffer pool), read it with "
		       "O_DIRECT so the page cache does not hold it twice. "
		       "vm.vfs_cache_pressure and swappiness only choose "
		       "what else is evicted.",
		       name,
		       mt_ev_bytes((uint64_t)touched.value, b1, sizeof(b1)),
		       mt_ev_bytes(ctx->mem_available, b2, sizeof(b2)),
		       res.value * 100,
		       have_rf && rf.lo > 0 ?
			       " The machine rereads pages it evicted while "
			       "they were in use (file refaults, measured)." :
			       "");
	return 0;
}

/* The whole machine rereads file pages it evicted while they were in
 * use, and no target's file set was observed to say whose: the same
 * finding at the system's scale. Thresholds (a refault share of one
 * half, 100 refaults a second) are practice. */
#define HIGH_REFAULT_SHARE 0.5
#define MANY_REFAULTS 100.0

static int system_cache_item(const struct mt_advise_ctx *ctx,
			     struct mt_advice *out)
{
	struct mt_fact share, rf;
	struct mt_item *it;

	if (!mt_ev_fact(ctx, "observe.cache_refault_share", &share) ||
	    !mt_ev_fact(ctx, "observe.refault_file_per_s", &rf) ||
	    !(share.value >= HIGH_REFAULT_SHARE) || !(rf.lo > 0) ||
	    !(rf.value >= MANY_REFAULTS))
		return 0;
	for (size_t i = 0; i < out->n; i++)
		if (!strncmp(out->items[i].id, "workload.page_cache.", 20))
			return 0;
	it = mt_advice_add(out, &mt_rule_workload, "workload.page_cache");
	if (!it)
		return -ENOMEM;
	snprintf(it->knob, sizeof(it->knob), "page cache");
	snprintf(it->current, sizeof(it->current), "%.0f%% of reads refault",
		 share.value * 100);
	snprintf(it->recommended, sizeof(it->recommended),
		 "more memory or O_DIRECT");
	it->change = false;
	mt_item_cite(it, &share);
	mt_item_cite(it, &rf);
	mt_item_ground(it, MT_GROUND_INCONCLUSIVE, CACHE_SOURCE);
	mt_item_reason(it,
		       "%.0f file pages a second are read again soon after "
		       "they were evicted, %.0f%% of the file pages read from "
		       "disk (an estimate from vmstat: workingset_refault_file "
		       "over pgpgin less swap-ins; vmstat counts no cache "
		       "hits): the file working set does not fit in memory. "
		       "No knob makes it fit: more memory, or O_DIRECT for "
		       "data the application caches itself. Observe the "
		       "readers with their files (memtune observe --pid) to "
		       "see whose set it is.",
		       rf.value, share.value * 100);
	return 0;
}

static int workload_advise(const struct mt_advise_ctx *ctx,
			   struct mt_advice *out, struct mt_err *err)
{
	json_t *d = mt_analysis_derived(ctx->analysis, "observe"), *t;
	size_t i;
	int rc = 0;

	(void)err;
	json_array_foreach(json_object_get(d, "targets"), i, t) {
		const char *v = json_string_value(json_object_get(
			json_object_get(t, "growth"), "verdict"));

		if (rc == 0 && v && !strcmp(v, "leak"))
			rc = leak_item(ctx, out, t, i);
		if (rc == 0)
			rc = cache_item(ctx, out, t, i);
	}
	return rc ? rc : system_cache_item(ctx, out);
}

const struct mt_rule mt_rule_workload = {
	.name = "workload",
	.knob = "application, memory.max:<unit>, page cache",
	.summary = "what an observation finds that no kernel knob fixes: a "
		   "leak, a file working set larger than memory",
	.source = SOURCE,
	.advise = workload_advise,
	.no_trial = "its items change no setting: a leak is fixed in the "
		    "application, a working set that does not fit by memory",
};
