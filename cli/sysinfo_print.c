/* `memtune sysinfo` for a person: the snapshot core/sysinfo.c gathers, as
 * sectioned, aligned text (sizes in KiB/MiB/GiB, the reclaim counters with
 * their rate since boot). Reads only the JSON, so a snapshot read back from
 * meta.json prints the same. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "../core/sysinfo.h"
#include "../core/units.h"
#include "sysinfo_print.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof(*(a)))

/* One aligned "label   value" line; the column fits the longest sysctl
 * name we print (vm.dirty_writeback_centisecs). */
static void line(FILE *out, const char *label, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void line(FILE *out, const char *label, const char *fmt, ...)
{
	va_list ap;

	fprintf(out, "  %-29s ", label);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
}

/* Prints obj.key as a size when present. */
static void line_bytes(FILE *out, const char *label, json_t *obj,
		       const char *key, const char *note)
{
	json_t *v = json_object_get(obj, key);
	char buf[32];

	if (!json_is_integer(v))
		return;
	mt_format_iec((uint64_t)json_integer_value(v), buf, sizeof(buf));
	line(out, label, "%s%s%s", buf, note ? "  " : "", note ? note : "");
}

/* Returns obj.key as an integer, 0 when absent. */
static long long int_of(json_t *obj, const char *key)
{
	return json_integer_value(json_object_get(obj, key));
}

/* Writes obj.key as a size (KiB/MiB/GiB) into buf. */
static void iec_of(json_t *obj, const char *key, char *buf, size_t len)
{
	mt_format_iec((uint64_t)int_of(obj, key), buf, len);
}

/* Returns obj.key as a string, or `dflt`. */
static const char *str_or(json_t *obj, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : dflt;
}

static void print_host(FILE *out, json_t *info)
{
	fprintf(out, "Host\n");
	line(out, "hostname", "%s", str_or(info, "host", "(unknown)"));
	line(out, "kernel", "%s", str_or(info, "kernel", "(unknown)"));
	if (strcmp(str_or(info, "fsroot", "/"), "/") != 0)
		line(out, "read from", "%s (captured tree, not this machine)",
		     str_or(info, "fsroot", "/"));
	line(out, "container", "%s%s%s",
	     json_is_true(json_object_get(info, "container")) ? "yes" : "no",
	     json_object_get(info, "container_evidence") ? ", from " : "",
	     str_or(info, "container_evidence", ""));
	if (strcmp(str_or(info, "fsroot", "/"), "/") != 0)
		line(out, "running as root", "n/a (captured tree)");
	else
		line(out, "running as root", "%s",
		     json_is_true(json_object_get(info, "root")) ?
			     "yes" :
			     "no (benchmarks that change the system will be skipped)");
}

static void print_cpu(FILE *out, json_t *info)
{
	json_t *t = json_object_get(info, "topology"), *c;
	size_t i;

	fprintf(out, "\nCPU & topology\n");
	line(out, "model", "%s", str_or(info, "cpu_model", "(unknown)"));
	if (!t) {
		line(out, "topology", "not loaded");
		return;
	}
	line(out, "packages / cores / cpus", "%d / %d / %d",
	     (int)int_of(t, "packages"), (int)int_of(t, "cores"),
	     (int)int_of(t, "pus"));
	json_array_foreach(json_object_get(t, "caches"), i, c) {
		char label[48], size[32];
		const char *type = str_or(c, "type", "");

		snprintf(label, sizeof(label), "L%d%s cache",
			 (int)int_of(c, "level"),
			 strcmp(type, "data") == 0 ? "d" : "");
		iec_of(c, "size_bytes", size, sizeof(size));
		line(out, label, "%s x %d, %d-byte lines", size,
		     (int)int_of(c, "count"), (int)int_of(c, "line_bytes"));
	}
}

static void print_memory(FILE *out, json_t *info)
{
	json_t *m = json_object_get(info, "memory");

	fprintf(out, "\nMemory\n");
	line_bytes(out, "total", m, "mem_total_bytes", NULL);
	line_bytes(out, "available", m, "mem_available_bytes",
		   "(free plus what reclaim can give back)");
	line_bytes(out, "free", m, "mem_free_bytes", NULL);
	line_bytes(out, "page cache", m, "cached_bytes", NULL);
	line_bytes(out, "anonymous", m, "anon_pages_bytes", NULL);
	line_bytes(out, "  of which THP", m, "anon_huge_pages_bytes", NULL);
	line_bytes(out, "committed", m, "committed_as_bytes",
		   "(promised to processes)");
	line_bytes(out, "commit limit", m, "commit_limit_bytes", NULL);
}

static void print_swap(FILE *out, json_t *info)
{
	json_t *s = json_object_get(info, "swap"), *d;
	json_t *devs = json_object_get(s, "devices");
	size_t i;

	fprintf(out, "\nSwap\n");
	if (json_array_size(devs) == 0) {
		line(out, "devices",
		     "none (under memory pressure the kernel can only drop page cache, then OOM-kill)");
		return;
	}
	line_bytes(out, "total", s, "total_bytes", NULL);
	line_bytes(out, "free", s, "free_bytes", NULL);
	json_array_foreach(devs, i, d) {
		char size[32], used[32];

		iec_of(d, "size_bytes", size, sizeof(size));
		iec_of(d, "used_bytes", used, sizeof(used));
		line(out, str_or(d, "path", "?"),
		     "%s, %s, %s used, priority %d", str_or(d, "type", "?"),
		     size, used, (int)int_of(d, "priority"));
	}
}

static void print_thp(FILE *out, json_t *info)
{
	json_t *t = json_object_get(info, "thp");
	json_t *k = json_object_get(t, "khugepaged");
	const char *en = str_or(t, "enabled", NULL);

	fprintf(out, "\nTransparent huge pages\n");
	if (!en) {
		line(out, "enabled", "not available in this kernel");
		return;
	}
	line(out, "enabled", "%s  (%s)", en,
	     strcmp(en, "always") == 0 ?
		     "any large anonymous region may get huge pages" :
	     strcmp(en, "madvise") == 0 ?
		     "only regions that ask with madvise(MADV_HUGEPAGE)" :
		     "off");
	line(out, "defrag", "%s  (%s)", str_or(t, "defrag", "?"),
	     "whether a fault may stall to compact memory");
	if (json_object_get(t, "shmem_enabled"))
		line(out, "shmem / tmpfs", "%s",
		     str_or(t, "shmem_enabled", "?"));
	if (json_is_integer(json_object_get(k, "defrag")))
		line(out, "khugepaged defrag", "%s",
		     int_of(k, "defrag") ?
			     "yes (collapses regions into huge pages later)" :
			     "no");
}

static void print_hugetlb(FILE *out, json_t *info)
{
	json_t *arr = json_object_get(info, "hugetlb"), *p;
	size_t i;

	fprintf(out, "\nHugetlb pools (reserved huge pages)\n");
	if (json_array_size(arr) == 0) {
		line(out, "pools", "none (kernel without hugetlbfs)");
		return;
	}
	json_array_foreach(arr, i, p) {
		char size[32], label[48];

		iec_of(p, "page_size_bytes", size, sizeof(size));
		snprintf(label, sizeof(label), "%s pages", size);
		line(out, label,
		     "%lld in pool, %lld free, %lld reserved, %lld surplus",
		     int_of(p, "nr"), int_of(p, "free"), int_of(p, "resv"),
		     int_of(p, "surplus"));
	}
}

static void print_numa(FILE *out, json_t *info)
{
	json_t *n = json_object_get(info, "numa"), *node, *d;
	size_t i, j;

	fprintf(out, "\nNUMA\n");
	line(out, "nodes with memory", "%d%s",
	     (int)int_of(n, "nodes_with_memory"),
	     int_of(n, "nodes_with_memory") > 1 ?
		     "" :
		     "  (no NUMA effects to measure)");
	json_array_foreach(json_object_get(n, "nodes"), i, node) {
		char label[32], mem[32], dist[256] = "";
		size_t used = 0;

		snprintf(label, sizeof(label), "node %d",
			 (int)int_of(node, "id"));
		if (json_is_integer(json_object_get(node, "memory_bytes")))
			iec_of(node, "memory_bytes", mem, sizeof(mem));
		else
			snprintf(mem, sizeof(mem), "memory unknown");
		json_array_foreach(json_object_get(node, "distances"), j, d) {
			int w = snprintf(dist + used, sizeof(dist) - used,
					 "%s%lld", j ? " " : "",
					 (long long)json_integer_value(d));

			if (w < 0 || (size_t)w >= sizeof(dist) - used)
				break;
			used += (size_t)w;
		}
		line(out, label, "%s, cpus %s, distances %s", mem,
		     str_or(node, "cpus", "none"), dist[0] ? dist : "?");
	}
}

static void print_cgroup(FILE *out, json_t *info)
{
	json_t *c = json_object_get(info, "cgroup"), *w;
	int v = (int)int_of(c, "version");
	char ctl[512] = "";
	size_t i, used = 0;

	fprintf(out, "\nCgroups\n");
	line(out, "memory controller", "%s",
	     v == 2 ? "cgroup v2" :
	     v == 1 ? "cgroup v1" :
		      "none (cgroup benchmarks will be skipped)");
	if (json_object_get(c, "v2_root")) {
		json_array_foreach(json_object_get(c, "v2_controllers"), i, w) {
			int n = snprintf(ctl + used, sizeof(ctl) - used, "%s%s",
					 i ? " " : "", json_string_value(w));

			if (n < 0 || (size_t)n >= sizeof(ctl) - used)
				break;
			used += (size_t)n;
		}
		line(out, "v2 mount", "%s (controllers: %s)",
		     str_or(c, "v2_root", ""), ctl[0] ? ctl : "none");
	}
	if (json_object_get(c, "v1_memory"))
		line(out, "v1 memory mount", "%s", str_or(c, "v1_memory", ""));
}

static void print_sysctls(FILE *out, json_t *info)
{
	json_t *s = json_object_get(info, "sysctls");
	char name[64];

	fprintf(out, "\nSysctls\n");
	/* In the order the snapshot reads them rather than the object's, so
	 * related knobs stay together. */
	for (size_t i = 0; mt_sysinfo_sysctl_key(i, name, sizeof(name)); i++) {
		json_t *v = json_object_get(s, name);

		if (json_is_integer(v))
			line(out, name, "%lld",
			     (long long)json_integer_value(v));
	}
	if (json_is_object(json_object_get(info, "zswap")))
		line(out, "zswap",
		     "enabled %s, max_pool_percent %lld, "
		     "compressor %s",
		     str_or(json_object_get(info, "zswap"), "enabled", "?"),
		     int_of(json_object_get(info, "zswap"), "max_pool_percent"),
		     str_or(json_object_get(info, "zswap"), "compressor", "?"));
	if (json_is_object(json_object_get(info, "lru_gen")))
		line(out, "lru_gen enabled", "%s",
		     str_or(json_object_get(info, "lru_gen"), "enabled", "?"));
}

/* The reclaim counters that say whether the machine is in distress, with
 * their average rate since boot when the uptime is known. */
static void print_vmstat(FILE *out, json_t *info)
{
	static const char *const keys[] = {
		"allocstall",
		"pgscan_direct",
		"pgscan_kswapd",
		"pgsteal_direct",
		"pgsteal_kswapd",
		"kswapd_low_wmark_hit_quickly",
		"compact_stall",
		"compact_fail",
		"thp_fault_fallback",
		"pswpin",
		"pswpout",
		"workingset_refault",
		"pgmajfault",
		"oom_kill",
	};
	json_t *vm = json_object_get(info, "vmstat");
	json_t *up = json_object_get(info, "uptime_seconds");
	double secs = json_is_number(up) ? json_number_value(up) : 0;

	if (!json_is_object(vm))
		return;
	fprintf(out, "\nReclaim counters (/proc/vmstat%s)\n",
		secs > 0 ? ", average rate since boot" : "");
	for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
		json_t *v = json_object_get(vm, keys[i]);

		if (!json_is_integer(v))
			continue;
		if (secs > 0)
			line(out, keys[i], "%lld (%.4g/s)",
			     (long long)json_integer_value(v),
			     (double)json_integer_value(v) / secs);
		else
			line(out, keys[i], "%lld",
			     (long long)json_integer_value(v));
	}
	if (secs > 0)
		line(out, "uptime", "%.0f s", secs);
}

/* PSI: some/full averages per resource. */
static void print_psi(FILE *out, json_t *info)
{
	json_t *psi = json_object_get(info, "psi"), *r;
	const char *res;

	if (!json_is_object(psi))
		return;
	fprintf(out, "\nPressure (/proc/pressure, %% of time stalled)\n");
	json_object_foreach(psi, res, r) {
		static const char *const kinds[] = { "some", "full" };

		for (size_t k = 0; k < 2; k++) {
			json_t *o = json_object_get(r, kinds[k]);
			char label[32];

			if (!json_is_object(o))
				continue;
			snprintf(label, sizeof(label), "%s %s", res, kinds[k]);
			line(out, label, "avg10 %.2f, avg60 %.2f, avg300 %.2f",
			     json_number_value(json_object_get(o, "avg10")),
			     json_number_value(json_object_get(o, "avg60")),
			     json_number_value(json_object_get(o, "avg300")));
		}
	}
}

/* Prints the snapshot from mt_sysinfo_collect as sectioned, aligned text. */
void mt_sysinfo_print(FILE *out, json_t *info)
{
	print_host(out, info);
	print_cpu(out, info);
	print_memory(out, info);
	print_swap(out, info);
	print_thp(out, info);
	print_hugetlb(out, info);
	print_numa(out, info);
	print_cgroup(out, info);
	print_sysctls(out, info);
	print_vmstat(out, info);
	print_psi(out, info);
}
