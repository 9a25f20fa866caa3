/* One memtune tune session, shared by its files: tune.c (options, the
 * items chosen, the session's set-up and order), trial.c (the trials of
 * one item), results.c (the verification, advice.json, the table, what is
 * kept). Not an interface: see tune.h. */
#ifndef MT_TUNE_SESSION_H
#define MT_TUNE_SESSION_H

#include <jansson.h>
#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../advisor/advisor.h"
#include "../bench/kit/sandbox.h"
#include "../core/err.h"
#include "../core/journal.h"
#include "tune.h"
#include "tune_internal.h"

/* The most trials one item may have (two per pair). */
#define MAX_SLOTS 4096

/* One item under trial. */
struct arm_run {
	struct mt_item *it;		   /* as advised (arm B's value) */
	struct mt_item a;		   /* the current value, for A/A */
	char current[128];		   /* what the knob held before tune */
	size_t index;			   /* among the items tried */
	const struct mt_rule_trial *bench; /* its benchmark trial */
	size_t n_pairs;
	json_t **oa, **ob; /* each pair's A and B: {key: value} */
	json_t *better;	   /* {key: true when higher is better} */
	double (*ga)[MT_N_GUARDS], (*gb)[MT_N_GUARDS];
	bool *have_a, *have_b;
	json_t *trials;	    /* one object per trial */
	char stopped[256];  /* why trials stopped early, or "" */
	char no_bench[512]; /* why its benchmark trial is not run */
};

struct tune {
	const struct mt_tune_opts *o;
	struct mt_apply_opts ao;
	struct mt_advice advice;
	uint64_t mem;
	struct mt_journal *j;
	regex_t metric_re, p99_re;
	bool have_metric_re, have_p99_re;
	bool higher_is_better;
	uint64_t t0, deadline;
	char run_journal[4096]; /* the benchmark trials' journal */
	char trial_dir[4096];	/* their run directories, or "" */
	char procs[600];	/* the workload's cgroup, or "" */
	struct mt_cgroup cg;	/* that cgroup (when procs is set) */
	size_t done, total;	/* trials, for the time left */
	double trial_s;		/* the warm-up trial's time */
};

/* --- trial.c ------------------------------------------------------------ */

/* Allocates r's per-pair arrays for `pairs` pairs. Returns 0 or -ENOMEM
 * (mt_tune_arm_free frees what was allocated). */
int mt_tune_arm_alloc(struct arm_run *r, size_t pairs);
void mt_tune_arm_free(struct arm_run *r);

/* Runs one trial of arm b (or A) of r: applies B through the journal,
 * runs the item's benchmark trial and the workload between two readings
 * of the guardrails, undoes B. Fills obs ({key: value}), r->better and
 * guards; rec gets the trial's record. seq numbers the trial (0: the
 * warm-up). Returns 0, or -errno with err set when the trial could not be
 * made (B not applied, the journal not undone, a signal). */
int mt_tune_trial(struct tune *t, struct arm_run *r, bool b, size_t seq,
		  json_t *obs, double guards[MT_N_GUARDS], json_t *rec,
		  struct mt_err *err);

/* s seconds as people say them: "40 s", "12 min", "1.5 h". */
void mt_tune_fmt_duration(double s, char *buf, size_t len);

/* Runs the schedule of item r (the idx-th of n_items). Returns 0 (trials
 * may have stopped early: r->stopped says why), -EINTR on a signal, or
 * -errno with err set. */
int mt_tune_run_item(struct tune *t, struct arm_run *r, size_t idx,
		     size_t n_items, struct mt_err *err);

/* --- results.c ---------------------------------------------------------- */

/* The verification object of r (NULL when out of memory). */
json_t *mt_tune_verification(const struct tune *t, struct arm_run *r);

/* Writes each run's verification into DIR/advice.json, keeping every
 * other field as it was. Returns 0 or -errno with err set. */
int mt_tune_write_back(const struct tune *t, struct arm_run *runs, size_t n,
		       json_t **verifs, struct mt_err *err);

/* --keep verified: applies (with --persist, persists) the items that
 * improved, through apply's journal. Returns 0 or -errno with err set. */
int mt_tune_keep_verified(struct tune *t, struct arm_run *runs, json_t **v,
			  size_t n, FILE *out, struct mt_err *err);

/* The verdict table. */
void mt_tune_print_table(FILE *out, struct arm_run *runs, json_t **v, size_t n);

#endif
