/* The multi-gen LRU (/sys/kernel/mm/lru_gen/enabled, Linux 6.1 on). It
 * replaces the active/inactive lists with generations, and with it
 * vm.swappiness no longer means what vm.rst describes: reclaim evicts the
 * oldest generation first, anonymous or file, and swappiness only weighs
 * anonymous against file pages of the same age, as the gain of a feedback
 * controller on their refault rates (mm/vmscan.c isolate_folios and
 * get_type_to_scan); 0 still keeps anonymous pages out of reclaim, and
 * 200 takes anonymous pages first only among pages of the same age.
 * multigen_lru.rst: "All the components should be
 * enabled unless some of them have unforeseen side effects." The item
 * keeps the current value (switching the LRU on a running host is the
 * build's and the operator's choice) and says what it means for
 * swappiness. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/knobs.h"
#include "advisor.h"

#define VMSCAN "mm/vmscan.c isolate_folios, get_type_to_scan (Linux 6.12)"

static int mglru_advise(const struct mt_advise_ctx *ctx, struct mt_advice *out,
			struct mt_err *err)
{
	json_t *g = json_object_get(ctx->sys, "lru_gen");
	const char *cur = json_string_value(json_object_get(g, "enabled"));
	struct mt_item *it;
	struct mt_knob k;
	unsigned long mask;
	int64_t sw = -1;
	char *end;

	(void)err;
	if (!cur || mt_knob_lookup("lru_gen.enabled", 0, &k) < 0)
		return 0; /* a kernel without the multi-gen LRU */
	mask = strtoul(cur, &end, 0);
	if (*end != '\0' && *end != '\n')
		mask = 0;
	it = mt_advice_add(out, &mt_rule_mglru, "lru_gen");
	if (!it)
		return -ENOMEM;
	mt_item_knob_to(it, k.name, cur, cur);
	mt_ev_sysctl(ctx, "swappiness", &sw);
	mt_item_evidence(it,
			 "/sys/kernel/mm/lru_gen/enabled = %s (%s); "
			 "vm.swappiness = %lld",
			 cur,
			 mask & 1 ? "the multi-gen LRU is on" :
				    "the multi-gen LRU is off",
			 (long long)sw);
	mt_item_ground(it, MT_GROUND_DOCUMENTED, k.source);
	if (!(mask & 1)) {
		mt_item_reason(it,
			       "The kernel has the multi-gen LRU but it is "
			       "off (%s), so reclaim uses the classic active "
			       "and inactive lists and vm.swappiness means "
			       "what vm.rst says. multigen_lru.rst: all the "
			       "components should be enabled unless some have "
			       "unforeseen side effects; turning it on changes "
			       "how every page is aged, which memtune has not "
			       "measured here: keep %s.",
			       cur, cur);
		return 0;
	}
	mt_item_reason(it,
		       "The multi-gen LRU is on (%s): reclaim evicts the "
		       "oldest generation first, anonymous or file, and "
		       "vm.swappiness (%lld here) no longer sets the ratio "
		       "of anonymous to file pages scanned; it weighs only "
		       "pages of the same age, as the gain of a feedback "
		       "controller on their refault rates (%s). 0 still "
		       "keeps anonymous pages out of reclaim; 200 takes them "
		       "first only among pages of the same age. So a "
		       "swappiness chosen for the classic LRU does not carry "
		       "over one to one: read the swappiness item with that "
		       "in mind. "
		       "multigen_lru.rst: all components should be enabled "
		       "unless some have unforeseen side effects: keep %s.",
		       cur, (long long)sw, VMSCAN, cur);
	if ((mask & 7) != 7)
		mt_item_reason(it,
			       "Components off in %s are either switched "
			       "off or not supported by this hardware "
			       "(multigen_lru.rst: writing a component the "
			       "hardware lacks has no effect).",
			       cur);
	return 0;
}

const struct mt_rule mt_rule_mglru = {
	.name = "mglru",
	.knob = "lru_gen.enabled",
	.summary = "the multi-gen LRU, and what it does to swappiness",
	.source = "https://docs.kernel.org/admin-guide/mm/multigen_lru.html "
		  "(Linux 6.12)",
	.advise = mglru_advise,
};
