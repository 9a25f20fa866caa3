/* vm.nr_hugepages: a hugetlb pool sized for the process the profile names
 * (hugetlb_user, hugetlb_size), never more than half of memory; and, with
 * no user named, a pool that nobody uses is memory taken from everyone. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "advisor.h"

#define SOURCE \
	"Documentation/admin-guide/mm/hugetlbpage.rst " \
	"(https://docs.kernel.org/admin-guide/mm/hugetlbpage.html); " \
	"Documentation/admin-guide/sysctl/vm.rst (nr_hugepages)"

/* The pool of page size `size` in the snapshot: nr, free, resv. */
static bool pool(const struct mt_advise_ctx *ctx, uint64_t size, int64_t *nr,
		 int64_t *free_, int64_t *resv)
{
	json_t *pools = json_object_get(ctx->sys, "hugetlb"), *p;
	size_t i;

	json_array_foreach(pools, i, p) {
		if ((uint64_t)json_integer_value(
			    json_object_get(p, "page_size_bytes")) != size)
			continue;
		*nr = json_integer_value(json_object_get(p, "nr"));
		*free_ = json_integer_value(json_object_get(p, "free"));
		*resv = json_integer_value(json_object_get(p, "resv"));
		return true;
	}
	return false;
}

static int nr_hugepages_advise(const struct mt_advise_ctx *ctx,
			       struct mt_advice *out, struct mt_err *err)
{
	const struct mt_profile *p = ctx->profile;
	uint64_t size = p && p->hugetlb_page_bytes ? p->hugetlb_page_bytes :
						     2u << 20;
	int64_t nr = 0, fr = 0, resv = 0, want;
	char id[64], val[32], b1[32], b2[32];
	struct mt_item *it;
	struct mt_fact gain;

	(void)err;
	if (!pool(ctx, size, &nr, &fr, &resv))
		return 0;
	if (!(p && p->hugetlb_user[0] && p->hugetlb_bytes) &&
	    !(nr > 0 && fr == nr && resv == 0))
		return 0;
	snprintf(id, sizeof(id), "nr_hugepages.%lluk",
		 (unsigned long long)(size >> 10));
	it = mt_advice_add(out, &mt_rule_nr_hugepages, id);
	if (!it)
		return -ENOMEM;
	snprintf(it->current, sizeof(it->current), "%lld", (long long)nr);
	mt_item_evidence(it,
			 "pool of %s pages: %lld, %lld free, %lld "
			 "reserved",
			 mt_ev_bytes(size, b1, sizeof(b1)), (long long)nr,
			 (long long)fr, (long long)resv);
	if (p && p->hugetlb_user[0] && p->hugetlb_bytes) {
		want = (int64_t)((p->hugetlb_bytes + size - 1) / size);
		/* The operator's own figure, checked against the kernel's
		 * documented pool semantics. */
		mt_item_ground(it, MT_GROUND_DOCUMENTED, NULL);
		mt_item_reason(it,
			       "The profile names %s as a hugetlb user "
			       "needing %s: %lld pages of %s.",
			       p->hugetlb_user,
			       mt_ev_bytes(p->hugetlb_bytes, b2, sizeof(b2)),
			       (long long)want, b1);
		if ((uint64_t)want * size > ctx->mem_total / 2) {
			want = (int64_t)(ctx->mem_total / 2 / size);
			mt_item_ground(it, MT_GROUND_PRACTICE, NULL);
			mt_item_reason(it,
				       "That is more than half of memory; "
				       "capped at %lld pages: hugetlb pages "
				       "cannot be swapped or used for "
				       "anything else.",
				       (long long)want);
		}
		if (mt_ev_fact(ctx,
			       size == (1u << 30) ?
				       "hugepage.random_rate_ratio_1g" :
				       "hugepage.random_rate_ratio_2m",
			       &gain))
			mt_item_cite(it, &gain);
	} else {
		want = 0;
		/* hugetlbpage.rst: pool pages are not available for other
		 * uses; whether something starts later and needs them is
		 * not known here. */
		mt_item_ground(it, MT_GROUND_INCONCLUSIVE, NULL);
		mt_item_reason(it,
			       "%lld hugetlb pages (%s) are reserved but "
			       "none is in use or reserved by a mapping, and "
			       "the profile names no hugetlb user: that "
			       "memory is lost to everything else. Free it "
			       "unless an application that starts later "
			       "needs it.",
			       (long long)nr,
			       mt_ev_bytes((uint64_t)nr * size, b2,
					   sizeof(b2)));
	}
	snprintf(val, sizeof(val), "%lld", (long long)want);
	snprintf(it->recommended, sizeof(it->recommended), "%s", val);
	snprintf(it->value, sizeof(it->value), "%s", val);
	if (size == (2u << 20)) {
		mt_item_sysctl(it, "nr_hugepages", val);
	} else {
		snprintf(it->knob, sizeof(it->knob),
			 "hugepages-%llukB.nr_hugepages",
			 (unsigned long long)(size >> 10));
		snprintf(it->path, sizeof(it->path),
			 "/sys/kernel/mm/hugepages/hugepages-%llukB/"
			 "nr_hugepages",
			 (unsigned long long)(size >> 10));
		snprintf(it->apply, sizeof(it->apply),
			 "echo %s > %s (at "
			 "boot: hugepagesz=1G hugepages=%s on the kernel "
			 "command line)",
			 val, it->path, val);
	}
	it->change = want != nr;
	return 0;
}

const struct mt_rule mt_rule_nr_hugepages = {
	.name = "nr_hugepages",
	.knob = "vm.nr_hugepages",
	.summary = "hugetlb pool for a named user",
	.source = SOURCE,
	.advise = nr_hugepages_advise,
	.no_trial = "a hugetlb pool acts only on the programs that map huge "
		    "pages from it (SHM_HUGETLB, MAP_HUGETLB, hugetlbfs), and "
		    "what it takes from everyone else shows as pressure on "
		    "them: the workload that uses it is its trial",
};
