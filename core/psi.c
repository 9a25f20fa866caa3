/* PSI and one cgroup's memory state: see psi.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsroot.h"
#include "psi.h"

/* One "some avg10=0.00 avg60=0.00 avg300=0.00 total=0" line into o. */
static int parse_line(const char *line, json_t *o)
{
	char kind[8];
	double a10, a60, a300;
	unsigned long long total;

	if (sscanf(line, "%7s avg10=%lf avg60=%lf avg300=%lf total=%llu", kind,
		   &a10, &a60, &a300, &total) != 5 ||
	    (strcmp(kind, "some") && strcmp(kind, "full")))
		return 0;
	return json_object_set_new(o, kind,
				   json_pack("{s:f, s:f, s:f, s:I}", "avg10",
					     a10, "avg60", a60, "avg300", a300,
					     "total", (json_int_t)total));
}

json_t *mt_psi_text_json(const char *text)
{
	json_t *o = json_object();
	const char *p = text;

	if (!o)
		return NULL;
	while (p && *p) {
		if (parse_line(p, o) < 0) {
			json_decref(o);
			return NULL;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return o;
}

/* The PSI object of the file at path, or NULL when it cannot be read. */
static json_t *psi_file(const char *path)
{
	char *text;
	json_t *o;

	if (mt_fs_read(path, &text, NULL, NULL) < 0)
		return NULL;
	o = mt_psi_text_json(text);
	free(text);
	return o;
}

json_t *mt_psi_json(void)
{
	static const char *const res[] = { "memory", "cpu", "io" };
	json_t *o = json_object();
	char path[64];

	if (!o)
		return NULL;
	for (size_t i = 0; i < 3; i++) {
		json_t *r;

		snprintf(path, sizeof(path), "/proc/pressure/%s", res[i]);
		if ((r = psi_file(path)))
			json_object_set_new(o, res[i], r);
	}
	if (!json_object_size(o)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* "key value" lines (memory.stat, memory.events) as an object. */
static json_t *keyed(const char *path)
{
	char *text, *p;
	json_t *o;

	if (mt_fs_read(path, &text, NULL, NULL) < 0)
		return NULL;
	o = json_object();
	for (p = text; o && p && *p;) {
		char key[64];
		long long v;

		if (sscanf(p, "%63s %lld", key, &v) == 2)
			json_object_set_new(o, key, json_integer(v));
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	free(text);
	return o;
}

json_t *mt_cgroup_memory_json(const char *cgroup_path)
{
	static const char root[] = "/sys/fs/cgroup";
	char dir[512], path[600];
	json_t *o, *part;
	int64_t cur;

	if (!cgroup_path || strstr(cgroup_path, "/..") ||
	    !strncmp(cgroup_path, "..", 2))
		return NULL;
	if (!strncmp(cgroup_path, root, sizeof(root) - 1) &&
	    (cgroup_path[sizeof(root) - 1] == '/' ||
	     !cgroup_path[sizeof(root) - 1]))
		snprintf(dir, sizeof(dir), "%s", cgroup_path);
	else
		snprintf(dir, sizeof(dir), "%s%s%s", root,
			 cgroup_path[0] == '/' ? "" : "/", cgroup_path);
	o = json_pack("{s:s}", "path", cgroup_path);
	if (!o)
		return NULL;
	snprintf(path, sizeof(path), "%s/memory.stat", dir);
	if ((part = keyed(path)))
		json_object_set_new(o, "stat", part);
	snprintf(path, sizeof(path), "%s/memory.events", dir);
	if ((part = keyed(path)))
		json_object_set_new(o, "events", part);
	snprintf(path, sizeof(path), "%s/memory.pressure", dir);
	if ((part = psi_file(path)))
		json_object_set_new(o, "pressure", part);
	snprintf(path, sizeof(path), "%s/memory.current", dir);
	if (mt_fs_read_i64(path, &cur, NULL) == 0)
		json_object_set_new(o, "current", json_integer(cur));
	if (json_object_size(o) == 1) {
		json_decref(o);
		return NULL;
	}
	return o;
}
