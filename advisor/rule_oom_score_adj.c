/* oom_score_adj: which processes the OOM killer spares and takes first.
 *
 * PostgreSQL has its own documented answer, which the profile's `postgres`
 * glob got wrong by matching every backend: the postmaster gets -1000 from
 * its unit (OOMScoreAdjust=) and resets its children to 0 through
 * PG_OOM_ADJUST_FILE / PG_OOM_ADJUST_VALUE, so that the killer takes a
 * backend (which the postmaster replaces) and never the postmaster. That
 * is one item for the application, checked against every process of it.
 * Under systemd the drop-in also sets OOMPolicy=continue: the default,
 * stop, ends the whole unit when any of its processes is OOM-killed
 * (systemd.service(5)), which would undo the point of sparing the
 * postmaster.
 *
 * The profile's keep and sacrifice globs still work for other processes:
 * -900 (not -1000, which makes a process unkillable: if it is the one that
 * leaks, everything else dies first) and +500. Those two numbers are
 * practice, not a documented rule, and say so.
 *
 * The oom benchmark's fact oom.followed_score (did the kernel's victim
 * follow the computed badness) is cited where the run has it. Nothing is
 * applied automatically: processes are not knobs, the apply line is a
 * systemd drop-in. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../core/fsroot.h"
#include "advisor.h"

#define SOURCE \
	"https://docs.kernel.org/filesystems/proc.html " \
	"(/proc/<pid>/oom_score_adj, read 2026-12-03); systemd.exec(5) " \
	"OOMScoreAdjust= (https://www.freedesktop.org/software/systemd/man/" \
	"latest/systemd.exec.html, read 2026-12-03)"
#define PG_SOURCE \
	"https://www.postgresql.org/docs/current/" \
	"kernel-resources.html#LINUX-MEMORY-OVERCOMMIT (current docs, " \
	"doc/src/sgml/runtime.sgml \"Linux Memory Overcommit\", read " \
	"2026-12-03); " \
	"systemd.service(5) OOMPolicy= (https://www.freedesktop.org/" \
	"software/systemd/man/latest/systemd.service.html, read 2026-12-03)"

#define KEEP_ADJ -900
#define SACRIFICE_ADJ 500
#define MAX_PIDS 64

/* Cites the oom benchmark's fact when the run has it; returns true when
 * it says the kernel's victim did not always follow the badness. */
static bool cite_oom(const struct mt_advise_ctx *ctx, struct mt_item *it)
{
	struct mt_fact f;

	if (!mt_ev_fact(ctx, "oom.followed_score", &f)) {
		mt_item_evidence(it, "oom benchmark: %s",
				 mt_ev_bench_status(ctx, "oom", NULL, 0) ?:
					 "not in the run");
		return false;
	}
	mt_item_cite(it, &f);
	return f.value < 1;
}

/* Appends "v" or ",v" to buf. */
static void add_value(char *buf, size_t len, int v)
{
	size_t n = strlen(buf);

	if (n < len)
		snprintf(buf + n, len - n, "%s%d", n ? "," : "", v);
}

/* Appends v to a short list ("0,0,-1000"), ",..." once it is long. */
static void add_short(char *buf, size_t len, int v)
{
	if (strlen(buf) < 40)
		add_value(buf, len, v);
	else if (!strstr(buf, "...") && strlen(buf) + 5 < len)
		strcat(buf, ",...");
}

/* True if pid's parent is a postgres process: a backend or auxiliary
 * process, not a postmaster. */
static bool child_of_postgres(int pid)
{
	char status[4096], comm[64];
	int64_t ppid;

	if (mt_proc_read(pid, "status", status, sizeof(status)) <= 0 ||
	    mt_text_key(status, "PPid", &ppid) != 0 || ppid <= 0 ||
	    ppid > 0x3fffffff ||
	    mt_proc_read((int)ppid, "comm", comm, sizeof(comm)) <= 0)
		return false;
	comm[strcspn(comm, "\n")] = '\0';
	return strcmp(comm, "postgres") == 0;
}

/* The PostgreSQL item: postmaster -1000, its children 0. */
static int postgresql(const struct mt_advise_ctx *ctx, struct mt_advice *out)
{
	const struct mt_app *pg = mt_ev_app(ctx, MT_APP_POSTGRESQL);
	int pids[MAX_PIDS], pm_adj = 0, n_child = 0, n_child_ok = 0;
	char unit[160], kids[64] = "";
	struct mt_item *it;
	bool unfollowed;

	if (!pg)
		return 0;
	it = mt_advice_add(out, &mt_rule_oom_score_adj,
			   "oom_score_adj.postgresql");
	if (!it)
		return -ENOMEM;
	snprintf(it->knob, sizeof(it->knob), "oom_score_adj:postgresql");
	snprintf(it->recommended, sizeof(it->recommended),
		 "postmaster -1000, children 0");
	snprintf(unit, sizeof(unit), "%s",
		 pg->unit[0] ? pg->unit : "<the PostgreSQL unit>");
	if (pg->running) {
		size_t n = mt_proc_find("postgres", pids, MAX_PIDS);
		int n_pm = 0, n_pm_ok = 0;
		char pms[64] = "";

		/* Every postmaster (a host may run several clusters) and
		 * every child of one. */
		for (size_t i = 0; i < n && i < MAX_PIDS; i++) {
			int adj;

			if (!mt_proc_oom_score_adj(pids[i], &adj))
				continue;
			if (!child_of_postgres(pids[i])) {
				n_pm++;
				n_pm_ok += adj == -1000;
				add_short(pms, sizeof(pms), adj);
				if (pids[i] == pg->pid)
					pm_adj = adj;
				continue;
			}
			n_child++;
			n_child_ok += adj == 0;
			add_short(kids, sizeof(kids), adj);
		}
		snprintf(it->current, sizeof(it->current),
			 "postmaster%s %.48s, children %.48s",
			 n_pm > 1 ? "s" : "", n_pm ? pms : "?",
			 n_child ? kids : "none");
		it->change = n_pm_ok != n_pm || n_child_ok != n_child;
		if (n_pm > 1)
			mt_item_evidence(it,
					 "%d postmasters (clusters), %d "
					 "of them at -1000; %d of their %d "
					 "children at 0; the first, pid %d, "
					 "runs in %s",
					 n_pm, n_pm_ok, n_child_ok, n_child,
					 pg->pid,
					 pg->unit[0] ? pg->unit : "unknown");
		else
			mt_item_evidence(it,
					 "postmaster pid %d (unit %s): "
					 "oom_score_adj %d; %d of its %d "
					 "children at 0",
					 pg->pid,
					 pg->unit[0] ? pg->unit : "unknown",
					 pm_adj, n_child_ok, n_child);
		if (n_pm > 1)
			snprintf(unit, sizeof(unit),
				 "%.100s (and each other "
				 "cluster's unit)",
				 pg->unit[0] ? pg->unit :
					       "<the PostgreSQL unit>");
	} else {
		snprintf(it->current, sizeof(it->current), "not running");
		it->change = false;
		mt_item_evidence(it, "PostgreSQL named by the profile's "
				     "services, not running here");
	}
	mt_item_ground(it, MT_GROUND_DOCUMENTED, PG_SOURCE);
	unfollowed = cite_oom(ctx, it);
	mt_item_reason(it,
		       "PostgreSQL's documentation: set the "
		       "postmaster's oom_score_adj to -1000 so that the OOM "
		       "killer never takes it (a killed postmaster stops all "
		       "new connections until PostgreSQL is restarted), and "
		       "set PG_OOM_ADJUST_FILE=/proc/self/oom_score_adj and "
		       "PG_OOM_ADJUST_VALUE=0 so that every child resets "
		       "itself to 0 and stays a candidate: without them the "
		       "backends inherit -1000, and the killer, with no "
		       "database process left to take, takes everything "
		       "else. With systemd add OOMPolicy=continue: the "
		       "default (DefaultOOMPolicy=stop, systemd.service(5)) "
		       "stops the whole unit when the kernel kills any one "
		       "of its processes, a backend included, which undoes "
		       "what the -1000 is for; with continue the postmaster "
		       "handles the lost backend itself.");
	if (!pg->running)
		mt_item_reason(it, "PostgreSQL is not running here: nothing "
				   "to change now; put the drop-in in place "
				   "before it starts.");
	else if (!it->change)
		mt_item_reason(it, "The postmaster and its children already "
				   "have these values.");
	if (unfollowed)
		mt_item_reason(it, "Note: in the oom benchmark the kernel's "
				   "victim did not always follow the computed "
				   "badness on this machine; -1000 is still "
				   "exempt by definition.");
	snprintf(it->apply, sizeof(it->apply),
		 "systemctl edit %s, add: [Service] OOMScoreAdjust=-1000 "
		 "Environment=PG_OOM_ADJUST_FILE=/proc/self/oom_score_adj "
		 "Environment=PG_OOM_ADJUST_VALUE=0 OOMPolicy=continue; then "
		 "systemctl restart %s",
		 unit, unit);
	return 0;
}

/* True if pid belongs to an application that has its own item here: a
 * postgres process (a postmaster of any cluster or a child of one) when
 * PostgreSQL runs. */
static bool has_own_item(const struct mt_advise_ctx *ctx, int pid)
{
	const struct mt_app *pg = mt_ev_app(ctx, MT_APP_POSTGRESQL);
	char comm[64];

	if (!pg || !pg->running ||
	    mt_proc_read(pid, "comm", comm, sizeof(comm)) <= 0)
		return false;
	comm[strcspn(comm, "\n")] = '\0';
	return strcmp(comm, "postgres") == 0;
}

/* One item for the profile's glob `name` with adjustment adj; none when
 * every process it matches belongs to an application item. */
static int one(const struct mt_advise_ctx *ctx, struct mt_advice *out,
	       const char *name, int adj)
{
	int pids[MAX_PIDS], mine[MAX_PIDS];
	size_t n = ctx->live ? mt_proc_find(name, pids, MAX_PIDS) : 0, k = 0;
	char id[96], cur[128] = "", unit[128] = "", cg[256];
	size_t wrong = 0;
	struct mt_item *it;

	for (size_t i = 0; i < n && i < MAX_PIDS; i++)
		if (!has_own_item(ctx, pids[i]))
			mine[k++] = pids[i];
	if (n && !k)
		return 0;
	snprintf(id, sizeof(id), "oom_score_adj.%s", name);
	it = mt_advice_add(out, &mt_rule_oom_score_adj, id);
	if (!it)
		return -ENOMEM;
	snprintf(it->knob, sizeof(it->knob), "oom_score_adj:%s", name);
	for (size_t i = 0; i < k; i++) {
		int v;

		if (!mt_proc_oom_score_adj(mine[i], &v))
			continue;
		add_value(cur, sizeof(cur), v);
		wrong += v != adj;
		if (!unit[0])
			mt_proc_cgroup(mine[i], cg, sizeof(cg), unit,
				       sizeof(unit));
	}
	snprintf(it->current, sizeof(it->current), "%s",
		 k ? cur : "not running");
	snprintf(it->recommended, sizeof(it->recommended), "%d", adj);
	it->change = wrong > 0;
	mt_item_evidence(it,
			 "profile %s: %s %s; %zu running process%s "
			 "match%s, %zu not at %d",
			 ctx->profile->name, adj < 0 ? "keep" : "sacrifice",
			 name, k, k == 1 ? "" : "es", k == 1 ? "es" : "", wrong,
			 adj);
	mt_item_ground(it, MT_GROUND_PRACTICE, SOURCE);
	cite_oom(ctx, it);
	if (adj < 0)
		mt_item_reason(it,
			       "The profile says %s must survive memory "
			       "pressure. oom_score_adj %d takes 90%% of "
			       "memory off its badness (proc.rst: the value "
			       "is in thousandths of the memory the OOM is "
			       "about), so the killer takes any ordinary "
			       "process first. Not -1000: that makes it "
			       "unkillable, and if it is the one that leaks, "
			       "everything else dies and the machine can "
			       "still hang. The -900 itself is practice, not "
			       "a documented rule.",
			       name, adj);
	else
		mt_item_reason(it,
			       "The profile marks %s as expendable: "
			       "oom_score_adj %d adds half of memory to its "
			       "badness, so it is killed before the "
			       "processes that matter (the +500 is practice, "
			       "not a documented rule).",
			       name, adj);
	if (!k)
		mt_item_reason(it, "No such process runs here: nothing to "
				   "change now.");
	else if (!wrong)
		mt_item_reason(it, "Every matching process already has %d.",
			       adj);
	if (unit[0])
		snprintf(it->apply, sizeof(it->apply),
			 "systemctl edit %s, add: [Service] "
			 "OOMScoreAdjust=%d; running now: choom -p %d -n %d",
			 unit, adj, mine[0], adj);
	else
		snprintf(it->apply, sizeof(it->apply),
			 "systemd drop-in [Service] OOMScoreAdjust=%d in the "
			 "unit that starts %s; running: choom -p <pid> -n %d",
			 adj, name, adj);
	return 0;
}

static int oom_advise(const struct mt_advise_ctx *ctx, struct mt_advice *out,
		      struct mt_err *err)
{
	const struct mt_profile *p = ctx->profile;
	int rc;

	(void)err;
	rc = postgresql(ctx, out);
	for (size_t i = 0; rc == 0 && p && i < p->n_keep; i++)
		rc = one(ctx, out, p->keep[i], KEEP_ADJ);
	for (size_t i = 0; rc == 0 && p && i < p->n_sacrifice; i++)
		rc = one(ctx, out, p->sacrifice[i], SACRIFICE_ADJ);
	return rc;
}

const struct mt_rule mt_rule_oom_score_adj = {
	.name = "oom_score_adj",
	.knob = "oom_score_adj:<process>",
	.summary = "which processes the OOM killer spares and takes first",
	.source = SOURCE,
	.advise = oom_advise,
};
