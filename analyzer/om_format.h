/* OpenMetrics text (the Prometheus exposition format node_exporter's
 * textfile collector reads): metric names, units and escaping.
 *
 * Names follow the Prometheus conventions: memtune_ prefix, snake case,
 * [a-z0-9_] only, the base unit as the last word (seconds, bytes, ratio,
 * bytes_per_second). A fact's name is its id with '.' as '_' and a
 * trailing word that restates the unit dropped ("hugepage.thp_fault_us",
 * unit us -> memtune_hugepage_thp_fault_seconds, the value times 1e-6).
 */
#ifndef MT_OM_FORMAT_H
#define MT_OM_FORMAT_H

#include <stddef.h>
#include <stdio.h>

/* What a memtune unit becomes: the name's suffix ("" for none), the factor
 * to the base unit, and OpenMetrics' UNIT (NULL when the suffix is none of
 * its units). */
struct mt_om_unit {
	const char *suffix;
	double scale;
	const char *om_unit;
};

/* The conversion of memtune unit (as facts carry it: "ns", "us", "MB/s",
 * "ratio", "%", "count"...). An unknown unit keeps its value and gets its
 * own name, sanitized, as the suffix ("IOPS" -> "iops", "x/s" ->
 * "x_per_second"); buf (at least 64 bytes) holds that suffix. */
struct mt_om_unit mt_om_unit_of(const char *unit, char *buf, size_t len);

/* The metric name of fact id with unit into name (len bytes). Returns 0,
 * or -ENAMETOOLONG when it does not fit (nothing is emitted then). *u gets
 * the unit's conversion. */
int mt_om_fact_name(const char *id, const char *unit, char *name, size_t len,
		    struct mt_om_unit *u);

/* Writes s as a label value's content: backslash, double quote and
 * newline escaped (\\, \", \n); other control characters as spaces. */
void mt_om_label_value(FILE *f, const char *s);

/* Writes s as HELP text: backslash and newline escaped, double quotes
 * and other control characters as single quotes and spaces. */
void mt_om_help_text(FILE *f, const char *s);

/* Writes a number: an integer as one, else 10 significant digits. */
void mt_om_number(FILE *f, double v);

#endif
