/* The memory-pressure sandbox (bench/kit/sandbox.h): memory cgroups on v1 or
 * v2, swap (the machine's or a swap file we make), OOM protection, and the
 * parsers of the kernel's counter files.
 *
 * Every change to the machine goes through the journal: directories with
 * mt_journal_mkdir, limits and swappiness with mt_journal_write, the swap
 * file with mt_journal_note_file before it exists and mt_journal_swapon.
 * Moving a process into a cgroup and oom_score_adj are process attributes
 * that die with the process, so they are written directly (through
 * mt_sys_trigger, the journal module's writer for undo-less files).
 */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "../../core/clock.h"
#include "../../core/fsroot.h"
#include "../../core/rng.h"
#include "../../core/stats.h"

#define SWAP_MAGIC "SWAPSPACE2"
#define SWAP_MAGIC_LEN 10
#define SWAP_MIN_PAGES 10
/* Offsets of struct swap_header's info part (include/linux/swap.h). */
#define SWAP_OFF_VERSION 1024
#define SWAP_OFF_LAST_PAGE 1028
#define SWAP_OFF_NR_BAD 1032
#define SWAP_OFF_UUID 1036
#define SWAP_WRITE_CHUNK (1u << 20)

/* ---- parsers ----------------------------------------------------------- */

/* Copies a /proc/swaps path, turning octal escapes ("\040") back into the
 * characters they stand for. */
static void unescape_path(const char *in, char *out, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; in[i] && o + 1 < len; i++) {
		if (in[i] == '\\' && in[i + 1] >= '0' && in[i + 1] <= '7' &&
		    in[i + 2] >= '0' && in[i + 2] <= '7' && in[i + 3] >= '0' &&
		    in[i + 3] <= '7') {
			out[o++] = (char)((in[i + 1] - '0') * 64 +
					  (in[i + 2] - '0') * 8 +
					  (in[i + 3] - '0'));
			i += 3;
			continue;
		}
		out[o++] = in[i];
	}
	out[o] = '\0';
}

int mt_swaps_parse(const char *text, struct mt_swap_dev *devs, size_t max,
		   size_t *n)
{
	const char *line = text;
	bool header = true;

	*n = 0;
	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t l = end ? (size_t)(end - line) : strlen(line);
		char buf[512], path[300], type[16];
		unsigned long long size_kb, used_kb;
		int prio;

		if (l >= sizeof(buf))
			return -EINVAL;
		memcpy(buf, line, l);
		buf[l] = '\0';
		line = end ? end + 1 : NULL;
		if (header) {
			header = false;
			if (strncmp(buf, "Filename", 8) == 0)
				continue;
		}
		if (strspn(buf, " \t") == l)
			continue;
		if (sscanf(buf, "%299s %15s %llu %llu %d", path, type, &size_kb,
			   &used_kb, &prio) != 5)
			return -EINVAL;
		if (*n >= max)
			continue;
		unescape_path(path, devs[*n].path, sizeof(devs[*n].path));
		if (strncmp(devs[*n].path, "/dev/zram", 9) == 0)
			snprintf(devs[*n].type, sizeof(devs[*n].type), "zram");
		else
			snprintf(devs[*n].type, sizeof(devs[*n].type), "%s",
				 type);
		devs[*n].size_bytes = (uint64_t)size_kb * 1024;
		devs[*n].used_bytes = (uint64_t)used_kb * 1024;
		devs[*n].priority = prio;
		(*n)++;
	}
	return 0;
}

static void put_u32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v)); /* native order, as the kernel reads */
}

int mt_swap_header_fill(unsigned char *page, size_t page_size,
			uint64_t size_bytes, const unsigned char *uuid)
{
	uint64_t pages;

	if (page_size < 4096)
		return -EINVAL;
	pages = size_bytes / page_size;
	if (pages < SWAP_MIN_PAGES || pages - 1 > UINT32_MAX)
		return -EINVAL;
	memset(page, 0, page_size);
	put_u32(page + SWAP_OFF_VERSION, 1);
	put_u32(page + SWAP_OFF_LAST_PAGE, (uint32_t)(pages - 1));
	put_u32(page + SWAP_OFF_NR_BAD, 0);
	if (uuid)
		memcpy(page + SWAP_OFF_UUID, uuid, 16);
	memcpy(page + page_size - SWAP_MAGIC_LEN, SWAP_MAGIC, SWAP_MAGIC_LEN);
	return 0;
}

/* Reads "name=value" from a PSI line. */
static int psi_field(const char *line, const char *name, double *d, uint64_t *u)
{
	char key[16];
	const char *p;

	snprintf(key, sizeof(key), " %s=", name);
	p = strstr(line, key);
	if (!p)
		return -EINVAL;
	p += strlen(key);
	if (d)
		*d = strtod(p, NULL);
	if (u)
		*u = strtoull(p, NULL, 10);
	return 0;
}

int mt_psi_parse(const char *text, struct mt_psi *out)
{
	const char *line = text;
	bool some = false;

	memset(out, 0, sizeof(*out));
	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t l = end ? (size_t)(end - line) : strlen(line);
		char buf[256];

		snprintf(buf, sizeof(buf), "%.*s", (int)l, line);
		line = end ? end + 1 : NULL;
		if (strncmp(buf, "some ", 5) == 0) {
			if (psi_field(buf, "avg10", &out->some_avg10, NULL) ||
			    psi_field(buf, "total", NULL, &out->some_total_us))
				return -EINVAL;
			some = true;
		} else if (strncmp(buf, "full ", 5) == 0) {
			if (psi_field(buf, "avg10", &out->full_avg10, NULL) ||
			    psi_field(buf, "total", NULL, &out->full_total_us))
				return -EINVAL;
			out->has_full = true;
		}
	}
	return some ? 0 : -EINVAL;
}

/* Calls fn for each "key integer" line of text. */
static int each_counter(const char *text,
			int (*fn)(const char *key, int64_t v, void *arg),
			void *arg)
{
	const char *line = text;
	int added = 0;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t l = end ? (size_t)(end - line) : strlen(line);
		char key[128], rest[8];
		long long v;
		char buf[256];

		snprintf(buf, sizeof(buf), "%.*s", (int)l, line);
		line = end ? end + 1 : NULL;
		if (sscanf(buf, "%127s %lld %7s", key, &v, rest) != 2)
			continue;
		added += fn(key, v, arg);
	}
	return added;
}

struct stat_map {
	const char *from;
	const char *to;
};

/* memory.stat names of each version, mapped to the neutral keys. */
static const struct stat_map stat_v2[] = {
	{ "anon", "anon_bytes" },
	{ "file", "file_bytes" },
	{ "pgfault", "pgfault" },
	{ "pgmajfault", "pgmajfault" },
	{ "workingset_refault_anon", "workingset_refault_anon" },
	{ "workingset_refault_file", "workingset_refault_file" },
	{ "pgscan", "pgscan" },
	{ "pgsteal", "pgsteal" },
	{ "pswpin", "pswpin" },
	{ "pswpout", "pswpout" },
	{ "swapcached", "swapcached_bytes" },
	{ NULL, NULL },
};

static const struct stat_map stat_v1[] = {
	{ "rss", "anon_bytes" },
	{ "cache", "file_bytes" },
	{ "swap", "swap_bytes" },
	{ "pgfault", "pgfault" },
	{ "pgmajfault", "pgmajfault" },
	{ "workingset_refault_anon", "workingset_refault_anon" },
	{ "workingset_refault_file", "workingset_refault_file" },
	/* Before Linux 5.9 only file refaults were counted, under this name. */
	{ "workingset_refault", "workingset_refault_file" },
	{ "swapcached", "swapcached_bytes" },
	{ NULL, NULL },
};

struct stat_arg {
	const struct stat_map *map;
	json_t *out;
};

static int add_mapped(const char *key, int64_t v, void *arg)
{
	struct stat_arg *a = arg;

	for (const struct stat_map *m = a->map; m->from; m++) {
		if (strcmp(key, m->from) == 0) {
			json_object_set_new(a->out, m->to, json_integer(v));
			return 1;
		}
	}
	return 0;
}

int mt_memory_stat_parse(const char *text, int version, json_t *out)
{
	struct stat_arg a = { version == 2 ? stat_v2 : stat_v1, out };

	return each_counter(text, add_mapped, &a);
}

static int add_any(const char *key, int64_t v, void *arg)
{
	json_object_set_new((json_t *)arg, key, json_integer(v));
	return 1;
}

int mt_memory_events_parse(const char *text, json_t *out)
{
	return each_counter(text, add_any, out);
}

bool mt_kernel_at_least(const char *release, int major, int minor)
{
	int ma = 0, mi = 0;

	if (sscanf(release, "%d.%d", &ma, &mi) < 1)
		return false;
	return ma > major || (ma == major && mi >= minor);
}

int mt_swappiness_max(void)
{
	char rel[128];

	if (mt_fs_read_line("/proc/sys/kernel/osrelease", rel, sizeof(rel),
			    NULL) < 0)
		return 100;
	return mt_kernel_at_least(rel, 5, 8) ? 200 : 100;
}

/* ---- cgroups ----------------------------------------------------------- */

/* True when the space-separated list has word w. */
static bool has_word(const char *list, const char *w)
{
	size_t wl = strlen(w);

	for (const char *p = list; (p = strstr(p, w)); p += wl)
		if ((p == list || p[-1] == ' ' || p[-1] == '\t') &&
		    (p[wl] == '\0' || p[wl] == ' ' || p[wl] == '\n'))
			return true;
	return false;
}

int mt_cgroup_create(struct mt_journal *j, const struct mt_caps *caps,
		     const char *name, struct mt_cgroup *cg, struct mt_err *err)
{
	char file[600], line[512];
	const char *base;
	int ret;

	memset(cg, 0, sizeof(*cg));
	if (caps->cgroup_version == 2 && caps->cgroup_v2_root[0]) {
		base = caps->cgroup_v2_root;
		cg->version = 2;
		snprintf(file, sizeof(file), "%s/cgroup.subtree_control", base);
		ret = mt_fs_read_line(file, line, sizeof(line), err);
		if (ret < 0 && ret != -ENODATA)
			return ret;
		if (ret < 0)
			line[0] = '\0';
		/* The journal undoes a write by writing the old text back,
		 * and subtree_control takes only "+ctl -ctl" commands, so
		 * enabling the controller here could not be undone exactly.
		 * systemd hosts have it enabled already. */
		if (!has_word(line, "memory"))
			return mt_err_set(err, -ENOTSUP, MT_ERR_RUNTIME,
					  "cgroup: the memory controller is "
					  "not enabled for children of %s "
					  "(enable it: echo +memory > %s)",
					  base, file);
	} else if (caps->cgroup_version == 1 && caps->cgroup_v1_memory[0]) {
		base = caps->cgroup_v1_memory;
		cg->version = 1;
	} else {
		return mt_err_set(err, -ENOTSUP, MT_ERR_RUNTIME,
				  "cgroup: no memory cgroup controller is "
				  "mounted (mount cgroup2 with the memory "
				  "controller: mount -t cgroup2 none "
				  "/sys/fs/cgroup, or the v1 controller: "
				  "mount -t cgroup -o memory none "
				  "/sys/fs/cgroup/memory)");
	}
	if ((size_t)snprintf(cg->path, sizeof(cg->path), "%s/memtune-%s-%d",
			     base, name, (int)getpid()) >= sizeof(cg->path))
		return mt_err_set(err, -ENAMETOOLONG, MT_ERR_RUNTIME,
				  "cgroup: the name '%s' is too long", name);
	ret = mt_journal_mkdir(j, cg->path, err);
	if (ret < 0) {
		mt_err_prefix(err, "cgroup");
		return ret;
	}
	return 0;
}

/* Journaled write of one file of the cgroup. */
static int cg_write(struct mt_journal *j, const struct mt_cgroup *cg,
		    const char *file, const char *value, struct mt_err *err)
{
	char path[700];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", cg->path, file);
	ret = mt_journal_write(j, path, value, NULL, 0, err);
	if (ret < 0)
		mt_err_prefix(err, "cgroup");
	return ret;
}

static bool cg_has(const struct mt_cgroup *cg, const char *file)
{
	char path[700];

	snprintf(path, sizeof(path), "%s/%s", cg->path, file);
	return mt_fs_exists(path);
}

/* The files of the memory, soft and swap limits of a cgroup v1 and v2, and
 * the swap limit's "no limit". */
static const struct cg_limit_files {
	const char *max, *high, *swap, *swap_none;
} limit_files[] = {
	{ "memory.limit_in_bytes", "memory.soft_limit_in_bytes",
	  "memory.memsw.limit_in_bytes", "-1" },
	{ "memory.max", "memory.high", "memory.swap.max", "max" },
};

int mt_cgroup_set_limits(struct mt_journal *j, const struct mt_cgroup *cg,
			 uint64_t max, uint64_t high, int64_t swap_max,
			 struct mt_err *err)
{
	const struct cg_limit_files *f = &limit_files[cg->version == 2];
	char v[32];
	int ret;

	/* v1: memsw (memory + swap) must stay >= the memory limit, so the
	 * memory limit goes first; playback undoes in reverse, which keeps
	 * the same order valid on the way back. */
	snprintf(v, sizeof(v), "%" PRIu64, max);
	ret = cg_write(j, cg, f->max, v, err);
	if (ret < 0)
		return ret;
	if (high) {
		snprintf(v, sizeof(v), "%" PRIu64, high);
		ret = cg_write(j, cg, f->high, v, err);
		if (ret < 0)
			return ret;
	}
	if (!cg_has(cg, f->swap)) {
		if (swap_max < 0)
			return 0;
		return mt_err_set(err, -ENOTSUP, MT_ERR_RUNTIME,
				  "cgroup: %s has no %s: the kernel does not "
				  "account swap (boot with swapaccount=1)",
				  cg->path, f->swap);
	}
	if (swap_max < 0)
		snprintf(v, sizeof(v), "%s", f->swap_none);
	else /* v1's memsw counts memory and swap together */
		snprintf(v, sizeof(v), "%" PRIu64,
			 (cg->version == 2 ? 0 : max) + (uint64_t)swap_max);
	return cg_write(j, cg, f->swap, v, err);
}

int mt_cgroup_set_swappiness(struct mt_journal *j, const struct mt_cgroup *cg,
			     int swappiness, struct mt_err *err)
{
	char v[16];

	if (cg->version != 1)
		return mt_err_set(err, -ENOTSUP, MT_ERR_RUNTIME,
				  "cgroup: cgroup v2 has no per-cgroup "
				  "swappiness; set vm.swappiness instead");
	snprintf(v, sizeof(v), "%d", swappiness);
	return cg_write(j, cg, "memory.swappiness", v, err);
}

int mt_cgroup_enter(const struct mt_cgroup *cg, pid_t pid, struct mt_err *err)
{
	char path[700], v[24];
	int ret;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg->path);
	snprintf(v, sizeof(v), "%d", (int)(pid ? pid : getpid()));
	ret = mt_sys_trigger(path, v, err);
	if (ret < 0)
		mt_err_prefix(err, "cgroup: cannot move process %s in", v);
	return ret;
}

int mt_cgroup_psi(const struct mt_cgroup *cg, struct mt_psi *out,
		  const char **scope, struct mt_err *err)
{
	char path[700], *text = NULL;
	int ret;

	if (cg && cg->version == 2) {
		snprintf(path, sizeof(path), "%s/memory.pressure", cg->path);
		*scope = "cgroup";
	} else {
		snprintf(path, sizeof(path), "/proc/pressure/memory");
		*scope = "system";
	}
	ret = mt_fs_read(path, &text, NULL, err);
	if (ret < 0)
		return ret;
	ret = mt_psi_parse(text, out);
	free(text);
	if (ret < 0)
		return mt_err_set(err, ret, MT_ERR_RUNTIME,
				  "cgroup: %s is not PSI text (expected "
				  "'some avg10=...')",
				  path);
	return 0;
}

/* Reads the cgroup file `name` as text; NULL when it is missing. */
static char *cg_read(const struct mt_cgroup *cg, const char *name)
{
	char path[700], *text = NULL;

	snprintf(path, sizeof(path), "%s/%s", cg->path, name);
	if (mt_fs_read(path, &text, NULL, NULL) < 0)
		return NULL;
	return text;
}

/* Adds the integer in cgroup file `name` under key, when it can be read. */
static void cg_number(const struct mt_cgroup *cg, const char *name,
		      const char *key, json_t *out)
{
	char path[700];
	int64_t v;

	snprintf(path, sizeof(path), "%s/%s", cg->path, name);
	if (mt_fs_read_i64(path, &v, NULL) == 0)
		json_object_set_new(out, key, json_integer(v));
}

json_t *mt_cgroup_counters(const struct mt_cgroup *cg, struct mt_err *err)
{
	json_t *out = json_object(), *psi;
	struct mt_psi p;
	const char *scope;
	char *text;

	if (!out) {
		mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
			   "cgroup: out of "
			   "memory");
		return NULL;
	}
	text = cg_read(cg, "memory.stat");
	if (!text) {
		json_decref(out);
		mt_err_set(err, -ENOENT, MT_ERR_RUNTIME,
			   "cgroup: cannot read "
			   "%s/memory.stat (was the cgroup removed?)",
			   cg->path);
		return NULL;
	}
	mt_memory_stat_parse(text, cg->version, out);
	free(text);
	json_object_set_new(out, "version", json_integer(cg->version));
	if (cg->version == 2) {
		text = cg_read(cg, "memory.events");
		if (text)
			mt_memory_events_parse(text, out);
		free(text);
		cg_number(cg, "memory.current", "memory_current_bytes", out);
		cg_number(cg, "memory.swap.current", "swap_current_bytes", out);
	} else {
		json_t *oc = json_object();
		int64_t usage = -1, memsw = -1;

		text = cg_read(cg, "memory.oom_control");
		if (text)
			mt_memory_events_parse(text, oc);
		free(text);
		/* oom_control's oom_kill is the v2 event of the same name. */
		if (json_object_get(oc, "oom_kill"))
			json_object_set(out, "oom_kill",
					json_object_get(oc, "oom_kill"));
		if (json_object_get(oc, "under_oom"))
			json_object_set(out, "under_oom",
					json_object_get(oc, "under_oom"));
		json_decref(oc);
		cg_number(cg, "memory.failcnt", "failcnt", out);
		cg_number(cg, "memory.usage_in_bytes", "memory_current_bytes",
			  out);
		usage = json_integer_value(
			json_object_get(out, "memory_current_bytes"));
		{
			char path[700];

			snprintf(path, sizeof(path),
				 "%s/memory.memsw.usage_in_bytes", cg->path);
			if (mt_fs_read_i64(path, &memsw, NULL) == 0 &&
			    memsw >= usage)
				json_object_set_new(out, "swap_current_bytes",
						    json_integer(memsw -
								 usage));
		}
	}
	if (mt_cgroup_psi(cg, &p, &scope, NULL) == 0) {
		psi = json_pack("{s:s, s:f, s:I, s:f, s:I}", "scope", scope,
				"some_avg10", p.some_avg10, "some_total_us",
				(json_int_t)p.some_total_us, "full_avg10",
				p.full_avg10, "full_total_us",
				(json_int_t)p.full_total_us);
		if (psi)
			json_object_set_new(out, "psi", psi);
	}
	return out;
}

/* ---- swap -------------------------------------------------------------- */

/* Fills info from the first (highest-priority) active swap device. */
static int existing_swap(json_t *info, struct mt_err *err)
{
	struct mt_swap_dev devs[16];
	size_t n = 0, best = 0;
	char *text = NULL;
	int ret;

	ret = mt_fs_read("/proc/swaps", &text, NULL, err);
	if (ret < 0)
		return ret;
	ret = mt_swaps_parse(text, devs, 16, &n);
	free(text);
	if (ret < 0)
		return mt_err_set(err, ret, MT_ERR_RUNTIME,
				  "swap: /proc/swaps has a line that is not "
				  "'path type size used priority'");
	if (n == 0)
		return -ENOENT;
	for (size_t i = 1; i < n && i < 16; i++)
		if (devs[i].priority > devs[best].priority)
			best = i;
	json_object_set_new(info, "device", json_string(devs[best].path));
	json_object_set_new(info, "type", json_string(devs[best].type));
	json_object_set_new(info, "size_bytes",
			    json_integer((json_int_t)devs[best].size_bytes));
	json_object_set_new(info, "used_bytes",
			    json_integer((json_int_t)devs[best].used_bytes));
	json_object_set_new(info, "devices", json_integer((json_int_t)n));
	json_object_set_new(info, "created", json_false());
	return 0;
}

/* Writes the swap area into the open, empty file fd: the header page, then
 * zeros up to size, so every block is allocated (a swap file must have no
 * holes). Returns 0 or -errno. */
static int write_swap_area(int fd, uint64_t size, size_t page)
{
	unsigned char *buf = calloc(1, SWAP_WRITE_CHUNK);
	uint64_t off = 0;
	unsigned char uuid[16];
	int ret = 0;

	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < sizeof(uuid); i++)
		uuid[i] = (unsigned char)(rand() ^ (int)(mt_now_ns() >> i));
	uuid[6] = (uuid[6] & 0x0f) | 0x40; /* a version-4 UUID */
	uuid[8] = (uuid[8] & 0x3f) | 0x80;
	mt_swap_header_fill(buf, page, size, uuid);
	while (off < size) {
		size_t n = size - off < SWAP_WRITE_CHUNK ?
				   (size_t)(size - off) :
				   SWAP_WRITE_CHUNK;
		ssize_t w = pwrite(fd, buf, n, (off_t)off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			ret = w < 0 ? -errno : -EIO;
			break;
		}
		if (off == 0)
			memset(buf, 0, page); /* header only once */
		off += (uint64_t)w;
	}
	free(buf);
	if (ret == 0 && fsync(fd) < 0)
		ret = -errno;
	/* The file's pages need not stay in the page cache. */
	if (ret == 0)
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	return ret;
}

int mt_swap_ensure(struct mt_journal *j, const struct mt_caps *caps,
		   bool allow_create, uint64_t size, const char *dir,
		   json_t *info, struct mt_err *err)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char path[700];
	struct statfs sfs;
	struct statvfs svfs;
	int fd, ret;

	(void)caps;
	ret = existing_swap(info, err);
	if (ret != -ENOENT)
		return ret;
	if (!allow_create)
		return mt_err_set(err, -ENOENT, MT_ERR_RUNTIME,
				  "swap: no swap is active and creating a "
				  "swap file is not allowed (set "
				  "swap.allow_swap_file=yes and run as root, "
				  "or enable swap: swapon -a)");
	size = size / page * page;
	if (size < SWAP_MIN_PAGES * page)
		return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				  "swap: a swap file of %" PRIu64 " bytes is "
				  "too small (at least %zu)",
				  size, SWAP_MIN_PAGES * page);
	if (statfs(dir, &sfs) < 0)
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "swap: cannot use %s for the swap file: %s "
				  "(set swap.swap_file_dir)",
				  dir, strerror(errno));
	if ((unsigned long)sfs.f_type == TMPFS_MAGIC ||
	    (unsigned long)sfs.f_type == RAMFS_MAGIC)
		return mt_err_set(err, -EOPNOTSUPP, MT_ERR_INPUT,
				  "swap: %s is on tmpfs/ramfs, which cannot "
				  "hold a swap file (set swap.swap_file_dir "
				  "to a directory on a disk, e.g. /var/tmp)",
				  dir);
	if (statvfs(dir, &svfs) == 0 &&
	    (uint64_t)svfs.f_bavail * svfs.f_frsize < size * 2)
		return mt_err_set(err, -ENOSPC, MT_ERR_RUNTIME,
				  "swap: %s has %llu MiB free, too little "
				  "for a %" PRIu64 " MiB swap file with room "
				  "to spare (free space, or lower "
				  "swap.swap_file_size)",
				  dir,
				  (unsigned long long)svfs.f_bavail *
						  svfs.f_frsize >>
					  20,
				  size >> 20);
	snprintf(path, sizeof(path), "%s/memtune-swap-%d.swap", dir,
		 (int)getpid());
	ret = mt_journal_create_file(j, path, O_WRONLY, 0600, &fd, err);
	if (ret < 0) {
		mt_err_prefix(err, "swap");
		return ret;
	}
	/* The umask may have taken bits away; swapon warns about any. */
	ret = fchmod(fd, 0600) < 0 ? -errno : 0;
	if (ret == 0)
		ret = write_swap_area(fd, size, page);
	close(fd);
	if (ret < 0)
		return mt_err_set(err, ret, MT_ERR_RUNTIME,
				  "swap: cannot write the swap file %s: %s",
				  path, strerror(-ret));
	ret = mt_journal_swapon(j, path, 0, err);
	if (ret < 0) {
		mt_err_prefix(err, "swap");
		return ret;
	}
	json_object_set_new(info, "device", json_string(path));
	json_object_set_new(info, "type", json_string("file"));
	json_object_set_new(info, "size_bytes", json_integer((json_int_t)size));
	json_object_set_new(info, "used_bytes", json_integer(0));
	json_object_set_new(info, "filesystem_magic",
			    json_integer((json_int_t)sfs.f_type));
	json_object_set_new(info, "created", json_true());
	return 0;
}

int mt_swap_read_latency(const char *device, int n, double *p50_us,
			 double *p99_us, struct mt_err *err)
{
	uint64_t size = 0, blocks, x = mt_rand_seed(mt_now_ns());
	double *lat = NULL, max_us;
	void *buf = NULL;
	struct stat st;
	int fd, ret = 0;

	*p50_us = *p99_us = NAN;
	if (n <= 0)
		return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				  "swap: read latency needs at least 1 read");
	fd = open(device, O_RDONLY | O_DIRECT | O_CLOEXEC);
	if (fd < 0)
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "swap: cannot open %s with O_DIRECT: %s",
				  device, strerror(errno));
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out_close;
	}
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, &size) < 0) {
			ret = -errno;
			goto out_close;
		}
	} else {
		size = (uint64_t)st.st_size;
	}
	blocks = size / 4096;
	if (blocks < 2) {
		ret = mt_err_set(err, -EINVAL, MT_ERR_RUNTIME,
				 "swap: %s is too small to time reads (%" PRIu64
				 " bytes)",
				 device, size);
		goto out_close;
	}
	lat = calloc((size_t)n, sizeof(*lat));
	if (!lat || posix_memalign(&buf, 4096, 4096) != 0) {
		ret = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				 "swap: out of memory");
		goto out_free;
	}
	for (int i = 0; i < n; i++) {
		uint64_t t0, blk;
		ssize_t r;

		/* Block 0 is the header; random blocks defeat readahead. */
		blk = 1 + mt_rand_below(&x, blocks - 1);
		t0 = mt_now_ns();
		r = pread(fd, buf, 4096, (off_t)(blk * 4096));
		lat[i] = (double)(mt_now_ns() - t0);
		if (r != 4096) {
			ret = mt_err_set(err, r < 0 ? -errno : -EIO,
					 MT_ERR_RUNTIME,
					 "swap: O_DIRECT read of %s failed: "
					 "%s",
					 device,
					 r < 0 ? strerror(errno) :
						 "short read");
			goto out_free;
		}
	}
	mt_latency_summary(lat, (size_t)n, p50_us, p99_us, &max_us);
out_free:
	free(buf);
	free(lat);
out_close:
	close(fd);
	if (ret < 0 && err && !err->msg[0])
		mt_err_set(err, ret, MT_ERR_RUNTIME,
			   "swap: cannot size %s: "
			   "%s",
			   device, strerror(-ret));
	return ret;
}

/* ---- OOM --------------------------------------------------------------- */

int mt_oom_score_adj_set(pid_t pid, int adj, struct mt_err *err)
{
	char path[64], v[16];
	int ret;

	if (adj < -1000 || adj > 1000)
		return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				  "oom: oom_score_adj %d is outside "
				  "-1000..1000",
				  adj);
	if (pid == 0)
		snprintf(path, sizeof(path), "/proc/self/oom_score_adj");
	else
		snprintf(path, sizeof(path), "/proc/%d/oom_score_adj",
			 (int)pid);
	snprintf(v, sizeof(v), "%d", adj);
	ret = mt_sys_trigger(path, v, err);
	if (ret < 0)
		mt_err_prefix(err, "oom");
	return ret;
}

int mt_oom_protect_self(struct mt_err *err)
{
	if (geteuid() != 0)
		return mt_err_set(err, -EPERM, MT_ERR_RUNTIME,
				  "oom: lowering oom_score_adj needs root "
				  "(CAP_SYS_RESOURCE)");
	if (mt_oom_score_adj_set(0, -1000, err) < 0)
		return mt_err_set(err, -EPERM, MT_ERR_RUNTIME,
				  "oom: cannot set oom_score_adj -1000 for "
				  "the runner: lowering it needs "
				  "CAP_SYS_RESOURCE, which this root process "
				  "lacks (a container?); a memory cgroup's "
				  "OOM kill still picks only its own "
				  "processes");
	return 0;
}
