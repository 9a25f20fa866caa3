/* vm.page-cluster and vm.watermark_boost_factor on a host that swaps to
 * zram first. zram is compressed memory, not a disk: swap readahead
 * (page-cluster, vm.rst: "Zero disables swap readahead completely", lower
 * values mean lower latency for the first fault) saves no seek there and
 * costs decompressing pages nobody asked for, and watermark boosting
 * (vm.rst: reclaiming up to 150% of the high watermark after a
 * fragmentation event, so that compaction has less to do) turns into
 * swapping out into compressed memory. The Arch wiki's zram page (after
 * Pop!_OS's defaults) sets both to 0; no kernel document does, so the
 * items are practice (low confidence). Where a disk swap device is used
 * before zram, readahead and boosting still serve it: keep. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../core/knobs.h"
#include "advisor.h"

/* The practice the items follow: the Arch wiki's zram page, which takes
 * these values from Pop!_OS's zram defaults. */
#define ZRAM_PRACTICE \
	"https://wiki.archlinux.org/title/Zram" \
	"#Optimizing_swap_on_zram (accessed 2026-12), and " \
	"https://docs.kernel.org/admin-guide/sysctl/vm.html (Linux 6.12)"

/* True if some swap device is zram. */
static bool has_zram(const struct mt_advise_ctx *ctx)
{
	json_t *dev;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(ctx->sys, "swap"),
					   "devices"),
			   i, dev) {
		const char *t = json_string_value(json_object_get(dev, "type"));

		if (t && strcmp(t, "zram") == 0)
			return true;
	}
	return false;
}

/* One item: 0 with zram first, keep otherwise. */
static int zram_item(const struct mt_advise_ctx *ctx, const char *id,
		     const char *name, int64_t cur, const char *what,
		     struct mt_advice *out)
{
	bool first = ctx->swap_kind == MT_SWAP_ZRAM;
	struct mt_item *it;
	struct mt_knob k;
	char knob[96], now[32];

	snprintf(knob, sizeof(knob), "vm.%s", name);
	snprintf(now, sizeof(now), "%lld", (long long)cur);
	it = mt_advice_add_knob(out, &mt_rule_zram, id, knob, now,
				first ? "0" : now, &k);
	if (!it)
		return -ENOMEM;
	mt_item_evidence(
		it, "%s = %lld (kernel default %s); zram swap %s", knob,
		(long long)cur, k.dflt,
		first ? "is the first swap device used (highest priority)" :
			"is used only after a disk swap device");
	if (!first) {
		mt_item_ground(it, MT_GROUND_DOCUMENTED, k.source);
		mt_item_reason(it,
			       "A disk swap device has a higher priority "
			       "than zram, so the kernel swaps to the disk "
			       "first, and %s serves it: keep %lld. Once zram "
			       "is the first device (see the swap_priority "
			       "item), 0 is the practice for zram.",
			       what, (long long)cur);
		return 0;
	}
	mt_item_ground(it, MT_GROUND_PRACTICE, ZRAM_PRACTICE);
	if (cur == 0)
		mt_item_reason(it,
			       "Swap goes to zram first and %s is already "
			       "0, as zram setups do: keep it.",
			       knob);
	else if (strcmp(name, "page-cluster") == 0)
		mt_item_reason(it,
			       "Swap goes to zram first: page-cluster %lld "
			       "reads %d pages together on a swap fault, "
			       "which on compressed memory saves no seek and "
			       "costs decompressing pages that were not asked "
			       "for. vm.rst: lower values mean lower latency "
			       "for the first fault and 0 disables swap "
			       "readahead. zram setups (the Arch wiki, "
			       "Pop!_OS) use 0; no kernel document or "
			       "measurement here says so, hence low "
			       "confidence.",
			       (long long)cur, cur < 31 ? 1 << cur : 0);
	else
		mt_item_reason(it,
			       "Swap goes to zram first: with "
			       "watermark_boost_factor %lld, every "
			       "fragmentation event makes kswapd reclaim up "
			       "to %lld%% of the high watermark extra "
			       "(vm.rst), which on this host means swapping "
			       "out into compressed memory for compaction's "
			       "sake. zram setups (the Arch wiki, Pop!_OS) "
			       "set 0, which vm.rst says disables the "
			       "boost; no kernel document or measurement "
			       "here says so, hence low confidence.",
			       (long long)cur, (long long)(cur / 100));
	return 0;
}

static int zram_advise(const struct mt_advise_ctx *ctx, struct mt_advice *out,
		       struct mt_err *err)
{
	int64_t pc, wbf;
	int rc = 0;

	(void)err;
	if (!has_zram(ctx))
		return 0;
	if (mt_ev_sysctl(ctx, "page-cluster", &pc))
		rc = zram_item(ctx, "zram_page_cluster", "page-cluster", pc,
			       "swap readahead", out);
	/* No watermark_boost_factor before Linux 5.0: nothing to say. */
	if (rc == 0 && mt_ev_sysctl(ctx, "watermark_boost_factor", &wbf))
		rc = zram_item(ctx, "zram_watermark_boost",
			       "watermark_boost_factor", wbf,
			       "watermark boosting", out);
	return rc;
}

const struct mt_rule mt_rule_zram = {
	.name = "zram",
	.knob = "vm.page-cluster, vm.watermark_boost_factor",
	.summary = "swap readahead and watermark boosting when swap is zram",
	.source = ZRAM_PRACTICE,
	.advise = zram_advise,
};
