/* The rules for one service (oom_score_adj, mlock, cgroup_limits, oomd) on
 * the captured trees pg-host, redis-host, es-host and k8s-node, on copies
 * of them changed where a case needs it, and on synthetic analysis facts;
 * and the oom and mlock facts the analyzer derives for them. */
#include <errno.h>
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

#include "../../advisor/advisor.h"
#include "../../analyzer/analysis.h"
#include "../../analyzer/run.h"
#include "../../core/sysinfo.h"
#include "helpers/fake_tree.h"
#include "helpers/fixtures.h"

/* analyzer/an_oom.c: the exact 95% interval of k of n. */
void mt_oom_proportion_ci(int k, int n, double *lo, double *hi);

static const char database_ini[] =
	"[profile]\ngoal = latency\npage_cache = keep\n"
	"keep = postgres,mysqld,mariadbd\nsacrifice = batch-*,backup-*\n";

static const char *src_path(const char *rel)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s/%s", mt_test_srcdir(), rel);
	return buf;
}

/* Copies fixture tree name into a new temporary directory (tmp, at least
 * 64 bytes) to change a case. */
static void copy_tree(const char *name, char *tmp)
{
	mt_test_copy_machine(name, tmp, 64, "svc");
}

/* Advice on tree `name` with profile text ini; analysis (may be NULL) is
 * the run's analysis.json the facts come from (a reference is taken). */
static void advise(const char *name, const char *ini, json_t *analysis,
		   struct mt_advice *a)
{
	struct mt_profile p;
	struct mt_advise_ctx ctx;
	struct mt_err err = { 0 };
	json_t *sys;

	assert_int_equal(setenv("MEMTUNE_FSROOT", mt_test_machine(name), 1), 0);
	assert_int_equal(mt_profile_load_string("p", ini, &p, &err), 0);
	sys = mt_sysinfo_collect(NULL, &err);
	assert_non_null(sys);
	assert_int_equal(mt_advise_ctx_from(&ctx, sys, NULL, &p, true), 0);
	ctx.analysis = json_incref(analysis);
	memset(a, 0, sizeof(*a));
	assert_int_equal(mt_advise(&ctx, a, &err), 0);
	unsetenv("MEMTUNE_FSROOT");
	mt_advise_ctx_free(&ctx);
	mt_profile_free(&p);
	json_decref(sys);
}

/* The item `id` of a, with current and recommended (each unless NULL)
 * and change as given. */
static struct mt_item *expect_item(const struct mt_advice *a, const char *id,
				   const char *current, const char *recommended,
				   bool change)
{
	struct mt_item *it = mt_test_item(a, id);

	if (current)
		assert_string_equal(it->current, current);
	if (recommended)
		assert_string_equal(it->recommended, recommended);
	assert_int_equal(it->change, change);
	return it;
}

static bool cites(const struct mt_item *it, const char *text)
{
	return mt_test_cited(it, text);
}

/* An analysis.json object holding the given facts (a JSON array text). */
static json_t *analysis_with(const char *facts)
{
	json_t *f = json_loads(facts, 0, NULL), *a;

	assert_non_null(f);
	a = json_pack("{s:i, s:o}", "schema_version", 1, "facts", f);
	assert_non_null(a);
	return a;
}

/* --- oom_score_adj ----------------------------------------------------- */

static void test_oom_pg_host(void **state)
{
	struct mt_advice a;
	struct mt_item *it;

	(void)state;
	advise("pg-host", database_ini, NULL, &a);
	it = expect_item(&a, "oom_score_adj.postgresql",
			 "postmaster 0, children 0,0,0",
			 "postmaster -1000, children 0", true);
	assert_string_equal(it->knob, "oom_score_adj:postgresql");
	assert_int_equal(it->ground, MT_GROUND_DOCUMENTED);
	assert_int_equal(it->confidence, MT_CONF_MEDIUM);
	assert_non_null(strstr(it->source, "kernel-resources.html#LINUX-"
					   "MEMORY-OVERCOMMIT (current docs"));
	assert_string_equal(it->apply,
			    "systemctl edit "
			    "postgresql@15-main.service, add: [Service] "
			    "OOMScoreAdjust=-1000 Environment=PG_OOM_ADJUST_"
			    "FILE=/proc/self/oom_score_adj Environment=PG_OOM_"
			    "ADJUST_VALUE=0 OOMPolicy=continue; then systemctl "
			    "restart postgresql@15-main.service");
	assert_non_null(strstr(it->reason, "DefaultOOMPolicy=stop"));
	assert_true(cites(it,
			  "postmaster pid 41200 (unit postgresql@15-main."
			  "service): oom_score_adj 0; 3 of its 3 children at "
			  "0"));
	/* The profile's postgres glob no longer matches the backends: the
	 * application item covers every postgres process. */
	assert_null(mt_advice_find(&a, "oom_score_adj.postgres"));
	it = expect_item(&a, "oom_score_adj.batch-*", "0", "500", true);
	assert_int_equal(it->ground, MT_GROUND_PRACTICE);
	assert_string_equal(it->apply,
			    "systemctl edit batch-etl.service, "
			    "add: [Service] OOMScoreAdjust=500; running now: "
			    "choom -p 41300 -n 500");
	/* Not running: said, and not a change. */
	it = expect_item(&a, "oom_score_adj.mysqld", "not running", NULL,
			 false);
	assert_non_null(strstr(it->reason, "No such process runs here"));
	assert_false(mt_test_item(&a, "oom_score_adj.backup-*")->change);
	mt_advice_free(&a);
}

/* The postmaster already at -1000 and its children at 0: no change; a
 * child left at -1000 (PG_OOM_ADJUST_FILE unset) is one. */
static void test_oom_pg_already(void **state)
{
	char tmp[64];
	struct mt_advice a;
	struct mt_item *it;

	(void)state;
	copy_tree("pg-host", tmp);
	mt_test_put(tmp, "/proc/41200/oom_score_adj", "-1000\n");
	mt_test_put(tmp, "/proc/41300/oom_score_adj", "500\n");
	advise(tmp, database_ini, NULL, &a);
	it = expect_item(&a, "oom_score_adj.postgresql",
			 "postmaster -1000, children 0,0,0", NULL, false);
	assert_non_null(strstr(it->reason, "already have these values"));
	assert_false(mt_test_item(&a, "oom_score_adj.batch-*")->change);
	mt_advice_free(&a);

	mt_test_put(tmp, "/proc/41202/oom_score_adj", "-1000\n");
	advise(tmp, database_ini, NULL, &a);
	it = expect_item(&a, "oom_score_adj.postgresql",
			 "postmaster -1000, children 0,-1000,0", NULL, true);
	mt_advice_free(&a);

	/* A second cluster whose backend inherited -1000: both postmasters
	 * and all children are PostgreSQL's, none falls to the glob. */
	mt_test_put(tmp, "/proc/42200/comm", "postgres\n");
	mt_test_put(tmp, "/proc/42200/status", "Name:\tpostgres\nPPid:\t1\n");
	mt_test_put(tmp, "/proc/42200/oom_score_adj", "-1000\n");
	mt_test_put(tmp, "/proc/42200/cgroup",
		    "0::/system.slice/"
		    "system-postgresql.slice/postgresql@16-main.service\n");
	mt_test_put(tmp, "/proc/42201/comm", "postgres\n");
	mt_test_put(tmp, "/proc/42201/status",
		    "Name:\tpostgres\nPPid:\t42200\n");
	mt_test_put(tmp, "/proc/42201/oom_score_adj", "-1000\n");
	mt_test_put(tmp, "/proc/41202/oom_score_adj", "0\n");
	advise(tmp, database_ini, NULL, &a);
	it = expect_item(&a, "oom_score_adj.postgresql",
			 "postmasters -1000,-1000, children 0,0,0,-1000", NULL,
			 true);
	assert_true(cites(it,
			  "2 postmasters (clusters), 2 of them at -1000; "
			  "3 of their 4 children at 0; the first, pid 41200, "
			  "runs in postgresql@15-main.service"));
	assert_non_null(strstr(it->apply,
			       "systemctl edit "
			       "postgresql@15-main.service (and each other "
			       "cluster's unit)"));
	assert_null(mt_advice_find(&a, "oom_score_adj.postgres"));
	mt_advice_free(&a);
	mt_test_remove_tree(tmp);
}

/* PostgreSQL named by the profile but not running: an item that says so,
 * change=false; the oom benchmark's fact is cited, and a kernel that did
 * not always follow the score is said. */
static void test_oom_not_running_fact(void **state)
{
	struct mt_advice a;
	struct mt_item *it;
	json_t *an = analysis_with(
		"[{\"id\":\"oom.followed_score\","
		"\"bench\":\"oom\",\"value\":0.6667,\"lo\":0.0943,"
		"\"hi\":0.9916,\"unit\":\"fraction\",\"n\":3,\"what\":"
		"\"share of OOM scenarios whose victim had the highest "
		"badness\"}]");

	(void)state;
	advise("redis-host", "[profile]\nservices = postgresql:16\n", an, &a);
	it = expect_item(&a, "oom_score_adj.postgresql", "not running", NULL,
			 false);
	assert_true(it->measured);
	assert_true(cites(it, "fact oom.followed_score: 0.6667 [0.0943, "
			      "0.9916] fraction (n=3)"));
	assert_non_null(strstr(it->reason, "not running here"));
	assert_non_null(strstr(it->reason, "did not always follow"));
	/* No unit known: the apply line names what to edit. */
	assert_non_null(strstr(it->apply, "systemctl edit <the PostgreSQL "
					  "unit>"));
	mt_advice_free(&a);
	json_decref(an);
}

/* --- mlock --------------------------------------------------------------- */

#define ML_FACT(id, v, lo, hi, unit) \
	"{\"id\":\"mlock." id "\"," \
	"\"bench\":\"mlock\",\"value\":" v lo hi ",\"unit\":\"" unit "\"," \
	"\"n\":9,\"what\":\"x\"}"

/* The mlock facts of one run: the p99 ratio with its interval (lo and hi
 * as ML_FACT takes them, "" for none), p99 unlocked and locked, major
 * faults unlocked (none locked). A static buffer. */
static const char *mlock_facts(const char *ratio, const char *lo,
			       const char *hi, const char *p99_unlocked,
			       const char *p99_locked, const char *faults)
{
	static char buf[1024];
	const char *const f[] = {
		ML_FACT("file_p99_ratio", "%s", "%s", "%s", "ratio"),
		ML_FACT("file_p99_unlocked", "%s", "", "", "ns"),
		ML_FACT("file_p99_locked", "%s", "", "", "ns"),
		ML_FACT("file_major_faults_unlocked", "%s", "", "", "count"),
		ML_FACT("file_major_faults_locked", "0", "", "", "count"),
	};
	char *fmt = mt_test_json_array(f, sizeof(f) / sizeof(*f));
	int n = snprintf(buf, sizeof(buf), fmt, ratio, lo, hi, p99_unlocked,
			 p99_locked, faults);

	assert_true(n > 0 && (size_t)n < sizeof(buf));
	free(fmt);
	return buf;
}

static void test_mlock_facts(void **state)
{
	const char *ini = "[profile]\ngoal = latency\n"
			  "latency_critical = redis-server,memcached\n";
	struct mt_advice a;
	struct mt_item *it;
	json_t *an;

	(void)state;
	/* Locking cut p99 with an interval above 1: measured, high. */
	an = analysis_with(mlock_facts("12.0", ",\"lo\":8.0", ",\"hi\":15.0",
				       "9300", "775", "62"));
	advise("redis-host", ini, an, &a);
	json_decref(an);
	it = expect_item(&a, "mlock.redis-server", "unlocked", "mlockall",
			 true);
	assert_int_equal(it->ground, MT_GROUND_MEASURED);
	assert_int_equal(it->confidence, MT_CONF_HIGH);
	assert_true(cites(it, "fact mlock.file_p99_ratio: 12 [8, 15] ratio "
			      "(n=9)"));
	/* 32 GiB resident: 5/4 of it, for its unit. */
	assert_string_equal(it->apply,
			    "systemctl edit redis-server.service, "
			    "add: [Service] LimitMEMLOCK=40960M (5/4 of the "
			    "resident set); the program must lock itself "
			    "(mlockall(MCL_CURRENT|MCL_FUTURE) or its own "
			    "option)");
	/* memcached does not run: not a change. */
	it = expect_item(&a, "mlock.memcached", "not running", NULL, false);
	assert_int_equal(it->confidence, MT_CONF_LOW);
	mt_advice_free(&a);

	/* The same gain without an interval: low, and says why. */
	an = analysis_with(mlock_facts("12.0", "", "", "9300", "775", "62"));
	advise("redis-host", ini, an, &a);
	json_decref(an);
	it = mt_test_item(&a, "mlock.redis-server");
	assert_true(it->change);
	assert_int_equal(it->ground, MT_GROUND_INCONCLUSIVE);
	assert_int_equal(it->confidence, MT_CONF_LOW);
	assert_non_null(strstr(it->reason, "no interval"));
	mt_advice_free(&a);

	/* No gain, interval at or below 1: no lock, measured. */
	an = analysis_with(mlock_facts("0.98", ",\"lo\":0.9", ",\"hi\":1.0",
				       "900", "918", "0"));
	advise("redis-host", ini, an, &a);
	json_decref(an);
	it = mt_test_item(&a, "mlock.redis-server");
	assert_false(it->change);
	assert_string_equal(it->recommended, "no lock");
	assert_int_equal(it->ground, MT_GROUND_MEASURED);
	mt_advice_free(&a);
}

/* Oracle's memlock requirement on a copy of db-2node (HugePages in use,
 * MemTotal 263842944 kB): 90% of RAM, a vendor requirement. */
static void test_mlock_oracle(void **state)
{
	char tmp[64];
	struct mt_advice a;
	struct mt_item *it;
	static const char limits[] =
		"Limit                     Soft Limit           Hard Limit   "
		"        Units     \n"
		"Max locked memory         %s              %s             "
		" bytes     \n";
	char text[512];

	(void)state;
	copy_tree("db-2node", tmp);
	mt_test_put(tmp, "/proc/600/comm", "ora_pmon_ORCL\n");
	mt_test_put(tmp, "/proc/600/status",
		    "Name:\tora_pmon_orcl\nPPid:\t1\n");
	snprintf(text, sizeof(text), limits, "65536", "65536");
	mt_test_put(tmp, "/proc/600/limits", text);
	advise(tmp, "[profile]\n", NULL, &a);
	it = expect_item(&a, "mlock.oracle", "64 KiB", ">= 237458650 KiB",
			 true);
	assert_string_equal(it->knob, "memlock:oracle");
	assert_int_equal(it->ground, MT_GROUND_HARD_RULE);
	assert_int_equal(it->confidence, MT_CONF_HIGH);
	assert_true(cites(it, "vm.nr_hugepages 4096 (HugePages in use)"));
	assert_string_equal(it->apply,
			    "/etc/security/limits.d/99-oracle-"
			    "memlock.conf: \"oracle soft memlock 237458650\" "
			    "and \"oracle hard memlock 237458650\"; log in "
			    "again as oracle and check ulimit -l");
	mt_advice_free(&a);

	snprintf(text, sizeof(text), limits, "unlimited", "unlimited");
	mt_test_put(tmp, "/proc/600/limits", text);
	mt_test_put(tmp, "/proc/sys/vm/nr_hugepages", "0\n");
	advise(tmp, "[profile]\n", NULL, &a);
	it = expect_item(&a, "mlock.oracle", "unlimited", ">= 3145728 KiB",
			 false);
	mt_advice_free(&a);

	/* No Oracle: no item. */
	advise("pg-host", "[profile]\n", NULL, &a);
	assert_null(mt_advice_find(&a, "mlock.oracle"));
	mt_advice_free(&a);
	mt_test_remove_tree(tmp);
}

/* --- cgroup limits ------------------------------------------------------- */

static void test_cgroup_pg_host(void **state)
{
	struct mt_advice a;
	struct mt_item *it;

	(void)state;
	advise("pg-host", database_ini, NULL, &a);
	it = mt_test_item(&a, "cgroup.postgresql.memory_low");
	assert_string_equal(it->knob, "memory.low:postgresql@15-main.service");
	assert_string_equal(it->current, "0 B");
	/* memory.peak 120 GiB. */
	assert_string_equal(it->recommended, "122880M");
	assert_true(it->change);
	assert_int_equal(it->ground, MT_GROUND_PRACTICE);
	assert_string_equal(it->apply,
			    "systemctl set-property "
			    "postgresql@15-main.service MemoryLow=122880M");
	/* PostgreSQL: no swap.max (its documentation counts on swap to
	 * avoid the OOM killer); oom.group left alone. */
	assert_null(mt_advice_find(&a, "cgroup.postgresql.memory_swap_max"));
	it = expect_item(&a, "cgroup.postgresql.memory_oom_group", "0", NULL,
			 false);
	assert_non_null(strstr(it->reason, "restart_after_crash"));
	/* The batch slice: MemTotal 263842944 kB = 257659.125 MiB less the
	 * kept 122880 MiB. */
	it = expect_item(&a, "cgroup.batch.slice.memory_high", "max", "134779M",
			 true);
	assert_string_equal(it->knob, "memory.high:batch.slice");
	assert_string_equal(it->apply, "systemctl set-property batch.slice "
				       "MemoryHigh=134779M");
	mt_advice_free(&a);
}

static void test_cgroup_es_host(void **state)
{
	struct mt_advice a;
	struct mt_item *it;

	(void)state;
	advise("es-host", "[profile]\nservices = elasticsearch\n", NULL, &a);
	it = mt_test_item(&a, "cgroup.elasticsearch.memory_low");
	assert_string_equal(it->recommended, "45056M");
	it = expect_item(&a, "cgroup.elasticsearch.memory_swap_max", "max", "0",
			 true);
	assert_int_equal(it->ground, MT_GROUND_DOCUMENTED);
	assert_non_null(strstr(it->source, "setup-configuration-memory"));
	assert_true(cites(it, "memory.swap.current 512 MiB"));
	assert_string_equal(it->apply, "systemctl set-property "
				       "elasticsearch.service MemorySwapMax=0");

	/* Redis kept under a latency goal: protected, but never kept out of
	 * swap (its documentation wants swap). */
	mt_advice_free(&a);
	advise("redis-host",
	       "[profile]\ngoal = latency\nkeep = "
	       "redis-server\n",
	       NULL, &a);
	it = mt_test_item(&a, "cgroup.redis.memory_low");
	assert_string_equal(it->recommended, "40960M");
	assert_null(mt_advice_find(&a, "cgroup.redis.memory_swap_max"));
	mt_advice_free(&a);

	/* Not named by the profile and not kept: no limits for it. */
	advise("es-host", "[profile]\n", NULL, &a);
	assert_null(mt_advice_find(&a, "cgroup.elasticsearch.memory_low"));
	mt_advice_free(&a);
}

/* A peak beyond what the service holds plus all available memory is no
 * defensible protection, and no kept peak gives no room for the batch
 * slice: "measure", no change. */
static void test_cgroup_measure(void **state)
{
	char tmp[64];
	const char *pgcg = "/sys/fs/cgroup/system.slice/"
			   "system-postgresql.slice/postgresql@15-main."
			   "service/";
	char path[256];
	struct mt_advice a;
	struct mt_item *it;

	(void)state;
	copy_tree("pg-host", tmp);
	snprintf(path, sizeof(path), "%smemory.peak", pgcg);
	mt_test_put(tmp, path, "300000000000000\n");
	advise(tmp, database_ini, NULL, &a);
	it = expect_item(&a, "cgroup.postgresql.memory_low", NULL, "measure",
			 false);
	assert_non_null(strstr(it->reason, "memtune observe --unit "
					   "postgresql@15-main.service"));
	mt_advice_free(&a);

	/* No memory.peak (before 5.19): today's usage, said. */
	snprintf(path, sizeof(path), "%s/%smemory.peak", tmp, pgcg);
	assert_int_equal(unlink(path), 0);
	advise(tmp, database_ini, NULL, &a);
	it = mt_test_item(&a, "cgroup.postgresql.memory_low");
	assert_string_equal(it->recommended, "98304M");
	assert_non_null(strstr(it->reason, "no memory.peak"));
	mt_advice_free(&a);

	/* Nothing kept: the batch slice's limit has nothing to rest on. */
	advise(tmp, "[profile]\nsacrifice = batch-*\n", NULL, &a);
	it = expect_item(&a, "cgroup.batch.slice.memory_high", NULL, "measure",
			 false);
	mt_advice_free(&a);
	mt_test_remove_tree(tmp);
}

/* --- systemd-oomd -------------------------------------------------------- */

static void test_oomd(void **state)
{
	char tmp[64];
	struct mt_advice a;
	struct mt_item *it;

	(void)state;
	/* redis-host: systemd-oomd runs, batch.slice not managed. */
	advise("redis-host", database_ini, NULL, &a);
	it = expect_item(&a, "oomd.batch.slice", "auto", "kill", true);
	assert_string_equal(it->knob, "ManagedOOMMemoryPressure:batch.slice");
	assert_int_equal(it->confidence, MT_CONF_MEDIUM);
	assert_true(cites(it, "systemd-oomd running; PSI yes; cgroup v2 yes; "
			      "swap yes"));
	assert_string_equal(it->apply, "systemctl set-property batch.slice "
				       "ManagedOOMMemoryPressure=kill");
	mt_advice_free(&a);

	/* pg-host: not installed, nothing changes until it is. */
	advise("pg-host", database_ini, NULL, &a);
	it = mt_test_item(&a, "oomd.batch.slice");
	assert_false(it->change);
	assert_non_null(strstr(it->reason, "not installed"));
	mt_advice_free(&a);

	/* Already set by systemctl set-property: read from its drop-in. */
	copy_tree("redis-host", tmp);
	mt_test_put(tmp,
		    "/etc/systemd/system.control/batch.slice.d/"
		    "50-ManagedOOMMemoryPressure.conf",
		    "# set by systemctl\n[Slice]\n"
		    "ManagedOOMMemoryPressure=kill\n");
	advise(tmp, database_ini, NULL, &a);
	it = expect_item(&a, "oomd.batch.slice", "kill", NULL, false);

	/* No slice above redis-server is managed: no preference item. */
	assert_null(mt_advice_find(&a, "oomd.redis.preference"));
	mt_advice_free(&a);
	/* -.slice with ManagedOOMSwap=kill (what systemd-oomd's defaults
	 * ship on some distributions): the kept service asks to be
	 * avoided. */
	mt_test_put(tmp,
		    "/usr/lib/systemd/system/-.slice.d/"
		    "10-oomd-root-slice-defaults.conf",
		    "[Slice]\nManagedOOMSwap=kill\n");
	advise(tmp, "[profile]\nkeep = redis-server\n", NULL, &a);
	it = expect_item(&a, "oomd.redis.preference", "none", "avoid", true);
	assert_string_equal(it->knob,
			    "ManagedOOMPreference:redis-server.service");
	assert_true(cites(it, "-.slice sets ManagedOOMSwap=kill"));
	assert_string_equal(it->apply,
			    "systemctl set-property "
			    "redis-server.service ManagedOOMPreference=avoid");
	mt_advice_free(&a);
	mt_test_put(tmp,
		    "/etc/systemd/system/redis-server.service.d/"
		    "oom.conf",
		    "[Service]\nManagedOOMPreference=avoid\n");
	advise(tmp, "[profile]\nkeep = redis-server\n", NULL, &a);
	it = expect_item(&a, "oomd.redis.preference", "avoid", NULL, false);
	/* Not kept: not asked. */
	mt_advice_free(&a);
	advise(tmp, "[profile]\n", NULL, &a);
	assert_null(mt_advice_find(&a, "oomd.redis.preference"));
	mt_advice_free(&a);

	/* A job in system.slice: it needs a slice of its own first. */
	mt_test_put(tmp, "/proc/2400/cgroup",
		    "0::/system.slice/batch-report.service\n");
	advise(tmp, database_ini, NULL, &a);
	it = mt_test_item(&a, "oomd.batch-report.service");
	assert_false(it->change);
	assert_string_equal(it->recommended, "own slice, then kill");
	mt_advice_free(&a);
	mt_test_remove_tree(tmp);
}

/* k8s-node: kubelet gets no cgroup limits (it reserves for pods itself);
 * every shipped profile that loads advises on every new tree. */
static void test_k8s_and_profiles(void **state)
{
	static const char *const trees[] = { "pg-host", "redis-host", "es-host",
					     "k8s-node" };
	static const char *const profiles[] = { "database", "latency",
						"throughput", "batch" };
	struct mt_advice a;

	(void)state;
	advise("k8s-node", "[profile]\nservices = kubelet\n", NULL, &a);
	for (size_t i = 0; i < a.n; i++)
		assert_null(strstr(a.items[i].id, "kubelet"));
	mt_advice_free(&a);
	for (size_t t = 0; t < 4; t++)
		for (size_t p = 0; p < 4; p++) {
			struct mt_profile prof;
			struct mt_advise_ctx ctx;
			struct mt_err err = { 0 };

			assert_int_equal(setenv("MEMTUNE_FSROOT",
						mt_test_machine(trees[t]), 1),
					 0);
			if (mt_profile_load(profiles[p], src_path("configs"),
					    &prof, &err) < 0)
				fail_msg("%s: %s", profiles[p], err.msg);
			assert_int_equal(mt_advise_ctx_init(&ctx, NULL, &prof,
							    &err),
					 0);
			memset(&a, 0, sizeof(a));
			assert_int_equal(mt_advise(&ctx, &a, &err), 0);
			/* This part's rules always state their ground. */
			for (size_t i = 0; i < a.n; i++) {
				const char *r = a.items[i].rule;

				if (!strcmp(r, "oom_score_adj") ||
				    !strcmp(r, "mlock") ||
				    !strcmp(r, "cgroup_limits") ||
				    !strcmp(r, "oomd"))
					assert_int_not_equal(a.items[i].ground,
							     MT_GROUND_NONE);
			}
			mt_advice_free(&a);
			mt_advise_ctx_free(&ctx);
			mt_profile_free(&prof);
			unsetenv("MEMTUNE_FSROOT");
		}
}

/* --- the analyzer's facts ------------------------------------------------- */

static void test_facts(void **state)
{
	struct mt_run *run;
	struct mt_err err = { 0 };
	struct mt_fact f;
	double lo, hi;
	json_t *an;

	(void)state;
	mt_oom_proportion_ci(3, 3, &lo, &hi);
	assert_true(fabs(lo - 0.2924) < 1e-4 && hi == 1);
	mt_oom_proportion_ci(0, 3, &lo, &hi);
	assert_true(lo == 0 && fabs(hi - 0.7076) < 1e-4);
	mt_oom_proportion_ci(2, 3, &lo, &hi);
	assert_true(fabs(lo - 0.0943) < 1e-4 && fabs(hi - 0.9916) < 1e-4);
	mt_oom_proportion_ci(5, 10, &lo, &hi);
	assert_true(fabs(lo - 0.1871) < 1e-4 && fabs(hi - 0.8129) < 1e-4);

	assert_int_equal(mt_run_load(src_path("tests/fixtures/runs/"
					      "adv-quick"),
				     0, &run, &err),
			 0);
	an = mt_analyze_run(run);
	mt_run_free(run);
	assert_non_null(an);
	assert_true(mt_fact_get(an, "oom.followed_score", &f));
	assert_true(f.value == 1 && f.n == 3 && fabs(f.lo - 0.2924) < 1e-4);
	assert_true(mt_fact_get(an, "mlock.file_p99_ratio", &f));
	assert_true(fabs(f.value - 9294.1 / 641) < 1e-9 && isnan(f.lo));
	assert_true(mt_fact_get(an, "mlock.file_major_faults_unlocked", &f));
	assert_true(f.value == 62);
	assert_true(mt_fact_get(an, "mlock.anon_p99_ratio", &f));
	assert_true(fabs(f.value - 25599.9 / 109784.6) < 1e-6);
	json_decref(an);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oom_pg_host),
		cmocka_unit_test(test_oom_pg_already),
		cmocka_unit_test(test_oom_not_running_fact),
		cmocka_unit_test(test_mlock_facts),
		cmocka_unit_test(test_mlock_oracle),
		cmocka_unit_test(test_cgroup_pg_host),
		cmocka_unit_test(test_cgroup_es_host),
		cmocka_unit_test(test_cgroup_measure),
		cmocka_unit_test(test_oomd),
		cmocka_unit_test(test_k8s_and_profiles),
		cmocka_unit_test(test_facts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
