/* memtune export --format openmetrics: see export_om.h. */
#include "export_om.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/json_safe.h"
#include "analysis.h"
#include "facts.h"
#include "om_format.h"

/* The HELP, TYPE (gauge) and UNIT lines of a family. */
static void family(FILE *f, const char *name, const char *help,
		   const char *unit)
{
	fprintf(f, "# HELP %s ", name);
	mt_om_help_text(f, help);
	fprintf(f, "\n# TYPE %s gauge\n", name);
	if (unit)
		fprintf(f, "# UNIT %s %s\n", name, unit);
}

/* One label: name="value" (escaped), comma first unless first. */
static void label(FILE *f, bool first, const char *name, const char *value)
{
	fprintf(f, "%s%s=\"", first ? "" : ",", name);
	mt_om_label_value(f, value);
	fputc('"', f);
}

/* Seconds since the epoch of "YYYY-MM-DDTHH:MM:SSZ", or NAN. */
static double iso_seconds(const char *s)
{
	struct tm tm = { 0 };
	char z = 0;

	if (!s ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon,
		   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z) != 7 ||
	    z != 'Z')
		return NAN;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (double)timegm(&tm);
}

/* A meta.json string, or "". */
static const char *meta_s(const struct mt_rundata *rd, const char *key)
{
	return json_string_value(json_object_get(rd->run->meta, key)) ?: "";
}

static size_t run_metrics(FILE *f, const struct mt_rundata *rd)
{
	double t = iso_seconds(json_string_value(json_object_get(rd->run->meta,
								 "start")));
	const char *l = meta_s(rd, "label");

	family(f, "memtune_run_info",
	       "the run the metrics come from: host, label, kernel, CPU "
	       "model, the memtune that derived the figures",
	       NULL);
	fputs("memtune_run_info{", f);
	label(f, true, "host", meta_s(rd, "host"));
	label(f, false, "label", *l ? l : meta_s(rd, "host"));
	label(f, false, "kernel", meta_s(rd, "kernel"));
	label(f, false, "cpu_model", meta_s(rd, "cpu_model"));
	label(f, false, "memtune_version",
	      json_string_value(json_object_get(rd->analysis, "memtune_version")) ?:
		      "");
	fputs("} 1\n", f);
	if (!isfinite(t))
		return 1;
	family(f, "memtune_run_timestamp_seconds",
	       "when the run started (meta.json start), seconds since the "
	       "epoch",
	       "seconds");
	fputs("memtune_run_timestamp_seconds ", f);
	mt_om_number(f, t);
	fputc('\n', f);
	return 2;
}

/* The families written apart from the facts: a fact never takes their
 * names. */
static const char *const reserved[] = {
	"memtune_run_info",
	"memtune_run_timestamp_seconds",
	"memtune_tlb_load_latency_seconds",
	"memtune_advice_change",
	"memtune_advice_changes",
};

/* Each fact of the analysis as its own family; a name met twice keeps
 * the first. */
static size_t fact_metrics(FILE *f, const struct mt_rundata *rd)
{
	json_t *seen = json_object(), *o;
	struct mt_fact fact;
	struct mt_om_unit u;
	char name[200];
	size_t i, n = 0;

	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		json_object_set_new(seen, reserved[i], json_true());

	json_array_foreach(json_object_get(rd->analysis, "facts"), i, o) {
		char help[400];

		if (!mt_fact_from_json(o, &fact) || !isfinite(fact.value) ||
		    mt_om_fact_name(fact.id, fact.unit, name, sizeof(name),
				    &u) < 0 ||
		    json_object_get(seen, name))
			continue;
		json_object_set_new(seen, name, json_true());
		snprintf(help, sizeof(help), "%s (memtune fact %s, in %s%s)",
			 fact.what, fact.id, fact.unit[0] ? fact.unit : "units",
			 u.scale != 1 ? ", converted to the base unit" : "");
		family(f, name, help, u.om_unit);
		fprintf(f, "%s ", name);
		mt_om_number(f, fact.value * u.scale);
		fputc('\n', f);
		n++;
	}
	json_decref(seen);
	return n;
}

/* The analyzer's TLB curves: one sample per (pattern, backing, size). */
static size_t tlb_metrics(FILE *f, const struct mt_rundata *rd)
{
	json_t *tlb = mt_analysis_derived(rd->analysis, "tlb"), *c, *p;
	const char *name = "memtune_tlb_load_latency_seconds";
	size_t i, j, n = 0;

	json_array_foreach(json_object_get(tlb, "curves"), i, c) {
		const char *pat = json_string_value(json_object_get(c,
								    "pattern"));
		const char *back =
			json_string_value(json_object_get(c, "backing"));

		json_array_foreach(json_object_get(c, "points"), j, p) {
			double x = mt_jnum_value(json_array_get(p, 0));
			double y = mt_jnum_value(json_array_get(p, 1));
			char ws[32];

			if (!pat || !back || !isfinite(x) || !isfinite(y) ||
			    x < 0 || x > 1e18)
				continue;
			if (n++ == 0)
				family(f, name,
				       "dependent-load latency over a working "
				       "set, by page backing and access "
				       "pattern (the analyzer's TLB curves)",
				       "seconds");
			snprintf(ws, sizeof(ws), "%.0f", x);
			fprintf(f, "%s{", name);
			label(f, true, "backing", back);
			label(f, false, "pattern", pat);
			label(f, false, "working_set_bytes", ws);
			fputs("} ", f);
			mt_om_number(f, y * 1e-9);
			fputc('\n', f);
		}
	}
	return n;
}

/* A JSON scalar as label text. */
static void value_label(FILE *f, const char *name, json_t *v)
{
	char *s = json_is_string(v) ?
			  NULL :
			  mt_json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

	label(f, false, name,
	      json_is_string(v) ? json_string_value(v) :
	      s			? s :
				  "");
	free(s);
}

static size_t advice_metrics(FILE *f, const struct mt_rundata *rd)
{
	const char *name = "memtune_advice_change";
	json_t *items = json_object_get(rd->advice, "items"), *it;
	size_t i, n = 0, changes = 0;

	json_array_foreach(items, i, it) {
		const char *id = json_string_value(json_object_get(it, "id"));
		const char *knob = json_string_value(json_object_get(it,
								     "knob"));
		bool change = json_is_true(json_object_get(it, "change"));

		if (!id || !knob)
			continue;
		if (n++ == 0)
			family(f, name,
			       "1 when memtune advise recommends changing the "
			       "knob (from current to recommended), 0 when it "
			       "recommends keeping it",
			       NULL);
		fprintf(f, "%s{", name);
		label(f, true, "id", id);
		label(f, false, "knob", knob);
		value_label(f, "current", json_object_get(it, "current"));
		value_label(f, "recommended",
			    json_object_get(it, "recommended"));
		label(f, false, "confidence",
		      json_string_value(json_object_get(it, "confidence")) ?:
									     "");
		fprintf(f, "} %d\n", change ? 1 : 0);
		changes += change;
	}
	if (!n)
		return 0;
	family(f, "memtune_advice_changes",
	       "how many advice items recommend a change", NULL);
	fprintf(f, "memtune_advice_changes %zu\n", changes);
	return n + 1;
}

size_t mt_export_om(FILE *f, const struct mt_rundata *rd)
{
	size_t n = run_metrics(f, rd);

	n += fact_metrics(f, rd);
	n += tlb_metrics(f, rd);
	n += advice_metrics(f, rd);
	fputs("# EOF\n", f);
	return n;
}
