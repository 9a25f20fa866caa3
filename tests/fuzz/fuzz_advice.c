/* libFuzzer target: advice.json as `memtune apply` reads it. The input is
 * parsed (jansson, then advisor/advice.c mt_advice_from_json), printed,
 * turned back into JSON and into the sysctl.d text, and then handed to
 * mt_apply as DIR/advice.json in dry-run mode with --persist (nothing is
 * written; the current values are read from a copy of the qemu-2node
 * fixture tree through MEMTUNE_FSROOT). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../advisor/advisor.h"
#include "harness.h"

static char dir[4096];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_tree("qemu-2node");
	snprintf(dir, sizeof(dir), "%s/advice", fz_tmpdir());
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct mt_apply_opts o = {
		.dry_run = true,
		.persist = true,
		.skip_privilege_check = true,
	};
	struct mt_err err = { 0 };
	struct mt_advice a;
	json_error_t jerr;
	char *conf = NULL;
	json_t *root;
	int problems = 0;

	root = json_loadb((const char *)data, size, 0, &jerr);
	if (root && mt_advice_from_json(root, "advice.json", &a, &err) == 0) {
		json_t *back = mt_advice_json(&a);

		mt_advice_print(fz_null(), &a);
		conf = mt_advice_sysctl_conf(&a);
		json_decref(back);
		mt_advice_free(&a);
	}
	json_decref(root);
	fz_put(dir, "advice.json", data, size, NULL, 0);
	fz_put(dir, MT_SYSCTL_D_NAME, (const uint8_t *)(conf ? conf : ""),
	       conf ? strlen(conf) : 0, NULL, 0);
	free(conf);
	mt_apply(dir, &o, fz_null(), &problems, &err);
	return 0;
}
