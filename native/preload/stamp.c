/*
 * Timestamps of the trace (see stamp.h): the process's calibration base and
 * each thread's anchor, moved by every exact read.
 */
#define _GNU_SOURCE
#include "stamp.h"

#include <cpuid.h>

/* A clock read bracketed by more TSC ticks than this was preempted: ~2 us at
 * 2-4 GHz, a hundred times an undisturbed read. */
#define ANCHOR_MAX_TICKS 8000u

__thread struct pl_anchor pl_anchor;
int pl_stamp_cheap_ok;

static struct {
  uint64_t tsc, ns;
} base;

void pl_stamp_init(void) {
  unsigned a, b, c, d;
  /* Invariant TSC: CPUID leaf 0x80000007, EDX bit 8. */
  pl_stamp_cheap_ok = __get_cpuid(0x80000007, &a, &b, &c, &d) && (d & (1u << 8));
  base.ns = mvr_now_ns();
  base.tsc = __rdtsc();
}

uint64_t pl_stamp_exact(void) {
  /* The TSC on both sides of the clock read: their midpoint is the read's. A
   * thread preempted in between would skew the anchor by the time it lost,
   * so such an anchor is not extrapolated from. */
  uint64_t before = __rdtsc(), ns = mvr_now_ns(), after = __rdtsc();
  uint64_t tsc = before + (after - before) / 2;
  pl_anchor.ns = ns;
  pl_anchor.tsc = tsc;
  pl_anchor.limit = 0;
  uint64_t age = ns - base.ns, ticks = tsc - base.tsc;
  if (pl_stamp_cheap_ok && after - before < ANCHOR_MAX_TICKS && age >= STAMP_MIN_AGE_NS && ticks > age / 16) {
    pl_anchor.mult = (uint64_t)(((unsigned __int128)age << 32) / ticks);
    if (pl_anchor.mult) pl_anchor.limit = (uint64_t)(((unsigned __int128)STAMP_WINDOW_NS << 32) / pl_anchor.mult);
  }
  return ns;
}
