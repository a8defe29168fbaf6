#define _GNU_SOURCE
#include "trace.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

static __thread int32_t tid_cache;
static pthread_once_t tid_once = PTHREAD_ONCE_INIT;

/* A fork child inherits the forking thread's TLS, hence its cached tid. */
static void tid_reset_in_child(void) { tid_cache = 0; }
static void tid_register(void) { pthread_atfork(NULL, NULL, tid_reset_in_child); }

void mvr_tid_init(void) { pthread_once(&tid_once, tid_register); }

int32_t mvr_tid(void) {
  if (__builtin_expect(tid_cache == 0, 0)) tid_cache = (int32_t)gettid();
  return tid_cache;
}

uint64_t mvr_ring_pending(const struct mvr_seg *s, uint32_t slot, uint64_t from) {
  if (slot >= s->proc_capacity) return 0;
  uint64_t head = __atomic_load_n(&mvr_ring_at(s, slot)->head, __ATOMIC_ACQUIRE);
  if (from >= head) return 0;
  uint64_t n = head - from;
  return n > s->ring_capacity ? s->ring_capacity : n;
}

struct mvr_read_result mvr_ring_read(const struct mvr_seg *s, uint32_t slot, uint64_t from, struct mvr_event *out,
                                     size_t max) {
  struct mvr_read_result r = {0, from, 0, 0};
  if (slot >= s->proc_capacity) return r;
  const struct mvr_ring *ring = mvr_ring_at(s, slot);
  const uint64_t cap = s->ring_capacity; /* validated copy, not ring->capacity */
  const uint64_t mask = cap - 1;
  uint64_t head = __atomic_load_n(&ring->head, __ATOMIC_ACQUIRE);
  r.head = head;
  uint64_t q = from;
  if (q > head) q = head; /* a reader ahead of the writer: nothing new */
  if (head > cap && q < head - cap) {
    r.missed += (head - cap) - q;
    q = head - cap;
  }
  for (; q < head && r.count < max; q++) {
    const struct mvr_event *e = &ring->ev[q & mask];
    uint64_t s1 = __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE);
    struct mvr_event copy;
    memcpy(&copy, (const void *)e, sizeof copy);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    uint64_t s2 = __atomic_load_n(&e->seq, __ATOMIC_RELAXED);
    if (s1 != q || s2 != q) {
      r.missed++; /* lapped by the writer while we looked */
      continue;
    }
    copy.seq = q;
    out[r.count++] = copy;
  }
  r.next = q;
  return r;
}
