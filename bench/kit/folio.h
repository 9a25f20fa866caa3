/* Folio sizes of a file's cached pages, measured.
 *
 * Kernels with large folios (ext4 and xfs on 6.x) cache a file in folios of
 * 4 KiB to 2 MiB, sized by how the pages came in (readahead, write size).
 * The size changes what a small buffered overwrite costs, so a benchmark
 * that writes into a cached file records it instead of assuming 4 KiB
 * pages. The kernel shows it only through /proc/self/pagemap (page frame
 * numbers, root only) and /proc/kpageflags (compound head and tail bits):
 * the range is mapped read-only, its resident pages (mincore) are touched
 * so that they have page frames to report, and every resident page is
 * classed by the size of the folio it belongs to. Pages that are not
 * resident are neither touched nor read in.
 */
#ifndef MT_FOLIO_H
#define MT_FOLIO_H

#include <stddef.h>
#include <stdint.h>

#include "../../core/err.h"

struct mt_folio_profile {
	uint64_t resident_pages; /* pages classed */
	uint64_t large_pages;	 /* of them, in folios above 4 KiB */
	uint64_t pmd_pages;	 /* of them, in folios of 2 MiB or more */
	double mean_folio_kib;	 /* page-weighted mean folio size */
};

/* Profiles the cached pages of [off, off+len) of the file open on fd
 * (read-write, so that mincore tells the truth; off page-aligned).
 * Returns 0; -EPERM when this process may not see page frame numbers
 * (not root, or pagemap hides them), -ENOENT when the kernel has no
 * /proc/kpageflags: both with err saying so; or -errno with err set. */
int mt_folio_profile(int fd, uint64_t off, uint64_t len,
		     struct mt_folio_profile *out, struct mt_err *err);

/* The classing step of mt_folio_profile, on its inputs: pagemap[i] and
 * vec[i] (mincore) for each of `pages` pages of the range, and an open
 * kpageflags file (a real one, or a test's). A folio is a compound head
 * and the compound tails at the frames that follow it; a page with neither
 * bit is a folio of its own. Returns 0 or -errno of a kpageflags read. */
int mt_folio_classify(const uint64_t *pagemap, const unsigned char *vec,
		      size_t pages, int kpageflags_fd, long page,
		      struct mt_folio_profile *out);

#endif
