/* Unit tests for core/record.c: building measured and status records,
 * checking them, and reading results.jsonl with bad and truncated lines.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../core/record.h"
#include "helpers/assert_close.h"
#include "helpers/fixtures.h"

/* A temporary directory per test, removed with its files afterwards. */
struct tmp {
	char dir[64];
	char path[128]; /* dir/results.jsonl */
};

static int setup_tmp(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));

	if (!t || mt_test_mkdtemp(t->dir, sizeof(t->dir), "record") < 0) {
		free(t);
		return -1;
	}
	snprintf(t->path, sizeof(t->path), "%s/results.jsonl", t->dir);
	*state = t;
	return 0;
}

static int teardown_tmp(void **state)
{
	struct tmp *t = *state;

	unlink(t->path);
	rmdir(t->dir);
	free(t);
	return 0;
}

/* Writes text to path, replacing it. */
static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* Builds the statistics of 1..5 for the records under test. */
static struct mt_stats some_stats(double *samples)
{
	struct mt_stats st;

	for (int i = 0; i < 5; i++)
		samples[i] = i + 1;
	assert_int_equal(mt_stats_compute(samples, 5, &st), 0);
	return st;
}

static void test_measured_fields(void **state)
{
	double samples[5];
	struct mt_stats st = some_stats(samples);
	json_t *kase = json_pack("{s:i}", "size", 4096);
	json_t *obtained = json_pack("{s:i,s:b}", "cpu", 1, "converged", 1);
	const char *keys[] = { "schema_version",
			       "bench",
			       "variant",
			       "case",
			       "metric",
			       "unit",
			       "higher_is_better",
			       "value",
			       "n",
			       "min",
			       "max",
			       "mean",
			       "stddev",
			       "ci95_lo",
			       "ci95_hi",
			       "ci_level",
			       "samples",
			       "status",
			       "obtained",
			       "cpu",
			       "time" };
	const char *key, *tm;
	json_t *rec, *v;
	char why[128];
	size_t i = 0;

	(void)state;
	rec = mt_record_measured("tlb", "hugetlb", kase, "latency", "ns", false,
				 &st, samples, 5, obtained);
	assert_non_null(rec);
	/* exactly the documented fields, in the documented order */
	json_object_foreach(rec, key, v) {
		assert_true(i < sizeof(keys) / sizeof(keys[0]));
		assert_string_equal(key, keys[i]);
		i++;
	}
	assert_int_equal(i, sizeof(keys) / sizeof(keys[0]));

	assert_int_equal(json_integer_value(json_object_get(rec,
							    "schema_version")),
			 MT_RECORD_SCHEMA_VERSION);
	assert_string_equal(json_string_value(json_object_get(rec, "bench")),
			    "tlb");
	assert_ptr_equal(json_object_get(rec, "case"), kase);
	assert_true(json_is_false(json_object_get(rec, "higher_is_better")));
	/* reals stay reals even when integral; n is an integer */
	assert_true(json_is_real(json_object_get(rec, "value")));
	assert_true(json_real_value(json_object_get(rec, "value")) == 3.0);
	assert_true(json_is_real(json_object_get(rec, "min")));
	assert_true(json_is_real(json_object_get(rec, "ci95_hi")));
	assert_true(json_is_integer(json_object_get(rec, "n")));
	assert_int_equal(json_integer_value(json_object_get(rec, "n")), 5);
	assert_int_equal(json_array_size(json_object_get(rec, "samples")), 5);
	assert_true(json_is_real(json_array_get(json_object_get(rec, "samples"),
						4)));
	assert_string_equal(json_string_value(json_object_get(rec, "status")),
			    "ok");
	assert_int_equal(json_integer_value(json_object_get(rec, "cpu")), 1);
	tm = json_string_value(json_object_get(rec, "time"));
	assert_non_null(tm);
	/* 2026-11-22T10:04:05Z */
	assert_int_equal(strlen(tm), 20);
	assert_int_equal(tm[10], 'T');
	assert_int_equal(tm[19], 'Z');
	assert_true(mt_record_valid(rec, why, sizeof(why)));

	/* the dump writes value as 3.0, not 3 */
	{
		char *text = json_dumps(rec, JSON_COMPACT);

		assert_non_null(strstr(text, "\"value\":3.0,"));
		assert_non_null(strstr(text, "\"n\":5,"));
		free(text);
	}
	json_decref(rec);
	/* the record took its own references */
	assert_int_equal(kase->refcount, 1);
	assert_int_equal(obtained->refcount, 1);
	json_decref(kase);
	json_decref(obtained);
}

static void test_measured_without_variant(void **state)
{
	double samples[5];
	struct mt_stats st = some_stats(samples);
	json_t *rec;
	char why[128];

	(void)state;
	rec = mt_record_measured("brk", NULL, NULL, "rate", "ops/s", true, &st,
				 NULL, 0, NULL);
	assert_non_null(rec);
	assert_null(json_object_get(rec, "variant"));
	assert_true(json_is_object(json_object_get(rec, "case")));
	assert_true(json_is_object(json_object_get(rec, "obtained")));
	assert_int_equal(json_array_size(json_object_get(rec, "samples")), 0);
	assert_true(json_is_true(json_object_get(rec, "higher_is_better")));
	assert_true(mt_record_valid(rec, why, sizeof(why)));
	json_decref(rec);

	/* a non-finite statistic cannot be written as JSON */
	st.mean = NAN;
	assert_null(mt_record_measured("brk", NULL, NULL, "rate", "ops/s", true,
				       &st, NULL, 0, NULL));
}

static void test_status_records(void **state)
{
	json_t *kase = json_pack("{s:s}", "mode", "direct");
	json_t *rec;
	char why[128];

	(void)state;
	rec = mt_record_status("odirect", NULL, kase, "skipped",
			       "tmpfs does not support O_DIRECT");
	assert_non_null(rec);
	assert_string_equal(json_string_value(json_object_get(rec, "status")),
			    "skipped");
	assert_string_equal(json_string_value(json_object_get(rec, "reason")),
			    "tmpfs does not support O_DIRECT");
	assert_ptr_equal(json_object_get(rec, "case"), kase);
	assert_null(json_object_get(rec, "value"));
	assert_true(mt_record_valid(rec, why, sizeof(why)));
	json_decref(rec);

	rec = mt_record_status("swap", "zram", NULL, "failed", "worker died");
	assert_non_null(rec);
	assert_null(json_object_get(rec, "case"));
	assert_string_equal(json_string_value(json_object_get(rec, "variant")),
			    "zram");
	assert_true(mt_record_valid(rec, why, sizeof(why)));
	json_decref(rec);

	assert_null(mt_record_status("swap", NULL, NULL, "ok", "x"));
	assert_int_equal(kase->refcount, 1);
	json_decref(kase);
}

/* Each bad record and the message mt_record_valid gives for it. */
static void test_valid_rejects(void **state)
{
	static const struct {
		const char *json;
		const char *why;
	} cases[] = {
		{ "{\"bench\":\"a\",\"case\":{},\"metric\":\"m\",\"value\":1.0,"
		  "\"n\":3,\"min\":1.0,\"max\":1.0,\"mean\":1.0,\"stddev\":0.0,"
		  "\"ci95_lo\":1.0,\"ci95_hi\":1.0}",
		  "record lacks 'unit'" },
		{ "{\"bench\":\"a\",\"case\":{},\"metric\":\"m\","
		  "\"unit\":\"ns\","
		  "\"value\":1.0,\"n\":2.5,\"min\":1.0,\"max\":1.0,"
		  "\"mean\":1.0,\"stddev\":0.0,\"ci95_lo\":1.0,"
		  "\"ci95_hi\":1.0}",
		  "record field 'n' is not an integer" },
		{ "{\"bench\":\"a\",\"case\":{},\"metric\":\"m\","
		  "\"unit\":\"ns\","
		  "\"value\":\"fast\",\"n\":2,\"min\":1.0,\"max\":1.0,"
		  "\"mean\":1.0,\"stddev\":0.0,\"ci95_lo\":1.0,"
		  "\"ci95_hi\":1.0}",
		  "record field 'value' is not a number" },
		{ "{\"bench\":\"a\",\"case\":{},\"metric\":\"m\","
		  "\"unit\":\"ns\","
		  "\"value\":1,\"n\":0,\"min\":1,\"max\":1,\"mean\":1,"
		  "\"stddev\":0,\"ci95_lo\":1,\"ci95_hi\":1}",
		  "record field 'n' is 0; expected at least 1" },
		{ "{\"bench\":\"a\",\"status\":\"skipped\"}",
		  "record lacks 'reason'" },
		{ "{\"status\":\"failed\",\"reason\":\"x\"}",
		  "record lacks 'bench'" },
		{ "{\"bench\":\"a\",\"status\":\"maybe\",\"reason\":\"x\"}",
		  "record has status 'maybe'; expected ok, untrustworthy, "
		  "skipped or failed" },
		{ "{\"bench\":\"a\",\"status\":7}",
		  "record field 'status' is not a string" },
		{ "{\"bench\":\"a\",\"status\":\"skipped\",\"reason\":\"r\","
		  "\"case\":[1]}",
		  "record field 'case' is not an object" },
		{ "[1,2]", "record is not a JSON object" },
	};
	char why[160];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *obj = json_loads(cases[i].json, 0, NULL);

		assert_non_null(obj);
		why[0] = '\0';
		assert_false(mt_record_valid(obj, why, sizeof(why)));
		assert_string_equal(why, cases[i].why);
		json_decref(obj);
	}
	/* integers are accepted where reals are expected (hand-made files) */
	{
		json_t *obj = json_loads(
			"{\"bench\":\"a\",\"case\":{},\"metric\":\"m\","
			"\"unit\":\"ns\",\"value\":1,\"n\":1,\"min\":1,"
			"\"max\":1,\"mean\":1,\"stddev\":0,\"ci95_lo\":1,"
			"\"ci95_hi\":1,\"status\":\"untrustworthy\","
			"\"reason\":\"only 10% of the region was huge\"}",
			0, NULL);

		assert_true(mt_record_valid(obj, why, sizeof(why)));
		assert_true(mt_record_valid(obj, NULL, 0));
		json_decref(obj);
	}
}

/* What the reader callbacks saw. */
struct seen {
	int lines[8];
	char benches[8][16];
	int n;
	char bad[4][256];
	int n_bad;
	int stop_after; /* fn returns 42 after this many; 0: never */
};

static int on_record(json_t *rec, int line, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8) {
		s->lines[s->n] = line;
		snprintf(s->benches[s->n], sizeof(s->benches[0]), "%s",
			 json_string_value(json_object_get(rec, "bench")));
	}
	s->n++;
	return s->stop_after && s->n >= s->stop_after ? 42 : 0;
}

static void on_bad(const char *msg, void *arg)
{
	struct seen *s = arg;

	if (s->n_bad < 4)
		snprintf(s->bad[s->n_bad], sizeof(s->bad[0]), "%s", msg);
	s->n_bad++;
}

/* Two good records, a blank line, a record without a unit, and a last line
 * cut off mid-write: the good ones come back with their line numbers and
 * the two bad lines are reported as PATH:LINE. */
static void test_read_truncated(void **state)
{
	struct tmp *t = *state;
	struct seen s = { 0 };
	struct mt_err err = { 0 };
	double samples[5];
	struct mt_stats st = some_stats(samples);
	json_t *r1 = mt_record_measured("tlb", NULL, NULL, "latency", "ns",
					false, &st, samples, 5, NULL);
	json_t *r2 = mt_record_status("swap", NULL, NULL, "skipped",
				      "no swap; add some with ...");
	char *l1 = json_dumps(r1, JSON_COMPACT | JSON_PRESERVE_ORDER);
	char *l2 = json_dumps(r2, JSON_COMPACT | JSON_PRESERVE_ORDER);
	char text[8192], expect[256];

	assert_non_null(l1);
	assert_non_null(l2);
	snprintf(text, sizeof(text),
		 "%s\n%s\n\n"
		 "{\"bench\":\"x\",\"case\":{},\"metric\":\"m\",\"value\":1.0,"
		 "\"n\":1,\"min\":1.0,\"max\":1.0,\"mean\":1.0,\"stddev\":0.0,"
		 "\"ci95_lo\":1.0,\"ci95_hi\":1.0}\n"
		 "%.40s",
		 l1, l2, l1);
	write_text(t->path, text);

	assert_int_equal(mt_records_read(t->path, on_record, on_bad, &s, &err),
			 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.lines[0], 1);
	assert_string_equal(s.benches[0], "tlb");
	assert_int_equal(s.lines[1], 2);
	assert_string_equal(s.benches[1], "swap");
	assert_int_equal(s.n_bad, 2);
	snprintf(expect, sizeof(expect), "%s:4: record lacks 'unit'", t->path);
	assert_string_equal(s.bad[0], expect);
	snprintf(expect, sizeof(expect), "%s:5:40: invalid JSON: ", t->path);
	assert_memory_equal(s.bad[1], expect, strlen(expect));
	assert_non_null(strstr(s.bad[1], "(truncated?)"));

	/* fn's non-zero return stops the reading and is returned */
	memset(&s, 0, sizeof(s));
	s.stop_after = 1;
	assert_int_equal(mt_records_read(t->path, on_record, on_bad, &s, &err),
			 42);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.n_bad, 0);

	/* bad may be NULL */
	memset(&s, 0, sizeof(s));
	assert_int_equal(mt_records_read(t->path, on_record, NULL, &s, &err),
			 0);
	assert_int_equal(s.n, 2);

	free(l1);
	free(l2);
	json_decref(r1);
	json_decref(r2);
}

/* A line that is valid JSON but not an object is said to be so; one with a
 * NUL byte in it (a crash can leave those) ends early for jansson. */
static void test_read_not_object(void **state)
{
	struct tmp *t = *state;
	struct seen s = { 0 };
	struct mt_err err = { 0 };
	char expect[256];
	FILE *f;

	f = fopen(t->path, "w");
	assert_non_null(f);
	fputs("[1,2,3]\n", f);
	fwrite("{\"bench\":\"a\"\0\0\0}\n", 1, 17, f);
	fputs("{\"bench\":\"b\",\"status\":\"failed\",\"reason\":\"r\"}", f);
	assert_int_equal(fclose(f), 0);

	assert_int_equal(mt_records_read(t->path, on_record, on_bad, &s, &err),
			 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.lines[0], 3);
	assert_int_equal(s.n_bad, 2);
	snprintf(expect, sizeof(expect), "%s:1: not a JSON object but an array",
		 t->path);
	assert_string_equal(s.bad[0], expect);
	snprintf(expect, sizeof(expect), "%s:2:13: invalid JSON: ", t->path);
	assert_memory_equal(s.bad[1], expect, strlen(expect));
	assert_non_null(strstr(s.bad[1], "(truncated?)"));
}

/* Issue 12: JSON that jansson refuses although it is valid (a number out
 * of range) was reported as "truncated?"; the message now says what
 * jansson said, at PATH:LINE:COLUMN. */
static void test_read_jansson_refusals(void **state)
{
	struct tmp *t = *state;
	struct seen s = { 0 };
	struct mt_err err = { 0 };
	char expect[256];

	write_text(t->path,
		   "\n{\"bench\":\"a\",\"value\":1e999}\n"
		   "{\"bench\":\"b\",\"n\":12345678901234567890123}\n");
	assert_int_equal(mt_records_read(t->path, on_record, on_bad, &s, &err),
			 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.n_bad, 2);
	snprintf(expect, sizeof(expect),
		 "%s:2:26: invalid JSON: real "
		 "number overflow",
		 t->path);
	assert_memory_equal(s.bad[0], expect, strlen(expect));
	snprintf(expect, sizeof(expect),
		 "%s:3:40: invalid JSON: too big "
		 "integer",
		 t->path);
	assert_memory_equal(s.bad[1], expect, strlen(expect));
	assert_null(strstr(s.bad[0], "truncated"));
	assert_null(strstr(s.bad[1], "truncated"));
}

/* Lines far longer than any fixed buffer are read whole. */
static void test_read_long_line(void **state)
{
	struct tmp *t = *state;
	struct seen s = { 0 };
	struct mt_err err = { 0 };
	json_t *rec = mt_record_status("big", NULL, NULL, "failed", "x");
	char *reason = malloc(200001), *line;

	assert_non_null(reason);
	memset(reason, 'r', 200000);
	reason[200000] = '\0';
	json_object_set_new(rec, "reason", json_string(reason));
	line = json_dumps(rec, JSON_COMPACT);
	write_text(t->path, line);
	assert_int_equal(mt_records_read(t->path, on_record, on_bad, &s, &err),
			 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.n_bad, 0);
	free(line);
	free(reason);
	json_decref(rec);
}

static void test_read_missing_file(void **state)
{
	struct tmp *t = *state;
	struct seen s = { 0 };
	struct mt_err err = { 0 };
	char expect[256];

	assert_int_equal(mt_records_read(t->path, on_record, on_bad, &s, &err),
			 -ENOENT);
	assert_int_equal(err.kind, MT_ERR_INPUT);
	snprintf(expect, sizeof(expect),
		 "cannot read '%s': No such file or directory", t->path);
	assert_string_equal(err.msg, expect);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.n_bad, 0);
}

/* A directory opens but cannot be read: an input error, not a success. */
static void test_read_directory(void **state)
{
	struct tmp *t = *state;
	struct seen s = { 0 };
	struct mt_err err = { 0 };

	assert_int_equal(mt_records_read(t->dir, on_record, on_bad, &s, &err),
			 -EISDIR);
	assert_int_equal(err.kind, MT_ERR_INPUT);
	assert_non_null(strstr(err.msg, t->dir));
	assert_non_null(strstr(err.msg, "Is a directory"));
}

/* A measured tlb record of case {size}, metric, with 6 samples around
 * center (center - 0.25 .. center + 0.25). */
static json_t *round_rec(int size, const char *metric, double center)
{
	double x[6];
	struct mt_stats st;
	json_t *kase = json_pack("{s:i}", "size", size), *r;

	for (int i = 0; i < 6; i++)
		x[i] = center - 0.25 + 0.1 * i;
	assert_int_equal(mt_stats_compute(x, 6, &st), 0);
	r = mt_record_measured("tlb", NULL, kase, metric, "ns", false, &st, x,
			       6, NULL);
	json_decref(kase);
	assert_non_null(r);
	return r;
}

static double fld(json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

/* Three rounds of two cases, combined: one record per case and metric in
 * the order they first came, the median of the rounds, the rounds'
 * values and intervals, pooled samples and n, the interval of
 * mt_rounds_combine; a round that failed is counted missing, an
 * untrustworthy round makes the point untrustworthy; a case that failed
 * in every round keeps one failed record; one round is left as it is. */
static void test_combine_rounds(void **state)
{
	json_t *r[3], *out, *a, *b, *lat;
	json_t *k2 = json_pack("{s:i}", "size", 2);
	json_t *k3 = json_pack("{s:i}", "size", 3);
	const double v[] = { 10, 12, 11 };
	struct mt_rounds_ci ci;
	double lo[3], hi[3];
	char why[200];
	size_t i;

	(void)state;
	r[0] = json_array();
	r[1] = json_array();
	r[2] = json_array();
	json_array_append_new(r[0], round_rec(1, "lat", 10));
	json_array_append_new(r[0], round_rec(1, "bw", 100));
	json_array_append_new(r[0], round_rec(2, "lat", 5));
	json_array_append_new(r[0],
			      mt_record_status("tlb", NULL, k3, "failed", "x"));
	json_array_append_new(r[1], round_rec(1, "lat", 12));
	json_array_append_new(r[1], round_rec(1, "bw", 104));
	json_array_append_new(r[1],
			      mt_record_status("tlb", NULL, k2, "failed", "y"));
	json_array_append_new(r[1],
			      mt_record_status("tlb", NULL, k3, "failed", "z"));
	json_array_append_new(r[2], round_rec(1, "bw", 102));
	json_array_append_new(r[2], round_rec(1, "lat", 11));
	lat = round_rec(2, "lat", 6);
	json_object_set_new(lat, "status", json_string("untrustworthy"));
	json_object_set_new(lat, "reason", json_string("THP not given"));
	json_array_append_new(r[2], lat);

	out = mt_records_combine_rounds(r, 3);
	assert_non_null(out);
	assert_int_equal(json_array_size(out), 4);
	json_array_foreach(out, i, a)
		assert_true(mt_record_valid(a, why, sizeof(why)));
	a = json_array_get(out, 0);
	assert_string_equal(json_string_value(json_object_get(a, "metric")),
			    "lat");
	assert_int_equal(json_array_size(json_object_get(a, "rounds")), 3);
	assert_close(json_number_value(
			     json_array_get(json_object_get(a, "rounds"), 1)),
		     12, 1e-12);
	assert_int_equal(json_array_size(json_object_get(a, "round_ci95")), 3);
	assert_int_equal(json_integer_value(json_object_get(a, "n")), 18);
	assert_int_equal(json_array_size(json_object_get(a, "samples")), 18);
	assert_null(json_object_get(a, "rounds_missing"));
	for (i = 0; i < 3; i++) {
		json_t *rr = json_array_get(r[i], i == 2 ? 1 : 0);

		lo[i] = fld(rr, "ci95_lo");
		hi[i] = fld(rr, "ci95_hi");
	}
	assert_int_equal(mt_rounds_combine(v, lo, hi, 3, &ci), 0);
	assert_close(fld(a, "value"), 11, 1e-12);
	assert_close(fld(a, "ci95_lo"), ci.lo, 1e-12);
	assert_close(fld(a, "ci95_hi"), ci.hi, 1e-12);
	assert_close(fld(a, "ci_level"), 0.95, 0);
	assert_close(fld(a, "mean"), 11, 1e-9);
	assert_close(fld(a, "min"), 9.75, 1e-12);
	assert_close(fld(a, "max"), 12.25, 1e-12);
	/* pooled stddev of the 18 samples */
	{
		double sum = 0, ss = 0, m;
		json_t *x;

		json_array_foreach(json_object_get(a, "samples"), i, x)
			sum += json_number_value(x);
		m = sum / 18;
		json_array_foreach(json_object_get(a, "samples"), i, x)
			ss += (json_number_value(x) - m) *
			      (json_number_value(x) - m);
		assert_close(fld(a, "stddev"), sqrt(ss / 17), 1e-9);
	}
	b = json_array_get(out, 1);
	assert_string_equal(json_string_value(json_object_get(b, "metric")),
			    "bw");
	assert_close(fld(b, "value"), 102, 1e-12);
	b = json_array_get(out, 2);
	assert_int_equal(json_array_size(json_object_get(b, "rounds")), 2);
	assert_int_equal(json_integer_value(json_object_get(b,
							    "rounds_missing")),
			 1);
	assert_string_equal(json_string_value(json_object_get(b, "status")),
			    "untrustworthy");
	assert_string_equal(json_string_value(json_object_get(b, "reason")),
			    "THP not given");
	b = json_array_get(out, 3);
	assert_string_equal(json_string_value(json_object_get(b, "status")),
			    "failed");
	assert_string_equal(json_string_value(json_object_get(b, "reason")),
			    "x");
	json_decref(out);

	/* One round: the records as they were. */
	out = mt_records_combine_rounds(r, 1);
	assert_int_equal(json_array_size(out), json_array_size(r[0]));
	json_array_foreach(out, i, a)
		assert_true(json_array_get(r[0], i) == a);
	json_decref(out);
	/* Rounds that never ran (an interrupted run) are missing. */
	{
		json_t *part[3] = { r[0], NULL, NULL };

		out = mt_records_combine_rounds(part, 3);
		a = json_array_get(out, 0);
		assert_int_equal(json_array_size(json_object_get(a, "rounds")),
				 1);
		assert_int_equal(json_integer_value(
					 json_object_get(a, "rounds_missing")),
				 2);
		json_decref(out);
	}
	for (i = 0; i < 3; i++)
		json_decref(r[i]);
	json_decref(k2);
	json_decref(k3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_measured_fields),
		cmocka_unit_test(test_measured_without_variant),
		cmocka_unit_test(test_status_records),
		cmocka_unit_test(test_valid_rejects),
		cmocka_unit_test(test_combine_rounds),
		cmocka_unit_test_setup_teardown(test_read_truncated, setup_tmp,
						teardown_tmp),
		cmocka_unit_test_setup_teardown(test_read_not_object, setup_tmp,
						teardown_tmp),
		cmocka_unit_test_setup_teardown(test_read_jansson_refusals,
						setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_read_long_line, setup_tmp,
						teardown_tmp),
		cmocka_unit_test_setup_teardown(test_read_missing_file,
						setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_read_directory, setup_tmp,
						teardown_tmp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
