/* The benchmark table and the generic needs check. */
#include "registry.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/grow.h"
#include "runner.h"

static const struct mt_bench *const table[] = {
#define MT_BENCH(n) &mt_bench_##n,
#include "../benchmarks.def"
#undef MT_BENCH
};

const char *const mt_bench_names[] = {
#define MT_BENCH(n) #n,
#include "../benchmarks.def"
#undef MT_BENCH
	NULL
};

const struct mt_bench *const *mt_benchmarks(size_t *n)
{
	*n = sizeof(table) / sizeof(table[0]);
	return table;
}

const struct mt_bench *mt_bench_find(const char *name)
{
	size_t len = strcspn(name, ":"), n;
	const struct mt_bench *const *t = mt_benchmarks(&n);

	for (size_t i = 0; i < n; i++)
		if (strlen(t[i]->name) == len &&
		    strncmp(t[i]->name, name, len) == 0)
			return t[i];
	return NULL;
}

static const struct {
	unsigned bit;
	const char *name;
} need_names[] = {
	{ MT_NEED_ROOT, "root" },
	{ MT_NEED_SWAP, "swap" },
	{ MT_NEED_CGROUP, "memory cgroup" },
	{ MT_NEED_HUGETLB, "hugetlb pages" },
	{ MT_NEED_NUMA2, ">=2 NUMA nodes" },
	{ MT_NEED_ODIRECT, "O_DIRECT-capable filesystem" },
};

#define N_NEEDS (sizeof(need_names) / sizeof(need_names[0]))

/* Appends the names of the bits of `bits` to buf at *off. */
static void need_list(unsigned bits, char *buf, size_t len, size_t *off)
{
	for (size_t i = 0; i < N_NEEDS; i++) {
		if (!(bits & need_names[i].bit))
			continue;
		size_t room = *off < len ? len - *off : 0;

		*off += (size_t)snprintf(buf + *off, room, "%s%s",
					 *off ? ", " : "", need_names[i].name);
	}
}

void mt_needs_text(unsigned needs, unsigned wants, char *buf, size_t len)
{
	size_t off = 0, before;

	buf[0] = '\0';
	need_list(needs, buf, len, &off);
	before = off;
	need_list(wants & ~needs, buf, len, &off);
	if (off > before && off < len)
		off += (size_t)snprintf(buf + off, len - off, " (some cases)");
	if (!off)
		snprintf(buf, len, "nothing special");
}

/* Checks each need in turn and explains the first one missing, with the
 * command that would provide it. Swap and hugetlb can be provided by the
 * benchmark itself when running as root (through the journal). */
bool mt_needs_met(unsigned needs, const struct mt_caps *caps, char *why,
		  size_t len)
{
	if ((needs & MT_NEED_ROOT) && !caps->root) {
		snprintf(why, len,
			 "needs root to change system settings "
			 "(run: sudo memtune run ...)");
		return false;
	}
	if ((needs & MT_NEED_CGROUP) && caps->cgroup_version == 0) {
		snprintf(why, len,
			 "no memory cgroup controller is mounted "
			 "(mount cgroup2 with the memory controller, e.g. "
			 "mount -t cgroup2 none /sys/fs/cgroup)");
		return false;
	}
	if ((needs & MT_NEED_SWAP) && caps->swap_total == 0 && !caps->root) {
		snprintf(why, len,
			 "no swap is active and creating a swap file "
			 "needs root (run as root, or enable swap: swapon -a)");
		return false;
	}
	if ((needs & MT_NEED_HUGETLB) && !caps->hugetlb_2m &&
	    !caps->hugetlb_1g) {
		snprintf(why, len,
			 "the kernel has no hugetlb support "
			 "(CONFIG_HUGETLBFS)");
		return false;
	}
	/* MT_NEED_ODIRECT depends on the filesystem of the benchmark's test
	 * directory, one of its parameters: its supported() checks it
	 * (mt_bench_check_all insists on one). */
	if ((needs & MT_NEED_NUMA2) && caps->numa_nodes < 2) {
		snprintf(why, len, "%d NUMA node%s: nothing remote to measure",
			 caps->numa_nodes, caps->numa_nodes == 1 ? "" : "s");
		return false;
	}
	return true;
}

int mt_plan_add(struct mt_plan *plan, json_t *params,
		const struct mt_metric *metrics, size_t n_metrics,
		enum mt_case_mode mode)
{
	if (mt_grow(&plan->cases, &plan->cap, plan->n, sizeof(*plan->cases),
		    16) < 0) {
		json_decref(params);
		return -ENOMEM;
	}
	plan->cases[plan->n++] = (struct mt_case){
		.params = params,
		.metrics = metrics,
		.n_metrics = n_metrics,
		.mode = mode,
	};
	return 0;
}

void mt_plan_free(struct mt_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++) {
		json_decref(plan->cases[i].params);
		json_decref(plan->cases[i].system);
		json_decref(plan->cases[i].handoff);
	}
	free(plan->cases);
	plan->cases = NULL;
	plan->n = plan->cap = 0;
}

struct mt_env mt_env_make(const struct mt_caps *caps,
			  const struct mt_params *global,
			  const struct mt_params *params, const char *rundir,
			  struct mt_journal *journal, int cpu, bool quick,
			  size_t case_index)
{
	return (struct mt_env){
		.caps = caps,
		.global = global,
		.params = params,
		.rundir = rundir,
		.journal = journal,
		.cpu = cpu,
		.seed = (uint64_t)mt_p_int(global, MT_G_SEED) + case_index,
		.case_index = case_index,
		.quick = quick,
		.allow_changes = caps->root &&
				 mt_p_bool(global, MT_G_ALLOW_SYSTEM_CHANGES),
	};
}

/* ---- the load-time check of the table ------------------------------- */

static int bad(struct mt_err *err, const char *bench, const char *what)
{
	return mt_err_set(err, -EINVAL, MT_ERR_RUNTIME,
			  "benchmark '%s': %s "
			  "(a bug in its descriptor, bench/%s.c)",
			  bench ? bench : "?", what, bench ? bench : "?");
}

/* A name of a-z, 0-9 and '_', starting with a letter: it is a section
 * name, a -b argument and a file name. */
static bool valid_name(const char *s)
{
	if (!s || !islower((unsigned char)s[0]))
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) &&
		    !isdigit((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

int mt_bench_check_params(const char *section, const struct mt_param *schema,
			  struct mt_err *err)
{
	struct mt_cfg cfg;
	struct mt_params *p = NULL;
	char what[300];
	int ret;

	if (!schema)
		return bad(err, section,
			   "no parameter table (use one whose "
			   "first key is NULL)");
	for (size_t i = 0; schema[i].key; i++) {
		if (!valid_name(schema[i].key) || !schema[i].help ||
		    !schema[i].help[0] || schema[i].type > MT_P_STRING) {
			snprintf(what, sizeof(what),
				 "parameter #%zu ('%s') "
				 "needs a name of a-z, 0-9 and '_', a help "
				 "line and a known type",
				 i + 1, schema[i].key);
			return bad(err, section, what);
		}
		for (size_t k = 0; k < i; k++)
			if (strcmp(schema[k].key, schema[i].key) == 0) {
				snprintf(what, sizeof(what),
					 "parameter '%s' "
					 "is declared twice",
					 schema[i].key);
				return bad(err, section, what);
			}
	}
	/* Every default resolves (mt_params_resolve parses them all). */
	mt_cfg_init(&cfg);
	ret = mt_params_resolve(&cfg, section, schema, &p, err);
	mt_params_free(p);
	mt_cfg_free(&cfg);
	return ret;
}

static int check_metrics(const struct mt_bench *b, struct mt_err *err)
{
	/* The metrics are found through the plan (per case), so the check
	 * plans with the defaults, as on this machine with every need. */
	struct mt_caps caps = { 0 };
	struct mt_cfg cfg;
	struct mt_params *g = NULL, *p = NULL;
	struct mt_plan plan = { 0 };
	struct mt_err perr = { 0 };
	char what[300];
	int ret = 0;

	mt_caps_read(&caps, &perr);
	caps.root = true;
	caps.swap_total = caps.swap_total ? caps.swap_total : 1;
	caps.hugetlb_2m = true;
	caps.numa_nodes = caps.numa_nodes < 2 ? 2 : caps.numa_nodes;
	mt_cfg_init(&cfg);
	if (mt_params_resolve(&cfg, "global", mt_global_params, &g, err) < 0 ||
	    mt_params_resolve(&cfg, b->name, b->params, &p, err) < 0) {
		ret = -EINVAL;
		goto out;
	}
	struct mt_env env = mt_env_make(&caps, g, p, NULL, NULL, 0, false, 0);

	/* A plan may look at the machine and refuse; that is not a bug. */
	if (b->plan(&env, &plan, &perr) < 0)
		goto out;
	for (size_t c = 0; c < plan.n && ret == 0; c++) {
		const struct mt_case *k = &plan.cases[c];

		if (!json_is_object(k->params) || !k->metrics ||
		    !k->n_metrics || k->mode > MT_CASE_ONCE) {
			ret = bad(err, b->name,
				  "a planned case lacks its "
				  "parameters object, its metrics or a known "
				  "mode");
			break;
		}
		for (size_t m = 0; m < k->n_metrics; m++) {
			const struct mt_metric *mt = &k->metrics[m];

			if (mt->name && mt->name[0] && mt->unit &&
			    mt->derive <= MT_VALUE &&
			    (mt->derive != MT_VALUE ||
			     (mt->slot >= 0 && mt->slot < MT_SAMPLE_VALUES)))
				continue;
			snprintf(what, sizeof(what),
				 "metric #%zu ('%s') "
				 "needs a name, a unit, a known derive and, "
				 "for MT_VALUE, a slot in 0..%d",
				 m + 1, mt->name ? mt->name : "",
				 MT_SAMPLE_VALUES - 1);
			ret = bad(err, b->name, what);
			break;
		}
	}
out:
	mt_plan_free(&plan);
	mt_params_free(g);
	mt_params_free(p);
	mt_cfg_free(&cfg);
	return ret;
}

int mt_bench_check(const struct mt_bench *b, struct mt_err *err)
{
	unsigned all = 0;

	for (size_t i = 0; i < N_NEEDS; i++)
		all |= need_names[i].bit;
	if (!valid_name(b->name))
		return bad(err, b->name,
			   "the name must be a-z, 0-9 and '_', "
			   "starting with a letter");
	if (!b->summary || !b->summary[0])
		return bad(err, b->name, "no summary");
	if (!b->plan || !b->setup || !b->run || !b->teardown)
		return bad(err, b->name,
			   "plan, setup, run and teardown are "
			   "required");
	if ((b->needs | b->wants) & ~all)
		return bad(err, b->name, "needs or wants hold an unknown bit");
	if (((b->needs | b->wants) & MT_NEED_ODIRECT) && !b->supported)
		return bad(err, b->name,
			   "MT_NEED_ODIRECT is checked by the "
			   "benchmark's supported(), which it lacks");
	if (mt_bench_check_params(b->name, b->params, err) < 0)
		return -EINVAL;
	return check_metrics(b, err);
}

int mt_bench_check_all(struct mt_err *err)
{
	/* The tables are constant for the life of the process, so one pass
	 * answers for all: memtune tune runs the runner once a trial, and
	 * planning every benchmark with its defaults again each time would
	 * repeat their planning warnings (reclaim's min_free_kbytes values
	 * above 5% of memory) once a trial. */
	static bool passed;
	size_t n;
	const struct mt_bench *const *t = mt_benchmarks(&n);
	int ret;

	if (passed)
		return 0;
	ret = mt_bench_check_params("global", mt_global_params, err);
	for (size_t i = 0; ret == 0 && i < n; i++) {
		for (size_t k = 0; k < i; k++)
			if (strcmp(t[k]->name, t[i]->name) == 0)
				return bad(err, t[i]->name,
					   "two benchmarks "
					   "have this name");
		ret = mt_bench_check(t[i], err);
	}
	passed = ret == 0;
	return ret;
}
