/* vm.dirty_background_* and vm.dirty_*: how much dirty page cache may
 * build up before background writeback starts, and before writers are
 * throttled. Each pair (dirty_bytes/dirty_ratio, dirty_background_bytes/
 * dirty_background_ratio) is one setting in two units: writing one zeroes
 * the other.
 *
 * The ratios are percentages of dirtyable memory, not of MemTotal
 * (Documentation/admin-guide/sysctl/vm.rst: "The total available memory is
 * not equal to total system memory"; mm/page-writeback.c
 * global_dirtyable_memory: free pages plus the file LRU, less the
 * kernel's reserves), so the limits in force are computed here from
 * MemFree + Active(file) + Inactive(file) of the snapshot (an upper bound:
 * /proc does not show the reserves), and a background limit at or above
 * the throttle limit counts as half of it, as domain_dirty_limits() does.
 *
 * What the rule recommends, in order:
 *  - PostgreSQL present: tuned's postgresql profile, dirty_background_bytes
 *    64 MiB and dirty_bytes 512 MiB, where the limits in force are larger
 *    (advisor/vendors.c);
 *  - otherwise a limit is only ever lowered, never raised, to a few seconds
 *    of the disk's sequential O_DIRECT write bandwidth (the analysis fact
 *    odirect.seq_write_direct_mb_s; unmeasured, 256 MiB/s is assumed when a
 *    limit exceeds 8 GiB): a limit the disk needs many seconds to write
 *    back makes a writeback storm that stalls every writer at once. A fast
 *    disk is no reason for more dirty data in memory. The seconds are
 *    practice without a primary source, and the item says so (low
 *    confidence).
 * A recommended change is in bytes: dirtyable memory moves with the page
 * cache, a byte count does not.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisor.h"
#include "vendors.h"

#define SOURCE \
	"https://docs.kernel.org/admin-guide/sysctl/vm.html" \
	"#dirty-ratio (Documentation/admin-guide/sysctl/vm.rst, Linux 6.12; " \
	"mm/page-writeback.c global_dirtyable_memory)"

#define MIB (1ull << 20)
#define GIB (1ull << 30)

/* The write bandwidth assumed when nothing measured the disk: 256 MiB/s,
 * in MB/s. */
#define ASSUMED_MB_S 268.435456

struct dirty_facts {
	int64_t bytes, ratio, bg_bytes, bg_ratio;
	uint64_t dirtyable;	    /* bytes the ratios apply to */
	const char *dirtyable_from; /* how it was computed */
	uint64_t limit, bg_limit;   /* in force now, bytes */
	bool have_write;
	struct mt_fact write; /* odirect.seq_write_direct_mb_s */
	const char *odirect_status;
};

/* The u64 field key of the snapshot's memory object; false if absent. */
static bool mem_field(const struct mt_advise_ctx *ctx, const char *key,
		      uint64_t *out)
{
	json_t *v = json_object_get(json_object_get(ctx->sys, "memory"), key);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return false;
	*out = (uint64_t)json_integer_value(v);
	return true;
}

static void gather(const struct mt_advise_ctx *ctx, struct dirty_facts *f)
{
	uint64_t fr, af, inf;

	mt_ev_sysctl(ctx, "dirty_bytes", &f->bytes);
	mt_ev_sysctl(ctx, "dirty_ratio", &f->ratio);
	mt_ev_sysctl(ctx, "dirty_background_bytes", &f->bg_bytes);
	mt_ev_sysctl(ctx, "dirty_background_ratio", &f->bg_ratio);
	if (mem_field(ctx, "mem_free_bytes", &fr) &&
	    mem_field(ctx, "active_file_bytes", &af) &&
	    mem_field(ctx, "inactive_file_bytes", &inf) && fr + af + inf) {
		f->dirtyable = fr + af + inf;
		f->dirtyable_from = "MemFree + Active(file) + Inactive(file)";
	} else if (ctx->mem_available) {
		f->dirtyable = ctx->mem_available;
		f->dirtyable_from = "MemAvailable (the snapshot lacks the "
				    "file LRU sizes)";
	} else {
		f->dirtyable = ctx->mem_total;
		f->dirtyable_from = "MemTotal, an upper bound (the snapshot "
				    "lacks MemFree and the file LRU sizes)";
	}
	f->limit = f->bytes > 0 ? (uint64_t)f->bytes :
				  f->dirtyable / 100 * (uint64_t)f->ratio;
	f->bg_limit = f->bg_bytes > 0 ?
			      (uint64_t)f->bg_bytes :
			      f->dirtyable / 100 * (uint64_t)f->bg_ratio;
	if (f->bg_limit >= f->limit)
		f->bg_limit = f->limit / 2;
	f->have_write = mt_ev_fact(ctx, "odirect.seq_write_direct_mb_s",
				   &f->write) &&
			f->write.value > 0;
	f->odirect_status = mt_ev_bench_status(ctx, "odirect", NULL, 0);
}

/* Sets item it to keep the form in force: NAME_bytes when set, else the
 * ratio. */
static void keep_form(struct mt_item *it, const char *bytes_name,
		      const char *ratio_name, int64_t bytes, int64_t ratio)
{
	char v[32];

	snprintf(v, sizeof(v), "%" PRId64, bytes > 0 ? bytes : ratio);
	mt_item_sysctl(it, bytes > 0 ? bytes_name : ratio_name, v);
	it->change = false;
}

/* Sets item it to want bytes, in the bytes form. */
static void set_bytes(struct mt_item *it, const char *bytes_name, uint64_t want,
		      int64_t cur_bytes)
{
	char v[32];

	snprintf(v, sizeof(v), "%" PRIu64, want);
	mt_item_sysctl(it, bytes_name, v);
	it->change = cur_bytes != (int64_t)want;
}

/* Sets item it to want bytes when the limit in force is more than a
 * quarter above it (lower only, never raise), else to keep the form in
 * force. True if it lowers. */
static bool lower(struct mt_item *it, const char *bytes_name,
		  const char *ratio_name, uint64_t limit, uint64_t want,
		  int64_t cur_bytes, int64_t cur_ratio)
{
	if (limit > want / 4 * 5) {
		set_bytes(it, bytes_name, want, cur_bytes);
		return true;
	}
	keep_form(it, bytes_name, ratio_name, cur_bytes, cur_ratio);
	return false;
}

/* Shows the recommended value in the unit of its knob, like current. */
static void show_unit(struct mt_item *it)
{
	snprintf(it->recommended, sizeof(it->recommended), "%s%s", it->value,
		 strstr(it->sysctl, "ratio") ? "%" : " bytes");
}

/* PostgreSQL: tuned's postgresql profile, per item. */
static void vendor_pair(const struct mt_advise_ctx *ctx,
			const struct dirty_facts *f, struct mt_item *bg,
			struct mt_item *lim)
{
	struct mt_item *its[2] = { bg, lim };
	const char *knob[2] = { "vm.dirty_background_bytes", "vm.dirty_bytes" };
	uint64_t now[2] = { f->bg_limit, f->limit };
	int64_t cur_bytes[2] = { f->bg_bytes, f->bytes };
	int64_t cur_ratio[2] = { f->bg_ratio, f->ratio };
	char b[32];

	for (int i = 0; i < 2; i++) {
		struct mt_vendor_choice c;
		char v[32];

		snprintf(v, sizeof(v), "%" PRIu64, now[i]);
		mt_vendor_choose(ctx, knob[i], v, &c);
		mt_item_reason(its[i], "In force now: %s. ",
			       mt_ev_bytes(now[i], b, sizeof(b)));
		mt_vendor_explain(its[i], &c);
		if (c.keep || c.conflict || !c.value)
			keep_form(its[i], knob[i] + 3,
				  i ? "dirty_ratio" : "dirty_background_ratio",
				  cur_bytes[i], cur_ratio[i]);
		else
			set_bytes(its[i], knob[i] + 3,
				  strtoull(c.value, NULL, 10), cur_bytes[i]);
		if (its[i]->change && cur_bytes[i] <= 0)
			mt_item_reason(its[i], "Setting the _bytes knob zeroes "
					       "its _ratio twin. ");
	}
}

/* No vendor: lower, never raise, to `seconds` of the disk's bandwidth. */
static void disk_pair(const struct mt_advise_ctx *ctx,
		      const struct dirty_facts *f, struct mt_item *bg,
		      struct mt_item *lim)
{
	const struct mt_profile *p = ctx->profile;
	double seconds = 2, mb_s;
	uint64_t want_bg, want;
	char b1[32], b2[32], b3[32], rate[48];

	if (p && (strcmp(p->goal, "latency") == 0 ||
		  strcmp(p->page_cache, "keep") == 0))
		seconds = 1;
	else if (p && strcmp(p->goal, "throughput") == 0)
		seconds = 4;
	if (f->have_write) {
		mb_s = f->write.value;
		mt_item_cite(bg, &f->write);
		mt_item_cite(lim, &f->write);
	} else if (f->limit > 8 * GIB) {
		mb_s = ASSUMED_MB_S;
		for (int i = 0; i < 2; i++)
			mt_item_evidence(i ? lim : bg,
					 "odirect benchmark: "
					 "%s; assumed 256 MiB/s writeback "
					 "(practice, not a measurement)",
					 f->odirect_status ? f->odirect_status :
							     "not in the run");
	} else {
		keep_form(bg, "dirty_background_bytes",
			  "dirty_background_ratio", f->bg_bytes, f->bg_ratio);
		keep_form(lim, "dirty_bytes", "dirty_ratio", f->bytes,
			  f->ratio);
		mt_item_reason(bg,
			       "Keep it: nothing measured the disk, and "
			       "background writeback at %s with writers "
			       "throttled at %s keeps a writeback burst "
			       "short. ",
			       mt_ev_bytes(f->bg_limit, b1, sizeof(b1)),
			       mt_ev_bytes(f->limit, b2, sizeof(b2)));
		mt_item_reason(lim, "Kept with dirty_background: the two "
				    "move together. ");
		mt_item_ground(bg, MT_GROUND_DOCUMENTED, SOURCE);
		mt_item_ground(lim, MT_GROUND_DOCUMENTED, SOURCE);
		return;
	}
	snprintf(rate, sizeof(rate),
		 f->have_write ? "measured %.0f MB/s" : "assumed 256 MiB/s",
		 mb_s);
	want_bg = (uint64_t)(mb_s * 1e6 * seconds);
	if (want_bg < 16 * MIB)
		want_bg = 16 * MIB;
	want_bg = (want_bg + MIB - 1) / MIB * MIB;
	want = 4 * want_bg;
	if (lower(bg, "dirty_background_bytes", "dirty_background_ratio",
		  f->bg_limit, want_bg, f->bg_bytes, f->bg_ratio)) {
		mt_item_reason(bg,
			       "Background writeback starts at %s, %.1f s "
			       "of the disk's %s: lower it to %s, "
			       "about %.0f s (%s profile), so writeback "
			       "starts before a burst builds up. ",
			       mt_ev_bytes(f->bg_limit, b1, sizeof(b1)),
			       (double)f->bg_limit / (mb_s * 1e6), rate,
			       mt_ev_bytes(want_bg, b2, sizeof(b2)), seconds,
			       p ? p->goal : "balanced");
	} else {
		mt_item_reason(bg,
			       "Keep it: background writeback at %s is "
			       "within %.2g s of the disk's %s. A fast disk "
			       "is no reason to hold more dirty data in "
			       "memory: memtune never raises it. ",
			       mt_ev_bytes(f->bg_limit, b1, sizeof(b1)),
			       seconds * 5 / 4, rate);
	}
	if (lower(lim, "dirty_bytes", "dirty_ratio", f->limit, want, f->bytes,
		  f->ratio)) {
		mt_item_reason(lim,
			       "Writers are throttled at %s, %.1f s of "
			       "writeback: lower it to %s, 4x the background "
			       "threshold, so a writeback burst lasts a few "
			       "seconds. ",
			       mt_ev_bytes(f->limit, b1, sizeof(b1)),
			       (double)f->limit / (mb_s * 1e6),
			       mt_ev_bytes(want, b3, sizeof(b3)));
	} else {
		mt_item_reason(lim,
			       "Keep it: writers are throttled at %s, "
			       "within a few seconds of writeback; memtune "
			       "never raises it. ",
			       mt_ev_bytes(f->limit, b1, sizeof(b1)));
	}
	for (int i = 0; i < 2; i++) {
		struct mt_item *it = i ? lim : bg;

		if (it->change && (i ? f->bytes : f->bg_bytes) <= 0)
			mt_item_reason(it, "In bytes: dirtyable memory moves "
					   "with the page cache, a byte count "
					   "does not; setting the _bytes knob "
					   "zeroes its _ratio twin. ");
		/* How many seconds of writeback a limit may hold is
		 * practice; the documents give no figure. */
		mt_item_ground(it,
			       it->change ? MT_GROUND_PRACTICE :
					    MT_GROUND_DOCUMENTED,
			       SOURCE);
	}
}

static int dirty_advise(const struct mt_advise_ctx *ctx, struct mt_advice *out,
			struct mt_err *err)
{
	struct dirty_facts f = { 0 };
	struct mt_vendor_choice c;
	struct mt_item *bg, *lim;
	char b1[32], b2[32], b3[32];

	(void)err;
	if (!mt_ev_sysctl(ctx, "dirty_ratio", &f.ratio) || ctx->mem_total == 0)
		return 0;
	gather(ctx, &f);
	bg = mt_advice_add(out, &mt_rule_dirty, "dirty_background");
	lim = bg ? mt_advice_add(out, &mt_rule_dirty, "dirty") : NULL;
	if (!lim)
		return -ENOMEM;
	bg = lim - 1;
	snprintf(bg->current, sizeof(bg->current),
		 f.bg_bytes > 0 ? "%" PRId64 " bytes" : "%" PRId64 "%%",
		 f.bg_bytes > 0 ? f.bg_bytes : f.bg_ratio);
	snprintf(lim->current, sizeof(lim->current),
		 f.bytes > 0 ? "%" PRId64 " bytes" : "%" PRId64 "%%",
		 f.bytes > 0 ? f.bytes : f.ratio);
	for (int i = 0; i < 2; i++)
		mt_item_evidence(i ? lim : bg,
				 "now: background writeback at "
				 "~%s, writers throttled at ~%s of %s "
				 "dirtyable memory (%s; the ratios apply to "
				 "it, not to MemTotal)",
				 mt_ev_bytes(f.bg_limit, b1, sizeof(b1)),
				 mt_ev_bytes(f.limit, b2, sizeof(b2)),
				 mt_ev_bytes(f.dirtyable, b3, sizeof(b3)),
				 f.dirtyable_from);
	if (mt_vendor_choose(ctx, "vm.dirty_bytes", "", &c) ||
	    mt_vendor_choose(ctx, "vm.dirty_background_bytes", "", &c))
		vendor_pair(ctx, &f, bg, lim);
	else
		disk_pair(ctx, &f, bg, lim);
	show_unit(bg);
	show_unit(lim);
	return 0;
}

const struct mt_rule mt_rule_dirty = {
	.name = "dirty",
	.knob = "vm.dirty_background_{bytes,ratio}, vm.dirty_{bytes,ratio}",
	.summary = "dirty page-cache thresholds: the applications' vendors, "
		   "else never more than a few seconds of the disk",
	.source = SOURCE,
	.advise = dirty_advise,
	.no_trial = "the dirty limits act on writers stalled behind a "
		    "writeback storm, which no memtune benchmark measures: "
		    "the writer you run is their trial",
};
