/* Escaping of control characters on their way to a terminal (see
 * sanitize.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanitize.h"

/* True for a byte that is escaped on its own: C0 but tab and newline, DEL. */
static bool is_control(unsigned char c)
{
	return (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f;
}

/* True when the UTF-8 lead byte 0xc2 and c make a C1 control. */
static bool is_c1_tail(unsigned char c)
{
	return c >= 0x80 && c <= 0x9f;
}

char *mt_sanitize(char *dst, size_t len, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0;

	for (; *s; s++) {
		char esc[9];
		size_t n;

		if (s[0] == 0xc2 && is_c1_tail(s[1])) {
			n = (size_t)snprintf(esc, sizeof(esc), "\\u00%02x",
					     s[1]);
			s++;
		} else if (is_control(*s)) {
			n = (size_t)snprintf(esc, sizeof(esc), "\\u00%02x", *s);
		} else {
			esc[0] = (char)*s;
			n = 1;
		}
		if (o + n >= len)
			break;
		memcpy(dst + o, esc, n);
		o += n;
	}
	dst[o] = '\0';
	return dst;
}

/* The stream's state: where it writes, and a 0xc2 held back from the end
 * of one write until the next shows whether a C1 control follows. */
struct sanitizer {
	FILE *to;
	bool held_c2;
};

static ssize_t sanitizer_write(void *cookie, const char *buf, size_t size)
{
	struct sanitizer *sz = cookie;
	const unsigned char *b = (const unsigned char *)buf;

	for (size_t i = 0; i < size; i++) {
		int r;

		if (sz->held_c2) {
			sz->held_c2 = false;
			r = is_c1_tail(b[i]) ?
				    fprintf(sz->to, "\\u00%02x", b[i]) :
				    (putc(0xc2, sz->to) == EOF ? -1 : 0);
			if (r < 0)
				return -1;
			if (is_c1_tail(b[i]))
				continue;
		}
		if (b[i] == 0xc2) {
			sz->held_c2 = true;
			continue;
		}
		r = is_control(b[i]) ? fprintf(sz->to, "\\u00%02x", b[i]) :
				       putc(b[i], sz->to);
		if (r < 0)
			return -1;
	}
	return (ssize_t)size;
}

static int sanitizer_close(void *cookie)
{
	struct sanitizer *sz = cookie;
	int r = 0;

	if (sz->held_c2 && putc(0xc2, sz->to) == EOF)
		r = -1;
	free(sz);
	return r;
}

FILE *mt_sanitizing_stream(FILE *to)
{
	cookie_io_functions_t io = { .write = sanitizer_write,
				     .close = sanitizer_close };
	struct sanitizer *sz = calloc(1, sizeof(*sz));
	FILE *f;

	if (!sz)
		return NULL;
	sz->to = to;
	f = fopencookie(sz, "w", io);
	if (!f)
		free(sz);
	return f;
}
