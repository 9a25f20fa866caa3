/* vm.max_map_count: how many memory-mapped areas one process may have.
 * Elasticsearch maps its index files and its bootstrap check refuses to
 * start (in production mode) below 262144; from 8.18 its documentation
 * recommends 1048576. Without such an application the kernel's default,
 * 65530 (DEFAULT_MAX_MAP_COUNT, Documentation/admin-guide/sysctl/vm.rst),
 * is kept. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "advisor.h"
#include "vendors.h"

#define SOURCE "https://docs.kernel.org/admin-guide/sysctl/vm.html" \
	"#max-map-count (Documentation/admin-guide/sysctl/vm.rst, Linux 6.12)"
#define KERNEL_DEFAULT 65530

static int max_map_count_advise(const struct mt_advise_ctx *ctx,
				struct mt_advice *out, struct mt_err *err)
{
	struct mt_vendor_choice c;
	struct mt_item *it;
	int64_t cur;
	char v[32];
	const char *rec;

	(void)err;
	if (!mt_ev_sysctl(ctx, "max_map_count", &cur))
		return 0;
	it = mt_advice_add(out, &mt_rule_max_map_count, "max_map_count");
	if (!it)
		return -ENOMEM;
	snprintf(v, sizeof(v), "%" PRId64, cur);
	snprintf(it->current, sizeof(it->current), "%s", v);
	mt_vendor_choose(ctx, "vm.max_map_count", v, &c);
	mt_vendor_explain(it, &c);
	rec = c.value && !c.keep && !c.conflict ? c.value : v;
	if (c.n == 0) {
		mt_item_reason(it, "No application on this host asks for "
			       "more memory maps per process: keep %s%s. ",
			       v, cur == KERNEL_DEFAULT ? ", the kernel's "
			       "default" : " (the kernel's default is 65530)");
		mt_item_ground(it, MT_GROUND_DOCUMENTED, SOURCE);
	}
	mt_item_sysctl(it, "max_map_count", rec);
	it->change = strcmp(rec, v) != 0;
	return 0;
}

const struct mt_rule mt_rule_max_map_count = {
	.name = "max_map_count",
	.knob = "vm.max_map_count",
	.summary = "memory maps per process, as the applications present "
		   "require",
	.source = SOURCE,
	.advise = max_map_count_advise,
};
