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
#include "../core/units.h"
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
			const char *r =
				json_string_value(json_object_get(b, "reason"));
			snprintf(reason, len, "%s", r ? r : "");
		}
		if (strncmp(st, "skipped", 7) == 0)
			return "skipped";
		if (strncmp(st, "failed", 6) == 0)
			return "failed";
		return "ok";
	}
	/* No meta entry: the analysis decides (a run killed half way
	 * leaves its records but may lack the final status). */
	json_array_foreach(json_object_get(ctx->analysis, "benchmarks"), i, b) {
		const char *name = json_string_value(json_object_get(b,
								     "bench"));
		json_t *rc = json_object_get(b, "records");

		if (name && strcmp(name, bench) == 0)
			return json_integer_value(json_object_get(rc, "ok")) >
					       0 ?
				       "ok" :
				       "failed";
	}
	return NULL;
}

size_t mt_ev_find_processes(const struct mt_advise_ctx *ctx, const char *glob,
			    int *pids, size_t max)
{
	/* advisor/apps.c reads the tree's own /proc/PID, where core/fsroot
	 * would read this machine's process of the same number. */
	return ctx->live ? mt_proc_find(glob, pids, max) : 0;
}

const char *mt_ev_bytes(uint64_t bytes, char *buf, size_t len)
{
	mt_format_iec(bytes, buf, len);
	return buf;
}

void mt_ev_observed_unit(json_t *target, char *buf, size_t len)
{
	const char *id = json_string_value(json_object_get(target, "id"));
	const char *cg = json_string_value(json_object_get(target, "cgroup"));
	const char *last;
	size_t n;

	buf[0] = '\0';
	if (id && !strncmp(id, "unit:", 5) && mt_ev_unit_name_ok(id + 5)) {
		snprintf(buf, len, "%s", id + 5);
		return;
	}
	if (!cg)
		cg = json_string_value(json_object_get(target, "path"));
	if (!cg || !(last = strrchr(cg, '/')))
		return;
	last++;
	n = strlen(last);
	if (((n > 8 && !strcmp(last + n - 8, ".service")) ||
	     (n > 6 && !strcmp(last + n - 6, ".scope"))) &&
	    mt_ev_unit_name_ok(last))
		snprintf(buf, len, "%s", last);
}

bool mt_ev_unit_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 120)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) &&
		    !strchr("-_.@:\\", name[i]))
			return false;
	return true;
}
