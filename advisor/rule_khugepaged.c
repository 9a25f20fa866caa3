/* THP's other knobs: khugepaged/max_ptes_none (how many unmapped small
 * pages khugepaged may fill in to collapse a range into a huge page) and
 * shmem_enabled (huge pages for tmpfs and shared memory). transhuge.rst
 * documents both: a higher max_ptes_none "leads to use additional memory
 * for programs", a lower one "to gain less thp performance"; shmem_enabled
 * defaults to never, "force" is for testing and "deny" for emergencies.
 * Memtune measures neither the memory a collapse adds nor a shmem
 * workload's gain, so both items keep the current value, except shmem's
 * testing and emergency modes, which go back to the default. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../core/knobs.h"
#include "advisor.h"

static int max_ptes_none_item(const struct mt_advise_ctx *ctx, int64_t cur,
			      struct mt_advice *out)
{
	struct mt_item *it;
	struct mt_knob k;
	char now[32];

	snprintf(now, sizeof(now), "%lld", (long long)cur);
	it = mt_advice_add_knob(out, &mt_rule_khugepaged,
				"khugepaged_max_ptes_none",
				"transparent_hugepage.khugepaged.max_ptes_none",
				now, now, &k);
	if (!it)
		return -ENOMEM;
	mt_item_evidence(it,
			 "khugepaged/max_ptes_none = %lld (kernel "
			 "default %s); THP enabled = %s",
			 (long long)cur, k.dflt, ctx->thp_enabled);
	mt_item_ground(it, MT_GROUND_DOCUMENTED, k.source);
	if (strcmp(ctx->thp_enabled, "never") == 0) {
		mt_item_reason(it,
			       "THP is off (enabled = never), so "
			       "khugepaged collapses nothing and "
			       "max_ptes_none has no effect. Keep %lld.",
			       (long long)cur);
		return 0;
	}
	mt_item_reason(it,
		       "khugepaged may fill in up to %lld unmapped small "
		       "pages of a 2 MiB range to collapse it into a huge "
		       "page. transhuge.rst: a higher value uses additional "
		       "memory for programs, a lower one gains less THP "
		       "performance. Memtune measures neither the memory "
		       "collapses add nor their TLB gain here: keep it. Lower "
		       "it (0 collapses only fully mapped ranges) when the "
		       "growth of resident memory after collapse matters "
		       "more than TLB reach%s.",
		       (long long)cur,
		       strcmp(ctx->thp_enabled, "always") == 0 ?
			       ", which with enabled = always concerns every "
			       "process" :
			       "");
	return 0;
}

static int shmem_item(const char *cur, struct mt_advice *out)
{
	bool odd = strcmp(cur, "force") == 0 || strcmp(cur, "deny") == 0;
	struct mt_knob k;
	/* Testing and emergency modes go back to the default. */
	struct mt_item *it =
		mt_advice_add_knob(out, &mt_rule_khugepaged,
				   "thp_shmem_enabled",
				   "transparent_hugepage.shmem_enabled", cur,
				   odd ? NULL : cur, &k);

	if (!it)
		return -ENOMEM;
	mt_item_evidence(it,
			 "transparent_hugepage/shmem_enabled = %s "
			 "(kernel default %s)",
			 cur, k.dflt);
	mt_item_ground(it, MT_GROUND_DOCUMENTED, k.source);
	if (odd)
		mt_item_reason(
			it,
			"shmem_enabled %s is, per transhuge.rst, "
			"%s, not a setting for a working host. Back to "
			"%s, the default: tmpfs mounts then follow "
			"their own huge= option.",
			cur,
			cur[0] == 'f' ?
				"for testing: it forces huge "
				"pages on every tmpfs and shmem mount" :
				"for emergencies: it forces huge pages off on "
				"every mount",
			k.dflt);
	else
		mt_item_reason(
			it,
			"shmem_enabled %s: %s. Memtune measures no "
			"shared-memory workload that would gain from "
			"huge pages: keep it.",
			cur,
			strcmp(cur, "never") == 0 ?
				"the default, no "
				"huge pages for internal shmem unless a mount "
				"asks with huge=" :
			strcmp(cur, "advise") == 0 ?
				"huge pages where "
				"a program asks with madvise(MADV_HUGEPAGE)" :
			strcmp(cur, "within_size") == 0 ?
				"huge pages "
				"only where they fit inside the file's size" :
				"huge pages for every shmem and tmpfs file "
				"that can take one, which costs memory for "
				"small files");
	return 0;
}

static int khugepaged_advise(const struct mt_advise_ctx *ctx,
			     struct mt_advice *out, struct mt_err *err)
{
	json_t *thp = json_object_get(ctx->sys, "thp");
	json_t *mpn = json_object_get(json_object_get(thp, "khugepaged"),
				      "max_ptes_none");
	const char *shmem = json_string_value(json_object_get(thp,
							      "shmem_enabled"));
	int rc = 0;

	(void)err;
	if (!ctx->thp_enabled[0])
		return 0; /* no THP in this kernel */
	if (json_is_integer(mpn))
		rc = max_ptes_none_item(ctx, json_integer_value(mpn), out);
	if (rc == 0 && shmem)
		rc = shmem_item(shmem, out);
	return rc;
}

const struct mt_rule mt_rule_khugepaged = {
	.name = "khugepaged",
	.knob = "transparent_hugepage.khugepaged.max_ptes_none, "
		"transparent_hugepage.shmem_enabled",
	.summary = "khugepaged's fill-in limit and huge pages for shmem",
	.source = "https://docs.kernel.org/admin-guide/mm/transhuge.html "
		  "(Linux 6.12)",
	.advise = khugepaged_advise,
};
