/* Streaming kernels shared by the bandwidth benchmarks (hugepage, numa):
 * sequential reads and temporal stores over whole cache lines. */
#ifndef MT_STREAM_H
#define MT_STREAM_H

#include <stdint.h>

#define MT_LINE 64

/* Sums `lines` cache lines starting at p (64-byte aligned) with four
 * independent vector accumulators, so the loop is limited by memory, not
 * by an add chain; returns the sum so the loads stay live. */
uint64_t mt_stream_read(const void *p, uint64_t lines);

/* Stores to every byte of `lines` cache lines with ordinary (temporal)
 * vector stores. The value changes from line to line, so the compiler
 * cannot turn the loop into memset, whose large-size path uses
 * non-temporal stores that skip the read-for-ownership and would measure
 * something else. */
void mt_stream_write(void *p, uint64_t lines, uint64_t v);

#endif
