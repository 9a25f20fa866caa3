/* memtune fleet: many hosts' run directories side by side (DESIGN §2).
 *
 * DIR holds HOST/RUN directories, as Ansible's fetch lays them out
 * (FETCH_DIR/<inventory_hostname>/<run>/). Each host's latest run (by
 * meta.json "start") is read through rundata.h; its headline figures are
 * the analyzer's facts (analysis.json "facts", facts.h), its advice the
 * advice.json items. Hosts are grouped (fleet_group.h), each figure's odd
 * hosts within a group flagged (outlier.h), and the advice that differs
 * within a group listed.
 *
 * fleet.json:
 *   schema_version, memtune_version, rule (the outlier rule, in words),
 *   figures {id: {bench, unit, what}},
 *   hosts [{host (the directory), label (meta.json "label", else the
 *     directory), hostname (meta.json "host"), run (HOST/RUN), start,
 *     runs (how many the host had), cpu_model, memory_gib, kernel, group,
 *     analyzed_here, figures {id: value}, advice {id: {knob, current,
 *     recommended, change}}, warnings [..],
 *     odd [{figure, value, median, score (null: infinite)}]}],
 *   groups [{key, cpu_model, memory_gib, kernel, hosts [host..],
 *     figures [{id, n, median, mad, outliers [{host, value, score}]}],
 *     advice_differs [{id, knob, values [{host, recommended}]}]}],
 *   skipped [{host, reason}]
 */
#ifndef MT_FLEET_H
#define MT_FLEET_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "../core/err.h"

#define MT_FLEET_SCHEMA_VERSION 1

/* True when a directory name can name a host or run in fleet.json: valid
 * UTF-8 without control characters, at most 255 bytes. */
bool mt_fleet_name_ok(const char *name);

/* Loads host NAME from DIR/NAME (its latest run) into a host object as
 * above (without "odd"), adding its facts' descriptions to figures.
 * Returns the object, or NULL with err set (MT_ERR_INPUT: the host has no
 * usable run, said why; MT_ERR_RUNTIME: out of memory). */
json_t *mt_fleet_host_load(const char *dir, const char *name, json_t *figures,
			   struct mt_err *err);

/* Scans DIR and returns fleet.json (grouped and marked). Hosts that
 * cannot be used are in "skipped" with the reason. NULL with err set:
 * MT_ERR_INPUT when DIR cannot be read or no host is usable, else
 * MT_ERR_RUNTIME. */
json_t *mt_fleet_build(const char *dir, struct mt_err *err);

/* Groups fleet's "hosts", flags outliers and advice differences: fills
 * "groups" and each host's "odd". Returns 0 or -ENOMEM. */
int mt_fleet_mark(json_t *fleet);

/* Writes the fleet as one self-contained HTML page (inline CSS, no
 * external asset, every string from the hosts escaped). */
void mt_fleet_html(FILE *f, json_t *fleet);

#endif
