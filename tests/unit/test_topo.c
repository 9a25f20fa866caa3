/* Unit tests for core/topo.c: loading the live topology, pinning (and reading
 * the binding back from the kernel), refusing unknown CPUs and foreign trees,
 * the XML export and the summary. */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../core/topo.h"
#include "helpers/fixtures.h"

/* The affinity the test process started with, put back after each pin. */
static cpu_set_t initial_affinity;

static int setup(void **state)
{
	(void)state;
	unsetenv("MEMTUNE_FSROOT");
	return sched_getaffinity(0, sizeof(initial_affinity),
				 &initial_affinity) == 0 ?
		       0 :
		       -1;
}

static int teardown(void **state)
{
	(void)state;
	unsetenv("MEMTUNE_FSROOT");
	return sched_setaffinity(0, sizeof(initial_affinity),
				 &initial_affinity) == 0 ?
		       0 :
		       -1;
}

/* This thread is still bound to the CPUs of before. */
static void expect_binding(const cpu_set_t *before)
{
	cpu_set_t now;

	assert_int_equal(sched_getaffinity(0, sizeof(now), &now), 0);
	assert_true(CPU_EQUAL(before, &now));
}

/* The fixture tests/fixtures/machines/<name> (mt_test_machine) as an
 * absolute path. */
static void fixture(const char *name, char *buf, size_t len)
{
	assert_non_null(realpath(mt_test_machine(name), buf));
	assert_true(strlen(buf) < len);
}

/* The topology of this machine; fails the test when it cannot load. */
static struct mt_topo *load_live(void)
{
	struct mt_topo *t = NULL;
	struct mt_err err = { 0 };

	if (mt_topo_load(&t, &err) != 0)
		fail_msg("mt_topo_load: %s", err.msg);
	return t;
}

static void test_load_live(void **state)
{
	struct mt_topo *t = load_live();
	cpu_set_t set;
	int cpu;

	(void)state;
	assert_non_null(t);
	assert_true(mt_topo_npus(t) >= 1);
	assert_true(mt_topo_nnodes(t) >= 1);

	/* The default CPU must be one this process may run on. */
	cpu = mt_topo_default_cpu(t);
	assert_true(cpu >= 0);
	assert_int_equal(sched_getaffinity(0, sizeof(set), &set), 0);
	assert_true(CPU_ISSET(cpu, &set));
	mt_topo_destroy(t);
}

static void test_pin_default(void **state)
{
	struct mt_topo *t = load_live();
	struct mt_err err = { 0 };
	cpu_set_t set;
	int cpu;

	(void)state;
	cpu = mt_topo_default_cpu(t);
	assert_int_equal(mt_topo_pin(t, cpu, &err), 0);

	/* Ask the kernel, not hwloc: exactly one CPU, the one asked for. */
	assert_int_equal(sched_getaffinity(0, sizeof(set), &set), 0);
	assert_int_equal(CPU_COUNT(&set), 1);
	assert_true(CPU_ISSET(cpu, &set));
	mt_topo_destroy(t);
}

static void test_pin_unknown_cpu(void **state)
{
	struct mt_topo *t = load_live();
	struct mt_err err = { 0 };
	cpu_set_t before;

	(void)state;
	assert_int_equal(sched_getaffinity(0, sizeof(before), &before), 0);

	assert_int_equal(mt_topo_pin(t, 9999, &err), -EINVAL);
	assert_int_equal(err.kind, MT_ERR_INPUT);
	assert_non_null(strstr(err.msg, "cannot pin to cpu 9999"));
	assert_non_null(strstr(err.msg, "no such cpu"));

	mt_err_clear(&err);
	assert_int_equal(mt_topo_pin(t, -1, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "cpu -1"));

	/* A refused pin leaves the binding alone. */
	expect_binding(&before);
	mt_topo_destroy(t);
}

static void test_export_xml(void **state)
{
	struct mt_topo *t = NULL;
	struct mt_err err = { 0 };
	char dir[] = "/tmp/mt-topo-XXXXXX", path[PATH_MAX], bad[PATH_MAX];
	char buf[4096];
	struct mt_outdir od;
	FILE *f;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(mt_topo_load(&t, &err), 0);
	snprintf(path, sizeof(path), "%s/topology.xml", dir);
	assert_int_equal(mt_outdir_open(&od, "test", dir, 0, &err), 0);
	assert_int_equal(mt_topo_export_xml(t, &od, "topology.xml", &err), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_non_null(strstr(buf, "<topology"));
	assert_non_null(strstr(buf, "type=\"PU\""));

	/* A planted link is refused, not written through. */
	snprintf(bad, sizeof(bad), "%s/planted.xml", dir);
	assert_int_equal(symlink(path, bad), 0);
	assert_true(mt_topo_export_xml(t, &od, "planted.xml", &err) < 0);
	assert_non_null(strstr(err.msg, bad));
	assert_non_null(strstr(err.msg, "symlink"));
	mt_outdir_close(&od);

	unlink(bad);
	unlink(path);
	rmdir(dir);
	mt_topo_destroy(t);
}

static void test_summary(void **state)
{
	struct mt_topo *t = NULL;
	struct mt_err err = { 0 };
	json_t *s, *c, *mem;
	size_t i;
	uint64_t l1 = 0;

	(void)state;
	assert_int_equal(mt_topo_load(&t, &err), 0);
	s = mt_topo_summary(t);
	assert_non_null(s);
	assert_int_equal(json_integer_value(json_object_get(s, "pus")),
			 mt_topo_npus(t));
	assert_int_equal(json_integer_value(json_object_get(s, "numa_nodes")),
			 mt_topo_nnodes(t));
	assert_true(json_integer_value(json_object_get(s, "packages")) >= 1);
	assert_true(json_integer_value(json_object_get(s, "cores")) >= 1);
	mem = json_object_get(s, "node_memory_bytes");
	assert_int_equal(json_array_size(mem), (size_t)mt_topo_nnodes(t));

	json_array_foreach(json_object_get(s, "caches"), i, c) {
		const char *type = json_string_value(json_object_get(c,
								     "type"));

		assert_true(strcmp(type, "data") == 0 ||
			    strcmp(type, "unified") == 0);
		assert_true(json_integer_value(json_object_get(c, "count")) >=
			    1);
		if (json_integer_value(json_object_get(c, "level")) == 1 && !l1)
			l1 = (uint64_t)json_integer_value(
				json_object_get(c, "size_bytes"));
	}
	/* cache_size agrees with the summary, and is 0 outside 1..5. */
	assert_int_equal(mt_topo_cache_size(t, 1), l1);
	assert_int_equal(mt_topo_cache_size(t, 0), 0);
	assert_int_equal(mt_topo_cache_size(t, 9), 0);
	json_decref(s);
	mt_topo_destroy(t);
}

static void test_foreign_tree_refuses_pin(void **state)
{
	struct mt_topo *t = NULL;
	struct mt_err err = { 0 };
	char root[PATH_MAX];
	cpu_set_t before;

	(void)state;
	fixture("small-vm", root, sizeof(root));
	setenv("MEMTUNE_FSROOT", root, 1);
	unsetenv("HWLOC_FSROOT");
	assert_int_equal(sched_getaffinity(0, sizeof(before), &before), 0);
	assert_int_equal(mt_topo_load(&t, &err), 0);
	/* The caller's environment is left as it was. */
	assert_null(getenv("HWLOC_FSROOT"));
	/* The captured VM: 2 PUs, 48 KiB L1d, one node. */
	assert_int_equal(mt_topo_npus(t), 2);
	assert_int_equal(mt_topo_nnodes(t), 1);
	assert_int_equal(mt_topo_default_cpu(t), 1);
	assert_int_equal(mt_topo_cache_size(t, 1), 48 * 1024);

	assert_int_equal(mt_topo_pin(t, mt_topo_default_cpu(t), &err),
			 -ENOTSUP);
	assert_non_null(strstr(err.msg, "MEMTUNE_FSROOT"));
	assert_non_null(strstr(err.msg, root));
	assert_non_null(strstr(err.msg, "another machine"));
	expect_binding(&before);
	mt_topo_destroy(t);
}

static void test_foreign_tree_without_cpus(void **state)
{
	struct mt_topo *t = NULL;
	struct mt_err err = { 0 };
	char root[PATH_MAX];

	(void)state;
	/* db-2node has no sys/devices/system/cpu: hwloc would fall back to
	 * this machine's CPU count, which must not pass for the tree's. */
	fixture("db-2node", root, sizeof(root));
	setenv("MEMTUNE_FSROOT", root, 1);
	assert_int_equal(mt_topo_load(&t, &err), -ENOENT);
	assert_null(t);
	assert_int_equal(err.kind, MT_ERR_INPUT);
	assert_non_null(strstr(err.msg, root));
	assert_non_null(strstr(err.msg, "sys/devices/system/cpu"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_load_live, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pin_default, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pin_unknown_cpu, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_export_xml, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_summary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_tree_refuses_pin,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_tree_without_cpus,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
