/* The observation loop: resolve the targets, make the directory, sample
 * every interval until the end, and say what was observed in meta.json
 * (see observe.h). */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../core/clock.h"
#include "../core/log.h"
#include "../core/rundir.h"
#include "../core/signals.h"
#include "../core/sysinfo.h"
#include "../core/topo.h"
#include "live.h"
#include "observe.h"
#include "sample.h"
#include "target.h"

/* Progress lines (not a terminal) come about this often. */
#define PROGRESS_NS (10 * 1000000000ull)

struct obs {
	const struct mt_obs_opts *o;
	struct mt_obs_target *targets;
	size_t n_targets;
	struct mt_obs_system sys;
	struct mt_rundir *rd;
	json_t *meta;
	long samples;
	bool live;     /* the live view is on */
	bool progress; /* progress lines (not MEMTUNE_PROGRESS=0) */
	char stopped[64];
};

static double secs(uint64_t ns)
{
	return (double)ns / 1e9;
}

static json_t *argv_json(const struct mt_obs_opts *o)
{
	json_t *a = json_array();

	for (int i = 0; a && i < o->argc; i++)
		json_array_append_new(a, json_string(o->argv[i]));
	return a;
}

/* meta.json's "observe" object as it stands. */
static json_t *observe_json(struct obs *ob)
{
	json_t *obs, *targets, *files;

	obs = json_pack("{s:f, s:f, s:I}", "interval_s",
			secs(ob->o->interval_ns), "duration_s",
			secs(ob->o->duration_ns), "samples",
			(json_int_t)ob->samples);
	targets = json_array();
	files = json_object();
	if (!obs || !targets || !files) {
		json_decref(obs);
		json_decref(targets);
		json_decref(files);
		return NULL;
	}
	for (size_t i = 0; i < ob->n_targets; i++) {
		const struct mt_obs_target *t = &ob->targets[i];
		json_t *paths;

		json_array_append_new(targets, mt_obs_target_json(t));
		if (t->kind != MT_OBS_PID)
			continue;
		paths = json_array();
		for (size_t k = 0; paths && k < t->files.n; k++)
			json_array_append_new(paths,
					      json_string(t->files.paths[k]));
		json_object_set_new(files, t->id, paths);
	}
	json_object_set_new(obs, "targets", targets);
	json_object_set_new(obs, "files", files);
	if (ob->sys.psi_missing[0])
		json_object_set_new(obs, "psi_missing",
				    json_string(ob->sys.psi_missing));
	if (ob->stopped[0])
		json_object_set_new(obs, "stopped", json_string(ob->stopped));
	return obs;
}

/* Writes meta.json with the state ("running", "complete") and, when
 * done, the end time. */
static int write_meta(struct obs *ob, const char *state, struct mt_err *err)
{
	char now[40];

	mt_wallclock_iso(now, sizeof(now));
	json_object_set_new(ob->meta, "state", json_string(state));
	if (strcmp(state, "running") != 0)
		json_object_set_new(ob->meta, "end", json_string(now));
	json_object_set_new(ob->meta, "observe", observe_json(ob));
	return mt_rundir_write_meta(ob->rd, ob->meta, err);
}

/* The usual run meta (DESIGN §3) plus "kind" and the benchmark list. */
static int make_meta(struct obs *ob, json_t *system, struct mt_topo *topo,
		     struct mt_err *err)
{
	char now[40];
	json_t *m = json_object(), *b;

	if (!m)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "observe: out of memory");
	mt_wallclock_iso(now, sizeof(now));
	json_object_set_new(m, "schema_version",
			    json_integer(MT_META_SCHEMA_VERSION));
	json_object_set_new(m, "kind", json_string("observation"));
	json_object_set_new(m, "tool",
			    json_pack("{s:s,s:s}", "name", "memtune", "version",
				      MT_VERSION));
	json_object_set(m, "host", json_object_get(system, "host"));
	json_object_set(m, "kernel", json_object_get(system, "kernel"));
	json_object_set(m, "cpu_model", json_object_get(system, "cpu_model"));
	if (topo)
		json_object_set_new(m, "topology", mt_topo_summary(topo));
	json_object_set(m, "system", system);
	json_object_set_new(m, "argv", argv_json(ob->o));
	json_object_set_new(m, "start", json_string(now));
	/* As a run lists its benchmarks (analyzer/run.c reads the list). */
	b = json_pack("[{s:s, s:s, s:s}]", "bench", "observe", "section",
		      "observe", "status", "ok");
	json_object_set_new(m, "benchmarks", b);
	ob->meta = m;
	return 0;
}

/* Waits until the monotonic time `until`, a signal, or 'q' in the live
 * view. Returns false when the observation is to stop. */
static bool wait_until(struct obs *ob, uint64_t until)
{
	for (;;) {
		uint64_t now = mt_now_ns();
		struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
		struct timespec ts;

		if (mt_signal_pending()) {
			snprintf(ob->stopped, sizeof(ob->stopped), "signal %s",
				 sigabbrev_np(mt_signal_pending()));
			return false;
		}
		if (ob->live && mt_obs_live_quit()) {
			snprintf(ob->stopped, sizeof(ob->stopped), "q");
			return false;
		}
		if (now >= until)
			return true;
		ts.tv_sec = (time_t)((until - now) / 1000000000ull);
		ts.tv_nsec = (long)((until - now) % 1000000000ull);
		ppoll(ob->live ? &p : NULL, ob->live ? 1 : 0, &ts, NULL);
	}
}

/* One sample of the system and every live target into batch. Returns 0
 * or -errno with err set (the system's files cannot be read). */
static int sample(struct obs *ob, json_t *batch, double t, struct mt_err *err)
{
	struct mt_obs_emit em = { .batch = batch,
				  .target = "system",
				  .t = t,
				  .sample = ob->samples };
	int ret;

	ret = mt_obs_sample_system(&ob->sys, &em, err);
	if (ret < 0)
		return ret;
	for (size_t i = 0; i < ob->n_targets; i++) {
		struct mt_obs_target *tg = &ob->targets[i];
		size_t before = json_array_size(batch);

		if (tg->ended)
			continue;
		if (!mt_obs_target_sample(tg, &em)) {
			/* Gone part way: no half sample of it. */
			while (json_array_size(batch) > before)
				json_array_remove(batch, before);
			tg->ended = true;
			tg->ended_t = t;
			mt_warn("observe: %s ended at %.1f s", tg->id, t);
		}
	}
	if (em.nomem)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "observe: out of memory");
	return 0;
}

/* The sampling loop. Returns 0 or -errno with err set. */
static int loop(struct obs *ob, struct mt_err *err)
{
	const struct mt_obs_opts *o = ob->o;
	uint64_t t0 = mt_now_ns(), last_progress = t0, prev_ns = t0;
	json_t *prev = NULL;
	int ret = 0;

	for (long k = 0;; k++) {
		uint64_t now = mt_now_ns();
		double t = secs(now - t0);
		json_t *batch = json_array();

		if (!batch) {
			ret = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
					 "observe: out of memory");
			break;
		}
		ret = sample(ob, batch, t, err);
		if (ret == 0)
			ret = mt_rundir_append_many(ob->rd, batch, err);
		if (ret < 0) {
			json_decref(batch);
			break;
		}
		ob->samples++;
		if (ob->live)
			mt_obs_live_draw(batch, prev, secs(now - prev_ns), t,
					 secs(o->duration_ns), k, ob->targets,
					 ob->n_targets);
		else if (now - last_progress >= PROGRESS_NS && ob->progress) {
			mt_obs_progress_line(batch, prev, secs(now - prev_ns),
					     t, secs(o->duration_ns), k);
			last_progress = now;
		}
		json_decref(prev);
		prev = batch;
		prev_ns = now;
		if (now - t0 + o->interval_ns / 2 >= o->duration_ns)
			break;
		if (!wait_until(ob, t0 + (uint64_t)(k + 1) * o->interval_ns))
			break;
	}
	json_decref(prev);
	return ret;
}

/* Resolves every target of the command line. */
static int resolve(struct obs *ob, struct mt_err *err)
{
	const struct mt_obs_opts *o = ob->o;

	ob->targets = calloc(o->n_targets ? o->n_targets : 1,
			     sizeof(*ob->targets));
	if (!ob->targets)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "observe: out of memory");
	for (size_t i = 0; i < o->n_targets; i++) {
		int ret = mt_obs_target_resolve(o->targets[i].kind,
						o->targets[i].spec,
						&ob->targets[i], err);

		if (ret < 0)
			return ret;
		ob->n_targets++;
	}
	return 0;
}

int mt_observe(const struct mt_obs_opts *o, char *dir, size_t len,
	       struct mt_err *err)
{
	struct obs ob = { .o = o };
	struct mt_topo *topo = NULL;
	struct mt_err terr = { 0 };
	json_t *system = NULL;
	int ret, ret2;

	dir[0] = '\0';
	ret = resolve(&ob, err);
	if (ret < 0)
		goto out;
	if (mt_topo_load(&topo, &terr) < 0) {
		mt_warn("observe: %s (meta.json has no topology)", terr.msg);
		topo = NULL;
	}
	system = mt_sysinfo_collect(topo, err);
	if (!system) {
		ret = -EIO;
		goto out;
	}
	ret = mt_rundir_create(o->parent, o->outdir, &ob.rd, err);
	if (ret < 0)
		goto out;
	snprintf(dir, len, "%s", mt_rundir_path(ob.rd));
	ret = mt_signals_install();
	if (ret < 0) {
		mt_err_set(err, ret, MT_ERR_RUNTIME,
			   "observe: cannot install signal handlers: %s",
			   strerror(-ret));
		goto out;
	}
	if (topo && mt_topo_export_xml(topo, mt_rundir_dir(ob.rd),
				       "topology.xml", &terr) < 0)
		mt_warn("%s", terr.msg);
	ret = make_meta(&ob, system, topo, err);
	if (ret == 0)
		ret = write_meta(&ob, "running", err);
	if (ret == 0)
		ret = mt_rundir_snapshot(ob.rd, "observe", "before", err);
	if (ret < 0)
		goto out;
	ob.live = o->live;
	/* Progress lines go to stderr wherever it goes (issue 18), unless
	 * MEMTUNE_PROGRESS=0 turns them off as it does mt_progress's. */
	ob.progress = !getenv("MEMTUNE_PROGRESS") ||
		      strcmp(getenv("MEMTUNE_PROGRESS"), "0") != 0;
	if (ob.live && mt_obs_live_start() < 0) {
		mt_warn("observe: cannot put the terminal in raw mode; "
			"progress lines instead");
		ob.live = false;
	}
	ret = loop(&ob, err);
	mt_obs_live_stop();
	ret2 = mt_rundir_snapshot(ob.rd, "observe", "after",
				  ret < 0 ? &terr : err);
	if (ret == 0 && ret2 < 0)
		ret = ret2;
	if (ret < 0)
		json_object_set_new(
			json_array_get(json_object_get(ob.meta, "benchmarks"),
				       0),
			"status", json_string("failed"));
	ret2 = write_meta(&ob, ret < 0 ? "failed" : "complete",
			  ret < 0 ? &terr : err);
	if (ret == 0 && ret2 < 0)
		ret = ret2;
out:
	mt_obs_live_stop();
	json_decref(ob.meta);
	mt_rundir_close(ob.rd);
	json_decref(system);
	mt_topo_destroy(topo);
	for (size_t i = 0; i < ob.n_targets; i++)
		mt_obs_target_free(&ob.targets[i]);
	free(ob.targets);
	return ret;
}
