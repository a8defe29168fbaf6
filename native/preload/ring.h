/*
 * A traced thread's ring (ring.c), the part every traced call touches,
 * inline: one TLS struct (initial-exec), a record begun in place and
 * published with the seqlock protocol of trace.h.
 *
 * One record for a lock taken and released with nothing traced between:
 * the lock's `locked` record is published when it is taken (a reader sees
 * the thread holding the mutex, even after a SIGKILL), and its unlock only
 * writes the unlock's time into that record's `aux` (one aligned 8-byte
 * store; 0 means "not released"), instead of a record of its own. The
 * reader gives that unlock back as its own event (src/core/preload/
 * session.ts), so every consumer sees the same events as before.
 */
#ifndef MVR_PRELOAD_RING_H
#define MVR_PRELOAD_RING_H

#include "preload.h"
#include "stamp.h"

#include "../trace.h"

struct thread_ring {
  struct mvr_ring *ring;
  struct mvr_slot *slot;
  uint64_t head;
  uint32_t mask;
  uint32_t op_id;
  int32_t tid;
  int state; /* 0 not yet claimed, 1 claimed, -1 untraced */
  /* The last record, when it is a lock's `locked` that its unlock may complete. */
  struct mvr_event *held;
};

extern __thread struct thread_ring pl_tr __attribute__((tls_model("initial-exec"), visibility("hidden")));
int pl_trace_claim(void);

static inline int pl_trace_ready(void) {
  return __builtin_expect(pl_tr.state > 0, 1) || (pl_tr.state == 0 && pl_trace_claim());
}

/* A new call: its own op id. */
static inline void pl_trace_call(void) { pl_tr.op_id++; }

/* Begin a record, unpublished (see preload.h), stamped cheap or exact (stamp.h) once the thread is known
 * to be traced: an untraced call reads no clock. NULL when the thread is not traced. */
static inline struct mvr_event *pl_trace_begin_at(int exact, uint16_t op, uint16_t phase, int32_t rc, int32_t err, uint32_t deadline_ms,
                                                  const void *prim, const void *aux) {
  if (!pl_trace_ready()) return NULL;
  uint64_t t = exact ? pl_stamp_exact() : pl_stamp_cheap();
  pl_tr.held = NULL;
  struct mvr_event *e = mvr_event_begin(pl_tr.ring, pl_tr.mask, pl_tr.head);
  e->t_ns = t;
  e->pid = pl.pid;
  e->tid = pl_tr.tid;
  e->op_id = pl_tr.op_id;
  e->op = op;
  e->phase = phase;
  e->rc = rc;
  e->err = err;
  e->deadline_ms = deadline_ms;
  e->is_full = 0;
  e->value = (uint64_t)(uintptr_t)prim;
  e->aux = (uint64_t)(uintptr_t)aux;
  return e;
}

static inline void pl_trace_end(struct mvr_event *e) {
  if (!e) return;
  uint64_t s = pl_tr.head;
  mvr_event_publish(pl_tr.ring, pl_tr.slot, e, s);
  pl_tr.head = s + 1;
}

/* One record, published at once: cheap or exact time (stamp.h). */
static inline void pl_trace(uint16_t op, uint16_t phase, int32_t rc, int32_t err, uint32_t deadline_ms, const void *prim, const void *aux) {
  pl_trace_end(pl_trace_begin_at(0, op, phase, rc, err, deadline_ms, prim, aux));
}

static inline void pl_trace_exact(uint16_t op, uint16_t phase, int32_t rc, int32_t err, uint32_t deadline_ms, const void *prim, const void *aux) {
  pl_trace_end(pl_trace_begin_at(1, op, phase, rc, err, deadline_ms, prim, aux));
}

/* The published record e is a lock taken: its unlock may complete it, if nothing is traced first. */
static inline void pl_trace_holding(struct mvr_event *e) { pl_tr.held = e; }

/* The unlock of m (a call of its own: its op id follows the lock's). */
static inline void pl_trace_unlocked(const void *m, int rc) {
  pl_trace_call();
  struct mvr_event *e = pl_tr.held;
  if (e && rc == 0 && e->value == (uint64_t)(uintptr_t)m) {
    uint64_t t = pl_stamp_cheap();
    __atomic_store_n(&e->aux, t ? t : 1, __ATOMIC_RELEASE);
    __atomic_store_n(&pl_tr.slot->last_event_ns, t, __ATOMIC_RELAXED);
    pl_tr.held = NULL;
    return;
  }
  pl_trace(MVR_OP_MUTEX_UNLOCK, MVR_PH_UNLOCKED, rc, 0, 0, m, NULL);
}

#endif
