/* vm.min_free_kbytes and vm.watermark_scale_factor: the zone watermarks.
 *
 * Starts from what the kernel itself would set (mm/page_alloc.c and, with
 * THP enabled, khugepaged's floor when it is larger), says who set the
 * current value when it is not the kernel's, and raises
 * watermark_scale_factor first where direct reclaim stalls the machine: it
 * widens the gap kswapd works in without reserving memory (commit
 * 795ae7a0de6b). The distress comes from the live signals (allocstall rate
 * and PSI memory, advisor/signals.c) or from the reclaim benchmark's facts
 * (analyzer/an_reclaim.c); vm.rst names allocstall and
 * kswapd_low_wmark_hit_quickly as the symptoms this knob treats. For
 * min_free_kbytes it never recommends more than the kernel itself would
 * reserve: memory below the min watermark is unusable by user space. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/fsroot.h"
#include "../core/zoneinfo.h"
#include "advisor.h"

#define SOURCE \
	"https://docs.kernel.org/admin-guide/sysctl/vm.html" \
	"#min-free-kbytes (Linux 6.12); mm/page_alloc.c " \
	"calculate_min_free_kbytes() and mm/khugepaged.c " \
	"set_recommended_min_free_kbytes() (Linux 6.12)"
#define WSF_SOURCE \
	"https://docs.kernel.org/admin-guide/sysctl/vm.html" \
	"#watermark-scale-factor (Linux 6.12: \"A high rate of threads " \
	"entering direct reclaim (allocstall) or kswapd going to sleep " \
	"prematurely (kswapd_low_wmark_hit_quickly) can indicate that the " \
	"number of free pages kswapd maintains for latency reasons is too " \
	"small\"); https://git.kernel.org/torvalds/c/795ae7a0de6b (Linux " \
	"4.6: watermark_scale_factor instead of min_free_kbytes)"

/* Distress thresholds: practice without a primary source (neither vm.rst
 * nor Documentation/accounting/psi.rst gives a number): one task a second
 * entering direct reclaim, and 1% of the time with some task stalled on
 * memory. */
#define STALLS_PER_S 1.0
#define PSI_SOME_PCT 1.0
/* The first step: watermark gaps of 1% of memory, ten times the default
 * of 10 (vm.rst); practice, not a documented value. */
#define WSF_STEP 100

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
		uint64_t cap = lowmem_kbytes / 4 / 20; /* 5% of lowmem */

		if (pages > cap)
			pages = cap;
		if (pages * 4 > v)
			v = pages * 4;
	}
	return v;
}

struct watermark_facts {
	int64_t mfk, wsf; /* current values */
	bool have_wsf;
	uint64_t lowmem_kb;
	int nr_zones;
	bool zones_measured; /* from /proc/zoneinfo, not estimated */
	bool thp;
	uint64_t kernel_default; /* with khugepaged's floor */
	uint64_t sqrt_default;	 /* page_alloc.c's alone */
	uint64_t thp_floor;	 /* khugepaged's, kB (0: THP off) */
	int wsf_max;
	char origin[512]; /* who set min_free_kbytes */
	/* reclaim benchmark facts (analyzer/an_reclaim.c) */
	bool have_base, have_wsf_fix, have_mfk_fix, have_untrusted;
	struct mt_fact base, p99, wsf_fix, wsf_fix_st, mfk_fix, mfk_fix_st;
	struct mt_fact untrusted;
	bool have_p99;
	/* live signals (advisor/signals.c) */
	bool have_signals, workload, since_boot;
	const char *signals_from;
	double stalls, scan_direct, scan_kswapd, low_quickly; /* per s */
	double psi10, psi60, psi300, psi_pct, full60;	      /* NAN: absent */
	double psi_used; /* the larger of avg60 and the share */
	bool stalls_high, psi_high, psi_known, distress;
};

/* Counts zones up to ZONE_NORMAL with pages and sums their managed pages
 * from /proc/zoneinfo text. Returns false if the text has no zones. */
static bool parse_zoneinfo(const char *text, uint64_t *lowmem_kb, int *zones)
{
	struct mt_zone_wmark *z;
	size_t n;

	*lowmem_kb = 0;
	*zones = 0;
	/* Counted first, then stored: a machine may have many nodes. */
	if (mt_zoneinfo_parse(text, NULL, 0, &n) < 0 || n == 0)
		return false;
	z = calloc(n, sizeof(*z));
	if (!z || mt_zoneinfo_parse(text, z, n, &n) < 0) {
		free(z);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(z[i].zone, "DMA") != 0 &&
		    strcmp(z[i].zone, "DMA32") != 0 &&
		    strcmp(z[i].zone, "Normal") != 0)
			continue;
		if (z[i].present > 0)
			(*zones)++;
		*lowmem_kb += z[i].managed * 4;
	}
	free(z);
	return *zones > 0;
}

/* The zones khugepaged counts, without /proc/zoneinfo: on x86-64 node 0
 * has DMA, DMA32 (memory past 16 MiB) and Normal (past 4 GiB); every other
 * node with memory has Normal. */
static int estimate_zones(const struct mt_advise_ctx *ctx)
{
	uint64_t node0 = ctx->mem_total / (uint64_t)ctx->numa_nodes;

	return 2 + (node0 > (4ull << 30) ? 1 : 0) + (ctx->numa_nodes - 1);
}

/* The reclaim benchmark's facts; the advisor reads no records. */
static void gather_reclaim(const struct mt_advise_ctx *ctx,
			   struct watermark_facts *f)
{
	f->have_base = mt_ev_fact(ctx, "reclaim.allocstall", &f->base);
	f->have_p99 = mt_ev_fact(ctx, "reclaim.alloc_p99_us", &f->p99);
	f->have_untrusted = mt_ev_fact(ctx, "reclaim.untrustworthy_records",
				       &f->untrusted);
	f->have_wsf_fix = f->have_base &&
			  mt_ev_fact(ctx, "reclaim.wsf_fix", &f->wsf_fix) &&
			  mt_ev_fact(ctx, "reclaim.wsf_fix_allocstall",
				     &f->wsf_fix_st) &&
			  f->wsf_fix.value <= f->wsf_max;
	f->have_mfk_fix = f->have_base &&
			  mt_ev_fact(ctx, "reclaim.mfk_fix", &f->mfk_fix) &&
			  mt_ev_fact(ctx, "reclaim.mfk_fix_allocstall",
				     &f->mfk_fix_st);
}

static double sig(const struct mt_advise_ctx *ctx, const char *name)
{
	double v;

	return mt_ev_signal(ctx, name, &v) ? v : NAN;
}

/* The live signals and the distress they show. */
static void gather_signals(const struct mt_advise_ctx *ctx,
			   struct watermark_facts *f)
{
	double psi;

	f->signals_from = json_string_value(json_object_get(ctx->signals,
							    "from"));
	f->stalls = sig(ctx, "allocstall_per_s");
	f->have_signals = isfinite(f->stalls);
	f->workload = json_is_true(json_object_get(ctx->signals, "workload"));
	f->since_boot = !strcmp(
		json_string_value(json_object_get(ctx->signals, "basis")) ?: "",
		"since_boot");
	f->scan_direct = sig(ctx, "pgscan_direct_per_s");
	f->scan_kswapd = sig(ctx, "pgscan_kswapd_per_s");
	f->low_quickly = sig(ctx, "kswapd_low_wmark_hit_quickly_per_s");
	f->psi10 = sig(ctx, "psi_memory_some_avg10");
	f->psi60 = sig(ctx, "psi_memory_some_avg60");
	f->psi300 = sig(ctx, "psi_memory_some_avg300");
	f->psi_pct = sig(ctx, "psi_memory_some_pct");
	f->full60 = sig(ctx, "psi_memory_full_avg60");
	f->psi_known = isfinite(f->psi60) || isfinite(f->psi_pct);
	/* The minute's average or the window's share: avg10 alone is one
	 * burst. */
	psi = isfinite(f->psi60) ? f->psi60 : -1;
	if (isfinite(f->psi_pct) && f->psi_pct > psi)
		psi = f->psi_pct;
	f->psi_used = psi;
	f->psi_high = f->psi_known && psi >= PSI_SOME_PCT;
	f->stalls_high = f->have_signals && f->stalls >= STALLS_PER_S;
	f->distress = f->workload && f->stalls_high &&
		      (f->psi_high || !f->psi_known);
}

static void gather(const struct mt_advise_ctx *ctx, struct watermark_facts *f)
{
	bool new_clamp = mt_ev_kernel_at_least(ctx, 5, 7);
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
	f->kernel_default = mt_min_free_kbytes_default(f->lowmem_kb,
						       f->nr_zones, f->thp, 512,
						       new_clamp);
	f->sqrt_default = mt_min_free_kbytes_default(f->lowmem_kb, f->nr_zones,
						     false, 512, new_clamp);
	if (f->thp) {
		uint64_t pages = 512ull * (uint64_t)f->nr_zones *
				 (2 + MIGRATE_PCPTYPES * MIGRATE_PCPTYPES);

		if (pages > f->lowmem_kb / 4 / 20)
			pages = f->lowmem_kb / 4 / 20;
		f->thp_floor = pages * 4;
	}
	/* 3000 since 5.16 (commit 39c65a94cd96, "mm/pagealloc: sysctl:
	 * change watermark_scale_factor max limit to 30%"; also in 5.15.58
	 * and other stable releases, which the version string does not
	 * tell apart): 1000 before, to be safe. */
	f->wsf_max = mt_ev_kernel_at_least(ctx, 5, 16) ? 3000 : 1000;
	f->origin[0] = '\0';
	if (ctx->live)
		mt_sysctl_origin("vm.min_free_kbytes", f->origin,
				 sizeof(f->origin));
	gather_reclaim(ctx, f);
	gather_signals(ctx, f);
}

/* A rate for a person: "2.5", "4123". */
static const char *rate(double v, char *buf, size_t len)
{
	snprintf(buf, len, v >= 1000 ? "%.0f" : "%.3g", v);
	return buf;
}

/* Evidence lines of the live signals, whatever they show. */
static void cite_signals(struct mt_item *it, const struct watermark_facts *f)
{
	char psi[200] = "", r[4][32];

	if (!f->have_signals) {
		mt_item_evidence(it, "live signals: %s",
				 f->signals_from ? f->signals_from :
						   "not gathered");
		return;
	}
	mt_item_evidence(it,
			 "live signals (%s): allocstall %s/s, "
			 "pgscan_direct %s/s against pgscan_kswapd %s/s, "
			 "kswapd_low_wmark_hit_quickly %s/s",
			 f->signals_from, rate(f->stalls, r[0], 32),
			 rate(f->scan_direct, r[1], 32),
			 rate(f->scan_kswapd, r[2], 32),
			 rate(f->low_quickly, r[3], 32));
	if (f->psi_known)
		snprintf(psi, sizeof(psi),
			 "PSI memory some avg10 %.2f%%, "
			 "avg60 %.2f%%, avg300 %.2f%%, %.2f%% of the time %s; "
			 "full avg60 %.2f%%",
			 f->psi10, f->psi60, f->psi300, f->psi_pct,
			 f->since_boot ? "since boot" : "in the window",
			 f->full60);
	mt_item_evidence(it, "%s",
			 psi[0] ? psi :
				  "no PSI (/proc/pressure/memory absent)");
	mt_item_evidence(it,
			 "distress thresholds: allocstall >= %.0f/s and "
			 "PSI memory some >= %.0f%% (avg60 or the window)",
			 STALLS_PER_S, PSI_SOME_PCT);
}

/* An observation's figures behind the signals (memtune observe): cited,
 * so that the item names the facts it rests on. */
static void cite_observation(const struct mt_advise_ctx *ctx,
			     struct mt_item *it)
{
	static const char *const ids[] = { "observe.allocstall_per_s",
					   "observe.pgscan_direct_per_s",
					   "observe.psi_some_pct" };
	struct mt_fact fa;

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (mt_ev_fact(ctx, ids[i], &fa))
			mt_item_cite(it, &fa);
}

/* The recommended value when raising without a measured one. */
/* Measured when the stalls' interval with a fix lies below the
 * baseline's, else inconclusive. */
static enum mt_ground fix_ground(const struct watermark_facts *f,
				 const struct mt_fact *fix_stalls)
{
	return isfinite(fix_stalls->hi) && isfinite(f->base.lo) &&
			       fix_stalls->hi < f->base.lo ?
		       MT_GROUND_MEASURED :
		       MT_GROUND_INCONCLUSIVE;
}

static int64_t step_up(const struct watermark_facts *f)
{
	int64_t v = f->wsf < WSF_STEP ? WSF_STEP : f->wsf * 2;

	return v > f->wsf_max ? f->wsf_max : v;
}

/* The reclaim benchmark's part of the evidence; the value it measured,
 * or -1. */
static int64_t wsf_from_benchmark(const struct mt_advise_ctx *ctx,
				  const struct watermark_facts *f,
				  struct mt_item *it, bool *grounded)
{
	const char *st = mt_ev_bench_status(ctx, "reclaim", NULL, 0);

	*grounded = false;
	if (!f->have_base) {
		if (f->have_untrusted)
			mt_item_evidence(it,
					 "reclaim benchmark: its "
					 "machine-scope baseline was "
					 "untrustworthy (%.0f records left "
					 "out): no direct-reclaim measurement",
					 f->untrusted.value);
		else
			mt_item_evidence(it, "reclaim benchmark: %s",
					 st && strcmp(st, "ok") ?
						 st :
					 ctx->run_dir ?
						 "no machine-scope "
						 "measurement in the run" :
						 "not in the run");
		return -1;
	}
	mt_item_cite(it, &f->base);
	if (f->have_p99)
		mt_item_cite(it, &f->p99);
	if (f->have_wsf_fix) {
		mt_item_cite(it, &f->wsf_fix);
		mt_item_cite(it, &f->wsf_fix_st);
		mt_item_ground(it, fix_ground(f, &f->wsf_fix_st), WSF_SOURCE);
		*grounded = true;
		return (int64_t)f->wsf_fix.value;
	}
	return -1;
}

static int advise_wsf(const struct mt_advise_ctx *ctx,
		      const struct watermark_facts *f, struct mt_advice *out)
{
	struct mt_item *it;
	int64_t rec = f->wsf, measured;
	bool grounded; /* the benchmark's fact set the ground */
	char val[32];

	if (!f->have_wsf)
		return 0;
	it = mt_advice_add(out, &mt_rule_min_free_kbytes,
			   "watermark_scale_factor");
	if (!it)
		return -ENOMEM;
	it->source = WSF_SOURCE;
	snprintf(it->current, sizeof(it->current), "%lld", (long long)f->wsf);
	cite_signals(it, f);
	cite_observation(ctx, it);
	mt_item_evidence(it, "valid range on this kernel 1..%d", f->wsf_max);
	measured = wsf_from_benchmark(ctx, f, it, &grounded);
	if (measured >= 0) {
		rec = measured > f->wsf ? measured : f->wsf;
		mt_item_reason(it,
			       "Allocation bursts drove free memory "
			       "below the min watermark and stalled in "
			       "direct reclaim (%.0f stalls at the current "
			       "settings, %.0f with %lld). A larger "
			       "watermark_scale_factor wakes kswapd earlier "
			       "and lets it reclaim further ahead of the "
			       "bursts without reserving memory.",
			       f->base.value, f->wsf_fix_st.value,
			       (long long)measured);
	} else if (f->distress) {
		rec = step_up(f);
		mt_item_ground(it,
			       f->psi_high ? MT_GROUND_DOCUMENTED :
					     MT_GROUND_PRACTICE,
			       WSF_SOURCE);
		mt_item_evidence(it,
				 "the value %lld is practice without a "
				 "primary source (watermark gaps of %.2g%% of "
				 "memory); no reclaim benchmark sweep measured "
				 "one",
				 (long long)rec, (double)rec / 100);
		mt_item_reason(it,
			       "The machine is in distress: %.3g tasks a "
			       "second enter direct reclaim%s. The kernel's "
			       "documentation names this rate as the sign "
			       "that the free memory kswapd keeps is too "
			       "small for the allocation bursts, and this "
			       "knob as the remedy: raising it wakes kswapd "
			       "earlier without reserving memory (raising "
			       "min_free_kbytes instead would reserve it). "
			       "Raise it to %lld, watch allocstall and PSI, "
			       "and confirm with the reclaim benchmark's "
			       "sweep.",
			       f->stalls,
			       f->psi_high ?
				       " and tasks lose time waiting for memory "
				       "(PSI)" :
				       " (this kernel has no PSI to say "
				       "how much time it costs)",
			       (long long)rec);
	} else if (f->have_base && f->base.value > 0) {
		rec = step_up(f);
		mt_item_ground(it, MT_GROUND_DOCUMENTED, WSF_SOURCE);
		mt_item_evidence(it,
				 "no swept watermark_scale_factor brought "
				 "the stalls to a tenth; the value %lld is "
				 "practice without a primary source",
				 (long long)rec);
		mt_item_reason(it,
			       "The reclaim benchmark's bursts stalled in "
			       "direct reclaim, which vm.rst says this knob "
			       "treats; no swept value removed the stalls. "
			       "Raising it to %lld is the first, cheap step; "
			       "measure again with the benchmark's sweep.",
			       (long long)rec);
	} else if (f->have_base) {
		mt_item_ground(it, MT_GROUND_INCONCLUSIVE, WSF_SOURCE);
		mt_item_reason(it,
			       "The reclaim benchmark's bursts did not "
			       "stall in direct reclaim at the current "
			       "settings: kswapd keeps up; keep %lld.",
			       (long long)f->wsf);
	} else if (f->have_signals && f->workload) {
		char psi[128] = "";

		mt_item_ground(it, MT_GROUND_PRACTICE, WSF_SOURCE);
		if (f->psi_known)
			snprintf(psi, sizeof(psi),
				 " and tasks stalled on "
				 "memory %.2f%% of the time (distress from "
				 "%.0f%%)",
				 f->psi_used, PSI_SOME_PCT);
		if (f->psi_high && !f->stalls_high)
			mt_item_reason(
				it,
				"Tasks stalled on memory %.2f%% of the time "
				"(distress from %.0f%%), but %.3g entered "
				"the machine's direct reclaim a second "
				"(distress from %.0f): the stall is not "
				"kswapd falling behind the zone watermarks "
				"but a memory cgroup at its limit or "
				"swap-ins (see the swappiness and memory.low "
				"items), which this knob does not reach.",
				f->psi_used, PSI_SOME_PCT, f->stalls,
				STALLS_PER_S);
		else
			mt_item_reason(it,
				       "No distress in the live signals: %.3g "
				       "direct-reclaim entries a second "
				       "(distress from %.0f)%s.",
				       f->stalls, STALLS_PER_S,
				       psi[0] ? psi :
						"; this kernel has no PSI");
		if (f->stalls_high)
			mt_item_reason(it,
				       "The stalls cost little time: not "
				       "worth more free memory yet; keep "
				       "%lld.",
				       (long long)f->wsf);
		else
			mt_item_reason(it, "kswapd keeps up: keep %lld.",
				       (long long)f->wsf);
	} else {
		mt_item_ground(it, MT_GROUND_PRACTICE, WSF_SOURCE);
		mt_item_reason(it,
			       "Neither a reclaim measurement nor live "
			       "signals of this machine's own workload: keep "
			       "%lld.",
			       (long long)f->wsf);
	}
	if (rec < 1)
		rec = 1;
	if (rec > f->wsf_max)
		rec = f->wsf_max;
	snprintf(val, sizeof(val), "%lld", (long long)rec);
	mt_item_sysctl(it, "watermark_scale_factor", val);
	it->change = rec != f->wsf;
	return 0;
}

static int advise_mfk(const struct mt_advise_ctx *ctx,
		      const struct watermark_facts *f, struct mt_advice *out)
{
	uint64_t mem_kb = ctx->mem_total / 1024, rec = (uint64_t)f->mfk;
	/* khugepaged never reserves more than 5% of lowmem: the kernel's
	 * own ceiling for its own recommendation. */
	uint64_t ceiling = f->lowmem_kb / 20;
	uint64_t cur = (uint64_t)f->mfk;
	struct mt_item *it;
	char val[32], b1[32], thp[160] = "";

	it = mt_advice_add(out, &mt_rule_min_free_kbytes, "min_free_kbytes");
	if (!it)
		return -ENOMEM;
	snprintf(it->current, sizeof(it->current), "%llu",
		 (unsigned long long)cur);
	if (f->thp && f->thp_floor > f->sqrt_default)
		snprintf(thp, sizeof(thp),
			 ", raised to khugepaged's THP "
			 "floor %llu kB",
			 (unsigned long long)f->thp_floor);
	else if (f->thp)
		snprintf(thp, sizeof(thp),
			 "; khugepaged's THP floor %llu kB "
			 "is lower, so it stays",
			 (unsigned long long)f->thp_floor);
	mt_item_evidence(it,
			 "kernel default %llu kB: int_sqrt(%llu kB "
			 "lowmem x 16) = %llu kB%s, over %d zones%s",
			 (unsigned long long)f->kernel_default,
			 (unsigned long long)f->lowmem_kb,
			 (unsigned long long)f->sqrt_default, thp, f->nr_zones,
			 f->zones_measured ? " (/proc/zoneinfo)" :
					     " (estimated: no zoneinfo)");
	mt_item_evidence(it, "current = %.2f%% of memory",
			 mem_kb ? 100.0 * (double)cur / (double)mem_kb : 0.0);
	if (f->origin[0])
		mt_item_evidence(it, "set in %s", f->origin);

	if (!f->have_wsf_fix && f->have_mfk_fix && f->base.value > 0 &&
	    f->mfk_fix.value <= (double)ceiling) {
		rec = (uint64_t)f->mfk_fix.value > cur ?
			      (uint64_t)f->mfk_fix.value :
			      cur;
		mt_item_cite(it, &f->base);
		mt_item_cite(it, &f->mfk_fix);
		mt_item_cite(it, &f->mfk_fix_st);
		mt_item_ground(it, fix_ground(f, &f->mfk_fix_st), NULL);
		mt_item_reason(it,
			       "No watermark_scale_factor value removed "
			       "the direct-reclaim stalls, a larger "
			       "min_free_kbytes did: %llu kB (within the 5%% "
			       "of lowmem the kernel itself never exceeds).",
			       (unsigned long long)rec);
	} else if (cur < f->kernel_default) {
		rec = f->kernel_default;
		mt_item_ground(it, MT_GROUND_DOCUMENTED, NULL);
		mt_item_reason(it,
			       "The current value is below what the "
			       "kernel itself computes for this memory "
			       "(%llu kB%s); something lowered it%s%s. Too "
			       "little reserve makes atomic allocations "
			       "fail and huge-page allocations fall back.",
			       (unsigned long long)f->kernel_default,
			       f->thp_floor > f->sqrt_default ?
				       ", with khugepaged's floor for THP" :
				       "",
			       f->origin[0] ? " in " : "", f->origin);
	} else if (cur > ceiling) {
		rec = f->kernel_default;
		mt_item_ground(it, MT_GROUND_DOCUMENTED, NULL);
		mt_item_evidence(it,
				 "above 5%% of lowmem (%llu kB), the most "
				 "khugepaged ever reserves; the kernel's own "
				 "computation never exceeds 262144 kB without "
				 "THP",
				 (unsigned long long)ceiling);
		mt_item_reason(it,
			       "%s kB is more than the kernel itself ever "
			       "reserves. Memory below the min watermark is "
			       "kept for the kernel's atomic allocations; "
			       "this much of it starves user space and can "
			       "bring the OOM killer while memory looks free "
			       "(vm.rst: \"setting this too high will OOM "
			       "your machine\"). Bring it back to the "
			       "kernel's own %llu kB; if direct-reclaim "
			       "stalls were why it was raised, raise "
			       "watermark_scale_factor instead, which does "
			       "not reserve memory.",
			       it->current, (unsigned long long)rec);
	} else if (cur == f->kernel_default ||
		   (cur > f->kernel_default * 99 / 100 &&
		    cur < f->kernel_default * 101 / 100)) {
		mt_item_ground(it, MT_GROUND_DOCUMENTED, NULL);
		mt_item_reason(it,
			       "This is the kernel's own value for this "
			       "memory%s; nothing measured argues for "
			       "another.",
			       f->thp_floor > f->sqrt_default ?
				       " (khugepaged's floor for THP)" :
				       "");
		if (f->distress)
			mt_item_reason(it, "The direct-reclaim stalls are "
					   "treated by watermark_scale_factor, "
					   "which does not reserve memory.");
	} else {
		mt_item_ground(it, MT_GROUND_PRACTICE, NULL);
		mt_item_reason(
			it,
			"The kernel would compute %llu kB; the "
			"current %s kB (%s) was set by %s. It is "
			"below the 5%% of lowmem the kernel itself "
			"never exceeds and nothing measured says it "
			"is wrong: keep it, or run the reclaim "
			"benchmark to see whether it helps.",
			(unsigned long long)f->kernel_default, it->current,
			mt_ev_bytes(cur * 1024, b1, sizeof(b1)),
			f->origin[0] ?
				f->origin :
				"an administrator or a tuning tool (no "
				"sysctl.d file sets it: perhaps tuned or a "
				"boot script)");
	}
	snprintf(val, sizeof(val), "%llu", (unsigned long long)rec);
	mt_item_sysctl(it, "min_free_kbytes", val);
	it->change = rec != cur;
	/* The threshold and its reason are the knob table's. */
	(void)mt_apply_guarded("vm.min_free_kbytes", val, ctx->mem_total,
			       it->force, sizeof(it->force));
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

/* The reclaim benchmark's bursts in a memory cgroup and against the
 * zones, at the watermarks in force. */
static const char *const trial_set[] = { "min_free_kbytes=current",
					 "watermark_scale_factor=current",
					 "duration=3s", NULL };
static const char *const trial_metrics[] = { "alloc_latency_p99", "allocstall",
					     NULL };
static const struct mt_rule_trial trial = { "reclaim", trial_set,
					    trial_metrics };

const struct mt_rule mt_rule_min_free_kbytes = {
	.name = "min_free_kbytes",
	.knob = "vm.min_free_kbytes, vm.watermark_scale_factor",
	.summary = "zone watermarks: the kernel's reserve and kswapd's gap",
	.source = SOURCE,
	.advise = watermark_advise,
	.trial = &trial,
};
