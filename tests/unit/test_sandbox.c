/* Tests of bench/kit/sandbox.c: the parsers of /proc/swaps, PSI, memory.stat
 * and memory.events text, the swap header bytes, kernel version checks,
 * and the read-only paths (cgroup counters, existing swap) against a fake
 * tree under MEMTUNE_FSROOT. Nothing here changes the machine. */
#include <errno.h>
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

#include "../../bench/kit/sandbox.h"

static char tmp[256];

static void put(const char *rel, const char *text)
{
	char path[512], dir[512], *slash;

	snprintf(path, sizeof(path), "%s%s", tmp, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	for (slash = dir + strlen(tmp) + 1; (slash = strchr(slash, '/'));
	     slash++) {
		*slash = '\0';
		mkdir(dir, 0755);
		*slash = '/';
	}
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup_tree(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/test_sandbox.XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	setenv("MEMTUNE_FSROOT", tmp, 1);
	return 0;
}

static int teardown_tree(void **state)
{
	char cmd[300];

	(void)state;
	unsetenv("MEMTUNE_FSROOT");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- /proc/swaps ------------------------------------------------------- */

static void test_swaps_parse(void **state)
{
	const char *text =
		"Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
		"/dev/sda2                               partition\t8388604"
		"\t\t1024\t\t-2\n"
		"/var/tmp/my\\040swap                     file\t\t1048572"
		"\t\t0\t\t-3\n"
		"/dev/zram0                              partition\t4194300"
		"\t\t0\t\t100\n";
	struct mt_swap_dev d[4];
	size_t n = 99;

	(void)state;
	assert_int_equal(mt_swaps_parse(text, d, 4, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(d[0].path, "/dev/sda2");
	assert_string_equal(d[0].type, "partition");
	assert_int_equal(d[0].size_bytes, 8388604ull * 1024);
	assert_int_equal(d[0].used_bytes, 1024ull * 1024);
	assert_int_equal(d[0].priority, -2);
	assert_string_equal(d[1].path, "/var/tmp/my swap");
	assert_string_equal(d[1].type, "file");
	assert_string_equal(d[2].type, "zram");
	assert_int_equal(d[2].priority, 100);
}

static void test_swaps_parse_empty_and_bad(void **state)
{
	struct mt_swap_dev d[2];
	size_t n = 7;

	(void)state;
	assert_int_equal(mt_swaps_parse("Filename\tType\tSize\tUsed\t"
					"Priority\n",
					d, 2, &n),
			 0);
	assert_int_equal(n, 0);
	assert_int_equal(mt_swaps_parse("", d, 2, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(mt_swaps_parse("Filename Type Size Used Priority\n"
					"/dev/sda2 partition lots 0 -2\n",
					d, 2, &n),
			 -EINVAL);
	/* More devices than room: the extra ones are counted out. */
	assert_int_equal(mt_swaps_parse("/a file 4 0 1\n/b file 4 0 2\n"
					"/c file 4 0 3\n",
					d, 2, &n),
			 0);
	assert_int_equal(n, 2);
	assert_string_equal(d[1].path, "/b");
}

/* ---- swap header ------------------------------------------------------- */

static uint32_t u32_at(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void test_swap_header(void **state)
{
	unsigned char page[4096], uuid[16];

	(void)state;
	for (int i = 0; i < 16; i++)
		uuid[i] = (unsigned char)(0xa0 + i);
	memset(page, 0xff, sizeof(page));
	assert_int_equal(mt_swap_header_fill(page, 4096, 64ull << 20, uuid), 0);
	assert_memory_equal(page + 4096 - 10, "SWAPSPACE2", 10);
	assert_int_equal(u32_at(page + 1024), 1); /* version */
	assert_int_equal(u32_at(page + 1028), (64 << 20) / 4096 - 1);
	assert_int_equal(u32_at(page + 1032), 0); /* bad pages */
	assert_memory_equal(page + 1036, uuid, 16);
	/* Everything else is zero: the boot block, the label, padding. */
	for (int i = 0; i < 1024; i++)
		assert_int_equal(page[i], 0);
	for (int i = 1052; i < 4096 - 10; i++)
		assert_int_equal(page[i], 0);
	/* A partial last page is not counted. */
	assert_int_equal(mt_swap_header_fill(page, 4096, 40960 + 100, NULL), 0);
	assert_int_equal(u32_at(page + 1028), 9);
	for (int i = 1036; i < 1052; i++)
		assert_int_equal(page[i], 0);
}

static void test_swap_header_refuses(void **state)
{
	unsigned char page[8192];

	(void)state;
	assert_int_equal(mt_swap_header_fill(page, 4096, 9 * 4096, NULL),
			 -EINVAL);
	assert_int_equal(mt_swap_header_fill(page, 2048, 1 << 20, NULL),
			 -EINVAL);
	assert_int_equal(mt_swap_header_fill(page, 4096,
					     (1ull << 32) * 4096 + 4096, NULL),
			 -EINVAL);
	/* 64 KiB pages put the magic at the end of their page. */
	unsigned char *big = calloc(1, 65536);

	assert_non_null(big);
	assert_int_equal(mt_swap_header_fill(big, 65536, 1ull << 30, NULL), 0);
	assert_memory_equal(big + 65536 - 10, "SWAPSPACE2", 10);
	assert_int_equal(u32_at(big + 1028), (1 << 30) / 65536 - 1);
	free(big);
}

/* ---- PSI, memory.stat, memory.events ----------------------------------- */

static void test_psi_parse(void **state)
{
	struct mt_psi p;

	(void)state;
	assert_int_equal(
		mt_psi_parse(
			"some avg10=1.50 avg60=0.20 avg300=0.00 total=123456\n"
			"full avg10=0.75 avg60=0.10 avg300=0.00 total=65432\n",
			&p),
		0);
	assert_true(p.some_avg10 > 1.49 && p.some_avg10 < 1.51);
	assert_int_equal(p.some_total_us, 123456);
	assert_true(p.has_full);
	assert_true(p.full_avg10 > 0.74 && p.full_avg10 < 0.76);
	assert_int_equal(p.full_total_us, 65432);
	/* Old kernels' CPU pressure has no full line. */
	assert_int_equal(mt_psi_parse("some avg10=0.00 avg60=0.00 "
				      "avg300=0.00 total=7",
				      &p),
			 0);
	assert_false(p.has_full);
	assert_int_equal(p.some_total_us, 7);
	assert_int_equal(mt_psi_parse("full avg10=0.00 avg60=0.00 avg300=0.00"
				      " total=7\n",
				      &p),
			 -EINVAL);
	assert_int_equal(mt_psi_parse("some avg10=0.00\n", &p), -EINVAL);
	assert_int_equal(mt_psi_parse("", &p), -EINVAL);
}

static void test_memory_stat_v2(void **state)
{
	json_t *o = json_object();

	(void)state;
	assert_int_equal(
		mt_memory_stat_parse(
			"anon 1048576\nfile 2097152\nkernel 4096\npgfault 10\n"
			"pgmajfault 3\nworkingset_refault_anon 5\n"
			"workingset_refault_file 6\npgscan 70\npgsteal 60\n"
			"pswpin 8\npswpout 9\n",
			2, o),
		10);
	assert_int_equal(json_integer_value(json_object_get(o, "anon_bytes")),
			 1048576);
	assert_int_equal(json_integer_value(json_object_get(o, "file_bytes")),
			 2097152);
	assert_int_equal(json_integer_value(json_object_get(o, "pswpin")), 8);
	assert_int_equal(json_integer_value(json_object_get(o, "pgscan")), 70);
	assert_null(json_object_get(o, "kernel"));
	json_decref(o);
}

static void test_memory_stat_v1(void **state)
{
	json_t *o = json_object();

	(void)state;
	mt_memory_stat_parse("cache 4096\nrss 8192\nswap 12288\n"
			     "pgmajfault 4\nworkingset_refault_anon 2\n"
			     "workingset_refault_file 3\n"
			     "total_rss 999999\ntotal_pgmajfault 77\n",
			     1, o);
	assert_int_equal(json_integer_value(json_object_get(o, "anon_bytes")),
			 8192);
	assert_int_equal(json_integer_value(json_object_get(o, "file_bytes")),
			 4096);
	assert_int_equal(json_integer_value(json_object_get(o, "swap_bytes")),
			 12288);
	/* The hierarchical total_ lines must not overwrite our own. */
	assert_int_equal(json_integer_value(json_object_get(o, "pgmajfault")),
			 4);
	assert_int_equal(json_integer_value(
				 json_object_get(o, "workingset_refault_file")),
			 3);
	json_decref(o);

	/* Before 5.9 there was one file-only refault counter. */
	o = json_object();
	mt_memory_stat_parse("workingset_refault 42\n", 1, o);
	assert_int_equal(json_integer_value(
				 json_object_get(o, "workingset_refault_file")),
			 42);
	assert_null(json_object_get(o, "workingset_refault_anon"));
	json_decref(o);
}

static void test_memory_events(void **state)
{
	json_t *o = json_object();

	(void)state;
	assert_int_equal(mt_memory_events_parse("low 0\nhigh 12\nmax 3\n"
						"oom 1\noom_kill 1\n"
						"garbage line here\n",
						o),
			 5);
	assert_int_equal(json_integer_value(json_object_get(o, "high")), 12);
	assert_int_equal(json_integer_value(json_object_get(o, "oom_kill")), 1);
	assert_null(json_object_get(o, "garbage"));
	json_decref(o);
}

static void test_kernel_at_least(void **state)
{
	(void)state;
	assert_true(mt_kernel_at_least("5.8.0", 5, 8));
	assert_true(mt_kernel_at_least("6.1.0-13-amd64", 5, 8));
	assert_true(mt_kernel_at_least("5.10", 5, 8));
	assert_false(mt_kernel_at_least("5.4.0-150-generic", 5, 8));
	assert_false(mt_kernel_at_least("4.19.0", 5, 8));
	assert_false(mt_kernel_at_least("garbage", 5, 8));
}

/* ---- read paths under MEMTUNE_FSROOT ----------------------------------- */

static void test_swappiness_max_from_tree(void **state)
{
	(void)state;
	put("/proc/sys/kernel/osrelease", "5.4.0-150-generic\n");
	assert_int_equal(mt_swappiness_max(), 100);
	put("/proc/sys/kernel/osrelease", "6.18.4\n");
	assert_int_equal(mt_swappiness_max(), 200);
}

static void test_counters_v1(void **state)
{
	struct mt_cgroup cg = { .version = 1,
				.path = "/sys/fs/cgroup/memory/memtune-t-1" };
	struct mt_err err = { 0 };
	json_t *c;

	(void)state;
	put("/sys/fs/cgroup/memory/memtune-t-1/memory.stat",
	    "cache 4096\nrss 8192\nswap 0\npgmajfault 4\n");
	put("/sys/fs/cgroup/memory/memtune-t-1/memory.oom_control",
	    "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
	put("/sys/fs/cgroup/memory/memtune-t-1/memory.usage_in_bytes",
	    "12288\n");
	put("/sys/fs/cgroup/memory/memtune-t-1/memory.memsw.usage_in_bytes",
	    "16384\n");
	put("/sys/fs/cgroup/memory/memtune-t-1/memory.failcnt", "5\n");
	put("/proc/pressure/memory",
	    "some avg10=3.00 avg60=0.00 avg300=0.00 total=100\n"
	    "full avg10=1.00 avg60=0.00 avg300=0.00 total=50\n");
	c = mt_cgroup_counters(&cg, &err);
	assert_non_null(c);
	assert_int_equal(json_integer_value(json_object_get(c, "oom_kill")), 2);
	assert_int_equal(
		json_integer_value(json_object_get(c, "memory_current_bytes")),
		12288);
	assert_int_equal(
		json_integer_value(json_object_get(c, "swap_current_bytes")),
		4096);
	assert_int_equal(json_integer_value(json_object_get(c, "failcnt")), 5);
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(c, "psi"), "scope")),
			    "system");
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(c, "psi"), "full_total_us")),
			 50);
	json_decref(c);
}

static void test_counters_v2_and_missing(void **state)
{
	struct mt_cgroup cg = { .version = 2,
				.path = "/sys/fs/cgroup/memtune-t-2" };
	struct mt_err err = { 0 };
	json_t *c;

	(void)state;
	put("/sys/fs/cgroup/memtune-t-2/memory.stat",
	    "anon 8192\nfile 4096\npgmajfault 1\n");
	put("/sys/fs/cgroup/memtune-t-2/memory.events",
	    "low 0\nhigh 0\nmax 7\noom 1\noom_kill 1\n");
	put("/sys/fs/cgroup/memtune-t-2/memory.current", "12288\n");
	put("/sys/fs/cgroup/memtune-t-2/memory.swap.current", "8192\n");
	put("/sys/fs/cgroup/memtune-t-2/memory.pressure",
	    "some avg10=0.00 avg60=0.00 avg300=0.00 total=9\n"
	    "full avg10=0.00 avg60=0.00 avg300=0.00 total=4\n");
	c = mt_cgroup_counters(&cg, &err);
	assert_non_null(c);
	assert_int_equal(json_integer_value(json_object_get(c, "max")), 7);
	assert_int_equal(
		json_integer_value(json_object_get(c, "swap_current_bytes")),
		8192);
	assert_string_equal(json_string_value(json_object_get(
				    json_object_get(c, "psi"), "scope")),
			    "cgroup");
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(c, "psi"), "some_total_us")),
			 9);
	json_decref(c);

	snprintf(cg.path, sizeof(cg.path), "/sys/fs/cgroup/memtune-gone");
	c = mt_cgroup_counters(&cg, &err);
	assert_null(c);
	assert_non_null(strstr(err.msg, "memtune-gone/memory.stat"));
}

static void test_swap_ensure_existing(void **state)
{
	struct mt_caps caps = { .root = true };
	struct mt_err err = { 0 };
	json_t *info = json_object();

	(void)state;
	put("/proc/swaps",
	    "Filename Type Size Used Priority\n"
	    "/dev/sda2 partition 1024 0 -2\n/dev/zram0 partition 2048 4 "
	    "100\n");
	/* The machine's swap is used as it is: nothing is created, so no
	 * journal is needed. */
	assert_int_equal(mt_swap_ensure(NULL, &caps, true, 1 << 20, "/nowhere",
					info, &err),
			 0);
	assert_string_equal(json_string_value(json_object_get(info, "device")),
			    "/dev/zram0");
	assert_string_equal(json_string_value(json_object_get(info, "type")),
			    "zram");
	assert_false(json_is_true(json_object_get(info, "created")));
	json_decref(info);
}

static void test_swap_ensure_refusals(void **state)
{
	struct mt_caps caps = { .root = true };
	struct mt_err err = { 0 };
	json_t *info = json_object();

	(void)state;
	put("/proc/swaps", "Filename Type Size Used Priority\n");
	assert_int_equal(mt_swap_ensure(NULL, &caps, false, 1 << 20, "/tmp",
					info, &err),
			 -ENOENT);
	assert_non_null(strstr(err.msg, "allow_swap_file"));
	assert_non_null(strstr(err.msg, "swapon"));
	mt_err_clear(&err);
	assert_int_equal(mt_swap_ensure(NULL, &caps, true, 4096, "/tmp", info,
					&err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "too small"));
	if (access("/dev/shm", W_OK) == 0) {
		mt_err_clear(&err);
		assert_int_equal(mt_swap_ensure(NULL, &caps, true, 1 << 20,
						"/dev/shm", info, &err),
				 -EOPNOTSUPP);
		assert_non_null(strstr(err.msg, "tmpfs"));
		assert_non_null(strstr(err.msg, "swap_file_dir"));
	}
	mt_err_clear(&err);
	assert_true(mt_swap_ensure(NULL, &caps, true, 1 << 20,
				   "/nonexistent/dir", info, &err) < 0);
	assert_non_null(strstr(err.msg, "/nonexistent/dir"));
	json_decref(info);
}

static void test_cgroup_refusals(void **state)
{
	struct mt_caps caps = { .root = true };
	struct mt_cgroup cg = { .version = 2, .path = "/x" };
	struct mt_err err = { 0 };

	(void)state;
	assert_int_equal(mt_cgroup_create(NULL, &caps, "t", &cg, &err),
			 -ENOTSUP);
	assert_non_null(strstr(err.msg, "mount"));
	/* v2 without the memory controller enabled for children. */
	caps.cgroup_version = 2;
	snprintf(caps.cgroup_v2_root, sizeof(caps.cgroup_v2_root),
		 "/sys/fs/cgroup");
	put("/sys/fs/cgroup/cgroup.subtree_control", "cpu io\n");
	mt_err_clear(&err);
	assert_int_equal(mt_cgroup_create(NULL, &caps, "t", &cg, &err),
			 -ENOTSUP);
	assert_non_null(strstr(err.msg, "+memory"));
	cg.version = 2;
	mt_err_clear(&err);
	assert_int_equal(mt_cgroup_set_swappiness(NULL, &cg, 10, &err),
			 -ENOTSUP);
	assert_non_null(strstr(err.msg, "vm.swappiness"));
	mt_err_clear(&err);
	assert_int_equal(mt_oom_score_adj_set(0, 1001, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "-1000..1000"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swaps_parse),
		cmocka_unit_test(test_swaps_parse_empty_and_bad),
		cmocka_unit_test(test_swap_header),
		cmocka_unit_test(test_swap_header_refuses),
		cmocka_unit_test(test_psi_parse),
		cmocka_unit_test(test_memory_stat_v2),
		cmocka_unit_test(test_memory_stat_v1),
		cmocka_unit_test(test_memory_events),
		cmocka_unit_test(test_kernel_at_least),
		cmocka_unit_test(test_swappiness_max_from_tree),
		cmocka_unit_test(test_counters_v1),
		cmocka_unit_test(test_counters_v2_and_missing),
		cmocka_unit_test(test_swap_ensure_existing),
		cmocka_unit_test(test_swap_ensure_refusals),
		cmocka_unit_test(test_cgroup_refusals),
	};

	return cmocka_run_group_tests(tests, setup_tree, teardown_tree);
}
