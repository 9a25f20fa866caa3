/* ABBA blocks of trials: see tune_internal.h.
 *
 * Alternating A and B in balanced blocks cancels a linear drift of the
 * machine within each block (a warming page cache, a filling swap area),
 * and a random orientation per block keeps a periodic one from lining up
 * with the arms. */
#include "tune_internal.h"

/* splitmix64 (Steele, Lea & Flood 2014): one draw per block. */
static uint64_t next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

size_t mt_abba_schedule(size_t pairs, uint64_t seed,
			struct mt_trial_slot *slots, size_t max)
{
	size_t blocks = pairs / 2, n = 0;
	uint64_t s = seed;

	if (2 * pairs > max)
		return 0;
	for (size_t k = 0; k < blocks; k++) {
		/* ABBA: pair 2k = (A0, B1), pair 2k+1 = (A3, B2); BAAB: pair
		 * 2k = (A1, B0), pair 2k+1 = (A2, B3). */
		bool baab = next(&s) >> 63;
		static const bool arm[2][4] = { { false, true, true, false },
						{ true, false, false, true } };
		static const size_t pair[4] = { 0, 0, 1, 1 };

		for (size_t t = 0; t < 4; t++) {
			slots[n].b = arm[baab][t];
			slots[n].pair = 2 * k + pair[t];
			n++;
		}
	}
	/* An odd last pair: AB or BA. */
	if (pairs % 2) {
		bool ba = next(&s) >> 63;

		slots[n++] = (struct mt_trial_slot){ .b = ba, .pair = pairs - 1 };
		slots[n++] = (struct mt_trial_slot){ .b = !ba,
						     .pair = pairs - 1 };
	}
	return n;
}
