/* JSON text in and out without jansson's out-of-memory corruption.
 *
 * jansson 2.14 (Debian 12) drops allocation failures in two places:
 * - dumping: do_dump ignores dump_string's result for an object's key
 *   (akheron/jansson#655), so json_dumps can return {"op":"write",":"/proc/
 *   sys/vm/dirty_ratio",...} (the key "path" lost) instead of NULL;
 * - parsing: lex_save ignores strbuffer_append_byte's result
 *   (akheron/jansson#362), so json_loadb can return "/proc/sys/vm/dirty_rtio"
 *   for "/proc/sys/vm/dirty_ratio" as a successful parse, or abort() on
 *   assert(c == d) in lex_unget_unsave while scanning a number.
 * tests/faultinj found both (a journal line playback then refused, and a
 * rollback that wrote the old value to a path that does not exist and
 * called it done).
 *
 * The wrappers below make a failed allocation inside jansson fail the
 * whole dump or parse: while one of them runs, jansson's allocator (set by
 * mt_json_init) serves a failed malloc from a small reserve, so jansson
 * itself never sees NULL mid-document (no corruption, no assert), and the
 * wrapper then throws the result away and reports out of memory. Outside
 * the wrappers jansson's allocations fail as usual (json_pack returns
 * NULL), so those error paths stay reachable.
 */
#ifndef MT_JSON_SAFE_H
#define MT_JSON_SAFE_H

#include <jansson.h>
#include <stdarg.h>

/* Installs memtune's allocator in jansson. Call first thing in main(),
 * before any jansson value exists. Without it the wrappers still work but
 * cannot see jansson's allocation failures. */
void mt_json_init(void);

/* How many of jansson's allocations have failed in this process so far
 * (0 without mt_json_init). jansson setters such as json_object_set_new
 * fail quietly when their value could not be made, so code that builds a
 * document without checking each one compares this before and after and
 * treats a change as out of memory. */
unsigned long mt_json_alloc_failures(void);

/* json_dumps(json, flags), or NULL when it fails or any allocation failed
 * during it. A malloc'ed string. */
char *mt_json_dumps(const json_t *json, size_t flags);

/* json_loadb(buf, len, flags, err), or NULL when an allocation failed
 * during the parse: then err's text is strerror(ENOMEM), its line 0 and
 * json_error_code(err) json_error_out_of_memory, as for jansson's own
 * out-of-memory failures. */
json_t *mt_json_loadb(const char *buf, size_t len, size_t flags,
		      json_error_t *err);

/* json_load_file(path, flags, err), with the same out-of-memory rule. */
json_t *mt_json_load_file(const char *path, size_t flags, json_error_t *err);

/* json_loadf(f, flags, err), with the same out-of-memory rule. */
json_t *mt_json_loadf(FILE *f, size_t flags, json_error_t *err);

/* The number v as a double, or NAN when v is not a number (or NULL). */
double mt_jnum_value(const json_t *v);

/* The number at key of object o as a double, or NAN when o is not an
 * object or the member is missing or not a number. */
double mt_jnum(const json_t *o, const char *key);

/* Appends to array arr the string fmt formats with ap, cut at len - 1
 * bytes (len at most 2048). Like json_array_append_new, it leaves arr as
 * it was when out of memory or when the text is not valid UTF-8. */
void mt_json_append_vfmt(json_t *arr, size_t len, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* A JSON real for v, or null when v is not finite (jansson refuses NAN and
 * the infinities). A new reference, NULL when out of memory. */
json_t *mt_jreal(double v);

#endif
