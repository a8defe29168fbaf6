/*
 * The interposed condition-variable calls (see interpose.c for the pattern).
 * With the check on, a wait tells misuse.c which mutex the condvar is used
 * with, and lockdep.c that the mutex will be taken again on the way out while
 * the thread still holds whatever it took after it (an edge from each of
 * those locks to the mutex, recorded before the wait).
 */
#define _GNU_SOURCE
#include "lockset.h"
#include "ring.h"

#include "../layout.h"
#include "real.h"

#include <errno.h>

static void wait_begin(uint16_t op, pthread_cond_t *c, pthread_mutex_t *m, uint32_t deadline_ms) {
  pl_trace_call();
  pl_jitter(1);
  pl_trace_exact(op, MVR_PH_WAIT_BEGIN, 0, 0, deadline_ms, c, m);
}

static int wait_end(uint16_t op, pthread_cond_t *c, pthread_mutex_t *m, int rc, uint32_t deadline_ms) {
  uint16_t ph = rc == 0 ? MVR_PH_WAIT_END
              : rc == ETIMEDOUT ? MVR_PH_WAIT_TIMEOUT
              : rc == EOWNERDEAD ? MVR_PH_OWNER_DIED
              : MVR_PH_ERROR;
  pl_trace_exact(op, ph, rc, 0, deadline_ms, c, m);
  pl_jitter(1); /* the mutex is held again */
  return rc;
}

MVR_EXPORT int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a) {
  int rc = REAL(cond_init)(c, a);
  if (pl_watch(c, PRIM_COND, CALLER) && pl.tracing) pl_call_done(MVR_OP_COND_INIT, c, rc, 0, NULL);
  return rc;
}

MVR_EXPORT int pthread_cond_destroy(pthread_cond_t *c) {
  if (!pl_watch(c, PRIM_COND, CALLER)) return REAL(cond_destroy)(c);
  if (pl.checking) pl_mu_cond_destroy(c, CALLER);
  int rc = REAL(cond_destroy)(c);
  pl_call_done(MVR_OP_COND_DESTROY, c, rc, 0, NULL);
  return rc;
}

static int real_wait(uint16_t op, pthread_cond_t *c, pthread_mutex_t *m, clockid_t clk, const struct timespec *t) {
  switch (op) {
  case MVR_OP_COND_TIMEDWAIT: return REAL(cond_timedwait)(c, m, t);
  case MVR_OP_COND_CLOCKWAIT: return REAL(cond_clockwait)(c, m, clk, t);
  default: return REAL(cond_wait)(c, m);
  }
}

/* Every condvar wait: the check before it; traced and jittered when watched and those are on. */
static int cond_wait_call(uint16_t op, pthread_cond_t *c, pthread_mutex_t *m, clockid_t clk, const struct timespec *t, void *site) {
  struct pl_prim *cp = pl_prim_of(c, PRIM_COND, site);
  int watched = pl_watched(cp);
  if (pl.checking) {
    if (watched) pl_mu_cond_wait(cp, c, pl_prim_of(m, PRIM_MUTEX, site), site);
    pl_ld_retaken(pl_ld_find(m), site);
  }
  if (!watched || !(pl.tracing || pl.chaos)) return real_wait(op, c, m, clk, t);
  uint32_t dl = t ? pl_deadline_ms(op == MVR_OP_COND_CLOCKWAIT ? clk : pl_cond_clock(c), t) : 0;
  wait_begin(op, c, m, dl);
  return wait_end(op, c, m, real_wait(op, c, m, clk, t), dl);
}

MVR_EXPORT int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m) {
  if (!pl.enabled) return REAL(cond_wait)(c, m);
  return cond_wait_call(MVR_OP_COND_WAIT, c, m, CLOCK_REALTIME, NULL, CALLER);
}

MVR_EXPORT int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *t) {
  pl_check_clock(c, t, CALLER);
  if (!pl.enabled) return REAL(cond_timedwait)(c, m, t);
  return cond_wait_call(MVR_OP_COND_TIMEDWAIT, c, m, CLOCK_REALTIME, t, CALLER);
}

MVR_EXPORT int pthread_cond_clockwait(pthread_cond_t *c, pthread_mutex_t *m, clockid_t clk, const struct timespec *t) {
  if (!pl.enabled) return REAL(cond_clockwait)(c, m, clk, t);
  return cond_wait_call(MVR_OP_COND_CLOCKWAIT, c, m, clk, t, CALLER);
}

static int signal_call(uint16_t op, pthread_cond_t *c, int (*f)(pthread_cond_t *)) {
  if (!(pl.tracing || pl.chaos)) return f(c);
  pl_trace_call();
  pl_jitter(0);
  int rc = f(c);
  pl_trace(op, MVR_PH_SIGNALLED, rc, 0, 0, c, NULL);
  return rc;
}

MVR_EXPORT int pthread_cond_signal(pthread_cond_t *c) {
  if (!pl_watch(c, PRIM_COND, CALLER)) return REAL(cond_signal)(c);
  return signal_call(MVR_OP_COND_SIGNAL, c, REAL(cond_signal));
}

MVR_EXPORT int pthread_cond_broadcast(pthread_cond_t *c) {
  if (!pl_watch(c, PRIM_COND, CALLER)) return REAL(cond_broadcast)(c);
  return signal_call(MVR_OP_COND_BROADCAST, c, REAL(cond_broadcast));
}
