/* The dead-man switch: see deadman.h. */
#include "deadman.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define DISARM 'D'

static int pidfd_of(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

/* Closes every descriptor but 0-2 and keep. */
static void close_others(int keep)
{
	int max = (int)sysconf(_SC_OPEN_MAX);

	if (max < 0 || max > 65536)
		max = 65536;
	for (int fd = 3; fd < max; fd++)
		if (fd != keep)
			close(fd);
}

/* Runs argv until it exits 0, ATTEMPTS times at most a second apart: the
 * dying process's children (a benchmark worker, a workload) may still
 * hold what the command must undo, or the state lock, for a moment.
 * Returns the exit status for the watchdog. */
static int run_until_done(char *const argv[])
{
	enum { ATTEMPTS = 10 };
	int status = 0;

	for (int i = 0; i < ATTEMPTS; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			execv(argv[0], argv);
			fprintf(stderr,
				"memtune: dead-man switch: cannot run %s: "
				"%s\n",
				argv[0], strerror(errno));
			_exit(127);
		}
		if (pid < 0) {
			sleep(1);
			continue;
		}
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (WIFEXITED(status) &&
		    (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 127))
			return WEXITSTATUS(status);
		fprintf(stderr,
			"memtune: dead-man switch: %s failed (attempt %d of "
			"%d); trying again\n",
			argv[0], i + 1, ATTEMPTS);
		sleep(1);
	}
	return 1;
}

/* The watchdog's life: returns only to exit. */
static int watch(pid_t parent, int rfd, char *const argv[])
{
	static const int ignored[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
	struct pollfd pfd[2];
	int pidfd, null, n = 1;
	char c;

	setsid();
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		signal(ignored[i], SIG_IGN);
	close_others(rfd);
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, 0);
		close(null);
	}
	/* Spared by the OOM killer where we may ask: it must outlive what
	 * the OOM killer takes. Unprivileged, this fails and is no loss. */
	null = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (null >= 0) {
		if (write(null, "-1000", 5) < 0) {
			/* not allowed: keep the inherited score */
		}
		close(null);
	}
	pidfd = pidfd_of(parent);
	if (getppid() != parent) {
		/* The parent died before we watched it. */
		goto fire;
	}
	pfd[0] = (struct pollfd){ .fd = rfd, .events = POLLIN };
	if (pidfd >= 0) {
		pfd[1] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		n = 2;
	}
	for (;;) {
		int r = poll(pfd, (nfds_t)n, -1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fire;
		if (pfd[0].revents) {
			ssize_t got = read(rfd, &c, 1);

			if (got == 1 && c == DISARM)
				return 0;
			if (got < 0 && errno == EINTR)
				continue;
			/* End of file or anything else: the parent is gone
			 * (or went wrong); the safe side is to fire. */
			goto fire;
		}
		if (n == 2 && pfd[1].revents)
			goto fire;
	}
fire:
	/* A disarm written just before the parent exited still counts. */
	if (fcntl(rfd, F_SETFL, O_NONBLOCK) == 0 && read(rfd, &c, 1) == 1 &&
	    c == DISARM)
		return 0;
	fprintf(stderr,
		"memtune: the process %d that armed the dead-man "
		"switch is gone: running %s\n",
		(int)parent, argv[0]);
	return run_until_done(argv);
}

int mt_deadman_arm(struct mt_deadman *dm, char *const argv[],
		   struct mt_err *err)
{
	pid_t parent = getpid(), pid;
	int fds[2];

	dm->pid = 0;
	dm->fd = -1;
	if (!argv || !argv[0])
		return mt_err_set(err, -EINVAL, MT_ERR_RUNTIME,
				  "dead-man switch: no command to run");
	if (pipe2(fds, O_CLOEXEC) < 0)
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "dead-man switch: cannot create a pipe: %s",
				  strerror(errno));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		int e = errno;

		close(fds[0]);
		close(fds[1]);
		return mt_err_set(err, -e, MT_ERR_RUNTIME,
				  "dead-man switch: cannot fork its watchdog: "
				  "%s",
				  strerror(e));
	}
	if (pid == 0) {
		close(fds[1]);
		_exit(watch(parent, fds[0], argv));
	}
	close(fds[0]);
	dm->pid = pid;
	dm->fd = fds[1];
	return 0;
}

int mt_deadman_disarm(struct mt_deadman *dm, struct mt_err *err)
{
	char c = DISARM;
	ssize_t w;
	int status, ret = 0;

	if (dm->fd < 0)
		return 0;
	do
		w = write(dm->fd, &c, 1);
	while (w < 0 && errno == EINTR);
	if (w != 1)
		ret = mt_err_set(err, w < 0 ? -errno : -EIO, MT_ERR_RUNTIME,
				 "dead-man switch: cannot disarm watchdog %d: "
				 "%s (it restores when memtune exits)",
				 (int)dm->pid,
				 w < 0 ? strerror(errno) : "short write");
	close(dm->fd);
	dm->fd = -1;
	if (ret == 0)
		while (waitpid(dm->pid, &status, 0) < 0 && errno == EINTR)
			;
	dm->pid = 0;
	return ret;
}
