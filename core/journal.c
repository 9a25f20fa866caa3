/* The state journal (DESIGN §5; the file format is documented in
 * journal.h).
 *
 * Invariants this file keeps:
 * - an undo entry is on disk (written and fsynced) before the change it
 *   undoes is made; when the change then fails, the entry is dropped again,
 *   so playback never undoes something we did not do (rmdir of a directory
 *   that already existed, swapoff of someone else's swap);
 * - undoing is idempotent: a directory or file already gone, a swap area
 *   already off or a setting whose file has disappeared counts as undone, so
 *   a second `memtune restore` after a partial failure finishes the job;
 * - the journal file is flock()ed while a handle is open, so `memtune
 *   restore` cannot undo the changes of a run that is still going.
 */
#include "journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/swap.h>
#include <sys/types.h>

#include <jansson.h>

#include "fileio.h"
#include "fsroot.h"
#include "json_safe.h"
#include "knobs.h"
#include "safefile.h"
#include "statedir.h"

#define JSON_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER)

/* How long rmdir of a cgroup waits for its killed processes to go. */
#define CGROUP_RMDIR_TRIES 40
#define CGROUP_RMDIR_SLEEP_NS 50000000L

struct mt_journal {
	char *path;		 /* the journal file */
	int fd;			 /* O_APPEND, flock()ed */
	size_t n;		 /* entries */
	size_t cap;		 /* allocated slots in entries and offsets */
	json_t **entries;	 /* the undo entries, oldest first */
	off_t *offsets;		 /* byte offset of each entry's line */
	off_t end;		 /* file size: where the next line goes */
	struct mt_journal *next; /* in open_journals */
};

/* Open handles, so that a forked worker can drop its copies of their file
 * descriptors (see close_in_child). */
static struct mt_journal *open_journals;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

/* One line of a journal file as parsed. */
struct line {
	json_t *entry;	   /* NULL when the line is malformed */
	char problem[512]; /* why it is malformed */
	int lineno;	   /* 1-based */
	off_t offset;	   /* byte offset of the line */
	bool partial;	   /* last line without its newline */
};

/* ---- small file helpers ------------------------------------------------ */

/* True for the pseudo file systems whose files are settings, not data:
 * there a write replaces the value, and truncating makes no sense. */
static bool fd_is_pseudo(int fd)
{
	struct statfs sfs;

	if (fstatfs(fd, &sfs) < 0)
		return false;
	switch ((unsigned long)sfs.f_type) {
	case PROC_SUPER_MAGIC:
	case SYSFS_MAGIC:
	case CGROUP_SUPER_MAGIC:
	case CGROUP2_SUPER_MAGIC:
	case DEBUGFS_MAGIC: return true;
	default: return false;
	}
}

/* A hint for the end of a message about a failed write. */
static const char *perm_hint(int ret)
{
	return ret == -EACCES || ret == -EPERM ? " (run as root)" : "";
}

/* The same for the state directory: root is not needed to keep it. */
static const char *state_dir_hint(int ret)
{
	return ret == -EACCES || ret == -EPERM || ret == -EROFS ?
		       " (set MEMTUNE_STATE_DIR, or XDG_STATE_HOME, to a directory "
		       "you can write)" :
		       "";
}

/* Writes `value` (plus a newline, as echo does) to the setting file at real
 * path `path` in a single write(2): /proc/sys and sysfs take one value per
 * write. Regular files (a captured tree) are truncated first so a shorter
 * value does not leave a tail. Returns 0 or -errno. */
static int write_value(const char *path, const char *value)
{
	size_t vlen = strlen(value);
	bool newline = vlen == 0 || value[vlen - 1] != '\n';
	char *buf;
	ssize_t n;
	int fd, ret = 0;

	buf = malloc(vlen + 2);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, value, vlen);
	if (newline)
		buf[vlen++] = '\n';
	buf[vlen] = '\0';
	fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto out_buf;
	}
	if (!fd_is_pseudo(fd) && ftruncate(fd, 0) < 0) {
		ret = -errno;
		goto out_fd;
	}
	do {
		n = write(fd, buf, vlen);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != vlen)
		ret = -EIO;
out_fd:
	if (close(fd) < 0 && ret == 0)
		ret = -errno;
out_buf:
	free(buf);
	return ret;
}

/* If text is one line of words with exactly one "[word]" (a choice file
 * such as THP's "always [madvise] never"), returns the bracketed word's
 * start and stores its length; else NULL. Stricter than "has brackets", so
 * a value like a core_pattern with brackets is kept whole. */
static const char *choice_word(const char *text, size_t *n)
{
	const char *p = text, *word = NULL;

	while (*p && *p != '\n') {
		size_t wlen;

		p += strspn(p, " ");
		wlen = strcspn(p, " \n");
		if (wlen == 0)
			break;
		if (p[0] == '[' && p[wlen - 1] == ']' && wlen > 2) {
			if (word)
				return NULL;
			word = p + 1;
			*n = wlen - 2;
		} else if (memchr(p, '[', wlen) || memchr(p, ']', wlen)) {
			return NULL;
		}
		p += wlen;
	}
	if (*p == '\n')
		p++;
	return *p == '\0' ? word : NULL;
}

/* Reads the setting at real path `path` as it would be written back: for a
 * bracketed choice file the selected word, otherwise the content without
 * its trailing newlines. Stores a malloc'ed string in *out. Returns 0,
 * -errno, or -EINVAL if the file holds NUL bytes. */
static int read_value(const char *path, char **out)
{
	const char *word;
	char *text;
	size_t len, n = 0;
	int ret;

	ret = mt_read_path(path, 0, SIZE_MAX, &text, &len);
	if (ret < 0)
		return ret;
	if (strlen(text) != len) {
		free(text);
		return -EINVAL;
	}
	word = choice_word(text, &n);
	if (word) {
		memmove(text, word, n);
		text[n] = '\0';
	} else {
		while (len > 0 && text[len - 1] == '\n')
			text[--len] = '\0';
	}
	*out = text;
	return 0;
}

/* Replaces the file at real path `path` with `len` bytes of content and
 * `mode` through core/safefile (an unpredictable temporary in the same
 * directory, fsync, rename, fsync of the directory; a link or someone
 * else's file in its place is refused). Returns 0 or -errno; on failure
 * the old file is intact. */
static int atomic_write(const char *path, const char *content, size_t len,
			mode_t mode)
{
	char dir[PATH_MAX];
	struct mt_outdir d;
	struct mt_err e = { 0 };
	int ret;

	mt_path_dir(path, dir, sizeof(dir));
	ret = mt_outdir_open(&d, "journal", dir, 0, &e);
	if (ret < 0)
		return ret;
	ret = mt_outdir_replace(&d, "journal", strrchr(path, '/') + 1, content,
				len, mode & 07777, 0, &e);
	mt_outdir_close(&d);
	return ret;
}

/* ---- entries ----------------------------------------------------------- */

/* What memtune may have changed (SECURITY.md). A journal is trusted only in
 * the user's own state directory, and even there every entry must name
 * something memtune itself changes or creates: a knob of core/knobs.c with
 * a valid value, a file of a cgroup memtune created, a cgroup, test file
 * or swap file under memtune's own name, or its sysctl.d file. Paths are
 * stored resolved under MEMTUNE_FSROOT, so a journal is played back under
 * the root it was written under. */

#define CGROUP_FS "/sys/fs/cgroup/"
#define OUR_PREFIX "memtune-"
#define OUR_SYSCTL_D "/etc/sysctl.d/99-memtune.conf"

/* The cgroup files memtune writes in the cgroups it creates. */
static const char *const cgroup_files[] = { "memory.max",
					    "memory.high",
					    "memory.swap.max",
					    "memory.limit_in_bytes",
					    "memory.soft_limit_in_bytes",
					    "memory.memsw.limit_in_bytes",
					    "memory.swappiness",
					    NULL };

/* MemTotal in bytes of the machine (or tree) being restored, 0 if not
 * known. */
static uint64_t mem_total(void)
{
	int64_t kb = 0;

	if (mt_fs_read_key("/proc/meminfo", "MemTotal", &kb, NULL) < 0 ||
	    kb <= 0)
		return 0;
	return (uint64_t)kb << 10;
}

/* The last component of path. */
static const char *base_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* True if the unresolved path is a cgroup memtune created, or lies inside
 * one: under the cgroup file system, with a component named memtune-*. */
static bool in_our_cgroup(const char *rel, bool dir_itself)
{
	const char *p;

	if (strncmp(rel, CGROUP_FS, strlen(CGROUP_FS)) != 0)
		return false;
	if (dir_itself)
		return strncmp(base_of(rel), OUR_PREFIX, strlen(OUR_PREFIX)) ==
			       0 ||
		       strstr(rel, "/" OUR_PREFIX) != NULL;
	/* A file: its directory must be one of ours. */
	p = strrchr(rel, '/');
	return p && memmem(rel, (size_t)(p - rel), "/" OUR_PREFIX,
			   strlen("/" OUR_PREFIX)) != NULL;
}

/* True if text is a value a cgroup limit file takes: "max", "-1" or a
 * decimal count. */
static bool cgroup_value_ok(const char *v)
{
	if (strcmp(v, "max") == 0 || strcmp(v, "-1") == 0)
		return true;
	if (!*v || strlen(v) > 20)
		return false;
	return strspn(v, "0123456789") == strlen(v);
}

/* Checks the content of a sysctl.d file to be put back: only comments and
 * "key = value" lines of known knobs with valid values. Returns NULL or
 * what is wrong (in buf). */
static const char *sysctl_text_problem(const char *text, char *buf, size_t len)
{
	uint64_t mem = mem_total();
	int lineno = 0;

	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");
		char line[512], key[128], *eq, *k, *v, why[160];
		struct mt_knob kn;

		lineno++;
		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		p += n + (p[n] == '\n');
		k = line + strspn(line, " \t");
		if (!*k || *k == '#' || *k == ';')
			continue;
		eq = strchr(k, '=');
		if (!eq) {
			snprintf(buf, len,
				 "its sysctl.d content has line %d "
				 "without key = value",
				 lineno);
			return buf;
		}
		*eq = '\0';
		v = eq + 1 + strspn(eq + 1, " \t");
		for (char *e = eq; e > k && (e[-1] == ' ' || e[-1] == '\t');)
			*--e = '\0';
		for (char *e = v + strlen(v);
		     e > v && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r');)
			*--e = '\0';
		snprintf(key, sizeof(key), "%s", k);
		for (char *c = key; *c; c++)
			if (*c == '/')
				*c = '.';
		if (mt_knob_lookup(key, mem, &kn) < 0 || !kn.sysctl[0]) {
			snprintf(buf, len,
				 "its sysctl.d content sets %.100s "
				 "(line %d), not a knob memtune manages",
				 key, lineno);
			return buf;
		}
		if (!mt_knob_check(&kn, v, why, sizeof(why))) {
			snprintf(buf, len, "its sysctl.d content sets %s: %s",
				 key, why);
			return buf;
		}
	}
	return NULL;
}

/* Checks the optional device and inode of a create entry. */
static const char *identity_problem(json_t *e)
{
	json_t *dev = json_object_get(e, "dev"),
	       *ino = json_object_get(e, "ino");

	if (!dev && !ino)
		return NULL;
	if (!json_is_integer(dev) || !json_is_integer(ino) ||
	    json_integer_value(dev) < 0 || json_integer_value(ino) <= 0)
		return "\"dev\" and \"ino\" must both be non-negative integers";
	return NULL;
}

/* Returns NULL if e is a well-formed undo entry of something memtune may
 * have changed, else what is wrong (possibly written into buf). */
static const char *entry_problem_buf(json_t *e, char *buf, size_t len)
{
	const char *op, *path, *rel;

	if (!json_is_object(e))
		return "not a JSON object";
	op = json_string_value(json_object_get(e, "op"));
	path = json_string_value(json_object_get(e, "path"));
	if (!op)
		return "no \"op\" string";
	if (!path || path[0] != '/')
		return "no absolute \"path\"";
	if (!mt_path_is_clean(path) || strlen(path) >= PATH_MAX)
		return "a \"path\" with empty, \".\" or \"..\" components";
	rel = mt_knob_unresolve(path);
	if (!rel) {
		snprintf(buf, len,
			 "%s is not under MEMTUNE_FSROOT %s (play "
			 "a journal back under the root it was written "
			 "under)",
			 path, mt_fsroot());
		return buf;
	}
	if (strcmp(op, "write") == 0) {
		const char *value = json_string_value(json_object_get(e,
								      "value"));
		struct mt_knob k;
		char why[200];

		if (!value)
			return "a write entry without a \"value\" string";
		if (in_our_cgroup(rel, false)) {
			for (size_t i = 0; cgroup_files[i]; i++)
				if (strcmp(base_of(rel), cgroup_files[i]) == 0)
					return cgroup_value_ok(value) ?
						       NULL :
						       "a cgroup limit that is not "
						       "max, -1 or a number";
			snprintf(buf, len,
				 "%s is not a cgroup file memtune "
				 "writes",
				 rel);
			return buf;
		}
		if (mt_knob_lookup_path(rel, mem_total(), &k) < 0) {
			snprintf(buf, len,
				 "%s is not a knob memtune changes "
				 "(see core/knobs.c)",
				 rel);
			return buf;
		}
		if (!mt_knob_check(&k, value, why, sizeof(why))) {
			snprintf(buf, len, "%s: %s", k.name, why);
			return buf;
		}
		return NULL;
	}
	if (strcmp(op, "rmdir") == 0) {
		if (!in_our_cgroup(rel, true)) {
			snprintf(buf, len,
				 "%s is not a cgroup memtune creates "
				 "(" CGROUP_FS "..." OUR_PREFIX "*)",
				 rel);
			return buf;
		}
		return identity_problem(e);
	}
	if (strcmp(op, "unlink") == 0 || strcmp(op, "swapoff") == 0) {
		const char *want = op[0] == 'u' ? OUR_PREFIX :
						  OUR_PREFIX "swap-";

		if (strncmp(base_of(rel), want, strlen(want)) != 0) {
			snprintf(buf, len,
				 "%s is not a %s memtune creates "
				 "(%s*)",
				 rel, op[0] == 'u' ? "file" : "swap file",
				 want);
			return buf;
		}
		return identity_problem(e);
	}
	if (strcmp(op, "restore_file") == 0) {
		json_t *existed = json_object_get(e, "existed");
		json_t *mode = json_object_get(e, "mode");

		if (strcmp(rel, OUR_SYSCTL_D) != 0) {
			snprintf(buf, len,
				 "%s is not the file memtune "
				 "installs (" OUR_SYSCTL_D ")",
				 rel);
			return buf;
		}
		if (!json_is_boolean(existed))
			return "a restore_file entry without \"existed\"";
		if (!json_is_true(existed))
			return NULL;
		if (!json_is_string(json_object_get(e, "content")) ||
		    !json_is_integer(mode))
			return "a restore_file entry without \"content\" "
			       "and \"mode\"";
		if (json_integer_value(mode) < 0 ||
		    (json_integer_value(mode) & ~(json_int_t)0666))
			return "a restore_file mode other than read and write "
			       "bits (0666 at most)";
		return sysctl_text_problem(
			json_string_value(json_object_get(e, "content")), buf,
			len);
	}
	return "unknown \"op\"";
}

/* Splits journal text into lines and parses each. Blank lines are skipped.
 * Stores a malloc'ed array in *out and its length in *n. Returns 0 or
 * -ENOMEM. */
static int parse_lines(const char *text, size_t len, struct line **out,
		       size_t *n)
{
	struct line *lines = NULL, *grown;
	size_t count = 0, cap = 0, pos = 0;
	int lineno = 0;

	while (pos < len) {
		const char *start = text + pos;
		const char *nl = memchr(start, '\n', len - pos);
		size_t llen = nl ? (size_t)(nl - start) : len - pos;
		struct line *l;
		json_error_t jerr;

		lineno++;
		if (strspn(start, " \t\r") >= llen) {
			pos += llen + 1;
			continue;
		}
		if (count == cap) {
			cap = cap ? cap * 2 : 16;
			grown = realloc(lines, cap * sizeof(*lines));
			if (!grown) {
				for (size_t i = 0; i < count; i++)
					json_decref(lines[i].entry);
				free(lines);
				return -ENOMEM;
			}
			lines = grown;
		}
		l = &lines[count++];
		*l = (struct line){ .lineno = lineno,
				    .offset = (off_t)pos,
				    .partial = !nl };
		l->entry = mt_json_loadb(start, llen, 0, &jerr);
		if (!l->entry &&
		    json_error_code(&jerr) == json_error_out_of_memory) {
			/* Not a bad line: no memory to read it. */
			for (size_t i = 0; i + 1 < count; i++)
				json_decref(lines[i].entry);
			free(lines);
			return -ENOMEM;
		}
		if (!l->entry) {
			snprintf(l->problem, sizeof(l->problem),
				 "not valid JSON");
		} else {
			const char *why = entry_problem_buf(l->entry,
							    l->problem,
							    sizeof(l->problem));

			if (why && why != l->problem)
				snprintf(l->problem, sizeof(l->problem), "%s",
					 why);
			if (why) {
				json_decref(l->entry);
				l->entry = NULL;
			}
		}
		pos += llen + 1;
	}
	*out = lines;
	*n = count;
	return 0;
}

/* Reads the rest of fd (the journal at path) and parses it into lines.
 * Returns 0 or -errno with err set. */
static int read_lines(int fd, const char *path, char **text, size_t *len,
		      struct line **lines, size_t *n_lines, struct mt_err *err)
{
	int ret = mt_read_fd(fd, SIZE_MAX, text, len);

	if (ret == 0)
		ret = parse_lines(*text, *len, lines, n_lines);
	if (ret < 0)
		mt_err_set(err, ret, MT_ERR_RUNTIME,
			   "journal: cannot read %s: %s", path, strerror(-ret));
	return ret;
}

/* Frees what parse_lines returned. */
static void free_lines(struct line *lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_decref(lines[i].entry);
	free(lines);
}

/* Describes what undoing e does, for the playback log. */
static void describe(json_t *e, char *buf, size_t len)
{
	const char *op = json_string_value(json_object_get(e, "op"));
	const char *path = json_string_value(json_object_get(e, "path"));

	if (strcmp(op, "write") == 0)
		snprintf(buf, len, "wrote '%s' back to %s",
			 json_string_value(json_object_get(e, "value")), path);
	else if (strcmp(op, "rmdir") == 0)
		snprintf(buf, len, "removed directory %s", path);
	else if (strcmp(op, "unlink") == 0)
		snprintf(buf, len, "removed file %s", path);
	else if (strcmp(op, "swapoff") == 0)
		snprintf(buf, len, "turned swap off on %s", path);
	else if (json_is_true(json_object_get(e, "existed")))
		snprintf(buf, len, "put back the previous %s", path);
	else
		snprintf(buf, len, "removed %s (it did not exist before)",
			 path);
}

/* Kills every process listed in the cgroup's cgroup.procs except ourselves.
 * Returns the number signalled, or -EDEADLK if we are in it. */
static int kill_cgroup_procs(const char *dir)
{
	char file[PATH_MAX], *text, *p;
	int killed = 0;

	snprintf(file, sizeof(file), "%s/cgroup.procs", dir);
	if (mt_read_path(file, 0, SIZE_MAX, &text, NULL) < 0)
		return 0;
	for (p = text; *p;) {
		char *end;
		long pid = strtol(p, &end, 10);

		if (end == p)
			break;
		p = end;
		if (pid <= 0)
			continue;
		if (pid == (long)getpid()) {
			free(text);
			return -EDEADLK;
		}
		if (kill((pid_t)pid, SIGKILL) == 0)
			killed++;
	}
	free(text);
	return killed;
}

/* Removes the cgroup directory `dir`: child cgroups first (depth first),
 * then its processes are killed (cgroup.kill on cgroup v2, SIGKILL to each
 * listed process otherwise, repeated so that forks cannot escape), and
 * rmdir is retried for about 2 s while they exit. Returns 0 or -errno. */
static int remove_cgroup(const char *dir, struct mt_err *err)
{
	char path[PATH_MAX];
	struct timespec pause = { 0, CGROUP_RMDIR_SLEEP_NS };
	struct dirent *d;
	DIR *dp;
	int ret = 0;

	dp = opendir(dir);
	if (!dp) {
		if (errno == ENOENT)
			return 0;
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "journal: cannot remove cgroup %s: %s", dir,
				  strerror(errno));
	}
	while ((d = readdir(dp))) {
		if (d->d_type != DT_DIR || strcmp(d->d_name, ".") == 0 ||
		    strcmp(d->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		ret = remove_cgroup(path, err);
		if (ret < 0)
			break;
	}
	closedir(dp);
	if (ret < 0)
		return ret;

	snprintf(path, sizeof(path), "%s/cgroup.kill", dir);
	if (access(path, W_OK) == 0)
		write_value(path, "1");
	for (int i = 0; i < CGROUP_RMDIR_TRIES; i++) {
		if (kill_cgroup_procs(dir) == -EDEADLK)
			return mt_err_set(err, -EDEADLK, MT_ERR_RUNTIME,
					  "journal: cannot remove cgroup %s: "
					  "this process is in it",
					  dir);
		if (rmdir(dir) == 0)
			return 0;
		ret = -errno;
		if (ret == -ENOENT)
			return 0;
		if (ret != -EBUSY)
			break;
		while (nanosleep(&pause, &pause) < 0 && errno == EINTR)
			;
		pause.tv_nsec = CGROUP_RMDIR_SLEEP_NS;
	}
	return mt_err_set(err, ret, MT_ERR_RUNTIME,
			  "journal: cannot remove cgroup %s: %s%s", dir,
			  strerror(-ret),
			  ret == -EBUSY ?
				  " (its processes did not exit; kill them and "
				  "rmdir it)" :
				  "");
}

/* Removes directory `path` we created; a cgroup's processes are killed
 * first. Already gone is success. Returns 0 or -errno with err set. */
static int undo_rmdir(const char *path, struct mt_err *err)
{
	struct statfs sfs;

	if (statfs(path, &sfs) < 0) {
		if (errno == ENOENT)
			return 0;
	} else if ((unsigned long)sfs.f_type == CGROUP_SUPER_MAGIC ||
		   (unsigned long)sfs.f_type == CGROUP2_SUPER_MAGIC) {
		return remove_cgroup(path, err);
	}
	if (rmdir(path) == 0 || errno == ENOENT)
		return 0;
	return mt_err_set(err, -errno, MT_ERR_RUNTIME,
			  "journal: cannot remove directory %s: %s", path,
			  strerror(errno));
}

/* swapoff(2), tried again for up to about 3 s while it fails with ENOMEM.
 * Right after a cgroup full of swapped-out processes is removed, their
 * memory is still being freed, and swapoff cannot yet find room for the
 * pages it must bring back in; a moment later it can. Returns swapoff's
 * result with errno from the last attempt. (Not unit-tested: it needs an
 * active swap area and memory pressure; t_swap_kill.sh exercises the
 * path.) */
static int swapoff_retrying(const char *path)
{
	const struct timespec pause = { .tv_nsec = 200 * 1000 * 1000 };

	for (int tries = 0;; tries++) {
		int ret = swapoff(path);

		if (ret == 0 || errno != ENOMEM || tries == 15)
			return ret;
		nanosleep(&pause, NULL);
	}
}

/* Checks that path is still what memtune created before it is removed:
 * the device and inode recorded when it was made, or, for an entry
 * without them (a crash between creating it and recording them, or an
 * older memtune), a plain file or directory of the effective user.
 * Returns 0 when it may go, 1 when it is gone already, or -EPERM with err
 * set. */
static int check_identity(json_t *e, const char *path, bool dir,
			  struct mt_err *err)
{
	json_t *dev = json_object_get(e, "dev");
	json_t *ino = json_object_get(e, "ino");
	struct stat st;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 1;
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "journal: cannot check %s: %s", path,
				  strerror(errno));
	}
	if (dev && ino) {
		if ((json_int_t)st.st_dev == json_integer_value(dev) &&
		    (json_int_t)st.st_ino == json_integer_value(ino))
			return 0;
		return mt_err_set(err, -EPERM, MT_ERR_INPUT,
				  "journal: %s is not the %s memtune created "
				  "(its device and inode differ): left "
				  "alone; remove it by hand if it is a "
				  "leftover, then delete that journal line",
				  path, dir ? "directory" : "file");
	}
	if ((dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) ||
	    st.st_uid != geteuid())
		return mt_err_set(err, -EPERM, MT_ERR_INPUT,
				  "journal: %s is not a %s of uid %u: left "
				  "alone (remove it by hand if memtune left "
				  "it, then delete that journal line)",
				  path, dir ? "directory" : "regular file",
				  (unsigned)geteuid());
	return 0;
}

/* True if entry i creates something (rmdir/unlink/swapoff undo) without a
 * device and inode while a later entry names the same path with them:
 * the later one is the record of what was made, and removing by the
 * earlier, unchecked entry must not happen when that check fails. */
static bool covered(json_t *const *es, size_t n, size_t i)
{
	const char *op, *path;

	if (!es[i] || json_object_get(es[i], "dev"))
		return false;
	op = json_string_value(json_object_get(es[i], "op"));
	path = json_string_value(json_object_get(es[i], "path"));
	if (strcmp(op, "rmdir") && strcmp(op, "unlink"))
		return false;
	for (size_t k = i + 1; k < n; k++) {
		if (!es[k] || !json_object_get(es[k], "dev"))
			continue;
		if (strcmp(json_string_value(json_object_get(es[k], "op")),
			   op) == 0 &&
		    strcmp(json_string_value(json_object_get(es[k], "path")),
			   path) == 0)
			return true;
	}
	return false;
}

/* Undoes one entry. Returns 0 or -errno with err set. */
static int undo_entry(json_t *e, struct mt_err *err)
{
	const char *op = json_string_value(json_object_get(e, "op"));
	const char *path = json_string_value(json_object_get(e, "path"));
	int ret;

	if (strcmp(op, "write") == 0) {
		const char *value = json_string_value(json_object_get(e,
								      "value"));

		ret = write_value(path, value);
		/* The object that held the setting is gone (a cgroup that
		 * was removed): nothing is left to put back. */
		if (ret == -ENOENT)
			return 0;
		if (ret < 0)
			return mt_err_set(err, ret, MT_ERR_RUNTIME,
					  "journal: cannot write '%s' back "
					  "to %s: %s%s",
					  value, path, strerror(-ret),
					  perm_hint(ret));
		return 0;
	}
	if (strcmp(op, "rmdir") == 0) {
		ret = check_identity(e, path, true, err);
		if (ret != 0)
			return ret < 0 ? ret : 0;
		return undo_rmdir(path, err);
	}
	if (strcmp(op, "unlink") == 0) {
		ret = check_identity(e, path, false, err);
		if (ret != 0)
			return ret < 0 ? ret : 0;
		if (unlink(path) == 0 || errno == ENOENT)
			return 0;
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "journal: cannot remove %s: %s", path,
				  strerror(errno));
	}
	if (strcmp(op, "swapoff") == 0) {
		ret = check_identity(e, path, false, err);
		if (ret != 0)
			return ret < 0 ? ret : 0;
		/* EINVAL: not an active swap area, so already off. */
		if (swapoff_retrying(path) == 0 || errno == EINVAL ||
		    errno == ENOENT)
			return 0;
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "journal: cannot turn swap off on %s: %s "
				  "(try swapoff %s by hand)",
				  path, strerror(errno), path);
	}
	/* restore_file */
	if (!json_is_true(json_object_get(e, "existed"))) {
		if (unlink(path) == 0 || errno == ENOENT)
			return 0;
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "journal: cannot remove %s: %s", path,
				  strerror(errno));
	}
	{
		json_t *content = json_object_get(e, "content");

		ret = atomic_write(
			path, json_string_value(content),
			json_string_length(content),
			(mode_t)json_integer_value(json_object_get(e, "mode")));
		if (ret < 0)
			return mt_err_set(err, ret, MT_ERR_RUNTIME,
					  "journal: cannot put back %s: %s",
					  path, strerror(-ret));
	}
	return 0;
}

/* ---- the journal file -------------------------------------------------- */

/* Runs in the child after fork(): a worker must neither hold the journal's
 * lock (flock belongs to the open file description, so a surviving worker
 * would keep `memtune restore` out after the run died) nor write to the
 * journal. Closing the child's copy leaves the parent's lock in place. */
static void close_in_child(void)
{
	for (struct mt_journal *j = open_journals; j; j = j->next) {
		if (j->fd >= 0)
			close(j->fd);
		j->fd = -1;
	}
}

static void register_atfork(void)
{
	pthread_atfork(NULL, NULL, close_in_child);
}

/* Adds j to the list of open handles. */
static void track(struct mt_journal *j)
{
	pthread_once(&atfork_once, register_atfork);
	j->next = open_journals;
	open_journals = j;
}

/* Removes j from the list of open handles. */
static void untrack(struct mt_journal *j)
{
	for (struct mt_journal **p = &open_journals; *p; p = &(*p)->next) {
		if (*p == j) {
			*p = j->next;
			return;
		}
	}
}

/* Makes room in j->entries and j->offsets for one more entry (doubling,
 * from 16). Returns 0 or -ENOMEM, the arrays intact. */
static int entries_room(struct mt_journal *j)
{
	size_t cap = j->cap ? j->cap * 2 : 16;
	json_t **entries;
	off_t *offsets;

	if (j->n < j->cap)
		return 0;
	entries = realloc(j->entries, cap * sizeof(*entries));
	if (!entries)
		return -ENOMEM;
	j->entries = entries;
	offsets = realloc(j->offsets, cap * sizeof(*offsets));
	if (!offsets)
		return -ENOMEM;
	j->offsets = offsets;
	j->cap = cap;
	return 0;
}

/* Appends entry e (taking the reference) as one line and fsyncs. Returns 0
 * or -errno with err set; on failure the file is as before. */
static int journal_append(struct mt_journal *j, json_t *e, struct mt_err *err)
{
	char *text, why[512];
	const char *problem;
	size_t len;
	int ret;

	/* What playback would refuse is not changed at all: a journal
	 * left by a crash must be one `memtune restore` plays back. */
	if (!e)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "journal: out of memory");
	problem = entry_problem_buf(e, why, sizeof(why));
	if (problem) {
		ret = mt_err_set(err, -EPERM, MT_ERR_RUNTIME,
				 "journal: refusing to change %s: %s "
				 "(nothing was changed)",
				 json_string_value(json_object_get(e, "path")),
				 problem);
		json_decref(e);
		return ret;
	}
	if (entries_room(j) < 0) {
		json_decref(e);
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "journal: out of memory");
	}
	text = mt_json_dumps(e, JSON_FLAGS);
	if (!text) {
		json_decref(e);
		return mt_err_set(err, -EINVAL, MT_ERR_RUNTIME,
				  "journal: cannot encode an entry (is the "
				  "value UTF-8 text?)");
	}
	len = strlen(text);
	text[len] = '\n'; /* over the NUL; written with its length */
	ret = mt_write_all(j->fd, text, len + 1);
	free(text);
	if (ret == 0 && fsync(j->fd) < 0)
		ret = -errno;
	if (ret < 0) {
		if (ftruncate(j->fd, j->end) < 0)
			ret = -errno;
		json_decref(e);
		return mt_err_set(err, ret, MT_ERR_RUNTIME,
				  "journal: cannot append to %s: %s (nothing "
				  "was changed)",
				  j->path, strerror(-ret));
	}
	j->entries[j->n] = e;
	j->offsets[j->n] = j->end;
	j->end += (off_t)(len + 1);
	j->n++;
	return 0;
}

/* Drops the last entry again (its change could not be made). */
static void journal_drop_last(struct mt_journal *j)
{
	j->n--;
	json_decref(j->entries[j->n]);
	j->end = j->offsets[j->n];
	if (ftruncate(j->fd, j->end) == 0)
		fsync(j->fd);
}

/* Locks the journal file against another memtune process. Returns 0,
 * -EBUSY with err set, or -errno. */
static int lock_journal(int fd, const char *path, struct mt_err *err)
{
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno == EWOULDBLOCK)
		return mt_err_set(err, -EBUSY, MT_ERR_RUNTIME,
				  "journal: %s is in use by another memtune "
				  "process; wait for it to finish (it "
				  "restores the system on exit)",
				  path);
	return mt_err_set(err, -errno, MT_ERR_RUNTIME,
			  "journal: cannot lock %s: %s", path, strerror(errno));
}

/* Rewrites the journal atomically with entries[0..n) and reopens it (used
 * when some undo failed and its entry must stay). Returns 0 or -errno. */
static int journal_rewrite(struct mt_journal *j, struct mt_err *err)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap), *grown;
	int fd, ret;

	if (!buf)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "journal: out of memory");
	for (size_t i = 0; i < j->n; i++) {
		char *text = mt_json_dumps(j->entries[i], JSON_FLAGS);
		size_t tlen;

		/* An entry that cannot be written stays in the old file. */
		if (!text) {
			free(buf);
			return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
					  "journal: out of memory rewriting "
					  "%s (it is unchanged)",
					  j->path);
		}
		tlen = strlen(text);

		while (cap - len < tlen + 1) {
			grown = realloc(buf, cap * 2);
			if (!grown) {
				free(text);
				free(buf);
				return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
						  "journal: out of memory");
			}
			buf = grown;
			cap *= 2;
		}
		j->offsets[i] = (off_t)len;
		memcpy(buf + len, text, tlen);
		len += tlen;
		buf[len++] = '\n';
		free(text);
	}
	ret = atomic_write(j->path, buf, len, 0600);
	free(buf);
	if (ret < 0)
		return mt_err_set(err, ret, MT_ERR_RUNTIME,
				  "journal: cannot rewrite %s: %s", j->path,
				  strerror(-ret));
	fd = open(j->path, O_RDWR | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "journal: cannot reopen %s: %s", j->path,
				  strerror(errno));
	ret = lock_journal(fd, j->path, err);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	close(j->fd);
	j->fd = fd;
	j->end = (off_t)len;
	return 0;
}

/* Default journal path: the state directory (core/statedir.h) plus
 * `name`. */
int mt_journal_default_path(const char *name, char *buf, size_t len,
			    struct mt_err *err)
{
	char dir[PATH_MAX];
	int n, ret = mt_state_dir_path(dir, sizeof(dir), err);

	if (ret < 0) {
		mt_err_prefix(err, "journal");
		return ret;
	}
	n = snprintf(buf, len, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= len)
		return mt_err_set(err, -ENAMETOOLONG, MT_ERR_RUNTIME,
				  "journal: the state directory path is too "
				  "long (set MEMTUNE_STATE_DIR)");
	return 0;
}

/* Opens the journal file `path` in a trusted directory without following
 * links: `flags` for open, plus O_CREAT|O_EXCL when create. Checks that
 * it is a regular file of ours that nobody else can write. Returns the
 * descriptor or -errno with err set (-ENOENT without a message when it
 * does not exist and create is false). */
static int open_trusted(const char *path, int flags, bool create,
			struct mt_err *err)
{
	char dir[PATH_MAX];
	const char *base = strrchr(path, '/');
	struct stat st;
	int dfd, fd, ret;

	mt_path_dir(path, dir, sizeof(dir));
	ret = mt_state_dir_check(dir, err);
	if (ret < 0) {
		mt_err_prefix(err, "journal %s", path);
		return ret;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "journal: cannot open %s: %s", dir,
				  strerror(errno));
	fd = openat(dfd, base ? base + 1 : path,
		    flags | O_NOFOLLOW | O_CLOEXEC |
			    (create ? O_CREAT | O_EXCL : 0),
		    0600);
	ret = fd < 0 ? -errno : 0;
	close(dfd);
	if (ret == -ENOENT && !create)
		return ret;
	if (ret == -ELOOP)
		return mt_err_set(err, ret, MT_ERR_RUNTIME,
				  "journal: %s is a symbolic link; memtune "
				  "follows none in its state directory "
				  "(remove it)",
				  path);
	if (ret < 0)
		return mt_err_set(err, ret, MT_ERR_RUNTIME,
				  "journal: cannot open %s: %s%s", path,
				  strerror(-ret), state_dir_hint(ret));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 022) || st.st_nlink != 1) {
		close(fd);
		return mt_err_set(err, -EPERM, MT_ERR_RUNTIME,
				  "journal: %s is not a regular file of "
				  "yours (uid %u) that only you can write, "
				  "with one link: not played back (remove it "
				  "if you did not make it)",
				  path, (unsigned)geteuid());
	}
	return fd;
}

/* True when a journal file exists at path and holds at least one non-blank
 * line (a malformed line counts: it needs a person's attention). */
bool mt_journal_pending(const char *path)
{
	char *text;
	size_t len;
	bool pending;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return errno == ELOOP; /* needs a person's attention */
	if (mt_read_fd(fd, SIZE_MAX, &text, &len) < 0) {
		close(fd);
		return false;
	}
	close(fd);
	pending = strspn(text, " \t\r\n") < len;
	free(text);
	return pending;
}

/* Frees the handle's memory: its entries, offsets, path and itself. */
static void free_journal(struct mt_journal *j)
{
	for (size_t i = 0; i < j->n; i++)
		json_decref(j->entries[i]);
	free(j->entries);
	free(j->offsets);
	free(j->path);
	free(j);
}

/* Opens or creates the journal at path, locks it and loads its entries. */
int mt_journal_open(const char *path, bool exclusive, struct mt_journal **out,
		    struct mt_err *err)
{
	struct mt_journal *j;
	struct line *lines = NULL;
	char dir[PATH_MAX], *text = NULL;
	size_t n_lines = 0, len = 0;
	bool created = false;
	int ret;

	*out = NULL;
	mt_path_dir(path, dir, sizeof(dir));
	ret = mt_state_dir_prepare(dir, err);
	if (ret < 0) {
		mt_err_prefix(err, "journal");
		return ret;
	}
	j = calloc(1, sizeof(*j));
	if (!j || !(j->path = strdup(path))) {
		free(j);
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "journal: out of memory");
	}
	j->fd = open_trusted(path, O_RDWR | O_APPEND, true, err);
	if (j->fd >= 0)
		created = true;
	else if (j->fd == -EEXIST)
		j->fd = open_trusted(path, O_RDWR | O_APPEND, false, err);
	if (j->fd < 0) {
		ret = j->fd;
		if (ret == -ENOENT)
			mt_err_set(err, ret, MT_ERR_RUNTIME,
				   "journal: %s vanished while it was being "
				   "opened; try again",
				   path);
		goto out_free;
	}
	ret = lock_journal(j->fd, path, err);
	if (ret < 0)
		goto out_fd;
	if (created) {
		ret = mt_fsync_dir_of(path);
		if (ret < 0) {
			mt_err_set(err, ret, MT_ERR_RUNTIME,
				   "journal: cannot sync directory %s: %s", dir,
				   strerror(-ret));
			goto out_unlink;
		}
		track(j);
		*out = j;
		return 0;
	}

	ret = read_lines(j->fd, path, &text, &len, &lines, &n_lines, err);
	if (ret < 0)
		goto out_text;
	/* A last line cut short by a crash describes a change that was
	 * never made (the line is synced before the change): drop it. */
	if (n_lines > 0 && lines[n_lines - 1].partial &&
	    !lines[n_lines - 1].entry)
		len = (size_t)lines[--n_lines].offset;
	if (exclusive && n_lines > 0) {
		ret = mt_err_set(err, -EEXIST, MT_ERR_RUNTIME,
				 "journal: system changes from an earlier "
				 "run are pending in %s; run `memtune "
				 "restore` to put them back first",
				 path);
		goto out_lines;
	}
	for (size_t i = 0; i < n_lines; i++) {
		if (!lines[i].entry) {
			ret = mt_err_set(err, -EINVAL, MT_ERR_INPUT,
					 "journal: %s:%d: %s (expected one "
					 "undo entry per line); run `memtune "
					 "restore`, or fix the line",
					 path, lines[i].lineno,
					 lines[i].problem);
			goto out_lines;
		}
	}
	for (size_t i = 0; i < n_lines; i++) {
		ret = 0;
		if (entries_room(j) < 0) {
			ret = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
					 "journal: out of memory");
			goto out_lines;
		}
		j->entries[j->n] = json_incref(lines[i].entry);
		j->offsets[j->n++] = lines[i].offset;
	}
	/* Blank lines or a cut last line: start clean from the last
	 * entry's end, so appended lines are never glued to garbage. */
	if (exclusive)
		len = 0;
	if (ftruncate(j->fd, (off_t)len) < 0) {
		ret = mt_err_set(err, -errno, MT_ERR_RUNTIME,
				 "journal: cannot truncate %s: %s", path,
				 strerror(errno));
		goto out_lines;
	}
	j->end = (off_t)len;
	/* A complete last entry whose newline was lost: end the line so the
	 * next entry starts on its own. */
	if (len > 0 && text[len - 1] != '\n') {
		ret = mt_write_all(j->fd, "\n", 1);
		if (ret == 0 && fsync(j->fd) < 0)
			ret = -errno;
		if (ret < 0) {
			mt_err_set(err, ret, MT_ERR_RUNTIME,
				   "journal: cannot write %s: %s", path,
				   strerror(-ret));
			goto out_lines;
		}
		j->end++;
	}
	free_lines(lines, n_lines);
	free(text);
	track(j);
	*out = j;
	return 0;

out_lines:
	free_lines(lines, n_lines);
out_text:
	free(text);
	goto out_fd;
out_unlink:
	unlink(path);
out_fd:
	close(j->fd);
out_free:
	free_journal(j);
	return ret;
}

/* Closes the handle; the entries stay on disk for `memtune restore`. */
void mt_journal_close(struct mt_journal *j)
{
	if (!j)
		return;
	untrack(j);
	if (j->fd >= 0)
		close(j->fd);
	free_journal(j);
}

/* Resolves path under the fsroot into buf, or fills err. */
static int resolve(const char *what, const char *path, char *buf, size_t len,
		   struct mt_err *err)
{
	char dir[PATH_MAX], real_dir[PATH_MAX];
	const char *slash;
	int n;

	if (path[0] == '/') {
		if (mt_fs_path(path, buf, len) < 0)
			return mt_err_set(err, -ENAMETOOLONG, MT_ERR_RUNTIME,
					  "journal: cannot %s %s: the path is "
					  "too long",
					  what, path);
		return 0;
	}
	/* A relative path (a run directory under ./results): the journal
	 * stores it whole, with its directory resolved, so playback from
	 * another working directory finds the same file. */
	slash = strrchr(path, '/');
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1,
		 slash ? path : ".");
	if (!realpath(dir, real_dir))
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "journal: cannot %s %s: %s", what, path,
				  strerror(errno));
	n = snprintf(buf, len, "%s/%s", strcmp(real_dir, "/") ? real_dir : "",
		     slash ? slash + 1 : path);
	if (n < 0 || (size_t)n >= len)
		return mt_err_set(err, -ENAMETOOLONG, MT_ERR_RUNTIME,
				  "journal: cannot %s %s: the path is too "
				  "long",
				  what, path);
	return 0;
}

/* Changes a /proc/sys or /sys setting: read the original, journal it, write
 * `value`, read back into readback (the selected word for a choice file). */
int mt_journal_write(struct mt_journal *j, const char *path, const char *value,
		     char *readback, size_t rb_len, struct mt_err *err)
{
	char real[PATH_MAX], *orig, *now;
	int ret;

	ret = resolve("write", path, real, sizeof(real), err);
	if (ret < 0)
		return ret;
	/* The new value must be one playback would accept as well. */
	{
		json_t *e = json_pack("{s:s, s:s, s:s}", "op", "write", "path",
				      real, "value", value);
		char why[512];
		const char *problem = e ? entry_problem_buf(e, why,
							    sizeof(why)) :
					  "out of memory";

		json_decref(e);
		if (problem)
			return mt_err_set(err, -EPERM, MT_ERR_RUNTIME,
					  "journal: refusing to write '%s' "
					  "to %s: %s (nothing was changed)",
					  value, real, problem);
	}
	ret = read_value(real, &orig);
	if (ret < 0)
		return mt_err_set(err, ret, MT_ERR_RUNTIME,
				  "journal: cannot read the current value of "
				  "%s: %s%s (nothing was changed)",
				  real,
				  ret == -EINVAL ? "it is binary" :
						   strerror(-ret),
				  perm_hint(ret));
	ret = journal_append(j,
			     json_pack("{s:s, s:s, s:s}", "op", "write", "path",
				       real, "value", orig),
			     err);
	free(orig);
	if (ret < 0)
		return ret;
	ret = write_value(real, value);
	if (ret < 0) {
		/* The entry stays: a regular file (a captured tree) may have
		 * been truncated before the write failed, and writing the old
		 * value back where nothing changed is harmless. */
		return mt_err_set(err, ret, MT_ERR_RUNTIME,
				  "journal: cannot write '%s' to %s: %s%s",
				  value, real, strerror(-ret), perm_hint(ret));
	}
	if (!readback || rb_len == 0)
		return 0;
	ret = read_value(real, &now);
	if (ret < 0)
		return mt_err_set(err, ret, MT_ERR_RUNTIME,
				  "journal: wrote '%s' to %s but cannot read "
				  "it back: %s",
				  value, real, strerror(-ret));
	snprintf(readback, rb_len, "%s", now);
	free(now);
	return 0;
}

/* Resolves a path this journal is about to create and refuses one that
 * exists already: playback would remove something that is not ours.
 * `what` ("directory " or "") words the message. */
static int resolve_new(const char *what, const char *path, char *real,
		       size_t len, struct mt_err *err)
{
	struct stat st;
	int ret = resolve("create", path, real, len, err);

	if (ret < 0)
		return ret;
	if (lstat(real, &st) == 0)
		return mt_err_set(err, -EEXIST, MT_ERR_RUNTIME,
				  "journal: cannot create %s%s: it already "
				  "exists (remove it, or run `memtune "
				  "restore` if a killed run left it)",
				  what, real);
	return 0;
}

/* Appends the record of what was just made at real path `real` (op
 * "rmdir" or "unlink"): its device and inode, from fd when fd >= 0, else
 * from lstat. Playback removes it only while they still match. */
static int journal_identity(struct mt_journal *j, const char *op,
			    const char *real, int fd, struct mt_err *err)
{
	struct stat st;

	if (fd >= 0 ? fstat(fd, &st) < 0 : lstat(real, &st) < 0)
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "journal: cannot check %s after creating "
				  "it: %s",
				  real, strerror(errno));
	if (st.st_uid != geteuid() ||
	    (strcmp(op, "rmdir") == 0 ? !S_ISDIR(st.st_mode) :
					!S_ISREG(st.st_mode)))
		return mt_err_set(err, -EPERM, MT_ERR_RUNTIME,
				  "journal: %s is not the %s just created "
				  "(was it replaced?)",
				  real,
				  strcmp(op, "rmdir") == 0 ? "directory" :
							     "file");
	return journal_append(j,
			      json_pack("{s:s, s:s, s:I, s:I}", "op", op,
					"path", real, "dev",
					(json_int_t)st.st_dev, "ino",
					(json_int_t)st.st_ino),
			      err);
}

/* Resolves path, which must not exist yet (what: "directory " or ""),
 * into real and journals op ("rmdir", "unlink"), its undoing. */
static int note_new(struct mt_journal *j, const char *what, const char *op,
		    const char *path, char *real, size_t len,
		    struct mt_err *err)
{
	int ret = resolve_new(what, path, real, len, err);

	if (ret < 0)
		return ret;
	return journal_append(j,
			      json_pack("{s:s, s:s}", "op", op, "path", real),
			      err);
}

/* Creates directory path (0755) after journaling its removal, then
 * records its device and inode. An existing directory is refused:
 * playback would remove something not ours. */
int mt_journal_mkdir(struct mt_journal *j, const char *path, struct mt_err *err)
{
	char real[PATH_MAX];
	int ret;

	ret = note_new(j, "directory ", "rmdir", path, real, sizeof(real), err);
	if (ret < 0)
		return ret;
	if (mkdir(real, 0755) < 0) {
		ret = -errno;
		journal_drop_last(j);
		return mt_err_set(err, ret, MT_ERR_RUNTIME,
				  "journal: cannot create directory %s: %s%s",
				  real, strerror(-ret), perm_hint(ret));
	}
	return journal_identity(j, "rmdir", real, -1, err);
}

/* Records the device and inode of a file created after
 * mt_journal_note_file. */
int mt_journal_bind(struct mt_journal *j, const char *path, int fd,
		    struct mt_err *err)
{
	char real[PATH_MAX];
	int ret = resolve("record", path, real, sizeof(real), err);

	if (ret < 0)
		return ret;
	return journal_identity(j, "unlink", real, fd, err);
}

/* Journals the removal of a file about to be created. An existing file is
 * refused, for the same reason as in mt_journal_mkdir. */
int mt_journal_note_file(struct mt_journal *j, const char *path,
			 struct mt_err *err)
{
	char real[PATH_MAX];

	return note_new(j, "", "unlink", path, real, sizeof(real), err);
}

/* Notes the file, creates it new without following links, and records
 * what was made; on failure after creation the file is removed again. */
int mt_journal_create_file(struct mt_journal *j, const char *path, int flags,
			   unsigned mode, int *fd, struct mt_err *err)
{
	char real[PATH_MAX];
	int ret;

	*fd = -1;
	ret = mt_journal_note_file(j, path, err);
	if (ret < 0)
		return ret;
	ret = resolve("create", path, real, sizeof(real), err);
	if (ret < 0)
		return ret;
	*fd = open(real, flags | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		   (mode_t)mode);
	if (*fd < 0) {
		ret = -errno;
		journal_drop_last(j);
		return mt_err_set(err, ret, MT_ERR_RUNTIME,
				  "cannot create %s: %s%s", real,
				  strerror(-ret), perm_hint(ret));
	}
	ret = journal_identity(j, "unlink", real, *fd, err);
	if (ret < 0) {
		close(*fd);
		*fd = -1;
		unlink(real);
	}
	return ret;
}

/* Enables swap on path after journaling a swapoff; the entry is dropped if
 * swapon fails (it may be someone else's active swap). */
int mt_journal_swapon(struct mt_journal *j, const char *path, int flags,
		      struct mt_err *err)
{
	char real[PATH_MAX];
	int ret;

	struct stat st;

	ret = resolve("swapon", path, real, sizeof(real), err);
	if (ret < 0)
		return ret;
	if (lstat(real, &st) < 0 || !S_ISREG(st.st_mode))
		return mt_err_set(err, -EINVAL, MT_ERR_RUNTIME,
				  "journal: %s is not a swap file memtune "
				  "made",
				  real);
	ret = journal_append(j,
			     json_pack("{s:s, s:s, s:I, s:I}", "op", "swapoff",
				       "path", real, "dev",
				       (json_int_t)st.st_dev, "ino",
				       (json_int_t)st.st_ino),
			     err);
	if (ret < 0)
		return ret;
	if (swapon(real, flags) < 0) {
		ret = -errno;
		journal_drop_last(j);
		return mt_err_set(err, ret, MT_ERR_RUNTIME,
				  "journal: cannot enable swap on %s: %s%s",
				  real, strerror(-ret), perm_hint(ret));
	}
	return 0;
}

/* Replaces the text file path with content after journaling its previous
 * content and mode (or its absence). Binary or non-UTF-8 files are refused:
 * the journal stores text. */
int mt_journal_replace_file(struct mt_journal *j, const char *path,
			    const char *content, unsigned mode,
			    struct mt_err *err)
{
	char real[PATH_MAX], *old = NULL;
	struct stat st;
	size_t len = 0;
	json_t *e;
	int ret;

	ret = resolve("replace", path, real, sizeof(real), err);
	if (ret < 0)
		return ret;
	if (lstat(real, &st) == 0) {
		json_t *text;

		if (!S_ISREG(st.st_mode))
			return mt_err_set(err, -EINVAL, MT_ERR_RUNTIME,
					  "journal: %s is not a regular file "
					  "(a link?); memtune replaces only a "
					  "regular file (nothing was changed)",
					  real);
		ret = mt_read_path(real, 0, SIZE_MAX, &old, &len);
		if (ret < 0)
			return mt_err_set(err, ret, MT_ERR_RUNTIME,
					  "journal: cannot read %s: %s%s "
					  "(nothing was changed)",
					  real, strerror(-ret), perm_hint(ret));
		text = memchr(old, '\0', len) ? NULL : json_stringn(old, len);
		free(old);
		if (!text)
			return mt_err_set(err, -EINVAL, MT_ERR_RUNTIME,
					  "journal: cannot save %s: it is "
					  "not a text file (nothing was "
					  "changed)",
					  real);
		e = json_pack("{s:s, s:s, s:b, s:o, s:i}", "op", "restore_file",
			      "path", real, "existed", 1, "content", text,
			      "mode", (int)(st.st_mode & 07777));
	} else if (errno == ENOENT) {
		e = json_pack("{s:s, s:s, s:b}", "op", "restore_file", "path",
			      real, "existed", 0);
	} else {
		return mt_err_set(err, -errno, MT_ERR_RUNTIME,
				  "journal: cannot replace %s: %s", real,
				  strerror(errno));
	}
	ret = journal_append(j, e, err);
	if (ret < 0)
		return ret;
	ret = atomic_write(real, content, strlen(content), (mode_t)mode);
	if (ret < 0) {
		/* The entry stays: the rename may have happened before the
		 * directory's fsync failed, and putting back the old file
		 * where nothing changed is harmless. */
		return mt_err_set(err, ret, MT_ERR_RUNTIME,
				  "journal: cannot write %s: %s%s", real,
				  strerror(-ret), perm_hint(ret));
	}
	return 0;
}

/* Writes value to a trigger file (drop_caches, compact_memory), unjournaled:
 * there is nothing to put back. */
int mt_sys_trigger(const char *path, const char *value, struct mt_err *err)
{
	char real[PATH_MAX];
	int ret;

	if (mt_fs_path(path, real, sizeof(real)) < 0)
		return mt_err_set(err, -ENAMETOOLONG, MT_ERR_RUNTIME,
				  "cannot write %s: the path is too long",
				  path);
	ret = write_value(real, value);
	if (ret < 0)
		return mt_err_set(err, ret, MT_ERR_RUNTIME,
				  "cannot write '%s' to %s: %s%s", value, real,
				  strerror(-ret), perm_hint(ret));
	return 0;
}

/* The number of entries: everything after it is undone by rollback_to. */
size_t mt_journal_mark(const struct mt_journal *j)
{
	return j ? j->n : 0;
}

/* Undoes entries [mark, n) newest first. Undone entries leave the file
 * (ftruncate at the first one's offset); entries whose undo failed stay,
 * in their order, so a later rollback or `memtune restore` retries them. */
int mt_journal_rollback_to(struct mt_journal *j, size_t mark,
			   struct mt_err *err)
{
	struct mt_err e1 = { 0 };
	size_t kept = mark;
	bool *failed;
	int first = 0, ret;

	if (!j || mark >= j->n)
		return 0;
	if (j->fd < 0)
		return mt_err_set(err, -EBADF, MT_ERR_RUNTIME,
				  "journal: %s cannot be played back from a "
				  "forked worker; the process that opened it "
				  "does that",
				  j->path);
	failed = calloc(j->n, sizeof(*failed));
	if (!failed)
		return mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				  "journal: out of memory");
	for (size_t i = j->n; i-- > mark;) {
		struct mt_err e2 = { 0 };

		if (covered(j->entries, j->n, i))
			continue;
		ret = undo_entry(j->entries[i], &e2);
		if (ret < 0) {
			failed[i] = true;
			if (first == 0) {
				first = ret;
				e1 = e2;
			}
		}
	}
	for (size_t i = mark; i < j->n; i++) {
		if (failed[i])
			j->entries[kept++] = j->entries[i];
		else
			json_decref(j->entries[i]);
	}
	free(failed);
	if (kept == mark) {
		j->end = j->offsets[mark];
		j->n = mark;
		if (ftruncate(j->fd, j->end) < 0 || fsync(j->fd) < 0)
			ret = mt_err_set(err, -errno, MT_ERR_RUNTIME,
					 "journal: cannot truncate %s: %s "
					 "(the changes were undone)",
					 j->path, strerror(errno));
		else
			ret = 0;
	} else {
		j->n = kept;
		ret = journal_rewrite(j, err);
	}
	if (first < 0) {
		if (err)
			*err = e1;
		return first;
	}
	return ret;
}

/* Undoes everything, removes the journal file and frees j. If an undo
 * failed the file keeps the failed entries, for `memtune restore`. */
int mt_journal_finish(struct mt_journal *j, struct mt_err *err)
{
	int ret;

	if (!j)
		return 0;
	ret = mt_journal_rollback_to(j, 0, err);
	if (ret == 0 && j->n == 0) {
		/* Unlink while still holding the lock. */
		if (unlink(j->path) < 0 && errno != ENOENT)
			ret = mt_err_set(err, -errno, MT_ERR_RUNTIME,
					 "journal: cannot remove %s: %s",
					 j->path, strerror(errno));
		else
			mt_fsync_dir_of(j->path);
	}
	mt_journal_close(j);
	return ret;
}

/* Plays back the journal file at path for `memtune restore`. */
int mt_journal_playback(const char *path, void (*log)(const char *line),
			struct mt_err *err)
{
	struct mt_err first_err = { 0 }, input_err = { 0 };
	struct line *lines = NULL;
	json_t **es = NULL;
	char *text = NULL, msg[2048];
	size_t n_lines = 0, len;
	int fd, ret, first = 0, bad = 0;

	{
		char dir[PATH_MAX];
		struct stat st;

		/* No state directory: nothing was ever journaled. */
		mt_path_dir(path, dir, sizeof(dir));
		if (lstat(dir, &st) < 0 && errno == ENOENT)
			return 0;
	}
	fd = open_trusted(path, O_RDWR, false, err);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	ret = lock_journal(fd, path, err);
	if (ret < 0)
		goto out_fd;
	ret = read_lines(fd, path, &text, &len, &lines, &n_lines, err);
	if (ret < 0)
		goto out_text;
	for (size_t i = 0; i < n_lines; i++) {
		struct line *l = &lines[i];

		if (l->entry)
			continue;
		if (l->partial) {
			snprintf(msg, sizeof(msg),
				 "%s:%d: skipped an entry cut short by a "
				 "crash (its change was never made)",
				 path, l->lineno);
			if (log)
				log(msg);
			continue;
		}
		if (bad++ == 0)
			mt_err_set(&input_err, -EINVAL, MT_ERR_INPUT,
				   "journal: %s:%d: %s (expected one JSON "
				   "undo entry per line, such as "
				   "{\"op\":\"write\",\"path\":\"/proc/sys/vm/"
				   "swappiness\",\"value\":\"60\"})",
				   path, l->lineno, l->problem);
		snprintf(msg, sizeof(msg), "%s:%d: skipped: %s", path,
			 l->lineno, l->problem);
		if (log)
			log(msg);
	}
	es = calloc(n_lines ? n_lines : 1, sizeof(*es));
	if (!es) {
		ret = mt_err_set(err, -ENOMEM, MT_ERR_RUNTIME,
				 "journal: out of memory");
		free_lines(lines, n_lines);
		goto out_text;
	}
	for (size_t i = 0; i < n_lines; i++)
		es[i] = lines[i].entry;
	for (size_t i = n_lines; i-- > 0;) {
		struct mt_err e2 = { 0 };
		char what[1536];

		if (!lines[i].entry || covered(es, n_lines, i))
			continue;
		describe(lines[i].entry, what, sizeof(what));
		ret = undo_entry(lines[i].entry, &e2);
		if (ret < 0 && first == 0) {
			first = ret;
			first_err = e2;
		}
		snprintf(msg, sizeof(msg), "%s%s", ret < 0 ? "failed: " : "",
			 ret < 0 ? e2.msg : what);
		if (log)
			log(msg);
	}
	if (bad) {
		ret = mt_err_set(err, -EINVAL, MT_ERR_INPUT,
				 "%s; the other entries were %s; the journal "
				 "is kept: fix or delete that line, then run "
				 "`memtune restore` again",
				 input_err.msg,
				 first ? "undone where possible" : "undone");
	} else if (first < 0) {
		if (err) {
			*err = first_err;
			mt_err_prefix(err, "journal: %s is kept", path);
		}
		ret = first;
	} else if (unlink(path) < 0) {
		ret = mt_err_set(err, -errno, MT_ERR_RUNTIME,
				 "journal: cannot remove %s: %s (everything "
				 "was undone; delete it)",
				 path, strerror(errno));
	} else {
		mt_fsync_dir_of(path);
		ret = 0;
	}
	free(es);
	free_lines(lines, n_lines);
out_text:
	free(text);
out_fd:
	close(fd);
	return ret;
}

/* Number of entries currently in the journal. */
size_t mt_journal_count(const struct mt_journal *j)
{
	return j ? j->n : 0;
}
