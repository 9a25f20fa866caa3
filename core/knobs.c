/* The table of knobs memtune may change, with each knob's safety as data
 * (see knobs.h). */
#include "knobs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsroot.h"

#define VM "/proc/sys/vm/"
#define KERN "/proc/sys/kernel/"
#define THP "/sys/kernel/mm/transparent_hugepage/"
#define ZSWAP "/sys/module/zswap/parameters/"
#define LRU_GEN "/sys/kernel/mm/lru_gen/"
#define HUGETLB "/sys/kernel/mm/hugepages/hugepages-"

/* The documents the rows follow. The kernel's documentation states most
 * ranges and defaults; where it does not (a bound only the source has),
 * the row's comment names the source file. */
#define VM_RST \
	"https://docs.kernel.org/admin-guide/sysctl/vm.html " \
	"(Linux 6.12)"
#define KERNEL_RST \
	"https://docs.kernel.org/admin-guide/sysctl/" \
	"kernel.html#numa-balancing (Linux 6.12)"
#define THP_RST \
	"https://docs.kernel.org/admin-guide/mm/transhuge.html " \
	"(Linux 6.12)"
#define ZSWAP_RST \
	"https://docs.kernel.org/admin-guide/mm/zswap.html " \
	"(Linux 6.12) and mm/zswap.c"
#define MGLRU_RST \
	"https://docs.kernel.org/admin-guide/mm/" \
	"multigen_lru.html (Linux 6.12)"
#define HUGETLB_RST \
	"https://docs.kernel.org/admin-guide/mm/" \
	"hugetlbpage.html (Linux 6.12)"

/* How a knob's maximum follows from the machine's memory. */
enum bound {
	FIXED,	   /* max as written */
	MEM_KB,	   /* at most MemTotal in KiB */
	MEM_BYTES, /* at most MemTotal in bytes */
	MEM_PAGES, /* at most MemTotal / page (hugetlb pools) */
};

struct row {
	const char *name; /* "vm.swappiness" */
	const char *file; /* its path, unresolved */
	enum mt_knob_kind kind;
	long long min, max;
	enum bound bound;
	const char *const *choices;
	const char *range;
	int since;	  /* MT_KV of the first kernel with it, or 0 */
	const char *dflt; /* the kernel's default, or NULL */
	const char *dflt_note;
	const char *persist; /* NULL: a sysctl.d line (vm.*, kernel.*) */
	const char *source;
};

static const char *const thp_enabled[] = { "always", "madvise", "never", NULL };
static const char *const thp_defrag[] = { "always",  "defer", "defer+madvise",
					  "madvise", "never", NULL };
static const char *const thp_shmem[] = { "always", "within_size", "advise",
					 "never",  "deny",	  "force",
					 NULL };
/* A bool module parameter reads back as Y or N (kernel/params.c
 * param_get_bool); memtune writes only those two words. */
static const char *const yes_no[] = { "Y", "N", NULL };
/* The compressors mm/Kconfig offers zswap (ZSWAP_COMPRESSOR_DEFAULT_*),
 * and lzo-rle, the crypto API's name zram uses: writing one the kernel
 * lacks fails with an error and changes nothing (mm/zswap.c
 * zswap_compressor_param_set). */
static const char *const zswap_comp[] = { "lzo",  "lzo-rle", "lz4", "lz4hc",
					  "zstd", "deflate", "842", NULL };
/* lru_gen/enabled reads back as 0x%04x of the components that are on;
 * y and n switch all of them (multigen_lru.rst). */
static const char *const lru_gen_values[] = { "0x0000", "0x0001", "0x0002",
					      "0x0003", "0x0004", "0x0005",
					      "0x0006", "0x0007", "y",
					      "n",	NULL };

static const char thp_persist[] =
	"THP modes have no sysctl.d line: put transparent_hugepage=VALUE on "
	"the kernel command line (GRUB_CMDLINE_LINUX in /etc/default/grub, "
	"then update-grub), or a tmpfiles.d line such as 'w "
	"/sys/kernel/mm/transparent_hugepage/enabled - - - - VALUE' in "
	"/etc/tmpfiles.d/memtune-thp.conf";
static const char thp_file_persist[] =
	"a sysfs file with no sysctl.d line: keep it with a tmpfiles.d line "
	"'w /sys/kernel/mm/transparent_hugepage/FILE - - - - VALUE' in "
	"/etc/tmpfiles.d/memtune-thp.conf (FILE: shmem_enabled or "
	"khugepaged/max_ptes_none)";
static const char zswap_persist[] =
	"a zswap module parameter has no sysctl.d line: put "
	"zswap.PARAMETER=VALUE (zswap.enabled=1, zswap.max_pool_percent=N, "
	"zswap.compressor=NAME) on the kernel command line "
	"(GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub), as "
	"Documentation/admin-guide/mm/zswap.rst describes";
static const char lru_gen_persist[] =
	"lru_gen has no sysctl.d line: keep it with a tmpfiles.d line "
	"'w /sys/kernel/mm/lru_gen/enabled - - - - VALUE' in "
	"/etc/tmpfiles.d/memtune-lru-gen.conf (the boot default is the "
	"build's CONFIG_LRU_GEN_ENABLED)";
static const char pool_persist[] =
	"a hugetlb pool of another page size has no sysctl.d line: put "
	"hugepagesz=SIZE hugepages=COUNT on the kernel command line, where "
	"1 GiB pages can still be found";

/* The table. Ranges are what the newest kernels accept (kernel/sysctl.c
 * and the handlers in mm/); older kernels' ranges are in `eras` below. A
 * knob whose handler has no upper bound (proc_dointvec_minmax with only
 * extra1 = SYSCTL_ZERO) takes 0..INT_MAX. */
static const struct row rows[] = {
	/* 0..200 since 5.8 (c843966c556d "mm: allow swappiness that
	 * prefers reclaiming anon over the file workingset"). */
	{ "vm.swappiness", VM "swappiness", MT_KNOB_INT, 0, 200, FIXED, NULL,
	  "0..200", 0, "60", "60", NULL, VM_RST },
	{ "vm.min_free_kbytes", VM "min_free_kbytes", MT_KNOB_INT, 0, 0, MEM_KB,
	  NULL, "0..MemTotal in KiB", 0, NULL,
	  "computed at boot: int_sqrt(lowmem_kbytes * 16) clamped to "
	  "128..262144 (128..65536 before 5.7), raised by khugepaged while "
	  "THP is on (mm/page_alloc.c, mm/khugepaged.c)",
	  NULL, VM_RST },
	/* 1..3000 since 5.17 (39c65a94cd96, also in some stable series). */
	{ "vm.watermark_scale_factor", VM "watermark_scale_factor", MT_KNOB_INT,
	  1, 3000, FIXED, NULL, "1..3000", 0, "10", "10", NULL, VM_RST },
	/* Since 5.0 (1c30844d2dfe "mm: reclaim small amounts of memory when
	 * an external fragmentation event occurs"); no upper bound. */
	{ "vm.watermark_boost_factor", VM "watermark_boost_factor", MT_KNOB_INT,
	  0, INT_MAX, FIXED, NULL,
	  "0..2147483647 (0 disables "
	  "boosting)",
	  MT_KV(5, 0), "15000", "15000", NULL, VM_RST },
	{ "vm.zone_reclaim_mode", VM "zone_reclaim_mode", MT_KNOB_INT, 0, 7,
	  FIXED, NULL, "0..7 (bits 1, 2, 4)", 0, "0", "0", NULL, VM_RST },
	/* max: the page size that MEM_PAGES divides MemTotal by. */
	{ "vm.nr_hugepages", VM "nr_hugepages", MT_KNOB_INT, 0, 2 << 20,
	  MEM_PAGES, NULL, "0..MemTotal / 2 MiB", 0, "0", "0", NULL,
	  HUGETLB_RST },
	{ "vm.dirty_ratio", VM "dirty_ratio", MT_KNOB_INT, 0, 100, FIXED, NULL,
	  "0..100", 0, "20", "20 (mm/page-writeback.c)", NULL, VM_RST },
	{ "vm.dirty_background_ratio", VM "dirty_background_ratio", MT_KNOB_INT,
	  0, 100, FIXED, NULL, "0..100", 0, "10", "10 (mm/page-writeback.c)",
	  NULL, VM_RST },
	/* The kernel refuses less than two pages (mt_knob_check). */
	{ "vm.dirty_bytes", VM "dirty_bytes", MT_KNOB_INT, 0, 0, MEM_BYTES,
	  NULL, "0, or 8192..MemTotal in bytes", 0, "0",
	  "0 (dirty_ratio in force)", NULL, VM_RST },
	{ "vm.dirty_background_bytes", VM "dirty_background_bytes", MT_KNOB_INT,
	  0, 0, MEM_BYTES, NULL, "0..MemTotal in bytes", 0, "0",
	  "0 (dirty_background_ratio in force)", NULL, VM_RST },
	/* mm/page-writeback.c: dirty_expire_interval = 30 * 100,
	 * dirty_writeback_interval = 5 * 100, both at least 0. */
	{ "vm.dirty_expire_centisecs", VM "dirty_expire_centisecs", MT_KNOB_INT,
	  0, INT_MAX, FIXED, NULL, "0..2147483647 centiseconds", 0, "3000",
	  "3000 (30 s, mm/page-writeback.c)", NULL, VM_RST },
	{ "vm.dirty_writeback_centisecs", VM "dirty_writeback_centisecs",
	  MT_KNOB_INT, 0, INT_MAX, FIXED, NULL,
	  "0..2147483647 centiseconds "
	  "(0 disables periodic writeback)",
	  0, "500", "500 (5 s, mm/page-writeback.c)", NULL, VM_RST },
	{ "vm.overcommit_memory", VM "overcommit_memory", MT_KNOB_INT, 0, 2,
	  FIXED, NULL, "0, 1 or 2", 0, "0", "0", NULL, VM_RST },
	/* mm/util.c overcommit_ratio_handler is a plain proc_dointvec: a
	 * percentage of RAM with no upper bound (above 100 lets the commit
	 * limit exceed RAM plus swap); memtune refuses negatives. */
	{ "vm.overcommit_ratio", VM "overcommit_ratio", MT_KNOB_INT, 0, INT_MAX,
	  FIXED, NULL, "0..2147483647 (percent of RAM)", 0, "50",
	  "50 (mm/util.c)", NULL, VM_RST },
	/* An unsigned long (proc_doulongvec_minmax); writing it zeroes
	 * overcommit_ratio and the other way round. */
	{ "vm.overcommit_kbytes", VM "overcommit_kbytes", MT_KNOB_INT, 0,
	  LLONG_MAX, FIXED, NULL,
	  "0 or more KiB (0: overcommit_ratio in "
	  "force)",
	  0, "0", "0 (overcommit_ratio in force)", NULL, VM_RST },
	/* DEFAULT_MAX_MAP_COUNT = USHRT_MAX - MAPCOUNT_ELF_CORE_MARGIN
	 * (include/linux/mm.h): 65530, where vm.rst rounds to 65536. */
	{ "vm.max_map_count", VM "max_map_count", MT_KNOB_INT, 0, INT_MAX,
	  FIXED, NULL, "0..2147483647", 0, "65530",
	  "65530 (DEFAULT_MAX_MAP_COUNT, include/linux/mm.h)", NULL, VM_RST },
	/* mm/oom_kill.c: proc_dointvec_minmax, SYSCTL_ZERO..SYSCTL_TWO. */
	{ "vm.panic_on_oom", VM "panic_on_oom", MT_KNOB_INT, 0, 2, FIXED, NULL,
	  "0, 1 or 2", 0, "0", "0 (kill a process, do not panic)", NULL,
	  VM_RST },
	{ "vm.vfs_cache_pressure", VM "vfs_cache_pressure", MT_KNOB_INT, 0,
	  INT_MAX, FIXED, NULL, "0..2147483647 (100 is fair)", 0, "100", "100",
	  NULL, VM_RST },
	/* mm/swap.c: page_cluster_max = 31 on current kernels (older ones
	 * take any int from 0: 0..31 is valid on every kernel); the default
	 * is 3 on any machine with 16 MiB or more (swap_setup). */
	{ "vm.page-cluster", VM "page-cluster", MT_KNOB_INT, 0, 31, FIXED, NULL,
	  "0..31 (log2 of pages read together)", 0, "3",
	  "3 (8 pages, mm/swap.c swap_setup)", NULL, VM_RST },
	/* kernel/sched/core.c: 0..1 before 5.18; from 5.18 a bitmask,
	 * 1 NUMA_BALANCING_NORMAL, 2 NUMA_BALANCING_MEMORY_TIERING
	 * (include/linux/sched/sysctl.h). The handler's bound is 4
	 * (extra2 = SYSCTL_FOUR); memtune writes the documented bits. */
	{ "kernel.numa_balancing", KERN "numa_balancing", MT_KNOB_INT, 0, 3,
	  FIXED, NULL, "0..3 (1 normal, 2 memory tiering)", 0, NULL,
	  "1 on a machine with several nodes when the kernel is built with "
	  "CONFIG_NUMA_BALANCING_DEFAULT_ENABLED, else 0",
	  NULL, KERNEL_RST },
	{ "transparent_hugepage.enabled", THP "enabled", MT_KNOB_CHOICE, 0, 0,
	  FIXED, thp_enabled, "always, madvise or never", 0, NULL,
	  "the build's CONFIG_TRANSPARENT_HUGEPAGE_ALWAYS or _MADVISE",
	  thp_persist, THP_RST },
	{ "transparent_hugepage.defrag", THP "defrag", MT_KNOB_CHOICE, 0, 0,
	  FIXED, thp_defrag, "always, defer, defer+madvise, madvise or never",
	  0, "madvise", "madvise", thp_persist, THP_RST },
	{ "transparent_hugepage.shmem_enabled", THP "shmem_enabled",
	  MT_KNOB_CHOICE, 0, 0, FIXED, thp_shmem,
	  "always, within_size, advise, never, deny or force", 0, "never",
	  "never", thp_file_persist, THP_RST },
	/* mm/khugepaged.c max_ptes_none_store refuses more than
	 * HPAGE_PMD_NR - 1: 511 with 4 KiB pages (the default too). */
	{ "transparent_hugepage.khugepaged.max_ptes_none",
	  THP "khugepaged/max_ptes_none", MT_KNOB_INT, 0, 511, FIXED, NULL,
	  "0..511 (4 KiB pages)", 0, "511", "511 (HPAGE_PMD_NR - 1)",
	  thp_file_persist, THP_RST },
	{ "zswap.enabled", ZSWAP "enabled", MT_KNOB_CHOICE, 0, 0, FIXED, yes_no,
	  "Y or N", 0, NULL, "the build's CONFIG_ZSWAP_DEFAULT_ON",
	  zswap_persist, ZSWAP_RST },
	{ "zswap.max_pool_percent", ZSWAP "max_pool_percent", MT_KNOB_INT, 0,
	  100, FIXED, NULL, "0..100 (percent of RAM)", 0, "20",
	  "20 (mm/zswap.c)", zswap_persist, ZSWAP_RST },
	{ "zswap.compressor", ZSWAP "compressor", MT_KNOB_CHOICE, 0, 0, FIXED,
	  zswap_comp, "lzo, lzo-rle, lz4, lz4hc, zstd, deflate or 842", 0, NULL,
	  "the build's CONFIG_ZSWAP_COMPRESSOR_DEFAULT", zswap_persist,
	  ZSWAP_RST },
	/* Since 6.1 (the multi-gen LRU merge). */
	{ "lru_gen.enabled", LRU_GEN "enabled", MT_KNOB_CHOICE, 0, 0, FIXED,
	  lru_gen_values, "0x0000..0x0007, y or n", MT_KV(6, 1), NULL,
	  "0x0007 when built with CONFIG_LRU_GEN_ENABLED (components the "
	  "hardware lacks read as 0), else 0x0000",
	  lru_gen_persist, MGLRU_RST },
};

#define N_ROWS (sizeof(rows) / sizeof(rows[0]))

/* Ranges older kernels accept: the row's range applies from `before` on. */
static const struct era {
	const char *name;
	int before; /* MT_KV: this range is for older kernels */
	long long min, max;
	const char *range;
} eras[] = {
	{ "vm.swappiness", MT_KV(5, 8), 0, 100, "0..100 (before Linux 5.8)" },
	/* Some stable series took the 3000 later; below 5.17 memtune keeps
	 * to what every such kernel accepts. */
	{ "vm.watermark_scale_factor", MT_KV(5, 17), 1, 1000,
	  "1..1000 (before Linux 5.17)" },
	{ "kernel.numa_balancing", MT_KV(5, 18), 0, 1,
	  "0 or 1 (before Linux 5.18)" },
};

#define N_ERAS (sizeof(eras) / sizeof(eras[0]))

/* The danger thresholds: values a kernel accepts but that need --force in
 * apply, each with the reason and where the reason comes from. */
enum danger_test {
	D_EQ,		/* value == n */
	D_NE,		/* value != n */
	D_BELOW,	/* value < n */
	D_ABOVE,	/* value > n */
	D_MEM_FIFTIETH, /* value KiB > mem_total / 50 */
	D_WORD,		/* the choice `word` */
};

static const struct danger {
	const char *name;
	enum danger_test test;
	long long n;
	const char *word;
	const char *why; /* one %s: the value */
} dangers[] = {
	{ "vm.swappiness", D_EQ, 0, NULL,
	  "swappiness=%s keeps anonymous memory until free and file-backed "
	  "pages fall below a zone's high watermark (vm.rst swappiness)" },
	{ "vm.zone_reclaim_mode", D_NE, 0, NULL,
	  "zone_reclaim_mode=%s reclaims local page cache before using "
	  "another node (vm.rst zone_reclaim_mode)" },
	{ "vm.overcommit_memory", D_EQ, 2, NULL,
	  "overcommit_memory=%s makes allocations fail at the commit limit, "
	  "also for programs that never touch what they reserve (vm.rst "
	  "overcommit_memory)" },
	/* vm.rst: "Setting this too high will OOM your machine instantly";
	 * 2% of memory is memtune's line, above any kernel default. */
	{ "vm.min_free_kbytes", D_MEM_FIFTIETH, 0, NULL,
	  "min_free_kbytes=%s is more than 2%% of memory: too much reserve "
	  "can bring the OOM killer (vm.rst: setting this too high will OOM "
	  "your machine instantly)" },
	{ "vm.vfs_cache_pressure", D_EQ, 0, NULL,
	  "vfs_cache_pressure=%s never reclaims dentries and inodes, which "
	  "vm.rst says can easily lead to out-of-memory conditions" },
	{ "vm.dirty_writeback_centisecs", D_EQ, 0, NULL,
	  "dirty_writeback_centisecs=%s disables periodic writeback "
	  "altogether (vm.rst): dirty data waits for memory pressure, "
	  "a dirty limit or sync" },
	{ "vm.max_map_count", D_BELOW, 65530, NULL,
	  "max_map_count=%s is below the kernel's default 65530: programs "
	  "that need more maps get ENOMEM from mmap and mprotect (vm.rst "
	  "max_map_count)" },
	/* boost_watermark (mm/page_alloc.c) raises a zone's watermarks by
	 * up to factor/10000 of the high watermark per fragmentation event:
	 * more than the default reclaims more than 150% of it each time. */
	{ "vm.watermark_boost_factor", D_ABOVE, 15000, NULL,
	  "watermark_boost_factor=%s is above the kernel's default 15000: "
	  "each fragmentation event makes kswapd reclaim more than 150%% of "
	  "the high watermark (vm.rst watermark_boost_factor)" },
	{ "transparent_hugepage.shmem_enabled", D_WORD, 0, "force",
	  "shmem_enabled=%s forces huge pages on every tmpfs and shmem "
	  "mount, which transhuge.rst offers for testing" },
	{ "transparent_hugepage.shmem_enabled", D_WORD, 0, "deny",
	  "shmem_enabled=%s forces huge pages off on every mount, which "
	  "transhuge.rst offers for emergencies" },
};

#define N_DANGERS (sizeof(dangers) / sizeof(dangers[0]))

/* Fills out from row r. */
static void fill(const struct row *r, uint64_t mem_total, struct mt_knob *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", r->name);
	snprintf(out->path, sizeof(out->path), "%s", r->file);
	if (!r->persist)
		snprintf(out->sysctl, sizeof(out->sysctl), "%s", r->name);
	out->persist = r->persist;
	out->kind = r->kind;
	out->min = r->min;
	out->max = r->max;
	out->choices = r->choices;
	out->range = r->range;
	out->since = r->since;
	out->dflt = r->dflt;
	out->dflt_note = r->dflt_note;
	out->source = r->source;
	/* Unknown memory: the kernel's own type bounds the value. */
	switch (r->bound) {
	case FIXED: break;
	case MEM_KB:
		out->max = mem_total ? (long long)(mem_total >> 10) : INT_MAX;
		break;
	case MEM_BYTES:
		out->max = mem_total ? (long long)mem_total : LLONG_MAX;
		break;
	case MEM_PAGES:
		out->max = mem_total ?
				   (long long)(mem_total / (uint64_t)r->max) :
				   INT_MAX;
		break;
	}
}

/* Narrows out to the range kernel accepts, when an era says so. */
static void apply_era(struct mt_knob *out, int kernel)
{
	out->kernel = kernel;
	if (!kernel)
		return;
	for (size_t i = 0; i < N_ERAS; i++) {
		if (strcmp(eras[i].name, out->name) != 0 ||
		    kernel >= eras[i].before)
			continue;
		out->min = eras[i].min;
		out->max = eras[i].max;
		out->range = eras[i].range;
		return;
	}
}

/* Parses "hugepages-NkB.nr_hugepages" (or the path form's N) into the page
 * size in KiB: a power of two from 64 KiB to 16 GiB. Returns 0 if not. */
static unsigned long long pool_kb(const char *s, const char *suffix)
{
	unsigned long long kb;
	char *end;

	if (s[0] < '1' || s[0] > '9')
		return 0;
	errno = 0;
	kb = strtoull(s, &end, 10);
	if (errno || strcmp(end, suffix) != 0)
		return 0;
	if (kb < 64 || kb > (16ULL << 20) || (kb & (kb - 1)))
		return 0;
	return kb;
}

/* Fills out for the hugetlb pool of kb KiB pages. */
static void fill_pool(unsigned long long kb, uint64_t mem_total,
		      struct mt_knob *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "hugepages-%llukB.nr_hugepages",
		 kb);
	snprintf(out->path, sizeof(out->path), HUGETLB "%llukB/nr_hugepages",
		 kb);
	out->kind = MT_KNOB_INT;
	out->min = 0;
	out->max = mem_total ? (long long)(mem_total / (kb << 10)) : INT_MAX;
	out->range = "0..MemTotal / the page size";
	out->persist = pool_persist;
	out->dflt = "0";
	out->dflt_note = "0 unless the kernel command line reserves pages";
	out->source = HUGETLB_RST;
}

int mt_knob_lookup_kv(const char *name, uint64_t mem_total, int kernel,
		      struct mt_knob *out)
{
	unsigned long long kb;

	if (!name)
		return -ENOENT;
	for (size_t i = 0; i < N_ROWS; i++) {
		if (strcmp(rows[i].name, name) == 0) {
			fill(&rows[i], mem_total, out);
			apply_era(out, kernel);
			return kernel && kernel < out->since ? -EOPNOTSUPP : 0;
		}
	}
	if (strncmp(name, "hugepages-", 10) == 0 &&
	    (kb = pool_kb(name + 10, "kB.nr_hugepages"))) {
		if (kb == 2048) /* the default size is vm.nr_hugepages */
			return mt_knob_lookup_kv("vm.nr_hugepages", mem_total,
						 kernel, out);
		fill_pool(kb, mem_total, out);
		out->kernel = kernel;
		return 0;
	}
	return -ENOENT;
}

int mt_knob_lookup(const char *name, uint64_t mem_total, struct mt_knob *out)
{
	return mt_knob_lookup_kv(name, mem_total, 0, out);
}

bool mt_path_is_clean(const char *path)
{
	const char *p;

	if (!path || path[0] != '/')
		return false;
	for (p = path + 1;;) {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		if (p[n] == '\0')
			return true;
		p += n + 1;
	}
}

int mt_knob_lookup_path(const char *path, uint64_t mem_total,
			struct mt_knob *out)
{
	size_t hl = strlen(HUGETLB);
	unsigned long long kb;

	if (!mt_path_is_clean(path))
		return -ENOENT;
	for (size_t i = 0; i < N_ROWS; i++) {
		if (strcmp(rows[i].file, path) == 0) {
			fill(&rows[i], mem_total, out);
			return 0;
		}
	}
	if (strncmp(path, HUGETLB, hl) == 0 &&
	    (kb = pool_kb(path + hl, "kB/nr_hugepages"))) {
		/* 2 MiB too: the benchmarks write the default pool by its
		 * sysfs name. */
		fill_pool(kb, mem_total, out);
		return 0;
	}
	return -ENOENT;
}

bool mt_knob_check(const struct mt_knob *k, const char *value, char *why,
		   size_t len)
{
	long long v;
	char *end;

	if (!value || !value[0]) {
		snprintf(why, len, "an empty value (expected %s)", k->range);
		return false;
	}
	if (k->kind == MT_KNOB_CHOICE) {
		for (size_t i = 0; k->choices[i]; i++)
			if (strcmp(k->choices[i], value) == 0)
				return true;
		snprintf(why, len, "'%.64s' is not one of %s", value, k->range);
		return false;
	}
	if (!(value[0] >= '0' && value[0] <= '9') &&
	    !(value[0] == '-' && k->min < 0)) {
		snprintf(why, len,
			 "'%.64s' is not a decimal integer "
			 "(expected %s)",
			 value, k->range);
		return false;
	}
	errno = 0;
	v = strtoll(value, &end, 10);
	if (*end != '\0' || end == value) {
		snprintf(why, len,
			 "'%.64s' is not a decimal integer "
			 "(expected %s)",
			 value, k->range);
		return false;
	}
	if (errno == ERANGE || v < k->min || v > k->max) {
		snprintf(why, len, "%.64s is outside %lld..%lld (%s%s)", value,
			 k->min, k->max, k->range,
			 k->kernel ? " on this kernel" : "");
		return false;
	}
	/* The kernel refuses dirty_bytes below two pages. */
	if (strcmp(k->name, "vm.dirty_bytes") == 0 && v != 0 && v < 8192) {
		snprintf(why, len,
			 "%lld is under the kernel's minimum for "
			 "dirty_bytes (two pages, 8192)",
			 v);
		return false;
	}
	return true;
}

bool mt_knob_danger(const struct mt_knob *k, const char *value,
		    uint64_t mem_total, char *why, size_t len)
{
	long long v = 0;
	bool num = false;
	char *end;

	if (!k || !value || !value[0])
		return false;
	if (k->kind == MT_KNOB_INT) {
		errno = 0;
		v = strtoll(value, &end, 10);
		num = end != value && *end == '\0' && errno == 0;
	}
	for (size_t i = 0; i < N_DANGERS; i++) {
		const struct danger *d = &dangers[i];
		bool hit = false;

		if (strcmp(d->name, k->name) != 0)
			continue;
		switch (d->test) {
		case D_EQ: hit = num && v == d->n; break;
		case D_NE: hit = num && v != d->n; break;
		case D_BELOW: hit = num && v < d->n; break;
		case D_ABOVE: hit = num && v > d->n; break;
		case D_MEM_FIFTIETH:
			hit = num && mem_total && v > 0 &&
			      (uint64_t)v > (mem_total / 50) >> 10;
			break;
		case D_WORD: hit = strcmp(value, d->word) == 0; break;
		}
		if (hit) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
			snprintf(why, len, d->why, value);
#pragma GCC diagnostic pop
			return true;
		}
	}
	return false;
}

int mt_kernel_version(const char *osrelease)
{
	int major, minor;

	if (!osrelease || sscanf(osrelease, "%d.%d", &major, &minor) != 2 ||
	    major < 1 || minor < 0 || minor >= 1000)
		return 0;
	return MT_KV(major, minor);
}

long long mt_knob_min_free_kbytes_clamp(int kernel)
{
	/* "mm/page_alloc: increase default min_free_kbytes bound" (Joel
	 * Savitz, Linux 5.7). */
	return kernel && kernel < MT_KV(5, 7) ? 65536 : 262144;
}

const char *mt_knob_unresolve(const char *path)
{
	const char *root = mt_fsroot();
	size_t n = strlen(root);

	while (n > 0 && root[n - 1] == '/')
		n--;
	if (n == 0)
		return path[0] == '/' ? path : NULL;
	if (strncmp(path, root, n) != 0 || path[n] != '/')
		return NULL;
	return path + n;
}
