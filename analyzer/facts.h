/* Facts: the figures the advice rests on, derived once by the analyzer
 * (issue 13). Each analysis module appends its facts to its derived
 * object's "facts" array; mt_analyze_run gathers them into analysis.json's
 * top-level "facts" array, where the advisor finds them by id and the
 * report prints them. Both print a fact through mt_fact_format, so the
 * report and the advice show the same figure to the digit.
 *
 * A fact in analysis.json:
 *   {"id": "tlb.thp_walk_ratio", "bench": "tlb", "value": 1.31,
 *    "lo": 1.22, "hi": 1.40, "unit": "ratio", "n": 9,
 *    "what": "4 KiB over THP load latency beyond the TLB's reach"}
 * lo/hi are the 95% interval, absent when the fact has none (a count, a
 * setting the run used).
 */
#ifndef MT_FACTS_H
#define MT_FACTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct mt_fact {
	char id[64]; /* "<bench>.<name>", stable across versions */
	char bench[32];
	double value;
	double lo, hi;	/* NAN when there is no interval */
	char unit[16];	/* "ns", "ratio", "MB/s", "count", "%"... */
	int n;		/* observations behind it (0: unknown) */
	char what[192]; /* one line: what it is */
};

/* Appends a fact to derived's "facts" array (created when missing). id is
 * the full "<bench>.<name>". lo/hi NAN for none; non-finite values are
 * refused (-EINVAL) so that analysis.json stays valid JSON. Returns 0,
 * -EINVAL or -ENOMEM. */
int mt_fact_add(json_t *derived, const char *id, double value, double lo,
		double hi, const char *unit, int n, const char *what);

/* Appends the fact of one record: its value, and its ci95_lo..ci95_hi as
 * the interval when the record holds at least two samples (one sample
 * has no interval: the fact says so by having none). scale multiplies
 * value and interval (1 to keep the record's unit). Returns what
 * mt_fact_add returns, -ENOENT for a NULL record. */
int mt_fact_add_record(json_t *derived, const char *id, json_t *rec,
		       double scale, const char *unit, const char *what);

/* Sets derived's "headline" to the fact of one record, as
 * mt_fact_add_record makes it: the figure the report's summary leads with
 * for a benchmark none of whose facts can (analyzer/summary.c). It is not
 * a fact: nothing in the advice rests on it, and it stays in the
 * benchmark's derived object. Returns what mt_fact_add_record returns. */
int mt_headline_set_record(json_t *derived, const char *id, json_t *rec,
			   double scale, const char *unit, const char *what);

/* Finds fact id in an analysis.json object. False if absent or
 * malformed. */
bool mt_fact_get(json_t *analysis, const char *id, struct mt_fact *f);

/* "1.31 [1.22, 1.40] ratio (n=9)"; "41 count" without an interval. Four
 * significant digits, never an exponent ("16380 bytes"). Returns buf. */
const char *mt_fact_format(const struct mt_fact *f, char *buf, size_t len);

/* The fact as people write it, for the report: "2.82 GB/s (2.71 to
 * 2.84), n=12", "16 KiB, n=15", "11" (core/units mt_format_interval: no
 * exponent, thousands with commas, bytes in KiB/MiB). Returns buf. */
const char *mt_fact_format_human(const struct mt_fact *f, char *buf,
				 size_t len);

/* Parses one element of the facts array into f; false if malformed. */
bool mt_fact_from_json(json_t *o, struct mt_fact *f);

#endif
