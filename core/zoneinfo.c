/* /proc/zoneinfo: the zones, their watermarks and sizes (see zoneinfo.h). */
#include "zoneinfo.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	unsigned seen = 0; /* bits: 1 min, 2 low, 4 high */
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
		else if (!cur.present &&
			 zone_field(line, "present", &cur.present))
			continue;
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
