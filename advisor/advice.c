/* The advice: gathering the context, running the rule table, and the three
 * outputs (the table with one paragraph per finding, advice.json, the
 * sysctl.d file). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/fsroot.h"
#include "../core/grow.h"
#include "../core/knobs.h"
#include "../core/json_safe.h"
#include "../core/log.h"
#include "../core/record.h"
#include "../core/safefile.h"
#include "../core/sysinfo.h"
#include "../analyzer/analysis.h"
#include "../analyzer/run.h"
#include "advisor.h"

const struct mt_rule *const mt_rules[] = {
#define MT_RULE(n) &mt_rule_##n,
#include "rules.def"
#undef MT_RULE
};
const size_t mt_n_rules = sizeof(mt_rules) / sizeof(mt_rules[0]);

const struct mt_rule *mt_rule_find(const char *name)
{
	for (size_t i = 0; name && i < mt_n_rules; i++)
		if (strcmp(mt_rules[i]->name, name) == 0)
			return mt_rules[i];
	return NULL;
}

/* --- context --------------------------------------------------------------- */

static uint64_t obj_u64(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) && json_integer_value(v) > 0 ?
		       (uint64_t)json_integer_value(v) :
		       0;
}

/* Derives the facts every rule shares from ctx->sys. */
static void gather_facts(struct mt_advise_ctx *ctx)
{
	json_t *mem = json_object_get(ctx->sys, "memory");
	json_t *swap = json_object_get(ctx->sys, "swap");
	json_t *thp = json_object_get(ctx->sys, "thp");
	json_t *numa = json_object_get(ctx->sys, "numa");
	const char *kernel = json_string_value(json_object_get(ctx->sys,
							       "kernel"));
	json_t *dev;
	size_t i;
	long best_prio = -100000;

	ctx->kernel_major = ctx->kernel_minor = 0;
	if (kernel)
		sscanf(kernel, "%d.%d", &ctx->kernel_major, &ctx->kernel_minor);
	ctx->mem_total = obj_u64(mem, "mem_total_bytes");
	ctx->mem_available = obj_u64(mem, "mem_available_bytes");
	ctx->swap_total = obj_u64(swap, "total_bytes");
	if (!ctx->swap_total)
		ctx->swap_total = obj_u64(mem, "swap_total_bytes");
	ctx->swap_kind = MT_SWAP_NONE;
	/* The kernel fills the highest-priority device first: its type is
	 * what a swap-out costs. */
	json_array_foreach(json_object_get(swap, "devices"), i, dev) {
		const char *type = json_string_value(json_object_get(dev,
								     "type"));
		json_t *pr = json_object_get(dev, "priority");
		long prio = json_is_integer(pr) ? (long)json_integer_value(pr) :
						  -1;

		if (!type || prio < best_prio)
			continue;
		best_prio = prio;
		if (strcmp(type, "zram") == 0)
			ctx->swap_kind = MT_SWAP_ZRAM;
		else if (strcmp(type, "file") == 0)
			ctx->swap_kind = MT_SWAP_FILE;
		else
			ctx->swap_kind = MT_SWAP_DISK;
	}
	if (ctx->swap_total && ctx->swap_kind == MT_SWAP_NONE)
		ctx->swap_kind = MT_SWAP_DISK;
	ctx->thp_enabled[0] = ctx->thp_defrag[0] = '\0';
	if (json_is_object(thp) &&
	    !json_is_false(json_object_get(thp, "available"))) {
		const char *e = json_string_value(json_object_get(thp,
								  "enabled"));
		const char *d = json_string_value(json_object_get(thp,
								  "defrag"));

		snprintf(ctx->thp_enabled, sizeof(ctx->thp_enabled), "%s",
			 e ? e : "");
		snprintf(ctx->thp_defrag, sizeof(ctx->thp_defrag), "%s",
			 d ? d : "");
	}
	ctx->numa_nodes = (int)obj_u64(numa, "nodes_with_memory");
	if (ctx->numa_nodes < 1)
		ctx->numa_nodes = 1;
}

int mt_advise_ctx_from(struct mt_advise_ctx *ctx, json_t *sys, json_t *records,
		       const struct mt_profile *profile, bool live)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->profile = profile;
	ctx->sys = json_incref(sys);
	ctx->live = live;
	snprintf(ctx->system_source, sizeof(ctx->system_source), "%s",
		 live ? "the live system" : "a snapshot");
	gather_facts(ctx);
	/* Synthetic evidence is analyzed as a run would be: rules read
	 * the analyzer's facts, never the records. */
	if (json_array_size(records)) {
		struct mt_run *run;

		if (mt_run_from_records("(records)", NULL, records, &run) < 0)
			return -ENOMEM;
		ctx->analysis = mt_analyze_run(run);
		mt_run_free(run);
		if (!ctx->analysis)
			return -ENOMEM;
	}
	/* The applications: running ones only on the machine we read
	 * (advisor/apps.c), named ones from the profile everywhere. */
	return mt_apps_detect(ctx);
}

/* The run's system snapshot (meta.json "system"), completed with the
 * top-level host, kernel and cpu_model an older or partial meta.json
 * keeps only there: without them a run made here would be advised as
 * another host's, on a kernel "0.0". A new reference, NULL when meta has
 * no system object (or memory runs out). */
static json_t *system_of(json_t *meta)
{
	static const char *const keys[] = { "host", "kernel", "cpu_model" };
	json_t *sys = json_object_get(meta, "system"), *copy;

	if (!json_is_object(sys))
		return NULL;
	copy = json_copy(sys);
	for (size_t i = 0; copy && i < 3; i++) {
		json_t *top = json_object_get(meta, keys[i]);

		if (!json_is_string(json_object_get(copy, keys[i])) &&
		    json_is_string(top) &&
		    json_object_set(copy, keys[i], top) < 0) {
			json_decref(copy);
			return NULL;
		}
	}
	return copy;
}

/* mtime of path, or -1. */
static double mtime_of(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -1;
	return (double)st.st_mtim.tv_sec + st.st_mtim.tv_nsec * 1e-9;
}

/* The run's analysis (issue 13: the advisor reads the analyzer's facts,
 * never the records): DIR/analysis.json when this build wrote it after
 * results.jsonl last changed; otherwise the run is analyzed now and
 * *stale set, so that the command writes analysis.json beside the advice
 * (the library writes nothing into a run directory). Returns 0, or
 * -errno with err set when memory runs out or the run cannot be
 * loaded. */
static int load_analysis(const char *run_dir, json_t **out, bool *stale,
			 struct mt_err *err)
{
	char apath[4096], rpath[4096];
	struct mt_run *run;
	json_t *a;
	double ta, tr;
	int rc;

	snprintf(apath, sizeof(apath), "%s/analysis.json", run_dir);
	snprintf(rpath, sizeof(rpath), "%s/results.jsonl", run_dir);
	ta = mtime_of(apath);
	tr = mtime_of(rpath);
	*stale = true;
	if (ta >= 0 && tr >= 0 && ta >= tr) {
		json_error_t jerr;
		const char *v;
		char *text = NULL;
		size_t tlen = 0;

		/* The run directory may be anyone's: the file itself, a
		 * regular one of sane size, or it is analyzed afresh. */
		rc = mt_file_read_untrusted(apath, 64 << 20, &text, &tlen);
		if (rc == -ENOMEM)
			return mt_err_set(err, rc, MT_ERR_RUNTIME,
					  "advise: "
					  "reading %s: out of memory",
					  apath);
		a = rc == 0 ? mt_json_loadb(text, tlen, 0, &jerr) : NULL;
		free(text);
		v = json_string_value(json_object_get(a, "memtune_version"));
		if (json_is_array(json_object_get(a, "facts")) && v &&
		    strcmp(v, mt_analysis_version()) == 0 &&
		    json_integer_value(json_object_get(a, "schema_version")) ==
			    MT_ANALYSIS_SCHEMA_VERSION) {
			*out = a;
			*stale = false;
			return 0;
		}
		json_decref(a);
	}
	rc = mt_run_load(run_dir, 0, &run, err);
	if (rc == -ENOMEM)
		mt_err_prefix(err, "advise");
	else if (rc < 0)
		mt_err_prefix(err,
			      "advise: %s is not a run directory (run "
			      "memtune run first)",
			      run_dir);
	if (rc < 0)
		return rc;
	/* A malformed line costs only that line: said, and skipped. */
	{
		json_t *w;
		size_t i;

		json_array_foreach(run->warnings, i, w)
			if (!strstr(json_string_value(w), "meta.json"))
				mt_warn("advise: %s (line skipped)",
					json_string_value(w));
	}
	a = mt_analyze_run(run);
	mt_run_free(run);
	if (!a)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "advise: "
				  "analyzing %s: out of memory",
				  run_dir);
	*out = a;
	return 0;
}

int mt_advise_ctx_init(struct mt_advise_ctx *ctx, const char *run_dir,
		       const struct mt_profile *profile, struct mt_err *err)
{
	char path[4096];
	json_t *live = NULL, *meta = NULL, *msys;
	json_error_t jerr;
	unsigned long json_failed;
	struct stat st;
	int rc;

	memset(ctx, 0, sizeof(*ctx));
	if (run_dir) {
		/* Not a run directory: said before anything is read. */
		snprintf(path, sizeof(path), "%s/results.jsonl", run_dir);
		if (stat(path, &st) < 0)
			return mt_err_set(err, -errno, MT_ERR_INPUT,
					  "advise: %s is not a run directory "
					  "(run memtune run first): cannot "
					  "read '%s': %s",
					  run_dir, path, strerror(errno));
		snprintf(path, sizeof(path), "%s/meta.json", run_dir);
		meta = mt_json_load_file(path, 0, &jerr);
		if (!meta &&
		    json_error_code(&jerr) == json_error_out_of_memory) {
			return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
					  "advise: cannot read %s: out of "
					  "memory",
					  path);
		}
		if (!meta && access(path, F_OK) == 0)
			mt_warn("advise: %s:%d:%d: %s; advising from the live "
				"system's state instead of the run's snapshot",
				path, jerr.line, jerr.column, jerr.text);
		else if (!meta)
			mt_warn("advise: %s is missing; advising from the live "
				"system's state instead of the run's snapshot",
				path);
	}
	json_failed = mt_json_alloc_failures();
	live = mt_sysinfo_collect(NULL, err);
	/* Out of memory or file descriptors is no reason to advise from the
	 * run's snapshot instead: that would be other advice, quietly. */
	if (!live && (mt_fs_resource_error(NULL) < 0 ||
		      mt_json_alloc_failures() != json_failed)) {
		rc = mt_fs_resource_error(NULL);
		json_decref(meta);
		mt_err_prefix(err, "advise");
		return rc < 0 ? rc : -ENOMEM;
	}
	msys = system_of(meta);
	if (!msys && json_is_object(json_object_get(meta, "system"))) {
		json_decref(meta);
		json_decref(live);
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "advise: out of memory");
	}
	if (!live && !json_is_object(msys)) {
		json_decref(meta);
		return -EIO;
	}
	mt_err_clear(err);
	/* A run made on another host is advised on its own snapshot: the
	 * fleet case, where one machine reads the runs of many. */
	if (json_is_object(msys) &&
	    (!live || !json_equal(json_object_get(live, "host"),
				  json_object_get(msys, "host")))) {
		rc = mt_advise_ctx_from(ctx, msys, NULL, profile, false);
		snprintf(ctx->system_source, sizeof(ctx->system_source),
			 "the snapshot in %s/meta.json (host %s)", run_dir,
			 json_string_value(json_object_get(msys, "host")) ?:
									    "?");
	} else {
		rc = mt_advise_ctx_from(ctx, live, NULL, profile, true);
		snprintf(ctx->system_source, sizeof(ctx->system_source),
			 "the live system (root %s)", mt_fsroot());
	}
	json_decref(live);
	json_decref(msys);
	ctx->meta = meta;
	ctx->run_dir = run_dir;
	if (rc < 0)
		return mt_err_set(err, rc, MT_ERR_RUNTIME,
				  "advise: out of memory");
	if (run_dir) {
		rc = load_analysis(run_dir, &ctx->analysis,
				   &ctx->analysis_stale, err);
		if (rc < 0) {
			mt_advise_ctx_free(ctx);
			return rc;
		}
	}
	return 0;
}

void mt_advise_ctx_free(struct mt_advise_ctx *ctx)
{
	json_decref(ctx->sys);
	json_decref(ctx->meta);
	json_decref(ctx->analysis);
	json_decref(ctx->signals);
	memset(ctx, 0, sizeof(*ctx));
}

/* --- items ------------------------------------------------------------------ */

struct mt_item *mt_advice_add(struct mt_advice *a, const struct mt_rule *r,
			      const char *id)
{
	struct mt_item *it;

	if (mt_grow(&a->items, &a->cap, a->n, sizeof(*a->items), 16) < 0)
		return NULL;
	it = &a->items[a->n];
	memset(it, 0, sizeof(*it));
	it->evidence = json_array();
	if (!it->evidence)
		return NULL;
	a->n++;
	snprintf(it->id, sizeof(it->id), "%s", id);
	snprintf(it->rule, sizeof(it->rule), "%s", r ? r->name : "");
	it->source = r ? r->source : "";
	it->confidence = MT_CONF_LOW;
	return it;
}

struct mt_item *mt_advice_find(const struct mt_advice *a, const char *id)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->items[i].id, id) == 0)
			return &a->items[i];
	return NULL;
}

void mt_item_evidence(struct mt_item *it, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mt_json_append_vfmt(it->evidence, 512, fmt, ap);
	va_end(ap);
}

void mt_item_reason(struct mt_item *it, const char *fmt, ...)
{
	size_t len = strlen(it->reason);
	va_list ap;

	if (len && len + 1 < sizeof(it->reason) && it->reason[len - 1] != ' ')
		it->reason[len++] = ' ', it->reason[len] = '\0';
	va_start(ap, fmt);
	vsnprintf(it->reason + len, sizeof(it->reason) - len, fmt, ap);
	va_end(ap);
}

void mt_item_knob(struct mt_item *it, const char *knob, const char *value)
{
	struct mt_knob k;

	snprintf(it->knob, sizeof(it->knob), "%s", knob);
	snprintf(it->value, sizeof(it->value), "%s", value);
	snprintf(it->recommended, sizeof(it->recommended), "%s", value);
	it->path[0] = it->sysctl[0] = it->apply[0] = '\0';
	if (mt_knob_lookup(knob, 0, &k) < 0)
		return; /* not applied automatically */
	snprintf(it->path, sizeof(it->path), "%s", k.path);
	snprintf(it->sysctl, sizeof(it->sysctl), "%s", k.sysctl);
	if (k.sysctl[0])
		snprintf(it->apply, sizeof(it->apply), "sysctl -w %s=%s",
			 k.sysctl, value);
	else
		snprintf(it->apply, sizeof(it->apply), "echo %s > %s", value,
			 k.path);
}

void mt_item_knob_to(struct mt_item *it, const char *knob, const char *current,
		     const char *recommended)
{
	snprintf(it->current, sizeof(it->current), "%s", current);
	mt_item_knob(it, knob, recommended);
	it->change = strcmp(current, recommended) != 0;
}

struct mt_item *mt_advice_add_knob(struct mt_advice *a, const struct mt_rule *r,
				   const char *id, const char *knob,
				   const char *current, const char *rec,
				   struct mt_knob *k)
{
	struct mt_item *it = mt_advice_add(a, r, id);

	if (!it)
		return NULL;
	mt_knob_lookup(knob, 0, k);
	mt_item_knob_to(it, knob, current, rec ? rec : k->dflt);
	return it;
}

struct mt_item *mt_advice_add_int_knob(struct mt_advice *a,
				       const struct mt_rule *r, const char *id,
				       const char *knob, int64_t cur,
				       bool to_default, struct mt_knob *k)
{
	struct mt_item *it;
	char now[32];

	snprintf(now, sizeof(now), "%lld", (long long)cur);
	it = mt_advice_add_knob(a, r, id, knob, now, to_default ? NULL : now,
				k);
	if (!it)
		return NULL;
	mt_item_evidence(it, "%s = %lld (kernel default %s)",
			 k->sysctl[0] ? k->sysctl : k->path, (long long)cur,
			 k->dflt);
	mt_item_ground(it, MT_GROUND_DOCUMENTED, k->source);
	return it;
}

void mt_item_sysctl(struct mt_item *it, const char *name, const char *value)
{
	char knob[96];

	snprintf(knob, sizeof(knob), "vm.%s", name);
	mt_item_knob(it, knob, value);
	if (it->path[0])
		return;
	/* A vm sysctl the table does not know: the old behaviour. */
	snprintf(it->sysctl, sizeof(it->sysctl), "vm.%s", name);
	snprintf(it->path, sizeof(it->path), "/proc/sys/vm/%s", name);
	snprintf(it->apply, sizeof(it->apply), "sysctl -w vm.%s=%s", name,
		 value);
}

/* What the ground means, for people. */
static const char *ground_text(enum mt_ground g)
{
	switch (g) {
	case MT_GROUND_MEASURED: return "measured here";
	case MT_GROUND_HARD_RULE: return "documented hard rule";
	case MT_GROUND_DOCUMENTED:
		return "documented rule, not measured "
		       "here";
	case MT_GROUND_INCONCLUSIVE: return "inconclusive";
	case MT_GROUND_PRACTICE: return "practice without a primary source";
	case MT_GROUND_NONE: break;
	}
	return "ground not stated";
}

const char *mt_ground_name(enum mt_ground g)
{
	switch (g) {
	case MT_GROUND_MEASURED: return "measured";
	case MT_GROUND_HARD_RULE: return "hard_rule";
	case MT_GROUND_DOCUMENTED: return "documented";
	case MT_GROUND_INCONCLUSIVE: return "inconclusive";
	case MT_GROUND_PRACTICE: return "practice";
	case MT_GROUND_NONE: break;
	}
	return "unstated";
}

void mt_item_ground(struct mt_item *it, enum mt_ground g, const char *source)
{
	it->ground = g;
	if (source)
		it->source = source;
	it->confidence = g == MT_GROUND_MEASURED || g == MT_GROUND_HARD_RULE ?
				 MT_CONF_HIGH :
			 g == MT_GROUND_DOCUMENTED ? MT_CONF_MEDIUM :
						     MT_CONF_LOW;
	if (g == MT_GROUND_PRACTICE)
		mt_item_evidence(it, "practice without a primary source");
	else if (g == MT_GROUND_INCONCLUSIVE && it->measured)
		mt_item_evidence(it, "the measurement's 95%% interval does "
				     "not exclude the alternative");
	else if (g == MT_GROUND_INCONCLUSIVE)
		mt_item_evidence(it, "what decides it is not known here");
}

void mt_item_cite(struct mt_item *it, const struct mt_fact *f)
{
	char buf[160];

	mt_item_evidence(it, "fact %s: %s: %s", f->id,
			 mt_fact_format(f, buf, sizeof(buf)), f->what);
	if (!it->facts)
		it->facts = json_array();
	if (it->facts)
		json_array_append_new(it->facts, json_string(f->id));
	it->measured = true;
}

const char *mt_confidence_name(enum mt_confidence c)
{
	return c == MT_CONF_HIGH   ? "high" :
	       c == MT_CONF_MEDIUM ? "medium" :
				     "low";
}

int mt_advise(const struct mt_advise_ctx *ctx, struct mt_advice *out,
	      struct mt_err *err)
{
	snprintf(out->profile, sizeof(out->profile), "%s",
		 ctx->profile ? ctx->profile->name : "balanced");
	out->basis_run = ctx->run_dir != NULL;
	snprintf(out->run_dir, sizeof(out->run_dir), "%s",
		 ctx->run_dir ? ctx->run_dir : "");
	snprintf(out->system_source, sizeof(out->system_source), "%s",
		 ctx->system_source);
	for (size_t i = 0; i < mt_n_rules; i++) {
		size_t first = out->n;
		int rc = mt_rules[i]->advise(ctx, out, err);

		if (rc < 0) {
			mt_err_prefix(err, "advise: rule %s",
				      mt_rules[i]->name);
			return rc;
		}
		/* Each item says what it rests on (DESIGN §2). */
		for (size_t k = first; k < out->n; k++)
			if (!out->items[k].measured)
				mt_item_evidence(
					&out->items[k],
					"basis: system state only "
					"(%s)%s",
					ctx->system_source,
					ctx->run_dir ?
						"; no measurement in the run "
						"bears on it" :
						"");
	}
	return 0;
}

void mt_advice_free(struct mt_advice *a)
{
	for (size_t i = 0; i < a->n; i++) {
		json_decref(a->items[i].evidence);
		json_decref(a->items[i].facts);
	}
	free(a->items);
	memset(a, 0, sizeof(*a));
}

/* --- advice.json ------------------------------------------------------------ */

json_t *mt_advice_json(const struct mt_advice *a)
{
	json_t *root = json_object(), *items = json_array();

	if (!root || !items)
		goto free_all;
	json_object_set_new(root, "schema_version",
			    json_integer(MT_ADVICE_SCHEMA_VERSION));
	json_object_set_new(root, "profile", json_string(a->profile));
	json_object_set_new(root, "basis",
			    json_string(a->basis_run ? "run" : "system"));
	if (a->run_dir[0])
		json_object_set_new(root, "run_dir", json_string(a->run_dir));
	json_object_set_new(root, "system_source",
			    json_string(a->system_source));
	for (size_t i = 0; i < a->n; i++) {
		const struct mt_item *it = &a->items[i];
		json_t *o = json_pack(
			"{s:s, s:s, s:s, s:s, s:b, s:s, s:O, s:s, s:s, s:s, "
			"s:s, s:s}",
			"id", it->id, "knob", it->knob, "current", it->current,
			"recommended", it->recommended, "change", it->change,
			"confidence", mt_confidence_name(it->confidence),
			"evidence", it->evidence, "reason", it->reason,
			"source", it->source ? it->source : "", "apply",
			it->apply, "basis", it->measured ? "run" : "system",
			"rule", it->rule);

		if (!o)
			goto free_all;
		if (it->path[0])
			json_object_set_new(o, "target",
					    json_pack("{s:s, s:s, s:s}", "path",
						      it->path, "value",
						      it->value, "sysctl",
						      it->sysctl));
		if (it->force[0])
			json_object_set_new(o, "needs_force",
					    json_string(it->force));
		json_object_set_new(o, "ground",
				    json_string(mt_ground_name(it->ground)));
		if (it->facts)
			json_object_set_new(o, "facts", json_copy(it->facts));
		json_array_append_new(items, o);
	}
	json_object_set_new(root, "items", items);
	return root;

free_all:
	json_decref(items);
	json_decref(root);
	return NULL;
}

/* Copies string field key of o into buf; false if absent or not a string. */
static bool get_str(json_t *o, const char *key, char *buf, size_t len)
{
	const char *s = json_string_value(json_object_get(o, key));

	if (!s)
		return false;
	snprintf(buf, len, "%s", s);
	return true;
}

/* "high", "medium" or "low" back to the enum; an item without one (a
 * hand-written file) counts as medium, so that apply does not skip it. */
static enum mt_confidence parse_confidence(const char *s)
{
	if (s && strcmp(s, "high") == 0)
		return MT_CONF_HIGH;
	if (s && strcmp(s, "low") == 0)
		return MT_CONF_LOW;
	return MT_CONF_MEDIUM;
}

int mt_advice_from_json(json_t *root, const char *path, struct mt_advice *a,
			struct mt_err *err)
{
	json_t *items = json_object_get(root, "items"), *o;
	size_t i;

	memset(a, 0, sizeof(*a));
	if (json_integer_value(json_object_get(root, "schema_version")) !=
		    MT_ADVICE_SCHEMA_VERSION ||
	    !json_is_array(items))
		return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				  "%s: not an advice file of schema_version "
				  "%d with an items array (run memtune "
				  "advise again)",
				  path, MT_ADVICE_SCHEMA_VERSION);
	get_str(root, "profile", a->profile, sizeof(a->profile));
	a->basis_run = json_string_value(json_object_get(root, "basis")) &&
		       strcmp(json_string_value(json_object_get(root, "basis")),
			      "run") == 0;
	get_str(root, "run_dir", a->run_dir, sizeof(a->run_dir));
	json_array_foreach(items, i, o) {
		struct mt_item *it = mt_advice_add(a, NULL, "");
		json_t *t = json_object_get(o, "target");

		if (!it) {
			mt_advice_free(a);
			return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
					  "%s: out of memory", path);
		}
		if (!get_str(o, "id", it->id, sizeof(it->id)) ||
		    !get_str(o, "knob", it->knob, sizeof(it->knob)) ||
		    !json_is_boolean(json_object_get(o, "change"))) {
			mt_advice_free(a);
			return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
					  "%s: item %zu lacks id, knob or "
					  "change",
					  path, i + 1);
		}
		it->change = json_is_true(json_object_get(o, "change"));
		it->confidence = parse_confidence(
			json_string_value(json_object_get(o, "confidence")));
		{
			const char *g =
				json_string_value(json_object_get(o, "ground"));

			for (int k = MT_GROUND_MEASURED;
			     g && k <= MT_GROUND_PRACTICE; k++)
				if (!strcmp(g, mt_ground_name(k)))
					it->ground = k;
		}
		get_str(o, "current", it->current, sizeof(it->current));
		get_str(o, "recommended", it->recommended,
			sizeof(it->recommended));
		get_str(o, "reason", it->reason, sizeof(it->reason));
		get_str(o, "apply", it->apply, sizeof(it->apply));
		get_str(o, "rule", it->rule, sizeof(it->rule));
		get_str(o, "needs_force", it->force, sizeof(it->force));
		{
			/* Only the names tune writes count. */
			static const char *const verdicts[] = {
				"improves", "no_effect", "harms", "inconclusive"
			};
			const char *v = json_string_value(json_object_get(
				json_object_get(o, "verification"), "verdict"));

			for (size_t k = 0; v && k < 4; k++)
				if (!strcmp(v, verdicts[k]))
					snprintf(it->verdict,
						 sizeof(it->verdict), "%s",
						 verdicts[k]);
		}
		if (json_is_object(t)) {
			get_str(t, "path", it->path, sizeof(it->path));
			get_str(t, "value", it->value, sizeof(it->value));
			get_str(t, "sysctl", it->sysctl, sizeof(it->sysctl));
		}
	}
	return 0;
}

/* --- the table and the paragraphs -------------------------------------------- */

/* Prints text wrapped at 78 columns with the given indent. */
static void wrap(FILE *out, const char *indent, const char *text)
{
	size_t col = 0, ind = strlen(indent);
	const char *p = text;

	fputs(indent, out);
	col = ind;
	while (*p) {
		size_t w = strcspn(p, " ");

		if (col > ind && col + 1 + w > 78) {
			fputc('\n', out);
			fputs(indent, out);
			col = ind;
		} else if (col > ind) {
			fputc(' ', out);
			col++;
		}
		fwrite(p, 1, w, out);
		col += w;
		p += w;
		while (*p == ' ')
			p++;
	}
	fputc('\n', out);
}

void mt_advice_print(FILE *out, const struct mt_advice *a)
{
	size_t changes = 0;

	fprintf(out, "advice for profile %s, basis %s%s%s\n", a->profile,
		a->basis_run ? "run " : "system state",
		a->basis_run ? a->run_dir : "",
		a->basis_run ? "" : " (no run directory: lower confidence)");
	int w = 30;

	/* The knob column as wide as its longest name (at most 48). */
	for (size_t i = 0; i < a->n; i++) {
		int len = (int)strlen(a->items[i].knob);

		if (len > w)
			w = len > 48 ? 48 : len;
	}
	fprintf(out, "%-*s %-14s %-14s %-6s %s\n", w, "KNOB", "CURRENT",
		"RECOMMENDED", "CONF", "EVIDENCE");
	for (size_t i = 0; i < a->n; i++) {
		const struct mt_item *it = &a->items[i];
		const char *ev = json_string_value(json_array_get(it->evidence,
								  0));
		char evbuf[64];

		snprintf(evbuf, sizeof(evbuf), "%s", ev ? ev : "");
		if (ev && strlen(ev) >= sizeof(evbuf))
			memcpy(evbuf + sizeof(evbuf) - 4, "...", 4);
		fprintf(out, "%-*.48s %-14.14s %c%-13.13s %-6s %s\n", w,
			it->knob, it->current, it->change ? '*' : ' ',
			it->recommended, mt_confidence_name(it->confidence),
			evbuf);
		changes += it->change;
	}
	fprintf(out, "(* = a change; %zu of %zu)\n", changes, a->n);
	for (size_t i = 0; i < a->n; i++) {
		const struct mt_item *it = &a->items[i];
		char head[512], buf[4096];
		size_t k, len = 0;
		json_t *e;

		snprintf(head, sizeof(head), "%s: %s %s %s (%s confidence, %s)",
			 it->knob, it->current, it->change ? "->" : "stays",
			 it->change ? it->recommended : "",
			 mt_confidence_name(it->confidence),
			 ground_text(it->ground));
		fprintf(out, "\n");
		wrap(out, "", head);
		wrap(out, "  ", it->reason);
		buf[0] = '\0';
		json_array_foreach(it->evidence, k, e)
			len += snprintf(buf + len,
					len < sizeof(buf) ? sizeof(buf) - len :
							    0,
					"%s%s", k ? "; " : "Evidence: ",
					json_string_value(e));
		if (buf[0])
			wrap(out, "  ", buf);
		if (it->change && it->apply[0]) {
			snprintf(buf, sizeof(buf), "Apply: %s", it->apply);
			wrap(out, "  ", buf);
		}
		if (it->force[0]) {
			snprintf(buf, sizeof(buf),
				 "memtune apply needs "
				 "--force %s: %s",
				 it->rule, it->force);
			wrap(out, "  ", buf);
		}
		if (it->source && it->source[0]) {
			snprintf(buf, sizeof(buf), "Source: %s", it->source);
			wrap(out, "  ", buf);
		}
	}
}

/* --- the sysctl.d file -------------------------------------------------------- */

char *mt_advice_sysctl_conf(const struct mt_advice *a)
{
	return mt_advice_sysctl_conf_sel(a, NULL);
}

/* Copies s into buf as one line of printable text: a control character
 * (a newline above all, which would start a setting of its own in the
 * sysctl.d file) becomes '?'. advice.json may come from anyone. */
static const char *oneline(const char *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s", s);
	for (char *c = buf; *c; c++)
		if ((unsigned char)*c < ' ' || *c == 0x7f)
			*c = '?';
	return buf;
}

char *mt_advice_sysctl_conf_sel(const struct mt_advice *a, const bool *sel)
{
	char *text = NULL, b1[1024], b2[128];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fprintf(f,
		"# %s: written by memtune %s (profile %s, basis %s%s)"
		".\n# Each setting says why; memtune rollback restores what "
		"this file replaced.\n",
		MT_SYSCTL_D_NAME, sel ? "apply --persist" : "advise",
		oneline(a->profile, b2, sizeof(b2)),
		a->basis_run ? "run " : "system state",
		a->basis_run ? oneline(a->run_dir, b1, sizeof(b1)) : "");
	for (size_t i = 0; i < a->n; i++) {
		const struct mt_item *it = &a->items[i];
		char why[200];
		const char *dot;
		size_t n;

		if (sel ? !sel[i] : !it->change)
			continue;
		if (!it->sysctl[0])
			continue;
		/* The first sentence of the reason is the why. */
		dot = strstr(it->reason, ". ");
		n = dot ? (size_t)(dot - it->reason) + 1 : strlen(it->reason);
		if (n >= sizeof(why))
			n = sizeof(why) - 4;
		memcpy(why, it->reason, n);
		why[n] = '\0';
		if (n == sizeof(why) - 4)
			strcat(why, "...");
		for (char *c = why; *c; c++)
			if ((unsigned char)*c < ' ' || *c == 0x7f)
				*c = '?';
		fprintf(f, "\n# %s (%s confidence, %s; was %s): %s\n",
			oneline(it->id, b2, sizeof(b2)),
			mt_confidence_name(it->confidence),
			ground_text(it->ground),
			oneline(it->current, b1, sizeof(b1)), why);
		/* A guess does not belong in a file applied at every boot:
		 * it stays visible, commented out, with the reason - unless
		 * the operator applied it by name. */
		if (!sel && it->confidence == MT_CONF_LOW)
			fprintf(f,
				"# left out: low confidence, nothing "
				"measured here supports it enough to apply "
				"at every boot (uncomment to use it)\n"
				"# %s = %s\n",
				it->sysctl, it->value);
		else
			fprintf(f, "%s = %s\n", it->sysctl, it->value);
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

int mt_advice_write(const char *dir, const struct mt_advice *a,
		    struct mt_err *err)
{
	json_t *root = mt_advice_json(a);
	char *json = root ? mt_json_dumps(root, JSON_INDENT(2) |
							JSON_PRESERVE_ORDER) :
			    NULL;
	char *conf = mt_advice_sysctl_conf(a);
	struct mt_outdir d = { .fd = -1 };
	int rc;

	json_decref(root);
	/* jansson's setters fail quietly (an evidence line, a target, the
	 * profile missing): any allocation of jansson's that failed in this
	 * process may have left the advice incomplete, so none is written. */
	if (!json || !conf || mt_json_alloc_failures() > 0) {
		rc = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				"advise: out of memory");
		goto free_text;
	}
	rc = mt_outdir_open(&d, "advise", dir, 0, err);
	if (rc < 0) {
		if (err)
			err->kind = MT_ERR_RUNTIME;
		goto free_text;
	}
	rc = mt_outdir_replace(&d, "advise", "advice.json", json, strlen(json),
			       0644, 0, err);
	if (rc == 0)
		rc = mt_outdir_replace(&d, "advise", MT_SYSCTL_D_NAME, conf,
				       strlen(conf), 0644, 0, err);
	mt_outdir_close(&d);
free_text:
	free(json);
	free(conf);
	return rc;
}
