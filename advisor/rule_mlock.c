/* mlock for the profile's latency-critical processes, on the mlock
 * benchmark's facts (analyzer/an_mlock.c): lock only when the measurement
 * shows that locking removed major faults and lowered the hot set's p99,
 * and only for a process whose resident set fits in what is available now
 * (locked memory cannot be reclaimed: locking more moves the pressure onto
 * everything else, up to the OOM killer).
 *
 * Confidence follows the measurement: high when the p99 ratio's 95%
 * interval lies above 1, low when the run has no interval (a single
 * sample per case says little). The apply line is a systemd drop-in
 * LimitMEMLOCK= for the process's unit, or the memlock ulimit when it has
 * none; the program must still lock (mlockall or its own option).
 *
 * Oracle Database has a documented requirement of its own, checked
 * whatever the profile says: the oracle user's memlock limit at least 90%
 * of RAM when HugePages are in use, 3 GB otherwise (a hard rule: the
 * installer's verification fails below it). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/fsroot.h"
#include "advisor.h"

#define SOURCE \
	"mlock(2) and setrlimit(2) RLIMIT_MEMLOCK " \
	"(read 2026-12-03); systemd.exec(5) LimitMEMLOCK= " \
	"(https://www.freedesktop.org/software/systemd/man/latest/" \
	"systemd.exec.html, read 2026-12-03); " \
	"https://docs.kernel.org/mm/unevictable-lru.html (read 2026-12-03)"

/* The measured figures of the backing whose lock helped most. */
struct ml {
	bool have;
	char backing[8];
	struct mt_fact ratio, p99u, p99l, fu, fl;
	bool have_faults;
};

/* Reads the facts of the backing (file first: it runs on every machine)
 * with the larger p99 ratio. */
static void gather(const struct mt_advise_ctx *ctx, struct ml *m)
{
	static const char *const backings[] = { "file", "anon" };

	memset(m, 0, sizeof(*m));
	for (size_t b = 0; b < 2; b++) {
		struct mt_fact r;
		char id[64];

		snprintf(id, sizeof(id), "mlock.%s_p99_ratio", backings[b]);
		if (!mt_ev_fact(ctx, id, &r) ||
		    (m->have && r.value <= m->ratio.value))
			continue;
		m->have = true;
		m->ratio = r;
		snprintf(m->backing, sizeof(m->backing), "%s", backings[b]);
		snprintf(id, sizeof(id), "mlock.%s_p99_unlocked", backings[b]);
		mt_ev_fact(ctx, id, &m->p99u);
		snprintf(id, sizeof(id), "mlock.%s_p99_locked", backings[b]);
		mt_ev_fact(ctx, id, &m->p99l);
		snprintf(id, sizeof(id), "mlock.%s_major_faults_unlocked",
			 backings[b]);
		m->have_faults = mt_ev_fact(ctx, id, &m->fu);
		snprintf(id, sizeof(id), "mlock.%s_major_faults_locked",
			 backings[b]);
		m->have_faults = m->have_faults && mt_ev_fact(ctx, id, &m->fl);
	}
}

static int one(const struct mt_advise_ctx *ctx, struct mt_advice *out,
	       const char *name, const struct ml *m)
{
	char id[96], b1[32], b2[32], status[4096], cg[256], unit[128] = "";
	int pid = 0;
	int64_t rss = -1;
	struct mt_item *it;
	bool helps, interval, fits;

	snprintf(id, sizeof(id), "mlock.%s", name);
	it = mt_advice_add(out, &mt_rule_mlock, id);
	if (!it)
		return -ENOMEM;
	snprintf(it->knob, sizeof(it->knob), "mlock:%s", name);
	if (ctx->live && mt_proc_find(name, &pid, 1)) {
		if (mt_proc_read(pid, "status", status, sizeof(status)) <= 0 ||
		    mt_text_key(status, "VmRSS", &rss) != 0)
			rss = -1;
		mt_proc_cgroup(pid, cg, sizeof(cg), unit, sizeof(unit));
	}
	snprintf(it->current, sizeof(it->current), "%s",
		 pid ? "unlocked" : "not running");
	/* The lock may only take what is available now without reclaiming
	 * anyone else's memory. */
	fits = rss >= 0 && (uint64_t)rss < ctx->mem_available;
	if (rss >= 0)
		mt_item_evidence(it, "%s (pid %d) resident %s, available %s",
				 name, pid,
				 mt_ev_bytes((uint64_t)rss, b1, sizeof(b1)),
				 mt_ev_bytes(ctx->mem_available, b2,
					     sizeof(b2)));
	if (m->have) {
		mt_item_cite(it, &m->ratio);
		mt_item_cite(it, &m->p99u);
		mt_item_cite(it, &m->p99l);
		if (m->have_faults) {
			mt_item_cite(it, &m->fu);
			mt_item_cite(it, &m->fl);
		}
	} else {
		mt_item_evidence(it, "mlock benchmark: %s",
				 mt_ev_bench_status(ctx, "mlock", NULL, 0) ?:
					 "not in the run");
	}
	interval = m->have && isfinite(m->ratio.lo);
	helps = m->have && m->ratio.value > 1 && m->have_faults &&
		m->fu.value > m->fl.value;
	if (helps && fits) {
		uint64_t lim = ((uint64_t)rss * 5 / 4 + (1 << 20) - 1) >> 20;

		snprintf(it->recommended, sizeof(it->recommended), "mlockall");
		it->change = true;
		mt_item_ground(it,
			       interval && m->ratio.lo > 1 ?
				       MT_GROUND_MEASURED :
				       MT_GROUND_INCONCLUSIVE,
			       NULL);
		mt_item_reason(it,
			       "Under reclaim the %s-backed hot set's p99 "
			       "was %.4g times higher without a lock, and "
			       "locking removed its major faults (%.0f -> "
			       "%.0f). The resident set fits in available "
			       "memory.",
			       m->backing, m->ratio.value, m->fu.value,
			       m->fl.value);
		if (!interval)
			mt_item_reason(it, "The run has no interval for that "
					   "ratio (too few samples): run the "
					   "mlock benchmark with more "
					   "repetitions before relying on it.");
		if (unit[0])
			snprintf(it->apply, sizeof(it->apply),
				 "systemctl edit %s, add: [Service] "
				 "LimitMEMLOCK=%lluM (5/4 of the resident "
				 "set); the program must lock itself "
				 "(mlockall(MCL_CURRENT|MCL_FUTURE) or its own "
				 "option)",
				 unit, (unsigned long long)lim);
		else
			snprintf(it->apply, sizeof(it->apply),
				 "memlock limit %llu KiB for the user that "
				 "runs %s (/etc/security/limits.d/: "
				 "<user> - memlock %llu, or ulimit -l); the "
				 "program must lock itself",
				 (unsigned long long)lim << 10, name,
				 (unsigned long long)lim << 10);
		return 0;
	}
	it->change = false;
	if (helps && !pid) {
		snprintf(it->recommended, sizeof(it->recommended), "mlockall");
		mt_item_ground(it, MT_GROUND_INCONCLUSIVE, NULL);
		mt_item_reason(it,
			       "Locking removed the hot set's major "
			       "faults in the measurement, but %s is not "
			       "running here: nothing to change now; check "
			       "that its resident set fits in available "
			       "memory before locking it.",
			       name);
		return 0;
	}
	snprintf(it->recommended, sizeof(it->recommended), "no lock");
	if (helps) {
		mt_item_ground(it, MT_GROUND_MEASURED, NULL);
		mt_item_reason(it, "Locking would be harmful: the resident "
				   "set is larger than available memory, and "
				   "locked pages push reclaim onto everything "
				   "else.");
	} else if (m->have) {
		mt_item_ground(it,
			       interval && m->ratio.hi <= 1 ?
				       MT_GROUND_MEASURED :
				       MT_GROUND_INCONCLUSIVE,
			       NULL);
		mt_item_reason(it, "The measurement shows no p99 gain from "
				   "locking: leave it unlocked.");
	} else {
		mt_item_ground(it, MT_GROUND_PRACTICE, NULL);
		mt_item_reason(it,
			       "No measurement shows major faults hurting "
			       "p99: do not lock (run the mlock benchmark).");
	}
	if (!pid)
		mt_item_reason(it, "%s is not running here.", name);
	return 0;
}

#define ORACLE_SOURCE \
	"https://docs.oracle.com/en/database/oracle/" \
	"oracle-database/19/cwlin/configure-hugepages.html (Oracle Database " \
	"19c Installation Guide for Linux, \"Configuring HugePages on " \
	"Linux\"); PRVE-00068 (https://docs.oracle.com/en/error-help/db/" \
	"prve-00068)"

/* Parses one limit of "Max locked memory  SOFT  HARD  bytes" from
 * /proc/PID/limits: UINT64_MAX for unlimited; false if absent. */
static bool memlock_limits(int pid, uint64_t *soft, uint64_t *hard)
{
	char text[4096], s1[32], s2[32];
	const char *line;

	if (mt_proc_read(pid, "limits", text, sizeof(text)) <= 0 ||
	    !(line = strstr(text, "Max locked memory")) ||
	    sscanf(line + 17, "%31s %31s", s1, s2) != 2)
		return false;
	*soft = strcmp(s1, "unlimited") == 0 ? UINT64_MAX :
					       strtoull(s1, NULL, 10);
	*hard = strcmp(s2, "unlimited") == 0 ? UINT64_MAX :
					       strtoull(s2, NULL, 10);
	return true;
}

/* Oracle's documented memlock requirement: at least 90% of RAM when
 * HugePages are in use (vm.nr_hugepages > 0), at least 3 GB otherwise;
 * the cluster verification utility checks it (PRVE-00068). */
static int oracle(const struct mt_advise_ctx *ctx, struct mt_advice *out)
{
	const struct mt_app *ora = mt_ev_app(ctx, MT_APP_ORACLE);
	int64_t nr = 0;
	bool huge = mt_ev_sysctl(ctx, "nr_hugepages", &nr) && nr > 0;
	uint64_t need_kb = huge ? (ctx->mem_total / 1024 * 9 + 9) / 10 :
				  3145728,
		 soft = 0, hard = 0;
	char b[32];
	struct mt_item *it;

	if (!ora)
		return 0;
	it = mt_advice_add(out, &mt_rule_mlock, "mlock.oracle");
	if (!it)
		return -ENOMEM;
	snprintf(it->knob, sizeof(it->knob), "memlock:oracle");
	snprintf(it->recommended, sizeof(it->recommended), ">= %llu KiB",
		 (unsigned long long)need_kb);
	mt_item_ground(it, MT_GROUND_HARD_RULE, ORACLE_SOURCE);
	mt_item_evidence(it,
			 "vm.nr_hugepages %lld (HugePages %s); MemTotal "
			 "%s",
			 (long long)nr, huge ? "in use" : "not in use",
			 mt_ev_bytes(ctx->mem_total, b, sizeof(b)));
	if (!ora->running) {
		snprintf(it->current, sizeof(it->current), "not running");
		mt_item_reason(it, "Oracle Database is not running here: "
				   "nothing to check now.");
	} else if (!memlock_limits(ora->pid, &soft, &hard)) {
		snprintf(it->current, sizeof(it->current), "unknown");
		mt_item_reason(it,
			       "The memlock limit of pid %d could not be "
			       "read: check it with ulimit -l as the oracle "
			       "user.",
			       ora->pid);
	} else {
		if (soft == UINT64_MAX)
			snprintf(it->current, sizeof(it->current), "unlimited");
		else
			snprintf(it->current, sizeof(it->current), "%llu KiB",
				 (unsigned long long)(soft >> 10));
		it->change = soft < need_kb << 10 || hard < need_kb << 10;
		mt_item_evidence(it,
				 "ora_pmon pid %d: Max locked memory soft "
				 "%s, hard %s",
				 ora->pid,
				 soft == UINT64_MAX ? "unlimited" : "set",
				 hard == UINT64_MAX ? "unlimited" : "set");
	}
	mt_item_reason(it,
		       "Oracle's installation guide: with HugePages the "
		       "maximum locked memory of the oracle user must be at "
		       "least 90%% of RAM (at least 3 GB without them), or "
		       "the SGA cannot be locked in huge pages; the cluster "
		       "verification utility reports a lower limit "
		       "(PRVE-00068).");
	snprintf(it->apply, sizeof(it->apply),
		 "/etc/security/limits.d/99-oracle-memlock.conf: \"oracle "
		 "soft memlock %llu\" and \"oracle hard memlock %llu\"; "
		 "log in again as oracle and check ulimit -l",
		 (unsigned long long)need_kb, (unsigned long long)need_kb);
	return 0;
}

static int mlock_advise(const struct mt_advise_ctx *ctx, struct mt_advice *out,
			struct mt_err *err)
{
	const struct mt_profile *p = ctx->profile;
	struct ml m;
	int rc;

	(void)err;
	rc = oracle(ctx, out);
	if (rc < 0 || !p || p->n_latency_critical == 0)
		return rc;
	gather(ctx, &m);
	for (size_t i = 0; rc == 0 && i < p->n_latency_critical; i++)
		rc = one(ctx, out, p->latency_critical[i], &m);
	return rc;
}

const struct mt_rule mt_rule_mlock = {
	.name = "mlock",
	.knob = "mlock:<process>",
	.summary = "lock a latency-critical process's memory",
	.source = SOURCE,
	.advise = mlock_advise,
};
