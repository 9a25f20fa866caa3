/* cgroup v2 memory limits for one service, often better than any global
 * knob (issue 13): memory.low protection for a service the host is for,
 * memory.high for the jobs the profile sacrifices, memory.swap.max where
 * the vendor says the service must not swap (Elasticsearch; PostgreSQL's
 * and Redis's documentation say the opposite: swap keeps the OOM killer
 * away),
 * and what memory.oom.group
 * would do to PostgreSQL. Each is a systemd drop-in (systemctl
 * set-property writes one): MemoryLow=, MemoryHigh=, MemorySwapMax=.
 *
 * Values come from the service's own cgroup (memory.peak, else
 * memory.current, read through MEMTUNE_FSROOT) and MemTotal, never from a
 * constant: MemoryLow= is the observed peak (cgroup-v2.rst: "Putting more
 * memory than generally available under this protection is discouraged",
 * so a peak beyond what the service holds plus MemAvailable is refused);
 * MemoryHigh= for sacrificed jobs is what MemTotal leaves after the kept
 * services' peaks. Sizing a limit by an observed peak is practice, and the
 * items say so; when no value is defensible they say what to measure and
 * change nothing. An observation (memtune observe) that saw a service pay
 * for swap gives it a MemoryLow= from the observed figures, also for an
 * observation made on another host. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../analyzer/analysis.h"
#include "advisor.h"

#define SOURCE \
	"https://docs.kernel.org/admin-guide/cgroup-v2.html " \
	"(Memory Interface Files, read 2026-12-03); " \
	"systemd.resource-control(5) (https://www.freedesktop.org/software/" \
	"systemd/man/latest/systemd.resource-control.html, read 2026-12-03)"
#define ES_SOURCE \
	"https://www.elastic.co/docs/deploy-manage/deploy/" \
	"self-managed/setup-configuration-memory (Elasticsearch current " \
	"docs, \"Disable swapping\", read 2026-12-03); " SOURCE
#define PG_SOURCE \
	"https://www.postgresql.org/docs/current/" \
	"runtime-config-error-handling.html (restart_after_crash, read " \
	"2026-12-03); https://docs.kernel.org/admin-guide/cgroup-v2.html " \
	"(memory.oom.group, read 2026-12-03)"

#define MiB ((uint64_t)1 << 20)
#define MAX_SACRIFICE 16

/* A service's cgroup and what it used. */
struct svc {
	const char *name; /* "postgresql", or the glob's process */
	char unit[128];
	char cgroup[256];
	uint64_t peak; /* memory.peak, else memory.current; 0 */
	bool from_peak;
};

/* Fills s->peak from the cgroup; false when neither file is readable. */
static bool svc_usage(struct svc *s)
{
	uint64_t v;
	bool max;

	if (mt_cgroup_read(s->cgroup, "memory.peak", &v, &max) == 0 && !max) {
		s->peak = v;
		s->from_peak = true;
		return true;
	}
	if (mt_cgroup_read(s->cgroup, "memory.current", &v, &max) == 0 &&
	    !max) {
		s->peak = v;
		return true;
	}
	return false;
}

/* Formats a memory.* value for `current`: "max" or the size. */
static const char *limit_text(const char *cg, const char *file, char *buf,
			      size_t len)
{
	uint64_t v;
	bool max;

	if (mt_cgroup_read(cg, file, &v, &max) < 0)
		snprintf(buf, len, "unknown");
	else if (max)
		snprintf(buf, len, "max");
	else
		mt_ev_bytes(v, buf, len);
	return buf;
}

/* Appends item id on the cgroup file of a systemd unit: knob
 * "FILE:UNIT". NULL on ENOMEM. */
static struct mt_item *unit_item(struct mt_advice *out, const char *id,
				 const char *file, const char *unit)
{
	struct mt_item *it = mt_advice_add(out, &mt_rule_cgroup_limits, id);

	if (it)
		snprintf(it->knob, sizeof(it->knob), "%s:%.100s", file, unit);
	return it;
}

/* MemoryLow= for a kept service. */
static int memory_low(const struct mt_advise_ctx *ctx, struct mt_advice *out,
		      struct svc *s)
{
	char id[96], b1[32], b2[32], b3[32];
	uint64_t cur = 0, low = 0, want;
	bool max;
	struct mt_item *it;

	snprintf(id, sizeof(id), "cgroup.%s.memory_low", s->name);
	it = unit_item(out, id, "memory.low", s->unit);
	if (!it)
		return -ENOMEM;
	if (mt_cgroup_read(s->cgroup, "memory.low", &low, &max) < 0)
		low = 0;
	snprintf(it->current, sizeof(it->current), "%s",
		 limit_text(s->cgroup, "memory.low", b1, sizeof(b1)));
	mt_cgroup_read(s->cgroup, "memory.current", &cur, &max);
	mt_item_ground(it, MT_GROUND_PRACTICE, SOURCE);
	if (!svc_usage(s) || s->peak == 0) {
		snprintf(it->recommended, sizeof(it->recommended), "measure");
		mt_item_reason(it,
			       "No memory.peak or memory.current for %s "
			       "in %s: no protection size is defensible. "
			       "Measure what it uses over a busy period "
			       "(memtune observe --unit %s), then protect "
			       "that.",
			       s->unit, s->cgroup, s->unit);
		return 0;
	}
	want = (s->peak + MiB - 1) / MiB * MiB;
	mt_item_evidence(it, "%s %s: %s, memory.current %s, MemAvailable %s",
			 s->cgroup,
			 s->from_peak ? "memory.peak" :
					"memory.current (no memory.peak)",
			 mt_ev_bytes(s->peak, b1, sizeof(b1)),
			 mt_ev_bytes(cur, b2, sizeof(b2)),
			 mt_ev_bytes(ctx->mem_available, b3, sizeof(b3)));
	if (s->peak > cur + ctx->mem_available) {
		snprintf(it->recommended, sizeof(it->recommended), "measure");
		mt_item_reason(it,
			       "%s peaked at more than it holds now plus "
			       "all available memory: protecting that much "
			       "is what cgroup-v2.rst discourages (\"more "
			       "memory than generally available\"). Measure "
			       "its working set under normal load (memtune "
			       "observe --unit %s) and protect that instead.",
			       s->unit, s->unit);
		return 0;
	}
	snprintf(it->recommended, sizeof(it->recommended), "%" PRIu64 "M",
		 want / MiB);
	it->change = low < want;
	mt_item_reason(it,
		       "The host is for %s: memory.low makes the kernel "
		       "reclaim every unprotected cgroup before it touches "
		       "%s's memory below the boundary (best effort; "
		       "memory.min would be a hard guarantee, and a hard one "
		       "sized wrong means constant OOMs, so not that). The "
		       "boundary is the %s it reached, so what it has used "
		       "stays resident; sizing by the observed peak is "
		       "practice, not a documented rule.",
		       s->name, s->unit, s->from_peak ? "peak" : "usage");
	if (!s->from_peak)
		mt_item_reason(it,
			       "This kernel has no memory.peak: the "
			       "value is today's usage; watch it over a busy "
			       "period.");
	if (!it->change)
		mt_item_reason(it, "Its memory.low already covers that.");
	snprintf(it->apply, sizeof(it->apply),
		 "systemctl set-property %s MemoryLow=%" PRIu64 "M", s->unit,
		 want / MiB);
	return 0;
}

/* MemorySwapMax=0 for Elasticsearch, whose vendor says swapping must be
 * avoided. */
static int swap_max(const struct mt_advise_ctx *ctx, struct mt_advice *out,
		    const struct svc *s)
{
	char id[96], b1[32], b2[32];
	uint64_t v = 0, used = 0;
	bool max = true;
	struct mt_item *it;

	snprintf(id, sizeof(id), "cgroup.%s.memory_swap_max", s->name);
	it = unit_item(out, id, "memory.swap.max", s->unit);
	if (!it)
		return -ENOMEM;
	if (mt_cgroup_read(s->cgroup, "memory.swap.max", &v, &max) < 0)
		max = true;
	mt_cgroup_read(s->cgroup, "memory.swap.current", &used, &(bool){ 0 });
	snprintf(it->current, sizeof(it->current), "%s",
		 limit_text(s->cgroup, "memory.swap.max", b1, sizeof(b1)));
	snprintf(it->recommended, sizeof(it->recommended), "0");
	mt_item_evidence(it, "%s memory.swap.current %s; swap on the host %s",
			 s->cgroup, mt_ev_bytes(used, b1, sizeof(b1)),
			 mt_ev_bytes(ctx->swap_total, b2, sizeof(b2)));
	mt_item_ground(it, MT_GROUND_DOCUMENTED, ES_SOURCE);
	it->change = ctx->swap_total > 0 && (max || v > 0);
	mt_item_reason(it, "Elasticsearch's documentation: swapping "
			   "is very bad for performance and node "
			   "stability and should be avoided at all "
			   "costs (garbage collections of minutes, nodes "
			   "dropping out of the cluster); in a "
			   "distributed system it is better that the OS "
			   "kills the node. MemorySwapMax=0 disables swap "
			   "for this service alone (memory.swap.max: its "
			   "anonymous memory is not swapped out), the "
			   "per-service form of the documented swapoff.");
	if (!ctx->swap_total)
		mt_item_reason(it, "The host has no swap: nothing to change.");
	else if (!it->change)
		mt_item_reason(it, "Its memory.swap.max is already 0.");
	if (used && it->change) {
		mt_item_reason(it,
			       "It has %s in swap now; lowering the "
			       "limit brings it back gradually.",
			       mt_ev_bytes(used, b1, sizeof(b1)));
	}
	snprintf(it->apply, sizeof(it->apply),
		 "systemctl set-property %s MemorySwapMax=0", s->unit);
	return 0;
}

/* What memory.oom.group would do to PostgreSQL: nothing it needs. */
static int pg_oom_group(struct mt_advice *out, const struct svc *s)
{
	uint64_t v = 0;
	bool max;
	struct mt_item *it;

	it = unit_item(out, "cgroup.postgresql.memory_oom_group",
		       "memory.oom.group", s->unit);
	if (!it)
		return -ENOMEM;
	if (mt_cgroup_read(s->cgroup, "memory.oom.group", &v, &max) < 0)
		snprintf(it->current, sizeof(it->current), "unknown");
	else
		snprintf(it->current, sizeof(it->current), "%" PRIu64, v);
	snprintf(it->recommended, sizeof(it->recommended), "0");
	it->change = false;
	mt_item_ground(it, MT_GROUND_PRACTICE, PG_SOURCE);
	mt_item_reason(it,
		       "Neither PostgreSQL's nor systemd's documentation "
		       "asks for memory.oom.group on PostgreSQL's unit, so "
		       "memtune does not either. It would add little: after "
		       "any backend is killed the postmaster already ends "
		       "every other backend and reinitializes "
		       "(restart_after_crash, on by default), and "
		       "memory.oom.group never kills a task with "
		       "oom_score_adj -1000, which the postmaster has under "
		       "PostgreSQL's own OOM advice.");
	if (v == 1)
		mt_item_reason(it, "It is 1 here: the kernel ends every "
				   "backend at once, close to what the "
				   "postmaster does anyway; harmless, no need "
				   "to change it back.");
	return 0;
}

/* The slice a sacrificed unit sits in, when it is a slice of its own
 * (batch.slice), else the unit itself: a limit on the slice covers every
 * job started there. */
static void sacrifice_target(const char *cg, const char *unit, char *tcg,
			     size_t clen, char *tunit, size_t ulen)
{
	const char *last = strrchr(cg, '/');
	size_t n = last ? (size_t)(last - cg) : 0;
	const char *parent_name;

	snprintf(tcg, clen, "%s", cg);
	snprintf(tunit, ulen, "%s", unit);
	if (n == 0 || n >= clen)
		return;
	memcpy(tcg, cg, n);
	tcg[n] = '\0';
	parent_name = strrchr(tcg, '/') + 1;
	if (strlen(parent_name) > 6 &&
	    strcmp(parent_name + strlen(parent_name) - 6, ".slice") == 0 &&
	    strcmp(parent_name, "system.slice") != 0 &&
	    strcmp(parent_name, "user.slice") != 0 &&
	    strcmp(parent_name, "machine.slice") != 0) {
		snprintf(tunit, ulen, "%s", parent_name);
		return;
	}
	snprintf(tcg, clen, "%s", cg);
}

/* MemoryHigh= for the profile's sacrificed jobs: MemTotal minus the kept
 * services' peaks. */
static int memory_high(const struct mt_advise_ctx *ctx, struct mt_advice *out,
		       const char *glob, uint64_t kept_peaks, size_t n_kept)
{
	int pids[MAX_SACRIFICE];
	size_t n = mt_proc_find(glob, pids, MAX_SACRIFICE);
	char cg[256], unit[128], tcg[256], tunit[128], id[160];
	char b1[32], b2[32], b3[32];
	uint64_t high = 0, room, want;
	struct svc s = { .name = glob };
	bool max = true;
	struct mt_item *it;

	if (!n ||
	    !mt_proc_cgroup(pids[0], cg, sizeof(cg), unit, sizeof(unit)) ||
	    !unit[0])
		return 0;
	sacrifice_target(cg, unit, tcg, sizeof(tcg), tunit, sizeof(tunit));
	snprintf(id, sizeof(id), "cgroup.%s.memory_high", tunit);
	if (mt_advice_find(out, id))
		return 0;
	it = unit_item(out, id, "memory.high", tunit);
	if (!it)
		return -ENOMEM;
	snprintf(s.cgroup, sizeof(s.cgroup), "%s", tcg);
	if (mt_cgroup_read(tcg, "memory.high", &high, &max) < 0)
		max = true;
	snprintf(it->current, sizeof(it->current), "%s",
		 limit_text(tcg, "memory.high", b1, sizeof(b1)));
	mt_item_ground(it, MT_GROUND_PRACTICE, SOURCE);
	svc_usage(&s);
	mt_item_evidence(it,
			 "profile %s: sacrifice %s (pid %d in %s); "
			 "%s used %s; kept services' peaks %s of MemTotal "
			 "%s",
			 ctx->profile->name, glob, pids[0], unit, tcg,
			 mt_ev_bytes(s.peak, b1, sizeof(b1)),
			 mt_ev_bytes(kept_peaks, b2, sizeof(b2)),
			 mt_ev_bytes(ctx->mem_total, b3, sizeof(b3)));
	if (!n_kept || kept_peaks >= ctx->mem_total) {
		snprintf(it->recommended, sizeof(it->recommended), "measure");
		mt_item_reason(it,
			       "No kept service with a measured peak "
			       "leaves a defensible room for %s: measure "
			       "the services this host is for (memory.peak "
			       "of their units, memtune observe --unit) and "
			       "name them in the profile (keep, services).",
			       tunit);
		return 0;
	}
	room = ctx->mem_total - kept_peaks;
	want = room / MiB * MiB;
	snprintf(it->recommended, sizeof(it->recommended), "%" PRIu64 "M",
		 want / MiB);
	it->change = max || high > want;
	mt_item_reason(it,
		       "The profile sacrifices %s. memory.high throttles "
		       "a cgroup above the boundary and puts it under heavy "
		       "reclaim, and never invokes the OOM killer "
		       "(cgroup-v2.rst): the jobs slow down instead of "
		       "pushing the kept services out. The boundary is "
		       "MemTotal less the kept services' observed peaks, so "
		       "they keep what they have used; the sizing is "
		       "practice, not a documented rule.",
		       glob);
	if (s.peak > want)
		mt_item_reason(it,
			       "The jobs have used more than that (%s): "
			       "they will be throttled.",
			       mt_ev_bytes(s.peak, b1, sizeof(b1)));
	if (!it->change)
		mt_item_reason(it, "Its memory.high is already at or below "
				   "that.");
	snprintf(it->apply, sizeof(it->apply),
		 "systemctl set-property %s MemoryHigh=%" PRIu64 "M", tunit,
		 want / MiB);
	return 0;
}

/* The item on knob `knob`, or NULL. */
static struct mt_item *knob_item(const struct mt_advice *out, const char *knob)
{
	for (size_t i = 0; i < out->n; i++)
		if (!strcmp(out->items[i].knob, knob))
			return &out->items[i];
	return NULL;
}

/* MemoryLow= for a service an observation (memtune observe) saw paying
 * for swap: its anonymous memory refaults (swap-ins), or it holds swap
 * and takes major faults. Sized by the highest memory.current observed
 * plus the swap it holds when the available memory covers that; works on
 * an observation made elsewhere (the figures are the observation's). */
static int observed_low(const struct mt_advise_ctx *ctx, struct mt_advice *out,
			json_t *t, size_t idx)
{
	struct mt_fact ra, sw, mf, peak, avail;
	bool have_ra, have_sw, have_mf, max = false, with_swap;
	char unit[128], knob[160], id[192], b1[32], b2[32];
	const char *cg = json_string_value(json_object_get(t, "path"));
	uint64_t want, low = 0;
	struct mt_item *it;

#define OBS_FACT(name, f) \
	(snprintf(id, sizeof(id), "observe.t%zu." name, idx), \
	 mt_ev_fact(ctx, id, f))
	have_ra = OBS_FACT("refault_anon_per_s", &ra) && ra.lo > 0;
	have_sw = OBS_FACT("swap_bytes", &sw) && sw.value > 0;
	have_mf = OBS_FACT("majflt_per_s", &mf) && mf.lo > 0;
	if (!(have_ra || (have_sw && have_mf)) || !OBS_FACT("rss_max", &peak))
		return 0;
#undef OBS_FACT
	mt_ev_observed_unit(t, unit, sizeof(unit));
	snprintf(knob, sizeof(knob), "memory.low:%.100s", unit);
	if (!unit[0] || knob_item(out, knob))
		return 0;
	snprintf(id, sizeof(id), "cgroup.observe.%s.memory_low", unit);
	it = unit_item(out, id, "memory.low", unit);
	if (!it)
		return -ENOMEM;
	if (have_ra)
		mt_item_cite(it, &ra);
	if (have_mf)
		mt_item_cite(it, &mf);
	if (have_sw)
		mt_item_cite(it, &sw);
	mt_item_cite(it, &peak);
	with_swap = have_sw &&
		    mt_ev_fact(ctx, "observe.mem_available_last", &avail) &&
		    sw.value <= avail.value;
	want = (uint64_t)(peak.value + (with_swap ? sw.value : 0));
	want = (want + (1u << 20) - 1) >> 20 << 20;
	if (ctx->live && cg &&
	    mt_cgroup_read(cg, "memory.low", &low, &max) == 0)
		snprintf(it->current, sizeof(it->current), "%s",
			 max ? "max" : mt_ev_bytes(low, b1, sizeof(b1)));
	else
		snprintf(it->current, sizeof(it->current), "unknown");
	snprintf(it->recommended, sizeof(it->recommended), "%" PRIu64 "M",
		 want >> 20);
	it->change = !max && low < want;
	mt_item_ground(it, MT_GROUND_PRACTICE, SOURCE);
	mt_item_reason(it,
		       "The observation saw %s pay for swap: %s. memory.low "
		       "makes the kernel reclaim every unprotected cgroup "
		       "before it touches this one's memory below the "
		       "boundary (best effort), which stops the swap-ins at "
		       "their source without moving reclaim onto every "
		       "process's page cache as a lower vm.swappiness "
		       "would. The boundary is the highest memory.current "
		       "observed (%s)%s; sizing by an observed peak is "
		       "practice, not a documented rule.",
		       unit,
		       have_ra ? "its anonymous memory refaults from swap "
				 "(95% interval above 0)" :
				 "it holds swap and takes major faults",
		       mt_ev_bytes((uint64_t)peak.value, b1, sizeof(b1)),
		       with_swap ? " plus the swap it holds, which the "
				   "available memory covers" :
				   "");
	if (have_sw && !with_swap)
		mt_item_reason(it,
			       "The %s it holds in swap is more than the "
			       "memory available at the end: not "
			       "protected.",
			       mt_ev_bytes((uint64_t)sw.value, b2, sizeof(b2)));
	if (!ctx->live)
		mt_item_evidence(it, "its memory.low now is not known: the "
				     "observation was made on another host");
	snprintf(it->apply, sizeof(it->apply),
		 "systemctl set-property %s MemoryLow=%" PRIu64 "M", unit,
		 want >> 20);
	return 0;
}

/* The services an observation saw. */
static int observed(const struct mt_advise_ctx *ctx, struct mt_advice *out)
{
	json_t *t;
	size_t i;
	int rc = 0;

	json_array_foreach(json_object_get(mt_analysis_derived(ctx->analysis,
							       "observe"),
					   "targets"),
			   i, t) {
		if (rc == 0)
			rc = observed_low(ctx, out, t, i);
	}
	return rc;
}

static int cg_advise(const struct mt_advise_ctx *ctx, struct mt_advice *out,
		     struct mt_err *err)
{
	const struct mt_profile *p = ctx->profile;
	struct svc kept_svc[MT_APP_N];
	uint64_t peaks = 0;
	size_t n_kept = 0;
	int rc = 0;

	(void)err;
	if (!ctx->live)
		return observed(ctx, out);
	for (int k = 0; rc == 0 && k < MT_APP_N; k++) {
		const struct mt_app *a = mt_ev_app(ctx, (enum mt_app_kind)k);
		struct svc *s = &kept_svc[n_kept];

		/* kubelet reserves memory for pods itself (kubeReserved,
		 * systemReserved): not a service to size here. */
		if (!a || !a->running || !a->unit[0] || !a->cgroup[0] ||
		    k == MT_APP_KUBELET ||
		    !mt_app_kept(ctx, (enum mt_app_kind)k))
			continue;
		memset(s, 0, sizeof(*s));
		s->name = a->name;
		snprintf(s->unit, sizeof(s->unit), "%s", a->unit);
		snprintf(s->cgroup, sizeof(s->cgroup), "%s", a->cgroup);
		rc = memory_low(ctx, out, s);
		/* Only Elasticsearch's vendor says not to swap; PostgreSQL's
		 * and Redis's say swap keeps the OOM killer away ("make sure
		 * to setup some swap", redis.io administration), so no
		 * latency goal overrides them. */
		if (rc == 0 && k == MT_APP_ELASTICSEARCH)
			rc = swap_max(ctx, out, s);
		if (rc == 0 && k == MT_APP_POSTGRESQL)
			rc = pg_oom_group(out, s);
		if (s->peak && s->peak <= s->peak + peaks) {
			peaks += s->peak;
			n_kept++;
		}
	}
	for (size_t i = 0; rc == 0 && p && i < p->n_sacrifice; i++)
		rc = memory_high(ctx, out, p->sacrifice[i], peaks, n_kept);
	return rc ? rc : observed(ctx, out);
}

const struct mt_rule mt_rule_cgroup_limits = {
	.name = "cgroup_limits",
	.knob = "memory.low/high/swap.max:<unit>",
	.summary = "one service's cgroup v2 memory protection and limits",
	.source = SOURCE,
	.advise = cg_advise,
};
