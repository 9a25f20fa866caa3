/* The report's account of memtune tune: see report_tune.h. */
#include "report_tune.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/json_safe.h"
#include "../core/safefile.h"
#include "../core/units.h"

json_t *mt_tune_verifications(const char *dir)
{
	char path[4200], *text = NULL;
	json_t *out = json_array(), *root, *it;
	size_t len = 0, i;

	if (!out)
		return NULL;
	snprintf(path, sizeof(path), "%s/advice.json", dir);
	if (mt_file_read_untrusted(path, 16 << 20, &text, &len) < 0)
		return out;
	root = mt_json_loadb(text, len, 0, NULL);
	free(text);
	json_array_foreach(json_object_get(root, "items"), i, it) {
		json_t *v = json_object_get(it, "verification");

		if (!json_is_object(v) ||
		    !json_is_string(json_object_get(v, "verdict")))
			continue;
		json_array_append_new(out,
				      json_pack("{s:O?, s:O?, s:O}", "id",
						json_object_get(it, "id"),
						"knob",
						json_object_get(it, "knob"),
						"verification", v));
	}
	json_decref(root);
	return out;
}

/* The value of the primary figure in trial t, or NAN. */
static double primary(json_t *v, json_t *t)
{
	const char *key = json_string_value(json_object_get(v, "metric"));
	json_t *x = key ? json_object_get(json_object_get(t, "observed"), key) :
			  NULL;

	return json_is_number(x) ? json_number_value(x) : NAN;
}

int mt_tune_plots(struct mt_report *rep, json_t *const *vers, size_t n,
		  struct mt_err *err)
{
	for (size_t r = 0; r < n; r++) {
		json_t *e;
		size_t k;

		json_array_foreach(vers[r], k, e) {
			json_t *v = json_object_get(e, "verification"), *t;
			json_t *trials = json_object_get(v, "trials");
			size_t np = json_array_size(trials), i, na = 0, nb = 0;
			double *xa = calloc(np + 1, sizeof(double));
			double *ya = calloc(np + 1, sizeof(double));
			double *xb = calloc(np + 1, sizeof(double));
			double *yb = calloc(np + 1, sizeof(double));
			const char *better =
				json_string_value(json_object_get(v, "better"));
			char name[48], title[96], reading[320], ylabel[96],
				med_a[48], med_b[48];
			int ret;

			better = better && !strcmp(better, "lower") ? "lower" :
								      "higher";

			if (!xa || !ya || !xb || !yb) {
				free(xa), free(ya), free(xb), free(yb);
				return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
						  "report: out of memory");
			}
			if (json_is_array(json_object_get(v,
							  "primary_pairs"))) {
				/* Each complete pair of the primary figure,
				 * as the verdict saw it (the benchmark score
				 * has A = 1 by definition). */
				json_array_foreach(
					json_object_get(v, "primary_pairs"), i,
					t) {
					double a = json_number_value(
						json_array_get(t, 0));
					double b = json_number_value(
						json_array_get(t, 1));

					if (!json_is_array(t) || na >= np)
						continue;
					xa[na] = xb[nb] = (double)(i + 1);
					ya[na++] = a;
					yb[nb++] = b;
				}
			} else {
				json_array_foreach(trials, i, t) {
					json_t *p = json_object_get(t, "pair");
					const char *arm = json_string_value(
						json_object_get(t, "arm"));
					double y = primary(v, t);

					if (!json_is_integer(p) || !arm ||
					    isnan(y))
						continue;
					if (!strcmp(arm, "B")) {
						xb[nb] =
							(double)json_integer_value(
								p) +
							1;
						yb[nb++] = y;
					} else {
						xa[na] =
							(double)json_integer_value(
								p) +
							1;
						ya[na++] = y;
					}
				}
			}
			snprintf(ylabel, sizeof(ylabel), "%.80s",
				 json_string_length(json_object_get(v,
								    "metric")) ?
					 json_string_value(
						 json_object_get(v, "metric")) :
					 "primary figure");
			snprintf(name, sizeof(name), "tune-%zu-%zu", r + 1,
				 k + 1);
			snprintf(title, sizeof(title),
				 "Tried item %zu of run %zu: each pair's A and "
				 "B",
				 k + 1, r + 1);
			mt_format_num(mt_jnum(v, "median_a"), 4, med_a,
				      sizeof(med_a));
			mt_format_num(mt_jnum(v, "median_b"), 4, med_b,
				      sizeof(med_b));
			snprintf(reading, sizeof(reading),
				 "%s over %d pairs: B/A - 1 = %+.1f%% [%+.1f%%, "
				 "%+.1f%%] at %.0f%% (median A %s, B %s; "
				 "%s is better). The table above names the "
				 "item and the figure.",
				 json_string_value(json_object_get(v,
								   "verdict")),
				 (int)mt_jnum(v, "pairs"),
				 100 * mt_jnum(v, "effect"),
				 100 * mt_jnum(v, "effect_lo"),
				 100 * mt_jnum(v, "effect_hi"),
				 100 * mt_jnum(v, "level"), med_a, med_b,
				 better);
			{
				const struct mt_series s[2] = {
					{ .title = "A (current)",
					  .color = "#1f77b4",
					  .dash = 1,
					  .n = na,
					  .x = xa,
					  .y = ya },
					{ .title = "B (recommended)",
					  .color = "#d62728",
					  .dash = 1,
					  .n = nb,
					  .x = xb,
					  .y = yb },
				};
				const struct mt_line_fig f = {
					.name = name,
					.bench = "tune",
					.title = title,
					.xlabel = "pair",
					.ylabel = ylabel,
					.reading = reading,
				};

				/* A side that never measured (every trial
				 * failed) has no line: gnuplot refuses an
				 * empty block. */
				ret = !na && !nb ? 0 :
				      !na ? mt_fig_lines(rep, &f, s + 1, 1,
							 err) :
				      !nb ? mt_fig_lines(rep, &f, s, 1, err) :
					    mt_fig_lines(rep, &f, s, 2, err);
			}
			free(xa), free(ya), free(xb), free(yb);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

static void cell_num(FILE *f, json_t *v, const char *key, double scale,
		     const char *fmt)
{
	json_t *x = json_object_get(v, key);
	char buf[64];

	fputs("<td class=\"num\">", f);
	if (json_is_number(x) && fmt) {
		fprintf(f, fmt, scale * json_number_value(x));
	} else if (json_is_number(x)) {
		mt_format_num(scale * json_number_value(x), 4, buf,
			      sizeof(buf));
		fputs(buf, f);
	}
	fputs("</td>", f);
}

void mt_tune_table(FILE *f, json_t *const *vers, const char *const *labels,
		   size_t n, void (*esc)(FILE *, const char *))
{
	bool any = false;

	for (size_t r = 0; r < n; r++) {
		json_t *e;
		size_t k;

		json_array_foreach(vers[r], k, e) {
			json_t *v = json_object_get(e, "verification");

			if (!any)
				fputs("<h2 id=\"tune\">Advice tried on this "
				      "machine</h2>\n<p>memtune tune: A is "
				      "the value in force, B the "
				      "recommended one, in ABBA blocks; the "
				      "effect is the median of B/A - 1 over "
				      "the pairs (Hodges-Lehmann) with its "
				      "signed-rank interval and the "
				      "confidence it reaches.</p>\n"
				      "<table><tr><th>run</th><th>item</th>"
				      "<th>A &rarr; B</th><th>verdict</th>"
				      "<th>figure</th><th>median A</th>"
				      "<th>median B</th><th>effect %</th>"
				      "<th>interval %</th><th>level %</th>"
				      "<th>pairs</th><th>why</th></tr>\n",
				      f);
			any = true;
			fputs("<tr><td>", f);
			esc(f, n > 1 ? labels[r] : "");
			fputs("</td><td class=\"case\">", f);
			esc(f, json_string_value(json_object_get(e, "id")));
			fputs("</td><td>", f);
			esc(f,
			    json_string_value(json_object_get(v, "a_value")));
			fputs(" &rarr; ", f);
			esc(f,
			    json_string_value(json_object_get(v, "b_value")));
			fputs("</td><td>", f);
			esc(f,
			    json_string_value(json_object_get(v, "verdict")));
			fputs("</td><td class=\"case\">", f);
			esc(f, json_string_value(json_object_get(v, "metric")));
			fputs("</td>", f);
			cell_num(f, v, "median_a", 1, NULL);
			cell_num(f, v, "median_b", 1, NULL);
			cell_num(f, v, "effect", 100, "%+.1f");
			fputs("<td class=\"num\">", f);
			if (json_is_number(json_object_get(v, "effect_lo")))
				fprintf(f, "[%+.1f, %+.1f]",
					100 * mt_jnum(v, "effect_lo"),
					100 * mt_jnum(v, "effect_hi"));
			fputs("</td>", f);
			cell_num(f, v, "level", 100, "%.0f");
			cell_num(f, v, "pairs", 1, "%.0f");
			fputs("<td>", f);
			esc(f, json_string_value(json_object_get(v, "why")));
			fputs("</td></tr>\n", f);
		}
	}
	if (any)
		fputs("</table>\n", f);
}
