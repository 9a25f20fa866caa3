/* Unit tests for the one-job helpers of core/ that replaced copies across
 * the tree (issue 14): sorting and medians (stats.h), numbers out of JSON
 * (json_safe.h), random numbers (rng.h), byte counts for a person
 * (units.h), /proc/zoneinfo (zoneinfo.h), plain file I/O (fileio.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
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

#include "../../core/fileio.h"
#include "../../core/json_safe.h"
#include "../../core/rng.h"
#include "../../core/stats.h"
#include "../../core/units.h"
#include "../../core/zoneinfo.h"

/* mt_cmp_double sorts ascending, equal values compare 0, NaN sorts last. */
static void test_cmp_double(void **state)
{
	double v[] = { 3, NAN, -1, 2, 2, 0.5 };
	double a = 1, b = 2;

	(void)state;
	assert_true(mt_cmp_double(&a, &b) < 0);
	assert_true(mt_cmp_double(&b, &a) > 0);
	assert_int_equal(mt_cmp_double(&a, &a), 0);
	qsort(v, 6, sizeof(double), mt_cmp_double);
	assert_true(v[0] == -1 && v[1] == 0.5 && v[2] == 2 && v[3] == 2 &&
		    v[4] == 3);
	assert_true(isnan(v[5]));
}

/* The middle value, the mean of the middle two, NAN for none. */
static void test_median(void **state)
{
	double odd[] = { 9, 1, 5 };
	double even[] = { 4, 1, 3, 2 };
	const double sorted[] = { 1, 2, 10, 11 };

	(void)state;
	assert_true(mt_median(odd, 3) == 5);
	assert_true(odd[0] == 1 && odd[2] == 9); /* sorted in place */
	assert_true(mt_median(even, 4) == 2.5);
	assert_true(mt_median_sorted(sorted, 4) == 6);
	assert_true(mt_median_sorted(sorted, 1) == 1);
	assert_true(isnan(mt_median(odd, 0)));
	assert_true(isnan(mt_median_sorted(sorted, 0)));
}

/* The tail in the unit asked for; v is left sorted; none gives NAN. */
static void test_tail_summary(void **state)
{
	double v[] = { 5000, 1000, 3000, 2000, 4000 };
	double p50, p99, max;

	(void)state;
	mt_tail_summary(v, 5, 1e3, &p50, &p99, &max);
	assert_true(p50 == 3 && max == 5);
	assert_true(fabs(p99 - 4.96) < 1e-12);
	assert_true(v[0] == 1000 && v[4] == 5000);
	mt_tail_summary(v, 5, 1, &p50, &p99, &max);
	assert_true(p50 == 3000 && max == 5000);
	mt_tail_summary(v, 0, 1, &p50, &p99, &max);
	assert_true(isnan(p50) && isnan(p99) && isnan(max));
}

/* A member that is a number comes back as a double; anything else, a
 * missing member or a non-object is NAN. */
static void test_jnum(void **state)
{
	json_t *o = json_pack("{s:i, s:f, s:s, s:n, s:b}", "i", 42, "f", 0.25,
			      "s", "7", "n", "b", 1);

	(void)state;
	assert_non_null(o);
	assert_true(mt_jnum(o, "i") == 42);
	assert_true(mt_jnum(o, "f") == 0.25);
	assert_true(isnan(mt_jnum(o, "s")));
	assert_true(isnan(mt_jnum(o, "n")));
	assert_true(isnan(mt_jnum(o, "b")));
	assert_true(isnan(mt_jnum(o, "missing")));
	assert_true(isnan(mt_jnum(NULL, "i")));
	assert_true(isnan(mt_jnum(json_object_get(o, "i"), "i")));
	assert_true(mt_jnum_value(json_object_get(o, "f")) == 0.25);
	assert_true(isnan(mt_jnum_value(NULL)));
	json_decref(o);
}

/* A finite value is a real, NAN and the infinities are null. */
static void test_jreal(void **state)
{
	json_t *v;

	(void)state;
	v = mt_jreal(1.5);
	assert_true(json_is_real(v) && json_real_value(v) == 1.5);
	json_decref(v);
	v = mt_jreal(NAN);
	assert_true(json_is_null(v));
	json_decref(v);
	v = mt_jreal(-INFINITY);
	assert_true(json_is_null(v));
	json_decref(v);
}

/* mt_mix64 is splitmix64's output (reference values of the published
 * generator seeded with 0: 0xe220a8397b1dcdaf, then 0x6e789e6aa1b965f4). */
static void test_mix64(void **state)
{
	(void)state;
	assert_true(mt_mix64(0) == 0xe220a8397b1dcdafull);
	assert_true(mt_mix64(0x9e3779b97f4a7c15ull) == 0x6e789e6aa1b965f4ull);
}

/* Seeds are never 0 and differ for neighbours; a seed gives one
 * sequence; mt_rand_below stays below its bound and reaches every value. */
static void test_rand(void **state)
{
	uint64_t a = mt_rand_seed(7), b = mt_rand_seed(7);
	unsigned hist[7] = { 0 };

	(void)state;
	assert_true(mt_rand_seed(0) != 0);
	assert_true(mt_rand_seed(1) != mt_rand_seed(2));
	for (int i = 0; i < 100; i++)
		assert_true(mt_rand_next(&a) == mt_rand_next(&b));
	assert_true(a != 0);
	for (int i = 0; i < 7000; i++) {
		uint64_t v = mt_rand_below(&a, 7);

		assert_true(v < 7);
		hist[v]++;
	}
	for (int i = 0; i < 7; i++)
		assert_true(hist[i] > 800 && hist[i] < 1200);
	assert_true(mt_rand_below(&a, 1) == 0);
}

/* Binary units, one decimal only where it says something. */
static void test_format_bytes(void **state)
{
	static const struct {
		double bytes;
		const char *text;
	} cases[] = {
		{ 0, "0 bytes" },
		{ 512, "512 bytes" },
		{ 1023, "1023 bytes" },
		{ 1024, "1 KiB" },
		{ 16384, "16 KiB" },
		{ 1536 * 1024, "1.5 MiB" },
		{ 2147483648.0, "2 GiB" },
		{ 2.03 * 1073741824.0, "2 GiB" }, /* within 0.05 */
		{ 2.1 * 1073741824.0, "2.1 GiB" },
		{ 3.0 * 1099511627776.0, "3 TiB" },
		{ 4096.0 * 1099511627776.0, "4096 TiB" },
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mt_format_bytes(cases[i].bytes, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].text);
	}
	mt_format_bytes(1536 * 1024, buf, 4); /* truncated, terminated */
	assert_string_equal(buf, "1.5");
}

/* sysinfo's and the evidence's form: "B", one decimal unless exact. */
static void test_format_iec(void **state)
{
	static const struct {
		uint64_t bytes;
		const char *text;
	} cases[] = {
		{ 0, "0 B" },
		{ 1023, "1023 B" },
		{ 1024, "1 KiB" },
		{ 1536ull << 20, "1.5 GiB" },
		{ (2ull << 30) + (30ull << 20), "2.0 GiB" }, /* not exact */
		{ 32ull << 30, "32 GiB" },
		{ 3ull << 50, "3 PiB" },
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mt_format_iec(cases[i].bytes, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].text);
	}
}

/* Two zones with their watermarks, present and managed pages; the per-CPU
 * "high" under pagesets does not replace the zone's. Counting alone (no
 * array) gives the same count. */
static void test_zoneinfo(void **state)
{
	static const char text[] = "Node 0, zone      DMA\n"
				   "  per-node stats\n"
				   "      nr_inactive_anon 10\n"
				   "  pages free     3840\n"
				   "        min      12\n"
				   "        low      15\n"
				   "        high     18\n"
				   "        spanned  4095\n"
				   "        present  3998\n"
				   "        managed  3840\n"
				   "  pagesets\n"
				   "    cpu: 0\n"
				   "              count: 0\n"
				   "              high:  999\n"
				   "Node 1, zone   Normal\n"
				   "  pages free     100000\n"
				   "        min      4000\n"
				   "        low      5000\n"
				   "        high     6000\n"
				   "        spanned  262144\n"
				   "        present  262144\n"
				   "        managed  250000\n";
	struct mt_zone_wmark z[4];
	size_t n;

	(void)state;
	assert_int_equal(mt_zoneinfo_parse(text, z, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(z[0].node, 0);
	assert_string_equal(z[0].zone, "DMA");
	assert_true(z[0].free == 3840 && z[0].min == 12 && z[0].low == 15 &&
		    z[0].high == 18 && z[0].present == 3998 &&
		    z[0].managed == 3840);
	assert_int_equal(z[1].node, 1);
	assert_string_equal(z[1].zone, "Normal");
	assert_true(z[1].present == 262144 && z[1].managed == 250000 &&
		    z[1].high == 6000);
	assert_int_equal(mt_zoneinfo_parse(text, NULL, 0, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(mt_zoneinfo_parse("no zones\n", z, 4, &n), -EINVAL);
	assert_int_equal(mt_zoneinfo_parse("Node 0, zone DMA\n  min 1\n", z, 4,
					   &n),
			 -EINVAL);
}

/* A scratch directory for the file tests; removed by rm -r at the end. */
static char scratch[] = "/tmp/mt-core-helpers-XXXXXX";

static int setup_scratch(void **state)
{
	(void)state;
	return mkdtemp(scratch) ? 0 : -1;
}

static int teardown_scratch(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
	return system(cmd) == 0 ? 0 : -1;
}

/* What mt_write_all writes mt_read_path reads back whole, past the first
 * buffer, NUL bytes included; more than max is -EFBIG; a missing file is
 * -ENOENT and a link with O_NOFOLLOW -ELOOP. */
static void test_read_write(void **state)
{
	char path[PATH_MAX], link[PATH_MAX], *text;
	size_t n = 10000, len;
	char *data = malloc(n);
	int fd;

	(void)state;
	assert_non_null(data);
	for (size_t i = 0; i < n; i++)
		data[i] = (char)(i % 251);
	snprintf(path, sizeof(path), "%s/data", scratch);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(mt_write_all(fd, data, n), 0);
	assert_int_equal(close(fd), 0);
	assert_int_equal(mt_read_path(path, 0, SIZE_MAX, &text, &len), 0);
	assert_int_equal(len, n);
	assert_memory_equal(text, data, n);
	assert_int_equal(text[n], '\0');
	free(text);
	assert_int_equal(mt_read_path(path, 0, n, &text, NULL), 0);
	free(text);
	assert_int_equal(mt_read_path(path, 0, n - 1, &text, NULL), -EFBIG);
	assert_null(text);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(lseek(fd, 9000, SEEK_SET), 9000); /* the rest */
	assert_int_equal(mt_read_fd(fd, SIZE_MAX, &text, &len), 0);
	assert_int_equal(len, 1000);
	assert_memory_equal(text, data + 9000, 1000);
	free(text);
	close(fd);
	snprintf(link, sizeof(link), "%s/link", scratch);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(mt_read_path(link, O_NOFOLLOW, SIZE_MAX, &text, NULL),
			 -ELOOP);
	snprintf(path, sizeof(path), "%s/missing", scratch);
	assert_int_equal(mt_read_path(path, 0, SIZE_MAX, &text, NULL), -ENOENT);
	free(data);
}

/* The directory part of a path; the fsync of an existing one succeeds. */
static void test_path_dir(void **state)
{
	char buf[64], path[PATH_MAX];

	(void)state;
	mt_path_dir("a/b/c", buf, sizeof(buf));
	assert_string_equal(buf, "a/b");
	mt_path_dir("name", buf, sizeof(buf));
	assert_string_equal(buf, ".");
	mt_path_dir("/etc", buf, sizeof(buf));
	assert_string_equal(buf, "/");
	snprintf(path, sizeof(path), "%s/any", scratch);
	assert_int_equal(mt_fsync_dir_of(path), 0);
	assert_int_equal(mt_fsync_dir_of("/nonexistent-mt/x"), -ENOENT);
}

/* Parents and the leaf with their modes; a second call is fine; a file in
 * the way fails the next step. */
static void test_mkdir_p(void **state)
{
	char path[PATH_MAX], file[PATH_MAX];
	struct stat st;
	mode_t old = umask(0);

	(void)state;
	snprintf(path, sizeof(path), "%s/p/q//r", scratch);
	assert_int_equal(mt_mkdir_p(path, 0755, 0700), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(file, sizeof(file), "%s/p/q", scratch);
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0755);
	assert_int_equal(mt_mkdir_p(path, 0755, 0700), 0);
	snprintf(file, sizeof(file), "%s/f", scratch);
	assert_int_equal(close(open(file, O_WRONLY | O_CREAT, 0600)), 0);
	snprintf(path, sizeof(path), "%s/f/sub", scratch);
	assert_int_equal(mt_mkdir_p(path, 0755, 0700), -ENOTDIR);
	assert_int_equal(mt_mkdir_p("", 0755, 0700), -ENAMETOOLONG);
	umask(old);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmp_double),
		cmocka_unit_test(test_median),
		cmocka_unit_test(test_tail_summary),
		cmocka_unit_test(test_jnum),
		cmocka_unit_test(test_jreal),
		cmocka_unit_test(test_mix64),
		cmocka_unit_test(test_rand),
		cmocka_unit_test(test_format_bytes),
		cmocka_unit_test(test_format_iec),
		cmocka_unit_test(test_zoneinfo),
		cmocka_unit_test(test_read_write),
		cmocka_unit_test(test_path_dir),
		cmocka_unit_test(test_mkdir_p),
	};

	mt_json_init();
	return cmocka_run_group_tests(tests, setup_scratch, teardown_scratch);
}
