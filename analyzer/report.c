/* The HTML report (see report.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../core/html.h"
#include "../core/json_safe.h"
#include "../core/units.h"
#include "analysis.h"
#include "facts.h"
#include "report.h"
#include "report_tune.h"
#include "summary.h"

/* Opens a table row: the run's label in a cell of its own when there is
 * one (several runs), then the first cell's text, left open. */
static void row_head(FILE *f, const char *label, const char *first)
{
	fputs("<tr>", f);
	if (label) {
		fputs("<td>", f);
		mt_html_escape(f, label);
		fputs("</td>", f);
	}
	fputs("<td>", f);
	mt_html_escape(f, first);
}

/* "pngcairo" when this gnuplot has it, else "png". */
static const char *png_terminal(void)
{
	int st = system("gnuplot -e 'set terminal pngcairo' "
			">/dev/null 2>&1 </dev/null");

	return st == 0 ? "pngcairo" : "png";
}

/* Copies OUT/NAME.svg into f without its XML prolog. Returns false when
 * the file is missing (or is not a plain file: gnuplot wrote it, so a link
 * there is not ours to read). */
static bool inline_svg(FILE *f, const struct mt_outdir *out, const char *name)
{
	char path[NAME_MAX + 1], *text = NULL, *start;
	size_t cap = 0;
	FILE *in;
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "%s.svg", name);
	fd = openat(out->fd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	in = fdopen(fd, "r");
	if (!in) {
		close(fd);
		return false;
	}
	len = getdelim(&text, &cap, '\0', in);
	fclose(in);
	if (len <= 0) {
		free(text);
		return false;
	}
	start = strstr(text, "<svg");
	if (start)
		fputs(start, f);
	free(text);
	return start != NULL;
}

/* The machine summary of one run. */
static void machine(FILE *f, const struct mt_run *run)
{
	json_t *m = run->meta, *sys = json_object_get(m, "system"), *c;
	json_t *mem = json_object_get(sys, "memory");
	json_t *thp = json_object_get(sys, "thp");
	size_t i;
	char b[32];

	fputs("<tr><td>", f);
	mt_html_escape(f, run->label);
	fputs("</td><td>", f);
	if (!m) {
		fputs("meta.json missing or malformed</td><td></td><td></td>"
		      "<td></td><td></td></tr>\n",
		      f);
		return;
	}
	mt_html_escape(f, json_string_value(json_object_get(m, "cpu_model")));
	fprintf(f, ", %.0f cores, %.0f NUMA nodes</td><td>",
		mt_jnum(json_object_get(m, "topology"), "cores"),
		mt_jnum(json_object_get(m, "topology"), "numa_nodes"));
	json_array_foreach(json_object_get(json_object_get(m, "topology"),
					   "caches"),
			   i, c) {
		mt_format_bytes(mt_jnum(c, "size_bytes"), b, sizeof(b));
		fprintf(f, "%sL%.0f %s", i ? ", " : "", mt_jnum(c, "level"), b);
	}
	if (isfinite(mt_jnum(mem, "mem_total_bytes")))
		mt_format_bytes(mt_jnum(mem, "mem_total_bytes"), b, sizeof(b));
	else
		snprintf(b, sizeof(b), "not recorded");
	fprintf(f, "</td><td>%s</td><td>", b);
	mt_html_escape(f, json_string_value(json_object_get(thp, "enabled")));
	fputs("</td><td>", f);
	mt_html_escape(f, json_string_value(json_object_get(m, "kernel")));
	fputs("</td></tr>\n", f);
}

/* The table of every record of every run. */
static void records(FILE *f, struct mt_run *const *runs, size_t n)
{
	fputs("<h2>Every record</h2>\n<table class=\"rec\"><tr>", f);
	if (n > 1)
		fputs("<th>run</th>", f);
	fputs("<th>bench</th><th>case</th><th>metric</th><th>value</th>"
	      "<th>unit</th><th>n</th><th>95% CI</th><th>status</th></tr>\n",
	      f);
	for (size_t r = 0; r < n; r++) {
		json_t *v;
		size_t i;

		json_array_foreach(runs[r]->records, i, v) {
			char *kase = json_dumps(json_object_get(v, "case"),
						JSON_COMPACT |
							JSON_PRESERVE_ORDER);
			const char *st =
				json_string_value(json_object_get(v, "status"));
			char a[64], b[64], c[64];

			row_head(f, n > 1 ? runs[r]->label : NULL,
				 mt_rec_bench(v));
			fputs("</td><td class=\"case\">", f);
			mt_html_escape(f, kase ? kase : "");
			fputs("</td><td>", f);
			mt_html_escape(f, mt_rec_metric(v));
			if (json_object_get(v, "value")) {
				mt_format_num(mt_rec_value(v), 6, a, sizeof(a));
				fprintf(f, "</td><td class=\"num\">%s</td><td>",
					a);
			} else
				fputs("</td><td></td><td>", f);
			mt_html_escape(f, json_string_value(
						  json_object_get(v, "unit")));
			if (json_object_get(v, "n")) {
				mt_format_count(mt_jnum(v, "n"), a, sizeof(a));
				mt_format_num(mt_jnum(v, "ci95_lo"), 6, b,
					      sizeof(b));
				mt_format_num(mt_jnum(v, "ci95_hi"), 6, c,
					      sizeof(c));
				fprintf(f,
					"</td><td class=\"num\">%s</td>"
					"<td class=\"num\">%s to %s</td><td>",
					a, b, c);
			} else
				fputs("</td><td></td><td></td><td>", f);
			mt_html_escape(f, st ? st : "ok");
			if (json_object_get(v, "reason")) {
				fputs(": ", f);
				mt_html_escape(
					f, json_string_value(json_object_get(
						   v, "reason")));
			}
			fputs("</td></tr>\n", f);
			free(kase);
		}
	}
	fputs("</table>\n", f);
}

/* The facts the advice rests on, per run, printed as `memtune analyze`
 * and `memtune advise` print them (mt_fact_format): one figure, one
 * text, to the digit. */
static void facts(FILE *f, struct mt_run *const *runs, json_t *const *analyses,
		  size_t n)
{
	bool any = false;

	for (size_t r = 0; r < n; r++) {
		json_t *v;
		size_t i;

		json_array_foreach(json_object_get(analyses[r], "facts"), i,
				   v) {
			struct mt_fact ft;
			char buf[160];

			if (!mt_fact_from_json(v, &ft))
				continue;
			if (!any)
				fputs("<h2 id=\"facts\">Facts the advice rests "
				      "on</h2>\n<p>Derived once by the "
				      "analyzer; <code>memtune advise</code> "
				      "cites them by id, to the digit. Value "
				      "[95% interval] unit (samples).</p>\n"
				      "<table><tr>"
				      "<th>run</th><th>fact</th><th>value</th>"
				      "<th>what</th></tr>\n",
				      f);
			any = true;
			fputs("<tr><td>", f);
			mt_html_escape(f, runs[r]->label);
			fputs("</td><td class=\"case\">", f);
			mt_html_escape(f, ft.id);
			fputs("</td><td class=\"num\">", f);
			mt_html_escape(f,
				       mt_fact_format(&ft, buf, sizeof(buf)));
			fputs("</td><td>", f);
			mt_html_escape(f, ft.what);
			fputs("</td></tr>\n", f);
		}
	}
	if (any)
		fputs("</table>\n", f);
}

/* One figure: the inlined SVG and its caption. */
static void figure(FILE *f, const struct mt_report *rep, json_t *fig)
{
	const char *name = json_string_value(json_object_get(fig, "name"));

	fprintf(f, "<figure id=\"%s\">\n", name);
	if (!inline_svg(f, &rep->dir, name))
		fprintf(f,
			"<p class=\"warn\">%s.svg was not drawn; "
			"its data is in %s.dat.</p>\n",
			name, name);
	fputs("<figcaption><b>", f);
	mt_html_escape(f, json_string_value(json_object_get(fig, "title")));
	fputs(".</b> ", f);
	mt_html_escape(f, json_string_value(json_object_get(fig, "reading")));
	fprintf(f,
		" <small>(<a href=\"%s.png\">PNG</a>, "
		"<a href=\"%s.gp\">gnuplot script</a>, "
		"<a href=\"%s.dat\">data</a>)</small>"
		"</figcaption>\n</figure>\n",
		name, name, name);
}

/* The figures, one section per benchmark in the order they were drawn
 * (the modules' order), two to a row where the page is wide enough. */
static void figures(FILE *f, const struct mt_report *rep)
{
	const char *prev = NULL;
	json_t *fig;
	size_t i;

	fputs("<h2>Figures</h2>\n<p>Lines join medians; error bars are "
	      "their 95% intervals (a point without one is a single sample "
	      "or a derived figure); rings mark knees; a shaded span is a "
	      "TLB reach.</p>\n",
	      f);
	if (!json_array_size(rep->figures))
		fputs("<p>No benchmark with an analysis module has data to "
		      "plot.</p>\n",
		      f);
	json_array_foreach(rep->figures, i, fig) {
		const char *bench = json_string_value(json_object_get(fig,
								      "bench"));

		if (!bench)
			bench = "";
		if (!prev || strcmp(prev, bench)) {
			if (prev)
				fputs("</div></section>\n", f);
			fputs("<section class=\"bench\"><h3>", f);
			mt_html_escape(f, *bench ? bench : "other");
			fputs("</h3><div class=\"figs\">\n", f);
		}
		prev = bench;
		figure(f, rep, fig);
	}
	if (prev)
		fputs("</div></section>\n", f);
}

/* The table of each run's benchmarks and their status. */
static void benchmarks(FILE *f, struct mt_run *const *runs,
		       json_t *const *analyses, size_t n)
{
	json_t *b;
	size_t j;

	fputs("<h2>Benchmarks</h2>\n<table><tr>", f);
	if (n > 1)
		fputs("<th>run</th>", f);
	fputs("<th>benchmark</th><th>status</th><th>records ok / skipped / "
	      "failed</th><th>intervals</th><th>reason</th></tr>\n",
	      f);
	for (size_t r = 0; r < n; r++)
		json_array_foreach(json_object_get(analyses[r], "benchmarks"),
				   j, b) {
			json_t *rc = json_object_get(b, "records");
			const char *reason =
				json_string_value(json_object_get(b, "reason"));
			const char *iv;
			char ok[32], sk[32], fa[32];

			if (!reason)
				reason = json_string_value(
					json_object_get(b, "partly_skipped"));
			row_head(f, n > 1 ? runs[r]->label : NULL,
				 json_string_value(json_object_get(b,
								   "bench")));
			fputs("</td><td>", f);
			mt_html_escape(f, json_string_value(json_object_get(
						  b, "status")));
			mt_format_count(mt_jnum(rc, "ok"), ok, sizeof(ok));
			mt_format_count(mt_jnum(rc, "skipped"), sk, sizeof(sk));
			mt_format_count(mt_jnum(rc, "failed"), fa, sizeof(fa));
			fprintf(f,
				"</td><td class=\"num\">%s / %s / %s"
				"</td><td>",
				ok, sk, fa);
			/* analysis.json's words on what the intervals
			 * hold (intervals.c). */
			iv = json_string_value(json_object_get(
				json_object_get(b, "intervals"), "text"));
			mt_html_escape(f, iv ? iv : "");
			iv = json_string_value(json_object_get(
				json_object_get(b, "unstable"), "text"));
			if (iv) {
				fputs("<br>Unstable: ", f);
				mt_html_escape(f, iv);
			}
			fputs("</td><td>", f);
			mt_html_escape(f, reason ? reason : "");
			fputs("</td></tr>\n", f);
		}
	fputs("</table>\n", f);
}

/* Writes index.html: the summary first, then the figures by benchmark,
 * then the details (facts, machines, warnings, tune, records). */
static int write_html(const struct mt_report *rep, struct mt_run *const *runs,
		      json_t *const *analyses, json_t *const *vers, size_t n,
		      const char *note, struct mt_err *err)
{
	const char **labels = calloc(n + 1, sizeof(*labels));
	json_t **advice = calloc(n + 1, sizeof(*advice));
	json_t *w;
	char *page = NULL;
	size_t i, page_len = 0;
	FILE *f = NULL;
	bool any;
	int ret;

	if (labels && advice)
		f = open_memstream(&page, &page_len);
	if (!f) {
		free(labels);
		free(advice);
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "report: out of memory");
	}
	for (size_t r = 0; r < n; r++) {
		labels[r] = runs[r]->label;
		/* The summary shows the first run of many (summary.h). */
		if (r == 0 || n <= MT_FIG_MAX_LABELLED_RUNS)
			advice[r] = mt_summary_load_advice(runs[r]->dir);
	}
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8"
	      "\">\n<title>memtune report</title>\n<style>\n"
	      "body{font-family:sans-serif;margin:1.5em auto;max-width:1600px;"
	      "padding:0 1em;color:#222;background:#fff}\n"
	      "table{border-collapse:collapse;margin:.5em 0}\n"
	      "td,th{border:1px solid #ccc;padding:2px 6px;font-size:13px;"
	      "text-align:left;vertical-align:top}\n"
	      "td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
	      "td.case{font-family:monospace;font-size:12px}\n"
	      "#summary{background:#f4f7fb;border:1px solid #c9d6e8;"
	      "padding:.2em 1em 1em}\n"
	      "#summary table{background:#fff}\n"
	      "#summary td.num{white-space:nowrap}\n"
	      "tr.change td{background:#fff4d6}\n"
	      ".figs{display:grid;grid-template-columns:"
	      "repeat(auto-fill,minmax(600px,1fr));gap:0 1.5em}\n"
	      "figure{margin:1em 0;border-top:1px solid #ddd}\n"
	      "figure svg{max-width:100%;height:auto;display:block}\n"
	      "figcaption{max-width:760px;margin-top:.3em}\n"
	      ".warn{color:#a40}\n</style></head><body>\n"
	      "<h1>memtune report</h1>\n",
	      f);
	if (note) {
		fputs("<p class=\"warn\">", f);
		mt_html_escape(f, note);
		fputs("</p>\n", f);
	}
	mt_summary_write(f, runs, analyses, advice, n, rep->figures,
			 mt_html_escape);
	fprintf(f,
		"<p>%zu run%s. Figures are drawn by gnuplot; each has "
		"its .dat and .gp files beside this page.</p>\n",
		n, n == 1 ? "" : "s");
	any = false;
	for (size_t r = 0; r < n; r++)
		json_array_foreach(runs[r]->warnings, i, w) {
			if (!any)
				fputs("<h2>Input warnings</h2>\n<ul>\n", f);
			any = true;
			fputs("<li class=\"warn\">", f);
			mt_html_escape(f, json_string_value(w));
			fputs("</li>\n", f);
		}
	if (any)
		fputs("</ul>\n", f);
	figures(f, rep);
	facts(f, runs, analyses, n);
	fputs("<h2>Machine</h2>\n<table><tr><th>run</th><th>CPU</th>"
	      "<th>caches</th><th>memory</th><th>THP</th><th>kernel</th>"
	      "</tr>\n",
	      f);
	for (size_t r = 0; r < n; r++)
		machine(f, runs[r]);
	fputs("</table>\n", f);
	mt_tune_table(f, vers, labels, n, mt_html_escape);
	free(labels);
	for (size_t r = 0; r < n; r++)
		json_decref(advice[r]);
	free(advice);
	benchmarks(f, runs, analyses, n);
	records(f, runs, n);
	fputs("</body></html>\n", f);
	if (ferror(f) | (fclose(f) != 0)) {
		free(page);
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "report: out of memory writing "
				  "'%s/index.html'",
				  rep->dir.path);
	}
	ret = mt_outdir_replace(&rep->dir, "report", "index.html", page,
				page_len, 0644, 0, err);
	free(page);
	return ret;
}

/* Appends the span of one reach (or level) r to marks: [lo, hi], or a
 * line at hi when the gap opens from the smallest size on. */
static void reach_mark(json_t *marks, json_t *r, const char *backing,
		       const char *pattern, const char *label)
{
	double hi = mt_jnum(r, "hi_bytes"), lo = mt_jnum(r, "lo_bytes");
	json_t *m;
	char fig[32];

	if (!(hi > 0))
		return;
	m = json_pack("{s:s, s:f, s:f, s:s, s:s}", "bench", "tlb", "lo",
		      lo > 0 ? lo : hi, "hi", hi, "label", label, "color",
		      mt_fig_backing_color(backing));
	/* The reach's curves are one pattern's: shade that figure
	 * (tlb-page or tlb-line, an_tlb's names) when it says which. */
	if (m && pattern &&
	    (!strcmp(pattern, "page") || !strcmp(pattern, "line"))) {
		snprintf(fig, sizeof(fig), "tlb-%s", pattern);
		json_object_set_new(m, "figure", json_string(fig));
	}
	json_array_append_new(marks, m);
}

/* The TLB reach of each backing of each run (each of its levels when it
 * has several) as spans to shade on the tlb figures; none with more runs
 * than the figures label. NULL when out of memory. */
static json_t *reach_marks(json_t *const *analyses, size_t n)
{
	static const char *const backings[] = { "4k", "thp", "2m", "1g" };
	json_t *marks = json_array();

	for (size_t r = 0; marks && r < n && n <= MT_FIG_MAX_LABELLED_RUNS; r++)
		for (size_t b = 0; b < 4; b++) {
			json_t *e = mt_summary_tlb_reach(analyses[r],
							 backings[b]);
			json_t *levels = json_object_get(e, "levels"), *l;
			const char *pat = json_string_value(
				json_object_get(e, "pattern"));
			char label[128], run[40] = "";
			size_t i;

			if (!e ||
			    !json_is_true(json_object_get(e, "separable")))
				continue;
			if (n > 1)
				snprintf(run, sizeof(run), " (run %zu)", r + 1);
			if (json_array_size(levels) < 2) {
				snprintf(label, sizeof(label), "%s reach%s",
					 backings[b], run);
				reach_mark(marks, e, backings[b], pat, label);
				continue;
			}
			json_array_foreach(levels, i, l) {
				const char *lv = json_string_value(
					json_object_get(l, "level"));

				snprintf(label, sizeof(label), "%s %s reach%s",
					 backings[b], lv ? lv : "", run);
				reach_mark(marks, l, backings[b], pat, label);
			}
		}
	return marks;
}

/* Writes the report (see report.h). */
int mt_report_write(struct mt_run *const *runs, json_t *const *analyses,
		    size_t n, const char *out, struct mt_err *err)
{
	struct mt_report rep = { .dir.fd = -1 };
	json_t **derived, **vers;
	struct mt_err gerr = { 0 };
	const struct mt_analysis *m;
	int ret;

	/* The output directory is the user's -o (or DIR/report): memtune
	 * writes there only when it made it or it is the user's own and
	 * only theirs (core/safefile); a refusal exits 2. */
	ret = mt_outdir_open(&rep.dir, "report", out, MT_DIR_CREATE, err);
	if (ret)
		return ret;
	rep.figures = json_array();
	rep.png_terminal = png_terminal();
	rep.runs = runs;
	rep.n_runs = n;
	rep.marks = reach_marks(analyses, n);
	derived = calloc(n, sizeof(*derived));
	vers = calloc(n + 1, sizeof(*vers));
	if (!rep.figures || !rep.marks || !derived || !vers) {
		ret = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				 "report: out of memory");
		goto out_free;
	}
	for (size_t i = 0; (m = mt_analysis_at(i)); i++) {
		size_t have = 0;

		for (size_t r = 0; r < n; r++) {
			derived[r] = mt_analysis_derived(analyses[r], m->bench);
			have += derived[r] != NULL;
		}
		if (!have)
			continue;
		ret = m->plots(&rep, runs, derived, n, err);
		if (ret)
			goto out_free;
	}
	for (size_t r = 0; r < n; r++) {
		vers[r] = mt_tune_verifications(runs[r]->dir);
		if (!vers[r]) {
			ret = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
					 "report: out of memory");
			goto out_free;
		}
	}
	ret = mt_tune_plots(&rep, vers, n, err);
	if (ret)
		goto out_free;
	ret = mt_fig_render(&rep, &gerr);
	if (write_html(&rep, runs, analyses, vers, n, ret ? gerr.msg : NULL,
		       err) < 0) {
		ret = -EIO;
		goto out_free;
	}
	if (ret)
		*err = gerr;
out_free:
	for (size_t r = 0; vers && r < n; r++)
		json_decref(vers[r]);
	free(vers);
	free(derived);
	json_decref(rep.figures);
	json_decref(rep.marks);
	mt_outdir_close(&rep.dir);
	return ret;
}
