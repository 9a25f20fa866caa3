/* The between-run spread learned from a machine's earlier runs (see
 * run_history.h). */
#include "run_history.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "safefile.h"
#include "stats.h"

#define HIST_SCHEMA 1
#define HIST_MAX_BYTES (16u << 20)

int mt_hist_unit_sign(const char *unit)
{
	static const char *const times[] = { "ns", "us", "ms", "s", NULL };
	size_t n;

	if (!unit || !*unit)
		return 0;
	n = strlen(unit);
	if (n > 2 && !strcmp(unit + n - 2, "/s"))
		return -1;
	for (size_t i = 0; times[i]; i++) {
		size_t k = strlen(times[i]);

		if (!strncmp(unit, times[i], k) &&
		    (unit[k] == '\0' || unit[k] == '/'))
			return 1;
	}
	return 0;
}

/* The value and sign of a point ([value, sign]); false when it is not
 * one that a shift can use (not positive, not finite, no sign). */
static bool point(json_t *p, double *v, int *sign)
{
	json_t *a = json_array_get(p, 0), *b = json_array_get(p, 1);

	if (!json_is_number(a) || !json_is_integer(b))
		return false;
	*v = json_number_value(a);
	*sign = (int)json_integer_value(b);
	return isfinite(*v) && *v > 0 && (*sign == 1 || *sign == -1);
}

double mt_hist_shift(json_t *old_points, json_t *new_points, size_t *n)
{
	size_t cap = json_object_size(new_points), k = 0;
	double *d = calloc(cap + 1, sizeof(*d)), out = NAN;
	const char *key;
	json_t *np;

	*n = 0;
	if (!d)
		return NAN;
	json_object_foreach(new_points, key, np) {
		double a, b;
		int sa, sb;

		if (point(json_object_get(old_points, key), &a, &sa) &&
		    point(np, &b, &sb) && sa == sb)
			d[k++] = sb * log(b / a);
	}
	if (k >= MT_HIST_MIN_POINTS)
		out = mt_median(d, k);
	*n = k;
	free(d);
	return out;
}

void mt_hist_spread_of(json_t *shifts, struct mt_hist_spread *out)
{
	double ss = 0;
	size_t i, m = 0;
	json_t *s;

	memset(out, 0, sizeof(*out));
	json_array_foreach(shifts, i, s) {
		json_t *v = json_is_object(s) ? json_object_get(s, "shift") : s;

		/* A log-ratio beyond ln(DBL_MAX) is no measurement (and
		 * its square would overflow). */
		if (json_is_number(v) && fabs(json_number_value(v)) <= 709) {
			ss += json_number_value(v) * json_number_value(v);
			m++;
		}
	}
	out->runs = m;
	if (m == 0)
		return;
	out->rms = sqrt(ss / (double)m);
	if (m >= MT_HIST_MIN_RUNS)
		out->half = mt_t_crit((double)m, 0.95) * out->rms;
}

static double num(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

int mt_hist_widen(json_t *rec, const struct mt_hist_spread *s)
{
	double v = num(rec, "value"), lo = num(rec, "ci95_lo"),
	       hi = num(rec, "ci95_hi");
	json_t *within, *spread;

	if (!s || !(s->half > 0) || !isfinite(exp(s->half)) ||
	    !mt_hist_unit_sign(json_string_value(json_object_get(rec,
								 "unit"))) ||
	    !isfinite(v) || v <= 0 || !isfinite(lo) || !isfinite(hi) ||
	    !isfinite(v * exp(s->half)))
		return 0;
	within = json_pack("[f,f]", lo, hi);
	spread = json_pack("{s:I,s:f,s:f}", "runs", (json_int_t)s->runs, "rms",
			   s->rms, "half", s->half);
	if (!within || !spread ||
	    json_object_set_new(rec, "ci95_within_run", within) < 0 ||
	    json_object_set_new(rec, "run_spread", spread) < 0 ||
	    json_object_set_new(rec, "ci95_lo",
				json_real(fmin(lo, v * exp(-s->half)))) < 0 ||
	    json_object_set_new(rec, "ci95_hi",
				json_real(fmax(hi, v * exp(s->half)))) < 0)
		return -ENOMEM;
	return 1;
}

void mt_hist_config_id(json_t *cfg, char out[17])
{
	char *s = json_dumps(cfg, JSON_COMPACT | JSON_SORT_KEYS);
	uint64_t h = 0xcbf29ce484222325ull;

	for (const char *p = s ? s : ""; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 0x100000001b3ull;
	}
	free(s);
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

static bool section_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 100 || s[0] == '.')
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("_.:-", *p)))
			return false;
	return true;
}

/* Opens STATE/history (made 0700 when missing) into h. */
static int open_dir(const char *state_dir, const char *section,
		    struct mt_outdir *h, struct mt_err *err)
{
	struct mt_outdir d;
	int ret;

	if (!section_ok(section))
		return mt_err_set(err, -EINVAL, MT_ERR_RUNTIME,
				  "run history: section name '%s' cannot "
				  "name a file: expected letters, digits and "
				  "_.:-",
				  section ? section : "");
	ret = mt_outdir_open(&d, "state directory", state_dir, 0, err);
	if (ret < 0)
		return ret;
	ret = mt_outdir_sub(h, &d, "run history", "history",
			    MT_DIR_CREATE | MT_DIR_PRIVATE, err);
	mt_outdir_close(&d);
	return ret;
}

/* Whether h is a history this module wrote. */
static bool well_formed(json_t *h)
{
	const char *id;
	json_t *c;

	if (!json_is_object(h) ||
	    json_integer_value(json_object_get(h, "schema")) != HIST_SCHEMA ||
	    !json_is_object(json_object_get(h, "configs")))
		return false;
	json_object_foreach(json_object_get(h, "configs"), id, c)
		if (!json_is_object(c) ||
		    !json_is_object(json_object_get(c, "points")) ||
		    !json_is_array(json_object_get(c, "shifts")) ||
		    !json_is_object(json_object_get(c, "changes")))
			return false;
	return true;
}

json_t *mt_hist_load(const char *state_dir, const char *section,
		     struct mt_err *err)
{
	struct mt_outdir h;
	char name[128], *buf = NULL;
	json_t *out = NULL;
	json_error_t jerr;
	size_t len;
	int fd, ret;

	if (open_dir(state_dir, section, &h, err) < 0)
		return NULL;
	snprintf(name, sizeof(name), "%s.json", section);
	fd = mt_outdir_open_file(&h, "run history", name, O_RDONLY, err);
	if (fd == -ENOENT) {
		memset(err, 0, sizeof(*err));
		mt_outdir_close(&h);
		return json_pack("{s:i,s:{}}", "schema", HIST_SCHEMA,
				 "configs");
	}
	if (fd < 0) {
		mt_outdir_close(&h);
		return NULL;
	}
	ret = mt_read_fd(fd, HIST_MAX_BYTES, &buf, &len);
	close(fd);
	if (ret == 0)
		out = json_loadb(buf, len, 0, &jerr);
	free(buf);
	if (ret == -ENOMEM) {
		mt_outdir_close(&h);
		mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
			   "run history: out of memory");
		return NULL;
	}
	if (!well_formed(out)) {
		char bad[140];

		snprintf(bad, sizeof(bad), "%s.bad", name);
		mt_warn("%s/history/%s: %s%s; set aside as %s, the history of "
			"'%s' starts again",
			state_dir, name,
			ret < 0 ? "cannot be read: " :
			out	? "not a run history (schema 1)" :
				  "not JSON: ",
			ret < 0 ? strerror(-ret) :
			out	? "" :
				  jerr.text,
			bad, section);
		if (renameat(h.fd, name, h.fd, bad) < 0)
			mt_warn("%s/history/%s: cannot rename: %s", state_dir,
				name, strerror(errno));
		json_decref(out);
		out = json_pack("{s:i,s:{}}", "schema", HIST_SCHEMA, "configs");
	}
	mt_outdir_close(&h);
	if (!out)
		mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
			   "run history: out of memory");
	return out;
}

static json_t *config_of(json_t *hist, const char *id)
{
	return json_object_get(json_object_get(hist, "configs"), id);
}

void mt_hist_point_spread(json_t *hist, const char *id, const char *key,
			  struct mt_hist_spread *out)
{
	mt_hist_spread_of(json_object_get(json_object_get(config_of(hist, id),
							  "changes"),
					  key),
			  out);
}

void mt_hist_shift_spread(json_t *hist, const char *id,
			  struct mt_hist_spread *out)
{
	mt_hist_spread_of(json_object_get(config_of(hist, id), "shifts"), out);
}

/* Appends each point's change from old to new to changes[key] (the last
 * MT_HIST_KEEP). Returns 0 or -ENOMEM. */
static int add_changes(json_t *changes, json_t *old_points, json_t *new_points)
{
	const char *key;
	json_t *np;

	json_object_foreach(new_points, key, np) {
		json_t *list = json_object_get(changes, key);
		double a, b;
		int sa, sb;

		if (!point(json_object_get(old_points, key), &a, &sa) ||
		    !point(np, &b, &sb) || sa != sb)
			continue;
		if (!json_is_array(list)) {
			list = json_array();
			if (!list ||
			    json_object_set_new(changes, key, list) < 0)
				return -ENOMEM;
		}
		if (json_array_append_new(list, json_real(sb * log(b / a))) < 0)
			return -ENOMEM;
		while (json_array_size(list) > MT_HIST_KEEP)
			json_array_remove(list, 0);
	}
	return 0;
}

/* Drops the oldest configurations beyond MT_HIST_CONFIGS. */
static void trim_configs(json_t *configs)
{
	while (json_object_size(configs) > MT_HIST_CONFIGS) {
		const char *id, *oldest = NULL;
		double t_min = INFINITY;
		json_t *c;

		json_object_foreach(configs, id, c) {
			double t = num(c, "t");

			if (!oldest || !(t >= t_min)) {
				oldest = id;
				t_min = isfinite(t) ? t : -INFINITY;
			}
		}
		json_object_del(configs, oldest);
	}
}

int mt_hist_add(json_t *hist, const char *id, const char *host, const char *run,
		double t, json_t *points, double *shift, size_t *n)
{
	const char *was = json_string_value(json_object_get(hist, "host"));
	json_t *configs = json_object_get(hist, "configs"), *c, *shifts;

	*shift = NAN;
	*n = 0;
	if (!configs || (was && host && strcmp(was, host) != 0)) {
		configs = json_object();
		if (!configs ||
		    json_object_set_new(hist, "configs", configs) < 0)
			return -ENOMEM;
	}
	if (host && json_object_set_new(hist, "host", json_string(host)) < 0)
		return -ENOMEM;
	json_object_set_new(hist, "schema", json_integer(HIST_SCHEMA));
	c = json_object_get(configs, id);
	if (!c) {
		c = json_pack("{s:{},s:[],s:{}}", "points", "shifts",
			      "changes");
		if (!c || json_object_set_new(configs, id, c) < 0)
			return -ENOMEM;
	}
	if (!json_is_object(json_object_get(c, "changes")) &&
	    json_object_set_new(c, "changes", json_object()) < 0)
		return -ENOMEM;
	if (add_changes(json_object_get(c, "changes"),
			json_object_get(c, "points"), points) < 0)
		return -ENOMEM;
	shifts = json_object_get(c, "shifts");
	*shift = mt_hist_shift(json_object_get(c, "points"), points, n);
	if (isfinite(*shift)) {
		json_t *e = json_pack("{s:f,s:s,s:f,s:I}", "t", t, "run",
				      run ? run : "", "shift", *shift, "points",
				      (json_int_t)*n);

		if (!e || json_array_append_new(shifts, e) < 0)
			return -ENOMEM;
		while (json_array_size(shifts) > MT_HIST_KEEP)
			json_array_remove(shifts, 0);
	}
	if (json_object_set(c, "points", points) < 0 ||
	    json_object_set_new(c, "t", json_real(t)) < 0 ||
	    json_object_set_new(c, "run", json_string(run ? run : "")) < 0)
		return -ENOMEM;
	trim_configs(configs);
	return 0;
}

int mt_hist_save(const char *state_dir, const char *section, json_t *hist,
		 struct mt_err *err)
{
	struct mt_outdir h;
	char name[128], *s;
	int ret;

	ret = open_dir(state_dir, section, &h, err);
	if (ret < 0)
		return ret;
	snprintf(name, sizeof(name), "%s.json", section);
	s = json_dumps(hist, JSON_COMPACT | JSON_SORT_KEYS);
	if (!s) {
		mt_outdir_close(&h);
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "run history: out of memory");
	}
	ret = mt_outdir_replace(&h, "run history", name, s, strlen(s), 0600, 0,
				err);
	free(s);
	mt_outdir_close(&h);
	return ret;
}
