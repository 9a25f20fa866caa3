/* glibc malloc: glibc.malloc.mmap_threshold and MALLOC_ARENA_MAX, from the
 * alloc benchmark. A threshold pinned where the measured mmap path costs
 * much more per allocation than the heap keeps mid-size blocks on the heap
 * (no page faults per allocation); one arena per thread costs memory,
 * which a small MALLOC_ARENA_MAX saves when the measured time allows. These
 * are process settings: environment, not sysctls. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "advisor.h"

#define SOURCE "glibc manual, Memory Allocation Tunables " \
	"(https://www.gnu.org/software/libc/manual/html_node/" \
	"Memory-Allocation-Tunables.html); mallopt(3) M_MMAP_THRESHOLD, " \
	"M_ARENA_MAX"

/* The largest size at which the raw mmap cycle costs more than twice the
 * sbrk cycle, or -1. */
static int64_t mmap_costly_up_to(const struct mt_advise_ctx *ctx,
				 double *ratio)
{
	json_t *recs[64];
	size_t n = mt_ev_select(ctx, "alloc", "ns_per_alloc", "op=mmap", recs,
				64);
	int64_t best = -1;

	for (size_t i = 0; i < n && i < 64; i++) {
		int64_t s;
		char filter[96];
		json_t *sb;
		double r;

		if (!mt_ev_case_int(recs[i], "size_bytes", &s))
			continue;
		snprintf(filter, sizeof(filter), "op=sbrk,size_bytes=%lld",
			 (long long)s);
		if (!mt_ev_select(ctx, "alloc", "ns_per_alloc", filter, &sb, 1))
			continue;
		r = mt_ev_num(recs[i], "value") / mt_ev_num(sb, "value");
		if (r > 2 && s > best && s <= (32 << 20)) {
			best = s;
			*ratio = r;
		}
	}
	return best;
}

static int malloc_advise(const struct mt_advise_ctx *ctx,
			 struct mt_advice *out, struct mt_err *err)
{
	const struct mt_profile *p = ctx->profile;
	bool throughput = p && (strcmp(p->goal, "throughput") == 0 ||
				strcmp(p->goal, "latency") == 0);
	struct mt_item *th, *ar;
	json_t *one = NULL, *def = NULL, *rone = NULL, *rdef = NULL;
	double ratio = 0;
	int64_t upto;
	char b[32];

	(void)err;
	th = mt_advice_add(out, &mt_rule_malloc, "malloc_mmap_threshold");
	if (!th || !mt_advice_add(out, &mt_rule_malloc, "malloc_arena_max"))
		return -ENOMEM;
	th = &out->items[out->n - 2];
	ar = &out->items[out->n - 1];
	snprintf(th->knob, sizeof(th->knob), "glibc.malloc.mmap_threshold");
	snprintf(ar->knob, sizeof(ar->knob), "MALLOC_ARENA_MAX");
	snprintf(th->current, sizeof(th->current), "dynamic");
	snprintf(ar->current, sizeof(ar->current), "default");
	snprintf(th->recommended, sizeof(th->recommended), "dynamic");
	snprintf(ar->recommended, sizeof(ar->recommended), "default");

	upto = mmap_costly_up_to(ctx, &ratio);
	if (upto > 0 && throughput) {
		th->measured = true;
		th->change = true;
		th->confidence = MT_CONF_MEDIUM;
		snprintf(th->recommended, sizeof(th->recommended), "%lld",
			 (long long)upto * 2);
		mt_item_evidence(th, "alloc: mmap cycle %.1fx the sbrk cycle "
				 "up to %s", ratio,
				 mt_ev_bytes((uint64_t)upto, b, sizeof(b)));
		mt_item_reason(th, "Blocks served by mmap pay a fault per "
			       "page on every allocation; measured here that "
			       "is %.1fx the heap's cost up to %s. Pinning "
			       "the threshold above it keeps such blocks on "
			       "the heap (at the price of memory the heap "
			       "may keep after free).", ratio, b);
		snprintf(th->apply, sizeof(th->apply), "environment of the "
			 "service: GLIBC_TUNABLES=glibc.malloc.mmap_threshold="
			 "%lld", (long long)upto * 2);
	} else {
		th->measured = upto > 0;
		mt_item_evidence(th, "alloc benchmark: %s",
				 mt_ev_bench_status(ctx, "alloc", NULL, 0) ?:
				 "not in the run");
		mt_item_reason(th, "Keep glibc's dynamic threshold: %s",
			       upto > 0 ? "the profile does not trade memory "
			       "for allocation speed." : "nothing measured "
			       "shows the mmap path costing much more than "
			       "the heap.");
	}
	if (mt_ev_select(ctx, "alloc", "ns_per_alloc", "op=arenas,arena_max=1",
			 &one, 1) &&
	    mt_ev_select(ctx, "alloc", "ns_per_alloc",
			 "op=arenas,arena_max=default", &def, 1) &&
	    mt_ev_select(ctx, "alloc", "rss_kept", "op=arenas,arena_max=1",
			 &rone, 1) &&
	    mt_ev_select(ctx, "alloc", "rss_kept",
			 "op=arenas,arena_max=default", &rdef, 1)) {
		double slow = mt_ev_num(one, "value") / mt_ev_num(def, "value");
		double saved = mt_ev_num(rdef, "value") -
			       mt_ev_num(rone, "value");

		ar->measured = true;
		ar->confidence = MT_CONF_MEDIUM;
		mt_item_evidence(ar, "alloc: one arena %.2fx the time of the "
				 "default, keeps %.0f bytes less", slow,
				 saved);
		if (!throughput && slow < 1.1 && saved > 0) {
			ar->change = true;
			snprintf(ar->recommended, sizeof(ar->recommended),
				 "2");
			snprintf(ar->apply, sizeof(ar->apply), "environment "
				 "of the service: MALLOC_ARENA_MAX=2");
			mt_item_reason(ar, "Fewer arenas kept less memory and "
				       "cost under 10%% more time per "
				       "allocation in the measurement: "
				       "MALLOC_ARENA_MAX=2.");
		} else {
			mt_item_reason(ar, "Keep the default arenas: %s",
				       throughput ? "the profile wants "
				       "allocation speed over memory." :
				       "one arena cost too much time or "
				       "saved no memory here.");
		}
	} else {
		mt_item_evidence(ar, "alloc arenas cases: not measured");
		mt_item_reason(ar, "Keep glibc's default arenas (8 per "
			       "core): nothing measured the trade.");
	}
	return 0;
}

const struct mt_rule mt_rule_malloc = {
	.name = "malloc",
	.knob = "glibc.malloc.mmap_threshold, MALLOC_ARENA_MAX",
	.summary = "glibc malloc tunables for the profile's processes",
	.source = SOURCE,
	.advise = malloc_advise,
};
