/* Unit tests for memtune export's OpenMetrics names, units and escaping
 * (analyzer/om_format.c). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../analyzer/om_format.h"
#include "helpers/assert_close.h"

/* Checks the name and scale of fact id in unit. */
static void expect_name(const char *id, const char *unit, const char *name,
			double scale)
{
	struct mt_om_unit u;
	char buf[200];

	assert_int_equal(mt_om_fact_name(id, unit, buf, sizeof(buf), &u), 0);
	assert_string_equal(buf, name);
	assert_close(u.scale, scale, scale * 1e-12);
}

static void test_fact_names(void **state)
{
	(void)state;
	expect_name("hugepage.thp_fault_us", "us",
		    "memtune_hugepage_thp_fault_seconds", 1e-6);
	expect_name("tlb.thp_walk_ratio", "ratio", "memtune_tlb_thp_walk_ratio",
		    1);
	expect_name("hugepage.random_rate_ratio_2m", "ratio",
		    "memtune_hugepage_random_rate_2m_ratio", 1);
	expect_name("odirect.seq_write_direct_mb_s", "MB/s",
		    "memtune_odirect_seq_write_direct_bytes_per_second", 1e6);
	expect_name("mlock.file_p99_locked", "ns",
		    "memtune_mlock_file_p99_locked_seconds", 1e-9);
	expect_name("alloc.arena1_rss_saved", "bytes",
		    "memtune_alloc_arena1_rss_saved_bytes", 1);
	expect_name("oom.followed_score", "fraction",
		    "memtune_oom_followed_score_ratio", 1);
	expect_name("x.share_pct", "%", "memtune_x_share_ratio", 0.01);
	expect_name("reclaim.untrustworthy_records", "count",
		    "memtune_reclaim_untrustworthy_records", 1);
	expect_name("swap.s60.worker_accesses", "accesses/s",
		    "memtune_swap_s60_worker_accesses_accesses_per_second", 1);
	/* Anything else becomes [a-z0-9_], no '_' twice. */
	expect_name("Odd-Id..x\"y", "IOPS", "memtune_odd_id_x_y_iops", 1);
}

static void test_fact_name_too_long(void **state)
{
	struct mt_om_unit u;
	char buf[20];

	(void)state;
	assert_true(mt_om_fact_name("tlb.thp_walk_ratio", "ratio", buf,
				    sizeof(buf), &u) < 0);
}

/* What fn writes for s. */
static char *written(void (*fn)(FILE *, const char *), const char *s)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	fn(f, s);
	fclose(f);
	return out;
}

static void test_escaping(void **state)
{
	char *s;

	(void)state;
	s = written(mt_om_label_value, "a\\b\"c\nd\te\x1b");
	assert_string_equal(s, "a\\\\b\\\"c\\nd e ");
	free(s);
	s = written(mt_om_help_text, "say \"hi\"\\\nnext");
	assert_string_equal(s, "say 'hi'\\\\\\nnext");
	free(s);
	s = written(mt_om_label_value, "");
	assert_string_equal(s, "");
	free(s);
}

static void test_numbers(void **state)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	(void)state;
	mt_om_number(f, 16384);
	fputc(' ', f);
	mt_om_number(f, 4.776432193e-07);
	fputc(' ', f);
	mt_om_number(f, 1.706498917);
	fclose(f);
	assert_string_equal(out, "16384 4.776432193e-07 1.706498917");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fact_names),
		cmocka_unit_test(test_fact_name_too_long),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
