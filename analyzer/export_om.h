/* memtune export --format openmetrics: one run's headline figures and
 * advice state as metrics for node_exporter's textfile collector.
 *
 * Every family is a gauge with HELP and TYPE (and UNIT where OpenMetrics
 * has one); the text ends with "# EOF". The families:
 *   memtune_run_info{host,label,kernel,cpu_model,memtune_version} 1
 *   memtune_run_timestamp_seconds   meta.json "start"
 *   memtune_<fact>_<unit>           each analysis fact (om_format.h)
 *   memtune_tlb_load_latency_seconds{backing,pattern,working_set_bytes}
 *                                   the analyzer's TLB curves
 *   memtune_advice_change{id,knob,current,recommended,confidence} 1 when
 *                                   the item recommends a change, else 0
 *   memtune_advice_changes          how many items recommend a change
 */
#ifndef MT_EXPORT_OM_H
#define MT_EXPORT_OM_H

#include <stdio.h>

#include "rundata.h"

/* Writes the metrics of rd to f. Returns the number of samples written. */
size_t mt_export_om(FILE *f, const struct mt_rundata *rd);

#endif
