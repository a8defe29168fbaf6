/*
 * Read-write locks, for the check only (nothing is traced or jittered
 * here): each rwlock call joins lockdep.c's held set and its edges like a
 * mutex, held for reading (LK_READ: two readers never wait for each other,
 * so read against read closes no cycle) or for writing. Misuse, from
 * glibc's own __cur_writer (the writer's tid, of any process):
 *   relock-held-mutex   a thread takes a rwlock it holds for writing (glibc
 *                       says EDEADLK), or for writing one it holds for
 *                       reading (it waits for itself for ever);
 *   unlock-not-owner    a thread unlocks a rwlock it holds in neither mode
 *                       while another thread holds it for writing.
 * The first use of one in shared memory checks its __shared (check.c).
 */
#define _GNU_SOURCE
#include "lockset.h"

#include <dlfcn.h>
#include <errno.h>

static struct {
  int (*rdlock)(pthread_rwlock_t *);
  int (*tryrdlock)(pthread_rwlock_t *);
  int (*timedrdlock)(pthread_rwlock_t *, const struct timespec *);
  int (*clockrdlock)(pthread_rwlock_t *, clockid_t, const struct timespec *);
  int (*wrlock)(pthread_rwlock_t *);
  int (*trywrlock)(pthread_rwlock_t *);
  int (*timedwrlock)(pthread_rwlock_t *, const struct timespec *);
  int (*clockwrlock)(pthread_rwlock_t *, clockid_t, const struct timespec *);
  int (*unlock)(pthread_rwlock_t *);
} real;

static void resolve(void) {
  real.rdlock = dlsym(RTLD_NEXT, "pthread_rwlock_rdlock");
  real.tryrdlock = dlsym(RTLD_NEXT, "pthread_rwlock_tryrdlock");
  real.timedrdlock = dlsym(RTLD_NEXT, "pthread_rwlock_timedrdlock");
  real.clockrdlock = dlsym(RTLD_NEXT, "pthread_rwlock_clockrdlock");
  real.wrlock = dlsym(RTLD_NEXT, "pthread_rwlock_wrlock");
  real.trywrlock = dlsym(RTLD_NEXT, "pthread_rwlock_trywrlock");
  real.timedwrlock = dlsym(RTLD_NEXT, "pthread_rwlock_timedwrlock");
  real.clockwrlock = dlsym(RTLD_NEXT, "pthread_rwlock_clockwrlock");
  real.unlock = dlsym(RTLD_NEXT, "pthread_rwlock_unlock");
}

#define REAL(f) (__builtin_expect(real.f != NULL, 1) ? real.f : (resolve(), real.f))
#define CALLER __builtin_return_address(0)

/* Bits of pl_prim.said beyond misuse.c's. */
enum { SAID_RW_RELOCK = 1u << 8, SAID_RW_NOT_OWNER = 1u << 9 };

static int first(struct pl_prim *p, uint32_t bit) { return !p || !(__atomic_fetch_or(&p->said, bit, __ATOMIC_RELAXED) & bit); }

static int writer_of(const pthread_rwlock_t *rw) { return __atomic_load_n(&rw->__data.__cur_writer, __ATOMIC_RELAXED); }

/* Before a lock: the thread already holding it so that this call waits for itself. */
static void relock(struct pl_prim *p, pthread_rwlock_t *rw, int write, void *site) {
  int held = pl_ld_find(rw);
  int mine_w = writer_of(rw) == pl_ld_tid();
  if (!mine_w && !(write && held >= 0)) return;
  if (first(p, SAID_RW_RELOCK))
    pl_check_finding("relock-held-mutex", "rwlock", rw, site,
                     mine_w ? "the thread takes a rwlock it holds for writing (EDEADLK)"
                            : "the thread takes for writing a rwlock it holds for reading: it waits for itself for ever",
                     0);
}

/* Every rwlock lock call: held for reading or writing, with its edges before it may wait. */
static int lock_call(int write, int blocks, int timed, pthread_rwlock_t *rw, int (*call)(pthread_rwlock_t *, clockid_t, const struct timespec *),
                     clockid_t clk, const struct timespec *t, void *site) {
  struct pl_prim *p = pl_prim_of(rw, PRIM_RWLOCK, site);
  int watched = pl_watched(p);
  unsigned how = (watched ? LK_NODE : 0) | (blocks ? LK_BLOCKS : 0) | (timed ? LK_TIMED : 0) | (write ? 0 : LK_READ);
  int held = -1; /* its entry in the held set, while it is tried */
  if (p) {
    if (watched && blocks) relock(p, rw, write, site);
    pl_ld_before(p->id, how, site);
    held = pl_ld_acquired(p->id, rw, 0, how, site);
  }
  int rc = call(rw, clk, t);
  if (p && rc != 0) pl_ld_untaken(held, rw);
  return rc;
}

/*
 * The four lock calls of one mode (rd or wr): plain, try, timed and clock,
 * each glibc's call put in one shape for lock_call, then exported.
 */
#define RWLOCK_CALLS(mode, write)                                                                                          \
  static int c_##mode(pthread_rwlock_t *rw, clockid_t c, const struct timespec *t) { return REAL(mode##lock)(rw); }      \
  static int c_try##mode(pthread_rwlock_t *rw, clockid_t c, const struct timespec *t) { return REAL(try##mode##lock)(rw); } \
  static int c_timed##mode(pthread_rwlock_t *rw, clockid_t c, const struct timespec *t) {                                 \
    return REAL(timed##mode##lock)(rw, t);                                                                                \
  }                                                                                                                       \
  static int c_clock##mode(pthread_rwlock_t *rw, clockid_t c, const struct timespec *t) {                                 \
    return REAL(clock##mode##lock)(rw, c, t);                                                                             \
  }                                                                                                                       \
  MVR_EXPORT int pthread_rwlock_##mode##lock(pthread_rwlock_t *rw) {                                                      \
    if (!pl.checking) return REAL(mode##lock)(rw);                                                                        \
    return lock_call(write, 1, 0, rw, c_##mode, CLOCK_REALTIME, NULL, CALLER);                                            \
  }                                                                                                                       \
  MVR_EXPORT int pthread_rwlock_try##mode##lock(pthread_rwlock_t *rw) {                                                   \
    if (!pl.checking) return REAL(try##mode##lock)(rw);                                                                   \
    return lock_call(write, 0, 0, rw, c_try##mode, CLOCK_REALTIME, NULL, CALLER);                                         \
  }                                                                                                                       \
  MVR_EXPORT int pthread_rwlock_timed##mode##lock(pthread_rwlock_t *rw, const struct timespec *t) {                       \
    if (!pl.checking) return REAL(timed##mode##lock)(rw, t);                                                              \
    return lock_call(write, 1, 1, rw, c_timed##mode, CLOCK_REALTIME, t, CALLER);                                          \
  }                                                                                                                       \
  MVR_EXPORT int pthread_rwlock_clock##mode##lock(pthread_rwlock_t *rw, clockid_t clk, const struct timespec *t) {        \
    if (!pl.checking) return REAL(clock##mode##lock)(rw, clk, t);                                                         \
    return lock_call(write, 1, 1, rw, c_clock##mode, clk, t, CALLER);                                                     \
  }

RWLOCK_CALLS(rd, 0)
RWLOCK_CALLS(wr, 1)

MVR_EXPORT int pthread_rwlock_unlock(pthread_rwlock_t *rw) {
  if (!pl.checking) return REAL(unlock)(rw);
  int held = pl_ld_find(rw);
  int writer = writer_of(rw);
  if (held < 0 && writer && writer != pl_ld_tid()) {
    struct pl_prim *p = pl_prim_of(rw, PRIM_RWLOCK, CALLER);
    if (pl_watched(p) && first(p, SAID_RW_NOT_OWNER)) pl_check_finding("unlock-not-owner", "rwlock", rw, CALLER, "another thread holds it for writing", writer);
  }
  int rc = REAL(unlock)(rw);
  pl_ld_drop(held);
  return rc;
}
