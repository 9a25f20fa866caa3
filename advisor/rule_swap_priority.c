/* Swap priorities: the kernel uses the swap area of the highest priority
 * first, and spreads pages round-robin over areas of equal priority
 * (swapon(2)). zram is memory: when a host has both zram and a disk swap
 * device, zram should come first, so that the disk takes only what does
 * not fit. swapon without -p gives each new area a falling negative
 * priority, so a zram device set up after the disk's fstab line ends up
 * below it. zram-generator's default priority is 100. Priorities are not a
 * file memtune writes: the item is applied by hand (swapoff, swapon -p). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "advisor.h"

#define SOURCE \
	"https://man7.org/linux/man-pages/man2/swapon.2.html " \
	"(man-pages 6.9: higher-priority areas are used first), and " \
	"https://github.com/systemd/zram-generator/blob/main/man/" \
	"zram-generator.conf.md (swap-priority: if unset, 100 is used; " \
	"commit 007dfa57)"

/* The zram generator's default priority, and the kernel's largest
 * (SWAP_FLAG_PRIO_MASK, swapon(2)). */
#define ZRAM_PRIO 100
#define MAX_PRIO 32767

struct prio_facts {
	int n_zram, n_disk;
	long zram_min, zram_max; /* over zram devices */
	long disk_max;		 /* over the others */
	char disk_path[128];	 /* the disk device of disk_max */
};

/* The swap devices of the snapshot (a JSON array, or NULL). */
static json_t *swap_devices(const struct mt_advise_ctx *ctx)
{
	return json_object_get(json_object_get(ctx->sys, "swap"), "devices");
}

/* The type, path and priority of swap device dev; false when one is
 * missing. */
static bool swap_device(json_t *dev, const char **type, const char **path,
			long *prio)
{
	json_t *pr = json_object_get(dev, "priority");

	*type = json_string_value(json_object_get(dev, "type"));
	*path = json_string_value(json_object_get(dev, "path"));
	if (!*type || !*path || !json_is_integer(pr))
		return false;
	*prio = (long)json_integer_value(pr);
	return true;
}

static void gather(const struct mt_advise_ctx *ctx, struct prio_facts *f)
{
	json_t *dev;
	size_t i;

	memset(f, 0, sizeof(*f));
	f->zram_min = MAX_PRIO + 1;
	f->zram_max = f->disk_max = -MAX_PRIO - 1;
	json_array_foreach(swap_devices(ctx), i, dev) {
		const char *t, *p;
		long prio;

		if (!swap_device(dev, &t, &p, &prio))
			continue;
		if (strcmp(t, "zram") == 0) {
			f->n_zram++;
			if (prio < f->zram_min)
				f->zram_min = prio;
			if (prio > f->zram_max)
				f->zram_max = prio;
		} else {
			f->n_disk++;
			if (prio > f->disk_max) {
				f->disk_max = prio;
				snprintf(f->disk_path, sizeof(f->disk_path),
					 "%s", p);
			}
		}
	}
}

/* One item per zram device. */
static int device_item(const char *path, long prio, const struct prio_facts *f,
		       struct mt_advice *out)
{
	char id[64], knob[128], now[32], rec[32];
	long want = f->disk_max + 1 > ZRAM_PRIO ? f->disk_max + 1 : ZRAM_PRIO;
	bool below = prio <= f->disk_max;
	struct mt_item *it;

	if (want > MAX_PRIO)
		want = MAX_PRIO;
	snprintf(id, sizeof(id), "swap_priority.%.40s",
		 strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
	it = mt_advice_add(out, &mt_rule_swap_priority, id);
	if (!it)
		return -ENOMEM;
	snprintf(knob, sizeof(knob), "swap.priority:%.100s", path);
	snprintf(now, sizeof(now), "%ld", prio);
	snprintf(rec, sizeof(rec), "%ld", below ? want : prio);
	mt_item_knob_to(it, knob, now, rec);
	mt_item_evidence(it,
			 "%s: zram swap at priority %ld; highest disk "
			 "swap %s at priority %ld",
			 path, prio, f->disk_path, f->disk_max);
	mt_item_ground(it, MT_GROUND_DOCUMENTED, SOURCE);
	if (!below) {
		mt_item_reason(it,
			       "%s (zram) has a higher priority than every "
			       "disk swap device, so the kernel fills it "
			       "first and the disk takes only what does not "
			       "fit: keep %ld.",
			       path, prio);
		return 0;
	}
	snprintf(it->apply, sizeof(it->apply),
		 "swapoff %s && swapon -p %ld "
		 "%s; to keep it, swap-priority=%ld in /etc/systemd/"
		 "zram-generator.conf (or pri=%ld in the zram line of "
		 "/etc/fstab or your zram script's swapon)",
		 path, want, path, want, want);
	mt_item_reason(it,
		       "The kernel uses the swap area of the highest "
		       "priority first (swapon(2)). %s is zram, compressed "
		       "memory, at priority %ld, %s the disk %s at %ld: "
		       "anonymous memory goes to the disk while the faster "
		       "zram device waits. Give zram %ld (zram-generator's "
		       "default is %d), above every disk device. swapoff "
		       "first moves what %s holds back into memory: do it "
		       "when there is room.",
		       path, prio, prio == f->disk_max ? "level with" : "below",
		       f->disk_path, f->disk_max, want, ZRAM_PRIO, path);
	return 0;
}

static int swap_priority_advise(const struct mt_advise_ctx *ctx,
				struct mt_advice *out, struct mt_err *err)
{
	struct prio_facts f;
	json_t *dev;
	size_t i;

	(void)err;
	gather(ctx, &f);
	/* Priorities between devices of one kind change nothing this rule
	 * knows about. */
	if (!f.n_zram || !f.n_disk)
		return 0;
	json_array_foreach(swap_devices(ctx), i, dev) {
		const char *t, *p;
		long prio;
		int rc;

		if (!swap_device(dev, &t, &p, &prio) || strcmp(t, "zram"))
			continue;
		rc = device_item(p, prio, &f, out);
		if (rc < 0)
			return rc;
	}
	return 0;
}

const struct mt_rule mt_rule_swap_priority = {
	.name = "swap_priority",
	.knob = "swap priorities (swapon -p)",
	.summary = "zram swap used before disk swap",
	.source = SOURCE,
	.advise = swap_priority_advise,
};
