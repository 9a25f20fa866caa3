/* A process's file set: the regular files it maps or holds open (see
 * fileset.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/fsroot.h"
#include "fileset.h"

/* Most fd entries read per scan: a process with more open files is
 * measured on the first ones (set->why says so). */
#define MAX_FDS 4096

struct cand {
	char *path;
	off_t size;
};

struct cands {
	struct cand *v;
	size_t n, cap;
};

/* Opens a file of the set for reading, never following a link at the
 * last component and never opening anything but a regular file: the path
 * comes from another process's maps and fds and may be swapped for a
 * device or a FIFO after it was listed, and opening some devices acts (a
 * tape rewinds). So it is pinned with O_PATH (which opens nothing),
 * checked with fstat, and only that inode is reopened for reading through
 * /proc/self/fd. Returns the fd or -1. */
static int open_file(const char *path)
{
	char self[64];
	struct stat sb;
	int pin = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC), fd = -1;

	if (pin < 0)
		return -1;
	if (fstat(pin, &sb) == 0 && S_ISREG(sb.st_mode)) {
		snprintf(self, sizeof(self), "/proc/self/fd/%d", pin);
		fd = open(self, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	}
	close(pin);
	return fd;
}

/* Adds path once, with its size, when it is a regular file. */
static void add(struct cands *c, const char *path)
{
	struct stat sb;

	if (path[0] != '/' || strstr(path, " (deleted)"))
		return;
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].path, path))
			return;
	if (lstat(path, &sb) < 0 || !S_ISREG(sb.st_mode))
		return;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct cand *v = realloc(c->v, cap * sizeof(*v));

		if (!v)
			return;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n].path = strdup(path);
	if (!c->v[c->n].path)
		return;
	c->v[c->n].size = sb.st_size;
	c->n++;
}

/* The paths of /proc/PID/maps (the sixth field, from its first '/').
 * Returns 0 or -errno. */
static int scan_maps(pid_t pid, struct cands *c)
{
	char path[64], *text, *line, *save = NULL;
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	ret = mt_fs_read(path, &text, NULL, NULL);
	if (ret < 0)
		return ret;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *p = strchr(line, '/');

		if (p)
			add(c, p);
	}
	free(text);
	return 0;
}

/* The targets of /proc/PID/fd/N that are regular files. Returns 0,
 * -E2BIG when there were more than MAX_FDS entries, or -errno. */
static int scan_fds(pid_t pid, struct cands *c)
{
	char proc[64], dir[PATH_MAX], link[PATH_MAX + NAME_MAX + 2];
	char target[PATH_MAX];
	struct dirent *e;
	int n = 0, ret = 0;
	DIR *d;

	/* Through core/fsroot like every /proc path (a live process's
	 * directory is never rebased, but the rule stays in one place). */
	snprintf(proc, sizeof(proc), "/proc/%d/fd", (int)pid);
	if (mt_fs_path(proc, dir, sizeof(dir)) < 0)
		return -ENAMETOOLONG;
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		ssize_t len;

		if (e->d_name[0] == '.')
			continue;
		if (++n > MAX_FDS) {
			ret = -E2BIG;
			break;
		}
		snprintf(link, sizeof(link), "%s/%s", dir, e->d_name);
		len = readlink(link, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		add(c, target);
	}
	closedir(d);
	return ret;
}

static int by_size_desc(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	return (x->size < y->size) - (x->size > y->size);
}

void mt_obs_fileset_free(struct mt_obs_fileset *set)
{
	for (size_t i = 0; i < set->n; i++)
		free(set->paths[i]);
	free(set->paths);
	set->paths = NULL;
	set->n = 0;
}

int mt_obs_fileset_scan(pid_t pid, struct mt_obs_fileset *set)
{
	struct cands c = { 0 };
	int rm, rf;
	size_t keep;

	mt_obs_fileset_free(set);
	set->why[0] = '\0';
	rm = scan_maps(pid, &c);
	rf = scan_fds(pid, &c);
	if (rm < 0 && rf < 0 && rf != -E2BIG) {
		snprintf(set->why, sizeof(set->why),
			 "cannot read /proc/%d/maps (%s) or /proc/%d/fd (%s)",
			 (int)pid, strerror(-rm), (int)pid, strerror(-rf));
	} else if (rf == -E2BIG) {
		snprintf(set->why, sizeof(set->why),
			 "/proc/%d/fd holds more than %d entries: the first "
			 "%d were scanned",
			 (int)pid, MAX_FDS, MAX_FDS);
	} else if (rf < 0) {
		snprintf(set->why, sizeof(set->why),
			 "cannot read /proc/%d/fd: %s (open files are "
			 "missing from the set; run as the process's user "
			 "or root)",
			 (int)pid, strerror(-rf));
	} else if (rm < 0) {
		snprintf(set->why, sizeof(set->why),
			 "cannot read /proc/%d/maps: %s", (int)pid,
			 strerror(-rm));
	}
	if (c.n)
		qsort(c.v, c.n, sizeof(*c.v), by_size_desc);
	keep = c.n < MT_OBS_MAX_FILES ? c.n : MT_OBS_MAX_FILES;
	if (c.n > keep && !set->why[0])
		snprintf(set->why, sizeof(set->why),
			 "%zu files: the %d largest are measured", c.n,
			 MT_OBS_MAX_FILES);
	set->paths = keep ? calloc(keep, sizeof(*set->paths)) : NULL;
	for (size_t i = 0; i < c.n; i++) {
		if (set->paths && i < keep)
			set->paths[set->n++] = c.v[i].path;
		else
			free(c.v[i].path);
	}
	free(c.v);
	return rm < 0 && rf < 0 && rf != -E2BIG ? rf : 0;
}

void mt_obs_fileset_measure(const struct mt_obs_fileset *set,
			    struct mt_obs_cache *out)
{
	memset(out, 0, sizeof(*out));
	out->cachestat = mt_obs_cachestat_usable();
	for (size_t i = 0; i < set->n; i++) {
		int fd = open_file(set->paths[i]);

		if (fd < 0)
			continue;
		mt_obs_cache_fd(fd, out);
		close(fd);
	}
}
