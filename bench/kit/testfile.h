/* Test files for the file I/O benchmarks (pagecache, odirect).
 *
 * A test file lives on a real block filesystem (tmpfs and ramfs have no disk
 * behind them, so "cold" reads and O_DIRECT would measure nothing), holds
 * non-zero data that has been fsynced (so its extents are written, not
 * unwritten: an O_DIRECT read of an unwritten extent returns zeros without
 * touching the device), and is created by the parent after
 * mt_journal_note_file() so that the journal deletes it even after a kill.
 *
 * Residency (the fraction of a file's pages in the page cache) is measured,
 * not assumed: with cachestat(2) where the kernel has it (Linux >= 6.5),
 * else with mincore(2). Both need the file open read-write (or owned):
 * recent kernels answer for a read-only fd only about pages this process
 * has mapped, which would make a warm file look cold.
 */
#ifndef MT_TESTFILE_H
#define MT_TESTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../core/err.h"

/* Name of the filesystem with statfs magic f_type ("ext4", "tmpfs"), or
 * "unknown". ext2/3/4 share one magic and are all called "ext4". */
const char *mt_fs_type_name(long f_type);

/* Checks that dir exists and is on a filesystem with a disk behind it.
 * Refuses tmpfs, ramfs and an overlay whose upper directory is on tmpfs
 * (-EOPNOTSUPP, MT_ERR_INPUT, the message naming the directory, the
 * filesystem and the setting `who`.dir to change). A missing directory is
 * -ENOENT. fstype (if not NULL) receives the filesystem's name
 * ("overlay/ext4" for an overlay on ext4). Returns 0 or -errno. */
int mt_testfile_check_dir(const char *who, const char *dir, char *fstype,
			  size_t len, struct mt_err *err);

struct mt_params;

/* The plan-time check of a benchmark's `dir` setting (row dir_key of its
 * schema): when it is set (not empty), it must name an existing directory
 * on a disk filesystem (mt_testfile_check_dir), and the MT_ERR_INPUT error
 * names the file and line it was set on. An empty dir means the run directory, which does not
 * exist yet when plans are checked: the benchmark's supported() judges it
 * when it runs (a skip with the reason, since the user chose nothing).
 * Returns 0 or -errno with err set. */
int mt_testfile_check_dir_param(const char *who, const struct mt_params *p,
				int dir_key, struct mt_err *err);

struct mt_journal;

/* Writes into buf the path of test file `name` in directory dir_param, or in
 * rundir when dir_param is empty. Returns 0 or -ENAMETOOLONG. */
int mt_testfile_path(const char *dir_param, const char *rundir,
		     const char *name, char *buf, size_t len);

/* The parent's way to make a test file that the journal removes (after a
 * normal run, a failure, or `memtune restore` after a kill): refuses a path
 * that already exists (-EEXIST: it may be someone's file, and noting it
 * would delete it), journals it, then creates it (mt_testfile_create). */
int mt_testfile_make(struct mt_journal *j, const char *path, uint64_t bytes,
		     struct mt_err *err);

/* Creates `path` (which must not exist: O_EXCL, so a file that is not ours
 * is never overwritten) with `bytes` bytes of non-zero data, fsyncs it and
 * evicts it from the page cache. Checks free space first. On failure the
 * partial file is removed. Returns 0 or -errno with err set. */
int mt_testfile_create(const char *path, uint64_t bytes, struct mt_err *err);

enum mt_residency_method {
	MT_RES_AUTO = 0, /* cachestat, else mincore */
	MT_RES_CACHESTAT,
	MT_RES_MINCORE,
};

/* Stores in *fraction (0..1) the part of the pages of [off, off+len) of
 * the file open on fd (read-write) that are in the page cache; off must be
 * a multiple of the page size. *used (if not NULL) gets "cachestat" or
 * "mincore". Returns 0, -ENOSYS when MT_RES_CACHESTAT is asked of a kernel
 * without it, or -errno with err set. */
int mt_testfile_residency(int fd, uint64_t off, uint64_t len,
			  enum mt_residency_method how, double *fraction,
			  const char **used, struct mt_err *err);

/* Stores in *fraction (0..1) the part of the pages of [off, off+len) of
 * the file open on fd that are dirty or under writeback, from cachestat(2).
 * Returns 0, or -ENOSYS (kernel < 6.5) or -errno when cachestat cannot
 * tell: there is no other way to see it per file. */
int mt_testfile_dirty(int fd, uint64_t off, uint64_t len, double *fraction);

/* Evicts the file open on fd (read-write) from the page cache: fsync (dirty
 * pages cannot be dropped), then POSIX_FADV_DONTNEED, once more if pages
 * remain. Stores the resident fraction of [0, bytes) measured afterwards in
 * *left (if not NULL). Eviction that leaves pages behind (mapped or locked
 * elsewhere) is not an error here: the caller judges *left. Returns 0 or
 * -errno with err set. */
int mt_testfile_evict(int fd, uint64_t bytes, double *left, struct mt_err *err);

/* Writes 1 to /proc/sys/vm/drop_caches (through the journal module's
 * trigger) after syncing, which drops every clean page-cache page of the
 * machine. Needs root. Returns 0 or -errno with err set. */
int mt_testfile_drop_caches(struct mt_err *err);

/* O_DIRECT alignment of a file. */
struct mt_dio_align {
	uint32_t mem_align;    /* bytes: buffer address alignment */
	uint32_t offset_align; /* bytes: file offset and length */
	/* Where they came from: "statx", "logical_block_size", "default". */
	const char *source;
};

/* Finds the O_DIRECT alignment of the file open on fd: statx
 * STATX_DIOALIGN where the kernel and filesystem report it, else the
 * logical block size of the device from /sys/dev/block (through
 * MEMTUNE_FSROOT), else 4096. Returns 0, -EINVAL when statx says the file
 * does not support O_DIRECT at all, or -errno with err set. */
int mt_testfile_dio_align(int fd, struct mt_dio_align *out, struct mt_err *err);

/* Logical block size (bytes) of block device major:minor, or of the whole
 * disk when it is a partition, from /sys/dev/block through
 * MEMTUNE_FSROOT. Returns 0 or -errno with err set. */
int mt_testfile_logical_block_size(unsigned major, unsigned minor,
				   uint32_t *out, struct mt_err *err);

/* Probes whether O_DIRECT works in dir: makes an anonymous file there
 * (O_TMPFILE, else a name unlinked at once), writes and fsyncs two
 * aligned blocks, switches the descriptor to O_DIRECT and reads one
 * block back. Returns true, or false with a reason a person can act on in
 * why ("ext4 refuses O_DIRECT: Invalid argument; ..."). */
bool mt_testfile_probe_direct(const char *who, const char *dir, char *why,
			      size_t len);

#endif
