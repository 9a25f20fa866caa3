/* The sysctl.d search path, in the order systemd-sysctl and
 * `sysctl --system` read it: every *.conf file of /etc/sysctl.d,
 * /run/sysctl.d, /usr/local/lib/sysctl.d and /usr/lib/sysctl.d sorted by
 * file name (a name in an earlier directory hides the same name in a later
 * one), then /etc/sysctl.conf. A later assignment wins. Read through
 * MEMTUNE_FSROOT so tests use a fake tree. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/fsroot.h"
#include "../core/grow.h"
#include "advisor.h"

static const char *const dirs[] = { "/etc/sysctl.d", "/run/sysctl.d",
				    "/usr/local/lib/sysctl.d",
				    "/usr/lib/sysctl.d" };

struct conf_file {
	char name[256];
	char path[512]; /* absolute, as the machine sees it */
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct conf_file *)a)->name,
		      ((const struct conf_file *)b)->name);
}

/* Lists the files in reading order into *out (malloc'ed); returns count. */
static size_t list_files(struct conf_file **out)
{
	struct conf_file *f = NULL;
	size_t n = 0, cap = 0;

	for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		char real[4096];
		struct dirent *e;
		DIR *dir;

		if (mt_fs_path(dirs[d], real, sizeof(real)) != 0 ||
		    !(dir = opendir(real)))
			continue;
		while ((e = readdir(dir))) {
			size_t len = strlen(e->d_name), k;

			if (len < 6 || strcmp(e->d_name + len - 5, ".conf"))
				continue;
			for (k = 0; k < n; k++)
				if (strcmp(f[k].name, e->d_name) == 0)
					break;
			if (k < n)
				continue; /* hidden by an earlier dir */
			if (mt_grow(&f, &cap, n, sizeof(*f), 16) < 0)
				break;
			snprintf(f[n].name, sizeof(f[n].name), "%s", e->d_name);
			snprintf(f[n].path, sizeof(f[n].path), "%s/%s", dirs[d],
				 e->d_name);
			n++;
		}
		closedir(dir);
	}
	if (n)
		qsort(f, n, sizeof(*f), by_name);
	*out = f;
	return n;
}

/* Finds the line of `text` that assigns `key` ("vm.x" or "vm/x"); returns
 * its number or 0. */
static int assigns(const char *text, const char *key)
{
	const char *p = text;
	int line = 1;

	while (*p) {
		const char *s = p;
		size_t k = 0;

		while (*s == ' ' || *s == '\t' || *s == '-')
			s++;
		for (; key[k]; k++)
			if (!(s[k] == key[k] || (key[k] == '.' && s[k] == '/')))
				break;
		if (!key[k]) {
			const char *t = s + k;

			while (*t == ' ' || *t == '\t')
				t++;
			if (*t == '=')
				return line;
		}
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
		line++;
	}
	return 0;
}

bool mt_sysctl_origin(const char *key, char *buf, size_t len)
{
	struct conf_file *f;
	size_t n = list_files(&f);
	bool found = false;

	for (size_t i = 0; i <= n; i++) {
		const char *path = i < n ? f[i].path : "/etc/sysctl.conf";
		char *text;
		int line;

		if (mt_fs_read(path, &text, NULL, NULL) != 0)
			continue;
		line = assigns(text, key);
		if (line) {
			snprintf(buf, len, "%s:%d", path, line);
			found = true;
		}
		free(text);
	}
	free(f);
	return found;
}

int mt_sysctl_overrides(const char *conf_text, char **out)
{
	struct conf_file *f;
	size_t n = list_files(&f), len = 0;
	FILE *m = open_memstream(out, &len);
	const char *p = conf_text;
	int count = 0;

	if (!m) {
		free(f);
		*out = NULL;
		return -ENOMEM;
	}
	while (p && *p) {
		char key[128];

		if (*p != '#' && sscanf(p, " %127[^= \t\n]", key) == 1 &&
		    strchr(p, '=') &&
		    strchr(p, '=') < (strchr(p, '\n') ?: p + strlen(p))) {
			for (size_t i = 0; i <= n; i++) {
				const char *path = i < n ? f[i].path :
							   "/etc/sysctl.conf";
				char *text;
				int line;

				if (i < n &&
				    strcmp(f[i].name, MT_SYSCTL_D_NAME) <= 0)
					continue;
				if (mt_fs_read(path, &text, NULL, NULL) != 0)
					continue;
				line = assigns(text, key);
				if (line) {
					fprintf(m,
						"%s:%d sets %s after %s "
						"and overrides it\n",
						path, line, key,
						MT_SYSCTL_D_NAME);
					count++;
				}
				free(text);
			}
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	fclose(m);
	free(f);
	return count;
}
