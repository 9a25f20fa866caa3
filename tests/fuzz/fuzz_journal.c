/* libFuzzer target: the state journal's loader (core/journal.c). The input
 * is a journal file in a private directory; mt_journal_pending and
 * mt_journal_open (shared and exclusive) read, split and check its entries.
 * Opening never undoes anything, so no entry of the input is carried out:
 * playback (`memtune restore`) would write the paths the entries name, so
 * it is not fuzzed. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../core/journal.h"
#include "harness.h"

/* Anything resolved under the root lands in the copy. */
FZ_INIT_TREE("qemu-2node")

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mt_err err = { 0 };
	struct mt_journal *j;
	char path[4096];

	for (int exclusive = 0; exclusive < 2; exclusive++) {
		fz_put(fz_tmpdir(), "state/run.journal", data, size, path,
		       sizeof(path));
		mt_journal_pending(path);
		if (mt_journal_open(path, exclusive, &j, &err) == 0) {
			if (mt_journal_count(j) > size)
				abort();
			mt_journal_close(j);
		}
	}
	return 0;
}
