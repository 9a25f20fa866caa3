/* Advisor tests: the rules' pure parts with synthetic evidence, the expected
 * advice for each captured machine tree (MEMTUNE_FSROOT), profiles and their
 * errors, the apply guard, and apply/rollback on a copy of a fixture tree
 * (no root needed: the tree's /proc/sys files are plain files). */
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
#include "../../core/sysinfo.h"

static const char database_ini[] =
	"[profile]\ngoal = latency\npage_cache = keep\nkeep = postgres\n"
	"sacrifice = batch-*\n";

/* The fixture directory (tests run from the repository root). */
static const char *machine(const char *name)
{
	static char buf[4096];
	const char *src = getenv("MEMTUNE_SRCDIR");

	snprintf(buf, sizeof(buf), "%s/tests/fixtures/machines/%s",
		 src ? src : ".", name);
	return buf;
}

/* Runs the advisor on a fixture tree with the database profile. */
static void advise_on(const char *name, struct mt_advice *a)
{
	struct mt_profile p;
	struct mt_advise_ctx ctx;
	struct mt_err err = { 0 };

	assert_int_equal(setenv("MEMTUNE_FSROOT", machine(name), 1), 0);
	assert_int_equal(mt_profile_load_string("database", database_ini, &p,
						&err), 0);
	assert_int_equal(mt_advise_ctx_init(&ctx, NULL, &p, &err), 0);
	memset(a, 0, sizeof(*a));
	assert_int_equal(mt_advise(&ctx, a, &err), 0);
	mt_advise_ctx_free(&ctx);
	mt_profile_free(&p);
	unsetenv("MEMTUNE_FSROOT");
}

static void expect(const struct mt_advice *a, const char *id,
		   const char *knob, const char *value, bool change)
{
	struct mt_item *it = mt_advice_find(a, id);

	if (!it)
		fail_msg("no item %s", id);
	assert_string_equal(it->knob, knob);
	assert_string_equal(it->value, value);
	assert_int_equal(it->change, change);
	assert_false(it->measured);	/* no run: system state only */
	assert_non_null(strstr(json_string_value(json_array_get(
			it->evidence, json_array_size(it->evidence) - 1)),
			"basis: system state only"));
	assert_true(it->source && it->source[0]);
}

static void test_min_free_default(void **state)
{
	(void)state;
	/* 1 GiB, THP off: int_sqrt(1048576 * 16) = 4096. */
	assert_int_equal(mt_min_free_kbytes_default(1048576, 2, false, 512,
						    true), 4096);
	/* 24 GiB, 3 zones, THP on: khugepaged's floor 512*3*11 pages. */
	assert_int_equal(mt_min_free_kbytes_default(24684092, 3, true, 512,
						    true), 67584);
	assert_int_equal(mt_min_free_kbytes_default(24684092, 3, false, 512,
						    true), 19873);
	/* 1 TiB: the square root wins over the THP floor. */
	assert_int_equal(mt_min_free_kbytes_default(1073741824, 4, true, 512,
						    true), 131072);
	/* 16 TiB: clamped to 262144 (65536 before 5.7). */
	assert_int_equal(mt_min_free_kbytes_default(16ull << 30, 4, false,
						    512, true), 262144);
	assert_int_equal(mt_min_free_kbytes_default(16ull << 30, 4, false,
						    512, false), 65536);
	/* Tiny: at least 128; the THP floor is capped at 5% of lowmem. */
	assert_int_equal(mt_min_free_kbytes_default(512, 1, false, 512, true),
			 128);
	assert_int_equal(mt_min_free_kbytes_default(262144, 2, true, 512,
						    true), 13104);
}

static void test_swappiness_from_costs(void **state)
{
	(void)state;
	assert_int_equal(mt_swappiness_from_costs(100, 100, 0, 200), 100);
	/* The kernel doc's example: swap 2x faster than files -> 133. */
	assert_int_equal(mt_swappiness_from_costs(1, 2, 0, 200), 133);
	assert_int_equal(mt_swappiness_from_costs(5, 100, 0, 200), 190);
	assert_int_equal(mt_swappiness_from_costs(5, 100, 0, 100), 100);
	assert_int_equal(mt_swappiness_from_costs(1000, 1, 1, 200), 1);
	assert_int_equal(mt_swappiness_from_costs(0, 1, 0, 200), -1);
}

static void test_small_vm(void **state)
{
	struct mt_advice a;

	(void)state;
	advise_on("small-vm", &a);
	expect(&a, "swappiness", "vm.swappiness", "60", false);
	expect(&a, "min_free_kbytes", "vm.min_free_kbytes", "67584", false);
	expect(&a, "zone_reclaim_mode", "vm.zone_reclaim_mode", "0", false);
	expect(&a, "dirty_background", "vm.dirty_background_ratio", "10",
	       false);
	expect(&a, "thp_enabled", "transparent_hugepage.enabled", "madvise",
	       false);
	expect(&a, "thp_defrag", "transparent_hugepage.defrag",
	       "defer+madvise", true);
	assert_non_null(strstr(mt_advice_find(&a, "swappiness")->reason,
			       "no swap"));
	assert_non_null(mt_advice_find(&a, "oom_score_adj.postgres"));
	assert_string_equal(mt_advice_find(&a, "oom_score_adj.batch-*")
				    ->recommended, "500");
	mt_advice_free(&a);
}

static void test_db_2node(void **state)
{
	struct mt_advice a;

	(void)state;
	advise_on("db-2node", &a);
	expect(&a, "swappiness", "vm.swappiness", "10", true);
	/* 1 GiB set by someone: 0.4% of memory, kept, and said so. */
	expect(&a, "min_free_kbytes", "vm.min_free_kbytes", "1048576", false);
	assert_non_null(strstr(mt_advice_find(&a, "min_free_kbytes")->reason,
			       "would compute 90112 kB"));
	expect(&a, "zone_reclaim_mode", "vm.zone_reclaim_mode", "0", false);
	expect(&a, "dirty_background", "vm.dirty_background_bytes",
	       "268435456", true);
	expect(&a, "dirty", "vm.dirty_bytes", "1073741824", true);
	expect(&a, "thp_enabled", "transparent_hugepage.enabled", "madvise",
	       true);
	/* 2 MiB pool in use: nothing to say without a named user. */
	assert_null(mt_advice_find(&a, "nr_hugepages.2048k"));
	mt_advice_free(&a);
}

static void test_zram_host(void **state)
{
	struct mt_advice a;

	(void)state;
	advise_on("zram-host", &a);
	expect(&a, "swappiness", "vm.swappiness", "180", false);
	assert_non_null(strstr(mt_advice_find(&a, "swappiness")->reason,
			       "zram"));
	expect(&a, "watermark_scale_factor", "vm.watermark_scale_factor",
	       "125", false);
	mt_advice_free(&a);
}

static void test_big_1tb(void **state)
{
	struct mt_advice a;
	char *conf;

	(void)state;
	advise_on("big-1tb", &a);
	expect(&a, "swappiness", "vm.swappiness", "10", true);
	/* Lowered below the kernel's own value: int_sqrt(16 x the managed
	 * lowmem of its zoneinfo, 1064916184 kB) = 130533; raise it back. */
	expect(&a, "min_free_kbytes", "vm.min_free_kbytes", "130533", true);
	expect(&a, "dirty_background", "vm.dirty_background_bytes",
	       "268435456", true);
	expect(&a, "thp_defrag", "transparent_hugepage.defrag",
	       "defer+madvise", true);
	conf = mt_advice_sysctl_conf(&a);
	assert_non_null(strstr(conf, "\nvm.swappiness = 10\n"));
	assert_non_null(strstr(conf, "\nvm.min_free_kbytes = 130533\n"));
	assert_non_null(strstr(conf, "# min_free_kbytes ("));
	assert_null(strstr(conf, "transparent_hugepage")); /* not a sysctl */
	free(conf);
	mt_advice_free(&a);
}

/* A snapshot of the zram host with synthetic records. */
static void advise_synthetic(const char *records_json, const char *profile,
			     struct mt_advice *a)
{
	struct mt_profile p;
	struct mt_advise_ctx ctx;
	struct mt_err err = { 0 };
	json_t *sys, *recs = json_loads(records_json, 0, NULL);

	assert_non_null(recs);
	setenv("MEMTUNE_FSROOT", machine("zram-host"), 1);
	sys = mt_sysinfo_collect(NULL, &err);
	unsetenv("MEMTUNE_FSROOT");
	assert_non_null(sys);
	assert_int_equal(mt_profile_load_string("p", profile, &p, &err), 0);
	assert_int_equal(mt_advise_ctx_from(&ctx, sys, recs, &p, false), 0);
	memset(a, 0, sizeof(*a));
	assert_int_equal(mt_advise(&ctx, a, &err), 0);
	mt_advise_ctx_free(&ctx);
	mt_profile_free(&p);
	json_decref(sys);
	json_decref(recs);
}

#define REC(b, c, m, v) "{\"bench\":\"" b "\",\"case\":" c ",\"metric\":\"" \
	m "\",\"status\":\"ok\",\"value\":" v "}"

static void test_swappiness_measured(void **state)
{
	struct mt_advice a;
	struct mt_item *it;

	(void)state;
	/* Swap-in 10 us (100000 faults/s), file read 90 us: 180. */
	advise_synthetic("[" REC("swap", "{\"test\":\"pressure\",\"ratio\":2.0}",
				 "major_faults", "100000") ","
			 REC("odirect", "{\"op\":\"read\",\"pattern\":\"rand\","
			     "\"mode\":\"direct\",\"block_bytes\":4096}",
			     "lat_p50", "90") "]",
			 "[profile]\ngoal = throughput\n", &a);
	it = mt_advice_find(&a, "swappiness");
	assert_true(it->measured);
	assert_string_equal(it->value, "180");
	assert_int_equal(it->confidence, MT_CONF_MEDIUM);
	mt_advice_free(&a);

	/* A sweep beats the cost ratio: latency picks the lowest p99. */
	advise_synthetic("["
		REC("swap", "{\"test\":\"swappiness\",\"swappiness\":10}",
		    "worker_accesses", "100") ","
		REC("swap", "{\"test\":\"swappiness\",\"swappiness\":10}",
		    "worker_latency_p99", "50") ","
		REC("swap", "{\"test\":\"swappiness\",\"swappiness\":10}",
		    "reader_throughput", "10") ","
		REC("swap", "{\"test\":\"swappiness\",\"swappiness\":100}",
		    "worker_accesses", "90") ","
		REC("swap", "{\"test\":\"swappiness\",\"swappiness\":100}",
		    "worker_latency_p99", "400") ","
		REC("swap", "{\"test\":\"swappiness\",\"swappiness\":100}",
		    "reader_throughput", "30") ","
		REC("swap", "{\"test\":\"swappiness\",\"swappiness\":180}",
		    "worker_accesses", "80") ","
		REC("swap", "{\"test\":\"swappiness\",\"swappiness\":180}",
		    "worker_latency_p99", "900") ","
		REC("swap", "{\"test\":\"swappiness\",\"swappiness\":180}",
		    "reader_throughput", "40") "]",
		"[profile]\ngoal = latency\n", &a);
	it = mt_advice_find(&a, "swappiness");
	assert_string_equal(it->value, "10");
	assert_int_equal(it->confidence, MT_CONF_HIGH);
	assert_true(it->change);
	mt_advice_free(&a);
}

static void test_reclaim_stalls(void **state)
{
	struct mt_advice a;
	struct mt_item *it;

	(void)state;
	advise_synthetic("["
		REC("reclaim", "{\"scope\":\"machine\",\"min_free_kbytes\":"
		    "\"current\",\"watermark_scale_factor\":\"current\"}",
		    "allocstall", "500") ","
		REC("reclaim", "{\"scope\":\"machine\",\"min_free_kbytes\":"
		    "\"current\",\"watermark_scale_factor\":200}",
		    "allocstall", "100") ","
		REC("reclaim", "{\"scope\":\"machine\",\"min_free_kbytes\":"
		    "\"current\",\"watermark_scale_factor\":500}",
		    "allocstall", "0") "]",
		"[profile]\n", &a);
	it = mt_advice_find(&a, "watermark_scale_factor");
	assert_true(it->measured);
	assert_string_equal(it->value, "500");
	assert_true(it->change);
	/* min_free_kbytes is not raised when the scale factor fixes it. */
	assert_false(mt_advice_find(&a, "min_free_kbytes")->change);
	mt_advice_free(&a);
}

static void test_profile_errors(void **state)
{
	struct mt_profile p;
	struct mt_err err = { 0 };

	(void)state;
	assert_int_equal(mt_profile_load_string("x.ini", "[profile]\n"
						"colour = red\n", &p, &err),
			 -EINVAL);
	assert_int_equal(err.kind, MT_ERR_INPUT);
	assert_non_null(strstr(err.msg, "x.ini:2"));
	assert_non_null(strstr(err.msg, "colour"));
	mt_err_clear(&err);
	assert_true(mt_profile_load_string("y.ini", "[profile]\ngoal = fast\n",
					   &p, &err) < 0);
	assert_non_null(strstr(err.msg, "fast"));
	mt_err_clear(&err);
	assert_true(mt_profile_load_string("z.ini", "[tlb]\nsizes = 4K\n", &p,
					   &err) < 0);
	assert_non_null(strstr(err.msg, "unknown section [tlb]"));
	mt_err_clear(&err);
	assert_true(mt_profile_load("nosuch", "/nonexistent", &p, &err) < 0);
	assert_non_null(strstr(err.msg, "unknown profile 'nosuch'"));
	assert_int_equal(mt_profile_load_string("d", database_ini, &p, &err),
			 0);
	assert_string_equal(p.goal, "latency");
	assert_int_equal(p.n_sacrifice, 1);
	assert_string_equal(p.sacrifice[0], "batch-*");
	mt_profile_free(&p);
}

static void test_guard(void **state)
{
	char why[256];
	uint64_t mem = 24ull << 30;

	(void)state;
	assert_true(mt_apply_guarded("vm.swappiness", "0", mem, why,
				     sizeof(why)));
	assert_false(mt_apply_guarded("vm.swappiness", "1", mem, why,
				      sizeof(why)));
	assert_true(mt_apply_guarded("vm.zone_reclaim_mode", "1", mem, why,
				     sizeof(why)));
	assert_true(mt_apply_guarded("vm.overcommit_memory", "2", mem, why,
				     sizeof(why)));
	assert_false(mt_apply_guarded("vm.min_free_kbytes", "67584", mem, why,
				      sizeof(why)));
	assert_true(mt_apply_guarded("vm.min_free_kbytes", "1048576", mem,
				     why, sizeof(why)));
	assert_non_null(strstr(why, "2%"));
}

/* Reads a whole file into buf ("" if absent). */
static void slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, len - 1, f) : 0;

	buf[n] = '\0';
	if (f)
		fclose(f);
}

static void test_apply_rollback_tree(void **state)
{
	char tmp[] = "/tmp/mt-advisor-XXXXXX", cmd[8192], path[4096];
	char buf[4096], jpath[4200], *out_text = NULL;
	struct mt_apply_opts o = { 0 };
	const char *force[] = { "nothing" };
	struct mt_advice a;
	struct mt_err err = { 0 };
	size_t out_len;
	FILE *out;
	int problems = -1;

	(void)state;
	assert_non_null(mkdtemp(tmp));
	snprintf(cmd, sizeof(cmd), "cp -a %s %s/root && mkdir -p "
		 "%s/root/etc/sysctl.d %s/run && printf 'vm.swappiness = 30\\n'"
		 " > %s/root/etc/sysctl.d/99-zz-local.conf", machine("big-1tb"),
		 tmp, tmp, tmp, tmp);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/root", tmp);
	advise_on("big-1tb", &a);
	snprintf(buf, sizeof(buf), "%s/run", tmp);
	assert_int_equal(mt_advice_write(buf, &a, &err), 0);
	mt_advice_free(&a);

	setenv("MEMTUNE_FSROOT", path, 1);
	snprintf(jpath, sizeof(jpath), "%s/apply.journal", tmp);
	o.journal_path = jpath;
	o.skip_privilege_check = true;
	o.persist = true;
	o.force = force;
	o.n_force = 1;

	/* Dry run: says what, changes nothing. */
	o.dry_run = true;
	out = open_memstream(&out_text, &out_len);
	assert_int_equal(mt_apply(buf, &o, out, &problems, &err), 0);
	fclose(out);
	assert_non_null(strstr(out_text, "would set vm.swappiness: 60 -> 10"));
	assert_non_null(strstr(out_text, "99-zz-local.conf:1 sets "
			       "vm.swappiness"));
	/* ratio -> bytes cannot be undone by the journal: skipped. */
	assert_non_null(strstr(out_text, "skipped  vm.dirty_background_bytes"));
	free(out_text);
	snprintf(cmd, sizeof(cmd), "%s/proc/sys/vm/swappiness", path);
	slurp(cmd, buf + 2048, 2048);
	assert_string_equal(buf + 2048, "60\n");
	assert_false(access(jpath, F_OK) == 0);

	/* The real thing. */
	o.dry_run = false;
	snprintf(buf, sizeof(buf), "%s/run", tmp);
	out = open_memstream(&out_text, &out_len);
	assert_int_equal(mt_apply(buf, &o, out, &problems, &err), 0);
	fclose(out);
	assert_non_null(strstr(out_text, "set      vm.swappiness: 60 -> 10"));
	assert_non_null(strstr(out_text, "installed /etc/sysctl.d/"
			       "99-memtune.conf"));
	assert_true(problems >= 2);	/* skipped bytes, override warning */
	free(out_text);
	slurp(cmd, buf + 2048, 2048);
	assert_string_equal(buf + 2048, "10\n");
	snprintf(cmd, sizeof(cmd), "%s/etc/sysctl.d/99-memtune.conf", path);
	assert_int_equal(access(cmd, F_OK), 0);

	/* Rollback (as a later process would: only the journal file). */
	out = open_memstream(&out_text, &out_len);
	assert_int_equal(mt_rollback(jpath, out, &err), 0);
	fclose(out);
	free(out_text);
	assert_false(access(cmd, F_OK) == 0);
	snprintf(cmd, sizeof(cmd), "%s/proc/sys/vm/swappiness", path);
	slurp(cmd, buf + 2048, 2048);
	assert_string_equal(buf + 2048, "60\n");
	snprintf(cmd, sizeof(cmd), "%s/proc/sys/vm/min_free_kbytes", path);
	slurp(cmd, buf + 2048, 2048);
	assert_string_equal(buf + 2048, "67584\n");
	unsetenv("MEMTUNE_FSROOT");

	/* A missing advice file is an input error naming the path. */
	assert_true(mt_apply(tmp, &o, stdout, NULL, &err) < 0);
	assert_int_equal(err.kind, MT_ERR_INPUT);
	assert_non_null(strstr(err.msg, "advice.json"));
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_min_free_default),
		cmocka_unit_test(test_swappiness_from_costs),
		cmocka_unit_test(test_small_vm),
		cmocka_unit_test(test_db_2node),
		cmocka_unit_test(test_zram_host),
		cmocka_unit_test(test_big_1tb),
		cmocka_unit_test(test_swappiness_measured),
		cmocka_unit_test(test_reclaim_stalls),
		cmocka_unit_test(test_profile_errors),
		cmocka_unit_test(test_guard),
		cmocka_unit_test(test_apply_rollback_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
