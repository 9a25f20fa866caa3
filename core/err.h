/* Error reporting shared by every layer.
 *
 * A function that can fail returns 0 on success or a negative errno, and fills
 * a caller-provided struct mt_err with a message a person can act on: subject
 * first, lowercase, the file and line or the path, the errno text, and what to
 * do. The kind tells the command layer which exit status to use (DESIGN §2):
 * MT_ERR_INPUT -> 2 (bad usage, configuration or unreadable input),
 * MT_ERR_RUNTIME -> 1. Library code never calls exit().
 */
#ifndef MT_ERR_H
#define MT_ERR_H

#include <stddef.h>

enum mt_err_kind {
	MT_ERR_NONE = 0,
	MT_ERR_RUNTIME, /* the machine or a syscall failed: exit 1 */
	MT_ERR_INPUT,	/* bad usage, config or input file: exit 2 */
};

struct mt_err {
	enum mt_err_kind kind;
	char msg[1024];
};

/* Sets err (if not NULL) to kind and the printf-formatted message; returns
 * ret unchanged so callers can write `return mt_err_set(err, ...)`. */
int mt_err_set(struct mt_err *err, int ret, enum mt_err_kind kind,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Sets err (if not NULL) to the reason of a verdict that is not an errno
 * (a case skipped, untrustworthy): kind MT_ERR_RUNTIME. */
void mt_err_why(struct mt_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prepends "prefix: " to an already set message (adds context on the way up). */
void mt_err_prefix(struct mt_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Clears err. */
void mt_err_clear(struct mt_err *err);

#endif
