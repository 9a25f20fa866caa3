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
#include "safefile.h"

struct mt_rundir {
	struct mt_outdir dir; /* the run directory (path and checked fd) */
	struct mt_outdir snapshots; /* DIR/snapshots */
	int results_fd;		    /* results.jsonl, O_APPEND */
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

/* Makes the new directory for the run, as rd->dir: exactly `exact`, which
 * must not exist (its parents are created), or parent/HOST-YYYYmmdd-HHMMSS
 * with -2, -3... appended until a name is free. Both go through
 * core/safefile, so a directory someone else can write or a link they
 * planted on the way is refused, and every later write goes through the
 * descriptor opened here. Returns 0 or -errno with err set. */
static int make_run_dir(struct mt_rundir *rd, const char *parent,
			const char *exact, struct mt_err *err)
{
	struct mt_outdir up;
	char base[300], name[320];
	int ret;

	if (exact) {
		ret = mt_outdir_open(&rd->dir, "run directory", exact,
				     MT_DIR_NEW, err);
		if (ret == -EEXIST)
			mt_err_set(err, -EEXIST, MT_ERR_INPUT,
				   "run directory '%s' exists; a new run "
				   "never overwrites an old one",
				   rd->dir.path);
		return ret;
	}
	if (!parent || !*parent)
		parent = ".";
	ret = mt_outdir_open(&up, "run directory", parent, MT_DIR_CREATE, err);
	if (ret < 0)
		return ret;
	default_name(base, sizeof(base));
	snprintf(name, sizeof(name), "%s", base);
	/* mkdir is the atomic test: two runs started in the same second get
	 * different directories even when they race. */
	for (int i = 2;; i++) {
		ret = mt_outdir_sub(&rd->dir, &up, "run directory", name,
				    MT_DIR_NEW, err);
		if (ret != -EEXIST)
			break;
		if (i > 10000) {
			ret = mt_err_set(err, -EEXIST, MT_ERR_RUNTIME,
					 "run directory: '%s/%s' and 10000 "
					 "suffixed names exist; clean up '%s'",
					 up.path, base, up.path);
			break;
		}
		snprintf(name, sizeof(name), "%s-%d", base, i);
	}
	mt_outdir_close(&up);
	return ret;
}

/* Creates a new run directory under parent (created if missing; "." when
 * NULL), or exactly at exact when it is not NULL (it must not exist: that
 * is MT_ERR_INPUT). Makes snapshots/ and creates results.jsonl for
 * appending. Stores the handle in *out. Returns 0 or -errno with err set;
 * on failure a directory that was already made is left behind (it is new
 * and holds no results). */
int mt_rundir_create(const char *parent, const char *exact,
		     struct mt_rundir **out, struct mt_err *err)
{
	struct mt_rundir *rd;
	int ret;

	*out = NULL;
	rd = calloc(1, sizeof(*rd));
	if (!rd)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "run directory: out of memory");
	rd->dir.fd = -1;
	rd->snapshots.fd = -1;
	rd->results_fd = -1;
	ret = make_run_dir(rd, parent, exact, err);
	if (ret < 0)
		goto out_rd;
	ret = mt_outdir_sub(&rd->snapshots, &rd->dir, "run directory",
			    "snapshots", MT_DIR_NEW, err);
	if (ret < 0)
		goto out_rd;
	ret = mt_outdir_create(&rd->dir, "run directory", "results.jsonl",
			       O_WRONLY | O_APPEND, 0644, err);
	if (ret < 0)
		goto out_rd;
	rd->results_fd = ret;
	*out = rd;
	return 0;

out_rd:
	mt_outdir_close(&rd->snapshots);
	mt_outdir_close(&rd->dir);
	free(rd);
	return ret;
}

/* Returns the run directory's path (owned by rd). */
const char *mt_rundir_path(const struct mt_rundir *rd)
{
	return rd->dir.path;
}

const struct mt_outdir *mt_rundir_dir(const struct mt_rundir *rd)
{
	return &rd->dir;
}

/* Writes text[0..len) and a newline to results.jsonl in one write() and
 * makes it durable with fdatasync; when the write fails part way (a full
 * disk), the partial text is cut off again so that the file keeps only
 * whole records. Returns 0 or -errno with err set. */
static int write_lines(struct mt_rundir *rd, const char *text, size_t len,
		       struct mt_err *err)
{
	struct stat sb;
	char *buf;
	int ret;

	buf = malloc(len + 1);
	if (!buf)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "run directory: out of memory");
	memcpy(buf, text, len);
	buf[len] = '\n';
	if (fstat(rd->results_fd, &sb) < 0)
		sb.st_size = -1;
	ret = mt_write_all(rd->results_fd, buf, len + 1);
	if (ret < 0) {
		bool cut = sb.st_size >= 0 &&
			   ftruncate(rd->results_fd, sb.st_size) == 0;

		/* When the cut fails too, readers still skip the partial
		 * last line and report it. */
		mt_err_set(err, ret, MT_ERR_RUNTIME,
			   "run directory: cannot append to "
			   "'%s/results.jsonl': %s%s (is the disk full?)",
			   rd->dir.path, strerror(-ret),
			   cut ? "" : "; a partial line remains");
		goto out_buf;
	}
	if (fdatasync(rd->results_fd) < 0) {
		ret = mt_err_set(err, -errno, MT_ERR_RUNTIME,
				 "run directory: cannot flush "
				 "'%s/results.jsonl': %s",
				 rd->dir.path, strerror(errno));
		goto out_buf;
	}
out_buf:
	free(buf);
	return ret;
}

/* Appends line and a newline to results.jsonl (write_lines). line must
 * not contain a newline (it would split the record). Returns 0 or -errno
 * with err set. */
int mt_rundir_append_line(struct mt_rundir *rd, const char *line,
			  struct mt_err *err)
{
	size_t len = strlen(line);

	if (memchr(line, '\n', len))
		return mt_err_set(err, -EINVAL, MT_ERR_RUNTIME,
				  "run directory: a record for '%s/results."
				  "jsonl' contains a newline",
				  rd->dir.path);
	return write_lines(rd, line, len, err);
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
				  rd->dir.path);
	text = mt_json_dumps(record, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!text)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "run directory: cannot serialize a record "
				  "for '%s/results.jsonl'",
				  rd->dir.path);
	ret = mt_rundir_append_line(rd, text, err);
	free(text);
	return ret;
}

/* Serializes each record of the array compactly, one line each, and
 * appends the lines with one write and one fdatasync (write_lines).
 * Returns 0 or -errno with err set. */
int mt_rundir_append_many(struct mt_rundir *rd, json_t *records,
			  struct mt_err *err)
{
	char *buf = NULL, *text;
	size_t len = 0, i;
	json_t *rec;
	FILE *f;
	int ret;

	if (!json_array_size(records))
		return 0;
	f = open_memstream(&buf, &len);
	if (!f)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "run directory: out of memory");
	json_array_foreach(records, i, rec) {
		text = mt_json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (!text || strchr(text, '\n')) {
			free(text);
			fclose(f);
			free(buf);
			return mt_err_set(err, -EINVAL, MT_ERR_RUNTIME,
					  "run directory: cannot serialize a "
					  "record for '%s/results.jsonl'",
					  rd->dir.path);
		}
		fprintf(f, "%s%s", i ? "\n" : "", text);
		free(text);
	}
	if (fclose(f) != 0) {
		free(buf);
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "run directory: out of memory");
	}
	ret = write_lines(rd, buf, len, err);
	free(buf);
	return ret;
}

/* Writes meta to DIR/meta.json atomically (core/safefile: an unpredictable
 * temporary, fsync'ed, renamed over meta.json, the directory fsync'ed), in
 * its key order and indented. A reader sees the old or the new file, never
 * a mix. Returns 0, -EINVAL when meta lacks an integer schema_version, or
 * -errno with err set. */
int mt_rundir_write_meta(struct mt_rundir *rd, json_t *meta, struct mt_err *err)
{
	char *text;
	size_t len;
	int ret;

	if (!json_is_integer(json_object_get(meta, "schema_version")))
		return mt_err_set(err, -EINVAL, MT_ERR_RUNTIME,
				  "run directory: meta.json for '%s' lacks an "
				  "integer 'schema_version'",
				  rd->dir.path);
	text = mt_json_dumps(meta, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!text)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "run directory: cannot serialize meta.json "
				  "for '%s'",
				  rd->dir.path);
	len = strlen(text);
	text[len] = '\n'; /* json_dumps leaves room: replaces the NUL */
	ret = mt_outdir_replace(&rd->dir, "run directory", "meta.json", text,
				len + 1, 0644, 0, err);
	free(text);
	return ret;
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
int mt_rundir_snapshot(struct mt_rundir *rd, const char *tag, const char *when,
		       struct mt_err *err)
{
	char name[NAME_MAX + 1];
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
	for (size_t i = 0;
	     i < sizeof(snapshot_files) / sizeof(snapshot_files[0]); i++) {
		struct mt_err rerr = { 0 };
		char *data;
		size_t len;

		if (mt_fs_read(snapshot_files[i].path, &data, &len, &rerr) <
		    0) {
			fprintf(mf, "%s: %s\n", snapshot_files[i].name,
				rerr.msg[0] ? rerr.msg : "cannot read");
			continue;
		}
		snprintf(name, sizeof(name), "%s.%s.%s", tag, when,
			 snapshot_files[i].name);
		ret = mt_outdir_replace(&rd->snapshots, "run directory", name,
					data, len, 0644, MT_FILE_NOSYNC, err);
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
		snprintf(name, sizeof(name), "%s.%s.missing", tag, when);
		ret = mt_outdir_replace(&rd->snapshots, "run directory", name,
					missing, missing_len, 0644,
					MT_FILE_NOSYNC, err);
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
	mt_outdir_close(&rd->snapshots);
	mt_outdir_close(&rd->dir);
	free(rd);
}
