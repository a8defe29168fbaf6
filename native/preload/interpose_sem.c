/*
 * The interposed POSIX semaphore calls (see interpose.c for the pattern).
 * They return -1 and set errno: nothing done around them may change errno.
 *
 * With the check on, a semaphore taken (a wait or trywait that returned 0)
 * joins the thread's held set as a lock candidate, with the edges of a lock
 * before a wait; a post takes it out again and tells misuse.c whether the
 * poster was the taker. The CLI counts a semaphore as a lock only when its
 * takers post it and nobody else does (lock-graph.ts); a semaphore used as a
 * signal (posted by a producer, taken by a consumer) is never a lock.
 */
#define _GNU_SOURCE
#include "lockset.h"
#include "ring.h"

#include "../layout.h"
#include "real.h"

#include <errno.h>

MVR_EXPORT int sem_init(sem_t *s, int pshared, unsigned value) {
  int rc = REAL(sem_init)(s, pshared, value);
  int err = errno;
  if (pl_watch(s, PRIM_SEM, CALLER) && pl.tracing) pl_call_done(MVR_OP_SEM_INIT, s, rc, rc ? err : 0, (void *)(uintptr_t)value);
  errno = err;
  return rc;
}

MVR_EXPORT int sem_destroy(sem_t *s) {
  if (!pl_watch(s, PRIM_SEM, CALLER)) return REAL(sem_destroy)(s);
  int rc = REAL(sem_destroy)(s);
  int err = errno;
  pl_call_done(MVR_OP_SEM_DESTROY, s, rc, rc ? err : 0, NULL);
  errno = err;
  return rc;
}

static uint32_t sem_wait_begin(uint16_t op, sem_t *s, clockid_t clk, const struct timespec *abstime) {
  uint32_t dl = pl_deadline_ms(clk, abstime);
  pl_trace_call();
  pl_jitter(0);
  pl_trace_exact(op, MVR_PH_WAIT_BEGIN, 0, 0, dl, s, NULL);
  return dl;
}

static int sem_wait_end(uint16_t op, sem_t *s, int rc, uint32_t deadline_ms) {
  int err = errno;
  uint16_t ph = rc == 0 ? MVR_PH_WAIT_END : err == ETIMEDOUT ? MVR_PH_WAIT_TIMEOUT : MVR_PH_ERROR;
  pl_trace_exact(op, ph, rc, rc ? err : 0, deadline_ms, s, NULL);
  errno = err;
  return rc;
}

/* A call that never blocks: one event, `ok` when it succeeded. A trywait's
 * EAGAIN (the count was 0) is an outcome, like a busy trylock, not an error:
 * Python's multiprocessing locks try this way first and call sem_wait only
 * when it fails. */
static int sem_once(uint16_t op, uint16_t ok, sem_t *s, int (*f)(sem_t *)) {
  pl_trace_call();
  pl_jitter(0);
  int rc = f(s);
  int err = errno;
  pl_trace(op, rc == 0 || (op == MVR_OP_SEM_TRYWAIT && err == EAGAIN) ? ok : MVR_PH_ERROR, rc, rc ? err : 0, 0, s, NULL);
  errno = err;
  return rc;
}

static int real_take(uint16_t op, sem_t *s, clockid_t clk, const struct timespec *t) {
  switch (op) {
  case MVR_OP_SEM_TRYWAIT: return REAL(sem_trywait)(s);
  case MVR_OP_SEM_TIMEDWAIT: return REAL(sem_timedwait)(s, t);
  case MVR_OP_SEM_CLOCKWAIT: return REAL(sem_clockwait)(s, clk, t);
  default: return REAL(sem_wait)(s);
  }
}

/* Every wait and trywait on a semaphore: the check around it; traced and jittered when watched and those are on. */
static int sem_take_call(uint16_t op, sem_t *s, clockid_t clk, const struct timespec *t, void *site) {
  struct pl_prim *p = pl_prim_of(s, PRIM_SEM, site);
  if (!pl_watched(p)) return real_take(op, s, clk, t);
  unsigned how = LK_NODE | LK_SEM | (op != MVR_OP_SEM_TRYWAIT ? LK_BLOCKS : 0) | (t ? LK_TIMED : 0);
  int check = pl.checking && p;
  if (check) pl_ld_before(p->id, how, site);
  int rc;
  if (!(pl.tracing || pl.chaos)) rc = real_take(op, s, clk, t);
  else if (op == MVR_OP_SEM_TRYWAIT) rc = sem_once(op, MVR_PH_DONE, s, REAL(sem_trywait));
  else {
    uint32_t dl = sem_wait_begin(op, s, clk, t);
    rc = sem_wait_end(op, s, real_take(op, s, clk, t), dl);
  }
  /* One entry however often the thread takes it: a consumer that never posts must not fill the set. */
  if (check && rc == 0 && pl_ld_find(s) < 0) pl_ld_acquired(p->id, s, 0, how, site);
  return rc;
}

MVR_EXPORT int sem_wait(sem_t *s) {
  if (!pl.enabled) return REAL(sem_wait)(s);
  return sem_take_call(MVR_OP_SEM_WAIT, s, CLOCK_REALTIME, NULL, CALLER);
}

MVR_EXPORT int sem_timedwait(sem_t *s, const struct timespec *t) {
  if (!pl.enabled) return REAL(sem_timedwait)(s, t);
  return sem_take_call(MVR_OP_SEM_TIMEDWAIT, s, CLOCK_REALTIME, t, CALLER);
}

MVR_EXPORT int sem_clockwait(sem_t *s, clockid_t clk, const struct timespec *t) {
  if (!pl.enabled) return REAL(sem_clockwait)(s, clk, t);
  return sem_take_call(MVR_OP_SEM_CLOCKWAIT, s, clk, t, CALLER);
}

MVR_EXPORT int sem_trywait(sem_t *s) {
  if (!pl.enabled) return REAL(sem_trywait)(s);
  return sem_take_call(MVR_OP_SEM_TRYWAIT, s, CLOCK_REALTIME, NULL, CALLER);
}

MVR_EXPORT int sem_post(sem_t *s) {
  if (!pl.enabled) return REAL(sem_post)(s);
  struct pl_prim *p = pl_prim_of(s, PRIM_SEM, CALLER);
  if (!pl_watched(p)) return REAL(sem_post)(s);
  if (pl.checking) {
    int held = pl_ld_find(s);
    pl_mu_sem_post(p, held >= 0, CALLER);
    pl_ld_drop(held);
  }
  if (!(pl.tracing || pl.chaos)) return REAL(sem_post)(s);
  return sem_once(MVR_OP_SEM_POST, MVR_PH_SIGNALLED, s, REAL(sem_post));
}
