/* vm.max_map_count: how many memory-mapped areas one process may have.
 * Elasticsearch maps its index files and its bootstrap check refuses to
 * start (in production mode) below 262144; from 8.18 its documentation
 * recommends 1048576. Without such an application the kernel's default,
 * 65530 (DEFAULT_MAX_MAP_COUNT, Documentation/admin-guide/sysctl/vm.rst),
 * is kept. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "advisor.h"
#include "vendors.h"

#define SOURCE \
	"https://docs.kernel.org/admin-guide/sysctl/vm.html" \
	"#max-map-count (Documentation/admin-guide/sysctl/vm.rst, Linux 6.12)"
#define KERNEL_DEFAULT 65530

/* Why the current value stays when no application asks for more. */
static void keep_reason(struct mt_item *it, int64_t cur)
{
	mt_item_reason(it,
		       "No application on this host asks for more memory "
		       "maps per process: keep %s%s. ",
		       it->current,
		       cur == KERNEL_DEFAULT ?
			       ", the kernel's default" :
			       " (the kernel's default is 65530)");
}

static int max_map_count_advise(const struct mt_advise_ctx *ctx,
				struct mt_advice *out, struct mt_err *err)
{
	(void)err;
	return mt_vendor_sysctl_item(ctx, out, &mt_rule_max_map_count,
				     "max_map_count", keep_reason);
}

const struct mt_rule mt_rule_max_map_count = {
	.name = "max_map_count",
	.knob = "vm.max_map_count",
	.summary = "memory maps per process, as the applications present "
		   "require",
	.source = SOURCE,
	.advise = max_map_count_advise,
};
