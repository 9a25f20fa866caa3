/* memtune list: the benchmarks, what they measure, what they need, and
 * whether this machine can run them. */
#include <getopt.h>
#include <jansson.h>
#include <string.h>
#include <unistd.h>

#include "../bench/runner/registry.h"
#include "../bench/runner/runner.h"
#include "../core/sysinfo.h"
#include "cli.h"

/* Decides whether b can run here with its default parameters; fills why. */
static bool available(const struct mt_bench *b, const struct mt_caps *caps,
		      char *why, size_t len)
{
	struct mt_cfg cfg;
	struct mt_params *g = NULL, *p = NULL;
	struct mt_err err = { 0 };
	bool ok;

	why[0] = '\0';
	if (!mt_needs_met(b->needs, caps, why, len))
		return false;
	if (!b->supported)
		return true;
	mt_cfg_init(&cfg);
	if (mt_params_resolve(&cfg, "global", mt_global_params, &g, &err) < 0 ||
	    mt_params_resolve(&cfg, b->name, b->params, &p, &err) < 0) {
		snprintf(why, len, "%s", err.msg);
		ok = false;
		goto out;
	}
	struct mt_env env = mt_env_make(caps, g, p, "results", NULL, -1, false,
					0);
	mt_err_clear(&err);
	ok = b->supported(&env, &err) == MT_OK;
	if (!ok)
		snprintf(why, len, "%s", err.msg);
out:
	mt_params_free(g);
	mt_params_free(p);
	mt_cfg_free(&cfg);
	return ok;
}

static int list_main(int argc, char **argv)
{
	struct mt_caps caps;
	struct mt_err err = { 0 };
	const struct mt_bench *const *t;
	size_t n;
	bool json = false;
	int o;

	o = mt_cli_json_only(&mt_cmd_list, argc, argv, &json);
	if (o >= 0)
		return o;
	if (mt_bench_check_all(&err) < 0 || mt_caps_read(&caps, &err) < 0)
		return mt_cli_fail(&err);
	t = mt_benchmarks(&n);
	json_t *arr = json_array();

	if (!json)
		printf("%-10s %-9s %-28s %s\n", "BENCHMARK", "AVAILABLE",
		       "NEEDS", "MEASURES");
	for (size_t i = 0; i < n; i++) {
		char needs[256], why[1024], partly[512];
		bool ok = available(t[i], &caps, why, sizeof(why));
		bool all = mt_needs_met(t[i]->wants, &caps, partly,
					sizeof(partly));

		mt_needs_text(t[i]->needs, t[i]->wants, needs, sizeof(needs));
		if (json) {
			json_t *e = json_pack("{s:s,s:s,s:s,s:b}", "name",
					      t[i]->name, "summary",
					      t[i]->summary, "needs", needs,
					      "available", ok);
			if (!ok)
				json_object_set_new(e, "reason",
						    json_string(why));
			else if (!all)
				json_object_set_new(e, "partly",
						    json_string(partly));
			json_array_append_new(arr, e);
			continue;
		}
		printf("%-10s %-9s %-28s %s\n", t[i]->name, ok ? "yes" : "no",
		       needs, t[i]->summary);
		/* What some cases want and this machine lacks: those cases
		 * are skipped, the others run. */
		if (ok && !all)
			printf("%-10s %-9s %-28s partly: %s; the cases that "
			       "need it are skipped\n",
			       "", "", "", partly);
		if (!ok)
			printf("%-10s %-9s %-28s why not: %s\n", "", "", "",
			       why);
	}
	if (json) {
		json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else {
		printf("\nrunning as %s; 'memtune sysinfo' shows the "
		       "machine, 'memtune run -b NAME' runs one.\n",
		       caps.root ? "root" :
				   "an unprivileged user (benchmarks "
				   "that change the system are skipped)");
	}
	json_decref(arr);
	return MT_EXIT_OK;
}

const struct mt_command mt_cmd_list = {
	.name = "list",
	.summary = "list the benchmarks and whether this machine can run them",
	.usage =
		"usage: memtune list [--json]\n"
		"\n"
		"Lists every benchmark: its name, whether this machine can run "
		"it (and why not),\nwhat it needs (root, swap, cgroup, "
		"hugetlb, >=2 NUMA nodes, O_DIRECT), and what\nit measures.\n"
		"\n"
		"  --json   one JSON array on stdout\n",
	.fn = list_main,
	.shortopts = "",
	.longopts = mt_cli_json_opts,
};
