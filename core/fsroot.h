/* The one reader of /proc and /sys (DESIGN §5, STYLE "read the machine
 * through one root").
 *
 * Absolute paths are resolved under $MEMTUNE_FSROOT (default "/"), so that
 * sysinfo, analyze and advise can run against a captured tree of another
 * machine. Paths under /proc/self and /proc/<pid> of a live process are the
 * exception: they describe this process, so they are always read live.
 */
#ifndef MT_FSROOT_H
#define MT_FSROOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Returns the configured root ("/" when unset); never NULL. */
const char *mt_fsroot(void);

/* True when the root is the live machine ("/"), false for a tree. */
bool mt_fsroot_is_live(void);

/* Writes the real path of the absolute path `path` under the root into buf.
 * Returns 0, or -ENAMETOOLONG. */
int mt_fs_path(const char *path, char *buf, size_t len);

/* Callers that read many optional files and take a failed read for an
 * absent file (sysinfo) cannot tell "absent" from "out of memory or file
 * descriptors, or an I/O error". The readers below remember the first such
 * failure in this thread: mt_fs_resource_reset forgets it, and
 * mt_fs_resource_error returns it (0 or -errno, with err set to "cannot
 * read PATH: ..."). */
void mt_fs_resource_reset(void);
int mt_fs_resource_error(struct mt_err *err);

/* Reads the whole file at `path` (resolved) into a malloc'ed NUL-terminated
 * buffer stored in *out (caller frees), its length in *out_len if not NULL.
 * Returns 0 or -errno with err set ("cannot read /proc/x: No such file"). */
int mt_fs_read(const char *path, char **out, size_t *out_len,
	       struct mt_err *err);

/* Reads the first line of `path` without the newline into buf.
 * Returns 0 or -errno with err set. */
int mt_fs_read_line(const char *path, char *buf, size_t len,
		    struct mt_err *err);

/* Reads `path` as one signed integer (leading whitespace allowed, trailing
 * newline allowed). Returns 0, -errno, or -EINVAL if it is not a number. */
int mt_fs_read_i64(const char *path, int64_t *out, struct mt_err *err);

/* True if `path` (resolved) exists. */
bool mt_fs_exists(const char *path);

/* Looks up `key` in a "Key: value [kB]" file such as /proc/meminfo or
 * /proc/self/status, or a "key value" file such as /proc/vmstat, and stores
 * the number. Values with a kB suffix are converted to bytes.
 * Returns 0, -ENOENT if the key is absent, or -errno. */
int mt_fs_read_key(const char *path, const char *key, int64_t *out,
		   struct mt_err *err);

/* Same as mt_fs_read_key on text already in memory. */
int mt_text_key(const char *text, const char *key, int64_t *out);

/* For bracketed choice files such as
 * /sys/kernel/mm/transparent_hugepage/enabled ("always [madvise] never"):
 * stores the selected word in buf. Returns 0 or -errno/-EINVAL. */
int mt_fs_read_choice(const char *path, char *buf, size_t len,
		      struct mt_err *err);

#endif
