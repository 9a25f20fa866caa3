/* The machine's memory configuration, read only through the fsroot reader so
 * that a captured tree of another machine (MEMTUNE_FSROOT) reads exactly like
 * the live one. Every source except /proc/meminfo is optional: a file a
 * kernel does not have leaves its field out instead of failing the snapshot. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpuid_tlb.h"
#include "fsroot.h"
#include "json_safe.h"
#include "psi.h"
#include "sysinfo.h"
#include "topo.h"
#include "vmstat.h"

#define MT_MAX_NODES 1024

/* meminfo keys reported by collect, with the JSON name. Values with a kB
 * suffix become bytes (the name ends in _bytes); HugePages_* are counts. */
static const struct {
	const char *key;
	const char *name;
} meminfo_fields[] = {
	{ "MemTotal", "mem_total_bytes" },
	{ "MemFree", "mem_free_bytes" },
	{ "MemAvailable", "mem_available_bytes" },
	{ "Buffers", "buffers_bytes" },
	{ "Cached", "cached_bytes" },
	{ "SwapCached", "swap_cached_bytes" },
	{ "Active", "active_bytes" },
	{ "Inactive", "inactive_bytes" },
	{ "Active(anon)", "active_anon_bytes" },
	{ "Inactive(anon)", "inactive_anon_bytes" },
	{ "Active(file)", "active_file_bytes" },
	{ "Inactive(file)", "inactive_file_bytes" },
	{ "Unevictable", "unevictable_bytes" },
	{ "Mlocked", "mlocked_bytes" },
	{ "SwapTotal", "swap_total_bytes" },
	{ "SwapFree", "swap_free_bytes" },
	{ "Zswap", "zswap_bytes" },
	{ "Dirty", "dirty_bytes" },
	{ "Writeback", "writeback_bytes" },
	{ "AnonPages", "anon_pages_bytes" },
	{ "Mapped", "mapped_bytes" },
	{ "Shmem", "shmem_bytes" },
	{ "Slab", "slab_bytes" },
	{ "SReclaimable", "slab_reclaimable_bytes" },
	{ "SUnreclaim", "slab_unreclaimable_bytes" },
	{ "PageTables", "page_tables_bytes" },
	{ "CommitLimit", "commit_limit_bytes" },
	{ "Committed_AS", "committed_as_bytes" },
	{ "AnonHugePages", "anon_huge_pages_bytes" },
	{ "ShmemHugePages", "shmem_huge_pages_bytes" },
	{ "FileHugePages", "file_huge_pages_bytes" },
	{ "HugePages_Total", "hugepages_total" },
	{ "HugePages_Free", "hugepages_free" },
	{ "HugePages_Rsvd", "hugepages_rsvd" },
	{ "HugePages_Surp", "hugepages_surp" },
	{ "Hugepagesize", "hugepagesize_bytes" },
	{ "Hugetlb", "hugetlb_bytes" },
};

/* The vm sysctls that matter to memory behaviour. drop_caches is left out on
 * purpose: it is a write-only trigger, not a setting. */
static const char *const vm_sysctls[] = {
	"swappiness",
	"min_free_kbytes",
	"watermark_scale_factor",
	"watermark_boost_factor",
	"zone_reclaim_mode",
	"dirty_ratio",
	"dirty_background_ratio",
	"dirty_bytes",
	"dirty_background_bytes",
	"dirty_expire_centisecs",
	"dirty_writeback_centisecs",
	"overcommit_memory",
	"overcommit_ratio",
	"overcommit_kbytes",
	"nr_hugepages",
	"nr_overcommit_hugepages",
	"vfs_cache_pressure",
	"page-cluster",
	"compaction_proactiveness",
	"max_map_count",
	"panic_on_oom",
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof(*(a)))
#define THP_DIR "/sys/kernel/mm/transparent_hugepage"
#define HUGEPAGES_DIR "/sys/kernel/mm/hugepages"
#define NODE_DIR "/sys/devices/system/node"

/* Reads the first line of path into buf; false (buf "") if it is absent. */
static bool read_str(const char *path, char *buf, size_t len)
{
	if (mt_fs_read_line(path, buf, len, NULL) == 0)
		return true;
	buf[0] = '\0';
	return false;
}

/* Sets obj.name to the integer in path, when the file exists and holds one. */
static void set_file_int(json_t *obj, const char *name, const char *path)
{
	int64_t v;

	if (mt_fs_read_i64(path, &v, NULL) == 0)
		json_object_set_new(obj, name, json_integer(v));
}

/* True if the whitespace-separated list `words` contains `word`. */
static bool has_word(const char *words, const char *word)
{
	size_t n = strlen(word);
	const char *p = words;

	while ((p = strstr(p, word))) {
		bool start = p == words || p[-1] == ' ' || p[-1] == '\t' ||
			     p[-1] == '\n' || p[-1] == ',';
		char end = p[n];

		if (start && (end == '\0' || end == ' ' || end == '\t' ||
			      end == '\n' || end == ','))
			return true;
		p += n;
	}
	return false;
}

/* Parses a kernel cpu/node list such as "0-3,8,10-11" into set[0..max).
 * Returns the number of members, or -EINVAL on malformed text. */
static int parse_list(const char *s, bool *set, int max)
{
	int count = 0;

	while (*s && *s != '\n') {
		char *end;
		long lo = strtol(s, &end, 10), hi = lo;

		if (end == s || lo < 0)
			return -EINVAL;
		s = end;
		if (*s == '-') {
			hi = strtol(s + 1, &end, 10);
			if (end == s + 1 || hi < lo)
				return -EINVAL;
			s = end;
		}
		for (long i = lo; i <= hi && i < max; i++) {
			if (!set[i])
				count++;
			set[i] = true;
		}
		if (*s == ',')
			s++;
		else if (*s && *s != '\n')
			return -EINVAL;
	}
	return count;
}

/* Decodes the octal escapes (\040 for a space) the kernel uses in
 * /proc/mounts and /proc/swaps, in place. */
static void unescape_octal(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' &&
		    r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 +
				      (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* Opens the directory `path` resolved under the root, or NULL. */
static DIR *open_dir(const char *path)
{
	char real[4096];

	if (mt_fs_path(path, real, sizeof(real)) != 0)
		return NULL;
	return opendir(real);
}

/* --- cgroups ------------------------------------------------------------ */

struct cgroup_info {
	int version;
	char v1_memory[256];
	char v2_root[256];
	char v2_controllers[512];
};

/* Finds the cgroup2 mount and the v1 memory controller mount in /proc/mounts
 * and decides the version as mt_caps documents. Missing /proc/mounts means
 * version 0. */
static void read_cgroups(struct cgroup_info *cg)
{
	char *text, *save = NULL;

	memset(cg, 0, sizeof(*cg));
	if (mt_fs_read("/proc/mounts", &text, NULL, NULL) != 0)
		return;
	for (char *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char mnt[256], type[64], opts[512], path[512], ctl[512];

		if (sscanf(line, "%*s %255s %63s %511s", mnt, type, opts) != 3)
			continue;
		unescape_octal(mnt);
		if (strcmp(type, "cgroup") == 0) {
			for (char *p = opts; *p; p++)
				if (*p == ',')
					*p = ' ';
			if (has_word(opts, "memory") && !cg->v1_memory[0])
				snprintf(cg->v1_memory, sizeof(cg->v1_memory),
					 "%s", mnt);
			continue;
		}
		if (strcmp(type, "cgroup2") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/cgroup.controllers", mnt);
		read_str(path, ctl, sizeof(ctl));
		/* Several cgroup2 mounts are possible (a container's and the
		 * host's); prefer one that can limit memory. */
		if (!cg->v2_root[0] ||
		    (!has_word(cg->v2_controllers, "memory") &&
		     has_word(ctl, "memory"))) {
			snprintf(cg->v2_root, sizeof(cg->v2_root), "%s", mnt);
			snprintf(cg->v2_controllers, sizeof(cg->v2_controllers),
				 "%s", ctl);
		}
	}
	free(text);
	if (cg->v2_root[0] && has_word(cg->v2_controllers, "memory"))
		cg->version = 2;
	else if (cg->v1_memory[0])
		cg->version = 1;
}

/* --- container and privilege -------------------------------------------- */

/* Returns true if we run inside a container and names the evidence. The
 * /proc/1 check describes the live host only (fsroot reads /proc/<pid>
 * live), so it is skipped for a captured tree. */
static bool detect_container(char *why, size_t len)
{
	char *text;
	bool found = false;

	why[0] = '\0';
	if (mt_fs_exists("/run/.containerenv")) {
		snprintf(why, len, "/run/.containerenv (podman)");
		return true;
	}
	if (mt_fs_exists("/.dockerenv")) {
		snprintf(why, len, "/.dockerenv (docker)");
		return true;
	}
	if (strcmp(mt_fsroot(), "/") != 0)
		return false;
	if (mt_fs_read("/proc/1/cgroup", &text, NULL, NULL) != 0)
		return false;
	if (strstr(text, "docker") || strstr(text, "lxc") ||
	    strstr(text, "kubepods") || strstr(text, "containerd")) {
		snprintf(why, len, "/proc/1/cgroup names a container runtime");
		found = true;
	}
	free(text);
	return found;
}

/* Root privileges are only meaningful for the live machine. */
static bool is_root(void)
{
	return geteuid() == 0 && strcmp(mt_fsroot(), "/") == 0;
}

/* --- NUMA ----------------------------------------------------------------- */

/* Fills `nodes` with the node ids the kernel lists (online, else possible,
 * else the nodeN directories) and `mem` with those that have memory
 * (has_memory, else a non-zero MemTotal in the node's meminfo). Returns the
 * number of nodes, 0 when the kernel has no NUMA sysfs. */
static int read_nodes(bool *nodes, bool *mem)
{
	char buf[1024], path[128];
	int n = -1;

	memset(nodes, 0, MT_MAX_NODES * sizeof(*nodes));
	memset(mem, 0, MT_MAX_NODES * sizeof(*mem));
	if (read_str(NODE_DIR "/online", buf, sizeof(buf)) ||
	    read_str(NODE_DIR "/possible", buf, sizeof(buf)))
		n = parse_list(buf, nodes, MT_MAX_NODES);
	if (n < 0) {
		DIR *d = open_dir(NODE_DIR);
		struct dirent *e;

		n = 0;
		while (d && (e = readdir(d))) {
			int id;
			char rest;

			if (sscanf(e->d_name, "node%d%c", &id, &rest) == 1 &&
			    id >= 0 && id < MT_MAX_NODES && !nodes[id]) {
				nodes[id] = true;
				n++;
			}
		}
		if (d)
			closedir(d);
	}
	if (read_str(NODE_DIR "/has_memory", buf, sizeof(buf)) &&
	    parse_list(buf, mem, MT_MAX_NODES) >= 0)
		return n;
	memset(mem, 0, MT_MAX_NODES * sizeof(*mem));
	for (int i = 0; i < MT_MAX_NODES; i++) {
		int64_t v;
		char key[32];

		if (!nodes[i])
			continue;
		snprintf(path, sizeof(path), NODE_DIR "/node%d/meminfo", i);
		snprintf(key, sizeof(key), "Node %d MemTotal", i);
		if (mt_fs_read_key(path, key, &v, NULL) == 0 && v > 0)
			mem[i] = true;
	}
	return n;
}

/* Number of nodes with memory; 1 when the kernel has no NUMA sysfs, since a
 * machine without it still has its memory in one node. */
static int count_memory_nodes(void)
{
	bool *nodes = calloc(2 * MT_MAX_NODES, sizeof(bool));
	int n, count = 0;

	if (!nodes)
		return 1;
	n = read_nodes(nodes, nodes + MT_MAX_NODES);
	for (int i = 0; i < MT_MAX_NODES; i++)
		count += nodes[MT_MAX_NODES + i];
	free(nodes);
	return n > 0 ? count : 1;
}

/* The "numa" object: nodes_with_memory and one entry per node. */
static json_t *numa_json(void)
{
	bool *nodes = calloc(2 * MT_MAX_NODES, sizeof(bool));
	bool *mem = nodes + MT_MAX_NODES;
	json_t *o = json_object(), *arr = json_array();
	int count = 0, n;

	if (!nodes || !o || !arr)
		goto free_all;
	n = read_nodes(nodes, mem);
	for (int i = 0; i < MT_MAX_NODES && n > 0; i++) {
		char path[128], key[32], buf[4096], *text;
		json_t *node, *dist;
		int64_t v;

		if (!nodes[i])
			continue;
		count += mem[i];
		node = json_pack("{s:i, s:b}", "id", i, "has_memory", mem[i]);
		if (!node)
			continue;
		snprintf(path, sizeof(path), NODE_DIR "/node%d/meminfo", i);
		if (mt_fs_read(path, &text, NULL, NULL) == 0) {
			snprintf(key, sizeof(key), "Node %d MemTotal", i);
			if (mt_text_key(text, key, &v) == 0)
				json_object_set_new(node, "memory_bytes",
						    json_integer(v));
			snprintf(key, sizeof(key), "Node %d MemFree", i);
			if (mt_text_key(text, key, &v) == 0)
				json_object_set_new(node, "free_bytes",
						    json_integer(v));
			free(text);
		}
		snprintf(path, sizeof(path), NODE_DIR "/node%d/cpulist", i);
		if (read_str(path, buf, sizeof(buf)))
			json_object_set_new(node, "cpus", json_string(buf));
		snprintf(path, sizeof(path), NODE_DIR "/node%d/distance", i);
		if (read_str(path, buf, sizeof(buf))) {
			char *p = buf, *end;

			dist = json_array();
			for (long d = strtol(p, &end, 10); end != p;
			     d = strtol(p, &end, 10)) {
				json_array_append_new(dist, json_integer(d));
				p = end;
			}
			json_object_set_new(node, "distances", dist);
		}
		json_array_append_new(arr, node);
	}
	free(nodes);
	json_object_set_new(o, "nodes_with_memory",
			    json_integer(n > 0 ? count : 1));
	json_object_set_new(o, "nodes", arr);
	return o;

free_all:
	free(nodes);
	json_decref(o);
	json_decref(arr);
	return NULL;
}

/* --- hugetlb -------------------------------------------------------------- */

/* Orders pools by page size. */
static int cmp_pool(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Lists the hugetlb page sizes (in KiB) the kernel offers, smallest first,
 * into sizes[max]. Returns how many. */
static int hugetlb_sizes(uint64_t *sizes, int max)
{
	DIR *d = open_dir(HUGEPAGES_DIR);
	struct dirent *e;
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < max) {
		uint64_t kb;
		char rest[8];

		if (sscanf(e->d_name, "hugepages-%" SCNu64 "%7s", &kb, rest) ==
			    2 &&
		    strcmp(rest, "kB") == 0)
			sizes[n++] = kb;
	}
	closedir(d);
	qsort(sizes, (size_t)n, sizeof(*sizes), cmp_pool);
	return n;
}

/* Reads one counter of the pool of page size kb; 0 when absent. */
static uint64_t pool_value(uint64_t kb, const char *file)
{
	char path[256];
	int64_t v;

	snprintf(path, sizeof(path),
		 HUGEPAGES_DIR "/hugepages-%" PRIu64 "kB/%s", kb, file);
	return mt_fs_read_i64(path, &v, NULL) == 0 && v > 0 ? (uint64_t)v : 0;
}

/* The "hugetlb" array: one object per page size. */
static json_t *hugetlb_json(void)
{
	static const char *const files[][2] = {
		{ "nr", "nr_hugepages" },
		{ "free", "free_hugepages" },
		{ "resv", "resv_hugepages" },
		{ "surplus", "surplus_hugepages" },
		{ "overcommit", "nr_overcommit_hugepages" },
	};
	uint64_t sizes[16];
	int n = hugetlb_sizes(sizes, 16);
	json_t *arr = json_array();

	for (int i = 0; arr && i < n; i++) {
		json_t *pool = json_pack("{s:I}", "page_size_bytes",
					 (json_int_t)(sizes[i] * 1024));
		char path[256];

		if (!pool)
			continue;
		for (size_t f = 0; f < ARRAY_LEN(files); f++) {
			snprintf(path, sizeof(path),
				 HUGEPAGES_DIR "/hugepages-%" PRIu64 "kB/%s",
				 sizes[i], files[f][1]);
			set_file_int(pool, files[f][0], path);
		}
		json_array_append_new(arr, pool);
	}
	return arr;
}

/* --- THP, swap, sysctls --------------------------------------------------- */

/* The "thp" object; "available" is false when the kernel has no THP. */
static json_t *thp_json(void)
{
	json_t *o = json_object(), *k = json_object();
	char buf[64];

	if (!o || !k) {
		json_decref(o);
		json_decref(k);
		return NULL;
	}
	json_object_set_new(o, "available",
			    json_boolean(mt_fs_read_choice(THP_DIR "/enabled",
							   buf, sizeof(buf),
							   NULL) == 0));
	if (json_is_true(json_object_get(o, "available")))
		json_object_set_new(o, "enabled", json_string(buf));
	if (mt_fs_read_choice(THP_DIR "/defrag", buf, sizeof(buf), NULL) == 0)
		json_object_set_new(o, "defrag", json_string(buf));
	if (mt_fs_read_choice(THP_DIR "/shmem_enabled", buf, sizeof(buf),
			      NULL) == 0)
		json_object_set_new(o, "shmem_enabled", json_string(buf));
	set_file_int(o, "pmd_size_bytes", THP_DIR "/hpage_pmd_size");
	set_file_int(k, "defrag", THP_DIR "/khugepaged/defrag");
	set_file_int(k, "pages_to_scan", THP_DIR "/khugepaged/pages_to_scan");
	set_file_int(k, "scan_sleep_millisecs",
		     THP_DIR "/khugepaged/scan_sleep_millisecs");
	set_file_int(k, "max_ptes_none", THP_DIR "/khugepaged/max_ptes_none");
	json_object_set_new(o, "khugepaged", k);
	return o;
}

/* Classifies a swap device: zram devices are memory, not disk, which changes
 * every piece of swappiness advice. */
static const char *swap_type(const char *path, const char *kernel_type)
{
	if (strncmp(path, "/dev/zram", 9) == 0)
		return "zram";
	return kernel_type;
}

/* The "swap" object: totals from meminfo (passed in, -1 when unknown) and
 * the devices of /proc/swaps. */
static json_t *swap_json(int64_t total, int64_t free_bytes)
{
	json_t *o = json_object(), *devs = json_array();
	char *text, *save = NULL;

	if (!o || !devs) {
		json_decref(o);
		json_decref(devs);
		return NULL;
	}
	if (total >= 0)
		json_object_set_new(o, "total_bytes", json_integer(total));
	if (free_bytes >= 0)
		json_object_set_new(o, "free_bytes", json_integer(free_bytes));
	if (mt_fs_read("/proc/swaps", &text, NULL, NULL) == 0) {
		for (char *line = strtok_r(text, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			char path[512], type[32];
			long long size, used;
			int prio;
			json_t *d;

			if (sscanf(line, "%511s %31s %lld %lld %d", path, type,
				   &size, &used, &prio) != 5)
				continue; /* the header line */
			/* KiB counts the kernel never writes: bytes would
			 * not fit in a json_int_t. */
			if (size < 0 || used < 0 || size > INT64_MAX / 1024 ||
			    used > INT64_MAX / 1024)
				continue;
			unescape_octal(path);
			d = json_pack("{s:s, s:s, s:I, s:I, s:i}", "path", path,
				      "type", swap_type(path, type),
				      "size_bytes", (json_int_t)size * 1024,
				      "used_bytes", (json_int_t)used * 1024,
				      "priority", prio);
			if (d)
				json_array_append_new(devs, d);
		}
		free(text);
	}
	json_object_set_new(o, "devices", devs);
	return o;
}

/* The kernel.* sysctls that matter to memory behaviour (present only on
 * kernels built with them: numa_balancing needs CONFIG_NUMA_BALANCING). */
static const char *const kernel_sysctls[] = { "numa_balancing" };

/* The "sysctls" object: "vm.<name>" -> value, for those present, and
 * "kernel.<name>" for kernel_sysctls. */
static json_t *sysctls_json(void)
{
	json_t *o = json_object();
	char path[128], name[64];

	for (size_t i = 0; o && i < ARRAY_LEN(vm_sysctls); i++) {
		snprintf(path, sizeof(path), "/proc/sys/vm/%s", vm_sysctls[i]);
		snprintf(name, sizeof(name), "vm.%s", vm_sysctls[i]);
		set_file_int(o, name, path);
	}
	for (size_t i = 0; o && i < ARRAY_LEN(kernel_sysctls); i++) {
		snprintf(path, sizeof(path), "/proc/sys/kernel/%s",
			 kernel_sysctls[i]);
		snprintf(name, sizeof(name), "kernel.%s", kernel_sysctls[i]);
		set_file_int(o, name, path);
	}
	return o;
}

/* Names the i-th sysctl the snapshot reads, as its key in "sysctls"
 * ("vm.swappiness", ..., "kernel.numa_balancing"), in the order it reads
 * them, so a printer can list them in that order. False past the last. */
bool mt_sysinfo_sysctl_key(size_t i, char *buf, size_t len)
{
	if (i < ARRAY_LEN(vm_sysctls)) {
		snprintf(buf, len, "vm.%s", vm_sysctls[i]);
		return true;
	}
	i -= ARRAY_LEN(vm_sysctls);
	if (i < ARRAY_LEN(kernel_sysctls)) {
		snprintf(buf, len, "kernel.%s", kernel_sysctls[i]);
		return true;
	}
	return false;
}

#define ZSWAP_DIR "/sys/module/zswap/parameters"
#define LRU_GEN_DIR "/sys/kernel/mm/lru_gen"

/* Sets obj.name to the first line of path, when the file exists. */
static void set_file_str(json_t *obj, const char *name, const char *path)
{
	char buf[64];

	if (read_str(path, buf, sizeof(buf)))
		json_object_set_new(obj, name, json_string(buf));
}

/* One file of a parameter directory and how it is kept. */
struct dir_file {
	const char *name;
	bool is_int;
};

/* The object of a parameter directory dir: each of files[0..n) as a
 * string or an integer, or NULL when dir/enabled does not exist (the
 * kernel lacks the feature). */
static json_t *params_json(const char *dir, const struct dir_file *files,
			   size_t n)
{
	char path[128];
	json_t *o;

	snprintf(path, sizeof(path), "%s/enabled", dir);
	if (!mt_fs_exists(path))
		return NULL;
	o = json_object();
	for (size_t i = 0; o && i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
		if (files[i].is_int)
			set_file_int(o, files[i].name, path);
		else
			set_file_str(o, files[i].name, path);
	}
	return o;
}

/* The "zswap" object: the module's parameters as the kernel prints them
 * (enabled "Y"/"N", max_pool_percent, compressor, zpool), or NULL when
 * the kernel has no zswap. */
static json_t *zswap_json(void)
{
	static const struct dir_file files[] = {
		{ "enabled", false },
		{ "max_pool_percent", true },
		{ "compressor", false },
		{ "zpool", false },
	};

	return params_json(ZSWAP_DIR, files, ARRAY_LEN(files));
}

/* The "lru_gen" object: the multi-gen LRU's enabled mask as printed
 * ("0x0007") and min_ttl_ms, or NULL when the kernel has no MGLRU. */
static json_t *lru_gen_json(void)
{
	static const struct dir_file files[] = {
		{ "enabled", false },
		{ "min_ttl_ms", true },
	};

	return params_json(LRU_GEN_DIR, files, ARRAY_LEN(files));
}

/* Reads /proc/meminfo, the one file every snapshot needs: without it the
 * root is wrong, not the kernel old. Returns 0 or -errno with err set. */
static int read_meminfo(char **text, struct mt_err *err)
{
	int rc = mt_fs_read("/proc/meminfo", text, NULL, err);

	if (rc != 0 && err)
		mt_err_prefix(err, "sysinfo (root %s; check MEMTUNE_FSROOT)",
			      mt_fsroot());
	return rc;
}

/* Fills caps as sysinfo.h documents. Returns 0, or -errno with err set when
 * /proc/meminfo cannot be read. */
int mt_caps_read(struct mt_caps *caps, struct mt_err *err)
{
	struct cgroup_info cg;
	char *meminfo, why[128];
	uint64_t sizes[16];
	int64_t v;
	int rc, n;

	memset(caps, 0, sizeof(*caps));
	rc = read_meminfo(&meminfo, err);
	if (rc)
		return rc;
	if (mt_text_key(meminfo, "MemTotal", &v) == 0 && v > 0)
		caps->mem_total = (uint64_t)v;
	if (mt_text_key(meminfo, "SwapTotal", &v) == 0 && v > 0)
		caps->swap_total = (uint64_t)v;
	free(meminfo);

	caps->root = is_root();
	caps->in_container = detect_container(why, sizeof(why));
	read_cgroups(&cg);
	caps->cgroup_version = cg.version;
	snprintf(caps->cgroup_v1_memory, sizeof(caps->cgroup_v1_memory), "%s",
		 cg.v1_memory);
	snprintf(caps->cgroup_v2_root, sizeof(caps->cgroup_v2_root), "%s",
		 cg.v2_root);
	caps->numa_nodes = count_memory_nodes();

	n = hugetlb_sizes(sizes, 16);
	for (int i = 0; i < n; i++) {
		if (sizes[i] == 2048) {
			caps->hugetlb_2m = true;
			caps->hugetlb_free_2m = pool_value(2048,
							   "free_hugepages");
		} else if (sizes[i] == 1048576) {
			caps->hugetlb_1g = true;
			caps->hugetlb_free_1g = pool_value(1048576,
							   "free_hugepages");
		}
	}
	if (mt_fs_read_choice(THP_DIR "/enabled", caps->thp_enabled,
			      sizeof(caps->thp_enabled), NULL) != 0)
		caps->thp_enabled[0] = '\0';
	if (mt_fs_read_choice(THP_DIR "/defrag", caps->thp_defrag,
			      sizeof(caps->thp_defrag), NULL) != 0)
		caps->thp_defrag[0] = '\0';
	return 0;
}

/* Copies the first "model name" of /proc/cpuinfo into buf; false if none. */
static bool read_cpu_model(char *buf, size_t len)
{
	char *text, *line;
	bool found = false;

	if (mt_fs_read("/proc/cpuinfo", &text, NULL, NULL) != 0)
		return false;
	for (line = text; line && *line;
	     line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		char *colon, *end;

		if (strncmp(line, "model name", 10) != 0)
			continue;
		colon = strchr(line, ':');
		if (!colon)
			continue;
		colon++;
		while (*colon == ' ' || *colon == '\t')
			colon++;
		end = strchr(colon, '\n');
		snprintf(buf, len, "%.*s",
			 (int)(end ? end - colon : (long)strlen(colon)), colon);
		found = true;
		break;
	}
	free(text);
	return found;
}

/* The TLB size the CPU reports, as {"source", "entries_4k", "reported"},
 * or NULL when nothing does. Only x86 AMD kernels list one in
 * /proc/cpuinfo ("TLB size : 192 4K pages", from cpuid leaves 0x80000005
 * and 0x80000006); hwloc exposes no TLBs, and Intel's leaf 2/0x18
 * descriptors are not in /proc at all, so elsewhere the key is left out
 * rather than guessed. */
static json_t *tlb_json(void)
{
	char *text, *line;
	json_t *o = NULL;

	if (mt_fs_read("/proc/cpuinfo", &text, NULL, NULL) != 0)
		return NULL;
	for (line = text; line && *line;
	     line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		char *colon, *end, unit[16];
		long entries;
		int len;

		if (strncmp(line, "TLB size", 8) != 0)
			continue;
		colon = strchr(line, ':');
		if (!colon ||
		    sscanf(colon + 1, " %ld %15s", &entries, unit) != 2 ||
		    entries <= 0)
			continue;
		colon++;
		while (*colon == ' ' || *colon == '\t')
			colon++;
		end = strchr(colon, '\n');
		len = (int)(end ? end - colon : (long)strlen(colon));
		o = json_pack("{s:s, s:s#}", "source", "/proc/cpuinfo",
			      "reported", colon, len);
		if (o && strcmp(unit, "4K") == 0)
			json_object_set_new(o, "entries_4k",
					    json_integer(entries));
		else if (o)
			json_object_set_new(o, "entries",
					    json_integer(entries));
		break;
	}
	free(text);
	return o;
}

/* Builds the snapshot documented in sysinfo.h. Returns a new object, or NULL
 * with err set when /proc/meminfo cannot be read or memory runs out. */
json_t *mt_sysinfo_collect(struct mt_topo *topo, struct mt_err *err)
{
	struct cgroup_info cg;
	json_t *o, *mem, *cgj, *ctl;
	char *meminfo, buf[256];
	int64_t v, swap_total = -1, swap_free = -1;
	bool container;
	unsigned long json_failed = mt_json_alloc_failures();

	/* A file that cannot be read counts as absent below, which is right
	 * for a file this kernel does not have, but not for one we could not
	 * open or allocate for: that would describe another machine. */
	mt_fs_resource_reset();
	if (read_meminfo(&meminfo, err) != 0)
		return NULL;
	o = json_object();
	mem = json_object();
	if (!o || !mem)
		goto free_meminfo;
	json_object_set_new(o, "schema_version", json_integer(1));
	json_object_set_new(o, "fsroot", json_string(mt_fsroot()));
	if (read_str("/proc/sys/kernel/hostname", buf, sizeof(buf)))
		json_object_set_new(o, "host", json_string(buf));
	if (read_str("/proc/sys/kernel/osrelease", buf, sizeof(buf)))
		json_object_set_new(o, "kernel", json_string(buf));
	if (read_cpu_model(buf, sizeof(buf)))
		json_object_set_new(o, "cpu_model", json_string(buf));
	if (topo)
		json_object_set_new(o, "topology", mt_topo_summary(topo));
	{
		json_t *tlb = tlb_json();

		if (tlb)
			json_object_set_new(o, "tlb", tlb);
	}
	/* cpuid describes the CPU this runs on: only when the snapshot is of
	 * the live machine, not of a replayed tree. */
	if (!strcmp(mt_fsroot(), "/")) {
		json_t *ct = mt_cpuid_tlb(NULL, NULL);

		if (ct)
			json_object_set_new(o, "cpuid_tlb", ct);
	}

	for (size_t i = 0; i < ARRAY_LEN(meminfo_fields); i++)
		if (mt_text_key(meminfo, meminfo_fields[i].key, &v) == 0)
			json_object_set_new(mem, meminfo_fields[i].name,
					    json_integer(v));
	if (mt_text_key(meminfo, "SwapTotal", &v) == 0)
		swap_total = v;
	if (mt_text_key(meminfo, "SwapFree", &v) == 0)
		swap_free = v;
	free(meminfo);
	meminfo = NULL;
	json_object_set_new(o, "memory", mem);
	mem = NULL;

	json_object_set_new(o, "swap", swap_json(swap_total, swap_free));
	json_object_set_new(o, "thp", thp_json());
	json_object_set_new(o, "hugetlb", hugetlb_json());
	json_object_set_new(o, "numa", numa_json());

	read_cgroups(&cg);
	cgj = json_pack("{s:i}", "version", cg.version);
	ctl = json_array();
	if (cgj && ctl) {
		char *save = NULL;

		if (cg.v2_root[0]) {
			json_object_set_new(cgj, "v2_root",
					    json_string(cg.v2_root));
			for (char *w = strtok_r(cg.v2_controllers, " \t\n",
						&save);
			     w; w = strtok_r(NULL, " \t\n", &save))
				json_array_append_new(ctl, json_string(w));
			json_object_set_new(cgj, "v2_controllers", ctl);
			ctl = NULL;
		}
		if (cg.v1_memory[0])
			json_object_set_new(cgj, "v1_memory",
					    json_string(cg.v1_memory));
	}
	json_decref(ctl);
	json_object_set_new(o, "cgroup", cgj);

	json_object_set_new(o, "sysctls", sysctls_json());
	{
		json_t *z = zswap_json(), *g = lru_gen_json();

		if (z)
			json_object_set_new(o, "zswap", z);
		if (g)
			json_object_set_new(o, "lru_gen", g);
	}
	{
		/* The live reclaim signals (issue 13): counters and PSI,
		 * each only when the kernel has the file. */
		json_t *vm = mt_vmstat_json(), *psi = mt_psi_json();
		double up;

		if (vm)
			json_object_set_new(o, "vmstat", vm);
		if (psi)
			json_object_set_new(o, "psi", psi);
		if (mt_uptime_read(&up))
			json_object_set_new(o, "uptime_seconds", json_real(up));
	}
	container = detect_container(buf, sizeof(buf));
	json_object_set_new(o, "container", json_boolean(container));
	if (container)
		json_object_set_new(o, "container_evidence", json_string(buf));
	json_object_set_new(o, "root", json_boolean(is_root()));
	if (mt_json_alloc_failures() != json_failed) {
		json_decref(o);
		mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
			   "sysinfo: out of memory");
		return NULL;
	}
	if (mt_fs_resource_error(err) < 0) {
		json_decref(o);
		mt_err_prefix(err, "sysinfo");
		return NULL;
	}
	return o;

free_meminfo:
	free(meminfo);
	json_decref(o);
	json_decref(mem);
	mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME, "sysinfo: out of memory");
	return NULL;
}
