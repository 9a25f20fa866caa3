/* Unit tests for core/rundir.c: naming and creating run directories,
 * appending records, the atomic meta.json and the /proc snapshots (read
 * from a fake MEMTUNE_FSROOT tree).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../core/record.h"
#include "../../core/rundir.h"
#include "helpers/fake_tree.h"
#include "helpers/fixtures.h"

struct tmp {
	char dir[MT_TEST_DIR_LEN]; /* first: see mt_test_dir_state */
};

static int setup_tmp(void **state)
{
	struct tmp *t = mt_test_dir_state(sizeof(*t), "rundir");

	if (!t)
		return -1;
	*state = t;
	return 0;
}

static int teardown_tmp(void **state)
{
	return mt_test_dir_teardown(state);
}

static bool is_dir(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static bool exists(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) == 0;
}

/* Reads a whole small file into buf (NUL-terminated); returns its length
 * or -1. */
static long slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return (long)n;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* The HOST-YYYYmmdd-HHMMSS name the writer gives at time t. */
static void name_at(time_t t, char *buf, size_t len)
{
	char host[256] = "", stamp[32];
	struct tm tm;

	assert_int_equal(gethostname(host, sizeof(host) - 1), 0);
	for (char *p = host; *p; p++)
		if (*p == '/')
			*p = '_';
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	snprintf(buf, len, "%s-%s", host, stamp);
}

/* The parent is created like mkdir -p, the run directory gets the
 * HOST-YYYYmmdd-HHMMSS name, snapshots/ and an empty results.jsonl. */
static void test_create_default_name(void **state)
{
	struct tmp *t = *state;
	struct mt_rundir *rd = NULL;
	struct mt_err err = { 0 };
	char parent[128], path[512], want_lo[300], want_hi[300];
	const char *base;
	time_t before = time(NULL), after;
	struct stat sb;

	snprintf(parent, sizeof(parent), "%s/a/b/c", t->dir);
	assert_int_equal(mt_rundir_create(parent, NULL, &rd, &err), 0);
	after = time(NULL);
	assert_non_null(rd);
	assert_true(is_dir(mt_rundir_path(rd)));
	assert_memory_equal(mt_rundir_path(rd), parent, strlen(parent));
	base = mt_rundir_path(rd) + strlen(parent) + 1;
	name_at(before, want_lo, sizeof(want_lo));
	name_at(after, want_hi, sizeof(want_hi));
	assert_true(strcmp(base, want_lo) >= 0 && strcmp(base, want_hi) <= 0);
	assert_int_equal(strlen(base), strlen(want_lo));

	snprintf(path, sizeof(path), "%s/snapshots", mt_rundir_path(rd));
	assert_true(is_dir(path));
	snprintf(path, sizeof(path), "%s/results.jsonl", mt_rundir_path(rd));
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_size, 0);
	mt_rundir_close(rd);
}

/* Two runs in the same second never share a directory. */
static void test_create_twice(void **state)
{
	struct tmp *t = *state;
	struct mt_rundir *r1 = NULL, *r2 = NULL;
	struct mt_err err = { 0 };
	const char *p1, *p2;
	size_t l1;

	assert_int_equal(mt_rundir_create(t->dir, NULL, &r1, &err), 0);
	assert_int_equal(mt_rundir_create(t->dir, NULL, &r2, &err), 0);
	p1 = mt_rundir_path(r1);
	p2 = mt_rundir_path(r2);
	l1 = strlen(p1);
	assert_string_not_equal(p1, p2);
	/* within one second the second gets "-2"; across a second boundary
	 * it has a later name of its own */
	if (strncmp(p1, p2, l1) == 0)
		assert_string_equal(p2 + l1, "-2");
	else
		assert_true(strcmp(p2, p1) > 0);
	mt_rundir_close(r1);
	mt_rundir_close(r2);
}

/* With the plain and the -2 names of every second of the next minute
 * taken, the writer must go on to -3 (deterministic, whatever the clock
 * does while the test runs). */
static void test_create_suffix(void **state)
{
	struct tmp *t = *state;
	struct mt_rundir *rd = NULL;
	struct mt_err err = { 0 };
	char name[300], path[512];
	time_t now = time(NULL);
	const char *got;
	size_t plen = strlen(t->dir) + 1;

	for (time_t s = now - 1; s <= now + 60; s++) {
		name_at(s, name, sizeof(name));
		snprintf(path, sizeof(path), "%s/%s", t->dir, name);
		assert_int_equal(mkdir(path, 0755), 0);
		snprintf(path, sizeof(path), "%s/%s-2", t->dir, name);
		assert_int_equal(mkdir(path, 0755), 0);
	}
	assert_int_equal(mt_rundir_create(t->dir, NULL, &rd, &err), 0);
	got = mt_rundir_path(rd);
	assert_int_equal(strlen(got), plen + strlen(name) + 2);
	assert_string_equal(got + strlen(got) - 2, "-3");
	mt_rundir_close(rd);
}

/* -o DIR that exists is refused as an input error; one that does not is
 * created with its parents. */
static void test_create_exact(void **state)
{
	struct tmp *t = *state;
	struct mt_rundir *rd = NULL;
	struct mt_err err = { 0 };
	char path[256], expect[512], file[300];

	snprintf(path, sizeof(path), "%s/x/run1", t->dir);
	assert_int_equal(mt_rundir_create("/nonexistent-ignored", path, &rd,
					  &err),
			 0);
	assert_string_equal(mt_rundir_path(rd), path);
	snprintf(file, sizeof(file), "%s/snapshots", path);
	assert_true(is_dir(file));
	mt_rundir_close(rd);
	rd = NULL;

	assert_int_equal(mt_rundir_create(NULL, path, &rd, &err), -EEXIST);
	assert_null(rd);
	assert_int_equal(err.kind, MT_ERR_INPUT);
	snprintf(expect, sizeof(expect),
		 "run directory '%s' exists; a new run never overwrites an "
		 "old one",
		 path);
	assert_string_equal(err.msg, expect);

	/* a trailing slash names the same directory */
	snprintf(file, sizeof(file), "%s/", path);
	assert_int_equal(mt_rundir_create(NULL, file, &rd, &err), -EEXIST);
	assert_string_equal(err.msg, expect);
}

/* A parent that is a file cannot hold a run directory. */
static void test_create_parent_is_file(void **state)
{
	struct tmp *t = *state;
	struct mt_rundir *rd = NULL;
	struct mt_err err = { 0 };
	char file[128], parent[160];

	snprintf(file, sizeof(file), "%s/plain", t->dir);
	write_text(file, "x");
	assert_true(mt_rundir_create(file, NULL, &rd, &err) < 0);
	assert_null(rd);
	assert_int_equal(err.kind, MT_ERR_INPUT);
	assert_non_null(strstr(err.msg, file));

	snprintf(parent, sizeof(parent), "%s/sub", file);
	assert_int_equal(mt_rundir_create(parent, NULL, &rd, &err), -ENOTDIR);
	assert_int_equal(err.kind, MT_ERR_INPUT);
	assert_non_null(strstr(err.msg, "Not a directory"));
}

static int count_record(json_t *rec, int line, void *arg)
{
	int *n = arg;

	(void)rec;
	(*n)++;
	return line == *n ? 0 : -1;
}

static void count_bad(const char *msg, void *arg)
{
	(void)arg;
	fail_msg("unexpected bad line: %s", msg);
}

/* Records appended one by one come back whole, one per line. */
static void test_append_read_back(void **state)
{
	struct tmp *t = *state;
	struct mt_rundir *rd = NULL;
	struct mt_err err = { 0 };
	const char *want =
		"{\"schema_version\":1,\"bench\":\"tlb\","
		"\"status\":\"skipped\",\"reason\":\"needs root\"}\n"
		"{\"schema_version\":1,\"bench\":\"swap\",\"variant\":\"zram\","
		"\"status\":\"failed\",\"reason\":\"line\\nbreak\"}\n"
		"{\"bench\":\"numa\",\"status\":\"skipped\","
		"\"reason\":\"one node\"}\n";
	char path[256], buf[4096];
	json_t *rec;
	int n = 0;

	snprintf(path, sizeof(path), "%s/run", t->dir);
	assert_int_equal(mt_rundir_create(NULL, path, &rd, &err), 0);
	rec = mt_record_status("tlb", NULL, NULL, "skipped", "needs root");
	assert_int_equal(mt_rundir_append(rd, rec, &err), 0);
	json_decref(rec);
	rec = mt_record_status("swap", "zram", NULL, "failed", "line\nbreak");
	assert_int_equal(mt_rundir_append(rd, rec, &err), 0);
	json_decref(rec);
	assert_int_equal(mt_rundir_append_line(
				 rd,
				 "{\"bench\":\"numa\",\"status\":\"skipped\","
				 "\"reason\":\"one node\"}",
				 &err),
			 0);

	snprintf(path, sizeof(path), "%s/run/results.jsonl", t->dir);
	assert_true(slurp(path, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, want);
	assert_int_equal(mt_records_read(path, count_record, count_bad, &n,
					 &err),
			 0);
	assert_int_equal(n, 3);

	/* a raw newline would split a record: refused, nothing written */
	assert_int_equal(mt_rundir_append_line(rd, "{}\n{}", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "newline"));
	assert_int_equal(mt_rundir_append(rd, NULL, &err), -EINVAL);
	assert_int_equal(slurp(path, buf, sizeof(buf)), strlen(want));
	mt_rundir_close(rd);
}

/* A batch of records goes out as whole lines, in order, after what was
 * there; an empty batch writes nothing. */
static void test_append_many(void **state)
{
	struct tmp *t = *state;
	struct mt_rundir *rd = NULL;
	struct mt_err err = { 0 };
	const char *want = "{\"a\":1}\n"
			   "{\"b\":\"x\\ny\"}\n"
			   "{\"c\":[1,2]}\n"
			   "{\"d\":null}\n";
	char path[256], buf[4096];
	json_t *batch;

	snprintf(path, sizeof(path), "%s/run", t->dir);
	assert_int_equal(mt_rundir_create(NULL, path, &rd, &err), 0);
	assert_int_equal(mt_rundir_append_line(rd, "{\"a\":1}", &err), 0);
	batch = json_array();
	assert_int_equal(mt_rundir_append_many(rd, batch, &err), 0);
	json_array_append_new(batch, json_pack("{s:s}", "b", "x\ny"));
	json_array_append_new(batch, json_pack("{s:[i,i]}", "c", 1, 2));
	json_array_append_new(batch, json_pack("{s:n}", "d"));
	assert_int_equal(mt_rundir_append_many(rd, batch, &err), 0);
	json_decref(batch);
	snprintf(path, sizeof(path), "%s/run/results.jsonl", t->dir);
	assert_true(slurp(path, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, want);
	mt_rundir_close(rd);
}

/* meta.json keeps key order, is indented, replaces the old version whole
 * and leaves no temporary file; without schema_version it is refused and
 * the old file stays. */
static void test_write_meta(void **state)
{
	struct tmp *t = *state;
	struct mt_rundir *rd = NULL;
	struct mt_err err = { 0 };
	char path[256], meta_path[300], tmp_path[300], buf[4096];
	char victim[300];
	json_t *meta, *back;

	snprintf(path, sizeof(path), "%s/run", t->dir);
	assert_int_equal(mt_rundir_create(NULL, path, &rd, &err), 0);
	snprintf(meta_path, sizeof(meta_path), "%s/meta.json", path);
	snprintf(tmp_path, sizeof(tmp_path), "%s/meta.json.tmp", path);

	meta = json_pack("{s:i,s:s,s:s}", "schema_version",
			 MT_META_SCHEMA_VERSION, "zeta", "first", "alpha",
			 "second");
	assert_int_equal(mt_rundir_write_meta(rd, meta, &err), 0);
	assert_true(slurp(meta_path, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "{\n  \"schema_version\": 1,\n"
				 "  \"zeta\": \"first\",\n"
				 "  \"alpha\": \"second\"\n}\n");
	assert_false(exists(tmp_path));

	json_object_set_new(meta, "state", json_string("complete"));
	assert_int_equal(mt_rundir_write_meta(rd, meta, &err), 0);
	back = json_load_file(meta_path, 0, NULL);
	assert_non_null(back);
	assert_true(json_equal(back, meta));
	json_decref(back);
	assert_false(exists(tmp_path));

	/* A link planted under the old temporary name is not written
	 * through (the temporary's name is unpredictable now), and one
	 * planted as meta.json itself is refused by name. */
	snprintf(victim, sizeof(victim), "%s/victim", t->dir);
	write_text(victim, "precious");
	assert_int_equal(symlink(victim, tmp_path), 0);
	assert_int_equal(mt_rundir_write_meta(rd, meta, &err), 0);
	assert_true(slurp(victim, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "precious");
	unlink(meta_path);
	assert_int_equal(symlink(victim, meta_path), 0);
	assert_int_equal(mt_rundir_write_meta(rd, meta, &err), -EPERM);
	assert_non_null(strstr(err.msg, meta_path));
	assert_true(slurp(victim, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "precious");
	unlink(meta_path);
	assert_int_equal(mt_rundir_write_meta(rd, meta, &err), 0);

	json_object_del(meta, "schema_version");
	assert_int_equal(mt_rundir_write_meta(rd, meta, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "schema_version"));
	back = json_load_file(meta_path, 0, NULL);
	assert_non_null(back);
	assert_string_equal(json_string_value(json_object_get(back, "state")),
			    "complete");
	json_decref(back);
	json_decref(meta);
	mt_rundir_close(rd);
}

/* Builds a fake /proc under root with every snapshot file but
 * pressure/memory (a kernel without PSI). */
static void fake_proc(const char *root)
{
	static const char *const files[] = { "meminfo", "vmstat", "zoneinfo",
					     "buddyinfo" };
	char path[256], text[64];

	snprintf(path, sizeof(path), "%s/proc", root);
	assert_int_equal(mkdir(root, 0755), 0);
	assert_int_equal(mkdir(path, 0755), 0);
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/proc/%s", root, files[i]);
		snprintf(text, sizeof(text), "fake %s 42\n", files[i]);
		write_text(path, text);
	}
}

static void test_snapshot(void **state)
{
	struct tmp *t = *state;
	struct mt_rundir *rd = NULL;
	struct mt_err err = { 0 };
	char root[128], run[128], path[256], buf[4096], victim[256];

	snprintf(root, sizeof(root), "%s/root", t->dir);
	fake_proc(root);
	assert_int_equal(setenv("MEMTUNE_FSROOT", root, 1), 0);
	snprintf(run, sizeof(run), "%s/run", t->dir);
	assert_int_equal(mt_rundir_create(NULL, run, &rd, &err), 0);

	assert_int_equal(mt_rundir_snapshot(rd, "tlb:hugetlb", "before", &err),
			 0);
	snprintf(path, sizeof(path), "%s/snapshots/tlb:hugetlb.before.meminfo",
		 run);
	assert_true(slurp(path, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "fake meminfo 42\n");
	snprintf(path, sizeof(path),
		 "%s/snapshots/tlb:hugetlb.before.buddyinfo", run);
	assert_true(slurp(path, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "fake buddyinfo 42\n");
	snprintf(path, sizeof(path),
		 "%s/snapshots/tlb:hugetlb.before.pressure-memory", run);
	assert_false(exists(path));
	snprintf(path, sizeof(path), "%s/snapshots/tlb:hugetlb.before.missing",
		 run);
	assert_true(slurp(path, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "pressure-memory: "));
	assert_non_null(strstr(buf, "/proc/pressure/memory"));
	assert_null(strstr(buf, "meminfo"));
	/* one line: only PSI is missing */
	assert_ptr_equal(strchr(buf, '\n'), buf + strlen(buf) - 1);

	/* with PSI present, nothing is missing and no note is written */
	snprintf(path, sizeof(path), "%s/proc/pressure", root);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/proc/pressure/memory", root);
	write_text(path, "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
	assert_int_equal(mt_rundir_snapshot(rd, "tlb", "after", &err), 0);
	snprintf(path, sizeof(path), "%s/snapshots/tlb.after.pressure-memory",
		 run);
	assert_true(slurp(path, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "total=0"));
	snprintf(path, sizeof(path), "%s/snapshots/tlb.after.missing", run);
	assert_false(exists(path));

	/* tags become file names: no slashes */
	assert_int_equal(mt_rundir_snapshot(rd, "../x", "before", &err),
			 -EINVAL);
	assert_int_equal(mt_rundir_snapshot(rd, "tlb", "", &err), -EINVAL);

	/* A link planted among the snapshots is refused, not followed. */
	snprintf(victim, sizeof(victim), "%s/victim", t->dir);
	write_text(victim, "precious");
	snprintf(path, sizeof(path), "%s/snapshots/oom.before.meminfo", run);
	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(mt_rundir_snapshot(rd, "oom", "before", &err), -EPERM);
	assert_non_null(strstr(err.msg, path));
	assert_true(slurp(victim, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "precious");
	mt_rundir_close(rd);
}

/* The run directory is reached through the descriptor made when it was
 * created: renamed away and replaced by someone else's directory full of
 * links, the run still writes only into its own. */
static void test_swapped_run_dir(void **state)
{
	struct tmp *t = *state;
	struct mt_rundir *rd = NULL;
	struct mt_err err = { 0 };
	char run[128], moved[128], path[256], victim[256], buf[64];
	json_t *meta = json_pack("{s:i}", "schema_version",
				 MT_META_SCHEMA_VERSION);

	snprintf(run, sizeof(run), "%s/run", t->dir);
	snprintf(moved, sizeof(moved), "%s/moved", t->dir);
	snprintf(victim, sizeof(victim), "%s/victim", t->dir);
	write_text(victim, "precious");
	assert_int_equal(mt_rundir_create(NULL, run, &rd, &err), 0);
	assert_int_equal(rename(run, moved), 0);
	assert_int_equal(mkdir(run, 0755), 0);
	snprintf(path, sizeof(path), "%s/meta.json", run);
	assert_int_equal(symlink(victim, path), 0);
	snprintf(path, sizeof(path), "%s/meta.json.tmp", run);
	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(mt_rundir_write_meta(rd, meta, &err), 0);
	assert_int_equal(mt_rundir_append_line(rd, "{}", &err), 0);
	assert_true(slurp(victim, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "precious");
	snprintf(path, sizeof(path), "%s/meta.json", moved);
	assert_true(exists(path));
	json_decref(meta);
	mt_rundir_close(rd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_default_name,
						setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_create_twice, setup_tmp,
						teardown_tmp),
		cmocka_unit_test_setup_teardown(test_create_suffix, setup_tmp,
						teardown_tmp),
		cmocka_unit_test_setup_teardown(test_create_exact, setup_tmp,
						teardown_tmp),
		cmocka_unit_test_setup_teardown(test_create_parent_is_file,
						setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_append_read_back,
						setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_append_many, setup_tmp,
						teardown_tmp),
		cmocka_unit_test_setup_teardown(test_write_meta, setup_tmp,
						teardown_tmp),
		cmocka_unit_test_setup_teardown(test_swapped_run_dir, setup_tmp,
						teardown_tmp),
		cmocka_unit_test_setup_teardown(test_snapshot, setup_tmp,
						teardown_tmp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
