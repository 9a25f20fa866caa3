/* ABBA blocks of trials: see tune_internal.h.
 *
 * Alternating A and B in balanced blocks cancels a linear drift of the
 * machine within each block (a warming page cache, a filling swap area),
 * and a random orientation per block keeps a periodic one from lining up
 * with the arms. */
#include "tune_internal.h"

#include "../core/rng.h"

size_t mt_abba_schedule(size_t pairs, uint64_t seed,
			struct mt_trial_slot *slots, size_t max)
{
	size_t blocks = pairs / 2, n = 0;
	uint64_t s = mt_rand_seed(seed);

	if (2 * pairs > max)
		return 0;
	for (size_t k = 0; k < blocks; k++) {
		/* ABBA: pair 2k = (A0, B1), pair 2k+1 = (A3, B2); BAAB: pair
		 * 2k = (A1, B0), pair 2k+1 = (A2, B3). */
		bool baab = mt_rand_below(&s, 2);
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
		bool ba = mt_rand_below(&s, 2);

		slots[n++] = (struct mt_trial_slot){ .b = ba,
						     .pair = pairs - 1 };
		slots[n++] = (struct mt_trial_slot){ .b = !ba,
						     .pair = pairs - 1 };
	}
	return n;
}
