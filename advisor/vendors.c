/* Vendor guidance: see vendors.h. Every row was read in the document it
 * cites, at the version or commit it names; a quote in double quotes is the
 * vendor's words, one in brackets a paraphrase.
 *
 * Not here, on purpose: MySQL, whose reference manual (8.4, "Enabling
 * Large Page Support") covers HugeTLB pages only and says nothing of THP,
 * overcommit or max_map_count (MariaDB disables THP for its own process
 * since MDEV-33279); Elasticsearch on overcommit, of which its documents
 * say nothing. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vendors.h"

#define REDIS_ADMIN \
	"https://redis.io/docs/latest/operate/oss_and_stack/" \
	"management/admin/ (redis/docs commit 10efe39, 2025)"
#define REDIS_SYSCHECK \
	"https://github.com/redis/redis/blob/0a87c4a/src/" \
	"syscheck.c (checkOvercommit, checkTHPEnabled; redis commit 0a87c4a)"
#define PG_OVERCOMMIT \
	"https://www.postgresql.org/docs/current/" \
	"kernel-resources.html#LINUX-MEMORY-OVERCOMMIT (PostgreSQL 18, " \
	"section 18.4.4; the same text in 16 and 17)"
#define PG_HUGE_PAGES \
	"https://www.postgresql.org/docs/current/" \
	"runtime-config-resource.html#GUC-HUGE-PAGES (PostgreSQL 18; the " \
	"same text in 16 and 17)"
#define TUNED_PG \
	"https://github.com/redhat-performance/tuned/blob/" \
	"49496c3/profiles/postgresql/tuned.conf (tuned commit 49496c3)"
#define MONGO_TCMALLOC \
	"https://www.mongodb.com/docs/manual/" \
	"administration/tcmalloc-performance/ (MongoDB 8.0 manual, " \
	"\"Changed in version 8.0\")"
#define ORACLE_19 \
	"https://docs.oracle.com/en/database/oracle/" \
	"oracle-database/19/cwlin/disabling-transparent-hugepages.html " \
	"(Oracle Database 19c Grid Infrastructure Installation Guide)"
#define ORACLE_21 \
	"https://docs.oracle.com/en/database/oracle/" \
	"oracle-database/21/cwlin/disabling-transparent-hugepages.html " \
	"(Oracle Database 21c, \"Setting Transparent HugePages to madvise\")"
#define ORACLE_23 \
	"https://docs.oracle.com/en/database/oracle/" \
	"oracle-database/23/cwlin/restrictions-for-hugepages-and-" \
	"transparent-hugepages-configurations.html (Oracle Database 23ai)"
#define ES_MAP_CHECK \
	"https://www.elastic.co/guide/en/elasticsearch/" \
	"reference/8.16/_maximum_map_count_check.html (Elasticsearch 8.16, " \
	"bootstrap checks)"
#define ES_MAP_REC \
	"https://www.elastic.co/guide/en/elasticsearch/" \
	"reference/8.18/bootstrap-checks-max-map-count.html (Elasticsearch " \
	"8.18)"
#define ES_SWAP \
	"https://www.elastic.co/docs/deploy-manage/deploy/" \
	"self-managed/setup-configuration-memory (Elastic docs, 2025)"
#define KUBELET \
	"https://github.com/kubernetes/kubernetes/blob/master/" \
	"pkg/kubelet/cm/container_manager_linux.go (setupKernelTunables, " \
	"kubernetes master 2025; kubelet protectKernelDefaults / " \
	"--protect-kernel-defaults)"

#define THP_EN "transparent_hugepage.enabled"
#define THP_DF "transparent_hugepage.defrag"

const struct mt_vendor_rule mt_vendor_rules[] = {
	/* --- transparent_hugepage.enabled --- */
	{ .app = MT_APP_REDIS,
	  .knob = THP_EN,
	  .value = "never",
	  .accepts = "madvise",
	  .source = REDIS_ADMIN,
	  .quote = "\"To ensure the Linux kernel feature Transparent Huge "
		   "Pages does not impact Redis memory usage and latency, "
		   "run the command: echo never > /sys/kernel/mm/"
		   "transparent_hugepage/enabled to disable it.\" "
		   "redis-server's own check (src/syscheck.c) warns only on "
		   "[always]: \"Redis must be restarted after THP is disabled "
		   "(set to 'madvise' or 'never').\"" },
	{ .app = MT_APP_POSTGRESQL,
	  .knob = THP_EN,
	  .value = "never",
	  .accepts = "madvise",
	  .source = PG_HUGE_PAGES,
	  .quote = "\"On Linux, this is called 'transparent huge pages' "
		   "(THP). That feature has been known to cause performance "
		   "degradation with PostgreSQL for some users on some Linux "
		   "versions, so its use is currently discouraged (unlike "
		   "explicit use of huge_pages).\" [tuned's postgresql "
		   "profile sets transparent_hugepages=never]" },
	{ .app = MT_APP_MONGODB,
	  .knob = THP_EN,
	  .value = "never",
	  .before = "8.0",
	  .source = MONGO_TCMALLOC,
	  .quote = "\"If you are using MongoDB 7.0 or earlier, disable "
		   "THP.\"" },
	{ .app = MT_APP_MONGODB,
	  .knob = THP_EN,
	  .value = "always",
	  .since = "8.0",
	  .source = MONGO_TCMALLOC,
	  .quote = "\"In MongoDB 8.0 and later, ensure that THP is enabled "
		   "before mongod starts\" [for its per-CPU-cache TCMalloc; "
		   "on PPC64LE and s390x MongoDB uses the legacy TCMalloc and "
		   "says to disable THP]" },
	{ .app = MT_APP_ORACLE,
	  .knob = THP_EN,
	  .value = "never",
	  .before = "21",
	  .source = ORACLE_19,
	  .quote = "\"To avoid performance issues, Oracle recommends that "
		   "you disable Transparent HugePages on all Oracle Database "
		   "servers.\"" },
	{ .app = MT_APP_ORACLE,
	  .knob = THP_EN,
	  .value = "never",
	  .since = "21",
	  .kernel_before = { 5, 15 },
	  .source = ORACLE_21,
	  .quote = "\"On Oracle Database servers running UEK release "
		   "earlier than UEK7, Oracle recommends that you disable "
		   "Transparent HugePages\" [UEK7 is Linux 5.15: memtune "
		   "reads the kernel version for it]" },
	{ .app = MT_APP_ORACLE,
	  .knob = THP_EN,
	  .value = "madvise",
	  .since = "21",
	  .kernel_since = { 5, 15 },
	  .source = ORACLE_23,
	  .quote = "\"For optimal performance, Oracle recommends that you "
		   "set Transparent HugePages to madvise on all Oracle "
		   "Database servers UEK7 and later kernels and not disable "
		   "Transparent HugePages as was recommended in prior "
		   "releases.\" [UEK7 is Linux 5.15: memtune reads the kernel "
		   "version for it]" },

	/* --- transparent_hugepage.defrag --- */
	{ .app = MT_APP_MONGODB,
	  .knob = THP_DF,
	  .value = "defer+madvise",
	  .since = "8.0",
	  .source = MONGO_TCMALLOC,
	  .quote = "[the service file MongoDB gives to enable THP writes "
		   "'always' to enabled, 'defer+madvise' to defrag, 0 to "
		   "khugepaged/max_ptes_none and 1 to vm.overcommit_memory]" },

	/* --- vm.overcommit_memory --- */
	{ .app = MT_APP_REDIS,
	  .knob = "vm.overcommit_memory",
	  .value = "1",
	  .hard = true,
	  .source = REDIS_ADMIN,
	  .quote = "\"Set the Linux kernel overcommit memory setting to 1.\" "
		   "redis-server's check (src/syscheck.c): \"Memory overcommit "
		   "must be enabled! Without it, a background save or "
		   "replication may fail under low memory condition.\"" },
	{ .app = MT_APP_POSTGRESQL,
	  .knob = "vm.overcommit_memory",
	  .value = "2",
	  .source = PG_OVERCOMMIT,
	  .quote = "\"It is possible to modify the kernel's behavior so that "
		   "it will not 'overcommit' memory. Although this setting "
		   "will not prevent the OOM killer from being invoked "
		   "altogether, it will lower the chances significantly\" "
		   "(sysctl -w vm.overcommit_memory=2); \"You might also wish "
		   "to modify the related setting vm.overcommit_ratio.\" [it "
		   "gives no ratio; another approach, with or without it, is "
		   "oom_score_adj -1000 for the postmaster]" },
	{ .app = MT_APP_KUBELET,
	  .knob = "vm.overcommit_memory",
	  .value = "1",
	  .hard = true,
	  .source = KUBELET,
	  .quote = "[setupKernelTunables wants vm.overcommit_memory = 1 "
		   "(VMOvercommitMemoryAlways), with vm.panic_on_oom = 0, "
		   "kernel.panic = 10 and kernel.panic_on_oops = 1; with "
		   "protectKernelDefaults the kubelet fails to start on "
		   "\"invalid kernel flag\", without it the kubelet writes "
		   "them itself]" },
	{ .app = MT_APP_MONGODB,
	  .knob = "vm.overcommit_memory",
	  .value = "1",
	  .since = "8.0",
	  .source = MONGO_TCMALLOC,
	  .quote = "[the service file MongoDB gives to enable THP also "
		   "writes 1 to /proc/sys/vm/overcommit_memory]" },

	/* --- vm.max_map_count --- */
	{ .app = MT_APP_ELASTICSEARCH,
	  .knob = "vm.max_map_count",
	  .value = "262144",
	  .at_least = true,
	  .hard = true,
	  .source = ES_MAP_CHECK,
	  .quote = "\"The maximum map count check checks that the kernel "
		   "allows a process to have at least 262,144 memory-mapped "
		   "areas and is enforced on Linux only. To pass the maximum "
		   "map count check, you must configure vm.max_map_count via "
		   "sysctl to be at least 262144.\"" },
	{ .app = MT_APP_ELASTICSEARCH,
	  .knob = "vm.max_map_count",
	  .value = "1048576",
	  .at_least = true,
	  .since = "8.18",
	  .source = ES_MAP_REC,
	  .quote = "\"The recommended value is 1048576.\"" },

	/* --- dirty limits: what the kernel enforces, in bytes, at most
	 * (tuned: "keep this values reasonable small") --- */
	{ .app = MT_APP_POSTGRESQL,
	  .knob = "vm.dirty_background_bytes",
	  .value = "67108864",
	  .at_most = true,
	  .source = TUNED_PG,
	  .quote = "\"On a systems with a big amount of memory this values "
		   "can be tens of gigabytes and produce IO spikes when "
		   "PostgreSQL server writes checkpoints. [...] Keep this "
		   "values reasonable small - about size of RAID controller "
		   "write-back cache size (typcal 512MB - 2GB).\" "
		   "dirty_background_bytes = 67108864" },
	{ .app = MT_APP_POSTGRESQL,
	  .knob = "vm.dirty_bytes",
	  .value = "536870912",
	  .at_most = true,
	  .source = TUNED_PG,
	  .quote = "\"Keep this values reasonable small - about size of RAID "
		   "controller write-back cache size (typcal 512MB - 2GB).\" "
		   "dirty_bytes = 536870912" },

	/* --- read by other rules --- */
	{ .app = MT_APP_ELASTICSEARCH,
	  .knob = "vm.swappiness",
	  .value = "1",
	  .source = ES_SWAP,
	  .quote = "\"The preferred option is to completely disable swap.\" "
		   "\"Another option available on Linux systems is to ensure "
		   "that the sysctl value vm.swappiness is set to 1.\"" },
	{ .app = MT_APP_KUBELET,
	  .knob = "vm.panic_on_oom",
	  .value = "0",
	  .hard = true,
	  .source = KUBELET,
	  .quote = "[setupKernelTunables wants vm.panic_on_oom = 0 "
		   "(VMPanicOnOOMInvokeOOMKiller)]" },
};

const size_t mt_n_vendor_rules = sizeof(mt_vendor_rules) /
				 sizeof(mt_vendor_rules[0]);

const char *mt_app_label(enum mt_app_kind k)
{
	static const char *const names[MT_APP_N] = {
		[MT_APP_POSTGRESQL] = "PostgreSQL",
		[MT_APP_MYSQL] = "MySQL",
		[MT_APP_REDIS] = "Redis",
		[MT_APP_MONGODB] = "MongoDB",
		[MT_APP_ELASTICSEARCH] = "Elasticsearch",
		[MT_APP_ORACLE] = "Oracle Database",
		[MT_APP_KUBELET] = "the kubelet",
	};

	return k < MT_APP_N && names[k] ? names[k] : "?";
}

int mt_version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		unsigned long x = strtoul(a, NULL, 10);
		unsigned long y = strtoul(b, NULL, 10);

		if (x != y)
			return x < y ? -1 : 1;
		while (isdigit((unsigned char)*a))
			a++;
		while (isdigit((unsigned char)*b))
			b++;
		/* "8.0" == "8.0.0": a missing component counts as 0. */
		if (*a != '.' || !isdigit((unsigned char)a[1]))
			a = "";
		else
			a++;
		if (*b != '.' || !isdigit((unsigned char)b[1]))
			b = "";
		else
			b++;
	}
	return 0;
}

/* True if the kernel of ctx is at least v (v {0, 0}: true). */
static bool kernel_at_least(const struct mt_advise_ctx *ctx, const int v[2])
{
	if (v[0] == 0 && v[1] == 0)
		return true;
	return mt_ev_kernel_at_least(ctx, v[0], v[1]);
}

bool mt_vendor_applies(const struct mt_vendor_rule *r,
		       const struct mt_advise_ctx *ctx)
{
	const struct mt_app *app = mt_ev_app(ctx, r->app);

	if (!app)
		return false;
	if ((r->since || r->before) && !app->version[0])
		return false;
	if (r->since && mt_version_cmp(app->version, r->since) < 0)
		return false;
	if (r->before && mt_version_cmp(app->version, r->before) >= 0)
		return false;
	if ((r->kernel_since[0] || r->kernel_before[0]) &&
	    ctx->kernel_major == 0)
		return false; /* kernel unknown */
	if (!kernel_at_least(ctx, r->kernel_since))
		return false;
	if ((r->kernel_before[0] || r->kernel_before[1]) &&
	    kernel_at_least(ctx, r->kernel_before))
		return false;
	return true;
}

/* True if the space-separated list words holds word. */
static bool has_word(const char *words, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = words; p && *p;) {
		const char *end = strchr(p, ' ');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && strncmp(p, word, n) == 0)
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

/* The decimal integer s, whole; false if it is not one. */
static bool parse_ll(const char *s, long long *out)
{
	char *end;

	if (!s || !*s)
		return false;
	*out = strtoll(s, &end, 10);
	return *end == '\0';
}

bool mt_vendor_satisfied(const struct mt_vendor_rule *r, const char *value)
{
	long long v, want;

	if (!value || !value[0])
		return false;
	if (strcmp(value, r->value) == 0 || has_word(r->accepts, value))
		return true;
	if (!parse_ll(value, &v) || !parse_ll(r->value, &want))
		return false;
	return (r->at_least && v >= want) || (r->at_most && v > 0 && v <= want);
}

/* True if value satisfies every row of c. */
static bool satisfies_all(const struct mt_vendor_choice *c, const char *value)
{
	for (size_t i = 0; i < c->n; i++)
		if (!mt_vendor_satisfied(c->rows[i], value))
			return false;
	return true;
}

size_t mt_vendor_choose(const struct mt_advise_ctx *ctx, const char *knob,
			const char *current, struct mt_vendor_choice *c)
{
	bool has_rows[MT_APP_N] = { false }, applies[MT_APP_N] = { false };

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < mt_n_vendor_rules; i++) {
		const struct mt_vendor_rule *r = &mt_vendor_rules[i];

		if (strcmp(r->knob, knob) != 0 || !mt_ev_app(ctx, r->app))
			continue;
		has_rows[r->app] = true;
		if (!mt_vendor_applies(r, ctx) ||
		    c->n == sizeof(c->rows) / sizeof(c->rows[0]))
			continue;
		applies[r->app] = true;
		c->rows[c->n++] = r;
	}
	/* A known version outside every row: the vendor says nothing for
	 * it. An unknown one might be any of them. */
	for (int k = 0; k < MT_APP_N; k++)
		if (has_rows[k] && !applies[k] && !ctx->apps[k].version[0])
			c->undecided[c->n_undecided++] = (enum mt_app_kind)k;
	if (c->n == 0)
		return 0;
	for (size_t i = 0; i < c->n; i++)
		if (c->rows[i]->hard &&
		    !mt_vendor_satisfied(c->rows[i], current))
			c->hard = true;
	if (satisfies_all(c, current)) {
		c->keep = true;
		c->value = current;
		for (size_t i = 0; i < c->n; i++)
			c->hard |= c->rows[i]->hard;
		return c->n;
	}
	/* Each row's own value first, in table order (hard rows first),
	 * then the values rows merely accept. */
	for (int pass = 0; pass < 2 && !c->value; pass++)
		for (size_t i = 0; i < c->n && !c->value; i++)
			if (c->rows[i]->hard == !pass &&
			    satisfies_all(c, c->rows[i]->value))
				c->value = c->rows[i]->value;
	for (size_t i = 0; i < c->n && !c->value; i++) {
		char words[128], *save = NULL;

		if (!c->rows[i]->accepts)
			continue;
		snprintf(words, sizeof(words), "%s", c->rows[i]->accepts);
		for (char *w = strtok_r(words, " ", &save); w && !c->value;
		     w = strtok_r(NULL, " ", &save))
			if (satisfies_all(c, w)) {
				snprintf(c->buf, sizeof(c->buf), "%s", w);
				c->value = c->buf;
			}
	}
	c->conflict = !c->value;
	/* An application whose version might want another value: no move
	 * until it is known. */
	if (c->value && c->n_undecided) {
		c->value = NULL;
		c->blocked = true;
	}
	return c->n;
}

void mt_vendor_cite(struct mt_item *it, const struct mt_vendor_rule *r)
{
	mt_item_evidence(it, "%s%s (%s): %s", mt_app_label(r->app),
			 r->hard ? ", a requirement" : "", r->source, r->quote);
}

/* "Redis wants never (or madvise)". */
static void wants(const struct mt_vendor_rule *r, char *buf, size_t len)
{
	snprintf(buf, len, "%s wants %s%s%s%s%s", mt_app_label(r->app),
		 r->at_least ? "at least " :
		 r->at_most  ? "at most " :
			       "",
		 r->value, r->accepts ? " (or " : "",
		 r->accepts ? r->accepts : "", r->accepts ? ")" : "");
}

void mt_vendor_explain(struct mt_item *it, const struct mt_vendor_choice *c)
{
	const struct mt_vendor_rule *decider = c->n ? c->rows[0] : NULL;
	char w[160], all[1024] = "";
	size_t off = 0;

	for (size_t i = 0; i < c->n; i++) {
		mt_vendor_cite(it, c->rows[i]);
		/* The source of the ground: a hard row that decides. */
		if (c->rows[i]->hard && !decider->hard &&
		    (c->keep || !mt_vendor_satisfied(c->rows[i], it->current)))
			decider = c->rows[i];
	}
	for (size_t i = 0; i < c->n_undecided; i++)
		mt_item_reason(it,
			       "%s is present, but its version is "
			       "unknown, and its vendor's guidance on this "
			       "knob depends on it: name its version (the "
			       "profile's services). ",
			       mt_app_label(c->undecided[i]));
	if (c->n == 0)
		return;
	/* "Redis wants 1; PostgreSQL wants 2" */
	for (size_t i = 0; i < c->n && off < sizeof(all); i++) {
		int k;

		wants(c->rows[i], w, sizeof(w));
		k = snprintf(all + off, sizeof(all) - off, "%s%s",
			     i ? "; " : "", w);
		if (k > 0)
			off += (size_t)k;
	}
	if (c->conflict) {
		mt_item_reason(it,
			       "The applications on this host disagree: "
			       "%s. No value satisfies them all, so memtune "
			       "keeps the current one: run them on separate "
			       "hosts, or decide which vendor's advice to "
			       "forgo (both are cited). ",
			       all);
		mt_item_ground(it, MT_GROUND_DOCUMENTED, decider->source);
		return;
	}
	if (c->keep)
		mt_item_reason(it, "%s: the current value satisfies %s. ", all,
			       c->n > 1 ? "them all" : "it");
	else if (c->blocked)
		mt_item_reason(it,
			       "%s; memtune keeps the current value until "
			       "the version above is known. ",
			       all);
	else
		mt_item_reason(it, "%s: %s satisfies %s. ", all, c->value,
			       c->n > 1 ? "them all" : "it");
	mt_item_ground(it,
		       c->hard && !c->blocked ? MT_GROUND_HARD_RULE :
						MT_GROUND_DOCUMENTED,
		       decider->source);
}

int mt_vendor_sysctl_item(const struct mt_advise_ctx *ctx,
			  struct mt_advice *out, const struct mt_rule *r,
			  const char *name,
			  void (*keep_reason)(struct mt_item *it, int64_t cur))
{
	struct mt_vendor_choice c;
	struct mt_item *it;
	char knob[96], v[32];
	const char *rec;
	int64_t cur;

	if (!mt_ev_sysctl(ctx, name, &cur))
		return 0;
	it = mt_advice_add(out, r, name);
	if (!it)
		return -ENOMEM;
	snprintf(v, sizeof(v), "%" PRId64, cur);
	snprintf(it->current, sizeof(it->current), "%s", v);
	snprintf(knob, sizeof(knob), "vm.%s", name);
	mt_vendor_choose(ctx, knob, v, &c);
	mt_vendor_explain(it, &c);
	rec = c.value && !c.keep && !c.conflict ? c.value : v;
	mt_item_sysctl(it, name, rec);
	it->change = strcmp(rec, v) != 0;
	if (c.n == 0) {
		keep_reason(it, cur);
		mt_item_ground(it, MT_GROUND_DOCUMENTED, r->source);
	}
	return 0;
}
