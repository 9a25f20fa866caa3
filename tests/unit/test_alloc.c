/* Tests of bench/alloc.c: classification of an address against
 * /proc/self/maps text, statm and malloc_info parsing, the expansion of the
 * configuration into cases (and its errors), and - in forked children, so
 * that mallopt settings stay there - what the cases really do: the path a
 * pinned threshold selects, the memory kept after free and released by
 * malloc_trim, fresh faults of raw mmap cycles, the arena count, and the
 * refusal of a threshold glibc does not accept. Nothing depends on timing.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../bench/bench.h"
#include "../../core/fsroot.h"

/* The pure helpers of bench/alloc.c (not in a header: only this test
 * calls them). */
int mt_alloc_maps_classify(const char *maps, uint64_t addr, const char **path,
			   uint64_t *lo, uint64_t *hi, struct mt_err *err);
int mt_alloc_heap_bounds(const char *maps, uint64_t *lo, uint64_t *hi,
			 struct mt_err *err);
int mt_alloc_statm_anon(const char *statm, uint64_t page_size, uint64_t *anon,
			struct mt_err *err);
int mt_alloc_count_arenas(const char *xml);

extern const struct mt_bench mt_bench_alloc;

/* As the kernel writes it: names padded to a column, an anonymous line
 * with trailing space. */
static const char maps_text[] =
	"55d0c0a00000-55d0c0a02000 r--p 00000000 fe:01 1234  "
	"/usr/bin/memtune\n"
	"55d0c1e3c000-55d0c1e5d000 rw-p 00000000 00:00 0          "
	"                [heap]\n"
	"7f1a2b000000-7f1a2b021000 rw-p 00000000 00:00 0 \n"
	"7f1a2c000000-7f1a2c100000 rw-p 00000000 00:00 0    "
	"[anon:glibc malloc]\n"
	"7f1a2d000000-7f1a2d1b0000 r-xp 00028000 fe:01 5678 "
	"/usr/lib/x86_64-linux-gnu/libc.so.6\n"
	"7ffd4a9e0000-7ffd4aa01000 rw-p 00000000 00:00 0          "
	"                [stack]\n";

static void classify(uint64_t addr, const char *want)
{
	struct mt_err err = { 0 };
	const char *path = NULL;

	assert_int_equal(mt_alloc_maps_classify(maps_text, addr, &path, NULL,
						NULL, &err),
			 0);
	assert_string_equal(path, want);
}

static void test_classify_paths(void **state)
{
	(void)state;
	classify(0x55d0c1e3c000, "brk");      /* first byte of the heap */
	classify(0x55d0c1e5cfff, "brk");      /* last byte */
	classify(0x55d0c1e5d000, "unmapped"); /* end is exclusive */
	classify(0x7f1a2b000010, "mmap");     /* anonymous, no name */
	classify(0x7f1a2c000010, "mmap");     /* named anonymous */
	classify(0x7f1a2d000100, "other");    /* a file */
	classify(0x7ffd4a9f0000, "other");    /* the stack */
	classify(0x1000, "unmapped");
}

static void test_classify_bounds(void **state)
{
	struct mt_err err = { 0 };
	const char *path;
	uint64_t lo, hi;

	(void)state;
	assert_int_equal(mt_alloc_maps_classify(maps_text, 0x7f1a2b000100,
						&path, &lo, &hi, &err),
			 0);
	assert_int_equal(lo, 0x7f1a2b000000);
	assert_int_equal(hi, 0x7f1a2b021000);
	assert_int_equal(mt_alloc_maps_classify(maps_text, 0x10, &path, &lo,
						&hi, &err),
			 0);
	assert_int_equal(lo, 0);
	assert_int_equal(hi, 0);
	assert_int_equal(mt_alloc_heap_bounds(maps_text, &lo, &hi, &err), 0);
	assert_int_equal(lo, 0x55d0c1e3c000);
	assert_int_equal(hi, 0x55d0c1e5d000);
}

static void test_classify_malformed(void **state)
{
	static const char bad[] =
		"55d0c1e3c000-55d0c1e5d000 rw-p 00000000 00:00 0 [heap]\n"
		"this is not a mapping\n";
	struct mt_err err = { 0 };
	const char *path;

	(void)state;
	/* an address in the first line is found before the bad line */
	assert_int_equal(mt_alloc_maps_classify(bad, 0x55d0c1e3c100, &path,
						NULL, NULL, &err),
			 0);
	assert_string_equal(path, "brk");
	assert_int_equal(mt_alloc_maps_classify(bad, 0x10, &path, NULL, NULL,
						&err),
			 -EINVAL);
	assert_int_equal(err.kind, MT_ERR_INPUT);
	assert_non_null(strstr(err.msg, "line 2"));
	assert_non_null(strstr(err.msg, "this is not a mapping"));
}

static void test_heap_absent(void **state)
{
	static const char no_heap[] =
		"7f1a2b000000-7f1a2b021000 rw-p 00000000 00:00 0\n";
	struct mt_err err = { 0 };
	uint64_t lo = 1, hi = 1;

	(void)state;
	assert_int_equal(mt_alloc_heap_bounds(no_heap, &lo, &hi, &err),
			 -ENOENT);
}

/* The live process: a malloc'd small block is on the heap, a fresh
 * anonymous mapping is "mmap". */
static void test_classify_live(void **state)
{
	struct mt_err err = { 0 };
	const char *path;
	char *buf;

	(void)state;
#ifdef __SANITIZE_ADDRESS__
	skip(); /* ASan's allocator does not use brk */
#endif
	void *small = malloc(64);
	void *map = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_non_null(small);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mt_fs_read("/proc/self/maps", &buf, NULL, &err), 0);
	assert_int_equal(mt_alloc_maps_classify(buf, (uintptr_t)small, &path,
						NULL, NULL, &err),
			 0);
	assert_string_equal(path, "brk");
	assert_int_equal(mt_alloc_maps_classify(buf, (uintptr_t)map, &path,
						NULL, NULL, &err),
			 0);
	assert_string_equal(path, "mmap");
	free(buf);
	munmap(map, 8192);
	free(small);
}

static void test_statm(void **state)
{
	struct mt_err err = { 0 };
	uint64_t anon = 0;

	(void)state;
	assert_int_equal(mt_alloc_statm_anon("5000 1200 200 10 0 900 0\n", 4096,
					     &anon, &err),
			 0);
	assert_int_equal(anon, 1000ull * 4096);
	assert_int_equal(mt_alloc_statm_anon("5000 1200 1200 10 0 900 0", 4096,
					     &anon, &err),
			 0);
	assert_int_equal(anon, 0);

	assert_int_equal(mt_alloc_statm_anon("5000 1200", 4096, &anon, &err),
			 -EINVAL);
	assert_int_equal(err.kind, MT_ERR_INPUT);
	assert_non_null(strstr(err.msg, "/proc/self/statm"));
	assert_int_equal(mt_alloc_statm_anon("5000 12x0 4 1", 4096, &anon,
					     &err),
			 -EINVAL);
	assert_int_equal(mt_alloc_statm_anon("5000 100 200 1", 4096, &anon,
					     &err),
			 -EINVAL);
	assert_int_equal(mt_alloc_statm_anon("", 4096, &anon, &err), -EINVAL);
}

static void test_count_arenas(void **state)
{
	(void)state;
	assert_int_equal(
		mt_alloc_count_arenas(
			"<malloc version=\"1\">\n<heap nr=\"0\">\n<sizes>\n</sizes>\n"
			"</heap>\n<heap nr=\"1\">\n</heap>\n<total type=\"fast\"/>\n"
			"</malloc>\n"),
		2);
	assert_int_equal(mt_alloc_count_arenas("<malloc version=\"1\">"
					       "</malloc>"),
			 0);
}

/* ---- plan ------------------------------------------------------------- */

struct planned {
	struct mt_cfg cfg;
	struct mt_params *params;
	struct mt_caps caps;
	struct mt_plan plan;
	struct mt_err err;
	int ret;
};

/* Resolves INI text for [alloc] and plans it on a machine with mem bytes
 * of memory. */
static void plan_text(struct planned *pl, const char *ini, uint64_t mem)
{
	struct mt_env env = { 0 };

	memset(pl, 0, sizeof(*pl));
	mt_cfg_init(&pl->cfg);
	assert_int_equal(mt_cfg_load_string(&pl->cfg, "test.ini", ini,
					    &pl->err),
			 0);
	assert_int_equal(mt_params_resolve(&pl->cfg, "alloc",
					   mt_bench_alloc.params, &pl->params,
					   &pl->err),
			 0);
	pl->caps.mem_total = mem;
	env.caps = &pl->caps;
	env.params = pl->params;
	pl->ret = mt_bench_alloc.plan(&env, &pl->plan, &pl->err);
}

static void plan_free(struct planned *pl)
{
	mt_plan_free(&pl->plan);
	mt_params_free(pl->params);
	mt_cfg_free(&pl->cfg);
}

static size_t count_op(const struct mt_plan *plan, const char *op)
{
	size_t n = 0;

	for (size_t i = 0; i < plan->n; i++)
		if (strcmp(json_string_value(json_object_get(
				   plan->cases[i].params, "op")),
			   op) == 0)
			n++;
	return n;
}

static void test_plan_defaults(void **state)
{
	struct planned pl;
	const struct mt_case *c;

	(void)state;
	plan_text(&pl, "[alloc]\n", 24ull << 30);
	assert_int_equal(pl.ret, 0);
	/* 16..4M*2 is 19 sizes */
	assert_int_equal(count_op(&pl.plan, "malloc"), 19);
	assert_int_equal(count_op(&pl.plan, "sbrk"), 19);
	assert_int_equal(count_op(&pl.plan, "mmap"), 19);
	assert_int_equal(count_op(&pl.plan, "kept"), 2);
	assert_int_equal(count_op(&pl.plan, "threshold"), 4 * 3 * 4);
	assert_int_equal(count_op(&pl.plan, "arenas"), 2);

	c = &pl.plan.cases[0];
	assert_string_equal(json_string_value(json_object_get(c->params, "op")),
			    "malloc");
	assert_int_equal(json_integer_value(json_object_get(c->params,
							    "size_bytes")),
			 16);
	assert_string_equal(
		json_string_value(json_object_get(c->params, "mmap_threshold")),
		"default");
	assert_int_equal(c->mode, MT_CASE_CALIBRATE);
	assert_string_equal(c->metrics[0].name, "ns_per_alloc");
	plan_free(&pl);
}

static void test_plan_chosen(void **state)
{
	struct planned pl;
	const struct mt_case *c;

	(void)state;
	plan_text(&pl,
		  "[alloc]\nops = kept, threshold\nblocks = 8\n"
		  "kept_sizes = 4K\nmmap_thresholds = 128K\n"
		  "trim_thresholds = 1M,64M\nthreshold_sizes = 256K\n",
		  24ull << 30);
	assert_int_equal(pl.ret, 0);
	assert_int_equal(pl.plan.n, 3);
	c = &pl.plan.cases[0];
	assert_string_equal(json_string_value(json_object_get(c->params, "op")),
			    "kept");
	assert_int_equal(json_integer_value(json_object_get(c->params,
							    "blocks")),
			 8);
	assert_int_equal(c->mode, MT_CASE_ONCE);
	assert_string_equal(c->metrics[1].name, "rss_after_free");
	c = &pl.plan.cases[2];
	assert_int_equal(json_integer_value(json_object_get(c->params,
							    "mmap_threshold")),
			 128 << 10);
	assert_int_equal(json_integer_value(json_object_get(c->params,
							    "trim_threshold")),
			 64 << 20);
	assert_int_equal(json_integer_value(json_object_get(c->params,
							    "size_bytes")),
			 256 << 10);
	plan_free(&pl);
}

static void test_plan_too_big(void **state)
{
	struct planned pl;

	(void)state;
	/* 256 blocks of 1M on a 256 MiB machine */
	plan_text(&pl, "[alloc]\nops = kept\n", 256ull << 20);
	assert_int_equal(pl.ret, -EINVAL);
	assert_int_equal(pl.err.kind, MT_ERR_INPUT);
	assert_non_null(strstr(pl.err.msg, "alloc.blocks"));
	plan_free(&pl);
}

static void test_plan_bad_config(void **state)
{
	struct mt_cfg cfg;
	struct mt_params *p = NULL;
	struct mt_err err = { 0 };

	(void)state;
	mt_cfg_init(&cfg);
	assert_int_equal(mt_cfg_load_string(&cfg, "t.ini",
					    "[alloc]\nops = malloc,brk\n",
					    &err),
			 0);
	assert_int_equal(mt_params_resolve(&cfg, "alloc", mt_bench_alloc.params,
					   &p, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "ops"));
	mt_cfg_free(&cfg);

	/* mallopt takes an int: the schema stops at 1G */
	mt_cfg_init(&cfg);
	assert_int_equal(mt_cfg_load_string(&cfg, "t.ini",
					    "[alloc]\nmmap_thresholds = 2G\n",
					    &err),
			 0);
	assert_int_equal(mt_params_resolve(&cfg, "alloc", mt_bench_alloc.params,
					   &p, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "mmap_thresholds"));
	mt_cfg_free(&cfg);
}

/* ---- cases, in forked children ---------------------------------------- */

/* Checks inside a forked child: a failure prints where and exits 1, which
 * the parent turns into a test failure (cmocka's own asserts would unwind
 * into a copy of the test runner). */
#define CHECK(cond) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #cond); \
			_exit(1); \
		} \
	} while (0)
#define CHECK_EQ(a, b) CHECK((long long)(a) == (long long)(b))
#define CHECK_STR(a, b) CHECK((a) != NULL && strcmp((a), (b)) == 0)

struct ran {
	enum mt_status setup, verify;
	char reason[1024];
	json_t *obtained;
	struct mt_sample s;
	int run_ret;
	long minflt;
};

/* Sets up the case described by JSON text, runs it once with iters, and
 * verifies it; the caller checks the outcome in the same child. */
static void run_case(const char *params, enum mt_case_mode mode, uint64_t iters,
		     struct ran *r)
{
	struct mt_case c = { .mode = mode };
	struct mt_env env = { 0 };
	struct mt_err err = { 0 };
	struct rusage r0, r1;
	void *st = NULL;

	memset(r, 0, sizeof(*r));
	c.params = json_loads(params, 0, NULL);
	CHECK(c.params);
	r->setup = mt_bench_alloc.setup(&env, &c, &st, &err);
	snprintf(r->reason, sizeof(r->reason), "%s", err.msg);
	if (r->setup != MT_OK)
		goto out;
	getrusage(RUSAGE_SELF, &r0);
	r->run_ret = mt_bench_alloc.run(st, iters, &r->s, &err);
	getrusage(RUSAGE_SELF, &r1);
	r->minflt = r1.ru_minflt - r0.ru_minflt;
	r->obtained = json_object();
	mt_err_clear(&err);
	r->verify = mt_bench_alloc.verify(st, r->obtained, &err);
	snprintf(r->reason, sizeof(r->reason), "%s", err.msg);
	mt_bench_alloc.teardown(st);
out:
	json_decref(c.params);
}

/* run_case, and checks that the case was set up and ran. */
static void run_ok(const char *params, enum mt_case_mode mode, uint64_t iters,
		   struct ran *r)
{
	run_case(params, mode, iters, r);
	CHECK_EQ(r->setup, MT_OK);
	CHECK_EQ(r->run_ret, 0);
}

/* Runs fn in a child process and fails unless it exits 0 (cmocka's
 * failures in the child exit non-zero). */
static void in_child(void (*fn)(void))
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static const char *obtained_str(const struct ran *r, const char *key)
{
	return json_string_value(json_object_get(r->obtained, key));
}

static void pinned_mmap_child(void)
{
	struct ran r;

	/* 256K above a pinned 64K threshold: mmap, every time (pinning
	 * stops glibc from raising the threshold after the first free) */
	run_ok("{\"op\":\"threshold\",\"size_bytes\":262144,"
	       "\"mmap_threshold\":65536,\"trim_threshold\":131072}",
	       MT_CASE_CALIBRATE, 8, &r);
	CHECK_EQ(r.verify, MT_OK);
	CHECK_EQ(r.s.ops, 8);
	CHECK(r.s.values[0] == 1.0); /* mmap_fraction */
	CHECK_STR(obtained_str(&r, "path"), "mmap");
	CHECK_EQ(json_integer_value(json_object_get(r.obtained, "mmap_allocs")),
		 8);
	/* each cycle maps fresh pages: at least 64 faults a cycle */
	CHECK(r.minflt >= 8 * 64);
	json_decref(r.obtained);
}

static void pinned_brk_child(void)
{
	struct ran r;
	json_t *first;

	run_ok("{\"op\":\"threshold\",\"size_bytes\":262144,"
	       "\"mmap_threshold\":33554432,\"trim_threshold\":67108864}",
	       MT_CASE_CALIBRATE, 8, &r);
	CHECK_EQ(r.verify, MT_OK);
	CHECK(r.s.values[0] == 0.0);
	CHECK_STR(obtained_str(&r, "path"), "brk");
	first = json_object_get(r.obtained, "first_cycle");
	CHECK_STR(json_string_value(json_object_get(first, "maps")), "brk");
	CHECK_EQ(json_integer_value(json_object_get(r.obtained,
						    "M_MMAP_THRESHOLD")),
		 32 << 20);
	/* a high trim threshold keeps the freed block: about 256K kept */
	CHECK(r.s.values[1] >= 200 * 1024);
	json_decref(r.obtained);
}

static void test_threshold_cases(void **state)
{
	(void)state;
#ifdef __SANITIZE_ADDRESS__
	skip(); /* ASan replaces malloc: there is no brk path to see */
#endif
	in_child(pinned_mmap_child);
	in_child(pinned_brk_child);
}

static void refused_child(void)
{
	struct ran r;

	/* beyond mallopt's int */
	run_case("{\"op\":\"threshold\",\"size_bytes\":4096,"
		 "\"mmap_threshold\":4294967296,\"trim_threshold\":131072}",
		 MT_CASE_CALIBRATE, 1, &r);
	CHECK_EQ(r.setup, MT_FAILED);
	CHECK(strstr(r.reason, "mallopt(M_MMAP_THRESHOLD, 4294967296) was "
			       "refused"));
	CHECK(strstr(r.reason, "alloc.mmap_thresholds"));
	/* a negative trim threshold (mmap threshold left to glibc) */
	run_case("{\"op\":\"threshold\",\"size_bytes\":4096,"
		 "\"mmap_threshold\":\"default\",\"trim_threshold\":-1}",
		 MT_CASE_CALIBRATE, 1, &r);
	CHECK_EQ(r.setup, MT_FAILED);
	CHECK(strstr(r.reason, "alloc.trim_thresholds"));
}

static void test_threshold_refused(void **state)
{
	(void)state;
	in_child(refused_child);
}

static void kept_child(void)
{
	struct ran r;
	double alloc, freed, trimmed;

	run_ok("{\"op\":\"kept\",\"size_bytes\":32768,\"blocks\":64,"
	       "\"mmap_threshold\":\"default\"}",
	       MT_CASE_ONCE, 0, &r);
	alloc = r.s.values[0];
	freed = r.s.values[1];
	trimmed = r.s.values[2];
	CHECK_STR(obtained_str(&r, "path"), "brk");
	CHECK(alloc >= 64 * 32768 * 0.9);
	/* the live block at the top pins the heap: free() returned nothing */
	CHECK(freed >= 63 * 32768 * 0.9);
	/* malloc_trim(0) gives back the pages of the free chunks */
	CHECK(trimmed < freed / 4);
	CHECK(json_is_true(json_object_get(r.obtained,
					   "malloc_trim_released")));
	json_decref(r.obtained);
}

static void kept_mmap_child(void)
{
	struct ran r;

	/* above a pinned threshold every block is its own mapping, and
	 * free() unmaps it at once */
	CHECK_EQ(mallopt(M_MMAP_THRESHOLD, 128 * 1024), 1);
	run_ok("{\"op\":\"kept\",\"size_bytes\":262144,\"blocks\":16,"
	       "\"mmap_threshold\":\"default\"}",
	       MT_CASE_ONCE, 0, &r);
	CHECK_STR(obtained_str(&r, "path"), "mmap");
	CHECK(r.s.values[0] >= 16 * 262144 * 0.9);
	CHECK(r.s.values[1] <= 2 * 262144);
	json_decref(r.obtained);
}

static void test_kept(void **state)
{
	(void)state;
#ifdef __SANITIZE_ADDRESS__
	skip(); /* ASan's allocator keeps freed memory in quarantine */
#endif
	in_child(kept_child);
	in_child(kept_mmap_child);
}

static void raw_child(void)
{
	struct ran r;

	run_ok("{\"op\":\"mmap\",\"size_bytes\":65536}", MT_CASE_CALIBRATE, 4,
	       &r);
	CHECK_EQ(r.s.ops, 4);
	CHECK_EQ(r.s.bytes, 4 * 65536);
	CHECK(r.minflt >= 4); /* fresh pages every cycle */
	json_decref(r.obtained);

	run_ok("{\"op\":\"sbrk\",\"size_bytes\":65536}", MT_CASE_CALIBRATE, 4,
	       &r);
	CHECK(r.minflt >= 4); /* sbrk(-size) gave the pages back */
	json_decref(r.obtained);
}

static void test_raw(void **state)
{
	(void)state;
	in_child(raw_child);
}

static void arenas_child(void)
{
	struct ran r;

	run_ok("{\"op\":\"arenas\",\"size_bytes\":4096,\"threads\":2,"
	       "\"arena_max\":1}",
	       MT_CASE_CALIBRATE, 100, &r);
	CHECK_EQ(r.s.ops, 100);
	CHECK_EQ(json_integer_value(json_object_get(r.obtained, "arenas")), 1);
	CHECK_EQ(json_array_size(json_object_get(r.obtained, "thread_cpus")),
		 2);
	json_decref(r.obtained);
}

static void arenas_default_child(void)
{
	struct ran r;

	run_ok("{\"op\":\"arenas\",\"size_bytes\":4096,\"threads\":2,"
	       "\"arena_max\":\"default\"}",
	       MT_CASE_CALIBRATE, 100, &r);
	/* each thread gets its own arena beside the main one */
	CHECK(json_integer_value(json_object_get(r.obtained, "arenas")) >= 2);
	json_decref(r.obtained);
}

static void test_arenas(void **state)
{
	(void)state;
#ifdef __SANITIZE_ADDRESS__
	skip(); /* ASan has no glibc arenas */
#endif
	in_child(arenas_child);
	in_child(arenas_default_child);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_paths),
		cmocka_unit_test(test_classify_bounds),
		cmocka_unit_test(test_classify_malformed),
		cmocka_unit_test(test_heap_absent),
		cmocka_unit_test(test_classify_live),
		cmocka_unit_test(test_statm),
		cmocka_unit_test(test_count_arenas),
		cmocka_unit_test(test_plan_defaults),
		cmocka_unit_test(test_plan_chosen),
		cmocka_unit_test(test_plan_too_big),
		cmocka_unit_test(test_plan_bad_config),
		cmocka_unit_test(test_threshold_cases),
		cmocka_unit_test(test_threshold_refused),
		cmocka_unit_test(test_kept),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_arenas),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
