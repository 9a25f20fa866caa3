/* Grouping the hosts of a fleet: see fleet_group.h. */
#include "fleet_group.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double mt_fleet_mem_gib(double bytes)
{
	double gib = bytes / 1073741824.0, step;

	if (!(gib > 0) || !isfinite(gib))
		return 0;
	step = exp2(floor(log2(gib))) / 8;
	if (step < 1)
		step = 1;
	return ceil(gib / step) * step;
}

void mt_fleet_group_key(char *buf, size_t len, const char *cpu_model,
			double mem_gib, const char *kernel)
{
	char mem[32];

	if (mem_gib > 0)
		snprintf(mem, sizeof(mem), "%.0f GiB", mem_gib);
	else
		snprintf(mem, sizeof(mem), "? GiB");
	snprintf(buf, len, "%s | %s | %s",
		 cpu_model && *cpu_model ? cpu_model : "unknown", mem,
		 kernel && *kernel ? kernel : "unknown");
}

struct sort_ctx {
	const char *const *keys, *const *names;
};

static int by_group(const void *a, const void *b, void *arg)
{
	const struct sort_ctx *c = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int r = strcmp(c->keys[i], c->keys[j]);

	if (r)
		return r;
	r = strcmp(c->names[i], c->names[j]);
	return r ? r : (i > j) - (i < j);
}

size_t mt_fleet_group_sort(size_t *idx, size_t n, const char *const *keys,
			   const char *const *names)
{
	struct sort_ctx c = { keys, names };
	size_t groups = 0;

	qsort_r(idx, n, sizeof(*idx), by_group, &c);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || strcmp(keys[idx[i]], keys[idx[i - 1]]) != 0)
			groups++;
	return groups;
}
