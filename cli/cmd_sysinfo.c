/* memtune sysinfo: the machine's memory configuration. */
#include <getopt.h>
#include <jansson.h>

#include "../core/sysinfo.h"
#include "../core/topo.h"
#include "../core/log.h"
#include "cli.h"
#include "sysinfo_print.h"

static int sysinfo_main(int argc, char **argv)
{
	struct mt_err err = { 0 };
	struct mt_topo *topo = NULL;
	json_t *info;
	bool json = false;
	int o;

	o = mt_cli_json_only(&mt_cmd_sysinfo, argc, argv, &json);
	if (o >= 0)
		return o;
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
	.shortopts = "",
	.longopts = mt_cli_json_opts,
};
