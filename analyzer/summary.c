/* The summary the report leads with (see summary.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/json_safe.h"
#include "../core/safefile.h"
#include "../core/units.h"
#include "analysis.h"
#include "facts.h"
#include "summary.h"

/* The headline of each benchmark: the first of `facts` the analysis holds
 * (for tlb, the 4 KiB reach comes first when the curves part), else
 * the "headline" its module declared in its derived object
 * (mt_headline_set_record: pagecache, numa on one node). A benchmark with
 * neither has no headline; the summary says so and links its plots.
 * Adding a benchmark's headline is one row here. */
static const struct headline_row {
	const char *bench;
	const char *facts[4];
} headline_rows[] = {
	{ "tlb", { "tlb.thp_walk_ratio" } },
	{ "hugepage",
	  { "hugepage.random_rate_ratio_2m", "hugepage.random_rate_ratio_1g",
	    "hugepage.thp_fault_us" } },
	{ "alloc", { "alloc.arena1_time_ratio", "alloc.arena1_rss_saved" } },
	{ "odirect",
	  { "odirect.seq_write_direct_mb_s", "odirect.rand_read_4k_p50" } },
	{ "numa", { "numa.remote_latency_ratio" } },
	{ "swap", { "swap.swapin_cost" } },
	{ "oom", { "oom.victim_as_documented", "oom.followed_score" } },
	{ "mlock", { "mlock.file_p99_ratio", "mlock.anon_p99_ratio" } },
	{ "observe",
	  { "observe.mem_available_slope", "observe.mem_available_min",
	    "observe.majfault_per_s" } },
};

/* Where the tlb analysis keeps the reach of each backing: derived.reach
 * as an object keyed by backing (an array of objects with a "backing" is
 * read too), each {separable, lo_bytes, hi_bytes, entries_lo, entries_hi,
 * level, levels [{lo_bytes, hi_bytes, entries_lo, entries_hi, level}],
 * note}: lo_bytes and entries_lo null when the gap opens from the
 * smallest size on. The one place the report names it. */
#define TLB_REACH_KEY "reach"

json_t *mt_summary_tlb_reach(json_t *analysis, const char *backing)
{
	json_t *r = json_object_get(mt_analysis_derived(analysis, "tlb"),
				    TLB_REACH_KEY);
	json_t *e = NULL, *x;
	size_t i;

	if (json_is_object(r)) {
		e = json_object_get(r, backing);
	} else {
		json_array_foreach(r, i, x) {
			const char *b = json_string_value(
				json_object_get(x, "backing"));

			if (b && !strcmp(b, backing)) {
				e = x;
				break;
			}
		}
	}
	/* An interval (its upper end at least), or said to be not
	 * separable. An older analysis (a single reach_bytes) has
	 * neither. */
	if (!json_is_object(e) || !json_object_get(e, "hi_bytes"))
		return NULL;
	if (json_is_true(json_object_get(e, "separable")) &&
	    mt_jnum(e, "hi_bytes") > 0)
		return e;
	if (json_is_false(json_object_get(e, "separable")))
		return e;
	return NULL;
}

/* "4 MiB to 8 MiB (1,024 to 2,048 entries)", or "under 8 MiB (under
 * 2,048 entries)" when the gap opens from the smallest size on, for a
 * reach or one of its levels. */
static void reach_interval(json_t *r, char *buf, size_t len)
{
	char lo[32], hi[32], elo[32], ehi[32];
	bool has_lo = mt_jnum(r, "lo_bytes") > 0;
	bool has_e = isfinite(mt_jnum(r, "entries_hi"));

	mt_format_bytes(mt_jnum(r, "lo_bytes"), lo, sizeof(lo));
	mt_format_bytes(mt_jnum(r, "hi_bytes"), hi, sizeof(hi));
	mt_format_count(mt_jnum(r, "entries_lo"), elo, sizeof(elo));
	mt_format_count(mt_jnum(r, "entries_hi"), ehi, sizeof(ehi));
	if (has_lo && has_e && isfinite(mt_jnum(r, "entries_lo")))
		snprintf(buf, len, "%s to %s (%s to %s entries)", lo, hi, elo,
			 ehi);
	else if (has_lo)
		snprintf(buf, len, "%s to %s", lo, hi);
	else if (has_e)
		snprintf(buf, len, "under %s (under %s entries)", hi, ehi);
	else
		snprintf(buf, len, "under %s", hi);
}

/* The 4 KiB reach as a headline; false when there is none, or when it is
 * not separable and `separable_only`. */
static bool reach_headline(json_t *analysis, struct mt_headline *h,
			   bool separable_only)
{
	json_t *r = mt_summary_tlb_reach(analysis, "4k");
	const char *level = json_string_value(json_object_get(r, "level"));
	const char *note = json_string_value(json_object_get(r, "note"));

	if (!r ||
	    (separable_only && !json_is_true(json_object_get(r, "separable"))))
		return false;
	snprintf(h->what, sizeof(h->what),
		 "TLB reach of 4 KiB pages%s%s: the working set where their "
		 "latency leaves the larger pages'",
		 level ? ", " : "", level ? level : "");
	if (!json_is_true(json_object_get(r, "separable"))) {
		snprintf(h->value, sizeof(h->value), "not separable%s%s",
			 note && *note ? ": " : "", note ? note : "");
		return true;
	}
	reach_interval(r, h->value, sizeof(h->value));
	return true;
}

bool mt_summary_headline(json_t *analysis, const char *bench,
			 struct mt_headline *h)
{
	struct mt_fact ft;

	/* tlb: the reach when the curves part, else the walk ratio, else
	 * the reach's "not separable". */
	if (!strcmp(bench, "tlb") && reach_headline(analysis, h, true))
		return true;
	for (size_t i = 0; i < sizeof(headline_rows) / sizeof(headline_rows[0]);
	     i++) {
		if (strcmp(headline_rows[i].bench, bench))
			continue;
		for (size_t j = 0; j < 4 && headline_rows[i].facts[j]; j++) {
			if (!mt_fact_get(analysis, headline_rows[i].facts[j],
					 &ft))
				continue;
			snprintf(h->what, sizeof(h->what), "%s", ft.what);
			mt_fact_format_human(&ft, h->value, sizeof(h->value));
			return true;
		}
	}
	/* A headline the module declared beside its facts (facts.h). */
	if (mt_fact_from_json(json_object_get(mt_analysis_derived(analysis,
								  bench),
					      "headline"),
			      &ft)) {
		snprintf(h->what, sizeof(h->what), "%s", ft.what);
		mt_fact_format_human(&ft, h->value, sizeof(h->value));
		return true;
	}
	return !strcmp(bench, "tlb") && reach_headline(analysis, h, false);
}

json_t *mt_summary_load_advice(const char *dir)
{
	char path[4200], *text = NULL;
	size_t len = 0;
	json_t *root;

	if ((size_t)snprintf(path, sizeof(path), "%s/advice.json", dir) >=
	    sizeof(path))
		return NULL;
	if (mt_file_read_untrusted(path, 16 << 20, &text, &len) < 0)
		return NULL;
	root = mt_json_loadb(text, len, 0, NULL);
	free(text);
	if (!json_is_array(json_object_get(root, "items"))) {
		json_decref(root);
		return NULL;
	}
	return root;
}

/* The name of the first figure of bench, or NULL. Figure names are
 * memtune's own ([a-z0-9-]), never a string from a file. */
static const char *anchor_of(json_t *figures, const char *bench)
{
	json_t *fig;
	size_t i;

	json_array_foreach(figures, i, fig) {
		const char *b = json_string_value(json_object_get(fig,
								  "bench"));

		if (b && bench && !strcmp(b, bench))
			return json_string_value(json_object_get(fig, "name"));
	}
	return NULL;
}

/* Writes text, as a link to the figure `name` when there is one. */
static void link_to(FILE *f, const char *name, const char *text,
		    void (*esc)(FILE *, const char *))
{
	if (name) {
		fputs("<a href=\"#", f);
		esc(f, name);
		fputs("\">", f);
	}
	esc(f, text);
	if (name)
		fputs("</a>", f);
}

/* The headline table of one run: a row per benchmark of the analysis. */
static void headlines(FILE *f, json_t *analysis, json_t *figures,
		      void (*esc)(FILE *, const char *))
{
	json_t *b;
	size_t i;

	fputs("<table class=\"headline\"><tr><th>benchmark</th>"
	      "<th>headline figure</th><th>value (95% interval)</th></tr>\n",
	      f);
	json_array_foreach(json_object_get(analysis, "benchmarks"), i, b) {
		const char *bench = json_string_value(json_object_get(b,
								      "bench"));
		const char *st = json_string_value(json_object_get(b,
								   "status"));
		const char *why = json_string_value(json_object_get(b,
								    "reason"));
		const char *fig = anchor_of(figures, bench);
		struct mt_headline h;

		if (!bench)
			continue;
		fputs("<tr><td>", f);
		link_to(f, fig, bench, esc);
		fputs("</td><td>", f);
		if (st && !strcmp(st, "analyzed") &&
		    mt_summary_headline(analysis, bench, &h)) {
			esc(f, h.what);
			fputs("</td><td class=\"num\">", f);
			link_to(f, fig, h.value, esc);
		} else if (st && !strcmp(st, "analyzed")) {
			fputs("no single headline figure derived; see ", f);
			link_to(f, fig, fig ? "its plots" : "its records", esc);
			fputs("</td><td>", f);
		} else {
			fputs("<span class=\"warn\">", f);
			esc(f, st ? st : "not analyzed");
			if (why) {
				fputs(": ", f);
				esc(f, why);
			}
			fputs("</span></td><td>", f);
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

/* True when item is worth leading with: a change, or resting on a
 * measured fact. */
static bool advice_leads(json_t *it)
{
	return json_is_true(json_object_get(it, "change")) ||
	       json_array_size(json_object_get(it, "facts"));
}

/* Writes a setting's value from advice.json (a string or a number). */
static void value_of(FILE *f, json_t *v, void (*esc)(FILE *, const char *))
{
	char buf[64];

	if (json_is_string(v)) {
		esc(f, json_string_value(v));
	} else if (json_is_number(v)) {
		mt_format_num(json_number_value(v), 15, buf, sizeof(buf));
		esc(f, buf);
	}
}

/* The facts item rests on, each with its value, linked to its plot. */
static void rests_on(FILE *f, json_t *it, json_t *analysis, json_t *figures,
		     void (*esc)(FILE *, const char *))
{
	json_t *id, *ev = json_object_get(it, "evidence");
	size_t i;

	json_array_foreach(json_object_get(it, "facts"), i, id) {
		struct mt_fact ft;
		char val[160];

		if (i)
			fputs("<br>", f);
		if (!json_is_string(id) ||
		    !mt_fact_get(analysis, json_string_value(id), &ft)) {
			fputs("fact ", f);
			esc(f, json_string_value(id));
			fputs(" (not in this run's analysis)", f);
			continue;
		}
		link_to(f, anchor_of(figures, ft.bench), ft.what, esc);
		fputs(": <b>", f);
		esc(f, mt_fact_format_human(&ft, val, sizeof(val)));
		fputs("</b>", f);
	}
	if (!json_array_size(json_object_get(it, "facts")) &&
	    json_is_string(json_array_get(ev, 0)))
		esc(f, json_string_value(json_array_get(ev, 0)));
}

/* The advice table of one run. */
static void advice_table(FILE *f, json_t *advice, json_t *analysis,
			 json_t *figures, void (*esc)(FILE *, const char *))
{
	json_t *items = json_object_get(advice, "items"), *it;
	size_t i, rest = 0, shown = 0;

	if (!advice) {
		fputs("<p>No advice for this run: <code>memtune advise "
		      "DIR</code> writes it (advice.json).</p>\n",
		      f);
		return;
	}
	fputs("<p>From advice.json (profile ", f);
	esc(f, json_string_value(json_object_get(advice, "profile")));
	fputs(", basis ", f);
	esc(f, json_string_value(json_object_get(advice, "basis")));
	fputs(").</p>\n", f);
	/* Changes first, then what a measurement confirms. */
	for (int pass = 0; pass < 2; pass++)
		json_array_foreach(items, i, it) {
			bool change = json_is_true(json_object_get(it,
								   "change"));

			if (!advice_leads(it)) {
				rest += pass == 0;
				continue;
			}
			if (change != (pass == 0))
				continue;
			if (!shown++)
				fputs("<table class=\"advice\"><tr>"
				      "<th>setting</th><th>now</th>"
				      "<th>advised</th><th>confidence</th>"
				      "<th>rests on</th></tr>\n",
				      f);
			fprintf(f, "<tr%s><td>",
				change ? " class=\"change\"" : "");
			esc(f, json_string_value(json_object_get(it, "knob")));
			fputs("</td><td>", f);
			value_of(f, json_object_get(it, "current"), esc);
			fputs("</td><td>", f);
			/* An item that changes no setting may still advise
			 * something ("fix the application"). */
			if (change ||
			    !json_equal(json_object_get(it, "current"),
					json_object_get(it, "recommended")))
				value_of(f, json_object_get(it, "recommended"),
					 esc);
			else
				fputs("keep", f);
			fputs("</td><td>", f);
			esc(f,
			    json_string_value(json_object_get(it,
							      "confidence")));
			fputs("</td><td>", f);
			rests_on(f, it, analysis, figures, esc);
			fputs("</td></tr>\n", f);
		}
	if (shown)
		fputs("</table>\n", f);
	else
		fputs("<p>No item changes a setting or rests on a "
		      "measurement of this run.</p>\n",
		      f);
	if (rest)
		fprintf(f,
			"<p>%zu more item%s keep%s the current value on the "
			"system's state alone (see advice.json).</p>\n",
			rest, rest == 1 ? "" : "s", rest == 1 ? "s" : "");
}

/* One row of the machine table. */
static void kv(FILE *f, const char *k, const char *v,
	       void (*esc)(FILE *, const char *))
{
	fputs("<tr><th>", f);
	esc(f, k);
	fputs("</th><td>", f);
	esc(f, v ? v : "not recorded");
	fputs("</td></tr>\n", f);
}

/* The machine of one run, from its meta.json (system: sysinfo). */
static void machine_table(FILE *f, const struct mt_run *run,
			  void (*esc)(FILE *, const char *))
{
	json_t *m = run->meta, *sys = json_object_get(m, "system");
	json_t *topo = json_object_get(m, "topology");
	json_t *thp = json_object_get(sys, "thp");
	const char *cpu = json_string_value(json_object_get(m, "cpu_model"));
	char buf[256], a[64];
	double nodes = mt_jnum(topo, "numa_nodes");

	if (!m) {
		fputs("<p class=\"warn\">meta.json missing or malformed: the "
		      "machine is not known.</p>\n",
		      f);
		return;
	}
	fputs("<table class=\"machine\">\n", f);
	if (isfinite(mt_jnum(topo, "cores"))) {
		mt_format_count(mt_jnum(topo, "cores"), a, sizeof(a));
		snprintf(buf, sizeof(buf), "%s, %s cores",
			 cpu ? cpu : "model not recorded", a);
		kv(f, "CPU", buf, esc);
	} else {
		kv(f, "CPU", cpu, esc);
	}
	if (isfinite(mt_jnum(json_object_get(sys, "memory"),
			     "mem_total_bytes"))) {
		mt_format_bytes(mt_jnum(json_object_get(sys, "memory"),
					"mem_total_bytes"),
				buf, sizeof(buf));
		kv(f, "memory", buf, esc);
	} else if (json_array_size(json_object_get(topo,
						   "node_memory_bytes"))) {
		json_t *v;
		double sum = 0;
		size_t i;

		/* An older meta.json: the nodes' memory as hwloc saw it. */
		json_array_foreach(json_object_get(topo, "node_memory_bytes"),
				   i, v)
			sum += json_is_number(v) ? json_number_value(v) : 0;
		mt_format_bytes(sum, a, sizeof(a));
		snprintf(buf, sizeof(buf), "%s (the NUMA nodes' total)", a);
		kv(f, "memory", buf, esc);
	} else {
		kv(f, "memory", NULL, esc);
	}
	kv(f, "kernel", json_string_value(json_object_get(m, "kernel")), esc);
	if (json_is_string(json_object_get(thp, "enabled"))) {
		snprintf(buf, sizeof(buf), "enabled %s, defrag %s",
			 json_string_value(json_object_get(thp, "enabled")),
			 json_is_string(json_object_get(thp, "defrag")) ?
				 json_string_value(json_object_get(thp,
								   "defrag")) :
				 "not recorded");
		kv(f, "THP", buf, esc);
	} else {
		kv(f, "THP", NULL, esc);
	}
	if (isfinite(nodes)) {
		mt_format_count(nodes, buf, sizeof(buf));
		kv(f, "NUMA nodes", buf, esc);
	} else {
		kv(f, "NUMA nodes", NULL, esc);
	}
	fputs("</table>\n", f);
}

void mt_summary_write(FILE *f, struct mt_run *const *runs,
		      json_t *const *analyses, json_t *const *advice, size_t n,
		      json_t *figures, void (*esc)(FILE *, const char *))
{
	/* Many runs (a fleet's): the first stands for them; the figures
	 * below show them all. */
	size_t shown = n > MT_FIG_MAX_LABELLED_RUNS ? 1 : n;

	fputs("<section id=\"summary\">\n<h2>Summary</h2>\n", f);
	if (shown < n)
		fprintf(f,
			"<p>%zu runs: the summary is the first run's; the "
			"figures show them all.</p>\n",
			n);
	for (size_t r = 0; r < shown; r++) {
		if (n > 1) {
			fputs("<h3 class=\"run\">", f);
			esc(f, runs[r]->label);
			fputs("</h3>\n", f);
		}
		fputs("<h3>Headline figures</h3>\n", f);
		headlines(f, analyses[r], figures, esc);
		fputs("<h3>Advice</h3>\n", f);
		advice_table(f, advice[r], analyses[r], figures, esc);
		fputs("<h3>Machine</h3>\n", f);
		machine_table(f, runs[r], esc);
	}
	fputs("</section>\n", f);
}
