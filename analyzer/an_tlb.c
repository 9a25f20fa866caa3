/* Analysis of the tlb benchmark: the knees of each latency curve (where it
 * steps up, by change-point segmentation of log latency over log2 size),
 * in bytes and TLB entries; the CPU's TLB sizes where the run recorded
 * them; the page-walk penalty (4 KiB minus the best huge-page latency
 * beyond the 4 KiB knee); the effective reach of each page size.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/json_safe.h"
#include "../core/stats.h"
#include "../core/units.h"
#include "analysis.h"
#include "changepoint.h"
#include "facts.h"

#define MAX_POINTS 256
#define MAX_KNEES 8

static const char *const backings[] = { "4k", "thp", "2m", "1g" };
static const char *const patterns[] = { "page", "line" };
#define N_BACKINGS 4
#define N_PATTERNS 2

/* One measured curve. */
struct curve {
	size_t n;
	double size[MAX_POINTS], ns[MAX_POINTS], se2[MAX_POINTS];
	int nobs[MAX_POINTS]; /* samples behind each median (0:
				 * unknown) */
	double page_size;     /* bytes, from what the kernel gave */
};

/* Nominal page size of a backing, when the record does not say. */
static double nominal_page(const char *b)
{
	return !strcmp(b, "1g") ? 1073741824.0 :
	       !strcmp(b, "4k") ? 4096.0 :
				  2097152.0;
}

/* Collects the ok latency records of (backing, pattern), sorted by size. */
static void collect(const struct mt_run *run, const char *backing,
		    const char *pattern, struct curve *c)
{
	size_t i;
	json_t *r;

	c->n = 0;
	c->page_size = nominal_page(backing);
	json_array_foreach(run->records, i, r) {
		const char *b = mt_rec_case_str(r, "backing");
		const char *p = mt_rec_case_str(r, "pattern");
		double sz = mt_rec_case_num(r, "size_bytes");
		double v = mt_rec_value(r), lo, hi, ps;
		size_t j;

		if (!mt_rec_ok(r) || strcmp(mt_rec_bench(r), "tlb") ||
		    strcmp(mt_rec_metric(r), "latency") || !b || !p ||
		    strcmp(b, backing) || strcmp(p, pattern) || !(sz > 0) ||
		    !(v > 0) || c->n == MAX_POINTS)
			continue;
		ps = mt_rec_obtained_num(r, "page_size_bytes");
		if (ps > 0)
			c->page_size = ps;
		/* The standard error of log latency from the CI of the
		 * median: the noise floor for the segmentation. */
		lo = json_number_value(json_object_get(r, "ci95_lo"));
		hi = json_number_value(json_object_get(r, "ci95_hi"));
		/* Insert sorted by size; a repeated size keeps the first. */
		for (j = c->n; j > 0 && c->size[j - 1] > sz; j--) {
			c->size[j] = c->size[j - 1];
			c->ns[j] = c->ns[j - 1];
			c->se2[j] = c->se2[j - 1];
			c->nobs[j] = c->nobs[j - 1];
		}
		if (j > 0 && c->size[j - 1] == sz) {
			memmove(&c->size[j], &c->size[j + 1],
				(c->n - j) * sizeof(double));
			memmove(&c->ns[j], &c->ns[j + 1],
				(c->n - j) * sizeof(double));
			memmove(&c->se2[j], &c->se2[j + 1],
				(c->n - j) * sizeof(double));
			memmove(&c->nobs[j], &c->nobs[j + 1],
				(c->n - j) * sizeof(int));
			continue;
		}
		c->size[j] = sz;
		c->ns[j] = v;
		c->se2[j] = lo > 0 && hi > lo ?
				    pow((log(hi) - log(lo)) / 3.92, 2) :
				    0;
		c->nobs[j] = json_is_integer(json_object_get(r, "n")) ?
				     (int)json_integer_value(
					     json_object_get(r, "n")) :
				     0;
		c->n++;
	}
}

/* The knees of curve c as a JSON array (entries only for the page
 * pattern, where each element sits on its own page). */
static json_t *knees_of(const struct curve *c, bool entries)
{
	double x[MAX_POINTS], y[MAX_POINTS], se2[MAX_POINTS];
	struct mt_cp_knee k[MAX_KNEES];
	struct mt_cp_result r;
	json_t *arr = json_array();
	size_t nk;

	if (!arr || c->n == 0)
		return arr;
	for (size_t i = 0; i < c->n; i++) {
		x[i] = log2(c->size[i]);
		y[i] = log(c->ns[i]);
		se2[i] = c->se2[i];
	}
	qsort(se2, c->n, sizeof(double), mt_cmp_double);
	if (mt_cp_segment(x, y, c->n, MT_CP_CONSTANT, se2[c->n / 2], &r) < 0)
		return arr;
	nk = mt_cp_knees(x, &r, k, MAX_KNEES);
	for (size_t i = 0; i < nk && i < MAX_KNEES; i++) {
		double lo = c->size[k[i].below], hi = c->size[k[i].above];
		json_t *o = json_pack("{s:f, s:f, s:f, s:f, s:f, s:f}", "bytes",
				      sqrt(lo * hi), "bytes_below", lo,
				      "bytes_above", hi, "latency_below_ns",
				      c->ns[k[i].below], "latency_above_ns",
				      c->ns[k[i].above], "step_ratio",
				      exp(k[i].step));

		if (!o)
			continue;
		if (entries) {
			json_object_set_new(o, "entries_below",
					    json_real(lo / c->page_size));
			json_object_set_new(o, "entries_above",
					    json_real(hi / c->page_size));
		}
		json_array_append_new(arr, o);
	}
	return arr;
}

/* The CPU's TLB sizes as the run recorded them: meta.json system.tlb (what
 * memtune sysinfo writes: {source, reported, entries_4k}) or topology.tlb,
 * else "not exposed". /proc/cpuinfo lists a "TLB size" on AMD only and
 * hwloc none, so many runs say "not exposed". */
static json_t *cpu_tlb(const struct mt_run *run)
{
	json_t *t = json_object_get(json_object_get(run->meta, "system"),
				    "tlb");

	if (!t)
		t = json_object_get(json_object_get(run->meta, "topology"),
				    "tlb");
	if (t && (json_array_size(t) || json_object_size(t)))
		return json_pack("{s:b, s:O}", "exposed", 1, "sizes", t);
	return json_pack("{s:b, s:s}", "exposed", 0, "note",
			 "not exposed: the run's meta.json records no TLB "
			 "sizes (hwloc does not report them and /proc/cpuinfo "
			 "lists them only on some AMD CPUs)");
}

/* The 4 KiB entries the CPU reports, or NAN. */
static double cpu_entries_4k(json_t *d)
{
	return mt_jnum(json_object_get(json_object_get(d, "cpu_tlb"), "sizes"),
		       "entries_4k");
}

/* True when curve c has a knee whose size bracket overlaps [lo, hi]. */
static bool has_knee_near(json_t *c, double lo, double hi)
{
	json_t *k;
	size_t i;

	json_array_foreach(json_object_get(c, "knees"), i, k)
		if (mt_jnum(k, "bytes_below") <= hi &&
		    mt_jnum(k, "bytes_above") >= lo)
			return true;
	return false;
}

/* True when curve c measured sizes on both sides of [lo, hi]. */
static bool covers(json_t *c, double lo, double hi)
{
	json_t *p;
	size_t i;
	bool below = false, above = false;

	json_array_foreach(json_object_get(c, "points"), i, p) {
		double x = json_number_value(json_array_get(p, 0));

		below |= x <= lo;
		above |= x >= hi;
	}
	return below && above;
}

/* Marks each knee of the page-pattern curves with its "kind": "cache"
 * when a curve of another page size steps at the same working set (a TLB
 * step depends on the page size; a step every page size shares is the
 * caches, or the page tables falling out of them), "tlb" when another
 * page size was measured there and does not step, "unknown" when there is
 * nothing to compare with. Then sets "reach": per backing, the working
 * set before the first knee that is not a cache step. */
static void classify_knees(json_t *out)
{
	json_t *curves = json_object_get(out, "curves"), *c, *c2, *k;
	json_t *reach = json_array();
	size_t i, i2, j;

	json_array_foreach(curves, i, c) {
		if (strcmp(json_string_value(json_object_get(c, "pattern")),
			   "page"))
			continue;
		json_t *first = NULL;

		json_array_foreach(json_object_get(c, "knees"), j, k) {
			double lo = mt_jnum(k, "bytes_below");
			double hi = mt_jnum(k, "bytes_above");
			const char *kind = "unknown";

			json_array_foreach(curves, i2, c2) {
				if (strcmp(json_string_value(json_object_get(
						   c2, "pattern")),
					   "page") ||
				    mt_jnum(c2, "page_size_bytes") ==
					    mt_jnum(c, "page_size_bytes") ||
				    !covers(c2, lo, hi))
					continue;
				if (has_knee_near(c2, lo, hi)) {
					kind = "cache";
					break;
				}
				kind = "tlb";
			}
			json_object_set_new(k, "kind", json_string(kind));
			if (!first && strcmp(kind, "cache"))
				first = k;
		}
		double rb = first ? mt_jnum(first, "bytes_below") : NAN;
		json_t *pts = json_object_get(c, "points");
		bool shared = !first &&
			      json_array_size(json_object_get(c, "knees"));

		/* No knee at all: the reach is beyond the largest size. Only
		 * shared knees: the TLB's step cannot be told apart from the
		 * caches' on this machine (recorded as null, not guessed). */
		if (!first && !shared && json_array_size(pts))
			rb = json_number_value(json_array_get(
				json_array_get(pts, json_array_size(pts) - 1),
				0));
		json_array_append_new(
			reach,
			json_pack("{s:O, s:f, s:o, s:o, s:b, s:b}", "backing",
				  json_object_get(c, "backing"),
				  "page_size_bytes",
				  mt_jnum(c, "page_size_bytes"), "reach_bytes",
				  isfinite(rb) ? json_real(rb) : json_null(),
				  "entries",
				  isfinite(rb) ?
					  json_real(rb /
						    mt_jnum(c,
							    "page_size_bytes")) :
					  json_null(),
				  "beyond_range", !first && !shared,
				  "separable", !shared));
	}
	json_object_set_new(out, "reach", reach);
}

/* Sets "cpu_tlb.beside_knee" of out: the first knee of the 4 KiB page
 * curve against the entries the CPU reports (within the knee's bracket
 * or not), so a person sees both numbers side by side. */
static void tlb_beside(json_t *out)
{
	double cpu = cpu_entries_4k(out), lo, hi;
	json_t *c, *k = NULL;
	size_t i;

	json_array_foreach(json_object_get(out, "curves"), i, c)
		if (!strcmp(json_string_value(json_object_get(c, "pattern")),
			    "page") &&
		    !strcmp(json_string_value(json_object_get(c, "backing")),
			    "4k")) {
			json_t *kk;
			size_t j;

			json_array_foreach(json_object_get(c, "knees"), j, kk)
				if (strcmp(json_string_value(
						   json_object_get(kk, "kind")),
					   "cache")) {
					k = kk;
					break;
				}
		}
	if (!isfinite(cpu))
		return;
	if (!k) {
		json_object_set_new(
			json_object_get(out, "cpu_tlb"), "beside_knee",
			json_pack("{s:f, s:n, s:n, s:b}", "cpu_entries_4k", cpu,
				  "knee_entries_below", "knee_entries_above",
				  "within", 0));
		return;
	}
	lo = json_number_value(json_object_get(k, "entries_below"));
	hi = json_number_value(json_object_get(k, "entries_above"));
	json_object_set_new(json_object_get(out, "cpu_tlb"), "beside_knee",
			    json_pack("{s:f, s:f, s:f, s:b}", "cpu_entries_4k",
				      cpu, "knee_entries_below", lo,
				      "knee_entries_above", hi, "within",
				      cpu >= lo && cpu <= hi));
}

/* Latency of curve c at size, or NAN when it was not measured. */
static double at_size(const struct curve *c, double size)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->size[i] == size)
			return c->ns[i];
	return NAN;
}

/* The page-walk penalty on `pattern`: at each size from the 4 KiB curve's
 * first knee on (every size when it has none), 4 KiB latency minus the
 * best huge-page latency at that size. NULL when there is nothing to
 * compare. */
static json_t *walk_penalty(const struct curve cur[N_BACKINGS],
			    json_t *knees_4k, const char *pattern)
{
	double from = json_number_value(
		json_object_get(json_array_get(knees_4k, 0), "bytes_above"));
	const struct curve *c4 = &cur[0];
	json_t *per = json_array(), *o;
	double pens[MAX_POINTS], last_pen = NAN, last_size = NAN;
	double last_4k = NAN, last_huge = NAN;
	const char *last_best = NULL;
	size_t np = 0;

	if (!per)
		return NULL;
	for (size_t i = 0; i < c4->n; i++) {
		double best = INFINITY;
		const char *bname = NULL;

		if (c4->size[i] < from)
			continue;
		for (size_t b = 1; b < N_BACKINGS; b++) {
			double v = at_size(&cur[b], c4->size[i]);

			if (v < best) {
				best = v;
				bname = backings[b];
			}
		}
		if (!bname)
			continue;
		pens[np++] = c4->ns[i] - best;
		last_pen = c4->ns[i] - best;
		last_size = c4->size[i];
		last_4k = c4->ns[i];
		last_huge = best;
		last_best = bname;
		json_array_append_new(
			per, json_pack("{s:f, s:f, s:s, s:f, s:f}", "bytes",
				       c4->size[i], "latency_4k_ns", c4->ns[i],
				       "best_huge", bname, "latency_huge_ns",
				       best, "penalty_ns", c4->ns[i] - best));
	}
	if (np == 0) {
		json_decref(per);
		return NULL;
	}
	o = json_pack("{s:s, s:f, s:f, s:s, s:f, s:f, s:f, s:o}", "pattern",
		      pattern, "at_bytes", last_size, "latency_4k_ns", last_4k,
		      "best_huge", last_best, "latency_huge_ns", last_huge,
		      "penalty_ns", last_pen, "median_penalty_ns",
		      mt_median(pens, np), "per_size", per);
	return o;
}

/* The fact the THP advice rests on (issue 13: one figure, derived here, for
 * the report and the advice alike): "tlb.thp_walk_ratio", 4 KiB over THP
 * load latency with the page-stride pattern at the largest size both were
 * measured. Its 95% interval comes from each median's own interval (the
 * standard errors of the two log latencies add); none when either record
 * had none. Nothing when no size has both. */
static void thp_walk_ratio(json_t *out, const struct curve *c4,
			   const struct curve *thp)
{
	double se, r, sz = -1, a = NAN, b = NAN, s2 = 0;
	int n = 0;
	char what[192], size[32];

	for (size_t i = 0; i < c4->n; i++)
		for (size_t j = 0; j < thp->n; j++)
			if (thp->size[j] == c4->size[i] && c4->size[i] > sz) {
				sz = c4->size[i];
				a = c4->ns[i];
				b = thp->ns[j];
				s2 = c4->se2[i] > 0 && thp->se2[j] > 0 ?
					     c4->se2[i] + thp->se2[j] :
					     0;
				n = c4->nobs[i] + thp->nobs[j];
			}
	if (!(sz > 0) || !(a > 0) || !(b > 0))
		return;
	r = a / b;
	se = sqrt(s2);
	mt_format_bytes(sz, size, sizeof(size));
	snprintf(what, sizeof(what),
		 "4 KiB over THP page-stride load latency "
		 "at %s (the largest size both measured): %.1f ns against "
		 "%.1f ns",
		 size, a, b);
	mt_fact_add(out, "tlb.thp_walk_ratio", r,
		    se > 0 ? r * exp(-1.96 * se) : NAN,
		    se > 0 ? r * exp(1.96 * se) : NAN, "ratio", n, what);
}

/* Derives the tlb figures of one run. */
static json_t *tlb_analyze(const struct mt_run *run, struct mt_err *err)
{
	json_t *out, *curves, *pen = NULL;
	struct curve *cur;
	size_t n_points = 0;

	cur = calloc(N_PATTERNS * N_BACKINGS, sizeof(*cur));
	out = json_object();
	curves = json_array();
	if (!cur || !out || !curves) {
		mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME, "tlb: out of memory");
		goto out_nomem;
	}
	for (size_t p = 0; p < N_PATTERNS; p++) {
		struct curve *pc = &cur[p * N_BACKINGS];
		json_t *k4 = NULL;

		for (size_t b = 0; b < N_BACKINGS; b++) {
			struct curve *c = &pc[b];
			json_t *pts, *knees, *o;

			collect(run, backings[b], patterns[p], c);
			if (c->n == 0)
				continue;
			n_points += c->n;
			pts = json_array();
			for (size_t i = 0; i < c->n; i++)
				json_array_append_new(pts, json_pack("[f, f]",
								     c->size[i],
								     c->ns[i]));
			knees = knees_of(c, p == 0);
			o = json_pack("{s:s, s:s, s:f, s:o, s:o}", "pattern",
				      patterns[p], "backing", backings[b],
				      "page_size_bytes", c->page_size, "points",
				      pts, "knees", knees);
			if (!o)
				continue;
			json_array_append_new(curves, o);
			if (b == 0)
				k4 = knees;
		}
		if (!pen && pc[0].n)
			pen = walk_penalty(pc, k4, patterns[p]);
		if (p == 0)
			thp_walk_ratio(out, &pc[0], &pc[1]);
	}
	free(cur);
	if (n_points == 0) {
		json_decref(out);
		json_decref(curves);
		json_decref(pen);
		mt_err_set(err, -ENODATA, MT_ERR_INPUT,
			   "tlb: no 'latency' record with a backing, a "
			   "pattern and size_bytes in its case");
		return NULL;
	}
	json_object_set_new(out, "curves", curves);
	json_object_set_new(out, "page_walk_penalty", pen ? pen : json_null());
	json_object_set_new(out, "cpu_tlb", cpu_tlb(run));
	classify_knees(out);
	tlb_beside(out);
	return out;

out_nomem:
	free(cur);
	json_decref(out);
	json_decref(curves);
	return NULL;
}

/* The derived curve of (pattern, backing), or NULL. */
static json_t *find_curve(json_t *d, const char *pattern, const char *backing)
{
	json_t *c;
	size_t i;

	json_array_foreach(json_object_get(d, "curves"), i, c)
		if (!strcmp(json_string_value(json_object_get(c, "pattern")),
			    pattern) &&
		    !strcmp(json_string_value(json_object_get(c, "backing")),
			    backing))
			return c;
	return NULL;
}

static void tlb_print(FILE *out, json_t *d)
{
	json_t *c, *k, *pen = json_object_get(d, "page_walk_penalty");
	size_t i, j;
	char a[32], b[32];

	json_array_foreach(json_object_get(d, "curves"), i, c) {
		bool page = !strcmp(
			json_string_value(json_object_get(c, "pattern")),
			"page");

		fprintf(out, "  %-4s %-3s knees:",
			json_string_value(json_object_get(c, "pattern")),
			json_string_value(json_object_get(c, "backing")));
		if (!json_array_size(json_object_get(c, "knees")))
			fprintf(out, " none in the sizes measured");
		json_array_foreach(json_object_get(c, "knees"), j, k) {
			mt_format_bytes(mt_jnum(k, "bytes_below"), a,
					sizeof(a));
			mt_format_bytes(mt_jnum(k, "bytes_above"), b,
					sizeof(b));
			fprintf(out, " %s..%s", a, b);
			if (page)
				fprintf(out, " (%.4g..%.4g entries)",
					mt_jnum(k, "entries_below"),
					mt_jnum(k, "entries_above"));
			fprintf(out, " %.1f->%.1f ns%s;",
				mt_jnum(k, "latency_below_ns"),
				mt_jnum(k, "latency_above_ns"),
				!page ? "" :
				!strcmp(json_string_value(
						json_object_get(k, "kind")),
					"cache") ?
					" (cache: every "
					"page size steps here)" :
				!strcmp(json_string_value(
						json_object_get(k, "kind")),
					"tlb") ?
					" (TLB)" :
					"");
		}
		fputc('\n', out);
	}
	json_array_foreach(json_object_get(d, "reach"), i, c) {
		if (json_is_false(json_object_get(c, "separable"))) {
			fprintf(out,
				"  reach %-3s not separable: every step of "
				"its page curve is shared with other page "
				"sizes (the caches)\n",
				json_string_value(json_object_get(c,
								  "backing")));
			continue;
		}
		mt_format_bytes(mt_jnum(c, "reach_bytes"), a, sizeof(a));
		fprintf(out, "  reach %-3s %s%s (%.4g pages)%s\n",
			json_string_value(json_object_get(c, "backing")),
			json_is_true(json_object_get(c, "beyond_range")) ?
				">= " :
				"",
			a, mt_jnum(c, "entries"),
			json_is_true(json_object_get(c, "beyond_range")) ?
				": no step in the sizes measured" :
				"");
	}
	if (json_is_object(pen)) {
		mt_format_bytes(mt_jnum(pen, "at_bytes"), a, sizeof(a));
		fprintf(out,
			"  page-walk penalty %.1f ns/access at %s "
			"(4k %.1f ns, %s %.1f ns; median %.1f ns)\n",
			mt_jnum(pen, "penalty_ns"), a,
			mt_jnum(pen, "latency_4k_ns"),
			json_string_value(json_object_get(pen, "best_huge")),
			mt_jnum(pen, "latency_huge_ns"),
			mt_jnum(pen, "median_penalty_ns"));
	} else {
		fprintf(out, "  page-walk penalty: no huge-page curve to "
			     "compare with\n");
	}
	c = json_object_get(d, "cpu_tlb");
	k = json_object_get(c, "beside_knee");
	if (k && !json_is_number(json_object_get(k, "knee_entries_below"))) {
		fprintf(out,
			"  cpu tlb: %.0f 4K entries (%s); the 4k page "
			"curve shows no knee to set beside it\n",
			mt_jnum(k, "cpu_entries_4k"),
			json_string_value(json_object_get(
				json_object_get(c, "sizes"), "source")));
	} else if (k) {
		fprintf(out,
			"  cpu tlb: %.0f 4K entries (%s), first 4k page "
			"knee at %.4g..%.4g entries: %s\n",
			mt_jnum(k, "cpu_entries_4k"),
			json_string_value(json_object_get(
				json_object_get(c, "sizes"), "source")),
			mt_jnum(k, "knee_entries_below"),
			mt_jnum(k, "knee_entries_above"),
			json_is_true(json_object_get(k, "within")) ?
				"the CPU's figure lies in the bracket" :
				"outside the bracket (another TLB level, or a "
				"virtualized figure)");
	} else if (json_is_true(json_object_get(c, "exposed"))) {
		char *s = json_dumps(json_object_get(c, "sizes"), JSON_COMPACT);

		fprintf(out, "  cpu tlb: %s\n", s ? s : "?");
		free(s);
	} else {
		fprintf(out, "  cpu tlb: not exposed\n");
	}
}

/* "; the CPU reports N" for a reading, or "". */
static const char *tlb_note(json_t *d)
{
	static char buf[64];
	double cpu = cpu_entries_4k(d);

	if (!isfinite(cpu))
		return "";
	snprintf(buf, sizeof(buf), "; the CPU reports %.0f", cpu);
	return buf;
}

/* Writes the reading of the figure of one pattern. */
static void reading_one(json_t *d, const char *pattern, char *buf, size_t len)
{
	json_t *c4 = find_curve(d, pattern, "4k");
	json_t *pen = json_object_get(d, "page_walk_penalty");
	json_t *pts = json_object_get(c4, "points");
	json_t *k =
		json_array_get(json_object_get(c4, "knees"),
			       json_array_size(json_object_get(c4, "knees")) -
				       1);
	char a[32], b[32];
	int off;

	if (!c4) {
		snprintf(buf, len,
			 "Only huge-page curves were measured with "
			 "the %s pattern. Without a 4 KiB curve there is no "
			 "page-walk penalty to read.",
			 pattern);
		return;
	}
	mt_format_bytes(json_number_value(json_array_get(json_array_get(pts, 0),
							 0)),
			a, sizeof(a));
	mt_format_bytes(json_number_value(json_array_get(
				json_array_get(pts, json_array_size(pts) - 1),
				0)),
			b, sizeof(b));
	if (k) {
		char lo[32], hi[32];

		mt_format_bytes(mt_jnum(k, "bytes_below"), lo, sizeof(lo));
		mt_format_bytes(mt_jnum(k, "bytes_above"), hi, sizeof(hi));
		off = snprintf(buf, len,
			       "With 4 KiB pages the %s-pattern "
			       "latency makes its last step up between %s "
			       "and %s",
			       pattern, lo, hi);
		if (!strcmp(pattern, "page"))
			off += snprintf(buf + off, len - (size_t)off,
					" (%.0f to %.0f TLB entries%s)",
					mt_jnum(k, "entries_below"),
					mt_jnum(k, "entries_above"),
					tlb_note(d));
		off += snprintf(buf + off, len - (size_t)off,
				", from %.1f to %.1f ns per access. ",
				mt_jnum(k, "latency_below_ns"),
				mt_jnum(k, "latency_above_ns"));
	} else {
		off = snprintf(buf, len,
			       "With 4 KiB pages the %s-pattern "
			       "latency shows no step the noise cannot "
			       "explain between %s and %s. ",
			       pattern, a, b);
	}
	if ((size_t)off >= len)
		return;
	if (json_is_object(pen) &&
	    !strcmp(json_string_value(json_object_get(pen, "pattern")),
		    pattern)) {
		mt_format_bytes(mt_jnum(pen, "at_bytes"), a, sizeof(a));
		snprintf(buf + off, len - (size_t)off,
			 "At %s the best huge pages (%s) take %.1f ns against "
			 "%.1f ns, so a 4 KiB page walk costs about %.1f ns "
			 "per access there.",
			 a,
			 json_string_value(json_object_get(pen, "best_huge")),
			 mt_jnum(pen, "latency_huge_ns"),
			 mt_jnum(pen, "latency_4k_ns"),
			 mt_jnum(pen, "penalty_ns"));
	} else {
		snprintf(buf + off, len - (size_t)off,
			 "The huge-page curves show how much of that is the "
			 "TLB: where they stay low, the difference is the "
			 "page walk.");
	}
}

/* The reading of several runs: the spread of the 4k knee and penalty. */
static void reading_many(json_t *const *derived, size_t n, const char *pattern,
			 char *buf, size_t len)
{
	double *kn = calloc(n, sizeof(double)), *pe = calloc(n, sizeof(double));
	size_t nk = 0, np = 0;
	char a[32], b[32], m[32];
	int off;

	if (!kn || !pe) {
		snprintf(buf, len, "Out of memory.");
		goto out_free;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *c = find_curve(derived[i], pattern, "4k");
		json_t *ks = json_object_get(c, "knees");
		json_t *pen = json_object_get(derived[i], "page_walk_penalty");

		if (json_array_size(ks))
			kn[nk++] = mt_jnum(
				json_array_get(ks, json_array_size(ks) - 1),
				"bytes");
		if (json_is_object(pen) &&
		    !strcmp(json_string_value(json_object_get(pen, "pattern")),
			    pattern))
			pe[np++] = mt_jnum(pen, "penalty_ns");
	}
	qsort(kn, nk, sizeof(double), mt_cmp_double);
	qsort(pe, np, sizeof(double), mt_cmp_double);
	if (nk) {
		mt_format_bytes(kn[0], a, sizeof(a));
		mt_format_bytes(kn[nk - 1], b, sizeof(b));
		mt_format_bytes(kn[nk / 2], m, sizeof(m));
		off = snprintf(buf, len,
			       "Across %zu runs the last 4 KiB "
			       "knee of the %s pattern lies at a median of "
			       "%s (from %s to %s; %zu runs have one). ",
			       n, pattern, m, a, b, nk);
	} else {
		off = snprintf(buf, len,
			       "Across %zu runs no 4 KiB %s-pattern "
			       "curve steps up beyond its noise. ",
			       n, pattern);
	}
	if (np)
		snprintf(buf + off, len - (size_t)off,
			 "The page-walk penalty at the largest size has a "
			 "median of %.1f ns per access (from %.1f to %.1f "
			 "ns).",
			 pe[np / 2], pe[0], pe[np - 1]);
	else
		snprintf(buf + off, len - (size_t)off,
			 "No run has a huge-page curve to measure the "
			 "page-walk penalty against.");
out_free:
	free(kn);
	free(pe);
}

/* Appends the x/y of a derived curve to xs/ys (a NAN breaks the line). */
static size_t append_curve(json_t *c, double *xs, double *ys, size_t at)
{
	json_t *p;
	size_t i;

	json_array_foreach(json_object_get(c, "points"), i, p) {
		xs[at] = json_number_value(json_array_get(p, 0));
		ys[at++] = json_number_value(json_array_get(p, 1));
	}
	xs[at] = NAN;
	ys[at++] = NAN;
	return at;
}

/* One figure per pattern: latency against working set, log axes, one line
 * per backing (per run and backing with several runs), knees marked. */
static int tlb_plots(struct mt_report *rep, struct mt_run *const *runs,
		     json_t *const *derived, size_t n, struct mt_err *err)
{
	bool labelled = n <= MT_FIG_MAX_LABELLED_RUNS;
	size_t cap = 2 * N_BACKINGS + n * N_BACKINGS;
	struct mt_series *ser = calloc(cap, sizeof(*ser));
	char(*titles)[256] = calloc(cap, sizeof(*titles));
	double **bufs = calloc(cap * 2, sizeof(double *));
	size_t nbuf = 0;
	char reading[1024];
	int ret = 0;

	if (!ser || !titles || !bufs) {
		ret = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				 "report: out of memory");
		goto out_free;
	}
	for (size_t p = 0; p < N_PATTERNS && !ret; p++) {
		char name[32], title[96];
		size_t ns = 0, have = 0;
		struct mt_line_fig f = {
			.name = name,
			.bench = "tlb",
			.title = title,
			.xlabel = "working set",
			.ylabel = "latency (ns)",
			.logx = true,
			.logy = true,
			.x_bytes = true,
			.reading = reading,
		};

		snprintf(name, sizeof(name), "tlb-%s", patterns[p]);
		snprintf(title, sizeof(title),
			 "Load latency against working "
			 "set, %s pattern",
			 patterns[p]);
		for (size_t b = 0; b < N_BACKINGS; b++) {
			/* Lines: per run when labelled, else all runs of a
			 * backing in one thin series. Then the knees. */
			size_t total = 0, kt = 0;

			for (size_t r = 0; r < n; r++) {
				json_t *c = find_curve(derived[r], patterns[p],
						       backings[b]);

				total += json_array_size(
						 json_object_get(c, "points")) +
					 1;
				kt += json_array_size(json_object_get(c,
								      "knees"));
			}
			if (total == n)
				continue;
			have++;
			for (size_t r = 0; r < n; r++) {
				json_t *c = find_curve(derived[r], patterns[p],
						       backings[b]);
				struct mt_series *s;
				size_t m, len;

				if (!c)
					continue;
				if (!labelled && r > 0 && ns > 0 &&
				    ser[ns - 1].color ==
					    mt_fig_backing_color(backings[b]) &&
				    ser[ns - 1].thin)
					continue;
				/* ser is reused from figure to figure: a slot
				 * that held the previous figure's knee marks
				 * must not draw this line as marks. */
				s = &ser[ns++];
				*s = (struct mt_series){ 0 };
				len = labelled ?
					      json_array_size(json_object_get(
						      c, "points")) +
						      1 :
					      total;
				bufs[nbuf] = malloc(len * sizeof(double));
				bufs[nbuf + 1] = malloc(len * sizeof(double));
				if (!bufs[nbuf] || !bufs[nbuf + 1]) {
					nbuf += 2;
					ret = mt_err_set(err, -ENOMEM,
							 MT_ERR_RUNTIME,
							 "report: out of "
							 "memory");
					goto out_free;
				}
				m = 0;
				if (labelled) {
					m = append_curve(c, bufs[nbuf],
							 bufs[nbuf + 1], 0);
					if (n > 1)
						snprintf(titles[ns - 1], 256,
							 "%s %s", backings[b],
							 runs[r]->label);
					else
						snprintf(titles[ns - 1], 256,
							 "%s", backings[b]);
				} else {
					for (size_t q = 0; q < n; q++)
						m = append_curve(
							find_curve(derived[q],
								   patterns[p],
								   backings[b]),
							bufs[nbuf],
							bufs[nbuf + 1], m);
					snprintf(titles[ns - 1], 256,
						 "%s (%zu runs)", backings[b],
						 n);
				}
				s->title = titles[ns - 1];
				s->color = mt_fig_backing_color(backings[b]);
				s->dash = labelled ? (int)r + 1 : 1;
				s->thin = !labelled;
				s->x = bufs[nbuf];
				s->y = bufs[nbuf + 1];
				s->n = m;
				nbuf += 2;
			}
			if (!kt)
				continue;
			/* Knee marks: at the first size above each step. */
			bufs[nbuf] = malloc(kt * sizeof(double));
			bufs[nbuf + 1] = malloc(kt * sizeof(double));
			if (!bufs[nbuf] || !bufs[nbuf + 1]) {
				nbuf += 2;
				ret = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
						 "report: out of memory");
				goto out_free;
			}
			kt = 0;
			for (size_t r = 0; r < n; r++) {
				json_t *k;
				size_t i;

				json_array_foreach(
					json_object_get(find_curve(derived[r],
								   patterns[p],
								   backings[b]),
							"knees"),
					i, k) {
					bufs[nbuf][kt] = mt_jnum(k,
								 "bytes_above");
					bufs[nbuf + 1][kt++] =
						mt_jnum(k, "latency_above_ns");
				}
			}
			snprintf(titles[ns], 256, "%s knees", backings[b]);
			ser[ns] = (struct mt_series){
				.title = titles[ns],
				.points_only = true,
				.color = mt_fig_backing_color(backings[b]),
				.n = kt,
				.x = bufs[nbuf],
				.y = bufs[nbuf + 1],
			};
			ns++;
			nbuf += 2;
		}
		if (!have)
			continue;
		if (n == 1)
			reading_one(derived[0], patterns[p], reading,
				    sizeof(reading));
		else
			reading_many(derived, n, patterns[p], reading,
				     sizeof(reading));
		ret = mt_fig_lines(rep, &f, ser, ns, err);
		for (size_t i = 0; i < nbuf; i++)
			free(bufs[i]);
		nbuf = 0;
	}
out_free:
	for (size_t i = 0; i < nbuf; i++)
		free(bufs[i]);
	free(bufs);
	free(titles);
	free(ser);
	return ret;
}

const struct mt_analysis mt_an_tlb = {
	.bench = "tlb",
	.summary = "knees of the latency curves, TLB reach per page size, "
		   "page-walk penalty",
	.analyze = tlb_analyze,
	.print = tlb_print,
	.plots = tlb_plots,
};
