/* Wall-clock labels (see clock.h); measurements use mt_now_ns. */
#include <stdio.h>
#include <time.h>

#include "clock.h"

/* Writes the current UTC time as "YYYY-MM-DDTHH:MM:SSZ" into buf; an empty
 * string if the clock or the conversion fails. */
void mt_wallclock_iso(char *buf, unsigned long len)
{
	struct timespec ts;
	struct tm tm;

	if (!buf || len == 0)
		return;
	buf[0] = '\0';
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return;
	if (!gmtime_r(&ts.tv_sec, &tm))
		return;
	if (strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		buf[0] = '\0';
}
