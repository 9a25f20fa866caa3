/* vm.vfs_cache_pressure: how hard reclaim goes after the dentry and inode
 * caches relative to the page cache. 100 is the kernel's "fair" rate; 0
 * never reclaims them (vm.rst: "can easily lead to out-of-memory
 * conditions"); values beyond 100 "may have negative performance impact".
 * Nothing memtune measures bears on it, so the advice is the documented
 * one: back to 100 from 0 or from above 100, otherwise keep. */
#include <errno.h>
#include <stdio.h>

#include "../core/knobs.h"
#include "advisor.h"

#define KNOB "vm.vfs_cache_pressure"

static int vfs_cache_pressure_advise(const struct mt_advise_ctx *ctx,
				     struct mt_advice *out, struct mt_err *err)
{
	struct mt_item *it;
	struct mt_knob k;
	int64_t cur;
	char now[32];
	const char *rec;

	(void)err;
	if (!mt_ev_sysctl(ctx, "vfs_cache_pressure", &cur) ||
	    mt_knob_lookup(KNOB, 0, &k) < 0)
		return 0;
	it = mt_advice_add(out, &mt_rule_vfs_cache_pressure,
			   "vfs_cache_pressure");
	if (!it)
		return -ENOMEM;
	snprintf(now, sizeof(now), "%lld", (long long)cur);
	rec = cur == 0 || cur > 100 ? k.dflt : now;
	mt_item_knob_to(it, KNOB, now, rec);
	mt_item_evidence(it,
			 "vm.vfs_cache_pressure = %lld (kernel default "
			 "%s)",
			 (long long)cur, k.dflt);
	mt_item_ground(it, MT_GROUND_DOCUMENTED, k.source);
	if (cur == 0) {
		mt_item_reason(it,
			       "vfs_cache_pressure 0 tells the kernel "
			       "never to reclaim dentries and inodes under "
			       "memory pressure, which vm.rst warns can "
			       "easily lead to out-of-memory conditions. "
			       "Back to %s, the kernel's default, where "
			       "they are reclaimed at a fair rate with the "
			       "page cache.",
			       k.dflt);
	} else if (cur > 100) {
		mt_item_reason(it,
			       "vfs_cache_pressure %lld makes reclaim "
			       "prefer dentries and inodes over page cache; "
			       "vm.rst: increasing it significantly beyond "
			       "100 may have negative performance impact, as "
			       "reclaim takes locks to find freeable objects "
			       "(at 1000 it looks for ten times more than "
			       "there are). Nothing measured here supports "
			       "the higher value: %s, the kernel's fair rate. "
			       "If it was set for a known reason (a dentry "
			       "cache crowding out page cache), keep it.",
			       (long long)cur, k.dflt);
	} else {
		mt_item_reason(
			it,
			"vfs_cache_pressure %lld: %s. Keep it: "
			"memtune measures nothing that bears on the "
			"dentry and inode caches, and vm.rst gives "
			"no reason to move a value in 1..100.",
			(long long)cur,
			cur == 100 ?
				"the kernel's default, dentries and inodes "
				"reclaimed at a fair rate with the page cache" :
				"below 100 the kernel prefers to retain "
				"dentry and inode caches");
	}
	return 0;
}

const struct mt_rule mt_rule_vfs_cache_pressure = {
	.name = "vfs_cache_pressure",
	.knob = KNOB,
	.summary = "reclaim of dentry and inode caches against page cache",
	.source = "https://docs.kernel.org/admin-guide/sysctl/vm.html"
		  "#vfs-cache-pressure (Linux 6.12)",
	.advise = vfs_cache_pressure_advise,
};
