/* The page cache state of one open file: cachestat(2) (Linux 6.5), or
 * mincore(2) over a read-only mapping where the kernel lacks it. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fileset.h"

#ifndef __NR_cachestat
#if defined(__x86_64__) || defined(__aarch64__) || defined(__i386__)
#define __NR_cachestat 451
#endif
#endif

/* The kernel's struct cachestat_range and struct cachestat
 * (include/uapi/linux/mman.h), which older headers do not have. */
struct obs_cachestat_range {
	uint64_t off, len;
};

struct obs_cachestat {
	uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted,
		nr_recently_evicted;
};

/* Set when the kernel answered ENOSYS: it has no cachestat. */
static bool no_cachestat;

/* True when cachestat is to be tried: the kernel did not refuse it and
 * MEMTUNE_NO_CACHESTAT (tests: forces the mincore path) is not set. */
bool mt_obs_cachestat_usable(void)
{
	const char *no = getenv("MEMTUNE_NO_CACHESTAT");

	return !no_cachestat && !(no && *no && strcmp(no, "0") != 0);
}

static int by_cachestat(int fd, struct mt_obs_cache *out)
{
#ifdef __NR_cachestat
	struct obs_cachestat_range r = { 0, 0 }; /* len 0: to the end */
	struct obs_cachestat cs = { 0 };

	if (syscall(__NR_cachestat, fd, &r, &cs, 0) < 0)
		return -errno;
	out->cache += cs.nr_cache;
	out->dirty += cs.nr_dirty;
	out->writeback += cs.nr_writeback;
	out->evicted += cs.nr_evicted;
	out->recently_evicted += cs.nr_recently_evicted;
	return 0;
#else
	(void)fd;
	(void)out;
	return -ENOSYS;
#endif
}

/* Resident pages by mincore over windows of 1 GiB, so the vector stays
 * small for a big file. */
static int by_mincore(int fd, struct mt_obs_cache *out)
{
	const size_t win = 1ul << 30, page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *vec;
	struct stat sb;
	off_t off;

	if (fstat(fd, &sb) < 0)
		return -errno;
	vec = malloc(win / page);
	if (!vec)
		return -ENOMEM;
	for (off = 0; off < sb.st_size; off += (off_t)win) {
		size_t len = (size_t)(sb.st_size - off) < win ?
				     (size_t)(sb.st_size - off) :
				     win;
		size_t pages = (len + page - 1) / page;
		void *m = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, off);

		if (m == MAP_FAILED) {
			free(vec);
			return -errno;
		}
		if (mincore(m, len, vec) == 0)
			for (size_t i = 0; i < pages; i++)
				out->resident += vec[i] & 1;
		munmap(m, len);
	}
	free(vec);
	return 0;
}

int mt_obs_cache_fd(int fd, struct mt_obs_cache *out)
{
	int ret;

	if (mt_obs_cachestat_usable()) {
		ret = by_cachestat(fd, out);
		if (ret != -ENOSYS) {
			if (ret == 0)
				out->files++;
			return ret;
		}
		no_cachestat = true;
	}
	out->cachestat = false;
	ret = by_mincore(fd, out);
	if (ret == 0)
		out->files++;
	return ret;
}
