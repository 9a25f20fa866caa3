/* memtune's own state directory (SECURITY.md): where the journals and the
 * lock live, and the only directory whose files memtune trusts.
 *
 * It is $MEMTUNE_STATE_DIR, else /var/lib/memtune as root, else
 * $XDG_STATE_HOME/memtune or ~/.local/state/memtune. It is trusted only when
 * the effective user owns it, it is not a symlink and nobody else can
 * write it; every directory above it must belong to root or to the user
 * and be writable by no one else unless it is sticky (/tmp, /var/tmp).
 *
 * One `memtune run`, `apply`, `rollback` or `restore` at a time holds the
 * directory's lock (flock on DIR/lock, which says the holder's pid and
 * command); another one exits 1 naming the holder.
 */
#ifndef MT_STATEDIR_H
#define MT_STATEDIR_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* Writes the state directory's path into buf (nothing is created).
 * Returns 0 or -errno with err set. */
int mt_state_dir_path(char *buf, size_t len, struct mt_err *err);

/* Creates dir (mode 0700; missing parents 0755) when missing, then checks
 * that it can be trusted (see above). Returns 0, or -EPERM (MT_ERR_RUNTIME)
 * naming the path and the fix, or another -errno. */
int mt_state_dir_prepare(const char *dir, struct mt_err *err);

/* Checks dir as above without creating anything. */
int mt_state_dir_check(const char *dir, struct mt_err *err);

/* Takes the state directory's lock for `what` ("run", "apply", ...):
 * prepares the directory, then flock()s DIR/lock without waiting. Stores
 * the descriptor in *fd (close-on-exec, and closed in forked children).
 * Returns 0, -EBUSY with err naming the holder's pid and command, or
 * another -errno. */
int mt_state_lock(const char *dir, const char *what, int *fd,
		  struct mt_err *err);

/* Releases the lock taken by mt_state_lock (fd < 0: nothing). */
void mt_state_unlock(int fd);

#endif
