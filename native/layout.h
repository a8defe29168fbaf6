/*
 * Segment layout: the single definition of every byte in a run's shared
 * memory object. The addon exports offsets and sizes computed from these
 * structs (layout_table.c), so TypeScript never hard-codes a position.
 *
 *   [mvr_header][mvr_mvar][mvr_slot x proc_capacity][mvr_ring x proc_capacity]
 *
 * Every region starts on a 64-byte boundary; each ring is
 * (64-byte ring header + ring_capacity x 64-byte events).
 *
 * Only fixed-width types and glibc's pthread types appear here. Atomic
 * access goes through GCC __atomic builtins (usable from both C and C++)
 * rather than _Atomic, so the addon's C++ can include this header.
 */
#ifndef MVR_LAYOUT_H
#define MVR_LAYOUT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The bytes "MVARREPR" read as a little-endian u64. */
#define MVR_MAGIC 0x525045525241564DULL
#define MVR_LAYOUT_VERSION 2u

/* Bounds that open() enforces on anything read from a segment. */
#define MVR_MAX_PROCS 4096u
#define MVR_MIN_RING_EVENTS 16u
#define MVR_MAX_RING_EVENTS (1u << 20)
#define MVR_DEFAULT_RING_EVENTS 4096u
#define MVR_NAME_MAX 64
#define MVR_REASON_MAX 64
#define MVR_CMD_MAX 128

#define MVR_ALIGN 64u

enum mvr_variant {
  MVR_VARIANT_ORIGINAL = 1,
  MVR_VARIANT_FIXED = 2,
};

/* Staged failures; all of them run on top of the fixed variant. */
enum mvr_fault {
  MVR_FAULT_NONE = 0,
  MVR_FAULT_KILL_HOLDER = 1,           /* SIGKILL while holding the robust mutex */
  MVR_FAULT_KILL_HOLDER_NONROBUST = 2, /* same, mutex not robust */
  MVR_FAULT_LOSE_VALUE = 3,            /* exit right after a take */
  MVR_FAULT_STOP_SLAVE = 4,            /* SIGSTOP while holding the mutex */
  MVR_FAULT_ABBA = 5,                  /* two aux mutexes taken in opposite order */
};
#define MVR_FAULT_COUNT 6

enum mvr_role {
  MVR_ROLE_NONE = 0,
  MVR_ROLE_MASTER = 1,
  MVR_ROLE_SLAVE = 2,
  MVR_ROLE_PRODUCER = 3,
  MVR_ROLE_CONSUMER = 4,
  MVR_ROLE_THREAD = 5, /* a traced program's thread (preload library); id: its number in its process */
};

enum mvr_slot_state {
  MVR_SLOT_FREE = 0,
  MVR_SLOT_REGISTERED = 1,
  MVR_SLOT_RUNNING = 2,
  MVR_SLOT_DONE = 3,
  MVR_SLOT_FAILED = 4,
};

enum mvr_op {
  MVR_OP_NONE = 0,
  MVR_OP_TAKE = 1,
  MVR_OP_PUT = 2,
  MVR_OP_ABBA = 3, /* the staged lock-order inversion */
  /* Calls the preload library intercepts in a traced program (value: the
   * primitive's address; aux: the mutex of a condvar wait, else 0). */
  MVR_OP_MUTEX_INIT = 4,
  MVR_OP_MUTEX_DESTROY = 5,
  MVR_OP_MUTEX_LOCK = 6,
  MVR_OP_MUTEX_TRYLOCK = 7,
  MVR_OP_MUTEX_TIMEDLOCK = 8,
  MVR_OP_MUTEX_CLOCKLOCK = 9,
  MVR_OP_MUTEX_UNLOCK = 10,
  MVR_OP_COND_INIT = 11,
  MVR_OP_COND_DESTROY = 12,
  MVR_OP_COND_WAIT = 13,
  MVR_OP_COND_TIMEDWAIT = 14,
  MVR_OP_COND_CLOCKWAIT = 15,
  MVR_OP_COND_SIGNAL = 16,
  MVR_OP_COND_BROADCAST = 17,
  MVR_OP_SEM_INIT = 18,
  MVR_OP_SEM_DESTROY = 19,
  MVR_OP_SEM_WAIT = 20,
  MVR_OP_SEM_TIMEDWAIT = 21,
  MVR_OP_SEM_POST = 22,
  MVR_OP_SEM_TRYWAIT = 23,
  MVR_OP_SEM_CLOCKWAIT = 24,
};
#define MVR_OP_COUNT 25

enum mvr_phase {
  MVR_PH_ENTER = 1,
  MVR_PH_LOCK_TIMEOUT = 2,
  MVR_PH_LOCKED = 3,
  MVR_PH_WAIT_BEGIN = 4,
  MVR_PH_WAIT_END = 5,
  MVR_PH_WAIT_TIMEOUT = 6,
  MVR_PH_COPIED = 7,
  MVR_PH_SIGNALLED = 8,
  MVR_PH_UNLOCKED = 9,
  MVR_PH_DONE = 10,
  MVR_PH_OWNER_DIED = 11,
  MVR_PH_ERROR = 12,
  MVR_PH_LOCK_BEGIN = 13, /* an untimed lock attempt starts (abba) */
};
#define MVR_PHASE_COUNT 14

/* The condition variable a `signalled` event names in its aux field. */
enum mvr_cv {
  MVR_CV_CAN_PUT = 1,
  MVR_CV_CAN_TAKE = 2,
};

/* One trace record: exactly one cache line. */
struct mvr_event {
  uint64_t seq;       /* sequence number; MVR_SEQ_BUSY while being written */
  uint64_t t_ns;      /* CLOCK_MONOTONIC */
  int32_t pid;
  int32_t tid;
  uint32_t op_id;     /* per process, from 1 */
  uint16_t op;        /* enum mvr_op */
  uint16_t phase;     /* enum mvr_phase */
  int32_t rc;         /* pthread return code, or 0 */
  int32_t err;        /* errno at the time, or 0 */
  uint32_t deadline_ms; /* relative deadline of the timed call in progress */
  uint32_t is_full;   /* the box as seen by this process at the event */
  uint64_t value;     /* value copied (copied phase), else the box value */
  uint64_t aux;       /* phase-specific: signalled: enum mvr_cv; abba: aux mutex index */
};
#define MVR_SEQ_BUSY UINT64_MAX

struct mvr_ring {
  uint64_t head;      /* events ever written; release-stored after each event */
  uint32_t capacity;  /* power of two, equals header.ring_capacity */
  uint32_t slot;      /* index of the owning slot */
  uint8_t pad[48];
  struct mvr_event ev[];
};

struct mvr_slot {
  int32_t pid;
  int32_t tid;        /* tid of the thread that registered */
  uint32_t role;      /* enum mvr_role */
  uint32_t id;        /* 0 for the master, 1..N for slaves */
  uint32_t state;     /* enum mvr_slot_state */
  uint32_t cur_op;    /* enum mvr_op, MVR_OP_NONE between ops */
  uint32_t cur_op_id;
  uint32_t ops_done;
  uint64_t last_event_ns;
  int32_t exit_status; /* what the worker reported before exiting; -1 unknown */
  uint32_t runtime;   /* 1 native, 2 node */
  uint64_t start_ns;
  uint64_t end_ns;
  uint8_t pad[8];
  char reason[MVR_REASON_MAX];    /* one line: why the worker failed, NUL-terminated */
  char cmd[MVR_CMD_MAX];          /* traced programs: the process's command line, arguments space-separated, cut */
};

struct mvr_mvar {
  uint32_t is_full;
  uint32_t pad0;
  uint64_t value;
  pthread_mutex_t mutex;
  pthread_cond_t can_put;
  pthread_cond_t can_take;
  uint64_t takes;         /* completed operations, all processes */
  uint64_t puts;
  uint64_t lock_timeouts;
  uint64_t wait_timeouts;
  uint64_t owner_died;
  uint64_t errors;
  pthread_mutex_t aux[2]; /* the abba fault's two locks */
  uint32_t abba_arrived;  /* rendezvous so both hold their first lock */
  uint32_t fault_fired;   /* the holder fault struck: the master may start putting */
};

struct mvr_header {
  uint64_t magic;
  uint32_t layout_version;
  uint32_t header_size;
  uint64_t total_size;
  uint32_t proc_capacity;
  uint32_t ring_capacity;  /* events per ring */
  uint32_t event_size;
  uint32_t slot_size;
  uint64_t ring_size;      /* bytes per ring including its header */
  uint64_t mvar_offset;
  uint64_t slots_offset;
  uint64_t rings_offset;
  uint32_t variant;        /* enum mvr_variant */
  uint32_t fault;          /* enum mvr_fault */
  uint32_t fault_target;   /* slave id the fault applies to */
  uint32_t rounds;         /* take/put pairs per slave */
  uint32_t nslaves;
  int32_t creator_pid;
  uint64_t created_ns;     /* CLOCK_MONOTONIC */
  uint64_t created_realtime_ns;
  uint32_t threads_claimed; /* traced programs: slots handed out, in order (beyond proc_capacity: untraced threads) */
  uint32_t pad1;
  char name[MVR_NAME_MAX];
};

/* Not part of the segment: glibc's own barrier as it lies inside an opaque
 * pthread_barrier_t (struct pthread_barrier, sysdeps/nptl/internaltypes.h,
 * glibc 2.23+), so the diagnosis reads a barrier's futex words by name. Its
 * waiters sleep on current_round (FUTEX_WAIT, expected: their round);
 * shared is 0 (FUTEX_PRIVATE) or 128 (FUTEX_SHARED). */
struct mvr_glibc_barrier {
  unsigned int in;
  unsigned int current_round;
  unsigned int count;
  int shared;
  unsigned int out;
};
#ifndef __cplusplus
_Static_assert(sizeof(struct mvr_glibc_barrier) <= sizeof(pthread_barrier_t), "glibc barrier mirror fits pthread_barrier_t");
#endif

static inline uint64_t mvr_align(uint64_t v) {
  return (v + (MVR_ALIGN - 1)) & ~(uint64_t)(MVR_ALIGN - 1);
}

static inline uint64_t mvr_ring_bytes(uint32_t ring_capacity) {
  return sizeof(struct mvr_ring) + (uint64_t)ring_capacity * sizeof(struct mvr_event);
}

#ifdef __cplusplus
}
#endif

#endif
