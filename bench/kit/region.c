/* Memory regions with a chosen page backing, and what the kernel really gave
 * them (smaps). See region.h for the backings. */
#include "region.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>

#include "../../core/fsroot.h"
#include "../../core/units.h"
#include "../bench.h"

#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif
#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21 << MAP_HUGE_SHIFT)
#endif
#ifndef MAP_HUGE_1GB
#define MAP_HUGE_1GB (30 << MAP_HUGE_SHIFT)
#endif

#define SMALL_PAGE 4096ull
#define THP_SIZE (2ull << 20)

const char *const mt_backing_names[] = {
	"4k", "thp", "2m", "1g", "system", NULL
};

#define N_BACKINGS 5

/* Parses a backing name (case-insensitive, as sizes are). Returns 0 or
 * -EINVAL (also for NULL). */
int mt_backing_parse(const char *s, enum mt_backing *out)
{
	if (!s)
		return -EINVAL;
	for (int i = 0; i < N_BACKINGS; i++) {
		if (strcasecmp(s, mt_backing_names[i]) == 0) {
			*out = (enum mt_backing)i;
			return 0;
		}
	}
	return -EINVAL;
}

/* The backing's name, or "?" for a value outside the enum. */
const char *mt_backing_name(enum mt_backing b)
{
	if ((unsigned)b >= N_BACKINGS)
		return "?";
	return mt_backing_names[b];
}

/* The page size a backing asks for: THP asks for 4 KiB pages and hopes for
 * 2 MiB ones, so it answers 4096 like 4k. */
uint64_t mt_backing_page_size(enum mt_backing b)
{
	switch (b) {
	case MT_BACK_2M: return 2ull << 20;
	case MT_BACK_1G: return 1ull << 30;
	case MT_BACK_4K:
	case MT_BACK_THP:
	case MT_BACK_SYS: break;
	}
	return SMALL_PAGE;
}

static uint64_t round_up(uint64_t x, uint64_t to)
{
	return (x + to - 1) / to * to;
}

int mt_hugetlb_pool_path(uint64_t page_size, const char *file, char *buf,
			 size_t len)
{
	int n = snprintf(buf, len,
			 "/sys/kernel/mm/hugepages/hugepages-%" PRIu64 "kB/%s",
			 page_size / 1024, file);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Reads one counter of the pool into *out. */
static int pool_counter(uint64_t page_size, const char *file, uint64_t *out,
			struct mt_err *err)
{
	char path[160];
	int64_t v;
	int ret;

	ret = mt_hugetlb_pool_path(page_size, file, path, sizeof(path));
	if (ret < 0)
		return mt_err_set(err, ret, MT_ERR_RUNTIME,
				  "region: hugetlb pool path too long");
	ret = mt_fs_read_i64(path, &v, err);
	if (ret < 0)
		return ret;
	*out = v < 0 ? 0 : (uint64_t)v;
	return 0;
}

/* Reads the four counters; a missing pool directory means the kernel does
 * not offer that page size. */
int mt_hugetlb_pool_read(uint64_t page_size, struct mt_hugetlb_pool *p,
			 struct mt_err *err)
{
	char dir[160];
	int ret;

	memset(p, 0, sizeof(*p));
	p->page_size = page_size;
	ret = mt_hugetlb_pool_path(page_size, "", dir, sizeof(dir));
	if (ret < 0)
		return mt_err_set(err, ret, MT_ERR_RUNTIME,
				  "region: hugetlb pool path too long");
	if (!mt_fs_exists(dir))
		return mt_err_set(err, -ENOENT, MT_ERR_RUNTIME,
				  "region: %s: no such hugetlb pool (the "
				  "kernel or CPU does not offer %" PRIu64
				  " kB pages)",
				  dir, page_size / 1024);
	if ((ret = pool_counter(page_size, "nr_hugepages", &p->nr, err)) < 0 ||
	    (ret = pool_counter(page_size, "free_hugepages", &p->free, err)) <
		    0 ||
	    (ret = pool_counter(page_size, "resv_hugepages", &p->resv, err)) <
		    0 ||
	    (ret = pool_counter(page_size, "surplus_hugepages", &p->surplus,
				err)) < 0)
		return ret;
	return 0;
}

/* free_hugepages counts pages already promised to other mappings
 * (resv_hugepages) that have not faulted yet; only the rest is ours. */
uint64_t mt_hugetlb_pool_available(const struct mt_hugetlb_pool *p)
{
	return p->free > p->resv ? p->free - p->resv : 0;
}

/* Explains a failed hugetlb mmap: how many pages the pool has free, how
 * many the mapping needs, and the command that reserves the difference. */
static int hugetlb_error(enum mt_backing b, size_t size, int e,
			 struct mt_err *err)
{
	uint64_t page = mt_backing_page_size(b);
	uint64_t need = size / page;
	struct mt_hugetlb_pool pool;
	char path[160], sz[32], what[32];
	struct mt_err perr = { 0 };

	mt_format_size(size, sz, sizeof(sz));
	mt_format_size(page, what, sizeof(what));
	mt_hugetlb_pool_path(page, "nr_hugepages", path, sizeof(path));
	if (mt_hugetlb_pool_read(page, &pool, &perr) < 0)
		return mt_err_set(err, -e, MT_ERR_RUNTIME,
				  "region: cannot map %s of %s hugetlb pages: "
				  "%s (%s)",
				  sz, what, strerror(e), perr.msg);
	if (e == ENOMEM) {
		uint64_t avail = mt_hugetlb_pool_available(&pool);
		uint64_t target = pool.nr + (need > avail ? need - avail : 0);

		return mt_err_set(err, -e, MT_ERR_RUNTIME,
				  "region: cannot map %s of %s hugetlb pages: "
				  "%s (the pool has %" PRIu64
				  " free of %" PRIu64 ", %" PRIu64
				  " needed; reserve more "
				  "as root with: echo %" PRIu64 " > %s, or "
				  "let memtune do it: run as root with "
				  "hugepage.hugetlb_reserve=yes)",
				  sz, what, strerror(e), avail, pool.nr, need,
				  target, path);
	}
	return mt_err_set(err, -e, MT_ERR_RUNTIME,
			  "region: cannot map %s of %s hugetlb pages: %s "
			  "(pool %s: %" PRIu64 " pages, %" PRIu64 " free)",
			  sz, what, strerror(e), path, pool.nr,
			  mt_hugetlb_pool_available(&pool));
}

/* Maps the region. 4k and thp are anonymous private mappings whose huge
 * page policy is set with madvise, so they do not depend on the system-wide
 * THP mode being "always"; thp over-maps by 2 MiB so that its start can be
 * aligned to a huge page (an unaligned start wastes the first and last
 * partial 2 MiB). hugetlb mappings reserve their pages at mmap time, so an
 * empty pool fails here (ENOMEM) rather than with SIGBUS on first touch. */
int mt_region_map(struct mt_region *r, enum mt_backing b, size_t size,
		  struct mt_err *err)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	uint64_t page = mt_backing_page_size(b);
	char sz[32];
	void *p;

	memset(r, 0, sizeof(*r));
	if ((unsigned)b >= N_BACKINGS || size == 0)
		return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				  "region: bad request: backing %d, %zu bytes "
				  "(need a backing 4k, thp, 2m, 1g or system "
				  "and a size above 0)",
				  (int)b, size);
	if (size > SIZE_MAX - THP_SIZE - page)
		return mt_err_set(err, -EOVERFLOW, MT_ERR_INPUT,
				  "region: size %zu is too large", size);
	size = (size_t)round_up(size, page);
	mt_format_size(size, sz, sizeof(sz));

	r->backing = b;
	r->size = size;
	r->map_size = size;
	if (b == MT_BACK_THP || b == MT_BACK_SYS)
		r->map_size += THP_SIZE;
	else if (b == MT_BACK_2M)
		flags |= MAP_HUGETLB | MAP_HUGE_2MB;
	else if (b == MT_BACK_1G)
		flags |= MAP_HUGETLB | MAP_HUGE_1GB;

	p = mmap(NULL, r->map_size, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (p == MAP_FAILED) {
		int e = errno;

		memset(r, 0, sizeof(*r));
		if (b == MT_BACK_2M || b == MT_BACK_1G)
			return hugetlb_error(b, size, e, err);
		return mt_err_set(err, -e, MT_ERR_RUNTIME,
				  "region: cannot map %s of anonymous memory: "
				  "%s (free some memory or ask for a smaller "
				  "size)",
				  sz, strerror(e));
	}
	r->map_addr = p;
	r->addr = p;

	if (b == MT_BACK_4K && madvise(r->addr, r->size, MADV_NOHUGEPAGE) < 0 &&
	    errno != EINVAL) {
		/* EINVAL: a kernel without THP, where 4 KiB is all there is */
		int e = errno;

		mt_region_unmap(r);
		return mt_err_set(err, -e, MT_ERR_RUNTIME,
				  "region: madvise(MADV_NOHUGEPAGE) on %s: %s",
				  sz, strerror(e));
	}
	if (b == MT_BACK_THP || b == MT_BACK_SYS) {
		/* Aligned to a huge page, so that under enabled=always every
		 * 2 MiB of it can be one. */
		uintptr_t a = ((uintptr_t)p + THP_SIZE - 1) &
			      ~(uintptr_t)(THP_SIZE - 1);

		r->addr = (void *)a;
		if (b == MT_BACK_THP &&
		    madvise(r->addr, r->size, MADV_HUGEPAGE) < 0) {
			int e = errno;

			mt_region_unmap(r);
			return mt_err_set(err, -e, MT_ERR_RUNTIME,
					  "region: madvise(MADV_HUGEPAGE) on "
					  "%s: %s (is the kernel built with "
					  "transparent huge pages? see "
					  "/sys/kernel/mm/transparent_hugepage"
					  ")",
					  sz, strerror(e));
		}
	}
	return 0;
}

/* One store per 4 KiB page; volatile so that the stores happen even though
 * nothing reads them. For huge pages the first store of each huge page
 * faults and the rest hit memory already mapped. */
void mt_region_touch(struct mt_region *r)
{
	volatile unsigned char *p = r->addr;

	for (size_t off = 0; off < r->size; off += SMALL_PAGE)
		p[off] = 1;
}

/* Unmaps what mmap returned (the whole over-mapping for thp) and clears r,
 * so that unmapping twice or an unmapped region is harmless. */
void mt_region_unmap(struct mt_region *r)
{
	if (r->map_addr && r->map_size)
		munmap(r->map_addr, r->map_size);
	memset(r, 0, sizeof(*r));
}

/* Parses a VMA header line "start-end perms ..." of smaps. Returns true and
 * the bounds if the line is one; field lines ("Rss:  4 kB") are not. */
static bool vma_header(const char *line, uintptr_t *start, uintptr_t *end)
{
	char *e;
	unsigned long long s, t;

	s = strtoull(line, &e, 16);
	if (e == line || *e != '-')
		return false;
	line = e + 1;
	t = strtoull(line, &e, 16);
	if (e == line || *e != ' ')
		return false;
	*start = (uintptr_t)s;
	*end = (uintptr_t)t;
	return true;
}

/* The kB value of a field line "Name:   123 kB" if it is field `name`. */
static bool field_kb(const char *line, const char *name, uint64_t *kb)
{
	size_t n = strlen(name);

	if (strncmp(line, name, n) != 0 || line[n] != ':')
		return false;
	*kb = strtoull(line + n + 1, NULL, 10);
	return true;
}

/* Sums AnonHugePages and Rss of every VMA overlapping the region: THP may
 * split the region into several VMAs (madvise, khugepaged, a partial
 * mprotect). A VMA that also covers memory outside the region (the kernel
 * merged it with a neighbour) contributes at most the overlap, since smaps
 * cannot say where inside the VMA its pages are. For hugetlb VMAs Rss is 0
 * and the resident huge pages are in Private_Hugetlb and Shared_Hugetlb:
 * they are added to *rss, so "resident" means the same for every backing. */
int mt_region_smaps(const struct mt_region *r, uint64_t *anon_huge,
		    uint64_t *rss, struct mt_err *err)
{
	uintptr_t lo = (uintptr_t)r->addr;
	char *text;
	int ret;

	if (!r->addr || !r->size)
		return mt_err_set(err, -EINVAL, MT_ERR_RUNTIME,
				  "region: smaps of an unmapped region");
	ret = mt_fs_read("/proc/self/smaps", &text, NULL, err);
	if (ret < 0)
		return ret;
	mt_smaps_sum(text, lo, lo + r->size, anon_huge, rss);
	free(text);
	return 0;
}

/* See region.h; the sums mt_region_smaps describes. */
void mt_smaps_sum(char *text, uintptr_t lo, uintptr_t hi, uint64_t *anon_huge,
		  uint64_t *rss)
{
	uint64_t huge_sum = 0, rss_sum = 0, v_huge = 0, v_rss = 0, overlap = 0;
	bool in = false;
	char *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		uintptr_t s, e;
		uint64_t kb;

		if (vma_header(line, &s, &e)) {
			if (in) {
				huge_sum += v_huge < overlap ? v_huge : overlap;
				rss_sum += v_rss < overlap ? v_rss : overlap;
			}
			in = s < hi && e > lo;
			overlap = in ? (e < hi ? e : hi) - (s > lo ? s : lo) :
				       0;
			v_huge = v_rss = 0;
			continue;
		}
		if (!in)
			continue;
		if (field_kb(line, "AnonHugePages", &kb))
			v_huge += kb * 1024;
		else if (field_kb(line, "Rss", &kb) ||
			 field_kb(line, "Private_Hugetlb", &kb) ||
			 field_kb(line, "Shared_Hugetlb", &kb))
			v_rss += kb * 1024;
	}
	if (in) {
		huge_sum += v_huge < overlap ? v_huge : overlap;
		rss_sum += v_rss < overlap ? v_rss : overlap;
	}
	if (anon_huge)
		*anon_huge = huge_sum;
	if (rss)
		*rss = rss_sum;
}

/* See region.h. */
int mt_smaps_page_size(char *text, uintptr_t addr, uint64_t *out)
{
	char *line, *save = NULL;
	bool in = false;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long long lo, hi;
		int end;

		if (sscanf(line, "%llx-%llx %n", &lo, &hi, &end) == 2 &&
		    end > 0) {
			in = addr >= lo && addr < hi;
			continue;
		}
		if (in && strncmp(line, "KernelPageSize:", 15) == 0) {
			*out = strtoull(line + 15, NULL, 10) * 1024;
			return 0;
		}
	}
	return -ENOENT;
}

/* AnonHugePages over the region's size. Hugetlb regions are not THP and
 * answer 0: their pages are huge by construction, not by the kernel's
 * choice. */
double mt_region_thp_coverage(const struct mt_region *r)
{
	uint64_t huge;

	if (mt_region_smaps(r, &huge, NULL, NULL) < 0 || !r->size)
		return -1.0;
	return (double)huge / (double)r->size;
}

/* MemTotal in bytes: from the capabilities, else /proc/meminfo (never the
 * node meminfo, which undercounts on some VMs). 0 if unknown. */
static uint64_t mem_total_bytes(const struct mt_env *env)
{
	int64_t v;

	if (env->caps && env->caps->mem_total)
		return env->caps->mem_total;
	if (mt_fs_read_key("/proc/meminfo", "MemTotal", &v, NULL) == 0 && v > 0)
		return (uint64_t)v;
	return 0;
}

/* Reads the pool of page size page into *pool and notes its size and free
 * pages as "nr_<when>" and "available_<when>"; on failure the note's
 * "action" says why and -1 is returned. */
static int note_pool(json_t *note, uint64_t page, const char *when,
		     struct mt_hugetlb_pool *pool, uint64_t *avail)
{
	struct mt_err e = { 0 };
	char key[32];

	if (mt_hugetlb_pool_read(page, pool, &e) < 0) {
		json_object_set_new(note, "action", json_string(e.msg));
		return -1;
	}
	*avail = mt_hugetlb_pool_available(pool);
	snprintf(key, sizeof(key), "nr_%s", when);
	json_object_set_new(note, key, json_integer((json_int_t)pool->nr));
	snprintf(key, sizeof(key), "available_%s", when);
	json_object_set_new(note, key, json_integer((json_int_t)*avail));
	return 0;
}

void mt_hugetlb_reserve(const struct mt_env *env, const char *bench,
			int reserve_key, enum mt_backing b, uint64_t need,
			json_t *note)
{
	uint64_t page = mt_backing_page_size(b);
	uint64_t avail, target, cap;
	char no[96];
	struct mt_hugetlb_pool pool;
	struct mt_err e = { 0 };
	char path[160], val[32], rb[64] = "";

	json_object_set_new(note, "page_size_bytes",
			    json_integer((json_int_t)page));
	json_object_set_new(note, "needed_pages",
			    json_integer((json_int_t)need));
	if (note_pool(note, page, "before", &pool, &avail) < 0)
		return;
	if (avail >= need) {
		json_object_set_new(
			note, "action",
			json_string("none: the pool has enough free pages"));
		return;
	}
	if (!mt_p_bool(env->params, reserve_key)) {
		snprintf(no, sizeof(no), "not reserved: %s.hugetlb_reserve=no",
			 bench);
		json_object_set_new(note, "action", json_string(no));
		return;
	}
	if (!env->allow_changes || !env->journal) {
		json_object_set_new(note, "action",
				    json_string("not reserved: needs root and "
						"allow_system_changes=yes"));
		return;
	}
	target = pool.nr + (need - avail);
	cap = mem_total_bytes(env) / 4 / page;
	if (target > cap) {
		json_object_set_new(note, "capped_at_pages",
				    json_integer((json_int_t)cap));
		target = cap;
	}
	if (target <= pool.nr) {
		json_object_set_new(
			note, "action",
			json_string(
				"not reserved: the pages needed exceed 1/4 of "
				"MemTotal"));
		return;
	}
	mt_hugetlb_pool_path(page, "nr_hugepages", path, sizeof(path));
	snprintf(val, sizeof(val), "%" PRIu64, target);
	if (mt_journal_write(env->journal, path, val, rb, sizeof(rb), &e) < 0) {
		json_object_set_new(note, "action", json_string(e.msg));
		return;
	}
	json_object_set_new(note, "nr_requested",
			    json_integer((json_int_t)target));
	if (note_pool(note, page, "after", &pool, &avail) < 0)
		return;
	json_object_set_new(
		note, "action",
		json_string(
			avail >= need ?
				"reserved" :
				"reserved partially: the kernel could not find enough "
				"contiguous memory (try echo 1 > "
				"/proc/sys/vm/compact_memory first, or reserve at "
				"boot with hugepagesz= hugepages=)"));
}

bool mt_region_fits(uint64_t bytes, const char *key, char *why, size_t len)
{
	int64_t avail = 0;
	char a[32], b[32];

	if (mt_fs_read_key("/proc/meminfo", "MemAvailable", &avail, NULL) < 0 ||
	    avail <= 0)
		return true; /* cannot tell: let the kernel decide */
	if ((double)bytes <= 0.6 * (double)avail)
		return true;
	snprintf(a, sizeof(a), "%.1f GiB", (double)bytes / (1 << 30));
	snprintf(b, sizeof(b), "%.1f GiB", (double)avail / (1 << 30));
	snprintf(why, len,
		 "a %s region needs more than 60%% of the %s this "
		 "machine has available (MemAvailable); lower %s",
		 a, b, key);
	return false;
}
