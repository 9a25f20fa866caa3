/* Every shipped profile loads and advises on every machine fixture tree
 * (issue 13: configs/profiles/desktop.ini once did not load, and nothing
 * loaded every profile). Each item must say what its confidence follows
 * from, with a source, and its confidence must be the one that ground
 * implies; ids are unique; a changed sysctl item's value passes the knob
 * table's range check, so that apply would take it. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../advisor/advisor.h"
#include "../../core/knobs.h"
#include "../../core/sysinfo.h"

static const char *srcdir(void)
{
	const char *src = getenv("MEMTUNE_SRCDIR");

	return src ? src : ".";
}

/* The names in dir (files ending in suffix, or directories when suffix
 * is NULL), sorted; returns how many (at most max). */
static size_t list(const char *dir, const char *suffix, char names[][64],
		   size_t max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) && n < max) {
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.' || len >= 64)
			continue;
		if (suffix) {
			size_t sl = strlen(suffix);

			if (len <= sl || strcmp(e->d_name + len - sl, suffix))
				continue;
			snprintf(names[n], 64, "%.*s", (int)(len - sl),
				 e->d_name);
		} else {
			if (e->d_type != DT_DIR)
				continue;
			snprintf(names[n], 64, "%.63s", e->d_name);
		}
		n++;
	}
	closedir(d);
	qsort(names, n, 64, (int (*)(const void *, const void *))strcmp);
	return n;
}

static enum mt_confidence implied(enum mt_ground g)
{
	return g == MT_GROUND_MEASURED || g == MT_GROUND_HARD_RULE ?
		       MT_CONF_HIGH :
	       g == MT_GROUND_DOCUMENTED ? MT_CONF_MEDIUM :
					   MT_CONF_LOW;
}

static void check_advice(const struct mt_advice *a, const char *profile,
			 const char *tree, uint64_t mem)
{
	for (size_t i = 0; i < a->n; i++) {
		const struct mt_item *it = &a->items[i];
		struct mt_knob k;
		char why[256];

		for (size_t j = 0; j < i; j++)
			if (!strcmp(a->items[j].id, it->id))
				fail_msg("%s on %s: item id %s twice", profile,
					 tree, it->id);
		if (it->ground == MT_GROUND_NONE)
			fail_msg("%s on %s: item %s states no ground", profile,
				 tree, it->id);
		if (it->confidence != implied(it->ground))
			fail_msg("%s on %s: item %s is %s confidence but "
				 "its ground is %s",
				 profile, tree, it->id,
				 mt_confidence_name(it->confidence),
				 mt_ground_name(it->ground));
		if (!it->source || !it->source[0])
			fail_msg("%s on %s: item %s cites no source", profile,
				 tree, it->id);
		if (!it->reason[0])
			fail_msg("%s on %s: item %s gives no reason", profile,
				 tree, it->id);
		if (it->change && it->path[0] &&
		    mt_knob_lookup(it->knob, mem, &k) == 0 &&
		    !mt_knob_check(&k, it->value, why, sizeof(why)))
			fail_msg("%s on %s: item %s recommends %s: %s", profile,
				 tree, it->id, it->value, why);
	}
}

static void test_every_profile_on_every_tree(void **state)
{
	static char profiles[32][64], trees[64][64];
	char dir[4096];
	size_t np, nt, runs = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/configs/profiles", srcdir());
	np = list(dir, ".ini", profiles, 32);
	snprintf(dir, sizeof(dir), "%s/tests/fixtures/machines", srcdir());
	nt = list(dir, NULL, trees, 64);
	assert_true(np >= 5);
	assert_true(nt >= 5);
	for (size_t t = 0; t < nt; t++) {
		struct mt_err err = { 0 };
		json_t *sys;

		snprintf(dir, sizeof(dir), "%s/tests/fixtures/machines/%s",
			 srcdir(), trees[t]);
		setenv("MEMTUNE_FSROOT", dir, 1);
		sys = mt_sysinfo_collect(NULL, &err);
		if (!sys)
			fail_msg("tree %s: %s", trees[t], err.msg);
		for (size_t p = 0; p < np; p++) {
			struct mt_profile prof;
			struct mt_advise_ctx ctx;
			struct mt_advice a;
			char cdir[4096];

			snprintf(cdir, sizeof(cdir), "%s/configs", srcdir());
			if (mt_profile_load(profiles[p], cdir, &prof, &err))
				fail_msg("profile %s: %s", profiles[p],
					 err.msg);
			assert_int_equal(mt_advise_ctx_from(&ctx, sys, NULL,
							    &prof, true),
					 0);
			memset(&a, 0, sizeof(a));
			if (mt_advise(&ctx, &a, &err) < 0)
				fail_msg("%s on %s: %s", profiles[p], trees[t],
					 err.msg);
			assert_true(a.n > 0);
			check_advice(&a, profiles[p], trees[t], ctx.mem_total);
			mt_advice_free(&a);
			mt_advise_ctx_free(&ctx);
			mt_profile_free(&prof);
			runs++;
		}
		json_decref(sys);
		unsetenv("MEMTUNE_FSROOT");
	}
	assert_int_equal(runs, np * nt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_profile_on_every_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
