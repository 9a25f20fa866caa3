/* Progress and diagnostics on stderr (see log.h). */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sanitize.h"

/* -1: not decided yet (mt_log_init not called); then 0 or 1. */
static int progress_on = -1;

/* Decides once whether progress lines are shown: MEMTUNE_PROGRESS=1 forces
 * them on and =0 off (tests and scripts); otherwise only when stderr is a
 * terminal, so logs of batch runs stay free of progress chatter. */
void mt_log_init(void)
{
	const char *env = getenv("MEMTUNE_PROGRESS");

	if (env && *env)
		progress_on = strcmp(env, "0") != 0;
	else
		progress_on = isatty(STDERR_FILENO);
}

/* Prints "memtune: " TAG the formatted message and a newline on stderr in one
 * write, so lines from concurrent worker processes do not interleave.
 * Messages quote files others wrote: control characters are escaped
 * (sanitize.h). */
static void vlog(const char *tag, const char *fmt, va_list ap)
{
	char msg[2048], line[2100];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	snprintf(line, sizeof(line), "memtune: %s", tag);
	mt_sanitize(line + strlen(line), sizeof(line) - 1 - strlen(line), msg);
	strcat(line, "\n");
	fputs(line, stderr);
	fflush(stderr);
}

/* Prints a progress line when enabled (see mt_log_init). */
void mt_progress(const char *fmt, ...)
{
	va_list ap;

	if (progress_on < 0)
		mt_log_init();
	if (!progress_on)
		return;
	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

/* Prints "memtune: warning: ..." on stderr; always shown. */
void mt_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("warning: ", fmt, ap);
	va_end(ap);
}

/* Prints "memtune: error: ..." on stderr; always shown. */
void mt_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("error: ", fmt, ap);
	va_end(ap);
}
