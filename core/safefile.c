/* Output files and directories that others cannot turn against us (see
 * safefile.h for the policy).
 *
 * The directory is walked component by component with openat(), so each
 * step is one atomic lookup from a descriptor we already checked; the
 * final descriptor is then the only way we reach the directory. That is
 * what makes the checks mean something: a check on a path followed by an
 * open of the same path can be raced, a check on a descriptor cannot.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "safefile.h"

/* How many unpredictable temporary names to try before giving up. */
#define TMP_TRIES 64

/* True when only the effective user or root can add, remove or rename
 * entries of the directory st describes: it belongs to one of them and
 * either no one else may write it or it is sticky (then others can touch
 * only their own entries). */
static bool dir_is_safe_parent(const struct stat *st)
{
	return (st->st_uid == geteuid() || st->st_uid == 0) &&
	       (!(st->st_mode & 022) || (st->st_mode & S_ISVTX));
}

/* True when the symlink lst, found in the directory dst, may be followed:
 * the directory is the effective user's or root's and no one else may
 * write it, or it is sticky and the link is the effective user's own (the
 * rule of the kernel's fs.protected_symlinks, made stricter). */
static bool may_follow(const struct stat *dst, const struct stat *lst)
{
	if ((dst->st_uid == geteuid() || dst->st_uid == 0) &&
	    !(dst->st_mode & 022))
		return true;
	return (dst->st_mode & S_ISVTX) && lst->st_uid == geteuid();
}

/* The name of the directory being walked up to `end` (for messages). */
static void prefix_of(const char *path, const char *end, char *buf, size_t len)
{
	int n = (int)(end - path);

	while (n > 1 && path[n - 1] == '/')
		n--;
	if (n == 0)
		snprintf(buf, len, "%s", path[0] == '/' ? "/" : ".");
	else
		snprintf(buf, len, "%.*s", n, path);
}

/* Refuses to create `path` inside the directory pfd (named pname) unless
 * that directory is a safe parent. Returns 0 or -EPERM with err set. */
static int check_parent(int pfd, const char *pname, const char *what,
			const char *path, struct mt_err *err)
{
	struct stat pst;

	if (fstat(pfd, &pst) < 0)
		return mt_err_set(err, -errno, MT_ERR_INPUT,
				  "%s: cannot look at '%s': %s", what, pname,
				  strerror(errno));
	if (dir_is_safe_parent(&pst))
		return 0;
	return mt_err_set(err, -EPERM, MT_ERR_INPUT,
			  "%s: refusing to create '%s': its parent '%s' "
			  "belongs to uid %u with mode %04o, so others could "
			  "replace it (create it yourself, or choose a "
			  "directory you own that others cannot write)",
			  what, path, pname, (unsigned)pst.st_uid,
			  (unsigned)(pst.st_mode & 07777));
}

/* One intermediate step of the walk: opens component `comp` of the
 * directory fd (named pname; `sofar` names the result) with O_PATH,
 * creating it when missing and create is set, following a symlink only
 * where may_follow allows. Returns the new descriptor or -errno with err
 * set. */
static int walk_step(int fd, const char *pname, const char *comp,
		     const char *sofar, bool create, mode_t mode,
		     const char *what, struct mt_err *err)
{
	struct stat lst, dst;
	int nfd, e, ret;

	nfd = openat(fd, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (nfd >= 0)
		return nfd;
	e = errno;
	if (e == ENOENT && create) {
		ret = check_parent(fd, pname, what, sofar, err);
		if (ret < 0)
			return ret;
		if (mkdirat(fd, comp, mode) < 0 && errno != EEXIST)
			return mt_err_set(err, -errno, MT_ERR_INPUT,
					  "%s: cannot create '%s': %s (choose "
					  "another directory)",
					  what, sofar, strerror(errno));
		nfd = openat(fd, comp,
			     O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd >= 0)
			return nfd;
		e = errno;
	}
	if ((e == ENOTDIR || e == ELOOP) &&
	    fstatat(fd, comp, &lst, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(lst.st_mode)) {
		if (fstat(fd, &dst) < 0)
			return mt_err_set(err, -errno, MT_ERR_INPUT,
					  "%s: cannot look at '%s': %s", what,
					  pname, strerror(errno));
		if (!may_follow(&dst, &lst))
			return mt_err_set(err, -EPERM, MT_ERR_INPUT,
					  "%s: refusing to follow the symlink "
					  "'%s': it sits in '%s', which others "
					  "can write (name the real directory "
					  "instead)",
					  what, sofar, pname);
		nfd = openat(fd, comp, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (nfd >= 0)
			return nfd;
		e = errno;
	}
	if (e == ENOTDIR)
		return mt_err_set(err, -ENOTDIR, MT_ERR_INPUT,
				  "%s: cannot open '%s': %s (choose another "
				  "directory)",
				  what, sofar, strerror(e));
	return mt_err_set(err, -e, MT_ERR_INPUT, "%s: cannot open '%s': %s",
			  what, sofar, strerror(e));
}

/* The last step: opens (or creates) `name` in the directory pfd (named
 * pname) as the output directory d, whose path is already set, and checks
 * rule 1 of safefile.h on the descriptor. Returns 0 or -errno with err
 * set. */
static int open_leaf(struct mt_outdir *d, int pfd, const char *pname,
		     const char *name, unsigned flags, const char *what,
		     struct mt_err *err)
{
	bool create = flags & (MT_DIR_CREATE | MT_DIR_NEW);
	mode_t mode = flags & MT_DIR_PRIVATE ? 0700 : 0755;
	struct stat st;
	int fd, ret;

	d->created = false;
	if (create && fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 &&
	    errno == ENOENT) {
		ret = check_parent(pfd, pname, what, d->path, err);
		if (ret < 0)
			return ret;
		if (mkdirat(pfd, name, mode) == 0)
			d->created = true;
		else if (errno != EEXIST)
			return mt_err_set(err, -errno, MT_ERR_INPUT,
					  "%s: cannot create '%s': %s (choose "
					  "another directory)",
					  what, d->path, strerror(errno));
	}
	if ((flags & MT_DIR_NEW) && !d->created)
		return mt_err_set(err, -EEXIST, MT_ERR_INPUT,
				  "%s: '%s' exists (memtune makes a new one)",
				  what, d->path);
	fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		if ((e == ENOTDIR || e == ELOOP) &&
		    fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode))
			return mt_err_set(err, -EPERM, MT_ERR_INPUT,
					  "%s: refusing the output directory "
					  "'%s': it is a symlink, and memtune "
					  "does not write through links (name "
					  "the directory it points to)",
					  what, d->path);
		if (e == ENOTDIR)
			return mt_err_set(err, -ENOTDIR, MT_ERR_INPUT,
					  "%s: cannot open '%s': %s (choose "
					  "another directory)",
					  what, d->path, strerror(e));
		return mt_err_set(err, -e, MT_ERR_INPUT,
				  "%s: cannot open '%s': %s", what, d->path,
				  strerror(e));
	}
	if (fstat(fd, &st) < 0) {
		ret = mt_err_set(err, -errno, MT_ERR_INPUT,
				 "%s: cannot look at '%s': %s", what, d->path,
				 strerror(errno));
		goto out_fd;
	}
	if (st.st_uid != geteuid()) {
		ret = mt_err_set(err, -EPERM, MT_ERR_INPUT,
				 "%s: refusing the output directory '%s': it "
				 "belongs to uid %u, not to uid %u (choose a "
				 "directory you own, or a new one memtune will "
				 "create)",
				 what, d->path, (unsigned)st.st_uid,
				 (unsigned)geteuid());
		goto out_fd;
	}
	if (st.st_mode & 022) {
		ret = mt_err_set(err, -EPERM, MT_ERR_INPUT,
				 "%s: refusing the output directory '%s': "
				 "others can write to it (mode %04o; run "
				 "chmod go-w '%s', or choose another "
				 "directory)",
				 what, d->path, (unsigned)(st.st_mode & 07777),
				 d->path);
		goto out_fd;
	}
	d->fd = fd;
	return 0;

out_fd:
	close(fd);
	return ret;
}

int mt_outdir_open(struct mt_outdir *d, const char *what, const char *path,
		   unsigned flags, struct mt_err *err)
{
	bool create = flags & (MT_DIR_CREATE | MT_DIR_NEW);
	mode_t mode = flags & MT_DIR_PRIVATE ? 0700 : 0755;
	char buf[PATH_MAX], pname[PATH_MAX];
	const char *leaf;
	char *p, *slash;
	size_t len, leaf_off = 0;
	int fd, ret;

	d->fd = -1;
	d->created = false;
	len = path ? strlen(path) : 0;
	if (len == 0 || len >= sizeof(buf))
		return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				  "%s: bad directory name '%s'", what,
				  path ? path : "");
	memcpy(buf, path, len + 1);
	while (len > 1 && buf[len - 1] == '/')
		buf[--len] = '\0';
	snprintf(d->path, sizeof(d->path), "%s", buf);

	fd = open(buf[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return mt_err_set(err, -errno, MT_ERR_INPUT,
				  "%s: cannot open '%s': %s", what,
				  buf[0] == '/' ? "/" : ".", strerror(errno));
	/* Split off the last component; "/" alone is the root itself. */
	slash = strrchr(buf, '/');
	if (!slash) {
		leaf = buf;
		p = NULL;
	} else if (slash[1] == '\0') {
		leaf = "."; /* the root: its parent is itself */
		p = NULL;
	} else {
		*slash = '\0';
		leaf = slash + 1;
		leaf_off = (size_t)(leaf - buf);
		p = buf;
	}
	while (p && *p) {
		char *end = strchr(p, '/');
		int nfd;

		if (end)
			*end = '\0';
		if (*p && strcmp(p, ".") != 0) {
			char sofar[PATH_MAX];

			prefix_of(d->path, d->path + (p - buf), pname,
				  sizeof(pname));
			prefix_of(d->path, d->path + (p - buf) + strlen(p),
				  sofar, sizeof(sofar));
			nfd = walk_step(fd, pname, p, sofar, create, mode, what,
					err);
			if (nfd < 0) {
				close(fd);
				return nfd;
			}
			close(fd);
			fd = nfd;
		}
		p = end ? end + 1 : NULL;
	}
	prefix_of(d->path, d->path + leaf_off, pname, sizeof(pname));
	ret = open_leaf(d, fd, pname, leaf, flags, what, err);
	close(fd);
	return ret;
}

int mt_outdir_sub(struct mt_outdir *d, const struct mt_outdir *parent,
		  const char *what, const char *name, unsigned flags,
		  struct mt_err *err)
{
	d->fd = -1;
	d->created = false;
	if (!name || !*name || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return mt_err_set(err, -EINVAL, MT_ERR_RUNTIME,
				  "%s: bad directory name '%s'", what,
				  name ? name : "");
	if ((size_t)snprintf(d->path, sizeof(d->path), "%s%s%s", parent->path,
			     strcmp(parent->path, "/") ? "/" : "",
			     name) >= sizeof(d->path))
		return mt_err_set(err, -ENAMETOOLONG, MT_ERR_INPUT,
				  "%s: path '%s/%s' is too long", what,
				  parent->path, name);
	return open_leaf(d, parent->fd, parent->path, name, flags, what, err);
}

void mt_outdir_close(struct mt_outdir *d)
{
	if (d && d->fd >= 0) {
		close(d->fd);
		d->fd = -1;
	}
}

int mt_outdir_check(const struct mt_outdir *d, const char *what,
		    const char *name, struct mt_err *err)
{
	struct stat st;

	if (fstatat(d->fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "%s: cannot look at '%s/%s': %s", what,
				  d->path, name, strerror(errno));
	}
	if (S_ISLNK(st.st_mode))
		return mt_err_set(err, -EPERM, MT_ERR_RUNTIME,
				  "%s: refusing to write '%s/%s': it is a "
				  "symlink, and memtune does not write through "
				  "links (remove it, or choose another "
				  "directory)",
				  what, d->path, name);
	if (!S_ISREG(st.st_mode))
		return mt_err_set(err, -EPERM, MT_ERR_RUNTIME,
				  "%s: refusing to write '%s/%s': it is not a "
				  "regular file (remove it, or choose another "
				  "directory)",
				  what, d->path, name);
	if (st.st_uid != geteuid())
		return mt_err_set(err, -EPERM, MT_ERR_RUNTIME,
				  "%s: refusing to replace '%s/%s': it "
				  "belongs to uid %u, not to uid %u (remove "
				  "it, or choose another directory)",
				  what, d->path, name, (unsigned)st.st_uid,
				  (unsigned)geteuid());
	return 1;
}

/* Creates name (relative to dirfd; dir, its path for messages, or NULL
 * when name is the whole path) with O_EXCL and O_NOFOLLOW. Returns the fd,
 * or -errno with err saying what failed; an existing file is refused with
 * remedy as the way out. */
static int create_excl(int dirfd, const char *dir, const char *name,
		       const char *what, const char *remedy, int oflags,
		       mode_t mode, struct mt_err *err)
{
	int fd = openat(dirfd, name,
			oflags | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			mode);
	const char *sep = dir ? "/" : "";

	if (fd >= 0)
		return fd;
	if (!dir)
		dir = "";
	if (errno == EEXIST)
		return mt_err_set(err, -EEXIST, MT_ERR_RUNTIME,
				  "%s: refusing to create '%s%s%s': it exists "
				  "already (%s)",
				  what, dir, sep, name, remedy);
	return mt_err_set(err, -errno, MT_ERR_RUNTIME,
			  "%s: cannot create '%s%s%s': %s", what, dir, sep,
			  name, strerror(errno));
}

int mt_outdir_create(const struct mt_outdir *d, const char *what,
		     const char *name, int oflags, mode_t mode,
		     struct mt_err *err)
{
	return create_excl(d->fd, d->path, name, what,
			   "remove it, or choose another directory", oflags,
			   mode, err);
}

int mt_outdir_open_file(const struct mt_outdir *d, const char *what,
			const char *name, int oflags, struct mt_err *err)
{
	struct stat st;
	int fd, ret;

	/* O_NONBLOCK until the checks: opening a FIFO must not hang. */
	fd = openat(d->fd, name,
		    (oflags & ~(O_CREAT | O_EXCL | O_TRUNC)) | O_NOFOLLOW |
			    O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		int e = errno;

		/* ELOOP: O_NOFOLLOW met a link; let the check name it. */
		if (e == ELOOP && mt_outdir_check(d, what, name, err) < 0)
			return -EPERM;
		return mt_err_set(err, -e, MT_ERR_RUNTIME,
				  "%s: cannot open '%s/%s': %s", what, d->path,
				  name, strerror(e));
	}
	if (fstat(fd, &st) < 0)
		ret = mt_err_set(err, -errno, MT_ERR_RUNTIME,
				 "%s: cannot look at '%s/%s': %s", what,
				 d->path, name, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		ret = mt_err_set(err, -EPERM, MT_ERR_RUNTIME,
				 "%s: refusing '%s/%s': it is not a regular "
				 "file (remove it, or choose another "
				 "directory)",
				 what, d->path, name);
	else if (st.st_uid != geteuid())
		ret = mt_err_set(err, -EPERM, MT_ERR_RUNTIME,
				 "%s: refusing '%s/%s': it belongs to uid %u, "
				 "not to uid %u (remove it, or choose another "
				 "directory)",
				 what, d->path, name, (unsigned)st.st_uid,
				 (unsigned)geteuid());
	else if (!(oflags & O_NONBLOCK) &&
		 fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
		ret = mt_err_set(err, -errno, MT_ERR_RUNTIME,
				 "%s: cannot open '%s/%s': %s", what, d->path,
				 name, strerror(errno));
	else
		return fd;
	close(fd);
	return ret;
}

/* Creates a temporary file beside `name` in d with an unpredictable name
 * (".NAME.XXXXXXXXXXXX", random hex) and O_EXCL, so a name planted in
 * advance cannot be guessed, and if it is, is never opened. Stores the
 * name in tmp. Returns the descriptor or -errno. */
static int make_temp(const struct mt_outdir *d, const char *name, char *tmp,
		     size_t len)
{
	for (int i = 0; i < TMP_TRIES; i++) {
		unsigned char r[6];
		int fd;

		if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
			return -EIO;
		if ((size_t)snprintf(tmp, len, ".%s.%02x%02x%02x%02x%02x%02x",
				     name, r[0], r[1], r[2], r[3], r[4],
				     r[5]) >= len)
			return -ENAMETOOLONG;
		fd = openat(d->fd, tmp,
			    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				    O_CLOEXEC,
			    0600);
		if (fd >= 0 || errno != EEXIST)
			return fd >= 0 ? fd : -errno;
	}
	return -EEXIST;
}

int mt_outdir_open_named(struct mt_outdir *d, const char *what,
			 const char *path, struct mt_err *err)
{
	d->created = false;
	snprintf(d->path, sizeof(d->path), "%s", path);
	d->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->fd < 0)
		return mt_err_set(err, -errno, MT_ERR_INPUT,
				  "%s: cannot open the directory '%s': %s "
				  "(it must exist)",
				  what, path, strerror(errno));
	return 0;
}

int mt_outdir_replace(const struct mt_outdir *d, const char *what,
		      const char *name, const void *data, size_t len,
		      mode_t mode, unsigned flags, struct mt_err *err)
{
	bool sync = !(flags & MT_FILE_NOSYNC);
	char tmp[NAME_MAX + 1];
	int fd, ret;

	ret = mt_outdir_check(d, what, name, err);
	if (ret < 0)
		return ret;
	fd = make_temp(d, name, tmp, sizeof(tmp));
	if (fd < 0)
		return mt_err_set(err, fd, MT_ERR_RUNTIME,
				  "%s: cannot create a temporary file for "
				  "'%s/%s': %s",
				  what, d->path, name, strerror(-fd));
	/* fchmod, not open's mode: the umask must not decide. */
	ret = fchmod(fd, mode & 07777) < 0 ? -errno : 0;
	if (ret == 0)
		ret = mt_write_all(fd, data, len);
	if (ret == 0 && sync && fsync(fd) < 0)
		ret = -errno;
	if (close(fd) < 0 && ret == 0)
		ret = -errno;
	if (ret < 0) {
		mt_err_set(err, ret, MT_ERR_RUNTIME,
			   "%s: cannot write '%s/%s': %s (is the disk full?)",
			   what, d->path, tmp, strerror(-ret));
		goto out_tmp;
	}
	if (renameat(d->fd, tmp, d->fd, name) < 0) {
		ret = mt_err_set(err, -errno, MT_ERR_RUNTIME,
				 "%s: cannot rename '%s/%s' to '%s': %s", what,
				 d->path, tmp, name, strerror(errno));
		goto out_tmp;
	}
	if (sync && fsync(d->fd) < 0)
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "%s: cannot sync '%s': %s", what, d->path,
				  strerror(errno));
	return 0;

out_tmp:
	unlinkat(d->fd, tmp, 0);
	return ret;
}

int mt_outdir_clear(const struct mt_outdir *d, const char *what,
		    const char *name, struct mt_err *err)
{
	int ret = mt_outdir_check(d, what, name, err);

	if (ret <= 0)
		return ret;
	if (unlinkat(d->fd, name, 0) < 0 && errno != ENOENT)
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "%s: cannot remove '%s/%s': %s", what,
				  d->path, name, strerror(errno));
	return 0;
}

int mt_file_create_path(const char *what, const char *path, int oflags,
			mode_t mode, struct mt_err *err)
{
	return create_excl(AT_FDCWD, NULL, path, what,
			   "remove it if it is a leftover", oflags, mode, err);
}

int mt_file_read_untrusted(const char *path, size_t max, char **out,
			   size_t *len)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	int rc;

	*out = NULL;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return -EFBIG;
	}
	/* A file that grows past max meanwhile is refused too. */
	rc = mt_read_fd(fd, max, out, len);
	close(fd);
	return rc;
}
