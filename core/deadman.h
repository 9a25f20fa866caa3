/* A dead-man switch: a watchdog process that runs a command (`memtune
 * restore`) when the process that armed it dies without disarming it —
 * killed with SIGKILL, by the OOM killer, or with the ssh session it ran
 * in (issue 15: `memtune tune` changes settings for minutes at a time, and
 * the machine must return to its state before tune without anyone typing
 * restore).
 *
 * The watchdog is a child in its own session (a hang-up of the terminal
 * does not reach it), ignores SIGINT, SIGTERM, SIGHUP and SIGPIPE, asks the
 * kernel to spare it from the OOM killer when allowed (oom_score_adj
 * -1000), keeps no descriptor of its parent but one end of a pipe, and
 * waits on a pidfd of its parent (the pipe's end of file where pidfd_open
 * is missing). The parent's death fires it; a byte on the pipe disarms
 * it. */
#ifndef MT_DEADMAN_H
#define MT_DEADMAN_H

#include <sys/types.h>

#include "err.h"

struct mt_deadman {
	pid_t pid; /* the watchdog, 0 when not armed */
	int fd;	   /* our end of the pipe, -1 when not armed */
};

/* Starts the watchdog, which runs argv (execv; again a second later, up
 * to ten times, until it exits 0: the dead process's children may hold
 * what it must undo for a moment) if this process dies before
 * mt_deadman_disarm; argv[0] may be "/proc/self/exe" (the
 * running binary, even if its file was replaced since). Returns 0, or
 * -errno with err set (dm is then not armed). */
int mt_deadman_arm(struct mt_deadman *dm, char *const argv[],
		   struct mt_err *err);

/* Stops the watchdog without firing and reaps it. A dm that is not armed
 * is fine. Returns 0, or -errno with err set when the watchdog could not
 * be told (it then fires when we exit: the safe side). */
int mt_deadman_disarm(struct mt_deadman *dm, struct mt_err *err);

#endif
