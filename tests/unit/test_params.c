/* The parameter schemas of every benchmark and of [global]: each passes
 * mt_schema_check (keys, types, defaults, bounds, help, no holes), and each
 * benchmark plans with its defaults and with --quick. A plan reads its
 * parameters through the typed accessors, which abort on an id of another
 * type or outside the schema, so a mismatch between an accessor and its
 * row fails here rather than in a user's run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../bench/bench.h"
#include "../../bench/runner/registry.h"
#include "../../bench/runner/runner.h"
#include "../../core/config.h"

static void test_schemas_check(void **state)
{
	struct mt_err err = { 0 };
	size_t n;
	const struct mt_bench *const *t = mt_benchmarks(&n);

	(void)state;
	if (mt_schema_check("global", mt_global_params, &err) < 0)
		fail_msg("%s", err.msg);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(t[i]->params);
		if (mt_schema_check(t[i]->name, t[i]->params, &err) < 0)
			fail_msg("%s", err.msg);
	}
}

/* The [global] ids name the rows of mt_global_params. */
static void test_global_ids(void **state)
{
	size_t n = 0;

	(void)state;
	while (mt_global_params[n].key)
		n++;
	assert_int_equal(n, MT_G_NPARAMS);
	assert_true(mt_global_params[MT_G_NPARAMS].end);
	assert_string_equal(mt_global_params[MT_G_SEED].key, "seed");
	assert_string_equal(mt_global_params[MT_G_OUTPUT].key, "output");
}

/* A machine with room for every default: 16 GiB, cgroup v2, swap, two
 * nodes, hugetlb pages; not root, so nothing may be changed. */
static void fake_caps(struct mt_caps *caps)
{
	memset(caps, 0, sizeof(*caps));
	caps->cgroup_version = 2;
	strcpy(caps->cgroup_v2_root, "/sys/fs/cgroup");
	caps->swap_total = 4ull << 30;
	caps->mem_total = 16ull << 30;
	caps->numa_nodes = 2;
	caps->hugetlb_2m = true;
	caps->hugetlb_1g = true;
	strcpy(caps->thp_enabled, "madvise");
	strcpy(caps->thp_defrag, "madvise");
}

/* Plans every benchmark from an empty configuration (every key at its
 * default), without and with --quick. */
static void test_plans_with_defaults(void **state)
{
	struct mt_cfg cfg;
	struct mt_err err = { 0 };
	struct mt_caps caps;
	struct mt_params *global = NULL;
	size_t n;
	const struct mt_bench *const *t = mt_benchmarks(&n);

	(void)state;
	fake_caps(&caps);
	mt_cfg_init(&cfg);
	if (mt_params_resolve(&cfg, "global", mt_global_params, &global, &err) <
	    0)
		fail_msg("%s", err.msg);
	for (size_t i = 0; i < n; i++) {
		struct mt_params *params = NULL;

		if (mt_params_resolve(&cfg, t[i]->name, t[i]->params, &params,
				      &err) < 0)
			fail_msg("%s", err.msg);
		for (int quick = 0; quick < 2; quick++) {
			struct mt_plan plan = { 0 };
			struct mt_env env = {
				.caps = &caps,
				.global = global,
				.params = params,
				.rundir = "/nonexistent/run",
				.cpu = 0,
				.seed = 1,
				.quick = quick,
			};

			if (t[i]->plan(&env, &plan, &err) < 0)
				fail_msg("%s%s: %s", t[i]->name,
					 quick ? " --quick" : "", err.msg);
			if (plan.n == 0)
				fail_msg("%s%s: no case", t[i]->name,
					 quick ? " --quick" : "");
			mt_plan_free(&plan);
		}
		mt_params_free(params);
	}
	mt_params_free(global);
	mt_cfg_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schemas_check),
		cmocka_unit_test(test_global_ids),
		cmocka_unit_test(test_plans_with_defaults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
