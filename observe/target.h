/* What `memtune observe` watches besides the system: processes (--pid)
 * and cgroups (--cgroup, --unit), resolved once at the start, sampled each
 * interval, and described in meta.json's "observe"."targets". */
#ifndef MT_OBS_TARGET_H
#define MT_OBS_TARGET_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "../core/err.h"
#include "fileset.h"
#include "sample.h"

enum mt_obs_kind { MT_OBS_PID, MT_OBS_CGROUP };

struct mt_obs_target {
	enum mt_obs_kind kind;
	char id[320];	  /* "pid:1234", "cgroup:/x", "unit:x.service" */
	char series[320]; /* case.target of its records: "pid:1234" or
			    * "cgroup:/path" (a unit's cgroup) */
	pid_t pid;	  /* MT_OBS_PID */
	char comm[64];	  /* MT_OBS_PID */
	unsigned long long starttime; /* /proc/PID/stat field 22: reuse */
	char cgroup[256]; /* a pid's memory cgroup, or the cgroup's path
			    * below the hierarchy's root */
	char dir[320];	  /* MT_OBS_CGROUP: its directory */
	int cg_version;	  /* MT_OBS_CGROUP: 1 or 2 */
	bool ended;	  /* the process exited or the cgroup went */
	double ended_t;
	char smaps_why[300]; /* why smaps.* is missing, or "" */
	char files_why[300]; /* why the file set is partial, or "" */
	struct mt_obs_fileset files;
};

/* Resolves one target of the command line: kind "pid" (spec a number),
 * "cgroup" (a path below the memory cgroup hierarchy, or an absolute path
 * under /sys/fs/cgroup) or "unit" (a systemd unit: its cgroup
 * system.slice/NAME, ".service" added when NAME has no suffix). Returns 0,
 * or -errno with err set (MT_ERR_INPUT: no such process or cgroup). */
int mt_obs_target_resolve(const char *kind, const char *spec,
			  struct mt_obs_target *t, struct mt_err *err);

/* Samples t into em (em->target is set here). Returns false when the
 * target has gone (then t->ended is set by the caller). */
bool mt_obs_target_sample(struct mt_obs_target *t, struct mt_obs_emit *em);

/* The samplers of each kind (observe/sample_pid.c, sample_cgroup.c). */
bool mt_obs_sample_pid(struct mt_obs_target *t, struct mt_obs_emit *em);
bool mt_obs_sample_cgroup(struct mt_obs_target *t, struct mt_obs_emit *em);

/* Field 22 of /proc/PID/stat text (the start time in clock ticks since
 * boot), which tells a process from a later one with its pid; 0 when the
 * text is malformed. */
unsigned long long mt_obs_stat_starttime(const char *text);

/* The target's entry of meta.json's "targets". */
json_t *mt_obs_target_json(const struct mt_obs_target *t);

/* Frees what t holds (its file set). */
void mt_obs_target_free(struct mt_obs_target *t);

#endif
