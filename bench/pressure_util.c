/* Helpers shared by reclaim, oom and mlock (see pressure_util.h). */
#include "pressure_util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../core/clock.h"
#include "../core/fsroot.h"
#include "../core/stats.h"
#include "chase.h"

const char *const mt_pressure_vmstat_keys[] = {
	"allocstall_dma", "allocstall_dma32", "allocstall_normal",
	"allocstall_movable", "allocstall_device",
	"pgscan_kswapd", "pgscan_direct", "pgsteal_kswapd", "pgsteal_direct",
	"pgscan_anon", "pgscan_file", "compact_stall", "pgmajfault",
	"pswpin", "pswpout", "workingset_refault_file",
	"workingset_refault_anon",
};

json_t *mt_zoneinfo_json(struct mt_err *err)
{
	struct mt_zone_wmark z[32];
	uint64_t smin = 0, slow = 0, shigh = 0, sfree = 0;
	long page = sysconf(_SC_PAGESIZE);
	json_t *o, *arr;
	char *text;
	size_t n;
	int ret;

	ret = mt_fs_read("/proc/zoneinfo", &text, NULL, err);
	if (ret < 0)
		return NULL;
	ret = mt_zoneinfo_parse(text, z, 32, &n);
	free(text);
	if (ret < 0) {
		mt_err_set(err, ret, MT_ERR_RUNTIME, "cannot parse "
			   "/proc/zoneinfo: a zone lacks min/low/high lines");
		return NULL;
	}
	o = json_object();
	arr = json_array();
	for (size_t i = 0; i < n && i < 32; i++) {
		if (!z[i].managed)
			continue;
		json_array_append_new(arr, json_pack(
			"{s:i, s:s, s:I, s:I, s:I, s:I, s:I}",
			"node", z[i].node, "zone", z[i].zone,
			"free_pages", (json_int_t)z[i].free,
			"min_pages", (json_int_t)z[i].min,
			"low_pages", (json_int_t)z[i].low,
			"high_pages", (json_int_t)z[i].high,
			"managed_pages", (json_int_t)z[i].managed));
		smin += z[i].min;
		slow += z[i].low;
		shigh += z[i].high;
		sfree += z[i].free;
	}
	json_object_set_new(o, "zones", arr);
	json_object_set_new(o, "min_kb", json_integer(
				    (json_int_t)(smin * (uint64_t)page / 1024)));
	json_object_set_new(o, "low_kb", json_integer(
				    (json_int_t)(slow * (uint64_t)page / 1024)));
	json_object_set_new(o, "high_kb", json_integer(
				    (json_int_t)(shigh * (uint64_t)page / 1024)));
	json_object_set_new(o, "free_kb", json_integer(
				    (json_int_t)(sfree * (uint64_t)page / 1024)));
	return o;
}

int64_t mt_oom_badness(uint64_t rss, uint64_t swap, uint64_t pgtables,
		       uint64_t totalpages, int adj)
{
	int64_t points;

	if (adj <= -1000)
		return MT_OOM_UNKILLABLE;
	points = (int64_t)(rss + swap + pgtables);
	/* The kernel divides first: adj *= totalpages / 1000. */
	points += (int64_t)adj * (int64_t)(totalpages / 1000);
	return points;
}

int mt_oom_expected(const int64_t *points, size_t n, bool *tie)
{
	int best = -1;

	if (tie)
		*tie = false;
	for (size_t i = 0; i < n; i++) {
		if (points[i] == MT_OOM_UNKILLABLE)
			continue;
		if (best >= 0 && points[i] == points[best]) {
			if (tie)
				*tie = true;
			best = (int)i;
		} else if (best < 0 || points[i] > points[best]) {
			if (tie)
				*tie = false;
			best = (int)i;
		}
	}
	return best;
}

int mt_lat_add(struct mt_lat *l, double ns)
{
	if (!l->seen || ns > l->max)
		l->max = ns;
	l->seen++;
	if (l->limit && l->n >= l->limit) {
		uint64_t j;

		if (!l->seed)
			l->seed = 0x9E3779B97F4A7C15ull;
		j = mt_rand_below(&l->seed, l->seen);
		if (j < l->n)
			l->v[j] = ns;
		return 0;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4096;
		double *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = ns;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void mt_lat_summary(struct mt_lat *l, double scale, double *p50, double *p99,
		    double *max)
{
	if (!l->n) {
		*p50 = *p99 = *max = NAN;
		return;
	}
	qsort(l->v, l->n, sizeof(*l->v), cmp_double);
	*p50 = mt_percentile_sorted(l->v, l->n, 50) / scale;
	*p99 = mt_percentile_sorted(l->v, l->n, 99) / scale;
	*max = (l->max > l->v[l->n - 1] ? l->max : l->v[l->n - 1]) / scale;
}

void mt_lat_free(struct mt_lat *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
	l->seen = 0;
}

int mt_vmstat_read(const char *const *keys, size_t n, uint64_t *out,
		   struct mt_err *err)
{
	char *text;
	int ret;

	ret = mt_fs_read("/proc/vmstat", &text, NULL, err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < n; i++) {
		int64_t v = 0;

		out[i] = mt_text_key(text, keys[i], &v) == 0 && v > 0 ?
			 (uint64_t)v : 0;
	}
	free(text);
	return 0;
}

int mt_pressure_cgroup(const struct mt_env *env, const char *name,
		       uint64_t max, int64_t swap_max, json_t *obtained,
		       struct mt_err *err)
{
	struct mt_cgroup cg;
	int ret;

	ret = mt_cgroup_create(env->journal, env->caps, name, &cg, err);
	if (ret < 0)
		return ret;
	ret = mt_cgroup_set_limits(env->journal, &cg, max, 0, swap_max, err);
	if (ret < 0)
		return ret;
	json_object_set_new(obtained, "cgroup", json_string(cg.path));
	json_object_set_new(obtained, "cgroup_version",
			    json_integer(cg.version));
	json_object_set_new(obtained, "limit_bytes",
			    json_integer((json_int_t)max));
	json_object_set_new(obtained, "swap_max_bytes",
			    json_integer((json_int_t)swap_max));
	return 0;
}

int mt_pressure_case_cgroup(const struct mt_case *c, struct mt_cgroup *cg,
			    char *why, size_t len)
{
	json_t *sys = json_object_get(c->params, "system");
	const char *path = json_string_value(json_object_get(sys, "cgroup"));

	if (!path) {
		snprintf(why, len, "the case has no memory cgroup (the "
			 "parent did not create one)");
		return -ENOENT;
	}
	memset(cg, 0, sizeof(*cg));
	cg->version = (int)json_integer_value(json_object_get(
						      sys, "cgroup_version"));
	snprintf(cg->path, sizeof(cg->path), "%s", path);
	return 0;
}

int mt_pressure_sparse_file(struct mt_journal *j, const char *path,
			    uint64_t bytes, struct mt_err *err)
{
	struct stat st;
	int fd, ret;

	if (stat(path, &st) == 0)
		return mt_err_set(err, -EEXIST, MT_ERR_RUNTIME,
				  "'%s' already exists; not touching a file "
				  "that is not ours (remove it or choose "
				  "another directory)", path);
	ret = mt_journal_create_file(j, path, O_WRONLY, 0600, &fd, err);
	if (ret < 0)
		return ret;
	if (ftruncate(fd, (off_t)bytes) < 0) {
		ret = -errno;
		close(fd);
		unlink(path);
		return mt_err_set(err, ret, MT_ERR_RUNTIME,
				  "cannot size '%s' to %llu bytes: %s", path,
				  (unsigned long long)bytes, strerror(-ret));
	}
	close(fd);
	return 0;
}

void mt_pressure_avoid_cpu(int avoid_cpu)
{
	cpu_set_t set;
	int n = 0;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return;
	/* The parent is pinned to one CPU; start from every online CPU. */
	CPU_ZERO(&set);
	for (long c = 0; c < sysconf(_SC_NPROCESSORS_ONLN) && c < CPU_SETSIZE;
	     c++) {
		if (c == avoid_cpu)
			continue;
		CPU_SET((int)c, &set);
		n++;
	}
	if (!n)
		CPU_SET(avoid_cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* The first steps of every pressure child: die with the parent, default
 * signals, join the cgroup, leave the measuring CPU. Returns 0 or -1. */
static int child_begin(const struct mt_cgroup *cg, int avoid_cpu)
{
	struct mt_err e = { 0 };

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if (cg && mt_cgroup_enter(cg, getpid(), &e) < 0)
		return -1;
	mt_pressure_avoid_cpu(avoid_cpu);
	return 0;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000ull),
			       .tv_nsec = (long)(ns % 1000000000ull) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

pid_t mt_pressure_streamer(const struct mt_cgroup *cg, const char *path,
			   int avoid_cpu, double rate_mb_s,
			   struct mt_err *err)
{
	pid_t pid = fork();

	if (pid < 0)
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "cannot fork a page-cache reader: %s",
				  strerror(errno));
	if (pid == 0) {
		static char buf[1 << 20];
		uint64_t t0, done = 0;
		off_t off = 0;
		int fd;

		if (child_begin(cg, avoid_cpu) < 0)
			_exit(3);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			_exit(4);
		t0 = mt_now_ns();
		for (;;) {
			ssize_t r = pread(fd, buf, sizeof(buf), off);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				off = 0;
				continue;
			}
			off += r;
			done += (uint64_t)r;
			if (rate_mb_s > 0) {
				uint64_t due = t0 + (uint64_t)((double)done /
							       rate_mb_s * 1e3);
				uint64_t now = mt_now_ns();

				if (due > now)
					sleep_ns(due - now);
			}
		}
	}
	return pid;
}

pid_t mt_pressure_anon(const struct mt_cgroup *cg, uint64_t bytes, bool loop,
		       int avoid_cpu, int ready_fd, struct mt_err *err)
{
	pid_t pid = fork();

	if (pid < 0)
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "cannot fork a memory-pressure worker: %s",
				  strerror(errno));
	if (pid == 0) {
		long page = sysconf(_SC_PAGESIZE);
		volatile char *p;
		char one = 1;

		if (child_begin(cg, avoid_cpu) < 0)
			_exit(3);
		p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			_exit(4);
		madvise((void *)p, bytes, MADV_NOHUGEPAGE);
		for (uint64_t o = 0; o < bytes; o += (uint64_t)page)
			p[o] = 1;
		if (ready_fd >= 0 && write(ready_fd, &one, 1) < 0)
			_exit(5);
		for (;;) {
			if (!loop) {
				pause();
				continue;
			}
			for (uint64_t o = 0; o < bytes; o += (uint64_t)page)
				p[o]++;
		}
	}
	return pid;
}

void mt_pressure_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}
