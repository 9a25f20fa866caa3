/* zswap: a compressed cache in RAM in front of the swap devices
 * (zswap.rst: it takes pages on their way to swap and compresses them into
 * a pool; when the pool is full, or max_pool_percent of RAM, the oldest go
 * on to the swap device). Three items: enabled, max_pool_percent,
 * compressor. With zram as the first swap device, zswap caches in front of
 * compressed memory: pages are compressed twice and cost pool memory on top
 * of zram's; the Arch wiki's zram page says to disable zswap then
 * (practice, low). Everything else keeps the current value: memtune
 * measures no swap I/O that zswap would save. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../core/knobs.h"
#include "advisor.h"

#define ZRAM_PRACTICE \
	"https://wiki.archlinux.org/title/Zram#Disable_zswap " \
	"(accessed 2026-12)"

static int enabled_item(const struct mt_advise_ctx *ctx, const char *cur,
			struct mt_advice *out)
{
	bool on = strcmp(cur, "Y") == 0;
	bool zram_first = ctx->swap_kind == MT_SWAP_ZRAM;
	struct mt_knob k;
	struct mt_item *it = mt_advice_add_knob(out, &mt_rule_zswap,
						"zswap_enabled",
						"zswap.enabled", cur,
						on && zram_first ? "N" : cur,
						&k);

	if (!it)
		return -ENOMEM;
	mt_item_evidence(it,
			 "/sys/module/zswap/parameters/enabled = %s; "
			 "first swap device: %s",
			 cur,
			 ctx->swap_kind == MT_SWAP_ZRAM ? "zram" :
			 ctx->swap_kind == MT_SWAP_NONE ? "none (no swap)" :
							  "disk or file");
	if (on && zram_first) {
		mt_item_ground(it, MT_GROUND_PRACTICE, ZRAM_PRACTICE);
		mt_item_reason(it,
			       "zswap is on and the first swap device is "
			       "zram: every page on its way to zram is first "
			       "compressed into zswap's pool, then, when the "
			       "pool fills, decompressed and compressed again "
			       "by zram, both in RAM. The Arch wiki's zram "
			       "page says to disable zswap when using zram, "
			       "so that it does not act as a swap cache in "
			       "front of it; no kernel document or "
			       "measurement here says so, hence low "
			       "confidence. N.");
		return 0;
	}
	mt_item_ground(it, MT_GROUND_DOCUMENTED, k.source);
	if (ctx->swap_kind == MT_SWAP_NONE)
		mt_item_reason(it,
			       "No swap device: zswap caches pages on "
			       "their way to swap, so without one it has "
			       "nothing to do. Keep %s.",
			       cur);
	else if (on)
		mt_item_reason(it,
			       "zswap is on in front of %s swap: it trades "
			       "CPU time for compressing pages against swap "
			       "I/O (zswap.rst). Memtune measures no swap I/O "
			       "it would save or cost: keep Y.",
			       ctx->swap_kind == MT_SWAP_ZRAM ? "zram" :
								"disk");
	else
		mt_item_reason(it,
			       "zswap is off. zswap.rst: it can reduce "
			       "swap I/O and wear on an SSD at the cost of "
			       "CPU time for compression. Memtune measures "
			       "no swap I/O it would save: keep N, or try Y "
			       "on a host that swaps to disk often.");
	return 0;
}

static int pool_item(const struct mt_advise_ctx *ctx, int64_t cur,
		     struct mt_advice *out)
{
	struct mt_knob k;
	struct mt_item *it = mt_advice_add_int_knob(out, &mt_rule_zswap,
						    "zswap_max_pool_percent",
						    "zswap.max_pool_percent",
						    cur, false, &k);

	(void)ctx;
	if (!it)
		return -ENOMEM;
	mt_item_reason(it,
		       "zswap's pool may take up to %lld%% of RAM before "
		       "the oldest pages go on to the swap device "
		       "(zswap.rst); the default is %s. Memtune measures "
		       "nothing that sizes it: keep it.",
		       (long long)cur, k.dflt);
	return 0;
}

static int compressor_item(const char *cur, struct mt_advice *out)
{
	struct mt_knob k;
	char why[160];
	struct mt_item *it = mt_advice_add_knob(out, &mt_rule_zswap,
						"zswap_compressor",
						"zswap.compressor", cur, cur,
						&k);

	if (!it)
		return -ENOMEM;
	mt_item_evidence(it,
			 "/sys/module/zswap/parameters/compressor = %s "
			 "(the default is %s)",
			 cur, k.dflt_note);
	mt_item_ground(it, MT_GROUND_DOCUMENTED, k.source);
	mt_item_reason(
		it,
		"zswap compresses with %s. The choice trades "
		"compression ratio against CPU time; memtune measures "
		"neither here: keep it.%s",
		cur,
		mt_knob_check(&k, cur, why, sizeof(why)) ?
			"" :
			" (It is not one of the compressors memtune writes, "
			"so memtune apply would not change it.)");
	return 0;
}

static int zswap_advise(const struct mt_advise_ctx *ctx, struct mt_advice *out,
			struct mt_err *err)
{
	json_t *z = json_object_get(ctx->sys, "zswap");
	const char *en = json_string_value(json_object_get(z, "enabled"));
	const char *comp = json_string_value(json_object_get(z, "compressor"));
	json_t *pool = json_object_get(z, "max_pool_percent");
	int rc = 0;

	(void)err;
	if (!json_is_object(z))
		return 0; /* a kernel without zswap */
	if (en)
		rc = enabled_item(ctx, en, out);
	if (rc == 0 && json_is_integer(pool))
		rc = pool_item(ctx, json_integer_value(pool), out);
	if (rc == 0 && comp)
		rc = compressor_item(comp, out);
	return rc;
}

const struct mt_rule mt_rule_zswap = {
	.name = "zswap",
	.knob = "zswap.enabled, zswap.max_pool_percent, zswap.compressor",
	.summary = "the compressed cache in front of swap",
	.source = "https://docs.kernel.org/admin-guide/mm/zswap.html "
		  "(Linux 6.12)",
	.advise = zswap_advise,
};
