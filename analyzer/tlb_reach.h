/* TLB reach from the gap between two latency curves (issue 16): the
 * latency with one page size minus the latency with the next larger page
 * size, size by size. While the smaller pages' TLB still covers the
 * working set the two curves agree within their noise; past its reach the
 * smaller pages pay for TLB misses and the gap rises, and stays up. The
 * reach is the interval [largest size where the gap is within noise,
 * first size of a sustained rise]. A gap that rises, levels off, and rises
 * again shows two TLB levels.
 */
#ifndef MT_TLB_REACH_H
#define MT_TLB_REACH_H

#include <stddef.h>

/* A rise must hold at this many sizes in a row, up to the largest. */
#define MT_REACH_MIN_RUN 2
/* At most this many levels (L1, L2). */
#define MT_REACH_MAX_LEVELS 2
/* Levels are told apart by the entries they imply: first-level TLBs hold
 * up to this many (32 to 96 on current x86), second-level ones more (512
 * to 4096). A rise past a level of more entries is the page walks getting
 * dearer (the page tables leaving the caches), not another TLB. */
#define MT_REACH_L1_MAX_ENTRIES 256

enum mt_reach_state {
	MT_REACH_FOUND,	    /* at least one level */
	MT_REACH_NEVER,	    /* the gap stays within the noise */
	MT_REACH_UNSTEADY,  /* beyond the noise here and there, not sustained */
	MT_REACH_LAST_ONLY, /* beyond the noise at the largest size only */
	MT_REACH_TOO_FEW,   /* fewer than MT_REACH_MIN_RUN + 1 sizes */
};

struct mt_reach_level {
	double lo; /* largest size with the gap within noise; NAN when the
		    * gap is beyond it from the smallest size on */
	double hi; /* first size of the sustained rise */
};

struct mt_reach {
	enum mt_reach_state state;
	size_t n_levels;
	struct mt_reach_level level[MT_REACH_MAX_LEVELS];
};

/* Finds the reach levels of a gap curve: n sizes in increasing order, the
 * gap at each (ns) and its noise (the half-width of its 95% interval, ns,
 * > 0). The first level is a sustained rise of the gap above 0; a second
 * one, looked for only when the first rose by l1_max_bytes (the page size
 * times MT_REACH_L1_MAX_ENTRIES), a sustained rise above the plateau the
 * first rose to (the mean gap over the sizes that stay within noise of
 * its first size). */
void mt_reach_find(const double *size, const double *gap, const double *noise,
		   size_t n, double l1_max_bytes, struct mt_reach *out);

/* A word for the state, for analysis.json ("found", "never", ...). */
const char *mt_reach_state_name(enum mt_reach_state s);

#endif
