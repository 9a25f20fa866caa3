/* The vendor rules on synthetic hosts (issue 13): THP, overcommit,
 * max_map_count and the dirty limits follow the applications present, say
 * so when they disagree, weigh the analysis facts (never records), and
 * flag no change that changes nothing. Each host is a sysinfo snapshot
 * built here, with its applications set by hand (detection is another
 * module's) and, where a run is meant, an analysis with facts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../advisor/advisor.h"
#include "../../core/knobs.h"
#include "helpers/fixtures.h"

#define GIB (1ll << 30)

/* A 64 GiB host without swap: 8 GiB free, 24 GiB of file pages (32 GiB
 * dirtyable), 20 GiB committed; sysctls at the kernel's defaults. */
static json_t *host(const char *thp_en, const char *thp_df)
{
	json_t *sys = json_pack(
		"{s:s, s:{s:I, s:I, s:I, s:I, s:I, s:I}, s:{s:I},"
		" s:{s:b, s:s, s:s},"
		" s:{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}}",
		"kernel", "6.8.0-45-generic", "memory", "mem_total_bytes",
		(json_int_t)(64 * GIB), "mem_free_bytes", (json_int_t)(8 * GIB),
		"mem_available_bytes", (json_int_t)(40 * GIB),
		"active_file_bytes", (json_int_t)(16 * GIB),
		"inactive_file_bytes", (json_int_t)(8 * GIB),
		"committed_as_bytes", (json_int_t)(20 * GIB), "swap",
		"total_bytes", (json_int_t)0, "thp", "available", 1, "enabled",
		thp_en, "defrag", thp_df, "sysctls", "vm.overcommit_memory", 0,
		"vm.overcommit_ratio", 50, "vm.max_map_count", 65530,
		"vm.dirty_ratio", 20, "vm.dirty_background_ratio", 10,
		"vm.dirty_bytes", 0, "vm.dirty_background_bytes", 0,
		"vm.swappiness", 60, "vm.panic_on_oom", 0);

	assert_non_null(sys);
	return sys;
}

static void set_sysctl(json_t *sys, const char *name, int v)
{
	json_object_set_new(json_object_get(sys, "sysctls"), name,
			    json_integer(v));
}

struct app_spec {
	enum mt_app_kind kind;
	const char *name, *version;
};

/* Advises on sys (consumed) with the applications apps[0..n), the profile
 * text (NULL: none) and the analysis facts (a JSON array text, or NULL). */
static void advise(json_t *sys, const struct app_spec *apps, size_t n,
		   const char *profile, const char *facts, struct mt_advice *a)
{
	struct mt_profile p;
	struct mt_advise_ctx ctx;
	struct mt_err err = { 0 };

	if (profile)
		assert_int_equal(mt_profile_load_string("p", profile, &p, &err),
				 0);
	assert_int_equal(mt_advise_ctx_from(&ctx, sys, NULL,
					    profile ? &p : NULL, false),
			 0);
	json_decref(sys);
	for (size_t i = 0; i < n; i++) {
		struct mt_app *app = &ctx.apps[apps[i].kind];

		app->present = app->running = true;
		snprintf(app->name, sizeof(app->name), "%s", apps[i].name);
		snprintf(app->version, sizeof(app->version), "%s",
			 apps[i].version);
	}
	if (facts) {
		ctx.analysis = json_pack("{s:i, s:o}", "schema_version", 1,
					 "facts", json_loads(facts, 0, NULL));
		assert_non_null(json_object_get(ctx.analysis, "facts"));
	}
	memset(a, 0, sizeof(*a));
	assert_int_equal(mt_advise(&ctx, a, &err), 0);
	mt_advise_ctx_free(&ctx);
	if (profile)
		mt_profile_free(&p);
}

/* Checks item id: knob, value, change, confidence. */
static void expect(const struct mt_advice *a, const char *id, const char *knob,
		   const char *value, bool change, enum mt_confidence conf)
{
	struct mt_item *it = mt_test_item(a, id);

	assert_string_equal(it->knob, knob);
	assert_string_equal(it->value, value);
	assert_int_equal(it->change, change);
	assert_int_equal(it->confidence, conf);
	assert_true(it->ground != MT_GROUND_NONE);
	assert_non_null(it->source);
}

/* True if some evidence line of id contains text. */
static bool cites(const struct mt_advice *a, const char *id, const char *text)
{
	return mt_test_cited(mt_test_item(a, id), text);
}

static const char database[] = "[profile]\ngoal = latency\n"
			       "page_cache = keep\n";

static void test_redis_host(void **state)
{
	const struct app_spec redis[] = { { MT_APP_REDIS, "redis", "7.2" } };
	struct mt_advice a;

	(void)state;
	advise(host("always", "madvise"), redis, 1, database, NULL, &a);
	expect(&a, "thp_enabled", "transparent_hugepage.enabled", "never", true,
	       MT_CONF_MEDIUM);
	assert_true(cites(&a, "thp_enabled",
			  "https://redis.io/docs/latest/"
			  "operate/oss_and_stack/management/admin/"));
	expect(&a, "overcommit_memory", "vm.overcommit_memory", "1", true,
	       MT_CONF_HIGH);
	assert_int_equal(mt_test_item(&a, "overcommit_memory")->ground,
			 MT_GROUND_HARD_RULE);
	assert_non_null(strstr(mt_test_item(&a, "overcommit_memory")->reason,
			       "Redis wants 1"));
	/* Enabled never: defrag changes nothing, kept. */
	expect(&a, "thp_defrag", "transparent_hugepage.defrag", "madvise",
	       false, MT_CONF_MEDIUM);
	/* Redis's own check passes with madvise: kept. */
	mt_advice_free(&a);
	advise(host("madvise", "madvise"), redis, 1, database, NULL, &a);
	expect(&a, "thp_enabled", "transparent_hugepage.enabled", "madvise",
	       false, MT_CONF_MEDIUM);
	mt_advice_free(&a);
}

static void test_postgresql_dirty(void **state)
{
	const struct app_spec pg[] = { { MT_APP_POSTGRESQL, "postgresql",
					 "16.2" } };
	struct mt_advice a;
	json_t *sys = host("never", "madvise");

	(void)state;
	set_sysctl(sys, "vm.dirty_ratio", 40);
	advise(sys, pg, 1, database, NULL, &a);
	/* 40% of 32 GiB dirtyable: 12.8 GiB, against tuned's 512 MiB. */
	expect(&a, "dirty", "vm.dirty_bytes", "536870912", true,
	       MT_CONF_MEDIUM);
	expect(&a, "dirty_background", "vm.dirty_background_bytes", "67108864",
	       true, MT_CONF_MEDIUM);
	assert_non_null(strstr(mt_test_item(&a, "dirty")->source,
			       "redhat-performance/tuned"));
	assert_true(cites(&a, "dirty",
			  "of 32 GiB dirtyable memory "
			  "(MemFree + Active(file) + Inactive(file)"));
	assert_string_equal(mt_test_item(&a, "dirty")->recommended,
			    "536870912 bytes");
	/* THP never satisfies PostgreSQL: kept. */
	expect(&a, "thp_enabled", "transparent_hugepage.enabled", "never",
	       false, MT_CONF_MEDIUM);
	/* Overcommit: strict mode, CommitLimit 32 GiB covers 20 GiB. */
	expect(&a, "overcommit_memory", "vm.overcommit_memory", "2", true,
	       MT_CONF_MEDIUM);
	assert_non_null(strstr(mt_test_item(&a, "overcommit_memory")->force,
			       "overcommit_memory=2"));
	expect(&a, "overcommit_ratio", "vm.overcommit_ratio", "50", false,
	       MT_CONF_MEDIUM);
	assert_true(cites(&a, "overcommit_ratio", "CommitLimit 32.0 GiB"));
	mt_advice_free(&a);

	/* Committed beyond mode 2's limit: kept at 0, the ratio named. */
	sys = host("never", "madvise");
	set_sysctl(sys, "vm.overcommit_ratio", 25); /* 16 GiB < 20 GiB */
	advise(sys, pg, 1, database, NULL, &a);
	expect(&a, "overcommit_memory", "vm.overcommit_memory", "0", false,
	       MT_CONF_MEDIUM);
	assert_non_null(strstr(mt_test_item(&a, "overcommit_memory")->reason,
			       "Raise overcommit_ratio to at least 32"));
	assert_null(mt_advice_find(&a, "overcommit_ratio"));
	mt_advice_free(&a);

	/* Limits already under tuned's: kept, in their own form. */
	sys = host("never", "madvise");
	set_sysctl(sys, "vm.dirty_bytes", 268435456);
	set_sysctl(sys, "vm.dirty_background_bytes", 33554432);
	advise(sys, pg, 1, database, NULL, &a);
	expect(&a, "dirty", "vm.dirty_bytes", "268435456", false,
	       MT_CONF_MEDIUM);
	expect(&a, "dirty_background", "vm.dirty_background_bytes", "33554432",
	       false, MT_CONF_MEDIUM);
	mt_advice_free(&a);
}

static void test_kubernetes_node(void **state)
{
	const struct app_spec k8s[] = { { MT_APP_KUBELET, "kubelet",
					  "1.31.2" } };
	struct mt_advice a;
	json_t *sys;

	(void)state;
	advise(host("madvise", "madvise"), k8s, 1, NULL, NULL, &a);
	expect(&a, "overcommit_memory", "vm.overcommit_memory", "1", true,
	       MT_CONF_HIGH);
	assert_non_null(strstr(mt_test_item(&a, "overcommit_memory")->source,
			       "container_manager_linux.go"));
	expect(&a, "panic_on_oom", "vm.panic_on_oom", "0", false, MT_CONF_HIGH);
	mt_advice_free(&a);
	sys = host("madvise", "madvise");
	set_sysctl(sys, "vm.overcommit_memory", 1);
	set_sysctl(sys, "vm.panic_on_oom", 1);
	advise(sys, k8s, 1, NULL, NULL, &a);
	expect(&a, "overcommit_memory", "vm.overcommit_memory", "1", false,
	       MT_CONF_HIGH);
	expect(&a, "panic_on_oom", "vm.panic_on_oom", "0", true, MT_CONF_HIGH);
	mt_advice_free(&a);
	/* Without a kubelet, panicking is a failover policy: kept. */
	sys = host("madvise", "madvise");
	set_sysctl(sys, "vm.panic_on_oom", 1);
	advise(sys, NULL, 0, NULL, NULL, &a);
	expect(&a, "panic_on_oom", "vm.panic_on_oom", "1", false,
	       MT_CONF_MEDIUM);
	assert_non_null(strstr(mt_test_item(&a, "panic_on_oom")->reason,
			       "failover policy"));
	mt_advice_free(&a);
}

static void test_elasticsearch(void **state)
{
	const struct app_spec es8[] = { { MT_APP_ELASTICSEARCH, "elasticsearch",
					  "8.11.3" } };
	const struct app_spec es9[] = { { MT_APP_ELASTICSEARCH, "elasticsearch",
					  "9.1.0" } };
	struct mt_advice a;

	(void)state;
	advise(host("madvise", "madvise"), es8, 1, NULL, NULL, &a);
	expect(&a, "max_map_count", "vm.max_map_count", "262144", true,
	       MT_CONF_HIGH);
	assert_int_equal(mt_test_item(&a, "max_map_count")->ground,
			 MT_GROUND_HARD_RULE);
	assert_true(cites(&a, "max_map_count", "at least 262,144"));
	/* Overcommit: Elasticsearch's documents ask nothing, kept. */
	expect(&a, "overcommit_memory", "vm.overcommit_memory", "0", false,
	       MT_CONF_MEDIUM);
	mt_advice_free(&a);
	advise(host("madvise", "madvise"), es9, 1, NULL, NULL, &a);
	expect(&a, "max_map_count", "vm.max_map_count", "1048576", true,
	       MT_CONF_HIGH);
	mt_advice_free(&a);
	/* apply knows the knob (or it would refuse the whole advice). */
	{
		struct mt_knob k;
		char why[128];

		assert_int_equal(mt_knob_lookup("vm.max_map_count", 0, &k), 0);
		assert_string_equal(k.path, "/proc/sys/vm/max_map_count");
		assert_true(mt_knob_check(&k, "1048576", why, sizeof(why)));
		assert_false(mt_knob_check(&k, "-1", why, sizeof(why)));
	}
	/* Nothing present: the kernel's default stays. */
	advise(host("madvise", "madvise"), NULL, 0, NULL, NULL, &a);
	expect(&a, "max_map_count", "vm.max_map_count", "65530", false,
	       MT_CONF_MEDIUM);
	mt_advice_free(&a);
}

static void test_mongodb_by_version(void **state)
{
	const struct app_spec m7[] = { { MT_APP_MONGODB, "mongod", "7.0.12" } };
	const struct app_spec m8[] = { { MT_APP_MONGODB, "mongod", "8.0.4" } };
	const struct app_spec mx[] = { { MT_APP_MONGODB, "mongod", "" } };
	struct mt_advice a;

	(void)state;
	advise(host("always", "madvise"), m7, 1, NULL, NULL, &a);
	expect(&a, "thp_enabled", "transparent_hugepage.enabled", "never", true,
	       MT_CONF_MEDIUM);
	assert_true(cites(&a, "thp_enabled",
			  "If you are using MongoDB 7.0 "
			  "or earlier, disable THP."));
	mt_advice_free(&a);
	advise(host("madvise", "madvise"), m8, 1, database, NULL, &a);
	expect(&a, "thp_enabled", "transparent_hugepage.enabled", "always",
	       true, MT_CONF_MEDIUM);
	expect(&a, "thp_defrag", "transparent_hugepage.defrag", "defer+madvise",
	       true, MT_CONF_MEDIUM);
	expect(&a, "overcommit_memory", "vm.overcommit_memory", "1", true,
	       MT_CONF_MEDIUM);
	mt_advice_free(&a);
	/* Version unknown: the profile must not overrule either. */
	advise(host("always", "madvise"), mx, 1, database, NULL, &a);
	expect(&a, "thp_enabled", "transparent_hugepage.enabled", "always",
	       false, MT_CONF_MEDIUM);
	assert_non_null(strstr(mt_test_item(&a, "thp_enabled")->reason,
			       "MongoDB is present, but its version is "
			       "unknown"));
	mt_advice_free(&a);
	/* Beside Redis, which wants never: still no move until MongoDB's
	 * version is known (8.0 would want always). */
	{
		const struct app_spec rm[] = {
			{ MT_APP_REDIS, "redis", "7.2" },
			{ MT_APP_MONGODB, "mongod", "" },
		};

		advise(host("always", "madvise"), rm, 2, database, NULL, &a);
		expect(&a, "thp_enabled", "transparent_hugepage.enabled",
		       "always", false, MT_CONF_MEDIUM);
		assert_non_null(strstr(mt_test_item(&a, "thp_enabled")->reason,
				       "keeps the current value until the "
				       "version above is known"));
		/* Overcommit: MongoDB 8.0 would want 1 as Redis does. */
		expect(&a, "overcommit_memory", "vm.overcommit_memory", "0",
		       false, MT_CONF_MEDIUM);
		mt_advice_free(&a);
	}
	/* MongoDB 7, a known version without overcommit guidance: nothing
	 * to follow, nothing blocked. */
	advise(host("never", "madvise"), m7, 1, NULL, NULL, &a);
	expect(&a, "overcommit_memory", "vm.overcommit_memory", "0", false,
	       MT_CONF_MEDIUM);
	assert_non_null(strstr(mt_test_item(&a, "overcommit_memory")->reason,
			       "No application on this host asks"));
	mt_advice_free(&a);
}

static void test_redis_and_postgresql(void **state)
{
	const struct app_spec both[] = {
		{ MT_APP_REDIS, "redis", "7.2" },
		{ MT_APP_POSTGRESQL, "postgresql", "16.2" },
	};
	struct mt_advice a;
	struct mt_item *it;

	(void)state;
	advise(host("always", "madvise"), both, 2, database, NULL, &a);
	expect(&a, "overcommit_memory", "vm.overcommit_memory", "0", false,
	       MT_CONF_MEDIUM);
	it = mt_test_item(&a, "overcommit_memory");
	assert_non_null(strstr(it->reason, "disagree: Redis wants 1; "
					   "PostgreSQL wants 2"));
	mt_test_expect_cites(&a, "overcommit_memory", "redis.io",
			     "www.postgresql.org", NULL);
	assert_null(mt_advice_find(&a, "overcommit_ratio"));
	/* THP: both accept never. */
	expect(&a, "thp_enabled", "transparent_hugepage.enabled", "never", true,
	       MT_CONF_MEDIUM);
	mt_advice_free(&a);
}

static void test_defrag_under_madvise(void **state)
{
	struct mt_advice a;

	(void)state;
	/* The old rule flagged madvise -> defer+madvise for latency. */
	advise(host("madvise", "madvise"), NULL, 0, database, NULL, &a);
	expect(&a, "thp_defrag", "transparent_hugepage.defrag", "madvise",
	       false, MT_CONF_MEDIUM);
	expect(&a, "thp_enabled", "transparent_hugepage.enabled", "madvise",
	       false, MT_CONF_MEDIUM);
	mt_advice_free(&a);
	/* ... and never -> madvise whatever the current value. */
	advise(host("never", "never"), NULL, 0, database, NULL, &a);
	expect(&a, "thp_enabled", "transparent_hugepage.enabled", "never",
	       false, MT_CONF_MEDIUM);
	expect(&a, "thp_defrag", "transparent_hugepage.defrag", "never", false,
	       MT_CONF_MEDIUM);
	mt_advice_free(&a);
	/* always for a latency goal: madvise ... */
	advise(host("always", "always"), NULL, 0, database, NULL, &a);
	expect(&a, "thp_enabled", "transparent_hugepage.enabled", "madvise",
	       true, MT_CONF_MEDIUM);
	/* ... under which defrag always is no different from madvise. */
	expect(&a, "thp_defrag", "transparent_hugepage.defrag", "always", false,
	       MT_CONF_MEDIUM);
	mt_advice_free(&a);
	/* Kept always (a balanced host chose it): defrag always stalls
	 * every fault, and a latency goal would take madvise; balanced
	 * keeps it. */
	advise(host("always", "always"), NULL, 0,
	       "[profile]\ngoal = balanced\n", NULL, &a);
	expect(&a, "thp_enabled", "transparent_hugepage.enabled", "always",
	       false, MT_CONF_MEDIUM);
	expect(&a, "thp_defrag", "transparent_hugepage.defrag", "always", false,
	       MT_CONF_MEDIUM);
	mt_advice_free(&a);
}

static const char walk_facts[] =
	"[{\"id\":\"tlb.thp_walk_ratio\",\"bench\":\"tlb\",\"value\":1.7065,"
	"\"lo\":1.4592,\"hi\":1.9957,\"unit\":\"ratio\",\"n\":30,\"what\":"
	"\"4 KiB over THP page-stride load latency\"},"
	"{\"id\":\"hugepage.thp_fault_us\",\"bench\":\"hugepage\",\"value\":"
	"235.47,\"lo\":212.99,\"hi\":269.11,\"unit\":\"us\",\"n\":15,"
	"\"what\":\"one THP first-touch fault\"},"
	"{\"id\":\"odirect.seq_write_direct_mb_s\",\"bench\":\"odirect\","
	"\"value\":2817.5,\"lo\":2712.0,\"hi\":2839.3,\"unit\":\"MB/s\","
	"\"n\":12,\"what\":\"sequential O_DIRECT write\"}]";

static void test_balanced_thp_weighs(void **state)
{
	struct mt_advice a;
	json_t *sys;

	(void)state;
	/* A 1.71x walk ratio alone does not make always. */
	sys = host("madvise", "madvise");
	json_object_set_new(sys, "vmstat",
			    json_pack("{s:i, s:i}", "thp_fault_fallback", 1234,
				      "compact_stall", 56));
	advise(sys, NULL, 0, "[profile]\ngoal = balanced\n", walk_facts, &a);
	expect(&a, "thp_enabled", "transparent_hugepage.enabled", "madvise",
	       false, MT_CONF_MEDIUM);
	assert_true(mt_test_item(&a, "thp_enabled")->measured);
	/* The analysis's figure, printed as the report prints it. */
	mt_test_expect_cites(&a, "thp_enabled",
			     "fact tlb.thp_walk_ratio: 1.706 [1.459, 1.996] "
			     "ratio (n=30)",
			     "fact hugepage.thp_fault_us: 235.5 [213, 269.1] "
			     "us (n=15)",
			     "thp_fault_fallback 1234, compact_stall 56", NULL);
	assert_non_null(strstr(mt_test_item(&a, "thp_enabled")->reason,
			       "does not recommend always from a ratio"));
	assert_string_equal(json_string_value(json_array_get(
				    mt_test_item(&a, "thp_enabled")->facts, 0)),
			    "tlb.thp_walk_ratio");
	mt_advice_free(&a);
	/* never, with an interval that excludes no gain: madvise,
	 * measured. */
	advise(host("never", "madvise"), NULL, 0,
	       "[profile]\ngoal = balanced\n", walk_facts, &a);
	expect(&a, "thp_enabled", "transparent_hugepage.enabled", "madvise",
	       true, MT_CONF_HIGH);
	assert_int_equal(mt_test_item(&a, "thp_enabled")->ground,
			 MT_GROUND_MEASURED);
	mt_advice_free(&a);
}

static void test_dirty_never_raised(void **state)
{
	struct mt_advice a;
	json_t *sys;

	(void)state;
	/* 2.8 GB/s disk, 20%/10% of 32 GiB dirtyable (6.4/3.2 GiB): the
	 * old rule raised dirty_ratio to 40%; now both are kept. */
	advise(host("madvise", "madvise"), NULL, 0,
	       "[profile]\ngoal = throughput\n", walk_facts, &a);
	expect(&a, "dirty", "vm.dirty_ratio", "20", false, MT_CONF_MEDIUM);
	expect(&a, "dirty_background", "vm.dirty_background_ratio", "10", false,
	       MT_CONF_MEDIUM);
	assert_true(cites(&a, "dirty",
			  "fact odirect.seq_write_direct_mb_s: "
			  "2818 [2712, 2839] MB/s (n=12)"));
	assert_non_null(strstr(mt_test_item(&a, "dirty_background")->reason,
			       "never raises it"));
	mt_advice_free(&a);
	/* 60% on the same disk with a latency goal: 19.2 GiB, lowered to
	 * 4x one second of it (2817.5 MB: 2687 MiB), practice: low. */
	sys = host("madvise", "madvise");
	set_sysctl(sys, "vm.dirty_ratio", 60);
	set_sysctl(sys, "vm.dirty_background_ratio", 30);
	advise(sys, NULL, 0, database, walk_facts, &a);
	expect(&a, "dirty_background", "vm.dirty_background_bytes",
	       "2817523712", true, MT_CONF_LOW);
	expect(&a, "dirty", "vm.dirty_bytes", "11270094848", true, MT_CONF_LOW);
	assert_non_null(strstr(mt_test_item(&a, "dirty")->reason,
			       "lower it to"));
	assert_int_equal(mt_test_item(&a, "dirty")->ground, MT_GROUND_PRACTICE);
	mt_advice_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redis_host),
		cmocka_unit_test(test_postgresql_dirty),
		cmocka_unit_test(test_kubernetes_node),
		cmocka_unit_test(test_elasticsearch),
		cmocka_unit_test(test_mongodb_by_version),
		cmocka_unit_test(test_redis_and_postgresql),
		cmocka_unit_test(test_defrag_under_madvise),
		cmocka_unit_test(test_balanced_thp_weighs),
		cmocka_unit_test(test_dirty_never_raised),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
