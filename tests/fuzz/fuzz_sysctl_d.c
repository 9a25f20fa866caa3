/* libFuzzer target: sysctl.d files (advisor/sysctl_d.c), which packages
 * and administrators write: the input is both a file that sorts after
 * 99-memtune.conf in /etc/sysctl.d of a copy of the qemu-2node fixture
 * tree, and the text of the memtune file whose keys are looked up;
 * mt_sysctl_overrides lists the overrides and mt_sysctl_origin finds
 * where a key was last set. */
#include <stdint.h>
#include <stdlib.h>

#include "../../advisor/advisor.h"
#include "harness.h"

FZ_INIT_TREE("qemu-2node")

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fz_str(data, size), *warn = NULL, where[600];

	fz_put(fz_tree("qemu-2node"), "etc/sysctl.d/99-zz-fuzz.conf", data,
	       size, NULL, 0);
	mt_sysctl_overrides(text, &warn);
	free(warn);
	mt_sysctl_origin("vm.swappiness", where, sizeof(where));
	mt_sysctl_origin("vm.min_free_kbytes", where, sizeof(where));
	free(text);
	return 0;
}
