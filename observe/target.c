/* Resolving the targets of `memtune observe` and describing them in
 * meta.json (see target.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/fsroot.h"
#include "../core/sysinfo.h"
#include "../core/units.h"
#include "target.h"

/* The memory cgroup of pid from /proc/PID/cgroup text: the v1 "memory"
 * controller's line when version is 1, else the v2 "0::" line. */
static void pid_cgroup(const char *text, int version, char *buf, size_t len)
{
	const char *want = version == 1 ? ":memory:" : "0::";
	const char *p = text;

	buf[0] = '\0';
	while (p && *p) {
		const char *hit = strstr(p, want);
		const char *eol = strchr(p, '\n');

		if (hit && (!eol || hit < eol) && (version == 1 || hit == p)) {
			const char *s = hit + strlen(want);
			size_t n = eol ? (size_t)(eol - s) : strlen(s);

			snprintf(buf, len, "%.*s", (int)n, s);
			return;
		}
		p = eol ? eol + 1 : NULL;
	}
}

static int resolve_pid(const char *spec, struct mt_obs_target *t,
		       struct mt_caps *caps, struct mt_err *err)
{
	char why[128], path[64], *text;
	int64_t pid;
	int ret;

	if (mt_parse_int(spec, 1, 4194304, &pid, why, sizeof(why)) < 0)
		return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				  "observe: --pid '%s': expected a process "
				  "id (%s)",
				  spec, why);
	t->kind = MT_OBS_PID;
	t->pid = (pid_t)pid;
	snprintf(t->id, sizeof(t->id), "pid:%d", t->pid);
	snprintf(t->series, sizeof(t->series), "pid:%d", t->pid);
	snprintf(path, sizeof(path), "/proc/%d/stat", t->pid);
	ret = mt_fs_read(path, &text, NULL, NULL);
	if (ret < 0)
		return mt_err_set(err, ret, MT_ERR_INPUT,
				  "observe: --pid %d: no such process (%s: "
				  "%s)",
				  t->pid, path, strerror(-ret));
	t->starttime = mt_obs_stat_starttime(text);
	free(text);
	snprintf(path, sizeof(path), "/proc/%d/comm", t->pid);
	if (mt_fs_read_line(path, t->comm, sizeof(t->comm), NULL) < 0)
		t->comm[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/cgroup", t->pid);
	if (mt_fs_read(path, &text, NULL, NULL) == 0) {
		pid_cgroup(text, caps->cgroup_version, t->cgroup,
			   sizeof(t->cgroup));
		free(text);
	}
	return 0;
}

/* True when path has a ".." component. */
static bool has_dotdot(const char *path)
{
	const char *p = path;

	while ((p = strstr(p, ".."))) {
		if ((p == path || p[-1] == '/') && (p[2] == '/' || !p[2]))
			return true;
		p += 2;
	}
	return false;
}

/* The memory hierarchy's mount point ("" when the kernel has none). */
static const char *cg_root(const struct mt_caps *caps)
{
	return caps->cgroup_version == 2 ? caps->cgroup_v2_root :
	       caps->cgroup_version == 1 ? caps->cgroup_v1_memory :
					   "";
}

/* Sets t's cgroup from rel (a path below the hierarchy's root) and
 * checks that it has memory.stat. what names the option for messages. */
static int set_cgroup(struct mt_obs_target *t, const struct mt_caps *caps,
		      const char *what, const char *spec, const char *rel,
		      struct mt_err *err)
{
	const char *root = cg_root(caps);
	char stat[400];
	int n;

	if (!root[0])
		return mt_err_set(err, -ENOENT, MT_ERR_INPUT,
				  "observe: %s '%s': this machine has no "
				  "memory cgroup hierarchy mounted",
				  what, spec);
	t->kind = MT_OBS_CGROUP;
	t->cg_version = caps->cgroup_version;
	while (rel[0] == '/' && rel[1] == '/')
		rel++;
	n = snprintf(t->cgroup, sizeof(t->cgroup), "%s%s",
		     rel[0] == '/' ? "" : "/", rel);
	if (n > 1 && (size_t)n < sizeof(t->cgroup) && t->cgroup[n - 1] == '/')
		t->cgroup[n - 1] = '\0';
	if (n < 0 || (size_t)n >= sizeof(t->cgroup) ||
	    (n = snprintf(t->dir, sizeof(t->dir), "%s%s", root,
			  strcmp(t->cgroup, "/") ? t->cgroup : "")) < 0 ||
	    (size_t)n >= sizeof(t->dir) ||
	    (n = snprintf(t->series, sizeof(t->series), "cgroup:%s",
			  t->cgroup)) < 0 ||
	    (size_t)n >= sizeof(t->series) ||
	    (n = snprintf(stat, sizeof(stat), "%s/memory.stat", t->dir)) < 0 ||
	    (size_t)n >= sizeof(stat))
		return mt_err_set(err, -ENAMETOOLONG, MT_ERR_INPUT,
				  "observe: %s '%s': the path is too long",
				  what, spec);
	if (!mt_fs_exists(stat))
		return mt_err_set(err, -ENOENT, MT_ERR_INPUT,
				  "observe: %s '%s': no cgroup with the "
				  "memory controller at %s (no %s)%s",
				  what, spec, t->dir, stat,
				  strcmp(what, "--unit") ?
					  "" :
					  "; is the unit running?");
	return 0;
}

static int resolve_cgroup(const char *spec, struct mt_obs_target *t,
			  const struct mt_caps *caps, struct mt_err *err)
{
	const char *root = cg_root(caps), *rel = spec;
	size_t rl = strlen(root);

	if (!spec[0] || has_dotdot(spec))
		return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				  "observe: --cgroup '%s': expected a cgroup "
				  "path such as /system.slice/x.service, "
				  "without '..'",
				  spec);
	if (rl && !strncmp(spec, root, rl) && (spec[rl] == '/' || !spec[rl]))
		rel = spec + rl;
	else if (!strncmp(spec, "/sys/fs/cgroup/", 15) ||
		 !strcmp(spec, "/sys/fs/cgroup"))
		return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				  "observe: --cgroup '%s': not under the "
				  "memory cgroup hierarchy %s; give the path "
				  "below it",
				  spec, root[0] ? root : "(none mounted)");
	snprintf(t->id, sizeof(t->id), "cgroup:%s%s", rel[0] == '/' ? "" : "/",
		 rel[0] ? rel : "/");
	return set_cgroup(t, caps, "--cgroup", spec, rel[0] ? rel : "/", err);
}

static int resolve_unit(const char *spec, struct mt_obs_target *t,
			const struct mt_caps *caps, struct mt_err *err)
{
	char name[256], rel[300];

	if (!spec[0] || strchr(spec, '/') || has_dotdot(spec) ||
	    strlen(spec) > 200)
		return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				  "observe: --unit '%s': expected a systemd "
				  "unit name such as redis-server or "
				  "redis-server.service",
				  spec);
	snprintf(name, sizeof(name), "%s%s", spec,
		 strchr(spec, '.') ? "" : ".service");
	snprintf(t->id, sizeof(t->id), "unit:%s", name);
	snprintf(rel, sizeof(rel), "/system.slice/%s", name);
	return set_cgroup(t, caps, "--unit", name, rel, err);
}

int mt_obs_target_resolve(const char *kind, const char *spec,
			  struct mt_obs_target *t, struct mt_err *err)
{
	struct mt_caps caps;
	int ret;

	memset(t, 0, sizeof(*t));
	ret = mt_caps_read(&caps, err);
	if (ret < 0)
		return ret;
	if (!strcmp(kind, "pid"))
		return resolve_pid(spec, t, &caps, err);
	if (!strcmp(kind, "cgroup"))
		return resolve_cgroup(spec, t, &caps, err);
	if (!strcmp(kind, "unit"))
		return resolve_unit(spec, t, &caps, err);
	return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
			  "observe: unknown target kind '%s'", kind);
}

bool mt_obs_target_sample(struct mt_obs_target *t, struct mt_obs_emit *em)
{
	em->target = t->series;
	if (t->kind == MT_OBS_PID)
		return mt_obs_sample_pid(t, em);
	return mt_obs_sample_cgroup(t, em);
}

json_t *mt_obs_target_json(const struct mt_obs_target *t)
{
	json_t *o = json_pack("{s:s, s:s}", "id", t->id, "kind",
			      t->kind == MT_OBS_PID ? "pid" : "cgroup");

	if (!o)
		return NULL;
	if (t->kind == MT_OBS_PID) {
		json_object_set_new(o, "pid", json_integer(t->pid));
		json_object_set_new(o, "comm", json_string(t->comm));
		if (t->cgroup[0])
			json_object_set_new(o, "cgroup",
					    json_string(t->cgroup));
	} else {
		json_object_set_new(o, "path", json_string(t->cgroup));
		json_object_set_new(o, "cgroup_version",
				    json_integer(t->cg_version));
	}
	/* The case.target of its records (a unit's are its cgroup's). */
	json_object_set_new(o, "series", json_string(t->series));
	if (t->ended)
		json_object_set_new(o, "ended_t",
				    json_real(round(t->ended_t * 1000) / 1000));
	if (t->smaps_why[0])
		json_object_set_new(o, "smaps_missing",
				    json_string(t->smaps_why));
	if (t->files_why[0])
		json_object_set_new(o, "files_partial",
				    json_string(t->files_why));
	return o;
}

void mt_obs_target_free(struct mt_obs_target *t)
{
	mt_obs_fileset_free(&t->files);
}
