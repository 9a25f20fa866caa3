/* systemd-oomd for the jobs the profile sacrifices: ManagedOOMMemoryPressure=
 * kill on the slice they run in, so that under sustained memory pressure a
 * userspace killer ends one of them before the kernel's OOM killer has to
 * choose (systemd-oomd.service(8)).
 *
 * What the documents fix, and this rule follows: systemd-oomd needs cgroup
 * v2 and PSI (Linux 4.20); it acts on the cgroups of units whose
 * ManagedOOMMemoryPressure= is kill, and only descendant cgroups are
 * candidates, never the unit that carries the setting, so the setting goes
 * on the jobs' slice (batch.slice), not on a job's own service; setting it
 * to kill also pulls systemd-oomd in (Wants=, After=) unless
 * DefaultDependencies=no. The pressure limit stays oomd.conf's default
 * (DefaultMemoryPressureLimit=60% over 30 s): memtune has no measurement
 * that would defend another. systemd-oomd(8) also recommends swap, without
 * which the machine livelocks before oomd can react; the item says when
 * there is none. A kept service (mt_app_kept) below a slice that
 * systemd-oomd acts on (ManagedOOMSwap= or ManagedOOMMemoryPressure=kill
 * on -.slice, system.slice...) gets ManagedOOMPreference=avoid, the
 * documented way to make it the last candidate. The current settings are
 * read from the units' files under
 * MEMTUNE_FSROOT (/etc, /run, /usr/lib, including systemctl
 * set-property's system.control drop-ins). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/fsroot.h"
#include "advisor.h"

#define SOURCE \
	"systemd-oomd.service(8), oomd.conf(5) and " \
	"systemd.resource-control(5) ManagedOOMMemoryPressure= " \
	"(https://www.freedesktop.org/software/systemd/man/latest/" \
	"systemd-oomd.service.html, read 2026-12-03); " \
	"https://docs.kernel.org/accounting/psi.html (read 2026-12-03)"

#define MAX_UNIT_FILE (256u << 10)

/* The last value of setting key ("ManagedOOMMemoryPressure=") in text
 * into val; true if set. */
static bool scan_setting(const char *text, const char *key, char *val,
			 size_t len)
{
	bool found = false;

	for (const char *p = strstr(text, key); p; p = strstr(p + 1, key)) {
		const char *v = p + strlen(key);
		size_t n = strcspn(v, " \t\r\n#");

		if (p != text && p[-1] != '\n')
			continue;
		if (n >= len)
			n = len - 1;
		memcpy(val, v, n);
		val[n] = '\0';
		found = true;
	}
	return found;
}

/* Reads one unit file or drop-in (resolved) into val when it sets the
 * key. */
static bool scan_file(const char *path, const char *key, char *val, size_t len)
{
	char *text = NULL;
	size_t n = 0;
	bool found = false;

	if (mt_ev_read_bounded(path, MAX_UNIT_FILE, &text, &n) == 0)
		found = scan_setting(text, key, val, len);
	free(text);
	return found;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The effective value of setting key ("ManagedOOMMemoryPressure=") of
 * unit `name` as its files say (later directories override earlier ones,
 * drop-ins in name order); def when none sets it. */
static void unit_setting(const char *name, const char *key, const char *def,
			 char *val, size_t len)
{
	static const char *const dirs[] = {
		"/usr/lib/systemd/system",     "/lib/systemd/system",
		"/etc/systemd/system",	       "/run/systemd/system",
		"/etc/systemd/system.control", "/run/systemd/system.control"
	};

	snprintf(val, len, "%s", def);
	for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		char path[512], real[4096];
		char *names[64];
		size_t nn = 0;
		struct dirent *e;
		DIR *dir;

		snprintf(path, sizeof(path), "%s/%s", dirs[d], name);
		scan_file(path, key, val, len);
		snprintf(path, sizeof(path), "%s/%s.d", dirs[d], name);
		if (mt_fs_path(path, real, sizeof(real)) < 0 ||
		    !(dir = opendir(real)))
			continue;
		while ((e = readdir(dir)) && nn < 64) {
			size_t l = strlen(e->d_name);

			if (l > 5 && strcmp(e->d_name + l - 5, ".conf") == 0 &&
			    e->d_name[0] != '.' &&
			    (names[nn] = strdup(e->d_name)))
				nn++;
		}
		closedir(dir);
		qsort(names, nn, sizeof(char *), cmp_str);
		for (size_t i = 0; i < nn; i++) {
			char f[800];

			snprintf(f, sizeof(f), "%s/%s", path, names[i]);
			scan_file(f, key, val, len);
			free(names[i]);
		}
	}
}

/* The slice of a sacrificed job's cgroup when it is one of its own
 * (batch.slice), into slice; false when the job sits in a shared slice
 * (system.slice, user.slice) or at the top. */
static bool own_slice(const char *cg, char *slice, size_t len)
{
	const char *last = strrchr(cg, '/');
	const char *prev;
	size_t n;

	if (!last || last == cg)
		return false;
	for (prev = last - 1; prev > cg && *prev != '/'; prev--)
		;
	n = (size_t)(last - prev - 1);
	if (n >= len || n <= 6 || strncmp(last - 6, ".slice", 6) != 0)
		return false;
	memcpy(slice, prev + 1, n);
	slice[n] = '\0';
	return strcmp(slice, "system.slice") != 0 &&
	       strcmp(slice, "user.slice") != 0 &&
	       strcmp(slice, "machine.slice") != 0;
}

/* The item "oomd.NAME" on ManagedOOMMemoryPressure= of the unit name in
 * *it, or NULL when out has it already. Returns 0 or -ENOMEM. */
static int unit_item(struct mt_advice *out, const char *name,
		     struct mt_item **it)
{
	char id[160];

	*it = NULL;
	snprintf(id, sizeof(id), "oomd.%s", name);
	if (mt_advice_find(out, id))
		return 0;
	*it = mt_advice_add(out, &mt_rule_oomd, id);
	if (!*it)
		return -ENOMEM;
	snprintf((*it)->knob, sizeof((*it)->knob),
		 "ManagedOOMMemoryPressure:%.90s", name);
	return 0;
}

static int one(const struct mt_advise_ctx *ctx, struct mt_advice *out,
	       const char *glob, bool running, bool installed, bool psi,
	       bool cgroup2)
{
	int pid;
	char cg[256], unit[128], slice[128], cur[32];
	struct mt_item *it;
	int rc;

	if (!mt_proc_find(glob, &pid, 1) ||
	    !mt_proc_cgroup(pid, cg, sizeof(cg), unit, sizeof(unit)) ||
	    !unit[0])
		return 0;
	if (!own_slice(cg, slice, sizeof(slice))) {
		if ((rc = unit_item(out, unit, &it)) < 0 || !it)
			return rc;
		snprintf(it->current, sizeof(it->current), "shared slice");
		snprintf(it->recommended, sizeof(it->recommended),
			 "own slice, then kill");
		mt_item_ground(it, MT_GROUND_DOCUMENTED, SOURCE);
		mt_item_evidence(it, "%s (pid %d) runs in %s", glob, pid, cg);
		mt_item_reason(it,
			       "The profile sacrifices %s, but %s sits in "
			       "a slice shared with other services: "
			       "systemd-oomd only kills descendants of the "
			       "unit that carries ManagedOOMMemoryPressure="
			       "kill, so it needs a slice of its own first "
			       "(Slice=batch.slice in the unit); memtune "
			       "does not move units.",
			       glob, unit);
		snprintf(it->apply, sizeof(it->apply),
			 "systemctl edit %s, add: [Service] Slice=batch.slice;"
			 " then systemctl set-property batch.slice "
			 "ManagedOOMMemoryPressure=kill",
			 unit);
		return 0;
	}
	if ((rc = unit_item(out, slice, &it)) < 0 || !it)
		return rc;
	unit_setting(slice, "ManagedOOMMemoryPressure=", "auto", cur,
		     sizeof(cur));
	snprintf(it->current, sizeof(it->current), "%s", cur);
	snprintf(it->recommended, sizeof(it->recommended), "kill");
	mt_item_ground(it, MT_GROUND_DOCUMENTED, SOURCE);
	mt_item_evidence(it,
			 "profile %s: sacrifice %s (pid %d, %s in %s); "
			 "systemd-oomd %s; PSI %s; cgroup v2 %s; swap %s",
			 ctx->profile->name, glob, pid, unit, slice,
			 running   ? "running" :
			 installed ? "installed, not "
				     "running" :
				     "not installed",
			 psi ? "yes" : "no", cgroup2 ? "yes" : "no",
			 ctx->swap_total ? "yes" : "none");
	it->change = strcmp(cur, "kill") != 0 && psi && cgroup2 &&
		     (running || installed);
	mt_item_reason(it,
		       "The profile sacrifices %s. With "
		       "ManagedOOMMemoryPressure=kill on %s, systemd-oomd "
		       "watches the slice's memory pressure (PSI) and, when "
		       "it stays above oomd.conf's limit (60%% for 30 s by "
		       "default), kills the job cgroup in it that reclaims "
		       "most, before the kernel's OOM killer picks a victim "
		       "among everything. The slice itself is never a "
		       "candidate, only the jobs under it.",
		       glob, slice);
	if (!psi || !cgroup2)
		mt_item_reason(it,
			       "It cannot work here: systemd-oomd needs "
			       "cgroup v2 and PSI (/proc/pressure, Linux 4.20 "
			       "with CONFIG_PSI, psi=1).");
	else if (!running && !installed)
		mt_item_reason(it,
			       "systemd-oomd is not installed: install it "
			       "(package systemd-oomd on Debian and Ubuntu) "
			       "first; nothing to change until then.");
	else if (!running)
		mt_item_reason(it, "systemd-oomd is installed but not running: "
				   "the setting pulls it in (Wants=).");
	if (!ctx->swap_total)
		mt_item_reason(it, "There is no swap: systemd-oomd(8) "
				   "recommends swap, without which the machine "
				   "can livelock before oomd reacts.");
	if (!strcmp(cur, "kill"))
		mt_item_reason(it, "%s already has it.", slice);
	snprintf(it->apply, sizeof(it->apply),
		 "systemctl set-property %s ManagedOOMMemoryPressure=kill",
		 slice);
	return 0;
}

/* True if slice's files set ManagedOOMSwap= or ManagedOOMMemoryPressure=
 * to kill; what gets which ("ManagedOOMSwap=kill"). */
static bool slice_kills(const char *slice, char *what, size_t alen)
{
	static const char *const keys[] = { "ManagedOOMSwap=",
					    "ManagedOOMMemoryPressure=" };
	char val[32];

	for (size_t k = 0; k < 2; k++) {
		unit_setting(slice, keys[k], "auto", val, sizeof(val));
		if (strcmp(val, "kill") == 0) {
			snprintf(what, alen, "%skill", keys[k]);
			return true;
		}
	}
	return false;
}

/* The first slice above cgroup cg (-.slice, then each .slice component
 * but the unit's own) that systemd-oomd acts on, into which and what;
 * false when none. */
static bool monitored_ancestor(const char *cg, char *which, size_t wlen,
			       char *what, size_t alen)
{
	char comp[128];
	const char *p = cg;

	if (slice_kills("-.slice", what, alen)) {
		snprintf(which, wlen, "-.slice");
		return true;
	}
	while (*p == '/') {
		size_t n = strcspn(p + 1, "/");
		const char *next = p + 1 + n;

		if (*next == '\0')
			break;
		if (n > 6 && n < sizeof(comp) &&
		    strncmp(p + 1 + n - 6, ".slice", 6) == 0) {
			memcpy(comp, p + 1, n);
			comp[n] = '\0';
			if (slice_kills(comp, what, alen)) {
				snprintf(which, wlen, "%s", comp);
				return true;
			}
		}
		p = next;
	}
	return false;
}

/* ManagedOOMPreference=avoid for a kept service whose ancestor slice
 * systemd-oomd acts on. */
static int preference(const struct mt_advise_ctx *ctx, struct mt_advice *out,
		      const struct mt_app *a, bool running)
{
	char which[128], what[64], cur[32], id[96];
	struct mt_item *it;

	if (!monitored_ancestor(a->cgroup, which, sizeof(which), what,
				sizeof(what)))
		return 0;
	snprintf(id, sizeof(id), "oomd.%s.preference", a->name);
	it = mt_advice_add(out, &mt_rule_oomd, id);
	if (!it)
		return -ENOMEM;
	snprintf(it->knob, sizeof(it->knob), "ManagedOOMPreference:%.100s",
		 a->unit);
	unit_setting(a->unit, "ManagedOOMPreference=", "none", cur,
		     sizeof(cur));
	snprintf(it->current, sizeof(it->current), "%s", cur);
	snprintf(it->recommended, sizeof(it->recommended), "avoid");
	it->change = running && strcmp(cur, "avoid") != 0 &&
		     strcmp(cur, "omit") != 0;
	mt_item_ground(it, MT_GROUND_DOCUMENTED, SOURCE);
	mt_item_evidence(it,
			 "%s sets %s; %s (pid %d) runs in %s below it; "
			 "systemd-oomd %s",
			 which, what, a->unit, a->pid, a->cgroup,
			 running ? "running" : "not running");
	mt_item_reason(it,
		       "The host is for %s, and %s has %s: systemd-oomd "
		       "may pick any cgroup below it, %s's included. "
		       "ManagedOOMPreference=avoid makes it pick this one "
		       "only when no other candidate is left (omit would "
		       "exempt it entirely; systemd.resource-control(5) asks "
		       "to use both sparingly). It takes effect for a cgroup "
		       "owned by root, as system services' are.",
		       a->name, which, what, a->unit);
	if (!running)
		mt_item_reason(it, "systemd-oomd is not running: nothing "
				   "acts on the slice now.");
	snprintf(it->apply, sizeof(it->apply),
		 "systemctl set-property %s ManagedOOMPreference=avoid",
		 a->unit);
	(void)ctx;
	return 0;
}

static int oomd_advise(const struct mt_advise_ctx *ctx, struct mt_advice *out,
		       struct mt_err *err)
{
	const struct mt_profile *p = ctx->profile;
	int pid, rc = 0;
	bool running, installed, psi, cgroup2;
	char ctl[256] = "";

	(void)err;
	if (!ctx->live || !p)
		return 0;
	running = mt_proc_find("systemd-oomd", &pid, 1) > 0;
	installed = mt_fs_exists("/usr/lib/systemd/systemd-oomd") ||
		    mt_fs_exists("/lib/systemd/systemd-oomd");
	psi = mt_fs_exists("/proc/pressure/memory");
	cgroup2 = mt_fs_read_line("/sys/fs/cgroup/cgroup.controllers", ctl,
				  sizeof(ctl), NULL) == 0 &&
		  strstr(ctl, "memory") != NULL;
	for (size_t i = 0; rc == 0 && i < p->n_sacrifice; i++)
		rc = one(ctx, out, p->sacrifice[i], running, installed, psi,
			 cgroup2);
	for (int k = 0; rc == 0 && k < MT_APP_N; k++) {
		const struct mt_app *a = mt_ev_app(ctx, (enum mt_app_kind)k);

		if (a && a->running && a->unit[0] && a->cgroup[0] &&
		    mt_app_kept(ctx, (enum mt_app_kind)k))
			rc = preference(ctx, out, a, running);
	}
	return rc;
}

const struct mt_rule mt_rule_oomd = {
	.name = "oomd",
	.knob = "ManagedOOMMemoryPressure:<slice>",
	.summary = "systemd-oomd kills sacrificed jobs under memory pressure",
	.source = SOURCE,
	.advise = oomd_advise,
};
