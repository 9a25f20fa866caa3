/* The operator's workload as a measurement: see workload.h. */
#include "workload.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"

/* Standard output kept for the regular expressions; beyond this the
 * command's output is read and dropped. */
#define OUT_CAP (4u << 20)

int mt_workload_regex(regex_t *re, const char *text, const char *what,
		      struct mt_err *err)
{
	char why[200];
	int rc = regcomp(re, text, REG_EXTENDED);

	if (rc != 0) {
		regerror(rc, re, why, sizeof(why));
		return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				  "%s '%s': %s: expected a POSIX extended "
				  "regular expression with a capture group, "
				  "e.g. 'tps = ([0-9.]+)'",
				  what, text, why);
	}
	if (re->re_nsub < 1) {
		regfree(re);
		return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				  "%s '%s' has no capture group: expected one "
				  "around the number, e.g. 'tps = ([0-9.]+)'",
				  what, text);
	}
	return 0;
}

/* The number in the first capture group at re's first match in text;
 * NAN when there is none or it is not a finite number. */
static double capture(const regex_t *re, const char *text)
{
	regmatch_t m[2];
	char num[64], *end;
	size_t len;
	double v;

	if (regexec(re, text, 2, m, 0) != 0 || m[1].rm_so < 0)
		return NAN;
	len = (size_t)(m[1].rm_eo - m[1].rm_so);
	if (len == 0 || len >= sizeof(num))
		return NAN;
	memcpy(num, text + m[1].rm_so, len);
	num[len] = '\0';
	errno = 0;
	v = strtod(num, &end);
	if (errno || *end || !isfinite(v))
		return NAN;
	return v;
}

struct sink {
	char *buf;
	size_t len, cap;
};

/* Appends what fd has to s (up to its cap; the rest is dropped). Returns
 * 1 while open, 0 at end of file. */
static int drain(int fd, struct sink *s)
{
	char tmp[8192];
	ssize_t r = read(fd, tmp, sizeof(tmp));

	if (r < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : 0;
	if (r == 0)
		return 0;
	if (s->len + (size_t)r + 1 > s->cap && s->cap < OUT_CAP) {
		size_t want = s->cap ? s->cap * 2 : 65536;
		char *nb;

		while (want < s->len + (size_t)r + 1 && want < OUT_CAP)
			want *= 2;
		if (want > OUT_CAP)
			want = OUT_CAP;
		nb = realloc(s->buf, want);
		if (nb) {
			s->buf = nb;
			s->cap = want;
		}
	}
	if (s->buf && s->len + 1 < s->cap) {
		size_t room = s->cap - s->len - 1,
		       n = (size_t)r < room ? (size_t)r : room;

		memcpy(s->buf + s->len, tmp, n);
		s->len += n;
		s->buf[s->len] = '\0';
	}
	return 1;
}

/* The last line-ish bytes of s into tail. */
static void tail_of(const struct sink *s, char *tail, size_t len)
{
	size_t n = s->len < len - 1 ? s->len : len - 1;

	tail[0] = '\0';
	if (!s->buf || !n)
		return;
	memcpy(tail, s->buf + s->len - n, n);
	tail[n] = '\0';
	for (char *p = tail; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
}

int mt_workload_run(const char *cmd, const regex_t *metric_re,
		    const regex_t *p99_re, uint64_t timeout_ns,
		    struct mt_workload_result *out, struct mt_err *err)
{
	return mt_workload_run_in(cmd, NULL, metric_re, p99_re, timeout_ns, out,
				  err);
}

/* Moves the calling process into the cgroup whose membership file is
 * procs (cgroup.procs, or v1's tasks). Returns 0 or -errno. */
static int enter_cgroup(const char *procs)
{
	char pid[24];
	int fd = open(procs, O_WRONLY | O_CLOEXEC), n, rc = 0;

	if (fd < 0)
		return -errno;
	n = snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (write(fd, pid, (size_t)n) != n)
		rc = -errno;
	close(fd);
	return rc;
}

int mt_workload_run_in(const char *cmd, const char *cgroup_procs,
		       const regex_t *metric_re, const regex_t *p99_re,
		       uint64_t timeout_ns, struct mt_workload_result *out,
		       struct mt_err *err)
{
	int o[2], e[2], open_fds = 2, status = 0;
	struct sink so = { 0 }, se = { 0 };
	uint64_t t0, deadline;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	out->metric = out->p99 = NAN;
	if (pipe2(o, O_CLOEXEC) < 0)
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "workload: cannot create a pipe: %s",
				  strerror(errno));
	if (pipe2(e, O_CLOEXEC) < 0) {
		int x = errno;

		close(o[0]);
		close(o[1]);
		return mt_err_set(err, -x, MT_ERR_RUNTIME,
				  "workload: cannot create a pipe: %s",
				  strerror(x));
	}
	fflush(stdout);
	fflush(stderr);
	t0 = mt_now_ns();
	pid = fork();
	if (pid < 0) {
		int x = errno;

		close(o[0]);
		close(o[1]);
		close(e[0]);
		close(e[1]);
		return mt_err_set(err, -x, MT_ERR_RUNTIME,
				  "workload: cannot fork: %s", strerror(x));
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		if (null >= 0)
			dup2(null, 0);
		dup2(o[1], 1);
		dup2(e[1], 2);
		if (cgroup_procs) {
			int rc = enter_cgroup(cgroup_procs);

			if (rc < 0) {
				dprintf(2,
					"workload: cannot enter the cgroup "
					"(%s): %s\n",
					cgroup_procs, strerror(-rc));
				_exit(126);
			}
		}
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		dprintf(2, "workload: cannot run /bin/sh: %s\n",
			strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	close(o[1]);
	close(e[1]);
	deadline = timeout_ns ? t0 + timeout_ns : 0;
	while (open_fds) {
		struct pollfd p[2] = { { .fd = o[0], .events = POLLIN },
				       { .fd = e[0], .events = POLLIN } };
		int ms = -1;

		if (deadline) {
			uint64_t now = mt_now_ns();

			if (now >= deadline) {
				out->timed_out = true;
				kill(-pid, SIGKILL);
				break;
			}
			ms = (int)((deadline - now) / 1000000u) + 1;
		}
		if (poll(p, 2, ms) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			if (p[i].fd < 0 || !p[i].revents)
				continue;
			if (!drain(p[i].fd, i ? &se : &so)) {
				close(p[i].fd);
				if (i)
					e[0] = -1;
				else
					o[0] = -1;
				open_fds--;
			}
		}
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* What sh left behind in its group goes with it. */
	kill(-pid, SIGKILL);
	if (o[0] >= 0)
		close(o[0]);
	if (e[0] >= 0)
		close(e[0]);
	out->status = status;
	out->wall_s = (double)(mt_now_ns() - t0) / 1e9;
	if (so.buf && metric_re)
		out->metric = capture(metric_re, so.buf);
	else if (!metric_re)
		out->metric = out->wall_s;
	out->matched = !isnan(out->metric);
	if (so.buf && p99_re)
		out->p99 = capture(p99_re, so.buf);
	tail_of(se.len ? &se : &so, out->tail, sizeof(out->tail));
	free(so.buf);
	free(se.buf);
	return 0;
}

bool mt_workload_ok(const struct mt_workload_result *r, bool want_match)
{
	return !r->timed_out && WIFEXITED(r->status) &&
	       WEXITSTATUS(r->status) == 0 && (!want_match || r->matched);
}
