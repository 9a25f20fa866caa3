/* NUMA placement through libnuma. */
#include "numa.h"

#include <errno.h>
#include <numa.h>
#include <numaif.h>
#include <stdlib.h>
#include <string.h>

/* libnuma must be asked numa_available() before anything else; a kernel
 * without NUMA support makes everything behave as node 0. */
static int have_numa(void)
{
	static int cached = -2;

	if (cached == -2)
		cached = numa_available() >= 0;
	return cached;
}

int mt_numa_node_count(void)
{
	return have_numa() ? numa_max_node() + 1 : 1;
}

int mt_numa_node_has_memory(int node)
{
	long long size;

	if (!have_numa())
		return node == 0;
	if (node < 0 || node > numa_max_node())
		return 0;
	if (!numa_bitmask_isbitset(numa_all_nodes_ptr, (unsigned)node))
		return 0;
	size = numa_node_size64(node, NULL);
	return size > 0;
}

int mt_numa_nodes_with_memory(void)
{
	int n = 0;

	for (int i = 0; i < mt_numa_node_count(); i++)
		n += mt_numa_node_has_memory(i);
	return n ? n : 1;
}

int mt_numa_distance(int a, int b)
{
	if (!have_numa())
		return a == 0 && b == 0 ? 10 : -1;
	int d = numa_distance(a, b);

	return d > 0 ? d : -1;
}

int mt_numa_node_memory(int node, int64_t *total, int64_t *free_bytes)
{
	long long f = 0, t;

	if (!have_numa())
		return -ENOSYS;
	t = numa_node_size64(node, &f);
	if (t < 0)
		return -EINVAL;
	*total = t;
	*free_bytes = f;
	return 0;
}

int mt_numa_node_cpus(int node, int *cpus, int max)
{
	struct bitmask *mask;
	int n = 0;

	if (!have_numa())
		return -ENOSYS;
	mask = numa_allocate_cpumask();
	if (!mask)
		return -ENOMEM;
	if (numa_node_to_cpus(node, mask) < 0) {
		numa_free_cpumask(mask);
		return -EINVAL;
	}
	for (unsigned i = 0; i < mask->size && n < max; i++)
		if (numa_bitmask_isbitset(mask, i))
			cpus[n++] = (int)i;
	numa_free_cpumask(mask);
	return n;
}

int mt_numa_cpu_node(int cpu)
{
	if (!have_numa())
		return 0;
	return numa_node_of_cpu(cpu);
}

int mt_numa_set_policy(void *addr, size_t len, enum mt_numa_policy p, int node,
		       struct mt_err *err)
{
	struct bitmask *nodes;
	int mode, ret;

	if (p == MT_NUMA_LOCAL)
		return 0;
	if (!have_numa())
		return mt_err_set(err, -ENOSYS, MT_ERR_RUNTIME,
				  "numa: the kernel has no NUMA support");
	nodes = numa_allocate_nodemask();
	if (!nodes)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "numa: out of memory");
	if (p == MT_NUMA_BIND) {
		numa_bitmask_setbit(nodes, (unsigned)node);
		mode = MPOL_BIND;
	} else {
		for (int i = 0; i < mt_numa_node_count(); i++)
			if (mt_numa_node_has_memory(i))
				numa_bitmask_setbit(nodes, (unsigned)i);
		mode = MPOL_INTERLEAVE;
	}
	ret = mbind(addr, len, mode, nodes->maskp, nodes->size + 1,
		    MPOL_MF_STRICT);
	numa_free_nodemask(nodes);
	if (ret < 0)
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "numa: mbind(%s, node %d) failed: %s",
				  p == MT_NUMA_BIND ? "MPOL_BIND" :
						      "MPOL_INTERLEAVE",
				  node, strerror(errno));
	return 0;
}

int mt_numa_where(void *addr, size_t len, size_t page, uint64_t *counts,
		  int max_nodes, uint64_t *other, struct mt_err *err)
{
	enum { BATCH = 4096 };
	void *pages[BATCH];
	int status[BATCH];
	size_t n = len / page;

	if (!have_numa()) {
		counts[0] += n;
		return 0;
	}
	for (size_t done = 0; done < n;) {
		size_t k = n - done < BATCH ? n - done : BATCH;

		for (size_t i = 0; i < k; i++)
			pages[i] = (char *)addr + (done + i) * page;
		if (move_pages(0, k, pages, NULL, status, 0) < 0)
			return mt_err_set(err, -errno, MT_ERR_RUNTIME,
					  "numa: move_pages (query) failed: "
					  "%s",
					  strerror(errno));
		for (size_t i = 0; i < k; i++) {
			if (status[i] >= 0 && status[i] < max_nodes)
				counts[status[i]]++;
			else
				(*other)++;
		}
		done += k;
	}
	return 0;
}
