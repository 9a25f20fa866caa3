/* Vendor guidance, in one table (issue 13: rules by application, not by
 * profile alone): what each application's vendor says about a global knob,
 * for which versions, where it says so and in which words. The vendor rules
 * (rule_thp, rule_overcommit, rule_max_map_count, rule_dirty) read it
 * through mt_vendor_choose, which settles what every application present
 * accepts at once: the current value when it satisfies them all, else the
 * first value that does, else a conflict (the advice then keeps the current
 * value and cites both sides).
 */
#ifndef MT_VENDORS_H
#define MT_VENDORS_H

#include <stdbool.h>
#include <stddef.h>

#include "advisor.h"

/* One row: the vendor of `app` says set `knob` to `value`. */
struct mt_vendor_rule {
	enum mt_app_kind app;
	const char *knob;    /* advice.json's knob: "vm.overcommit_memory",
				 * "transparent_hugepage.enabled" */
	const char *value;   /* what the vendor says to set */
	const char *accepts; /* other values that satisfy the vendor,
				 * space-separated, or NULL */
	bool at_least;	     /* value is a minimum: larger integers
				 * satisfy too */
	bool at_most;	     /* value is a maximum: smaller positive
				 * integers satisfy too */
	bool hard;	     /* a requirement: the application refuses to
				 * start, fails, or its vendor says "must" */
	const char *since;   /* application versions [since, before) the
				 * row is for; NULL: open */
	const char *before;
	int kernel_since[2];  /* kernel >= major.minor; {0, 0}: any */
	int kernel_before[2]; /* kernel < major.minor; {0, 0}: any */
	const char *source;   /* URL and the document's version or date */
	const char *quote;    /* the vendor's words (a paraphrase says
				 * so) */
};

extern const struct mt_vendor_rule mt_vendor_rules[];
extern const size_t mt_n_vendor_rules;

/* "PostgreSQL", "Redis"...: the application's name for messages. */
const char *mt_app_label(enum mt_app_kind k);

/* Compares dotted versions numerically, component by component ("8.0" <
 * "8.0.4" < "10"); non-digits end a component. Returns <0, 0 or >0. */
int mt_version_cmp(const char *a, const char *b);

/* True if r's application is present in ctx and its version and the
 * kernel's fall in r's ranges. An application of unknown version ("")
 * matches only rows without a version range. */
bool mt_vendor_applies(const struct mt_vendor_rule *r,
		       const struct mt_advise_ctx *ctx);

/* True if value satisfies r: r's value, one of its accepts, or (at_least)
 * an integer at least (at_most: positive and at most) r's value. */
bool mt_vendor_satisfied(const struct mt_vendor_rule *r, const char *value);

/* What the present applications' vendors say about one knob. */
struct mt_vendor_choice {
	const struct mt_vendor_rule *rows[16]; /* the rows that apply */
	size_t n;
	/* Applications present, of unknown version, with rows for the knob
	 * of which none applies (rows for other versions): the advice cannot
	 * follow them, says so, and moves nothing (blocked). */
	enum mt_app_kind undecided[MT_APP_N];
	size_t n_undecided;
	const char *value; /* a value every row accepts: current when it
				 * does (may point into buf); NULL on
				 * conflict or without rows */
	char buf[32];
	bool keep;     /* current satisfies every row */
	bool conflict; /* no value satisfies every row */
	bool blocked;  /* a value would, but an undecided
				 * application may want another: value
				 * NULL, the current one stays */
	bool hard;     /* a hard row is not satisfied by current
				 * (keep: a hard row applies) */
};

/* Fills c for knob given its current value (may be "" when unknown).
 * Returns the number of rows that apply. */
size_t mt_vendor_choose(const struct mt_advise_ctx *ctx, const char *knob,
			const char *current, struct mt_vendor_choice *c);

/* Adds an evidence line for r: "Redis (SOURCE): \"QUOTE\"". */
void mt_vendor_cite(struct mt_item *it, const struct mt_vendor_rule *r);

/* Cites every row of c and states c's outcome in the reason: kept, chosen,
 * or the conflict with both sides; names the undecided applications. With
 * rows, sets the item's ground: HARD_RULE when a hard row decides (c.hard),
 * DOCUMENTED otherwise (a conflict too), and its source to the deciding
 * row's. it->current must be set. */
void mt_vendor_explain(struct mt_item *it, const struct mt_vendor_choice *c);

/* Advises vm sysctl "vm.NAME" as the vendors of the applications present
 * want it: an item with the current value, the vendors' choice explained
 * (mt_vendor_explain), the recommended value (their choice, or the current
 * value when it satisfies them, they conflict or one is undecided) and
 * change. With no row for any application present, keep_reason writes why
 * the current value cur stays, and the ground is DOCUMENTED with r's
 * source. No item when the snapshot lacks the knob. Returns 0 or
 * -ENOMEM. */
int mt_vendor_sysctl_item(const struct mt_advise_ctx *ctx,
			  struct mt_advice *out, const struct mt_rule *r,
			  const char *name,
			  void (*keep_reason)(struct mt_item *it, int64_t cur));

#endif
