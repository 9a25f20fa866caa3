/* Loading a run directory for analysis (see run.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/json_safe.h"
#include "../core/record.h"
#include "run.h"

struct load_ctx {
	struct mt_run *run;
	unsigned flags;
	int nomem;
};

/* Appends a formatted warning to run->warnings. */
static void __attribute__((format(printf, 2, 3)))
add_warning(struct mt_run *run, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mt_json_append_vfmt(run->warnings, 1400, fmt, ap);
	va_end(ap);
}

/* mt_records_read's bad-line callback: keeps "path:line: what". */
static void on_bad(const char *msg, void *arg)
{
	struct load_ctx *c = arg;

	add_warning(c->run, "%s (line skipped)", msg);
}

/* mt_records_read's record callback: keeps the record (without samples
 * unless asked). Returns non-zero only when memory runs out. */
static int on_record(json_t *rec, int line, void *arg)
{
	struct load_ctx *c = arg;

	(void)line;
	if (!(c->flags & MT_RUN_KEEP_SAMPLES))
		json_object_del(rec, "samples");
	if (json_array_append(c->run->records, rec)) {
		c->nomem = 1;
		return -ENOMEM;
	}
	return 0;
}

/* Loads DIR/meta.json into run->meta; a missing or malformed file becomes
 * a warning and leaves run->meta NULL. Returns 0, or -ENOMEM when memory
 * runs out (never taken for a malformed file). */
static int load_meta(struct mt_run *run)
{
	char path[4096];
	json_error_t jerr;
	struct stat st;
	json_t *meta;

	snprintf(path, sizeof(path), "%s/meta.json", run->dir);
	if (stat(path, &st) < 0) {
		add_warning(run,
			    "%s: %s; analyzing the records without the "
			    "machine description",
			    path, strerror(errno));
		return 0;
	}
	mt_json_oom_clear();
	meta = mt_json_load_file(path, 0, &jerr);
	if (!meta && (mt_json_oom() ||
		      json_error_code(&jerr) == json_error_out_of_memory))
		return -ENOMEM;
	if (!meta) {
		add_warning(run,
			    "%s:%d:%d: invalid JSON: %s; analyzing the "
			    "records without the machine description",
			    path, jerr.line, jerr.column, jerr.text);
		return 0;
	}
	if (!json_is_object(meta)) {
		json_decref(meta);
		add_warning(run,
			    "%s: not a JSON object; analyzing the "
			    "records without the machine description",
			    path);
		return 0;
	}
	run->meta = meta;
	return 0;
}

/* Fills host, start and label from meta.json, else from the records and
 * the directory name. */
static void set_names(struct mt_run *run)
{
	const char *host = json_string_value(json_object_get(run->meta,
							     "host"));
	const char *start = json_string_value(json_object_get(run->meta,
							      "start"));

	if (!start && json_array_size(run->records))
		start = json_string_value(json_object_get(
			json_array_get(run->records, 0), "time"));
	if (host && *host) {
		snprintf(run->host, sizeof(run->host), "%s", host);
	} else {
		const char *base = strrchr(run->dir, '/');

		/* Without meta.json the directory name (HOST-DATE-TIME by
		 * default) is the best name the run has. */
		base = base && base[1] ? base + 1 : run->dir;
		snprintf(run->host, sizeof(run->host), "%s", base);
	}
	snprintf(run->start, sizeof(run->start), "%s", start ? start : "");
	snprintf(run->label, sizeof(run->label), "%s%s%s", run->host,
		 run->start[0] ? " " : "", run->start);
}

int mt_run_from_records(const char *dir, json_t *meta, json_t *records,
			struct mt_run **out)
{
	struct mt_run *run = calloc(1, sizeof(*run));

	*out = NULL;
	if (!run)
		return -ENOMEM;
	run->dir = strdup(dir);
	run->records = json_is_array(records) ? json_incref(records) :
						json_array();
	run->warnings = json_array();
	run->meta = json_is_object(meta) ? json_incref(meta) : NULL;
	if (!run->dir || !run->records || !run->warnings) {
		mt_run_free(run);
		return -ENOMEM;
	}
	set_names(run);
	*out = run;
	return 0;
}

/* Loads the run directory DIR (see run.h). */
int mt_run_load(const char *dir, unsigned flags, struct mt_run **out,
		struct mt_err *err)
{
	struct load_ctx ctx = { .flags = flags };
	struct mt_run *run;
	char path[4096];
	struct stat st;
	size_t len;
	int ret;

	*out = NULL;
	if (stat(dir, &st) < 0)
		return mt_err_set(err, -errno, MT_ERR_INPUT,
				  "run directory '%s': %s (give a directory "
				  "that 'memtune run' wrote)",
				  dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return mt_err_set(err, -ENOTDIR, MT_ERR_INPUT,
				  "run directory '%s': not a directory (give "
				  "a directory that 'memtune run' wrote)",
				  dir);
	run = calloc(1, sizeof(*run));
	if (!run)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "analyze: out of memory");
	run->dir = strdup(dir);
	run->records = json_array();
	run->warnings = json_array();
	if (!run->dir || !run->records || !run->warnings) {
		ret = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				 "analyze: out of memory");
		goto out_run;
	}
	/* "DIR/" and "DIR" name the same run; keep labels tidy. */
	len = strlen(run->dir);
	while (len > 1 && run->dir[len - 1] == '/')
		run->dir[--len] = '\0';
	if (load_meta(run) < 0) {
		ret = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				 "analyze: out of memory reading "
				 "'%s/meta.json'",
				 run->dir);
		goto out_run;
	}
	snprintf(path, sizeof(path), "%s/results.jsonl", run->dir);
	ctx.run = run;
	ret = mt_records_read(path, on_record, on_bad, &ctx, err);
	if (ctx.nomem) {
		ret = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				 "analyze: out of memory reading '%s'", path);
		goto out_run;
	}
	if (ret < 0) {
		if (ret == -ENOENT)
			mt_err_set(err, ret, MT_ERR_INPUT,
				   "cannot read '%s': %s (not a run "
				   "directory, or the run wrote no record "
				   "yet)",
				   path, strerror(-ret));
		goto out_run;
	}
	set_names(run);
	*out = run;
	return 0;

out_run:
	mt_run_free(run);
	return ret;
}

/* Frees a loaded run. */
void mt_run_free(struct mt_run *run)
{
	if (!run)
		return;
	json_decref(run->meta);
	json_decref(run->records);
	json_decref(run->warnings);
	free(run->dir);
	free(run);
}

/* True when the string array arr holds s. */
static bool has_string(json_t *arr, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
		if (strcmp(json_string_value(v), s) == 0)
			return true;
	return false;
}

/* The benchmarks of the run: meta.json's list, then the records' others. */
json_t *mt_run_bench_names(const struct mt_run *run)
{
	json_t *names = json_array(), *v;
	size_t i;

	if (!names)
		return NULL;
	json_array_foreach(json_object_get(run->meta, "benchmarks"), i, v) {
		const char *b = json_string_value(json_object_get(v, "bench"));

		if (b && !has_string(names, b))
			json_array_append_new(names, json_string(b));
	}
	json_array_foreach(run->records, i, v) {
		const char *b = mt_rec_bench(v);

		if (*b && !has_string(names, b))
			json_array_append_new(names, json_string(b));
	}
	return names;
}

/* The meta.json entry of bench. */
json_t *mt_run_bench_meta(const struct mt_run *run, const char *bench)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(run->meta, "benchmarks"), i, v) {
		const char *b = json_string_value(json_object_get(v, "bench"));

		if (b && strcmp(b, bench) == 0)
			return v;
	}
	return NULL;
}

/* Counts bench's records by status. */
void mt_run_count(const struct mt_run *run, const char *bench, size_t *ok,
		  size_t *untrusted, size_t *skipped, size_t *failed)
{
	size_t n[4] = { 0 }, i;
	json_t *v;

	json_array_foreach(run->records, i, v) {
		const char *s = json_string_value(json_object_get(v, "status"));

		if (strcmp(mt_rec_bench(v), bench))
			continue;
		if (!s || !strcmp(s, "ok"))
			n[0]++;
		else if (!strcmp(s, "untrustworthy"))
			n[1]++;
		else if (!strcmp(s, "skipped"))
			n[2]++;
		else
			n[3]++;
	}
	if (ok)
		*ok = n[0];
	if (untrusted)
		*untrusted = n[1];
	if (skipped)
		*skipped = n[2];
	if (failed)
		*failed = n[3];
}

/* The first reason a part of bench did not run. */
const char *mt_run_skip_reason(const struct mt_run *run, const char *bench)
{
	json_t *m = mt_run_bench_meta(run, bench), *v;
	const char *s = json_string_value(json_object_get(m, "status"));
	size_t i;

	if (s && strcmp(s, "ok") &&
	    json_string_value(json_object_get(m, "reason")))
		return json_string_value(json_object_get(m, "reason"));
	json_array_foreach(run->records, i, v) {
		s = json_string_value(json_object_get(v, "status"));
		if (s && (!strcmp(s, "skipped") || !strcmp(s, "failed")) &&
		    !strcmp(mt_rec_bench(v), bench))
			return json_string_value(json_object_get(v, "reason"));
	}
	return NULL;
}

bool mt_rec_ok(json_t *rec)
{
	const char *s = json_string_value(json_object_get(rec, "status"));

	return json_object_get(rec, "metric") && (!s || !strcmp(s, "ok"));
}

const char *mt_rec_bench(json_t *rec)
{
	const char *s = json_string_value(json_object_get(rec, "bench"));

	return s ? s : "";
}

const char *mt_rec_metric(json_t *rec)
{
	const char *s = json_string_value(json_object_get(rec, "metric"));

	return s ? s : "";
}

double mt_rec_value(json_t *rec)
{
	return mt_jnum_value(json_object_get(rec, "value"));
}

void mt_rec_ci_within(json_t *rec, double *lo, double *hi)
{
	json_t *w = json_object_get(rec, "ci95_within_run");
	double wlo = mt_jnum_value(json_array_get(w, 0));
	double whi = mt_jnum_value(json_array_get(w, 1));
	double v = mt_rec_value(rec);

	*lo = mt_jnum(rec, "ci95_lo");
	*hi = mt_jnum(rec, "ci95_hi");
	/* A run directory is someone else's file: the within-run interval
	 * counts only when it is one, around the value and inside the
	 * written interval, as the runner writes it; else the written one. */
	if (json_array_size(w) == 2 && isfinite(wlo) && isfinite(whi) &&
	    wlo <= v && v <= whi && !(wlo < *lo) && !(whi > *hi)) {
		*lo = wlo;
		*hi = whi;
	}
}

const char *mt_rec_case_str(json_t *rec, const char *key)
{
	return json_string_value(json_object_get(json_object_get(rec, "case"),
						 key));
}

double mt_rec_case_num(json_t *rec, const char *key)
{
	return mt_jnum(json_object_get(rec, "case"), key);
}

double mt_rec_obtained_num(json_t *rec, const char *key)
{
	return mt_jnum(json_object_get(rec, "obtained"), key);
}

json_t *mt_rec_system(json_t *rec)
{
	json_t *sys = json_object_get(rec, "system");

	if (json_is_object(sys))
		return sys;
	sys = json_object_get(json_object_get(rec, "case"), "system");
	return json_is_object(sys) ? sys : NULL;
}

/* The first ok record of bench/metric matching the (key, value) pairs. */
json_t *mt_run_find(const struct mt_run *run, const char *bench,
		    const char *metric, ...)
{
	json_t *v;
	size_t i;

	json_array_foreach(run->records, i, v) {
		const char *key, *want;
		bool match = true;
		va_list ap;

		if (!mt_rec_ok(v) || strcmp(mt_rec_bench(v), bench) ||
		    strcmp(mt_rec_metric(v), metric))
			continue;
		va_start(ap, metric);
		while (match && (key = va_arg(ap, const char *))) {
			const char *got;

			want = va_arg(ap, const char *);
			got = mt_rec_case_str(v, key);
			match = got && strcmp(got, want) == 0;
		}
		va_end(ap);
		if (match)
			return v;
	}
	return NULL;
}

/* True when rec's case matches the (key, value) pairs left in ap. */
static bool case_matches(json_t *rec, va_list ap)
{
	const char *key, *want, *got;

	while ((key = va_arg(ap, const char *))) {
		want = va_arg(ap, const char *);
		got = mt_rec_case_str(rec, key);
		if (!got || strcmp(got, want))
			return false;
	}
	return true;
}

/* Collects a sorted curve of bench/metric over the case parameter xkey. */
size_t mt_run_curve(const struct mt_run *run, const char *bench,
		    const char *metric, const char *xkey, double *x, double *y,
		    size_t max, ...)
{
	size_t n = 0, i, j;
	json_t *v;

	json_array_foreach(run->records, i, v) {
		double xv, yv;
		bool match;
		va_list ap;

		if (!mt_rec_ok(v) || strcmp(mt_rec_bench(v), bench) ||
		    strcmp(mt_rec_metric(v), metric))
			continue;
		va_start(ap, max);
		match = case_matches(v, ap);
		va_end(ap);
		xv = mt_rec_case_num(v, xkey);
		yv = mt_rec_value(v);
		if (!match || !isfinite(xv) || !isfinite(yv) || n == max)
			continue;
		for (j = n; j > 0 && x[j - 1] > xv; j--)
			;
		if (j > 0 && x[j - 1] == xv)
			continue;
		memmove(&x[j + 1], &x[j], (n - j) * sizeof(double));
		memmove(&y[j + 1], &y[j], (n - j) * sizeof(double));
		x[j] = xv;
		y[j] = yv;
		n++;
	}
	return n;
}
