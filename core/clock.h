/* The monotonic clock every measurement uses (DESIGN §6). */
#ifndef MT_CLOCK_H
#define MT_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Nanoseconds of CLOCK_MONOTONIC; never goes backwards. */
static inline uint64_t mt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Wall-clock time as an ISO 8601 UTC string, e.g. 2026-11-22T10:04:05Z,
 * into buf (at least 32 bytes). Used for labels, never for measuring. */
void mt_wallclock_iso(char *buf, unsigned long len);

#endif
