/* vm.min_free_kbytes and vm.watermark_scale_factor: the zone watermarks.
 *
 * Starts from what the kernel itself would set (mm/page_alloc.c and, with
 * THP enabled, khugepaged's larger floor), says who set the current value
 * when it is not the kernel's, raises watermark_scale_factor first where the
 * reclaim benchmark measured direct-reclaim stalls (it widens the gap
 * kswapd works in without reserving more memory), and never recommends more
 * than a small share of memory for min_free_kbytes: memory below the min
 * watermark is unusable by user space, and too much of it brings the OOM
 * killer while memory is "free". */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/fsroot.h"
#include "advisor.h"

#define SOURCE "Documentation/admin-guide/sysctl/vm.rst (min_free_kbytes, " \
	"watermark_scale_factor: https://docs.kernel.org/admin-guide/" \
	"sysctl/vm.html#min-free-kbytes); mm/page_alloc.c " \
	"calculate_min_free_kbytes(); mm/khugepaged.c " \
	"set_recommended_min_free_kbytes()"

#define MIGRATE_PCPTYPES 3

/* The integer square root, as lib/math/int_sqrt.c computes it (floor). */
static uint64_t int_sqrt(uint64_t x)
{
	uint64_t r = (uint64_t)sqrt((double)x);

	while (r * r > x)
		r--;
	while ((r + 1) * (r + 1) <= x)
		r++;
	return r;
}

uint64_t mt_min_free_kbytes_default(uint64_t lowmem_kbytes, int nr_zones,
				    bool thp_enabled, uint64_t pageblock_pages,
				    bool new_clamp)
{
	uint64_t v = int_sqrt(lowmem_kbytes * 16);
	uint64_t hi = new_clamp ? 262144 : 65536;

	if (v < 128)
		v = 128;
	if (v > hi)
		v = hi;
	if (thp_enabled && nr_zones > 0) {
		uint64_t pages = pageblock_pages * (uint64_t)nr_zones *
				 (2 + MIGRATE_PCPTYPES * MIGRATE_PCPTYPES);
		uint64_t cap = lowmem_kbytes / 4 / 20;	/* 5% of lowmem */

		if (pages > cap)
			pages = cap;
		if (pages * 4 > v)
			v = pages * 4;
	}
	return v;
}

struct watermark_facts {
	int64_t mfk, wsf;		/* current values */
	bool have_wsf;
	uint64_t lowmem_kb;
	int nr_zones;
	bool zones_measured;		/* from /proc/zoneinfo, not estimated */
	bool thp;
	uint64_t kernel_default;
	int wsf_max;
	char origin[512];		/* who set min_free_kbytes */
	/* reclaim benchmark, machine scope */
	const char *reclaim_status;
	double base_stalls, base_p99;	/* NAN: not measured */
	int64_t wsf_fix;		/* smallest wsf that removed stalls */
	double wsf_fix_stalls;
	int64_t mfk_fix;
	double mfk_fix_stalls;
};

/* Counts zones up to ZONE_NORMAL with pages and sums their managed pages
 * from /proc/zoneinfo text. Returns false if the text has no zones. */
static bool parse_zoneinfo(const char *text, uint64_t *lowmem_kb, int *zones)
{
	const char *p = text;
	bool in_low = false, any = false;

	*lowmem_kb = 0;
	*zones = 0;
	while (p && *p) {
		char name[32];
		unsigned long long v;
		int node;

		if (sscanf(p, "Node %d, zone %31s", &node, name) == 2) {
			in_low = strcmp(name, "DMA") == 0 ||
				 strcmp(name, "DMA32") == 0 ||
				 strcmp(name, "Normal") == 0;
			any = true;
		} else if (in_low && sscanf(p, " present %llu", &v) == 1) {
			if (v > 0)
				(*zones)++;
		} else if (in_low && sscanf(p, " managed %llu", &v) == 1) {
			*lowmem_kb += v * 4;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return any && *zones > 0;
}

/* The zones khugepaged counts, without /proc/zoneinfo: on x86-64 node 0
 * has DMA, DMA32 (memory past 16 MiB) and Normal (past 4 GiB); every other
 * node with memory has Normal. */
static int estimate_zones(const struct mt_advise_ctx *ctx)
{
	uint64_t node0 = ctx->mem_total / (uint64_t)ctx->numa_nodes;

	return 2 + (node0 > (4ull << 30) ? 1 : 0) + (ctx->numa_nodes - 1);
}

static void gather_reclaim(const struct mt_advise_ctx *ctx,
			   struct watermark_facts *f)
{
	json_t *recs[64], *r;
	size_t n;

	f->base_stalls = f->base_p99 = NAN;
	f->wsf_fix = f->mfk_fix = -1;
	f->reclaim_status = mt_ev_bench_status(ctx, "reclaim", NULL, 0);
	if (mt_ev_select(ctx, "reclaim", "allocstall",
			 "scope=machine,min_free_kbytes=current,"
			 "watermark_scale_factor=current", &r, 1))
		f->base_stalls = mt_ev_num(r, "value");
	if (mt_ev_select(ctx, "reclaim", "alloc_latency_p99",
			 "scope=machine,min_free_kbytes=current,"
			 "watermark_scale_factor=current", &r, 1))
		f->base_p99 = mt_ev_num(r, "value");
	if (!(f->base_stalls > 0))
		return;
	/* The smallest value that brings the stalls to a tenth or less. */
	n = mt_ev_select(ctx, "reclaim", "allocstall",
			 "scope=machine,min_free_kbytes=current", recs, 64);
	for (size_t i = 0; i < n && i < 64; i++) {
		int64_t w;
		double s = mt_ev_num(recs[i], "value");

		if (!mt_ev_case_int(recs[i], "watermark_scale_factor", &w) ||
		    w > f->wsf_max || s > f->base_stalls / 10)
			continue;
		if (f->wsf_fix < 0 || w < f->wsf_fix) {
			f->wsf_fix = w;
			f->wsf_fix_stalls = s;
		}
	}
	n = mt_ev_select(ctx, "reclaim", "allocstall",
			 "scope=machine,watermark_scale_factor=current", recs,
			 64);
	for (size_t i = 0; i < n && i < 64; i++) {
		int64_t m;
		double s = mt_ev_num(recs[i], "value");

		if (!mt_ev_case_int(recs[i], "min_free_kbytes", &m) ||
		    s > f->base_stalls / 10)
			continue;
		if (f->mfk_fix < 0 || m < f->mfk_fix) {
			f->mfk_fix = m;
			f->mfk_fix_stalls = s;
		}
	}
}

static void gather(const struct mt_advise_ctx *ctx, struct watermark_facts *f)
{
	char *text;

	mt_ev_sysctl(ctx, "min_free_kbytes", &f->mfk);
	f->have_wsf = mt_ev_sysctl(ctx, "watermark_scale_factor", &f->wsf);
	f->thp = strcmp(ctx->thp_enabled, "always") == 0 ||
		 strcmp(ctx->thp_enabled, "madvise") == 0;
	f->lowmem_kb = ctx->mem_total / 1024;
	f->nr_zones = estimate_zones(ctx);
	if (ctx->live && mt_fs_read("/proc/zoneinfo", &text, NULL, NULL) == 0) {
		uint64_t kb;
		int z;

		if (parse_zoneinfo(text, &kb, &z)) {
			f->lowmem_kb = kb;
			f->nr_zones = z;
			f->zones_measured = true;
		}
		free(text);
	}
	f->kernel_default = mt_min_free_kbytes_default(
		f->lowmem_kb, f->nr_zones, f->thp, 512,
		mt_ev_kernel_at_least(ctx, 5, 7));
	f->wsf_max = mt_ev_kernel_at_least(ctx, 6, 0) ? 3000 : 1000;
	f->origin[0] = '\0';
	if (ctx->live)
		mt_sysctl_origin("vm.min_free_kbytes", f->origin,
				 sizeof(f->origin));
	gather_reclaim(ctx, f);
}

static int advise_wsf(const struct mt_advise_ctx *ctx,
		      const struct watermark_facts *f, struct mt_advice *out)
{
	struct mt_item *it;
	int64_t rec = f->wsf;
	char val[32];

	if (!f->have_wsf)
		return 0;
	it = mt_advice_add(out, &mt_rule_min_free_kbytes,
			   "watermark_scale_factor");
	if (!it)
		return -ENOMEM;
	snprintf(it->current, sizeof(it->current), "%lld", (long long)f->wsf);
	mt_item_evidence(it, "valid range on this kernel 1..%d", f->wsf_max);
	if (f->wsf_fix >= 0) {
		rec = f->wsf_fix > f->wsf ? f->wsf_fix : f->wsf;
		it->measured = true;
		it->confidence = MT_CONF_HIGH;
		mt_item_evidence(it, "reclaim benchmark (machine scope): %.0f "
				 "direct-reclaim stalls at the current "
				 "settings, %.0f with watermark_scale_factor "
				 "%lld", f->base_stalls, f->wsf_fix_stalls,
				 (long long)f->wsf_fix);
		mt_item_reason(it, "Allocation bursts drove free memory "
			       "below the min watermark and stalled in "
			       "direct reclaim. A larger "
			       "watermark_scale_factor wakes kswapd earlier "
			       "and lets it reclaim further ahead of the "
			       "bursts without reserving memory; %lld "
			       "removed the stalls in the measurement.",
			       (long long)rec);
	} else if (f->base_stalls > 0) {
		rec = f->wsf < 100 ? 100 : f->wsf;
		it->measured = true;
		it->confidence = MT_CONF_MEDIUM;
		mt_item_evidence(it, "reclaim benchmark (machine scope): %.0f "
				 "direct-reclaim stalls at the current "
				 "settings; no swept value removed them",
				 f->base_stalls);
		mt_item_reason(it, "Direct-reclaim stalls were measured. "
			       "Raising watermark_scale_factor (to 1%% of "
			       "memory between watermarks) is the first, "
			       "cheap step; measure again with the reclaim "
			       "benchmark's watermark_scale_factor sweep.");
	} else if (!isnan(f->base_stalls)) {
		it->measured = true;
		it->confidence = MT_CONF_HIGH;
		mt_item_evidence(it, "reclaim benchmark (machine scope): no "
				 "direct-reclaim stalls at the current "
				 "settings");
		mt_item_reason(it, "The reclaim benchmark's bursts did not "
			       "stall in direct reclaim: kswapd keeps up, "
			       "keep the current value.");
	} else {
		it->confidence = MT_CONF_LOW;
		mt_item_evidence(it, "reclaim benchmark: %s",
				 f->reclaim_status ? f->reclaim_status :
				 "not in the run");
		mt_item_reason(it, "No direct-reclaim measurement: keep the "
			       "current value. If allocstall grows in "
			       "/proc/vmstat under load, raise this first.");
	}
	if (rec < 1)
		rec = 1;
	if (rec > f->wsf_max)
		rec = f->wsf_max;
	snprintf(val, sizeof(val), "%lld", (long long)rec);
	mt_item_sysctl(it, "watermark_scale_factor", val);
	it->change = rec != f->wsf;
	(void)ctx;
	return 0;
}

static int advise_mfk(const struct mt_advise_ctx *ctx,
		      const struct watermark_facts *f, struct mt_advice *out)
{
	uint64_t mem_kb = ctx->mem_total / 1024;
	uint64_t cap = mem_kb / 100, rec = (uint64_t)f->mfk;
	struct mt_item *it;
	char val[32], b1[32];
	uint64_t cur = (uint64_t)f->mfk;

	if (cap < f->kernel_default)
		cap = f->kernel_default;
	it = mt_advice_add(out, &mt_rule_min_free_kbytes, "min_free_kbytes");
	if (!it)
		return -ENOMEM;
	snprintf(it->current, sizeof(it->current), "%llu",
		 (unsigned long long)cur);
	mt_item_evidence(it, "kernel default %llu kB: int_sqrt(%llu kB "
			 "lowmem x 16)%s over %d zones%s",
			 (unsigned long long)f->kernel_default,
			 (unsigned long long)f->lowmem_kb,
			 f->thp ? ", raised to khugepaged's THP floor" : "",
			 f->nr_zones, f->zones_measured ?
			 " (/proc/zoneinfo)" : " (estimated: no zoneinfo)");
	mt_item_evidence(it, "current = %.2f%% of memory", mem_kb ?
			 100.0 * (double)cur / (double)mem_kb : 0.0);
	if (f->origin[0])
		mt_item_evidence(it, "set in %s", f->origin);

	if (f->wsf_fix < 0 && f->mfk_fix > 0 && f->base_stalls > 0 &&
	    (uint64_t)f->mfk_fix <= cap) {
		rec = (uint64_t)f->mfk_fix > cur ? (uint64_t)f->mfk_fix : cur;
		it->measured = true;
		it->confidence = MT_CONF_MEDIUM;
		mt_item_evidence(it, "reclaim benchmark: %.0f stalls at the "
				 "current settings, %.0f with "
				 "min_free_kbytes %lld", f->base_stalls,
				 f->mfk_fix_stalls, (long long)f->mfk_fix);
		mt_item_reason(it, "No watermark_scale_factor value removed "
			       "the direct-reclaim stalls, a larger "
			       "min_free_kbytes did: %llu kB (at most 1%% of "
			       "memory).", (unsigned long long)rec);
	} else if (cur < f->kernel_default) {
		rec = f->kernel_default;
		it->confidence = MT_CONF_MEDIUM;
		mt_item_reason(it, "The current value is below what the "
			       "kernel itself computes for this memory "
			       "(%llu kB%s); something lowered it%s%s. Too "
			       "little reserve makes atomic allocations "
			       "fail and huge-page allocations fall back.",
			       (unsigned long long)f->kernel_default,
			       f->thp ? ", with khugepaged's floor for THP"
				      : "",
			       f->origin[0] ? " in " : "", f->origin);
	} else if (cur > mem_kb / 20) {
		rec = cap;
		it->confidence = MT_CONF_HIGH;
		mt_item_reason(it, "%s kB is more than 5%% of memory. Memory "
			       "below the min watermark is reserved for the "
			       "kernel's atomic allocations; this much of "
			       "it starves user space and can bring the OOM "
			       "killer while memory looks free. Bring it to "
			       "%llu kB (the larger of the kernel's own "
			       "value and 1%% of memory).", it->current,
			       (unsigned long long)rec);
	} else if (cur == f->kernel_default ||
		   (cur > f->kernel_default * 99 / 100 &&
		    cur < f->kernel_default * 101 / 100)) {
		it->confidence = MT_CONF_HIGH;
		mt_item_reason(it, "This is the kernel's own value for this "
			       "memory%s; nothing measured argues for "
			       "another.", f->thp ?
			       " (khugepaged's floor for THP)" : "");
	} else {
		it->confidence = MT_CONF_LOW;
		mt_item_reason(it, "The kernel would compute %llu kB; the "
			       "current %s kB (%s) was set by %s. It is "
			       "within a sane share of memory and nothing "
			       "measured says it is wrong: keep it, or run "
			       "the reclaim benchmark to see whether it "
			       "helps.", (unsigned long long)f->kernel_default,
			       it->current, mt_ev_bytes(cur * 1024, b1,
							sizeof(b1)),
			       f->origin[0] ? f->origin :
			       "an administrator or a tuning tool (no "
			       "sysctl.d file sets it: perhaps tuned or a "
			       "boot script)");
	}
	snprintf(val, sizeof(val), "%llu", (unsigned long long)rec);
	mt_item_sysctl(it, "min_free_kbytes", val);
	it->change = rec != cur;
	if (rec > mem_kb / 50)
		snprintf(it->force, sizeof(it->force), "%s kB is more than "
			 "2%% of memory: too much reserve can bring the OOM "
			 "killer", val);
	return 0;
}

static int watermark_advise(const struct mt_advise_ctx *ctx,
			    struct mt_advice *out, struct mt_err *err)
{
	struct watermark_facts f = { 0 };
	int rc;

	(void)err;
	if (!mt_ev_sysctl(ctx, "min_free_kbytes", &f.mfk))
		return 0;
	gather(ctx, &f);
	rc = advise_mfk(ctx, &f, out);
	if (rc == 0)
		rc = advise_wsf(ctx, &f, out);
	return rc;
}

const struct mt_rule mt_rule_min_free_kbytes = {
	.name = "min_free_kbytes",
	.knob = "vm.min_free_kbytes, vm.watermark_scale_factor",
	.summary = "zone watermarks: the kernel's reserve and kswapd's gap",
	.source = SOURCE,
	.advise = watermark_advise,
};
