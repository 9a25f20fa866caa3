/* libFuzzer target: the run history file (core/run_history.c) as a run
 * reads it from the state directory: the input is written as
 * STATE/history/tlb.json, loaded (a file that is not a history is set
 * aside and the history starts again), asked for the spread of a few
 * points and of the shifts, given a run's points, saved and loaded back.
 * The file is memtune's own, but a crash or a widening by a value that is
 * not finite must not come from whatever is in it. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "../../core/run_history.h"
#include "harness.h"

static char state[4096];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(state, sizeof(state), "%s/state", fz_tmpdir());
	if (mkdir(state, 0700) < 0)
		abort();
	return 0;
}

/* The spread must be a number a record can be widened by. */
static void check(const struct mt_hist_spread *s)
{
	if (!(s->half >= 0) || !isfinite(s->half) || !(s->rms >= 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "a", "b", "\t{}\tlatency", "" };
	struct mt_err err = { 0 };
	struct mt_hist_spread s;
	double shift;
	size_t n;
	json_t *h, *pts, *rec;

	fz_put(state, "history/tlb.json", data, size, NULL, 0);
	h = mt_hist_load(state, "tlb", &err);
	if (!h)
		return 0;
	mt_hist_shift_spread(h, "cfg", &s);
	check(&s);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		mt_hist_point_spread(h, "cfg", keys[i], &s);
		check(&s);
		rec = json_pack("{s:s,s:f,s:f,s:f}", "unit", "ns", "value", 1.0,
				"ci95_lo", 0.9, "ci95_hi", 1.1);
		if (mt_hist_widen(rec, &s) > 0 &&
		    !(json_real_value(json_object_get(rec, "ci95_hi")) >= 1.1))
			abort();
		json_decref(rec);
	}
	pts = json_pack("{s:[f,i],s:[f,i],s:[f,i]}", "a", 1.0, 1, "b", 2.0, 1,
			"c", 3.0, -1);
	if (mt_hist_add(h, "cfg", "host", "run", 1.0, pts, &shift, &n) == 0 &&
	    mt_hist_save(state, "tlb", h, &err) == 0) {
		json_decref(h);
		h = mt_hist_load(state, "tlb", &err);
	}
	json_decref(pts);
	json_decref(h);
	return 0;
}
