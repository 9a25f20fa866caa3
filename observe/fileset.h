/* A process's file set for cachestat: the regular files it maps
 * (/proc/PID/maps) and holds open (/proc/PID/fd), the largest
 * MT_OBS_MAX_FILES of them, and their page cache state summed
 * (cachestat(2), or mincore(2) over a mapping where the kernel lacks
 * cachestat; MEMTUNE_NO_CACHESTAT=1 forces mincore, for tests). */
#ifndef MT_OBS_FILESET_H
#define MT_OBS_FILESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define MT_OBS_MAX_FILES 256

struct mt_obs_fileset {
	char **paths; /* the files of the last scan, largest first */
	size_t n;
	char why[300]; /* why the scan was partial ("" when it was not) */
};

/* The summed page cache state of a set of files. */
struct mt_obs_cache {
	bool cachestat; /* false: mincore gave resident only */
	uint64_t cache, dirty, writeback, evicted, recently_evicted;
	uint64_t resident; /* mincore */
	size_t files;	   /* files measured */
};

/* Scans pid's maps and fds into set (replacing what it held). Returns 0,
 * or -errno when neither could be read (set->why says why). */
int mt_obs_fileset_scan(pid_t pid, struct mt_obs_fileset *set);

/* Measures the files of set into *out. */
void mt_obs_fileset_measure(const struct mt_obs_fileset *set,
			    struct mt_obs_cache *out);

/* The page cache state of one open file into *out (added to it). Returns
 * 0, or -errno. */
int mt_obs_cache_fd(int fd, struct mt_obs_cache *out);

/* True while cachestat(2) is to be used: the kernel has not refused it
 * (ENOSYS) and MEMTUNE_NO_CACHESTAT is not set. */
bool mt_obs_cachestat_usable(void);

void mt_obs_fileset_free(struct mt_obs_fileset *set);

#endif
