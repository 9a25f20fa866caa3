/* Unit tests of core/units.c: every parser's accepted and rejected forms,
 * geometric ranges, overflow, and the formatters. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../core/units.h"

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)
#define TiB (1024ull * GiB)

static void test_size_accepts(void **state)
{
	static const struct {
		const char *s;
		uint64_t v;
	} ok[] = {
		{ "0", 0 },
		{ "4096", 4096 },
		{ "3B", 3 },
		{ "4K", 4 * KiB },
		{ "4k", 4 * KiB },
		{ "4KB", 4 * KiB },
		{ "4kb", 4 * KiB },
		{ "4KiB", 4 * KiB },
		{ "4kib", 4 * KiB },
		{ "2M", 2 * MiB },
		{ "2MiB", 2 * MiB },
		{ "1G", GiB },
		{ "1g", GiB },
		{ "1T", TiB },
		{ "8388607T", 8388607ull * TiB },
		{ "9223372036854775807", (uint64_t)INT64_MAX },
	};
	char why[128];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		uint64_t v = 1234;

		if (mt_parse_size(ok[i].s, &v, why, sizeof(why)) != 0)
			fail_msg("'%s' rejected: %s", ok[i].s, why);
		assert_int_equal(v, ok[i].v);
	}
}

static void test_size_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		"-4K",
		"+4K",
		"4Q",
		"4K junk",
		"4KX",
		" 4K",
		"4K ",
		"4 K",
		"K",
		"1.5M",
		"4iB",
		"4KiBB",
		"0x10",
		"4M4",
		"18446744073709551616", /* 2^64 */
		/* Issue 12: 2^64 - 1 read as a size wrapped to -1 in the
		 * records; nothing from 2^63 on is a size. */
		"18446744073709551615", /* 2^64 - 1 */
		"9223372036854775808",	/* 2^63 */
		"8388608T",		/* 2^63 */
		"8589934592G",		/* 2^63 */
		"16777216T",		/* 2^64 */
		"17179869184G",		/* 2^64 */
		"99999999999999999999999K",
	};
	char why[128];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t v = 77;

		why[0] = '\0';
		if (mt_parse_size(bad[i], &v, why, sizeof(why)) != -EINVAL)
			fail_msg("'%s' accepted as %llu", bad[i],
				 (unsigned long long)v);
		assert_int_equal(v, 77); /* untouched on failure */
		assert_non_null(strstr(why, "a size such as 64K, 2M or 1G"));
	}
	assert_int_equal(mt_parse_size(NULL, &(uint64_t){ 0 }, why,
				       sizeof(why)),
			 -EINVAL);
	/* Overflow says what the limit is. */
	mt_parse_size("16777216T", &(uint64_t){ 0 }, why, sizeof(why));
	assert_non_null(strstr(why, "below 8 EiB"));
	mt_parse_size("18446744073709551615", &(uint64_t){ 0 }, why,
		      sizeof(why));
	assert_non_null(strstr(why, "below 8 EiB"));
	/* A NULL or tiny why buffer is fine. */
	assert_int_equal(mt_parse_size("x", &(uint64_t){ 0 }, NULL, 0),
			 -EINVAL);
	assert_int_equal(mt_parse_size("x", &(uint64_t){ 0 }, why, 1), -EINVAL);
	assert_string_equal(why, "");
}

static void test_duration(void **state)
{
	static const struct {
		const char *s;
		uint64_t ns;
	} ok[] = {
		{ "20ms", 20000000ull },
		{ "1.5s", 1500000000ull },
		{ "1.5ms", 1500000ull },
		{ "500us", 500000ull },
		{ "100ns", 100ull },
		{ "0ns", 0 },
		{ "2", 2000000000ull },
		{ "1.5", 1500000000ull },
		{ "0.000000001s", 1 },
		{ "0.25us", 250 },
		{ "10s", 10000000000ull },
		{ "1.0000000004s", 1000000000ull }, /* past 1 ns: ignored */
		{ "18446744073s", 18446744073000000000ull },
	};
	static const char *const bad[] = {
		"",
		"ms",
		"-1s",
		"+1s",
		"1.s",
		".5s",
		"20 ms",
		" 20ms",
		"20ms ",
		"20m",
		"20MS",
		"1h",
		"1e3s",
		"1,5s",
		"20msx",
		"1..5s",
		"18446744074s",	  /* past 2^64 ns */
		"18446744073.8s", /* the fraction overflows */
		"99999999999999999999999ns",
	};
	char why[128];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		uint64_t v = 1;

		if (mt_parse_duration(ok[i].s, &v, why, sizeof(why)) != 0)
			fail_msg("'%s' rejected: %s", ok[i].s, why);
		assert_int_equal(v, ok[i].ns);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t v = 1;

		why[0] = '\0';
		if (mt_parse_duration(bad[i], &v, why, sizeof(why)) != -EINVAL)
			fail_msg("'%s' accepted as %llu", bad[i],
				 (unsigned long long)v);
		assert_non_null(strstr(why, "a duration such as 20ms"));
	}
}

static void test_int(void **state)
{
	static const char *const bad[] = {
		"",   "-",  "+",  "abc", "1.5",	 "0x10",
		" 5", "5 ", "5x", "1e3", "1001", "-11",
	};
	char why[128];
	int64_t v;

	(void)state;
	assert_int_equal(mt_parse_int("0", -10, 1000, &v, why, 128), 0);
	assert_int_equal(v, 0);
	assert_int_equal(mt_parse_int("-10", -10, 1000, &v, why, 128), 0);
	assert_int_equal(v, -10);
	assert_int_equal(mt_parse_int("+7", -10, 1000, &v, why, 128), 0);
	assert_int_equal(v, 7);
	assert_int_equal(mt_parse_int("1000", -10, 1000, &v, why, 128), 0);
	assert_int_equal(v, 1000);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 42;
		if (mt_parse_int(bad[i], -10, 1000, &v, why, sizeof(why)) !=
		    -EINVAL)
			fail_msg("'%s' accepted as %lld", bad[i], (long long)v);
		assert_int_equal(v, 42);
		assert_string_equal(why, "an integer from -10 to 1000");
	}
	/* The full range and one-sided bounds are described as such. */
	assert_int_equal(mt_parse_int("9223372036854775807", INT64_MIN,
				      INT64_MAX, &v, why, 128),
			 0);
	assert_int_equal(v, INT64_MAX);
	assert_int_equal(mt_parse_int("-9223372036854775808", INT64_MIN,
				      INT64_MAX, &v, why, 128),
			 0);
	assert_true(v == INT64_MIN);
	assert_int_equal(mt_parse_int("9223372036854775808", INT64_MIN,
				      INT64_MAX, &v, why, 128),
			 -EINVAL);
	assert_string_equal(why, "an integer");
	assert_int_equal(mt_parse_int("-1", 0, INT64_MAX, &v, why, 128),
			 -EINVAL);
	assert_string_equal(why, "an integer of at least 0");
	assert_int_equal(mt_parse_int("6", INT64_MIN, 5, &v, why, 128),
			 -EINVAL);
	assert_string_equal(why, "an integer of at most 5");
}

static void test_double(void **state)
{
	static const char *const bad[] = {
		"",	 "nan", "inf", "-inf", "0x1p-3", "1.5x", " 0.5", "0.5 ",
		"1e999", "2",	"0",   "-0.5", ".",	 "e",	 "1,5",
	};
	char why[128];
	double v;

	(void)state;
	assert_int_equal(mt_parse_double("0.5", 0.0001, 1, &v, why, 128), 0);
	assert_true(v == 0.5);
	assert_int_equal(mt_parse_double("1e-3", 0.0001, 1, &v, why, 128), 0);
	assert_true(v == 1e-3);
	assert_int_equal(mt_parse_double("1", 0.0001, 1, &v, why, 128), 0);
	assert_true(v == 1.0);
	assert_int_equal(mt_parse_double(".25", 0.0001, 1, &v, why, 128), 0);
	assert_true(v == 0.25);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 9;
		if (mt_parse_double(bad[i], 0.0001, 1, &v, why, sizeof(why)) !=
		    -EINVAL)
			fail_msg("'%s' accepted as %g", bad[i], v);
		assert_true(v == 9);
		assert_string_equal(why, "a number from 0.0001 to 1");
	}
	assert_int_equal(mt_parse_double("-2", -1e300, 1e300, &v, why, 128), 0);
	assert_true(v == -2);
}

static void test_bool(void **state)
{
	static const char *const yes[] = { "yes",  "YES", "true",
					   "True", "on",  "1" };
	static const char *const no[] = { "no",	   "No",  "false",
					  "FALSE", "off", "0" };
	static const char *const bad[] = { "",	"y",	"n",	"maybe",
					   "2", " yes", "yes ", "enable" };
	char why[128];
	int v;

	(void)state;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		v = 0;
		assert_int_equal(mt_parse_bool(yes[i], &v, why, 128), 0);
		assert_int_equal(v, 1);
		assert_int_equal(mt_parse_bool(no[i], &v, why, 128), 0);
		assert_int_equal(v, 0);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 5;
		if (mt_parse_bool(bad[i], &v, why, sizeof(why)) != -EINVAL)
			fail_msg("'%s' accepted", bad[i]);
		assert_int_equal(v, 5);
		assert_string_equal(why, MT_FORM_BOOL);
	}
}

/* Parses s as a size list and checks it gives exactly want[0..n). */
static void expect_list(const char *s, const uint64_t *want, size_t n)
{
	uint64_t *v = NULL;
	size_t got = 0;
	char why[256];

	if (mt_parse_size_list(s, &v, &got, why, sizeof(why)) != 0)
		fail_msg("'%s' rejected: %s", s, why);
	assert_int_equal(got, n);
	for (size_t i = 0; i < n; i++)
		if (v[i] != want[i])
			fail_msg("'%s'[%zu] = %llu, want %llu", s, i,
				 (unsigned long long)v[i],
				 (unsigned long long)want[i]);
	free(v);
}

/* Parses s as a size list, expects -EINVAL and `needle` in why. */
static void expect_list_error(const char *s, const char *needle)
{
	uint64_t *v = (uint64_t *)&v;
	size_t n = 99;
	char why[256] = "";

	if (mt_parse_size_list(s, &v, &n, why, sizeof(why)) != -EINVAL)
		fail_msg("'%s' accepted (%zu values)", s, n);
	assert_null(v);
	assert_int_equal(n, 0);
	if (!strstr(why, needle))
		fail_msg("'%s': why '%s' lacks '%s'", s, why, needle);
}

static void test_size_list(void **state)
{
	uint64_t want[64];

	(void)state;
	expect_list("4K", (uint64_t[]){ 4 * KiB }, 1);
	expect_list("4K,1M", (uint64_t[]){ 4 * KiB, MiB }, 2);
	expect_list("1M,4K", (uint64_t[]){ MiB, 4 * KiB }, 2); /* order kept */
	expect_list(" 4K , 8K ", (uint64_t[]){ 4 * KiB, 8 * KiB }, 2);
	expect_list("1M..6M*2", (uint64_t[]){ MiB, 2 * MiB, 4 * MiB }, 3);
	expect_list("4K..4K", (uint64_t[]){ 4 * KiB }, 1);
	/* HI is included only when reached exactly. */
	expect_list("1K..1M*10",
		    (uint64_t[]){ KiB, 10 * KiB, 100 * KiB, 1000 * KiB }, 4);
	expect_list("1K..3K*3", (uint64_t[]){ KiB, 3 * KiB }, 2);
	/* Duplicates go, first position kept. */
	expect_list("8K,4K..16K,8K", (uint64_t[]){ 8 * KiB, 4 * KiB, 16 * KiB },
		    3);
	expect_list("64K..64K*2,4K..16K*2,4K..16K*2",
		    (uint64_t[]){ 64 * KiB, 4 * KiB, 8 * KiB, 16 * KiB }, 4);

	/* 4K..1G*2 has 19 values, 4K..1G*4 has 10; "LO..HI" is factor 2. */
	for (size_t i = 0; i < 19; i++)
		want[i] = (4 * KiB) << i;
	expect_list("4K..1G*2", want, 19);
	expect_list("4K..1G", want, 19);
	for (size_t i = 0; i < 10; i++)
		want[i] = (4 * KiB) << (2 * i);
	expect_list("4K..1G*4", want, 10);

	/* A range up to the largest size stops without overflowing. */
	for (size_t i = 0; i < 63; i++)
		want[i] = 1ull << i;
	expect_list("1..9223372036854775807*2", want, 63);
	expect_list("1..9223372036854775807*18446744073709551615",
		    (uint64_t[]){ 1 }, 1);
	expect_list("1..9223372036854775807*9223372036854775807",
		    (uint64_t[]){ 1, (uint64_t)INT64_MAX }, 2);
}

static void test_size_list_errors(void **state)
{
	char *big;
	size_t off = 0;
	uint64_t *v;
	size_t n;
	char why[256];

	(void)state;
	expect_list_error("", MT_FORM_SIZE_LIST);
	expect_list_error("   ", MT_FORM_SIZE_LIST);
	expect_list_error("4K,", "no empty item");
	expect_list_error(",4K", "no empty item");
	expect_list_error("4K,,8K", "no empty item");
	expect_list_error("4Q", MT_FORM_SIZE_LIST);
	expect_list_error("4K,-8K", MT_FORM_SIZE_LIST);
	expect_list_error("4K..8Q", MT_FORM_SIZE_LIST);
	expect_list_error("..8K", MT_FORM_SIZE_LIST);
	expect_list_error("4K..", MT_FORM_SIZE_LIST);
	expect_list_error("4K...8K", MT_FORM_SIZE_LIST);
	expect_list_error("4K..8K..16K", MT_FORM_SIZE_LIST);
	expect_list_error("1G..4K", "LO no larger than HI");
	expect_list_error("1G..4K*2", "LO no larger than HI");
	expect_list_error("4K..1G*1", "factor F of at least 2");
	expect_list_error("4K..1G*0", "factor F of at least 2");
	expect_list_error("4K..1G*x", "factor F of at least 2");
	expect_list_error("4K..1G*", "factor F of at least 2");
	expect_list_error("4K..1G*-2", "factor F of at least 2");
	expect_list_error("4K..1G*2.5", "factor F of at least 2");
	expect_list_error("4K..1G*99999999999999999999", "factor F");
	expect_list_error("0..1M", "LO above 0");
	expect_list_error("4K*2", MT_FORM_SIZE_LIST);
	/* Issue 12: tlb.sizes=18446744073709551615 wrapped to -1. */
	expect_list_error("18446744073709551615", "each below 8 EiB");
	expect_list_error("4K,9223372036854775808", "each below 8 EiB");
	expect_list_error("4K..8388608T", "each below 8 EiB");

	/* The cap: 4096 distinct values pass, 4097 do not. */
	big = malloc(4097 * 8);
	assert_non_null(big);
	for (int i = 1; i <= 4096; i++)
		off += (size_t)sprintf(big + off, "%s%d", i > 1 ? "," : "", i);
	assert_int_equal(mt_parse_size_list(big, &v, &n, why, sizeof(why)), 0);
	assert_int_equal(n, 4096);
	assert_int_equal(v[4095], 4096);
	free(v);
	/* Repeats do not count against the cap. */
	sprintf(big + off, ",1,2,4096");
	assert_int_equal(mt_parse_size_list(big, &v, &n, why, sizeof(why)), 0);
	assert_int_equal(n, 4096);
	free(v);
	sprintf(big + off, ",4097");
	expect_list_error(big, "at most 4096 sizes");
	free(big);
}

static void test_word_list(void **state)
{
	static const char *const allowed[] = { "base", "thp", "hugetlb", NULL };
	char **w = NULL, why[256];
	size_t n = 0;

	(void)state;
	assert_int_equal(mt_parse_word_list(" thp , base", allowed, &w, &n, why,
					    sizeof(why)),
			 0);
	assert_int_equal(n, 2);
	assert_string_equal(w[0], "thp");
	assert_string_equal(w[1], "base");
	mt_free_words(w, n);

	assert_int_equal(mt_parse_word_list("thp,thp,base,thp", allowed, &w, &n,
					    why, sizeof(why)),
			 0);
	assert_int_equal(n, 2);
	mt_free_words(w, n);

	/* Blank text is an empty list. */
	assert_int_equal(mt_parse_word_list("  ", allowed, &w, &n, why,
					    sizeof(why)),
			 0);
	assert_int_equal(n, 0);
	mt_free_words(w, n);

	/* A word not allowed: the message lists the allowed ones and names
	 * the culprit. */
	assert_int_equal(mt_parse_word_list("base,jumbo", allowed, &w, &n, why,
					    sizeof(why)),
			 -EINVAL);
	assert_null(w);
	assert_int_equal(n, 0);
	assert_string_equal(why, "a comma list of words from: base, thp, "
				 "hugetlb ('jumbo' is not one)");
	assert_int_equal(mt_parse_word_list("base,,thp", allowed, &w, &n, why,
					    sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "base, thp, hugetlb"));
	assert_int_equal(mt_parse_word_list("THP", allowed, &w, &n, why,
					    sizeof(why)),
			 -EINVAL);

	/* Without choices any word goes, but not an empty one or spaces. */
	assert_int_equal(mt_parse_word_list("tlb,tlb:hugetlb,x", NULL, &w, &n,
					    why, sizeof(why)),
			 0);
	assert_int_equal(n, 3);
	assert_string_equal(w[1], "tlb:hugetlb");
	mt_free_words(w, n);
	assert_int_equal(mt_parse_word_list("a,", NULL, &w, &n, why,
					    sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "comma-separated words"));
	assert_int_equal(mt_parse_word_list("a b", NULL, &w, &n, why,
					    sizeof(why)),
			 -EINVAL);
	mt_free_words(NULL, 0);
}

static void test_format_size(void **state)
{
	static const struct {
		uint64_t v;
		const char *s;
	} cases[] = {
		{ 0, "0" },
		{ 1000, "1000" },
		{ 4096, "4K" },
		{ 1536 * KiB, "1536K" },
		{ 12 * MiB, "12M" },
		{ GiB, "1G" },
		{ 3 * GiB / 2, "1536M" },
		{ TiB, "1T" },
		{ 1024 * TiB, "1024T" },
		{ 4097, "4097" },
		{ (uint64_t)INT64_MAX, "9223372036854775807" },
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t back = 0;

		mt_format_size(cases[i].v, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].s);
		/* What is printed parses back to the same value. */
		assert_int_equal(mt_parse_size(buf, &back, NULL, 0), 0);
		assert_int_equal(back, cases[i].v);
	}
	mt_format_size(4096, buf, 2); /* truncates, never overruns */
	assert_string_equal(buf, "4");
}

static void test_format_duration(void **state)
{
	static const struct {
		uint64_t v;
		const char *s;
	} cases[] = {
		{ 0, "0ns" },
		{ 1, "1ns" },
		{ 1500, "1500ns" },
		{ 20000000, "20ms" },
		{ 1500000, "1500us" },
		{ 10000000000ull, "10s" },
		{ 1500000000, "1500ms" },
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t back = 7;

		mt_format_duration(cases[i].v, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].s);
		assert_int_equal(mt_parse_duration(buf, &back, NULL, 0), 0);
		assert_int_equal(back, cases[i].v);
	}
}

/* Numbers as people write them: no exponent, thousands with commas. */
static void test_format_num(void **state)
{
	static const struct {
		double v;
		int sig;
		const char *want;
	} cases[] = {
		{ 0, 3, "0" },
		{ 1.706, 3, "1.71" },
		{ 753.4, 3, "753" },
		{ 74, 3, "74" },
		{ 0.0042, 3, "0.0042" },
		{ 2048, 4, "2,048" },
		{ 16384, 4, "16,380" },
		{ 16384, 5, "16,384" },
		{ 449400000, 4, "449,400,000" },
		{ -84180, 4, "-84,180" },
		{ 9.996, 3, "10" },
		{ 999.6, 3, "1,000" },
		{ -0.0001, 2, "-0.0001" },
		{ 1e-30, 3, "0" },
		{ NAN, 3, "n/a" },
	};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mt_format_num(cases[i].v, cases[i].sig, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].want);
		assert_null(strchr(buf, 'e'));
	}
	mt_format_num(1e300, 3, buf, sizeof(buf)); /* truncates, no exponent */
	assert_null(strchr(buf, 'e'));
	mt_format_count(2048, buf, sizeof(buf));
	assert_string_equal(buf, "2,048");
	mt_format_count(65536.4, buf, sizeof(buf));
	assert_string_equal(buf, "65,536");
	mt_format_count(-1234567, buf, sizeof(buf));
	assert_string_equal(buf, "-1,234,567");
	mt_format_count(999, buf, sizeof(buf));
	assert_string_equal(buf, "999");
	mt_format_count(1234567, buf, 4); /* truncates, never overruns */
	assert_string_equal(buf, "1,2");
}

/* Quantities in the units records and facts carry, with and without an
 * interval. */
static void test_format_quantity(void **state)
{
	static const struct {
		double v, lo, hi;
		const char *unit, *want;
	} cases[] = {
		{ 2818, 2712, 2839, "MB/s", "2.82 GB/s (2.71 to 2.84)" },
		{ 1900, NAN, NAN, "MB/s", "1.9 GB/s" },
		{ 74, NAN, NAN, "ns", "74 ns" },
		{ 753.4, NAN, NAN, "ns", "753 ns" },
		{ 1234, NAN, NAN, "ns", "1.23 µs" },
		{ 0.17, NAN, NAN, "us", "170 ns" },
		{ 235.5, 213, 269.1, "us", "236 µs (213 to 269)" },
		{ 35387.117, NAN, NAN, "us", "35.4 ms" },
		{ 102, NAN, NAN, "ms", "102 ms" },
		{ 1.706, 1.459, 1.996, "ratio", "1.71× (1.46 to 2)" },
		{ 8 * 1048576.0, NAN, NAN, "bytes", "8 MiB" },
		{ 16384, 12288, 20480, "bytes", "16 KiB (12 KiB to 20 KiB)" },
		{ 1024, NAN, NAN, "MiB", "1 GiB" },
		{ 1, 0.2924, 1, "fraction", "100% (29.2 to 100)" },
		{ 42, NAN, NAN, "%", "42%" },
		{ 5153, NAN, NAN, "faults", "5,153 faults" },
		{ 11, NAN, NAN, "count", "11" },
		{ 2048, 1024, 4096, "entries",
		  "2,048 entries (1,024 to 4,096)" },
		{ 58.6e6, NAN, NAN, "accesses/s", "58.6 million accesses/s" },
		{ 3.2e9, NAN, NAN, "pages", "3.2 billion pages" },
		{ 1.25, NAN, NAN, NULL, "1.25" },
		{ NAN, NAN, NAN, "ns", "n/a" },
	};
	char buf[128];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mt_format_interval(cases[i].v, cases[i].lo, cases[i].hi,
				   cases[i].unit, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].want);
	}
	mt_format_quantity(16384, "entries", buf, sizeof(buf));
	assert_string_equal(buf, "16,384 entries");
	mt_format_quantity(65536, "entries", buf, sizeof(buf));
	assert_string_equal(buf, "65,536 entries");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_accepts),
		cmocka_unit_test(test_size_rejects),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_double),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_size_list),
		cmocka_unit_test(test_size_list_errors),
		cmocka_unit_test(test_word_list),
		cmocka_unit_test(test_format_size),
		cmocka_unit_test(test_format_duration),
		cmocka_unit_test(test_format_num),
		cmocka_unit_test(test_format_quantity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
