/* Growing an array by doubling: the one helper for every array that takes
 * one more element at a time. */
#ifndef MT_GROW_H
#define MT_GROW_H

#include <stddef.h>

/* Makes room for element n of the array whose pointer is at arrayp (a
 * T **, passed as void *) and whose allocated count is *cap: when n ==
 * *cap, reallocates it to twice *cap elements of elem bytes (first when
 * *cap is 0). Returns 0, or -ENOMEM with the array and *cap intact. */
int mt_grow(void *arrayp, size_t *cap, size_t n, size_t elem, size_t first);

#endif
