/* oom: which process the OOM killer picks inside a memory cgroup, and
 * whether that follows the documented score.
 *
 * Each case is one experiment (MT_CASE_ONCE). The worker forks two
 * "tenants" into the case's cgroup, each with its own oom_score_adj and
 * size (a fraction of the cgroup's limit), each touching all its memory
 * before it reports ready. Just before the push the worker reads every
 * tenant's /proc/<pid>/oom_score, oom_score_adj, VmRSS, VmSwap and VmPTE,
 * and computes the badness the kernel will use (mm/oom_kill.c
 * oom_badness(), Documentation/filesystems/proc.rst: rss + swap entries +
 * page-table pages, plus oom_score_adj/1000 of the memory the OOM is about
 * -- here the cgroup's limit, swap being disallowed -- and -1000 never).
 * Then a "pusher" (oom_score_adj -1000, so it can never be the victim)
 * joins the cgroup and allocates until the sum passes the limit by half of
 * the smaller tenant, so that one kill is enough. The record says which
 * tenant died (its wait status), how long the kill took from the start of
 * the push, how many kills the cgroup counted, and whether the victim is
 * the one with the highest computed badness (followed_score).
 *
 * Note that /proc/<pid>/oom_score is normalized to the whole machine's
 * RAM + swap, not to the cgroup, so it ranks tenants of one cgroup the
 * same way only when their adj is 0; the computed badness is what a memcg
 * OOM compares, and both are recorded.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../core/clock.h"
#include "../core/fsroot.h"
#include "../core/log.h"
#include "bench.h"
#include "kit/case_cgroup.h"
#include "kit/oom_badness.h"
#include "kit/pressure_load.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define OOM_TENANTS 2
#define OOM_WHY_LEN 256 /* a child's reason for giving up */

/* One scenario: tenant sizes (per mille of the limit) and adj values, and
 * the tenant the documented rule picks for those sizes. */
struct oom_scenario {
	const char *name;
	const char *what;
	int size_permille[OOM_TENANTS];
	int adj[OOM_TENANTS];
	int expect; /* by design: index of the victim */
};

static const struct oom_scenario oom_scenarios[] = {
	{ "size_decides",
	  "two tenants with adj 0: the larger one goes",
	  { 600, 300 },
	  { 0, 0 },
	  0 },
	{ "adj_decides",
	  "equal sizes: the one with the higher adj goes",
	  { 450, 450 },
	  { 0, 500 },
	  1 },
	{ "adj_beats_size",
	  "a large tenant with adj -500 and a small one "
	  "with adj +300: the small one goes",
	  { 700, 200 },
	  { -500, 300 },
	  1 },
	{ "unkillable",
	  "a large tenant with adj -1000 is never chosen; the "
	  "small one with adj 0 goes",
	  { 700, 200 },
	  { -1000, 0 },
	  1 },
};

#define N_SCEN (sizeof(oom_scenarios) / sizeof(oom_scenarios[0]))

static const char *const oom_case_names[] = {
	"size_decides", "adj_decides", "adj_beats_size", "unkillable", NULL,
};

/* The keys of [oom], rows of oom_params. */
enum oom_param { OOM_CASES, OOM_LIMIT, OOM_TIMEOUT, OOM_NPARAMS };

static const struct mt_param oom_params[] = {
	[OOM_CASES] = { .key = "cases",
			.type = MT_P_WORDS,
			.def = "size_decides,adj_decides,adj_beats_size,unkillable",
			.help = "scenarios: size_decides, adj_decides (equal sizes), "
				"adj_beats_size (big -500 vs small +300), unkillable "
				"(big -1000 vs small 0)",
			.choices = oom_case_names },
	[OOM_LIMIT] = { .key = "limit",
			.type = MT_P_SIZE,
			.def = "512M",
			.help = "memory limit of the cgroup (--quick: 256M)",
			.min = 64 << 20 },
	[OOM_TIMEOUT] = { .key = "timeout",
			  .type = MT_P_DURATION,
			  .def = "30s",
			  .help = "give up waiting for a kill after this long",
			  .min = 1000000000,
			  .max = 600000000000 },
	[OOM_NPARAMS] = MT_PARAMS_END,
};

enum { V_FOLLOWED, V_KILL_MS, V_KILLS, V_AS_DESIGNED };

static const struct mt_metric oom_metrics[] = {
	{ "followed_score", "bool", MT_VALUE, V_FOLLOWED, true },
	{ "kill_ms", "ms", MT_VALUE, V_KILL_MS, false },
	{ "oom_kills", "kills", MT_VALUE, V_KILLS, false },
	{ "victim_as_documented", "bool", MT_VALUE, V_AS_DESIGNED, true },
};

static uint64_t oom_limit(const struct mt_env *env)
{
	if (env->quick && mt_p_is_default(env->params, OOM_LIMIT))
		return 256ull << 20;
	return mt_p_size(env->params, OOM_LIMIT);
}

static enum mt_status oom_supported(const struct mt_env *env,
				    struct mt_err *err)
{
	if (!env->caps->root) {
		mt_err_why(err, "oom: creating a memory cgroup and setting "
				"negative oom_score_adj needs root (run: sudo "
				"memtune run -b oom)");
		return MT_SKIPPED;
	}
	if (!env->allow_changes) {
		mt_err_why(err, "oom: system changes are not allowed (run "
				"with --set allow_system_changes=yes)");
		return MT_SKIPPED;
	}
	return MT_OK;
}

static const struct oom_scenario *scenario(const char *name)
{
	for (size_t i = 0; name && i < N_SCEN; i++)
		if (strcmp(oom_scenarios[i].name, name) == 0)
			return &oom_scenarios[i];
	return NULL;
}

static int oom_plan(const struct mt_env *env, struct mt_plan *plan,
		    struct mt_err *err)
{
	size_t n;
	char *const *names = mt_p_words(env->params, OOM_CASES, &n);

	for (size_t i = 0; i < n; i++) {
		const struct oom_scenario *s = scenario(names[i]);
		json_t *p, *t = json_array();

		if (!s)
			return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
					  "oom: unknown case '%s'", names[i]);
		for (int k = 0; k < OOM_TENANTS; k++)
			json_array_append_new(
				t,
				json_pack(
					"{s:I, s:i}", "size_bytes",
					(json_int_t)(oom_limit(env) / 1000 *
						     (uint64_t)s
							     ->size_permille[k]),
					"oom_score_adj", s->adj[k]));
		p = json_pack("{s:s, s:s, s:I, s:o, s:i}", "scenario", s->name,
			      "expectation", s->what, "limit_bytes",
			      (json_int_t)oom_limit(env), "tenants", t,
			      "documented_victim", s->expect);
		if (!p ||
		    mt_plan_add(plan, p, oom_metrics,
				sizeof(oom_metrics) / sizeof(oom_metrics[0]),
				MT_CASE_ONCE) < 0)
			return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
					  "oom: out of memory");
	}
	return 0;
}

/* The cgroup of the case, with swap disallowed so that the limit alone is
 * what the OOM is about (and tenants cannot escape into swap). */
static int oom_case_sys_setup(const struct mt_env *env, const struct mt_case *c,
			      json_t *obtained, json_t *handoff,
			      struct mt_err *err)
{
	int ret;

	(void)c;
	ret = mt_pressure_cgroup(env, "oom", oom_limit(env), 0, obtained,
				 handoff, err);
	if (ret < 0)
		mt_err_prefix(err, "oom");
	return ret;
}

struct tenant {
	pid_t pid;
	uint64_t size;
	int adj;
	int status; /* wait status once reaped */
	bool reaped;
	uint64_t died_ns; /* when it was reaped, from the push start */
	int64_t oom_score, adj_read, rss_kb, swap_kb, pte_kb;
	int64_t badness; /* pages */
};

struct oom_state {
	struct mt_cgroup cg;
	const struct oom_scenario *scen;
	uint64_t limit, timeout_ns, totalpages, swap_pages_counted;
	struct tenant t[OOM_TENANTS];
	pid_t pusher;
	int pusher_adj;		/* -1000 when we may set it, else floor */
	int64_t pusher_badness; /* estimated at the end of its push */
	bool capable;		/* CAP_SYS_RESOURCE: may lower adj */
	int floor;		/* lowest adj we can set */
	int shift;		/* added to every tenant's adj (see setup) */
	int pusher_status;
	bool pusher_reaped;
	uint64_t push_target;
	json_t *cg0, *cg1;
	int expected, victim, kills;
	bool tie, timed_out;
	uint64_t kill_ns;
	long page;
	/* Shared with the children (MAP_SHARED): why each one gave up,
	 * tenants 0..OOM_TENANTS-1, then the pusher. */
	char (*why)[OOM_WHY_LEN];
};

/* How a tenant or the pusher ends when it does not wait to be killed. */
enum oom_child_exit {
	OOM_EXIT_DONE = 0,    /* the pusher allocated all it meant to */
	OOM_EXIT_REFUSED = 2, /* the kernel refused memory (no victim) */
	OOM_EXIT_ADJ = 3,     /* could not set its oom_score_adj */
	OOM_EXIT_CGROUP = 4,  /* could not join the case's cgroup */
	OOM_EXIT_MMAP = 5,    /* could not map its memory */
	OOM_EXIT_READY = 6,   /* could not tell the worker it was ready */
};

static const char *const oom_exit_names[] = {
	[OOM_EXIT_DONE] = "done",
	[OOM_EXIT_REFUSED] = "the kernel refused memory",
	[OOM_EXIT_ADJ] = "cannot set oom_score_adj",
	[OOM_EXIT_CGROUP] = "cannot join the cgroup",
	[OOM_EXIT_MMAP] = "cannot map memory",
	[OOM_EXIT_READY] = "cannot signal ready",
};

/* Leaves why (shared with the worker, may be NULL) and exits with code. */
static void child_exit(char *why, enum oom_child_exit code, const char *fmt,
		       ...) __attribute__((format(printf, 3, 4), noreturn));
static void child_exit(char *why, enum oom_child_exit code, const char *fmt,
		       ...)
{
	va_list ap;

	if (why) {
		va_start(ap, fmt);
		vsnprintf(why, OOM_WHY_LEN, fmt, ap);
		va_end(ap);
	}
	_exit(code);
}

/* How a child ended, with its reason (why, may be NULL or empty) when it
 * gave up. */
static const char *wait_text(int st, const char *why, char *buf, size_t len)
{
	int code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;

	if (WIFSIGNALED(st))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(st),
			 strsignal(WTERMSIG(st)));
	else if (code > 0 &&
		 (size_t)code <
			 sizeof(oom_exit_names) / sizeof(oom_exit_names[0]) &&
		 oom_exit_names[code])
		snprintf(buf, len, "exited with status %d (%s%s%.*s)", code,
			 oom_exit_names[code], why && why[0] ? ": " : "",
			 OOM_WHY_LEN, why ? why : "");
	else if (WIFEXITED(st))
		snprintf(buf, len, "exited with status %d", code);
	else
		snprintf(buf, len, "status 0x%x", st);
	return buf;
}

/* Joins the cgroup, sets adj, maps and touches `bytes`; writes one byte to
 * ready_fd and waits to be killed. On failure leaves the reason in why and
 * exits with an enum oom_child_exit. */
static void tenant_main(const struct mt_cgroup *cg, uint64_t bytes, int adj,
			int ready_fd, char *why)
{
	struct mt_err e = { 0 };
	long page = sysconf(_SC_PAGESIZE);
	volatile char *p;
	char one = 1;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (mt_oom_score_adj_set(getpid(), adj, &e) < 0)
		child_exit(why, OOM_EXIT_ADJ, "%s", e.msg);
	if (mt_cgroup_enter(cg, getpid(), &e) < 0)
		child_exit(why, OOM_EXIT_CGROUP, "%s", e.msg);
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		child_exit(why, OOM_EXIT_MMAP, "mmap of %" PRIu64 " bytes: %s",
			   bytes, strerror(errno));
	madvise((void *)p, bytes, MADV_NOHUGEPAGE);
	for (uint64_t o = 0; o < bytes; o += (uint64_t)page)
		p[o] = 1;
	if (write(ready_fd, &one, 1) != 1)
		child_exit(why, OOM_EXIT_READY, "write to the worker: %s",
			   strerror(errno));
	for (;;)
		pause();
}

/* Joins the cgroup with adj -1000 (when capable; else the floor it
 * inherited) and allocates `bytes` in 1 MiB steps, each populated at once.
 * Exits OOM_EXIT_DONE when done (after a kill made room), OOM_EXIT_REFUSED
 * when the kernel refused memory (no killable victim), another enum
 * oom_child_exit with the reason in why when it could not push. */
static void pusher_main(const struct mt_cgroup *cg, uint64_t bytes,
			bool capable, char *why)
{
	struct mt_err e = { 0 };
	const uint64_t step = 1 << 20;
	long page = sysconf(_SC_PAGESIZE);

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (capable && mt_oom_score_adj_set(getpid(), -1000, &e) < 0)
		child_exit(why, OOM_EXIT_ADJ, "%s", e.msg);
	if (mt_cgroup_enter(cg, getpid(), &e) < 0)
		child_exit(why, OOM_EXIT_CGROUP, "%s", e.msg);
	for (uint64_t done = 0; done < bytes; done += step) {
		char *p = mmap(NULL, step, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			child_exit(why, OOM_EXIT_MMAP,
				   "mmap after %" PRIu64 " bytes: %s", done,
				   strerror(errno));
		madvise(p, step, MADV_NOHUGEPAGE);
		/* POPULATE_WRITE fails with ENOMEM where a touch would loop
		 * on an OOM with nobody left to kill. */
		if (madvise(p, step, MADV_POPULATE_WRITE) < 0) {
			if (errno == ENOMEM)
				child_exit(why, OOM_EXIT_REFUSED,
					   "MADV_POPULATE_"
					   "WRITE after %" PRIu64 " bytes: %s",
					   done, strerror(errno));
			for (uint64_t o = 0; o < step; o += (uint64_t)page)
				p[o] = 1;
		}
	}
	_exit(OOM_EXIT_DONE);
}

static int64_t status_kb(const char *text, const char *key)
{
	int64_t v = 0;

	if (mt_text_key(text, key, &v) < 0)
		return 0;
	return v / 1024; /* mt_text_key converts kB to bytes */
}

/* Reads what the kernel will judge a tenant by. */
static void tenant_observe(struct tenant *t, uint64_t totalpages, long page)
{
	struct mt_err e = { 0 };
	char path[64], *text;

	snprintf(path, sizeof(path), "/proc/%d/oom_score", (int)t->pid);
	if (mt_fs_read_i64(path, &t->oom_score, &e) < 0)
		t->oom_score = -1;
	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)t->pid);
	if (mt_fs_read_i64(path, &t->adj_read, &e) < 0)
		t->adj_read = t->adj;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)t->pid);
	if (mt_fs_read(path, &text, NULL, &e) == 0) {
		t->rss_kb = status_kb(text, "VmRSS");
		t->swap_kb = status_kb(text, "VmSwap");
		t->pte_kb = status_kb(text, "VmPTE");
		free(text);
	}
	t->badness = mt_oom_badness((uint64_t)t->rss_kb * 1024 / (uint64_t)page,
				    (uint64_t)t->swap_kb * 1024 /
					    (uint64_t)page,
				    (uint64_t)t->pte_kb * 1024 / (uint64_t)page,
				    totalpages, (int)t->adj_read);
}

static void kill_all(struct oom_state *s)
{
	for (int i = 0; i < OOM_TENANTS; i++)
		if (!s->t[i].reaped && s->t[i].pid > 0) {
			mt_pressure_stop(s->t[i].pid);
			s->t[i].reaped = true;
		}
	if (!s->pusher_reaped && s->pusher > 0) {
		mt_pressure_stop(s->pusher);
		s->pusher_reaped = true;
	}
}

static void sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* True when this process has CAP_SYS_RESOURCE, which lowering
 * oom_score_adj below its inherited minimum needs (root in a container
 * may lack it). */
static bool has_cap_sys_resource(void)
{
	struct mt_err e = { 0 };
	char *text, *p;
	bool yes = false;

	if (mt_fs_read("/proc/self/status", &text, NULL, &e) < 0)
		return false;
	p = strstr(text, "CapEff:");
	if (p)
		yes = (strtoull(p + 7, NULL, 16) >> 24) & 1;
	free(text);
	return yes;
}

/* Sizes the tenants and the push, and decides the adj values to apply.
 * With CAP_SYS_RESOURCE the pusher takes -1000 and the scenario's values
 * are applied as they are. Without it nothing can go below the adj this
 * process has (the floor), so the pusher keeps the floor and every tenant
 * gets the scenario's value plus one shift that puts the lowest of them
 * far enough above the pusher that the pusher's badness stays below
 * theirs; the kernel compares badness, in which a common shift adds the
 * same amount to every tenant, so the scenario's outcome is unchanged.
 * Returns 0, or -EPERM with err set when the scenario cannot be set up
 * (it needs -1000, or the shift would pass 1000). */
static int oom_adjust(struct oom_state *s, struct mt_err *err)
{
	uint64_t sum = 0, smallest = UINT64_MAX, over;
	int min_adj = 1000, max_adj = -1000;
	struct mt_err e = { 0 };
	int64_t cur = 0;

	for (int i = 0; i < OOM_TENANTS; i++) {
		struct tenant *t = &s->t[i];

		t->size = s->limit / 1000 * (uint64_t)s->scen->size_permille[i];
		t->adj = s->scen->adj[i];
		sum += t->size;
		if (t->size < smallest)
			smallest = t->size;
		if (t->adj < min_adj)
			min_adj = t->adj;
		if (t->adj > max_adj)
			max_adj = t->adj;
	}
	/* Past the limit by less than the smaller tenant, so one kill makes
	 * room, and by little, so that the pusher's own badness is small. */
	over = smallest / 2 < s->limit / 20 ? smallest / 2 : s->limit / 20;
	s->push_target = (sum < s->limit ? s->limit - sum : 0) + over;
	s->capable = has_cap_sys_resource();
	mt_fs_read_i64("/proc/self/oom_score_adj", &cur, &e);
	s->floor = s->capable ? -1000 : (int)cur;
	s->pusher_adj = s->floor;
	if (s->capable)
		return 0;
	if (min_adj <= -1000) {
		return mt_err_set(err, -EPERM, MT_ERR_RUNTIME,
				  "oom: scenario "
				  "%s needs oom_score_adj -1000, and this "
				  "process lacks CAP_SYS_RESOURCE (root in a "
				  "container without it cannot lower "
				  "oom_score_adj below %d; run on the host or "
				  "grant the capability)",
				  s->scen->name, s->floor);
	}
	{
		int margin = (int)(s->push_target * 1000 / s->limit) + 20;

		s->shift = s->floor + margin - min_adj;
		if (s->shift < 0)
			s->shift = 0;
	}
	if (max_adj + s->shift > 1000) {
		return mt_err_set(err, -EPERM, MT_ERR_RUNTIME,
				  "oom: scenario "
				  "%s would need oom_score_adj %d (> 1000) once "
				  "shifted above the pusher's %d, because this "
				  "process lacks CAP_SYS_RESOURCE (run on the "
				  "host or grant the capability)",
				  s->scen->name, max_adj + s->shift, s->floor);
	}
	for (int i = 0; i < OOM_TENANTS; i++)
		s->t[i].adj += s->shift;
	return 0;
}

/* Says which tenant died before it was ready, how and why. */
static void tenant_failed(struct oom_state *s, struct mt_err *err)
{
	char buf[OOM_WHY_LEN + 128];

	for (int i = 0; i < OOM_TENANTS; i++) {
		int st;

		if (waitpid(s->t[i].pid, &st, WNOHANG) != s->t[i].pid)
			continue;
		s->t[i].reaped = true;
		s->t[i].status = st;
		mt_err_why(err,
			   "oom: tenant %d %s before it had touched its "
			   "memory (the cgroup limit may be too small for the "
			   "scenario)",
			   i,
			   wait_text(st, s->why ? s->why[i] : NULL, buf,
				     sizeof(buf)));
		return;
	}
	mt_err_why(err, "oom: a tenant died before it had touched its memory "
			"(the cgroup limit may be too small for the scenario)");
}

/* Starts the tenants and waits until each has touched its memory. */
static enum mt_status oom_setup(const struct mt_env *env,
				const struct mt_case *c, void **state,
				struct mt_err *err)
{
	const char *name = json_string_value(json_object_get(c->params,
							     "scenario"));
	json_t *sys = c->system;
	struct oom_state *s;
	int fds[2];
	int64_t swap = 0;
	char path[600];

	s = calloc(1, sizeof(*s));
	if (!s) {
		mt_err_why(err, "oom: out of memory");
		return MT_FAILED;
	}
	*state = s;
	s->scen = scenario(name);
	s->page = sysconf(_SC_PAGESIZE);
	s->timeout_ns = mt_p_duration(env->params, OOM_TIMEOUT);
	s->victim = s->expected = -1;
	s->limit = (uint64_t)json_integer_value(json_object_get(sys,
								"limit_bytes"));
	if (!s->scen || !s->limit) {
		mt_err_why(err, "oom: malformed case (scenario or "
				"cgroup limit missing)");
		return MT_FAILED;
	}
	if (mt_pressure_case_cgroup(c, &s->cg, err) < 0)
		return MT_FAILED;
	/* mem_cgroup_get_max(): the limit, plus the swap the cgroup may use
	 * when swap is active and not limited to 0 for it. */
	s->totalpages = s->limit / (uint64_t)s->page;
	mt_fs_read_key("/proc/meminfo", "SwapTotal", &swap, err);
	snprintf(path, sizeof(path), "%s/%s", s->cg.path,
		 s->cg.version == 2 ? "memory.swap.max" :
				      "memory.memsw.limit_in_bytes");
	if (swap > 0 && !mt_fs_exists(path)) {
		s->swap_pages_counted = (uint64_t)swap / (uint64_t)s->page;
		s->totalpages += s->swap_pages_counted;
	}
	if (oom_adjust(s, err) < 0)
		return MT_SKIPPED;
	s->why = mmap(NULL, (OOM_TENANTS + 1) * sizeof(*s->why),
		      PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		      0);
	if (s->why == MAP_FAILED)
		s->why = NULL; /* the reasons are then lost, not the case */
	if (pipe(fds) < 0) {
		mt_err_why(err, "oom: cannot create a pipe: %s",
			   strerror(errno));
		return MT_FAILED;
	}
	for (int i = 0; i < OOM_TENANTS; i++) {
		struct tenant *t = &s->t[i];

		t->pid = fork();
		if (t->pid < 0) {
			mt_err_why(err, "oom: cannot fork a tenant: %s",
				   strerror(errno));
			close(fds[0]);
			close(fds[1]);
			return MT_FAILED;
		}
		if (t->pid == 0) {
			close(fds[0]);
			tenant_main(&s->cg, t->size, t->adj, fds[1],
				    s->why ? s->why[i] : NULL);
		}
	}
	close(fds[1]);
	for (int got = 0; got < OOM_TENANTS;) {
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
		ssize_t r = 0;
		char b;
		/* A tenant that died early leaves the other holding the
		 * pipe open: wait a bounded time. */
		int pr = poll(&pfd, 1, 30000);

		if (pr < 0 && errno == EINTR)
			continue;
		if (pr > 0)
			r = read(fds[0], &b, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			tenant_failed(s, err);
			close(fds[0]);
			return MT_FAILED;
		}
		got++;
	}
	close(fds[0]);
	return MT_OK;
}

/* Observes the tenants, pushes the cgroup past its limit and waits for the
 * kill. */
static int oom_run(void *state, uint64_t iters, struct mt_sample *smp,
		   struct mt_err *err)
{
	struct oom_state *s = state;
	int64_t pts[OOM_TENANTS + 1];
	uint64_t t0, settle = 0, pp = s->push_target / (uint64_t)s->page;
	int kills0 = -1, kills1 = -1;
	json_t *v;

	(void)iters;
	for (int i = 0; i < OOM_TENANTS; i++) {
		tenant_observe(&s->t[i], s->totalpages, s->page);
		pts[i] = s->t[i].badness;
	}
	/* The pusher is a candidate too: its badness when the limit is
	 * reached, at most its whole push plus the page tables for it. */
	s->pusher_badness = mt_oom_badness(pp, 0, pp / 512 + 1, s->totalpages,
					   s->pusher_adj);
	pts[OOM_TENANTS] = s->pusher_badness;
	s->expected = mt_oom_expected(pts, OOM_TENANTS + 1, &s->tie);
	s->cg0 = mt_cgroup_counters(&s->cg, err);

	t0 = mt_now_ns();
	s->pusher = fork();
	if (s->pusher < 0)
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "oom: cannot fork the pusher: %s",
				  strerror(errno));
	if (s->pusher == 0)
		pusher_main(&s->cg, s->push_target, s->capable,
			    s->why ? s->why[OOM_TENANTS] : NULL);

	for (;;) {
		int st;
		pid_t p = waitpid(-1, &st, WNOHANG);
		uint64_t now = mt_now_ns();

		if (p > 0) {
			if (p == s->pusher) {
				s->pusher_reaped = true;
				s->pusher_status = st;
				if (WIFSIGNALED(st) && s->victim < 0) {
					s->victim = OOM_TENANTS;
					s->kill_ns = now - t0;
				}
			}
			for (int i = 0; i < OOM_TENANTS; i++) {
				if (p != s->t[i].pid)
					continue;
				s->t[i].reaped = true;
				s->t[i].status = st;
				s->t[i].died_ns = now - t0;
				if (s->victim < 0) {
					s->victim = i;
					s->kill_ns = now - t0;
				}
			}
			continue;
		}
		if (s->pusher_reaped) {
			/* A second kill would show within a moment. */
			if (!settle)
				settle = now;
			if (now - settle > 200000000ull)
				break;
		}
		if (now - t0 > s->timeout_ns) {
			s->timed_out = true;
			break;
		}
		sleep_ms(1);
	}
	s->cg1 = mt_cgroup_counters(&s->cg, err);
	kill_all(s);

	s->kills = 0;
	for (int i = 0; i < OOM_TENANTS; i++)
		if (s->t[i].died_ns && WIFSIGNALED(s->t[i].status))
			s->kills++;
	if (s->pusher_reaped && WIFSIGNALED(s->pusher_status) &&
	    s->victim == OOM_TENANTS)
		s->kills++;
	v = json_object_get(s->cg0, "oom_kill");
	if (json_is_integer(v))
		kills0 = (int)json_integer_value(v);
	v = json_object_get(s->cg1, "oom_kill");
	if (json_is_integer(v))
		kills1 = (int)json_integer_value(v);
	smp->values[V_FOLLOWED] = s->victim == s->expected && s->kills == 1 ?
					  1 :
					  0;
	smp->values[V_AS_DESIGNED] = s->victim == s->scen->expect ? 1 : 0;
	smp->values[V_KILL_MS] = s->victim >= 0 ?
					 (double)s->kill_ns / 1e6 :
					 (double)(mt_now_ns() - t0) / 1e6;
	smp->values[V_KILLS] = kills0 >= 0 && kills1 >= 0 ?
				       (double)(kills1 - kills0) :
				       (double)s->kills;
	smp->ops = 1;
	return 0;
}

/* Records every tenant as observed before the push and how it ended, the
 * computed and actual victims, and the cgroup counters. A run without a
 * kill, with more than one, or with a tie in the computed badness is
 * untrustworthy. */
static enum mt_status oom_verify(void *state, json_t *obtained,
				 struct mt_err *err)
{
	struct oom_state *s = state;
	json_t *arr = json_array();
	char buf[96];

	for (int i = 0; i < OOM_TENANTS; i++) {
		struct tenant *t = &s->t[i];
		json_t *o =
			json_pack("{s:i, s:I, s:i, s:I, s:I, s:I, s:I, s:b}",
				  "pid", (int)t->pid, "size_bytes",
				  (json_int_t)t->size, "oom_score_adj",
				  (int)t->adj_read, "oom_score",
				  (json_int_t)t->oom_score, "rss_kb",
				  (json_int_t)t->rss_kb, "swap_kb",
				  (json_int_t)t->swap_kb, "pgtables_kb",
				  (json_int_t)t->pte_kb, "killed",
				  s->victim == i || (t->died_ns &&
						     WIFSIGNALED(t->status)));

		if (t->badness == MT_OOM_UNKILLABLE)
			json_object_set_new(o, "badness_pages",
					    json_string("unkillable"));
		else
			json_object_set_new(
				o, "badness_pages",
				json_integer((json_int_t)t->badness));
		if (t->died_ns) {
			json_object_set_new(
				o, "end",
				json_string(wait_text(t->status,
						      s->why ? s->why[i] : NULL,
						      buf, sizeof(buf))));
			json_object_set_new(o, "died_ms",
					    json_real((double)t->died_ns /
						      1e6));
		} else {
			json_object_set_new(
				o, "end",
				json_string(
					"alive after the push (killed by us)"));
		}
		json_array_append_new(arr, o);
	}
	json_object_set_new(obtained, "tenants", arr);
	json_object_set_new(obtained, "totalpages",
			    json_integer((json_int_t)s->totalpages));
	json_object_set_new(obtained, "swap_pages_counted",
			    json_integer((json_int_t)s->swap_pages_counted));
	json_object_set_new(obtained, "expected_victim",
			    json_integer(s->expected));
	json_object_set_new(obtained, "victim", json_integer(s->victim));
	json_object_set_new(obtained, "score_tie", json_boolean(s->tie));
	json_object_set_new(obtained, "push_bytes",
			    json_integer((json_int_t)s->push_target));
	json_object_set_new(obtained, "pusher_oom_score_adj",
			    json_integer(s->pusher_adj));
	json_object_set_new(obtained, "pusher_badness_pages",
			    json_integer((json_int_t)s->pusher_badness));
	json_object_set_new(obtained, "cap_sys_resource",
			    json_boolean(s->capable));
	json_object_set_new(obtained, "adj_shift", json_integer(s->shift));
	if (s->shift)
		json_object_set_new(
			obtained, "adj_shift_note",
			json_string(
				"this process cannot lower oom_score_adj (no "
				"CAP_SYS_RESOURCE), so every tenant's adj was raised by "
				"adj_shift to stay above the pusher's; a common shift "
				"adds the same badness to every tenant, so the choice "
				"between them is the scenario's"));
	json_object_set_new(obtained, "victim_is",
			    json_string(s->victim < 0		 ? "none" :
					s->victim == OOM_TENANTS ? "pusher" :
								   "tenant"));
	if (s->pusher_reaped)
		json_object_set_new(obtained, "pusher_end",
				    json_string(wait_text(
					    s->pusher_status,
					    s->why ? s->why[OOM_TENANTS] : NULL,
					    buf, sizeof(buf))));
	if (s->cg0)
		json_object_set(obtained, "cgroup_before", s->cg0);
	if (s->cg1)
		json_object_set(obtained, "cgroup_after", s->cg1);
	json_object_set_new(
		obtained, "rule",
		json_string(
			"badness = rss + swap + page tables (pages) + oom_score_adj * "
			"(totalpages / 1000); -1000 never; highest goes "
			"(mm/oom_kill.c, Documentation/filesystems/proc.rst)"));

	if (s->victim < 0) {
		mt_err_why(err,
			   "oom: no tenant was killed within the "
			   "timeout (%s)",
			   s->pusher_reaped && WIFEXITED(s->pusher_status) &&
					   WEXITSTATUS(s->pusher_status) ==
						   OOM_EXIT_REFUSED ?
				   "the kernel refused memory instead" :
				   "raise oom.timeout");
		return MT_UNTRUSTWORTHY;
	}
	if (s->kills > 1) {
		mt_err_why(err,
			   "oom: %d tenants were killed; the push "
			   "overshot",
			   s->kills);
		return MT_UNTRUSTWORTHY;
	}
	if (s->tie) {
		mt_err_why(err,
			   "oom: the tenants' computed badness is "
			   "tied; the choice follows the kernel's task order");
		return MT_UNTRUSTWORTHY;
	}
	return MT_OK;
}

static void oom_teardown(void *state)
{
	struct oom_state *s = state;

	if (!s)
		return;
	kill_all(s);
	if (s->why)
		munmap(s->why, (OOM_TENANTS + 1) * sizeof(*s->why));
	json_decref(s->cg0);
	json_decref(s->cg1);
	free(s);
}

const struct mt_bench mt_bench_oom = {
	.name = "oom",
	.summary = "which process the OOM killer picks in a memory cgroup "
		   "(oom_score_adj against size) and how long the kill takes",
	.params = oom_params,
	.needs = MT_NEED_ROOT | MT_NEED_CGROUP,
	.supported = oom_supported,
	.plan = oom_plan,
	.case_sys_setup = oom_case_sys_setup,
	.setup = oom_setup,
	.run = oom_run,
	.verify = oom_verify,
	.teardown = oom_teardown,
};
