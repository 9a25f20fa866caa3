/* Unit tests for core/knobs.c (the table of what memtune may change, and
 * each knob's valid values) and core/statedir.c (the state directory's
 * trust checks and its lock). */
#include <errno.h>
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

#include "../../core/knobs.h"
#include "../../core/statedir.h"

#define GIB (1ULL << 30)

static void test_lookup_by_name(void **state)
{
	struct mt_knob k;

	(void)state;
	mt_test_knob("vm.swappiness", 0, &k, "/proc/sys/vm/swappiness",
		     "vm.swappiness");
	assert_null(k.persist);
	mt_test_knob("transparent_hugepage.enabled", 0, &k,
		     "/sys/kernel/mm/transparent_hugepage/enabled", "");
	assert_non_null(strstr(k.persist, "transparent_hugepage="));
	assert_int_equal(mt_knob_lookup("hugepages-1048576kB.nr_hugepages",
					16 * GIB, &k),
			 0);
	assert_string_equal(k.path, "/sys/kernel/mm/hugepages/"
				    "hugepages-1048576kB/nr_hugepages");
	assert_int_equal(k.max, 16);
	assert_non_null(strstr(k.persist, "hugepagesz="));
	/* The default size is vm.nr_hugepages. */
	assert_int_equal(mt_knob_lookup("hugepages-2048kB.nr_hugepages",
					16 * GIB, &k),
			 0);
	assert_string_equal(k.name, "vm.nr_hugepages");
	assert_int_equal(k.max, 8192);
	/* Not knobs. */
	assert_int_equal(mt_knob_lookup("kernel.core_pattern", 0, &k), -ENOENT);
	assert_int_equal(mt_knob_lookup("vm.swappiness ", 0, &k), -ENOENT);
	assert_int_equal(mt_knob_lookup("hugepages-3000kB.nr_hugepages", 0, &k),
			 -ENOENT);
	assert_int_equal(mt_knob_lookup("hugepages-2048kB/../x", 0, &k),
			 -ENOENT);
	assert_int_equal(mt_knob_lookup(NULL, 0, &k), -ENOENT);
}

static void test_lookup_by_path(void **state)
{
	struct mt_knob k;

	(void)state;
	assert_int_equal(mt_knob_lookup_path("/proc/sys/vm/min_free_kbytes",
					     4 * GIB, &k),
			 0);
	assert_string_equal(k.name, "vm.min_free_kbytes");
	assert_int_equal(k.max, 4 << 20);
	assert_int_equal(mt_knob_lookup_path("/sys/kernel/mm/hugepages/"
					     "hugepages-2048kB/nr_hugepages",
					     0, &k),
			 0);
	assert_int_equal(mt_knob_lookup_path("/proc/sys/vm/../kernel/x", 0, &k),
			 -ENOENT);
	assert_int_equal(mt_knob_lookup_path("/proc/sys/vm//swappiness", 0, &k),
			 -ENOENT);
	assert_int_equal(mt_knob_lookup_path("/etc/shadow", 0, &k), -ENOENT);
	assert_true(mt_path_is_clean("/a/b"));
	assert_false(mt_path_is_clean("/a/./b"));
	assert_false(mt_path_is_clean("/a/b/"));
	assert_false(mt_path_is_clean("a/b"));
}

static void test_values_checked(void **state)
{
	struct mt_knob k;
	char why[200];

	(void)state;
	assert_int_equal(mt_knob_lookup("vm.swappiness", 0, &k), 0);
	assert_true(mt_knob_check(&k, "0", why, sizeof(why)));
	assert_true(mt_knob_check(&k, "200", why, sizeof(why)));
	assert_false(mt_knob_check(&k, "250", why, sizeof(why)));
	assert_non_null(strstr(why, "outside 0..200"));
	assert_false(mt_knob_check(&k, "-5", why, sizeof(why)));
	assert_false(mt_knob_check(&k, "10 ", why, sizeof(why)));
	assert_false(mt_knob_check(&k, "1e1", why, sizeof(why)));
	assert_false(mt_knob_check(&k, "", why, sizeof(why)));
	assert_false(mt_knob_check(&k, "99999999999999999999", why,
				   sizeof(why)));
	assert_int_equal(mt_knob_lookup("vm.watermark_scale_factor", 0, &k), 0);
	assert_false(mt_knob_check(&k, "0", why, sizeof(why)));
	assert_true(mt_knob_check(&k, "3000", why, sizeof(why)));
	assert_int_equal(mt_knob_lookup("vm.min_free_kbytes", GIB, &k), 0);
	assert_true(mt_knob_check(&k, "1048576", why, sizeof(why)));
	assert_false(mt_knob_check(&k, "1048577", why, sizeof(why)));
	assert_int_equal(mt_knob_lookup("vm.dirty_bytes", GIB, &k), 0);
	assert_true(mt_knob_check(&k, "0", why, sizeof(why)));
	assert_false(mt_knob_check(&k, "4096", why, sizeof(why)));
	assert_non_null(strstr(why, "two pages"));
	assert_int_equal(mt_knob_lookup("transparent_hugepage.defrag", 0, &k),
			 0);
	assert_true(mt_knob_check(&k, "defer+madvise", why, sizeof(why)));
	assert_false(mt_knob_check(&k, "[madvise]", why, sizeof(why)));
	assert_non_null(strstr(why, "not one of"));
}

/* The state directory: made 0700, refused when others can write it or
 * its parent; one lock holder at a time, named to the next. */
static void test_state_dir_and_lock(void **state)
{
	char root[64] = "/tmp/mt-test-state-XXXXXX", dir[128], sub[160];
	struct mt_err err = { 0 };
	struct stat st;
	int fd = -1, fd2 = -1;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(dir, sizeof(dir), "%s/a/state", root);
	assert_int_equal(mt_state_dir_prepare(dir, &err), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);

	assert_int_equal(mt_state_lock(dir, "run", &fd, &err), 0);
	assert_true(fd >= 0);
	assert_int_equal(mt_state_lock(dir, "apply", &fd2, &err), -EBUSY);
	assert_int_equal(fd2, -1);
	assert_non_null(strstr(err.msg, "memtune run, pid"));
	assert_non_null(strstr(err.msg, "apply: another memtune"));
	mt_state_unlock(fd);
	assert_int_equal(mt_state_lock(dir, "apply", &fd2, &err), 0);
	mt_state_unlock(fd2);

	assert_int_equal(chmod(dir, 0770), 0);
	assert_int_equal(mt_state_dir_check(dir, &err), -EPERM);
	assert_non_null(strstr(err.msg, "chmod 700"));
	assert_int_equal(chmod(dir, 0700), 0);
	/* A parent others can write (not sticky) could swap it. */
	snprintf(sub, sizeof(sub), "%s/a", root);
	assert_int_equal(chmod(sub, 0777), 0);
	assert_int_equal(mt_state_dir_check(dir, &err), -EPERM);
	assert_non_null(strstr(err.msg, "not sticky"));
	assert_int_equal(chmod(sub, 01777), 0);
	assert_int_equal(mt_state_dir_check(dir, &err), 0);
	assert_int_equal(chmod(sub, 0755), 0);
	/* A link in its place. */
	snprintf(sub, sizeof(sub), "%s/link", root);
	assert_int_equal(symlink(dir, sub), 0);
	assert_int_equal(mt_state_dir_check(sub, &err), -EPERM);
	assert_non_null(strstr(err.msg, "symbolic link"));
	mt_test_remove_tree(root);
}

static void test_state_dir_path(void **state)
{
	struct mt_err err = { 0 };
	char buf[256];

	(void)state;
	setenv("MEMTUNE_STATE_DIR", "/srv/state/", 1);
	assert_int_equal(mt_state_dir_path(buf, sizeof(buf), &err), 0);
	assert_string_equal(buf, "/srv/state");
	setenv("MEMTUNE_STATE_DIR", "relative", 1);
	assert_int_equal(mt_state_dir_path(buf, sizeof(buf), &err), -EINVAL);
	assert_int_equal(err.kind, MT_ERR_INPUT);
	unsetenv("MEMTUNE_STATE_DIR");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_by_name),
		cmocka_unit_test(test_lookup_by_path),
		cmocka_unit_test(test_values_checked),
		cmocka_unit_test(test_state_dir_and_lock),
		cmocka_unit_test(test_state_dir_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
