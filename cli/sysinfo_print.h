/* `memtune sysinfo` for a person: the snapshot of core/sysinfo.h as
 * sectioned, aligned text. */
#ifndef MT_CLI_SYSINFO_PRINT_H
#define MT_CLI_SYSINFO_PRINT_H

#include <jansson.h>
#include <stdio.h>

/* Prints the snapshot from mt_sysinfo_collect (or one read back from
 * meta.json) to out; every section and field may be missing. */
void mt_sysinfo_print(FILE *out, json_t *info);

#endif
