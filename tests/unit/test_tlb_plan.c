/* Tests of bench/tlb.c: plan() expands backings x patterns x sizes, leaves
 * out sizes too small for a pattern and uses the quick list only when the
 * sizes were not configured; sys_setup() reserves hugetlb pages through the
 * journal (against a fixture tree under MEMTUNE_FSROOT), caps 1 GiB
 * reservations at a quarter of MemTotal and records what it got; a 4k case
 * sets up, runs and verifies in this process. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../bench/bench.h"
#include "../../bench/runner/registry.h"
#include "../../core/config.h"
#include "../../core/journal.h"

struct fixture {
	struct mt_cfg cfg;
	struct mt_params *params;
	struct mt_caps caps;
	struct mt_env env;
	struct mt_plan plan;
	char dir[64]; /* temporary fsroot and journal */
};

/* Resolves the [tlb] section of `ini` and sets up an env around it. */
static void load(struct fixture *f, const char *ini)
{
	struct mt_err err = { 0 };

	mt_cfg_init(&f->cfg);
	assert_int_equal(mt_cfg_load_string(&f->cfg, "test.ini", ini, &err), 0);
	if (mt_params_resolve(&f->cfg, "tlb", mt_bench_tlb.params, &f->params,
			      &err) < 0)
		fail_msg("resolve: %s", err.msg);
	f->caps.mem_total = 24ull << 30;
	f->env = (struct mt_env){
		.caps = &f->caps,
		.params = f->params,
		.seed = 1,
		.cpu = 0,
	};
}

static int fx_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	*state = f;
	return 0;
}

static int rm_tree(const char *dir)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static int fx_teardown(void **state)
{
	struct fixture *f = *state;

	mt_plan_free(&f->plan);
	mt_params_free(f->params);
	mt_cfg_free(&f->cfg);
	if (f->dir[0])
		rm_tree(f->dir);
	unsetenv("MEMTUNE_FSROOT");
	free(f);
	return 0;
}

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static long long num(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static void test_plan_expands(void **state)
{
	struct fixture *f = *state;
	struct mt_err err = { 0 };
	static const char *const back[] = { "4k", "2m" };
	static const char *const pat[] = { "line", "page" };
	static const long long size[] = { 16384, 64ll << 20 };
	size_t i = 0;

	load(f, "[tlb]\nsizes = 16K,64M\nbackings = 4k,2m\n"
		"patterns = line,page\n");
	assert_int_equal(mt_bench_tlb.plan(&f->env, &f->plan, &err), 0);
	assert_int_equal(f->plan.n, 8);
	for (int b = 0; b < 2; b++)
		for (int p = 0; p < 2; p++)
			for (int s = 0; s < 2; s++, i++) {
				struct mt_case *c = &f->plan.cases[i];

				assert_string_equal(str(c->params, "backing"),
						    back[b]);
				assert_string_equal(str(c->params, "pattern"),
						    pat[p]);
				assert_int_equal(num(c->params, "size_bytes"),
						 size[s]);
				assert_int_equal(json_object_size(c->params),
						 3);
				assert_int_equal(c->mode, MT_CASE_CALIBRATE);
				assert_int_equal(c->n_metrics, 1);
				assert_string_equal(c->metrics[0].name,
						    "latency");
				assert_string_equal(c->metrics[0].unit, "ns");
				assert_int_equal(c->metrics[0].derive,
						 MT_NS_PER_OP);
			}
}

/* max_size leaves out the larger sizes: auto is the smaller of half of
 * MemTotal and 4 x 3072 x 2 MiB = 24 GiB, and the plan says which; a size
 * caps at that size; anything else is a configuration error. */
static void test_plan_max_size(void **state)
{
	struct fixture *f = *state;
	struct mt_err err = { 0 };

	load(f, "[tlb]\nsizes = 1M,8G,16G,32G\nbackings = 4k\n"
		"patterns = page\nmax_size = auto\n");
	f->caps.mem_total = 64ull << 30; /* half: 32 GiB > 24 GiB */
	assert_int_equal(mt_bench_tlb.plan(&f->env, &f->plan, &err), 0);
	assert_int_equal(f->plan.n, 3);
	assert_int_equal(num(f->plan.cases[2].params, "size_bytes"),
			 16ll << 30);
	assert_non_null(strstr(f->plan.note, "above 24 GiB"));
	mt_plan_free(&f->plan);

	f->caps.mem_total = 24ull << 30; /* half: 12 GiB < 24 GiB */
	assert_int_equal(mt_bench_tlb.plan(&f->env, &f->plan, &err), 0);
	assert_int_equal(f->plan.n, 2);
	assert_non_null(strstr(f->plan.note, "half of MemTotal, 12 GiB"));
	mt_plan_free(&f->plan);
	mt_params_free(f->params);
	mt_cfg_free(&f->cfg);

	load(f, "[tlb]\nsizes = 1M,8G\nbackings = 4k\nmax_size = 1M\n");
	assert_int_equal(mt_bench_tlb.plan(&f->env, &f->plan, &err), 0);
	assert_int_equal(f->plan.n, 2); /* 1M, line and page */
	mt_plan_free(&f->plan);
	mt_params_free(f->params);
	mt_cfg_free(&f->cfg);

	load(f, "[tlb]\nsizes = 1M\nmax_size = lots\n");
	assert_int_equal(mt_bench_tlb.plan(&f->env, &f->plan, &err), -EINVAL);
	assert_int_equal(err.kind, MT_ERR_INPUT);
	assert_non_null(strstr(err.msg, "test.ini:3"));
	assert_non_null(strstr(err.msg, "expected none, auto or"));
}

/* A cycle needs two elements: 64 B is too small for line, 4K for page. */
static void test_plan_skips_small(void **state)
{
	struct fixture *f = *state;
	struct mt_err err = { 0 };

	load(f, "[tlb]\nsizes = 64,128,4K,8K\nbackings = thp\n");
	assert_int_equal(mt_bench_tlb.plan(&f->env, &f->plan, &err), 0);
	/* line: 128, 4K, 8K; page: 8K */
	assert_int_equal(f->plan.n, 4);
	assert_int_equal(num(f->plan.cases[0].params, "size_bytes"), 128);
	assert_string_equal(str(f->plan.cases[3].params, "pattern"), "page");
	assert_int_equal(num(f->plan.cases[3].params, "size_bytes"), 8192);
}

static void test_plan_defaults_and_quick(void **state)
{
	struct fixture *f = *state;
	struct mt_err err = { 0 };
	size_t full;

	load(f, "[global]\n");
	assert_int_equal(mt_bench_tlb.plan(&f->env, &f->plan, &err), 0);
	/* 4K..1G*2 is 19 sizes, plus 3M, 6M, 12M and 24M between them;
	 * line drops none, page drops 4K */
	full = f->plan.n;
	assert_int_equal(full, 4 * (23 + 22));
	mt_plan_free(&f->plan);

	f->env.quick = true;
	assert_int_equal(mt_bench_tlb.plan(&f->env, &f->plan, &err), 0);
	assert_true(f->plan.n < full);
	assert_int_equal(f->plan.n % 8, 0); /* 4 backings x 2 patterns */
	/* the quick list resolves an 8 or 12 MiB reach: no step of more
	 * than 1.5 times between 2 and 32 MiB */
	{
		long long prev = 0;
		bool has2 = false, has32 = false;

		for (size_t i = 0; i < f->plan.n / 8; i++) {
			long long s = num(f->plan.cases[i].params,
					  "size_bytes");

			has2 |= s == 2ll << 20;
			has32 |= s == 32ll << 20;
			if (prev >= 2ll << 20 && s <= 32ll << 20)
				assert_true(s * 2 <= prev * 3);
			prev = s;
		}
		assert_true(has2 && has32);
	}
}

/* --quick does not override sizes the configuration set. */
static void test_quick_keeps_configured(void **state)
{
	struct fixture *f = *state;
	struct mt_err err = { 0 };

	load(f, "[tlb]\nsizes = 1M\nbackings = 4k\npatterns = line\n");
	f->env.quick = true;
	assert_int_equal(mt_bench_tlb.plan(&f->env, &f->plan, &err), 0);
	assert_int_equal(f->plan.n, 1);
	assert_int_equal(num(f->plan.cases[0].params, "size_bytes"), 1 << 20);
}

static void test_bad_words_rejected(void **state)
{
	struct fixture *f = *state;
	struct mt_err err = { 0 };

	mt_cfg_init(&f->cfg);
	assert_int_equal(mt_cfg_load_string(&f->cfg, "bad.ini",
					    "[tlb]\nbackings = 4k,64k\n", &err),
			 0);
	assert_true(mt_params_resolve(&f->cfg, "tlb", mt_bench_tlb.params,
				      &f->params, &err) < 0);
	assert_int_equal(err.kind, MT_ERR_INPUT);
	assert_non_null(strstr(err.msg, "backings"));
	assert_non_null(strstr(err.msg, "64k"));
}

/* Writes a fake hugetlb pool of page size kb under the fixture root. */
static void fake_pool(const char *root, unsigned kb, unsigned nr,
		      unsigned freep)
{
	static const char *const files[] = { "nr_hugepages", "free_hugepages",
					     "resv_hugepages",
					     "surplus_hugepages" };
	char path[256], cmd[320];

	snprintf(path, sizeof(path),
		 "%s/sys/kernel/mm/hugepages/"
		 "hugepages-%ukB",
		 root, kb);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", path);
	assert_int_equal(system(cmd), 0);
	for (int i = 0; i < 4; i++) {
		char file[300];
		FILE *fp;

		snprintf(file, sizeof(file), "%s/%s", path, files[i]);
		fp = fopen(file, "w");
		assert_non_null(fp);
		fprintf(fp, "%u\n", i == 0 ? nr : i == 1 ? freep : 0);
		fclose(fp);
	}
}

static long read_num(const char *path)
{
	FILE *fp = fopen(path, "r");
	long v = -1;

	assert_non_null(fp);
	assert_int_equal(fscanf(fp, "%ld", &v), 1);
	fclose(fp);
	return v;
}

/* Without permission to change the system, nothing is written and the
 * notes say why; with it, nr_hugepages is raised by the shortfall through
 * the journal and undone by a rollback. 1 GiB pages are capped at a
 * quarter of MemTotal. */
static void test_sys_setup_reserves(void **state)
{
	struct fixture *f = *state;
	struct mt_err err = { 0 };
	struct mt_journal *j;
	char nr2m[256], jpath[128];
	json_t *notes, *n2, *n1;

	strcpy(f->dir, "/tmp/test_tlb_XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	fake_pool(f->dir, 2048, 10, 3);
	fake_pool(f->dir, 1048576, 0, 0);
	setenv("MEMTUNE_FSROOT", f->dir, 1);
	snprintf(nr2m, sizeof(nr2m),
		 "%s/sys/kernel/mm/hugepages/"
		 "hugepages-2048kB/nr_hugepages",
		 f->dir);
	load(f, "[tlb]\nsizes = 16K,63M\nbackings = 4k,2m,1g\n");

	/* not allowed: notes only */
	notes = json_object();
	assert_int_equal(mt_bench_tlb.sys_setup(&f->env, notes, &err), 0);
	n2 = json_object_get(notes, "hugetlb_2m");
	assert_non_null(n2);
	assert_int_equal(num(n2, "needed_pages"), 32); /* 63M -> 32 x 2M */
	assert_int_equal(num(n2, "available_before"), 3);
	assert_non_null(strstr(str(n2, "action"), "root"));
	assert_int_equal(read_num(nr2m), 10);
	json_decref(notes);

	/* allowed: 10 + (32 - 3) written through the journal */
	snprintf(jpath, sizeof(jpath), "%s/run.journal", f->dir);
	assert_int_equal(mt_journal_open(jpath, true, &j, &err), 0);
	f->env.journal = j;
	f->env.allow_changes = true;
	f->caps.mem_total = 2ull << 30; /* a quarter is < one 1 GiB page */
	notes = json_object();
	assert_int_equal(mt_bench_tlb.sys_setup(&f->env, notes, &err), 0);
	n2 = json_object_get(notes, "hugetlb_2m");
	assert_int_equal(num(n2, "nr_requested"), 39);
	assert_int_equal(num(n2, "nr_after"), 39);
	/* the fake kernel's free count did not move: recorded as obtained */
	assert_int_equal(num(n2, "available_after"), 3);
	assert_int_equal(read_num(nr2m), 39);
	n1 = json_object_get(notes, "hugetlb_1g");
	assert_non_null(n1);
	assert_int_equal(num(n1, "needed_pages"), 1);
	assert_int_equal(num(n1, "capped_at_pages"), 0);
	assert_null(json_object_get(n1, "nr_requested"));
	assert_int_equal(mt_journal_count(j), 1);
	json_decref(notes);

	/* hugetlb_reserve = no: nothing more is written */
	mt_params_free(f->params);
	mt_cfg_free(&f->cfg);
	load(f, "[tlb]\nsizes = 200M\nbackings = 2m\nhugetlb_reserve = no\n");
	f->env.journal = j;
	f->env.allow_changes = true;
	notes = json_object();
	assert_int_equal(mt_bench_tlb.sys_setup(&f->env, notes, &err), 0);
	assert_non_null(strstr(str(json_object_get(notes, "hugetlb_2m"),
				   "action"),
			       "tlb.hugetlb_reserve"));
	assert_int_equal(mt_journal_count(j), 1);
	json_decref(notes);

	assert_int_equal(mt_journal_finish(j, &err), 0);
	assert_int_equal(read_num(nr2m), 10);
}

/* A small 4k case, in this process: set up, run, verify, tear down. */
static void test_case_lifecycle(void **state)
{
	struct fixture *f = *state;
	struct mt_err err = { 0 };
	struct mt_sample s = { 0 };
	void *st = NULL;
	json_t *obt = json_object();

	load(f, "[tlb]\nsizes = 64K\nbackings = 4k\npatterns = page\n");
	assert_int_equal(mt_bench_tlb.plan(&f->env, &f->plan, &err), 0);
	assert_int_equal(f->plan.n, 1);
	assert_int_equal(mt_bench_tlb.setup(&f->env, &f->plan.cases[0], &st,
					    &err),
			 MT_OK);
	assert_non_null(st);
	assert_int_equal(mt_bench_tlb.run(st, 1000, &s, &err), 0);
	assert_int_equal(s.ops, 1000);
	assert_int_equal(mt_bench_tlb.verify(st, obt, &err), MT_OK);
	assert_int_equal(num(obt, "elements"), 16);
	assert_int_equal(num(obt, "mapped_bytes"), 65536);
	assert_int_equal(num(obt, "page_size_bytes"), 4096);
	assert_int_equal(num(obt, "thp_bytes"), 0);
	assert_int_equal(num(obt, "resident_bytes"), 65536);
	mt_bench_tlb.teardown(st);
	json_decref(obt);
}

/* A malformed case fails with a reason instead of crashing. */
static void test_setup_malformed(void **state)
{
	struct fixture *f = *state;
	struct mt_case c = { 0 };
	struct mt_err err = { 0 };
	void *st = NULL;

	load(f, "[tlb]\n");
	c.params = json_pack("{s:s, s:s, s:I}", "backing", "8k", "pattern",
			     "line", "size_bytes", (json_int_t)4096);
	assert_int_equal(mt_bench_tlb.setup(&f->env, &c, &st, &err), MT_FAILED);
	assert_non_null(strstr(err.msg, "tlb: malformed case"));
	json_decref(c.params);
	c.params = json_pack("{s:s, s:s, s:I}", "backing", "4k", "pattern",
			     "page", "size_bytes", (json_int_t)4096);
	assert_int_equal(mt_bench_tlb.setup(&f->env, &c, &st, &err), MT_FAILED);
	json_decref(c.params);
}

/* A hugetlb case the pool cannot hold is skipped with the fix. Which way
 * it goes depends on the machine's pool, so both outcomes are checked. */
static void test_hugetlb_skip_reason(void **state)
{
	struct fixture *f = *state;
	struct mt_err err = { 0 };
	enum mt_status st;
	void *s = NULL;

	load(f, "[tlb]\nsizes = 4G\nbackings = 2m\npatterns = page\n");
	assert_int_equal(mt_bench_tlb.plan(&f->env, &f->plan, &err), 0);
	st = mt_bench_tlb.setup(&f->env, &f->plan.cases[0], &s, &err);
	if (st == MT_OK) {
		mt_bench_tlb.teardown(s);
		skip();
	}
	assert_int_equal(st, MT_SKIPPED);
	assert_non_null(strstr(err.msg, "tlb: cannot map 4 GiB of 2 MiB "
					"pages: only "));
	assert_non_null(strstr(err.msg, "hugepages-2048kB/nr_hugepages"));
	assert_non_null(strstr(err.msg, "hugetlb_reserve = yes"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_plan_expands, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_plan_max_size, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_plan_skips_small, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_plan_defaults_and_quick,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_quick_keeps_configured,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_bad_words_rejected,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_sys_setup_reserves,
						fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_case_lifecycle, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_setup_malformed, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_hugetlb_skip_reason,
						fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
