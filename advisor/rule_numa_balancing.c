/* kernel.numa_balancing: automatic NUMA balancing samples which node's
 * memory each task touches (by unmapping pages and taking the hinting
 * faults) and migrates the memory to it. kernel.rst: the faults cost
 * overhead "that ideally is offset by improved memory locality but there is
 * no universal guarantee. If the target workload is already bound to NUMA
 * nodes then this feature should be disabled." Memtune cannot see whether
 * the workload is bound, and measures no hinting-fault cost, so the item
 * keeps the current value and says which way to go when. On one node it
 * does nothing. zone_reclaim_mode is the lead's rule (rule_zone_reclaim.c);
 * this item only points at it. */
#include <errno.h>
#include <stdio.h>

#include "../core/knobs.h"
#include "advisor.h"

#define KNOB "kernel.numa_balancing"

static int numa_balancing_advise(const struct mt_advise_ctx *ctx,
				 struct mt_advice *out, struct mt_err *err)
{
	json_t *v = json_object_get(json_object_get(ctx->sys, "sysctls"), KNOB);
	struct mt_item *it;
	struct mt_knob k;
	int64_t cur, zr;
	char now[32];

	(void)err;
	if (!json_is_integer(v) || mt_knob_lookup(KNOB, 0, &k) < 0)
		return 0; /* a kernel without CONFIG_NUMA_BALANCING */
	cur = json_integer_value(v);
	it = mt_advice_add(out, &mt_rule_numa_balancing, "numa_balancing");
	if (!it)
		return -ENOMEM;
	snprintf(now, sizeof(now), "%lld", (long long)cur);
	mt_item_knob_to(it, KNOB, now, now);
	mt_item_evidence(it,
			 "kernel.numa_balancing = %lld; %d NUMA node%s "
			 "with memory",
			 (long long)cur, ctx->numa_nodes,
			 ctx->numa_nodes == 1 ? "" : "s");
	mt_item_ground(it, MT_GROUND_DOCUMENTED, k.source);
	if (ctx->numa_nodes <= 1) {
		mt_item_reason(it,
			       "One node: there is no remote memory to "
			       "move, and the kernel enables balancing only "
			       "on machines with several nodes. Keep %lld.",
			       (long long)cur);
		return 0;
	}
	if (cur & 1)
		mt_item_reason(it,
			       "Automatic NUMA balancing is on: the kernel "
			       "unmaps pages to sample which node uses them "
			       "and migrates them there. kernel.rst: the "
			       "hinting faults cost overhead with no "
			       "universal guarantee of a gain, and if the "
			       "workload is already bound to NUMA nodes "
			       "(numactl --membind or --cpunodebind, cpusets, "
			       "a database's own NUMA placement) the feature "
			       "should be disabled. Memtune sees no binding "
			       "and measures no hinting-fault cost here: keep "
			       "%lld, or set 0 if the workload is bound.",
			       (long long)cur);
	else
		mt_item_reason(it,
			       "Automatic NUMA balancing is off on a "
			       "machine with %d nodes (the kernel's default: "
			       "%s). kernel.rst: it "
			       "moves memory to the node that uses it, at the "
			       "cost of hinting faults, and should stay off "
			       "for a workload bound to nodes. Memtune sees "
			       "no binding and measures no locality gain "
			       "here: keep %lld, or set 1 for an unbound "
			       "workload whose remote accesses you have "
			       "measured.",
			       ctx->numa_nodes, k.dflt_note, (long long)cur);
	if (cur & 2)
		mt_item_reason(it, "Bit 2 (memory tiering) promotes hot pages "
				   "from slow memory nodes (kernel.rst).");
	if (mt_ev_sysctl(ctx, "zone_reclaim_mode", &zr) && zr != 0) {
		mt_item_evidence(it, "vm.zone_reclaim_mode = %lld",
				 (long long)zr);
		mt_item_reason(it,
			       "zone_reclaim_mode %lld also keeps memory "
			       "local, by reclaiming the local node's page "
			       "cache first: see the zone_reclaim_mode item.",
			       (long long)zr);
	}
	return 0;
}

const struct mt_rule mt_rule_numa_balancing = {
	.name = "numa_balancing",
	.knob = KNOB,
	.summary = "automatic NUMA balancing of memory to the node using it",
	.source = "https://docs.kernel.org/admin-guide/sysctl/kernel.html"
		  "#numa-balancing (Linux 6.12)",
	.advise = numa_balancing_advise,
};
