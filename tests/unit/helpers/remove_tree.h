/* Removing a directory tree, shared by the unit-test helpers and the fuzz
 * harness (tests/fuzz/harness.c). Header only: the fuzz targets link no
 * unit-test helper. Needs _XOPEN_SOURCE 500 or _GNU_SOURCE for nftw. */
#ifndef MT_TEST_REMOVE_TREE_H
#define MT_TEST_REMOVE_TREE_H

#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>

static inline int mt_remove_tree_one(const char *path, const struct stat *st,
				     int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Removes root and everything below it, depth first, without following
 * symbolic links. Returns nftw's result (0, or -1 with errno set). */
static inline int mt_remove_tree(const char *root)
{
	return nftw(root, mt_remove_tree_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
