/* Unit tests for core/fsroot.c: path rebasing under MEMTUNE_FSROOT, the live
 * /proc/self and /proc/<pid> exception, whole-file reads, key lookups in
 * meminfo and vmstat form, choice files, and the error messages. Each test
 * runs against a fake tree made with mkdtemp.
 */
#include <errno.h>
#include <ftw.h>
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

#include "helpers/fake_tree.h"
#include "helpers/fixtures.h"

#include "../../core/fsroot.h"

static const char meminfo[] = "MemTotal:       24576000 kB\n"
			      "MemFree:         1000 kB\n"
			      "Active(anon):      12 kB\n"
			      "Active:            34 kB\n"
			      "HugePages_Total:      5\n"
			      "Hugepagesize:       2048 kB\n";

static const char vmstat[] = "nr_free_pages 123\n"
			     "pgfault_extra 9\n"
			     "pgfault 456\n"
			     "weird notanumber\n";

struct tree {
	char root[MT_TEST_DIR_LEN]; /* first: see mt_test_dir_state */
};

/* Writes text to root + rel, creating the directories on the way. */
static void put(const struct tree *t, const char *rel, const char *text)
{
	mt_test_put(t->root, rel, text);
}

static int setup_tree(void **state)
{
	struct tree *t = mt_test_dir_state(sizeof(*t), "fsroot");

	if (!t)
		return -1;
	put(t, "/proc/meminfo", meminfo);
	put(t, "/proc/vmstat", vmstat);
	put(t, "/proc/sys/vm/swappiness", " 60\n");
	put(t, "/proc/sys/vm/bad", "60 kB\n");
	put(t, "/proc/sys/vm/empty", "");
	put(t, "/sys/kernel/mm/transparent_hugepage/enabled",
	    "always [madvise] never\n");
	put(t, "/sys/kernel/mm/transparent_hugepage/single", "never\n");
	put(t, "/sys/kernel/mm/transparent_hugepage/plain", "a b c\n");
	setenv("MEMTUNE_FSROOT", t->root, 1);
	*state = t;
	return 0;
}

static int teardown_tree(void **state)
{
	return mt_test_dir_teardown(state);
}

static void test_root_from_env(void **state)
{
	struct tree *t = *state;

	assert_string_equal(mt_fsroot(), t->root);
	setenv("MEMTUNE_FSROOT", "", 1);
	assert_string_equal(mt_fsroot(), "/");
	unsetenv("MEMTUNE_FSROOT");
	assert_string_equal(mt_fsroot(), "/");
}

static void test_path_rebased(void **state)
{
	struct tree *t = *state;
	char buf[256], want[256];

	assert_int_equal(mt_fs_path("/proc/meminfo", buf, sizeof(buf)), 0);
	snprintf(want, sizeof(want), "%s/proc/meminfo", t->root);
	assert_string_equal(buf, want);

	/* A trailing slash on the root does not double the separator. */
	snprintf(want, sizeof(want), "%s/", t->root);
	setenv("MEMTUNE_FSROOT", want, 1);
	assert_int_equal(mt_fs_path("/sys/x", buf, sizeof(buf)), 0);
	snprintf(want, sizeof(want), "%s/sys/x", t->root);
	assert_string_equal(buf, want);

	/* Names that only look like a live process are rebased. */
	setenv("MEMTUNE_FSROOT", t->root, 1);
	assert_int_equal(mt_fs_path("/proc/selfish", buf, sizeof(buf)), 0);
	snprintf(want, sizeof(want), "%s/proc/selfish", t->root);
	assert_string_equal(buf, want);
	assert_int_equal(mt_fs_path("/proc/12a/status", buf, sizeof(buf)), 0);
	snprintf(want, sizeof(want), "%s/proc/12a/status", t->root);
	assert_string_equal(buf, want);

	unsetenv("MEMTUNE_FSROOT");
	assert_int_equal(mt_fs_path("/proc/meminfo", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/proc/meminfo");
}

static void test_path_live_process(void **state)
{
	char buf[256];

	(void)state;
	assert_int_equal(mt_fs_path("/proc/self/status", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/proc/self/status");
	assert_int_equal(mt_fs_path("/proc/self", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/proc/self");
	assert_int_equal(mt_fs_path("/proc/1234/smaps", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/proc/1234/smaps");
	assert_int_equal(mt_fs_path("/proc/thread-self/stat", buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "/proc/thread-self/stat");
}

static void test_path_too_long(void **state)
{
	char buf[16];

	(void)state;
	assert_int_equal(mt_fs_path("/proc/meminfo", buf, sizeof(buf)),
			 -ENAMETOOLONG);
}

static void test_read_whole_file(void **state)
{
	struct tree *t = *state;
	struct mt_err err = { 0 };
	char *text, big[20001];
	size_t len;

	assert_int_equal(mt_fs_read("/proc/meminfo", &text, &len, &err), 0);
	assert_string_equal(text, meminfo);
	assert_int_equal(len, strlen(meminfo));
	free(text);

	/* Bigger than the first buffer: read until EOF, not by size. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	put(t, "/proc/big", big);
	assert_int_equal(mt_fs_read("/proc/big", &text, &len, &err), 0);
	assert_int_equal(len, sizeof(big) - 1);
	assert_int_equal(strlen(text), sizeof(big) - 1);
	free(text);
}

static void test_read_live_self_under_root(void **state)
{
	struct mt_err err = { 0 };
	int64_t pid;
	char *text;

	(void)state;
	/* /proc/self is not in the fake tree, yet it reads: it is live.
	 * /proc files report size 0, so this also checks read-to-EOF. */
	assert_int_equal(mt_fs_read("/proc/self/status", &text, NULL, &err), 0);
	assert_non_null(strstr(text, "Name:"));
	free(text);
	assert_int_equal(mt_fs_read_key("/proc/self/status", "Pid", &pid, &err),
			 0);
	assert_int_equal(pid, getpid());
}

static void test_read_missing_messages(void **state)
{
	struct tree *t = *state;
	struct mt_err err = { 0 };
	char *text = (char *)1, want[256];

	assert_int_equal(mt_fs_read("/proc/nothing", &text, NULL, &err),
			 -ENOENT);
	assert_null(text);
	snprintf(want, sizeof(want),
		 "cannot read /proc/nothing under MEMTUNE_FSROOT=%s: "
		 "No such file or directory",
		 t->root);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.kind, MT_ERR_RUNTIME);

	unsetenv("MEMTUNE_FSROOT");
	assert_int_equal(mt_fs_read("/proc/memtune-nothing", &text, NULL, &err),
			 -ENOENT);
	assert_string_equal(err.msg, "cannot read /proc/memtune-nothing: "
				     "No such file or directory");
}

static void test_read_line(void **state)
{
	struct mt_err err = { 0 };
	char buf[64], tiny[8];

	(void)state;
	assert_int_equal(mt_fs_read_line("/proc/meminfo", buf, sizeof(buf),
					 &err),
			 0);
	assert_string_equal(buf, "MemTotal:       24576000 kB");
	assert_int_equal(mt_fs_read_line("/proc/meminfo", tiny, sizeof(tiny),
					 &err),
			 -ERANGE);
	assert_non_null(strstr(err.msg, "/proc/meminfo"));
	assert_int_equal(mt_fs_read_line("/proc/sys/vm/empty", buf, sizeof(buf),
					 &err),
			 0);
	assert_string_equal(buf, "");
}

static void test_read_i64(void **state)
{
	struct mt_err err = { 0 };
	int64_t v = 0;

	(void)state;
	assert_int_equal(mt_fs_read_i64("/proc/sys/vm/swappiness", &v, &err),
			 0);
	assert_int_equal(v, 60);
	assert_int_equal(mt_fs_read_i64("/proc/sys/vm/bad", &v, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "/proc/sys/vm/bad"));
	assert_non_null(strstr(err.msg, "not an integer"));
	assert_int_equal(mt_fs_read_i64("/proc/sys/vm/empty", &v, &err),
			 -EINVAL);
	assert_int_equal(mt_fs_read_i64("/proc/sys/vm/none", &v, &err),
			 -ENOENT);
}

static void test_read_key(void **state)
{
	struct mt_err err = { 0 };
	int64_t v = 0;

	(void)state;
	assert_int_equal(mt_fs_read_key("/proc/meminfo", "MemTotal", &v, &err),
			 0);
	assert_int_equal(v, 24576000LL * 1024);
	/* Exact match: "Active" must not find "Active(anon)" first. */
	assert_int_equal(mt_fs_read_key("/proc/meminfo", "Active", &v, &err),
			 0);
	assert_int_equal(v, 34 * 1024);
	assert_int_equal(mt_fs_read_key("/proc/meminfo", "Active(anon)", &v,
					&err),
			 0);
	assert_int_equal(v, 12 * 1024);
	/* No kB: a count, not converted. */
	assert_int_equal(mt_fs_read_key("/proc/meminfo", "HugePages_Total", &v,
					&err),
			 0);
	assert_int_equal(v, 5);
	/* A key given with its colon. */
	assert_int_equal(mt_fs_read_key("/proc/meminfo", "MemFree:", &v, &err),
			 0);
	assert_int_equal(v, 1000 * 1024);
	/* Prefixes are not keys. */
	assert_int_equal(mt_fs_read_key("/proc/meminfo", "Mem", &v, &err),
			 -ENOENT);
	assert_non_null(strstr(err.msg, "no key 'Mem'"));
	assert_non_null(strstr(err.msg, "/proc/meminfo"));

	/* vmstat form. */
	assert_int_equal(mt_fs_read_key("/proc/vmstat", "nr_free_pages", &v,
					&err),
			 0);
	assert_int_equal(v, 123);
	assert_int_equal(mt_fs_read_key("/proc/vmstat", "pgfault", &v, &err),
			 0);
	assert_int_equal(v, 456);
	assert_int_equal(mt_fs_read_key("/proc/vmstat", "weird", &v, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "not a number"));
	assert_int_equal(mt_fs_read_key("/proc/none", "x", &v, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "cannot read /proc/none"));
}

static void test_text_key(void **state)
{
	int64_t v = 0;

	(void)state;
	assert_int_equal(mt_text_key("A: 1 kB\nB:\t2\n", "B", &v), 0);
	assert_int_equal(v, 2);
	/* The last line without a newline still counts. */
	assert_int_equal(mt_text_key("A 1\nB -7", "B", &v), 0);
	assert_int_equal(v, -7);
	assert_int_equal(mt_text_key("A: 1 kB trailing\n", "A", &v), -EINVAL);
	assert_int_equal(mt_text_key("", "A", &v), -ENOENT);
	assert_int_equal(mt_text_key("AB: 1\n", "A", &v), -ENOENT);
}

static void test_read_choice(void **state)
{
	struct mt_err err = { 0 };
	char buf[32], tiny[4];

	(void)state;
	assert_int_equal(
		mt_fs_read_choice("/sys/kernel/mm/transparent_hugepage/enabled",
				  buf, sizeof(buf), &err),
		0);
	assert_string_equal(buf, "madvise");
	assert_int_equal(
		mt_fs_read_choice("/sys/kernel/mm/transparent_hugepage/single",
				  buf, sizeof(buf), &err),
		0);
	assert_string_equal(buf, "never");
	assert_int_equal(
		mt_fs_read_choice("/sys/kernel/mm/transparent_hugepage/plain",
				  buf, sizeof(buf), &err),
		-EINVAL);
	assert_non_null(strstr(err.msg, "no [selected] choice"));
	assert_int_equal(
		mt_fs_read_choice("/sys/kernel/mm/transparent_hugepage/enabled",
				  tiny, sizeof(tiny), &err),
		-ERANGE);
}

static void test_exists(void **state)
{
	(void)state;
	assert_true(mt_fs_exists("/proc/meminfo"));
	assert_true(mt_fs_exists("/sys/kernel/mm"));
	assert_false(mt_fs_exists("/proc/nothing"));
	/* Live: exists although the fake tree has no /proc/self. */
	assert_true(mt_fs_exists("/proc/self/status"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup_tree, teardown_tree)
		T(test_root_from_env),
		T(test_path_rebased),
		T(test_path_live_process),
		T(test_path_too_long),
		T(test_read_whole_file),
		T(test_read_live_self_under_root),
		T(test_read_missing_messages),
		T(test_read_line),
		T(test_read_i64),
		T(test_read_key),
		T(test_text_key),
		T(test_read_choice),
		T(test_exists),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
