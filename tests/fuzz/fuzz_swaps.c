/* libFuzzer target: /proc/swaps (bench/kit/sandbox.c mt_swaps_parse, and
 * sysinfo's swap devices) and /proc/mounts (sysinfo's cgroup mounts, with
 * octal escapes) on the same input, through MEMTUNE_FSROOT. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../bench/kit/sandbox.h"
#include "harness.h"

static char *swaps, *mounts;
static size_t swaps_len, mounts_len;

/* Reads a file of the pristine tree, to put it back after each input. */
static char *slurp(const char *rel, size_t *len)
{
	char path[4096];
	char *buf = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fz_tree("qemu-2node"), rel);
	f = fopen(path, "r");
	if (!f || getdelim(&buf, len, '\0', f) < 0)
		abort();
	*len = strlen(buf);
	fclose(f);
	return buf;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	swaps = slurp("proc/swaps", &swaps_len);
	mounts = slurp("proc/mounts", &mounts_len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mt_swap_dev devs[4];
	char *text = fz_str(data, size);
	size_t n;

	mt_swaps_parse(text, devs, 4, &n);
	free(text);
	fz_sysinfo_with("proc/swaps", data, size);
	fz_put(fz_tree("qemu-2node"), "proc/swaps", (const uint8_t *)swaps,
	       swaps_len, NULL, 0);
	fz_sysinfo_with("proc/mounts", data, size);
	fz_put(fz_tree("qemu-2node"), "proc/mounts", (const uint8_t *)mounts,
	       mounts_len, NULL, 0);
	return 0;
}
