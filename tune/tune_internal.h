/* The parts of memtune tune (see tune.h), for its files and tests. */
#ifndef MT_TUNE_INTERNAL_H
#define MT_TUNE_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/err.h"
#include "../core/paired.h"

/* --- schedule.c: ABBA blocks ------------------------------------------------ */

struct mt_trial_slot {
	bool b;	     /* arm B (the change) */
	size_t pair; /* the pair this trial belongs to */
};

/* Fills slots[0..2*pairs) with ABBA or BAAB blocks, the orientation of
 * each block drawn from seed; each block holds two pairs (its first A with
 * its first B, its second B with its second A); an odd last pair is AB or
 * BA. Returns the number of slots, 0 if max is too small. */
size_t mt_abba_schedule(size_t pairs, uint64_t seed,
			struct mt_trial_slot *slots, size_t max);

/* --- guard.c: what a trial did to the machine -------------------------------- */

enum mt_guard_id {
	MT_GUARD_OOM_KILL,   /* vmstat oom_kill */
	MT_GUARD_ALLOCSTALL, /* vmstat allocstall (all zones) */
	MT_GUARD_PSWPIN,     /* vmstat pswpin */
	MT_GUARD_PSI_FULL,   /* /proc/pressure/memory full total, us */
	MT_GUARD_FAILED,     /* the workload failed: 1 or 0 */
	MT_GUARD_P99,	     /* the workload's p99, as it prints it */
	MT_N_GUARDS,
};

extern const char *const mt_guard_names[MT_N_GUARDS];

struct mt_guard_snap {
	double v[MT_GUARD_PSI_FULL + 1]; /* counters; NAN if unread */
};

/* Reads the counters now (NAN for what the kernel does not have). */
void mt_guard_read(struct mt_guard_snap *s);

/* A trial's guardrail values: counter deltas (NAN if either end is NAN),
 * plus failed and p99 as given. */
void mt_guard_delta(const struct mt_guard_snap *before,
		    const struct mt_guard_snap *after, bool failed, double p99,
		    double out[MT_N_GUARDS]);

/* The confidence each counted guardrail is judged at over n pairs:
 * 1 - 0.05/k for the k guardrails whose values moved at all (Bonferroni:
 * an A/A session then finds some guardrail worse at most 2.5% of the
 * time, one-sided), 0.95 when none moved. */
double mt_guard_level(const double (*a)[MT_N_GUARDS],
		      const double (*b)[MT_N_GUARDS], size_t n);

/* Which guardrail B makes worse, judged over n pairs of values a[i][g],
 * b[i][g]: a workload failure or an OOM kill in more B trials than A
 * trials at all; the others when the paired interval of b - a reaches
 * mt_guard_level() and lies above 0. Writes the names (comma-separated)
 * into why and returns true when any is worse. */
bool mt_guard_worse(const double (*a)[MT_N_GUARDS],
		    const double (*b)[MT_N_GUARDS], size_t n, char *why,
		    size_t len);

/* Each guardrail's paired summary as a JSON object (for the verification
 * object). */
json_t *mt_guard_json(const double (*a)[MT_N_GUARDS],
		      const double (*b)[MT_N_GUARDS], size_t n);

/* --- verdict.c: an item's verdict from its pairs ------------------------- */

/* The observations of one item's trials, pair by pair. */
struct mt_tune_obs {
	size_t n;		       /* pairs planned */
	json_t *const *oa, *const *ob; /* each pair's {figure: value} */
	const bool *have_a, *have_b;   /* which arms ran */
	const double (*ga)[MT_N_GUARDS], (*gb)[MT_N_GUARDS];
	json_t *better; /* {figure: true when higher is better}; the
			 * workload's figure is "workload" */
};

/* A figure's change from a to b in its better direction, relative to
 * their mean magnitude: (b - a) / ((|a| + |b|) / 2), negated when lower is
 * better; 0 when both are 0. */
double mt_tune_change(double a, double b, bool higher);

/* The item's verdict (see verdict.c for the rule): {verdict, why, metric
 * (the primary figure shown first), its medians, effect and interval,
 * level_wanted, primary: [...], figures: [...] (each alone, at 95%),
 * primary_pairs: [[a, b], ...] of the first primary figure, guardrails,
 * pairs}, or NULL when out of memory. */
json_t *mt_tune_judge(const struct mt_tune_obs *o);

/* --- bench_trial.c: a rule's benchmark cases as one trial ------------------ */

struct mt_rule_trial;

/* Runs decl's benchmark at the quick configuration with its settings as a
 * new run directory `outdir` (through the runner, with its own run
 * journal at journal_path), and adds to obs one number per record of the
 * declared metrics: key "BENCH.METRIC CASE" (the case's parameters), and
 * to better the metric's direction (true: higher is better). Returns 0,
 * 1 when the run failed (err says why: a failed trial, not a failed
 * tune), -EINTR on a signal, or -errno with err set. */
int mt_bench_trial_run(const struct mt_rule_trial *decl, const char *outdir,
		       const char *journal_path, json_t *obs, json_t *better,
		       struct mt_err *err);

/* Checks decl's settings against the benchmark's schema and plans it:
 * returns the number of cases (0: it cannot run here, why says so), or
 * -errno with err set. */
int mt_bench_trial_check(const struct mt_rule_trial *decl, char *why,
			 size_t len, struct mt_err *err);

#endif
