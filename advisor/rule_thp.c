/* transparent_hugepage enabled and defrag: the page-walk penalty of 4 KiB
 * pages (tlb benchmark: 4k against thp at the largest working set) against
 * the cost of a huge-page fault (hugepage benchmark: one THP fault zeroes
 * 2 MiB, a latency spike for whoever takes it), weighed by the profile. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../core/fsroot.h"
#include "advisor.h"

#define SOURCE "Documentation/admin-guide/mm/transhuge.rst " \
	"(https://docs.kernel.org/admin-guide/mm/transhuge.html)"
#define THP "/sys/kernel/mm/transparent_hugepage"

struct thp_facts {
	double walk_penalty;	/* 4k / thp latency at the largest size */
	int64_t size;
	double fault_us;	/* one THP fault, median */
	double fault_max_us;
};

static void gather(const struct mt_advise_ctx *ctx, struct thp_facts *f)
{
	json_t *recs[64], *r;
	size_t n = mt_ev_select(ctx, "tlb", "latency",
				"backing=4k,pattern=page", recs, 64);

	f->walk_penalty = f->fault_us = f->fault_max_us = NAN;
	f->size = -1;
	for (size_t i = 0; i < n && i < 64; i++) {
		int64_t s;
		char filter[96];

		if (!mt_ev_case_int(recs[i], "size_bytes", &s) || s <= f->size)
			continue;
		snprintf(filter, sizeof(filter),
			 "backing=thp,pattern=page,size_bytes=%lld",
			 (long long)s);
		if (!mt_ev_select(ctx, "tlb", "latency", filter, &r, 1))
			continue;
		f->size = s;
		f->walk_penalty = mt_ev_num(recs[i], "value") /
				  mt_ev_num(r, "value");
	}
	if (mt_ev_select(ctx, "hugepage", "fault_ns", "backing=thp,op=touch",
			 &r, 1)) {
		f->fault_us = mt_ev_num(r, "value") / 1000;
		f->fault_max_us = mt_ev_num(r, "max") / 1000;
	}
}

/* True if the kernel's choice file at path offers word. */
static bool offers(const struct mt_advise_ctx *ctx, const char *file,
		   const char *word)
{
	char path[128], buf[256], *tok, *save = NULL;

	if (!ctx->live)	/* a snapshot: assume a kernel of this decade */
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

static int thp_advise(const struct mt_advise_ctx *ctx, struct mt_advice *out,
		      struct mt_err *err)
{
	const struct mt_profile *p = ctx->profile;
	const char *goal = p ? p->goal : "balanced";
	bool tail = strcmp(goal, "latency") == 0 ||
		    (p && strcmp(p->name, "database") == 0);
	struct thp_facts f;
	struct mt_item *en, *df;
	const char *rec_en, *rec_df;
	char b[32];

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
	if (!isnan(f.walk_penalty)) {
		en->measured = df->measured = true;
		mt_item_evidence(en, "tlb: 4k/thp page-stride latency %.2fx "
				 "at %s", f.walk_penalty,
				 mt_ev_bytes((uint64_t)f.size, b, sizeof(b)));
	} else {
		mt_item_evidence(en, "tlb benchmark: %s",
				 mt_ev_bench_status(ctx, "tlb", NULL, 0) ?:
				 "not in the run");
	}
	if (!isnan(f.fault_us)) {
		en->measured = df->measured = true;
		mt_item_evidence(df, "hugepage: THP fault %.0f us median, "
				 "%.0f us max", f.fault_us, f.fault_max_us);
	}
	if (tail) {
		rec_en = "madvise";
		rec_df = offers(ctx, "defrag", "defer+madvise") ?
				 "defer+madvise" : "madvise";
		mt_item_reason(en, "The profile puts tail latency first: "
			       "with always, any fault in a large anonymous "
			       "mapping may zero 2 MiB%s and khugepaged "
			       "collapses behind the application's back. "
			       "madvise keeps huge pages for the programs "
			       "that ask for them (MADV_HUGEPAGE).",
			       isnan(f.fault_us) ? "" : " (measured here)");
		mt_item_reason(df, "%s: no direct compaction stalls for "
			       "mappings that did not ask for huge pages; "
			       "those that did may compact.", rec_df);
	} else if (!isnan(f.walk_penalty) && f.walk_penalty >= 1.2) {
		rec_en = "always";
		rec_df = "madvise";
		mt_item_reason(en, "Page walks cost %.0f%% more with 4 KiB "
			       "pages at the largest working set measured; "
			       "for a %s goal every anonymous mapping should "
			       "get huge pages.", (f.walk_penalty - 1) * 100,
			       goal);
		mt_item_reason(df, "madvise: huge pages when they are free, "
			       "direct compaction only for mappings that "
			       "ask, so a fragmented machine does not stall "
			       "every fault.");
	} else {
		rec_en = ctx->thp_enabled;
		rec_df = ctx->thp_defrag;
		mt_item_reason(en, "%s: keep the current mode.",
			       isnan(f.walk_penalty) ? "Nothing measured the "
			       "page-walk penalty" : "The measured page-walk "
			       "penalty is small (under 20%)");
		mt_item_reason(df, "Keep the current defrag mode.");
	}
	en->confidence = df->confidence = en->measured ? MT_CONF_MEDIUM :
							 MT_CONF_LOW;
	if (tail)
		en->confidence = df->confidence = MT_CONF_MEDIUM;
	snprintf(en->knob, sizeof(en->knob), "transparent_hugepage.enabled");
	snprintf(df->knob, sizeof(df->knob), "transparent_hugepage.defrag");
	snprintf(en->recommended, sizeof(en->recommended), "%s", rec_en);
	snprintf(df->recommended, sizeof(df->recommended), "%s", rec_df);
	snprintf(en->value, sizeof(en->value), "%s", rec_en);
	snprintf(df->value, sizeof(df->value), "%s", rec_df);
	snprintf(en->path, sizeof(en->path), THP "/enabled");
	snprintf(df->path, sizeof(df->path), THP "/defrag");
	snprintf(en->apply, sizeof(en->apply), "echo %s > " THP "/enabled "
		 "(at boot: transparent_hugepage=%s on the kernel command "
		 "line)", rec_en, rec_en);
	snprintf(df->apply, sizeof(df->apply), "echo %s > " THP "/defrag",
		 rec_df);
	en->change = strcmp(rec_en, ctx->thp_enabled) != 0;
	df->change = strcmp(rec_df, ctx->thp_defrag) != 0;
	return 0;
}

const struct mt_rule mt_rule_thp = {
	.name = "thp",
	.knob = "transparent_hugepage.enabled, transparent_hugepage.defrag",
	.summary = "transparent huge pages: page-walk savings against fault "
		   "spikes",
	.source = SOURCE,
	.advise = thp_advise,
};
