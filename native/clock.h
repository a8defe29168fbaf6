/* Clock helpers. clock_gettime for CLOCK_MONOTONIC and CLOCK_REALTIME is
 * served from the vDSO on x86_64 glibc (no system call) while the kernel's
 * clocksource is tsc/kvm-clock, which is what keeps a trace event cheap. */
#ifndef MVR_CLOCK_H
#define MVR_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t mvr_clock_ns(clockid_t clk) {
  struct timespec ts;
  clock_gettime(clk, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline uint64_t mvr_now_ns(void) { return mvr_clock_ns(CLOCK_MONOTONIC); }
static inline uint64_t mvr_realtime_ns(void) { return mvr_clock_ns(CLOCK_REALTIME); }

/* Absolute deadline ms milliseconds from now on clock clk. */
static inline struct timespec mvr_deadline(clockid_t clk, uint32_t ms) {
  struct timespec ts;
  clock_gettime(clk, &ts);
  ts.tv_sec += ms / 1000;
  ts.tv_nsec += (long)(ms % 1000) * 1000000L;
  if (ts.tv_nsec >= 1000000000L) {
    ts.tv_sec += 1;
    ts.tv_nsec -= 1000000000L;
  }
  return ts;
}

#endif
