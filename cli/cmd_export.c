/* memtune export: a run's figures and advice for a metrics collector. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analyzer/export_om.h"
#include "../analyzer/rundata.h"
#include "../core/fileio.h"
#include "../core/log.h"
#include "../core/safefile.h"
#include "cli.h"

static const struct option export_opts[] = {
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ 0 }
};

/* Replaces path atomically with text[0..len): a temporary in the same
 * directory, renamed over the last component, which is never followed
 * when it is a link (refused). Returns 0 or -errno with err set. */
static int write_atomic(const char *path, const char *text, size_t len,
			struct mt_err *err)
{
	const char *name = strrchr(path, '/');
	char dir[4096];
	struct mt_outdir d;
	int rc;

	name = name ? name + 1 : path;
	if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				  "export: -o '%s': expected a file name "
				  "(such as /var/lib/prometheus/node-exporter/"
				  "memtune.prom)",
				  path);
	mt_path_dir(path, dir, sizeof(dir));
	rc = mt_outdir_open_named(&d, "export", dir, err);
	if (rc < 0)
		return rc;
	rc = mt_outdir_replace(&d, "export", name, text, len, 0644, 0, err);
	mt_outdir_close(&d);
	return rc;
}

static int export_main(int argc, char **argv)
{
	const char *format = NULL, *out = NULL;
	struct mt_err err = { 0 };
	struct mt_rundata rd;
	json_t *w;
	char *text = NULL;
	size_t len = 0, i;
	FILE *f;
	int o, rc;

	while ((o = mt_cli_getopt(&mt_cmd_export, argc, argv)) != -1) {
		if (o == 'f')
			format = optarg;
		else if (o != 'o' ||
			 mt_cli_once(&mt_cmd_export, &out, "-o", optarg,
				     "give one output path"))
			return MT_EXIT_USAGE;
	}
	if (argc - optind != 1)
		return mt_cli_usage_error(&mt_cmd_export,
					  "expected one run directory");
	if (!format || strcmp(format, "openmetrics") != 0)
		return mt_cli_usage_error(&mt_cmd_export,
					  "--format '%s': expected "
					  "--format openmetrics",
					  format ? format : "");
	if (mt_rundata_load(argv[optind], &rd, &err) < 0)
		return mt_cli_fail(&err);
	json_array_foreach(rd.warnings, i, w)
		mt_warn("export: %s", json_string_value(w));
	f = open_memstream(&text, &len);
	if (f) {
		mt_export_om(f, &rd);
		if (fclose(f) != 0) {
			free(text);
			text = NULL;
		}
	}
	mt_rundata_free(&rd);
	if (!text) {
		mt_error("export: out of memory");
		return MT_EXIT_FAIL;
	}
	if (out) {
		rc = write_atomic(out, text, len, &err);
	} else {
		fwrite(text, 1, len, stdout);
		rc = 0;
	}
	free(text);
	return rc < 0 ? mt_cli_fail(&err) : MT_EXIT_OK;
}

const struct mt_command mt_cmd_export = {
	.name = "export",
	.summary = "a run's figures and advice as OpenMetrics (node_exporter)",
	.usage =
		"usage: memtune export DIR --format openmetrics [-o PATH]\n"
		"\n"
		"Writes the headline figures of a run directory (its "
		"analysis.json, or the\nanalyzer's figures from its records) "
		"and its advice state (advice.json, when\nthere is one) as "
		"OpenMetrics text for node_exporter's textfile collector:\n"
		"gauges named memtune_*, in base units (seconds, bytes, "
		"ratios), with HELP\nand TYPE lines, ending with '# EOF'. "
		"For example\n"
		"  memtune_tlb_load_latency_seconds{backing=\"4k\","
		"pattern=\"page\",working_set_bytes=\"8388608\"}\n"
		"  memtune_advice_change{id=\"swappiness\",knob=\"vm."
		"swappiness\",current=\"60\",...} 1\n"
		"\n"
		"  --format openmetrics  the format (the only one)\n"
		"  -o, --output PATH   write PATH atomically (a temporary file "
		"in its\n"
		"                      directory, then a rename); a link at "
		"PATH is refused.\n"
		"                      Without -o: stdout\n"
		"\n"
		"Exit status: 0 ok, 1 PATH could not be written, 2 bad usage "
		"or DIR is not\na usable run directory.\n",
	.fn = export_main,
	.shortopts = "o:",
	.longopts = export_opts,
};
