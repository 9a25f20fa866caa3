/* How far a benchmark's results move between runs on this machine,
 * learned from its earlier runs and kept in the state directory.
 *
 * The rounds of one run (`repeat`) see the noise inside that run; they
 * cannot see the machine itself change between runs. A virtual CPU whose
 * host gets busier makes the next run slower at once: on a 2-vCPU VM two
 * quick tlb runs a minute apart differed by 5% at the median point and by
 * 10 to 28% at the page-walk points between 1 and 24 MiB, so the rounds'
 * intervals of one held the other's values at 55% of the points.
 *
 * After each benchmark of a run, each of its timed points (a time or a
 * rate: what a change of the machine's speed moves) is compared with the
 * same point of the machine's previous run of the same benchmark and
 * configuration: sign x ln(new / old) is the point's change between runs
 * (the last MT_HIST_KEEP kept per point), and their median over the points
 * the run's common shift (kept too, for meta.json and compare). In a later
 * run, a point with MT_HIST_MIN_RUNS changes or more gets the interval
 * value x exp(+/- t(m, 0.975) x RMS of its m changes) -- a 95% prediction
 * of the next run's value from this one's, which is what compare and the
 * report need -- or the rounds' interval where that is wider.
 *
 * STATE/history/SECTION.json is the state directory's (trusted:
 * statedir.h), replaced atomically; a file that does not parse is set
 * aside with a warning, never fatal to a run.
 */
#ifndef MT_RUN_HISTORY_H
#define MT_RUN_HISTORY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define MT_HIST_KEEP 20	     /* changes kept per point, shifts per config */
#define MT_HIST_CONFIGS 8    /* configurations kept per section */
#define MT_HIST_MIN_RUNS 3   /* changes of a point before it is widened */
#define MT_HIST_MIN_POINTS 3 /* common points for a shift */

/* What a point's (or the runs') changes between runs say. */
struct mt_hist_spread {
	size_t runs; /* changes known */
	double rms;  /* their root mean square (a log-ratio) */
	double half; /* t(runs, 0.975) x rms: the 95% half-width in log
		      * terms; 0 when fewer than MT_HIST_MIN_RUNS */
};

/* +1 for a unit of time (ns, us, ms, s, "ns/..."), -1 for a rate ("/s"
 * at the end: MB/s, IO/s, pages/s), 0 for anything else (counts,
 * fractions, bytes): what a slower machine moves up, down, or not at all. */
int mt_hist_unit_sign(const char *unit);

/* The shift from old to new: points are objects whose keys name a point
 * (mt_record_point_key) and whose values are [value, sign]; the median
 * over the keys in both of sign x ln(new / old) (positive: new is
 * slower). *n gets the number of points used. NAN when fewer than
 * MT_HIST_MIN_POINTS are usable. */
double mt_hist_shift(json_t *old_points, json_t *new_points, size_t *n);

/* The spread from an array of changes (numbers, or objects with
 * "shift"; other entries ignored). */
void mt_hist_spread_of(json_t *changes, struct mt_hist_spread *out);

/* Widens the interval of rec, a measured record, by s (see above), when
 * s->half > 0 and its unit is timed: ci95_lo/ci95_hi become the lower of
 * ci95_lo and value x exp(-half), the higher of ci95_hi and value x
 * exp(half); the old ends are kept in "ci95_within_run" and the spread
 * in "run_spread" {runs, rms, half}. Returns 1 when widened, 0 when left
 * alone, -ENOMEM. */
int mt_hist_widen(json_t *rec, const struct mt_hist_spread *s);

/* A short identity of a configuration (the compact, key-sorted dump of
 * cfg) for out[17]: 16 hex digits of its FNV-1a hash. */
void mt_hist_config_id(json_t *cfg, char out[17]);

/* Loads STATE/history/SECTION.json: an object (empty when there is none
 * yet, or when the file is not one: then a warning is logged, the file
 * renamed to SECTION.json.bad, and the history starts again). NULL with
 * err set when the directory cannot be used or memory runs out. A
 * section name outside [A-Za-z0-9_.:-] is refused (-EINVAL). */
json_t *mt_hist_load(const char *state_dir, const char *section,
		     struct mt_err *err);

/* The spread of point `key` (mt_record_point_key) of configuration id
 * in hist: its changes between runs. */
void mt_hist_point_spread(json_t *hist, const char *id, const char *key,
			  struct mt_hist_spread *out);

/* The spread of configuration id's common shifts. */
void mt_hist_shift_spread(json_t *hist, const char *id,
			  struct mt_hist_spread *out);

/* Records run `run` (at Unix time t, host `host`) with its timed points
 * in hist under configuration id: each point also in the configuration's
 * last points gets its change appended; the run's shift is appended when
 * there are enough common points (*shift gets it, NAN otherwise; *n the
 * points compared); then its points replace the last ones. A history of another host starts again. Keeps
 * MT_HIST_KEEP shifts and MT_HIST_CONFIGS configurations (the most
 * recent). Returns 0 or -ENOMEM. */
int mt_hist_add(json_t *hist, const char *id, const char *host, const char *run,
		double t, json_t *points, double *shift, size_t *n);

/* Writes hist to STATE/history/SECTION.json (atomic replacement, 0600).
 * Returns 0 or -errno with err set. */
int mt_hist_save(const char *state_dir, const char *section, json_t *hist,
		 struct mt_err *err);

#endif
