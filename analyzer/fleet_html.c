/* memtune fleet: the HTML page (fleet.h), drawn from fleet.json alone. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../core/html.h"
#include "../core/json_safe.h"
#include "fleet.h"

static const char css[] =
	"body{font-family:sans-serif;margin:1.5em;color:#222}"
	"table{border-collapse:collapse;margin:.5em 0 1.5em}"
	"th,td{border:1px solid #ccc;padding:2px 6px;text-align:right;"
	"font-size:90%}"
	"th{background:#eee;position:sticky;top:0}"
	"td.h,th.h{text-align:left}"
	"td.odd{background:#fcc;font-weight:bold}"
	"p.rule{color:#555}ul.skip li{color:#a00}";

/* A cell with the string at key of o. */
static void cell(FILE *f, json_t *o, const char *key)
{
	fputs("<td class=\"h\">", f);
	mt_html_escape(f, json_string_value(json_object_get(o, key)));
	fputs("</td>", f);
}

/* The odd entry of host h for figure id, or NULL. */
static json_t *odd_of(json_t *h, const char *id)
{
	json_t *o;
	size_t i;

	json_array_foreach(json_object_get(h, "odd"), i, o)
		if (strcmp(json_string_value(json_object_get(o, "figure")) ?:
									     "",
			   id) == 0)
			return o;
	return NULL;
}

/* The host object named name (fleet "hosts"), or NULL. */
static json_t *host_named(json_t *hosts, json_t *name)
{
	json_t *h;
	size_t i;

	json_array_foreach(hosts, i, h)
		if (json_equal(json_object_get(h, "host"), name))
			return h;
	return NULL;
}

/* The figure table of group g: a row per host, a column per figure the
 * group has. */
static void group_table(FILE *f, json_t *fleet, json_t *g)
{
	json_t *figs = json_object_get(g, "figures"), *names, *fig, *name;
	json_t *cat = json_object_get(fleet, "figures");
	size_t i, k;

	fputs("<table><tr><th class=\"h\">host</th><th class=\"h\">odd "
	      "figures</th>",
	      f);
	json_array_foreach(figs, i, fig) {
		const char *id = json_string_value(json_object_get(fig, "id"));
		json_t *c = json_object_get(cat, id);

		fputs("<th title=\"", f);
		mt_html_escape(f,
			       json_string_value(json_object_get(c, "what")));
		fputs("\">", f);
		mt_html_escape(f, id);
		fputs("<br>", f);
		mt_html_escape(f,
			       json_string_value(json_object_get(c, "unit")));
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
	names = json_object_get(g, "hosts");
	json_array_foreach(names, k, name) {
		json_t *h = host_named(json_object_get(fleet, "hosts"), name);
		json_t *o;
		size_t j;

		fputs("<tr>", f);
		cell(f, h, "label");
		fputs("<td class=\"h\">", f);
		json_array_foreach(json_object_get(h, "odd"), j, o) {
			if (j)
				fputs(", ", f);
			mt_html_escape(f, json_string_value(json_object_get(
						  o, "figure")));
		}
		fputs("</td>", f);
		json_array_foreach(figs, i, fig) {
			const char *id =
				json_string_value(json_object_get(fig, "id"));
			double v = mt_jnum(json_object_get(h, "figures"), id);
			json_t *odd = odd_of(h, id);

			if (odd) {
				double s = mt_jnum(odd, "score");

				fprintf(f,
					"<td class=\"odd\" title=\"group "
					"median %.4g, robust score ",
					mt_jnum(fig, "median"));
				if (isfinite(s))
					fprintf(f, "%.1f\">", s);
				else
					fputs("infinite (MAD 0)\">", f);
			} else {
				fputs("<td>", f);
			}
			if (isfinite(v))
				fprintf(f, "%.4g", v);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

/* "HOST: WHAT" of o, escaped. */
static void host_says(FILE *f, json_t *o, const char *what)
{
	mt_html_escape(f, json_string_value(json_object_get(o, "host")));
	fputs(": ", f);
	mt_html_escape(f, json_string_value(json_object_get(o, what)));
}

/* The advice that differs within group g. */
static void group_advice(FILE *f, json_t *g)
{
	json_t *diffs = json_object_get(g, "advice_differs"), *d, *v;
	size_t i, j;

	if (json_array_size(diffs) == 0) {
		fputs("<p>The advice is the same on every host of the "
		      "group.</p>\n",
		      f);
		return;
	}
	fputs("<table><tr><th class=\"h\">advice item</th><th "
	      "class=\"h\">knob</th><th class=\"h\">recommended, by "
	      "host</th></tr>\n",
	      f);
	json_array_foreach(diffs, i, d) {
		fputs("<tr>", f);
		cell(f, d, "id");
		cell(f, d, "knob");
		fputs("<td class=\"h\">", f);
		json_array_foreach(json_object_get(d, "values"), j, v) {
			if (j)
				fputs("; ", f);
			host_says(f, v, "recommended");
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

void mt_fleet_html(FILE *f, json_t *fleet)
{
	json_t *groups = json_object_get(fleet, "groups"), *g, *s;
	size_t i;

	fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	      "<title>memtune fleet</title><style>",
	      f);
	fputs(css, f);
	fputs("</style></head><body>\n<h1>memtune fleet: ", f);
	mt_html_escape(f, json_string_value(json_object_get(fleet, "dir")));
	fprintf(f,
		"</h1>\n<p>%zu hosts in %zu groups (CPU model, memory, "
		"kernel); %zu skipped.</p>\n<p class=\"rule\">Odd hosts: ",
		json_array_size(json_object_get(fleet, "hosts")),
		json_array_size(groups),
		json_array_size(json_object_get(fleet, "skipped")));
	mt_html_escape(f, json_string_value(json_object_get(fleet, "rule")));
	fputs(".</p>\n", f);
	json_array_foreach(groups, i, g) {
		fprintf(f, "<h2 id=\"g%zu\">", i + 1);
		mt_html_escape(f, json_string_value(json_object_get(g, "key")));
		fprintf(f, " (%zu hosts)</h2>\n",
			json_array_size(json_object_get(g, "hosts")));
		group_table(f, fleet, g);
		fputs("<h3>Advice that differs within the group</h3>\n", f);
		group_advice(f, g);
	}
	if (json_array_size(json_object_get(fleet, "skipped"))) {
		fputs("<h2>Skipped</h2>\n<ul class=\"skip\">", f);
		json_array_foreach(json_object_get(fleet, "skipped"), i, s) {
			fputs("<li>", f);
			host_says(f, s, "reason");
			fputs("</li>", f);
		}
		fputs("</ul>\n", f);
	}
	fputs("</body></html>\n", f);
}
