/* The applications the advice is for (issue 13: rules by application):
 * found running in the /proc listing of the machine advised on (live, or a
 * captured tree's), or named by the profile's `services` key. Nothing here
 * runs a binary: versions come from the Debian package database or from
 * the profile. Every byte read is untrusted text (a process chooses its own
 * comm and cmdline): lengths are bounded and names checked before use. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/fileio.h"
#include "../core/fsroot.h"
#include "advisor.h"

/* At most this many /proc entries are looked at: a listing is not an
 * unbounded input either. */
#define MAX_PROC_ENTRIES 65536
#define MAX_DPKG_BYTES (64u << 20)

static const char *const kind_names[MT_APP_N] = {
	[MT_APP_POSTGRESQL] = "postgresql",
	[MT_APP_MYSQL] = "mysql",
	[MT_APP_REDIS] = "redis",
	[MT_APP_MONGODB] = "mongodb",
	[MT_APP_ELASTICSEARCH] = "elasticsearch",
	[MT_APP_ORACLE] = "oracle",
	[MT_APP_KUBELET] = "kubelet",
};

static const struct {
	const char *name;
	enum mt_app_kind kind;
} aliases[] = {
	{ "postgresql", MT_APP_POSTGRESQL },
	{ "postgres", MT_APP_POSTGRESQL },
	{ "mysql", MT_APP_MYSQL },
	{ "mariadb", MT_APP_MYSQL },
	{ "redis", MT_APP_REDIS },
	{ "valkey", MT_APP_REDIS },
	{ "mongodb", MT_APP_MONGODB },
	{ "mongod", MT_APP_MONGODB },
	{ "elasticsearch", MT_APP_ELASTICSEARCH },
	{ "opensearch", MT_APP_ELASTICSEARCH },
	{ "oracle", MT_APP_ORACLE },
	{ "kubelet", MT_APP_KUBELET },
	{ "kubernetes", MT_APP_KUBELET },
};

const char *mt_app_kind_name(enum mt_app_kind k)
{
	return k < MT_APP_N ? kind_names[k] : NULL;
}

enum mt_app_kind mt_app_kind_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcmp(aliases[i].name, name) == 0)
			return aliases[i].kind;
	return MT_APP_N;
}

bool mt_app_service_valid(const char *word, char *why, size_t len)
{
	char name[32];
	const char *colon = strchr(word, ':');
	size_t n = colon ? (size_t)(colon - word) : strlen(word);

	if (n == 0 || n >= sizeof(name)) {
		snprintf(why, len, "'%s' is not a service name", word);
		return false;
	}
	memcpy(name, word, n);
	name[n] = '\0';
	if (mt_app_kind_from_name(name) == MT_APP_N) {
		snprintf(why, len,
			 "unknown service '%s' (known: postgresql, "
			 "mysql, mariadb, redis, valkey, mongodb, "
			 "elasticsearch, opensearch, oracle, kubelet)",
			 name);
		return false;
	}
	if (colon) {
		const char *v = colon + 1;
		size_t vl = strlen(v);

		if (vl == 0 || vl >= 32 || !isdigit((unsigned char)v[0]) ||
		    strspn(v, "0123456789.") != vl) {
			snprintf(why, len,
				 "'%s': a version is digits and "
				 "dots, such as postgresql:15 or mongodb:8.0",
				 word);
			return false;
		}
	}
	return true;
}

/* --- /proc of the machine advised on ------------------------------------ */

int mt_proc_read(int pid, const char *file, char *buf, size_t len)
{
	char root[4096], path[4400];
	ssize_t n;
	size_t got = 0;
	int fd;

	if (pid <= 0 || len == 0 || strchr(file, '/') || file[0] == '.')
		return -EINVAL;
	if (mt_fs_path("/proc", root, sizeof(root)) < 0)
		return -ENAMETOOLONG;
	snprintf(path, sizeof(path), "%s/%d/%s", root, pid, file);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	while (got + 1 < len) {
		n = read(fd, buf + got, len - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	for (size_t i = 0; i < got; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	return (int)got;
}

int mt_ev_read_bounded(const char *path, size_t max, char **out, size_t *len)
{
	char real[4096];

	*out = NULL;
	if (mt_fs_path(path, real, sizeof(real)) < 0)
		return -ENAMETOOLONG;
	return mt_read_path(real, O_NONBLOCK, max, out, len);
}

/* The comm of pid without its newline into buf (16 bytes are enough for
 * the kernel's, more is refused as not a comm); false if unreadable. */
static bool proc_comm(int pid, char *buf, size_t len)
{
	int n = mt_proc_read(pid, "comm", buf, len);

	if (n <= 0)
		return false;
	buf[strcspn(buf, "\n")] = '\0';
	return buf[0] != '\0';
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Calls fn(pid, arg) for each numeric entry of the /proc listing (at most
 * MAX_PROC_ENTRIES), stopping when fn returns non-zero. */
static void proc_each(int (*fn)(int pid, void *arg), void *arg)
{
	char real[4096];
	struct dirent *e;
	size_t seen = 0;
	DIR *d;

	if (mt_fs_path("/proc", real, sizeof(real)) < 0)
		return;
	d = opendir(real);
	if (!d)
		return;
	while ((e = readdir(d)) && seen++ < MAX_PROC_ENTRIES) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);

		if (*end || pid <= 0 || pid > 0x3fffffff ||
		    !isdigit((unsigned char)e->d_name[0]))
			continue;
		if (fn((int)pid, arg))
			break;
	}
	closedir(d);
}

struct find {
	const char *glob;
	int *pids;
	size_t max, n;
};

static int find_one(int pid, void *arg)
{
	struct find *f = arg;
	char comm[64];

	if (!proc_comm(pid, comm, sizeof(comm)) ||
	    fnmatch(f->glob, comm, 0) != 0)
		return 0;
	if (f->n < f->max)
		f->pids[f->n] = pid;
	f->n++;
	return 0;
}

size_t mt_proc_find(const char *glob, int *pids, size_t max)
{
	struct find f = { .glob = glob, .pids = pids, .max = max };

	proc_each(find_one, &f);
	if (pids)
		qsort(pids, f.n < max ? f.n : max, sizeof(int), cmp_int);
	return f.n;
}

bool mt_proc_oom_score_adj(int pid, int *adj)
{
	char buf[32], *end;
	long v;

	if (mt_proc_read(pid, "oom_score_adj", buf, sizeof(buf)) <= 0)
		return false;
	v = strtol(buf, &end, 10);
	if (end == buf || (*end && *end != '\n') || v < -1000 || v > 1000)
		return false;
	*adj = (int)v;
	return true;
}

/* True if s is a sane cgroup v2 path: absolute, shorter than 256, of the
 * characters systemd's unit names and escapes use, no "." or ".."
 * component and no empty one. */
static bool cgroup_path_sane(const char *s)
{
	const char *p = s;

	if (s[0] != '/' || strlen(s) >= 256)
		return false;
	if (strcmp(s, "/") == 0)
		return true;
	while (*p == '/') {
		size_t n = strcspn(p + 1, "/");

		if (n == 0 || (n == 1 && p[1] == '.') ||
		    (n == 2 && p[1] == '.' && p[2] == '.'))
			return false;
		for (size_t i = 1; i <= n; i++)
			if (!isalnum((unsigned char)p[i]) &&
			    !strchr("@._:-\\", p[i]))
				return false;
		p += n + 1;
	}
	return *p == '\0';
}

bool mt_proc_cgroup(int pid, char *cgroup, size_t clen, char *unit, size_t ulen)
{
	char buf[2048];
	char *line, *save = NULL;

	if (mt_proc_read(pid, "cgroup", buf, sizeof(buf)) <= 0)
		return false;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *path, *last = NULL;

		if (strncmp(line, "0::", 3) != 0)
			continue;
		path = line + 3;
		if (!cgroup_path_sane(path) || strlen(path) >= clen)
			return false;
		snprintf(cgroup, clen, "%s", path);
		unit[0] = '\0';
		/* The unit is the deepest .service or .scope component
		 * (a service's own sub-cgroups sit below it). */
		for (const char *c = path; c && *c; c = strchr(c + 1, '/')) {
			const char *comp = c + 1;
			size_t n = strcspn(comp, "/");

			if ((n > 8 &&
			     strncmp(comp + n - 8, ".service", 8) == 0) ||
			    (n > 6 && strncmp(comp + n - 6, ".scope", 6) == 0))
				last = comp;
		}
		/* A unit name goes into a shell command line of the advice:
		 * one with systemd's \x escapes is left out rather than
		 * quoted. */
		if (last) {
			size_t n = strcspn(last, "/");

			if (n < ulen && n < 128 && !memchr(last, '\\', n)) {
				memcpy(unit, last, n);
				unit[n] = '\0';
			}
		}
		return true;
	}
	return false;
}

int mt_cgroup_read(const char *cg, const char *file, uint64_t *out, bool *max)
{
	char path[512], line[64], *end;
	unsigned long long v;
	int rc;

	*out = 0;
	if (max)
		*max = false;
	if (!cgroup_path_sane(cg) || strchr(file, '/') ||
	    strncmp(file, "memory.", 7) != 0)
		return -EINVAL;
	snprintf(path, sizeof(path), "/sys/fs/cgroup%s/%s",
		 strcmp(cg, "/") == 0 ? "" : cg, file);
	rc = mt_fs_read_line(path, line, sizeof(line), NULL);
	if (rc < 0)
		return rc;
	if (strcmp(line, "max") == 0) {
		if (max)
			*max = true;
		*out = UINT64_MAX;
		return 0;
	}
	errno = 0;
	v = strtoull(line, &end, 10);
	if (end == line || *end || errno || line[0] == '-')
		return -EINVAL;
	*out = v;
	return 0;
}

/* --- versions from the Debian package database ---------------------------- */

/* The upstream part of a Debian version: "1:10.11.6-0+deb12u1" ->
 * "10.11.6"; "15.4-1.pgdg120+1" -> "15.4". Only digits and dots are kept
 * from the start, so whatever the file says, out is a plain version. */
static void upstream_version(const char *deb, char *out, size_t len)
{
	const char *colon = strchr(deb, ':');
	size_t n;

	if (colon && (size_t)(colon - deb) < 4)
		deb = colon + 1;
	n = strspn(deb, "0123456789.");
	if (n >= len)
		n = len - 1;
	memcpy(out, deb, n);
	out[n] = '\0';
	while (n && out[n - 1] == '.')
		out[--n] = '\0';
}

/* Looks up installed packages in the text of /var/lib/dpkg/status: the
 * first one whose name equals one of names (or starts with prefix, when
 * names is NULL, followed by digits only), highest by its name's number.
 * Stores the package name and upstream version; false if none. */
static bool dpkg_find(const char *status, const char *const *names,
		      const char *prefix, char *pkg, size_t plen, char *ver,
		      size_t vlen)
{
	const char *para = status;
	long best = -1;
	bool found = false;

	while (para && *para) {
		const char *end = strstr(para, "\n\n");
		size_t plen_para = end ? (size_t)(end - para) : strlen(para);
		char name[64] = "", version[64] = "";
		bool installed = false;
		const char *line = para;

		while (line < para + plen_para) {
			const char *nl =
				memchr(line, '\n',
				       (size_t)(para + plen_para - line));
			size_t ll = nl ? (size_t)(nl - line) :
					 (size_t)(para + plen_para - line);

			if (ll > 9 && strncmp(line, "Package: ", 9) == 0 &&
			    ll - 9 < sizeof(name)) {
				memcpy(name, line + 9, ll - 9);
				name[ll - 9] = '\0';
			} else if (ll > 9 &&
				   strncmp(line, "Version: ", 9) == 0 &&
				   ll - 9 < sizeof(version)) {
				memcpy(version, line + 9, ll - 9);
				version[ll - 9] = '\0';
			} else if (ll >= 8 &&
				   strncmp(line, "Status: ", 8) == 0) {
				installed = ll >= 17 &&
					    memmem(line, ll, " installed",
						   10) != NULL;
			}
			line = nl ? nl + 1 : para + plen_para;
		}
		para = end ? end + 2 : NULL;
		if (!installed || !name[0] || !version[0])
			continue;
		if (names) {
			for (size_t i = 0; names[i]; i++)
				if (strcmp(name, names[i]) == 0 && !found) {
					snprintf(pkg, plen, "%s", name);
					upstream_version(version, ver, vlen);
					found = ver[0] != '\0';
				}
		} else if (strncmp(name, prefix, strlen(prefix)) == 0) {
			const char *num = name + strlen(prefix);
			char *e;
			long v = strtol(num, &e, 10);

			if (!isdigit((unsigned char)*num) || *e || v <= best)
				continue;
			best = v;
			snprintf(pkg, plen, "%s", name);
			upstream_version(version, ver, vlen);
			found = ver[0] != '\0';
		}
	}
	return found;
}

/* The version of app kind k from the package database text, preferring
 * for PostgreSQL the major version its unit names (postgresql@15-main). */
static void version_from_dpkg(const char *status, enum mt_app_kind k,
			      struct mt_app *a)
{
	static const char *const mysql[] = { "mysql-server-core-8.4",
					     "mysql-server-core-8.0",
					     "mysql-server-8.0",
					     "mysql-server",
					     "mariadb-server-core",
					     "mariadb-server",
					     NULL };
	static const char *const redis[] = { "redis-server", "valkey-server",
					     "redis", NULL };
	static const char *const mongo[] = { "mongodb-org-server",
					     "mongodb-server", NULL };
	static const char *const es[] = { "elasticsearch", "opensearch", NULL };
	static const char *const kube[] = { "kubelet", NULL };
	/* The packages of each kind, most specific first. */
	static const char *const *const packages[MT_APP_N] = {
		[MT_APP_MYSQL] = mysql,	  [MT_APP_REDIS] = redis,
		[MT_APP_MONGODB] = mongo, [MT_APP_ELASTICSEARCH] = es,
		[MT_APP_KUBELET] = kube,
	};
	char pkg[64], ver[32];
	bool ok = false;

	if (k == MT_APP_POSTGRESQL) {
		int major;
		char want[40];
		const char *one[2] = { want, NULL };

		if (sscanf(a->unit, "postgresql@%d-", &major) == 1 &&
		    major > 0 && major < 1000) {
			snprintf(want, sizeof(want), "postgresql-%d", major);
			ok = dpkg_find(status, one, NULL, pkg, sizeof(pkg), ver,
				       sizeof(ver));
		}
		if (!ok)
			ok = dpkg_find(status, NULL, "postgresql-", pkg,
				       sizeof(pkg), ver, sizeof(ver));
	} else if ((unsigned)k < MT_APP_N && packages[k]) {
		ok = dpkg_find(status, packages[k], NULL, pkg, sizeof(pkg), ver,
			       sizeof(ver));
	}
	if (!ok)
		return;
	snprintf(a->version, sizeof(a->version), "%s", ver);
	snprintf(a->version_source, sizeof(a->version_source),
		 "/var/lib/dpkg/status: package %s", pkg);
}

/* --- detection ----------------------------------------------------------- */

/* What the /proc walk gathers: the lowest pid of each kind's main
 * process. */
struct walk {
	int pid[MT_APP_N];
};

/* True if pid's parent is a postgres process (a backend or an auxiliary
 * process, not the postmaster). */
static bool parent_is_postgres(int pid)
{
	char status[4096], comm[64];
	int64_t ppid;

	if (mt_proc_read(pid, "status", status, sizeof(status)) <= 0 ||
	    mt_text_key(status, "PPid", &ppid) != 0 || ppid <= 0 ||
	    ppid > 0x3fffffff)
		return false;
	return proc_comm((int)ppid, comm, sizeof(comm)) &&
	       strcmp(comm, "postgres") == 0;
}

/* The kind whose main process pid is, or MT_APP_N. */
static enum mt_app_kind classify(int pid)
{
	char comm[64], cmdline[8192];

	if (!proc_comm(pid, comm, sizeof(comm)))
		return MT_APP_N;
	if (strcmp(comm, "postgres") == 0 || strcmp(comm, "postmaster") == 0)
		return parent_is_postgres(pid) ? MT_APP_N : MT_APP_POSTGRESQL;
	if (strcmp(comm, "mysqld") == 0 || strcmp(comm, "mariadbd") == 0)
		return MT_APP_MYSQL;
	if (strcmp(comm, "redis-server") == 0 ||
	    strcmp(comm, "valkey-server") == 0)
		return MT_APP_REDIS;
	if (strcmp(comm, "mongod") == 0)
		return MT_APP_MONGODB;
	if (strncmp(comm, "ora_pmon_", 9) == 0)
		return MT_APP_ORACLE;
	if (strcmp(comm, "kubelet") == 0)
		return MT_APP_KUBELET;
	if (strcmp(comm, "java") == 0 &&
	    mt_proc_read(pid, "cmdline", cmdline, sizeof(cmdline)) > 0 &&
	    (strstr(cmdline, "org.elasticsearch.bootstrap.Elasticsearch") ||
	     strstr(cmdline, "org.opensearch.bootstrap.OpenSearch")))
		return MT_APP_ELASTICSEARCH;
	return MT_APP_N;
}

static int walk_one(int pid, void *arg)
{
	struct walk *w = arg;
	enum mt_app_kind k = classify(pid);

	if (k < MT_APP_N && (w->pid[k] == 0 || pid < w->pid[k]))
		w->pid[k] = pid;
	return 0;
}

int mt_apps_detect(struct mt_advise_ctx *ctx)
{
	const struct mt_profile *p = ctx->profile;
	struct walk w = { { 0 } };
	char *status = NULL;
	size_t slen = 0;

	memset(ctx->apps, 0, sizeof(ctx->apps));
	for (int k = 0; k < MT_APP_N; k++)
		snprintf(ctx->apps[k].name, sizeof(ctx->apps[k].name), "%s",
			 kind_names[k]);
	if (ctx->live) {
		proc_each(walk_one, &w);
		if (mt_ev_read_bounded("/var/lib/dpkg/status", MAX_DPKG_BYTES,
				       &status, &slen) == -ENOMEM)
			return -ENOMEM;
	}
	for (int k = 0; k < MT_APP_N; k++) {
		struct mt_app *a = &ctx->apps[k];

		if (!w.pid[k])
			continue;
		a->present = a->running = true;
		a->pid = w.pid[k];
		if (!mt_proc_cgroup(a->pid, a->cgroup, sizeof(a->cgroup),
				    a->unit, sizeof(a->unit)))
			a->cgroup[0] = a->unit[0] = '\0';
		if (status)
			version_from_dpkg(status, (enum mt_app_kind)k, a);
	}
	for (size_t i = 0; p && i < p->n_services; i++) {
		char name[32], why[160];
		const char *colon = strchr(p->services[i], ':');
		size_t n = colon ? (size_t)(colon - p->services[i]) :
				   strlen(p->services[i]);
		enum mt_app_kind k;
		struct mt_app *a;

		if (!mt_app_service_valid(p->services[i], why, sizeof(why)))
			continue;
		memcpy(name, p->services[i], n);
		name[n] = '\0';
		k = mt_app_kind_from_name(name);
		a = &ctx->apps[k];
		if (!a->present && status)
			version_from_dpkg(status, k, a);
		a->present = true;
		if (colon && !a->version[0]) {
			snprintf(a->version, sizeof(a->version), "%s",
				 colon + 1);
			snprintf(a->version_source, sizeof(a->version_source),
				 "profile %s: services = %s", p->name,
				 p->services[i]);
		}
	}
	free(status);
	return 0;
}

bool mt_app_kept(const struct mt_advise_ctx *ctx, enum mt_app_kind k)
{
	const struct mt_profile *p = ctx->profile;
	const struct mt_app *a = mt_ev_app(ctx, k);
	char comm[64];

	if (!p || !a)
		return false;
	for (size_t i = 0; i < p->n_services; i++) {
		char name[32];
		size_t n = strcspn(p->services[i], ":");

		if (n >= sizeof(name))
			continue;
		memcpy(name, p->services[i], n);
		name[n] = '\0';
		if (mt_app_kind_from_name(name) == k)
			return true;
	}
	if (!a->running || !proc_comm(a->pid, comm, sizeof(comm)))
		return false;
	for (size_t i = 0; i < p->n_keep; i++)
		if (fnmatch(p->keep[i], comm, 0) == 0)
			return true;
	return false;
}
