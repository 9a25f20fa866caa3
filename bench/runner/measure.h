/* The worker side of the runner: measures one case in the current process
 * (already forked and pinned) and writes its records as JSON lines to a
 * file descriptor. Kept apart from the parent-side sweep logic so it can be
 * unit-tested with a fake benchmark. */
#ifndef MT_MEASURE_H
#define MT_MEASURE_H

#include "../bench.h"

/* Sampling policy, from the [global] section. */
struct mt_sampling {
	uint64_t sample_ns; /* target duration of one calibrated sample */
	int min_samples;
	int max_samples;
	int warmup_samples;
	double ci_fraction;   /* stop when the median's CI half-width is
				 * within this fraction of the median */
	uint64_t max_case_ns; /* stop repeating after this much sampling */
};

/* The sampling policy that the [global] parameters give. */
struct mt_sampling mt_sampling_from(const struct mt_params *global);

/* Where records go, and what went: records written and how many of them
 * have status "failed". */
struct mt_emit {
	int fd;
	int records;
	int failed;
};

/* Writes rec (released) as one line to out->fd and counts it. The case's
 * "system" (what case_sys_setup obtained), when there is one, is added at
 * the top level. Returns 0 or -errno. */
int mt_emit_record(struct mt_emit *out, const struct mt_case *c, json_t *rec);

/* Measures case c of bench b and writes one record per metric (or one
 * skipped/failed record) to out, one JSON object per line. Returns 0 when
 * records were written (whatever their status), or -errno if writing
 * failed. */
int mt_measure_case(const struct mt_bench *b, const char *variant,
		    const struct mt_env *env, const struct mt_case *c,
		    const struct mt_sampling *sp, struct mt_emit *out);

/* Derives metric m's value from one sample; NAN when it cannot be computed
 * from this sample (no ops, no faults, value not set). */
double mt_derive_metric(const struct mt_metric *m, const struct mt_sample *s);

#endif
