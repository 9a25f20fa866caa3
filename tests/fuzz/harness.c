/* Shared pieces of the libFuzzer targets: see harness.h. */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../advisor/advisor.h"
#include "../../core/sysinfo.h"
#include "../../cli/sysinfo_print.h"
#include "../unit/helpers/remove_tree.h"

#ifndef MT_FUZZ_SRCDIR
#define MT_FUZZ_SRCDIR "."
#endif

static char tmp_root[PATH_MAX];
static char tree_root[PATH_MAX];
static const char *copy_from, *copy_to;

static void die(const char *what, const char *path)
{
	fprintf(stderr, "fuzz harness: %s %s: %s\n", what, path,
		strerror(errno));
	abort();
}

const char *fz_srcdir(void)
{
	const char *s = getenv("MEMTUNE_SRCDIR");

	return s && *s ? s : MT_FUZZ_SRCDIR;
}

/* Removes the private directory at exit (not after a crash: libFuzzer
 * leaves by _exit then, and run.sh removes $TMPDIR). */
static void remove_tmp(void)
{
	if (tmp_root[0])
		mt_remove_tree(tmp_root);
}

const char *fz_tmpdir(void)
{
	const char *base = getenv("TMPDIR");

	if (tmp_root[0])
		return tmp_root;
	snprintf(tmp_root, sizeof(tmp_root), "%s/memtune-fuzz.XXXXXX",
		 base && *base ? base : "/tmp");
	if (!mkdtemp(tmp_root))
		die("cannot create", tmp_root);
	atexit(remove_tmp);
	return tmp_root;
}

/* Copies one entry of the fixture tree (nftw callback). */
static int copy_one(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	char dst[PATH_MAX], buf[8192];
	int in, out;
	ssize_t n;

	(void)ftw;
	snprintf(dst, sizeof(dst), "%s%s", copy_to, path + strlen(copy_from));
	if (flag == FTW_D)
		return mkdir(dst, 0755) == 0 || errno == EEXIST ? 0 : -1;
	if (flag == FTW_SL) {
		ssize_t l = readlink(path, buf, sizeof(buf) - 1);

		if (l < 0)
			return -1;
		buf[l] = '\0';
		return symlink(buf, dst);
	}
	if (flag != FTW_F || !S_ISREG(st->st_mode))
		return 0;
	in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	close(in);
	close(out);
	return n < 0 ? -1 : 0;
}

const char *fz_tree(const char *machine)
{
	char from[PATH_MAX];

	if (tree_root[0])
		return tree_root;
	snprintf(from, sizeof(from), "%s/tests/fixtures/machines/%s",
		 fz_srcdir(), machine);
	snprintf(tree_root, sizeof(tree_root), "%s/tree", fz_tmpdir());
	copy_from = from;
	copy_to = tree_root;
	if (nftw(from, copy_one, 16, FTW_PHYS) != 0)
		die("cannot copy the fixture tree", from);
	if (setenv("MEMTUNE_FSROOT", tree_root, 1) != 0)
		die("cannot set MEMTUNE_FSROOT to", tree_root);
	return tree_root;
}

void fz_put(const char *dir, const char *rel, const uint8_t *data, size_t size,
	    char *path, size_t len)
{
	char p[PATH_MAX];
	FILE *f;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		die("cannot create", dir);
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	for (char *s = p + strlen(dir) + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			die("cannot create", p);
		*s = '/';
	}
	f = fopen(p, "w");
	if (!f)
		die("cannot write", p);
	if ((size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
		die("cannot write", p);
	if (path)
		snprintf(path, len, "%s", p);
}

char *fz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

FILE *fz_null(void)
{
	static FILE *null;

	if (!null)
		null = fopen("/dev/null", "w");
	if (!null)
		die("cannot open", "/dev/null");
	return null;
}

void fz_sysinfo_with(const char *rel, const uint8_t *data, size_t size)
{
	struct mt_err err = { 0 };
	struct mt_caps caps;
	json_t *info;

	fz_put(tree_root, rel, data, size, NULL, 0);
	mt_caps_read(&caps, &err);
	info = mt_sysinfo_collect(NULL, &err);
	if (info)
		mt_sysinfo_print(fz_null(), info);
	json_decref(info);
}

void fz_profile(const char *name, struct mt_profile *profile)
{
	struct mt_err err = { 0 };
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/configs", fz_srcdir());
	if (mt_profile_load(name, path, profile, &err) != 0) {
		fprintf(stderr, "fuzz harness: %s\n", err.msg);
		abort();
	}
}

void fz_advise(struct mt_advise_ctx *ctx)
{
	struct mt_err err = { 0 };
	struct mt_advice a;

	memset(&a, 0, sizeof(a));
	if (mt_advise(ctx, &a, &err) == 0) {
		json_t *j = mt_advice_json(&a);

		mt_advice_print(fz_null(), &a);
		free(mt_advice_sysctl_conf(&a));
		json_decref(j);
	}
	mt_advice_free(&a);
	mt_advise_ctx_free(ctx);
}
