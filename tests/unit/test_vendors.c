/* The vendor guidance table (advisor/vendors.c): every row is complete and
 * cites a versioned document; versions compare numerically; what a row
 * accepts; and how mt_vendor_choose settles several applications at once
 * (kept, chosen, or a conflict). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../advisor/advisor.h"
#include "../../advisor/vendors.h"

/* A context with the given kernel and no application yet. */
static void ctx_init(struct mt_advise_ctx *ctx, const char *kernel)
{
	json_t *sys = json_pack("{s:s, s:{s:I}}", "kernel", kernel, "memory",
				"mem_total_bytes", (json_int_t)(8ll << 30));

	assert_non_null(sys);
	assert_int_equal(mt_advise_ctx_from(ctx, sys, NULL, NULL, false), 0);
	json_decref(sys);
}

static void add_app(struct mt_advise_ctx *ctx, enum mt_app_kind k,
		    const char *version)
{
	ctx->apps[k].present = ctx->apps[k].running = true;
	snprintf(ctx->apps[k].version, sizeof(ctx->apps[k].version), "%s",
		 version);
}

static void test_table_complete(void **state)
{
	(void)state;
	assert_true(mt_n_vendor_rules >= 16);
	for (size_t i = 0; i < mt_n_vendor_rules; i++) {
		const struct mt_vendor_rule *r = &mt_vendor_rules[i];

		assert_true(r->app < MT_APP_N);
		assert_non_null(r->knob);
		assert_non_null(r->value);
		assert_non_null(r->quote);
		/* A URL and, in brackets, the document's version or date. */
		assert_non_null(r->source);
		assert_true(strncmp(r->source, "https://", 8) == 0);
		assert_non_null(strchr(r->source, '('));
		assert_false(r->at_least && r->at_most);
		assert_true(mt_vendor_satisfied(r, r->value));
	}
}

static void test_version_cmp(void **state)
{
	(void)state;
	assert_int_equal(mt_version_cmp("8.0", "8.0"), 0);
	assert_int_equal(mt_version_cmp("8.0", "8.0.0"), 0);
	assert_true(mt_version_cmp("7.0.12", "8.0") < 0);
	assert_true(mt_version_cmp("8.0.4", "8.0") > 0);
	assert_true(mt_version_cmp("10", "9.6") > 0);
	assert_true(mt_version_cmp("8.18", "8.9") > 0);
	assert_true(mt_version_cmp("21.3.0.0", "21") > 0);
	assert_true(mt_version_cmp("19c", "21") < 0);
}

/* The row of app for knob whose value is value. */
static const struct mt_vendor_rule *row(enum mt_app_kind app, const char *knob,
					const char *value)
{
	for (size_t i = 0; i < mt_n_vendor_rules; i++)
		if (mt_vendor_rules[i].app == app &&
		    strcmp(mt_vendor_rules[i].knob, knob) == 0 &&
		    strcmp(mt_vendor_rules[i].value, value) == 0)
			return &mt_vendor_rules[i];
	fail_msg("no row %d %s %s", app, knob, value);
	return NULL;
}

static void test_satisfied(void **state)
{
	const struct mt_vendor_rule *r;

	(void)state;
	r = row(MT_APP_REDIS, "transparent_hugepage.enabled", "never");
	assert_true(mt_vendor_satisfied(r, "never"));
	assert_true(mt_vendor_satisfied(r, "madvise"));
	assert_false(mt_vendor_satisfied(r, "always"));
	assert_false(mt_vendor_satisfied(r, ""));
	r = row(MT_APP_ELASTICSEARCH, "vm.max_map_count", "262144");
	assert_true(r->at_least && r->hard);
	assert_true(mt_vendor_satisfied(r, "262144"));
	assert_true(mt_vendor_satisfied(r, "1048576"));
	assert_false(mt_vendor_satisfied(r, "65530"));
	assert_false(mt_vendor_satisfied(r, "262144x"));
	r = row(MT_APP_POSTGRESQL, "vm.dirty_bytes", "536870912");
	assert_true(mt_vendor_satisfied(r, "268435456"));
	assert_false(mt_vendor_satisfied(r, "536870913"));
	assert_false(mt_vendor_satisfied(r, "0"));
	r = row(MT_APP_KUBELET, "vm.overcommit_memory", "1");
	assert_true(r->hard);
	assert_false(mt_vendor_satisfied(r, "0"));
}

static void test_applies_by_version(void **state)
{
	struct mt_advise_ctx ctx;
	const struct mt_vendor_rule *m7, *m8, *o_old, *o_new, *o19;

	(void)state;
	m7 = row(MT_APP_MONGODB, "transparent_hugepage.enabled", "never");
	m8 = row(MT_APP_MONGODB, "transparent_hugepage.enabled", "always");
	o19 = row(MT_APP_ORACLE, "transparent_hugepage.enabled", "madvise");
	ctx_init(&ctx, "5.14.0-427.el9.x86_64");
	assert_false(mt_vendor_applies(m7, &ctx)); /* not present */
	add_app(&ctx, MT_APP_MONGODB, "7.0.12");
	assert_true(mt_vendor_applies(m7, &ctx));
	assert_false(mt_vendor_applies(m8, &ctx));
	add_app(&ctx, MT_APP_MONGODB, "8.0.4");
	assert_false(mt_vendor_applies(m7, &ctx));
	assert_true(mt_vendor_applies(m8, &ctx));
	add_app(&ctx, MT_APP_MONGODB, ""); /* unknown: neither */
	assert_false(mt_vendor_applies(m7, &ctx));
	assert_false(mt_vendor_applies(m8, &ctx));
	/* Oracle 23ai: madvise from UEK7 (5.15) on, never below. */
	add_app(&ctx, MT_APP_ORACLE, "23.5");
	assert_false(mt_vendor_applies(o19, &ctx));
	o_old = NULL;
	for (size_t i = 0; i < mt_n_vendor_rules; i++) {
		o_new = &mt_vendor_rules[i];
		if (o_new->app == MT_APP_ORACLE && o_new->since &&
		    strcmp(o_new->value, "never") == 0)
			o_old = o_new;
	}
	assert_non_null(o_old);
	assert_true(mt_vendor_applies(o_old, &ctx));
	mt_advise_ctx_free(&ctx);
	ctx_init(&ctx, "6.12.0");
	add_app(&ctx, MT_APP_ORACLE, "23.5");
	assert_true(mt_vendor_applies(o19, &ctx));
	assert_false(mt_vendor_applies(o_old, &ctx));
	mt_advise_ctx_free(&ctx);
}

static void test_choose(void **state)
{
	struct mt_advise_ctx ctx;
	struct mt_vendor_choice c;

	(void)state;
	ctx_init(&ctx, "6.8.0");
	/* Nothing present: no rows. */
	assert_int_equal(mt_vendor_choose(&ctx, "vm.overcommit_memory", "0",
					  &c),
			 0);
	assert_null(c.value);
	/* Redis alone: 1, a requirement. */
	add_app(&ctx, MT_APP_REDIS, "7.2");
	assert_int_equal(mt_vendor_choose(&ctx, "vm.overcommit_memory", "0",
					  &c),
			 1);
	assert_string_equal(c.value, "1");
	assert_false(c.keep);
	assert_true(c.hard);
	assert_int_equal(mt_vendor_choose(&ctx, "vm.overcommit_memory", "1",
					  &c),
			 1);
	assert_true(c.keep);
	/* Redis and PostgreSQL: 1 against 2, a conflict. */
	add_app(&ctx, MT_APP_POSTGRESQL, "16.2");
	assert_int_equal(mt_vendor_choose(&ctx, "vm.overcommit_memory", "0",
					  &c),
			 2);
	assert_true(c.conflict);
	assert_null(c.value);
	/* ... who agree on THP: never (madvise also satisfies both). */
	mt_vendor_choose(&ctx, "transparent_hugepage.enabled", "always", &c);
	assert_false(c.conflict);
	assert_string_equal(c.value, "never");
	mt_vendor_choose(&ctx, "transparent_hugepage.enabled", "madvise", &c);
	assert_true(c.keep);
	/* MongoDB 8 beside them: always against never/madvise. */
	add_app(&ctx, MT_APP_MONGODB, "8.0");
	mt_vendor_choose(&ctx, "transparent_hugepage.enabled", "madvise", &c);
	assert_true(c.conflict);
	/* MongoDB of unknown version: undecided, named. */
	add_app(&ctx, MT_APP_MONGODB, "");
	mt_vendor_choose(&ctx, "transparent_hugepage.enabled", "madvise", &c);
	assert_int_equal(c.n_undecided, 1);
	assert_int_equal(c.undecided[0], MT_APP_MONGODB);
	assert_true(c.keep);
	mt_advise_ctx_free(&ctx);

	/* Elasticsearch 8.18: the hard minimum and the recommended value. */
	ctx_init(&ctx, "6.8.0");
	add_app(&ctx, MT_APP_ELASTICSEARCH, "8.18.1");
	mt_vendor_choose(&ctx, "vm.max_map_count", "65530", &c);
	assert_string_equal(c.value, "1048576");
	assert_true(c.hard);
	mt_vendor_choose(&ctx, "vm.max_map_count", "262144", &c);
	assert_string_equal(c.value, "1048576");
	assert_false(c.hard); /* the hard rule is met already */
	mt_vendor_choose(&ctx, "vm.max_map_count", "2000000", &c);
	assert_true(c.keep);
	mt_advise_ctx_free(&ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_complete),
		cmocka_unit_test(test_version_cmp),
		cmocka_unit_test(test_satisfied),
		cmocka_unit_test(test_applies_by_version),
		cmocka_unit_test(test_choose),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
