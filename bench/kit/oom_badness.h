/* The OOM killer's rule: a task's badness and which task it picks, as
 * mm/oom_kill.c computes them (the oom benchmark checks the kernel's choice
 * against it). Pure functions. */
#ifndef MT_OOM_BADNESS_H
#define MT_OOM_BADNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The OOM killer's badness of a task (mm/oom_kill.c oom_badness(), as
 * Documentation/filesystems/proc.rst describes it): rss + swap entries +
 * page-table pages, plus oom_score_adj / 1000 of `totalpages` (the memory
 * the OOM is about: the cgroup's limit, plus its swap allowance). All in
 * pages. adj -1000 makes a task unkillable: returns MT_OOM_UNKILLABLE. */
#define MT_OOM_UNKILLABLE INT64_MIN
int64_t mt_oom_badness(uint64_t rss, uint64_t swap, uint64_t pgtables,
		       uint64_t totalpages, int adj);

/* The index of the task the kernel should pick among points[0..n): the
 * highest badness; on a tie the later one (the kernel replaces its choice
 * when a later task scores the same). Returns -1 when every task is
 * unkillable. *tie (if not NULL) is set when the top score is shared, in
 * which case the choice depends on the kernel's iteration order. */
int mt_oom_expected(const int64_t *points, size_t n, bool *tie);

#endif
