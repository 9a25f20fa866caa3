/* Tests of the benchmark table and the case as a value: every shipped
 * descriptor passes mt_bench_check_all and broken ones are refused with
 * what is wrong; resolved parameters survive mt_params_to_json /
 * mt_params_from_json typed and unchanged; a planned case survives the job
 * JSON the worker rebuilds it from (metrics by value, system and handoff);
 * mt_bench_plan plans a section without a run; the worker counts the
 * records it writes and those that failed, and records "system" beside the
 * case. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../bench/runner/casejob.h"
#include "../../bench/runner/measure.h"
#include "../../bench/runner/registry.h"
#include "../../bench/runner/runner.h"
#include "../../core/config.h"

static void test_shipped_table_is_valid(void **state)
{
	struct mt_err err = { 0 };

	(void)state;
	if (mt_bench_check_all(&err) < 0)
		fail_msg("%s", err.msg);
}

static const struct mt_metric good_metric[] = {
	{ "latency", "ns", MT_NS_PER_OP, 0, false },
};
static const struct mt_metric bad_slot[] = {
	{ "x", "ns", MT_VALUE, MT_SAMPLE_VALUES, false },
};
static const struct mt_metric *fake_metrics = good_metric;

static int fake_plan(const struct mt_env *env, struct mt_plan *plan,
		     struct mt_err *err)
{
	(void)env;
	(void)err;
	return mt_plan_add(plan, json_pack("{s:i}", "n", 1), fake_metrics, 1,
			   MT_CASE_FIXED);
}

static enum mt_status fake_setup(const struct mt_env *env,
				 const struct mt_case *c, void **state,
				 struct mt_err *err)
{
	(void)env;
	(void)c;
	(void)err;
	*state = NULL;
	return MT_OK;
}

static int fake_run(void *state, uint64_t iters, struct mt_sample *s,
		    struct mt_err *err)
{
	(void)state;
	(void)iters;
	(void)err;
	s->ops = 1;
	return 0;
}

static void fake_teardown(void *state)
{
	(void)state;
}

static const struct mt_param fake_params[] = {
	{ .key = "size", .type = MT_P_SIZE, .def = "4K", .help = "a size" },
	{ .key = NULL },
};
static const struct mt_param dup_params[] = {
	{ .key = "size", .type = MT_P_SIZE, .def = "4K", .help = "a size" },
	{ .key = "size", .type = MT_P_SIZE, .def = "8K", .help = "again" },
	{ .key = NULL },
};
static const struct mt_param bad_default[] = {
	{ .key = "size", .type = MT_P_SIZE, .def = "4Q", .help = "a size" },
	{ .key = NULL },
};

static struct mt_bench fake(void)
{
	return (struct mt_bench){
		.name = "fake",
		.summary = "a fake",
		.params = fake_params,
		.plan = fake_plan,
		.setup = fake_setup,
		.run = fake_run,
		.teardown = fake_teardown,
	};
}

static void expect_bad(const struct mt_bench *b, const char *what)
{
	struct mt_err err = { 0 };

	assert_int_equal(mt_bench_check(b, &err), -EINVAL);
	if (!strstr(err.msg, what))
		fail_msg("expected '%s' in: %s", what, err.msg);
}

static void test_broken_descriptors(void **state)
{
	struct mt_err err = { 0 };
	struct mt_bench b = fake();

	(void)state;
	assert_int_equal(mt_bench_check(&b, &err), 0);
	b.name = "Bad name";
	expect_bad(&b, "the name must be");
	b = fake();
	b.summary = NULL;
	expect_bad(&b, "no summary");
	b = fake();
	b.teardown = NULL;
	expect_bad(&b, "teardown are required");
	b = fake();
	b.needs = 1u << 20;
	expect_bad(&b, "unknown bit");
	b = fake();
	b.wants = MT_NEED_ODIRECT;
	expect_bad(&b, "supported()");
	b = fake();
	b.params = dup_params;
	expect_bad(&b, "declared twice");
	b = fake();
	b.params = bad_default;
	expect_bad(&b, "built-in default '4Q' is invalid");
	b = fake();
	fake_metrics = bad_slot;
	expect_bad(&b, "a slot in 0..15");
	fake_metrics = good_metric;
}

/* Resolves section of every benchmark with cfg text, sends it through
 * JSON and compares every value. */
static void round_trip(const char *section, const struct mt_param *schema,
		       const char *ini)
{
	struct mt_cfg cfg;
	struct mt_params *a = NULL, *b = NULL;
	struct mt_err err = { 0 };
	json_t *j;

	mt_cfg_init(&cfg);
	assert_int_equal(mt_cfg_load_string(&cfg, "t.ini", ini, &err), 0);
	if (mt_params_resolve(&cfg, section, schema, &a, &err) < 0)
		fail_msg("%s", err.msg);
	j = mt_params_to_json(a);
	assert_non_null(j);
	/* Through text and back, as the pipe carries it. */
	{
		char *text = json_dumps(j, JSON_COMPACT);

		json_decref(j);
		j = json_loads(text, 0, NULL);
		free(text);
	}
	if (mt_params_from_json(j, schema, &b, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(a->section, b->section);
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		const struct mt_pvalue *x = &a->v[i], *y = &b->v[i];

		assert_ptr_equal(x->param, y->param);
		assert_true(x->u == y->u);
		assert_true(x->i == y->i);
		assert_true(x->d == y->d);
		assert_int_equal(x->n, y->n);
		for (size_t k = 0; x->sizes && k < x->n; k++)
			assert_true(x->sizes[k] == y->sizes[k]);
		for (size_t k = 0; x->words && k < x->n; k++)
			assert_string_equal(x->words[k], y->words[k]);
		assert_true((!x->text && !y->text) ||
			    strcmp(x->text, y->text) == 0);
		assert_string_equal(x->file, y->file);
		assert_int_equal(x->line, y->line);
	}
	/* A value of the wrong type is refused. */
	json_object_set_new(json_object_get(json_object_get(j, "values"),
					    schema[0].key),
			    "value",
			    schema[0].type == MT_P_STRING ?
				    json_true() :
				    json_string("not typed"));
	mt_params_free(b);
	b = NULL;
	assert_int_equal(mt_params_from_json(j, schema, &b, &err), -EINVAL);
	assert_null(b);
	json_decref(j);
	mt_params_free(a);
	mt_params_free(b);
	mt_cfg_free(&cfg);
}

static void test_params_round_trip(void **state)
{
	size_t n;
	const struct mt_bench *const *t = mt_benchmarks(&n);

	(void)state;
	round_trip("global", mt_global_params,
		   "[global]\nsample_time = 5ms\nci_fraction = 0.05\n"
		   "allow_system_changes = no\n");
	for (size_t i = 0; i < n; i++)
		round_trip(t[i]->name, t[i]->params, "");
	round_trip("tlb", mt_bench_find("tlb")->params,
		   "[tlb]\nsizes = 4K..64K*2\nbackings = 4k,thp\n");
}

static void test_case_job_round_trip(void **state)
{
	struct mt_cfg cfg;
	struct mt_plan plan = { 0 };
	struct mt_params *g = NULL, *p = NULL;
	struct mt_caps caps = { 0 };
	struct mt_err err = { 0 };
	struct mt_case_value v;
	const struct mt_bench *b = mt_bench_find("tlb");
	json_t *j;

	(void)state;
	mt_cfg_init(&cfg);
	assert_int_equal(mt_cfg_load_string(&cfg, "t.ini",
					    "[tlb]\nsizes = "
					    "64K\nbackings = 4k\n",
					    &err),
			 0);
	if (mt_bench_plan(&cfg, "tlb", false, &plan, &err) < 0)
		fail_msg("%s", err.msg);
	assert_true(plan.n > 0);
	assert_int_equal(mt_params_resolve(&cfg, "global", mt_global_params, &g,
					   &err),
			 0);
	assert_int_equal(mt_params_resolve(&cfg, "tlb", b->params, &p, &err),
			 0);
	struct mt_env env = mt_env_make(&caps, g, p, "/tmp/run", NULL, 1, true,
					1);
	struct mt_case *c = &plan.cases[plan.n > 1 ? 1 : 0];

	c->system = json_pack("{s:i}", "min_free_kbytes", 67584);
	c->handoff = json_pack("{s:s}", "cgroup", "/sys/fs/cgroup/x");
	struct mt_case_job job = {
		.bench = b, .section = "tlb", .env = &env, .c = c, .index = 1
	};

	j = mt_case_job_json(&job);
	assert_non_null(j);
	if (mt_case_value_load(j, &v, &err) < 0)
		fail_msg("%s", err.msg);
	assert_ptr_equal(v.job.bench, b);
	assert_string_equal(v.section, "tlb");
	assert_null(v.variant);
	assert_string_equal(v.env.rundir, "/tmp/run");
	assert_int_equal(v.env.cpu, 1);
	assert_true(v.env.quick);
	assert_true(v.env.seed == env.seed);
	assert_true(json_equal(v.c.params, c->params));
	assert_true(json_equal(v.c.system, c->system));
	assert_true(json_equal(v.c.handoff, c->handoff));
	assert_int_equal(v.c.mode, c->mode);
	assert_int_equal(v.c.n_metrics, c->n_metrics);
	for (size_t m = 0; m < c->n_metrics; m++) {
		assert_string_equal(v.c.metrics[m].name, c->metrics[m].name);
		assert_string_equal(v.c.metrics[m].unit, c->metrics[m].unit);
		assert_int_equal(v.c.metrics[m].derive, c->metrics[m].derive);
		assert_int_equal(v.c.metrics[m].slot, c->metrics[m].slot);
		assert_int_equal(v.c.metrics[m].higher_is_better,
				 c->metrics[m].higher_is_better);
	}
	mt_case_value_free(&v);
	/* A job without its metrics is refused, not guessed. */
	json_object_del(json_object_get(j, "case"), "metrics");
	assert_int_equal(mt_case_value_load(j, &v, &err), -EINVAL);
	mt_case_value_free(&v);
	json_decref(j);
	mt_plan_free(&plan);
	mt_params_free(g);
	mt_params_free(p);
	mt_cfg_free(&cfg);
}

static void test_plan_unknown_section(void **state)
{
	struct mt_cfg cfg;
	struct mt_plan plan;
	struct mt_err err = { 0 };

	(void)state;
	mt_cfg_init(&cfg);
	assert_int_equal(mt_bench_plan(&cfg, "nope", false, &plan, &err),
			 -EINVAL);
	assert_int_equal(err.kind, MT_ERR_INPUT);
	mt_cfg_free(&cfg);
}

static enum mt_status failing_setup(const struct mt_env *env,
				    const struct mt_case *c, void **state,
				    struct mt_err *err)
{
	(void)env;
	(void)c;
	*state = NULL;
	mt_err_why(err, "fake: cannot");
	return MT_FAILED;
}

/* The worker counts what it writes: records, and those that failed. */
static void test_emit_counts(void **state)
{
	struct mt_bench b = fake();
	struct mt_case c = { .metrics = good_metric,
			     .n_metrics = 1,
			     .mode = MT_CASE_FIXED };
	struct mt_sampling sp = { .sample_ns = 1000,
				  .min_samples = 2,
				  .max_samples = 3,
				  .ci_fraction = 0.5,
				  .max_case_ns = 1000000000 };
	struct mt_env env = { .cpu = 0 };
	struct mt_emit out = { 0 };
	char buf[65536];
	ssize_t got;
	json_t *rec;
	int fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	out.fd = fds[1];
	c.params = json_pack("{s:i}", "n", 1);
	c.system = json_pack("{s:i}", "set", 1);
	assert_int_equal(mt_measure_case(&b, NULL, &env, &c, &sp, &out), 0);
	assert_int_equal(out.records, 1);
	assert_int_equal(out.failed, 0);
	/* What case_sys_setup obtained is the record's "system", beside
	 * (not inside) its case. */
	got = read(fds[0], buf, sizeof(buf) - 1);
	assert_true(got > 0);
	buf[got] = '\0';
	rec = json_loads(buf, JSON_DISABLE_EOF_CHECK, NULL);
	assert_non_null(rec);
	assert_true(json_equal(json_object_get(rec, "system"), c.system));
	assert_null(json_object_get(json_object_get(rec, "case"), "system"));
	json_decref(rec);
	b.setup = failing_setup;
	assert_int_equal(mt_measure_case(&b, NULL, &env, &c, &sp, &out), 0);
	assert_int_equal(out.records, 2);
	assert_int_equal(out.failed, 1);
	close(fds[0]);
	close(fds[1]);
	json_decref(c.params);
	json_decref(c.system);
}

static const struct mt_metric value_metric[] = {
	{ "v", "ns", MT_VALUE, 0, false },
};
static int seq_calls;
static bool seq_noisy;

/* Values that converge at once (100 give or take 0.01%), or never (1 and
 * 10 in turn). */
static int seq_run(void *state, uint64_t iters, struct mt_sample *s,
		   struct mt_err *err)
{
	(void)state;
	(void)iters;
	(void)err;
	s->ops = 1;
	s->values[0] = seq_noisy ? (seq_calls % 2 ? 10.0 : 1.0) :
				   100.0 + 0.01 * (seq_calls % 3);
	seq_calls++;
	return 0;
}

/* Measures one FIXED case of seq_run; returns its record's "obtained". */
static json_t *measure_seq(bool noisy, int min, int max)
{
	struct mt_bench b = fake();
	struct mt_case c = { .metrics = value_metric,
			     .n_metrics = 1,
			     .mode = MT_CASE_FIXED };
	struct mt_sampling sp = { .sample_ns = 1000,
				  .min_samples = min,
				  .max_samples = max,
				  .warmup_samples = 1,
				  .ci_fraction = 0.03,
				  .max_case_ns = 60000000000ull };
	struct mt_env env = { .cpu = 0 };
	struct mt_emit out = { 0 };
	char buf[65536];
	ssize_t got;
	json_t *rec, *ob;
	int fds[2];

	b.run = seq_run;
	seq_calls = 0;
	seq_noisy = noisy;
	assert_int_equal(pipe(fds), 0);
	out.fd = fds[1];
	c.params = json_pack("{s:i}", "n", 1);
	assert_int_equal(mt_measure_case(&b, NULL, &env, &c, &sp, &out), 0);
	got = read(fds[0], buf, sizeof(buf) - 1);
	assert_true(got > 0);
	buf[got] = '\0';
	rec = json_loads(buf, JSON_DISABLE_EOF_CHECK, NULL);
	assert_non_null(rec);
	ob = json_incref(json_object_get(rec, "obtained"));
	json_decref(rec);
	json_decref(c.params);
	close(fds[0]);
	close(fds[1]);
	return ob;
}

/* A tight case stops as soon as a 95% interval exists (6 samples); one
 * whose interval cannot shrink within ci_fraction by max_samples stops
 * once that is clear (9 samples, not 30); one that could still get there
 * runs on. The warm-up sample is not counted. */
static void test_sampling_stops(void **state)
{
	json_t *ob;

	(void)state;
	ob = measure_seq(false, 5, 30);
	assert_int_equal(json_integer_value(json_object_get(ob,
							    "samples_taken")),
			 6);
	assert_string_equal(json_string_value(json_object_get(ob, "stopped")),
			    "converged");
	assert_int_equal(seq_calls, 7);
	json_decref(ob);

	ob = measure_seq(true, 5, 30);
	assert_int_equal(json_integer_value(json_object_get(ob,
							    "samples_taken")),
			 9);
	assert_string_equal(json_string_value(json_object_get(ob, "stopped")),
			    "futile");
	assert_true(json_is_false(json_object_get(ob, "converged")));
	json_decref(ob);

	ob = measure_seq(true, 5, 9);
	assert_int_equal(json_integer_value(json_object_get(ob,
							    "samples_taken")),
			 9);
	assert_string_equal(json_string_value(json_object_get(ob, "stopped")),
			    "max_samples");
	json_decref(ob);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_table_is_valid),
		cmocka_unit_test(test_broken_descriptors),
		cmocka_unit_test(test_params_round_trip),
		cmocka_unit_test(test_case_job_round_trip),
		cmocka_unit_test(test_plan_unknown_section),
		cmocka_unit_test(test_emit_counts),
		cmocka_unit_test(test_sampling_stops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
