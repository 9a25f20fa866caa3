/* Unit tests for the knobs table as safety data (core/knobs.c): ranges by
 * kernel version, the kernel's defaults, the danger thresholds, the new
 * knobs' paths (which are the journal's whitelist), and apply refusing a
 * value this kernel does not accept on a copy of a fixture tree
 * (swappiness 150 on old-4x, Linux 4.19; accepted on zram-laptop, 6.8). */
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

#include "../../advisor/advisor.h"
#include "../../core/knobs.h"
#include "helpers/fixtures.h"

#define GIB (1ULL << 30)

/* True if value is valid for knob name on kernel kv. */
static bool valid_on(const char *name, int kv, const char *value)
{
	struct mt_knob k;
	char why[256];

	assert_int_equal(mt_knob_lookup_kv(name, 16 * GIB, kv, &k), 0);
	return mt_knob_check(&k, value, why, sizeof(why));
}

static void test_kernel_version(void **state)
{
	(void)state;
	assert_int_equal(mt_kernel_version("4.19.0-25-amd64"), MT_KV(4, 19));
	assert_int_equal(mt_kernel_version("6.8.0-45-generic"), 6008);
	assert_int_equal(mt_kernel_version("5.15.0-105-generic"), 5015);
	assert_int_equal(mt_kernel_version("linux"), 0);
	assert_int_equal(mt_kernel_version(""), 0);
	assert_int_equal(mt_kernel_version(NULL), 0);
	assert_true(MT_KV(4, 19) < MT_KV(5, 0));
}

static void test_ranges_by_version(void **state)
{
	struct mt_knob k;
	char why[256];

	(void)state;
	/* swappiness: 0..100 before 5.8, 0..200 from 5.8. */
	assert_false(valid_on("vm.swappiness", MT_KV(4, 19), "150"));
	assert_true(valid_on("vm.swappiness", MT_KV(4, 19), "100"));
	assert_false(valid_on("vm.swappiness", MT_KV(5, 7), "101"));
	assert_true(valid_on("vm.swappiness", MT_KV(5, 8), "150"));
	assert_true(valid_on("vm.swappiness", MT_KV(6, 8), "200"));
	assert_false(valid_on("vm.swappiness", MT_KV(6, 8), "201"));
	assert_true(valid_on("vm.swappiness", 0, "150")); /* unknown */
	assert_int_equal(mt_knob_lookup_kv("vm.swappiness", 0, MT_KV(4, 19),
					   &k),
			 0);
	assert_int_equal(k.max, 100);
	assert_false(mt_knob_check(&k, "150", why, sizeof(why)));
	assert_string_equal(why, "150 is outside 0..100 (0..100 (before "
				 "Linux 5.8) on this kernel)");
	/* watermark_scale_factor: 1..1000 before 5.17. */
	assert_false(valid_on("vm.watermark_scale_factor", MT_KV(5, 15),
			      "2000"));
	assert_true(valid_on("vm.watermark_scale_factor", MT_KV(5, 17),
			     "2000"));
	assert_false(valid_on("vm.watermark_scale_factor", MT_KV(6, 8), "0"));
	/* numa_balancing: 0..1 before 5.18, a bitmask 0..3 from 5.18. */
	assert_false(valid_on("kernel.numa_balancing", MT_KV(5, 15), "2"));
	assert_true(valid_on("kernel.numa_balancing", MT_KV(5, 18), "2"));
	assert_false(valid_on("kernel.numa_balancing", MT_KV(6, 8), "4"));
	/* watermark_boost_factor came with 5.0. */
	assert_int_equal(mt_knob_lookup_kv("vm.watermark_boost_factor", 0,
					   MT_KV(4, 19), &k),
			 -EOPNOTSUPP);
	assert_int_equal(k.since, MT_KV(5, 0));
	assert_int_equal(mt_knob_lookup_kv("vm.watermark_boost_factor", 0,
					   MT_KV(5, 0), &k),
			 0);
	assert_int_equal(mt_knob_lookup_kv("lru_gen.enabled", 0, MT_KV(5, 15),
					   &k),
			 -EOPNOTSUPP);
	assert_int_equal(mt_knob_lookup_kv("lru_gen.enabled", 0, MT_KV(6, 1),
					   &k),
			 0);
	assert_int_equal(mt_knob_lookup_kv("vm.nosuch", 0, MT_KV(6, 1), &k),
			 -ENOENT);
	/* The kernel's own min_free_kbytes clamp. */
	assert_int_equal(mt_knob_min_free_kbytes_clamp(MT_KV(4, 19)), 65536);
	assert_int_equal(mt_knob_min_free_kbytes_clamp(MT_KV(5, 6)), 65536);
	assert_int_equal(mt_knob_min_free_kbytes_clamp(MT_KV(5, 7)), 262144);
	assert_int_equal(mt_knob_min_free_kbytes_clamp(0), 262144);
	/* The advisor's own computation follows the clamp: int_sqrt of
	 * 1 TiB of lowmem x 16 is 131072 kB, over the old clamp. */
	assert_int_equal(mt_min_free_kbytes_default(
				 1ULL << 30, 1, false, 512,
				 mt_knob_min_free_kbytes_clamp(MT_KV(4, 19)) >
					 65536),
			 65536);
	assert_int_equal(mt_min_free_kbytes_default(
				 1ULL << 30, 1, false, 512,
				 mt_knob_min_free_kbytes_clamp(MT_KV(6, 8)) >
					 65536),
			 131072);
}

static void test_new_knobs(void **state)
{
	struct mt_knob k;

	(void)state;
	mt_test_knob("kernel.numa_balancing", 0, &k,
		     "/proc/sys/kernel/numa_balancing",
		     "kernel.numa_balancing");
	assert_null(k.persist);
	assert_null(k.dflt);
	assert_non_null(strstr(k.dflt_note, "CONFIG_NUMA_BALANCING_DEFAULT"));
	mt_test_knob("vm.page-cluster", 0, &k, "/proc/sys/vm/page-cluster",
		     "vm.page-cluster");
	assert_string_equal(k.dflt, "3");
	assert_true(valid_on("vm.page-cluster", 0, "0"));
	assert_false(valid_on("vm.page-cluster", 0, "32"));
	mt_test_knob("zswap.enabled", 0, &k,
		     "/sys/module/zswap/parameters/enabled", "");
	assert_non_null(strstr(k.persist, "zswap.enabled=1"));
	assert_true(valid_on("zswap.enabled", 0, "Y"));
	assert_true(valid_on("zswap.enabled", 0, "N"));
	assert_false(valid_on("zswap.enabled", 0, "yes"));
	assert_true(valid_on("zswap.compressor", 0, "zstd"));
	assert_true(valid_on("zswap.compressor", 0, "lzo-rle"));
	assert_false(valid_on("zswap.compressor", 0, "rot13"));
	assert_true(valid_on("zswap.max_pool_percent", 0, "100"));
	assert_false(valid_on("zswap.max_pool_percent", 0, "101"));
	assert_int_equal(mt_knob_lookup("lru_gen.enabled", 0, &k), 0);
	assert_string_equal(k.path, "/sys/kernel/mm/lru_gen/enabled");
	assert_non_null(strstr(k.persist, "tmpfiles.d"));
	assert_true(valid_on("lru_gen.enabled", 0, "0x0007"));
	assert_true(valid_on("lru_gen.enabled", 0, "n"));
	assert_false(valid_on("lru_gen.enabled", 0, "0x0008"));
	assert_int_equal(
		mt_knob_lookup("transparent_hugepage.khugepaged.max_ptes_none",
			       0, &k),
		0);
	assert_string_equal(k.path, "/sys/kernel/mm/transparent_hugepage/"
				    "khugepaged/max_ptes_none");
	assert_string_equal(k.dflt, "511");
	assert_false(valid_on("transparent_hugepage.khugepaged."
			      "max_ptes_none",
			      0, "512"));
	assert_true(valid_on("transparent_hugepage.shmem_enabled", 0,
			     "within_size"));
	assert_false(valid_on("transparent_hugepage.shmem_enabled", 0,
			      "inherit"));
	/* overcommit_ratio is a percentage with no upper bound. */
	assert_true(valid_on("vm.overcommit_ratio", 0, "150"));
	assert_false(valid_on("vm.overcommit_ratio", 0, "-1"));
	assert_true(valid_on("vm.overcommit_kbytes", 0, "4194304"));
	assert_int_equal(mt_knob_lookup("vm.max_map_count", 0, &k), 0);
	assert_string_equal(k.dflt, "65530");
	assert_true(valid_on("vm.max_map_count", 0, "262144"));
	assert_int_equal(mt_knob_lookup("vm.dirty_expire_centisecs", 0, &k), 0);
	assert_string_equal(k.dflt, "3000");
	assert_int_equal(mt_knob_lookup("vm.dirty_writeback_centisecs", 0, &k),
			 0);
	assert_string_equal(k.dflt, "500");
	assert_int_equal(mt_knob_lookup("vm.vfs_cache_pressure", 0, &k), 0);
	assert_string_equal(k.dflt, "100");
	assert_non_null(strstr(k.source, "docs.kernel.org"));
	assert_int_equal(mt_knob_lookup("vm.watermark_boost_factor", 0, &k), 0);
	assert_string_equal(k.dflt, "15000");
	assert_int_equal(mt_knob_lookup("vm.swappiness", 0, &k), 0);
	assert_string_equal(k.dflt, "60");
	assert_null(mt_knob_lookup("vm.min_free_kbytes", 0, &k) == 0 ? k.dflt :
								       "x");
	/* The journal's whitelist follows the table, by path. */
	assert_int_equal(mt_knob_lookup_path("/sys/module/zswap/parameters/"
					     "enabled",
					     0, &k),
			 0);
	assert_string_equal(k.name, "zswap.enabled");
	assert_int_equal(mt_knob_lookup_path("/proc/sys/kernel/numa_"
					     "balancing",
					     0, &k),
			 0);
	assert_int_equal(mt_knob_lookup_path("/sys/module/zswap/parameters/"
					     "zpool",
					     0, &k),
			 -ENOENT);
	assert_int_equal(mt_knob_lookup_path("/proc/sys/kernel/core_pattern", 0,
					     &k),
			 -ENOENT);
}

/* Every knob of the table states its source and its default (or what the
 * default depends on), and a value the kernel prints for it is one the
 * table accepts (what journal playback writes back). */
static void test_every_row(void **state)
{
	static const struct {
		const char *name, *printed;
	} knobs[] = {
		{ "vm.swappiness", "60" },
		{ "vm.min_free_kbytes", "67584" },
		{ "vm.watermark_scale_factor", "10" },
		{ "vm.watermark_boost_factor", "15000" },
		{ "vm.zone_reclaim_mode", "0" },
		{ "vm.nr_hugepages", "0" },
		{ "vm.dirty_ratio", "20" },
		{ "vm.dirty_background_ratio", "10" },
		{ "vm.dirty_bytes", "0" },
		{ "vm.dirty_background_bytes", "0" },
		{ "vm.dirty_expire_centisecs", "3000" },
		{ "vm.dirty_writeback_centisecs", "500" },
		{ "vm.overcommit_memory", "0" },
		{ "vm.overcommit_ratio", "50" },
		{ "vm.overcommit_kbytes", "0" },
		{ "vm.max_map_count", "65530" },
		{ "vm.vfs_cache_pressure", "100" },
		{ "vm.page-cluster", "3" },
		{ "kernel.numa_balancing", "1" },
		{ "transparent_hugepage.enabled", "madvise" },
		{ "transparent_hugepage.defrag", "madvise" },
		{ "transparent_hugepage.shmem_enabled", "never" },
		{ "transparent_hugepage.khugepaged.max_ptes_none", "511" },
		{ "zswap.enabled", "Y" },
		{ "zswap.max_pool_percent", "20" },
		{ "zswap.compressor", "lzo-rle" },
		{ "lru_gen.enabled", "0x0007" },
	};
	struct mt_knob k, byp;
	char why[256];

	(void)state;
	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		assert_int_equal(mt_knob_lookup(knobs[i].name, 16 * GIB, &k),
				 0);
		assert_non_null(k.source);
		assert_true(k.dflt || k.dflt_note);
		if (k.dflt && !mt_knob_check(&k, k.dflt, why, sizeof(why)))
			fail_msg("%s: default %s: %s", k.name, k.dflt, why);
		if (!mt_knob_check(&k, knobs[i].printed, why, sizeof(why)))
			fail_msg("%s: %s", k.name, why);
		/* sysctl.d line or a way to persist it, never both. */
		assert_true(!k.sysctl[0] == !!k.persist);
		assert_int_equal(mt_knob_lookup_path(k.path, 16 * GIB, &byp),
				 0);
		assert_string_equal(byp.name, k.name);
	}
}

/* True if value is dangerous for knob name with 24 GiB. */
static bool danger(const char *name, const char *value, char *why, size_t len)
{
	struct mt_knob k;

	assert_int_equal(mt_knob_lookup(name, 24 * GIB, &k), 0);
	why[0] = '\0';
	return mt_knob_danger(&k, value, 24 * GIB, why, len);
}

static void test_danger(void **state)
{
	/* name, value, dangerous with 24 GiB, and a part of the why. */
	static const struct {
		const char *name, *value;
		bool danger;
		const char *why;
	} cases[] = {
		{ "vm.swappiness", "0", true, "swappiness=0" },
		{ "vm.swappiness", "1", false, NULL },
		{ "vm.zone_reclaim_mode", "4", true, NULL },
		{ "vm.zone_reclaim_mode", "0", false, NULL },
		{ "vm.overcommit_memory", "2", true, NULL },
		{ "vm.overcommit_memory", "1", false, NULL },
		/* 2% of 24 GiB is 503316 KiB. */
		{ "vm.min_free_kbytes", "503316", false, NULL },
		{ "vm.min_free_kbytes", "503317", true, "2%" },
		{ "vm.vfs_cache_pressure", "0", true, "out-of-memory" },
		{ "vm.vfs_cache_pressure", "500", false, NULL },
		{ "vm.dirty_writeback_centisecs", "0", true, NULL },
		{ "vm.max_map_count", "65529", true, NULL },
		{ "vm.max_map_count", "65530", false, NULL },
		{ "vm.max_map_count", "262144", false, NULL },
		{ "transparent_hugepage.shmem_enabled", "force", true, NULL },
		{ "transparent_hugepage.shmem_enabled", "deny", true, NULL },
		{ "transparent_hugepage.shmem_enabled", "advise", false, NULL },
		{ "zswap.enabled", "N", false, NULL },
		{ "vm.watermark_boost_factor", "15000", false, NULL },
		{ "vm.watermark_boost_factor", "0", false, NULL },
		{ "vm.watermark_boost_factor", "15001", true,
		  "more than 150% of the high" },
	};
	char why[512];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		if (danger(cases[i].name, cases[i].value, why, sizeof(why)) !=
		    cases[i].danger)
			fail_msg("%s=%s: expected %s", cases[i].name,
				 cases[i].value,
				 cases[i].danger ? "dangerous" : "safe");
		if (cases[i].why && !strstr(why, cases[i].why))
			fail_msg("%s=%s: '%s' not in: %s", cases[i].name,
				 cases[i].value, cases[i].why, why);
	}
	/* apply's guard is the table's. */
	assert_true(mt_apply_guarded("vm.vfs_cache_pressure", "0", 24 * GIB,
				     why, sizeof(why)));
	assert_true(mt_apply_guarded("transparent_hugepage.shmem_enabled",
				     "force", 24 * GIB, why, sizeof(why)));
	assert_false(mt_apply_guarded("swap.priority:/dev/zram0", "100",
				      24 * GIB, why, sizeof(why)));
	assert_false(mt_apply_guarded(NULL, "0", 0, why, sizeof(why)));
}

/* Writes an advice.json with one medium-confidence item setting knob to
 * value (current cur) into dir. */
static void write_advice(const char *dir, const char *knob, const char *cur,
			 const char *value)
{
	struct mt_advice a = { 0 };
	struct mt_err err = { 0 };
	struct mt_item *it = mt_advice_add(&a, NULL, "item");

	assert_non_null(it);
	snprintf(it->rule, sizeof(it->rule), "test");
	mt_item_knob_to(it, knob, cur, value);
	it->confidence = MT_CONF_MEDIUM;
	mt_item_reason(it, "test.");
	assert_int_equal(mt_advice_write(dir, &a, &err), 0);
	mt_advice_free(&a);
}

/* Copies fixture tree `name` into tmp/root and returns 0. */
static void copy_tree(const char *tmp, const char *name)
{
	char cmd[8192];

	snprintf(cmd, sizeof(cmd), "cp -a %s %s/root && mkdir -p %s/run",
		 mt_test_machine(name), tmp, tmp);
	assert_int_equal(system(cmd), 0);
}

/* Runs apply (dry run unless wet) on tmp/run against tmp/root; returns its
 * result, the output in out (malloc'ed). */
static int run_apply(const char *tmp, bool wet, char **out_text,
		     struct mt_err *err)
{
	struct mt_apply_opts o = { 0 };
	char root[4200], run[4200], jpath[4200];
	size_t len;
	FILE *out;
	int rc, problems = 0;

	snprintf(root, sizeof(root), "%s/root", tmp);
	snprintf(run, sizeof(run), "%s/run", tmp);
	snprintf(jpath, sizeof(jpath), "%s/apply.journal", tmp);
	o.journal_path = jpath;
	o.skip_privilege_check = true;
	o.dry_run = !wet;
	setenv("MEMTUNE_FSROOT", root, 1);
	out = open_memstream(out_text, &len);
	rc = mt_apply(run, &o, out, &problems, err);
	fclose(out);
	unsetenv("MEMTUNE_FSROOT");
	return rc;
}

static void test_apply_by_kernel(void **state)
{
	char tmp[] = "/tmp/mt-knobs-XXXXXX", cmd[8192], run[4200];
	struct mt_err err = { 0 };
	char *text = NULL;

	(void)state;
	/* Linux 4.19: swappiness 150 is refused, nothing applied. */
	assert_non_null(mkdtemp(tmp));
	copy_tree(tmp, "old-4x");
	snprintf(run, sizeof(run), "%s/run", tmp);
	write_advice(run, "vm.swappiness", "60", "150");
	assert_true(run_apply(tmp, false, &text, &err) < 0);
	free(text);
	assert_int_equal(err.kind, MT_ERR_INPUT);
	assert_non_null(strstr(err.msg, "150 is outside 0..100"));
	assert_non_null(strstr(err.msg, "nothing was applied"));
	/* and watermark_boost_factor does not exist there. */
	write_advice(run, "vm.watermark_boost_factor", "15000", "0");
	assert_true(run_apply(tmp, false, &text, &err) < 0);
	free(text);
	assert_non_null(strstr(err.msg,
			       "this kernel (4.19.0-25-amd64) has "
			       "no vm.watermark_boost_factor: it came with "
			       "Linux 5.0"));
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	assert_int_equal(system(cmd), 0);

	/* Linux 6.8: 150 is fine. */
	strcpy(tmp, "/tmp/mt-knobs-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	copy_tree(tmp, "zram-laptop");
	snprintf(run, sizeof(run), "%s/run", tmp);
	write_advice(run, "vm.swappiness", "60", "150");
	assert_int_equal(run_apply(tmp, false, &text, &err), 0);
	assert_non_null(strstr(text, "would set vm.swappiness: 60 -> 150"));
	free(text);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	assert_int_equal(system(cmd), 0);
}

static void test_apply_sysfs_knob_and_rollback(void **state)
{
	char tmp[] = "/tmp/mt-knobs-XXXXXX", cmd[8192], run[4200];
	char path[4200], jpath[4200], buf[64];
	struct mt_err err = { 0 };
	char *text = NULL;
	size_t len;
	FILE *out;

	(void)state;
	assert_non_null(mkdtemp(tmp));
	copy_tree(tmp, "zram-laptop");
	snprintf(run, sizeof(run), "%s/run", tmp);
	write_advice(run, "zswap.enabled", "Y", "N");
	assert_int_equal(run_apply(tmp, true, &text, &err), 0);
	assert_non_null(strstr(text, "set      zswap.enabled: Y -> N"));
	free(text);
	snprintf(path, sizeof(path),
		 "%s/root/sys/module/zswap/parameters/"
		 "enabled",
		 tmp);
	mt_test_slurp(path, buf, sizeof(buf));
	assert_string_equal(buf, "N\n");
	/* The journal's playback accepts the path (the table's). */
	snprintf(jpath, sizeof(jpath), "%s/apply.journal", tmp);
	snprintf(cmd, sizeof(cmd), "%s/root", tmp);
	setenv("MEMTUNE_FSROOT", cmd, 1);
	out = open_memstream(&text, &len);
	assert_int_equal(mt_rollback(jpath, out, &err), 0);
	fclose(out);
	free(text);
	unsetenv("MEMTUNE_FSROOT");
	mt_test_slurp(path, buf, sizeof(buf));
	assert_string_equal(buf, "Y\n");
	assert_false(access(jpath, F_OK) == 0);

	/* A guarded value needs --force. */
	write_advice(run, "transparent_hugepage.shmem_enabled", "never",
		     "force");
	assert_int_equal(run_apply(tmp, false, &text, &err), 0);
	assert_non_null(strstr(text, "refused  transparent_hugepage."
				     "shmem_enabled=force: shmem_enabled=force "
				     "forces huge pages"));
	free(text);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_version),
		cmocka_unit_test(test_ranges_by_version),
		cmocka_unit_test(test_new_knobs),
		cmocka_unit_test(test_every_row),
		cmocka_unit_test(test_danger),
		cmocka_unit_test(test_apply_by_kernel),
		cmocka_unit_test(test_apply_sysfs_knob_and_rollback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
