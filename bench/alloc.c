/* brk versus mmap: where glibc's malloc switches from the heap (brk) to
 * mmap on this machine, what each path costs in time and page faults, and
 * what memory each keeps after free.
 *
 * Cases ("op" in the record's case object):
 *   malloc     malloc + touch every page + free of one size, with glibc's
 *              default (dynamic) thresholds
 *   sbrk       the same cycle through raw sbrk(+size) / sbrk(-size)
 *   mmap       the same cycle through raw mmap / munmap
 *   kept       `blocks` blocks allocated, all but the top one freed: RSS
 *              after allocating, after freeing, after malloc_trim(0)
 *   threshold  the malloc cycle with M_MMAP_THRESHOLD and M_TRIM_THRESHOLD
 *              pinned by mallopt
 *   arenas     `threads` threads cycling malloc/free, M_ARENA_MAX 1 or
 *              glibc's default
 * Every case runs in its own worker process (the runner forks one per
 * case), so mallopt settings do not leak from one case into the next.
 *
 * Which path served an allocation is recorded, never assumed: glibc raises
 * its mmap threshold to the size of a freed mmapped chunk (up to 32 MiB)
 * unless a threshold is pinned, so a cycle at 256 KiB is served by mmap
 * the first time and by the heap afterwards. (A pinned threshold may be
 * set above that 32 MiB ceiling: glibc 2.36 accepts any int.)
 *
 * Every timed cycle is classified by comparing its pointer with the heap's
 * bounds (a compare, cheap enough for the timed loop); untimed probes, in
 * setup (the first cycle) and verify (steady state), check that against
 * /proc/self/maps and against mallinfo2()'s count of mmapped chunks.
 */
#include "bench.h"

#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../core/clock.h"
#include "../core/fsroot.h"

static const char *const alloc_ops[] = {
	"malloc", "sbrk", "mmap", "kept", "threshold", "arenas", NULL,
};

/* The keys of [alloc], rows of alloc_params. */
enum alloc_param {
	ALLOC_SIZES,
	ALLOC_OPS,
	ALLOC_BLOCKS,
	ALLOC_KEPT_SIZES,
	ALLOC_MMAP_THRESHOLDS,
	ALLOC_TRIM_THRESHOLDS,
	ALLOC_THRESHOLD_SIZES,
	ALLOC_THREADS,
	ALLOC_ARENA_SIZE,
	ALLOC_NPARAMS
};

static const struct mt_param alloc_params[] = {
	[ALLOC_SIZES] = { .key = "sizes",
			  .type = MT_P_SIZE_LIST,
			  .def = "16..4M*2",
			  .help = "block sizes of the malloc, sbrk and mmap cycles",
			  .min = 1,
			  .max = 1ll << 34 },
	[ALLOC_OPS] = { .key = "ops",
			.type = MT_P_WORDS,
			.def = "malloc,sbrk,mmap,kept,threshold,arenas",
			.help = "experiments to run: malloc, sbrk, mmap (cycles per "
				"size), kept (memory kept after free), threshold "
				"(mallopt sweep), arenas (M_ARENA_MAX with threads)",
			.choices = alloc_ops },
	[ALLOC_BLOCKS] = { .key = "blocks",
			   .type = MT_P_INT,
			   .def = "256",
			   .help = "blocks allocated by the kept experiment",
			   .min = 2,
			   .max = 1000000 },
	[ALLOC_KEPT_SIZES] = { .key = "kept_sizes",
			       .type = MT_P_SIZE_LIST,
			       .def = "32K,1M",
			       .help = "block sizes of the kept experiment: one below the mmap "
				       "threshold (heap) and one above it (mmap)",
			       .min = 1,
			       .max = 1ll << 34 },
	[ALLOC_MMAP_THRESHOLDS] = { .key = "mmap_thresholds",
				    .type = MT_P_SIZE_LIST,
				    .def = "64K,128K,1M,32M",
				    .help = "M_MMAP_THRESHOLD values of the threshold sweep (pinned "
					    "values may exceed the 32M ceiling of glibc's dynamic "
					    "threshold; mallopt takes an int)",
				    .min = 1,
				    .max = 1ll << 30 },
	[ALLOC_TRIM_THRESHOLDS] = { .key = "trim_thresholds",
				    .type = MT_P_SIZE_LIST,
				    .def = "128K,1M,64M",
				    .help = "M_TRIM_THRESHOLD values of the threshold sweep",
				    .min = 1,
				    .max = 1ll << 30 },
	[ALLOC_THRESHOLD_SIZES] = { .key = "threshold_sizes",
				    .type = MT_P_SIZE_LIST,
				    .def = "64K,256K,1M,4M",
				    .help = "block sizes cycled under each mallopt setting of the "
					    "threshold sweep",
				    .min = 1,
				    .max = 1ll << 34 },
	[ALLOC_THREADS] = { .key = "threads",
			    .type = MT_P_INT,
			    .def = "2",
			    .help = "threads of the arenas experiment",
			    .min = 1,
			    .max = 256 },
	[ALLOC_ARENA_SIZE] = { .key = "arena_size",
			       .type = MT_P_SIZE,
			       .def = "4K",
			       .help = "block size of the arenas experiment (above the 1032-byte "
				       "tcache limit, so that every call takes an arena lock)",
			       .min = 1,
			       .max = 1ll << 30 },
	[ALLOC_NPARAMS] = MT_PARAMS_END,
};

/* Slots of sample.values. */
enum {
	SLOT_MMAP_FRACTION = 0,
	SLOT_RSS_KEPT,
	SLOT_RSS_AFTER_ALLOC = 0,
	SLOT_RSS_AFTER_FREE,
	SLOT_RSS_AFTER_TRIM,
};

/* malloc and threshold cycles. */
static const struct mt_metric cycle_metrics[] = {
	{ "ns_per_alloc", "ns", MT_NS_PER_OP, 0, false },
	{ "faults_per_alloc", "faults", MT_FAULTS_PER_OP, 0, false },
	{ "mmap_fraction", "fraction", MT_VALUE, SLOT_MMAP_FRACTION, false },
	{ "rss_kept", "bytes", MT_VALUE, SLOT_RSS_KEPT, false },
};

/* Raw sbrk and mmap cycles. */
static const struct mt_metric raw_metrics[] = {
	{ "ns_per_alloc", "ns", MT_NS_PER_OP, 0, false },
	{ "faults_per_alloc", "faults", MT_FAULTS_PER_OP, 0, false },
};

static const struct mt_metric kept_metrics[] = {
	{ "rss_after_alloc", "bytes", MT_VALUE, SLOT_RSS_AFTER_ALLOC, false },
	{ "rss_after_free", "bytes", MT_VALUE, SLOT_RSS_AFTER_FREE, false },
	{ "rss_after_trim", "bytes", MT_VALUE, SLOT_RSS_AFTER_TRIM, false },
};

static const struct mt_metric arena_metrics[] = {
	{ "ns_per_alloc", "ns", MT_NS_PER_OP, 0, false },
	{ "faults_per_alloc", "faults", MT_FAULTS_PER_OP, 0, false },
	{ "rss_kept", "bytes", MT_VALUE, SLOT_RSS_KEPT, false },
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- pure helpers (exported for tests/unit/test_alloc.c) ---------------- */

/* Finds the mapping of /proc/self/maps text `maps` that contains addr and
 * names the path that served it: "brk" for the [heap] mapping, "mmap" for
 * an anonymous mapping (no name, or a "[anon:...]" name), "other" for any
 * other mapping (a file, the stack), "unmapped" when no mapping holds it.
 * The mapping's bounds go to *lo and *hi when not NULL (0 if unmapped).
 * Returns 0, or -EINVAL with err naming the malformed line. */
int mt_alloc_maps_classify(const char *maps, uint64_t addr, const char **path,
			   uint64_t *lo, uint64_t *hi, struct mt_err *err)
{
	const char *line = maps;
	int lineno = 1;

	*path = "unmapped";
	if (lo)
		*lo = 0;
	if (hi)
		*hi = 0;
	for (; *line; lineno++) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		unsigned long long a, b;
		char perms[8];
		int name_at = -1;
		char buf[512];

		if (len == 0)
			goto next;
		if (len >= sizeof(buf))
			len = sizeof(buf) - 1;
		memcpy(buf, line, len);
		buf[len] = '\0';
		/* lo-hi perms offset dev inode [name] */
		if (sscanf(buf, "%llx-%llx %7s %*x %*s %*u %n", &a, &b, perms,
			   &name_at) < 3 ||
		    name_at < 0 || a > b)
			return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
					  "alloc: /proc/self/maps line %d is "
					  "not 'lo-hi perms offset dev inode "
					  "[name]': '%.80s'",
					  lineno, buf);
		if (addr >= a && addr < b) {
			const char *name = buf + name_at;

			if (strcmp(name, "[heap]") == 0)
				*path = "brk";
			else if (name[0] == '\0' ||
				 strncmp(name, "[anon:", 6) == 0)
				*path = "mmap";
			else
				*path = "other";
			if (lo)
				*lo = a;
			if (hi)
				*hi = b;
			return 0;
		}
next:
		if (!nl)
			break;
		line = nl + 1;
	}
	return 0;
}

/* Stores the bounds of the [heap] mapping of maps text in *lo and *hi.
 * Returns 0, -ENOENT when the process has no heap yet, or -EINVAL (err
 * set) for a malformed line. */
int mt_alloc_heap_bounds(const char *maps, uint64_t *lo, uint64_t *hi,
			 struct mt_err *err)
{
	const char *p = strstr(maps, "[heap]");
	const char *start;
	const char *path;
	unsigned long long a;

	if (!p)
		return -ENOENT;
	start = p;
	while (start > maps && start[-1] != '\n')
		start--;

	if (sscanf(start, "%llx-", &a) != 1)
		return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				  "alloc: /proc/self/maps: the [heap] line "
				  "has no address range: '%.80s'",
				  start);
	return mt_alloc_maps_classify(maps, a, &path, lo, hi, err);
}

/* Parses /proc/self/statm text ("size resident shared text lib data dt",
 * in pages) and stores the anonymous resident memory in bytes: resident
 * minus shared, where shared counts the resident file and shmem pages.
 * Code pages of libraries faulted in during a measurement therefore do
 * not count as memory that malloc keeps. Returns 0 or -EINVAL with err
 * set. */
int mt_alloc_statm_anon(const char *statm, uint64_t page_size, uint64_t *anon,
			struct mt_err *err)
{
	unsigned long long size, resident, shared;
	int end = -1;

	if (sscanf(statm, "%llu %llu %llu%n", &size, &resident, &shared,
		   &end) != 3 ||
	    end < 0 ||
	    (statm[end] != ' ' && statm[end] != '\n' && statm[end] != '\0') ||
	    shared > resident)
		return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				  "alloc: /proc/self/statm is not 'size "
				  "resident shared ...' in pages: '%.60s'",
				  statm);
	*anon = (uint64_t)(resident - shared) * page_size;
	return 0;
}

/* Counts the arenas in malloc_info() XML: one <heap nr="N"> element per
 * arena. Returns the count (0 if there is none). */
int mt_alloc_count_arenas(const char *xml)
{
	int n = 0;

	for (const char *p = xml; (p = strstr(p, "<heap nr=")); p++)
		n++;
	return n;
}

/* ---- reading the process ------------------------------------------------- */

/* Anonymous resident memory of this process in bytes (what malloc holds),
 * from /proc/self/statm. */
static int read_rss(uint64_t *rss, struct mt_err *err)
{
	char *text;
	int ret = mt_fs_read("/proc/self/statm", &text, NULL, err);

	if (ret < 0)
		return ret;
	ret = mt_alloc_statm_anon(text, (uint64_t)sysconf(_SC_PAGESIZE), rss,
				  err);
	free(text);
	return ret;
}

/* The path that served the live block p, from /proc/self/maps. */
static int maps_path(const void *p, const char **path, struct mt_err *err)
{
	char *text;
	int ret = mt_fs_read("/proc/self/maps", &text, NULL, err);

	if (ret < 0)
		return ret;
	ret = mt_alloc_maps_classify(text, (uint64_t)(uintptr_t)p, path, NULL,
				     NULL, err);
	free(text);
	return ret;
}

/* Start of the brk heap: the [heap] mapping, or the current break when the
 * process has no heap yet (all later growth lies above it). */
static int heap_start(uintptr_t *lo, struct mt_err *err)
{
	uint64_t a, b;
	char *text;
	int ret = mt_fs_read("/proc/self/maps", &text, NULL, err);

	if (ret < 0)
		return ret;
	ret = mt_alloc_heap_bounds(text, &a, &b, err);
	free(text);
	if (ret == -ENOENT) {
		*lo = (uintptr_t)sbrk(0);
		return 0;
	}
	if (ret == 0)
		*lo = (uintptr_t)a;
	return ret;
}

/* ---- the cycles ---------------------------------------------------------- */

enum alloc_op { OP_MALLOC, OP_SBRK, OP_MMAP, OP_KEPT, OP_THRESHOLD, OP_ARENAS };

struct alloc_thread;

struct alloc_state {
	enum alloc_op op;
	size_t size;			  /* bytes per block */
	size_t page;			  /* bytes per base page */
	uintptr_t heap_lo;		  /* start of the brk heap */
	uint64_t rss_base;		  /* RSS at setup, bytes */
	uint64_t brk_allocs, mmap_allocs; /* cycles after the first */
	json_t *notes;			  /* what setup found, for verify */

	/* kept */
	void **blocks;
	int n_blocks;
	int top; /* index of the block kept live */
	uint64_t brk_blocks, mmap_blocks;
	uint64_t heap_after_free;     /* bytes between heap start and brk */
	uint64_t arena_free;	      /* mallinfo2 fordblks after free */
	uint64_t mmapped_after_alloc; /* mallinfo2 hblkhd after alloc */
	int trim_released;	      /* malloc_trim's return */

	/* arenas */
	struct alloc_thread *threads;
	int n_threads;
	pthread_barrier_t start, done;
	pthread_mutex_t gate; /* held while threads are created */
	bool barriers;
	uint64_t iters; /* per thread, per sample */
	bool stop;
};

struct alloc_thread {
	struct alloc_state *st;
	pthread_t tid;
	bool started;
	int want_cpu, cpu; /* asked for, last seen */
	int failed;	   /* -ENOMEM when malloc failed */
};

/* Writes one byte in every page of [p, p+size), the last byte included,
 * so that the allocation's first-touch faults are part of the cycle. */
static inline void touch(volatile char *p, size_t size, size_t page)
{
	for (size_t off = 0; off < size; off += page)
		p[off] = 1;
	p[size - 1] = 1;
}

/* True if p lies in the brk heap. sbrk(0) returns glibc's cached break
 * without a system call, so this is cheap enough for the timed loop. */
static inline bool in_heap(const struct alloc_state *st, const void *p)
{
	uintptr_t a = (uintptr_t)p;

	return a >= st->heap_lo && a < (uintptr_t)sbrk(0);
}

static const char *path_name(uint64_t brk, uint64_t mmapped)
{
	if (brk && mmapped)
		return "mixed";
	if (mmapped)
		return "mmap";
	return brk ? "brk" : "none";
}

/* One untimed probe of the malloc path for the current size: allocates a
 * block, touches it, and records into obj where it landed by three
 * witnesses: the heap bounds (as the timed loop sees it), /proc/self/maps
 * and mallinfo2's count of mmapped chunks. *agree is false when they
 * disagree. When t_ns/faults are not NULL, the malloc+touch+free is timed
 * (the maps reading excluded). Returns 0 or -errno. */
static int probe(struct alloc_state *st, json_t *obj, bool *agree,
		 uint64_t *t_ns, uint64_t *faults, struct mt_err *err)
{
	struct mallinfo2 m0, m1;
	struct rusage r0, r1, r2, r3;
	uint64_t t0, t1, t2, t3;
	const char *mpath;
	bool heap;
	char *p;
	int ret;

	m0 = mallinfo2();
	getrusage(RUSAGE_SELF, &r0);
	t0 = mt_now_ns();
	p = malloc(st->size);
	if (!p)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "alloc: malloc(%zu) failed (lower "
				  "alloc.sizes)",
				  st->size);
	touch(p, st->size, st->page);
	t1 = mt_now_ns();
	getrusage(RUSAGE_SELF, &r1);
	heap = in_heap(st, p);
	m1 = mallinfo2();
	ret = maps_path(p, &mpath, err);
	getrusage(RUSAGE_SELF, &r2);
	t2 = mt_now_ns();
	free(p);
	t3 = mt_now_ns();
	getrusage(RUSAGE_SELF, &r3);
	if (ret < 0)
		return ret;

	long hblks = (long)m1.hblks - (long)m0.hblks;
	const char *by_count = hblks > 0 ? "mmap" : "brk";
	const char *by_bounds = heap ? "brk" : "mmap";

	*agree = strcmp(by_count, by_bounds) == 0 &&
		 strcmp(mpath, by_bounds) == 0;
	json_object_set_new(obj, "path", json_string(by_bounds));
	json_object_set_new(obj, "maps", json_string(mpath));
	json_object_set_new(obj, "mmapped_chunks_delta", json_integer(hblks));
	if (t_ns)
		*t_ns = (t1 - t0) + (t3 - t2);
	if (faults)
		*faults = (uint64_t)((r1.ru_minflt - r0.ru_minflt) +
				     (r3.ru_minflt - r2.ru_minflt));
	return 0;
}

/* Applies the mallopt settings of a case (integer values of its
 * mmap_threshold, trim_threshold and arena_max; "default" or absent leaves
 * glibc's) and records them in notes. Returns MT_OK, or MT_FAILED with
 * err set when a value is out of mallopt's range or refused. */
static enum mt_status apply_mallopt(const struct mt_case *c, json_t *notes,
				    struct mt_err *err)
{
	static const struct {
		const char *key;
		int param;
		const char *name;
		const char *config; /* the key that produced the value */
	} opts[] = {
		{ "mmap_threshold", M_MMAP_THRESHOLD, "M_MMAP_THRESHOLD",
		  "alloc.mmap_thresholds" },
		{ "trim_threshold", M_TRIM_THRESHOLD, "M_TRIM_THRESHOLD",
		  "alloc.trim_thresholds" },
		{ "arena_max", M_ARENA_MAX, "M_ARENA_MAX", "alloc.threads" },
	};

	for (size_t i = 0; i < N_OF(opts); i++) {
		json_t *v = json_object_get(c->params, opts[i].key);
		json_int_t want;

		if (!json_is_integer(v))
			continue; /* absent or "default" */
		want = json_integer_value(v);
		if (want <= 0 || want > INT32_MAX ||
		    mallopt(opts[i].param, (int)want) != 1) {
			mt_err_why(err,
				   "alloc: mallopt(%s, %" PRId64 ") was "
				   "refused (it takes a positive int, at most "
				   "%d; change %s)",
				   opts[i].name, (int64_t)want, INT32_MAX,
				   opts[i].config);
			return MT_FAILED;
		}
		json_object_set_new(notes, opts[i].name, json_integer(want));
	}
	return MT_OK;
}

static int cycle_malloc_run(void *state, uint64_t iters, struct mt_sample *s,
			    struct mt_err *err)
{
	struct alloc_state *st = state;
	uint64_t mmapped = 0, rss;
	int ret;

	for (uint64_t i = 0; i < iters; i++) {
		char *p = malloc(st->size);

		if (!p)
			return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
					  "alloc: malloc(%zu) failed (lower "
					  "alloc.sizes)",
					  st->size);
		touch(p, st->size, st->page);
		mmapped += !in_heap(st, p);
		free(p);
	}
	/* One statm read per sample (tens of microseconds in a sample of
	 * tens of milliseconds): what the heap holds after the cycles. */
	ret = read_rss(&rss, err);
	if (ret < 0)
		return ret;
	st->mmap_allocs += mmapped;
	st->brk_allocs += iters - mmapped;
	s->ops = iters;
	s->bytes = iters * st->size;
	if (iters)
		s->values[SLOT_MMAP_FRACTION] = (double)mmapped / (double)iters;
	s->values[SLOT_RSS_KEPT] = (double)rss - (double)st->rss_base;
	return 0;
}

static int cycle_sbrk_run(void *state, uint64_t iters, struct mt_sample *s,
			  struct mt_err *err)
{
	struct alloc_state *st = state;

	/* Nothing may call malloc between the two sbrk calls: glibc's heap
	 * top would land in our increment. The loop calls nothing else. */
	for (uint64_t i = 0; i < iters; i++) {
		char *p = sbrk((intptr_t)st->size);

		if (p == (void *)-1)
			return mt_err_set(err, -errno, MT_ERR_RUNTIME,
					  "alloc: sbrk(%zu) failed: %s "
					  "(lower alloc.sizes)",
					  st->size, strerror(errno));
		touch(p, st->size, st->page);
		if (sbrk(-(intptr_t)st->size) == (void *)-1)
			return mt_err_set(err, -errno, MT_ERR_RUNTIME,
					  "alloc: sbrk(-%zu) failed: %s",
					  st->size, strerror(errno));
	}
	s->ops = iters;
	s->bytes = iters * st->size;
	return 0;
}

static int cycle_mmap_run(void *state, uint64_t iters, struct mt_sample *s,
			  struct mt_err *err)
{
	struct alloc_state *st = state;

	for (uint64_t i = 0; i < iters; i++) {
		char *p = mmap(NULL, st->size, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return mt_err_set(err, -errno, MT_ERR_RUNTIME,
					  "alloc: mmap of %zu bytes failed: "
					  "%s (lower alloc.sizes)",
					  st->size, strerror(errno));
		touch(p, st->size, st->page);
		munmap(p, st->size);
	}
	s->ops = iters;
	s->bytes = iters * st->size;
	return 0;
}

/* ---- kept ---------------------------------------------------------------- */

/* The whole experiment, once: allocate and touch every block, free all but
 * the one at the highest address (on the heap, the one at the top, which
 * the heap cannot shrink below), then malloc_trim(0). RSS is read after
 * each step and reported as growth over the RSS before allocating. */
static int kept_run(void *state, uint64_t iters, struct mt_sample *s,
		    struct mt_err *err)
{
	struct alloc_state *st = state;
	uint64_t rss0, rss1, rss2, rss3;
	struct mallinfo2 mi;
	int ret;

	(void)iters;
	ret = read_rss(&rss0, err);
	if (ret < 0)
		return ret;
	st->rss_base = rss0;
	st->top = 0;
	for (int i = 0; i < st->n_blocks; i++) {
		st->blocks[i] = malloc(st->size);
		if (!st->blocks[i])
			return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
					  "alloc: kept: malloc of block %d of "
					  "%zu bytes failed (lower "
					  "alloc.blocks)",
					  i, st->size);
		touch(st->blocks[i], st->size, st->page);
		if (in_heap(st, st->blocks[i]))
			st->brk_blocks++;
		else
			st->mmap_blocks++;
		if ((uintptr_t)st->blocks[i] > (uintptr_t)st->blocks[st->top])
			st->top = i;
	}
	st->mmapped_after_alloc = mallinfo2().hblkhd;
	ret = read_rss(&rss1, err);
	if (ret < 0)
		return ret;
	for (int i = 0; i < st->n_blocks; i++) {
		if (i == st->top)
			continue;
		free(st->blocks[i]);
		st->blocks[i] = NULL;
	}
	mi = mallinfo2();
	st->arena_free = mi.fordblks;
	st->heap_after_free = (uint64_t)((uintptr_t)sbrk(0) - st->heap_lo);
	ret = read_rss(&rss2, err);
	if (ret < 0)
		return ret;
	st->trim_released = malloc_trim(0);
	ret = read_rss(&rss3, err);
	if (ret < 0)
		return ret;
	s->ops = (uint64_t)st->n_blocks;
	s->values[SLOT_RSS_AFTER_ALLOC] = (double)rss1 - (double)rss0;
	s->values[SLOT_RSS_AFTER_FREE] = (double)rss2 - (double)rss0;
	s->values[SLOT_RSS_AFTER_TRIM] = (double)rss3 - (double)rss0;
	return 0;
}

/* ---- arenas -------------------------------------------------------------- */

/* A worker thread: waits for a sample to start, does st->iters
 * malloc+touch+free cycles, waits for the others. */
static void *arena_thread(void *arg)
{
	struct alloc_thread *t = arg;
	struct alloc_state *st = t->st;

	/* Nothing touches the barriers until every thread exists: a failed
	 * pthread_create leaves stop set and the started threads return. */
	pthread_mutex_lock(&st->gate);
	pthread_mutex_unlock(&st->gate);
	if (st->stop)
		return NULL;
	for (;;) {
		pthread_barrier_wait(&st->start);
		if (st->stop)
			break;
		for (uint64_t i = 0; i < st->iters && !t->failed; i++) {
			char *p = malloc(st->size);

			if (!p) {
				t->failed = -ENOMEM;
				break;
			}
			touch(p, st->size, st->page);
			free(p);
		}
		t->cpu = sched_getcpu();
		pthread_barrier_wait(&st->done);
	}
	return NULL;
}

/* Starts the threads, each pinned to its own CPU when there are enough
 * (the runner pins the worker process to one CPU; contention between
 * arenas needs threads that really run at the same time). */
static enum mt_status arenas_start(struct alloc_state *st, int n,
				   struct mt_err *err)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	enum mt_status status = MT_OK;
	int e;

	st->threads = calloc((size_t)n, sizeof(*st->threads));
	if (!st->threads) {
		mt_err_why(err, "alloc: arenas: out of memory");
		return MT_FAILED;
	}
	st->n_threads = n;
	if (pthread_barrier_init(&st->start, NULL, (unsigned)n + 1))
		goto out_barrier;
	if (pthread_barrier_init(&st->done, NULL, (unsigned)n + 1)) {
		pthread_barrier_destroy(&st->start);
		goto out_barrier;
	}
	st->barriers = true;
	pthread_mutex_init(&st->gate, NULL);
	pthread_mutex_lock(&st->gate);
	for (int i = 0; i < n; i++) {
		struct alloc_thread *t = &st->threads[i];
		pthread_attr_t attr;
		cpu_set_t set;

		t->st = st;
		t->cpu = -1;
		t->want_cpu = ncpu > 0 ? (int)(i % ncpu) : 0;
		CPU_ZERO(&set);
		CPU_SET(t->want_cpu, &set);
		pthread_attr_init(&attr);
		pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
		e = pthread_create(&t->tid, &attr, arena_thread, t);
		pthread_attr_destroy(&attr);
		/* A CPU outside our cpuset: run where the kernel lets us
		 * (verify records where each thread really ran). */
		if (e == EINVAL)
			e = pthread_create(&t->tid, NULL, arena_thread, t);
		if (e) {
			mt_err_why(err,
				   "alloc: arenas: cannot start thread "
				   "%d: %s (lower alloc.threads)",
				   i, strerror(e));
			st->stop = true;
			status = MT_FAILED;
			break;
		}
		t->started = true;
	}
	pthread_mutex_unlock(&st->gate);
	return status;

out_barrier:
	mt_err_why(err, "alloc: arenas: cannot create barriers");
	return MT_FAILED;
}

/* Stops and joins the threads that were started: when all of them are,
 * through the start barrier; after a failed start, they saw stop at the
 * gate and are returning already. */
static void arenas_stop(struct alloc_state *st)
{
	if (!st->barriers) {
		free(st->threads);
		return;
	}
	if (!st->stop) {
		st->stop = true;
		pthread_barrier_wait(&st->start);
	}
	for (int i = 0; i < st->n_threads; i++)
		if (st->threads[i].started)
			pthread_join(st->threads[i].tid, NULL);
	pthread_barrier_destroy(&st->start);
	pthread_barrier_destroy(&st->done);
	pthread_mutex_destroy(&st->gate);
	free(st->threads);
}

static int arenas_run(void *state, uint64_t iters, struct mt_sample *s,
		      struct mt_err *err)
{
	struct alloc_state *st = state;
	uint64_t rss;
	int ret;

	st->iters = iters;
	pthread_barrier_wait(&st->start);
	pthread_barrier_wait(&st->done);
	for (int i = 0; i < st->n_threads; i++)
		if (st->threads[i].failed)
			return mt_err_set(err, st->threads[i].failed,
					  MT_ERR_RUNTIME,
					  "alloc: arenas: "
					  "malloc(%zu) failed in thread %d",
					  st->size, i);
	ret = read_rss(&rss, err);
	if (ret < 0)
		return ret;
	/* Each thread did iters cycles at the same time: ns_per_alloc is the
	 * wall time of one thread's cycle under contention. */
	s->ops = iters;
	s->bytes = iters * st->size * (uint64_t)st->n_threads;
	s->values[SLOT_RSS_KEPT] = (double)rss - (double)st->rss_base;
	return 0;
}

/* Number of arenas malloc has created, from malloc_info(); -1 if it
 * cannot be read. */
static int count_arenas(void)
{
	char *xml = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&xml, &len);
	int n = -1;

	if (!f)
		return -1;
	if (malloc_info(0, f) == 0) {
		fflush(f);
		n = mt_alloc_count_arenas(xml);
	}
	fclose(f);
	free(xml);
	return n;
}

/* ---- the benchmark ------------------------------------------------------- */

static enum mt_status alloc_supported(const struct mt_env *env,
				      struct mt_err *err)
{
	(void)env;
#ifdef __GLIBC__
	(void)err;
	return MT_OK;
#else
	mt_err_why(err, "needs glibc's malloc (mallopt, mallinfo2, "
			"malloc_trim); this build uses another C library");
	return MT_SKIPPED;
#endif
}

static json_t *case_new(const char *op, uint64_t size)
{
	return json_pack("{s:s, s:I}", "op", op, "size_bytes",
			 (json_int_t)size);
}

/* Checks that one experiment fits comfortably in memory; key is the
 * setting to blame (where it was set goes in the message). */
static int check_fits(const struct mt_env *env, const char *what,
		      enum alloc_param key, uint64_t bytes, struct mt_err *err)
{
	uint64_t mem = env->caps ? env->caps->mem_total : 0;
	char at[320];

	if (mem && bytes > mem / 2) {
		mt_p_where(env->params, key, at, sizeof(at));
		return mt_err_set(
			err, -EINVAL, MT_ERR_INPUT,
			"%s: alloc: %s needs %" PRIu64 " bytes, "
			"more than half of this machine's memory (%" PRIu64
			" bytes); lower it",
			at, what, bytes, mem);
	}
	return 0;
}

#define ADD(params, metrics, mode) \
	do { \
		json_t *p_ = (params); \
		if (!p_) \
			goto out_nomem; \
		if (mt_plan_add(plan, p_, metrics, N_OF(metrics), mode) < 0) \
			goto out_nomem; \
	} while (0)

/* Expands ops x sizes (and the mallopt grids) into cases, in the order of
 * alloc_ops. Returns 0, -EINVAL (MT_ERR_INPUT) for sizes that do not fit
 * in memory, or -ENOMEM. */
static int alloc_plan(const struct mt_env *env, struct mt_plan *plan,
		      struct mt_err *err)
{
	const struct mt_params *p = env->params;
	size_t n_sizes, n_kept, n_mt, n_tt, n_ts;
	const uint64_t *sizes = mt_p_sizes(p, ALLOC_SIZES, &n_sizes);
	const uint64_t *kept = mt_p_sizes(p, ALLOC_KEPT_SIZES, &n_kept);
	const uint64_t *mts = mt_p_sizes(p, ALLOC_MMAP_THRESHOLDS, &n_mt);
	const uint64_t *tts = mt_p_sizes(p, ALLOC_TRIM_THRESHOLDS, &n_tt);
	const uint64_t *tsz = mt_p_sizes(p, ALLOC_THRESHOLD_SIZES, &n_ts);
	int64_t blocks = mt_p_int(p, ALLOC_BLOCKS);
	int64_t threads = mt_p_int(p, ALLOC_THREADS);
	uint64_t arena_size = mt_p_size(p, ALLOC_ARENA_SIZE);
	int ret;

	for (size_t i = 0; i < n_sizes; i++) {
		ret = check_fits(env, "alloc.sizes", ALLOC_SIZES, sizes[i],
				 err);
		if (ret < 0)
			return ret;
	}
	for (size_t i = 0; i < n_kept; i++) {
		ret = check_fits(env, "alloc.blocks x alloc.kept_sizes",
				 ALLOC_KEPT_SIZES, (uint64_t)blocks * kept[i],
				 err);
		if (ret < 0)
			return ret;
	}

	if (mt_p_has_word(p, ALLOC_OPS, "malloc"))
		for (size_t i = 0; i < n_sizes; i++)
			ADD(json_pack("{s:s, s:I, s:s, s:s}", "op", "malloc",
				      "size_bytes", (json_int_t)sizes[i],
				      "mmap_threshold", "default",
				      "trim_threshold", "default"),
			    cycle_metrics, MT_CASE_CALIBRATE);
	if (mt_p_has_word(p, ALLOC_OPS, "sbrk"))
		for (size_t i = 0; i < n_sizes; i++)
			ADD(case_new("sbrk", sizes[i]), raw_metrics,
			    MT_CASE_CALIBRATE);
	if (mt_p_has_word(p, ALLOC_OPS, "mmap"))
		for (size_t i = 0; i < n_sizes; i++)
			ADD(case_new("mmap", sizes[i]), raw_metrics,
			    MT_CASE_CALIBRATE);
	if (mt_p_has_word(p, ALLOC_OPS, "kept"))
		for (size_t i = 0; i < n_kept; i++)
			ADD(json_pack("{s:s, s:I, s:I, s:s}", "op", "kept",
				      "size_bytes", (json_int_t)kept[i],
				      "blocks", (json_int_t)blocks,
				      "mmap_threshold", "default"),
			    kept_metrics, MT_CASE_ONCE);
	if (mt_p_has_word(p, ALLOC_OPS, "threshold"))
		for (size_t m = 0; m < n_mt; m++)
			for (size_t t = 0; t < n_tt; t++)
				for (size_t i = 0; i < n_ts; i++)
					ADD(json_pack("{s:s, s:I, s:I, s:I}",
						      "op", "threshold",
						      "size_bytes",
						      (json_int_t)tsz[i],
						      "mmap_threshold",
						      (json_int_t)mts[m],
						      "trim_threshold",
						      (json_int_t)tts[t]),
					    cycle_metrics, MT_CASE_CALIBRATE);
	if (mt_p_has_word(p, ALLOC_OPS, "arenas")) {
		ADD(json_pack("{s:s, s:I, s:I, s:i}", "op", "arenas",
			      "size_bytes", (json_int_t)arena_size, "threads",
			      (json_int_t)threads, "arena_max", 1),
		    arena_metrics, MT_CASE_CALIBRATE);
		ADD(json_pack("{s:s, s:I, s:I, s:s}", "op", "arenas",
			      "size_bytes", (json_int_t)arena_size, "threads",
			      (json_int_t)threads, "arena_max", "default"),
		    arena_metrics, MT_CASE_CALIBRATE);
	}
	return 0;

out_nomem:
	return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
			  "alloc: out of memory while planning cases");
}

#undef ADD

static enum alloc_op op_of(const struct mt_case *c)
{
	const char *op = json_string_value(json_object_get(c->params, "op"));

	for (int i = 0; op && alloc_ops[i]; i++)
		if (strcmp(op, alloc_ops[i]) == 0)
			return (enum alloc_op)i;
	return OP_MALLOC;
}

/* Prepares one case in the worker: applies its mallopt settings, finds the
 * heap, takes the RSS baseline and, for malloc cycles, runs and records the
 * first cycle (which may take a path the later ones do not). */
static enum mt_status alloc_setup(const struct mt_env *env,
				  const struct mt_case *c, void **state,
				  struct mt_err *err)
{
	struct alloc_state *st;
	enum mt_status status;
	struct mallinfo2 mi;
	json_t *first;
	uint64_t ns, faults;
	bool agree;
	int ret;

	(void)env;
	st = calloc(1, sizeof(*st));
	if (!st) {
		mt_err_why(err, "alloc: out of memory");
		return MT_FAILED;
	}
	st->op = op_of(c);
	st->size = (size_t)json_integer_value(json_object_get(c->params,
							      "size_bytes"));
	st->page = (size_t)sysconf(_SC_PAGESIZE);
	st->notes = json_object();
	if (!st->notes || st->size == 0) {
		mt_err_why(err, "alloc: bad case (no size_bytes)");
		status = MT_FAILED;
		goto out_free;
	}
	/* mallopt before anything else allocates in this case. */
	status = apply_mallopt(c, st->notes, err);
	if (status != MT_OK)
		goto out_free;
	/* The worker is a fork of the runner and inherits its heap. Free
	 * space there serves requests whatever the mmap threshold says (the
	 * threshold applies only when the heap cannot serve a request), so
	 * a runner with a large top chunk would hide the mmap path. Trim the
	 * top, as a fresh process would have it, and record what is left. */
	mi = mallinfo2();
	json_object_set_new(st->notes, "heap_top_bytes_inherited",
			    json_integer((json_int_t)mi.keepcost));
	malloc_trim(0);
	mi = mallinfo2();
	json_object_set_new(st->notes, "heap_free_bytes_at_setup",
			    json_integer((json_int_t)mi.fordblks));
	ret = heap_start(&st->heap_lo, err);
	if (ret == 0)
		ret = read_rss(&st->rss_base, err);
	if (ret < 0)
		goto out_err;

	switch (st->op) {
	case OP_MALLOC:
	case OP_THRESHOLD:
		first = json_object();
		ret = probe(st, first, &agree, &ns, &faults, err);
		if (ret < 0) {
			json_decref(first);
			goto out_err;
		}
		json_object_set_new(first, "ns", json_integer((json_int_t)ns));
		json_object_set_new(first, "minor_faults",
				    json_integer((json_int_t)faults));
		json_object_set_new(first, "witnesses_agree",
				    json_boolean(agree));
		json_object_set_new(st->notes, "first_cycle", first);
		break;
	case OP_KEPT: {
		int64_t n = json_integer_value(json_object_get(c->params,
							       "blocks"));

		/* The pointer array is allocated now, below the blocks. */
		st->n_blocks = (int)n;
		st->blocks = calloc((size_t)n, sizeof(*st->blocks));
		if (!st->blocks) {
			mt_err_why(err, "alloc: kept: out of memory");
			status = MT_FAILED;
			goto out_free;
		}
		break;
	}
	case OP_ARENAS: {
		int64_t n = json_integer_value(json_object_get(c->params,
							       "threads"));

		status = arenas_start(st, (int)n, err);
		if (status != MT_OK)
			goto out_free;
		break;
	}
	case OP_SBRK:
	case OP_MMAP: break;
	}
	*state = st;
	return MT_OK;

out_err:
	status = MT_FAILED;
out_free:
	if (st->threads)
		arenas_stop(st);
	free(st->blocks);
	json_decref(st->notes);
	free(st);
	return status;
}

static int alloc_run(void *state, uint64_t iters, struct mt_sample *s,
		     struct mt_err *err)
{
	struct alloc_state *st = state;

	switch (st->op) {
	case OP_MALLOC:
	case OP_THRESHOLD: return cycle_malloc_run(state, iters, s, err);
	case OP_SBRK: return cycle_sbrk_run(state, iters, s, err);
	case OP_MMAP: return cycle_mmap_run(state, iters, s, err);
	case OP_KEPT: return kept_run(state, iters, s, err);
	case OP_ARENAS: return arenas_run(state, iters, s, err);
	}
	return -EINVAL;
}

/* Says in words when the first cycle took another path than the later
 * ones, which is glibc's dynamic threshold at work. */
static void note_moved(json_t *obtained, json_t *first,
		       const struct alloc_state *st)
{
	const char *was = json_string_value(json_object_get(first, "path"));
	const char *now = path_name(st->brk_allocs, st->mmap_allocs);
	char text[320];

	if (!was || strcmp(was, now) == 0)
		return;
	if (strcmp(was, "mmap") == 0 && strcmp(now, "brk") == 0)
		snprintf(text, sizeof(text),
			 "the first %zu-byte block came "
			 "from mmap; freeing it raised glibc's dynamic mmap "
			 "threshold above this size, so every later block "
			 "came from the heap (pin M_MMAP_THRESHOLD to keep "
			 "mmap)",
			 st->size);
	else
		snprintf(text, sizeof(text),
			 "the first %zu-byte block came "
			 "from %s, later ones from %s",
			 st->size, was, now);
	json_object_set_new(obtained, "path_changed", json_string(text));
}

/* Records what served the allocations: the first cycle (from setup), the
 * path of every later cycle, and a steady-state probe whose witnesses must
 * agree; for kept, where the blocks lay and what malloc held; for arenas,
 * how many arenas there were and where the threads ran. */
static enum mt_status alloc_verify(void *state, json_t *obtained,
				   struct mt_err *err)
{
	struct alloc_state *st = state;
	enum mt_status status = MT_OK;
	json_t *steady, *first;
	bool agree = true;

	json_object_update(obtained, st->notes);
	json_object_set_new(obtained, "rss_baseline_bytes",
			    json_integer((json_int_t)st->rss_base));
	json_object_set_new(obtained, "rss_is",
			    json_string("anonymous resident bytes (statm "
					"resident - shared) above "
					"rss_baseline_bytes"));
	switch (st->op) {
	case OP_MALLOC:
	case OP_THRESHOLD:
		json_object_set_new(obtained, "path",
				    json_string(path_name(st->brk_allocs,
							  st->mmap_allocs)));
		json_object_set_new(obtained, "brk_allocs",
				    json_integer((json_int_t)st->brk_allocs));
		json_object_set_new(obtained, "mmap_allocs",
				    json_integer((json_int_t)st->mmap_allocs));
		steady = json_object();
		if (probe(st, steady, &agree, NULL, NULL, err) < 0) {
			json_decref(steady);
			return MT_UNTRUSTWORTHY;
		}
		json_object_set_new(obtained, "steady_probe", steady);
		first = json_object_get(st->notes, "first_cycle");
		note_moved(obtained, first, st);
		if (!agree ||
		    !json_is_true(json_object_get(first, "witnesses_agree"))) {
			mt_err_why(err,
				   "alloc: heap bounds, "
				   "/proc/self/maps and mallinfo2 disagree on "
				   "which path served a %zu-byte block (is "
				   "another allocator preloaded?)",
				   st->size);
			status = MT_UNTRUSTWORTHY;
		}
		break;
	case OP_KEPT:
		json_object_set_new(obtained, "path",
				    json_string(path_name(st->brk_blocks,
							  st->mmap_blocks)));
		json_object_set_new(obtained, "brk_blocks",
				    json_integer((json_int_t)st->brk_blocks));
		json_object_set_new(obtained, "mmap_blocks",
				    json_integer((json_int_t)st->mmap_blocks));
		json_object_set_new(
			obtained, "mmapped_bytes_after_alloc",
			json_integer((json_int_t)st->mmapped_after_alloc));
		json_object_set_new(
			obtained, "heap_bytes_after_free",
			json_integer((json_int_t)st->heap_after_free));
		json_object_set_new(obtained, "malloc_free_bytes_after_free",
				    json_integer((json_int_t)st->arena_free));
		json_object_set_new(obtained, "malloc_trim_released",
				    json_boolean(st->trim_released == 1));
		break;
	case OP_ARENAS: {
		json_t *cpus = json_array();

		for (int i = 0; i < st->n_threads; i++)
			json_array_append_new(cpus,
					      json_integer(st->threads[i].cpu));
		json_object_set_new(obtained, "thread_cpus", cpus);
		json_object_set_new(obtained, "arenas",
				    json_integer(count_arenas()));
		json_object_set_new(obtained, "ns_per_alloc_is",
				    json_string("wall time of one thread's "
						"cycle while all threads "
						"cycle"));
		break;
	}
	case OP_SBRK:
	case OP_MMAP: break;
	}
	return status;
}

static void alloc_teardown(void *state)
{
	struct alloc_state *st = state;

	if (!st)
		return;
	if (st->threads)
		arenas_stop(st);
	for (int i = 0; st->blocks && i < st->n_blocks; i++)
		free(st->blocks[i]);
	free(st->blocks);
	json_decref(st->notes);
	free(st);
}

const struct mt_bench mt_bench_alloc = {
	.name = "alloc",
	.summary = "malloc's brk/mmap crossover: cost, faults and memory "
		   "kept on each side; mallopt thresholds; arenas",
	.params = alloc_params,
	.needs = 0,
	.supported = alloc_supported,
	.plan = alloc_plan,
	.setup = alloc_setup,
	.run = alloc_run,
	.verify = alloc_verify,
	.teardown = alloc_teardown,
};
