/* The memory cgroup of one case: made by the runner in case_sys_setup
 * (through the journal, so it is removed after the case) and handed to the
 * worker in the case's handoff, where setup finds it. */
#ifndef MT_CASE_CGROUP_H
#define MT_CASE_CGROUP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "../../core/err.h"
#include "../bench.h"
#include "sandbox.h"

/* Parent side, for case_sys_setup: creates the cgroup "memtune-NAME-PID"
 * (sandbox.h) with limit `max` and swap allowance swap_max (bytes, < 0
 * unlimited), records {cgroup_version, limit_bytes, swap_max_bytes} in
 * obtained and hands {cgroup, cgroup_version} to the worker in handoff.
 * Returns 0 or -errno. */
int mt_pressure_cgroup(const struct mt_env *env, const char *name, uint64_t max,
		       int64_t swap_max, json_t *obtained, json_t *handoff,
		       struct mt_err *err);

/* Worker side: the cgroup that case_sys_setup handed over (c->handoff).
 * Returns 0, or -ENOENT with err set. */
int mt_pressure_case_cgroup(const struct mt_case *c, struct mt_cgroup *cg,
			    struct mt_err *err);

#endif
