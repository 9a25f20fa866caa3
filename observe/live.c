/* The live view and the progress lines of `memtune observe` (live.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "../core/units.h"
#include "live.h"

static struct termios saved;
static bool raw_on, atexit_set;

bool mt_obs_live_possible(void)
{
	return isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
}

void mt_obs_live_stop(void)
{
	if (!raw_on)
		return;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	raw_on = false;
	fputs("\033[?25h\n", stderr); /* the cursor back */
	fflush(stderr);
}

static void restore_at_exit(void)
{
	mt_obs_live_stop();
}

int mt_obs_live_start(void)
{
	struct termios raw;

	if (tcgetattr(STDIN_FILENO, &saved) < 0)
		return -errno;
	raw = saved;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 0;
	if (!atexit_set) {
		atexit(restore_at_exit);
		atexit_set = true;
	}
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) < 0)
		return -errno;
	raw_on = true;
	fputs("\033[?25l", stderr); /* no cursor while drawing */
	return 0;
}

bool mt_obs_live_quit(void)
{
	char buf[64];
	ssize_t n;
	bool q = false;

	if (!raw_on)
		return false;
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] == 'q' || buf[i] == 'Q')
				q = true;
	return q;
}

/* The value of metric for target in cur, NAN when absent. */
static double val(json_t *cur, const char *target, const char *metric)
{
	double v;

	return mt_obs_batch_get(cur, target, metric, &v) ? v : NAN;
}

/* The rate of a cumulative counter between prev and cur, per second. */
static double rate(json_t *cur, json_t *prev, double dt, const char *target,
		   const char *metric)
{
	double a, b;

	if (!prev || dt <= 0 || !mt_obs_batch_get(cur, target, metric, &b) ||
	    !mt_obs_batch_get(prev, target, metric, &a))
		return NAN;
	return (b - a) / dt;
}

/* A signed byte count ("-4 MiB", "12 MiB"), or "-" when NAN. */
static const char *sbytes(double v, char *buf, size_t len)
{
	if (v != v) {
		snprintf(buf, len, "-");
		return buf;
	}
	buf[0] = v < 0 ? '-' : '\0';
	mt_format_iec((uint64_t)fabs(v), buf + (v < 0), len - 1);
	return buf;
}

/* bytes as "1.5 GiB", or "-" when NAN. */
static const char *bytes(double v, char *buf, size_t len)
{
	if (v != v)
		snprintf(buf, len, "-");
	else
		mt_format_iec(v < 0 ? 0 : (uint64_t)v, buf, len);
	return buf;
}

static const char *num(double v, char *buf, size_t len)
{
	if (v != v)
		snprintf(buf, len, "-");
	else
		mt_format_num(v, 3, buf, len);
	return buf;
}

/* The system's lines (shared by the view and the progress line). */
static void system_line(FILE *f, json_t *cur, json_t *prev, double dt,
			const char *sep)
{
	char a[32], b[32], c[32], d[32];
	double st = val(cur, "system", "meminfo.SwapTotal"),
	       sf = val(cur, "system", "meminfo.SwapFree");

	fprintf(f, "available %s  cache %s  dirty %s  swap used %s%s",
		bytes(val(cur, "system", "meminfo.MemAvailable"), a, sizeof(a)),
		bytes(val(cur, "system", "meminfo.Cached"), b, sizeof(b)),
		bytes(val(cur, "system", "meminfo.Dirty"), c, sizeof(c)),
		bytes(st - sf, d, sizeof(d)), sep);
	fprintf(f, "swap in %s/s  out %s/s pages  major faults %s/s",
		num(rate(cur, prev, dt, "system", "vmstat.pswpin"), a,
		    sizeof(a)),
		num(rate(cur, prev, dt, "system", "vmstat.pswpout"), b,
		    sizeof(b)),
		num(rate(cur, prev, dt, "system", "vmstat.pgmajfault"), c,
		    sizeof(c)));
	fprintf(f, "  PSI some %s%% full %s%%",
		num(val(cur, "system", "psi.some_avg10"), a, sizeof(a)),
		num(val(cur, "system", "psi.full_avg10"), b, sizeof(b)));
}

void mt_obs_live_draw(json_t *cur, json_t *prev, double dt, double t,
		      double duration, long sample,
		      const struct mt_obs_target *targets, size_t n_targets)
{
	char a[32], b[32], c[32], d[32], e[32], g[32];
	FILE *f = stderr;

	fputs("\033[H\033[2J", f);
	fprintf(f,
		"memtune observe   %.0f s of %.0f s   sample %ld   "
		"(q quits)\r\n",
		t, duration, sample);
	system_line(f, cur, prev, dt, "\r\n");
	fputs("\r\n\r\n", f);
	fprintf(f, "%-28s %10s %10s %10s %11s %9s %10s\r\n", "TARGET", "RSS",
		"ANON", "SWAP", "GROWTH/s", "MAJFLT/s", "CACHED");
	for (size_t i = 0; i < n_targets; i++) {
		const struct mt_obs_target *tg = &targets[i];
		const char *s = tg->series;
		char name[40];

		snprintf(name, sizeof(name), "%.20s%s%.7s", tg->id,
			 tg->comm[0] ? " " : "", tg->comm);
		if (tg->ended) {
			fprintf(f, "%-28s (ended at %.0f s)\r\n", name,
				tg->ended_t);
			continue;
		}
		/* A process's series, or a cgroup's: RSS, anon, swap,
		 * major faults, cached. */
		bool pid = tg->kind == MT_OBS_PID;
		const char *rss = pid ? "status.VmRSS" : "memory.current";
		double cached = pid ? val(cur, s, "cachestat.cache") :
				      val(cur, s, "memstat.file");

		if (pid && cached != cached)
			cached = val(cur, s, "mincore.resident");
		if (pid)
			cached *= (double)sysconf(_SC_PAGESIZE);
		fprintf(f, "%-28s %10s %10s %10s %11s %9s %10s\r\n", name,
			bytes(val(cur, s, rss), a, sizeof(a)),
			bytes(val(cur, s,
				  pid ? "status.RssAnon" : "memstat.anon"),
			      b, sizeof(b)),
			bytes(val(cur, s,
				  pid ? "status.VmSwap" :
					"memory.swap.current"),
			      c, sizeof(c)),
			sbytes(rate(cur, prev, dt, s, rss), d, sizeof(d)),
			num(rate(cur, prev, dt, s,
				 pid ? "stat.majflt" : "memstat.pgmajfault"),
			    e, sizeof(e)),
			bytes(cached, g, sizeof(g)));
	}
	fflush(f);
}

void mt_obs_progress_line(json_t *cur, json_t *prev, double dt, double t,
			  double duration, long sample)
{
	fprintf(stderr, "observe: %.0f s of %.0f s, sample %ld: ", t, duration,
		sample);
	system_line(stderr, cur, prev, dt, "; ");
	fputc('\n', stderr);
}
