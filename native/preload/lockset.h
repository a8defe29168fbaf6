/*
 * A thread's held locks (lockdep.c), the part every lock and unlock call
 * touches, inline: the set is a page mapped at the thread's first lock and
 * found through one TLS pointer (initial-exec: one %fs-relative load). A
 * push and the pop of the lock taken last cost a few stores; everything rare
 * (the first lock of a thread, an edge, a pop from the middle) is a call
 * into lockdep.c.
 */
#ifndef MVR_PRELOAD_LOCKSET_H
#define MVR_PRELOAD_LOCKSET_H

#include "preload.h"

#include <pthread.h>
#include <unistd.h>

#define HELD_MAX 16

struct held {
  uint64_t id;
  const void *key; /* the primitive's address, or the file of a file lock */
  uint64_t start;  /* a file lock's first byte */
  void *site;      /* where it was taken */
  unsigned how;
};

struct lockset {
  int32_t tid;
  uint16_t n;
  uint16_t files;
  struct held h[HELD_MAX];
};

extern __thread struct lockset *pl_ls __attribute__((tls_model("initial-exec"), visibility("hidden")));

/* lockdep.c: the set of a thread that has none yet (NULL if it cannot be mapped); the edges before a lock that may wait. */
struct lockset *pl_ld_alloc(void);
void pl_ld_edges(struct lockset *s, uint64_t id, unsigned how, void *site);
void pl_ld_drop_at(struct lockset *s, int index);

static inline struct lockset *pl_ld_mine(void) {
  struct lockset *s = pl_ls;
  return __builtin_expect(s != NULL, 1) ? s : pl_ld_alloc();
}

static inline int32_t pl_ld_tid(void) {
  struct lockset *s = pl_ld_mine();
  return s ? s->tid : (int32_t)gettid();
}

/* Before a call that may wait for lock `id`: an edge from every lock the thread holds. */
static inline void pl_ld_before(uint64_t id, unsigned how, void *site) {
  struct lockset *s = pl_ls;
  if (s && s->n && (how & LK_NODE) && (how & LK_BLOCKS)) pl_ld_edges(s, id, how, site);
}

/* The lock was taken (also by a try): the thread holds it. `key` finds it again (its address, or its file).
 * Its index in the set, for a lock that then failed to leave by (pl_ld_drop); -1 when the set is full. */
static inline int pl_ld_acquired(uint64_t id, const void *key, uint64_t start, unsigned how, void *site) {
  struct lockset *s = pl_ld_mine();
  if (!s || s->n >= HELD_MAX) return -1;
  int index = s->n++;
  struct held *h = &s->h[index];
  h->id = id;
  h->key = key;
  h->start = start;
  h->site = site;
  h->how = how;
  if (how & LK_FILE) s->files++;
  return index;
}

/* The held entry of key (the lock taken last first), or -1. */
static inline int pl_ld_find(const void *key) {
  struct lockset *s = pl_ls;
  if (!s) return -1;
  for (int i = s->n - 1; i >= 0; i--)
    if (s->h[i].key == key && !(s->h[i].how & LK_FILE)) return i;
  return -1;
}

static inline unsigned pl_ld_flags(int index) { return pl_ls->h[index].how; }

/* Out of the set: the lock taken last is a decrement; another one moves those above it down. */
static inline void pl_ld_drop(int index) {
  struct lockset *s = pl_ls;
  if (!s || index < 0 || index >= s->n) return;
  if (index == s->n - 1 && !(s->h[index].how & LK_FILE)) s->n--;
  else pl_ld_drop_at(s, index);
}

/* A lock that was not taken after all leaves the set: its own entry (index, from pl_ld_acquired), or
 * nothing when the set was full then. Found again by its key should the entries below it have moved. */
static inline void pl_ld_untaken(int index, const void *key) {
  struct lockset *s = pl_ls;
  if (!s || index < 0) return;
  pl_ld_drop(index < s->n && s->h[index].key == key ? index : pl_ld_find(key));
}

#endif
