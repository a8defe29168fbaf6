/*
 * The interposed entry points (see preload.h for what happens around them).
 * Each passes straight through when nothing is enabled. With the check on,
 * a lock call asks misuse.c first (a re-lock of a mutex the thread holds),
 * gives lockdep.c its edges before it may wait and puts the lock in the
 * thread's held set (taken out again if it was not taken); an unlock asks
 * misuse.c (a non-owner) and takes it out of the set once released. A watched primitive is also traced and jittered when
 * those are on: the call opens an op id, jitters, records the transition,
 * calls glibc, and records how it came out.
 *
 * pthread_cond_* exist in two symbol versions; dlsym(RTLD_NEXT) would hand
 * back the old GLIBC_2.2.5 one, so the current GLIBC_2.3.2 is asked for by
 * name with dlvsym. Our definitions carry no version: ld.so binds a
 * program's versioned references to them. The real functions are resolved
 * in the constructor, or at the first call if another library's constructor
 * locks something before ours has run.
 */
#define _GNU_SOURCE
#include "lockset.h"
#include "ring.h"

#include "../layout.h"
#include "real.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <unistd.h>

struct preload_state pl = {.check_fd = -1};
struct pl_real pl_real;

/* pthread_cond_* exist in two symbol versions: the current one by name (see above). */
void pl_resolve(void) {
  pl_real.mutex_init = dlsym(RTLD_NEXT, "pthread_mutex_init");
  pl_real.mutex_destroy = dlsym(RTLD_NEXT, "pthread_mutex_destroy");
  pl_real.mutex_lock = dlsym(RTLD_NEXT, "pthread_mutex_lock");
  pl_real.mutex_trylock = dlsym(RTLD_NEXT, "pthread_mutex_trylock");
  pl_real.mutex_timedlock = dlsym(RTLD_NEXT, "pthread_mutex_timedlock");
  pl_real.mutex_clocklock = dlsym(RTLD_NEXT, "pthread_mutex_clocklock");
  pl_real.mutex_unlock = dlsym(RTLD_NEXT, "pthread_mutex_unlock");
  pl_real.cond_init = dlvsym(RTLD_NEXT, "pthread_cond_init", "GLIBC_2.3.2");
  pl_real.cond_destroy = dlvsym(RTLD_NEXT, "pthread_cond_destroy", "GLIBC_2.3.2");
  pl_real.cond_wait = dlvsym(RTLD_NEXT, "pthread_cond_wait", "GLIBC_2.3.2");
  pl_real.cond_timedwait = dlvsym(RTLD_NEXT, "pthread_cond_timedwait", "GLIBC_2.3.2");
  pl_real.cond_clockwait = dlsym(RTLD_NEXT, "pthread_cond_clockwait");
  pl_real.cond_signal = dlvsym(RTLD_NEXT, "pthread_cond_signal", "GLIBC_2.3.2");
  pl_real.cond_broadcast = dlvsym(RTLD_NEXT, "pthread_cond_broadcast", "GLIBC_2.3.2");
  pl_real.sem_init = dlsym(RTLD_NEXT, "sem_init");
  pl_real.sem_destroy = dlsym(RTLD_NEXT, "sem_destroy");
  pl_real.sem_wait = dlsym(RTLD_NEXT, "sem_wait");
  pl_real.sem_timedwait = dlsym(RTLD_NEXT, "sem_timedwait");
  pl_real.sem_clockwait = dlsym(RTLD_NEXT, "sem_clockwait");
  pl_real.sem_trywait = dlsym(RTLD_NEXT, "sem_trywait");
  pl_real.sem_post = dlsym(RTLD_NEXT, "sem_post");
  pl_real.exit_now = dlsym(RTLD_NEXT, "_exit");
}

static void after_fork_child(void) {
  pl.pid = getpid();
  pl_mappings_reset();
  pl_ld_after_fork();
  pl_filelock_after_fork();
  pl_trace_after_fork();
  /* Read again: a fork server sets each child's chaos seed before it forks. */
  pl_jitter_open();
  pl.enabled = pl.check_fd >= 0 || pl.tracing || pl.chaos;
  pl_check_loaded(1);
}

__attribute__((constructor)) static void init(void) {
  if (!pl_real.mutex_lock) pl_resolve();
  pl.pid = getpid();
  pl_check_open();
  pl_trace_open();
  pl.trace_all = pl.tracing && getenv("MVAR_REPRO_TRACE_ALL") != NULL;
  pl_jitter_open();
  pl.enabled = pl.check_fd >= 0 || pl.tracing || pl.chaos;
  pthread_atfork(NULL, NULL, after_fork_child);
  pl_check_loaded(0);
}

void pl_call_done(uint16_t op, const void *prim, int rc, int err, const void *aux) {
  pl_trace_call();
  pl_trace(op, MVR_PH_DONE, rc, err, 0, prim, aux);
}

/* ---- mutexes ---------------------------------------------------------- */

/*
 * A lock that is free is taken by a trylock and recorded as one event
 * (locked); only a lock that has to wait records its enter first, which is
 * the event that shows a thread stuck in it. trylock returns what the lock
 * would for a free, a dead-owner (EOWNERDEAD) or an own error-checking mutex
 * (EBUSY there; the lock that follows then says EDEADLK).
 *
 * The first attempt's record is written, stamped, before the trylock and
 * published after it (pl_trace_begin_at/end): a lock taken at once lengthens
 * the caller's critical section by two stores, not by a record and a clock
 * read. Longer critical sections are what made a traced program contend:
 * 10x the futex calls of the untraced one in the lock-heavy bench. Its
 * unlock, with nothing traced in between, only completes that record
 * (ring.h): one record for the pair.
 */
static uint16_t lock_phase(uint16_t op, int rc) {
  return rc == 0 ? MVR_PH_LOCKED
       : rc == EOWNERDEAD ? MVR_PH_OWNER_DIED
       : rc == ETIMEDOUT ? MVR_PH_LOCK_TIMEOUT
       : rc == EBUSY && op == MVR_OP_MUTEX_TRYLOCK ? MVR_PH_DONE
       : MVR_PH_ERROR;
}

/* The first attempt. EBUSY from a lock (not a trylock): it must wait; its
 * enter is recorded with the deadline, in ms from now, in *deadline_ms. */
static int lock_try(uint16_t op, pthread_mutex_t *m, clockid_t clk, const struct timespec *abstime, uint32_t *deadline_ms) {
  pl_trace_call();
  pl_jitter(0);
  *deadline_ms = 0;
  struct mvr_event *e = pl_trace_begin_at(0, op, MVR_PH_LOCKED, 0, 0, 0, m, NULL);
  int rc = REAL(mutex_trylock)(m);
  if (e && rc == EBUSY && op != MVR_OP_MUTEX_TRYLOCK) {
    /* It must wait: its enter is what shows a thread stuck in it, stamped exactly. */
    e->t_ns = pl_stamp_exact();
    e->phase = MVR_PH_ENTER;
    e->deadline_ms = *deadline_ms = pl_deadline_ms(clk, abstime);
  } else if (e && rc) {
    e->phase = lock_phase(op, rc);
    e->rc = rc;
  }
  pl_trace_end(e);
  if (e && rc == 0) pl_trace_holding(e);
  if (rc == 0 || rc == EOWNERDEAD) pl_jitter(1);
  return rc;
}

/* A lock that waited: how it came out, stamped exactly. */
static int lock_waited(uint16_t op, pthread_mutex_t *m, int rc, uint32_t deadline_ms) {
  struct mvr_event *e = pl_trace_begin_at(1, op, lock_phase(op, rc), rc, 0, deadline_ms, m, NULL);
  pl_trace_end(e);
  if (e && rc == 0) pl_trace_holding(e);
  if (rc == 0 || rc == EOWNERDEAD) pl_jitter(1);
  return rc;
}

MVR_EXPORT int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a) {
  int rc = REAL(mutex_init)(m, a);
  if (pl_watch(m, PRIM_MUTEX, CALLER) && pl.tracing) pl_call_done(MVR_OP_MUTEX_INIT, m, rc, 0, NULL);
  return rc;
}

MVR_EXPORT int pthread_mutex_destroy(pthread_mutex_t *m) {
  if (!pl_watch(m, PRIM_MUTEX, CALLER)) return REAL(mutex_destroy)(m);
  if (pl.checking) pl_mu_mutex_destroy(m, CALLER);
  int rc = REAL(mutex_destroy)(m);
  pl_call_done(MVR_OP_MUTEX_DESTROY, m, rc, 0, NULL);
  return rc;
}

/* glibc's lock call for op. */
static inline int real_lock(uint16_t op, pthread_mutex_t *m, clockid_t clk, const struct timespec *t) {
  switch (op) {
  case MVR_OP_MUTEX_TRYLOCK: return REAL(mutex_trylock)(m);
  case MVR_OP_MUTEX_TIMEDLOCK: return REAL(mutex_timedlock)(m, t);
  case MVR_OP_MUTEX_CLOCKLOCK: return REAL(mutex_clocklock)(m, clk, t);
  default: return REAL(mutex_lock)(m);
  }
}

/*
 * Every mutex lock call: the check around it; traced and jittered when
 * watched and those are on. The check's work stays out of the caller's
 * critical section: the lock joins the held set before it is tried (and
 * leaves again if it was not taken), and leaves the set after its unlock;
 * inside, an unlock adds one load and compare (__owner is still the
 * holder's only then).
 */
static inline __attribute__((always_inline)) int mutex_lock_call(uint16_t op, pthread_mutex_t *m, clockid_t clk, const struct timespec *t, void *site) {
  struct pl_prim *p = pl_prim_of(m, PRIM_MUTEX, site);
  int watched = pl_watched(p);
  int checked = pl.checking && p;
  int held = -1; /* its entry in the held set, while it is tried */
  if (checked) {
    unsigned how = (watched ? LK_NODE : 0) | (op != MVR_OP_MUTEX_TRYLOCK ? LK_BLOCKS : 0) | (t ? LK_TIMED : 0);
    if (watched && __builtin_expect(pl_mutex_owner(m) == pl_ld_tid(), 0)) pl_mu_relock(p, m, site);
    pl_ld_before(p->id, how, site);
    held = pl_ld_acquired(p->id, m, 0, how, site);
  }
  int rc;
  if (watched && (pl.tracing || pl.chaos)) {
    uint32_t dl;
    rc = lock_try(op, m, clk, t, &dl);
    if (rc == EBUSY && op != MVR_OP_MUTEX_TRYLOCK) rc = lock_waited(op, m, real_lock(op, m, clk, t), dl);
  } else
    rc = real_lock(op, m, clk, t);
  if (checked && __builtin_expect(rc != 0 && rc != EOWNERDEAD, 0)) pl_ld_untaken(held, m);
  return rc;
}

MVR_EXPORT int pthread_mutex_lock(pthread_mutex_t *m) {
  if (!pl.enabled) return REAL(mutex_lock)(m);
  return mutex_lock_call(MVR_OP_MUTEX_LOCK, m, CLOCK_REALTIME, NULL, CALLER);
}

MVR_EXPORT int pthread_mutex_trylock(pthread_mutex_t *m) {
  if (!pl.enabled) return REAL(mutex_trylock)(m);
  return mutex_lock_call(MVR_OP_MUTEX_TRYLOCK, m, CLOCK_REALTIME, NULL, CALLER);
}

MVR_EXPORT int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *t) {
  if (!pl.enabled) return REAL(mutex_timedlock)(m, t);
  return mutex_lock_call(MVR_OP_MUTEX_TIMEDLOCK, m, CLOCK_REALTIME, t, CALLER);
}

MVR_EXPORT int pthread_mutex_clocklock(pthread_mutex_t *m, clockid_t clk, const struct timespec *t) {
  if (!pl.enabled) return REAL(mutex_clocklock)(m, clk, t);
  return mutex_lock_call(MVR_OP_MUTEX_CLOCKLOCK, m, clk, t, CALLER);
}

MVR_EXPORT int pthread_mutex_unlock(pthread_mutex_t *m) {
  if (!pl.enabled) return REAL(mutex_unlock)(m);
  /* The held set knows a mutex the thread took: no table lookup on the way out. */
  int held = pl.checking ? pl_ld_find(m) : -1;
  int watched = held >= 0 ? (pl_ld_flags(held) & LK_NODE) != 0 : pl_watch(m, PRIM_MUTEX, CALLER);
  if (pl.checking && watched) {
    int owner = pl_mutex_owner(m);
    /* An owner of 0 for a lock this thread took here: a mutex that does not
     * record its owner (glibc's lock elision), not a misuse. */
    if (__builtin_expect(owner != pl_ld_tid(), 0) && (owner || held < 0)) pl_mu_not_mine(m, owner, CALLER);
  }
  int rc;
  if (!watched || !(pl.tracing || pl.chaos))
    rc = REAL(mutex_unlock)(m);
  else {
    pl_jitter(1);
    rc = REAL(mutex_unlock)(m);
    pl_trace_unlocked(m, rc);
    pl_jitter(0);
  }
  pl_ld_drop(held);
  return rc;
}

/* ---- _exit: skips the destructors, so the trace would take the process's
 * threads for killed (Python's os._exit, every forked child that must not
 * flush its parent's stdio). glibc's exit() reaches its _exit internally,
 * not through here; _Exit is the same function under another name. */

MVR_EXPORT __attribute__((noreturn)) void _exit(int status) {
  pl_trace_process_exit();
  REAL(exit_now)(status);
  __builtin_unreachable();
}

MVR_EXPORT __attribute__((noreturn)) void _Exit(int status) { _exit(status); }
