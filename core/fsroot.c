/* The one reader of /proc and /sys: resolves absolute paths under
 * $MEMTUNE_FSROOT so that a captured tree of another machine reads like the
 * live one (see fsroot.h). */
#include "fsroot.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"

/* Returns the configured root ("/" when unset or empty); never NULL. The
 * variable is read on every call, so tests can switch trees with setenv. */
const char *mt_fsroot(void)
{
	const char *root = getenv("MEMTUNE_FSROOT");

	return root && root[0] ? root : "/";
}

/* True when the root is the live file system, whatever the spelling
 * ("/", "//"). */
static bool root_is_live(const char *root)
{
	return strspn(root, "/") == strlen(root);
}

bool mt_fsroot_is_live(void)
{
	return root_is_live(mt_fsroot());
}

/* True for /proc/self, /proc/thread-self and /proc/<digits>, with or without
 * a path below: they describe a live process, so a captured tree has nothing
 * to say about them. */
static bool path_is_live(const char *path)
{
	const char *p;

	if (strncmp(path, "/proc/", 6) != 0)
		return false;
	p = path + 6;
	if (strncmp(p, "self", 4) == 0 && (p[4] == '\0' || p[4] == '/'))
		return true;
	if (strncmp(p, "thread-self", 11) == 0 &&
	    (p[11] == '\0' || p[11] == '/'))
		return true;
	if (!isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	return *p == '\0' || *p == '/';
}

/* Writes root + path into buf (one slash between them). Relative paths and
 * the live /proc paths are copied unchanged. Returns 0 or -ENAMETOOLONG. */
int mt_fs_path(const char *path, char *buf, size_t len)
{
	const char *root = mt_fsroot();
	size_t rlen = strlen(root);
	int n;

	if (path[0] != '/' || root_is_live(root) || path_is_live(path)) {
		n = snprintf(buf, len, "%s", path);
	} else {
		while (rlen > 1 && root[rlen - 1] == '/')
			rlen--;
		n = snprintf(buf, len, "%.*s%s", (int)rlen, root, path);
	}
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* The first read that failed for want of a resource (see
 * mt_fs_resource_error). */
static _Thread_local int resource_ret;
static _Thread_local char resource_path[256];

void mt_fs_resource_reset(void)
{
	resource_ret = 0;
	resource_path[0] = '\0';
}

int mt_fs_resource_error(struct mt_err *err)
{
	if (resource_ret)
		mt_err_set(err, resource_ret, MT_ERR_RUNTIME,
			   "cannot read %s: %s", resource_path,
			   strerror(-resource_ret));
	return resource_ret;
}

/* Fills err with "cannot read PATH: strerror", naming the root when the path
 * was rebased under one, and remembers a failure that says nothing about
 * the file (out of memory or file descriptors, an I/O error). Returns
 * ret. */
static int read_error(struct mt_err *err, int ret, const char *path)
{
	const char *root = mt_fsroot();

	if (!resource_ret && (ret == -ENOMEM || ret == -EMFILE ||
			      ret == -ENFILE || ret == -EIO)) {
		resource_ret = ret;
		snprintf(resource_path, sizeof(resource_path), "%s", path);
	}

	if (path[0] == '/' && !root_is_live(root) && !path_is_live(path))
		return mt_err_set(err, ret, MT_ERR_RUNTIME,
				  "cannot read %s under MEMTUNE_FSROOT=%s: %s",
				  path, root, strerror(-ret));
	return mt_err_set(err, ret, MT_ERR_RUNTIME, "cannot read %s: %s", path,
			  strerror(-ret));
}

/* Reads the whole file at `path` (resolved) until EOF: /proc files report a
 * size of 0, so the size from stat cannot be trusted. */
int mt_fs_read(const char *path, char **out, size_t *out_len,
	       struct mt_err *err)
{
	char real[PATH_MAX];
	int ret;

	*out = NULL;
	if (mt_fs_path(path, real, sizeof(real)) < 0)
		return read_error(err, -ENAMETOOLONG, path);
	ret = mt_read_path(real, 0, SIZE_MAX, out, out_len);
	return ret < 0 ? read_error(err, ret, path) : 0;
}

/* Reads the first line of `path` without its newline into buf. A line that
 * does not fit is -ERANGE rather than silently cut. */
int mt_fs_read_line(const char *path, char *buf, size_t len, struct mt_err *err)
{
	char *text;
	size_t n;
	int ret;

	ret = mt_fs_read(path, &text, NULL, err);
	if (ret < 0)
		return ret;
	n = strcspn(text, "\n");
	if (n >= len) {
		free(text);
		return mt_err_set(err, -ERANGE, MT_ERR_RUNTIME,
				  "cannot read %s: its first line is longer "
				  "than %zu bytes",
				  path, len - 1);
	}
	memcpy(buf, text, n);
	buf[n] = '\0';
	free(text);
	return 0;
}

/* The decimal integer at the start of s (strtoll: leading white space
 * allowed) in *v, *end after it. Returns 0, -EINVAL when there is none or
 * -ERANGE. */
static int leading_ll(const char *s, long long *v, char **end)
{
	errno = 0;
	*v = strtoll(s, end, 10);
	if (*end == s)
		return -EINVAL;
	return errno == ERANGE ? -ERANGE : 0;
}

/* Parses one signed integer with optional surrounding whitespace. */
static int parse_i64(const char *s, int64_t *out)
{
	char *end;
	long long v;
	int ret = leading_ll(s, &v, &end);

	if (ret < 0)
		return ret;
	while (isspace((unsigned char)*end))
		end++;
	if (*end != '\0')
		return -EINVAL;
	*out = v;
	return 0;
}

/* Reads `path` as one signed integer. */
int mt_fs_read_i64(const char *path, int64_t *out, struct mt_err *err)
{
	char *text;
	int ret;

	ret = mt_fs_read(path, &text, NULL, err);
	if (ret < 0)
		return ret;
	ret = parse_i64(text, out);
	if (ret < 0)
		mt_err_set(err, ret, MT_ERR_RUNTIME,
			   "cannot read %s: '%.40s' is not %s", path, text,
			   ret == -ERANGE ? "a 64-bit integer" : "an integer");
	free(text);
	return ret;
}

/* True if `path` (resolved) exists. */
bool mt_fs_exists(const char *path)
{
	char real[PATH_MAX];

	if (mt_fs_path(path, real, sizeof(real)) < 0)
		return false;
	return access(real, F_OK) == 0;
}

/* Parses the value after a key: a number, then optionally "kB" (which makes
 * it bytes), then the end of the line. */
static int parse_key_value(const char *p, int64_t *out)
{
	char *end;
	long long v;
	int ret;

	while (*p == ' ' || *p == '\t')
		p++;
	ret = leading_ll(p, &v, &end);
	if (ret < 0)
		return ret;
	p = end;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncmp(p, "kB", 2) == 0) {
		if (v > INT64_MAX / 1024 || v < INT64_MIN / 1024)
			return -ERANGE;
		v *= 1024;
		p += 2;
		while (*p == ' ' || *p == '\t')
			p++;
	}
	if (*p != '\0' && *p != '\n')
		return -EINVAL;
	*out = v;
	return 0;
}

/* Looks up `key` exactly (not as a prefix: "Active" does not match
 * "Active(anon)") in "Key: value [kB]" or "key value" text. A key given with
 * its colon matches only the colon form. */
int mt_text_key(const char *text, const char *key, int64_t *out)
{
	size_t klen = strlen(key);
	const char *line = text;

	if (klen == 0)
		return -EINVAL;
	while (*line) {
		const char *next = strchr(line, '\n');
		const char *p = line + klen;

		if (strncmp(line, key, klen) == 0) {
			if (key[klen - 1] == ':')
				return parse_key_value(p, out);
			if (*p == ':')
				return parse_key_value(p + 1, out);
			if (*p == ' ' || *p == '\t')
				return parse_key_value(p, out);
		}
		if (!next)
			break;
		line = next + 1;
	}
	return -ENOENT;
}

/* Reads `path` and looks up `key` in it (see mt_text_key). */
int mt_fs_read_key(const char *path, const char *key, int64_t *out,
		   struct mt_err *err)
{
	char *text;
	int ret;

	ret = mt_fs_read(path, &text, NULL, err);
	if (ret < 0)
		return ret;
	ret = mt_text_key(text, key, out);
	free(text);
	if (ret == -ENOENT)
		return mt_err_set(err, ret, MT_ERR_RUNTIME,
				  "cannot read %s: no key '%s' in it", path,
				  key);
	if (ret < 0)
		return mt_err_set(err, ret, MT_ERR_RUNTIME,
				  "cannot read %s: the value of '%s' is not "
				  "a number",
				  path, key);
	return 0;
}

/* Reads a bracketed choice file and stores the selected word. A file that
 * holds a single word (no brackets) is taken as that word. */
int mt_fs_read_choice(const char *path, char *buf, size_t len,
		      struct mt_err *err)
{
	const char *open_br, *close_br, *start;
	char *text;
	size_t n;
	int ret = 0;

	ret = mt_fs_read(path, &text, NULL, err);
	if (ret < 0)
		return ret;
	open_br = strchr(text, '[');
	close_br = open_br ? strchr(open_br, ']') : NULL;
	if (open_br && close_br) {
		start = open_br + 1;
		n = (size_t)(close_br - start);
	} else {
		start = text + strspn(text, " \t\n");
		n = strcspn(start, " \t\n");
		if (n == 0 || start[n + strspn(start + n, " \t\n")] != '\0') {
			ret = mt_err_set(err, -EINVAL, MT_ERR_RUNTIME,
					 "cannot read %s: no [selected] "
					 "choice in '%.60s'",
					 path, text);
			goto out_text;
		}
	}
	if (n >= len) {
		ret = mt_err_set(err, -ERANGE, MT_ERR_RUNTIME,
				 "cannot read %s: the selected choice is "
				 "longer than %zu bytes",
				 path, len - 1);
		goto out_text;
	}
	memcpy(buf, start, n);
	buf[n] = '\0';
out_text:
	free(text);
	return ret;
}
