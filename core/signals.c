/* SIGINT/SIGTERM/SIGHUP: recorded, never acted on in the handler, so the
 * runner can stop its worker and play the journal back from normal code. */
#include "signals.h"

#include <errno.h>
#include <string.h>

static volatile sig_atomic_t mt_signal_received;

/* Records the first signal; a second one keeps the first so the message
 * names what started the shutdown. */
static void mt_signal_handler(int sig)
{
	if (!mt_signal_received)
		mt_signal_received = sig;
}

/* Installs the handler for SIGINT, SIGTERM and SIGHUP without SA_RESTART,
 * so that waitpid, read and nanosleep return EINTR and the caller notices.
 * Clears any signal recorded before. Returns 0 or -errno. */
int mt_signals_install(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = mt_signal_handler;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	sa.sa_flags = 0;
	mt_signal_received = 0;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		if (sigaction(sigs[i], &sa, NULL) < 0)
			return -errno;
	}
	return 0;
}

/* The signal received since install, or 0. */
int mt_signal_pending(void)
{
	return mt_signal_received;
}
