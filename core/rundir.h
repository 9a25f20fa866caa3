/* The run directory writer (DESIGN §3).
 *
 *   DIR/meta.json      rewritten atomically (temporary file + rename)
 *   DIR/topology.xml   hwloc's export
 *   DIR/results.jsonl  appended and flushed record by record
 *   DIR/snapshots/     BENCH.{before,after}.{meminfo,vmstat,zoneinfo,
 *                      buddyinfo,pressure-memory}
 *
 * A new run never overwrites an old directory: the name is
 * HOST-YYYYmmdd-HHMMSS, with -2, -3... appended when it exists. The
 * directory is made and written through core/safefile: every file in it
 * is new or an atomic replacement, reached through the descriptor of the
 * directory this run made, so links planted by others are never followed.
 */
#ifndef MT_RUNDIR_H
#define MT_RUNDIR_H

#include <jansson.h>

#include "err.h"
#include "safefile.h"

#define MT_META_SCHEMA_VERSION 1

struct mt_rundir;

/* Creates a new run directory under `parent` (created if missing), or
 * exactly at `exact` if not NULL (which must not exist yet). */
int mt_rundir_create(const char *parent, const char *exact,
		     struct mt_rundir **out, struct mt_err *err);

const char *mt_rundir_path(const struct mt_rundir *rd);

/* The run directory as an open, checked output directory (owned by rd),
 * for other files of the run such as topology.xml. */
const struct mt_outdir *mt_rundir_dir(const struct mt_rundir *rd);

/* Appends one record as a line to results.jsonl, flushes and fdatasyncs it,
 * so a killed run leaves every finished record readable. */
int mt_rundir_append(struct mt_rundir *rd, json_t *record, struct mt_err *err);

/* Appends a line that is already serialized JSON (no newline). */
int mt_rundir_append_line(struct mt_rundir *rd, const char *line,
			  struct mt_err *err);

/* Appends every record of the array `records` as a line to results.jsonl
 * in one write and one fdatasync (a sample of `memtune observe`: many
 * series at one time). A killed writer leaves whole lines only. */
int mt_rundir_append_many(struct mt_rundir *rd, json_t *records,
			  struct mt_err *err);

/* Writes meta.json atomically (meta must carry schema_version). */
int mt_rundir_write_meta(struct mt_rundir *rd, json_t *meta,
			 struct mt_err *err);

/* Copies /proc/meminfo, /proc/vmstat, /proc/zoneinfo, /proc/buddyinfo and
 * /proc/pressure/memory (through the fsroot reader) into
 * snapshots/TAG.WHEN.NAME; a file the kernel lacks (no PSI) is noted in
 * snapshots/TAG.WHEN.missing, not an error. */
int mt_rundir_snapshot(struct mt_rundir *rd, const char *tag, const char *when,
		       struct mt_err *err);

/* Closes files and frees rd (the directory stays). */
void mt_rundir_close(struct mt_rundir *rd);

#endif
