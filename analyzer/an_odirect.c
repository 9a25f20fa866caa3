/* Analysis of the odirect benchmark: O_DIRECT against buffered bandwidth
 * per op, pattern and block size (buffered reads from a cold cache,
 * buffered writes without sync into an evicted file, as fio does them by
 * default; into a cached file in runs that measured only that), and the
 * block size from which O_DIRECT stays at least as fast (where the lines
 * cross). */
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

static const char *const ops[] = { "read", "write" };
static const char *const pats[] = { "seq", "rand" };

/* The buffered mode O_DIRECT is compared with, per op. */
static const char *buffered_mode(size_t op)
{
	return op ? "buffered" : "buffered_cold";
}

/* Fills x, y with the buffered curve O_DIRECT is compared with and stores
 * in *cache which cache state it started from. Returns the point count. */
static size_t buffered_curve(const struct mt_run *run, size_t op,
			     const char *pat, double *x, double *y, size_t max,
			     const char **cache)
{
	static const char *const caches[] = { "cold", "warm" };

	for (size_t c = 0; c < 2; c++) {
		size_t n = mt_run_curve(run, "odirect", "bandwidth",
					"block_bytes", x, y, max, "op", ops[op],
					"pattern", pat, "mode",
					buffered_mode(op), "cache", caches[c],
					NULL);

		if (n) {
			if (cache)
				*cache = caches[c];
			return n;
		}
	}
	return 0;
}

/* Buffered writes into a cached file against writes into an evicted one,
 * per pattern and block size where both were measured: what overwriting
 * pages that reads brought in costs (with large folios it can be far more
 * than adding pages). NULL when no size has both. */
static json_t *write_cache_effect(const struct mt_run *run)
{
	json_t *out = json_array();

	for (size_t p = 0; p < 2; p++) {
		double cx[MAXP], cy[MAXP], wx[MAXP], wy[MAXP];
		size_t nc = mt_run_curve(run, "odirect", "bandwidth",
					 "block_bytes", cx, cy, MAXP, "op",
					 "write", "pattern", pats[p], "mode",
					 "buffered", "cache", "cold", NULL);
		size_t nw = mt_run_curve(run, "odirect", "bandwidth",
					 "block_bytes", wx, wy, MAXP, "op",
					 "write", "pattern", pats[p], "mode",
					 "buffered", "cache", "warm", NULL);
		json_t *pts = json_array();

		for (size_t i = 0; i < nc; i++)
			for (size_t j = 0; j < nw; j++)
				if (wx[j] == cx[i] && cy[i] > 0)
					json_array_append_new(
						pts,
						json_pack("{s:f, s:f, s:f, s:f}",
							  "block_bytes", cx[i],
							  "cold_mb_s", cy[i],
							  "warm_mb_s", wy[j],
							  "ratio",
							  wy[j] / cy[i]));
		if (!json_array_size(pts)) {
			json_decref(pts);
			continue;
		}
		json_array_append_new(out, json_pack("{s:s, s:o}", "pattern",
						     pats[p], "points", pts));
	}
	if (!json_array_size(out)) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* The file-read cost the swappiness advice weighs a swap-in against: the
 * median latency of one random 4 KiB O_DIRECT read (queue depth 1), with
 * the interval of its samples. Returns 0 or -ENOMEM. */
static int od_latency_fact(const struct mt_run *run, json_t *res)
{
	json_t *r = NULL, *v;
	size_t i;

	/* block_bytes is a number: mt_run_find compares strings. */
	json_array_foreach(run->records, i, v)
		if (mt_rec_ok(v) && !strcmp(mt_rec_bench(v), "odirect") &&
		    !strcmp(mt_rec_metric(v), "lat_p50") &&
		    mt_rec_case_num(v, "block_bytes") == 4096 &&
		    mt_rec_case_str(v, "op") &&
		    !strcmp(mt_rec_case_str(v, "op"), "read") &&
		    mt_rec_case_str(v, "pattern") &&
		    !strcmp(mt_rec_case_str(v, "pattern"), "rand") &&
		    mt_rec_case_str(v, "mode") &&
		    !strcmp(mt_rec_case_str(v, "mode"), "direct")) {
			r = v;
			break;
		}
	if (!r)
		return 0;
	return mt_fact_add_record(res, "odirect.rand_read_4k_p50", r, 1, "us",
				  "median latency of one random 4 KiB "
				  "O_DIRECT read, queue depth 1") == -ENOMEM ?
		       -ENOMEM :
		       0;
}

/* The fastest write bandwidth a record may claim, MB/s: above 1 PB/s a
 * record is damaged, not a disk. */
#define MAX_WRITE_MB_S 1e9

/* "odirect.seq_write_direct_mb_s": the best sequential O_DIRECT write
 * bandwidth over the block sizes measured (queue depth 1), with that
 * record's 95% interval: how fast this disk takes written-back data, which
 * the dirty-limit advice weighs (issue 13). Nothing without a record. */
static void seq_write_fact(const struct mt_run *run, json_t *res)
{
	json_t *r, *best = NULL;
	double bv = 0, lo, hi;
	char what[192], b[32];
	size_t i;

	json_array_foreach(run->records, i, r) {
		const char *op = mt_rec_case_str(r, "op");
		const char *pat = mt_rec_case_str(r, "pattern");
		const char *mode = mt_rec_case_str(r, "mode");
		double v = mt_rec_value(r);

		if (!mt_rec_ok(r) || strcmp(mt_rec_bench(r), "odirect") ||
		    strcmp(mt_rec_metric(r), "bandwidth") || !op || !pat ||
		    !mode || strcmp(op, "write") || strcmp(pat, "seq") ||
		    strcmp(mode, "direct") || !(v > 0 && v <= MAX_WRITE_MB_S))
			continue;
		if (v > bv) {
			bv = v;
			best = r;
		}
	}
	if (!best)
		return;
	lo = json_number_value(json_object_get(best, "ci95_lo"));
	hi = json_number_value(json_object_get(best, "ci95_hi"));
	mt_format_bytes(mt_rec_case_num(best, "block_bytes"), b, sizeof(b));
	snprintf(what, sizeof(what),
		 "sequential O_DIRECT write bandwidth, "
		 "queue depth 1, at its best block size (%s)",
		 b);
	mt_fact_add(res, "odirect.seq_write_direct_mb_s", bv,
		    lo > 0 && hi >= lo ? lo : NAN,
		    lo > 0 && hi >= lo ? hi : NAN, "MB/s",
		    json_is_integer(json_object_get(best, "n")) ?
			    (int)json_integer_value(json_object_get(best,
								    "n")) :
			    0,
		    what);
}

static json_t *od_analyze(const struct mt_run *run, struct mt_err *err)
{
	json_t *out = json_array(), *wce, *res;
	size_t total = 0;

	for (size_t o = 0; o < 2; o++)
		for (size_t p = 0; p < 2; p++) {
			double dx[MAXP], dy[MAXP], bx[MAXP], by[MAXP];
			double cross = NAN;
			const char *cache = NULL;
			size_t nd = mt_run_curve(run, "odirect", "bandwidth",
						 "block_bytes", dx, dy, MAXP,
						 "op", ops[o], "pattern",
						 pats[p], "mode", "direct",
						 NULL);
			size_t nb = buffered_curve(run, o, pats[p], bx, by,
						   MAXP, &cache);
			json_t *pts = json_array(), *e;

			for (size_t i = 0; i < nd; i++)
				for (size_t j = 0; j < nb; j++) {
					if (bx[j] != dx[i] || !(by[j] > 0))
						continue;
					json_array_append_new(
						pts,
						json_pack("{s:f, s:f, s:f, s:f}",
							  "block_bytes", dx[i],
							  "direct_mb_s", dy[i],
							  "buffered_mb_s",
							  by[j], "ratio",
							  dy[i] / by[j]));
					/* The lines cross where direct
					 * catches up and stays ahead. */
					if (dy[i] >= by[j]) {
						if (!isfinite(cross))
							cross = dx[i];
					} else {
						cross = NAN;
					}
				}
			if (!json_array_size(pts)) {
				json_decref(pts);
				continue;
			}
			total++;
			e = json_pack("{s:s, s:s, s:s, s:s, s:o}", "op", ops[o],
				      "pattern", pats[p], "buffered_mode",
				      buffered_mode(o), "buffered_cache", cache,
				      "points", pts);
			json_object_set_new(e, "direct_wins_from_bytes",
					    isfinite(cross) ? json_real(cross) :
							      json_null());
			json_array_append_new(out, e);
		}
	wce = total ? write_cache_effect(run) : NULL;
	res = json_pack("{s:o}", "comparisons", out);
	if (res && wce)
		json_object_set_new(res, "write_cache_effect", wce);
	else
		json_decref(wce);
	if (res && od_latency_fact(run, res) < 0) {
		json_decref(res);
		res = NULL;
	}
	if (!res) {
		mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
			   "odirect: out of memory");
		return NULL;
	}
	seq_write_fact(run, res);
	/* Without a comparison the facts alone are worth keeping. */
	if (!total && !json_array_size(json_object_get(res, "facts"))) {
		json_decref(res);
		mt_err_set(err, -ENODATA, MT_ERR_INPUT,
			   "odirect: no block size measured both with "
			   "O_DIRECT and buffered");
		return NULL;
	}
	return res;
}

/* The buffered_cache of comparison c ("cold", "warm"). */
static const char *cache_of(json_t *c)
{
	const char *s = json_string_value(json_object_get(c, "buffered_cache"));

	return s ? s : "unknown";
}

static void od_print(FILE *out, json_t *d)
{
	json_t *c, *p;
	size_t i, j;
	char b[32];

	json_array_foreach(json_object_get(d, "comparisons"), i, c) {
		fprintf(out, "  %-5s %-4s direct/%s (%s cache):",
			json_string_value(json_object_get(c, "op")),
			json_string_value(json_object_get(c, "pattern")),
			json_string_value(json_object_get(c, "buffered_mode")),
			cache_of(c));
		json_array_foreach(json_object_get(c, "points"), j, p) {
			mt_format_bytes(mt_jnum(p, "block_bytes"), b,
					sizeof(b));
			fprintf(out, " %s %.2fx;", b, mt_jnum(p, "ratio"));
		}
		p = json_object_get(c, "direct_wins_from_bytes");
		if (json_is_number(p)) {
			mt_format_bytes(json_number_value(p), b, sizeof(b));
			fprintf(out, " direct at least as fast from %s\n", b);
		} else {
			fprintf(out, " buffered faster at the largest size\n");
		}
	}
	json_array_foreach(json_object_get(d, "write_cache_effect"), i, c) {
		fprintf(out, "  write %-4s buffered warm/cold cache:",
			json_string_value(json_object_get(c, "pattern")));
		json_array_foreach(json_object_get(c, "points"), j, p) {
			mt_format_bytes(mt_jnum(p, "block_bytes"), b,
					sizeof(b));
			fprintf(out, " %s %.2fx;", b, mt_jnum(p, "ratio"));
		}
		fprintf(out, " (overwriting cached pages against adding "
			     "pages)\n");
	}
}

struct get_arg {
	struct mt_run *const *runs;
	size_t op;
};

/* Series: direct seq, buffered seq, direct rand, buffered rand. */
static size_t get_bw(size_t r, size_t s, double *x, double *y, size_t max,
		     void *arg)
{
	struct get_arg *g = arg;

	if (s % 2)
		return buffered_curve(g->runs[r], g->op, pats[s / 2], x, y, max,
				      NULL);
	return mt_run_curve(g->runs[r], "odirect", "bandwidth", "block_bytes",
			    x, y, max, "op", ops[g->op], "pattern", pats[s / 2],
			    "mode", "direct", NULL);
}

static int od_plots(struct mt_report *rep, struct mt_run *const *runs,
		    json_t *const *derived, size_t n, struct mt_err *err)
{
	static const char *const colors[] = { "#d62728", "#1f77b4", "#ff9896",
					      "#aec7e8" };
	int ret = 0;

	for (size_t o = 0; o < 2 && !ret; o++) {
		char name[32], title[96], reading[1024], s[4][48], b[32];
		const char *series[4] = { s[0], s[1], s[2], s[3] };
		struct get_arg g = { runs, o };
		json_t *c, *seq = NULL;
		size_t i;
		struct mt_line_fig f = {
			.name = name,
			.bench = "odirect",
			.title = title,
			.xlabel = "block size",
			.ylabel = "MB/s",
			.logx = true,
			.logy = true,
			.x_bytes = true,
			.reading = reading,
		};

		json_array_foreach(json_object_get(mt_fig_first(derived, n),
						   "comparisons"),
				   i, c)
			if (!strcmp(json_string_value(json_object_get(c, "op")),
				    ops[o]) &&
			    !seq)
				seq = c;
		if (!seq)
			continue;
		snprintf(name, sizeof(name), "odirect-%s", ops[o]);
		snprintf(title, sizeof(title),
			 "%s bandwidth by block size, "
			 "O_DIRECT against buffered (queue depth 1)",
			 o ? "Write" : "Read");
		for (size_t k = 0; k < 4; k++)
			snprintf(s[k], sizeof(s[k]), "%s %s%s%s", pats[k / 2],
				 k % 2 ? buffered_mode(o) : "direct",
				 k % 2 && o ? ", cache " : "",
				 k % 2 && o ? cache_of(seq) : "");
		{
			json_t *pts = json_object_get(seq, "points");
			json_t *last = json_array_get(pts,
						      json_array_size(pts) - 1);
			json_t *first = json_array_get(pts, 0);
			json_t *w = json_object_get(seq,
						    "direct_wins_from_bytes");
			char b0[32];
			int off;

			mt_format_bytes(mt_jnum(first, "block_bytes"), b0,
					sizeof(b0));
			mt_format_bytes(mt_jnum(last, "block_bytes"), b,
					sizeof(b));
			off = snprintf(reading, sizeof(reading),
				       "For %s %ss O_DIRECT reaches %.2f times "
				       "the buffered bandwidth at %s blocks "
				       "and %.2f times at %s. ",
				       json_string_value(
					       json_object_get(seq, "pattern")),
				       ops[o], mt_jnum(first, "ratio"), b0,
				       mt_jnum(last, "ratio"), b);
			if (json_is_number(w)) {
				mt_format_bytes(json_number_value(w), b,
						sizeof(b));
				snprintf(reading + off,
					 sizeof(reading) - (size_t)off,
					 "The lines cross at %s: from there "
					 "on bypassing the cache costs "
					 "nothing.",
					 b);
			} else {
				snprintf(reading + off,
					 sizeof(reading) - (size_t)off,
					 "The lines do not cross for good: "
					 "buffered I/O stays ahead at the "
					 "largest block measured.");
			}
		}
		ret = mt_fig_run_lines(rep, &f, n, series, colors, 4, get_bw,
				       &g, err);
	}
	return ret;
}

const struct mt_analysis mt_an_odirect = {
	.bench = "odirect",
	.summary = "O_DIRECT versus buffered ratio per block size, where the "
		   "lines cross",
	.analyze = od_analyze,
	.print = od_print,
	.plots = od_plots,
};
