/* Unit tests for core/safefile.c: output directories and files that a
 * planted symlink, a foreign file or a directory others can write cannot
 * redirect. The ownership cases chown to uid 65534 and need root; they
 * are skipped otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../core/safefile.h"
#include "helpers/fake_tree.h"
#include "helpers/fixtures.h"

#define NOBODY 65534

struct tmp {
	char dir[MT_TEST_DIR_LEN]; /* first: see mt_test_dir_state */
	char victim[128];	   /* a file the tests must not change */
};

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static char *read_text(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int setup_tmp(void **state)
{
	struct tmp *t = mt_test_dir_state(sizeof(*t), "safefile");

	if (!t)
		return -1;
	snprintf(t->victim, sizeof(t->victim), "%s/victim", t->dir);
	write_text(t->victim, "precious\n");
	*state = t;
	return 0;
}

static int teardown_tmp(void **state)
{
	return mt_test_dir_teardown(state);
}

/* Joins dir and name into a static buffer (one at a time). */
static const char *at(const char *dir, const char *name)
{
	static char buf[2][PATH_MAX + 64];
	static int i;

	i = !i;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

static void test_create_and_replace(void **state)
{
	struct tmp *t = *state;
	struct mt_err err = { 0 };
	struct mt_outdir d;
	struct stat st;
	char path[128];

	snprintf(path, sizeof(path), "%s/a/b/out", t->dir);
	assert_int_equal(mt_outdir_open(&d, "test", path, MT_DIR_CREATE, &err),
			 0);
	assert_true(d.created);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0755);
	assert_int_equal(mt_outdir_replace(&d, "test", "f.json", "one\n", 4,
					   0644, 0, &err),
			 0);
	assert_string_equal(read_text(at(path, "f.json")), "one\n");
	assert_int_equal(mt_outdir_replace(&d, "test", "f.json", "two\n", 4,
					   0600, MT_FILE_NOSYNC, &err),
			 0);
	assert_string_equal(read_text(at(path, "f.json")), "two\n");
	assert_int_equal(stat(at(path, "f.json"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	mt_outdir_close(&d);

	/* Opening it again finds it; MT_DIR_NEW wants a new one. */
	assert_int_equal(mt_outdir_open(&d, "test", path, MT_DIR_CREATE, &err),
			 0);
	assert_false(d.created);
	mt_outdir_close(&d);
	assert_int_equal(mt_outdir_open(&d, "test", path, MT_DIR_NEW, &err),
			 -EEXIST);
	assert_int_equal(mt_outdir_open(&d, "test", at(t->dir, "none"), 0,
					&err),
			 -ENOENT);
}

static void test_symlink_target_refused(void **state)
{
	struct tmp *t = *state;
	struct mt_err err = { 0 };
	struct mt_outdir d;
	int fd;

	assert_int_equal(mt_outdir_open(&d, "test", at(t->dir, "out"),
					MT_DIR_CREATE, &err),
			 0);
	assert_int_equal(symlink(t->victim, at(d.path, "index.html")), 0);
	assert_int_equal(mt_outdir_replace(&d, "test", "index.html", "x", 1,
					   0644, 0, &err),
			 -EPERM);
	assert_int_equal(err.kind, MT_ERR_RUNTIME);
	assert_non_null(strstr(err.msg, "index.html"));
	assert_non_null(strstr(err.msg, "symlink"));
	assert_string_equal(read_text(t->victim), "precious\n");

	/* A new file is never opened through a link either. */
	fd = mt_outdir_create(&d, "test", "index.html", O_WRONLY, 0644, &err);
	assert_int_equal(fd, -EEXIST);
	assert_int_equal(mt_outdir_clear(&d, "test", "index.html", &err),
			 -EPERM);
	assert_string_equal(read_text(t->victim), "precious\n");
	mt_outdir_close(&d);
}

static void test_planted_tmp_names_do_not_matter(void **state)
{
	struct tmp *t = *state;
	struct mt_err err = { 0 };
	struct mt_outdir d;
	char name[64];

	assert_int_equal(mt_outdir_open(&d, "test", at(t->dir, "out"),
					MT_DIR_CREATE, &err),
			 0);
	/* The names the old code used, and guesses at the new form. */
	snprintf(name, sizeof(name), "analysis.json.tmp.%d", (int)getpid());
	assert_int_equal(symlink(t->victim, at(d.path, name)), 0);
	assert_int_equal(symlink(t->victim, at(d.path, "analysis.json.tmp")),
			 0);
	assert_int_equal(symlink(t->victim,
				 at(d.path, ".analysis.json.000000000000")),
			 0);
	assert_int_equal(mt_outdir_replace(&d, "test", "analysis.json", "{}\n",
					   3, 0644, 0, &err),
			 0);
	assert_string_equal(read_text(at(d.path, "analysis.json")), "{}\n");
	assert_string_equal(read_text(t->victim), "precious\n");
	mt_outdir_close(&d);
}

static void test_foreign_file_refused(void **state)
{
	struct tmp *t = *state;
	struct mt_err err = { 0 };
	struct mt_outdir d;

	if (geteuid() != 0)
		skip();
	assert_int_equal(mt_outdir_open(&d, "test", at(t->dir, "out"),
					MT_DIR_CREATE, &err),
			 0);
	write_text(at(d.path, "advice.json"), "theirs\n");
	assert_int_equal(chown(at(d.path, "advice.json"), NOBODY, NOBODY), 0);
	assert_int_equal(mt_outdir_replace(&d, "test", "advice.json", "x", 1,
					   0644, 0, &err),
			 -EPERM);
	assert_non_null(strstr(err.msg, "advice.json"));
	assert_non_null(strstr(err.msg, "65534"));
	assert_string_equal(read_text(at(d.path, "advice.json")), "theirs\n");
	mt_outdir_close(&d);
}

static void test_writable_dir_refused(void **state)
{
	struct tmp *t = *state;
	struct mt_err err = { 0 };
	struct mt_outdir d;

	assert_int_equal(mkdir(at(t->dir, "open"), 0755), 0);
	assert_int_equal(chmod(at(t->dir, "open"), 0777), 0);
	assert_int_equal(mt_outdir_open(&d, "test", at(t->dir, "open"),
					MT_DIR_CREATE, &err),
			 -EPERM);
	assert_int_equal(err.kind, MT_ERR_INPUT);
	assert_non_null(strstr(err.msg, "open"));
	assert_non_null(strstr(err.msg, "others can write"));
	assert_int_equal(d.fd, -1);

	/* Nor is a new directory made inside it (others could swap it). */
	assert_int_equal(mt_outdir_open(&d, "test", at(t->dir, "open/new"),
					MT_DIR_CREATE, &err),
			 -EPERM);
	assert_non_null(strstr(err.msg, "refusing to create"));
	assert_int_equal(access(at(t->dir, "open/new"), F_OK), -1);

	/* Sticky is different: others cannot rename what is ours. */
	assert_int_equal(chmod(at(t->dir, "open"), 01777), 0);
	assert_int_equal(mt_outdir_open(&d, "test", at(t->dir, "open/new"),
					MT_DIR_CREATE, &err),
			 0);
	mt_outdir_close(&d);
}

static void test_symlink_dir_refused(void **state)
{
	struct tmp *t = *state;
	struct mt_err err = { 0 };
	struct mt_outdir d;

	assert_int_equal(mkdir(at(t->dir, "real"), 0755), 0);
	assert_int_equal(symlink(at(t->dir, "real"), at(t->dir, "link")), 0);
	assert_int_equal(mt_outdir_open(&d, "test", at(t->dir, "link"),
					MT_DIR_CREATE, &err),
			 -EPERM);
	assert_int_equal(err.kind, MT_ERR_INPUT);
	assert_non_null(strstr(err.msg, "link"));
	assert_non_null(strstr(err.msg, "symlink"));

	/* A link on the way is followed where only we can write... */
	assert_int_equal(mt_outdir_open(&d, "test", at(t->dir, "link/sub"),
					MT_DIR_CREATE, &err),
			 0);
	mt_outdir_close(&d);
	assert_int_equal(access(at(t->dir, "real/sub"), F_OK), 0);

	/* ...but not where others can write (they chose where it goes). */
	assert_int_equal(mkdir(at(t->dir, "open"), 0755), 0);
	assert_int_equal(chmod(at(t->dir, "open"), 0777), 0);
	assert_int_equal(symlink(at(t->dir, "real"),
				 at(t->dir, "open/planted")),
			 0);
	if (geteuid() == 0)
		assert_int_equal(lchown(at(t->dir, "open/planted"), NOBODY,
					NOBODY),
				 0);
	assert_int_equal(mt_outdir_open(&d, "test",
					at(t->dir, "open/planted/x"),
					MT_DIR_CREATE, &err),
			 -EPERM);
	assert_non_null(strstr(err.msg, "planted"));
	assert_int_equal(access(at(t->dir, "real/x"), F_OK), -1);
}

static void test_foreign_dir_refused(void **state)
{
	struct tmp *t = *state;
	struct mt_err err = { 0 };
	struct mt_outdir d;

	if (geteuid() != 0)
		skip();
	assert_int_equal(mkdir(at(t->dir, "theirs"), 0755), 0);
	assert_int_equal(chown(at(t->dir, "theirs"), NOBODY, NOBODY), 0);
	assert_int_equal(mt_outdir_open(&d, "test", at(t->dir, "theirs"),
					MT_DIR_CREATE, &err),
			 -EPERM);
	assert_non_null(strstr(err.msg, "belongs to uid 65534"));
	/* Under it, nothing new either: its owner could swap it. */
	assert_int_equal(mt_outdir_open(&d, "test", at(t->dir, "theirs/run"),
					MT_DIR_NEW, &err),
			 -EPERM);
	assert_non_null(strstr(err.msg, "theirs/run"));
	assert_int_equal(access(at(t->dir, "theirs/run"), F_OK), -1);
}

static void test_sub_and_create(void **state)
{
	struct tmp *t = *state;
	struct mt_err err = { 0 };
	struct mt_outdir d, s;
	int fd;

	assert_int_equal(mt_outdir_open(&d, "test", at(t->dir, "run"),
					MT_DIR_NEW, &err),
			 0);
	assert_int_equal(mt_outdir_sub(&s, &d, "test", "snapshots", MT_DIR_NEW,
				       &err),
			 0);
	assert_string_equal(s.path, at(d.path, "snapshots"));
	fd = mt_outdir_create(&s, "test", "x", O_WRONLY, 0644, &err);
	assert_true(fd >= 0);
	assert_int_equal(mt_write_all(fd, "hi", 2), 0);
	close(fd);
	assert_string_equal(read_text(at(s.path, "x")), "hi");
	assert_int_equal(mt_outdir_clear(&s, "test", "x", &err), 0);
	assert_int_equal(access(at(s.path, "x"), F_OK), -1);
	assert_int_equal(mt_outdir_sub(&s, &d, "test", "../x", 0, &err),
			 -EINVAL);
	mt_outdir_close(&s);
	mt_outdir_close(&d);

	/* The path-only form: new files only, never through a link. */
	assert_int_equal(symlink(t->victim, at(t->dir, "fill")), 0);
	assert_int_equal(mt_file_create_path("test", at(t->dir, "fill"), O_RDWR,
					     0600, &err),
			 -EEXIST);
	assert_non_null(strstr(err.msg, "fill"));
	assert_string_equal(read_text(t->victim), "precious\n");
}

static void test_open_file(void **state)
{
	struct tmp *t = *state;
	struct mt_err err = { 0 };
	struct mt_outdir d;
	int fd;

	assert_int_equal(mt_outdir_open(&d, "test", at(t->dir, "state"),
					MT_DIR_CREATE | MT_DIR_PRIVATE, &err),
			 0);
	assert_int_equal(fcntl(d.fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	write_text(at(d.path, "journal"), "one\n");
	fd = mt_outdir_open_file(&d, "test", "journal", O_WRONLY | O_APPEND,
				 &err);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	assert_int_equal(mt_write_all(fd, "two\n", 4), 0);
	close(fd);
	assert_string_equal(read_text(at(d.path, "journal")), "one\ntwo\n");
	assert_int_equal(mt_outdir_open_file(&d, "test", "none", O_RDONLY,
					     &err),
			 -ENOENT);
	assert_non_null(strstr(err.msg, "none"));

	assert_int_equal(symlink(t->victim, at(d.path, "link")), 0);
	assert_int_equal(mt_outdir_open_file(&d, "test", "link", O_WRONLY,
					     &err),
			 -EPERM);
	assert_non_null(strstr(err.msg, "symlink"));
	assert_int_equal(mkfifo(at(d.path, "fifo"), 0600), 0);
	assert_int_equal(mt_outdir_open_file(&d, "test", "fifo", O_RDWR, &err),
			 -EPERM);
	assert_non_null(strstr(err.msg, "not a regular file"));
	if (geteuid() == 0) {
		assert_int_equal(chown(at(d.path, "journal"), NOBODY, NOBODY),
				 0);
		assert_int_equal(mt_outdir_open_file(&d, "test", "journal",
						     O_RDONLY, &err),
				 -EPERM);
		assert_non_null(strstr(err.msg, "uid 65534"));
	}
	assert_string_equal(read_text(t->victim), "precious\n");
	mt_outdir_close(&d);
}

/* Files of run directories others wrote (advice.json, analysis.json,
 * snapshots): never through a link, never a FIFO (which would block), at
 * most max bytes. */
static void test_read_untrusted(void **state)
{
	char dir[] = "/tmp/mt-untrusted.XXXXXX", p[256], q[256], *buf;
	size_t len;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/ok", dir);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("{\"a\":1}", f);
	fclose(f);
	assert_int_equal(mt_file_read_untrusted(p, 100, &buf, &len), 0);
	assert_string_equal(buf, "{\"a\":1}");
	assert_int_equal(len, 7);
	free(buf);
	assert_int_equal(mt_file_read_untrusted(p, 6, &buf, &len), -EFBIG);
	assert_null(buf);
	snprintf(q, sizeof(q), "%s/link", dir);
	assert_int_equal(symlink(p, q), 0);
	assert_int_equal(mt_file_read_untrusted(q, 100, &buf, &len), -ELOOP);
	assert_int_equal(unlink(q), 0);
	assert_int_equal(mkfifo(q, 0600), 0);
	assert_int_equal(mt_file_read_untrusted(q, 100, &buf, &len), -EINVAL);
	assert_int_equal(unlink(q), 0);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_and_replace,
						setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_symlink_target_refused,
						setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(
			test_planted_tmp_names_do_not_matter, setup_tmp,
			teardown_tmp),
		cmocka_unit_test_setup_teardown(test_foreign_file_refused,
						setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_writable_dir_refused,
						setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_symlink_dir_refused,
						setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_foreign_dir_refused,
						setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_sub_and_create, setup_tmp,
						teardown_tmp),
		cmocka_unit_test(test_read_untrusted),
		cmocka_unit_test_setup_teardown(test_open_file, setup_tmp,
						teardown_tmp),
	};

	umask(022);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
