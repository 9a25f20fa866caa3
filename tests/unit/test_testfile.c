/* Tests of bench/kit/testfile.c (the test files of the file I/O benchmarks) and
 * of the plans of bench/odirect.c and bench/pagecache.c: the filesystem
 * check and its refusal of tmpfs, creation of a non-zero file that is never
 * written over an existing one, journaled creation that playback removes,
 * residency after creating, reading and evicting (cachestat and mincore
 * must agree), O_DIRECT alignment and probing, the logical block size of a
 * partition through a captured /sys tree, latency percentiles, and the
 * cases the benchmarks expand their configuration to. Nothing depends on
 * timing. Temporary files go under /tmp, or /var/tmp when /tmp is tmpfs
 * (a tmpfs file has no disk behind it and is never evicted).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../bench/bench.h"
#include "../../bench/kit/folio.h"
#include "../../bench/kit/testfile.h"
#include "../../core/config.h"
#include "../../core/journal.h"

extern const struct mt_bench mt_bench_odirect;
extern const struct mt_bench mt_bench_pagecache;

#define TMPFS_MAGIC_ 0x01021994L

static char workdir[256];

static bool on_tmpfs(const char *dir)
{
	struct statfs sf;

	return statfs(dir, &sf) == 0 &&
	       (unsigned long)sf.f_type == (unsigned long)TMPFS_MAGIC_;
}

/* Makes a fresh directory on a disk filesystem for one test. */
static int setup_dir(void **state)
{
	const char *base = on_tmpfs("/tmp") ? "/var/tmp" : "/tmp";

	(void)state;
	snprintf(workdir, sizeof(workdir), "%s/mt-testfile-XXXXXX", base);
	if (!mkdtemp(workdir))
		return -1;
	return 0;
}

static int teardown_dir(void **state)
{
	char cmd[4200];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", workdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void path_in(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", workdir, name);
}

static void test_fs_type_name(void **state)
{
	(void)state;
	assert_string_equal(mt_fs_type_name(0xEF53), "ext4");
	assert_string_equal(mt_fs_type_name(0x01021994), "tmpfs");
	assert_string_equal(mt_fs_type_name(0x58465342), "xfs");
	assert_string_equal(mt_fs_type_name(12345), "unknown");
}

static void test_check_dir_refuses_tmpfs(void **state)
{
	struct mt_err err = { 0 };
	char fstype[64] = "";

	(void)state;
	if (!on_tmpfs("/dev/shm"))
		skip();
	assert_int_equal(mt_testfile_check_dir("pagecache", "/dev/shm", fstype,
					       sizeof(fstype), &err),
			 -EOPNOTSUPP);
	assert_int_equal(err.kind, MT_ERR_INPUT);
	assert_string_equal(fstype, "tmpfs");
	assert_non_null(strstr(err.msg, "pagecache: test directory "
					"'/dev/shm' is on tmpfs"));
	assert_non_null(strstr(err.msg, "no disk behind it"));
	assert_non_null(strstr(err.msg, "--set pagecache.dir="));
}

static void test_check_dir_missing(void **state)
{
	struct mt_err err = { 0 };
	char path[4200];

	(void)state;
	path_in(path, sizeof(path), "absent");
	assert_int_equal(mt_testfile_check_dir("odirect", path, NULL, 0, &err),
			 -ENOENT);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "No such file"));
	assert_non_null(strstr(err.msg, "odirect.dir"));
}

static void test_check_dir_not_a_directory(void **state)
{
	struct mt_err err = { 0 };
	char path[4200];
	int fd;

	(void)state;
	path_in(path, sizeof(path), "plain");
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(mt_testfile_check_dir("odirect", path, NULL, 0, &err),
			 -ENOTDIR);
}

static void test_check_dir_accepts_disk(void **state)
{
	struct mt_err err = { 0 };
	char fstype[64] = "";

	(void)state;
	assert_int_equal(mt_testfile_check_dir("pagecache", workdir, fstype,
					       sizeof(fstype), &err),
			 0);
	assert_string_not_equal(fstype, "tmpfs");
	assert_string_not_equal(fstype, "");
}

static void test_path(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(mt_testfile_path("", "/run/dir", "f.data", buf,
					  sizeof(buf)),
			 0);
	assert_string_equal(buf, "/run/dir/f.data");
	assert_int_equal(mt_testfile_path("/disk", "/run/dir", "f.data", buf,
					  sizeof(buf)),
			 0);
	assert_string_equal(buf, "/disk/f.data");
	assert_int_equal(mt_testfile_path(NULL, "/r", "f", buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "/r/f");
	assert_int_equal(mt_testfile_path("/a/very/long/directory/name/that/"
					  "does/not/fit",
					  "/r", "file.data", buf, 16),
			 -ENAMETOOLONG);
}

static void residency_both(int fd, uint64_t len, double *cs, double *mc)
{
	struct mt_err err = { 0 };
	const char *used = NULL;

	assert_int_equal(mt_testfile_residency(fd, 0, len, MT_RES_MINCORE, mc,
					       &used, &err),
			 0);
	assert_string_equal(used, "mincore");
	int ret = mt_testfile_residency(fd, 0, len, MT_RES_CACHESTAT, cs, &used,
					&err);

	if (ret == -ENOSYS || ret == -EPERM) {
		*cs = *mc; /* kernel < 6.5: mincore is all there is */
		return;
	}
	assert_int_equal(ret, 0);
	assert_string_equal(used, "cachestat");
}

static void read_range(int fd, uint64_t off, uint64_t len)
{
	char buf[65536];

	for (uint64_t o = off; o < off + len; o += sizeof(buf))
		assert_int_equal(pread(fd, buf, sizeof(buf), (off_t)o),
				 (ssize_t)sizeof(buf));
}

static void test_create_read_evict_residency(void **state)
{
	const uint64_t size = 8 << 20;
	struct mt_err err = { 0 };
	char path[4200];
	double cs, mc, left = -1;
	struct stat st;
	int fd;

	(void)state;
	path_in(path, sizeof(path), "res.data");
	assert_int_equal(mt_testfile_create(path, size, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal((uint64_t)st.st_size, size);
	/* Not sparse: every block is allocated. */
	assert_true((uint64_t)st.st_blocks * 512 >= size);

	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	/* Creation leaves the file evicted. */
	residency_both(fd, size, &cs, &mc);
	assert_true(mc < 0.01);
	assert_true(cs < 0.01);

	/* Half read without readahead: exactly half resident. */
	assert_int_equal(posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM), 0);
	read_range(fd, 0, size / 2);
	residency_both(fd, size, &cs, &mc);
	assert_true(fabs(mc - 0.5) < 1e-9);
	assert_true(fabs(cs - 0.5) < 1e-9);
	assert_int_equal(posix_fadvise(fd, 0, 0, POSIX_FADV_NORMAL), 0);

	read_range(fd, 0, size);
	residency_both(fd, size, &cs, &mc);
	assert_true(mc > 0.999);
	assert_true(cs > 0.999);

	assert_int_equal(mt_testfile_evict(fd, size, &left, &err), 0);
	assert_true(left < 0.01);
	residency_both(fd, size, &cs, &mc);
	assert_true(mc < 0.01);
	assert_true(cs < 0.01);
	close(fd);
}

/* Dirty pages as cachestat(2) counts them: a quarter of the file written
 * and not yet synced is a quarter dirty (or under writeback); after fsync
 * none is. Skipped on kernels without cachestat (< 6.5). */
static void test_dirty_fraction(void **state)
{
	const uint64_t size = 4 << 20;
	struct mt_err err = { 0 };
	char path[4200], buf[65536];
	double dirty = -1;
	int fd, ret;

	(void)state;
	path_in(path, sizeof(path), "dirty.data");
	assert_int_equal(mt_testfile_create(path, size, &err), 0);
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	ret = mt_testfile_dirty(fd, 0, size, &dirty);
	if (ret == -ENOSYS || ret == -EPERM) {
		close(fd);
		skip();
	}
	assert_int_equal(ret, 0);
	assert_true(dirty < 1e-9);
	memset(buf, 0x5a, sizeof(buf));
	for (uint64_t o = 0; o < size / 4; o += sizeof(buf))
		assert_int_equal(pwrite(fd, buf, sizeof(buf), (off_t)o),
				 (ssize_t)sizeof(buf));
	assert_int_equal(mt_testfile_dirty(fd, 0, size, &dirty), 0);
	/* At most a quarter; not nothing (the flusher writes back pages
	 * older than dirty_expire_centisecs, seconds; only another
	 * process's heavy writing could start it sooner, so the lower
	 * bound is loose). */
	assert_true(dirty <= 0.25 + 1e-9);
	assert_true(dirty > 0.0);
	/* The range is what counts: the unwritten half has none. */
	assert_int_equal(mt_testfile_dirty(fd, size / 2, size / 2, &dirty), 0);
	assert_true(dirty < 1e-9);
	assert_int_equal(fsync(fd), 0);
	assert_int_equal(mt_testfile_dirty(fd, 0, size, &dirty), 0);
	assert_true(dirty < 1e-9);
	close(fd);
}

static void test_created_data_is_nonzero(void **state)
{
	struct mt_err err = { 0 };
	unsigned char buf[65536];
	char path[4200];
	ssize_t r, total = 0;
	int fd;

	(void)state;
	path_in(path, sizeof(path), "nz.data");
	/* An odd size: the last chunk is partial. */
	assert_int_equal(mt_testfile_create(path, (1 << 20) + 4100, &err), 0);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < r; i++)
			assert_int_not_equal(buf[i], 0);
		total += r;
	}
	assert_int_equal(total, (1 << 20) + 4100);
	close(fd);
}

static void test_create_never_overwrites(void **state)
{
	struct mt_err err = { 0 };
	char path[4200], buf[8] = "";
	int fd;

	(void)state;
	path_in(path, sizeof(path), "theirs");
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "mine", 4), 4);
	close(fd);
	assert_int_equal(mt_testfile_create(path, 1 << 20, &err), -EEXIST);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "File exists"));
	fd = open(path, O_RDONLY);
	assert_int_equal(read(fd, buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "mine", 4);
	close(fd);
}

static void test_create_refuses_without_space(void **state)
{
	struct mt_err err = { 0 };
	char path[4200];

	(void)state;
	path_in(path, sizeof(path), "huge.data");
	/* 1 EiB: more than any test machine has free. */
	assert_int_equal(mt_testfile_create(path, 1ull << 60, &err), -ENOSPC);
	assert_non_null(strstr(err.msg, "MiB are free"));
	assert_int_equal(access(path, F_OK), -1);
}

/* The journaled creation: an existing file is refused before anything is
 * journaled (playback would delete it); a new one is journaled and playback
 * removes it, as after a killed run. */
static void test_make_is_journaled(void **state)
{
	struct mt_err err = { 0 };
	struct mt_journal *j = NULL;
	char jpath[4200], path[4200], other[4200];
	int fd;

	(void)state;
	path_in(jpath, sizeof(jpath), "run.journal");
	path_in(path, sizeof(path), "memtune-made.data");
	path_in(other, sizeof(other), "memtune-other.data");
	fd = open(other, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);

	assert_int_equal(mt_journal_open(jpath, true, &j, &err), 0);
	assert_int_equal(mt_testfile_make(j, other, 1 << 20, &err), -EEXIST);
	assert_int_equal(mt_journal_count(j), 0);
	assert_int_equal(mt_testfile_make(j, path, 1 << 20, &err), 0);
	/* Noted before it is made, then its device and inode once made. */
	assert_int_equal(mt_journal_count(j), 2);
	assert_int_equal(access(path, F_OK), 0);
	mt_journal_close(j); /* as if killed: the entry stays on disk */

	assert_int_equal(mt_journal_playback(jpath, NULL, &err), 0);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(access(other, F_OK), 0);

	/* A relative path (run directories live under ./results) is
	 * journaled whole: playback from elsewhere removes the same file. */
	{
		char cwd[4096];

		assert_non_null(getcwd(cwd, sizeof(cwd)));
		assert_int_equal(chdir(workdir), 0);
		assert_int_equal(mt_journal_open(jpath, true, &j, &err), 0);
		assert_int_equal(mt_testfile_make(j, "./memtune-rel.data",
						  1 << 20, &err),
				 0);
		mt_journal_close(j);
		assert_int_equal(chdir("/"), 0);
		assert_int_equal(mt_journal_playback(jpath, NULL, &err), 0);
		assert_int_equal(chdir(cwd), 0);
		path_in(path, sizeof(path), "memtune-rel.data");
		assert_int_equal(access(path, F_OK), -1);
	}
}

static void test_residency_bad_offset(void **state)
{
	struct mt_err err = { 0 };
	char path[4200];
	double f;
	int fd;

	(void)state;
	path_in(path, sizeof(path), "off.data");
	assert_int_equal(mt_testfile_create(path, 1 << 20, &err), 0);
	fd = open(path, O_RDWR);
	assert_int_equal(mt_testfile_residency(fd, 100, 4096, MT_RES_AUTO, &f,
					       NULL, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "page size"));
	close(fd);
	/* A closed descriptor: mincore cannot map it. */
	assert_true(mt_testfile_residency(fd, 0, 4096, MT_RES_MINCORE, &f, NULL,
					  &err) < 0);
	assert_non_null(strstr(err.msg, "cannot map"));
}

static bool pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

static void test_dio_align(void **state)
{
	struct mt_err err = { 0 };
	struct mt_dio_align al = { 0 };
	char path[4200];
	struct stat st;
	uint32_t lbs = 0;
	int fd;

	(void)state;
	path_in(path, sizeof(path), "al.data");
	assert_int_equal(mt_testfile_create(path, 1 << 20, &err), 0);
	fd = open(path, O_RDWR);
	assert_int_equal(mt_testfile_dio_align(fd, &al, &err), 0);
	assert_non_null(al.source);
	assert_true(pow2(al.mem_align) && al.mem_align <= 4096);
	assert_true(pow2(al.offset_align) && al.offset_align <= 4096);
	assert_int_equal(fstat(fd, &st), 0);
	close(fd);

	/* The device's logical block size, when the filesystem has one. */
	if (mt_testfile_logical_block_size(major(st.st_dev), minor(st.st_dev),
					   &lbs, &err) == 0) {
		assert_true(pow2(lbs) && lbs >= 512 && lbs <= 65536);
		if (strcmp(al.source, "statx") != 0)
			assert_int_equal(al.offset_align, lbs);
	}
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A partition has no queue/ directory: its disk's is used. */
static void test_logical_block_size_fixture(void **state)
{
	struct mt_err err = { 0 };
	char p[1024], cmd[2048];
	uint32_t lbs = 0;

	(void)state;
	snprintf(p, sizeof(p), "%s/root/sys/devices/disk/part", workdir);
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p '%s' '%s/root/sys/dev/block' "
		 "'%s/root/sys/devices/disk/queue' '%s/root/sys/devices/d2/"
		 "queue'",
		 p, workdir, workdir, workdir);
	assert_int_equal(system(cmd), 0);
	snprintf(p, sizeof(p),
		 "%s/root/sys/devices/disk/queue/"
		 "logical_block_size",
		 workdir);
	write_file(p, "4096\n");
	snprintf(p, sizeof(p),
		 "%s/root/sys/devices/d2/queue/"
		 "logical_block_size",
		 workdir);
	write_file(p, "3000\n");
	snprintf(p, sizeof(p), "%s/root/sys/dev/block/8:1", workdir);
	assert_int_equal(symlink("../../devices/disk/part", p), 0);
	snprintf(p, sizeof(p), "%s/root/sys/dev/block/8:0", workdir);
	assert_int_equal(symlink("../../devices/disk", p), 0);
	snprintf(p, sizeof(p), "%s/root/sys/dev/block/9:0", workdir);
	assert_int_equal(symlink("../../devices/d2", p), 0);
	snprintf(p, sizeof(p), "%s/root", workdir);
	setenv("MEMTUNE_FSROOT", p, 1);

	assert_int_equal(mt_testfile_logical_block_size(8, 0, &lbs, &err), 0);
	assert_int_equal(lbs, 4096);
	lbs = 0;
	assert_int_equal(mt_testfile_logical_block_size(8, 1, &lbs, &err), 0);
	assert_int_equal(lbs, 4096);
	assert_int_equal(mt_testfile_logical_block_size(9, 0, &lbs, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "implausible logical block size "
					"3000"));
	assert_true(mt_testfile_logical_block_size(7, 7, &lbs, &err) < 0);
	assert_non_null(strstr(err.msg, "7:7"));
	unsetenv("MEMTUNE_FSROOT");
}

static void test_probe_direct(void **state)
{
	char why[1024] = "";

	(void)state;
	/* ext4, xfs and btrfs all take O_DIRECT; the test machines use
	 * them. */
	assert_true(mt_testfile_probe_direct("odirect", workdir, why,
					     sizeof(why)));
	if (!on_tmpfs("/dev/shm"))
		return;
	assert_false(mt_testfile_probe_direct("odirect", "/dev/shm", why,
					      sizeof(why)));
	assert_non_null(strstr(why, "tmpfs"));
	assert_non_null(strstr(why, "odirect.dir"));
}

/* Resolves `ini` for bench b and plans it. Returns plan's status. */
static int plan_of(const struct mt_bench *b, const char *ini,
		   struct mt_plan *plan, struct mt_params **p,
		   struct mt_err *err)
{
	struct mt_cfg cfg;
	struct mt_env env = { .rundir = workdir };
	int ret;

	mt_cfg_init(&cfg);
	assert_int_equal(mt_cfg_load_string(&cfg, "t.ini", ini, err), 0);
	ret = mt_params_resolve(&cfg, b->name, b->params, p, err);
	mt_cfg_free(&cfg);
	assert_int_equal(ret, 0);
	env.params = *p;
	return b->plan(&env, plan, err);
}

static void test_odirect_plan(void **state)
{
	struct mt_plan plan = { 0 };
	struct mt_params *p = NULL;
	struct mt_err err = { 0 };
	json_t *c;
	size_t sync_cases = 0, cold_writes = 0;

	(void)state;
	assert_int_equal(plan_of(&mt_bench_odirect,
				 "[odirect]\n"
				 "file_size = 256M\nio_size = 16M\n",
				 &plan, &p, &err),
			 0);
	/* 2 patterns x 4 block sizes x (3 read modes + direct writes + 2
	 * buffered write modes x 2 cache states). */
	assert_int_equal(plan.n, 64);
	for (size_t i = 0; i < plan.n; i++) {
		c = plan.cases[i].params;
		assert_int_equal(plan.cases[i].mode, MT_CASE_FIXED);
		assert_string_equal(plan.cases[i].metrics[0].name, "bandwidth");
		if (json_is_true(json_object_get(c, "includes_fdatasync"))) {
			sync_cases++;
			assert_string_equal(
				json_string_value(json_object_get(c, "mode")),
				"buffered_fdatasync");
			assert_int_equal(plan.cases[i].n_metrics, 6);
		}
		if (!strcmp(json_string_value(json_object_get(c, "op")),
			    "write") &&
		    !strcmp(json_string_value(json_object_get(c, "cache")),
			    "cold")) {
			cold_writes++;
			assert_false(json_is_true(json_object_get(c,
								  "o_direct")));
		}
	}
	assert_int_equal(sync_cases, 16);
	assert_int_equal(cold_writes, 16);
	c = plan.cases[0].params;
	assert_string_equal(json_string_value(json_object_get(c, "op")),
			    "read");
	assert_int_equal(json_integer_value(json_object_get(c, "block_bytes")),
			 4096);
	assert_int_equal(json_integer_value(json_object_get(c,
							    "ios_per_sample")),
			 4096);
	assert_int_equal(json_integer_value(json_object_get(c, "queue_depth")),
			 1);
	/* 4M blocks: at least 64 I/Os, at most the 256M file. */
	c = plan.cases[3].params;
	assert_int_equal(json_integer_value(json_object_get(c, "block_bytes")),
			 4 << 20);
	assert_int_equal(json_integer_value(json_object_get(c,
							    "ios_per_sample")),
			 64);
	mt_plan_free(&plan);
	mt_params_free(p);

	/* Read-only modes given with writes: only the fitting ones. */
	p = NULL;
	assert_int_equal(plan_of(&mt_bench_odirect,
				 "[odirect]\nops = write\n"
				 "modes = buffered_cold,buffered\n"
				 "patterns = seq\nblock_sizes = 1M\n"
				 "write_cache = warm\n",
				 &plan, &p, &err),
			 0);
	assert_int_equal(plan.n, 1);
	assert_string_equal(json_string_value(json_object_get(
				    plan.cases[0].params, "mode")),
			    "buffered");
	assert_string_equal(json_string_value(json_object_get(
				    plan.cases[0].params, "cache")),
			    "warm");
	mt_plan_free(&plan);
	mt_params_free(p);

	p = NULL;
	assert_int_equal(plan_of(&mt_bench_odirect,
				 "[odirect]\n"
				 "file_size = 1M\nblock_sizes = 4M\n",
				 &plan, &p, &err),
			 -EINVAL);
	assert_int_equal(err.kind, MT_ERR_INPUT);
	assert_non_null(strstr(err.msg, "larger than file_size"));
	mt_plan_free(&plan);
	mt_params_free(p);
}

static void test_pagecache_plan(void **state)
{
	struct mt_plan plan = { 0 };
	struct mt_params *p = NULL;
	struct mt_err err = { 0 };

	(void)state;
	assert_int_equal(plan_of(&mt_bench_pagecache,
				 "[pagecache]\n"
				 "file_size = 512M\nscan_size = 512M\n",
				 &plan, &p, &err),
			 0);
	/* read at 4K and 1M, mmap, then hot_scan with 2 and 1 hot reads. */
	assert_int_equal(plan.n, 5);
	assert_string_equal(json_string_value(json_object_get(
				    plan.cases[2].params, "method")),
			    "mmap");
	assert_int_equal(json_integer_value(json_object_get(
				 plan.cases[3].params, "hot_reads")),
			 2);
	assert_int_equal(json_integer_value(json_object_get(
				 plan.cases[4].params, "hot_reads")),
			 1);
	assert_int_equal(json_integer_value(json_object_get(
				 plan.cases[3].params, "memory_limit_bytes")),
			 256 << 20);
	mt_plan_free(&plan);
	mt_params_free(p);

	p = NULL;
	assert_int_equal(plan_of(&mt_bench_pagecache,
				 "[pagecache]\n"
				 "hot_size = 64M\nmemory_limit = 1G\n"
				 "scan_size = 512M\n",
				 &plan, &p, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "hot_size < memory_limit < "
					"scan_size"));
	mt_plan_free(&plan);
	mt_params_free(p);
}

#define PM_PRESENT_ (1ULL << 63)
#define KPF_HEAD_ (1ULL << 15)
#define KPF_TAIL_ (1ULL << 16)

/* Folio classing on a made-up kpageflags file: a 2 MiB folio at frames
 * 100..611 entered at its 3rd page, a single page at 700, a 16 KiB folio
 * at 800..803, a page missing from the cache and a 4 KiB folio at 612
 * right after the big one (next frame, but no tail bit). */
static void test_folio_classify(void **state)
{
	char path[512];
	uint64_t flags[1024] = { 0 }, pm[600];
	unsigned char vec[600];
	struct mt_folio_profile f;
	size_t n = 0;
	int kfd;

	(void)state;
	flags[100] = KPF_HEAD_;
	for (int i = 101; i < 612; i++)
		flags[i] = KPF_TAIL_;
	flags[800] = KPF_HEAD_;
	for (int i = 801; i < 804; i++)
		flags[i] = KPF_TAIL_;
	path_in(path, sizeof(path), "kpageflags");
	kfd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(kfd >= 0);
	assert_int_equal(write(kfd, flags, sizeof(flags)), sizeof(flags));
	for (uint64_t pfn = 102; pfn < 612; pfn++)
		pm[n++] = PM_PRESENT_ | pfn; /* 510 pages of the 2M folio */
	pm[n++] = PM_PRESENT_ | 612;
	pm[n++] = PM_PRESENT_ | 700;
	pm[n++] = 0; /* not resident */
	for (uint64_t pfn = 800; pfn < 804; pfn++)
		pm[n++] = PM_PRESENT_ | pfn;
	memset(vec, 1, sizeof(vec));
	vec[512] = 0;
	assert_int_equal(mt_folio_classify(pm, vec, n, kfd, 4096, &f), 0);
	assert_int_equal(f.resident_pages, 510 + 1 + 1 + 4);
	assert_int_equal(f.large_pages, 510 + 4);
	/* The range saw 510 of the 512 pages: under 2 MiB of it. */
	assert_int_equal(f.pmd_pages, 0);
	assert_float_equal(f.mean_folio_kib,
			   (510.0 * 510 + 1 + 1 + 16) / 516 * 4, 1e-9);

	/* Frames hidden (pagemap without PFNs): nothing is classed. */
	for (size_t i = 0; i < n; i++)
		pm[i] &= PM_PRESENT_;
	assert_int_equal(mt_folio_classify(pm, vec, n, kfd, 4096, &f), 0);
	assert_int_equal(f.resident_pages, 0);
	close(kfd);
}

/* A real file: every resident page is classed, none that is not. */
static void test_folio_profile_file(void **state)
{
	struct mt_folio_profile f;
	struct mt_err err = { 0 };
	char path[512];
	double frac = 0.0;
	int fd, ret;

	(void)state;
	path_in(path, sizeof(path), "folios");
	assert_int_equal(mt_testfile_create(path, 8 << 20, &err), 0);
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	/* Created files are evicted: nothing to class. */
	ret = mt_folio_profile(fd, 0, 8 << 20, &f, &err);
	if (ret == -EPERM || ret == -ENOENT) {
		close(fd);
		skip(); /* not root, or no kpageflags */
	}
	assert_int_equal(ret, 0);
	assert_int_equal(f.resident_pages, 0);
	/* Half of it read in, without readahead: asynchronous readahead
	 * past the half would still be landing while residency and the
	 * profile are compared. */
	assert_int_equal(posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM), 0);
	{
		char buf[65536];

		for (off_t o = 0; o < (4 << 20); o += sizeof(buf))
			assert_int_equal(pread(fd, buf, sizeof(buf), o),
					 sizeof(buf));
	}
	assert_int_equal(mt_testfile_residency(fd, 0, 8 << 20, MT_RES_AUTO,
					       &frac, NULL, &err),
			 0);
	assert_int_equal(mt_folio_profile(fd, 0, 8 << 20, &f, &err), 0);
	assert_int_equal(f.resident_pages,
			 (uint64_t)(frac * (8 << 20) / 4096 + 0.5));
	assert_true(f.resident_pages >= 1024);
	assert_true(f.large_pages <= f.resident_pages);
	assert_true(f.pmd_pages <= f.large_pages);
	assert_true(f.mean_folio_kib >= 4.0 && f.mean_folio_kib <= 2048.0);
	/* Profiling read nothing in. */
	assert_int_equal(mt_testfile_residency(fd, 0, 8 << 20, MT_RES_AUTO,
					       &frac, NULL, &err),
			 0);
	assert_int_equal((uint64_t)(frac * (8 << 20) / 4096 + 0.5),
			 f.resident_pages);
	assert_int_equal(mt_folio_profile(fd, 1, 4096, &f, &err), -EINVAL);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fs_type_name),
		cmocka_unit_test(test_path),
		cmocka_unit_test_setup_teardown(test_folio_classify, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_folio_profile_file,
						setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_check_dir_refuses_tmpfs,
						setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_check_dir_missing,
						setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_check_dir_not_a_directory,
						setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_check_dir_accepts_disk,
						setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_create_read_evict_residency,
						setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_dirty_fraction, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_created_data_is_nonzero,
						setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_create_never_overwrites,
						setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(
			test_create_refuses_without_space, setup_dir,
			teardown_dir),
		cmocka_unit_test_setup_teardown(test_make_is_journaled,
						setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_residency_bad_offset,
						setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_dio_align, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_logical_block_size_fixture,
						setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_probe_direct, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_odirect_plan, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_pagecache_plan, setup_dir,
						teardown_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
