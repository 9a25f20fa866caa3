/* numa: local versus remote access, as Intel's Memory Latency Checker
 * reports it, and what vm.zone_reclaim_mode does.
 *
 * Cases:
 *   latency    pointer-chase latency from a CPU of node i to memory bound
 *              on node j, for every pair (the matrix)
 *   bandwidth  sequential read bandwidth for the same pairs
 *   placement  read bandwidth from node 0's CPU of local, remote and
 *              interleaved memory
 *   zone_reclaim  node 0 filled with page cache, then anonymous memory
 *              allocated from node 0 with zone_reclaim_mode 0 and 1: where
 *              the pages landed, page cache reclaimed on node 0, the time
 *              the allocation took and the access latency afterwards
 * Each page's node is checked with move_pages; pages that landed elsewhere
 * make the sample untrustworthy. On one node, the matrix is 1x1 (the
 * local figures) and the remote cases are skipped with the reason.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/clock.h"
#include "../core/fsroot.h"
#include "../core/numa.h"
#include "../core/topo.h"
#include "bench.h"
#include "kit/chase.h"
#include "kit/region.h"
#include "kit/stream.h"

#define MAX_NODES 64
#define ZR_PATH "/proc/sys/vm/zone_reclaim_mode"

static const char *const numa_ops[] = { "latency", "bandwidth", "placement",
					"zone_reclaim", NULL };
static const char *const zr_modes[] = { "0", "1", "2", "3",	  "4",
					"5", "6", "7", "current", NULL };

/* The keys of [numa], rows of numa_params. */
enum numa_param {
	NUMA_SIZE,
	NUMA_OPS,
	NUMA_ZONE_RECLAIM_MODES,
	NUMA_ZONE_RECLAIM_FILL,
	NUMA_ZONE_RECLAIM_ALLOC,
	NUMA_DIR,
	NUMA_NPARAMS
};

static const struct mt_param numa_params[] = {
	[NUMA_SIZE] = { .key = "size",
			.type = MT_P_SIZE,
			.def = "256M",
			.help = "region per latency/bandwidth case (well past the caches)",
			.min = 1 << 20 },
	[NUMA_OPS] = { .key = "ops",
		       .type = MT_P_WORDS,
		       .def = "latency,bandwidth,placement,zone_reclaim",
		       .help = "which experiments to run",
		       .choices = numa_ops },
	[NUMA_ZONE_RECLAIM_MODES] = { .key = "zone_reclaim_modes",
				      .type = MT_P_WORDS,
				      .def = "0,1",
				      .help = "vm.zone_reclaim_mode values compared (bits: 1 reclaim, "
					      "2 write dirty pages, 4 swap), or current: the mode in "
					      "force",
				      .choices = zr_modes },
	[NUMA_ZONE_RECLAIM_FILL] = { .key = "zone_reclaim_fill",
				     .type = MT_P_DOUBLE,
				     .def = "0.9",
				     .help = "share of node 0's free memory filled with page cache "
					     "before allocating",
				     .dmin = 0.1,
				     .dmax = 0.98 },
	[NUMA_ZONE_RECLAIM_ALLOC] = { .key = "zone_reclaim_alloc",
				      .type = MT_P_DOUBLE,
				      .def = "0.5",
				      .help = "anonymous memory allocated afterwards, as a share of node "
					      "0's memory",
				      .dmin = 0.05,
				      .dmax = 0.9 },
	[NUMA_DIR] = { .key = "dir",
		       .type = MT_P_STRING,
		       .def = "",
		       .help = "directory of the page-cache file (a disk filesystem); "
			       "empty: the run directory" },
	[NUMA_NPARAMS] = MT_PARAMS_END,
};

static const struct mt_metric lat_metrics[] = {
	{ "latency", "ns", MT_NS_PER_OP, 0, false },
};
static const struct mt_metric bw_metrics[] = {
	{ "read_bw", "MB/s", MT_MB_PER_S, 0, true },
};
static const struct mt_metric zr_metrics[] = {
	{ "alloc_ms", "ms", MT_VALUE, 0, false },
	{ "local_fraction", "fraction", MT_VALUE, 1, true },
	{ "file_reclaimed", "bytes", MT_VALUE, 2, false },
	{ "latency_after", "ns", MT_VALUE, 3, false },
};
static const struct mt_metric skip_metrics[] = {
	{ "latency", "ns", MT_NS_PER_OP, 0, false },
};

/* Node numbers with memory, and with CPUs. */
struct nodes {
	int mem[MAX_NODES], n_mem;
	int cpu[MAX_NODES], n_cpu;
};

static void find_nodes(struct nodes *nd)
{
	int cpus[1];

	nd->n_mem = nd->n_cpu = 0;
	for (int i = 0; i < mt_numa_node_count() && i < MAX_NODES; i++) {
		if (mt_numa_node_has_memory(i))
			nd->mem[nd->n_mem++] = i;
		if (mt_numa_node_cpus(i, cpus, 1) > 0)
			nd->cpu[nd->n_cpu++] = i;
	}
	if (nd->n_mem == 0)
		nd->mem[nd->n_mem++] = 0;
	if (nd->n_cpu == 0)
		nd->cpu[nd->n_cpu++] = 0;
}

static int add(struct mt_plan *plan, json_t *c, const struct mt_metric *m,
	       size_t n, enum mt_case_mode mode, struct mt_err *err)
{
	if (!c || mt_plan_add(plan, c, m, n, mode) < 0)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "numa: out of memory");
	return 0;
}

static int numa_plan(const struct mt_env *env, struct mt_plan *plan,
		     struct mt_err *err)
{
	const struct mt_params *p = env->params;
	json_int_t size = (json_int_t)mt_p_size(p, NUMA_SIZE);
	struct nodes nd;
	int ret = 0;

	find_nodes(&nd);
	for (int pass = 0; pass < 2; pass++) {
		const char *op = pass ? "bandwidth" : "latency";

		if (!mt_p_has_word(p, NUMA_OPS, op))
			continue;
		for (int i = 0; i < nd.n_cpu && !ret; i++)
			for (int j = 0; j < nd.n_mem && !ret; j++)
				ret = add(plan,
					  json_pack("{s:s,s:i,s:i,s:I}", "op",
						    op, "cpu_node", nd.cpu[i],
						    "mem_node", nd.mem[j],
						    "size_bytes", size),
					  pass ? bw_metrics : lat_metrics, 1,
					  MT_CASE_CALIBRATE, err);
	}
	if (!ret && mt_p_has_word(p, NUMA_OPS, "placement")) {
		static const char *const pl[] = { "local", "remote",
						  "interleave" };

		for (int k = 0; k < 3 && !ret; k++)
			ret = add(plan,
				  json_pack("{s:s,s:s,s:i,s:I}", "op",
					    "placement", "placement", pl[k],
					    "cpu_node", nd.cpu[0], "size_bytes",
					    size),
				  bw_metrics, 1, MT_CASE_CALIBRATE, err);
	}
	if (!ret && mt_p_has_word(p, NUMA_OPS, "zone_reclaim")) {
		size_t n;
		char *const *modes = mt_p_words(p, NUMA_ZONE_RECLAIM_MODES, &n);

		/* current: the mode in force when the case runs (what memtune
		 * tune's trials compare); it is recorded as obtained. */
		for (size_t k = 0; k < n && !ret; k++)
			ret = add(
				plan,
				json_pack("{s:s,s:o,s:i}", "op", "zone_reclaim",
					  "zone_reclaim_mode",
					  strcmp(modes[k], "current") ?
						  json_integer(atoi(modes[k])) :
						  json_string("current"),
					  "cpu_node", nd.cpu[0]),
				zr_metrics, 4, MT_CASE_ONCE, err);
	}
	if (!ret && nd.n_mem < 2)
		ret = add(plan, json_pack("{s:s}", "op", "remote"),
			  skip_metrics, 1, MT_CASE_ONCE, err);
	return ret;
}

/* Records the distance table and each node's memory and CPUs. */
static int numa_sys_setup(const struct mt_env *env, json_t *notes,
			  struct mt_err *err)
{
	struct nodes nd;
	json_t *dist = json_array(), *nodes = json_array();

	(void)env;
	(void)err;
	find_nodes(&nd);
	for (int i = 0; i < nd.n_mem; i++) {
		json_t *row = json_array();
		int64_t total = 0, free_b = 0;
		int cpus[256], nc = mt_numa_node_cpus(nd.mem[i], cpus, 256);
		json_t *cl = json_array();

		for (int j = 0; j < nd.n_mem; j++)
			json_array_append_new(
				row, json_integer(mt_numa_distance(nd.mem[i],
								   nd.mem[j])));
		json_array_append_new(dist, row);
		mt_numa_node_memory(nd.mem[i], &total, &free_b);
		for (int c = 0; c < nc; c++)
			json_array_append_new(cl, json_integer(cpus[c]));
		json_array_append_new(nodes,
				      json_pack("{s:i,s:I,s:I,s:o}", "node",
						nd.mem[i], "total_bytes",
						(json_int_t)total, "free_bytes",
						(json_int_t)free_b, "cpus",
						cl));
	}
	json_object_set_new(notes, "distances", dist);
	json_object_set_new(notes, "nodes", nodes);
	json_object_set_new(notes, "nodes_with_memory", json_integer(nd.n_mem));
	return 0;
}

/* zone_reclaim cases: the mode goes through the journal for this case
 * only, and the page-cache file is journaled so that a killed run leaves
 * no file behind. */
static int numa_case_sys_setup(const struct mt_env *env,
			       const struct mt_case *c, json_t *obtained,
			       json_t *handoff, struct mt_err *err)
{
	const char *op = json_string_value(json_object_get(c->params, "op"));
	const char *dir = mt_p_string(env->params, NUMA_DIR);
	char val[16], rb[64], path[4096];
	int ret, fd;

	if (!op || strcmp(op, "zone_reclaim") != 0)
		return 0;
	if (mt_numa_nodes_with_memory() < 2)
		return 0; /* the worker skips it; nothing to change */
	if (!env->allow_changes)
		return 0; /* the worker skips it with the reason */
	if (json_is_integer(json_object_get(c->params, "zone_reclaim_mode"))) {
		snprintf(val, sizeof(val), "%d",
			 (int)json_integer_value(json_object_get(
				 c->params, "zone_reclaim_mode")));
		ret = mt_journal_write(env->journal, ZR_PATH, val, rb,
				       sizeof(rb), err);
	} else {
		ret = mt_fs_read_line(ZR_PATH, rb, sizeof(rb), err);
	}
	if (ret < 0)
		return ret;
	json_object_set_new(obtained, "zone_reclaim_mode_set", json_string(rb));
	snprintf(path, sizeof(path), "%s/memtune-numa-pagecache.%d",
		 dir && *dir ? dir : env->rundir, (int)getpid());
	/* Created empty here, where the journal is; the worker fills it. */
	ret = mt_journal_create_file(env->journal, path, O_WRONLY, 0600, &fd,
				     err);
	if (ret < 0)
		return ret;
	close(fd);
	json_object_set_new(handoff, "file", json_string(path));
	return 0;
}

struct numa_state {
	const char *op;
	struct mt_region r;
	bool mapped;
	void *cursor; /* where the chase stands (not in the chain) */
	uint64_t lines, pos, sink;
	int cpu_node, mem_node;
	int cpu; /* the CPU the worker was pinned to */
	const char *placement;
	/* what the kernel gave */
	uint64_t counts[MAX_NODES], other;
	double on_target;
	char untrusted[512];
	/* zone_reclaim */
	json_t *zr;
	const struct mt_env *env;
	const struct mt_case *c;
};

/* Pins the worker to the first CPU of node through hwloc. */
static int pin_to_node(int node, int *cpu, struct mt_err *err)
{
	struct mt_topo *t = NULL;
	int cpus[1], ret;

	*cpu = sched_getcpu();
	if (mt_numa_node_cpus(node, cpus, 1) <= 0)
		return 0; /* no NUMA in the kernel: already pinned */
	*cpu = cpus[0];
	ret = mt_topo_load(&t, err);
	if (ret == 0)
		ret = mt_topo_pin(t, cpus[0], err);
	mt_topo_destroy(t);
	if (ret < 0)
		mt_err_prefix(err, "numa: cannot pin to a CPU of node %d",
			      node);
	return ret;
}

/* Maps the region with the case's placement, touches it and counts where
 * the pages landed. */
static int map_placed(struct numa_state *st, size_t size, int nodes_n,
		      int remote_node, struct mt_err *err)
{
	enum mt_numa_policy pol = MT_NUMA_BIND;
	int node = st->mem_node, ret;

	ret = mt_region_map(&st->r, MT_BACK_4K, size, err);
	if (ret < 0)
		return ret;
	st->mapped = true;
	if (st->placement && strcmp(st->placement, "interleave") == 0)
		pol = MT_NUMA_INTERLEAVE;
	else if (st->placement && strcmp(st->placement, "remote") == 0)
		node = remote_node;
	else if (st->placement && strcmp(st->placement, "local") == 0)
		node = st->cpu_node;
	st->mem_node = node;
	if (nodes_n > 1) {
		ret = mt_numa_set_policy(st->r.addr, st->r.size, pol, node,
					 err);
		if (ret < 0)
			return ret;
	}
	mt_region_touch(&st->r);
	ret = mt_numa_where(st->r.addr, st->r.size, 4096, st->counts, MAX_NODES,
			    &st->other, err);
	if (ret < 0)
		return ret;
	uint64_t pages = st->r.size / 4096;

	if (pol == MT_NUMA_INTERLEAVE) {
		/* Each node should hold about its share. */
		double worst = 1.0;

		for (int i = 0; i < MAX_NODES; i++) {
			if (!mt_numa_node_has_memory(i))
				continue;
			double share = (double)st->counts[i] * nodes_n /
				       (double)pages;
			if (share < worst)
				worst = share;
		}
		st->on_target = worst;
		if (worst < 0.9)
			snprintf(st->untrusted, sizeof(st->untrusted),
				 "interleave: a node holds only %.0f%% of its "
				 "share of the pages",
				 worst * 100);
	} else {
		st->on_target = node < MAX_NODES ? (double)st->counts[node] /
							   (double)pages :
						   0;
		if (st->on_target < 0.99)
			snprintf(st->untrusted, sizeof(st->untrusted),
				 "only %.1f%% of the pages are on node %d "
				 "(the rest landed elsewhere: is the node "
				 "short of free memory?)",
				 st->on_target * 100, node);
	}
	return 0;
}

static int64_t node_meminfo(int node, const char *field)
{
	char path[128], key[64];
	int64_t v = -1;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo",
		 node);
	snprintf(key, sizeof(key), "Node %d %s", node, field);
	if (mt_fs_read_key(path, key, &v, NULL) < 0)
		return -1;
	return v;
}

static enum mt_status numa_setup(const struct mt_env *env,
				 const struct mt_case *c, void **state,
				 struct mt_err *err)
{
	const char *op = json_string_value(json_object_get(c->params, "op"));
	struct numa_state *st;
	struct nodes nd;
	int remote = -1;

	find_nodes(&nd);
	if (strcmp(op, "remote") == 0) {
		mt_err_why(err,
			   "%d NUMA node: nothing remote to measure "
			   "(the latency and bandwidth records of node 0 are "
			   "this machine's local figures)",
			   nd.n_mem);
		return MT_SKIPPED;
	}
	st = calloc(1, sizeof(*st));
	if (!st) {
		mt_err_why(err, "numa: out of memory");
		return MT_FAILED;
	}
	*state = st;
	st->op = op;
	st->env = env;
	st->c = c;
	st->cpu_node = (int)json_integer_value(json_object_get(c->params,
							       "cpu_node"));
	st->mem_node = (int)json_integer_value(json_object_get(c->params,
							       "mem_node"));
	st->placement = json_string_value(json_object_get(c->params,
							  "placement"));
	for (int i = 0; i < nd.n_mem; i++)
		if (nd.mem[i] != st->cpu_node) {
			remote = nd.mem[i];
			break;
		}
	if (st->placement && strcmp(st->placement, "local") != 0 &&
	    nd.n_mem < 2) {
		mt_err_why(err,
			   "1 NUMA node: no %s placement to "
			   "measure",
			   st->placement);
		goto skip;
	}
	if (strcmp(op, "zone_reclaim") == 0) {
		if (nd.n_mem < 2) {
			mt_err_why(err,
				   "1 NUMA node: zone_reclaim_mode "
				   "only matters when allocations can go to "
				   "another node");
			goto skip;
		}
		if (!env->allow_changes) {
			mt_err_why(err,
				   "changing vm.zone_reclaim_mode "
				   "needs root and global.allow_system_changes "
				   "= yes");
			goto skip;
		}
	}
	if (pin_to_node(st->cpu_node, &st->cpu, err) < 0)
		goto fail;
	if (strcmp(op, "zone_reclaim") == 0)
		return MT_OK; /* the whole experiment is in run() */
	if (map_placed(st, mt_p_size(env->params, NUMA_SIZE), nd.n_mem, remote,
		       err) < 0)
		goto fail;
	if (strcmp(op, "latency") == 0) {
		size_t count;

		st->cursor = mt_chase_build(st->r.addr, st->r.size,
					    MT_CHASE_LINE, env->seed, &count);
		if (!st->cursor) {
			mt_err_why(err, "numa: region too small");
			goto fail;
		}
	}
	st->lines = st->r.size / MT_LINE;
	return MT_OK;
skip:
	*state = NULL;
	free(st);
	return MT_SKIPPED;
fail:
	if (st->mapped)
		mt_region_unmap(&st->r);
	*state = NULL;
	free(st);
	return MT_FAILED;
}

/* Writes a file of `bytes`, evicts it, then reads it back from this
 * (node-0-pinned) thread so that its page cache lands on node 0. */
static int fill_page_cache(const char *path, uint64_t bytes, struct mt_err *err)
{
	enum { CHUNK = 1 << 20 };
	char *buf = malloc(CHUNK);
	struct stat st;
	int fd = -1, ret = 0;

	if (!buf)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "numa: out of "
				  "memory");
	memset(buf, 0x5a, CHUNK);
	/* The parent created it empty, journaled; never follow a link or
	 * fill a file that is not that one. */
	fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		ret = mt_err_set(err, -errno, MT_ERR_RUNTIME,
				 "numa: cannot open '%s': %s", path,
				 strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size != 0 ||
	    st.st_uid != geteuid()) {
		ret = mt_err_set(err, -EPERM, MT_ERR_RUNTIME,
				 "numa: '%s' is not the empty file the run "
				 "created; not writing it",
				 path);
		goto out;
	}
	for (uint64_t done = 0; done < bytes; done += CHUNK)
		if (write(fd, buf, CHUNK) != CHUNK) {
			ret = mt_err_set(err, -EIO, MT_ERR_RUNTIME,
					 "numa: cannot write '%s': %s", path,
					 strerror(errno));
			goto out;
		}
	fsync(fd);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	lseek(fd, 0, SEEK_SET);
	while (read(fd, buf, CHUNK) > 0)
		;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return ret;
}

/* The zone_reclaim experiment (one sample): values[0] allocation ms,
 * values[1] fraction of the new pages on node 0, values[2] page cache
 * reclaimed from node 0 (bytes), values[3] chase latency over the new
 * memory afterwards (ns). */
static int zone_reclaim_run(struct numa_state *st, struct mt_sample *s,
			    struct mt_err *err)
{
	const char *path = json_string_value(json_object_get(st->c->handoff,
							     "file"));
	int node = st->cpu_node;
	int64_t total = 0, free_b = 0, file0, file1;
	uint64_t fill, alloc, t0, t1, pages;
	size_t count;
	int ret;

	if (!path)
		return mt_err_set(err, -EINVAL, MT_ERR_RUNTIME,
				  "numa: no "
				  "page-cache file was prepared");
	ret = mt_numa_node_memory(node, &total, &free_b);
	if (ret < 0)
		return mt_err_set(err, ret, MT_ERR_RUNTIME,
				  "numa: cannot read "
				  "node %d's memory",
				  node);
	fill = (uint64_t)((double)free_b *
			  mt_p_double(st->env->params, NUMA_ZONE_RECLAIM_FILL));
	alloc = (uint64_t)((double)total *
			   mt_p_double(st->env->params,
				       NUMA_ZONE_RECLAIM_ALLOC));
	alloc &= ~(uint64_t)((2 << 20) - 1);
	ret = fill_page_cache(path, fill, err);
	if (ret < 0) {
		if (ret != -EEXIST)
			unlink(path); /* ours, made before it failed */
		return ret;
	}
	file0 = node_meminfo(node, "FilePages");
	ret = mt_region_map(&st->r, MT_BACK_4K, alloc, err);
	if (ret < 0) {
		unlink(path);
		return ret;
	}
	st->mapped = true;
	t0 = mt_now_ns();
	mt_region_touch(&st->r);
	t1 = mt_now_ns();
	file1 = node_meminfo(node, "FilePages");
	ret = mt_numa_where(st->r.addr, st->r.size, 4096, st->counts, MAX_NODES,
			    &st->other, err);
	if (ret < 0) {
		unlink(path);
		return ret;
	}
	pages = st->r.size / 4096;
	st->cursor = mt_chase_build(st->r.addr, st->r.size, MT_CHASE_LINE,
				    st->env->seed, &count);
	uint64_t n = 2000000, c0 = mt_now_ns();

	mt_chase_run(&st->cursor, n);
	uint64_t c1 = mt_now_ns();

	s->ops = 1;
	s->values[0] = (double)(t1 - t0) / 1e6;
	s->values[1] = (double)st->counts[node] / (double)pages;
	s->values[2] = file0 >= 0 && file1 >= 0 ? (double)(file0 - file1) : NAN;
	s->values[3] = (double)(c1 - c0) / (double)n;
	st->zr = json_pack("{s:I,s:I,s:I,s:I,s:I}", "fill_bytes",
			   (json_int_t)fill, "alloc_bytes", (json_int_t)alloc,
			   "node_free_before", (json_int_t)free_b,
			   "file_pages_before", (json_int_t)file0,
			   "file_pages_after", (json_int_t)file1);
	unlink(path);
	return 0;
}

static int numa_run(void *state, uint64_t iters, struct mt_sample *s,
		    struct mt_err *err)
{
	struct numa_state *st = state;

	if (strcmp(st->op, "zone_reclaim") == 0)
		return zone_reclaim_run(st, s, err);
	if (strcmp(st->op, "latency") == 0) {
		mt_chase_run(&st->cursor, iters);
		s->ops = iters;
		return 0;
	}
	/* bandwidth and placement: iters cache lines, wrapping. */
	uint64_t left = iters;

	while (left) {
		uint64_t n = st->lines - st->pos;

		if (n > left)
			n = left;
		st->sink += mt_stream_read((char *)st->r.addr +
						   st->pos * MT_LINE,
					   n);
		st->pos = (st->pos + n) % st->lines;
		left -= n;
	}
	s->ops = iters;
	s->bytes = iters * MT_LINE;
	return 0;
}

static enum mt_status numa_verify(void *state, json_t *obtained,
				  struct mt_err *err)
{
	struct numa_state *st = state;
	json_t *per = json_object();

	for (int i = 0; i < MAX_NODES; i++)
		if (st->counts[i]) {
			char k[16];

			snprintf(k, sizeof(k), "%d", i);
			json_object_set_new(
				per, k,
				json_integer((json_int_t)st->counts[i]));
		}
	json_object_set_new(obtained, "pages_per_node", per);
	json_object_set_new(obtained, "cpu", json_integer(st->cpu));
	json_object_set_new(obtained, "pages_not_present",
			    json_integer((json_int_t)st->other));
	if (st->zr) {
		json_object_update(obtained, st->zr);
		return MT_OK;
	}
	json_object_set_new(obtained, "mem_node", json_integer(st->mem_node));
	json_object_set_new(obtained, "on_target_fraction",
			    json_real(st->on_target));
	if (st->untrusted[0]) {
		mt_err_why(err, "%s", st->untrusted);
		return MT_UNTRUSTWORTHY;
	}
	return MT_OK;
}

static void numa_teardown(void *state)
{
	struct numa_state *st = state;

	if (!st)
		return;
	if (st->mapped)
		mt_region_unmap(&st->r);
	json_decref(st->zr);
	free(st);
}

const struct mt_bench mt_bench_numa = {
	.name = "numa",
	.summary = "local versus remote latency and bandwidth per node pair, "
		   "interleaving, and what vm.zone_reclaim_mode does",
	.params = numa_params,
	/* One node runs the local cases; the remote, interleave and
	 * zone_reclaim cases skip themselves with the reason. */
	.wants = MT_NEED_NUMA2,
	.plan = numa_plan,
	.sys_setup = numa_sys_setup,
	.case_sys_setup = numa_case_sys_setup,
	.setup = numa_setup,
	.run = numa_run,
	.verify = numa_verify,
	.teardown = numa_teardown,
};
