/* Unit tests for core/run_history.c: which units a machine's speed moves,
 * the shift between two runs, the spread of the shifts, the widening of a
 * record's interval, the history file in a state directory, and, on
 * simulated runs whose machine changes speed between runs, the coverage
 * that widening buys. */
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

#include "../../core/record.h"
#include "../../core/rng.h"
#include "../../core/run_history.h"
#include "../../core/stats.h"
#include "helpers/assert_close.h"
#include "helpers/fixtures.h"

static void test_unit_sign(void **state)
{
	static const char *const slower_up[] = { "ns", "us",	   "ms",
						 "s",  "ns/fault", NULL };
	static const char *const slower_down[] = { "MB/s",     "IO/s",
						   "pages/s",  "faults/s",
						   "stalls/s", NULL };
	static const char *const neither[] = {
		"%",	"bytes", "faults", "fraction", "x",  "stalls", "MiB",
		"bool", "kills", "events", "",	       "/s", NULL
	};

	(void)state;
	for (size_t i = 0; slower_up[i]; i++)
		assert_int_equal(mt_hist_unit_sign(slower_up[i]), 1);
	for (size_t i = 0; slower_down[i]; i++)
		assert_int_equal(mt_hist_unit_sign(slower_down[i]), -1);
	for (size_t i = 0; neither[i]; i++)
		assert_int_equal(mt_hist_unit_sign(neither[i]), 0);
	assert_int_equal(mt_hist_unit_sign(NULL), 0);
}

/* A slower machine: latencies 4% up, a rate 4% down; the shift is their
 * median log-ratio, positive. Points of one run only, a unit that changed
 * and values that are not positive do not count. */
static void test_shift(void **state)
{
	json_t *a = json_loads("{\"l1\":[100,1],\"l2\":[200,1],\"bw\":[50,-1],"
			       "\"l3\":[10,1],\"only_a\":[1,1],\"zero\":[0,1],"
			       "\"unit\":[5,1]}",
			       0, NULL);
	json_t *b = json_loads("{\"l1\":[104,1],\"l2\":[208,1],"
			       "\"bw\":[48.0769,-1],\"l3\":[10.4,1],"
			       "\"only_b\":[9,1],\"zero\":[3,1],"
			       "\"unit\":[5,-1]}",
			       0, NULL);
	json_t *c = json_loads("{\"l1\":[1,1],\"l2\":[2,1]}", 0, NULL);
	size_t n;
	double s;

	(void)state;
	s = mt_hist_shift(a, b, &n);
	assert_int_equal(n, 4);
	assert_close(s, log(1.04), 1e-4);
	s = mt_hist_shift(b, a, &n);
	assert_close(s, -log(1.04), 1e-4);
	/* Two common points are too few. */
	assert_true(isnan(mt_hist_shift(a, c, &n)));
	assert_int_equal(n, 2);
	json_decref(a);
	json_decref(b);
	json_decref(c);
}

static void test_spread(void **state)
{
	json_t *three = json_loads("[0.01,-0.02,{\"shift\":0.02},\"x\",null]",
				   0, NULL);
	json_t *two = json_loads("[0.01,-0.02]", 0, NULL);
	struct mt_hist_spread s;
	double rms = sqrt((1e-4 + 4e-4 + 4e-4) / 3);

	(void)state;
	mt_hist_spread_of(three, &s);
	assert_int_equal(s.runs, 3);
	assert_close(s.rms, rms, 1e-12);
	/* t with 3 degrees of freedom at 95%: 3.182. */
	assert_close(s.half, 3.1824 * rms, 1e-3 * rms);
	mt_hist_spread_of(two, &s);
	assert_int_equal(s.runs, 2);
	assert_true(s.half == 0);
	mt_hist_spread_of(NULL, &s);
	assert_int_equal(s.runs, 0);
	json_decref(three);
	json_decref(two);
}

static json_t *rec(const char *unit, double v, double lo, double hi)
{
	return json_pack("{s:s,s:s,s:{s:i},s:s,s:s,s:f,s:f,s:f,s:s}", "bench",
			 "tlb", "variant", "", "case", "size", 1, "metric",
			 "latency", "unit", unit, "value", v, "ci95_lo", lo,
			 "ci95_hi", hi, "status", "ok");
}

static void test_widen(void **state)
{
	struct mt_hist_spread s = { .runs = 5, .rms = 0.02, .half = 0.05 };
	struct mt_hist_spread none = { .runs = 2, .rms = 0.02, .half = 0 };
	json_t *r = rec("ns", 100, 98, 103), *f = rec("%", 50, 49, 51),
	       *wide = rec("MB/s", 10, 5, 15), *u = rec("ns", 100, 98, 103);
	json_t *w;

	(void)state;
	/* value x exp(-/+ half) where that is wider than the rounds'. */
	assert_int_equal(mt_hist_widen(r, &s), 1);
	assert_close(json_real_value(json_object_get(r, "ci95_lo")),
		     100 * exp(-0.05), 1e-9);
	assert_close(json_real_value(json_object_get(r, "ci95_hi")),
		     100 * exp(0.05), 1e-9);
	w = json_object_get(r, "ci95_within_run");
	assert_close(json_number_value(json_array_get(w, 0)), 98, 1e-12);
	assert_close(json_number_value(json_array_get(w, 1)), 103, 1e-12);
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(r, "run_spread"), "runs")),
			 5);
	/* A fraction is not moved by the machine's speed. */
	assert_int_equal(mt_hist_widen(f, &s), 0);
	assert_null(json_object_get(f, "run_spread"));
	/* Rounds already wider: kept as they are. */
	assert_int_equal(mt_hist_widen(wide, &s), 1);
	assert_close(json_real_value(json_object_get(wide, "ci95_lo")), 5, 0);
	assert_close(json_real_value(json_object_get(wide, "ci95_hi")), 15, 0);
	/* Too few changes: left alone. */
	assert_int_equal(mt_hist_widen(u, &none), 0);
	assert_close(json_real_value(json_object_get(u, "ci95_lo")), 98, 0);
	json_decref(r);
	json_decref(f);
	json_decref(wide);
	json_decref(u);
}

static void test_config_id(void **state)
{
	json_t *a = json_loads("{\"x\":\"1\",\"y\":\"2\"}", 0, NULL);
	json_t *b = json_loads("{\"y\":\"2\",\"x\":\"1\"}", 0, NULL);
	json_t *c = json_loads("{\"x\":\"1\",\"y\":\"3\"}", 0, NULL);
	char ia[17], ib[17], ic[17];

	(void)state;
	mt_hist_config_id(a, ia);
	mt_hist_config_id(b, ib);
	mt_hist_config_id(c, ic);
	assert_int_equal(strlen(ia), 16);
	assert_string_equal(ia, ib);
	assert_string_not_equal(ia, ic);
	json_decref(a);
	json_decref(b);
	json_decref(c);
}

/* Points of a run at speed factor f: three latencies and a rate. */
static json_t *points(double f)
{
	return json_pack("{s:[f,i],s:[f,i],s:[f,i],s:[f,i]}", "a", 1.0 * f, 1,
			 "b", 10.0 * f, 1, "c", 100.0 * f, 1, "r", 1000.0 / f,
			 -1);
}

static void add_run(json_t *h, const char *id, const char *host, double f,
		    double t, double *shift)
{
	json_t *p = points(f);
	size_t n;

	assert_int_equal(mt_hist_add(h, id, host, "run", t, p, shift, &n), 0);
	json_decref(p);
}

/* The file: runs added and saved, loaded back in a new process's way;
 * shifts kept per configuration; another host starts again; a file that
 * is not a history is set aside; a section that cannot name a file is
 * refused. */
static void test_file(void **state)
{
	static const double f[] = { 1.0, 1.03, 1.0, 0.98, 1.02 };
	char dir[64], path[160], bad[170];
	struct mt_err err = { 0 };
	struct mt_hist_spread s;
	struct stat st;
	double shift;
	json_t *h;
	FILE *fp;

	(void)state;
	assert_int_equal(mt_test_mkdtemp(dir, sizeof(dir), "hist"), 0);
	for (size_t i = 0; i < 5; i++) {
		h = mt_hist_load(dir, "tlb", &err);
		assert_non_null(h);
		add_run(h, "cfg1", "hostA", f[i], (double)i, &shift);
		if (i == 0)
			assert_true(isnan(shift));
		else
			assert_close(shift, log(f[i] / f[i - 1]), 1e-9);
		assert_int_equal(mt_hist_save(dir, "tlb", h, &err), 0);
		json_decref(h);
	}
	snprintf(path, sizeof(path), "%s/history/tlb.json", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	h = mt_hist_load(dir, "tlb", &err);
	mt_hist_shift_spread(h, "cfg1", &s);
	assert_int_equal(s.runs, 4);
	assert_true(s.half > 0.02 && s.half < 0.2);
	/* Every point moved with the machine: its changes are the shifts. */
	{
		double ss = 0;

		for (size_t i = 1; i < 5; i++)
			ss += log(f[i] / f[i - 1]) * log(f[i] / f[i - 1]);
		mt_hist_point_spread(h, "cfg1", "b", &s);
		assert_int_equal(s.runs, 4);
		assert_close(s.rms, sqrt(ss / 4), 1e-9);
		assert_close(s.half, 2.7764 * sqrt(ss / 4), 1e-3 * s.half);
		mt_hist_point_spread(h, "cfg1", "r", &s);
		assert_close(s.rms, sqrt(ss / 4), 1e-9);
	}
	mt_hist_point_spread(h, "cfg1", "nosuch", &s);
	assert_int_equal(s.runs, 0);
	mt_hist_shift_spread(h, "cfg2", &s);
	assert_int_equal(s.runs, 0);
	/* Nine configurations: the oldest is dropped. */
	for (int i = 2; i <= 9; i++) {
		char id[16];

		snprintf(id, sizeof(id), "cfg%d", i);
		add_run(h, id, "hostA", 1, 10.0 + i, &shift);
	}
	assert_int_equal(json_object_size(json_object_get(h, "configs")), 8);
	assert_null(json_object_get(json_object_get(h, "configs"), "cfg1"));
	/* Another host's history does not count here. */
	add_run(h, "cfg9", "hostB", 1, 30, &shift);
	assert_int_equal(json_object_size(json_object_get(h, "configs")), 1);
	json_decref(h);

	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("{\"schema\":1,\"configs\":[", fp);
	fclose(fp);
	h = mt_hist_load(dir, "tlb", &err);
	assert_non_null(h);
	assert_int_equal(json_object_size(json_object_get(h, "configs")), 0);
	snprintf(bad, sizeof(bad), "%s.bad", path);
	assert_int_equal(access(bad, F_OK), 0);
	json_decref(h);

	assert_null(mt_hist_load(dir, "../tlb", &err));
	assert_non_null(strstr(err.msg, "cannot name a file"));

	unlink(bad);
	snprintf(bad, sizeof(bad), "%s/history", dir);
	rmdir(bad);
	rmdir(dir);
}

static double normal(uint64_t *s)
{
	double u1 = ((double)(mt_rand_next(s) >> 11) + 0.5) * 0x1p-53;
	double u2 = ((double)(mt_rand_next(s) >> 11) + 0.5) * 0x1p-53;

	return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

enum { SIM_POINTS = 60, SIM_ROUNDS = 3, SIM_RUNS = 60 };

/* One simulated run of SIM_POINTS latencies at log-speed c, each point
 * with an offset of its own for the run; each point's rounds scatter by
 * 1% around that, each round's own interval by a third of that (a
 * round's samples see little of the drift); the record is the rounds'
 * combination (interval in ulo..uhi), then widened by the point's history
 * in h (lo..hi). Its points go into pts. */
struct sim {
	double v[SIM_POINTS], lo[SIM_POINTS], hi[SIM_POINTS];
	double ulo[SIM_POINTS], uhi[SIM_POINTS];
};

static void sim_run(uint64_t *rng, double c, json_t *h, struct sim *o,
		    json_t *pts)
{
	for (size_t p = 0; p < SIM_POINTS; p++) {
		double mu = 1.0 + (double)p, rv[SIM_ROUNDS], rlo[SIM_ROUNDS],
		       rhi[SIM_ROUNDS];
		struct mt_rounds_ci ci;
		struct mt_hist_spread s;
		char k[16];
		json_t *r;

		snprintf(k, sizeof(k), "p%zu", p);
		mt_hist_point_spread(h, "q", k, &s);
		/* This run's own offset of the point: a third of the points
		 * (the page walks, say) move more between runs. */
		double e = (p % 3 ? 0.01 : 0.06) * normal(rng);

		for (size_t i = 0; i < SIM_ROUNDS; i++) {
			rv[i] = mu * exp(c + e + 0.01 * normal(rng));
			rlo[i] = rv[i] * (1 - 0.0033);
			rhi[i] = rv[i] * (1 + 0.0033);
		}
		assert_int_equal(mt_rounds_combine(rv, rlo, rhi, SIM_ROUNDS,
						   &ci),
				 0);
		r = rec("ns", ci.value, ci.lo, ci.hi);
		assert_true(mt_hist_widen(r, &s) >= 0);
		o->v[p] = ci.value;
		o->ulo[p] = ci.lo;
		o->uhi[p] = ci.hi;
		o->lo[p] = json_number_value(json_object_get(r, "ci95_lo"));
		o->hi[p] = json_number_value(json_object_get(r, "ci95_hi"));
		json_decref(r);
		json_object_set_new(pts, k, json_pack("[f,i]", o->v[p], 1));
	}
}

/* A machine whose speed moves 3% (sd) between runs, and a third of its
 * points 6% more on their own, which no run's rounds can see: the rounds'
 * intervals alone hold the next run's value at well under 90% of the
 * points; widened by each point's history (from the fifth run on: three
 * changes are needed) at 90% or more. */
static void test_simulated_coverage(void **state)
{
	static struct sim runs[2];
	json_t *h = json_pack("{s:i,s:{}}", "schema", 1, "configs");
	uint64_t rng = mt_rand_seed(7);
	size_t held_w = 0, held_u = 0, pairs = 0;
	double cov_w, cov_u;

	(void)state;
	for (size_t run = 0; run < SIM_RUNS; run++) {
		struct sim *cur = &runs[run % 2], *prev = &runs[1 - run % 2];
		json_t *pts = json_object();
		double shift;
		size_t n;

		sim_run(&rng, 0.03 * normal(&rng), h, cur, pts);
		if (run >= 5) {
			for (size_t p = 0; p < SIM_POINTS; p++) {
				held_w += prev->lo[p] <= cur->v[p] &&
					  cur->v[p] <= prev->hi[p];
				held_u += prev->ulo[p] <= cur->v[p] &&
					  cur->v[p] <= prev->uhi[p];
			}
			pairs++;
		}
		assert_int_equal(mt_hist_add(h, "q", "h", "r", (double)run, pts,
					     &shift, &n),
				 0);
		json_decref(pts);
	}
	cov_w = (double)held_w / (double)(pairs * SIM_POINTS);
	cov_u = (double)held_u / (double)(pairs * SIM_POINTS);
	print_message("simulated coverage: %.1f%% widened by the history, "
		      "%.1f%% from the rounds alone\n",
		      100 * cov_w, 100 * cov_u);
	assert_true(cov_w >= 0.90);
	assert_true(cov_u < 0.80);
	json_decref(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unit_sign),
		cmocka_unit_test(test_shift),
		cmocka_unit_test(test_spread),
		cmocka_unit_test(test_widen),
		cmocka_unit_test(test_config_id),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_simulated_coverage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
