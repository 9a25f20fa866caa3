/* The expected advice on each machine fixture tree of issue 13, whole:
 * every item that changes something, with its value and confidence, as
 * `memtune advise --window 0` gives it with no profile (the neutral
 * balanced one). A rule that starts or stops changing something on one of
 * these machines fails here, and the expectation is updated on purpose.
 * The rules' reasons are pinned in their own tests (test_rules_*.c,
 * test_signals_rule.c, test_apps.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../advisor/advisor.h"
#include "../../core/sysinfo.h"
#include "helpers/fixtures.h"

/* "id=recommended/c;..." of the changes, c the confidence's initial. */
static void changes(const char *tree, char *buf, size_t len)
{
	struct mt_err err = { 0 };
	struct mt_profile p;
	struct mt_advise_ctx ctx;
	struct mt_advice a;
	size_t off = 0;
	json_t *sys;

	setenv("MEMTUNE_FSROOT", mt_test_machine(tree), 1);
	sys = mt_sysinfo_collect(NULL, &err);
	if (!sys)
		fail_msg("%s: %s", tree, err.msg);
	assert_int_equal(mt_profile_load_string("balanced", "[profile]\n", &p,
						&err),
			 0);
	assert_int_equal(mt_advise_ctx_from(&ctx, sys, NULL, &p, true), 0);
	assert_int_equal(mt_signals_gather(&ctx, 0, &err), 0);
	memset(&a, 0, sizeof(a));
	assert_int_equal(mt_advise(&ctx, &a, &err), 0);
	buf[0] = '\0';
	for (size_t i = 0; i < a.n; i++)
		if (a.items[i].change && off < len)
			off += snprintf(
				buf + off, len - off, "%s%s=%s/%c",
				off ? ";" : "", a.items[i].id,
				a.items[i].recommended,
				mt_confidence_name(a.items[i].confidence)[0]);
	mt_advice_free(&a);
	mt_advise_ctx_free(&ctx);
	mt_profile_free(&p);
	json_decref(sys);
	unsetenv("MEMTUNE_FSROOT");
}

static void expect(const char *tree, const char *want)
{
	char got[4096];

	changes(tree, got, sizeof(got));
	if (strcmp(got, want) != 0)
		fail_msg("%s:\n  got  %s\n  want %s", tree, got, want);
}

/* Each machine tree and the changes advised on it. */
static const struct fixture_case {
	const char *tree;
	const char *want;
} cases[] = {
	/* Redis with THP always and overcommit 0: Redis's documented THP never
	 * and its required overcommit 1. The dirty limits are the rule's own
	 * practice (low): lowered to seconds of an assumed writeback rate. */
	{ "redis-host", "dirty_background=536870912 bytes/l;"
			"dirty=2147483648 bytes/l;thp_enabled=never/m;"
			"overcommit_memory=1/h" },
	/* PostgreSQL with dirty_ratio 40: tuned's postgresql byte limits, the
	 * documented overcommit 2 (behind --force when applied) and the
	 * postmaster's documented -1000. */
	{ "pg-host",
	  "dirty_background=67108864 bytes/m;"
	  "dirty=536870912 bytes/m;overcommit_memory=2/m;"
	  "oom_score_adj.postgresql=postmaster -1000, children 0/m" },
	/* A Kubernetes node already has the kubelet's overcommit 1 and
	 * panic_on_oom 0: nothing of the kubelet's to change. */
	{ "k8s-node", "dirty_background=536870912 bytes/l;"
		      "dirty=2147483648 bytes/l" },
	/* Elasticsearch with max_map_count 65530: its bootstrap check's
	 * 262144, a hard rule. */
	{ "es-host", "dirty_background=536870912 bytes/l;"
		     "dirty=2147483648 bytes/l;max_map_count=262144/h" },
	/* A zram laptop whose zram has a lower priority than its disk swap. */
	{ "zram-laptop", "swap_priority.zram0=100/m" },
	/* 250,000 allocstalls and PSI some 4.5: the watermarks go up. */
	{ "stalls-db",
	  "watermark_scale_factor=100/m;"
	  "dirty_background=536870912 bytes/l;dirty=2147483648 bytes/l" },
	/* Two nodes with zone_reclaim_mode 1 (and vfs_cache_pressure 500). */
	{ "numa2-zone-reclaim",
	  "zone_reclaim_mode=0/m;"
	  "dirty_background=536870912 bytes/l;"
	  "dirty=2147483648 bytes/l;vfs_cache_pressure=100/m" },
	/* A 4.19 kernel with periodic writeback disabled. */
	{ "old-4x", "dirty_writeback_centisecs=500/m" },
};

static void test_tree(void **state)
{
	const struct fixture_case *c = *state;

	expect(c->tree, c->want);
}

int main(void)
{
	struct CMUnitTest tests[sizeof(cases) / sizeof(cases[0])];

	/* One test per tree, named by it. */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		tests[i] = (struct CMUnitTest){ .name = cases[i].tree,
						.test_func = test_tree,
						.initial_state =
							(void *)&cases[i] };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
