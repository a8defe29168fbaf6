/*
 * Trace rings: one per process, single writer, readable by any process at
 * any time, including after the writer was SIGKILLed.
 *
 * Each record is guarded like a seqlock: the writer marks the record busy,
 * fills it, then publishes its sequence number with a release store and
 * finally advances ring->head with a release store. A reader takes head
 * (acquire), copies a record and accepts it only if the record's sequence
 * number was the expected one both before and after the copy. A writer
 * killed mid-record leaves it busy and head unadvanced, so the reader never
 * sees half a record; every record published before the kill stays readable.
 *
 * When the writer laps the reader, the oldest records are overwritten: the
 * reader counts what it missed, so overflow is never silent.
 */
#ifndef MVR_TRACE_H
#define MVR_TRACE_H

#include "clock.h"
#include "layout.h"
#include "segment.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One writer per ring: the registration of this process in a segment. */
struct mvr_proc {
  struct mvr_seg *seg;
  struct mvr_slot *slot;
  struct mvr_ring *ring;
  uint64_t head;      /* next sequence number; only this process writes the ring */
  uint32_t mask;      /* ring capacity - 1 */
  uint32_t slot_index;
  uint32_t op_id;     /* last operation id handed out */
  int32_t pid;
  uint32_t role;
  uint32_t id;
};

/* Thread id, cached per thread (glibc's gettid() is a system call every time;
 * the cache is reset in fork children, see mvr_tid_init). */
int32_t mvr_tid(void);
void mvr_tid_init(void);

/* The seqlock protocol of one record, shared by every writer of a ring (the
 * MVar and the preload library): claim sequence number s and mark its record
 * busy, fill it, then publish it, which also dates the slot's last event. */
static inline struct mvr_event *mvr_event_begin(struct mvr_ring *ring, uint32_t mask, uint64_t s) {
  struct mvr_event *e = &ring->ev[s & mask];
  __atomic_store_n(&e->seq, MVR_SEQ_BUSY, __ATOMIC_RELAXED);
  __atomic_thread_fence(__ATOMIC_RELEASE);
  return e;
}

static inline void mvr_event_publish(struct mvr_ring *ring, struct mvr_slot *slot, struct mvr_event *e, uint64_t s) {
  __atomic_store_n(&e->seq, s, __ATOMIC_RELEASE);
  __atomic_store_n(&ring->head, s + 1, __ATOMIC_RELEASE);
  __atomic_store_n(&slot->last_event_ns, e->t_ns, __ATOMIC_RELAXED);
}

static inline void mvr_trace(struct mvr_proc *p, uint16_t op, uint16_t phase, int32_t rc, int32_t err,
                             uint32_t deadline_ms, uint64_t value, uint64_t aux) {
  uint64_t s = p->head;
  uint64_t now = mvr_now_ns();
  struct mvr_event *e = mvr_event_begin(p->ring, p->mask, s);
  e->t_ns = now;
  e->pid = p->pid;
  e->tid = mvr_tid();
  e->op_id = p->op_id;
  e->op = op;
  e->phase = phase;
  e->rc = rc;
  e->err = err;
  e->deadline_ms = deadline_ms;
  e->is_full = __atomic_load_n(&p->seg->mvar->is_full, __ATOMIC_RELAXED);
  e->value = value;
  e->aux = aux;
  mvr_event_publish(p->ring, p->slot, e, s);
  p->head = s + 1;
}

struct mvr_read_result {
  size_t count;     /* records copied to out */
  uint64_t next;    /* sequence number to pass as `from` next time */
  uint64_t missed;  /* records overwritten before they could be read */
  uint64_t head;    /* the writer's head when the read started */
};

/* How many records a read from `from` could return right now (at most the capacity). */
uint64_t mvr_ring_pending(const struct mvr_seg *s, uint32_t slot, uint64_t from);

/* Copies up to max records of slot's ring with sequence >= from. */
struct mvr_read_result mvr_ring_read(const struct mvr_seg *s, uint32_t slot, uint64_t from, struct mvr_event *out,
                                     size_t max);

#ifdef __cplusplus
}
#endif

#endif
