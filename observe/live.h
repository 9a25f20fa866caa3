/* The live view of `memtune observe` on a terminal, in the manner of top
 * and cachetop: redrawn in place each sample on stderr, the terminal in
 * raw mode (no echo, no line buffering) so that 'q' quits at once; the
 * terminal's mode is restored by mt_obs_live_stop, and at exit should a
 * path miss it. */
#ifndef MT_OBS_LIVE_H
#define MT_OBS_LIVE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "target.h"

/* True when the live view can run: stdin and stderr are terminals. */
bool mt_obs_live_possible(void);

/* Puts the terminal (stdin) in raw mode. Returns 0 or -errno. */
int mt_obs_live_start(void);

/* Restores the terminal's mode (idempotent) and leaves the cursor below
 * the view. */
void mt_obs_live_stop(void);

/* True when 'q' (or Q) was typed; reads what is waiting, never blocks. */
bool mt_obs_live_quit(void);

/* Redraws the view: cur and prev are the records of this sample and the
 * one before (prev NULL at the first), dt the seconds between them. */
void mt_obs_live_draw(json_t *cur, json_t *prev, double dt, double t,
		      double duration, long sample,
		      const struct mt_obs_target *targets, size_t n_targets);

/* One progress line for a log (not a terminal): the same figures in a
 * line. */
void mt_obs_progress_line(json_t *cur, json_t *prev, double dt, double t,
			  double duration, long sample);

#endif
