/* The system-wide knob rules (vfs_cache_pressure, numa_balancing,
 * khugepaged, zram, dirty_writeback, zswap, swap_priority, mglru) on the
 * fixture trees zram-laptop, zram-host, numa2-zone-reclaim and old-4x, and
 * on variants of them made in /tmp: each item's value, change, ground and
 * confidence pinned. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers/fake_tree.h"
#include "helpers/fixtures.h"

#include "../../advisor/advisor.h"

static const char balanced_ini[] = "[profile]\ngoal = balanced\n";

static const char *const my_rules[] = { "vfs_cache_pressure",
					"numa_balancing",
					"khugepaged",
					"zram",
					"dirty_writeback",
					"zswap",
					"swap_priority",
					"mglru",
					NULL };

/* Runs the advisor on the tree at root. */
static void advise_root(const char *root, struct mt_advice *a)
{
	mt_test_advise_root(root, "balanced", balanced_ini, a);
}

/* Every item of the rules above states its ground and a source. */
static void check_grounds(const struct mt_advice *a)
{
	for (size_t i = 0; i < a->n; i++) {
		const struct mt_item *it = &a->items[i];
		bool mine = false;

		for (size_t r = 0; my_rules[r]; r++)
			mine |= strcmp(it->rule, my_rules[r]) == 0;
		if (!mine)
			continue;
		if (it->ground == MT_GROUND_NONE)
			fail_msg("item %s states no ground", it->id);
		assert_non_null(strstr(it->source, "https://"));
		assert_true(it->reason[0]);
		assert_false(it->measured);
	}
}

/* Checks item id: knob, value, change, ground and confidence. */
static const struct mt_item *expect(const struct mt_advice *a, const char *id,
				    const char *knob, const char *current,
				    const char *value, bool change,
				    enum mt_ground g)
{
	const struct mt_item *it = mt_advice_find(a, id);

	if (!it)
		fail_msg("no item %s", id);
	assert_string_equal(it->knob, knob);
	assert_string_equal(it->current, current);
	assert_string_equal(it->recommended, value);
	assert_int_equal(it->change, change);
	assert_int_equal(it->ground, g);
	assert_int_equal(it->confidence,
			 g == MT_GROUND_DOCUMENTED ? MT_CONF_MEDIUM :
			 g == MT_GROUND_PRACTICE   ? MT_CONF_LOW :
						     MT_CONF_HIGH);
	return it;
}

static void test_zram_laptop(void **state)
{
	const struct mt_item *it;
	struct mt_advice a;

	(void)state;
	advise_root(mt_test_machine("zram-laptop"), &a);
	check_grounds(&a);
	it = expect(&a, "vfs_cache_pressure", "vm.vfs_cache_pressure", "100",
		    "100", false, MT_GROUND_DOCUMENTED);
	assert_string_equal(it->path, "/proc/sys/vm/vfs_cache_pressure");
	assert_string_equal(it->apply, "sysctl -w vm.vfs_cache_pressure=100");
	expect(&a, "numa_balancing", "kernel.numa_balancing", "0", "0", false,
	       MT_GROUND_DOCUMENTED);
	expect(&a, "khugepaged_max_ptes_none",
	       "transparent_hugepage.khugepaged.max_ptes_none", "511", "511",
	       false, MT_GROUND_DOCUMENTED);
	expect(&a, "thp_shmem_enabled", "transparent_hugepage.shmem_enabled",
	       "never", "never", false, MT_GROUND_DOCUMENTED);
	/* The disk is swapped to first: readahead and boosting serve it. */
	it = expect(&a, "zram_page_cluster", "vm.page-cluster", "3", "3", false,
		    MT_GROUND_DOCUMENTED);
	assert_non_null(strstr(it->reason, "disk swap device has a higher "
					   "priority"));
	expect(&a, "zram_watermark_boost", "vm.watermark_boost_factor", "15000",
	       "15000", false, MT_GROUND_DOCUMENTED);
	expect(&a, "dirty_expire_centisecs", "vm.dirty_expire_centisecs",
	       "3000", "3000", false, MT_GROUND_DOCUMENTED);
	expect(&a, "dirty_writeback_centisecs", "vm.dirty_writeback_centisecs",
	       "500", "500", false, MT_GROUND_DOCUMENTED);
	it = expect(&a, "zswap_enabled", "zswap.enabled", "Y", "Y", false,
		    MT_GROUND_DOCUMENTED);
	assert_string_equal(it->path, "/sys/module/zswap/parameters/enabled");
	assert_string_equal(it->sysctl, "");
	expect(&a, "zswap_max_pool_percent", "zswap.max_pool_percent", "20",
	       "20", false, MT_GROUND_DOCUMENTED);
	expect(&a, "zswap_compressor", "zswap.compressor", "zstd", "zstd",
	       false, MT_GROUND_DOCUMENTED);
	/* zram (-3) below the disk (-2): zram to 100, by hand. */
	it = expect(&a, "swap_priority.zram0", "swap.priority:/dev/zram0", "-3",
		    "100", true, MT_GROUND_DOCUMENTED);
	assert_string_equal(it->path, "");
	assert_non_null(strstr(it->apply, "swapoff /dev/zram0 && swapon -p "
					  "100 /dev/zram0"));
	assert_non_null(strstr(it->reason, "below the disk /dev/nvme0n1p3 "
					   "at -2"));
	it = expect(&a, "lru_gen", "lru_gen.enabled", "0x0007", "0x0007", false,
		    MT_GROUND_DOCUMENTED);
	assert_non_null(strstr(it->reason, "vm.swappiness (60 here) no "
					   "longer sets the ratio"));
	assert_string_equal(it->apply,
			    "echo 0x0007 > /sys/kernel/mm/lru_gen/enabled");
	mt_advice_free(&a);
}

static void test_zram_host(void **state)
{
	const struct mt_item *it;
	struct mt_advice a;

	(void)state;
	/* zram only, already tuned: keep, as practice. No zswap, no MGLRU
	 * files in this tree, and one kind of swap: no priority item. */
	advise_root(mt_test_machine("zram-host"), &a);
	check_grounds(&a);
	it = expect(&a, "zram_page_cluster", "vm.page-cluster", "0", "0", false,
		    MT_GROUND_PRACTICE);
	assert_non_null(strstr(it->source, "wiki.archlinux.org"));
	expect(&a, "zram_watermark_boost", "vm.watermark_boost_factor", "0",
	       "0", false, MT_GROUND_PRACTICE);
	assert_null(mt_advice_find(&a, "zswap_enabled"));
	assert_null(mt_advice_find(&a, "lru_gen"));
	assert_null(mt_advice_find(&a, "swap_priority.zram0"));
	assert_null(mt_advice_find(&a, "numa_balancing"));
	mt_advice_free(&a);
}

/* A copy of tree `name` in a new directory under /tmp (returned in dir)
 * with the files listed as "/path", text pairs replaced. */
static void variant(const char *name, char *dir, const char *const *files)
{
	mt_test_copy_machine(name, dir, 64, "rules");
	for (size_t i = 0; files[i]; i += 2)
		mt_test_put(dir, files[i], files[i + 1]);
}

static void test_zram_first(void **state)
{
	static const char *const files[] = {
		"/proc/swaps",
		"Filename\tType\tSize\tUsed\tPriority\n"
		"/dev/nvme0n1p3 partition 8388604 0 -2\n"
		"/dev/zram0 partition 8388604 524288 100\n",
		"/sys/kernel/mm/transparent_hugepage/shmem_enabled",
		"always within_size advise never deny [force]\n", NULL
	};
	const struct mt_item *it;
	struct mt_advice a;
	char dir[64];

	(void)state;
	/* The laptop with zram first: the zram practice applies. */
	variant("zram-laptop", dir, files);
	advise_root(dir, &a);
	check_grounds(&a);
	it = expect(&a, "zram_page_cluster", "vm.page-cluster", "3", "0", true,
		    MT_GROUND_PRACTICE);
	assert_non_null(strstr(it->reason, "reads 8 pages together"));
	assert_string_equal(it->apply, "sysctl -w vm.page-cluster=0");
	it = expect(&a, "zram_watermark_boost", "vm.watermark_boost_factor",
		    "15000", "0", true, MT_GROUND_PRACTICE);
	assert_non_null(strstr(it->reason, "up to 150% of the high"));
	it = expect(&a, "zswap_enabled", "zswap.enabled", "Y", "N", true,
		    MT_GROUND_PRACTICE);
	assert_string_equal(it->apply,
			    "echo N > /sys/module/zswap/parameters/enabled");
	assert_non_null(strstr(it->source, "Zram#Disable_zswap"));
	it = expect(&a, "swap_priority.zram0", "swap.priority:/dev/zram0",
		    "100", "100", false, MT_GROUND_DOCUMENTED);
	assert_string_equal(it->apply, "");
	/* shmem_enabled force: back to the default, and guarded. */
	it = expect(&a, "thp_shmem_enabled",
		    "transparent_hugepage.shmem_enabled", "force", "never",
		    true, MT_GROUND_DOCUMENTED);
	assert_non_null(strstr(it->reason, "for testing"));
	mt_advice_free(&a);
	mt_test_remove_tree(dir);
}

static void test_numa2_zone_reclaim(void **state)
{
	const struct mt_item *it;
	struct mt_advice a;

	(void)state;
	advise_root(mt_test_machine("numa2-zone-reclaim"), &a);
	check_grounds(&a);
	it = expect(&a, "numa_balancing", "kernel.numa_balancing", "1", "1",
		    false, MT_GROUND_DOCUMENTED);
	assert_string_equal(it->sysctl, "kernel.numa_balancing");
	assert_string_equal(it->path, "/proc/sys/kernel/numa_balancing");
	assert_non_null(strstr(it->reason, "should be disabled"));
	assert_non_null(strstr(it->reason, "zone_reclaim_mode 1 also keeps "
					   "memory local"));
	it = expect(&a, "vfs_cache_pressure", "vm.vfs_cache_pressure", "500",
		    "100", true, MT_GROUND_DOCUMENTED);
	assert_non_null(strstr(it->reason, "significantly beyond 100"));
	expect(&a, "zswap_enabled", "zswap.enabled", "N", "N", false,
	       MT_GROUND_DOCUMENTED);
	expect(&a, "khugepaged_max_ptes_none",
	       "transparent_hugepage.khugepaged.max_ptes_none", "511", "511",
	       false, MT_GROUND_DOCUMENTED);
	/* No zram, no MGLRU (5.15). */
	assert_null(mt_advice_find(&a, "zram_page_cluster"));
	assert_null(mt_advice_find(&a, "lru_gen"));
	mt_advice_free(&a);
}

static void test_numa2_balancing_off(void **state)
{
	static const char *const files[] = { "/proc/sys/kernel/numa_balancing",
					     "0\n",
					     "/proc/sys/vm/zone_reclaim_mode",
					     "0\n",
					     "/proc/sys/vm/vfs_cache_pressure",
					     "0\n",
					     NULL };
	const struct mt_item *it;
	struct mt_advice a;
	char dir[64];

	(void)state;
	variant("numa2-zone-reclaim", dir, files);
	advise_root(dir, &a);
	it = expect(&a, "numa_balancing", "kernel.numa_balancing", "0", "0",
		    false, MT_GROUND_DOCUMENTED);
	assert_non_null(strstr(it->reason, "off on a machine with 2 nodes"));
	assert_null(strstr(it->reason, "zone_reclaim_mode"));
	it = expect(&a, "vfs_cache_pressure", "vm.vfs_cache_pressure", "0",
		    "100", true, MT_GROUND_DOCUMENTED);
	assert_non_null(strstr(it->reason, "out-of-memory"));
	mt_advice_free(&a);
	mt_test_remove_tree(dir);
}

static void test_old_4x(void **state)
{
	const struct mt_item *it;
	struct mt_advice a;

	(void)state;
	advise_root(mt_test_machine("old-4x"), &a);
	check_grounds(&a);
	it = expect(&a, "dirty_writeback_centisecs",
		    "vm.dirty_writeback_centisecs", "0", "500", true,
		    MT_GROUND_DOCUMENTED);
	assert_non_null(strstr(it->reason, "disables periodic writeback "
					   "altogether"));
	expect(&a, "dirty_expire_centisecs", "vm.dirty_expire_centisecs",
	       "3000", "3000", false, MT_GROUND_DOCUMENTED);
	expect(&a, "vfs_cache_pressure", "vm.vfs_cache_pressure", "100", "100",
	       false, MT_GROUND_DOCUMENTED);
	it = expect(&a, "numa_balancing", "kernel.numa_balancing", "0", "0",
		    false, MT_GROUND_DOCUMENTED);
	assert_non_null(strstr(it->reason, "One node"));
	it = expect(&a, "khugepaged_max_ptes_none",
		    "transparent_hugepage.khugepaged.max_ptes_none", "511",
		    "511", false, MT_GROUND_DOCUMENTED);
	assert_non_null(strstr(it->reason, "with enabled = always concerns "
					   "every process"));
	/* 4.19: no MGLRU, no watermark_boost_factor, no zram. */
	assert_null(mt_advice_find(&a, "lru_gen"));
	assert_null(mt_advice_find(&a, "zram_watermark_boost"));
	assert_null(mt_advice_find(&a, "zram_page_cluster"));
	assert_null(mt_advice_find(&a, "swap_priority.zram0"));
	mt_advice_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zram_laptop),
		cmocka_unit_test(test_zram_host),
		cmocka_unit_test(test_zram_first),
		cmocka_unit_test(test_numa2_zone_reclaim),
		cmocka_unit_test(test_numa2_balancing_off),
		cmocka_unit_test(test_old_4x),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
