/* OpenMetrics names, units and escaping: see om_format.h. */
#include "om_format.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* memtune's units (facts.h) and the base units they become; strip is the
 * trailing word of an id that restates the unit. */
static const struct {
	const char *unit, *strip;
	struct mt_om_unit om;
} units[] = {
	{ "ns", "_ns", { "seconds", 1e-9, "seconds" } },
	{ "us", "_us", { "seconds", 1e-6, "seconds" } },
	{ "ms", "_ms", { "seconds", 1e-3, "seconds" } },
	{ "s", "_s", { "seconds", 1, "seconds" } },
	{ "bytes", "_bytes", { "bytes", 1, "bytes" } },
	{ "kB", "_kb", { "bytes", 1024, "bytes" } },
	{ "MB/s", "_mb_s", { "bytes_per_second", 1e6, NULL } },
	{ "ratio", "_ratio", { "ratio", 1, "ratio" } },
	{ "fraction", "_fraction", { "ratio", 1, "ratio" } },
	{ "%", "_pct", { "ratio", 0.01, "ratio" } },
	{ "count", NULL, { "", 1, NULL } },
	{ "bool", NULL, { "", 1, NULL } },
	{ "", NULL, { "", 1, NULL } },
};

/* Appends s to buf[*n..len) as name characters: lowercase letters,
 * digits, '_' for anything else, no '_' twice in a row. */
static void put_name(char *buf, size_t len, size_t *n, const char *s)
{
	for (; *s && *n + 1 < len; s++) {
		char c = (char)tolower((unsigned char)*s);

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			c = '_';
		if (c == '_' && *n > 0 && buf[*n - 1] == '_')
			continue;
		buf[(*n)++] = c;
	}
	buf[*n] = '\0';
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && strcmp(s + n - m, tail) == 0;
}

struct mt_om_unit mt_om_unit_of(const char *unit, char *buf, size_t len)
{
	size_t n = 0;
	char tmp[64];

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(units[i].unit, unit ? unit : "") == 0)
			return units[i].om;
	snprintf(tmp, sizeof(tmp), "%s", unit);
	if (ends_with(tmp, "/s"))
		tmp[strlen(tmp) - 2] = '\0';
	put_name(buf, len, &n, tmp);
	while (n > 0 && buf[n - 1] == '_')
		buf[--n] = '\0';
	if (ends_with(unit, "/s") && n + 12 < len) {
		strcpy(buf + n, n ? "_per_second" : "per_second");
		n = strlen(buf);
	}
	return (struct mt_om_unit){ buf, 1, NULL };
}

/* Removes the word w ("_us") from name where it stands as a whole word
 * (followed by '_' or the end). */
static void drop_word(char *name, const char *w)
{
	size_t m = strlen(w);

	for (char *p = strstr(name, w); p; p = strstr(p + 1, w))
		if (p[m] == '\0' || p[m] == '_') {
			memmove(p, p + m, strlen(p + m) + 1);
			return;
		}
}

int mt_om_fact_name(const char *id, const char *unit, char *name, size_t len,
		    struct mt_om_unit *u)
{
	char base[160], ubuf[64], word[80];
	const char *strip = NULL;
	size_t n = 0;

	*u = mt_om_unit_of(unit, ubuf, sizeof(ubuf));
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(units[i].unit, unit ? unit : "") == 0)
			strip = units[i].strip;
	put_name(base, sizeof(base), &n, id);
	while (n > 0 && base[n - 1] == '_')
		base[--n] = '\0';
	/* The unit's word goes last, once: hugepage.random_rate_ratio_2m
	 * -> hugepage_random_rate_2m_ratio. */
	if (strip)
		drop_word(base, strip);
	if (u->suffix[0]) {
		snprintf(word, sizeof(word), "_%s", u->suffix);
		drop_word(base, word);
	}
	if ((size_t)snprintf(name, len, "memtune_%s%s%s", base,
			     u->suffix[0] ? "_" : "", u->suffix) >= len)
		return -ENAMETOOLONG;
	if (u->suffix == ubuf) /* not ours to return */
		u->suffix = "";
	return 0;
}

/* Writes s with backslash and newline escaped, other control characters
 * as spaces and '"' as quote (label values escape it, HELP text, which
 * has no escape for it, writes a single quote). */
static void om_escape(FILE *f, const char *s, const char *quote)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\\')
			fputs("\\\\", f);
		else if (c == '"')
			fputs(quote, f);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20 || c == 0x7f)
			fputc(' ', f);
		else
			fputc(c, f);
	}
}

void mt_om_label_value(FILE *f, const char *s)
{
	om_escape(f, s, "\\\"");
}

void mt_om_help_text(FILE *f, const char *s)
{
	om_escape(f, s, "'");
}

void mt_om_number(FILE *f, double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		fprintf(f, "%.0f", v);
	else /* as analysis.json holds them (JSON_REAL_PRECISION(10)) */
		fprintf(f, "%.10g", v);
}
