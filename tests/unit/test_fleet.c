/* Unit tests for memtune fleet's grouping (analyzer/fleet_group.c), the
 * robust outlier score (analyzer/outlier.c) and the marking of a fleet
 * (analyzer/fleet_mark.c): groups, odd hosts, differing advice.
 *
 * Reference scores by hand: {10, 11, 12, 13, 40}: median 12, deviations
 * {2, 1, 0, 1, 28}, MAD 1, so 40 scores 28 / 1.4826 = 18.886 and 10 scores
 * 2 / 1.4826 = 1.349.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../analyzer/fleet.h"
#include "../../analyzer/fleet_group.h"
#include "../../analyzer/outlier.h"
#include "helpers/assert_close.h"

#define GIB 1073741824.0

static void test_scores_by_hand(void **state)
{
	const double x[] = { 10, 11, 12, 13, 40 };
	double score[5], med, mad;

	(void)state;
	assert_int_equal(mt_outlier_scores(x, 5, &med, &mad, score), 0);
	assert_close(med, 12, 0);
	assert_close(mad, 1, 0);
	assert_close(score[4], 28 / 1.4826, 1e-9);
	assert_close(score[0], 2 / 1.4826, 1e-9);
	assert_close(score[2], 0, 0);
	assert_true(mt_outlier_flagged(score[4], 5));
	assert_false(mt_outlier_flagged(score[0], 5));
}

static void test_scores_threshold(void **state)
{
	/* n = 3: MAD is the smaller distance to the median, so the far
	 * value is odd only beyond 3.5 * 1.4826 = 5.19 times it. */
	const double near[] = { 100, 101, 106 }, far[] = { 100, 101, 106.3 };
	double score[3], med, mad;

	(void)state;
	assert_int_equal(mt_outlier_scores(near, 3, &med, &mad, score), 0);
	assert_false(mt_outlier_flagged(score[2], 3));
	assert_int_equal(mt_outlier_scores(far, 3, &med, &mad, score), 0);
	assert_true(mt_outlier_flagged(score[2], 3));
	/* Fewer than 3 hosts: never flagged, whatever the score. */
	assert_false(mt_outlier_flagged(INFINITY, 2));
	assert_int_equal(mt_outlier_scores(near, 0, &med, &mad, score),
			 -EINVAL);
}

static void test_scores_mad_zero(void **state)
{
	/* Most agree exactly: the differing one is odd (infinite score);
	 * a difference in the last bits is not a difference. */
	const double x[] = { 2, 2, 2, 3 };
	const double y[] = { 1.5, 1.5 * (1 + 1e-14), 1.5, 1.5 };
	double score[4], med, mad;

	(void)state;
	assert_int_equal(mt_outlier_scores(x, 4, &med, &mad, score), 0);
	assert_close(mad, 0, 0);
	assert_true(isinf(score[3]));
	assert_close(score[0], 0, 0);
	assert_true(mt_outlier_flagged(score[3], 4));
	assert_int_equal(mt_outlier_scores(y, 4, &med, &mad, score), 0);
	for (int i = 0; i < 4; i++)
		assert_false(mt_outlier_flagged(score[i], 4));
}

static void test_mem_rounding(void **state)
{
	(void)state;
	assert_close(mt_fleet_mem_gib(25276510208.0), 24, 0);
	assert_close(mt_fleet_mem_gib(62.8 * GIB), 64, 0);
	assert_close(mt_fleet_mem_gib(15.6 * GIB), 16, 0);
	assert_close(mt_fleet_mem_gib(16.0 * GIB), 16, 0);
	assert_close(mt_fleet_mem_gib(1007 * GIB), 1024, 0);
	assert_close(mt_fleet_mem_gib(0.9 * GIB), 1, 0);
	assert_close(mt_fleet_mem_gib(0), 0, 0);
	assert_close(mt_fleet_mem_gib(NAN), 0, 0);
}

static void test_group_key_and_sort(void **state)
{
	char k[4][128];
	const char *keys[4], *names[] = { "d", "c", "b", "a" };
	size_t idx[] = { 0, 1, 2, 3 };

	(void)state;
	/* Same CPU and kernel, MemTotal a little different: one group. */
	mt_fleet_group_key(k[0], sizeof(k[0]), "EPYC",
			   mt_fleet_mem_gib(62.7 * GIB), "6.1");
	mt_fleet_group_key(k[1], sizeof(k[1]), "EPYC",
			   mt_fleet_mem_gib(62.9 * GIB), "6.1");
	mt_fleet_group_key(k[2], sizeof(k[2]), "EPYC",
			   mt_fleet_mem_gib(62.8 * GIB), "6.2");
	mt_fleet_group_key(k[3], sizeof(k[3]), NULL, 0, "");
	assert_string_equal(k[0], "EPYC | 64 GiB | 6.1");
	assert_string_equal(k[0], k[1]);
	assert_string_equal(k[3], "unknown | ? GiB | unknown");
	for (int i = 0; i < 4; i++)
		keys[i] = k[i];
	assert_int_equal(mt_fleet_group_sort(idx, 4, keys, names), 3);
	/* Groups by key, hosts of a group by name. */
	assert_int_equal(idx[0], 1);
	assert_int_equal(idx[1], 0);
	assert_int_equal(idx[2], 2);
	assert_int_equal(idx[3], 3);
}

/* A host object as fleet_host.c makes it (the fields mark reads). */
static json_t *host(const char *name, const char *group, double walk,
		    double fault, const char *swappiness)
{
	json_t *h = json_pack("{s:s,s:s,s:s,s:s,s:f,s:s,s:{s:f,s:f},s:{}}",
			      "host", name, "group", group, "cpu_model", "EPYC",
			      "kernel", "6.1", "memory_gib", 64.0, "label",
			      name, "figures", "tlb.thp_walk_ratio", walk,
			      "hugepage.thp_fault_us", fault, "advice");

	if (swappiness)
		json_object_set_new(json_object_get(h, "advice"), "swappiness",
				    json_pack("{s:s,s:s}", "knob",
					      "vm.swappiness", "recommended",
					      swappiness));
	return h;
}

static void test_mark(void **state)
{
	json_t *fleet = json_pack("{s:{s:{},s:{}},s:[o,o,o,o,o,o]}", "figures",
				  "tlb.thp_walk_ratio", "hugepage.thp_fault_us",
				  "hosts", host("a1", "A", 1.70, 230, "10"),
				  host("a2", "A", 1.72, 236, "10"),
				  host("a3", "A", 1.69, 240, "10"),
				  host("a4", "A", 5.10, 233,
				       "60"), /* odd: slow page walks */
				  host("b1", "B", 1.00, 100, NULL),
				  host("b2", "B", 9.00, 900,
				       NULL)); /* 2 hosts: no flag */
	json_t *groups, *ga, *h, *odd, *d;

	(void)state;
	assert_non_null(fleet);
	assert_int_equal(mt_fleet_mark(fleet), 0);
	groups = json_object_get(fleet, "groups");
	assert_int_equal(json_array_size(groups), 2);
	ga = json_array_get(groups, 0);
	assert_string_equal(json_string_value(json_object_get(ga, "key")), "A");
	assert_int_equal(json_array_size(json_object_get(ga, "hosts")), 4);
	h = json_array_get(json_object_get(fleet, "hosts"), 3);
	odd = json_object_get(h, "odd");
	assert_int_equal(json_array_size(odd), 1);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(odd, 0), "figure")),
			    "tlb.thp_walk_ratio");
	for (int i = 0; i < 6; i++)
		if (i != 3)
			assert_int_equal(
				json_array_size(json_object_get(
					json_array_get(json_object_get(fleet,
								       "hosts"),
						       i),
					"odd")),
				0);
	/* The advice that differs: swappiness, 10 against 60. */
	d = json_object_get(ga, "advice_differs");
	assert_int_equal(json_array_size(d), 1);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(d, 0), "knob")),
			    "vm.swappiness");
	assert_int_equal(json_array_size(json_object_get(
				 json_array_get(groups, 1), "advice_differs")),
			 0);
	json_decref(fleet);
}

static void test_name_ok(void **state)
{
	(void)state;
	assert_true(mt_fleet_name_ok("db-1.example.com"));
	assert_false(mt_fleet_name_ok(""));
	assert_false(mt_fleet_name_ok("a\nb"));
	assert_false(mt_fleet_name_ok("\xff\xfe"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scores_by_hand),
		cmocka_unit_test(test_scores_threshold),
		cmocka_unit_test(test_scores_mad_zero),
		cmocka_unit_test(test_mem_rounding),
		cmocka_unit_test(test_group_key_and_sort),
		cmocka_unit_test(test_mark),
		cmocka_unit_test(test_name_ok),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
