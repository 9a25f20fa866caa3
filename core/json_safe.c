/* jansson's allocator with a reserve for the length of one dump or parse,
 * and the wrappers that use it (see json_safe.h). */
#include "json_safe.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Enough for the rest of any document memtune parses or writes after one
 * failed allocation (jansson allocates as it goes: a key, a string, a
 * buffer doubling). When it runs out too, jansson sees NULL as before. */
#define RESERVE_BYTES (256 * 1024)

static alignas(max_align_t) char reserve[RESERVE_BYTES];
static size_t reserve_used; /* bytes handed out since it was last empty */
static size_t reserve_live; /* blocks handed out and not yet freed */
static pthread_mutex_t reserve_lock = PTHREAD_MUTEX_INITIALIZER;

static _Thread_local int guarded;	     /* inside a wrapper */
static _Thread_local unsigned long failures; /* failed mallocs in it */
static unsigned long all_failures;	     /* every failed malloc */

static bool in_reserve(const void *p)
{
	return (const char *)p >= reserve &&
	       (const char *)p < reserve + RESERVE_BYTES;
}

/* malloc; inside a wrapper, a failure is counted and served from the
 * reserve. */
static void *json_malloc(size_t size)
{
	size_t need = (size + alignof(max_align_t) - 1) &
		      ~(alignof(max_align_t) - 1);
	void *p = malloc(size);

	if (!p)
		__atomic_add_fetch(&all_failures, 1, __ATOMIC_RELAXED);
	if (p || !guarded)
		return p;
	failures++;
	pthread_mutex_lock(&reserve_lock);
	if (need <= RESERVE_BYTES - reserve_used) {
		p = reserve + reserve_used;
		reserve_used += need;
		reserve_live++;
	}
	pthread_mutex_unlock(&reserve_lock);
	return p;
}

/* free, or give a block back to the reserve (which starts over when the
 * last one comes back). */
static void json_free(void *p)
{
	if (!in_reserve(p)) {
		free(p);
		return;
	}
	pthread_mutex_lock(&reserve_lock);
	if (--reserve_live == 0)
		reserve_used = 0;
	pthread_mutex_unlock(&reserve_lock);
}

void mt_json_init(void)
{
	json_set_alloc_funcs(json_malloc, json_free);
}

unsigned long mt_json_alloc_failures(void)
{
	return __atomic_load_n(&all_failures, __ATOMIC_RELAXED);
}

char *mt_json_dumps(const json_t *json, size_t flags)
{
	char *text, *copy = NULL;

	guarded++;
	failures = 0;
	text = json_dumps(json, flags);
	guarded--;
	if (!text || failures) {
		/* The text itself may live in the reserve. */
		if (text)
			json_free(text);
		return NULL;
	}
	/* json_dumps returns jansson's allocation (ours when not in the
	 * reserve, see above): callers free() it. */
	if (in_reserve(text)) {
		copy = strdup(text);
		json_free(text);
		return copy;
	}
	return text;
}

/* Ends a guarded parse: a result built while an allocation failed is
 * dropped and err says out of memory. */
static json_t *end_load(json_t *json, json_error_t *err)
{
	guarded--;
	if (!failures)
		return json;
	json_decref(json);
	if (err) {
		memset(err, 0, sizeof(*err));
		snprintf(err->text, sizeof(err->text), "%s", strerror(ENOMEM));
		/* Where jansson keeps the code json_error_code() returns. */
		err->text[JSON_ERROR_TEXT_LENGTH - 1] =
			(char)json_error_out_of_memory;
	}
	errno = ENOMEM;
	return NULL;
}

json_t *mt_json_loadb(const char *buf, size_t len, size_t flags,
		      json_error_t *err)
{
	guarded++;
	failures = 0;
	return end_load(json_loadb(buf, len, flags, err), err);
}

json_t *mt_json_load_file(const char *path, size_t flags, json_error_t *err)
{
	guarded++;
	failures = 0;
	return end_load(json_load_file(path, flags, err), err);
}

json_t *mt_json_loadf(FILE *f, size_t flags, json_error_t *err)
{
	guarded++;
	failures = 0;
	return end_load(json_loadf(f, flags, err), err);
}

double mt_jnum_value(const json_t *v)
{
	return json_is_number(v) ? json_number_value(v) : NAN;
}

double mt_jnum(const json_t *o, const char *key)
{
	return mt_jnum_value(json_object_get(o, key));
}

json_t *mt_jreal(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

void mt_json_append_vfmt(json_t *arr, size_t len, const char *fmt, va_list ap)
{
	char buf[2048];

	if (len > sizeof(buf))
		len = sizeof(buf);
	vsnprintf(buf, len, fmt, ap);
	json_array_append_new(arr, json_string(buf));
}
