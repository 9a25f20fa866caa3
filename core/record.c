/* Result records (DESIGN §3): building them with jansson, checking them and
 * reading results.jsonl back.
 *
 * Real-valued statistics are always written as JSON reals (3.0, not 3) and
 * counts as integers, so a reader can tell them apart by type. Readers are
 * more forgiving: any JSON number is accepted where a real is expected,
 * because files may come from other tools or hands.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "json_safe.h"
#include "record.h"

/* Sets key in obj to the new reference v; returns -1 when v is NULL (jansson
 * refuses NaN and infinity as reals, and allocation can fail) or when
 * setting fails, so one check covers both. */
static int set_new(json_t *obj, const char *key, json_t *v)
{
	if (!v)
		return -1;
	return json_object_set_new(obj, key, v);
}

/* A new record with the common head of every record: schema_version,
 * bench and variant (only when there is one). NULL when out of memory. */
static json_t *new_record(const char *bench, const char *variant)
{
	json_t *rec = json_object();

	if (!rec)
		return NULL;
	if (set_new(rec, "schema_version",
		    json_integer(MT_RECORD_SCHEMA_VERSION)) ||
	    set_new(rec, "bench", json_string(bench ? bench : "")) ||
	    (variant && *variant &&
	     set_new(rec, "variant", json_string(variant)))) {
		json_decref(rec);
		return NULL;
	}
	return rec;
}

/* Returns the CPU the measurement ran on: the integer "cpu" the runner put
 * into `obtained` (the CPU it pinned the worker to), else the CPU this
 * thread is on now (the worker is pinned, so it is the same), else -1. */
static json_int_t measuring_cpu(json_t *obtained)
{
	json_t *cpu = json_object_get(obtained, "cpu");

	if (json_is_integer(cpu))
		return json_integer_value(cpu);
	return sched_getcpu();
}

/* Builds a measured record with the fields of record.h in their documented
 * order. kase and obtained are borrowed (NULL gives an empty object);
 * samples may be NULL (an empty array is written). Returns a new object, or
 * NULL when memory runs out or a statistic is not finite. */
json_t *mt_record_measured(const char *bench, const char *variant, json_t *kase,
			   const char *metric, const char *unit,
			   bool higher_is_better, const struct mt_stats *st,
			   const double *samples, size_t n_samples,
			   json_t *obtained)
{
	json_t *rec, *arr;
	char now[40];

	if (!st)
		return NULL;
	rec = new_record(bench, variant);
	if (!rec)
		return NULL;
	if (set_new(rec, "case", kase ? json_incref(kase) : json_object()) ||
	    set_new(rec, "metric", json_string(metric ? metric : "")) ||
	    set_new(rec, "unit", json_string(unit ? unit : "")) ||
	    set_new(rec, "higher_is_better", json_boolean(higher_is_better)) ||
	    set_new(rec, "value", json_real(st->median)) ||
	    set_new(rec, "n", json_integer((json_int_t)st->n)) ||
	    set_new(rec, "min", json_real(st->min)) ||
	    set_new(rec, "max", json_real(st->max)) ||
	    set_new(rec, "mean", json_real(st->mean)) ||
	    set_new(rec, "stddev", json_real(st->stddev)) ||
	    set_new(rec, "ci95_lo", json_real(st->ci95_lo)) ||
	    set_new(rec, "ci95_hi", json_real(st->ci95_hi)) ||
	    set_new(rec, "ci_level", json_real(st->ci_level)))
		goto out_rec;
	arr = json_array();
	if (set_new(rec, "samples", arr))
		goto out_rec;
	for (size_t i = 0; samples && i < n_samples; i++) {
		json_t *v = json_real(samples[i]);

		/* A non-finite sample cannot be written as JSON; the stats
		 * already refused it, so this is only a safeguard. */
		if (!v || json_array_append_new(arr, v))
			goto out_rec;
	}
	mt_wallclock_iso(now, sizeof(now));
	if (set_new(rec, "status", json_string("ok")) ||
	    set_new(rec, "obtained",
		    obtained ? json_incref(obtained) : json_object()) ||
	    set_new(rec, "cpu", json_integer(measuring_cpu(obtained))) ||
	    set_new(rec, "time", json_string(now)))
		goto out_rec;
	return rec;

out_rec:
	json_decref(rec);
	return NULL;
}

/* Builds a "skipped" or "failed" record: schema_version, bench, variant (if
 * any), case (if kase is not NULL; borrowed), status and reason. Returns a
 * new object, or NULL when memory runs out or status is neither. */
json_t *mt_record_status(const char *bench, const char *variant, json_t *kase,
			 const char *status, const char *reason)
{
	json_t *rec;

	if (!status || (strcmp(status, "skipped") && strcmp(status, "failed")))
		return NULL;
	rec = new_record(bench, variant);
	if (!rec)
		return NULL;
	if (kase && set_new(rec, "case", json_incref(kase)))
		goto out_rec;
	if (set_new(rec, "status", json_string(status)) ||
	    set_new(rec, "reason", json_string(reason ? reason : "")))
		goto out_rec;
	return rec;

out_rec:
	json_decref(rec);
	return NULL;
}

enum field_type { F_STRING, F_OBJECT, F_NUMBER, F_INTEGER, F_BOOL, F_ARRAY };

struct field {
	const char *key;
	enum field_type type;
};

/* The JSON type names used in messages, indexed by enum field_type. */
static const char *const type_names[] = {
	[F_STRING] = "a string", [F_OBJECT] = "an object",
	[F_NUMBER] = "a number", [F_INTEGER] = "an integer",
	[F_BOOL] = "a boolean",	 [F_ARRAY] = "an array",
};

/* Fields every measured ("ok" or "untrustworthy") record must carry. */
static const struct field measured_required[] = {
	{ "bench", F_STRING },	 { "case", F_OBJECT },
	{ "metric", F_STRING },	 { "unit", F_STRING },
	{ "value", F_NUMBER },	 { "n", F_INTEGER },
	{ "min", F_NUMBER },	 { "max", F_NUMBER },
	{ "mean", F_NUMBER },	 { "stddev", F_NUMBER },
	{ "ci95_lo", F_NUMBER }, { "ci95_hi", F_NUMBER },
};

/* Fields a skipped or failed record must carry. */
static const struct field status_required[] = {
	{ "bench", F_STRING },
	{ "reason", F_STRING },
};

/* Fields that are optional in any record but must have this type when
 * present. */
static const struct field optional_typed[] = {
	{ "schema_version", F_INTEGER },
	{ "variant", F_STRING },
	{ "case", F_OBJECT },
	{ "metric", F_STRING },
	{ "higher_is_better", F_BOOL },
	{ "samples", F_ARRAY },
	{ "obtained", F_OBJECT },
	{ "cpu", F_INTEGER },
	{ "time", F_STRING },
	{ "reason", F_STRING },
	{ "system", F_OBJECT },
};

/* True when v has the JSON type t. */
static bool has_type(json_t *v, enum field_type t)
{
	switch (t) {
	case F_STRING: return json_is_string(v);
	case F_OBJECT: return json_is_object(v);
	case F_NUMBER: return json_is_number(v);
	case F_INTEGER: return json_is_integer(v);
	case F_BOOL: return json_is_boolean(v);
	case F_ARRAY: return json_is_array(v);
	}
	return false;
}

/* Checks fields[0..n) of obj; `required` says whether an absent one is an
 * error. Writes the first problem into why and returns false. */
static bool check_fields(json_t *obj, const struct field *fields, size_t n,
			 bool required, char *why, size_t why_len)
{
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_object_get(obj, fields[i].key);

		if (!v) {
			if (!required)
				continue;
			snprintf(why, why_len, "record lacks '%s'",
				 fields[i].key);
			return false;
		}
		if (!has_type(v, fields[i].type)) {
			snprintf(why, why_len, "record field '%s' is not %s",
				 fields[i].key, type_names[fields[i].type]);
			return false;
		}
	}
	return true;
}

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Checks that obj is a record with every field DESIGN §3 requires for its
 * status, with the right JSON types. A record without "status" is taken as
 * measured ("ok"). On failure writes "record lacks 'unit'" or a similar
 * phrase into why (if why_len > 0) and returns false. */
bool mt_record_valid(json_t *obj, char *why, size_t why_len)
{
	char scratch[1];
	json_t *status;
	const char *s = "ok";
	json_int_t n;

	if (!why || why_len == 0) {
		why = scratch;
		why_len = sizeof(scratch);
	}
	if (!json_is_object(obj)) {
		snprintf(why, why_len, "record is not a JSON object");
		return false;
	}
	status = json_object_get(obj, "status");
	if (status) {
		if (!json_is_string(status)) {
			snprintf(why, why_len,
				 "record field 'status' is not a string");
			return false;
		}
		s = json_string_value(status);
	}
	if (!check_fields(obj, optional_typed, ARRAY_SIZE(optional_typed),
			  false, why, why_len))
		return false;
	if (!strcmp(s, "skipped") || !strcmp(s, "failed"))
		return check_fields(obj, status_required,
				    ARRAY_SIZE(status_required), true, why,
				    why_len);
	if (strcmp(s, "ok") && strcmp(s, "untrustworthy")) {
		snprintf(why, why_len,
			 "record has status '%s'; expected ok, untrustworthy, "
			 "skipped or failed",
			 s);
		return false;
	}
	if (!check_fields(obj, measured_required, ARRAY_SIZE(measured_required),
			  true, why, why_len))
		return false;
	n = json_integer_value(json_object_get(obj, "n"));
	if (n < 1) {
		snprintf(why, why_len,
			 "record field 'n' is %lld; expected at least 1",
			 (long long)n);
		return false;
	}
	return true;
}

/* Reports "path:line: what" through bad (if not NULL). */
static void report_bad(void (*bad)(const char *msg, void *arg), void *arg,
		       const char *path, int line, const char *what)
{
	char msg[1200];

	if (!bad)
		return;
	snprintf(msg, sizeof(msg), "%s:%d: %s", path, line, what);
	bad(msg, arg);
}

/* True when text[0..len) holds only whitespace. */
static bool is_blank(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' &&
		    text[i] != '\n')
			return false;
	return true;
}

/* jansson's allocation failures as core/json_safe counts them (its
 * allocator, installed by mt_json_init in main). */
static _Thread_local unsigned long json_failures_seen;

void mt_json_oom_clear(void)
{
	json_failures_seen = mt_json_alloc_failures();
}

bool mt_json_oom(void)
{
	return mt_json_alloc_failures() != json_failures_seen;
}

/* Reads the results.jsonl at path line by line and calls fn(rec, line, arg)
 * for each valid record; fn borrows rec (json_incref to keep it). Blank
 * lines are skipped silently; a line that is not a JSON object, or is not a
 * valid record, is reported through bad() as "PATH:LINE: ..." and skipped
 * (invalid JSON as "PATH:LINE:COLUMN: invalid JSON: " and what jansson
 * said). Returns 0, what fn returned when it was non-zero (reading stops),
 * or -errno with err set: MT_ERR_INPUT when the file cannot be read,
 * MT_ERR_RUNTIME (-ENOMEM) when memory runs out, which is never taken for
 * a bad line. */
int mt_records_read(const char *path,
		    int (*fn)(json_t *rec, int line, void *arg),
		    void (*bad)(const char *msg, void *arg), void *arg,
		    struct mt_err *err)
{
	char *text = NULL, why[256];
	json_error_t jerr;
	size_t cap = 0;
	ssize_t len;
	int line = 0, ret = 0;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return mt_err_set(err, -errno, MT_ERR_INPUT,
				  "cannot read '%s': %s", path,
				  strerror(errno));
	for (;;) {
		json_t *rec;

		errno = 0;
		len = getline(&text, &cap, f);
		if (len < 0)
			break;

		line++;
		while (len > 0 &&
		       (text[len - 1] == '\n' || text[len - 1] == '\r'))
			len--;
		if (is_blank(text, (size_t)len))
			continue;
		/* json_loadb rather than json_loads: a crash can leave NUL
		 * bytes in a partly written line, which must fail parsing
		 * instead of hiding the rest of the line. */
		mt_json_oom_clear();
		rec = mt_json_loadb(text, (size_t)len, 0, &jerr);
		if (!rec &&
		    (mt_json_oom() ||
		     json_error_code(&jerr) == json_error_out_of_memory)) {
			ret = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
					 "%s:%d: out of memory reading the "
					 "record",
					 path, line);
			goto out_text;
		}
		if (!rec) {
			char msg[1200];

			/* Say what jansson said, at PATH:LINE:COLUMN: "real
			 * number overflow" for 1e999 is no truncated line. */
			snprintf(
				msg, sizeof(msg),
				"%s:%d:%d: invalid JSON: "
				"%s%s",
				path, line, jerr.column, jerr.text,
				json_error_code(&jerr) ==
						json_error_premature_end_of_input ?
					" (truncated?)" :
					"");
			if (bad)
				bad(msg, arg);
			continue;
		}
		if (!json_is_object(rec)) {
			snprintf(why, sizeof(why), "not a JSON object but %s",
				 json_is_array(rec)  ? "an array" :
				 json_is_string(rec) ? "a string" :
				 json_is_number(rec) ? "a number" :
						       "true, false or null");
			json_decref(rec);
			report_bad(bad, arg, path, line, why);
			continue;
		}
		if (!mt_record_valid(rec, why, sizeof(why))) {
			json_decref(rec);
			report_bad(bad, arg, path, line, why);
			continue;
		}
		ret = fn ? fn(rec, line, arg) : 0;
		json_decref(rec);
		if (ret)
			goto out_text;
	}
	/* getline returns -1 both at the end and on a read error or when
	 * memory runs out; only the end of the file is a success. */
	if (!feof(f) || ferror(f)) {
		int e = errno ? errno : EIO;

		ret = mt_err_set(err, -e,
				 e == ENOMEM ? MT_ERR_RUNTIME : MT_ERR_INPUT,
				 "cannot read '%s' after line %d: %s", path,
				 line, strerror(e));
	}
out_text:
	free(text);
	fclose(f);
	return ret;
}
