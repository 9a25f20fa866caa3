/* transparent_hugepage enabled and defrag, vendor-correct (issue 13).
 *
 * The applications present decide first (advisor/vendors.c: Redis,
 * PostgreSQL, MongoDB by version, Oracle by version and kernel); where they
 * disagree the current mode is kept and both are cited. Without one, the
 * profile decides, and it never trades a documented cost it cannot weigh
 * for a measured benefit: a page-walk ratio alone does not make `always`
 * (memory bloat, khugepaged, compaction stalls and fault latency are its
 * documented costs, and no document gives their exchange rate), and
 * `never` moves only to `madvise`, which costs nothing to programs that do
 * not ask for huge pages.
 *
 * defrag is judged under the enabled mode it will run with
 * (Documentation/admin-guide/mm/transhuge.rst): under `never` no THP is
 * allocated at fault, so defrag changes nothing; under `madvise` only
 * MADV_HUGEPAGE regions allocate THP at fault, and for them `always`,
 * `madvise` and `defer+madvise` all enter direct reclaim and compaction,
 * so moving between those three changes nothing either.
 *
 * The figures come from the analysis (tlb.thp_walk_ratio,
 * hugepage.thp_fault_us) and, when the snapshot has a "vmstat" object,
 * thp_fault_fallback and compact_stall.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../core/fsroot.h"
#include "advisor.h"
#include "vendors.h"

#define SOURCE \
	"https://docs.kernel.org/admin-guide/mm/transhuge.html " \
	"(Documentation/admin-guide/mm/transhuge.rst, Linux 6.12)"
#define THP "/sys/kernel/mm/transparent_hugepage"

struct thp_facts {
	bool have_walk, have_fault;
	struct mt_fact walk;	  /* tlb.thp_walk_ratio */
	struct mt_fact fault;	  /* hugepage.thp_fault_us */
	int64_t fallback, stalls; /* vmstat, -1 when not in the
					 * snapshot */
};

/* The vmstat counter name of the snapshot, or -1. */
static int64_t vmstat(const struct mt_advise_ctx *ctx, const char *name)
{
	json_t *v = json_object_get(json_object_get(ctx->sys, "vmstat"), name);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

static void gather(const struct mt_advise_ctx *ctx, struct thp_facts *f)
{
	f->have_walk = mt_ev_fact(ctx, "tlb.thp_walk_ratio", &f->walk);
	f->have_fault = mt_ev_fact(ctx, "hugepage.thp_fault_us", &f->fault);
	f->fallback = vmstat(ctx, "thp_fault_fallback");
	f->stalls = vmstat(ctx, "compact_stall");
}

/* True if the kernel's choice file at path offers word. */
static bool offers(const struct mt_advise_ctx *ctx, const char *file,
		   const char *word)
{
	char path[128], buf[256], *tok, *save = NULL;

	if (!ctx->live) /* a snapshot: assume a kernel of this decade */
		return true;
	snprintf(path, sizeof(path), THP "/%s", file);
	if (mt_fs_read_line(path, buf, sizeof(buf), NULL) != 0)
		return false;
	for (tok = strtok_r(buf, " []", &save); tok;
	     tok = strtok_r(NULL, " []", &save))
		if (strcmp(tok, word) == 0)
			return true;
	return false;
}

/* Cites the measured figures and the live counters on it. */
static void cite_costs(struct mt_item *it, const struct thp_facts *f, bool walk)
{
	if (walk && f->have_walk)
		mt_item_cite(it, &f->walk);
	if (f->have_fault)
		mt_item_cite(it, &f->fault);
	if (f->fallback >= 0 || f->stalls >= 0)
		mt_item_evidence(it,
				 "vmstat since boot: thp_fault_fallback "
				 "%" PRId64 ", compact_stall %" PRId64
				 " (-1: not in the snapshot)",
				 f->fallback, f->stalls);
}

/* The enabled mode when no application decides. */
static const char *profile_enabled(const struct mt_advise_ctx *ctx,
				   const struct thp_facts *f, bool tail,
				   struct mt_item *en)
{
	const char *cur = ctx->thp_enabled;
	char b[64];

	if (tail && strcmp(cur, "always") == 0) {
		mt_item_reason(en,
			       "The profile puts tail latency first. "
			       "With always, every large anonymous mapping "
			       "gets huge pages at fault: a fault may zero "
			       "2 MiB%s and, under defrag always, stall in "
			       "direct reclaim and compaction; khugepaged "
			       "collapses pages behind the application and "
			       "can bloat its memory (max_ptes_none). madvise "
			       "keeps huge pages for the programs that ask "
			       "(MADV_HUGEPAGE) and spares the others. ",
			       f->have_fault ? ", measured below," : "");
		mt_item_ground(en, MT_GROUND_DOCUMENTED, SOURCE);
		return "madvise";
	}
	if (strcmp(cur, "never") == 0 && f->have_walk && !tail &&
	    isfinite(f->walk.lo) && f->walk.lo > 1) {
		mt_item_reason(en,
			       "Page walks with 4 KiB pages cost %s the "
			       "time of THP at the largest size measured, "
			       "and the 95%% interval excludes no gain. "
			       "madvise lets the programs that ask "
			       "(MADV_HUGEPAGE, e.g. a JVM with "
			       "-XX:+UseTransparentHugePages) have huge pages "
			       "and costs the others nothing. ",
			       mt_fact_format(&f->walk, b, sizeof(b)));
		mt_item_ground(en, MT_GROUND_MEASURED, SOURCE);
		return "madvise";
	}
	if (strcmp(cur, "always") != 0 && f->have_walk && !tail)
		mt_item_reason(en,
			       "Keep %s. The page-walk ratio measured "
			       "here (cited) is a benefit of always; its "
			       "documented costs are memory bloat "
			       "(khugepaged's max_ptes_none), khugepaged's "
			       "scanning, compaction stalls and the fault "
			       "cost of zeroing 2 MiB (cited when measured), "
			       "and no document gives their exchange rate: "
			       "memtune does not recommend always from a "
			       "ratio. Programs that gain can ask with "
			       "MADV_HUGEPAGE under madvise. ",
			       cur);
	else
		mt_item_reason(en,
			       "Keep %s: no application on this host "
			       "asks for another mode, and %s. ",
			       cur,
			       tail ? "for tail latency anything but always "
				      "spares programs that did not ask" :
				      "nothing measured argues for a change");
	mt_item_ground(en, MT_GROUND_DOCUMENTED, SOURCE);
	return cur;
}

/* The defrag mode under enabled mode en_mode when no vendor decides. */
static const char *profile_defrag(const struct mt_advise_ctx *ctx,
				  const char *en_mode, bool tail,
				  struct mt_item *df)
{
	const char *cur = ctx->thp_defrag;

	if (strcmp(en_mode, "never") == 0) {
		mt_item_reason(df,
			       "Keep %s: with enabled never no huge page "
			       "is allocated at fault, so defrag changes "
			       "nothing. ",
			       cur);
	} else if (strcmp(en_mode, "madvise") == 0) {
		mt_item_reason(df,
			       "Keep %s: with enabled madvise only "
			       "MADV_HUGEPAGE regions get huge pages at "
			       "fault, and for them always, madvise and "
			       "defer+madvise all enter direct reclaim and "
			       "compaction; defer and never only refuse "
			       "those programs what they asked for. ",
			       cur);
	} else if (tail && strcmp(cur, "always") == 0) {
		mt_item_reason(df, "With enabled always and defrag always, "
				   "every fault that finds no free huge page "
				   "stalls in direct reclaim and compaction. "
				   "madvise (the kernel's default) stalls only "
				   "for regions that asked with MADV_HUGEPAGE; "
				   "the others fall back to 4 KiB pages at "
				   "once. ");
		mt_item_ground(df, MT_GROUND_DOCUMENTED, SOURCE);
		return "madvise";
	} else {
		mt_item_reason(df,
			       "Keep %s. Under enabled always, madvise "
			       "(the default) lets faults in regions that did "
			       "not ask fall back at once; defer+madvise "
			       "removes no stall from them and wakes kswapd "
			       "and kcompactd on each fallback, so memtune "
			       "does not flag that move. ",
			       cur);
	}
	mt_item_ground(df, MT_GROUND_DOCUMENTED, SOURCE);
	return cur;
}

/* Fills the THP item it: knob, value, path, apply, change. */
static void set_thp(struct mt_item *it, const char *file, const char *cur,
		    const char *rec)
{
	snprintf(it->knob, sizeof(it->knob), "transparent_hugepage.%s", file);
	snprintf(it->recommended, sizeof(it->recommended), "%s", rec);
	snprintf(it->value, sizeof(it->value), "%s", rec);
	snprintf(it->path, sizeof(it->path), THP "/%s", file);
	if (strcmp(file, "enabled") == 0)
		snprintf(it->apply, sizeof(it->apply),
			 "echo %s > " THP
			 "/enabled (at boot: transparent_hugepage=%s on the "
			 "kernel command line)",
			 rec, rec);
	else
		snprintf(it->apply, sizeof(it->apply),
			 "echo %s > " THP "/defrag", rec);
	it->change = strcmp(rec, cur) != 0;
}

static int thp_advise(const struct mt_advise_ctx *ctx, struct mt_advice *out,
		      struct mt_err *err)
{
	const struct mt_profile *p = ctx->profile;
	bool tail = p && (strcmp(p->goal, "latency") == 0 ||
			  strcmp(p->name, "database") == 0);
	struct mt_vendor_choice ce, cd;
	struct thp_facts f;
	struct mt_item *en, *df;
	const char *rec_en, *rec_df;

	(void)err;
	if (!ctx->thp_enabled[0])
		return 0;
	gather(ctx, &f);
	en = mt_advice_add(out, &mt_rule_thp, "thp_enabled");
	if (!en || !mt_advice_add(out, &mt_rule_thp, "thp_defrag"))
		return -ENOMEM;
	en = &out->items[out->n - 2];
	df = &out->items[out->n - 1];
	snprintf(en->current, sizeof(en->current), "%s", ctx->thp_enabled);
	snprintf(df->current, sizeof(df->current), "%s", ctx->thp_defrag);
	cite_costs(en, &f, true);
	cite_costs(df, &f, false);

	mt_vendor_choose(ctx, "transparent_hugepage.enabled", ctx->thp_enabled,
			 &ce);
	if (ce.n) {
		rec_en = ce.value && !ce.conflict ? ce.value : ctx->thp_enabled;
		mt_vendor_explain(en, &ce);
	} else if (ce.n_undecided) {
		/* An application whose vendor's word depends on a version
		 * memtune does not know: the profile must not overrule it. */
		mt_vendor_explain(en, &ce);
		mt_item_reason(en, "Keep %s until then. ", ctx->thp_enabled);
		mt_item_ground(en, MT_GROUND_DOCUMENTED, SOURCE);
		rec_en = ctx->thp_enabled;
	} else {
		rec_en = profile_enabled(ctx, &f, tail, en);
	}

	mt_vendor_choose(ctx, "transparent_hugepage.defrag", ctx->thp_defrag,
			 &cd);
	if (cd.value && !cd.keep && !cd.conflict &&
	    strcmp(rec_en, "always") == 0 && offers(ctx, "defrag", cd.value)) {
		rec_df = cd.value;
		mt_vendor_explain(df, &cd);
	} else if (cd.n && strcmp(rec_en, "always") == 0) {
		rec_df = ctx->thp_defrag;
		mt_vendor_explain(df, &cd);
		if (cd.value && !cd.keep && !cd.conflict)
			mt_item_reason(df,
				       "But this kernel does not offer %s "
				       "(%s/defrag): keep %s. ",
				       cd.value, THP, rec_df);
	} else {
		rec_df = profile_defrag(ctx, rec_en, tail, df);
	}
	set_thp(en, "enabled", ctx->thp_enabled, rec_en);
	set_thp(df, "defrag", ctx->thp_defrag, rec_df);
	return 0;
}

/* The huge-page cases on the system's own THP mode (backing "system": a
 * program that never calls madvise, which is what the mode decides for):
 * what a first touch costs per 4 KiB and how fast independent loads run
 * over 256 MiB, far beyond any TLB's reach. */
static const char *const trial_set[] = { "backings=system", "ops=touch,random",
					 "size=256M", NULL };
static const char *const trial_metrics[] = { "random_rate", "touch_ns_per_4k",
					     NULL };
static const struct mt_rule_trial trial = { "hugepage", trial_set,
					    trial_metrics };

const struct mt_rule mt_rule_thp = {
	.name = "thp",
	.knob = "transparent_hugepage.enabled, transparent_hugepage.defrag",
	.summary = "transparent huge pages: what the applications' vendors "
		   "ask, else the profile, costs weighed",
	.source = SOURCE,
	.advise = thp_advise,
	.trial = &trial,
};
