/* The fixtures unit tests share: the source tree's fixture machines, the
 * advisor run on a tree, temporary directories and small file reads. */
#ifndef MT_TEST_FIXTURES_H
#define MT_TEST_FIXTURES_H

#include <stddef.h>
#include <stdint.h>

struct mt_advice;
struct mt_item;
struct mt_knob;
struct mt_advise_ctx;
struct mt_profile;

/* The source tree: $MEMTUNE_SRCDIR, else the working directory when it
 * holds tests/fixtures (tests run from the repository root), else the
 * directory this file was compiled from, three levels up. */
const char *mt_test_srcdir(void);

/* The fixture tree tests/fixtures/machines/NAME of the source tree, or
 * NAME itself when it is an absolute path. A static buffer: the next call
 * overwrites it. */
const char *mt_test_machine(const char *name);

/* A new directory /tmp/mt-test-TAG-XXXXXX, its path in dir (len bytes).
 * Returns 0, or -1 when it cannot be made (for cmocka set-ups). */
int mt_test_mkdtemp(char *dir, size_t len, const char *tag);

/* The cmocka state of a test on a private directory: a zeroed struct of
 * size bytes whose first member is char dir[MT_TEST_DIR_LEN] (any name),
 * holding a new directory made by mt_test_mkdtemp(.., tag). Returns NULL
 * when it cannot be made (the set-up then returns -1). */
#define MT_TEST_DIR_LEN 64
void *mt_test_dir_state(size_t size, const char *tag);

/* The tear-down of such a state: unsets MEMTUNE_FSROOT, removes the
 * directory with everything in it and frees the state. */
int mt_test_dir_teardown(void **state);

/* A copy (cp -a) of the fixture tree NAME (see mt_test_machine) in a new
 * directory made by mt_test_mkdtemp(dir, len, tag). Fails the running
 * test on any error. */
void mt_test_copy_machine(const char *name, char *dir, size_t len,
			  const char *tag);

/* The JSON array "[item0,item1,...]" of the JSON texts item[0..n), in
 * memory the caller frees. Fails the running test when out of memory. */
char *mt_test_json_array(const char *const *item, size_t n);

/* Reads the file at path into buf (len bytes, NUL-terminated, cut at
 * len - 1); "" when it cannot be opened. */
void mt_test_slurp(const char *path, char *buf, size_t len);

/* The run directory dir loaded (mt_run_load); the test fails when it
 * cannot be. */
struct mt_run;
struct mt_run *mt_test_run_load(const char *dir);

/* The whole file DIR/NAME as a new string (the caller frees it); the test
 * fails when it cannot be read. */
char *mt_test_slurp_file(const char *dir, const char *name);

/* A context on the tree at root (MEMTUNE_FSROOT, left set) with the
 * profile text ini loaded under name, as `memtune advise` without a run
 * makes it. Fails the running test on any error. */
void mt_test_ctx_open(const char *root, const char *name, const char *ini,
		      struct mt_profile *p, struct mt_advise_ctx *ctx);

/* Runs the advisor on ctx into a (cleared first), then frees ctx and p
 * and unsets MEMTUNE_FSROOT. Fails the running test on any error. */
void mt_test_ctx_advise(struct mt_profile *p, struct mt_advise_ctx *ctx,
			struct mt_advice *a);

/* The item id of a; fails the running test when there is none. */
struct mt_item *mt_test_item(const struct mt_advice *a, const char *id);

/* The evidence line of item it that contains text, or NULL. */
const char *mt_test_cited(const struct mt_item *it, const char *text);

/* Fails the running test unless item id of a (see mt_test_item) has, for
 * each text of the NULL-terminated list after id, an evidence line that
 * contains it. */
void mt_test_expect_cites(const struct mt_advice *a, const char *id, ...)
	__attribute__((sentinel));

/* Looks knob name up (mt_knob_lookup with mem_total) into k and checks
 * its path and its sysctl name ("" for none). */
void mt_test_knob(const char *name, uint64_t mem_total, struct mt_knob *k,
		  const char *path, const char *sysctl);

/* mt_test_ctx_open and mt_test_ctx_advise in one. */
void mt_test_advise_root(const char *root, const char *name, const char *ini,
			 struct mt_advice *a);

#endif
