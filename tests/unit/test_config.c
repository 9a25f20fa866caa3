/* Unit tests of core/config.c (with core/err.c): INI loading, --set
 * overrides and their precedence, and validation against a schema with
 * every error message a user can meet. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../core/config.h"
#include "../../core/err.h"
#include "../../core/units.h"

static const char *const backings[] = { "base", "thp", "hugetlb", NULL };

/* The keys of the schema below, by row. */
enum {
	K_SIZES,
	K_STRIDE,
	K_BUFFER,
	K_TIME,
	K_RUNS,
	K_OFFSET,
	K_RATIO,
	K_VERIFY,
	K_BACKINGS,
	K_DIR,
	K_NOTE,
	K_N
};

/* A schema with every type, bounds and choices. */
static const struct mt_param schema[] = {
	[K_SIZES] = { .key = "sizes",
		      .type = MT_P_SIZE_LIST,
		      .def = "4K..64K*2",
		      .help = "working-set sizes",
		      .min = 4096,
		      .max = 1ll << 30 },
	[K_STRIDE] = { .key = "stride",
		       .type = MT_P_SIZE,
		       .def = "64",
		       .help = "bytes between loads",
		       .min = 8,
		       .max = 1 << 20 },
	[K_BUFFER] = { .key = "buffer",
		       .type = MT_P_SIZE,
		       .def = "1M",
		       .help = "unbounded size" },
	[K_TIME] = { .key = "time",
		     .type = MT_P_DURATION,
		     .def = "20ms",
		     .help = "sample time",
		     .min = 1000000,
		     .max = 10000000000ll },
	[K_RUNS] = { .key = "runs",
		     .type = MT_P_INT,
		     .def = "5",
		     .help = "repeats",
		     .min = 1,
		     .max = 1000 },
	[K_OFFSET] = { .key = "offset",
		       .type = MT_P_INT,
		       .def = "-3",
		       .help = "no bounds given" },
	[K_RATIO] = { .key = "ratio",
		      .type = MT_P_DOUBLE,
		      .def = "0.02",
		      .help = "fraction",
		      .dmin = 0.0001,
		      .dmax = 1.0 },
	[K_VERIFY] = { .key = "verify",
		       .type = MT_P_BOOL,
		       .def = "yes",
		       .help = "check what the kernel gave" },
	[K_BACKINGS] = { .key = "backings",
			 .type = MT_P_WORDS,
			 .def = "base,thp",
			 .help = "page kinds",
			 .choices = backings },
	[K_DIR] = { .key = "dir",
		    .type = MT_P_STRING,
		    .def = "/tmp",
		    .help = "a directory" },
	[K_NOTE] = { .key = "note", .type = MT_P_STRING, .help = "no default" },
	[K_N] = MT_PARAMS_END,
};

struct fixture {
	char dir[64];
	struct mt_cfg cfg;
	struct mt_err err;
	struct mt_params *p;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/mt-test-config.XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	mt_cfg_init(&f->cfg);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	mt_params_free(f->p);
	mt_cfg_free(&f->cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* Writes text to DIR/name and returns the path (static buffer). */
static const char *write_file(struct fixture *f, const char *name,
			      const char *text)
{
	static char path[PATH_MAX];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	return path;
}

/* Loads text as file "x.ini" and expects an input error whose message
 * contains each of the NULL-terminated needles. */
static void expect_load_error(struct fixture *f, const char *text, ...)
{
	va_list ap;
	const char *needle;
	struct mt_cfg cfg;

	mt_cfg_init(&cfg);
	mt_err_clear(&f->err);
	if (mt_cfg_load_string(&cfg, "x.ini", text, &f->err) != -EINVAL)
		fail_msg("accepted: %s", text);
	assert_int_equal(f->err.kind, MT_ERR_INPUT);
	va_start(ap, text);
	while ((needle = va_arg(ap, const char *)))
		if (!strstr(f->err.msg, needle))
			fail_msg("message '%s' lacks '%s'", f->err.msg, needle);
	va_end(ap);
	mt_cfg_free(&cfg);
}

/* Checks section.key holds value from file:line. */
static void expect_entry(const struct mt_cfg *cfg, const char *section,
			 const char *key, const char *value, const char *file,
			 int line)
{
	const struct mt_cfg_entry *e = NULL;
	const char *v = mt_cfg_get(cfg, section, key, &e);

	if (!v)
		fail_msg("[%s] %s not set", section, key);
	assert_string_equal(v, value);
	assert_non_null(e);
	assert_string_equal(e->section, section);
	assert_string_equal(e->key, key);
	assert_string_equal(e->file, file);
	assert_int_equal(e->line, line);
}

static void test_load_basic(void **state)
{
	struct fixture *f = *state;
	const char *text = "; a comment\n"
			   "# another comment\n"
			   "\n"
			   "[global]\n"
			   "sample_time = 20ms\n"
			   "   indented   =   spaced out   \n"
			   "\t  \n"
			   "tabbed\t=\tx\n"
			   "[tlb]  ; the TLB\n"
			   "sizes=4K..1G*2\n"
			   "inline = 4K ; trailing comment\n"
			   "  # indented comment\n"
			   "empty =\n"
			   "output = /a/b:c=d\n"
			   "[ spaced ]\n";

	assert_int_equal(mt_cfg_load_string(&f->cfg, "a.ini", text, &f->err),
			 0);
	expect_entry(&f->cfg, "global", "sample_time", "20ms", "a.ini", 5);
	expect_entry(&f->cfg, "global", "indented", "spaced out", "a.ini", 6);
	expect_entry(&f->cfg, "global", "tabbed", "x", "a.ini", 8);
	expect_entry(&f->cfg, "tlb", "sizes", "4K..1G*2", "a.ini", 10);
	expect_entry(&f->cfg, "tlb", "inline", "4K", "a.ini", 11);
	expect_entry(&f->cfg, "tlb", "empty", "", "a.ini", 13);
	expect_entry(&f->cfg, "tlb", "output", "/a/b:c=d", "a.ini", 14);
	assert_int_equal(f->cfg.n, 7);
	assert_null(mt_cfg_get(&f->cfg, "global", "sizes", NULL));
	assert_null(mt_cfg_get(&f->cfg, "nosuch", "sizes", NULL));

	/* Sections in first-seen order, with where they were first seen. */
	assert_int_equal(f->cfg.n_sections, 3);
	assert_string_equal(f->cfg.sections[0], "global");
	assert_int_equal(f->cfg.section_lines[0], 4);
	assert_string_equal(f->cfg.sections[1], "tlb");
	assert_int_equal(f->cfg.section_lines[1], 9);
	assert_string_equal(f->cfg.sections[2], "spaced");
	assert_int_equal(f->cfg.section_lines[2], 15);
	assert_string_equal(f->cfg.section_files[2], "a.ini");
	assert_true(mt_cfg_has_section(&f->cfg, "spaced")); /* no keys */
	assert_false(mt_cfg_has_section(&f->cfg, "chase"));
}

static void test_load_file(void **state)
{
	struct fixture *f = *state;
	const char *path;

	/* The last line lacks its newline; CRLF line ends; a BOM. */
	path = write_file(f, "t.ini",
			  "\xEF\xBB\xBF[global]\r\ncpu = 1\r\n\r\n[tlb]\n"
			  "sizes = 4K");
	assert_int_equal(mt_cfg_load(&f->cfg, path, &f->err), 0);
	expect_entry(&f->cfg, "global", "cpu", "1", path, 2);
	expect_entry(&f->cfg, "tlb", "sizes", "4K", path, 5);
	assert_string_equal(f->cfg.section_files[1], path);

	/* An empty file is an empty configuration. */
	path = write_file(f, "empty.ini", "");
	assert_int_equal(mt_cfg_load(&f->cfg, path, &f->err), 0);
	assert_int_equal(f->cfg.n, 2);
}

static void test_load_missing_and_unreadable(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX], want[PATH_MAX + 100];

	snprintf(path, sizeof(path), "%s/x.ini", f->dir);
	assert_int_equal(mt_cfg_load(&f->cfg, path, &f->err), -ENOENT);
	assert_int_equal(f->err.kind, MT_ERR_INPUT);
	snprintf(want, sizeof(want),
		 "cannot read config '%s': No such file "
		 "or directory",
		 path);
	assert_string_equal(f->err.msg, want);

	/* A directory opens but cannot be read. */
	mt_err_clear(&f->err);
	assert_int_equal(mt_cfg_load(&f->cfg, f->dir, &f->err), -EISDIR);
	assert_int_equal(f->err.kind, MT_ERR_INPUT);
	assert_non_null(strstr(f->err.msg, f->dir));
	assert_non_null(strstr(f->err.msg, "Is a directory"));
	assert_int_equal(f->cfg.n, 0);
}

static void test_load_syntax_errors(void **state)
{
	struct fixture *f = *state;

	expect_load_error(f, "[global]\ncpu = 1\nfoo\n", "x.ini:3:",
			  "expected 'key = value', '[section]' or a comment",
			  "'foo'", NULL);
	expect_load_error(f, "[tlb\nsizes = 4K\n", "x.ini:1:", "'[tlb'",
			  "closing ']'", "'[name:variant]'", NULL);
	expect_load_error(f, "[global]\n\n[Tlb]\n",
			  "x.ini:3:", "bad section name '[Tlb]'", "a-z, 0-9",
			  NULL);
	expect_load_error(f, "[tlb:]\n", "x.ini:1:", "bad section name", NULL);
	expect_load_error(f, "[:v]\n", "x.ini:1:", "bad section name", NULL);
	expect_load_error(f, "[a:b:c]\n", "x.ini:1:", "bad section name", NULL);
	expect_load_error(f, "[]\n", "x.ini:1:", "bad section name", NULL);
	expect_load_error(f, "[tlb.x]\n", "x.ini:1:", "bad section name", NULL);
	expect_load_error(f, "[tlb] junk\n", "x.ini:1:", "'junk'", NULL);
	expect_load_error(f, "; c\nsizes = 4K\n[tlb]\n",
			  "x.ini:2:", "key 'sizes'", "before any section",
			  "[global]", NULL);
	expect_load_error(f, "[tlb]\n = 4K\n",
			  "x.ini:2:", "the key before '=' is missing", NULL);
	expect_load_error(f, "[tlb]\nsizes: 4K\n",
			  "x.ini:2:", "expected 'key = value'", NULL);
	expect_load_error(f, "[tlb]\nok = 1\nsizes 4K",
			  "x.ini:3:", "'sizes 4K'", NULL);

	/* Only the first error is reported, even with more after it. */
	expect_load_error(f, "[tlb]\nbad\n[Bad]\n", "x.ini:2:", NULL);
}

/* Issue 12 item 5: comments with '#' anywhere ';' works, a key given
 * twice in one file, NUL bytes, and lines longer than inih's 198 bytes. */
static void test_load_hardening(void **state)
{
	struct fixture *f = *state;
	char *big, list[1024] = "";
	const char *path;
	size_t off = 0;
	FILE *fp;

	/* '#' comments as ';' ones: at the start, after a header, inline. */
	assert_int_equal(
		mt_cfg_load_string(
			&f->cfg, "a.ini",
			"# top\n[tlb] # the TLB\nsizes = 4K,1M   # the caches\n"
			"backings = 4k ; base pages\ndir = /a#b;c\n\t# indented\n",
			&f->err),
		0);
	expect_entry(&f->cfg, "tlb", "sizes", "4K,1M", "a.ini", 3);
	expect_entry(&f->cfg, "tlb", "backings", "4k", "a.ini", 4);
	expect_entry(&f->cfg, "tlb", "dir", "/a#b;c", "a.ini", 5);
	assert_int_equal(f->cfg.n, 3);

	/* A key given twice in one section of one file names both lines,
	 * also when the section is opened again. */
	expect_load_error(f, "[tlb]\nsizes = 4K\nruns = 2\nsizes = 8K\n",
			  "x.ini:4: [tlb] key 'sizes' is set twice, first at "
			  "x.ini:2",
			  NULL);
	expect_load_error(f, "[tlb]\nsizes = 4K\n[global]\n[tlb]\nsizes=1\n",
			  "x.ini:5:", "x.ini:2", "set twice", NULL);
	/* The same key in two sections, or in two files, is no duplicate. */
	mt_cfg_free(&f->cfg);
	assert_int_equal(
		mt_cfg_load_string(&f->cfg, "a.ini",
				   "[tlb]\nsizes = 4K\n[tlb:x]\nsizes = 8K\n",
				   &f->err),
		0);
	assert_int_equal(mt_cfg_load_string(&f->cfg, "a.ini",
					    "[tlb]\nsizes = 16K\n", &f->err),
			 0);
	expect_entry(&f->cfg, "tlb", "sizes", "16K", "a.ini", 2);

	/* "4K\0junk" is not 4K. */
	path = write_file(f, "nul.ini", "");
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite("[tlb]\nsizes = 4K\0junk\n", 1, 23, fp), 23);
	assert_int_equal(fclose(fp), 0);
	mt_err_clear(&f->err);
	assert_int_equal(mt_cfg_load(&f->cfg, path, &f->err), -EINVAL);
	assert_int_equal(f->err.kind, MT_ERR_INPUT);
	assert_non_null(strstr(f->err.msg, "nul.ini:2: the line holds a NUL"));

	/* A 60-size list (about 360 bytes) loads; past 64 KiB is refused
	 * with the line and the limit. */
	for (int i = 1; i <= 60; i++)
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%dK",
					i > 1 ? ", " : "", i * 4);
	assert_true(off > 300);
	big = malloc(MT_CFG_MAX_LINE + 100);
	assert_non_null(big);
	snprintf(big, MT_CFG_MAX_LINE + 100, "[tlb]\nsizes = %s\n", list);
	mt_cfg_free(&f->cfg);
	assert_int_equal(mt_cfg_load_string(&f->cfg, "a.ini", big, &f->err), 0);
	expect_entry(&f->cfg, "tlb", "sizes", list, "a.ini", 2);
	memset(big, 'x', MT_CFG_MAX_LINE + 99);
	memcpy(big, "[tlb]\nk = ", 10);
	big[MT_CFG_MAX_LINE + 99] = '\0';
	expect_load_error(f, big,
			  "x.ini:2: line of 65629 bytes: expected "
			  "at most 65536",
			  NULL);
	path = write_file(f, "big.ini", big);
	mt_err_clear(&f->err);
	assert_int_equal(mt_cfg_load(&f->cfg, path, &f->err), -EINVAL);
	assert_non_null(strstr(f->err.msg, "big.ini:2: line of 65629 bytes"));
	free(big);
}

static void test_variants_and_overrides(void **state)
{
	struct fixture *f = *state;
	char a[PATH_MAX], b[PATH_MAX];

	strcpy(a, write_file(f, "a.ini",
			     "[tlb]\nsizes = 4K\nstride = 64\n"
			     "[tlb:hugetlb]\n\n"
			     "sizes = 4M\n"));
	assert_int_equal(mt_cfg_load(&f->cfg, a, &f->err), 0);
	expect_entry(&f->cfg, "tlb:hugetlb", "sizes", "4M", a, 6);
	expect_entry(&f->cfg, "tlb", "sizes", "4K", a, 2);
	assert_true(mt_cfg_has_section(&f->cfg, "tlb:hugetlb"));

	/* A second file beats the first; untouched keys stay. */
	strcpy(b, write_file(f, "b.ini",
			     "[global]\ncpu = 0\n[tlb]\nsizes = 8K\n"));
	assert_int_equal(mt_cfg_load(&f->cfg, b, &f->err), 0);
	expect_entry(&f->cfg, "tlb", "sizes", "8K", b, 4);
	expect_entry(&f->cfg, "tlb", "stride", "64", a, 3);
	expect_entry(&f->cfg, "tlb:hugetlb", "sizes", "4M", a, 6);
	/* The section keeps where it was first seen. */
	assert_string_equal(f->cfg.sections[0], "tlb");
	assert_string_equal(f->cfg.section_files[0], a);
	assert_string_equal(f->cfg.sections[2], "global");
	assert_string_equal(f->cfg.section_files[2], b);

	/* --set beats both files; a bare key is [global]; a section may
	 * carry a variant; the value may hold '=' and '.'. */
	assert_int_equal(mt_cfg_set(&f->cfg, "tlb.sizes=4K..1G*2", 1, &f->err),
			 0);
	assert_int_equal(mt_cfg_set(&f->cfg, "cpu=3", 2, &f->err), 0);
	assert_int_equal(mt_cfg_set(&f->cfg, "tlb:hugetlb.sizes = 1G ", 3,
				    &f->err),
			 0);
	assert_int_equal(mt_cfg_set(&f->cfg, "global.output=/x=y.z", 4,
				    &f->err),
			 0);
	assert_int_equal(mt_cfg_set(&f->cfg, "chase.sizes=", 5, &f->err), 0);
	expect_entry(&f->cfg, "tlb", "sizes", "4K..1G*2", "--set", 1);
	expect_entry(&f->cfg, "global", "cpu", "3", "--set", 2);
	expect_entry(&f->cfg, "tlb:hugetlb", "sizes", "1G", "--set", 3);
	expect_entry(&f->cfg, "global", "output", "/x=y.z", "--set", 4);
	expect_entry(&f->cfg, "chase", "sizes", "", "--set", 5);
	/* A section first named by --set is recorded as such. */
	assert_true(mt_cfg_has_section(&f->cfg, "chase"));
	assert_string_equal(f->cfg.section_files[3], "--set");
	assert_int_equal(f->cfg.section_lines[3], 5);

	/* A later --set beats an earlier one. */
	assert_int_equal(mt_cfg_set(&f->cfg, "global.cpu=4", 6, &f->err), 0);
	expect_entry(&f->cfg, "global", "cpu", "4", "--set", 6);
}

static void test_set_errors(void **state)
{
	struct fixture *f = *state;
	static const char *const bad[] = {
		"nokey",   "=5",       "Tlb.sizes=4K", ".sizes=4K",
		"tlb.=4K", "tlb:.x=1", "a b=1",	       "tlb.si zes=4K",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mt_err_clear(&f->err);
		if (mt_cfg_set(&f->cfg, bad[i], 7, &f->err) != -EINVAL)
			fail_msg("--set '%s' accepted", bad[i]);
		assert_int_equal(f->err.kind, MT_ERR_INPUT);
		assert_non_null(strstr(f->err.msg, "--set #7"));
		assert_non_null(strstr(f->err.msg, bad[i]));
		assert_non_null(strstr(f->err.msg, "SECTION.KEY=VALUE"));
	}
	assert_int_equal(f->cfg.n, 0);
	assert_int_equal(f->cfg.n_sections, 0);
}

static void test_resolve_defaults(void **state)
{
	struct fixture *f = *state;
	const struct mt_pvalue *v;
	const uint64_t *sizes;
	char *const *words;
	size_t n;

	assert_int_equal(mt_params_resolve(&f->cfg, "tlb", schema, &f->p,
					   &f->err),
			 0);
	assert_string_equal(f->p->section, "tlb");
	assert_int_equal(f->p->n, 11);
	sizes = mt_p_sizes(f->p, K_SIZES, &n);
	assert_int_equal(n, 5);
	assert_int_equal(sizes[0], 4096);
	assert_int_equal(sizes[4], 65536);
	assert_int_equal(mt_p_size(f->p, K_STRIDE), 64);
	assert_int_equal(mt_p_size(f->p, K_BUFFER), 1 << 20);
	assert_int_equal(mt_p_duration(f->p, K_TIME), 20000000);
	assert_int_equal(mt_p_int(f->p, K_RUNS), 5);
	assert_int_equal(mt_p_int(f->p, K_OFFSET), -3);
	assert_true(mt_p_double(f->p, K_RATIO) == 0.02);
	assert_true(mt_p_bool(f->p, K_VERIFY));
	assert_int_equal(mt_p_int(f->p, K_VERIFY), 1);
	words = mt_p_words(f->p, K_BACKINGS, &n);
	assert_int_equal(n, 2);
	assert_string_equal(words[0], "base");
	assert_true(mt_p_has_word(f->p, K_BACKINGS, "thp"));
	assert_false(mt_p_has_word(f->p, K_BACKINGS, "hugetlb"));
	assert_string_equal(mt_p_string(f->p, K_DIR), "/tmp");
	assert_null(mt_p_string(f->p, K_NOTE));
	assert_string_equal(mt_p_string(f->p, K_RUNS), "5");
	/* A SIZE key reads as a one-element list too. */
	sizes = mt_p_sizes(f->p, K_STRIDE, &n);
	assert_int_equal(n, 1);
	assert_int_equal(sizes[0], 64);

	v = mt_p_get(f->p, K_TIME);
	assert_non_null(v);
	assert_string_equal(v->text, "20ms");
	assert_string_equal(v->file, "default");
	assert_ptr_equal(v->param, &schema[3]);
	assert_true(mt_p_is_default(f->p, K_TIME));
	{
		char at[64];

		mt_p_where(f->p, K_TIME, at, sizeof(at));
		assert_string_equal(at, "not set");
	}
}

static void test_resolve_values(void **state)
{
	struct fixture *f = *state;
	const struct mt_pvalue *v;
	const uint64_t *sizes;
	size_t n;

	assert_int_equal(
		mt_cfg_load_string(
			&f->cfg, "x.ini",
			"[tlb]\nsizes = 4K..1G*4\nruns = 1000\nverify = off\n"
			"backings = hugetlb\ntime = 1.5ms\nratio = 1\n"
			"dir = /var/tmp\n[tlb:hugetlb]\nruns = 7\n"
			"[global]\nruns = 0\n",
			&f->err),
		0);
	assert_int_equal(mt_cfg_set(&f->cfg, "tlb.stride=4K", 1, &f->err), 0);
	assert_int_equal(mt_params_resolve(&f->cfg, "tlb", schema, &f->p,
					   &f->err),
			 0);
	sizes = mt_p_sizes(f->p, K_SIZES, &n);
	assert_int_equal(n, 10);
	assert_int_equal(sizes[9], 1 << 30);
	assert_int_equal(mt_p_int(f->p, K_RUNS), 1000);
	assert_false(mt_p_bool(f->p, K_VERIFY));
	assert_true(mt_p_has_word(f->p, K_BACKINGS, "hugetlb"));
	assert_false(mt_p_has_word(f->p, K_BACKINGS, "base"));
	assert_int_equal(mt_p_duration(f->p, K_TIME), 1500000);
	assert_true(mt_p_double(f->p, K_RATIO) == 1.0);
	assert_string_equal(mt_p_string(f->p, K_DIR), "/var/tmp");
	assert_int_equal(mt_p_size(f->p, K_STRIDE), 4096);
	v = mt_p_get(f->p, K_RUNS);
	assert_string_equal(v->file, "x.ini");
	assert_int_equal(v->line, 3);
	v = mt_p_get(f->p, K_STRIDE);
	assert_string_equal(v->file, "--set");
	assert_int_equal(v->line, 1);
	assert_string_equal(v->text, "4K");
	{
		char at[64];

		mt_p_where(f->p, K_RUNS, at, sizeof(at));
		assert_string_equal(at, "x.ini:3");
		mt_p_where(f->p, K_STRIDE, at, sizeof(at));
		assert_string_equal(at, "--set #1");
		assert_false(mt_p_is_default(f->p, K_RUNS));
		assert_false(mt_p_is_default(f->p, K_STRIDE));
		assert_true(mt_p_is_default(f->p, K_OFFSET));
	}
	mt_params_free(f->p);

	/* A variant section has only its own keys (and the defaults); a
	 * section nobody wrote resolves to the defaults. */
	assert_int_equal(mt_params_resolve(&f->cfg, "tlb:hugetlb", schema,
					   &f->p, &f->err),
			 0);
	assert_string_equal(f->p->section, "tlb:hugetlb");
	assert_int_equal(mt_p_int(f->p, K_RUNS), 7);
	assert_true(mt_p_bool(f->p, K_VERIFY));
	mt_params_free(f->p);
	assert_int_equal(mt_params_resolve(&f->cfg, "chase", schema, &f->p,
					   &f->err),
			 0);
	assert_int_equal(mt_p_int(f->p, K_RUNS), 5);
}

/* A section's keys that override another section's (mt_params_resolve_also
 * leaves them, mt_params_overlay sets them over the other's values, where
 * they were given), and a bad override names its file and line. */
static void test_resolve_also_overlay(void **state)
{
	struct fixture *f = *state;
	static const char *const also[] = { "time", "runs", NULL };
	static const struct mt_param none[] = { MT_PARAMS_END };
	struct mt_params *g = NULL, *p = NULL;
	char at[64];

	assert_int_equal(mt_cfg_load_string(&f->cfg, "x.ini",
					    "[global]\nruns = 3\n"
					    "time = 5ms\n[swap]\nruns = 1\n",
					    &f->err),
			 0);
	/* Without `also`, [swap] runs is unknown to a schema without it. */
	assert_int_equal(mt_params_resolve(&f->cfg, "swap", none, &p, &f->err),
			 -EINVAL);
	assert_non_null(strstr(f->err.msg, "unknown key 'runs'"));
	assert_int_equal(mt_params_resolve_also(&f->cfg, "swap", none, also, &p,
						&f->err),
			 0);
	assert_int_equal(p->n, 0);
	mt_params_free(p);
	/* An unknown key lists the section's keys and the overrides. */
	assert_int_equal(mt_cfg_set(&f->cfg, "swap.nope=1", 1, &f->err), 0);
	assert_int_equal(mt_params_resolve_also(&f->cfg, "swap", none, also, &p,
						&f->err),
			 -EINVAL);
	assert_non_null(strstr(f->err.msg, "expected one of: time, runs"));

	assert_int_equal(mt_params_resolve(&f->cfg, "global", schema, &g,
					   &f->err),
			 0);
	assert_int_equal(mt_params_overlay(g, &f->cfg, "swap", also, &f->err),
			 0);
	assert_int_equal(mt_p_int(g, K_RUNS), 1);
	mt_p_where(g, K_RUNS, at, sizeof(at));
	assert_string_equal(at, "x.ini:5");
	/* Not set in [swap]: [global]'s value and place stay. */
	assert_int_equal(mt_p_duration(g, K_TIME), 5000000);
	mt_p_where(g, K_TIME, at, sizeof(at));
	assert_string_equal(at, "x.ini:3");
	/* A section without overrides leaves it as it is. */
	assert_int_equal(mt_params_overlay(g, &f->cfg, "tlb", also, &f->err),
			 0);
	assert_int_equal(mt_p_int(g, K_RUNS), 1);
	mt_params_free(g);

	/* A bad override is an input error at its line. */
	assert_int_equal(mt_cfg_set(&f->cfg, "swap.runs=lots", 2, &f->err), 0);
	assert_int_equal(mt_params_resolve(&f->cfg, "global", schema, &g,
					   &f->err),
			 0);
	mt_err_clear(&f->err);
	assert_int_equal(mt_params_overlay(g, &f->cfg, "swap", also, &f->err),
			 -EINVAL);
	assert_int_equal(f->err.kind, MT_ERR_INPUT);
	assert_non_null(strstr(f->err.msg, "--set #2: [swap] key 'runs'"));
	mt_params_free(g);
}

/* Loads text as "x.ini", applies the --set assignments (NULL-ended list),
 * resolves [tlb] and expects an input error with exactly `want`. */
static void expect_resolve_error(struct fixture *f, const char *text,
				 const char *const *sets, const char *want)
{
	struct mt_cfg cfg;
	struct mt_params *p = (struct mt_params *)&p;

	mt_cfg_init(&cfg);
	mt_err_clear(&f->err);
	assert_int_equal(mt_cfg_load_string(&cfg, "x.ini", text, &f->err), 0);
	for (int i = 0; sets && sets[i]; i++)
		assert_int_equal(mt_cfg_set(&cfg, sets[i], i + 1, &f->err), 0);
	if (mt_params_resolve(&cfg, "tlb", schema, &p, &f->err) != -EINVAL)
		fail_msg("resolved: %s", text);
	assert_null(p);
	assert_int_equal(f->err.kind, MT_ERR_INPUT);
	assert_string_equal(f->err.msg, want);
	mt_cfg_free(&cfg);
}

static void test_resolve_errors(void **state)
{
	struct fixture *f = *state;

	expect_resolve_error(
		f, "[tlb]\nruns = 2\nnosuch = 1\n", NULL,
		"x.ini:3: [tlb] unknown key 'nosuch': expected one of: sizes, "
		"stride, buffer, time, runs, offset, ratio, verify, backings, "
		"dir, note");
	expect_resolve_error(
		f, "[global]\n[tlb]\nsizes = 4Q\n", NULL,
		"x.ini:3: [tlb] key 'sizes': bad value '4Q': expected a size "
		"such as 64K, 2M or 1G, or a range LO..HI*F such as 4K..1G*2");
	expect_resolve_error(
		f, "[tlb]\nsizes = 1G..4K\n", NULL,
		"x.ini:2: [tlb] key 'sizes': bad value '1G..4K': expected a "
		"range LO..HI*F with LO no larger than HI, such as 4K..1G*2");
	expect_resolve_error(
		f, "[tlb]\nsizes = 1K..8K\n", NULL,
		"x.ini:2: [tlb] key 'sizes': bad value '1K..8K': expected a "
		"size from 4K to 1G for every item (1K is not)");
	expect_resolve_error(
		f, "[tlb]\nruns = 0\n", NULL,
		"x.ini:2: [tlb] key 'runs': bad value '0': expected an "
		"integer from 1 to 1000");
	expect_resolve_error(
		f, "[tlb]\nruns = many\n", NULL,
		"x.ini:2: [tlb] key 'runs': bad value 'many': expected an "
		"integer from 1 to 1000");
	expect_resolve_error(
		f, "[tlb]\noffset = 1.5\n", NULL,
		"x.ini:2: [tlb] key 'offset': bad value '1.5': expected an "
		"integer");
	expect_resolve_error(
		f, "[tlb]\nratio = 2\n", NULL,
		"x.ini:2: [tlb] key 'ratio': bad value '2': expected a "
		"number from 0.0001 to 1");
	expect_resolve_error(
		f, "[tlb]\nstride = 4\n", NULL,
		"x.ini:2: [tlb] key 'stride': bad value '4': expected a size "
		"from 8 to 1M");
	expect_resolve_error(
		f, "[tlb]\nstride = 64Q\n", NULL,
		"x.ini:2: [tlb] key 'stride': bad value '64Q': expected a "
		"size such as 64K, 2M or 1G");
	expect_resolve_error(
		f, "[tlb]\ntime = 20s\n", NULL,
		"x.ini:2: [tlb] key 'time': bad value '20s': expected a "
		"duration from 1ms to 10s");
	expect_resolve_error(
		f, "[tlb]\ntime = 20 ms\n", NULL,
		"x.ini:2: [tlb] key 'time': bad value '20 ms': expected a "
		"duration such as 20ms, 1.5s or 500us");
	expect_resolve_error(
		f, "[tlb]\nverify = maybe\n", NULL,
		"x.ini:2: [tlb] key 'verify': bad value 'maybe': expected yes "
		"or no (also true/false, on/off, 1/0)");
	expect_resolve_error(
		f, "[tlb]\nbackings = 4k,jumbo\n", NULL,
		"x.ini:2: [tlb] key 'backings': bad value '4k,jumbo': "
		"expected a comma list of words from: base, thp, hugetlb "
		"('4k' is not one)");
	expect_resolve_error(
		f, "[tlb]\nsizes = \n", NULL,
		"x.ini:2: [tlb] key 'sizes': bad value '': expected a size "
		"such as 64K, 2M or 1G, or a range LO..HI*F such as 4K..1G*2");

	/* An empty list whose default has words would run no case. */
	expect_resolve_error(
		f, "[tlb]\nbackings =\n", NULL,
		"x.ini:2: [tlb] key 'backings': bad value '': expected at "
		"least one word from: base, thp, hugetlb");
	expect_resolve_error(
		f, "[tlb]\nbackings = , \n", NULL,
		"x.ini:2: [tlb] key 'backings': bad value ',': expected a "
		"comma list of words from: base, thp, hugetlb");
	/* A size list refuses 2^64 - 1 (it wrapped to -1 in records). */
	expect_resolve_error(
		f, "[tlb]\nstride = 18446744073709551615\n", NULL,
		"x.ini:2: [tlb] key 'stride': bad value "
		"'18446744073709551615': expected a size such as 64K, 2M or "
		"1G, below 8 EiB");

	/* The first bad line in file order is the one reported. */
	expect_resolve_error(
		f, "[tlb]\nruns = 0\nnosuch = 1\n", NULL,
		"x.ini:2: [tlb] key 'runs': bad value '0': expected an "
		"integer from 1 to 1000");

	/* From --set, the message says so. */
	expect_resolve_error(
		f, "",
		(const char *const[]){ "global.cpu=1", "tlb.sizes=banana",
				       NULL },
		"--set #2: [tlb] key 'sizes': bad value 'banana': expected a "
		"size such as 64K, 2M or 1G, or a range LO..HI*F such as "
		"4K..1G*2");
	expect_resolve_error(
		f, "[tlb]\n", (const char *const[]){ "tlb.bogus=1", NULL },
		"--set #1: [tlb] unknown key 'bogus': expected one of: sizes, "
		"stride, buffer, time, runs, offset, ratio, verify, backings, "
		"dir, note");
	/* A --set naming a file's key moves the blame to the --set. */
	expect_resolve_error(
		f, "[tlb]\nruns = 2\n",
		(const char *const[]){ "tlb.runs=-1", NULL },
		"--set #1: [tlb] key 'runs': bad value '-1': expected an "
		"integer from 1 to 1000");
}

static void test_override_repairs_bad_value(void **state)
{
	struct fixture *f = *state;
	const struct mt_pvalue *v;

	/* Only the value that wins is validated. */
	assert_int_equal(mt_cfg_load_string(&f->cfg, "x.ini",
					    "[tlb]\nsizes = 4Q\n", &f->err),
			 0);
	assert_int_equal(mt_cfg_set(&f->cfg, "tlb.sizes=8K", 1, &f->err), 0);
	assert_int_equal(mt_params_resolve(&f->cfg, "tlb", schema, &f->p,
					   &f->err),
			 0);
	v = mt_p_get(f->p, K_SIZES);
	assert_int_equal(v->n, 1);
	assert_int_equal(v->sizes[0], 8192);
}

static void test_bad_default(void **state)
{
	struct fixture *f = *state;
	static const struct mt_param broken[] = {
		{ .key = "runs", .type = MT_P_INT, .def = "5" },
		{ .key = "size", .type = MT_P_SIZE, .def = "4Q" },
		{ .key = NULL },
	};
	struct mt_params *p = (struct mt_params *)&p;

	assert_int_equal(mt_params_resolve(&f->cfg, "tlb", broken, &p, &f->err),
			 -EINVAL);
	assert_null(p);
	assert_int_equal(f->err.kind, MT_ERR_RUNTIME);
	assert_non_null(strstr(f->err.msg, "[tlb] key 'size'"));
	assert_non_null(strstr(f->err.msg, "default '4Q'"));
	assert_non_null(strstr(f->err.msg, "a size such as"));
}

static void test_empty_schema(void **state)
{
	struct fixture *f = *state;
	static const struct mt_param none[] = { { .key = NULL } };

	assert_int_equal(mt_params_resolve(&f->cfg, "x", none, &f->p, &f->err),
			 0);
	assert_int_equal(f->p->n, 0);
	mt_params_free(f->p);
	f->p = NULL;
	assert_int_equal(mt_cfg_load_string(&f->cfg, "x.ini", "[x]\na = 1\n",
					    &f->err),
			 0);
	assert_int_equal(mt_params_resolve(&f->cfg, "x", none, &f->p, &f->err),
			 -EINVAL);
	assert_non_null(strstr(f->err.msg, "x.ini:2: [x] unknown key 'a'"));
	assert_non_null(strstr(f->err.msg, "takes no keys"));
}

/* Runs fn in a child and expects it to die of SIGABRT. */
static void expect_abort(void (*fn)(const struct mt_params *),
			 const struct mt_params *p)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		if (!freopen("/dev/null", "w", stderr))
			_exit(3);
		fn(p);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

static void get_unknown(const struct mt_params *p)
{
	mt_p_size(p, K_N);
}

static void get_negative(const struct mt_params *p)
{
	mt_p_get(p, -1);
}

static void where_unknown(const struct mt_params *p)
{
	char at[64];

	mt_p_where(p, K_N + 3, at, sizeof(at));
}

static void default_unknown(const struct mt_params *p)
{
	mt_p_is_default(p, K_N);
}

static void words_of_size(const struct mt_params *p)
{
	mt_p_has_word(p, K_SIZES, "4K");
}

static void get_wrong_type(const struct mt_params *p)
{
	mt_p_size(p, K_RUNS);
}

static void get_unknown_string(const struct mt_params *p)
{
	mt_p_string(p, K_N);
}

static void test_accessor_aborts(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mt_params_resolve(&f->cfg, "tlb", schema, &f->p,
					   &f->err),
			 0);
	expect_abort(get_unknown, f->p);
	expect_abort(get_wrong_type, f->p);
	expect_abort(get_unknown_string, f->p);
	expect_abort(get_negative, f->p);
	expect_abort(where_unknown, f->p);
	expect_abort(default_unknown, f->p);
	expect_abort(words_of_size, f->p);
}

/* mt_schema_check: the test schema passes; each kind of mistake in a
 * table is found and named with the section, the key or row and what is
 * wrong. */
static void test_schema_check(void **state)
{
	static const char *const words[] = { "a", "b", NULL };
	static const struct mt_param hole[] = {
		[0] = { .key = "a", .type = MT_P_INT, .def = "1", .help = "h" },
		[2] = { .key = "c", .type = MT_P_INT, .def = "1", .help = "h" },
		[3] = MT_PARAMS_END,
	};
	static const struct mt_param no_end[] = {
		{ .key = "a", .type = MT_P_INT, .def = "1", .help = "h" },
		{ .key = NULL },
	};
	static const struct mt_param twice[] = {
		{ .key = "a", .type = MT_P_INT, .def = "1", .help = "h" },
		{ .key = "b", .type = MT_P_INT, .def = "1", .help = "h" },
		{ .key = "a", .type = MT_P_BOOL, .def = "no", .help = "h" },
		MT_PARAMS_END,
	};
	static const struct mt_param upper[] = {
		{ .key = "Sizes", .type = MT_P_SIZE, .def = "4K", .help = "h" },
		MT_PARAMS_END,
	};
	static const struct mt_param dash[] = {
		{ .key = "a-b", .type = MT_P_SIZE, .def = "4K", .help = "h" },
		MT_PARAMS_END,
	};
	static const struct mt_param empty_key[] = {
		{ .key = "", .type = MT_P_SIZE, .def = "4K", .help = "h" },
		MT_PARAMS_END,
	};
	static const struct mt_param bad_type[] = {
		{ .key = "a",
		  .type = (enum mt_ptype)42,
		  .def = "1",
		  .help = "h" },
		MT_PARAMS_END,
	};
	static const struct mt_param bad_def[] = {
		{ .key = "a", .type = MT_P_SIZE, .def = "4Q", .help = "h" },
		MT_PARAMS_END,
	};
	static const struct mt_param def_out[] = {
		{ .key = "a",
		  .type = MT_P_INT,
		  .def = "0",
		  .help = "h",
		  .min = 1,
		  .max = 9 },
		MT_PARAMS_END,
	};
	static const struct mt_param def_big[] = {
		{ .key = "a",
		  .type = MT_P_SIZE_LIST,
		  .def = "4K,2M",
		  .help = "h",
		  .min = 4096,
		  .max = 1 << 20 },
		MT_PARAMS_END,
	};
	static const struct mt_param def_word[] = {
		{ .key = "a",
		  .type = MT_P_WORDS,
		  .def = "a,c",
		  .help = "h",
		  .choices = words },
		MT_PARAMS_END,
	};
	static const struct mt_param int_empty[] = {
		{ .key = "a",
		  .type = MT_P_INT,
		  .def = "5",
		  .help = "h",
		  .min = 9,
		  .max = 1 },
		MT_PARAMS_END,
	};
	static const struct mt_param size_neg[] = {
		{ .key = "a",
		  .type = MT_P_SIZE,
		  .def = "4K",
		  .help = "h",
		  .min = -1 },
		MT_PARAMS_END,
	};
	static const struct mt_param dbl_empty[] = {
		{ .key = "a",
		  .type = MT_P_DOUBLE,
		  .def = "0.5",
		  .help = "h",
		  .dmin = 1,
		  .dmax = 0.1 },
		MT_PARAMS_END,
	};
	static const struct mt_param no_help[] = {
		{ .key = "a", .type = MT_P_INT, .def = "1" },
		MT_PARAMS_END,
	};
	static const struct mt_param empty_help[] = {
		{ .key = "a", .type = MT_P_INT, .def = "1", .help = "" },
		MT_PARAMS_END,
	};
	static const struct mt_param stray_choices[] = {
		{ .key = "a",
		  .type = MT_P_STRING,
		  .def = "a",
		  .help = "h",
		  .choices = words },
		MT_PARAMS_END,
	};
	static const struct mt_param stray_bounds[] = {
		{ .key = "a",
		  .type = MT_P_BOOL,
		  .def = "yes",
		  .help = "h",
		  .max = 3 },
		MT_PARAMS_END,
	};
	static const struct mt_param none[] = { MT_PARAMS_END };
	static const struct {
		const struct mt_param *schema;
		const char *msg;
	} bad[] = {
		{ hole, "[s] row 1 has no key: a hole" },
		{ no_end, "[s] row 1 has no key" },
		{ twice, "[s] key 'a' (row 2): the key is also row 0's" },
		{ upper, "key 'Sizes' (row 0): the key is not a word" },
		{ dash, "key 'a-b' (row 0): the key is not a word" },
		{ empty_key, "key '' (row 0): the key is not a word" },
		{ bad_type, "unknown type 42" },
		{ bad_def, "the default '4Q' is invalid: expected a size" },
		{ def_out, "the default '0' is invalid" },
		{ def_big, "the default '4K,2M' is invalid" },
		{ def_word, "the default 'a,c' is invalid" },
		{ int_empty, "bounds are empty" },
		{ size_neg, "bounds are empty or negative" },
		{ dbl_empty, "bounds are empty" },
		{ no_help, "no help line" },
		{ empty_help, "no help line" },
		{ stray_choices, "choices on text" },
		{ stray_bounds, "bounds on" },
	};
	struct mt_err err = { 0 };

	(void)state;
	assert_int_equal(mt_schema_check("s", schema, &err), 0);
	assert_int_equal(mt_schema_check("s", none, &err), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mt_err_clear(&err);
		assert_int_equal(mt_schema_check("s", bad[i].schema, &err),
				 -EINVAL);
		assert_int_equal(err.kind, MT_ERR_RUNTIME);
		if (!strstr(err.msg, bad[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg,
				 bad[i].msg);
		assert_non_null(strstr(err.msg, "[s] "));
		assert_non_null(strstr(err.msg, "a bug in the parameter"));
	}
}

static void test_ptype_form(void **state)
{
	(void)state;
	assert_string_equal(mt_ptype_form(MT_P_SIZE),
			    "a size such as 64K, 2M or 1G");
	assert_string_equal(mt_ptype_form(MT_P_SIZE_LIST),
			    "a size such as 64K, 2M or 1G, or a range "
			    "LO..HI*F such as 4K..1G*2");
	assert_string_equal(mt_ptype_form(MT_P_DURATION),
			    "a duration such as 20ms, 1.5s or 500us");
	assert_string_equal(mt_ptype_form(MT_P_INT), "an integer");
	assert_non_null(strstr(mt_ptype_form(MT_P_DOUBLE), "number"));
	assert_non_null(strstr(mt_ptype_form(MT_P_BOOL), "yes or no"));
	assert_non_null(strstr(mt_ptype_form(MT_P_WORDS), "words"));
	assert_string_equal(mt_ptype_form(MT_P_STRING), "text");
}

static void test_err(void **state)
{
	struct mt_err err;
	char big[2000];

	(void)state;
	assert_int_equal(mt_err_set(&err, -ENOENT, MT_ERR_INPUT, "x '%s': %d",
				    "a", 5),
			 -ENOENT);
	assert_int_equal(err.kind, MT_ERR_INPUT);
	assert_string_equal(err.msg, "x 'a': 5");
	mt_err_prefix(&err, "tlb%d", 2);
	assert_string_equal(err.msg, "tlb2: x 'a': 5");
	assert_int_equal(err.kind, MT_ERR_INPUT);
	mt_err_clear(&err);
	assert_int_equal(err.kind, MT_ERR_NONE);
	assert_string_equal(err.msg, "");
	mt_err_prefix(&err, "only");
	assert_string_equal(err.msg, "only");
	/* NULL err is allowed everywhere. */
	assert_int_equal(mt_err_set(NULL, -5, MT_ERR_RUNTIME, "x"), -5);
	mt_err_prefix(NULL, "x");
	mt_err_clear(NULL);
	/* Overlong messages are cut and marked. */
	memset(big, 'y', sizeof(big));
	big[sizeof(big) - 1] = '\0';
	mt_err_set(&err, -1, MT_ERR_RUNTIME, "%s", big);
	assert_int_equal(strlen(err.msg), sizeof(err.msg) - 1);
	mt_err_prefix(&err, "p");
	assert_int_equal(strlen(err.msg), sizeof(err.msg) - 1);
	assert_memory_equal(err.msg, "p: yyy", 6);
	assert_string_equal(err.msg + sizeof(err.msg) - 4, "...");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_load_basic, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_load_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_load_missing_and_unreadable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_syntax_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_load_hardening, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_variants_and_overrides,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_resolve_defaults, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_resolve_values, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_resolve_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_override_repairs_bad_value,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_default, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_empty_schema, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_accessor_aborts, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_resolve_also_overlay,
						setup, teardown),
		cmocka_unit_test(test_schema_check),
		cmocka_unit_test(test_ptype_form),
		cmocka_unit_test(test_err),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
