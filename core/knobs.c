/* The table of knobs memtune may change (see knobs.h). */
#include "knobs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsroot.h"

#define VM "/proc/sys/vm/"
#define THP "/sys/kernel/mm/transparent_hugepage/"
#define HUGETLB "/sys/kernel/mm/hugepages/hugepages-"

/* How a knob's maximum follows from the machine's memory. */
enum bound {
	FIXED,			/* max as written */
	MEM_KB,			/* at most MemTotal in KiB */
	MEM_BYTES,		/* at most MemTotal in bytes */
	MEM_PAGES,		/* at most MemTotal / page (hugetlb pools) */
};

struct row {
	const char *name;	/* "vm.swappiness" */
	const char *file;	/* under VM or THP */
	enum mt_knob_kind kind;
	long long min, max;
	enum bound bound;
	const char *const *choices;
	const char *range;
};

static const char *const thp_enabled[] = { "always", "madvise", "never",
					   NULL };
static const char *const thp_defrag[] = { "always", "defer",
					  "defer+madvise", "madvise", "never",
					  NULL };

/* vm.rst (6.1): swappiness 0..200; watermark_scale_factor 1..3000;
 * zone_reclaim_mode the OR of 1, 2 and 4; dirty ratios are percentages;
 * dirty_bytes is at least two pages (the kernel refuses less) or 0 when
 * the ratio is in force; overcommit_memory 0, 1 or 2. */
static const struct row rows[] = {
	{ "vm.swappiness", VM "swappiness", MT_KNOB_INT, 0, 200, FIXED, NULL,
	  "0..200" },
	{ "vm.min_free_kbytes", VM "min_free_kbytes", MT_KNOB_INT, 0, 0,
	  MEM_KB, NULL, "0..MemTotal in KiB" },
	{ "vm.watermark_scale_factor", VM "watermark_scale_factor",
	  MT_KNOB_INT, 1, 3000, FIXED, NULL, "1..3000" },
	{ "vm.zone_reclaim_mode", VM "zone_reclaim_mode", MT_KNOB_INT, 0, 7,
	  FIXED, NULL, "0..7 (bits 1, 2, 4)" },
	/* max: the page size that MEM_PAGES divides MemTotal by. */
	{ "vm.nr_hugepages", VM "nr_hugepages", MT_KNOB_INT, 0, 2 << 20,
	  MEM_PAGES, NULL, "0..MemTotal / 2 MiB" },
	{ "vm.dirty_ratio", VM "dirty_ratio", MT_KNOB_INT, 0, 100, FIXED,
	  NULL, "0..100" },
	{ "vm.dirty_background_ratio", VM "dirty_background_ratio",
	  MT_KNOB_INT, 0, 100, FIXED, NULL, "0..100" },
	{ "vm.dirty_bytes", VM "dirty_bytes", MT_KNOB_INT, 0, 0, MEM_BYTES,
	  NULL, "0, or 8192..MemTotal in bytes" },
	{ "vm.dirty_background_bytes", VM "dirty_background_bytes",
	  MT_KNOB_INT, 0, 0, MEM_BYTES, NULL, "0..MemTotal in bytes" },
	{ "vm.overcommit_memory", VM "overcommit_memory", MT_KNOB_INT, 0, 2,
	  FIXED, NULL, "0, 1 or 2" },
	/* the vm table: proc_dointvec_minmax, extra1 SYSCTL_ZERO. */
	{ "vm.max_map_count", VM "max_map_count", MT_KNOB_INT, 0, INT_MAX,
	  FIXED, NULL, "0..2147483647" },
	/* mm/oom_kill.c: proc_dointvec_minmax, SYSCTL_ZERO..SYSCTL_TWO. */
	{ "vm.panic_on_oom", VM "panic_on_oom", MT_KNOB_INT, 0, 2, FIXED,
	  NULL, "0, 1 or 2" },
	{ "transparent_hugepage.enabled", THP "enabled", MT_KNOB_CHOICE, 0, 0,
	  FIXED, thp_enabled, "always, madvise or never" },
	{ "transparent_hugepage.defrag", THP "defrag", MT_KNOB_CHOICE, 0, 0,
	  FIXED, thp_defrag,
	  "always, defer, defer+madvise, madvise or never" },
};

#define N_ROWS (sizeof(rows) / sizeof(rows[0]))

static const char thp_persist[] =
	"THP modes have no sysctl.d line: put transparent_hugepage=VALUE on "
	"the kernel command line (GRUB_CMDLINE_LINUX in /etc/default/grub, "
	"then update-grub), or a tmpfiles.d line such as 'w "
	"/sys/kernel/mm/transparent_hugepage/enabled - - - - VALUE' in "
	"/etc/tmpfiles.d/memtune-thp.conf";
static const char pool_persist[] =
	"a hugetlb pool of another page size has no sysctl.d line: put "
	"hugepagesz=SIZE hugepages=COUNT on the kernel command line, where "
	"1 GiB pages can still be found";

/* Fills out from row r. */
static void fill(const struct row *r, uint64_t mem_total,
		 struct mt_knob *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", r->name);
	snprintf(out->path, sizeof(out->path), "%s", r->file);
	if (strncmp(r->name, "vm.", 3) == 0)
		snprintf(out->sysctl, sizeof(out->sysctl), "%s", r->name);
	else
		out->persist = thp_persist;
	out->kind = r->kind;
	out->min = r->min;
	out->max = r->max;
	out->choices = r->choices;
	out->range = r->range;
	/* Unknown memory: the kernel's own type bounds the value. */
	switch (r->bound) {
	case FIXED:
		break;
	case MEM_KB:
		out->max = mem_total ? (long long)(mem_total >> 10) : INT_MAX;
		break;
	case MEM_BYTES:
		out->max = mem_total ? (long long)mem_total : LLONG_MAX;
		break;
	case MEM_PAGES:
		out->max = mem_total ? (long long)(mem_total /
						  (uint64_t)r->max) :
				       INT_MAX;
		break;
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
}

int mt_knob_lookup(const char *name, uint64_t mem_total, struct mt_knob *out)
{
	unsigned long long kb;

	if (!name)
		return -ENOENT;
	for (size_t i = 0; i < N_ROWS; i++) {
		if (strcmp(rows[i].name, name) == 0) {
			fill(&rows[i], mem_total, out);
			return 0;
		}
	}
	if (strncmp(name, "hugepages-", 10) == 0 &&
	    (kb = pool_kb(name + 10, "kB.nr_hugepages"))) {
		if (kb == 2048)	/* the default size is vm.nr_hugepages */
			return mt_knob_lookup("vm.nr_hugepages", mem_total,
					      out);
		fill_pool(kb, mem_total, out);
		return 0;
	}
	return -ENOENT;
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
		snprintf(why, len, "'%.64s' is not a decimal integer "
			 "(expected %s)", value, k->range);
		return false;
	}
	errno = 0;
	v = strtoll(value, &end, 10);
	if (*end != '\0' || end == value) {
		snprintf(why, len, "'%.64s' is not a decimal integer "
			 "(expected %s)", value, k->range);
		return false;
	}
	if (errno == ERANGE || v < k->min || v > k->max) {
		snprintf(why, len, "%.64s is outside %lld..%lld (%s)", value,
			 k->min, k->max, k->range);
		return false;
	}
	/* The kernel refuses dirty_bytes below two pages. */
	if (strcmp(k->name, "vm.dirty_bytes") == 0 && v != 0 && v < 8192) {
		snprintf(why, len, "%lld is under the kernel's minimum for "
			 "dirty_bytes (two pages, 8192)", v);
		return false;
	}
	return true;
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
