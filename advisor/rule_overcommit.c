/* vm.overcommit_memory and vm.overcommit_ratio, by application (issue 13).
 *
 * The kernel's modes (Documentation/mm/overcommit-accounting.rst): 0
 * heuristic (the default), 1 always overcommit, 2 strict: the committed
 * address space may not exceed CommitLimit = (MemTotal - hugetlb) *
 * overcommit_ratio / 100 + swap (Documentation/filesystems/proc.rst).
 *
 * Redis (its documentation and its own startup check) and the kubelet
 * (which refuses to start with protectKernelDefaults, or writes it itself)
 * require 1; PostgreSQL's documentation offers 2 to make the OOM killer
 * less likely; MongoDB 8.0's THP service file writes 1. Where they
 * disagree (Redis or a kubelet beside PostgreSQL) the current mode is kept
 * with both cited. Mode 2 is recommended only when the commit limit it
 * would enforce covers what is committed now: switching below that makes
 * allocations fail at once. apply's guard still asks for --force
 * overcommit before writing 2.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "advisor.h"
#include "vendors.h"

#define SOURCE \
	"https://docs.kernel.org/mm/overcommit-accounting.html " \
	"(Documentation/mm/overcommit-accounting.rst, Linux 6.12)"
#define PROC_SOURCE \
	"https://docs.kernel.org/filesystems/proc.html " \
	"(CommitLimit, Documentation/filesystems/proc.rst, Linux 6.12)"

/* The u64 field key of the snapshot's memory object, or 0. */
static uint64_t mem_field(const struct mt_advise_ctx *ctx, const char *key)
{
	json_t *v = json_object_get(json_object_get(ctx->sys, "memory"), key);

	return json_is_integer(v) && json_integer_value(v) > 0 ?
		       (uint64_t)json_integer_value(v) :
		       0;
}

/* Memory held by hugetlb pools: meminfo Hugetlb, else the default pool. */
static uint64_t hugetlb_bytes(const struct mt_advise_ctx *ctx)
{
	uint64_t b = mem_field(ctx, "hugetlb_bytes");

	return b ? b :
		   mem_field(ctx, "hugepages_total") *
			       mem_field(ctx, "hugepagesize_bytes");
}

/* CommitLimit under mode 2 with ratio (proc.rst), bytes. */
static uint64_t commit_limit(const struct mt_advise_ctx *ctx, int64_t ratio)
{
	uint64_t huge = hugetlb_bytes(ctx);
	uint64_t ram = ctx->mem_total > huge ? ctx->mem_total - huge : 0;

	return ram / 100 * (uint64_t)ratio + ctx->swap_total;
}

/* The ratio item: shown with mode 2 (recommended or in force). */
static int ratio_item(struct mt_advice *out, int64_t ratio, uint64_t limit,
		      uint64_t committed)
{
	struct mt_item *it = mt_advice_add(out, &mt_rule_overcommit,
					   "overcommit_ratio");
	char v[32], b1[32], b2[32];

	if (!it)
		return -ENOMEM;
	snprintf(it->current, sizeof(it->current), "%" PRId64, ratio);
	snprintf(v, sizeof(v), "%" PRId64, ratio);
	mt_item_sysctl(it, "overcommit_ratio", v);
	it->change = false;
	mt_item_evidence(it,
			 "with mode 2: CommitLimit %s = (MemTotal - "
			 "hugetlb) x %" PRId64 "%% + swap; Committed_AS %s "
			 "now",
			 mt_ev_bytes(limit, b1, sizeof(b1)), ratio,
			 mt_ev_bytes(committed, b2, sizeof(b2)));
	mt_item_reason(it,
		       "Keep %" PRId64 ": under mode 2 it sets the "
		       "commit limit, %s here, %s the %s committed now. "
		       "PostgreSQL's documentation leaves the ratio to the "
		       "operator: raise it if allocations start failing with "
		       "ENOMEM as the load grows (overcommit_kbytes, when "
		       "set, replaces it).",
		       ratio, mt_ev_bytes(limit, b1, sizeof(b1)),
		       limit >= committed ? "which covers" : "below",
		       mt_ev_bytes(committed, b2, sizeof(b2)));
	mt_item_ground(it, MT_GROUND_DOCUMENTED, PROC_SOURCE);
	return 0;
}

static int overcommit_advise(const struct mt_advise_ctx *ctx,
			     struct mt_advice *out, struct mt_err *err)
{
	struct mt_vendor_choice c;
	struct mt_item *it;
	int64_t mode, ratio = 50;
	uint64_t committed, limit;
	char cur[32], why[256], b1[32], b2[32];
	const char *rec;

	(void)err;
	if (!mt_ev_sysctl(ctx, "overcommit_memory", &mode))
		return 0;
	mt_ev_sysctl(ctx, "overcommit_ratio", &ratio);
	committed = mem_field(ctx, "committed_as_bytes");
	limit = commit_limit(ctx, ratio);
	it = mt_advice_add(out, &mt_rule_overcommit, "overcommit_memory");
	if (!it)
		return -ENOMEM;
	snprintf(cur, sizeof(cur), "%" PRId64, mode);
	snprintf(it->current, sizeof(it->current), "%s", cur);
	mt_vendor_choose(ctx, "vm.overcommit_memory", cur, &c);
	mt_vendor_explain(it, &c);
	rec = cur;
	if (c.n == 0) {
		mt_item_reason(
			it,
			"No application on this host asks for an "
			"overcommit mode%s. %s",
			c.n_undecided ? " that memtune can follow" : "",
			mode == 0 ?
				"Keep 0, the kernel's default "
				"heuristic: obvious overcommits are refused, "
				"the rest allowed." :
				"Keep it: someone chose "
				"it (the kernel's default is 0), and nothing "
				"here argues for another.");
		mt_item_ground(it, MT_GROUND_DOCUMENTED, SOURCE);
	} else if (c.value && !c.keep && !c.conflict) {
		rec = c.value;
	}
	if (strcmp(rec, "2") == 0 && strcmp(cur, "2") != 0 && committed &&
	    committed > limit) {
		uint64_t huge = hugetlb_bytes(ctx);
		uint64_t ram = ctx->mem_total > huge ? ctx->mem_total - huge :
						       0;
		uint64_t need = committed > ctx->swap_total && ram ?
					(committed - ctx->swap_total +
					 ram / 100 - 1) /
						(ram / 100) :
					0;

		mt_item_reason(it,
			       "But not now: mode 2 with "
			       "overcommit_ratio %" PRId64 " would set the "
			       "commit limit to %s, below the %s already "
			       "committed, and allocations would fail at "
			       "once. Raise overcommit_ratio to at least "
			       "%" PRIu64 " (or add swap) first, with "
			       "headroom for the load to grow. ",
			       ratio, mt_ev_bytes(limit, b1, sizeof(b1)),
			       mt_ev_bytes(committed, b2, sizeof(b2)), need);
		mt_item_ground(it, MT_GROUND_DOCUMENTED, PROC_SOURCE);
		rec = cur;
	}
	mt_item_sysctl(it, "overcommit_memory", rec);
	it->change = strcmp(rec, cur) != 0;
	if (it->change && mt_apply_guarded("vm.overcommit_memory", rec,
					   ctx->mem_total, why, sizeof(why)))
		snprintf(it->force, sizeof(it->force), "%s", why);
	if (strcmp(rec, "2") == 0)
		return ratio_item(out, ratio, limit, committed);
	return 0;
}

const struct mt_rule mt_rule_overcommit = {
	.name = "overcommit",
	.knob = "vm.overcommit_memory, vm.overcommit_ratio",
	.summary = "memory overcommit mode, as the applications present "
		   "require",
	.source = SOURCE,
	.advise = overcommit_advise,
};
