/* Parsing and printing of configuration values (see units.h).
 *
 * The parsers are strict: no surrounding or inner whitespace (the INI loader
 * and the list parsers trim items), no trailing junk, no negative sizes, and
 * overflow is an error rather than a wrap. On failure they return -EINVAL and
 * describe the accepted form in `why`, which the configuration layer quotes
 * after "expected". */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "grow.h"
#include "units.h"

/* Writes the formatted accepted form into why (if any room) and returns
 * -EINVAL, so parsers can write `return form(why, len, ...)`. */
static int __attribute__((format(printf, 3, 4)))
form(char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	if (why && why_len) {
		va_start(ap, fmt);
		vsnprintf(why, why_len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Reads decimal digits at *p into *out and advances *p past them. Returns
 * the number of digits read, or -1 if the value does not fit in 64 bits. */
static int scan_digits(const char **p, uint64_t *out)
{
	uint64_t v = 0;
	int n = 0;

	while (isdigit((unsigned char)**p)) {
		unsigned d = (unsigned)(**p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
		(*p)++;
		n++;
	}
	*out = v;
	return n;
}

/* Parses a size: decimal digits and an optional binary suffix K, M, G or T
 * (any case, optionally followed by B or iB), or a bare B. */
int mt_parse_size(const char *s, uint64_t *out, char *why, size_t why_len)
{
	const char *p = s;
	uint64_t v;
	unsigned shift = 0;
	int nd;

	if (!s || !*s)
		return form(why, why_len, MT_FORM_SIZE);
	nd = scan_digits(&p, &v);
	if (nd < 0 || v > MT_SIZE_MAX)
		return form(why, why_len, "%s, below 8 EiB", MT_FORM_SIZE);
	if (nd == 0)
		return form(why, why_len, MT_FORM_SIZE);
	switch (tolower((unsigned char)*p)) {
	case 'k':
		shift = 10;
		p++;
		break;
	case 'm':
		shift = 20;
		p++;
		break;
	case 'g':
		shift = 30;
		p++;
		break;
	case 't':
		shift = 40;
		p++;
		break;
	default: break;
	}
	/* What may follow the digits and the letter: nothing, "B" or "iB"
	 * ("4K", "4KB", "4KiB"); after bare digits only "B". */
	if (*p && strcasecmp(p, "b") != 0 &&
	    !(shift && strcasecmp(p, "ib") == 0))
		return form(why, why_len, MT_FORM_SIZE);
	if (shift && v > (MT_SIZE_MAX >> shift))
		return form(why, why_len, "%s, below 8 EiB", MT_FORM_SIZE);
	*out = v << shift;
	return 0;
}

/* Parses a duration: digits, an optional fraction, and a unit ns, us, ms or
 * s (none means seconds). The result is rounded to the nearest nanosecond. */
int mt_parse_duration(const char *s, uint64_t *out_ns, char *why,
		      size_t why_len)
{
	const char *p = s;
	uint64_t ipart, frac = 0, scale = 1, mult, v;
	int nd;

	if (!s || !*s)
		return form(why, why_len, MT_FORM_DURATION);
	nd = scan_digits(&p, &ipart);
	if (nd <= 0)
		return form(why, why_len, MT_FORM_DURATION);
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return form(why, why_len, MT_FORM_DURATION);
		/* Nine fractional digits already resolve a nanosecond of a
		 * second; further digits are read and ignored. */
		for (; isdigit((unsigned char)*p); p++) {
			if (scale < 1000000000ull) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				scale *= 10;
			}
		}
	}
	if (*p == '\0' || strcmp(p, "s") == 0)
		mult = 1000000000ull;
	else if (strcmp(p, "ms") == 0)
		mult = 1000000ull;
	else if (strcmp(p, "us") == 0)
		mult = 1000ull;
	else if (strcmp(p, "ns") == 0)
		mult = 1;
	else
		return form(why, why_len, MT_FORM_DURATION);
	if (ipart > UINT64_MAX / mult)
		return form(why, why_len, "%s, below 584 years",
			    MT_FORM_DURATION);
	v = ipart * mult;
	/* frac < scale <= 1e9 and mult <= 1e9: the product fits. */
	frac = (frac * mult + scale / 2) / scale;
	if (v > UINT64_MAX - frac)
		return form(why, why_len, "%s, below 584 years",
			    MT_FORM_DURATION);
	*out_ns = v + frac;
	return 0;
}

/* Describes the integers in [min, max], leaving out an unlimited side. */
static int int_form(char *why, size_t why_len, int64_t min, int64_t max)
{
	if (min == INT64_MIN && max == INT64_MAX)
		return form(why, why_len, "an integer");
	if (max == INT64_MAX)
		return form(why, why_len, "an integer of at least %lld",
			    (long long)min);
	if (min == INT64_MIN)
		return form(why, why_len, "an integer of at most %lld",
			    (long long)max);
	return form(why, why_len, "an integer from %lld to %lld",
		    (long long)min, (long long)max);
}

/* Parses a decimal integer (optional sign) and checks it is in [min, max]. */
int mt_parse_int(const char *s, int64_t min, int64_t max, int64_t *out,
		 char *why, size_t why_len)
{
	const char *d = s;
	char *end;
	long long v;

	if (!s)
		return int_form(why, why_len, min, max);
	if (*d == '-' || *d == '+')
		d++;
	/* strtoll would skip leading spaces and accept "0x10"; require a
	 * digit right after the sign and decimal digits only. */
	if (!isdigit((unsigned char)*d))
		return int_form(why, why_len, min, max);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end || errno == ERANGE || v < min || v > max)
		return int_form(why, why_len, min, max);
	*out = v;
	return 0;
}

/* Describes the reals in [min, max], leaving out an unlimited side. */
static int double_form(char *why, size_t why_len, double min, double max)
{
	if (min <= -DBL_MAX && max >= DBL_MAX)
		return form(why, why_len, "a number such as 0.5 or 2");
	if (max >= DBL_MAX)
		return form(why, why_len, "a number of at least %g", min);
	if (min <= -DBL_MAX)
		return form(why, why_len, "a number of at most %g", max);
	return form(why, why_len, "a number from %g to %g", min, max);
}

/* Parses a finite decimal real ("0.5", "-2", "1e-3") in [min, max]; hex
 * floats, inf and nan are refused. */
int mt_parse_double(const char *s, double min, double max, double *out,
		    char *why, size_t why_len)
{
	char *end;
	double v;

	if (!s || !*s || strspn(s, "0123456789.eE+-") != strlen(s))
		return double_form(why, why_len, min, max);
	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end || !isfinite(v) || v < min || v > max)
		return double_form(why, why_len, min, max);
	*out = v;
	return 0;
}

/* Parses yes/no, true/false, on/off, 1/0 in any case into 1 or 0. */
int mt_parse_bool(const char *s, int *out, char *why, size_t why_len)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	if (!s)
		return form(why, why_len, MT_FORM_BOOL);
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return form(why, why_len, MT_FORM_BOOL);
}

/* Cuts the whitespace around s in place and returns its new start. */
static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	*e = '\0';
	return s;
}

/* A growing list of distinct sizes. */
struct size_vec {
	uint64_t *v;
	size_t n, cap;
};

/* Appends x unless present. Returns 0, -E2BIG past MT_SIZE_LIST_MAX
 * values, or -ENOMEM. */
static int size_vec_add(struct size_vec *sv, uint64_t x)
{
	for (size_t i = 0; i < sv->n; i++)
		if (sv->v[i] == x)
			return 0;
	if (sv->n == MT_SIZE_LIST_MAX)
		return -E2BIG;
	if (mt_grow(&sv->v, &sv->cap, sv->n, sizeof(*sv->v), 16) < 0)
		return -ENOMEM;
	sv->v[sv->n++] = x;
	return 0;
}

/* True if s has the form of a size but is above MT_SIZE_MAX. */
static bool too_big(const char *s)
{
	char why[128];
	uint64_t v;

	return mt_parse_size(s, &v, why, sizeof(why)) < 0 &&
	       strstr(why, "below 8 EiB");
}

/* Expands one list item, a size or a range "LO..HI[*F]", into sv. */
static int size_item(char *item, struct size_vec *sv, char *why, size_t why_len)
{
	char *dots = strstr(item, ".."), *star;
	uint64_t lo, hi, f = 2, v;
	int ret;

	if (!dots) {
		if (mt_parse_size(item, &v, why, why_len) < 0)
			return too_big(item) ?
				       form(why, why_len,
					    "%s, each below 8 EiB",
					    MT_FORM_SIZE_LIST) :
				       form(why, why_len, MT_FORM_SIZE_LIST);
		return size_vec_add(sv, v);
	}
	*dots = '\0';
	star = strchr(dots + 2, '*');
	if (star) {
		const char *p = star + 1;
		int nd = scan_digits(&p, &f);

		*star = '\0';
		if (nd <= 0 || *p || f < 2)
			return form(why, why_len,
				    "a range LO..HI*F with an "
				    "integer factor F of at least 2, such as "
				    "4K..1G*2");
	}
	if (mt_parse_size(item, &lo, why, why_len) < 0 ||
	    mt_parse_size(dots + 2, &hi, why, why_len) < 0)
		return too_big(item) || too_big(dots + 2) ?
			       form(why, why_len, "%s, each below 8 EiB",
				    MT_FORM_SIZE_LIST) :
			       form(why, why_len, MT_FORM_SIZE_LIST);
	if (lo == 0)
		return form(why, why_len,
			    "a range LO..HI*F with LO above 0, "
			    "such as 4K..1G*2");
	if (lo > hi)
		return form(why, why_len,
			    "a range LO..HI*F with LO no larger "
			    "than HI, such as 4K..1G*2");
	/* v <= hi / f guarantees v * f <= hi, so nothing overflows and HI is
	 * included only when the progression lands on it exactly. */
	for (v = lo;; v *= f) {
		ret = size_vec_add(sv, v);
		if (ret < 0 || v > hi / f)
			return ret;
	}
}

/* Parses comma-separated sizes and ranges into a malloc'ed array of distinct
 * values in order of appearance. */
int mt_parse_size_list(const char *s, uint64_t **out, size_t *n, char *why,
		       size_t why_len)
{
	struct size_vec sv = { 0 };
	char *copy, *item, *next;
	int ret = 0;

	*out = NULL;
	*n = 0;
	if (!s)
		return form(why, why_len, MT_FORM_SIZE_LIST);
	copy = strdup(s);
	if (!copy) {
		form(why, why_len, "(out of memory)");
		return -ENOMEM;
	}
	if (!*trim(copy)) {
		ret = form(why, why_len, MT_FORM_SIZE_LIST);
		goto free_copy;
	}
	for (item = copy; item; item = next) {
		next = strchr(item, ',');
		if (next)
			*next++ = '\0';
		item = trim(item);
		if (!*item) {
			ret = form(why, why_len,
				   "%s; comma-separated, with "
				   "no empty item",
				   MT_FORM_SIZE_LIST);
			goto free_copy;
		}
		ret = size_item(item, &sv, why, why_len);
		if (ret == -E2BIG)
			ret = form(why, why_len,
				   "at most %d sizes in the "
				   "list; use a larger range factor",
				   MT_SIZE_LIST_MAX);
		else if (ret == -ENOMEM)
			form(why, why_len, "(out of memory)");
		if (ret < 0)
			goto free_copy;
	}
	*out = sv.v;
	*n = sv.n;
	sv.v = NULL;
free_copy:
	free(copy);
	free(sv.v);
	return ret;
}

/* Describes the word-list form: the allowed words, and the offending one. */
static int words_form(char *why, size_t why_len, const char *const *allowed,
		      const char *bad)
{
	char list[512] = "";
	size_t off = 0;

	if (!allowed)
		return form(why, why_len,
			    "comma-separated words such as "
			    "a,b (no spaces inside a word)");
	for (size_t i = 0; allowed[i] && off < sizeof(list); i++)
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
					i ? ", " : "", allowed[i]);
	if (bad)
		return form(why, why_len,
			    "a comma list of words from: %s "
			    "('%s' is not one)",
			    list, bad);
	return form(why, why_len, "a comma list of words from: %s", list);
}

/* True if w has whitespace inside (it is already trimmed). */
static bool has_space(const char *w)
{
	for (; *w; w++)
		if (isspace((unsigned char)*w))
			return true;
	return false;
}

/* Parses comma-separated words (blank text gives none), each checked
 * against allowed; duplicates are dropped. */
int mt_parse_word_list(const char *s, const char *const *allowed, char ***out,
		       size_t *n, char *why, size_t why_len)
{
	char *copy, *item, *next, **words = NULL;
	size_t nw = 0;
	int ret = 0;

	*out = NULL;
	*n = 0;
	if (!s)
		return words_form(why, why_len, allowed, NULL);
	copy = strdup(s);
	if (!copy) {
		form(why, why_len, "(out of memory)");
		return -ENOMEM;
	}
	if (!*trim(copy))
		goto free_copy;
	for (item = copy; item; item = next) {
		bool dup = false;
		char **z;

		next = strchr(item, ',');
		if (next)
			*next++ = '\0';
		item = trim(item);
		if (!*item || has_space(item)) {
			ret = words_form(why, why_len, allowed, NULL);
			goto free_words;
		}
		if (allowed) {
			size_t i;

			for (i = 0; allowed[i]; i++)
				if (strcmp(allowed[i], item) == 0)
					break;
			if (!allowed[i]) {
				ret = words_form(why, why_len, allowed, item);
				goto free_words;
			}
		}
		for (size_t i = 0; i < nw; i++)
			dup = dup || strcmp(words[i], item) == 0;
		if (dup)
			continue;
		z = realloc(words, (nw + 1) * sizeof(*z));
		if (!z)
			goto no_memory;
		words = z;
		words[nw] = strdup(item);
		if (!words[nw])
			goto no_memory;
		nw++;
	}
	*out = words;
	*n = nw;
	goto free_copy;
no_memory:
	ret = -ENOMEM;
	form(why, why_len, "(out of memory)");
free_words:
	mt_free_words(words, nw);
free_copy:
	free(copy);
	return ret;
}

/* Frees the n words and the array (NULL is fine). */
void mt_free_words(char **words, size_t n)
{
	if (!words)
		return;
	for (size_t i = 0; i < n; i++)
		free(words[i]);
	free(words);
}

/* Uses the largest of T, G, M, K that divides bytes exactly. */
void mt_format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char suffix[] = "TGMK";
	static const unsigned shift[] = { 40, 30, 20, 10 };

	for (size_t i = 0; i < 4; i++) {
		uint64_t unit = 1ull << shift[i];

		if (bytes && bytes % unit == 0) {
			snprintf(buf, len, "%llu%c",
				 (unsigned long long)(bytes / unit), suffix[i]);
			return;
		}
	}
	snprintf(buf, len, "%llu", (unsigned long long)bytes);
}

void mt_format_bytes(double bytes, char *buf, size_t len)
{
	static const char *const unit[] = { "bytes", "KiB", "MiB", "GiB",
					    "TiB" };
	int u = 0;

	while (u < 4 && fabs(bytes) >= 1024) {
		bytes /= 1024;
		u++;
	}
	if (u == 0 || fabs(bytes - round(bytes)) < 0.05)
		snprintf(buf, len, "%.0f %s", bytes, unit[u]);
	else
		snprintf(buf, len, "%.1f %s", bytes, unit[u]);
}

void mt_format_iec(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "B",   "KiB", "MiB",
					     "GiB", "TiB", "PiB" };
	double v = (double)bytes;
	int u = 0;

	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
	else if (v == (double)(uint64_t)v)
		snprintf(buf, len, "%.0f %s", v, units[u]);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
}

/* Uses the largest of s, ms, us that divides ns exactly, else ns. */
void mt_format_duration(uint64_t ns, char *buf, size_t len)
{
	static const char *const unit[] = { "s", "ms", "us" };
	static const uint64_t scale[] = { 1000000000ull, 1000000ull, 1000ull };

	for (size_t i = 0; i < 3; i++) {
		if (ns && ns % scale[i] == 0) {
			snprintf(buf, len, "%llu%s",
				 (unsigned long long)(ns / scale[i]), unit[i]);
			return;
		}
	}
	snprintf(buf, len, "%lluns", (unsigned long long)ns);
}

/* Writes the digits of s (a plain decimal from printf, maybe signed, maybe
 * with a fraction) into buf with commas between the thousands of its
 * integer part. */
static void group_thousands(const char *s, char *buf, size_t len)
{
	size_t o = 0, int_len;
	const char *p = s;

	if (!len)
		return;
	if (*p == '-' && o + 1 < len)
		buf[o++] = *p++;
	int_len = strspn(p, "0123456789");
	for (size_t i = 0; p[i] && o + 1 < len; i++) {
		if (i && i < int_len && (int_len - i) % 3 == 0) {
			buf[o++] = ',';
			if (o + 1 >= len)
				break;
		}
		buf[o++] = p[i];
	}
	buf[o] = '\0';
}

void mt_format_num(double v, int sig, char *buf, size_t len)
{
	char digits[400];
	int mag, dec;

	if (!isfinite(v)) {
		snprintf(buf, len, "n/a");
		return;
	}
	sig = sig < 1 ? 1 : sig > 15 ? 15 : sig;
	if (v == 0) {
		snprintf(buf, len, "0");
		return;
	}
	mag = (int)floor(log10(fabs(v)));
	dec = sig - 1 - mag;
	if (dec > 0) {
		char *end;

		snprintf(digits, sizeof(digits), "%.*f", dec > 20 ? 20 : dec,
			 v);
		end = digits + strlen(digits);
		while (end[-1] == '0')
			*--end = '\0';
		if (end[-1] == '.')
			*--end = '\0';
	} else {
		double p = pow(10, -dec);

		snprintf(digits, sizeof(digits), "%.0f", round(v / p) * p);
	}
	if (!strcmp(digits, "-0"))
		snprintf(digits, sizeof(digits), "0");
	group_thousands(digits, buf, len);
}

void mt_format_count(double v, char *buf, size_t len)
{
	char digits[400];

	if (!isfinite(v)) {
		snprintf(buf, len, "n/a");
		return;
	}
	snprintf(digits, sizeof(digits), "%.0f", round(v));
	if (!strcmp(digits, "-0"))
		snprintf(digits, sizeof(digits), "0");
	group_thousands(digits, buf, len);
}

/* How a unit is shown: a value in `unit` is divided by `factor` and
 * written with `shown` after it. Of the rows of one unit the one with the
 * largest factor not above the value is used (the first when none is), so
 * the rows of a unit are in increasing factor. */
static const struct unit_scale {
	const char *unit, *shown;
	double factor;
} unit_scales[] = {
	{ "ns", " ns", 1 },	  { "ns", " µs", 1e3 },
	{ "ns", " ms", 1e6 },	  { "ns", " s", 1e9 },
	{ "us", " ns", 1e-3 },	  { "us", " µs", 1 },
	{ "us", " ms", 1e3 },	  { "us", " s", 1e6 },
	{ "ms", " µs", 1e-3 },	  { "ms", " ms", 1 },
	{ "ms", " s", 1e3 },	  { "s", " ms", 1e-3 },
	{ "s", " s", 1 },	  { "MB/s", " kB/s", 1e-3 },
	{ "MB/s", " MB/s", 1 },	  { "MB/s", " GB/s", 1e3 },
	{ "MB/s", " TB/s", 1e6 }, { "B/s", " B/s", 1 },
	{ "B/s", " kB/s", 1e3 },  { "B/s", " MB/s", 1e6 },
	{ "B/s", " GB/s", 1e9 },  { "ratio", "×", 1 },
	{ "x", "×", 1 },	  { "fraction", "%", 0.01 },
	{ "%", "%", 1 },
};

/* Byte units: a value in `unit` is that many times `bytes`. */
static const struct {
	const char *unit;
	double bytes;
} byte_units[] = {
	{ "bytes", 1 }, { "B", 1 },	    { "KiB", 1024 },
	{ "kB", 1024 }, { "MiB", 1048576 }, { "GiB", 1073741824 },
};

/* The byte multiplier of unit, or 0 when it is not a byte unit. */
static double unit_bytes(const char *unit)
{
	for (size_t i = 0; i < sizeof(byte_units) / sizeof(byte_units[0]); i++)
		if (!strcmp(unit, byte_units[i].unit))
			return byte_units[i].bytes;
	return 0;
}

/* The row showing a value of about v in unit, or NULL for a unit with no
 * row. */
static const struct unit_scale *unit_scale(const char *unit, double v)
{
	const struct unit_scale *best = NULL;

	for (size_t i = 0; i < sizeof(unit_scales) / sizeof(unit_scales[0]);
	     i++) {
		const struct unit_scale *s = &unit_scales[i];

		if (strcmp(s->unit, unit))
			continue;
		if (!best || s->factor <= fabs(v))
			best = s;
	}
	return best;
}

/* The number v of a unit with no row: an integer exactly (a count of
 * something), millions and billions in words, else three digits. Writes
 * the word of the scale, if any, into word. */
static void plain_number(double v, char *buf, size_t len, const char **word)
{
	*word = "";
	if (fabs(v) >= 1e9) {
		mt_format_num(v / 1e9, 3, buf, len);
		*word = " billion";
	} else if (fabs(v) >= 1e6) {
		mt_format_num(v / 1e6, 3, buf, len);
		*word = " million";
	} else if (v == round(v)) {
		mt_format_count(v, buf, len);
	} else {
		mt_format_num(v, 3, buf, len);
	}
}

void mt_format_quantity(double v, const char *unit, char *buf, size_t len)
{
	mt_format_interval(v, NAN, NAN, unit, buf, len);
}

void mt_format_interval(double v, double lo, double hi, const char *unit,
			char *buf, size_t len)
{
	bool ci = isfinite(lo) && isfinite(hi);
	double mult = unit_bytes(unit ? unit : "");
	const struct unit_scale *s;
	const char *word;
	char a[64], b[64], c[64];

	if (!unit || !strcmp(unit, "count"))
		unit = "";
	if (!isfinite(v)) {
		snprintf(buf, len, "n/a");
		return;
	}
	if (mult > 0) {
		mt_format_bytes(v * mult, a, sizeof(a));
		if (!ci) {
			snprintf(buf, len, "%s", a);
			return;
		}
		mt_format_bytes(lo * mult, b, sizeof(b));
		mt_format_bytes(hi * mult, c, sizeof(c));
		snprintf(buf, len, "%s (%s to %s)", a, b, c);
		return;
	}
	s = unit_scale(unit, v);
	if (s) {
		mt_format_num(v / s->factor, 3, a, sizeof(a));
		mt_format_num(lo / s->factor, 3, b, sizeof(b));
		mt_format_num(hi / s->factor, 3, c, sizeof(c));
		if (ci)
			snprintf(buf, len, "%s%s (%s to %s)", a, s->shown, b,
				 c);
		else
			snprintf(buf, len, "%s%s", a, s->shown);
		return;
	}
	plain_number(v, a, sizeof(a), &word);
	if (ci) {
		double d = *word == ' ' ? (word[1] == 'b' ? 1e9 : 1e6) : 1;

		if (d == 1 && lo == round(lo) && hi == round(hi)) {
			mt_format_count(lo, b, sizeof(b));
			mt_format_count(hi, c, sizeof(c));
		} else {
			mt_format_num(lo / d, 3, b, sizeof(b));
			mt_format_num(hi / d, 3, c, sizeof(c));
		}
		snprintf(buf, len, "%s%s%s%s (%s to %s)", a, word,
			 *unit ? " " : "", unit, b, c);
	} else {
		snprintf(buf, len, "%s%s%s%s", a, word, *unit ? " " : "", unit);
	}
}
