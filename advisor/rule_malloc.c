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

#define SOURCE \
	"glibc manual, Memory Allocation Tunables " \
	"(https://www.gnu.org/software/libc/manual/html_node/" \
	"Memory-Allocation-Tunables.html); mallopt(3) M_MMAP_THRESHOLD, " \
	"M_ARENA_MAX"

/* glibc ignores a threshold above DEFAULT_MMAP_THRESHOLD_MAX: 4 MiB x
 * sizeof(long), 32 MiB on 64-bit (the manual's tunables page). */
#define THRESHOLD_MAX (32LL << 20)

static int malloc_advise(const struct mt_advise_ctx *ctx, struct mt_advice *out,
			 struct mt_err *err)
{
	const struct mt_profile *p = ctx->profile;
	bool throughput = p && (strcmp(p->goal, "throughput") == 0 ||
				strcmp(p->goal, "latency") == 0);
	struct mt_fact upto, ratio, tr, saved;
	struct mt_item *th, *ar;
	bool costly;
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

	costly = mt_ev_fact(ctx, "alloc.mmap_costly_up_to", &upto) &&
		 mt_ev_fact(ctx, "alloc.mmap_over_sbrk", &ratio) &&
		 upto.value > 0 && upto.value <= THRESHOLD_MAX;
	if (costly) {
		mt_item_cite(th, &upto);
		mt_item_cite(th, &ratio);
	}
	if (costly && throughput) {
		long long rec = (long long)upto.value * 2;

		if (rec > THRESHOLD_MAX)
			rec = THRESHOLD_MAX;
		th->change = true;
		/* The ratio is "over twice": high only when its interval
		 * stays above 2. */
		mt_item_ground(th,
			       isfinite(ratio.lo) && ratio.lo > 2 ?
				       MT_GROUND_MEASURED :
				       MT_GROUND_INCONCLUSIVE,
			       NULL);
		snprintf(th->recommended, sizeof(th->recommended), "%lld", rec);
		mt_item_reason(th,
			       "Blocks served by mmap pay a fault per "
			       "page on every allocation; measured here that "
			       "is %.4gx the heap's cost up to %s. Pinning "
			       "the threshold above it (at most 32 MiB, "
			       "glibc's maximum on 64-bit: a larger value is "
			       "ignored) keeps such blocks on the heap, at "
			       "the price of memory the heap may keep after "
			       "free.",
			       ratio.value,
			       mt_ev_bytes((uint64_t)upto.value, b, sizeof(b)));
		snprintf(th->apply, sizeof(th->apply),
			 "environment of the "
			 "service: GLIBC_TUNABLES=glibc.malloc.mmap_threshold="
			 "%lld",
			 rec);
	} else {
		mt_item_ground(th, MT_GROUND_DOCUMENTED, NULL);
		if (!costly)
			mt_item_evidence(
				th, "alloc benchmark: %s",
				mt_ev_bench_status(ctx, "alloc", NULL, 0) ?:
					"not in the run");
		mt_item_reason(
			th,
			"Keep glibc's dynamic threshold (the "
			"manual's default): %s",
			costly ? "the "
				 "profile does not trade memory for "
				 "allocation speed." :
				 "nothing measured "
				 "shows the mmap path costing much more than "
				 "the heap.");
	}
	if (mt_ev_fact(ctx, "alloc.arena1_time_ratio", &tr) &&
	    mt_ev_fact(ctx, "alloc.arena1_rss_saved", &saved)) {
		mt_item_cite(ar, &tr);
		mt_item_cite(ar, &saved);
		if (!throughput && tr.value < 1.1 && saved.value > 0) {
			ar->change = true;
			mt_item_ground(ar,
				       isfinite(tr.hi) && tr.hi < 1.1 ?
					       MT_GROUND_MEASURED :
					       MT_GROUND_INCONCLUSIVE,
				       NULL);
			snprintf(ar->recommended, sizeof(ar->recommended), "2");
			snprintf(ar->apply, sizeof(ar->apply),
				 "environment "
				 "of the service: MALLOC_ARENA_MAX=2");
			mt_item_reason(ar, "Fewer arenas kept less memory and "
					   "cost under 10%% more time per "
					   "allocation in the measurement: "
					   "MALLOC_ARENA_MAX=2.");
		} else {
			mt_item_ground(ar, MT_GROUND_DOCUMENTED, NULL);
			mt_item_reason(ar, "Keep the default arenas: %s",
				       throughput ?
					       "the profile wants "
					       "allocation speed over memory." :
					       "one arena cost too much time or "
					       "saved no memory here.");
		}
	} else {
		mt_item_ground(ar, MT_GROUND_DOCUMENTED, NULL);
		mt_item_evidence(ar, "alloc arenas cases: not measured");
		mt_item_reason(ar, "Keep glibc's default arenas (8 per "
				   "core on 64-bit): nothing measured the "
				   "trade.");
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
