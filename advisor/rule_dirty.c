/* vm.dirty_background_* and vm.dirty_*: how much dirty page cache may
 * build up before background writeback starts, and before writers are
 * throttled. Each pair (dirty_bytes/dirty_ratio, dirty_background_bytes/
 * dirty_background_ratio) is one setting in two units: writing one zeroes
 * the other, so the rule recommends exactly one of each pair, in ratio form
 * when a whole percent of memory is close enough, in bytes otherwise (on
 * big machines 1% is gigabytes).
 *
 * The size follows the disk: a limit the disk needs many seconds to write
 * back makes a writeback storm that stalls every writer at once. Measured
 * here: the odirect benchmark's sequential O_DIRECT write bandwidth. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "advisor.h"

static void show_unit(struct mt_item *it);

#define SOURCE "Documentation/admin-guide/sysctl/vm.rst (dirty_bytes, " \
	"dirty_ratio, dirty_background_bytes, dirty_background_ratio: " \
	"https://docs.kernel.org/admin-guide/sysctl/vm.html#dirty-bytes)"

#define MIB (1ull << 20)
#define GIB (1ull << 30)

struct dirty_facts {
	int64_t bytes, ratio, bg_bytes, bg_ratio;
	uint64_t dirtyable;		/* bytes the ratios apply to (about) */
	uint64_t limit, bg_limit;	/* effective now */
	double write_mbps;		/* NAN: not measured */
	const char *odirect_status;
};

/* The fastest write bandwidth a record may claim, MB/s. */
#define MAX_WRITE_MBPS 1e9

static void gather(const struct mt_advise_ctx *ctx, struct dirty_facts *f)
{
	json_t *recs[64];
	size_t n;

	mt_ev_sysctl(ctx, "dirty_bytes", &f->bytes);
	mt_ev_sysctl(ctx, "dirty_ratio", &f->ratio);
	mt_ev_sysctl(ctx, "dirty_background_bytes", &f->bg_bytes);
	mt_ev_sysctl(ctx, "dirty_background_ratio", &f->bg_ratio);
	/* The ratios apply to free plus reclaimable memory; MemAvailable is
	 * the closest published figure, MemTotal an upper bound. */
	f->dirtyable = ctx->mem_available ? ctx->mem_available :
					    ctx->mem_total;
	f->limit = f->bytes > 0 ? (uint64_t)f->bytes :
				  f->dirtyable / 100 * (uint64_t)f->ratio;
	f->bg_limit = f->bg_bytes > 0 ? (uint64_t)f->bg_bytes :
					f->dirtyable / 100 *
						(uint64_t)f->bg_ratio;
	f->write_mbps = NAN;
	n = mt_ev_select(ctx, "odirect", "bandwidth",
			 "op=write,pattern=seq,mode=direct", recs, 64);
	for (size_t i = 0; i < n && i < 64; i++) {
		double v = mt_ev_num(recs[i], "value");

		/* Above 1 PB/s a record is damaged, not a disk: its bytes
		 * per second would not even fit the limit's integer. */
		if (!(v > 0 && v <= MAX_WRITE_MBPS))
			continue;
		if (isnan(f->write_mbps) || v > f->write_mbps)
			f->write_mbps = v;
	}
	f->odirect_status = mt_ev_bench_status(ctx, "odirect", NULL, 0);
}

/* Fills one item of the pair: ratio form if a whole percent of MemTotal is
 * within 25% of want, bytes form otherwise (or if force_bytes). */
static void set_pair(struct mt_item *it, const char *bytes_name,
		     const char *ratio_name, uint64_t want, uint64_t mem,
		     bool use_bytes, int64_t cur_bytes, int64_t cur_ratio)
{
	char val[32];

	if (use_bytes) {
		snprintf(val, sizeof(val), "%llu", (unsigned long long)want);
		mt_item_sysctl(it, bytes_name, val);
		it->change = cur_bytes != (int64_t)want;
	} else {
		uint64_t r = (want * 100 + mem / 2) / mem;

		snprintf(val, sizeof(val), "%llu", (unsigned long long)r);
		mt_item_sysctl(it, ratio_name, val);
		it->change = cur_bytes > 0 || cur_ratio != (int64_t)r;
	}
}

static int dirty_advise(const struct mt_advise_ctx *ctx,
			struct mt_advice *out, struct mt_err *err)
{
	const struct mt_profile *p = ctx->profile;
	struct dirty_facts f = { 0 };
	struct mt_item *bg, *lim;
	double bg_seconds = 2;
	uint64_t want_bg = 0, want, mem = ctx->mem_total;
	bool measured = false, use_bytes, keep;
	char b1[32], b2[32], b3[32];

	(void)err;
	if (!mt_ev_sysctl(ctx, "dirty_ratio", &f.ratio) || mem == 0)
		return 0;
	gather(ctx, &f);
	if (p && (strcmp(p->goal, "latency") == 0 ||
		  strcmp(p->page_cache, "keep") == 0))
		bg_seconds = 1;
	else if (p && strcmp(p->goal, "throughput") == 0)
		bg_seconds = 4;

	bg = mt_advice_add(out, &mt_rule_dirty, "dirty_background");
	lim = bg ? mt_advice_add(out, &mt_rule_dirty, "dirty") : NULL;
	if (!lim)
		return -ENOMEM;
	bg = lim - 1;
	snprintf(bg->current, sizeof(bg->current), f.bg_bytes > 0 ?
		 "%lld bytes" : "%lld%%", f.bg_bytes > 0 ?
		 (long long)f.bg_bytes : (long long)f.bg_ratio);
	snprintf(lim->current, sizeof(lim->current), f.bytes > 0 ?
		 "%lld bytes" : "%lld%%", f.bytes > 0 ? (long long)f.bytes :
		 (long long)f.ratio);

	if (!isnan(f.write_mbps) && f.write_mbps > 0) {
		measured = true;
		want_bg = (uint64_t)(f.write_mbps * 1e6 * bg_seconds);
		for (int i = 0; i < 2; i++) {
			struct mt_item *it = i ? lim : bg;

			it->measured = true;
			it->confidence = MT_CONF_MEDIUM;
			mt_item_evidence(it, "odirect: sequential O_DIRECT "
					 "write %.0f MB/s", f.write_mbps);
		}
	} else if (f.limit > 8 * GIB) {
		/* Unmeasured: assume a disk writes about 256 MB/s. */
		want_bg = (uint64_t)(256 * MIB * bg_seconds);
		bg->confidence = lim->confidence = MT_CONF_LOW;
		for (int i = 0; i < 2; i++)
			mt_item_evidence(i ? lim : bg, "odirect benchmark: %s; "
					 "assumed 256 MB/s writeback",
					 f.odirect_status ? f.odirect_status :
					 "not in the run");
	}
	for (int i = 0; i < 2; i++)
		mt_item_evidence(i ? lim : bg, "now: background writeback at "
				 "~%s, writers throttled at ~%s of %s "
				 "dirtyable memory",
				 mt_ev_bytes(f.bg_limit, b1, sizeof(b1)),
				 mt_ev_bytes(f.limit, b2, sizeof(b2)),
				 mt_ev_bytes(f.dirtyable, b3, sizeof(b3)));
	if (want_bg == 0) {
		bg->confidence = lim->confidence = MT_CONF_MEDIUM;
		set_pair(bg, f.bg_bytes > 0 ? "dirty_background_bytes" :
			 "dirty_background_ratio", "dirty_background_ratio",
			 0, mem, false, 0, 0);
		mt_item_sysctl(bg, f.bg_bytes > 0 ? "dirty_background_bytes" :
			       "dirty_background_ratio", f.bg_bytes > 0 ?
			       bg->current : (snprintf(b1, sizeof(b1), "%lld",
						       (long long)f.bg_ratio),
					      b1));
		mt_item_sysctl(lim, f.bytes > 0 ? "dirty_bytes" :
			       "dirty_ratio", f.bytes > 0 ? lim->current :
			       (snprintf(b2, sizeof(b2), "%lld",
					 (long long)f.ratio), b2));
		bg->change = lim->change = false;
		mt_item_reason(bg, "Nothing measured the disk, and the "
			       "current thresholds (%s background, %s "
			       "limit) are small enough that a writeback "
			       "burst stays short: keep them.",
			       mt_ev_bytes(f.bg_limit, b1, sizeof(b1)),
			       mt_ev_bytes(f.limit, b2, sizeof(b2)));
		mt_item_reason(lim, "Kept with dirty_background: the two "
			       "move together.");
		show_unit(bg);
		show_unit(lim);
		return 0;
	}
	if (want_bg < 16 * MIB)
		want_bg = 16 * MIB;
	want_bg = (want_bg + MIB - 1) / MIB * MIB;
	want = 4 * want_bg;
	if (want > mem / 100 * 40) {
		want = mem / 100 * 40;
		if (want_bg > want / 2)
			want_bg = want / 2;
	}
	/* Within 25% of what is there already: not worth a change. */
	keep = f.bg_limit > want_bg * 3 / 4 && f.bg_limit < want_bg * 5 / 4 &&
	       f.limit > want * 3 / 4 && f.limit < want * 5 / 4;
	use_bytes = false;
	for (int i = 0; i < 2; i++) {
		uint64_t w = i ? want : want_bg;
		uint64_t r = (w * 100 + mem / 2) / mem;

		if (r < 1 || fabs((double)(r * (mem / 100)) - (double)w) >
				     0.25 * (double)w)
			use_bytes = true;
	}
	set_pair(bg, "dirty_background_bytes", "dirty_background_ratio",
		 want_bg, mem, use_bytes, f.bg_bytes, f.bg_ratio);
	set_pair(lim, "dirty_bytes", "dirty_ratio", want, mem, use_bytes,
		 f.bytes, f.ratio);
	if (keep) {
		mt_item_sysctl(bg, f.bg_bytes > 0 ? "dirty_background_bytes" :
			       "dirty_background_ratio", f.bg_bytes > 0 ?
			       (snprintf(b1, sizeof(b1), "%lld",
					 (long long)f.bg_bytes), b1) :
			       (snprintf(b1, sizeof(b1), "%lld",
					 (long long)f.bg_ratio), b1));
		mt_item_sysctl(lim, f.bytes > 0 ? "dirty_bytes" :
			       "dirty_ratio", f.bytes > 0 ?
			       (snprintf(b2, sizeof(b2), "%lld",
					 (long long)f.bytes), b2) :
			       (snprintf(b2, sizeof(b2), "%lld",
					 (long long)f.ratio), b2));
		bg->change = lim->change = false;
	}
	mt_item_reason(bg, "Background writeback should start after about "
		       "%.0f s of what the disk writes%s (%s): %s "
		       "dirty data %s.%s", bg_seconds, measured ?
		       " (measured)" : " (assumed 256 MB/s)",
		       p ? p->goal : "balanced",
		       mt_ev_bytes(want_bg, b1, sizeof(b1)),
		       keep ? "is about what is set now: keep it" :
		       "instead of the current threshold",
		       use_bytes ? " In bytes: a whole percent of this "
		       "memory is too coarse. Setting a _bytes knob zeroes "
		       "its _ratio twin." : "");
	mt_item_reason(lim, "Writers are throttled at 4x the background "
		       "threshold (%s), so a writeback burst lasts a few "
		       "seconds rather than %s worth at the disk's speed. "
		       "Never more than 40%% of memory.",
		       mt_ev_bytes(want, b2, sizeof(b2)),
		       mt_ev_bytes(f.limit, b3, sizeof(b3)));
	show_unit(bg);
	show_unit(lim);
	return 0;
}

/* Shows the recommended value in the unit of its knob, like current. */
static void show_unit(struct mt_item *it)
{
	snprintf(it->recommended, sizeof(it->recommended), "%s%s", it->value,
		 strstr(it->sysctl, "ratio") ? "%" : " bytes");
}

const struct mt_rule mt_rule_dirty = {
	.name = "dirty",
	.knob = "vm.dirty_background_{bytes,ratio}, vm.dirty_{bytes,ratio}",
	.summary = "dirty page-cache thresholds for writeback and throttling",
	.source = SOURCE,
	.advise = dirty_advise,
};
