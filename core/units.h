/* Parsing and printing of the value forms configuration uses (DESIGN §4):
 * sizes with K/M/G/T suffixes (binary: 1K = 1024), durations with
 * ns/us/ms/s, comma lists, and geometric ranges "4K..1G*2".
 *
 * Parsers return 0 on success or -EINVAL, and on failure write into `why`
 * a short description of the accepted form, e.g.
 * "a size such as 64K, 2M or 1G". */
#ifndef MT_UNITS_H
#define MT_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* The largest size accepted: 2^63 - 1, so a size fits an int64_t (the JSON
 * records and off_t) and 18446744073709551615 cannot wrap to -1. */
#define MT_SIZE_MAX ((uint64_t)INT64_MAX)

/* "4096", "4K", "4k", "4KiB", "2M", "1G", "1T"; no negatives, nothing above
 * MT_SIZE_MAX. */
int mt_parse_size(const char *s, uint64_t *out, char *why, size_t why_len);

/* "20ms", "1.5s", "500us", "100ns"; a bare number is seconds. Result in ns. */
int mt_parse_duration(const char *s, uint64_t *out_ns, char *why,
		      size_t why_len);

/* Decimal integer within [min, max]. */
int mt_parse_int(const char *s, int64_t min, int64_t max, int64_t *out,
		 char *why, size_t why_len);

/* Decimal floating point within [min, max]. */
int mt_parse_double(const char *s, double min, double max, double *out,
		    char *why, size_t why_len);

/* yes/no, true/false, on/off, 1/0 (case-insensitive). */
int mt_parse_bool(const char *s, int *out, char *why, size_t why_len);

/* A list of sizes: comma-separated items, each a size or a geometric range
 * "LO..HI*F" (LO, LO*F, LO*F^2, ... up to and including HI when reached;
 * F an integer >= 2; "LO..HI" alone means factor 2). Items are kept in the
 * given order, duplicates removed. *out is malloc'ed; the caller frees it.
 * At most 4096 values. */
int mt_parse_size_list(const char *s, uint64_t **out, size_t *n, char *why,
		       size_t why_len);

/* Comma-separated words, each trimmed; each must be one of `allowed`
 * (NULL-terminated) unless allowed is NULL. *out is a malloc'ed array of
 * malloc'ed strings; free with mt_free_words. */
int mt_parse_word_list(const char *s, const char *const *allowed, char ***out,
		       size_t *n, char *why, size_t why_len);
void mt_free_words(char **words, size_t n);

/* Formats a byte count compactly ("4K", "1536K", "12M", "1G") into buf. */
void mt_format_size(uint64_t bytes, char *buf, size_t len);

/* Formats a byte count for a person into buf: "512 bytes", "16 KiB",
 * "1.5 MiB", "2 GiB" (binary units up to TiB; one decimal unless the value
 * is within 0.05 of a whole number). For messages and reports; the
 * configuration form is mt_format_size's. */
void mt_format_bytes(double bytes, char *buf, size_t len);

/* Formats a byte count the way sysinfo and the advice's evidence print
 * it: "512 B", "48 KiB", "23.5 GiB" (binary units up to PiB; one decimal
 * unless the value is a whole number of the unit). */
void mt_format_iec(uint64_t bytes, char *buf, size_t len);

/* Formats v for a person, to sig significant digits (1..15) and never with
 * an exponent: "1.71", "753", "0.0042", "2,048", "449,400,000" (digits
 * beyond sig are rounded to zeros; thousands are separated by commas;
 * trailing zeros after the point are dropped). NaN and infinities are
 * written "n/a". */
void mt_format_num(double v, int sig, char *buf, size_t len);

/* A count as people write it: v rounded to an integer, thousands separated
 * by commas ("2,048", "-84,180"). */
void mt_format_count(double v, char *buf, size_t len);

/* v measured in `unit` (the unit a record or fact carries) as people write
 * it, to three significant digits: bytes as mt_format_bytes ("8 MiB"),
 * times and rates in the largest unit that keeps the number at least 1
 * ("74 ns", "1.2 µs", "1.9 GB/s", "58.6 M accesses/s"), "ratio" and "x" as
 * a factor ("1.71×"), "fraction" and "%" as a percentage ("42%"), counts
 * with commas ("2,048 entries"); any other unit follows the number. */
void mt_format_quantity(double v, const char *unit, char *buf, size_t len);

/* v with its interval [lo, hi] (NaN: none) in `unit`, both ends in the
 * unit v is shown in: "1.9 GB/s (1.8 to 2.0)", "8 MiB (6 MiB to 12 MiB)",
 * "74 ns" without an interval. */
void mt_format_interval(double v, double lo, double hi, const char *unit,
			char *buf, size_t len);

/* Formats nanoseconds compactly in the largest of s, ms, us, ns that divides
 * them exactly ("20ms", "1500us", "10s", "0ns") into buf; the output parses
 * back with mt_parse_duration. */
void mt_format_duration(uint64_t ns, char *buf, size_t len);

/* The accepted forms, as the parsers put them in `why` (for messages and
 * documentation). */
#define MT_FORM_SIZE "a size such as 64K, 2M or 1G"
#define MT_FORM_SIZE_LIST \
	"a size such as 64K, 2M or 1G, or a range LO..HI*F such as 4K..1G*2"
#define MT_FORM_DURATION "a duration such as 20ms, 1.5s or 500us"
#define MT_FORM_BOOL "yes or no (also true/false, on/off, 1/0)"

/* Most values a size list may expand to. */
#define MT_SIZE_LIST_MAX 4096

#endif
