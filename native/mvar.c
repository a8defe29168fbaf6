#define _GNU_SOURCE
#include "mvar.h"

#include "clock.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------
 * Initialisation
 * ---------------------------------------------------------------------- */

/*
 * The original defect, reproduced on purpose. The creator builds the state in
 * a local struct, publishes it into the segment, and only then applies the
 * process-shared attributes -- to the local copy. The segment keeps all-zero
 * primitives. glibc (2.25+, x86_64) reads an all-zero pthread_mutex_t as a
 * PTHREAD_MUTEX_TIMED_NP mutex without PTHREAD_MUTEX_PSHARED_BIT in __kind, and
 * an all-zero pthread_cond_t as a condvar whose __wrefs lacks
 * __PTHREAD_COND_SHARED_MASK and whose clock is CLOCK_REALTIME. Every futex
 * call glibc then makes on them carries FUTEX_PRIVATE_FLAG, which the kernel
 * keys by (mm, address): a wake from another process never matches.
 */
static void init_original(struct mvr_mvar *shared) {
  struct mvr_mvar local;
  memset(&local, 0, sizeof local);
  local.is_full = 0;
  memcpy(shared, &local, sizeof local); /* published before the primitives are set up */

  pthread_mutexattr_t ma;
  pthread_mutexattr_init(&ma);
  pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
  pthread_mutex_init(&local.mutex, &ma); /* ...on the copy */
  pthread_mutexattr_destroy(&ma);

  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
  pthread_cond_init(&local.can_put, &ca);
  pthread_cond_init(&local.can_take, &ca);
  pthread_condattr_destroy(&ca);
  /* `local` dies here; the segment never sees these primitives. */
}

static void init_shared_mutex(pthread_mutex_t *m, int robust) {
  pthread_mutexattr_t ma;
  pthread_mutexattr_init(&ma);
  pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
  /* Robust: glibc keeps the lock on the owner thread's robust list; when the
   * owner dies the kernel marks the lock word FUTEX_OWNER_DIED and wakes a
   * waiter, whose lock call then returns EOWNERDEAD. */
  if (robust) pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init(m, &ma);
  pthread_mutexattr_destroy(&ma);
}

static void init_fixed(struct mvr_mvar *m, int robust) {
  m->is_full = 0;
  m->value = 0;
  init_shared_mutex(&m->mutex, robust);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
  /* Deadlines below are computed on the same clock (mvr_deadline). */
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&m->can_put, &ca);
  pthread_cond_init(&m->can_take, &ca);
  pthread_condattr_destroy(&ca);
  /* Plain process-shared locks: abba must deadlock, not recover. */
  init_shared_mutex(&m->aux[0], 0);
  init_shared_mutex(&m->aux[1], 0);
}

void mvr_mvar_init(struct mvr_mvar *shared, uint32_t variant, uint32_t fault) {
  if (variant == MVR_VARIANT_ORIGINAL)
    init_original(shared);
  else
    init_fixed(shared, fault != MVR_FAULT_KILL_HOLDER_NONROBUST);
}

/* ------------------------------------------------------------------------
 * Registration
 * ---------------------------------------------------------------------- */

int mvr_slot_index(const struct mvr_seg *s, uint32_t role, uint32_t id) {
  uint32_t idx;
  switch (role) {
  case MVR_ROLE_MASTER:
  case MVR_ROLE_PRODUCER: idx = 0; break;
  case MVR_ROLE_CONSUMER: idx = 1; break;
  case MVR_ROLE_SLAVE:
    if (id == 0) return -1;
    idx = id;
    break;
  default: return -1;
  }
  return idx < s->proc_capacity ? (int)idx : -1;
}

int mvr_register(struct mvr_seg *s, uint32_t role, uint32_t id, uint32_t runtime, struct mvr_proc *p, char *err,
                 size_t errlen) {
  memset(p, 0, sizeof *p);
  int idx = mvr_slot_index(s, role, id);
  if (idx < 0) {
    snprintf(err, errlen, "no slot for role %u id %u in a segment of %u process slots", role, id, s->proc_capacity);
    return MVR_E_ARG;
  }
  mvr_tid_init();
  struct mvr_slot *slot = &s->slots[idx];
  int32_t expected = 0;
  int32_t me = (int32_t)getpid();
  /* The pid field is the claim: first process to CAS it wins the slot. */
  if (!__atomic_compare_exchange_n(&slot->pid, &expected, me, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    snprintf(err, errlen, "slot %d (role %u id %u) is already registered by pid %d", idx, role, id, expected);
    return MVR_E_ARG;
  }
  slot->tid = mvr_tid();
  slot->role = role;
  slot->id = id;
  slot->runtime = runtime;
  slot->start_ns = mvr_now_ns();
  slot->exit_status = -1;
  p->seg = s;
  p->slot = slot;
  p->ring = mvr_ring_at(s, (uint32_t)idx);
  p->mask = s->ring_capacity - 1;
  p->head = __atomic_load_n(&p->ring->head, __ATOMIC_ACQUIRE);
  p->slot_index = (uint32_t)idx;
  p->pid = me;
  p->role = role;
  p->id = id;
  __atomic_store_n(&slot->state, MVR_SLOT_RUNNING, __ATOMIC_RELEASE);
  return MVR_OK;
}

void mvr_finish(struct mvr_proc *p, int status, const char *reason) {
  if (reason && *reason) {
    strncpy(p->slot->reason, reason, MVR_REASON_MAX - 1);
    p->slot->reason[MVR_REASON_MAX - 1] = '\0';
  }
  p->slot->exit_status = status;
  p->slot->end_ns = mvr_now_ns();
  __atomic_store_n(&p->slot->state, status == 0 ? MVR_SLOT_DONE : MVR_SLOT_FAILED, __ATOMIC_RELEASE);
}

/* ------------------------------------------------------------------------
 * take / put
 * ---------------------------------------------------------------------- */

static inline void count(uint64_t *c) { __atomic_fetch_add(c, 1, __ATOMIC_RELAXED); }

static inline uint32_t doubled(uint32_t ms) { return ms >= (1u << 30) ? ms : ms * 2; }

static inline uint32_t box_full(const struct mvr_mvar *m) { return __atomic_load_n(&m->is_full, __ATOMIC_RELAXED); }

static void recover_owner_died(struct mvr_proc *p, uint16_t op, pthread_mutex_t *mx) {
  mvr_trace(p, op, MVR_PH_OWNER_DIED, EOWNERDEAD, 0, 0, p->seg->mvar->value, 0);
  count(&p->seg->mvar->owner_died);
  /* We hold the lock now; the previous holder's critical section may be half
   * done, but the MVar's state is a single flag plus a value written before
   * the flag, so it is consistent whichever instruction the owner died at. */
  pthread_mutex_consistent(mx);
}

static int timed_lock(struct mvr_proc *p, uint16_t op, pthread_mutex_t *mx) {
  const int fixed = p->seg->variant == MVR_VARIANT_FIXED;
  uint32_t ms = MVR_FIRST_TIMEOUT_MS;
  for (;;) {
    int rc;
    if (fixed) {
      /* pthread_mutex_clocklock (glibc >= 2.30) takes the deadline on the
       * monotonic clock: a wall-clock step cannot stretch or cut the wait. */
      struct timespec dl = mvr_deadline(CLOCK_MONOTONIC, ms);
      rc = pthread_mutex_clocklock(mx, CLOCK_MONOTONIC, &dl);
    } else {
      /* The original: pthread_mutex_timedlock measures against CLOCK_REALTIME. */
      struct timespec dl = mvr_deadline(CLOCK_REALTIME, ms);
      rc = pthread_mutex_timedlock(mx, &dl);
    }
    if (rc == 0) return 0;
    if (rc == ETIMEDOUT) {
      mvr_trace(p, op, MVR_PH_LOCK_TIMEOUT, rc, 0, ms, 0, 0);
      count(&p->seg->mvar->lock_timeouts);
      ms = doubled(ms);
      continue;
    }
    if (rc == EOWNERDEAD) {
      recover_owner_died(p, op, mx);
      return 0;
    }
    if (rc == EINTR || rc == EAGAIN) continue;
    mvr_trace(p, op, MVR_PH_ERROR, rc, errno, ms, 0, 0);
    count(&p->seg->mvar->errors);
    return rc;
  }
}

static int timed_wait(struct mvr_proc *p, uint16_t op, pthread_cond_t *cv, pthread_mutex_t *mx, uint32_t ms) {
  struct timespec dl;
  /* The original computed CLOCK_REALTIME deadlines, which matches the
   * condvar's default clock; the fixed condvars were set to CLOCK_MONOTONIC. */
  dl = mvr_deadline(p->seg->variant == MVR_VARIANT_FIXED ? CLOCK_MONOTONIC : CLOCK_REALTIME, ms);
  return pthread_cond_timedwait(cv, mx, &dl);
}

int mvr_fault_holds_mutex(uint32_t fault) {
  return fault == MVR_FAULT_KILL_HOLDER || fault == MVR_FAULT_KILL_HOLDER_NONROBUST || fault == MVR_FAULT_STOP_SLAVE;
}

/* Staged faults that strike while slave fault_target holds the mutex: in its
 * first take, right after it copied the value out (its share is consumed, so
 * the protocol still balances) and before it signals and unlocks. The other
 * slaves do not start before the fault has struck (mvr_wait_for_fault), so
 * they all still need the mutex afterwards: the fault cannot come too late. */
static void fault_while_holding(struct mvr_proc *p) {
  const struct mvr_seg *s = p->seg;
  if (!mvr_fault_holds_mutex(s->fault) || p->role != MVR_ROLE_SLAVE || p->id != s->fault_target || p->op_id != 1)
    return;
  __atomic_store_n(&s->mvar->fault_fired, 1, __ATOMIC_RELEASE);
  raise(s->fault == MVR_FAULT_STOP_SLAVE ? SIGSTOP : SIGKILL);
}

void mvr_wait_for_fault(const struct mvr_proc *p) {
  const struct mvr_seg *s = p->seg;
  if (!mvr_fault_holds_mutex(s->fault) || s->fault_target > s->nslaves) return;
  if (p->role != MVR_ROLE_SLAVE || p->id == s->fault_target) return;
  /* Bounded: a target that never starts cannot hold the master forever. */
  for (int i = 0; i < 10000 && !__atomic_load_n(&s->mvar->fault_fired, __ATOMIC_ACQUIRE); i++) {
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
  }
}

static int mvar_op(struct mvr_proc *p, uint16_t op, uint64_t in, uint64_t *out) {
  struct mvr_mvar *m = p->seg->mvar;
  const uint32_t want_full = op == MVR_OP_TAKE;
  pthread_cond_t *mine = op == MVR_OP_TAKE ? &m->can_take : &m->can_put;
  pthread_cond_t *other = op == MVR_OP_TAKE ? &m->can_put : &m->can_take;
  const uint64_t other_id = op == MVR_OP_TAKE ? MVR_CV_CAN_PUT : MVR_CV_CAN_TAKE;

  p->op_id++;
  p->slot->cur_op_id = p->op_id;
  __atomic_store_n(&p->slot->cur_op, op, __ATOMIC_RELEASE);
  mvr_trace(p, op, MVR_PH_ENTER, 0, 0, 0, in, 0);

  int rc = timed_lock(p, op, &m->mutex);
  if (rc) return rc;
  mvr_trace(p, op, MVR_PH_LOCKED, 0, 0, 0, 0, 0);

  uint32_t ms = MVR_FIRST_TIMEOUT_MS;
  while (box_full(m) != want_full) {
    pthread_cond_signal(other);
    mvr_trace(p, op, MVR_PH_SIGNALLED, 0, 0, 0, 0, other_id);
    mvr_trace(p, op, MVR_PH_WAIT_BEGIN, 0, 0, ms, 0, 0);
    rc = timed_wait(p, op, mine, &m->mutex, ms);
    if (rc == 0 || rc == EINTR) {
      mvr_trace(p, op, MVR_PH_WAIT_END, rc, 0, ms, 0, 0);
    } else if (rc == ETIMEDOUT) {
      mvr_trace(p, op, MVR_PH_WAIT_TIMEOUT, rc, 0, ms, 0, 0);
      count(&m->wait_timeouts);
      ms = doubled(ms);
    } else if (rc == EOWNERDEAD) {
      /* The wait re-acquired a robust mutex whose holder had died. */
      mvr_trace(p, op, MVR_PH_WAIT_END, rc, 0, ms, 0, 0);
      recover_owner_died(p, op, &m->mutex);
    } else {
      mvr_trace(p, op, MVR_PH_ERROR, rc, errno, ms, 0, 0);
      count(&m->errors);
      /* Every error path unlocks: after ENOTRECOVERABLE the lock is not ours
       * and the unlock fails harmlessly with EPERM. */
      int urc = pthread_mutex_unlock(&m->mutex);
      mvr_trace(p, op, MVR_PH_UNLOCKED, urc, 0, 0, 0, 0);
      return rc;
    }
  }

  uint64_t v;
  if (op == MVR_OP_TAKE) {
    v = m->value;
    __atomic_store_n(&m->is_full, 0, __ATOMIC_RELAXED);
  } else {
    v = in;
    m->value = in;
    __atomic_store_n(&m->is_full, 1, __ATOMIC_RELAXED);
  }
  mvr_trace(p, op, MVR_PH_COPIED, 0, 0, 0, v, 0);
  fault_while_holding(p);
  pthread_cond_signal(other);
  mvr_trace(p, op, MVR_PH_SIGNALLED, 0, 0, 0, 0, other_id);
  rc = pthread_mutex_unlock(&m->mutex);
  mvr_trace(p, op, MVR_PH_UNLOCKED, rc, 0, 0, 0, 0);
  count(op == MVR_OP_TAKE ? &m->takes : &m->puts);
  p->slot->ops_done++;
  __atomic_store_n(&p->slot->cur_op, MVR_OP_NONE, __ATOMIC_RELEASE);
  mvr_trace(p, op, MVR_PH_DONE, 0, 0, 0, v, 0);
  if (out) *out = v;
  return rc;
}

int mvr_take(struct mvr_proc *p, uint64_t *out) { return mvar_op(p, MVR_OP_TAKE, 0, out); }

int mvr_put(struct mvr_proc *p, uint64_t value) { return mvar_op(p, MVR_OP_PUT, value, NULL); }

/* ------------------------------------------------------------------------
 * Staged protocol-level faults
 * ---------------------------------------------------------------------- */

int mvr_fault_is_abba_party(const struct mvr_proc *p) {
  const struct mvr_seg *s = p->seg;
  return s->fault == MVR_FAULT_ABBA && p->role == MVR_ROLE_SLAVE &&
         (p->id == s->fault_target || p->id == s->fault_target + 1);
}

int mvr_fault_loses_value(const struct mvr_proc *p) {
  const struct mvr_seg *s = p->seg;
  return s->fault == MVR_FAULT_LOSE_VALUE && p->role == MVR_ROLE_SLAVE && p->id == s->fault_target;
}

int mvr_abba(struct mvr_proc *p) {
  struct mvr_mvar *m = p->seg->mvar;
  const uint64_t first = p->id == p->seg->fault_target ? 0 : 1;
  const uint64_t second = 1 - first;
  p->op_id++;
  p->slot->cur_op_id = p->op_id;
  __atomic_store_n(&p->slot->cur_op, MVR_OP_ABBA, __ATOMIC_RELEASE);
  mvr_trace(p, MVR_OP_ABBA, MVR_PH_ENTER, 0, 0, 0, 0, first);
  mvr_trace(p, MVR_OP_ABBA, MVR_PH_LOCK_BEGIN, 0, 0, 0, 0, first);
  int rc = pthread_mutex_lock(&m->aux[first]);
  mvr_trace(p, MVR_OP_ABBA, MVR_PH_LOCKED, rc, 0, 0, 0, first);
  /* Rendezvous so that both parties hold their first lock before either asks
   * for its second; bounded so a missing partner cannot hang us here. */
  __atomic_fetch_add(&m->abba_arrived, 1, __ATOMIC_ACQ_REL);
  for (int i = 0; i < 10000 && __atomic_load_n(&m->abba_arrived, __ATOMIC_ACQUIRE) < 2; i++) {
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
  }
  mvr_trace(p, MVR_OP_ABBA, MVR_PH_LOCK_BEGIN, 0, 0, 0, 0, second);
  rc = pthread_mutex_lock(&m->aux[second]); /* untimed: this is the deadlock */
  mvr_trace(p, MVR_OP_ABBA, MVR_PH_LOCKED, rc, 0, 0, 0, second);
  pthread_mutex_unlock(&m->aux[second]);
  pthread_mutex_unlock(&m->aux[first]);
  mvr_trace(p, MVR_OP_ABBA, MVR_PH_UNLOCKED, 0, 0, 0, 0, first);
  __atomic_store_n(&p->slot->cur_op, MVR_OP_NONE, __ATOMIC_RELEASE);
  mvr_trace(p, MVR_OP_ABBA, MVR_PH_DONE, 0, 0, 0, 0, 0);
  return 0;
}
