/* Plain file I/O every module shares: a whole file into memory, all of a
 * buffer out, the directory of a path and its fsync, mkdir -p. The policy
 * for output files others could turn against us (links, someone else's
 * directory, atomic replacement) is core/safefile's, built on these. */
#ifndef MT_FILEIO_H
#define MT_FILEIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Reads fd until end of file into a malloc'ed NUL-terminated buffer (a
 * /proc file's size from stat is 0, so none is trusted). More than max
 * bytes is -EFBIG (SIZE_MAX: no bound). *len (may be NULL) gets the length,
 * which may be more than strlen when the data holds NUL bytes. Retries
 * after EINTR. Returns 0 or -errno; *out is NULL on failure. */
int mt_read_fd(int fd, size_t max, char **out, size_t *len);

/* Opens path (O_RDONLY|O_CLOEXEC plus oflags, e.g. O_NOFOLLOW or
 * O_NONBLOCK) and reads it with mt_read_fd. Returns 0 or -errno. */
int mt_read_path(const char *path, int oflags, size_t max, char **out,
		 size_t *len);

/* Writes all of buf to fd, retrying after EINTR and short writes.
 * Returns 0 or -errno (-EIO when write makes no progress). */
int mt_write_all(int fd, const void *buf, size_t len);

/* Copies the directory part of path into buf: "." for a bare name, "/"
 * for a name in the root. */
void mt_path_dir(const char *path, char *buf, size_t len);

/* Fsyncs the directory holding path, so that a create, rename or unlink
 * in it survives a crash. Returns 0 or -errno. */
int mt_fsync_dir_of(const char *path);

/* mkdir -p: creates path and its missing parents, the parents with mode
 * parent_mode and path itself with mode (both before the umask). A name
 * that exists is left as it is, whatever it is: the caller checks what it
 * got (a component that is no directory fails the next mkdir, ENOTDIR).
 * No policy about who owns them: for output others could reach, use
 * core/safefile's mt_outdir_open. Returns 0, -ENAMETOOLONG or -errno of
 * mkdir. */
int mt_mkdir_p(const char *path, mode_t parent_mode, mode_t mode);

#endif
