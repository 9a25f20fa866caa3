/* Tests of bench/kit/chase.c: the chain is one cycle through every element,
 * PAGE elements sit one per 4 KiB page on a line boundary, small regions
 * are refused, the PRNG helper stays in range, and mt_chase_run follows
 * exactly n links. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../bench/kit/chase.h"

static void *region_alloc(size_t size)
{
	void *p = aligned_alloc(4096, (size + 4095) / 4096 * 4096);

	assert_non_null(p);
	/* garbage, so a build that forgot to write a slot shows up */
	memset(p, 0xa5, size);
	return p;
}

/* Follows the chain from start and checks that it is one cycle of exactly
 * count elements, each at a valid position of the pattern inside
 * [base, base+size). Returns how many distinct in-page offsets PAGE
 * elements used (1 for LINE). */
static size_t check_cycle(char *base, size_t size, enum mt_chase_pattern pat,
			  void **start, size_t count)
{
	size_t stride = pat == MT_CHASE_PAGE ? 4096 : 64;
	unsigned char *seen = calloc(count, 1);
	unsigned char offsets[64] = { 0 };
	size_t distinct = 0;
	void **p = start;

	assert_non_null(seen);
	assert_int_equal(count, size / stride);
	for (size_t step = 0; step < count; step++) {
		char *c = (char *)p;
		size_t off, idx;

		assert_true(c >= base && c + sizeof(void *) <= base + size);
		off = (size_t)(c - base);
		idx = off / stride;
		assert_true(idx < count);
		/* visited exactly once before the cycle closes */
		assert_int_equal(seen[idx], 0);
		seen[idx] = 1;
		if (pat == MT_CHASE_LINE) {
			assert_int_equal(off % 64, 0);
		} else {
			assert_int_equal(off % 64, 0);
			assert_true(off % 4096 < 4096);
			offsets[(off % 4096) / 64] = 1;
		}
		p = (void **)*p;
	}
	/* back at the start after exactly count steps */
	assert_ptr_equal(p, start);
	free(seen);
	if (pat == MT_CHASE_LINE)
		return 1;
	for (int i = 0; i < 64; i++)
		distinct += offsets[i];
	return distinct;
}

static void test_line_single_cycle(void **st)
{
	static const size_t sizes[] = {
		128, 192, 4096, 65536, 1048576 + 3 * 64, 8u << 20
	};
	static const uint64_t seeds[] = { 0, 1, 2, 42, 0xdeadbeefcafeull };

	(void)st;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (size_t k = 0; k < sizeof(seeds) / sizeof(seeds[0]); k++) {
			char *base = region_alloc(sizes[i]);
			size_t count = 0;
			void **start = mt_chase_build(base, sizes[i],
						      MT_CHASE_LINE, seeds[k],
						      &count);

			assert_non_null(start);
			check_cycle(base, sizes[i], MT_CHASE_LINE, start,
				    count);
			free(base);
		}
	}
}

static void test_page_single_cycle(void **st)
{
	static const size_t sizes[] = { 8192, 12288, 65536, 1u << 20,
					(4u << 20) + 5 * 4096 + 100 };
	static const uint64_t seeds[] = { 0, 1, 7, 123456789 };

	(void)st;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (size_t k = 0; k < sizeof(seeds) / sizeof(seeds[0]); k++) {
			char *base = region_alloc(sizes[i]);
			size_t count = 0, distinct;
			void **start = mt_chase_build(base, sizes[i],
						      MT_CHASE_PAGE, seeds[k],
						      &count);

			assert_non_null(start);
			distinct = check_cycle(base, sizes[i], MT_CHASE_PAGE,
					       start, count);
			/* the line inside each page is random: with 256
			 * pages or more nearly all 64 offsets appear */
			if (count >= 256)
				assert_true(distinct > 48);
			free(base);
		}
	}
}

static void test_too_small(void **st)
{
	char *base = region_alloc(8192);
	size_t count = 99;

	(void)st;
	assert_null(mt_chase_build(base, 0, MT_CHASE_LINE, 1, &count));
	assert_int_equal(count, 0);
	count = 99;
	assert_null(mt_chase_build(base, 64, MT_CHASE_LINE, 1, &count));
	assert_int_equal(count, 0);
	assert_null(mt_chase_build(base, 127, MT_CHASE_LINE, 1, &count));
	assert_null(mt_chase_build(base, 4096, MT_CHASE_PAGE, 1, &count));
	assert_null(mt_chase_build(base, 8191, MT_CHASE_PAGE, 1, &count));
	assert_null(mt_chase_build(NULL, 8192, MT_CHASE_LINE, 1, &count));
	/* count may be NULL */
	assert_null(mt_chase_build(base, 64, MT_CHASE_LINE, 1, NULL));
	assert_non_null(mt_chase_build(base, 128, MT_CHASE_LINE, 1, NULL));
	/* the smallest cycle: two elements pointing at each other */
	{
		void **a = mt_chase_build(base, 128, MT_CHASE_LINE, 3, &count);

		assert_int_equal(count, 2);
		assert_ptr_equal(*(void **)*a, a);
		assert_ptr_not_equal(*a, a);
	}
	free(base);
}

/* The same seed gives the same chain; another seed gives another one. */
static void test_seed_reproducible(void **st)
{
	size_t size = 1u << 20, n1, n2, same = 0;
	char *a = region_alloc(size), *b = region_alloc(size);
	void **pa, **pb;

	(void)st;
	pa = mt_chase_build(a, size, MT_CHASE_LINE, 5, &n1);
	pb = mt_chase_build(b, size, MT_CHASE_LINE, 5, &n2);
	assert_int_equal(n1, n2);
	for (size_t i = 0; i < n1; i++) {
		assert_int_equal((char *)pa - a, (char *)pb - b);
		pa = (void **)*pa;
		pb = (void **)*pb;
	}
	pa = mt_chase_build(a, size, MT_CHASE_LINE, 5, &n1);
	pb = mt_chase_build(b, size, MT_CHASE_LINE, 6, &n2);
	for (size_t i = 0; i < n1; i++) {
		same += (char *)pa - a == (char *)pb - b;
		pa = (void **)*pa;
		pb = (void **)*pb;
	}
	assert_true(same < n1 / 100);
	free(a);
	free(b);
}

/* The order is random, not sequential: few links go to the next line. */
static void test_not_sequential(void **st)
{
	size_t size = 1u << 20, n, next = 0;
	char *base = region_alloc(size);
	void **p;

	(void)st;
	p = mt_chase_build(base, size, MT_CHASE_LINE, 9, &n);
	for (size_t i = 0; i < n; i++) {
		void **q = (void **)*p;

		next += (char *)q - (char *)p == 64;
		p = q;
	}
	assert_true(next < n / 100);
	free(base);
}

/* Sattolo draws every cyclic permutation: for 4 elements there are 3! = 6,
 * and a few hundred seeds must produce all of them. */
static void test_all_cycles_reachable(void **st)
{
	char *base = region_alloc(4 * 64);
	int seen[256] = { 0 }, kinds = 0;

	(void)st;
	for (uint64_t seed = 0; seed < 600; seed++) {
		size_t n;
		void **p = mt_chase_build(base, 4 * 64, MT_CHASE_LINE, seed,
					  &n);
		int code = 0;

		assert_int_equal(n, 4);
		/* successor of each element, packed 2 bits each */
		for (int i = 0; i < 4; i++) {
			void **e = (void **)(void *)(base + i * 64);

			code |= (int)(((char *)*e - base) / 64) << (2 * i);
		}
		(void)p;
		if (!seen[code]++)
			kinds++;
	}
	assert_int_equal(kinds, 6);
	free(base);
}

static void test_rand_below_range(void **st)
{
	static const uint64_t bounds[] = {
		1, 2, 3, 7, 64, 1000, 4096, (1ull << 31) + 11, 0xffffffffull
	};
	uint64_t s = 0x9e3779b97f4a7c15ull;

	(void)st;
	for (size_t b = 0; b < sizeof(bounds) / sizeof(bounds[0]); b++) {
		uint64_t max = 0;

		for (int i = 0; i < 100000; i++) {
			uint64_t v = mt_rand_below(&s, bounds[b]);

			assert_true(v < bounds[b]);
			if (v > max)
				max = v;
		}
		/* the top of the range is reached, not just the bottom */
		if (bounds[b] <= 4096)
			assert_int_equal(max, bounds[b] - 1);
		else
			assert_true(max > bounds[b] / 2);
	}
	/* every value of a small range appears, about equally often */
	{
		int hist[7] = { 0 };

		for (int i = 0; i < 70000; i++)
			hist[mt_rand_below(&s, 7)]++;
		for (int i = 0; i < 7; i++)
			assert_true(hist[i] > 9000 && hist[i] < 11000);
	}
}

/* mt_chase_run takes exactly n steps (including counts that are not a
 * multiple of its unrolling) and leaves the end in *cursor. */
static void test_run_steps(void **st)
{
	size_t size = 64 * 1000, n;
	char *base = region_alloc(size);
	void **start;

	(void)st;
	start = mt_chase_build(base, size, MT_CHASE_LINE, 11, &n);
	for (uint64_t steps = 0; steps < 70; steps++) {
		void *cursor = start, *ret;
		void **manual = start;

		for (uint64_t i = 0; i < steps; i++)
			manual = (void **)*manual;
		ret = mt_chase_run(&cursor, steps);
		assert_ptr_equal(ret, manual);
		assert_ptr_equal(cursor, manual);
	}
	/* a whole lap returns to the start; two runs chain */
	{
		void *cursor = start;

		mt_chase_run(&cursor, n - 17);
		mt_chase_run(&cursor, 17);
		assert_ptr_equal(cursor, start);
	}
	free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_single_cycle),
		cmocka_unit_test(test_page_single_cycle),
		cmocka_unit_test(test_too_small),
		cmocka_unit_test(test_seed_reproducible),
		cmocka_unit_test(test_not_sequential),
		cmocka_unit_test(test_all_cycles_reachable),
		cmocka_unit_test(test_rand_below_range),
		cmocka_unit_test(test_run_steps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
