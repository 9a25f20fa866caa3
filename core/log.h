/* Progress and diagnostics on stderr; stdout stays parseable (DESIGN §2).
 * Progress lines are printed only when stderr is a terminal or when
 * MEMTUNE_PROGRESS=1; warnings and errors always are. */
#ifndef MT_LOG_H
#define MT_LOG_H

void mt_log_init(void);
void mt_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void mt_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void mt_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
