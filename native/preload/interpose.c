/*
 * The interposed entry points (see preload.h for what happens around them).
 * Each passes straight through when nothing is enabled or the primitive is
 * not watched; otherwise it opens a call (one op id), jitters, records the
 * transition into the call, calls glibc, and records how it came out.
 *
 * pthread_cond_* exist in two symbol versions; dlsym(RTLD_NEXT) would hand
 * back the old GLIBC_2.2.5 one, so the current GLIBC_2.3.2 is asked for by
 * name with dlvsym. Our definitions carry no version: ld.so binds a
 * program's versioned references to them. The real functions are resolved
 * in the constructor, or at the first call if another library's constructor
 * locks something before ours has run.
 */
#define _GNU_SOURCE
#include "preload.h"

#include "../layout.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <unistd.h>

struct preload_state pl = {.check_fd = -1};

static struct {
  int (*mutex_init)(pthread_mutex_t *, const pthread_mutexattr_t *);
  int (*mutex_destroy)(pthread_mutex_t *);
  int (*mutex_lock)(pthread_mutex_t *);
  int (*mutex_trylock)(pthread_mutex_t *);
  int (*mutex_timedlock)(pthread_mutex_t *, const struct timespec *);
  int (*mutex_clocklock)(pthread_mutex_t *, clockid_t, const struct timespec *);
  int (*mutex_unlock)(pthread_mutex_t *);
  int (*cond_init)(pthread_cond_t *, const pthread_condattr_t *);
  int (*cond_destroy)(pthread_cond_t *);
  int (*cond_wait)(pthread_cond_t *, pthread_mutex_t *);
  int (*cond_timedwait)(pthread_cond_t *, pthread_mutex_t *, const struct timespec *);
  int (*cond_clockwait)(pthread_cond_t *, pthread_mutex_t *, clockid_t, const struct timespec *);
  int (*cond_signal)(pthread_cond_t *);
  int (*cond_broadcast)(pthread_cond_t *);
  int (*sem_init)(sem_t *, int, unsigned);
  int (*sem_destroy)(sem_t *);
  int (*sem_wait)(sem_t *);
  int (*sem_timedwait)(sem_t *, const struct timespec *);
  int (*sem_clockwait)(sem_t *, clockid_t, const struct timespec *);
  int (*sem_trywait)(sem_t *);
  int (*sem_post)(sem_t *);
  void (*exit_now)(int);
} real;

static void resolve(void) {
  real.mutex_init = dlsym(RTLD_NEXT, "pthread_mutex_init");
  real.mutex_destroy = dlsym(RTLD_NEXT, "pthread_mutex_destroy");
  real.mutex_lock = dlsym(RTLD_NEXT, "pthread_mutex_lock");
  real.mutex_trylock = dlsym(RTLD_NEXT, "pthread_mutex_trylock");
  real.mutex_timedlock = dlsym(RTLD_NEXT, "pthread_mutex_timedlock");
  real.mutex_clocklock = dlsym(RTLD_NEXT, "pthread_mutex_clocklock");
  real.mutex_unlock = dlsym(RTLD_NEXT, "pthread_mutex_unlock");
  real.cond_init = dlvsym(RTLD_NEXT, "pthread_cond_init", "GLIBC_2.3.2");
  real.cond_destroy = dlvsym(RTLD_NEXT, "pthread_cond_destroy", "GLIBC_2.3.2");
  real.cond_wait = dlvsym(RTLD_NEXT, "pthread_cond_wait", "GLIBC_2.3.2");
  real.cond_timedwait = dlvsym(RTLD_NEXT, "pthread_cond_timedwait", "GLIBC_2.3.2");
  real.cond_clockwait = dlsym(RTLD_NEXT, "pthread_cond_clockwait");
  real.cond_signal = dlvsym(RTLD_NEXT, "pthread_cond_signal", "GLIBC_2.3.2");
  real.cond_broadcast = dlvsym(RTLD_NEXT, "pthread_cond_broadcast", "GLIBC_2.3.2");
  real.sem_init = dlsym(RTLD_NEXT, "sem_init");
  real.sem_destroy = dlsym(RTLD_NEXT, "sem_destroy");
  real.sem_wait = dlsym(RTLD_NEXT, "sem_wait");
  real.sem_timedwait = dlsym(RTLD_NEXT, "sem_timedwait");
  real.sem_clockwait = dlsym(RTLD_NEXT, "sem_clockwait");
  real.sem_trywait = dlsym(RTLD_NEXT, "sem_trywait");
  real.sem_post = dlsym(RTLD_NEXT, "sem_post");
  real.exit_now = dlsym(RTLD_NEXT, "_exit");
}

#define REAL(f) (__builtin_expect(real.f != NULL, 1) ? real.f : (resolve(), real.f))

static void after_fork_child(void) {
  pl.pid = getpid();
  pl_mappings_reset();
  pl_trace_after_fork();
  /* Read again: a fork server sets each child's chaos seed before it forks. */
  pl_jitter_open();
  pl.enabled = pl.check_fd >= 0 || pl.tracing || pl.chaos;
  pl_check_loaded(1);
}

__attribute__((constructor)) static void init(void) {
  if (!real.mutex_lock) resolve();
  pl.pid = getpid();
  pl_check_open();
  pl_trace_open();
  pl.trace_all = pl.tracing && getenv("MVAR_REPRO_TRACE_ALL") != NULL;
  pl_jitter_open();
  pl.enabled = pl.check_fd >= 0 || pl.tracing || pl.chaos;
  pthread_atfork(NULL, NULL, after_fork_child);
  pl_check_loaded(0);
}

#define CALLER __builtin_return_address(0)

/* A call that cannot block (init, destroy): one event, after it. */
static void call_done(uint16_t op, const void *prim, int rc, int err, const void *aux) {
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
 * published after it (pl_trace_begin/end): a lock taken at once lengthens
 * the caller's critical section by two stores, not by a record and a clock
 * read. Longer critical sections are what made a traced program contend:
 * 10x the futex calls of the untraced one in the lock-heavy bench.
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
  struct mvr_event *e = pl_trace_begin(op, MVR_PH_LOCKED, 0, 0, 0, m, NULL);
  int rc = REAL(mutex_trylock)(m);
  if (e && rc == EBUSY && op != MVR_OP_MUTEX_TRYLOCK) {
    e->phase = MVR_PH_ENTER;
    e->deadline_ms = *deadline_ms = pl_deadline_ms(clk, abstime);
  } else if (e && rc) {
    e->phase = lock_phase(op, rc);
    e->rc = rc;
  }
  pl_trace_end(e);
  if (rc == 0 || rc == EOWNERDEAD) pl_jitter(1);
  return rc;
}

/* A lock that waited: how it came out. */
static int lock_waited(uint16_t op, pthread_mutex_t *m, int rc, uint32_t deadline_ms) {
  pl_trace(op, lock_phase(op, rc), rc, 0, deadline_ms, m, NULL);
  if (rc == 0 || rc == EOWNERDEAD) pl_jitter(1);
  return rc;
}

MVR_EXPORT int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a) {
  int rc = REAL(mutex_init)(m, a);
  if (pl_watch(m, PRIM_MUTEX, CALLER)) call_done(MVR_OP_MUTEX_INIT, m, rc, 0, NULL);
  return rc;
}

MVR_EXPORT int pthread_mutex_destroy(pthread_mutex_t *m) {
  if (!pl_watch(m, PRIM_MUTEX, CALLER)) return REAL(mutex_destroy)(m);
  int rc = REAL(mutex_destroy)(m);
  call_done(MVR_OP_MUTEX_DESTROY, m, rc, 0, NULL);
  return rc;
}

MVR_EXPORT int pthread_mutex_lock(pthread_mutex_t *m) {
  if (!pl_watch(m, PRIM_MUTEX, CALLER)) return REAL(mutex_lock)(m);
  uint32_t dl;
  int rc = lock_try(MVR_OP_MUTEX_LOCK, m, CLOCK_REALTIME, NULL, &dl);
  return rc == EBUSY ? lock_waited(MVR_OP_MUTEX_LOCK, m, REAL(mutex_lock)(m), dl) : rc;
}

MVR_EXPORT int pthread_mutex_trylock(pthread_mutex_t *m) {
  if (!pl_watch(m, PRIM_MUTEX, CALLER)) return REAL(mutex_trylock)(m);
  uint32_t dl;
  return lock_try(MVR_OP_MUTEX_TRYLOCK, m, CLOCK_REALTIME, NULL, &dl);
}

MVR_EXPORT int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *t) {
  if (!pl_watch(m, PRIM_MUTEX, CALLER)) return REAL(mutex_timedlock)(m, t);
  uint32_t dl;
  int rc = lock_try(MVR_OP_MUTEX_TIMEDLOCK, m, CLOCK_REALTIME, t, &dl);
  return rc == EBUSY ? lock_waited(MVR_OP_MUTEX_TIMEDLOCK, m, REAL(mutex_timedlock)(m, t), dl) : rc;
}

MVR_EXPORT int pthread_mutex_clocklock(pthread_mutex_t *m, clockid_t clk, const struct timespec *t) {
  if (!pl_watch(m, PRIM_MUTEX, CALLER)) return REAL(mutex_clocklock)(m, clk, t);
  uint32_t dl;
  int rc = lock_try(MVR_OP_MUTEX_CLOCKLOCK, m, clk, t, &dl);
  return rc == EBUSY ? lock_waited(MVR_OP_MUTEX_CLOCKLOCK, m, REAL(mutex_clocklock)(m, clk, t), dl) : rc;
}

MVR_EXPORT int pthread_mutex_unlock(pthread_mutex_t *m) {
  if (!pl_watch(m, PRIM_MUTEX, CALLER)) return REAL(mutex_unlock)(m);
  pl_trace_call();
  pl_jitter(1);
  int rc = REAL(mutex_unlock)(m);
  pl_trace(MVR_OP_MUTEX_UNLOCK, MVR_PH_UNLOCKED, rc, 0, 0, m, NULL);
  pl_jitter(0);
  return rc;
}

/* ---- condition variables ---------------------------------------------- */

static void wait_begin(uint16_t op, pthread_cond_t *c, pthread_mutex_t *m, uint32_t deadline_ms) {
  pl_trace_call();
  pl_jitter(1);
  pl_trace(op, MVR_PH_WAIT_BEGIN, 0, 0, deadline_ms, c, m);
}

static int wait_end(uint16_t op, pthread_cond_t *c, pthread_mutex_t *m, int rc, uint32_t deadline_ms) {
  uint16_t ph = rc == 0 ? MVR_PH_WAIT_END
              : rc == ETIMEDOUT ? MVR_PH_WAIT_TIMEOUT
              : rc == EOWNERDEAD ? MVR_PH_OWNER_DIED
              : MVR_PH_ERROR;
  pl_trace(op, ph, rc, 0, deadline_ms, c, m);
  pl_jitter(1); /* the mutex is held again */
  return rc;
}

MVR_EXPORT int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a) {
  int rc = REAL(cond_init)(c, a);
  if (pl_watch(c, PRIM_COND, CALLER)) call_done(MVR_OP_COND_INIT, c, rc, 0, NULL);
  return rc;
}

MVR_EXPORT int pthread_cond_destroy(pthread_cond_t *c) {
  if (!pl_watch(c, PRIM_COND, CALLER)) return REAL(cond_destroy)(c);
  int rc = REAL(cond_destroy)(c);
  call_done(MVR_OP_COND_DESTROY, c, rc, 0, NULL);
  return rc;
}

MVR_EXPORT int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m) {
  if (!pl_watch(c, PRIM_COND, CALLER)) return REAL(cond_wait)(c, m);
  wait_begin(MVR_OP_COND_WAIT, c, m, 0);
  return wait_end(MVR_OP_COND_WAIT, c, m, REAL(cond_wait)(c, m), 0);
}

MVR_EXPORT int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *t) {
  pl_check_clock(c, t, CALLER);
  if (!pl_watch(c, PRIM_COND, CALLER)) return REAL(cond_timedwait)(c, m, t);
  uint32_t dl = pl_deadline_ms(pl_cond_clock(c), t);
  wait_begin(MVR_OP_COND_TIMEDWAIT, c, m, dl);
  return wait_end(MVR_OP_COND_TIMEDWAIT, c, m, REAL(cond_timedwait)(c, m, t), dl);
}

MVR_EXPORT int pthread_cond_clockwait(pthread_cond_t *c, pthread_mutex_t *m, clockid_t clk, const struct timespec *t) {
  if (!pl_watch(c, PRIM_COND, CALLER)) return REAL(cond_clockwait)(c, m, clk, t);
  uint32_t dl = pl_deadline_ms(clk, t);
  wait_begin(MVR_OP_COND_CLOCKWAIT, c, m, dl);
  return wait_end(MVR_OP_COND_CLOCKWAIT, c, m, REAL(cond_clockwait)(c, m, clk, t), dl);
}

static int signal_call(uint16_t op, pthread_cond_t *c, int (*f)(pthread_cond_t *)) {
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

/* ---- semaphores (return -1 and set errno; tracing must not change errno) */

MVR_EXPORT int sem_init(sem_t *s, int pshared, unsigned value) {
  int rc = REAL(sem_init)(s, pshared, value);
  int err = errno;
  if (pl_watch(s, PRIM_SEM, CALLER)) call_done(MVR_OP_SEM_INIT, s, rc, rc ? err : 0, (void *)(uintptr_t)value);
  errno = err;
  return rc;
}

MVR_EXPORT int sem_destroy(sem_t *s) {
  if (!pl_watch(s, PRIM_SEM, CALLER)) return REAL(sem_destroy)(s);
  int rc = REAL(sem_destroy)(s);
  int err = errno;
  call_done(MVR_OP_SEM_DESTROY, s, rc, rc ? err : 0, NULL);
  errno = err;
  return rc;
}

static uint32_t sem_wait_begin(uint16_t op, sem_t *s, clockid_t clk, const struct timespec *abstime) {
  uint32_t dl = pl_deadline_ms(clk, abstime);
  pl_trace_call();
  pl_jitter(0);
  pl_trace(op, MVR_PH_WAIT_BEGIN, 0, 0, dl, s, NULL);
  return dl;
}

static int sem_wait_end(uint16_t op, sem_t *s, int rc, uint32_t deadline_ms) {
  int err = errno;
  uint16_t ph = rc == 0 ? MVR_PH_WAIT_END : err == ETIMEDOUT ? MVR_PH_WAIT_TIMEOUT : MVR_PH_ERROR;
  pl_trace(op, ph, rc, rc ? err : 0, deadline_ms, s, NULL);
  errno = err;
  return rc;
}

MVR_EXPORT int sem_wait(sem_t *s) {
  if (!pl_watch(s, PRIM_SEM, CALLER)) return REAL(sem_wait)(s);
  uint32_t dl = sem_wait_begin(MVR_OP_SEM_WAIT, s, CLOCK_REALTIME, NULL);
  return sem_wait_end(MVR_OP_SEM_WAIT, s, REAL(sem_wait)(s), dl);
}

MVR_EXPORT int sem_timedwait(sem_t *s, const struct timespec *t) {
  if (!pl_watch(s, PRIM_SEM, CALLER)) return REAL(sem_timedwait)(s, t);
  uint32_t dl = sem_wait_begin(MVR_OP_SEM_TIMEDWAIT, s, CLOCK_REALTIME, t);
  return sem_wait_end(MVR_OP_SEM_TIMEDWAIT, s, REAL(sem_timedwait)(s, t), dl);
}

MVR_EXPORT int sem_clockwait(sem_t *s, clockid_t clk, const struct timespec *t) {
  if (!pl_watch(s, PRIM_SEM, CALLER)) return REAL(sem_clockwait)(s, clk, t);
  uint32_t dl = sem_wait_begin(MVR_OP_SEM_CLOCKWAIT, s, clk, t);
  return sem_wait_end(MVR_OP_SEM_CLOCKWAIT, s, REAL(sem_clockwait)(s, clk, t), dl);
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

MVR_EXPORT int sem_trywait(sem_t *s) {
  if (!pl_watch(s, PRIM_SEM, CALLER)) return REAL(sem_trywait)(s);
  return sem_once(MVR_OP_SEM_TRYWAIT, MVR_PH_DONE, s, REAL(sem_trywait));
}

MVR_EXPORT int sem_post(sem_t *s) {
  if (!pl_watch(s, PRIM_SEM, CALLER)) return REAL(sem_post)(s);
  return sem_once(MVR_OP_SEM_POST, MVR_PH_SIGNALLED, s, REAL(sem_post));
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
