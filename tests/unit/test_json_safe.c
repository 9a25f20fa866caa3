/* Unit tests for core/json_safe.c (jansson's out-of-memory corruption kept
 * out) and the fsroot readers' memory of a resource failure, which
 * mt_sysinfo_collect uses to refuse describing another machine. The
 * out-of-memory paths themselves are exercised by tests/faultinj, which
 * fails malloc inside jansson call by call; these pin the ordinary
 * behaviour and the error codes callers test.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../core/fsroot.h"
#include "../../core/json_safe.h"

/* A document survives mt_json_dumps and mt_json_loadb unchanged. */
static void test_round_trip(void **state)
{
	json_t *doc = json_pack("{s:s, s:[i, f, b], s:{s:n}}", "path",
				"/proc/sys/vm/dirty_ratio", "list", 40, 0.25, 1,
				"nested", "none");
	json_error_t jerr;
	json_t *back;
	char *text;

	(void)state;
	assert_non_null(doc);
	text = mt_json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_non_null(text);
	assert_string_equal(text,
			    "{\"path\":\"/proc/sys/vm/dirty_ratio\","
			    "\"list\":[40,0.25,true],\"nested\":{\"none\":"
			    "null}}");
	back = mt_json_loadb(text, strlen(text), 0, &jerr);
	assert_non_null(back);
	assert_true(json_equal(doc, back));
	json_decref(back);
	free(text);
	json_decref(doc);
	assert_int_equal(mt_json_alloc_failures(), 0);
}

/* A syntax error is jansson's, with its line: not out of memory. */
static void test_syntax_error_is_not_oom(void **state)
{
	const char bad[] = "{\"op\":\"write\",\":\"/x\"}";
	json_error_t jerr;

	(void)state;
	assert_null(mt_json_loadb(bad, strlen(bad), 0, &jerr));
	assert_int_equal(jerr.line, 1);
	assert_int_not_equal(json_error_code(&jerr), json_error_out_of_memory);
}

/* mt_json_load_file reads a file; a missing one is jansson's error. */
static void test_load_file(void **state)
{
	char path[] = "/tmp/memtune-json-safe.XXXXXX";
	json_error_t jerr;
	json_t *doc;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "[1,2]\n", 6), 6);
	close(fd);
	doc = mt_json_load_file(path, 0, &jerr);
	assert_non_null(doc);
	assert_int_equal(json_array_size(doc), 2);
	json_decref(doc);
	unlink(path);
	assert_null(mt_json_load_file(path, 0, &jerr));
	assert_int_not_equal(json_error_code(&jerr), json_error_out_of_memory);
}

/* An absent file is not a resource failure; running out of file
 * descriptors is, and the first one is remembered until reset. */
static void test_fs_resource_error(void **state)
{
	struct rlimit old, low;
	struct mt_err err = { 0 };
	char buf[64];
	int fd;

	(void)state;
	mt_fs_resource_reset();
	assert_true(mt_fs_read_line("/nonexistent/memtune", buf, sizeof(buf),
				    NULL) < 0);
	assert_int_equal(mt_fs_resource_error(&err), 0);

	/* Use up the descriptors below a limit just above those open. */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	fd = dup(0);
	assert_true(fd >= 0);
	low = old;
	low.rlim_cur = (rlim_t)fd;
	close(fd);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	while (dup(0) >= 0)
		;
	assert_true(mt_fs_read_line("/proc/meminfo", buf, sizeof(buf), NULL) <
		    0);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_int_equal(mt_fs_resource_error(&err), -EMFILE);
	assert_non_null(strstr(err.msg, "cannot read /proc/meminfo"));
	mt_fs_resource_reset();
	assert_int_equal(mt_fs_resource_error(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_syntax_error_is_not_oom),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_fs_resource_error),
	};

	mt_json_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
