/* Folio sizes of a file's cached pages, from pagemap and kpageflags. */
#include "folio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Documentation/admin-guide/mm/pagemap.rst */
#define PM_PRESENT (1ULL << 63)
#define PM_PFN_MASK ((1ULL << 55) - 1)
#define KPF_COMPOUND_HEAD (1ULL << 15)
#define KPF_COMPOUND_TAIL (1ULL << 16)
/* Flags read at a time: a 2 MiB folio of 4 KiB pages. */
#define FLAG_BATCH 512

struct walk {
	int kfd;
	const uint64_t *pm;	  /* pagemap entries of the range */
	const unsigned char *vec; /* mincore */
	size_t pages;
	uint64_t flags[FLAG_BATCH];
	uint64_t first_pfn; /* of flags[0] */
	size_t nflags;
};

static uint64_t pfn_of(const struct walk *w, size_t i)
{
	return (w->pm[i] & PM_PRESENT) ? w->pm[i] & PM_PFN_MASK : 0;
}

/* The kpageflags of pfn, read in batches. Returns 0 or -errno. */
static int flags_of(struct walk *w, uint64_t pfn, uint64_t *out)
{
	if (pfn < w->first_pfn || pfn >= w->first_pfn + w->nflags) {
		ssize_t r = pread(w->kfd, w->flags, sizeof(w->flags),
				  (off_t)(pfn * sizeof(uint64_t)));

		if (r < (ssize_t)sizeof(uint64_t))
			return r < 0 ? -errno : -EIO;
		w->first_pfn = pfn;
		w->nflags = (size_t)r / sizeof(uint64_t);
	}
	*out = w->flags[pfn - w->first_pfn];
	return 0;
}

/* Classes every resident page of the range. */
static int classify(struct walk *w, struct mt_folio_profile *out, long page)
{
	memset(out, 0, sizeof(*out));
	double weighted = 0.0;
	size_t i = 0;

	while (i < w->pages) {
		uint64_t pfn = pfn_of(w, i), fl;
		size_t n = 1;
		int ret;

		if (!(w->vec[i] & 1) || !pfn) {
			i++;
			continue;
		}
		ret = flags_of(w, pfn, &fl);
		if (ret < 0)
			return ret;
		/* A folio is a head and the tails that follow it, at
		 * consecutive frames; a range that starts inside one sees
		 * tails first and counts what it sees. */
		if (fl & (KPF_COMPOUND_HEAD | KPF_COMPOUND_TAIL)) {
			while (i + n < w->pages &&
			       pfn_of(w, i + n) == pfn + n) {
				uint64_t f2;

				ret = flags_of(w, pfn + n, &f2);
				if (ret < 0)
					return ret;
				if (!(f2 & KPF_COMPOUND_TAIL))
					break;
				n++;
			}
		}
		out->resident_pages += n;
		if (n > 1)
			out->large_pages += n;
		if ((uint64_t)n * (uint64_t)page >= (2u << 20))
			out->pmd_pages += n;
		weighted += (double)n * (double)n;
		i += n;
	}
	if (out->resident_pages)
		out->mean_folio_kib = weighted / (double)out->resident_pages *
				      (double)page / 1024.0;
	return 0;
}

int mt_folio_classify(const uint64_t *pagemap, const unsigned char *vec,
		      size_t pages, int kpageflags_fd, long page,
		      struct mt_folio_profile *out)
{
	struct walk w = {
		.kfd = kpageflags_fd,
		.pm = pagemap,
		.vec = vec,
		.pages = pages,
	};

	return classify(&w, out, page);
}

int mt_folio_profile(int fd, uint64_t off, uint64_t len,
		     struct mt_folio_profile *out, struct mt_err *err)
{
	long page = sysconf(_SC_PAGESIZE);
	struct walk w = { .kfd = -1 };
	size_t pages = (size_t)(len / (uint64_t)page);
	unsigned char *vec = NULL;
	uint64_t *pm = NULL;
	int pmfd = -1, ret = 0;
	bool any_pfn = false, any_present = false;
	char *map;

	memset(out, 0, sizeof(*out));
	if (off % (uint64_t)page)
		return mt_err_set(err, -EINVAL, MT_ERR_RUNTIME,
				  "folio profile: offset %llu is not a "
				  "multiple of the page size",
				  (unsigned long long)off);
	if (!pages)
		return 0;
	map = mmap(NULL, pages * (size_t)page, PROT_READ, MAP_SHARED, fd,
		   (off_t)off);
	if (map == MAP_FAILED)
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "folio profile: cannot map the file: %s",
				  strerror(errno));
	vec = malloc(pages);
	pm = malloc(pages * sizeof(*pm));
	if (!vec || !pm) {
		ret = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				 "folio profile: out of memory");
		goto out;
	}
	if (mincore(map, pages * (size_t)page, vec) < 0) {
		ret = mt_err_set(err, -errno, MT_ERR_RUNTIME,
				 "folio profile: mincore failed: %s",
				 strerror(errno));
		goto out;
	}
	/* Resident pages only: touching the others would read them in. A
	 * resident page may still carry the readahead mark, and a fault on
	 * it would start asynchronous readahead of the pages after it;
	 * MADV_RANDOM keeps the mapping's faults from reading ahead. */
	if (madvise(map, pages * (size_t)page, MADV_RANDOM) < 0) {
		ret = mt_err_set(err, -errno, MT_ERR_RUNTIME,
				 "folio profile: madvise(MADV_RANDOM) failed: "
				 "%s",
				 strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < pages; i++)
		if (vec[i] & 1)
			(void)*(volatile char *)(map + i * (size_t)page);
	errno = 0;
	pmfd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (pmfd < 0 ||
	    pread(pmfd, pm, pages * sizeof(*pm),
		  (off_t)((uintptr_t)map / (uintptr_t)page * sizeof(*pm))) !=
		    (ssize_t)(pages * sizeof(*pm))) {
		ret = mt_err_set(err, -errno ? -errno : -EIO, MT_ERR_RUNTIME,
				 "folio profile: cannot read "
				 "/proc/self/pagemap: %s",
				 strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < pages; i++) {
		if (!(vec[i] & 1))
			continue;
		any_present = true;
		if (pm[i] & PM_PFN_MASK)
			any_pfn = true;
	}
	if (any_present && !any_pfn) {
		ret = mt_err_set(err, -EPERM, MT_ERR_RUNTIME,
				 "folio profile: page frame numbers are "
				 "hidden from this process (needs "
				 "CAP_SYS_ADMIN)");
		goto out;
	}
	w.kfd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	if (w.kfd < 0) {
		ret = mt_err_set(err, errno == ENOENT ? -ENOENT : -errno,
				 MT_ERR_RUNTIME,
				 "folio profile: cannot open /proc/kpageflags: "
				 "%s",
				 strerror(errno));
		goto out;
	}
	ret = mt_folio_classify(pm, vec, pages, w.kfd, page, out);
	if (ret < 0)
		mt_err_set(err, ret, MT_ERR_RUNTIME,
			   "folio profile: cannot read /proc/kpageflags: %s",
			   strerror(-ret));
out:
	if (w.kfd >= 0)
		close(w.kfd);
	if (pmfd >= 0)
		close(pmfd);
	free(pm);
	free(vec);
	munmap(map, pages * (size_t)page);
	return ret;
}
