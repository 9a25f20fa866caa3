/* Unit tests for bench/kit/watermarks.c, oom_badness.c and latency.c:
 * /proc/zoneinfo watermark parsing, the OOM killer's badness rule and
 * victim choice, and latency buffers (growable and reservoir).
 *
 * The badness figures are worked by hand from mm/oom_kill.c
 * oom_badness(): points = rss + swapents + pgtables_bytes / PAGE_SIZE, then
 * adj *= totalpages / 1000 (integer division first), points += adj.
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

#include "../../bench/kit/latency.h"
#include "../../bench/kit/oom_badness.h"
#include "../../bench/kit/watermarks.h"

/* Two zones as kernel 6.x prints them, including the per-CPU "high:"
 * lines under pagesets that must not be taken for the zone's watermark,
 * and an empty zone (managed 0). */
static const char zoneinfo_text[] =
	"Node 0, zone      DMA\n"
	"  per-node stats\n"
	"      nr_inactive_anon 6233\n"
	"  pages free     3840\n"
	"        boost    0\n"
	"        min      29\n"
	"        low      36\n"
	"        high     43\n"
	"        promo    50\n"
	"        spanned  4095\n"
	"        present  3998\n"
	"        managed  3840\n"
	"        protection: (0, 2997, 23545, 23545, 23545)\n"
	"  pagesets\n"
	"    cpu: 0\n"
	"              count: 0\n"
	"              high:  0\n"
	"              batch: 1\n"
	"Node 0, zone   Normal\n"
	"  pages free     912603\n"
	"        boost    0\n"
	"        min      10980\n"
	"        low      13725\n"
	"        high     16470\n"
	"        managed  1441792\n"
	"  pagesets\n"
	"    cpu: 0\n"
	"              high:  5000\n"
	"Node 0, zone  Movable\n"
	"  pages free     0\n"
	"        min      32\n"
	"        low      32\n"
	"        high     32\n"
	"        managed  0\n";

static void test_zoneinfo_parse(void **state)
{
	struct mt_zone_wmark z[4];
	size_t n;

	(void)state;
	assert_int_equal(mt_zoneinfo_parse(zoneinfo_text, z, 4, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(z[0].zone, "DMA");
	assert_int_equal(z[0].free, 3840);
	assert_int_equal(z[0].min, 29);
	assert_int_equal(z[0].low, 36);
	assert_int_equal(z[0].high, 43);
	assert_int_equal(z[0].managed, 3840);
	assert_string_equal(z[1].zone, "Normal");
	assert_int_equal(z[1].node, 0);
	assert_int_equal(z[1].min, 10980);
	assert_int_equal(z[1].low, 13725);
	/* Not the pageset's "high:  5000". */
	assert_int_equal(z[1].high, 16470);
	assert_int_equal(z[1].free, 912603);
	assert_int_equal(z[2].managed, 0);
}

/* Zones beyond max are counted but not stored. */
static void test_zoneinfo_parse_max(void **state)
{
	struct mt_zone_wmark z[1];
	size_t n;

	(void)state;
	assert_int_equal(mt_zoneinfo_parse(zoneinfo_text, z, 1, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(z[0].zone, "DMA");
}

static void test_zoneinfo_parse_errors(void **state)
{
	struct mt_zone_wmark z[4];
	size_t n = 99;

	(void)state;
	assert_int_equal(mt_zoneinfo_parse("", z, 4, &n), -EINVAL);
	assert_int_equal(n, 0);
	assert_int_equal(mt_zoneinfo_parse("MemTotal: 1 kB\n", z, 4, &n),
			 -EINVAL);
	/* A block without its low line. */
	assert_int_equal(mt_zoneinfo_parse("Node 0, zone DMA\n"
					   "  pages free 1\n"
					   "        min 2\n"
					   "        high 3\n"
					   "Node 0, zone Normal\n"
					   "        min 2\n        low 3\n"
					   "        high 4\n",
					   z, 4, &n),
			 -EINVAL);
	/* The last block incomplete. */
	assert_int_equal(mt_zoneinfo_parse("Node 0, zone DMA\n"
					   "        min 2\n",
					   z, 4, &n),
			 -EINVAL);
}

static void test_oom_badness(void **state)
{
	(void)state;
	/* 1 GiB cgroup: totalpages 262144, totalpages / 1000 = 262. */
	assert_int_equal(mt_oom_badness(1000, 0, 0, 262144, 0), 1000);
	assert_int_equal(mt_oom_badness(1000, 20, 3, 262144, 0), 1023);
	assert_int_equal(mt_oom_badness(1000, 0, 0, 262144, 500),
			 1000 + 500 * 262);
	assert_int_equal(mt_oom_badness(100000, 0, 0, 262144, -500),
			 100000 - 500 * 262);
	/* Negative badness is possible and still ranks. */
	assert_true(mt_oom_badness(1000, 0, 0, 262144, -1) < 1000);
	assert_true(mt_oom_badness(0, 0, 0, 262144, -999) < 0);
	assert_true(mt_oom_badness(1u << 30, 0, 0, 262144, -1000) ==
		    MT_OOM_UNKILLABLE);
	/* totalpages below 1000: adj has no weight (division first). */
	assert_int_equal(mt_oom_badness(50, 0, 0, 999, 1000), 50);
}

static void test_oom_expected(void **state)
{
	bool tie;
	/* The scenarios oom.c runs, in pages of a 256 MiB cgroup (65536
	 * pages, /1000 = 65): */
	const int64_t size_decides[] = {
		mt_oom_badness(39321, 0, 80, 65536, 0),
		mt_oom_badness(19660, 0, 40, 65536, 0),
	};
	const int64_t adj_beats_size[] = {
		mt_oom_badness(45875, 0, 90, 65536, -500),
		mt_oom_badness(13107, 0, 26, 65536, 300),
	};
	const int64_t unkillable[] = {
		mt_oom_badness(45875, 0, 90, 65536, -1000),
		mt_oom_badness(13107, 0, 26, 65536, 0),
	};
	const int64_t none[] = { MT_OOM_UNKILLABLE, MT_OOM_UNKILLABLE };
	const int64_t tied[] = { 10, 30, 30, 5 };

	(void)state;
	assert_int_equal(mt_oom_expected(size_decides, 2, &tie), 0);
	assert_false(tie);
	assert_int_equal(mt_oom_expected(adj_beats_size, 2, &tie), 1);
	assert_int_equal(mt_oom_expected(unkillable, 2, &tie), 1);
	assert_int_equal(mt_oom_expected(none, 2, &tie), -1);
	assert_false(tie);
	/* A tie goes to the later task, as the kernel's scan does. */
	assert_int_equal(mt_oom_expected(tied, 4, &tie), 2);
	assert_true(tie);
	/* A later higher score clears an earlier tie. */
	{
		const int64_t p[] = { 7, 7, 9 };

		assert_int_equal(mt_oom_expected(p, 3, &tie), 2);
		assert_false(tie);
	}
	assert_int_equal(mt_oom_expected(tied, 0, NULL), -1);
}

static void test_lat_growable(void **state)
{
	struct mt_lat l = { 0 };
	double p50, p99, mx;

	(void)state;
	mt_lat_summary(&l, 1, &p50, &p99, &mx);
	assert_true(isnan(p50) && isnan(p99) && isnan(mx));
	/* 1..10000 in a scrambled order. */
	for (int i = 0; i < 10000; i++)
		assert_int_equal(mt_lat_add(&l,
					    (double)((i * 7919) % 10000 + 1)),
				 0);
	assert_int_equal(l.n, 10000);
	mt_lat_summary(&l, 1000, &p50, &p99, &mx);
	/* Linear interpolation: p50 = 5000.5, p99 = 9900.01 (ns -> us). */
	assert_true(fabs(p50 - 5.0005) < 1e-9);
	assert_true(fabs(p99 - 9.90001) < 1e-9);
	assert_true(fabs(mx - 10.0) < 1e-12);
	mt_lat_free(&l);
	assert_null(l.v);
	assert_int_equal(l.n, 0);
}

/* A reservoir keeps at most `limit` samples, an exact maximum, and a
 * sample whose percentiles estimate the stream's. */
static void test_lat_reservoir(void **state)
{
	struct mt_lat l = { .limit = 2000, .seed = 42 };
	double p50, p99, mx;

	(void)state;
	for (int i = 0; i < 200000; i++)
		mt_lat_add(&l, (double)((i * 7919) % 200000));
	mt_lat_add(&l, 5e9); /* one outlier at the very end */
	assert_int_equal(l.n, 2000);
	assert_int_equal(l.seen, 200001);
	mt_lat_summary(&l, 1, &p50, &p99, &mx);
	assert_true(mx == 5e9);
	/* Uniform 0..200000: p50 near 100000, p99 near 198000; a 2000
	 * sample reservoir is within a few percent. */
	assert_true(fabs(p50 - 100000) < 8000);
	assert_true(fabs(p99 - 198000) < 4000);
	mt_lat_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zoneinfo_parse),
		cmocka_unit_test(test_zoneinfo_parse_max),
		cmocka_unit_test(test_zoneinfo_parse_errors),
		cmocka_unit_test(test_oom_badness),
		cmocka_unit_test(test_oom_expected),
		cmocka_unit_test(test_lat_growable),
		cmocka_unit_test(test_lat_reservoir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
