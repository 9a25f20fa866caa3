/* memtune run: runs a sweep and prints the run directory as its last line. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../bench/runner/runner.h"
#include "../core/config.h"
#include "../core/journal.h"
#include "../core/statedir.h"
#include "../core/units.h"
#include "cli.h"

#define MAX_SETS 256

static const struct option run_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "bench", required_argument, NULL, 'b' },
	{ "output", required_argument, NULL, 'o' },
	{ "quick", no_argument, NULL, 'q' },
	{ "set", required_argument, NULL, 's' },
	{ "label", required_argument, NULL, 'l' },
	{ 0 }
};

/* Appends the -b list arg to *benches (a malloc'ed comma list), so that
 * -b tlb -b alloc means -b tlb,alloc. Returns 0 or -ENOMEM. */
static int add_benches(char **benches, const char *arg)
{
	char *s;

	if (asprintf(&s, "%s%s%s", *benches ? *benches : "",
		     *benches ? "," : "", arg) < 0)
		return -ENOMEM;
	free(*benches);
	*benches = s;
	return 0;
}

/* True when s names a host for meta.json's "label": 1 to 128 of
 * [A-Za-z0-9._:@+-] (an inventory name, a hostname). */
static bool label_ok(const char *s)
{
	size_t n = strspn(s,
			  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			  "0123456789._:@+-");

	return n > 0 && n <= 128 && s[n] == '\0';
}

static int run_main(int argc, char **argv)
{
	const char *config = NULL, *outdir = NULL, *label = NULL;
	const char *sets[MAX_SETS];
	int n_sets = 0, o, status, lock = -1;
	bool quick = false;
	struct mt_cfg cfg;
	struct mt_err err = { 0 };
	char **only = NULL, *benches = NULL, journal[4096], dir[4096] = "",
	     state[4096];
	char why[256];
	size_t n_only = 0;

	while ((o = mt_cli_getopt(&mt_cmd_run, argc, argv)) != -1) {
		switch (o) {
		case 'c':
			/* One job file: a second would silently win. */
			if (config) {
				free(benches);
				return mt_cli_usage_error(
					&mt_cmd_run,
					"-c given twice ('%s' "
					"and '%s'): give one job file, and "
					"override its keys with --set",
					config, optarg);
			}
			config = optarg;
			break;
		case 'b':
			if (add_benches(&benches, optarg) < 0) {
				free(benches);
				return MT_EXIT_FAIL;
			}
			break;
		case 'o':
			if (outdir) {
				free(benches);
				return mt_cli_usage_error(
					&mt_cmd_run,
					"-o given twice ('%s' "
					"and '%s'): give one run directory",
					outdir, optarg);
			}
			outdir = optarg;
			break;
		case 'q': quick = true; break;
		case 'l':
			if (!label_ok(optarg)) {
				free(benches);
				return mt_cli_usage_error(
					&mt_cmd_run,
					"--label '%s': expected 1 to 128 "
					"letters, digits and ._:@+- (the "
					"host's name in a fleet)",
					optarg);
			}
			label = optarg;
			break;
		case 's':
			if (n_sets == MAX_SETS) {
				free(benches);
				return mt_cli_usage_error(&mt_cmd_run,
							  "too many --set");
			}
			sets[n_sets++] = optarg;
			break;
		default: free(benches); return MT_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		free(benches);
		return mt_cli_usage_error(&mt_cmd_run,
					  "unexpected argument '%s'",
					  argv[optind]);
	}
	mt_cfg_init(&cfg);
	if (quick) {
		char dirbuf[4096], path[4200];

		if (mt_cli_configs_dir(dirbuf, sizeof(dirbuf)) < 0) {
			mt_cfg_free(&cfg);
			free(benches);
			fprintf(stderr,
				"memtune run: cannot find configs/"
				"quick.ini next to the program; set "
				"MEMTUNE_CONFIGS to the configs directory\n");
			return MT_EXIT_USAGE;
		}
		snprintf(path, sizeof(path), "%s/quick.ini", dirbuf);
		if (mt_cfg_load(&cfg, path, &err) < 0)
			goto fail;
	}
	if (config && mt_cfg_load(&cfg, config, &err) < 0)
		goto fail;
	for (int i = 0; i < n_sets; i++)
		if (mt_cfg_set(&cfg, sets[i], i + 1, &err) < 0)
			goto fail;
	if (benches) {
		if (mt_parse_word_list(benches, NULL, &only, &n_only, why,
				       sizeof(why)) < 0 ||
		    n_only == 0) {
			status = mt_cli_usage_error(&mt_cmd_run,
						    "-b '%s': expected a comma "
						    "list of benchmark names",
						    benches);
			goto out;
		}
		char **z = realloc(only, (n_only + 1) * sizeof(*z));

		if (!z) {
			status = MT_EXIT_FAIL;
			goto out;
		}
		only = z;
		only[n_only] = NULL;
	}
	if (mt_journal_default_path("run.journal", journal, sizeof(journal),
				    &err) < 0)
		goto fail;
	if (mt_state_dir_path(state, sizeof(state), &err) < 0)
		goto fail;
	status = mt_cli_state_lock("run", &lock);
	if (status >= 0)
		goto out;

	struct mt_run_opts ro = {
		.cfg = &cfg,
		.only = (const char *const *)only,
		.outdir = outdir,
		.journal_path = journal,
		.state_dir = state,
		.quick = quick,
		.label = label,
		.argc = argc,
		.argv = argv,
	};
	if (mt_run(&ro, dir, sizeof(dir), &err) < 0)
		goto fail;
	printf("%s\n", dir);
	status = MT_EXIT_OK;
	goto out;
fail:
	/* A run that failed after creating its directory (every case of a
	 * benchmark failed, a signal) still names it: its records stay. */
	if (dir[0])
		printf("%s\n", dir);
	status = mt_cli_fail(&err);
out:
	mt_state_unlock(lock);
	free(benches);
	mt_free_words(only, n_only);
	mt_cfg_free(&cfg);
	return status;
}

const struct mt_command mt_cmd_run = {
	.name = "run",
	.summary = "run a benchmark sweep; prints the run directory",
	.usage =
		"usage: memtune run [-c FILE] [-b NAME,...] [-o DIR] [--quick]\n"
		"                   [--set SECTION.KEY=VALUE]... [--label NAME]\n"
		"\n"
		"Runs every benchmark (a job file's section sets that benchmark's "
		"parameters;\n[global] benchmarks = NAME,... or -b limits the run), "
		"printing first which\nwill run and why, and writes a new run "
		"directory: meta.json, topology.xml,\nresults.jsonl (one record per "
		"measured point, written as it is measured)\nand snapshots/. The "
		"directory is the last line on stdout.\n"
		"\n"
		"  -c, --config FILE   INI job file (see configs/README.md)\n"
		"  -b, --bench LIST    only these benchmarks (see 'memtune list'), "
		"in place of\n"
		"                      [global] benchmarks; repeated -b add to the "
		"list\n"
		"  -o, --output DIR    exact run directory to create (must not exist;"
		"\n                      its parent must be yours or root's and not "
		"writable\n                      by others, or sticky like /tmp)\n"
		"  --quick             start from configs/quick.ini: small sizes, a "
		"few minutes\n"
		"  --set KEY=VALUE     override a key; SECTION.KEY, or KEY for "
		"[global]\n"
		"  --label NAME        the host's name in a fleet (meta.json "
		"\"label\"; the\n"
		"                      Ansible role passes the inventory name)\n"
		"\n"
		"System changes (hugetlb pools, sysctls, swap files, cgroups) go "
		"through the\nstate journal and are undone on exit, on SIGINT/SIGTERM/"
		"SIGHUP and by\n'memtune restore' after a crash. Exit status: 0 done "
		"(skipped benchmarks are\nnot failures), 1 failure (also when every "
		"case of a benchmark failed; the\nrun directory is still printed), "
		"2 bad usage or configuration.\n",
	.fn = run_main,
	.shortopts = "c:b:o:",
	.longopts = run_opts,
};
