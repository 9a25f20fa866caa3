/* The advisor (DESIGN §1-§3): evidence-backed recommendations for the
 * kernel and process settings that matter to memory, the sysctl.d file that
 * persists them, and applying and rolling them back through the journal.
 *
 * The shape is Redis's syscheck and latency doctor: a table of rules
 * (advisor/rules.def, one file per rule), each of which first gathers its
 * evidence (the run's records, the system snapshot, the profile) into a
 * small struct of facts, then writes one item per finding: what it changes,
 * why, what it rests on and where the rule comes from.
 *
 * A missing benchmark never fails a rule: the rule falls back to the system
 * state, says so in the evidence and lowers its confidence.
 */
#ifndef MT_ADVISOR_H
#define MT_ADVISOR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../analyzer/facts.h"
#include "../core/err.h"
#include "../core/journal.h"

#define MT_ADVICE_SCHEMA_VERSION 1
#define MT_SYSCTL_D_NAME "99-memtune.conf"

enum mt_confidence { MT_CONF_LOW, MT_CONF_MEDIUM, MT_CONF_HIGH };

/* What an item's confidence follows from (issue 13): the evidence, not the
 * rule, decides. mt_item_ground sets both. */
enum mt_ground {
	MT_GROUND_NONE,		/* not stated: a rule must state it */
	MT_GROUND_MEASURED,	/* a measurement here whose 95% interval
				 * excludes the alternative: high */
	MT_GROUND_HARD_RULE,	/* a documented hard rule applies (the
				 * kernel's limit, a vendor requirement): high */
	MT_GROUND_DOCUMENTED,	/* a documented rule, no measurement here:
				 * medium */
	MT_GROUND_INCONCLUSIVE, /* measured here, but the interval does not
				 * exclude the alternative; or what decides
				 * is not known here: low */
	MT_GROUND_PRACTICE,	/* practice without a primary source: low */
};

/* What the operator cares about (configs/profiles/NAME.ini, [profile]). */
struct mt_profile {
	char name[64];
	char description[256];
	char goal[16];	     /* latency | throughput | balanced | interactive */
	char page_cache[16]; /* keep | normal | expendable */
	char **keep;	     /* process names or globs to spare from OOM */
	size_t n_keep;
	char **sacrifice; /* processes the OOM killer should take first */
	size_t n_sacrifice;
	char **latency_critical; /* mlock candidates */
	size_t n_latency_critical;
	char hugetlb_user[64];	/* process that maps hugetlb pages, or "" */
	uint64_t hugetlb_bytes; /* bytes it needs from the pool, 0 = none */
	uint64_t hugetlb_page_bytes; /* page size of that pool */
	char **services;	     /* applications it is for: "postgresql",
				 * "mongodb:8.0" (name[:version]) */
	size_t n_services;
};

/* One recommendation. Text fields are NUL-terminated; evidence is a JSON
 * array of strings, owned by the item. */
struct mt_item {
	char id[64];	/* stable: "swappiness", "oom_score_adj.postgres" */
	char knob[128]; /* "vm.swappiness", "oom_score_adj:postgres" */
	char current[128];
	char recommended[128];
	bool change;
	bool measured; /* rests on a measurement of the run, not only
				 * on the system state */
	enum mt_confidence confidence;
	json_t *evidence;
	char reason[2048];  /* one paragraph */
	const char *source; /* documentation the rule follows */
	char apply[512];    /* the exact command, drop-in or file line */
	char rule[32];	    /* the rule that made it (the --force name) */
	/* What `memtune apply` writes at run time; path "" means the item is
	 * not applied automatically (process settings, environment). */
	char path[256]; /* "/proc/sys/vm/swappiness" */
	char value[96];
	char sysctl[64];       /* "vm.swappiness" when it has a sysctl.d line */
	char force[256];       /* non-empty: why apply needs --force RULE */
	enum mt_ground ground; /* what the confidence follows from */
	json_t *facts;	       /* ids of the analysis facts it cites, or
				 * NULL (owned) */
	char verdict[16];      /* memtune tune's verdict ("improves", ...),
				 * "" when not tried */
};

struct mt_advice {
	char profile[64];
	bool basis_run; /* true: rests on a run directory */
	char run_dir[1024];
	char system_source[256]; /* where the system facts came from */
	struct mt_item *items;
	size_t n, cap;
};

/* The applications the advice is for (issue 13: rules by application).
 * advisor/apps.c finds them running (live, or in a captured tree's /proc)
 * or takes them from the profile's `services` key; vendor rules look them
 * up with mt_ev_app. */
enum mt_app_kind {
	MT_APP_POSTGRESQL,
	MT_APP_MYSQL, /* MySQL and MariaDB */
	MT_APP_REDIS, /* and Valkey */
	MT_APP_MONGODB,
	MT_APP_ELASTICSEARCH, /* and OpenSearch; a JVM */
	MT_APP_ORACLE,
	MT_APP_KUBELET, /* a Kubernetes node */
	MT_APP_N
};

struct mt_app {
	bool present;		 /* running, or named by the profile */
	bool running;		 /* found in /proc */
	int pid;		 /* the main process (postmaster, mongod), 0 */
	char name[32];		 /* "postgresql" */
	char version[32];	 /* "15.4", "" when not known */
	char version_source[96]; /* where the version came from */
	char unit[128];		 /* its systemd unit ("postgresql@15-main.
				 * service"), "" when none */
	char cgroup[256];	 /* its cgroup v2 path, "" when not known */
};

/* --- applications (advisor/apps.c) ---------------------------------------- */

struct mt_advise_ctx;

/* "postgresql", "mysql", "redis", "mongodb", "elasticsearch", "oracle",
 * "kubelet"; NULL out of range. */
const char *mt_app_kind_name(enum mt_app_kind k);

/* The kind a service name means ("postgresql", "postgres", "mariadb",
 * "valkey", "opensearch", "kubernetes"...), or MT_APP_N when none. */
enum mt_app_kind mt_app_kind_from_name(const char *name);

/* Checks one word of the profile's services key, "name" or
 * "name:version" (version digits and dots, at most 31 characters); true
 * if valid, else false with why. */
bool mt_app_service_valid(const char *word, char *why, size_t len);

/* Fills ctx->apps: running applications found through the /proc listing
 * under MEMTUNE_FSROOT (only when ctx->live), their version from the
 * Debian package database (/var/lib/dpkg/status) or the profile, their
 * unit and cgroup from /proc/PID/cgroup; then the applications the
 * profile's services key names, present but not running. Everything read
 * is untrusted text: lengths are bounded, a unit or cgroup that is not a
 * sane name is ignored. Returns 0 or -ENOMEM. */
int mt_apps_detect(struct mt_advise_ctx *ctx);

/* True if the profile keeps application k: the profile's services key
 * names it, or its running main process's comm matches a keep glob. */
bool mt_app_kept(const struct mt_advise_ctx *ctx, enum mt_app_kind k);

/* Reads /proc/PID/FILE of the machine memtune advises on: under
 * MEMTUNE_FSROOT, a captured tree's own /proc (not this machine's live
 * process, which is what core/fsroot's reader gives for /proc/PID).
 * Stores at most len - 1 bytes, NUL-terminated, NUL bytes (cmdline) turned
 * into spaces. Returns the length or -errno. */
int mt_proc_read(int pid, const char *file, char *buf, size_t len);

/* Reads the file at path (resolved under MEMTUNE_FSROOT) into a malloc'ed
 * NUL-terminated buffer (*out, its length in *len if not NULL); a file
 * longer than max bytes is refused with -EFBIG, so that a planted huge
 * file costs nothing. Returns 0 or -errno. */
int mt_ev_read_bounded(const char *path, size_t max, char **out, size_t *len);

/* Processes whose comm matches glob through the same /proc listing:
 * stores up to max pids in ascending order; returns how many matched. */
size_t mt_proc_find(const char *glob, int *pids, size_t max);

/* /proc/PID/oom_score_adj; false when unreadable. */
bool mt_proc_oom_score_adj(int pid, int *adj);

/* The cgroup v2 path ("/system.slice/x.service") and the systemd unit
 * (its last .service or .scope component, "" when none) of pid, from
 * /proc/PID/cgroup; false when there is no sane v2 line. */
bool mt_proc_cgroup(int pid, char *cgroup, size_t clen, char *unit,
		    size_t ulen);

/* Reads the memory controller file FILE (memory.current, memory.peak,
 * memory.low...) of cgroup path cg through MEMTUNE_FSROOT: *max set when
 * it says "max". Returns 0 or -errno (-EINVAL for an unsafe path or a
 * value that is not a number). */
int mt_cgroup_read(const char *cg, const char *file, uint64_t *out, bool *max);

/* Facts every rule needs, gathered once (the latency doctor's flags). */
enum mt_swap_kind { MT_SWAP_NONE, MT_SWAP_DISK, MT_SWAP_FILE, MT_SWAP_ZRAM };

struct mt_advise_ctx {
	const struct mt_profile *profile;
	json_t *sys;	     /* sysinfo snapshot (mt_sysinfo_collect shape) */
	json_t *meta;	     /* the run's meta.json, NULL without a run */
	json_t *analysis;    /* the run's analysis.json (facts.h), NULL
				 * without a run */
	bool analysis_stale; /* analysis made now: analysis.json was
				 * missing, older than the records or from
				 * another build (the command writes it) */
	const char *run_dir; /* NULL without a run */
	bool live;	     /* sys describes the machine (or fsroot tree)
				 * we read through core/fsroot.h */
	char system_source[256];
	int kernel_major, kernel_minor;
	uint64_t mem_total;	/* bytes */
	uint64_t mem_available; /* bytes */
	uint64_t swap_total;	/* bytes */
	enum mt_swap_kind swap_kind;
	char thp_enabled[16]; /* "" when the kernel has no THP */
	char thp_defrag[32];
	int numa_nodes;
	struct mt_app apps[MT_APP_N]; /* indexed by kind */
	json_t *signals; /* the live reclaim signals (advisor/signals.c,
				 * mt_signals_gather), NULL when not gathered */
};

/* A rule: one file advisor/rule_NAME.c defines mt_rule_NAME. */
/* How memtune tune tries a rule's item on the benchmarks its evidence
 * rests on: the benchmark section `bench` at the quick configuration with
 * `set` (its own KEY=VALUE settings, NULL-terminated: the values that let
 * the knob under trial act, e.g. swappiness=current), judged on `metrics`
 * (NULL-terminated names of its records' metrics). */
struct mt_rule_trial {
	const char *bench;
	const char *const *set;
	const char *const *metrics;
};

struct mt_rule {
	const char *name; /* stable id prefix, also the --force name */
	const char *knob; /* what it tunes, for listings */
	const char *summary;
	const char *source; /* the documentation it follows */
	/* Appends zero or more items to out. Returns 0 or -errno. */
	int (*advise)(const struct mt_advise_ctx *ctx, struct mt_advice *out,
		      struct mt_err *err);
	const struct mt_rule_trial *trial; /* or NULL: a workload only */
	const char *no_trial; /* with trial NULL, why no benchmark can try
			       * the item (NULL: none was written yet) */
};

/* The rule named `name`, or NULL. */
const struct mt_rule *mt_rule_find(const char *name);

#define MT_RULE(n) extern const struct mt_rule mt_rule_##n;
#include "rules.def"
#undef MT_RULE

/* The rule table, in rules.def order, and its length. */
extern const struct mt_rule *const mt_rules[];
extern const size_t mt_n_rules;

/* --- profiles ------------------------------------------------------------ */

/* Loads a profile: `name` is a shipped profile (configs_dir/profiles/
 * NAME.ini) or a path to an .ini file. Errors are MT_ERR_INPUT and name the
 * file, line and key (unknown profile: the list of shipped ones). */
int mt_profile_load(const char *name, const char *configs_dir,
		    struct mt_profile *p, struct mt_err *err);

/* Fills p from INI text (tests). */
int mt_profile_load_string(const char *name, const char *text,
			   struct mt_profile *p, struct mt_err *err);

void mt_profile_free(struct mt_profile *p);

/* --- context --------------------------------------------------------------- */

/* Gathers the facts: the run directory's meta.json and results.jsonl when
 * run_dir is not NULL, the system snapshot (live through MEMTUNE_FSROOT, or
 * the run's meta.json snapshot when the run was made on another host).
 * Returns 0 or -errno (MT_ERR_INPUT for an unreadable run directory). */
int mt_advise_ctx_init(struct mt_advise_ctx *ctx, const char *run_dir,
		       const struct mt_profile *profile, struct mt_err *err);

/* Builds a context from a snapshot and records already in memory (tests,
 * synthetic evidence). sys and records are borrowed (a reference is
 * taken); records may be NULL. */
int mt_advise_ctx_from(struct mt_advise_ctx *ctx, json_t *sys, json_t *records,
		       const struct mt_profile *profile, bool live);

void mt_advise_ctx_free(struct mt_advise_ctx *ctx);

/* --- advice --------------------------------------------------------------- */

/* Runs every rule. out must be zeroed; free with mt_advice_free. */
int mt_advise(const struct mt_advise_ctx *ctx, struct mt_advice *out,
	      struct mt_err *err);
void mt_advice_free(struct mt_advice *a);

/* Appends an item for rule r with the given id; returns it zeroed except
 * for id, rule, source, confidence (low) and an empty evidence array, or
 * NULL on ENOMEM. */
struct mt_item *mt_advice_add(struct mt_advice *a, const struct mt_rule *r,
			      const char *id);

/* The item with that id, or NULL. */
struct mt_item *mt_advice_find(const struct mt_advice *a, const char *id);

void mt_item_evidence(struct mt_item *it, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends to the reason paragraph. */
void mt_item_reason(struct mt_item *it, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Sets the runtime target of a /proc/sys/vm sysctl item: knob "vm.NAME",
 * path, value, sysctl line and the apply command. */
void mt_item_sysctl(struct mt_item *it, const char *name, const char *value);

/* The same for any knob of core/knobs.c ("kernel.numa_balancing",
 * "zswap.enabled", "transparent_hugepage.shmem_enabled"): knob, value and
 * recommended, and from the table path, sysctl key ("" when it has none)
 * and the apply line (sysctl -w, or echo VALUE > PATH). A knob the table
 * does not know gets no path: it is not applied automatically. */
void mt_item_knob(struct mt_item *it, const char *knob, const char *value);

/* mt_item_knob with current set, and change true exactly when current and
 * recommended differ (an item that says "keep" is no change). */
void mt_item_knob_to(struct mt_item *it, const char *knob, const char *current,
		     const char *recommended);

/* Appends item id of rule r on knob, a row of core/knobs.c looked up into
 * *k, whose value in force is current: mt_advice_add, then
 * mt_item_knob_to recommending rec, or the table's default (k->dflt) when
 * rec is NULL. Returns the item, or NULL on ENOMEM. */
struct mt_knob;
struct mt_item *mt_advice_add_knob(struct mt_advice *a, const struct mt_rule *r,
				   const char *id, const char *knob,
				   const char *current, const char *rec,
				   struct mt_knob *k);

/* mt_advice_add_knob for an integer knob whose value in force is cur,
 * kept, or back to the table's default when to_default: with the evidence
 * "SYSCTL-or-PATH = cur (kernel default D)" and the knob table's source as
 * its documented ground. NULL on ENOMEM. */
struct mt_item *mt_advice_add_int_knob(struct mt_advice *a,
				       const struct mt_rule *r, const char *id,
				       const char *knob, int64_t cur,
				       bool to_default, struct mt_knob *k);

const char *mt_confidence_name(enum mt_confidence c);

/* Sets what the item's confidence follows from, and the confidence that
 * follows (see enum mt_ground); source (may be NULL: keep the rule's) is
 * the documentation that grounds it: a URL with its version or date.
 * MT_GROUND_PRACTICE also says "practice without a primary source" in the
 * evidence. */
void mt_item_ground(struct mt_item *it, enum mt_ground g, const char *source);

/* "measured", "hard_rule", "documented", "inconclusive", "practice",
 * "unstated". */
const char *mt_ground_name(enum mt_ground g);

/* Cites an analysis fact: an evidence line "fact ID: VALUE [LO, HI] UNIT
 * (n=N): WHAT", printed by mt_fact_format as the report prints it, and the
 * id in the item's "facts" list; marks the item measured. */
void mt_item_cite(struct mt_item *it, const struct mt_fact *f);

/* advice.json (DESIGN §3); a new object. */
json_t *mt_advice_json(const struct mt_advice *a);

/* Parses advice.json back (for apply). Errors name path and what is wrong
 * (MT_ERR_INPUT). */
int mt_advice_from_json(json_t *root, const char *path, struct mt_advice *a,
			struct mt_err *err);

/* The table: knob, current, recommended, confidence, evidence; one line
 * each. Then one paragraph per finding. */
void mt_advice_print(FILE *out, const struct mt_advice *a);

/* The sysctl.d file: one "key = value" line per changed sysctl item, each
 * with a comment saying why; low-confidence items are there only as a
 * commented-out line with the reason they were left out. A malloc'ed
 * string. */
char *mt_advice_sysctl_conf(const struct mt_advice *a);

/* The same for the items with sel[i] set (what `apply --persist` applied):
 * each written as applied, also a low-confidence one named with --only. */
char *mt_advice_sysctl_conf_sel(const struct mt_advice *a, const bool *sel);

/* Writes DIR/advice.json and DIR/99-memtune.conf, each replaced
 * atomically through core/safefile (a planted link, someone else's file or
 * a directory others can write is refused, naming it). Returns 0 or
 * -errno with err set (MT_ERR_RUNTIME). */
int mt_advice_write(const char *dir, const struct mt_advice *a,
		    struct mt_err *err);

/* --- helpers for rules (advisor/evidence.c) ------------------------------- */

/* Fact id of the run's analysis (facts.h); false without a run or when the
 * analysis has no such fact. The advisor reads measurements only this way:
 * a figure is derived once, by the analyzer. */
bool mt_ev_fact(const struct mt_advise_ctx *ctx, const char *id,
		struct mt_fact *f);

/* The facts whose id starts with prefix, in analysis order: stores up to
 * max in out and returns how many matched in all. */
size_t mt_ev_facts(const struct mt_advise_ctx *ctx, const char *prefix,
		   struct mt_fact *out, size_t max);

/* True if the intervals of a and b are both known and do not overlap. */
bool mt_fact_apart(const struct mt_fact *a, const struct mt_fact *b);
/* --- the live reclaim signals (advisor/signals.c) ------------------------ *
 *
 * ctx->signals says how the machine is doing, in rates:
 *   {"basis": "window" | "since_boot" | "run" | "observation" | "none",
 *    "from": one sentence: where the figures come from,
 *    "workload": true when they describe the machine's own workload (false
 *                for a run's snapshots, which include memtune's own pressure
 *                benchmarks),
 *    "window_s": the seconds the rates are over (the uptime since boot),
 *    "values": {NAME: number},
 *    "cgroups": [mt_cgroup_memory_json of each app's cgroup, with "rates"
 *                (mt_cgroup_rates) in a live window]}
 * Names in "values", read with mt_ev_signal:
 *   COUNTER_per_s   for each counter of core/vmstat.h present at both ends:
 *                   allocstall_per_s (direct-reclaim entries, all zones),
 *                   pgscan_direct_per_s, pgscan_kswapd_per_s,
 *                   pgsteal_direct_per_s, pgsteal_kswapd_per_s,
 *                   kswapd_low_wmark_hit_quickly_per_s,
 *                   kswapd_high_wmark_hit_quickly_per_s, pswpin_per_s,
 *                   pswpout_per_s, pgmajfault_per_s, oom_kill_per_s,
 *                   compact_stall_per_s, compact_fail_per_s,
 *                   compact_success_per_s, thp_fault_alloc_per_s,
 *                   thp_fault_fallback_per_s, thp_collapse_alloc_per_s,
 *                   workingset_refault_per_s (anon + file), pgpgin_per_s,
 *                   pgpgout_per_s, zone_reclaim_failed_per_s, numa_hit_per_s,
 *                   numa_miss_per_s ...
 *   psi_RES_KIND_avgN  RES memory, cpu or io; KIND some or full; N 10, 60
 *                   or 300: the kernel's averages (percent) at the end of
 *                   the window, e.g. psi_memory_some_avg10,
 *                   psi_memory_full_avg60
 *   psi_RES_KIND_pct   percent of the window stalled, from the totals
 *   window_s        the window's length in seconds
 */

/* Rates over a window from two snapshots of the sysinfo shape (each with
 * "vmstat" and "psi"): a new "values" object (see above); counters that
 * went backwards (another boot) are left out. NULL on ENOMEM or when
 * window_s is not positive. */
json_t *mt_signals_rates(json_t *before, json_t *after, double window_s);

/* The same from one snapshot: counters since boot divided by uptime_s. */
json_t *mt_signals_since_boot(json_t *snap, double uptime_s);

/* Fills ctx->signals: with a run, from its snapshots/ (the first
 * benchmark's before and the last one's after; "no live signals in this
 * run" when they lack vmstat, then the live window only when the run was
 * made on this host); without one, two snapshots window_ns apart (0: one
 * snapshot, counters since boot divided by the uptime, and said so). Under
 * MEMTUNE_FSROOT (a captured tree) a window means nothing: since boot,
 * said so. A run that is an observation (memtune observe) gives its own
 * rates instead, from the analysis' observe.* facts: basis "observation",
 * the machine's own workload. Also reads the memory state of each app's cgroup. Returns 0 or
 * -ENOMEM with err set; missing files are never an error. */
int mt_signals_gather(struct mt_advise_ctx *ctx, uint64_t window_ns,
		      struct mt_err *err);

/* Rates of one cgroup between two mt_cgroup_memory_json snapshots
 * window_s apart: events_KEY_per_s for each memory.events counter
 * (events_high_per_s, events_max_per_s, events_oom_kill_per_s...),
 * stat_KEY_per_s for memory.stat's event counters (stat_pgscan_per_s,
 * stat_pgmajfault_per_s, stat_workingset_refault_file_per_s,
 * stat_thp_fault_alloc_per_s...; not its sizes), and pressure_some_pct /
 * pressure_full_pct, the share of the window stalled. A new object, or
 * NULL on ENOMEM or a window that is not positive. In a live window each
 * entry of ctx->signals' "cgroups" has these as "rates". */
json_t *mt_cgroup_rates(json_t *before, json_t *after, double window_s);

/* Adds the memory state of these cgroup v2 paths to ctx->signals'
 * "cgroups" (those that cannot be read are left out). Returns 0 or
 * -ENOMEM. */
int mt_signals_add_cgroups(struct mt_advise_ctx *ctx, const char *const *paths,
			   size_t n);

/* The signal `name` (see above) into *value; false when not gathered. */
bool mt_ev_signal(const struct mt_advise_ctx *ctx, const char *name,
		  double *value);

/* The application of that kind when present (running or named by the
 * profile), else NULL. */
const struct mt_app *mt_ev_app(const struct mt_advise_ctx *ctx,
			       enum mt_app_kind kind);

/* The integer value of sysctl "vm.NAME" in the snapshot; false if absent. */
bool mt_ev_sysctl(const struct mt_advise_ctx *ctx, const char *name,
		  int64_t *out);

/* True if the running kernel is at least major.minor. */
bool mt_ev_kernel_at_least(const struct mt_advise_ctx *ctx, int major,
			   int minor);

/* Status of a benchmark in the run: "ok", "skipped", "failed", or NULL if
 * it did not run (or there is no run). reason (may be NULL) gets the
 * skip/failure reason. */
const char *mt_ev_bench_status(const struct mt_advise_ctx *ctx,
			       const char *bench, char *reason, size_t len);

/* Running processes whose comm matches a glob (through MEMTUNE_FSROOT's
 * /proc listing, so a captured tree has none). Stores up to max pids;
 * returns how many matched. Only meaningful when ctx->live. */
size_t mt_ev_find_processes(const struct mt_advise_ctx *ctx, const char *glob,
			    int *pids, size_t max);

/* The systemd unit of an observed target (analysis.json's
 * observe.targets[i], issue 18): "unit:NAME" gives NAME, else the last
 * component of its cgroup ("cgroup" or "path") when it is a .service or
 * .scope; "" when none or when the name is not a sane unit name (the
 * observation is untrusted text that goes into a command line). */
void mt_ev_observed_unit(json_t *target, char *buf, size_t len);

/* True for a unit name of letters, digits and -_.@:\ (120 at most). */
bool mt_ev_unit_name_ok(const char *name);

/* Formats bytes as "1.5 GiB" into buf; returns buf. */
const char *mt_ev_bytes(uint64_t bytes, char *buf, size_t len);

/* --- the rules' pure parts (unit-tested with synthetic evidence) ---------- */

/* The kernel's own vm.min_free_kbytes (mm/page_alloc.c
 * calculate_min_free_kbytes): int_sqrt(lowmem_kbytes * 16) clamped to
 * [128, 262144] (65536 before 5.7); with THP enabled (always or madvise)
 * raised to khugepaged's floor (mm/khugepaged.c
 * set_recommended_min_free_kbytes): pageblock_pages * nr_zones *
 * (2 + MIGRATE_PCPTYPES^2), at most 5% of lowmem. Page size 4 KiB. */
uint64_t mt_min_free_kbytes_default(uint64_t lowmem_kbytes, int nr_zones,
				    bool thp_enabled, uint64_t pageblock_pages,
				    bool new_clamp);

/* swappiness from the measured cost of one swap-in versus one file read of
 * the same page (Documentation/admin-guide/sysctl/vm.rst: "if the random IO
 * against the swap device is on average 2x faster than IO from the
 * filesystem, swappiness should be 133"): 200 * file / (swap + file),
 * rounded, clamped to [lo, hi]. */
int mt_swappiness_from_costs(double swap_cost, double file_cost, int lo,
			     int hi);

/* --- apply and rollback (advisor/apply.c) ---------------------------------- */

struct mt_apply_opts {
	bool dry_run;
	bool persist;
	bool force_container; /* explicit override of the container check */
	bool skip_privilege_check; /* tests on a fixture tree */
	const char *const *force;  /* rule names allowed past the guard */
	size_t n_force;
	const char *const *only; /* item ids to apply (NULL: all) */
	size_t n_only;
	const char *journal_path; /* NULL: the default apply.journal */
	bool verified_only;	  /* only items memtune tune found improving */
};

/* Why an item's value is dangerous enough to need --force RULE (writes
 * into why), or false. sysctl is the knob's name (any knob of
 * core/knobs.c); the thresholds are the table's (mt_knob_danger). */
bool mt_apply_guarded(const char *sysctl, const char *value, uint64_t mem_total,
		      char *why, size_t len);

/* Reads DIR/advice.json (a file anyone may have written: no link, at most
 * 16 MiB), parses it, checks o->only and o->force against it and derives
 * each selected item's path and sysctl from core/knobs.c, refusing a value
 * out of the knob's range (an input error naming advice.json:LINE).
 * *mem_total gets MemTotal in bytes (0 when unknown). Messages begin with
 * `what`, the command ("apply", "tune"). Returns 0 with *a filled (free
 * with mt_advice_free), or -errno with err set. */
int mt_advice_load_checked(const char *what, const char *dir,
			   const struct mt_apply_opts *o, struct mt_advice *a,
			   uint64_t *mem_total, struct mt_err *err);

/* The value a knob file holds as apply compares it: the bracketed word of
 * "always [madvise] never", else the whole line (without its newline). */
void mt_apply_selected(const char *text, char *buf, size_t len);

/* Refuses without root or inside a container (unless o says otherwise),
 * naming `what`; a tree under MEMTUNE_FSROOT needs neither. Returns 0 or
 * -EPERM with err set. */
int mt_apply_check_privilege(const struct mt_apply_opts *o, const char *what,
			     struct mt_err *err);

/* Applies one checked item (it->path set) through j: the guard (--force),
 * the dirty pairs, the read-back. Prints one line to out. Returns 0, or 1
 * when it counts as a problem (refused, clamped, failed). */
int mt_apply_item(const struct mt_item *it, const struct mt_apply_opts *o,
		  uint64_t mem_total, struct mt_journal *j, FILE *out);

/* Applies DIR/advice.json (see memtune apply --help); low-confidence items
 * only when named by --only (they are not in the sysctl.d file either).
 * Switching a dirty limit between its ratio and bytes forms is journaled
 * so that rollback restores the form in force. Prints what it does,
 * or with dry_run what it would do, to out. Returns 0, or -errno with err
 * set; *problems (if not NULL) counts items refused, clamped or failed. */
int mt_apply(const char *dir, const struct mt_apply_opts *o, FILE *out,
	     int *problems, struct mt_err *err);

/* Plays back the apply journal (journal_path NULL: the default). */
int mt_rollback(const char *journal_path, FILE *out, struct mt_err *err);

/* Lists the sysctl.d files (resolved under MEMTUNE_FSROOT) that would be
 * read after /etc/sysctl.d/99-memtune.conf and set one of the keys in
 * conf_text; writes one warning line per key into out (malloc'ed, may be
 * ""). Returns the number of overrides found. */
int mt_sysctl_overrides(const char *conf_text, char **out);

/* Where sysctl.d files set `key` (vm.min_free_kbytes): "FILE:LINE" of the
 * last one in sysctl.d order, into buf; false if none. */
bool mt_sysctl_origin(const char *key, char *buf, size_t len);

#endif
