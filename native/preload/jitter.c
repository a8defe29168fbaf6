/*
 * Chaos from inside the program (MVAR_REPRO_CHAOS=SEED:INTENSITY): at each
 * chaos point of a watched call, with a probability that grows with the
 * intensity, the thread yields or sleeps a little. Sleeping while it holds a
 * lock is what makes rare interleavings common: the other processes arrive
 * at the lock while it is held, and their slow paths (a futex wait, a
 * condvar's re-lock on return) run instead of the fast ones. It only delays:
 * every sleep is bounded, so it never invents a hang.
 *
 * Decisions come from a per-thread xorshift64* stream seeded from the seed,
 * the pid and the tid: the same seed gives the same decisions for the same
 * threads, though the scheduler's answer to them varies.
 */
#define _GNU_SOURCE
#include "preload.h"

#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

static uint64_t seed;
static unsigned intensity; /* 1..10 */
static __thread uint64_t rng __attribute__((tls_model("initial-exec")));

/* Its presence tells the fork server the library is loaded (dlsym), so its chaos child need not freeze mutex holders. */
MVR_EXPORT int mvar_preload_jitter = 1;

void pl_jitter_open(void) {
  rng = 0;
  pl.chaos = 0;
  const char *v = getenv("MVAR_REPRO_CHAOS");
  if (!v) return;
  char *end;
  unsigned long long s = strtoull(v, &end, 10);
  if (*end != ':') return;
  unsigned long i = strtoul(end + 1, &end, 10);
  if (*end || i < 1 || i > 10) return;
  seed = s;
  intensity = (unsigned)i;
  pl.chaos = 1;
}

static uint64_t next(void) {
  if (!rng) rng = (seed ^ ((uint64_t)pl.pid << 32) ^ (uint64_t)gettid()) * 0x9E3779B97F4A7C15ULL | 1;
  rng ^= rng >> 12;
  rng ^= rng << 25;
  rng ^= rng >> 27;
  return rng * 0x2545F4914F6CDD1DULL;
}

void pl_jitter_act(int holding) {
  uint64_t r = next();
  /* Acts at intensity x 5 % of the points: 5 % at 1, half of them at 10. */
  if (r % 100 >= intensity * 5u) return;
  r >>= 8;
  if (!holding && (r & 1)) {
    sched_yield();
    return;
  }
  /* Up to intensity x 100 us (1 ms at 10): long against the other side's
   * path to the lock (microseconds), short against a program's timeouts. */
  unsigned us = (unsigned)((r >> 1) % (intensity * 100u));
  struct timespec ts = {0, (long)us * 1000L};
  nanosleep(&ts, NULL);
}

