/* Zone watermarks from /proc/zoneinfo (see watermarks.h). */
#include "watermarks.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/fsroot.h"

/* Reads "NAME   VALUE" from a zoneinfo line; true if it matched. */
static bool zone_field(const char *line, const char *name, uint64_t *out)
{
	size_t len = strlen(name);
	char *end;

	while (*line == ' ' || *line == '\t')
		line++;
	if (strncmp(line, name, len) != 0 ||
	    (line[len] != ' ' && line[len] != '\t'))
		return false;
	*out = strtoull(line + len, &end, 10);
	return end != line + len;
}

int mt_zoneinfo_parse(const char *text, struct mt_zone_wmark *z, size_t max,
		      size_t *n)
{
	struct mt_zone_wmark cur;
	unsigned seen = 0;	/* bits: 1 min, 2 low, 4 high */
	bool in = false;
	size_t count = 0;
	const char *p = text;

	*n = 0;
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t ll = eol ? (size_t)(eol - p) : strlen(p);
		char line[256];
		int node;
		char zname[16];

		if (ll >= sizeof(line))
			ll = sizeof(line) - 1;
		memcpy(line, p, ll);
		line[ll] = '\0';
		p = eol ? eol + 1 : NULL;

		if (sscanf(line, "Node %d, zone %15s", &node, zname) == 2) {
			if (in) {
				if (seen != 7)
					return -EINVAL;
				if (count < max)
					z[count] = cur;
				count++;
			}
			memset(&cur, 0, sizeof(cur));
			cur.node = node;
			snprintf(cur.zone, sizeof(cur.zone), "%s", zname);
			in = true;
			seen = 0;
			continue;
		}
		if (!in)
			continue;
		/* Only the first occurrence counts: "pages free" heads the
		 * block; per-CPU "high" lines come later, under pagesets. */
		if (!(seen & 1) && zone_field(line, "min", &cur.min))
			seen |= 1;
		else if (!(seen & 2) && zone_field(line, "low", &cur.low))
			seen |= 2;
		else if (!(seen & 4) && zone_field(line, "high", &cur.high))
			seen |= 4;
		else if (strstr(line, "pages free"))
			zone_field(strstr(line, "free"), "free", &cur.free);
		else if (!cur.managed)
			zone_field(line, "managed", &cur.managed);
	}
	if (!in || seen != 7)
		return -EINVAL;
	if (count < max)
		z[count] = cur;
	count++;
	*n = count;
	return 0;
}

json_t *mt_zoneinfo_json(struct mt_err *err)
{
	struct mt_zone_wmark z[32];
	uint64_t smin = 0, slow = 0, shigh = 0, sfree = 0;
	long page = sysconf(_SC_PAGESIZE);
	json_t *o, *arr;
	char *text;
	size_t n;
	int ret;

	ret = mt_fs_read("/proc/zoneinfo", &text, NULL, err);
	if (ret < 0)
		return NULL;
	ret = mt_zoneinfo_parse(text, z, 32, &n);
	free(text);
	if (ret < 0) {
		mt_err_set(err, ret, MT_ERR_RUNTIME, "cannot parse "
			   "/proc/zoneinfo: a zone lacks min/low/high lines");
		return NULL;
	}
	o = json_object();
	arr = json_array();
	for (size_t i = 0; i < n && i < 32; i++) {
		if (!z[i].managed)
			continue;
		json_array_append_new(arr, json_pack(
			"{s:i, s:s, s:I, s:I, s:I, s:I, s:I}",
			"node", z[i].node, "zone", z[i].zone,
			"free_pages", (json_int_t)z[i].free,
			"min_pages", (json_int_t)z[i].min,
			"low_pages", (json_int_t)z[i].low,
			"high_pages", (json_int_t)z[i].high,
			"managed_pages", (json_int_t)z[i].managed));
		smin += z[i].min;
		slow += z[i].low;
		shigh += z[i].high;
		sfree += z[i].free;
	}
	json_object_set_new(o, "zones", arr);
	json_object_set_new(o, "min_kb", json_integer(
				    (json_int_t)(smin * (uint64_t)page / 1024)));
	json_object_set_new(o, "low_kb", json_integer(
				    (json_int_t)(slow * (uint64_t)page / 1024)));
	json_object_set_new(o, "high_kb", json_integer(
				    (json_int_t)(shigh * (uint64_t)page / 1024)));
	json_object_set_new(o, "free_kb", json_integer(
				    (json_int_t)(sfree * (uint64_t)page / 1024)));
	return o;
}
