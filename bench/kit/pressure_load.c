/* Pressure-making children and sparse files (see pressure_load.h). */
#include "pressure_load.h"

#include <errno.h>
#include <fcntl.h>
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

#include "../../core/clock.h"
#include "../../core/fsroot.h"

int mt_pressure_sparse_file(struct mt_journal *j, const char *path,
			    uint64_t bytes, struct mt_err *err)
{
	struct stat st;
	int fd, ret;

	if (stat(path, &st) == 0)
		return mt_err_set(err, -EEXIST, MT_ERR_RUNTIME,
				  "'%s' already exists; not touching a file "
				  "that is not ours (remove it or choose "
				  "another directory)",
				  path);
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

/* Forks a child that has joined cg and keeps off avoid_cpu (child_begin;
 * it exits 3 when it cannot): 0 in the child, its pid in the parent, or a
 * negative errno with err naming what could not be forked. */
static pid_t fork_child(const struct mt_cgroup *cg, int avoid_cpu,
			const char *what, struct mt_err *err)
{
	pid_t pid = fork();

	if (pid < 0)
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "cannot fork %s: %s", what, strerror(errno));
	if (pid == 0 && child_begin(cg, avoid_cpu) < 0)
		_exit(3);
	return pid;
}

pid_t mt_pressure_streamer(const struct mt_cgroup *cg, const char *path,
			   int avoid_cpu, double rate_mb_s, struct mt_err *err)
{
	pid_t pid = fork_child(cg, avoid_cpu, "a page-cache reader", err);

	if (pid == 0) {
		static char buf[1 << 20];
		uint64_t t0, done = 0;
		off_t off = 0;
		int fd;

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
	pid_t pid = fork_child(cg, avoid_cpu, "a memory-pressure worker", err);

	if (pid == 0) {
		long page = sysconf(_SC_PAGESIZE);
		volatile char *p;
		char one = 1;

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
