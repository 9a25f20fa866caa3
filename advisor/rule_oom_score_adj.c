/* oom_score_adj for the processes the profile names: the ones to keep get
 * a strongly negative adjustment (not -1000, which makes a process
 * unkillable: if it is the one leaking, the OOM killer then takes
 * everything else, and the machine may hang), the expendable ones a
 * positive one so they go first. Checked against the oom benchmark, which
 * measured whether the kernel's victim followed the documented score.
 * Emitted as a systemd drop-in and as a direct write for running
 * processes; memtune apply does not change processes. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../core/fsroot.h"
#include "advisor.h"

#define SOURCE "Documentation/filesystems/proc.rst (/proc/<pid>/" \
	"oom_score_adj: https://docs.kernel.org/filesystems/proc.html); " \
	"systemd.exec(5) OOMScoreAdjust="

#define KEEP_ADJ -900
#define SACRIFICE_ADJ 500

/* Adds one item for process glob `name` with adjustment adj. */
static int one(const struct mt_advise_ctx *ctx, struct mt_advice *out,
	       const char *name, int adj, double followed, size_t n_oom)
{
	char id[96], cur[128] = "";
	int pids[16];
	size_t n = mt_ev_find_processes(ctx, name, pids, 16), len = 0;
	struct mt_item *it;

	snprintf(id, sizeof(id), "oom_score_adj.%s", name);
	it = mt_advice_add(out, &mt_rule_oom_score_adj, id);
	if (!it)
		return -ENOMEM;
	snprintf(it->knob, sizeof(it->knob), "oom_score_adj:%s", name);
	for (size_t i = 0; i < n && i < 16; i++) {
		char path[64];
		int64_t v = 0;

		snprintf(path, sizeof(path), "/proc/%d/oom_score_adj",
			 pids[i]);
		if (mt_fs_read_i64(path, &v, NULL) != 0)
			continue;
		len += snprintf(cur + len, len < sizeof(cur) ?
				sizeof(cur) - len : 0, "%s%lld", len ? "," : "",
				(long long)v);
	}
	if (n == 0)
		snprintf(cur, sizeof(cur), "not running");
	snprintf(it->current, sizeof(it->current), "%s", cur);
	snprintf(it->recommended, sizeof(it->recommended), "%d", adj);
	it->change = true;
	it->confidence = MT_CONF_MEDIUM;
	mt_item_evidence(it, "profile %s: %s", ctx->profile->name,
			 adj < 0 ? "keep" : "sacrifice");
	if (n_oom) {
		it->measured = true;
		mt_item_evidence(it, "oom benchmark: the victim followed the "
				 "computed badness in %.0f%% of %zu "
				 "scenarios", followed * 100, n_oom);
		if (followed < 1)
			it->confidence = MT_CONF_LOW;
	} else {
		mt_item_evidence(it, "oom benchmark: %s",
				 mt_ev_bench_status(ctx, "oom", NULL, 0) ?:
				 "not in the run");
	}
	if (adj < 0)
		mt_item_reason(it, "The profile says %s must survive memory "
			       "pressure. oom_score_adj %d subtracts 90%% of "
			       "memory from its badness, so the killer takes "
			       "any ordinary process first. Not -1000: that "
			       "makes it unkillable, and if it is the one "
			       "that leaks, everything else dies and the "
			       "machine can still hang.", name, adj);
	else
		mt_item_reason(it, "The profile marks %s as expendable: "
			       "oom_score_adj %d adds half of memory to its "
			       "badness, so it is killed before the "
			       "processes that matter.", name, adj);
	snprintf(it->apply, sizeof(it->apply),
		 "systemd drop-in [Service] OOMScoreAdjust=%d in "
		 "/etc/systemd/system/<%s unit>.service.d/memtune.conf; "
		 "running: echo %d > /proc/<pid of %s>/oom_score_adj", adj,
		 name, adj, name);
	return 0;
}

static int oom_advise(const struct mt_advise_ctx *ctx, struct mt_advice *out,
		      struct mt_err *err)
{
	const struct mt_profile *p = ctx->profile;
	json_t *recs[64];
	size_t n_oom;
	double followed = 0;
	int rc = 0;

	(void)err;
	if (!p)
		return 0;
	n_oom = mt_ev_select(ctx, "oom", "followed_score", NULL, recs, 64);
	for (size_t i = 0; i < n_oom && i < 64; i++)
		followed += mt_ev_num(recs[i], "value") > 0.5;
	if (n_oom)
		followed /= (double)(n_oom < 64 ? n_oom : 64);
	for (size_t i = 0; rc == 0 && i < p->n_keep; i++)
		rc = one(ctx, out, p->keep[i], KEEP_ADJ, followed, n_oom);
	for (size_t i = 0; rc == 0 && i < p->n_sacrifice; i++)
		rc = one(ctx, out, p->sacrifice[i], SACRIFICE_ADJ, followed,
			 n_oom);
	return rc;
}

const struct mt_rule mt_rule_oom_score_adj = {
	.name = "oom_score_adj",
	.knob = "oom_score_adj:<process>",
	.summary = "which processes the OOM killer spares and takes first",
	.source = SOURCE,
	.advise = oom_advise,
};
