/* The benchmark table and the generic needs check. */
#include "registry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct mt_bench *const table[] = {
#define MT_BENCH(n) &mt_bench_##n,
#include "benchmarks.def"
#undef MT_BENCH
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

void mt_needs_text(unsigned needs, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(need_names) / sizeof(need_names[0]); i++) {
		if (!(needs & need_names[i].bit))
			continue;
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0,
					"%s%s", off ? ", " : "",
					need_names[i].name);
	}
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
		snprintf(why, len, "needs root to change system settings "
			 "(run: sudo memtune run ...)");
		return false;
	}
	if ((needs & MT_NEED_CGROUP) && caps->cgroup_version == 0) {
		snprintf(why, len, "no memory cgroup controller is mounted "
			 "(mount cgroup2 with the memory controller, e.g. "
			 "mount -t cgroup2 none /sys/fs/cgroup)");
		return false;
	}
	if ((needs & MT_NEED_SWAP) && caps->swap_total == 0 && !caps->root) {
		snprintf(why, len, "no swap is active and creating a swap file "
			 "needs root (run as root, or enable swap: swapon -a)");
		return false;
	}
	if ((needs & MT_NEED_HUGETLB) && !caps->hugetlb_2m &&
	    !caps->hugetlb_1g) {
		snprintf(why, len, "the kernel has no hugetlb support "
			 "(CONFIG_HUGETLBFS)");
		return false;
	}
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
	if (plan->n == plan->cap) {
		size_t cap = plan->cap ? plan->cap * 2 : 16;
		struct mt_case *c = realloc(plan->cases, cap * sizeof(*c));

		if (!c) {
			json_decref(params);
			return -ENOMEM;
		}
		plan->cases = c;
		plan->cap = cap;
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
	for (size_t i = 0; i < plan->n; i++)
		json_decref(plan->cases[i].params);
	free(plan->cases);
	plan->cases = NULL;
	plan->n = plan->cap = 0;
}
