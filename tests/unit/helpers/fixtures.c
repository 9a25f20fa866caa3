/* The fixtures unit tests share: see fixtures.h. */
#include "fixtures.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../../advisor/advisor.h"
#include "../../../analyzer/run.h"
#include "../../../core/knobs.h"
#include "fake_tree.h"

const char *mt_test_srcdir(void)
{
	static char dir[PATH_MAX];
	const char *src = getenv("MEMTUNE_SRCDIR");
	char *slash;

	if (src && *src)
		return src;
	if (access("tests/fixtures", F_OK) == 0 && getcwd(dir, sizeof(dir)))
		return dir;
	snprintf(dir, sizeof(dir), "%s", __FILE__);
	for (int up = 0; up < 4; up++) {
		slash = strrchr(dir, '/');
		if (!slash)
			return ".";
		*slash = '\0';
	}
	return dir;
}

const char *mt_test_machine(const char *name)
{
	static char buf[PATH_MAX];

	if (name[0] == '/')
		return name;
	snprintf(buf, sizeof(buf), "%s/tests/fixtures/machines/%s",
		 mt_test_srcdir(), name);
	return buf;
}

int mt_test_mkdtemp(char *dir, size_t len, const char *tag)
{
	snprintf(dir, len, "/tmp/mt-test-%s-XXXXXX", tag);
	return mkdtemp(dir) ? 0 : -1;
}

void *mt_test_dir_state(size_t size, const char *tag)
{
	char *t = calloc(1, size);

	if (!t || mt_test_mkdtemp(t, MT_TEST_DIR_LEN, tag) < 0) {
		free(t);
		return NULL;
	}
	return t;
}

int mt_test_dir_teardown(void **state)
{
	char *dir = *state;

	unsetenv("MEMTUNE_FSROOT");
	mt_test_remove_tree(dir);
	free(dir);
	return 0;
}

void mt_test_copy_machine(const char *name, char *dir, size_t len,
			  const char *tag)
{
	char cmd[2 * PATH_MAX + 32];

	assert_int_equal(mt_test_mkdtemp(dir, len, tag), 0);
	snprintf(cmd, sizeof(cmd), "cp -a '%s/.' '%s/'", mt_test_machine(name),
		 dir);
	assert_int_equal(system(cmd), 0);
}

void mt_test_slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, len - 1, f) : 0;

	buf[n] = '\0';
	if (f)
		fclose(f);
}

struct mt_run *mt_test_run_load(const char *dir)
{
	struct mt_err err = { 0 };
	struct mt_run *run = NULL;

	assert_int_equal(mt_run_load(dir, 0, &run, &err), 0);
	return run;
}

char *mt_test_slurp_file(const char *dir, const char *name)
{
	char path[4096], *text = NULL;
	size_t cap = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_true(getdelim(&text, &cap, '\0', f) > 0);
	fclose(f);
	return text;
}

void mt_test_ctx_open(const char *root, const char *name, const char *ini,
		      struct mt_profile *p, struct mt_advise_ctx *ctx)
{
	struct mt_err err = { 0 };

	assert_int_equal(setenv("MEMTUNE_FSROOT", root, 1), 0);
	assert_int_equal(mt_profile_load_string(name, ini, p, &err), 0);
	assert_int_equal(mt_advise_ctx_init(ctx, NULL, p, &err), 0);
}

void mt_test_ctx_advise(struct mt_profile *p, struct mt_advise_ctx *ctx,
			struct mt_advice *a)
{
	struct mt_err err = { 0 };

	memset(a, 0, sizeof(*a));
	assert_int_equal(mt_advise(ctx, a, &err), 0);
	mt_advise_ctx_free(ctx);
	mt_profile_free(p);
	unsetenv("MEMTUNE_FSROOT");
}

struct mt_item *mt_test_item(const struct mt_advice *a, const char *id)
{
	struct mt_item *it = mt_advice_find(a, id);

	if (!it)
		fail_msg("no item %s", id);
	return it;
}

const char *mt_test_cited(const struct mt_item *it, const char *text)
{
	size_t i;
	json_t *e;

	json_array_foreach(it->evidence, i, e)
		if (strstr(json_string_value(e), text))
			return json_string_value(e);
	return NULL;
}

void mt_test_expect_cites(const struct mt_advice *a, const char *id, ...)
{
	const struct mt_item *it = mt_test_item(a, id);
	const char *text;
	va_list ap;

	va_start(ap, id);
	while ((text = va_arg(ap, const char *)))
		if (!mt_test_cited(it, text))
			fail_msg("item %s does not cite \"%s\"", id, text);
	va_end(ap);
}

void mt_test_knob(const char *name, uint64_t mem_total, struct mt_knob *k,
		  const char *path, const char *sysctl)
{
	assert_int_equal(mt_knob_lookup(name, mem_total, k), 0);
	assert_string_equal(k->path, path);
	assert_string_equal(k->sysctl, sysctl);
}

void mt_test_advise_root(const char *root, const char *name, const char *ini,
			 struct mt_advice *a)
{
	struct mt_profile p;
	struct mt_advise_ctx ctx;

	mt_test_ctx_open(root, name, ini, &p, &ctx);
	mt_test_ctx_advise(&p, &ctx, a);
}

char *mt_test_json_array(const char *const *item, size_t n)
{
	size_t len = 3;
	char *json;

	for (size_t i = 0; i < n; i++)
		len += strlen(item[i]) + 1;
	json = malloc(len);
	assert_non_null(json);
	strcpy(json, "[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(json, ",");
		strcat(json, item[i]);
	}
	strcat(json, "]");
	return json;
}
