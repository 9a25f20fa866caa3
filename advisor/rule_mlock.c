/* mlock for latency-critical processes: only when the mlock benchmark
 * showed that major faults hurt p99 and locking removed them, and only for
 * a process whose resident set fits comfortably (a quarter of available
 * memory): locked memory cannot be reclaimed, and locking too much moves
 * the pressure onto everything else, up to the OOM killer. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../core/fsroot.h"
#include "advisor.h"

#define SOURCE "mlock(2), setrlimit(2) RLIMIT_MEMLOCK; systemd.exec(5) " \
	"LimitMEMLOCK=; Documentation/admin-guide/mm/unevictable-lru.rst"

struct mlock_facts {
	double p99_unlocked, p99_locked;	/* us, NAN if not measured */
	double faults_unlocked;
};

static void gather(const struct mt_advise_ctx *ctx, struct mlock_facts *f)
{
	json_t *r;

	f->p99_unlocked = f->p99_locked = f->faults_unlocked = NAN;
	if (mt_ev_select(ctx, "mlock", "latency_p99", "locked=false", &r, 1))
		f->p99_unlocked = mt_ev_num(r, "value");
	if (mt_ev_select(ctx, "mlock", "latency_p99", "locked=true", &r, 1))
		f->p99_locked = mt_ev_num(r, "value");
	if (mt_ev_select(ctx, "mlock", "major_faults", "locked=false", &r, 1))
		f->faults_unlocked = mt_ev_num(r, "value");
}

static int mlock_advise(const struct mt_advise_ctx *ctx,
			struct mt_advice *out, struct mt_err *err)
{
	const struct mt_profile *p = ctx->profile;
	struct mlock_facts f;
	bool helps;

	(void)err;
	if (!p || p->n_latency_critical == 0)
		return 0;
	gather(ctx, &f);
	helps = f.p99_unlocked > 1.2 * f.p99_locked && f.faults_unlocked > 0;
	for (size_t i = 0; i < p->n_latency_critical; i++) {
		const char *name = p->latency_critical[i];
		char id[96], path[64], b1[32], b2[32];
		int pid;
		int64_t rss = -1;
		struct mt_item *it;
		bool fits;

		snprintf(id, sizeof(id), "mlock.%s", name);
		it = mt_advice_add(out, &mt_rule_mlock, id);
		if (!it)
			return -ENOMEM;
		snprintf(it->knob, sizeof(it->knob), "mlock:%s", name);
		if (mt_ev_find_processes(ctx, name, &pid, 1)) {
			snprintf(path, sizeof(path), "/proc/%d/status", pid);
			if (mt_fs_read_key(path, "VmRSS", &rss, NULL) != 0)
				rss = -1;
		}
		snprintf(it->current, sizeof(it->current), "%s",
			 rss >= 0 ? "unlocked" : "not running");
		fits = rss >= 0 && (uint64_t)rss < ctx->mem_available / 4;
		if (rss >= 0)
			mt_item_evidence(it, "%s resident %s, available %s",
					 name, mt_ev_bytes((uint64_t)rss, b1,
							   sizeof(b1)),
					 mt_ev_bytes(ctx->mem_available, b2,
						     sizeof(b2)));
		if (!isnan(f.p99_unlocked) && !isnan(f.p99_locked)) {
			it->measured = true;
			mt_item_evidence(it, "mlock benchmark: p99 %.1f us "
					 "unlocked (%.0f major faults) vs "
					 "%.1f us locked", f.p99_unlocked,
					 f.faults_unlocked, f.p99_locked);
		} else {
			mt_item_evidence(it, "mlock benchmark: %s",
					 mt_ev_bench_status(ctx, "mlock",
							    NULL, 0) ?:
					 "not in the run");
		}
		if (helps && (fits || rss < 0)) {
			uint64_t lim = rss > 0 ? ((uint64_t)rss * 5 / 4 +
						  (1 << 20) - 1) >> 20 : 0;

			it->change = true;
			it->confidence = rss >= 0 ? MT_CONF_MEDIUM :
						    MT_CONF_LOW;
			snprintf(it->recommended, sizeof(it->recommended),
				 "mlockall");
			if (lim)
				snprintf(it->apply, sizeof(it->apply),
					 "systemd drop-in [Service] "
					 "LimitMEMLOCK=%lluM, and the "
					 "program calls mlockall(MCL_CURRENT"
					 "|MCL_FUTURE) (or its own lock "
					 "option)", (unsigned long long)lim);
			else
				snprintf(it->apply, sizeof(it->apply),
					 "systemd drop-in [Service] "
					 "LimitMEMLOCK= 5/4 of the resident "
					 "set; mlockall in the program");
			mt_item_reason(it, "Major faults raised p99 from %.1f "
				       "to %.1f us in the measurement, and "
				       "locking removed them. %s",
				       f.p99_locked, f.p99_unlocked,
				       rss >= 0 ? "The resident set fits in "
				       "a quarter of available memory." :
				       "The process is not running: check "
				       "its resident set fits in a quarter "
				       "of available memory first.");
		} else {
			snprintf(it->recommended, sizeof(it->recommended),
				 "no lock");
			it->confidence = it->measured ? MT_CONF_MEDIUM :
							MT_CONF_LOW;
			mt_item_reason(it, "%s", rss >= 0 && !fits ?
				       "Locking would be harmful: the "
				       "resident set is more than a quarter "
				       "of available memory, and locked "
				       "pages push reclaim onto everything "
				       "else." : it->measured ?
				       "The measurement shows no p99 gain "
				       "from locking: leave it unlocked." :
				       "No measurement shows major faults "
				       "hurting p99: do not lock (run the "
				       "mlock benchmark).");
		}
	}
	return 0;
}

const struct mt_rule mt_rule_mlock = {
	.name = "mlock",
	.knob = "mlock:<process>",
	.summary = "lock a latency-critical process's memory",
	.source = SOURCE,
	.advise = mlock_advise,
};
