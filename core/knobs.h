/* The knobs memtune may change, in one table (SECURITY.md), and each
 * knob's safety as data: its valid range by kernel version, the kernel's
 * default, and the values dangerous enough that `memtune apply` wants
 * --force. Rules, apply, its guard and the journal read the same table.
 *
 * Nothing read from a file that someone else may have written (advice.json,
 * a journal) is taken as a path or as a value on trust: `memtune apply`
 * derives the path from the knob's name through this table and refuses a
 * value outside the knob's valid range; journal playback accepts a write
 * only to a path this table knows (or to a file of a cgroup memtune
 * created, see journal.c).
 *
 * Names are those advice.json uses: "vm.NAME" for /proc/sys/vm sysctls,
 * "kernel.numa_balancing", "transparent_hugepage.enabled" / ".defrag" /
 * ".shmem_enabled" / ".khugepaged.max_ptes_none", "zswap.enabled" /
 * ".max_pool_percent" / ".compressor" (module parameters),
 * "lru_gen.enabled", and "hugepages-NkB.nr_hugepages" for a hugetlb pool
 * other than the default size (whose pool is vm.nr_hugepages). Each row
 * of core/knobs.c names the document and kernel source its range and
 * default come from.
 */
#ifndef MT_KNOBS_H
#define MT_KNOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A kernel version as one comparable number: MT_KV(5, 8) for 5.8. */
#define MT_KV(major, minor) ((major)*1000 + (minor))

enum mt_knob_kind {
	MT_KNOB_INT,	/* a decimal integer in [min, max] */
	MT_KNOB_CHOICE, /* one word of choices */
};

/* One knob, filled in by a lookup (the hugetlb pool names are a family,
 * so name and path are copied, not pointed to). */
struct mt_knob {
	char name[96];	 /* "vm.swappiness" */
	char path[160];	 /* "/proc/sys/vm/swappiness" (unresolved) */
	char sysctl[64]; /* the sysctl.d key, "" when it has none */
	enum mt_knob_kind kind;
	long long min, max;	    /* MT_KNOB_INT; max is already bounded by
				 * memory where the knob counts memory */
	const char *const *choices; /* MT_KNOB_CHOICE, NULL-terminated */
	const char *range;	    /* the valid values, for messages */
	const char *persist;	    /* how to keep it across a reboot when it
				 * has no sysctl.d line; NULL otherwise */
	const char *dflt;	    /* the kernel's default value, NULL when it
				 * depends on the build or the machine */
	const char *dflt_note;	    /* what the default is or depends on, in
				 * words ("60", "CONFIG_ZSWAP_DEFAULT_ON") */
	const char *source;	    /* where range and default come from: a URL
				 * or a kernel source file, with its version */
	int since;		    /* MT_KV of the first kernel that has it, 0
				 * when every kernel memtune meets does */
	int kernel; /* the kernel the range is for, 0 = not known
				 * (the newest kernel's range) */
};

/* Fills *out for the knob called `name`, with the range of the newest
 * kernels. mem_total (bytes, 0 when not known) bounds the knobs that count
 * memory. Returns 0 or -ENOENT. */
int mt_knob_lookup(const char *name, uint64_t mem_total, struct mt_knob *out);

/* The same for the kernel `kernel` (MT_KV; 0 = not known, which is
 * mt_knob_lookup): the range that kernel accepts (vm.swappiness is 0..100
 * before 5.8). Returns 0, -ENOENT for a name the table does not know, or
 * -EOPNOTSUPP when that kernel predates the knob (out is still filled, so
 * that out->since can be named). */
int mt_knob_lookup_kv(const char *name, uint64_t mem_total, int kernel,
		      struct mt_knob *out);

/* The same by unresolved path ("/proc/sys/vm/swappiness"). Paths with
 * "..", "." or empty components never match. Returns 0 or -ENOENT. */
int mt_knob_lookup_path(const char *path, uint64_t mem_total,
			struct mt_knob *out);

/* True if value is valid for k; else false with why ("250 is outside
 * 0..200"). A value is the whole string: no spaces, signs only where the
 * range is negative, no trailing text. */
bool mt_knob_check(const struct mt_knob *k, const char *value, char *why,
		   size_t len);

/* True if value, although valid, is dangerous enough that apply needs
 * --force: the table's danger thresholds (swappiness 0, zone_reclaim_mode
 * not 0, overcommit_memory 2, min_free_kbytes above 2% of mem_total,
 * vfs_cache_pressure 0, dirty_writeback_centisecs 0, max_map_count below
 * and watermark_boost_factor above the kernel's default, shmem_enabled
 * force or deny). why gets the reason
 * and its source. mem_total in bytes, 0 when not known (the memory
 * threshold is then not checked). */
bool mt_knob_danger(const struct mt_knob *k, const char *value,
		    uint64_t mem_total, char *why, size_t len);

/* The kernel version of an osrelease string ("6.8.0-45-generic" ->
 * MT_KV(6, 8)), or 0 when it does not start with MAJOR.MINOR. */
int mt_kernel_version(const char *osrelease);

/* The kernel's upper clamp of its own min_free_kbytes (mm/page_alloc.c
 * calculate_min_free_kbytes / init_per_zone_wmark_min): 65536 before 5.7,
 * 262144 from 5.7; the newer one when kernel is 0. */
long long mt_knob_min_free_kbytes_clamp(int kernel);

/* Strips MEMTUNE_FSROOT from a resolved path: "/tmp/t/proc/sys/vm/x" ->
 * "/proc/sys/vm/x" when the root is /tmp/t. Returns a pointer into path,
 * or NULL when path is not under the root. */
const char *mt_knob_unresolve(const char *path);

/* True if path (unresolved) has no "", "." or ".." component and is
 * absolute. */
bool mt_path_is_clean(const char *path);

#endif
