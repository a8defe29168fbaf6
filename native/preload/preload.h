/*
 * libmvar-preload.so: loaded into a program with LD_PRELOAD by `mvar-repro
 * check`, `soak --trace/--check` and `--chaos`. It interposes the pthread
 * mutex, condvar and POSIX semaphore calls (interpose.c), and for the check
 * rwlocks (rwlock.c) and file locks (filelock.c), and calls through to glibc. Around each call, for the
 * primitives it watches, it can:
 *
 *   check  (check.c)   — the first time a process uses a primitive that lies
 *                        in a MAP_SHARED mapping while its own bytes say it is
 *                        process-private, write the finding
 *                        `private-primitive-in-shared-memory` (and condvar
 *                        deadlines from the wrong clock) to MVAR_REPRO_CHECK_FILE;
 *          (lockdep.c) — record the order in which each thread takes locks
 *                        (which lock it acquires while holding which), for the
 *                        lock-order graph the CLI builds across processes;
 *          (misuse.c)  — find the misuses Helgrind finds, across processes:
 *                        unlock by a non-owner, destroying a held mutex or a
 *                        waited-on condvar, a condvar used with two mutexes,
 *                        EOWNERDEAD never made consistent, re-locking a
 *                        non-recursive mutex the thread holds;
 *   trace  (ring.c)    — write every transition as an mvr_event into a ring
 *                        of its own per thread, in the segment named by
 *                        MVAR_REPRO_TRACE (the same records the MVar writes);
 *   jitter (jitter.c)  — with MVAR_REPRO_CHAOS=SEED:INTENSITY, yield or sleep
 *                        briefly around lock, unlock, signal and wait.
 *
 * Watched: primitives in shared mappings (mappings.c), where interprocess
 * hangs live and a runtime's own locks do not; MVAR_REPRO_TRACE_ALL=1
 * watches every primitive. Children that fork inherit the state (reset in
 * the child); children that exec inherit LD_PRELOAD and the environment.
 *
 * Only the interposed entry points have default visibility (the target,
 * with the few core files it needs, is built with -fvisibility=hidden), so
 * the library's own helpers never interpose on, or are interposed by, the
 * program. Its static TLS is a few dozen bytes (a thread's lock set is a
 * page mapped at its first lock): Node, for one, starts threads with 32 KiB
 * stacks, from which glibc carves every preloaded library's TLS.
 */
#ifndef MVR_PRELOAD_H
#define MVR_PRELOAD_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

struct mvr_event;

#define MVR_EXPORT __attribute__((visibility("default")))

enum prim_kind { PRIM_MUTEX, PRIM_COND, PRIM_SEM, PRIM_RWLOCK };

struct preload_state {
  int check_fd;      /* MVAR_REPRO_CHECK_FILE, or -1 */
  int checking;      /* the check is on: lock order and misuse are recorded */
  int tracing;       /* a trace segment is mapped */
  int trace_all;     /* watch private primitives too */
  int chaos;         /* jitter on */
  int enabled;       /* any of the above: otherwise every call passes straight through */
  int32_t pid;       /* cached: getpid() is a system call */
};
extern struct preload_state pl;

/* ---- mappings.c: what a primitive is, by address, decided at its first use */

#define PL_PRIM_SHARED 2u /* in a MAP_SHARED mapping (a flag of pl_prim.key) */

struct pl_prim {
  uintptr_t key;       /* address | flags */
  uint64_t id;         /* lock id: the same lock in every process, wherever it is mapped */
  uint64_t cond_mutex; /* a condvar: the id of the mutex of its last wait (misuse.c) */
  uint32_t said;       /* one-time lines already written about it (misuse.c) */
  uint32_t pad;
};

/* The primitive this thread looked up last: a loop on one mutex skips the hash. */
struct pl_last_prim {
  uintptr_t addr;
  struct pl_prim *prim;
};
extern __thread struct pl_last_prim pl_last __attribute__((tls_model("initial-exec"), visibility("hidden")));
/* The table's lookup (and, at an address's first use, its classification). */
struct pl_prim *pl_prim_lookup(const void *addr, enum prim_kind kind, void *caller);

/* The entry of the primitive at addr; its first use classifies it (and runs
 * the check's first-use findings). NULL when the table is full around it. */
static inline struct pl_prim *pl_prim_of(const void *addr, enum prim_kind kind, void *caller) {
  if (__builtin_expect(pl_last.addr == (uintptr_t)addr, 1) && pl_last.prim) return pl_last.prim;
  return pl_prim_lookup(addr, kind, caller);
}
static inline int pl_watched(const struct pl_prim *p) {
  return pl.trace_all || (p && (__atomic_load_n(&p->key, __ATOMIC_RELAXED) & PL_PRIM_SHARED));
}
/* With nothing enabled a call costs the wrapper and one load, no further call. */
static inline int pl_watch(const void *addr, enum prim_kind kind, void *caller) {
  return __builtin_expect(pl.enabled, 1) && pl_watched(pl_prim_of(addr, kind, caller));
}
void pl_mappings_reset(void);

struct pl_mapping {
  int found, shared;
  uint64_t dev, ino, offset; /* the object (device, inode) and the offset of the address in it */
  char path[512];            /* as /proc/self/maps names it, e.g. "/dev/zero (deleted)" */
};
/* The mapping holding addr; returns 1 if it is MAP_SHARED. */
int pl_mapping_of(const void *addr, struct pl_mapping *m);

/* Lock ids live in separate spaces: a mutex at offset 0 of a file and an fcntl lock on its byte 0 are two locks. */
enum { PL_ID_MEMORY = 1, PL_ID_FCNTL = 2, PL_ID_FLOCK = 3 };
uint64_t pl_lock_id(uint64_t dev, uint64_t ino, uint64_t offset, unsigned space);

/* ---- check.c */
void pl_check_open(void);
void pl_check_loaded(int after_fork);
/* The first use of a primitive in the shared mapping m: findings if its bytes say private. */
void pl_check_first_use(const void *addr, enum prim_kind kind, void *caller, const struct pl_mapping *m);
void pl_check_clock(const void *cond, const struct timespec *abstime, void *caller);
/* The condvar's clock, from its own bytes. */
clockid_t pl_cond_clock(const void *cond);
/* One misuse finding about the primitive at addr, with detail and the other fields misuse.c gives. */
void pl_check_finding(const char *kind, const char *primitive, const void *addr, void *caller, const char *detail, int32_t owner);

/* ---- lockdep.c: each thread's held locks, and the lock-order edges they make */

/* How a lock is taken or held (flags of a held entry and of each edge end). */
enum {
  LK_NODE = 1u,       /* watched: an end of lock-order edges (else held only as a possible gate) */
  LK_BLOCKS = 2u,     /* the call can wait for the lock (not a try) */
  LK_TIMED = 4u,      /* ... but gives up at a deadline */
  LK_READ = 8u,       /* held shared: a read lock, F_RDLCK, LOCK_SH */
  LK_SEM = 16u,       /* a semaphore taken as a lock (counted as one only if its taker posts it) */
  LK_FILE = 32u,      /* a file lock (fcntl, lockf, flock) */
  LK_PROCESS = 64u,   /* owned by the process, not the thread (fcntl F_SETLK): no conflict between its own threads */
};
/* A condvar wait returned with its mutex: re-taken while holding every lock taken after it. */
void pl_ld_retaken(int index, void *site);
/* File locks of `file` in [start, end) are released (end 0: to the end of the file). */
void pl_ld_drop_file(const void *file, uint64_t start, uint64_t end);
/* File locks held by this thread, to know when close() must look. */
int pl_ld_files_held(void);
void pl_ld_after_fork(void);
/* The hot part (before, acquired, find, drop, tid) is inline in lockset.h. */

/* ---- filelock.c */
void pl_filelock_after_fork(void);

/* ---- misuse.c: Helgrind's classes of misuse, on watched primitives */
/* The caller saw __owner name itself (a lock) or someone else (an unlock): the rare, slow part. */
void pl_mu_relock(const struct pl_prim *p, const void *m, void *caller);
void pl_mu_not_mine(const void *m, int owner, void *caller);
/* pthread_mutex_t.__owner: the tid of the thread that holds it (any process), 0 for none. */
static inline int pl_mutex_owner(const void *m) {
  return __atomic_load_n(&((const pthread_mutex_t *)m)->__data.__owner, __ATOMIC_RELAXED);
}
void pl_mu_mutex_destroy(const void *m, void *caller);
void pl_mu_cond_destroy(const void *c, void *caller);
void pl_mu_cond_wait(struct pl_prim *cp, const void *c, const struct pl_prim *mp, void *caller);
void pl_mu_sem_post(struct pl_prim *p, int by_holder, void *caller);

/* ---- ring.c: each traced thread's ring; the hot part (a record, a call, the
 * pair of a lock and its unlock) is inline in ring.h. */
void pl_trace_open(void);
void pl_trace_after_fork(void);
/* The process ends by itself: every thread of it that holds a ring is done. */
void pl_trace_process_exit(void);
/* Milliseconds from now to abstime on clk, 0 if past (the deadline field of a timed call). */
uint32_t pl_deadline_ms(clockid_t clk, const struct timespec *abstime);

/* ---- jitter.c: pl_jitter_open (again in each fork child) reads the settings; a chaos point: `holding` says the caller holds the primitive (sleep longer: others queue behind it). */
void pl_jitter_open(void);
void pl_jitter_act(int holding);
static inline void pl_jitter(int holding) {
  if (__builtin_expect(pl.chaos, 0)) pl_jitter_act(holding);
}

#endif
