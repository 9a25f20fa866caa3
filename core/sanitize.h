/* Text from files others wrote (results.jsonl, meta.json, advice.json, job
 * files) on its way to a terminal: control characters that a terminal would
 * act on (an escape sequence can rewrite the screen, retitle the window or
 * hide a line) are shown as \u00XX instead.
 *
 * Escaped: C0 controls (0x00-0x1f) except tab and newline, DEL (0x7f), and
 * the C1 controls (U+0080-U+009F, which UTF-8 writes as 0xc2 0x80-0x9f and
 * some terminals obey like ESC [). Everything else, UTF-8 included, passes
 * as it is. The \u00XX form is JSON's own: where such a character can sit
 * in JSON (inside a string; jansson writes DEL and C1 raw), the escaped
 * text is still valid JSON with the same value, so --json output stays
 * parseable. */
#ifndef MT_SANITIZE_H
#define MT_SANITIZE_H

#include <stddef.h>
#include <stdio.h>

/* Copies the NUL-terminated src into dst (of len bytes, len > 0), escaping
 * as above; always terminates dst, cutting the copy short (never inside an
 * escape) when it does not fit. Returns dst. */
char *mt_sanitize(char *dst, size_t len, const char *src);

/* A stream that writes everything it is given to `to`, escaped as above
 * (memtune's stdout: every command prints through it). Closing it flushes
 * it but leaves `to` open. NULL when it cannot be made (errno set). */
FILE *mt_sanitizing_stream(FILE *to);

#endif
