/* The parameter schemas of every benchmark and of [global]: each passes
 * mt_schema_check (keys, types, defaults, bounds, help, no holes), and each
 * benchmark plans with its defaults and with --quick. A plan reads its
 * parameters through the typed accessors, which abort on an id of another
 * type or outside the schema, so a mismatch between an accessor and its
 * row fails here rather than in a user's run. */
#include <errno.h>
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

/* A benchmark section sets [global] keys for itself (mt_section_params):
 * [swap] repeat = 1 and max_samples = 5 under [global] repeat = 3; [tlb]
 * keeps [global]'s; every override is a [global] key; a section key that
 * is neither its own nor an override is still refused. */
static void test_section_overrides(void **state)
{
	struct mt_cfg cfg;
	struct mt_err err = { 0 };
	struct mt_params *g = NULL, *p = NULL;
	char at[64];

	(void)state;
	for (size_t i = 0; mt_section_overrides[i]; i++) {
		size_t k = 0;

		while (mt_global_params[k].key &&
		       strcmp(mt_global_params[k].key,
			      mt_section_overrides[i]) != 0)
			k++;
		if (!mt_global_params[k].key)
			fail_msg("override '%s' is not a [global] key",
				 mt_section_overrides[i]);
	}
	mt_cfg_init(&cfg);
	assert_int_equal(mt_cfg_load_string(&cfg, "q.ini",
					    "[global]\nrepeat = 3\n"
					    "max_samples = 15\n[swap]\n"
					    "repeat = 1\nmax_samples = 5\n"
					    "duration = 2s\n",
					    &err),
			 0);
	if (mt_section_params(&cfg, "swap", mt_bench_swap.params, &g, &p,
			      &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(mt_p_int(g, MT_G_REPEAT), 1);
	assert_int_equal(mt_p_int(g, MT_G_MAX_SAMPLES), 5);
	mt_p_where(g, MT_G_REPEAT, at, sizeof(at));
	assert_string_equal(at, "q.ini:5");
	assert_string_equal(p->section, "swap");
	mt_params_free(g);
	mt_params_free(p);
	if (mt_section_params(&cfg, "tlb", mt_bench_tlb.params, &g, &p, &err) <
	    0)
		fail_msg("%s", err.msg);
	assert_int_equal(mt_p_int(g, MT_G_REPEAT), 3);
	assert_int_equal(mt_p_int(g, MT_G_MAX_SAMPLES), 15);
	mt_params_free(g);
	mt_params_free(p);
	/* Not an override: [swap] cpu stays a [global]-only key. */
	assert_int_equal(mt_cfg_set(&cfg, "swap.cpu=0", 1, &err), 0);
	assert_int_equal(mt_section_params(&cfg, "swap", mt_bench_swap.params,
					   &g, &p, &err),
			 -EINVAL);
	assert_null(g);
	assert_null(p);
	assert_int_equal(err.kind, MT_ERR_INPUT);
	assert_non_null(strstr(err.msg, "[swap] unknown key 'cpu'"));
	assert_non_null(strstr(err.msg, "repeat"));
	mt_cfg_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schemas_check),
		cmocka_unit_test(test_global_ids),
		cmocka_unit_test(test_plans_with_defaults),
		cmocka_unit_test(test_section_overrides),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
