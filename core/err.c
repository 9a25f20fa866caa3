/* Error reporting: fills struct mt_err (see err.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

/* Sets err (if not NULL) to kind and the formatted message; returns ret so
 * callers can write `return mt_err_set(err, -EINVAL, ...)`. */
int mt_err_set(struct mt_err *err, int ret, enum mt_err_kind kind,
	       const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return ret;
	err->kind = kind;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return ret;
}

void mt_err_why(struct mt_err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	err->kind = MT_ERR_RUNTIME;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

/* Prepends "prefix: " to err's message; the kind is kept. If the whole does
 * not fit, the end is cut and marked with "...". */
void mt_err_prefix(struct mt_err *err, const char *fmt, ...)
{
	char prefix[sizeof(err->msg)], old[sizeof(err->msg)];
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	old[sizeof(old) - 1] = '\0';
	if (snprintf(err->msg, sizeof(err->msg), old[0] ? "%s: %s" : "%s%s",
		     prefix, old) >= (int)sizeof(err->msg))
		memcpy(err->msg + sizeof(err->msg) - 4, "...", 4);
}

/* Resets err to "no error" (if not NULL). */
void mt_err_clear(struct mt_err *err)
{
	if (!err)
		return;
	err->kind = MT_ERR_NONE;
	err->msg[0] = '\0';
}
