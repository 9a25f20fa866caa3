/* vm.dirty_expire_centisecs and vm.dirty_writeback_centisecs: how old dirty
 * data must be before the flusher threads write it, and how often they wake
 * to look (vm.rst). The one documented hazard is dirty_writeback_centisecs
 * 0, which "disables periodic writeback altogether": then back to the
 * kernel's 500. Otherwise the values say how much data a crash can lose
 * and how bursty writeback is, a choice memtune measures nothing about:
 * keep, with what the values mean. */
#include <errno.h>
#include <stdio.h>

#include "../core/knobs.h"
#include "advisor.h"

static int expire_item(const struct mt_advise_ctx *ctx, int64_t cur, int64_t wb,
		       bool have_wb, struct mt_advice *out)
{
	struct mt_knob k;
	struct mt_item *it = mt_advice_add_int_knob(out,
						    &mt_rule_dirty_writeback,
						    "dirty_expire_centisecs",
						    "vm.dirty_expire_centisecs",
						    cur, false, &k);

	(void)ctx;
	if (!it)
		return -ENOMEM;
	mt_item_reason(it,
		       "Data dirty in memory for longer than %lld "
		       "centiseconds (%.1f s) is written at the flusher "
		       "threads' next wakeup (vm.rst); the kernel's default "
		       "is %s (30 s). A lower value narrows what a crash can "
		       "lose and writes more often; a higher one batches "
		       "more. Memtune measures nothing that chooses between "
		       "them here: keep it.",
		       (long long)cur, (double)cur / 100.0, k.dflt);
	if (have_wb && wb > 0 && wb > cur)
		mt_item_reason(it,
			       "The flusher wakes every %lld cs, less "
			       "often than data expires, so dirty data can "
			       "wait up to about %lld cs.",
			       (long long)wb, (long long)(cur + wb));
	return 0;
}

static int writeback_item(int64_t cur, struct mt_advice *out)
{
	struct mt_knob k;
	/* 0 goes back to the kernel's default. */
	struct mt_item *it = mt_advice_add_int_knob(
		out, &mt_rule_dirty_writeback, "dirty_writeback_centisecs",
		"vm.dirty_writeback_centisecs", cur, cur == 0, &k);

	if (!it)
		return -ENOMEM;
	if (cur == 0)
		mt_item_reason(it,
			       "dirty_writeback_centisecs 0 disables "
			       "periodic writeback altogether (vm.rst): "
			       "dirty data is written only when a dirty "
			       "limit, reclaim or sync forces it, so a crash "
			       "can lose far more than dirty_expire_centisecs "
			       "worth, and writeback comes in bursts under "
			       "pressure. Back to %s (5 s), the kernel's "
			       "default.",
			       k.dflt);
	else
		mt_item_reason(it,
			       "The flusher threads wake every %lld "
			       "centiseconds (%.1f s) to write data older "
			       "than dirty_expire_centisecs (vm.rst); the "
			       "kernel's default is %s (5 s). Memtune "
			       "measures nothing that bears on it: keep it.",
			       (long long)cur, (double)cur / 100.0, k.dflt);
	return 0;
}

static int dirty_writeback_advise(const struct mt_advise_ctx *ctx,
				  struct mt_advice *out, struct mt_err *err)
{
	int64_t expire, wb;
	bool have_exp = mt_ev_sysctl(ctx, "dirty_expire_centisecs", &expire);
	bool have_wb = mt_ev_sysctl(ctx, "dirty_writeback_centisecs", &wb);
	int rc = 0;

	(void)err;
	if (have_exp)
		rc = expire_item(ctx, expire, wb, have_wb, out);
	if (rc == 0 && have_wb)
		rc = writeback_item(wb, out);
	return rc;
}

const struct mt_rule mt_rule_dirty_writeback = {
	.name = "dirty_writeback",
	.knob = "vm.dirty_expire_centisecs, vm.dirty_writeback_centisecs",
	.summary = "when dirty data is old enough to write, and how often "
		   "the flushers look",
	.source = "https://docs.kernel.org/admin-guide/sysctl/vm.html"
		  "#dirty-expire-centisecs (Linux 6.12)",
	.advise = dirty_writeback_advise,
};
