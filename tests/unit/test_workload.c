/* Unit tests for core/workload.c: the operator's command, its metric and
 * p99 read from standard output, failures and timeouts. Real processes
 * (/bin/sh), nothing mocked. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "../../core/workload.h"

static void test_metric_and_p99(void **state)
{
	struct mt_workload_result r;
	struct mt_err err = { 0 };
	regex_t m, p;

	(void)state;
	assert_int_equal(mt_workload_regex(&m, "tps = ([0-9.]+)", "--metric",
					   &err),
			 0);
	assert_int_equal(mt_workload_regex(&p, "p99 ([0-9.]+) ms", "p99", &err),
			 0);
	assert_int_equal(mt_workload_run("echo warming; echo 'tps = 1234.5'; "
					 "echo 'tps = 99'; echo 'p99 2.5 ms'; "
					 "echo noise >&2",
					 &m, &p, 0, &r, &err),
			 0);
	assert_true(mt_workload_ok(&r, true));
	/* The first match counts. */
	assert_true(r.matched);
	assert_true(fabs(r.metric - 1234.5) < 1e-9);
	assert_true(fabs(r.p99 - 2.5) < 1e-9);
	assert_non_null(strstr(r.tail, "noise"));
	regfree(&m);
	regfree(&p);
}

/* Without a regex the metric is the wall time. */
static void test_wall_time(void **state)
{
	struct mt_workload_result r;
	struct mt_err err = { 0 };

	(void)state;
	assert_int_equal(mt_workload_run("sleep 0.3", NULL, NULL, 0, &r, &err),
			 0);
	assert_true(mt_workload_ok(&r, false));
	assert_true(r.wall_s >= 0.29 && r.wall_s < 5);
	assert_true(r.metric == r.wall_s);
	assert_true(isnan(r.p99));
}

static void test_failure_and_no_match(void **state)
{
	struct mt_workload_result r;
	struct mt_err err = { 0 };
	regex_t m;

	(void)state;
	assert_int_equal(mt_workload_regex(&m, "ops ([0-9]+)", "--metric",
					   &err),
			 0);
	assert_int_equal(mt_workload_run("echo 'ops many'; echo broken >&2; "
					 "exit 3",
					 &m, NULL, 0, &r, &err),
			 0);
	assert_false(r.matched);
	assert_true(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 3);
	assert_false(mt_workload_ok(&r, true));
	assert_non_null(strstr(r.tail, "broken"));
	/* Exit 0 but no number: not ok when a metric is wanted. */
	assert_int_equal(mt_workload_run("echo nothing", &m, NULL, 0, &r, &err),
			 0);
	assert_false(mt_workload_ok(&r, true));
	regfree(&m);
}

/* A timeout kills the whole group, a background child included. */
static void test_timeout_kills_group(void **state)
{
	struct mt_workload_result r;
	struct mt_err err = { 0 };

	(void)state;
	assert_int_equal(mt_workload_run("sleep 30 & sleep 30", NULL, NULL,
					 300000000ull, &r, &err),
			 0);
	assert_true(r.timed_out);
	assert_true(r.wall_s < 5);
	assert_false(mt_workload_ok(&r, false));
}

/* Output beyond the kept size is drained, not blocking the command. */
static void test_large_output(void **state)
{
	struct mt_workload_result r;
	struct mt_err err = { 0 };
	regex_t m;

	(void)state;
	assert_int_equal(mt_workload_regex(&m, "^v=([0-9]+)", "--metric", &err),
			 0);
	assert_int_equal(mt_workload_run("echo v=7; head -c 20000000 "
					 "/dev/zero | tr '\\0' x",
					 &m, NULL, 20000000000ull, &r, &err),
			 0);
	assert_true(mt_workload_ok(&r, true));
	assert_true(r.metric == 7);
	regfree(&m);
}

static void test_bad_regex(void **state)
{
	struct mt_err err = { 0 };
	regex_t m;

	(void)state;
	assert_int_equal(mt_workload_regex(&m, "tps = [0-9]+", "--metric",
					   &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "no capture group"));
	assert_int_equal(mt_workload_regex(&m, "tps = ([0-9", "--metric", &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "--metric"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metric_and_p99),
		cmocka_unit_test(test_wall_time),
		cmocka_unit_test(test_failure_and_no_match),
		cmocka_unit_test(test_timeout_kills_group),
		cmocka_unit_test(test_large_output),
		cmocka_unit_test(test_bad_regex),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
