/* Unit tests for the live reclaim signals: /proc/vmstat and PSI parsing
 * (core/vmstat.c, core/psi.c), their place in the sysinfo snapshot, one
 * cgroup's memory state, and the rates advisor/signals.c makes from two
 * snapshots, from the counters since boot and from a run's snapshots. */
#include <errno.h>
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

#include "../../advisor/advisor.h"
#include "../../core/psi.h"
#include "../../core/sysinfo.h"
#include "../../cli/sysinfo_print.h"
#include "../../core/vmstat.h"
#include "helpers/fake_tree.h"
#include "helpers/fixtures.h"

static long long jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		fail_msg("no integer %s", key);
	return (long long)json_integer_value(v);
}

static double jnum(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_number(v))
		fail_msg("no number %s", key);
	return json_number_value(v);
}

/* o's number key is within 1e-9 of want. */
static void expect_num(json_t *o, const char *key, double want)
{
	assert_true(fabs(jnum(o, key) - want) < 1e-9);
}

/* The snapshot of fixture tree `tree`, as `memtune sysinfo` takes it. */
static json_t *collect(const char *tree)
{
	struct mt_err err = { 0 };
	json_t *s;

	setenv("MEMTUNE_FSROOT", mt_test_machine(tree), 1);
	s = mt_sysinfo_collect(NULL, &err);
	unsetenv("MEMTUNE_FSROOT");
	assert_non_null(s);
	return s;
}

/* A context on fixture tree `tree` (with run directory run, or NULL)
 * whose signals are gathered over window_ns, as `memtune advise` does. */
static void gather(const char *tree, const char *run, uint64_t window_ns,
		   struct mt_profile *p, struct mt_advise_ctx *ctx)
{
	struct mt_err err = { 0 };

	setenv("MEMTUNE_FSROOT", mt_test_machine(tree), 1);
	assert_int_equal(mt_advise_ctx_init(ctx, run, p, &err), 0);
	assert_int_equal(mt_signals_gather(ctx, window_ns, &err), 0);
	unsetenv("MEMTUNE_FSROOT");
}

/* A string of ctx's signals: "basis" or "from". */
static const char *signals_str(const struct mt_advise_ctx *ctx, const char *key)
{
	return json_string_value(json_object_get(ctx->signals, key));
}

/* ctx has the signal `name`, within eps of want. */
static void expect_signal(const struct mt_advise_ctx *ctx, const char *name,
			  double want, double eps)
{
	double v;

	if (!mt_ev_signal(ctx, name, &v))
		fail_msg("no signal %s", name);
	if (!(fabs(v - want) < eps))
		fail_msg("signal %s is %g, not %g", name, v, want);
}

/* A 5.15 kernel: allocstall per zone, node pgscan/pgsteal lines beside
 * pgscan_direct_throttle, refaults by type. */
static void test_vmstat_new_kernel(void **state)
{
	json_t *o = mt_vmstat_parse(
		"nr_free_pages 100\nallocstall_dma 0\nallocstall_dma32 2\n"
		"allocstall_normal 249308\nallocstall_movable 690\n"
		"pgscan_kswapd 2345\npgscan_direct 412\n"
		"pgscan_direct_throttle 7\npgsteal_kswapd 2000\n"
		"pgsteal_direct 398\nworkingset_refault_anon 5\n"
		"workingset_refault_file 10\nnuma_hit 91\nnuma_miss 3\n"
		"oom_kill 1\ncompact_stall 4\n");

	(void)state;
	assert_non_null(o);
	assert_int_equal(jint(o, "allocstall"), 250000);
	assert_int_equal(jint(o, "allocstall_normal"), 249308);
	assert_int_equal(jint(o, "pgscan_direct"), 412);
	assert_int_equal(jint(o, "pgscan_kswapd"), 2345);
	assert_int_equal(jint(o, "workingset_refault"), 15);
	assert_int_equal(jint(o, "workingset_refault_file"), 10);
	assert_int_equal(jint(o, "numa_miss"), 3);
	assert_int_equal(jint(o, "oom_kill"), 1);
	/* Lines that do not matter are not kept. */
	assert_null(json_object_get(o, "nr_free_pages"));
	assert_null(json_object_get(o, "pgscan_direct_throttle"));
	/* Counters this kernel lacks are absent, not 0. */
	assert_null(json_object_get(o, "pswpin"));
	json_decref(o);
}

/* A 4.4 kernel: one allocstall line, pgscan/pgsteal per zone, one
 * workingset_refault line. */
static void test_vmstat_old_kernel(void **state)
{
	json_t *o = mt_vmstat_parse(
		"allocstall 1234\npgscan_kswapd_dma 1\npgscan_kswapd_dma32 20\n"
		"pgscan_kswapd_normal 300\npgscan_direct_dma32 5\n"
		"pgscan_direct_normal 10\npgscan_direct_throttle 9\n"
		"pgsteal_direct_normal 8\nworkingset_refault 77\n");

	(void)state;
	assert_non_null(o);
	assert_int_equal(jint(o, "allocstall"), 1234);
	assert_null(json_object_get(o, "allocstall_normal"));
	assert_int_equal(jint(o, "pgscan_kswapd"), 321);
	/* Not pgscan_direct_throttle. */
	assert_int_equal(jint(o, "pgscan_direct"), 15);
	assert_int_equal(jint(o, "pgsteal_direct"), 8);
	assert_int_equal(jint(o, "workingset_refault"), 77);
	json_decref(o);
	o = mt_vmstat_parse("");
	assert_int_equal(json_object_size(o), 0);
	json_decref(o);
}

static void test_psi_parse(void **state)
{
	json_t *o = mt_psi_text_json(
		"some avg10=4.50 avg60=3.80 avg300=2.90 total=2900000000\n"
		"full avg10=1.20 avg60=0.95 avg300=0.70 total=700000000\n");
	json_t *some = json_object_get(o, "some");

	(void)state;
	assert_non_null(some);
	expect_num(some, "avg10", 4.5);
	expect_num(some, "avg300", 2.9);
	assert_int_equal(jint(some, "total"), 2900000000LL);
	expect_num(json_object_get(o, "full"), "avg60", 0.95);
	json_decref(o);
	/* cpu before 5.13: no full line; a damaged line is skipped. */
	o = mt_psi_text_json("some avg10=1.00 avg60=2.00 avg300=3.00 "
			     "total=5\nfull avg10=x\n");
	assert_non_null(json_object_get(o, "some"));
	assert_null(json_object_get(o, "full"));
	json_decref(o);
}

/* The snapshot of the database host with stalls, and of a tree without
 * /proc/pressure or /proc/vmstat. */
static void test_sysinfo_signals(void **state)
{
	json_t *s, *psi;

	(void)state;
	s = collect("stalls-db");
	assert_int_equal(jint(json_object_get(s, "vmstat"), "allocstall"),
			 250000);
	assert_int_equal(jint(json_object_get(s, "vmstat"), "pgscan_direct"),
			 412345678);
	psi = json_object_get(s, "psi");
	assert_true(fabs(jnum(json_object_get(json_object_get(psi, "memory"),
					      "some"),
			      "avg10") -
			 4.5) < 1e-9);
	assert_non_null(json_object_get(psi, "cpu"));
	assert_non_null(json_object_get(psi, "io"));
	assert_true(fabs(jnum(s, "uptime_seconds") - 100000) < 1e-6);
	json_decref(s);

	s = collect("small-vm");
	assert_null(json_object_get(s, "vmstat"));
	assert_null(json_object_get(s, "psi"));
	assert_null(json_object_get(s, "uptime_seconds"));
	json_decref(s);

	/* vmstat without /proc/pressure (CONFIG_PSI off). */
	s = collect("qemu-2node");
	assert_int_equal(jint(json_object_get(s, "vmstat"), "allocstall"), 0);
	assert_null(json_object_get(s, "psi"));
	json_decref(s);
}

/* memtune sysinfo prints the counters with their rate since boot, and
 * PSI. */
static void test_sysinfo_print(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	json_t *s;

	(void)state;
	s = collect("stalls-db");
	f = open_memstream(&text, &len);
	assert_non_null(f);
	mt_sysinfo_print(f, s);
	fclose(f);
	assert_non_null(strstr(text, "\nReclaim counters (/proc/vmstat, "
				     "average rate since boot)\n"));
	assert_non_null(strstr(text, "\n  allocstall                    "
				     "250000 (2.5/s)\n"));
	assert_non_null(strstr(text, "\n  pgscan_direct                 "
				     "412345678 (4123/s)\n"));
	assert_non_null(strstr(text, "\nPressure (/proc/pressure, % of time "
				     "stalled)\n"));
	assert_non_null(strstr(text, "\n  memory some                   "
				     "avg10 4.50, avg60 3.80, avg300 2.90\n"));
	free(text);
	json_decref(s);
}

static void test_cgroup_memory(void **state)
{
	json_t *o;

	(void)state;
	setenv("MEMTUNE_FSROOT", mt_test_machine("stalls-db"), 1);
	o = mt_cgroup_memory_json("/system.slice/postgresql.service");
	assert_non_null(o);
	assert_int_equal(jint(json_object_get(o, "stat"), "anon"),
			 96636764160LL);
	assert_int_equal(jint(json_object_get(o, "events"), "oom_kill"), 0);
	assert_true(fabs(jnum(json_object_get(json_object_get(o, "pressure"),
					      "some"),
			      "avg10") -
			 4.1) < 1e-9);
	assert_int_equal(jint(o, "current"), 161061273600LL);
	json_decref(o);
	/* The same by its absolute path. */
	o = mt_cgroup_memory_json(
		"/sys/fs/cgroup/system.slice/postgresql.service");
	assert_non_null(json_object_get(o, "stat"));
	json_decref(o);
	assert_null(mt_cgroup_memory_json("/system.slice/nothing.service"));
	assert_null(mt_cgroup_memory_json("/system.slice/../../etc"));
	unsetenv("MEMTUNE_FSROOT");
}

/* One cgroup's rates over a 10 s window: event counters, memory.stat's
 * event counters (not its sizes), and the share stalled. */
static void test_cgroup_rates(void **state)
{
	json_t *a = json_loads(
		"{\"path\": \"/a\", \"stat\": {\"anon\": 100, \"pgscan\": 1000,"
		" \"pgmajfault\": 5, \"workingset_refault_file\": 10},"
		" \"events\": {\"high\": 10, \"max\": 0, \"oom_kill\": 1},"
		" \"pressure\": {\"some\": {\"total\": 100000},"
		" \"full\": {\"total\": 0}}}",
		0, NULL);
	json_t *b = json_loads(
		"{\"path\": \"/a\", \"stat\": {\"anon\": 900, \"pgscan\": 6000,"
		" \"pgmajfault\": 5, \"workingset_refault_file\": 30},"
		" \"events\": {\"high\": 60, \"max\": 0, \"oom_kill\": 1},"
		" \"pressure\": {\"some\": {\"total\": 600000},"
		" \"full\": {\"total\": 100000}}}",
		0, NULL);
	json_t *r;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	r = mt_cgroup_rates(a, b, 10.0);
	assert_non_null(r);
	expect_num(r, "events_high_per_s", 5);
	expect_num(r, "events_oom_kill_per_s", 0);
	expect_num(r, "stat_pgscan_per_s", 500);
	expect_num(r, "stat_workingset_refault_file_per_s", 2);
	assert_null(json_object_get(r, "stat_anon_per_s"));
	/* 0.5 s of 10 stalled: 5%; full 1%. */
	expect_num(r, "pressure_some_pct", 5);
	expect_num(r, "pressure_full_pct", 1);
	json_decref(r);
	json_decref(a);
	json_decref(b);
}

/* Two snapshots ten seconds apart. */
static void test_rates(void **state)
{
	json_t *a = json_loads(
		"{\"vmstat\": {\"allocstall\": 100, \"pgscan_direct\": 1000,"
		" \"pswpin\": 50, \"oom_kill\": 2},"
		" \"psi\": {\"memory\": {\"some\": {\"avg10\": 1.0,"
		" \"avg60\": 1.0, \"avg300\": 1.0, \"total\": 1000000}}}}",
		0, NULL);
	json_t *b = json_loads(
		"{\"vmstat\": {\"allocstall\": 150, \"pgscan_direct\": 6000,"
		" \"pswpin\": 10, \"oom_kill\": 2, \"pswpout\": 7},"
		" \"psi\": {\"memory\": {\"some\": {\"avg10\": 4.5,"
		" \"avg60\": 3.8, \"avg300\": 2.9, \"total\": 3000000}}}}",
		0, NULL);
	json_t *v;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	v = mt_signals_rates(a, b, 10.0);
	assert_non_null(v);
	expect_num(v, "allocstall_per_s", 5.0);
	expect_num(v, "pgscan_direct_per_s", 500.0);
	expect_num(v, "oom_kill_per_s", 0);
	/* Went backwards (another boot), or only at one end: left out. */
	assert_null(json_object_get(v, "pswpin_per_s"));
	assert_null(json_object_get(v, "pswpout_per_s"));
	/* The averages at the end; 2 s stalled in 10 s is 20%. */
	expect_num(v, "psi_memory_some_avg10", 4.5);
	expect_num(v, "psi_memory_some_pct", 20.0);
	assert_null(json_object_get(v, "psi_memory_full_avg10"));
	expect_num(v, "window_s", 10.0);
	json_decref(v);
	assert_null(mt_signals_rates(a, b, 0));

	/* Since boot: 150 stalls in 100 s, 3 s of 100 stalled. */
	v = mt_signals_since_boot(b, 100.0);
	expect_num(v, "allocstall_per_s", 1.5);
	expect_num(v, "psi_memory_some_pct", 3.0);
	expect_num(v, "pswpout_per_s", 0.07);
	json_decref(v);
	json_decref(a);
	json_decref(b);
}

/* advise on a captured tree: since boot, and said so. */
static void test_gather_tree(void **state)
{
	struct mt_profile p = { .name = "balanced" };
	struct mt_advise_ctx ctx;
	struct mt_err err = { 0 };
	double v;
	const char *from;

	(void)state;
	gather("stalls-db", NULL, 5000000000ull, &p, &ctx);
	assert_string_equal(signals_str(&ctx, "basis"), "since_boot");
	from = signals_str(&ctx, "from");
	assert_non_null(strstr(from, "counters since boot divided by the "
				     "uptime (100000 s)"));
	assert_non_null(strstr(from, "a captured tree"));
	expect_signal(&ctx, "allocstall_per_s", 2.5, 1e-9);
	expect_signal(&ctx, "pgscan_direct_per_s", 4123.45678, 1e-6);
	expect_signal(&ctx, "psi_memory_some_avg10", 4.5, 1e-9);
	expect_signal(&ctx, "psi_memory_full_avg60", 0.95, 1e-9);
	expect_signal(&ctx, "psi_memory_some_pct", 2.9, 1e-9);
	expect_signal(&ctx, "psi_io_full_avg10", 1.4, 1e-9);
	assert_false(mt_ev_signal(&ctx, "no_such_signal", &v));
	mt_advise_ctx_free(&ctx);

	/* A service found in its cgroup: its memory state comes along. */
	setenv("MEMTUNE_FSROOT", mt_test_machine("stalls-db"), 1);
	assert_int_equal(mt_advise_ctx_init(&ctx, NULL, &p, &err), 0);
	ctx.apps[MT_APP_POSTGRESQL].present = true;
	snprintf(ctx.apps[MT_APP_POSTGRESQL].cgroup,
		 sizeof(ctx.apps[MT_APP_POSTGRESQL].cgroup),
		 "/system.slice/postgresql.service");
	assert_int_equal(mt_signals_gather(&ctx, 0, &err), 0);
	unsetenv("MEMTUNE_FSROOT");
	{
		json_t *cg = json_array_get(json_object_get(ctx.signals,
							    "cgroups"),
					    0);

		assert_string_equal(json_string_value(json_object_get(cg,
								      "path")),
				    "/system.slice/postgresql.service");
		assert_int_equal(jint(json_object_get(cg, "stat"), "pgscan"),
				 345678901);
	}
	mt_advise_ctx_free(&ctx);

	/* No /proc/vmstat in the tree: no signals, said so. */
	gather("small-vm", NULL, 0, &p, &ctx);
	assert_string_equal(signals_str(&ctx, "basis"), "none");
	assert_non_null(strstr(signals_str(&ctx, "from"), "no /proc/vmstat"));
	assert_false(mt_ev_signal(&ctx, "allocstall_per_s", &v));
	mt_advise_ctx_free(&ctx);
}

/* The live machine, read only: a 20 ms window, and --window 0. */
static void test_gather_live(void **state)
{
	struct mt_profile p = { .name = "balanced" };
	struct mt_advise_ctx ctx;
	struct mt_err err = { 0 };
	const char *basis;
	double v;

	(void)state;
	unsetenv("MEMTUNE_FSROOT");
	if (access("/proc/vmstat", R_OK) != 0)
		skip();
	assert_int_equal(mt_advise_ctx_init(&ctx, NULL, &p, &err), 0);
	{
		/* This process's own cgroup stands in for a service's. */
		FILE *f = fopen("/proc/self/cgroup", "re");
		char line[200];

		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "0::/", 4)) {
				line[strcspn(line, "\n")] = '\0';
				ctx.apps[MT_APP_REDIS].present = true;
				snprintf(ctx.apps[MT_APP_REDIS].cgroup,
					 sizeof(ctx.apps[MT_APP_REDIS].cgroup),
					 "%s", line + 3);
			}
		if (f)
			fclose(f);
	}
	assert_int_equal(mt_signals_gather(&ctx, 20000000ull, &err), 0);
	{
		json_t *cg = json_array_get(json_object_get(ctx.signals,
							    "cgroups"),
					    0);

		/* Read at both ends of the window: it has rates. */
		if (cg && json_object_get(cg, "events"))
			assert_true(json_is_object(json_object_get(cg,
								   "rates")));
	}
	basis = signals_str(&ctx, "basis");
	assert_string_equal(basis, "window");
	assert_true(mt_ev_signal(&ctx, "window_s", &v));
	assert_true(v >= 0.02 && v < 5);
	assert_true(mt_ev_signal(&ctx, "allocstall_per_s", &v));
	assert_true(v >= 0);
	assert_int_equal(mt_signals_gather(&ctx, 0, &err), 0);
	assert_string_equal(signals_str(&ctx, "basis"), "since_boot");
	assert_non_null(strstr(signals_str(&ctx, "from"), "--window 0"));
	mt_advise_ctx_free(&ctx);
}

/* A run directory with snapshots/ as the runner writes them. */
static void make_run(const char *dir, bool with_snapshots)
{
	char rel[256];

	mt_test_put(dir, "/results.jsonl", "");
	mt_test_put(dir, "/meta.json",
		    "{\"schema_version\": 1, "
		    "\"start\": \"2026-11-22T01:00:00Z\", "
		    "\"end\": \"2026-11-22T01:01:40Z\", \"benchmarks\": ["
		    "{\"bench\": \"tlb\", \"section\": \"tlb\", "
		    "\"status\": \"ok\"},"
		    "{\"bench\": \"reclaim\", \"section\": \"reclaim\","
		    " \"status\": \"ok\"}]}\n");
	if (!with_snapshots)
		return;
	snprintf(rel, sizeof(rel), "/snapshots/tlb.before.vmstat");
	mt_test_put(dir, rel, "allocstall_normal 1000\npgscan_direct 5000\n");
	mt_test_put(dir, "/snapshots/tlb.before.pressure-memory",
		    "some avg10=0.00 avg60=0.00 avg300=0.00 total=1000000\n");
	mt_test_put(dir, "/snapshots/tlb.after.vmstat",
		    "allocstall_normal 1001\npgscan_direct 5000\n");
	mt_test_put(dir, "/snapshots/reclaim.before.vmstat",
		    "allocstall_normal 1001\npgscan_direct 5000\n");
	mt_test_put(dir, "/snapshots/reclaim.after.vmstat",
		    "allocstall_normal 1501\npgscan_direct 105000\n");
	mt_test_put(dir, "/snapshots/reclaim.after.pressure-memory",
		    "some avg10=30.00 avg60=12.00 avg300=3.00 total=6000000\n");
}

static void test_gather_run(void **state)
{
	struct mt_profile p = { .name = "balanced" };
	struct mt_advise_ctx ctx;
	char dir[64];
	const char *from;

	(void)state;
	assert_int_equal(mt_test_mkdtemp(dir, sizeof(dir), "signals"), 0);
	make_run(dir, true);
	gather("stalls-db", dir, 5000000000ull, &p, &ctx);
	assert_string_equal(signals_str(&ctx, "basis"), "run");
	assert_true(json_is_false(json_object_get(ctx.signals, "workload")));
	from = signals_str(&ctx, "from");
	assert_non_null(strstr(from, "tlb before to reclaim after, 100 s"));
	/* 501 stalls and 100000 direct scans in 100 s; 5 s stalled. */
	expect_signal(&ctx, "allocstall_per_s", 5.01, 1e-9);
	expect_signal(&ctx, "pgscan_direct_per_s", 1000, 1e-9);
	expect_signal(&ctx, "psi_memory_some_pct", 5.0, 1e-9);
	expect_signal(&ctx, "psi_memory_some_avg60", 12.0, 1e-9);
	mt_advise_ctx_free(&ctx);
	mt_test_remove_tree(dir);

	/* The run directory is not trusted: a FIFO or a link planted as a
	 * snapshot is not read (a FIFO would block). */
	assert_int_equal(mt_test_mkdtemp(dir, sizeof(dir), "signals"), 0);
	make_run(dir, true);
	{
		char path[512], target[512];

		snprintf(path, sizeof(path),
			 "%s/snapshots/reclaim.after.vmstat", dir);
		assert_int_equal(unlink(path), 0);
		assert_int_equal(mkfifo(path, 0600), 0);
		snprintf(path, sizeof(path), "%s/snapshots/tlb.after.vmstat",
			 dir);
		snprintf(target, sizeof(target),
			 "%s/snapshots/tlb.before.vmstat", dir);
		assert_int_equal(unlink(path), 0);
		assert_int_equal(symlink(target, path), 0);
	}
	gather("stalls-db", dir, 5000000000ull, &p, &ctx);
	assert_string_equal(signals_str(&ctx, "basis"), "since_boot");
	mt_advise_ctx_free(&ctx);
	mt_test_remove_tree(dir);

	/* No snapshots: said so, then the counters since boot of this
	 * (captured) host. */
	assert_int_equal(mt_test_mkdtemp(dir, sizeof(dir), "signals"), 0);
	make_run(dir, false);
	gather("stalls-db", dir, 5000000000ull, &p, &ctx);
	assert_string_equal(signals_str(&ctx, "basis"), "since_boot");
	assert_non_null(strstr(signals_str(&ctx, "from"),
			       "no live signals in this run"));
	mt_advise_ctx_free(&ctx);
	mt_test_remove_tree(dir);

	/* Made on another host: since boot from its meta.json snapshot. */
	assert_int_equal(mt_test_mkdtemp(dir, sizeof(dir), "signals"), 0);
	mt_test_put(dir, "/results.jsonl", "");
	mt_test_put(dir, "/meta.json",
		    "{\"schema_version\": 1, \"system\": {\"host\": "
		    "\"elsewhere\", \"kernel\": \"6.1.0\", \"memory\": "
		    "{\"mem_total_bytes\": 1073741824}, \"vmstat\": "
		    "{\"allocstall\": 600}, \"uptime_seconds\": 60.0}}\n");
	gather("stalls-db", dir, 5000000000ull, &p, &ctx);
	assert_false(ctx.live);
	assert_string_equal(signals_str(&ctx, "basis"), "since_boot");
	assert_non_null(strstr(signals_str(&ctx, "from"),
			       "made on another host"));
	expect_signal(&ctx, "allocstall_per_s", 10.0, 1e-9);
	mt_advise_ctx_free(&ctx);
	mt_test_remove_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmstat_new_kernel),
		cmocka_unit_test(test_vmstat_old_kernel),
		cmocka_unit_test(test_psi_parse),
		cmocka_unit_test(test_sysinfo_signals),
		cmocka_unit_test(test_sysinfo_print),
		cmocka_unit_test(test_cgroup_memory),
		cmocka_unit_test(test_cgroup_rates),
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_gather_tree),
		cmocka_unit_test(test_gather_live),
		cmocka_unit_test(test_gather_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
