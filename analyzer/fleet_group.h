/* Grouping the hosts of a fleet: hosts that should behave alike share a
 * CPU model, an amount of memory (rounded, as below) and a kernel
 * release. */
#ifndef MT_FLEET_GROUP_H
#define MT_FLEET_GROUP_H

#include <stddef.h>

/* MemTotal in bytes rounded up to the memory a buyer would name: up to a
 * multiple of an eighth of its power of two, at least 1 GiB (23.5 GiB ->
 * 24, 62.8 GiB -> 64, 15.6 GiB -> 16, 1007 GiB -> 1024). In GiB; 0 when
 * bytes is not a positive number. */
double mt_fleet_mem_gib(double bytes);

/* "CPU | N GiB | KERNEL", the group's key and title ("unknown" for a
 * missing CPU model or kernel, "? GiB" for no memory). Cut to len. */
void mt_fleet_group_key(char *buf, size_t len, const char *cpu_model,
			double mem_gib, const char *kernel);

/* Sorts the indexes idx[0..n) so that hosts of one group are together,
 * groups in the order of their keys, hosts of a group in the order of
 * their names: keys[i] and names[i] are host i's. Returns the number of
 * groups. */
size_t mt_fleet_group_sort(size_t *idx, size_t n, const char *const *keys,
			   const char *const *names);

#endif
