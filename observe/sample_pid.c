/* A process's series: /proc/PID/status, smaps_rollup and stat, and the
 * page cache state of its file set (see sample.h, target.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/fsroot.h"
#include "sample.h"
#include "target.h"

static const char *const status_fields[] = {
	"VmRSS", "RssAnon", "RssFile", "RssShmem", "VmSwap", "VmHWM",
};

static const char *const smaps_fields[] = {
	"Rss", "Pss", "Anonymous", "AnonHugePages", "Swap",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Puts PREFIX.Field for each of fields when text ("Field: N kB") holds
 * need; returns whether it did. */
static bool put_if(struct mt_obs_emit *em, const char *text, const char *need,
		   const char *prefix, const char *const *fields, size_t n)
{
	int64_t v;

	if (mt_text_key(text, need, &v) < 0)
		return false;
	mt_obs_put_keys(em, text, prefix, fields, n);
	return true;
}

bool mt_obs_put_status(struct mt_obs_emit *em, const char *text)
{
	return put_if(em, text, "VmRSS:", "status", status_fields,
		      N(status_fields));
}

bool mt_obs_put_smaps(struct mt_obs_emit *em, const char *text)
{
	return put_if(em, text, "Rss:", "smaps", smaps_fields, N(smaps_fields));
}

/* Fields of /proc/PID/stat after the ")" that ends comm (which may hold
 * spaces and parentheses): into f[0..n) as numbers, f[0] being field 4
 * (ppid; field 3, the state letter, is skipped). Returns how many. */
static int stat_fields(const char *text, unsigned long long *f, int n)
{
	const char *p = strrchr(text, ')');
	int k = 0;

	if (!p || !p[1])
		return 0;
	p += 2;
	p = strchr(p, ' '); /* past the state */
	while (p && k < n) {
		char *end;

		f[k] = strtoull(p, &end, 10);
		if (end == p)
			break;
		k++;
		p = end;
	}
	return k;
}

bool mt_obs_put_stat(struct mt_obs_emit *em, const char *text)
{
	unsigned long long f[9];

	/* f[i] is field i + 4: minflt is 10, majflt 12. */
	if (stat_fields(text, f, 9) < 9)
		return false;
	mt_obs_put(em, "stat.minflt", "count", (double)f[6]);
	mt_obs_put(em, "stat.majflt", "count", (double)f[8]);
	return true;
}

/* Field 22 of /proc/PID/stat (the start time, in clock ticks since boot):
 * tells the process from a later one with the same pid. 0 when absent. */
unsigned long long mt_obs_stat_starttime(const char *text)
{
	unsigned long long f[19];

	return stat_fields(text, f, 19) == 19 ? f[18] : 0;
}

/* Reads /proc/PID/NAME (always the live process, core/fsroot). */
static int read_pid_file(pid_t pid, const char *name, char **text,
			 struct mt_err *err)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	return mt_fs_read(path, text, NULL, err);
}

bool mt_obs_sample_pid(struct mt_obs_target *t, struct mt_obs_emit *em)
{
	struct mt_err err = { 0 };
	struct mt_obs_cache cs;
	char *text;
	int ret;

	if (read_pid_file(t->pid, "stat", &text, NULL) < 0)
		return false;
	if (mt_obs_stat_starttime(text) != t->starttime) {
		free(text);
		return false; /* another process now has the pid */
	}
	mt_obs_put_stat(em, text);
	free(text);
	if (read_pid_file(t->pid, "status", &text, NULL) < 0)
		return false;
	mt_obs_put_status(em, text);
	free(text);
	if (read_pid_file(t->pid, "smaps_rollup", &text, &err) == 0) {
		mt_obs_put_smaps(em, text);
		free(text);
	} else if (!t->smaps_why[0]) {
		snprintf(t->smaps_why, sizeof(t->smaps_why),
			 "%.200s (smaps.* is missing; run as the process's user "
			 "or root)",
			 err.msg);
	}
	/* Without its maps or fds (another user's process) there is no
	 * file set: no cachestat series rather than a false 0. */
	ret = mt_obs_fileset_scan(t->pid, &t->files);
	if (t->files.why[0] && !t->files_why[0])
		snprintf(t->files_why, sizeof(t->files_why), "%s",
			 t->files.why);
	if (ret < 0)
		return true;
	mt_obs_fileset_measure(&t->files, &cs);
	mt_obs_put(em, "cachestat.files", "count", (double)cs.files);
	if (cs.cachestat) {
		mt_obs_put(em, "cachestat.cache", "pages", (double)cs.cache);
		mt_obs_put(em, "cachestat.dirty", "pages", (double)cs.dirty);
		mt_obs_put(em, "cachestat.writeback", "pages",
			   (double)cs.writeback);
		mt_obs_put(em, "cachestat.evicted", "pages",
			   (double)cs.evicted);
		mt_obs_put(em, "cachestat.recently_evicted", "pages",
			   (double)cs.recently_evicted);
	} else {
		mt_obs_put(em, "mincore.resident", "pages",
			   (double)cs.resident);
	}
	return true;
}
