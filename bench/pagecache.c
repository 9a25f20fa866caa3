/* pagecache: what the page cache is worth, and how it protects a hot set.
 *
 * cold_warm cases: each sample evicts the test file (fsync, then
 * POSIX_FADV_DONTNEED; optionally drop_caches) and checks with cachestat(2)
 * or mincore(2) that it is really out, then reads it twice through the
 * same method (read() with a block size, or a fresh mmap touching every
 * cache line): the first pass from the disk, the second from the cache.
 * Each pass is timed on its own; residency is measured between them,
 * outside both timings. Reports both MB/s, the speedup, and the residency
 * before each pass.
 *
 * hot_scan cases: inside a memory cgroup limited to a few times the hot
 * set, read a hot file `hot_reads` times (twice: the kernel promotes it to
 * the active list; once: it stays inactive, the control), stream a larger
 * file once, then measure how much of the hot file is still resident and
 * how fast it rereads. This is the active/inactive LRU protecting a hot
 * set from a one-pass scan; without a memory limit the scan would evict
 * nothing on a machine with spare memory and the case would show nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/clock.h"
#include "../core/fsroot.h"
#include "bench.h"
#include "kit/testfile.h"

#define PC_FILE "memtune-pagecache.data"
#define PC_HOT_FILE "memtune-pagecache-hot.data"
#define PC_CGROUP "memtune-pagecache"

static const char *const pc_methods[] = { "read", "mmap", NULL };
static const char *const pc_tests[] = { "cold_warm", "hot_scan", NULL };

/* The keys of [pagecache], rows of pc_params. */
enum pc_param {
	PC_DIR,
	PC_TESTS,
	PC_FILE_SIZE,
	PC_METHODS,
	PC_BLOCK_SIZES,
	PC_HOT_SIZE,
	PC_SCAN_SIZE,
	PC_MEMORY_LIMIT,
	PC_DROP_CACHES,
	PC_NPARAMS
};

static const struct mt_param pc_params[] = {
	[PC_DIR] = { .key = "dir",
		     .type = MT_P_STRING,
		     .def = "",
		     .help = "directory of the test files, on a disk filesystem "
			     "(empty: the run directory)" },
	[PC_TESTS] = { .key = "tests",
		       .type = MT_P_WORDS,
		       .def = "cold_warm,hot_scan",
		       .help = "cold_warm: cold versus warm reads; hot_scan: hot set "
			       "versus a one-pass scan (root, memory cgroup)",
		       .choices = pc_tests },
	[PC_FILE_SIZE] = { .key = "file_size",
			   .type = MT_P_SIZE,
			   .def = "1G",
			   .help = "bytes read cold and warm",
			   .min = 1 << 20 },
	[PC_METHODS] = { .key = "methods",
			 .type = MT_P_WORDS,
			 .def = "read,mmap",
			 .help = "read: pread() of block_sizes; mmap: a fresh mapping, one "
				 "load per cache line",
			 .choices = pc_methods },
	[PC_BLOCK_SIZES] = { .key = "block_sizes",
			     .type = MT_P_SIZE_LIST,
			     .def = "4K,1M",
			     .help = "read() sizes for the read method",
			     .min = 512,
			     .max = 1 << 30 },
	[PC_HOT_SIZE] = { .key = "hot_size",
			  .type = MT_P_SIZE,
			  .def = "64M",
			  .help = "the hot set of hot_scan",
			  .min = 1 << 20 },
	[PC_SCAN_SIZE] = { .key = "scan_size",
			   .type = MT_P_SIZE,
			   .def = "1G",
			   .help = "the one-pass scan of hot_scan; larger than memory_limit",
			   .min = 1 << 20 },
	[PC_MEMORY_LIMIT] = { .key = "memory_limit",
			      .type = MT_P_SIZE,
			      .def = "0",
			      .help = "memory cgroup limit of hot_scan (0: 4 x hot_size)" },
	[PC_DROP_CACHES] = { .key = "drop_caches",
			     .type = MT_P_BOOL,
			     .def = "no",
			     .help = "also drop the whole page cache before cold passes "
				     "(root; affects the rest of the machine)" },
	[PC_NPARAMS] = MT_PARAMS_END,
};

enum {
	V_COLD,
	V_WARM,
	V_SPEEDUP,
	V_RES_COLD,
	V_RES_WARM,
};

static const struct mt_metric pc_cw_metrics[] = {
	{ "cold_read", "MB/s", MT_VALUE, V_COLD, true },
	{ "warm_read", "MB/s", MT_VALUE, V_WARM, true },
	{ "speedup", "x", MT_VALUE, V_SPEEDUP, true },
	{ "resident_before_cold", "%", MT_VALUE, V_RES_COLD, false },
	{ "resident_before_warm", "%", MT_VALUE, V_RES_WARM, true },
};

enum {
	V_HOT_AFTER,
	V_HOT_REREAD,
	V_HOT_BEFORE,
	V_SCAN_AFTER,
};

static const struct mt_metric pc_hs_metrics[] = {
	{ "hot_resident_after_scan", "%", MT_VALUE, V_HOT_AFTER, true },
	{ "hot_reread", "MB/s", MT_VALUE, V_HOT_REREAD, true },
	{ "hot_resident_before_scan", "%", MT_VALUE, V_HOT_BEFORE, true },
	{ "scan_resident_after", "%", MT_VALUE, V_SCAN_AFTER, false },
};

struct pc_state {
	bool hot_scan, mmap, drop_caches;
	int fd;	       /* main file, read-write (residency) */
	int fd_hot;    /* hot_scan: the hot file */
	int hot_reads; /* hot_scan: passes over the hot set */
	uint64_t block, file_bytes, hot_bytes, scan_bytes;
	void *buf;
	const char *res_method;
	double cold_before_max, warm_before_min; /* cold_warm */
	double hot_before_min;			 /* hot_scan */
	int samples;
};

static const char *pc_dir(const struct mt_env *env)
{
	const char *d = mt_p_string(env->params, PC_DIR);

	return d && d[0] ? d : env->rundir;
}

static enum mt_status pc_supported(const struct mt_env *env, struct mt_err *err)
{
	if (mt_testfile_check_dir("pagecache", pc_dir(env), NULL, 0, err) < 0) {
		return MT_SKIPPED;
	}
	return MT_OK;
}

static uint64_t pc_limit(const struct mt_params *p)
{
	uint64_t l = mt_p_size(p, PC_MEMORY_LIMIT);

	return l ? l : 4 * mt_p_size(p, PC_HOT_SIZE);
}

static int pc_plan(const struct mt_env *env, struct mt_plan *plan,
		   struct mt_err *err)
{
	const struct mt_params *p = env->params;
	uint64_t file = mt_p_size(p, PC_FILE_SIZE);
	size_t nm, nb;
	char *const *methods = mt_p_words(p, PC_METHODS, &nm);
	const uint64_t *bs = mt_p_sizes(p, PC_BLOCK_SIZES, &nb);
	char at[2][320];
	int ret;

	ret = mt_testfile_check_dir_param("pagecache", p, PC_DIR, err);
	if (ret < 0)
		return ret;
	mt_p_where(p, PC_BLOCK_SIZES, at[0], sizeof(at[0]));
	mt_p_where(p, PC_FILE_SIZE, at[1], sizeof(at[1]));
	for (size_t b = 0; b < nb && mt_p_has_word(p, PC_TESTS, "cold_warm") &&
			   mt_p_has_word(p, PC_METHODS, "read");
	     b++)
		if (bs[b] > file)
			return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
					  "%s: pagecache: block size %llu is "
					  "larger than file_size %llu (%s); "
					  "lower block_sizes or raise "
					  "file_size",
					  at[0], (unsigned long long)bs[b],
					  (unsigned long long)file, at[1]);
	if (mt_p_has_word(p, PC_TESTS, "cold_warm")) {
		for (size_t m = 0; m < nm; m++) {
			bool is_mmap = strcmp(methods[m], "mmap") == 0;

			for (size_t b = 0; b < (is_mmap ? 1 : nb); b++) {
				json_t *c = json_pack(
					"{s:s,s:s,s:I,s:I,s:s}", "test",
					"cold_warm", "method", methods[m],
					"block_bytes",
					(json_int_t)(is_mmap ? 4096 : bs[b]),
					"file_bytes", (json_int_t)file,
					"eviction",
					mt_p_bool(p, PC_DROP_CACHES) ?
						"fadvise_dontneed+drop_caches" :
						"fadvise_dontneed");

				ret = mt_plan_add(plan, c, pc_cw_metrics, 5,
						  MT_CASE_FIXED);
				if (ret < 0)
					goto out_nomem;
			}
		}
	}
	if (mt_p_has_word(p, PC_TESTS, "hot_scan")) {
		uint64_t hot = mt_p_size(p, PC_HOT_SIZE);
		uint64_t scan = mt_p_size(p, PC_SCAN_SIZE);
		uint64_t limit = pc_limit(p);

		if (scan <= limit || hot >= limit) {
			mt_p_where(p, PC_HOT_SIZE, at[0], sizeof(at[0]));
			mt_p_where(p, PC_SCAN_SIZE, at[1], sizeof(at[1]));
			return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
					  "pagecache: hot_scan needs hot_size "
					  "< memory_limit < scan_size (now "
					  "%llu MiB from %s, %llu MiB, %llu "
					  "MiB from %s; memory_limit 0 means "
					  "4 x hot_size), or the scan cannot "
					  "evict anything",
					  (unsigned long long)(hot >> 20),
					  at[0],
					  (unsigned long long)(limit >> 20),
					  (unsigned long long)(scan >> 20),
					  at[1]);
		}
		for (int reads = 2; reads >= 1; reads--) {
			json_t *c = json_pack("{s:s,s:i,s:I,s:I,s:I,s:I}",
					      "test", "hot_scan", "hot_reads",
					      reads, "hot_bytes",
					      (json_int_t)hot, "scan_bytes",
					      (json_int_t)scan,
					      "memory_limit_bytes",
					      (json_int_t)limit, "block_bytes",
					      (json_int_t)(1 << 20));

			ret = mt_plan_add(plan, c, pc_hs_metrics, 4,
					  MT_CASE_FIXED);
			if (ret < 0)
				goto out_nomem;
		}
	}
	return 0;
out_nomem:
	return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
			  "pagecache: out of memory");
}

/* Creates the main file (large enough for both the cold/warm reads and the
 * scan) and the hot file, each journaled first so a kill cannot leave them
 * behind. */
static int pc_sys_setup(const struct mt_env *env, json_t *notes,
			struct mt_err *err)
{
	const struct mt_params *p = env->params;
	char path[4096], fstype[64] = "";
	uint64_t bytes = mt_p_size(p, PC_FILE_SIZE);
	bool hot = mt_p_has_word(p, PC_TESTS, "hot_scan");
	int ret;

	ret = mt_testfile_check_dir("pagecache", pc_dir(env), fstype,
				    sizeof(fstype), err);
	if (ret < 0)
		return ret;
	if (hot && mt_p_size(p, PC_SCAN_SIZE) > bytes)
		bytes = mt_p_size(p, PC_SCAN_SIZE);
	if (mt_testfile_path(mt_p_string(p, PC_DIR), env->rundir, PC_FILE, path,
			     sizeof(path)) < 0)
		return mt_err_set(err, -ENAMETOOLONG, MT_ERR_INPUT,
				  "pagecache: test directory path too long");
	ret = mt_testfile_make(env->journal, path, bytes, err);
	if (ret < 0)
		goto out_prefix;
	json_object_set_new(notes, "test_file", json_string(path));
	json_object_set_new(notes, "test_file_bytes",
			    json_integer((json_int_t)bytes));
	json_object_set_new(notes, "filesystem", json_string(fstype));
	if (hot) {
		mt_testfile_path(mt_p_string(p, PC_DIR), env->rundir,
				 PC_HOT_FILE, path, sizeof(path));
		ret = mt_testfile_make(env->journal, path,
				       mt_p_size(p, PC_HOT_SIZE), err);
		if (ret < 0)
			goto out_prefix;
		json_object_set_new(notes, "hot_file", json_string(path));
	}
	return 0;
out_prefix:
	mt_err_prefix(err, "pagecache");
	return ret;
}

/* The memory cgroup directory (unresolved) that hot_scan's worker joins,
 * and the file that limits it: a child of our own cgroup in a v1 memory
 * hierarchy (v1 allows processes beside children), a child of the root in
 * cgroup2 (where the root is the one cgroup that may hold processes and
 * delegate the memory controller). Returns 0 or -ENOENT with why set. */
static int cgroup_paths(const struct mt_caps *caps, char *dir, size_t len,
			const char **limit_file, char *why, size_t wlen)
{
	if (caps->cgroup_version == 2 && caps->cgroup_v2_root[0]) {
		snprintf(dir, len, "%s/%s", caps->cgroup_v2_root, PC_CGROUP);
		*limit_file = "memory.max";
		return 0;
	}
	if (caps->cgroup_version == 1 && caps->cgroup_v1_memory[0]) {
		char *text = NULL, *line, *save = NULL;
		struct mt_err err = { 0 };
		const char *own = "";

		if (mt_fs_read("/proc/self/cgroup", &text, NULL, &err) == 0) {
			for (line = strtok_r(text, "\n", &save); line;
			     line = strtok_r(NULL, "\n", &save)) {
				char *c1 = strchr(line, ':'), *c2;

				if (!c1 || !(c2 = strchr(c1 + 1, ':')))
					continue;
				*c2 = '\0';
				if (strstr(c1 + 1, "memory")) {
					own = c2 + 1;
					break;
				}
			}
		}
		snprintf(dir, len, "%s%s%s/%s", caps->cgroup_v1_memory,
			 own[0] == '/' ? "" : "/", strcmp(own, "/") ? own : "",
			 PC_CGROUP);
		free(text);
		*limit_file = "memory.limit_in_bytes";
		return 0;
	}
	snprintf(why, wlen,
		 "no memory cgroup controller is mounted "
		 "(mount cgroup2 with the memory controller)");
	return -ENOENT;
}

/* For hot_scan cases: creates the limited memory cgroup through the
 * journal (the runner removes it after the case). When that is not
 * possible, hands the reason to the worker, which skips the case. */
static int pc_case_sys_setup(const struct mt_env *env, const struct mt_case *c,
			     json_t *obtained, json_t *handoff,
			     struct mt_err *err)
{
	const char *test = json_string_value(json_object_get(c->params,
							     "test"));
	uint64_t limit = (uint64_t)json_integer_value(
		json_object_get(c->params, "memory_limit_bytes"));
	char dir[4096], file[4200], value[32], rb[64] = "", why[256];
	const char *limit_file;
	int ret;

	if (!test || strcmp(test, "hot_scan") != 0)
		return 0;
	if (!env->allow_changes) {
		json_object_set_new(handoff, "skip",
				    json_string("needs root and "
						"global.allow_system_changes "
						"to limit a memory cgroup "
						"(run as root)"));
		return 0;
	}
	if (cgroup_paths(env->caps, dir, sizeof(dir), &limit_file, why,
			 sizeof(why)) < 0) {
		json_object_set_new(handoff, "skip", json_string(why));
		return 0;
	}
	ret = mt_journal_mkdir(env->journal, dir, err);
	if (ret < 0)
		goto out_prefix;
	snprintf(file, sizeof(file), "%s/%s", dir, limit_file);
	snprintf(value, sizeof(value), "%llu", (unsigned long long)limit);
	ret = mt_journal_write(env->journal, file, value, rb, sizeof(rb), err);
	if (ret < 0)
		goto out_prefix;
	json_object_set_new(handoff, "cgroup", json_string(dir));
	json_object_set_new(obtained, "memory_limit_readback", json_string(rb));
	return 0;
out_prefix:
	mt_err_prefix(err, "pagecache: memory cgroup");
	return ret;
}

static void pc_free(struct pc_state *st)
{
	if (!st)
		return;
	if (st->fd >= 0)
		close(st->fd);
	if (st->fd_hot >= 0)
		close(st->fd_hot);
	free(st->buf);
	free(st);
}

/* Moves this worker into the case's cgroup. Nothing to undo: the worker
 * exits after the case and the journal removes the cgroup. */
static int join_cgroup(const char *dir, struct mt_err *err)
{
	char path[4200], pid[32];

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (mt_sys_trigger(path, pid, err) < 0) {
		mt_err_prefix(err,
			      "pagecache: cannot join memory cgroup "
			      "'%s'",
			      dir);
		return -EIO;
	}
	return 0;
}

static enum mt_status pc_setup(const struct mt_env *env,
			       const struct mt_case *c, void **state,
			       struct mt_err *err)
{
	struct pc_state *st = calloc(1, sizeof(*st));
	json_t *p = c->params, *sys = c->handoff;
	char path[4096];

	if (!st) {
		mt_err_why(err, "pagecache: out of memory");
		return MT_FAILED;
	}
	st->fd = st->fd_hot = -1;
	st->cold_before_max = 0.0;
	st->warm_before_min = st->hot_before_min = INFINITY;
	st->hot_scan = strcmp(json_string_value(json_object_get(p, "test")),
			      "hot_scan") == 0;
	st->mmap = json_object_get(p, "method") &&
		   strcmp(json_string_value(json_object_get(p, "method")),
			  "mmap") == 0;
	st->block =
		(uint64_t)json_integer_value(json_object_get(p, "block_bytes"));
	st->file_bytes =
		(uint64_t)json_integer_value(json_object_get(p, "file_bytes"));
	st->hot_bytes =
		(uint64_t)json_integer_value(json_object_get(p, "hot_bytes"));
	st->scan_bytes =
		(uint64_t)json_integer_value(json_object_get(p, "scan_bytes"));
	st->hot_reads = (int)json_integer_value(json_object_get(p,
								"hot_reads"));
	st->drop_caches = mt_p_bool(env->params, PC_DROP_CACHES) &&
			  env->allow_changes;

	if (st->hot_scan) {
		const char *skip = json_string_value(json_object_get(sys,
								     "skip"));
		const char *cg = json_string_value(json_object_get(sys,
								   "cgroup"));

		if (skip || !cg) {
			mt_err_why(err, "pagecache: hot_scan %s",
				   skip ? skip : "has no memory cgroup");
			pc_free(st);
			return MT_SKIPPED;
		}
		if (join_cgroup(cg, err) < 0)
			goto out_failed;
		mt_testfile_path(mt_p_string(env->params, PC_DIR), env->rundir,
				 PC_HOT_FILE, path, sizeof(path));
		st->fd_hot = open(path, O_RDWR | O_CLOEXEC);
		if (st->fd_hot < 0) {
			mt_err_why(err,
				   "pagecache: cannot open '%s': "
				   "%s",
				   path, strerror(errno));
			goto out_failed;
		}
	}
	mt_testfile_path(mt_p_string(env->params, PC_DIR), env->rundir, PC_FILE,
			 path, sizeof(path));
	st->fd = open(path, O_RDWR | O_CLOEXEC);
	if (st->fd < 0) {
		mt_err_why(err, "pagecache: cannot open '%s': %s", path,
			   strerror(errno));
		goto out_failed;
	}
	if (posix_memalign(&st->buf, 4096, st->block)) {
		st->buf = NULL;
		mt_err_why(err, "pagecache: out of memory");
		goto out_failed;
	}
	memset(st->buf, 0, st->block);
	*state = st;
	return MT_OK;
out_failed:
	pc_free(st);
	return MT_FAILED;
}

/* Untimed, before every sample: evicts every file the sample reads and
 * checks that it is out. */
static int pc_prepare(void *state, struct mt_err *err)
{
	struct pc_state *st = state;
	double left = 0.0;
	int ret;

	if (st->drop_caches) {
		ret = mt_testfile_drop_caches(err);
		if (ret < 0)
			return ret;
	}
	if (st->fd_hot >= 0) {
		ret = mt_testfile_evict(st->fd_hot, st->hot_bytes, NULL, err);
		if (ret < 0)
			return ret;
	}
	return mt_testfile_evict(st->fd,
				 st->hot_scan ? st->scan_bytes : st->file_bytes,
				 &left, err);
}

/* Reads [0, bytes) of fd with pread() in st->block pieces. */
static int read_pass(struct pc_state *st, int fd, uint64_t bytes,
		     struct mt_err *err)
{
	for (uint64_t off = 0; off < bytes; off += st->block) {
		size_t n = bytes - off < st->block ? (size_t)(bytes - off) :
						     (size_t)st->block;
		ssize_t r;

		do {
			r = pread(fd, st->buf, n, (off_t)off);
		} while (r < 0 && errno == EINTR);
		if (r != (ssize_t)n)
			return mt_err_set(err, r < 0 ? -errno : -EIO,
					  MT_ERR_RUNTIME,
					  "pagecache: read at offset %llu: %s",
					  (unsigned long long)off,
					  r < 0 ? strerror(errno) :
						  "short read");
	}
	return 0;
}

/* Maps [0, bytes) of fd afresh and loads one word per cache line, so that
 * every page is faulted in through the page cache and every byte is
 * brought to the CPU, like read() copies it. */
static int mmap_pass(int fd, uint64_t bytes, struct mt_err *err)
{
	const volatile uint64_t *p;
	uint64_t sum = 0;
	void *map = mmap(NULL, bytes, PROT_READ, MAP_SHARED, fd, 0);

	if (map == MAP_FAILED)
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "pagecache: cannot map the test file: %s",
				  strerror(errno));
	p = map;
	for (uint64_t i = 0; i < bytes / 8; i += 8)
		sum += p[i];
	munmap(map, bytes);
	/* Keeps the loads: the sum is used (asm barrier, no output). */
	__asm__ volatile("" : : "r"(sum) : "memory");
	return 0;
}

/* One timed pass over [0, bytes) of fd; stores MB/s in *mbps. */
static int timed_pass(struct pc_state *st, int fd, uint64_t bytes,
		      bool use_mmap, double *mbps, struct mt_err *err)
{
	uint64_t t0 = mt_now_ns(), t1;
	int ret;

	ret = use_mmap ? mmap_pass(fd, bytes, err) :
			 read_pass(st, fd, bytes, err);
	t1 = mt_now_ns();
	if (ret < 0)
		return ret;
	*mbps = (double)bytes * 1e3 / (double)(t1 - t0);
	return 0;
}

static int residency(struct pc_state *st, int fd, uint64_t bytes, double *frac,
		     struct mt_err *err)
{
	return mt_testfile_residency(fd, 0, bytes, MT_RES_AUTO, frac,
				     &st->res_method, err);
}

static int run_cold_warm(struct pc_state *st, struct mt_sample *s,
			 struct mt_err *err)
{
	double before_cold, before_warm, cold, warm;
	int ret;

	ret = residency(st, st->fd, st->file_bytes, &before_cold, err);
	if (ret == 0)
		ret = timed_pass(st, st->fd, st->file_bytes, st->mmap, &cold,
				 err);
	if (ret == 0)
		ret = residency(st, st->fd, st->file_bytes, &before_warm, err);
	if (ret == 0)
		ret = timed_pass(st, st->fd, st->file_bytes, st->mmap, &warm,
				 err);
	if (ret < 0)
		return ret;
	if (before_cold > st->cold_before_max)
		st->cold_before_max = before_cold;
	if (before_warm < st->warm_before_min)
		st->warm_before_min = before_warm;
	s->ops = 2 * ((st->file_bytes + st->block - 1) / st->block);
	s->bytes = 2 * st->file_bytes;
	s->values[V_COLD] = cold;
	s->values[V_WARM] = warm;
	s->values[V_SPEEDUP] = warm / cold;
	s->values[V_RES_COLD] = before_cold * 100;
	s->values[V_RES_WARM] = before_warm * 100;
	return 0;
}

static int run_hot_scan(struct pc_state *st, int hot_reads, struct mt_sample *s,
			struct mt_err *err)
{
	double hot_before, hot_after, scan_after, reread;
	int ret = 0;

	for (int i = 0; i < hot_reads && ret == 0; i++)
		ret = read_pass(st, st->fd_hot, st->hot_bytes, err);
	if (ret == 0)
		ret = residency(st, st->fd_hot, st->hot_bytes, &hot_before,
				err);
	if (ret == 0)
		ret = read_pass(st, st->fd, st->scan_bytes, err);
	if (ret == 0)
		ret = residency(st, st->fd_hot, st->hot_bytes, &hot_after, err);
	if (ret == 0)
		ret = residency(st, st->fd, st->scan_bytes, &scan_after, err);
	if (ret == 0)
		ret = timed_pass(st, st->fd_hot, st->hot_bytes, false, &reread,
				 err);
	if (ret < 0)
		return ret;
	if (hot_before < st->hot_before_min)
		st->hot_before_min = hot_before;
	s->ops = 1;
	s->bytes = st->hot_bytes * (uint64_t)(hot_reads + 1) + st->scan_bytes;
	s->values[V_HOT_AFTER] = hot_after * 100;
	s->values[V_HOT_REREAD] = reread;
	s->values[V_HOT_BEFORE] = hot_before * 100;
	s->values[V_SCAN_AFTER] = scan_after * 100;
	return 0;
}

static int pc_run(void *state, uint64_t iters, struct mt_sample *s,
		  struct mt_err *err)
{
	struct pc_state *st = state;
	int ret;

	(void)iters;
	ret = st->hot_scan ? run_hot_scan(st, st->hot_reads, s, err) :
			     run_cold_warm(st, s, err);
	if (ret == 0)
		st->samples++;
	return ret;
}

static enum mt_status pc_verify(void *state, json_t *obtained,
				struct mt_err *err)
{
	struct pc_state *st = state;

	json_object_set_new(obtained, "residency_method",
			    json_string(st->res_method ? st->res_method :
							 "none"));
	if (!st->samples)
		return MT_OK;
	if (st->hot_scan) {
		json_object_set_new(obtained, "hot_resident_before_scan_min",
				    json_real(st->hot_before_min));
		if (st->hot_before_min < 0.95) {
			mt_err_why(err,
				   "the hot set was only %.1f%% "
				   "resident before the scan: the memory limit "
				   "is too tight for it",
				   st->hot_before_min * 100);
			return MT_UNTRUSTWORTHY;
		}
		return MT_OK;
	}
	json_object_set_new(obtained, "resident_before_cold_max",
			    json_real(st->cold_before_max));
	json_object_set_new(obtained, "resident_before_warm_min",
			    json_real(st->warm_before_min));
	if (st->cold_before_max > 0.01) {
		mt_err_why(err,
			   "eviction failed: the file was still "
			   "%.1f%% resident before a cold pass (mapped or "
			   "locked by another process?)",
			   st->cold_before_max * 100);
		return MT_UNTRUSTWORTHY;
	}
	if (st->warm_before_min < 0.99) {
		mt_err_why(err,
			   "the file was only %.1f%% resident "
			   "before a warm pass (memory pressure?)",
			   st->warm_before_min * 100);
		return MT_UNTRUSTWORTHY;
	}
	return MT_OK;
}

static void pc_teardown(void *state)
{
	pc_free(state);
}

const struct mt_bench mt_bench_pagecache = {
	.name = "pagecache",
	.summary = "page-cache reuse: cold versus warm reads (read, mmap) "
		   "and a hot set against a one-pass scan",
	.params = pc_params,
	.supported = pc_supported,
	.plan = pc_plan,
	.sys_setup = pc_sys_setup,
	.case_sys_setup = pc_case_sys_setup,
	.setup = pc_setup,
	.prepare = pc_prepare,
	.run = pc_run,
	.verify = pc_verify,
	.teardown = pc_teardown,
};
