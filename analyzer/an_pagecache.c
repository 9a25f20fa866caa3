/* Analysis of the pagecache benchmark: the warm/cold speedup per method
 * and block size, and how much of a hot set survives a one-pass scan
 * when it was read twice (promoted to the active list) against once. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/json_safe.h"
#include "../core/units.h"
#include "analysis.h"
#include "facts.h"

#define MAXP 64

/* The value of metric for the hot_scan case read `reads` times. */
static double hot(const struct mt_run *run, const char *metric, int reads)
{
	json_t *r;
	size_t i;

	json_array_foreach(run->records, i, r)
		if (mt_rec_ok(r) && !strcmp(mt_rec_bench(r), "pagecache") &&
		    !strcmp(mt_rec_metric(r), metric) &&
		    mt_rec_case_num(r, "hot_reads") == reads)
			return mt_rec_value(r);
	return NAN;
}

/* The headline (facts.h): warm over cold throughput at the largest block
 * measured, read() when it has a trusted record, else mmap. */
static int pc_headline(const struct mt_run *run, json_t *out)
{
	static const char *const methods[] = { "read", "mmap" };
	json_t *r, *best = NULL;
	char what[160], b[32];
	size_t i;

	for (size_t m = 0; m < 2 && !best; m++)
		json_array_foreach(run->records, i, r) {
			const char *t = mt_rec_case_str(r, "test");
			const char *me = mt_rec_case_str(r, "method");

			if (mt_rec_ok(r) &&
			    !strcmp(mt_rec_bench(r), "pagecache") &&
			    !strcmp(mt_rec_metric(r), "speedup") && t &&
			    !strcmp(t, "cold_warm") && me &&
			    !strcmp(me, methods[m]) &&
			    (!best ||
			     mt_rec_case_num(r, "block_bytes") >
				     mt_rec_case_num(best, "block_bytes")))
				best = r;
		}
	if (!best)
		return 0;
	mt_format_bytes(mt_rec_case_num(best, "block_bytes"), b, sizeof(b));
	snprintf(what, sizeof(what),
		 "warm (page cache) over cold (from the device) %s "
		 "throughput, %s blocks",
		 mt_rec_case_str(best, "method"), b);
	return mt_headline_set_record(out, "pagecache.warm_speedup", best, 1,
				      "x", what);
}

static json_t *pc_analyze(const struct mt_run *run, struct mt_err *err)
{
	static const char *const methods[] = { "read", "mmap" };
	json_t *out = json_object(), *cw = json_array(), *hs;
	double x[MAXP], sp[MAXP], c[MAXP], w[MAXP];
	size_t total = 0;

	for (size_t m = 0; m < 2; m++) {
		size_t n = mt_run_curve(run, "pagecache", "speedup",
					"block_bytes", x, sp, MAXP, "test",
					"cold_warm", "method", methods[m],
					NULL);
		size_t nc = mt_run_curve(run, "pagecache", "cold_read",
					 "block_bytes", x, c, MAXP, "test",
					 "cold_warm", "method", methods[m],
					 NULL);
		size_t nw = mt_run_curve(run, "pagecache", "warm_read",
					 "block_bytes", x, w, MAXP, "test",
					 "cold_warm", "method", methods[m],
					 NULL);

		total += n;
		for (size_t i = 0; i < n; i++)
			json_array_append_new(
				cw,
				json_pack("{s:s, s:f, s:f, s:f, s:f}", "method",
					  methods[m], "block_bytes", x[i],
					  "speedup", sp[i], "cold_mb_s",
					  i < nc ? c[i] : NAN, "warm_mb_s",
					  i < nw ? w[i] : NAN));
	}
	json_object_set_new(out, "cold_warm", cw);
	hs = json_pack("{s:f, s:f, s:f, s:f}", "survival_read_twice_pct",
		       hot(run, "hot_resident_after_scan", 2),
		       "survival_read_once_pct",
		       hot(run, "hot_resident_after_scan", 1),
		       "reread_twice_mb_s", hot(run, "hot_reread", 2),
		       "reread_once_mb_s", hot(run, "hot_reread", 1));
	/* json_pack refuses NaN: a missing hot_scan gives null. */
	json_object_set_new(out, "hot_scan", hs ? hs : json_null());
	if (!total && !hs) {
		json_decref(out);
		mt_err_set(err, -ENODATA, MT_ERR_INPUT,
			   "pagecache: no cold_warm or hot_scan record");
		return NULL;
	}
	if (pc_headline(run, out) == -ENOMEM) {
		json_decref(out);
		mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
			   "pagecache: out of memory");
		return NULL;
	}
	return out;
}

static void pc_print(FILE *out, json_t *d)
{
	json_t *e, *hs = json_object_get(d, "hot_scan");
	size_t i;
	char b[32];

	json_array_foreach(json_object_get(d, "cold_warm"), i, e) {
		mt_format_bytes(mt_jnum(e, "block_bytes"), b, sizeof(b));
		fprintf(out,
			"  %-4s %-7s cold %.0f MB/s, warm %.0f MB/s, "
			"speedup %.2fx\n",
			json_string_value(json_object_get(e, "method")), b,
			mt_jnum(e, "cold_mb_s"), mt_jnum(e, "warm_mb_s"),
			mt_jnum(e, "speedup"));
	}
	if (json_is_object(hs))
		fprintf(out,
			"  hot set after a scan: %.0f%% resident when "
			"read twice, %.0f%% when read once\n",
			mt_jnum(hs, "survival_read_twice_pct"),
			mt_jnum(hs, "survival_read_once_pct"));
}

struct get_arg {
	struct mt_run *const *runs;
};

static size_t get_bw(size_t r, size_t s, double *x, double *y, size_t max,
		     void *arg)
{
	struct get_arg *g = arg;

	return mt_run_curve(g->runs[r], "pagecache",
			    s ? "warm_read" : "cold_read", "block_bytes", x, y,
			    max, "test", "cold_warm", "method", "read", NULL);
}

static int pc_plots(struct mt_report *rep, struct mt_run *const *runs,
		    json_t *const *derived, size_t n, struct mt_err *err)
{
	static const char *const series[] = { "cold (from disk)",
					      "warm (page cache)" };
	static const char *const colors[] = { "#7f7f7f", "#ff7f0e" };
	json_t *cw = json_object_get(mt_fig_first(derived, n), "cold_warm"), *e,
	       *best = NULL;
	json_t *hs = json_object_get(mt_fig_first(derived, n), "hot_scan");
	struct get_arg g = { runs };
	char reading[1024], b[32];
	size_t i;
	int off, ret = 0;
	struct mt_line_fig f = {
		.name = "pagecache-cold-warm",
		.bench = "pagecache",
		.title = "read() bandwidth, cold against warm page cache",
		.xlabel = "block size",
		.ylabel = "MB/s",
		.logx = true,
		.x_bytes = true,
		.reading = reading,
	};

	json_array_foreach(cw, i, e)
		if (!best || mt_jnum(e, "speedup") > mt_jnum(best, "speedup"))
			best = e;
	if (!best)
		return 0;
	mt_format_bytes(mt_jnum(best, "block_bytes"), b, sizeof(b));
	off = snprintf(reading, sizeof(reading),
		       "A warm page cache serves reads up to %.1f times "
		       "faster than the disk (%s with %s blocks: %.0f "
		       "against %.0f MB/s). ",
		       mt_jnum(best, "speedup"),
		       json_string_value(json_object_get(best, "method")), b,
		       mt_jnum(best, "warm_mb_s"), mt_jnum(best, "cold_mb_s"));
	if (json_is_object(hs))
		snprintf(reading + off, sizeof(reading) - (size_t)off,
			 "After a one-pass scan %.0f%% of a hot set read "
			 "twice is still cached, against %.0f%% of one read "
			 "once.",
			 mt_jnum(hs, "survival_read_twice_pct"),
			 mt_jnum(hs, "survival_read_once_pct"));
	else
		snprintf(reading + off, sizeof(reading) - (size_t)off,
			 "The hot-set test did not run, so survival after a "
			 "scan is not measured.");
	ret = mt_fig_run_lines(rep, &f, n, series, colors, 2, get_bw, &g, err);
	return ret;
}

const struct mt_analysis mt_an_pagecache = {
	.bench = "pagecache",
	.summary = "warm/cold speedup, hot-set survival after a scan",
	.analyze = pc_analyze,
	.print = pc_print,
	.plots = pc_plots,
};
