/* SIGINT/SIGTERM/SIGHUP handling for commands that hold a journal: the
 * handler only records the signal; the runner notices, stops its worker and
 * plays the journal back. Handlers are installed without SA_RESTART so a
 * blocking wait returns EINTR. */
#ifndef MT_SIGNALS_H
#define MT_SIGNALS_H

#include <signal.h>

/* Installs the handlers. Returns 0 or -errno. */
int mt_signals_install(void);

/* The signal received since install, or 0. */
int mt_signal_pending(void);

#endif
