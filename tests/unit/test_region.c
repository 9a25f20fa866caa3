/* Tests of bench/kit/region.c: backing names, mapping and alignment, smaps
 * accounting over one or several VMAs, the hugetlb pool reader (against a
 * fake tree under MEMTUNE_FSROOT) and the message of an empty pool. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../bench/kit/region.h"
#include "../../core/fsroot.h"
#include "helpers/fake_tree.h"

#define MIB (1ull << 20)

/* True when the smaps VmFlags of the VMA holding addr include `flag`
 * ("nh" for MADV_NOHUGEPAGE, "hg" for MADV_HUGEPAGE). */
static bool vma_has_flag(const void *addr, const char *flag)
{
	char *text, *line, *save = NULL;
	bool in = false, found = false;
	uintptr_t a = (uintptr_t)addr;

	assert_int_equal(mt_fs_read("/proc/self/smaps", &text, NULL, NULL), 0);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long s, e;
		char dash;

		if (sscanf(line, "%lx%c%lx ", &s, &dash, &e) == 3 &&
		    dash == '-') {
			in = a >= s && a < e;
			continue;
		}
		if (in && strncmp(line, "VmFlags:", 8) == 0) {
			char *w, *ws = NULL;

			for (w = strtok_r(line + 8, " ", &ws); w;
			     w = strtok_r(NULL, " ", &ws))
				if (strcmp(w, flag) == 0)
					found = true;
		}
	}
	free(text);
	return found;
}

static void test_backing_parse(void **state)
{
	static const char *const bad[] = { "",	  "2mb",  "4K?", "huge",
					   "1gb", "thp ", "4096" };
	enum mt_backing b = MT_BACK_1G;

	(void)state;
	assert_int_equal(mt_backing_parse("4k", &b), 0);
	assert_int_equal(b, MT_BACK_4K);
	assert_int_equal(mt_backing_parse("thp", &b), 0);
	assert_int_equal(b, MT_BACK_THP);
	assert_int_equal(mt_backing_parse("2m", &b), 0);
	assert_int_equal(b, MT_BACK_2M);
	assert_int_equal(mt_backing_parse("1G", &b), 0);
	assert_int_equal(b, MT_BACK_1G);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b = MT_BACK_THP;
		assert_int_equal(mt_backing_parse(bad[i], &b), -EINVAL);
		assert_int_equal(b, MT_BACK_THP); /* left alone */
	}
	assert_int_equal(mt_backing_parse(NULL, &b), -EINVAL);

	for (int i = 0; mt_backing_names[i]; i++) {
		assert_int_equal(mt_backing_parse(mt_backing_names[i], &b), 0);
		assert_string_equal(mt_backing_name(b), mt_backing_names[i]);
	}
	assert_string_equal(mt_backing_name((enum mt_backing)9), "?");
	assert_int_equal(mt_backing_page_size(MT_BACK_4K), 4096);
	assert_int_equal(mt_backing_page_size(MT_BACK_THP), 4096);
	assert_int_equal(mt_backing_page_size(MT_BACK_2M), 2 * MIB);
	assert_int_equal(mt_backing_page_size(MT_BACK_1G), 1024 * MIB);
}

static void test_map_bad_request(void **state)
{
	struct mt_region r;
	struct mt_err err = { 0 };

	(void)state;
	assert_int_equal(mt_region_map(&r, MT_BACK_4K, 0, &err), -EINVAL);
	assert_int_equal(err.kind, MT_ERR_INPUT);
	assert_non_null(strstr(err.msg, "region: bad request"));
	assert_null(r.addr);
	assert_int_equal(mt_region_map(&r, (enum mt_backing)7, 4096, &err),
			 -EINVAL);
	/* unmapping a region that was never mapped is harmless */
	mt_region_unmap(&r);
}

/* A 4k region: size rounded up to 4 KiB, no huge pages, every page
 * resident after the touch. */
static void test_map_4k_smaps(void **state)
{
	struct mt_region r;
	struct mt_err err = { 0 };
	uint64_t huge = 1, rss = 1;

	(void)state;
	assert_int_equal(mt_region_map(&r, MT_BACK_4K, 10 * MIB + 1, &err), 0);
	assert_non_null(r.addr);
	assert_int_equal(r.size, 10 * MIB + 4096);
	assert_int_equal(r.backing, MT_BACK_4K);
	assert_ptr_equal(r.addr, r.map_addr);
	assert_true(vma_has_flag(r.addr, "nh"));
	assert_false(vma_has_flag(r.addr, "hg"));

	assert_int_equal(mt_region_smaps(&r, &huge, &rss, &err), 0);
	assert_int_equal(rss, 0); /* mapped, never touched */

	mt_region_touch(&r);
	assert_int_equal(mt_region_smaps(&r, &huge, &rss, &err), 0);
	assert_int_equal(huge, 0);
	assert_int_equal(rss, r.size);
	assert_true(mt_region_thp_coverage(&r) == 0.0);

	mt_region_unmap(&r);
	assert_null(r.addr);
	assert_int_equal(r.map_size, 0);
	mt_region_unmap(&r); /* twice is harmless */
}

/* A thp region starts on a 2 MiB boundary inside its over-mapping, and
 * what smaps reports is consistent whatever the kernel chose to give. */
static void test_map_thp_aligned(void **state)
{
	struct mt_region r;
	struct mt_err err = { 0 };
	uint64_t huge, rss;
	double cov;

	(void)state;
	for (int i = 0; i < 4; i++) {
		assert_int_equal(mt_region_map(&r, MT_BACK_THP,
					       8 * MIB + (size_t)i * 12288,
					       &err),
				 0);
		assert_int_equal((uintptr_t)r.addr % (2 * MIB), 0);
		assert_true((char *)r.addr >= (char *)r.map_addr);
		assert_true((char *)r.addr + r.size <=
			    (char *)r.map_addr + r.map_size);
		assert_int_equal(r.map_size, r.size + 2 * MIB);
		assert_int_equal(r.size % 4096, 0);
		assert_true(vma_has_flag(r.addr, "hg"));
		assert_true(vma_has_flag((char *)r.addr + r.size - 1, "hg"));
		mt_region_touch(&r);
		assert_int_equal(mt_region_smaps(&r, &huge, &rss, &err), 0);
		assert_int_equal(rss, r.size);
		assert_true(huge <= rss);
		assert_int_equal(huge % (2 * MIB), 0);
		cov = mt_region_thp_coverage(&r);
		assert_true(cov >= 0.0 && cov <= 1.0);
		mt_region_unmap(&r);
	}
}

/* A region split into several VMAs (mprotect of its middle) is summed
 * over all of them; a region that is only part of a VMA counts only its
 * own share. */
static void test_smaps_several_vmas(void **state)
{
	struct mt_region r, part;
	struct mt_err err = { 0 };
	uint64_t huge, rss;

	(void)state;
	assert_int_equal(mt_region_map(&r, MT_BACK_4K, 64 * 4096, &err), 0);
	mt_region_touch(&r);
	assert_int_equal(mprotect((char *)r.addr + 16 * 4096, 8 * 4096,
				  PROT_READ),
			 0);
	assert_int_equal(mt_region_smaps(&r, &huge, &rss, &err), 0);
	assert_int_equal(rss, r.size);
	assert_int_equal(huge, 0);

	part = r;
	part.addr = (char *)r.addr + 4 * 4096;
	part.size = 4 * 4096;
	assert_int_equal(mt_region_smaps(&part, &huge, &rss, &err), 0);
	assert_int_equal(rss, part.size);
	mt_region_unmap(&r);

	memset(&part, 0, sizeof(part));
	assert_int_equal(mt_region_smaps(&part, &huge, &rss, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "unmapped region"));
	assert_true(mt_region_thp_coverage(&part) < 0);
}

static void test_pool_path(void **state)
{
	char buf[128];

	(void)state;
	assert_int_equal(mt_hugetlb_pool_path(2 * MIB, "free_hugepages", buf,
					      sizeof(buf)),
			 0);
	assert_string_equal(buf, "/sys/kernel/mm/hugepages/hugepages-2048kB/"
				 "free_hugepages");
	assert_int_equal(mt_hugetlb_pool_path(1024 * MIB, "nr_hugepages", buf,
					      sizeof(buf)),
			 0);
	assert_string_equal(buf, "/sys/kernel/mm/hugepages/"
				 "hugepages-1048576kB/nr_hugepages");
	assert_int_equal(mt_hugetlb_pool_path(2 * MIB, "nr_hugepages", buf, 20),
			 -ENAMETOOLONG);
}

/* A fake tree with a 2 MiB pool (nr, free, resv, surplus) and no 1 GiB
 * pool, under a fresh mkdtemp directory. */
struct tree {
	char root[64];
	char dir[256];
};

static int tree_setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));
	char cmd[512];

	if (!t)
		return -1;
	strcpy(t->root, "/tmp/mt-test-region-XXXXXX");
	if (!mkdtemp(t->root))
		return -1;
	snprintf(t->dir, sizeof(t->dir),
		 "%s/sys/kernel/mm/hugepages/hugepages-2048kB", t->root);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", t->dir);
	if (system(cmd) != 0)
		return -1;
	mt_test_put(t->dir, "/nr_hugepages", "5\n");
	mt_test_put(t->dir, "/free_hugepages", "3\n");
	mt_test_put(t->dir, "/resv_hugepages", "2\n");
	mt_test_put(t->dir, "/surplus_hugepages", "0\n");
	setenv("MEMTUNE_FSROOT", t->root, 1);
	*state = t;
	return 0;
}

static int tree_teardown(void **state)
{
	struct tree *t = *state;
	char cmd[512];

	unsetenv("MEMTUNE_FSROOT");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->root);
	if (system(cmd) != 0)
		return -1;
	free(t);
	return 0;
}

static void test_pool_read_fake_tree(void **state)
{
	struct tree *t = *state;
	struct mt_hugetlb_pool p;
	struct mt_err err = { 0 };

	assert_int_equal(mt_hugetlb_pool_read(2 * MIB, &p, &err), 0);
	assert_int_equal(p.page_size, 2 * MIB);
	assert_int_equal(p.nr, 5);
	assert_int_equal(p.free, 3);
	assert_int_equal(p.resv, 2);
	assert_int_equal(mt_hugetlb_pool_available(&p), 1);

	assert_int_equal(mt_hugetlb_pool_read(1024 * MIB, &p, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "hugepages-1048576kB"));
	assert_non_null(strstr(err.msg, "no such hugetlb pool"));

	/* a garbled counter is an error naming the file */
	mt_test_put(t->dir, "/free_hugepages", "lots\n");
	assert_true(mt_hugetlb_pool_read(2 * MIB, &p, &err) < 0);
	assert_non_null(strstr(err.msg, "free_hugepages"));
	mt_test_put(t->dir, "/free_hugepages", "3\n");
}

/* True when the live 2 MiB pool cannot give even one page. */
static bool live_pool_empty(void)
{
	struct mt_hugetlb_pool p;
	const char *saved = getenv("MEMTUNE_FSROOT");
	char keep[256] = "";
	int ret;

	if (saved)
		snprintf(keep, sizeof(keep), "%s", saved);
	unsetenv("MEMTUNE_FSROOT");
	ret = mt_hugetlb_pool_read(2 * MIB, &p, NULL);
	if (keep[0])
		setenv("MEMTUNE_FSROOT", keep, 1);
	return ret == 0 && mt_hugetlb_pool_available(&p) == 0;
}

/* With the live pool empty, the mmap fails with ENOMEM and the message
 * says how many pages are free and the exact command to reserve more. */
static void test_hugetlb_empty_pool(void **state)
{
	struct mt_region r;
	struct mt_err err = { 0 };

	(void)state;
	if (!live_pool_empty()) {
		print_message("2 MiB pool has free pages: assertion skipped\n");
		skip();
	}
	assert_int_equal(mt_region_map(&r, MT_BACK_2M, 3 * MIB, &err), -ENOMEM);
	print_message("%s\n", err.msg);
	assert_null(r.addr);
	assert_int_equal(err.kind, MT_ERR_RUNTIME);
	assert_non_null(strstr(err.msg, "region: cannot map 4M of 2M hugetlb "
					"pages: Cannot allocate memory"));
	assert_non_null(strstr(err.msg, "the pool has 0 free"));
	assert_non_null(strstr(err.msg, "2 needed"));
	assert_non_null(strstr(err.msg, "echo 2 > /sys/kernel/mm/hugepages/"
					"hugepages-2048kB/nr_hugepages"));
}

/* The command in the message adds what is missing to the pool as it is:
 * here the fake pool has 5 pages of which 1 is available, and 4 are
 * needed, so the pool must grow to 8. Runs only when the live pool cannot
 * satisfy the mapping, so that the mmap really fails. */
static void test_hugetlb_message_counts(void **state)
{
	struct mt_region r;
	struct mt_err err = { 0 };

	(void)state;
	if (!live_pool_empty())
		skip();
	assert_int_equal(mt_region_map(&r, MT_BACK_2M, 8 * MIB, &err), -ENOMEM);
	assert_non_null(strstr(err.msg, "the pool has 1 free of 5, 4 needed"));
	assert_non_null(strstr(err.msg, "echo 8 > /sys/kernel/mm/hugepages/"
					"hugepages-2048kB/nr_hugepages"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backing_parse),
		cmocka_unit_test(test_map_bad_request),
		cmocka_unit_test(test_map_4k_smaps),
		cmocka_unit_test(test_map_thp_aligned),
		cmocka_unit_test(test_smaps_several_vmas),
		cmocka_unit_test(test_pool_path),
		cmocka_unit_test_setup_teardown(test_pool_read_fake_tree,
						tree_setup, tree_teardown),
		cmocka_unit_test(test_hugetlb_empty_pool),
		cmocka_unit_test_setup_teardown(test_hugetlb_message_counts,
						tree_setup, tree_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
