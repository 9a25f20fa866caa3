/* Unit tests for the watermark rule (advisor/rule_min_free_kbytes.c) with
 * the live signals and the reclaim benchmark's facts: the database host
 * with stalls (tests/fixtures/machines/stalls-db), every other captured
 * tree (no distress: keep, said with the signal values), stalls without
 * PSI, stalls that cost little time, a min_free_kbytes far above the
 * kernel's own, the analyzer's reclaim facts and an untrustworthy
 * baseline. */
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

/* A private copy of a fixture tree (or run) in a new directory under
 * /tmp; returns its path (static buffer per slot). */
static const char *copy_of(const char *what, const char *name, int slot)
{
	static char dirs[2][256];
	char cmd[8192];

	snprintf(dirs[slot], sizeof(dirs[slot]), "/tmp/memtune-test-wm-XXXXXX");
	assert_non_null(mkdtemp(dirs[slot]));
	snprintf(cmd, sizeof(cmd), "cp -a '%s/tests/fixtures/%s/%s/.' '%s'",
		 mt_test_srcdir(), what, name, dirs[slot]);
	assert_int_equal(system(cmd), 0);
	return dirs[slot];
}

/* The state of a test on a private copy of a fixture machine: its root
 * and the advice the test makes on it. */
struct copy {
	const char *root;
	struct mt_advice a;
};

/* Copies the machine named by the test's initial state (copy_of, slot 0). */
static int copy_setup(void **state)
{
	struct copy *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	c->root = copy_of("machines", *state, 0);
	*state = c;
	return 0;
}

/* Frees the advice and removes the copy. */
static int copy_teardown(void **state)
{
	struct copy *c = *state;

	mt_advice_free(&c->a);
	mt_test_remove_tree(c->root);
	free(c);
	return 0;
}

/* Advice on the tree at root (a captured tree: signals since boot). */
static void advise_tree(const char *root, struct mt_advice *a)
{
	struct mt_profile p;
	struct mt_advise_ctx ctx;
	struct mt_err err = { 0 };

	mt_test_ctx_open(root, "database", "[profile]\ngoal = latency\n", &p,
			 &ctx);
	assert_int_equal(mt_signals_gather(&ctx, 5000000000ull, &err), 0);
	mt_test_ctx_advise(&p, &ctx, a);
}

/* Item id of a, which must change to value on ground at confidence. */
static struct mt_item *expect_change(const struct mt_advice *a, const char *id,
				     const char *value, enum mt_ground ground,
				     enum mt_confidence confidence)
{
	struct mt_item *it = mt_test_item(a, id);

	assert_string_equal(it->value, value);
	assert_true(it->change);
	assert_int_equal(it->ground, ground);
	assert_int_equal(it->confidence, confidence);
	return it;
}

/* The evidence line of item id containing text, or NULL. */
static const char *cites(const struct mt_advice *a, const char *id,
			 const char *text)
{
	return mt_test_cited(mt_test_item(a, id), text);
}

/* 250,000 allocstalls in 100,000 s and PSI memory some avg10 4.50: raise
 * watermark_scale_factor, citing both; the documented symptom confirmed
 * by PSI grounds it (medium), the value itself is practice and said so. */
static void test_stalls_db(void **state)
{
	struct mt_advice a;
	struct mt_item *it;
	char *conf;

	(void)state;
	advise_tree(mt_test_machine("stalls-db"), &a);
	it = expect_change(&a, "watermark_scale_factor", "100",
			   MT_GROUND_DOCUMENTED, MT_CONF_MEDIUM);
	assert_string_equal(it->current, "10");
	assert_non_null(strstr(it->source,
			       "docs.kernel.org/admin-guide/"
			       "sysctl/vm.html#watermark-scale-factor"));
	mt_test_expect_cites(&a, "watermark_scale_factor",
			     "allocstall "
			     "2.5/s, pgscan_direct 4123/s against "
			     "pgscan_kswapd 23457/s, "
			     "kswapd_low_wmark_hit_quickly 1.83/s",
			     "PSI memory some "
			     "avg10 4.50%, avg60 3.80%, avg300 2.90%, 2.90% "
			     "of the time since boot; full avg60 0.95%",
			     "counters since "
			     "boot divided by the uptime (100000 s)",
			     "the value 100 "
			     "is practice without a primary source",
			     NULL);
	assert_non_null(strstr(it->reason,
			       "The machine is in distress: 2.5 "
			       "tasks a second enter direct reclaim"));
	assert_null(strstr(it->reason, "keep 10"));
	assert_null(strstr(it->reason, "look at allocstall"));
	/* min_free_kbytes is the kernel's own, THP floor included, and is
	 * not where the stalls are treated. */
	it = mt_test_item(&a, "min_free_kbytes");
	assert_string_equal(it->value, "90112");
	assert_false(it->change);
	assert_non_null(cites(&a, "min_free_kbytes",
			      "int_sqrt(263842944 kB "
			      "lowmem x 16) = 64972 kB, raised to "
			      "khugepaged's THP floor 90112 kB"));
	assert_non_null(strstr(it->reason, "treated by "
					   "watermark_scale_factor"));
	conf = mt_advice_sysctl_conf(&a);
	assert_non_null(strstr(conf, "\nvm.watermark_scale_factor = 100\n"));
	free(conf);
	mt_advice_free(&a);
}

/* The other captured trees: nothing in distress, watermark_scale_factor
 * kept, and the item says on what. */
static void test_trees_keep(void **state)
{
	static const char *const trees[] = { "small-vm", "db-2node", "big-1tb",
					     "zram-host", "qemu-2node" };
	struct mt_advice a;

	(void)state;
	for (size_t i = 0; i < 5; i++) {
		struct mt_item *it;

		advise_tree(mt_test_machine(trees[i]), &a);
		it = mt_test_item(&a, "watermark_scale_factor");
		assert_false(it->change);
		assert_string_equal(it->value, it->current);
		assert_int_equal(it->confidence, MT_CONF_LOW);
		assert_null(cites(&a, "watermark_scale_factor",
				  "reclaim benchmark: ok"));
		assert_non_null(cites(&a, "watermark_scale_factor",
				      "live signals: no /proc/"));
		mt_advice_free(&a);
	}
	/* qemu-2node has /proc/vmstat but no /proc/uptime. */
	advise_tree(mt_test_machine("qemu-2node"), &a);
	assert_non_null(cites(&a, "watermark_scale_factor",
			      "live signals: "
			      "no /proc/uptime in"));
	mt_advice_free(&a);
	/* zram-host's 125 is kept. */
	advise_tree(mt_test_machine("zram-host"), &a);
	assert_string_equal(mt_test_item(&a, "watermark_scale_factor")->value,
			    "125");
	mt_advice_free(&a);
}

/* A quiet machine with signals: keep, said with the values. */
static void test_quiet_signals(void **state)
{
	struct copy *c = *state;
	struct mt_item *it;

	mt_test_put(c->root, "/proc/uptime", "200000.00 1.00\n");
	mt_test_put(c->root, "/proc/vmstat",
		    "allocstall_normal 2000\n"
		    "pgscan_direct 10000\npgscan_kswapd 900000\n"
		    "kswapd_low_wmark_hit_quickly 20\n");
	mt_test_put(c->root, "/proc/pressure/memory",
		    "some avg10=0.10 avg60=0.05 avg300=0.02 total=4000000\n"
		    "full avg10=0.00 avg60=0.00 avg300=0.00 total=1000000\n");
	advise_tree(c->root, &c->a);
	it = mt_test_item(&c->a, "watermark_scale_factor");
	assert_false(it->change);
	assert_int_equal(it->ground, MT_GROUND_PRACTICE);
	assert_string_equal(it->reason,
			    "No distress in the live signals: "
			    "0.01 direct-reclaim entries a second (distress "
			    "from 1) and tasks stalled on memory 0.05% of "
			    "the time (distress from 1%). kswapd keeps up: "
			    "keep 10.");
	mt_test_expect_cites(&c->a, "watermark_scale_factor",
			     "allocstall "
			     "0.01/s, pgscan_direct 0.05/s against "
			     "pgscan_kswapd 4.5/s",
			     "0.00% of the "
			     "time since boot",
			     NULL);
}

/* Stalls on a kernel without PSI: raised, but only as practice (low). */
static void test_stalls_without_psi(void **state)
{
	struct copy *c = *state;
	char path[512];
	struct mt_item *it;

	snprintf(path, sizeof(path), "%s/proc/pressure", c->root);
	mt_test_remove_tree(path);
	advise_tree(c->root, &c->a);
	it = expect_change(&c->a, "watermark_scale_factor", "100",
			   MT_GROUND_PRACTICE, MT_CONF_LOW);
	assert_non_null(cites(&c->a, "watermark_scale_factor",
			      "no PSI "
			      "(/proc/pressure/memory absent)"));
	assert_non_null(strstr(it->reason, "this kernel has no PSI"));
}

/* Stalls that cost little time (PSI low): kept, and said why. */
static void test_stalls_cheap(void **state)
{
	struct copy *c = *state;
	struct mt_item *it;

	mt_test_put(c->root, "/proc/pressure/memory",
		    "some avg10=0.30 avg60=0.20 avg300=0.10 total=50000000\n"
		    "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
	advise_tree(c->root, &c->a);
	it = mt_test_item(&c->a, "watermark_scale_factor");
	assert_false(it->change);
	assert_string_equal(it->reason,
			    "No distress in the live signals: "
			    "2.5 direct-reclaim entries a second (distress "
			    "from 1) and tasks stalled on memory 0.20% of "
			    "the time (distress from 1%). The stalls cost "
			    "little time: not worth more free memory yet; "
			    "keep 10.");
}

/* 85,899,345 kB (8% of 1 TiB) is brought back to the kernel's own value
 * (130533 kB from this zoneinfo), not to an unsourced 1% of memory
 * (10,653,532 kB), at medium confidence. */
static void test_mfk_far_above(void **state)
{
	struct copy *c = *state;
	struct mt_item *it;

	mt_test_put(c->root, "/proc/sys/vm/min_free_kbytes", "85899345\n");
	advise_tree(c->root, &c->a);
	it = expect_change(&c->a, "min_free_kbytes", "130533",
			   MT_GROUND_DOCUMENTED, MT_CONF_MEDIUM);
	assert_non_null(cites(&c->a, "min_free_kbytes",
			      "above 5% of lowmem "
			      "(53247171 kB), the most khugepaged ever "
			      "reserves"));
	/* THP madvise, but its floor (4 zones: 90112 kB) is below the
	 * square c->root: not "raised". */
	assert_non_null(cites(&c->a, "min_free_kbytes",
			      "khugepaged's THP floor "
			      "90112 kB is lower, so it stays"));
	assert_null(cites(&c->a, "min_free_kbytes", "raised to"));
	assert_null(strstr(it->reason, "1%"));
	assert_non_null(strstr(it->reason, "raise watermark_scale_factor "
					   "instead"));
}

#define REC(c, m, v) \
	"{\"schema_version\":1,\"bench\":\"reclaim\",\"case\":" c \
	",\"metric\":\"" m "\",\"unit\":\"stalls\",\"status\":\"ok\"," \
	"\"value\":" v ",\"n\":1,\"min\":" v ",\"max\":" v ",\"mean\":" v \
	",\"stddev\":0,\"ci95_lo\":" v ",\"ci95_hi\":" v ",\"ci_level\":0}\n"
#define BASE \
	"{\"scope\":\"machine\",\"min_free_kbytes\":\"current\"," \
	"\"watermark_scale_factor\":\"current\"}"
#define WSF(w) \
	"{\"scope\":\"machine\",\"min_free_kbytes\":\"current\"," \
	"\"watermark_scale_factor\":" w "}"

static double fact(json_t *an, const char *id, double *lo, double *hi)
{
	struct mt_fact f;

	if (!mt_fact_get(an, id, &f))
		fail_msg("no fact %s", id);
	if (lo)
		*lo = f.lo;
	if (hi)
		*hi = f.hi;
	return f.value;
}

/* The analyzer's reclaim facts, and the rule on them: 500 stalls at the
 * baseline, 100 with 200, 0 with 500. */
static void test_reclaim_facts(void **state)
{
	char dir[] = "/tmp/memtune-test-wm-XXXXXX";
	struct mt_err err = { 0 };
	struct mt_profile p = { .name = "p" };
	struct mt_advise_ctx ctx;
	struct mt_advice a;
	struct mt_run *run;
	struct mt_item *it;
	json_t *an, *sys;
	double lo, hi;

	(void)state;
	assert_non_null(mkdtemp(dir));
	mt_test_put(dir, "/results.jsonl",
		    REC(BASE, "allocstall", "500")
			    REC(BASE, "alloc_latency_p99", "40")
				    REC(WSF("200"), "allocstall", "100")
					    REC(WSF("500"), "allocstall", "0"));
	assert_int_equal(mt_run_load(dir, 0, &run, &err), 0);
	an = mt_analyze_run(run);
	mt_run_free(run);
	assert_non_null(an);
	assert_true(fabs(fact(an, "reclaim.allocstall", &lo, &hi) - 500) <
		    1e-9);
	assert_true(fabs(lo - 457.128) < 0.01 && fabs(hi - 545.810) < 0.01);
	assert_true(fabs(fact(an, "reclaim.alloc_p99_us", &lo, NULL) - 40) <
		    1e-9);
	assert_true(isnan(lo)); /* one sample: no interval */
	assert_true(fabs(fact(an, "reclaim.wsf_fix", NULL, NULL) - 500) < 1e-9);
	assert_true(fabs(fact(an, "reclaim.wsf_fix_allocstall", &lo, &hi)) <
		    1e-9);
	assert_true(fabs(hi - 3.689) < 1e-9);

	setenv("MEMTUNE_FSROOT", mt_test_machine("zram-host"), 1);
	sys = mt_sysinfo_collect(NULL, &err);
	unsetenv("MEMTUNE_FSROOT");
	assert_non_null(sys);
	assert_int_equal(mt_advise_ctx_from(&ctx, sys, NULL, &p, false), 0);
	ctx.analysis = an;
	memset(&a, 0, sizeof(a));
	assert_int_equal(mt_advise(&ctx, &a, &err), 0);
	it = mt_test_item(&a, "watermark_scale_factor");
	assert_string_equal(it->value, "500");
	assert_true(it->change);
	assert_true(it->measured);
	/* [0, 3.689] lies below [457.1, 545.8]: the interval excludes "no
	 * change". */
	assert_int_equal(it->ground, MT_GROUND_MEASURED);
	assert_int_equal(it->confidence, MT_CONF_HIGH);
	assert_non_null(cites(&a, "watermark_scale_factor",
			      "fact "
			      "reclaim.wsf_fix_allocstall: "));
	assert_non_null(strstr(it->reason, "500 stalls at the current "
					   "settings, 0 with 500"));
	/* min_free_kbytes is not raised when the scale factor fixes it. */
	assert_false(mt_test_item(&a, "min_free_kbytes")->change);
	mt_advice_free(&a);
	mt_advise_ctx_free(&ctx);
	json_decref(sys);
	mt_test_remove_tree(dir);
}

/* adv-quick: the machine-scope baseline was untrustworthy; the item says
 * there is no direct-reclaim measurement, never "ok". */
static void test_untrustworthy_baseline(void **state)
{
	const char *run = copy_of("runs", "adv-quick", 1);
	char path[512];
	struct mt_profile p = { .name = "p" };
	struct mt_advise_ctx ctx;
	struct mt_advice a;
	struct mt_err err = { 0 };
	struct mt_item *it;

	(void)state;
	snprintf(path, sizeof(path), "%s/analysis.json", run);
	unlink(path); /* analyzed again, with the reclaim facts */
	setenv("MEMTUNE_FSROOT", mt_test_machine("small-vm"), 1);
	assert_int_equal(mt_advise_ctx_init(&ctx, run, &p, &err), 0);
	assert_int_equal(mt_signals_gather(&ctx, 0, &err), 0);
	unsetenv("MEMTUNE_FSROOT");
	memset(&a, 0, sizeof(a));
	assert_int_equal(mt_advise(&ctx, &a, &err), 0);
	it = mt_test_item(&a, "watermark_scale_factor");
	assert_false(it->change);
	assert_false(it->measured);
	assert_non_null(cites(&a, "watermark_scale_factor",
			      "reclaim "
			      "benchmark: its machine-scope baseline was "
			      "untrustworthy (11 records left out): no "
			      "direct-reclaim measurement"));
	assert_null(cites(&a, "watermark_scale_factor",
			  "reclaim benchmark: ok"));
	mt_advice_free(&a);
	mt_advise_ctx_free(&ctx);
	mt_test_remove_tree(run);
}

/* A test on a copy of the fixture machine named machine. */
#define ON_COPY(test, machine) \
	cmocka_unit_test_prestate_setup_teardown(test, copy_setup, \
						 copy_teardown, \
						 (void *)(machine))

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stalls_db),
		cmocka_unit_test(test_trees_keep),
		ON_COPY(test_quiet_signals, "small-vm"),
		ON_COPY(test_stalls_without_psi, "stalls-db"),
		ON_COPY(test_stalls_cheap, "stalls-db"),
		ON_COPY(test_mfk_far_above, "big-1tb"),
		cmocka_unit_test(test_reclaim_facts),
		cmocka_unit_test(test_untrustworthy_baseline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
