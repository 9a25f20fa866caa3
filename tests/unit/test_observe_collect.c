/* Unit tests for observe/ (memtune observe, issue 18): the parsers of
 * /proc/PID/status, smaps_rollup and stat, memory.stat (v2 and v1's
 * names), memory.events, and the system's and a cgroup's samples read
 * through MEMTUNE_FSROOT from tests/fixtures/observe/tree; and the page
 * cache state of a file by cachestat and by mincore.
 *
 * /proc/<pid> is always read live (core/fsroot), so the process files are
 * parsed from the fixture texts directly.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers/fixtures.h"

#include "../../core/record.h"
#include "../../observe/fileset.h"
#include "../../observe/sample.h"
#include "../../observe/target.h"

/* The text of tests/fixtures/observe/REL (the caller frees it). */
static char *fixture(const char *rel)
{
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s/tests/fixtures/observe",
		 mt_test_srcdir());
	return mt_test_slurp_file(dir, rel);
}

/* An emitter for target on a new batch. */
static struct mt_obs_emit emitter(const char *target)
{
	struct mt_obs_emit em = {
		.batch = json_array(), .target = target, .t = 2.5, .sample = 3
	};

	assert_non_null(em.batch);
	return em;
}

/* Asserts that batch has metric for target, in unit, equal to want. */
static void expect(json_t *batch, const char *target, const char *metric,
		   const char *unit, double want)
{
	json_t *rec;
	size_t i;

	json_array_foreach(batch, i, rec) {
		json_t *c = json_object_get(rec, "case");

		if (strcmp(json_string_value(json_object_get(rec, "metric")),
			   metric) ||
		    strcmp(json_string_value(json_object_get(c, "target")),
			   target))
			continue;
		assert_string_equal(json_string_value(json_object_get(rec,
								      "unit")),
				    unit);
		assert_true(fabs(json_number_value(json_object_get(rec,
								   "value")) -
				 want) < 1e-6);
		assert_string_equal(json_string_value(json_object_get(rec,
								      "bench")),
				    "observe");
		assert_int_equal(json_integer_value(json_object_get(rec, "n")),
				 1);
		assert_null(json_object_get(rec, "samples"));
		assert_true(mt_record_valid(rec, NULL, 0));
		assert_true(json_real_value(json_object_get(c, "t")) == 2.5);
		assert_int_equal(json_integer_value(json_object_get(c,
								    "sample")),
				 3);
		return;
	}
	fail_msg("no %s for %s", metric, target);
}

static void absent(json_t *batch, const char *target, const char *metric)
{
	double v;

	assert_false(mt_obs_batch_get(batch, target, metric, &v));
}

static void test_status(void **state)
{
	struct mt_obs_emit em = emitter("pid:4242");
	char *text = fixture("pid/status");

	(void)state;
	assert_true(mt_obs_put_status(&em, text));
	expect(em.batch, "pid:4242", "status.VmRSS", "bytes", 81920.0 * 1024);
	expect(em.batch, "pid:4242", "status.RssAnon", "bytes", 65536.0 * 1024);
	expect(em.batch, "pid:4242", "status.RssFile", "bytes", 12288.0 * 1024);
	expect(em.batch, "pid:4242", "status.RssShmem", "bytes", 4096.0 * 1024);
	expect(em.batch, "pid:4242", "status.VmSwap", "bytes", 2048.0 * 1024);
	expect(em.batch, "pid:4242", "status.VmHWM", "bytes", 90112.0 * 1024);
	assert_int_equal(json_array_size(em.batch), 6);
	/* A kernel thread has no VmRSS. */
	assert_false(mt_obs_put_status(&em, "Name:\tkthreadd\nState:\tS\n"));
	assert_int_equal(json_array_size(em.batch), 6);
	free(text);
	json_decref(em.batch);
}

static void test_smaps(void **state)
{
	struct mt_obs_emit em = emitter("pid:4242");
	char *text = fixture("pid/smaps_rollup");

	(void)state;
	assert_true(mt_obs_put_smaps(&em, text));
	expect(em.batch, "pid:4242", "smaps.Rss", "bytes", 81920.0 * 1024);
	expect(em.batch, "pid:4242", "smaps.Pss", "bytes", 70000.0 * 1024);
	expect(em.batch, "pid:4242", "smaps.Anonymous", "bytes",
	       65536.0 * 1024);
	expect(em.batch, "pid:4242", "smaps.AnonHugePages", "bytes",
	       40960.0 * 1024);
	/* "Swap:", not "SwapPss:". */
	expect(em.batch, "pid:4242", "smaps.Swap", "bytes", 2048.0 * 1024);
	assert_int_equal(json_array_size(em.batch), 5);
	free(text);
	json_decref(em.batch);
}

static void test_stat(void **state)
{
	struct mt_obs_emit em = emitter("pid:4242");
	char *text = fixture("pid/stat");

	(void)state;
	/* comm "redis (x) server" holds spaces and parentheses. */
	assert_true(mt_obs_put_stat(&em, text));
	expect(em.batch, "pid:4242", "stat.minflt", "count", 1500);
	expect(em.batch, "pid:4242", "stat.majflt", "count", 37);
	assert_true(mt_obs_stat_starttime(text) == 987654ull);
	assert_false(mt_obs_put_stat(&em, "4242 (cut"));
	assert_true(mt_obs_stat_starttime("4242 (x) S 1 2") == 0);
	free(text);
	json_decref(em.batch);
}

static void test_memstat(void **state)
{
	struct mt_obs_emit em = emitter("cgroup:/x");
	char *v2 =
		fixture("tree/sys/fs/cgroup/system.slice/redis-server.service/"
			"memory.stat");
	char *v1 = fixture("v1/memory.stat");

	(void)state;
	mt_obs_put_memstat(&em, v2, false);
	expect(em.batch, "cgroup:/x", "memstat.anon", "bytes", 67108864);
	/* "file", not "file_mapped" or "file_dirty". */
	expect(em.batch, "cgroup:/x", "memstat.file", "bytes", 12582912);
	expect(em.batch, "cgroup:/x", "memstat.file_mapped", "bytes", 8388608);
	expect(em.batch, "cgroup:/x", "memstat.swapcached", "bytes", 8192);
	expect(em.batch, "cgroup:/x", "memstat.pgscan", "count", 500);
	expect(em.batch, "cgroup:/x", "memstat.thp_fault_alloc", "count", 20);
	assert_int_equal(json_array_size(em.batch), 13);
	json_decref(em.batch);

	/* v1: its names, the hierarchical total_ lines first. */
	em = emitter("cgroup:/x");
	mt_obs_put_memstat(&em, v1, true);
	expect(em.batch, "cgroup:/x", "memstat.anon", "bytes", 22000);
	expect(em.batch, "cgroup:/x", "memstat.file", "bytes", 11000);
	expect(em.batch, "cgroup:/x", "memstat.file_mapped", "bytes", 4400);
	expect(em.batch, "cgroup:/x", "memstat.file_dirty", "bytes", 550);
	expect(em.batch, "cgroup:/x", "memstat.pgmajfault", "count", 77);
	expect(em.batch, "cgroup:/x", "memstat.workingset_refault_file",
	       "count", 22);
	absent(em.batch, "cgroup:/x", "memstat.pgscan");
	free(v1);
	free(v2);
	json_decref(em.batch);
}

static void test_events(void **state)
{
	struct mt_obs_emit em = emitter("cgroup:/x");
	char *text =
		fixture("tree/sys/fs/cgroup/system.slice/redis-server.service/"
			"memory.events");

	(void)state;
	mt_obs_put_events(&em, text);
	expect(em.batch, "cgroup:/x", "events.low", "count", 0);
	expect(em.batch, "cgroup:/x", "events.high", "count", 5);
	expect(em.batch, "cgroup:/x", "events.max", "count", 2);
	expect(em.batch, "cgroup:/x", "events.oom", "count", 1);
	/* "oom_kill", not "oom_group_kill". */
	expect(em.batch, "cgroup:/x", "events.oom_kill", "count", 1);
	assert_int_equal(json_array_size(em.batch), 5);
	free(text);
	json_decref(em.batch);
}

/* MEMTUNE_FSROOT on the fixture tree. */
static void use_tree(void)
{
	char root[4096];

	snprintf(root, sizeof(root), "%s/tests/fixtures/observe/tree",
		 mt_test_srcdir());
	setenv("MEMTUNE_FSROOT", root, 1);
}

static void test_system(void **state)
{
	struct mt_obs_emit em = emitter("system");
	struct mt_obs_system sys = { 0 };
	struct mt_err err = { 0 };

	(void)state;
	use_tree();
	assert_int_equal(mt_obs_sample_system(&sys, &em, &err), 0);
	expect(em.batch, "system", "meminfo.MemAvailable", "bytes",
	       8000000.0 * 1024);
	/* "Cached:", not "SwapCached:". */
	expect(em.batch, "system", "meminfo.Cached", "bytes", 6000000.0 * 1024);
	expect(em.batch, "system", "meminfo.SwapCached", "bytes",
	       50000.0 * 1024);
	expect(em.batch, "system", "meminfo.Active(file)", "bytes",
	       4000000.0 * 1024);
	expect(em.batch, "system", "vmstat.pswpout", "pages", 700);
	expect(em.batch, "system", "vmstat.pgmajfault", "count", 321);
	/* allocstall_* summed, as core/vmstat does. */
	expect(em.batch, "system", "vmstat.allocstall", "count", 6);
	expect(em.batch, "system", "vmstat.pgscan_direct", "pages", 100);
	expect(em.batch, "system", "vmstat.workingset_activate_file", "pages",
	       77);
	expect(em.batch, "system", "vmstat.numa_foreign", "pages", 10);
	expect(em.batch, "system", "psi.some_avg10", "percent", 1.5);
	expect(em.batch, "system", "psi.full_total", "us", 65432);
	/* Nodes 0 and 2: ids may have holes. */
	assert_int_equal(sys.n_nodes, 2);
	expect(em.batch, "system", "numastat.node0.local_node", "pages", 495);
	expect(em.batch, "system", "numastat.node2.other_node", "pages", 17);
	absent(em.batch, "system", "numastat.node1.numa_hit");
	assert_string_equal(sys.psi_missing, "");
	unsetenv("MEMTUNE_FSROOT");
	json_decref(em.batch);
}

static void test_unit_target(void **state)
{
	struct mt_obs_emit em = emitter("x");
	struct mt_obs_target t;
	struct mt_err err = { 0 };
	json_t *j;

	(void)state;
	use_tree();
	assert_int_equal(mt_obs_target_resolve("unit", "redis-server", &t,
					       &err),
			 0);
	assert_string_equal(t.id, "unit:redis-server.service");
	assert_string_equal(t.series,
			    "cgroup:/system.slice/redis-server.service");
	assert_int_equal(t.cg_version, 2);
	assert_true(mt_obs_target_sample(&t, &em));
	expect(em.batch, t.series, "memory.current", "bytes", 80000000);
	expect(em.batch, t.series, "memory.swap.current", "bytes", 2097152);
	expect(em.batch, t.series, "events.oom_kill", "count", 1);
	expect(em.batch, t.series, "psi.some_total", "us", 999);
	expect(em.batch, t.series, "memstat.anon", "bytes", 67108864);
	j = mt_obs_target_json(&t);
	assert_string_equal(json_string_value(json_object_get(j, "path")),
			    "/system.slice/redis-server.service");
	assert_string_equal(json_string_value(json_object_get(j, "kind")),
			    "cgroup");
	json_decref(j);
	mt_obs_target_free(&t);

	/* The same cgroup by --cgroup, under /sys/fs/cgroup or below it. */
	assert_int_equal(mt_obs_target_resolve("cgroup",
					       "/sys/fs/cgroup/system.slice/"
					       "redis-server.service/",
					       &t, &err),
			 0);
	assert_string_equal(t.series,
			    "cgroup:/system.slice/redis-server.service");
	mt_obs_target_free(&t);

	/* Absent: an input error naming it. */
	assert_int_equal(mt_obs_target_resolve("unit", "nope", &t, &err),
			 -ENOENT);
	assert_int_equal(err.kind, MT_ERR_INPUT);
	assert_non_null(strstr(err.msg, "nope.service"));
	assert_int_equal(mt_obs_target_resolve("cgroup", "/a/../b", &t, &err),
			 -EINVAL);
	assert_int_equal(err.kind, MT_ERR_INPUT);
	assert_int_equal(mt_obs_target_resolve("pid", "0", &t, &err), -EINVAL);
	unsetenv("MEMTUNE_FSROOT");
	json_decref(em.batch);
}

/* A file of 1 MiB just written (so in the page cache): both paths count
 * its 256 pages. */
static void test_cache_fd(void **state)
{
	char dir[MT_TEST_DIR_LEN], path[128], buf[4096] = { 1 };
	struct mt_obs_cache cs;
	int fd;

	(void)state;
	assert_int_equal(mt_test_mkdtemp(dir, sizeof(dir), "observe"), 0);
	snprintf(path, sizeof(path), "%s/f", dir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	for (int i = 0; i < 256; i++)
		assert_int_equal(write(fd, buf, sizeof(buf)), sizeof(buf));
	fsync(fd);

	memset(&cs, 0, sizeof(cs));
	cs.cachestat = true;
	assert_int_equal(mt_obs_cache_fd(fd, &cs), 0);
	assert_int_equal(cs.files, 1);
	if (cs.cachestat)
		assert_true(cs.cache == 256);

	setenv("MEMTUNE_NO_CACHESTAT", "1", 1);
	assert_false(mt_obs_cachestat_usable());
	memset(&cs, 0, sizeof(cs));
	assert_int_equal(mt_obs_cache_fd(fd, &cs), 0);
	assert_false(cs.cachestat);
	assert_true(cs.resident == 256);
	unsetenv("MEMTUNE_NO_CACHESTAT");
	close(fd);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_smaps),
		cmocka_unit_test(test_stat),
		cmocka_unit_test(test_memstat),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_system),
		cmocka_unit_test(test_unit_target),
		cmocka_unit_test(test_cache_fd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
