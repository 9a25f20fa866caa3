/* libFuzzer target: INI job files (core/config.c over inih) and profiles
 * (advisor/profile.c). The input is loaded as a job file, each of its
 * sections is validated against its schema (global, or the benchmark the
 * section names), loaded again from a file (the getline path, where a NUL
 * byte can sit inside a line), and loaded as a profile. The first line is
 * also tried as a --set override. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../advisor/advisor.h"
#include "../../bench/runner/registry.h"
#include "../../bench/runner/runner.h"
#include "../../core/config.h"
#include "harness.h"

/* Resolves every section cfg holds against its schema. */
static void resolve_all(const struct mt_cfg *cfg)
{
	for (size_t i = 0; i < cfg->n_sections; i++) {
		const char *name = cfg->sections[i];
		const struct mt_param *schema = NULL;
		const struct mt_bench *b;
		struct mt_params *p = NULL;
		struct mt_err err = { 0 };

		if (strcmp(name, "global") == 0)
			schema = mt_global_params;
		else if ((b = mt_bench_find(name)))
			schema = b->params;
		if (!schema)
			continue;
		if (mt_params_resolve(cfg, name, schema, &p, &err) == 0)
			mt_params_free(p);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fz_str(data, size), *nl, path[4096];
	struct mt_err err = { 0 };
	struct mt_profile prof;
	struct mt_cfg cfg;

	mt_cfg_init(&cfg);
	if (mt_cfg_load_string(&cfg, "fuzz.ini", text, &err) == 0)
		resolve_all(&cfg);
	mt_cfg_free(&cfg);

	fz_put(fz_tmpdir(), "fuzz.ini", data, size, path, sizeof(path));
	mt_cfg_init(&cfg);
	if (mt_cfg_load(&cfg, path, &err) == 0)
		resolve_all(&cfg);
	mt_cfg_free(&cfg);

	memset(&prof, 0, sizeof(prof));
	if (mt_profile_load_string("fuzz", text, &prof, &err) == 0)
		mt_profile_free(&prof);

	nl = strchr(text, '\n');
	if (nl)
		*nl = '\0';
	mt_cfg_init(&cfg);
	if (mt_cfg_set(&cfg, text, 1, &err) == 0)
		resolve_all(&cfg);
	mt_cfg_free(&cfg);
	free(text);
	return 0;
}
