/* memtune's state directory: choosing it, trusting it, locking it (see
 * statedir.h). */
#include "statedir.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "fileio.h"

#define LOCK_NAME "lock"
#define FIX_HINT \
	"set MEMTUNE_STATE_DIR (or XDG_STATE_HOME) to a directory " \
	"you own that nobody else can write"

int mt_state_dir_path(char *buf, size_t len, struct mt_err *err)
{
	const char *dir = getenv("MEMTUNE_STATE_DIR");
	const char *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	int n;

	if (dir && dir[0]) {
		if (dir[0] != '/')
			return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
					  "MEMTUNE_STATE_DIR=%s: expected an "
					  "absolute path",
					  dir);
		n = snprintf(buf, len, "%s", dir);
	} else if (geteuid() == 0) {
		n = snprintf(buf, len, "/var/lib/memtune");
	} else if (xdg && xdg[0] == '/') {
		n = snprintf(buf, len, "%s/memtune", xdg);
	} else {
		if (!home || home[0] != '/') {
			struct passwd *pw = getpwuid(geteuid());

			home = pw ? pw->pw_dir : NULL;
		}
		if (!home || home[0] != '/')
			return mt_err_set(err, -ENOENT, MT_ERR_RUNTIME,
					  "cannot choose a state directory: "
					  "HOME is not set (set "
					  "MEMTUNE_STATE_DIR)");
		n = snprintf(buf, len, "%s/.local/state/memtune", home);
	}
	if (n < 0 || (size_t)n >= len)
		return mt_err_set(err, -ENAMETOOLONG, MT_ERR_RUNTIME,
				  "the state directory path is too long (set "
				  "MEMTUNE_STATE_DIR)");
	while (n > 1 && buf[n - 1] == '/')
		buf[--n] = '\0';
	return 0;
}

/* Checks one directory above the state directory: root's or ours, and
 * writable by nobody else unless sticky. */
static int check_ancestor(const char *path, struct mt_err *err)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "state directory: cannot check %s: %s", path,
				  strerror(errno));
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return mt_err_set(err, -EPERM, MT_ERR_RUNTIME,
				  "state directory: %s belongs to uid %u, "
				  "who could swap the state directory for "
				  "one of their own (%s)",
				  path, (unsigned)st.st_uid, FIX_HINT);
	if ((st.st_mode & 022) && !(st.st_mode & S_ISVTX))
		return mt_err_set(err, -EPERM, MT_ERR_RUNTIME,
				  "state directory: %s can be written by "
				  "others (mode %04o, not sticky), who could "
				  "swap the state directory for one of their "
				  "own (%s)",
				  path, (unsigned)(st.st_mode & 07777),
				  FIX_HINT);
	return 0;
}

int mt_state_dir_check(const char *dir, struct mt_err *err)
{
	char real[PATH_MAX], *slash;
	struct stat st;
	int ret;

	if (lstat(dir, &st) < 0)
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "state directory %s: %s", dir,
				  strerror(errno));
	if (S_ISLNK(st.st_mode))
		return mt_err_set(err, -EPERM, MT_ERR_RUNTIME,
				  "state directory %s is a symbolic link; "
				  "memtune keeps its journals only in a real "
				  "directory (%s)",
				  dir, FIX_HINT);
	if (!S_ISDIR(st.st_mode))
		return mt_err_set(err, -ENOTDIR, MT_ERR_RUNTIME,
				  "state directory %s is not a directory "
				  "(%s)",
				  dir, FIX_HINT);
	if (st.st_uid != geteuid())
		return mt_err_set(err, -EPERM, MT_ERR_RUNTIME,
				  "state directory %s belongs to uid %u, not "
				  "to you (uid %u): memtune does not play "
				  "back journals that others could have "
				  "written (%s)",
				  dir, (unsigned)st.st_uid, (unsigned)geteuid(),
				  FIX_HINT);
	if (st.st_mode & 022)
		return mt_err_set(err, -EPERM, MT_ERR_RUNTIME,
				  "state directory %s can be written by "
				  "others (mode %04o): run chmod 700 %s, or "
				  "%s",
				  dir, (unsigned)(st.st_mode & 07777), dir,
				  FIX_HINT);
	if (!realpath(dir, real))
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "state directory %s: %s", dir,
				  strerror(errno));
	/* Every directory above it, from the parent up to /. */
	while ((slash = strrchr(real, '/'))) {
		if (slash == real) {
			real[1] = '\0';
			return check_ancestor(real, err);
		}
		*slash = '\0';
		ret = check_ancestor(real, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int mt_state_dir_prepare(const char *dir, struct mt_err *err)
{
	int ret = mt_mkdir_p(dir, 0755, 0700);

	if (ret < 0)
		return mt_err_set(
			err, ret, MT_ERR_RUNTIME,
			"cannot create the state directory %s: %s "
			"(%s)",
			dir, strerror(-ret),
			ret == -EACCES || ret == -EPERM || ret == -EROFS ?
				"set MEMTUNE_STATE_DIR or "
				"XDG_STATE_HOME to a directory you can "
				"write" :
				FIX_HINT);
	return mt_state_dir_check(dir, err);
}

/* ---- the lock ----------------------------------------------------------- */

static int held_fd = -1;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

/* A forked child must not keep the lock after its parent is gone. */
static void close_in_child(void)
{
	if (held_fd >= 0)
		close(held_fd);
	held_fd = -1;
}

static void register_atfork(void)
{
	pthread_atfork(NULL, NULL, close_in_child);
}

int mt_state_lock(const char *dir, const char *what, int *fd,
		  struct mt_err *err)
{
	char path[PATH_MAX], holder[256] = "";
	struct stat st;
	ssize_t n;
	int lfd, dfd, ret;

	*fd = -1;
	ret = mt_state_dir_prepare(dir, err);
	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "%s/" LOCK_NAME, dir);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "cannot open the state directory %s: %s", dir,
				  strerror(errno));
	lfd = openat(dfd, LOCK_NAME, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		     0600);
	ret = lfd < 0 ? -errno : 0;
	close(dfd);
	if (ret < 0)
		return mt_err_set(err, ret, MT_ERR_RUNTIME,
				  "cannot open the lock %s: %s", path,
				  strerror(-ret));
	if (fstat(lfd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 022)) {
		close(lfd);
		return mt_err_set(err, -EPERM, MT_ERR_RUNTIME,
				  "the lock %s is not a regular file of "
				  "yours that only you can write; remove it",
				  path);
	}
	if (flock(lfd, LOCK_EX | LOCK_NB) < 0) {
		ret = -errno;
		n = pread(lfd, holder, sizeof(holder) - 1, 0);
		close(lfd);
		if (ret != -EWOULDBLOCK)
			return mt_err_set(err, ret, MT_ERR_RUNTIME,
					  "cannot lock %s: %s", path,
					  strerror(-ret));
		holder[n > 0 ? n : 0] = '\0';
		holder[strcspn(holder, "\n")] = '\0';
		for (char *p = holder; *p; p++)
			if ((unsigned char)*p < ' ' || *p == 0x7f)
				*p = '?';
		return mt_err_set(err, -EBUSY, MT_ERR_RUNTIME,
				  "%s: another memtune is working with %s "
				  "(%s); one run, apply, rollback or restore "
				  "at a time: wait for it to finish, then try "
				  "again",
				  what, dir,
				  holder[0] ? holder : "its pid is unknown");
	}
	snprintf(holder, sizeof(holder), "memtune %s, pid %ld\n", what,
		 (long)getpid());
	if (ftruncate(lfd, 0) == 0) {
		n = pwrite(lfd, holder, strlen(holder), 0);
		(void)n; /* the text only helps the message above */
	}
	pthread_once(&atfork_once, register_atfork);
	held_fd = lfd;
	*fd = lfd;
	return 0;
}

void mt_state_unlock(int fd)
{
	if (fd < 0)
		return;
	if (fd == held_fd)
		held_fd = -1;
	close(fd);
}
