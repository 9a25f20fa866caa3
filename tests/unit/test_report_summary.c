/* Unit tests of the report's summary (analyzer/summary.c) on the fixture
 * runs of tests/fixtures/runs (run from the repository root, as
 * tests/run-unit.sh does): the headline of each benchmark with its
 * interval, the advice with the facts it rests on, the machine, escaping,
 * the TLB reach lookup, and the reach shaded on the tlb figure. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../core/html.h"
#include "../../analyzer/analysis.h"
#include "../../analyzer/report.h"
#include "../../analyzer/run.h"
#include "../../analyzer/summary.h"
#include "helpers/fixtures.h"

#define FIX "tests/fixtures/runs/"

/* The summary of one run with advice (may be NULL) and figures, as a
 * string the caller frees. */
static char *summary_of(struct mt_run *run, json_t *analysis, json_t *advice,
			json_t *figures)
{
	char *page = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&page, &len);

	assert_non_null(f);
	mt_summary_write(f, &run, &analysis, &advice, 1, figures,
			 mt_html_escape);
	assert_int_equal(fclose(f), 0);
	return page;
}

/* The figures of a report of tlb and hugepage. */
static json_t *some_figures(void)
{
	return json_pack("[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]", "name",
			 "tlb-page", "bench", "tlb", "name", "hugepage-fault",
			 "bench", "hugepage", "name", "odirect-bw", "bench",
			 "odirect");
}

/* adv-quick: every benchmark's headline with its interval, the advice
 * resting on facts linked to their plots, the machine; nothing written as
 * an exponent, every string from the files escaped. */
static void test_summary_adv_quick(void **state)
{
	struct mt_run *run = mt_test_run_load(FIX "adv-quick");
	json_t *a = mt_analyze_run(run), *figs = some_figures();
	json_t *adv = json_pack(
		"{s:s, s:s, s:[{s:s, s:s, s:s, s:s, s:b, s:s, s:[s, s]},"
		" {s:s, s:s, s:i, s:i, s:b, s:s, s:[s]},"
		" {s:s, s:s, s:s, s:s, s:b, s:s, s:[s]}]}",
		"profile", "balanced", "basis", "run", "items", "id",
		"thp_enabled", "knob", "transparent_hugepage.enabled",
		"current", "madvise", "recommended", "madvise", "change", 0,
		"confidence", "medium", "facts", "tlb.thp_walk_ratio",
		"hugepage.thp_fault_us", "id", "swappiness", "knob",
		"vm.swappiness<script>", "current", 60, "recommended", 10,
		"change", 1, "confidence", "low", "evidence",
		"no active swap <b>", "id", "panic_on_oom", "knob",
		"vm.panic_on_oom", "current", "0", "recommended", "0", "change",
		0, "confidence", "medium", "evidence", "system only");
	struct mt_headline h;
	char *s;

	(void)state;
	assert_non_null(a);
	assert_non_null(adv);
	s = summary_of(run, a, adv, figs);
	/* The summary is one section, the headline table first. */
	assert_ptr_equal(strstr(s, "<section id=\"summary\">"), s);
	assert_true(strstr(s, "Headline figures") < strstr(s, "Advice"));
	assert_true(strstr(s, "Advice") < strstr(s, "Machine"));
	/* Headlines: the analyzer's facts, formatted for people. */
	assert_non_null(strstr(s, "1.71× (1.46 to 2), n=30"));
	assert_non_null(strstr(s, "2.82 GB/s (2.71 to 2.84), n=12"));
	assert_non_null(strstr(s, "2.3× (1.49 to 3.56), n=15"));
	assert_non_null(strstr(s, "100% (29.2 to 100), n=3"));
	assert_non_null(strstr(s, "<a href=\"#tlb-page\">tlb</a>"));
	assert_non_null(strstr(s, "failed: swap: the case&#39;s cgroup"));
	assert_true(mt_summary_headline(a, "odirect", &h));
	assert_string_equal(h.value, "2.82 GB/s (2.71 to 2.84), n=12");
	/* Declared by their modules beside the facts (facts.h). */
	assert_true(mt_summary_headline(a, "pagecache", &h));
	assert_non_null(strstr(h.what, "KiB blocks"));
	assert_non_null(strstr(h.value, "×"));
	assert_true(mt_summary_headline(a, "numa", &h));
	assert_non_null(strstr(h.value, "174 ns ("));
	/* reclaim compares settings: no one figure heads it. */
	assert_false(mt_summary_headline(a, "reclaim", &h));
	assert_non_null(strstr(s, "no single headline figure derived"));
	/* Advice: the change first, the facts linked to their plots. */
	assert_non_null(strstr(s, "vm.swappiness&lt;script&gt;"));
	assert_null(strstr(s, "<script>"));
	assert_non_null(strstr(s, "no active swap &lt;b&gt;"));
	assert_true(strstr(s, "vm.swappiness") <
		    strstr(s, "transparent_hugepage.enabled"));
	assert_non_null(strstr(s, "<td>60</td><td>10</td><td>low</td>"));
	assert_non_null(strstr(s, "<a href=\"#hugepage-fault\">one THP "
				  "first-touch fault"));
	assert_non_null(strstr(s, "235 µs (213 to 269), n=15"));
	assert_non_null(strstr(s, "1 more item keeps the current value"));
	/* The machine. */
	assert_non_null(strstr(s, "<th>CPU</th><td>AMD EPYC, 2 cores</td>"));
	assert_non_null(strstr(s, "<th>memory</th><td>23.5 GiB</td>"));
	assert_non_null(strstr(s, "<th>kernel</th><td>6.18.44-fc-v657"));
	assert_non_null(strstr(s, "<th>THP</th><td>enabled madvise, "
				  "defrag madvise</td>"));
	assert_non_null(strstr(s, "<th>NUMA nodes</th><td>1</td>"));
	assert_null(strstr(s, "e+0"));
	assert_null(strstr(s, "nan"));
	free(s);
	json_decref(adv);
	json_decref(figs);
	json_decref(a);
	mt_run_free(run);
}

/* pressure-quick without advice: says how to get it; oom's headline. */
static void test_summary_pressure_no_advice(void **state)
{
	struct mt_run *run = mt_test_run_load(FIX "pressure-quick");
	json_t *a = mt_analyze_run(run), *figs = json_array();
	char *s;

	(void)state;
	assert_non_null(a);
	s = summary_of(run, a, NULL, figs);
	assert_non_null(strstr(s, "No advice for this run"));
	assert_non_null(strstr(s, "<td>oom</td>"));
	assert_non_null(strstr(s, "100% (29.2 to 100), n=3"));
	assert_non_null(strstr(s, "<td>mlock</td>"));
	assert_null(strstr(s, "e+0"));
	free(s);
	json_decref(figs);
	json_decref(a);
	mt_run_free(run);
}

/* The reach: absent in an analysis without intervals (nothing shown),
 * read as the tlb analysis writes it (reach.<backing>, lo null when the
 * gap opens from the smallest size) or as an array with "backing", and
 * "not separable" said with the analysis' note. */
static void test_tlb_reach_lookup(void **state)
{
	struct mt_run *run = mt_test_run_load(FIX "tlb-hugepage");
	json_t *a = mt_analyze_run(run), *d;
	struct mt_headline h;

	(void)state;
	assert_non_null(a);
	d = mt_analysis_derived(a, "tlb");
	assert_non_null(d);
	json_object_set_new(d, "reach",
			    json_pack("[{s:s, s:f, s:b}]", "backing", "4k",
				      "reach_bytes", 65536.0, "separable", 0));
	assert_null(mt_summary_tlb_reach(a, "4k"));
	assert_true(mt_summary_headline(a, "tlb", &h));
	assert_non_null(strstr(h.value, "×"));
	json_object_set_new(d, "reach",
			    json_pack("{s:{s:f, s:f, s:f, s:f, s:b, s:s},"
				      " s:{s:n, s:n, s:n, s:n, s:b, s:s}}",
				      "4k", "lo_bytes", 4194304.0, "hi_bytes",
				      8388608.0, "entries_lo", 1024.0,
				      "entries_hi", 2048.0, "separable", 1,
				      "level", "L2", "2m", "lo_bytes",
				      "hi_bytes", "entries_lo", "entries_hi",
				      "separable", 0, "note",
				      "the curves never part"));
	assert_non_null(mt_summary_tlb_reach(a, "4k"));
	assert_non_null(mt_summary_tlb_reach(a, "2m"));
	assert_null(mt_summary_tlb_reach(a, "1g"));
	assert_true(mt_summary_headline(a, "tlb", &h));
	assert_string_equal(h.value, "4 MiB to 8 MiB (1,024 to 2,048 entries)");
	assert_non_null(strstr(h.what, "4 KiB pages, L2"));
	/* The gap open from the smallest size: only the upper end. */
	json_object_set_new(d, "reach",
			    json_pack("{s:{s:n, s:f, s:n, s:f, s:b}}", "4k",
				      "lo_bytes", "hi_bytes", 8388608.0,
				      "entries_lo", "entries_hi", 2048.0,
				      "separable", 1));
	assert_true(mt_summary_headline(a, "tlb", &h));
	assert_string_equal(h.value, "under 8 MiB (under 2,048 entries)");
	json_object_set_new(d, "reach",
			    json_pack("[{s:s, s:n, s:n, s:b, s:s}]", "backing",
				      "4k", "lo_bytes", "hi_bytes", "separable",
				      0, "note", "too few sizes <measured>"));
	/* Not separable: the walk ratio heads tlb while there is one. */
	assert_true(mt_summary_headline(a, "tlb", &h));
	assert_non_null(strstr(h.value, "×"));
	json_object_del(a, "facts");
	assert_true(mt_summary_headline(a, "tlb", &h));
	assert_string_equal(h.value, "not separable: too few sizes <measured>");
	json_decref(a);
	mt_run_free(run);
}

/* The whole report of tlb-hugepage with a reach: the reach shaded on the
 * tlb figure, error bars from the records' intervals, the summary first
 * in the page. */
static void test_report_marks_and_bars(void **state)
{
	struct mt_run *run = mt_test_run_load(FIX "tlb-hugepage");
	json_t *a = mt_analyze_run(run);
	struct mt_err err = { 0 };
	char dir[128], out[192], *gp, *dat, *html;
	char cmd[256];

	(void)state;
	assert_non_null(a);
	/* Two levels for 4k: each shaded; 2m with no lower end, measured
	 * on the line pattern: a line on that figure alone. */
	json_object_set_new(mt_analysis_derived(a, "tlb"), "reach",
			    json_pack("{s:{s:f, s:f, s:f, s:f, s:b, s:s, s:["
				      "{s:f, s:f, s:s}, {s:f, s:f, s:s}]},"
				      " s:{s:n, s:f, s:b, s:s}}",
				      "4k", "lo_bytes", 4194304.0, "hi_bytes",
				      8388608.0, "entries_lo", 1024.0,
				      "entries_hi", 2048.0, "separable", 1,
				      "pattern", "page", "levels", "lo_bytes",
				      131072.0, "hi_bytes", 262144.0, "level",
				      "L1", "lo_bytes", 4194304.0, "hi_bytes",
				      8388608.0, "level", "L2", "2m",
				      "lo_bytes", "hi_bytes", 33554432.0,
				      "separable", 1, "pattern", "line"));
	assert_int_equal(mt_test_mkdtemp(dir, sizeof(dir), "summary"), 0);
	snprintf(out, sizeof(out), "%s/rep", dir);
	/* Without gnuplot the page and scripts are written all the same. */
	mt_report_write(&run, &a, 1, out, &err);
	gp = mt_test_slurp_file(out, "tlb-page.gp");
	assert_non_null(strstr(gp, "set object 1 rect from 131072, graph 0 "
				   "to 262144, graph 1"));
	assert_non_null(strstr(gp, "set object 2 rect from 4194304, graph 0 "
				   "to 8388608, graph 1"));
	assert_non_null(strstr(gp, "'4k L1 reach'"));
	assert_non_null(strstr(gp, "'4k L2 reach'"));
	assert_non_null(strstr(gp, "with yerrorbars"));
	assert_null(strstr(gp, "'2m reach'"));
	free(gp);
	gp = mt_test_slurp_file(out, "tlb-line.gp");
	assert_non_null(strstr(gp, "set object 1 rect from 33554432, graph 0 "
				   "to 34225520.6, graph 1"));
	assert_non_null(strstr(gp, "'2m reach'"));
	assert_null(strstr(gp, "'4k L1 reach'"));
	dat = mt_test_slurp_file(out, "tlb-page.dat");
	assert_non_null(strstr(dat, "# x\ty\tci95_lo\tci95_hi"));
	html = mt_test_slurp_file(out, "index.html");
	assert_non_null(strstr(html, "<section id=\"summary\">"));
	assert_ptr_equal(strstr(html, "<section"),
			 strstr(html, "<section id=\"summary\">"));
	assert_non_null(strstr(html, "4 MiB to 8 MiB (1,024 to 2,048 "
				     "entries)"));
	free(gp);
	free(dat);
	free(html);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	json_decref(a);
	mt_run_free(run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary_adv_quick),
		cmocka_unit_test(test_summary_pressure_no_advice),
		cmocka_unit_test(test_tlb_reach_lookup),
		cmocka_unit_test(test_report_marks_and_bars),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
