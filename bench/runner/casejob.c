/* One case as a value, and running it in a fresh worker: see casejob.h. */
#include "casejob.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../core/clock.h"
#include "../../core/json_safe.h"
#include "../../core/record.h"
#include "../../core/signals.h"
#include "registry.h"
#include "runner.h"
#include "worker.h"

static const char *const derive_names[] = {
	[MT_NS_PER_OP] = "ns_per_op",
	[MT_MB_PER_S] = "mb_per_s",
	[MT_OPS_PER_S] = "ops_per_s",
	[MT_NS_PER_FAULT] = "ns_per_fault",
	[MT_FAULTS_PER_OP] = "faults_per_op",
	[MT_MAJFLT_PER_OP] = "majflt_per_op",
	[MT_VALUE] = "value",
};

static const char *const mode_names[] = {
	[MT_CASE_CALIBRATE] = "calibrate",
	[MT_CASE_FIXED] = "fixed",
	[MT_CASE_ONCE] = "once",
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* The index of name in names[0..n), or -1. */
static int name_index(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; name && i < n; i++)
		if (names[i] && strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

static json_t *metrics_json(const struct mt_case *c)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < c->n_metrics; i++) {
		const struct mt_metric *m = &c->metrics[i];

		if (json_array_append_new(
			    a, json_pack("{s:s,s:s,s:s,s:i,s:b}", "name",
					 m->name, "unit", m->unit, "derive",
					 derive_names[m->derive], "slot",
					 m->slot, "higher_is_better",
					 m->higher_is_better)) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *mt_case_job_json(const struct mt_case_job *job)
{
	const struct mt_case *c = job->c;
	const struct mt_env *env = job->env;
	json_t *kase = json_pack("{s:O,s:s,s:o}", "params", c->params, "mode",
				 mode_names[c->mode], "metrics",
				 metrics_json(c));

	if (!kase)
		return NULL;
	if ((c->system && json_object_set(kase, "system", c->system) < 0) ||
	    (c->handoff && json_object_set(kase, "handoff", c->handoff) < 0)) {
		json_decref(kase);
		return NULL;
	}
	return json_pack("{s:s,s:s,s:I,s:s?,s:i,s:b,s:o,s:o,s:o}", "bench",
			 job->bench->name, "section", job->section,
			 "case_index", (json_int_t)job->index, "rundir",
			 env->rundir, "cpu", env->cpu, "quick", env->quick,
			 "global", mt_params_to_json(env->global), "params",
			 mt_params_to_json(env->params), "case", kase);
}

static int bad_job(struct mt_err *err, const char *what)
{
	return mt_err_set(err, -EINVAL, MT_ERR_RUNTIME,
			  "worker: malformed "
			  "job from the runner: %s (a bug: please report it)",
			  what);
}

static int metrics_load(const json_t *a, struct mt_case_value *v,
			struct mt_err *err)
{
	size_t n = json_array_size(a), i;
	const json_t *e;

	if (!n)
		return bad_job(err, "the case has no metric");
	v->metrics = calloc(n, sizeof(*v->metrics));
	if (!v->metrics)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "worker: out of memory");
	json_array_foreach(a, i, e) {
		struct mt_metric *m = &v->metrics[i];
		const char *name = json_string_value(json_object_get(e,
								     "name"));
		const char *unit = json_string_value(json_object_get(e,
								     "unit"));
		int d = name_index(
			derive_names, N_OF(derive_names),
			json_string_value(json_object_get(e, "derive")));

		if (!name || !unit || d < 0)
			return bad_job(err, "a metric lacks its name, unit "
					    "or a known derive");
		m->name = strdup(name);
		m->unit = strdup(unit);
		if (!m->name || !m->unit)
			return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
					  "worker: out of memory");
		m->derive = (enum mt_derive)d;
		m->slot = (int)json_integer_value(json_object_get(e, "slot"));
		m->higher_is_better =
			json_is_true(json_object_get(e, "higher_is_better"));
		v->c.n_metrics = i + 1;
	}
	v->c.metrics = v->metrics;
	return 0;
}

int mt_case_value_load(const json_t *j, struct mt_case_value *v,
		       struct mt_err *err)
{
	const char *bench = json_string_value(json_object_get(j, "bench"));
	const char *section = json_string_value(json_object_get(j, "section"));
	const char *rundir = json_string_value(json_object_get(j, "rundir"));
	const json_t *kase = json_object_get(j, "case");
	const json_t *jv;
	int mode, ret;

	memset(v, 0, sizeof(*v));
	v->job.bench = bench ? mt_bench_find(bench) : NULL;
	if (!v->job.bench || !section || !json_is_object(kase) ||
	    !json_is_object(json_object_get(kase, "params")))
		return bad_job(err, "no known bench, section or case");
	mode = name_index(mode_names, N_OF(mode_names),
			  json_string_value(json_object_get(kase, "mode")));
	if (mode < 0)
		return bad_job(err, "the case has no known mode");
	v->section = strdup(section);
	v->rundir = rundir ? strdup(rundir) : NULL;
	if (!v->section || (rundir && !v->rundir))
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "worker: out of memory");
	v->variant = strchr(v->section, ':');
	if (v->variant)
		v->variant++;
	v->c.params = json_incref(json_object_get(kase, "params"));
	v->c.mode = (enum mt_case_mode)mode;
	jv = json_object_get(kase, "system");
	v->c.system = json_is_object(jv) ? json_incref((json_t *)jv) : NULL;
	jv = json_object_get(kase, "handoff");
	v->c.handoff = json_is_object(jv) ? json_incref((json_t *)jv) : NULL;
	ret = metrics_load(json_object_get(kase, "metrics"), v, err);
	if (ret < 0)
		return ret;
	ret = mt_params_from_json(json_object_get(j, "global"),
				  mt_global_params, &v->global, err);
	if (ret < 0)
		return ret;
	ret = mt_params_from_json(json_object_get(j, "params"),
				  v->job.bench->params, &v->params, err);
	if (ret < 0)
		return ret;
	ret = mt_caps_read(&v->caps, err);
	if (ret < 0)
		return ret;
	v->job.index =
		(size_t)json_integer_value(json_object_get(j, "case_index"));
	v->env = mt_env_make(&v->caps, v->global, v->params, v->rundir, NULL,
			     (int)json_integer_value(json_object_get(j, "cpu")),
			     json_is_true(json_object_get(j, "quick")),
			     v->job.index);
	v->job.section = v->section;
	v->job.env = &v->env;
	v->job.c = &v->c;
	return 0;
}

void mt_case_value_free(struct mt_case_value *v)
{
	for (size_t i = 0; v->metrics && i < v->c.n_metrics; i++) {
		free((char *)v->metrics[i].name);
		free((char *)v->metrics[i].unit);
	}
	free(v->metrics);
	json_decref(v->c.params);
	json_decref(v->c.system);
	json_decref(v->c.handoff);
	mt_params_free(v->global);
	mt_params_free(v->params);
	free(v->section);
	free(v->rundir);
	memset(v, 0, sizeof(*v));
}

int mt_bench_plan(const struct mt_cfg *cfg, const char *section, bool quick,
		  struct mt_plan *plan, struct mt_err *err)
{
	const struct mt_bench *b = mt_bench_find(section);
	struct mt_params *g = NULL, *p = NULL;
	struct mt_caps caps;
	struct mt_env env;
	int ret;

	memset(plan, 0, sizeof(*plan));
	if (!b)
		return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				  "plan: no "
				  "benchmark called '%s' (see 'memtune list')",
				  section);
	ret = mt_section_params(cfg, section, b->params, &g, &p, err);
	if (ret == 0)
		ret = mt_caps_read(&caps, err);
	if (ret == 0) {
		env = mt_env_make(&caps, g, p, NULL, NULL, -1, quick, 0);
		ret = b->plan(&env, plan, err);
		if (ret < 0)
			mt_plan_free(plan);
	}
	mt_params_free(p);
	mt_params_free(g);
	return ret;
}

/* ---- running a case in a worker ------------------------------------- */

/* The records and the summary a worker writes, one JSON object a line. */
struct inbox {
	json_t *records;
	bool summary;	  /* the worker's {"worker": ...} line came */
	int records_said; /* what the summary says */
	int failed_said;
	int garbled; /* lines that were not JSON objects */
};

/* Takes one line from the worker: a record, or its summary. A line that
 * is not a JSON object is counted and dropped (the case then fails with
 * the reason). */
static int take_line(struct inbox *in, const char *line, size_t len,
		     struct mt_err *err)
{
	json_error_t jerr;
	json_t *o = mt_json_loadb(line, len, 0, &jerr), *w;

	if (!json_is_object(o)) {
		json_decref(o);
		in->garbled++;
		return 0;
	}
	w = json_object_get(o, "worker");
	if (json_is_object(w)) {
		in->summary = true;
		in->records_said =
			(int)json_integer_value(json_object_get(w, "records"));
		in->failed_said =
			(int)json_integer_value(json_object_get(w, "failed"));
		json_decref(o);
		return 0;
	}
	if (json_array_append_new(in->records, o) < 0)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "run: out of memory");
	return 0;
}

/* Reads the worker's lines from fd until EOF. Returns 0, -EINTR when a
 * signal arrived, -ETIMEDOUT after timeout_ns (the worker is then killed),
 * or -errno with err set. */
static int collect(int fd, pid_t pid, uint64_t timeout_ns, struct inbox *in,
		   struct mt_err *err)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	uint64_t deadline = mt_now_ns() + timeout_ns;
	int ret = 0;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t r;
		char *nl;
		int pr;

		if (mt_signal_pending()) {
			ret = -EINTR;
			break;
		}
		if (mt_now_ns() > deadline) {
			ret = -ETIMEDOUT;
			break;
		}
		pr = poll(&pfd, 1, 500);
		if (pr <= 0)
			continue;
		if (len + 65536 > cap) {
			char *nb = realloc(buf, cap + 65536 * 2);

			if (!nb) {
				ret = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
						 "run: out of memory");
				break;
			}
			buf = nb;
			cap += 65536 * 2;
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		while (ret == 0 && (nl = memchr(buf, '\n', len))) {
			ret = take_line(in, buf, (size_t)(nl - buf), err);
			len -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, len);
		}
		if (ret < 0)
			break;
	}
	if (ret < 0)
		kill(pid, SIGKILL);
	free(buf);
	return ret;
}

/* Writes all of text to fd; 0 or an errno. */
static int send_all(int fd, const char *text)
{
	size_t len = strlen(text), off = 0;

	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? errno : EIO;
		off += (size_t)w;
	}
	return 0;
}

/* Forks and execs the worker with the job on one pipe and its records on
 * another. Returns the pid with *out_fd the read end, or -errno. */
static pid_t start_worker(const char *bench, const char *text, int *out_fd,
			  int *send_err, struct mt_err *err)
{
	int fds[2], jfds[2], e;
	pid_t pid;

	if (pipe(fds) < 0)
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "run: cannot "
				  "create a pipe: %s",
				  strerror(errno));
	if (pipe(jfds) < 0) {
		e = errno;
		close(fds[0]);
		close(fds[1]);
		return mt_err_set(err, -e, MT_ERR_RUNTIME,
				  "run: cannot "
				  "create a pipe: %s",
				  strerror(e));
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		e = errno;
		close(fds[0]);
		close(fds[1]);
		close(jfds[0]);
		close(jfds[1]);
		return mt_err_set(err, -e, MT_ERR_RUNTIME,
				  "run: cannot fork "
				  "a worker: %s",
				  strerror(e));
	}
	if (pid == 0) {
		char a[16], b[16];

		/* A worker must not outlive a killed run: it may hold
		 * hugetlb pages or sit in a cgroup that restore removes. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(MT_WORKER_ORPHAN);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		close(fds[0]);
		close(jfds[1]);
		snprintf(a, sizeof(a), "%d", jfds[0]);
		snprintf(b, sizeof(b), "%d", fds[1]);
		execl("/proc/self/exe", "memtune", "__worker", a, b,
		      (char *)NULL);
		dprintf(fds[1],
			"{\"schema_version\":1,\"bench\":\"%s\","
			"\"status\":\"failed\",\"reason\":\"run: cannot "
			"start a worker: exec /proc/self/exe: %s\"}\n",
			bench, strerror(errno));
		_exit(MT_WORKER_NO_EXEC);
	}
	close(fds[1]);
	close(jfds[0]);
	/* The job is small (a few KB): one write fits in the pipe buffer. */
	*send_err = send_all(jfds[1], text);
	close(jfds[1]);
	*out_fd = fds[0];
	return pid;
}

/* Why a worker gave no (complete) result, for its failed record. */
static void worker_why(char *why, size_t len, int send_err, int got, int status,
		       const struct inbox *in)
{
	int n = (int)json_array_size(in->records);

	if (send_err)
		snprintf(why, len,
			 "run: cannot send the case to its worker: "
			 "%s",
			 strerror(send_err));
	else if (in->garbled)
		snprintf(why, len,
			 "worker wrote %d line%s that %s not a JSON "
			 "record (a bug: please report it)",
			 in->garbled, in->garbled == 1 ? "" : "s",
			 in->garbled == 1 ? "is" : "are");
	else if (got == -ETIMEDOUT)
		snprintf(why, len,
			 "worker killed after the case timeout "
			 "(raise global.case_timeout)");
	else if (WIFSIGNALED(status))
		snprintf(why, len, "worker died of signal %d (%s)%s",
			 WTERMSIG(status), strsignal(WTERMSIG(status)),
			 WTERMSIG(status) == SIGKILL ?
				 " — possibly the OOM killer; see dmesg" :
				 "");
	else if (n == 0)
		snprintf(why, len,
			 "worker exited with status %d without "
			 "writing a record",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	else
		snprintf(why, len,
			 "worker could not write all its records "
			 "(exit status %d: %s)",
			 WEXITSTATUS(status),
			 mt_worker_exit_text(WEXITSTATUS(status)));
}

int mt_bench_run_case(const struct mt_case_job *job, json_t **records,
		      int *failed, struct mt_err *err)
{
	const struct mt_case *c = job->c;
	struct inbox in = { .records = json_array() };
	json_t *j = mt_case_job_json(job);
	char *text = j ? mt_json_dumps(j, JSON_COMPACT) : NULL;
	uint64_t timeout = job->timeout_ns ? job->timeout_ns :
					     mt_p_duration(job->env->global,
							   MT_G_CASE_TIMEOUT);
	int fd = -1, status = 0, got = 0, send_err = 0;
	pid_t pid;

	*records = in.records;
	*failed = 0;
	json_decref(j);
	if (!text || !in.records) {
		free(text);
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "run: out of memory");
	}
	pid = start_worker(job->bench->name, text, &fd, &send_err, err);
	free(text);
	if (pid < 0)
		return (int)pid;
	/* A worker without its job can only say it has none: stop it and
	 * say what really failed. */
	if (send_err)
		kill(pid, SIGKILL);
	else
		got = collect(fd, pid, timeout, &in, err);
	close(fd);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got < 0 && got != -ETIMEDOUT)
		return got;
	/* A bad job is one failed record that says why: complete too. */
	if (!send_err && got == 0 && in.summary && !in.garbled &&
	    WIFEXITED(status) &&
	    (WEXITSTATUS(status) == MT_WORKER_OK ||
	     WEXITSTATUS(status) == MT_WORKER_BAD_JOB) &&
	    in.records_said == (int)json_array_size(in.records)) {
		*failed = in.failed_said;
		return 0;
	}
	/* No complete result: count what came (by its status field) and add
	 * one failed record that says why. */
	{
		const char *variant = strchr(job->section, ':');
		char why[512];
		size_t i;
		json_t *r;

		json_array_foreach(in.records, i, r) {
			const char *st =
				json_string_value(json_object_get(r, "status"));

			if (st && strcmp(st, "failed") == 0)
				(*failed)++;
		}
		worker_why(why, sizeof(why), send_err, got, status, &in);
		r = mt_record_status(job->bench->name,
				     variant ? variant + 1 : NULL, c->params,
				     "failed", why);
		if (r && c->system)
			json_object_set(r, "system", c->system);
		if (!r || json_array_append_new(in.records, r) < 0)
			return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
					  "run: out of memory");
		(*failed)++;
	}
	return 0;
}
