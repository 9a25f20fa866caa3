/* memtune fleet: many hosts' runs side by side, odd hosts flagged. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analyzer/fleet.h"
#include "../core/json_safe.h"
#include "../core/log.h"
#include "../core/safefile.h"
#include "cli.h"

static const struct option fleet_opts[] = { { "output", required_argument, NULL,
					      'o' },
					    { 0 } };

/* Writes fleet.json and fleet.html into out. Returns 0 or -errno. */
static int write_outputs(const char *out, json_t *fleet, struct mt_err *err)
{
	struct mt_outdir d;
	char *text = NULL, *html = NULL;
	size_t hlen = 0;
	FILE *f;
	int rc;

	rc = mt_outdir_open(&d, "fleet", out, MT_DIR_CREATE, err);
	if (rc < 0)
		return rc;
	text = mt_json_dumps(fleet, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
					    JSON_REAL_PRECISION(10));
	f = open_memstream(&html, &hlen);
	if (f) {
		mt_fleet_html(f, fleet);
		if (fclose(f) != 0) {
			free(html);
			html = NULL;
		}
	}
	if (!text || !html) {
		rc = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				"fleet: out of memory");
		goto out;
	}
	rc = mt_outdir_replace(&d, "fleet", "fleet.json", text, strlen(text),
			       0644, 0, err);
	if (rc == 0)
		rc = mt_outdir_replace(&d, "fleet", "fleet.html", html, hlen,
				       0644, 0, err);
out:
	free(text);
	free(html);
	mt_outdir_close(&d);
	return rc;
}

/* The summary: a line per group, a line per odd host and figure. */
static void print_summary(json_t *fleet)
{
	json_t *g, *h, *o;
	size_t i, j;

	printf("%zu hosts, %zu groups, %zu skipped\n",
	       json_array_size(json_object_get(fleet, "hosts")),
	       json_array_size(json_object_get(fleet, "groups")),
	       json_array_size(json_object_get(fleet, "skipped")));
	json_array_foreach(json_object_get(fleet, "groups"), i, g)
		printf("group %zu: %s: %zu hosts\n", i + 1,
		       json_string_value(json_object_get(g, "key")),
		       json_array_size(json_object_get(g, "hosts")));
	json_array_foreach(json_object_get(fleet, "hosts"), i, h)
		json_array_foreach(json_object_get(h, "odd"), j, o) {
			double s = mt_jnum(o, "score");

			printf("odd: %s: %s = %.4g (group median %.4g, score "
			       "%s%.1f)\n",
			       json_string_value(json_object_get(h, "host")),
			       json_string_value(json_object_get(o, "figure")),
			       mt_jnum(o, "value"), mt_jnum(o, "median"),
			       isfinite(s) ? "" : "inf, MAD 0; ",
			       isfinite(s) ? s : 0.0);
		}
}

static int fleet_main(int argc, char **argv)
{
	const char *out = NULL, *dir;
	struct mt_err err = { 0 };
	json_t *fleet;
	int o;

	while ((o = mt_cli_getopt(&mt_cmd_fleet, argc, argv)) != -1) {
		if (o != 'o' || mt_cli_once(&mt_cmd_fleet, &out, "-o", optarg,
					    "give one output directory"))
			return MT_EXIT_USAGE;
	}
	if (argc - optind != 1)
		return mt_cli_usage_error(&mt_cmd_fleet,
					  "expected one directory holding "
					  "HOST/RUN directories");
	dir = argv[optind];
	fleet = mt_fleet_build(dir, &err);
	if (!fleet)
		return mt_cli_fail(&err);
	if (write_outputs(out ? out : dir, fleet, &err) < 0) {
		json_decref(fleet);
		return mt_cli_fail(&err);
	}
	print_summary(fleet);
	printf("%s/fleet.json\n%s/fleet.html\n", out ? out : dir,
	       out ? out : dir);
	json_decref(fleet);
	return MT_EXIT_OK;
}

const struct mt_command mt_cmd_fleet = {
	.name = "fleet",
	.summary = "compare many hosts' runs (HOST/RUN dirs); flag odd hosts",
	.usage = "usage: memtune fleet DIR [-o OUT]\n"
		 "\n"
		 "DIR holds HOST/RUN directories, as Ansible's fetch lays them "
		 "out\n(FETCH_DIR/<inventory_hostname>/<run>/). For each host "
		 "the latest run is\nread (its analysis.json, or the analyzer "
		 "runs on its records; advice.json\nwhen there is one). Hosts "
		 "are grouped by CPU model, memory (MemTotal\nrounded up to "
		 "an eighth of its power of two) and kernel. Within a group "
		 "of\nat least 3 hosts, a headline figure (an analysis fact) "
		 "is odd on a host\nwhen |x - median| / (1.4826 MAD) > 3.5; "
		 "the advice items whose recommended\nvalue differs between "
		 "hosts of a group are listed.\n"
		 "\n"
		 "Writes OUT/fleet.json and OUT/fleet.html (one self-contained "
		 "page); OUT\ndefaults to DIR. Prints a summary: the groups, "
		 "then a line per odd host\nand figure, then the two files.\n"
		 "\n"
		 "  -o, --output OUT  where to write (made if missing)\n"
		 "\n"
		 "The files come from other hosts: links are not followed, "
		 "sizes are capped,\nand a host whose run cannot be used is "
		 "reported by name and skipped.\nExit status: 0 ok, 1 the "
		 "output could not be written, 2 bad usage or no\nusable host "
		 "in DIR.\n",
	.fn = fleet_main,
	.shortopts = "o:",
	.longopts = fleet_opts,
};
