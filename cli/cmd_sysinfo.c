/* memtune sysinfo: the machine's memory configuration. */
#include <getopt.h>
#include <jansson.h>

#include "../core/sysinfo.h"
#include "../core/topo.h"
#include "../core/log.h"
#include "cli.h"

static int sysinfo_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' }, { 0 } };
	struct mt_err err = { 0 };
	struct mt_topo *topo = NULL;
	json_t *info;
	bool json = false;
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'j')
			json = true;
		else
			return mt_cli_usage_error(&mt_cmd_sysinfo,
						  "unknown option");
	}
	if (optind < argc)
		return mt_cli_usage_error(&mt_cmd_sysinfo,
					  "unexpected argument '%s'",
					  argv[optind]);
	if (mt_topo_load(&topo, &err) < 0) {
		mt_warn("%s (continuing without topology)", err.msg);
		topo = NULL;
		mt_err_clear(&err);
	}
	info = mt_sysinfo_collect(topo, &err);
	if (!info) {
		mt_topo_destroy(topo);
		return mt_cli_fail(&err);
	}
	if (json) {
		if (topo)
			json_object_set_new(info, "topology",
					    mt_topo_summary(topo));
		json_dumpf(info, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else {
		mt_sysinfo_print(stdout, info);
	}
	json_decref(info);
	mt_topo_destroy(topo);
	return MT_EXIT_OK;
}

const struct mt_command mt_cmd_sysinfo = {
	.name = "sysinfo",
	.summary = "show topology, memory, swap, THP, hugetlb, cgroups, sysctls",
	.usage = "usage: memtune sysinfo [--json]\n"
		 "\n"
		 "Shows what matters to memory performance on this machine: "
		 "topology (hwloc),\nmemory, swap devices, transparent huge "
		 "pages, hugetlb pools, NUMA nodes,\ncgroup version and the "
		 "vm sysctls. With MEMTUNE_FSROOT=DIR it reads a captured\n"
		 "/proc and /sys tree of another machine instead.\n"
		 "\n"
		 "  --json   one JSON object on stdout\n",
	.fn = sysinfo_main,
};
