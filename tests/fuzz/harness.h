/* Shared pieces of the libFuzzer targets (tests/fuzz/fuzz_*.c): a private
 * temporary directory, a copy of a fixture machine to point MEMTUNE_FSROOT
 * at, and writing the fuzzer's bytes into files there.
 *
 * Nothing here touches the live /proc or /sys: every target that reads
 * through core/fsroot.h reads a copy of tests/fixtures/machines/NAME made
 * under $TMPDIR (default /tmp) and removed at exit. */
#ifndef MT_FUZZ_HARNESS_H
#define MT_FUZZ_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct mt_advise_ctx;
struct mt_profile;

/* The libFuzzer entry points every target defines (TestOneInput) or may
 * define (Initialize). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Defines LLVMFuzzerInitialize for a target whose only set-up is a copy of
 * the fixture machine MACHINE with MEMTUNE_FSROOT pointed at it (fz_tree). */
#define FZ_INIT_TREE(machine) \
	int LLVMFuzzerInitialize(int *argc, char ***argv) \
	{ \
		(void)argc; \
		(void)argv; \
		fz_tree(machine); \
		return 0; \
	}

/* The source tree: $MEMTUNE_SRCDIR, else the directory the Makefile
 * compiled the harness in. */
const char *fz_srcdir(void);

/* A private directory made on first use (mkdtemp under $TMPDIR), removed
 * with everything in it when the process exits. Aborts if it cannot be
 * made: a harness that cannot set itself up must not pass silently. */
const char *fz_tmpdir(void);

/* Copies tests/fixtures/machines/MACHINE under fz_tmpdir() (once) and sets
 * MEMTUNE_FSROOT to the copy. Returns the copy's path; aborts on failure. */
const char *fz_tree(const char *machine);

/* Writes data[0..size) to dir + "/" + rel (truncating), creating missing
 * directories. Aborts on failure. Stores the path in path (len bytes) when
 * path is not NULL. */
void fz_put(const char *dir, const char *rel, const uint8_t *data, size_t size,
	    char *path, size_t len);

/* A malloc'ed NUL-terminated copy of data[0..size) (NUL bytes inside are
 * kept: the parsers then see a shorter string, as they would from a file
 * read with mt_fs_read). Aborts when memory runs out. */
char *fz_str(const uint8_t *data, size_t size);

/* /dev/null opened for writing, for the print functions. */
FILE *fz_null(void);

/* Writes data into the fixture tree (fz_tree must have been called) at
 * rel, such as "proc/meminfo", then reads the machine the way `memtune
 * sysinfo` and the runner do: mt_caps_read, mt_sysinfo_collect and
 * mt_sysinfo_print (to /dev/null). */
void fz_sysinfo_with(const char *rel, const uint8_t *data, size_t size);

/* Loads the shipped profile NAME from the source tree's configs/ into
 * profile. Aborts (printing the error) when it cannot. */
void fz_profile(const char *name, struct mt_profile *profile);

/* `memtune advise` without writing anything: runs every rule of ctx
 * (mt_advise), prints the advice to /dev/null, turns it into JSON and the
 * sysctl.d text, and frees the advice and ctx. */
void fz_advise(struct mt_advise_ctx *ctx);

#endif
