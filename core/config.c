/* INI job files and their validation against parameter schemas (see
 * config.h).
 *
 * The loader reads one line at a time and splits "key = value" itself (the
 * INI dialect inih reads, which memtune used before: Debian's inih is
 * built with a 200-byte line limit, '#' only at the start of a line, and no
 * line numbers for the handler). Every syntax error gets a message naming
 * file:line and what was expected, and loading stops at the first error. */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "grow.h"
#include "units.h"

#define SECTION_FORM \
	"expected '[global]', '[name]' or '[name:variant]' with a name and " \
	"variant of a-z, 0-9, '_' and '-'"
#define LINE_FORM "expected 'key = value', '[section]' or a comment"

/* Empties cfg; it holds no memory until something is loaded. */
void mt_cfg_init(struct mt_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
}

/* Frees everything cfg holds and leaves it empty (reusable). */
void mt_cfg_free(struct mt_cfg *cfg)
{
	for (size_t i = 0; i < cfg->n; i++) {
		free(cfg->entries[i].section);
		free(cfg->entries[i].key);
		free(cfg->entries[i].value);
		free(cfg->entries[i].file);
	}
	free(cfg->entries);
	for (size_t i = 0; i < cfg->n_sections; i++) {
		free(cfg->sections[i]);
		free(cfg->section_files[i]);
	}
	free(cfg->sections);
	free(cfg->section_lines);
	free(cfg->section_files);
	mt_cfg_init(cfg);
}

/* True if s is [a-z0-9_-]+, optionally followed by ':' and another such
 * word (a benchmark variant). */
static bool valid_section_name(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-");

	if (n == 0)
		return false;
	if (s[n] == '\0')
		return true;
	if (s[n] != ':')
		return false;
	s += n + 1;
	n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-");
	return n > 0 && s[n] == '\0';
}

/* Returns the index of section in cfg, recording it (with where it was
 * first seen) if new; -ENOMEM if it cannot be recorded. */
static int add_section(struct mt_cfg *cfg, const char *section,
		       const char *file, int line)
{
	size_t n = cfg->n_sections;
	char **names, **files;
	int *lines;

	for (size_t i = 0; i < n; i++)
		if (strcmp(cfg->sections[i], section) == 0)
			return (int)i;
	/* Grow all three arrays before counting the new one, so a failure
	 * leaves cfg consistent (merely with spare room). */
	names = realloc(cfg->sections, (n + 1) * sizeof(*names));
	if (!names)
		return -ENOMEM;
	cfg->sections = names;
	files = realloc(cfg->section_files, (n + 1) * sizeof(*files));
	if (!files)
		return -ENOMEM;
	cfg->section_files = files;
	lines = realloc(cfg->section_lines, (n + 1) * sizeof(*lines));
	if (!lines)
		return -ENOMEM;
	cfg->section_lines = lines;
	names[n] = strdup(section);
	files[n] = strdup(file);
	if (!names[n] || !files[n]) {
		free(names[n]);
		free(files[n]);
		return -ENOMEM;
	}
	lines[n] = line;
	cfg->n_sections++;
	return (int)n;
}

/* Sets section.key to value, remembering where it came from and in which
 * load (0 for --set). An existing entry for the same section and key is
 * overwritten in place: the later one wins. Returns 0 or -ENOMEM. */
static int set_entry(struct mt_cfg *cfg, const char *section, const char *key,
		     const char *value, const char *file, int line,
		     unsigned load)
{
	struct mt_cfg_entry *e = NULL;
	char *v, *f;

	for (size_t i = 0; i < cfg->n; i++)
		if (strcmp(cfg->entries[i].section, section) == 0 &&
		    strcmp(cfg->entries[i].key, key) == 0)
			e = &cfg->entries[i];
	v = strdup(value);
	f = strdup(file);
	if (!v || !f)
		goto free_copies;
	if (!e) {
		if (mt_grow(&cfg->entries, &cfg->cap, cfg->n,
			    sizeof(*cfg->entries), 16) < 0)
			goto free_copies;
		e = &cfg->entries[cfg->n];
		memset(e, 0, sizeof(*e));
		e->section = strdup(section);
		e->key = strdup(key);
		if (!e->section || !e->key) {
			free(e->section);
			free(e->key);
			goto free_copies;
		}
		cfg->n++;
	}
	free(e->value);
	free(e->file);
	e->value = v;
	e->file = f;
	e->line = line;
	e->load = load;
	return 0;
free_copies:
	free(v);
	free(f);
	return -ENOMEM;
}

/* Where one load reads from and what it has seen so far. */
struct load {
	struct mt_cfg *cfg;
	const char *name; /* file name in entries and messages */
	FILE *fp;	  /* the file, or NULL when reading text */
	const char *text; /* the rest of the text being read */
	char *buf;	  /* the current raw line */
	size_t buf_cap;
	size_t len;	     /* bytes in buf (NUL bytes among them) */
	int lineno;	     /* line number of buf, from 1 */
	unsigned id;	     /* this load's number (entries' `load`) */
	const char *section; /* current section (owned by cfg) */
	struct mt_err *err;
	int ret; /* first error (negative errno), or 0 */
};

/* Reads the next raw line into ld->buf (with its '\n' when it has one).
 * Returns false at the end or on a read error (ld->ret then set). */
static bool next_line(struct load *ld)
{
	if (ld->fp) {
		ssize_t n = getline(&ld->buf, &ld->buf_cap, ld->fp);

		if (n >= 0) {
			ld->len = (size_t)n;
			return true;
		}
		if (ferror(ld->fp) || errno == ENOMEM) {
			int e = errno ? errno : EIO;

			ld->ret = mt_err_set(ld->err, -e,
					     e == ENOMEM ? MT_ERR_RUNTIME :
							   MT_ERR_INPUT,
					     "cannot read config '%s': %s",
					     ld->name, strerror(e));
		}
		return false;
	}
	if (!*ld->text)
		return false;
	size_t n = strcspn(ld->text, "\n");

	if (ld->text[n] == '\n')
		n++;
	if (n + 1 > ld->buf_cap) {
		char *z = realloc(ld->buf, n + 1);

		if (!z) {
			ld->ret = mt_err_set(ld->err, -ENOMEM, MT_ERR_RUNTIME,
					     "config '%s': out of memory",
					     ld->name);
			return false;
		}
		ld->buf = z;
		ld->buf_cap = n + 1;
	}
	memcpy(ld->buf, ld->text, n);
	ld->buf[n] = '\0';
	ld->len = n;
	ld->text += n;
	return true;
}

/* Cuts trailing whitespace (including '\r' and '\n') off s in place. */
static void rstrip(char *s)
{
	size_t n = strlen(s);

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

/* Returns s past its leading whitespace. */
static char *skip_space(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

/* Checks a "[section]" line (p starts at '[') and makes it current. */
static int section_line(struct load *ld, char *p)
{
	char *end = strchr(p, ']'), *name, *rest;
	int idx;

	rstrip(p);
	if (!end)
		return mt_err_set(ld->err, -EINVAL, MT_ERR_INPUT,
				  "%s:%d: section header '%s' lacks its "
				  "closing ']': " SECTION_FORM,
				  ld->name, ld->lineno, p);
	rest = skip_space(end + 1);
	if (*rest && *rest != ';' && *rest != '#')
		return mt_err_set(ld->err, -EINVAL, MT_ERR_INPUT,
				  "%s:%d: unexpected text '%s' after the "
				  "section header: " SECTION_FORM,
				  ld->name, ld->lineno, rest);
	*end = '\0';
	name = skip_space(p + 1);
	rstrip(name);
	if (!valid_section_name(name))
		return mt_err_set(
			ld->err, -EINVAL, MT_ERR_INPUT,
			"%s:%d: bad section name '[%s]': " SECTION_FORM,
			ld->name, ld->lineno, name);
	idx = add_section(ld->cfg, name, ld->name, ld->lineno);
	if (idx < 0)
		return mt_err_set(ld->err, idx, MT_ERR_RUNTIME,
				  "config '%s': out of memory", ld->name);
	ld->section = ld->cfg->sections[idx];
	return 0;
}

/* Cuts an inline comment off a value: ';' or '#' after whitespace, as
 * "sizes = 4K,1M   # the caches" (a ';' or '#' inside a word stays). */
static void cut_comment(char *v)
{
	for (char *c = v; *c; c++) {
		if ((*c == ';' || *c == '#') &&
		    (c == v || isspace((unsigned char)c[-1]))) {
			*c = '\0';
			break;
		}
	}
	rstrip(v);
}

/* Checks that a line that is neither blank, a comment nor a section header
 * is "key = value" inside a section, and records it. A key given twice in
 * one load (one file) is an error naming both lines: the later line would
 * silently win. */
static int key_line(struct load *ld, char *p)
{
	char *eq = strchr(p, '='), *value;
	const struct mt_cfg_entry *prev;
	size_t klen;

	rstrip(p);
	/* inih would also split "key: value"; we accept only '=' so a ':'
	 * in a value cannot turn a typo into a silently odd key. */
	klen = eq ? strcspn(p, "=:") : 0;
	if (!eq || p + klen != eq)
		return mt_err_set(ld->err, -EINVAL, MT_ERR_INPUT,
				  "%s:%d: " LINE_FORM ", got '%s'", ld->name,
				  ld->lineno, p);
	while (klen && isspace((unsigned char)p[klen - 1]))
		klen--;
	if (klen == 0)
		return mt_err_set(ld->err, -EINVAL, MT_ERR_INPUT,
				  "%s:%d: " LINE_FORM "; the key before '=' "
				  "is missing",
				  ld->name, ld->lineno);
	if (!ld->section)
		return mt_err_set(ld->err, -EINVAL, MT_ERR_INPUT,
				  "%s:%d: key '%.*s' comes before any section; "
				  "put it under [global] or a benchmark's "
				  "section",
				  ld->name, ld->lineno, (int)klen, p);
	p[klen] = '\0';
	value = skip_space(eq + 1);
	cut_comment(value);
	if (mt_cfg_get(ld->cfg, ld->section, p, &prev) && prev &&
	    prev->load == ld->id)
		return mt_err_set(ld->err, -EINVAL, MT_ERR_INPUT,
				  "%s:%d: [%s] key '%s' is set twice, first "
				  "at %s:%d: expected each key once per "
				  "section; remove one of the lines",
				  ld->name, ld->lineno, ld->section, p,
				  prev->file, prev->line);
	if (set_entry(ld->cfg, ld->section, p, value, ld->name, ld->lineno,
		      ld->id) < 0)
		return mt_err_set(ld->err, -ENOMEM, MT_ERR_RUNTIME,
				  "config '%s': out of memory", ld->name);
	return 0;
}

/* Checks and records one raw line (ld->buf, ld->len bytes). */
static int parse_line(struct load *ld)
{
	char *p = ld->buf;
	size_t len = ld->len;

	if (len && p[len - 1] == '\n')
		len--;
	if (len && p[len - 1] == '\r')
		len--;
	if (memchr(p, '\0', len))
		return mt_err_set(ld->err, -EINVAL, MT_ERR_INPUT,
				  "%s:%d: the line holds a NUL byte: expected "
				  "text (is this a binary file?)",
				  ld->name, ld->lineno);
	if (len > MT_CFG_MAX_LINE)
		return mt_err_set(ld->err, -EINVAL, MT_ERR_INPUT,
				  "%s:%d: line of %zu bytes: expected at most "
				  "%d (a range such as 4K..1G*2 replaces a "
				  "long list of sizes)",
				  ld->name, ld->lineno, len, MT_CFG_MAX_LINE);
	if (ld->lineno == 1 && strncmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	/* Leading whitespace goes: an indented key is a key, not (as inih
	 * would have it) the continuation of the previous value. */
	p = skip_space(p);
	if (*p == '\0' || *p == ';' || *p == '#')
		return 0;
	if (*p == '[')
		return section_line(ld, p);
	return key_line(ld, p);
}

/* Reads every line of ld; returns 0 or the first error. */
static int load(struct load *ld)
{
	ld->id = ++ld->cfg->loads;
	while (!ld->ret && next_line(ld)) {
		ld->lineno++;
		ld->ret = parse_line(ld);
	}
	free(ld->buf);
	return ld->ret;
}

/* Loads the INI file at path on top of cfg (see config.h). On an error cfg
 * keeps the entries read before the bad line; callers discard it. */
int mt_cfg_load(struct mt_cfg *cfg, const char *path, struct mt_err *err)
{
	struct load ld = { .cfg = cfg, .name = path, .err = err };
	int ret;

	ld.fp = fopen(path, "r");
	if (!ld.fp)
		return mt_err_set(err, -errno, MT_ERR_INPUT,
				  "cannot read config '%s': %s", path,
				  strerror(errno));
	errno = 0;
	ret = load(&ld);
	fclose(ld.fp);
	return ret;
}

/* Loads INI text, naming it `name` in entries and messages. */
int mt_cfg_load_string(struct mt_cfg *cfg, const char *name, const char *text,
		       struct mt_err *err)
{
	struct load ld = { .cfg = cfg, .name = name, .text = text, .err = err };

	return load(&ld);
}

/* Applies "SECTION.KEY=VALUE" or "KEY=VALUE" (section global), recorded as
 * coming from file "--set", line `index`. */
int mt_cfg_set(struct mt_cfg *cfg, const char *assignment, int index,
	       struct mt_err *err)
{
	const char *eq = strchr(assignment, '=');
	char *lhs, *key, *value, *dot;
	const char *section = "global";
	int ret;

	if (!eq)
		return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				  "--set #%d: '%s' has no '=': expected "
				  "SECTION.KEY=VALUE or KEY=VALUE (KEY in "
				  "[global])",
				  index, assignment);
	lhs = strndup(assignment, (size_t)(eq - assignment));
	value = strdup(eq + 1);
	if (!lhs || !value) {
		ret = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				 "--set: out of memory");
		goto free_copies;
	}
	rstrip(lhs);
	key = skip_space(lhs);
	dot = strchr(key, '.');
	if (dot) {
		*dot = '\0';
		section = key;
		key = dot + 1;
	}
	if (!valid_section_name(section) || !*key ||
	    strcspn(key, " \t.") != strlen(key)) {
		ret = mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				 "--set #%d: bad setting '%s': expected "
				 "SECTION.KEY=VALUE or KEY=VALUE (KEY in "
				 "[global]), SECTION being global, NAME or "
				 "NAME:VARIANT",
				 index, assignment);
		goto free_copies;
	}
	rstrip(value);
	{
		char *v = skip_space(value);

		ret = add_section(cfg, section, "--set", index);
		if (ret >= 0)
			ret = set_entry(cfg, section, key, v, "--set", index,
					0);
	}
	if (ret < 0)
		ret = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				 "--set: out of memory");
	else
		ret = 0;
free_copies:
	free(lhs);
	free(value);
	return ret;
}

/* Returns the value of section.key, or NULL; *entry gets the entry. */
const char *mt_cfg_get(const struct mt_cfg *cfg, const char *section,
		       const char *key, const struct mt_cfg_entry **entry)
{
	for (size_t i = cfg->n; i-- > 0;) {
		const struct mt_cfg_entry *e = &cfg->entries[i];

		if (strcmp(e->section, section) == 0 &&
		    strcmp(e->key, key) == 0) {
			if (entry)
				*entry = e;
			return e->value;
		}
	}
	if (entry)
		*entry = NULL;
	return NULL;
}

/* True if the section appeared in a file or a --set. */
bool mt_cfg_has_section(const struct mt_cfg *cfg, const char *section)
{
	for (size_t i = 0; i < cfg->n_sections; i++)
		if (strcmp(cfg->sections[i], section) == 0)
			return true;
	return false;
}

/* --- validation against a schema --------------------------------------- */

/* Describes the accepted form of a type, without bounds. */
const char *mt_ptype_form(enum mt_ptype type)
{
	switch (type) {
	case MT_P_SIZE: return MT_FORM_SIZE;
	case MT_P_SIZE_LIST: return MT_FORM_SIZE_LIST;
	case MT_P_DURATION: return MT_FORM_DURATION;
	case MT_P_INT: return "an integer";
	case MT_P_DOUBLE: return "a number such as 0.5 or 2";
	case MT_P_BOOL: return MT_FORM_BOOL;
	case MT_P_WORDS: return "a comma list of words";
	case MT_P_STRING: return "text";
	}
	return "a value";
}

/* Writes "file:line" for a file, "--set #N" for an override. */
void mt_cfg_where(char *buf, size_t len, const char *file, int line)
{
	if (strcmp(file, "--set") == 0)
		snprintf(buf, len, "--set #%d", line);
	else
		snprintf(buf, len, "%s:%d", file, line);
}

/* Describes the bounded form of a size or duration ("a size from 4K to
 * 1G") into why; min or max 0 means that side is unbounded. */
static void bounds_form(const struct mt_param *p, char *why, size_t len)
{
	char lo[32], hi[32];
	const char *what = p->type == MT_P_DURATION ? "a duration" : "a size";
	void (*fmt)(uint64_t, char *, size_t) = p->type == MT_P_DURATION ?
							mt_format_duration :
							mt_format_size;

	fmt((uint64_t)p->min, lo, sizeof(lo));
	fmt((uint64_t)p->max, hi, sizeof(hi));
	if (p->min > 0 && p->max > 0)
		snprintf(why, len, "%s from %s to %s", what, lo, hi);
	else if (p->min > 0)
		snprintf(why, len, "%s of at least %s", what, lo);
	else
		snprintf(why, len, "%s of at most %s", what, hi);
}

/* True if x is inside the size/duration bounds of p (0 = unbounded). */
static bool in_bounds(const struct mt_param *p, uint64_t x)
{
	return !(p->min > 0 && x < (uint64_t)p->min) &&
	       !(p->max > 0 && x > (uint64_t)p->max);
}

/* Frees what a pvalue owns and zeroes it. */
static void pvalue_clear(struct mt_pvalue *v)
{
	free((char *)v->text);
	free((char *)v->file);
	free(v->sizes);
	mt_free_words(v->words, v->n);
	memset(v, 0, sizeof(*v));
}

/* Parses text as param p into v. Returns 0, or -EINVAL with the accepted
 * form (bounds included) in why, or -ENOMEM. */
static int parse_value(const struct mt_param *p, const char *text,
		       struct mt_pvalue *v, char *why, size_t len)
{
	int64_t lo, hi;
	double dlo, dhi;
	int ret, b;

	switch (p->type) {
	case MT_P_SIZE:
	case MT_P_DURATION:
		ret = p->type == MT_P_SIZE ?
			      mt_parse_size(text, &v->u, why, len) :
			      mt_parse_duration(text, &v->u, why, len);
		if (ret == 0 && !in_bounds(p, v->u)) {
			bounds_form(p, why, len);
			ret = -EINVAL;
		}
		return ret;
	case MT_P_SIZE_LIST:
		ret = mt_parse_size_list(text, &v->sizes, &v->n, why, len);
		for (size_t i = 0; ret == 0 && i < v->n; i++) {
			if (!in_bounds(p, v->sizes[i])) {
				char got[32];
				size_t off;

				bounds_form(p, why, len);
				mt_format_size(v->sizes[i], got, sizeof(got));
				off = strlen(why);
				snprintf(why + off, len - off,
					 " for every item (%s is not)", got);
				ret = -EINVAL;
			}
		}
		return ret;
	case MT_P_INT:
		/* A schema that gives no bounds leaves both at 0. */
		lo = p->min;
		hi = p->max;
		if (lo == 0 && hi == 0) {
			lo = INT64_MIN;
			hi = INT64_MAX;
		}
		return mt_parse_int(text, lo, hi, &v->i, why, len);
	case MT_P_DOUBLE:
		dlo = p->dmin;
		dhi = p->dmax;
		if (dlo == 0 && dhi == 0) {
			dlo = -DBL_MAX;
			dhi = DBL_MAX;
		}
		return mt_parse_double(text, dlo, dhi, &v->d, why, len);
	case MT_P_BOOL:
		ret = mt_parse_bool(text, &b, why, len);
		v->i = b;
		return ret;
	case MT_P_WORDS:
		ret = mt_parse_word_list(text, p->choices, &v->words, &v->n,
					 why, len);
		/* A list whose default has words would run nothing when
		 * empty (tlb.backings = gave no case and status "ok"). */
		if (ret == 0 && v->n == 0 && p->def &&
		    p->def[strspn(p->def, " \t,")]) {
			size_t off = (size_t)snprintf(why, len,
						      "at least one "
						      "word");

			for (size_t i = 0;
			     p->choices && p->choices[i] && off < len; i++)
				off += (size_t)snprintf(why + off, len - off,
							"%s%s",
							i ? ", " : " from: ",
							p->choices[i]);
			if (!p->choices && off < len)
				snprintf(why + off, len - off,
					 ", such as "
					 "'%s'",
					 p->def);
			ret = -EINVAL;
		}
		return ret;
	case MT_P_STRING: return 0;
	}
	snprintf(why, len, "a known parameter type");
	return -EINVAL;
}

/* Sets v from text (a default when file is "default"), remembering where
 * it came from; a NULL text (no default, not set) leaves the value empty. */
static int resolve_one(struct mt_pvalue *v, const struct mt_param *p,
		       const char *section, const char *text, const char *file,
		       int line, struct mt_err *err)
{
	char why[600], at[300];
	int ret;

	pvalue_clear(v);
	v->param = p;
	v->line = line;
	v->file = strdup(file);
	v->text = text ? strdup(text) : NULL;
	if (!v->file || (text && !v->text))
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "[%s] key '%s': out of memory", section,
				  p->key);
	if (!text)
		return 0;
	why[0] = '\0';
	ret = parse_value(p, text, v, why, sizeof(why));
	if (ret == -ENOMEM)
		return mt_err_set(err, ret, MT_ERR_RUNTIME,
				  "[%s] key '%s': out of memory", section,
				  p->key);
	if (ret == 0)
		return 0;
	if (strcmp(file, "default") == 0)
		return mt_err_set(err, -EINVAL, MT_ERR_RUNTIME,
				  "[%s] key '%s': the built-in default '%s' "
				  "is invalid: expected %s (a bug in the "
				  "parameter table; please report it)",
				  section, p->key, text, why);
	mt_cfg_where(at, sizeof(at), file, line);
	return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
			  "%s: [%s] key '%s': bad value '%s': expected %s", at,
			  section, p->key, text, why);
}

/* A new struct mt_params for section with ns zeroed values in *out.
 * Returns 0, or -ENOMEM with err set. */
static int params_new(const char *section, size_t ns, struct mt_params **out,
		      struct mt_err *err)
{
	struct mt_params *p = calloc(1, sizeof(*p));

	if (p) {
		p->section = strdup(section);
		p->v = calloc(ns ? ns : 1, sizeof(*p->v));
	}
	if (!p || !p->section || !p->v) {
		mt_params_free(p);
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "[%s]: out of memory", section);
	}
	p->n = ns;
	*out = p;
	return 0;
}

/* Resolves section against schema (see config.h): first every key from its
 * default, then each key the configuration sets, in the order they were
 * first given, so the first bad line is the one reported. */
int mt_params_resolve(const struct mt_cfg *cfg, const char *section,
		      const struct mt_param *schema, struct mt_params **out,
		      struct mt_err *err)
{
	return mt_params_resolve_also(cfg, section, schema, NULL, out, err);
}

static bool in_words(const char *const *words, const char *w)
{
	for (size_t i = 0; words && words[i]; i++)
		if (strcmp(words[i], w) == 0)
			return true;
	return false;
}

int mt_params_resolve_also(const struct mt_cfg *cfg, const char *section,
			   const struct mt_param *schema,
			   const char *const *also, struct mt_params **out,
			   struct mt_err *err)
{
	struct mt_params *p;
	size_t ns = 0;
	int ret = 0;

	*out = NULL;
	while (schema[ns].key)
		ns++;
	ret = params_new(section, ns, &p, err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < ns; i++) {
		ret = resolve_one(&p->v[i], &schema[i], section, schema[i].def,
				  "default", 0, err);
		if (ret < 0)
			goto free_params;
	}
	for (size_t k = 0; k < cfg->n; k++) {
		const struct mt_cfg_entry *e = &cfg->entries[k];
		size_t i;

		if (strcmp(e->section, section) != 0 || in_words(also, e->key))
			continue;
		for (i = 0; i < ns; i++)
			if (strcmp(schema[i].key, e->key) == 0)
				break;
		if (i == ns) {
			char keys[900] = "", at[300];
			size_t off = 0;

			for (size_t j = 0; j < ns && off < sizeof(keys); j++)
				off += (size_t)snprintf(keys + off,
							sizeof(keys) - off,
							"%s%s", j ? ", " : "",
							schema[j].key);
			for (size_t j = 0;
			     also && also[j] && off < sizeof(keys); j++)
				off += (size_t)snprintf(keys + off,
							sizeof(keys) - off,
							"%s%s", off ? ", " : "",
							also[j]);
			mt_cfg_where(at, sizeof(at), e->file, e->line);
			ret = mt_err_set(err, -EINVAL, MT_ERR_INPUT,
					 "%s: [%s] unknown key '%s': expected "
					 "one of: %s",
					 at, section, e->key,
					 off ? keys :
					       "(none: this section "
					       "takes no keys)");
			goto free_params;
		}
		ret = resolve_one(&p->v[i], &schema[i], section, e->value,
				  e->file, e->line, err);
		if (ret < 0)
			goto free_params;
	}
	*out = p;
	return 0;
free_params:
	mt_params_free(p);
	return ret;
}

int mt_params_overlay(struct mt_params *p, const struct mt_cfg *cfg,
		      const char *section, const char *const *keys,
		      struct mt_err *err)
{
	for (size_t k = 0; k < cfg->n; k++) {
		const struct mt_cfg_entry *e = &cfg->entries[k];
		size_t i;
		int ret;

		if (strcmp(e->section, section) != 0 || !in_words(keys, e->key))
			continue;
		for (i = 0; i < p->n; i++)
			if (strcmp(p->v[i].param->key, e->key) == 0)
				break;
		if (i == p->n)
			return mt_err_set(err, -EINVAL, MT_ERR_RUNTIME,
					  "[%s] key '%s': not a key of [%s] "
					  "(a bug in the table of keys a "
					  "section overrides; please report "
					  "it)",
					  section, e->key, p->section);
		ret = resolve_one(&p->v[i], p->v[i].param, section, e->value,
				  e->file, e->line, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Frees p and everything it owns (NULL is fine). */
void mt_params_free(struct mt_params *p)
{
	if (!p)
		return;
	for (size_t i = 0; p->v && i < p->n; i++)
		pvalue_clear(&p->v[i]);
	free(p->v);
	free(p->section);
	free(p);
}

/* Checks row i of a schema (see mt_schema_check): writes what is wrong
 * into why and returns false. */
static bool row_ok(const struct mt_param *schema, size_t i, char *why,
		   size_t len)
{
	const struct mt_param *r = &schema[i];
	struct mt_pvalue v = { 0 };
	bool sized;
	char form[600];
	int ret;

	if (!r->key[0] || r->key[strspn(r->key, "abcdefghijklmnopqrstuvwxyz"
						"0123456789_")]) {
		snprintf(why, len, "the key is not a word of a-z, 0-9 and '_'");
		return false;
	}
	for (size_t j = 0; j < i; j++) {
		if (strcmp(schema[j].key, r->key) == 0) {
			snprintf(why, len, "the key is also row %zu's", j);
			return false;
		}
	}
	if ((unsigned)r->type > MT_P_STRING) {
		snprintf(why, len, "unknown type %d", (int)r->type);
		return false;
	}
	if (!r->help || !r->help[0]) {
		snprintf(why, len, "no help line (configs/README.md shows it)");
		return false;
	}
	sized = r->type == MT_P_SIZE || r->type == MT_P_SIZE_LIST ||
		r->type == MT_P_DURATION;
	if ((sized &&
	     (r->min < 0 || r->max < 0 || (r->max > 0 && r->min > r->max))) ||
	    (r->type == MT_P_INT && r->min > r->max) ||
	    (r->type == MT_P_DOUBLE && r->dmin > r->dmax)) {
		snprintf(why, len,
			 "its bounds are empty or negative (min "
			 "%lld, max %lld, dmin %g, dmax %g)",
			 (long long)r->min, (long long)r->max, r->dmin,
			 r->dmax);
		return false;
	}
	if (!sized && r->type != MT_P_INT && r->type != MT_P_DOUBLE &&
	    (r->min || r->max || r->dmin != 0 || r->dmax != 0)) {
		snprintf(why, len, "bounds on %s, which takes none",
			 mt_ptype_form(r->type));
		return false;
	}
	if (r->choices && r->type != MT_P_WORDS) {
		snprintf(why, len, "choices on %s", mt_ptype_form(r->type));
		return false;
	}
	if (!r->def)
		return true;
	form[0] = '\0';
	ret = parse_value(r, r->def, &v, form, sizeof(form));
	pvalue_clear(&v);
	if (ret < 0)
		snprintf(why, len, "the default '%s' is invalid: expected %s",
			 r->def, ret == -ENOMEM ? "memory to parse it" : form);
	return ret == 0;
}

/* Checks a schema as declared (see config.h). */
int mt_schema_check(const char *section, const struct mt_param *schema,
		    struct mt_err *err)
{
	char why[800];
	size_t i;

	for (i = 0; schema[i].key; i++)
		if (!row_ok(schema, i, why, sizeof(why)))
			return mt_err_set(err, -EINVAL, MT_ERR_RUNTIME,
					  "[%s] key '%s' (row %zu): %s (a bug "
					  "in the parameter table)",
					  section, schema[i].key, i, why);
	if (!schema[i].end)
		return mt_err_set(err, -EINVAL, MT_ERR_RUNTIME,
				  "[%s] row %zu has no key: a hole in the "
				  "designated indices, or the table does not "
				  "end with MT_PARAMS_END (a bug in the "
				  "parameter table)",
				  section, i);
	return 0;
}

/* Returns the value of row id; an id outside the schema is a bug in the
 * caller (an id of another schema, or params never resolved), so it aborts
 * with a message rather than reading past the values. */
static const struct mt_pvalue *value_at(const struct mt_params *p, int id,
					const char *fn)
{
	if (!p || id < 0 || (size_t)id >= p->n) {
		fprintf(stderr,
			"memtune: bug: %s(#%d): no such key in the "
			"schema of [%s] (%zu keys)\n",
			fn, id, p ? p->section : "?", p ? p->n : 0);
		abort();
	}
	return &p->v[id];
}

const struct mt_pvalue *mt_p_get(const struct mt_params *p, int id)
{
	return value_at(p, id, __func__);
}

bool mt_p_is_default(const struct mt_params *p, int id)
{
	const struct mt_pvalue *pv = value_at(p, id, __func__);

	return !pv->file || strcmp(pv->file, "default") == 0;
}

void mt_p_where(const struct mt_params *p, int id, char *buf, size_t len)
{
	const struct mt_pvalue *pv = value_at(p, id, __func__);

	if (!pv->file || strcmp(pv->file, "default") == 0)
		snprintf(buf, len, "not set");
	else
		mt_cfg_where(buf, len, pv->file, pv->line);
}

/* Returns the value of row id if its type is t1 or t2; a key of another
 * type is a bug in the caller, so it aborts with a message rather than
 * returning a value that looks valid. */
static const struct mt_pvalue *must_get(const struct mt_params *p, int id,
					enum mt_ptype t1, enum mt_ptype t2,
					const char *fn)
{
	const struct mt_pvalue *v = value_at(p, id, fn);

	if (v->param->type != t1 && v->param->type != t2) {
		fprintf(stderr,
			"memtune: bug: %s(#%d): [%s] key '%s' is "
			"%s, of another type\n",
			fn, id, p->section, v->param->key,
			mt_ptype_form(v->param->type));
		abort();
	}
	return v;
}

uint64_t mt_p_size(const struct mt_params *p, int id)
{
	return must_get(p, id, MT_P_SIZE, MT_P_SIZE, __func__)->u;
}

uint64_t mt_p_duration(const struct mt_params *p, int id)
{
	return must_get(p, id, MT_P_DURATION, MT_P_DURATION, __func__)->u;
}

/* An INT, or a BOOL as 0 or 1. */
int64_t mt_p_int(const struct mt_params *p, int id)
{
	return must_get(p, id, MT_P_INT, MT_P_BOOL, __func__)->i;
}

double mt_p_double(const struct mt_params *p, int id)
{
	return must_get(p, id, MT_P_DOUBLE, MT_P_DOUBLE, __func__)->d;
}

bool mt_p_bool(const struct mt_params *p, int id)
{
	return must_get(p, id, MT_P_BOOL, MT_P_BOOL, __func__)->i != 0;
}

/* The text of any key (STRING keys in particular); NULL if the key has no
 * default and was not set. */
const char *mt_p_string(const struct mt_params *p, int id)
{
	return value_at(p, id, __func__)->text;
}

/* The sizes of a SIZE_LIST key (a SIZE key gives its one value). */
const uint64_t *mt_p_sizes(const struct mt_params *p, int id, size_t *n)
{
	const struct mt_pvalue *v = must_get(p, id, MT_P_SIZE_LIST, MT_P_SIZE,
					     __func__);

	if (v->param->type == MT_P_SIZE) {
		*n = 1;
		return &v->u;
	}
	*n = v->n;
	return v->sizes;
}

char *const *mt_p_words(const struct mt_params *p, int id, size_t *n)
{
	const struct mt_pvalue *v = must_get(p, id, MT_P_WORDS, MT_P_WORDS,
					     __func__);

	*n = v->n;
	return v->words;
}

/* True if the WORDS key holds word. */
bool mt_p_has_word(const struct mt_params *p, int id, const char *word)
{
	const struct mt_pvalue *v = must_get(p, id, MT_P_WORDS, MT_P_WORDS,
					     __func__);

	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->words[i], word) == 0)
			return true;
	return false;
}

/* The typed value of v as JSON (see mt_params_to_json). */
static json_t *pvalue_json(const struct mt_pvalue *v)
{
	json_t *a;

	switch (v->param->type) {
	case MT_P_SIZE:
	case MT_P_DURATION: return json_integer((json_int_t)v->u);
	case MT_P_INT: return json_integer((json_int_t)v->i);
	case MT_P_DOUBLE: return json_real(v->d);
	case MT_P_BOOL: return json_boolean(v->i != 0);
	case MT_P_SIZE_LIST:
		a = json_array();
		for (size_t i = 0; a && i < v->n; i++)
			if (json_array_append_new(
				    a, json_integer((json_int_t)v->sizes[i])) <
			    0) {
				json_decref(a);
				return NULL;
			}
		return a;
	case MT_P_WORDS:
		a = json_array();
		for (size_t i = 0; a && i < v->n; i++)
			if (json_array_append_new(a, json_string(v->words[i])) <
			    0) {
				json_decref(a);
				return NULL;
			}
		return a;
	case MT_P_STRING: return v->text ? json_string(v->text) : json_null();
	}
	return NULL;
}

json_t *mt_params_to_json(const struct mt_params *p)
{
	json_t *vals = json_object(), *o;

	if (!vals)
		return NULL;
	for (size_t i = 0; i < p->n; i++) {
		const struct mt_pvalue *v = &p->v[i];
		json_t *e = json_pack("{s:o,s:s?,s:s?,s:i}", "value",
				      pvalue_json(v), "text", v->text, "file",
				      v->file, "line", v->line);

		if (!e || json_object_set_new(vals, v->param->key, e) < 0) {
			json_decref(vals);
			return NULL;
		}
	}
	o = json_pack("{s:s,s:o}", "section", p->section, "values", vals);
	return o;
}

/* Sets v (of schema entry p) from its JSON form; false when the value is
 * not of p's type. */
static bool pvalue_from_json(struct mt_pvalue *v, const struct mt_param *p,
			     const json_t *e, bool *nomem)
{
	const json_t *val = json_object_get(e, "value"), *x;
	const char *text = json_string_value(json_object_get(e, "text"));
	const char *file = json_string_value(json_object_get(e, "file"));
	size_t i;

	v->param = p;
	v->line = (int)json_integer_value(json_object_get(e, "line"));
	v->text = text ? strdup(text) : NULL;
	v->file = strdup(file ? file : "default");
	if ((text && !v->text) || !v->file)
		goto nomem;
	switch (p->type) {
	case MT_P_SIZE:
	case MT_P_DURATION:
		if (!json_is_integer(val))
			return false;
		v->u = (uint64_t)json_integer_value(val);
		return true;
	case MT_P_INT:
		if (!json_is_integer(val))
			return false;
		v->i = (int64_t)json_integer_value(val);
		return true;
	case MT_P_DOUBLE:
		if (!json_is_number(val))
			return false;
		v->d = json_number_value(val);
		return true;
	case MT_P_BOOL:
		if (!json_is_boolean(val))
			return false;
		v->i = json_is_true(val);
		return true;
	case MT_P_SIZE_LIST:
		if (!json_is_array(val))
			return false;
		v->n = json_array_size(val);
		v->sizes = calloc(v->n ? v->n : 1, sizeof(*v->sizes));
		if (!v->sizes)
			goto nomem;
		json_array_foreach(val, i, x) {
			if (!json_is_integer(x))
				return false;
			v->sizes[i] = (uint64_t)json_integer_value(x);
		}
		return true;
	case MT_P_WORDS:
		if (!json_is_array(val))
			return false;
		v->words = calloc(json_array_size(val) + 1, sizeof(*v->words));
		if (!v->words)
			goto nomem;
		json_array_foreach(val, i, x) {
			if (!json_is_string(x))
				return false;
			v->words[i] = strdup(json_string_value(x));
			if (!v->words[i])
				goto nomem;
			v->n = i + 1;
		}
		return true;
	case MT_P_STRING: return json_is_string(val) || json_is_null(val);
	}
	return false;
nomem:
	*nomem = true;
	return false;
}

int mt_params_from_json(const json_t *j, const struct mt_param *schema,
			struct mt_params **out, struct mt_err *err)
{
	const char *section = json_string_value(json_object_get(j, "section"));
	const json_t *vals = json_object_get(j, "values");
	struct mt_params *p;
	size_t ns = 0;
	bool nomem = false;

	*out = NULL;
	while (schema[ns].key)
		ns++;
	if (!section || !json_is_object(vals) || json_object_size(vals) != ns)
		return mt_err_set(err, -EINVAL, MT_ERR_RUNTIME,
				  "parameters of [%s]: expected %zu keys from "
				  "the runner, got %zu (a bug: please report "
				  "it)",
				  section ? section : "?", ns,
				  json_object_size(vals));
	if (params_new(section, ns, &p, err) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < ns; i++) {
		const json_t *e = json_object_get(vals, schema[i].key);

		if (!e || !pvalue_from_json(&p->v[i], &schema[i], e, &nomem)) {
			mt_params_free(p);
			if (nomem)
				return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
						  "[%s]: out "
						  "of memory",
						  section);
			return mt_err_set(err, -EINVAL, MT_ERR_RUNTIME,
					  "parameters of [%s]: key '%s' is "
					  "missing or not %s (a bug: please "
					  "report it)",
					  section, schema[i].key,
					  mt_ptype_form(schema[i].type));
		}
	}
	*out = p;
	return 0;
}
