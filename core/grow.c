/* Growing an array by doubling: see grow.h. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"

int mt_grow(void *arrayp, size_t *cap, size_t n, size_t elem, size_t first)
{
	size_t want = *cap ? *cap * 2 : first;
	void *old, *grown;

	if (n < *cap)
		return 0;
	if (want < *cap || !elem || want > SIZE_MAX / elem)
		return -ENOMEM;
	/* The pointer is copied, not read through a void ** lvalue: the
	 * caller's is a T *. */
	memcpy(&old, arrayp, sizeof(old));
	grown = realloc(old, want * elem);
	if (!grown)
		return -ENOMEM;
	memcpy(arrayp, &grown, sizeof(grown));
	*cap = want;
	return 0;
}
