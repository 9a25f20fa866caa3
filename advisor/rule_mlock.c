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

/* What the mlock benchmark measured for one backing (bench/mlock.c: case
 * fields backing = file|anon, lock = none|mlock|mlockall; metrics
 * access_latency_p99 in ns and major_faults, the hot set's own). */
struct mlock_facts {
	const char *backing;	/* the backing the figures come from */
	const char *lock;	/* the lock mode compared with "none" */
	double p99_unlocked, p99_locked;	/* us, NAN if not measured */
	double faults_unlocked, faults_locked;
};

/* The access p99 in us and the major faults of one case; false unless
 * both were measured. */
static bool mlock_case(const struct mt_advise_ctx *ctx, const char *backing,
		       const char *lock, double *p99_us, double *faults)
{
	char filter[64];
	json_t *r;

	snprintf(filter, sizeof(filter), "backing=%s,lock=%s", backing, lock);
	if (!mt_ev_select(ctx, "mlock", "access_latency_p99", filter, &r, 1))
		return false;
	*p99_us = mt_ev_num(r, "value") / 1000;
	if (!mt_ev_select(ctx, "mlock", "major_faults", filter, &r, 1))
		return false;
	*faults = mt_ev_num(r, "value");
	return !isnan(*p99_us) && !isnan(*faults);
}

/* Picks the backing and lock pair with the largest p99 gain from locking
 * (file first on a tie: it runs on every machine, anon needs swap). */
static void gather(const struct mt_advise_ctx *ctx, struct mlock_facts *f)
{
	static const char *const backings[] = { "file", "anon" };
	static const char *const locks[] = { "mlock", "mlockall" };
	double best = 0;

	f->backing = f->lock = NULL;
	f->p99_unlocked = f->p99_locked = NAN;
	f->faults_unlocked = f->faults_locked = NAN;
	for (size_t b = 0; b < 2; b++) {
		double p99_none, faults_none;

		if (!mlock_case(ctx, backings[b], "none", &p99_none,
				&faults_none))
			continue;
		for (size_t l = 0; l < 2; l++) {
			double p99, faults, gain;

			if (!mlock_case(ctx, backings[b], locks[l], &p99,
					&faults))
				continue;
			gain = p99 > 0 ? p99_none / p99 : 0;
			if (f->backing && gain <= best)
				continue;
			best = gain;
			f->backing = backings[b];
			f->lock = locks[l];
			f->p99_unlocked = p99_none;
			f->faults_unlocked = faults_none;
			f->p99_locked = p99;
			f->faults_locked = faults;
		}
	}
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
	/* Locking helps when it cut p99 by a sixth or more and the unlocked
	 * case really took major faults that the lock removed. */
	helps = f.backing && f.p99_unlocked > 1.2 * f.p99_locked &&
		f.faults_unlocked > 0 && f.faults_locked < f.faults_unlocked;
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
		if (f.backing) {
			it->measured = true;
			mt_item_evidence(it, "mlock benchmark (%s hot set): "
					 "access p99 %.1f us unlocked (%.0f "
					 "major faults) vs %.1f us with %s "
					 "(%.0f major faults)", f.backing,
					 f.p99_unlocked, f.faults_unlocked,
					 f.p99_locked, f.lock,
					 f.faults_locked);
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
