/* The state journal (DESIGN §5): the only way the code changes the machine.
 *
 * Every change first reads the original state, appends an undo entry to the
 * journal file and fsyncs it, and only then makes the change. Playback undoes
 * entries in reverse order. A run plays its journal back on normal exit, on
 * SIGINT/SIGTERM/SIGHUP and on failure, then removes the file; after a crash
 * `memtune restore` plays back what is left.
 *
 * The journal is a JSON-lines file; each line is one undo entry:
 *   {"op":"write","path":P,"value":V}      write V back to P
 *   {"op":"rmdir","path":P}                remove a directory we created
 *                                          (a cgroup: its processes are
 *                                          killed first)
 *   {"op":"unlink","path":P}               remove a file we created
 *   ...,"dev":D,"ino":I}                   the same, recorded once it
 *                                          exists: removed only while
 *                                          its device and inode match
 *   {"op":"swapoff","path":P}              swapoff a swap area we enabled
 *   {"op":"restore_file","path":P,"existed":B,"content":C,"mode":M}
 *                                          put a replaced file back (or
 *                                          remove it if it did not exist)
 * Paths are stored resolved (under MEMTUNE_FSROOT); a journal is played back
 * under the root it was written under.
 *
 * Trust (SECURITY.md): the journal lives in the state directory
 * (core/statedir.h), which must be the user's own and writable by nobody
 * else; the file is opened without following links and must be a regular
 * file of the user's. Every entry must name what memtune may have changed
 * (core/knobs.c's knobs with valid values, files of cgroups memtune
 * created, cgroups, test and swap files named memtune-*, and
 * /etc/sysctl.d/99-memtune.conf with known knobs only); another entry is
 * refused and named, and the rest are still played back.
 */
#ifndef MT_JOURNAL_H
#define MT_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct mt_journal;

/* Default journal paths: $MEMTUNE_STATE_DIR, else /var/lib/memtune as root,
 * else $XDG_STATE_HOME/memtune or ~/.local/state/memtune; the file name is
 * "run.journal" or "apply.journal". Writes into buf; returns 0 or -errno. */
int mt_journal_default_path(const char *name, char *buf, size_t len,
			    struct mt_err *err);

/* True when a journal file exists at path and holds at least one entry. */
bool mt_journal_pending(const char *path);

/* Opens (creating it and its directory if needed) the journal at path.
 * Refuses with -EEXIST (MT_ERR_RUNTIME, message saying to run
 * `memtune restore`) when `exclusive` and entries are pending. */
int mt_journal_open(const char *path, bool exclusive, struct mt_journal **out,
		    struct mt_err *err);

/* Closes the handle without playing anything back (entries stay on disk). */
void mt_journal_close(struct mt_journal *j);

/* Changes the value of a /proc/sys or /sys file (path is absolute, resolved
 * under MEMTUNE_FSROOT): reads the current value (for bracketed choice files
 * like THP "always [madvise] never", the selected word), journals it, writes
 * `value`, and reads back. *readback (if not NULL, len rb_len) receives what
 * the file says afterwards; the kernel may clamp. Returns 0 or -errno. */
int mt_journal_write(struct mt_journal *j, const char *path, const char *value,
		     char *readback, size_t rb_len, struct mt_err *err);

/* Creates directory `path` (e.g. a cgroup) and journals its removal. */
int mt_journal_mkdir(struct mt_journal *j, const char *path,
		     struct mt_err *err);

/* Journals that `path` is about to be created, so playback deletes it.
 * Call before creating the file (with O_CREAT | O_EXCL), then
 * mt_journal_bind once it exists. The file's name must start with
 * "memtune-": playback removes no other. */
int mt_journal_note_file(struct mt_journal *j, const char *path,
			 struct mt_err *err);

/* Records the device and inode of the file just created at `path` (from
 * fd when fd >= 0, else lstat): playback removes it only while they still
 * match, so a file put in its place later is left alone. */
int mt_journal_bind(struct mt_journal *j, const char *path, int fd,
		    struct mt_err *err);

/* mt_journal_note_file, then creates `path` with open(2) flags | O_CREAT |
 * O_EXCL | O_NOFOLLOW | O_CLOEXEC and `mode`, then mt_journal_bind. Stores
 * the descriptor in *fd. Returns 0 or -errno with err set. */
int mt_journal_create_file(struct mt_journal *j, const char *path, int flags,
			   unsigned mode, int *fd, struct mt_err *err);

/* Enables swap on `path` (already a prepared swap area) after journaling a
 * swapoff. Returns 0 or -errno. */
int mt_journal_swapon(struct mt_journal *j, const char *path, int flags,
		      struct mt_err *err);

/* Atomically replaces file `path` with `content` (temporary file, fsync,
 * rename), journaling its previous content (or absence) first. */
int mt_journal_replace_file(struct mt_journal *j, const char *path,
			    const char *content, unsigned mode,
			    struct mt_err *err);

/* Writes `value` to a write-only trigger file that has nothing to undo
 * (/proc/sys/vm/drop_caches, /proc/sys/vm/compact_memory). Lives here so
 * that this module stays the only writer of /proc/sys and /sys. Needs no
 * journal. Returns 0 or -errno with err set. */
int mt_sys_trigger(const char *path, const char *value, struct mt_err *err);

/* A position in the journal, for undoing only what came after it. */
size_t mt_journal_mark(const struct mt_journal *j);

/* Undoes, in reverse, the entries after mark and drops them from the file.
 * Keeps going past a failing entry and reports the first failure. */
int mt_journal_rollback_to(struct mt_journal *j, size_t mark,
			   struct mt_err *err);

/* Undoes every entry of the open journal, then removes the file and frees j.
 * Returns 0 or the first failure (the file is kept if anything failed). */
int mt_journal_finish(struct mt_journal *j, struct mt_err *err);

/* Plays back the journal file at path (for `memtune restore`): undoes every
 * entry in reverse, prints one line per entry to `log` if not NULL, removes
 * the file. Returns 0 (also when there is no journal) or the first failure.
 * A malformed line is an MT_ERR_INPUT error naming path and line; the other
 * entries are still undone. */
int mt_journal_playback(const char *path, void (*log)(const char *line),
			struct mt_err *err);

/* Number of entries currently in the journal. */
size_t mt_journal_count(const struct mt_journal *j);

#endif
