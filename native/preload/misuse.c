/*
 * Misuse of watched primitives, the classes Helgrind finds inside one
 * process, found here across processes from the primitives' own bytes
 * (glibc's fields, read through <pthread.h>'s struct definitions, so the
 * compiler has the offsets):
 *
 *   relock-held-mutex          lock of a non-recursive mutex whose __owner is
 *                              the calling thread (a normal mutex deadlocks on
 *                              itself, an error-checking one says EDEADLK);
 *   unlock-not-owner           unlock while __owner names another thread (of
 *                              this process or another) or nobody;
 *   owner-died-not-consistent  unlock of a robust mutex taken with EOWNERDEAD
 *                              and never given pthread_mutex_consistent
 *                              (__owner still PTHREAD_MUTEX_INCONSISTENT):
 *                              the mutex becomes unusable for every process;
 *   destroy-locked-mutex       destroy while __lock is not 0;
 *   destroy-cond-with-waiters  destroy while __wrefs counts waiters;
 * and, for the CLI to judge across processes, one line per condvar and mutex
 * it was waited with ("condmutex": two mutexes on one condvar is
 * cond-two-mutexes) and per semaphore posted by the thread that took it or
 * by another ("sempost": a semaphore counts as a lock only when its takers
 * post it).
 *
 * __owner is written by glibc's lock paths of every mutex type (normal
 * included) before the lock returns and cleared before it is released, so
 * "__owner is me" is exact; a process-shared mutex names a thread of any
 * process there. Each finding is written once per primitive and process.
 */
#define _GNU_SOURCE
#include "emit.h"
#include "lockset.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>

/* pthread_mutex_t.__owner of a robust mutex taken with EOWNERDEAD, until pthread_mutex_consistent (glibc's PTHREAD_MUTEX_INCONSISTENT). */
#define OWNER_INCONSISTENT INT_MAX
/* The type bits of __kind (glibc's PTHREAD_MUTEX_KIND_MASK_NP). */
#define KIND_MASK 3
/* __wrefs counts waiters from bit 3 up (bits 0-2: shared, clock, wake request). */
#define WREFS_WAITER_SHIFT 3

/* Bits of pl_prim.said. */
enum {
  SAID_RELOCK = 1,
  SAID_NOT_OWNER = 2,
  SAID_INCONSISTENT = 4,
  SAID_DESTROY = 8,
  SAID_POST_HOLDER = 16,
  SAID_POST_OTHER = 32,
  SAID_COND_TWO = 64,
};

/* 1 the first time bit is set on p (p NULL: always, the table being full). */
static int first(struct pl_prim *p, uint32_t bit) {
  return !p || !(__atomic_fetch_or(&p->said, bit, __ATOMIC_RELAXED) & bit);
}

void pl_mu_relock(const struct pl_prim *p, const void *m, void *caller) {
  int kind = ((const pthread_mutex_t *)m)->__data.__kind & KIND_MASK;
  if (kind == PTHREAD_MUTEX_RECURSIVE_NP || !first((struct pl_prim *)p, SAID_RELOCK)) return;
  pl_check_finding("relock-held-mutex", "mutex", m, caller,
                   kind == PTHREAD_MUTEX_ERRORCHECK_NP ? "the thread locks an error-checking mutex it holds (EDEADLK)"
                                                       : "the thread locks a non-recursive mutex it holds: it waits for itself for ever",
                   0);
}

void pl_mu_not_mine(const void *m, int owner, void *caller) {
  struct pl_prim *p = pl_prim_of(m, PRIM_MUTEX, caller);
  if (owner == OWNER_INCONSISTENT) {
    if (first(p, SAID_INCONSISTENT))
      pl_check_finding("owner-died-not-consistent", "mutex", m, caller,
                       "taken with EOWNERDEAD and unlocked without pthread_mutex_consistent: the mutex is now unusable (ENOTRECOVERABLE) for every process", 0);
    return;
  }
  if (!first(p, SAID_NOT_OWNER)) return;
  pl_check_finding("unlock-not-owner", "mutex", m, caller, owner ? "another thread holds it" : "nobody holds it", owner);
}

void pl_mu_mutex_destroy(const void *m, void *caller) {
  if (__atomic_load_n(&((const pthread_mutex_t *)m)->__data.__lock, __ATOMIC_RELAXED) == 0) return;
  if (first(pl_prim_of(m, PRIM_MUTEX, caller), SAID_DESTROY))
    pl_check_finding("destroy-locked-mutex", "mutex", m, caller, "it is locked", pl_mutex_owner(m));
}

void pl_mu_cond_destroy(const void *c, void *caller) {
  unsigned waiters = __atomic_load_n(&((const pthread_cond_t *)c)->__data.__wrefs, __ATOMIC_RELAXED) >> WREFS_WAITER_SHIFT;
  if (!waiters || !first(pl_prim_of(c, PRIM_COND, caller), SAID_DESTROY)) return;
  char detail[96];
  snprintf(detail, sizeof detail, "destroyed while %u thread(s) wait on it (glibc's destroy then waits for them)", waiters);
  pl_check_finding("destroy-cond-with-waiters", "cond", c, caller, detail, 0);
}

static void say_pairing(const char *event, const char *key, uint64_t a, const char *key2, uint64_t b, int holder, void *caller) {
  struct jline j;
  jl_begin(&j, event);
  jl_int(&j, "pid", pl.pid);
  jl_int(&j, "tid", pl_ld_tid());
  jl_id(&j, key, a);
  if (key2) jl_id(&j, key2, b);
  else jl_bool(&j, "holder", holder);
  jl_site(&j, "site", caller);
  jl_emit(&j);
}

void pl_mu_cond_wait(struct pl_prim *cp, const void *c, const struct pl_prim *mp, void *caller) {
  (void)c;
  if (!cp || !mp) return;
  uint64_t was = __atomic_exchange_n(&cp->cond_mutex, mp->id, __ATOMIC_RELAXED);
  /* The first mutex in this process, and the first change of mutex: the CLI compares them across processes. */
  if (was == mp->id || (was && !first(cp, SAID_COND_TWO))) return;
  say_pairing("condmutex", "cond", cp->id, "mutex", mp->id, 0, caller);
}

void pl_mu_sem_post(struct pl_prim *p, int by_holder, void *caller) {
  if (p && first(p, by_holder ? SAID_POST_HOLDER : SAID_POST_OTHER)) say_pairing("sempost", "sem", p->id, NULL, 0, by_holder, caller);
}
