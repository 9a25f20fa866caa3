/* memtune fleet: scanning DIR for hosts (fleet.h). */
#include "fleet.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/log.h"
#include "analysis.h"
#include "outlier.h"

/* More hosts than this in one DIR are refused (a runaway directory). */
#define MAX_HOSTS 100000

bool mt_fleet_name_ok(const char *name)
{
	size_t n = strlen(name);
	json_t *t;

	if (n == 0 || n > 255)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return false;
	t = json_string(name); /* NULL: not UTF-8 */
	json_decref(t);
	return t != NULL;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The host directories of dir, sorted: names[0..*n) (malloc'ed). */
static int host_names(const char *dir, char ***names, size_t *n,
		      json_t *skipped, struct mt_err *err)
{
	size_t cap = 0;
	struct dirent *e;
	char path[4200];
	DIR *d = opendir(dir);

	*names = NULL;
	*n = 0;
	if (!d)
		return mt_err_set(err, -errno, MT_ERR_INPUT,
				  "fleet: cannot read '%s': %s (give the "
				  "directory holding HOST/RUN directories)",
				  dir, strerror(errno));
	while ((e = readdir(d))) {
		struct stat st;
		char **z;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (lstat(path, &st) < 0 || S_ISREG(st.st_mode))
			continue; /* fleet.json, a README: not hosts */
		if (!mt_fleet_name_ok(e->d_name)) {
			mt_warn("fleet: a host directory in '%s' skipped: its "
				"name is not printable UTF-8",
				dir);
			json_array_append_new(
				skipped,
				json_pack("{s:s,s:s}", "host", "(unnamable)",
					  "reason",
					  "a directory name that is not "
					  "printable UTF-8"));
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			mt_warn("fleet: host '%s' skipped: %s", e->d_name,
				S_ISLNK(st.st_mode) ? "a symbolic link (not "
						      "followed)" :
						      "not a directory");
			json_array_append_new(
				skipped,
				json_pack("{s:s,s:s}", "host", e->d_name,
					  "reason",
					  S_ISLNK(st.st_mode) ?
						  "a symbolic link (not "
						  "followed)" :
						  "not a directory"));
			continue;
		}
		if (*n == MAX_HOSTS)
			break;
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			z = realloc(*names, cap * sizeof(*z));
			if (!z)
				goto nomem;
			*names = z;
		}
		if (!((*names)[*n] = strdup(e->d_name)))
			goto nomem;
		(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(*names, *n, sizeof(**names), by_name);
	return 0;
nomem:
	closedir(d);
	return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
			  "fleet: out of memory listing '%s'", dir);
}

json_t *mt_fleet_build(const char *dir, struct mt_err *err)
{
	json_t *fleet, *hosts, *skipped, *figures;
	char **names;
	size_t n;
	int rc;

	fleet = json_pack("{s:i,s:s,s:s,s:s,s:o,s:o,s:o,s:o}", "schema_version",
			  MT_FLEET_SCHEMA_VERSION, "memtune_version",
			  mt_analysis_version(), "dir", dir, "rule",
			  MT_OUTLIER_RULE, "figures", json_object(), "hosts",
			  json_array(), "groups", json_array(), "skipped",
			  json_array());
	if (!fleet)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "fleet: out of memory"),
		       NULL;
	hosts = json_object_get(fleet, "hosts");
	skipped = json_object_get(fleet, "skipped");
	figures = json_object_get(fleet, "figures");
	rc = host_names(dir, &names, &n, skipped, err);
	if (rc < 0) {
		json_decref(fleet);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		struct mt_err herr = { 0 };
		json_t *h = rc < 0 ? NULL :
				     mt_fleet_host_load(dir, names[i], figures,
							&herr);

		if (h) {
			json_array_append_new(hosts, h);
		} else if (rc == 0 && herr.kind == MT_ERR_RUNTIME) {
			*err = herr;
			rc = -ENOMEM;
		} else if (rc == 0) {
			mt_warn("fleet: host '%s' skipped: %s", names[i],
				herr.msg);
			json_array_append_new(skipped,
					      json_pack("{s:s,s:s}", "host",
							names[i], "reason",
							herr.msg));
		}
		free(names[i]);
	}
	free(names);
	if (rc == 0 && mt_fleet_mark(fleet) < 0)
		rc = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				"fleet: out of memory");
	if (rc == 0 && json_array_size(hosts) == 0)
		rc = mt_err_set(err, -ENOENT, MT_ERR_INPUT,
				"fleet: no usable host in '%s' (%zu skipped; "
				"expected HOST/RUN directories holding "
				"meta.json and results.jsonl)",
				dir, json_array_size(skipped));
	if (rc < 0) {
		json_decref(fleet);
		return NULL;
	}
	return fleet;
}
