/* Output files and directories that others cannot turn against us
 * (DESIGN §6, SECURITY.md).
 *
 * memtune often runs as root in places other users can reach (/tmp, a
 * colleague's run directory, an output directory named on the command
 * line). Every file it writes goes through this module, which keeps one
 * simple policy:
 *
 * 1. memtune writes only into an output directory that it created or that
 *    the effective user owns, that is not a symlink, and that no one else
 *    can write (mode & 022 == 0). The directory is opened once, with
 *    O_NOFOLLOW|O_DIRECTORY, and every file is reached with openat()
 *    relative to that descriptor, so renaming or replacing the path
 *    afterwards changes nothing.
 * 2. On the way to it, a symlink is followed only when it sits in a
 *    directory that only the effective user or root can write (or in a
 *    sticky directory, when the link is the effective user's own), and a
 *    missing directory is created (0755, or 0700 with MT_DIR_PRIVATE) only
 *    inside a directory owned by the effective user or root that others
 *    cannot write, or that is sticky: anyone else could replace it there.
 * 3. Every file is either new (O_CREAT|O_EXCL|O_NOFOLLOW) or an atomic
 *    replacement of a regular file the effective user owns: a temporary
 *    with an unpredictable name made with O_EXCL in the same directory,
 *    fsync, renameat over the old name, fsync of the directory. An existing
 *    target that is a symlink, not a regular file, or owned by someone else
 *    is refused, with a message that names it and says what to do.
 *
 * Refusals of the directory itself are MT_ERR_INPUT (it is the user's
 * argument: exit 2); refusals of a file inside it and failed system calls
 * are MT_ERR_RUNTIME (exit 1).
 */
#ifndef MT_SAFEFILE_H
#define MT_SAFEFILE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"
#include "fileio.h"

/* An output directory that passed the checks of rule 1. */
struct mt_outdir {
	int fd;		     /* O_RDONLY|O_DIRECTORY; -1 when closed */
	bool created;	     /* this call made it */
	char path[PATH_MAX]; /* as named, for messages only */
};

enum mt_dir_flags {
	MT_DIR_CREATE = 1 << 0,	 /* create it and missing parents */
	MT_DIR_NEW = 1 << 1,	 /* it must not exist yet (-EEXIST);
				 * implies MT_DIR_CREATE */
	MT_DIR_PRIVATE = 1 << 2, /* create directories 0700, not 0755 */
};

enum mt_file_flags {
	MT_FILE_NOSYNC = 1 << 0, /* skip the fsyncs (scratch files
					 * such as snapshots, figures) */
};

/* Opens the output directory `path` under the policy above (flags from
 * enum mt_dir_flags) and fills d. `what` starts every message ("report",
 * "run directory"). Returns 0 or -errno with err set: -EEXIST with
 * MT_DIR_NEW when it exists, -ENOENT when it is missing and not to be
 * created, -EPERM when the policy refuses it. */
int mt_outdir_open(struct mt_outdir *d, const char *what, const char *path,
		   unsigned flags, struct mt_err *err);

/* Opens the existing directory `path` that the operator named as the
 * home of an output file, whoever owns it (node_exporter's textfile
 * directory may be root's or prometheus'): rule 1 and 2 are the operator's
 * choice here, links on the way are followed. Files in it are still
 * reached through d's descriptor and written under rule 3 (a link or
 * someone else's file at the final name is refused). Returns 0 or -errno
 * with err set (MT_ERR_INPUT). */
int mt_outdir_open_named(struct mt_outdir *d, const char *what,
			 const char *path, struct mt_err *err);

/* Opens (and with MT_DIR_CREATE/MT_DIR_NEW creates) the subdirectory
 * `name` (one path component) of parent under the same policy. */
int mt_outdir_sub(struct mt_outdir *d, const struct mt_outdir *parent,
		  const char *what, const char *name, unsigned flags,
		  struct mt_err *err);

/* Closes d's descriptor (the directory stays). Safe to call twice. */
void mt_outdir_close(struct mt_outdir *d);

/* Checks that d/name may be replaced: returns 0 when it does not exist,
 * 1 when it is a regular file the effective user owns, or -EPERM with err
 * set when it is a symlink, not a regular file, or someone else's
 * (-errno when it cannot be looked at). */
int mt_outdir_check(const struct mt_outdir *d, const char *what,
		    const char *name, struct mt_err *err);

/* Creates the new file d/name with O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC
 * plus oflags (O_WRONLY, O_RDWR, O_APPEND) and mode. Returns the file
 * descriptor, or -errno with err set (-EEXIST when the name is taken,
 * whatever it is). */
int mt_outdir_create(const struct mt_outdir *d, const char *what,
		     const char *name, int oflags, mode_t mode,
		     struct mt_err *err);

/* Opens the existing file d/name with oflags (no O_CREAT; O_NOFOLLOW and
 * O_CLOEXEC are added) and checks on the descriptor that it is a regular
 * file the effective user owns: for files memtune keeps open and appends
 * to, such as a journal. Returns the descriptor, -ENOENT (err set) when it
 * is missing, or -EPERM with err set when it is a symlink, not a regular
 * file, or someone else's. */
int mt_outdir_open_file(const struct mt_outdir *d, const char *what,
			const char *name, int oflags, struct mt_err *err);

/* Replaces d/name atomically with data[0..len) and mode (exactly, not
 * masked by the umask), after mt_outdir_check: a reader sees the old or
 * the new file, never a mix, and a name planted in advance cannot
 * redirect the write. Flags from enum mt_file_flags. Returns 0 or -errno
 * with err set; on failure the old file is intact. */
int mt_outdir_replace(const struct mt_outdir *d, const char *what,
		      const char *name, const void *data, size_t len,
		      mode_t mode, unsigned flags, struct mt_err *err);

/* Unlinks d/name if it is there and mt_outdir_check allows it (a file
 * memtune will have another program write, such as gnuplot's figures).
 * Returns 0 or -errno with err set. */
int mt_outdir_clear(const struct mt_outdir *d, const char *what,
		    const char *name, struct mt_err *err);

/* Creates the new file `path` (which need not be in an output directory:
 * a scratch file in a test directory) with O_CREAT|O_EXCL|O_NOFOLLOW|
 * O_CLOEXEC plus oflags. Returns the descriptor or -errno with err set. */
int mt_file_create_path(const char *what, const char *path, int oflags,
			mode_t mode, struct mt_err *err);

/* Reads a file someone else may have written (advice.json, a run's
 * analysis.json or snapshots) into a malloc'ed NUL-terminated buffer: the
 * file itself, never through a link (-ELOOP), only a regular file
 * (-EINVAL for a FIFO, a device or a directory, opened without blocking),
 * at most max bytes (-EFBIG). *len (may be NULL) gets its length.
 * Returns 0 or -errno. */
int mt_file_read_untrusted(const char *path, size_t max, char **out,
			   size_t *len);

#endif
