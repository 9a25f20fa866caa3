/* The knobs memtune may change, in one table (SECURITY.md).
 *
 * Nothing read from a file that someone else may have written (advice.json,
 * a journal) is taken as a path or as a value on trust: `memtune apply`
 * derives the path from the knob's name through this table and refuses a
 * value outside the knob's valid range; journal playback accepts a write
 * only to a path this table knows (or to a file of a cgroup memtune
 * created, see journal.c).
 *
 * Names are those advice.json uses: "vm.NAME" for /proc/sys/vm sysctls,
 * "transparent_hugepage.enabled" / ".defrag", and
 * "hugepages-NkB.nr_hugepages" for a hugetlb pool other than the default
 * size (whose pool is vm.nr_hugepages). Ranges follow
 * Documentation/admin-guide/sysctl/vm.rst and admin-guide/mm/transhuge.rst
 * (Linux 6.1).
 */
#ifndef MT_KNOBS_H
#define MT_KNOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mt_knob_kind {
	MT_KNOB_INT,		/* a decimal integer in [min, max] */
	MT_KNOB_CHOICE,		/* one word of choices */
};

/* One knob, filled in by a lookup (the hugetlb pool names are a family,
 * so name and path are copied, not pointed to). */
struct mt_knob {
	char name[96];		/* "vm.swappiness" */
	char path[160];		/* "/proc/sys/vm/swappiness" (unresolved) */
	char sysctl[64];	/* the sysctl.d key, "" when it has none */
	enum mt_knob_kind kind;
	long long min, max;	/* MT_KNOB_INT; max is already bounded by
				 * memory where the knob counts memory */
	const char *const *choices;	/* MT_KNOB_CHOICE, NULL-terminated */
	const char *range;	/* the valid values, for messages */
	const char *persist;	/* how to keep it across a reboot when it
				 * has no sysctl.d line; NULL otherwise */
};

/* Fills *out for the knob called `name`. mem_total (bytes, 0 when not
 * known) bounds the knobs that count memory. Returns 0 or -ENOENT. */
int mt_knob_lookup(const char *name, uint64_t mem_total, struct mt_knob *out);

/* The same by unresolved path ("/proc/sys/vm/swappiness"). Paths with
 * "..", "." or empty components never match. Returns 0 or -ENOENT. */
int mt_knob_lookup_path(const char *path, uint64_t mem_total,
			struct mt_knob *out);

/* True if value is valid for k; else false with why ("250 is outside
 * 0..200"). A value is the whole string: no spaces, signs only where the
 * range is negative, no trailing text. */
bool mt_knob_check(const struct mt_knob *k, const char *value, char *why,
		   size_t len);

/* Strips MEMTUNE_FSROOT from a resolved path: "/tmp/t/proc/sys/vm/x" ->
 * "/proc/sys/vm/x" when the root is /tmp/t. Returns a pointer into path,
 * or NULL when path is not under the root. */
const char *mt_knob_unresolve(const char *path);

/* True if path (unresolved) has no "", "." or ".." component and is
 * absolute. */
bool mt_path_is_clean(const char *path);

#endif
