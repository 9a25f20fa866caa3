/* Application detection (advisor/apps.c): the main process, version, unit
 * and cgroup of each application on the captured trees pg-host,
 * redis-host, es-host and k8s-node; the profile's services key; and
 * hostile /proc text (long lines, bad unit names, a fake /proc/PID that
 * names a live process of this machine). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../advisor/advisor.h"
#include "../../core/sysinfo.h"
#include "helpers/fake_tree.h"
#include "helpers/fixtures.h"

/* Builds a context on tree `name` (absolute path when it starts with '/')
 * with profile text ini, as `memtune advise` without a run does. */
static void ctx_on(const char *name, const char *ini, struct mt_profile *p,
		   struct mt_advise_ctx *ctx)
{
	mt_test_ctx_open(mt_test_machine(name), "p", ini, p, ctx);
	unsetenv("MEMTUNE_FSROOT");
}

static void done(struct mt_profile *p, struct mt_advise_ctx *ctx)
{
	mt_advise_ctx_free(ctx);
	mt_profile_free(p);
}

static void test_pg_host(void **state)
{
	struct mt_profile p;
	struct mt_advise_ctx ctx;
	const struct mt_app *a;

	(void)state;
	ctx_on("pg-host", "[profile]\n", &p, &ctx);
	a = mt_ev_app(&ctx, MT_APP_POSTGRESQL);
	assert_non_null(a);
	assert_true(a->running);
	/* The postmaster, not a backend (whose parent is postgres). */
	assert_int_equal(a->pid, 41200);
	assert_string_equal(a->name, "postgresql");
	assert_string_equal(a->version, "15.4");
	assert_string_equal(a->version_source,
			    "/var/lib/dpkg/status: package postgresql-15");
	assert_string_equal(a->unit, "postgresql@15-main.service");
	assert_string_equal(a->cgroup, "/system.slice/system-postgresql."
				       "slice/postgresql@15-main.service");
	/* Nothing else runs there. */
	assert_null(mt_ev_app(&ctx, MT_APP_REDIS));
	assert_null(mt_ev_app(&ctx, MT_APP_MYSQL));
	assert_null(mt_ev_app(&ctx, MT_APP_KUBELET));
	done(&p, &ctx);
}

/* One application found running on a captured host: its process, version
 * and unit, and (when given) its cgroup and an application not there. */
static const struct host_case {
	const char *tree;
	enum mt_app_kind kind;
	int pid;
	const char *version, *unit;
	const char *cgroup;	 /* NULL: not checked */
	enum mt_app_kind absent; /* MT_APP_N: none checked */
} hosts[] = {
	/* The epoch and the Debian revision are not the version. */
	{ "redis-host", MT_APP_REDIS, 2300, "7.0.15", "redis-server.service",
	  NULL, MT_APP_POSTGRESQL },
	/* The server JVM, not the CLI launcher JVM (5100). */
	{ "es-host", MT_APP_ELASTICSEARCH, 5200, "8.13.4",
	  "elasticsearch.service", NULL, MT_APP_N },
	{ "k8s-node", MT_APP_KUBELET, 900, "1.29.3", "kubelet.service",
	  "/system.slice/kubelet.service", MT_APP_N },
};

static void test_host(void **state)
{
	const struct host_case *h = *state;
	struct mt_profile p;
	struct mt_advise_ctx ctx;
	const struct mt_app *a;

	ctx_on(h->tree, "[profile]\n", &p, &ctx);
	a = mt_ev_app(&ctx, h->kind);
	assert_non_null(a);
	assert_int_equal(a->pid, h->pid);
	assert_string_equal(a->version, h->version);
	assert_string_equal(a->unit, h->unit);
	if (h->cgroup)
		assert_string_equal(a->cgroup, h->cgroup);
	if (h->absent != MT_APP_N)
		assert_null(mt_ev_app(&ctx, h->absent));
	done(&p, &ctx);
}

/* The profile names a service that does not run: present, not running,
 * with the profile's version; a running one keeps the package's. */
static void test_profile_services(void **state)
{
	struct mt_profile p;
	struct mt_advise_ctx ctx;
	const struct mt_app *a;

	(void)state;
	ctx_on("pg-host",
	       "[profile]\nservices = mongodb:8.0,postgresql:16,"
	       "valkey\n",
	       &p, &ctx);
	a = mt_ev_app(&ctx, MT_APP_MONGODB);
	assert_non_null(a);
	assert_true(a->present);
	assert_false(a->running);
	assert_int_equal(a->pid, 0);
	assert_string_equal(a->version, "8.0");
	assert_string_equal(a->version_source,
			    "profile p: services = mongodb:8.0");
	assert_string_equal(a->unit, "");
	a = mt_ev_app(&ctx, MT_APP_POSTGRESQL);
	assert_true(a->running);
	assert_string_equal(a->version, "15.4");
	a = mt_ev_app(&ctx, MT_APP_REDIS);
	assert_non_null(a);
	assert_false(a->running);
	assert_string_equal(a->version, "");
	done(&p, &ctx);
}

static void test_profile_services_errors(void **state)
{
	struct mt_profile p;
	struct mt_err err = { 0 };

	(void)state;
	assert_int_equal(mt_profile_load_string("x",
						"[profile]\nservices = "
						"postgresql,cassandra\n",
						&p, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "x:2: [profile] key 'services': "
					"unknown service 'cassandra'"));
	assert_int_equal(mt_profile_load_string("x",
						"[profile]\nservices = "
						"mongodb:8.0beta\n",
						&p, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "a version is digits and dots"));
	assert_int_equal(mt_profile_load_string("x",
						"[profile]\nservices = "
						":8\n",
						&p, &err),
			 -EINVAL);
}

/* Hostile text in a tree's /proc: a unit name with a path in it, a
 * cgroup with "..", an endless comm, a postgres whose parent is
 * unreadable, a status without PPid. None crashes, none is trusted. */
static void test_hostile_proc(void **state)
{
	char root[] = "/tmp/memtune-apps-XXXXXX", big[9000];
	char cgroup[256], unit[128];
	struct mt_profile p;
	struct mt_advise_ctx ctx;
	const struct mt_app *a;
	uint64_t v;
	bool max;

	(void)state;
	assert_non_null(mkdtemp(root));
	mt_test_put(root, "/proc/meminfo", "MemTotal: 1000 kB\n");
	/* A redis whose cgroup climbs out of /sys/fs/cgroup. */
	mt_test_put(root, "/proc/500/comm", "redis-server\n");
	mt_test_put(root, "/proc/500/cgroup", "0::/system.slice/../../etc\n");
	/* A mongod with a unit name holding a newline and a slash. */
	mt_test_put(root, "/proc/600/comm", "mongod\n");
	mt_test_put(root, "/proc/600/cgroup", "0::/system.slice/a b.service\n");
	/* A comm far longer than the kernel's 16 bytes. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	mt_test_put(root, "/proc/700/comm", big);
	/* postgres without a status: taken as a postmaster. */
	mt_test_put(root, "/proc/800/comm", "postgres\n");
	mt_test_put(root, "/proc/800/cgroup",
		    "1:name=systemd:/x\n0::/system.slice/postgresql.service"
		    "/payload\n");
	/* A comm that says java with an endless cmdline. */
	mt_test_put(root, "/proc/900/comm", "java\n");
	mt_test_put(root, "/proc/900/cmdline", big);
	mt_test_put(root, "/var/lib/dpkg/status",
		    "Package: redis-server\nStatus: install ok installed\n"
		    "Version: 5:7.2.4;rm -rf /\n\n"
		    "Package: mongodb-org-server\nStatus: deinstall ok "
		    "config-files\nVersion: 6.0.1\n");
	{
		struct mt_err err = { 0 };
		json_t *sys = json_object();

		assert_int_equal(mt_profile_load_string("p", "[profile]\n", &p,
							&err),
				 0);
		assert_int_equal(setenv("MEMTUNE_FSROOT", root, 1), 0);
		assert_int_equal(mt_advise_ctx_from(&ctx, sys, NULL, &p, true),
				 0);
		unsetenv("MEMTUNE_FSROOT");
		json_decref(sys);
	}
	a = mt_ev_app(&ctx, MT_APP_REDIS);
	assert_non_null(a);
	assert_string_equal(a->cgroup, "");
	assert_string_equal(a->unit, "");
	assert_string_equal(a->version, "7.2.4");
	a = mt_ev_app(&ctx, MT_APP_MONGODB);
	assert_non_null(a);
	assert_string_equal(a->unit, "");
	/* Not installed: no version from a removed package. */
	assert_string_equal(a->version, "");
	a = mt_ev_app(&ctx, MT_APP_POSTGRESQL);
	assert_int_equal(a->pid, 800);
	assert_string_equal(a->unit, "postgresql.service");
	assert_string_equal(a->cgroup, "/system.slice/postgresql.service/"
				       "payload");
	assert_null(mt_ev_app(&ctx, MT_APP_ELASTICSEARCH));
	done(&p, &ctx);

	/* The readers refuse what they must not open. */
	assert_int_equal(setenv("MEMTUNE_FSROOT", root, 1), 0);
	assert_int_equal(mt_proc_read(500, "../../etc/passwd", big,
				      sizeof(big)),
			 -EINVAL);
	assert_false(mt_proc_cgroup(500, cgroup, sizeof(cgroup), unit,
				    sizeof(unit)));
	/* systemd's escapes are fine in a cgroup, not in a unit the advice
	 * puts on a command line. */
	mt_test_put(root, "/proc/501/cgroup",
		    "0::/system.slice/foo\\x2dbar.service\n");
	assert_true(mt_proc_cgroup(501, cgroup, sizeof(cgroup), unit,
				   sizeof(unit)));
	assert_string_equal(cgroup, "/system.slice/foo\\x2dbar.service");
	assert_string_equal(unit, "");
	assert_int_equal(mt_cgroup_read("/system.slice/../..", "memory.max", &v,
					&max),
			 -EINVAL);
	assert_int_equal(mt_cgroup_read("/x", "cgroup.procs", &v, &max),
			 -EINVAL);
	mt_test_put(root, "/sys/fs/cgroup/x/memory.high", "max\n");
	mt_test_put(root, "/sys/fs/cgroup/x/memory.low", "-5\n");
	assert_int_equal(mt_cgroup_read("/x", "memory.high", &v, &max), 0);
	assert_true(max);
	assert_int_equal(mt_cgroup_read("/x", "memory.low", &v, &max), -EINVAL);
	/* A file longer than the reader's bound is refused whole. */
	{
		char *text = NULL;
		size_t n = 0;

		mt_test_put(root, "/etc/ten", "0123456789");
		assert_int_equal(mt_ev_read_bounded("/etc/ten", 10, &text, &n),
				 0);
		assert_int_equal(n, 10);
		assert_string_equal(text, "0123456789");
		free(text);
		assert_int_equal(mt_ev_read_bounded("/etc/ten", 9, &text, &n),
				 -EFBIG);
		assert_null(text);
		mt_test_put(root, "/etc/big", big);
		assert_int_equal(mt_ev_read_bounded("/etc/big", 4096, &text,
						    NULL),
				 -EFBIG);
		assert_int_equal(mt_ev_read_bounded("/etc/none", 4096, &text,
						    NULL),
				 -ENOENT);
	}
	unsetenv("MEMTUNE_FSROOT");
	mt_test_remove_tree(root);
}

/* The other kinds on one synthetic tree: MariaDB, MongoDB, Valkey,
 * Oracle, OpenSearch; versions from their packages. */
static void test_other_kinds(void **state)
{
	char root[] = "/tmp/memtune-apps-XXXXXX";
	struct mt_profile p;
	struct mt_advise_ctx ctx;
	struct mt_err err = { 0 };
	const struct mt_app *a;
	json_t *sys = json_object();

	(void)state;
	assert_non_null(mkdtemp(root));
	mt_test_put(root, "/proc/300/comm", "mariadbd\n");
	mt_test_put(root, "/proc/300/cgroup",
		    "0::/system.slice/mariadb.service\n");
	mt_test_put(root, "/proc/400/comm", "mongod\n");
	mt_test_put(root, "/proc/400/cgroup",
		    "0::/system.slice/mongod.service\n");
	mt_test_put(root, "/proc/500/comm", "valkey-server\n");
	mt_test_put(root, "/proc/600/comm", "ora_pmon_ORCL\n");
	mt_test_put(root, "/proc/700/comm", "java\n");
	mt_test_put(root, "/proc/700/cmdline",
		    "/usr/share/opensearch/jdk/"
		    "bin/java -Xms8g org.opensearch.bootstrap.OpenSearch");
	mt_test_put(root, "/var/lib/dpkg/status",
		    "Package: mariadb-server\nStatus: install ok installed\n"
		    "Version: 1:10.11.6-0+deb12u1\n\n"
		    "Package: mongodb-org-server\nStatus: install ok "
		    "installed\nVersion: 7.0.12\n\n"
		    "Package: valkey-server\nStatus: install ok installed\n"
		    "Version: 8.0.1+dfsg1-1\n\n"
		    "Package: opensearch\nStatus: install ok installed\n"
		    "Version: 2.15.0\n");
	assert_int_equal(mt_profile_load_string("p", "[profile]\n", &p, &err),
			 0);
	assert_int_equal(setenv("MEMTUNE_FSROOT", root, 1), 0);
	assert_int_equal(mt_advise_ctx_from(&ctx, sys, NULL, &p, true), 0);
	unsetenv("MEMTUNE_FSROOT");
	json_decref(sys);
	a = mt_ev_app(&ctx, MT_APP_MYSQL);
	assert_int_equal(a->pid, 300);
	assert_string_equal(a->version, "10.11.6");
	assert_string_equal(a->unit, "mariadb.service");
	a = mt_ev_app(&ctx, MT_APP_MONGODB);
	assert_int_equal(a->pid, 400);
	assert_string_equal(a->version, "7.0.12");
	assert_string_equal(a->version_source,
			    "/var/lib/dpkg/status: package mongodb-org-server");
	a = mt_ev_app(&ctx, MT_APP_REDIS);
	assert_int_equal(a->pid, 500);
	assert_string_equal(a->version, "8.0.1");
	a = mt_ev_app(&ctx, MT_APP_ORACLE);
	assert_int_equal(a->pid, 600);
	assert_string_equal(a->version, "");
	a = mt_ev_app(&ctx, MT_APP_ELASTICSEARCH);
	assert_int_equal(a->pid, 700);
	assert_string_equal(a->version, "2.15.0");
	assert_null(mt_ev_app(&ctx, MT_APP_POSTGRESQL));
	assert_null(mt_ev_app(&ctx, MT_APP_KUBELET));
	/* Not live (a snapshot of another host): only the profile counts. */
	mt_advise_ctx_free(&ctx);
	sys = json_object();
	assert_int_equal(setenv("MEMTUNE_FSROOT", root, 1), 0);
	assert_int_equal(mt_advise_ctx_from(&ctx, sys, NULL, &p, false), 0);
	unsetenv("MEMTUNE_FSROOT");
	json_decref(sys);
	assert_null(mt_ev_app(&ctx, MT_APP_MYSQL));
	done(&p, &ctx);
	mt_test_remove_tree(root);
}

/* A tree's /proc/PID is the tree's, never this machine's process of the
 * same number (core/fsroot reads /proc/PID live). */
static void test_tree_proc_not_live(void **state)
{
	char root[] = "/tmp/memtune-apps-XXXXXX", buf[64];
	char rel[64];
	int pids[4];

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(rel, sizeof(rel), "/proc/%d/comm", (int)getpid());
	mt_test_put(root, rel, "kubelet\n");
	assert_int_equal(setenv("MEMTUNE_FSROOT", root, 1), 0);
	assert_int_equal(mt_proc_read(getpid(), "comm", buf, sizeof(buf)), 8);
	assert_string_equal(buf, "kubelet\n");
	assert_int_equal(mt_proc_find("kubelet", pids, 4), 1);
	assert_int_equal(pids[0], getpid());
	assert_int_equal(mt_proc_find("test_apps", pids, 4), 0);
	unsetenv("MEMTUNE_FSROOT");
	mt_test_remove_tree(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pg_host),
		cmocka_unit_test_prestate(test_host, (void *)&hosts[0]),
		cmocka_unit_test_prestate(test_host, (void *)&hosts[1]),
		cmocka_unit_test_prestate(test_host, (void *)&hosts[2]),
		cmocka_unit_test(test_profile_services),
		cmocka_unit_test(test_profile_services_errors),
		cmocka_unit_test(test_hostile_proc),
		cmocka_unit_test(test_other_kinds),
		cmocka_unit_test(test_tree_proc_not_live),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
