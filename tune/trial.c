/* The trials of one item of memtune tune: see session.h. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/log.h"
#include "../core/signals.h"
#include "../core/workload.h"
#include "session.h"

/* Runs one trial of arm b (or A) of r: applies B through the journal,
 * runs the item's benchmark trial and the workload between two readings
 * of the guardrails, undoes B. Fills obs ({key: value}), r->better and
 * guards. Returns 0, or -errno with err set when the trial could not be
 * made (B not applied, the journal not undone, a signal). */
int mt_tune_trial(struct tune *t, struct arm_run *r, bool b, size_t seq,
		  json_t *obs, double guards[MT_N_GUARDS], json_t *rec,
		  struct mt_err *err)
{
	size_t mark = mt_journal_mark(t->j);
	struct mt_guard_snap before, after;
	struct mt_workload_result w = { .p99 = NAN };
	struct mt_err te = { 0 };
	char *log = NULL, dir[4200] = "";
	size_t log_len = 0;
	FILE *lf = open_memstream(&log, &log_len);
	const struct mt_item *set = b ? (t->o->aa ? &r->a : r->it) : NULL;
	bool failed = false;
	int rc = 0;

	if (!lf)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "tune: out of memory");
	if (set && mt_apply_item(set, &t->ao, t->mem, t->j, lf) != 0) {
		fclose(lf);
		rc = mt_err_set(err, -EPERM, MT_ERR_RUNTIME,
				"tune: %s: cannot apply %s=%s for a trial: %s",
				r->it->id, set->knob, set->value,
				log ? log : "");
		free(log);
		mt_journal_rollback_to(t->j, mark, NULL);
		return rc;
	}
	fclose(lf);
	free(log);
	/* A cgroup v1 memcg keeps the swappiness it was made with: the
	 * workload's cgroup follows the arm's vm.swappiness. */
	if (set && t->procs[0] && t->cg.version == 1 &&
	    strcmp(set->knob, "vm.swappiness") == 0) {
		rc = mt_cgroup_set_swappiness(t->j, &t->cg, atoi(set->value),
					      err);
		if (rc < 0) {
			mt_journal_rollback_to(t->j, mark, NULL);
			return rc;
		}
	}
	mt_guard_read(&before);
	if (r->bench) {
		/* Named by position, never by the item's id: advice.json
		 * is not a source of paths. */
		snprintf(dir, sizeof(dir), "%s/item%zu-%zu%c", t->trial_dir,
			 r->index + 1, seq, b ? 'B' : 'A');
		rc = mt_bench_trial_run(r->bench, dir, t->run_journal, obs,
					r->better, &te);
		if (rc == 1) {
			failed = true;
			json_object_set_new(rec, "failed", json_string(te.msg));
			rc = 0;
		} else if (rc < 0) {
			*err = te;
		}
		json_object_set_new(rec, "run_dir", json_string(dir));
	}
	if (rc == 0 && t->o->workload) {
		rc = mt_workload_run_in(t->o->workload,
					t->procs[0] ? t->procs : NULL,
					t->have_metric_re ? &t->metric_re :
							    NULL,
					t->have_p99_re ? &t->p99_re : NULL,
					t->o->trial_timeout_ns, &w, err);
		if (rc == 0 && mt_workload_ok(&w, t->have_metric_re)) {
			json_object_set_new(obs, "workload",
					    json_real(w.metric));
			json_object_set_new(r->better, "workload",
					    json_boolean(t->higher_is_better));
		} else if (rc == 0) {
			failed = true;
			json_object_set_new(
				rec, "failed",
				json_string(
					w.timed_out ?
						"the workload timed out" :
					!w.matched ?
						"no metric in the workload's "
						"output" :
						w.tail));
		}
		json_object_set_new(rec, "wall_s", json_real(w.wall_s));
	}
	mt_guard_read(&after);
	if (mt_journal_rollback_to(t->j, mark, rc < 0 ? NULL : err) < 0 &&
	    rc == 0)
		return -EIO;
	if (rc < 0)
		return rc;
	mt_guard_delta(&before, &after, failed, w.p99, guards);
	json_object_set_new(rec, "arm", json_string(b ? "B" : "A"));
	json_object_set_new(rec, "value",
			    json_string(set ? set->value : r->current));
	json_object_set_new(rec, "observed", json_incref(obs));
	for (int g = 0; g < MT_N_GUARDS; g++)
		if (!isnan(guards[g]))
			json_object_set_new(rec, mt_guard_names[g],
					    json_real(guards[g]));
	return 0;
}

int mt_tune_arm_alloc(struct arm_run *r, size_t pairs)
{
	r->n_pairs = pairs;
	r->oa = calloc(pairs, sizeof(*r->oa));
	r->ob = calloc(pairs, sizeof(*r->ob));
	r->ga = calloc(pairs, sizeof(*r->ga));
	r->gb = calloc(pairs, sizeof(*r->gb));
	r->have_a = calloc(pairs, sizeof(*r->have_a));
	r->have_b = calloc(pairs, sizeof(*r->have_b));
	r->trials = json_array();
	r->better = json_object();
	return r->oa && r->ob && r->ga && r->gb && r->have_a && r->have_b &&
			       r->trials && r->better ?
		       0 :
		       -ENOMEM;
}

void mt_tune_arm_free(struct arm_run *r)
{
	for (size_t i = 0; i < r->n_pairs; i++) {
		json_decref(r->oa ? r->oa[i] : NULL);
		json_decref(r->ob ? r->ob[i] : NULL);
	}
	free(r->oa);
	free(r->ob);
	free(r->ga);
	free(r->gb);
	free(r->have_a);
	free(r->have_b);
	json_decref(r->trials);
	json_decref(r->better);
}

void mt_tune_fmt_duration(double s, char *buf, size_t len)
{
	if (s < 120)
		snprintf(buf, len, "%.0f s", s);
	else if (s < 7200)
		snprintf(buf, len, "%.0f min", s / 60);
	else
		snprintf(buf, len, "%.1f h", s / 3600);
}

/* Runs the schedule of one item. Returns 0 (trials may have stopped
 * early: r->stopped says why), -EINTR on a signal, or -errno. */
int mt_tune_run_item(struct tune *t, struct arm_run *r, size_t idx,
		     size_t n_items, struct mt_err *err)
{
	struct mt_trial_slot slots[MAX_SLOTS];
	size_t n = mt_abba_schedule(r->n_pairs, t->o->seed + idx, slots,
				    MAX_SLOTS);

	for (size_t s = 0; s < n; s++) {
		double g[MT_N_GUARDS];
		json_t *rec = json_object(), *obs = json_object();
		uint64_t now = mt_now_ns();
		size_t p = slots[s].pair;
		int rc;

		if (!rec || !obs) {
			json_decref(rec);
			json_decref(obs);
			return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
					  "tune: out of memory");
		}
		if (mt_signal_pending()) {
			json_decref(rec);
			json_decref(obs);
			return -EINTR;
		}
		if (t->deadline && now > t->deadline) {
			snprintf(r->stopped, sizeof(r->stopped),
				 "--max-time "
				 "reached after %zu of %zu trials",
				 s, n);
			json_decref(rec);
			json_decref(obs);
			break;
		}
		{
			double each = t->done ? (double)(now - t->t0) / 1e9 /
							(double)t->done :
						t->trial_s;
			char left[32];

			mt_tune_fmt_duration(each * (double)(t->total -
							     t->done),
					     left, sizeof(left));
			mt_progress("tune: item %zu/%zu %s, trial %zu/%zu "
				    "(%s), about %s left",
				    idx + 1, n_items, r->it->id, s + 1, n,
				    slots[s].b ? "B" : "A", left);
		}
		rc = mt_tune_trial(t, r, slots[s].b, s + 1, obs, g, rec, err);
		if (rc < 0) {
			json_decref(rec);
			json_decref(obs);
			return rc;
		}
		json_object_set_new(rec, "pair", json_integer((json_int_t)p));
		json_object_set_new(rec, "seconds",
				    json_real((double)(mt_now_ns() - now) /
					      1e9));
		json_array_append_new(r->trials, rec);
		t->done++;
		if (slots[s].b) {
			json_decref(r->ob[p]);
			r->ob[p] = obs;
			memcpy(r->gb[p], g, sizeof(g));
			r->have_b[p] = true;
		} else {
			json_decref(r->oa[p]);
			r->oa[p] = obs;
			memcpy(r->ga[p], g, sizeof(g));
			r->have_a[p] = true;
		}
	}
	return 0;
}
