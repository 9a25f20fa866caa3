/* The run directory writer (DESIGN §3).
 *
 * Durability is the point of this file: a run killed at any moment must
 * leave every record it finished readable and a meta.json that is either
 * the old or the new version, never half of one. Records therefore go out
 * as one write() of a whole line followed by fdatasync, and meta.json is
 * replaced by rename of a synced temporary file.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "fsroot.h"
#include "json_safe.h"
#include "rundir.h"

struct mt_rundir {
	char *path;		/* the run directory */
	int results_fd;		/* results.jsonl, O_APPEND */
};

/* The kernel files a snapshot copies, and the name each gets. */
static const struct {
	const char *path;
	const char *name;
} snapshot_files[] = {
	{ "/proc/meminfo", "meminfo" },
	{ "/proc/vmstat", "vmstat" },
	{ "/proc/zoneinfo", "zoneinfo" },
	{ "/proc/buddyinfo", "buddyinfo" },
	{ "/proc/pressure/memory", "pressure-memory" },
};

/* Creates directory `path` and its missing parents, like mkdir -p.
 * Returns 0 (also when it already exists as a directory) or -errno with
 * err set. */
static int mkdir_parents(const char *path, struct mt_err *err)
{
	char buf[PATH_MAX];
	struct stat sb;
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf))
		return mt_err_set(err, -ENAMETOOLONG, MT_ERR_INPUT,
				  "run directory: bad parent path '%s'", path);
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; ; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return mt_err_set(err, -errno, MT_ERR_INPUT,
					  "run directory: cannot create '%s': "
					  "%s (choose another place with -o)",
					  buf, strerror(errno));
		*p = c;
		if (c == '\0')
			break;
	}
	if (stat(path, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return mt_err_set(err, -ENOTDIR, MT_ERR_INPUT,
				  "run directory: '%s' is not a directory "
				  "(choose another place with -o)", path);
	return 0;
}

/* Writes the default run directory name HOST-YYYYmmdd-HHMMSS (UTC, like the
 * times in the records) into buf. A '/' in the host name would make a
 * subdirectory, so it becomes '_'. */
static void default_name(char *buf, size_t len)
{
	char host[256] = "localhost", stamp[32];
	struct tm tm;
	time_t now = time(NULL);

	if (gethostname(host, sizeof(host) - 1) < 0 || !host[0])
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	for (char *p = host; *p; p++)
		if (*p == '/')
			*p = '_';
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	snprintf(buf, len, "%s-%s", host, stamp);
}

/* Makes the new directory for the run: exactly `exact`, which must not
 * exist (its parents are created), or parent/HOST-YYYYmmdd-HHMMSS with -2,
 * -3... appended until a name is free. Stores the malloc'ed path in *out.
 * Returns 0 or -errno with err set. */
static int make_run_dir(const char *parent, const char *exact, char **out,
			struct mt_err *err)
{
	/* path has room for base and a "-N" suffix */
	char path[PATH_MAX + 16], base[PATH_MAX], name[300];
	int ret;

	if (exact) {
		char *slash;

		if (!*exact || strlen(exact) >= sizeof(base))
			return mt_err_set(err, -EINVAL, MT_ERR_INPUT,
					  "run directory: bad path '%s'",
					  exact);
		strcpy(path, exact);
		while (strlen(path) > 1 && path[strlen(path) - 1] == '/')
			path[strlen(path) - 1] = '\0';
		strcpy(base, path);
		slash = strrchr(base, '/');
		if (slash && slash != base) {
			*slash = '\0';
			ret = mkdir_parents(base, err);
			if (ret < 0)
				return ret;
		}
		if (mkdir(path, 0755) < 0) {
			if (errno == EEXIST)
				return mt_err_set(err, -EEXIST, MT_ERR_INPUT,
						  "run directory '%s' exists; "
						  "a new run never overwrites "
						  "an old one", path);
			return mt_err_set(err, -errno, MT_ERR_INPUT,
					  "run directory: cannot create '%s': "
					  "%s (choose another place with -o)",
					  path, strerror(errno));
		}
		goto out_done;
	}

	if (!parent || !*parent)
		parent = ".";
	ret = mkdir_parents(parent, err);
	if (ret < 0)
		return ret;
	default_name(name, sizeof(name));
	if ((size_t)snprintf(base, sizeof(base), "%s/%s", parent, name) >=
	    sizeof(base))
		return mt_err_set(err, -ENAMETOOLONG, MT_ERR_INPUT,
				  "run directory: path under '%s' is too long",
				  parent);
	snprintf(path, sizeof(path), "%s", base);
	/* mkdir is the atomic test: two runs started in the same second get
	 * different directories even when they race. */
	for (int i = 2; mkdir(path, 0755) < 0; i++) {
		if (errno != EEXIST)
			return mt_err_set(err, -errno, MT_ERR_INPUT,
					  "run directory: cannot create '%s': "
					  "%s (choose another place with -o)",
					  path, strerror(errno));
		if (i > 10000)
			return mt_err_set(err, -EEXIST, MT_ERR_RUNTIME,
					  "run directory: '%s' and 10000 "
					  "suffixed names exist; clean up '%s'",
					  base, parent);
		snprintf(path, sizeof(path), "%s-%d", base, i);
	}
out_done:
	*out = strdup(path);
	if (!*out)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "run directory: out of memory");
	return 0;
}

/* Creates a new run directory under parent (created if missing; "." when
 * NULL), or exactly at exact when it is not NULL (it must not exist: that
 * is MT_ERR_INPUT). Makes snapshots/ and opens results.jsonl for appending.
 * Stores the handle in *out. Returns 0 or -errno with err set; on failure
 * a directory that was already made is left behind (it is new and holds no
 * results). */
int mt_rundir_create(const char *parent, const char *exact,
		     struct mt_rundir **out, struct mt_err *err)
{
	struct mt_rundir *rd;
	char sub[PATH_MAX];
	int ret;

	*out = NULL;
	rd = calloc(1, sizeof(*rd));
	if (!rd)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "run directory: out of memory");
	rd->results_fd = -1;
	ret = make_run_dir(parent, exact, &rd->path, err);
	if (ret < 0)
		goto out_rd;

	snprintf(sub, sizeof(sub), "%s/snapshots", rd->path);
	if (mkdir(sub, 0755) < 0) {
		ret = mt_err_set(err, -errno, MT_ERR_RUNTIME,
				 "run directory: cannot create '%s': %s", sub,
				 strerror(errno));
		goto out_path;
	}
	snprintf(sub, sizeof(sub), "%s/results.jsonl", rd->path);
	rd->results_fd = open(sub, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
			      0644);
	if (rd->results_fd < 0) {
		ret = mt_err_set(err, -errno, MT_ERR_RUNTIME,
				 "run directory: cannot create '%s': %s", sub,
				 strerror(errno));
		goto out_path;
	}
	*out = rd;
	return 0;

out_path:
	free(rd->path);
out_rd:
	free(rd);
	return ret;
}

/* Returns the run directory's path (owned by rd). */
const char *mt_rundir_path(const struct mt_rundir *rd)
{
	return rd->path;
}

/* Writes buf[0..len) to fd, retrying after EINTR and short writes.
 * Returns 0 or -errno. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Appends line and a newline to results.jsonl in one write() and makes it
 * durable with fdatasync. line must not contain a newline (it would split
 * the record). When the write fails part way (a full disk), the partial
 * line is cut off again so that the file keeps only whole records. Returns
 * 0 or -errno with err set. */
int mt_rundir_append_line(struct mt_rundir *rd, const char *line,
			  struct mt_err *err)
{
	size_t len = strlen(line);
	struct stat sb;
	char *buf;
	int ret;

	if (memchr(line, '\n', len))
		return mt_err_set(err, -EINVAL, MT_ERR_RUNTIME,
				  "run directory: a record for '%s/results."
				  "jsonl' contains a newline", rd->path);
	buf = malloc(len + 1);
	if (!buf)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "run directory: out of memory");
	memcpy(buf, line, len);
	buf[len] = '\n';
	if (fstat(rd->results_fd, &sb) < 0)
		sb.st_size = -1;
	ret = write_all(rd->results_fd, buf, len + 1);
	if (ret < 0) {
		bool cut = sb.st_size >= 0 &&
			   ftruncate(rd->results_fd, sb.st_size) == 0;

		/* When the cut fails too, readers still skip the partial
		 * last line and report it. */
		mt_err_set(err, ret, MT_ERR_RUNTIME,
			   "run directory: cannot append to "
			   "'%s/results.jsonl': %s%s (is the disk full?)",
			   rd->path, strerror(-ret),
			   cut ? "" : "; a partial line remains");
		goto out_buf;
	}
	if (fdatasync(rd->results_fd) < 0) {
		ret = mt_err_set(err, -errno, MT_ERR_RUNTIME,
				 "run directory: cannot flush "
				 "'%s/results.jsonl': %s", rd->path,
				 strerror(errno));
		goto out_buf;
	}
out_buf:
	free(buf);
	return ret;
}

/* Serializes record compactly, in its key order, and appends it as one line
 * (see mt_rundir_append_line). Returns 0 or -errno with err set. */
int mt_rundir_append(struct mt_rundir *rd, json_t *record, struct mt_err *err)
{
	char *text;
	int ret;

	if (!record)
		return mt_err_set(err, -EINVAL, MT_ERR_RUNTIME,
				  "run directory: no record to append to "
				  "'%s/results.jsonl' (out of memory?)",
				  rd->path);
	text = mt_json_dumps(record, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!text)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "run directory: cannot serialize a record "
				  "for '%s/results.jsonl'", rd->path);
	ret = mt_rundir_append_line(rd, text, err);
	free(text);
	return ret;
}

/* fsyncs the directory dir so that a rename inside it survives a crash.
 * Returns 0 or -errno. */
static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Writes meta to DIR/meta.json atomically: indented, in its key order, into
 * meta.json.tmp, fsync'ed, renamed over meta.json, and the directory
 * fsync'ed. A reader sees the old or the new file, never a mix. Returns 0,
 * -EINVAL when meta lacks an integer schema_version, or -errno with err
 * set. */
int mt_rundir_write_meta(struct mt_rundir *rd, json_t *meta,
			 struct mt_err *err)
{
	char tmp[PATH_MAX], final[PATH_MAX];
	char *text;
	size_t len;
	int fd, ret;

	if (!json_is_integer(json_object_get(meta, "schema_version")))
		return mt_err_set(err, -EINVAL, MT_ERR_RUNTIME,
				  "run directory: meta.json for '%s' lacks an "
				  "integer 'schema_version'", rd->path);
	text = mt_json_dumps(meta, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!text)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "run directory: cannot serialize meta.json "
				  "for '%s'", rd->path);
	snprintf(tmp, sizeof(tmp), "%s/meta.json.tmp", rd->path);
	snprintf(final, sizeof(final), "%s/meta.json", rd->path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		ret = mt_err_set(err, -errno, MT_ERR_RUNTIME,
				 "run directory: cannot create '%s': %s", tmp,
				 strerror(errno));
		goto out_text;
	}
	len = strlen(text);
	text[len] = '\n';	/* json_dumps leaves room: replaces the NUL */
	ret = write_all(fd, text, len + 1);
	text[len] = '\0';
	if (ret == 0 && fsync(fd) < 0)
		ret = -errno;
	if (close(fd) < 0 && ret == 0)
		ret = -errno;
	if (ret < 0) {
		mt_err_set(err, ret, MT_ERR_RUNTIME,
			   "run directory: cannot write '%s': %s (is the disk "
			   "full?)", tmp, strerror(-ret));
		goto out_tmp;
	}
	if (rename(tmp, final) < 0) {
		ret = mt_err_set(err, -errno, MT_ERR_RUNTIME,
				 "run directory: cannot rename '%s' to '%s': "
				 "%s", tmp, final, strerror(errno));
		goto out_tmp;
	}
	ret = sync_dir(rd->path);
	if (ret < 0)
		mt_err_set(err, ret, MT_ERR_RUNTIME,
			   "run directory: cannot sync '%s': %s", rd->path,
			   strerror(-ret));
	goto out_text;

out_tmp:
	unlink(tmp);
out_text:
	free(text);
	return ret;
}

/* Writes data[0..len) to the new file path (replacing an old one).
 * Returns 0 or -errno with err set. */
static int write_file(const char *path, const char *data, size_t len,
		      struct mt_err *err)
{
	int fd, ret;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "run directory: cannot create '%s': %s",
				  path, strerror(errno));
	ret = write_all(fd, data, len);
	if (close(fd) < 0 && ret == 0)
		ret = -errno;
	if (ret < 0)
		return mt_err_set(err, ret, MT_ERR_RUNTIME,
				  "run directory: cannot write '%s': %s (is "
				  "the disk full?)", path, strerror(-ret));
	return 0;
}

/* True when s can be one component of a file name. */
static bool is_name_part(const char *s)
{
	return s && *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

/* Copies the kernel's memory state files through the fsroot reader into
 * snapshots/TAG.WHEN.NAME. A file that cannot be read (no PSI on this
 * kernel, say) is listed with the reader's message in
 * snapshots/TAG.WHEN.missing instead; that is not an error. Returns 0, or
 * -errno with err set when tag or when is not a file name part or a
 * snapshot file cannot be written. */
int mt_rundir_snapshot(struct mt_rundir *rd, const char *tag,
		       const char *when, struct mt_err *err)
{
	char path[PATH_MAX];
	char *missing = NULL;
	size_t missing_len = 0;
	FILE *mf;
	int ret = 0;

	if (!is_name_part(tag) || !is_name_part(when))
		return mt_err_set(err, -EINVAL, MT_ERR_RUNTIME,
				  "run directory: snapshot tag '%s' and time "
				  "'%s' must be non-empty names without '/'",
				  tag ? tag : "", when ? when : "");
	mf = open_memstream(&missing, &missing_len);
	if (!mf)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "run directory: out of memory");
	for (size_t i = 0; i < sizeof(snapshot_files) /
			       sizeof(snapshot_files[0]); i++) {
		struct mt_err rerr = { 0 };
		char *data;
		size_t len;

		if (mt_fs_read(snapshot_files[i].path, &data, &len,
			       &rerr) < 0) {
			fprintf(mf, "%s: %s\n", snapshot_files[i].name,
				rerr.msg[0] ? rerr.msg : "cannot read");
			continue;
		}
		snprintf(path, sizeof(path), "%s/snapshots/%s.%s.%s",
			 rd->path, tag, when, snapshot_files[i].name);
		ret = write_file(path, data, len, err);
		free(data);
		if (ret < 0)
			goto out_missing;
	}
	if (fflush(mf) != 0) {
		ret = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				 "run directory: out of memory");
		goto out_missing;
	}
	if (missing_len > 0) {
		snprintf(path, sizeof(path), "%s/snapshots/%s.%s.missing",
			 rd->path, tag, when);
		ret = write_file(path, missing, missing_len, err);
	}
out_missing:
	fclose(mf);
	free(missing);
	return ret;
}

/* Closes results.jsonl and frees rd; the directory stays. NULL is
 * allowed. */
void mt_rundir_close(struct mt_rundir *rd)
{
	if (!rd)
		return;
	if (rd->results_fd >= 0)
		close(rd->results_fd);
	free(rd->path);
	free(rd);
}
