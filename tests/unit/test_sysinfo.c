/* Unit tests for core/sysinfo.c against the captured machine trees in
 * tests/fixtures/machines (read through MEMTUNE_FSROOT), a tree with files
 * removed or corrupted, a root that does not exist, and the live machine. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../core/sysinfo.h"
#include "../../core/topo.h"
#include "../../cli/sysinfo_print.h"
#include "helpers/fixtures.h"

#define GiB (1024ULL * 1024 * 1024)

static int clear_root(void **state)
{
	(void)state;
	unsetenv("MEMTUNE_FSROOT");
	return 0;
}

/* The fixture tests/fixtures/machines/<name> (mt_test_machine) as an
 * absolute path. */
static void fixture(const char *name, char *buf)
{
	assert_non_null(realpath(mt_test_machine(name), buf));
}

/* Points MEMTUNE_FSROOT at the fixture `name`. */
static void use_fixture(const char *name)
{
	char root[PATH_MAX];

	fixture(name, root);
	assert_int_equal(setenv("MEMTUNE_FSROOT", root, 1), 0);
}

/* Collects the snapshot of the fixture `name` (no topology). */
static json_t *collect(const char *name)
{
	struct mt_err err = { 0 };
	json_t *info;

	use_fixture(name);
	info = mt_sysinfo_collect(NULL, &err);
	if (!info)
		fail_msg("collect %s: %s", name, err.msg);
	return info;
}

/* Integer at a dotted path of object keys ("memory.mem_total_bytes"); fails
 * the test when it is absent. */
static long long jint(json_t *o, const char *path)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k;
	     k = strtok_r(NULL, ".", &save))
		o = json_object_get(o, k);
	if (!json_is_integer(o))
		fail_msg("%s is not an integer", path);
	return json_integer_value(o);
}

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	if (!s)
		fail_msg("%s is not a string", key);
	return s;
}

static void test_caps_small_vm(void **state)
{
	struct mt_caps caps;
	struct mt_err err = { 0 };

	(void)state;
	use_fixture("small-vm");
	assert_int_equal(mt_caps_read(&caps, &err), 0);
	assert_int_equal(caps.mem_total, 24684092ULL * 1024);
	assert_int_equal(caps.swap_total, 0);
	assert_int_equal(caps.numa_nodes, 1);
	assert_string_equal(caps.thp_enabled, "madvise");
	assert_string_equal(caps.thp_defrag, "madvise");
	assert_true(caps.hugetlb_2m);
	assert_true(caps.hugetlb_1g);
	assert_int_equal(caps.hugetlb_free_2m, 0);
	assert_int_equal(caps.hugetlb_free_1g, 0);
	/* cgroup2 is mounted without the memory controller; v1 wins. */
	assert_int_equal(caps.cgroup_version, 1);
	assert_string_equal(caps.cgroup_v1_memory, "/sys/fs/cgroup/memory");
	assert_string_equal(caps.cgroup_v2_root, "/sys/fs/cgroup/unified");
	assert_true(caps.in_container); /* the tree has /.dockerenv */
	assert_false(caps.root);	/* never root on a captured tree */
}

static void test_caps_db_2node(void **state)
{
	struct mt_caps caps;
	struct mt_err err = { 0 };

	(void)state;
	use_fixture("db-2node");
	assert_int_equal(mt_caps_read(&caps, &err), 0);
	assert_int_equal(caps.mem_total, 263842944ULL * 1024);
	assert_true(caps.mem_total > 250 * GiB);
	assert_int_equal(caps.swap_total, 16777212ULL * 1024);
	assert_int_equal(caps.numa_nodes, 2);
	assert_string_equal(caps.thp_enabled, "always");
	assert_true(caps.hugetlb_2m);
	assert_true(caps.hugetlb_1g);
	assert_int_equal(caps.hugetlb_free_2m, 1024);
	assert_int_equal(caps.hugetlb_free_1g, 8);
	assert_int_equal(caps.cgroup_version, 2);
	assert_string_equal(caps.cgroup_v2_root, "/sys/fs/cgroup");
	assert_string_equal(caps.cgroup_v1_memory, "");
	assert_false(caps.in_container);
	assert_false(caps.root);
}

static void test_caps_zram_host(void **state)
{
	struct mt_caps caps;
	struct mt_err err = { 0 };

	(void)state;
	use_fixture("zram-host");
	assert_int_equal(mt_caps_read(&caps, &err), 0);
	assert_int_equal(caps.swap_total, 8388604ULL * 1024);
	assert_true(caps.mem_total > 15 * GiB && caps.mem_total < 16 * GiB);
	assert_int_equal(caps.numa_nodes, 1);
	assert_int_equal(caps.cgroup_version, 2);
	assert_false(caps.in_container);
}

static void test_collect_db_2node(void **state)
{
	json_t *info = collect("db-2node");
	json_t *dev, *pools, *nodes, *d, *ctl, *w;
	size_t i;
	bool has_memory = false;

	(void)state;
	assert_int_equal(jint(info, "schema_version"), 1);
	assert_string_equal(jstr(info, "host"), "db-prod-07");
	assert_string_equal(jstr(info, "kernel"), "5.15.0-105-generic");
	assert_string_equal(jstr(info, "cpu_model"),
			    "Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz");
	assert_int_equal(jint(info, "memory.mem_total_bytes"),
			 263842944LL * 1024);
	assert_int_equal(jint(info, "memory.anon_huge_pages_bytes"),
			 41943040LL * 1024);
	/* Counts stay counts; kB values become bytes. */
	assert_int_equal(jint(info, "memory.hugepages_total"), 4096);
	assert_int_equal(jint(info, "memory.hugepagesize_bytes"), 2048 * 1024);
	/* "Active" must not be read from "Active(anon)". */
	assert_int_equal(jint(info, "memory.active_bytes"), 106954752LL * 1024);

	assert_int_equal(jint(info, "swap.total_bytes"), 16777212LL * 1024);
	assert_int_equal(json_array_size(json_object_get(
				 json_object_get(info, "swap"), "devices")),
			 1);
	dev = json_array_get(json_object_get(json_object_get(info, "swap"),
					     "devices"),
			     0);
	assert_string_equal(jstr(dev, "path"), "/dev/sdb2");
	assert_string_equal(jstr(dev, "type"), "partition");
	assert_int_equal(jint(dev, "size_bytes"), 16777212LL * 1024);
	assert_int_equal(jint(dev, "used_bytes"), 524288LL * 1024);
	assert_int_equal(jint(dev, "priority"), -2);

	assert_string_equal(jstr(json_object_get(info, "thp"), "enabled"),
			    "always");
	assert_string_equal(jstr(json_object_get(info, "thp"), "defrag"),
			    "madvise");
	assert_int_equal(jint(info, "thp.khugepaged.defrag"), 1);

	pools = json_object_get(info, "hugetlb");
	assert_int_equal(json_array_size(pools), 2);
	assert_int_equal(jint(json_array_get(pools, 0), "page_size_bytes"),
			 2 * 1024 * 1024);
	assert_int_equal(jint(json_array_get(pools, 0), "nr"), 4096);
	assert_int_equal(jint(json_array_get(pools, 0), "free"), 1024);
	assert_int_equal(jint(json_array_get(pools, 0), "resv"), 512);
	assert_int_equal(jint(json_array_get(pools, 0), "surplus"), 0);
	assert_int_equal(jint(json_array_get(pools, 1), "page_size_bytes"),
			 (long long)GiB);
	assert_int_equal(jint(json_array_get(pools, 1), "nr"), 16);
	assert_int_equal(jint(json_array_get(pools, 1), "free"), 8);

	assert_int_equal(jint(info, "numa.nodes_with_memory"), 2);
	nodes = json_object_get(json_object_get(info, "numa"), "nodes");
	assert_int_equal(json_array_size(nodes), 2);
	for (i = 0; i < 2; i++) {
		d = json_object_get(json_array_get(nodes, i), "distances");
		assert_int_equal(json_array_size(d), 2);
		assert_int_equal(json_integer_value(json_array_get(d, i)), 10);
		assert_int_equal(json_integer_value(json_array_get(d, 1 - i)),
				 21);
		assert_true(json_is_true(json_object_get(
			json_array_get(nodes, i), "has_memory")));
	}
	assert_int_equal(jint(json_array_get(nodes, 1), "memory_bytes"),
			 132246580LL * 1024);
	assert_string_equal(jstr(json_array_get(nodes, 0), "cpus"),
			    "0-31,64-95");

	assert_int_equal(jint(info, "cgroup.version"), 2);
	ctl = json_object_get(json_object_get(info, "cgroup"),
			      "v2_controllers");
	json_array_foreach(ctl, i, w)
		if (strcmp(json_string_value(w), "memory") == 0)
			has_memory = true;
	assert_true(has_memory);
	assert_null(json_object_get(json_object_get(info, "cgroup"),
				    "v1_memory"));

	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(info, "sysctls"),
				 "vm.swappiness")),
			 60);
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(info, "sysctls"),
				 "vm.min_free_kbytes")),
			 1048576);
	assert_null(json_object_get(json_object_get(info, "sysctls"),
				    "vm.drop_caches"));
	assert_true(json_is_false(json_object_get(info, "container")));
	assert_true(json_is_false(json_object_get(info, "root")));
	json_decref(info);
}

static void test_collect_zram_host(void **state)
{
	json_t *info = collect("zram-host");
	json_t *devs = json_object_get(json_object_get(info, "swap"),
				       "devices");

	(void)state;
	assert_int_equal(json_array_size(devs), 1);
	/* The kernel says "partition"; it is memory, and advice differs. */
	assert_string_equal(jstr(json_array_get(devs, 0), "type"), "zram");
	assert_string_equal(jstr(json_array_get(devs, 0), "path"),
			    "/dev/zram0");
	assert_int_equal(jint(json_array_get(devs, 0), "priority"), 100);
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(info, "sysctls"),
				 "vm.swappiness")),
			 180);
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(info, "sysctls"),
				 "vm.page-cluster")),
			 0);
	assert_string_equal(jstr(json_object_get(info, "thp"), "enabled"),
			    "madvise");
	json_decref(info);
}

static void test_collect_small_vm(void **state)
{
	json_t *info = collect("small-vm");
	json_t *swap = json_object_get(info, "swap");
	json_t *nodes = json_object_get(json_object_get(info, "numa"), "nodes");
	json_t *cg = json_object_get(info, "cgroup");

	(void)state;
	assert_string_equal(jstr(info, "host"), "vm");
	assert_string_equal(jstr(info, "cpu_model"), "AMD EPYC");
	assert_int_equal(json_array_size(json_object_get(swap, "devices")), 0);
	assert_int_equal(jint(swap, "total_bytes"), 0);
	assert_string_equal(jstr(json_object_get(info, "thp"), "enabled"),
			    "madvise");
	assert_string_equal(jstr(json_object_get(info, "thp"), "shmem_enabled"),
			    "never");
	assert_int_equal(json_array_size(nodes), 1);
	/* node0 reports less than MemTotal on this VM; memory totals come
	 * from /proc/meminfo, node sizes from the node. */
	assert_int_equal(jint(json_array_get(nodes, 0), "memory_bytes"),
			 4942036LL * 1024);
	assert_int_equal(jint(info, "memory.mem_total_bytes"),
			 24684092LL * 1024);
	assert_int_equal(jint(cg, "version"), 1);
	assert_string_equal(jstr(cg, "v2_root"), "/sys/fs/cgroup/unified");
	/* cgroup2 here only carries hugetlb: memory stays with v1. */
	assert_int_equal(json_array_size(json_object_get(cg, "v2_controllers")),
			 1);
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(cg, "v2_controllers"), 0)),
			    "hugetlb");
	assert_string_equal(jstr(cg, "v1_memory"), "/sys/fs/cgroup/memory");
	assert_true(json_is_true(json_object_get(info, "container")));
	assert_string_equal(jstr(info, "container_evidence"),
			    "/.dockerenv (docker)");
	json_decref(info);
}

/* Runs a shell command built from fmt; fails the test if it fails. */
static void sh(const char *fmt, ...)
{
	char cmd[2 * PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

/* The TLB size the CPU reports: small-vm's /proc/cpuinfo (this AMD VM)
 * says "TLB size : 192 4K pages"; db-2node's (Intel) has no such line, and
 * the key is left out rather than guessed. */
static void test_tlb_size(void **state)
{
	json_t *info = collect("small-vm");
	json_t *tlb = json_object_get(info, "tlb");

	(void)state;
	assert_non_null(tlb);
	assert_string_equal(jstr(tlb, "source"), "/proc/cpuinfo");
	assert_string_equal(jstr(tlb, "reported"), "192 4K pages");
	assert_int_equal(json_integer_value(json_object_get(tlb, "entries_4k")),
			 192);
	json_decref(info);
	info = collect("db-2node");
	assert_null(json_object_get(info, "tlb"));
	json_decref(info);
}

static void test_missing_files(void **state)
{
	char dir[64];
	struct mt_caps caps;
	struct mt_err err = { 0 };
	json_t *info, *thp;

	(void)state;
	mt_test_copy_machine("small-vm", dir, sizeof(dir), "sysinfo");
	/* A kernel without THP, hugetlb, NUMA sysfs, cgroups or swap, with
	 * a corrupt sysctl and no CPU model. */
	sh("rm -r '%s/sys/kernel/mm' '%s/sys/devices/system/node' "
	   "'%s/proc/mounts' '%s/proc/swaps' '%s/proc/cpuinfo' "
	   "'%s/proc/sys/kernel/hostname' '%s/.dockerenv'",
	   dir, dir, dir, dir, dir, dir, dir);
	sh("echo garbage > '%s/proc/sys/vm/swappiness'", dir);
	setenv("MEMTUNE_FSROOT", dir, 1);

	assert_int_equal(mt_caps_read(&caps, &err), 0);
	assert_string_equal(caps.thp_enabled, "");
	assert_string_equal(caps.thp_defrag, "");
	assert_false(caps.hugetlb_2m);
	assert_false(caps.hugetlb_1g);
	assert_int_equal(caps.numa_nodes, 1);
	assert_int_equal(caps.cgroup_version, 0);
	assert_string_equal(caps.cgroup_v2_root, "");
	assert_false(caps.in_container);
	assert_int_equal(caps.mem_total, 24684092ULL * 1024);

	info = mt_sysinfo_collect(NULL, &err);
	assert_non_null(info);
	assert_null(json_object_get(info, "host"));
	assert_null(json_object_get(info, "cpu_model"));
	assert_string_equal(jstr(info, "kernel"), "6.18.44-fc-v657");
	thp = json_object_get(info, "thp");
	assert_true(json_is_false(json_object_get(thp, "available")));
	assert_null(json_object_get(thp, "enabled"));
	assert_int_equal(json_array_size(json_object_get(info, "hugetlb")), 0);
	assert_int_equal(json_array_size(json_object_get(
				 json_object_get(info, "numa"), "nodes")),
			 0);
	assert_int_equal(jint(info, "cgroup.version"), 0);
	assert_int_equal(json_array_size(json_object_get(
				 json_object_get(info, "swap"), "devices")),
			 0);
	assert_null(json_object_get(json_object_get(info, "sysctls"),
				    "vm.swappiness"));
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(info, "sysctls"),
				 "vm.overcommit_ratio")),
			 50);

	/* The printer copes with every section missing. */
	{
		char *text = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&text, &len);

		assert_non_null(out);
		mt_sysinfo_print(out, info);
		fclose(out);
		assert_non_null(strstr(text, "not available in this kernel"));
		assert_non_null(strstr(text, "(unknown)"));
		free(text);
	}
	json_decref(info);
	sh("rm -r '%s'", dir);
}

/* Found by tests/fuzz/fuzz_swaps: a /proc/swaps size in KiB whose bytes
 * overflow a json_int_t (signed overflow, undefined) or a negative one. Such
 * lines are left out; the others are kept. */
static void test_corrupt_swaps(void **state)
{
	char dir[64];
	struct mt_err err = { 0 };
	json_t *info, *devs;

	(void)state;
	mt_test_copy_machine("small-vm", dir, sizeof(dir), "sysinfo");
	sh("printf 'Filename Type Size Used Priority\\n"
	   "/huge file 9223372036854775807 0 -2\\n"
	   "/neg file -4 -8 -2\\n"
	   "/used file 4 9007199254740993 -2\\n"
	   "/swapfile file 1024 0 -2\\n' > '%s/proc/swaps'",
	   dir);
	setenv("MEMTUNE_FSROOT", dir, 1);
	info = mt_sysinfo_collect(NULL, &err);
	assert_non_null(info);
	devs = json_object_get(json_object_get(info, "swap"), "devices");
	assert_int_equal(json_array_size(devs), 1);
	assert_string_equal(jstr(json_array_get(devs, 0), "path"), "/swapfile");
	assert_int_equal(jint(json_array_get(devs, 0), "size_bytes"),
			 1024 * 1024);
	json_decref(info);
	sh("rm -r '%s'", dir);
}

static void test_partial_numa(void **state)
{
	char dir[64];
	struct mt_caps caps;
	struct mt_err err = { 0 };
	json_t *info, *nodes;

	(void)state;
	mt_test_copy_machine("db-2node", dir, sizeof(dir), "sysinfo");
	/* Without has_memory, a node has memory when its meminfo says so;
	 * node1 lost its meminfo and distance files. */
	sh("rm '%s/sys/devices/system/node/has_memory' "
	   "'%s/sys/devices/system/node/node1/meminfo' "
	   "'%s/sys/devices/system/node/node1/distance'",
	   dir, dir, dir);
	setenv("MEMTUNE_FSROOT", dir, 1);
	assert_int_equal(mt_caps_read(&caps, &err), 0);
	assert_int_equal(caps.numa_nodes, 1);

	info = mt_sysinfo_collect(NULL, &err);
	assert_non_null(info);
	nodes = json_object_get(json_object_get(info, "numa"), "nodes");
	assert_int_equal(json_array_size(nodes), 2);
	assert_null(json_object_get(json_array_get(nodes, 1), "memory_bytes"));
	assert_null(json_object_get(json_array_get(nodes, 1), "distances"));
	assert_true(json_is_false(json_object_get(json_array_get(nodes, 1),
						  "has_memory")));
	json_decref(info);
	sh("rm -r '%s'", dir);
}

static void test_bad_root(void **state)
{
	struct mt_caps caps;
	struct mt_err err = { 0 };

	(void)state;
	setenv("MEMTUNE_FSROOT", "/nonexistent/memtune-root", 1);
	assert_int_equal(mt_caps_read(&caps, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "/proc/meminfo"));
	assert_non_null(strstr(err.msg, "/nonexistent/memtune-root"));
	assert_non_null(strstr(err.msg, "MEMTUNE_FSROOT"));

	mt_err_clear(&err);
	assert_null(mt_sysinfo_collect(NULL, &err));
	assert_non_null(strstr(err.msg, "/proc/meminfo"));
}

static void test_print_db_2node(void **state)
{
	json_t *info = collect("db-2node");
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	static const char *const expect[] = {
		"Host\n",
		"CPU & topology\n",
		"Memory\n",
		"Swap\n",
		"Transparent huge pages\n",
		"Hugetlb pools",
		"NUMA\n",
		"Cgroups\n",
		"Sysctls\n",
		"db-prod-07",
		"251.6 GiB",
		"/dev/sdb2",
		"partition, 16.0 GiB",
		"2 MiB pages",
		"1 GiB pages",
		"16 in pool, 8 free",
		"distances 10 21",
		"distances 21 10",
		"cgroup v2",
		"vm.swappiness",
		"always  (any large",
	};

	(void)state;
	assert_non_null(out);
	mt_sysinfo_print(out, info);
	assert_int_equal(fclose(out), 0);
	for (size_t i = 0; i < sizeof(expect) / sizeof(*expect); i++)
		if (!strstr(text, expect[i]))
			fail_msg("missing '%s' in:\n%s", expect[i], text);
	/* Values line up in one column. */
	assert_non_null(
		strstr(text, "\n  hostname                      db-prod-07\n"));
	assert_non_null(strstr(text,
			       "\n  vm.dirty_writeback_centisecs  500\n"));
	assert_non_null(strstr(text, "running as root               n/a"));
	free(text);
	json_decref(info);
}

/* The two-node tree captured in the qemu guest of `make test-numa`
 * (tests/numa/guest-init.sh): sysinfo shows both nodes, their memory,
 * CPUs and the distance table that qemu was given (-numa dist 21). */
static void test_qemu_2node(void **state)
{
	json_t *info = collect("qemu-2node"), *nodes, *d;
	struct mt_caps caps;
	struct mt_err err = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	(void)state;
	assert_int_equal(mt_caps_read(&caps, &err), 0);
	assert_int_equal(caps.numa_nodes, 2);
	assert_int_equal(jint(info, "numa.nodes_with_memory"), 2);
	nodes = json_object_get(json_object_get(info, "numa"), "nodes");
	assert_int_equal(json_array_size(nodes), 2);
	for (size_t i = 0; i < 2; i++) {
		d = json_object_get(json_array_get(nodes, i), "distances");
		assert_int_equal(json_array_size(d), 2);
		assert_int_equal(json_integer_value(json_array_get(d, i)), 10);
		assert_int_equal(json_integer_value(json_array_get(d, 1 - i)),
				 21);
	}
	assert_string_equal(jstr(json_array_get(nodes, 0), "cpus"), "0");
	assert_string_equal(jstr(json_array_get(nodes, 1), "cpus"), "1");
	out = open_memstream(&text, &len);
	assert_non_null(out);
	mt_sysinfo_print(out, info);
	assert_int_equal(fclose(out), 0);
	assert_non_null(strstr(text, "nodes with memory             2\n"));
	assert_non_null(strstr(text, "node 0                        962.4 "
				     "MiB, cpus 0, distances 10 21\n"));
	assert_non_null(strstr(text, "node 1                        1007.4 "
				     "MiB, cpus 1, distances 21 10\n"));
	assert_non_null(strstr(text, "6.1.0-56-amd64"));
	free(text);
	json_decref(info);
}

static void test_live(void **state)
{
	struct mt_topo *topo = NULL;
	struct mt_caps caps;
	struct mt_err err = { 0 };
	json_t *info, *t;

	(void)state;
	unsetenv("MEMTUNE_FSROOT");
	assert_int_equal(mt_caps_read(&caps, &err), 0);
	assert_true(caps.mem_total > 0);
	assert_true(caps.numa_nodes >= 1);
	assert_int_equal(caps.root, geteuid() == 0);

	assert_int_equal(mt_topo_load(&topo, &err), 0);
	info = mt_sysinfo_collect(topo, &err);
	assert_non_null(info);
	assert_int_equal(jint(info, "memory.mem_total_bytes"),
			 (long long)caps.mem_total);
	assert_string_equal(jstr(info, "fsroot"), "/");
	t = json_object_get(info, "topology");
	assert_non_null(t);
	assert_int_equal(jint(t, "pus"), mt_topo_npus(topo));
	json_decref(info);
	mt_topo_destroy(topo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_caps_small_vm, clear_root),
		cmocka_unit_test_teardown(test_qemu_2node, clear_root),
		cmocka_unit_test_teardown(test_caps_db_2node, clear_root),
		cmocka_unit_test_teardown(test_caps_zram_host, clear_root),
		cmocka_unit_test_teardown(test_collect_db_2node, clear_root),
		cmocka_unit_test_teardown(test_collect_zram_host, clear_root),
		cmocka_unit_test_teardown(test_collect_small_vm, clear_root),
		cmocka_unit_test_teardown(test_tlb_size, clear_root),
		cmocka_unit_test_teardown(test_missing_files, clear_root),
		cmocka_unit_test_teardown(test_corrupt_swaps, clear_root),
		cmocka_unit_test_teardown(test_partial_numa, clear_root),
		cmocka_unit_test_teardown(test_bad_root, clear_root),
		cmocka_unit_test_teardown(test_print_db_2node, clear_root),
		cmocka_unit_test_teardown(test_live, clear_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
