/* A run directory from another host: see rundata.h. */
#include "rundata.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/json_safe.h"
#include "../core/safefile.h"
#include "analysis.h"

int mt_rundata_check_file(const char *path, size_t max)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return -errno;
	if (S_ISLNK(st.st_mode))
		return -ELOOP;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((unsigned long long)st.st_size > max)
		return -EFBIG;
	return 0;
}

/* Why check_file refused, for a message. */
static const char *refusal(int rc)
{
	switch (rc) {
	case -ELOOP: return "a symbolic link (not followed)";
	case -EINVAL: return "not a regular file";
	case -EFBIG: return "larger than memtune reads";
	default: return strerror(-rc);
	}
}

static void __attribute__((format(printf, 2, 3)))
warn(struct mt_rundata *rd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mt_json_append_vfmt(rd->warnings, 1024, fmt, ap);
	va_end(ap);
}

/* Reads DIR/NAME (checked, at most max bytes) as a JSON object: NULL with
 * a warning when it is missing (quietly) or unusable. *nomem on ENOMEM. */
static json_t *load_object(struct mt_rundata *rd, const char *dir,
			   const char *name, size_t max, int *nomem)
{
	char path[4200], *text = NULL;
	json_error_t jerr;
	json_t *o;
	size_t len = 0;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	rc = mt_rundata_check_file(path, max);
	if (rc == 0)
		rc = mt_file_read_untrusted(path, max, &text, &len);
	if (rc == -ENOMEM)
		*nomem = 1;
	if (rc < 0) {
		if (rc != -ENOENT)
			warn(rd, "%s: %s; left out", path, refusal(rc));
		return NULL;
	}
	o = mt_json_loadb(text, len, 0, &jerr);
	free(text);
	if (!o && json_error_code(&jerr) == json_error_out_of_memory) {
		*nomem = 1;
		return NULL;
	}
	if (!json_is_object(o)) {
		warn(rd, "%s: %s; left out", path,
		     o ? "not a JSON object" : jerr.text);
		json_decref(o);
		return NULL;
	}
	return o;
}

/* True when analysis looks like what mt_analyze_run writes. */
static bool analysis_usable(json_t *a)
{
	return json_is_array(json_object_get(a, "facts")) &&
	       json_is_array(json_object_get(a, "benchmarks"));
}

int mt_rundata_load(const char *dir, struct mt_rundata *rd, struct mt_err *err)
{
	static const struct {
		const char *name;
		size_t max;
	} need[] = {
		{ "meta.json", MT_RUNDATA_META_MAX },
		{ "results.jsonl", MT_RUNDATA_RESULTS_MAX },
	};
	char path[4200];
	int rc, nomem = 0;

	memset(rd, 0, sizeof(*rd));
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, need[i].name);
		rc = mt_rundata_check_file(path, need[i].max);
		if (rc < 0)
			return mt_err_set(err, rc, MT_ERR_INPUT,
					  "'%s': %s (a run directory holds "
					  "the meta.json and results.jsonl "
					  "that 'memtune run' wrote)",
					  path, refusal(rc));
	}
	rd->warnings = json_array();
	if (!rd->warnings)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "'%s': out of memory", dir);
	rc = mt_run_load(dir, 0, &rd->run, err);
	if (rc < 0) {
		mt_rundata_free(rd);
		return rc;
	}
	if (!rd->run->meta) {
		/* mt_run_load said what is wrong with it. */
		const char *why =
			json_string_value(json_array_get(rd->run->warnings, 0));

		mt_err_set(err, -EINVAL, MT_ERR_INPUT,
			   "%s (the host's description is needed)",
			   why ? why : "meta.json unusable");
		mt_rundata_free(rd);
		return -EINVAL;
	}
	rd->analysis = load_object(rd, dir, "analysis.json",
				   MT_RUNDATA_ANALYSIS_MAX, &nomem);
	if (rd->analysis && !analysis_usable(rd->analysis)) {
		warn(rd,
		     "%s/analysis.json: no facts or benchmarks; analyzed "
		     "again",
		     dir);
		json_decref(rd->analysis);
		rd->analysis = NULL;
	}
	if (!rd->analysis && !nomem) {
		rd->analysis = mt_analyze_run(rd->run);
		rd->analyzed_here = 1;
		nomem = !rd->analysis;
	}
	if (!nomem)
		rd->advice = load_object(rd, dir, "advice.json",
					 MT_RUNDATA_ADVICE_MAX, &nomem);
	if (nomem) {
		mt_rundata_free(rd);
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "'%s': out of memory", dir);
	}
	return 0;
}

void mt_rundata_free(struct mt_rundata *rd)
{
	mt_run_free(rd->run);
	json_decref(rd->analysis);
	json_decref(rd->advice);
	json_decref(rd->warnings);
	memset(rd, 0, sizeof(*rd));
}
