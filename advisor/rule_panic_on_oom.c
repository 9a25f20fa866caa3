/* vm.panic_on_oom: whether running out of memory kills a process (0, the
 * kernel's default) or panics the machine (1, 2: "for failover of
 * clustering", Documentation/admin-guide/sysctl/vm.rst). A Kubernetes node
 * needs 0: the kubelet refuses to start otherwise with
 * protectKernelDefaults, and writes 0 itself without it
 * (advisor/vendors.c). Elsewhere the current value is kept: panicking is a
 * failover policy memtune cannot judge. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "advisor.h"
#include "vendors.h"

#define SOURCE \
	"https://docs.kernel.org/admin-guide/sysctl/vm.html" \
	"#panic-on-oom (Documentation/admin-guide/sysctl/vm.rst, Linux 6.12)"

/* Why the current value stays when no application asks for one. */
static void keep_reason(struct mt_item *it, int64_t cur)
{
	mt_item_reason(it,
		       cur == 0 ?
			       "Keep 0, the kernel's default: out of "
			       "memory, the OOM killer kills a process and the "
			       "machine stays up. " :
			       "Keep %s: someone chose to "
			       "panic on out of memory, a failover policy (the "
			       "kernel's default is 0, which kills a process "
			       "instead). ",
		       it->current);
}

static int panic_on_oom_advise(const struct mt_advise_ctx *ctx,
			       struct mt_advice *out, struct mt_err *err)
{
	(void)err;
	return mt_vendor_sysctl_item(ctx, out, &mt_rule_panic_on_oom,
				     "panic_on_oom", keep_reason);
}

const struct mt_rule mt_rule_panic_on_oom = {
	.name = "panic_on_oom",
	.knob = "vm.panic_on_oom",
	.summary = "panic or kill on out of memory, as the applications "
		   "present require",
	.source = SOURCE,
	.advise = panic_on_oom_advise,
};
