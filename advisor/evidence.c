/* Evidence for the rules: the system snapshot, the run's records, the
 * running processes. Everything here reads; nothing decides. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/fsroot.h"
#include "advisor.h"

bool mt_ev_fact(const struct mt_advise_ctx *ctx, const char *id,
		struct mt_fact *f)
{
	return ctx->analysis && mt_fact_get(ctx->analysis, id, f);
}

size_t mt_ev_facts(const struct mt_advise_ctx *ctx, const char *prefix,
		   struct mt_fact *out, size_t max)
{
	size_t n = 0, i, len = strlen(prefix);
	json_t *o;

	json_array_foreach(json_object_get(ctx->analysis, "facts"), i, o) {
		const char *id = json_string_value(json_object_get(o, "id"));
		struct mt_fact f;

		if (!id || strncmp(id, prefix, len) != 0 ||
		    !mt_fact_from_json(o, &f))
			continue;
		if (n < max)
			out[n] = f;
		n++;
	}
	return n;
}

bool mt_fact_apart(const struct mt_fact *a, const struct mt_fact *b)
{
	if (!isfinite(a->lo) || !isfinite(b->lo))
		return false;
	return a->hi < b->lo || b->hi < a->lo;
}

const struct mt_app *mt_ev_app(const struct mt_advise_ctx *ctx,
			       enum mt_app_kind kind)
{
	return kind < MT_APP_N && ctx->apps[kind].present ? &ctx->apps[kind] :
							     NULL;
}

bool mt_ev_sysctl(const struct mt_advise_ctx *ctx, const char *name,
		  int64_t *out)
{
	char key[96];
	json_t *v;

	snprintf(key, sizeof(key), "vm.%s", name);
	v = json_object_get(json_object_get(ctx->sys, "sysctls"), key);
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return true;
	}
	if (json_is_string(v)) {
		char *end;
		long long x = strtoll(json_string_value(v), &end, 10);

		if (end != json_string_value(v)) {
			*out = x;
			return true;
		}
	}
	return false;
}

bool mt_ev_kernel_at_least(const struct mt_advise_ctx *ctx, int major,
			   int minor)
{
	if (ctx->kernel_major != major)
		return ctx->kernel_major > major;
	return ctx->kernel_minor >= minor;
}

const char *mt_ev_bench_status(const struct mt_advise_ctx *ctx,
			       const char *bench, char *reason, size_t len)
{
	json_t *list = json_object_get(ctx->meta, "benchmarks"), *b;
	size_t i;

	if (reason && len)
		reason[0] = '\0';
	json_array_foreach(list, i, b) {
		const char *name = json_string_value(json_object_get(b,
								     "bench"));
		const char *st = json_string_value(json_object_get(b,
								   "status"));

		if (!name || strcmp(name, bench) != 0 || !st)
			continue;
		if (reason && len) {
			const char *r = json_string_value(
				json_object_get(b, "reason"));
			snprintf(reason, len, "%s", r ? r : "");
		}
		if (strncmp(st, "skipped", 7) == 0)
			return "skipped";
		if (strncmp(st, "failed", 6) == 0)
			return "failed";
		return "ok";
	}
	/* No meta entry: the records alone decide (a run killed half way
	 * leaves its records but may lack the final status). */
	json_array_foreach(ctx->records, i, b) {
		const char *name = json_string_value(json_object_get(b,
								     "bench"));

		if (name && strcmp(name, bench) == 0)
			return "ok";
	}
	return NULL;
}

/* True if the case value v, as text, equals want. */
static bool case_value_is(json_t *v, const char *want)
{
	char buf[64];

	if (json_is_string(v))
		return strcmp(json_string_value(v), want) == 0;
	if (json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
		return strcmp(buf, want) == 0;
	}
	if (json_is_boolean(v))
		return strcmp(json_is_true(v) ? "true" : "false", want) == 0;
	if (json_is_real(v)) {
		snprintf(buf, sizeof(buf), "%g", json_real_value(v));
		return strcmp(buf, want) == 0;
	}
	return false;
}

/* True if the record's case matches every key=value of filter. */
static bool case_matches(json_t *kase, const char *filter)
{
	char buf[512], *save = NULL;

	if (!filter || !*filter)
		return true;
	snprintf(buf, sizeof(buf), "%s", filter);
	for (char *kv = strtok_r(buf, ",", &save); kv;
	     kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');

		if (!eq)
			return false;
		*eq = '\0';
		if (!case_value_is(json_object_get(kase, kv), eq + 1))
			return false;
	}
	return true;
}

size_t mt_ev_select(const struct mt_advise_ctx *ctx, const char *bench,
		    const char *metric, const char *filter, json_t **out,
		    size_t max)
{
	size_t i, n = 0;
	json_t *r;

	json_array_foreach(ctx->records, i, r) {
		const char *b = json_string_value(json_object_get(r, "bench"));
		const char *m = json_string_value(json_object_get(r, "metric"));
		const char *st = json_string_value(json_object_get(r,
								   "status"));

		if (!b || !m || strcmp(b, bench) != 0 ||
		    (metric && strcmp(m, metric) != 0))
			continue;
		if (st && strcmp(st, "ok") != 0)
			continue;
		if (!case_matches(json_object_get(r, "case"), filter))
			continue;
		if (n < max && out)
			out[n] = r;
		n++;
	}
	return n;
}

double mt_ev_num(json_t *rec, const char *key)
{
	json_t *v = json_object_get(rec, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

bool mt_ev_case_int(json_t *rec, const char *key, int64_t *out)
{
	json_t *v = json_object_get(json_object_get(rec, "case"), key);

	if (!json_is_integer(v))
		return false;
	*out = json_integer_value(v);
	return true;
}

size_t mt_ev_find_processes(const struct mt_advise_ctx *ctx,
			    const char *glob, int *pids, size_t max)
{
	/* advisor/apps.c reads the tree's own /proc/PID, where core/fsroot
	 * would read this machine's process of the same number. */
	return ctx->live ? mt_proc_find(glob, pids, max) : 0;
}

const char *mt_ev_bytes(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB",
					     "TiB" };
	double v = (double)bytes;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0 || v == floor(v))
		snprintf(buf, len, "%.0f %s", v, units[u]);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}
