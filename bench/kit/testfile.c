/* Test files for the file I/O benchmarks: creation, filesystem check,
 * eviction, residency, O_DIRECT alignment and probing. */
#include "testfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../../core/config.h"
#include "../../core/fsroot.h"
#include "../../core/journal.h"
#include "../../core/rng.h"

#ifndef __NR_cachestat
#define __NR_cachestat 451 /* the same number on every architecture */
#endif

/* The kernel's ABI for cachestat(2) (include/uapi/linux/mman.h, 6.5);
 * spelled out because Debian 12's headers predate it. */
struct mt_cachestat_range {
	uint64_t off;
	uint64_t len;
};

struct mt_cachestat {
	uint64_t nr_cache;
	uint64_t nr_dirty;
	uint64_t nr_writeback;
	uint64_t nr_evicted;
	uint64_t nr_recently_evicted;
};

#define TMPFS_MAGIC_ 0x01021994L
#define RAMFS_MAGIC_ 0x858458f6L
#define OVERLAY_MAGIC_ 0x794c7630L

static const struct {
	long magic;
	const char *name;
} fs_names[] = {
	{ 0xEF53L, "ext4" },	     { 0x58465342L, "xfs" },
	{ 0x9123683EL, "btrfs" },    { 0xF2F52010L, "f2fs" },
	{ 0x2FC12FC1L, "zfs" },	     { 0x6969L, "nfs" },
	{ 0xFF534D42L, "cifs" },     { 0x65735546L, "fuse" },
	{ 0x73717368L, "squashfs" }, { 0x4D44L, "vfat" },
	{ 0x5346544EL, "ntfs" },     { TMPFS_MAGIC_, "tmpfs" },
	{ RAMFS_MAGIC_, "ramfs" },   { OVERLAY_MAGIC_, "overlay" },
	{ 0x01021997L, "9p" },	     { 0x62656572L, "sysfs" },
	{ 0x9FA0L, "proc" },
};

const char *mt_fs_type_name(long f_type)
{
	for (size_t i = 0; i < sizeof(fs_names) / sizeof(fs_names[0]); i++)
		if ((unsigned long)fs_names[i].magic == (unsigned long)f_type)
			return fs_names[i].name;
	return "unknown";
}

static bool magic_is_memory(long f_type)
{
	return (unsigned long)f_type == (unsigned long)TMPFS_MAGIC_ ||
	       (unsigned long)f_type == (unsigned long)RAMFS_MAGIC_;
}

/* Copies the field starting at p (up to a space) into buf, undoing the
 * octal escapes (\040) mountinfo uses for spaces and tabs. Returns a
 * pointer past the field. */
static const char *mountinfo_field(const char *p, char *buf, size_t len)
{
	size_t o = 0;

	while (*p == ' ')
		p++;
	while (*p && *p != ' ' && *p != '\n') {
		char c = *p++;

		if (c == '\\' && p[0] >= '0' && p[0] <= '7' && p[1] && p[2]) {
			c = (char)((p[0] - '0') * 64 + (p[1] - '0') * 8 +
				   (p[2] - '0'));
			p += 3;
		}
		if (o + 1 < len)
			buf[o++] = c;
	}
	buf[o] = '\0';
	return p;
}

/* Finds the upper directory of the overlay mount that holds `real` (a
 * resolved path) in /proc/self/mountinfo. Returns 0 and fills upper, or
 * -ENOENT when it cannot be found. */
static int overlay_upper(const char *real, char *upper, size_t len)
{
	char *text = NULL, *line, *save = NULL;
	size_t best = 0;
	struct mt_err err = { 0 };
	int ret = -ENOENT;

	if (mt_fs_read("/proc/self/mountinfo", &text, NULL, &err) < 0)
		return -ENOENT;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char mnt[PATH_MAX], fstype[64], opts[4096], src[PATH_MAX];
		const char *p = line, *dash, *u;
		size_t ml;

		for (int f = 0; f < 4; f++) /* id, parent, dev, root */
			p = mountinfo_field(p, mnt, sizeof(mnt));
		mountinfo_field(p, mnt, sizeof(mnt));
		dash = strstr(line, " - ");
		if (!dash)
			continue;
		p = mountinfo_field(dash + 3, fstype, sizeof(fstype));
		p = mountinfo_field(p, src, sizeof(src));
		mountinfo_field(p, opts, sizeof(opts));
		if (strcmp(fstype, "overlay") != 0)
			continue;
		ml = strlen(mnt);
		if (strncmp(real, mnt, ml) != 0 ||
		    (real[ml] != '/' && real[ml] != '\0' && ml > 1))
			continue;
		if (ml < best)
			continue;
		u = strstr(opts, "upperdir=");
		if (!u)
			continue;
		u += strlen("upperdir=");
		snprintf(upper, len, "%.*s", (int)strcspn(u, ","), u);
		best = ml;
		ret = 0;
	}
	free(text);
	return ret;
}

int mt_testfile_check_dir(const char *who, const char *dir, char *fstype,
			  size_t len, struct mt_err *err)
{
	char real[PATH_MAX], upper[PATH_MAX], name[64];
	struct statfs sf;
	struct stat st;

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		int e = stat(dir, &st) < 0 ? errno : ENOTDIR;

		return mt_err_set(err, -e, MT_ERR_INPUT,
				  "%s: test directory '%s': %s (create it, or "
				  "set %s.dir to a directory on a disk)",
				  who, dir, strerror(e), who);
	}
	if (statfs(dir, &sf) < 0)
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "%s: cannot statfs '%s': %s", who, dir,
				  strerror(errno));
	snprintf(name, sizeof(name), "%s", mt_fs_type_name(sf.f_type));
	if ((unsigned long)sf.f_type == (unsigned long)OVERLAY_MAGIC_ &&
	    realpath(dir, real) &&
	    overlay_upper(real, upper, sizeof(upper)) == 0) {
		struct statfs uf;

		if (statfs(upper, &uf) == 0) {
			snprintf(name, sizeof(name), "overlay/%s",
				 mt_fs_type_name(uf.f_type));
			if (magic_is_memory(uf.f_type))
				sf.f_type = uf.f_type;
		}
	}
	if (fstype)
		snprintf(fstype, len, "%s", name);
	if (magic_is_memory(sf.f_type))
		return mt_err_set(err, -EOPNOTSUPP, MT_ERR_INPUT,
				  "%s: test directory '%s' is on %s, which "
				  "keeps files in memory with no disk behind "
				  "it, so cold reads and O_DIRECT would "
				  "measure nothing; set %s.dir to a directory "
				  "on a disk filesystem (e.g. --set "
				  "%s.dir=/var/tmp)",
				  who, dir, name, who, who);
	return 0;
}

int mt_testfile_check_dir_param(const char *who, const struct mt_params *p,
				int dir_key, struct mt_err *err)
{
	const char *dir = mt_p_string(p, dir_key);
	char at[320];
	int ret;

	if (!dir[0])
		return 0;
	ret = mt_testfile_check_dir(who, dir, NULL, 0, err);
	if (ret < 0) {
		mt_p_where(p, dir_key, at, sizeof(at));
		mt_err_prefix(err, "%s", at);
	}
	return ret;
}

/* Fills buf with non-zero bytes (random, every byte's low bit set) so that
 * no filesystem can store the file sparsely or compress it away to
 * nothing. */
static void fill_pattern(unsigned char *buf, size_t len, uint64_t seed)
{
	uint64_t x = mt_rand_seed(seed);

	for (size_t i = 0; i < len; i += 8) {
		uint64_t v = mt_rand_next(&x) | 0x0101010101010101ull;

		memcpy(buf + i, &v, len - i < 8 ? len - i : 8);
	}
}

int mt_testfile_create(const char *path, uint64_t bytes, struct mt_err *err)
{
	const size_t chunk = 1 << 20;
	char dir[PATH_MAX], *slash;
	struct statvfs sv;
	unsigned char *buf;
	uint64_t done = 0;
	int fd, ret = 0;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), "%s", slash ? "/" : ".");
	if (statvfs(dir, &sv) == 0) {
		uint64_t avail = (uint64_t)sv.f_bavail * sv.f_frsize;

		/* Leave room for others: ask for the file plus 10%. */
		if (avail < bytes + bytes / 10)
			return mt_err_set(err, -ENOSPC, MT_ERR_RUNTIME,
					  "test file '%s': needs %llu MiB but "
					  "only %llu MiB are free in '%s' "
					  "(free space, or choose a smaller "
					  "file_size or another dir)",
					  path,
					  (unsigned long long)(bytes >> 20),
					  (unsigned long long)(avail >> 20),
					  dir);
	}
	buf = malloc(chunk);
	if (!buf)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "test file '%s': out of memory", path);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		ret = mt_err_set(err, -errno, MT_ERR_RUNTIME,
				 "cannot create test file '%s': %s%s", path,
				 strerror(errno),
				 errno == EEXIST ?
					 " (left by another run? "
					 "remove it if it is not in use)" :
					 "");
		goto out_buf;
	}
	while (done < bytes) {
		size_t n = bytes - done < chunk ? (size_t)(bytes - done) :
						  chunk;
		ssize_t w;

		fill_pattern(buf, n, done / chunk + 1);
		w = pwrite(fd, buf, n, (off_t)done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? errno : ENOSPC;

			ret = mt_err_set(err, -e, MT_ERR_RUNTIME,
					 "cannot write test file '%s' at "
					 "offset %llu: %s",
					 path, (unsigned long long)done,
					 strerror(e));
			goto out_unlink;
		}
		done += (uint64_t)w;
	}
	ret = mt_testfile_evict(fd, bytes, NULL, err);
	if (ret < 0)
		goto out_unlink;
	close(fd);
	free(buf);
	return 0;

out_unlink:
	close(fd);
	unlink(path);
out_buf:
	free(buf);
	return ret;
}

int mt_testfile_path(const char *dir_param, const char *rundir,
		     const char *name, char *buf, size_t len)
{
	const char *dir = dir_param && dir_param[0] ? dir_param : rundir;
	int n = snprintf(buf, len, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int mt_testfile_make(struct mt_journal *j, const char *path, uint64_t bytes,
		     struct mt_err *err)
{
	struct stat st;
	int ret;

	if (lstat(path, &st) == 0)
		return mt_err_set(err, -EEXIST, MT_ERR_RUNTIME,
				  "test file '%s' already exists (left by "
				  "another run? remove it if it is not in "
				  "use)",
				  path);
	ret = mt_journal_note_file(j, path, err);
	if (ret < 0)
		return ret;
	ret = mt_testfile_create(path, bytes, err);
	if (ret < 0)
		return ret;
	/* Created with O_EXCL in a directory the user chose: what is there
	 * now is ours unless someone swapped it in between, which the
	 * identity check then sees as ours; the name check still holds. */
	return mt_journal_bind(j, path, -1, err);
}

/* cachestat(2) of [off, off+len) into *cs, and the number of pages the
 * range spans into *pages. Returns 0 or -errno. */
static int cachestat_range(int fd, uint64_t off, uint64_t len,
			   struct mt_cachestat *cs, uint64_t *pages)
{
	struct mt_cachestat_range r = { .off = off, .len = len };
	long page = sysconf(_SC_PAGESIZE);

	*pages = (len + (uint64_t)page - 1) / (uint64_t)page;
	if (syscall(__NR_cachestat, fd, &r, cs, 0) < 0)
		return -errno;
	return 0;
}

/* count / pages, at most 1 (0 for an empty range). */
static double page_fraction(uint64_t count, uint64_t pages)
{
	double f = pages ? (double)count / (double)pages : 0.0;

	return f > 1.0 ? 1.0 : f;
}

/* The fraction of the range's pages cachestat counts as cached, or with
 * dirty as dirty or under writeback. */
static int cachestat_fraction(int fd, uint64_t off, uint64_t len, bool dirty,
			      double *fraction)
{
	struct mt_cachestat cs = { 0 };
	uint64_t pages;
	int ret = cachestat_range(fd, off, len, &cs, &pages);

	if (ret < 0)
		return ret;
	*fraction = page_fraction(dirty ? cs.nr_dirty + cs.nr_writeback :
					  cs.nr_cache,
				  pages);
	return 0;
}

int mt_testfile_dirty(int fd, uint64_t off, uint64_t len, double *fraction)
{
	return cachestat_fraction(fd, off, len, true, fraction);
}

static int residency_mincore(int fd, uint64_t off, uint64_t len,
			     double *fraction, struct mt_err *err)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t pages = (size_t)((len + (uint64_t)page - 1) / (uint64_t)page);
	unsigned char *vec;
	void *map;
	size_t in = 0;
	int ret = 0;

	if (pages == 0) {
		*fraction = 0.0;
		return 0;
	}
	/* Mapping does not populate anything: mincore then reports the page
	 * cache, as long as fd is writable (see testfile.h). */
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)off);
	if (map == MAP_FAILED)
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "residency: cannot map the file: %s",
				  strerror(errno));
	vec = malloc(pages);
	if (!vec) {
		ret = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				 "residency: out of memory");
		goto out_unmap;
	}
	if (mincore(map, len, vec) < 0) {
		ret = mt_err_set(err, -errno, MT_ERR_RUNTIME,
				 "residency: mincore failed: %s",
				 strerror(errno));
		goto out_vec;
	}
	for (size_t i = 0; i < pages; i++)
		in += vec[i] & 1;
	*fraction = (double)in / (double)pages;
out_vec:
	free(vec);
out_unmap:
	munmap(map, len);
	return ret;
}

int mt_testfile_residency(int fd, uint64_t off, uint64_t len,
			  enum mt_residency_method how, double *fraction,
			  const char **used, struct mt_err *err)
{
	long page = sysconf(_SC_PAGESIZE);
	int ret;

	if (off % (uint64_t)page)
		return mt_err_set(err, -EINVAL, MT_ERR_RUNTIME,
				  "residency: offset %llu is not a multiple "
				  "of the page size",
				  (unsigned long long)off);
	if (how != MT_RES_MINCORE) {
		ret = cachestat_fraction(fd, off, len, false, fraction);
		if (ret == 0) {
			if (used)
				*used = "cachestat";
			return 0;
		}
		/* ENOSYS: kernel < 6.5; EPERM: a kernel that wants write
		 * access for it, or a seccomp filter. */
		if (how == MT_RES_CACHESTAT)
			return mt_err_set(err, ret, MT_ERR_RUNTIME,
					  "residency: cachestat failed: %s",
					  strerror(-ret));
	}
	if (used)
		*used = "mincore";
	return residency_mincore(fd, off, len, fraction, err);
}

int mt_testfile_evict(int fd, uint64_t bytes, double *left, struct mt_err *err)
{
	double frac = 0.0;
	int ret;

	if (fsync(fd) < 0)
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "evict: fsync failed: %s", strerror(errno));
	for (int attempt = 0; attempt < 2; attempt++) {
		ret = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		if (ret)
			return mt_err_set(err, -ret, MT_ERR_RUNTIME,
					  "evict: posix_fadvise(DONTNEED) "
					  "failed: %s",
					  strerror(ret));
		ret = mt_testfile_residency(fd, 0, bytes, MT_RES_AUTO, &frac,
					    NULL, err);
		if (ret < 0)
			return ret;
		if (frac == 0.0)
			break;
	}
	if (left)
		*left = frac;
	return 0;
}

int mt_testfile_drop_caches(struct mt_err *err)
{
	sync();
	return mt_sys_trigger("/proc/sys/vm/drop_caches", "1", err);
}

int mt_testfile_logical_block_size(unsigned major, unsigned minor,
				   uint32_t *out, struct mt_err *err)
{
	char path[128];
	int64_t v = 0;
	int ret;

	snprintf(path, sizeof(path),
		 "/sys/dev/block/%u:%u/queue/logical_block_size", major, minor);
	ret = mt_fs_read_i64(path, &v, err);
	if (ret < 0) {
		/* A partition has no queue/ of its own: ask its disk. */
		snprintf(path, sizeof(path),
			 "/sys/dev/block/%u:%u/../queue/logical_block_size",
			 major, minor);
		ret = mt_fs_read_i64(path, &v, err);
	}
	if (ret < 0)
		return ret;
	if (v <= 0 || v > (1 << 20) || (v & (v - 1)))
		return mt_err_set(err, -EINVAL, MT_ERR_RUNTIME,
				  "%s: implausible logical block size %lld",
				  path, (long long)v);
	*out = (uint32_t)v;
	return 0;
}

int mt_testfile_dio_align(int fd, struct mt_dio_align *out, struct mt_err *err)
{
	struct statx stx;
	struct mt_err lerr = { 0 };
	uint32_t lbs;

	memset(&stx, 0, sizeof(stx));
	if (statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx) == 0 &&
	    (stx.stx_mask & STATX_DIOALIGN)) {
		if (stx.stx_dio_offset_align == 0)
			return mt_err_set(err, -EINVAL, MT_ERR_RUNTIME,
					  "statx reports that this file does "
					  "not support O_DIRECT");
		out->mem_align = stx.stx_dio_mem_align;
		out->offset_align = stx.stx_dio_offset_align;
		out->source = "statx";
		return 0;
	}
	/* Old kernel or a filesystem that does not report it: the device's
	 * logical block size is what O_DIRECT has always needed. */
	if (stx.stx_mask & STATX_BASIC_STATS &&
	    mt_testfile_logical_block_size(stx.stx_dev_major, stx.stx_dev_minor,
					   &lbs, &lerr) == 0) {
		out->mem_align = lbs;
		out->offset_align = lbs;
		out->source = "logical_block_size";
		return 0;
	}
	out->mem_align = 4096;
	out->offset_align = 4096;
	out->source = "default";
	return 0;
}

/* Opens an anonymous file in dir: O_TMPFILE where the filesystem has it,
 * else a unique name removed at once (a kill between the two leaves a
 * small file named memtune-probe-*). Returns the fd or -errno. */
static int open_anonymous(const char *dir)
{
	char path[PATH_MAX];
	int fd;

	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	snprintf(path, sizeof(path), "%s/memtune-probe-XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	unlink(path);
	return fd;
}

bool mt_testfile_probe_direct(const char *who, const char *dir, char *why,
			      size_t len)
{
	const size_t blk = 4096; /* a multiple of every alignment */
	struct mt_err err = { 0 };
	char fstype[64] = "";
	void *buf = NULL;
	bool ok = false;
	int fd, flags;
	ssize_t r;

	if (mt_testfile_check_dir(who, dir, fstype, sizeof(fstype), &err) < 0) {
		snprintf(why, len, "%s", err.msg);
		return false;
	}
	fd = open_anonymous(dir);
	if (fd < 0) {
		snprintf(why, len,
			 "%s: cannot create a probe file in '%s': "
			 "%s (set %s.dir to a writable directory)",
			 who, dir, strerror(-fd), who);
		return false;
	}
	if (posix_memalign(&buf, blk, 2 * blk)) {
		snprintf(why, len, "%s: out of memory", who);
		goto out_close;
	}
	memset(buf, 0x5a, 2 * blk);
	if (pwrite(fd, buf, 2 * blk, 0) != (ssize_t)(2 * blk) ||
	    fsync(fd) < 0) {
		snprintf(why, len,
			 "%s: cannot write a probe file in '%s': "
			 "%s",
			 who, dir, strerror(errno));
		goto out_buf;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_DIRECT) < 0) {
		snprintf(why, len,
			 "%s: %s in '%s' refuses O_DIRECT: %s (set "
			 "%s.dir to a directory on a filesystem that "
			 "supports it, such as ext4 or xfs)",
			 who, fstype, dir, strerror(errno), who);
		goto out_buf;
	}
	r = pread(fd, buf, blk, 0);
	if (r != (ssize_t)blk) {
		snprintf(why, len,
			 "%s: an aligned O_DIRECT read on %s in "
			 "'%s' failed: %s (set %s.dir to a directory on a "
			 "filesystem that supports O_DIRECT, such as ext4 or "
			 "xfs)",
			 who, fstype, dir,
			 r < 0 ? strerror(errno) : "short read", who);
		goto out_buf;
	}
	ok = true;
out_buf:
	free(buf);
out_close:
	close(fd);
	return ok;
}
