/* INI job files (DESIGN §4) and their validation against parameter schemas.
 *
 * A configuration is a list of (section, key, value, file, line) entries,
 * loaded from one or more files and from --set overrides; a later file or
 * --set overrides an earlier one for the same section and key (within one
 * file a key given twice is an error). Sections are [global]
 * and one per benchmark, optionally with a variant: [tlb] or [tlb:hugetlb].
 *
 * Validation happens against a schema (struct mt_param[]): an unknown key or
 * a bad value is an MT_ERR_INPUT error naming file, line, key and the
 * accepted form, e.g.
 *   configs/x.ini:12: [tlb] key 'sizes': bad value '4Q': expected a size
 *   such as 64K, 2M or 1G, or a range LO..HI*F such as 4K..1G*2
 */
#ifndef MT_CONFIG_H
#define MT_CONFIG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum mt_ptype {
	MT_P_SIZE,	/* one size: 4K, 2M, 1G */
	MT_P_SIZE_LIST, /* sizes and ranges: 4K,1M or 4K..1G*2 */
	MT_P_DURATION,	/* 20ms, 1s; stored in ns */
	MT_P_INT,	/* integer in [min, max] */
	MT_P_DOUBLE,	/* real in [dmin, dmax] */
	MT_P_BOOL,	/* yes/no */
	MT_P_WORDS,	/* comma list of words from choices (any if NULL) */
	MT_P_STRING,	/* free text, e.g. a directory */
};

/* One configuration key of a section: its schema. Arrays of these end with
 * an entry whose key is NULL (MT_PARAMS_END).
 *
 * A schema names its keys with an enum and gives each row its designated
 * index, so that the accessors below take the id and a misspelt one fails
 * the build:
 *	enum { TLB_SIZES, TLB_BACKINGS, TLB_NPARAMS };
 *	static const struct mt_param tlb_params[] = {
 *		[TLB_SIZES] = { .key = "sizes", ... },
 *		[TLB_BACKINGS] = { .key = "backings", ... },
 *		[TLB_NPARAMS] = MT_PARAMS_END,
 *	};
 * (gcc -Wextra rejects an index given twice; mt_schema_check finds a hole.)
 */
struct mt_param {
	const char *key;
	enum mt_ptype type;
	const char *def;   /* default, in the same text form */
	const char *help;  /* one line, for configs/README.md */
	int64_t min, max;  /* MT_P_INT bounds; sizes: bytes (0 = none) */
	double dmin, dmax; /* MT_P_DOUBLE bounds */
	const char *const *choices; /* MT_P_WORDS: allowed words */
	bool end;		    /* the row that ends the schema */
};

/* The last row of a schema: a row without a key that is not this one is a
 * hole in the designated indices. */
#define MT_PARAMS_END \
	{ \
		.key = NULL, .end = true \
	}

/* Checks a schema as the program declares it (section names it in
 * messages): every row up to MT_PARAMS_END has a key of [a-z0-9_], no key
 * is given twice, the type is known, the default parses under the row's
 * own validation (type, bounds, choices), min <= max, choices only on
 * words and a help line is present. A failure is a bug in the table:
 * MT_ERR_RUNTIME naming the section, the row and what is wrong. Returns 0
 * or -EINVAL. */
int mt_schema_check(const char *section, const struct mt_param *schema,
		    struct mt_err *err);

struct mt_cfg_entry {
	char *section; /* "global", "tlb", "tlb:hugetlb" */
	char *key;
	char *value;
	char *file;    /* file name, or "--set" */
	int line;      /* line in file, or the index of the --set option */
	unsigned load; /* which mt_cfg_load* set it (from 1); 0: --set */
};

struct mt_cfg {
	struct mt_cfg_entry *entries;
	size_t n, cap;
	char **sections;      /* section names in first-seen order */
	int *section_lines;   /* line each section was first seen on */
	char **section_files; /* file each section was first seen in */
	size_t n_sections;
	unsigned loads; /* mt_cfg_load* calls so far */
};

/* The longest line a job file may hold, in bytes (without its newline). */
#define MT_CFG_MAX_LINE 65536

void mt_cfg_init(struct mt_cfg *cfg);
void mt_cfg_free(struct mt_cfg *cfg);

/* Loads an INI file on top of what cfg holds (its keys override those of
 * earlier loads). Comments are lines starting with ';' or '#', and ';' or
 * '#' after whitespace in a value. Errors (MT_ERR_INPUT), each naming
 * file:line and what was expected: the file is missing or unreadable; a
 * line is not "key = value", "[section]" or a comment; a section name is
 * malformed; a key is set twice in one section of this file (both lines
 * named); a line holds a NUL byte or is longer than MT_CFG_MAX_LINE.
 * Returns 0 or a negative errno. */
int mt_cfg_load(struct mt_cfg *cfg, const char *path, struct mt_err *err);

/* Loads INI text from memory, naming it `name` in messages (tests). */
int mt_cfg_load_string(struct mt_cfg *cfg, const char *name, const char *text,
		       struct mt_err *err);

/* Applies one --set override "SECTION.KEY=VALUE" or "KEY=VALUE" (a bare key
 * is in [global]); `index` is its position on the command line, used as the
 * line in messages ("--set #2"). Returns 0 or -EINVAL with err set. */
int mt_cfg_set(struct mt_cfg *cfg, const char *assignment, int index,
	       struct mt_err *err);

/* Writes where an entry came from: "file:line", or "--set #N". */
void mt_cfg_where(char *buf, size_t len, const char *file, int line);

/* The value of section.key, or NULL; *entry (if not NULL) gets the entry. */
const char *mt_cfg_get(const struct mt_cfg *cfg, const char *section,
		       const char *key, const struct mt_cfg_entry **entry);

/* True if the section appeared in a file or a --set. */
bool mt_cfg_has_section(const struct mt_cfg *cfg, const char *section);

/* Typed, validated values of one section, resolved against a schema. */
struct mt_pvalue {
	const struct mt_param *param;
	const char *text; /* the text it came from */
	const char *file; /* where it came from ("default") */
	int line;
	uint64_t u;	 /* SIZE, DURATION (ns) */
	int64_t i;	 /* INT, BOOL */
	double d;	 /* DOUBLE */
	uint64_t *sizes; /* SIZE_LIST */
	char **words;	 /* WORDS */
	size_t n;	 /* count of sizes or words */
};

struct mt_params {
	char *section;
	struct mt_pvalue *v; /* v[i] is row i of the schema */
	size_t n;	     /* the schema's rows */
};

/* Validates every key cfg holds for `section` against `schema` and fills
 * *out with every schema key (defaults for the absent ones). Errors
 * (MT_ERR_INPUT) name file:line, section, key, the bad value and the accepted
 * form; an unknown key also lists the accepted keys. Returns 0 or -EINVAL. */
int mt_params_resolve(const struct mt_cfg *cfg, const char *section,
		      const struct mt_param *schema, struct mt_params **out,
		      struct mt_err *err);
/* mt_params_resolve, except that the keys in also (a NULL-ended list, or
 * NULL) are accepted in section and left for mt_params_overlay: a
 * benchmark section's overrides of [global] keys. */
int mt_params_resolve_also(const struct mt_cfg *cfg, const char *section,
			   const struct mt_param *schema,
			   const char *const *also, struct mt_params **out,
			   struct mt_err *err);
/* Sets in p (resolved from another section, e.g. [global]) each of keys (a
 * NULL-ended list of p's keys) that cfg sets in section, validated against
 * p's schema, remembering its file and line: [tlb] repeat = 1 over
 * [global] repeat = 3. Returns 0 or -EINVAL (MT_ERR_INPUT: file:line). */
int mt_params_overlay(struct mt_params *p, const struct mt_cfg *cfg,
		      const char *section, const char *const *keys,
		      struct mt_err *err);
void mt_params_free(struct mt_params *p);

/* Accessors. id is the row of the key in the schema p was resolved
 * against (its enum constant); an id outside the schema, or a key of
 * another type than the accessor reads, is a programming error: it aborts
 * with a message naming the section and the key. */
uint64_t mt_p_size(const struct mt_params *p, int id);
uint64_t mt_p_duration(const struct mt_params *p, int id);
int64_t mt_p_int(const struct mt_params *p, int id); /* INT or BOOL */
double mt_p_double(const struct mt_params *p, int id);
bool mt_p_bool(const struct mt_params *p, int id);
/* The text of any key (STRING keys in particular); NULL if the key has no
 * default and was not set. */
const char *mt_p_string(const struct mt_params *p, int id);
/* The sizes of a SIZE_LIST key (a SIZE key gives its one value). */
const uint64_t *mt_p_sizes(const struct mt_params *p, int id, size_t *n);
char *const *mt_p_words(const struct mt_params *p, int id, size_t *n);
bool mt_p_has_word(const struct mt_params *p, int id, const char *word);
/* The raw pvalue (for recording where a value came from). */
const struct mt_pvalue *mt_p_get(const struct mt_params *p, int id);
/* True when the key was left at its schema default (set in no file and by
 * no --set): --quick replaces only such values. */
bool mt_p_is_default(const struct mt_params *p, int id);
/* Writes where the key's value came from, for messages about settings that
 * conflict after each one parsed: "file:line", "--set #N" or "not set" (a
 * default, or under --quick the benchmark's quick value). */
void mt_p_where(const struct mt_params *p, int id, char *buf, size_t len);

/* Describes the accepted form of a parameter type ("a size such as 64K").
 * Used in messages and in configs/README.md. */
const char *mt_ptype_form(enum mt_ptype type);

/* Resolved parameters as a value, for handing them to another process
 * without going through text again: {"section": NAME, "values": {KEY:
 * {"value": V, "text": TEXT, "file": FILE, "line": N}}} where V is typed:
 * an integer for SIZE, DURATION (ns) and INT, a real for DOUBLE, a JSON
 * bool for BOOL, an array of integers for SIZE_LIST, an array of strings
 * for WORDS, a string (or null) for STRING. NULL when out of memory. */
json_t *mt_params_to_json(const struct mt_params *p);

/* The inverse against `schema` (the same one the values were resolved
 * with): every schema key must be present with a value of its type, and no
 * other key. Parses no text. Returns 0 with *out set, or -EINVAL / -ENOMEM
 * with err set (MT_ERR_RUNTIME: the value was made by a program). */
int mt_params_from_json(const json_t *j, const struct mt_param *schema,
			struct mt_params **out, struct mt_err *err);

#endif
