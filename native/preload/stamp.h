/*
 * The trace's timestamps, CLOCK_MONOTONIC nanoseconds at two precisions:
 *
 *   exact — a vDSO clock_gettime (about 30 ns on these machines): every event
 *           the diagnosis and the timeline time — a lock that had to wait
 *           (enter, and locked after the wait), a condvar or semaphore wait
 *           (wait-begin, wait-end, wait-timeout), owner-died, errors;
 *   cheap — the TSC (about 12 ns), extrapolated from the thread's last exact
 *           read, at most STAMP_WINDOW_NS before, at a rate calibrated
 *           against CLOCK_MONOTONIC over the life of the process: everything
 *           that does not wait — a lock taken at once, an unlock, a trylock,
 *           a signal, a post, init and destroy.
 *
 * A cheap stamp's error is the window times the rate's relative error, which
 * shrinks as the process ages (the rate is measured over its whole life):
 * the first STAMP_MIN_AGE_NS of a process are stamped exactly. Without an
 * invariant TSC (CPUID 0x80000007 EDX bit 8: constant rate, not stopped in
 * idle states), every stamp is exact.
 */
#ifndef MVR_PRELOAD_STAMP_H
#define MVR_PRELOAD_STAMP_H

#include "../clock.h"

#include <stdint.h>
#include <x86intrin.h>

/* Re-read the clock at least once a millisecond of a thread's events. */
#define STAMP_WINDOW_NS 1000000ull
/* The rate is trusted once it is measured over 10 ms: two reads of ~30 ns
 * apart each, over 10 ms, give it to ~1e-5, so ~10 ns over a window. */
#define STAMP_MIN_AGE_NS 10000000ull

struct pl_anchor {
  uint64_t tsc, ns;
  uint64_t limit; /* TSC ticks this anchor may be extrapolated over (0: not yet) */
  uint64_t mult;  /* ns per tick, 32.32 fixed point */
};

extern __thread struct pl_anchor pl_anchor __attribute__((tls_model("initial-exec"), visibility("hidden")));
extern int pl_stamp_cheap_ok __attribute__((visibility("hidden")));

void pl_stamp_init(void);
/* An exact read, which also moves the thread's anchor. */
uint64_t pl_stamp_exact(void);

static inline uint64_t pl_stamp_cheap(void) {
  if (!pl_stamp_cheap_ok) return mvr_now_ns();
  uint64_t d = __rdtsc() - pl_anchor.tsc;
  /* Beyond the window, before the anchor (another CPU's TSC a hair behind), or no rate yet: read the clock. */
  if (__builtin_expect(d >= pl_anchor.limit, 0)) return pl_stamp_exact();
  return pl_anchor.ns + (uint64_t)(((unsigned __int128)d * pl_anchor.mult) >> 32);
}

#endif
