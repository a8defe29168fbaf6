/*
 * libmvar-preload.so: loaded into a program with LD_PRELOAD by `mvar-repro
 * check`, `soak --trace/--check` and `--chaos`. It interposes the pthread
 * mutex, condvar and POSIX semaphore calls (interpose.c) and calls through
 * to glibc. Around each call, for the primitives it watches, it can:
 *
 *   check  (check.c)   — the first time a process uses a primitive that lies
 *                        in a MAP_SHARED mapping while its own bytes say it is
 *                        process-private, write the finding
 *                        `private-primitive-in-shared-memory` (and condvar
 *                        deadlines from the wrong clock) to MVAR_REPRO_CHECK_FILE;
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
 * Only the pthread/semaphore entry points have default visibility (the
 * target, with the few core files it needs, is built with -fvisibility=hidden),
 * so the library's own helpers never interpose on, or are interposed by, the
 * program. Its static TLS is a few dozen bytes: Node, for one, starts threads
 * with 32 KiB stacks, from which glibc carves every preloaded library's TLS.
 */
#ifndef MVR_PRELOAD_H
#define MVR_PRELOAD_H

#include <stdint.h>
#include <time.h>

struct mvr_event;

#define MVR_EXPORT __attribute__((visibility("default")))

enum prim_kind { PRIM_MUTEX, PRIM_COND, PRIM_SEM };

struct preload_state {
  int check_fd;      /* MVAR_REPRO_CHECK_FILE, or -1 */
  int tracing;       /* a trace segment is mapped */
  int trace_all;     /* watch private primitives too */
  int chaos;         /* jitter on */
  int enabled;       /* any of the above: otherwise every call passes straight through */
  int32_t pid;       /* cached: getpid() is a system call */
};
extern struct preload_state pl;

/* mappings.c: 1 if the primitive at addr is watched. The first use of an
 * address classifies it (shared mapping or not) and runs the check. */
int pl_watch_lookup(const void *addr, enum prim_kind kind, void *caller);
/* With nothing enabled a call costs the wrapper and one load, no further call. */
static inline int pl_watch(const void *addr, enum prim_kind kind, void *caller) {
  return __builtin_expect(pl.enabled, 1) && pl_watch_lookup(addr, kind, caller);
}
void pl_mappings_reset(void);
/* The MAP_SHARED mapping holding addr: its path and offset; 0 if none. */
int pl_shared_mapping(const void *addr, char *path, size_t pathlen, unsigned long long *offset);

/* check.c */
void pl_check_open(void);
void pl_check_loaded(int after_fork);
/* The first use of a primitive in the shared mapping `path` (at `offset`): findings if its bytes say private. */
void pl_check_first_use(const void *addr, enum prim_kind kind, void *caller, const char *path, unsigned long long offset);
void pl_check_clock(const void *cond, const struct timespec *abstime, void *caller);
/* The condvar's clock, from its own bytes. */
clockid_t pl_cond_clock(const void *cond);

/* ring.c: one transition of the calling thread; pl_trace_call starts a new call (op id). */
void pl_trace_open(void);
void pl_trace_after_fork(void);
/* The process ends by itself: every thread of it that holds a ring is done. */
void pl_trace_process_exit(void);
void pl_trace_call(void);
void pl_trace(uint16_t op, uint16_t phase, int32_t rc, int32_t err, uint32_t deadline_ms, const void *prim,
              const void *aux);
/* The same in two steps: begin writes the record, stamped now, but leaves it
 * unpublished (a reader skips it, even after SIGKILL); the caller may still
 * change its fields; end publishes it. NULL (and end does nothing) when the
 * thread is not traced. Lets a lock's record be written before the lock is
 * taken and published after, so the critical section pays two stores. */
struct mvr_event *pl_trace_begin(uint16_t op, uint16_t phase, int32_t rc, int32_t err, uint32_t deadline_ms,
                                 const void *prim, const void *aux);
void pl_trace_end(struct mvr_event *e);
/* Milliseconds from now to abstime on clk, 0 if past (the deadline field of a timed call). */
uint32_t pl_deadline_ms(clockid_t clk, const struct timespec *abstime);

/* jitter.c: pl_jitter_open (again in each fork child) reads the settings; a chaos point: `holding` says the caller holds the primitive (sleep longer: others queue behind it). */
void pl_jitter_open(void);
void pl_jitter(int holding);

#endif
