/* One host of a fleet: its latest run, figures and advice (fleet.h). */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/json_safe.h"
#include "../core/safefile.h"
#include "facts.h"
#include "fleet.h"
#include "fleet_group.h"
#include "rundata.h"

/* Hosts with more run directories than this are refused. */
#define MAX_RUNS 4096

/* meta.json's "start" of run directory path, or "" (malformed: the run
 * is still a candidate; loading it says what is wrong). */
static void run_start(const char *path, char *buf, size_t len)
{
	char mpath[4200], *text = NULL;
	size_t tlen = 0;
	json_t *meta;

	buf[0] = '\0';
	if (snprintf(mpath, sizeof(mpath), "%s/meta.json", path) >=
		    (int)sizeof(mpath) ||
	    mt_rundata_check_file(mpath, MT_RUNDATA_META_MAX) < 0 ||
	    mt_file_read_untrusted(mpath, MT_RUNDATA_META_MAX, &text, &tlen) <
		    0)
		return;
	meta = mt_json_loadb(text, tlen, 0, NULL);
	free(text);
	snprintf(buf, len, "%s",
		 json_string_value(json_object_get(meta, "start")) ?: "");
	json_decref(meta);
}

/* Picks the latest run directory of host directory hdir into run (a
 * name). Returns the number of run directories, or -errno. */
static int latest_run(const char *hdir, char *run, size_t len)
{
	char best[64] = "", start[64], path[4200], first[4200];
	struct dirent *e;
	int n = 0;
	DIR *d = opendir(hdir);

	if (!d)
		return -errno;
	run[0] = '\0';
	while ((e = readdir(d)) && n < MAX_RUNS) {
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", hdir, e->d_name) >=
		    (int)sizeof(path))
			continue;
		if (lstat(path, &st) < 0 || !S_ISDIR(st.st_mode) ||
		    strlen(e->d_name) >= len || !mt_fleet_name_ok(e->d_name))
			continue;
		if (++n == 1) { /* one run (the usual case): no meta read */
			snprintf(run, len, "%s", e->d_name);
			memcpy(first, path, sizeof(first));
			continue;
		}
		if (n == 2)
			run_start(first, best, sizeof(best));
		run_start(path, start, sizeof(start));
		/* Latest start wins; equal starts: the greater name. */
		if (strcmp(start, best) > 0 ||
		    (strcmp(start, best) == 0 && strcmp(e->d_name, run) > 0)) {
			snprintf(best, sizeof(best), "%s", start);
			snprintf(run, len, "%s", e->d_name);
		}
	}
	closedir(d);
	return n;
}

/* A meta.json string, cut to 200 bytes (at a character's start), or "". */
static json_t *meta_str(json_t *meta, const char *key)
{
	char buf[201];
	size_t n;

	snprintf(buf, sizeof(buf), "%s",
		 json_string_value(json_object_get(meta, key)) ?: "");
	n = strlen(buf);
	if (n == sizeof(buf) - 1) {
		while (n > 0 && ((unsigned char)buf[n] & 0xc0) == 0x80)
			n--;
		buf[n] = '\0';
	}
	return json_string(buf);
}

/* The label: meta.json "label" when it is a sane name (1..128 printable
 * characters), else the host directory's name. */
static const char *host_label(json_t *meta, const char *name)
{
	const char *l = json_string_value(json_object_get(meta, "label"));
	size_t n = l ? strlen(l) : 0;

	if (n == 0 || n > 128)
		return name;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)l[i] < 0x20 || l[i] == 0x7f)
			return name;
	return l;
}

/* figures {id: value} of the analysis' facts; adds each fact's
 * description to catalogue when it has none yet. */
static json_t *host_figures(json_t *analysis, json_t *catalogue)
{
	json_t *out = json_object(), *o;
	struct mt_fact f;
	size_t i;

	json_array_foreach(json_object_get(analysis, "facts"), i, o) {
		if (!out || !mt_fact_from_json(o, &f) || !isfinite(f.value))
			continue;
		json_object_set_new(out, f.id, json_real(f.value));
		if (!json_object_get(catalogue, f.id))
			json_object_set_new(catalogue, f.id,
					    json_pack("{s:s,s:s,s:s}", "bench",
						      f.bench, "unit", f.unit,
						      "what", f.what));
	}
	return out;
}

/* A JSON scalar as text: strings as they are, others as JSON. */
static json_t *as_text(json_t *v)
{
	char *s;
	json_t *t;

	if (json_is_string(v))
		return json_string(json_string_value(v));
	if (!v)
		return json_string("");
	s = mt_json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	t = json_string(s ? s : "");
	free(s);
	return t;
}

/* advice {id: {knob, current, recommended, change}} of advice.json. */
static json_t *host_advice(json_t *advice)
{
	json_t *out = json_object(), *it;
	size_t i;

	json_array_foreach(json_object_get(advice, "items"), i, it) {
		const char *id = json_string_value(json_object_get(it, "id"));
		const char *knob = json_string_value(json_object_get(it,
								     "knob"));

		if (!out || !id || !knob || strlen(id) > 128)
			continue;
		json_object_set_new(
			out, id,
			json_pack("{s:s,s:o,s:o,s:b}", "knob", knob, "current",
				  as_text(json_object_get(it, "current")),
				  "recommended",
				  as_text(json_object_get(it, "recommended")),
				  "change",
				  json_is_true(json_object_get(it, "change"))));
	}
	return out;
}

json_t *mt_fleet_host_load(const char *dir, const char *name, json_t *figures,
			   struct mt_err *err)
{
	char hdir[4200], run[256], rdir[4500], key[512];
	unsigned long fails = mt_json_alloc_failures();
	struct mt_rundata rd;
	json_t *meta, *h;
	double gib;
	int n, rc;

	snprintf(hdir, sizeof(hdir), "%s/%s", dir, name);
	n = latest_run(hdir, run, sizeof(run));
	if (n < 0)
		return mt_err_set(err, n, MT_ERR_INPUT, "'%s': %s", hdir,
				  strerror(-n)),
		       NULL;
	if (n == 0)
		return mt_err_set(err, -ENOENT, MT_ERR_INPUT,
				  "'%s': no run directory in it (expected "
				  "HOST/RUN/ as Ansible's fetch lays it out)",
				  hdir),
		       NULL;
	snprintf(rdir, sizeof(rdir), "%s/%s", hdir, run);
	rc = mt_rundata_load(rdir, &rd, err);
	if (rc < 0)
		return NULL;
	meta = rd.run->meta;
	gib = mt_fleet_mem_gib(mt_jnum(
		json_object_get(json_object_get(meta, "system"), "memory"),
		"mem_total_bytes"));
	{
		json_t *cpu = meta_str(meta, "cpu_model");
		json_t *kern = meta_str(meta, "kernel");

		mt_fleet_group_key(key, sizeof(key), json_string_value(cpu),
				   gib, json_string_value(kern));
		snprintf(hdir, sizeof(hdir), "%s/%s", name, run);
		h = json_pack("{s:s,s:s,s:o,s:s,s:o,s:i,s:o,s:o,s:o,s:s,s:b,"
			      "s:o,s:o,s:O}",
			      "host", name, "label", host_label(meta, name),
			      "hostname", meta_str(meta, "host"), "run", hdir,
			      "start", meta_str(meta, "start"), "runs", n,
			      "cpu_model", cpu, "memory_gib",
			      gib > 0 ? json_real(gib) : json_null(), "kernel",
			      kern, "group", key, "analyzed_here",
			      rd.analyzed_here, "figures",
			      host_figures(rd.analysis, figures), "advice",
			      host_advice(rd.advice), "warnings", rd.warnings);
	}
	mt_rundata_free(&rd);
	if (!h || mt_json_alloc_failures() != fails) {
		json_decref(h);
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "fleet: out of memory reading '%s'", rdir),
		       NULL;
	}
	return h;
}
